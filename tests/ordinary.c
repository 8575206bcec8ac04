/*
 * ordinary: ordinary TCP traffic made by the kernel's own TCP on
 * 127.0.0.1, for tests/ordinary.sh (which runs it inside a network
 * namespace of its own and captures it):
 *
 *   ordinary serve PORT THREADS
 *       a listener on 127.0.0.1:PORT served by THREADS threads, each
 *       accepting and answering one connection at a time, until killed;
 *       prints "ready" when it listens
 *   ordinary run PORT N THREADS
 *       N connections to 127.0.0.1:PORT from kernel-chosen ports, made
 *       by THREADS threads at once; connection i is of kind i % 10:
 *         0-3  one request (100 bytes) and its answer (200), the client
 *              closes first
 *         4-6  the same, the server closes first
 *         7    keep-alive: 5 requests and answers, the client closes
 *         8    keep-alive: 4 requests and answers, the server closes
 *         9    bulk: one request, an answer of 100 kB; the client closes
 *              first for odd i / 10, the server for even
 *       prints how many of each and how often connect() had to wait
 *       for a free port (EADDRNOTAVAIL)
 *   ordinary queued PORT
 *       provoked on purpose: a listener nobody accept()s from; a client
 *       connects and sends 10 bytes, then the listener is closed with the
 *       connection still in its accept queue (the kernel resets it)
 *
 * A request is 100 bytes: its first byte says who closes ('c' or 's'),
 * its second whether it is the last on the connection ('1' or '0'), the
 * next 10 the answer's length in decimal.  The server reads exactly one
 * request, writes the answer, and after the last one either closes (the
 * server closes first) or reads to EOF and then closes (the client
 * first).  Nothing is ever left unread, so no close() sends a RST.
 *
 * Every failure prints "ordinary: ..." and exits 1; a wrong command line
 * exits 2.  Nothing here decides anything about TCP: it makes the calls
 * and lets the kernel answer.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REQ_LEN 100
#define BULK_LEN (100 * 1024)

static void __attribute__((format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fputs("ordinary: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (e)
		fprintf(stderr, ": %s", strerror(e));
	fputc('\n', stderr);
	exit(1);
}

static long
parse_num(const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "ordinary: bad number '%s'\n", s);
		exit(2);
	}
	return v;
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

static void
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write");
		buf += n;
		len -= (size_t)n;
	}
}

/* Reads exactly `len` bytes; false at EOF before the first. */
static int
read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read");
		if (n == 0) {
			if (got == 0)
				return 0;
			errno = 0;
			die("EOF inside a message");
		}
		got += (size_t)n;
	}
	return 1;
}

/* Reads until EOF; the peer must send nothing more. */
static void
read_eof(int fd)
{
	char c;
	ssize_t n;

	while ((n = read(fd, &c, 1)) < 0 && errno == EINTR)
		;
	if (n < 0)
		die("read to EOF");
	if (n > 0) {
		errno = 0;
		die("data where EOF was expected");
	}
}

static char zeros[BULK_LEN];

static void
serve_one(int fd)
{
	char req[REQ_LEN];

	for (;;) {
		if (!read_all(fd, req, sizeof req))
			break; /* the client closed between requests */
		char lenbuf[11];
		memcpy(lenbuf, req + 2, 10);
		lenbuf[10] = '\0';
		size_t len = (size_t)strtoul(lenbuf, NULL, 10);
		if (len > sizeof zeros)
			len = sizeof zeros;
		write_all(fd, zeros, len);
		if (req[1] == '1') {
			if (req[0] == 'c')
				read_eof(fd);
			break;
		}
	}
	close(fd);
}

static void *
serve_thread(void *arg)
{
	int l = *(int *)arg;

	for (;;) {
		int fd = accept(l, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept");
		}
		serve_one(fd);
	}
	return NULL;
}

static int
listen_on(uint16_t port, int backlog)
{
	struct sockaddr_in sa = loopback(port);
	int one = 1;
	int l = socket(AF_INET, SOCK_STREAM, 0);

	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one))
		die("socket");
	if (bind(l, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    listen(l, backlog) != 0)
		die("bind/listen on port %u", port);
	return l;
}

