/*
 * check_reader.c: reading with a second thread gives what one thread
 * gives, byte for byte, however the frames are cut into batches.
 *
 * Every capture in pcaps/ is read as one capture (several files in a row,
 * as -r FILE -r FILE ... reads them) with one thread, then with two
 * threads and batches as small as one frame in a ring as short as one
 * batch, so that the threads hand over thousands of times and wait for
 * each other at every step.  The text report, the summary and the error
 * (a file cut inside a record, last in the row) must be the same, and so
 * must the frame counts under -c and a filter.  The same again with a
 * writing thread (writer.h) taking the finished connections in batches as
 * small as one connection.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "analyze.h"
#include "capture.h"
#include "reader.h"
#include "render.h"
#include "testutil.h"
#include "writer.h"

/* Batches of these many frames in rings of these many batches (0: the
 * defaults). */
static const guint shapes[][2] = {
	{ 1, 1 }, { 1, 2 }, { 2, 2 }, { 3, 5 }, { 7, 3 }, { 64, 2 }, { 0, 0 },
};
#define NSHAPES (sizeof shapes / sizeof shapes[0])

/* The writer's batches of connections and batches in flight. */
static const guint wshapes[][2] = {
	{ 1, 2 }, { 2, 2 }, { 3, 3 }, { 0, 0 },
};
#define NWSHAPES (sizeof wshapes / sizeof wshapes[0])

static GPtrArray *paths;         /* the .pcap files in pcaps/, sorted */
static char *tmpdir;
static char *cut_path;          /* a copy of one capture cut in a record */

struct sink_ud {
	struct tfe_render_opts ro;
	guint conns;
	struct tfe_writer *writer;
	GThread *analyser;       /* the thread conn_done must run in */
	bool wrong_thread;       /* the writer wrote in the analyser's */
	bool verdicts_in_writer; /* as main.c: the writer works them out */
	GArray *verdicts;        /* the writer's */
	uint64_t by_verdict[TFE_V__COUNT];
};

static void
on_done(void *ud, const struct tfe_conn *c)
{
	struct sink_ud *u = ud;

	u->conns++;
	if (u->writer == NULL)
		tfe_render_text_conn(&u->ro, c);
}

/* The writing thread: the verdicts the analyser left to it, then the
 * text, as main.c does. */
static void
write_one(void *ud, struct tfe_conn *c, int64_t now)
{
	struct sink_ud *u = ud;

	if (g_thread_self() == u->analyser)
		u->wrong_thread = true;
	if (!u->verdicts_in_writer) {
		/* worked out by the analyser, the array handed over */
		ck_assert_ptr_nonnull(c->verdicts);
		tfe_render_text_conn(&u->ro, c);
		return;
	}
	if (u->verdicts == NULL)
		u->verdicts = tfe_verdicts_new();
	tfe_analyzer_verdicts(u->ro.cfg, c, now, u->verdicts, u->by_verdict);
	tfe_render_text_conn(&u->ro, c);
	tfe_verdicts_clear(u->verdicts);
	c->verdicts = NULL;
}

static bool
on_take(void *ud, struct tfe_conn *c, int64_t now)
{
	struct sink_ud *u = ud;

	if (u->writer == NULL)
		return false;
	tfe_writer_put(u->writer, c, now);
	return true;
}

/* Everything a run prints, as main prints it for -r; *conns counts the
 * connections reported. */
