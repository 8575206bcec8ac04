/*
 * check_capture.c: the records capture.c parses itself come out exactly
 * as libpcap's pcap_next_ex() hands them over.
 *
 * Every capture in pcaps/, and captures made here with the hostile
 * records a damaged or fuzzed file holds, are read twice: with the
 * record parser (the default for a classic pcap file) and with libpcap
 * alone (tfe_capture_libpcap_only()).  Each is read from a file and from
 * an fmemopen(3) stream, as the fuzz target reads it.  The four readings
 * must give the same frames (number, time, caplen, len, link type, every
 * byte), the same frame count, and the same end: the end of input, or
 * the same error code and message.  Each case also says which reader a
 * file must get, so that a test never compares libpcap with itself.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <pcap/pcap.h>
#include <stdio.h>

#include "capture.h"
#include "testutil.h"

static GPtrArray *paths;         /* the .pcap files in pcaps/, sorted */
static char *tmpdir;

/* One frame of a real capture, for building captures here. */
struct frame {
	uint32_t sec, usec, caplen, len;
	uint8_t *data;
};
static struct frame *frames;
static guint nframes;

/* What a reading gave: every frame, then how it ended. */
struct reading {
	GByteArray *log;
	int rc;
	int code;                 /* GError code, -1 for none */
	char *msg;
	uint64_t frames;
	guint own;                /* tfe_capture_own_files() */
	guint delivered;
};

static void
reading_clear(struct reading *r)
{
	if (r->log != NULL)
		g_byte_array_free(r->log, TRUE);
	g_free(r->msg);
	memset(r, 0, sizeof *r);
}

static void
log_u64(GByteArray *log, uint64_t v)
{
	g_byte_array_append(log, (const guint8 *)&v, sizeof v);
}

static void
read_cap(struct tfe_capture *cap, GError *err, struct reading *r)
{
	struct tfe_packet p;

	memset(r, 0, sizeof *r);
	r->log = g_byte_array_new();
	r->code = -1;
	if (cap == NULL) {
		/* opening failed: libpcap's text either way */
		r->rc = -100;
		r->code = err->code;
		r->msg = g_strdup(err->message);
		g_error_free(err);
		return;
	}
	r->own = tfe_capture_own_files(cap);
	while ((r->rc = tfe_capture_next(cap, &p, &err)) == TFE_CAPTURE_PACKET) {
		log_u64(r->log, p.frame);
		log_u64(r->log, (uint64_t)p.ts);
		log_u64(r->log, p.caplen);
		log_u64(r->log, p.len);
		log_u64(r->log, (uint64_t)p.linktype);
		g_byte_array_append(r->log, p.data, p.caplen);
		r->delivered++;
	}
	if (err != NULL) {
		r->code = err->code;
		r->msg = g_strdup(err->message);
		g_error_free(err);
	}
	r->frames = tfe_capture_frames(cap);
	tfe_capture_close(cap);
}

static void
read_files(char **files, guint n, const char *filter, bool libpcap,
           struct reading *r)
{
	GError *err = NULL;
	struct tfe_capture *cap;

	tfe_capture_libpcap_only(libpcap);
	cap = tfe_capture_open_files(files, n, filter, &err);
	tfe_capture_libpcap_only(false);
	read_cap(cap, err, r);
}

static void
read_stream(const GByteArray *bytes, const char *name, const char *filter,
            bool libpcap, struct reading *r)
{
	GError *err = NULL;
	struct tfe_capture *cap;
	/* fmemopen needs a buffer of one byte at least */
	static const guint8 none[1];
	FILE *fp = fmemopen(bytes->len ? bytes->data : (guint8 *)none,
	                    bytes->len ? bytes->len : 0, "rb");

	if (fp == NULL && bytes->len == 0) {
		/* glibc refuses a size of 0: nothing to read either way */
		memset(r, 0, sizeof *r);
		r->rc = -200;
		return;
	}
	ck_assert_ptr_nonnull(fp);
	tfe_capture_libpcap_only(libpcap);
	cap = tfe_capture_open_stream(fp, name, filter, &err);
	tfe_capture_libpcap_only(false);
	read_cap(cap, err, r);
}

