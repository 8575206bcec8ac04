/*
 * conn.c: both endpoints' state machines for one connection.
 *
 * For every segment the sender's transition is looked up first (it moves at
 * the frame it sends), then the receiver's (it moves at the frame it
 * receives, taken as delivered when seen).  The cells the tables leave to
 * code are in sender_exception().
 *
 * Every state is written by put_state(): at a frame through set_state(),
 * which records the reason for the frame's timeline row.  Every state in
 * rows already written is rewritten by restate_rows().  What the timeline
 * assumes (a receiver got what passed, a side a SYN reached listened, a
 * RST in a side's name was its TCP's) is recorded where it is made, and
 * the evidence that overturns it is a row of tfe_overturn_table
 * (tcpstate.c), applied by overturn().
 *
 * This file does no output and allocates only per connection.
 */
#include "conn.h"
#include "evidence.h"
#include "flow.h"

#include <string.h>

#include "seq.h"
#include "vantage.h"
#include "verdict.h"

const char *const tfe_roles_names[TFE_ROLES__COUNT] = {
	[TFE_ROLES_SYN] = "syn",
	[TFE_ROLES_SYNACK] = "inferred",
	[TFE_ROLES_PORT] = "inferred",
};

const char *const tfe_close_names[TFE_CLOSE__COUNT] = {
	[TFE_CLOSE_GRACEFUL] = "graceful",
	[TFE_CLOSE_HALF_CLOSE] = "half_close",
	[TFE_CLOSE_ABORT] = "abort",
	[TFE_CLOSE_REJECTED] = "rejected",
	[TFE_CLOSE_UNANSWERED] = "unanswered",
	[TFE_CLOSE_OPEN_AT_END] = "open_at_end",
	[TFE_CLOSE_TIMEOUT] = "timeout",
};

const char *const tfe_seqcheck_names[TFE_SEQ__COUNT] = {
	[TFE_SEQ_OK] = "in window",
	[TFE_SEQ_UNKNOWN] = "receiver not seen yet",
	[TFE_SEQ_PAST_WINDOW] = "past the receiver's window",
	[TFE_SEQ_TOO_OLD] = "older than the receiver's window",
	[TFE_SEQ_ACK_UNSENT] = "acknowledges data never seen",
};

void
tfe_config_defaults(struct tfe_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->msl = 30 * TFE_NS_PER_SEC;          /* Linux: TIME_WAIT 60 s */
	cfg->close_wait = 5 * TFE_NS_PER_SEC;
	/* Linux probes a zero window after one RTO (200 ms at least): a
	 * stall of less than a second is flow control doing its job. */
	cfg->zero_window = 1 * TFE_NS_PER_SEC;
	/* A TCP connection has no idle timeout of its own: this is as long
	 * as a Linux host with keepalive on waits on a silent peer
	 * (tcp_keepalive_time 7200 s, then 9 probes 75 s apart).  Shorter
	 * (Zeek's 300 s) cuts connections that are quiet but alive, and
	 * what follows the cut loses its handshake and its roles. */
	cfg->idle_timeout = 7875 * TFE_NS_PER_SEC;
	/* NAT gateways and load balancers forget an idle connection after
	 * 4 minutes (Azure) to 10 (Google Cloud's firewall) or more: a
	 * minute is below all of those, and far above any round trip,
	 * delayed ACK or retransmission timer of a connection that has
	 * nothing unacknowledged (doc/verdicts.md, middlebox_idle_timeout). */
	cfg->idle_gap = 60 * TFE_NS_PER_SEC;
	/* Late retransmissions of a FIN come after RTO back-off (200 ms, 400,
	 * 800, ...): 3 s catches the first three. */
	cfg->linger = 3 * TFE_NS_PER_SEC;
	cfg->max_flows = 262144;
	cfg->max_rows = 256;
	cfg->all_frames = false;
	cfg->verdict_messages = true;
	cfg->zeek_model = true;
}

/* An endpoint's address, picked rather than worked out: an endpoint is
 * 120 bytes, and the compiler computed c + side * 120 again for each use
 * (four instructions) where it keeps a pick in a register.  `side` is 0
 * or 1. */
#define EP(c, side) ((side) ? &(c)->ep[1] : &(c)->ep[0])

/* The per-segment scratch that set_state() fills for the timeline row. */
struct step {
	uint8_t reason[2];
	uint16_t notes;
	uint64_t frame;
	int64_t ts;
	bool changed;
};

static bool
is_synchronized(uint8_t st)
{
	return st >= TFE_ST_ESTABLISHED;
}

static bool
is_done(uint8_t st)
{
	return st == TFE_ST_CLOSED || st == TFE_ST_TIME_WAIT;
}

/* The one place an endpoint's state is written (curl funnels its state
 * changes the same way): by the frame's step (set_state()), by a
 * correction (overturn()), or by a timer or an error placed in the
 * timeline afterwards.  TIME_WAIT's 2MSL counts from `since`. */
static void
put_state(struct tfe_conn *c, int side, uint8_t next, int64_t since)
{
	struct tfe_endpoint *ep = EP(c, side);

	if (ep->state == next)
		return;
	ep->state = next;
	ep->tw_since = next == TFE_ST_TIME_WAIT ? since : 0;
}

/* A change at this frame: it records the reason for the frame's row. */
static void
set_state(struct tfe_conn *c, struct step *st, int side, uint8_t next,
          uint8_t reason)
{
	if (reason != TFE_RS_NONE)
		st->reason[side] = reason;
	if (EP(c, side)->state == next)
		return;
	put_state(c, side, next, st->ts);
	st->changed = true;
}

/* The one place the states of rows already written change: the side's
 * state in rows [from, to) becomes `state`.  Complaints that followed
 * from the state they had (a segment that did not fit it) go. */
static void
restate_rows(struct tfe_conn *c, int side, guint from, guint to,
             uint8_t state)
{
	for (guint i = from; i < to; i++) {
		struct tfe_row *r = tfe_timeline_row(&c->tl, i);

		r->state[side] = state;
		if (r->reason[side] == TFE_RS_RECV_INVALID ||
		    r->reason[side] == TFE_RS_SEND_FROM_CLOSED)
			r->reason[side] = TFE_RS_NONE;
	}
}

void
tfe_conn_syn_again(struct tfe_conn *c)
{
	bool refused = false;

	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		struct tfe_row *r = tfe_timeline_row(&c->tl, i);
		if (r->reason[TFE_SIDE_CLIENT] == TFE_RS_RECV_RST_REFUSED) {
			r->reason[TFE_SIDE_CLIENT] =
				TFE_RS_RECV_RST_REFUSED_RETRIED;
			refused = true;
		}
	}
	if (refused)
		tfe_conn_rare_mut(c)->syn_again = true;
}

/* The row of the side's FIN that crossed the peer's, CLOSING from there
 * (send_fin_simclose), or -1. */
static int
simclose_row(const struct tfe_conn *c, int side)
{
	for (guint i = tfe_timeline_len(&c->tl); i-- > 0;) {
		const struct tfe_row *r = &c->tl.rows[i];
		if (r->kind == TFE_ROW_FRAME && r->dir == side &&
		    r->reason[side] == TFE_RS_SEND_FIN_SIMCLOSE)
			return (int)i;
	}
	return -1;
}

/* The record of assumption `as` (tcpstate.h) about `side`: the row where
 * it was made, -1 when none is kept (the row was folded, or it was never
 * made), and the side's state before it. */
static int
assumption_row(const struct tfe_conn *c, int side, uint8_t as,
               uint8_t *before)
{
	const struct tfe_endpoint *ep = EP(c, side);
	const struct tfe_ep_rare *r = tfe_conn_rare_ep(c, side);

	switch (as) {
	case TFE_AS_SYN_ACKED:
	case TFE_AS_FIN_ACKED:
		*before = ep->assumed.before;
		return ep->assumed.row;
	case TFE_AS_FIN_IN:
		if (ep->fin_rcvd_row < 0) {
			/* the FINs crossed: its own FIN's row holds the
			 * receipt, from FIN_WAIT_1 */
			*before = TFE_ST_FIN_WAIT_1;
			return simclose_row(c, side);
		}
		*before = ep->fin_rcvd_before;
		return ep->fin_rcvd_row;
	case TFE_AS_RST_IN:
		*before = r->rst_rcvd_before;
		return r->rst_rcvd_row1 - 1;
	case TFE_AS_RST_OWN:
		*before = ep->rst_before;
		return ep->rst_row;
	default: /* TFE_AS_LISTENER: the start */
		*before = c->init_state[side];
		return 0;
	}
}

/* An assumption overturned leaves no record: nothing can overturn it
 * twice, and what it had granted goes with it. */
static void
assumption_drop(struct tfe_conn *c, int side, uint8_t as)
{
	struct tfe_endpoint *ep = EP(c, side);

	switch (as) {
	case TFE_AS_SYN_ACKED:
		ep->assumed.valid = false;
		ep->syn_acked = false;
		break;
	case TFE_AS_FIN_ACKED:
		ep->assumed.valid = false;
		ep->fin_acked = false;
		break;
	case TFE_AS_FIN_IN:
		ep->fin_rcvd_row = -1;
		break;
	case TFE_AS_RST_IN:
		tfe_conn_rare_get(c, side)->rst_rcvd_row1 = 0;
		break;
	case TFE_AS_RST_OWN:
		ep->rst_unaccepted = false;
		ep->rst_row = -1;
		break;
	default:
		break;
	}
}

/* A row where the peer's SYN arrived, by its reason. */
static bool
syn_arrival(uint8_t reason)
{
	return reason == TFE_RS_RECV_SYN_LISTEN ||
	       reason == TFE_RS_RECV_SYN_RETRANS ||
	       reason == TFE_RS_RECV_SYN_NO_LISTENER ||
	       reason == TFE_RS_RECV_SYN_UNANSWERED;
}

/* When a side restored to TIME_WAIT from row `row` on had entered it. */
static int64_t
time_wait_entered(const struct tfe_conn *c, int side, guint row)
{
	while (row > 0 &&
	       c->tl.rows[row - 1].state[side] == TFE_ST_TIME_WAIT)
		row--;
	return row < tfe_timeline_len(&c->tl) ? c->tl.rows[row].ts
	                                      : c->last_ts;
}

/*
 * The one correction: evidence `ov` shows an assumption about `side`
 * wrong (tfe_overturn_table, tcpstate.c).  The side's rows from the
 * assumption's (or from the first) are put back in the state the table
 * restores and take its reason, the side is in that state now, and the
 * assumption's record goes.  Returns the state restored.
 */
static uint8_t
overturn(struct tfe_conn *c, int side, enum tfe_overturn ov)
{
	const struct tfe_overturn_rule *rule = &tfe_overturn_table[ov];
	guint len = tfe_timeline_len(&c->tl);
	uint8_t before;
	int row = assumption_row(c, side, rule->assumption, &before);
	uint8_t to = rule->restore == TFE_ST_BEFORE ? before : rule->restore;

	if (rule->from == TFE_OV_FROM_START) {
		row = 0;
		restate_rows(c, side, 0, len, to);
		for (guint i = 0; i < len; i++) {
			struct tfe_row *r = tfe_timeline_row(&c->tl, i);
			if (syn_arrival(r->reason[side]))
				r->reason[side] = rule->reason;
		}
		c->init_state[side] = to;
	} else if (row >= 0 && (guint)row < len) {
		restate_rows(c, side, (guint)row, len, to);
		tfe_timeline_row(&c->tl, (guint)row)->reason[side] =
			rule->reason;
	}
	put_state(c, side, to, to == TFE_ST_TIME_WAIT && row >= 0 ?
	          time_wait_entered(c, side, (guint)row) : c->last_ts);
	assumption_drop(c, side, rule->assumption);
	return to;
}

/*
 * An ACK past the end of the peer's FIN (SEG.ACK > FIN + 1).  Nothing
 * follows a FIN in its sender's sequence space, so the ACK counts in
 * another space than the FIN's: the FIN lay below what the side had
 * received (an old duplicate), or a device between rewrites one side's
 * numbers (a proxy).  The ACK is not one of the FIN.
 */
static bool
acks_past_fin(const struct tfe_endpoint *peer, const struct tfe_segment *s)
{
	return (s->flags & TFE_TH_ACK) && peer->fin_sent &&
	       tfe_seq_gt(s->ack, peer->fin_seq + 1);
}

/* Farther than this past what a receiver acknowledged, a segment is in
 * another sequence space, not in a gap the capture missed (as HOLE_MAX in
 * evidence.c). */
#define SPACE_JUMP (UINT32_C(1) << 30)

/* A FIN outside what its receiver `rcv` can accept: it ends below the
 * receiver's RCV.NXT (the highest ACK it sent: an old duplicate), or
 * begins a jump in sequence space past it (another space).  RFC 9293
 * §3.10.7.4 answers such a segment with an ACK and drops it.  The lower
 * test holds whatever the capture missed: the receiver acknowledged that
 * much. */
static bool
fin_outside_space(const struct tfe_endpoint *rcv, const struct tfe_segment *s)
{
	return rcv->ack_known &&
	       (tfe_seq_gt(rcv->ack_max, s->seq + s->payload_len + 1) ||
	        tfe_seq_gt(s->seq, rcv->ack_max + SPACE_JUMP));
}

/* The side's ACK passes the end of the FIN whose receipt is on its row
 * fin_rcvd_row: that FIN was outside its space (fin_outside_space()). */
static bool
acks_past_fin_taken(const struct tfe_conn *c, int side,
                    const struct tfe_segment *s)
{
	const struct tfe_endpoint *ep = EP(c, side);

	if (!(s->flags & TFE_TH_ACK) || ep->acked_peer_fin ||
	    (guint)ep->fin_rcvd_row >= tfe_timeline_len(&c->tl))
		return false;
	const struct tfe_row *r = &c->tl.rows[ep->fin_rcvd_row];
	return r->kind == TFE_ROW_FRAME && r->dir != side &&
	       (r->flags & TFE_TH_FIN) &&
	       tfe_seq_gt(s->ack, r->seq + r->len + 1);
}

static bool
assumed_holds(const struct tfe_endpoint *ep, bool of_fin)
{
	return ep->assumed.valid && ep->assumed.of_fin == of_fin &&
	       ep->state == ep->assumed.after;
}

/*
 * One direction captured (asymmetric routing, a span port of one
 * direction): what the side that is seen sends proves what the other
 * did.  Each rule applies only while the capture holds no packet of the
 * other side, so a capture of both directions never reaches it.
 *
 * A passive opener in SYN_RECEIVED that acknowledges more than its
 * SYN+ACK did has received data from the peer, which carries the ACK of
 * the SYN+ACK (RFC 9293 §3.10.7.4: SYN_RECEIVED -> ESTABLISHED); one that
 * has sent more than 65535 bytes past its ISN has had them acknowledged,
 * since the peer's SYN could offer no larger window (a SYN's window is
 * never scaled, RFC 7323 §2.2).  A TCP Fast Open server may send data
 * from SYN_RECEIVED, but no more than that window either.
 */
