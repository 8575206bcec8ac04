/*
 * render_html.c: --format html, one self-contained page (doc/html.md).
 *
 * The page is gathered while the connections finish and written at the
 * end, because its overview (the summary, the servers) comes first: every
 * connection leaves a line for the list, and the connections chosen for
 * drawing leave their section, already written out.  Which are drawn:
 * those with a warning, and the few largest (bytes) and longest (time) of
 * the others, kept as the capture goes (a section is written only for a
 * connection that enters one of those two lists, and dropped when it
 * leaves both).
 *
 * A section holds the facts of the text form's first two lines, the
 * ladder (the same timeline rows as --format ladder, drawn: arrows
 * between the two lifelines, a band of colour per state down each, the
 * reason for each change on hover), the time-sequence graph of each
 * direction, the window graph, and the verdicts with their frames linked
 * to the ladder's rows.  Like every renderer it decides nothing: the rows,
 * the states and whether a segment arrived come from the analysis.
 *
 * Everything from a capture or the command line that becomes text on the
 * page goes through tfe_html_escape(); numbers are formatted here.  The
 * page fetches nothing: inline CSS and SVG, and a short script that
 * filters the list.
 */
#include "render.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "vantage.h"

static const char *const side_names[2] = { "client", "server" };

/* ---- escaping ------------------------------------------------------- */

void
tfe_html_escape(GString *out, const char *s)
{
	const char *p = s, *end = s + strlen(s);

	while (p < end) {
		gunichar ch = g_utf8_get_char_validated(p, end - p);

		if (ch == (gunichar)-1 || ch == (gunichar)-2) {
			g_string_append(out, "\xef\xbf\xbd"); /* U+FFFD */
			p++;
			continue;
		}
		const char *next = g_utf8_next_char(p);
		switch (ch) {
		case '&': g_string_append(out, "&amp;"); break;
		case '<': g_string_append(out, "&lt;"); break;
		case '>': g_string_append(out, "&gt;"); break;
		case '"': g_string_append(out, "&quot;"); break;
		case '\'': g_string_append(out, "&#39;"); break;
		case '\t': case '\n': g_string_append_c(out, (char)ch); break;
		default:
			if (ch >= 0x20 && !(ch >= 0x7f && ch < 0xa0))
				g_string_append_len(out, p, next - p);
		}
		p = next;
	}
}

static void
esc(GString *g, const char *s)
{
	tfe_html_escape(g, s);
}

char *
tfe_render_captured(const struct tfe_render_opts *o,
                    void (*fn)(const struct tfe_render_opts *t,
                               const void *ud),
                    const void *ud)
{
	struct tfe_render_opts t = *o;
	char *buf = NULL;
	size_t len = 0;

	t.color = false;
	t.out = open_memstream(&buf, &len);
	if (t.out == NULL)
		return g_strdup("");
	fn(&t, ud);
	fclose(t.out);
	return buf;
}

struct text_part {
	const struct tfe_conn *c;
	void (*fn)(const struct tfe_render_opts *, const struct tfe_conn *);
};

static void
text_part(const struct tfe_render_opts *t, const void *ud)
{
	const struct text_part *x = ud;

	x->fn(t, x->c);
}

/* A text form's output for one connection, captured (no colours). */
static char *
text_of(const struct tfe_render_opts *o, const struct tfe_conn *c,
        void (*fn)(const struct tfe_render_opts *, const struct tfe_conn *))
{
	struct text_part x = { c, fn };

	return tfe_render_captured(o, text_part, &x);
}

static void
endpoint(GString *g, const struct tfe_conn *c, int side)
{
	char a[TFE_ADDR_STRLEN];

	esc(g, tfe_endpoint_format(c->family, tfe_conn_addr(c, side),
	                           tfe_conn_port(c, side), a, sizeof a));
}

static bool
has_warning(const struct tfe_conn *c)
{
	for (guint i = 0; c->verdicts && i < c->verdicts->len; i++)
		if (tfe_verdicts[g_array_index(c->verdicts, struct tfe_verdict,
		                               i).kind].severity == TFE_SEV_WARNING)
			return true;
	return false;
}

/* The timeline rows drawn: all of them up to TFE_HTML_ROWS_MAX (only
 * --all-frames or a larger bound of rows makes more). */
static guint
drawn_rows(const struct tfe_conn *c)
{
	guint n = tfe_timeline_len(&c->tl);

	return n < TFE_HTML_ROWS_MAX ? n : TFE_HTML_ROWS_MAX;
}

/* ---- the ladder ----------------------------------------------------- */

/* Geometry, in SVG units (pixels at 100 %). */
#define L_W      920
#define L_CX     330     /* the client's lifeline */
#define L_SX     790     /* the server's */
#define L_TOP    56
#define L_STEP   30      /* a row's height before its time gap */
#define L_SLOPE  12      /* an arrow's fall from sender to receiver */
#define L_FOLD_NS (INT64_C(1000000000)) /* a gap this long is folded */

/* The extra room for a quiet gap: it grows with the logarithm of the
 * time, so that rows keep their order and a long gap looks long without
 * pushing the rest off the page; from L_FOLD_NS on it is drawn broken. */
static double
gap_px(int64_t dt)
{
	if (dt < 1000000)
		return 0;
	double px = 6 + 6 * log10((double)dt / 1e6);
	return px > 36 ? 36 : px;
}

struct band {
	double y0;
	uint8_t state;
	GString *why;          /* the reason it was entered, for the hover */
};

static void
band_close(GString *g, int side, struct band *b, double y1)
{
	double x = (side == TFE_SIDE_CLIENT ? L_CX : L_SX) - 6;

	if (y1 > b->y0)
		g_string_append_printf(g, "<rect class=\"band st-%s\" x=\"%d\" "
		                       "y=\"%.1f\" width=\"12\" height=\"%.1f\">"
		                       "<title>", tfe_state_names[b->state],
		                       (int)x, b->y0, y1 - b->y0);
	else
		return;
	esc(g, b->why->str);
	g_string_append(g, "</title></rect>\n");
}

/* A side enters `st` at y: the band so far is drawn, the state's name
 * written beside its lifeline. */
static void
band_change(GString *bands, GString *labels, int side, struct band *b,
            double y, uint8_t st, const char *why, const char *mark,
            bool far)
{
	const char *cls = far ? "st far" : "st";

	band_close(bands, side, b, y);
	b->y0 = y;
	b->state = st;
	g_string_assign(b->why, why);
	if (side == TFE_SIDE_CLIENT)
		g_string_append_printf(labels, "<text class=\"%s\" x=\"%d\" "
		                       "y=\"%.1f\" text-anchor=\"end\">", cls,
		                       L_CX - 12, y + 4);
	else
		g_string_append_printf(labels, "<text class=\"%s\" x=\"%d\" "
		                       "y=\"%.1f\">", cls, L_SX + 12, y + 4);
	g_string_append_printf(labels, "%s%s<title>", tfe_state_names[st],
	                       mark);
	esc(labels, why);
	g_string_append(labels, "</title></text>\n");
}

/* "client SYN_SENT -> ESTABLISHED at frame 2 (+0.000037): reason" */
static void
why_text(GString *w, const struct tfe_conn *c, int side, uint8_t from,
         uint8_t to, const struct tfe_row *r, int64_t shift)
{
	char t[32];

	tfe_format_seconds(r->ts - c->first_ts, c->timestamps_ns, true, t,
	                   sizeof t);
	g_string_printf(w, "%s %s -> %s", side_names[side],
	                tfe_state_names[from], tfe_state_names[to]);
	if (r->kind == TFE_ROW_TIMER)
		g_string_append_printf(w, " at %s", t);
	else if (r->kind == TFE_ROW_ARRIVAL)
		g_string_append_printf(w, " when frame %" PRIu64 " reached it",
		                       r->arr_frame);
	else
		g_string_append_printf(w, " at frame %" PRIu64 " (%s)", r->frame,
		                       t);
	if (r->reason[side] != 0)
		g_string_append_printf(w, ": %s", tfe_reasons[r->reason[side]].text);
	if (shift != 0) {
		char s[32];
		tfe_format_seconds(shift, c->timestamps_ns, false, s, sizeof s);
		g_string_append_printf(w, " (far side: by the capture point's "
		                       "estimate the host changed %s s %s the "
		                       "wire time)", s, r->kind == TFE_ROW_FRAME &&
		                       r->dir == side ? "before" : "after");
	}
}

