/*
 * live.c: the live capture loop.
 *
 * One thread, one poll(2) on two descriptors: libpcap's selectable
 * descriptor and the read end of a pipe the signal handlers write to (so a
 * signal that lands just before poll still wakes it).  The handlers only
 * set flags and write that byte, both async-signal-safe; everything else
 * happens here, between packets.  Between packets the analyser's timers
 * (idle timeout, linger after a close, 2MSL tombstones) run on the wall
 * clock, so a connection that has gone quiet is still printed on time,
 * and so do the alerts and --every's tables (a little closer to it).
 */
#include "config.h"

#include "live.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "privs.h"

/* How often the timers run when no packet comes, and how far behind the
 * wall clock they run: a packet is handed over a little after the kernel
 * stamped it, and the analyser's clock must not overtake packets still
 * on their way (immediate mode delivers within milliseconds; a loaded
 * machine may take longer). */
#define TICK_MS 250
#define CLOCK_LAG_NS (1000 * 1000 * 1000LL)
/* Alerts and --every's tables are due on the wall clock, and an alert
 * should come within a second of its threshold: they run a tenth of a
 * second behind it, time enough for a packet in flight on a machine
 * that is not overloaded to be analysed first. */
#define WATCH_LAG_NS (100 * 1000 * 1000LL)

/* Packets handled between two looks at the signal flags and the clock. */
#define BATCH 256

static volatile sig_atomic_t stop_signal;  /* SIGINT or SIGTERM seen */
static volatile sig_atomic_t snapshot_due; /* SIGUSR1 seen */
static int wake_fd[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGUSR1) {
		snapshot_due = 1;
	} else {
		/* The second SIGINT or SIGTERM: the user does not want to
		 * wait for the rest of the output. */
		if (stop_signal)
			_exit(128 + sig);
		stop_signal = sig;
	}
	if (wake_fd[1] >= 0)
		(void)!write(wake_fd[1], "", 1);
	errno = saved;
}

static bool
install_signals(GError **err)
{
	struct sigaction sa;

	if (wake_fd[0] < 0 && pipe2(wake_fd, O_NONBLOCK | O_CLOEXEC) != 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INTERNAL,
		            "cannot make a pipe: %s", g_strerror(errno));
		return false;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* SA_RESTART: a write to a full pipe (a pager) goes on after a
	 * SIGUSR1 instead of failing with EINTR; poll(2) returns EINTR
	 * whatever the flag says, and the pipe wakes it anyway. */
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGINT, &sa, NULL) != 0 ||
	    sigaction(SIGTERM, &sa, NULL) != 0 ||
	    sigaction(SIGUSR1, &sa, NULL) != 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INTERNAL,
		            "cannot install the signal handlers: %s",
		            g_strerror(errno));
		return false;
	}
	return true;
}

static int64_t
wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts); /* the clock packets are
	                                       stamped with */
	return (int64_t)ts.tv_sec * TFE_NS_PER_SEC + ts.tv_nsec;
}

static void
drain_wake(void)
{
	char buf[64];

	while (read(wake_fd[0], buf, sizeof buf) > 0)
		;
}

struct tfe_capture *
tfe_live_open(const struct tfe_live_opts *o, char **who,
              struct tfe_kernel **kernel, GError **err)
{
	struct tfe_capture *cap;

	*kernel = NULL;
	cap = tfe_capture_open_live(o->iface, o->snaplen, o->filter,
	                            o->save_path, err);
	if (cap == NULL)
		return NULL;
	if (o->fanout_group != 0 &&
	    !tfe_capture_fanout(cap, o->fanout_group, err)) {
		tfe_capture_close(cap);
		return NULL;
	}
	if (o->kernel) {
		GError *kerr = NULL;
		*kernel = tfe_kernel_open(o->processes, o->user, &kerr);
		if (*kernel == NULL) {
			fprintf(stderr, "tcpflow-explain: %s; going on without the "
			        "kernel's view of the local sockets\n",
			        kerr->message);
			g_error_free(kerr);
		}
	}
	if (!tfe_privs_drop(o->user, who, err)) {
		tfe_kernel_close(*kernel);
		*kernel = NULL;
		tfe_capture_close(cap);
		return NULL;
	}
	return cap;
}

