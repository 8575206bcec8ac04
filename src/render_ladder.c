/*
 * render_ladder.c: --format ladder, a connection as a sequence diagram.
 *
 * The client's lifeline on the left, the server's on the right, each
 * side's state beside its own lifeline on the row where it changes (the
 * sender's at the frame it sends, the receiver's where it receives it, as
 * the timeline rows record them, corrections included), one arrow per
 * frame row labelled with the segment, one arrow-less line per run of
 * ordinary frames, the 2MSL timer in its side's column:
 *
 *   frame time              client                                     server
 *         (before)          CLOSED |                                  | LISTEN
 *   1     +0.000000       SYN_SENT |-- SYN seq=0 win=64240 <mss 1460,...> -->|
 *   2     +0.020000    ESTABLISHED |<-- SYN+ACK seq=0 ack=1 win=65160 --| SYN_RECEIVED
 *   11    +0.071100                |-- ACK seq=82 ack=302 ----------x| (not recvd)
 *
 * It is the same timeline as the text form, row for row, drawn instead of
 * tabulated; the verdicts and the end line under it are the text form's.
 * Like every renderer it formats what the analysis recorded and decides
 * nothing: which rows are kept, which state a side is in, and whether a
 * segment reached its receiver all come from the rows.  A segment the
 * analysis later found never reached its receiver (its reason says so)
 * gets an "x" for an arrow head and a note line under it.
 *
 * Width: TFE_LADDER_WIDTH columns (the middle narrows for nanosecond
 * times and the wider times of -t and the like; the title and verdict lines are the text form's); the label of an
 * arrow keeps what matters first (flags, seq, ack, length, notes, window,
 * then as many options as fit) and says "..." where it cut.  Plain ASCII.
 */
#include "render.h"
#include "vantage.h"

#include <inttypes.h>
#include <string.h>

#include "seq.h"

static const char *const side_names[2] = { "client", "server" };

/* Columns.  The middle, between the lifelines, gets what is left of
 * TFE_LADDER_WIDTH: 3 indent + 6 frame + time and a blank + 12 state and
 * a blank + "|" + middle + "|" + a blank and 12 state. */
#define INDENT   3
#define FRAME_W  5
#define STATE_W  12       /* "SYN_RECEIVED" */
/* The time column: "+12.345678", three more digits with nanoseconds,
 * wider with -t and the like (as the text form's, enum tfe_tstamp). */
#define TIME_W(o, c) tfe_tstamp_width((enum tfe_tstamp)(o)->tstamp, \
                                      (c)->timestamps_ns)
#define MID_W    (TFE_LADDER_WIDTH - INDENT - (FRAME_W + 1) - (11 + 1) - \
                  (STATE_W + 1) - 2 - (1 + STATE_W))
/* An arrow is "-- LABEL -->" or "<-- LABEL --" at its shortest: 7
 * columns besides the label. */
#define ARROW_MIN 7

/* Reasons that record a correction made by later evidence, or the
 * evidence itself; the text form prints every reason, the ladder only
 * these (under the row).  Everything else is in the states. */
enum tfe_ladder_mark
tfe_ladder_reason_mark(uint8_t reason, bool receiver)
{
	switch (reason) {
	case TFE_RS_ACK_LOST:
	case TFE_RS_FIN_NOT_DELIVERED:
	case TFE_RS_SYNACK_NOT_DELIVERED:
	case TFE_RS_SYNACK_NEVER_ACKED:
	case TFE_RS_RECV_RST_UNREACHABLE:
		return receiver ? TFE_LADDER_MARK_LOST : TFE_LADDER_MARK_NOTE;
	case TFE_RS_SYNACK_NOT_YET:
	case TFE_RS_FIN_AFTER_TIMEOUT:
	case TFE_RS_FIN_SOCKET_GONE:
	case TFE_RS_SEND_FIN_CROSSED_RESET:
	case TFE_RS_RECV_SYNACK_UNMATCHED:
	case TFE_RS_RECV_SYN_NO_LISTENER:
	case TFE_RS_RST_NOT_ITS_OWN:
	case TFE_RS_RST_REFUSAL_NOT_ITS_OWN:
	case TFE_RS_SEND_NOT_ITS_OWN:
	case TFE_RS_RECV_RST_NOT_TAKEN:
	case TFE_RS_CARRIES_ON_AFTER_RST:
	case TFE_RS_REVERT_SYNACK_LOST:
	case TFE_RS_REVERT_ACK_LOST:
	case TFE_RS_REVERT_FINACK_LOST:
	case TFE_RS_RECV_FIN_AGAIN_TW:
	case TFE_RS_TW_REACK:
	case TFE_RS_TIME_WAIT_TAKEN_OVER:
		return TFE_LADDER_MARK_NOTE;
	default:
		return TFE_LADDER_MARK_NONE;
	}
}

