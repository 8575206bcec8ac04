/*
 * evidence.c: what the capture shows of each side, kept for the state
 * machine (conn.c) and the verdicts (verdict.c): its sequence space and
 * the holes in it, its SYN's options, its FIN, RST and keepalive facts,
 * zero windows, the capture's own copies of frames, and the silences of
 * the whole connection.  Nothing here decides a state or writes a
 * timeline row; conn.c calls it in a fixed order for every segment of the
 * general path (its fast path does the same for an established
 * connection's in-order data, inline).
 */
#include "evidence.h"

#include <string.h>

#include "seq.h"

/* An endpoint's address, picked rather than worked out (conn.c). */
#define EP(c, side) ((side) ? &(c)->ep[1] : &(c)->ep[0])

/*
 * Holes: sequence space a side skipped in the capture.  TCP sends in
 * order, so a segment that begins past SND.NXT leaves behind it bytes that
 * were sent before it and that the capture has not seen yet.  A segment
 * that later falls inside such a hole is new to the capture: within one
 * round trip of the hole appearing it cannot be a re-send (that needs the
 * peer's duplicate ACKs or a timer, a round trip at least), so it was
 * reordered before the capture point; later, it re-sends what was lost
 * before the capture point.  Wireshark draws the same line
 * (tcp.analysis.out_of_order against retransmission).
 */

/* A gap larger than this is a jump in sequence space, not a hole. */
#define HOLE_MAX (UINT32_C(1) << 30)

/* The round trip a reordered segment is held to: the handshake's, from
 * the SYN to the ACK of the SYN+ACK (a whole round trip from any capture
 * point), or 3 ms without one, as Wireshark takes it. */
static int64_t
reorder_within(const struct tfe_conn *c)
{
	if (c->syn_ts != 0 && c->hs_ack_ts > c->syn_ts)
		return c->hs_ack_ts - c->syn_ts;
	return 3 * (TFE_NS_PER_SEC / 1000);
}

/* The hole of `r` that [seq, end) lies in, or -1. */
static int
hole_of(const struct tfe_ep_rare *r, uint32_t seq, uint32_t end)
{
	for (int i = 0; i < r->holes; i++)
		if (tfe_seq_geq(seq, r->hole_lo[i]) &&
		    tfe_seq_leq(end, r->hole_hi[i]))
			return i;
	return -1;
}

/* The hole a data segment from `side` fills, if it came soon enough to
 * be reordered rather than re-sent; -1 otherwise.  Bytes the peer has
 * acknowledged were delivered: sending them again is a re-send. */
int
tfe_evidence_reordered_hole(const struct tfe_conn *c, int side,
                            const struct tfe_segment *s, int64_t ts)
{
	const struct tfe_ep_rare *r = tfe_conn_rare_ep(c, side);
	const struct tfe_endpoint *peer = EP(c, !side);
	uint32_t end = s->seq + s->payload_len;

	if (r->holes == 0 || s->payload_len == 0 ||
	    (s->flags & (TFE_TH_SYN | TFE_TH_FIN | TFE_TH_RST)) ||
	    (peer->ack_known && tfe_seq_geq(peer->ack_max, end)))
		return -1;
	int i = hole_of(r, s->seq, end);
	if (i < 0 || ts < r->hole_ts[i] ||
	    ts - r->hole_ts[i] >= reorder_within(c))
		return -1;
	return i;
}

/* A reordered segment: counted with how long it came after its hole. */
void
tfe_evidence_count_reordered(struct tfe_conn *c, int side,
                             const struct tfe_segment *s, int64_t ts)
{
	int i = tfe_evidence_reordered_hole(c, side, s, ts);
	if (i < 0)
		return;
	struct tfe_ep_rare *r = tfe_conn_rare_get(c, side);
	r->out_of_order++;
	if (ts - r->hole_ts[i] > r->ooo_late)
		r->ooo_late = ts - r->hole_ts[i];
	r->ooo_within = reorder_within(c);
}