static bool
synrcvd_proven_established(const struct tfe_endpoint *ep,
                           const struct tfe_endpoint *peer,
                           const struct tfe_segment *s)
{
	if (peer->pkts != 0 || ep->synack_count == 0 || ep->syn_count != 0 ||
	    !ep->isn_known)
		return false;
	if ((s->flags & TFE_TH_ACK) && ep->ack_known &&
	    tfe_seq_gt(s->ack, ep->ack_max))
		return true;
	return s->payload_len > 0 &&
	       s->seq + s->payload_len - (ep->isn + 1) > 65535u;
}

/*
 * Could `side`'s FIN_WAIT_2 have timed out before the peer's FIN came
 * (the bare RST from TIME_WAIT below)?  Only when it sent a FIN at least a
 * second before that FIN arrived: Linux's tcp_fin_timeout counts whole
 * seconds, and an orphaned FIN_WAIT_2 lasts at least that long.  Sooner,
 * the socket was dropped for another reason.
 * Runs only for such a RST, so the scan of the rows costs nothing per
 * packet.
 */
static bool
fin_wait_2_could_expire(const struct tfe_conn *c, int side)
{
	const struct tfe_endpoint *ep = EP(c, side);

	if (!ep->fin_sent || ep->fin_rcvd_row < 0 ||
	    (guint)ep->fin_rcvd_row >= tfe_timeline_len(&c->tl))
		return false;
	int64_t fin_in = c->tl.rows[ep->fin_rcvd_row].ts;
	for (guint i = 0; i < (guint)ep->fin_rcvd_row; i++) {
		const struct tfe_row *r = &c->tl.rows[i];
		if (r->kind == TFE_ROW_FRAME && r->dir == side &&
		    (r->flags & TFE_TH_FIN))
			return fin_in - r->ts >= TFE_NS_PER_SEC;
	}
	return false;
}

/* A RST from `side` that is the first thing it sent after the
 * connection's last silence of --idle-gap-threshold (tfe_evidence_idle_gap()),
 * without ACK, its number the ACK of the peer's segment that broke the
 * silence, and with the TTL of its earlier packets: the answer of an end
 * that no longer has the connection.  A TTL 5 or more away is another
 * device's (rst_foreign_ttl, verdict.c). */
static bool
rst_after_idle(const struct tfe_conn *c, int side, const struct tfe_segment *s)
{
	const struct tfe_endpoint *ep = EP(c, side);
	const struct tfe_endpoint *peer = EP(c, !side);
	const struct tfe_conn_rare *r = tfe_conn_rare(c);

	return r->gap_frame != 0 && r->gap_side == !side &&
	       ep->pkts == r->gap_pkts[side] &&
	       peer->pkts == r->gap_pkts[!side] + 1 &&
	       !(s->flags & TFE_TH_ACK) && peer->ack_known &&
	       s->seq == peer->ack_max && s->ttl == ep->ttl_last;
}

/* The cells marked XX in tfe_sender_table. */
static void
sender_exception(struct tfe_conn *c, struct step *st, int side,
                 enum tfe_event ev, const struct tfe_segment *s)
{
	struct tfe_endpoint *ep = EP(c, side);
	const struct tfe_endpoint *peer = EP(c, !side);
	int row;

	switch (ev) {
	case TFE_EV_RST:
		if (ep->state == TFE_ST_UNKNOWN) {
			set_state(c, st, side, TFE_ST_CLOSED, ep->pkts == 0 ?
			          TFE_RS_SEND_RST_UNSEEN : TFE_RS_SEND_RST);
		} else if (ep->state == TFE_ST_LISTEN) {
			/* It was taken for a listener; its RST shows nothing
			 * listened (§3.10.7.1), so it was CLOSED all along. */
			(void)overturn(c, side, TFE_OV_LISTENER_RST);
			st->reason[side] = TFE_RS_SEND_RST_NO_LISTENER;
		} else if (ep->state == TFE_ST_SYN_SENT) {
			/* A SYN+ACK for some other SYN, or an ACK from
			 * another socket (a stale one's challenge ACK), gets
			 * a RST; the SYN_SENT socket waits on (§3.10.7.3). */
			st->reason[side] = peer->synack_count == 0 ?
			                   TFE_RS_SEND_RST_BAD_ACK :
			                   TFE_RS_SEND_RST_BAD_SYNACK;
		} else if (ep->state == TFE_ST_ESTABLISHED &&
		           !(s->flags & TFE_TH_ACK) && assumed_holds(ep, false) &&
		           ep->pkts == ep->syn_count && ep->isn_known &&
		           s->seq == ep->isn + 1) {
			/* Nothing but its SYN, then a bare RST with seq = the
			 * ACK it was given: no socket took the SYN+ACK. */
			(void)overturn(c, side, TFE_OV_SYNACK_UNMATCHED);
			set_state(c, st, side, TFE_ST_CLOSED,
			          TFE_RS_SEND_RST_NO_CONNECTION);
		} else if (ep->state == TFE_ST_ESTABLISHED &&
		           rst_after_idle(c, side, s)) {
			/* The first it sent after a silence, a RST of the
			 * form a TCP sends for a connection it does not have:
			 * its end had dropped the idle connection
			 * (middlebox_idle_timeout says so). */
			set_state(c, st, side, TFE_ST_CLOSED,
			          TFE_RS_SEND_RST_IDLE_DROPPED);
		} else if ((ep->state == TFE_ST_TIME_WAIT ||
		            ep->state == TFE_ST_CLOSING) &&
		           !(s->flags & TFE_TH_ACK) && ep->fin_rcvd_row < 0 &&
		           !ep->acked_peer_fin &&
		           (row = simclose_row(c, side)) >= 0) {
			/* After the FINs crossed, a socket that took the
			 * peer's FIN answers with ACKs: its bare RST shows
			 * the FIN found it reset (data after its close, the
			 * RST's number that data's ACK) or gone.  It was in
			 * FIN_WAIT_1 from its FIN to this RST; what reached it
			 * after its FIN changed nothing. */
			(void)overturn(c, side, TFE_OV_FIN_CROSSED_RESET);
			for (guint i = (guint)row + 1;
			     i < tfe_timeline_len(&c->tl); i++)
				tfe_timeline_row(&c->tl, i)->reason[side] =
					TFE_RS_NONE;
			set_state(c, st, side, TFE_ST_CLOSED,
			          TFE_RS_SEND_RST_AFTER_CLOSE);
		} else if (ep->state == TFE_ST_TIME_WAIT &&
		           !(s->flags & TFE_TH_ACK) && ep->fin_rcvd_row >= 0) {
			/* TIME_WAIT answers a FIN with an ACK, never a RST: the
			 * FIN found no socket, its FIN_WAIT_2 had timed out, or,
			 * sooner than a timeout can be, it was dropped. */
			(void)overturn(c, side, fin_wait_2_could_expire(c, side) ?
			               TFE_OV_FIN_TIMED_OUT :
			               TFE_OV_FIN_NO_SOCKET);
			st->reason[side] = TFE_RS_SEND_RST_CLOSED;
		} else {
			set_state(c, st, side, TFE_ST_CLOSED,
			          ep->state == TFE_ST_TIME_WAIT ?
			          TFE_RS_SEND_RST_AFTER_CLOSE :
			          ep->ka_pending ? TFE_RS_SEND_RST_KEEPALIVE :
			          TFE_RS_SEND_RST);
		}
		break;
	case TFE_EV_SYNACK:
		/* The first SYN+ACK of a side that sent its own SYN crossed the
		 * peer's: simultaneous open (§3.5 figure 8).  ESTABLISHED
		 * re-sending SYN+ACK: our ACK was lost (§3.8.1). */
		if (ep->synack_count == 0 && ep->syn_count > 0 &&
		    assumed_holds(ep, false) && ep->assumed.row >= 0) {
			/* Its own SYN+ACK shows the peer's had not arrived: it
			 * was in SYN_RECEIVED (it had the peer's SYN, which this
			 * segment acknowledges). */
			(void)overturn(c, side, TFE_OV_SYNACK_CROSSED);
			st->reason[side] = TFE_RS_SEND_SYNACK_SIMOPEN;
		} else if (ep->synack_count == 0)
			st->reason[side] = TFE_RS_SEND_SYNACK_SIMOPEN;
		else if (assumed_holds(ep, false) &&
		         ep->state == TFE_ST_ESTABLISHED) {
			(void)overturn(c, side, TFE_OV_SYNACK_RESENT);
			st->reason[side] = TFE_RS_REVERT_ACK_LOST;
			struct tfe_ep_rare *r = tfe_conn_rare_get(c, side);
			if (r->acks_ignored < UINT8_MAX)
				r->acks_ignored++;
		} else
			st->reason[side] = TFE_RS_RETRANS_SYNACK;
		break;
	case TFE_EV_SYN:
		if (ep->state == TFE_ST_LISTEN) {
			/* We took it for a listener; its own SYN shows it was a
			 * CLOSED socket opening too (simultaneous open). */
			(void)overturn(c, side, TFE_OV_LISTENER_SYN);
			set_state(c, st, side, TFE_ST_SYN_SENT,
			          TFE_RS_SEND_SYN_SIMOPEN);
			break;
		}
		/* ESTABLISHED re-sending its SYN: the SYN+ACK never came. */
		if (assumed_holds(ep, false) && ep->isn_known &&
		    s->seq == ep->isn) {
			(void)overturn(c, side, TFE_OV_SYN_RESENT);
			st->reason[side] = TFE_RS_REVERT_SYNACK_LOST;
		} else
			st->reason[side] = TFE_RS_INVALID_SEND;
		break;
	case TFE_EV_FIN:
		if (ep->state == TFE_ST_CLOSE_WAIT) {
			bool acks_peer_fin = (s->flags & TFE_TH_ACK) &&
			                     tfe_seq_gt(s->ack, peer->fin_seq);
			if (acks_peer_fin || ep->fin_rcvd_row < 0) {
				set_state(c, st, side, TFE_ST_LAST_ACK,
				          TFE_RS_SEND_FIN_PASSIVE);
			} else {
				/* The FINs crossed: it never was in CLOSE_WAIT. */
				(void)overturn(c, side, TFE_OV_FIN_CROSSED);
				set_state(c, st, side, TFE_ST_CLOSING,
				          TFE_RS_SEND_FIN_SIMCLOSE);
			}
		} else if (ep->state == TFE_ST_UNKNOWN) {
			/* Mid-stream: passive closer if the peer closed first. */
			if (peer->fin_sent && !acks_past_fin(peer, s))
				set_state(c, st, side, TFE_ST_LAST_ACK,
				          TFE_RS_SEND_FIN_PASSIVE);
			else
				set_state(c, st, side, TFE_ST_FIN_WAIT_1,
				          TFE_RS_SEND_FIN_MIDSTREAM);
		} else if (assumed_holds(ep, true)) {
			/* Its FIN again although we saw the ACK of it: that ACK
			 * was lost.  LAST_ACK stays LAST_ACK (see states.md). */
			(void)overturn(c, side, ep->state == TFE_ST_TIME_WAIT ?
			                        TFE_OV_FIN_RESENT_TW :
			                        TFE_OV_FIN_RESENT);
			st->reason[side] = TFE_RS_REVERT_FINACK_LOST;
		} else if (ep->state == TFE_ST_CLOSED) {
			st->reason[side] = TFE_RS_SEND_FROM_CLOSED;
		} else {
			st->reason[side] = TFE_RS_RETRANS_FIN;
		}
		break;
	case TFE_EV_ACK:
		if (ep->state == TFE_ST_SYN_RECEIVED) {
			/* Simultaneous open: its ACK of the peer's SYN+ACK. */
			if (ep->syn_count > 0 && peer->synack_count > 0 &&
			    (s->flags & TFE_TH_ACK) && peer->isn_known &&
			    tfe_seq_gt(s->ack, peer->isn))
				set_state(c, st, side, TFE_ST_ESTABLISHED,
				          TFE_RS_SEND_ACK_OF_SYNACK);
			else if (synrcvd_proven_established(ep, peer, s))
				set_state(c, st, side, TFE_ST_ESTABLISHED,
				          TFE_RS_INFERRED_ACK_ARRIVED);
			/* after ACKs it ignored (step_receiver()): only an
			 * established side acknowledges data or sends any */
			else if (tfe_conn_rare_ep(c, side)->acks_ignored >= 2 &&
			         (s->flags & TFE_TH_ACK) && peer->isn_known &&
			         (s->payload_len > 0 ||
			          tfe_seq_gt(s->ack, peer->isn + 1)))
				set_state(c, st, side, TFE_ST_ESTABLISHED,
				          TFE_RS_SEND_PROVES_ACCEPTED);
		} else if (ep->state == TFE_ST_UNKNOWN) {
			if (peer->fin_sent && !acks_past_fin(peer, s))
				set_state(c, st, side, TFE_ST_CLOSE_WAIT,
				          TFE_RS_SEND_ACK_CLOSE_WAIT_MIDSTREAM);
			else
				set_state(c, st, side, TFE_ST_ESTABLISHED,
				          TFE_RS_SEND_ACK_MIDSTREAM);
		} else if (ep->state == TFE_ST_TIME_WAIT) {
			/* The FIN came again and TIME_WAIT answers it. */
			if (ep->acked_peer_fin && peer->fin_sent &&
			    (s->flags & TFE_TH_ACK) &&
			    tfe_seq_gt(s->ack, peer->fin_seq) &&
			    peer->fin_count > 1)
				st->reason[side] = TFE_RS_TW_REACK;
		}
		break;
	default:
		break;
	}
}

/*
 * A side that refused the client's SYN with a RST (no listener, as the
 * timeline took it) now answers that same SYN with a SYN+ACK, its first:
 * a host does one or the other.  The RST was not its TCP's (an injector's,
 * as in Suricata's windows-evasion capture), nor anything else in its name
 * before the SYN+ACK, whose sequence numbers lie outside the space the
 * SYN+ACK opens.
 */
static bool
refused_then_answers(const struct tfe_conn *c, int side,
                     const struct tfe_segment *s)
{
	const struct tfe_endpoint *ep = EP(c, side);
	const struct tfe_endpoint *peer = EP(c, !side);

	if (ep->state != TFE_ST_CLOSED || ep->synack_count != 0 ||
	    ep->syn_count != 0 || !(s->flags & TFE_TH_ACK) ||
	    !peer->isn_known || s->ack != peer->isn + 1 ||
	    ep->rst_row < 0 || (guint)ep->rst_row >= tfe_timeline_len(&c->tl))
		return false;
	return c->tl.rows[ep->rst_row].reason[side] ==
	       TFE_RS_SEND_RST_NO_LISTENER;
}

