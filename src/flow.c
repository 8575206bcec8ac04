/*
 * flow.c: the flow table and its queues.
 *
 * Live connections are found through an open-addressing table of their
 * own (linear probing, the key in the connection, at most half full).
 * The queues link through the GList embedded in each connection, so
 * moving a connection on every packet costs no allocation.  Tombstones
 * are records in blocks of TFE_TOMB_BLOCK, queued in the order they were
 * left, which is the order their 2MSL ends (the clock never goes back), so
 * expiring them only looks at the head; emptied blocks are kept for
 * reuse, so a record keeps its number (its 4-byte slot in the index).
 */
#include "flow.h"

#include <string.h>

bool
tfe_flow_key_make(const struct tfe_segment *s, struct tfe_flow_key *k)
{
	/* memcmp's byte order, as two big-endian 64-bit words each */
	uint64_t a[2], b[2];
	memcpy(a, s->src, 16);
	memcpy(b, s->dst, 16);
	a[0] = GUINT64_FROM_BE(a[0]);
	a[1] = GUINT64_FROM_BE(a[1]);
	b[0] = GUINT64_FROM_BE(b[0]);
	b[1] = GUINT64_FROM_BE(b[1]);
	bool from_lo = a[0] != b[0] ? a[0] < b[0] :
	               a[1] != b[1] ? a[1] < b[1] : s->sport <= s->dport;

	memset(k, 0, sizeof *k);
	k->family = s->family;
	if (from_lo) {
		memcpy(k->addr_lo, s->src, 16);
		memcpy(k->addr_hi, s->dst, 16);
		k->port_lo = s->sport;
		k->port_hi = s->dport;
	} else {
		memcpy(k->addr_lo, s->dst, 16);
		memcpy(k->addr_hi, s->src, 16);
		k->port_lo = s->dport;
		k->port_hi = s->sport;
	}
	return from_lo;
}

/* The key is fixed-size and zero-padded: mix it as five 64-bit words
 * (multiply and fold, as in wyhash and rapidhash), a few instructions per
 * packet where a byte-wise hash took about 250. */
G_STATIC_ASSERT(sizeof(struct tfe_flow_key) == 40);
G_STATIC_ASSERT(sizeof(struct tfe_tombstone) == 48);

static guint
key_hash(gconstpointer p)
{
	uint64_t w[5], h = 0x9e3779b97f4a7c15u;

	memcpy(w, p, sizeof w);
	for (int i = 0; i < 5; i++) {
		h ^= w[i];
		h *= 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	return (guint)h;
}

static gboolean
key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct tfe_flow_key)) == 0;
}

void
tfe_flow_tomb_key(const struct tfe_tombstone *t, struct tfe_flow_key *k)
{
	if (t->kind == TFE_TOMB_KEY) {
		*k = *t->addr.key;
		return;
	}
	memset(k, 0, sizeof *k);
	k->family = 4;
	memcpy(k->addr_lo, t->addr.v4, 4);
	memcpy(k->addr_hi, t->addr.v4 + 4, 4);
	k->port_lo = t->port_lo;
	k->port_hi = t->port_hi;
}

/* The tombstones' index holds records; a lookup makes a record of its
 * key (tomb_set_key), so both sides of a comparison are records. */
static guint
tomb_hash(gconstpointer p)
{
	const struct tfe_tombstone *t = p;
	struct tfe_flow_key k;

	if (t->kind == TFE_TOMB_KEY)
		return key_hash(t->addr.key);
	tfe_flow_tomb_key(t, &k);
	return key_hash(&k);
}

static gboolean
tomb_equal(gconstpointer a, gconstpointer b)
{
	const struct tfe_tombstone *x = a, *y = b;

	if (x->kind != y->kind)
		return false;
	if (x->kind == TFE_TOMB_KEY)
		return key_equal(x->addr.key, y->addr.key);
	return memcmp(x->addr.v4, y->addr.v4, 8) == 0 &&
	       x->port_lo == y->port_lo && x->port_hi == y->port_hi;
}

static inline struct tfe_tombstone *
tomb_at(const struct tfe_flow_table *t, uint32_t handle)
{
	handle--;
	return &t->tomb_dir[handle / TFE_TOMB_BLOCK]->rec[handle %
	                                                  TFE_TOMB_BLOCK];
}

/* Fills the key part of `t` from `k`: in the record when it is IPv4 with
 * the rest of the address room zero (as tfe_flow_key_make leaves it),
 * else pointing at `k` itself (the caller copies it when it must last). */
