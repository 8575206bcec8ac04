/*
 * flow.c: the flow table and its queues.
 *
 * Live connections are found through an open-addressing table of their
 * own (linear probing, the key and its hash in the connection, at most
 * half full; a slot is one pointer).
 * The queues link through two pointers in each connection, so moving a
 * connection on every packet costs no allocation.  Tombstones
 * are records in blocks of TFE_TOMB_BLOCK, queued in the order they were
 * left, which is the order their 2MSL ends (the clock never goes back), so
 * expiring them only looks at the head; emptied blocks are kept for
 * reuse, so a record keeps its number (its 4-byte slot in the index).
 */
#include "flow.h"

#include <stddef.h>
#include <string.h>

/* The key is fixed-size and zero-padded: mix it as five 64-bit words
 * (multiply and fold, as in wyhash and rapidhash), a few instructions per
 * packet where a byte-wise hash took about 250. */
G_STATIC_ASSERT(sizeof(struct tfe_flow_key) == 40);
G_STATIC_ASSERT(sizeof(struct tfe_tomb_rec) == 32);
G_STATIC_ASSERT(sizeof(struct tfe_tomb_wide) == 64);

/* The key as five 64-bit words in memory order, mixed. */
static inline guint
words_hash(const uint64_t w[5])
{
	uint64_t h = 0x9e3779b97f4a7c15u;

	/* written out: the loop was not unrolled, and cost a third */
#define MIX(x) (h ^= (x), h *= 0xff51afd7ed558ccdu, h ^= h >> 32)
	MIX(w[0]);
	MIX(w[1]);
	MIX(w[2]);
	MIX(w[3]);
	MIX(w[4]);
#undef MIX
	return (guint)h;
}

static inline guint
key_hash(const struct tfe_flow_key *k)
{
	uint64_t w[5];

	memcpy(w, k, sizeof w);
	return words_hash(w);
}

/* The key's last word: ports and family (struct tfe_flow_key's layout,
 * checked below), the padding zero. */
G_STATIC_ASSERT(offsetof(struct tfe_flow_key, port_lo) == 32);
G_STATIC_ASSERT(offsetof(struct tfe_flow_key, port_hi) == 34);
G_STATIC_ASSERT(offsetof(struct tfe_flow_key, family) == 36);

static inline uint64_t
key_tail(uint16_t port_lo, uint16_t port_hi, uint8_t family)
{
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
	return (uint64_t)port_lo | (uint64_t)port_hi << 16 |
	       (uint64_t)family << 32;
#else
	return (uint64_t)port_lo << 48 | (uint64_t)port_hi << 32 |
	       (uint64_t)family << 24;
#endif
}

/* The key is built in five 64-bit words and stored word by word, and the
 * hash is taken from those words: reading back fields just written one by
 * one (2- and 1-byte stores) as a word stalls the CPU until the stores
 * are done, which cost the reading thread about a fifth of its time. */
bool
tfe_flow_key_make_hashed(const struct tfe_segment *s, struct tfe_flow_key *k,
                         uint32_t *hash)
{
	uint64_t ra[2], rb[2];
	memcpy(ra, s->src, 16);
	memcpy(rb, s->dst, 16);
	/* memcmp's byte order, as two big-endian 64-bit words each */
	uint64_t a0 = GUINT64_FROM_BE(ra[0]), a1 = GUINT64_FROM_BE(ra[1]);
	uint64_t b0 = GUINT64_FROM_BE(rb[0]), b1 = GUINT64_FROM_BE(rb[1]);
	bool from_lo = a0 != b0 ? a0 < b0 :
	               a1 != b1 ? a1 < b1 : s->sport <= s->dport;
	uint64_t w[5];

	if (from_lo) {
		w[0] = ra[0];
		w[1] = ra[1];
		w[2] = rb[0];
		w[3] = rb[1];
		w[4] = key_tail(s->sport, s->dport, s->family);
	} else {
		w[0] = rb[0];
		w[1] = rb[1];
		w[2] = ra[0];
		w[3] = ra[1];
		w[4] = key_tail(s->dport, s->sport, s->family);
	}
	memcpy(k, w, sizeof w);
	if (hash != NULL)
		*hash = words_hash(w);
	return from_lo;
}