/* Undoes what refused_then_answers() disproved: the side listened from
 * the start, the RST and what followed it in its name were not its own,
 * and nothing of them counts as its (a FIN among them is no FIN of its). */
static void
disown_refusal(struct tfe_conn *c, struct step *st, int side)
{
	struct tfe_endpoint *ep = EP(c, side);
	guint from = (guint)ep->rst_row;

	(void)overturn(c, side, TFE_OV_REFUSAL_ANSWERED);
	for (guint i = from; i < tfe_timeline_len(&c->tl); i++) {
		struct tfe_row *r = tfe_timeline_row(&c->tl, i);
		if (r->kind == TFE_ROW_FRAME && r->dir == side) {
			r->reason[side] = i == from ?
			                  TFE_RS_RST_REFUSAL_NOT_ITS_OWN :
			                  TFE_RS_SEND_NOT_ITS_OWN;
			r->notes &= (uint16_t)~TFE_NOTE_WINDOW_OPEN;
		}
	}
	ep->fin_sent = false;
	ep->fin_acked = false;
	ep->fin_count = 0;
	ep->seq_known = false;
	/* its SYN+ACK is its first window: none opens again */
	st->notes &= (uint16_t)~TFE_NOTE_WINDOW_OPEN;
	if (c->rst_by == side) {
		c->rst_by = TFE_SIDE_NONE;
		c->rst_seen = false;
		/* nothing after it was after a reset of this connection */
		for (guint i = from + 1; i < tfe_timeline_len(&c->tl); i++)
			tfe_timeline_row(&c->tl, i)->notes &=
				(uint16_t)~TFE_NOTE_AFTER_RST;
		st->notes &= (uint16_t)~TFE_NOTE_AFTER_RST;
	}
	if (c->closed_first == side)
		c->closed_first = TFE_SIDE_NONE;
	c->fast_ok = false;
}

/*
 * A side a RST took to CLOSED, a RST its sender disowned
 * (disown_refusal()), now sends a segment acknowledging that sender's
 * SYN+ACK: it went on as before, the RST had not closed it.
 */
static bool
went_on_after_rst(const struct tfe_conn *c, int side, enum tfe_event ev,
                  const struct tfe_segment *s)
{
	const struct tfe_ep_rare *r = tfe_conn_rare_ep(c, side);
	const struct tfe_endpoint *peer = EP(c, !side);

	if (r->rst_rcvd_row1 == 0 || ev == TFE_EV_RST || ev == TFE_EV_SYN ||
	    ev == TFE_EV_NONE || !(s->flags & TFE_TH_ACK) ||
	    !peer->isn_known || peer->synack_count == 0 ||
	    tfe_seq_lt(s->ack, peer->isn + 1) ||
	    (guint)r->rst_rcvd_row1 - 1 >= tfe_timeline_len(&c->tl))
		return false;
	return c->tl.rows[r->rst_rcvd_row1 - 1].reason[!side] ==
	       TFE_RS_RST_REFUSAL_NOT_ITS_OWN;
}

static void
rst_not_taken(struct tfe_conn *c, int side)
{
	struct tfe_endpoint *ep = EP(c, side);
	struct tfe_ep_rare *r = tfe_conn_rare_get(c, side);
	int from = r->rst_rcvd_row1 - 1;

	(void)overturn(c, side, TFE_OV_RST_NOT_TAKEN);
	/* the SYN+ACK after it took it on, as it would have */
	guint len = tfe_timeline_len(&c->tl);
	for (guint i = (guint)from + 1; ep->state == TFE_ST_SYN_SENT &&
	     i < len; i++) {
		struct tfe_row *row = tfe_timeline_row(&c->tl, i);
		if (row->kind == TFE_ROW_FRAME && row->dir == !side &&
		    (row->flags & (TFE_TH_SYN | TFE_TH_ACK | TFE_TH_RST)) ==
		    (TFE_TH_SYN | TFE_TH_ACK)) {
			restate_rows(c, side, i, len, TFE_ST_ESTABLISHED);
			row->reason[side] = TFE_RS_RECV_SYNACK;
			put_state(c, side, TFE_ST_ESTABLISHED, row->ts);
			ep->syn_acked = true;
		}
	}
	if (c->rst_by == !side) {
		c->rst_by = TFE_SIDE_NONE;
		c->rst_seen = false;
	}
	/* the frames after the RST were no traffic after a reset */
	for (guint i = (guint)from + 1; i < tfe_timeline_len(&c->tl); i++)
		tfe_timeline_row(&c->tl, i)->notes &= (uint16_t)~TFE_NOTE_AFTER_RST;
	c->fast_ok = false;
}

static void
step_sender(struct tfe_conn *c, struct step *st, int side, enum tfe_event ev,
            const struct tfe_segment *s)
{
	struct tfe_endpoint *ep = EP(c, side);

	if (ev == TFE_EV_RST) {
		ep->rst_unaccepted = false;
		ep->rst_row = (int)tfe_timeline_len(&c->tl);
		ep->rst_before = ep->state;
	} else if (G_UNLIKELY(ev == TFE_EV_SYNACK) &&
	           refused_then_answers(c, side, s)) {
		disown_refusal(c, st, side);
	} else if (G_UNLIKELY(ep->state == TFE_ST_CLOSED) &&
	           went_on_after_rst(c, side, ev, s)) {
		rst_not_taken(c, side);
	} else if (G_UNLIKELY(ep->fin_rcvd_row >= 0) &&
	           acks_past_fin_taken(c, side, s)) {
		/* Its ACK is past the peer's FIN: the FIN taken as delivered
		 * lay below what it had received, and it did not take it. */
		(void)overturn(c, side, TFE_OV_FIN_OLD);
	} else if (ep->rst_unaccepted && ep->state == TFE_ST_CLOSED &&
	           ev != TFE_EV_NONE) {
		/* It carries on after a RST its peer could not accept: that
		 * RST did not come from its TCP (a middlebox or an injection),
		 * so it never left its state. */
		(void)overturn(c, side, TFE_OV_RST_CARRIES_ON);
		st->reason[side] = TFE_RS_CARRIES_ON_AFTER_RST;
	}

	const struct tfe_transition *t = &tfe_sender_table[ev][ep->state];

	switch (t->next) {
	case TFE_X_IGNORE:
		if (t->reason != TFE_RS_NONE)
			st->reason[side] = t->reason;
		break;
	case TFE_X_INVALID:
		if (t->reason != TFE_RS_NONE)
			st->reason[side] = t->reason;
		/* A listener answering a SYN with a bare ACK: the socket of
		 * the connection the SYN took the tuple from sent it. */
		if (ev == TFE_EV_ACK && ep->state == TFE_ST_LISTEN &&
		    !(s->flags & TFE_TH_SYN) && tfe_conn_rare(c)->prev_live)
			st->reason[side] = TFE_RS_ACK_FROM_STALE;
		break;
	case TFE_X_EXCEPTION:
		sender_exception(c, st, side, ev, s);
		break;
	default:
		set_state(c, st, side, t->next, t->reason);
		break;
	}
}

static enum tfe_rx_event
classify_rx(const struct tfe_endpoint *rcv, enum tfe_event ev,
            const struct tfe_segment *s)
{
	bool ack = (s->flags & TFE_TH_ACK) != 0;
	/* past the FIN's end the ACK is not acceptable (SEG.ACK > SND.NXT:
	 * RFC 9293 §3.10.7.4 answers it with an ACK and drops it) */
	bool acks_fin = ack && rcv->fin_sent && !rcv->fin_acked &&
	                s->ack == rcv->fin_seq + 1;
	bool acks_syn = ack && rcv->isn_known && !rcv->syn_acked &&
	                tfe_seq_gt(s->ack, rcv->isn);

	switch (ev) {
	case TFE_EV_RST:
		return TFE_RX_RST;
	case TFE_EV_SYNACK:
		/* Acceptable: SND.UNA < SEG.ACK =< SND.NXT (RFC 9293
		 * §3.10.7.3).  SND.NXT is past the SYN's data when the SYN
		 * carried some (TCP Fast Open, RFC 7413): a SYN+ACK may
		 * acknowledge the data too, or the SYN alone. */
		if (rcv->isn_known && s->ack != rcv->isn + 1 &&
		    !(rcv->seq_known && tfe_seq_gt(s->ack, rcv->isn + 1) &&
		      tfe_seq_leq(s->ack, rcv->snd_nxt)))
			return TFE_RX_SYNACK_BAD;
		return TFE_RX_SYNACK;
	case TFE_EV_SYN:
		return TFE_RX_SYN;
	case TFE_EV_FIN:
		/* without ACK it is dropped in every state (RFC 9293
		 * §3.10.7: a segment without ACK is discarded; a FIN scan's
		 * probe) */
		if (!ack)
			return TFE_RX_NONE;
		return acks_fin ? TFE_RX_FIN_ACKS_FIN : TFE_RX_FIN;
	case TFE_EV_ACK:
		if (acks_fin)
			return TFE_RX_ACK_FIN;
		if (acks_syn)
			return TFE_RX_ACK_SYN;
		return TFE_RX_ACK;
	default:
		return TFE_RX_NONE;
	}
}

/*
 * The sequence and window check, after OpenBSD pf's four bounds, reduced to
 * what a capture point can know (RFC 9293 §3.10.7.4).  With RCV.NXT the
 * highest ACK the receiver sent and RCV.WND the largest window it
 * advertised:
 *   1. SEG.SEQ + SEG.LEN must not pass RCV.NXT + RCV.WND (past the window);
 *   2. SEG.SEQ + SEG.LEN must not end before RCV.NXT - RCV.WND (too old);
 *   3. SEG.ACK must not pass the receiver's SND.NXT as seen (acknowledges
 *      data the capture never saw: a gap, or a forged ACK).
 * Returns the first bound that fails, UNKNOWN when the receiver has not
 * advertised anything yet.
 */
static inline enum tfe_seqcheck
seqcheck(const struct tfe_conn *c, int side, const struct tfe_segment *s)
{
	const struct tfe_endpoint *rcv = EP(c, !side);
	uint32_t end = s->seq + s->payload_len;
	uint32_t wnd;

	if (!rcv->ack_known)
		return TFE_SEQ_UNKNOWN;
	wnd = rcv->max_win ? rcv->max_win : 1;
	if (tfe_seq_gt(end, rcv->ack_max + wnd))
		return TFE_SEQ_PAST_WINDOW;
	if (tfe_seq_lt(end, rcv->ack_max - wnd))
		return TFE_SEQ_TOO_OLD;
	if ((s->flags & TFE_TH_ACK) && rcv->seq_known &&
	    tfe_seq_gt(s->ack, rcv->snd_nxt))
		return TFE_SEQ_ACK_UNSENT;
	return TFE_SEQ_OK;
}

/*
 * Is a RST from `side` acceptable to its receiver?  RFC 9293 §3.10.7.3: in
 * SYN_SENT only if it acknowledges the SYN; RFC 9293 §3.10.7.4 (and RFC 5961
 * §3): otherwise only inside the receive window, never below RCV.NXT.  Where the capture has not
 * seen enough of the receiver, give it the benefit of the doubt.
 */
static bool
rst_acceptable(const struct tfe_conn *c, int side, const struct tfe_segment *s)
{
	const struct tfe_endpoint *rcv = EP(c, !side);

	if (rcv->state == TFE_ST_SYN_SENT) {
		if (!(s->flags & TFE_TH_ACK))
			return false;
		return !rcv->isn_known || s->ack == rcv->isn + 1;
	}
	/* Below RCV.NXT (the highest ACK the receiver sent) a RST is out of
	 * the window (RFC 9293 §3.10.7.4: RCV.NXT =< SEG.SEQ); Linux takes
	 * RCV.NXT - 1 only in CLOSE_WAIT, LAST_ACK and CLOSING, for stacks
	 * that reset with their FIN's number (tcp_reset_check()). */
	if (rcv->ack_known && tfe_seq_lt(s->seq, rcv->ack_max))
		return s->seq == rcv->ack_max - 1 &&
		       (rcv->state == TFE_ST_CLOSE_WAIT ||
		        rcv->state == TFE_ST_LAST_ACK ||
		        rcv->state == TFE_ST_CLOSING);
	enum tfe_seqcheck r = seqcheck(c, side, s);
	return r != TFE_SEQ_PAST_WINDOW && r != TFE_SEQ_TOO_OLD;
}

/*
 * The peer sends its SYN+ACK or FIN again before the receiver answered the
 * first one: that first one never arrived (doc/states.md: "a retransmission
 * disproves it").  Move the receipt to this frame and rewrite the rows in
 * between.  Returns true when it did.
 */
static bool
redelivered(struct tfe_conn *c, struct step *st, int rside,
            enum tfe_rx_event rx, const struct tfe_segment *s, int row_hint)
{
	struct tfe_endpoint *rcv = EP(c, rside);
	const struct tfe_transition *t;

	if (rx == TFE_RX_SYNACK && assumed_holds(rcv, false) &&
	    rcv->pkts == rcv->syn_count && rcv->assumed.row >= 0) {
		uint8_t before = overturn(c, rside, TFE_OV_SYNACK_AGAIN);

		t = &tfe_receiver_table[rx][before];
		set_state(c, st, rside, t->next, t->reason);
		/* this copy is the one taken as delivered now */
		rcv->assumed = (struct tfe_assumed){ true, false, before,
		                                     rcv->state, row_hint };
		rcv->syn_acked = true;
		return true;
	}
	if ((rx == TFE_RX_FIN || rx == TFE_RX_FIN_ACKS_FIN) &&
	    rcv->fin_rcvd_row >= 0 && !rcv->acked_peer_fin &&
	    EP(c, !rside)->fin_sent && s->seq == EP(c, !rside)->fin_seq) {
		uint8_t before = rcv->fin_rcvd_before;

		/* The first copy did not arrive, nor the ACK of the
		 * receiver's own FIN it carried: this copy brings both. */
		if (rx == TFE_RX_FIN && (s->flags & TFE_TH_ACK) &&
		    rcv->fin_sent && tfe_seq_gt(s->ack, rcv->fin_seq))
			rx = TFE_RX_FIN_ACKS_FIN;
		t = &tfe_receiver_table[rx][before];
		if (t->next >= TFE_ST__COUNT)
			return false;
		/* Or the FIN did arrive and the receiver's ACK was lost:
		 * settled at the end (settle_fin_or_ack()). */
		if ((guint)rcv->fin_rcvd_row < tfe_timeline_len(&c->tl) &&
		    rcv->state == TFE_ST_TIME_WAIT &&
		    (c->rare == NULL || !c->rare->und.pending)) {
			struct tfe_conn_rare *rr = tfe_conn_rare_mut(c);
			rr->und = (struct tfe_undecided){
				.from = rcv->fin_rcvd_row, .to = row_hint,
				.side = (uint8_t)rside, .before = before,
				.after = rcv->state,
				.first_reason = c->tl.rows[rcv->fin_rcvd_row]
				                .reason[rside],
				.pending = true };
		} else if (c->rare != NULL && c->rare->und.pending &&
		           c->rare->und.side == rside &&
		           c->rare->und.to == rcv->fin_rcvd_row &&
		           rcv->state == TFE_ST_TIME_WAIT) {
			/* the FIN once more: the chain of copies, each taken
			 * as the first to arrive, grows to this one */
			c->rare->und.to = row_hint;
		}
		(void)overturn(c, rside, TFE_OV_FIN_AGAIN);
		set_state(c, st, rside, t->next, t->reason);
		/* this copy is the one taken as delivered now */
		rcv->fin_rcvd_row = row_hint;
		rcv->fin_rcvd_before = before;
		return true;
	}
	return false;
}

