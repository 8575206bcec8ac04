/*
 * seq.h: TCP sequence number arithmetic, modulo 2^32 (RFC 9293 §3.4).
 *
 * Sequence numbers wrap; "a before b" means the signed distance from a to
 * b is positive.  Two numbers 2^31 apart are not comparable, which never
 * happens inside one window.
 */
#ifndef TFE_SEQ_H
#define TFE_SEQ_H

#include <stdbool.h>
#include <stdint.h>

static inline int32_t
tfe_seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static inline bool tfe_seq_lt(uint32_t a, uint32_t b) { return tfe_seq_diff(a, b) < 0; }
static inline bool tfe_seq_leq(uint32_t a, uint32_t b) { return tfe_seq_diff(a, b) <= 0; }
static inline bool tfe_seq_gt(uint32_t a, uint32_t b) { return tfe_seq_diff(a, b) > 0; }
static inline bool tfe_seq_geq(uint32_t a, uint32_t b) { return tfe_seq_diff(a, b) >= 0; }

/* The later of two sequence numbers. */
static inline uint32_t
tfe_seq_max(uint32_t a, uint32_t b)
{
	return tfe_seq_gt(a, b) ? a : b;
}

#endif /* TFE_SEQ_H */