static void
assert_same(const struct reading *a, const struct reading *b,
            const char *what, const char *how)
{
	ck_assert_msg(a->rc == b->rc, "%s (%s): end %d vs %d", what, how,
	              a->rc, b->rc);
	ck_assert_msg(a->code == b->code, "%s (%s): error code %d vs %d", what,
	              how, a->code, b->code);
	ck_assert_msg(g_strcmp0(a->msg, b->msg) == 0,
	              "%s (%s): '%s' vs '%s'", what, how,
	              a->msg ? a->msg : "(none)", b->msg ? b->msg : "(none)");
	ck_assert_msg(a->frames == b->frames, "%s (%s): %llu vs %llu frames",
	              what, how, (unsigned long long)a->frames,
	              (unsigned long long)b->frames);
	ck_assert_msg(a->delivered == b->delivered,
	              "%s (%s): %u vs %u frames delivered", what, how,
	              a->delivered, b->delivered);
	ck_assert_msg(a->log->len == b->log->len &&
	              (a->log->len == 0 ||
	               memcmp(a->log->data, b->log->data, a->log->len) == 0),
	              "%s (%s): the frames differ", what, how);
}

/* Expected reader of a case. */
enum want { OWN, LIBPCAP, ANY };

/*
 * Reads `bytes` (named `what`) the four ways and holds them against each
 * other; returns the parser's reading from the file in *out if not NULL.
 */
static void
check_bytes(const GByteArray *bytes, const char *what, const char *filter,
            enum want want, struct reading *out)
{
	char *path = g_build_filename(tmpdir, "case.pcap", NULL);
	struct reading fo, fl, so, sl;

	ck_assert(g_file_set_contents(path, (const char *)bytes->data,
	                              bytes->len, NULL));
	read_files(&path, 1, filter, false, &fo);
	read_files(&path, 1, filter, true, &fl);
	read_stream(bytes, path, filter, false, &so);
	read_stream(bytes, path, filter, true, &sl);
	assert_same(&fo, &fl, what, "file: parser vs libpcap");
	ck_assert_uint_eq(fl.own, 0);
	if (so.rc != -200) {
		assert_same(&so, &sl, what, "stream: parser vs libpcap");
		assert_same(&fo, &so, what, "file vs stream");
		ck_assert_uint_eq(sl.own, 0);
		ck_assert_uint_eq(so.own, fo.own);
	}
	if (want == OWN)
		ck_assert_msg(fo.own == 1, "%s: not read by the parser", what);
	else if (want == LIBPCAP)
		ck_assert_msg(fo.own == 0, "%s: read by the parser", what);
	g_unlink(path);
	g_free(path);
	reading_clear(&fl);
	reading_clear(&so);
	reading_clear(&sl);
	if (out != NULL)
		*out = fo;
	else
		reading_clear(&fo);
}

/* --- building captures ------------------------------------------------ */

struct shape {
	bool be;                 /* big-endian: the other byte order here */
	bool nanos;
	uint16_t major, minor;
	uint32_t snaplen, linktype;
	uint32_t magic;          /* 0: the standard one for nanos */
};

static void
put16(GByteArray *b, bool be, uint16_t v)
{
	guint8 x[2] = { (guint8)(be ? v >> 8 : v), (guint8)(be ? v : v >> 8) };
	g_byte_array_append(b, x, 2);
}

static void
put32(GByteArray *b, bool be, uint32_t v)
{
	guint8 x[4];

	for (int i = 0; i < 4; i++)
		x[i] = (guint8)(v >> (be ? 24 - 8 * i : 8 * i));
	g_byte_array_append(b, x, 4);
}