static void
step_receiver(struct tfe_conn *c, struct step *st, int side,
              enum tfe_event ev, const struct tfe_segment *s, int row_hint)
{
	int rside = !side;
	struct tfe_endpoint *rcv = EP(c, rside);
	enum tfe_rx_event rx = classify_rx(rcv, ev, s);
	uint8_t before = rcv->state;

	if (rx == TFE_RX_RST && !rst_acceptable(c, side, s)) {
		/* In SYN_SENT the test is the ACK, elsewhere the window; a
		 * closed socket has neither, nothing to say. */
		if (before != TFE_ST_CLOSED)
			st->reason[rside] = before == TFE_ST_SYN_SENT ?
			                    TFE_RS_RECV_RST_BAD_ACK :
			                    TFE_RS_RECV_RST_OUT_OF_WINDOW;
		EP(c, side)->rst_unaccepted = true;
		return;
	}
	if (rx == TFE_RX_RST && EP(c, side)->ka_pending &&
	    tfe_conn_rare_ep(c, side)->ka_probes > 1 &&
	    tfe_conn_rare_ep(c, side)->ka_unanswered_run > 0) {
		/* The prober gave up on a peer that answered nothing: its RST
		 * goes where the probes went. */
		st->reason[rside] = TFE_RS_RECV_RST_UNREACHABLE;
		return;
	}
	if (G_UNLIKELY(ev == TFE_EV_FIN) && fin_outside_space(rcv, s)) {
		st->reason[rside] = TFE_RS_RECV_FIN_OLD;
		return;
	}
	if (redelivered(c, st, rside, rx, s, row_hint))
		return;
	/* A side that re-sent its SYN+ACK past an ACK of it twice ignores
	 * those ACKs: one lost ACK explains one re-send, not two; Linux
	 * drops them while the listener's accept queue is full
	 * (tcp_abort_on_overflow 0).  A further one is not taken as
	 * delivered; the side is ESTABLISHED once it shows it
	 * (synrcvd_proven_established()), as the accept_queue_full
	 * verdict reads it. */
	if (rx == TFE_RX_ACK_SYN && before == TFE_ST_SYN_RECEIVED &&
	    tfe_conn_rare_ep(c, rside)->acks_ignored >= 2) {
		st->reason[rside] = TFE_RS_RECV_ACK_QUEUE_FULL;
		return;
	}

	const struct tfe_transition *t = &tfe_receiver_table[rx][before];
	switch (t->next) {
	case TFE_X_IGNORE:
	case TFE_X_INVALID:
		if (t->reason != TFE_RS_NONE)
			st->reason[rside] = t->reason;
		else if (rx == TFE_RX_NONE && ev == TFE_EV_FIN)
			st->reason[rside] = TFE_RS_RECV_INVALID;
		break;
	case TFE_X_EXCEPTION:
		/* SYN_RECEIVED + RST: a passive open goes back to LISTEN, an
		 * active (simultaneous) one to CLOSED (§3.10.7.4). */
		if (rcv->syn_count == 0)
			set_state(c, st, rside, TFE_ST_LISTEN,
			          TFE_RS_RECV_RST_TO_LISTEN);
		else
			set_state(c, st, rside, TFE_ST_CLOSED,
			          TFE_RS_RECV_RST_SYNRCVD);
		break;
	default:
		set_state(c, st, rside, t->next, t->reason);
		break;
	}

	/* What the receipt proves about the receiver's own SYN and FIN, and
	 * what a later retransmission by it could disprove.  A bare ACK in
	 * SYN_SENT is dropped (RFC 9293 3.10.7.3: neither SYN nor RST): it
	 * acknowledges nothing the socket takes, and the ACK that later
	 * answers its SYN+ACK (a split handshake) must still count. */
	if ((rx == TFE_RX_SYNACK || rx == TFE_RX_ACK_SYN) && !rcv->syn_acked &&
	    !(rx == TFE_RX_ACK_SYN && before == TFE_ST_SYN_SENT)) {
		rcv->syn_acked = true;
		if (!rcv->isn_known && (s->flags & TFE_TH_ACK)) {
			/* Its SYN was not captured; the ACK tells its ISN. */
			rcv->isn = s->ack - 1;
			rcv->isn_known = true;
			if (!rcv->seq_known)
				rcv->seq_base = rcv->isn;
		}
		if (rcv->state != before) {
			rcv->assumed = (struct tfe_assumed){ true, false, before,
			                                     rcv->state, row_hint };
		}
	}
	if (rx == TFE_RX_ACK_FIN || rx == TFE_RX_FIN_ACKS_FIN) {
		rcv->fin_acked = true;
		if (rcv->state != before)
			rcv->assumed = (struct tfe_assumed){ true, true, before,
			                                     rcv->state, row_hint };
	}
	if (rx == TFE_RX_FIN && rcv->state == TFE_ST_TIME_WAIT)
		rcv->tw_since = st->ts; /* a FIN again restarts 2MSL */
	if ((rx == TFE_RX_FIN || rx == TFE_RX_FIN_ACKS_FIN) &&
	    rcv->state != before) {
		rcv->fin_rcvd_row = row_hint;
		rcv->fin_rcvd_before = before;
	}
	if (G_UNLIKELY(rx == TFE_RX_RST) && rcv->state == TFE_ST_CLOSED &&
	    before != TFE_ST_CLOSED) {
		struct tfe_ep_rare *r = tfe_conn_rare_get(c, rside);
		r->rst_rcvd_row1 = row_hint + 1;
		r->rst_rcvd_before = before;
	}
}

bool
tfe_conn_handshake_rtt(const struct tfe_conn *c, int64_t *up, int64_t *down)
{
	if (c->syn_ts == 0 || c->hs_ack_ts == 0 || c->synack_ts == 0 ||
	    c->ep[TFE_SIDE_SERVER].syn_count != 0)
		return false;
	*up = c->synack_ts - c->syn_ts;
	*down = c->hs_ack_ts - c->synack_last_ts;
	return true;
}

const char *
tfe_conn_handshake_ambiguous(const struct tfe_conn *c)
{
	if (c->ep[TFE_SIDE_CLIENT].syn_count > 1)
		return "the SYN was re-sent";
	if (c->ep[TFE_SIDE_SERVER].synack_count > 1)
		return "the SYN+ACK was re-sent";
	return NULL;
}

bool
tfe_conn_ws_unknown(const struct tfe_conn *c)
{
	bool cut = false;

	if (c->ws_ok)
		return false;
	for (int i = 0; i < 2; i++) {
		const struct tfe_endpoint *ep = &c->ep[i];
		if (ep->syn_count == 0 && ep->synack_count == 0)
			continue;
		if (ep->has_wscale)
			continue;
		if (!(c->syn_opts_cut & (1u << i)))
			return false; /* a whole SYN without it: scaling off */
		cut = true;
	}
	return cut;
}

uint32_t
tfe_conn_rel_seq(const struct tfe_conn *c, int side, uint32_t seq)
{
	return seq - EP(c, side)->seq_base;
}

struct tfe_conn *
tfe_conn_new(uint64_t id, const struct tfe_segment *s, bool from_lo,
             const struct tfe_config *cfg)
{
	struct tfe_conn *c = tfe_record_alloc();
	bool syn = (s->flags & (TFE_TH_SYN | TFE_TH_ACK | TFE_TH_RST)) == TFE_TH_SYN;
	bool synack = (s->flags & (TFE_TH_SYN | TFE_TH_ACK | TFE_TH_RST)) ==
	              (TFE_TH_SYN | TFE_TH_ACK);
	bool sender_is_client;

	c->id = id;
	c->family = s->family;
	c->flow.queue = -1; /* in no queue until the table takes it */
	c->closed_first = TFE_SIDE_NONE;
	c->rst_by = TFE_SIDE_NONE;
	if (syn) {
		c->roles = TFE_ROLES_SYN;
		sender_is_client = true;
	} else if (synack) {
		c->roles = TFE_ROLES_SYNACK;
		sender_is_client = false;
	} else {
		/* No handshake seen: the lower port is the server, as the
		 * well-known or registered port usually is (doc/states.md). */
		c->roles = TFE_ROLES_PORT;
		sender_is_client = s->sport > s->dport ||
		                   (s->sport == s->dport && !from_lo);
	}
	c->client_is_lo = sender_is_client ? from_lo : !from_lo;

	/* the flow key (lower end first); its from_lo is `from_lo` */
	tfe_flow_key_make(s, &c->key);
	/* The tunnel's endpoints in the same order as the tuple's. */
	if (s->tunnel.depth > 0) {
		struct tfe_tunnel *tun = &tfe_conn_rare_mut(c)->tunnel;
		*tun = s->tunnel;
		if (!sender_is_client) {
			memcpy(tun->src, s->tunnel.dst, 16);
			memcpy(tun->dst, s->tunnel.src, 16);
		}
	}

	/* (a record comes zeroed: both sides UNKNOWN) */
	if (c->roles == TFE_ROLES_SYN) {
		put_state(c, TFE_SIDE_CLIENT, TFE_ST_CLOSED, 0);
		put_state(c, TFE_SIDE_SERVER, TFE_ST_LISTEN, 0);
	} else if (c->roles == TFE_ROLES_SYNACK) {
		/* The SYN+ACK proves the client sent a SYN the capture lacks. */
		put_state(c, TFE_SIDE_CLIENT, TFE_ST_SYN_SENT, 0);
		put_state(c, TFE_SIDE_SERVER, TFE_ST_LISTEN, 0);
	}
	c->ep[0].fin_rcvd_row = c->ep[1].fin_rcvd_row = -1;
	c->ep[0].rst_row = c->ep[1].rst_row = -1;
	c->taken_over_side = TFE_SIDE_NONE;
	c->one_way = TFE_SIDE_NONE;
	c->ep[0].assumed.row = c->ep[1].assumed.row = -1;
	c->init_state[0] = c->ep[0].state;
	c->init_state[1] = c->ep[1].state;
	tfe_zeek_init(&c->zeek);
	tfe_timeline_init(&c->tl, cfg->all_frames ? (1u << 20) : cfg->max_rows);
	return c;
}

/* Probes come after quiet: Linux's shortest keepalive time and interval
 * are 1 s (TCP_KEEPIDLE, TCP_KEEPINTVL), a zero-window probe waits an RTO
 * of 200 ms at least.  A segment of that shape sooner is an ACK with an
 * odd number (a device's padded ACKs, sent by the handful within a
 * millisecond of data). */
#define KEEPALIVE_QUIET_NS (TFE_NS_PER_SEC / 5)

/* Whether a segment of a probe's shape at `ts` comes late enough to be
 * one: an interval after the sender's previous probe, and a keepalive
 * (the window open) after the connection's data has been quiet as long. */
static bool
probe_spaced(const struct tfe_conn *c, int side, int64_t ts, bool zw)
{
	const struct tfe_ep_rare *r = tfe_conn_rare_ep(c, side);

	if (r->ka_probes > 0 && ts - r->ka_last_ts < KEEPALIVE_QUIET_NS)
		return false;
	return zw || c->data_ts == 0 || ts - c->data_ts >= KEEPALIVE_QUIET_NS;
}

/* Notes on a frame that are facts about it, before anything is updated. */
static uint16_t
frame_notes(const struct tfe_conn *c, int side, const struct tfe_segment *s,
            int64_t ts)
{
	const struct tfe_endpoint *ep = EP(c, side);
	uint16_t f = s->flags;
	uint16_t notes = 0;
	bool syn = f & TFE_TH_SYN, fin = f & TFE_TH_FIN, rst = f & TFE_TH_RST;

	if ((syn && (fin || rst)) || !(f & (TFE_TH_SYN | TFE_TH_FIN |
	                                    TFE_TH_RST | TFE_TH_ACK)) ||
	    (fin && !(f & TFE_TH_ACK)) ||
	    (fin && (f & TFE_TH_PSH) && (f & TFE_TH_URG) && !(f & TFE_TH_ACK)))
		notes |= TFE_NOTE_BAD_FLAGS;
	if (c->rst_seen)
		notes |= TFE_NOTE_AFTER_RST;
	if (syn && !rst && ep->isn_known && s->seq == ep->isn &&
	    ((f & TFE_TH_ACK) ? ep->synack_count : ep->syn_count) > 0)
		notes |= TFE_NOTE_RETRANS;
	if (ep->seq_known && !rst && !syn) {
		uint32_t end = s->seq + s->payload_len;
		/* A keepalive probe re-sends the last byte or nothing with
		 * SEG.SEQ = SND.NXT - 1 (RFC 9293 §3.8.4). */
		const struct tfe_endpoint *peer = EP(c, !side);
		bool peer_closed_window = peer->pkts > 0 && peer->last_win == 0;
		if (s->payload_len <= 1 && !fin && is_synchronized(ep->state) &&
		    s->seq == ep->snd_nxt - 1 &&
		    probe_spaced(c, side, ts, peer_closed_window))
			/* Linux probes a zero window the same way it sends a
			 * keepalive; the peer's window tells them apart. */
			notes |= peer_closed_window ? TFE_NOTE_ZW_PROBE
			                            : TFE_NOTE_KEEPALIVE;
		else if ((s->payload_len > 0 || fin) &&
		         tfe_seq_lt(s->seq, ep->snd_nxt))
			notes |= tfe_evidence_reordered_hole(c, side, s, ts) >= 0
			         ? TFE_NOTE_OUT_OF_ORDER : TFE_NOTE_RETRANS;
		if (ep->fin_sent && s->payload_len > 0 &&
		    tfe_seq_gt(end, ep->fin_seq))
			notes |= TFE_NOTE_AFTER_FIN;
	}
	if (!rst && !syn && s->win == 0 && (f & TFE_TH_ACK))
		notes |= TFE_NOTE_ZERO_WINDOW;
	else if (!rst && ep->seq_known && ep->last_win == 0 && s->win > 0 &&
	         ep->pkts > 0)
		notes |= TFE_NOTE_WINDOW_OPEN;
	/* (past the peer's FIN nothing was sent for the capture to miss:
	 * such an ACK counts in another space, acks_past_fin()) */
	if (!rst && seqcheck(c, side, s) == TFE_SEQ_ACK_UNSENT &&
	    !acks_past_fin(EP(c, !side), s))
		notes |= TFE_NOTE_GAP;
	return notes;
}

