/*
 * flow.h: the flow table.  It maps a canonical 4-tuple to the live
 * connection on it and to the tombstone of the one before, and keeps the
 * live connections in two queues ordered by last activity: open ones (for
 * the idle timeout and eviction) and ended ones lingering for late
 * retransmissions.  Tombstones wait 2MSL in a table and a queue of their
 * own.
 *
 * It owns the memory of flows, not the decisions: analyze.c says when a
 * connection starts and ends.
 */
#ifndef TFE_FLOW_H
#define TFE_FLOW_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "conn.h"
#include "decode.h"

/* struct tfe_flow_key is in conn.h: each connection holds its own. */

/* What stays of a finished connection for 2MSL (doc/hardening.md), as the table
 * takes it (tfe_flow_detach) and hands it out (tfe_flow_tomb,
 * tfe_flow_foreach_tomb): a copy, decoded from the record below. */
struct tfe_tombstone {
	uint64_t conn_id;
	int64_t until;           /* ns: forgotten after this */
	int64_t tw_since;        /* when its TIME_WAIT began, 0 if none */
	uint32_t snd_nxt[2];     /* end of each side's sequence space */
	struct tfe_flow_key key; /* filled by the table (tfe_flow_detach
	                            takes the connection's) */
	uint8_t tw_side;         /* TFE_SIDE_* in TIME_WAIT */
	bool client_is_lo;
	bool active;
};

/* Its key. */
void tfe_flow_tomb_key(const struct tfe_tombstone *t, struct tfe_flow_key *k);

/* The record kept: 32 bytes, in blocks in the order they were left (the
 * order they expire in), found by key through an open-addressing index
 * of 4-byte slots (the record's block and place; no hash kept).  A record
 * dropped before its turn stays in its block, inactive, until the head of
 * the queue passes it.  Times and the connection number are kept as
 * distances from bases in the block (set by its first record); an IPv4
 * key is kept in the record (addresses in v4, lower one first).  Any
 * other key is kept in a pool of keys (TFE_TOMB_KEY), and a record whose
 * numbers do not fit the distances is kept whole in a pool of its own
 * (TFE_TOMB_WIDE); ext is the place in that pool. */
enum tfe_tomb_kind { TFE_TOMB_V4, TFE_TOMB_KEY, TFE_TOMB_WIDE };

#define TFE_TOMB_NO_TW INT32_MIN /* gap_off when tw_since is 0 */

struct tfe_tomb_rec {
	uint32_t until_off;      /* until - the block's until_base */
	int32_t gap_off;         /* (until - tw_since) - the block's
	                            gap_base, or TFE_TOMB_NO_TW */
	uint32_t snd_nxt[2];
	union {
		struct {                 /* TFE_TOMB_V4 */
			uint8_t v4[8];   /* addr_lo, addr_hi */
			uint16_t port_lo, port_hi;
		} a;
		uint32_t ext;            /* TFE_TOMB_KEY, TFE_TOMB_WIDE */
	} u;
	signed int id_off : 24;  /* conn_id - the block's id_base */
	unsigned int kind : 2;   /* enum tfe_tomb_kind */
	unsigned int tw_side : 2;
	unsigned int client_is_lo : 1;
	unsigned int active : 1;
};

/* A record kept whole (TFE_TOMB_WIDE). */
struct tfe_tomb_wide {
	struct tfe_flow_key key;
	uint64_t conn_id;
	int64_t until, tw_since;
};

#define TFE_TOMB_BLOCK 256
struct tfe_tomb_block {
	struct tfe_tomb_block *next;
	guint dir;               /* its place in the table's tomb_dir */
	bool gap_set;            /* gap_base is set */
	int64_t until_base, gap_base;
	uint64_t id_base;
	struct tfe_tomb_rec rec[TFE_TOMB_BLOCK];
};

/* Items of one size in blocks of TFE_TOMB_BLOCK, numbered from 1; a freed
 * item links to the next free one through its first 4 bytes. */
struct tfe_tomb_pool {
	char **blocks;
	guint nblocks;
	guint item_size;
	uint32_t used;           /* items handed out at least once */
	uint32_t free_head;      /* 0 when none */
};