static void
tomb_set_key(struct tfe_tombstone *t, const struct tfe_flow_key *k)
{
	static const uint8_t zero[12];

	if (k->family == 4 && memcmp(k->addr_lo + 4, zero, 12) == 0 &&
	    memcmp(k->addr_hi + 4, zero, 12) == 0 &&
	    memcmp(k->pad, zero, sizeof k->pad) == 0) {
		t->kind = TFE_TOMB_V4;
		memcpy(t->addr.v4, k->addr_lo, 4);
		memcpy(t->addr.v4 + 4, k->addr_hi, 4);
		t->port_lo = k->port_lo;
		t->port_hi = k->port_hi;
	} else {
		t->kind = TFE_TOMB_KEY;
		t->addr.key = (struct tfe_flow_key *)k;
		t->port_lo = t->port_hi = 0;
	}
}

void
tfe_flow_table_init(struct tfe_flow_table *t)
{
	memset(t, 0, sizeof *t);
	for (int q = 0; q < TFE_Q__COUNT; q++)
		g_queue_init(&t->queue[q]);
}

void
tfe_flow_table_clear(struct tfe_flow_table *t)
{
	for (guint i = 0; i < t->nslots; i++)
		tfe_conn_free(t->slots[i].conn);
	g_free(t->slots);
	t->slots = NULL;
	t->nslots = 0;
	for (struct tfe_tomb_block *b = t->tomb_head; b != NULL; b = b->next) {
		guint from = b == t->tomb_head ? t->tomb_head_i : 0;
		guint to = b == t->tomb_tail ? t->tomb_tail_i : TFE_TOMB_BLOCK;
		for (guint i = from; i < to; i++)
			if (b->rec[i].active && b->rec[i].kind == TFE_TOMB_KEY)
				g_free(b->rec[i].addr.key);
	}
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
	t->ntombs = 0;
}

uint32_t
tfe_flow_key_hash(const struct tfe_flow_key *k)
{
	return key_hash(k);
}

struct tfe_conn *
tfe_flow_lookup(struct tfe_flow_table *t, const struct tfe_flow_key *k)
{
	return tfe_flow_lookup_hashed(t, k, key_hash(k));
}