static GByteArray *
cap_new(const struct shape *s)
{
	GByteArray *b = g_byte_array_new();
	uint32_t magic = s->magic ? s->magic
	                          : s->nanos ? 0xa1b23c4d : 0xa1b2c3d4;

	put32(b, s->be, magic);
	put16(b, s->be, s->major ? s->major : 2);
	put16(b, s->be, s->major ? s->minor : 4);
	put32(b, s->be, 0);
	put32(b, s->be, 0);
	put32(b, s->be, s->snaplen);
	put32(b, s->be, s->linktype);
	return b;
}

/* A record header as given, then `n` bytes of `data` (or a pattern). */
static void
cap_rec(GByteArray *b, bool be, uint32_t sec, uint32_t frac, uint32_t caplen,
        uint32_t len, const uint8_t *data, size_t n)
{
	put32(b, be, sec);
	put32(b, be, frac);
	put32(b, be, caplen);
	put32(b, be, len);
	if (data != NULL) {
		g_byte_array_append(b, data, (guint)n);
	} else {
		guint at = b->len;
		g_byte_array_set_size(b, b->len + (guint)n);
		for (size_t i = 0; i < n; i++)
			b->data[at + i] = (guint8)(i * 7 + n);
	}
}

/* The real frames, in the shape given; times in ns when nanos. */
static GByteArray *
cap_real(const struct shape *s, guint count)
{
	GByteArray *b = cap_new(s);

	for (guint i = 0; i < count && i < nframes; i++) {
		const struct frame *f = &frames[i];
		cap_rec(b, s->be, f->sec, s->nanos ? f->usec * 1000 + i : f->usec,
		        f->caplen, f->len, f->data, f->caplen);
	}
	return b;
}

/* --- the tests ----------------------------------------------------------- */

START_TEST(test_every_capture)
{
	for (guint i = 0; i < paths->len; i++) {
		char *path = g_ptr_array_index(paths, i);
		GByteArray *b = g_byte_array_new();
		char *data;
		gsize len;
		struct reading r;

		ck_assert(g_file_get_contents(path, &data, &len, NULL));
		g_byte_array_append(b, (guint8 *)data, (guint)len);
		g_free(data);
		check_bytes(b, path, NULL, OWN, &r);
		ck_assert_int_eq(r.rc, TFE_CAPTURE_END);
		/* every capture holds packets but the one of a capture point
		 * that saw nothing (a file header alone, 24 bytes: the
		 * server's end of router-icmp-unreachable) */
		if (len > 24)
			ck_assert_uint_gt(r.delivered, 0);
		else
			ck_assert_uint_eq(r.delivered, 0);
		reading_clear(&r);
		g_byte_array_free(b, TRUE);
	}
	/* All of them in a row, parsed and by libpcap: numbers go on. */
	struct reading a, l;
	read_files((char **)paths->pdata, paths->len, NULL, false, &a);
	read_files((char **)paths->pdata, paths->len, NULL, true, &l);
	assert_same(&a, &l, "pcaps/ in a row", "parser vs libpcap");
	ck_assert_uint_eq(a.own, paths->len);
	ck_assert_uint_eq(l.own, 0);
	reading_clear(&a);
	reading_clear(&l);
}
END_TEST

/* Both byte orders, µs and ns, each read at ns. */
START_TEST(test_byte_orders_and_precisions)
{
	for (int be = 0; be < 2; be++)
		for (int ns = 0; ns < 2; ns++) {
			struct shape s = { be, ns, 0, 0, 65535, 1, 0 };
			GByteArray *b = cap_real(&s, nframes);
			char *what = g_strdup_printf("real frames, %s, %s",
			                             be ? "big-endian" : "little-endian",
			                             ns ? "ns" : "µs");
			struct reading r;

			check_bytes(b, what, NULL, OWN, &r);
			ck_assert_uint_eq(r.delivered, nframes);
			ck_assert_int_eq(r.rc, TFE_CAPTURE_END);
			/* the first frame's time, worked out by hand */
			uint64_t ts;
			memcpy(&ts, r.log->data + 8, 8);
			ck_assert_uint_eq(ts, (uint64_t)frames[0].sec * 1000000000u +
			                  frames[0].usec * 1000u);
			reading_clear(&r);
			g_free(what);
			g_byte_array_free(b, TRUE);
		}
}
END_TEST

