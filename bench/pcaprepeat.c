/*
 * pcaprepeat: writes a capture N times in a row as one capture whose
 * timestamps keep increasing.
 *
 *   pcaprepeat IN OUT N GAP
 *
 * Copy k (0-based) is shifted by k * (span + GAP) seconds, where span is
 * the input's last timestamp minus its first: each copy begins GAP
 * seconds after the previous one ended, as if the same traffic came back
 * later.  (mergecap -a keeps the original timestamps, so time would jump
 * backwards at every seam.)  Timestamps are written in microseconds.  The benchmark uses it to check that memory
 * stays flat when a capture gets longer.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static pcap_t *
open_in(const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, errbuf);

	if (p == NULL) {
		fprintf(stderr, "pcaprepeat: %s\n", errbuf);
		exit(3);
	}
	return p;
}

static int64_t
ns_of(const struct pcap_pkthdr *h)
{
	return ((int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec) * 1000;
}

int
main(int argc, char **argv)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	int64_t first = 0, last = 0;
	int rc;

	if (argc != 5) {
		fprintf(stderr, "usage: pcaprepeat IN OUT N GAP\n");
		return 2;
	}
	int copies = atoi(argv[3]);
	int64_t gap = (int64_t)(atof(argv[4]) * 1e9);

	/* the span, from a first pass */
	pcap_t *in = open_in(argv[1]);
	int have = 0;
	while ((rc = pcap_next_ex(in, &h, &d)) == 1) {
		int64_t t = ns_of(h);
		if (!have)
			first = t;
		have = 1;
		if (t > last)
			last = t;
	}
	pcap_close(in);

	in = open_in(argv[1]);
	pcap_t *dead = pcap_open_dead(pcap_datalink(in), pcap_snapshot(in));
	pcap_close(in);
	pcap_dumper_t *out = pcap_dump_open(dead, argv[2]);
	if (out == NULL) {
		fprintf(stderr, "pcaprepeat: %s\n", pcap_geterr(dead));
		return 3;
	}
	for (int k = 0; k < copies; k++) {
		int64_t shift = k * (last - first + gap);
		in = open_in(argv[1]);
		while ((rc = pcap_next_ex(in, &h, &d)) == 1) {
			struct pcap_pkthdr o = *h;
			int64_t t = ns_of(h) + shift;
			o.ts.tv_sec = t / 1000000000;
			o.ts.tv_usec = (t % 1000000000) / 1000;
			pcap_dump((u_char *)out, &o, d);
		}
		if (rc == -1) {
			fprintf(stderr, "pcaprepeat: %s\n", pcap_geterr(in));
			return 3;
		}
		pcap_close(in);
	}
	pcap_dump_close(out);
	pcap_close(dead);
	return 0;
}
