/*
 * traffic: the benchmark's traffic, made by the real Linux TCP stack.
 *
 *   traffic server
 *       listens on 0.0.0.0 and :: at three ports with three MSS values
 *       (5001 the route's own, 5002 1200, 5003 536) and answers requests;
 *       prints "ready" once every listener is up.
 *   traffic mix -w WORKERS -n PACKETS -i IFACE -a ADDR4,... -A ADDR6,...
 *       WORKERS client processes run a mix of sessions (below) against
 *       the server until IFACE has carried PACKETS packets, then finish
 *       the session they are in, print "quiesced" and keep every
 *       connection they were told to leave open until killed.
 *   traffic hold -w WORKERS -c CONNS -a ... -A ...
 *       opens CONNS connections, one request and answer on each, and
 *       keeps them all open (for the bytes-per-open-connection measure).
 *
 * Requests are 8 bytes: op, 0, body length (16 bits), answer length (32
 * bits), both big-endian, followed by the body.  The server never
 * decides anything on its own: the client's choice of op makes a
 * connection end in a graceful close by either side, a half-close, an
 * abort or a held-open socket.  Unanswered SYNs go to port 5009 (the
 * benchmark drops them with iptables in the server's namespace) and
 * refused ones to port 5008 (nobody listens).
 *
 * This is a load generator, not part of the analysis: it must stay
 * simple and fast, and it never looks at packets.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum op {
	OP_RESP = 1,       /* answer n bytes, keep reading */
	OP_RESP_CLOSE,     /* answer n bytes, then close first */
	OP_UPLOAD,         /* read n bytes, answer 4 */
	OP_ABORT,          /* answer n bytes, then reset (SO_LINGER 0) */
	OP_HOLD,           /* answer n bytes, then never touch the socket */
};

#define PORT_BASE 5001
#define NPORTS 3
#define PORT_REFUSED 5008
#define PORT_DROPPED 5009
#define MAX_ADDRS 8
#define MAX_HELD 4096
#define MAX_PENDING 16

static const int port_mss[NPORTS] = { 0, 1200, 536 };
static char zeros[1 << 20];
static char sink_buf[1 << 16];

