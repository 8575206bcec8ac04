/*
 * verdict.c: the rules that fire the verdicts of the catalogue.
 *
 * Every rule reads a finished connection: its endpoints' counters and its
 * timeline rows, which keep each frame that changed a state, carries a note
 * or has SYN, FIN or RST set.  A rule that needs more capture than there is
 * to decide (a FIN or SYN too close to the end) stays silent rather than
 * guess.  The words of every sentence are templates in the catalogue
 * (verdict_catalogue.c): a rule picks the form and the clauses by name and
 * fills the slots with values (slot(), pick(), say() below), and writes
 * no words itself.  Messages are formatted here, once per connection,
 * never per packet.
 */
#include "verdict.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "format.h"
#include "local.h"
#include "seq.h"
#include "vantage.h"

/* The sides' names, values the templates give ({peer}, {side}). */
static const char *const side_word[3] = { "client", "server", "nobody" };

/* At least this much capture after a FIN or SYN before the rules that
 * wait for an answer may speak. */
#define EVIDENCE_NS (1 * TFE_NS_PER_SEC)

/* How long a side whose FIN got no ACK takes to re-send it, at the most:
 * the retransmission timeout's floor (RFC 6298 §2.4: 1 s; Linux 200 ms)
 * doubled once, plus the round trip's share of the timeout (four times
 * the handshake's, RFC 6298 §2.3's RTTVAR bound).  A capture that goes on
 * longer with neither the ACK nor a re-sent FIN missed the ACK. */
static int64_t
resend_due(const struct tfe_conn *c)
{
	int64_t up, down, due = 3 * TFE_NS_PER_SEC;

	if (tfe_conn_handshake_rtt(c, &up, &down))
		due += 4 * (up + down);
	return due;
}

struct ctx {
	const struct tfe_conn *c;
	const struct tfe_config *cfg;
	int64_t now;
	GArray *out;
	struct tfe_slots slots; /* of the sentence being written */
	bool undecided;         /* a rule could not decide */
	char *und_text;         /* why, when sentences are written */
	int64_t und_after;      /* its numbers: how long the capture lasts
	                           after the evidence (ns) */
	int64_t und_threshold;  /* and the threshold, or -1 */
	/* what the rows hold, gathered in one pass (rows_summary()) so
	 * that the searches below skip the connections that cannot have
	 * what they look for: */
	uint64_t reasons[2];    /* per side, bit (reason % 64) of its
	                           frame rows' reasons */
	uint16_t states[2];     /* per side, bit state of every row */
	uint16_t carried[2];    /* per sender, its frame rows' notes */
};

/* The capture holds none of `side`'s packets although the other side's
 * ACKs show it sent (one direction captured): what it sent cannot be
 * judged, only read from those ACKs. */
static bool
silent(const struct tfe_conn *c, int side)
{
	return c->one_way <= TFE_SIDE_SERVER && c->one_way != side;
}

static char *
ep_str(const struct tfe_conn *c, int side, char *buf, size_t len)
{
	char a[TFE_ADDR_STRLEN];

	tfe_endpoint_format(c->family, tfe_conn_addr(c, side),
	                    tfe_conn_port(c, side), a, sizeof a);
	snprintf(buf, len, "%s %s", side_word[side], a);
	return buf;
}

/* "+1.234 s" relative to the connection's first frame. */
static char *
rel(const struct tfe_conn *c, int64_t ts, char *buf, size_t len)
{
	char t[32];

	tfe_format_seconds(ts - c->first_ts, c->timestamps_ns, true, t, sizeof t);
	snprintf(buf, len, "%s s", t);
	return buf;
}

static double
secs(int64_t ns)
{
	return (double)ns / 1e9;
}

/* " (26 h 3 min)" after a duration of a minute or more, else "". */
static char *
long_words(int64_t ns, char *buf, size_t len)
{
	char w[32];

	if (tfe_format_duration_words(ns, w, sizeof w)[0])
		snprintf(buf, len, " (%s)", w);
	else
		buf[0] = '\0';
	return buf;
}

/*
 * The slots of a sentence (verdict_catalogue.c says how a template names
 * them), filled only when the output form prints sentences.  slot(x,
 * name, fmt, args...) is a macro so that its arguments (endpoints and
 * times formatted into buffers) are not even worked out otherwise; none
 * of them has a side effect the rules depend on.  say() records the
 * verdict with its form's sentence and empties the slots.
 */
#define slot(x, name, ...) \
	((x)->cfg->verdict_messages ? \
	 tfe_slots_set(&(x)->slots, (name), __VA_ARGS__) : (void)0)

/* A count, which also chooses the words of {name:one|other}. */
static void
slot_count(struct ctx *x, const char *name, uint64_t n)
{
	if (x->cfg->verdict_messages)
		tfe_slots_count(&x->slots, name, n);
}

/* The alternative `choice` of the clause {name}: the phrase
 * "name.choice" (several picks of one clause are joined in order). */
static void
pick(struct ctx *x, const char *name, const char *choice)
{
	if (x->cfg->verdict_messages)
		tfe_slots_pick(&x->slots, name, choice);
}

/* "client 10.0.0.1:40000" */
static void
slot_ep(struct ctx *x, const char *name, int side)
{
	char e[TFE_ADDR_STRLEN + 8];

	slot(x, name, "%s", ep_str(x->c, side, e, sizeof e));
}

/* "client" */
static void
slot_side(struct ctx *x, const char *name, int side)
{
	slot(x, name, "%s", side_word[side]);
}

/* "+1.234 s": a time after the connection's first frame */
static void
slot_at(struct ctx *x, const char *name, int64_t ts)
{
	char t[48];

	slot(x, name, "%s", rel(x->c, ts, t, sizeof t));
}

/* "70.018 s (1 min 10 s)": a duration in seconds with `decimals`, and in
 * words too from a minute on */
static void
slot_secs(struct ctx *x, const char *name, int64_t ns, int decimals)
{
	char lw[40];

	slot(x, name, "%.*f s%s", decimals, secs(ns),
	     long_words(ns, lw, sizeof lw));
}

/* The form `form` of `kind` (TFE_V__COUNT: a shared template) with the
 * slots filled, which it empties; a template that does not fit its slots
 * is a bug (g_critical). */
static char *
expand(struct ctx *x, int kind, const char *form)
{
	char *problem;
	char *m = tfe_verdict_expand(kind, form, &x->slots, &problem);

	if (problem != NULL) {
		g_critical("%s", problem);
		g_free(problem);
	}
	tfe_slots_clear(&x->slots);
	return m;
}

/* Records a verdict with its frames (a 0-terminated list, or NULL) and,
 * when sentences are written, the sentence of its form `form`. */
static void
say(struct ctx *x, enum tfe_verdict_kind kind, int side,
    const uint64_t *frames, const char *form)
{
	struct tfe_verdict v;

	memset(&v, 0, sizeof v);
	v.kind = (uint8_t)kind;
	v.side = (uint8_t)side;
	for (int i = 0; frames && i < TFE_VERDICT_MAX_FRAMES && frames[i]; i++)
		v.frames[v.nframes++] = frames[i];
	if (x->cfg->verdict_messages)
		v.message = expand(x, kind, form);
	g_array_append_val(x->out, v);
}

/* A rule could not decide for lack of capture (open_at_end says why): the
 * form `form` of its kind, with the capture after the evidence and the
 * threshold (-1: none) as numbers.  A later rule's reason replaces an
 * earlier one's. */
static void
undecided(struct ctx *x, enum tfe_verdict_kind kind, const char *form,
          int64_t after, int64_t threshold)
{
	g_free(x->und_text);
	x->und_text = x->cfg->verdict_messages ? expand(x, kind, form) : NULL;
	x->undecided = true;
	x->und_after = after;
	x->und_threshold = threshold;
}

/* Adds a number to the verdict just recorded. */
static void
num(struct ctx *x, const char *name, enum tfe_vnum_unit unit, int64_t value)
{
	struct tfe_verdict *v =
		&g_array_index(x->out, struct tfe_verdict, x->out->len - 1);

	g_assert(v->nnumbers < TFE_VERDICT_MAX_NUMBERS);
	v->numbers[v->nnumbers++] = (struct tfe_verdict_number){
		name, value, (uint8_t)unit };
}
#define vcount(x, name, v) num(x, name, TFE_VNUM_COUNT, (int64_t)(v))
#define vdur(x, name, v) num(x, name, TFE_VNUM_NS, (int64_t)(v))
/* a time as the sentence gives it: after the connection's first frame */
#define vat(x, name, ts) vdur(x, name, (ts) - (x)->c->first_ts)

static const struct tfe_row *
row_at(const struct tfe_conn *c, guint i)
{
	return &c->tl.rows[i];
}

/* The first frame row from `side` with all of `flags` set, from index
 * `from`, that is not a copy the capture made of a frame before it;
 * NULL when none. */
static const struct tfe_row *
find_sent(const struct tfe_conn *c, int side, uint16_t flags, guint from,
          guint *at)
{
	for (guint i = from; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = row_at(c, i);

		/* a copy the capture made of a frame is no segment sent */
		if (r->kind == TFE_ROW_FRAME && r->dir == side &&
		    (r->flags & flags) == flags && !(r->notes & TFE_NOTE_COPY)) {
			if (at)
				*at = i;
			return r;
		}
	}
	return NULL;
}

G_STATIC_ASSERT(TFE_ST__COUNT <= 16);

static void
rows_summary(struct ctx *x)
{
	const struct tfe_conn *c = x->c;

	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = row_at(c, i);

		x->states[0] |= (uint16_t)(1u << r->state[0]);
		x->states[1] |= (uint16_t)(1u << r->state[1]);
		if (r->kind != TFE_ROW_FRAME)
			continue;
		x->reasons[0] |= UINT64_C(1) << (r->reason[0] % 64);
		x->reasons[1] |= UINT64_C(1) << (r->reason[1] % 64);
		x->carried[r->dir ? 1 : 0] |= r->notes;
	}
}

static const struct tfe_row *
find_reason(const struct ctx *x, int side, uint8_t reason)
{
	const struct tfe_conn *c = x->c;

	if (!(x->reasons[side] & (UINT64_C(1) << (reason % 64))))
		return NULL;
	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = row_at(c, i);

		if (r->kind == TFE_ROW_FRAME && r->reason[side] == reason)
			return r;
	}
	return NULL;
}

/* The first row at which `side` entered `state` (its index in *at). */
static const struct tfe_row *
find_entered(const struct ctx *x, int side, uint8_t state, guint *at)
{
	const struct tfe_conn *c = x->c;
	uint8_t before = c->init_state[side];

	if (!(x->states[side] & (1u << state)))
		return NULL;
	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = row_at(c, i);

		if (r->state[side] == state && before != state &&
		    r->kind == TFE_ROW_FRAME) {
			if (at)
				*at = i;
			return r;
		}
		before = r->state[side];
	}
	return NULL;
}

/*
 * The causes syn_unanswered names.  A port that answered another
 * connection's SYN in the capture listened: before these SYNs, a host
 * down since is still possible; before and after them, the host was up
 * and listening, and a listener with its accept queue full drops a SYN
 * (Linux: nstat's TcpExtListenDrops), as a firewall does.
 */
static void
port_listened(struct ctx *x, int64_t first, int64_t last)
{
	const struct tfe_conn *c = x->c;
	const struct tfe_conn_rare *r = c->rare;
	int64_t before = 0, after = 0;

	if (r != NULL && r->port_listened_first != 0) {
		if (r->port_listened_first < first)
			before = first - r->port_listened_first;
		if (r->port_listened_last > last)
			after = r->port_listened_last - last;
	}
	/* a minute or more also in words: "70.018 s (1 min 10 s)" */
	slot_secs(x, "before", before, 3);
	slot_secs(x, "after", after, 3);
	pick(x, "why", before > 0 && after > 0 ? "both" :
	               before > 0 ? "before" : after > 0 ? "after" :
	               "unknown");
	/* the 4-tuple's earlier connection in TIME_WAIT drops a SYN it
	 * takes for an old duplicate (time_wait_reuse says which) */
	pick(x, "tw", c->has_prev && c->prev_tw_side <= TFE_SIDE_SERVER ?
	              "yes" : "no");
}

/* ---- ICMP errors (conn.h: tfe_icmp_seen) -------------------------------- */

/* What an ICMP error's type and code say, and the errno Linux gives a
 * socket for it (icmp_err_convert[] in net/ipv4/icmp.c; tcp_v4_err();
 * icmpv6_err_convert() in net/ipv6/icmp.c): the names of the codes,
 * values the ICMP kinds' templates give ({what}, {errno}) as they give a
 * state's name. */
struct icmp_words {
	const char *what;
	const char *err;
};

static struct icmp_words
icmp_words(const struct tfe_icmp_seen *e)
{
	static const struct icmp_words unreach4[16] = {
		{ "network unreachable", "ENETUNREACH" },
		{ "host unreachable", "EHOSTUNREACH" },
		{ "protocol unreachable", "ENOPROTOOPT" },
		{ "port unreachable", "ECONNREFUSED" },
		{ "fragmentation needed", "EMSGSIZE" },
		{ "source route failed", "EOPNOTSUPP" },
		{ "destination network unknown", "ENETUNREACH" },
		{ "destination host unknown", "EHOSTDOWN" },
		{ "source host isolated", "ENONET" },
		{ "network administratively prohibited", "ENETUNREACH" },
		{ "host administratively prohibited", "EHOSTUNREACH" },
		{ "network unreachable for the type of service", "ENETUNREACH" },
		{ "host unreachable for the type of service", "EHOSTUNREACH" },
		{ "communication administratively prohibited", "EHOSTUNREACH" },
		{ "host precedence violation", "EHOSTUNREACH" },
		{ "precedence cutoff in effect", "EHOSTUNREACH" },
	};
	static const struct icmp_words unreach6[7] = {
		{ "no route to destination", "ENETUNREACH" },
		{ "communication administratively prohibited", "EACCES" },
		{ "beyond the scope of the source address", "EHOSTUNREACH" },
		{ "address unreachable", "EHOSTUNREACH" },
		{ "port unreachable", "ECONNREFUSED" },
		{ "source address failed ingress/egress policy", "EACCES" },
		{ "reject route to destination", "EACCES" },
	};

	if (e->family == 4) {
		if (e->type == TFE_ICMP4_UNREACH)
			return e->code < 16 ? unreach4[e->code] :
			       (struct icmp_words){ "unreachable, unknown code",
			                            NULL };
		if (e->type == TFE_ICMP4_TIME_EXCEEDED)
			return (struct icmp_words){ e->code == 1 ?
			    "fragment reassembly time exceeded" :
			    "time to live exceeded in transit", "EHOSTUNREACH" };
		return (struct icmp_words){ "parameter problem", "EPROTO" };
	}
	if (e->type == TFE_ICMP6_UNREACH)
		return e->code < 7 ? unreach6[e->code] :
		       (struct icmp_words){ "unreachable, unknown code",
		                            "EPROTO" };
	if (e->type == TFE_ICMP6_TIME_EXCEEDED)
		return (struct icmp_words){ e->code == 1 ?
		    "fragment reassembly time exceeded" :
		    "hop limit exceeded in transit", "EHOSTUNREACH" };
	if (e->type == TFE_ICMP6_TOO_BIG)
		return (struct icmp_words){ "packet too big", "EMSGSIZE" };
	return (struct icmp_words){ "parameter problem", "EPROTO" };
}

/* A packet too big or fragmentation needed: no error, the path's MTU. */
static bool
icmp_too_big(const struct tfe_icmp_seen *e)
{
	return e->family == 4 ? e->type == TFE_ICMP4_UNREACH &&
	                        e->code == TFE_ICMP4_FRAG_NEEDED
	                      : e->type == TFE_ICMP6_TOO_BIG;
}

/* Whether an ICMP error (not a packet too big) quoted the client's SYN:
 * then its SYN did get an answer, and syn_unanswered does not fire. */