/* A slot of the open-addressing table of live connections: empty when
 * conn is NULL.  The key's hash is kept in the connection (tfe_conn.hash),
 * to skip most key comparisons and to move entries. */
struct tfe_flow_slot {
	struct tfe_conn *conn;
};

enum tfe_queue { TFE_Q_OPEN, TFE_Q_LINGER, TFE_Q__COUNT };

/* Connections linked through their hooks (tfe_flow_hook), oldest first. */
struct tfe_flow_queue {
	struct tfe_conn *head, *tail;
};

struct tfe_flow_table {
	struct tfe_flow_slot *slots; /* live connections by key, linear
	                                probing, at most half full */
	guint nslots;             /* a power of two, or 0 before the first */
	struct tfe_flow_queue queue[TFE_Q__COUNT];
	uint32_t *tomb_slots;     /* the active tombstones by key: linear
	                             probing, at most half full; 0 empty,
	                             else 1 + dir * TFE_TOMB_BLOCK + index */
	guint tomb_nslots;        /* a power of two, or 0 before the first */
	struct tfe_tomb_block **tomb_dir; /* every block allocated, by its
	                                     dir number */
	guint tomb_ndir;
	struct tfe_tomb_block *tomb_head, *tomb_tail; /* oldest first */
	guint tomb_head_i, tomb_tail_i; /* next to expire, next free */
	struct tfe_tomb_block *tomb_spare; /* blocks to reuse, linked */
	struct tfe_tomb_pool tomb_keys;  /* TFE_TOMB_KEY records' keys */
	struct tfe_tomb_pool tomb_wide;  /* TFE_TOMB_WIDE records */
	int64_t tomb_head_until;  /* the oldest record's until; INT64_MIN
	                             when it is inactive, INT64_MAX when
	                             there is none */
	struct tfe_tombstone tomb_copy; /* what tfe_flow_tomb() hands out */
	guint ntombs;             /* active tombstones */
	guint live;               /* live connections */
};

/* Fills `k` from a segment; returns true when the source is the lower
 * endpoint. */
bool tfe_flow_key_make(const struct tfe_segment *s, struct tfe_flow_key *k);

/* The same, with the key's hash (what the flow table keys it under) in
 * `hash`. */
bool tfe_flow_key_make_hashed(const struct tfe_segment *s, struct tfe_flow_key *k,
                              uint32_t *hash);

void tfe_flow_table_init(struct tfe_flow_table *t);
/* Empties the table, handing each live connection it still holds to
 * `drop` (the caller's to free: tfe_conn_free). */
void tfe_flow_table_clear(struct tfe_flow_table *t,
                          void (*drop)(struct tfe_conn *c));

/* The live connection on `k`, or NULL; `h` is the key's hash, as
 * tfe_flow_key_make_hashed() gives it.  Inline: once a frame. */
static inline struct tfe_conn *
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
		if (sl->conn->flow.hash == h &&
		    memcmp(&sl->conn->key, k, sizeof *k) == 0)
			return sl->conn;
	}
}

/* Reading ahead, for a frame a few places further in the input: asks the
 * CPU to fetch the slot a key of hash `h` starts its probe at, then (some
 * frames later, once that slot is in cache) the connection in it.  A hint
 * only: nothing is changed, and a wrong guess costs a cache line. */
static inline void
tfe_flow_prefetch_slot(const struct tfe_flow_table *t, uint32_t h)
{
	if (t->nslots != 0)
		__builtin_prefetch(&t->slots[h & (t->nslots - 1)]);
}

static inline void
tfe_flow_prefetch_conn(const struct tfe_flow_table *t, uint32_t h)
{
	if (t->nslots != 0) {
		const struct tfe_flow_slot *sl = &t->slots[h & (t->nslots - 1)];
		if (sl->conn != NULL)
			__builtin_prefetch(sl->conn);
	}
}

/* The active tombstone on `k`, copied, or NULL.  Valid until the next
 * call. */
const struct tfe_tombstone *tfe_flow_tomb(struct tfe_flow_table *t,
                                          const struct tfe_flow_key *k);

