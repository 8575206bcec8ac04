/*
 * livepeer: the traffic tests/live.sh shows tcpflow-explain while it
 * captures, made by the kernel's own TCP on the loopback interface of a
 * network namespace:
 *
 *   livepeer close PORT          a listener and a client on 127.0.0.1:
 *                                handshake, 5 bytes, the client closes,
 *                                the server reads EOF and closes too
 *   livepeer refused PORT        connect() to a port nobody listens on:
 *                                the kernel answers the SYN with RST
 *   livepeer closewait PORT S    like close, but the server never calls
 *                                close(): it sits in CLOSE_WAIT (and the
 *                                client in FIN_WAIT_2) for S seconds,
 *                                after printing "ready"
 *   livepeer flood SRC PORT N    N SYNs from SRC (random source ports) to
 *                                127.0.0.1:PORT through a raw socket,
 *                                about 10 per millisecond; from 127.0.0.1
 *                                a closed port answers each with RST;
 *                                from an address the namespace has no
 *                                route to, nothing answers
 *
 * Every failure prints "livepeer: ..." and exits 1; a wrong command line
 * exits 2.  Nothing here decides anything about TCP: it makes the calls
 * and lets the kernel answer.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void __attribute__((format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("livepeer: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (errno)
		fprintf(stderr, ": %s", strerror(errno));
	fputc('\n', stderr);
	exit(1);
}

static uint16_t
parse_port(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end != '\0' || v < 1 || v > 65535) {
		fprintf(stderr, "livepeer: bad port '%s'\n", s);
		exit(2);
	}
	return (uint16_t)v;
}

static struct sockaddr_in
loopback(uint16_t port)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

/* A listener, a connected client and the accepted server socket. */
static void
connect_pair(uint16_t port, int *cli, int *srv)
{
	struct sockaddr_in sa = loopback(port);
	int one = 1, l;

	errno = 0;
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one))
		die("socket");
	if (bind(l, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(l, 4))
		die("bind/listen on port %u", port);
	*cli = socket(AF_INET, SOCK_STREAM, 0);
	if (*cli < 0 || connect(*cli, (struct sockaddr *)&sa, sizeof sa) != 0)
		die("connect to port %u", port);
	*srv = accept(l, NULL, NULL);
	if (*srv < 0)
		die("accept");
	close(l);
}

/* The client sends 5 bytes and closes; the server reads to EOF. */
static void
talk_and_close_client(int cli, int srv)
{
	char buf[16];
	ssize_t n, got = 0;

	errno = 0;
	if (write(cli, "hello", 5) != 5)
		die("write");
	while ((n = read(srv, buf, sizeof buf)) > 0 && (got += n) < 5)
		;
	if (close(cli) != 0)
		die("close");
	while ((n = read(srv, buf, sizeof buf)) > 0)
		;
	if (n < 0)
		die("read");
}

static int
cmd_close(uint16_t port)
{
	int cli, srv;

	connect_pair(port, &cli, &srv);
	talk_and_close_client(cli, srv);
	close(srv);
	return 0;
}

static int
cmd_refused(uint16_t port)
{
	struct sockaddr_in sa = loopback(port);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	errno = 0;
	if (s < 0)
		die("socket");
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) == 0) {
		errno = 0;
		die("port %u accepted a connection; it should be closed", port);
	}
	if (errno != ECONNREFUSED)
		die("connect to port %u", port);
	close(s);
	return 0;
}

static int
cmd_closewait(uint16_t port, unsigned hold)
{
	int cli, srv;

	connect_pair(port, &cli, &srv);
	talk_and_close_client(cli, srv);
	/* srv stays open: the server's side is in CLOSE_WAIT. */
	printf("ready\n");
	fflush(stdout);
	sleep(hold);
	close(srv);
	return 0;
}

/* RFC 1071 sum over `len` bytes, added to `sum`. */
static uint32_t
sum16(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)(b[len - 1] << 8);
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static int
cmd_flood(const char *src, uint16_t port, unsigned long count)
{
	struct sockaddr_in dst = loopback(port);
	struct in_addr saddr;
	uint8_t pkt[40];
	uint32_t rnd = (uint32_t)time(NULL) ^ (uint32_t)getpid();
	int s;

	if (inet_pton(AF_INET, src, &saddr) != 1) {
		fprintf(stderr, "livepeer: bad address '%s'\n", src);
		exit(2);
	}
	errno = 0;
	s = socket(AF_INET, SOCK_RAW, IPPROTO_RAW); /* IP_HDRINCL implied */
	if (s < 0)
		die("raw socket (needs root)");
	for (unsigned long i = 0; i < count; i++) {
		struct iphdr *ip = (struct iphdr *)pkt;
		struct tcphdr *th = (struct tcphdr *)(pkt + 20);
		uint8_t pseudo[12];

		rnd = rnd * 1103515245u + 12345u;
		memset(pkt, 0, sizeof pkt);
		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons(sizeof pkt);
		ip->id = htons((uint16_t)i);
		ip->ttl = 64;
		ip->protocol = IPPROTO_TCP;
		ip->saddr = saddr.s_addr;
		ip->daddr = dst.sin_addr.s_addr;
		ip->check = fold(sum16(ip, 20, 0));
		/* Source ports 10000-59999 in turn: each SYN a new 4-tuple
		 * as long as count stays below 50000. */
		th->source = htons((uint16_t)(10000 + i % 50000));
		th->dest = htons(port);
		th->seq = htonl(rnd);
		th->doff = 5;
		th->syn = 1;
		th->window = htons(64240);
		memcpy(pseudo, &ip->saddr, 4);
		memcpy(pseudo + 4, &ip->daddr, 4);
		pseudo[8] = 0;
		pseudo[9] = IPPROTO_TCP;
		pseudo[10] = 0;
		pseudo[11] = 20;
		th->check = fold(sum16(th, 20, sum16(pseudo, 12, 0)));
		if (sendto(s, pkt, sizeof pkt, 0, (struct sockaddr *)&dst,
		           sizeof dst) != (ssize_t)sizeof pkt)
			die("sendto");
		if (i % 10 == 9) {
			/* paced so that the capture ring keeps up */
			struct timespec ts = { 0, 1000000 };
			nanosleep(&ts, NULL);
		}
	}
	close(s);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "close") == 0)
		return cmd_close(parse_port(argv[2]));
	if (argc == 3 && strcmp(argv[1], "refused") == 0)
		return cmd_refused(parse_port(argv[2]));
	if (argc == 4 && strcmp(argv[1], "closewait") == 0)
		return cmd_closewait(parse_port(argv[2]),
		                     (unsigned)strtoul(argv[3], NULL, 10));
	if (argc == 5 && strcmp(argv[1], "flood") == 0)
		return cmd_flood(argv[2], parse_port(argv[3]),
		                 strtoul(argv[4], NULL, 10));
	fprintf(stderr, "usage: livepeer close PORT | refused PORT | "
	        "closewait PORT SECONDS | flood SRC PORT COUNT\n");
	return 2;
}