/* Flags as words, in the text form's letter order: "SYN+ACK". */
void
tfe_flag_words(uint16_t f, GString *g)
{
	static const struct {
		uint16_t bit;
		const char *word;
	} words[] = {
		{ TFE_TH_SYN, "SYN" }, { TFE_TH_FIN, "FIN" }, { TFE_TH_RST, "RST" },
		{ TFE_TH_PSH, "PSH" }, { TFE_TH_URG, "URG" }, { TFE_TH_ECE, "ECE" },
		{ TFE_TH_CWR, "CWR" }, { TFE_TH_ACK, "ACK" },
	};
	gsize start = g->len;

	for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
		if (f & words[i].bit)
			g_string_append_printf(g, "%s%s", g->len > start ? "+" : "",
			                       words[i].word);
	if (g->len == start)
		g_string_append(g, "no-flags");
}

/* The frame notes, shorter than the text form's so that they fit. */
static const struct {
	uint16_t bit;
	const char *text;
} note_names[] = {
	{ TFE_NOTE_RETRANS, "retrans" },
	{ TFE_NOTE_OUT_OF_ORDER, "out of order" },
	{ TFE_NOTE_KEEPALIVE, "keepalive" },
	{ TFE_NOTE_ZW_PROBE, "zero-window probe" },
	{ TFE_NOTE_COPY, "copy" },
	{ TFE_NOTE_ZERO_WINDOW, "zero window" },
	{ TFE_NOTE_WINDOW_OPEN, "window opens" },
	{ TFE_NOTE_AFTER_FIN, "data after FIN" },
	{ TFE_NOTE_AFTER_RST, "after RST" },
	{ TFE_NOTE_BAD_FLAGS, "invalid flags" },
	{ TFE_NOTE_GAP, "acks uncaptured data" },
	{ TFE_NOTE_PADDING, "padding" },
};

/* Appends the options, tcpdump-like, in at most `room` columns: each
 * whole while it fits, else its name alone, then "..." for what was cut
 * ("<mss 1460,sackOK,TS...>"). */
static void
append_options(const struct tfe_row *r, GString *g, gsize room)
{
	char full[7][48];
	const char *name[7];
	int n = 0;

#define OPT(bit, nm, ...) \
	if (r->opt_mask & (bit)) { \
		snprintf(full[n], sizeof full[0], __VA_ARGS__); \
		name[n++] = (nm); \
	}
	OPT(TFE_OPT_MSS, "mss", "mss %u", (unsigned)r->mss)
	OPT(TFE_OPT_SACKOK, "sackOK", "sackOK")
	OPT(TFE_OPT_TS, "TS", "TS val %" PRIu32 " ecr %" PRIu32, r->tsval,
	    r->tsecr)
	OPT(TFE_OPT_WSCALE, "wscale", "wscale %u", (unsigned)r->wscale)
	OPT(TFE_OPT_SACK, "sack", "sack %u", (unsigned)r->sack_count)
	OPT(TFE_OPT_TFO, "tfo", "tfo")
	OPT(TFE_OPT_OTHER, "other", "other")
#undef OPT
	if (n == 0)
		return;

	/* " <" + items + ">", and "..." before the ">" once one is cut */
	GString *o = g_string_new(" <");
	bool cut = false;
	for (int i = 0; i < n && !cut; i++) {
		const char *sep = i ? "," : "";
		gsize reserve = i + 1 < n ? 5 : 1; /* ",...>" or ">" */

		if (o->len + strlen(sep) + strlen(full[i]) + reserve <= room) {
			g_string_append_printf(o, "%s%s", sep, full[i]);
			continue;
		}
		cut = true;
		if (o->len + strlen(sep) + strlen(name[i]) + 4 <= room)
			g_string_append_printf(o, "%s%s", sep, name[i]);
		else if (i > 0)
			g_string_append_c(o, ','); /* room kept for it above */
	}
	g_string_append(o, cut ? "...>" : ">");
	if (o->len <= room)
		g_string_append(g, o->str);
	g_string_free(o, TRUE);
}

