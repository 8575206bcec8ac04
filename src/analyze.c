/*
 * analyze.c: frames in, finished connections out.
 *
 * The order connections come out in is the order they end (both sides
 * closed or reset plus a short linger, idle past the timeout, or evicted),
 * then at the end of input the lingering ones and the rest in order of
 * first frame (doc/json.md).  Nothing here depends on hash order.
 */
#include "analyze.h"

#include <string.h>

#include "seq.h"

/* For the per-frame path: with two callers of its body (see
 * analyze_segment()) the compiler stops inlining on its own. */
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define COLD __attribute__((cold, noinline))
#else
#define ALWAYS_INLINE inline
#define COLD
#endif

void
tfe_analyzer_init(struct tfe_analyzer *a, const struct tfe_config *cfg,
                  const struct tfe_sink *sink)
{
	memset(a, 0, sizeof *a);
	a->cfg = *cfg;
	a->sink = *sink;
	a->next_id = 1;
	a->timers_due = INT64_MIN;
	a->alerts_due = INT64_MAX;
	a->every_due = INT64_MAX;
	tfe_flow_table_init(&a->table);
}

/* Listener keys: address, port and family (the bytes before pad). */
static guint
listener_hash(gconstpointer p)
{
	const struct tfe_listener *l = p;
	guint h = l->port * 2654435761u ^ l->family;

	for (int i = 0; i < 16; i++)
		h = h * 31 + l->addr[i];
	return h;
}

static gboolean
listener_equal(gconstpointer pa, gconstpointer pb)
{
	const struct tfe_listener *a = pa, *b = pb;

	return a->port == b->port && a->family == b->family &&
	       memcmp(a->addr, b->addr, 16) == 0;
}

/* Records a listening socket proven at `ts` (or proven again). */
static void
add_listener(struct tfe_analyzer *a, uint8_t family, const uint8_t addr[16],
             uint16_t port, int64_t ts)
{
	struct tfe_listener key;

	if (a->listeners == NULL)
		a->listeners = g_hash_table_new_full(listener_hash, listener_equal,
		                                     g_free, NULL);
	memset(&key, 0, sizeof key);
	key.family = family;
	memcpy(key.addr, addr, 16);
	key.port = port;
	struct tfe_listener *known = g_hash_table_lookup(a->listeners, &key);
	if (known != NULL) {
		/* still listening: the table and the netstat view show it
		 * while it answers within the idle timeout */
		if (ts > known->last_ts)
			known->last_ts = ts;
		return;
	}
	if (g_hash_table_size(a->listeners) >= TFE_MAX_LISTENERS ||
	    g_hash_table_size(a->listeners) >= a->cfg.max_flows)
		return;
	struct tfe_listener *l = g_new(struct tfe_listener, 1);
	*l = key;
	l->proven_ts = ts;
	l->last_ts = ts;
	g_hash_table_add(a->listeners, l);
}

/* A SYN+ACK answering a SYN proves a listening socket on its source; so
 * does, with one direction captured, the client's ACK of a SYN+ACK the
 * capture lacks (its destination). */
static ALWAYS_INLINE void
note_listener(struct tfe_analyzer *a, struct tfe_conn *c,
              const struct tfe_segment *s, int side, int64_t ts)
{
	if (G_UNLIKELY(c->synack_inferred)) {
		c->synack_inferred = false;
		if (c->roles == TFE_ROLES_SYN && side == TFE_SIDE_CLIENT)
			add_listener(a, s->family, s->dst, s->dport, ts);
		return;
	}
	/* the segment's flags first: they rule out nearly every frame */
	if ((s->flags & (TFE_TH_SYN | TFE_TH_ACK | TFE_TH_RST)) !=
	    (TFE_TH_SYN | TFE_TH_ACK) || side != TFE_SIDE_SERVER ||
	    c->roles != TFE_ROLES_SYN ||
	    c->ep[TFE_SIDE_SERVER].syn_count > 0 ||
	    c->ep[TFE_SIDE_SERVER].synack_count != 1)
		return;
	add_listener(a, s->family, s->src, s->sport, ts);
}

void
tfe_analyzer_clear(struct tfe_analyzer *a)
{
	tfe_flow_table_clear(&a->table, tfe_conn_free);
	tfe_conn_cache_clear();
	if (a->verdicts != NULL)
		g_array_free(a->verdicts, TRUE);
	a->verdicts = NULL;
	if (a->listeners)
		g_hash_table_destroy(a->listeners);
	a->listeners = NULL;
	tfe_defrag_free(a->defrag);
	a->defrag = NULL;
	if (a->tw_kernel != NULL)
		g_hash_table_destroy(a->tw_kernel);
	a->tw_kernel = NULL;
	if (a->ftp_expected != NULL)
		g_array_free(a->ftp_expected, TRUE);
	if (a->holes != NULL)
		g_array_free(a->holes, TRUE);
	a->ftp_expected = NULL;
}