bool
tfe_flow_key_make(const struct tfe_segment *s, struct tfe_flow_key *k)
{
	return tfe_flow_key_make_hashed(s, k, NULL);
}


void
tfe_flow_tomb_key(const struct tfe_tombstone *t, struct tfe_flow_key *k)
{
	*k = t->key;
}

/* ---- the pools of keys and of whole records */

static void *
pool_at(const struct tfe_tomb_pool *p, uint32_t n)
{
	n--;
	return p->blocks[n / TFE_TOMB_BLOCK] +
	       (size_t)(n % TFE_TOMB_BLOCK) * p->item_size;
}

static uint32_t
pool_get(struct tfe_tomb_pool *p)
{
	uint32_t n = p->free_head;

	if (n != 0) {
		memcpy(&p->free_head, pool_at(p, n), sizeof p->free_head);
		return n;
	}
	if (p->used == p->nblocks * TFE_TOMB_BLOCK) {
		p->blocks = g_renew(char *, p->blocks, p->nblocks + 1);
		p->blocks[p->nblocks++] = g_malloc((size_t)TFE_TOMB_BLOCK *
		                                   p->item_size);
	}
	return ++p->used;
}

static void
pool_put(struct tfe_tomb_pool *p, uint32_t n)
{
	memcpy(pool_at(p, n), &p->free_head, sizeof p->free_head);
	p->free_head = n;
}

static void
pool_clear(struct tfe_tomb_pool *p)
{
	for (guint i = 0; i < p->nblocks; i++)
		g_free(p->blocks[i]);
	g_free(p->blocks);
	p->blocks = NULL;
	p->nblocks = 0;
	p->used = p->free_head = 0;
}

/* ---- records */

static inline struct tfe_tomb_rec *
tomb_at(const struct tfe_flow_table *t, uint32_t handle,
        struct tfe_tomb_block **block)
{
	handle--;
	struct tfe_tomb_block *b = t->tomb_dir[handle / TFE_TOMB_BLOCK];
	if (block != NULL)
		*block = b;
	return &b->rec[handle % TFE_TOMB_BLOCK];
}

static const struct tfe_tomb_wide *
rec_wide(const struct tfe_flow_table *t, const struct tfe_tomb_rec *r)
{
	return pool_at(&t->tomb_wide, r->u.ext);
}

static int64_t
rec_until(const struct tfe_flow_table *t, const struct tfe_tomb_block *b,
          const struct tfe_tomb_rec *r)
{
	if (r->kind == TFE_TOMB_WIDE)
		return rec_wide(t, r)->until;
	return b->until_base + (int64_t)r->until_off;
}

static void
rec_key(const struct tfe_flow_table *t, const struct tfe_tomb_rec *r,
        struct tfe_flow_key *k)
{
	switch (r->kind) {
	case TFE_TOMB_WIDE:
		*k = rec_wide(t, r)->key;
		return;
	case TFE_TOMB_KEY:
		memcpy(k, pool_at(&t->tomb_keys, r->u.ext), sizeof *k);
		return;
	default:
		memset(k, 0, sizeof *k);
		k->family = 4;
		memcpy(k->addr_lo, r->u.a.v4, 4);
		memcpy(k->addr_hi, r->u.a.v4 + 4, 4);
		k->port_lo = r->u.a.port_lo;
		k->port_hi = r->u.a.port_hi;
	}
}

/* The record decoded into `out`. */
static void
rec_decode(const struct tfe_flow_table *t, const struct tfe_tomb_block *b,
           const struct tfe_tomb_rec *r, struct tfe_tombstone *out)
{
	memset(out, 0, sizeof *out);
	rec_key(t, r, &out->key);
	if (r->kind == TFE_TOMB_WIDE) {
		const struct tfe_tomb_wide *w = rec_wide(t, r);
		out->conn_id = w->conn_id;
		out->until = w->until;
		out->tw_since = w->tw_since;
	} else {
		out->conn_id = b->id_base + (uint64_t)(int64_t)r->id_off;
		out->until = b->until_base + (int64_t)r->until_off;
		out->tw_since = r->gap_off == TFE_TOMB_NO_TW ? 0 :
		                out->until - (b->gap_base + r->gap_off);
	}
	out->snd_nxt[0] = r->snd_nxt[0];
	out->snd_nxt[1] = r->snd_nxt[1];
	out->tw_side = (uint8_t)r->tw_side;
	out->client_is_lo = r->client_is_lo;
	out->active = r->active;
}

