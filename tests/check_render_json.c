/*
 * check_render_json.c: the JSON Lines renderer.
 *
 * - Strings: every byte a string could hold, invalid UTF-8 and the
 *   characters JSON must escape come out as one valid JSON string whose
 *   value is the input made valid (U+FFFD for each bad sequence).
 * - Name tables: every decode outcome and every frame note has a JSON
 *   name, and the names used as object keys need no escaping.
 * - Connections: --events gives one event per timeline row, of the right
 *   type and with the row's numbers; without it there is no "events"; a
 *   verdict message with hostile bytes still gives a valid line; times keep
 *   their exact decimal digits.
 *
 * Lines are read back with json-glib's parser; the shell tests read them
 * again with Python's strict parser and the JSON Schema.
 */
#include <check.h>
#include <json-glib/json-glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conn.h"
#include "render.h"
#include "testutil.h"
#include "verdict.h"

/* -- strings ------------------------------------------------------------- */

struct scase {
	const char *name;
	const char *in;
	const char *want;   /* the value read back; NULL: the input itself */
};

static const struct scase scases[] = {
	{ "empty", "", NULL },
	{ "plain ASCII", "client 10.0.0.1:40000", NULL },
	{ "quote and backslash", "say \"hi\" \\ bye \\\"", NULL },
	{ "slash", "a/b</script>", NULL },
	{ "C0 controls", "\x01\x02\x07\b\t\n\v\f\r\x0e\x1b", NULL },
	{ "U+001F, which json-glib 1.6 leaves raw", "a\x1f" "b\x1f\x1f", NULL },
	{ "DEL", "x\x7fy", NULL },
	{ "two-byte UTF-8", "caf\xc3\xa9", NULL },
	{ "three-byte UTF-8 and U+2028", "\xe2\x82\xac \xe2\x80\xa8", NULL },
	{ "four-byte UTF-8", "\xf0\x9f\x98\x80", NULL },
	{ "a lone 0xff", "a\xff" "b", "a\xef\xbf\xbd" "b" },
	{ "a lone continuation byte", "\x80", "\xef\xbf\xbd" },
	{ "an overlong NUL", "\xc0\x80", "\xef\xbf\xbd\xef\xbf\xbd" },
	{ "a cut three-byte sequence at the end", "ok\xe2\x82",
	  "ok\xef\xbf\xbd\xef\xbf\xbd" },
	/* the expected value is g_utf8_make_valid()'s, worked out by the
	 * test: one U+FFFD per byte it cannot use */
	{ "a UTF-16 surrogate in UTF-8", "\xed\xa0\x80", NULL },
	{ "Latin-1 text", "gr\xfc\xdf", NULL },
};

/* Parses `json` (one JSON value) with json-glib; returns the string it
 * holds, or NULL when it is not one valid string. */
static char *
parse_string(const char *json)
{
	JsonParser *p = json_parser_new();
	GError *err = NULL;
	char *out = NULL;

	if (json_parser_load_from_data(p, json, -1, &err)) {
		JsonNode *root = json_parser_get_root(p);
		if (root && JSON_NODE_HOLDS_VALUE(root) &&
		    json_node_get_value_type(root) == G_TYPE_STRING)
			out = g_strdup(json_node_get_string(root));
	} else {
		g_error_free(err);
	}
	g_object_unref(p);
	return out;
}

/* What JSON requires of a string token, checked on the bytes. */
static void
assert_json_string_token(const char *name, const GString *g)
{
	ck_assert_msg(g->len >= 2 && g->str[0] == '"' && g->str[g->len - 1] == '"',
	              "%s: not quoted: %s", name, g->str);
	ck_assert_msg(g_utf8_validate(g->str, (gssize)g->len, NULL),
	              "%s: output is not valid UTF-8", name);
	for (gsize i = 0; i < g->len; i++)
		ck_assert_msg((unsigned char)g->str[i] >= 0x20,
		              "%s: raw control byte 0x%02x at %zu", name,
		              (unsigned char)g->str[i], i);
	/* Every quote inside is escaped: an odd run of backslashes
	 * before it. */
	for (gsize i = 1; i + 1 < g->len; i++) {
		gsize bs = 0;
		if (g->str[i] != '"')
			continue;
		while (bs < i && g->str[i - 1 - bs] == '\\')
			bs++;
		ck_assert_msg(bs % 2 == 1, "%s: bare quote at %zu", name, i);
	}
}