/* A small capture with every kind of odd record, cut at every length,
 * in both byte orders. */
START_TEST(test_every_cut)
{
	for (int be = 0; be < 2; be++) {
		struct shape s = { be, be, 0, 0, 100, 1, 0 };
		GByteArray *b = cap_new(&s);
		GByteArray *cut = g_byte_array_new();

		cap_rec(b, be, 1000, 1, frames[0].caplen, frames[0].len,
		        frames[0].data, frames[0].caplen);
		cap_rec(b, be, 1001, 2, 0, 60, NULL, 0);        /* caplen 0 */
		cap_rec(b, be, 1002, 3, 60, 40, NULL, 60);      /* caplen > len */
		cap_rec(b, be, 1003, 4, 150, 150, NULL, 150);   /* > snaplen */
		cap_rec(b, be, 1004, 5, 100, 1500, NULL, 100);  /* = snaplen */
		cap_rec(b, be, 1005, 6, frames[1].caplen, frames[1].len,
		        frames[1].data, frames[1].caplen);
		for (guint n = 0; n <= b->len; n++) {
			char *what = g_strdup_printf("odd records (%s), cut at %u",
			                             be ? "big-endian" : "little-endian",
			                             n);
			struct reading r;

			g_byte_array_set_size(cut, 0);
			g_byte_array_append(cut, b->data, n);
			check_bytes(cut, what, NULL, n >= 24 ? OWN : LIBPCAP, &r);
			if (n == b->len) {
				ck_assert_int_eq(r.rc, TFE_CAPTURE_END);
				ck_assert_uint_eq(r.delivered, 6);
			} else if (n >= 24) {
				/* cut on a record's end, or in one */
				ck_assert_msg(r.rc == TFE_CAPTURE_END ||
				              (r.rc == TFE_CAPTURE_ERROR &&
				               strstr(r.msg, "truncated dump file")),
				              "%s: %d %s", what, r.rc,
				              r.msg ? r.msg : "");
				ck_assert_uint_lt(r.delivered, 6);
			}
			reading_clear(&r);
			g_free(what);
		}
		g_byte_array_free(cut, TRUE);
		g_byte_array_free(b, TRUE);
	}
}
END_TEST

/* caplen against the 262144 maximum and the header's snapshot length
 * (300000: a caplen of as much is above the one, not the other):
 * 0 and 2^31 (libpcap takes the maximum for both), 2^31 - 1 and small. */
START_TEST(test_caplen_limits)
{
	static const uint32_t snaplens[] = { 0, 0x80000000u, 0x7fffffffu, 300000,
	                                     65535, 1000, 1 };
	static const uint32_t caplens[] = { 262144, 262145, 300000,
	                                    0xffffffffu };

	for (guint i = 0; i < G_N_ELEMENTS(snaplens); i++)
		for (guint j = 0; j < G_N_ELEMENTS(caplens); j++)
			for (int be = 0; be < 2; be++) {
				struct shape s = { be, 0, 0, 0, snaplens[i], 1, 0 };
				GByteArray *b = cap_new(&s);
				char *what = g_strdup_printf(
					"snaplen %u, caplen %u, %s", snaplens[i],
					caplens[j], be ? "big-endian" : "little-endian");
				struct reading r;
				uint32_t n = caplens[j] <= 300000 ? caplens[j] : 10;

				cap_rec(b, be, 5, 5, 60, 60, NULL, 60);
				cap_rec(b, be, 6, 6, caplens[j], 70000, NULL, n);
				cap_rec(b, be, 7, 7, 60, 60, NULL, 60);
				check_bytes(b, what, NULL, OWN, &r);
				ck_assert_uint_ge(r.delivered, 1);
				if (caplens[j] > 262144)
					ck_assert_msg(r.rc == TFE_CAPTURE_ERROR &&
					              strstr(r.msg, "invalid packet "
					                     "capture length"),
					              "%s: %d", what, r.rc);
				reading_clear(&r);
				g_free(what);
				g_byte_array_free(b, TRUE);
			}
}
END_TEST