static void
ladder(GString *g, const struct tfe_render_opts *o, const struct tfe_conn *c)
{
	GString *rows = g_string_new(NULL), *bands = g_string_new(NULL);
	GString *labels = g_string_new(NULL), *t = g_string_new(NULL);
	struct band b[2];
	struct tfe_vantage v;
	uint8_t before[2] = { c->init_state[0], c->init_state[1] };
	double y = L_TOP;
	int64_t prev_ts = c->first_ts;
	guint n = drawn_rows(c);

	tfe_vantage_estimate(c, &v);
	int64_t shift[2] = { tfe_vantage_shift(&v, 0), tfe_vantage_shift(&v, 1) };
	for (int side = 0; side < 2; side++) {
		b[side].why = g_string_new(NULL);
		b[side].y0 = y - 10;
		b[side].state = before[side];
		g_string_printf(b[side].why, "%s %s before the first frame",
		                side_names[side], tfe_state_names[before[side]]);
		band_change(bands, labels, side, &b[side], y - 10, before[side],
		            b[side].why->str, "", false);
	}
	for (guint i = 0; i < n; i++) {
		const struct tfe_row *r = &c->tl.rows[i];
		char tm[48], fr[48];
		int64_t dt = r->ts - prev_ts;

		y += L_STEP + gap_px(dt);
		if (dt >= L_FOLD_NS) {
			/* a broken stretch of both lifelines, with the time */
			double ym = y - L_STEP / 2.0 - 4;
			char d[64];
			tfe_format_duration(dt, c->timestamps_ns, d, sizeof d);
			g_string_append_printf(rows, "<g class=\"fold\"><text x=\"%d\" "
			                       "y=\"%.1f\" text-anchor=\"middle\">"
			                       "&#8942; %s quiet &#8942;</text>"
			                       "<path d=\"M%d %.1f l-8 4 l16 4 l-8 4"
			                       " M%d %.1f l-8 4 l16 4 l-8 4\"/></g>\n",
			                       (L_CX + L_SX) / 2, ym + 6, d,
			                       L_CX, ym - 4, L_SX, ym - 4);
		}
		/* the time column as the text form's (-t and the like) */
		tfe_render_row_time(o, c, r->ts, prev_ts, tm);
		prev_ts = r->ts;
		if (r->kind == TFE_ROW_RUN && r->count > 1)
			snprintf(fr, sizeof fr, "%" PRIu64 "-%" PRIu64, r->frame,
			         tfe_row_frame_last(r));
		else if (r->kind == TFE_ROW_TIMER || r->kind == TFE_ROW_ARRIVAL)
			snprintf(fr, sizeof fr, "-");
		else
			snprintf(fr, sizeof fr, "%" PRIu64, r->frame);

		if (r->kind == TFE_ROW_TIMER || r->kind == TFE_ROW_ARRIVAL)
			g_string_append_printf(rows, "<g class=\"row %s\" "
			                       "id=\"c%" PRIu64 "-t%u\">",
			                       r->kind == TFE_ROW_TIMER ? "timer" :
			                       "arrival", c->id, i);
		else
			g_string_append_printf(rows, "<g class=\"row %s\" id=\"c%"
			                       PRIu64 "-f%" PRIu64 "\" data-frame=\"%s\">",
			                       r->kind == TFE_ROW_RUN ? "run" : "frame",
			                       c->id, r->frame, fr);
		g_string_append_printf(rows, "<rect class=\"hl\" x=\"0\" y=\"%.1f\" "
		                       "width=\"%d\" height=\"%d\"/>"
		                       "<text class=\"fr\" x=\"6\" y=\"%.1f\">%s</text>"
		                       "<text class=\"tm\" x=\"62\" y=\"%.1f\">%s</text>",
		                       y - 14, L_W, L_STEP - 2, y + 4, fr, y + 4, tm);

		double ys[2] = { y, y };  /* where each side's change shows */
		if (r->kind == TFE_ROW_FRAME) {
			int snd = r->dir, rcv = !r->dir;
			bool lost = tfe_ladder_reason_mark(r->reason[rcv], true) ==
			            TFE_LADDER_MARK_LOST;
			double x1 = snd == TFE_SIDE_CLIENT ? L_CX : L_SX;
			double x2 = snd == TFE_SIDE_CLIENT ? L_SX : L_CX;
			/* the slope: a host far from the capture point sent
			 * earlier and receives later than the wire time of the
			 * row (the vantage model's delays, on the rows' scale) */
			double y1 = y - gap_px(shift[snd]) / 2;
			double y2 = y + L_SLOPE + gap_px(shift[rcv]) / 2;
			char cls[96];

			ys[snd] = y1;
			ys[rcv] = y2;
			snprintf(cls, sizeof cls, "arrow%s%s%s", lost ? " lost" : "",
			         (r->notes & TFE_NOTE_RETRANS) ? " retrans" : "",
			         (r->flags & TFE_TH_RST) ? " rst" : "");
			if (lost) {
				double xe = x1 + (x2 - x1) * 0.82;
				double ye = y1 + (y2 - y1) * 0.82;
				g_string_append_printf(rows, "<line class=\"%s\" x1=\"%.1f\" "
				                       "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
				                       "<path class=\"x\" d=\"M%.1f %.1f "
				                       "l10 10 m0 -10 l-10 10\"/>"
				                       "<text class=\"nr\" x=\"%.1f\" "
				                       "y=\"%.1f\" text-anchor=\"middle\">"
				                       "not received</text>",
				                       cls, x1, y1, xe, ye, xe - 5, ye - 5,
				                       xe, ye + 16);
			} else {
				g_string_append_printf(rows, "<line class=\"%s\" x1=\"%.1f\" "
				                       "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
				                       "marker-end=\"url(#tfe-ah)\"/>",
				                       cls, x1, y1, x2 + (snd ? 4 : -4), y2);
			}
			g_string_truncate(t, 0);
			tfe_ladder_label(c, r, o->raw_seq, t, 64);
			g_string_append_printf(rows, "<text class=\"lbl\" x=\"%d\" "
			                       "y=\"%.1f\" text-anchor=\"middle\">",
			                       (L_CX + L_SX) / 2, (y1 + y2) / 2 - 5);
			esc(rows, t->str);
			/* the whole label and the corrections, on hover */
			g_string_truncate(t, 0);
			tfe_ladder_label(c, r, o->raw_seq, t, 400);
			g_string_append(rows, "<title>");
			esc(rows, t->str);
			for (int side = 0; side < 2; side++)
				if (tfe_ladder_reason_mark(r->reason[side], side == rcv) !=
				    TFE_LADDER_MARK_NONE) {
					g_string_append_printf(rows, "\n%s: ",
					                       side_names[side]);
					esc(rows, tfe_reasons[r->reason[side]].text);
				}
			g_string_append(rows, "</title></text>");
		} else if (r->kind == TFE_ROW_RUN) {
			/* as much as fits between the lifelines */
			g_string_truncate(t, 0);
			tfe_ladder_run_text(c, r, true, true, t);
			if (t->len > 66)
				tfe_ladder_run_text(c, r, false, true, t);
			if (t->len > 66)
				tfe_ladder_run_text(c, r, false, false, t);
			g_string_append_printf(rows, "<path class=\"runline\" d=\"M%d "
			                       "%.1f v%d M%d %.1f v%d\"/>"
			                       "<text class=\"run\" x=\"%d\" y=\"%.1f\" "
			                       "text-anchor=\"middle\">",
			                       L_CX, y - 12, 24, L_SX, y - 12, 24,
			                       (L_CX + L_SX) / 2, y + 4);
			esc(rows, t->str + (t->str[0] == ' '));
			g_string_append(rows, "</text>");
		} else {
			int side = r->dir;
			g_string_append_printf(rows, "<text class=\"timer\" x=\"%d\" "
			                       "y=\"%.1f\"%s>",
			                       side == TFE_SIDE_CLIENT ? L_CX + 12 :
			                       L_SX - 12, y + 4,
			                       side == TFE_SIDE_CLIENT ? "" :
			                       " text-anchor=\"end\"");
			esc(rows, tfe_reasons[r->reason[side]].text);
			g_string_append(rows, "</text>");
		}
		g_string_append(rows, "</g>\n");

		for (int side = 0; side < 2; side++) {
			uint8_t why_alt, alt;
			if (r->state[side] == before[side])
				continue;
			alt = tfe_conn_alt(c, side, i, &why_alt);
			g_string_truncate(t, 0);
			why_text(t, c, side, before[side], r->state[side], r,
			         r->kind == TFE_ROW_RUN ? 0 :
			         tfe_vantage_shift(&v, side));
			if (alt < TFE_ST__COUNT)
				g_string_append_printf(t, "; or %s: %s",
				                       tfe_state_names[alt],
				                       tfe_reasons[why_alt].text);
			band_change(bands, labels, side, &b[side], ys[side],
			            r->state[side], t->str,
			            alt < TFE_ST__COUNT ? "?" : "",
			            r->kind != TFE_ROW_RUN && shift[side] != 0);
		}
		before[0] = r->state[0];
		before[1] = r->state[1];
	}
	y += L_STEP;
	for (int side = 0; side < 2; side++) {
		band_close(bands, side, &b[side], y);
		g_string_free(b[side].why, TRUE);
	}

	g_string_append_printf(g, "<svg class=\"ladder\" xmlns=\"http://www.w3.org/"
	                       "2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 "
	                       "%d %d\" role=\"img\">\n", L_W, (int)y + 10, L_W,
	                       (int)y + 10);
	g_string_append_printf(g, "<text class=\"head\" x=\"6\" y=\"18\">frame"
	                       "</text><text class=\"head\" x=\"62\" y=\"18\">time"
	                       "</text><text class=\"head\" x=\"%d\" y=\"18\" "
	                       "text-anchor=\"middle\">client ", L_CX);
	endpoint(g, c, TFE_SIDE_CLIENT);
	g_string_append_printf(g, "</text><text class=\"head\" x=\"%d\" y=\"18\" "
	                       "text-anchor=\"middle\">server ", L_SX);
	endpoint(g, c, TFE_SIDE_SERVER);
	g_string_append_printf(g, "</text>\n<line class=\"life\" x1=\"%d\" "
	                       "y1=\"28\" x2=\"%d\" y2=\"%d\"/><line class=\"life\" "
	                       "x1=\"%d\" y1=\"28\" x2=\"%d\" y2=\"%d\"/>\n",
	                       L_CX, L_CX, (int)y, L_SX, L_SX, (int)y);
	g_string_append(g, rows->str);
	g_string_append(g, bands->str);
	g_string_append(g, labels->str);
	g_string_append(g, "</svg>\n");
	if (shift[0] != 0 || shift[1] != 0)
		g_string_append(g, "<p class=\"legend\">States in italics are the "
		                "far host's: placed at the time it sent or received "
		                "the segment by the capture point's estimate of its "
		                "delay (the facts above), not at the wire time.</p>\n");
	g_string_free(rows, TRUE);
	g_string_free(bands, TRUE);
	g_string_free(labels, TRUE);
	g_string_free(t, TRUE);
}

