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

char *
tfe_format_seconds(int64_t ns, bool nanos, bool sign, char *buf, size_t len)
{
	const char *s = ns < 0 ? "-" : (sign ? "+" : "");
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;

	if (nanos)
		snprintf(buf, len, "%s%" PRIu64 ".%09" PRIu64, s, a / 1000000000u,
		         a % 1000000000u);
	else
		snprintf(buf, len, "%s%" PRIu64 ".%06" PRIu64, s, a / 1000000000u,
		         (a % 1000000000u) / 1000u);
	return buf;
}

/* Flag letters as SPEC §3 writes them: S F R P U E C, then A for ACK
 * ("SA" is SYN+ACK, "FA" FIN+ACK), "-" for none. */
static char *
flags_string(uint16_t f, char *buf)
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
	GString *g = g_string_sized_new(64);

	if (r->opt_mask & TFE_OPT_MSS)
		g_string_append_printf(g, "mss %u,", (unsigned)r->mss);
	if (r->opt_mask & TFE_OPT_SACKOK)
		g_string_append(g, "sackOK,");
	if (r->opt_mask & TFE_OPT_TS)
		g_string_append_printf(g, "TS val %" PRIu32 " ecr %" PRIu32 ",",
		                       r->tsval, r->tsecr);
	if (r->opt_mask & TFE_OPT_WSCALE)
		g_string_append_printf(g, "wscale %u,", (unsigned)r->wscale);
	if (r->opt_mask & TFE_OPT_SACK)
		g_string_append_printf(g, "sack %u,", (unsigned)r->sack_count);
	if (r->opt_mask & TFE_OPT_TFO)
		g_string_append(g, "tfo,");
	if (r->opt_mask & TFE_OPT_OTHER)
		g_string_append(g, "other,");
	if (g->len > 0) {
		g_string_truncate(g, g->len - 1);
		snprintf(buf, len, "[%s]", g->str);
	} else {
		buf[0] = '\0';
	}
	g_string_free(g, TRUE);
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

static void
window_string(const struct tfe_conn *c, int side, uint16_t raw, uint16_t flags,
              char *buf, size_t len)
{
	if (c->ws_ok && !(flags & (TFE_TH_SYN | TFE_TH_RST)) &&
	    c->ep[side].wscale > 0)
		snprintf(buf, len, "%ux%u", (unsigned)raw,
		         1u << (c->ep[side].wscale > 14 ? 14 : c->ep[side].wscale));
	else
		snprintf(buf, len, "%u", (unsigned)raw);
}

static void
print_side_opts(FILE *out, const struct tfe_conn *c, int side)
{
	const struct tfe_endpoint *ep = &c->ep[side];

	fprintf(out, "%s ", side_names[side]);
	if (ep->syn_count == 0 && ep->synack_count == 0) {
		fprintf(out, "no SYN seen");
		return;
	}
	if (ep->has_mss)
		fprintf(out, "MSS %u", (unsigned)ep->mss);
	else
		fprintf(out, "no MSS (536 assumed)");
	if (ep->has_wscale)
		fprintf(out, " wscale %u", (unsigned)ep->wscale);
	if (ep->sack_ok)
		fprintf(out, " SACK");
	if (ep->ts_ok)
		fprintf(out, " TS");
	if (ep->tfo)
		fprintf(out, " TFO");
}

static void
print_header(const struct tfe_render_opts *o, const struct tfe_conn *c)
{
	FILE *out = o->out;
	char a[TFE_ADDR_STRLEN], b[TFE_ADDR_STRLEN], d[32];
	const struct tfe_endpoint *cl = &c->ep[TFE_SIDE_CLIENT];
	const struct tfe_endpoint *sv = &c->ep[TFE_SIDE_SERVER];

	tfe_endpoint_format(c->family, cl->addr, cl->port, a, sizeof a);
	tfe_endpoint_format(c->family, sv->addr, sv->port, b, sizeof b);
	fprintf(out, "#%" PRIu64 " %s -> %s  ", c->id, a, b);
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
	for (int side = 0; side < 2; side++) {
		if (r->reason[side] == TFE_RS_NONE && r->state[side] == before[side])
			continue;
		if (r->state[side] != before[side])
			fprintf(out, "          %s %s -> %s: %s\n", side_names[side],
			        tfe_state_names[before[side]],
			        tfe_state_names[r->state[side]],
			        tfe_reason_text[r->reason[side]]);
		else
			fprintf(out, "          %s stays %s: %s\n", side_names[side],
			        tfe_state_names[r->state[side]],
			        tfe_reason_text[r->reason[side]]);
	}
}

