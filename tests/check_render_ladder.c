/*
 * check_render_ladder.c: the sequence diagram (--format ladder).
 *
 * - Name table: every output form has a name, all different.
 * - Rows: each timeline row of a connection is one diagram line, in
 *   order, with its frame (or range, or "-") and time; frame rows are
 *   arrows the right way round, runs are not arrows.
 * - States: a state shows in its own side's column on the row where the
 *   row records the change, and nowhere else.
 * - A receipt the analysis disproved (the lost final ACK) is an arrow
 *   with an "x" for a head and "(not recvd)" in the receiver's column.
 * - Width: the diagram lines (not the title) fit TFE_LADDER_WIDTH columns even when a
 *   segment carries every flag, every option and huge numbers; what was
 *   cut says "...".
 */
#include <check.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conn.h"
#include "render.h"
#include "testutil.h"
#include "verdict.h"

#define C TFE_SIDE_CLIENT
#define S TFE_SIDE_SERVER
#define MS INT64_C(1000000)
#define T0 (INT64_C(1700000000) * TFE_NS_PER_SEC)

struct lseg {
	int from;
	uint16_t flags;
	uint32_t seq, ack, len;
	int64_t ns;       /* time from T0 */
	uint8_t opts;     /* TFE_OPT_* to put on it, with large values */
};

#define SA (TFE_TH_SYN | TFE_TH_ACK)
#define A TFE_TH_ACK
#define PA (TFE_TH_PSH | TFE_TH_ACK)
#define FA (TFE_TH_FIN | TFE_TH_ACK)
#define ALL_OPTS (TFE_OPT_MSS | TFE_OPT_WSCALE | TFE_OPT_SACKOK | \
                  TFE_OPT_SACK | TFE_OPT_TS | TFE_OPT_TFO | TFE_OPT_OTHER)

/* The four-way close with the client's last ACK lost (doc/states.md): the
 * server re-sends its FIN, TIME_WAIT answers it again. */
static const struct lseg lost_final_ack[] = {
	{ C, TFE_TH_SYN, 1000, 0, 0, 0, TFE_OPT_MSS },
	{ S, SA, 5000, 1001, 0, 10 * MS, TFE_OPT_MSS },
	{ C, A, 1001, 5001, 0, 20 * MS, 0 },
	{ C, PA, 1001, 5001, 100, 30 * MS, 0 },
	{ S, A, 5001, 1101, 0, 40 * MS, 0 },
	{ C, FA, 1101, 5001, 0, 50 * MS, 0 },
	{ S, A, 5001, 1102, 0, 60 * MS, 0 },
	{ S, FA, 5001, 1102, 0, 70 * MS, 0 },
	{ C, A, 1102, 5002, 0, 71 * MS, 0 },     /* frame 9: lost */
	{ S, FA, 5001, 1102, 0, 270 * MS, 0 },   /* frame 10: FIN again */
	{ C, A, 1102, 5002, 0, 271 * MS, 0 },
};

/* Everything at once on one segment: all flags, all options, numbers as
 * wide as they get. */
static const struct lseg crowded[] = {
	{ C, TFE_TH_SYN, 4000000000u, 0, 0, 0, ALL_OPTS },
	{ S, SA, 3000000000u, 4000000001u, 0, 10 * MS, ALL_OPTS },
	{ C, A, 4000000001u, 3000000001u, 0, 20 * MS, ALL_OPTS },
	{ C, 0x1ff, 4000000001u, 3000000001u, 65535, 30 * MS, ALL_OPTS },
};

static struct tfe_conn *
build(const struct lseg *segs, size_t n)
{
	struct tfe_config cfg;
	struct tfe_conn *c = NULL;

	tfe_config_defaults(&cfg);
	for (size_t i = 0; i < n; i++) {
		struct tfe_segment s = tfe_test_segment(segs[i].from == C,
			segs[i].flags, segs[i].seq, segs[i].ack, segs[i].len,
			65535, 64, (uint16_t)(100 + i));
		bool from_lo = segs[i].from == C;

		s.opt_mask = segs[i].opts;
		s.mss = 65535;
		s.wscale = 14;
		s.sack_count = 4;
		s.ts_val = 4294967295u;
		s.ts_ecr = 4294967295u;
		tfe_test_feed(&c, &s, from_lo, i + 1, T0 + segs[i].ns, &cfg);
	}
	tfe_conn_finish(c, TFE_END_CLOSED, &cfg);
	c->verdicts = tfe_verdicts_new();
	return c;
}

/* The diagram's lines: from the column heads to the first line after the
 * diagram (a verdict or the end line), split. */