/* ---- the graphs ----------------------------------------------------- */

#define G_W   920
#define G_H   200
#define G_L   80      /* left margin: the y axis' labels */
#define G_R   20
#define G_T   24
#define G_B   30

struct axes {
	int64_t t0, t1;       /* ns */
	double v0, v1;        /* the quantity's range */
};

static double
gx(const struct axes *a, int64_t ts)
{
	double span = (double)(a->t1 - a->t0);

	if (span <= 0)
		return G_L;
	return G_L + (double)(ts - a->t0) / span * (G_W - G_L - G_R);
}

static double
gy(const struct axes *a, double v)
{
	double span = a->v1 - a->v0;

	if (span <= 0)
		return G_H - G_B;
	return G_H - G_B - (v - a->v0) / span * (G_H - G_T - G_B);
}

/* A step line: the value holds until the next point. */
static void
step_to(GString *d, double x, double y)
{
	if (d->len == 0)
		g_string_append_printf(d, "M%.1f %.1f", x, y);
	else
		g_string_append_printf(d, " H%.1f V%.1f", x, y);
}

static void
graph_open(GString *g, const char *cls, const struct axes *a,
           const struct tfe_conn *c, const char *title, const char *unit)
{
	char t0[32], t1[32];

	tfe_format_seconds(0, c->timestamps_ns, true, t0, sizeof t0);
	tfe_format_seconds(a->t1 - a->t0, c->timestamps_ns, true, t1, sizeof t1);
	g_string_append_printf(g, "<svg class=\"graph %s\" xmlns=\"http://www.w3"
	                       ".org/2000/svg\" width=\"%d\" height=\"%d\" "
	                       "viewBox=\"0 0 %d %d\" role=\"img\">\n"
	                       "<text class=\"head\" x=\"%d\" y=\"14\">%s</text>\n"
	                       "<path class=\"axis\" d=\"M%d %d V%d H%d\"/>\n"
	                       "<text class=\"ax\" x=\"%d\" y=\"%d\">%s s</text>"
	                       "<text class=\"ax\" x=\"%d\" y=\"%d\" text-anchor="
	                       "\"end\">%s s</text>"
	                       "<text class=\"ax\" x=\"%d\" y=\"%d\" text-anchor="
	                       "\"end\">%.0f</text>"
	                       "<text class=\"ax\" x=\"%d\" y=\"%d\" text-anchor="
	                       "\"end\">%.0f %s</text>\n",
	                       cls, G_W, G_H, G_W, G_H, G_L, title,
	                       G_L, G_T, G_H - G_B, G_W - G_R,
	                       G_L, G_H - G_B + 16, t0,
	                       G_W - G_R, G_H - G_B + 16, t1,
	                       G_L - 4, G_H - G_B, a->v0,
	                       G_L - 4, G_T + 8, a->v1, unit);
}

/* The sequence space `snd` sent against time, with what its peer said
 * back: the ACK line, the edge of the peer's receive window, its SACKs
 * and its zero-window stretches. */
