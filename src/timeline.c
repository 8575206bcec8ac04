/*
 * timeline.c: appending and folding timeline rows within the bound.
 *
 * Rows are only ever appended; conn.c may rewrite the states of recent rows
 * when a retransmission disproves a delivery it assumed.  No formatting here.
 */
#include "timeline.h"

#include <string.h>

_Static_assert(sizeof(struct tfe_row) == 64, "a timeline row is 64 bytes");

/*
 * Arrays of 2, 4 and 8 rows, the sizes nine connections in ten go
 * through (an unanswered SYN, an open connection, a closed one), are kept
 * for reuse when a connection grows out of one or ends, instead of going
 * through malloc's realloc and free (see record.c's cache: the same reasons,
 * the same bound, one per thread).  A kept array links to the next
 * through its first bytes.
 */
#define CACHE_CLASSES 3
#define CACHE_MAX 4096

struct rows_cache {
	struct tfe_row *head[CACHE_CLASSES];
	guint n[CACHE_CLASSES];
};

static _Thread_local struct rows_cache cache;

/* The list for arrays of `cap` rows, or -1 when they are not kept. */
static inline int
cache_class(guint cap)
{
	return cap == 2 ? 0 : cap == 4 ? 1 : cap == 8 ? 2 : -1;
}

static struct tfe_row *
rows_get(guint cap)
{
	int k = cache_class(cap);
	struct tfe_row *r;

	if (k < 0 || cache.head[k] == NULL)
		return g_new(struct tfe_row, cap);
	r = cache.head[k];
	/* the next free block's address is kept in this one's first bytes
	 * (byte copies: clang's -Wsizeof-pointer-memaccess would take a
	 * pointer-sized copy from a struct pointer for a mistake) */
	memcpy(&cache.head[k], (const unsigned char *)r, sizeof cache.head[k]);
	cache.n[k]--;
	return r;
}

static void
rows_put(struct tfe_row *r, guint cap)
{
	int k = cache_class(cap);

	if (k < 0 || cache.n[k] >= CACHE_MAX) {
		g_free(r);
		return;
	}
	memcpy((unsigned char *)r, &cache.head[k], sizeof cache.head[k]);
	cache.head[k] = r;
	cache.n[k]++;
}

void
tfe_timeline_cache_clear(void)
{
	for (int k = 0; k < CACHE_CLASSES; k++) {
		while (cache.head[k] != NULL) {
			struct tfe_row *r = cache.head[k];
			memcpy(&cache.head[k], (const unsigned char *)r,
			       sizeof cache.head[k]);
			g_free(r);
		}
		cache.n[k] = 0;
	}
}

/* Room for one more row: doubles up to 8 rows (2, 4, 8), then grows by
 * half, so a long connection wastes at most a third of its rows'
 * memory. */
static G_GNUC_NO_INLINE void
grow(struct tfe_timeline *tl)
{
	guint cap = tl->cap < 8 ? tl->cap * 2 : tl->cap + tl->cap / 2;

	if (cache_class(tl->cap) < 0 && cache_class(cap) < 0) {
		tl->rows = g_renew(struct tfe_row, tl->rows, cap);
	} else {
		struct tfe_row *rows = rows_get(cap);
		memcpy(rows, tl->rows, tl->len * sizeof *rows);
		rows_put(tl->rows, tl->cap);
		tl->rows = rows;
	}
	tl->cap = cap;
}

static struct tfe_row *
append(struct tfe_timeline *tl, const struct tfe_row *row)
{
	if (tl->len == tl->cap)
		grow(tl);
	tl->rows[tl->len] = *row;
	return &tl->rows[tl->len++];
}

void
tfe_timeline_init(struct tfe_timeline *tl, guint max_rows)
{
	/* Start with room for a SYN and its retransmission or answer:
	 * unanswered SYNs wait out the idle timeout, so they must stay
	 * cheap (doc/hardening.md, Memory bounds); the rest grow to 4 and 8. */
	tl->rows = rows_get(2);
	tl->len = 0;
	tl->cap = 2;
	tl->max_rows = max_rows < 4 ? 4 : max_rows;
	tl->folded = 0;
	tl->sacks = NULL;
}

void
tfe_timeline_clear(struct tfe_timeline *tl)
{
	if (tl->rows != NULL)
		rows_put(tl->rows, tl->cap);
	tl->rows = NULL;
	tl->len = tl->cap = 0;
	g_free(tl->sacks);
	tl->sacks = NULL;
}