void
tfe_analyzer_verdicts(const struct tfe_config *cfg, struct tfe_conn *c,
                      int64_t now, GArray *out,
                      uint64_t by_verdict[TFE_V__COUNT])
{
	uint64_t kinds = 0;

	tfe_verdicts_clear(out);
	c->verdicts = out;
	tfe_verdicts_collect(c, cfg, now, out);
	for (guint i = 0; i < out->len; i++)
		kinds |= UINT64_C(1) << g_array_index(out, struct tfe_verdict,
		                                      i).kind;
	for (int k = 0; k < TFE_V__COUNT; k++)
		if (kinds & (UINT64_C(1) << k))
			by_verdict[k]++;
}

/* Sets timers_due: when the first of the timers below is due, as
 * run_timers() would see it (the heads of the queues and of the
 * tombstones). */
static void
timers_refresh(struct tfe_analyzer *a)
{
	const struct tfe_conn *c;
	int64_t due = a->table.tomb_head_until;

	if ((c = tfe_flow_queue_head(&a->table, TFE_Q_LINGER)) != NULL &&
	    c->last_ts + a->cfg.linger < due)
		due = c->last_ts + a->cfg.linger;
	if ((c = tfe_flow_queue_head(&a->table, TFE_Q_OPEN)) != NULL &&
	    c->last_ts + a->cfg.idle_timeout < due)
		due = c->last_ts + a->cfg.idle_timeout;
	if (a->alerts_due < due)
		due = a->alerts_due;
	if (a->every_due > 0 && a->every_due < due)
		due = a->every_due;
	a->timers_due = due;
}

/* What a new connection keeps of the one it took its 4-tuple from while
 * that one was not over (tfe_conn_rare.prev_live): sides by address,
 * index 0 the flow key's lower endpoint. */
struct taken {
	uint64_t id;
	uint8_t state[2];
	uint32_t snd_nxt[2];
};

static void
taken_note(const struct tfe_conn *c, struct taken *t)
{
	int lo = c->client_is_lo ? TFE_SIDE_CLIENT : TFE_SIDE_SERVER;

	t->id = c->id;
	t->state[0] = c->ep[lo].state;
	t->state[1] = c->ep[!lo].state;
	t->snd_nxt[0] = c->ep[lo].snd_nxt;
	t->snd_nxt[1] = c->ep[!lo].snd_nxt;
}

static void
taken_give(struct tfe_conn *c, const struct taken *t)
{
	struct tfe_conn_rare *rare = tfe_conn_rare_mut(c);
	int lo = c->client_is_lo ? TFE_SIDE_CLIENT : TFE_SIDE_SERVER;

	c->has_prev = true;
	c->prev_tw_side = TFE_SIDE_NONE;
	rare->prev_id = t->id;
	rare->prev_tw_since = 0;
	rare->prev_live = true;
	rare->prev_state[lo] = t->state[0];
	rare->prev_state[!lo] = t->state[1];
	rare->prev_snd_nxt[lo] = t->snd_nxt[0];
	rare->prev_snd_nxt[!lo] = t->snd_nxt[1];
}

/* Finishes a connection, hands it to the sink, leaves a tombstone and frees
 * it.  `taken`, when not NULL, gets what the connection that takes its
 * 4-tuple over keeps of it (states as finished: the corrections made at
 * the end included). */
/* A server that never answered this connection: whether its port
 * answered other connections' SYNs in the capture (syn_unanswered says
 * what that rules out). */
static void
note_port_listened(struct tfe_analyzer *a, struct tfe_conn *c)
{
	struct tfe_listener key;

	memset(&key, 0, sizeof key);
	key.family = c->family;
	memcpy(key.addr, tfe_conn_addr(c, TFE_SIDE_SERVER), 16);
	key.port = tfe_conn_port(c, TFE_SIDE_SERVER);
	const struct tfe_listener *l = g_hash_table_lookup(a->listeners, &key);
	if (l == NULL)
		return;
	struct tfe_conn_rare *rare = tfe_conn_rare_mut(c);
	rare->port_listened_first = l->proven_ts;
	rare->port_listened_last = l->last_ts;
}

