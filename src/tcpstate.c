/*
 * tcpstate.c: the transition tables, one for the side that sends a segment
 * and one for the side that receives it, and the names and reason texts.
 *
 * Read a table by row (what the segment is) and column (the endpoint's state
 * before it).  Each cell gives the state after, or IG (no change: the segment
 * fits), IV (no change: the segment does not fit the state, worth a note) or
 * XX (the short switch in conn.c decides).  The reason under each row names
 * why.  The rules are RFC 9293 §3.10 seen from a capture point: a sender
 * moves at the frame it sends; a receiver at the frame it receives, taken as
 * delivered when seen until a retransmission disproves it (conn.c).
 *
 * Nothing here looks at packets; it must stay a reviewable table.
 */
#include "tcpstate.h"

#include "decode.h"

#define sUN TFE_ST_UNKNOWN
#define sCL TFE_ST_CLOSED
#define sLI TFE_ST_LISTEN
#define sSS TFE_ST_SYN_SENT
#define sSR TFE_ST_SYN_RECEIVED
#define sES TFE_ST_ESTABLISHED
#define sF1 TFE_ST_FIN_WAIT_1
#define sF2 TFE_ST_FIN_WAIT_2
#define sCW TFE_ST_CLOSE_WAIT
#define sCG TFE_ST_CLOSING
#define sLA TFE_ST_LAST_ACK
#define sTW TFE_ST_TIME_WAIT
#define sIG TFE_X_IGNORE
#define sIV TFE_X_INVALID
#define sXX TFE_X_EXCEPTION

#define T(n, r) { (n), TFE_RS_##r }

const char *const tfe_state_names[TFE_ST__COUNT] = {
	[TFE_ST_UNKNOWN] = "UNKNOWN",
	[TFE_ST_CLOSED] = "CLOSED",
	[TFE_ST_LISTEN] = "LISTEN",
	[TFE_ST_SYN_SENT] = "SYN_SENT",
	[TFE_ST_SYN_RECEIVED] = "SYN_RECEIVED",
	[TFE_ST_ESTABLISHED] = "ESTABLISHED",
	[TFE_ST_FIN_WAIT_1] = "FIN_WAIT_1",
	[TFE_ST_FIN_WAIT_2] = "FIN_WAIT_2",
	[TFE_ST_CLOSE_WAIT] = "CLOSE_WAIT",
	[TFE_ST_CLOSING] = "CLOSING",
	[TFE_ST_LAST_ACK] = "LAST_ACK",
	[TFE_ST_TIME_WAIT] = "TIME_WAIT",
};

/* netstat -tan spellings (net-tools' tcp_state[] strings). */
const char *const tfe_state_netstat[TFE_ST__COUNT] = {
	[TFE_ST_UNKNOWN] = "UNKNOWN",
	[TFE_ST_CLOSED] = "CLOSE",
	[TFE_ST_LISTEN] = "LISTEN",
	[TFE_ST_SYN_SENT] = "SYN_SENT",
	[TFE_ST_SYN_RECEIVED] = "SYN_RECV",
	[TFE_ST_ESTABLISHED] = "ESTABLISHED",
	[TFE_ST_FIN_WAIT_1] = "FIN_WAIT1",
	[TFE_ST_FIN_WAIT_2] = "FIN_WAIT2",
	[TFE_ST_CLOSE_WAIT] = "CLOSE_WAIT",
	[TFE_ST_CLOSING] = "CLOSING",
	[TFE_ST_LAST_ACK] = "LAST_ACK",
	[TFE_ST_TIME_WAIT] = "TIME_WAIT",
};

const char *const tfe_event_names[TFE_EV__COUNT] = {
	[TFE_EV_RST] = "RST",
	[TFE_EV_SYNACK] = "SYN+ACK",
	[TFE_EV_SYN] = "SYN",
	[TFE_EV_FIN] = "FIN",
	[TFE_EV_ACK] = "ACK",
	[TFE_EV_NONE] = "no flags",
};

const char *const tfe_rx_event_names[TFE_RX__COUNT] = {
	[TFE_RX_RST] = "RST",
	[TFE_RX_SYNACK] = "SYN+ACK",
	[TFE_RX_SYNACK_BAD] = "SYN+ACK with a wrong ACK",
	[TFE_RX_SYN] = "SYN",
	[TFE_RX_FIN] = "FIN",
	[TFE_RX_FIN_ACKS_FIN] = "FIN acknowledging its FIN",
	[TFE_RX_ACK_SYN] = "ACK of its SYN",
	[TFE_RX_ACK_FIN] = "ACK of its FIN",
	[TFE_RX_ACK] = "ACK",
	[TFE_RX_NONE] = "no flags",
};

/*
 * The side that sends the segment.
 */