/* Records of every size up to the largest, so that the buffer's end
 * falls at every kind of place: in a record header, in the data, on a
 * boundary; three of the largest records in a row. */
START_TEST(test_records_across_the_buffer)
{
	struct shape s = { 0, 1, 0, 0, 0, 1, 0 };
	GByteArray *b = cap_new(&s);
	guint32 seed = 12345;
	struct reading r;
	guint count = 0;

	while (b->len < 3 * 1024 * 1024) {
		seed = seed * 1103515245u + 12345u;
		uint32_t n = (seed >> 8) % (count % 50 == 0 ? 262145 : 3000);
		cap_rec(b, false, count, seed % 1000000000u, n, n + 4, NULL, n);
		count++;
	}
	for (int i = 0; i < 3; i++, count++)
		cap_rec(b, false, count, 0, 262144, 262144, NULL, 262144);
	cap_rec(b, false, count++, 0, 1, 1, NULL, 1);
	check_bytes(b, "records of every size", NULL, OWN, &r);
	ck_assert_int_eq(r.rc, TFE_CAPTURE_END);
	ck_assert_uint_eq(r.delivered, count);
	reading_clear(&r);
	g_byte_array_free(b, TRUE);
}
END_TEST

/* Times with the top bit set, fractions past a second, in µs and ns. */
START_TEST(test_odd_times)
{
	static const uint32_t secs[] = { 0, 0x7fffffffu, 0x80000000u,
	                                 0xffffffffu };
	static const uint32_t fracs[] = { 0, 999999, 999999999, 0x80000000u,
	                                  0xffffffffu };

	for (int be = 0; be < 2; be++)
		for (int ns = 0; ns < 2; ns++) {
			struct shape s = { be, ns, 0, 0, 65535, 1, 0 };
			GByteArray *b = cap_new(&s);
			struct reading r;

			for (guint i = 0; i < G_N_ELEMENTS(secs); i++)
				for (guint j = 0; j < G_N_ELEMENTS(fracs); j++)
					cap_rec(b, be, secs[i], fracs[j], 20, 20, NULL,
					        20);
			check_bytes(b, "odd times", NULL, OWN, &r);
			ck_assert_int_eq(r.rc, TFE_CAPTURE_END);
			ck_assert_uint_eq(r.delivered,
			                  G_N_ELEMENTS(secs) * G_N_ELEMENTS(fracs));
			reading_clear(&r);
			g_byte_array_free(b, TRUE);
		}
}
END_TEST

/* Old versions store caplen and len the other way round (before 2.3
 * always, in 2.3 when caplen > len); other versions libpcap refuses. */
START_TEST(test_versions)
{
	static const uint16_t v[][2] = { { 2, 0 }, { 2, 2 }, { 2, 3 },
	                                 { 2, 4 }, { 543, 0 }, { 2, 5 },
	                                 { 1, 0 }, { 3, 0 } };

	for (guint i = 0; i < G_N_ELEMENTS(v); i++)
		for (int be = 0; be < 2; be++) {
			struct shape s = { be, 0, v[i][0], v[i][1], 65535, 1, 0 };
			GByteArray *b = cap_new(&s);
			char *what = g_strdup_printf("version %u.%u", v[i][0],
			                             v[i][1]);
			bool opens = (v[i][0] == 2 && v[i][1] <= 4) || v[i][0] == 543;
			struct reading r;

			cap_rec(b, be, 1, 1, 60, 80, NULL, 60);
			cap_rec(b, be, 2, 2, 80, 60, NULL, 80);
			cap_rec(b, be, 3, 3, 40, 40, NULL, 40);
			check_bytes(b, what, NULL, opens ? OWN : LIBPCAP, &r);
			/* the records are laid out for 2.4: the older readings
			 * go wrong, the same way for both */
			if (!opens)
				ck_assert_int_eq(r.rc, -100);
			else if (v[i][1] == 4)
				ck_assert_int_eq(r.rc, TFE_CAPTURE_END);
			reading_clear(&r);
			g_free(what);
			g_byte_array_free(b, TRUE);
		}
}
END_TEST

