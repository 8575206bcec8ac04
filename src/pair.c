/*
 * pair.c: matches two captures of the same traffic (--pair A B,
 * doc/pair.md) and finds what the path between the two capture points
 * did.  It reads each file into an analyser of its own (so each side's
 * states come from its own capture), keeps each connection's segments,
 * then matches connections, segments and clocks.  It does not print
 * (render_pair.c does) and reads no packet bytes (decode.c does).
 *
 * The method, in short (doc/pair.md says why and where it fails):
 *  1. connections: the same ISN pair; else the same TSvals in the SYN and
 *     the SYN+ACK, with the ISNs moved by a constant (a middlebox that
 *     rewrites them); else the same addresses and ports.  Addresses and
 *     ports may differ (NAT).
 *  2. segments: per sender, the same sequence number (less the shift),
 *     acknowledgment, length, SYN/FIN/RST/ACK flags and TSval; a segment
 *     whose fields are unique in both captures first, then the copies
 *     (retransmissions without timestamps) by the transit they imply.
 *  3. clocks: u, the quickest transit from A to B of the segments sent
 *     on A's side, and v, the quickest from B to A, each read as the
 *     difference of the two clocks; with the same one-way delay d each
 *     way, B's clock is (u - v) / 2 ahead and d = (u + v) / 2; whatever
 *     the delays, the offset is within d of that.
 *  4. findings: a segment at the capture nearer its sender that the other
 *     capture never saw although it was capturing when the segment was
 *     due there is lost on the path; one at the capture nearer its
 *     receiver that the capture nearer its claimed sender never saw
 *     leave appeared on the path; fields of the same segment that differ
 *     were modified on the path; addresses or ports that differ are NAT.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "addr.h"
#include "capture.h"
#include "flow.h"
#include "format.h"
#include "frag.h"
#include "pair.h"

const struct tfe_pair_kind_def tfe_pair_kinds[TFE_PF__COUNT] = {
	[TFE_PF_LOST_ON_PATH] = { "lost_on_path", TFE_SEV_WARNING,
		"segment lost between the two capture points" },
	[TFE_PF_APPEARED_ON_PATH] = { "appeared_on_path", TFE_SEV_WARNING,
		"segment its claimed sender never sent: made on the path" },
	[TFE_PF_MODIFIED_ON_PATH] = { "modified_on_path", TFE_SEV_WARNING,
		"a field rewritten between the two capture points" },
	[TFE_PF_NAT] = { "nat", TFE_SEV_INFO,
		"addresses or ports translated on the path" },
	[TFE_PF_REORDERED_ON_PATH] = { "reordered_on_path", TFE_SEV_WARNING,
		"segments overtaken between the two capture points" },
	[TFE_PF_DELAYED_ON_PATH] = { "delayed_on_path", TFE_SEV_INFO,
		"a segment held well beyond the usual transit (queueing)" },
};

const char *const tfe_pair_how_names[TFE_PM__COUNT] = {
	[TFE_PM_ISN] = "isn",
	[TFE_PM_TIMESTAMPS] = "timestamps",
	[TFE_PM_ADDRESSES] = "addresses",
};

static const char *const side_word[3] = { "client", "server", "nobody" };
static const char *const cap_name[2] = { "A", "B" };

/* A decoded segment before the analyser has told which connection it
 * belongs to. */
struct raw {
	struct tfe_flow_key key;
	bool from_lo;
	struct tfe_pair_seg s;
};

struct reading {
	struct tfe_pair_capture *cap;
};

static void
on_done(void *ud, const struct tfe_conn *c)
{
	(void)ud;
	(void)c;
}

static bool
on_take(void *ud, struct tfe_conn *c, int64_t now)
{
	struct tfe_pair_capture *cap = ud;
	struct tfe_pair_conn *pc = g_new0(struct tfe_pair_conn, 1);

	(void)now;
	pc->c = c;
	pc->segs = g_array_new(FALSE, FALSE, sizeof(struct tfe_pair_seg));
	pc->link = -1;
	g_ptr_array_add(cap->conns, pc);
	return true;
}

static gint
by_first_frame(gconstpointer a, gconstpointer b)
{
	const struct tfe_pair_conn *x = *(struct tfe_pair_conn *const *)a;
	const struct tfe_pair_conn *y = *(struct tfe_pair_conn *const *)b;

	return x->c->first_frame < y->c->first_frame ? -1 :
	       x->c->first_frame > y->c->first_frame;
}

static guint
key_hash(gconstpointer k)
{
	const uint8_t *p = k;
	guint h = 2166136261u;

	for (size_t i = 0; i < sizeof(struct tfe_flow_key); i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static gboolean
key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct tfe_flow_key)) == 0;
}

/* Hands each segment to the connection that holds its frame. */
static void
assign_segments(struct tfe_pair_capture *cap, GArray *raws)
{
	GHashTable *by_key = g_hash_table_new_full(key_hash, key_equal, NULL,
	                                           (GDestroyNotify)
	                                           g_ptr_array_unref);

	for (guint i = 0; i < cap->conns->len; i++) {
		struct tfe_pair_conn *pc = g_ptr_array_index(cap->conns, i);
		GPtrArray *l = g_hash_table_lookup(by_key, &pc->c->key);

		if (l == NULL) {
			l = g_ptr_array_new();
			g_hash_table_insert(by_key, &pc->c->key, l);
		}
		g_ptr_array_add(l, pc);
	}
	for (guint i = 0; i < raws->len; i++) {
		struct raw *r = &g_array_index(raws, struct raw, i);
		GPtrArray *l = g_hash_table_lookup(by_key, &r->key);

		for (guint j = 0; l != NULL && j < l->len; j++) {
			struct tfe_pair_conn *pc = g_ptr_array_index(l, j);

			if (r->s.frame < pc->c->first_frame ||
			    r->s.frame > pc->c->last_frame)
				continue;
			r->s.side = (uint8_t)tfe_conn_side(pc->c, r->from_lo);
			g_array_append_val(pc->segs, r->s);
			break;
		}
	}
	g_hash_table_destroy(by_key);
}

/* The capture's own copies of a segment (a capture on both sides of a
 * router, or on two interfaces): the same non-zero IPv4 identification
 * and TCP header as one of the sender's latest 16 segments within
 * 100 ms, as the analyser tells them (conn.c).  A re-sent segment has
 * an identification of its own.  They are left out of the matching:
 * one capture repeating a frame is no loss, no reordering. */
#define COPY_LOOKBACK 16
#define COPY_WINDOW INT64_C(100000000) /* ns */

static void
mark_copies(struct tfe_pair_conn *pc)
{
	for (guint i = 1; i < pc->segs->len; i++) {
		struct tfe_pair_seg *s =
			&g_array_index(pc->segs, struct tfe_pair_seg, i);
		guint seen = 0;

		if (!s->has_ip_id || s->ip_id == 0)
			continue;
		for (guint j = i; j-- > 0 && seen < COPY_LOOKBACK;) {
			const struct tfe_pair_seg *r =
				&g_array_index(pc->segs, struct tfe_pair_seg, j);

			if (s->ts - r->ts > COPY_WINDOW)
				break;
			if (r->side != s->side || r->copy)
				continue;
			seen++;
			if (r->ip_id == s->ip_id && r->seq == s->seq &&
			    r->ack == s->ack && r->len == s->len &&
			    r->flags == s->flags && r->win == s->win &&
			    r->tsval == s->tsval) {
				s->copy = true;
				break;
			}
		}
	}
}