/*
 * A connection picked up mid-stream (its first segment no SYN, no RST)
 * soon after a silence of the whole capture of --idle-gap-threshold or
 * more: it began unseen, in the silence.  Three of them within
 * HOLE_PICKUP_NS of its end show that the capture was not recording then
 * (files merged, a capture stopped and started again), not that the
 * network was quiet; one or two may be connections idle since before the
 * capture began.  What was open before such a hole and sends nothing
 * after it is judged up to the hole's start (hole_end()), not across it.
 */
#define HOLE_PICKUP_NS (30 * TFE_NS_PER_SEC)
#define HOLE_PICKUPS 3
#define HOLES_MAX 64

struct hole {
	int64_t from, to;   /* its last frame before, first frame after (ns) */
	uint64_t frame;     /* that first frame after */
};

static G_GNUC_NO_INLINE void
hole_seen(struct tfe_analyzer *a, int64_t ts)
{
	if (ts - a->silence_to > HOLE_PICKUP_NS) {
		a->silence_to = 0;
		return;
	}
	if (++a->silence_pickups != HOLE_PICKUPS)
		return;
	a->stats.capture_holes++;
	if (a->holes == NULL)
		a->holes = g_array_new(FALSE, FALSE, sizeof(struct hole));
	struct hole h = { a->silence_from, a->silence_to, a->silence_frame };
	if (a->holes->len < HOLES_MAX)
		g_array_append_val(a->holes, h);
}

/* How far the capture watched `c`: the start of the first hole after its
 * latest frame (noted in it), else the analyser's clock. */
static int64_t
hole_end(const struct tfe_analyzer *a, struct tfe_conn *c)
{
	if (G_LIKELY(a->holes == NULL))
		return a->now;
	for (guint i = 0; i < a->holes->len; i++) {
		const struct hole *h = &g_array_index(a->holes, struct hole, i);
		if (h->from >= c->last_ts && h->from < a->now) {
			struct tfe_conn_rare *r = tfe_conn_rare_mut(c);
			r->hole_from = h->from;
			r->hole_to = h->to;
			r->hole_frame = h->frame;
			return h->from;
		}
	}
	return a->now;
}

static void
emit_taken(struct tfe_analyzer *a, struct tfe_conn *c,
           enum tfe_end_cause cause, struct taken *taken)
{
	struct tfe_tombstone tomb;
	/* the verdicts' clock: up to the first hole after it */
	int64_t watched = hole_end(a, c);

	tfe_conn_finish(c, cause, &a->cfg);
	/* as far as the capture was watched: its latest frame, or live the
	 * latest tick (not a --at time past the end) */
	tfe_conn_syn_given_up(c, MAX(a->stats.last_ts, a->ticked));
	if (G_UNLIKELY(c->ep[TFE_SIDE_SERVER].pkts == 0) && c->roles ==
	    TFE_ROLES_SYN && a->listeners != NULL)
		note_port_listened(a, c);
	if (taken != NULL)
		taken_note(c, taken);
	/* live: the kernel's view as it is reported, for its verdicts too */
	if (a->sink.query != NULL)
		a->sink.query(a->sink.ud, a, c, TFE_LQ_END);
	if (!a->verdicts_later) {
		/* One array serves every connection in turn: it is emptied
		 * once the sink is done with it. */
		if (a->verdicts == NULL)
			a->verdicts = tfe_verdicts_new();
		tfe_analyzer_verdicts(&a->cfg, c, watched, a->verdicts,
		                      a->stats.by_verdict);
	}
	a->stats.connections++;
	a->stats.by_close[c->close_how]++;
	if (c->one_way != TFE_SIDE_NONE)
		a->stats.one_way++;
	a->stats.capture_copies += tfe_conn_rare(c)->capture_copies;
	struct tfe_vantage v;
	tfe_vantage_estimate(c, &v);
	a->stats.by_vantage[v.pos]++;
	for (int side = 0; side < 2; side++)
		a->stats.final_state[side][c->ep[side].state]++;
	if (a->sink.conn_done)
		a->sink.conn_done(a->sink.ud, c);