/* Every link type the decoder takes, in both byte orders, and those
 * libpcap rewrites records of: a byte-swapped Linux cooked capture (v1
 * or v2: SocketCAN headers), pflog (the uid and pid fields), Linux USB
 * or NFLOG is left to libpcap, and so is every link type the decoder
 * does not take (USB, D-Bus, whose records may be longer); Kuznetzov's
 * magic (longer record headers) too. */
START_TEST(test_link_types)
{
	static const uint32_t lts[] = { 0, 1, 12, 14, 101, 108, 113, 117, 189,
	                                220, 228, 229, 231, 239, 276 };
	/* an SLL header for SocketCAN (protocol 0x000c), then a CAN id */
	uint8_t can[24] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0c,
	                    1, 2, 3, 4, 8, 0, 0, 0 };

	for (guint i = 0; i < G_N_ELEMENTS(lts); i++)
		for (int be = 0; be < 2; be++) {
			struct shape s = { be, 0, 0, 0, 65535, lts[i], 0 };
			GByteArray *b = cap_new(&s);
			char *what = g_strdup_printf("link type %u, %s", lts[i],
			                             be ? "big-endian" : "little-endian");
			bool rewritten = lts[i] == 113 || lts[i] == 276 ||
			                 lts[i] == 239 || lts[i] == 117;
			struct reading r;

			cap_rec(b, be, 1, 1, sizeof can, 64, can, sizeof can);
			cap_rec(b, be, 2, 2, 40, 40, NULL, 40);
			check_bytes(b, what, NULL,
			            (be && rewritten) ||
			            lts[i] == 189 || lts[i] == 220 ||
			            lts[i] == 231 ? LIBPCAP : OWN,
			            &r);
			ck_assert_int_eq(r.rc, TFE_CAPTURE_END);
			ck_assert_uint_eq(r.delivered, 2);
			reading_clear(&r);
			g_free(what);
			g_byte_array_free(b, TRUE);
		}
	for (int be = 0; be < 2; be++) {
		struct shape s = { be, 0, 0, 0, 65535, 1, 0xa1b2cd34 };
		GByteArray *b = cap_new(&s);
		struct reading r;

		/* 24-byte record headers: 8 more after the usual 16 */
		cap_rec(b, be, 1, 1, 40, 40, NULL, 0);
		g_byte_array_set_size(b, b->len + 8 + 40);
		check_bytes(b, "Kuznetzov's format", NULL, LIBPCAP, &r);
		ck_assert_uint_eq(r.delivered, 1);
		reading_clear(&r);
		g_byte_array_free(b, TRUE);
	}
}
END_TEST

/* A filter that drops some frames: the numbers still count them all. */
START_TEST(test_filter)
{
	for (int be = 0; be < 2; be++) {
		struct shape s = { be, 0, 0, 0, 65535, 1, 0 };
		GByteArray *b = cap_real(&s, nframes);
		struct reading r;

		check_bytes(b, "filter", "tcp[tcpflags] & tcp-push != 0", OWN, &r);
		ck_assert_int_eq(r.rc, TFE_CAPTURE_END);
		ck_assert_uint_gt(r.delivered, 0);
		ck_assert_uint_lt(r.delivered, nframes);
		ck_assert_uint_eq(r.frames, nframes);
		reading_clear(&r);
		g_byte_array_free(b, TRUE);
	}
}
END_TEST