static bool
read_capture(struct tfe_pair_capture *cap, const char *path,
             const char *filter, const struct tfe_config *cfg, GError **err)
{
	char *paths[1] = { (char *)path };
	struct tfe_capture *in = tfe_capture_open_files(paths, 1, filter, err);
	struct tfe_sink sink = { 0 };
	struct tfe_analyzer an;
	struct tfe_packet pk;
	struct tfe_defrag *defrag;
	GArray *raws;
	bool first = true;
	int rc;

	if (in == NULL)
		return false;
	defrag = tfe_defrag_new();
	cap->path = path;
	cap->conns = g_ptr_array_new();
	sink.conn_done = on_done;
	sink.conn_take = on_take;
	sink.ud = cap;
	tfe_analyzer_init(&an, cfg, &sink);
	tfe_analyzer_snapshot_at(&an, TFE_AT_NONE, 0);
	an.stats.timestamps_ns = cap->nanos = tfe_capture_nanos(in);
	raws = g_array_new(FALSE, FALSE, sizeof(struct raw));
	while ((rc = tfe_capture_next(in, &pk, err)) == TFE_CAPTURE_PACKET) {
		struct tfe_segment seg;
		struct raw r;

		if (first)
			cap->first_ts = pk.ts;
		first = false;
		if (pk.ts > cap->last_ts)
			cap->last_ts = pk.ts;
		/* the analyser's own path, with the fragments reassembled
		 * once here: a datagram's segment is the frame that completed
		 * it */
		enum tfe_decode_reason dr = tfe_defrag_frame(
			defrag, pk.linktype, pk.ts, pk.data, pk.caplen, pk.len,
			&seg);
		tfe_analyzer_segment(&an, pk.frame, pk.ts, dr, &seg, NULL);
		if (dr != TFE_DR_OK)
			continue;
		memset(&r, 0, sizeof r);
		r.from_lo = tfe_flow_key_make(&seg, &r.key);
		r.s.frame = pk.frame;
		r.s.ts = pk.ts;
		r.s.seq = seg.seq;
		r.s.ack = seg.ack;
		r.s.len = seg.payload_len;
		r.s.flags = seg.flags;
		r.s.win = seg.win;
		r.s.opt_mask = seg.opt_mask;
		r.s.mss = seg.mss;
		r.s.wscale = seg.wscale;
		r.s.tsval = seg.ts_val;
		r.s.tsecr = seg.ts_ecr;
		r.s.ttl = seg.ttl;
		r.s.has_ip_id = seg.has_ip_id;
		r.s.ip_id = seg.ip_id;
		r.s.match = -1;
		g_array_append_val(raws, r);
	}
	tfe_defrag_finish(defrag);
	tfe_defrag_stats_add(&an.stats.frag, tfe_defrag_stats(defrag));
	tfe_defrag_free(defrag);
	tfe_analyzer_finish(&an);
	an.stats.frames_read = tfe_capture_frames(in);
	an.stats.filtered = filter != NULL;
	cap->stats = an.stats;
	tfe_analyzer_clear(&an);
	tfe_capture_close(in);
	g_ptr_array_sort(cap->conns, by_first_frame);
	assign_segments(cap, raws);
	g_array_free(raws, TRUE);
	for (guint i = 0; i < cap->conns->len; i++)
		mark_copies(g_ptr_array_index(cap->conns, i));
	cap->damaged = rc == TFE_CAPTURE_ERROR;
	return !cap->damaged;
}

static struct tfe_pair_conn *
conn_at(const struct tfe_pair *p, int k, int i)
{
	return i < 0 ? NULL : g_ptr_array_index(p->cap[k].conns, (guint)i);
}

const struct tfe_pair_conn *
tfe_pair_link_conn(const struct tfe_pair *p, const struct tfe_pair_link *l,
                   int k)
{
	return conn_at(p, k, l->conn[k]);
}

/* The first segment of `pc` with exactly these flags among SYN, ACK,
 * or NULL. */
static const struct tfe_pair_seg *
first_with(const struct tfe_pair_conn *pc, uint16_t want)
{
	for (guint i = 0; i < pc->segs->len; i++) {
		const struct tfe_pair_seg *s =
			&g_array_index(pc->segs, struct tfe_pair_seg, i);
		if ((s->flags & (TFE_TH_SYN | TFE_TH_ACK | TFE_TH_RST)) == want)
			return s;
	}
	return NULL;
}

static bool
isn_known(const struct tfe_conn *c, int side)
{
	return c->ep[side].isn_known || (c->ep[side].syn_count +
	                                 c->ep[side].synack_count) > 0;
}

static void
add_link(struct tfe_pair *p, int a, int b, enum tfe_pair_how how,
         const uint32_t shift[2])
{
	struct tfe_pair_link l;

	memset(&l, 0, sizeof l);
	l.conn[0] = a;
	l.conn[1] = b;
	l.how = (uint8_t)how;
	l.near_client = 2;
	if (shift != NULL) {
		l.isn_shift[0] = shift[0];
		l.isn_shift[1] = shift[1];
	}
	l.findings = g_array_new(FALSE, TRUE, sizeof(struct tfe_pair_finding));
	if (a >= 0)
		conn_at(p, 0, a)->link = (int)p->links->len;
	if (b >= 0)
		conn_at(p, 1, b)->link = (int)p->links->len;
	g_array_append_val(p->links, l);
}

static gint
by_conns(gconstpointer a, gconstpointer b)
{
	const struct tfe_pair_link *x = a, *y = b;
	int64_t kx = x->conn[0] >= 0 ? x->conn[0] : INT32_MAX + (int64_t)x->conn[1];
	int64_t ky = y->conn[0] >= 0 ? y->conn[0] : INT32_MAX + (int64_t)y->conn[1];

	return kx < ky ? -1 : kx > ky;
}