static void
tseq_graph(GString *g, const struct tfe_conn *c, int snd)
{
	int peer = !snd;
	struct axes a = { c->first_ts, c->last_ts, 0, 1 };
	guint n = drawn_rows(c);
	GString *segs = g_string_new(NULL), *ack = g_string_new(NULL);
	GString *edge = g_string_new(NULL), *marks = g_string_new(NULL);
	double hi = 0, top = 0;
	int64_t zw_from = -1;

	if (!tfe_conn_base_known(c, snd)) {
		g_string_free(segs, TRUE);
		g_string_free(ack, TRUE);
		g_string_free(edge, TRUE);
		g_string_free(marks, TRUE);
		return;
	}
	if (a.t1 <= a.t0)
		a.t1 = a.t0 + 1;
	/* the range first: every sequence number, ACK and window edge */
	for (int pass = 0; pass < 2; pass++) {
		hi = 0;
		for (guint i = 0; i < n; i++) {
			const struct tfe_row *r = &c->tl.rows[i];

			if (r->kind == TFE_ROW_RUN) {
				double y0 = hi;
				hi += (double)r->bytes[snd];
				if (pass == 1 && r->bytes[snd] > 0)
					g_string_append_printf(segs, "<line class=\"runseg\" "
					                       "x1=\"%.1f\" y1=\"%.1f\" "
					                       "x2=\"%.1f\" y2=\"%.1f\"><title>"
					                       "%" PRIu32 " frames folded (frames "
					                       "%" PRIu64 "-%" PRIu64 ")</title>"
					                       "</line>\n", gx(&a, r->ts),
					                       gy(&a, y0), gx(&a, r->ts_last),
					                       gy(&a, hi), r->count, r->frame,
					                       tfe_row_frame_last(r));
				continue;
			}
			if (r->kind != TFE_ROW_FRAME)
				continue;
			if (r->dir == snd) {
				double s0 = tfe_conn_rel_seq(c, snd, r->seq);
				double len = r->len + !!(r->flags & TFE_TH_SYN) +
				             !!(r->flags & TFE_TH_FIN);
				if (s0 > 2147483648.0)
					continue; /* before the base: not drawn */
				if (s0 + len > hi)
					hi = s0 + len;
				if (pass == 0)
					continue;
				const char *cls = (r->notes & TFE_NOTE_RETRANS) ? "retrans" :
				                  (r->notes & TFE_NOTE_KEEPALIVE) ? "ka" :
				                  (r->notes & TFE_NOTE_ZW_PROBE) ? "zwp" :
				                  (r->flags & (TFE_TH_SYN | TFE_TH_FIN |
				                               TFE_TH_RST)) ? "ctl" : "seg";
				double x = gx(&a, r->ts);
				double y0 = gy(&a, s0), y1 = gy(&a, s0 + len);
				if (y0 - y1 < 3)
					y1 = y0 - 3;
				g_string_append_printf(segs, "<line class=\"%s\" x1=\"%.1f\""
				                       " y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\">"
				                       "<title>frame %" PRIu64 ": seq %.0f"
				                       " len %" PRIu32 "%s%s</title></line>\n",
				                       cls, x, y0, x, y1, r->frame, s0, r->len,
				                       (r->notes & TFE_NOTE_RETRANS) ?
				                       " (retransmission)" :
				                       (r->notes & TFE_NOTE_OUT_OF_ORDER) ?
				                       " (out of order)" : "",
				                       (r->notes & TFE_NOTE_KEEPALIVE) ?
				                       " (keepalive)" : "");
				continue;
			}
			/* the peer's segment: its ACK and window for this side */
			if (!(r->flags & TFE_TH_ACK))
				continue;
			double ak = tfe_conn_rel_seq(c, snd, r->ack);
			if (ak > 2147483648.0)
				continue;
			double w = tfe_conn_scaled_window(c, peer, r->win, r->flags);
			if (ak > top)
				top = ak;
			if (pass == 0)
				continue;
			double x = gx(&a, r->ts);
			step_to(ack, x, gy(&a, ak));
			/* a window far beyond the data would flatten it: the
			 * edge stops at the top of the graph */
			step_to(edge, x, gy(&a, MIN(ak + w, a.v1)));
			if ((r->notes & TFE_NOTE_ZERO_WINDOW) && zw_from < 0)
				zw_from = r->ts;
			if ((r->notes & TFE_NOTE_WINDOW_OPEN) && zw_from >= 0) {
				g_string_append_printf(marks, "<rect class=\"zw\" x=\"%.1f\" "
				                       "y=\"%d\" width=\"%.1f\" height=\"%d\">"
				                       "<title>zero window advertised by the "
				                       "%s</title></rect>\n", gx(&a, zw_from),
				                       G_T, gx(&a, r->ts) - gx(&a, zw_from),
				                       G_H - G_T - G_B, side_names[peer]);
				zw_from = -1;
			}
		}
		/* the SACK blocks the peer reported, at the time of the
		 * segment that carried them, folded or not */
		const struct tfe_sacks *k = c->tl.sacks;
		for (guint i = 0; k != NULL && i < k->len; i++) {
			const struct tfe_sack_rec *sr = &k->rec[i];

			if (sr->dir != peer)
				continue;
			for (int b = 0; b < sr->n; b++) {
				double l = tfe_conn_rel_seq(c, snd, sr->edge[b][0]);
				double rt = tfe_conn_rel_seq(c, snd, sr->edge[b][1]);
				if (l > 2147483648.0 || rt > 2147483648.0)
					continue; /* before the base: not drawn */
				if (rt > top)
					top = rt;
				if (pass == 0)
					continue;
				double x = gx(&a, sr->ts);
				double yl = gy(&a, l), yr = gy(&a, rt);
				g_string_append_printf(marks, "<g class=\"sack\" "
				                       "data-frame=\"%" PRIu64 "\" "
				                       "data-left=\"%.0f\" data-right=\""
				                       "%.0f\"><title>frame %" PRIu64
				                       ": SACK block %.0f-%.0f (ACK "
				                       "%.0f)</title><path d=\"M%.1f "
				                       "%.1f V%.1f M%.1f %.1f h8 M%.1f "
				                       "%.1f h8\"/></g>\n", sr->frame, l,
				                       rt, sr->frame, l, rt,
				                       (double)tfe_conn_rel_seq(c, snd,
				                                                sr->ack),
				                       x, yl, yr, x - 4, yl, x - 4, yr);
			}
		}
		if (pass == 1 && k != NULL && k->dropped > 0)
			g_string_append_printf(marks, "<text class=\"ax\" x=\"%d\" "
			                       "y=\"%d\" text-anchor=\"end\">SACK "
			                       "blocks of %" PRIu64 " later segments "
			                       "not drawn (the first %u are)</text>\n",
			                       G_W - G_R, G_T - 6, k->dropped,
			                       (unsigned)TFE_SACKS_MAX);
		if (pass == 0) {
			/* the data and the ACKs fill the height, with room
			 * above for the window edge when it is near */
			top = MAX(top, hi) * 1.25;
			a.v1 = top > 1 ? ceil(top) : 1;
		}
	}
	if (zw_from >= 0)
		g_string_append_printf(marks, "<rect class=\"zw\" x=\"%.1f\" y=\"%d\" "
		                       "width=\"%.1f\" height=\"%d\"><title>zero window "
		                       "advertised by the %s until the end</title>"
		                       "</rect>\n", gx(&a, zw_from), G_T,
		                       gx(&a, a.t1) - gx(&a, zw_from), G_H - G_T - G_B,
		                       side_names[peer]);

	char title[128];
	snprintf(title, sizeof title, "%s to %s: sequence numbers (relative) "
	         "against time, the %s&#39;s ACKs and window edge", side_names[snd],
	         side_names[peer], side_names[peer]);
	graph_open(g, snd == TFE_SIDE_CLIENT ? "tseq c2s" : "tseq s2c", &a, c,
	           title, "bytes");
	g_string_append(g, marks->str);
	if (ack->len)
		g_string_append_printf(g, "<path class=\"ack\" d=\"%s\"/>\n"
		                       "<path class=\"rwin\" d=\"%s\"/>\n",
		                       ack->str, edge->str);
	g_string_append(g, segs->str);
	g_string_append(g, "</svg>\n");
	g_string_free(segs, TRUE);
	g_string_free(ack, TRUE);
	g_string_free(edge, TRUE);
	g_string_free(marks, TRUE);
}

/* Each side's advertised window (scaled as the receiver reads it) against
 * time; a run shows its range. */
