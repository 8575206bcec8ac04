/*
 * check_reasons.c: the timeline reasons' names (src/tcpstate.c's
 * tfe_reasons[]) are a list that programs read in the JSON (reason_name).
 *
 * Every value of enum tfe_reason has a row with a name and a sentence;
 * every name is snake_case and no two are the same; doc/json.md's list of
 * reason names (between "<!-- reasons -->" and "<!-- /reasons -->") has
 * exactly the names of the program, in the enum's order, and the JSON
 * Schema's reason_name enum the same.  A reason added to the enum without
 * its row, or to the program without the documentation, fails here.  The
 * table of assumptions and what overturns them (tfe_overturn_table) is
 * held to doc/states.md's the same way.
 */
#include <string.h>

#include "tcpstate.h"
#include "testutil.h"

static bool
is_snake_case(const char *s)
{
	if (s == NULL || !g_ascii_islower(s[0]))
		return false;
	for (const char *p = s; *p; p++)
		if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '_')
			return false;
	return s[strlen(s) - 1] != '_' && strstr(s, "__") == NULL;
}

START_TEST(test_rows)
{
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);

	for (int i = 0; i < TFE_RS__COUNT; i++) {
		const char *n = tfe_reasons[i].name;

		ck_assert_msg(is_snake_case(n), "reason %d: name \"%s\" is not "
		              "snake_case", i, n ? n : "(none)");
		ck_assert_msg(tfe_reasons[i].text != NULL,
		              "reason %s has no sentence", n);
		if (i != TFE_RS_NONE)
			ck_assert_msg(tfe_reasons[i].text[0] != '\0',
			              "reason %s has an empty sentence", n);
		ck_assert_msg(!g_hash_table_contains(seen, n),
		              "reason name %s is used twice", n);
		g_hash_table_add(seen, (gpointer)n);
	}
	ck_assert_str_eq(tfe_reasons[TFE_RS_NONE].name, "none");
	g_hash_table_destroy(seen);
}
END_TEST

static char *
read_doc(const char *name)
{
	const char *top = g_getenv("top_srcdir");
	char *path = g_build_filename(top ? top : ".", "doc", name, NULL);
	char *text = NULL;
	GError *err = NULL;

	ck_assert_msg(g_file_get_contents(path, &text, NULL, &err),
	              "cannot read %s (set top_srcdir): %s", path,
	              err ? err->message : "");
	g_free(path);
	return text;
}

/* The names in the first column of doc/json.md's reason table, in order. */
static GPtrArray *
doc_names(void)
{
	char *doc = read_doc("json.md");
	char *start = strstr(doc, "<!-- reasons -->");
	char *end = start ? strstr(start, "<!-- /reasons -->") : NULL;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);

	ck_assert_msg(start && end, "doc/json.md has no <!-- reasons --> list");
	*end = '\0';
	gchar **lines = g_strsplit(start, "\n", -1);
	for (gchar **l = lines; *l; l++) {
		/* | `name` | sentence | */
		if (!g_str_has_prefix(*l, "| `") ||
		    g_str_has_prefix(*l, "| `reason_name`"))
			continue;
		char *a = *l + 3, *b = strchr(a, '`');
		ck_assert_ptr_nonnull(b);
		g_ptr_array_add(names, g_strndup(a, (gsize)(b - a)));
	}
	g_strfreev(lines);
	g_free(doc);
	return names;
}

START_TEST(test_doc_lists_every_name)
{
	GPtrArray *names = doc_names();

	for (guint i = 0; i < names->len && i + 1 < TFE_RS__COUNT; i++)
		ck_assert_msg(strcmp(names->pdata[i], tfe_reasons[i + 1].name) == 0,
		              "doc/json.md lists %s where the program has %s "
		              "(reason %u)", (char *)names->pdata[i],
		              tfe_reasons[i + 1].name, i + 1);
	ck_assert_msg(names->len == TFE_RS__COUNT - 1,
	              "doc/json.md lists %u reason names, the program has %d",
	              names->len, TFE_RS__COUNT - 1);
	g_ptr_array_free(names, TRUE);
}
END_TEST