	memset(&tomb, 0, sizeof tomb);
	tomb.conn_id = c->id;
	tomb.until = a->now + 2 * a->cfg.msl;
	tomb.client_is_lo = c->client_is_lo;
	tomb.tw_side = TFE_SIDE_NONE;
	for (int side = 0; side < 2; side++) {
		tomb.snd_nxt[side] = c->ep[side].snd_nxt;
		if (c->ep[side].state == TFE_ST_TIME_WAIT) {
			tomb.tw_side = (uint8_t)side;
			tomb.tw_since = c->ep[side].tw_since;
		}
	}
	if (c->taken_over_side <= TFE_SIDE_SERVER) {
		/* for time_wait_reuse; the netstat view drops it at once */
		tomb.tw_side = c->taken_over_side;
		tomb.tw_since = tfe_conn_rare(c)->taken_over_tw_since;
	}
	tfe_flow_detach(&a->table, c, cause == TFE_END_CLOSED ? &tomb : NULL);
	if (a->sink.conn_take != NULL &&
	    a->sink.conn_take(a->sink.ud, c, watched)) {
		/* The sink keeps `c`, with the verdicts worked out here: the
		 * array goes with it, the next connection gets a new one. */
		if (!a->verdicts_later)
			a->verdicts = NULL;
	} else {
		if (!a->verdicts_later) {
			tfe_verdicts_clear(a->verdicts);
			c->verdicts = NULL;
		}
		tfe_conn_free(c);
	}
	/* Tombstones are bounded like connections: a flood of connections
	 * that each end at once (SYNs to a closed port) must not grow the
	 * table for 2MSL.  The oldest goes first. */
	while (a->table.ntombs > a->cfg.max_flows &&
	       tfe_flow_drop_oldest_tomb(&a->table))
		a->stats.tombs_evicted++;
	timers_refresh(a);
}

static void
emit(struct tfe_analyzer *a, struct tfe_conn *c, enum tfe_end_cause cause)
{
	emit_taken(a, c, cause, NULL);
}

void
tfe_analyzer_snapshot_at(struct tfe_analyzer *a, enum tfe_at_kind kind,
                         int64_t at)
{
	a->at_kind = kind;
	a->at = at;
	a->snapshot_done = kind == TFE_AT_NONE;
}

static void
take_snapshot(struct tfe_analyzer *a)
{
	if (a->snapshot_done)
		return;
	a->snapshot_done = true;
	/* live: the local sockets as the kernel has them now, for the
	 * netstat view as for a table */
	if (a->sink.snapshot && a->sink.query)
		tfe_analyzer_query_all(a, TFE_LQ_TABLE);
	if (a->sink.snapshot)
		a->sink.snapshot(a->sink.ud, a, a->at_kind == TFE_AT_END ? a->now
		                                                         : a->at);
}

static gint
by_first_frame(gconstpointer pa, gconstpointer pb)
{
	const struct tfe_conn *x = pa, *y = pb;

	return x->first_frame < y->first_frame ? -1 :
	       x->first_frame > y->first_frame ? 1 : 0;
}

/* What is still open at the end of the input, or of its part before a
 * gap (capture_gap()), in order of first frame. */
static void
emit_open(struct tfe_analyzer *a)
{
	struct tfe_conn *c;
	GList *rest = NULL;

	while ((c = tfe_flow_queue_head(&a->table, TFE_Q_LINGER)) != NULL)
		emit(a, c, TFE_END_CLOSED);
	for (c = tfe_flow_queue_head(&a->table, TFE_Q_OPEN); c != NULL;
	     c = tfe_flow_queue_next(c))
		rest = g_list_prepend(rest, c);
	rest = g_list_sort(rest, by_first_frame);
	for (GList *l = rest; l; l = l->next)
		emit(a, l->data, TFE_END_INPUT);
	g_list_free(rest);
}

/*
 * The capture's clock jumps forward by more than the idle timeout with no
 * frame in between: files merged, a capture stopped and started again, or
 * a link silent that long.  Which one the file does not say, so nothing
 * is claimed of the silence: what is open ends where the part of the
 * capture before the gap ended, at its last frame (a->now, not yet moved),
 * as at the end of the input; a verdict that waits for an answer measures
 * up to there, not across the gap.
 */
static G_GNUC_NO_INLINE void
capture_gap(struct tfe_analyzer *a)
{
	a->stats.time_gaps++;
	emit_open(a);
	timers_refresh(a);
}

static void
run_timers(struct tfe_analyzer *a)
{
	struct tfe_conn *c;

	/* alerts and tables first: they see the connections as they were
	 * before the frame that brought the clock here */
	if (a->now >= a->alerts_due ||
	    (a->every_due > 0 && a->now >= a->every_due))
		tfe_analyzer_watch_run(a, a->now);
	while ((c = tfe_flow_queue_head(&a->table, TFE_Q_LINGER)) != NULL &&
	       c->last_ts + a->cfg.linger <= a->now)
		emit(a, c, TFE_END_CLOSED);
	while ((c = tfe_flow_queue_head(&a->table, TFE_Q_OPEN)) != NULL &&
	       c->last_ts + a->cfg.idle_timeout <= a->now)
		emit(a, c, TFE_END_IDLE);
	if (tfe_flow_tombs_due(&a->table, a->now))
		tfe_flow_expire_tombs(&a->table, a->now);
	timers_refresh(a);
}

