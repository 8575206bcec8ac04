/*
 * expect.c: --expect FILE (expect.h).  The file, line by line ('#'
 * starts a comment):
 *
 *   connections N                 the capture has N connections
 *   connection #N                 a block for connection N
 *   connection A:P -> B:P         ... for each connection of that 4-tuple
 *                                 (client first, as the header line
 *                                 writes it)
 *   connection *                  ... for every connection
 *     close HOW                   graceful, abort, rejected, ...
 *     states CLIENT SERVER        final states, "-" for either side
 *     verdict KIND,...            each kind must appear
 *     no verdict KIND,...         none may appear (all, warning, info,
 *                                 -KIND as with --fail-on)
 */
#include "config.h"

#include "expect.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "addr.h"
#include "capture.h"
#include "verdict.h"

enum item_kind { IT_CLOSE, IT_STATES, IT_VERDICT, IT_NO_VERDICT };

struct item {
	enum item_kind kind;
	unsigned line;
	int close_how;           /* IT_CLOSE */
	int state[2];            /* IT_STATES: -1 for any */
	uint64_t kinds;          /* IT_VERDICT, IT_NO_VERDICT */
	char *text;              /* the line as written, trimmed */
};

struct block {
	unsigned line;
	uint64_t id;             /* 0: by tuple, or every one */
	char *tuple;             /* "A:P -> B:P", or NULL */
	bool every;
	GArray *items;           /* struct item */
};

/* What a connection showed. */
struct fact {
	uint64_t id;
	char *tuple;
	uint8_t close_how;
	uint8_t state[2];
	uint64_t kinds;
};

struct tfe_expect {
	char *path;
	bool count_given;
	unsigned count_line;
	uint64_t count;
	GPtrArray *blocks;       /* struct block * */
	GArray *facts;           /* struct fact */
};

static void
block_free(gpointer p)
{
	struct block *b = p;

	for (guint i = 0; i < b->items->len; i++)
		g_free(g_array_index(b->items, struct item, i).text);
	g_array_free(b->items, TRUE);
	g_free(b->tuple);
	g_free(b);
}

/* "a:p  ->  b:p" with single spaces around the arrow. */
static char *
norm_tuple(const char *s)
{
	gchar **w = g_strsplit_set(s, " \t", -1);
	GString *g = g_string_new(NULL);

	for (gchar **p = w; *p; p++) {
		if (**p == '\0')
			continue;
		if (g->len)
			g_string_append_c(g, ' ');
		g_string_append(g, *p);
	}
	g_strfreev(w);
	return g_string_free(g, FALSE);
}

static int
find_name(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static bool G_GNUC_PRINTF(4, 5)
bad(GError **err, const char *path, unsigned line, const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, TFE_ERROR, TFE_ERR_USAGE, "--expect %s:%u: %s", path,
	            line, m);
	g_free(m);
	return false;
}

static bool
parse_item(struct tfe_expect *e, struct block *b, char *line, unsigned no,
           GError **err)
{
	struct item it = { .line = no, .state = { -1, -1 } };
	char *bad_kind = NULL;
	const char *rest;

	if (g_str_has_prefix(line, "close ")) {
		rest = g_strstrip(line + 6);
		it.kind = IT_CLOSE;
		it.close_how = find_name(tfe_close_names, TFE_CLOSE__COUNT, rest);
		if (it.close_how < 0)
			return bad(err, e->path, no, "'%s' is not a close kind "
			           "(graceful, half_close, abort, rejected, "
			           "unanswered, open_at_end, timeout)", rest);
	} else if (g_str_has_prefix(line, "states ")) {
		gchar **w = g_strsplit_set(line + 7, " \t", -1);
		int n = 0;

		it.kind = IT_STATES;
		for (gchar **p = w; *p; p++) {
			if (**p == '\0')
				continue;
			if (n < 2 && strcmp(*p, "-") != 0) {
				it.state[n] = find_name(tfe_state_names, TFE_ST__COUNT,
				                        *p);
				if (it.state[n] < 0) {
					bad(err, e->path, no, "'%s' is not a state "
					    "(CLOSED, ..., TIME_WAIT)", *p);
					g_strfreev(w);
					return false;
				}
			}
			n++;
		}
		g_strfreev(w);
		if (n != 2)
			return bad(err, e->path, no, "states takes two: the "
			           "client's and the server's (- for either)");
	} else if (g_str_has_prefix(line, "verdict ") ||
	           g_str_has_prefix(line, "no verdict ")) {
		bool no_v = line[0] == 'n';

		rest = line + (no_v ? 11 : 8);
		it.kind = no_v ? IT_NO_VERDICT : IT_VERDICT;
		if (!tfe_verdict_parse_list(rest, &it.kinds, &bad_kind)) {
			bad(err, e->path, no, "'%s' is not a verdict kind "
			    "(tcpflow-explain --explain list)", bad_kind);
			g_free(bad_kind);
			return false;
		}
		if (it.kinds == 0)
			return bad(err, e->path, no, "no verdict kind named");
	} else {
		return bad(err, e->path, no, "'%s': expected close, states, "
		           "verdict or no verdict", line);
	}
	it.text = g_strdup(line);
	g_array_append_val(b->items, it);
	return true;
}