const struct tfe_transition tfe_sender_table[TFE_EV__COUNT][TFE_ST__COUNT] = {
/* RST: whoever sends a RST has no connection left (RFC 9293 §3.10.7). */
[TFE_EV_RST] = {
/*	     UNKNOWN              CLOSED                LISTEN
	     SYN_SENT             SYN_RECEIVED          ESTABLISHED
	     FIN_WAIT_1           FIN_WAIT_2            CLOSE_WAIT
	     CLOSING              LAST_ACK              TIME_WAIT */
	T(sXX, NONE),        T(sIG, SEND_RST_CLOSED), T(sXX, NONE),
	T(sXX, NONE),        T(sCL, SEND_RST),     T(sXX, NONE),
	T(sCL, SEND_RST_AFTER_CLOSE), T(sCL, SEND_RST_AFTER_CLOSE), T(sCL, SEND_RST),
	T(sCL, SEND_RST_AFTER_CLOSE), T(sCL, SEND_RST_AFTER_CLOSE), T(sXX, NONE),
/*	a CLOSED socket answers a stray segment with RST and stays CLOSED.
	After its own close() a side resets when data still arrives (Linux
	does on data after close()).  The switch: a "listener" answering a SYN
	with RST never had one (§3.10.7.1); a bare RST answering a SYN+ACK
	means no socket matched it (§3.10.7.3: an old duplicate SYN, or a raw
	SYN from a scanner); TIME_WAIT never resets a FIN, so a bare RST
	there shows its FIN_WAIT_2 had timed out before the FIN came.  A RST
	that is its sender's first segment in the capture proves no
	connection: it may answer a segment for one the sender never had. */
},
/* SYN+ACK: a passive open answers; in SYN_SENT it is simultaneous open. */
[TFE_EV_SYNACK] = {
	T(sSR, SEND_SYNACK), T(sIV, INVALID_SEND), T(sSR, SEND_SYNACK),
	T(sSR, SEND_SYNACK_SIMOPEN), T(sXX, NONE),  T(sXX, NONE),
	T(sIV, INVALID_SEND), T(sIV, INVALID_SEND), T(sIV, INVALID_SEND),
	T(sIV, INVALID_SEND), T(sIV, INVALID_SEND), T(sIV, INVALID_SEND),
/*	SYN_RECEIVED and ESTABLISHED: the first SYN+ACK of a side that sent a
	SYN is simultaneous open (the two SYN+ACKs cross); a repeated one
	from ESTABLISHED means the ACK we took as delivered was lost, and the
	switch reverts to SYN_RECEIVED (§3.8.1). */
},
/* SYN: an active open (connect()); repeated, it is a retransmission. */
[TFE_EV_SYN] = {
	T(sSS, SEND_SYN),    T(sSS, SEND_SYN),     T(sXX, NONE),
	T(sIG, RETRANS_SYN), T(sIG, RETRANS_SYN),  T(sXX, NONE),
	T(sIV, INVALID_SEND), T(sIV, INVALID_SEND), T(sIV, INVALID_SEND),
	T(sIV, INVALID_SEND), T(sIV, INVALID_SEND), T(sIV, INVALID_SEND),
/*	LISTEN sending a SYN was never listening: both sides opened
	(simultaneous open, §3.5 figure 8); the switch rewrites its start.  ESTABLISHED re-sending its SYN
	means the SYN+ACK we took as delivered was lost. */
},
/* FIN: close() or shutdown(SHUT_WR) (§3.6). */
[TFE_EV_FIN] = {
	T(sXX, NONE),        T(sXX, NONE),         T(sIV, INVALID_SEND),
	T(sIV, INVALID_SEND), T(sF1, SEND_FIN_SYNRCVD), T(sF1, SEND_FIN_ACTIVE),
	T(sIG, RETRANS_FIN), T(sXX, NONE),         T(sXX, NONE),
	T(sIG, RETRANS_FIN), T(sIG, RETRANS_FIN),  T(sXX, NONE),
/*	CLOSE_WAIT: LAST_ACK, unless its FIN does not acknowledge the peer's:
	then the peer's FIN had not reached it and both closed at once
	(simultaneous close, CLOSING).  UNKNOWN: FIN_WAIT_1 or LAST_ACK
	depending on whether the peer's FIN was seen.  FIN_WAIT_2, TIME_WAIT and CLOSED re-sending a FIN disprove the
	ACK of it we took as delivered: the switch reverts. */
},
/* ACK (data or pure ACK): no state change once synchronized. */
[TFE_EV_ACK] = {
	T(sXX, NONE),        T(sIV, SEND_FROM_CLOSED), T(sIV, INVALID_SEND),
	T(sES, SEND_ACK_PROVES_SYNACK), T(sXX, NONE), T(sIG, NONE),
	T(sIG, NONE),        T(sIG, NONE),         T(sIG, NONE),
	T(sIG, NONE),        T(sIG, NONE),         T(sXX, NONE),
/*	SYN_SENT acknowledging the peer's SYN proves the SYN+ACK arrived even
	when the capture missed it; so does SYN_RECEIVED acknowledging the
	peer's SYN+ACK in a simultaneous open (the switch).  TIME_WAIT re-ACKing a FIN is the reason
	2MSL exists; the switch names it. */
},
/* No SYN, FIN, RST or ACK: nothing a TCP sends (§3.10.7). */
[TFE_EV_NONE] = {
	T(sIV, INVALID_SEND), T(sIV, INVALID_SEND), T(sIV, INVALID_SEND),
	T(sIV, INVALID_SEND), T(sIV, INVALID_SEND), T(sIV, INVALID_SEND),
	T(sIV, INVALID_SEND), T(sIV, INVALID_SEND), T(sIV, INVALID_SEND),
	T(sIV, INVALID_SEND), T(sIV, INVALID_SEND), T(sIV, INVALID_SEND),
},
};

/*
 * The side that receives the segment.  An unacceptable RST never gets here
 * (conn.c checks the window first, §3.10.7.4 "first, check sequence").
 */