void
tfe_analyzer_tick(struct tfe_analyzer *a, int64_t now)
{
	if (now > a->now)
		a->now = now;
	if (now > a->ticked)
		a->ticked = now;
	run_timers(a);
}

/* A SYN (without ACK or RST) starts a new connection on a flow whose
 * connection is over, whose sender is CLOSED or in TIME_WAIT, or that
 * carries another ISN than the sender's known one, whatever its state:
 * the sender's TCP has let the old connection go, as Zeek's TCP analyzer
 * takes any such SYN for connection reuse.  The same ISN is a
 * retransmission; without a known ISN (mid-stream pickup, or a side that
 * has sent nothing yet: a simultaneous open) nothing tells a late copy of
 * an earlier SYN from a new one, and the SYN stays in the connection.
 * Inline: most frames are no SYN, and the call cost each of them about a
 * dozen instructions. */
static ALWAYS_INLINE bool
starts_new(const struct tfe_conn *c, const struct tfe_segment *s, int side)
{
	if ((s->flags & (TFE_TH_SYN | TFE_TH_ACK | TFE_TH_RST)) != TFE_TH_SYN)
		return false;
	if (c->ended)
		return true;
	const struct tfe_endpoint *ep = &c->ep[side];
	if (ep->state == TFE_ST_CLOSED || ep->state == TFE_ST_TIME_WAIT)
		return true;
	return ep->isn_known && ep->isn != s->seq;
}

void
tfe_flow_ref_make(const struct tfe_segment *seg, struct tfe_flow_ref *ref)
{
	ref->from_lo = tfe_flow_key_make_hashed(seg, &ref->key, &ref->hash);
}

/*
 * An ICMP error quoting a TCP segment (decode.h, TFE_DR_ICMP_ERROR): the
 * quoted flow's connection, if one is held, records it (conn.c); no
 * connection is made for it, and one already reported (a tombstone) is
 * not looked for.  Its own key: the threaded reader makes none for a
 * frame that is not a TCP segment.
 */
static void
icmp_error(struct tfe_analyzer *a, uint64_t frame, int64_t ts,
           const struct tfe_segment *seg)
{
	struct tfe_flow_ref ref;

	tfe_flow_ref_make(seg, &ref);
	if (a->shard_n > 1 && ref.hash % a->shard_n != a->shard_k)
		return;
	struct tfe_conn *c = tfe_flow_lookup_hashed(&a->table, &ref.key,
	                                            ref.hash);
	if (c != NULL && tfe_conn_icmp_error(c, seg,
	                                     tfe_conn_side(c, ref.from_lo),
	                                     frame, ts))
		a->stats.icmp_matched++;
	else
		a->stats.icmp_unmatched++;
}

/*
 * A data connection an FTP control connection announced (ftp.h), as
 * Wireshark's FTP dissector sets up its conversation: for PASV and EPSV
 * the server's end `a` with the port announced and the client's address
 * `b` with any port; for PORT the client's address announced `a` with any
 * port and the server's end `b` with port 20.  The first connection
 * between them, either way round, after the announcement takes it; until
 * then it waits, the oldest dropped past FTP_EXPECTED_MAX (a control
 * connection announces one at a time).
 */
struct ftp_expected {
	uint8_t family;
	uint8_t a[16], b[16];
	uint16_t a_port, b_port; /* 0: any */
};
#define FTP_EXPECTED_MAX 64
#define FTP_DATA_PORT 20         /* RFC 959 §3.2: L-1 of port 21 */

static COLD void
ftp_announced(struct tfe_analyzer *a, const struct tfe_segment *s)
{
	struct ftp_expected e;
	size_t alen = s->family == 4 ? 4 : 16;
	bool passive = s->ftp == TFE_FTP_PASSIVE;

	memset(&e, 0, sizeof e);
	e.family = s->family;
	/* the announced end: its own address, or (EPSV) the replying
	 * server's; the other end the control connection's peer */
	if (s->ftp_data.family == 0)
		memcpy(e.a, s->src, alen);
	else if (s->ftp_data.family == s->family)
		memcpy(e.a, s->ftp_data.addr, alen);
	else
		return; /* no connection of this family can take it */
	e.a_port = s->ftp_data.port; /* 0 for PORT: any */
	memcpy(e.b, s->dst, alen);
	e.b_port = passive ? 0 : FTP_DATA_PORT;
	if (a->ftp_expected == NULL)
		a->ftp_expected = g_array_new(FALSE, FALSE, sizeof e);
	if (a->ftp_expected->len >= FTP_EXPECTED_MAX)
		g_array_remove_index(a->ftp_expected, 0);
	g_array_append_val(a->ftp_expected, e);
}