/* Step 1: the connections. */
static void
match_conns(struct tfe_pair *p)
{
	guint na = p->cap[0].conns->len, nb = p->cap[1].conns->len;

	/* B's connections by their client's ISN */
	GHashTable *by_isn = g_hash_table_new_full(g_direct_hash,
	                                           g_direct_equal, NULL,
	                                           (GDestroyNotify)
	                                           g_array_unref);

	for (guint j = 0; j < nb; j++) {
		struct tfe_pair_conn *y = conn_at(p, 1, (int)j);
		gpointer k = GUINT_TO_POINTER(y->c->ep[0].isn);
		GArray *l = g_hash_table_lookup(by_isn, k);

		if (l == NULL) {
			l = g_array_new(FALSE, FALSE, sizeof(guint));
			g_hash_table_insert(by_isn, k, l);
		}
		g_array_append_val(l, j);
	}
	/* the ISNs: the client's must be equal, and the server's when both
	 * captures know it */
	for (guint i = 0; i < na; i++) {
		struct tfe_pair_conn *x = conn_at(p, 0, (int)i);
		GArray *l = g_hash_table_lookup(by_isn,
		                                GUINT_TO_POINTER(x->c->ep[0].isn));

		if (!isn_known(x->c, TFE_SIDE_CLIENT) ||
		    x->c->roles != TFE_ROLES_SYN)
			continue;
		for (guint c = 0; l != NULL && c < l->len; c++) {
			guint j = g_array_index(l, guint, c);
			struct tfe_pair_conn *y = conn_at(p, 1, (int)j);

			if (y->link >= 0 || y->c->roles != TFE_ROLES_SYN ||
			    y->c->ep[0].isn != x->c->ep[0].isn ||
			    !isn_known(y->c, TFE_SIDE_CLIENT))
				continue;
			if (isn_known(x->c, 1) && isn_known(y->c, 1) &&
			    x->c->ep[1].isn != y->c->ep[1].isn)
				continue;
			add_link(p, (int)i, (int)j, TFE_PM_ISN, NULL);
			break;
		}
	}
	g_hash_table_destroy(by_isn);
	/* the timestamps of the SYN and the SYN+ACK, the ISNs moved */
	for (guint i = 0; i < na; i++) {
		struct tfe_pair_conn *x = conn_at(p, 0, (int)i);
		const struct tfe_pair_seg *xs, *xsa;

		if (x->link >= 0)
			continue;
		xs = first_with(x, TFE_TH_SYN);
		xsa = first_with(x, TFE_TH_SYN | TFE_TH_ACK);
		if (xs == NULL || xsa == NULL || !(xs->opt_mask & TFE_OPT_TS) ||
		    !(xsa->opt_mask & TFE_OPT_TS))
			continue;
		for (guint j = 0; j < nb; j++) {
			struct tfe_pair_conn *y = conn_at(p, 1, (int)j);
			const struct tfe_pair_seg *ys, *ysa;
			uint32_t shift[2];

			if (y->link >= 0)
				continue;
			ys = first_with(y, TFE_TH_SYN);
			ysa = first_with(y, TFE_TH_SYN | TFE_TH_ACK);
			if (ys == NULL || ysa == NULL ||
			    !(ys->opt_mask & TFE_OPT_TS) ||
			    !(ysa->opt_mask & TFE_OPT_TS) ||
			    ys->tsval != xs->tsval || ysa->tsval != xsa->tsval ||
			    ysa->tsecr != xsa->tsecr)
				continue;
			shift[0] = ys->seq - xs->seq;
			shift[1] = ysa->seq - xsa->seq;
			/* consistent: the SYN+ACK acknowledges the shifted
			 * SYN */
			if (ysa->ack - xsa->ack != shift[0])
				continue;
			add_link(p, (int)i, (int)j, TFE_PM_TIMESTAMPS, shift);
			break;
		}
	}
	/* the same addresses and ports, in order */
	for (guint i = 0; i < na; i++) {
		struct tfe_pair_conn *x = conn_at(p, 0, (int)i);

		if (x->link >= 0)
			continue;
		for (guint j = 0; j < nb; j++) {
			struct tfe_pair_conn *y = conn_at(p, 1, (int)j);

			if (y->link >= 0 || !key_equal(&x->c->key, &y->c->key))
				continue;
			if (x->c->client_is_lo != y->c->client_is_lo)
				continue;
			add_link(p, (int)i, (int)j, TFE_PM_ADDRESSES, NULL);
			break;
		}
	}
	for (guint i = 0; i < na; i++)
		if (conn_at(p, 0, (int)i)->link < 0)
			add_link(p, (int)i, -1, TFE_PM_ISN, NULL);
	for (guint j = 0; j < nb; j++)
		if (conn_at(p, 1, (int)j)->link < 0)
			add_link(p, -1, (int)j, TFE_PM_ISN, NULL);
	/* in the order of A's connections, then B's that A did not see */
	g_array_sort(p->links, by_conns);
	for (guint i = 0; i < p->links->len; i++) {
		const struct tfe_pair_link *l =
			&g_array_index(p->links, struct tfe_pair_link, i);
		for (int k = 0; k < 2; k++)
			if (l->conn[k] >= 0)
				conn_at(p, k, l->conn[k])->link = (int)i;
	}
}

/* Whether A's segment x and B's segment y are the same segment. */
static bool
same_seg(const struct tfe_pair_seg *x, const struct tfe_pair_seg *y,
         const uint32_t shift[2])
{
	const uint16_t f = TFE_TH_SYN | TFE_TH_FIN | TFE_TH_RST | TFE_TH_ACK;

	if (x->side != y->side || (x->flags & f) != (y->flags & f) ||
	    x->len != y->len || x->seq + shift[x->side] != y->seq)
		return false;
	if ((x->flags & TFE_TH_ACK) &&
	    x->ack + shift[!x->side] != y->ack)
		return false;
	if ((x->opt_mask & TFE_OPT_TS) && (y->opt_mask & TFE_OPT_TS) &&
	    x->tsval != y->tsval)
		return false;
	return true;
}

static struct tfe_pair_seg *
seg_at(struct tfe_pair_conn *pc, guint i)
{
	return &g_array_index(pc->segs, struct tfe_pair_seg, i);
}

/* The segments of a connection by the fields same_seg() compares (the
 * sequence number moved by `shift`, so that A's keys are B's): a hash
 * table from the key to the indices that have it, so that matching costs
 * a lookup per segment and not a pass over the other capture's. */
struct seg_index {
	GHashTable *h;           /* gint64 * (in keys) -> GArray of guint */
	gint64 *keys;            /* per segment */
};

static gint64
seg_key(const struct tfe_pair_seg *s, const uint32_t *shift)
{
	uint16_t f = s->flags & (TFE_TH_SYN | TFE_TH_FIN | TFE_TH_RST |
	                         TFE_TH_ACK);
	uint32_t seq = s->seq + (shift != NULL ? shift[s->side] : 0);

	/* other fields may collide: same_seg() decides */
	return (gint64)(((uint64_t)seq << 32) ^ ((uint64_t)s->len << 6) ^
	                ((uint64_t)f << 1) ^ s->side);
}

static void
index_make(struct seg_index *ix, struct tfe_pair_conn *pc,
           const uint32_t *shift)
{
	ix->h = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
	                              (GDestroyNotify)g_array_unref);
	ix->keys = g_new(gint64, pc->segs->len ? pc->segs->len : 1);
	for (guint i = 0; i < pc->segs->len; i++) {
		GArray *l;

		ix->keys[i] = seg_key(seg_at(pc, i), shift);
		if (seg_at(pc, i)->copy)
			continue;
		l = g_hash_table_lookup(ix->h, &ix->keys[i]);
		if (l == NULL) {
			l = g_array_new(FALSE, FALSE, sizeof(guint));
			g_hash_table_insert(ix->h, &ix->keys[i], l);
		}
		g_array_append_val(l, i);
	}
}

static void
index_clear(struct seg_index *ix)
{
	g_hash_table_destroy(ix->h);
	g_free(ix->keys);
}

/* The unmatched segments of `pc` (indexed by `ix`) that are the same as
 * `s` of the other capture, at most `max`: how many, the first in
 * *first. */
static int
candidates(struct tfe_pair_conn *pc, const struct seg_index *ix, gint64 key,
           const struct tfe_pair_seg *s, bool s_is_a,
           const uint32_t shift[2], int max, int *first)
{
	GArray *l = g_hash_table_lookup(ix->h, &key);
	int n = 0;

	for (guint j = 0; l != NULL && j < l->len && n < max; j++) {
		guint i = g_array_index(l, guint, j);
		struct tfe_pair_seg *c = seg_at(pc, i);

		if (c->match >= 0 ||
		    !(s_is_a ? same_seg(s, c, shift) : same_seg(c, s, shift)))
			continue;
		if (n++ == 0)
			*first = (int)i;
	}
	return n;
}

/* Step 2, first pass: segments with one candidate each way. */
static void
match_unique(struct tfe_pair_link *l, struct tfe_pair_conn *x,
             struct tfe_pair_conn *y, const struct seg_index *ix,
             const struct seg_index *iy)
{
	for (guint i = 0; i < x->segs->len; i++) {
		struct tfe_pair_seg *a = seg_at(x, i);
		int found = -1, back = -1;

		if (candidates(y, iy, ix->keys[i], a, true, l->isn_shift, 2,
		               &found) != 1)
			continue;
		if (candidates(x, ix, iy->keys[found], seg_at(y, (guint)found),
		               false, l->isn_shift, 2, &back) != 1)
			continue;
		a->match = found;
		seg_at(y, (guint)found)->match = (int)i;
	}
}

/* Step 2, second pass: the copies, each of B's to the unmatched copy of
 * A's whose transit is nearest `expect[side]` (B's clock less A's) when
 * the clocks are known, else to the earliest. */
