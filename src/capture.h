/*
 * capture.h: where frames come from, behind one small interface that yields
 * (timestamp, caplen, len, bytes, link type).  Several files are read in
 * order as one capture.  Errors come back as a GError carrying libpcap's own
 * text; the caller prints them once.
 */
#ifndef TFE_CAPTURE_H
#define TFE_CAPTURE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define TFE_ERROR (tfe_error_quark())
GQuark tfe_error_quark(void);

/* GError codes; main maps them to exit codes (SPEC §1). */
enum tfe_error_code {
	TFE_ERR_USAGE,   /* exit 2: bad option or filter */
	TFE_ERR_INPUT,   /* exit 3: file, interface, permission, damage */
	TFE_ERR_INTERNAL /* exit 4 */
};

/* Timestamps further than this from 1970 (either way) are damage; the
 * bound keeps the ns clock and its timers within int64 (2^62 ns is about
 * 146 years; a classic pcap reaches 2106 at most). */
#define TFE_CAPTURE_MAX_SEC INT64_C(4611686000)

struct tfe_packet {
	uint64_t frame;          /* 1-based, counting every frame of every file
	                            read so far, filtered out or not */
	int64_t ts;              /* ns since the epoch */
	uint32_t caplen;         /* bytes in data */
	uint32_t len;            /* length on the wire */
	const uint8_t *data;     /* valid until the next call */
	int linktype;            /* DLT_ value */
};

struct tfe_capture;

/* Opens every file up front (so a missing third file fails before any
 * output) and compiles `filter` (may be NULL) for each.  "-" is stdin. */
struct tfe_capture *tfe_capture_open_files(char **paths, guint n,
                                           const char *filter,
                                           GError **err);

/* The same for one seekable stream already open (the fuzz target reads
 * a capture from memory this way); `fp` is owned from here on, closed even
 * on failure. */
struct tfe_capture *tfe_capture_open_stream(FILE *fp, const char *name,
                                            const char *filter,
                                            GError **err);

/* 1: a packet in *p; 0: end of input; -1: damaged input, *err says where
 * (what was read before stays valid). */
int tfe_capture_next(struct tfe_capture *cap, struct tfe_packet *p,
                     GError **err);

/* Frames read so far, filtered out or not. */
uint64_t tfe_capture_frames(const struct tfe_capture *cap);

/* True when the input carries nanosecond timestamps. */
bool tfe_capture_nanos(const struct tfe_capture *cap);

void tfe_capture_close(struct tfe_capture *cap);

#endif /* TFE_CAPTURE_H */
