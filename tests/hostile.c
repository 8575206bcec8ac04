/*
 * hostile.c: writes the captures of the hostile-input suite, each made to
 * break a parser, and says what the program must make of each.
 *
 *   tests/hostile OUTDIR > OUTDIR/MANIFEST
 *
 * Every file goes to OUTDIR; every expectation is one line on standard
 * output:
 *
 *   FILE <TAB> EXIT <TAB> out|line|err <TAB> TEXT
 *
 * meaning: "tcpflow-explain -r OUTDIR/FILE" exits with EXIT and TEXT is a
 * substring of one line of its standard output (out), the whole of one
 * line of it (line: the summary's counted reason), or a substring of one
 * line of its standard error (err: the message).  A file has one or
 * more lines; tests/hostile.sh runs each file once, under a time limit, and
 * also requires no sanitizer report and no signal.
 *
 * The files are written byte by byte here (pcap and pcapng), not through
 * libpcap, so the lies reach the reader intact.  The expected counts follow
 * from the layout: a frame of L link, I IP and T TCP header bytes cut at
 * every length k < L+I+T is TRUNCATED in the link header for k < L, in the
 * IP header for L <= k < L+I, and so on.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *outdir;

/* ---- bytes ---- */

struct buf {
	uint8_t d[65536];
	size_t n;
};

static void
put8(struct buf *b, unsigned v)
{
	if (b->n >= sizeof b->d) {
		fprintf(stderr, "hostile: frame too large\n");
		exit(4);
	}
	b->d[b->n++] = (uint8_t)v;
}

static void
put16(struct buf *b, unsigned v)
{
	put8(b, v >> 8);
	put8(b, v);
}

static void
put32(struct buf *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b, v & 0xffff);
}

static void
putn(struct buf *b, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(b, ((const uint8_t *)p)[i]);
}

/* ---- headers ---- */

/* Link layers, each followed by an IPv4 (4) or IPv6 (6) packet. */
enum link { L_ETHER, L_SLL, L_SLL2, L_NULL, L_LOOP, L_RAW };

static const int link_dlt[] = { 1, 113, 276, 0, 108, 101 };

