/*
 * main.c: the command line (tcpdump conventions, doc/tcpflow-explain.1),
 * and the wiring of capture -> analysis -> renderer.  Nothing here
 * analyses a packet.
 */
#include "config.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "analyze.h"
#include "capture.h"
#include "expect.h"
#include "kernel.h"
#include "live.h"
#include "pair.h"
#include "reader.h"
#include "writer.h"
#include "render.h"
#include "render_pair.h"

#define EXIT_USAGE 2
#define EXIT_INPUT 3
#define EXIT_INTERNAL 4

enum {
	OPT_FORMAT = 256,
	OPT_VERSION,
	OPT_ALL_FRAMES,
	OPT_MSL,
	OPT_CLOSE_WAIT,
	OPT_IDLE,
	OPT_MAX_FLOWS,
	OPT_AT,
	OPT_VERDICTS_ONLY,
	OPT_FAIL_ON,
	OPT_COLOR,
	OPT_EVENTS,
	OPT_ZEEK_IGNORE_CSUM,
	OPT_THREADS,
	OPT_ZERO_WINDOW,
	OPT_IDLE_GAP,
	OPT_EXPLAIN,
	OPT_EXPECT,
	OPT_SHARD,
	OPT_FANOUT,
	OPT_ALERTS,
	OPT_NO_ALERTS,
	OPT_EVERY,
	OPT_SYN_THRESHOLD,
	OPT_SYN_RECEIVED_THRESHOLD,
	OPT_FIN_WAIT_2_THRESHOLD,
	OPT_LAST_ACK_THRESHOLD,
	OPT_SERVERS,
	OPT_CONN,
	OPT_DRAW,
	OPT_PAIR,
	OPT_NO_PROCESSES,
};

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "all-frames", no_argument, NULL, OPT_ALL_FRAMES },
	{ "msl", required_argument, NULL, OPT_MSL },
	{ "close-wait-threshold", required_argument, NULL, OPT_CLOSE_WAIT },
	{ "zero-window-threshold", required_argument, NULL, OPT_ZERO_WINDOW },
	{ "idle-gap-threshold", required_argument, NULL, OPT_IDLE_GAP },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE },
	{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
	{ "at", required_argument, NULL, OPT_AT },
	{ "verdicts-only", no_argument, NULL, OPT_VERDICTS_ONLY },
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "events", no_argument, NULL, OPT_EVENTS },
	{ "zeek-ignore-checksums", no_argument, NULL, OPT_ZEEK_IGNORE_CSUM },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "explain", required_argument, NULL, OPT_EXPLAIN },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "fanout", required_argument, NULL, OPT_FANOUT },
	{ "alerts", no_argument, NULL, OPT_ALERTS },
	{ "no-alerts", no_argument, NULL, OPT_NO_ALERTS },
	{ "every", required_argument, NULL, OPT_EVERY },
	{ "syn-threshold", required_argument, NULL, OPT_SYN_THRESHOLD },
	{ "syn-received-threshold", required_argument, NULL,
	  OPT_SYN_RECEIVED_THRESHOLD },
	{ "fin-wait-2-threshold", required_argument, NULL,
	  OPT_FIN_WAIT_2_THRESHOLD },
	{ "last-ack-threshold", required_argument, NULL, OPT_LAST_ACK_THRESHOLD },
	{ "servers", no_argument, NULL, OPT_SERVERS },
	{ "conn", required_argument, NULL, OPT_CONN },
	{ "draw", required_argument, NULL, OPT_DRAW },
	{ "pair", required_argument, NULL, OPT_PAIR },
	{ "no-processes", no_argument, NULL, OPT_NO_PROCESSES },
	{ NULL, 0, NULL, 0 },
};