/* The index hashes the key of a record as that of a live connection. */
static guint
rec_hash(const struct tfe_flow_table *t, const struct tfe_tomb_rec *r)
{
	struct tfe_flow_key k;

	rec_key(t, r, &k);
	return key_hash(&k);
}

/* Is `k` an IPv4 key with the rest of the address room zero, as
 * tfe_flow_key_make leaves it, so that the record can hold it? */
static bool
key_is_v4(const struct tfe_flow_key *k)
{
	static const uint8_t zero[12];

	return k->family == 4 && memcmp(k->addr_lo + 4, zero, 12) == 0 &&
	       memcmp(k->addr_hi + 4, zero, 12) == 0 &&
	       memcmp(k->pad, zero, sizeof k->pad) == 0;
}

/* Fills record `r`, the next in block `b` (its first when `first`), from
 * `tomb` and key `k`. */
static void
rec_encode(struct tfe_flow_table *t, struct tfe_tomb_block *b, bool first,
           struct tfe_tomb_rec *r, const struct tfe_tombstone *tomb,
           const struct tfe_flow_key *k)
{
	int64_t until_off, id_off, gap = 0, gap_off = 0;
	bool fits;

	if (first) {
		b->until_base = tomb->until;
		b->id_base = tomb->conn_id;
		b->gap_set = false;
	}
	if (tomb->tw_since != 0 && !b->gap_set &&
	    !__builtin_sub_overflow(tomb->until, tomb->tw_since, &gap)) {
		b->gap_base = gap;
		b->gap_set = true;
	}
	fits = !__builtin_sub_overflow(tomb->until, b->until_base, &until_off) &&
	       until_off >= 0 && until_off <= UINT32_MAX;
	id_off = (int64_t)(tomb->conn_id - b->id_base);
	fits = fits && id_off >= -(1 << 23) && id_off < (1 << 23);
	if (tomb->tw_since != 0)
		fits = fits && b->gap_set &&
		       !__builtin_sub_overflow(tomb->until, tomb->tw_since,
		                               &gap) &&
		       !__builtin_sub_overflow(gap, b->gap_base, &gap_off) &&
		       gap_off > INT32_MIN && gap_off <= INT32_MAX;

	memset(r, 0, sizeof *r);
	r->snd_nxt[0] = tomb->snd_nxt[0];
	r->snd_nxt[1] = tomb->snd_nxt[1];
	r->tw_side = tomb->tw_side & 3;
	r->client_is_lo = tomb->client_is_lo;
	r->active = true;
	if (!fits) {
		uint32_t n = pool_get(&t->tomb_wide);
		struct tfe_tomb_wide *w = pool_at(&t->tomb_wide, n);
		w->key = *k;
		w->conn_id = tomb->conn_id;
		w->until = tomb->until;
		w->tw_since = tomb->tw_since;
		r->kind = TFE_TOMB_WIDE;
		r->u.ext = n;
		return;
	}
	r->until_off = (uint32_t)until_off;
	r->id_off = (int)id_off;
	r->gap_off = tomb->tw_since != 0 ? (int32_t)gap_off : TFE_TOMB_NO_TW;
	if (key_is_v4(k)) {
		r->kind = TFE_TOMB_V4;
		memcpy(r->u.a.v4, k->addr_lo, 4);
		memcpy(r->u.a.v4 + 4, k->addr_hi, 4);
		r->u.a.port_lo = k->port_lo;
		r->u.a.port_hi = k->port_hi;
	} else {
		uint32_t n = pool_get(&t->tomb_keys);
		memcpy(pool_at(&t->tomb_keys, n), k, sizeof *k);
		r->kind = TFE_TOMB_KEY;
		r->u.ext = n;
	}
}

/* Gives back what the record holds in the pools. */
static void
rec_release(struct tfe_flow_table *t, struct tfe_tomb_rec *r)
{
	if (r->kind == TFE_TOMB_WIDE)
		pool_put(&t->tomb_wide, r->u.ext);
	else if (r->kind == TFE_TOMB_KEY)
		pool_put(&t->tomb_keys, r->u.ext);
	r->kind = TFE_TOMB_V4;
}