static void
match_copies(struct tfe_pair_link *l, struct tfe_pair_conn *x,
             struct tfe_pair_conn *y, const int64_t *expect,
             const struct seg_index *ix, const struct seg_index *iy)
{
	for (guint j = 0; j < y->segs->len; j++) {
		struct tfe_pair_seg *b = seg_at(y, j);
		GArray *cands;
		int best = -1;
		int64_t best_d = INT64_MAX;

		if (b->match >= 0 || b->copy)
			continue;
		cands = g_hash_table_lookup(ix->h, &iy->keys[j]);
		for (guint c = 0; cands != NULL && c < cands->len; c++) {
			guint i = g_array_index(cands, guint, c);
			struct tfe_pair_seg *a = seg_at(x, i);
			int64_t d;

			if (a->match >= 0 || !same_seg(a, b, l->isn_shift))
				continue;
			d = expect == NULL ? (int64_t)i :
			    b->ts - a->ts - expect[b->side];
			if (d < 0)
				d = -d;
			if (d < best_d) {
				best_d = d;
				best = (int)i;
			}
		}
		if (best >= 0) {
			b->match = best;
			seg_at(x, (guint)best)->match = (int)j;
		}
	}
}

/* The quickest transit each way of a link's matched segments, as B's
 * clock less A's: lo[side] the least and hi[side] the largest, per
 * sender.  False when a way has none. */
static void
transits(struct tfe_pair_conn *x, struct tfe_pair_conn *y, int64_t lo[2],
         int64_t hi[2], uint64_t n[2])
{
	lo[0] = lo[1] = INT64_MAX;
	hi[0] = hi[1] = INT64_MIN;
	n[0] = n[1] = 0;
	for (guint i = 0; i < x->segs->len; i++) {
		struct tfe_pair_seg *a = seg_at(x, i);
		int64_t t;

		if (a->match < 0)
			continue;
		t = seg_at(y, (guint)a->match)->ts - a->ts;
		if (t < lo[a->side])
			lo[a->side] = t;
		if (t > hi[a->side])
			hi[a->side] = t;
		n[a->side]++;
	}
}

/* Step 3: which capture is nearer the client, link by link, and the
 * clocks from all of them. */
static void
estimate_clocks(struct tfe_pair *p)
{
	int64_t u = INT64_MAX, v = INT64_MAX; /* A to B, B to A */
	uint64_t nu = 0, nv = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (guint i = 0; i < p->links->len; i++) {
			struct tfe_pair_link *l = &g_array_index(
				p->links, struct tfe_pair_link, i);
			struct tfe_pair_conn *x = conn_at(p, 0, l->conn[0]);
			struct tfe_pair_conn *y = conn_at(p, 1, l->conn[1]);
			int64_t lo[2], hi[2];
			uint64_t n[2];

			if (x == NULL || y == NULL)
				continue;
			transits(x, y, lo, hi, n);
			if (pass == 0) {
				/* both ways seen: the client nearer A when the
				 * round trip it implies is the positive one */
				if (n[0] == 0 || n[1] == 0)
					continue;
				/* with the client on A's side, lo[0] - hi[1]
				 * is twice the delay (more than 0); with it
				 * on B's side, lo[1] - hi[0] is */
				l->near_client = (uint8_t)(lo[0] - hi[1] >=
				                           lo[1] - hi[0] ? 0 : 1);
			} else {
				int64_t off;

				if (l->near_client != 2 ||
				    (n[0] == 0 && n[1] == 0) || nu + nv == 0)
					continue;
				/* one way only: which side of the offset its
				 * transit lies */
				off = u != INT64_MAX && v != INT64_MAX ?
				      (u - v) / 2 : u != INT64_MAX ? u : -v;
				if (n[0] > 0)
					l->near_client = lo[0] >= off ? 0 : 1;
				else
					l->near_client = lo[1] >= off ? 1 : 0;
			}
			for (int s = 0; s < 2; s++) {
				bool on_a = (s == TFE_SIDE_CLIENT) ==
				            (l->near_client == 0);

				if (n[s] == 0)
					continue;
				if (on_a) {
					if (lo[s] < u)
						u = lo[s];
					nu += n[s];
				} else {
					if (-hi[s] < v)
						v = -hi[s];
					nv += n[s];
				}
			}
		}
	}
	p->samples[0] = nu;
	p->samples[1] = nv;
	p->min_transit[0] = u;
	p->min_transit[1] = v;
	if (nu > 0 && nv > 0) {
		p->clock_known = true;
		p->offset = (u - v) / 2;
		p->delay = (u + v) / 2;
		p->bound = p->delay < 0 ? -p->delay : p->delay;
	}
}

static void
add_finding(struct tfe_pair_link *l, enum tfe_pair_kind kind, int side,
            uint64_t fa, uint64_t fb, char *message)
{
	struct tfe_pair_finding f;

	memset(&f, 0, sizeof f);
	f.kind = (uint8_t)kind;
	f.side = (uint8_t)side;
	f.frames[0][0] = fa;
	f.frames[1][0] = fb;
	f.message = message;
	g_array_append_val(l->findings, f);
}

static const char *
flags_word(uint16_t flags)
{
	if (flags & TFE_TH_RST)
		return flags & TFE_TH_ACK ? "RST+ACK" : "RST";
	if ((flags & (TFE_TH_SYN | TFE_TH_ACK)) == (TFE_TH_SYN | TFE_TH_ACK))
		return "SYN+ACK";
	if (flags & TFE_TH_SYN)
		return "SYN";
	if (flags & TFE_TH_FIN)
		return "FIN";
	return "segment";
}

/* "10.0.0.1:4000" of one side of a capture's connection. */
static void
endpoint(const struct tfe_conn *c, int side, char *buf, size_t len)
{
	tfe_endpoint_format(c->family, tfe_conn_addr(c, side),
	                    tfe_conn_port(c, side), buf, len);
}