/* Keep in step with doc/tcpflow-explain.1 (a test compares the two). */
static void
usage(FILE *out)
{
	fputs(
"Usage: tcpflow-explain -r FILE [-r FILE ...] [options] [BPF expression]\n"
"       tcpflow-explain -i IFACE [-s N] [-Z USER] [-w FILE] [options] [BPF expression]\n"
"       tcpflow-explain -D\n"
"Explains every TCP connection in a capture: both sides' RFC 9293 states\n"
"frame by frame, with MSS and window values, and how each connection ended.\n"
"\n"
"Input:\n"
"  -r FILE                  read a pcap or pcapng file; - is standard input;\n"
"                           repeat to read several files in order as one capture\n"
"  -i IFACE                 capture live on a network interface (any: all of\n"
"                           them); needs root or CAP_NET_RAW; each connection\n"
"                           prints when it ends; SIGINT or SIGTERM stops (the\n"
"                           open ones print, then the summary), SIGUSR1 prints\n"
"                           the socket table of the moment and carries on\n"
"  -D                       list the interfaces -i can open, and exit\n"
"  -s N                     with -i: bytes kept of each packet (default 256,\n"
"                           enough for the headers)\n"
"  -Z USER                  with -i: after opening the interface, run as USER\n"
"                           with no capabilities (default when root: nobody;\n"
"                           -Z root keeps root)\n"
"  --no-processes           with -i: do not look for the processes that own\n"
"                           the local sockets (the kernel's state, queues\n"
"                           and timers are still read)\n"
"  -w FILE                  also save the packets analysed (those the filter\n"
"                           passes) to FILE as a pcap capture; with -r it\n"
"                           filters a capture into a new one\n"
"  -c N                     stop after N packets (that pass the filter)\n"
"  --threads N              with -r: 1 reads, decodes and analyses in one\n"
"                           thread; 2 reads and decodes in a second thread;\n"
"                           3 also writes text, json and ladder output in a\n"
"                           third (default 3 when the program may run on more\n"
"                           than one CPU, else 1); the output is the same\n"
"  -n, -nn                  accepted as in tcpdump: names are never resolved\n"
"  --shard K/N              with -r: analyse only the connections whose\n"
"                           4-tuple hashes to shard K of N (1 <= K <= N), each\n"
"                           as the whole run would; connections are numbered\n"
"                           by their first frame\n"
"  --pair A B               read two captures of the same traffic taken at\n"
"                           two points (near each end, or on the path) and\n"
"                           match them: connections and segments (through\n"
"                           NAT), the clocks' offset, and what the path lost,\n"
"                           made, changed, reordered or held (every form)\n"
"  --fanout GROUP           with -i (Linux): join the kernel's packet fanout\n"
"                           group GROUP (1 to 65535), hashing each connection\n"
"                           both ways to one of the group's processes\n"
"  BPF expression           the words that are not options form a capture\n"
"                           filter, as in tcpdump; options may follow them;\n"
"                           with -r, frames keep their numbers in the file\n"
"\n"
"Output:\n"
"  --format text|summary|netstat|json|ladder|conn|html\n"
"                           text (default): each connection's timeline, then\n"
"                           the summary; summary: the summary alone;\n"
"                           netstat: what netstat -tan would have shown on\n"
"                           each observed host at one moment (see --at);\n"
"                           json: JSON Lines, one object per connection then\n"
"                           the summary (tcpflow-explain(1)); ladder: the same\n"
"                           timeline as a sequence diagram, client on the\n"
"                           left, server on the right, then the summary;\n"
"                           conn: one line per connection in aligned\n"
"                           columns under a header (start, duration, ends,\n"
"                           close, final states, bytes, packets, handshake\n"
"                           RTT, verdict kinds), no summary; html: one\n"
"                           self-contained page: the overview, the list of\n"
"                           connections, and drawings of some (--draw)\n"
"  --draw all|warnings|N    with --format html: which connections are drawn\n"
"                           (ladder, sequence and window graphs): all, those\n"
"                           with a warning, or those and the N largest and N\n"
"                           longest (default 5)\n"
"  --conn N                 only connection N (its number in the output), in\n"
"                           every form that prints connections; the summary\n"
"                           still counts the whole capture\n"
"  --events                 with --format json: add each connection's\n"
"                           timeline (frames, runs, timers)\n"
"  --at TIME                with --format netstat: the moment; below 1e9 it\n"
"                           is seconds from the first packet, otherwise an\n"
"                           epoch timestamp on the capture's clock (default:\n"
"                           the end of the capture)\n"
"  -t, -tt, -ttt, -tttt     text, ladder and html: the frame rows' time as\n"
"                           time of day (UTC), seconds since 1970, seconds\n"
"                           since the row above, or date and time (UTC); by\n"
"                           default seconds since the connection's first frame\n"
"  -S                       text and ladder: sequence and acknowledgment\n"
"                           numbers as on the wire, not relative to the ISN\n"
"  --all-frames             print every frame instead of folding runs of\n"
"                           ordinary data and ACK frames\n"
"  --verdicts-only          print only connections with a warning verdict\n"
"  --servers                add to the summary the picture per server: its\n"
"                           connections, how they ended, its verdicts, its\n"
"                           handshake RTT's median and 99th percentile, and\n"
"                           the busiest offenders per warning kind (always\n"
"                           in --format summary)\n"
"  --fail-on KIND,...       exit 1 when any of these verdicts is found, naming\n"
"                           the connections; all, warning and info name\n"
"                           every kind or a severity's, -KIND takes one out\n"
"                           (warning,-time_wait_reuse); with --pair, the\n"
"                           pairing's kinds (lost_on_path, ...)\n"
"  --expect FILE            check the capture against the expectations in FILE\n"
"                           (per connection: close, final states, verdicts\n"
"                           that must and must not appear); exit 1 with a\n"
"                           diff of those not met\n"
"  --explain KIND           print what a verdict kind means, what to do, and\n"
"                           an example, then exit; --explain list: the kinds\n"
"  --color auto|always|never\n"
"                           colour verdicts by severity (default auto: when\n"
"                           standard output is a terminal and NO_COLOR is\n"
"                           not set)\n"
"\n"
"Watching:\n"
"  --alerts                 with -r: report a socket at the moment it has\n"
"                           stayed past its threshold in SYN_SENT,\n"
"                           SYN_RECEIVED, FIN_WAIT_2, CLOSE_WAIT or LAST_ACK\n"
"                           (on by default with -i)\n"
"  --no-alerts              with -i: no alerts\n"
"  --every S                every S seconds (of the capture's clock with -r,\n"
"                           of the wall clock with -i) print the socket\n"
"                           table: sockets per server and state, with the\n"
"                           oldest's age and the change since the last one\n"
"  --syn-threshold S        alert for a SYN unanswered this long (default 3)\n"
"  --syn-received-threshold S\n"
"                           alert for a SYN+ACK unanswered this long\n"
"                           (default 3)\n"
"  --fin-wait-2-threshold S alert for a FIN_WAIT_2 this long (default 60)\n"
"  --last-ack-threshold S   alert for a LAST_ACK this long (default 3)\n"
"                           (CLOSE_WAIT's is --close-wait-threshold)\n"
"\n"
"Analysis:\n"
"  --msl S                  maximum segment lifetime in seconds; TIME_WAIT\n"
"                           lasts 2*MSL (default 30, so 60 s as on Linux)\n"
"  --close-wait-threshold S seconds after which an unanswered FIN counts as\n"
"                           a lingering CLOSE_WAIT (default 5)\n"
"  --zero-window-threshold S\n"
"                           seconds of zero-window stall from which it is a\n"
"                           zero_window warning; shorter ones are\n"
"                           zero_window_brief, information (default 1)\n"
"  --idle-gap-threshold S   seconds of silence both ways, begun with nothing\n"
"                           unacknowledged, after which a RST its claimed\n"
"                           sender did not send or re-sends into silence are\n"
"                           middlebox_idle_timeout (default 60; 0: never)\n"
"  --idle-timeout S         seconds of silence after which a connection is\n"
"                           reported as timed out (default 7875: Linux's\n"
"                           keepalive time and probes)\n"
"  --max-flows N            connections held at once; past it the least\n"
"                           recently active one is reported and dropped\n"
"                           (default 262144); also bounds the closed ones\n"
"                           remembered for 2MSL and the known listeners\n"
"  --zeek-ignore-checksums  translate to Zeek's words as zeek -C would:\n"
"                           keep segments with a bad TCP or IPv4 checksum\n"
"                           (by default they count as Zeek's C and are\n"
"                           left out of its conn_state and history)\n"
"\n"
"  -h, --help               show this help and exit\n"
"  --version                show the version and exit\n"
"\n"
"Exit status: 0 ok, 1 a --fail-on verdict was found or an --expect\n"
"expectation not met, 2 usage error,\n"
"3 input or capture error, 4 internal error.\n",
	      out);
}

static void G_GNUC_PRINTF(1, 2)
error_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("tcpflow-explain: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Seconds as a non-negative finite number, into ns.  The bounds keep the
 * analysis clock in int64 ns: a frame's time (at most
 * TFE_CAPTURE_MAX_SEC) plus 2 * --msl or --idle-timeout must fit, and so
 * must an --at time plus them. */
static bool
parse_seconds(const char *opt, const char *s, int64_t *out)
{
	double max = strcmp(opt, "--at") == 0 ? (double)TFE_CAPTURE_MAX_SEC
	                                      : 1e9;
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0 ||
	    v > max) {
		error_msg("%s: invalid number of seconds: '%s' (0 to %.0f)", opt,
		          s, max);
		return false;
	}
	*out = (int64_t)llround(v * 1e9);
	return true;
}

#ifndef TFE_DOCDIR
#define TFE_DOCDIR "doc"
#endif

/* --explain KIND: the kind's section of doc/verdicts.md, compiled in;
 * --explain list (or an unknown kind) lists the kinds.  The exit
 * status. */
static int
explain(const char *kind)
{
	int k;

	for (k = 0; k < TFE_V__COUNT; k++)
		if (strcmp(kind, tfe_verdicts[k].kind) == 0)
			break;
	for (int pk = 0; k == TFE_V__COUNT && pk < TFE_PF__COUNT; pk++)
		if (strcmp(kind, tfe_pair_kinds[pk].kind) == 0) {
			/* the pairing's kinds (--pair) are documented with it */
			printf("%s (%s): %s\n\nA finding of --pair, from two captures "
			       "of the same traffic: see pair.md and the section "
			       "\"Two captures\" of verdicts.md in %s.\n", kind,
			       tfe_pair_kinds[pk].severity == TFE_SEV_WARNING ?
			       "warning" : "info", tfe_pair_kinds[pk].title,
			       TFE_DOCDIR);
			return EXIT_SUCCESS;
		}
	if (k == TFE_V__COUNT) {
		bool list = strcmp(kind, "list") == 0;
		FILE *out = list ? stdout : stderr;

		if (!list)
			error_msg("--explain: '%s' is not a verdict kind; the kinds:",
			          kind);
		for (k = 0; k < TFE_V__COUNT; k++)
			fprintf(out, "%-22s %-8s %s\n", tfe_verdicts[k].kind,
			        tfe_verdicts[k].severity == TFE_SEV_WARNING ?
			        "warning" : "info", tfe_verdicts[k].title);
		return list ? EXIT_SUCCESS : EXIT_USAGE;
	}
	for (const struct tfe_verdict_doc *d = tfe_verdict_docs; d->kind; d++)
		if (strcmp(d->kind, kind) == 0) {
			printf("%s (%s): %s\n\n%s\n", kind,
			       tfe_verdicts[k].severity == TFE_SEV_WARNING ?
			       "warning" : "info", tfe_verdicts[k].title, d->text);
			printf("Every kind: tcpflow-explain --explain list, "
			       "tcpflow-explain(1), and verdicts.md in %s.\n",
			       TFE_DOCDIR);
			return EXIT_SUCCESS;
		}
	error_msg("--explain: no documentation for '%s'", kind);
	return EXIT_INTERNAL;
}