static void
hole_open(struct tfe_conn *c, int side, uint32_t lo, uint32_t hi,
          int64_t ts)
{
	if (hi - lo > HOLE_MAX || tfe_conn_rare_ep(c, side)->holes >= TFE_HOLES)
		return;
	struct tfe_ep_rare *r = tfe_conn_rare_get(c, side);
	r->hole_lo[r->holes] = lo;
	r->hole_hi[r->holes] = hi;
	r->hole_ts[r->holes] = ts;
	r->holes++;
}

/* [lo, hi) has been seen: take it out of the side's holes. */
static void
hole_fill(struct tfe_conn *c, int side, uint32_t lo, uint32_t hi)
{
	if (tfe_conn_rare_ep(c, side)->holes == 0)
		return;
	struct tfe_ep_rare *r = tfe_conn_rare_get(c, side);
	for (int i = 0; i < r->holes; i++) {
		uint32_t hlo = r->hole_lo[i], hhi = r->hole_hi[i];
		if (tfe_seq_geq(lo, hhi) || tfe_seq_leq(hi, hlo))
			continue;
		if (tfe_seq_leq(lo, hlo) && tfe_seq_geq(hi, hhi)) {
			/* filled: the last one takes its place */
			r->holes--;
			r->hole_lo[i] = r->hole_lo[r->holes];
			r->hole_hi[i] = r->hole_hi[r->holes];
			r->hole_ts[i] = r->hole_ts[r->holes];
			i--;
		} else if (tfe_seq_leq(lo, hlo)) {
			r->hole_lo[i] = hi;
		} else if (tfe_seq_geq(hi, hhi)) {
			r->hole_hi[i] = lo;
		} else {
			/* split; without room the right part is forgotten
			 * (a segment there is then taken as re-sent) */
			if (r->holes < TFE_HOLES) {
				r->hole_lo[r->holes] = hi;
				r->hole_hi[r->holes] = hhi;
				r->hole_ts[r->holes] = r->hole_ts[i];
				r->holes++;
			}
			r->hole_hi[i] = lo;
		}
	}
}

/*
 * An ACK from `side` that covers part of a hole in its peer's sequence
 * space: the peer's segment there reached `side`, but not the capture
 * (a receiver acknowledges only what it has, and a segment passes the
 * capture point before it reaches the receiver).  The covered part is
 * taken out of the holes.  True when it covered any.
 */
bool
tfe_evidence_acks_hole(struct tfe_conn *c, int side, uint32_t ack)
{
	const struct tfe_ep_rare *r = tfe_conn_rare_ep(c, !side);
	bool any = false;

	for (int i = r->holes - 1; i >= 0; i--) {
		uint32_t lo = r->hole_lo[i], hi = r->hole_hi[i];

		if (!tfe_seq_lt(lo, ack))
			continue;
		hole_fill(c, !side, lo, tfe_seq_lt(ack, hi) ? ack : hi);
		any = true;
	}
	return any;
}