void
tfe_flow_table_init(struct tfe_flow_table *t)
{
	memset(t, 0, sizeof *t);
	t->tomb_keys.item_size = sizeof(struct tfe_flow_key);
	t->tomb_wide.item_size = sizeof(struct tfe_tomb_wide);
	t->tomb_head_until = INT64_MAX;
}

void
tfe_flow_table_clear(struct tfe_flow_table *t,
                     void (*drop)(struct tfe_conn *c))
{
	for (guint i = 0; i < t->nslots; i++)
		if (t->slots[i].conn != NULL)
			drop(t->slots[i].conn);
	g_free(t->slots);
	t->slots = NULL;
	t->nslots = 0;
	pool_clear(&t->tomb_keys);
	pool_clear(&t->tomb_wide);
	for (guint i = 0; i < t->tomb_ndir; i++)
		g_free(t->tomb_dir[i]);
	g_free(t->tomb_dir);
	t->tomb_dir = NULL;
	t->tomb_ndir = 0;
	t->tomb_head = t->tomb_tail = t->tomb_spare = NULL;
	t->tomb_head_i = t->tomb_tail_i = 0;
	g_free(t->tomb_slots);
	t->tomb_slots = NULL;
	t->tomb_nslots = 0;
	t->tomb_head_until = INT64_MAX;
	t->ntombs = 0;
}

guint
tfe_flow_table_size(const struct tfe_flow_table *t)
{
	guint n = 0;

	for (guint i = 0; i < t->nslots; i++)
		n += t->slots[i].conn != NULL;
	return n;
}

/* Puts an entry in the first free slot from its home (no key is there
 * twice: the caller looked first). */
static void
slot_put(struct tfe_flow_slot *slots, guint mask, struct tfe_conn *c)
{
	guint i = c->flow.hash & mask;

	while (slots[i].conn != NULL)
		i = (i + 1) & mask;
	slots[i].conn = c;
}

/* Keeps the table at most half full: doubles it and puts every entry
 * back. */
static void
slots_grow(struct tfe_flow_table *t)
{
	guint n = t->nslots ? 2 * t->nslots : 256;
	struct tfe_flow_slot *slots = g_new0(struct tfe_flow_slot, n);

	for (guint i = 0; i < t->nslots; i++)
		if (t->slots[i].conn != NULL)
			slot_put(slots, n - 1, t->slots[i].conn);
	g_free(t->slots);
	t->slots = slots;
	t->nslots = n;
}

/* Empties the slot holding `c` and moves later entries of the same
 * probe run back (linear probing's deletion, no markers left). */
static void
slot_remove(struct tfe_flow_table *t, struct tfe_conn *c)
{
	guint mask = t->nslots - 1;
	guint i = c->flow.hash & mask;

	while (t->slots[i].conn != c)
		i = (i + 1) & mask;
	for (guint j = (i + 1) & mask; t->slots[j].conn != NULL;
	     j = (j + 1) & mask) {
		guint home = t->slots[j].conn->flow.hash & mask;
		/* the entry at j may move to i when its home is not in the
		 * cyclic range (i, j] */
		bool stays = i <= j ? (home > i && home <= j)
		                    : (home > i || home <= j);
		if (!stays) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i].conn = NULL;
}

/* The index slot of the active record on `k` of hash `h` (key_hash()),
 * or NULL. */
static uint32_t *
tomb_find(struct tfe_flow_table *t, const struct tfe_flow_key *k, guint h)
{
	if (t->ntombs == 0)
		return NULL;
	guint mask = t->tomb_nslots - 1;
	for (guint i = h & mask; t->tomb_slots[i] != 0;
	     i = (i + 1) & mask) {
		struct tfe_flow_key rk;
		rec_key(t, tomb_at(t, t->tomb_slots[i], NULL), &rk);
		if (memcmp(&rk, k, sizeof rk) == 0)
			return &t->tomb_slots[i];
	}
	return NULL;
}

/* The record's TIME_WAIT is over. */
static void
rec_end_time_wait(struct tfe_flow_table *t, struct tfe_tomb_rec *r)
{
	if (r->kind == TFE_TOMB_WIDE)
		((struct tfe_tomb_wide *)pool_at(&t->tomb_wide,
		                                 r->u.ext))->tw_since = 0;
	else
		r->gap_off = TFE_TOMB_NO_TW;
}