static void
window_graph(GString *g, const struct tfe_conn *c)
{
	struct axes a = { c->first_ts, c->last_ts, 0, 1 };
	guint n = drawn_rows(c);
	GString *line[2] = { g_string_new(NULL), g_string_new(NULL) };
	GString *runs = g_string_new(NULL);

	if (a.t1 <= a.t0)
		a.t1 = a.t0 + 1;
	for (guint i = 0; i < n; i++) {
		const struct tfe_row *r = &c->tl.rows[i];
		double w;

		if (r->kind == TFE_ROW_FRAME)
			w = tfe_conn_scaled_window(c, r->dir, r->win, r->flags);
		else if (r->kind == TFE_ROW_RUN)
			w = MAX(r->win_max[0] >= r->win_min[0] ?
			        tfe_conn_scaled_window(c, 0, r->win_max[0], 0) : 0,
			        r->win_max[1] >= r->win_min[1] ?
			        tfe_conn_scaled_window(c, 1, r->win_max[1], 0) : 0);
		else
			continue;
		if (w > a.v1)
			a.v1 = w;
	}
	for (guint i = 0; i < n; i++) {
		const struct tfe_row *r = &c->tl.rows[i];

		if (r->kind == TFE_ROW_FRAME) {
			double w = tfe_conn_scaled_window(c, r->dir, r->win, r->flags);
			step_to(line[r->dir], gx(&a, r->ts), gy(&a, w));
		} else if (r->kind == TFE_ROW_RUN) {
			for (int side = 0; side < 2; side++) {
				if (r->win_min[side] > r->win_max[side])
					continue;
				double lo = tfe_conn_scaled_window(c, side,
				                                   r->win_min[side], 0);
				double hi = tfe_conn_scaled_window(c, side,
				                                   r->win_max[side], 0);
				double x0 = gx(&a, r->ts), x1 = gx(&a, r->ts_last);
				g_string_append_printf(runs, "<rect class=\"wrun %s\" "
				                       "x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				                       "height=\"%.1f\"><title>frames %"
				                       PRIu64 "-%" PRIu64 ": %s window "
				                       "%.0f..%.0f</title></rect>\n",
				                       side_names[side], x0, gy(&a, hi) - 1,
				                       MAX(x1 - x0, 2.0),
				                       gy(&a, lo) - gy(&a, hi) + 2, r->frame,
				                       tfe_row_frame_last(r), side_names[side],
				                       lo, hi);
				step_to(line[side], x0, gy(&a, hi));
			}
		}
	}
	graph_open(g, "win", &a, c, "advertised window each way (bytes, as the "
	           "receiver scales it): client blue, server green", "bytes");
	g_string_append(g, runs->str);
	for (int side = 0; side < 2; side++) {
		if (line[side]->len)
			g_string_append_printf(g, "<path class=\"wl %s\" "
			                       "d=\"%s\"/>\n", side_names[side],
			                       line[side]->str);
		g_string_free(line[side], TRUE);
	}
	g_string_append(g, "</svg>\n");
	g_string_free(runs, TRUE);
}

/* ---- a connection's section ---------------------------------------- */

/* The ladder row that shows frame `f`: its own, or the run that folded
 * it; 0 when none does (then no link). */
static uint64_t
row_of_frame(const struct tfe_conn *c, uint64_t f)
{
	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = &c->tl.rows[i];

		if (r->kind == TFE_ROW_FRAME && r->frame == f)
			return f;
		if (r->kind == TFE_ROW_RUN && f >= r->frame &&
		    f <= tfe_row_frame_last(r))
			return r->frame;
	}
	return 0;
}

/* The sentence, escaped, each "frame N" in it a link to its row. */
static void
linked_sentence(GString *g, const struct tfe_conn *c, const char *msg)
{
	GString *e = g_string_new(NULL);
	const char *p;

	esc(e, msg);
	p = e->str;
	while (*p) {
		const char *m = strstr(p, "frame ");
		if (m == NULL || !g_ascii_isdigit(m[6])) {
			if (m == NULL) {
				g_string_append(g, p);
				break;
			}
			g_string_append_len(g, p, m + 6 - p);
			p = m + 6;
			continue;
		}
		char *end;
		uint64_t f = g_ascii_strtoull(m + 6, &end, 10);
		uint64_t row = row_of_frame(c, f);
		g_string_append_len(g, p, m - p);
		if (row != 0)
			g_string_append_printf(g, "<a href=\"#c%" PRIu64 "-f%" PRIu64
			                       "\">frame %" PRIu64 "</a>", c->id, row, f);
		else
			g_string_append_printf(g, "frame %" PRIu64, f);
		p = end;
	}
	g_string_free(e, TRUE);
}

static void
verdict_list(GString *g, const struct tfe_conn *c)
{
	if (c->verdicts == NULL || c->verdicts->len == 0) {
		g_string_append(g, "<p class=\"none\">No verdicts.</p>\n");
		return;
	}
	g_string_append(g, "<ul class=\"verdicts\">\n");
	for (guint i = 0; i < c->verdicts->len; i++) {
		const struct tfe_verdict *v =
			&g_array_index(c->verdicts, struct tfe_verdict, i);
		const struct tfe_verdict_def *d = &tfe_verdicts[v->kind];
		const char *sev = d->severity == TFE_SEV_WARNING ? "warning" : "info";

		g_string_append_printf(g, "<li class=\"verdict %s\" data-kind=\"%s\">"
		                       "<b>%s</b> <span class=\"sev\">%s</span>: ",
		                       sev, d->kind, d->kind, sev);
		linked_sentence(g, c, v->message ? v->message : d->title);
		if (v->nframes > 0) {
			g_string_append(g, " <span class=\"frames\">(frames");
			for (int k = 0; k < v->nframes; k++) {
				uint64_t row = row_of_frame(c, v->frames[k]);
				if (row != 0)
					g_string_append_printf(g, " <a href=\"#c%" PRIu64 "-f%"
					                       PRIu64 "\">%" PRIu64 "</a>",
					                       c->id, row, v->frames[k]);
				else
					g_string_append_printf(g, " %" PRIu64, v->frames[k]);
			}
			g_string_append(g, ")</span>");
		}
		g_string_append(g, "</li>\n");
	}
	g_string_append(g, "</ul>\n");
}

static GString *
section(const struct tfe_render_opts *o, const struct tfe_conn *c)
{
	GString *g = g_string_new(NULL);
	char *head = text_of(o, c, tfe_render_text_header);
	char *foot = text_of(o, c, tfe_render_text_footer);
	bool warn = has_warning(c);

	g_string_append_printf(g, "<section class=\"conn%s\" id=\"c%" PRIu64
	                       "\" data-id=\"%" PRIu64 "\">\n<h2>#%" PRIu64 " ",
	                       warn ? " warn" : "", c->id, c->id, c->id);
	endpoint(g, c, TFE_SIDE_CLIENT);
	g_string_append(g, " &#8594; ");
	endpoint(g, c, TFE_SIDE_SERVER);
	g_string_append_printf(g, " <small>%s%s</small> <a class=\"top\" "
	                       "href=\"#list\">list</a></h2>\n<pre class=\"facts\">",
	                       tfe_close_names[c->close_how],
	                       warn ? ", warning" : "");
	/* the title line is the heading: the facts line and what follows */
	const char *nl = strchr(head, '\n');
	esc(g, nl ? nl + 1 : head);
	g_string_append(g, "</pre>\n<h3>Ladder</h3>\n");
	if (drawn_rows(c) < tfe_timeline_len(&c->tl))
		g_string_append_printf(g, "<p class=\"note\">The first %u of its "
		                       "%u timeline rows are drawn; <code>--format "
		                       "text --conn %" PRIu64 "</code> prints them "
		                       "all.</p>\n", drawn_rows(c),
		                       tfe_timeline_len(&c->tl), c->id);
	ladder(g, o, c);
	g_string_append(g, "<h3>Sequence numbers</h3>\n");
	for (int side = 0; side < 2; side++)
		if (c->ep[side].pkts > 0)
			tseq_graph(g, c, side);
	g_string_append(g, "<h3>Windows</h3>\n");
	window_graph(g, c);
	g_string_append(g, "<h3>Verdicts</h3>\n");
	verdict_list(g, c);
	/* the text form's closing lines but its verdicts: the end line,
	 * and the folding note when there is one */
	g_string_append(g, "<pre class=\"end\">");
	for (char *line = foot, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (*line == '\0' || g_str_has_prefix(line, "   verdict "))
			continue;
		esc(g, g_strchug(line));
		g_string_append_c(g, '\n');
	}
	g_string_append(g, "</pre>\n</section>\n");
	free(head);
	free(foot);
	return g;
}