START_TEST(test_string_case)
{
	const struct scase *sc = &scases[_i];
	GString *g = g_string_new("");
	char *want = sc->want ? g_strdup(sc->want)
	                      : g_utf8_make_valid(sc->in, -1);

	tfe_json_append_string(g, sc->in);
	assert_json_string_token(sc->name, g);
	char *back = parse_string(g->str);
	ck_assert_msg(back != NULL, "%s: json-glib cannot read %s", sc->name,
	              g->str);
	ck_assert_msg(strcmp(back, want) == 0, "%s: read back differs",
	              sc->name);
	g_free(back);
	g_free(want);
	g_string_free(g, TRUE);
}
END_TEST

/* Every byte from 1 to 255, alone and all together, and appended after
 * text already in the buffer (the escaping must not touch it). */
START_TEST(test_every_byte)
{
	char all[256];

	for (int b = 1; b < 256; b++) {
		char in[2] = { (char)b, 0 };
		GString *g = g_string_new("");
		char *want = g_utf8_make_valid(in, -1);

		tfe_json_append_string(g, in);
		assert_json_string_token("one byte", g);
		char *back = parse_string(g->str);
		ck_assert_msg(back && strcmp(back, want) == 0,
		              "byte 0x%02x: %s", b, g->str);
		g_free(back);
		g_free(want);
		g_string_free(g, TRUE);
		all[b - 1] = (char)b;
	}
	all[255] = 0;

	GString *g = g_string_new("[1,\x1f");
	tfe_json_append_string(g, all);
	/* the bytes before were not ours to change */
	ck_assert(memcmp(g->str, "[1,\x1f\"", 5) == 0);
	GString *tok = g_string_new(g->str + 4);
	assert_json_string_token("all bytes", tok);
	char *want = g_utf8_make_valid(all, -1);
	char *back = parse_string(tok->str);
	ck_assert(back && strcmp(back, want) == 0);
	g_free(back);
	g_free(want);
	g_string_free(tok, TRUE);
	g_string_free(g, TRUE);
}
END_TEST

/* What json-glib's generator writes for s made valid UTF-8, with the
 * U+001F it leaves raw escaped: the bytes the renderer must write
 * (render_json.c, tfe_json_append_string). */
static char *
json_glib_string(const char *s)
{
	char *valid = g_utf8_make_valid(s, -1);
	JsonGenerator *gen = json_generator_new();
	JsonNode *node = json_node_alloc();
	json_node_init_string(node, valid);
	json_generator_set_root(gen, node);
	char *raw = json_generator_to_data(gen, NULL);
	json_node_unref(node);
	g_object_unref(gen);
	g_free(valid);

	GString *out = g_string_new("");
	for (const char *p = raw; *p; p++) {
		if (*p == 0x1f)
			g_string_append(out, "\\u001f");
		else
			g_string_append_c(out, *p);
	}
	g_free(raw);
	return g_string_free(out, FALSE);
}

static void
assert_as_json_glib(const char *in, const char *what)
{
	GString *g = g_string_new("x");
	char *want = json_glib_string(in);

	tfe_json_append_string(g, in);
	ck_assert_msg(strcmp(g->str + 1, want) == 0, "%s: %s, json-glib %s",
	              what, g->str + 1, want);
	g_free(want);
	g_string_free(g, TRUE);
}

/* The renderer writes strings itself: the bytes must be exactly
 * json-glib's (as above), for every byte value alone and between others,
 * for the string cases, longer mixes and random byte strings, valid
 * UTF-8 or not. */