/* The same, `h` being the key's hash (tfe_flow_key_make_hashed()). */
const struct tfe_tombstone *tfe_flow_tomb_hashed(struct tfe_flow_table *t,
                                                 const struct tfe_flow_key *k,
                                                 uint32_t h);

/* A new connection took the 4-tuple over: the tombstone on `k` keeps no
 * TIME_WAIT from now on (tw_since 0). */
void tfe_flow_tomb_end_time_wait(struct tfe_flow_table *t,
                                 const struct tfe_flow_key *k);

/* Both in one look: the tombstone on `k` (hash `h`) as it was, copied, or
 * NULL; it keeps no TIME_WAIT from now on. */
const struct tfe_tombstone *tfe_flow_tomb_take_over(struct tfe_flow_table *t,
                                                    const struct tfe_flow_key *k,
                                                    uint32_t h);

/* Occupied slots, counted (for the tests: it must equal live). */
guint tfe_flow_table_size(const struct tfe_flow_table *t);

/* Occupied tombstone slots, counted (for the tests: it must equal
 * ntombs). */
guint tfe_flow_tomb_index_size(const struct tfe_flow_table *t);

/* Adds a new live connection on `k` (it goes to the open queue); there
 * must be none. */
void tfe_flow_attach(struct tfe_flow_table *t, const struct tfe_flow_key *k,
                     struct tfe_conn *c);

/* The same, `h` being the key's hash (tfe_flow_key_make_hashed()). */
void tfe_flow_attach_hashed(struct tfe_flow_table *t,
                            const struct tfe_flow_key *k, uint32_t h,
                            struct tfe_conn *c);

/* Moves the connection to the tail of queue `q` (tfe_flow_touch()'s
 * work). */
void tfe_flow_touch_move(struct tfe_flow_table *t, struct tfe_conn *c,
                         enum tfe_queue q);

/* Marks activity: moves the connection to the tail of queue `q`.  Inline:
 * on every frame, and the connection is often there already (a run of
 * segments of one connection). */
static inline void
tfe_flow_touch(struct tfe_flow_table *t, struct tfe_conn *c, enum tfe_queue q)
{
	if (c->flow.queue == (int)q && c->flow.next == NULL)
		return;
	tfe_flow_touch_move(t, c, q);
}

/* Detaches a live connection (the caller frees it) and forgets the
 * tombstone of the one before it; when `tomb` is given (its key is
 * ignored), leaves that tombstone instead. */
void tfe_flow_detach(struct tfe_flow_table *t, struct tfe_conn *c,
                     const struct tfe_tombstone *tomb);

/* Drops tombstones whose time is up at `now`. */
void tfe_flow_expire_tombs(struct tfe_flow_table *t, int64_t now);

/* True when tfe_flow_expire_tombs() has something to do: the oldest
 * record is inactive or its time is up.  Inline: asked on every packet. */
static inline bool
tfe_flow_tombs_due(const struct tfe_flow_table *t, int64_t now)
{
	return t->tomb_head_until <= now;
}

/* Drops the oldest tombstone before its time (to stay within a bound);
 * false when there is none. */
bool tfe_flow_drop_oldest_tomb(struct tfe_flow_table *t);

/* Calls `fn` on every active tombstone, oldest first. */
void tfe_flow_foreach_tomb(const struct tfe_flow_table *t,
                           void (*fn)(const struct tfe_tombstone *tomb,
                                      void *ud),
                           void *ud);

static inline struct tfe_conn *
tfe_flow_queue_head(const struct tfe_flow_table *t, enum tfe_queue q)
{
	return t->queue[q].head;
}

/* The connection after `c` in its queue, or NULL. */
static inline struct tfe_conn *
tfe_flow_queue_next(const struct tfe_conn *c)
{
	return c->flow.next;
}

/* Whether `c` heads its queue (the timers go by the heads). */
static inline bool
tfe_flow_heads_queue(const struct tfe_conn *c)
{
	return c->flow.queue >= 0 && c->flow.prev == NULL;
}

#endif /* TFE_FLOW_H */
