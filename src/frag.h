/*
 * frag.h: IPv4 and IPv6 fragment reassembly, between the decoder and the
 * flow table.
 *
 * tfe_defrag_frame() decodes a frame as tfe_decode_frame() does; a
 * fragment of a datagram that may lead to TCP is held instead, and the
 * frame that completes its datagram yields the datagram decoded whole
 * (the TCP segment inside, or whatever else it is).  So a SYN split over
 * fragments starts its connection at the frame of its last fragment, as
 * Wireshark, Zeek and Suricata show it.
 *
 * The rules (doc/hardening.md says the same for users):
 *   - Datagrams are told apart by addresses, identification, IPv4
 *     protocol, and the tunnel they came through.
 *   - A fragment whose bytes all lie within what is held is a duplicate:
 *     dropped, the first copy wins, the datagram goes on.  A fragment
 *     that overlaps only part of what is held drops the whole datagram
 *     (RFC 5722 for IPv6; Linux does the same for IPv4 since 4.19).
 *   - A fragment that contradicts its datagram (empty, past 65535 bytes,
 *     a length not a multiple of 8 with more to come, an end other than
 *     the last fragment's, or data past it) drops the datagram.
 *   - A datagram not complete TFE_FRAG_TIMEOUT_V4 (IPv6: _V6) seconds of
 *     capture time after its first fragment is dropped, as Linux's
 *     ipfrag_time and ip6frag_time do.
 *   - At most TFE_FRAG_MAX_DATAGRAMS datagrams and TFE_FRAG_MAX_BYTES
 *     bytes are held; a fragment that needs room pushes the oldest
 *     datagrams out.  At most TFE_FRAG_MAX_PIECES fragments make one
 *     datagram.
 *   - A dropped datagram is remembered, without its bytes, until its
 *     timeout, so that its later fragments are counted as such.
 *   - A fragment cut by the snapshot length is not held (Wireshark does
 *     not reassemble it either): it is decoded alone, as it would be
 *     without reassembly, so a first fragment still shows its TCP header
 *     (TFE_DR_OK, its lengths the fragment's) and a later one is counted
 *     as a fragment.
 * Every frame gets a decode reason (a fragment held is
 * TFE_DR_IPV4_FRAGMENT or TFE_DR_IPV6_FRAGMENT) and every datagram an
 * outcome in struct tfe_defrag_stats.
 *
 * One table per reading thread; it allocates only for fragments.  It
 * keeps no pointer into a frame.
 */
#ifndef TFE_FRAG_H
#define TFE_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"

#define TFE_FRAG_TIMEOUT_V4   30   /* s, Linux's net.ipv4.ipfrag_time */
#define TFE_FRAG_TIMEOUT_V6   60   /* s, Linux's net.ipv6.ip6frag_time */
#define TFE_FRAG_MAX_DATAGRAMS 4096
#define TFE_FRAG_MAX_BYTES    (4u << 20) /* held bytes and bookkeeping,
                                            Linux's ipfrag_high_thresh */
#define TFE_FRAG_MAX_PIECES   1024

/* Why a datagram was dropped.  Append only; tfe_frag_drop_names[] and the
 * JSON keys are indexed the same way. */
enum tfe_frag_drop {
	TFE_FD_TIMEOUT,      /* not complete within its timeout */
	TFE_FD_OVERLAP,      /* a fragment overlapped part of it */
	TFE_FD_INVALID,      /* a fragment contradicted it */
	TFE_FD_MEMORY,       /* pushed out to make room */
	TFE_FD_PIECES,       /* more than TFE_FRAG_MAX_PIECES fragments */
	TFE_FD_END,          /* not complete at the end of the capture */
	TFE_FD__COUNT
};

extern const char *const tfe_frag_drop_names[TFE_FD__COUNT];
extern const char *const tfe_frag_drop_keys[TFE_FD__COUNT];

struct tfe_defrag_stats {
	uint64_t reassembled;            /* datagrams completed */
	uint64_t reassembled_fragments;  /* fragments they were made of */
	uint64_t dropped[TFE_FD__COUNT]; /* datagrams dropped, by cause */
	uint64_t dropped_fragments;      /* fragments held by those */
	uint64_t peak_datagrams;         /* most held at once, dropped
	                                    ones remembered included */
};

/* The part of the table that tfe_defrag_frame() reads inline; the rest
 * is frag.c's. */
struct tfe_defrag_head {
	size_t count;                    /* datagrams held or remembered */
};

struct tfe_defrag;

struct tfe_defrag *tfe_defrag_new(void);
void tfe_defrag_free(struct tfe_defrag *d);

/*
 * One frame, in capture order, at `ts` (ns on the capture's clock):
 * returns its decode reason, with `out` filled when TFE_DR_OK (the
 * segment of a datagram this frame completed, or of the frame itself).
 */
enum tfe_decode_reason tfe_defrag_more(struct tfe_defrag *d, int linktype,
                                       int64_t ts, const uint8_t *data,
                                       size_t caplen, size_t wirelen,
                                       struct tfe_segment *out,
                                       enum tfe_decode_reason r,
                                       const struct tfe_fragment *f);

/* Inline, so that the ordinary frame (no fragment, none held) costs the
 * decoder's call and two tests; tfe_defrag_more() does the rest. */
static inline enum tfe_decode_reason
tfe_defrag_frame(struct tfe_defrag *d, int linktype, int64_t ts,
                 const uint8_t *data, size_t caplen, size_t wirelen,
                 struct tfe_segment *out)
{
	struct tfe_fragment f;
	enum tfe_decode_reason r;

	r = tfe_decode_frame_frag(linktype, data, caplen, wirelen, out, &f);
	if (__builtin_expect(((const struct tfe_defrag_head *)(void *)d)->count
	                     == 0 && r != TFE_DR_IPV4_FRAGMENT &&
	                     r != TFE_DR_IPV6_FRAGMENT, 1))
		return r;
	return tfe_defrag_more(d, linktype, ts, data, caplen, wirelen, out, r,
	                       &f);
}

/* End of input: every datagram still incomplete is dropped (TFE_FD_END). */
void tfe_defrag_finish(struct tfe_defrag *d);

/* The counts so far. */
const struct tfe_defrag_stats *tfe_defrag_stats(const struct tfe_defrag *d);

/* Adds `from` into `to` (peaks: the larger). */
void tfe_defrag_stats_add(struct tfe_defrag_stats *to,
                          const struct tfe_defrag_stats *from);

#endif /* TFE_FRAG_H */