static char **
render(const struct tfe_conn *c)
{
	struct tfe_config cfg;
	struct tfe_render_opts o;
	char *buf = NULL;
	size_t len = 0;

	tfe_config_defaults(&cfg);
	memset(&o, 0, sizeof o);
	o.format = TFE_FMT_LADDER;
	o.cfg = &cfg;
	o.out = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(o.out);
	tfe_render_ladder_conn(&o, c);
	fclose(o.out);
	char *end = strstr(buf, "\n   end: ");
	ck_assert_ptr_nonnull(end);
	char *v = strstr(buf, "\n   verdict ");
	if (v != NULL && v < end)
		end = v;
	*end = '\0';
	char **lines = g_strsplit(buf, "\n", -1);
	free(buf);
	return lines;
}

/* The diagram line of each timeline row: it starts, after three blanks,
 * with the frame, a range or "-", then the time. */
static bool
is_row(const char *l)
{
	return strncmp(l, "   ", 3) == 0 && l[3] != ' ' && strstr(l, " +") != NULL;
}

START_TEST(test_format_names)
{
	for (int f = 0; f < TFE_FMT__COUNT; f++) {
		ck_assert_ptr_nonnull(tfe_format_names[f]);
		for (int g = 0; g < f; g++)
			ck_assert_str_ne(tfe_format_names[f], tfe_format_names[g]);
	}
	ck_assert_str_eq(tfe_format_names[TFE_FMT_LADDER], "ladder");
}
END_TEST

/* The HTML page's escaping (render_html.c): the five characters of
 * markup become references, invalid UTF-8 becomes U+FFFD, control
 * characters but tab and newline go, and valid UTF-8 stays as it is. */
START_TEST(test_html_escape)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain 10.0.0.1:80", "plain 10.0.0.1:80" },
		{ "<script>&\"'", "&lt;script&gt;&amp;&quot;&#39;" },
		{ "a\xff" "b", "a\xef\xbf\xbd" "b" },
		{ "\xc3", "\xef\xbf\xbd" },           /* cut short */
		{ "x\x01y\x7f\tz\n", "xy\tz\n" },
		{ "\xc2\x85", "" },                    /* C1 control */
		{ "caf\xc3\xa9 \xe2\x86\x92", "caf\xc3\xa9 \xe2\x86\x92" },
		{ "", "" },
	};

	ck_assert_str_eq(tfe_format_names[TFE_FMT_HTML], "html");
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		GString *g = g_string_new(NULL);
		tfe_html_escape(g, cases[i].in);
		ck_assert_msg(strcmp(g->str, cases[i].out) == 0,
		              "case %zu: got '%s'", i, g->str);
		g_string_free(g, TRUE);
	}
}
END_TEST

/* Where the lifelines are: the client's is the first '|' or ':', the
 * server's the last one before the server's column. */
static void
lifelines(const char *l, const char **left, const char **right)
{
	*left = strpbrk(l, "|:");
	ck_assert_ptr_nonnull(*left);
	*right = strrchr(l, **left);
	ck_assert_ptr_ne(*left, *right);
}

static void
trimmed(const char *from, const char *to, char *out, size_t n)
{
	while (from < to && *from == ' ')
		from++;
	while (to > from && to[-1] == ' ')
		to--;
	snprintf(out, n, "%.*s", (int)(to - from), from);
}

