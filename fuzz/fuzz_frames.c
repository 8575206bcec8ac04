/*
 * fuzz_frames.c: arbitrary bytes as captured frames, straight into the
 * analysis (decode, flow table, state machines, verdicts) and every
 * renderer, without libpcap in the way.
 *
 * Input layout:
 *   byte 0       link type: an index into linktypes[] below
 *   byte 1       knobs (pipeline.c: bounds, timers, renderers)
 *   then frames, each:
 *     2 bytes    caplen, big-endian (cut to what is left of the input)
 *     1 byte     time step: 0..127 ms forward, 128..255 backwards by
 *                (x - 128) ms, 255 jumps a day forward
 *     1 byte     wire length minus caplen (0..255; 255 means "shorter
 *                than caplen": a lying record header)
 *     caplen bytes of frame
 */
#include <pcap/dlt.h>
#include <stdint.h>
#include <stddef.h>

#include "pipeline.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

static const int linktypes[] = {
	DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP,
	DLT_RAW, 101, DLT_IPV4, DLT_IPV6, 12, 14,
	147 /* not decoded: every frame is UNSUPPORTED */,
	/* the others decode.c reads, by their LINKTYPE_ numbers: PPP, PPP
	 * serial, PPPoE, Cisco HDLC, NFLOG, IPoIB, 802.11, radiotap, pflog,
	 * enc, ipnet, SLIP, PPI, pktap, netANALYZER (both), Frame Relay,
	 * FDDI, Token Ring, ATM, SunATM, IP over FC, IP over 1394, MPLS,
	 * Prism, AVS, DSA, EDSA, Symantec, ARCNET (BSD and Linux), Juniper
	 * Ethernet and PPPoE */
	9, 50, 51, 104, 239, 242, 105, 127, 117, 109, 226, 8, 192, 258, 240,
	241, 107, 10, 6, 11, 123, 122, 138, 219, 119, 163, 284, 285, 99,
	7, 129, 178, 167,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_run r;
	size_t pos = 2;
	uint64_t frame = 0;
	int64_t ts = INT64_C(1700000000) * TFE_NS_PER_SEC;

	if (size < 2)
		return 0;
	int linktype = linktypes[data[0] % (sizeof linktypes /
	                                    sizeof linktypes[0])];
	fz_run_start(&r, data[1]);
	while (pos + 4 <= size) {
		size_t caplen = (size_t)data[pos] << 8 | data[pos + 1];
		uint8_t step = data[pos + 2], extra = data[pos + 3];
		size_t wirelen;

		pos += 4;
		if (caplen > size - pos)
			caplen = size - pos;
		if (step == 255)
			ts += 86400 * TFE_NS_PER_SEC;
		else if (step >= 128)
			ts -= (int64_t)(step - 128) * 1000000;
		else
			ts += (int64_t)step * 1000000;
		wirelen = extra == 255 ? caplen / 2 : caplen + extra;
		tfe_analyzer_frame(&r.an, linktype, ++frame, ts, data + pos,
		                   caplen, wirelen);
		pos += caplen;
	}
	fz_run_end(&r);
	return 0;
}