static bool
icmp_answered_syn(const struct tfe_conn *c)
{
	const struct tfe_icmp_seen *e;

	if (c->rare == NULL || c->rare->icmp == NULL ||
	    c->rare->icmp->count == 0)
		return false;
	e = c->rare->icmp;
	return !icmp_too_big(e) && e->side == TFE_SIDE_CLIENT &&
	       e->state == TFE_ST_SYN_SENT;
}

/* The slots both ICMP kinds fill: who sent the error ({icmp_sender}: the
 * peer itself, a router on the path, or for an error from the quoted
 * side's own address, its host, a local firewall's REJECT), the segment
 * it quoted ({quoted}), and how many came ({more}). */
static void
icmp_slots(struct ctx *x, const struct tfe_icmp_seen *e,
           const struct icmp_words *w)
{
	const struct tfe_conn *c = x->c;
	char a[TFE_ADDR_STRLEN];
	int side = e->side;
	uint16_t fl = e->quoted_flags;

	if (!x->cfg->verdict_messages)
		return;
	tfe_addr_format(c->family, e->from, a, sizeof a);
	slot(x, "from", "%s", a);
	slot_side(x, "side", side);
	slot_side(x, "peer", !side);
	pick(x, "icmp_sender",
	     memcmp(e->from, tfe_conn_addr(c, !side), 16) == 0 ? "peer" :
	     memcmp(e->from, tfe_conn_addr(c, side), 16) == 0 ? "own" :
	     "router");
	slot(x, "icmp", "%s", e->family == 4 ? "ICMP" : "ICMPv6");
	slot(x, "what", "%s", w->what);
	slot(x, "type", "%u", e->type);
	slot(x, "code", "%u", e->code);
	slot(x, "frame", "%" PRIu64, e->first_frame);

	/* the segment the error quoted: "the client's SYN (frame 24, seq
	 * 0)" */
	if (!e->flags_known && e->quoted_frame != 0) {
		for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
			const struct tfe_row *r = row_at(c, i);
			if (r->kind == TFE_ROW_FRAME &&
			    r->frame == e->quoted_frame) {
				fl = r->flags;
				break;
			}
		}
	}
	if (!e->flags_known && e->quoted_frame == 0)
		pick(x, "quoted_what", "segment");
	else if ((fl & (TFE_TH_SYN | TFE_TH_ACK)) == TFE_TH_SYN)
		pick(x, "quoted_what", "syn");
	else if (fl & TFE_TH_SYN)
		pick(x, "quoted_what", "synack");
	else if (fl & TFE_TH_RST)
		pick(x, "quoted_what", "rst");
	else if (fl & TFE_TH_FIN)
		pick(x, "quoted_what", "fin");
	else
		pick(x, "quoted_what", "segment");
	slot(x, "seq", "%u", tfe_conn_rel_seq(c, side, e->seq));
	if (e->quoted_frame != 0)
		slot(x, "quoted_frame", "%" PRIu64, e->quoted_frame);
	pick(x, "quoted", e->quoted_frame != 0 ? "frame" :
	                  e->quoted_folded ? "folded" : "lacks");
	slot(x, "errors", "%u", e->count);
	slot(x, "last_error", "%" PRIu64, e->last_frame);
	pick(x, "more", e->count > 1 ? "many" : "one");
}

/*
 * icmp_unreachable: an ICMP or ICMPv6 error quoted a segment of the
 * connection (a destination unreachable, time exceeded, parameter
 * problem); icmp_packet_too_big: a fragmentation needed or packet too big
 * did.  What the application sees is Linux's (tcp_v4_err(),
 * tcp_v6_err()): before the handshake completes the error is hard and
 * connect() fails with it at once; after, it is soft: TCP keeps
 * re-sending and reports it only if the connection then times out
 * (RFC 1122 §4.2.3.9, RFC 5461).
 */
static void
rule_icmp(struct ctx *x)
{
	const struct tfe_conn *c = x->c;
	const struct tfe_icmp_seen *e;

	if (c->rare == NULL || c->rare->icmp == NULL ||
	    c->rare->icmp->count == 0)
		return;
	e = c->rare->icmp;
	struct icmp_words w = icmp_words(e);
	uint64_t fr[] = { e->quoted_frame ? e->quoted_frame : e->first_frame,
	                  e->quoted_frame ? e->first_frame : 0, 0 };

	icmp_slots(x, e, &w);
	if (icmp_too_big(e)) {
		slot(x, "mtu", "%u", e->mtu);
		say(x, TFE_V_ICMP_PACKET_TOO_BIG, e->side, fr, "too_big");
		vcount(x, "mtu_bytes", e->mtu);
		if (e->count > 1)
			vcount(x, "errors", e->count);
		return;
	}

	bool syn_sent = e->state == TFE_ST_SYN_SENT;
	if (e->hard && e->sent_after == 0 && e->closed && syn_sent)
		pick(x, "then", "connect_fails");
	else if (e->hard && e->sent_after == 0 && e->closed)
		pick(x, "then", "syn_queue");
	else if (e->hard && e->soft_stack)
		pick(x, "then", "soft_stack");
	else if (e->hard)
		pick(x, "then", "soft_linux");
	else if (e->state == TFE_ST_SYN_RECEIVED)
		pick(x, "then", "half_open");
	else
		pick(x, "then", "soft");
	if (w.err != NULL)
		slot(x, "errno", "%s", w.err);
	pick(x, "err", w.err != NULL ? "named" : "unknown");
	pick(x, "call", syn_sent ? "connect" : "half_open");
	slot(x, "sent_after", "%" PRIu64, e->sent_after);
	slot(x, "hard_frame", "%" PRIu64, e->hard_frame);
	pick(x, "ended", e->closed && (e->sent_after != 0 || !e->hard) ?
	                 "yes" : "no");
	say(x, TFE_V_ICMP_UNREACHABLE, e->side, fr, "error");
	vcount(x, "icmp_type", e->type);
	vcount(x, "icmp_code", e->code);
	if (e->count > 1)
		vcount(x, "errors", e->count);
}

static void
rule_open_and_reject(struct ctx *x)
{
	const struct tfe_conn *c = x->c;
	const struct tfe_endpoint *cl = &c->ep[TFE_SIDE_CLIENT];
	const struct tfe_endpoint *sv = &c->ep[TFE_SIDE_SERVER];

	if (c->close_how == TFE_CLOSE_REJECTED && c->rst_by == TFE_SIDE_SERVER &&
	    sv->synack_count == 0) {
		const struct tfe_row *syn = find_sent(c, TFE_SIDE_CLIENT,
		                                      TFE_TH_SYN, 0, NULL);
		const struct tfe_row *rst = find_reason(x, TFE_SIDE_CLIENT,
		                                        TFE_RS_RECV_RST_REFUSED);
		if (rst == NULL)
			rst = find_reason(x, TFE_SIDE_CLIENT,
			                  TFE_RS_RECV_RST_REFUSED_RETRIED);
		if (syn && rst) {
			/* the SYN it answered: the last one before it */
			guint i = 0;
			const struct tfe_row *r;
			while ((r = find_sent(c, TFE_SIDE_CLIENT, TFE_TH_SYN, i, &i)) &&
			       r->frame < rst->frame) {
				syn = r;
				i++;
			}
			uint64_t fr[] = { syn->frame, rst->frame, 0 };
			slot_ep(x, "server", TFE_SIDE_SERVER);
			slot(x, "syn", "%" PRIu64, syn->frame);
			slot(x, "rst", "%" PRIu64, rst->frame);
			slot(x, "delay", "%.3f",
			     (double)(rst->ts - syn->ts) / 1e6);
			pick(x, "resent", cl->syn_count > 1 ? "yes" : "no");
			pick(x, "outcome", tfe_conn_rare(c)->syn_again ?
			                   "retried" : "fails");
			slot(x, "port", "%u",
			     (unsigned)tfe_conn_port(c, TFE_SIDE_SERVER));
			say(x, TFE_V_RST_TO_CLOSED_PORT, TFE_SIDE_SERVER, fr,
			    "refused");
			vdur(x, "delay_s", rst->ts - syn->ts);
			vcount(x, "port", tfe_conn_port(c, TFE_SIDE_SERVER));
		}
	}
	if (c->close_how == TFE_CLOSE_UNANSWERED && cl->syn_count > 0 &&
	    !icmp_answered_syn(c)) {
		GString *times = g_string_new(NULL);
		uint64_t fr[3] = { 0 };
		int64_t first = 0, last = 0, prev = 0;
		guint n = 0, i = 0;
		bool last_long = false; /* the last wait has its unit */
		const struct tfe_row *r;

		while ((r = find_sent(c, TFE_SIDE_CLIENT, TFE_TH_SYN, i, &i))) {
			if (n == 0) {
				first = r->ts;
				fr[0] = r->frame;
			} else {
				char iw[40];
				/* a wait of a minute or more with its unit and
				 * in words: "32.0, 64.0 s (1 min 4 s)" */
				long_words(r->ts - prev, iw, sizeof iw);
				g_string_append_printf(times, "%s%.1f%s%s",
				                       n > 1 ? ", " : "",
				                       secs(r->ts - prev),
				                       iw[0] ? " s" : "", iw);
				last_long = iw[0] != '\0';
			}
			fr[1] = r->frame;
			prev = last = r->ts;
			n++;
			i++;
		}
		if (n == 1 && x->now - last < EVIDENCE_NS) {
			slot(x, "frame", "%" PRIu64, fr[0]);
			slot(x, "after", "%.3f s", secs(x->now - last));
			undecided(x, TFE_V_SYN_UNANSWERED, "undecided",
			          x->now - last, -1);
		}
		if (n > 0 && (n > 1 || x->now - last >= EVIDENCE_NS)) {
			if (fr[1] == fr[0])
				fr[1] = 0;
			slot_count(x, "syns", n);
			slot_ep(x, "server", TFE_SIDE_SERVER);
			slot(x, "first", "%" PRIu64, fr[0]);
			slot(x, "last", "%" PRIu64, fr[1] ? fr[1] : fr[0]);
			pick(x, "frames", fr[1] ? "range" : "one");
			slot_secs(x, "wait", x->now - first, 1);
			/* the list of waits ends with its unit */
			if (n > 1)
				slot(x, "times", "%s%s", times->str,
				     last_long ? "" : " s");
			pick(x, "resent", n > 1 ? "yes" : "no");
			port_listened(x, first, last);
			say(x, TFE_V_SYN_UNANSWERED, TFE_SIDE_SERVER, fr,
			    "syns");
			vcount(x, "syns", n);
			vdur(x, "wait_s", x->now - first);
		}
		g_string_free(times, TRUE);
	}
	if (c->roles == TFE_ROLES_SYN && sv->synack_count > 1 &&
	    c->hs_ack_ts == 0 && !c->rst_seen && cl->pkts == cl->syn_count &&
	    x->now - c->last_ts >= 0) {
		const struct tfe_row *sa = find_sent(c, TFE_SIDE_SERVER,
		                                     TFE_TH_SYN | TFE_TH_ACK, 0,
		                                     NULL);
		uint64_t fr[] = { sa ? sa->frame : 0, 0 };
		slot(x, "synacks", "%u", sv->synack_count);
		slot(x, "frame", "%" PRIu64, fr[0]);
		say(x, TFE_V_SYN_UNANSWERED, TFE_SIDE_CLIENT, fr, "synacks");
		vcount(x, "synacks", sv->synack_count);
	}
	if (c->roles == TFE_ROLES_SYN && sv->syn_count > 0) {
		const struct tfe_row *a = find_sent(c, TFE_SIDE_CLIENT, TFE_TH_SYN,
		                                    0, NULL);
		const struct tfe_row *b = find_sent(c, TFE_SIDE_SERVER, TFE_TH_SYN,
		                                    0, NULL);
		uint64_t fr[] = { a ? a->frame : 0, b ? b->frame : 0, 0 };
		slot(x, "client_syn", "%" PRIu64, fr[0]);
		slot(x, "server_syn", "%" PRIu64, fr[1]);
		/* each side's way from SYN_SENT, as the timeline has it: a
		 * side whose SYN was answered by a SYN+ACK before the peer's
		 * SYN reached it went straight to ESTABLISHED (a split
		 * handshake), not through SYN_RECEIVED */
		char path[2][64];
		for (int i = 0; i < 2; i++) {
			static const uint8_t order[] = { TFE_ST_SYN_SENT,
				TFE_ST_SYN_RECEIVED, TFE_ST_ESTABLISHED };
			size_t n = 0;
			path[i][0] = '\0';
			for (size_t k = 0; k < sizeof order; k++)
				if (x->states[i] & (1u << order[k]))
					n += (size_t)g_snprintf(path[i] + n,
						sizeof path[i] - n, "%s%s",
						n ? " -> " : "",
						tfe_state_names[order[k]]);
		}
		if (strcmp(path[0], path[1]) == 0) {
			slot(x, "path", "%s", path[0]);
			pick(x, "paths", "same");
		} else {
			slot(x, "client_path", "%s", path[0]);
			slot(x, "server_path", "%s", path[1]);
			pick(x, "paths", "differ");
		}
		say(x, TFE_V_SIMULTANEOUS_OPEN, TFE_SIDE_NONE, fr, "crossed");
	}
	if (c->roles != TFE_ROLES_SYN) {
		const char *from = c->roles == TFE_ROLES_SYNACK ? "synack" :
		                   "none";
		pick(x, "start", from);
		pick(x, "roles", from);
		say(x, TFE_V_MIDSTREAM, TFE_SIDE_NONE, NULL, "midstream");
	}
	if (cl->syn_count > 1 && c->close_how != TFE_CLOSE_UNANSWERED) {
		const struct tfe_row *syn = find_sent(c, TFE_SIDE_CLIENT,
		                                      TFE_TH_SYN, 0, NULL);
		uint64_t fr[] = { syn ? syn->frame : 0, 0 };
		/* a SYN answered by another socket's ACK, which the client
		 * reset (syn_to_stale_socket): Linux re-arms the SYN's timer
		 * at its minimum then (tcp_rcv_synsent_state_process()) */
		bool reset_ack = false;
		for (guint i = 0; i < tfe_timeline_len(&c->tl); i++)
			if (row_at(c, i)->kind == TFE_ROW_FRAME &&
			    row_at(c, i)->reason[TFE_SIDE_CLIENT] ==
			    TFE_RS_SEND_RST_BAD_ACK)
				reset_ack = true;
		slot(x, "syns", "%u", cl->syn_count);
		pick(x, "why", reset_ack ? "reset_ack" : "timeout");
		say(x, TFE_V_SYN_RETRANSMITTED, TFE_SIDE_CLIENT, fr, "resent");
		vcount(x, "syns", cl->syn_count);
	}
}


/*
 * missing_final_ack when the passive closer re-sent its FIN with no ACK of
 * the first copy in the capture: its FIN or the peer's ACK of it was lost,
 * and which one depends on where the capture sits.  The peer's ACK of the
 * FIN tells them apart when both carry timestamps: a receiver takes
 * TS.Recent only from a segment at its left window edge (RFC 7323 4.3),
 * so a peer that had the first copy keeps echoing it when the duplicate
 * comes, and a peer that never had it echoes the copy that arrived.
 */
