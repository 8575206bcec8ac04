/*
 * limit: the benchmark's reference, the fastest a pcap reader can go.
 *
 *   limit [-b | -m] FILE
 *
 * Loops pcap_next_ex() over FILE and parses each frame's Ethernet
 * (802.1Q/802.1ad tags), IPv4 or IPv6 and TCP headers into a few numbers
 * (addresses, ports, flags, sequence and acknowledgement numbers, window,
 * payload length), bounds-checked, as any analyser must at least do.  It
 * keeps nothing and prints only counts and a checksum of what it parsed
 * (so the compiler cannot skip the parsing).  Every other program in the
 * benchmark is measured as a ratio to this one.
 *
 * By default the file is opened with pcap_open_offline(), as most readers
 * do.  Two variants show what the reading itself costs, reported as extra
 * rows beside the plain limit:
 *   -b  a 256 KiB stdio buffer (the default is st_blksize, 4 KiB), as
 *       tcpflow-explain reads the files it leaves to libpcap (pcapng;
 *       classic pcap records it parses itself, src/capture.c);
 *   -m  glibc's fopen(FILE, "rbm"): stdio reads through a mapping of the
 *       whole file (no read(2) calls, no copy into a buffer), which also
 *       leaves every page read resident in the process.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static inline uint16_t
be16(const u_char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
be32(const u_char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned long frames = 0, tcp = 0, other = 0;
	uint64_t sum = 0;
	int rc;

	const char *mode = NULL;
	pcap_t *p;

	if (argc == 3 && (strcmp(argv[1], "-b") == 0 ||
	                  strcmp(argv[1], "-m") == 0)) {
		mode = argv[1];
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: limit [-b | -m] FILE\n");
		return 2;
	}
	if (mode == NULL) {
		p = pcap_open_offline(argv[1], errbuf);
	} else {
		FILE *fp = fopen(argv[1], mode[1] == 'm' ? "rbm" : "rb");
		static char buf[256 * 1024];

		if (fp == NULL) {
			perror(argv[1]);
			return 3;
		}
		if (mode[1] == 'b')
			setvbuf(fp, buf, _IOFBF, sizeof buf);
		p = pcap_fopen_offline(fp, errbuf);
	}
	if (p == NULL) {
		fprintf(stderr, "limit: %s\n", errbuf);
		return 3;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		fprintf(stderr, "limit: only Ethernet captures\n");
		return 3;
	}
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		uint32_t n = h->caplen, off = 14;
		uint16_t et;
		const u_char *tcph;
		uint32_t tlen;

		frames++;
		if (n < 14)
			goto skip;
		et = be16(d + 12);
		while ((et == 0x8100 || et == 0x88a8) && off + 4 <= n) {
			et = be16(d + off + 2);
			off += 4;
		}
		if (et == 0x0800) {
			if (off + 20 > n || (d[off] >> 4) != 4)
				goto skip;
			uint32_t ihl = (d[off] & 0x0f) * 4u;
			uint32_t tot = be16(d + off + 2);
			if (ihl < 20 || off + ihl > n || d[off + 9] != 6 ||
			    (be16(d + off + 6) & 0x1fff) != 0)
				goto skip;
			sum += be32(d + off + 12) ^ be32(d + off + 16) ^ d[off + 8];
			tcph = d + off + ihl;
			if (tot < ihl)
				goto skip;
			tlen = tot - ihl;
			off += ihl;
		} else if (et == 0x86dd) {
			if (off + 40 > n || d[off + 6] != 6)
				goto skip;
			for (int i = 8; i < 40; i += 4)
				sum += be32(d + off + i);
			tlen = be16(d + off + 4);
			tcph = d + off + 40;
			off += 40;
		} else {
			goto skip;
		}
		if (off + 20 > n)
			goto skip;
		uint32_t doff = (tcph[12] >> 4) * 4u;
		if (doff < 20 || doff > tlen)
			goto skip;
		sum += be16(tcph) ^ be16(tcph + 2) ^ be32(tcph + 4) ^
		       be32(tcph + 8) ^ tcph[13] ^ be16(tcph + 14) ^
		       (tlen - doff) ^ (uint64_t)h->ts.tv_usec;
		tcp++;
		continue;
skip:
		other++;
	}
	if (rc == -1) {
		fprintf(stderr, "limit: %s\n", pcap_geterr(p));
		return 3;
	}
	printf("%lu frames, %lu TCP, %lu other, checksum %016llx\n", frames, tcp,
	       other, (unsigned long long)sum);
	pcap_close(p);
	return 0;
}