START_TEST(test_schema_lists_every_name)
{
	char *schema = read_doc("tcpflow-explain.schema.json");
	char *start = strstr(schema, "\"reason_name\": {\n");
	char *end;

	ck_assert_msg(start != NULL, "the schema has no reason_name");
	start = strchr(start, '[');
	ck_assert_ptr_nonnull(start);
	start = strchr(start + 1, '[');  /* after "type": [...] */
	ck_assert_ptr_nonnull(start);
	end = strchr(start, ']');
	ck_assert_ptr_nonnull(end);
	*end = '\0';
	for (int i = 1; i < TFE_RS__COUNT; i++) {
		char *quoted = g_strdup_printf("\"%s\"", tfe_reasons[i].name);
		ck_assert_msg(strstr(start, quoted) != NULL,
		              "the schema's reason_name enum lacks %s", quoted);
		g_free(quoted);
	}
	int n = 0;
	for (char *p = start; (p = strchr(p, '"')) != NULL; p++)
		n++;
	ck_assert_msg(n == 2 * (TFE_RS__COUNT - 1),
	              "the schema's reason_name enum has %d names, the program "
	              "%d", n / 2, TFE_RS__COUNT - 1);
	g_free(schema);
}
END_TEST

/* doc/states.md's table of assumptions and the evidence that overturns
 * them (between "<!-- overturns -->" and "<!-- /overturns -->") is
 * tfe_overturn_table row for row: each row in the program's order, every
 * cell as the program has it, and no other row. */
START_TEST(test_doc_overturn_table)
{
	char *doc = read_doc("states.md");
	char *start = strstr(doc, "<!-- overturns -->");
	char *end = start ? strstr(start, "<!-- /overturns -->") : NULL;
	const char *at;
	int rows = 0;

	ck_assert_msg(start && end,
	              "doc/states.md has no <!-- overturns --> table");
	*end = '\0';
	at = start;
	for (int i = 0; i < TFE_OV__COUNT; i++) {
		const struct tfe_overturn_rule *r = &tfe_overturn_table[i];

		ck_assert_int_lt(r->assumption, TFE_AS__COUNT);
		ck_assert(r->restore < TFE_ST__COUNT ||
		          r->restore == TFE_ST_BEFORE);
		ck_assert_int_lt(r->reason, TFE_RS__COUNT);
		ck_assert_ptr_nonnull(r->evidence);
		char *row = g_strdup_printf(
			"| %s | %s | %s | %s | `%s` |",
			tfe_assumption_names[r->assumption], r->evidence,
			r->from == TFE_OV_FROM_START ? "the first row" : "its row",
			r->restore == TFE_ST_BEFORE ? "the state before"
			                            : tfe_state_names[r->restore],
			tfe_reasons[r->reason].name);
		const char *found = strstr(at, row);
		ck_assert_msg(found != NULL, "doc/states.md lacks, after the "
		              "rows before it, overturn row %d: %s", i, row);
		at = found + strlen(row);
		g_free(row);
	}
	for (const char *p = start; (p = strstr(p, "\n| ")) != NULL; p++)
		rows++;
	/* the header row, and one a rule */
	ck_assert_msg(rows == TFE_OV__COUNT + 1,
	              "doc/states.md's overturn table has %d rows, the "
	              "program %d", rows - 1, TFE_OV__COUNT);
	g_free(doc);
}
END_TEST

static Suite *
reasons_suite(void)
{
	Suite *s = suite_create("reasons");
	TCase *tc = tcase_create("names");

	tcase_add_test(tc, test_rows);
	tcase_add_test(tc, test_doc_lists_every_name);
	tcase_add_test(tc, test_schema_lists_every_name);
	tcase_add_test(tc, test_doc_overturn_table);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tfe_test_main(reasons_suite());
}