const struct tfe_transition tfe_receiver_table[TFE_RX__COUNT][TFE_ST__COUNT] = {
[TFE_RX_RST] = {
/*	     UNKNOWN              CLOSED                LISTEN
	     SYN_SENT             SYN_RECEIVED          ESTABLISHED
	     FIN_WAIT_1           FIN_WAIT_2            CLOSE_WAIT
	     CLOSING              LAST_ACK              TIME_WAIT */
	T(sCL, RECV_RST_UNSEEN), T(sIG, NONE),     T(sIG, RECV_RST_LISTEN),
	T(sCL, RECV_RST_REFUSED), T(sXX, NONE),    T(sCL, RECV_RST),
	T(sCL, RECV_RST_CLOSING), T(sCL, RECV_RST_CLOSING), T(sCL, RECV_RST_CLOSE_WAIT),
	T(sCL, RECV_RST_CLOSING), T(sCL, RECV_RST_CLOSING), T(sCL, RECV_RST_TW),
/*	SYN_SENT: connect() fails with ECONNREFUSED (§3.10.7.3).  ESTABLISHED:
	the application sees ECONNRESET; CLOSE_WAIT: EPIPE at its next write()
	(it has read end of file; Linux's tcp_reset(), as BSD); after its own
	close nobody may be left to tell.  A listener ignores RST (§3.10.7.2).
	SYN_RECEIVED: back to LISTEN after a passive open, CLOSED after an
	active one (§3.10.7.4).  TIME_WAIT ends early: Linux honours it
	(RFC 1337 discusses why not). */
},
[TFE_RX_SYNACK] = {
	T(sIG, NONE),        T(sIV, RECV_INVALID), T(sIV, RECV_INVALID),
	T(sES, RECV_SYNACK), T(sES, RECV_SYNACK_SIMOPEN), T(sIG, RECV_SYNACK_AGAIN),
	T(sIG, RECV_SYNACK_AGAIN), T(sIG, RECV_SYNACK_AGAIN), T(sIG, RECV_SYNACK_AGAIN),
	T(sIG, RECV_SYNACK_AGAIN), T(sIG, RECV_SYNACK_AGAIN), T(sIG, RECV_SYNACK_AGAIN),
/*	SYN_SENT + SYN+ACK: ESTABLISHED, the ACK goes out (§3.10.7.3).  A
	repeated SYN+ACK means the peer did not get our ACK. */
},
[TFE_RX_SYNACK_BAD] = {
	T(sIG, NONE),        T(sIV, RECV_INVALID), T(sIV, RECV_INVALID),
	T(sIV, RECV_BAD_SYNACK), T(sIV, RECV_BAD_SYNACK), T(sIV, RECV_INVALID),
	T(sIV, RECV_INVALID), T(sIV, RECV_INVALID), T(sIV, RECV_INVALID),
	T(sIV, RECV_INVALID), T(sIV, RECV_INVALID), T(sIV, RECV_INVALID),
/*	an ACK outside SND.UNA..SND.NXT in SYN_SENT gets a RST (§3.10.7.3). */
},
[TFE_RX_SYN] = {
	T(sIG, NONE),        T(sIG, NONE),         T(sIG, RECV_SYN_LISTEN),
	T(sSR, RECV_SYN_SIMOPEN), T(sIG, RECV_SYN_RETRANS), T(sIV, RECV_INVALID),
	T(sIV, RECV_INVALID), T(sIV, RECV_INVALID), T(sIV, RECV_INVALID),
	T(sIV, RECV_INVALID), T(sIV, RECV_INVALID), T(sIV, RECV_INVALID),
/*	a SYN moves a listener only when it answers: the SYN+ACK (or RST)
	that follows shows what the receiver was.  SYN_SENT + SYN is
	simultaneous open: SYN_RECEIVED (§3.5 figure 8).  In a synchronized state it gets
	a challenge ACK (RFC 5961 §4). */
},
[TFE_RX_FIN] = {
	T(sCW, RECV_FIN),    T(sIV, RECV_INVALID), T(sIV, RECV_INVALID),
	T(sIV, RECV_INVALID), T(sCW, RECV_FIN),    T(sCW, RECV_FIN),
	T(sCG, RECV_FIN_SIMCLOSE), T(sTW, RECV_FIN_IN_FW2), T(sIG, RECV_FIN_AGAIN),
	T(sIG, RECV_FIN_AGAIN), T(sIG, RECV_FIN_AGAIN), T(sIG, RECV_FIN_AGAIN_TW),
/*	ESTABLISHED: CLOSE_WAIT, read() returns 0 (§3.10.7.4 "eighth").
	FIN_WAIT_1 with its own FIN unacknowledged: CLOSING (simultaneous
	close, §3.6 figure 13).  FIN_WAIT_2: TIME_WAIT for 2MSL. */
},
[TFE_RX_FIN_ACKS_FIN] = {
	T(sCW, RECV_FIN),    T(sIV, RECV_INVALID), T(sIV, RECV_INVALID),
	T(sIV, RECV_INVALID), T(sIV, RECV_INVALID), T(sIV, RECV_INVALID),
	T(sTW, RECV_FINACK), T(sTW, RECV_FIN_IN_FW2), T(sIV, RECV_INVALID),
	T(sTW, RECV_FINACK), T(sCL, RECV_FINAL_ACK), T(sIG, RECV_FIN_AGAIN_TW),
/*	FIN_WAIT_1 getting FIN+ACK covering its FIN goes straight to
	TIME_WAIT (the three-way close). */
},
[TFE_RX_ACK_SYN] = {
	T(sIG, NONE),        T(sIV, RECV_INVALID), T(sIG, NONE),
	T(sIG, NONE),        T(sES, RECV_ACK_OF_SYN), T(sIG, NONE),
	T(sIG, NONE),        T(sIG, NONE),         T(sIG, NONE),
	T(sIG, NONE),        T(sIG, NONE),         T(sIG, NONE),
/*	SYN_RECEIVED + ACK of its SYN: ESTABLISHED, and accept() can return
	the connection (§3.10.7.4 "fifth"). */
},
[TFE_RX_ACK_FIN] = {
	T(sIG, NONE),        T(sIG, NONE),         T(sIG, NONE),
	T(sIG, NONE),        T(sIG, NONE),         T(sIG, NONE),
	T(sF2, RECV_ACK_OF_FIN), T(sIG, NONE),     T(sIG, NONE),
	T(sTW, RECV_ACK_OF_FIN_CLOSING), T(sCL, RECV_FINAL_ACK), T(sIG, NONE),
/*	FIN_WAIT_1 -> FIN_WAIT_2 (half-closed); CLOSING -> TIME_WAIT;
	LAST_ACK -> CLOSED: the passive closer is done (§3.10.7.4). */
},
[TFE_RX_ACK] = {
	T(sIG, NONE),        T(sIV, RECV_INVALID), T(sIG, NONE),
	T(sIG, NONE),        T(sIG, NONE),         T(sIG, NONE),
	T(sIG, NONE),        T(sIG, NONE),         T(sIG, NONE),
	T(sIG, NONE),        T(sIG, NONE),         T(sIG, NONE),
/*	data and ACKs change no state; a CLOSED receiver answers with RST. */
},
[TFE_RX_NONE] = {
	T(sIG, NONE),        T(sIG, NONE),         T(sIG, NONE),
	T(sIG, NONE),        T(sIG, NONE),         T(sIG, NONE),
	T(sIG, NONE),        T(sIG, NONE),         T(sIG, NONE),
	T(sIG, NONE),        T(sIG, NONE),         T(sIG, NONE),
/*	a segment without ACK is dropped by a synchronized receiver. */
},
};