/* Bookkeeping of what the sender has now shown of itself. */
void
tfe_evidence_sender(struct tfe_conn *c, int side, const struct tfe_segment *s,
                    uint64_t frame, int64_t ts)
{
	struct tfe_endpoint *ep = EP(c, side);
	bool known = ep->seq_known;
	bool syn = s->flags & TFE_TH_SYN;
	bool fin = s->flags & TFE_TH_FIN;
	uint32_t end = s->seq + s->payload_len + (syn ? 1u : 0u);
	bool new_data = s->payload_len > 0 &&
	                (!ep->seq_known || tfe_seq_gt(end, ep->snd_nxt));

	if (!ep->seq_known) {
		ep->seq_known = true;
		ep->first_frame = frame;
		/* an ISN learned from the peer's ACK keeps its place */
		ep->seq_base = syn ? s->seq : ep->isn_known ? ep->isn
		                                            : s->seq - 1;
		ep->snd_nxt = end;
	}
	if (syn && !(s->flags & TFE_TH_RST)) {
		if (!ep->isn_known || ep->isn != s->seq) {
			ep->isn = s->seq;
			ep->isn_known = true;
		}
		ep->seq_base = s->seq;
		if (s->opt_mask & TFE_OPT_MSS) {
			ep->has_mss = true;
			ep->mss = s->mss;
		}
		ep->has_wscale = (s->opt_mask & TFE_OPT_WSCALE) != 0;
		ep->wscale = s->wscale;
		ep->sack_ok = (s->opt_mask & TFE_OPT_SACKOK) != 0;
		ep->ts_ok = (s->opt_mask & TFE_OPT_TS) != 0;
		ep->tfo = (s->opt_mask & TFE_OPT_TFO) != 0;
		if (s->opts_cut)
			c->syn_opts_cut |= (uint8_t)(1u << side);
		else
			c->syn_opts_cut &= (uint8_t)~(1u << side);
		c->ws_ok = c->ep[0].has_wscale && c->ep[1].has_wscale;
		if (s->flags & TFE_TH_ACK)
			ep->synack_count++;
		else
			ep->syn_count++;
	}
	if (fin) {
		if (!ep->fin_sent) {
			const struct tfe_endpoint *pe = EP(c, !side);
			if (G_UNLIKELY(pe->bytes > 0 && !pe->fin_sent &&
			               (s->flags & TFE_TH_ACK) &&
			               tfe_seq_gt(pe->snd_nxt, s->ack))) {
				struct tfe_ep_rare *r = tfe_conn_rare_get(c, side);
				r->fin_peer_unacked = pe->snd_nxt - s->ack;
				r->fin_peer_last_ts = pe->last_ts;
				r->fin_own_prev_ts = ep->pkts > 0 ? ep->last_ts : 0;
			}
			ep->fin_sent = true;
			ep->fin_seq = s->seq + s->payload_len;
			ep->ack_at_fin = (s->flags & TFE_TH_ACK) ? s->ack
			                                          : ep->ack_max;
		}
		ep->fin_count++;
		end++;
	}
	if (known && !syn && !(s->flags & TFE_TH_RST)) {
		if (tfe_seq_gt(s->seq, ep->snd_nxt))
			hole_open(c, side, ep->snd_nxt, s->seq, ts);
		else if (s->payload_len > 0 && tfe_seq_lt(s->seq, ep->snd_nxt))
			hole_fill(c, side, s->seq, s->seq + s->payload_len);
	}
	if (!(s->flags & TFE_TH_RST))
		ep->snd_nxt = tfe_seq_max(ep->snd_nxt, end);
	if (s->flags & TFE_TH_ACK) {
		if (!ep->ack_known || tfe_seq_gt(s->ack, ep->ack_max))
			ep->ack_max = s->ack;
		ep->ack_known = true;
		const struct tfe_endpoint *peer = EP(c, !side);
		/* (an ACK past the FIN's end is in another space) */
		if (peer->fin_sent && s->ack == peer->fin_seq + 1)
			ep->acked_peer_fin = true;
	}
	if (!(s->flags & TFE_TH_RST)) {
		uint32_t w = tfe_conn_scaled_window(c, side, s->win, s->flags);
		if (w > ep->max_win)
			ep->max_win = w;
		ep->last_win = s->win;
	}
	if (G_UNLIKELY(EP(c, !side)->fin_sent && new_data)) {
		struct tfe_ep_rare *r = tfe_conn_rare_get(c, side);
		if (r->segs_after_peer_fin == 0) {
			r->apf_frame = frame;
			r->apf_ts = ts;
			r->apf_len = s->payload_len;
			r->apf_acks_fin = (s->flags & TFE_TH_ACK) &&
			                  tfe_seq_gt(s->ack, EP(c, !side)->fin_seq);
		}
		r->bytes_after_peer_fin += s->payload_len;
		r->segs_after_peer_fin++;
	}
	if (ep->fin_sent && (s->flags & TFE_TH_ACK) && ep->ack_known &&
	    tfe_seq_gt(s->ack, ep->ack_at_fin) && !(s->flags & TFE_TH_RST))
		ep->acked_after_fin = true;
	if ((s->flags & TFE_TH_RST) &&
	    tfe_conn_rare_ep(c, side)->rst_frame == 0) {
		struct tfe_ep_rare *r = tfe_conn_rare_get(c, side);
		r->rst_frame = frame;
		r->rst_ttl = s->ttl;
		r->rst_ip_id = s->ip_id;
		r->ttl_before_rst = ep->ttl_last;
		r->ip_id_before_rst = ep->ip_id_last;
		r->rst_nth = (uint32_t)ep->pkts;
		ep->rst_has_prev = ep->pkts > 0;
	}
	ep->pkts++;
	ep->bytes += s->payload_len;
	ep->ttl_last = s->ttl;
	ep->ip_id_last = s->ip_id;
}

