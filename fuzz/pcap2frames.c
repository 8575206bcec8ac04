/*
 * pcap2frames.c: turns a classic pcap file into a seed for fuzz_frames
 * (the input layout is described in fuzz_frames.c), so the frame fuzzer
 * starts from real handshakes and closes.  Reads the pcap records itself;
 * links only libc.
 *
 *   pcap2frames IN.pcap OUT
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Index of the link type in fuzz_frames.c's linktypes[]. */
static int
link_index(uint32_t dlt)
{
	switch (dlt) {
	case 1: return 0;   /* Ethernet */
	case 113: return 1; /* Linux cooked v1 */
	case 276: return 2; /* Linux cooked v2 */
	case 0: return 3;   /* BSD NULL */
	case 108: return 4; /* BSD LOOP */
	case 101: return 6; /* raw IP */
	case 228: return 7; /* IPv4 */
	case 229: return 8; /* IPv6 */
	default: return -1;
	}
}

static uint32_t
get32(const unsigned char *b, int swap)
{
	return swap ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	              (uint32_t)b[2] << 8 | b[3]
	            : (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 |
	              (uint32_t)b[1] << 8 | b[0];
}

int
main(int argc, char **argv)
{
	unsigned char gh[24], rh[16], buf[65536];
	FILE *in, *out;
	int swap, nanos, li;
	double prev = -1;

	if (argc != 3) {
		fprintf(stderr, "usage: pcap2frames IN.pcap OUT\n");
		return 2;
	}
	in = fopen(argv[1], "rb");
	if (in == NULL || fread(gh, 1, sizeof gh, in) != sizeof gh) {
		fprintf(stderr, "pcap2frames: %s: cannot read a pcap header\n",
		        argv[1]);
		return 1;
	}
	if (memcmp(gh, "\xd4\xc3\xb2\xa1", 4) == 0 ||
	    memcmp(gh, "\x4d\x3c\xb2\xa1", 4) == 0)
		swap = 0;
	else if (memcmp(gh, "\xa1\xb2\xc3\xd4", 4) == 0 ||
	         memcmp(gh, "\xa1\xb2\x3c\x4d", 4) == 0)
		swap = 1;
	else {
		fprintf(stderr, "pcap2frames: %s: not a classic pcap\n", argv[1]);
		return 1;
	}
	nanos = gh[swap ? 2 : 1] == 0x3c;
	li = link_index(get32(gh + 20, swap) & 0xffff);
	if (li < 0) {
		fprintf(stderr, "pcap2frames: %s: link type not decoded\n",
		        argv[1]);
		return 1;
	}
	out = fopen(argv[2], "wb");
	if (out == NULL) {
		perror(argv[2]);
		return 1;
	}
	fputc(li, out);
	fputc(0x00, out); /* knobs: the program's defaults, netstat on */
	while (fread(rh, 1, sizeof rh, in) == sizeof rh) {
		uint32_t caplen = get32(rh + 8, swap), len = get32(rh + 12, swap);
		double t = get32(rh, swap) + get32(rh + 4, swap) /
		           (nanos ? 1e9 : 1e6);
		long ms = prev < 0 ? 0 : (long)((t - prev) * 1000 + 0.5);
		int step, extra;

		if (caplen > sizeof buf || fread(buf, 1, caplen, in) != caplen)
			break;
		prev = t;
		/* The frame format steps at most 127 ms, or a day. */
		step = ms < 0 ? 128 + (ms < -127 ? 127 : (int)-ms) :
		       ms > 127 ? 127 : (int)ms;
		extra = len >= caplen && len - caplen < 255 ? (int)(len - caplen)
		                                             : 0;
		fputc((int)(caplen >> 8), out);
		fputc((int)(caplen & 0xff), out);
		fputc(step, out);
		fputc(extra, out);
		fwrite(buf, 1, caplen, out);
	}
	fclose(in);
	return fclose(out) == 0 ? 0 : 1;
}
