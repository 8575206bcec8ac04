/*
 * flood.c: writes a large capture to standard output, for the memory
 * bound test (tests/bounds.sh).  Nothing is stored: each record is made
 * and written in turn, so any number of frames costs no memory here.
 *
 *   flood syns N      N SYNs, each from its own address and port: N
 *                     one-packet connections that never end
 *   flood closed N    N/3 short connections (SYN, SYN+ACK, RST), each on
 *                     its own 4-tuple: every one leaves a tombstone
 *   flood endless N   one connection of N frames: handshake, then data
 *                     and ACKs both ways until the end, sequence numbers
 *                     wrapping around 2^32 many times
 *
 * Raw IPv4 (link type 101), one frame every 10 µs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t now_us = UINT64_C(1700000000) * 1000000;

static void
le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
be32(uint8_t *p, uint32_t v)
{
	be16(p, v >> 16);
	be16(p + 2, v & 0xffff);
}

/* One IPv4 TCP segment with `len` bytes of payload (zeros), written as a
 * pcap record whose capture stops after the headers: the analysis never
 * needs the payload, and the pipe stays small. */
static void
segment(uint32_t src, uint32_t dst, unsigned sport, unsigned dport,
        uint32_t seq, uint32_t ack, unsigned flags, unsigned win,
        unsigned len)
{
	uint8_t rec[16 + 40];

	memset(rec, 0, sizeof rec);
	le32(rec, (uint32_t)(now_us / 1000000));
	le32(rec + 4, (uint32_t)(now_us % 1000000));
	le32(rec + 8, 40);
	le32(rec + 12, 40 + len);
	uint8_t *ip = rec + 16;
	ip[0] = 0x45;
	be16(ip + 2, 40 + len);
	be16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 6;
	be32(ip + 12, src);
	be32(ip + 16, dst);
	uint8_t *tcp = ip + 20;
	be16(tcp, sport);
	be16(tcp + 2, dport);
	be32(tcp + 4, seq);
	be32(tcp + 8, ack);
	tcp[12] = 5 << 4;
	tcp[13] = (uint8_t)flags;
	be16(tcp + 14, win);
	fwrite(rec, 1, sizeof rec, stdout);
	now_us += 10;
}

enum { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10 };

int
main(int argc, char **argv)
{
	uint8_t hdr[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
	unsigned long long n;
	const uint32_t server = 0x0afffe01; /* 10.255.254.1 */

	if (argc != 3 || (n = strtoull(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: flood syns|closed|endless N\n");
		return 2;
	}
	le32(hdr + 16, 65535);
	le32(hdr + 20, 101);
	fwrite(hdr, 1, sizeof hdr, stdout);

	if (strcmp(argv[1], "syns") == 0 || strcmp(argv[1], "closed") == 0) {
		int closed = strcmp(argv[1], "closed") == 0;
		unsigned long long conns = closed ? n / 3 : n;
		for (unsigned long long i = 0; i < conns; i++) {
			/* 50000 ports on each of up to 2^20 client addresses */
			uint32_t client = 0x0a000000u + (uint32_t)(i / 50000);
			unsigned port = 10000 + (unsigned)(i % 50000);
			uint32_t isn = (uint32_t)(i * 2654435761u);

			segment(client, server, port, 80, isn, 0, SYN, 64240, 0);
			if (!closed)
				continue;
			segment(server, client, 80, port, ~isn, isn + 1,
			        SYN | ACK, 65160, 0);
			segment(client, server, port, 80, isn + 1, 0, RST, 0, 0);
		}
	} else if (strcmp(argv[1], "endless") == 0) {
		uint32_t c = 1000, s = 5000;
		const uint32_t client = 0x0a000001;

		segment(client, server, 40000, 80, c, 0, SYN, 64240, 0);
		segment(server, client, 80, 40000, s, c + 1, SYN | ACK, 65160, 0);
		c++;
		s++;
		segment(client, server, 40000, 80, c, s, ACK, 502, 0);
		for (unsigned long long i = 3; i < n; i += 2) {
			segment(client, server, 40000, 80, c, s, PSH | ACK, 502,
			        1448);
			c += 1448;
			segment(server, client, 80, 40000, s, c, ACK, 509, 0);
		}
	} else {
		fprintf(stderr, "flood: unknown kind '%s'\n", argv[1]);
		return 2;
	}
	return fflush(stdout) == 0 ? 0 : 3;
}