static char *
run(char **files, guint n, const char *filter, uint64_t max_packets,
    guint threads, guint batch, guint depth, guint wbatch, guint wdepth,
    bool verdicts_in_writer, guint *conns)
{
	struct tfe_config cfg;
	struct tfe_analyzer an;
	struct sink_ud u;
	struct tfe_sink sink = { .conn_done = on_done, .ud = &u, .conn_take = on_take };
	struct tfe_reader_opts o = { .threads = threads,
	                             .max_packets = max_packets,
	                             .batch = batch, .depth = depth };
	struct tfe_capture *cap;
	GError *err = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	tfe_config_defaults(&cfg);
	memset(&u, 0, sizeof u);
	u.ro.format = TFE_FMT_TEXT;
	u.ro.cfg = &cfg;
	u.ro.out = fp;
	u.analyser = g_thread_self();
	if (threads == 3) {
		u.writer = tfe_writer_start(write_one, &u, wbatch, wdepth);
		ck_assert_ptr_nonnull(u.writer);
	}
	cap = tfe_capture_open_files(files, n, filter, &err);
	ck_assert_msg(cap != NULL, "%s", err ? err->message : "?");
	tfe_analyzer_init(&an, &cfg, &sink);
	u.verdicts_in_writer = u.writer != NULL && verdicts_in_writer;
	an.verdicts_later = u.verdicts_in_writer;
	tfe_analyzer_snapshot_at(&an, TFE_AT_NONE, 0);
	an.stats.timestamps_ns = tfe_capture_nanos(cap);
	bool ok = tfe_reader_run(cap, &an, &o, &err);
	ck_assert(ok == (err == NULL));
	an.stats.filtered = filter != NULL;
	an.stats.frames_read = tfe_capture_frames(cap);
	tfe_analyzer_finish(&an);
	tfe_writer_finish(u.writer);
	ck_assert(!u.wrong_thread);
	for (int k = 0; k < TFE_V__COUNT; k++)
		an.stats.by_verdict[k] += u.by_verdict[k];
	if (u.verdicts != NULL)
		g_array_free(u.verdicts, TRUE);
	tfe_render_text_summary(&u.ro, &an.stats);
	if (err != NULL) {
		fprintf(fp, "error: %s (after %" G_GUINT64_FORMAT " packets)\n",
		        err->message, tfe_capture_frames(cap));
		g_error_free(err);
	}
	tfe_analyzer_clear(&an);
	tfe_capture_close(cap);
	fclose(fp);
	*conns = u.conns;
	return buf;
}

/* One thread's output, then every batch shape's with two. */
static void
compare(char **files, guint n, const char *filter, uint64_t max_packets,
        guint min_conns, const char *must_hold)
{
	guint want_conns, conns;
	char *want = run(files, n, filter, max_packets, 1, 0, 0, 0, 0, false,
	                 &want_conns);

	ck_assert_uint_ge(want_conns, min_conns);
	if (must_hold != NULL)
		ck_assert_msg(strstr(want, must_hold) != NULL,
		              "one thread's output lacks '%s'", must_hold);
	for (guint i = 0; i < NSHAPES; i++) {
		char *got = run(files, n, filter, max_packets, 2, shapes[i][0],
		                shapes[i][1], 0, 0, false, &conns);

		ck_assert_uint_eq(conns, want_conns);
		ck_assert_msg(strcmp(got, want) == 0,
		              "two threads, batches of %u in %u: output differs",
		              shapes[i][0], shapes[i][1]);
		free(got);
	}
	for (guint i = 0; i < 2 * NWSHAPES; i++) {
		guint k = i % NWSHAPES;
		bool later = i >= NWSHAPES;
		char *got = run(files, n, filter, max_packets, 3, 3, 2,
		                wshapes[k][0], wshapes[k][1], later, &conns);

		ck_assert_uint_eq(conns, want_conns);
		ck_assert_msg(strcmp(got, want) == 0,
		              "a writing thread, batches of %u connections in "
		              "%u, verdicts %s: output differs", wshapes[k][0],
		              wshapes[k][1], later ? "there" : "in the analyser");
		free(got);
	}
	free(want);
}

START_TEST(test_every_capture_as_one)
{
	/* 30 files in a row: time goes back at each new file, connections
	 * from one file meet the next one's. */
	compare((char **)paths->pdata, paths->len, NULL, 0, 30,
	        "timestamps going backwards");
}
END_TEST