static void
fin_resent_unacked(struct ctx *x, int side, const struct tfe_row *la)
{
	const struct tfe_conn *c = x->c;
	int p = !side;
	guint at = 0;
	const struct tfe_row *first = find_sent(c, side, TFE_TH_FIN, 0, &at);
	const struct tfe_row *again = NULL, *ack = NULL;

	if (first == NULL)
		return;
	for (guint i = at + 1; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = row_at(c, i);

		if (r->kind != TFE_ROW_FRAME)
			continue;
		if (r->dir == side && (r->flags & TFE_TH_FIN) && again == NULL)
			again = r;
		else if (r->dir == p && (r->flags & TFE_TH_ACK) &&
		         r->ack == first->seq + first->len + 1) {
			ack = r;
			break;
		}
	}
	if (again == NULL)
		return;
	int ts = ack != NULL && (ack->opt_mask & TFE_OPT_TS) &&
	         (first->opt_mask & TFE_OPT_TS) &&
	         (again->opt_mask & TFE_OPT_TS) && first->tsval != again->tsval;
	uint64_t fr[] = { la->frame, again->frame, ack ? ack->frame : 0, 0 };

	slot_ep(x, "sender", side);
	slot_at(x, "at", again->ts);
	slot(x, "again", "%" PRIu64, again->frame);
	slot(x, "first", "%" PRIu64, first->frame);
	slot_side(x, "peer", p);
	if (ack != NULL)
		slot(x, "ack", "%" PRIu64, ack->frame);
	/* Three FINs or more and not a segment of the peer after the
	 * first: more than the one loss the two readings assume. */
	const struct tfe_row *last = again;
	uint64_t fins = 0;
	for (guint i = at; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = row_at(c, i);
		if (r->kind == TFE_ROW_FRAME && r->dir == side &&
		    (r->flags & TFE_TH_FIN)) {
			fins++;
			last = r;
		}
	}
	bool silent = ack == NULL && fins >= 3 &&
	              c->ep[p].last_ts <= first->ts;
	if (silent) {
		slot_side(x, "sender_side", side);
		slot_count(x, "fins", fins);
		slot_secs(x, "fins_span", last->ts - first->ts, 1);
		pick(x, "why", "silent");
	} else if (ts && ack->tsecr == first->tsval)
		pick(x, "why", "first_had");
	else if (ts && ack->tsecr != first->tsval &&
	         (int32_t)(ack->tsecr - again->tsval) >= 0)
		pick(x, "why", "first_lost");
	else
		pick(x, "why", "unknown");
	if (!silent) /* (why.silent says it without {acked}) */
		pick(x, "acked", ack ? "yes" : "no");
	say(x, TFE_V_MISSING_FINAL_ACK, side, fr, "resent");
	vat(x, "resent_at_s", again->ts);
	if (silent) {
		vcount(x, "fins", fins);
		vdur(x, "fins_span_s", last->ts - first->ts);
	}
}

/*
 * Does `side` number its IP datagrams with a counter?  Hosts that do
 * (Linux per socket, Windows per host) continue it in the RST of a
 * socket; hosts that pick IDs at random, or send 0 with DF, give the IP ID
 * no meaning.  Learnt from its earliest kept frame with a non-zero ID to
 * the segment before its first RST: the ID must have moved by at least as
 * many segments as it sent in between, and not by much more (a host-wide
 * counter moves with its other traffic too).  Needs 2 segments or more in
 * between.
 */
static bool
ip_ids_counted(const struct tfe_conn *c, int side,
               const struct tfe_ep_rare *rare)
{
	if (rare->ip_id_before_rst == 0)
		return false;
	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = row_at(c, i);
		if (r->kind != TFE_ROW_FRAME || r->dir != side ||
		    (r->flags & TFE_TH_RST) || r->ip_id == 0 || r->nth == 0)
			continue;
		if (r->nth >= rare->rst_nth || rare->rst_nth - r->nth < 2)
			return false;
		uint32_t n = rare->rst_nth - r->nth;
		uint32_t moved = (uint16_t)(rare->ip_id_before_rst - r->ip_id);
		return moved >= n && moved <= 2 * n + 256;
	}
	return false;
}

/*
 * Does the first RST `side` sent not fit that host's earlier packets (an
 * IP ID far off its counter right after its previous packet, from a host
 * whose IDs were learnt to run as a counter, or a TTL
 * more than 4 away)?  0 when it fits, 1 for the IP ID, 2 for the TTL.  A
 * RST sent for no socket comes from another counter: only a RST its
 * socket sent is held to that socket's numbers (rst_suspicious).
 */
enum {
	RST_FOREIGN_IP_ID = 1,
	RST_FOREIGN_TTL,
	RST_FOREIGN_TTL_HIGHER,
	RST_FOREIGN_IP_ID_ZERO,
	RST_FOREIGN_WINDOW,
	RST_FOREIGN_DATA_AFTER
};

static int
rst_foreign(const struct tfe_conn *c, int side, int64_t idle_gap)
{
	const struct tfe_endpoint *ep = &c->ep[side];
	const struct tfe_ep_rare *rare = tfe_conn_rare_ep(c, side);

	if (!rare->rst_frame || !ep->rst_has_prev)
		return 0;
	const struct tfe_row *rr = find_sent(c, side, TFE_TH_RST, 0, NULL);
	bool socketless = rr && (rr->reason[side] == TFE_RS_SEND_RST_CLOSED ||
	                         rr->reason[side] ==
	                         TFE_RS_SEND_RST_NO_LISTENER ||
	                         rr->reason[side] ==
	                         TFE_RS_SEND_RST_NO_CONNECTION ||
	                         rr->reason[side] ==
	                         TFE_RS_SEND_RST_IDLE_DROPPED);
	/* After its own FIN the socket is closed: Linux answers a segment
	 * that reaches it with a RST of the kernel's control socket, which
	 * has a counter of its own. */
	const struct tfe_row *fin = find_sent(c, side, TFE_TH_FIN, 0, NULL);
	if (rr && fin && fin->frame < rr->frame)
		socketless = true;
	uint16_t jump = (uint16_t)(rare->rst_ip_id - rare->ip_id_before_rst);
	bool counted = !socketless && c->family == 4 &&
	               ip_ids_counted(c, side, rare);
	/* Only right after its previous packet: hosts with one counter for
	 * all their connections move it fast. */
	if (counted && rare->rst_gap < 2 * TFE_NS_PER_SEC &&
	    rare->rst_ip_id != 0 && jump > 1024 && jump < 65536 - 1024)
		return RST_FOREIGN_IP_ID;
	int dttl = (int)rare->rst_ttl - (int)rare->ttl_before_rst;
	if (dttl > 4 || dttl < -4)
		return RST_FOREIGN_TTL;
	/* Fewer hops than the host's own packets took: a device nearer
	 * than the host sent it (a firewall's REJECT --reject-with
	 * tcp-reset).  A host's own RSTs, from its socket or from its
	 * control socket, leave with the same initial TTL. */
	bool above = false, near;
	if (dttl > 0 && rr)
		(void)tfe_conn_rst_ttl(c, side, rr, &above, &near);
	if (above)
		return RST_FOREIGN_TTL_HIGHER;
	/* A socket's RST continues its counter; a counting host's socket
	 * does not send 0 (Linux's control socket does, which is why
	 * socket-less RSTs and those after its FIN are left out). */
	if (counted && rare->rst_ip_id == 0)
		return RST_FOREIGN_IP_ID_ZERO;
	/* A RST that continues the host's IP ID counter came from its
	 * stack, whatever its window says (some stacks put one in). */
	uint16_t step = (uint16_t)(jump - 1);
	bool continues = c->family == 4 && rare->rst_ip_id != 0 && step < 16;
	/* The window alone says another device, unless the RST answers the
	 * first segment after a silence the host may have dropped the
	 * connection in, with the host's own TTL: whatever answered then sits
	 * where the host does (the host, or a load balancer in front of it),
	 * and stacks differ in the window of a RST for no connection. */
	bool own_ttl_after_idle = dttl == 0 && rare->rst_gap >= idle_gap;
	if (rr && !socketless && !continues && !(rr->flags & TFE_TH_ACK) &&
	    rr->win != 0 && !own_ttl_after_idle)
		return RST_FOREIGN_WINDOW;
	/* Its sender went on sending data: its socket was not reset. */
	guint at = 0;
	if (rr && find_sent(c, side, TFE_TH_RST, 0, &at)) {
		for (guint i = at + 1; i < tfe_timeline_len(&c->tl); i++) {
			const struct tfe_row *r = row_at(c, i);
			if (r->kind == TFE_ROW_FRAME && r->dir == side &&
			    !(r->flags & (TFE_TH_RST | TFE_TH_SYN)) && r->len > 0 &&
			    !(r->notes & TFE_NOTE_RETRANS))
				return RST_FOREIGN_DATA_AFTER;
			if (r->kind == TFE_ROW_FRAME && r->dir != side)
				break;
		}
	}
	return 0;
}

/* Why rst_foreign() disowns `side`'s first RST (its reason `foreign`):
 * the alternative of the clause {foreign} that says so, and the numbers
 * it gives: what the RST has, what the host's earlier packets had (-1:
 * none).  rst_suspicious and middlebox_idle_timeout say it alike. */
struct foreign_why {
	const char *why;
	int64_t has, had;
	const char *has_name, *had_name;
};

static void
foreign_why(const struct tfe_conn *c, int side, int foreign,
            struct foreign_why *w)
{
	const struct tfe_ep_rare *rare = tfe_conn_rare_ep(c, side);
	const struct tfe_row *rr = find_sent(c, side, TFE_TH_RST, 0, NULL);

	w->has = -1;
	w->had = -1;
	w->has_name = "ip_id";
	w->had_name = "previous_ip_id";
	switch (foreign) {
	case RST_FOREIGN_IP_ID:
		w->why = "ip_id";
		w->has = rare->rst_ip_id;
		w->had = rare->ip_id_before_rst;
		break;
	case RST_FOREIGN_TTL:
	case RST_FOREIGN_TTL_HIGHER:
		w->why = foreign == RST_FOREIGN_TTL ? "ttl" : "ttl_higher";
		w->has = rare->rst_ttl;
		w->had = rare->ttl_before_rst;
		w->has_name = "ttl";
		w->had_name = "previous_ttl";
		break;
	case RST_FOREIGN_IP_ID_ZERO:
		w->why = "ip_id_zero";
		w->has = 0;
		w->had = rare->ip_id_before_rst;
		break;
	case RST_FOREIGN_WINDOW:
		w->why = "window";
		w->has = rr ? rr->win : 0;
		w->has_name = "window";
		break;
	default:
		w->why = "data_after";
		break;
	}
}

/* The slots of the clause {foreign}: `w` for the RST that claims to come
 * from `claimed`. */
static void
foreign_slots(struct ctx *x, const struct foreign_why *w, int claimed)
{
	pick(x, "foreign", w->why);
	if (w->has >= 0)
		slot(x, "has", "%" PRId64, w->has);
	if (w->had >= 0)
		slot(x, "had", "%" PRId64, w->had);
	slot_side(x, "claimed", claimed);
}

/* The numbers of the clause {foreign}, for the verdict just recorded. */
static void
foreign_numbers(struct ctx *x, const struct foreign_why *w)
{
	if (w->has >= 0)
		vcount(x, w->has_name, w->has);
	if (w->had >= 0)
		vcount(x, w->had_name, w->had);
}

/*
 * The RST before row `at` at which `side` went CLOSED: its own abort, or
 * NULL.  *j is its row.
 */
static const struct tfe_row *
own_abort_rst(const struct tfe_conn *c, int side, guint at, guint *j)
{
	for (guint i = at; i-- > 0;) {
		const struct tfe_row *r = row_at(c, i);
		uint8_t before = i > 0 ? row_at(c, i - 1)->state[side] :
		                         c->init_state[side];
		if (r->kind == TFE_ROW_FRAME && r->dir == side &&
		    (r->flags & TFE_TH_RST) && r->state[side] == TFE_ST_CLOSED &&
		    before != TFE_ST_CLOSED) {
			*j = i;
			return r;
		}
	}
	return NULL;
}

/*
 * The RST that aborted the connection: the first one its receiver took
 * (it went from an open or closing state to CLOSED, or back to LISTEN, at
 * that frame) and that its sender's TCP sent; when every such RST is one
 * its sender disowns (rst_foreign(), or it carried on after it), the
 * first of them, with *foreign set.  NULL when no RST moved its receiver.
 */
static const struct tfe_row *
aborting_rst(const struct ctx *x, guint *at, bool *foreign)
{
	const struct tfe_conn *c = x->c;
	const struct tfe_row *disowned = NULL;
	guint disowned_at = 0;
	uint8_t before[2] = { c->init_state[0], c->init_state[1] };

	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = row_at(c, i);
		int s = r->dir ? 1 : 0;

		if (r->kind == TFE_ROW_FRAME && (r->flags & TFE_TH_RST) &&
		    before[!s] != TFE_ST_CLOSED && before[!s] != TFE_ST_LISTEN &&
		    (r->state[!s] == TFE_ST_CLOSED ||
		     r->state[!s] == TFE_ST_LISTEN)) {
			bool own = r->reason[s] != TFE_RS_RST_NOT_ITS_OWN &&
			           r->reason[s] != TFE_RS_RST_REFUSAL_NOT_ITS_OWN &&
			           !(r->frame == tfe_conn_rare_ep(c, s)->rst_frame &&
			             rst_foreign(c, s, x->cfg->idle_gap));
			if (own) {
				*at = i;
				*foreign = false;
				return r;
			}
			if (disowned == NULL) {
				disowned = r;
				disowned_at = i;
			}
		}
		before[0] = r->state[0];
		before[1] = r->state[1];
	}
	*at = disowned_at;
	*foreign = disowned != NULL;
	return disowned;
}

/*
 * The server's TCP took the SYN (it answered with SYN+ACK) but would not
 * take the connection when the client's ACK came: Linux does that when
 * the listener's accept queue is full (the application does not call
 * accept() fast enough, or its listen() backlog is too small).  With
 * net.ipv4.tcp_abort_on_overflow=0, the default, it ignores the ACK and
 * every segment after it and keeps re-sending the SYN+ACK from the SYN
 * queue; with 1 it answers with a RST from no socket: no ACK flag, its
 * sequence number the client's ACK.  The server sent nothing but
 * SYN+ACKs before either.
 */
static bool
server_sent_only_synacks(const struct tfe_conn *c)
{
	const struct tfe_endpoint *sv = &c->ep[TFE_SIDE_SERVER];

	return c->roles == TFE_ROLES_SYN && sv->isn_known &&
	       sv->synack_count > 0 && sv->bytes == 0 && !sv->fin_sent;
}

/* The RST the overflow sent (tcp_abort_on_overflow=1), or NULL; *answered
 * is the client's segment it answered. */
static const struct tfe_row *
accept_overflow_rst(const struct ctx *x, const struct tfe_row **answered)
{
	const struct tfe_conn *c = x->c;
	const struct tfe_endpoint *sv = &c->ep[TFE_SIDE_SERVER];
	const struct tfe_row *last_cl = NULL;
	int64_t synack_ts = 0;
	int synacks = 0;

	if (!server_sent_only_synacks(c) || c->rst_by != TFE_SIDE_SERVER ||
	    c->hs_ack_ts == 0 ||
	    sv->pkts != (uint64_t)sv->synack_count + 1)
		return NULL;
	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = row_at(c, i);
		if (r->kind == TFE_ROW_RUN) {
			/* the server's frames are all kept (SYN+ACKs), so a
			 * run folds the client's alone: the RST answers its
			 * last if nothing follows */
			last_cl = r;
			continue;
		}
		if (r->kind != TFE_ROW_FRAME)
			continue;
		if (r->dir == TFE_SIDE_CLIENT) {
			last_cl = (r->flags & TFE_TH_ACK) &&
			          r->ack == sv->isn + 1 ? r : NULL;
			continue;
		}
		if (!(r->flags & TFE_TH_RST)) {
			synack_ts = r->ts; /* the server's frames are
			                      SYN+ACKs and the RST */
			synacks++;
			continue;
		}
		if (last_cl == NULL || (r->flags & TFE_TH_ACK) ||
		    r->seq != sv->isn + 1)
			return NULL;
		/* The overflow's RST answers the segment at once: within
		 * twice the round trip to the server (and 10 ms of jitter),
		 * or 1 s when none was measured.  Later, it answers
		 * something else (its listener closed, say). */
		int64_t asked = last_cl->kind == TFE_ROW_FRAME ? last_cl->ts :
		                last_cl->ts_last;
		int64_t rtt = -1, up, down;
		struct tfe_vantage v;
		tfe_vantage_estimate(c, &v);
		if (v.rtt_known[TFE_SIDE_SERVER])
			rtt = v.rtt[TFE_SIDE_SERVER];
		else if (tfe_conn_handshake_rtt(c, &up, &down))
			rtt = up;
		int64_t within = rtt >= 0 ? 2 * rtt + TFE_NS_PER_SEC / 100 :
		                 TFE_NS_PER_SEC;
		if (r->ts - asked > within)
			return NULL;
		/* ... and the segment it answers came while the server still
		 * held the connection in its SYN queue: before its SYN+ACK was
		 * due to be re-sent (1 s, doubled for each re-send; Linux's
		 * TCP_TIMEOUT_INIT).  Past that with no SYN+ACK re-sent, an
		 * earlier ACK had reached it and been taken. */
		int64_t due = synacks > 0 && synacks <= 7 ?
		              TFE_NS_PER_SEC << (synacks - 1) : INT64_MAX / 4;
		if (synacks > 0 && asked - synack_ts > due + within)
			return NULL;
		*answered = last_cl;
		return r;
	}
	return NULL;
}