static void
link_hdr(struct buf *b, enum link l, int family, int vlan_tags)
{
	unsigned et = family == 4 ? 0x0800 : 0x86dd;

	switch (l) {
	case L_ETHER:
		putn(b, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
		for (int i = 0; i < vlan_tags; i++) {
			put16(b, i == 0 ? 0x88a8 : 0x8100);
			put16(b, 100 + (unsigned)i % 4000);
		}
		put16(b, et);
		break;
	case L_SLL:
		put16(b, 4);           /* sent by us */
		put16(b, 1);           /* ARPHRD_ETHER */
		put16(b, 6);
		putn(b, "\x02\0\0\0\0\x01\0\0", 8);
		put16(b, et);
		break;
	case L_SLL2:
		put16(b, et);
		put16(b, 0);
		put32(b, 2);           /* interface index */
		put16(b, 1);
		put8(b, 4);
		put8(b, 6);
		putn(b, "\x02\0\0\0\0\x01\0\0", 8);
		break;
	case L_NULL:                   /* host order, little-endian here */
		put8(b, family == 4 ? 2 : 24);
		put8(b, 0);
		put16(b, 0);
		break;
	case L_LOOP:                   /* network order */
		put32(b, family == 4 ? 2 : 24);
		break;
	case L_RAW:
		break;
	}
}

/* TCP options of a Linux SYN: mss, sackOK, TS, nop, wscale (20 bytes). */
static const uint8_t syn_opts[20] = {
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7
};

struct tcp {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	int doff;                  /* data offset in words; -1: from options */
	const uint8_t *opts;
	size_t optlen;
	size_t payload;
};

static struct tcp
syn(void)
{
	struct tcp t = { 40000, 8080, 1000, 0, 0x02, -1, syn_opts,
	                 sizeof syn_opts, 0 };
	return t;
}

static size_t
tcp_size(const struct tcp *t)
{
	return 20 + t->optlen + t->payload;
}

static void
tcp_hdr(struct buf *b, const struct tcp *t)
{
	int doff = t->doff >= 0 ? t->doff : (int)(20 + t->optlen) / 4;

	put16(b, t->sport);
	put16(b, t->dport);
	put32(b, t->seq);
	put32(b, t->ack);
	put8(b, (unsigned)doff << 4);
	put8(b, t->flags);
	put16(b, 64240);
	put16(b, 0);               /* checksum: not checked by the decoder */
	put16(b, 0);
	putn(b, t->opts, t->optlen);
	for (size_t i = 0; i < t->payload; i++)
		put8(b, 'x');
}

/* IPv4 with `optlen` bytes of NOP options; ihl < 0 and total < 0 mean
 * "the true value". */
static void
ipv4_hdr(struct buf *b, const struct tcp *t, size_t optlen, int ihl,
         long total)
{
	size_t hlen = 20 + optlen;

	put8(b, 0x40 | (ihl >= 0 ? (unsigned)ihl : (unsigned)hlen / 4));
	put8(b, 0);
	put16(b, total >= 0 ? (unsigned)total
	                    : (unsigned)(hlen + tcp_size(t)));
	put16(b, 1000);
	put16(b, 0x4000);
	put8(b, 64);
	put8(b, 6);
	put16(b, 0);
	putn(b, "\x0a\0\0\x01\x0a\0\0\x02", 8);
	for (size_t i = 0; i < optlen; i++)
		put8(b, 1);
}

/* IPv6 with `next_ext` hop-by-hop/destination headers of 8 bytes each;
 * plen < 0 means the true payload length. */
static void
ipv6_hdr(struct buf *b, const struct tcp *t, int n_ext, long plen)
{
	put32(b, 0x60000000);
	put16(b, plen >= 0 ? (unsigned)plen
	                   : (unsigned)(8 * n_ext + tcp_size(t)));
	put8(b, n_ext > 0 ? 0 : 6);
	put8(b, 64);
	putn(b, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	putn(b, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
	for (int i = 0; i < n_ext; i++) {
		put8(b, i + 1 < n_ext ? 60 : 6); /* destination options */
		put8(b, 0);
		putn(b, "\x01\x04\0\0\0\0", 6);  /* PadN */
	}
}

/* ---- files ---- */

struct pcapw {
	FILE *f;
	char name[64];
	long sec;                  /* next timestamp */
	long usec;
};

static FILE *
create(const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", outdir, name);
	f = fopen(path, "wb");
	if (f == NULL) {
		fprintf(stderr, "hostile: %s: %s\n", path, strerror(errno));
		exit(3);
	}
	return f;
}

static void
le32(FILE *f, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	                 (uint8_t)(v >> 24) };
	fwrite(b, 1, 4, f);
}

static void
le16(FILE *f, unsigned v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	fwrite(b, 1, 2, f);
}

static void
pcap_open(struct pcapw *w, const char *name, int dlt, uint32_t snaplen)
{
	snprintf(w->name, sizeof w->name, "%s", name);
	w->f = create(name);
	w->sec = 1700000000;
	w->usec = 0;
	le32(w->f, 0xa1b2c3d4);
	le16(w->f, 2);
	le16(w->f, 4);
	le32(w->f, 0);
	le32(w->f, 0);
	le32(w->f, snaplen);
	le32(w->f, (uint32_t)dlt);
}

/* One record with explicit lengths; the clock steps 1 ms. */
static void
pcap_rec(struct pcapw *w, const uint8_t *d, uint32_t caplen, uint32_t len)
{
	le32(w->f, (uint32_t)w->sec);
	le32(w->f, (uint32_t)w->usec);
	le32(w->f, caplen);
	le32(w->f, len);
	fwrite(d, 1, caplen, w->f);
	w->usec += 1000;
	if (w->usec >= 1000000) {
		w->sec++;
		w->usec -= 1000000;
	}
}

/* Cuts file `name` to `size` bytes. */
static void
cut_file(const char *name, long size)
{
	char path[4096];

	snprintf(path, sizeof path, "%s/%s", outdir, name);
	if (truncate(path, size) != 0) {
		fprintf(stderr, "hostile: %s: %s\n", path, strerror(errno));
		exit(3);
	}
}

static void
pcap_frame(struct pcapw *w, const struct buf *b)
{
	pcap_rec(w, b->d, (uint32_t)b->n, (uint32_t)b->n);
}

static void
pcap_close(struct pcapw *w)
{
	if (fclose(w->f) != 0) {
		fprintf(stderr, "hostile: %s: write failed\n", w->name);
		exit(3);
	}
}

static void expect(const char *file, int exit_status, const char *stream,
                   const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
expect(const char *file, int exit_status, const char *stream,
       const char *fmt, ...)
{
	va_list ap;

	printf("%s\t%d\t%s\t", file, exit_status, stream);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* "    truncated    link header truncated            14": the summary
 * line of one reason, as render_text.c prints it. */
static void
expect_reason(const char *file, const char *cls, const char *reason,
              unsigned long n)
{
	char line[128];

	snprintf(line, sizeof line, "    %-12s %-32s %lu", cls, reason, n);
	expect(file, 0, "line", "%s", line);
}

static void
expect_tcp(const char *file, unsigned long frames, unsigned long tcp)
{
	expect(file, 0, "out", "  packets: %lu read, %lu TCP,", frames, tcp);
}

/* Segments decoded though the snapshot length cut their options. */
static void
expect_opts_cut(const char *file, unsigned long n)
{
	expect(file, 0, "out", "  TCP options cut by the snapshot length: "
	       "%lu segment%s (", n, n == 1 ? "" : "s");
}

/* ---- the cases ---- */

/* A SYN on link `l`, cut at every length from 0 to whole. */
static void
cut_every_length(const char *file, enum link l, int family, int vlan_tags,
                 size_t ip_opts, int n_ext)
{
	struct pcapw w;
	struct buf b = { .n = 0 };
	struct tcp t = syn();
	size_t lh, ih, th = 20 + t.optlen;

	link_hdr(&b, l, family, vlan_tags);
	lh = b.n;
	if (family == 4)
		ipv4_hdr(&b, &t, ip_opts, -1, -1);
	else
		ipv6_hdr(&b, &t, n_ext, -1);
	ih = b.n - lh;
	tcp_hdr(&b, &t);

	pcap_open(&w, file, link_dlt[l], 65535);
	for (size_t k = 0; k <= b.n; k++)
		pcap_rec(&w, b.d, (uint32_t)k, (uint32_t)b.n);
	pcap_close(&w);

	const char *ipname = family == 4 ? "ipv4 header truncated"
	                                 : "ipv6 header truncated";
	/* the whole frame, and each cut inside the options area: decoded
	 * from the fixed header, counted on their own line */
	expect_tcp(file, b.n + 1, 1 + (th - 20));
	/* Raw IP has no link header: an empty frame counts as a truncated
	 * IPv4 header (decode.c says why). */
	if (lh > 0)
		expect_reason(file, "truncated", "link header truncated", lh);
	if (l == L_RAW && family == 6) {
		expect_reason(file, "truncated", "ipv4 header truncated", 1);
		expect_reason(file, "truncated", ipname, ih - 1);
	} else {
		expect_reason(file, "truncated", ipname, ih);
	}
	expect_reason(file, "truncated", "tcp header truncated", 20);
	expect_opts_cut(file, th - 20);
}

/* Each frame of `frames` through Ethernet, in one file. */
static void
write_ether(const char *file, struct buf *frames, int n)
{
	struct pcapw w;

	pcap_open(&w, file, 1, 65535);
	for (int i = 0; i < n; i++)
		pcap_frame(&w, &frames[i]);
	pcap_close(&w);
}

static struct buf fr[16];

static void
ipv4_lies(void)
{
	struct tcp t = syn();
	int n = 0;

	/* IHL 0..4: below the 20-byte minimum. */
	for (int ihl = 0; ihl < 5; ihl++) {
		fr[n].n = 0;
		link_hdr(&fr[n], L_ETHER, 4, 0);
		ipv4_hdr(&fr[n], &t, 0, ihl, -1);
		tcp_hdr(&fr[n], &t);
		n++;
	}
	write_ether("ipv4-ihl-below-5.pcap", fr, n);
	expect_tcp("ipv4-ihl-below-5.pcap", 5, 0);
	expect_reason("ipv4-ihl-below-5.pcap", "malformed",
	              "ipv4 header length invalid", 5);

	/* IHL 15 (60 bytes) over a 20-byte header: the TCP header and its
	 * options are taken as IP options, the total length leaves no TCP. */
	fr[0].n = 0;
	link_hdr(&fr[0], L_ETHER, 4, 0);
	ipv4_hdr(&fr[0], &t, 0, 15, -1);
	tcp_hdr(&fr[0], &t);
	/* IHL 6 over a 20-byte header: 4 bytes of TCP taken as an option,
	 * the rest read as a TCP header whose data offset byte is the high
	 * byte of the checksum (0: data offset 0). */
	fr[1].n = 0;
	link_hdr(&fr[1], L_ETHER, 4, 0);
	ipv4_hdr(&fr[1], &t, 0, 6, -1);
	tcp_hdr(&fr[1], &t);
	/* IHL 15 and a total length of 100 in a 34-byte frame. */
	fr[2].n = 0;
	link_hdr(&fr[2], L_ETHER, 4, 0);
	ipv4_hdr(&fr[2], &t, 0, 15, 100);
	write_ether("ipv4-ihl-lies.pcap", fr, 3);
	expect_tcp("ipv4-ihl-lies.pcap", 3, 0);
	expect_reason("ipv4-ihl-lies.pcap", "malformed",
	              "tcp data offset invalid", 2);
	expect_reason("ipv4-ihl-lies.pcap", "malformed",
	              "ipv4 total length invalid", 1);

	/* Total length: past the frame, below the header, 0 (segmentation
	 * offload: the wire length is taken), and shorter than the frame
	 * (the rest is link padding): the last two decode. */
	long totals[] = { 1500, 10, 19, 0, 60 };
	for (int i = 0; i < 5; i++) {
		fr[i].n = 0;
		link_hdr(&fr[i], L_ETHER, 4, 0);
		ipv4_hdr(&fr[i], &t, 0, -1, totals[i]);
		tcp_hdr(&fr[i], &t);
		if (i == 4)
			putn(&fr[i], "padpadpadpadpadpad", 18);
	}
	write_ether("ipv4-total-length-lies.pcap", fr, 5);
	expect_tcp("ipv4-total-length-lies.pcap", 5, 2);
	expect_reason("ipv4-total-length-lies.pcap", "malformed",
	              "ipv4 total length invalid", 3);
	/* A total length that leaves fewer than 20 bytes for TCP. */
	fr[0].n = 0;
	link_hdr(&fr[0], L_ETHER, 4, 0);
	ipv4_hdr(&fr[0], &t, 0, -1, 30);
	tcp_hdr(&fr[0], &t);
	write_ether("ipv4-total-length-short.pcap", fr, 1);
	expect_reason("ipv4-total-length-short.pcap", "malformed",
	              "tcp data offset invalid", 1);
}

static void
tcp_lies(void)
{
	struct tcp t = syn();
	int n = 0;

	/* Data offset 0..4, then 15 (60 bytes) in a 40-byte segment, then
	 * 15 in a 60-byte segment captured to 54 bytes. */
	for (int d = 0; d < 5; d++) {
		t.doff = d;
		fr[n].n = 0;
		link_hdr(&fr[n], L_ETHER, 4, 0);
		ipv4_hdr(&fr[n], &t, 0, -1, -1);
		tcp_hdr(&fr[n], &t);
		n++;
	}
	t.doff = 15;
	fr[n].n = 0;
	link_hdr(&fr[n], L_ETHER, 4, 0);
	ipv4_hdr(&fr[n], &t, 0, -1, -1);
	tcp_hdr(&fr[n], &t);
	n++;
	write_ether("tcp-data-offset.pcap", fr, n);
	expect_tcp("tcp-data-offset.pcap", 6, 0);
	expect_reason("tcp-data-offset.pcap", "malformed",
	              "tcp data offset invalid", 6);

	struct pcapw w;
	fr[0].n = 0;
	link_hdr(&fr[0], L_ETHER, 4, 0);
	ipv4_hdr(&fr[0], &t, 0, -1, 80);
	tcp_hdr(&fr[0], &t);
	for (int i = 0; i < 20; i++)
		put8(&fr[0], 1);
	pcap_open(&w, "tcp-data-offset-cut.pcap", 1, 65535);
	pcap_rec(&w, fr[0].d, 54 + 10, (uint32_t)fr[0].n);
	pcap_close(&w);
	expect_tcp("tcp-data-offset-cut.pcap", 1, 1);
	expect_opts_cut("tcp-data-offset-cut.pcap", 1);

	/* Option lengths 0 and 1, past the end of the options area, and
	 * wrong for the kind (MSS of 3 bytes, SACK of 7). */
	static const uint8_t bad_opts[][8] = {
		{ 2, 0, 1, 1, 1, 1, 1, 1 },
		{ 3, 1, 1, 1, 1, 1, 1, 1 },
		{ 1, 1, 8, 10, 1, 1, 1, 1 },
		{ 1, 1, 1, 1, 1, 1, 30, 9 },
		{ 2, 3, 5, 1, 1, 1, 1, 1 },
		{ 1, 5, 7, 1, 2, 3, 4, 5 },
	};
	/* ... and one that is fine: EOL, then anything. */
	static const uint8_t eol_opts[8] = { 1, 0, 9, 9, 9, 9, 9, 9 };
	t = syn();
	for (n = 0; n < 7; n++) {
		t.opts = n < 6 ? bad_opts[n] : eol_opts;
		t.optlen = 8;
		t.seq = 1000 + (uint32_t)n;
		fr[n].n = 0;
		link_hdr(&fr[n], L_ETHER, 4, 0);
		ipv4_hdr(&fr[n], &t, 0, -1, -1);
		tcp_hdr(&fr[n], &t);
	}
	write_ether("tcp-option-lengths.pcap", fr, 7);
	expect_tcp("tcp-option-lengths.pcap", 7, 1);
	expect_reason("tcp-option-lengths.pcap", "malformed",
	              "tcp option invalid", 6);
}

static void
ipv6_lies(void)
{
	struct tcp t = syn();

	/* 64 extension headers decode; a 65th is one too many. */
	fr[0].n = 0;
	link_hdr(&fr[0], L_ETHER, 6, 0);
	ipv6_hdr(&fr[0], &t, 64, -1);
	tcp_hdr(&fr[0], &t);
	fr[1].n = 0;
	link_hdr(&fr[1], L_ETHER, 6, 0);
	ipv6_hdr(&fr[1], &t, 65, -1);
	tcp_hdr(&fr[1], &t);
	write_ether("ipv6-64-extension-headers.pcap", fr, 1);
	expect_tcp("ipv6-64-extension-headers.pcap", 1, 1);
	write_ether("ipv6-65-extension-headers.pcap", fr + 1, 1);
	expect_reason("ipv6-65-extension-headers.pcap", "malformed",
	              "too many ipv6 extension headers", 1);

	/* Payload length past the frame; an extension header past the
	 * payload length. */
	fr[0].n = 0;
	link_hdr(&fr[0], L_ETHER, 6, 0);
	ipv6_hdr(&fr[0], &t, 0, 1000);
	tcp_hdr(&fr[0], &t);
	fr[1].n = 0;
	link_hdr(&fr[1], L_ETHER, 6, 0);
	ipv6_hdr(&fr[1], &t, 2, 4);
	tcp_hdr(&fr[1], &t);
	write_ether("ipv6-payload-length-lies.pcap", fr, 2);
	expect_tcp("ipv6-payload-length-lies.pcap", 2, 0);
	expect_reason("ipv6-payload-length-lies.pcap", "malformed",
	              "ipv6 payload length invalid", 2);
}

static void
vlan_towers(void)
{
	struct tcp t = syn();
	struct pcapw w;
	static struct buf big;

	/* 8 tags decode, 9 are too many, and so is a tower of 2000 tags
	 * (8 kB of link header); a tower cut in its middle is truncated. */
	for (int i = 0; i < 2; i++) {
		fr[i].n = 0;
		link_hdr(&fr[i], L_ETHER, 4, 8 + i);
		ipv4_hdr(&fr[i], &t, 0, -1, -1);
		tcp_hdr(&fr[i], &t);
	}
	big.n = 0;
	link_hdr(&big, L_ETHER, 4, 2000);
	ipv4_hdr(&big, &t, 0, -1, -1);
	tcp_hdr(&big, &t);
	pcap_open(&w, "vlan-towers.pcap", 1, 65535);
	pcap_frame(&w, &fr[0]);
	pcap_frame(&w, &fr[1]);
	pcap_frame(&w, &big);
	pcap_rec(&w, fr[0].d, 14 + 4 * 5 + 2, (uint32_t)fr[0].n);
	pcap_close(&w);
	expect_tcp("vlan-towers.pcap", 4, 1);
	expect_reason("vlan-towers.pcap", "unsupported", "too many vlan tags",
	              2);
	expect_reason("vlan-towers.pcap", "truncated", "link header truncated",
	              1);
}

/* Records whose header lies about lengths, or carries odd times. */
static void
record_lies(void)
{
	struct tcp t = syn();
	struct buf b = { .n = 0 };
	struct pcapw w;

	link_hdr(&b, L_ETHER, 4, 0);
	ipv4_hdr(&b, &t, 0, -1, -1);
	tcp_hdr(&b, &t);

	/* caplen larger than len: the captured bytes plainly existed. */
	pcap_open(&w, "caplen-above-len.pcap", 1, 65535);
	pcap_rec(&w, b.d, (uint32_t)b.n, 20);
	pcap_close(&w);
	expect_tcp("caplen-above-len.pcap", 1, 1);

	/* A zero-length packet, then one with nothing captured of 74. */
	pcap_open(&w, "zero-length.pcap", 1, 65535);
	pcap_rec(&w, b.d, 0, 0);
	pcap_rec(&w, b.d, 0, (uint32_t)b.n);
	pcap_close(&w);
	expect_reason("zero-length.pcap", "truncated", "link header truncated",
	              2);

	/* Timestamps going backwards, twice, by a second and by a year. */
	pcap_open(&w, "time-backwards.pcap", 1, 65535);
	pcap_frame(&w, &b);
	w.sec -= 1;
	pcap_frame(&w, &b);
	w.sec -= 365 * 86400;
	pcap_frame(&w, &b);
	pcap_close(&w);
	expect_tcp("time-backwards.pcap", 3, 3);
	expect("time-backwards.pcap", 0, "line",
	       "  timestamps going backwards: 2 frames");

	/* Far in the future: the last second libpcap reads from a pcap
	 * (its seconds are signed 32 bits: 2038-01-19), then an ordinary time
	 * again.  The clock jumps, the SYN's connection times out, and the
	 * frame after is counted as going backwards. */
	pcap_open(&w, "time-far-future.pcap", 1, 65535);
	pcap_frame(&w, &b);
	w.sec = 0x7fffffffL;
	pcap_frame(&w, &b);
	w.sec = 1700000001;
	pcap_frame(&w, &b);
	pcap_close(&w);
	expect_tcp("time-far-future.pcap", 3, 3);
	expect("time-far-future.pcap", 0, "line",
	       "  capture span: 447483647.001000 s (5179 d 5 h)");
	expect("time-far-future.pcap", 0, "line",
	       "  timestamps going backwards: 1 frames");
	expect("time-far-future.pcap", 0, "line", "  connections: 2");

	/* A header claiming a 4 GB snapshot length: the records are what
	 * counts. */
	pcap_open(&w, "snaplen-huge.pcap", 1, 0xffffffffu);
	pcap_frame(&w, &b);
	pcap_close(&w);
	expect_tcp("snaplen-huge.pcap", 1, 1);

	/* A record claiming 2 GB captured: libpcap refuses it. */
	pcap_open(&w, "caplen-huge.pcap", 1, 65535);
	pcap_frame(&w, &b);
	pcap_rec(&w, b.d, 0, 0);
	fseek(w.f, -8, SEEK_CUR);
	le32(w.f, 0x7fffffffu);
	le32(w.f, 0x7fffffffu);
	pcap_close(&w);
	expect("caplen-huge.pcap", 3, "err", "bigger than");
	expect_tcp("caplen-huge.pcap", 1, 1);

	/* Cut in the middle of a record header, and of a record. */
	pcap_open(&w, "cut-in-record-header.pcap", 1, 65535);
	pcap_frame(&w, &b);
	pcap_frame(&w, &b);
	pcap_close(&w);
	cut_file("cut-in-record-header.pcap", 24 + 16 + (long)b.n + 7);
	pcap_open(&w, "cut-in-record.pcap", 1, 65535);
	pcap_frame(&w, &b);
	pcap_frame(&w, &b);
	pcap_close(&w);
	cut_file("cut-in-record.pcap", 24 + 16 + (long)b.n + 16 + 30);
	expect("cut-in-record-header.pcap", 3, "err",
	       "truncated dump file; tried to read 16 header bytes, only got 7");
	expect_tcp("cut-in-record-header.pcap", 1, 1);
	expect("cut-in-record.pcap", 3, "err",
	       "truncated dump file; tried to read 74 captured bytes, only got 30");
	expect_tcp("cut-in-record.pcap", 1, 1);
}

/* Files that are not what they claim. */
static void
not_captures(void)
{
	FILE *f;

	fclose(create("empty.pcap"));
	expect("empty.pcap", 3, "err", "empty.pcap: ");

	f = create("text.pcap");
	fputs("This is not a capture.\nJust some text, 2 lines.\n", f);
	fclose(f);
	expect("text.pcap", 3, "err", "unknown file format");

	/* A pcap file header cut after 10 bytes. */
	f = create("cut-in-file-header.pcap");
	fwrite("\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00", 1, 10, f);
	fclose(f);
	expect("cut-in-file-header.pcap", 3, "err", "truncated dump file");

	/* A link type the decoder does not know (147, user 0): read, its
	 * frames counted and the link type named in the summary. */
	struct pcapw w;
	static const uint8_t junk[4] = { 'a', 'b', 'c', 'd' };
	pcap_open(&w, "linktype-unknown.pcap", 147, 65535);
	pcap_rec(&w, junk, sizeof junk, sizeof junk);
	pcap_rec(&w, junk, sizeof junk, sizeof junk);
	pcap_close(&w);
	expect_tcp("linktype-unknown.pcap", 2, 0);
	expect_reason("linktype-unknown.pcap", "unsupported",
	              "unsupported link type", 2);
	expect("linktype-unknown.pcap", 0, "line",
	       "      link type unknown (147, not known to libpcap): 2 frames "
	       "not decoded: no decoder for this link type");
}

/* pcapng: a block of type `type` with `body` (padded to 4 bytes). */
static void
ng_block(FILE *f, uint32_t type, const void *body, size_t n)
{
	size_t pad = (4 - n % 4) % 4;
	uint32_t total = (uint32_t)(12 + n + pad);

	le32(f, type);
	le32(f, total);
	fwrite(body, 1, n, f);
	fwrite("\0\0\0", 1, pad, f);
	le32(f, total);
}

static void
ng_epb(FILE *f, uint32_t iface, uint64_t ts_us, const struct buf *b)
{
	uint8_t hdr[20 + 65536];
	size_t n = 0;
	uint32_t v[5] = { iface, (uint32_t)(ts_us >> 32), (uint32_t)ts_us,
	                  (uint32_t)b->n, (uint32_t)b->n };

	for (int i = 0; i < 5; i++)
		for (int j = 0; j < 4; j++)
			hdr[n++] = (uint8_t)(v[i] >> (8 * j));
	memcpy(hdr + n, b->d, b->n);
	ng_block(f, 6, hdr, n + b->n);
}

static void
pcapng(void)
{
	static const uint8_t shb[16] = { 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
	                                 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	                                 0xff, 0xff };
	static const uint8_t idb[8] = { 1, 0, 0, 0, 0xff, 0xff, 0, 0 };
	struct tcp t = syn();
	struct buf b = { .n = 0 }, a = { .n = 0 };
	FILE *f;

	link_hdr(&b, L_ETHER, 4, 0);
	ipv4_hdr(&b, &t, 0, -1, -1);
	tcp_hdr(&b, &t);
	t.sport = 8080;
	t.dport = 40000;
	t.flags = 0x12;
	t.ack = 1001;
	link_hdr(&a, L_ETHER, 4, 0);
	ipv4_hdr(&a, &t, 0, -1, -1);
	tcp_hdr(&a, &t);

	/* Unknown block types (local use and not) around the packets. */
	f = create("pcapng-unknown-blocks.pcapng");
	ng_block(f, 0x0a0d0d0a, shb, sizeof shb);
	ng_block(f, 0x00000bad, "not a block we know", 19);
	ng_block(f, 1, idb, sizeof idb);
	ng_block(f, 0x80000001, "\1\2\3\4\5\6\7\x08", 8);
	ng_epb(f, 0, UINT64_C(1700000000000000), &b);
	ng_block(f, 0x40000bad, "", 0);
	ng_epb(f, 0, UINT64_C(1700000000010000), &a);
	fclose(f);
	expect_tcp("pcapng-unknown-blocks.pcapng", 2, 2);

	/* A packet on an interface that was never described. */
	f = create("pcapng-no-interface.pcapng");
	ng_block(f, 0x0a0d0d0a, shb, sizeof shb);
	ng_block(f, 1, idb, sizeof idb);
	ng_epb(f, 0, UINT64_C(1700000000000000), &b);
	ng_epb(f, 7, UINT64_C(1700000000010000), &a);
	fclose(f);
	expect("pcapng-no-interface.pcapng", 3, "err", "interface");
	expect_tcp("pcapng-no-interface.pcapng", 1, 1);

	/* A timestamp of 2^64-1 µs: far past what the clock holds. */
	f = create("pcapng-time-out-of-range.pcapng");
	ng_block(f, 0x0a0d0d0a, shb, sizeof shb);
	ng_block(f, 1, idb, sizeof idb);
	ng_epb(f, 0, UINT64_C(1700000000000000), &b);
	ng_epb(f, 0, UINT64_MAX, &a);
	fclose(f);
	expect("pcapng-time-out-of-range.pcapng", 3, "err",
	       "frame 2: timestamp 18446744073709 s is out of range");
	expect_tcp("pcapng-time-out-of-range.pcapng", 1, 1);

	/* A block whose length runs past the end of the file. */
	f = create("pcapng-block-too-long.pcapng");
	ng_block(f, 0x0a0d0d0a, shb, sizeof shb);
	ng_block(f, 1, idb, sizeof idb);
	le32(f, 6);
	le32(f, 1u << 20);
	le32(f, 0);
	fclose(f);
	expect("pcapng-block-too-long.pcapng", 3, "err", ": ");
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: hostile OUTDIR > OUTDIR/MANIFEST\n");
		return 2;
	}
	outdir = argv[1];

	cut_every_length("cut-ether-ipv4.pcap", L_ETHER, 4, 0, 0, 0);
	cut_every_length("cut-ether-ipv4-options.pcap", L_ETHER, 4, 0, 12, 0);
	cut_every_length("cut-ether-ipv6.pcap", L_ETHER, 6, 0, 0, 2);
	cut_every_length("cut-vlan-ipv4.pcap", L_ETHER, 4, 2, 0, 0);
	cut_every_length("cut-sll-ipv4.pcap", L_SLL, 4, 0, 0, 0);
	cut_every_length("cut-sll2-ipv6.pcap", L_SLL2, 6, 0, 0, 1);
	cut_every_length("cut-null-ipv4.pcap", L_NULL, 4, 0, 0, 0);
	cut_every_length("cut-loop-ipv6.pcap", L_LOOP, 6, 0, 0, 0);
	cut_every_length("cut-raw-ipv4.pcap", L_RAW, 4, 0, 8, 0);
	cut_every_length("cut-raw-ipv6.pcap", L_RAW, 6, 0, 0, 3);
	ipv4_lies();
	tcp_lies();
	ipv6_lies();
	vlan_towers();
	record_lies();
	not_captures();
	pcapng();
	return fflush(stdout) == 0 ? 0 : 3;
}