bool
tfe_live_run(struct tfe_capture *cap, const struct tfe_live_opts *o,
             const char *who, struct tfe_analyzer *a,
             const struct tfe_live_hooks *h, GError **err)
{
	struct tfe_packet p;
	uint64_t count = 0;
	int64_t last_tick = 0;
	int cap_timeout, fd;
	bool ok = true, done = false;

	if (!install_signals(err))
		return false;
	fd = tfe_capture_fd(cap, &cap_timeout);
	if (fd < 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INTERNAL,
		            "%s: libpcap gives no descriptor to wait on",
		            o->iface);
		return false;
	}

	GString *line = g_string_new(NULL);
	tfe_capture_describe(cap, line);
	fprintf(stderr, "tcpflow-explain: %s, as user %s\n", line->str,
	        who ? who : "?");
	g_string_free(line, TRUE);

	while (!done && !stop_signal) {
		int rc = TFE_CAPTURE_PACKET;

		for (int n = 0; n < BATCH && !stop_signal; n++) {
			rc = tfe_capture_next(cap, &p, err);
			if (rc != TFE_CAPTURE_PACKET)
				break;
			tfe_analyzer_frame(a, p.linktype, p.frame, p.ts, p.data,
			                   p.caplen, p.len);
			if (o->max_packets != 0 && ++count >= o->max_packets) {
				done = true;
				break;
			}
		}
		if (rc == TFE_CAPTURE_ERROR) {
			ok = false; /* the interface went away, for example */
			break;
		}
		if (rc == TFE_CAPTURE_END)
			break;

		int64_t now = wall_ns();
		if (now - last_tick >= TICK_MS * 1000000LL) {
			tfe_analyzer_tick(a, now - CLOCK_LAG_NS);
			tfe_capture_flush(cap);
			last_tick = now;
		}
		tfe_analyzer_watch_run(a, now - WATCH_LAG_NS);
		if (snapshot_due) {
			snapshot_due = 0;
			/* The timers lag the clock (CLOCK_LAG_NS); the view is
			 * of this moment all the same. */
			if (h->snapshot)
				h->snapshot(h->ud, a, now > a->now ? now : a->now);
		}
		if (done || stop_signal || rc == TFE_CAPTURE_PACKET)
			continue; /* more may be waiting: no need to sleep */

		struct pollfd pfd[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = wake_fd[0], .events = POLLIN },
		};
		int timeout = TICK_MS;
		if (cap_timeout >= 0 && cap_timeout < timeout)
			timeout = cap_timeout;
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR) {
			g_set_error(err, TFE_ERROR, TFE_ERR_INTERNAL,
			            "poll: %s", g_strerror(errno));
			ok = false;
			break;
		}
		if (pfd[1].revents & POLLIN)
			drain_wake();
	}

	/* What the kernel already holds belongs to the capture too (at most
	 * a ring's worth, so a flood cannot keep us here). */
	for (int n = 0; ok && !done && n < 65536; n++) {
		if (tfe_capture_next(cap, &p, err) != TFE_CAPTURE_PACKET) {
			g_clear_error(err);
			break;
		}
		tfe_analyzer_frame(a, p.linktype, p.frame, p.ts, p.data, p.caplen,
		                   p.len);
		if (o->max_packets != 0 && ++count >= o->max_packets)
			break;
	}

	/* The capture lasted until now: the timers run to this moment
	 * (a CLOSE_WAIT has lingered this long), then libpcap's counters. */
	tfe_analyzer_tick(a, wall_ns());
	tfe_capture_flush(cap);
	a->stats.have_capture_stats =
		tfe_capture_stats(cap, &a->stats.ps_recv, &a->stats.ps_drop,
		                  &a->stats.ps_ifdrop);
	return ok;
}