START_TEST(test_strings_as_json_glib)
{
	char mix[256];
	size_t n = 0;

	for (int b = 1; b < 256; b++) {
		char in[4] = { 'a', (char)b, 'z', 0 };
		char one[2] = { (char)b, 0 };
		char what[32];
		snprintf(what, sizeof what, "byte 0x%02x", b);
		assert_as_json_glib(in, what);
		assert_as_json_glib(one, what);
		if (b < 0x80)
			mix[n++] = (char)b;
	}
	mix[n] = 0;
	assert_as_json_glib(mix, "bytes 1-127");
	for (size_t i = 0; i < G_N_ELEMENTS(scases); i++)
		assert_as_json_glib(scases[i].in, scases[i].name);
	const char *const more[] = {
		"", "10.0.0.1", "[2001:db8::1]:443",
		"client sent 3 bytes after its FIN (RFC 9293 \u00a73.10.7.4)",
		"tab\there", "del\x7f", "caf\xc3\xa9",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(more); i++)
		assert_as_json_glib(more[i], more[i]);
	GRand *rnd = g_rand_new_with_seed(8259);
	for (int k = 0; k < 20000; k++) {
		char r[24];
		int len = g_rand_int_range(rnd, 1, (int)sizeof r);
		for (int i = 0; i < len - 1; i++) {
			/* mostly ASCII, some of everything else */
			r[i] = (char)(g_rand_int_range(rnd, 0, 4) == 0
			              ? g_rand_int_range(rnd, 1, 256)
			              : g_rand_int_range(rnd, 1, 128));
		}
		r[len - 1] = 0;
		assert_as_json_glib(r, "random bytes");
	}
	g_rand_free(rnd);
}
END_TEST

/* The decimal writer every output form uses, against printf: each power
 * of ten and its neighbours, and random numbers of every length. */
START_TEST(test_decimal)
{
	GRand *rnd = g_rand_new_with_seed(10);
	char want[32], got[32];

	for (int k = 0; k < 2000; k++) {
		uint64_t v;
		if (k < 60) {
			uint64_t p = 1;
			for (int e = 0; e < k / 3; e++)
				p *= 10;
			v = p - 1 + (uint64_t)(k % 3);
		} else {
			v = (uint64_t)g_rand_int(rnd) << 32 | g_rand_int(rnd);
			v >>= g_rand_int_range(rnd, 0, 64);
		}
		snprintf(want, sizeof want, "%" G_GUINT64_FORMAT, v);
		*tfe_u64_dec_end(v, got) = '\0';
		ck_assert_str_eq(got, want);
	}
	*tfe_u64_dec_end(UINT64_MAX, got) = '\0';
	ck_assert_str_eq(got, "18446744073709551615");
	g_rand_free(rnd);
}
END_TEST

/* -- name tables --------------------------------------------------------- */

static bool
is_key(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++)
		if (!g_ascii_isalnum(*s) && *s != '_')
			return false;
	return true;
}

START_TEST(test_name_tables)
{
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	uint16_t bits = 0;

	ck_assert_ptr_null(tfe_json_decode_keys[TFE_DR_OK]);
	for (int r = 1; r < TFE_DR__COUNT; r++) {
		ck_assert_msg(is_key(tfe_json_decode_keys[r]),
		              "decode reason %d has no JSON key", r);
		ck_assert_msg(g_hash_table_add(seen, (gpointer)tfe_json_decode_keys[r]),
		              "decode key %s twice", tfe_json_decode_keys[r]);
	}
	g_hash_table_remove_all(seen);
	for (int i = 0; i < TFE_JSON_NOTES; i++) {
		ck_assert(is_key(tfe_json_notes[i].name));
		ck_assert(g_hash_table_add(seen, (gpointer)tfe_json_notes[i].name));
		ck_assert_msg((bits & tfe_json_notes[i].bit) == 0, "note bit twice");
		bits |= tfe_json_notes[i].bit;
	}
	/* every TFE_NOTE_* bit timeline.h defines */
	ck_assert_uint_eq(bits, TFE_NOTE_RETRANS | TFE_NOTE_OUT_OF_ORDER |
	                  TFE_NOTE_ZERO_WINDOW |
	                  TFE_NOTE_KEEPALIVE | TFE_NOTE_AFTER_FIN |
	                  TFE_NOTE_AFTER_RST | TFE_NOTE_BAD_FLAGS | TFE_NOTE_GAP |
	                  TFE_NOTE_WINDOW_OPEN | TFE_NOTE_ZW_PROBE | TFE_NOTE_COPY |
	                  TFE_NOTE_PADDING);
	/* names written as object keys without escaping */
	for (int st = 0; st < TFE_ST__COUNT; st++)
		ck_assert(is_key(tfe_state_names[st]));
	for (int h = 0; h < TFE_CLOSE__COUNT; h++)
		ck_assert(is_key(tfe_close_names[h]));
	for (int k = 0; k < TFE_V__COUNT; k++)
		ck_assert(is_key(tfe_verdicts[k].kind));
	ck_assert_str_eq(tfe_format_names[TFE_FMT_JSON], "json");
	g_hash_table_destroy(seen);
}
END_TEST