/* A row that was folded away cannot be rewritten later. */
static void
forget_row(struct tfe_conn *c, int row)
{
	for (int i = 0; i < 2; i++) {
		if (c->ep[i].assumed.row == row)
			c->ep[i].assumed.row = -1;
		if (c->ep[i].fin_rcvd_row == row)
			c->ep[i].fin_rcvd_row = -1;
		if (c->ep[i].rst_row == row)
			c->ep[i].rst_row = -1;
	}
}

/*
 * Is `s` the common case: a segment with ACK and no SYN, FIN or RST, in
 * order (SEG.SEQ = SND.NXT), between two ESTABLISHED sides with nothing
 * pending (no FIN either way, no RST seen, no keepalive or zero window, the
 * receiver's SYN acknowledged)?  Then the general path below would move no
 * state, write no note and no reason, and fold the frame; fast_update()
 * does exactly that much.  Every test here or in conn_fast_ok() stands
 * for a branch of the general path that it lets fast_update() leave out:
 *   - the states, flags, rst_seen, fin_sent, ka_pending, rst_unaccepted:
 *     the tables give IGNORE for an ACK in ESTABLISHED both ways, and
 *     classify_rx() can only say TFE_RX_ACK when the receiver's SYN is
 *     acknowledged (or its ISN unknown) and it sent no FIN;
 *   - in order, window non-zero now and before, the receiver's window
 *     non-zero, SEG.ACK not past the receiver's SND.NXT: frame_notes()
 *     finds no keepalive, retransmission, zero window, window opening,
 *     probe or gap;
 *   - all_frames off: the frame folds into the run at the end;
 *   - the handshake's ACK time taken (or no SYN+ACK seen): nothing for the
 *     RTT to record.
 */
static inline bool
fast_path_ok(const struct tfe_conn *c, const struct tfe_segment *s,
             const struct tfe_endpoint *snd, const struct tfe_endpoint *rcv)
{
	return (s->flags & (TFE_TH_SYN | TFE_TH_FIN | TFE_TH_RST |
	                    TFE_TH_ACK)) == TFE_TH_ACK &&
	       c->fast_ok && s->seq == snd->snd_nxt && s->win != 0 &&
	       tfe_seq_leq(s->ack, rcv->snd_nxt);
}

/* The part of the test above that holds for the connection, whichever
 * side sends next: set after every segment of the general path (the fast
 * path changes none of it: it keeps both windows non-zero). */
static bool
conn_fast_ok(const struct tfe_conn *c, const struct tfe_config *cfg)
{
	for (int i = 0; i < 2; i++) {
		const struct tfe_endpoint *ep = &c->ep[i];

		if (ep->state != TFE_ST_ESTABLISHED || !ep->seq_known ||
		    ep->last_win == 0 || ep->fin_sent || ep->ka_pending ||
		    ep->rst_unaccepted || (ep->isn_known && !ep->syn_acked))
			return false;
	}
	/* the handshake's ACK time is taken (or there was no SYN+ACK) */
	return !c->rst_seen && !cfg->all_frames &&
	       (c->rare == NULL || c->rare->copies == NULL) &&
	       tfe_conn_rare_ep(c, 0)->holes == 0 &&
	       tfe_conn_rare_ep(c, 1)->holes == 0 &&
	       (c->hs_ack_ts != 0 || c->synack_ts == 0);
}

/* What tfe_conn_update() does for a segment fast_path_ok() accepted: the
 * same updates, in the same order, with the branches that cannot apply
 * left out (track_sender(), track_evidence(), the fold). */
static void
fast_update(struct tfe_conn *c, const struct tfe_segment *s, int side,
            struct tfe_endpoint *snd, const struct tfe_endpoint *rcv,
            uint64_t frame, int64_t ts)
{
	uint32_t len = s->payload_len;

	/* conn_fast_ok(): no handshake ACK time left to take */
	c->last_frame = frame;
	c->last_ts = ts;
	if (len > 0)
		c->data_ts = ts;

	/* track_sender(): in order, so SND.NXT moves to the segment's end */
	snd->snd_nxt = s->seq + len;
	if (!snd->ack_known || tfe_seq_gt(s->ack, snd->ack_max))
		snd->ack_max = s->ack;
	snd->ack_known = true;
	uint32_t w = s->win;
	if (c->ws_ok)
		w <<= tfe_wscale_shift(snd->wscale);
	if (w > snd->max_win)
		snd->max_win = w;
	snd->last_win = s->win;
	snd->pkts++;
	snd->bytes += len;
	snd->ttl_last = s->ttl;
	snd->ip_id_last = s->ip_id;
	snd->last_ts = ts;

	/* track_evidence(): a segment ending at the peer's right edge */
	if (len > 0 && rcv->ack_known) {
		uint32_t edge = rcv->ack_max +
			(c->ws_ok ? (uint32_t)rcv->last_win <<
			            tfe_wscale_shift(rcv->wscale)
			          : rcv->last_win);
		if (s->seq + len == edge)
			snd->window_full++;
	}

	/* No forget_row(): only an update sets a row index, to the length
	 * the timeline had at its start, and forgets it there if the frame
	 * folded; so no index kept can name the row a fold may append.
	 * c->ended is false already: conn_fast_ok() holds only when both
	 * sides are ESTABLISHED. */
	uint8_t states[2] = { TFE_ST_ESTABLISHED, TFE_ST_ESTABLISHED };
	tfe_timeline_fold(&c->tl, frame, ts, side, len, s->win, states);
}

/*
 * One direction captured: a client whose SYN was seen acknowledges the
 * server's ISN (SYN_SENT -> ESTABLISHED by its own ACK) while the capture
 * holds nothing from the server.  The server sent a SYN+ACK and received
 * this ACK: it is ESTABLISHED, and its ISN is the ACK minus one.
 */
static void
infer_synack(struct tfe_conn *c, struct step *st, int side,
             const struct tfe_segment *s)
{
	struct tfe_endpoint *peer = EP(c, !side);

	if (side != TFE_SIDE_CLIENT || peer->pkts != 0 ||
	    peer->synack_count != 0 || !(s->flags & TFE_TH_ACK) ||
	    peer->isn_known)
		return;
	peer->isn = s->ack - 1;
	peer->isn_known = true;
	peer->seq_base = peer->isn;
	peer->syn_acked = true;
	c->synack_inferred = true;
	set_state(c, st, !side, TFE_ST_ESTABLISHED,
	          TFE_RS_INFERRED_SYNACK_ACKED);
}

/*
 * One direction captured: a side in ESTABLISHED sends a FIN that
 * acknowledges exactly one sequence number more than it had acknowledged
 * before, while the capture holds nothing from its peer.  That number is
 * the peer's FIN (a passive closer's FIN carries the ACK of the FIN that
 * woke it): the peer closed first, and its FIN_WAIT_1 receives this FIN.
 * The peer is recorded as having sent it (not captured), and the sender
 * as in CLOSE_WAIT before its own FIN.  Returns true when it applied.
 */
static bool
infer_peer_fin(struct tfe_conn *c, struct step *st, int side,
               const struct tfe_segment *s)
{
	struct tfe_endpoint *ep = EP(c, side);
	struct tfe_endpoint *peer = EP(c, !side);

	if (peer->pkts != 0 || peer->fin_sent || ep->fin_sent ||
	    ep->state != TFE_ST_ESTABLISHED || !(s->flags & TFE_TH_ACK) ||
	    !ep->ack_known || s->ack != ep->ack_max + 1 ||
	    !is_synchronized(peer->state))
		return false;
	peer->fin_sent = true;
	peer->fin_seq = s->ack - 1;
	peer->snd_nxt = s->ack;
	set_state(c, st, !side, TFE_ST_FIN_WAIT_1, TFE_RS_NONE);
	set_state(c, st, side, TFE_ST_CLOSE_WAIT, TFE_RS_NONE);
	ep->acked_peer_fin = true;
	if (c->closed_first == TFE_SIDE_NONE)
		c->closed_first = (uint8_t)!side;
	return true;
}

/*
 * One direction captured, the other way round: a side that sent its FIN
 * first then sends a bare ACK (no data, no FIN) acknowledging exactly one
 * sequence number more than it had acknowledged before, while the
 * capture holds nothing from its peer.  That number is the peer's FIN,
 * sent from LAST_ACK (its ACK of the side's FIN came with it or before):
 * the side is in TIME_WAIT, and this ACK ends the peer's LAST_ACK.  One
 * byte of data after a half-close would be acknowledged the same way; a
 * later ACK of more shows it (the side then leaves TIME_WAIT's silence,
 * data_after_fin's rule reports the peer).  Returns true when it applied.
 */
static bool
infer_peer_fin_acked(struct tfe_conn *c, struct step *st, int side,
                     const struct tfe_segment *s)
{
	struct tfe_endpoint *ep = EP(c, side);
	struct tfe_endpoint *peer = EP(c, !side);

	if (peer->pkts != 0 || peer->fin_sent || !ep->fin_sent ||
	    (ep->state != TFE_ST_FIN_WAIT_1 &&
	     ep->state != TFE_ST_FIN_WAIT_2) ||
	    (s->flags & (TFE_TH_SYN | TFE_TH_FIN | TFE_TH_RST)) ||
	    !(s->flags & TFE_TH_ACK) || s->payload_len != 0 || !ep->ack_known ||
	    s->ack != ep->ack_max + 1 || !is_synchronized(peer->state))
		return false;
	peer->fin_sent = true;
	peer->fin_seq = s->ack - 1;
	peer->snd_nxt = s->ack;
	ep->fin_acked = true;
	ep->acked_peer_fin = true;
	set_state(c, st, side, TFE_ST_TIME_WAIT, TFE_RS_INFERRED_FIN_RECEIVED);
	set_state(c, st, !side, TFE_ST_CLOSED, TFE_RS_INFERRED_LAST_ACK);
	return true;
}

/* A frame's row: the segment's fields, the sender's count and both
 * states; notes and reasons are the caller's. */
static void
frame_row(struct tfe_row *r, const struct tfe_segment *s, int side,
          uint64_t frame, int64_t ts, const struct tfe_endpoint *snd,
          const uint8_t states[2])
{
	memset(r, 0, sizeof *r);
	r->kind = TFE_ROW_FRAME;
	r->frame = frame;
	r->ts = ts;
	r->seq = s->seq;
	r->ack = s->ack;
	r->len = s->payload_len;
	r->tsval = s->ts_val;
	r->tsecr = s->ts_ecr;
	r->flags = s->flags;
	r->win = s->win;
	r->mss = s->mss;
	r->dir = (uint8_t)side;
	r->opt_mask = s->opt_mask;
	r->wscale = s->wscale;
	r->sack_count = s->sack_count;
	r->ip_id = s->ip_id;
	r->ttl = s->ttl;
	r->nth = (uint32_t)snd->pkts;
	r->state[0] = states[0];
	r->state[1] = states[1];
}

/* A copy: counted as a frame of its side (as Wireshark's and Arkime's
 * packet counts have it), shown as a row where the original would be
 * (SYN, FIN and RST always, any with --all-frames) or folded without
 * bytes, and nothing else: no state, no sequence space, no sender's
 * time (the connection's last frame is this one). */
static void
copy_seen(struct tfe_conn *c, const struct tfe_segment *s, int side,
          uint64_t frame, int64_t ts, const struct tfe_config *cfg)
{
	struct tfe_conn_rare *rare = tfe_conn_rare_mut(c);
	struct tfe_endpoint *snd = EP(c, side);
	uint8_t states[2] = { c->ep[0].state, c->ep[1].state };

	rare->capture_copies++;
	if (rare->copies == NULL) {
		tfe_evidence_copy_add(c, s, side, ts);
		c->fast_ok = false;
	}
	snd->pkts++;
	snd->bytes += s->payload_len;
	c->last_frame = frame;
	c->last_ts = ts;
	if (cfg->all_frames ||
	    (s->flags & (TFE_TH_SYN | TFE_TH_FIN | TFE_TH_RST))) {
		struct tfe_row r;

		frame_row(&r, s, side, frame, ts, snd, states);
		r.notes = TFE_NOTE_COPY;
		(void)tfe_timeline_add_frame(&c->tl, &r);
	} else {
		tfe_timeline_fold(&c->tl, frame, ts, side, 0, s->win, states);
	}
}


/*
 * The peer's FIN was taken as delivered to `side` when it passed; a segment
 * `side` sends later, too late to have crossed the FIN on the wire (twice
 * the handshake's round trip and 10 ms, at least 200 ms, or 1 s
 * unmeasured), that still does
 * not acknowledge it proves it never arrived: a receiving TCP acknowledges a
 * FIN at once.  Put the side's state back from the FIN's row on.
 */
static void
fin_disproved(struct tfe_conn *c, int side, const struct tfe_segment *s,
              int64_t ts)
{
	struct tfe_endpoint *ep = EP(c, side);
	const struct tfe_endpoint *peer = EP(c, !side);
	int64_t up, down;

	/* the plain passive close only: a side that sent its own FIN is
	 * in the simultaneous close's hands (settle_crossings()) */
	if (ep->fin_sent || ep->state != TFE_ST_CLOSE_WAIT ||
	    !peer->fin_sent || !(s->flags & TFE_TH_ACK) ||
	    (s->flags & (TFE_TH_RST | TFE_TH_SYN)) ||
	    tfe_seq_gt(s->ack, peer->fin_seq) ||
	    (guint)ep->fin_rcvd_row >= tfe_timeline_len(&c->tl) ||
	    (c->rare != NULL && c->rare->und.pending))
		return;
	int64_t fin_ts = c->tl.rows[ep->fin_rcvd_row].ts;
	int64_t bound = tfe_conn_handshake_rtt(c, &up, &down) ?
	                2 * (up + down) + TFE_NS_PER_SEC / 100 : TFE_NS_PER_SEC;
	/* a busy host may take a while to process what reached it: not
	 * less than a delayed ACK's 200 ms */
	if (bound < TFE_NS_PER_SEC / 5)
		bound = TFE_NS_PER_SEC / 5;
	if (ts - fin_ts <= bound)
		return;
	(void)overturn(c, side, TFE_OV_FIN_UNACKED);
}

/* Every other segment, out of line so that the fast path pays for none
 * of its registers and stack.  `after_gap`: the frame ends a silence of
 * at least --idle-gap-threshold; it is kept as a row, so that the
 * timeline shows the silence. */