static void
die(const char *what)
{
	fprintf(stderr, "traffic: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
raise_fd_limit(void)
{
	struct rlimit rl = { 1 << 20, 1 << 20 };

	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
send_zeros(int fd, size_t n)
{
	while (n > 0) {
		size_t k = n < sizeof zeros ? n : sizeof zeros;
		if (write_all(fd, zeros, k) != 0)
			return -1;
		n -= k;
	}
	return 0;
}

/* Reads exactly n bytes (n == 0: until EOF).  Returns bytes read, -1 on
 * error. */
static long
read_n(int fd, size_t n)
{
	size_t got = 0;

	while (n == 0 || got < n) {
		size_t want = sizeof sink_buf;
		if (n != 0 && n - got < want)
			want = n - got;
		ssize_t r = recv(fd, sink_buf, want, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (long)got;
}

static int
read_into(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n > 0) {
		ssize_t r = recv(fd, p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* ---- server ---- */

static void *
serve(void *arg)
{
	int fd = (int)(intptr_t)arg;
	unsigned char h[8];

	for (;;) {
		if (read_into(fd, h, sizeof h) != 0)
			break; /* EOF or reset: the client is done */
		unsigned body = (unsigned)h[2] << 8 | h[3];
		uint32_t n = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 |
		             (uint32_t)h[6] << 8 | h[7];
		if (body > 0 && read_n(fd, body) != (long)body)
			break;
		if (h[0] == OP_RESP) {
			if (send_zeros(fd, n) != 0)
				break;
		} else if (h[0] == OP_RESP_CLOSE) {
			send_zeros(fd, n);
			break;
		} else if (h[0] == OP_UPLOAD) {
			if (read_n(fd, n) != (long)n || write_all(fd, h, 4) != 0)
				break;
		} else if (h[0] == OP_ABORT) {
			struct linger lg = { 1, 0 };
			send_zeros(fd, n);
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
			break;
		} else if (h[0] == OP_HOLD) {
			send_zeros(fd, n);
			return NULL; /* the socket stays open, unread, forever */
		} else {
			break;
		}
	}
	close(fd);
	return NULL;
}

static void *
accept_loop(void *arg)
{
	int lfd = (int)(intptr_t)arg;
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EMFILE || errno == ENFILE)
				continue;
			die("accept");
		}
		pthread_t t;
		if (pthread_create(&t, &attr, serve, (void *)(intptr_t)fd) != 0)
			close(fd);
	}
	return NULL;
}

static int
run_server(void)
{
	pthread_t t;
	int one = 1;

	for (int fam = 0; fam < 2; fam++)
		for (int i = 0; i < NPORTS; i++) {
			int lfd = socket(fam ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
			if (lfd < 0)
				die("socket");
			setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
			if (port_mss[i] &&
			    setsockopt(lfd, IPPROTO_TCP, TCP_MAXSEG, &port_mss[i],
			               sizeof port_mss[i]) != 0)
				die("TCP_MAXSEG");
			if (fam) {
				struct sockaddr_in6 a6 = { 0 };
				setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				           sizeof one);
				a6.sin6_family = AF_INET6;
				a6.sin6_port = htons(PORT_BASE + i);
				a6.sin6_addr = in6addr_any;
				if (bind(lfd, (struct sockaddr *)&a6, sizeof a6) != 0)
					die("bind");
			} else {
				struct sockaddr_in a4 = { 0 };
				a4.sin_family = AF_INET;
				a4.sin_port = htons(PORT_BASE + i);
				a4.sin_addr.s_addr = htonl(INADDR_ANY);
				if (bind(lfd, (struct sockaddr *)&a4, sizeof a4) != 0)
					die("bind");
			}
			if (listen(lfd, 8192) != 0)
				die("listen");
			if (pthread_create(&t, NULL, accept_loop,
			                   (void *)(intptr_t)lfd) != 0)
				die("pthread_create");
		}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

/* ---- clients ---- */

struct shared {
	volatile int stop;
	volatile int done;
	volatile long sessions[64];
};

struct target {
	int family;
	struct sockaddr_storage ss;
	socklen_t len;
};

static struct target addrs4[MAX_ADDRS], addrs6[MAX_ADDRS];
static int naddr4, naddr6;

static int
parse_addrs(char *list, int family, struct target *out)
{
	int n = 0;

	for (char *tok = strtok(list, ","); tok && n < MAX_ADDRS;
	     tok = strtok(NULL, ",")) {
		struct target *t = &out[n];
		memset(t, 0, sizeof *t);
		t->family = family;
		if (family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&t->ss;
			a->sin_family = AF_INET;
			if (inet_pton(AF_INET, tok, &a->sin_addr) != 1)
				return -1;
			t->len = sizeof *a;
		} else {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&t->ss;
			a->sin6_family = AF_INET6;
			if (inet_pton(AF_INET6, tok, &a->sin6_addr) != 1)
				return -1;
			t->len = sizeof *a;
		}
		n++;
	}
	return n;
}

/* xorshift64*: each worker its own reproducible stream */
static uint64_t rng;

static uint32_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ULL) >> 32);
}

static uint32_t
rnd_range(uint32_t lo, uint32_t hi)
{
	return lo + rnd() % (hi - lo + 1);
}

/* Log-uniform between lo and hi: many small, some large. */
static uint32_t
rnd_log(uint32_t lo, uint32_t hi)
{
	double f = (double)rnd() / 4294967296.0;
	double v = lo * __builtin_exp(f * __builtin_log((double)hi / lo));
	return (uint32_t)v;
}

static const struct target *
pick_target(int port)
{
	static struct target t;
	bool v6 = naddr6 > 0 && (naddr4 == 0 || rnd() % 10 < 3);

	t = v6 ? addrs6[rnd() % naddr6] : addrs4[rnd() % naddr4];
	if (t.family == AF_INET)
		((struct sockaddr_in *)&t.ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&t.ss)->sin6_port = htons(port);
	return &t;
}

static int
new_socket(const struct target *t, int rcvbuf, bool nonblock)
{
	static const int mss_choice[] = { 0, 0, 1400, 1000 };
	int fd = socket(t->family, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0),
	                0);
	if (fd < 0)
		die("socket");
	int mss = mss_choice[rnd() % 4];
	if (mss)
		setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof mss);
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	/* A client gives up after 3 s of silence, as real ones do: a lost
	 * RST (the loss rules drop any segment) would otherwise leave it
	 * waiting for ever. */
	struct timeval tv = { 3, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}

/* A connected socket to one of the three listening ports, or -1. */
static int
open_conn(int rcvbuf)
{
	const struct target *t = pick_target(PORT_BASE + (int)(rnd() % NPORTS));
	int fd = new_socket(t, rcvbuf, false);

	if (connect(fd, (const struct sockaddr *)&t->ss, t->len) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The request in one send, as a real client writes it (two small writes
 * would meet Nagle and delayed ACKs and wait 40 ms); `extra` bytes of
 * upload follow it in the same call. */
static int
request(int fd, int op, unsigned body, uint32_t n, uint32_t extra)
{
	static unsigned char buf[8 + 65536 + (1 << 20)];
	unsigned char h[8] = { (unsigned char)op, 0, (unsigned char)(body >> 8),
	                       (unsigned char)body, (unsigned char)(n >> 24),
	                       (unsigned char)(n >> 16), (unsigned char)(n >> 8),
	                       (unsigned char)n };

	memcpy(buf, h, sizeof h);
	return write_all(fd, buf, sizeof h + body + extra);
}

static void
abort_close(int fd)
{
	struct linger lg = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(fd);
}

struct worker {
	int held[MAX_HELD];
	int nheld, max_held;
	struct { int fd; double due; } pending[MAX_PENDING];
	int npending;
};

static void
hold(struct worker *w, int fd)
{
	if (w->nheld < w->max_held) {
		/* one in five also sends keepalive probes every 2 s */
		if (rnd() % 5 == 0) {
			int one = 1, idle = 2;
			setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
			setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
			setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &idle,
			           sizeof idle);
		}
		w->held[w->nheld++] = fd;
	} else {
		close(fd);
	}
}

static void
expire_pending(struct worker *w, double now)
{
	for (int i = 0; i < w->npending;) {
		if (w->pending[i].due <= now) {
			close(w->pending[i].fd);
			w->pending[i] = w->pending[--w->npending];
		} else {
			i++;
		}
	}
}

/* One session of the mix.  Weights are per mille. */
static void
session(struct worker *w)
{
	uint32_t r = rnd() % 1000;
	int fd;

	if (r < 80) {
		/* refused: nobody listens, the server's kernel sends RST */
		const struct target *t = pick_target(PORT_REFUSED);
		fd = new_socket(t, 0, false);
		connect(fd, (const struct sockaddr *)&t->ss, t->len);
		close(fd);
		return;
	}
	if (r < 120) {
		/* unanswered: a SYN that iptables drops; most give up after
		 * a fraction of a second, some after one or two
		 * retransmissions */
		if (w->npending == MAX_PENDING)
			return;
		const struct target *t = pick_target(PORT_DROPPED);
		fd = new_socket(t, 0, true);
		connect(fd, (const struct sockaddr *)&t->ss, t->len);
		w->pending[w->npending].fd = fd;
		w->pending[w->npending].due = now_s() +
			(rnd() % 10 == 0 ? rnd_range(1200, 3500) : rnd_range(50, 300)) / 1e3;
		w->npending++;
		return;
	}
	bool slow = r >= 120 && r < 130;
	fd = open_conn(slow ? 4096 : 0);
	if (fd < 0)
		return;
	unsigned body = rnd() % 3 ? rnd_range(0, 600) : 0;
	if (slow) {
		/* slow reader: a small receive buffer read 1 KiB at a time,
		 * so its window closes */
		request(fd, OP_RESP_CLOSE, body, rnd_range(48, 160) * 1024, 0);
		for (;;) {
			ssize_t k = recv(fd, sink_buf, 1024, 0);
			if (k <= 0)
				break;
			usleep(2000);
		}
		close(fd);
	} else if (r < 450) {
		/* short request, the client closes first */
		uint32_t n = rnd_log(100, 8000);
		if (request(fd, OP_RESP, body, n, 0) == 0)
			read_n(fd, n);
		close(fd);
	} else if (r < 650) {
		/* short request, the server closes first */
		if (request(fd, OP_RESP_CLOSE, body, rnd_log(100, 8000), 0) == 0)
			read_n(fd, 0);
		close(fd);
	} else if (r < 780) {
		/* keep-alive: several requests on one connection */
		int k = (int)rnd_range(2, 10);
		for (int i = 0; i < k; i++) {
			uint32_t n = rnd_log(200, 4000);
			if (request(fd, OP_RESP, rnd_range(0, 400), n, 0) != 0 ||
			    read_n(fd, n) != (long)n)
				break;
		}
		close(fd);
	} else if (r < 820) {
		/* bulk download, the client closes after it */
		uint32_t n = rnd_log(8 * 1024, 512 * 1024);
		if (request(fd, OP_RESP, 0, n, 0) == 0)
			read_n(fd, n);
		close(fd);
	} else if (r < 860) {
		/* bulk upload, answered with 4 bytes */
		uint32_t n = rnd_log(8 * 1024, 512 * 1024);
		if (request(fd, OP_UPLOAD, 0, n, n) == 0)
			read_n(fd, 4);
		close(fd);
	} else if (r < 920) {
		/* half-close: the client shuts its side and keeps reading */
		if (request(fd, OP_RESP, body, rnd_log(1000, 64 * 1024), 0) == 0) {
			shutdown(fd, SHUT_WR);
			read_n(fd, 0);
		}
		close(fd);
	} else if (r < 950) {
		/* the server aborts after its answer */
		if (request(fd, OP_ABORT, body, rnd_log(100, 20000), 0) == 0)
			read_n(fd, 0);
		close(fd);
	} else if (r < 980) {
		/* the client aborts in the middle of a download */
		uint32_t n = rnd_range(32, 256) * 1024;
		if (request(fd, OP_RESP, 0, n, 0) == 0)
			read_n(fd, rnd_range(1, 32) * 1024);
		abort_close(fd);
	} else {
		/* left open to the end of the capture */
		uint32_t n = rnd_log(100, 4000);
		if (request(fd, OP_HOLD, body, n, 0) == 0 && read_n(fd, n) == (long)n)
			hold(w, fd);
		else
			close(fd);
	}
}

static unsigned long
if_packets(const char *ifname)
{
	unsigned long total = 0;
	const char *which[] = { "rx_packets", "tx_packets" };

	for (int i = 0; i < 2; i++) {
		char path[256];
		snprintf(path, sizeof path, "/sys/class/net/%s/statistics/%s",
		         ifname, which[i]);
		FILE *f = fopen(path, "r");
		unsigned long v = 0;
		if (f == NULL)
			die(path);
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
		total += v;
	}
	return total;
}

static void
worker_main(struct shared *sh, int idx, bool hold_mode, long hold_conns)
{
	static struct worker w;

	rng = 0x9e3779b97f4a7c15ULL * (uint64_t)(idx + 1);
	w.max_held = hold_mode ? MAX_HELD : 64;
	if (hold_mode) {
		for (long i = 0; i < hold_conns && w.nheld < MAX_HELD; i++) {
			int fd = open_conn(0);
			uint32_t n = rnd_log(100, 4000);
			if (fd < 0)
				continue;
			if (request(fd, OP_HOLD, rnd_range(0, 400), n, 0) == 0 &&
			    read_n(fd, n) == (long)n)
				w.held[w.nheld++] = fd;
			else
				close(fd);
		}
	} else {
		while (!__atomic_load_n(&sh->stop, __ATOMIC_RELAXED)) {
			expire_pending(&w, now_s());
			session(&w);
			if (idx < 64)
				sh->sessions[idx]++;
		}
	}
	__atomic_add_fetch(&sh->done, 1, __ATOMIC_SEQ_CST);
	for (;;)
		pause();
}

static int
run_clients(int argc, char **argv, bool hold_mode)
{
	int workers = 8, opt;
	unsigned long target = 0;
	long conns = 0;
	const char *ifname = NULL;

	while ((opt = getopt(argc, argv, "w:n:c:i:a:A:")) != -1) {
		switch (opt) {
		case 'w': workers = atoi(optarg); break;
		case 'n': target = strtoul(optarg, NULL, 10); break;
		case 'c': conns = atol(optarg); break;
		case 'i': ifname = optarg; break;
		case 'a': naddr4 = parse_addrs(optarg, AF_INET, addrs4); break;
		case 'A': naddr6 = parse_addrs(optarg, AF_INET6, addrs6); break;
		default: return 2;
		}
	}
	if (workers < 1 || naddr4 < 0 || naddr6 < 0 || naddr4 + naddr6 == 0 ||
	    (!hold_mode && (target == 0 || ifname == NULL)) ||
	    (hold_mode && conns <= 0)) {
		fprintf(stderr, "traffic: bad arguments\n");
		return 2;
	}

	struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
	                         MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
	memset(sh, 0, sizeof *sh);
	pid_t *pids = calloc((size_t)workers, sizeof *pids);
	for (int i = 0; i < workers; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (pids[i] == 0) {
			/* never outlive the parent (and its namespace) */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			long share = conns / workers + (i < conns % workers);
			worker_main(sh, i, hold_mode, share);
		}
	}
	if (!hold_mode) {
		while (if_packets(ifname) < target)
			usleep(20000);
		sh->stop = 1;
	}
	while (__atomic_load_n(&sh->done, __ATOMIC_SEQ_CST) < workers)
		usleep(20000);
	long total = 0;
	for (int i = 0; i < 64; i++)
		total += sh->sessions[i];
	printf("quiesced sessions=%ld\n", total);
	fflush(stdout);

	/* Wait to be told to stop; then take the workers (and the sockets
	 * they hold) down with us. */
	sigset_t set;
	int sig;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigwait(&set, &sig);
	for (int i = 0; i < workers; i++)
		kill(pids[i], SIGKILL);
	for (int i = 0; i < workers; i++)
		waitpid(pids[i], NULL, 0);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: traffic server | mix ... | hold ...\n");
		return 2;
	}
	raise_fd_limit();
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(argv[1], "server") == 0)
		return run_server();
	if (strcmp(argv[1], "mix") == 0)
		return run_clients(argc - 1, argv + 1, false);
	if (strcmp(argv[1], "hold") == 0)
		return run_clients(argc - 1, argv + 1, true);
	fprintf(stderr, "traffic: unknown mode %s\n", argv[1]);
	return 2;
}