struct tfe_conn *
tfe_flow_lookup_hashed(struct tfe_flow_table *t, const struct tfe_flow_key *k,
                       uint32_t h)
{
	if (t->live == 0)
		return NULL;
	guint mask = t->nslots - 1;

	for (guint i = h & mask;; i = (i + 1) & mask) {
		const struct tfe_flow_slot *sl = &t->slots[i];
		if (sl->conn == NULL)
			return NULL;
		if (sl->hash == h &&
		    memcmp(&sl->conn->key, k, sizeof *k) == 0)
			return sl->conn;
	}
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
slot_put(struct tfe_flow_slot *slots, guint mask, struct tfe_conn *c,
         uint32_t h)
{
	guint i = h & mask;

	while (slots[i].conn != NULL)
		i = (i + 1) & mask;
	slots[i].conn = c;
	slots[i].hash = h;
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
			slot_put(slots, n - 1, t->slots[i].conn,
			         t->slots[i].hash);
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
	guint i = key_hash(&c->key) & mask;

	while (t->slots[i].conn != c)
		i = (i + 1) & mask;
	for (guint j = (i + 1) & mask; t->slots[j].conn != NULL;
	     j = (j + 1) & mask) {
		guint home = t->slots[j].hash & mask;
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
	t->slots[i].hash = 0;
}

struct tfe_tombstone *
tfe_flow_tomb(struct tfe_flow_table *t, const struct tfe_flow_key *k)
{
	struct tfe_tombstone probe;

	if (t->ntombs == 0)
		return NULL;
	tomb_set_key(&probe, k);
	guint mask = t->tomb_nslots - 1;
	for (guint i = tomb_hash(&probe) & mask; t->tomb_slots[i] != 0;
	     i = (i + 1) & mask) {
		struct tfe_tombstone *r = tomb_at(t, t->tomb_slots[i]);
		if (tomb_equal(&probe, r))
			return r;
	}
	return NULL;
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
			              tomb_hash(tomb_at(t, t->tomb_slots[i])));
	g_free(t->tomb_slots);
	t->tomb_slots = slots;
	t->tomb_nslots = n;
}

/* Empties the slot of `tomb` (linear probing's deletion, as for the
 * live connections; the homes are hashed again from the records). */
static void
tomb_slot_remove(struct tfe_flow_table *t, const struct tfe_tombstone *tomb)
{
	guint mask = t->tomb_nslots - 1;
	guint i = tomb_hash(tomb) & mask;

	while (tomb_at(t, t->tomb_slots[i]) != tomb)
		i = (i + 1) & mask;
	for (guint j = (i + 1) & mask; t->tomb_slots[j] != 0;
	     j = (j + 1) & mask) {
		guint home = tomb_hash(tomb_at(t, t->tomb_slots[j])) & mask;
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
	if (2 * (t->live + 1) > t->nslots)
		slots_grow(t);
	c->key = *k;
	slot_put(t->slots, t->nslots - 1, c, key_hash(k));
	c->link.data = c;
	c->queue = -1;
	t->live++;
	tfe_flow_touch(t, c, TFE_Q_OPEN);
}

void
tfe_flow_touch(struct tfe_flow_table *t, struct tfe_conn *c, enum tfe_queue q)
{
	/* Already the most recent in its queue: the usual case in a run of
	 * segments of one connection. */
	if (c->queue == (int)q && c->link.next == NULL)
		return;
	if (c->queue >= 0)
		g_queue_unlink(&t->queue[c->queue], &c->link);
	g_queue_push_tail_link(&t->queue[q], &c->link);
	c->queue = q;
}

/* Forgets an active tombstone; its record waits in its block. */
static void
drop_tomb(struct tfe_flow_table *t, struct tfe_tombstone *tomb)
{
	tomb_slot_remove(t, tomb);
	tomb->active = false;
	if (tomb->kind == TFE_TOMB_KEY) {
		g_free(tomb->addr.key);
		tomb->addr.key = NULL;
	}
	t->ntombs--;
}

static void
push_tomb(struct tfe_flow_table *t, const struct tfe_flow_key *k,
          const struct tfe_tombstone *tomb)
{
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
	struct tfe_tombstone *r = &t->tomb_tail->rec[t->tomb_tail_i++];
	*r = *tomb;
	tomb_set_key(r, k);
	if (r->kind == TFE_TOMB_KEY)
		r->addr.key = g_memdup2(k, sizeof *k);
	r->active = true;
	tomb_slot_put(t->tomb_slots, t->tomb_nslots - 1, handle,
	              tomb_hash(r));
	t->ntombs++;
}

/* The oldest record in the queue, active or not; NULL when empty. */
static struct tfe_tombstone *
tomb_oldest(struct tfe_flow_table *t)
{
	struct tfe_tomb_block *b = t->tomb_head;

	if (b == NULL || (b == t->tomb_tail && t->tomb_head_i == t->tomb_tail_i))
		return NULL;
	return &b->rec[t->tomb_head_i];
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
	struct tfe_tombstone *old;

	if (c->queue >= 0)
		g_queue_unlink(&t->queue[c->queue], &c->link);
	c->queue = -1;
	slot_remove(t, c);
	t->live--;
	if ((old = tfe_flow_tomb(t, &c->key)) != NULL)
		drop_tomb(t, old);
	if (tomb != NULL)
		push_tomb(t, &c->key, tomb);
}

bool
tfe_flow_drop_oldest_tomb(struct tfe_flow_table *t)
{
	struct tfe_tombstone *r;

	while ((r = tomb_oldest(t)) != NULL) {
		tomb_pop(t);
		if (r->active) {
			drop_tomb(t, r);
			return true;
		}
	}
	return false;
}

void
tfe_flow_expire_tombs(struct tfe_flow_table *t, int64_t now)
{
	struct tfe_tombstone *r;

	while ((r = tomb_oldest(t)) != NULL) {
		if (r->active) {
			if (r->until > now)
				break;
			drop_tomb(t, r);
		}
		tomb_pop(t);
	}
}

void
tfe_flow_foreach_tomb(const struct tfe_flow_table *t,
                      void (*fn)(const struct tfe_tombstone *tomb, void *ud),
                      void *ud)
{
	for (const struct tfe_tomb_block *b = t->tomb_head; b; b = b->next) {
		guint from = b == t->tomb_head ? t->tomb_head_i : 0;
		guint to = b == t->tomb_tail ? t->tomb_tail_i : TFE_TOMB_BLOCK;
		for (guint i = from; i < to; i++)
			if (b->rec[i].active)
				fn(&b->rec[i], ud);
	}
}