static G_GNUC_NO_INLINE void
update_general(struct tfe_conn *c, const struct tfe_segment *s,
               const struct tfe_segment *wire, int side,
               uint64_t frame, int64_t ts, const struct tfe_config *cfg,
               bool after_gap)
{
	struct step st;
	enum tfe_event ev = tfe_event_classify(s->flags);
	struct tfe_endpoint *snd = EP(c, side);
	int next_row = (int)tfe_timeline_len(&c->tl);

	memset(&st, 0, sizeof st);
	st.frame = frame;
	st.ts = ts;
	st.notes = frame_notes(c, side, s, ts);
	if (G_UNLIKELY(wire->payload_len != s->payload_len))
		st.notes |= TFE_NOTE_PADDING;
	if (cfg->zeek_model)
		tfe_zeek_update(&c->zeek, wire, side, ts,
		                cfg->zeek_ignore_checksums);
	/* a copy changes nothing but its count (the Zeek model above counts
	 * it, as Zeek does) */
	if (G_UNLIKELY(tfe_evidence_is_copy(c, s, side, ts))) {
		copy_seen(c, s, side, frame, ts, cfg);
		return;
	}
	if (G_UNLIKELY(c->rare != NULL && c->rare->copies != NULL) &&
	    s->has_ip_id)
		tfe_evidence_copy_add(c, s, side, ts);
	if (G_UNLIKELY(st.notes & TFE_NOTE_OUT_OF_ORDER))
		tfe_evidence_count_reordered(c, side, s, ts);
	/* an ACK over a hole the capture never saw filled */
	if ((s->flags & (TFE_TH_ACK | TFE_TH_RST)) == TFE_TH_ACK &&
	    G_UNLIKELY(tfe_conn_rare_ep(c, !side)->holes > 0) &&
	    tfe_evidence_acks_hole(c, side, s->ack))
		st.notes |= TFE_NOTE_GAP;

	if (c->first_frame == 0) {
		c->first_frame = frame;
		c->first_ts = ts;
	}
	c->last_frame = frame;
	c->last_ts = ts;
	if (s->payload_len > 0)
		c->data_ts = ts;

	/* Handshake times for the RTT (Wireshark's iRTT counts from the SYN;
	 * we count from the last SYN before the answer, since that is the one
	 * that was answered). */
	if (ev == TFE_EV_SYN && side == TFE_SIDE_CLIENT && c->synack_ts == 0)
		c->syn_ts = ts;
	if (ev == TFE_EV_SYNACK && side == TFE_SIDE_SERVER) {
		if (c->synack_ts == 0)
			c->synack_ts = ts;
		if (c->hs_ack_ts == 0)
			c->synack_last_ts = ts;
	}

	bool was_synced = is_synchronized(snd->state) ||
	                  is_synchronized(EP(c, !side)->state);
	bool peer_fin_inferred = ev == TFE_EV_FIN && infer_peer_fin(c, &st, side, s);
	step_sender(c, &st, side, ev, s);
	step_receiver(c, &st, side, ev, s, next_row);
	if (st.reason[side] == TFE_RS_SEND_ACK_PROVES_SYNACK)
		infer_synack(c, &st, side, s);
	if (ev == TFE_EV_ACK && G_UNLIKELY(EP(c, !side)->pkts == 0))
		(void)infer_peer_fin_acked(c, &st, side, s);
	if (peer_fin_inferred) {
		st.reason[side] = TFE_RS_INFERRED_FIN_PASSIVE;
		if (EP(c, !side)->state == TFE_ST_TIME_WAIT)
			st.reason[!side] = TFE_RS_INFERRED_FIN_ACKED;
	}
	/* the handshake's ACK may come with data and a FIN (FIN+ACK) */
	if ((ev == TFE_EV_ACK || ev == TFE_EV_FIN) && side == TFE_SIDE_CLIENT &&
	    c->synack_ts != 0 &&
	    c->hs_ack_ts == 0 && (s->flags & TFE_TH_ACK) &&
	    c->ep[TFE_SIDE_SERVER].isn_known &&
	    tfe_seq_gt(s->ack, c->ep[TFE_SIDE_SERVER].isn))
		c->hs_ack_ts = ts;
	if ((s->flags & TFE_TH_RST) &&
	    tfe_conn_rare_ep(c, side)->rst_frame == 0)
		tfe_conn_rare_get(c, side)->rst_gap =
			snd->pkts > 0 ? ts - snd->last_ts : 0;
	tfe_evidence_sender(c, side, s, frame, ts);
	snd->last_ts = ts;
	if (G_UNLIKELY(EP(c, !side)->pkts == 0) && !c->echo_moved)
		tfe_evidence_echo(c, side, s);

	/* A SYN_SENT side's RST to another socket's ACK resets that
	 * socket, not this connection. */
	if (ev == TFE_EV_RST && !snd->rst_unaccepted &&
	    st.reason[side] != TFE_RS_SEND_RST_BAD_ACK) {
		if (!c->rst_seen)
			c->rst_by = (uint8_t)side;
		c->rst_seen = true;
	}
	if ((ev == TFE_EV_FIN || (ev == TFE_EV_RST && !snd->rst_unaccepted &&
	     st.reason[side] != TFE_RS_SEND_RST_NO_CONNECTION &&
	     st.reason[side] != TFE_RS_SEND_RST_BAD_ACK)) &&
	    c->closed_first == TFE_SIDE_NONE && (was_synced ||
	    ev == TFE_EV_FIN))
		c->closed_first = (uint8_t)side;
	if (st.notes & TFE_NOTE_RETRANS) {
		if (s->payload_len > 0)
			snd->data_retrans++;
		if (st.reason[!side] == TFE_RS_RECV_SYN_LISTEN)
			st.reason[!side] = TFE_RS_RECV_SYN_RETRANS;
	}
	tfe_evidence_signals(c, side, s, st.notes, frame, ts);
	if (G_UNLIKELY(EP(c, side)->fin_rcvd_row >= 0) &&
	    !EP(c, side)->acked_peer_fin)
		fin_disproved(c, side, s, ts);

	uint8_t states[2] = { c->ep[0].state, c->ep[1].state };
	bool keep = cfg->all_frames || after_gap || st.changed || st.notes ||
	            st.reason[0] || st.reason[1] ||
	            (s->flags & (TFE_TH_SYN | TFE_TH_FIN | TFE_TH_RST));
	if (keep) {
		struct tfe_row r;

		frame_row(&r, s, side, frame, ts, snd, states);
		r.notes = st.notes;
		r.reason[0] = st.reason[0];
		r.reason[1] = st.reason[1];
		int idx = tfe_timeline_add_frame(&c->tl, &r);
		/* A receipt recorded in a folded row cannot be rewritten. */
		if (idx < 0)
			forget_row(c, next_row);
	} else {
		tfe_timeline_fold(&c->tl, frame, ts, side, s->payload_len, s->win,
		                  states);
		forget_row(c, next_row);
	}

	/* Over when both sides are CLOSED or in TIME_WAIT, or when a RST
	 * sent a passive opener back to LISTEN and the other side is done. */
	bool done0 = is_done(c->ep[0].state), done1 = is_done(c->ep[1].state);
	c->ended = (done0 && done1) ||
	           (c->rst_seen &&
	            ((done0 && c->ep[1].state == TFE_ST_LISTEN) ||
	             (done1 && c->ep[0].state == TFE_ST_LISTEN)));
	c->fast_ok = conn_fast_ok(c, cfg);
}

/*
 * A bare ACK or FIN whose 1 to 6 payload bytes are zeros filling its IPv4
 * datagram out to 46 bytes (decode.c: zero_pad), at its sender's next
 * sequence number: padding that a driver or a device on the path counted
 * in the IP length.  The TCPs at either end do not count it (the sender's
 * next segment starts at the same number, the peer's ACKs skip it), so
 * the analysis takes the segment as carrying nothing; the Zeek model
 * counts the bytes, as Zeek and Wireshark do.  Elsewhere (a keepalive's
 * byte one below, a probe of a zero window, data re-sent further back)
 * the bytes are data (padding_only()).
 */
static bool
padding_only(const struct tfe_conn *c, int side, const struct tfe_segment *s)
{
	const struct tfe_endpoint *snd = EP(c, side);
	const struct tfe_endpoint *peer = EP(c, !side);

	/* a byte into a zero window probes it, even a zero byte */
	if (!snd->seq_known || (peer->pkts > 0 && peer->last_win == 0))
		return false;
	if (s->seq == snd->snd_nxt)
		return true;
	/* one below: a bare ACK's number on some stacks; a single byte
	 * there is a keepalive's (Windows sends one) */
	return s->seq == snd->snd_nxt - 1 && s->payload_len > 1;
}

/* The segment the analysis takes for `s`, whose decoder flagged its
 * payload as possible padding: `bare`, with no payload when it is
 * padding (padding_only()), else a copy; either way not the fast path's. */
static G_GNUC_NO_INLINE const struct tfe_segment *
unpadded(const struct tfe_conn *c, int side, const struct tfe_segment *s,
         struct tfe_segment *bare)
{
	*bare = *s;
	bare->zero_pad = false;
	if (padding_only(c, side, s)) {
		bare->payload_len = 0;
		bare->captured_payload = 0;
	}
	return bare;
}

void
tfe_conn_update(struct tfe_conn *c, const struct tfe_segment *s, int side,
                uint64_t frame, int64_t ts, const struct tfe_config *cfg)
{
	/* The endpoints' addresses once, for the fast path's parts. */
	struct tfe_endpoint *snd = EP(c, side);
	struct tfe_endpoint *rcv = EP(c, !side);
	/* what the analysis reads (padding left out); the Zeek model reads
	 * the wire's `s` */
	const struct tfe_segment *seg = s;
	struct tfe_segment bare;

	if (G_UNLIKELY(s->zero_pad))
		seg = unpadded(c, side, s, &bare);
	/* a silence of --idle-gap-threshold or more ends (no first frame
	 * yet: no silence) */
	if (G_UNLIKELY(ts - c->last_ts >= cfg->idle_gap) &&
	    c->first_frame != 0) {
		tfe_evidence_idle_gap(c, side, frame, ts);
		update_general(c, seg, s, side, frame, ts, cfg, true);
		return;
	}
	if (G_LIKELY(seg == s && fast_path_ok(c, s, snd, rcv))) {
		/* The Zeek model reads and writes only c->zeek: it may come
		 * last here, as a tail call. */
		fast_update(c, s, side, snd, rcv, frame, ts);
		if (cfg->zeek_model)
			tfe_zeek_update(&c->zeek, s, side, ts,
			                cfg->zeek_ignore_checksums);
		return;
	}
	update_general(c, seg, s, side, frame, ts, cfg, false);
}

void
tfe_conn_take_over(struct tfe_conn *c, int64_t ts)
{
	for (int side = 0; side < 2; side++) {
		struct tfe_endpoint *ep = EP(c, side);

		if (ep->state != TFE_ST_TIME_WAIT)
			continue;
		tfe_conn_rare_mut(c)->taken_over_tw_since = ep->tw_since;
		c->taken_over_side = (uint8_t)side;
		put_state(c, side, TFE_ST_CLOSED, ts);
		c->fast_ok = false;
		uint8_t states[2] = { c->ep[0].state, c->ep[1].state };
		tfe_timeline_add_timer(&c->tl, ts, side, TFE_ST_CLOSED,
		                       TFE_RS_TIME_WAIT_TAKEN_OVER, states);
	}
}

/*
 * Whether Linux takes an ICMP error as hard for a socket in `state`
 * (tcp_v4_err(), tcp_v6_err()): in SYN_SENT every error it handles is
 * (connect() fails with it), except fragmentation needed and packet too
 * big, which lower the path MTU, and an unreachable code past 15 (ICMPv4),
 * which it ignores.  A SYN_RECEIVED passive open is a request in the SYN
 * queue (tcp_req_err()): dropped for an ICMPv4 net or host unreachable,
 * time exceeded or parameter problem, or an ICMPv6 error that
 * icmpv6_err_convert() calls fatal (administratively prohibited, port
 * unreachable, policy or reject route, parameter problem).
 */
static bool
too_big(uint8_t family, uint8_t type, uint8_t code)
{
	return family == 4 ? type == TFE_ICMP4_UNREACH &&
	                     code == TFE_ICMP4_FRAG_NEEDED
	                   : type == TFE_ICMP6_TOO_BIG;
}

static bool
icmp_hard(const struct tfe_icmp_error *e, uint8_t state)
{
	if (e->family == 4) {
		if (e->type == TFE_ICMP4_UNREACH &&
		    (e->code == TFE_ICMP4_FRAG_NEEDED || e->code > 15))
			return false;
		if (state == TFE_ST_SYN_SENT)
			return true;
		return state == TFE_ST_SYN_RECEIVED &&
		       (e->type != TFE_ICMP4_UNREACH || e->code <= 1);
	}
	if (e->type == TFE_ICMP6_TOO_BIG)
		return false;
	if (state == TFE_ST_SYN_SENT)
		return true;
	return state == TFE_ST_SYN_RECEIVED &&
	       (e->type == TFE_ICMP6_PARAM_PROBLEM ||
	        (e->type == TFE_ICMP6_UNREACH &&
	         (e->code == 1 || e->code >= 4)));
}

bool
tfe_conn_icmp_error(struct tfe_conn *c, const struct tfe_segment *s, int side,
                    uint64_t frame, int64_t ts)
{
	struct tfe_endpoint *ep = EP(c, side);
	const struct tfe_endpoint *peer = EP(c, !side);

	/* SND.UNA <= seq <= SND.NXT, both ends included as Linux's
	 * between() has them; SND.UNA is the peer's highest ACK when it
	 * lies in what the side sent, else the side's first number. */
	if (!ep->isn_known && !ep->seq_known)
		return false;
	uint32_t una = ep->isn_known ? ep->isn : ep->seq_base;
	if (peer->pkts > 0 && tfe_seq_gt(peer->ack_max, una) &&
	    tfe_seq_leq(peer->ack_max, ep->snd_nxt))
		una = peer->ack_max;
	if (tfe_seq_lt(s->seq, una) || tfe_seq_gt(s->seq, ep->snd_nxt))
		return false;

	struct tfe_conn_rare *rare = tfe_conn_rare_mut(c);
	if (rare->icmp == NULL)
		rare->icmp = g_new0(struct tfe_icmp_seen, 1);
	struct tfe_icmp_seen *seen = rare->icmp;
	seen->count++;
	seen->last_frame = frame;
	if (icmp_hard(&s->icmp, ep->state)) {
		seen->hard_frame = frame;
		seen->hard_ts = ts;
		seen->hard_state = ep->state;
	}
	/* the first error is described, unless it was only a packet too
	 * big and this one is more */
	if (seen->count > 1 &&
	    (too_big(s->icmp.family, s->icmp.type, s->icmp.code) ||
	     !too_big(seen->family, seen->type, seen->code)))
		return true;
	seen->first_frame = frame;
	seen->first_ts = ts;
	seen->seq = s->seq;
	seen->mtu = s->icmp.mtu;
	seen->family = s->icmp.family;
	seen->type = s->icmp.type;
	seen->code = s->icmp.code;
	seen->side = (uint8_t)side;
	seen->state = ep->state;
	seen->flags_known = s->icmp.quoted >= 14;
	seen->quoted_flags = s->flags;
	memcpy(seen->from, s->icmp.from, sizeof seen->from);
	for (guint i = tfe_timeline_len(&c->tl); i-- > 0;) {
		const struct tfe_row *r = &c->tl.rows[i];
		if (r->kind == TFE_ROW_RUN) {
			seen->quoted_folded = true;
			break;
		}
		if (r->kind == TFE_ROW_FRAME && r->dir == side &&
		    r->seq == s->seq && r->frame < frame) {
			seen->quoted_frame = r->frame;
			seen->quoted_ts = r->ts;
			break;
		}
	}

	seen->hard = seen->hard_frame == frame;
	return true;
}