START_TEST(test_rows_and_states)
{
	struct tfe_conn *c = build(lost_final_ack, G_N_ELEMENTS(lost_final_ack));
	char **lines = render(c);
	guint row = 0, nrows = tfe_timeline_len(&c->tl);
	uint8_t before[2] = { c->init_state[0], c->init_state[1] };

	ck_assert_uint_gt(nrows, 5);
	for (char **l = lines; *l; l++) {
		if (!is_row(*l))
			continue;
		ck_assert_msg(row < nrows, "more rows than the timeline: %s", *l);
		const struct tfe_row *r = tfe_timeline_row(&c->tl, row);
		char want[48], cell[32];
		const char *left, *right;

		if (r->kind == TFE_ROW_TIMER)
			snprintf(want, sizeof want, "   - ");
		else if (r->kind == TFE_ROW_RUN && r->count > 1)
			snprintf(want, sizeof want, "   %" PRIu64 "-%" PRIu64 " ",
			         r->frame, tfe_row_frame_last(r));
		else
			snprintf(want, sizeof want, "   %" PRIu64 " ", r->frame);
		ck_assert_msg(strncmp(*l, want, strlen(want)) == 0,
		              "row %u is not '%s': %s", row, want, *l);
		lifelines(*l, &left, &right);
		if (r->kind == TFE_ROW_FRAME && r->dir == TFE_DIR_C2S)
			ck_assert_msg(left[1] == '-' && (right[-1] == '>' ||
			              right[-1] == 'x'), "not ->: %s", *l);
		else if (r->kind == TFE_ROW_FRAME)
			ck_assert_msg((left[1] == '<' || left[1] == 'x') &&
			              right[-1] == '-', "not <-: %s", *l);
		else
			ck_assert_msg(strstr(*l, "->") == NULL &&
			              strstr(*l, "<-") == NULL, "an arrow: %s", *l);
		/* the client's column: what is left of its lifeline after the
		 * time; the server's: what is right of its lifeline */
		const char *t = strstr(*l, " +");
		t = strchr(t + 2, ' ');
		for (int side = 0; side < 2; side++) {
			if (side == C)
				trimmed(t, left, cell, sizeof cell);
			else
				trimmed(right + 1, right + strlen(right), cell,
				        sizeof cell);
			bool shown = r->kind == TFE_ROW_TIMER ? r->dir == side :
			             r->state[side] != before[side];
			if (shown)
				ck_assert_msg(strcmp(cell,
				              tfe_state_names[r->state[side]]) == 0,
				              "row %u: %s column '%s', want %s", row,
				              side ? "server" : "client", cell,
				              tfe_state_names[r->state[side]]);
			else
				ck_assert_msg(cell[0] == '\0' ||
				              strcmp(cell, "(not recvd)") == 0,
				              "row %u: %s column '%s', want nothing",
				              row, side ? "server" : "client", cell);
		}
		before[0] = r->state[0];
		before[1] = r->state[1];
		row++;
	}
	ck_assert_uint_eq(row, nrows);
	g_strfreev(lines);
	tfe_test_conn_free(c);
}
END_TEST

START_TEST(test_lost_ack)
{
	struct tfe_conn *c = build(lost_final_ack, G_N_ELEMENTS(lost_final_ack));
	char **lines = render(c);
	int lost = 0;

	for (char **l = lines; *l; l++) {
		if (strncmp(*l, "   9 ", 5) == 0) {
			ck_assert_msg(strstr(*l, "x| (not recvd)") != NULL,
			              "frame 9 not drawn as lost: %s", *l);
			ck_assert_msg(strstr(l[1], "^ server: ") != NULL,
			              "no note under frame 9: %s", l[1]);
			lost++;
		} else {
			ck_assert_msg(strstr(*l, "(not recvd)") == NULL &&
			              strstr(*l, "x|") == NULL && strstr(*l, "|x") == NULL,
			              "only frame 9 was lost: %s", *l);
		}
	}
	ck_assert_int_eq(lost, 1);
	g_strfreev(lines);
	tfe_test_conn_free(c);
}
END_TEST

START_TEST(test_width)
{
	for (int nanos = 0; nanos < 2; nanos++) {
		struct tfe_conn *c = build(crowded, G_N_ELEMENTS(crowded));
		c->timestamps_ns = nanos;
		char **lines = render(c);
		int rows = 0, cut = 0;

		/* the title line is the text form's, not the diagram */
		for (char **l = lines + 1; *l; l++) {
			ck_assert_msg(strlen(*l) <= TFE_LADDER_WIDTH,
			              "%zu columns: %s", strlen(*l), *l);
			if (!is_row(*l))
				continue;
			rows++;
			if (strstr(*l, "...") != NULL)
				cut++;
		}
		ck_assert_int_eq(rows, (int)tfe_timeline_len(&c->tl));
		ck_assert_int_eq(cut, 4);
		/* the last frame: every flag in words, first */
		ck_assert_ptr_nonnull(strstr(lines[0], "client"));
		bool found = false;
		for (char **l = lines; *l; l++)
			if (strncmp(*l, "   4 ", 5) == 0) {
				ck_assert_msg(strstr(*l, "|-- SYN+FIN+RST+PSH+URG+ECE+"
				              "CWR+ACK seq=") != NULL, "%s", *l);
				found = true;
			}
		ck_assert(found);
		g_strfreev(lines);
		tfe_test_conn_free(c);
	}
}
END_TEST

static Suite *
render_ladder_suite(void)
{
	Suite *s = suite_create("render_ladder");
	TCase *tc = tcase_create("ladder");

	tcase_add_test(tc, test_format_names);
	tcase_add_test(tc, test_html_escape);
	tcase_add_test(tc, test_rows_and_states);
	tcase_add_test(tc, test_lost_ack);
	tcase_add_test(tc, test_width);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tfe_test_main(render_ladder_suite());
}