struct tfe_expect *
tfe_expect_load(const char *path, GError **err)
{
	struct tfe_expect *e = g_new0(struct tfe_expect, 1);
	gchar *text = NULL;
	GError *ge = NULL;
	struct block *cur = NULL;

	e->path = g_strdup(path);
	e->blocks = g_ptr_array_new_with_free_func(block_free);
	e->facts = g_array_new(FALSE, FALSE, sizeof(struct fact));
	if (!g_file_get_contents(path, &text, NULL, &ge)) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT, "--expect: %s",
		            ge->message);
		g_error_free(ge);
		tfe_expect_free(e);
		return NULL;
	}
	gchar **lines = g_strsplit(text, "\n", -1);
	g_free(text);
	bool ok = true;
	for (unsigned i = 0; ok && lines[i]; i++) {
		char *hash = strchr(lines[i], '#');
		char *line;

		/* '#' starts a comment, but for "connection #N" */
		while (hash && hash[1] >= '0' && hash[1] <= '9')
			hash = strchr(hash + 1, '#');
		if (hash)
			*hash = '\0';
		line = g_strstrip(lines[i]);
		if (*line == '\0')
			continue;
		if (g_str_has_prefix(line, "connections ")) {
			char *end;
			errno = 0;
			e->count = g_ascii_strtoull(line + 12, &end, 10);
			if (errno || end == line + 12 || *g_strstrip(end) != '\0')
				ok = bad(err, path, i + 1, "connections takes a "
				         "number");
			e->count_given = true;
			e->count_line = i + 1;
		} else if (g_str_has_prefix(line, "connection ")) {
			char *what = g_strstrip(line + 11);

			cur = g_new0(struct block, 1);
			cur->line = i + 1;
			cur->items = g_array_new(FALSE, FALSE, sizeof(struct item));
			g_ptr_array_add(e->blocks, cur);
			if (strcmp(what, "*") == 0) {
				cur->every = true;
			} else if (what[0] == '#') {
				char *end;
				errno = 0;
				cur->id = g_ascii_strtoull(what + 1, &end, 10);
				if (errno || end == what + 1 || *end != '\0' ||
				    cur->id == 0)
					ok = bad(err, path, i + 1, "'%s': a connection "
					         "is #N, A:P -> B:P or *", what);
			} else if (strstr(what, "->") != NULL) {
				cur->tuple = norm_tuple(what);
			} else {
				ok = bad(err, path, i + 1, "'%s': a connection is "
				         "#N, A:P -> B:P or *", what);
			}
		} else if (cur == NULL) {
			ok = bad(err, path, i + 1, "'%s' before any 'connection' "
			         "line", line);
		} else {
			ok = parse_item(e, cur, line, i + 1, err);
		}
	}
	g_strfreev(lines);
	if (!ok) {
		tfe_expect_free(e);
		return NULL;
	}
	return e;
}

void
tfe_expect_note(struct tfe_expect *e, const struct tfe_conn *c)
{
	struct fact f = { .id = c->id, .close_how = c->close_how };
	char a[TFE_ADDR_STRLEN], b[TFE_ADDR_STRLEN];

	tfe_endpoint_format(c->family, tfe_conn_addr(c, TFE_SIDE_CLIENT),
	                    tfe_conn_port(c, TFE_SIDE_CLIENT), a, sizeof a);
	tfe_endpoint_format(c->family, tfe_conn_addr(c, TFE_SIDE_SERVER),
	                    tfe_conn_port(c, TFE_SIDE_SERVER), b, sizeof b);
	f.tuple = g_strdup_printf("%s -> %s", a, b);
	f.state[0] = c->ep[TFE_SIDE_CLIENT].state;
	f.state[1] = c->ep[TFE_SIDE_SERVER].state;
	for (guint i = 0; c->verdicts && i < c->verdicts->len; i++)
		f.kinds |= UINT64_C(1) << g_array_index(c->verdicts,
		                                        struct tfe_verdict, i).kind;
	g_array_append_val(e->facts, f);
}