static bool
parse_count(const char *opt, const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (s[0] == '-' || s[0] == '\0') {
		error_msg("%s: invalid count: '%s'", opt, s);
		return false;
	}
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > max) {
		error_msg("%s: invalid count: '%s'", opt, s);
		return false;
	}
	*out = v;
	return true;
}

struct run {
	struct tfe_render_opts ro;
	uint64_t fail_on;      /* verdict kinds that make the exit status 1 */
	uint64_t fail_on_pair; /* --pair's kinds (tfe_pair_kinds) that do */
	bool fail_on_named;    /* --fail-on named a kind of the catalogue */
	bool fail_on_pair_named; /* ... or one of --pair's */
	bool failed;
	uint64_t found[TFE_V__COUNT]; /* connections with each --fail-on kind */
	GString *named[TFE_V__COUNT]; /* the first FAIL_NAMED of them,
	                                 "#12 10.0.0.1:4000 -> 10.0.0.2:80" */
	struct tfe_expect *expect; /* --expect */
	struct tfe_netstat *netstat;
	struct tfe_table *table; /* --every and SIGUSR1: the last counts */
	struct tfe_picture *picture; /* --servers, counted in judge() */
	uint64_t conn_only;    /* --conn N: only that connection, 0 for all */
	struct tfe_kernel *kernel; /* live: the local sockets' view */
	struct tfe_writer *writer; /* NULL: connections are written here */
	bool verdicts_in_writer; /* the writing thread works out the
	                          verdicts (the analyser's verdicts_later) */
	bool write_next;       /* otherwise: the connection conn_done just
	                          judged is to be written */
	/* With the verdicts in the writing thread, it alone uses what
	 * follows until tfe_writer_finish(), and failed and found above. */
	const struct tfe_config *cfg; /* the analyser's */
	GArray *verdicts;      /* each connection's in turn */
	uint64_t by_verdict[TFE_V__COUNT]; /* for stats.by_verdict */
};

static void
write_conn(const struct run *r, const struct tfe_conn *c)
{
	if (r->ro.format == TFE_FMT_TEXT)
		tfe_render_text_conn(&r->ro, c);
	else if (r->ro.format == TFE_FMT_JSON)
		tfe_render_json_conn(&r->ro, c);
	else if (r->ro.format == TFE_FMT_LADDER)
		tfe_render_ladder_conn(&r->ro, c);
	else if (r->ro.format == TFE_FMT_CONN)
		tfe_render_conn_line(&r->ro, c);
	else if (r->ro.format == TFE_FMT_HTML)
		tfe_html_add(r->ro.html, &r->ro, c);
}

/* --fail-on's list: the pairing's kinds (--pair) into fail_on_pair, the
 * catalogue's into fail_on; all, warning and info into both; -KIND
 * takes one out, in order.  False with *bad the first unknown name. */
static bool
parse_fail_on(struct run *run, const char *list, char **bad)
{
	gchar **names = g_strsplit(list, ",", -1);
	GString *rest = g_string_new(NULL);
	bool ok;

	run->fail_on_pair = 0;
	for (gchar **n = names; *n; n++) {
		gchar *name = g_strstrip(*n);
		bool minus = name[0] == '-';
		const char *bare = minus ? name + 1 : name;
		bool general = strcmp(bare, "all") == 0 ||
		               strcmp(bare, "warning") == 0 ||
		               strcmp(bare, "info") == 0;
		uint64_t these = 0;

		for (int k = 0; k < TFE_PF__COUNT; k++)
			if (strcmp(bare, tfe_pair_kinds[k].kind) == 0 ||
			    strcmp(bare, "all") == 0 ||
			    (strcmp(bare, "warning") == 0 &&
			     tfe_pair_kinds[k].severity == TFE_SEV_WARNING) ||
			    (strcmp(bare, "info") == 0 &&
			     tfe_pair_kinds[k].severity == TFE_SEV_INFO))
				these |= UINT64_C(1) << k;
		if (minus)
			run->fail_on_pair &= ~these;
		else
			run->fail_on_pair |= these;
		if (these != 0 && !general) {
			run->fail_on_pair_named = true;
			continue;
		}
		if (*bare != '\0' && !general)
			run->fail_on_named = true;
		g_string_append_printf(rest, "%s%s", rest->len ? "," : "", name);
	}
	g_strfreev(names);
	ok = tfe_verdict_parse_list(rest->str, &run->fail_on, bad);
	g_string_free(rest, TRUE);
	return ok;
}

/* How many connections the --fail-on message names for each kind. */
#define FAIL_NAMED 10

/* Adds "#N client -> server" to the connections named for kind k. */
static void
name_conn(struct run *r, int k, const struct tfe_conn *c)
{
	char a[TFE_ADDR_STRLEN], b[TFE_ADDR_STRLEN];

	if (r->named[k] == NULL)
		r->named[k] = g_string_new(NULL);
	tfe_endpoint_format(c->family, tfe_conn_addr(c, TFE_SIDE_CLIENT),
	                    tfe_conn_port(c, TFE_SIDE_CLIENT), a, sizeof a);
	tfe_endpoint_format(c->family, tfe_conn_addr(c, TFE_SIDE_SERVER),
	                    tfe_conn_port(c, TFE_SIDE_SERVER), b, sizeof b);
	g_string_append_printf(r->named[k], "%s#%" G_GUINT64_FORMAT " %s -> %s",
	                       r->named[k]->len ? ", " : "", c->id, a, b);
}

/* Counts a finished connection's --fail-on kinds; true when it is to be
 * written (every connection, or with --verdicts-only those with a
 * warning). */
static bool
judge(struct run *r, const struct tfe_conn *c)
{
	bool warning = false;
	uint64_t hit = 0;

	for (guint i = 0; c->verdicts && i < c->verdicts->len; i++) {
		const struct tfe_verdict *v =
			&g_array_index(c->verdicts, struct tfe_verdict, i);
		if (r->fail_on & (UINT64_C(1) << v->kind))
			hit |= UINT64_C(1) << v->kind;
		if (tfe_verdicts[v->kind].severity == TFE_SEV_WARNING)
			warning = true;
	}
	if (r->expect != NULL)
		tfe_expect_note(r->expect, c);
	for (int k = 0; k < TFE_V__COUNT; k++)
		if (hit & (UINT64_C(1) << k)) {
			r->failed = true;
			r->found[k]++; /* connections, not verdicts */
			if (r->found[k] <= FAIL_NAMED)
				name_conn(r, k, c);
		}
	if (r->picture != NULL)
		tfe_picture_add(r->picture, c);
	if (r->conn_only != 0 && c->id != r->conn_only)
		return false;
	return !r->ro.verdicts_only || warning;
}