/*
 * The label of a frame's arrow in at most `room` columns.  Parts in order
 * of what matters: flags, seq, ack, payload length, notes, window; a part
 * that does not fit is left out and " ..." says so (the last parts kept
 * give way to it when needed); the options take what is left.
 */
void
tfe_ladder_label(const struct tfe_conn *c, const struct tfe_row *r,
                 bool raw_seq, GString *g, gsize room)
{
	GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
	int peer = !r->dir;
	char win[24];
	bool cut = false;

	tfe_flag_words(r->flags, g);
	g_ptr_array_add(parts, g_strdup_printf("seq=%" PRIu32,
	                 raw_seq ? r->seq : tfe_conn_rel_seq(c, r->dir, r->seq)));
	if ((r->flags & TFE_TH_ACK) && raw_seq)
		g_ptr_array_add(parts, g_strdup_printf("ack=%" PRIu32, r->ack));
	else if ((r->flags & TFE_TH_ACK) &&
	         tfe_conn_base_known(c, peer))
		g_ptr_array_add(parts, g_strdup_printf("ack=%" PRIu32,
		                 tfe_conn_rel_seq(c, peer, r->ack)));
	if (r->len > 0)
		g_ptr_array_add(parts, g_strdup_printf("len=%" PRIu32, r->len));
	for (size_t i = 0; i < G_N_ELEMENTS(note_names); i++)
		if (r->notes & note_names[i].bit)
			g_ptr_array_add(parts, g_strdup_printf("(%s)",
			                 note_names[i].text));
	tfe_format_window(c, r->dir, r->win, r->flags, win, sizeof win);
	g_ptr_array_add(parts, g_strdup_printf("win=%s", win));

	gsize kept[16];       /* label length before each part kept */
	guint nkept = 0;
	for (guint i = 0; i < parts->len; i++) {
		const char *p = g_ptr_array_index(parts, i);

		if (g->len + 1 + strlen(p) <= room && nkept < G_N_ELEMENTS(kept)) {
			kept[nkept++] = g->len;
			g_string_append_printf(g, " %s", p);
		} else {
			cut = true;
		}
	}
	if (cut) {
		/* " ..." must show: give up the last parts kept for it */
		while (g->len + 4 > room && nkept > 0)
			g_string_truncate(g, kept[--nkept]);
		g_string_append(g, " ...");
	} else if (g->len < room) {
		append_options(r, g, room - g->len);
	}
	g_ptr_array_free(parts, TRUE);
}

/* `s` cut at a word to `room` columns, with "..." when cut. */
static void
fit_text(GString *s, gsize room)
{
	if (s->len <= room)
		return;
	gsize n = room >= 3 ? room - 3 : 0;
	while (n > 0 && s->str[n] != ' ')
		n--;
	while (n > 0 && (s->str[n - 1] == ' ' || s->str[n - 1] == ',' ||
	                 s->str[n - 1] == ';' || s->str[n - 1] == ':'))
		n--;
	g_string_truncate(s, n);
	g_string_append(s, "...");
	if (s->len > room)
		g_string_truncate(s, room);
}

