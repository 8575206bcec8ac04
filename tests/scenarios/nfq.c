/*
 * nfq: a tiny NFQUEUE consumer that drops or delays chosen packets, so a
 * scenario can lose one final ACK or make two FINs cross on a veth pair
 * (this kernel has no netem).
 *
 * iptables picks the packets (a rule with -j NFQUEUE in the receiving
 * namespace); this program only counts what reaches its queue and gives
 * each packet a verdict:
 *
 *   -x 1,3   drop the 1st and 3rd queued packet, accept the others
 *   -x all   drop every queued packet
 *   -d 100   hold every accepted packet 100 ms before letting it through
 *   -h 1,3   with -d: hold only the 1st and 3rd queued packet, accept the
 *            others at once (so a held packet is overtaken: reordering)
 *
 * Every verdict is logged into the truth file as
 *
 *   nfq <epoch> <host> #<n> <src> > <dst> [<flags>] seq=<s> ack=<a> len=<l> <verdict>
 *
 * so the truth says which packet of the capture the receiver never saw.
 * It must not change packets: a verdict is all it gives.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define MAX_HELD 256
#define MAX_DROPS 32

struct held {
	uint32_t id;		/* queue packet id, host order */
	double due;		/* CLOCK_MONOTONIC seconds */
};

struct nfq_state {
	const char *host;
	int truth_fd;
	struct nfq_q_handle *qh;
	unsigned long seen;	/* packets queued so far, 1-based count */
	unsigned long drops[MAX_DROPS];
	int ndrops;
	unsigned long holds[MAX_DROPS];	/* -h: only these are held */
	int nholds;
	int drop_all;
	double delay_s;
	struct held held[MAX_HELD];
	int nheld;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void emit(struct nfq_state *st, const char *fmt, ...)
{
	char line[512];
	struct timespec ts;
	va_list ap;
	int n, m;

	clock_gettime(CLOCK_REALTIME, &ts);
	n = snprintf(line, sizeof(line), "nfq %lld.%09ld %s ",
		     (long long)ts.tv_sec, ts.tv_nsec, st->host);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* Same lock as sockstep and the snapshot script: whole lines only. */
	flock(st->truth_fd, LOCK_EX);
	if (write(st->truth_fd, line, n) != n)
		perror("nfq: truth write");
	flock(st->truth_fd, LOCK_UN);
}

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/*
 * One-line description of an IPv4 or IPv6 TCP packet for the log.  The
 * queue hands us the packet from the IP header on.  Only a plain IPv6
 * header followed directly by TCP is understood: the scenarios send
 * nothing else, and anything else is logged as "non-tcp" rather than
 * guessed at.
 */
static void describe(const unsigned char *p, int len, char *out, size_t olen)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], flags[8];
	const unsigned char *tcp;
	int iplen, hl, tlen, k = 0;

	if (len >= 20 && p[0] >> 4 == 4) {
		hl = (p[0] & 15) * 4;
		if (p[9] != 6 || len < hl + 20) {
			snprintf(out, olen, "non-tcp");
			return;
		}
		inet_ntop(AF_INET, p + 12, src, sizeof(src));
		inet_ntop(AF_INET, p + 16, dst, sizeof(dst));
		iplen = get16(p + 2);
	} else if (len >= 40 && p[0] >> 4 == 6) {
		hl = 40;
		if (p[6] != 6 || len < hl + 20) {
			snprintf(out, olen, "non-tcp");
			return;
		}
		inet_ntop(AF_INET6, p + 8, src, sizeof(src));
		inet_ntop(AF_INET6, p + 24, dst, sizeof(dst));
		iplen = 40 + get16(p + 4);
	} else {
		snprintf(out, olen, "non-ip");
		return;
	}
	tcp = p + hl;
	tlen = iplen - hl - (tcp[12] >> 4) * 4;
	/* Same letters and order as tcpdump, so the log reads alike. */
	if (tcp[13] & 0x02)
		flags[k++] = 'S';
	if (tcp[13] & 0x01)
		flags[k++] = 'F';
	if (tcp[13] & 0x08)
		flags[k++] = 'P';
	if (tcp[13] & 0x04)
		flags[k++] = 'R';
	if (tcp[13] & 0x10)
		flags[k++] = '.';
	flags[k] = '\0';
	snprintf(out, olen, "%s.%u > %s.%u [%s] seq=%u ack=%u len=%d", src,
		 get16(tcp), dst, get16(tcp + 2), flags, get32(tcp + 4),
		 get32(tcp + 8), tlen < 0 ? 0 : tlen);
}

static int wants_hold(const struct nfq_state *st, unsigned long n)
{
	if (st->delay_s <= 0)
		return 0;
	if (st->nholds == 0)
		return 1;
	for (int i = 0; i < st->nholds; i++)
		if (st->holds[i] == n)
			return 1;
	return 0;
}

static int wants_drop(const struct nfq_state *st, unsigned long n)
{
	if (st->drop_all)
		return 1;
	for (int i = 0; i < st->ndrops; i++)
		if (st->drops[i] == n)
			return 1;
	return 0;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg,
		     struct nfq_data *nfa, void *data)
{
	struct nfq_state *st = data;
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	unsigned char *payload = NULL;
	char what[256];
	uint32_t id;
	int len;

