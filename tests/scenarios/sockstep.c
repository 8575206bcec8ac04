/*
 * sockstep: run a short, scripted sequence of socket calls and log each
 * call with its result into a scenario's truth file.
 *
 * The scenario scripts drive one sockstep per host (client and server,
 * each inside its own network namespace).  Every step is a word followed
 * by a fixed number of arguments, for example
 *
 *   sockstep -n client -- socket inet connect 10.231.0.2 8080 \
 *            send 100 snap "after send" close
 *
 * Each call is written as one line
 *
 *   call <epoch> <host> s<N>.<call>(<args>) = <ret> [<ERRNO>] [key=value...]
 *
 * where <epoch> is CLOCK_REALTIME at the moment the call returned (the
 * same clock tcpdump stamps packets with), so the truth lines interleave
 * with the capture.  A failing call is recorded and the script goes on:
 * the failure (EADDRINUSE, ECONNREFUSED, ETIMEDOUT...) is usually the
 * point of the scenario.  Only a broken script or a missing sync file
 * stops the program.
 *
 * This program must not decide anything about TCP itself; it only makes
 * the calls the scenario asks for, so the kernel's behaviour is what ends
 * up in the capture.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SOCKETS 16
#define SYNC_TIMEOUT_S 20

struct run {
	const char *host;	/* name written into every truth line */
	int truth_fd;		/* truth file, opened O_APPEND */
	const char *sync_dir;	/* where signal/wait files live */
	int fds[MAX_SOCKETS];	/* socket slots s0..sN in creation order */
	int nfds;
	int cur;		/* slot the next call acts on */
};

struct step {
	const char *name;
	int nargs;
	void (*fn)(struct run *r, char **args);
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("sockstep: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void now_text(char *buf, size_t len)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(buf, len, "%lld.%09ld", (long long)ts.tv_sec, ts.tv_nsec);
}

/*
 * Both hosts and the snapshot script append to the same truth file at
 * the same time.  One write() per line under an exclusive flock keeps
 * lines whole and keeps a snapshot block from being split by a call line.
 */
static void emit(struct run *r, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	flock(r->truth_fd, LOCK_EX);
	if (write(r->truth_fd, line, n) != n)
		perror("sockstep: truth write");
	flock(r->truth_fd, LOCK_UN);
	if (getenv("TFE_VERBOSE"))
		fwrite(line, 1, n, stderr);
}

/* Log "call <epoch> <host> s<slot>.<what> = <ret> [ERRNO] [extra]". */
static void log_call(struct run *r, int slot, const char *what, long ret,
		     int err, const char *extra)
{
	char ts[40];
	char res[96];

	now_text(ts, sizeof(ts));
	if (ret < 0)
		snprintf(res, sizeof(res), "%ld %s", ret,
			 strerrorname_np(err) ? strerrorname_np(err) : "E?");
	else
		snprintf(res, sizeof(res), "%ld", ret);
	emit(r, "call %s %s s%d.%s = %s%s%s", ts, r->host, slot, what, res,
	     extra && *extra ? " " : "", extra ? extra : "");
}

static int cur_fd(struct run *r)
{
	if (r->cur < 0 || r->cur >= r->nfds || r->fds[r->cur] < 0)
		die("no open socket selected");
	return r->fds[r->cur];
}

static int add_slot(struct run *r, int fd)
{
	if (r->nfds >= MAX_SOCKETS)
		die("too many sockets");
	r->fds[r->nfds] = fd;
	r->cur = r->nfds;
	return r->nfds++;
}

static long parse_long(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || end == s)
		die("not a number: %s", s);
	return v;
}

/*
 * Turn "10.231.0.2" or "fd00:231::2" plus a port into a sockaddr.  The
 * family follows the text, so the scripts never say it twice.
 */
static socklen_t make_addr(const char *host, const char *port,
			   struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	long p = parse_long(port);

	memset(ss, 0, sizeof(*ss));
	if (p < 0 || p > 65535)
		die("bad port %s", port);
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((unsigned short)p);
		return sizeof(*in4);
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)p);
		return sizeof(*in6);
	}
	die("bad address %s", host);
	return 0;
}

/* Format an address as 10.231.0.1:40000 or [fd00:231::1]:40000. */
static void addr_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &in4->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(in4->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(in6->sin6_port));
	} else {
		snprintf(buf, len, "?");
	}
}

