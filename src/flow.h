/*
 * flow.h: the flow table.  It maps a canonical 4-tuple to the live
 * connection on it and to the tombstone of the one before, and keeps the
 * live connections in two queues ordered by last activity: open ones (for
 * the idle timeout and eviction) and ended ones lingering for late
 * retransmissions.  Tombstones wait 2MSL in a queue of their own.
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

/* Lower endpoint (address, then port) first; fixed size, no padding holes
 * left uninitialised, so it hashes and compares as bytes. */
struct tfe_flow_key {
	uint8_t addr_lo[16];
	uint8_t addr_hi[16];
	uint16_t port_lo, port_hi;
	uint8_t family;
	uint8_t pad[3];
};

/* What stays of a finished connection for 2MSL (SPEC §7). */
struct tfe_tombstone {
	bool active;
	uint64_t conn_id;
	int64_t until;           /* ns: forgotten after this */
	int64_t tw_since;        /* when its TIME_WAIT began, 0 if none */
	uint8_t tw_side;         /* TFE_SIDE_* in TIME_WAIT */
	bool client_is_lo;
	uint32_t snd_nxt[2];     /* end of each side's sequence space */
};

struct tfe_flow {
	struct tfe_flow_key key;
	struct tfe_conn *conn;   /* live connection, or NULL */
	struct tfe_tombstone tomb;
	GList tomb_link;         /* in the tombstone queue while active */
};

enum tfe_queue { TFE_Q_OPEN, TFE_Q_LINGER, TFE_Q__COUNT };

struct tfe_flow_table {
	GHashTable *flows;        /* struct tfe_flow_key -> struct tfe_flow */
	GQueue queue[TFE_Q__COUNT]; /* struct tfe_conn, oldest first */
	GQueue tombs;             /* struct tfe_flow, oldest first */
	guint live;               /* live connections */
	guint max_tombs;          /* tombstones kept at most; past it the
	                             oldest is forgotten early (counted) */
	uint64_t tombs_dropped;
};

/* Default for max_tombs: as many as --max-flows' default. */
#define TFE_FLOW_MAX_TOMBS 262144

/* Fills `k` from a segment; returns true when the source is the lower
 * endpoint. */
bool tfe_flow_key_make(const struct tfe_segment *s, struct tfe_flow_key *k);

void tfe_flow_table_init(struct tfe_flow_table *t);
void tfe_flow_table_clear(struct tfe_flow_table *t);

/* Finds or creates the flow for `k`. */
struct tfe_flow *tfe_flow_get(struct tfe_flow_table *t,
                              const struct tfe_flow_key *k);

/* Attaches a new live connection to a flow (it goes to the open queue). */
void tfe_flow_attach(struct tfe_flow_table *t, struct tfe_flow *f,
                     struct tfe_conn *c);

/* Marks activity: moves the connection to the tail of queue `q`. */
void tfe_flow_touch(struct tfe_flow_table *t, struct tfe_conn *c,
                    enum tfe_queue q);

/* Detaches a live connection (the caller frees it) and, when `tomb` is
 * given, leaves that tombstone. */
void tfe_flow_detach(struct tfe_flow_table *t, struct tfe_conn *c,
                     const struct tfe_tombstone *tomb);

/* Drops tombstones whose time is up at `now`, and flows left empty. */
void tfe_flow_expire_tombs(struct tfe_flow_table *t, int64_t now);

static inline struct tfe_conn *
tfe_flow_queue_head(struct tfe_flow_table *t, enum tfe_queue q)
{
	GList *l = g_queue_peek_head_link(&t->queue[q]);
	return l ? l->data : NULL;
}

#endif /* TFE_FLOW_H */