static void
repeat(FILE *out, char ch, int n)
{
	for (int i = 0; i < n; i++)
		fputc(ch, out);
}

/* One diagram line: frame, time, client state, the middle between the
 * lifelines (exactly mid_w columns), server state. */
static void
print_line(const struct tfe_render_opts *o, const struct tfe_conn *c,
           const char *frame, const char *time, const char *cst, char life,
           const char *mid, int mid_w, const char *sst)
{
	FILE *out = o->out;
	int pad = mid_w - (int)strlen(mid);

	fprintf(out, "%*s%-*s %-*s %*s %c%s", INDENT, "", FRAME_W, frame,
	        TIME_W(o, c), time, STATE_W, cst, life, mid);
	repeat(out, ' ', pad > 0 ? pad : 0);
	if (sst[0])
		fprintf(out, "%c %s\n", life, sst);
	else
		fprintf(out, "%c\n", life);
}

static const char *
changed(const struct tfe_row *r, const uint8_t before[2], int side)
{
	return r->state[side] != before[side] ? tfe_state_names[r->state[side]]
	                                      : "";
}

/* Wraps `text` under a row, indented to the time column. */
static void
print_note(FILE *out, const char *who, const char *text)
{
	GString *g = g_string_new(NULL);
	int indent = INDENT + FRAME_W + 1;
	const char *p = text;

	g_string_printf(g, "^ %s: ", who);
	while (*p) {
		const char *sp = strchr(p, ' ');
		gsize wl = sp ? (gsize)(sp - p) : strlen(p);

		if (g->len > 0 && indent + g->len + wl > TFE_LADDER_WIDTH &&
		    g->str[g->len - 1] == ' ') {
			g_string_truncate(g, g->len - 1);
			fprintf(out, "%*s%s\n", indent, "", g->str);
			g_string_assign(g, "    ");
		}
		g_string_append_len(g, p, (gssize)wl);
		p += wl;
		if (*p == ' ') {
			g_string_append_c(g, ' ');
			p++;
		}
	}
	fprintf(out, "%*s%s\n", indent, "", g->str);
	g_string_free(g, TRUE);
}

static void
print_frame_row(const struct tfe_render_opts *o, const struct tfe_conn *c,
                const struct tfe_row *r, guint row_i, const uint8_t before[2],
                int64_t prev, int mid_w)
{
	char t[48], fr[24];
	int rcv = !r->dir;
	bool lost = tfe_ladder_reason_mark(r->reason[rcv], true) ==
	            TFE_LADDER_MARK_LOST;
	GString *label = g_string_new(NULL), *mid = g_string_new(NULL);
	const char *cst = changed(r, before, TFE_SIDE_CLIENT);
	const char *sst = changed(r, before, TFE_SIDE_SERVER);

	snprintf(fr, sizeof fr, "%" PRIu64, r->frame);
	tfe_render_row_time(o, c, r->ts, prev, t);
	tfe_ladder_label(c, r, o->raw_seq, label, (gsize)(mid_w - ARROW_MIN));
	int dashes = mid_w - (int)label->len - 5;
	if (r->dir == TFE_DIR_C2S) {
		g_string_printf(mid, "-- %s ", label->str);
		for (int i = 0; i < dashes; i++)
			g_string_append_c(mid, '-');
		g_string_append_c(mid, lost ? 'x' : '>');
	} else {
		g_string_assign(mid, lost ? "x" : "<");
		for (int i = 0; i < dashes; i++)
			g_string_append_c(mid, '-');
		g_string_append_printf(mid, " %s --", label->str);
	}
	/* A lost segment leaves its receiver's state as it was: say so in
	 * its column, where a change would otherwise show. */
	if (lost && rcv == TFE_SIDE_CLIENT && !cst[0])
		cst = "(not recvd)";
	if (lost && rcv == TFE_SIDE_SERVER && !sst[0])
		sst = "(not recvd)";
	/* A state the wire cannot decide: "TIME_WAIT?" where it is
	 * entered, and the alternative with its reason under the row. */
	uint8_t why[2], alt[2];
	char q[2][40];
	for (int side = 0; side < 2; side++) {
		const char **cell = side == TFE_SIDE_CLIENT ? &cst : &sst;
		alt[side] = tfe_conn_alt(c, side, row_i, &why[side]);
		if (alt[side] < TFE_ST__COUNT && r->state[side] != before[side]) {
			snprintf(q[side], sizeof q[side], "%s?", *cell);
			*cell = q[side];
		} else {
			alt[side] = TFE_ST__COUNT;
		}
	}
	print_line(o, c, fr, t, cst, '|', mid->str, mid_w, sst);
	for (int side = 0; side < 2; side++) {
		if (tfe_ladder_reason_mark(r->reason[side], side == rcv) !=
		    TFE_LADDER_MARK_NONE)
			print_note(o->out, side_names[side],
			           tfe_reasons[r->reason[side]].text);
		if (alt[side] < TFE_ST__COUNT) {
			char *n = g_strdup_printf("%s? or %s: %s",
			                          tfe_state_names[r->state[side]],
			                          tfe_state_names[alt[side]],
			                          tfe_reasons[why[side]].text);
			print_note(o->out, side_names[side], n);
			g_free(n);
		}
	}
	g_string_free(label, TRUE);
	g_string_free(mid, TRUE);
}