/* Step 4, for one link: the segments one capture alone saw. */
static void
find_missing(struct tfe_pair *p, struct tfe_pair_link *l)
{
	const char *near_word[2];

	for (int k = 0; k < 2; k++) {
		struct tfe_pair_conn *me = conn_at(p, k, l->conn[k]);
		struct tfe_pair_conn *other = conn_at(p, !k, l->conn[!k]);
		const struct tfe_pair_capture *oc = &p->cap[!k];
		/* the span both captures are taken to have run over, on the
		 * other's clock: a file does not say when its capture
		 * stopped, so from the earlier first frame to the later last
		 * (doc/pair.md) */
		int64_t shift = k == 0 ? p->offset : -p->offset;
		int64_t lo = MIN(oc->first_ts, p->cap[k].first_ts + shift);
		int64_t hi = MAX(oc->last_ts, p->cap[k].last_ts + shift);
		/* ... unless the other file is damaged: it ends where the
		 * damage starts */
		if (oc->damaged)
			hi = oc->last_ts;
		/* a connection the other capture never saw at all: only while
		 * that capture is known to have run, its own first to last
		 * frame (it may have started later or stopped earlier) */
		if (other == NULL) {
			lo = oc->first_ts;
			hi = oc->last_ts;
		}
		bool past_end[2] = { false, false };
		/* per kind found: count, first and last */
		uint64_t count[2] = { 0, 0 };
		const struct tfe_pair_seg *firsts[2] = { NULL, NULL };
		const struct tfe_pair_seg *lasts[2] = { NULL, NULL };
		int firstidx[2] = { -1, -1 };

		if (me == NULL || (other == NULL && !l->path_shared) ||
		    l->near_client == 2 || !p->clock_known)
			continue;
		near_word[0] = l->near_client == 0 ? "client" : "server";
		near_word[1] = l->near_client == 0 ? "server" : "client";
		for (guint i = 0; i < me->segs->len; i++) {
			const struct tfe_pair_seg *s = seg_at(me, i);
			/* the sender's capture: 0 A, 1 B */
			int sender_cap = (s->side == TFE_SIDE_CLIENT) ==
			                 (l->near_client == 0) ? 0 : 1;
			int kind;
			int64_t due, other_ts;

			if (s->match >= 0 || s->copy)
				continue;
			/* the other capture's clock at the time it would
			 * have seen it */
			other_ts = k == 0 ? s->ts + p->offset : s->ts - p->offset;
			if (sender_cap == k) {
				kind = TFE_PF_LOST_ON_PATH;
				due = other_ts + p->bound;
			} else {
				kind = TFE_PF_APPEARED_ON_PATH;
				due = other_ts - p->bound;
			}
			/* the other capture must have been running then */
			if (due < lo || due > hi)
				continue;
			if (kind == TFE_PF_LOST_ON_PATH)
				p->lost[sender_cap]++;
			else
				p->appeared[sender_cap]++;
			kind = kind == TFE_PF_LOST_ON_PATH ? 0 : 1;
			if (count[kind]++ == 0) {
				firsts[kind] = s;
				firstidx[kind] = (int)i;
			}
			if (due > oc->last_ts)
				past_end[kind] = true;
			lasts[kind] = s;
		}
		for (int kind = 0; kind < 2; kind++) {
			const struct tfe_pair_seg *s = firsts[kind];
			const struct tfe_conn *c = me->c;
			char who[TFE_ADDR_STRLEN], t[32], more[160], after[200];
			char cover[200];
			GString *m;

			if (count[kind] == 0)
				continue;
			endpoint(c, s->side, who, sizeof who);
			tfe_format_seconds(s->ts - c->first_ts, p->cap[k].nanos,
			                   true, t, sizeof t);
			more[0] = '\0';
			if (count[kind] > 1)
				g_snprintf(more, sizeof more, " and %" PRIu64
				           " more to frame %" PRIu64 " of %s",
				           count[kind] - 1, lasts[kind]->frame,
				           cap_name[k]);
			after[0] = '\0';
			m = g_string_new(NULL);
			if (past_end[kind]) {
				char t2[32];
				tfe_format_seconds(oc->last_ts - oc->first_ts,
				                   oc->nanos, true, t2, sizeof t2);
				g_snprintf(cover, sizeof cover, " (its own last frame "
				           "comes earlier, at %s s from its first; "
				           "the two captures are taken to have run "
				           "over the same span)", t2);
			} else {
				g_strlcpy(cover, kind == 0 ? ", which was capturing "
				          "when it was due there" : " while it was "
				          "capturing", sizeof cover);
			}
			if (kind == 0) {
				/* re-sent later, and did that copy pass? */
				for (guint j = (guint)firstidx[kind] + 1;
				     j < me->segs->len; j++) {
					const struct tfe_pair_seg *r =
						seg_at(me, j);
					if (r->side != s->side ||
					    r->seq != s->seq || r->len != s->len ||
					    (r->flags & (TFE_TH_SYN | TFE_TH_FIN)) !=
					    (s->flags & (TFE_TH_SYN | TFE_TH_FIN)))
						continue;
					if (r->match >= 0)
						g_snprintf(after, sizeof after,
						           "; the %s re-sent it (%s "
						           "frame %" PRIu64 "), and that "
						           "copy reached %s (frame %"
						           PRIu64 ")",
						           side_word[s->side],
						           cap_name[k], r->frame,
						           cap_name[!k],
						           seg_at(other, (guint)
						                  r->match)->frame);
					else
						g_snprintf(after, sizeof after,
						           "; the %s re-sent it (%s "
						           "frame %" PRIu64 ")",
						           side_word[s->side],
						           cap_name[k], r->frame);
					break;
				}
				g_string_printf(m, "the %s's %s (%s seq %u len %u, "
				                "%s frame %" PRIu64 " at %s s%s) "
				                "was seen at %s (near the %s) and "
				                "never at %s (near the %s)%s: lost "
				                "on the path from %s to %s%s",
				                side_word[s->side], flags_word(s->flags),
				                who, tfe_conn_rel_seq(c, s->side,
				                                      s->seq),
				                s->len, cap_name[k], s->frame, t, more,
				                cap_name[k], near_word[k],
				                cap_name[!k], near_word[!k], cover,
				                cap_name[k], cap_name[!k], after);
			} else {
				/* the TTL its claimed sender's segments arrive
				 * with */
				int ttl_other = -1;
				for (guint j = 0; j < me->segs->len; j++) {
					const struct tfe_pair_seg *r =
						seg_at(me, j);
					if (r->side == s->side && r->match >= 0) {
						ttl_other = r->ttl;
						break;
					}
				}
				if (ttl_other >= 0 && ttl_other != s->ttl)
					g_snprintf(after, sizeof after,
					           " (%s %u at %s, where the %s's own "
					           "segments arrive with %d)",
					           c->family == 6 ? "hop limit" : "TTL",
					           s->ttl, cap_name[k],
					           side_word[s->side], ttl_other);
				g_string_printf(m, "a %s in the name of the %s %s "
				                "(seq %u, %s frame %" PRIu64
				                " at %s s%s) reached %s (near the "
				                "%s), and %s (near the %s) never "
				                "saw the %s send it%s: something "
				                "on the path between them made "
				                "it%s",
				                flags_word(s->flags), side_word[s->side],
				                who, tfe_conn_rel_seq(c, s->side,
				                                      s->seq),
				                cap_name[k], s->frame, t, more,
				                cap_name[k], near_word[k],
				                cap_name[!k], near_word[!k],
				                side_word[s->side], cover, after);
			}
			add_finding(l, kind == 0 ? TFE_PF_LOST_ON_PATH :
			            TFE_PF_APPEARED_ON_PATH, s->side,
			            k == 0 ? s->frame : 0, k == 1 ? s->frame : 0,
			            g_string_free(m, FALSE));
			if (count[kind] > 1) {
				struct tfe_pair_finding *f = &g_array_index(
					l->findings, struct tfe_pair_finding,
					l->findings->len - 1);
				f->frames[k][1] = lasts[kind]->frame;
			}
		}
	}
}

/* Step 4: fields of matched segments that differ, one finding per field
 * and sender. */
enum field {
	F_MSS, F_WSCALE, F_SACKOK, F_TS, F_ECN, F__COUNT
};

/* The TTL (hop limit) of one sender's matched segments: how much it
 * drops between the two points is the hop count, the same for every
 * segment of a path; the usual drop is the one most of them show (at
 * least two, more than any other drop).  A segment that lost more (or
 * less) had it set on the path, or took another path. */
static void
find_ttl(struct tfe_pair_link *l, struct tfe_pair_conn *x,
         struct tfe_pair_conn *y, int side)
{
	bool a_first = (side == TFE_SIDE_CLIENT) == (l->near_client == 0);
	uint32_t hist[513];
	uint32_t n = 0, best = 0, second = 0;
	int usual = 0;
	uint64_t odd = 0;
	const struct tfe_pair_seg *fa = NULL, *fb = NULL;

	memset(hist, 0, sizeof hist);
	for (guint i = 0; i < x->segs->len; i++) {
		const struct tfe_pair_seg *a = seg_at(x, i), *b;

		if (a->side != side || a->match < 0 || a->copy)
			continue;
		b = seg_at(y, (guint)a->match);
		hist[256 + (a_first ? a->ttl - b->ttl : b->ttl - a->ttl)]++;
		n++;
	}
	for (int h = 0; h < 513; h++) {
		if (hist[h] > best) {
			second = best;
			best = hist[h];
			usual = h - 256;
		} else if (hist[h] > second) {
			second = hist[h];
		}
	}
	if (best < 2 || best == second || best == n)
		return;
	for (guint i = 0; i < x->segs->len; i++) {
		const struct tfe_pair_seg *a = seg_at(x, i), *b;
		int h;

		if (a->side != side || a->match < 0 || a->copy)
			continue;
		b = seg_at(y, (guint)a->match);
		h = a_first ? a->ttl - b->ttl : b->ttl - a->ttl;
		if (h == usual)
			continue;
		if (odd++ == 0) {
			fa = a;
			fb = b;
		}
	}
	const struct tfe_pair_seg *u = a_first ? fa : fb;
	const struct tfe_pair_seg *d = a_first ? fb : fa;
	const char *what = x->c->family == 6 ? "hop limit" : "TTL";
	int h = u->ttl - d->ttl;