static void
rule_accept_queue(struct ctx *x)
{
	const struct tfe_conn *c = x->c;
	const struct tfe_endpoint *cl = &c->ep[TFE_SIDE_CLIENT];
	const struct tfe_endpoint *sv = &c->ep[TFE_SIDE_SERVER];

	if (!server_sent_only_synacks(c))
		return;
	const struct tfe_row *answered = NULL;
	const struct tfe_row *rst = accept_overflow_rst(x, &answered);
	if (rst != NULL) {
		uint64_t fr[] = { answered->kind == TFE_ROW_FRAME ?
		                  answered->frame : tfe_row_frame_last(answered),
		                  rst->frame, 0 };
		int64_t delay = rst->ts - (answered->kind == TFE_ROW_FRAME ?
		                           answered->ts : answered->ts_last);
		const char *got = cl->bytes > 0 ? "data" : "ack";
		slot_ep(x, "server", TFE_SIDE_SERVER);
		pick(x, "what", got);
		slot(x, "answered", "%" PRIu64, fr[0]);
		slot(x, "delay", "%.3f", (double)delay / 1e6);
		slot(x, "rst", "%" PRIu64, rst->frame);
		slot_at(x, "at", rst->ts);
		pick(x, "call", got);
		say(x, TFE_V_ACCEPT_QUEUE_FULL, TFE_SIDE_SERVER, fr, "reset");
		vdur(x, "delay_s", delay);
		vat(x, "rst_at_s", rst->ts);
		return;
	}
	/* The ACKs ignored: SYN+ACKs re-sent after the client acknowledged
	 * a re-sent one (one lost ACK would explain a single re-send). */
	if (sv->synack_count < 3 || sv->pkts != sv->synack_count || c->rst_seen)
		return;
	const struct tfe_row *first_ack = NULL, *last_sa = NULL;
	guint resent_after = 0, sas = 0;
	bool acked_since = false;
	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = row_at(c, i);
		if (r->kind != TFE_ROW_FRAME)
			continue;
		if (r->dir == TFE_SIDE_CLIENT && (r->flags & TFE_TH_ACK) &&
		    !(r->flags & TFE_TH_SYN) && r->ack == sv->isn + 1) {
			if (first_ack == NULL)
				first_ack = r;
			acked_since = true;
		} else if (r->dir == TFE_SIDE_SERVER &&
		           (r->flags & (TFE_TH_SYN | TFE_TH_ACK)) ==
		           (TFE_TH_SYN | TFE_TH_ACK)) {
			sas++;
			if (acked_since && sas > 2)
				resent_after++;
			if (acked_since)
				last_sa = r;
			acked_since = false;
		}
	}
	if (resent_after == 0 || first_ack == NULL || last_sa == NULL)
		return;
	uint64_t fr[] = { first_ack->frame, last_sa->frame, 0 };
	uint32_t data = tfe_seq_gt(cl->snd_nxt, cl->isn + 1) ?
	                cl->snd_nxt - cl->isn - 1 : 0;
	slot_ep(x, "server", TFE_SIDE_SERVER);
	slot(x, "synacks", "%u", sv->synack_count);
	slot_at(x, "at", last_sa->ts);
	slot(x, "last", "%" PRIu64, last_sa->frame);
	slot(x, "first_ack", "%" PRIu64, first_ack->frame);
	slot(x, "segments", "%" PRIu64, cl->pkts - cl->syn_count);
	if (data > 0) {
		slot(x, "bytes", "%" PRIu32, data);
		slot_count(x, "resent", cl->data_retrans);
	}
	pick(x, "data", data > 0 ? "unacked" : "none");
	say(x, TFE_V_ACCEPT_QUEUE_FULL, TFE_SIDE_SERVER, fr, "ignored");
	vcount(x, "synacks", sv->synack_count);
	vat(x, "last_synack_at_s", last_sa->ts);
	vcount(x, "segments", cl->pkts - cl->syn_count);
	if (data > 0) {
		vcount(x, "data_bytes", data);
		vcount(x, "data_resent", cl->data_retrans);
	}
}

/* The server's FIN must follow at least this much silence for
 * keepalive_race: an idle connection a keep-alive timer closed. */
#define KEEPALIVE_RACE_IDLE_NS (1 * TFE_NS_PER_SEC)

struct race {
	const struct tfe_row *fin, *rst;
	uint64_t req_frame;     /* 0 when the capture saw the request before
	                           the FIN (folded into the rows before it) */
	int64_t req_ts;
	uint32_t req_len;       /* its first segment, or the bytes the FIN
	                           left unacknowledged */
	int64_t idle;
};

/*
 * keepalive_race: the server closed an idle connection (its first FIN,
 * after KEEPALIVE_RACE_IDLE_NS of silence) while the client was already
 * sending a request on it, and its TCP, its socket closed, answered the
 * request with a RST (RFC 1122 §4.2.2.13).  The request crossed the FIN:
 * either the capture shows it after the FIN and it does not acknowledge
 * the FIN (the client sent it before the FIN reached it), or the capture
 * shows it first and the FIN does not acknowledge it (the server sent
 * its FIN before the request reached it).  A request that acknowledges
 * the FIN was written after the client's TCP had the FIN: not a race
 * the capture can show, abortive_close alone speaks of it.
 */
static bool
keepalive_race(const struct ctx *x, struct race *k)
{
	const struct tfe_conn *c = x->c;
	const struct tfe_endpoint *sv = &c->ep[TFE_SIDE_SERVER];

	if (!sv->fin_sent || !c->rst_seen || c->rst_by != TFE_SIDE_SERVER ||
	    silent(c, TFE_SIDE_CLIENT) || silent(c, TFE_SIDE_SERVER))
		return false;
	guint fi = 0, ri = 0;
	const struct tfe_row *fin = find_sent(c, TFE_SIDE_SERVER, TFE_TH_FIN,
	                                      0, &fi);
	if (fin == NULL || fi == 0)
		return false;
	const struct tfe_row *cfin = find_sent(c, TFE_SIDE_CLIENT, TFE_TH_FIN,
	                                       0, NULL);
	if (cfin && cfin->frame < fin->frame)
		return false;
	const struct tfe_ep_rare *cr = tfe_conn_rare_ep(c, TFE_SIDE_CLIENT);
	const struct tfe_ep_rare *sr = tfe_conn_rare_ep(c, TFE_SIDE_SERVER);
	memset(k, 0, sizeof *k);
	if (cr->segs_after_peer_fin > 0 && cr->apf_frame > fin->frame &&
	    !cr->apf_acks_fin) {
		const struct tfe_row *prev = row_at(c, fi - 1);
		k->req_frame = cr->apf_frame;
		k->req_ts = cr->apf_ts;
		k->req_len = cr->apf_len;
		k->idle = fin->ts - (prev->kind == TFE_ROW_RUN ? prev->ts_last
		                                               : prev->ts);
	} else if (sr->fin_peer_unacked > 0 && sr->fin_own_prev_ts != 0 &&
	           sr->fin_peer_last_ts > sr->fin_own_prev_ts) {
		k->req_ts = sr->fin_peer_last_ts;
		k->req_len = sr->fin_peer_unacked;
		k->idle = fin->ts - sr->fin_own_prev_ts;
	} else {
		return false;
	}
	if (k->idle < KEEPALIVE_RACE_IDLE_NS)
		return false;
	const struct tfe_row *rst = find_sent(c, TFE_SIDE_SERVER, TFE_TH_RST,
	                                      fi + 1, &ri);
	if (rst == NULL ||
	    rst->reason[TFE_SIDE_SERVER] != TFE_RS_SEND_RST_AFTER_CLOSE ||
	    (k->req_frame && rst->frame < k->req_frame) ||
	    (rst->frame == tfe_conn_rare_ep(c, TFE_SIDE_SERVER)->rst_frame &&
	     rst_foreign(c, TFE_SIDE_SERVER, x->cfg->idle_gap)))
		return false;
	k->fin = fin;
	k->rst = rst;
	return true;
}

static void
rule_keepalive_race(struct ctx *x)
{
	struct race k;

	if (!keepalive_race(x, &k))
		return;
	uint64_t fr[] = { k.fin->frame, k.req_frame ? k.req_frame : k.rst->frame,
	                  k.req_frame ? k.rst->frame : 0, 0 };
	int64_t gap = k.req_ts - k.fin->ts;
	/* the request came after the FIN, or was captured before it */
	const char *when = k.req_frame ? "after" : "before";
	slot_ep(x, "server", TFE_SIDE_SERVER);
	slot_secs(x, "idle", k.idle, 3);
	pick(x, "quiet", when);
	slot_at(x, "at", k.fin->ts);
	slot(x, "fin", "%" PRIu64, k.fin->frame);
	if (k.req_frame)
		slot(x, "request_frame", "%" PRIu64, k.req_frame);
	slot(x, "request_bytes", "%" PRIu32, k.req_len);
	slot(x, "gap", "%.3f", (double)(k.req_frame ? gap : -gap) / 1e6);
	pick(x, "request", when);
	slot(x, "rst", "%" PRIu64, k.rst->frame);
	say(x, TFE_V_KEEPALIVE_RACE, TFE_SIDE_SERVER, fr, "race");
	vdur(x, "idle_s", k.idle);
	vat(x, "fin_at_s", k.fin->ts);
	vdur(x, k.req_frame ? "request_after_fin_s" : "request_before_fin_s",
	     gap < 0 ? -gap : gap);
	vcount(x, "request_bytes", k.req_len);
}

/*
 * middlebox_idle_timeout: a NAT gateway, load balancer or stateful
 * firewall forgets a connection that stays idle longer than its idle
 * timeout; it answers the next segment with a RST in the peer's name,
 * drops it, or resets the connection itself when it times it out.  The
 * connection's latest idle gap (tfe_evidence_idle_gap(): at least
 * --idle-gap-threshold with no segment either way, begun with nothing
 * unacknowledged, and longer than any earlier one, which the middlebox
 * let pass) was broken by side A, and either
 *   (a) the first segment some side B sent after it is B's first RST, one
 *       rst_foreign() disowns (its TTL or IP ID does not fit B's earlier
 *       packets): not B's TCP's.  It answered A's segment (B is A's
 *       peer), or it broke the silence itself (B is A); or
 *   (b) A's peer B, which had sent before the gap, sent nothing at all
 *       after it, while A re-sent its data at least twice.
 * Keepalive probes into silence are keepalive_unanswered's.
 */
struct idle_fail {
	const struct tfe_row *gap;    /* the first frame after the gap */
	const struct tfe_row *rst;    /* (a) the RST; NULL for (b) */
	int foreign;                  /* (a) its rst_foreign() reason */
	int rst_side;                 /* (a) B, the side it claims */
	const struct tfe_row *first, *last; /* (b) the first and last
	                                       re-send */
	uint32_t resent;              /* (b) A's re-sends after the gap */
	int side;                     /* A, who broke the silence */
	bool no_connection;           /* (c) the RST fits B's host */
};

static bool
middlebox_idle(const struct ctx *x, struct idle_fail *f)
{
	const struct tfe_conn *c = x->c;
	const struct tfe_conn_rare *cr = tfe_conn_rare(c);

	if (cr->gap_frame == 0)
		return false;
	int64_t gap = cr->gap_to_ts - cr->gap_from_ts;
	int a = cr->gap_side, b = !a;
	if (gap < x->cfg->idle_gap || gap <= cr->gap_longest_before ||
	    silent(c, a) || silent(c, b))
		return false;
	memset(f, 0, sizeof *f);
	f->side = a;
	guint gi = 0;
	for (; gi < tfe_timeline_len(&c->tl); gi++) {
		const struct tfe_row *r = row_at(c, gi);
		if (r->kind == TFE_ROW_FRAME && r->frame == cr->gap_frame)
			break;
	}
	if (gi == tfe_timeline_len(&c->tl))
		return false; /* past the bound of rows */
	f->gap = row_at(c, gi);

	/* (a): B's first segment after the gap is its first RST, and not
	 * its TCP's */
	for (int s = 0; s < 2; s++) {
		const struct tfe_ep_rare *sr = tfe_conn_rare_ep(c, s);
		if (sr->rst_frame < cr->gap_frame)
			continue;
		const struct tfe_row *rst = find_sent(c, s, TFE_TH_RST, gi, NULL);
		if (rst == NULL || rst->frame != sr->rst_frame ||
		    rst->nth != cr->gap_pkts[s] + 1)
			continue;
		f->foreign = rst_foreign(c, s, x->cfg->idle_gap);
		if (f->foreign != 0) {
			f->rst = rst;
			f->rst_side = s;
			return true;
		}
	}
	/* (c): B answered A's first segment after the gap with its first
	 * RST, the one a TCP sends for a connection it does not have (no
	 * ACK, its number the segment's ACK), with B's own TTL after the
	 * silence (rst_foreign() does not disown it). */
	/* Both were ESTABLISHED before it: a side whose FIN was answered
	 * sits in FIN_WAIT_2, which times out on its own (rst-last-ack) */
	const struct tfe_row *pre = gi > 0 ? row_at(c, gi - 1) : NULL;
	if (pre != NULL && pre->state[a] == TFE_ST_ESTABLISHED &&
	    pre->state[b] == TFE_ST_ESTABLISHED &&
	    !(f->gap->flags & (TFE_TH_RST | TFE_TH_FIN | TFE_TH_SYN)) &&
	    (f->gap->flags & TFE_TH_ACK) &&
	    f->gap->dir == a && tfe_conn_rare_ep(c, b)->rst_frame != 0) {
		const struct tfe_row *rst = find_sent(c, b, TFE_TH_RST, gi, NULL);
		if (rst != NULL &&
		    rst->frame == tfe_conn_rare_ep(c, b)->rst_frame &&
		    rst->nth == cr->gap_pkts[b] + 1 &&
		    !(rst->flags & TFE_TH_ACK) && rst->seq == f->gap->ack &&
		    rst->ttl == tfe_conn_rare_ep(c, b)->ttl_before_rst) {
			f->rst = rst;
			f->rst_side = b;
			f->no_connection = true;
			return true;
		}
	}
	/* (b) */
	if (cr->gap_pkts[b] == 0 || c->ep[b].pkts != cr->gap_pkts[b])
		return false;
	for (guint i = gi; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = row_at(c, i);
		if (r->kind == TFE_ROW_FRAME && r->dir == a &&
		    (r->notes & TFE_NOTE_RETRANS)) {
			if (f->first == NULL)
				f->first = r;
			f->last = r;
			f->resent++;
		}
	}
	return f->resent >= 2;
}

