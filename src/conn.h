/*
 * conn.h: both endpoints' state machines for one TCP connection (the
 * record itself is in record.h).
 *
 * conn.c feeds every segment through both sides' state machines (the tables
 * in tcpstate.c plus one short switch for the exceptions), tracks sequence
 * numbers, options and windows, and appends timeline rows.  It does not
 * decode packets, look up flows or print.
 */
#ifndef TFE_CONN_H
#define TFE_CONN_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "record.h"

void tfe_config_defaults(struct tfe_config *cfg);

extern const char *const tfe_roles_names[TFE_ROLES__COUNT];
extern const char *const tfe_close_names[TFE_CLOSE__COUNT];

/*
 * Starts a connection with its first segment `s`, sent by the lower
 * endpoint of the flow key when `from_lo`.  Roles come from that segment
 * (doc/states.md, Roles).  Call tfe_conn_update() with the same segment next.
 */
struct tfe_conn *tfe_conn_new(uint64_t id, const struct tfe_segment *s,
                              bool from_lo, const struct tfe_config *cfg);
/* The connection, over, is followed on its 4-tuple by a SYN from its
 * client with the same ISN: a client that re-sends its SYN after a RST
 * refused it (Windows retries twice).  If the client was refused, the
 * row where it received that RST says connect() had not failed yet
 * (recv_rst_refused_retried) and rst_to_closed_port says so. */
void tfe_conn_syn_again(struct tfe_conn *c);

/*
 * An ICMP error (decode.h: TFE_DR_ICMP_ERROR) quoting a segment that
 * `side` sent, at frame `frame`: true when the quoted sequence number is
 * one the side has sent and not yet had acknowledged (Linux's check in
 * tcp_v4_err()/tcp_v6_err(), inclusive at both ends), and the error is
 * then recorded in the connection's rare part.  An error the kernel takes
 * as hard for the side's state (SYN_SENT: every error but a packet too big
 * or fragmentation needed; SYN_RECEIVED: the ones that drop the SYN
 * queue's request) closes the side when the connection is finished, with
 * an arrival row, unless the side sent again after it (its stack took the
 * error as soft: a SYN re-sent with the same sequence number).
 */
bool tfe_conn_icmp_error(struct tfe_conn *c, const struct tfe_segment *s,
                         int side, uint64_t frame, int64_t ts);

/* Feeds one segment through both sides' state machines. */
void tfe_conn_update(struct tfe_conn *c, const struct tfe_segment *s,
                     int side, uint64_t frame, int64_t ts,
                     const struct tfe_config *cfg);

/* A new SYN on the 4-tuple at `ts` took the pair over: a side in
 * TIME_WAIT is CLOSED from then on (RFC 6191). */
void tfe_conn_take_over(struct tfe_conn *c, int64_t ts);

/* Settles the close summary and the 2MSL timer rows; call once. */
void tfe_conn_finish(struct tfe_conn *c, enum tfe_end_cause cause,
                     const struct tfe_config *cfg);

/* The RST row `rst` of `side` against its other kept frames: *above when
 * its TTL is above all of theirs, *near when one is within 4 of it; the
 * number of frames compared. */
guint tfe_conn_rst_ttl(const struct tfe_conn *c, int side,
                       const struct tfe_row *rst, bool *above, bool *near);

/* When a side still in SYN_SENT was due to send its next SYN (by then it
 * re-sent or gave up), by the back-off of its SYNs; 0 when it is not in
 * SYN_SENT.  *wait gets the back-off. */
int64_t tfe_conn_syn_due(const struct tfe_conn *c, int side, int64_t *wait);

/* After tfe_conn_finish(), with `now` the capture's time: a side still in
 * SYN_SENT whose next SYN was due well before `now` and never came had
 * given up by then (a timer row at that time, CLOSED). */
void tfe_conn_syn_given_up(struct tfe_conn *c, int64_t now);

/* Window as the receiver should read it: raw << wscale when both SYNs
 * negotiated scaling (RFC 7323 §2.3), never on a SYN. */
/* Why the handshake RTT is no sample (Karn's rule, RFC 6298 §3): the SYN
 * or the SYN+ACK was sent more than once, so the answer seen may answer
 * either copy and a time taken from it may be too short or too long.
 * NULL when each was sent once. */
const char *tfe_conn_handshake_ambiguous(const struct tfe_conn *c);

/* The handshake's two halves in ns: the last SYN before the first
 * SYN+ACK to that SYN+ACK (`up`) and the last SYN+ACK to the ACK
 * (`down`).  False when the handshake was not all seen, or was a
 * simultaneous open.  Timed from the wire, whatever was re-sent: the
 * analysis uses it as an estimate of the round trip; what is printed as
 * the handshake RTT must first ask tfe_conn_handshake_ambiguous(). */
bool tfe_conn_handshake_rtt(const struct tfe_conn *c, int64_t *up,
                            int64_t *down);

/* Whether window scaling is in use cannot be told: it is not known to be
 * on (ws_ok), no SYN seen whole lacks the option, and a SYN whose options
 * the capture cut may have carried it. */
bool tfe_conn_ws_unknown(const struct tfe_conn *c);

/* Relative sequence numbers as printed: the side's first seen is 0. */
uint32_t tfe_conn_rel_seq(const struct tfe_conn *c, int side, uint32_t seq);

/* Sequence/window check of a segment from `side` against what was seen of
 * its receiver; see conn.c for the numbered bounds. */
enum tfe_seqcheck {
	TFE_SEQ_OK,
	TFE_SEQ_UNKNOWN,        /* too little seen of the receiver to tell */
	TFE_SEQ_PAST_WINDOW,    /* bound 1 */
	TFE_SEQ_TOO_OLD,        /* bound 2 */
	TFE_SEQ_ACK_UNSENT,     /* bound 3 */
	TFE_SEQ__COUNT
};
extern const char *const tfe_seqcheck_names[TFE_SEQ__COUNT];

#endif /* TFE_CONN_H */