/* The tombstone on `k`, decoded into tomb_copy, or NULL; with
 * `end_time_wait`, its TIME_WAIT ends after the copy is taken. */
static const struct tfe_tombstone *
tomb_get(struct tfe_flow_table *t, const struct tfe_flow_key *k, guint h,
         bool end_time_wait)
{
	struct tfe_tomb_block *b;
	uint32_t *slot = tomb_find(t, k, h);

	if (slot == NULL)
		return NULL;
	struct tfe_tomb_rec *r = tomb_at(t, *slot, &b);
	rec_decode(t, b, r, &t->tomb_copy);
	if (end_time_wait)
		rec_end_time_wait(t, r);
	return &t->tomb_copy;
}

const struct tfe_tombstone *
tfe_flow_tomb(struct tfe_flow_table *t, const struct tfe_flow_key *k)
{
	return tomb_get(t, k, key_hash(k), false);
}

const struct tfe_tombstone *
tfe_flow_tomb_hashed(struct tfe_flow_table *t, const struct tfe_flow_key *k,
                     uint32_t h)
{
	return tomb_get(t, k, h, false);
}

const struct tfe_tombstone *
tfe_flow_tomb_take_over(struct tfe_flow_table *t, const struct tfe_flow_key *k,
                        uint32_t h)
{
	return tomb_get(t, k, h, true);
}

void
tfe_flow_tomb_end_time_wait(struct tfe_flow_table *t,
                            const struct tfe_flow_key *k)
{
	uint32_t *slot = tomb_find(t, k, key_hash(k));

	if (slot != NULL)
		rec_end_time_wait(t, tomb_at(t, *slot, NULL));
}

guint
tfe_flow_tomb_index_size(const struct tfe_flow_table *t)
{
	guint n = 0;

	for (guint i = 0; i < t->tomb_nslots; i++)
		n += t->tomb_slots[i] != 0;
	return n;
}

static void
tomb_slot_put(uint32_t *slots, guint mask, uint32_t handle, guint h)
{
	guint i = h & mask;

	while (slots[i] != 0)
		i = (i + 1) & mask;
	slots[i] = handle;
}

/* Keeps the tombstone index at most half full. */
static void
tomb_slots_grow(struct tfe_flow_table *t)
{
	guint n = t->tomb_nslots ? 2 * t->tomb_nslots : 256;
	uint32_t *slots = g_new0(uint32_t, n);

	for (guint i = 0; i < t->tomb_nslots; i++)
		if (t->tomb_slots[i] != 0)
			tomb_slot_put(slots, n - 1, t->tomb_slots[i],
			              rec_hash(t, tomb_at(t, t->tomb_slots[i],
			                                  NULL)));
	g_free(t->tomb_slots);
	t->tomb_slots = slots;
	t->tomb_nslots = n;
}

/* Empties index slot `i` (linear probing's deletion, as for the live
 * connections; the homes of the entries after it are hashed again from
 * their records). */
static void
tomb_slot_remove(struct tfe_flow_table *t, guint i)
{
	guint mask = t->tomb_nslots - 1;
	for (guint j = (i + 1) & mask; t->tomb_slots[j] != 0;
	     j = (j + 1) & mask) {
		guint home = rec_hash(t, tomb_at(t, t->tomb_slots[j], NULL)) &
		             mask;
		bool stays = i <= j ? (home > i && home <= j)
		                    : (home > i || home <= j);
		if (!stays) {
			t->tomb_slots[i] = t->tomb_slots[j];
			i = j;
		}
	}
	t->tomb_slots[i] = 0;
}

void
tfe_flow_attach(struct tfe_flow_table *t, const struct tfe_flow_key *k,
                struct tfe_conn *c)
{
	tfe_flow_attach_hashed(t, k, key_hash(k), c);
}

void
tfe_flow_attach_hashed(struct tfe_flow_table *t, const struct tfe_flow_key *k,
                       uint32_t h, struct tfe_conn *c)
{
	if (2 * (t->live + 1) > t->nslots)
		slots_grow(t);
	c->key = *k;
	c->flow.hash = h;
	slot_put(t->slots, t->nslots - 1, c);
	c->flow.prev = c->flow.next = NULL;
	c->flow.queue = -1;
	t->live++;
	tfe_flow_touch(t, c, TFE_Q_OPEN);
}