/* ---- gathering ------------------------------------------------------ */

struct drawn {
	uint64_t id;
	uint64_t key[2];       /* bytes both ways; duration (ns) */
	int refs;              /* lists that hold it */
	GString *html;
};

struct listed {
	uint64_t id;
	char *cells;           /* the row but its first cell */
};

struct tfe_html {
	int64_t draw;
	uint64_t conns;
	uint64_t not_listed;
	uint64_t warn_not_drawn;
	GPtrArray *kept;       /* struct drawn: warnings, or all */
	GPtrArray *top[2];     /* struct drawn, largest key first */
	GArray *rows;          /* struct listed */
};

static void
drawn_unref(struct drawn *d)
{
	if (--d->refs > 0)
		return;
	g_string_free(d->html, TRUE);
	g_free(d);
}

struct tfe_html *
tfe_html_new(int64_t draw)
{
	struct tfe_html *h = g_new0(struct tfe_html, 1);

	h->draw = draw;
	h->kept = g_ptr_array_new();
	h->top[0] = g_ptr_array_new();
	h->top[1] = g_ptr_array_new();
	h->rows = g_array_new(FALSE, FALSE, sizeof(struct listed));
	return h;
}

void
tfe_html_free(struct tfe_html *h)
{
	if (h == NULL)
		return;
	for (guint i = 0; i < h->kept->len; i++)
		drawn_unref(h->kept->pdata[i]);
	for (int k = 0; k < 2; k++) {
		for (guint i = 0; i < h->top[k]->len; i++)
			drawn_unref(h->top[k]->pdata[i]);
		g_ptr_array_free(h->top[k], TRUE);
	}
	g_ptr_array_free(h->kept, TRUE);
	for (guint i = 0; i < h->rows->len; i++)
		g_free(g_array_index(h->rows, struct listed, i).cells);
	g_array_free(h->rows, TRUE);
	g_free(h);
}

/* Whether `key` would enter list k. */
static bool
enters(const struct tfe_html *h, int k, uint64_t key)
{
	GPtrArray *l = h->top[k];

	if (h->draw <= 0)
		return false;
	if (l->len < (guint)h->draw)
		return true;
	return key > ((struct drawn *)l->pdata[l->len - 1])->key[k];
}

static void
insert_top(struct tfe_html *h, int k, struct drawn *d)
{
	GPtrArray *l = h->top[k];
	guint i = l->len;

	while (i > 0 && ((struct drawn *)l->pdata[i - 1])->key[k] < d->key[k])
		i--;
	g_ptr_array_insert(l, (gint)i, d);
	d->refs++;
	if (l->len > (guint)h->draw) {
		struct drawn *out = l->pdata[l->len - 1];
		g_ptr_array_remove_index(l, l->len - 1);
		drawn_unref(out);
	}
}

static void
list_row(struct tfe_html *h, const struct tfe_conn *c)
{
	GString *g = g_string_new(NULL);
	GString *kinds = g_string_new(NULL);
	bool warn = has_warning(c);
	char d[64];

	for (guint i = 0; c->verdicts && i < c->verdicts->len; i++) {
		const struct tfe_verdict *v =
			&g_array_index(c->verdicts, struct tfe_verdict, i);
		g_string_append_printf(kinds, "%s%s", kinds->len ? " " : "",
		                       tfe_verdicts[v->kind].kind);
	}
	g_string_append_printf(g, " data-kinds=\"%s\" data-states=\"%s %s\" "
	                       "class=\"%s\"><td class=\"ep\">", kinds->str,
	                       tfe_state_names[c->ep[0].state],
	                       tfe_state_names[c->ep[1].state],
	                       warn ? "warn" : "");
	endpoint(g, c, TFE_SIDE_CLIENT);
	g_string_append(g, "</td><td class=\"ep\">");
	endpoint(g, c, TFE_SIDE_SERVER);
	g_string_append_printf(g, "</td><td>%s</td><td>%s / %s</td><td>%s</td>"
	                       "<td class=\"n\">%" PRIu64 "</td><td>%s</td></tr>\n",
	                       tfe_close_names[c->close_how],
	                       tfe_state_names[c->ep[0].state],
	                       tfe_state_names[c->ep[1].state],
	                       tfe_format_duration(c->last_ts - c->first_ts,
	                                           c->timestamps_ns, d, sizeof d),
	                       c->ep[0].bytes + c->ep[1].bytes, kinds->str);
	struct listed l = { c->id, g_string_free(g, FALSE) };
	g_array_append_val(h->rows, l);
	g_string_free(kinds, TRUE);
}

void
tfe_html_add(struct tfe_html *h, const struct tfe_render_opts *o,
             const struct tfe_conn *c)
{
	uint64_t key[2] = { c->ep[0].bytes + c->ep[1].bytes,
	                    (uint64_t)(c->last_ts - c->first_ts) };
	bool warn = has_warning(c);
	struct drawn *d;

	h->conns++;
	if (h->rows->len < TFE_HTML_LIST_MAX)
		list_row(h, c);
	else
		h->not_listed++;
	if (h->draw == TFE_HTML_DRAW_ALL ||
	    (warn && h->kept->len < TFE_HTML_DRAW_WARN_MAX)) {
		d = g_new0(struct drawn, 1);
		d->id = c->id;
		d->refs = 1;
		d->html = section(o, c);
		g_ptr_array_add(h->kept, d);
		return;
	}
	if (warn) {
		/* past the bound of warnings: listed, and counted in the
		 * page's note, not drawn as one of the largest either */
		h->warn_not_drawn++;
		return;
	}
	bool in0 = enters(h, 0, key[0]), in1 = enters(h, 1, key[1]);
	if (!in0 && !in1)
		return;
	d = g_new0(struct drawn, 1);
	d->id = c->id;
	d->key[0] = key[0];
	d->key[1] = key[1];
	d->html = section(o, c);
	d->refs = 1;       /* held here until inserted */
	if (in0)
		insert_top(h, 0, d);
	if (in1)
		insert_top(h, 1, d);
	drawn_unref(d);
}

/* ---- the page ------------------------------------------------------- */