/*
 * The assumptions and the evidence that overturns each (tcpstate.h).  Read a
 * row as: the timeline assumed ASSUMPTION; EVIDENCE shows it wrong; the side
 * is put back in RESTORED (sBF: the state it had before the assumption)
 * FROM the assumption's row on (ROW), and that row gets REASON; or from its
 * first row (START, what it was from the start), and REASON goes on every
 * row where the peer's SYN arrived.  The frame that brings the evidence
 * keeps its own reason (conn.c).
 */
#define sBF TFE_ST_BEFORE
#define O(as, from, st, r, ev) { TFE_AS_##as, TFE_OV_FROM_##from, (st), TFE_RS_##r, (ev) }

const char *const tfe_assumption_names[TFE_AS__COUNT] = {
	[TFE_AS_LISTENER] = "a side a SYN reached was listening",
	[TFE_AS_SYN_ACKED] = "what acknowledged its SYN reached it",
	[TFE_AS_FIN_ACKED] = "the ACK of its FIN reached it",
	[TFE_AS_FIN_IN] = "the peer's FIN reached it",
	[TFE_AS_RST_IN] = "the peer's RST reached it",
	[TFE_AS_RST_OWN] = "a RST in its name came from its TCP",
};

const struct tfe_overturn_rule tfe_overturn_table[TFE_OV__COUNT] = {
/*	                              ASSUMPTION FROM   RESTORED REASON
		EVIDENCE */
[TFE_OV_LISTENER_RST]       = O(LISTENER,  START, sCL, RECV_SYN_NO_LISTENER,
		"it answered the SYN with RST (RFC 9293 3.10.7.1)"),
[TFE_OV_LISTENER_SYN]       = O(LISTENER,  START, sCL, NONE,
		"it sent a SYN of its own: simultaneous open (3.5, figure 8)"),
[TFE_OV_LISTENER_SILENT]    = O(LISTENER,  START, sUN, RECV_SYN_UNANSWERED,
		"nothing came back from it, and no ACK of its ISN"),
[TFE_OV_SYNACK_RESENT]      = O(SYN_ACKED, ROW,   sSR, ACK_LOST,
		"it re-sent its SYN+ACK (3.8.1)"),
[TFE_OV_SYN_RESENT]         = O(SYN_ACKED, ROW,   sSS, ACK_LOST,
		"it re-sent its SYN, the same ISN"),
[TFE_OV_SYNACK_CROSSED]     = O(SYN_ACKED, ROW,   sSR, SYNACK_NOT_YET,
		"its own first SYN+ACK: simultaneous open"),
[TFE_OV_SYNACK_UNMATCHED]   = O(SYN_ACKED, ROW,   sBF, RECV_SYNACK_UNMATCHED,
		"after nothing but its SYN, a bare RST at the SYN+ACK's ACK"),
[TFE_OV_SYNACK_AGAIN]       = O(SYN_ACKED, ROW,   sBF, SYNACK_NOT_DELIVERED,
		"the peer re-sent the SYN+ACK before any answer to it"),
[TFE_OV_SYNACK_NEVER_ACKED] = O(SYN_ACKED, ROW,   sBF, SYNACK_NEVER_ACKED,
		"the SYN+ACK re-sent, and never an ACK from it to the end"),
[TFE_OV_FIN_RESENT]         = O(FIN_ACKED, ROW,   sBF, ACK_LOST,
		"it re-sent its FIN"),
[TFE_OV_FIN_RESENT_TW]      = O(FIN_ACKED, ROW,   sCG, ACK_LOST,
		"it re-sent its FIN from TIME_WAIT: the peer's FIN came since"),
[TFE_OV_FIN_AGAIN]          = O(FIN_IN,    ROW,   sBF, FIN_NOT_DELIVERED,
		"the peer re-sent the FIN before any ACK of it"),
[TFE_OV_FIN_UNACKED]        = O(FIN_IN,    ROW,   sBF, FIN_NEVER_ACKED,
		"a later segment of its, too late to cross the FIN, without its ACK"),
[TFE_OV_FIN_CROSSED]        = O(FIN_IN,    ROW,   sBF, NONE,
		"its own FIN, not acknowledging the peer's: simultaneous close"),
[TFE_OV_FIN_OLD]            = O(FIN_IN,    ROW,   sBF, RECV_FIN_OLD,
		"its ACK passed the FIN's end, past which its sender sent nothing"),
[TFE_OV_FIN_TIMED_OUT]      = O(FIN_IN,    ROW,   sCL, FIN_AFTER_TIMEOUT,
		"a bare RST from TIME_WAIT, its own FIN 1 s or more before"),
[TFE_OV_FIN_NO_SOCKET]      = O(FIN_IN,    ROW,   sCL, FIN_SOCKET_GONE,
		"a bare RST from TIME_WAIT, its own FIN under 1 s before"),
[TFE_OV_FIN_CROSSED_RESET]  = O(FIN_IN,    ROW,   sBF, SEND_FIN_CROSSED_RESET,
		"after the FINs crossed, a bare RST from CLOSING or TIME_WAIT"),
[TFE_OV_RST_NOT_TAKEN]      = O(RST_IN,    ROW,   sBF, RECV_RST_NOT_TAKEN,
		"it acknowledged the SYN+ACK after a RST its sender disowned"),
[TFE_OV_RST_CARRIES_ON]     = O(RST_OWN,   ROW,   sBF, RST_NOT_ITS_OWN,
		"it carried on after a RST its peer could not accept"),
[TFE_OV_RST_FOREIGN_TTL]    = O(RST_OWN,   ROW,   sBF, RST_FOREIGN_TTL,
		"a TTL its packets never had, and nothing of its after it"),
[TFE_OV_REFUSAL_ANSWERED]   = O(RST_OWN,   START, sLI, RECV_SYN_LISTEN,
		"it answered the SYN it had refused with a SYN+ACK"),
};

