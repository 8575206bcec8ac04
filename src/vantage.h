/*
 * vantage.h: where the capture point sits between a connection's two
 * hosts, and what that means for the time each host changed state.
 *
 * A segment passes the capture point one one-way delay after its sender
 * sent it and one one-way delay before its receiver gets it.  The round
 * trip from the capture point to a host and back is measured from the
 * timeline: a segment that takes sequence space (SYN, data, FIN) to the
 * host, not re-sent, and the host's first ACK that covers it, with no
 * folded run between them that could hide an earlier ACK, when that ACK
 * is a bare one or a SYN+ACK (one with data or a FIN waited for the
 * application).  The smallest
 * such time is the round trip (the host's own processing and delayed
 * ACKs only add to it); half of it is the one-way delay, assuming the
 * path is as long each way, and the whole of it is the bound (the path
 * could be all one way).  TTL or hop limit against the usual initial
 * values (64, 128, 255) counts the routers between the host and the
 * capture point.  doc/states.md ("The vantage model") has the method.
 */
#ifndef TFE_VANTAGE_H
#define TFE_VANTAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "conn.h"

/* Below this a host counts as at the capture point: its far-side times
 * are the wire's (a host's own processing is of that order). */
#define TFE_VANTAGE_NEAR_NS INT64_C(1000000)

enum tfe_vantage_pos {
	TFE_VP_UNKNOWN,        /* no round trip measured either way */
	TFE_VP_NEAR_CLIENT,
	TFE_VP_NEAR_SERVER,
	TFE_VP_BETWEEN,
	TFE_VP_NEAR_BOTH,      /* both within TFE_VANTAGE_NEAR_NS, TTL cannot
	                          tell one from the other */
	TFE_VP_ONE_DIRECTION,  /* only one direction captured */
	TFE_VP__COUNT
};
/* "near_client", ... (JSON) and "near the client", ... (text) */
extern const char *const tfe_vantage_names[TFE_VP__COUNT];
extern const char *const tfe_vantage_text[TFE_VP__COUNT];

struct tfe_vantage {
	uint8_t pos;           /* enum tfe_vantage_pos */
	bool rtt_known[2];     /* per side (TFE_SIDE_*) */
	int64_t rtt[2];        /* capture point -> side -> capture point, ns */
	int64_t delay[2];      /* estimated one-way delay, ns (rtt / 2) */
	int64_t delay_max[2];  /* its bound, ns (rtt) */
	uint32_t samples[2];   /* round-trip samples taken */
	int hops[2];           /* routers between the side and the capture
	                          point by TTL, -1 when not known */
};

void tfe_vantage_estimate(const struct tfe_conn *c, struct tfe_vantage *v);

/* The delay that moves the side's far-side times: delay[side] when it is
 * at least TFE_VANTAGE_NEAR_NS, else 0. */
int64_t tfe_vantage_shift(const struct tfe_vantage *v, int side);

/* When `side` changed state at timeline row `r`, by the host's clock
 * (the capture's): a frame it received arrived shift later than the
 * capture point saw it, one it sent left shift earlier; a timer row
 * counts from a receipt.  Runs keep the wire time. */
int64_t tfe_vantage_time(const struct tfe_vantage *v, int side,
                         const struct tfe_row *r);

/* The same for the side's next change of state, read in row order: a
 * host goes through its states in order, so never before *last (its
 * previous change, INT64_MIN before the first), which it then becomes. */
int64_t tfe_vantage_time_next(const struct tfe_vantage *v, int side,
                              const struct tfe_row *r, int64_t *last);

#endif /* TFE_VANTAGE_H */