/* -- connections ---------------------------------------------------------- */

#define C TFE_SIDE_CLIENT
#define S TFE_SIDE_SERVER
#define MS INT64_C(1000000)
#define T0 (INT64_C(1700000000) * TFE_NS_PER_SEC)

struct jseg {
	int from;
	uint16_t flags;
	uint32_t seq, ack, len;
	int64_t ns;      /* time from T0 */
};

/* A handshake, two data segments and an ACK (folded into one run), the
 * client's close and the server's, then 2MSL: frames, a run, a timer. */
static const struct jseg graceful[] = {
	{ C, TFE_TH_SYN, 1000, 0, 0, 0 },
	{ S, TFE_TH_SYN | TFE_TH_ACK, 5000, 1001, 0, 10 * MS + 1001 },
	{ C, TFE_TH_ACK, 1001, 5001, 0, 20 * MS },
	{ C, TFE_TH_PSH | TFE_TH_ACK, 1001, 5001, 100, 30 * MS },
	{ S, TFE_TH_ACK, 5001, 1101, 0, 40 * MS },
	{ S, TFE_TH_PSH | TFE_TH_ACK, 5001, 1101, 50, 41 * MS },
	{ C, TFE_TH_FIN | TFE_TH_ACK, 1101, 5051, 0, 50 * MS },
	{ S, TFE_TH_FIN | TFE_TH_ACK, 5051, 1102, 0, 60 * MS },
	{ C, TFE_TH_ACK, 1102, 5052, 0, 70 * MS },
};

static struct tfe_conn *
build(const struct jseg *segs, size_t n, bool nanos, const char *message)
{
	struct tfe_config cfg;
	struct tfe_conn *c = NULL;

	tfe_config_defaults(&cfg);
	for (size_t i = 0; i < n; i++) {
		struct tfe_segment s = tfe_test_segment(segs[i].from == C,
			segs[i].flags, segs[i].seq, segs[i].ack, segs[i].len,
			1000, 64, (uint16_t)(100 + i));
		bool from_lo = segs[i].from == C;

		if (i == 0)
			s.opt_mask = TFE_OPT_MSS, s.mss = 1460;
		tfe_test_feed(&c, &s, from_lo, i + 1, T0 + segs[i].ns, &cfg);
	}
	c->timestamps_ns = nanos;
	tfe_conn_finish(c, TFE_END_CLOSED, &cfg);
	c->verdicts = tfe_verdicts_new();
	if (message) {
		struct tfe_verdict v = { .kind = TFE_V_ABORTIVE_CLOSE,
			.side = TFE_SIDE_SERVER, .nframes = 2,
			.frames = { 7, 8 }, .message = g_strdup(message) };
		g_array_append_val(c->verdicts, v);
	}
	return c;
}

/* Renders `c` to a string: one line. */
static char *
render(const struct tfe_conn *c, bool events)
{
	struct tfe_config cfg;
	struct tfe_render_opts o;
	char *buf = NULL;
	size_t len = 0;

	tfe_config_defaults(&cfg);
	memset(&o, 0, sizeof o);
	o.format = TFE_FMT_JSON;
	o.cfg = &cfg;
	o.events = events;
	o.out = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(o.out);
	tfe_render_json_conn(&o, c);
	fclose(o.out);
	ck_assert_msg(len > 0 && buf[len - 1] == '\n' && memchr(buf, '\n', len) ==
	              buf + len - 1, "not one line: %s", buf);
	return buf;
}