const struct tfe_reason_row tfe_reasons[TFE_RS__COUNT] = {
	[TFE_RS_NONE] = { "none",
		"" },
	[TFE_RS_SEND_SYN] = { "send_syn",
		"sent SYN: active open (connect())" },
	[TFE_RS_SEND_SYN_SIMOPEN] = { "send_syn_simopen",
		"sent its own SYN while the peer's SYN was on "
		"its way: simultaneous open (it was not listening)" },
	[TFE_RS_SEND_SYNACK] = { "send_synack",
		"answered the SYN with SYN+ACK: passive open (listen()), "
		"the connection waits in the SYN queue" },
	[TFE_RS_SEND_SYNACK_SIMOPEN] = { "send_synack_simopen",
		"answered the crossing SYN with SYN+ACK: "
		"simultaneous open" },
	[TFE_RS_RST_NOT_ITS_OWN] = { "rst_not_its_own",
		"a RST with its address that its peer could not "
		"accept; it carried on afterwards, so the RST was not its own" },
	[TFE_RS_CARRIES_ON_AFTER_RST] = { "carries_on_after_rst",
		"keeps sending after the out-of-window RST "
		"in its name: that RST did not close it" },
	[TFE_RS_RECV_SYN_NO_LISTENER] = { "recv_syn_no_listener",
		"SYN arrives at a port where nothing listens" },
	[TFE_RS_RECV_SYN_UNANSWERED] = { "recv_syn_unanswered",
		"SYN sent to it; no answer seen" },
	[TFE_RS_RECV_RST_BAD_ACK] = { "recv_rst_bad_ack",
		"ignored a RST that does not acknowledge its SYN" },
	[TFE_RS_RECV_RST_CLOSING] = { "recv_rst_closing",
		"received RST while closing: the connection is "
		"reset; a read() after shutdown(SHUT_WR) gets ECONNRESET, after close() "
		"nobody is told" },
	[TFE_RS_RECV_RST_TO_LISTEN] = { "recv_rst_to_listen",
		"received RST before the handshake completed: "
		"the half-open connection is dropped, the listener stays in LISTEN" },
	[TFE_RS_SEND_RST_AFTER_CLOSE] = { "send_rst_after_close",
		"sent RST after its own close: data arrived "
		"that no application will read (or SO_LINGER 0)" },
	[TFE_RS_SEND_RST_NO_CONNECTION] = { "send_rst_no_connection",
		"answered the SYN+ACK with a bare RST "
		"(seq = its ACK): no socket matches it, the SYN was an old duplicate "
		"or came from a raw socket (a SYN scan)" },
	[TFE_RS_SEND_RST_IDLE_DROPPED] = { "send_rst_idle_dropped",
		"answered the first segment after the silence with a bare RST "
		"(seq = its ACK), as a TCP does for a connection it does not "
		"have: its end had dropped the idle connection (its host, or a "
		"device at its distance)" },
	[TFE_RS_RECV_SYNACK_UNMATCHED] = { "recv_synack_unmatched",
		"received a SYN+ACK that no socket of "
		"its own matched (shown by its RST)" },
	[TFE_RS_FIN_NOT_DELIVERED] = { "fin_not_delivered",
		"this FIN did not reach it (the peer re-sent "
		"it before any ACK)" },
	[TFE_RS_SYNACK_NOT_DELIVERED] = { "synack_not_delivered",
		"this SYN+ACK did not reach it (the peer "
		"re-sent it before any ACK)" },
	[TFE_RS_FIN_AFTER_TIMEOUT] = { "fin_after_timeout",
		"the FIN arrived after its FIN_WAIT_2 had timed "
		"out (tcp_fin_timeout): no socket was left, hence its RST" },
	[TFE_RS_FIN_SOCKET_GONE] = { "fin_socket_gone",
		"the FIN found no socket, hence its RST: it "
		"had dropped its connection less than a second after its own FIN, "
		"too soon for a FIN_WAIT_2 timeout (an abortive close, or the "
		"kernel's limit on orphaned sockets)" },
	[TFE_RS_FIN_OR_ACK_LOST] = { "fin_or_ack_lost",
		"the FIN was re-sent with no ACK of the first "
		"seen: either that FIN never arrived (FIN_WAIT_2 until the "
		"re-sent one) or it did and the ACK was lost on the way back "
		"(TIME_WAIT); the capture cannot tell which" },
	[TFE_RS_RECV_ACK_QUEUE_FULL] = { "recv_ack_queue_full",
		"received the ACK of its SYN+ACK again, after re-sending the "
		"SYN+ACK twice past ACKs of it: it ignores them while its "
		"accept queue is full, so this one too until it shows "
		"otherwise" },
	[TFE_RS_SEND_PROVES_ACCEPTED] = { "send_proves_accepted",
		"acknowledged the peer's data or sent its own: an ACK of its "
		"SYN+ACK was taken in after all (its accept queue had room "
		"again), ESTABLISHED" },
	[TFE_RS_INFERRED_FIN_RECEIVED] = { "inferred_fin_received",
		"acknowledged one sequence number more after its own FIN, "
		"carrying no data: the peer's FIN (inferred from this ACK: "
		"the peer's packets were not captured), TIME_WAIT" },
	[TFE_RS_INFERRED_LAST_ACK] = { "inferred_last_ack",
		"received the last ACK of the close: CLOSED (its FIN, sent "
		"from LAST_ACK, is inferred from that ACK: its packets were "
		"not captured)" },
	[TFE_RS_SYN_GIVEN_UP] = { "syn_given_up",
		"its next SYN, due by then at the doubling back-off of the "
		"ones before, never came though the capture went on: "
		"connect() had given up (ETIMEDOUT) or the socket was closed, "
		"which sends nothing" },
	[TFE_RS_SEND_RST_BAD_ACK] = { "send_rst_bad_ack",
		"answered an ACK that does not acknowledge its SYN (no "
		"SYN+ACK: another socket's) with RST; it stays in SYN_SENT "
		"and sends its SYN again" },
	[TFE_RS_ACK_FROM_STALE] = { "ack_from_stale_socket",
		"an ACK, not a SYN+ACK: the earlier connection on this "
		"4-tuple, not over, still had its socket, which took the SYN "
		"for one of its own out of place and answered with a "
		"challenge ACK (RFC 5961 §4); the listener stays LISTEN" },
	[TFE_RS_RECV_RST_CLOSE_WAIT] = { "recv_rst_close_wait",
		"received RST in CLOSE_WAIT: the connection is reset; the "
		"application's reads return end of file, its next write() "
		"fails with EPIPE" },
	[TFE_RS_SEND_RST_UNSEEN] = { "send_rst_unseen",
		"sent RST as its first segment in the capture: it has no "
		"connection on this pair now; whether it had one (begun before "
		"the capture) or answered a segment for one it never had (a "
		"closed port, a probe) the capture does not show" },
	[TFE_RS_RECV_RST_UNSEEN] = { "recv_rst_unseen",
		"received RST, its state before it unknown: if it held this "
		"connection, the connection is reset and the application gets "
		"ECONNRESET" },
	[TFE_RS_LISTENER_UNPROVEN] = { "listener_unproven",
		"it answered SYNs, but none of its connections is open now and "
		"closing a listening socket sends nothing: whether it still "
		"listens the capture does not show" },
	[TFE_RS_SYN_DUE_UNSEEN] = { "syn_due_unseen",
		"its next SYN was due by then and the capture shows none: "
		"connect() had given up (ETIMEDOUT), or the capture ended before "
		"the SYN" },
	[TFE_RS_RECV_ICMP_SYN_SENT] = { "recv_icmp_syn_sent",
		"an ICMP error answering its SYN reached it: connect() fails at "
		"once with the error the ICMP names (Linux: a hard error before "
		"the handshake completes, no SYN is re-sent)" },
	[TFE_RS_RECV_ICMP_SYN_RCVD] = { "recv_icmp_syn_rcvd",
		"an ICMP error answering its SYN+ACK reached it: the half-open "
		"connection is dropped from the SYN queue (Linux), accept() "
		"never returns it" },
	[TFE_RS_FIN_NEVER_ACKED] = { "fin_never_acked",
		"this FIN did not reach it: a segment it sent later, too late "
		"to have crossed the FIN, still does not acknowledge it (a "
		"receiving TCP acknowledges a FIN at once)" },
	[TFE_RS_RST_FOREIGN_TTL] = { "rst_foreign_ttl",
		"a RST with its address but a TTL its own packets never had "
		"(a device on the path sent it): its socket was not reset by it" },
	[TFE_RS_RESEND_DUE_UNSEEN] = { "resend_due_unseen",
		"it was re-sending data that nothing answered, and its next "
		"re-send was due by then with none in the capture: its TCP had "
		"given up (ETIMEDOUT), or the capture ended before the re-send" },
	[TFE_RS_RECV_RST_REFUSED_RETRIED] = { "recv_rst_refused_retried",
		"received RST for its SYN, and sent the same SYN again after "
		"it (Windows retries a refused connection): connect() had not "
		"failed yet" },
	[TFE_RS_RST_REFUSAL_NOT_ITS_OWN] = { "rst_refusal_not_its_own",
		"a RST with its address refused the SYN, yet it answered the "
		"same SYN with a SYN+ACK afterwards: it was listening, and the "
		"RST was not its TCP's" },
	[TFE_RS_SEND_NOT_ITS_OWN] = { "send_not_its_own",
		"a segment with its address before its SYN+ACK, outside the "
		"sequence space that SYN+ACK opened: its TCP did not send it" },
	[TFE_RS_RECV_RST_NOT_TAKEN] = { "recv_rst_not_taken",
		"a RST in the peer's name that the peer's TCP did not send; it "
		"went on as before (it acknowledged the SYN+ACK that came "
		"after), so it did not take the RST" },
	[TFE_RS_RECV_FIN_OLD] = { "recv_fin_old",
		"the FIN lies outside what it can accept, below what it had "
		"already acknowledged or far past it (an old duplicate, or "
		"another sequence space, as behind a proxy that rewrites the "
		"numbers): it answers with an ACK and does not take it" },
	[TFE_RS_SEND_FIN_CROSSED_RESET] = { "send_fin_crossed_reset",
		"sent FIN: active close; the peer's FIN crossed it and found "
		"the socket reset or gone, as its later bare RST shows (a "
		"socket that has taken a FIN answers with ACKs)" },
	[TFE_RS_RST_TAKEN_UNKNOWN] = { "rst_taken_unknown",
		"a RST in the peer's name that the peer's TCP did not send, and "
		"nothing of its came after: whether it took the RST (CLOSED) or "
		"went on as before, the capture does not show" },
	[TFE_RS_FIN_ACK_UNSEEN] = { "fin_ack_unseen",
		"the peer's ACK of its FIN travels the direction this capture "
		"lacks: FIN_WAIT_1 until that ACK arrives, FIN_WAIT_2 after" },
	[TFE_RS_SEND_RST_BAD_SYNACK] = { "send_rst_bad_synack",
		"answered a SYN+ACK that does not acknowledge "
		"its SYN with RST; it stays in SYN_SENT" },
	[TFE_RS_SYNACK_NEVER_ACKED] = { "synack_never_acked",
		"this SYN+ACK did not reach it either: it "
		"never acknowledged any of them, so it stayed in SYN_SENT" },
	[TFE_RS_SEND_RST_KEEPALIVE] = { "send_rst_keepalive",
		"sent RST after its keepalive probes went "
		"unanswered: the kernel gave up on the peer (ETIMEDOUT)" },
	[TFE_RS_RECV_RST_UNREACHABLE] = { "recv_rst_unreachable",
		"the RST most likely never reached it: it "
		"had answered none of the keepalive probes before" },
	[TFE_RS_SYNACK_NOT_YET] = { "synack_not_yet",
		"it had the peer's SYN (SYN_RECEIVED) but not "
		"yet this SYN+ACK: its own SYN+ACK that follows shows it" },
	[TFE_RS_SEND_ACK_OF_SYNACK] = { "send_ack_of_synack",
		"acknowledged the peer's SYN+ACK: "
		"simultaneous open completes on this side" },
	[TFE_RS_TIME_WAIT_TAKEN_OVER] = { "time_wait_taken_over",
		"a new SYN on the same 4-tuple took the "
		"pair over: TIME_WAIT ends early (RFC 6191)" },
	[TFE_RS_INFERRED_SYNACK_ACKED] = { "inferred_synack_acked",
		"ESTABLISHED, inferred from the peer's "
		"ACK: it sent a SYN+ACK and the peer acknowledged it (its packets "
		"were not captured)" },
	[TFE_RS_INFERRED_ACK_ARRIVED] = { "inferred_ack_arrived",
		"ESTABLISHED, inferred from what it "
		"sends: it acknowledged data of the peer or sent more than the "
		"peer's SYN window, so the peer's ACK of its SYN+ACK arrived (the "
		"peer's packets were not captured)" },
	[TFE_RS_INFERRED_FIN_PASSIVE] = { "inferred_fin_passive",
		"sent its own FIN acknowledging the "
		"peer's FIN (inferred from this ACK: the peer's packets were not "
		"captured): the peer closed first; passive close" },
	[TFE_RS_INFERRED_FIN_ACKED] = { "inferred_fin_acked",
		"received FIN acknowledging its own FIN: "
		"TIME_WAIT (its FIN is inferred from the peer's ACK: not captured)" },
	[TFE_RS_SEND_FIN_SIMCLOSE] = { "send_fin_simclose",
		"sent its own FIN before the peer's FIN "
		"reached it: simultaneous close, CLOSING" },
	[TFE_RS_SEND_FIN_ACTIVE] = { "send_fin_active",
		"sent FIN: active close (close() or shutdown(SHUT_WR))" },
	[TFE_RS_SEND_FIN_SYNRCVD] = { "send_fin_synrcvd",
		"sent FIN before the handshake completed" },
	[TFE_RS_SEND_FIN_PASSIVE] = { "send_fin_passive",
		"sent its own FIN: the application called close() "
		"after reading EOF; passive close" },
	[TFE_RS_SEND_FIN_MIDSTREAM] = { "send_fin_midstream",
		"sent FIN (state before it unknown)" },
	[TFE_RS_SEND_RST] = { "send_rst",
		"sent RST: abortive close (SO_LINGER 0, close() with "
		"unread data, or a crash); the connection is gone on this side" },
	[TFE_RS_SEND_RST_NO_LISTENER] = { "send_rst_no_listener",
		"answered the SYN with RST: no socket listens "
		"on this port" },
	[TFE_RS_SEND_RST_CLOSED] = { "send_rst_closed",
		"sent RST for a segment of a connection it does not have" },
	[TFE_RS_SEND_ACK_MIDSTREAM] = { "send_ack_midstream",
		"sends ACK-bearing segments: synchronized, "
		"taken as ESTABLISHED (mid-stream pickup)" },
	[TFE_RS_SEND_ACK_CLOSE_WAIT_MIDSTREAM] = { "send_ack_close_wait_midstream",
		"still sends after the peer's FIN: "
		"CLOSE_WAIT (mid-stream pickup)" },
	[TFE_RS_SEND_ACK_PROVES_SYNACK] = { "send_ack_proves_synack",
		"acknowledged the peer's SYN: the SYN+ACK "
		"reached it (not seen here)" },
	[TFE_RS_RETRANS_SYN] = { "retrans_syn",
		"re-sent its SYN: no answer yet" },
	[TFE_RS_RETRANS_SYNACK] = { "retrans_synack",
		"re-sent its SYN+ACK: the ACK has not arrived" },
	[TFE_RS_RETRANS_FIN] = { "retrans_fin",
		"re-sent its FIN: no ACK for it yet" },
	[TFE_RS_REVERT_SYNACK_LOST] = { "revert_synack_lost",
		"re-sent its SYN: the SYN+ACK seen earlier never "
		"reached it, still SYN_SENT" },
	[TFE_RS_REVERT_ACK_LOST] = { "revert_ack_lost",
		"re-sent its SYN+ACK: the ACK seen earlier never "
		"reached it, still SYN_RECEIVED" },
	[TFE_RS_REVERT_FINACK_LOST] = { "revert_finack_lost",
		"re-sent its FIN: the ACK seen earlier never "
		"reached it" },
	[TFE_RS_TW_REACK] = { "tw_reack",
		"acknowledged the re-sent FIN again from TIME_WAIT "
		"(this is what 2MSL is for)" },
	[TFE_RS_SEND_FROM_CLOSED] = { "send_from_closed",
		"sent a segment after its connection was closed" },
	[TFE_RS_INVALID_SEND] = { "invalid_send",
		"sent a segment that does not fit its state" },
	[TFE_RS_RECV_SYN_LISTEN] = { "recv_syn_listen",
		"received SYN: a listening socket answers it "
		"from its SYN queue" },
	[TFE_RS_RECV_SYN_SIMOPEN] = { "recv_syn_simopen",
		"received the peer's SYN while its own SYN is "
		"unanswered: simultaneous open, SYN_RECEIVED" },
	[TFE_RS_RECV_SYN_RETRANS] = { "recv_syn_retrans",
		"received the SYN again" },
	[TFE_RS_RECV_SYNACK] = { "recv_synack",
		"received SYN+ACK acknowledging its SYN: ESTABLISHED "
		"on this side, connect() returns" },
	[TFE_RS_RECV_SYNACK_SIMOPEN] = { "recv_synack_simopen",
		"received SYN+ACK for its SYN: simultaneous open "
		"completes" },
	[TFE_RS_RECV_SYNACK_AGAIN] = { "recv_synack_again",
		"received the SYN+ACK again: the peer did not get "
		"the ACK" },
	[TFE_RS_RECV_ACK_OF_SYN] = { "recv_ack_of_syn",
		"received the ACK of its SYN+ACK: ESTABLISHED, "
		"accept() can return it" },
	[TFE_RS_RECV_FIN] = { "recv_fin",
		"received FIN: the peer will send no more, read() returns 0; "
		"the kernel ACKs it" },
	[TFE_RS_RECV_FIN_SIMCLOSE] = { "recv_fin_simclose",
		"received the peer's FIN while its own FIN is "
		"unacknowledged: simultaneous close" },
	[TFE_RS_RECV_FIN_IN_FW2] = { "recv_fin_in_fw2",
		"received the peer's FIN: TIME_WAIT for 2MSL" },
	[TFE_RS_RECV_FINACK] = { "recv_finack",
		"received FIN acknowledging its FIN: TIME_WAIT for 2MSL" },
	[TFE_RS_RECV_FIN_AGAIN] = { "recv_fin_again",
		"received the peer's FIN again" },
	[TFE_RS_RECV_FIN_AGAIN_TW] = { "recv_fin_again_tw",
		"received the FIN again: its last ACK was lost; "
		"TIME_WAIT answers it and restarts 2MSL" },
	[TFE_RS_RECV_ACK_OF_FIN] = { "recv_ack_of_fin",
		"its FIN is acknowledged: FIN_WAIT_2, half-closed, "
		"waiting for the peer's FIN" },
	[TFE_RS_RECV_ACK_OF_FIN_CLOSING] = { "recv_ack_of_fin_closing",
		"its FIN is acknowledged in CLOSING: TIME_WAIT" },
	[TFE_RS_RECV_FINAL_ACK] = { "recv_final_ack",
		"received the last ACK of the close: CLOSED" },
	[TFE_RS_RECV_RST_REFUSED] = { "recv_rst_refused",
		"received RST for its SYN: connect() fails with "
		"ECONNREFUSED" },
	[TFE_RS_RECV_RST_SYNRCVD] = { "recv_rst_synrcvd",
		"received RST before the handshake completed: "
		"the half-open connection is dropped" },
	[TFE_RS_RECV_RST] = { "recv_rst",
		"received RST: connection reset, the application gets "
		"ECONNRESET" },
	[TFE_RS_RECV_RST_TW] = { "recv_rst_tw",
		"received RST in TIME_WAIT: the 2MSL wait ends early" },
	[TFE_RS_RECV_RST_LISTEN] = { "recv_rst_listen",
		"a listening socket ignores RST" },
	[TFE_RS_RECV_RST_OUT_OF_WINDOW] = { "recv_rst_out_of_window",
		"ignored a RST outside its receive window" },
	[TFE_RS_RECV_INVALID] = { "recv_invalid",
		"received a segment that does not fit its state" },
	[TFE_RS_RECV_BAD_SYNACK] = { "recv_bad_synack",
		"received SYN+ACK that does not acknowledge its SYN" },
	[TFE_RS_TIME_WAIT_EXPIRED] = { "time_wait_expired",
		"2MSL elapsed: TIME_WAIT ends, the port pair is free" },
	[TFE_RS_ACK_LOST] = { "ack_lost",
		"the ACK in this frame never reached it (it retransmitted later)" },
};

