/*
 * watch.c: the operator's view of a capture as it goes: alerts when a
 * socket has stayed too long in a state that should be brief, and the
 * moments of --every's socket table.
 *
 * An alert is due when a side has been in its state for the threshold:
 * when it entered it is read from the timeline (tfe_watch_entered()),
 * which keeps a row for every change of state.
 * The analyser keeps alerts_due, no later than the earliest alert due:
 * lowered as states change, and worked out again by scanning the open
 * connections when it is reached.  A scan either gives an alert or finds
 * that the state it waited for has already been left, and states entered
 * after a scan are due a threshold later at the earliest, so scans come
 * at most once per alert or per threshold of capture time: nothing is
 * done per frame but comparing two states.
 *
 * Alerts go by the clock they are run with: capture time for files (the
 * alert appears where the capture's clock passed the threshold, before
 * the frame that passed it), the wall clock for live capture (live.c).
 */
#include "analyze.h"

#include <string.h>

const char *const tfe_alert_names[TFE_AL__COUNT] = {
	[TFE_AL_SYN_UNANSWERED] = "syn_unanswered",
	[TFE_AL_SYN_RECEIVED] = "lingering_syn_received",
	[TFE_AL_FIN_WAIT_2] = "lingering_fin_wait_2",
	[TFE_AL_CLOSE_WAIT] = "lingering_close_wait",
	[TFE_AL_LAST_ACK] = "lingering_last_ack",
};

const uint8_t tfe_alert_states[TFE_AL__COUNT] = {
	[TFE_AL_SYN_UNANSWERED] = TFE_ST_SYN_SENT,
	[TFE_AL_SYN_RECEIVED] = TFE_ST_SYN_RECEIVED,
	[TFE_AL_FIN_WAIT_2] = TFE_ST_FIN_WAIT_2,
	[TFE_AL_CLOSE_WAIT] = TFE_ST_CLOSE_WAIT,
	[TFE_AL_LAST_ACK] = TFE_ST_LAST_ACK,
};

const char *const tfe_alert_options[TFE_AL__COUNT] = {
	[TFE_AL_SYN_UNANSWERED] = "--syn-threshold",
	[TFE_AL_SYN_RECEIVED] = "--syn-received-threshold",
	[TFE_AL_FIN_WAIT_2] = "--fin-wait-2-threshold",
	[TFE_AL_CLOSE_WAIT] = "--close-wait-threshold",
	[TFE_AL_LAST_ACK] = "--last-ack-threshold",
};

void
tfe_watch_defaults(struct tfe_watch *w, int64_t close_wait)
{
	memset(w, 0, sizeof *w);
	/* Linux re-sends an unanswered SYN after 1 s and again 2 s later:
	 * at 3 s two re-sends have gone unanswered.  The same for a
	 * SYN+ACK and for a FIN in LAST_ACK (the retransmission timer,
	 * at least 200 ms, doubling).  FIN_WAIT_2 as tcp_fin_timeout. */
	w->threshold[TFE_AL_SYN_UNANSWERED] = 3 * TFE_NS_PER_SEC;
	w->threshold[TFE_AL_SYN_RECEIVED] = 3 * TFE_NS_PER_SEC;
	w->threshold[TFE_AL_FIN_WAIT_2] = 60 * TFE_NS_PER_SEC;
	w->threshold[TFE_AL_CLOSE_WAIT] = close_wait;
	w->threshold[TFE_AL_LAST_ACK] = 3 * TFE_NS_PER_SEC;
}

/* The kind that watches `state`, or -1. */
static int
kind_of(uint8_t state)
{
	switch (state) {
	case TFE_ST_SYN_SENT: return TFE_AL_SYN_UNANSWERED;
	case TFE_ST_SYN_RECEIVED: return TFE_AL_SYN_RECEIVED;
	case TFE_ST_FIN_WAIT_2: return TFE_AL_FIN_WAIT_2;
	case TFE_ST_CLOSE_WAIT: return TFE_AL_CLOSE_WAIT;
	case TFE_ST_LAST_ACK: return TFE_AL_LAST_ACK;
	default: return -1;
	}
}

void
tfe_watch_entered(const struct tfe_conn *c, int side, int64_t *ts,
                  uint64_t *frame)
{
	uint8_t st = c->ep[side].state;
	guint i = tfe_timeline_len(&c->tl);

	*ts = c->first_ts;
	*frame = c->first_frame;
	while (i > 0 && c->tl.rows[i - 1].state[side] == st)
		i--;
	if (i < tfe_timeline_len(&c->tl)) {
		*ts = c->tl.rows[i].ts;
		*frame = c->tl.rows[i].frame;
	}
}

/* When `side` of `c` is due an alert, or INT64_MAX for never; *since is
 * when it entered its state. */
static int64_t
due_of(const struct tfe_analyzer *a, const struct tfe_conn *c, int side,
       int *kind, int64_t *since, uint64_t *frame)
{
	int k = kind_of(c->ep[side].state);

	*kind = k;
	if (k < 0 || a->watch.threshold[k] <= 0 ||
	    (c->alerted & (1u << (k * 2 + side))))
		return INT64_MAX;
	tfe_watch_entered(c, side, since, frame);
	return *since + a->watch.threshold[k];
}