static bool
ftp_end_is(const uint8_t *addr, uint16_t port, const uint8_t *want,
           uint16_t want_port, size_t alen)
{
	return (want_port == 0 || port == want_port) &&
	       memcmp(addr, want, alen) == 0;
}

/* Whether the new connection whose first segment is `s` is one an FTP
 * control connection announced; if so the announcement is used up. */
static COLD bool
ftp_claim(struct tfe_analyzer *a, const struct tfe_segment *s)
{
	size_t alen = s->family == 4 ? 4 : 16;

	for (guint i = 0; i < a->ftp_expected->len; i++) {
		const struct ftp_expected *e =
			&g_array_index(a->ftp_expected, struct ftp_expected, i);
		if (e->family != s->family)
			continue;
		if ((ftp_end_is(s->src, s->sport, e->a, e->a_port, alen) &&
		     ftp_end_is(s->dst, s->dport, e->b, e->b_port, alen)) ||
		    (ftp_end_is(s->dst, s->dport, e->a, e->a_port, alen) &&
		     ftp_end_is(s->src, s->sport, e->b, e->b_port, alen))) {
			g_array_remove_index(a->ftp_expected, i);
			return true;
		}
	}
	return false;
}

/* A frame read through link layers or tunnels beyond its link type's
 * header: each counts once. */
static G_GNUC_NO_INLINE void
count_layers(struct tfe_stats *st, uint32_t layers)
{
	for (int i = 0; i < TFE_LAYER__COUNT; i++)
		if (layers & (UINT32_C(1) << i))
			st->layers[i]++;
}

/* The body of tfe_analyzer_segment(), inlined into both callers: a call
 * between decoding and the rest cost tfe_analyzer_frame() 12 instructions
 * a frame (callgrind, small benchmark capture). */