static JsonObject *
parse_object(JsonParser *p, const char *line)
{
	GError *err = NULL;

	ck_assert_msg(json_parser_load_from_data(p, line, -1, &err),
	              "not JSON: %s: %s", err ? err->message : "", line);
	JsonNode *root = json_parser_get_root(p);
	ck_assert(JSON_NODE_HOLDS_OBJECT(root));
	return json_node_get_object(root);
}

START_TEST(test_events_follow_the_timeline)
{
	struct tfe_conn *c = build(graceful, G_N_ELEMENTS(graceful), false, NULL);
	char *line = render(c, true);
	JsonParser *p = json_parser_new();
	JsonObject *o = parse_object(p, line);
	JsonArray *ev = json_object_get_array_member(o, "events");
	guint nrows = tfe_timeline_len(&c->tl);
	int kinds[3] = { 0, 0, 0 };

	ck_assert_ptr_nonnull(ev);
	ck_assert_uint_eq(json_array_get_length(ev), nrows);
	for (guint i = 0; i < nrows; i++) {
		const struct tfe_row *r = tfe_timeline_row(&c->tl, i);
		JsonObject *e = json_array_get_object_element(ev, i);
		const char *type = json_object_get_string_member(e, "type");
		JsonObject *st = json_object_get_object_member(e, "state");

		kinds[r->kind]++;
		ck_assert_str_eq(type, r->kind == TFE_ROW_FRAME ? "frame" :
		                 r->kind == TFE_ROW_RUN ? "run" : "timer");
		/* a timer row speaks for its own side (test_two_timers) */
		if (r->kind != TFE_ROW_TIMER || r->dir == 0)
			ck_assert_str_eq(json_object_get_string_member(st, "client"),
			                 tfe_state_names[r->state[0]]);
		if (r->kind != TFE_ROW_TIMER || r->dir == 1)
			ck_assert_str_eq(json_object_get_string_member(st, "server"),
			                 tfe_state_names[r->state[1]]);
		if (r->kind == TFE_ROW_TIMER) {
			ck_assert(json_object_get_null_member(e, "frame"));
			ck_assert_str_eq(json_object_get_string_member(e, "side"),
			                 "client");
		} else {
			ck_assert_int_eq(json_object_get_int_member(e, "frame"),
			                 (gint64)r->frame);
		}
		if (r->kind == TFE_ROW_RUN) {
			JsonObject *b = json_object_get_object_member(e, "bytes");
			ck_assert_int_eq(json_object_get_int_member(e, "count"),
			                 r->count);
			ck_assert_int_eq(json_object_get_int_member(e, "frame_last"),
			                 (gint64)tfe_row_frame_last(r));
			ck_assert_int_eq(json_object_get_int_member(b, "client"),
			                 (gint64)r->bytes[0]);
			ck_assert_int_eq(json_object_get_int_member(b, "server"),
			                 (gint64)r->bytes[1]);
		}
		if (r->kind == TFE_ROW_FRAME) {
			ck_assert_str_eq(json_object_get_string_member(e, "from"),
			                 r->dir == TFE_DIR_C2S ? "client" : "server");
			ck_assert_int_eq(json_object_get_int_member(e, "len"), r->len);
		}
	}
	/* the handshake and the close as frames, the data as one run, and
	 * the client's 2MSL as a timer */
	ck_assert_int_eq(kinds[TFE_ROW_FRAME], 6);
	ck_assert_int_eq(kinds[TFE_ROW_RUN], 1);
	ck_assert_int_eq(kinds[TFE_ROW_TIMER], 1);

	/* the first event is the SYN: relative seq 0, no ACK, its MSS */
	JsonObject *syn = json_array_get_object_element(ev, 0);
	ck_assert_str_eq(json_object_get_string_member(syn, "flags"), "S");
	ck_assert_int_eq(json_object_get_int_member(syn, "seq"), 0);
	ck_assert(json_object_get_null_member(syn, "ack"));
	ck_assert_int_eq(json_object_get_int_member(
		json_object_get_object_member(syn, "options"), "mss"), 1460);
	/* the SYN+ACK acknowledges relative 1 */
	JsonObject *sa = json_array_get_object_element(ev, 1);
	ck_assert_str_eq(json_object_get_string_member(sa, "flags"), "SA");
	ck_assert_int_eq(json_object_get_int_member(sa, "ack"), 1);

	/* exact decimals: the SYN+ACK at 10.001001 ms shows as .010001,
	 * microseconds only, since the capture is not nanosecond */
	ck_assert_ptr_nonnull(strstr(line, "\"ts\":1700000000.010001,"));
	ck_assert_ptr_nonnull(strstr(line, "\"first_ts\":1700000000.000000,"));
	ck_assert_ptr_nonnull(strstr(line, "\"handshake_rtt_ms\":20.000,"));
	ck_assert_ptr_nonnull(strstr(line, "\"syn_to_synack_ms\":10.001,"));

	/* without --events there is no events member, and the rest is the
	 * same bytes: events is the last member */
	char *plain = render(c, false);
	char *at = strstr(line, ",\"events\":[");
	ck_assert_ptr_nonnull(at);
	ck_assert_uint_eq(strlen(plain), (size_t)(at - line) + 2);
	ck_assert(strncmp(plain, line, (size_t)(at - line)) == 0);
	ck_assert_str_eq(plain + (at - line), "}\n");
	JsonParser *p2 = json_parser_new();
	JsonObject *o2 = parse_object(p2, plain);
	ck_assert(!json_object_has_member(o2, "events"));
	g_object_unref(p2);
	free(plain);
	g_object_unref(p);
	free(line);
	tfe_test_conn_free(c);
}
END_TEST

