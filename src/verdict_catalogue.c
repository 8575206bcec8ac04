/*
 * verdict_catalogue.c: the verdict kinds and the words of their sentences.
 *
 * Each kind has its stable name, its severity, a title, where its rule
 * comes from, and the templates of its sentence: every word a verdict
 * prints is here, next to its kind.  The rules (verdict.c) decide which
 * form a sentence takes and fill its slots with values; they hold no
 * words of their own.  A template is text with slots in braces:
 *
 *   {name}            the value the rule filled slot `name` with (an
 *                     endpoint, a time, a count, a state's name, a
 *                     frame number); for a clause the rule picked, the
 *                     kind's phrase "name.choice", itself a template
 *                     (picked several times: each alternative in order,
 *                     joined by the phrase "name.join"); for a name the
 *                     rule did not fill, the kind's phrase `name` (words
 *                     that several forms share)
 *   {name:one|other}  `one` when the count in slot `name` is 1, else
 *                     `other`: "{syns} {syns:SYN|SYNs}"
 *   {{ and }}         a brace
 *
 * A name is looked up in the kind's own phrases first, then in
 * tfe_verdict_shared[].  Slot names are plain identifiers; the side
 * words ("client", "server") and endpoints ("client 10.0.0.1:80") are
 * values the rules fill in.  Expanding a template checks that every slot
 * it needs is filled and that every slot filled is used, by the form or
 * by an alternative of a clause it names (tfe_verdict_expand()); the
 * unit tests check that every template is well formed.  Nothing here
 * formats a number: each value is formatted where its slot is filled.
 */
#include "verdict.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

/* A kind's phrases, ended by one with no name. */
#define PHRASES(...) \
	((const struct tfe_phrase[]){ __VA_ARGS__, { NULL, NULL } })