void
tfe_ladder_run_text(const struct tfe_conn *c, const struct tfe_row *r,
                    bool windows, bool words, GString *g)
{
	g_string_printf(g, " %" PRIu32 " frame%s%s", r->count,
	                r->count == 1 ? "" : "s",
	                words ? " of data and ACKs" : "");
	const char *sep = ": ";
	for (int side = 0; side < 2; side++) {
		char lo[24], hi[24];

		if (r->win_min[side] > r->win_max[side])
			continue; /* this side sent nothing in the run */
		g_string_append_printf(g, "%s%s %" PRIu64 " bytes", sep,
		                       side_names[side], r->bytes[side]);
		sep = ", ";
		if (!windows)
			continue;
		tfe_format_window(c, side, r->win_min[side], 0, lo, sizeof lo);
		tfe_format_window(c, side, r->win_max[side], 0, hi, sizeof hi);
		g_string_append_printf(g, " win %s", lo);
		if (r->win_min[side] != r->win_max[side])
			g_string_append_printf(g, "..%s", hi);
	}
}

/* A run: no arrow, dotted lifelines, what went each way; as much detail
 * as fits, windows first to go. */
static void
print_run_row(const struct tfe_render_opts *o, const struct tfe_conn *c,
              const struct tfe_row *r, const uint8_t before[2], int64_t prev,
              int mid_w)
{
	char t[48], fr[48];
	GString *g = g_string_new(NULL);

	if (r->count == 1)
		snprintf(fr, sizeof fr, "%" PRIu64, r->frame);
	else
		snprintf(fr, sizeof fr, "%" PRIu64 "-%" PRIu64, r->frame,
		         tfe_row_frame_last(r));
	tfe_render_row_time(o, c, r->ts, prev, t);
	tfe_ladder_run_text(c, r, true, true, g);
	if (g->len > (gsize)mid_w - 1)
		tfe_ladder_run_text(c, r, false, true, g);
	if (g->len > (gsize)mid_w - 1)
		tfe_ladder_run_text(c, r, false, false, g);
	fit_text(g, (gsize)mid_w - 1);
	print_line(o, c, fr, t, changed(r, before, TFE_SIDE_CLIENT), ':',
	           g->str, mid_w, changed(r, before, TFE_SIDE_SERVER));
	g_string_free(g, TRUE);
}

/* A timer: the new state in its side's column, the reason beside it.  The
 * other side's column stays empty: its state in a timer row is not news
 * (two sides' TIME_WAIT timers can end in either order). */