/* Both sides in TIME_WAIT (a simultaneous close): two timer rows, set at
 * the end with both sides' states then.  The second must not bring the
 * first side back to TIME_WAIT, in the events or in "states". */
static const struct jseg simclose[] = {
	{ C, TFE_TH_SYN, 1000, 0, 0, 0 },
	{ S, TFE_TH_SYN | TFE_TH_ACK, 5000, 1001, 0, 10 * MS },
	{ C, TFE_TH_ACK, 1001, 5001, 0, 20 * MS },
	{ C, TFE_TH_FIN | TFE_TH_ACK, 1001, 5001, 0, 30 * MS },
	{ S, TFE_TH_FIN | TFE_TH_ACK, 5001, 1001, 0, 31 * MS },
	{ S, TFE_TH_ACK, 5002, 1002, 0, 40 * MS },
	{ C, TFE_TH_ACK, 1002, 5002, 0, 41 * MS },
};

START_TEST(test_two_timers)
{
	struct tfe_conn *c = build(simclose, G_N_ELEMENTS(simclose), false, NULL);
	char *line = render(c, true);
	JsonParser *p = json_parser_new();
	JsonObject *o = parse_object(p, line);
	JsonArray *ev = json_object_get_array_member(o, "events");
	guint n = json_array_get_length(ev);
	static const char *const want[2][2] = {
		{ "CLOSED", "TIME_WAIT" }, /* the client's 2MSL ends first */
		{ "CLOSED", "CLOSED" },
	};

	ck_assert_uint_ge(n, 2);
	for (int i = 0; i < 2; i++) {
		JsonObject *e = json_array_get_object_element(ev, n - 2 + i);
		JsonObject *st = json_object_get_object_member(e, "state");

		ck_assert_str_eq(json_object_get_string_member(e, "type"), "timer");
		ck_assert_str_eq(json_object_get_string_member(e, "side"),
		                 i == 0 ? "client" : "server");
		ck_assert_str_eq(json_object_get_string_member(st, "client"),
		                 want[i][0]);
		ck_assert_str_eq(json_object_get_string_member(st, "server"),
		                 want[i][1]);
	}
	/* each side's changes end with one TIME_WAIT -> CLOSED, by a timer */
	JsonObject *states = json_object_get_object_member(o, "states");
	for (int side = 0; side < 2; side++) {
		JsonArray *a = json_object_get_array_member(states,
			side ? "server" : "client");
		guint len = json_array_get_length(a);
		JsonObject *last = json_array_get_object_element(a, len - 1);
		JsonObject *prev = json_array_get_object_element(a, len - 2);

		ck_assert_str_eq(json_object_get_string_member(last, "from"),
		                 "TIME_WAIT");
		ck_assert_str_eq(json_object_get_string_member(last, "state"),
		                 "CLOSED");
		ck_assert(json_object_get_null_member(last, "frame"));
		ck_assert_str_eq(json_object_get_string_member(prev, "state"),
		                 "TIME_WAIT");
		for (guint i = 0; i < len; i++)
			ck_assert(!json_object_get_null_member(
				json_array_get_object_element(a, i), "reason"));
	}
	g_object_unref(p);
	free(line);
	tfe_test_conn_free(c);
}
END_TEST

