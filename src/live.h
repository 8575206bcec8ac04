/*
 * live.h: live capture from a network interface (README.md): open the
 * device, drop privileges, then feed the analyser until SIGINT or SIGTERM,
 * running its timers on the wall clock when no packet comes, and printing
 * the socket table of the moment on SIGUSR1.
 *
 * It wires capture -> analysis like main does for files; it never formats
 * output itself (the hooks do) and never analyses a packet.
 */
#ifndef TFE_LIVE_H
#define TFE_LIVE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "analyze.h"
#include "capture.h"
#include "kernel.h"

struct tfe_live_opts {
	const char *iface;       /* -i */
	int snaplen;             /* -s, bytes */
	const char *filter;      /* BPF expression or NULL */
	const char *save_path;   /* -w or NULL */
	const char *user;        /* -Z or NULL for the default */
	uint64_t max_packets;    /* -c, 0 for no limit */
	int fanout_group;        /* --fanout, 0 for none */
	bool kernel;             /* ask the kernel about local sockets */
	bool processes;          /* and their owners (--no-processes) */
};

struct tfe_live_hooks {
	/* SIGUSR1: print the socket table at `at` (ns, epoch: the wall
	 * clock, never before a->now) and carry on */
	void (*snapshot)(void *ud, struct tfe_analyzer *a, int64_t at);
	void *ud;
};

/* Opens the interface (and the -w file) and, with o->kernel, the
 * kernel's socket table and the owner lookup (kernel.h; NULL in *kernel
 * when the kernel has none, said on stderr), then drops root for good
 * (privs.h).  On success *who names the user now in effect (free it). */
struct tfe_capture *tfe_live_open(const struct tfe_live_opts *o, char **who,
                                  struct tfe_kernel **kernel, GError **err);

/*
 * Installs the signal handlers, says "listening on ..." on stderr, and
 * analyses packets as they come until SIGINT or SIGTERM (or -c packets),
 * then runs the timers to the moment it stopped and fills the capture
 * counters of a->stats.  The caller then calls tfe_analyzer_finish() and
 * prints the summary.  The handlers stay: from the first SIGINT or
 * SIGTERM on, a second one ends the process at once (status 128+signal).
 * Returns false when the capture failed (*err says why); what was
 * analysed before stays valid.
 */
bool tfe_live_run(struct tfe_capture *cap, const struct tfe_live_opts *o,
                  const char *who, struct tfe_analyzer *a,
                  const struct tfe_live_hooks *h, GError **err);

#endif /* TFE_LIVE_H */