static void
rule_middlebox_idle(struct ctx *x)
{
	const struct tfe_conn *c = x->c;
	const struct tfe_conn_rare *cr = tfe_conn_rare(c);
	struct idle_fail f;

	if (!middlebox_idle(x, &f))
		return;
	int a = f.side, b = !a;
	int64_t gap = cr->gap_to_ts - cr->gap_from_ts;
	/* the words {silence} gives */
	slot_secs(x, "gap", gap, 3);
	slot(x, "gap_from", "%" PRIu64, cr->gap_from_frame);
	slot(x, "threshold", "%.1f s", secs(x->cfg->idle_gap));
	slot_side(x, "resumer", a);
	slot_side(x, "peer", b);
	if (f.rst && f.rst_side == a) {
		/* the RST broke the silence itself */
		struct foreign_why w;
		foreign_why(c, a, f.foreign, &w);
		uint64_t fr[] = { f.rst->frame, 0 };
		slot(x, "rst", "%" PRIu64, f.rst->frame);
		slot_at(x, "rst_at", f.rst->ts);
		foreign_slots(x, &w, a);
		say(x, TFE_V_MIDDLEBOX_IDLE_TIMEOUT, TFE_SIDE_NONE, fr,
		    "rst_itself");
		vdur(x, "idle_s", gap);
		vdur(x, "threshold_s", x->cfg->idle_gap);
		vat(x, "rst_at_s", f.rst->ts);
		foreign_numbers(x, &w);
		return;
	}
	slot(x, "resumed", "%" PRIu64, f.gap->frame);
	slot_at(x, "resumed_at", f.gap->ts);
	if (f.rst) {
		/* B's own end answered (no_connection), or something in B's
		 * name that rst_foreign() disowns */
		struct foreign_why w = { 0 };
		uint64_t fr[] = { f.gap->frame, f.rst->frame, 0 };
		slot(x, "rst", "%" PRIu64, f.rst->frame);
		slot_at(x, "rst_at", f.rst->ts);
		if (f.no_connection) {
			slot(x, "ttl", "%u", f.rst->ttl);
		} else {
			foreign_why(c, b, f.foreign, &w);
			foreign_slots(x, &w, b);
		}
		say(x, TFE_V_MIDDLEBOX_IDLE_TIMEOUT, TFE_SIDE_NONE, fr,
		    f.no_connection ? "rst_no_connection" : "rst_answer");
		vdur(x, "idle_s", gap);
		vdur(x, "threshold_s", x->cfg->idle_gap);
		vat(x, "resumed_at_s", f.gap->ts);
		vat(x, "rst_at_s", f.rst->ts);
		if (f.no_connection)
			vcount(x, "ttl", f.rst->ttl);
		else
			foreign_numbers(x, &w);
		return;
	}
	uint64_t fr[] = { f.gap->frame, f.first->frame, f.last->frame, 0 };
	slot(x, "resent", "%u", f.resent);
	slot(x, "resent_for", "%.3f s", secs(f.last->ts - f.gap->ts));
	slot(x, "first", "%" PRIu64, f.first->frame);
	slot(x, "last", "%" PRIu64, f.last->frame);
	say(x, TFE_V_MIDDLEBOX_IDLE_TIMEOUT, TFE_SIDE_NONE, fr, "dropped");
	vdur(x, "idle_s", gap);
	vdur(x, "threshold_s", x->cfg->idle_gap);
	vat(x, "resumed_at_s", f.gap->ts);
	vcount(x, "resent", f.resent);
	vdur(x, "resent_for_s", f.last->ts - f.gap->ts);
}

/*
 * Until when a segment of `rcv`, the receiver of the RST `rst`, may have
 * been sent before the RST reached it (the two crossed on the wire):
 * within a round trip after the RST passed the capture point, the longer
 * of the handshake's and the capture point's to that host (vantage.h; its
 * smallest sample can be shorter than the host's answer to a RST took),
 * doubled and with 10 ms more, as queues and the host's own work add to
 * the least round trip.  With neither measured, 1 s (RFC 6298's first
 * RTO) bounds it: the capture cannot tell a crossing within it from a
 * segment sent after.
 */
static int64_t
crossed_by(const struct tfe_conn *c, const struct tfe_row *rst, int rcv)
{
	struct tfe_vantage v;
	int64_t rtt = -1, up, down;

	tfe_vantage_estimate(c, &v);
	if (v.rtt_known[rcv])
		rtt = v.rtt[rcv];
	if (tfe_conn_handshake_rtt(c, &up, &down) && up + down > rtt)
		rtt = up + down;
	return rst->ts + (rtt >= 0 ? 2 * rtt + TFE_NS_PER_SEC / 100 :
	                  TFE_NS_PER_SEC);
}

/* Live: the process that holds `side`'s socket, when the kernel told it
 * (local.h); else NULL. */
static const struct tfe_ksock *
socket_owner(const struct tfe_conn *c, int side)
{
	const struct tfe_local *lc = tfe_conn_local(c);

	if (lc == NULL || !lc->side[side].local ||
	    lc->side[side].owner != TFE_OWN_FOUND)
		return NULL;
	return &lc->side[side];
}

/* lingering_close_wait, or the reason open_at_end gives when the capture
 * was too short to tell */
static void
rule_lingering_close_wait(struct ctx *x, int side)
{
	const struct tfe_conn *c = x->c;
	const struct tfe_endpoint *ep = &c->ep[side];
	const struct tfe_endpoint *peer = &c->ep[!side];
	int p = !side;

	/* lingering_close_wait: it took the peer's FIN and kept
	 * quiet: ordinary traffic gets no warning (doc/verdicts.md). */
	guint at = 0;
	const struct tfe_row *cw = find_entered(x, side,
	                                        TFE_ST_CLOSE_WAIT, &at);
	/* ... and showed itself: a side the capture never saw send
	 * anything may never have had the FIN, or the connection */
	/* ... and acknowledged the FIN: a receiving TCP always does, so
	 * one never acknowledged never reached a socket */
	if (cw != NULL && !silent(c, side) && ep->pkts > 0 &&
	    ep->acked_peer_fin) {
		guint fin_at = 0;
		const struct tfe_row *fin = find_sent(c, side, TFE_TH_FIN,
		                                      at + 1, &fin_at);
		int64_t until = fin ? fin->ts : x->now;
		/* the peer's state while it waited: just before the late
		 * FIN, or at the end */
		uint8_t pw = fin ? row_at(c, fin_at - 1)->state[p]
		                 : peer->state;
		int64_t wait = until - cw->ts;
		if (fin == NULL && !c->rst_seen &&
		    wait < x->cfg->close_wait) {
			/* the later rule's reason is the one printed */
			slot_side(x, "side", side);
			pick(x, "end", c->end_cause == TFE_END_REUSED ?
			               "reused" : "capture");
			slot_secs(x, "waited", wait, 3);
			slot_side(x, "peer", p);
			slot(x, "frame", "%" PRIu64, cw->frame);
			slot(x, "threshold", "%.1f s",
			     secs(x->cfg->close_wait));
			undecided(x, TFE_V_LINGERING_CLOSE_WAIT, "undecided",
			          wait, x->cfg->close_wait);
		}
		if (wait >= x->cfg->close_wait &&
		    (fin != NULL || !c->rst_seen)) {
			uint64_t fr[] = { cw->frame, fin ? fin->frame : 0, 0 };
			const struct tfe_ksock *own = socket_owner(c, side);
			slot_ep(x, "receiver", side);
			slot_side(x, "peer", p);
			slot_at(x, "at", cw->ts);
			slot(x, "frame", "%" PRIu64, cw->frame);
			slot_secs(x, "wait", wait, 1);
			if (fin) {
				slot_at(x, "late_at", fin->ts);
				slot(x, "late", "%" PRIu64, fin->frame);
			}
			pick(x, "until", fin ? "late" :
			     c->end_cause == TFE_END_IDLE ? "idle" :
			     c->end_cause == TFE_END_REUSED ? "reused" :
			     "capture");
			slot_side(x, "side", side);
			pick(x, "then", fin ? "late" : "open");
			slot(x, "peer_state", "%s", tfe_state_names[pw]);
			if (own) {
				slot(x, "pid", "%d", (int)own->pid);
				slot(x, "command", "%s", own->comm);
			}
			pick(x, "owner", !own ? "none" :
			                 fin ? "held" : "holds");
			say(x, TFE_V_LINGERING_CLOSE_WAIT, side, fr, "lingers");
			vdur(x, "wait_s", wait);
			vdur(x, "threshold_s", x->cfg->close_wait);
			vat(x, "fin_at_s", cw->ts);
			if (fin)
				vat(x, "late_fin_at_s", fin->ts);
			if (own)
				vcount(x, "pid", own->pid);
		}
	}
}

/* missing_final_ack, or why the capture cannot tell */
static void
rule_missing_final_ack(struct ctx *x, int side)
{
	const struct tfe_conn *c = x->c;
	const struct tfe_endpoint *ep = &c->ep[side];
	const struct tfe_endpoint *peer = &c->ep[!side];
	int p = !side;

	/* missing_final_ack: the passive closer's FIN was ACKed, the
	 * ACK never arrived, and it re-sent the FIN; or its FIN stayed
	 * unacknowledged for EVIDENCE_NS of capture. */
	const struct tfe_row *la = find_entered(x, side, TFE_ST_LAST_ACK,
	                                        NULL);
	if (la != NULL) {
		/* the rarest first: most passive closers have none */
		const struct tfe_row *again = find_reason(x, side,
		                                 TFE_RS_REVERT_FINACK_LOST);
		const struct tfe_row *lost = again == NULL ? NULL :
			find_reason(x, side, TFE_RS_ACK_LOST);
		if (lost && again) {
			const struct tfe_row *reack =
				find_reason(x, p, TFE_RS_TW_REACK);
			uint64_t fr[] = { la->frame, lost->frame, again->frame,
			                  reack ? reack->frame : 0 };
			slot_ep(x, "sender", side);
			slot_at(x, "at", again->ts);
			slot(x, "again", "%" PRIu64, again->frame);
			slot_side(x, "peer", p);
			slot(x, "lost", "%" PRIu64, lost->frame);
			if (reack)
				slot(x, "reack_frame", "%" PRIu64,
				     reack->frame);
			pick(x, "reack", reack ? "yes" : "no");
			say(x, TFE_V_MISSING_FINAL_ACK, side, fr, "ack_lost");
			vat(x, "resent_at_s", again->ts);
		} else if (silent(c, p)) {
			/* its ACK would not be in the capture */
		} else if (ep->fin_count > 1 && !c->rst_seen) {
			fin_resent_unacked(x, side, la);
		} else if (!ep->fin_acked && ep->fin_sent && !c->rst_seen &&
		           x->now - la->ts < EVIDENCE_NS && !x->undecided) {
			slot_side(x, "side", side);
			slot(x, "frame", "%" PRIu64, la->frame);
			slot(x, "after", "%.3f s", secs(x->now - la->ts));
			undecided(x, TFE_V_MISSING_FINAL_ACK, "undecided",
			          x->now - la->ts, -1);
		} else if (!ep->fin_acked && ep->fin_sent &&
		           x->now - la->ts >= resend_due(c) &&
		           !c->rst_seen) {
			/* A side in LAST_ACK whose FIN is not acknowledged
			 * re-sends it within resend_due(): none in that
			 * long, it had its ACK, and the capture missed
			 * it.  No warning: the capture's loss, not the
			 * network's. */
			if (!x->undecided) {
				slot_side(x, "side", side);
				slot(x, "frame", "%" PRIu64, la->frame);
				slot_secs(x, "after", x->now - la->ts, 1);
				slot(x, "due", "%.1f s", secs(resend_due(c)));
				undecided(x, TFE_V_MISSING_FINAL_ACK,
				          "undecided_missed", x->now - la->ts,
				          resend_due(c));
			}
		} else if (!ep->fin_acked && ep->fin_sent &&
		           x->now - la->ts >= EVIDENCE_NS &&
		           !c->rst_seen) {
			uint64_t fr[] = { la->frame, 0 };
			slot_ep(x, "sender", side);
			slot_at(x, "at", la->ts);
			slot(x, "frame", "%" PRIu64, la->frame);
			slot_secs(x, "wait", x->now - la->ts, 1);
			slot_side(x, "peer", p);
			pick(x, "peer_did", peer->state == TFE_ST_TIME_WAIT ?
			                    "time_wait" : "nothing");
			slot(x, "due", "%.1f s", secs(resend_due(c)));
			slot_side(x, "side", side);
			say(x, TFE_V_MISSING_FINAL_ACK, side, fr, "last_ack");
			vat(x, "fin_at_s", la->ts);
			vdur(x, "wait_s", x->now - la->ts);
		}
	}
}

/* half_close */
static void
rule_half_close(struct ctx *x, int side, bool sim_close)
{
	const struct tfe_conn *c = x->c;
	const struct tfe_endpoint *ep = &c->ep[side];
	int p = !side;

	/* half_close: data to a side after its FIN; not when the
	 * FINs crossed (simultaneous_close): the data then was sent
	 * before the FIN reached its sender. */
	const struct tfe_ep_rare *prare = tfe_conn_rare_ep(c, p);
	if (ep->fin_sent && prare->bytes_after_peer_fin > 0 &&
	    ep->acked_after_fin && !sim_close) {
		const struct tfe_row *fin = find_sent(c, side, TFE_TH_FIN, 0,
		                                      NULL);
		const struct tfe_row *pfin = find_sent(c, p, TFE_TH_FIN, 0,
		                                       NULL);
		if (fin) {
			uint64_t fr[] = { fin->frame, pfin ? pfin->frame : 0, 0 };
			slot_ep(x, "sender", side);
			slot_at(x, "at", fin->ts);
			slot(x, "frame", "%" PRIu64, fin->frame);
			slot_side(x, "peer", p);
			slot(x, "bytes", "%" PRIu64,
			     prare->bytes_after_peer_fin);
			slot(x, "segments", "%u", prare->segs_after_peer_fin);
			if (pfin) {
				slot_at(x, "peer_fin_at", pfin->ts);
				slot(x, "peer_fin", "%" PRIu64, pfin->frame);
			}
			pick(x, "end", pfin ? "fin" : "open");
			say(x, TFE_V_HALF_CLOSE, side, fr, "half_close");
			vat(x, "fin_at_s", fin->ts);
			vcount(x, "data_bytes", prare->bytes_after_peer_fin);
			vcount(x, "segments", prare->segs_after_peer_fin);
			if (pfin)
				vat(x, "peer_fin_at_s", pfin->ts);
		}
	}
}

/* fin_retransmitted */
static void
rule_fin_retransmitted(struct ctx *x, int side)
{
	const struct tfe_conn *c = x->c;
	const struct tfe_endpoint *ep = &c->ep[side];

	if (ep->fin_count > 1) {
		const struct tfe_row *fin = find_sent(c, side, TFE_TH_FIN, 0,
		                                      NULL);
		uint64_t fr[] = { fin ? fin->frame : 0, 0 };
		slot_ep(x, "sender", side);
		slot(x, "fins", "%u", ep->fin_count);
		say(x, TFE_V_FIN_RETRANSMITTED, side, fr, "resent");
		vcount(x, "fins", ep->fin_count);
	}
}

/* simultaneous_close */
static void
rule_simultaneous_close(struct ctx *x)
{
	const struct tfe_conn *c = x->c;

	const struct tfe_row *a = find_sent(c, TFE_SIDE_CLIENT, TFE_TH_FIN,
	                                    0, NULL);
	const struct tfe_row *b = find_sent(c, TFE_SIDE_SERVER, TFE_TH_FIN,
	                                    0, NULL);
	uint64_t fr[] = { a ? a->frame : 0, b ? b->frame : 0, 0 };
	if (fr[0] > fr[1]) {
		uint64_t t = fr[0];
		fr[0] = fr[1];
		fr[1] = t;
	}
	/* what the timeline says of each side, not the textbook */
	bool cg0 = x->states[0] & (1u << TFE_ST_CLOSING);
	bool cg1 = x->states[1] & (1u << TFE_ST_CLOSING);
	slot(x, "first", "%" PRIu64, fr[0]);
	slot(x, "second", "%" PRIu64, fr[1]);
	if (cg0 != cg1)
		slot_side(x, "closing", cg0 ? 0 : 1);
	pick(x, "went", cg0 && cg1 ? "both" : cg0 || cg1 ? "one" : "neither");
	if (c->ep[0].state == TFE_ST_TIME_WAIT &&
	    c->ep[1].state == TFE_ST_TIME_WAIT) {
		pick(x, "end", "time_wait");
	} else {
		slot(x, "client_state", "%s", tfe_state_names[c->ep[0].state]);
		slot(x, "server_state", "%s", tfe_state_names[c->ep[1].state]);
		pick(x, "end", "states");
	}
	say(x, TFE_V_SIMULTANEOUS_CLOSE, TFE_SIDE_NONE, fr, "crossed");
}