/*
 * A side gone from row `at` on, before a row put in there (an arrival or a
 * timer row that closes it): `states` gets both sides' states just before
 * that row, and the side is CLOSED in every row from it, with no reason of
 * its own there (a later segment finds it gone).
 */
static void
closed_from(struct tfe_conn *c, int side, guint at, uint8_t states[2])
{
	guint len = tfe_timeline_len(&c->tl);

	states[0] = c->init_state[0];
	states[1] = c->init_state[1];
	if (at > 0) {
		states[0] = c->tl.rows[at - 1].state[0];
		states[1] = c->tl.rows[at - 1].state[1];
	}
	restate_rows(c, side, at, len, TFE_ST_CLOSED);
	for (guint i = at; i < len; i++)
		c->tl.rows[i].reason[side] = TFE_RS_NONE;
}

/*
 * At the end: an ICMP error Linux takes as hard (tfe_conn_icmp_error())
 * closed the side when it reached it, unless the side sent a segment
 * after it or moved to another state: then its stack went on (a SYN
 * re-sent with the same sequence number) and the error was soft there.
 * The side's change is an arrival row where the ICMP frame falls; the
 * rows after it show the side CLOSED.
 */
static void rows_inserted(struct tfe_conn *c, guint at);

static void
settle_icmp(struct tfe_conn *c)
{
	struct tfe_icmp_seen *seen;

	if (c->rare == NULL || c->rare->icmp == NULL ||
	    c->rare->icmp->hard_frame == 0)
		return;
	seen = c->rare->icmp;
	int side = seen->side;
	struct tfe_endpoint *ep = EP(c, side);
	guint at = 0, len = tfe_timeline_len(&c->tl);
	bool later = false;
	/* the side's first segment after the first error, and whether it
	 * sent one after the latest hard one */
	for (guint i = 0; i < len; i++) {
		const struct tfe_row *r = &c->tl.rows[i];
		bool sent = r->kind == TFE_ROW_RUN ||
		            (r->kind == TFE_ROW_FRAME && r->dir == side);
		if (r->kind != TFE_ROW_TIMER && r->frame < seen->hard_frame)
			at = i + 1;
		if (!sent)
			continue;
		if (r->frame > seen->first_frame && seen->sent_after == 0)
			seen->sent_after = r->frame;
		if (r->frame > seen->hard_frame)
			later = true;
	}
	seen->soft_stack = seen->hard && seen->sent_after != 0 &&
	                   seen->quoted_frame != 0 &&
	                   seen->first_ts - seen->quoted_ts >= TFE_ICMP_RACE_NS;
	if (later || seen->soft_stack || ep->state != seen->hard_state)
		return;
	uint8_t states[2];
	closed_from(c, side, at, states);
	uint8_t reason = seen->hard_state == TFE_ST_SYN_SENT ?
	                 TFE_RS_RECV_ICMP_SYN_SENT : TFE_RS_RECV_ICMP_SYN_RCVD;
	tfe_timeline_insert_arrival(&c->tl, at, seen->hard_ts, side,
	                            seen->hard_frame, seen->hard_ts,
	                            TFE_ST_CLOSED, reason, states);
	rows_inserted(c, at);
	seen->closed = true;
	put_state(c, side, TFE_ST_CLOSED, seen->hard_ts);
}

/*
 * The side whose packets alone the capture holds, when the other side's
 * traffic is proven by them: the client acknowledged the server's ISN
 * (infer_synack), the other side's FIN was inferred, or the side seen
 * acknowledged more of the other's sequence space over time than at its
 * first segment.  A side that only ever re-sends the same thing (a SYN
 * with no answer, a FIN to a peer gone) proves no peer: TFE_SIDE_NONE.
 */
static int
one_way_side(const struct tfe_conn *c)
{
	for (int side = 0; side < 2; side++) {
		const struct tfe_endpoint *ep = EP(c, side);
		const struct tfe_endpoint *peer = EP(c, !side);

		if (ep->pkts == 0 || peer->pkts != 0)
			continue;
		/* (a server's SYN+ACK alone proves no client that is still
		 * there: SYN flood backscatter answers spoofed addresses) */
		if ((side == TFE_SIDE_CLIENT && peer->isn_known) ||
		    peer->fin_sent)
			return side;
		/* the timestamp it echoes moved (echo_moved) */
		if (c->echo_moved)
			return side;
		/* its ACK moved: the first frame row it sent against its
		 * highest ACK */
		for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
			const struct tfe_row *r = &c->tl.rows[i];

			if (r->kind != TFE_ROW_FRAME || r->dir != side)
				continue;
			if ((r->flags & TFE_TH_ACK) && ep->ack_known &&
			    tfe_seq_gt(ep->ack_max, r->ack))
				return side;
			break;
		}
	}
	return TFE_SIDE_NONE;
}

/*
 * A FIN re-sent with no ACK of the first in the capture (redelivered()
 * took the first as lost): either it never arrived, or it did and the
 * receiver's ACK was lost before the capture point.  Decided by, in turn:
 * the receiver's ACK of the FIN, when both copies and the ACK carry
 * timestamps (a receiver takes TS.Recent only from a segment at its left
 * window edge, RFC 7323 §4.3: one that had the first copy echoes it, one
 * that had only the re-sent copy echoes that); the capture point on the
 * receiver's host (TTL as sent, round trip under 1 ms: it saw the FIN
 * arrive).  Otherwise the FIN is taken as delivered when seen, as
 * everywhere, and the other state is kept as the alternative.
 */
static void
settle_fin_or_ack(struct tfe_conn *c)
{
	struct tfe_undecided *u;
	guint len = tfe_timeline_len(&c->tl);

	if (c->rare == NULL || !c->rare->und.pending)
		return;
	u = &c->rare->und;
	u->pending = false;
	int side = u->side;
	if (u->from < 0 || u->to <= u->from || (guint)u->to >= len)
		return;
	struct tfe_row *first = &c->tl.rows[u->from];
	const struct tfe_row *last = &c->tl.rows[u->to];
	if (first->kind != TFE_ROW_FRAME || last->kind != TFE_ROW_FRAME ||
	    first->dir == side || last->dir == side)
		return;
	/* the first copy re-sent (the chain may hold more, up to `last`) */
	const struct tfe_row *again = last;
	for (int32_t i = u->from + 1; i < u->to; i++)
		if (c->tl.rows[i].kind == TFE_ROW_FRAME &&
		    c->tl.rows[i].dir != side &&
		    (c->tl.rows[i].flags & TFE_TH_FIN)) {
			again = &c->tl.rows[i];
			break;
		}
	for (int32_t i = u->from; i < u->to; i++)
		if (c->tl.rows[i].state[side] != u->before)
			return;

	const struct tfe_row *ack = NULL;
	for (guint i = (guint)u->to + 1; i < len; i++) {
		const struct tfe_row *r = &c->tl.rows[i];
		if (r->kind == TFE_ROW_FRAME && r->dir == side &&
		    (r->flags & TFE_TH_ACK) &&
		    tfe_seq_gt(r->ack, first->seq + first->len)) {
			ack = r;
			break;
		}
	}
	bool ts = ack != NULL && (ack->opt_mask & TFE_OPT_TS) &&
	          (first->opt_mask & TFE_OPT_TS) &&
	          (again->opt_mask & TFE_OPT_TS) && first->tsval != again->tsval;
	bool decided;
	if (ts && ack->tsecr == first->tsval) {
		decided = true;
	} else if (ts && (int32_t)(ack->tsecr - again->tsval) >= 0) {
		return; /* the first FIN was lost: as the rows say */
	} else {
		/* On the receiver's host the capture saw the FIN arrive, and
		 * would have seen the receiver's ACK leave: that is decided
		 * only when the receiver answered something after the FIN
		 * (a receiver that answers nothing at all is gone, or the
		 * host does not run it: neither reading holds). */
		struct tfe_vantage v;
		tfe_vantage_estimate(c, &v);
		decided = EP(c, side)->last_ts > first->ts &&
		          v.hops[side] == 0 && v.rtt_known[side] &&
		          v.delay[side] < TFE_VANTAGE_NEAR_NS &&
		          v.pos == (side == TFE_SIDE_CLIENT ? TFE_VP_NEAR_CLIENT
		                                            : TFE_VP_NEAR_SERVER);
	}
	/* The first FIN arrived (or is taken to): the receiver was in
	 * `after` from it on, and each copy re-sent after it found it
	 * there. */
	restate_rows(c, side, (guint)u->from, (guint)u->to, u->after);
	first->reason[side] = u->first_reason;
	for (int32_t i = u->from + 1; i <= u->to; i++) {
		struct tfe_row *r = &c->tl.rows[i];
		if (r->kind == TFE_ROW_FRAME && r->dir != side &&
		    (r->flags & TFE_TH_FIN))
			r->reason[side] = decided ? TFE_RS_RECV_FIN_AGAIN_TW :
			                            TFE_RS_FIN_OR_ACK_LOST;
	}
	if (!decided) {
		u->open = true;
		u->alt = u->before;
		u->why = TFE_RS_FIN_OR_ACK_LOST;
	}
}

/* Opens the connection's one "A or B" (struct tfe_undecided) for
 * `side` over rows [from, to), unless one is already there. */
static bool
undecided(struct tfe_conn *c, int side, guint from, guint to, uint8_t state,
          uint8_t alt, uint8_t why)
{
	if (c->rare != NULL && (c->rare->und.pending || c->rare->und.open))
		return false;
	struct tfe_conn_rare *rr = tfe_conn_rare_mut(c);
	rr->und = (struct tfe_undecided){
		.from = (int32_t)from, .to = (int32_t)to, .side = (uint8_t)side,
		.before = state, .after = state, .alt = alt, .why = why,
		.open = true };
	return true;
}

/* The first row at or after `i` where the side's state is not `st`. */
static guint
state_end(const struct tfe_conn *c, int side, guint i, uint8_t st)
{
	guint len = tfe_timeline_len(&c->tl);

	while (i < len && c->tl.rows[i].state[side] == st)
		i++;
	return i;
}

/*
 * One direction captured: a side's FIN passed, but the peer's ACK of it
 * travels the other way.  From its FIN on, until it changes state again
 * (the peer's FIN inferred, a RST), the side is FIN_WAIT_1 or FIN_WAIT_2
 * and the capture cannot tell which: the rows keep FIN_WAIT_1 (what the
 * FIN proves), FIN_WAIT_2 is the alternative.
 */
static void
settle_one_direction(struct tfe_conn *c)
{
	guint len = tfe_timeline_len(&c->tl);

	for (int side = 0; side < 2; side++) {
		if (EP(c, side)->pkts == 0 || EP(c, !side)->pkts != 0)
			continue;
		for (guint i = 0; i < len; i++)
			if (c->tl.rows[i].state[side] == TFE_ST_FIN_WAIT_1) {
				(void)undecided(c, side, i,
				                state_end(c, side, i,
				                          TFE_ST_FIN_WAIT_1),
				                TFE_ST_FIN_WAIT_1,
				                TFE_ST_FIN_WAIT_2,
				                TFE_RS_FIN_ACK_UNSEEN);
				return;
			}
	}
}

/*
 * A RST in the peer's name that the peer's TCP did not send (disowned:
 * the peer answered the SYN it had refused, disown_refusal()) was taken
 * as closing the side, and the side sent nothing after it: whether it
 * took the RST (CLOSED, its connect() failed) or not (SYN_SENT, then
 * ESTABLISHED at the peer's SYN+ACK) the capture does not show.  The rows
 * keep CLOSED, what a TCP does with an acceptable RST; the other is the
 * alternative, SYN_SENT until the SYN+ACK and ESTABLISHED from it.
 */
static void
settle_rst_unseen(struct tfe_conn *c)
{
	guint len = tfe_timeline_len(&c->tl);

	for (int side = 0; side < 2; side++) {
		const struct tfe_ep_rare *r = tfe_conn_rare_ep(c, side);
		guint at = (guint)r->rst_rcvd_row1 - 1;

		if (r->rst_rcvd_row1 == 0 || at >= len ||
		    EP(c, side)->state != TFE_ST_CLOSED)
			continue;
		const struct tfe_row *rst = &c->tl.rows[at];
		if (rst->kind != TFE_ROW_FRAME || rst->dir == side ||
		    rst->reason[!side] != TFE_RS_RST_REFUSAL_NOT_ITS_OWN ||
		    EP(c, side)->last_ts > rst->ts)
			continue;
		guint mid = at + 1;
		while (mid < len && !(c->tl.rows[mid].kind == TFE_ROW_FRAME &&
		       c->tl.rows[mid].dir != side &&
		       (c->tl.rows[mid].flags & (TFE_TH_SYN | TFE_TH_ACK)) ==
		       (TFE_TH_SYN | TFE_TH_ACK)))
			mid++;
		if (!undecided(c, side, at, len, TFE_ST_CLOSED,
		               mid < len ? TFE_ST_ESTABLISHED
		                         : r->rst_rcvd_before,
		               TFE_RS_RST_TAKEN_UNKNOWN))
			continue;
		c->rare->und.mid = (int32_t)mid;
		c->rare->und.alt_early = r->rst_rcvd_before;
	}
}

/* A row was put in at index `at` after the connection's rows were
 * written: the "A or B" range, the one row index read after the end
 * (tfe_conn_alt()), moves with the rows it covers. */
static void
rows_inserted(struct tfe_conn *c, guint at)
{
	struct tfe_undecided *u;

	if (c->rare == NULL)
		return;
	u = &c->rare->und;
	if (u->from >= 0 && (guint)u->from >= at)
		u->from++;
	if (u->to >= 0 && (guint)u->to > at)
		u->to++;
	if (u->mid > 0 && (guint)u->mid >= at)
		u->mid++;
}

/* The first frame row before `before` that `dir` sent with `flags` set
 * and none of `unset`; `before` itself when there is none. */
static guint
frame_before(const struct tfe_conn *c, guint before, int dir, uint16_t flags,
             uint16_t unset)
{
	for (guint k = 0; k < before; k++) {
		const struct tfe_row *r = &c->tl.rows[k];

		if (r->kind == TFE_ROW_FRAME && r->dir == dir &&
		    (r->flags & flags) == flags && !(r->flags & unset))
			return k;
	}
	return before;
}