const struct tfe_verdict_def tfe_verdicts[TFE_V__COUNT] = {
	[TFE_V_RST_TO_CLOSED_PORT] = { "rst_to_closed_port", TFE_SEV_WARNING,
		"RST from a port with no listener", "RFC 9293 §3.10.7.1",
		PHRASES(
		{ "refused", "{server} answered the client's SYN (frame {syn}) "
		  "with RST (frame {rst}, {delay} ms later){resent}: no socket "
		  "listens on port {port}, so {outcome}" },
		{ "resent.no", "" },
		{ "resent.yes", " after the SYN was re-sent" },
		{ "outcome.fails", "connect() fails with ECONNREFUSED" },
		/* the same SYN came again on the 4-tuple after the RST */
		{ "outcome.retried", "this attempt is refused; the client sent "
		  "the same SYN again after the RST (Windows retries a refused "
		  "connection), so connect() had not failed yet" }) },
	[TFE_V_SYN_UNANSWERED] = { "syn_unanswered", TFE_SEV_WARNING,
		"SYN never answered", "RFC 6298 §5, RFC 9293 §3.8.1",
		PHRASES(
		{ "syns", "{syns} {syns:SYN|SYNs} from the client to {server} "
		  "({frames}) got no answer in {wait}{resent}: {why}{tw}" },
		{ "frames.one", "frame {first}" },
		{ "frames.range", "frames {first}-{last}" },
		{ "resent.no", "" },
		{ "resent.yes", "; re-sent after {times} (back-off)" },
		/* the causes: a port that answered another connection's SYN
		 * in the capture listened */
		{ "why.both", "its port answered other connections' SYNs "
		  "{before} before the first and {after} after the last, so "
		  "the host was up and listening: a listener whose accept "
		  "queue was full (Linux drops the SYN then) or a firewall "
		  "dropping them" },
		{ "why.before", "its port answered another connection's SYN "
		  "{before} before the first: a listener whose accept queue "
		  "was full (Linux drops the SYN then), a firewall dropping "
		  "them, or a host that went down since" },
		{ "why.after", "its port answered another connection's SYN "
		  "{after} after the last: a listener whose accept queue was "
		  "full (Linux drops the SYN then) or not yet open, a firewall "
		  "dropping them, or a host not yet up" },
		{ "why.unknown", "a firewall dropping them, a host that is "
		  "down, or a listener whose queue is full" },
		{ "tw.no", "" },
		{ "tw.yes", "; or the 4-tuple's earlier connection, in "
		  "TIME_WAIT, took it for an old duplicate (see "
		  "time_wait_reuse)" },
		{ "synacks", "the server answered {synacks} times with SYN+ACK "
		  "(first at frame {frame}) and the client never acknowledged "
		  "one: the SYN+ACKs are lost on the way back (asymmetric "
		  "routing, a firewall on the client's side), so the client's "
		  "connect() sees no answer" },
		/* what open_at_end says when the capture is too short */
		{ "undecided", "not enough capture to tell whether the SYN "
		  "(frame {frame}) is answered: the capture ends {after} after "
		  "it" }) },
	[TFE_V_LINGERING_CLOSE_WAIT] = { "lingering_close_wait", TFE_SEV_WARNING,
		"CLOSE_WAIT: the application did not close", "RFC 9293 §3.6",
		PHRASES(
		{ "lingers", "{receiver} received the {peer}'s FIN at {at} "
		  "(frame {frame}) and sent no FIN of its own for "
		  "{wait}{until}: the {side} application did not call close() "
		  "after read() returned 0; the {peer} {then}{owner}" },
		{ "until.late", " until its late FIN at {late_at} (frame "
		  "{late})" },
		{ "until.idle", " until the connection had been idle for "
		  "--idle-timeout" },
		{ "until.reused", " until a new SYN took the 4-tuple over" },
		{ "until.capture", " until the capture ended" },
		{ "then.late", "waited in {peer_state} all that time" },
		{ "then.open", "waits in {peer_state}" },
		/* live: the process that holds the socket, when the kernel
		 * told it (local.h) */
		{ "owner.none", "" },
		{ "owner.held", "; pid {pid} {command} held the socket and "
		  "called close() only after {wait}" },
		{ "owner.holds", "; pid {pid} {command} holds the socket and "
		  "has not called close() for {wait}" },
		{ "undecided", "not enough capture to tell whether the "
		  "{side}'s CLOSE_WAIT lingers: {end} {waited} after the "
		  "{peer}'s FIN (frame {frame}), the threshold is "
		  "{threshold}" },
		{ "end.reused", "a new SYN took the 4-tuple over" },
		{ "end.capture", "the capture ends" }) },
	[TFE_V_MISSING_FINAL_ACK] = { "missing_final_ack", TFE_SEV_WARNING,
		"the last ACK of the close was lost", "RFC 9293 §3.6.1",
		PHRASES(
		{ "ack_lost", "{sender} re-sent its FIN at {at} (frame "
		  "{again}) because the {peer}'s last ACK (frame {lost}) never "
		  "reached it{reack}" },
		{ "reack.yes", "; the {peer}, in TIME_WAIT, acknowledged it "
		  "again (frame {reack_frame}): this is what 2MSL is for" },
		{ "reack.no", "; the {peer} did not acknowledge it again in "
		  "the capture" },
		{ "resent", "{sender} re-sent its FIN at {at} (frame {again}) "
		  "with no ACK of the first (frame {first}) in the "
		  "capture{why}" },
		{ "why.first_had", "; the {peer}'s ACK (frame {ack}) echoes "
		  "the first FIN's timestamp, so the {peer} had received it "
		  "and its last ACK was lost on the way; the {peer}, in "
		  "TIME_WAIT, acknowledged the re-sent FIN: this is what 2MSL "
		  "is for" },
		{ "why.first_lost", "; the {peer}'s ACK (frame {ack}) echoes a "
		  "re-sent FIN's timestamp, not the first's, so the first FIN "
		  "was lost before it reached the {peer}, which waited in "
		  "FIN_WAIT_2 until the re-sent one came" },
		{ "why.unknown", ": the FIN or the {peer}'s ACK of it was "
		  "lost, the capture cannot tell which{acked}" },
		{ "why.silent", ": the {sender_side} sent it {fins} times over "
		  "{fins_span}, and the {peer} sent nothing after the first, "
		  "no ACK nor anything else: more than one packet was lost, or "
		  "the {peer} was gone" },
		{ "acked.yes", "" },
		{ "acked.no", " (and no ACK of the FIN came)" },

		{ "last_ack", "{sender} sent its FIN at {at} (frame {frame}) "
		  "and no ACK for it came in {wait} of capture, nor the FIN "
		  "again: either the {peer}'s final ACK was lost, and the "
		  "{side} waits in LAST_ACK and re-sends the FIN while the {peer} "
		  "{peer_did}, or the ACK came and the capture missed it; a "
		  "FIN re-sent within {due} of the first would tell the one "
		  "from the other" },
		{ "peer_did.time_wait", "sits in TIME_WAIT" },
		{ "peer_did.nothing", "sent nothing more" },
		{ "undecided", "not enough capture to tell whether the "
		  "{side}'s last FIN (frame {frame}) gets its ACK: the capture "
		  "ends {after} after it" },
		{ "undecided_missed", "the {side}'s FIN (frame {frame}) was "
		  "neither acknowledged nor re-sent in the {after} of capture "
		  "after it: a side whose FIN is lost or unacknowledged "
		  "re-sends it within {due}, so its ACK most likely came and "
		  "the capture missed it" }) },
	[TFE_V_TIME_WAIT_REUSE] = { "time_wait_reuse", TFE_SEV_WARNING,
		"4-tuple reuse within 2MSL failed or unsafe",
		"RFC 9293 §3.6.1, RFC 6191",
		PHRASES(
		{ "reuse", "a new SYN (frame {syn}, {at}) reuses the 4-tuple "
		  "of connection #{prev} {gap} after its {tw_side} entered "
		  "TIME_WAIT, within 2MSL ({two_msl}); the new ISN {isn} is "
		  "{above} the old sequence space (it ended at {old_end}){ts}; "
		  "{what}" },
		{ "above.yes", "above" },
		{ "above.no", "not above" },
		{ "ts.yes", ", the SYN carries timestamps" },
		{ "ts.no", ", the SYN carries no timestamps" },
		{ "what.unprotected", "the handshake completed, but the new "
		  "ISN {isn} is not above the old sequence space (it ended at "
		  "{old_end}) and the SYN carries no timestamps: nothing keeps "
		  "old duplicates of the first connection out of the new one" },
		{ "what.rst", "a RST (frame {bad}, from the {bad_side}) came "
		  "before the handshake completed" },
		{ "what.challenged", "the server answered with {answer_was} "
		  "(frame {answer}), not a SYN+ACK for it: the TIME_WAIT "
		  "socket took the SYN for an old duplicate and sent a "
		  "challenge ACK of the old connection" },
		{ "answer_was.synack", "a SYN+ACK of another sequence number" },
		{ "answer_was.ack", "an ACK" },
		{ "what.resent", "the client had to send the SYN {syns} times: "
		  "the first was not taken" },
		{ "what.incomplete", "the handshake did not complete in the "
		  "capture" }) },
	[TFE_V_ABORTIVE_CLOSE] = { "abortive_close", TFE_SEV_WARNING,
		"connection aborted by RST", "RFC 9293 §3.6, §3.10.7",
		PHRASES(
		{ "aborted", "{sender} sent RST at {at} (frame {frame}) while "
		  "the {peer} was in {peer_state}: the connection was aborted, "
		  "not closed ({why}); {inflight}; {taken}{effect}" },
		{ "taken.none", "" },
		/* the peer did not take it; a RST from no socket, answering
		 * its next segment, reset it */
		{ "taken.later", "the {peer} did not take that RST and was "
		  "reset by the {side}'s RST from no socket that answered "
		  "its next segment (frame {later}): " },
		{ "why.keepalive", "its keepalive probes went unanswered and "
		  "the kernel gave up with ETIMEDOUT" },
		{ "why.accept_queue", "the server's TCP never took the "
		  "connection: its listener's accept queue was full, see "
		  "accept_queue_full" },
		{ "why.race", "the client's request crossed the server's FIN "
		  "on an idle connection, see keepalive_race" },
		{ "why.after_close", "data came after its application had "
		  "closed the socket and sent its FIN: no one was left to read "
		  "it" },
		{ "why.never_used", "the server never wrote to it: if it never "
		  "accept()ed it, its listening socket was closed with the "
		  "connection still in its accept queue, and the kernel resets "
		  "those; else close() with unread data, SO_LINGER {{1,0}}, or "
		  "a crash" },
		{ "why.other", "SO_LINGER {{1,0}}, close() with unread data, "
		  "or a crash" },
		{ "inflight.unknown", "how much of its data was unacknowledged "
		  "is unknown (the {peer}'s ACKs were not captured)" },
		{ "inflight.some", "{flight} {flight:byte|bytes} it had sent "
		  "{flight:was|were} unacknowledged" },
		{ "inflight.none", "no data of its own was in flight" },
		{ "effect.unreachable", "the peer, unreachable, most likely "
		  "never learns of it" },
		{ "effect.unseen", "the capture holds nothing the {peer} "
		  "sent, so what the RST did to its application is not seen" },
		/* the peer's own FIN or RST crossed the RST on the wire */
		{ "effect.crossed_rst", "the {peer}'s own RST (frame {own}) "
		  "crossed it on the wire: the {peer} had reset the connection "
		  "itself before the RST reached it" },
		{ "effect.crossed_fin", "the {peer}'s own FIN (frame {own}) "
		  "crossed it on the wire: the {peer} had closed its side too "
		  "before the RST reached it" },
		{ "effect.reset", "the peer application gets ECONNRESET" },
		{ "effect.epipe", "the peer application's next write() fails "
		  "with EPIPE (its socket was in CLOSE_WAIT)" },
		{ "effect.unknown", "the capture shows nothing of the peer's "
		  "side before it" },
		{ "effect.connect_fails", "the peer's connect() fails" },
		{ "effect.half_open", "the peer's half-open connection is "
		  "dropped" },
		{ "effect.closed", "the peer had already closed its side" }) },
	[TFE_V_FIN_THEN_RST] = { "fin_then_rst", TFE_SEV_INFO,
		"RST after the FIN exchange", "RFC 9293 §3.10.7",
		PHRASES(
		{ "after_fins", "{sender} sent RST at {at} (frame {frame}) "
		  "after both FINs: {why}" },
		{ "why.time_wait", "its socket was already gone, and the RST "
		  "ended the {peer}'s TIME_WAIT early (TIME-WAIT "
		  "assassination, RFC 1337)" },
		{ "why.last_ack_lost", "its socket was already gone, so the "
		  "close ended in a reset instead of the last ACK" },
		{ "why.benign", "common and mostly benign (a segment reached a "
		  "socket already closed)" }) },
	[TFE_V_HALF_CLOSE] = { "half_close", TFE_SEV_INFO,
		"data kept flowing after a FIN", "RFC 9293 §3.6",
		PHRASES(
		{ "half_close", "{sender} sent FIN at {at} (frame {frame}), a "
		  "half-close (shutdown(SHUT_WR)); the {peer} kept sending: "
		  "{bytes} bytes in {segments} segments {end}" },
		{ "end.fin", "until its own FIN at {peer_fin_at} (frame "
		  "{peer_fin})" },
		{ "end.open", "and had not closed when the capture ended" }) },
	[TFE_V_KEEPALIVE] = { "keepalive", TFE_SEV_INFO,
		"keepalive probes", "RFC 9293 §3.8.4, RFC 1122 §4.2.3.6",
		PHRASES(
		{ "answered", "{sender} sent {probes} keepalive "
		  "{probes:probe|probes} (SO_KEEPALIVE){apart}; the {peer} "
		  "answered {answered}" }) },
	[TFE_V_KEEPALIVE_UNANSWERED] = { "keepalive_unanswered", TFE_SEV_WARNING,
		"keepalive probes unanswered", "RFC 1122 §4.2.3.6",
		PHRASES(
		{ "unanswered", "{sender} sent {probes} keepalive "
		  "probes{apart}, the last {unanswered} without any answer: "
		  "the {peer} is gone (crashed, rebooted or cut off); after "
		  "tcp_keepalive_probes the connection ends with "
		  "ETIMEDOUT" }) },
	[TFE_V_ZERO_WINDOW] = { "zero_window", TFE_SEV_WARNING,
		"receiver advertised a zero window", "RFC 9293 §3.8.6.1",
		PHRASES(
		{ "stalled", "{receiver} advertised a zero window at {at} "
		  "(frame {frame}): its application stopped reading and the "
		  "receive buffer is full; the window {opened}, {stall} of "
		  "stall in all, {zero_windows} advertisements of 0, {probes} "
		  "zero-window probes from the {peer}" }) },
	[TFE_V_WINDOW_FULL] = { "window_full", TFE_SEV_INFO,
		"sender filled the receive window", "RFC 9293 §3.8.6",
		PHRASES(
		{ "filled", "{sender} filled the {peer}'s receive window "
		  "{times} {times:time|times}" }) },
	[TFE_V_SIMULTANEOUS_OPEN] = { "simultaneous_open", TFE_SEV_INFO,
		"both sides opened at once", "RFC 9293 §3.5 figure 8",
		PHRASES(
		{ "crossed", "both sides sent a SYN before either answered "
		  "(frames {client_syn} and {server_syn}): simultaneous open, "
		  "{paths}" },
		{ "paths.same", "each went {path}" },
		/* a side answered by a SYN+ACK before the peer's SYN reached
		 * it skips SYN_RECEIVED (a split handshake) */
		{ "paths.differ", "the client went {client_path}, the server "
		  "{server_path}" }) },
	[TFE_V_SIMULTANEOUS_CLOSE] = { "simultaneous_close", TFE_SEV_INFO,
		"both sides closed at once", "RFC 9293 §3.6 figure 13",
		PHRASES(
		{ "crossed", "the FINs crossed (frames {first} and {second}): "
		  "simultaneous close{went}, and {end}" },
		{ "went.neither", "" },
		{ "went.both", ", both sides went through CLOSING" },
		{ "went.one", ", the {closing} went through CLOSING" },
		{ "end.time_wait", "both wait in TIME_WAIT" },
		{ "end.states", "the client ends in {client_state}, the server "
		  "in {server_state}" }) },
	[TFE_V_MIDSTREAM] = { "midstream", TFE_SEV_INFO,
		"no handshake in the capture", "RFC 9293 §3.5",
		PHRASES(
		{ "midstream", "{start}: states before the first evidence are "
		  "UNKNOWN, and the roles are inferred ({roles})" },
		{ "start.synack", "the capture starts at the SYN+ACK, the "
		  "client's SYN is missing" },
		{ "start.none", "no handshake in the capture" },
		{ "roles.synack", "the SYN+ACK sender is the server" },
		{ "roles.none", "the lower port is the server" }) },
	[TFE_V_OPEN_AT_END] = { "open_at_end", TFE_SEV_INFO,
		"still open when the capture ended", "-",
		PHRASES(
		{ "open", "{end} with the connection not closed: client "
		  "{client_state}, server {server_state}{undecided}" },
		{ "end.capture", "the capture ended" },
		{ "end.evicted", "the analysis let go of it (--max-flows)" },
		{ "end.reused", "a new SYN (another ISN) took its 4-tuple "
		  "over" },
		/* why a rule could not decide (its kind's "undecided") */
		{ "undecided.no", "" },
		{ "undecided.yes", "; {why}" }) },
	[TFE_V_SYN_RETRANSMITTED] = { "syn_retransmitted", TFE_SEV_INFO,
		"SYN re-sent", "RFC 6298 §5.7, RFC 9293 §3.8.1",
		PHRASES(
		{ "resent", "the client sent its SYN {syns} times: the earlier "
		  "SYNs or their answers were lost or refused ({why})" },
		{ "why.timeout", "each try waits out the retransmission "
		  "timeout, 1 s at first on Linux" },
		{ "why.reset_ack", "one was answered by another socket's ACK, "
		  "which the client reset: Linux then re-sends the SYN within "
		  "milliseconds" }) },
	[TFE_V_FIN_RETRANSMITTED] = { "fin_retransmitted", TFE_SEV_INFO,
		"FIN re-sent", "RFC 9293 §3.8.1",
		PHRASES(
		{ "resent", "{sender} sent its FIN {fins} times" }) },
	[TFE_V_RETRANSMISSION] = { "retransmission", TFE_SEV_INFO,
		"data re-sent", "RFC 6298",
		PHRASES(
		{ "resent", "{sender} re-sent data {segments} "
		  "{segments:time|times} (sequence space it had sent "
		  "before)" }) },
	[TFE_V_OUT_OF_ORDER] = { "out_of_order", TFE_SEV_INFO,
		"segments reordered before the capture point",
		"RFC 9293 §3.10.7.4, RFC 4737",
		PHRASES(
		{ "reordered", "{sender} sent {segments} "
		  "{segments:segment|segments} that reached the capture point "
		  "out of order: {segments:it filled|each filled} a gap in its "
		  "sequence space {segments:|at most }{late} ms after the gap "
		  "appeared, under one round trip ({within} ms{rtt}), too soon "
		  "to be a re-send" },
		{ "rtt.handshake", ", the handshake's" },
		{ "rtt.none", ", no handshake in the capture to measure "
		  "it" }) },
	[TFE_V_INVALID_FLAGS] = { "invalid_flags", TFE_SEV_WARNING,
		"impossible flag combination", "RFC 9293 §3.10.7",
		PHRASES(
		{ "segments", "{sender} sent {segments} "
		  "{segments:segment|segments} with a flag combination no TCP "
		  "sends (SYN+FIN, SYN+RST, no flags, FIN without ACK) (first "
		  "at frame {frame})" }) },
	[TFE_V_DATA_AFTER_FIN] = { "data_after_fin", TFE_SEV_WARNING,
		"data past the sender's own FIN", "RFC 9293 §3.10.7.4",
		PHRASES(
		{ "segments", "{sender} sent {segments} "
		  "{segments:segment|segments} carrying data beyond its own "
		  "FIN (first at frame {frame})" }) },
	[TFE_V_DATA_AFTER_RST] = { "data_after_rst", TFE_SEV_WARNING,
		"segments after a RST", "RFC 9293 §3.10.7.4",
		PHRASES(
		{ "segments", "{sender} sent {segments} "
		  "{segments:segment|segments} after the connection was reset "
		  "(first at frame {frame})" }) },
	[TFE_V_RST_SUSPICIOUS] = { "rst_suspicious", TFE_SEV_WARNING,
		"RST that does not fit its sender", "RFC 5961 §3",
		PHRASES(
		{ "outside_window", "a RST in the name of {sender} (frame "
		  "{frame}) was outside the receiver's window and the "
		  "{claimed} carried on after it: it did not come from the "
		  "{claimed}'s TCP (an injected RST or a middlebox)" },
		{ "refused_answered", "a RST in the name of {sender} (frame "
		  "{frame}) refused the {peer}'s SYN, yet the {claimed} answered "
		  "the same SYN with a SYN+ACK (frame {synack}): the RST{others} "
		  "did not come from the {claimed}'s TCP (an injection, as "
		  "evasion tools send, or a middlebox); {went}" },
		{ "went.on", "the {peer} acknowledged the SYN+ACK (frame {ack}) "
		  "and went on as if the RST had not come" },
		{ "went.reset", "the {peer} had taken it: it answered the "
		  "SYN+ACK with a RST (frame {ack}), as a host with no socket "
		  "for it does" },
		{ "went.unseen", "whether the {peer} had taken the RST, the "
		  "capture does not show" },
		{ "others.some", " and what followed it in the {claimed}'s name "
		  "before the SYN+ACK (from frame {more})" },
		{ "others.none", "" },
		{ "foreign", "the RST from {sender} (frame {frame}) {foreign}; "
		  "another device on the path (a firewall, a load balancer, an "
		  "injector) probably sent it, not the host: {did}" },
		{ "did.reset_peer", "it reset the {peer}, whose application "
		  "gets ECONNRESET, while the {claimed}'s own socket is "
		  "probably still open" },
		{ "did.nothing", "the {claimed}'s own socket is probably still "
		  "open" }) },
	[TFE_V_TIME_WAIT_REUSE_SAFE] = { "time_wait_reuse_safe", TFE_SEV_INFO,
		"4-tuple reused safely within 2MSL", "RFC 6191, RFC 7323 §5",
		PHRASES(
		{ "safe", "the kernel reused the TIME_WAIT pair of connection "
		  "#{prev} safely: the new SYN (frame {syn}, {gap} after the "
		  "{tw_side} entered TIME_WAIT, within 2MSL of {two_msl}) was "
		  "answered by a SYN+ACK (frame {answer}) and the handshake "
		  "completed; {why}, as RFC 6191 and Linux's tcp_tw_reuse "
		  "require" },
		{ "why.above", "its ISN {isn} is above the old sequence space "
		  "(it ended at {old_end}){ts}" },
		{ "ts.yes", " and it carries timestamps" },
		{ "ts.no", "" },
		{ "why.paws", "its ISN {isn} is not above the old sequence "
		  "space (it ended at {old_end}), but its timestamps keep the "
		  "two apart (PAWS)" }) },
	[TFE_V_ZERO_WINDOW_BRIEF] = { "zero_window_brief", TFE_SEV_INFO,
		"receiver advertised a zero window briefly", "RFC 9293 §3.8.6.1",
		PHRASES(
		{ "brief", "{receiver} advertised a zero window at {at} (frame "
		  "{frame}): its receive buffer filled up; the window "
		  "{opened}, {stall} of stall in all (under the {threshold} "
		  "threshold), {zero_windows} advertisements of 0, {probes} "
		  "zero-window probes from the {peer}: flow control doing its "
		  "job" }) },
	[TFE_V_ACCEPT_QUEUE_FULL] = { "accept_queue_full", TFE_SEV_WARNING,
		"the listener's accept queue was full", "RFC 9293 §3.10.7.2",
		PHRASES(
		{ "reset", "{server} answered the client's {what} (frame "
		  "{answered}) with a bare RST {delay} ms later (frame {rst}, "
		  "at {at}) after sending nothing but its SYN+ACK: its TCP "
		  "took the SYN but not the connection, which is what Linux "
		  "does when the listener's accept queue is full and "
		  "net.ipv4.tcp_abort_on_overflow is 1; the application did "
		  "not call accept() fast enough, the client's {call} fails "
		  "with ECONNRESET" },
		{ "what.data", "request" },
		{ "what.ack", "ACK" },
		{ "call.data", "read" },
		{ "call.ack", "first read or write" },
		{ "ignored", "{server} sent its SYN+ACK {synacks} times, the "
		  "last at {at} (frame {last}), although the client "
		  "acknowledged it from frame {first_ack} on, in {segments} "
		  "segments{data}: the server's TCP ignored them and kept the "
		  "connection in its SYN queue, which is what Linux does when "
		  "the listener's accept queue is full "
		  "(net.ipv4.tcp_abort_on_overflow 0); the application did not "
		  "call accept() fast enough, and the client, which believes "
		  "it is connected, waits" },
		{ "data.none", "" },
		{ "data.unacked", "; the client's {bytes} bytes of data, "
		  "re-sent {resent} {resent:time|times}, were never "
		  "acknowledged" }) },
	[TFE_V_KEEPALIVE_RACE] = { "keepalive_race", TFE_SEV_WARNING,
		"a request crossed the FIN of an idle connection",
		"RFC 1122 §4.2.2.13, RFC 9112 §9.6",
		PHRASES(
		{ "race", "{server} closed the connection after {idle} {quiet} "
		  "(FIN at {at}, frame {fin}); {request}; its closed socket "
		  "answered the request with RST (frame {rst}): the request is "
		  "lost, the client reads end of file or ECONNRESET instead of "
		  "an answer (a proxy answers 502); keep the client's idle "
		  "timeout for pooled connections below the server's "
		  "keep-alive timeout, or retry idempotent requests" },
		{ "quiet.after", "with no segment either way" },
		{ "quiet.before", "without sending a segment" },
		{ "request.after", "the client's request (frame "
		  "{request_frame}, {request_bytes} bytes) came {gap} ms after "
		  "the FIN and does not acknowledge it: the client sent it "
		  "before the FIN reached it" },
		{ "request.before", "the client's request ({request_bytes} "
		  "bytes the FIN does not acknowledge) was captured {gap} ms "
		  "before the FIN: the server sent its FIN before the request "
		  "reached it" }) },
	[TFE_V_OPTIONS_ODD] = { "options_odd", TFE_SEV_INFO,
		"SYN options a stack or the path got wrong",
		"RFC 9293 §3.7.1, RFC 7323 §2, RFC 2018 §2",
		PHRASES(
		{ "odd", "{sender}'s {segment} (frame {frame}) carries "
		  "{what}" },
		{ "what.join", "; " },
		{ "what.wide_scale", "a window scale of {wscale}, above the 14 "
		  "RFC 7323 allows: the {peer} takes it as 14, and the two "
		  "sides disagree on every window" },
		{ "what.no_mss", "no MSS option: the {peer} assumes {floor} "
		  "bytes per segment" },
		{ "what.low_mss", "an MSS of {mss} bytes, below the {floor} "
		  "bytes an IPv4 peer assumes without the option: more, "
		  "smaller segments than the path needs, unless a link on it "
		  "has a small MTU (ARCNET, SLIP); else a clamp set too low "
		  "on the path or on the host" },
		{ "what.low_mss6", "an MSS of {mss} bytes, below the {floor} "
		  "bytes every IPv6 link carries in one segment: more, "
		  "smaller segments than any path needs (a clamp set too low "
		  "on the path or on the host)" },
		{ "what.unasked", "{options} ({unasked} "
		  "{unasked:option|options}) in answer to a SYN that did not "
		  "offer {unasked:it|them}: a middlebox removed "
		  "{unasked:it|them} from the SYN on the way, or the {side}'s "
		  "stack does not follow RFC 2018 and 7323" },
		{ "options.join", " and " },
		{ "options.sack", "SACK-permitted" },
		{ "options.ts", "timestamps" },
		{ "options.ws", "window scale" }) },
	[TFE_V_CAPTURE_LOSS] = { "capture_loss", TFE_SEV_INFO,
		"the capture missed segments the receiver got",
		"RFC 9293 §3.4",
		PHRASES(
		{ "unseen", "the {peer} acknowledged data of {sender} that the "
		  "capture never saw, in {acks} {acks:ACK|ACKs} ({frames}): "
		  "the capture missed those segments, not the network (the "
		  "{peer} had them and nothing was re-sent for them); what "
		  "they carried is not in this analysis" },
		{ "frames.one", "frame {first}" },
		{ "frames.range", "frames {first} to {last}" }) },
	[TFE_V_SYN_TO_STALE_SOCKET] = { "syn_to_stale_socket", TFE_SEV_WARNING,
		"a new SYN met the socket of a connection not over",
		"RFC 5961 §4, RFC 9293 §3.10.7.3",
		PHRASES(
		{ "challenged", "the new SYN (frame {syn}) met the socket of "
		  "connection #{prev}, not over, on the same 4-tuple: {server} "
		  "was in {server_state} as the capture shows it "
		  "({server_why}), the client's side in {client_state} "
		  "({client_why}); that socket answered with a challenge ACK "
		  "(frame {ack}, RFC 5961 §4) instead of a SYN+ACK: {whose}; "
		  "{reset}{after}" },
		/* what the earlier connection's server side waited for */
		{ "server_why.close_wait", "its application had read the end "
		  "of file and not called close()" },
		{ "server_why.last_ack", "it was waiting for the last ACK of "
		  "its FIN" },
		{ "server_why.established", "the connection was still open on "
		  "that side, no FIN nor RST from it" },
		{ "server_why.syn_received", "a half-open connection: its "
		  "SYN+ACK was never acknowledged" },
		{ "server_why.other", "it had not finished its close" },
		/* why the client could send a new SYN from the same port */
		{ "client_why.fin_wait_2", "an orphaned FIN_WAIT_2 times out "
		  "after tcp_fin_timeout, a minute by default, which freed the "
		  "client's port" },
		{ "client_why.time_wait", "its TIME_WAIT was reused "
		  "(SO_REUSEADDR, tcp_tw_reuse)" },
		{ "client_why.closed", "its socket was already gone" },
		{ "client_why.syn_sent", "it had given up that connect() or "
		  "closed the socket, which sends nothing" },
		{ "client_why.other", "its socket was gone with no FIN or RST "
		  "in the capture: a restart, a crash, or segments the capture "
		  "missed" },
		{ "whose.old_end", "its ACK number {ack_number} is where the "
		  "client's side of connection #{prev} ended, not this SYN's "
		  "ISN+1 ({isn_next})" },
		{ "whose.other", "its ACK number {ack_number} is not this "
		  "SYN's ISN+1 ({isn_next})" },
		{ "reset.sent", "the client, in SYN_SENT, answered it with a "
		  "RST (frame {rst}, seq {rst_seq}{fits})" },
		{ "fits.yes", ", the ACK's number: it resets the stale "
		  "socket" },
		{ "fits.no", ", not the ACK's number: the stale socket may "
		  "ignore it" },
		{ "reset.none", "the capture shows no RST from the client to "
		  "it, so nothing reset the stale socket here" },
		{ "after.resent_answered", "; the client sent its SYN again "
		  "{retry} after the ACK (frame {resyn}) and a SYN+ACK (frame "
		  "{synack}) came {connected} after the first SYN" },
		{ "after.answered", "; a SYN+ACK (frame {synack}) came "
		  "{connected} after the SYN" },
		{ "after.resent", "; the client sent its SYN again {retry} "
		  "after the ACK (frame {resyn}), and no SYN+ACK answered it "
		  "in the capture" },
		{ "after.none", "; the client did not send its SYN again in "
		  "the capture" }) },
	[TFE_V_MIDDLEBOX_IDLE_TIMEOUT] = { "middlebox_idle_timeout",
		TFE_SEV_WARNING,
		"a middlebox on the path forgot the idle connection",
		"RFC 5382 §5, RFC 1122 §4.2.3.6",
		PHRASES(
		/* the resumer broke the silence; its peer had answered */
		{ "rst_itself", "{silence}; then a RST in the {resumer}'s name "
		  "ended it (frame {rst}, at {rst_at}), which the {resumer}'s "
		  "TCP did not send: it {foreign}; the usual cause is a "
		  "firewall or load balancer on the path that timed the idle "
		  "connection out and reset it (some reset both ends, so that "
		  "neither waits): the {peer}'s application gets ECONNRESET, "
		  "and the {resumer}'s socket is reset only if the middlebox "
		  "sent it a RST too; {keep}" },
		{ "rst_answer", "{silence}; the {resumer}'s next segment "
		  "(frame {resumed}, at {resumed_at}) was answered by a RST in "
		  "the {peer}'s name (frame {rst}, at {rst_at}) that the "
		  "{peer}'s TCP did not send: it {foreign}; the usual cause is "
		  "a NAT gateway, load balancer or firewall on the path that "
		  "forgot the idle connection and answered in the {peer}'s "
		  "place: the {resumer}'s application gets ECONNRESET, the "
		  "{peer}'s socket is probably still open; {keep}" },
		/* the RST fits the peer's host: the peer's end dropped it */
		{ "rst_no_connection", "{silence}; the {resumer}'s next "
		  "segment (frame {resumed}, at {resumed_at}) was answered by a "
		  "RST in the {peer}'s name (frame {rst}, at {rst_at}) of the "
		  "form a TCP sends for a connection it does not have (no ACK, "
		  "its sequence number the segment's ACK), with the {peer}'s own "
		  "TTL {ttl}: the {peer}'s end had dropped the idle connection, "
		  "its host or a NAT gateway, load balancer or firewall at the "
		  "same distance (the capture cannot tell which): the "
		  "{resumer}'s application gets ECONNRESET; {keep}" },
		{ "dropped", "{silence}; the {resumer}'s next segment (frame "
		  "{resumed}, at {resumed_at}) was followed by {resent} "
		  "re-sends of its data over {resent_for} (frames {first} to "
		  "{last}) and nothing at all came back from the {peer}, which "
		  "had answered before the silence: the usual cause is a NAT "
		  "gateway, load balancer or firewall on the path that forgot "
		  "the idle connection and drops its segments; a {peer} that "
		  "died or a path cut during the silence looks the same from "
		  "here; {keep}" },
		{ "silence", "neither side sent anything for {gap} after frame "
		  "{gap_from}, with nothing unacknowledged: an idle gap (the "
		  "threshold is {threshold})" },
		{ "keep", "keep the connection busier than the middlebox's "
		  "idle timeout (TCP keepalive or application pings)" }) },
	[TFE_V_ICMP_UNREACHABLE] = { "icmp_unreachable", TFE_SEV_WARNING,
		"an ICMP error answered a segment",
		"RFC 1122 §4.2.3.9, RFC 5461, RFC 792, RFC 4443 §3",
		PHRASES(
		{ "error", "{icmp_sender} sent an {icmp} {what} (type {type} "
		  "code {code}, frame {frame}) for {quoted}: "
		  "{then}{ended}{more}" },
		/* what the application sees (Linux's tcp_v4_err()) */
		{ "then.connect_fails", "the {side}'s connect() fails at once "
		  "with {err} (a hard error before the handshake completes, "
		  "Linux)" },
		{ "then.syn_queue", "the {side} drops the half-open connection "
		  "from its SYN queue: accept() never returns it (Linux)" },
		{ "then.soft_stack", "Linux ends {call} at once with {err}, "
		  "but the {side} sent again (frame {sent_after}): its TCP "
		  "kept the error as soft, as a stack other than Linux's may, "
		  "and went on re-sending" },
		{ "then.soft_linux", "Linux ends {call} at once with {err}, "
		  "but the {side} sent again (frame {sent_after}): its TCP "
		  "kept the error as soft (Linux does when the error comes "
		  "while the application's call still holds the socket, within "
		  "microseconds of the segment)" },
		{ "then.half_open", "for a half-open connection this code is "
		  "no reason to drop it: the {side} re-sends its SYN+ACK as "
		  "usual (Linux)" },
		{ "then.soft", "a soft error once the connection is "
		  "established: TCP keeps re-sending, and the application sees "
		  "{err} only if the connection then times out (Linux; at once "
		  "with IP_RECVERR)" },
		{ "err.named", "{errno}" },
		{ "err.unknown", "it" },
		{ "call.connect", "connect()" },
		{ "call.half_open", "the half-open connection" },
		{ "ended.no", "" },
		{ "ended.yes", "; the error at frame {hard_frame} then ended "
		  "it" }) },
	[TFE_V_ICMP_PACKET_TOO_BIG] = { "icmp_packet_too_big", TFE_SEV_INFO,
		"the path's MTU is smaller than a segment",
		"RFC 1191, RFC 8201",
		PHRASES(
		{ "too_big", "{icmp_sender} sent an {icmp} {what} (type {type} "
		  "code {code}, frame {frame}) for {quoted}: the path takes "
		  "packets of at most {mtu} bytes; the {side}'s TCP lowers its "
		  "segment size to fit and re-sends (path MTU discovery), no "
		  "error reaches the application{more}" }) },
};