/* abortive_close and fin_then_rst */
static void
rule_abort(struct ctx *x)
{
	const struct tfe_conn *c = x->c;

	bool both_fins_first = false;
	if (c->rst_seen && c->ep[0].fin_sent && c->ep[1].fin_sent &&
	    c->rst_by <= TFE_SIDE_SERVER) {
		const struct tfe_row *rst = find_sent(c, c->rst_by, TFE_TH_RST, 0,
		                                      NULL);
		both_fins_first = rst != NULL;
		for (int i = 0; i < 2 && rst; i++) {
			const struct tfe_row *fin = find_sent(c, i, TFE_TH_FIN, 0,
			                                      NULL);
			if (!fin || fin->frame > rst->frame)
				both_fins_first = false;
		}
	}
	if (c->close_how == TFE_CLOSE_ABORT && c->rst_by <= TFE_SIDE_SERVER &&
	    !both_fins_first) {
		guint at = 0;
		bool foreign = false;
		const struct tfe_row *rst = aborting_rst(x, &at, &foreign);
		int s = rst ? (rst->dir ? 1 : 0) : c->rst_by;
		if (rst == NULL)
			rst = find_sent(c, s, TFE_TH_RST, 0, &at);
		/* A RST from no socket (the answer to a segment that found
		 * the connection gone) closed the peer: the sender's abort is
		 * its own RST before, which the peer did not take.  That one
		 * is named, the later one as what reset the peer. */
		const struct tfe_row *taken = NULL;
		if (rst != NULL && !foreign &&
		    rst->reason[s] == TFE_RS_SEND_RST_CLOSED) {
			guint j;
			const struct tfe_row *own = own_abort_rst(c, s, at, &j);
			if (own != NULL) {
				taken = rst;
				rst = own;
				at = j;
			}
		}
		const struct tfe_endpoint *ep = &c->ep[s];
		const struct tfe_endpoint *peer = &c->ep[!s];
		/* The data in flight: a FIN is no byte of data.  (A RST's
		 * own sequence number need not be its sender's SND.NXT: one
		 * from a socket already closed takes the ACK it answers.) */
		uint32_t end = ep->snd_nxt;
		if (ep->fin_sent && tfe_seq_gt(end, ep->fin_seq))
			end = ep->fin_seq;
		uint32_t una = peer->ack_known ? peer->ack_max : end;
		/* ... as the peer had acknowledged it when the RST left: its
		 * ACKs after the RST came too late.  A run of frames after
		 * its last kept ACK may hold later ones: then its highest. */
		if (rst) {
			uint32_t before = 0;
			bool kept = false, run_after = false;
			for (guint i = 0; i < at && i < tfe_timeline_len(&c->tl);
			     i++) {
				const struct tfe_row *r = row_at(c, i);
				if (r->kind == TFE_ROW_RUN) {
					run_after = true;
				} else if (r->kind == TFE_ROW_FRAME &&
				           r->dir == !s && (r->flags & TFE_TH_ACK)) {
					if (!kept || tfe_seq_gt(r->ack, before))
						before = r->ack;
					kept = true;
					run_after = false;
				}
			}
			if (kept && !run_after && tfe_seq_lt(before, una))
				una = before;
		}
		uint32_t flight = tfe_seq_gt(end, una) ? end - una : 0;
		if (rst) {
			uint64_t fr[] = { rst->frame, taken ? taken->frame : 0,
			                  0 };
			uint8_t was = at > 0 ? row_at(c, at - 1)->state[!s]
			                     : c->init_state[!s];
			/* Linux and the BSDs report a RST that finds the
			 * socket in CLOSE_WAIT as EPIPE, not ECONNRESET */
			bool open = was == TFE_ST_ESTABLISHED;
			/* The peer's own FIN or RST sent before the RST could
			 * reach it: the two crossed, and the peer had closed
			 * (or reset) on its own; what the RST then did to its
			 * application the capture does not show. */
			const struct tfe_row *own = NULL;
			if (!silent(c, !s)) {
				int64_t until = crossed_by(c, rst, !s);
				for (guint i = at + 1; i < tfe_timeline_len(&c->tl);
				     i++) {
					const struct tfe_row *r = row_at(c, i);
					if (r->ts > until)
						break;
					if (r->kind == TFE_ROW_FRAME && r->dir == !s &&
					    (r->flags & (TFE_TH_FIN | TFE_TH_RST))) {
						own = r;
						break;
					}
				}
			}
			bool ka = rst->reason[s] == TFE_RS_SEND_RST_KEEPALIVE;
			/* its own close() had gone before: data that came
			 * after it has no reader (Linux resets, tcp_rcv_state_
			 * process()'s "data after shutdown") */
			bool after_close = rst->reason[s] ==
			                   TFE_RS_SEND_RST_AFTER_CLOSE &&
			                   ep->fin_sent &&
			                   tfe_conn_rare_ep(c, !s)->
			                   bytes_after_peer_fin > 0;
			/* A server that took the connection and never wrote to
			 * it nor closed it: it may never have accept()ed it. */
			/* ... nor did the client acknowledge anything of it
			 * that the capture missed */
			bool never_used = s == TFE_SIDE_SERVER &&
			                  c->roles == TFE_ROLES_SYN &&
			                  ep->bytes == 0 && !ep->fin_sent &&
			                  c->hs_ack_ts != 0 &&
			                  !(peer->ack_known && ep->isn_known &&
			                    tfe_seq_gt(peer->ack_max, ep->isn + 1));
			const struct tfe_row *answered = NULL;
			bool overflow = never_used &&
			                accept_overflow_rst(x, &answered) == rst;
			struct race kr;
			bool race = s == TFE_SIDE_SERVER && !overflow &&
			            keepalive_race(x, &kr) && kr.rst == rst;
			struct idle_fail idf;
			if (foreign) {
				/* not the claimed sender's abort: rst_suspicious
				 * says what sent it and what it did */
			} else if (c->rare != NULL && c->rare->gap_frame != 0 &&
			           middlebox_idle(x, &idf) &&
			           idf.no_connection && idf.rst == rst) {
				/* the answer of an end that had dropped the idle
				 * connection: middlebox_idle_timeout says so */
			} else if (rst->reason[s] == TFE_RS_SEND_RST_UNSEEN ||
			           ep->pkts == 1) {
				/* its sender's first segment (also when the
				 * peer's FIN, before it, gave the sender a
				 * state): no connection of its own is in the
				 * capture to have aborted; a socket gone
				 * answers the same way */
			} else {
				slot_ep(x, "sender", s);
				slot_at(x, "at", rst->ts);
				slot(x, "frame", "%" PRIu64, rst->frame);
				slot_side(x, "peer", !s);
				slot(x, "peer_state", "%s",
				     tfe_state_names[was]);
				pick(x, "why", ka ? "keepalive" :
				               overflow ? "accept_queue" :
				               race ? "race" :
				               after_close ? "after_close" :
				               never_used ? "never_used" :
				               "other");
				if (!silent(c, !s) && flight > 0)
					slot_count(x, "flight", flight);
				pick(x, "inflight",
				     silent(c, !s) ? "unknown" :
				     flight > 0 ? "some" : "none");
				if (own)
					slot(x, "own", "%" PRIu64, own->frame);
				if (taken) {
					slot(x, "later", "%" PRIu64,
					     taken->frame);
					slot_side(x, "side", s);
				}
				pick(x, "taken", taken ? "later" : "none");
				/* a peer the capture holds nothing of (one
				 * direction captured, or a pickup of the
				 * sender's last segments): its state is the
				 * timeline's inference, what the RST did to
				 * its application is not seen */
				bool unseen = silent(c, !s) || peer->pkts == 0;
				pick(x, "effect", ka ? "unreachable" :
				     unseen ? "unseen" :
				     own && (own->flags & TFE_TH_RST) ?
				     "crossed_rst" :
				     own ? "crossed_fin" :
				     open ? "reset" :
				     was == TFE_ST_CLOSE_WAIT ? "epipe" :
				     was == TFE_ST_UNKNOWN ? "unknown" :
				     was == TFE_ST_SYN_SENT ? "connect_fails" :
				     was == TFE_ST_SYN_RECEIVED ? "half_open" :
				     "closed");
				say(x, TFE_V_ABORTIVE_CLOSE, s, fr, "aborted");
				vat(x, "rst_at_s", rst->ts);
				if (!silent(c, !s) && flight > 0)
					vcount(x, "unacked_bytes", flight);
			}
		}
	}
	if (both_fins_first) {
		int s = c->rst_by;
		const struct tfe_row *rst = find_sent(c, s, TFE_TH_RST, 0, NULL);
		uint64_t fr[] = { rst->frame, 0 };
		bool gone = rst->reason[s] == TFE_RS_SEND_RST_CLOSED;
		bool killed_tw = rst->reason[!s] == TFE_RS_RECV_RST_TW;
		bool last_ack_lost = gone && !c->ep[!s].fin_acked;
		slot_ep(x, "sender", s);
		slot_at(x, "at", rst->ts);
		slot(x, "frame", "%" PRIu64, rst->frame);
		slot_side(x, "peer", !s);
		pick(x, "why", killed_tw ? "time_wait" :
		               last_ack_lost ? "last_ack_lost" : "benign");
		say(x, TFE_V_FIN_THEN_RST, s, fr, "after_fins");
		vat(x, "rst_at_s", rst->ts);
	}
}

/* The close's kinds, per side, in the order they are printed. */
static void
rule_close(struct ctx *x)
{
	bool sim_close = find_reason(x, TFE_SIDE_CLIENT,
	                             TFE_RS_RECV_FIN_SIMCLOSE) ||
	                 find_reason(x, TFE_SIDE_SERVER,
	                             TFE_RS_RECV_FIN_SIMCLOSE);

	for (int side = 0; side < 2; side++) {
		rule_lingering_close_wait(x, side);
		rule_missing_final_ack(x, side);
		rule_half_close(x, side, sim_close);
		rule_fin_retransmitted(x, side);
	}
	if (sim_close)
		rule_simultaneous_close(x);
	rule_abort(x);
}

/*
 * time_wait_reuse / time_wait_reuse_safe: a new SYN on a 4-tuple that a
 * side still held in TIME_WAIT.  Linux lets a TIME_WAIT server take a SYN
 * whose ISN is above the old connection's last sequence number or whose
 * timestamp is newer (tcp_timewait_state_process, RFC 6191), and lets a
 * client reuse its own TIME_WAIT pair when timestamps were on
 * (tcp_tw_reuse), starting the new ISN above the old one.  Such a reuse,
 * with its handshake completed at the first try, is information; a reuse
 * that failed (answered by an ACK of the old connection or a RST, or the
 * SYN re-sent) or that nothing protects (ISN not above, no timestamps)
 * is a warning.
 */
static void
rule_reuse(struct ctx *x)
{
	const struct tfe_conn *c = x->c;
	const struct tfe_conn_rare *rare = tfe_conn_rare(c);

	if (!c->has_prev || rare->prev_tw_since == 0 ||
	    c->prev_tw_side > TFE_SIDE_SERVER)
		return;
	guint at = 0;
	const struct tfe_row *syn = find_sent(c, TFE_SIDE_CLIENT, TFE_TH_SYN, 0,
	                                      &at);
	if (syn == NULL)
		return;
	int64_t gap = syn->ts - rare->prev_tw_since;
	if (gap < 0 || gap >= 2 * x->cfg->msl)
		return;
	const struct tfe_endpoint *cl = &c->ep[TFE_SIDE_CLIENT];
	uint32_t old_end = rare->prev_snd_nxt[TFE_SIDE_CLIENT];
	bool above = cl->isn_known && tfe_seq_gt(cl->isn, old_end);
	bool ts = (syn->opt_mask & TFE_OPT_TS) != 0;

	/* The first answer to the SYN, and anything that went wrong before
	 * the handshake completed. */
	const struct tfe_row *answer = NULL, *bad = NULL;
	for (guint i = at + 1; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = row_at(c, i);
		if (r->kind != TFE_ROW_FRAME)
			continue;
		if (c->hs_ack_ts != 0 && r->ts > c->hs_ack_ts)
			break;
		if ((r->flags & TFE_TH_RST) ||
		    (r->dir == TFE_SIDE_CLIENT && (r->flags & TFE_TH_SYN) &&
		     !(r->flags & TFE_TH_ACK))) {
			bad = r;
			break;
		}
		if (r->dir == TFE_SIDE_SERVER && answer == NULL)
			answer = r;
	}
	bool synack = answer && (answer->flags & (TFE_TH_SYN | TFE_TH_ACK |
	                                          TFE_TH_RST)) ==
	              (TFE_TH_SYN | TFE_TH_ACK) && answer->ack == cl->isn + 1;
	bool completed = synack && bad == NULL && c->hs_ack_ts != 0 &&
	                 cl->syn_count == 1;
	/* both kinds' sentences name the earlier connection and the new
	 * SYN's place in its sequence space */
	slot(x, "prev", "%" PRIu64, rare->prev_id);
	slot(x, "syn", "%" PRIu64, syn->frame);
	slot_secs(x, "gap", gap, 3);
	slot_side(x, "tw_side", c->prev_tw_side);
	slot(x, "isn", "%" PRIu32, cl->isn);
	slot(x, "old_end", "%" PRIu32, old_end);

	if (completed && (above || ts)) {
		uint64_t fr[] = { syn->frame, answer->frame, 0 };
		slot(x, "two_msl", "%.0f s", secs(2 * x->cfg->msl));
		slot(x, "answer", "%" PRIu64, answer->frame);
		pick(x, "why", above ? "above" : "paws");
		pick(x, "ts", ts ? "yes" : "no");
		say(x, TFE_V_TIME_WAIT_REUSE_SAFE, c->prev_tw_side, fr, "safe");
		vdur(x, "gap_s", gap);
		vdur(x, "two_msl_s", 2 * x->cfg->msl);
		vcount(x, "isn", cl->isn);
		vcount(x, "old_seq_end", old_end);
		return;
	}

	uint64_t fr[] = { syn->frame, 0, 0 };
	if (completed) {
		fr[1] = answer->frame;
		pick(x, "what", "unprotected");
	} else if (bad && (bad->flags & TFE_TH_RST)) {
		fr[1] = bad->frame;
		slot(x, "bad", "%" PRIu64, bad->frame);
		slot_side(x, "bad_side", bad->dir);
		pick(x, "what", "rst");
	} else if (answer && !synack) {
		fr[1] = answer->frame;
		pick(x, "answer_was", (answer->flags & TFE_TH_SYN) ? "synack" :
		                      "ack");
		slot(x, "answer", "%" PRIu64, answer->frame);
		pick(x, "what", "challenged");
	} else if (cl->syn_count > 1) {
		slot(x, "syns", "%u", cl->syn_count);
		pick(x, "what", "resent");
	} else {
		pick(x, "what", "incomplete");
	}
	slot_at(x, "at", syn->ts);
	slot(x, "two_msl", "%.0f s", secs(2 * x->cfg->msl));
	pick(x, "above", above ? "yes" : "no");
	pick(x, "ts", ts ? "yes" : "no");
	say(x, TFE_V_TIME_WAIT_REUSE, c->prev_tw_side, fr, "reuse");
	vat(x, "syn_at_s", syn->ts);
	vdur(x, "gap_s", gap);
	vdur(x, "two_msl_s", 2 * x->cfg->msl);
	vcount(x, "isn", cl->isn);
	vcount(x, "old_seq_end", old_end);
	if (!completed && !bad && !(answer && !synack) && cl->syn_count > 1)
		vcount(x, "syns", cl->syn_count);
}