	add_finding(l, TFE_PF_MODIFIED_ON_PATH, side, fa->frame, fb->frame,
	            g_strdup_printf(
		"%s of the %s's %s seq %u len %u: %u at %s, %u at %s, %s %d "
		"where %u of the %s's %u segments seen at both lose %d "
		"between the two points (the hop count): %s on the path, "
		"or another path; %" PRIu64 " segment%s so",
		what, side_word[side], flags_word(u->flags),
		tfe_conn_rel_seq(x->c, side, fa->seq), u->len, u->ttl,
		a_first ? "A" : "B", d->ttl, a_first ? "B" : "A",
		h >= 0 ? "down" : "up", h >= 0 ? h : -h, best,
		side_word[side], n, usual,
		h > usual ? "lowered" : "raised", odd, odd == 1 ? "" : "s"));
}

static void
find_modified(struct tfe_pair *p, struct tfe_pair_link *l)
{
	struct tfe_pair_conn *x = conn_at(p, 0, l->conn[0]);
	struct tfe_pair_conn *y = conn_at(p, 1, l->conn[1]);
	bool done[2][F__COUNT];

	if (x == NULL || y == NULL)
		return;
	memset(done, 0, sizeof done);
	for (int s = 0; s < 2; s++)
		if (l->isn_shift[s] != 0) {
			const struct tfe_pair_seg *a = first_with(
				x, s == 0 ? TFE_TH_SYN : TFE_TH_SYN | TFE_TH_ACK);
			const struct tfe_pair_seg *b = first_with(
				y, s == 0 ? TFE_TH_SYN : TFE_TH_SYN | TFE_TH_ACK);
			add_finding(l, TFE_PF_MODIFIED_ON_PATH, s,
			            a ? a->frame : 0, b ? b->frame : 0,
			            g_strdup_printf("the %s's sequence numbers: "
			                            "ISN %u at A, %u at B, every "
			                            "segment moved by %u: a "
			                            "middlebox on the path "
			                            "rewrites them",
			                            side_word[s], a ? a->seq : 0,
			                            b ? b->seq : 0,
			                            l->isn_shift[s]));
		}
	for (guint i = 0; i < x->segs->len; i++) {
		const struct tfe_pair_seg *a = seg_at(x, i), *b;
		int s = a->side;
		/* which capture is upstream for this segment */
		bool a_first = (s == TFE_SIDE_CLIENT) == (l->near_client != 1);
		const char *up = a_first ? "A" : "B", *down = a_first ? "B" : "A";

		if (a->match < 0)
			continue;
		b = seg_at(y, (guint)a->match);
		const struct tfe_pair_seg *u = a_first ? a : b;
		const struct tfe_pair_seg *d = a_first ? b : a;
		char *m = NULL;
		int f = -1;

		if (!done[s][F_MSS] && (a->flags & TFE_TH_SYN) &&
		    ((a->opt_mask ^ b->opt_mask) & TFE_OPT_MSS ||
		     ((a->opt_mask & TFE_OPT_MSS) && a->mss != b->mss))) {
			f = F_MSS;
			if ((u->opt_mask & TFE_OPT_MSS) && (d->opt_mask & TFE_OPT_MSS))
				m = g_strdup_printf(
					"MSS of the %s's %s: %u at %s, %u at %s: %s "
					"on the path", side_word[s],
					flags_word(a->flags), u->mss, up, d->mss,
					down, d->mss < u->mss ? "clamped" : "raised");
			else
				m = g_strdup_printf(
					"MSS of the %s's %s: %s at %s, %s at %s",
					side_word[s], flags_word(a->flags),
					u->opt_mask & TFE_OPT_MSS ? "present" : "absent",
					up, d->opt_mask & TFE_OPT_MSS ? "present" :
					"absent", down);
		} else if (!done[s][F_WSCALE] && (a->flags & TFE_TH_SYN) &&
		           ((a->opt_mask ^ b->opt_mask) & TFE_OPT_WSCALE ||
		            ((a->opt_mask & TFE_OPT_WSCALE) &&
		             a->wscale != b->wscale))) {
			f = F_WSCALE;
			if (!(d->opt_mask & TFE_OPT_WSCALE))
				m = g_strdup_printf(
					"window scale of the %s's %s: %u at %s, "
					"stripped at %s", side_word[s],
					flags_word(a->flags), u->wscale, up, down);
			else
				m = g_strdup_printf(
					"window scale of the %s's %s: %s%u at %s, %u "
					"at %s", side_word[s], flags_word(a->flags),
					u->opt_mask & TFE_OPT_WSCALE ? "" : "none, ",
					u->wscale, up, d->wscale, down);
		} else if (!done[s][F_SACKOK] && (a->flags & TFE_TH_SYN) &&
		           ((a->opt_mask ^ b->opt_mask) & TFE_OPT_SACKOK)) {
			f = F_SACKOK;
			m = g_strdup_printf("SACK-permitted of the %s's %s: %s at "
			                    "%s, %s at %s%s", side_word[s],
			                    flags_word(a->flags),
			                    u->opt_mask & TFE_OPT_SACKOK ? "present" :
			                    "absent", up, d->opt_mask & TFE_OPT_SACKOK ?
			                    "present" : "absent", down,
			                    d->opt_mask & TFE_OPT_SACKOK ? "" :
			                    ": stripped on the path");
		} else if (!done[s][F_TS] &&
		           ((a->opt_mask ^ b->opt_mask) & TFE_OPT_TS)) {
			f = F_TS;
			m = g_strdup_printf("timestamps of the %s's %s: %s at %s, "
			                    "%s at %s%s", side_word[s],
			                    flags_word(a->flags),
			                    u->opt_mask & TFE_OPT_TS ? "present" :
			                    "absent", up, d->opt_mask & TFE_OPT_TS ?
			                    "present" : "absent", down,
			                    d->opt_mask & TFE_OPT_TS ? "" :
			                    ": stripped on the path");
		} else if (!done[s][F_ECN] &&
		           ((a->flags ^ b->flags) &
		            (TFE_TH_ECE | TFE_TH_CWR))) {
			f = F_ECN;
			m = g_strdup_printf("ECN flags of the %s's %s: %s%s at %s, "
			                    "%s%s at %s", side_word[s],
			                    flags_word(a->flags),
			                    u->flags & TFE_TH_ECE ? "ECE " : "",
			                    u->flags & TFE_TH_CWR ? "CWR" : "none",
			                    up, d->flags & TFE_TH_ECE ? "ECE " : "",
			                    d->flags & TFE_TH_CWR ? "CWR" : "none",
			                    down);
		}
		if (f < 0)
			continue;
		done[s][f] = true;
		add_finding(l, TFE_PF_MODIFIED_ON_PATH, s, a->frame, b->frame, m);
		/* the same segment may differ in more than one field: look
		 * at it again */
		i--;
	}
	if (l->near_client != 2)
		for (int s = 0; s < 2; s++)
			find_ttl(l, x, y, s);
}

/* A connection one capture alone saw, whose client and server the
 * other capture saw talking in another connection (matched): the other
 * capture sits on its path too, and which is nearer the client is that
 * connection's answer. */