int
tfe_timeline_add_frame(struct tfe_timeline *tl, const struct tfe_row *row)
{
	/* Keep one slot free so the bound can always end on a run row. */
	if (tl->len + 1 >= tl->max_rows) {
		if (tl->folded < UINT32_MAX)
			tl->folded++;
		tfe_timeline_fold(tl, row->frame, row->ts, row->dir, row->len,
		                  row->win, row->state);
		return -1;
	}
	append(tl, row);
	return (int)tl->len - 1;
}

/* A new run row at the end with the frame in it: out of line, so that the
 * common fold into the run already there (timeline.h) needs no stack
 * frame. */
void
tfe_timeline_fold_new_run(struct tfe_timeline *tl, uint64_t frame, int64_t ts,
                          int dir, uint32_t len, uint16_t win,
                          const uint8_t state[2])
{
	struct tfe_row r;

	memset(&r, 0, sizeof r);
	r.kind = TFE_ROW_RUN;
	r.frame = frame;
	r.ts = ts;
	r.win_min[0] = r.win_min[1] = UINT16_MAX;
	tfe_timeline_fold_into(append(tl, &r), 0, ts, dir, len, win, state);
}

void
tfe_timeline_add_sack(struct tfe_timeline *tl, uint64_t frame, int64_t ts,
                      int dir, const struct tfe_segment *s)
{
	struct tfe_sacks *k = tl->sacks;

	if (k != NULL && k->len >= TFE_SACKS_MAX) {
		k->dropped++;
		return;
	}
	if (k == NULL || k->len == k->cap) {
		guint cap = k == NULL ? 4 : k->cap * 2;
		if (cap > TFE_SACKS_MAX)
			cap = TFE_SACKS_MAX;
		k = g_realloc(k, sizeof *k + cap * sizeof k->rec[0]);
		if (tl->sacks == NULL) {
			k->len = 0;
			k->dropped = 0;
		}
		k->cap = cap;
		tl->sacks = k;
	}
	struct tfe_sack_rec *r = &k->rec[k->len++];
	memset(r, 0, sizeof *r);
	r->frame = frame;
	r->ts = ts;
	r->ack = s->ack;
	r->dir = (uint8_t)dir;
	r->n = (uint8_t)MIN(s->sack_count, TFE_MAX_SACK_BLOCKS);
	memcpy(r->edge, s->sack, r->n * sizeof r->edge[0]);
}

/* A row of one side's change with no frame of its own (a timer, an
 * arrival): both sides' states before it, and that side's new one. */
static void
one_change(struct tfe_row *r, uint8_t kind, int64_t ts, int side,
           uint8_t new_state, uint8_t reason, const uint8_t state[2])
{
	memset(r, 0, sizeof *r);
	r->kind = kind;
	r->ts = ts;
	r->dir = (uint8_t)side;
	r->state[0] = state[0];
	r->state[1] = state[1];
	r->state[side] = new_state;
	r->reason[side] = reason;
}

void
tfe_timeline_add_timer(struct tfe_timeline *tl, int64_t ts, int side,
                       uint8_t new_state, uint8_t reason,
                       const uint8_t state[2])
{
	struct tfe_row r;

	one_change(&r, TFE_ROW_TIMER, ts, side, new_state, reason, state);
	/* Timer rows are few (one per TIME_WAIT side) and always kept. */
	append(tl, &r);
}

/* Puts `r` at index `at`, the rows from there one further on. */
static void
insert_at(struct tfe_timeline *tl, guint at, const struct tfe_row *r)
{
	if (at > tl->len)
		at = tl->len;
	(void)append(tl, r);
	memmove(&tl->rows[at + 1], &tl->rows[at],
	        (tl->len - 1 - at) * sizeof tl->rows[0]);
	tl->rows[at] = *r;
}

void
tfe_timeline_insert_arrival(struct tfe_timeline *tl, guint at, int64_t ts,
                            int side, uint64_t frame, int64_t frame_ts,
                            uint8_t new_state, uint8_t reason,
                            const uint8_t state[2])
{
	struct tfe_row r;

	one_change(&r, TFE_ROW_ARRIVAL, ts, side, new_state, reason, state);
	r.frame = frame;
	r.arr_ts = frame_ts;
	r.arr_frame = frame;
	insert_at(tl, at, &r);
}

void
tfe_timeline_insert_timer(struct tfe_timeline *tl, guint at, int64_t ts,
                          int side, uint8_t new_state, uint8_t reason,
                          const uint8_t state[2])
{
	struct tfe_row r;

	one_change(&r, TFE_ROW_TIMER, ts, side, new_state, reason, state);
	insert_at(tl, at, &r);
}