/* "local=... peer=..." for lines that make a connection appear. */
static void endpoints_text(int fd, char *buf, size_t len)
{
	struct sockaddr_storage l, p;
	socklen_t ll = sizeof(l), pl = sizeof(p);
	char lt[80] = "?", pt[80] = "?";

	if (getsockname(fd, (struct sockaddr *)&l, &ll) == 0)
		addr_text(&l, lt, sizeof(lt));
	if (getpeername(fd, (struct sockaddr *)&p, &pl) == 0)
		addr_text(&p, pt, sizeof(pt));
	snprintf(buf, len, "local=%s peer=%s", lt, pt);
}

static void st_socket(struct run *r, char **a)
{
	int family;
	int fd, slot;
	char what[64];

	if (strcmp(a[0], "inet") == 0)
		family = AF_INET;
	else if (strcmp(a[0], "inet6") == 0)
		family = AF_INET6;
	else
		die("socket wants inet or inet6");
	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	slot = add_slot(r, fd);
	snprintf(what, sizeof(what), "socket(%s,SOCK_STREAM)", a[0]);
	log_call(r, slot, what, fd, 0, NULL);
}

static void st_use(struct run *r, char **a)
{
	long s = parse_long(a[0]);

	if (s < 0 || s >= r->nfds)
		die("no socket s%ld", s);
	r->cur = (int)s;
}

static void set_int(struct run *r, int level, int opt, const char *name,
		    int val)
{
	char what[96];
	int rc = setsockopt(cur_fd(r), level, opt, &val, sizeof(val));

	snprintf(what, sizeof(what), "setsockopt(%s,%d)", name, val);
	log_call(r, r->cur, what, rc, errno, NULL);
}

