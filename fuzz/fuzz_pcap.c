/*
 * fuzz_pcap.c: arbitrary bytes as a whole capture file, read from memory
 * (fmemopen) through the same capture module and loop as
 * "tcpflow-explain -r FILE" (libpcap opens it; a classic pcap file's
 * records are then parsed by capture.c, pcapng's by libpcap), then
 * analysed and rendered.  Each input is first read twice more, by the
 * record parser and by libpcap alone, and the two readings must be the
 * same (frames, bytes, frame count, end, error text) or the run aborts.
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Everything a reading of the input gives: each frame's number, time,
 * lengths, link type and bytes, then the frame count and how it ended.
 * NULL when it does not open. */
static GByteArray *
reading(const uint8_t *data, size_t size, bool libpcap)
{
	GByteArray *log;
	GError *err = NULL;
	struct tfe_capture *cap;
	struct tfe_packet p;
	FILE *fp = fmemopen((void *)data, size, "rb");
	int rc;

	if (fp == NULL)
		return NULL;
	tfe_capture_libpcap_only(libpcap);
	cap = tfe_capture_open_stream(fp, "fuzz", NULL, &err);
	tfe_capture_libpcap_only(false);
	if (cap == NULL) {
		g_error_free(err);
		return NULL;
	}
	log = g_byte_array_new();
	while ((rc = tfe_capture_next(cap, &p, &err)) == 1) {
		int64_t v[5] = { (int64_t)p.frame, p.ts, p.caplen, p.len,
		                 p.linktype };
		g_byte_array_append(log, (const guint8 *)v, sizeof v);
		g_byte_array_append(log, p.data, p.caplen);
	}
	int64_t end[2] = { rc, (int64_t)tfe_capture_frames(cap) };
	g_byte_array_append(log, (const guint8 *)end, sizeof end);
	if (err != NULL) {
		g_byte_array_append(log, (const guint8 *)err->message,
		                    (guint)strlen(err->message));
		g_error_free(err);
	}
	tfe_capture_close(cap);
	return log;
}

/* capture.c's record parser must give exactly what libpcap gives. */
static void
same_as_libpcap(const uint8_t *data, size_t size)
{
	GByteArray *own = reading(data, size, false);
	GByteArray *lib = reading(data, size, true);

	if ((own == NULL) != (lib == NULL) ||
	    (own != NULL && (own->len != lib->len ||
	                     memcmp(own->data, lib->data, own->len) != 0))) {
		fprintf(stderr, "fuzz_pcap: the record parser and libpcap read "
		        "this input differently\n");
		abort();
	}
	if (own != NULL) {
		g_byte_array_free(own, TRUE);
		g_byte_array_free(lib, TRUE);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_run r;
	GError *err = NULL;
	struct tfe_packet p;
	FILE *fp;

	if (size == 0)
		return 0; /* fmemopen needs a buffer */
	same_as_libpcap(data, size);
	fp = fmemopen((void *)data, size, "rb");
	if (fp == NULL)
		return 0;
	struct tfe_capture *cap = tfe_capture_open_stream(fp, "fuzz", NULL,
	                                                  &err);
	if (cap == NULL) {
		g_error_free(err);
		return 0;
	}
	/* The knobs stay at the program's defaults here but for the
	 * netstat view, which main.c takes only with --format netstat. */
	fz_run_start(&r, size & 1 ? 0x00 : 0x40);
	r.an.stats.timestamps_ns = tfe_capture_nanos(cap);
	while (tfe_capture_next(cap, &p, &err) == 1)
		tfe_analyzer_frame(&r.an, p.linktype, p.frame, p.ts, p.data,
		                   p.caplen, p.len);
	r.an.stats.frames_read = tfe_capture_frames(cap);
	fz_run_end(&r);
	if (err != NULL)
		g_error_free(err);
	tfe_capture_close(cap);
	return 0;
}