static ALWAYS_INLINE void
analyze_segment(struct tfe_analyzer *a, uint64_t frame, int64_t ts,
                enum tfe_decode_reason r, const struct tfe_segment *seg,
                const struct tfe_flow_ref *ref)
{
	struct tfe_flow_ref own;

	a->stats.frames++;
	if (!a->started) {
		a->started = true;
		a->stats.first_ts = ts;
		a->now = ts;
		if (a->every_due == 0) /* --every counts from here */
			a->every_due = ts + a->watch.every;
		if (a->at_kind == TFE_AT_RELATIVE) {
			a->at += ts;
			a->at_kind = TFE_AT_EPOCH;
		}
	}
	/* The snapshot sees every frame up to its time and none after. */
	if (!a->snapshot_done && a->at_kind == TFE_AT_EPOCH && ts > a->at) {
		if (a->at > a->now)
			a->now = a->at;
		run_timers(a);
		take_snapshot(a);
	}
	if (G_UNLIKELY(ts < a->now)) {
		a->stats.time_backwards++;
		/* A clock that goes back by more than the idle timeout (files
		 * merged out of order): the capture's time starts again
		 * there, or each connection after the jump would be taken as
		 * idle at its first frame and end there. */
		if (a->now - ts > a->cfg.idle_timeout)
			a->now = ts;
	} else {
		if (G_UNLIKELY(ts - a->now > a->cfg.idle_timeout) &&
		    a->cfg.idle_timeout > 0)
			capture_gap(a);
		else if (G_UNLIKELY(ts - a->now >= a->cfg.idle_gap)) {
			a->silence_from = a->now;
			a->silence_to = ts;
			a->silence_frame = frame;
			a->silence_pickups = 0;
		}
		a->now = ts;
	}
	if (ts > a->stats.last_ts || a->stats.frames == 1)
		a->stats.last_ts = ts;

	/* Nothing is due before timers_due: most frames need not look. */
	if (a->now >= a->timers_due)
		run_timers(a);

	a->stats.reasons[r]++;
	if (G_UNLIKELY(seg->layers != 0))
		count_layers(&a->stats, seg->layers);
	if (r != TFE_DR_OK) {
		/* an ICMP error quoting TCP: its own branch, off the path of
		 * the TCP segments */
		if (G_UNLIKELY(r == TFE_DR_ICMP_ERROR))
			icmp_error(a, frame, ts, seg);
		return;
	}
	a->stats.tcp_segments++;
	/* a segment whose options were cut has its checksum unverified:
	 * one test for a whole segment with a right checksum, as before */
	if (seg->csum != TFE_CSUM_OK) {
		if (seg->csum == TFE_CSUM_BAD)
			a->stats.tcp_csum_bad++;
		else if (seg->opts_cut)
			a->stats.tcp_opts_cut++;
	}
	if (seg->ip_csum_bad)
		a->stats.ip_csum_bad++;
	/* before the shard's test: the data connection may be another
	 * shard's */
	if (G_UNLIKELY(seg->ftp != TFE_FTP_NONE) && a->cfg.zeek_model)
		ftp_announced(a, seg);

	if (ref == NULL) {
		/* one thread: the key is made here */
		tfe_flow_ref_make(seg, &own);
		ref = &own;
	}
	/* --shard: the key is the same both ways, and so its hash */
	if (G_UNLIKELY(a->shard_n > 1) && ref->hash % a->shard_n != a->shard_k) {
		a->stats.other_shards++;
		return;
	}
	const struct tfe_flow_key *key = &ref->key;
	bool from_lo = ref->from_lo;
	struct tfe_conn *c = tfe_flow_lookup_hashed(&a->table, key, ref->hash);
	struct taken taken, *tk = NULL;

	if (c != NULL && starts_new(c, seg, tfe_conn_side(c, from_lo))) {
		/* A TIME_WAIT that lets a new SYN in ends: the SYN must be
		 * above the old sequence space (RFC 6191; Linux also takes
		 * newer timestamps, which this cannot see for sure). */
		int nside = tfe_conn_side(c, from_lo);
		if (c->ended && tfe_seq_gt(seg->seq, c->ep[nside].snd_nxt))
			tfe_conn_take_over(c, ts);
		/* One not over leaves no tombstone: the new connection
		 * keeps what a stale socket's answer needs. */
		if (c->ended) {
			/* the client's same SYN again: it re-sends after a
			 * RST refused it (Windows), connect() goes on */
			const struct tfe_endpoint *cl = &c->ep[TFE_SIDE_CLIENT];
			if (nside == TFE_SIDE_CLIENT && cl->isn_known &&
			    cl->isn == seg->seq)
				tfe_conn_syn_again(c);
			emit(a, c, TFE_END_CLOSED);
		} else {
			tk = &taken;
			emit_taken(a, c, TFE_END_REUSED, tk);
		}
		c = NULL;
	}
	bool fresh = c == NULL;
	if (c == NULL) {
		bool syn = (seg->flags & (TFE_TH_SYN | TFE_TH_ACK | TFE_TH_RST)) ==
		           TFE_TH_SYN;
		/* The tombstone is looked up once, unless an eviction below
		 * changes the table in between. */
		bool no_tomb = false;
		if (!syn) {
			if (tfe_flow_tomb_hashed(&a->table, key, ref->hash) !=
			    NULL) {
				/* A late segment of a connection already
				 * reported. */
				a->stats.late_segments++;
				return;
			}
			no_tomb = true;
		}
		if (a->table.live >= a->cfg.max_flows) {
			struct tfe_conn *old =
				tfe_flow_queue_head(&a->table, TFE_Q_LINGER);
			if (old == NULL)
				old = tfe_flow_queue_head(&a->table, TFE_Q_OPEN);
			if (old != NULL) {
				if (!old->ended)
					a->stats.evicted++;
				else
					a->stats.evicted_closed++;
				emit(a, old, old->ended ? TFE_END_CLOSED
				                        : TFE_END_EVICTED);
				no_tomb = false;
			}
		}
		/* sharded, a connection's number is its first frame's: the
		 * same in every shard and in the run of them all */
		c = tfe_conn_new(a->shard_n ? frame : a->next_id++, seg, from_lo,
		                 &a->cfg);
		c->timestamps_ns = a->stats.timestamps_ns;
		/* The new connection takes the pair over: a TIME_WAIT that
		 * accepted its SYN is gone (RFC 6191); `t` is the tombstone
		 * as it was. */
		const struct tfe_tombstone *t =
			no_tomb ? NULL : tfe_flow_tomb_take_over(&a->table, key,
			                                         ref->hash);
		if (tk != NULL) {
			/* the latest connection on the pair, not one before
			 * it that left a tombstone */
			taken_give(c, tk);
		} else if (t != NULL) {
			/* Sides by address: the new client may be the old
			 * server. */
			bool same = t->client_is_lo == c->client_is_lo;
			struct tfe_conn_rare *rare = tfe_conn_rare_mut(c);
			c->has_prev = true;
			rare->prev_id = t->conn_id;
			rare->prev_tw_since = t->tw_since;
			c->prev_tw_side = t->tw_side > TFE_SIDE_SERVER ? t->tw_side :
			                  (uint8_t)(same ? t->tw_side : !t->tw_side);
			rare->prev_snd_nxt[0] = t->snd_nxt[same ? 0 : 1];
			rare->prev_snd_nxt[1] = t->snd_nxt[same ? 1 : 0];
		}
		tfe_flow_attach_hashed(&a->table, key, ref->hash, c);
		if (G_UNLIKELY(a->silence_to != 0) && !syn &&
		    !(seg->flags & (TFE_TH_SYN | TFE_TH_RST)))
			hole_seen(a, ts);
		if (G_UNLIKELY(a->ftp_expected != NULL) &&
		    a->ftp_expected->len > 0 && ftp_claim(a, seg))
			tfe_zeek_announced(&c->zeek);
	}

	int side = tfe_conn_side(c, from_lo);
	/* the SACK blocks, for the HTML page's graphs: before the update,
	 * while its arguments are at hand */
	if (G_UNLIKELY(seg->sack_count > 0) && a->cfg.keep_sacks)
		tfe_timeline_add_sack(&c->tl, frame, ts, side, seg);
	if (G_UNLIKELY(a->watch.alerts)) {
		uint8_t before[2] = { c->ep[0].state, c->ep[1].state };

		tfe_conn_update(c, seg, side, frame, ts, &a->cfg);
		if (c->ep[0].state != before[0] || c->ep[1].state != before[1])
			tfe_watch_moved(a, c, before, ts);
	} else {
		tfe_conn_update(c, seg, side, frame, ts, &a->cfg);
	}
	note_listener(a, c, seg, side, ts);
	if (G_UNLIKELY(fresh) && a->sink.query != NULL)
		a->sink.query(a->sink.ud, a, c, TFE_LQ_NEW);
	/* The timers go by the queues' heads: when this connection was one
	 * or becomes one, timers_due may move either way (the capture's
	 * clock can go back).  A connection heads its queue when nothing is
	 * before it. */
	bool was_head = tfe_flow_heads_queue(c);
	tfe_flow_touch(&a->table, c, c->ended ? TFE_Q_LINGER : TFE_Q_OPEN);
	if (was_head || tfe_flow_heads_queue(c))
		timers_refresh(a);
}