const struct tfe_phrase tfe_verdict_shared[] = {
	/* the ICMP kinds: who sent the error ({side} is the side whose
	 * segment it quoted), and which segment */
	{ "icmp_sender.peer", "the {peer} itself ({from})" },
	{ "icmp_sender.own", "the {side}'s own host ({from})" },
	{ "icmp_sender.router", "a router on the path ({from})" },
	{ "quoted.frame", "the {side}'s {quoted_what} (frame {quoted_frame}, "
	  "seq {seq})" },
	{ "quoted.folded", "the {side}'s {quoted_what} of seq {seq}" },
	{ "quoted.lacks", "a {side} {quoted_what} the capture lacks (seq "
	  "{seq})" },
	{ "quoted_what.syn", "SYN" },
	{ "quoted_what.synack", "SYN+ACK" },
	{ "quoted_what.rst", "RST" },
	{ "quoted_what.fin", "FIN" },
	{ "quoted_what.segment", "segment" },
	{ "more.one", "" },
	{ "more.many", "; {errors} such errors, the last at frame "
	  "{last_error}" },
	/* why a RST is not its claimed sender's TCP's (rst_suspicious,
	 * middlebox_idle_timeout) */
	{ "foreign.ip_id", "has IP ID {has} where its previous packet had "
	  "{had}: a host's own RST continues its counter" },
	{ "foreign.ttl", "has TTL {has} where its earlier packets had {had}" },
	{ "foreign.ttl_higher", "has TTL {has} where its earlier packets had "
	  "{had}: it crossed fewer hops, so a device nearer than the host sent "
	  "it (as a firewall's REJECT --reject-with tcp-reset does)" },
	{ "foreign.ip_id_zero", "has IP ID 0 where the host's packets counted "
	  "up (its previous had {had})" },
	{ "foreign.window", "carries no ACK but a window of {has}: a TCP's RST "
	  "without ACK advertises 0" },
	{ "foreign.data_after", "was followed by new data from the {claimed} "
	  "itself: its socket was not reset (an injector's RST that lost the "
	  "race)" },
	/* keepalive, keepalive_unanswered */
	{ "apart.none", "" },
	{ "apart.every", " about {every} apart" },
	/* zero_window, zero_window_brief */
	{ "opened.again", "opened again at {opened_at} (frame {open})" },
	{ "opened.never", "was still closed when the capture ended" },
	/* added to every sentence of a connection whose capture missed
	 * segments (but capture_loss's, which says so itself), or one
	 * direction */
	{ "gap_note", " (the capture missed segments of this connection: frame "
	  "{gap_frame} acknowledges data it never saw)" },
	{ "hole_note", " (the capture ended for this connection at frame "
	  "{hole_last}, {hole_at}: the whole capture then recorded nothing "
	  "for {hole}, until frame {hole_next}, and connections that began "
	  "unseen in that silence came after it)" },
	{ "one_way_note", " (the capture missed a direction: it holds only the "
	  "{seen}'s packets; the {unseen}'s states are read from the {seen}'s "
	  "ACKs)" },
	{ NULL, NULL }
};