static void st_reuseaddr(struct run *r, char **a)
{
	(void)a;
	set_int(r, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR", 1);
}

static void st_linger(struct run *r, char **a)
{
	struct linger l;
	char what[96];
	int rc;

	l.l_onoff = (int)parse_long(a[0]);
	l.l_linger = (int)parse_long(a[1]);
	rc = setsockopt(cur_fd(r), SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	snprintf(what, sizeof(what), "setsockopt(SO_LINGER,{%d,%d})",
		 l.l_onoff, l.l_linger);
	log_call(r, r->cur, what, rc, errno, NULL);
}

static void st_keepalive(struct run *r, char **a)
{
	set_int(r, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE", 1);
	set_int(r, IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE",
		(int)parse_long(a[0]));
	set_int(r, IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL",
		(int)parse_long(a[1]));
	set_int(r, IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT",
		(int)parse_long(a[2]));
}

static void st_rcvbuf(struct run *r, char **a)
{
	set_int(r, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF", (int)parse_long(a[0]));
}

static void st_sndbuf(struct run *r, char **a)
{
	set_int(r, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF", (int)parse_long(a[0]));
}

static void st_maxseg(struct run *r, char **a)
{
	set_int(r, IPPROTO_TCP, TCP_MAXSEG, "TCP_MAXSEG", (int)parse_long(a[0]));
}

static void st_syncnt(struct run *r, char **a)
{
	set_int(r, IPPROTO_TCP, TCP_SYNCNT, "TCP_SYNCNT", (int)parse_long(a[0]));
}

static void st_bind(struct run *r, char **a)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(a[0], a[1], &ss);
	char what[128], at[80];
	int rc;

	rc = bind(cur_fd(r), (struct sockaddr *)&ss, len);
	addr_text(&ss, at, sizeof(at));
	snprintf(what, sizeof(what), "bind(%s)", at);
	log_call(r, r->cur, what, rc, errno, NULL);
}

static void st_listen(struct run *r, char **a)
{
	int backlog = (int)parse_long(a[0]);
	char what[64];
	int rc = listen(cur_fd(r), backlog);

	snprintf(what, sizeof(what), "listen(%d)", backlog);
	log_call(r, r->cur, what, rc, errno, NULL);
}

static void st_accept(struct run *r, char **a)
{
	int lfd = cur_fd(r);
	int lslot = r->cur;
	char extra[200];
	int fd;

	(void)a;
	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		log_call(r, lslot, "accept()", -1, errno, NULL);
		return;
	}
	add_slot(r, fd);
	endpoints_text(fd, extra, sizeof(extra));
	snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
		 " new=s%d", r->cur);
	log_call(r, lslot, "accept()", fd, 0, extra);
}

static void do_connect(struct run *r, char **a, int nonblocking)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(a[0], a[1], &ss);
	char what[128], at[80], extra[200];
	int fd = cur_fd(r);
	int rc, err;

	/*
	 * A non-blocking connect lets the script take a snapshot while the
	 * SYN is still unanswered (SYN-SENT), which a blocking one hides.
	 */
	if (nonblocking)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	rc = connect(fd, (struct sockaddr *)&ss, len);
	err = errno;
	addr_text(&ss, at, sizeof(at));
	snprintf(what, sizeof(what), "%s(%s)",
		 nonblocking ? "connect_nb" : "connect", at);
	endpoints_text(fd, extra, sizeof(extra));
	log_call(r, r->cur, what, rc, err, extra);
}

static void st_connect(struct run *r, char **a)
{
	do_connect(r, a, 0);
}

static void st_connect_nb(struct run *r, char **a)
{
	do_connect(r, a, 1);
}

/*
 * Wait for a non-blocking connect to finish and report SO_ERROR, which is
 * where the kernel leaves ETIMEDOUT or ECONNREFUSED.  The socket goes back
 * to blocking so later steps behave like plain calls.
 */
static void st_await_connect(struct run *r, char **a)
{
	int fd = cur_fd(r);
	int ms = (int)(strtod(a[0], NULL) * 1000.0);
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	char extra[200];
	int err = 0, rc;
	socklen_t el = sizeof(err);

	rc = poll(&p, 1, ms);
	if (rc == 0) {
		char ts[40];

		/* Not a result from the kernel: the handshake is still going. */
		now_text(ts, sizeof(ts));
		emit(r, "call %s %s s%d.await_connect() = pending", ts, r->host,
		     r->cur);
		return;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	endpoints_text(fd, extra, sizeof(extra));
	log_call(r, r->cur, "await_connect()", err ? -1 : 0, err, extra);
}

static void st_send(struct run *r, char **a)
{
	long want = parse_long(a[0]);
	long done = 0;
	char buf[4096];
	char what[64];
	ssize_t n = 0;
	int err = 0;

	/* Printable bytes, so a payload dump in the pcap is readable. */
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)('a' + i % 26);
	while (done < want) {
		size_t chunk = (size_t)(want - done);

		if (chunk > sizeof(buf))
			chunk = sizeof(buf);
		n = send(cur_fd(r), buf, chunk, MSG_NOSIGNAL);
		if (n < 0) {
			err = errno;
			break;
		}
		done += n;
	}
	snprintf(what, sizeof(what), "send(%ld)", want);
	if (n < 0) {
		char extra[64];

		snprintf(extra, sizeof(extra), "sent=%ld", done);
		log_call(r, r->cur, what, -1, err, extra);
	} else {
		log_call(r, r->cur, what, done, 0, NULL);
	}
}

/*
 * Read up to "want" bytes (or to end of stream when want < 0).  The
 * result is the byte count, followed by EOF when the peer's FIN was seen
 * or by the errno that ended the read.
 */
static void do_recv(struct run *r, long want, const char *what)
{
	char buf[4096];
	long got = 0;
	ssize_t n;
	char extra[64];

	for (;;) {
		size_t chunk = sizeof(buf);

		if (want >= 0 && want - got < (long)chunk)
			chunk = (size_t)(want - got);
		if (want >= 0 && chunk == 0) {
			log_call(r, r->cur, what, got, 0, NULL);
			return;
		}
		n = recv(cur_fd(r), buf, chunk, 0);
		if (n == 0) {
			log_call(r, r->cur, what, got, 0, "EOF");
			return;
		}
		if (n < 0) {
			snprintf(extra, sizeof(extra), "received=%ld", got);
			log_call(r, r->cur, what, -1, errno, extra);
			return;
		}
		got += n;
	}
}

static void st_recv(struct run *r, char **a)
{
	char what[64];
	long want = parse_long(a[0]);

	snprintf(what, sizeof(what), "recv(%ld)", want);
	do_recv(r, want, what);
}

static void st_recv_eof(struct run *r, char **a)
{
	(void)a;
	do_recv(r, -1, "recv_to_eof()");
}

static void st_shutdown(struct run *r, char **a)
{
	int how;
	char what[64];
	int rc;

	if (strcmp(a[0], "wr") == 0)
		how = SHUT_WR;
	else if (strcmp(a[0], "rd") == 0)
		how = SHUT_RD;
	else if (strcmp(a[0], "rdwr") == 0)
		how = SHUT_RDWR;
	else
		die("shutdown wants wr, rd or rdwr");
	rc = shutdown(cur_fd(r), how);
	snprintf(what, sizeof(what), "shutdown(SHUT_%s)",
		 how == SHUT_WR ? "WR" : how == SHUT_RD ? "RD" : "RDWR");
	log_call(r, r->cur, what, rc, errno, NULL);
}

static void st_close(struct run *r, char **a)
{
	int fd = cur_fd(r);
	int rc;

	(void)a;
	rc = close(fd);
	log_call(r, r->cur, "close()", rc, errno, NULL);
	r->fds[r->cur] = -1;
}

static void st_sleep(struct run *r, char **a)
{
	double s = strtod(a[0], NULL);
	struct timespec ts;

	(void)r;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * The snapshot itself is the shell's business (it has to enter both
 * namespaces to run ss); here we only run the script named by TFE_SNAP
 * with our host name and the label, and wait for it so that the snapshot
 * really shows the state right after the previous call.
 */
static void st_snap(struct run *r, char **a)
{
	const char *script = getenv("TFE_SNAP");
	pid_t pid;
	int status;

	if (!script)
		die("snap needs TFE_SNAP");
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		execl(script, script, r->host, a[0], (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		die("snapshot script failed");
}

static void sync_path(struct run *r, const char *name, char *buf, size_t len)
{
	if (!r->sync_dir)
		die("signal/wait need -s DIR");
	if (strchr(name, '/'))
		die("bad sync name %s", name);
	snprintf(buf, len, "%s/%s", r->sync_dir, name);
}

/* Sync files order steps across the two hosts without fixed sleeps. */
static void st_signal(struct run *r, char **a)
{
	char path[512];
	int fd;

	sync_path(r, a[0], path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	close(fd);
}

static void st_wait(struct run *r, char **a)
{
	char path[512];
	struct stat st;
	int i;

	sync_path(r, a[0], path, sizeof(path));
	/* 1 ms polls: coarse enough to be cheap, fine enough for timing. */
	for (i = 0; i < SYNC_TIMEOUT_S * 1000; i++) {
		if (stat(path, &st) == 0)
			return;
		usleep(1000);
	}
	die("timed out waiting for %s", a[0]);
}

static const struct step steps[] = {
	{ "socket", 1, st_socket },
	{ "use", 1, st_use },
	{ "reuseaddr", 0, st_reuseaddr },
	{ "linger", 2, st_linger },
	{ "keepalive", 3, st_keepalive },
	{ "rcvbuf", 1, st_rcvbuf },
	{ "sndbuf", 1, st_sndbuf },
	{ "maxseg", 1, st_maxseg },
	{ "syncnt", 1, st_syncnt },
	{ "bind", 2, st_bind },
	{ "listen", 1, st_listen },
	{ "accept", 0, st_accept },
	{ "connect", 2, st_connect },
	{ "connect_nb", 2, st_connect_nb },
	{ "await_connect", 1, st_await_connect },
	{ "send", 1, st_send },
	{ "recv", 1, st_recv },
	{ "recv_to_eof", 0, st_recv_eof },
	{ "shutdown", 1, st_shutdown },
	{ "close", 0, st_close },
	{ "sleep", 1, st_sleep },
	{ "snap", 1, st_snap },
	{ "signal", 1, st_signal },
	{ "wait", 1, st_wait },
};

static const struct step *find_step(const char *name)
{
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (strcmp(steps[i].name, name) == 0)
			return &steps[i];
	return NULL;
}

static void usage(void)
{
	fputs("usage: sockstep -n HOST -t TRUTH [-s SYNCDIR] -- STEP...\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct run r = { .host = NULL, .truth_fd = -1, .cur = -1 };
	const char *truth = NULL;
	int opt, i;

	while ((opt = getopt(argc, argv, "n:t:s:")) != -1) {
		switch (opt) {
		case 'n':
			r.host = optarg;
			break;
		case 't':
			truth = optarg;
			break;
		case 's':
			r.sync_dir = optarg;
			break;
		default:
			usage();
		}
	}
	if (!r.host || !truth)
		usage();
	r.truth_fd = open(truth, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (r.truth_fd < 0)
		die("%s: %s", truth, strerror(errno));

	/* Check the whole script first so a typo cannot stop it half-way. */
	for (i = optind; i < argc;) {
		const struct step *s = find_step(argv[i]);

		if (!s)
			die("unknown step %s", argv[i]);
		if (s->nargs > argc - i - 1)
			die("step %s wants %d arguments", s->name, s->nargs);
		i += 1 + s->nargs;
	}
	for (i = optind; i < argc;) {
		const struct step *s = find_step(argv[i]);

		s->fn(&r, &argv[i + 1]);
		i += 1 + s->nargs;
	}
	return 0;
}