static void
place_alone(struct tfe_pair *p, struct tfe_pair_link *l)
{
	int k = l->conn[0] >= 0 ? 0 : 1;
	const struct tfe_conn *c = conn_at(p, k, l->conn[k])->c;

	for (guint i = 0; i < p->links->len; i++) {
		const struct tfe_pair_link *m =
			&g_array_index(p->links, struct tfe_pair_link, i);
		const struct tfe_conn *d;

		if (m->conn[0] < 0 || m->conn[1] < 0 || m->near_client == 2)
			continue;
		d = conn_at(p, k, m->conn[k])->c;
		if (d->family != c->family ||
		    tfe_conn_port(d, TFE_SIDE_SERVER) !=
		    tfe_conn_port(c, TFE_SIDE_SERVER) ||
		    memcmp(tfe_conn_addr(d, TFE_SIDE_SERVER),
		           tfe_conn_addr(c, TFE_SIDE_SERVER), 16) != 0 ||
		    memcmp(tfe_conn_addr(d, TFE_SIDE_CLIENT),
		           tfe_conn_addr(c, TFE_SIDE_CLIENT), 16) != 0)
			continue;
		l->near_client = m->near_client;
		l->path_shared = true;
		return;
	}
}

static void
find_nat(struct tfe_pair *p, struct tfe_pair_link *l)
{
	struct tfe_pair_conn *x = conn_at(p, 0, l->conn[0]);
	struct tfe_pair_conn *y = conn_at(p, 1, l->conn[1]);
	GString *m;
	int changed = -1;

	if (x == NULL || y == NULL || l->how == TFE_PM_ADDRESSES)
		return;
	m = g_string_new(NULL);
	for (int s = 0; s < 2; s++) {
		char ea[TFE_ADDR_STRLEN], eb[TFE_ADDR_STRLEN];

		endpoint(x->c, s, ea, sizeof ea);
		endpoint(y->c, s, eb, sizeof eb);
		if (strcmp(ea, eb) == 0)
			continue;
		g_string_append_printf(m, "%sthe %s %s at A is %s at B",
		                       m->len ? "; " : "", side_word[s], ea, eb);
		changed = changed < 0 ? s : TFE_SIDE_NONE;
	}
	if (changed < 0) {
		g_string_free(m, TRUE);
		return;
	}
	add_finding(l, TFE_PF_NAT, changed, x->c->first_frame,
	            y->c->first_frame, g_string_free(m, FALSE));
}

/* Two segments of one sender that carry the same thing (a segment and
 * its re-sent copy, or two duplicate ACKs): their order tells nothing. */
static bool
same_content(const struct tfe_pair_seg *a, const struct tfe_pair_seg *b)
{
	uint16_t m = TFE_TH_SYN | TFE_TH_FIN | TFE_TH_RST;

	if (a->seq != b->seq || a->len != b->len ||
	    (a->flags & m) != (b->flags & m))
		return false;
	return a->len > 0 || (a->flags & (TFE_TH_SYN | TFE_TH_FIN)) ||
	       a->ack == b->ack;
}

/* Step 4, for one link and each sender: the order in which its matched
 * segments passed the capture nearer it against the order in which they
 * reached the other (capture order in each file: no clock is needed),
 * and their transits against the quickest. */
static void
find_order(struct tfe_pair *p, struct tfe_pair_link *l)
{
	struct tfe_pair_conn *pcs[2] = { conn_at(p, 0, l->conn[0]),
	                                 conn_at(p, 1, l->conn[1]) };

	if (pcs[0] == NULL || pcs[1] == NULL || l->near_client == 2)
		return;
	for (int side = 0; side < 2; side++) {
		int ku = (side == TFE_SIDE_CLIENT) == (l->near_client == 0) ? 0 : 1;
		struct tfe_pair_conn *up = pcs[ku], *down = pcs[!ku];
		GArray *idx = g_array_new(FALSE, FALSE, sizeof(guint));
		/* the least index at the far end from here on, and the least
		 * of those with other content than that one's */
		int64_t *min1, *min2;
		uint64_t overtaken = 0, late = 0;
		int first = -1;
		guint n;

		for (guint i = 0; i < up->segs->len; i++) {
			const struct tfe_pair_seg *s = seg_at(up, i);
			if (s->side == side && s->match >= 0 && !s->copy)
				g_array_append_val(idx, i);
		}
		n = idx->len;
		if (n < 2) {
			g_array_free(idx, TRUE);
			continue;
		}
#define UP(j) seg_at(up, g_array_index(idx, guint, (j)))
#define DN(j) ((int64_t)UP(j)->match)
		min1 = g_new(int64_t, n + 1);
		min2 = g_new(int64_t, n + 1);
		min1[n] = min2[n] = INT64_MAX;
		for (guint j = n; j-- > 0;) {
			int64_t d = DN(j);

			if (d < min1[j + 1]) {
				min1[j] = d;
				/* the old least stays second unless it is the
				 * same content */
				min2[j] = min1[j + 1] != INT64_MAX &&
				          !same_content(seg_at(down, (guint)d),
				                        seg_at(down, (guint)
				                               min1[j + 1])) ?
				          min1[j + 1] : min2[j + 1];
			} else {
				min1[j] = min1[j + 1];
				min2[j] = (d < min2[j + 1] &&
				           !same_content(seg_at(down, (guint)d),
				                         seg_at(down, (guint)
				                                min1[j + 1]))) ?
				          d : min2[j + 1];
			}
		}
		for (guint j = 0; j + 1 < n; j++) {
			const struct tfe_pair_seg *s = UP(j);
			int64_t m = min1[j + 1];

			if (m != INT64_MAX &&
			    same_content(seg_at(down, (guint)m), seg_at(down,
			                 (guint)s->match)))
				m = min2[j + 1];
			if (m == INT64_MAX || m > s->match)
				continue;
			if (overtaken++ == 0)
				first = (int)j;
		}
		g_free(min1);
		g_free(min2);
		if (overtaken > 0) {
			const struct tfe_pair_seg *s = UP(first), *o = NULL;

			/* the first sent after it that arrived before it */
			for (guint j = (guint)first + 1; j < n && o == NULL; j++)
				if (UP(j)->match < s->match &&
				    !same_content(UP(j), s))
					o = UP(j);
			if (o != NULL) {
				const struct tfe_conn *c = up->c;
				const struct tfe_pair_seg *sd =
					seg_at(down, (guint)s->match);
				const struct tfe_pair_seg *od =
					seg_at(down, (guint)o->match);
				struct tfe_pair_finding *f;

				add_finding(l, TFE_PF_REORDERED_ON_PATH, side,
				            ku == 0 ? s->frame : sd->frame,
				            ku == 1 ? s->frame : sd->frame,
				            g_strdup_printf(
					"the %s's %s seq %u len %u (%s frame %"
					PRIu64 ") passed %s before its %s seq %u "
					"len %u (%s frame %" PRIu64 ") and reached "
					"%s after it (%s frame %" PRIu64 ", after "
					"frame %" PRIu64 "): reordered on the path "
					"from %s to %s; %" PRIu64 " of the %s's "
					"segments overtaken", side_word[side],
					flags_word(s->flags), tfe_conn_rel_seq(
						c, side, s->seq), s->len,
					cap_name[ku], s->frame, cap_name[ku],
					flags_word(o->flags), tfe_conn_rel_seq(
						c, side, o->seq), o->len,
					cap_name[ku], o->frame, cap_name[!ku],
					cap_name[!ku], sd->frame, od->frame,
					cap_name[ku], cap_name[!ku], overtaken,
					side_word[side]));
				f = &g_array_index(l->findings,
				                   struct tfe_pair_finding,
				                   l->findings->len - 1);
				f->frames[ku][1] = o->frame;
				f->frames[!ku][1] = od->frame;
			}
		}

		/* transits as the two clocks read them (far less near):
		 * the offset is the same in each, so their differences are
		 * the queueing the quickest did not meet */
		int64_t lo = INT64_MAX, hi = INT64_MIN, thr;
		guint jlo = 0, jhi = 0;
		for (guint j = 0; j < n; j++) {
			int64_t t = seg_at(down, (guint)DN(j))->ts - UP(j)->ts;

			if (t < lo) {
				lo = t;
				jlo = j;
			}
			if (t > hi) {
				hi = t;
				jhi = j;
			}
		}
		/* more than 10 ms, and more than the one-way delay again
		 * (the transit at least doubled) */
		thr = TFE_PAIR_DELAY_MIN;
		if (p->clock_known && p->delay > thr)
			thr = p->delay;
		for (guint j = 0; j < n; j++)
			if (seg_at(down, (guint)DN(j))->ts - UP(j)->ts - lo > thr)
				late++;
		if (late > 0) {
			const struct tfe_pair_seg *s = UP(jhi), *q = UP(jlo);
			const struct tfe_pair_seg *sd = seg_at(down, (guint)s->match);
			const struct tfe_pair_seg *qd = seg_at(down, (guint)q->match);
			bool nanos = p->cap[0].nanos || p->cap[1].nanos;
			char extra[32], th[32], tr[96];
			struct tfe_pair_finding *f;

			tfe_format_seconds(hi - lo, nanos, false, extra,
			                   sizeof extra);
			tfe_format_seconds(thr, nanos, false, th, sizeof th);
			tr[0] = '\0';
			if (p->clock_known) {
				char a[32], b[32];
				int64_t off = ku == 0 ? p->offset : -p->offset;

				tfe_format_seconds(hi - off, nanos, false, a,
				                   sizeof a);
				tfe_format_seconds(lo - off, nanos, false, b,
				                   sizeof b);
				g_snprintf(tr, sizeof tr, "; transits of %s s "
				           "and %s s on A's clock", a, b);
			}
			add_finding(l, TFE_PF_DELAYED_ON_PATH, side,
			            ku == 0 ? s->frame : sd->frame,
			            ku == 1 ? s->frame : sd->frame,
			            g_strdup_printf(
				"the %s's %s seq %u len %u (%s frame %" PRIu64
				", %s frame %" PRIu64 ") took %s s longer from "
				"%s to %s than the quickest of the %s's segments "
				"(%s frame %" PRIu64 ", %s frame %" PRIu64 "%s): "
				"held on the path (a queue); %" PRIu64
				" segment%s more than %s s late",
				side_word[side], flags_word(s->flags),
				tfe_conn_rel_seq(up->c, side, s->seq), s->len,
				cap_name[ku], s->frame, cap_name[!ku], sd->frame,
				extra, cap_name[ku], cap_name[!ku], side_word[side],
				cap_name[ku],
				q->frame, cap_name[!ku], qd->frame, tr, late,
				late == 1 ? "" : "s", th));
			f = &g_array_index(l->findings, struct tfe_pair_finding,
			                   l->findings->len - 1);
			f->frames[ku][1] = q->frame;
			f->frames[!ku][1] = qd->frame;
		}
#undef UP
#undef DN
		g_array_free(idx, TRUE);
	}
}