/* The states in which a side still has a connection's socket that a SYN
 * can meet: it answers the SYN with a challenge ACK (RFC 5961 §4;
 * TIME_WAIT is time_wait_reuse's). */
static bool
holds_socket(uint8_t st)
{
	return st == TFE_ST_SYN_RECEIVED || st == TFE_ST_ESTABLISHED ||
	       st == TFE_ST_FIN_WAIT_1 || st == TFE_ST_FIN_WAIT_2 ||
	       st == TFE_ST_CLOSE_WAIT || st == TFE_ST_CLOSING ||
	       st == TFE_ST_LAST_ACK;
}

/* "12.345 ms" */
static void
slot_ms(struct ctx *x, const char *name, int64_t ns)
{
	slot(x, name, "%.3f ms", (double)ns / 1e6);
}

/* What a side in `st` of the earlier connection was waiting for: the
 * alternative of the clause {server_why}. */
static const char *
stale_why(uint8_t st)
{
	switch (st) {
	case TFE_ST_CLOSE_WAIT:
		return "close_wait";
	case TFE_ST_LAST_ACK:
		return "last_ack";
	case TFE_ST_ESTABLISHED:
		return "established";
	case TFE_ST_SYN_RECEIVED:
		return "syn_received";
	default:
		return "other";
	}
}

/* Why the client's side of the earlier connection, last seen in `st`,
 * could send a new SYN from the same port: the alternative of the clause
 * {client_why}. */
static const char *
stale_client_why(uint8_t st)
{
	switch (st) {
	case TFE_ST_FIN_WAIT_2:
		return "fin_wait_2";
	case TFE_ST_TIME_WAIT:
		return "time_wait";
	case TFE_ST_CLOSED:
		return "closed";
	case TFE_ST_SYN_SENT:
		return "syn_sent";
	default:
		return "other";
	}
}

/* rst_suspicious, first form: the RST `r` refused the SYN and `side` then
 * answered that SYN (conn.c disown_refusal()); what the SYN's sender did
 * after the SYN+ACK: it went on (the timeline put its RST back,
 * went_on_after_rst()), its RST answered it, or the capture ends. */
static void
say_refusal_disowned(struct ctx *x, int side, const struct tfe_row *r)
{
	const struct tfe_conn *c = x->c;
	guint at = 0;
	const struct tfe_row *sa = find_sent(c, side, TFE_TH_SYN | TFE_TH_ACK,
	                                     0, &at);
	const struct tfe_row *fin = find_reason(x, side, TFE_RS_SEND_NOT_ITS_OWN);
	const struct tfe_row *on = NULL, *back = NULL;
	uint64_t fr[] = { r->frame, sa ? sa->frame : 0, 0 };

	if (sa != NULL && find_reason(x, !side, TFE_RS_RECV_RST_NOT_TAKEN)) {
		for (guint i = at + 1; on == NULL &&
		     i < tfe_timeline_len(&c->tl); i++) {
			const struct tfe_row *q = row_at(c, i);
			if (q->kind == TFE_ROW_RUN ||
			    (q->kind == TFE_ROW_FRAME && q->dir != side))
				on = q;
		}
	}
	if (on == NULL && sa != NULL)
		back = find_sent(c, !side, TFE_TH_RST, at, NULL);
	slot_ep(x, "sender", side);
	slot(x, "frame", "%" PRIu64, r->frame);
	slot(x, "synack", "%" PRIu64, sa ? sa->frame : 0);
	slot_side(x, "claimed", side);
	slot_side(x, "peer", !side);
	if (fin)
		slot(x, "more", "%" PRIu64, fin->frame);
	pick(x, "others", fin ? "some" : "none");
	if (on || back)
		slot(x, "ack", "%" PRIu64, on ? on->frame : back->frame);
	pick(x, "went", on ? "on" : back ? "reset" : "unseen");
	say(x, TFE_V_RST_SUSPICIOUS, side, fr, "refused_answered");
}

/*
 * syn_to_stale_socket: a new SYN (another ISN) on a 4-tuple whose earlier
 * connection was not over in the capture, answered by a bare ACK that does
 * not acknowledge it (ack not ISN+1): the earlier connection's socket on
 * the answering side still held the tuple and took the SYN for one of its
 * own out of place (RFC 5961 §4.2: a challenge ACK, Linux's
 * tcp_validate_incoming()).  The client, in SYN_SENT, answers that ACK
 * with a RST whose sequence number is the ACK's acknowledgment number
 * (RFC 9293 §3.10.7.3), which resets the stale socket when it fits, and
 * sends its SYN again.  The earlier connection's state is what the
 * capture showed when the new SYN came (the analysis never sees the
 * socket itself).
 */
static void
rule_stale(struct ctx *x)
{
	const struct tfe_conn *c = x->c;
	const struct tfe_conn_rare *rare = tfe_conn_rare(c);

	if (!c->has_prev || !rare->prev_live || c->roles != TFE_ROLES_SYN)
		return;
	uint8_t old_sv = rare->prev_state[TFE_SIDE_SERVER];
	if (!holds_socket(old_sv))
		return;
	const struct tfe_endpoint *cl = &c->ep[TFE_SIDE_CLIENT];
	guint at = 0;
	const struct tfe_row *syn = find_sent(c, TFE_SIDE_CLIENT, TFE_TH_SYN, 0,
	                                      &at);
	if (syn == NULL || (syn->flags & TFE_TH_ACK) || !cl->isn_known)
		return;
	/* the server's first answer: a bare ACK that is not for this SYN */
	const struct tfe_row *ack = NULL;
	guint ack_at = 0;
	for (guint i = at + 1; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = row_at(c, i);
		if (r->kind == TFE_ROW_RUN && r->bytes[TFE_SIDE_SERVER] == 0 &&
		    r->win_max[TFE_SIDE_SERVER] != 0)
			return; /* folded: no row to name */
		if (r->kind != TFE_ROW_FRAME || r->dir != TFE_SIDE_SERVER)
			continue;
		if ((r->flags & (TFE_TH_SYN | TFE_TH_ACK | TFE_TH_RST)) ==
		    TFE_TH_ACK && r->ack != cl->isn + 1) {
			ack = r;
			ack_at = i;
		}
		break;
	}
	if (ack == NULL)
		return;
	/* the client's RST to it, its SYN sent again, and the answer */
	const struct tfe_row *rst = NULL, *resyn = NULL, *synack = NULL;
	for (guint i = ack_at + 1; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = row_at(c, i);
		if (r->kind != TFE_ROW_FRAME)
			continue;
		uint16_t f = r->flags & (TFE_TH_SYN | TFE_TH_ACK | TFE_TH_RST);
		if (r->dir == TFE_SIDE_CLIENT && f == TFE_TH_RST && !rst &&
		    !resyn)
			rst = r;
		else if (r->dir == TFE_SIDE_CLIENT && f == TFE_TH_SYN && !resyn)
			resyn = r;
		else if (r->dir == TFE_SIDE_SERVER &&
		         f == (TFE_TH_SYN | TFE_TH_ACK) &&
		         r->ack == cl->isn + 1) {
			synack = r;
			break;
		}
	}
	uint32_t old_end = rare->prev_snd_nxt[TFE_SIDE_CLIENT];
	uint8_t old_cl = rare->prev_state[TFE_SIDE_CLIENT];
	uint64_t fr[] = { syn->frame, ack->frame, 0, 0 };

	slot(x, "syn", "%" PRIu64, syn->frame);
	slot(x, "prev", "%" PRIu64, rare->prev_id);
	slot_ep(x, "server", TFE_SIDE_SERVER);
	slot(x, "server_state", "%s", tfe_state_names[old_sv]);
	pick(x, "server_why", stale_why(old_sv));
	slot(x, "client_state", "%s", tfe_state_names[old_cl]);
	pick(x, "client_why", stale_client_why(old_cl));
	slot(x, "ack", "%" PRIu64, ack->frame);
	slot(x, "ack_number", "%" PRIu32, ack->ack);
	slot(x, "isn_next", "%" PRIu32, cl->isn + 1);
	pick(x, "whose", ack->ack == old_end ? "old_end" : "other");
	if (rst != NULL) {
		fr[2] = rst->frame;
		slot(x, "rst", "%" PRIu64, rst->frame);
		slot(x, "rst_seq", "%" PRIu32, rst->seq);
		pick(x, "fits", rst->seq == ack->ack ? "yes" : "no");
		pick(x, "reset", "sent");
	} else {
		pick(x, "reset", "none");
	}
	if (resyn != NULL) {
		slot_ms(x, "retry", resyn->ts - ack->ts);
		slot(x, "resyn", "%" PRIu64, resyn->frame);
	}
	if (synack != NULL) {
		fr[3] = synack->frame;
		slot(x, "synack", "%" PRIu64, synack->frame);
		slot_ms(x, "connected", synack->ts - syn->ts);
	}
	pick(x, "after", synack && resyn ? "resent_answered" :
	                 synack ? "answered" : resyn ? "resent" : "none");
	say(x, TFE_V_SYN_TO_STALE_SOCKET, TFE_SIDE_SERVER, fr, "challenged");
	vcount(x, "prev_conn", rare->prev_id);
	if (resyn != NULL)
		vdur(x, "retry_after_s", resyn->ts - ack->ts);
	if (synack != NULL)
		vdur(x, "connected_after_s", synack->ts - syn->ts);
}

static void
rule_flow(struct ctx *x)
{
	const struct tfe_conn *c = x->c;

	for (int side = 0; side < 2; side++) {
		const struct tfe_endpoint *ep = &c->ep[side];
		const struct tfe_ep_rare *er = tfe_conn_rare_ep(c, side);
		int p = !side;

		if (er->ka_probes > 0) {
			bool dead = ep->ka_pending && er->ka_unanswered_run + 1 >= 2;
			const struct tfe_row *first = NULL, *last = NULL;
			for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
				const struct tfe_row *r = row_at(c, i);
				if (r->kind == TFE_ROW_FRAME && r->dir == side &&
				    (r->notes & TFE_NOTE_KEEPALIVE)) {
					if (!first)
						first = r;
					last = r;
				}
			}
			uint64_t fr[] = { first ? first->frame : 0,
			                  last && last != first ? last->frame : 0, 0 };
			double every = (first && last && er->ka_probes > 1) ?
				secs(last->ts - first->ts) / (er->ka_probes - 1) : 0;
			char aw[40];
			if (every > 0)
				slot(x, "every", "%.1f s%s", every,
				     long_words((last->ts - first->ts) /
				                (er->ka_probes - 1),
				                aw, sizeof aw));
			pick(x, "apart", every > 0 ? "every" : "none");
			slot_ep(x, "sender", side);
			slot_side(x, "peer", p);
			if (dead && !silent(c, p)) {
				slot(x, "probes", "%u", er->ka_probes);
				slot(x, "unanswered", "%u",
				     er->ka_unanswered_run + 1);
				say(x, TFE_V_KEEPALIVE_UNANSWERED, side, fr,
				    "unanswered");
				vcount(x, "probes", er->ka_probes);
				vcount(x, "unanswered", er->ka_unanswered_run + 1);
				if (every > 0)
					vdur(x, "interval_s", (last->ts - first->ts) /
					     (er->ka_probes - 1));
			} else {
				slot_count(x, "probes", er->ka_probes);
				slot(x, "answered", "%u", er->ka_answered);
				say(x, TFE_V_KEEPALIVE, side, fr, "answered");
				vcount(x, "probes", er->ka_probes);
				vcount(x, "answered", er->ka_answered);
				if (every > 0)
					vdur(x, "interval_s", (last->ts - first->ts) /
					     (er->ka_probes - 1));
			}
		}
		if (ep->zero_windows > 0) {
			const struct tfe_ep_rare *rare = tfe_conn_rare_ep(c, side);
			uint64_t fr[] = { rare->zw_first_frame, rare->zw_open_frame, 0 };
			/* a window still closed counts until the connection's
			 * last frame: the stall it shows (a later end of the
			 * capture shows nothing of it) */
			int64_t stall = rare->zw_stall;
			if (ep->last_win == 0 && c->last_ts > rare->zw_open_ts)
				stall += c->last_ts - rare->zw_open_ts;
			bool brief = stall < x->cfg->zero_window;
			slot_ep(x, "receiver", side);
			slot_at(x, "at", rare->zw_first_ts);
			slot(x, "frame", "%" PRIu64, rare->zw_first_frame);
			if (rare->zw_open_frame) {
				slot_at(x, "opened_at",
				        rare->zw_first_ts + rare->zw_stall);
				slot(x, "open", "%" PRIu64,
				     rare->zw_open_frame);
			}
			pick(x, "opened", rare->zw_open_frame ? "again" :
			                  "never");
			slot_secs(x, "stall", stall, 3);
			slot(x, "zero_windows", "%u", ep->zero_windows);
			slot(x, "probes", "%u",
			     tfe_conn_rare_ep(c, p)->zw_probes);
			slot_side(x, "peer", p);
			if (brief) {
				slot(x, "threshold", "%.1f s",
				     secs(x->cfg->zero_window));
				say(x, TFE_V_ZERO_WINDOW_BRIEF, side, fr,
				    "brief");
				vdur(x, "stall_s", stall);
				vdur(x, "threshold_s", x->cfg->zero_window);
				vcount(x, "zero_windows", ep->zero_windows);
				vcount(x, "probes", tfe_conn_rare_ep(c, p)->zw_probes);
				vat(x, "zero_window_at_s", rare->zw_first_ts);
				if (rare->zw_open_frame)
					vat(x, "opened_at_s",
					    rare->zw_first_ts + rare->zw_stall);
			} else {
				say(x, TFE_V_ZERO_WINDOW, side, fr, "stalled");
				vdur(x, "stall_s", stall);
				vcount(x, "zero_windows", ep->zero_windows);
				vcount(x, "probes", tfe_conn_rare_ep(c, p)->zw_probes);
				vat(x, "zero_window_at_s", rare->zw_first_ts);
				if (rare->zw_open_frame)
					vat(x, "opened_at_s",
					    rare->zw_first_ts + rare->zw_stall);
			}
		}
		if (ep->window_full > 0 && c->ep[p].zero_windows > 0) {
			slot_ep(x, "sender", side);
			slot_side(x, "peer", p);
			slot_count(x, "times", ep->window_full);
			say(x, TFE_V_WINDOW_FULL, side, NULL, "filled");
			vcount(x, "times", ep->window_full);
		}
		uint32_t data_retrans = ep->data_retrans;
		if (data_retrans > 0) {
			slot_ep(x, "sender", side);
			slot_count(x, "segments", data_retrans);
			say(x, TFE_V_RETRANSMISSION, side, NULL, "resent");
			vcount(x, "segments", data_retrans);
		}
		const struct tfe_ep_rare *rare = tfe_conn_rare_ep(c, side);
		if (rare->out_of_order > 0) {
			uint64_t fr[TFE_VERDICT_MAX_FRAMES + 1] = { 0 };
			guint n = 0;
			for (guint i = 0; i < tfe_timeline_len(&c->tl) &&
			     n < TFE_VERDICT_MAX_FRAMES; i++) {
				const struct tfe_row *r = row_at(c, i);
				if (r->kind == TFE_ROW_FRAME && r->dir == side &&
				    (r->notes & TFE_NOTE_OUT_OF_ORDER))
					fr[n++] = r->frame;
			}
			slot_ep(x, "sender", side);
			slot_count(x, "segments", rare->out_of_order);
			slot(x, "late", "%.3f", secs(rare->ooo_late) * 1e3);
			slot(x, "within", "%.3f", secs(rare->ooo_within) * 1e3);
			pick(x, "rtt",
			     c->hs_ack_ts > c->syn_ts && c->syn_ts != 0 ?
			     "handshake" : "none");
			say(x, TFE_V_OUT_OF_ORDER, side, fr, "reordered");
			vcount(x, "segments", rare->out_of_order);
			vdur(x, "late_s", rare->ooo_late);
			vdur(x, "within_s", rare->ooo_within);
		}
	}
}