	(void)msg;
	if (!ph)
		return 0;
	id = ntohl(ph->packet_id);
	len = nfq_get_payload(nfa, &payload);
	describe(payload, len, what, sizeof(what));
	st->seen++;
	if (wants_drop(st, st->seen)) {
		emit(st, "#%lu %s drop", st->seen, what);
		return nfq_set_verdict(qh, id, NF_DROP, 0, NULL);
	}
	if (wants_hold(st, st->seen) && st->nheld < MAX_HELD) {
		/*
		 * Holding the verdict is how NFQUEUE delays: the kernel keeps
		 * the packet until we answer for its id.
		 */
		st->held[st->nheld].id = id;
		st->held[st->nheld].due = mono_now() + st->delay_s;
		st->nheld++;
		emit(st, "#%lu %s delay=%.0fms", st->seen, what,
		     st->delay_s * 1000.0);
		return 0;
	}
	emit(st, "#%lu %s accept", st->seen, what);
	return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
}

/* Release held packets whose time has come, in arrival order. */
static void release_due(struct nfq_state *st)
{
	double now = mono_now();
	int keep = 0;

	for (int i = 0; i < st->nheld; i++) {
		if (st->held[i].due <= now)
			nfq_set_verdict(st->qh, st->held[i].id, NF_ACCEPT, 0,
					NULL);
		else
			st->held[keep++] = st->held[i];
	}
	st->nheld = keep;
}

static int next_timeout_ms(const struct nfq_state *st)
{
	double now = mono_now(), first = -1;

	for (int i = 0; i < st->nheld; i++)
		if (first < 0 || st->held[i].due < first)
			first = st->held[i].due;
	if (first < 0)
		return 200;
	if (first <= now)
		return 0;
	return (int)((first - now) * 1000.0) + 1;
}

static void parse_list(unsigned long *to, int *n, const char *arg)
{
	char *copy, *tok, *save = NULL;

	copy = strdup(arg);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (*n < MAX_DROPS)
			to[(*n)++] = strtoul(tok, NULL, 10);
	}
	free(copy);
}

static void parse_drops(struct nfq_state *st, const char *arg)
{
	char *copy, *tok, *save = NULL;

	if (strcmp(arg, "all") == 0) {
		st->drop_all = 1;
		return;
	}
	copy = strdup(arg);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (st->ndrops < MAX_DROPS)
			st->drops[st->ndrops++] = strtoul(tok, NULL, 10);
	}
	free(copy);
}

static void usage(void)
{
	fputs("usage: nfq -n HOST -t TRUTH -r READYFILE [-q NUM] [-x LIST|all]"
	      " [-d MS [-h LIST]]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct nfq_state st = { .host = NULL, .truth_fd = -1 };
	const char *truth = NULL, *ready = NULL;
	struct nfq_handle *h;
	char buf[65536] __attribute__((aligned));
	int qnum = 0, opt, fd;

	while ((opt = getopt(argc, argv, "n:t:r:q:x:d:h:")) != -1) {
		switch (opt) {
		case 'n':
			st.host = optarg;
			break;
		case 't':
			truth = optarg;
			break;
		case 'r':
			ready = optarg;
			break;
		case 'q':
			qnum = atoi(optarg);
			break;
		case 'x':
			parse_drops(&st, optarg);
			break;
		case 'd':
			st.delay_s = atof(optarg) / 1000.0;
			break;
		case 'h':
			parse_list(st.holds, &st.nholds, optarg);
			break;
		default:
			usage();
		}
	}
	if (!st.host || !truth || !ready)
		usage();
	st.truth_fd = open(truth, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (st.truth_fd < 0) {
		perror(truth);
		return 3;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	h = nfq_open();
	if (!h) {
		perror("nfq_open");
		return 3;
	}
	st.qh = nfq_create_queue(h, (uint16_t)qnum, on_packet, &st);
	if (!st.qh) {
		perror("nfq_create_queue");
		return 3;
	}
	/* 128 bytes covers IPv6 + TCP with options; we only read headers. */
	if (nfq_set_mode(st.qh, NFQNL_COPY_PACKET, 128) < 0) {
		perror("nfq_set_mode");
		return 3;
	}
	fd = nfq_fd(h);

	/* The script waits for this file before it sends any traffic. */
	{
		int rfd = open(ready, O_WRONLY | O_CREAT, 0644);

		if (rfd < 0) {
			perror(ready);
			return 3;
		}
		close(rfd);
	}

	while (!stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int rc = poll(&p, 1, next_timeout_ms(&st));

		if (rc < 0 && errno != EINTR)
			break;
		if (rc > 0 && (p.revents & POLLIN)) {
			ssize_t n = recv(fd, buf, sizeof(buf), 0);

			if (n > 0)
				nfq_handle_packet(h, buf, (int)n);
		}
		release_due(&st);
	}
	/* Let anything still held go, rather than leave it to the kernel. */
	for (int i = 0; i < st.nheld; i++)
		nfq_set_verdict(st.qh, st.held[i].id, NF_ACCEPT, 0, NULL);
	nfq_destroy_queue(st.qh);
	nfq_close(h);
	return 0;
}