/* Files in a row: some parsed, some not, one cut; the numbers go on. */
START_TEST(test_files_in_a_row)
{
	struct shape le = { 0, 0, 0, 0, 65535, 1, 0 };
	struct shape sll = { 1, 1, 0, 0, 65535, 113, 0 };
	GByteArray *parts[3];
	char *files[3];
	struct reading a, l;

	parts[0] = cap_real(&le, 10);
	parts[1] = cap_new(&sll);
	cap_rec(parts[1], true, 9, 9, 40, 40, NULL, 40);
	parts[2] = cap_real(&le, 12);
	g_byte_array_set_size(parts[2], parts[2]->len - 5);
	for (int i = 0; i < 3; i++) {
		files[i] = g_strdup_printf("%s/row%d.pcap", tmpdir, i);
		ck_assert(g_file_set_contents(files[i], (char *)parts[i]->data,
		                              parts[i]->len, NULL));
	}
	read_files(files, 3, NULL, false, &a);
	read_files(files, 3, NULL, true, &l);
	assert_same(&a, &l, "three files", "parser vs libpcap");
	ck_assert_uint_eq(a.own, 2);
	ck_assert_int_eq(a.rc, TFE_CAPTURE_ERROR);
	ck_assert_uint_eq(a.delivered, 10 + 1 + 11);
	reading_clear(&a);
	reading_clear(&l);
	for (int i = 0; i < 3; i++) {
		g_unlink(files[i]);
		g_free(files[i]);
		g_byte_array_free(parts[i], TRUE);
	}
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
	char ebuf[PCAP_ERRBUF_SIZE];
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	pcap_t *pc;
	struct pcap_pkthdr *h;
	const u_char *data;
	char *src;

	ck_assert_msg(d != NULL, "cannot open %s (set top_srcdir)", dir);
	paths = g_ptr_array_new_with_free_func(g_free);
	while ((name = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(name, ".pcap"))
			g_ptr_array_add(paths, g_build_filename(dir, name, NULL));
	g_dir_close(d);
	g_ptr_array_sort(paths, by_name);
	ck_assert_uint_ge(paths->len, 20);

	/* Real frames to build captures from. */
	src = g_build_filename(dir, "zero-window.pcap", NULL);
	pc = pcap_open_offline(src, ebuf);
	ck_assert_msg(pc != NULL, "%s", ebuf);
	while (pcap_next_ex(pc, &h, &data) == 1) {
		frames = g_renew(struct frame, frames, nframes + 1);
		frames[nframes].sec = (uint32_t)h->ts.tv_sec;
		frames[nframes].usec = (uint32_t)h->ts.tv_usec;
		frames[nframes].caplen = h->caplen;
		frames[nframes].len = h->len;
		frames[nframes].data = g_memdup2(data, h->caplen);
		nframes++;
	}
	pcap_close(pc);
	ck_assert_uint_ge(nframes, 20);
	g_free(src);
	g_free(dir);
	tmpdir = g_dir_make_tmp("tfe-capture-XXXXXX", NULL);
	ck_assert_ptr_nonnull(tmpdir);
}

static void
teardown(void)
{
	for (guint i = 0; i < nframes; i++)
		g_free(frames[i].data);
	g_free(frames);
	g_rmdir(tmpdir);
	g_free(tmpdir);
	g_ptr_array_free(paths, TRUE);
}

int
main(void)
{
	Suite *s = suite_create("capture");
	TCase *tc = tcase_create("parser as libpcap");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_every_capture);
	tcase_add_test(tc, test_byte_orders_and_precisions);
	tcase_add_test(tc, test_every_cut);
	tcase_add_test(tc, test_caplen_limits);
	tcase_add_test(tc, test_records_across_the_buffer);
	tcase_add_test(tc, test_odd_times);
	tcase_add_test(tc, test_versions);
	tcase_add_test(tc, test_link_types);
	tcase_add_test(tc, test_filter);
	tcase_add_test(tc, test_files_in_a_row);
	suite_add_tcase(s, tc);
	return tfe_test_main(s);
}