void
tfe_analyzer_frame(struct tfe_analyzer *a, int linktype, uint64_t frame,
                   int64_t ts, const uint8_t *data, size_t caplen,
                   size_t wirelen)
{
	struct tfe_segment seg;
	enum tfe_decode_reason r;

	/* The decoder reads only the frame, and reassembly keeps time on
	 * its own: decoding first, before the clock and the timers move,
	 * changes nothing. */
	if (a->defrag == NULL)
		a->defrag = tfe_defrag_new();
	r = tfe_defrag_frame(a->defrag, linktype, ts, data, caplen, wirelen,
	                     &seg);
	analyze_segment(a, frame, ts, r, &seg, NULL);
}

void
tfe_analyzer_segment(struct tfe_analyzer *a, uint64_t frame, int64_t ts,
                     enum tfe_decode_reason r, const struct tfe_segment *seg,
                     const struct tfe_flow_ref *ref)
{
	analyze_segment(a, frame, ts, r, seg, ref);
}

void
tfe_analyzer_finish(struct tfe_analyzer *a)
{
	if (a->defrag != NULL) {
		/* datagrams still incomplete are counted as such */
		tfe_defrag_finish(a->defrag);
		tfe_defrag_stats_add(&a->stats.frag, tfe_defrag_stats(a->defrag));
		tfe_defrag_free(a->defrag);
		a->defrag = NULL;
	}
	if (!a->snapshot_done) {
		/* A time past the end of the capture: the timers run to it. */
		if (a->at_kind == TFE_AT_EPOCH && a->at > a->now)
			a->now = a->at;
		if (a->at_kind == TFE_AT_RELATIVE)
			a->at_kind = TFE_AT_END; /* an empty capture */
		take_snapshot(a);
	}
	emit_open(a);
}