bool
tfe_pair_run(struct tfe_pair *p, const char *a, const char *b,
             const char *filter, const struct tfe_config *cfg,
             GError **err)
{
	bool ok = true;
	int64_t expect[2];

	memset(p, 0, sizeof *p);
	p->links = g_array_new(FALSE, TRUE, sizeof(struct tfe_pair_link));
	/* a file that cannot be opened: nothing to show (links NULL); one
	 * damaged on the way: what was read before the damage is matched */
	for (int k = 0; k < 2; k++) {
		GError *e = NULL;

		if (!read_capture(&p->cap[k], k == 0 ? a : b, filter, cfg, &e)) {
			ok = false;
			if (err != NULL && *err == NULL)
				g_propagate_error(err, e);
			else
				g_error_free(e);
		}
		if (p->cap[k].conns == NULL) {
			tfe_pair_clear(p);
			return false;
		}
	}
	match_conns(p);
	for (guint i = 0; i < p->links->len; i++) {
		struct tfe_pair_link *l = &g_array_index(p->links,
		                                         struct tfe_pair_link, i);
		struct tfe_pair_conn *x = conn_at(p, 0, l->conn[0]);
		struct tfe_pair_conn *y = conn_at(p, 1, l->conn[1]);
		struct seg_index ix, iy;

		if (x == NULL || y == NULL)
			continue;
		index_make(&ix, x, l->isn_shift);
		index_make(&iy, y, NULL);
		match_unique(l, x, y, &ix, &iy);
		index_clear(&ix);
		index_clear(&iy);
	}
	estimate_clocks(p);
	for (guint i = 0; i < p->links->len; i++) {
		struct tfe_pair_link *l = &g_array_index(p->links,
		                                         struct tfe_pair_link, i);
		struct tfe_pair_conn *x = conn_at(p, 0, l->conn[0]);
		struct tfe_pair_conn *y = conn_at(p, 1, l->conn[1]);
		struct seg_index ix, iy;

		if (x == NULL || y == NULL)
			continue;
		/* B's clock less A's for each sender: the offset plus or
		 * less the delay */
		for (int s = 0; s < 2; s++)
			expect[s] = p->offset +
			            ((s == TFE_SIDE_CLIENT) == (l->near_client == 0) ?
			             p->delay : -p->delay);
		index_make(&ix, x, l->isn_shift);
		index_make(&iy, y, NULL);
		match_copies(l, x, y, p->clock_known && l->near_client != 2 ?
		             expect : NULL, &ix, &iy);
		index_clear(&ix);
		index_clear(&iy);
	}
	for (guint i = 0; i < p->links->len; i++) {
		struct tfe_pair_link *l = &g_array_index(p->links,
		                                         struct tfe_pair_link, i);

		for (int k = 0; k < 2; k++) {
			struct tfe_pair_conn *pc = conn_at(p, k, l->conn[k]);

			for (guint j = 0; pc != NULL && j < pc->segs->len; j++) {
				if (seg_at(pc, j)->copy) {
					l->copies[k]++;
				} else if (seg_at(pc, j)->match >= 0) {
					if (k == 0) {
						l->matched++;
						p->matched_segments++;
					}
				} else {
					l->only[k]++;
				}
			}
		}
		if (l->conn[0] < 0 || l->conn[1] < 0)
			place_alone(p, l);
		find_nat(p, l);
		find_modified(p, l);
		find_missing(p, l);
		find_order(p, l);
		bool seen[TFE_PF__COUNT] = { false };
		for (guint j = 0; j < l->findings->len; j++) {
			const struct tfe_pair_finding *f = &g_array_index(
				l->findings, struct tfe_pair_finding, j);
			if (!seen[f->kind])
				p->findings[f->kind]++;
			seen[f->kind] = true;
		}
	}
	return ok;
}

void
tfe_pair_clear(struct tfe_pair *p)
{
	for (guint i = 0; p->links && i < p->links->len; i++) {
		struct tfe_pair_link *l = &g_array_index(p->links,
		                                         struct tfe_pair_link, i);
		for (guint j = 0; j < l->findings->len; j++)
			g_free(g_array_index(l->findings, struct tfe_pair_finding,
			                     j).message);
		g_array_free(l->findings, TRUE);
	}
	if (p->links)
		g_array_free(p->links, TRUE);
	for (int k = 0; k < 2; k++) {
		for (guint i = 0; p->cap[k].conns && i < p->cap[k].conns->len;
		     i++) {
			struct tfe_pair_conn *pc =
				g_ptr_array_index(p->cap[k].conns, i);
			g_array_free(pc->segs, TRUE);
			tfe_conn_free(pc->c);
			g_free(pc);
		}
		if (p->cap[k].conns)
			g_ptr_array_free(p->cap[k].conns, TRUE);
	}
	memset(p, 0, sizeof *p);
}