static int
cmd_serve(uint16_t port, int threads)
{
	static int l;
	pthread_t t;

	l = listen_on(port, 4096);
	for (int i = 0; i < threads; i++)
		if ((errno = pthread_create(&t, NULL, serve_thread, &l)) != 0)
			die("pthread_create");
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

static uint16_t run_port;
static long run_n;
static atomic_long next_conn, port_waits, kinds[10];

/* One request; the answer is read whole. */
static void
request(int fd, char closer, int last, size_t answer)
{
	static char buf[BULK_LEN];
	char req[REQ_LEN];

	memset(req, 'x', sizeof req);
	req[0] = closer;
	req[1] = last ? '1' : '0';
	char num[11];
	snprintf(num, sizeof num, "%010zu", answer);
	memcpy(req + 2, num, 10);
	write_all(fd, req, sizeof req);
	if (!read_all(fd, buf, answer)) {
		errno = 0;
		die("EOF instead of an answer");
	}
}

static void
one_connection(long i)
{
	struct sockaddr_in sa = loopback(run_port);
	int kind = (int)(i % 10);
	int fd;

	for (;;) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket");
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
			break;
		if (errno != EADDRNOTAVAIL)
			die("connect");
		/* every port is taken or in a TIME_WAIT too young to reuse */
		close(fd);
		atomic_fetch_add(&port_waits, 1);
		usleep(2000);
	}
	char closer = 'c';
	int rounds = 1;
	size_t answer = 200;
	switch (kind) {
	case 4: case 5: case 6:
		closer = 's';
		break;
	case 7:
		rounds = 5;
		break;
	case 8:
		closer = 's';
		rounds = 4;
		break;
	case 9:
		answer = BULK_LEN;
		closer = (i / 10) % 2 ? 'c' : 's';
		break;
	default:
		break;
	}
	for (int r = 0; r < rounds; r++)
		request(fd, closer, r == rounds - 1, answer);
	if (closer == 's')
		read_eof(fd);
	close(fd);
	atomic_fetch_add(&kinds[kind], 1);
}

static void *
run_thread(void *arg)
{
	long i;

	(void)arg;
	while ((i = atomic_fetch_add(&next_conn, 1)) < run_n)
		one_connection(i);
	return NULL;
}

static int
cmd_run(uint16_t port, long n, int threads)
{
	pthread_t *t = calloc((size_t)threads, sizeof *t);

	if (t == NULL)
		die("calloc");
	run_port = port;
	run_n = n;
	for (int i = 0; i < threads; i++)
		if ((errno = pthread_create(&t[i], NULL, run_thread, NULL)) != 0)
			die("pthread_create");
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	free(t);
	printf("connections %ld: short client-first %ld, short server-first "
	       "%ld, keep-alive client-first %ld, keep-alive server-first %ld, "
	       "bulk %ld; connect() waited for a free port %ld times\n", n,
	       kinds[0] + kinds[1] + kinds[2] + kinds[3],
	       kinds[4] + kinds[5] + kinds[6], kinds[7], kinds[8], kinds[9],
	       (long)port_waits);
	return 0;
}

static int
cmd_queued(uint16_t port)
{
	struct sockaddr_in sa = loopback(port);
	int l = listen_on(port, 4);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	char buf[16];

	if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof sa) != 0)
		die("connect to port %u", port);
	write_all(c, "0123456789", 10);
	usleep(50 * 1000);
	/* never accept()ed: closing the listener resets the queued
	 * connection */
	close(l);
	usleep(50 * 1000);
	ssize_t n = read(c, buf, sizeof buf);
	if (n >= 0 || errno != ECONNRESET)
		die("the queued connection was not reset (read gave %zd)", n);
	close(c);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "serve") == 0)
		return cmd_serve((uint16_t)parse_num(argv[2], 1, 65535),
		                 (int)parse_num(argv[3], 1, 1024));
	if (argc == 5 && strcmp(argv[1], "run") == 0)
		return cmd_run((uint16_t)parse_num(argv[2], 1, 65535),
		               parse_num(argv[3], 1, 10000000),
		               (int)parse_num(argv[4], 1, 1024));
	if (argc == 3 && strcmp(argv[1], "queued") == 0)
		return cmd_queued((uint16_t)parse_num(argv[2], 1, 65535));
	fprintf(stderr, "usage: ordinary serve PORT THREADS | "
	        "ordinary run PORT N THREADS | ordinary queued PORT\n");
	return 2;
}