/*
 * The classifier's fixed priority (RST, SYN+ACK, SYN, FIN, ACK, none) as
 * a table over the four flags it looks at: FIN 0x01, SYN 0x02, RST 0x04
 * and ACK 0x10 (PSH, 0x08, is in the index but never decides).  Looked
 * up inline for every segment (tcpstate.h); tests/check_tcpstate.c checks
 * every flag combination against the rule written out.
 */
#define EV_OF(f) \
	((f) & TFE_TH_RST ? TFE_EV_RST : \
	 ((f) & (TFE_TH_SYN | TFE_TH_ACK)) == (TFE_TH_SYN | TFE_TH_ACK) ? \
	 TFE_EV_SYNACK : \
	 (f) & TFE_TH_SYN ? TFE_EV_SYN : \
	 (f) & TFE_TH_FIN ? TFE_EV_FIN : \
	 (f) & TFE_TH_ACK ? TFE_EV_ACK : TFE_EV_NONE)
#define EV_OF4(f) EV_OF(f), EV_OF((f) + 1), EV_OF((f) + 2), EV_OF((f) + 3)

const uint8_t tfe_event_of_flags[32] = {
	EV_OF4(0), EV_OF4(4), EV_OF4(8), EV_OF4(12),
	EV_OF4(16), EV_OF4(20), EV_OF4(24), EV_OF4(28),
};