/* Keepalive answers, zero-window stalls and full windows, for verdict.c. */
void
tfe_evidence_signals(struct tfe_conn *c, int side, const struct tfe_segment *s,
                     uint16_t notes, uint64_t frame, int64_t ts)
{
	struct tfe_endpoint *ep = EP(c, side);
	struct tfe_endpoint *peer = EP(c, !side);

	/* Anything from the peer answers a pending probe. */
	if (G_UNLIKELY(peer->ka_pending)) {
		struct tfe_ep_rare *r = tfe_conn_rare_get(c, !side);
		peer->ka_pending = false;
		r->ka_answered++;
		r->ka_unanswered_run = 0;
	}
	if (G_UNLIKELY(notes & TFE_NOTE_KEEPALIVE)) {
		struct tfe_ep_rare *r = tfe_conn_rare_get(c, side);
		r->ka_probes++;
		r->ka_last_ts = ts;
		if (ep->ka_pending)
			r->ka_unanswered_run++;
		ep->ka_pending = true;
	}
	if (notes & TFE_NOTE_ZERO_WINDOW) {
		struct tfe_ep_rare *r = tfe_conn_rare_get(c, side);
		if (ep->zero_windows == 0) {
			r->zw_first_frame = frame;
			r->zw_first_ts = ts;
		}
		if (ep->last_win != 0 || ep->zero_windows == 0)
			r->zw_open_ts = ts; /* start of this stall */
		ep->zero_windows++;
	}
	if ((notes & TFE_NOTE_WINDOW_OPEN) && ep->zero_windows > 0) {
		struct tfe_ep_rare *r = tfe_conn_rare_get(c, side);
		if (r->zw_open_frame == 0)
			r->zw_open_frame = frame;
		r->zw_stall += ts - r->zw_open_ts;
		r->zw_open_ts = ts;
	}
	/* The peer probing a zero window: a byte (or none) at its edge. */
	if (peer->last_win == 0 && peer->zero_windows > 0 &&
	    s->payload_len <= 1 && !(s->flags & (TFE_TH_SYN | TFE_TH_FIN |
	                                         TFE_TH_RST)))
		tfe_conn_rare_get(c, side)->zw_probes++;
	/* A segment that ends exactly at the peer's right window edge. */
	if (s->payload_len > 0 && peer->ack_known && peer->last_win > 0) {
		uint32_t edge = peer->ack_max +
			tfe_conn_scaled_window(c, !side, peer->last_win, 0);
		if (s->seq + s->payload_len == edge)
			ep->window_full++;
	}
}

/*
 * One direction captured: a side whose peer has no packet in the capture
 * SACKs past the right edge of its first SACK blocks, or echoes a
 * timestamp other than the one its first frame row echoed.
 * TSecr is the TSval of a segment it received (RFC 7323 §4.3), so the
 * peer sent segments the capture lacks (ACKs of the data it is sent, for
 * one).  SYNs are left out: a SYN+ACK may echo a re-sent SYN.  Runs only
 * while the peer has sent nothing seen, over the first rows.
 */