static const char css[] =
"body{font:14px/1.4 system-ui,sans-serif;margin:0 1.5em 3em;color:#222}"
"h1{font-size:1.5em}h2{font-size:1.2em;border-top:2px solid #888;"
"padding-top:.6em;margin-top:2em}h3{font-size:1em;margin:.8em 0 .3em}"
"table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ccc;"
"padding:2px 6px;text-align:left;vertical-align:top}td.n{text-align:right}"
"tr.warn td{background:#fff1f0}pre{background:#f6f6f6;padding:.4em;"
"white-space:pre-wrap}.warning{color:#b00}.info{color:#246}"
"li.verdict{margin:.2em 0}.sev{font-size:.85em}small{color:#555}"
"a.top{font-size:.7em;margin-left:1em}#filters input,#filters select"
"{margin-right:1em}.note{background:#fffbe6;border:1px solid #e0c060;"
"padding:.4em}#tfe-errors:empty{display:none}"
"svg{display:block;margin:.3em 0;font:11px monospace;max-width:100%;"
"height:auto}svg .head{font-weight:bold}svg .life{stroke:#888;"
"stroke-width:1}svg line.arrow{stroke:#124;stroke-width:1.3}"
"svg line.arrow.retrans{stroke:#c60}svg line.arrow.rst{stroke:#b00}"
"svg line.arrow.lost{stroke:#b00;stroke-dasharray:5 3}"
"svg path.x{stroke:#b00;stroke-width:2;fill:none}svg .nr{fill:#b00}"
"svg .lbl{fill:#124}svg .run{fill:#666;font-style:italic}"
"svg .runline{stroke:#fff;stroke-width:3;stroke-dasharray:2 3}"
"svg .timer{fill:#555;font-style:italic}svg .fold text{fill:#666}"
"svg .fold path{stroke:#666;fill:none}"
"svg .st{font-weight:bold;fill:#333}svg .st.far{font-style:italic}"
".legend{font-size:.85em;color:#555}svg .fr,svg .tm{fill:#555}"
"svg rect.hl{fill:transparent}svg g.row:target rect.hl{fill:#ffe98a}"
"svg rect.band{fill:#ccc;stroke:#fff}"
".st-CLOSED{fill:#bbb!important}.st-LISTEN{fill:#9ab!important}"
".st-SYN_SENT,.st-SYN_RECEIVED{fill:#fc6!important}"
".st-ESTABLISHED{fill:#5b5!important}"
".st-FIN_WAIT_1,.st-FIN_WAIT_2,.st-CLOSING{fill:#6ae!important}"
".st-CLOSE_WAIT,.st-LAST_ACK{fill:#c8f!important}"
".st-TIME_WAIT{fill:#f86!important}"
"svg .axis{stroke:#444;fill:none}svg .ax{fill:#444}"
"svg.tseq line.seg{stroke:#124;stroke-width:2}svg.tseq line.ctl{stroke:#070;"
"stroke-width:3}svg.tseq line.retrans{stroke:#d00;stroke-width:3}"
"svg.tseq line.ka{stroke:#e80;stroke-width:3}svg.tseq line.zwp{stroke:#90c;"
"stroke-width:3}svg.tseq line.runseg{stroke:#124;stroke-width:2;"
"stroke-dasharray:4 2}svg path.ack{stroke:#080;fill:none}"
"svg path.rwin{stroke:#cc0;fill:none;stroke-dasharray:3 2}"
"svg g.sack path{stroke:#90c;stroke-width:2;fill:none}svg rect.zw{fill:#fcc;opacity:.6}"
"svg path.wl{fill:none;stroke-width:1.5}svg path.client{stroke:#36c}"
"svg path.server{stroke:#393}svg rect.wrun{opacity:.3}"
"svg rect.client{fill:#36c}svg rect.server{fill:#393}";

/* The list's filter: plain DOM, no library; errors it meets are written
 * into the page (#tfe-errors), where a test looks for them. */
static const char script[] =
"(function(){\n"
"var errs=document.getElementById('tfe-errors');\n"
"window.addEventListener('error',function(e){errs.textContent+="
"'error: '+e.message+'\\n';});\n"
"var k=document.getElementById('f-kind'),s=document.getElementById"
"('f-state'),a=document.getElementById('f-addr');\n"
"function apply(){var rows=document.querySelectorAll('#list tbody tr');\n"
"var n=0;for(var i=0;i<rows.length;i++){var r=rows[i];\n"
"var ok=(!k.value||(' '+r.getAttribute('data-kinds')+' ').indexOf(' '+"
"k.value+' ')>=0)&&(!s.value||(' '+r.getAttribute('data-states')+' ')"
".indexOf(' '+s.value+' ')>=0)&&(!a.value||r.textContent.indexOf(a.value)"
">=0);\n"
"r.style.display=ok?'':'none';if(ok)n++;}\n"
"document.getElementById('f-count').textContent=n+' shown';}\n"
"k.addEventListener('change',apply);s.addEventListener('change',apply);\n"
"a.addEventListener('input',apply);apply();\n"
"document.body.setAttribute('data-ready','1');\n"
"})();\n";

/* A capture file by its name without the folders (the page may travel
 * where they mean nothing), "standard input" for -. */
static void
file_name(GString *g, const char *path)
{
	char *base;

	if (strcmp(path, "-") == 0) {
		g_string_append(g, "standard input");
		return;
	}
	base = g_path_get_basename(path);
	esc(g, base);
	g_free(base);
}

static gint
by_id(gconstpointer pa, gconstpointer pb)
{
	const struct drawn *a = *(struct drawn *const *)pa;
	const struct drawn *b = *(struct drawn *const *)pb;

	return a->id < b->id ? -1 : a->id > b->id;
}

static void
overview(GString *g, const struct tfe_render_opts *o,
         const struct tfe_html_input *in, const struct tfe_stats *s,
         struct tfe_picture *p)
{
	char *buf = NULL;
	size_t len = 0;
	struct tfe_render_opts t = *o;

	g_string_append(g, "<section id=\"overview\">\n<h2>Capture</h2>\n<p>");
	if (in->iface != NULL) {
		g_string_append(g, "Live on interface <code>");
		esc(g, in->iface);
		g_string_append(g, "</code>");
	} else {
		g_string_append(g, "File");
		if (in->nfiles != 1)
			g_string_append_c(g, 's');
		for (unsigned i = 0; i < in->nfiles; i++) {
			g_string_append(g, i ? ", <code>" : " <code>");
			file_name(g, in->files[i]);
			g_string_append(g, "</code>");
		}
	}
	if (in->filter != NULL) {
		g_string_append(g, "; filter <code>");
		esc(g, in->filter);
		g_string_append(g, "</code>");
	}
	g_string_append(g, ".</p>\n");
	/* the text form's summary, whole: packets, what was skipped, span,
	 * endings, capture points, final states, verdicts */
	t.color = false;
	t.out = open_memstream(&buf, &len);
	if (t.out != NULL) {
		tfe_render_text_summary(&t, s);
		fclose(t.out);
		g_string_append(g, "<pre class=\"summary\">");
		esc(g, buf);
		g_string_append(g, "</pre>\n");
		free(buf);
	}

	g_string_append_printf(g, "<h2>Endings</h2>\n<table class=\"endings\">"
	                       "<tr><th>how</th><th>connections</th></tr>\n");
	for (int h = 0; h < TFE_CLOSE__COUNT; h++)
		if (s->by_close[h] > 0)
			g_string_append_printf(g, "<tr><td>%s</td><td class=\"n\">%"
			                       PRIu64 "</td></tr>\n", tfe_close_names[h],
			                       s->by_close[h]);
	g_string_append(g, "</table>\n<h2>Verdicts</h2>\n<table class=\"kinds\">"
	                "<tr><th>kind</th><th>severity</th><th>connections</th>"
	                "<th>what</th></tr>\n");
	for (int k = 0; k < TFE_V__COUNT; k++) {
		if (s->by_verdict[k] == 0)
			continue;
		const char *sev = tfe_verdicts[k].severity == TFE_SEV_WARNING ?
		                  "warning" : "info";
		g_string_append_printf(g, "<tr class=\"%s\"><td>%s</td><td>%s</td>"
		                       "<td class=\"n\">%" PRIu64 "</td><td>", sev,
		                       tfe_verdicts[k].kind, sev, s->by_verdict[k]);
		esc(g, tfe_verdicts[k].title);
		g_string_append(g, "</td></tr>\n");
	}
	g_string_append(g, "</table>\n");