static void
kinds_str(GString *g, uint64_t kinds)
{
	bool any = false;

	for (int k = 0; k < TFE_V__COUNT; k++)
		if (kinds & (UINT64_C(1) << k)) {
			g_string_append_printf(g, "%s%s", any ? "," : "",
			                       tfe_verdicts[k].kind);
			any = true;
		}
	if (!any)
		g_string_append(g, "(none)");
}

/* The item against one connection: NULL when met, else the "+" line. */
static char *
check_item(const struct item *it, const struct fact *f)
{
	GString *g;

	switch (it->kind) {
	case IT_CLOSE:
		if (f->close_how == it->close_how)
			return NULL;
		return g_strdup_printf("close %s", tfe_close_names[f->close_how]);
	case IT_STATES:
		if ((it->state[0] < 0 || it->state[0] == f->state[0]) &&
		    (it->state[1] < 0 || it->state[1] == f->state[1]))
			return NULL;
		return g_strdup_printf("states %s %s", tfe_state_names[f->state[0]],
		                       tfe_state_names[f->state[1]]);
	case IT_VERDICT:
		if ((f->kinds & it->kinds) == it->kinds)
			return NULL;
		g = g_string_new("verdicts ");
		kinds_str(g, f->kinds);
		return g_string_free(g, FALSE);
	case IT_NO_VERDICT:
		if ((f->kinds & it->kinds) == 0)
			return NULL;
		g = g_string_new("verdict ");
		kinds_str(g, f->kinds & it->kinds);
		return g_string_free(g, FALSE);
	}
	return NULL;
}

static gint
fact_cmp(gconstpointer a, gconstpointer b)
{
	const struct fact *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static bool
block_matches(const struct block *b, const struct fact *f)
{
	return b->every || (b->id != 0 && b->id == f->id) ||
	       (b->tuple != NULL && strcmp(b->tuple, f->tuple) == 0);
}

unsigned
tfe_expect_check(struct tfe_expect *e, FILE *out)
{
	unsigned failed = 0, total = 0;
	GString *diff = g_string_new(NULL);

	/* connections are noted as they end: check them by number */
	g_array_sort(e->facts, fact_cmp);

	if (e->count_given) {
		total++;
		if (e->count != e->facts->len) {
			failed++;
			g_string_append_printf(diff, "@@ line %u\n-connections %"
			                       G_GUINT64_FORMAT "\n+connections %u\n",
			                       e->count_line, e->count, e->facts->len);
		}
	}
	for (guint bi = 0; bi < e->blocks->len; bi++) {
		const struct block *b = g_ptr_array_index(e->blocks, bi);
		bool matched = false;

		for (guint fi = 0; fi < e->facts->len; fi++) {
			const struct fact *f =
				&g_array_index(e->facts, struct fact, fi);
			bool header = false;

			if (!block_matches(b, f))
				continue;
			matched = true;
			for (guint ii = 0; ii < b->items->len; ii++) {
				const struct item *it =
					&g_array_index(b->items, struct item, ii);
				char *got = check_item(it, f);

				total++;
				if (got == NULL)
					continue;
				failed++;
				if (!header)
					g_string_append_printf(diff, "@@ line %u: "
					    "connection #%" G_GUINT64_FORMAT " %s\n",
					    b->line, f->id, f->tuple);
				header = true;
				g_string_append_printf(diff, "-  %s\n+  %s\n",
				                       it->text, got);
				g_free(got);
			}
		}
		if (!matched && !b->every) {
			total++;
			failed++;
			if (b->tuple != NULL)
				g_string_append_printf(diff, "@@ line %u\n-connection "
				                       "%s\n+(no such connection)\n",
				                       b->line, b->tuple);
			else
				g_string_append_printf(diff, "@@ line %u\n-connection "
				                       "#%" G_GUINT64_FORMAT "\n+(no "
				                       "such connection)\n", b->line,
				                       b->id);
		}
	}
	if (failed > 0) {
		fprintf(out, "tcpflow-explain: --expect %s: %u of %u "
		        "expectations not met\n--- %s (expected)\n+++ the "
		        "capture\n%s", e->path, failed, total, e->path, diff->str);
	}
	g_string_free(diff, TRUE);
	return failed;
}

void
tfe_expect_free(struct tfe_expect *e)
{
	if (e == NULL)
		return;
	for (guint i = 0; i < e->facts->len; i++)
		g_free(g_array_index(e->facts, struct fact, i).tuple);
	g_array_free(e->facts, TRUE);
	g_ptr_array_free(e->blocks, TRUE);
	g_free(e->path);
	g_free(e);
}