static void
print_timer_row(const struct tfe_render_opts *o, const struct tfe_conn *c,
                const struct tfe_row *r, int64_t prev, int mid_w)
{
	char t[48];
	int side = r->dir;
	GString *g = g_string_new(NULL);

	tfe_render_row_time(o, c, r->ts, prev, t);
	g_string_assign(g, tfe_reasons[r->reason[side]].text);
	fit_text(g, (gsize)mid_w - 2);
	if (side == TFE_SIDE_CLIENT) {
		g_string_prepend_c(g, ' ');
	} else {
		while (g->len < (gsize)mid_w - 1)
			g_string_prepend_c(g, ' ');
	}
	print_line(o, c, "-", t, side == TFE_SIDE_CLIENT ?
	           tfe_state_names[r->state[side]] : "", '|', g->str, mid_w,
	           side == TFE_SIDE_SERVER ? tfe_state_names[r->state[side]] : "");
	g_string_free(g, TRUE);
}

/* Under a row where a far host changed state at another time than the
 * wire's (tfe_vantage_time()): that time in the time column, in the
 * column's own form (-ttt: since the connection's first frame), and
 * "~ at host" under each side that changed then.  host_last keeps
 * each side's changes in order, as the text form and JSON do. */
static void
print_host_times(const struct tfe_render_opts *o, const struct tfe_conn *c,
                 const struct tfe_vantage *v, const struct tfe_row *r,
                 const uint8_t before[2], int64_t host_last[2], int mid_w)
{
	int64_t at[2] = { INT64_MIN, INT64_MIN };

	for (int side = 0; side < 2; side++) {
		if (r->kind == TFE_ROW_RUN || r->state[side] == before[side] ||
		    ((r->kind == TFE_ROW_TIMER || r->kind == TFE_ROW_ARRIVAL) &&
		     r->dir != side))
			continue;
		int64_t t = tfe_vantage_time_next(v, side, r,
		                                  &host_last[side]);
		if (t != r->ts)
			at[side] = t;
	}
	for (int side = 0; side < 2; side++) {
		char t[48];
		bool both = at[!side] == at[side];

		if (at[side] == INT64_MIN || (both && side == TFE_SIDE_SERVER))
			continue;
		tfe_render_row_time(o, c, at[side], c->first_ts, t);
		print_line(o, c, "", t,
		           side == TFE_SIDE_CLIENT || both ? "~ at host" : "",
		           '|', "", mid_w,
		           side == TFE_SIDE_SERVER || both ? "~ at host" : "");
	}
}

void
tfe_render_ladder_conn(const struct tfe_render_opts *o,
                       const struct tfe_conn *c)
{
	FILE *out = o->out;
	uint8_t before[2] = { c->init_state[0], c->init_state[1] };
	int mid_w = MID_W - (TIME_W(o, c) - 11);
	int64_t prev = c->first_ts; /* the row above's time, for -ttt */
	struct tfe_vantage v;
	int64_t host_last[2] = { INT64_MIN, INT64_MIN };

	tfe_vantage_estimate(c, &v);
	tfe_render_text_title(o, c);
	fprintf(out, "%*s%-*s %-*s %*s %-*s %s\n", INDENT, "", FRAME_W, "frame",
	        TIME_W(o, c), "time", STATE_W, "client", mid_w + 1, "", "server");
	print_line(o, c, "", "(before)", tfe_state_names[before[0]], '|', "",
	           mid_w, tfe_state_names[before[1]]);
	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r =
			&c->tl.rows[i];

		switch (r->kind) {
		case TFE_ROW_FRAME:
			print_frame_row(o, c, r, i, before, prev, mid_w);
			break;
		case TFE_ROW_RUN:
			print_run_row(o, c, r, before, prev, mid_w);
			break;
		case TFE_ROW_TIMER:
		case TFE_ROW_ARRIVAL:
			print_timer_row(o, c, r, prev, mid_w);
			break;
		}
		print_host_times(o, c, &v, r, before, host_last, mid_w);
		prev = r->ts;
		before[0] = r->state[0];
		before[1] = r->state[1];
	}
	tfe_render_text_footer(o, c);
}