static void
print_frame_row(const struct tfe_render_opts *o, const struct tfe_conn *c,
                const struct tfe_row *r, const uint8_t before[2], bool first)
{
	FILE *out = o->out;
	char t[32], fl[16], seq[16], ack[16], win[24], opts[160], fr[24];
	int peer = !r->dir;

	snprintf(fr, sizeof fr, "%" PRIu64, r->frame);
	tfe_format_seconds(r->ts - c->first_ts, c->timestamps_ns, true, t, sizeof t);
	flags_string(r->flags, fl);
	snprintf(seq, sizeof seq, "%" PRIu32, tfe_conn_rel_seq(c, r->dir, r->seq));
	if ((r->flags & TFE_TH_ACK) && c->ep[peer].seq_known)
		snprintf(ack, sizeof ack, "%" PRIu32,
		         tfe_conn_rel_seq(c, peer, r->ack));
	else
		snprintf(ack, sizeof ack, "-");
	window_string(c, r->dir, r->win, r->flags, win, sizeof win);
	options_string(r, opts, sizeof opts);

	fprintf(out, "   %-7s %-*s %-4s %-6s %-10s %-10s %-6" PRIu32
	        " %-10s %-13s %s", fr, TIME_W(c), t,
	        r->dir == TFE_DIR_C2S ? "->" : "<-",
	        fl, seq, ack, r->len, win,
	        state_cell(r->state[0], before[0], first),
	        state_cell(r->state[1], before[1], first));
	if (opts[0] || r->notes)
		fprintf(out, "%*s", 13 - (int)strlen(state_cell(r->state[1],
		        before[1], first)), "");
	if (opts[0])
		fprintf(out, " %s", opts);
	for (size_t i = 0; i < G_N_ELEMENTS(note_names); i++)
		if (r->notes & note_names[i].bit)
			fprintf(out, " (%s)", note_names[i].text);
	fputc('\n', out);
	print_reasons(out, r, before);
}

static void
print_run_row(const struct tfe_render_opts *o, const struct tfe_conn *c,
              const struct tfe_row *r, const uint8_t before[2], bool first)
{
	FILE *out = o->out;
	char t[32], fr[48];

	if (r->count == 1)
		snprintf(fr, sizeof fr, "%" PRIu64, r->frame);
	else
		snprintf(fr, sizeof fr, "%" PRIu64 "-%" PRIu64, r->frame,
		         r->frame_last);
	tfe_format_seconds(r->ts - c->first_ts, c->timestamps_ns, true, t, sizeof t);
	fprintf(out, "   %-7s %-*s %-4s %" PRIu32 " frame%s of data and ACKs",
	        fr, TIME_W(c), t, "..", r->count, r->count == 1 ? "" : "s");
	for (int side = 0; side < 2; side++) {
		char lo[24], hi[24];

		if (r->win_min[side] > r->win_max[side])
			continue; /* this side sent nothing in the run */
		window_string(c, side, r->win_min[side], 0, lo, sizeof lo);
		window_string(c, side, r->win_max[side], 0, hi, sizeof hi);
		fprintf(out, "; %s sent %" PRIu64 " bytes, win %s", side_names[side],
		        r->bytes[side], lo);
		if (r->win_min[side] != r->win_max[side])
			fprintf(out, "..%s", hi);
	}
	if (first || r->state[0] != before[0] || r->state[1] != before[1])
		fprintf(out, "  [%s %s]", tfe_state_names[r->state[0]],
		        tfe_state_names[r->state[1]]);
	fputc('\n', out);
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
	fprintf(out, "   %-7s %-*s %-4s %-6s %-10s %-10s %-6s %-10s %-13s %s\n",
	        "frame", TIME_W(c), "time", "dir", "flags", "seq", "ack", "len", "win",
	        "client", "server");
	fprintf(out, "   %-7s %-*s %-4s %-6s %-10s %-10s %-6s %-10s %-13s %s\n",
	        "", TIME_W(c), "", "", "", "", "", "", "(before)", tfe_state_names[before[0]],
	        tfe_state_names[before[1]]);
	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r =
			&g_array_index(c->tl.rows, struct tfe_row, i);

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
	if (s->tombs_dropped > 0)
		fprintf(out, "  closed connections forgotten before 2MSL "
		        "(--max-flows): %" PRIu64 "\n", s->tombs_dropped);
}