static void
on_conn_done(void *ud, const struct tfe_conn *c)
{
	struct run *r = ud;

	if (r->netstat)
		tfe_netstat_update(r->netstat, c);
	/* the writing thread may judge it itself (write_taken) */
	if (r->writer != NULL && r->verdicts_in_writer)
		return;
	r->write_next = judge(r, c);
	if (r->writer == NULL && r->write_next)
		write_conn(r, c);
}

/* After conn_done, once `c` has left the flow table: the writing thread
 * takes it when there is one and it is to be written. */
static bool
on_conn_take(void *ud, struct tfe_conn *c, int64_t now)
{
	struct run *r = ud;

	if (r->writer == NULL || (!r->verdicts_in_writer && !r->write_next))
		return false;
	tfe_writer_put(r->writer, c, now);
	return true;
}

/* The writing thread's part: the verdicts, when the analyser left them to
 * it (so that their sentences are formatted here), then the output. */
static void
write_taken(void *ud, struct tfe_conn *c, int64_t now)
{
	struct run *r = ud;

	if (!r->verdicts_in_writer) {
		write_conn(r, c);
		return;
	}
	if (r->verdicts == NULL)
		r->verdicts = tfe_verdicts_new();
	tfe_analyzer_verdicts(r->cfg, c, now, r->verdicts, r->by_verdict);
	if (judge(r, c))
		write_conn(r, c);
	tfe_verdicts_clear(r->verdicts);
	c->verdicts = NULL;
}

/* Alerts and tables in their place among the connections: handed to the
 * writing thread when there is one (it alone writes then), else written
 * here.  The HTML page is written whole at the end, so that standard
 * output holds the page alone: alerts and tables go to standard error,
 * as text. */
static void
write_alert(const struct run *r, const struct tfe_alert *al)
{
	struct tfe_render_opts o = r->ro;

	if (o.format == TFE_FMT_HTML) {
		o.out = stderr;
		o.color = false;
	}
	if (o.format == TFE_FMT_JSON)
		tfe_render_json_alert(&o, al);
	else
		tfe_render_text_alert(&o, al);
}

static void
note_alert(void *ud, void *note)
{
	write_alert(ud, note);
	g_free(note);
}

static void
on_alert(void *ud, const struct tfe_alert *al)
{
	struct run *r = ud;

	if (r->writer != NULL)
		tfe_writer_put_note(r->writer, note_alert,
		                    g_memdup2(al, sizeof *al));
	else
		write_alert(r, al);
}

static void
write_table(const struct run *r, const struct tfe_table_shot *t)
{
	struct tfe_render_opts o = r->ro;

	if (o.format == TFE_FMT_HTML) {
		o.out = stderr;
		o.color = false;
	}
	if (o.format == TFE_FMT_JSON)
		tfe_render_json_table(&o, t);
	else
		tfe_table_print(&o, t);
}

static void
note_table(void *ud, void *note)
{
	write_table(ud, note);
	tfe_table_shot_free(note);
}

static void
on_table(void *ud, const struct tfe_analyzer *a, int64_t at)
{
	struct run *r = ud;
	struct tfe_table_shot *t;

	if (r->table == NULL)
		r->table = tfe_table_new();
	t = tfe_table_take(r->table, a, at);
	if (r->writer != NULL) {
		tfe_writer_put_note(r->writer, note_table, t);
	} else {
		write_table(r, t);
		tfe_table_shot_free(t);
	}
}

/* SIGUSR1 during a live capture: the socket table of this moment, on
 * standard output (a JSON object in JSON). */
static void
on_live_snapshot(void *ud, struct tfe_analyzer *a, int64_t at)
{
	struct run *r = ud;

	tfe_analyzer_query_all(a, TFE_LQ_TABLE);
	on_table(r, a, at);
	fflush(r->ro.out);
}

/* Live: the kernel's view of a connection's local sockets. */
static void
on_query(void *ud, struct tfe_analyzer *a, struct tfe_conn *c, int why)
{
	struct run *r = ud;

	tfe_kernel_query(r->kernel, a, c, why);
}

/* Live: the kernel's view of the remembered TIME_WAITs' local sockets. */
static void
on_query_tombs(void *ud, struct tfe_analyzer *a)
{
	struct run *r = ud;

	tfe_kernel_query_tombs(r->kernel, a);
}

static void
on_snapshot(void *ud, const struct tfe_analyzer *a, int64_t at)
{
	struct run *r = ud;

	if (r->ro.format == TFE_FMT_NETSTAT && r->netstat == NULL)
		r->netstat = tfe_netstat_snapshot(a, at);
}

/* What the command line asks for, besides the analysis options (struct
 * tfe_config) and the output's (struct run). */
struct cmdline {
	GPtrArray *files;      /* -r, in order */
	uint64_t max_packets;  /* -c, 0 for all */
	enum tfe_at_kind at_kind;
	int64_t at;            /* --at */
	bool at_given;
	int64_t draw;          /* --draw: TFE_HTML_DRAW_ALL, or how many of
	                          the largest and of the longest besides the
	                          connections with a warning */
	bool draw_given;
	int color;             /* --color: 1 always, 0 never, -1 auto */
	struct tfe_live_opts live; /* -i, -s, -Z, -w */
	bool list_interfaces, snaplen_given;
	guint threads;         /* --threads, 0 when not given */
	unsigned tstamp;       /* how many -t: enum tfe_tstamp */
	uint32_t shard_k, shard_n; /* --shard K/N, K 1-based; n 0 without */
	bool per_conn;         /* the output form describes each connection */
	int alerts;            /* --alerts 1, --no-alerts 0, -1 not given */
	struct tfe_watch watch; /* thresholds and --every */
	char *filter;          /* the trailing words, or NULL */
	const char *pair[2];   /* --pair A B */
};

/* Reads the options into *cl, *cfg and *run; -1 to go on, otherwise the
 * exit status (after --help, --version or a usage error). */
static int
parse_options(int argc, char **argv, struct cmdline *cl,
              struct tfe_config *cfg, struct run *run)
{
	int opt;

