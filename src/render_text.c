/*
 * render_text.c: the default text form.
 *
 * Per connection: a header (4-tuple, who opened, who closed first, how it
 * ended, duration), each side's SYN options and the handshake RTT, then the
 * timeline: one line per kept frame with both sides' states after it, the
 * reason for each state change on the lines under it, and one line per run
 * of ordinary frames.  A state that did not change prints as "." so that
 * changes stand out (SPEC §3).
 */
#include "render.h"

#include <inttypes.h>
#include <string.h>

#include "addr.h"
#include "seq.h"

const char *const tfe_format_names[TFE_FMT__COUNT] = {
	[TFE_FMT_TEXT] = "text",
	[TFE_FMT_SUMMARY] = "summary",
	[TFE_FMT_NETSTAT] = "netstat",
	[TFE_FMT_JSON] = "json",
	[TFE_FMT_LADDER] = "ladder",
};

static const char *const side_names[3] = { "client", "server", "nobody" };

/* SGR colours by severity, when asked for (--color, NO_COLOR). */
static const char *
color_on(const struct tfe_render_opts *o, int severity)
{
	if (!o->color)
		return "";
	return severity == TFE_SEV_WARNING ? "\033[1;31m" : "\033[36m";
}

static const char *
color_off(const struct tfe_render_opts *o)
{
	return o->color ? "\033[0m" : "";
}

/* The time column: "+12.345678" or, with nanoseconds, "+12.345678901". */
#define TIME_W(c) ((c)->timestamps_ns ? 14 : 11)

/*
 * Timeline lines are most of the output of a long capture, so they are
 * put together by hand in a buffer and written with one fwrite: no printf
 * and no allocation per row.  The helpers stop at the end of the buffer
 * (a row is far shorter).
 */
struct line {
	char *p, *end;
	char buf[1024];
};

static void
l_init(struct line *l)
{
	l->p = l->buf;
	l->end = l->buf + sizeof l->buf;
}

static void
l_mem(struct line *l, const char *s, size_t n)
{
	if (n > (size_t)(l->end - l->p))
		n = (size_t)(l->end - l->p);
	memcpy(l->p, s, n);
	l->p += n;
}

static void
l_str(struct line *l, const char *s)
{
	l_mem(l, s, strlen(s));
}

/* s, then spaces up to `width` columns (printf's %-*s) */
static void
l_pad(struct line *l, const char *s, int width)
{
	char *start = l->p;

	l_str(l, s);
	while (l->p - start < width && l->p < l->end)
		*l->p++ = ' ';
}