static void
queue_unlink(struct tfe_flow_queue *qu, struct tfe_conn *c)
{
	if (c->flow.prev != NULL)
		c->flow.prev->flow.next = c->flow.next;
	else
		qu->head = c->flow.next;
	if (c->flow.next != NULL)
		c->flow.next->flow.prev = c->flow.prev;
	else
		qu->tail = c->flow.prev;
	c->flow.prev = c->flow.next = NULL;
}

static void
queue_push_tail(struct tfe_flow_queue *qu, struct tfe_conn *c)
{
	c->flow.prev = qu->tail;
	c->flow.next = NULL;
	if (qu->tail != NULL)
		qu->tail->flow.next = c;
	else
		qu->head = c;
	qu->tail = c;
}

void
tfe_flow_touch_move(struct tfe_flow_table *t, struct tfe_conn *c,
                    enum tfe_queue q)
{
	if (c->flow.queue >= 0)
		queue_unlink(&t->queue[c->flow.queue], c);
	queue_push_tail(&t->queue[q], c);
	c->flow.queue = (int8_t)q;
}

/* The oldest record in the queue, active or not, and its block; NULL
 * when empty. */
static struct tfe_tomb_rec *
tomb_oldest(struct tfe_flow_table *t, struct tfe_tomb_block **block)
{
	struct tfe_tomb_block *b = t->tomb_head;

	if (b == NULL || (b == t->tomb_tail && t->tomb_head_i == t->tomb_tail_i))
		return NULL;
	*block = b;
	return &b->rec[t->tomb_head_i];
}

/* Sets tomb_head_until from the head of the queue (tfe_flow_tombs_due
 * reads it on every packet). */
static void
head_refresh(struct tfe_flow_table *t)
{
	struct tfe_tomb_block *b;
	struct tfe_tomb_rec *r = tomb_oldest(t, &b);

	if (r == NULL)
		t->tomb_head_until = INT64_MAX;
	else if (!r->active)
		t->tomb_head_until = INT64_MIN;
	else
		t->tomb_head_until = rec_until(t, b, r);
}

/* Forgets an active tombstone, in index slot `i` when `i` is not -1;
 * its record waits in its block. */
static void
drop_tomb(struct tfe_flow_table *t, struct tfe_tomb_rec *tomb, int i)
{
	if (i < 0) {
		guint mask = t->tomb_nslots - 1;
		i = (int)(rec_hash(t, tomb) & mask);
		while (tomb_at(t, t->tomb_slots[i], NULL) != tomb)
			i = (int)((guint)(i + 1) & mask);
	}
	tomb_slot_remove(t, (guint)i);
	tomb->active = false;
	rec_release(t, tomb);
	t->ntombs--;
}

/* Can a record of block `b` keep `until` as a distance? */
static bool
until_fits(const struct tfe_tomb_block *b, int64_t until)
{
	int64_t d;

	return !__builtin_sub_overflow(until, b->until_base, &d) && d >= 0 &&
	       d <= UINT32_MAX;
}