	/* As in tcpdump, options may come before or after the filter words
	 * (getopt moves the words to the end); a filter word may start with
	 * a dash only after "--". */
	opterr = 0; /* our own messages: "tcpflow-explain: ..." */
	while ((opt = getopt_long(argc, argv, ":r:c:hi:Ds:Z:w:nSt", long_opts,
	                          NULL)) != -1) {
		uint64_t n;

		switch (opt) {
		case 'r':
			g_ptr_array_add(cl->files, optarg);
			break;
		case 'c':
			if (!parse_count("-c", optarg, UINT64_MAX, &cl->max_packets))
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'i':
			cl->live.iface = optarg;
			break;
		case 'D':
			cl->list_interfaces = true;
			break;
		case 'n':
			/* -n, -nn: names are never resolved; accepted for
			 * tcpdump's habit */
			break;
		case 'S':
			run->ro.raw_seq = true;
			break;
		case 't':
			if (++cl->tstamp >= TFE_TS__COUNT) {
				error_msg("-t: at most four (-tttt: date and time)");
				return EXIT_USAGE;
			}
			break;
		case 's':
			if (!parse_count("-s", optarg, TFE_SNAPLEN_MAX, &n))
				return EXIT_USAGE;
			cl->live.snaplen = (int)n;
			cl->snaplen_given = true;
			break;
		case 'Z':
			cl->live.user = optarg;
			break;
		case 'w':
			if (strcmp(optarg, "-") == 0) {
				error_msg("-w -: standard output carries the report; "
				          "give a file name");
				return EXIT_USAGE;
			}
			cl->live.save_path = optarg;
			break;
		case OPT_VERSION:
			printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			printf("%s\n", pcap_lib_version());
			return EXIT_SUCCESS;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				run->ro.format = TFE_FMT_TEXT;
			else if (strcmp(optarg, "summary") == 0)
				run->ro.format = TFE_FMT_SUMMARY;
			else if (strcmp(optarg, "netstat") == 0)
				run->ro.format = TFE_FMT_NETSTAT;
			else if (strcmp(optarg, "json") == 0)
				run->ro.format = TFE_FMT_JSON;
			else if (strcmp(optarg, "ladder") == 0)
				run->ro.format = TFE_FMT_LADDER;
			else if (strcmp(optarg, "conn") == 0)
				run->ro.format = TFE_FMT_CONN;
			else if (strcmp(optarg, "html") == 0)
				run->ro.format = TFE_FMT_HTML;
			else {
				error_msg("--format: unknown format '%s' (text, summary, "
				          "netstat, json, ladder, conn, html)", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_ALL_FRAMES:
			cfg->all_frames = true;
			break;
		case OPT_ZEEK_IGNORE_CSUM:
			cfg->zeek_ignore_checksums = true;
			break;
		case OPT_MSL:
			if (!parse_seconds("--msl", optarg, &cfg->msl))
				return EXIT_USAGE;
			break;
		case OPT_CLOSE_WAIT:
			if (!parse_seconds("--close-wait-threshold", optarg,
			                   &cfg->close_wait))
				return EXIT_USAGE;
			break;
		case OPT_ZERO_WINDOW:
			if (!parse_seconds("--zero-window-threshold", optarg,
			                   &cfg->zero_window))
				return EXIT_USAGE;
			break;
		case OPT_IDLE_GAP:
			if (!parse_seconds("--idle-gap-threshold", optarg,
			                   &cfg->idle_gap))
				return EXIT_USAGE;
			/* 0: no silence is an idle gap */
			if (cfg->idle_gap == 0)
				cfg->idle_gap = INT64_MAX;
			break;
		case OPT_IDLE:
			if (!parse_seconds("--idle-timeout", optarg,
			                   &cfg->idle_timeout))
				return EXIT_USAGE;
			break;
		case OPT_AT:
			if (!parse_seconds("--at", optarg, &cl->at))
				return EXIT_USAGE;
			cl->at_kind = cl->at < 1000000000 * TFE_NS_PER_SEC ?
			              TFE_AT_RELATIVE : TFE_AT_EPOCH;
			cl->at_given = true;
			break;
		case OPT_EVENTS:
			run->ro.events = true;
			break;
		case OPT_VERDICTS_ONLY:
			run->ro.verdicts_only = true;
			break;
		case OPT_CONN:
			if (!parse_count("--conn", optarg, UINT64_MAX, &n))
				return EXIT_USAGE;
			if (n == 0) {
				error_msg("--conn: connections are numbered from 1");
				return EXIT_USAGE;
			}
			run->conn_only = n;
			break;
		case OPT_DRAW:
			if (strcmp(optarg, "all") == 0) {
				cl->draw = TFE_HTML_DRAW_ALL;
			} else if (strcmp(optarg, "warnings") == 0) {
				cl->draw = 0;
			} else {
				/* a count, else parse_count says what is wrong */
				if (!parse_count("--draw", optarg,
				                 TFE_HTML_DRAW_TOP_MAX, &n))
					return EXIT_USAGE;
				cl->draw = (int64_t)n;
			}
			cl->draw_given = true;
			break;
		case OPT_FAIL_ON: {
			char *bad = NULL;
			if (!parse_fail_on(run, optarg, &bad)) {
				error_msg("--fail-on: '%s' is not a verdict kind, "
				          "all, warning or info (--explain lists "
				          "the kinds)", bad);
				g_free(bad);
				return EXIT_USAGE;
			}
			break;
		}
		case OPT_EXPLAIN:
			return explain(optarg);
		case OPT_EXPECT: {
			GError *e = NULL;
			tfe_expect_free(run->expect);
			run->expect = tfe_expect_load(optarg, &e);
			if (run->expect == NULL) {
				error_msg("%s", e->message);
				int st = e->code == TFE_ERR_USAGE ? EXIT_USAGE : EXIT_INPUT;
				g_error_free(e);
				return st;
			}
			break;
		}
		case OPT_SHARD: {
			unsigned long k, nn;
			char *end;
			errno = 0;
			k = strtoul(optarg, &end, 10);
			if (errno == 0 && end != optarg && *end == '/' &&
			    end[1] >= '1' && end[1] <= '9') {
				char *sl = end + 1;
				nn = strtoul(sl, &end, 10);
			} else {
				nn = 0;
			}
			if (errno != 0 || nn == 0 || *end != '\0' || k < 1 ||
			    k > nn || nn > 65536 || optarg[0] == '-' ||
			    optarg[0] == '+') {
				error_msg("--shard: '%s' is not K/N with 1 <= K <= N "
				          "<= 65536", optarg);
				return EXIT_USAGE;
			}
			cl->shard_k = (uint32_t)k;
			cl->shard_n = (uint32_t)nn;
			break;
		}
		case OPT_FANOUT:
			if (!parse_count("--fanout", optarg, 65535, &n))
				return EXIT_USAGE;
			cl->live.fanout_group = (int)n;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "always") == 0)
				cl->color = 1;
			else if (strcmp(optarg, "never") == 0)
				cl->color = 0;
			else if (strcmp(optarg, "auto") == 0)
				cl->color = -1;
			else {
				error_msg("--color: '%s' is not auto, always or never",
				          optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_THREADS:
			if (strcmp(optarg, "1") != 0 && strcmp(optarg, "2") != 0 &&
			    strcmp(optarg, "3") != 0) {
				error_msg("--threads: '%s' is not 1, 2 or 3", optarg);
				return EXIT_USAGE;
			}
			cl->threads = (guint)(optarg[0] - '0');
			break;
		case OPT_SERVERS:
			run->picture = tfe_picture_new();
			break;
		case OPT_PAIR:
			/* two values: the second is the next word */
			if (optind >= argc || argv[optind][0] == '\0' ||
			    (argv[optind][0] == '-' && argv[optind][1] != '\0')) {
				error_msg("--pair needs two capture files: --pair A B");
				return EXIT_USAGE;
			}
			cl->pair[0] = optarg;
			cl->pair[1] = argv[optind++];
			break;
		case OPT_NO_PROCESSES:
			cl->live.processes = false;
			break;
		case OPT_ALERTS:
			cl->alerts = 1;
			break;
		case OPT_NO_ALERTS:
			cl->alerts = 0;
			break;
		case OPT_EVERY:
			if (!parse_seconds("--every", optarg, &cl->watch.every))
				return EXIT_USAGE;
			if (cl->watch.every < TFE_NS_PER_SEC / 10) {
				error_msg("--every: '%s' is below 0.1 s", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_SYN_THRESHOLD:
		case OPT_SYN_RECEIVED_THRESHOLD:
		case OPT_FIN_WAIT_2_THRESHOLD:
		case OPT_LAST_ACK_THRESHOLD: {
			int k = opt == OPT_SYN_THRESHOLD ? TFE_AL_SYN_UNANSWERED :
			        opt == OPT_SYN_RECEIVED_THRESHOLD ?
			        TFE_AL_SYN_RECEIVED :
			        opt == OPT_FIN_WAIT_2_THRESHOLD ? TFE_AL_FIN_WAIT_2 :
			        TFE_AL_LAST_ACK;
			if (!parse_seconds(tfe_alert_options[k], optarg,
			                   &cl->watch.threshold[k]))
				return EXIT_USAGE;
			break;
		}
		case OPT_MAX_FLOWS:
			if (!parse_count("--max-flows", optarg, 1u << 26, &n))
				return EXIT_USAGE;
			cfg->max_flows = (guint)n;
			break;
		case ':':
			error_msg("option '%s' needs a value", argv[optind - 1]);
			fputs("Try 'tcpflow-explain --help' for more information.\n",
			      stderr);
			return EXIT_USAGE;
		default:
			if (optopt != 0)
				error_msg("unknown option '-%c'", optopt);
			else
				error_msg("unknown option '%s'", argv[optind - 1]);
			fputs("Try 'tcpflow-explain --help' for more information.\n",
			      stderr);
			return EXIT_USAGE;
		}
	}
	return -1;
}

/* Checks that the options go together, and answers -D; -1 to go on,
 * otherwise the exit status. */
static int
check_options(struct cmdline *cl, struct tfe_config *cfg, struct run *run)
{
	/* Text, json and ladder describe each connection.  The summary and
	 * netstat forms count verdicts by kind and never print their
	 * sentences (not worth formatting), nor Zeek's and Wireshark's words
	 * (no need to follow Zeek's model frame by frame), and have nothing
	 * for a writing thread to write. */
	cl->per_conn = run->ro.format != TFE_FMT_SUMMARY &&
	               run->ro.format != TFE_FMT_NETSTAT;
	/* the conn form names the verdicts' kinds only */
	cfg->verdict_messages = cl->per_conn && run->ro.format != TFE_FMT_CONN;
	cfg->zeek_model = cl->per_conn && run->ro.format != TFE_FMT_CONN;
	cfg->keep_sacks = run->ro.format == TFE_FMT_HTML;
	if (cl->at_given && run->ro.format != TFE_FMT_NETSTAT) {
		error_msg("--at goes with --format netstat");
		return EXIT_USAGE;
	}
	if (run->ro.events && run->ro.format != TFE_FMT_JSON) {
		error_msg("--events goes with --format json");
		return EXIT_USAGE;
	}
	/* alerts: on by default live, asked for with -r */
	cl->watch.threshold[TFE_AL_CLOSE_WAIT] = cfg->close_wait;
	cl->watch.alerts = cl->alerts == 1 ||
	                   (cl->alerts < 0 && cl->live.iface != NULL);
	if (run->ro.format == TFE_FMT_NETSTAT &&
	    (cl->alerts == 1 || cl->watch.every > 0)) {
		error_msg("%s does not go with --format netstat (it prints one "
		          "view at the end)", cl->alerts == 1 ? "--alerts" :
		          "--every");
		return EXIT_USAGE;
	}
	if (run->ro.format == TFE_FMT_NETSTAT)
		cl->watch.alerts = false;
	if (cl->draw_given && run->ro.format != TFE_FMT_HTML) {
		error_msg("--draw goes with --format html");
		return EXIT_USAGE;
	}
	/* the summary form's and the page's picture per server; not for
	 * --pair, whose summary is the pairing's */
	if (run->picture == NULL && (run->ro.format == TFE_FMT_SUMMARY ||
	                             run->ro.format == TFE_FMT_HTML) &&
	    cl->pair[0] == NULL)
		run->picture = tfe_picture_new();
	if (run->picture != NULL && (run->ro.format == TFE_FMT_NETSTAT ||
	                             run->ro.format == TFE_FMT_CONN)) {
		error_msg("--servers goes with the forms that print a summary");
		return EXIT_USAGE;
	}
	if (cl->list_interfaces) {
		GError *lerr = NULL;
		if (!tfe_capture_list_interfaces(stdout, &lerr)) {
			error_msg("%s", lerr->message);
			g_error_free(lerr);
			return EXIT_INPUT;
		}
		return EXIT_SUCCESS;
	}
	if (cl->pair[0] != NULL) {
		if (cl->files->len > 0 || cl->live.iface != NULL) {
			error_msg("--pair reads its two files itself: no -r or -i "
			          "with it");
			return EXIT_USAGE;
		}
		if (run->ro.format == TFE_FMT_NETSTAT && cl->at_given) {
			error_msg("--at does not go with --pair: each host is "
			          "shown when the capture nearer it ended");
			return EXIT_USAGE;
		}
		if (cl->shard_n != 0 || cl->tstamp != 0 || run->ro.events ||
		    run->expect != NULL || run->picture != NULL ||
		    cl->alerts == 1 || cl->watch.every > 0 || cl->live.save_path ||
		    cl->max_packets != 0) {
			error_msg("--pair does not go with --shard, -t, --events, "
			          "--expect, --servers, --alerts, --every, -w or -c");
			return EXIT_USAGE;
		}
		if (run->fail_on_named) {
			error_msg("--fail-on with --pair takes the pairing's kinds "
			          "(lost_on_path, appeared_on_path, modified_on_path, "
			          "nat, reordered_on_path, delayed_on_path), all, "
			          "warning or info: one capture's kinds are not "
			          "judged with it");
			return EXIT_USAGE;
		}
		return -1;
	}
	if (run->fail_on_pair_named) {
		error_msg("--fail-on: the pairing's kinds (such as lost_on_path) "
		          "go with --pair A B");
		return EXIT_USAGE;
	}
	if (cl->live.iface != NULL && cl->files->len > 0) {
		error_msg("-i and -r cannot be used together");
		return EXIT_USAGE;
	}
	if (cl->live.iface != NULL && cl->shard_n != 0) {
		error_msg("--shard goes with -r (live, --fanout splits an "
		          "interface)");
		return EXIT_USAGE;
	}
	if (cl->live.iface == NULL && cl->live.fanout_group != 0) {
		error_msg("--fanout goes with -i");
		return EXIT_USAGE;
	}
	if (cl->live.iface != NULL && cl->threads != 0) {
		error_msg("--threads goes with -r");
		return EXIT_USAGE;
	}
	if (cl->live.iface == NULL && !cl->live.processes) {
		error_msg("--no-processes goes with -i");
		return EXIT_USAGE;
	}
	if (cl->live.iface == NULL && (cl->snaplen_given || cl->live.user)) {
		error_msg("%s goes with -i", cl->snaplen_given ? "-s" : "-Z");
		return EXIT_USAGE;
	}
	if (cl->tstamp != 0 && run->ro.format != TFE_FMT_TEXT &&
	    run->ro.format != TFE_FMT_LADDER &&
	    run->ro.format != TFE_FMT_HTML) {
		error_msg("-t, -tt, -ttt and -tttt go with --format text, ladder "
		          "or html");
		return EXIT_USAGE;
	}
	run->ro.tstamp = (uint8_t)cl->tstamp;
	if (cl->files->len == 0 && cl->live.iface == NULL) {
		error_msg("no input: give a capture file with -r FILE (- for "
		          "standard input) or an interface with -i IFACE");
		fputs("Try 'tcpflow-explain --help' for more information.\n", stderr);
		return EXIT_USAGE;
	}
	return -1;
}

/* A filter that matched nothing where the frames it turned away carry
 * VLAN tags: libpcap's filter looks inside a tag only after the word
 * "vlan", as in tcpdump. */
static void
vlan_hint(const struct cmdline *cl, const struct tfe_stats *st,
          const struct tfe_capture *cap)
{
	uint64_t tagged = tfe_capture_vlan_rejected(cap);

	if (cl->filter == NULL || cl->live.iface != NULL || st->frames != 0 ||
	    tagged == 0)
		return;
	error_msg("the filter '%s' matched none of the %" G_GUINT64_FORMAT
	          " frames; %" G_GUINT64_FORMAT " of them carry a VLAN tag, "
	          "and a filter reads past the tag only after the word vlan: "
	          "try 'vlan and (%s)'", cl->filter, tfe_capture_frames(cap),
	          tagged, cl->filter);
}

/* The exit status once the output is written: 3 when it could not be
 * written or the input was damaged (`err`, freed here), 4 on an internal
 * error, 1 when a --fail-on verdict was found (saying which), else 0. */
static int
exit_status(const struct run *run, struct tfe_capture *cap, GError *err)
{
	int status = EXIT_SUCCESS;

	if (fflush(stdout) != 0) {
		error_msg("writing the output failed: %s", g_strerror(errno));
		status = EXIT_INPUT;
	}
	if (err != NULL) {
		/* What was read before the damage is reported above. */
		error_msg("%s (after %" G_GUINT64_FORMAT " packets)", err->message,
		          tfe_capture_frames(cap));
		status = err->code == TFE_ERR_INTERNAL ? EXIT_INTERNAL : EXIT_INPUT;
		g_error_free(err);
	}
	if (status == EXIT_SUCCESS && run->failed) {
		/* A --fail-on verdict: say which, for CI logs. */
		GString *g = g_string_new(NULL);
		for (int k = 0; k < TFE_V__COUNT; k++) {
			if (!run->found[k])
				continue;
			g_string_append_printf(g, "%s%s in %" G_GUINT64_FORMAT
			                       " connection%s (%s", g->len ? "; " : "",
			                       tfe_verdicts[k].kind, run->found[k],
			                       run->found[k] == 1 ? "" : "s",
			                       run->named[k]->str);
			if (run->found[k] > FAIL_NAMED)
				g_string_append_printf(g, " and %" G_GUINT64_FORMAT
				                       " more", run->found[k] - FAIL_NAMED);
			g_string_append_c(g, ')');
		}
		error_msg("--fail-on: found %s", g->str);
		g_string_free(g, TRUE);
		status = 1;
	}
	/* --expect: the diff of what was not met, after the output */
	if ((status == EXIT_SUCCESS || status == 1) && run->expect != NULL &&
	    tfe_expect_check(run->expect, stderr) > 0)
		status = 1;
	return status;
}

/* --fail-on with --pair: the pairing's kinds found, said as for one
 * capture (the connections by their pair number); true when any. */
static bool
pair_failed(const struct run *run, const struct tfe_pair *p)
{
	GString *g = g_string_new(NULL);
	bool any = false;

	for (int k = 0; k < TFE_PF__COUNT; k++) {
		GString *named = g_string_new(NULL);
		uint64_t n = 0;

		if (!(run->fail_on_pair & (UINT64_C(1) << k))) {
			g_string_free(named, TRUE);
			continue;
		}
		for (guint i = 0; i < p->links->len; i++) {
			const struct tfe_pair_link *l = &g_array_index(
				p->links, struct tfe_pair_link, i);
			bool has = false;

			for (guint j = 0; j < l->findings->len && !has; j++)
				has = g_array_index(l->findings,
				                    struct tfe_pair_finding,
				                    j).kind == k;
			if (!has)
				continue;
			if (n++ < FAIL_NAMED)
				g_string_append_printf(named, "%spair #%u",
				                       named->len ? ", " : "", i + 1);
		}
		if (n > 0) {
			g_string_append_printf(g, "%s%s in %" G_GUINT64_FORMAT
			                       " connection%s (%s", g->len ? "; " : "",
			                       tfe_pair_kinds[k].kind, n,
			                       n == 1 ? "" : "s", named->str);
			if (n > FAIL_NAMED)
				g_string_append_printf(g, " and %" G_GUINT64_FORMAT
				                       " more", n - FAIL_NAMED);
			g_string_append_c(g, ')');
			any = true;
		}
		g_string_free(named, TRUE);
	}
	if (any)
		error_msg("--fail-on: found %s", g->str);
	g_string_free(g, TRUE);
	return any;
}

/* --pair A B: both files analysed and matched (pair.c), then written
 * (render_pair.c); the exit status. */
static int
run_pair(const struct cmdline *cl, struct tfe_config *cfg, struct run *run)
{
	struct tfe_pair p;
	GError *err = NULL;
	int status = EXIT_SUCCESS;

	if (cl->color < 0) {
		const char *nc = getenv("NO_COLOR");
		run->ro.color = isatty(STDOUT_FILENO) && !(nc && *nc);
	} else {
		run->ro.color = cl->color == 1;
	}
	/* the pairing prints its own findings; each capture's verdicts are
	 * not printed */
	cfg->verdict_messages = false;
	if (!tfe_pair_run(&p, cl->pair[0], cl->pair[1], cl->filter, cfg,
	                  &err) && p.links == NULL) {
		error_msg("%s", err->message);
		status = err->code == TFE_ERR_USAGE ? EXIT_USAGE : EXIT_INPUT;
		g_error_free(err);
		return status;
	}
	tfe_render_pair(&run->ro, &p);
	if (fflush(stdout) != 0) {
		error_msg("writing the output failed: %s", g_strerror(errno));
		status = EXIT_INPUT;
	}
	if (err != NULL) {
		error_msg("%s", err->message);
		status = EXIT_INPUT;
		g_error_free(err);
	}
	if (status == EXIT_SUCCESS && run->fail_on_pair != 0 &&
	    pair_failed(run, &p))
		status = 1;
	tfe_pair_clear(&p);
	tfe_conn_cache_clear();
	return status;
}

/* The input: the interface (live) or the files, the latter copied to
 * -w FILE when asked.  NULL with *err set when it cannot be opened. */
static struct tfe_capture *
open_input(struct cmdline *cl, struct run *run, char **who, GError **err)
{
	struct tfe_capture *cap;

	if (cl->live.iface != NULL) {
		cl->live.filter = cl->filter;
		cl->live.max_packets = cl->max_packets;
		return tfe_live_open(&cl->live, who, &run->kernel, err);
	}
	cap = tfe_capture_open_files((char **)cl->files->pdata, cl->files->len,
	                             cl->filter, err);
	if (cap != NULL && cl->live.save_path != NULL &&
	    !tfe_capture_save(cap, cl->live.save_path, err)) {
		tfe_capture_close(cap);
		cap = NULL;
	}
	return cap;
}

/* What follows the connections: the HTML page, the JSON or text summary
 * (with the picture), the netstat view. */
static void
print_end(struct run *run, const struct cmdline *cl,
          const struct tfe_stats *stats)
{
	if (run->ro.format == TFE_FMT_HTML) {
		struct tfe_html_input in = {
			.files = (const char *const *)cl->files->pdata,
			.nfiles = cl->files->len,
			.iface = cl->live.iface,
			.filter = cl->filter,
			.conn_only = run->conn_only,
		};
		tfe_html_page(run->ro.html, &run->ro, &in, stats, run->picture);
		tfe_html_free(run->ro.html);
		run->ro.html = NULL;
	} else if (run->ro.format == TFE_FMT_JSON) {
		if (run->picture != NULL)
			tfe_render_json_picture(&run->ro, run->picture,
			                        stats->timestamps_ns);
		tfe_render_json_summary(&run->ro, stats);
	} else if (run->ro.format != TFE_FMT_NETSTAT &&
	           run->ro.format != TFE_FMT_CONN) {
		tfe_render_text_summary(&run->ro, stats);
		if (run->picture != NULL)
			tfe_picture_print(&run->ro, run->picture);
	}
	tfe_picture_free(run->picture);
	run->picture = NULL;
	if (run->netstat) {
		tfe_netstat_print(&run->ro, run->netstat);
		tfe_netstat_free(run->netstat);
		run->netstat = NULL;
	}
}

int
main(int argc, char **argv)
{
	struct cmdline cl = {
		.files = g_ptr_array_new(),
		.at_kind = TFE_AT_END,
		.color = -1,
		.draw = TFE_HTML_DRAW_DEFAULT,
		.alerts = -1,
		.live = { .snaplen = TFE_SNAPLEN_DEFAULT, .kernel = true,
		          .processes = true },
	};
	struct tfe_config cfg;
	struct run run;
	int status;
	char *who = NULL;

	tfe_config_defaults(&cfg);
	tfe_watch_defaults(&cl.watch, cfg.close_wait);
	memset(&run, 0, sizeof run);
	run.ro.format = TFE_FMT_TEXT;
	run.ro.cfg = &cfg;
	run.ro.out = stdout;
	status = parse_options(argc, argv, &cl, &cfg, &run);
	if (status < 0)
		status = check_options(&cl, &cfg, &run);
	if (status >= 0) {
		tfe_expect_free(run.expect);
		tfe_picture_free(run.picture);
		g_ptr_array_free(cl.files, TRUE);
		return status;
	}
	if (optind < argc)
		cl.filter = g_strjoinv(" ", argv + optind);

	GError *err = NULL;
	if (cl.pair[0] != NULL) {
		status = run_pair(&cl, &cfg, &run);
		g_free(cl.filter);
		g_ptr_array_free(cl.files, TRUE);
		return status;
	}
	struct tfe_capture *cap = open_input(&cl, &run, &who, &err);
	if (cap == NULL) {
		error_msg("%s", err->message);
		status = err->code == TFE_ERR_USAGE ? EXIT_USAGE :
		         err->code == TFE_ERR_INTERNAL ? EXIT_INTERNAL : EXIT_INPUT;
		g_error_free(err);
		g_free(cl.filter);
		g_ptr_array_free(cl.files, TRUE);
		tfe_expect_free(run.expect);
		return status;
	}

	/* NO_COLOR (no-color.org) wins over auto, not over an explicit
	 * --color always. */
	if (cl.color < 0) {
		const char *nc = getenv("NO_COLOR");
		cl.color = isatty(STDOUT_FILENO) && !(nc && *nc);
	}
	run.ro.color = cl.color == 1;

	/* Large buffered writes: the output is the bulk of the work for long
	 * captures.  Live, each line goes out at once, so that a pipe to grep
	 * or a file sees a connection as soon as it ends. */
	static char outbuf[1 << 16];
	setvbuf(stdout, outbuf, cl.live.iface ? _IOLBF : _IOFBF, sizeof outbuf);

	struct tfe_analyzer an;
	struct tfe_sink sink = { on_conn_done, on_snapshot, &run, on_conn_take,
	                         on_alert, on_table,
	                         run.kernel != NULL ? on_query : NULL,
	                         run.kernel != NULL ? on_query_tombs : NULL };
	tfe_analyzer_init(&an, &cfg, &sink);
	if (run.ro.format == TFE_FMT_NETSTAT)
		tfe_analyzer_snapshot_at(&an, cl.at_kind, cl.at);
	else
		tfe_analyzer_snapshot_at(&an, TFE_AT_NONE, 0);
	an.stats.timestamps_ns = tfe_capture_nanos(cap);
	an.shard_n = an.stats.shard_n = cl.shard_n;
	an.shard_k = an.stats.shard_k = cl.shard_n ? cl.shard_k - 1 : 0;
	/* live, the tables count from now on the wall clock; from a file,
	 * from its first frame */
	tfe_analyzer_watch(&an, &cl.watch,
	                   cl.live.iface != NULL ? g_get_real_time() * 1000 : 0);

	if (run.ro.format == TFE_FMT_CONN)
		tfe_render_conn_header(&run.ro);
	if (run.ro.format == TFE_FMT_HTML)
		run.ro.html = tfe_html_new(run.conn_only != 0 ? TFE_HTML_DRAW_ALL
		                                              : cl.draw);
	if (cl.live.iface != NULL) {
		/* The kernel filters: no count of the frames it turned away. */
		struct tfe_live_hooks hooks = { on_live_snapshot, &run };
		tfe_live_run(cap, &cl.live, who, &an, &hooks, &err);
	} else {
		struct tfe_reader_opts rd = {
			.threads = cl.threads,
			.max_packets = cl.max_packets,
		};
		/* the threads, where they run, and which one works out the
		 * verdicts: reader.c decides for this machine */
		run.writer = tfe_reader_setup(&rd, cl.per_conn ? write_taken : NULL,
		                              &run, &run.verdicts_in_writer);
		run.cfg = &an.cfg;
		an.verdicts_later = run.verdicts_in_writer;
		tfe_reader_run(cap, &an, &rd, &err);
		an.stats.filtered = cl.filter != NULL;
		an.stats.frames_read = tfe_capture_frames(cap);
		an.stats.n_undecoded = tfe_capture_undecoded(
			cap, an.stats.undecoded, TFE_MAX_UNDECODED_LINKTYPES);
	}
	tfe_analyzer_finish(&an);
	tfe_writer_finish(run.writer);
	run.writer = NULL;
	/* what the writing thread counted, if it worked the verdicts out */
	for (int k = 0; k < TFE_V__COUNT; k++)
		an.stats.by_verdict[k] += run.by_verdict[k];
	if (run.verdicts != NULL)
		g_array_free(run.verdicts, TRUE);
	print_end(&run, &cl, &an.stats);
	vlan_hint(&cl, &an.stats, cap);
	tfe_table_free(run.table);
	status = exit_status(&run, cap, err);
	for (int k = 0; k < TFE_V__COUNT; k++)
		if (run.named[k] != NULL)
			g_string_free(run.named[k], TRUE);
	tfe_expect_free(run.expect);
	tfe_analyzer_clear(&an);
	tfe_kernel_close(run.kernel);
	tfe_capture_close(cap);
	g_free(who);
	g_free(cl.filter);
	g_ptr_array_free(cl.files, TRUE);
	return status;
}
