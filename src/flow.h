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

#include "conn.h"
#include "decode.h"

/* struct tfe_flow_key is in conn.h: each connection holds its own. */

/* What stays of a finished connection for 2MSL (SPEC §7): a fixed-size
 * record of its own, in blocks in the order they were left (the order they
 * expire in), found by key through an open-addressing index of 4-byte
 * slots (the record's block and place; no hash kept).  A record
 * dropped before its turn stays in its block, inactive, until the head of
 * the queue passes it.  48 bytes: an IPv4 key is kept in the record
 * (addresses in v4, lower one first); any other key is allocated on its
 * own (v6), so the many short IPv4 connections of a busy capture cost
 * little for their 2MSL.  tfe_flow_tomb_key() gives the key back. */
enum tfe_tomb_kind { TFE_TOMB_V4, TFE_TOMB_KEY };

struct tfe_tombstone {
	uint64_t conn_id;
	int64_t until;           /* ns: forgotten after this */
	int64_t tw_since;        /* when its TIME_WAIT began, 0 if none */
	uint32_t snd_nxt[2];     /* end of each side's sequence space */
	union {
		uint8_t v4[8];           /* TFE_TOMB_V4: addr_lo, addr_hi */
		struct tfe_flow_key *key;/* TFE_TOMB_KEY: the whole key */
	} addr;
	uint16_t port_lo, port_hi; /* TFE_TOMB_V4 */
	uint8_t kind;            /* enum tfe_tomb_kind */
	uint8_t tw_side;         /* TFE_SIDE_* in TIME_WAIT */
	bool client_is_lo;
	bool active;
};

/* The key of an active tombstone. */
void tfe_flow_tomb_key(const struct tfe_tombstone *t, struct tfe_flow_key *k);

#define TFE_TOMB_BLOCK 256
struct tfe_tomb_block {
	struct tfe_tomb_block *next;
	guint dir;               /* its place in the table's tomb_dir */
	struct tfe_tombstone rec[TFE_TOMB_BLOCK];
};

/* A slot of the open-addressing table of live connections: empty when
 * conn is NULL; hash is the key's, kept to skip most key comparisons and
 * to move entries without reading the connection. */
struct tfe_flow_slot {
	struct tfe_conn *conn;
	uint32_t hash;
};

enum tfe_queue { TFE_Q_OPEN, TFE_Q_LINGER, TFE_Q__COUNT };

struct tfe_flow_table {
	struct tfe_flow_slot *slots; /* live connections by key, linear
	                                probing, at most half full */
	guint nslots;             /* a power of two, or 0 before the first */
	GQueue queue[TFE_Q__COUNT]; /* struct tfe_conn, oldest first */
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
	guint ntombs;             /* active tombstones */
	guint live;               /* live connections */
};

/* Fills `k` from a segment; returns true when the source is the lower
 * endpoint. */
bool tfe_flow_key_make(const struct tfe_segment *s, struct tfe_flow_key *k);

void tfe_flow_table_init(struct tfe_flow_table *t);
void tfe_flow_table_clear(struct tfe_flow_table *t);

/* The live connection on `k`, or NULL. */
struct tfe_conn *tfe_flow_lookup(struct tfe_flow_table *t,
                                 const struct tfe_flow_key *k);

/* The hash the table keeps `k` under, and the lookup with it already
 * computed (the reading thread computes it, reader.c). */
uint32_t tfe_flow_key_hash(const struct tfe_flow_key *k);
struct tfe_conn *tfe_flow_lookup_hashed(struct tfe_flow_table *t,
                                        const struct tfe_flow_key *k,
                                        uint32_t h);

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
		if (sl->conn != NULL && sl->hash == h)
			__builtin_prefetch(sl->conn);
	}
}

/* The active tombstone on `k`, or NULL.  Valid until the table changes. */
struct tfe_tombstone *tfe_flow_tomb(struct tfe_flow_table *t,
                                    const struct tfe_flow_key *k);

/* Occupied slots, counted (for the tests: it must equal live). */
guint tfe_flow_table_size(const struct tfe_flow_table *t);

/* Occupied tombstone slots, counted (for the tests: it must equal
 * ntombs). */
guint tfe_flow_tomb_index_size(const struct tfe_flow_table *t);

/* Adds a new live connection on `k` (it goes to the open queue); there
 * must be none. */
void tfe_flow_attach(struct tfe_flow_table *t, const struct tfe_flow_key *k,
                     struct tfe_conn *c);

/* Marks activity: moves the connection to the tail of queue `q`. */
void tfe_flow_touch(struct tfe_flow_table *t, struct tfe_conn *c,
                    enum tfe_queue q);

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
	const struct tfe_tomb_block *b = t->tomb_head;

	if (b == NULL || (b == t->tomb_tail && t->tomb_head_i == t->tomb_tail_i))
		return false;
	const struct tfe_tombstone *r = &b->rec[t->tomb_head_i];
	return !r->active || r->until <= now;
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
tfe_flow_queue_head(struct tfe_flow_table *t, enum tfe_queue q)
{
	GList *l = t->queue[q].head; /* on every packet: no call */
	return l ? l->data : NULL;
}

#endif /* TFE_FLOW_H */
