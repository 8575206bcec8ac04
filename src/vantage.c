/*
 * vantage.c: the vantage model (vantage.h): where the capture point sits
 * and the one-way delay from it to each host, from the timeline alone
 * (nothing on the per-packet path).
 */
#include "vantage.h"

#include <string.h>

#include "seq.h"

const char *const tfe_vantage_names[TFE_VP__COUNT] = {
	[TFE_VP_UNKNOWN] = "unknown",
	[TFE_VP_NEAR_CLIENT] = "near_client",
	[TFE_VP_NEAR_SERVER] = "near_server",
	[TFE_VP_BETWEEN] = "between",
	[TFE_VP_NEAR_BOTH] = "near_both",
	[TFE_VP_ONE_DIRECTION] = "one_direction",
};

const char *const tfe_vantage_text[TFE_VP__COUNT] = {
	[TFE_VP_UNKNOWN] = "not placed",
	[TFE_VP_NEAR_CLIENT] = "near the client",
	[TFE_VP_NEAR_SERVER] = "near the server",
	[TFE_VP_BETWEEN] = "between the hosts",
	[TFE_VP_NEAR_BOTH] = "near both hosts",
	[TFE_VP_ONE_DIRECTION] = "one direction seen",
};

/* Routers between a host and the capture point: the usual initial TTLs
 * (and hop limits) are 64, 128 and 255. */
static int
hops_of(const struct tfe_endpoint *ep)
{
	if (ep->pkts == 0 || ep->ttl_last == 0)
		return -1;
	int init = ep->ttl_last <= 64 ? 64 : ep->ttl_last <= 128 ? 128 : 255;
	return init - ep->ttl_last;
}

static void
sample(struct tfe_vantage *v, int side, int64_t t)
{
	if (t < 0)
		return;
	if (!v->rtt_known[side] || t < v->rtt[side])
		v->rtt[side] = t;
	v->rtt_known[side] = true;
	v->samples[side]++;
}

/* Is the side near the capture point: its delay under the floor, or a
 * tenth of the two delays together or less. */
static bool
near(const struct tfe_vantage *v, int side)
{
	/* delays are halves of non-negative times, so their sum fits; a
	 * tenth of it is compared rather than ten times one delay, which a
	 * capture whose clock jumps by years would overflow */
	int64_t total = v->delay[0] + v->delay[1];

	return v->rtt_known[side] &&
	       (v->delay[side] < TFE_VANTAGE_NEAR_NS ||
	        (v->rtt_known[!side] && v->delay[side] <= total / 10));
}