static void
push_tomb(struct tfe_flow_table *t, const struct tfe_flow_key *k, guint h,
          const struct tfe_tombstone *tomb)
{
	/* A time too far from the tail block's base starts the block again
	 * when the queue is empty, and a new block when the tail one is at
	 * least half full (the rest of it left inactive): after a pause in
	 * the traffic, records go on fitting their block's bases, and no
	 * block is left less than half used.  Otherwise it is kept whole. */
	struct tfe_tomb_block *tail = t->tomb_tail;
	if (tail != NULL && t->tomb_tail_i > 0 &&
	    t->tomb_tail_i < TFE_TOMB_BLOCK && !until_fits(tail, tomb->until)) {
		if (t->tomb_head == tail && t->tomb_head_i == t->tomb_tail_i) {
			t->tomb_head_i = t->tomb_tail_i = 0;
		} else if (t->tomb_tail_i >= TFE_TOMB_BLOCK / 2) {
			memset(&tail->rec[t->tomb_tail_i], 0,
			       (TFE_TOMB_BLOCK - t->tomb_tail_i) *
			       sizeof tail->rec[0]);
			t->tomb_tail_i = TFE_TOMB_BLOCK;
		}
	}
	if (t->tomb_tail == NULL || t->tomb_tail_i == TFE_TOMB_BLOCK) {
		struct tfe_tomb_block *b = t->tomb_spare;
		if (b != NULL)
			t->tomb_spare = b->next;
		else {
			b = g_new(struct tfe_tomb_block, 1);
			b->dir = t->tomb_ndir++;
			t->tomb_dir = g_renew(struct tfe_tomb_block *,
			                      t->tomb_dir, t->tomb_ndir);
			t->tomb_dir[b->dir] = b;
		}
		b->next = NULL;
		if (t->tomb_tail != NULL)
			t->tomb_tail->next = b;
		else {
			t->tomb_head = b;
			t->tomb_head_i = 0;
		}
		t->tomb_tail = b;
		t->tomb_tail_i = 0;
	}
	if (2 * (t->ntombs + 1) > t->tomb_nslots)
		tomb_slots_grow(t);
	uint32_t handle = 1 + t->tomb_tail->dir * TFE_TOMB_BLOCK +
	                  t->tomb_tail_i;
	struct tfe_tombstone copy = *tomb;
	if (copy.tw_side > TFE_SIDE_NONE)
		copy.tw_side = TFE_SIDE_NONE;
	/* an emptied block starts again at 0 with new bases */
	struct tfe_tomb_rec *r = &t->tomb_tail->rec[t->tomb_tail_i];
	rec_encode(t, t->tomb_tail, t->tomb_tail_i == 0, r, &copy, k);
	t->tomb_tail_i++;
	tomb_slot_put(t->tomb_slots, t->tomb_nslots - 1, handle, h);
	t->ntombs++;
}

/* Takes the oldest record off the queue (after tomb_oldest). */
static void
tomb_pop(struct tfe_flow_table *t)
{
	struct tfe_tomb_block *b = t->tomb_head;

	if (++t->tomb_head_i < TFE_TOMB_BLOCK)
		return;
	if (b == t->tomb_tail) {
		/* empty: reuse the block from its start */
		t->tomb_head_i = t->tomb_tail_i = 0;
		return;
	}
	t->tomb_head = b->next;
	t->tomb_head_i = 0;
	b->next = t->tomb_spare;
	t->tomb_spare = b;
}

void
tfe_flow_detach(struct tfe_flow_table *t, struct tfe_conn *c,
                const struct tfe_tombstone *tomb)
{
	uint32_t *old;

	if (c->flow.queue >= 0)
		queue_unlink(&t->queue[c->flow.queue], c);
	c->flow.queue = -1;
	slot_remove(t, c);
	t->live--;
	if ((old = tomb_find(t, &c->key, c->flow.hash)) != NULL)
		drop_tomb(t, tomb_at(t, *old, NULL), (int)(old - t->tomb_slots));
	if (tomb != NULL)
		push_tomb(t, &c->key, c->flow.hash, tomb);
	head_refresh(t);
}

bool
tfe_flow_drop_oldest_tomb(struct tfe_flow_table *t)
{
	struct tfe_tomb_block *b;
	struct tfe_tomb_rec *r;
	bool dropped = false;

	while (!dropped && (r = tomb_oldest(t, &b)) != NULL) {
		tomb_pop(t);
		if (r->active) {
			drop_tomb(t, r, -1);
			dropped = true;
		}
	}
	head_refresh(t);
	return dropped;
}

void
tfe_flow_expire_tombs(struct tfe_flow_table *t, int64_t now)
{
	struct tfe_tomb_block *b;
	struct tfe_tomb_rec *r;

	while ((r = tomb_oldest(t, &b)) != NULL) {
		if (r->active) {
			if (rec_until(t, b, r) > now)
				break;
			drop_tomb(t, r, -1);
		}
		tomb_pop(t);
	}
	head_refresh(t);
}

void
tfe_flow_foreach_tomb(const struct tfe_flow_table *t,
                      void (*fn)(const struct tfe_tombstone *tomb, void *ud),
                      void *ud)
{
	struct tfe_tombstone d;

	for (const struct tfe_tomb_block *b = t->tomb_head; b; b = b->next) {
		guint from = b == t->tomb_head ? t->tomb_head_i : 0;
		guint to = b == t->tomb_tail ? t->tomb_tail_i : TFE_TOMB_BLOCK;
		for (guint i = from; i < to; i++)
			if (b->rec[i].active) {
				rec_decode(t, b, &b->rec[i], &d);
				fn(&d, ud);
			}
	}
}