	GPtrArray *servers = tfe_picture_servers(p);
	g_string_append(g, "<h2>Servers</h2>\n<table class=\"servers\"><tr>"
	                "<th>server</th><th>connections</th><th>endings</th>"
	                "<th>verdicts</th><th>handshake RTT median / p99</th>"
	                "</tr>\n");
	for (guint i = 0; i < servers->len && i < TFE_HTML_LIST_MAX; i++) {
		const struct tfe_server_row *r = servers->pdata[i];
		char ep[TFE_ADDR_STRLEN];
		const char *sep = "";

		tfe_endpoint_format(r->family, r->addr, r->port, ep, sizeof ep);
		g_string_append(g, "<tr><td>");
		esc(g, ep);
		g_string_append_printf(g, "</td><td class=\"n\">%" PRIu64 "</td><td>",
		                       r->connections);
		for (int k = 0; k < TFE_CLOSE__COUNT; k++)
			if (r->by_close[k] > 0) {
				g_string_append_printf(g, "%s%s %" PRIu64, sep,
				                       tfe_close_names[k], r->by_close[k]);
				sep = ", ";
			}
		g_string_append(g, "</td><td>");
		sep = "";
		for (int k = 0; k < TFE_V__COUNT; k++)
			if (r->by_verdict[k] > 0) {
				g_string_append_printf(g, "%s%s %" PRIu64, sep,
				                       tfe_verdicts[k].kind, r->by_verdict[k]);
				sep = ", ";
			}
		g_string_append(g, "</td><td>");
		if (r->has_rtt)
			g_string_append_printf(g, "%.3f ms / %.3f ms",
			                       (double)r->rtt_median / 1e6,
			                       (double)r->rtt_p99 / 1e6);
		g_string_append(g, "</td></tr>\n");
	}
	if (servers->len > TFE_HTML_LIST_MAX)
		g_string_append_printf(g, "<tr><td colspan=\"5\">and %u more</td>"
		                       "</tr>\n", servers->len - TFE_HTML_LIST_MAX);
	g_string_append(g, "</table>\n</section>\n");
	g_ptr_array_free(servers, TRUE);
}

void
tfe_html_page(struct tfe_html *h, const struct tfe_render_opts *o,
              const struct tfe_html_input *in, const struct tfe_stats *s,
              struct tfe_picture *p)
{
	GString *g = g_string_new(NULL);
	GPtrArray *all = g_ptr_array_new();
	GHashTable *drawn = g_hash_table_new(g_int64_hash, g_int64_equal);

	/* what is drawn, in the order of the connections */
	for (guint i = 0; i < h->kept->len; i++)
		g_ptr_array_add(all, h->kept->pdata[i]);
	for (int k = 0; k < 2; k++)
		for (guint i = 0; i < h->top[k]->len; i++) {
			struct drawn *d = h->top[k]->pdata[i];
			if (!g_hash_table_contains(drawn, &d->id)) {
				g_hash_table_add(drawn, &d->id);
				g_ptr_array_add(all, d);
			}
		}
	for (guint i = 0; i < h->kept->len; i++)
		g_hash_table_add(drawn, &((struct drawn *)h->kept->pdata[i])->id);
	g_ptr_array_sort(all, by_id);

	g_string_append(g, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	                "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	                "content=\"width=device-width\">\n<meta http-equiv=\""
	                "Content-Security-Policy\" content=\"default-src 'none'; "
	                "style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
	                "img-src data:\">\n<title>tcpflow-explain: ");
	if (in->iface != NULL)
		esc(g, in->iface);
	for (unsigned i = 0; i < in->nfiles; i++) {
		if (i)
			g_string_append(g, ", ");
		file_name(g, in->files[i]);
	}
	g_string_append_printf(g, "</title>\n<style>%s</style>\n</head>\n<body>\n"
	                       "<svg width=\"0\" height=\"0\" style=\"position:"
	                       "absolute\" aria-hidden=\"true\"><defs><marker "
	                       "id=\"tfe-ah\" viewBox=\"0 0 10 10\" refX=\"9\" "
	                       "refY=\"5\" markerWidth=\"9\" markerHeight=\"9\" "
	                       "markerUnits=\"userSpaceOnUse\" "
	                       "orient=\"auto-start-reverse\"><path d=\"M0 0 L10 5 "
	                       "L0 10 z\" fill=\"#124\"/></marker></defs></svg>\n"
	                       "<h1>TCP connections explained</h1>\n"
	                       "<pre id=\"tfe-errors\"></pre>\n", css);
	overview(g, o, in, s, p);

	/* the list */
	g_string_append(g, "<section id=\"list\">\n<h2>Connections</h2>\n");
	if (in->conn_only != 0 && h->conns == 0)
		g_string_append_printf(g, "<p class=\"note\">No connection numbered "
		                       "%" PRIu64 " in this capture.</p>\n",
		                       in->conn_only);
	uint64_t not_drawn = h->conns - all->len;
	if (not_drawn > 0) {
		g_string_append_printf(g, "<p class=\"note\">%" PRIu64 " of %" PRIu64
		                       " connections are drawn: ", (uint64_t)all->len,
		                       h->conns);
		if (h->draw > 0)
			g_string_append_printf(g, "those with a warning and the %"
			                       PRId64 " largest and %" PRId64 " longest "
			                       "of the others", h->draw, h->draw);
		else
			g_string_append(g, "those with a warning");
		if (h->warn_not_drawn > 0)
			g_string_append_printf(g, " (the first %d with a warning; %"
			                       PRIu64 " more with a warning are not "
			                       "drawn)", TFE_HTML_DRAW_WARN_MAX,
			                       h->warn_not_drawn);
		g_string_append(g, ".  To draw another, run again with <code>"
		                "--conn N</code> (its number), a BPF filter that "
		                "selects it, or <code>--draw all</code> on a small "
		                "capture.</p>\n");
	}
	if (h->not_listed > 0)
		g_string_append_printf(g, "<p class=\"note\">The list shows the first "
		                       "%d connections; %" PRIu64 " more are counted "
		                       "in the summary only (narrow the capture with "
		                       "a BPF filter).</p>\n", TFE_HTML_LIST_MAX,
		                       h->not_listed);
	g_string_append(g, "<p id=\"filters\">verdict <select id=\"f-kind\">"
	                "<option value=\"\">any</option>");
	for (int k = 0; k < TFE_V__COUNT; k++)
		if (s->by_verdict[k] > 0)
			g_string_append_printf(g, "<option>%s</option>",
			                       tfe_verdicts[k].kind);
	g_string_append(g, "</select>state <select id=\"f-state\"><option "
	                "value=\"\">any</option>");
	for (int st = 0; st < TFE_ST__COUNT; st++)
		if (s->final_state[0][st] + s->final_state[1][st] > 0)
			g_string_append_printf(g, "<option>%s</option>",
			                       tfe_state_names[st]);
	g_string_append(g, "</select>address <input id=\"f-addr\" size=\"24\" "
	                "placeholder=\"10.0.0.1:80\"> <span id=\"f-count\">"
	                "</span></p>\n<table class=\"conns\"><thead><tr><th>#</th>"
	                "<th>client</th><th>server</th><th>ending</th>"
	                "<th>final states</th><th>duration</th><th>bytes</th>"
	                "<th>verdicts</th></tr></thead>\n<tbody>\n");
	for (guint i = 0; i < h->rows->len; i++) {
		const struct listed *l = &g_array_index(h->rows, struct listed, i);
		/* the stored row: the <tr>'s attributes up to its first
		 * '>' (names of kinds and states only), then the cells but
		 * the first, which links to the section when there is one */
		const char *rest = strchr(l->cells, '>');
		g_string_append_printf(g, "<tr id=\"l%" PRIu64 "\"", l->id);
		g_string_append_len(g, l->cells, rest - l->cells);
		if (g_hash_table_contains(drawn, &l->id))
			g_string_append_printf(g, "><td><a href=\"#c%" PRIu64 "\">#%"
			                       PRIu64 "</a></td>", l->id, l->id);
		else
			g_string_append_printf(g, "><td>#%" PRIu64 "</td>", l->id);
		g_string_append(g, rest + 1);
	}
	g_string_append(g, "</tbody></table>\n</section>\n");
	for (guint i = 0; i < all->len; i++)
		g_string_append(g, ((struct drawn *)all->pdata[i])->html->str);
	g_string_append_printf(g, "<script>%s</script>\n</body>\n</html>\n",
	                       script);
	fwrite(g->str, 1, g->len, o->out);
	g_string_free(g, TRUE);
	g_ptr_array_free(all, TRUE);
	g_hash_table_destroy(drawn);
}