START_TEST(test_each_capture)
{
	for (guint i = 0; i < paths->len; i++) {
		char *one = g_ptr_array_index(paths, i);
		GStatBuf st;
		/* a capture of no packet (a server that saw nothing, as in
		 * router-icmp-unreachable) is only its 24-byte file header */
		guint min = g_stat(one, &st) == 0 && st.st_size > 24 ? 1 : 0;
		compare(&one, 1, NULL, 0, min, "summary");
	}
}
END_TEST

START_TEST(test_count_and_filter)
{
	/* -c stops the reading thread at the frame one thread stops at:
	 * at a batch's end, inside one, at the first frame. */
	static const uint64_t counts[] = { 1, 2, 7, 64, 100, 1000 };

	for (guint i = 0; i < G_N_ELEMENTS(counts); i++)
		compare((char **)paths->pdata, paths->len, NULL, counts[i], 0,
		        "summary");
	compare((char **)paths->pdata, paths->len, "tcp port 8080", 0, 20,
	        "filter: ");
	compare((char **)paths->pdata, paths->len, "tcp port 8080", 50, 1,
	        "filter: ");
}
END_TEST

START_TEST(test_damage_after_the_frames_before_it)
{
	GPtrArray *files = g_ptr_array_new();

	for (guint i = 0; i < paths->len; i++)
		g_ptr_array_add(files, g_ptr_array_index(paths, i));
	g_ptr_array_add(files, cut_path);
	compare((char **)files->pdata, files->len, NULL, 0, 30,
	        "error: ");
	/* alone too: the damage in the first batch */
	compare(&cut_path, 1, NULL, 0, 1, "truncated");
	g_ptr_array_free(files, TRUE);
}
END_TEST

static gint
by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
setup(void)
{
	const char *top = g_getenv("top_srcdir");
	char *dir = g_build_filename(top ? top : ".", "pcaps", NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	char *data = NULL, *big = NULL;
	gsize len = 0;
	guint bigi = 0;

	ck_assert_msg(d != NULL, "cannot open %s (set top_srcdir)", dir);
	paths = g_ptr_array_new_with_free_func(g_free);
	while ((name = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(name, ".pcap"))
			g_ptr_array_add(paths, g_build_filename(dir, name, NULL));
	g_dir_close(d);
	g_free(dir);
	g_ptr_array_sort(paths, by_name);
	ck_assert_uint_ge(paths->len, 20);

	/* The largest capture, cut 10 bytes before its end: inside its
	 * last record. */
	for (guint i = 0; i < paths->len; i++) {
		GStatBuf st;
		if (g_stat(paths->pdata[i], &st) == 0 && st.st_size > (goffset)len) {
			len = (gsize)st.st_size;
			bigi = i;
		}
	}
	big = paths->pdata[bigi];
	ck_assert(g_file_get_contents(big, &data, &len, NULL));
	ck_assert_uint_gt(len, 100);
	tmpdir = g_dir_make_tmp("tfe-reader-XXXXXX", NULL);
	ck_assert_ptr_nonnull(tmpdir);
	cut_path = g_build_filename(tmpdir, "cut.pcap", NULL);
	ck_assert(g_file_set_contents(cut_path, data, (gssize)len - 10, NULL));
	g_free(data);
}

static void
teardown(void)
{
	g_unlink(cut_path);
	g_rmdir(tmpdir);
	g_free(cut_path);
	g_free(tmpdir);
	g_ptr_array_free(paths, TRUE);
}

int
main(void)
{
	Suite *s = suite_create("reader");
	TCase *tc = tcase_create("two threads as one");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_every_capture_as_one);
	tcase_add_test(tc, test_each_capture);
	tcase_add_test(tc, test_count_and_filter);
	tcase_add_test(tc, test_damage_after_the_frames_before_it);
	suite_add_tcase(s, tc);
	return tfe_test_main(s);
}