void
tfe_evidence_echo(struct tfe_conn *c, int side, const struct tfe_segment *s)
{
	if (G_UNLIKELY(s->sack_count > 0) && !(s->flags & TFE_TH_SYN)) {
		/* SACK blocks (RFC 2018) whose right edge grew: the side
		 * received more of the peer's data out of order, data the
		 * capture lacks */
		unsigned n = s->sack_count < TFE_MAX_SACK_BLOCKS ?
		             s->sack_count : TFE_MAX_SACK_BLOCKS;
		uint32_t right = s->sack[0][1];
		for (unsigned i = 1; i < n; i++)
			if (tfe_seq_gt(s->sack[i][1], right))
				right = s->sack[i][1];
		struct tfe_conn_rare *r = tfe_conn_rare_mut(c);
		if (!(r->sack_edge_set & (1u << side))) {
			r->sack_edge[side] = right;
			r->sack_edge_set |= (uint8_t)(1u << side);
		} else if (tfe_seq_gt(right, r->sack_edge[side])) {
			c->echo_moved = true;
			return;
		}
	}
	if (!(s->opt_mask & TFE_OPT_TS) || (s->flags & TFE_TH_SYN) ||
	    s->ts_ecr == 0)
		return;
	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = &c->tl.rows[i];

		if (r->kind != TFE_ROW_FRAME || r->dir != side ||
		    !(r->opt_mask & TFE_OPT_TS) || (r->flags & TFE_TH_SYN) ||
		    r->tsecr == 0)
			continue;
		c->echo_moved = r->tsecr != s->ts_ecr;
		return;
	}
}

/*
 * A frame that repeats its side's last one, IPv4 identification
 * included, is a copy the capture made (a mirror port that forwards a
 * packet twice, a capture on two interfaces it crossed, where the TTL
 * differs by the hop), not a second transmission: a host gives each
 * IPv4 datagram of a connection a new identification (Linux counts them
 * per socket), so a re-sent segment has another.  Claimed only when all
 * of these agree, so that a host that repeats its identifications is
 * not taken for a copy: identification not 0, the same window, end of
 * sequence space (this side's highest) and acknowledgment (its
 * highest), within TFE_COPY_WINDOW of the last, and nothing from the
 * peer in between (a fast retransmission answers the peer's duplicate
 * ACKs; a timer's comes later).  Wireshark and Zeek count such a copy
 * as a retransmission.
 */
#define TFE_COPY_WINDOW INT64_C(5000000) /* ns */

/*
 * Once a connection has shown a copy, the capture is known to repeat
 * frames, and not always next to each other (two mirror sessions, one
 * behind the other): from then on its latest segments are kept, and a
 * frame equal to one of them (side, identification, sequence and
 * acknowledgment numbers, flags, length, window, timestamp value)
 * within TFE_COPY_RING_WINDOW is a copy as well.  Such a connection
 * leaves the fast path, so that every segment is kept.
 */
#define TFE_COPY_RING 16
#define TFE_COPY_RING_WINDOW INT64_C(100000000) /* ns */

struct tfe_copy_ring {
	uint64_t sig[TFE_COPY_RING];
	int64_t ts[TFE_COPY_RING];
	unsigned next;
};

static uint64_t
copy_sig(const struct tfe_segment *s, int side)
{
	uint64_t a = (uint64_t)s->seq << 32 | s->ack;
	uint64_t b = (uint64_t)s->ip_id << 48 | (uint64_t)s->win << 32 |
	             (uint64_t)s->flags << 20 | (uint64_t)side;
	uint64_t h = (a ^ (b * UINT64_C(0x9e3779b97f4a7c15))) *
	             UINT64_C(0xff51afd7ed558ccd);

	h ^= ((uint64_t)s->payload_len << 32 | s->ts_val) *
	     UINT64_C(0xc4ceb9fe1a85ec53);
	return h ^ (h >> 29);
}

