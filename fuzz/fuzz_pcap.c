/*
 * fuzz_pcap.c: arbitrary bytes as a whole capture file, read from memory
 * (fmemopen) through the same capture module and loop as
 * "tcpflow-explain -r FILE" (libpcap opens it; a classic pcap file's
 * records are then parsed by capture.c, pcapng's by libpcap), then
 * analysed and rendered.
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_run r;
	GError *err = NULL;
	struct tfe_packet p;
	FILE *fp;

	if (size == 0)
		return 0; /* fmemopen needs a buffer */
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