/* ---- slots -------------------------------------------------------------- */

static struct tfe_slot *
slot_named(struct tfe_slots *s, const char *name, size_t len)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->slot[i].name[0] == name[0] &&
		    strncmp(s->slot[i].name, name, len) == 0 &&
		    s->slot[i].name[len] == '\0')
			return &s->slot[i];
	return NULL;
}

/* A new slot `name`; NULL (and a critical) when it is filled already or
 * there is no room. */
static struct tfe_slot *
new_slot(struct tfe_slots *s, const char *name)
{
	if (slot_named(s, name, strlen(name)) != NULL) {
		g_critical("slot {%s} filled twice", name);
		return NULL;
	}
	if (s->n == TFE_SLOTS_MAX) {
		g_critical("no room for slot {%s}", name);
		return NULL;
	}
	struct tfe_slot *sl = &s->slot[s->n++];
	memset(sl, 0, sizeof *sl);
	sl->name = name;
	return sl;
}

void
tfe_slots_set(struct tfe_slots *s, const char *name, const char *fmt, ...)
{
	struct tfe_slot *sl = new_slot(s, name);
	va_list ap;

	if (sl == NULL)
		return;
	va_start(ap, fmt);
	sl->text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

void
tfe_slots_count(struct tfe_slots *s, const char *name, uint64_t n)
{
	struct tfe_slot *sl = new_slot(s, name);

	if (sl == NULL)
		return;
	sl->text = g_strdup_printf("%" PRIu64, n);
	sl->count = n;
	sl->counted = true;
}

void
tfe_slots_pick(struct tfe_slots *s, const char *name, const char *choice)
{
	struct tfe_slot *sl = slot_named(s, name, strlen(name));

	if (sl != NULL && sl->npicks == 0) {
		g_critical("slot {%s} is a value, not a clause", name);
		return;
	}
	if (sl == NULL && (sl = new_slot(s, name)) == NULL)
		return;
	if (sl->npicks == TFE_SLOT_PICKS) {
		g_critical("slot {%s}: too many alternatives", name);
		return;
	}
	sl->pick[sl->npicks++] = choice;
}

void
tfe_slots_clear(struct tfe_slots *s)
{
	for (unsigned i = 0; i < s->n; i++)
		g_free(s->slot[i].text);
	s->n = 0;
}

/* ---- expansion ---------------------------------------------------------- */

/* Phrases may name phrases; this deep is a loop. */
#define MAX_DEPTH 8

/* The phrase `name` (its first `len` bytes), or with `choice` the phrase
 * "name.choice", of `kind`, else a shared one; NULL when there is none. */
static const struct tfe_phrase *
find_phrase(int kind, const char *name, size_t len, const char *choice)
{
	const struct tfe_phrase *lists[2] = {
		kind >= 0 && kind < TFE_V__COUNT ? tfe_verdicts[kind].phrases
		                                 : NULL,
		tfe_verdict_shared };

	for (int l = 0; l < 2; l++)
		for (const struct tfe_phrase *p = lists[l]; p && p->name; p++) {
			if (p->name[0] != name[0] ||
			    strncmp(p->name, name, len) != 0)
				continue;
			const char *rest = p->name + len;
			if (choice == NULL ? *rest == '\0' :
			    *rest == '.' && strcmp(rest + 1, choice) == 0)
				return p;
		}
	return NULL;
}

/* One slot of a template: {name} or {name:one|other}. */
struct brace {
	const char *name, *one, *other;
	size_t len, one_len, other_len;
	bool plural;
	const char *end;        /* just past its closing brace */
};

/* Reads the slot whose opening brace is at `t`; false when it does not
 * close, or its alternatives lack their '|'. */
static bool
read_brace(const char *t, struct brace *b)
{
	const char *close = strchr(t, '}');

	if (close == NULL)
		return false;
	memset(b, 0, sizeof *b);
	b->name = t + 1;
	const char *colon = memchr(b->name, ':', (size_t)(close - b->name));
	b->len = (size_t)((colon ? colon : close) - b->name);
	b->end = close + 1;
	if (colon == NULL)
		return true;
	const char *bar = memchr(colon + 1, '|', (size_t)(close - colon - 1));
	if (bar == NULL)
		return false;
	b->plural = true;
	b->one = colon + 1;
	b->one_len = (size_t)(bar - b->one);
	b->other = bar + 1;
	b->other_len = (size_t)(close - b->other);
	return true;
}

struct expansion {
	int kind;
	struct tfe_slots *s;
	GString *out;
	GString *problem;
};

static void G_GNUC_PRINTF(2, 3)
trouble(struct expansion *e, const char *fmt, ...)
{
	va_list ap;

	if (e->problem->len > 0)
		g_string_append(e->problem, "; ");
	va_start(ap, fmt);
	g_string_append_vprintf(e->problem, fmt, ap);
	va_end(ap);
}

static void mark(struct expansion *e, const char *t, int depth);

/* mark() for every alternative "name.*" of a clause. */
static void
mark_alternatives(struct expansion *e, const char *name, size_t len,
                  int depth)
{
	const struct tfe_phrase *lists[2] = {
		e->kind >= 0 && e->kind < TFE_V__COUNT ?
		tfe_verdicts[e->kind].phrases : NULL,
		tfe_verdict_shared };

	for (int l = 0; l < 2; l++)
		for (const struct tfe_phrase *p = lists[l]; p && p->name; p++)
			if (p->name[0] == name[0] &&
			    strncmp(p->name, name, len) == 0 &&
			    p->name[len] == '.')
				mark(e, p->text, depth + 1);
}

/* Marks as used every slot `t` names, and those that the alternatives
 * of its clauses and the shared words it names use: the slots its rule
 * may fill whatever alternatives it picks. */
static void
mark(struct expansion *e, const char *t, int depth)
{
	struct brace b;

	if (depth > MAX_DEPTH)
		return; /* expand() says so */
	while ((t = strchr(t, '{')) != NULL) {
		if (t[1] == '{') {
			t += 2;
			continue;
		}
		if (!read_brace(t, &b))
			return;
		t = b.end;
		struct tfe_slot *sl = slot_named(e->s, b.name, b.len);
		const struct tfe_phrase *p;
		if (sl != NULL)
			sl->used = true;
		if (sl != NULL && sl->npicks > 0)
			mark_alternatives(e, b.name, b.len, depth);
		else if (sl == NULL &&
		         (p = find_phrase(e->kind, b.name, b.len, NULL)) != NULL)
			mark(e, p->text, depth + 1);
	}
}

static void expand(struct expansion *e, const char *t, int depth);

/* The phrase "name.choice" (or the phrase `name` when `choice` is NULL)
 * expanded in place. */
static void
expand_phrase(struct expansion *e, const char *name, size_t len,
              const char *choice, int depth)
{
	const struct tfe_phrase *p = find_phrase(e->kind, name, len, choice);

	if (p == NULL)
		trouble(e, "no phrase %.*s%s%s", (int)len, name,
		        choice ? "." : "", choice ? choice : "");
	else
		expand(e, p->text, depth + 1);
}

static void
expand(struct expansion *e, const char *t, int depth)
{
	struct brace b;

	if (depth > MAX_DEPTH) {
		trouble(e, "phrases name each other in a loop");
		return;
	}
	while (*t != '\0') {
		size_t run = strcspn(t, "{}");
		g_string_append_len(e->out, t, (gssize)run);
		t += run;
		if (*t == '\0')
			break;
		if (t[1] == t[0]) { /* "{{" or "}}" */
			g_string_append_c(e->out, t[0]);
			t += 2;
			continue;
		}
		if (*t == '}' || !read_brace(t, &b)) {
			trouble(e, "a brace that does not close: \"%s\"", t);
			return;
		}
		t = b.end;
		struct tfe_slot *sl = slot_named(e->s, b.name, b.len);
		if (b.plural) {
			if (sl == NULL || !sl->counted)
				trouble(e, "slot {%.*s} holds no count",
				        (int)b.len, b.name);
			else if (sl->count == 1)
				g_string_append_len(e->out, b.one,
				                    (gssize)b.one_len);
			else
				g_string_append_len(e->out, b.other,
				                    (gssize)b.other_len);
		} else if (sl != NULL && sl->text != NULL) {
			g_string_append(e->out, sl->text);
		} else if (sl != NULL) {
			for (unsigned i = 0; i < sl->npicks; i++) {
				if (i > 0)
					expand_phrase(e, b.name, b.len, "join",
					              depth);
				expand_phrase(e, b.name, b.len, sl->pick[i],
				              depth);
			}
		} else if (find_phrase(e->kind, b.name, b.len, NULL) != NULL) {
			expand_phrase(e, b.name, b.len, NULL, depth);
		} else {
			trouble(e, "slot {%.*s} is not filled", (int)b.len,
			        b.name);
		}
	}
}

char *
tfe_verdict_expand(int kind, const char *name, struct tfe_slots *s,
                   char **problem)
{
	struct expansion e = { kind, s, g_string_new(NULL),
	                       g_string_new(NULL) };
	const struct tfe_phrase *p = find_phrase(kind, name, strlen(name),
	                                         NULL);

	for (unsigned i = 0; i < s->n; i++)
		s->slot[i].used = false;
	if (p == NULL) {
		trouble(&e, "no template");
	} else {
		mark(&e, p->text, 0);
		expand(&e, p->text, 0);
	}
	for (unsigned i = 0; i < s->n; i++)
		if (!s->slot[i].used)
			trouble(&e, "slot {%s} is filled but no phrase uses it",
			        s->slot[i].name);
	*problem = NULL;
	if (e.problem->len > 0)
		*problem = g_strdup_printf("%s template %s: %s",
		                           kind >= 0 && kind < TFE_V__COUNT ?
		                           tfe_verdicts[kind].kind : "shared",
		                           name, e.problem->str);
	g_string_free(e.problem, TRUE);
	return g_string_free(e.out, FALSE);
}