static void
copy_ring_add(struct tfe_copy_ring *r, const struct tfe_segment *s, int side,
              int64_t ts)
{
	r->sig[r->next] = copy_sig(s, side);
	r->ts[r->next] = ts;
	r->next = (r->next + 1) % TFE_COPY_RING;
}

/* Keeps `s` among the connection's latest segments, from the first copy
 * on (the ring is made at the first). */
void
tfe_evidence_copy_add(struct tfe_conn *c, const struct tfe_segment *s,
                      int side, int64_t ts)
{
	struct tfe_conn_rare *rare = tfe_conn_rare_mut(c);

	if (rare->copies == NULL)
		rare->copies = g_new0(struct tfe_copy_ring, 1);
	copy_ring_add(rare->copies, s, side, ts);
}

static bool
copy_ring_has(const struct tfe_copy_ring *r, const struct tfe_segment *s,
              int side, int64_t ts)
{
	uint64_t sig = copy_sig(s, side);

	for (unsigned i = 0; i < TFE_COPY_RING; i++)
		if (r->sig[i] == sig && r->ts[i] != 0 && ts >= r->ts[i] &&
		    ts - r->ts[i] <= TFE_COPY_RING_WINDOW)
			return true;
	return false;
}

bool
tfe_evidence_is_copy(const struct tfe_conn *c, const struct tfe_segment *s,
                     int side, int64_t ts)
{
	const struct tfe_endpoint *snd = EP(c, side);
	const struct tfe_endpoint *rcv = EP(c, !side);

	if (!s->has_ip_id || s->ip_id == 0)
		return false;
	if (c->rare != NULL && c->rare->copies != NULL &&
	    copy_ring_has(c->rare->copies, s, side, ts))
		return true;
	if (snd->pkts == 0 ||
	    !snd->seq_known || s->ip_id != snd->ip_id_last ||
	    s->win != snd->last_win ||
	    ts < snd->last_ts || ts - snd->last_ts > TFE_COPY_WINDOW ||
	    (rcv->pkts > 0 && rcv->last_ts >= snd->last_ts))
		return false;
	uint32_t end = s->seq + s->payload_len +
	               ((s->flags & TFE_TH_SYN) ? 1 : 0) +
	               ((s->flags & TFE_TH_FIN) ? 1 : 0);
	if (end != snd->snd_nxt)
		return false;
	if (s->flags & TFE_TH_ACK)
		return snd->ack_known && s->ack == snd->ack_max;
	return !snd->ack_known;
}

/*
 * The segment at `ts` ends a silence of at least --idle-gap-threshold.
 * When nothing of either side was unacknowledged as it began (each side's
 * SND.NXT acknowledged by the other: no retransmission timer ran, so the
 * silence was the applications' own), it is an idle gap: the one a
 * middlebox's idle timer measures.  The latest is kept, with the longest
 * before it: a middlebox that let an earlier gap that long pass did not
 * forget the connection after this one (middlebox_idle_timeout).
 */
void
tfe_evidence_idle_gap(struct tfe_conn *c, int side, uint64_t frame, int64_t ts)
{
	for (int i = 0; i < 2; i++) {
		const struct tfe_endpoint *ep = &c->ep[i], *peer = &c->ep[!i];

		if (!ep->seq_known || !peer->ack_known ||
		    peer->ack_max != ep->snd_nxt)
			return;
	}
	struct tfe_conn_rare *r = tfe_conn_rare_mut(c);
	if (r->gap_frame != 0 &&
	    r->gap_to_ts - r->gap_from_ts > r->gap_longest_before)
		r->gap_longest_before = r->gap_to_ts - r->gap_from_ts;
	r->gap_frame = frame;
	r->gap_from_frame = c->last_frame;
	r->gap_from_ts = c->last_ts;
	r->gap_to_ts = ts;
	r->gap_side = (uint8_t)side;
	r->gap_pkts[0] = c->ep[0].pkts;
	r->gap_pkts[1] = c->ep[1].pkts;
}
