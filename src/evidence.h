/*
 * evidence.h: the evidence tracker (evidence.c), what the capture shows of
 * each side of a connection.  Called by conn.c; nothing here decides a
 * state.
 */
#ifndef TFE_EVIDENCE_H
#define TFE_EVIDENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "record.h"
#include "decode.h"

/* Bookkeeping of what the sender has now shown of itself: sequence space,
 * ACKs, windows, its SYN's options, its FIN and RST. */
void tfe_evidence_sender(struct tfe_conn *c, int side,
                         const struct tfe_segment *s, uint64_t frame,
                         int64_t ts);

/* Keepalive answers, zero-window stalls and full windows, from the
 * frame's notes (TFE_NOTE_*). */
void tfe_evidence_signals(struct tfe_conn *c, int side,
                          const struct tfe_segment *s, uint16_t notes,
                          uint64_t frame, int64_t ts);

/* The hole of the side's sequence space a data segment fills, when it
 * came soon enough to be reordered rather than re-sent; -1 otherwise. */
int tfe_evidence_reordered_hole(const struct tfe_conn *c, int side,
                                const struct tfe_segment *s, int64_t ts);
void tfe_evidence_count_reordered(struct tfe_conn *c, int side,
                                  const struct tfe_segment *s, int64_t ts);

/* An ACK from `side` over part of a hole in the peer's sequence space:
 * the covered part leaves the holes.  True when it covered any. */
bool tfe_evidence_acks_hole(struct tfe_conn *c, int side, uint32_t ack);

/* One direction captured: whether the timestamp the side echoes moved
 * (tfe_conn.echo_moved). */
void tfe_evidence_echo(struct tfe_conn *c, int side,
                       const struct tfe_segment *s);

/* A frame the capture repeated, not a second transmission. */
bool tfe_evidence_is_copy(const struct tfe_conn *c,
                          const struct tfe_segment *s, int side, int64_t ts);
void tfe_evidence_copy_add(struct tfe_conn *c, const struct tfe_segment *s,
                           int side, int64_t ts);

/* The segment at `ts` ends a silence of --idle-gap-threshold or more. */
void tfe_evidence_idle_gap(struct tfe_conn *c, int side, uint64_t frame,
                           int64_t ts);

#endif /* TFE_EVIDENCE_H */