static void
rule_oddities(struct ctx *x)
{
	const struct tfe_conn *c = x->c;
	static const struct {
		uint16_t note;
		enum tfe_verdict_kind kind;
	} notes[] = {
		{ TFE_NOTE_BAD_FLAGS, TFE_V_INVALID_FLAGS },
		{ TFE_NOTE_AFTER_FIN, TFE_V_DATA_AFTER_FIN },
		{ TFE_NOTE_AFTER_RST, TFE_V_DATA_AFTER_RST },
	};

	/* The notes each side's frames carry (rows_summary()): most
	 * connections have none of these, and the scans below are then
	 * skipped. */
	const uint16_t *carried = x->carried;

	int64_t crossed_until = INT64_MIN;
	if ((carried[0] | carried[1]) & TFE_NOTE_AFTER_RST &&
	    c->rst_by <= TFE_SIDE_SERVER) {
		const struct tfe_row *rst = find_sent(c, c->rst_by, TFE_TH_RST,
		                                      0, NULL);
		if (rst)
			crossed_until = crossed_by(c, rst, !c->rst_by);
	}

	for (size_t k = 0; k < G_N_ELEMENTS(notes); k++)
		for (int side = 0; side < 2; side++) {
			uint64_t fr[TFE_VERDICT_MAX_FRAMES + 1] = { 0 };
			guint n = 0, total = 0;
			if (!(carried[side] & notes[k].note))
				continue;
			for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
				const struct tfe_row *r = row_at(c, i);
				if (r->kind != TFE_ROW_FRAME || r->dir != side ||
				    !(r->notes & notes[k].note))
					continue;
				/* A RST from a side whose socket is gone answers a
				 * segment that came after the reset: the expected
				 * answer (RFC 9293 §3.10.7.1), not traffic after it. */
				if (notes[k].note == TFE_NOTE_AFTER_RST &&
				    (r->flags & TFE_TH_RST) &&
				    r->reason[side] == TFE_RS_SEND_RST_CLOSED)
					continue;
				if (notes[k].note == TFE_NOTE_AFTER_RST &&
				    side != c->rst_by &&
				    r->ts <= crossed_until)
					continue;
				if (n < TFE_VERDICT_MAX_FRAMES)
					fr[n++] = r->frame;
				total++;
			}
			if (total > 0) {
				slot_ep(x, "sender", side);
				slot_count(x, "segments", total);
				slot(x, "frame", "%" PRIu64, fr[0]);
				say(x, notes[k].kind, side, fr, "segments");
				vcount(x, "segments", total);
			}
		}

	/* rst_suspicious: a RST its peer could not accept and after which its
	 * sender carried on, or whose TTL / IP ID does not fit the host. */
	for (int side = 0; side < 2; side++) {
		const struct tfe_ep_rare *rare = tfe_conn_rare_ep(c, side);
		const struct tfe_row *r = find_reason(x, side,
		                                      TFE_RS_RST_REFUSAL_NOT_ITS_OWN);
		if (r) {
			say_refusal_disowned(x, side, r);
			continue;
		}
		r = find_reason(x, side, TFE_RS_RST_NOT_ITS_OWN);
		if (r) {
			uint64_t fr[] = { r->frame, 0 };
			slot_ep(x, "sender", side);
			slot(x, "frame", "%" PRIu64, r->frame);
			slot_side(x, "claimed", side);
			say(x, TFE_V_RST_SUSPICIOUS, side, fr,
			    "outside_window");
			continue;
		}
		int foreign = rst_foreign(c, side, x->cfg->idle_gap);
		if (foreign == 0)
			continue;
		struct foreign_why w;
		foreign_why(c, side, foreign, &w);
		uint64_t fr[] = { rare->rst_frame, 0 };
		guint at = 0;
		bool disowned = false;
		const struct tfe_row *ab = aborting_rst(x, &at, &disowned);
		bool reset_peer = disowned && ab &&
		                  ab->frame == rare->rst_frame;
		slot_ep(x, "sender", side);
		slot(x, "frame", "%" PRIu64, rare->rst_frame);
		foreign_slots(x, &w, side);
		if (reset_peer)
			slot_side(x, "peer", !side);
		pick(x, "did", reset_peer ? "reset_peer" : "nothing");
		say(x, TFE_V_RST_SUSPICIOUS, side, fr, "foreign");
		foreign_numbers(x, &w);
	}
}

/*
 * options_odd: a SYN or SYN+ACK whose options no careful stack sends, or
 * that a middlebox changed on the way: a window scale above 14 (RFC 7323
 * §2.3: taken as 14), no MSS option (RFC 9293 §3.7.1: the peer then
 * assumes 536 bytes, 1220 over IPv6), an MSS below those, or a SYN+ACK
 * offering SACK, timestamps or window scaling that the client's SYN did
 * not offer (RFC 2018 §2, RFC 7323 §2.2 and §3.2 allow them only in
 * answer to the SYN's).  A SYN+ACK that declines what the SYN offered is
 * ordinary (many stacks do not use timestamps) and is not reported.
 * Options the snapshot length cut are not judged.
 */
static void
rule_options(struct ctx *x)
{
	const struct tfe_conn *c = x->c;
	unsigned floor = c->family == 6 ? 1220 : 536;
	const struct tfe_row *syn = NULL;

	if (c->roles == TFE_ROLES_SYN && !(c->syn_opts_cut & 1))
		syn = find_sent(c, TFE_SIDE_CLIENT, TFE_TH_SYN, 0, NULL);
	for (int side = 0; side < 2; side++) {
		const struct tfe_row *r = find_sent(c, side, TFE_TH_SYN, 0, NULL);
		if (r == NULL || (c->syn_opts_cut & (1u << side)) ||
		    (r->flags & (TFE_TH_RST | TFE_TH_FIN)) ||
		    (r->notes & TFE_NOTE_BAD_FLAGS))
			continue;
		bool synack = (r->flags & TFE_TH_ACK) != 0;
		bool big_ws = (r->opt_mask & TFE_OPT_WSCALE) && r->wscale > 14;
		bool no_mss = !(r->opt_mask & TFE_OPT_MSS);
		bool low_mss = !no_mss && r->mss < floor;
		uint8_t unasked = 0;
		if (synack && syn != NULL && side == TFE_SIDE_SERVER)
			unasked = r->opt_mask & ~syn->opt_mask &
			          (TFE_OPT_SACKOK | TFE_OPT_TS | TFE_OPT_WSCALE);
		if (!big_ws && !no_mss && !low_mss && !unasked)
			continue;
		unsigned n_unasked = !!(unasked & TFE_OPT_SACKOK) +
		                     !!(unasked & TFE_OPT_TS) +
		                     !!(unasked & TFE_OPT_WSCALE);
		uint64_t fr[] = { r->frame, 0 };
		slot_ep(x, "sender", side);
		slot(x, "segment", "%s", synack ? "SYN+ACK" : "SYN");
		slot(x, "frame", "%" PRIu64, r->frame);
		slot_side(x, "side", side);
		slot_side(x, "peer", !side);
		/* what it carries, each in its clause, in this order */
		if (big_ws) {
			slot(x, "wscale", "%u", r->wscale);
			pick(x, "what", "wide_scale");
		}
		if (no_mss || low_mss)
			slot(x, "floor", "%u", floor);
		if (no_mss)
			pick(x, "what", "no_mss");
		if (low_mss) {
			slot(x, "mss", "%u", r->mss);
			/* IPv6 links carry 1280 bytes at least (RFC 8200
			 * §5); IPv4 links may carry as few as 68 */
			pick(x, "what", c->family == 6 ? "low_mss6" : "low_mss");
		}
		if (unasked) {
			if (unasked & TFE_OPT_SACKOK)
				pick(x, "options", "sack");
			if (unasked & TFE_OPT_TS)
				pick(x, "options", "ts");
			if (unasked & TFE_OPT_WSCALE)
				pick(x, "options", "ws");
			slot_count(x, "unasked", n_unasked);
			pick(x, "what", "unasked");
		}
		say(x, TFE_V_OPTIONS_ODD, side, fr, "odd");
		if (big_ws)
			vcount(x, "wscale", r->wscale);
		if (no_mss || low_mss)
			vcount(x, "assumed_mss", floor);
		if (low_mss)
			vcount(x, "mss", r->mss);
		if (unasked)
			vcount(x, "unasked_options", n_unasked);
	}
}

/*
 * capture_loss: a side acknowledged data of its peer that the capture
 * never saw.  The receiver had those segments, so it is the capture that
 * lost them (a busy capture host, a span port's drops, a filter), not
 * the network; a segment the network lost is not acknowledged until it
 * is re-sent.  Not for a capture of one direction, where the whole other
 * direction is missing and every verdict says so.
 */
static void
rule_capture_loss(struct ctx *x)
{
	const struct tfe_conn *c = x->c;

	if (c->one_way != TFE_SIDE_NONE)
		return;
	for (int side = 0; side < 2; side++) {
		const struct tfe_row *first = NULL, *last = NULL;
		uint32_t acks = 0;

		/* the ACKs come from the peer */
		for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
			const struct tfe_row *r = row_at(c, i);

			if (r->kind != TFE_ROW_FRAME || r->dir == side ||
			    !(r->notes & TFE_NOTE_GAP))
				continue;
			if (first == NULL)
				first = r;
			last = r;
			acks++;
		}
		if (first == NULL)
			continue;
		uint64_t fr[] = { first->frame, last != first ? last->frame : 0,
		                  0 };
		slot_side(x, "peer", !side);
		slot_ep(x, "sender", side);
		slot_count(x, "acks", acks);
		slot(x, "first", "%" PRIu64, first->frame);
		if (last != first)
			slot(x, "last", "%" PRIu64, last->frame);
		pick(x, "frames", last != first ? "range" : "one");
		say(x, TFE_V_CAPTURE_LOSS, side, fr, "unseen");
		vcount(x, "acks", acks);
	}
}

static void
rule_open_at_end(struct ctx *x)
{
	const struct tfe_conn *c = x->c;

	if (c->end_cause != TFE_END_INPUT && c->end_cause != TFE_END_EVICTED &&
	    c->end_cause != TFE_END_REUSED)
		return;
	if (c->ended || (c->close_how == TFE_CLOSE_UNANSWERED && !x->undecided))
		return;
	pick(x, "end", c->end_cause == TFE_END_EVICTED ? "evicted" :
	               c->end_cause == TFE_END_REUSED ? "reused" : "capture");
	slot(x, "client_state", "%s", tfe_state_names[c->ep[0].state]);
	slot(x, "server_state", "%s", tfe_state_names[c->ep[1].state]);
	if (x->undecided)
		slot(x, "why", "%s", x->und_text);
	pick(x, "undecided", x->undecided ? "yes" : "no");
	say(x, TFE_V_OPEN_AT_END, TFE_SIDE_NONE, NULL, "open");
	if (x->undecided) {
		vdur(x, "capture_after_s", x->und_after);
		if (x->und_threshold >= 0)
			vdur(x, "threshold_s", x->und_threshold);
	}
}

/* Adds `note`, a shared template with its slots filled, to the sentence
 * of every verdict recorded but those of kind `except` (TFE_V__COUNT:
 * none). */
static void
add_note(struct ctx *x, const char *note, enum tfe_verdict_kind except)
{
	char *n = expand(x, TFE_V__COUNT, note);

	for (guint k = 0; k < x->out->len; k++) {
		struct tfe_verdict *v =
			&g_array_index(x->out, struct tfe_verdict, k);
		if (v->kind == except)
			continue;
		char *m = g_strconcat(v->message, n, NULL);
		g_free(v->message);
		v->message = m;
	}
	g_free(n);
}

void
tfe_verdicts_collect(const struct tfe_conn *c, const struct tfe_config *cfg,
                     int64_t now, GArray *out)
{
	/* A verdict speaks of what the capture shows of this connection:
	 * after --idle-timeout of silence the analysis lets it go, so no
	 * duration runs past its last packet plus that timeout, however
	 * late the next packet of the file comes (connections years apart
	 * in one file, a timer seen only at the next frame). */
	if (cfg->idle_timeout > 0 && now - c->last_ts > cfg->idle_timeout)
		now = c->last_ts + cfg->idle_timeout;

	struct ctx x = { .c = c, .cfg = cfg, .now = now, .out = out,
	                 .und_threshold = -1 };

	rows_summary(&x);
	rule_open_and_reject(&x);
	rule_icmp(&x);
	rule_reuse(&x);
	rule_stale(&x);
	rule_accept_queue(&x);
	rule_keepalive_race(&x);
	rule_middlebox_idle(&x);
	rule_close(&x);
	rule_flow(&x);
	rule_oddities(&x);
	rule_options(&x);
	rule_capture_loss(&x);
	rule_open_at_end(&x);
	g_free(x.und_text);

	/* Evidence strength: if the capture missed segments (a side
	 * acknowledged data the capture never saw), every verdict says so. */
	for (guint i = 0; cfg->verdict_messages &&
	                  i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = row_at(c, i);
		if (r->kind != TFE_ROW_FRAME || !(r->notes & TFE_NOTE_GAP))
			continue;
		/* capture_loss says so itself */
		slot(&x, "gap_frame", "%" PRIu64, r->frame);
		add_note(&x, "gap_note", TFE_V_CAPTURE_LOSS);
		break;
	}
	if (cfg->verdict_messages && tfe_conn_rare(c)->hole_from != 0) {
		const struct tfe_conn_rare *cr = tfe_conn_rare(c);
		slot(&x, "hole_last", "%" PRIu64, cr->hole_frame - 1);
		slot(&x, "hole_next", "%" PRIu64, cr->hole_frame);
		slot_at(&x, "hole_at", cr->hole_from);
		slot_secs(&x, "hole", cr->hole_to - cr->hole_from, 1);
		add_note(&x, "hole_note", TFE_V__COUNT);
	}
	if (cfg->verdict_messages && c->one_way <= TFE_SIDE_SERVER) {
		slot_side(&x, "seen", c->one_way);
		slot_side(&x, "unseen", !c->one_way);
		add_note(&x, "one_way_note", TFE_V__COUNT);
	}
	/* every sentence took the slots filled for it */
	if (x.slots.n > 0)
		g_critical("slot {%s} filled for no sentence",
		           x.slots.slot[0].name);
	tfe_slots_clear(&x.slots);
}

static void
verdict_clear(void *p)
{
	g_free(((struct tfe_verdict *)p)->message);
}

GArray *
tfe_verdicts_new(void)
{
	GArray *v = g_array_new(FALSE, FALSE, sizeof(struct tfe_verdict));

	g_array_set_clear_func(v, verdict_clear);
	return v;
}

void
tfe_verdicts_clear(GArray *v)
{
	g_array_set_size(v, 0);
}

gboolean
tfe_verdict_parse_list(const char *list, uint64_t *set, char **bad)
{
	gchar **names = g_strsplit(list, ",", -1);
	gboolean ok = TRUE;

	*set = 0;
	for (gchar **n = names; *n; n++) {
		uint64_t these = 0;
		gchar *name = g_strstrip(*n);
		bool minus = name[0] == '-';

		if (minus)
			name++;
		if (*name == '\0')
			continue;
		for (int k = 0; k < TFE_V__COUNT; k++)
			if (strcmp(name, tfe_verdicts[k].kind) == 0 ||
			    strcmp(name, "all") == 0 ||
			    (strcmp(name, "warning") == 0 &&
			     tfe_verdicts[k].severity == TFE_SEV_WARNING) ||
			    (strcmp(name, "info") == 0 &&
			     tfe_verdicts[k].severity == TFE_SEV_INFO))
				these |= UINT64_C(1) << k;
		if (these == 0) {
			*bad = g_strdup(*n);
			ok = FALSE;
			break;
		}
		/* in order: "warning,-time_wait_reuse" is every warning
		 * but that one */
		if (minus)
			*set &= ~these;
		else
			*set |= these;
	}
	g_strfreev(names);
	return ok;
}