/*
 * The RST row `rst` of `side` against the side's other kept frames: *above
 * when its TTL (hop limit) is above every one of theirs (one capture point
 * sees one TTL per host; a file that holds each packet twice, before and
 * after a router, has two, and the higher is the host's), *near when one
 * of theirs is within 4 of it.  Returns how many frames it was held
 * against.
 */
guint
tfe_conn_rst_ttl(const struct tfe_conn *c, int side, const struct tfe_row *rst,
                 bool *above, bool *near)
{
	guint n = 0;

	*above = true;
	*near = false;
	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = &c->tl.rows[i];
		if (r->kind != TFE_ROW_FRAME || r->dir != side || r == rst)
			continue;
		int d = (int)r->ttl - (int)rst->ttl;
		n++;
		if (d >= 0)
			*above = false;
		if (d <= 4 && d >= -4)
			*near = true;
	}
	return n;
}

/*
 * A RST in a side's name with a TTL (hop limit) its own packets never had
 * did not come from its TCP: higher than every one of them (it crossed
 * fewer hops: a device nearer than the host sent it, as a firewall's
 * REJECT --reject-with tcp-reset does), or more than 4 from its packet
 * just before while none of its packets had about that TTL.  The side's
 * socket was not reset by it: its rows go back to the state before
 * (rst_suspicious says what sent it).  Its peer took the RST all the same.
 */
static void
settle_foreign_rst(struct tfe_conn *c)
{
	for (int side = 0; side < 2; side++) {
		struct tfe_endpoint *ep = EP(c, side);
		guint len = tfe_timeline_len(&c->tl);

		if (ep->state != TFE_ST_CLOSED || ep->rst_row < 0 ||
		    (guint)ep->rst_row >= len || !ep->rst_has_prev ||
		    ep->rst_before == TFE_ST_CLOSED)
			continue;
		const struct tfe_row *rst = &c->tl.rows[ep->rst_row];
		if (rst->kind != TFE_ROW_FRAME || rst->dir != side ||
		    !(rst->flags & TFE_TH_RST))
			continue;
		bool higher, near;
		if (tfe_conn_rst_ttl(c, side, rst, &higher, &near) == 0 ||
		    (!higher && near))
			continue;
		/* after the RST it sent nothing of its own (a socket gone
		 * answers what reaches it with RSTs: those are its own) */
		bool more = false;
		for (guint i = (guint)ep->rst_row + 1; i < len; i++) {
			const struct tfe_row *r = &c->tl.rows[i];
			if (r->kind == TFE_ROW_FRAME && r->dir == side)
				more = true;
		}
		if (more)
			continue;
		(void)overturn(c, side, TFE_OV_RST_FOREIGN_TTL);
	}
}

/*
 * Crossing SYNs or FINs seen from away from a side, with the vantage
 * model's delay to it (doc/states.md, "Crossing segments").  The peer's
 * segment passed the capture point before the side's own, and reached
 * the side one delay later, after the side had sent its own: the side's
 * changes happened in another order than the wire shows them.  Its own
 * segment's row keeps the change the sending made, and an arrival row
 * after it holds the change the peer's segment made when it arrived.
 *
 * Simultaneous close: the FIN row (CLOSING) becomes FIN_WAIT_1, and the
 * peer's FIN arriving makes it CLOSING.
 *
 * Simultaneous open: its SYN+ACK, sent before the peer's SYN+ACK reached
 * it, was taken to show that that SYN+ACK had not arrived
 * (synack_not_yet); with the delay it simply had not arrived yet, and
 * its arrival (that row, by the side's clock) made the side ESTABLISHED.
 * Before that the peer's SYN arriving made it SYN_RECEIVED.
 *
 * Each applies only when the model's times keep the order that made
 * the crossing (the side's own segment left before the peer's arrived).
 */
static void
settle_crossings(struct tfe_conn *c)
{
	guint len = tfe_timeline_len(&c->tl);
	struct tfe_vantage v;
	bool estimated = false;

	for (int side = 0; side < 2; side++) {
		guint i;

		for (i = 0; i < len; i++)
			if (c->tl.rows[i].reason[side] == TFE_RS_SYNACK_NOT_YET ||
			    (c->tl.rows[i].kind == TFE_ROW_FRAME &&
			     c->tl.rows[i].dir == side &&
			     c->tl.rows[i].reason[side] ==
			     TFE_RS_SEND_FIN_SIMCLOSE))
				break;
		if (i == len)
			continue;
		if (!estimated) {
			tfe_vantage_estimate(c, &v);
			estimated = true;
		}
		int64_t shift = tfe_vantage_shift(&v, side);
		struct tfe_row *r = &c->tl.rows[i];
		if (shift <= 0)
			continue;
		if (r->reason[side] == TFE_RS_SEND_FIN_SIMCLOSE) {
			guint p = frame_before(c, i, !side, TFE_TH_FIN, 0);
			if (p == i || c->tl.rows[p].ts + shift <= r->ts - shift)
				continue;
			restate_rows(c, side, i, i + 1, TFE_ST_FIN_WAIT_1);
			r->reason[side] = TFE_RS_SEND_FIN_ACTIVE;
			tfe_timeline_insert_arrival(&c->tl, i + 1, r->ts, side,
			                            c->tl.rows[p].frame,
			                            c->tl.rows[p].ts,
			                            TFE_ST_CLOSING,
			                            TFE_RS_RECV_FIN_SIMCLOSE,
			                            r->state);
			rows_inserted(c, i + 1);
			len++;
			continue;
		}
		/* simultaneous open: row i is the peer's SYN+ACK on its way
		 * to the side, j the side's own SYN+ACK, s its SYN, p the
		 * peer's SYN */
		guint j = i + 1;
		while (j < len && !(c->tl.rows[j].kind == TFE_ROW_FRAME &&
		       c->tl.rows[j].dir == side &&
		       (c->tl.rows[j].flags & (TFE_TH_SYN | TFE_TH_ACK)) ==
		       (TFE_TH_SYN | TFE_TH_ACK)))
			j++;
		guint s = frame_before(c, i, side, TFE_TH_SYN, TFE_TH_ACK);
		guint p = frame_before(c, i, !side, TFE_TH_SYN, TFE_TH_ACK);
		if (r->kind != TFE_ROW_FRAME || r->dir == side || j >= len ||
		    c->tl.rows[j].ts - shift >= r->ts + shift || s == i ||
		    p == i || p > s ||
		    c->tl.rows[p].ts + shift <= c->tl.rows[s].ts - shift)
			continue;
		guint end = state_end(c, side, i, TFE_ST_SYN_RECEIVED);
		restate_rows(c, side, i, end, TFE_ST_ESTABLISHED);
		r->reason[side] = TFE_RS_RECV_SYNACK_SIMOPEN;
		/* its SYN+ACK left from SYN_RECEIVED, before that: the row's
		 * "stays ESTABLISHED" would say otherwise */
		c->tl.rows[j].reason[side] = TFE_RS_NONE;
		if (end < len &&
		    c->tl.rows[end].state[side] == TFE_ST_ESTABLISHED)
			c->tl.rows[end].reason[side] = TFE_RS_NONE;
		/* the peer's SYN arriving after its own left */
		restate_rows(c, side, s + 1, i, TFE_ST_SYN_RECEIVED);
		tfe_timeline_insert_arrival(&c->tl, s + 1, c->tl.rows[s].ts,
		                            side, c->tl.rows[p].frame,
		                            c->tl.rows[p].ts,
		                            TFE_ST_SYN_RECEIVED,
		                            TFE_RS_RECV_SYN_SIMOPEN,
		                            c->tl.rows[s].state);
		rows_inserted(c, s + 1);
		len++;
	}
}

void
tfe_conn_finish(struct tfe_conn *c, enum tfe_end_cause cause,
                const struct tfe_config *cfg)
{
	const struct tfe_endpoint *cl = &c->ep[TFE_SIDE_CLIENT];
	const struct tfe_endpoint *sv = &c->ep[TFE_SIDE_SERVER];
	bool both_fin = cl->fin_sent && sv->fin_sent;
	bool any_fin = cl->fin_sent || sv->fin_sent;
	/* a SYN+ACK seen, or the server's SYN acknowledged: in a capture of
	 * one direction the client's ACK of a SYN+ACK not captured
	 * (infer_synack()) */
	bool answered = sv->synack_count > 0 || c->roles == TFE_ROLES_PORT ||
	                sv->syn_acked;

	c->fast_ok = false;
	c->one_way = (uint8_t)one_way_side(c);

	c->end_cause = (uint8_t)cause;
	settle_foreign_rst(c);
	settle_fin_or_ack(c);
	settle_one_direction(c);
	settle_rst_unseen(c);
	settle_crossings(c);
	settle_icmp(c);
	/* Re-sent SYN+ACKs and never an ACK: none of them arrived. */
	struct tfe_endpoint *cw = &c->ep[TFE_SIDE_CLIENT];
	if (assumed_holds(cw, false) && cw->pkts == cw->syn_count &&
	    sv->synack_count > 1 && cw->assumed.row >= 0) {
		(void)overturn(c, TFE_SIDE_CLIENT, TFE_OV_SYNACK_NEVER_ACKED);
	}
	if (c->roles == TFE_ROLES_SYN && sv->pkts == 0 && !sv->isn_known) {
		/* Nothing came back, and the client acknowledged nothing: no
		 * evidence that anything listened. */
		(void)overturn(c, TFE_SIDE_SERVER, TFE_OV_LISTENER_SILENT);
		c->close_how = TFE_CLOSE_UNANSWERED;
	} else if (c->roles == TFE_ROLES_SYN && c->rst_seen &&
	           c->hs_ack_ts == 0 && !both_fin &&
	           !(sv->pkts == 0 && sv->isn_known) &&
	           !(cl->syn_acked && sv->syn_acked)) {
		/* A RST before the handshake completed, from either side
		 * (each side's SYN acknowledged is a completed handshake, in
		 * whatever segments: a split handshake, a FIN+ACK; a server
		 * never captured but whose ISN the client acknowledged
		 * completed it too: infer_synack()). */
		c->close_how = TFE_CLOSE_REJECTED;
	} else if (c->rst_seen && !(both_fin && cl->fin_acked && sv->fin_acked)) {
		c->close_how = TFE_CLOSE_ABORT;
	} else if (both_fin) {
		c->close_how = TFE_CLOSE_GRACEFUL;
	} else if (any_fin) {
		c->close_how = TFE_CLOSE_HALF_CLOSE;
	} else if (cause == TFE_END_IDLE) {
		c->close_how = TFE_CLOSE_TIMEOUT;
	} else if (c->roles == TFE_ROLES_SYN && !answered) {
		c->close_how = TFE_CLOSE_UNANSWERED;
	} else {
		c->close_how = TFE_CLOSE_OPEN_AT_END;
	}

	/* TIME_WAIT ends 2MSL after it began (or after the last re-sent FIN
	 * restarted it): say when, whether or not the capture lasts that
	 * long (RFC 9293 §3.6.1). */
	int first = c->ep[1].state == TFE_ST_TIME_WAIT &&
	            (c->ep[0].state != TFE_ST_TIME_WAIT ||
	             c->ep[1].tw_since < c->ep[0].tw_since);
	for (int i = 0; i < 2; i++) {
		int side = i ^ first;
		const struct tfe_endpoint *ep = EP(c, side);
		if (ep->state != TFE_ST_TIME_WAIT)
			continue;
		uint8_t states[2] = { c->ep[0].state, c->ep[1].state };
		tfe_timeline_add_timer(&c->tl, ep->tw_since + 2 * cfg->msl, side,
		                       TFE_ST_CLOSED, TFE_RS_TIME_WAIT_EXPIRED,
		                       states);
	}
}


/*
 * When a side in SYN_SENT was due to send its next SYN: its last SYN plus
 * twice the gap before it (the doubling back-off; 3 s after a lone SYN,
 * the larger first timeout of older stacks), between 1 s and 120 s.  By
 * then it has re-sent or its connect() has given up.  0 when the side is
 * not in SYN_SENT; *wait gets the back-off.
 */
int64_t
tfe_conn_syn_due(const struct tfe_conn *c, int side, int64_t *wait)
{
	const struct tfe_endpoint *ep = EP(c, side);
	int64_t last = 0, prev = 0;
	guint k = 0;

	if (ep->state != TFE_ST_SYN_SENT || ep->syn_count == 0)
		return 0;
	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = &c->tl.rows[i];

		if (r->kind == TFE_ROW_FRAME && r->dir == side &&
		    (r->flags & (TFE_TH_SYN | TFE_TH_ACK | TFE_TH_RST)) ==
		    TFE_TH_SYN) {
			prev = last;
			last = r->ts;
			k++;
		}
	}
	if (k == 0)
		return 0;
	*wait = k >= 2 ? 2 * (last - prev) : 3 * TFE_NS_PER_SEC;
	*wait = CLAMP(*wait, TFE_NS_PER_SEC, 120 * TFE_NS_PER_SEC);
	return last + *wait;
}

/*
 * A SYN_SENT socket re-sends its SYN at a doubling interval (RFC 6298
 * §5.5: 1 s, 2 s, 4 s, ... on Linux, up to 120 s) until connect() gives
 * up (ETIMEDOUT after tcp_syn_retries) or the program closes it, and
 * neither sends a segment.  So when the capture goes on past the next
 * SYN's due time and it never comes, the socket was gone by then.  The
 * wait is twice the last interval (some stacks re-send sooner, none
 * later), or 3 s after a single SYN (the initial RTO of older stacks;
 * RFC 6298 says 1 s), and never under 1 s (the initial RTO: quicker
 * re-sends are a program's, not a kernel's); past it 1% and 25 ms of
 * slack for the timer's jitter.  The row is a timer row at the due time, and the side ends
 * CLOSED.
 */
void
tfe_conn_syn_given_up(struct tfe_conn *c, int64_t now)
{
	const int64_t ms = TFE_NS_PER_SEC / 1000;

	for (int side = 0; side < 2; side++) {
		int64_t wait;
		int64_t due = tfe_conn_syn_due(c, side, &wait);

		if (due == 0 || now <= due + wait / 100 + 25 * ms)
			continue;
		/* in time order; a later row (the peer's re-sent SYN+ACK)
		 * finds the side gone: no reason of its own there */
		guint at = 0, len = tfe_timeline_len(&c->tl);
		while (at < len && c->tl.rows[at].ts <= due)
			at++;
		uint8_t states[2];
		closed_from(c, side, at, states);
		tfe_timeline_insert_timer(&c->tl, at, due, side, TFE_ST_CLOSED,
		                          TFE_RS_SYN_GIVEN_UP, states);
		rows_inserted(c, at);
		put_state(c, side, TFE_ST_CLOSED, due);
	}
}