void
tfe_vantage_estimate(const struct tfe_conn *c, struct tfe_vantage *v)
{
	/* pend[x]: a segment to x waiting for x's ACK */
	struct {
		bool on;
		uint32_t end;
		int64_t ts;
	} pend[2];

	memset(v, 0, sizeof *v);
	memset(pend, 0, sizeof pend);
	for (int side = 0; side < 2; side++)
		v->hops[side] = hops_of(&c->ep[side]);

	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = &c->tl.rows[i];

		if (r->kind == TFE_ROW_TIMER || r->kind == TFE_ROW_ARRIVAL)
			continue;
		if (r->kind == TFE_ROW_RUN) {
			/* a run may hide the ACK: the time would be too long */
			for (int x = 0; x < 2; x++)
				if (r->win_min[x] <= r->win_max[x])
					pend[x].on = false;
			continue;
		}
		int a = r->dir, b = !a;

		if (r->notes & TFE_NOTE_COPY) /* not a transmission */
			continue;
		/* nor a segment in a host's name that its TCP did not send */
		if (r->reason[a] == TFE_RS_SEND_NOT_ITS_OWN ||
		    r->reason[a] == TFE_RS_RST_REFUSAL_NOT_ITS_OWN)
			continue;

		/* An ACK that carries data or a FIN of its own left when the
		 * application wrote or closed, not when the segment came:
		 * it ends the wait without a sample.  A SYN+ACK is the
		 * kernel's at once. */
		if (pend[a].on && (r->flags & TFE_TH_ACK) &&
		    !(r->flags & TFE_TH_RST) &&
		    tfe_seq_geq(r->ack, pend[a].end)) {
			if ((r->flags & TFE_TH_SYN) ||
			    (r->len == 0 && !(r->flags & TFE_TH_FIN)))
				sample(v, a, r->ts - pend[a].ts);
			pend[a].on = false;
		}
		uint32_t span = r->len + ((r->flags & TFE_TH_SYN) ? 1 : 0) +
		                ((r->flags & TFE_TH_FIN) ? 1 : 0);
		if (span == 0 || (r->flags & TFE_TH_RST))
			continue;
		/* Karn's rule: an ACK may answer either copy of a segment
		 * sent twice; probes are answered when the window opens or
		 * the timer fires, not at once. */
		if (r->notes & (TFE_NOTE_RETRANS | TFE_NOTE_OUT_OF_ORDER |
		                TFE_NOTE_KEEPALIVE | TFE_NOTE_ZW_PROBE))
			pend[b].on = false;
		else if (!pend[b].on) {
			pend[b].on = true;
			pend[b].end = r->seq + span;
			pend[b].ts = r->ts;
		}
	}

	for (int side = 0; side < 2; side++) {
		if (!v->rtt_known[side])
			continue;
		v->delay[side] = v->rtt[side] / 2;
		v->delay_max[side] = v->rtt[side];
	}

	if (c->one_way != TFE_SIDE_NONE) {
		v->pos = TFE_VP_ONE_DIRECTION;
	} else if (v->rtt_known[0] && v->rtt_known[1]) {
		bool nc = near(v, 0), ns = near(v, 1);
		if (nc && !ns)
			v->pos = TFE_VP_NEAR_CLIENT;
		else if (ns && !nc)
			v->pos = TFE_VP_NEAR_SERVER;
		else if (!nc && !ns)
			v->pos = TFE_VP_BETWEEN;
		else if (v->hops[0] == 0 && v->hops[1] > 0)
			v->pos = TFE_VP_NEAR_CLIENT;
		else if (v->hops[1] == 0 && v->hops[0] > 0)
			v->pos = TFE_VP_NEAR_SERVER;
		else
			v->pos = TFE_VP_NEAR_BOTH;
	} else if (v->rtt_known[0] || v->rtt_known[1]) {
		/* One side measured: the time alone cannot say which host
		 * is nearer; the TTL can. */
		if (v->hops[0] == 0 && v->hops[1] > 0)
			v->pos = TFE_VP_NEAR_CLIENT;
		else if (v->hops[1] == 0 && v->hops[0] > 0)
			v->pos = TFE_VP_NEAR_SERVER;
		else
			v->pos = TFE_VP_UNKNOWN;
	} else {
		v->pos = TFE_VP_UNKNOWN;
	}
}

int64_t
tfe_vantage_shift(const struct tfe_vantage *v, int side)
{
	if (!v->rtt_known[side] || v->delay[side] < TFE_VANTAGE_NEAR_NS)
		return 0;
	return v->delay[side];
}

/* t + d, held within int64_t (d is a delay, at least 0, or its negation) */
static int64_t
later(int64_t t, int64_t d)
{
	if (d > 0 && t > INT64_MAX - d)
		return INT64_MAX;
	if (d < 0 && t < INT64_MIN - d)
		return INT64_MIN;
	return t + d;
}

int64_t
tfe_vantage_time(const struct tfe_vantage *v, int side,
                 const struct tfe_row *r)
{
	int64_t d = tfe_vantage_shift(v, side);

	if (d == 0)
		return r->ts;
	switch (r->kind) {
	case TFE_ROW_FRAME:
		return r->dir == side ? later(r->ts, -d) : later(r->ts, d);
	case TFE_ROW_TIMER:
		/* a SYN's timer counts from a send, 2MSL from a receipt */
		return later(r->ts, r->reason[side] == TFE_RS_SYN_GIVEN_UP ?
		             -d : d);
	case TFE_ROW_ARRIVAL:
		return later(r->arr_ts, d);
	default:
		return r->ts;
	}
}

int64_t
tfe_vantage_time_next(const struct tfe_vantage *v, int side,
                      const struct tfe_row *r, int64_t *last)
{
	int64_t t = tfe_vantage_time(v, side, r);

	if (t < *last)
		t = *last;
	*last = t;
	return t;
}