void
tfe_watch_moved(struct tfe_analyzer *a, struct tfe_conn *c,
                const uint8_t before[2], int64_t ts)
{
	for (int side = 0; side < 2; side++) {
		int k;

		if (c->ep[side].state == before[side])
			continue;
		k = kind_of(c->ep[side].state);
		if (k < 0 || a->watch.threshold[k] <= 0)
			continue;
		/* entered now: due a threshold from now */
		int64_t due = ts + a->watch.threshold[k];
		if (due < a->alerts_due)
			a->alerts_due = due;
		if (due < a->timers_due)
			a->timers_due = due;
	}
}

struct pending {
	struct tfe_conn *c;
	struct tfe_alert al;
};

static gint
by_time(gconstpointer pa, gconstpointer pb)
{
	const struct pending *x = pa, *y = pb;

	if (x->al.at != y->al.at)
		return x->al.at < y->al.at ? -1 : 1;
	return x->c->id < y->c->id ? -1 : x->c->id > y->c->id ? 1 :
	       (int)x->al.side - (int)y->al.side;
}

/* Gives every alert due up to `upto`, in time order; returns when the
 * next one is due. */
static int64_t
scan(struct tfe_analyzer *a, int64_t upto)
{
	int64_t next = INT64_MAX;
	GArray *due = NULL;

	/* The lingering queue holds connections whose sides are both
	 * CLOSED or in TIME_WAIT: nothing to watch there. */
	for (struct tfe_conn *c = tfe_flow_queue_head(&a->table, TFE_Q_OPEN);
	     c != NULL; c = tfe_flow_queue_next(c))
		for (int side = 0; side < 2; side++) {
			int k;
			int64_t since;
			uint64_t frame;
			int64_t at = due_of(a, c, side, &k, &since, &frame);

			if (at > upto) {
				if (at < next)
					next = at;
				continue;
			}
			struct pending p = {
				.c = c,
				.al = {
					.kind = (uint8_t)k,
					.side = (uint8_t)side,
					.state = c->ep[side].state,
					.since = since,
					.at = at,
					.threshold = a->watch.threshold[k],
					.since_frame = frame,
					.capture_start = a->stats.first_ts,
				},
			};
			if (due == NULL)
				due = g_array_new(FALSE, FALSE,
				                  sizeof(struct pending));
			g_array_append_val(due, p);
		}
	if (due == NULL)
		return next;
	g_array_sort(due, by_time);
	for (guint i = 0; i < due->len; i++) {
		struct pending *p = &g_array_index(due, struct pending, i);

		struct tfe_conn *c = p->c;

		c->alerted |= (uint16_t)(1u << (p->al.kind * 2 + p->al.side));
		p->al.family = c->family;
		p->al.id = c->id;
		p->al.first_frame = c->first_frame;
		p->al.last_frame = c->last_frame;
		p->al.frames = c->ep[0].pkts + c->ep[1].pkts;
		p->al.first_ts = c->first_ts;
		p->al.nanos = c->timestamps_ns;
		for (int side = 0; side < 2; side++) {
			memcpy(p->al.addr[side], tfe_conn_addr(c, side), 16);
			p->al.port[side] = tfe_conn_port(c, side);
		}
		a->stats.alerts[p->al.kind]++;
		if (a->sink.query != NULL) {
			a->sink.query(a->sink.ud, a, c, TFE_LQ_ALERT);
			const struct tfe_local *lc = tfe_conn_local(c);
			if (lc != NULL && lc->side[p->al.side].local) {
				p->al.have_local = true;
				p->al.local = lc->side[p->al.side];
			}
		}
		if (a->sink.alert)
			a->sink.alert(a->sink.ud, &p->al);
	}
	g_array_free(due, TRUE);
	return next;
}

void
tfe_analyzer_query_all(struct tfe_analyzer *a, int why)
{
	if (a->sink.query == NULL)
		return;
	for (int q = 0; q < TFE_Q__COUNT; q++)
		for (struct tfe_conn *c = tfe_flow_queue_head(&a->table, q);
		     c != NULL; c = tfe_flow_queue_next(c))
			a->sink.query(a->sink.ud, a, c, why);
	if (why == TFE_LQ_TABLE && a->sink.query_tombs != NULL)
		a->sink.query_tombs(a->sink.ud, a);
}

void
tfe_analyzer_watch(struct tfe_analyzer *a, const struct tfe_watch *w,
                   int64_t start)
{
	a->watch = *w;
	a->alerts_due = w->alerts ? INT64_MIN : INT64_MAX;
	if (w->every <= 0)
		a->every_due = INT64_MAX;
	else
		a->every_due = start > 0 ? start + w->every : 0;
	a->timers_due = INT64_MIN;
}

void
tfe_analyzer_watch_run(struct tfe_analyzer *a, int64_t upto)
{
	/* alerts and tables in time order; an alert due at a table's
	 * moment comes before it */
	for (;;) {
		int64_t table_at = a->every_due > 0 && a->every_due <= upto ?
		                   a->every_due : INT64_MAX;

		if (a->alerts_due <= upto && a->alerts_due <= table_at) {
			/* returns a time after the one it is given */
			a->alerts_due = scan(a, table_at < upto ? table_at : upto);
			continue;
		}
		if (table_at == INT64_MAX)
			break;
		/* one table per period, also through a silence: each is
		 * what the sockets were then (their ages grow) */
		a->every_due = table_at + a->watch.every;
		if (a->sink.table && a->sink.query)
			tfe_analyzer_query_all(a, TFE_LQ_TABLE);
		if (a->sink.table)
			a->sink.table(a->sink.ud, a, table_at);
	}
	if (a->alerts_due < a->timers_due)
		a->timers_due = a->alerts_due;
	if (a->every_due < a->timers_due)
		a->timers_due = a->every_due;
}