/* A nanosecond capture: nine decimals, the digits as they were. */
START_TEST(test_nanosecond_times)
{
	struct tfe_conn *c = build(graceful, G_N_ELEMENTS(graceful), true, NULL);
	char *line = render(c, true);
	JsonParser *p = json_parser_new();

	parse_object(p, line);
	ck_assert_ptr_nonnull(strstr(line, "\"ts\":1700000000.010001001,"));
	ck_assert_ptr_nonnull(strstr(line, "\"first_ts\":1700000000.000000000,"));
	ck_assert_ptr_nonnull(strstr(line, "\"duration\":0.070000000,"));
	/* 10.001001 ms up, 9.998999 ms down */
	ck_assert_ptr_nonnull(strstr(line, "\"handshake_rtt_ms\":20.000000,"));
	ck_assert_ptr_nonnull(strstr(line, "\"syn_to_synack_ms\":10.001001,"));
	ck_assert_ptr_nonnull(strstr(line, "\"synack_to_ack_ms\":9.998999,"));
	ck_assert_ptr_nonnull(strstr(line, "\"time_wait_until\":1700000060.060000000"));
	g_object_unref(p);
	free(line);
	tfe_test_conn_free(c);
}
END_TEST

/* A verdict message is the one string built at run time from more than
 * our own tables: whatever it holds, the line stays valid JSON. */
START_TEST(test_hostile_message)
{
	static const char msg[] = "bad \xff\xfe bytes \"quoted\" \\ \x1f\x01\n"
	                          "line \xc3\xa9 \xed\xa0\x80 end";
	struct tfe_conn *c = build(graceful, G_N_ELEMENTS(graceful), false, msg);
	char *line = render(c, false);
	JsonParser *p = json_parser_new();
	JsonObject *o = parse_object(p, line);
	JsonArray *vs = json_object_get_array_member(o, "verdicts");
	char *want = g_utf8_make_valid(msg, -1);

	ck_assert(g_utf8_validate(line, -1, NULL));
	for (const char *q = line; *q; q++)
		ck_assert_msg((unsigned char)*q >= 0x20 || (*q == '\n' && q[1] == 0),
		              "raw control byte in the line");
	ck_assert_uint_eq(json_array_get_length(vs), 1);
	JsonObject *v = json_array_get_object_element(vs, 0);
	ck_assert_str_eq(json_object_get_string_member(v, "message"), want);
	ck_assert_str_eq(json_object_get_string_member(v, "kind"),
	                 "abortive_close");
	ck_assert_str_eq(json_object_get_string_member(v, "side"), "server");
	JsonArray *fr = json_object_get_array_member(v, "frames");
	ck_assert_uint_eq(json_array_get_length(fr), 2);
	ck_assert_int_eq(json_array_get_int_element(fr, 1), 8);
	g_free(want);
	g_object_unref(p);
	free(line);
	tfe_test_conn_free(c);
}
END_TEST

static Suite *
render_json_suite(void)
{
	Suite *s = suite_create("render_json");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_string_case, 0, (int)G_N_ELEMENTS(scases));
	tcase_add_test(tc, test_every_byte);
	tcase_add_test(tc, test_strings_as_json_glib);
	tcase_add_test(tc, test_decimal);
	tcase_add_test(tc, test_name_tables);
	tcase_add_test(tc, test_events_follow_the_timeline);
	tcase_add_test(tc, test_two_timers);
	tcase_add_test(tc, test_nanosecond_times);
	tcase_add_test(tc, test_hostile_message);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tfe_test_main(render_json_suite());
}