/* Decimal digits of v into buf (at least 21 bytes); returns buf. */
static char *
u64_dec(uint64_t v, char *buf)
{
	char tmp[20];
	int i = 0;
	char *p = buf;

	do {
		tmp[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (i > 0)
		*p++ = tmp[--i];
	*p = '\0';
	return buf;
}

static void
l_u64(struct line *l, uint64_t v)
{
	char d[21];

	l_str(l, u64_dec(v, d));
}

static void
l_flush(struct line *l, FILE *out)
{
	fwrite(l->buf, 1, (size_t)(l->p - l->buf), out);
	l->p = l->buf;
}

char *
tfe_format_seconds(int64_t ns, bool nanos, bool sign, char *buf, size_t len)
{
	const char *s = ns < 0 ? "-" : (sign ? "+" : "");
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	int digits = nanos ? 9 : 6;
	uint64_t frac = nanos ? a % 1000000000u : (a % 1000000000u) / 1000u;
	char *p = buf;

	/* sign, 20 digits, point, 9 digits and the NUL fit in 32 */
	if (len < 32) {
		if (nanos)
			snprintf(buf, len, "%s%" PRIu64 ".%09" PRIu64, s,
			         a / 1000000000u, a % 1000000000u);
		else
			snprintf(buf, len, "%s%" PRIu64 ".%06" PRIu64, s,
			         a / 1000000000u, (a % 1000000000u) / 1000u);
		return buf;
	}
	if (*s)
		*p++ = *s;
	u64_dec(a / 1000000000u, p);
	p += strlen(p);
	*p++ = '.';
	for (int i = digits - 1; i >= 0; i--) {
		p[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	p[digits] = '\0';
	return buf;
}

char *
tfe_format_flags(uint16_t f, char *buf)
{
	char *p = buf;

	if (f & TFE_TH_SYN) *p++ = 'S';
	if (f & TFE_TH_FIN) *p++ = 'F';
	if (f & TFE_TH_RST) *p++ = 'R';
	if (f & TFE_TH_PSH) *p++ = 'P';
	if (f & TFE_TH_URG) *p++ = 'U';
	if (f & TFE_TH_ECE) *p++ = 'E';
	if (f & TFE_TH_CWR) *p++ = 'C';
	if (f & TFE_TH_ACK) *p++ = 'A';
	if (p == buf) *p++ = '-';
	*p = '\0';
	return buf;
}

static void
options_string(const struct tfe_row *r, char *buf, size_t len)
{
	struct line l;
	char d[21];

	l_init(&l);
	if (r->opt_mask & TFE_OPT_MSS) {
		l_str(&l, ",mss ");
		l_str(&l, u64_dec(r->mss, d));
	}
	if (r->opt_mask & TFE_OPT_SACKOK)
		l_str(&l, ",sackOK");
	if (r->opt_mask & TFE_OPT_TS) {
		l_str(&l, ",TS val ");
		l_str(&l, u64_dec(r->tsval, d));
		l_str(&l, " ecr ");
		l_str(&l, u64_dec(r->tsecr, d));
	}
	if (r->opt_mask & TFE_OPT_WSCALE) {
		l_str(&l, ",wscale ");
		l_str(&l, u64_dec(r->wscale, d));
	}
	if (r->opt_mask & TFE_OPT_SACK) {
		l_str(&l, ",sack ");
		l_str(&l, u64_dec(r->sack_count, d));
	}
	if (r->opt_mask & TFE_OPT_TFO)
		l_str(&l, ",tfo");
	if (r->opt_mask & TFE_OPT_OTHER)
		l_str(&l, ",other");
	if (l.p > l.buf) {
		/* "[" replaces the leading comma */
		size_t n = (size_t)(l.p - l.buf);
		if (n + 2 > len)
			n = len - 2;
		buf[0] = '[';
		memcpy(buf + 1, l.buf + 1, n - 1);
		buf[n] = ']';
		buf[n + 1] = '\0';
	} else {
		buf[0] = '\0';
	}
}

static const struct {
	uint16_t bit;
	const char *text;
} note_names[] = {
	{ TFE_NOTE_RETRANS, "retransmission" },
	{ TFE_NOTE_KEEPALIVE, "keepalive" },
	{ TFE_NOTE_ZW_PROBE, "zero-window probe" },
	{ TFE_NOTE_ZERO_WINDOW, "zero window" },
	{ TFE_NOTE_WINDOW_OPEN, "window opens" },
	{ TFE_NOTE_AFTER_FIN, "data after its FIN" },
	{ TFE_NOTE_AFTER_RST, "after RST" },
	{ TFE_NOTE_BAD_FLAGS, "invalid flags" },
	{ TFE_NOTE_GAP, "acknowledges data not captured" },
};

void
tfe_format_window(const struct tfe_conn *c, int side, uint16_t raw,
                  uint16_t flags, char *buf, size_t len)
{
	char *p = buf;

	if (len < 24) { /* two 5-digit numbers, an x and the NUL fit */
		buf[0] = '\0';
		return;
	}
	u64_dec(raw, p);
	if (c->ws_ok && !(flags & (TFE_TH_SYN | TFE_TH_RST)) &&
	    c->ep[side].wscale > 0) {
		p += strlen(p);
		*p++ = 'x';
		u64_dec(1u << (c->ep[side].wscale > 14 ? 14 : c->ep[side].wscale),
		        p);
	}
}

static void
print_side_opts(FILE *out, const struct tfe_conn *c, int side)
{
	const struct tfe_endpoint *ep = &c->ep[side];

	/* fputs where nothing is formatted: this runs twice a connection */
	fputs(side_names[side], out);
	putc(' ', out);
	if (ep->syn_count == 0 && ep->synack_count == 0) {
		fputs("no SYN seen", out);
		return;
	}
	if (ep->has_mss)
		fprintf(out, "MSS %u", (unsigned)ep->mss);
	else
		fputs("no MSS (536 assumed)", out);
	if (ep->has_wscale)
		fprintf(out, " wscale %u", (unsigned)ep->wscale);
	if (ep->sack_ok)
		fputs(" SACK", out);
	if (ep->ts_ok)
		fputs(" TS", out);
	if (ep->tfo)
		fputs(" TFO", out);
}

void
tfe_render_text_title(const struct tfe_render_opts *o, const struct tfe_conn *c)
{
	FILE *out = o->out;
	char a[TFE_ADDR_STRLEN], b[TFE_ADDR_STRLEN], d[32];
	const struct tfe_endpoint *sv = &c->ep[TFE_SIDE_SERVER];

	tfe_endpoint_format(c->family, tfe_conn_addr(c, TFE_SIDE_CLIENT),
	                    tfe_conn_port(c, TFE_SIDE_CLIENT), a, sizeof a);
	tfe_endpoint_format(c->family, tfe_conn_addr(c, TFE_SIDE_SERVER),
	                    tfe_conn_port(c, TFE_SIDE_SERVER), b, sizeof b);
	fprintf(out, "#%" PRIu64 " %s -> %s  ", c->id, a, b);
	const struct tfe_tunnel *tun = &tfe_conn_rare(c)->tunnel;
	if (tun->depth > 0) {
		/* The outermost tunnel of the first segment, as tcpdump shows
		 * it first, client's end first; the tuple is the innermost. */
		tfe_addr_format(tun->family, tun->src, a, sizeof a);
		tfe_addr_format(tun->family, tun->dst, b, sizeof b);
		fprintf(out, "via %s %s -> %s", tfe_tunnel_names[tun->kind],
		        a, b);
		if (tun->depth > 1)
			fprintf(out, " (%u levels)", (unsigned)tun->depth);
		fprintf(out, "  ");
	}
	if (c->roles == TFE_ROLES_SYN && sv->syn_count > 0)
		fprintf(out, "both opened (simultaneous open)");
	else if (c->roles == TFE_ROLES_SYN)
		fprintf(out, "client opened");
	else if (c->roles == TFE_ROLES_SYNACK)
		fprintf(out, "roles inferred (SYN+ACK sender is the server)");
	else
		fprintf(out, "roles inferred (no handshake: lower port is the server)");
	if (c->closed_first != TFE_SIDE_NONE)
		fprintf(out, ", %s closed first", side_names[c->closed_first]);
	const char *hist = tfe_zeek_history(c);
	fprintf(out, ", %s  %s %s  %s s\n", tfe_close_names[c->close_how],
	        tfe_zeek_conn_state(c), hist[0] ? hist : "-",
	        tfe_format_seconds(c->last_ts - c->first_ts, c->timestamps_ns,
	                           false, d, sizeof d));
}

static void
print_header(const struct tfe_render_opts *o, const struct tfe_conn *c)
{
	FILE *out = o->out;
	const struct tfe_endpoint *sv = &c->ep[TFE_SIDE_SERVER];

	tfe_render_text_title(o, c);
	fprintf(out, "   ");
	print_side_opts(out, c, TFE_SIDE_CLIENT);
	fprintf(out, "  |  ");
	print_side_opts(out, c, TFE_SIDE_SERVER);
	if (c->syn_ts != 0 && c->hs_ack_ts != 0 && c->synack_ts != 0 &&
	    sv->syn_count == 0) {
		/* The answered SYN to the first SYN+ACK, plus the answered
		 * SYN+ACK to the ACK: retransmissions do not count (Karn). */
		int64_t up = c->synack_ts - c->syn_ts;
		int64_t down = c->hs_ack_ts - c->synack_last_ts;
		int prec = c->timestamps_ns ? 6 : 3;
		fprintf(out, "  |  handshake RTT %.*f ms (SYN to SYN+ACK %.*f ms, "
		        "SYN+ACK to ACK %.*f ms)", prec, (double)(up + down) / 1e6,
		        prec, (double)up / 1e6, prec, (double)down / 1e6);
	}
	fprintf(out, "  |  tcp.completeness %u\n",
	        tfe_wireshark_completeness(c));
}

static const char *
state_cell(uint8_t now, uint8_t before, bool first)
{
	if (!first && now == before)
		return ".";
	return tfe_state_names[now];
}

static void
print_reasons(FILE *out, const struct tfe_row *r, const uint8_t before[2])
{
	struct line l;

	l_init(&l);
	for (int side = 0; side < 2; side++) {
		if (r->reason[side] == TFE_RS_NONE && r->state[side] == before[side])
			continue;
		l_str(&l, "          ");
		l_str(&l, side_names[side]);
		if (r->state[side] != before[side]) {
			l_str(&l, " ");
			l_str(&l, tfe_state_names[before[side]]);
			l_str(&l, " -> ");
		} else {
			l_str(&l, " stays ");
		}
		l_str(&l, tfe_state_names[r->state[side]]);
		l_str(&l, ": ");
		l_str(&l, tfe_reason_text[r->reason[side]]);
		l_str(&l, "\n");
		l_flush(&l, out);
	}
}

static void
print_frame_row(const struct tfe_render_opts *o, const struct tfe_conn *c,
                const struct tfe_row *r, const uint8_t before[2], bool first)
{
	FILE *out = o->out;
	char t[32], fl[16], d[21], win[24], opts[160];
	int peer = !r->dir;
	struct line l;
	const char *st1 = state_cell(r->state[1], before[1], first);

	tfe_format_seconds(r->ts - c->first_ts, c->timestamps_ns, true, t, sizeof t);
	tfe_format_flags(r->flags, fl);
	tfe_format_window(c, r->dir, r->win, r->flags, win, sizeof win);
	options_string(r, opts, sizeof opts);

	/* "   %-7s %-*s %-4s %-6s %-10s %-10s %-6u %-10s %-13s %s" */
	l_init(&l);
	l_str(&l, "   ");
	l_pad(&l, u64_dec(r->frame, d), 7);
	l_str(&l, " ");
	l_pad(&l, t, TIME_W(c));
	l_str(&l, " ");
	l_pad(&l, r->dir == TFE_DIR_C2S ? "->" : "<-", 4);
	l_str(&l, " ");
	l_pad(&l, fl, 6);
	l_str(&l, " ");
	l_pad(&l, u64_dec(tfe_conn_rel_seq(c, r->dir, r->seq), d), 10);
	l_str(&l, " ");
	if ((r->flags & TFE_TH_ACK) && c->ep[peer].seq_known)
		l_pad(&l, u64_dec(tfe_conn_rel_seq(c, peer, r->ack), d), 10);
	else
		l_pad(&l, "-", 10);
	l_str(&l, " ");
	l_pad(&l, u64_dec(r->len, d), 6);
	l_str(&l, " ");
	l_pad(&l, win, 10);
	l_str(&l, " ");
	l_pad(&l, state_cell(r->state[0], before[0], first), 13);
	l_str(&l, " ");
	l_str(&l, st1);
	if (opts[0] || r->notes)
		l_pad(&l, "", 13 - (int)strlen(st1));
	if (opts[0]) {
		l_str(&l, " ");
		l_str(&l, opts);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(note_names); i++)
		if (r->notes & note_names[i].bit) {
			l_str(&l, " (");
			l_str(&l, note_names[i].text);
			l_str(&l, ")");
		}
	l_str(&l, "\n");
	l_flush(&l, out);
	print_reasons(out, r, before);
}

static void
print_run_row(const struct tfe_render_opts *o, const struct tfe_conn *c,
              const struct tfe_row *r, const uint8_t before[2], bool first)
{
	char t[32], fr[48], d[21];
	struct line l;

	u64_dec(r->frame, fr);
	if (r->count != 1) {
		size_t n = strlen(fr);
		fr[n] = '-';
		u64_dec(tfe_row_frame_last(r), fr + n + 1);
	}
	tfe_format_seconds(r->ts - c->first_ts, c->timestamps_ns, true, t, sizeof t);
	/* "   %-7s %-*s %-4s %u frame%s of data and ACKs" */
	l_init(&l);
	l_str(&l, "   ");
	l_pad(&l, fr, 7);
	l_str(&l, " ");
	l_pad(&l, t, TIME_W(c));
	l_str(&l, " ");
	l_pad(&l, "..", 4);
	l_str(&l, " ");
	l_u64(&l, r->count);
	l_str(&l, r->count == 1 ? " frame of data and ACKs" :
	                          " frames of data and ACKs");
	for (int side = 0; side < 2; side++) {
		char lo[24], hi[24];

		if (r->win_min[side] > r->win_max[side])
			continue; /* this side sent nothing in the run */
		tfe_format_window(c, side, r->win_min[side], 0, lo, sizeof lo);
		tfe_format_window(c, side, r->win_max[side], 0, hi, sizeof hi);
		l_str(&l, "; ");
		l_str(&l, side_names[side]);
		l_str(&l, " sent ");
		l_str(&l, u64_dec(r->bytes[side], d));
		l_str(&l, " bytes, win ");
		l_str(&l, lo);
		if (r->win_min[side] != r->win_max[side]) {
			l_str(&l, "..");
			l_str(&l, hi);
		}
	}
	if (first || r->state[0] != before[0] || r->state[1] != before[1]) {
		l_str(&l, "  [");
		l_str(&l, tfe_state_names[r->state[0]]);
		l_str(&l, " ");
		l_str(&l, tfe_state_names[r->state[1]]);
		l_str(&l, "]");
	}
	l_str(&l, "\n");
	l_flush(&l, o->out);
}

static void
print_timer_row(const struct tfe_render_opts *o, const struct tfe_conn *c,
                const struct tfe_row *r, const uint8_t before[2])
{
	char t[32];
	int side = r->dir;

	tfe_format_seconds(r->ts - c->first_ts, c->timestamps_ns, true, t, sizeof t);
	fprintf(o->out, "   %-7s %-*s %-4s %s %s -> %s: %s\n", "-", TIME_W(c), t, "--",
	        side_names[side], tfe_state_names[before[side]],
	        tfe_state_names[r->state[side]], tfe_reason_text[r->reason[side]]);
}

void
tfe_render_text_conn(const struct tfe_render_opts *o, const struct tfe_conn *c)
{
	FILE *out = o->out;
	uint8_t before[2] = { c->init_state[0], c->init_state[1] };

	print_header(o, c);
	/* The two head lines differ only by the time column's width and
	 * the states: formatted once per width (once per connection they
	 * were a good part of the text output's cost). */
	static char head[2][2][128];
	int wi = c->timestamps_ns ? 1 : 0;
	if (head[wi][0][0] == '\0') {
		snprintf(head[wi][0], sizeof head[wi][0],
		         "   %-7s %-*s %-4s %-6s %-10s %-10s %-6s %-10s %-13s %s\n",
		         "frame", TIME_W(c), "time", "dir", "flags", "seq", "ack",
		         "len", "win", "client", "server");
		snprintf(head[wi][1], sizeof head[wi][1],
		         "   %-7s %-*s %-4s %-6s %-10s %-10s %-6s %-10s ", "",
		         TIME_W(c), "", "", "", "", "", "", "(before)");
	}
	fputs(head[wi][0], out);
	fputs(head[wi][1], out);
	const char *st0 = tfe_state_names[before[0]];
	fputs(st0, out);
	for (size_t n = strlen(st0); n < 13; n++)
		putc(' ', out);
	putc(' ', out);
	fputs(tfe_state_names[before[1]], out);
	putc('\n', out);
	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r =
			&c->tl.rows[i];

		switch (r->kind) {
		case TFE_ROW_FRAME:
			print_frame_row(o, c, r, before, false);
			break;
		case TFE_ROW_RUN:
			print_run_row(o, c, r, before, false);
			break;
		case TFE_ROW_TIMER:
			print_timer_row(o, c, r, before);
			break;
		}
		/* A timer row for one side must not hide the other side's
		 * own TIME_WAIT row that follows it. */
		before[0] = r->state[0];
		before[1] = r->state[1];
	}
	tfe_render_text_footer(o, c);
}

void
tfe_render_text_footer(const struct tfe_render_opts *o, const struct tfe_conn *c)
{
	FILE *out = o->out;

	if (c->verdicts)
		for (guint i = 0; i < c->verdicts->len; i++) {
			const struct tfe_verdict *v =
				&g_array_index(c->verdicts, struct tfe_verdict, i);
			const struct tfe_verdict_def *d = &tfe_verdicts[v->kind];

			fprintf(out, "   %sverdict %s%s (%s): %s\n",
			        color_on(o, d->severity),
			        d->kind, color_off(o),
			        d->severity == TFE_SEV_WARNING ? "warning" : "info",
			        v->message);
		}
	if (c->tl.folded > 0)
		fprintf(out, "   (%" PRIu64 " notable frames folded into runs: "
		        "timeline bound of %u rows reached)\n", c->tl.folded,
		        c->tl.max_rows);
	fprintf(out, "   end: %s, %s; final states",
	        c->end_cause == TFE_END_INPUT ? "capture ended" :
	        c->end_cause == TFE_END_IDLE ? "idle timeout" :
	        c->end_cause == TFE_END_EVICTED ? "evicted (--max-flows)" :
	        "closed",
	        tfe_close_names[c->close_how]);
	for (int side = 0; side < 2; side++) {
		const struct tfe_endpoint *ep = &c->ep[side];

		fprintf(out, "%s %s %s", side ? "," : "", side_names[side],
		        tfe_state_names[ep->state]);
		if (ep->state == TFE_ST_TIME_WAIT) {
			char t[32];
			tfe_format_seconds(ep->tw_since + 2 * o->cfg->msl - c->first_ts,
			                   c->timestamps_ns, true, t, sizeof t);
			fprintf(out, " (until %s)", t);
		}
	}
	fputc('\n', out);
	fputc('\n', out);
}

void
tfe_render_text_summary(const struct tfe_render_opts *o,
                        const struct tfe_stats *s)
{
	FILE *out = o->out;
	uint64_t bad[TFE_DC__COUNT] = { 0 };
	char d[32];

	for (int r = 0; r < TFE_DR__COUNT; r++)
		bad[tfe_decode_reason_class[r]] += s->reasons[r];

	fprintf(out, "summary\n");
	if (s->filtered)
		fprintf(out, "  filter: %" PRIu64 " of %" PRIu64 " frames matched\n",
		        s->frames, s->frames_read);
	fprintf(out, "  packets: %" PRIu64 " read, %" PRIu64 " TCP, %" PRIu64
	        " skipped, %" PRIu64 " truncated, %" PRIu64 " malformed, %" PRIu64
	        " unsupported\n", s->frames, s->tcp_segments, bad[TFE_DC_SKIPPED],
	        bad[TFE_DC_TRUNCATED], bad[TFE_DC_MALFORMED],
	        bad[TFE_DC_UNSUPPORTED]);
	for (int r = 1; r < TFE_DR__COUNT; r++)
		if (s->reasons[r] > 0)
			fprintf(out, "    %-12s %-32s %" PRIu64 "\n",
			        tfe_decode_class_names[tfe_decode_reason_class[r]],
			        tfe_decode_reason_names[r], s->reasons[r]);
	if (s->frames > 0)
		fprintf(out, "  capture span: %s s\n",
		        tfe_format_seconds(s->last_ts - s->first_ts,
		                           s->timestamps_ns, false, d, sizeof d));
	if (s->time_backwards > 0)
		fprintf(out, "  timestamps going backwards: %" PRIu64 " frames\n",
		        s->time_backwards);
	if (s->tcp_csum_bad > 0 || s->ip_csum_bad > 0)
		fprintf(out, "  bad checksums: %" PRIu64 " TCP, %" PRIu64
		        " IPv4 header (usual when the capturing host offloads "
		        "checksums to its NIC; the Zeek labels count them as C, "
		        "as zeek does without -C: see --zeek-ignore-checksums)\n",
		        s->tcp_csum_bad, s->ip_csum_bad);
	if (s->have_capture_stats)
		fprintf(out, "  capture: %" PRIu64 " received, %" PRIu64
		        " dropped by the kernel, %" PRIu64
		        " dropped by the interface\n", s->ps_recv, s->ps_drop,
		        s->ps_ifdrop);
	fprintf(out, "  connections: %" PRIu64 "\n", s->connections);
	for (int h = 0; h < TFE_CLOSE__COUNT; h++)
		if (s->by_close[h] > 0)
			fprintf(out, "    %-14s %" PRIu64 "\n", tfe_close_names[h],
			        s->by_close[h]);
	for (int side = 0; side < 2; side++) {
		bool any = false;

		for (int st = 0; st < TFE_ST__COUNT; st++) {
			if (s->final_state[side][st] == 0)
				continue;
			fprintf(out, "%s%s %" PRIu64, any ? ", " :
			        (side == 0 ? "  final states, client: " :
			                     "  final states, server: "),
			        tfe_state_names[st], s->final_state[side][st]);
			any = true;
		}
		if (any)
			fputc('\n', out);
	}
	bool any = false;
	for (int k = 0; k < TFE_V__COUNT; k++) {
		if (s->by_verdict[k] == 0)
			continue;
		if (!any)
			fprintf(out, "  verdicts (connections):\n");
		any = true;
		fprintf(out, "    %s%-22s%s %-8s %" PRIu64 "\n",
		        color_on(o, tfe_verdicts[k].severity), tfe_verdicts[k].kind,
		        color_off(o), tfe_verdicts[k].severity == TFE_SEV_WARNING ?
		        "warning" : "info", s->by_verdict[k]);
	}
	if (s->late_segments > 0)
		fprintf(out, "  late segments of connections already reported: %"
		        PRIu64 "\n", s->late_segments);
	if (s->evicted > 0)
		fprintf(out, "  connections evicted by --max-flows: %" PRIu64 "\n",
		        s->evicted);
	if (s->evicted_closed > 0)
		fprintf(out, "  closed connections reported early by --max-flows: %"
		        PRIu64 "\n", s->evicted_closed);
	if (s->tombs_evicted > 0)
		fprintf(out, "  closed connections forgotten before 2MSL by "
		        "--max-flows: %" PRIu64 " (a time_wait_reuse on them "
		        "goes unseen)\n", s->tombs_evicted);
}
