/*
 * check_addr.c: unit tests for the address formatting (src/addr.c).
 *
 * addr.c writes addresses by hand for speed, promising exactly what the
 * C library's inet_ntop(3) writes.  The tests hold it to that on the
 * cases RFC 5952 and inet_ntop's own rules single out (the zero run to
 * compress, ties between runs, a lone zero group, the IPv4-compatible and
 * mapped forms and their near misses) and on random addresses whose
 * groups are mostly zero, so that every shape of run comes up.
 *
 * The numbers and times every output form writes are also written by
 * hand (format.h, format.c); they are held to printf's "%llu" and
 * "%s%llu.%06llu" (or %09llu) on every power of ten and its neighbours and
 * on random values of every length.
 *
 * A scaled window is written and counted with the shift capped at
 * TFE_WSCALE_MAX (RFC 7323).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/socket.h>

#include "addr.h"
#include "format.h"
#include "render.h"
#include "testutil.h"

static void
assert_like_inet_ntop(int family, const uint8_t addr[16])
{
	char want[TFE_ADDR_STRLEN], got[TFE_ADDR_STRLEN];
	char want_ep[TFE_ADDR_STRLEN + 8], got_ep[TFE_ADDR_STRLEN];

	ck_assert_ptr_nonnull(inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr,
	                                want, sizeof want));
	ck_assert_ptr_eq(tfe_addr_format(family, addr, got, sizeof got), got);
	ck_assert_str_eq(got, want);

	uint16_t port = (uint16_t)(addr[3] * 257u + addr[15]);
	snprintf(want_ep, sizeof want_ep, family == 6 ? "[%s]:%u" : "%s:%u",
	         want, (unsigned)port);
	tfe_endpoint_format(family, addr, port, got_ep, sizeof got_ep);
	ck_assert_str_eq(got_ep, want_ep);
}

/* Builds an IPv6 address from its eight groups. */
static void
groups(uint8_t a[16], const uint16_t g[8])
{
	for (int i = 0; i < 8; i++) {
		a[2 * i] = (uint8_t)(g[i] >> 8);
		a[2 * i + 1] = (uint8_t)g[i];
	}
}

START_TEST(test_ipv6_cases)
{
	static const uint16_t cases[][8] = {
		{ 0, 0, 0, 0, 0, 0, 0, 0 },                 /* :: */
		{ 0, 0, 0, 0, 0, 0, 0, 1 },                 /* ::1 */
		{ 1, 0, 0, 0, 0, 0, 0, 0 },                 /* 1:: */
		{ 0x2001, 0xdb8, 0, 0, 0, 0, 0, 1 },
		{ 0x2001, 0xdb8, 0, 1, 0, 0, 0, 1 },        /* the longer run */
		{ 0x2001, 0, 0, 1, 0, 0, 1, 1 },            /* a tie: the first */
		{ 0x2001, 0xdb8, 0, 1, 1, 1, 1, 1 },        /* one zero: kept */
		{ 0x2001, 0xdb8, 0xabcd, 0x12, 0xf, 0xf0, 0xf00, 0xffff },
		{ 0, 0, 0, 0, 0, 0, 0xc000, 0x0201 },       /* ::192.0.2.1 */
		{ 0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201 },  /* ::ffff:192.0.2.1 */
		{ 0, 0, 0, 0, 0, 0xfffe, 0xc000, 0x0201 },  /* not mapped */
		{ 0, 0, 0, 0, 1, 0xffff, 0xc000, 0x0201 },  /* not mapped */
		{ 0, 0, 0, 0, 0, 0, 0, 0x0201 },            /* ::0.0.2.1? no */
		{ 0, 0, 0, 0, 0, 0, 0x0100, 0 },
		{ 0, 0, 0, 0, 0, 0xffff, 0, 0 },
		{ 0xfe80, 0, 0, 0, 0x0202, 0xb3ff, 0xfe1e, 0x8329 },
		{ 0, 1, 0, 0, 1, 0, 0, 0 },                 /* tie at the end */
		{ 1, 0, 0, 1, 0, 0, 0, 1 },
	};
	uint8_t a[16];

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		groups(a, cases[i]);
		assert_like_inet_ntop(6, a);
	}
}
END_TEST

START_TEST(test_ipv4_cases)
{
	static const uint8_t cases[][4] = {
		{ 0, 0, 0, 0 }, { 10, 0, 0, 1 }, { 255, 255, 255, 255 },
		{ 9, 10, 99, 100 }, { 192, 0, 2, 200 }, { 1, 20, 199, 250 },
	};
	uint8_t a[16] = { 0 };

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		memcpy(a, cases[i], 4);
		assert_like_inet_ntop(4, a);
	}
}
END_TEST

/* Random addresses, each group zero with probability one half and
 * otherwise of 1 to 4 hex digits, and random IPv4 addresses. */
START_TEST(test_random)
{
	GRand *rnd = g_rand_new_with_seed(5952);
	uint8_t a[16];

	for (int n = 0; n < 20000; n++) {
		uint16_t g[8];
		for (int i = 0; i < 8; i++) {
			if (g_rand_boolean(rnd)) {
				g[i] = 0;
				continue;
			}
			int digits = g_rand_int_range(rnd, 1, 5);
			g[i] = (uint16_t)g_rand_int_range(rnd, 1, 1 << (4 * digits));
		}
		groups(a, g);
		assert_like_inet_ntop(6, a);
		for (int i = 0; i < 4; i++)
			a[i] = (uint8_t)g_rand_int_range(rnd, 0, 256);
		assert_like_inet_ntop(4, a);
	}
	g_rand_free(rnd);
}
END_TEST

/* A buffer too small: "?" for the address alone, as inet_ntop's failure
 * was reported; the endpoint cut short, as snprintf cut it. */
START_TEST(test_short_buffer)
{
	static const uint8_t a[16] = { 192, 0, 2, 1 };
	char buf[8];

	ck_assert_str_eq(tfe_addr_format(4, a, buf, 7), "?");
	ck_assert_str_eq(tfe_addr_format(4, a, buf, 8), "?");
	char big[16];
	ck_assert_str_eq(tfe_addr_format(4, a, big, 10), "192.0.2.1");
	ck_assert_str_eq(tfe_endpoint_format(4, a, 443, buf, sizeof buf),
	                 "192.0.2");
	ck_assert_str_eq(tfe_endpoint_format(4, a, 443, big, sizeof big),
	                 "192.0.2.1:443");
}
END_TEST

static void
assert_number(uint64_t v)
{
	char want[32], got[32];

	snprintf(want, sizeof want, "%" PRIu64, v);
	*tfe_u64_dec_end(v, got) = '\0';
	ck_assert_str_eq(got, want);
}

static void
assert_seconds(int64_t ns)
{
	char want[48], got[48];
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;

	for (int nanos = 0; nanos < 2; nanos++)
		for (int sign = 0; sign < 2; sign++) {
			const char *s = ns < 0 ? "-" : (sign ? "+" : "");
			if (nanos)
				snprintf(want, sizeof want, "%s%" PRIu64 ".%09" PRIu64,
				         s, a / 1000000000u, a % 1000000000u);
			else
				snprintf(want, sizeof want, "%s%" PRIu64 ".%06" PRIu64,
				         s, a / 1000000000u,
				         (a % 1000000000u) / 1000u);
			tfe_format_seconds(ns, nanos, sign, got, sizeof got);
			ck_assert_str_eq(got, want);
		}
}

START_TEST(test_numbers)
{
	GRand *rnd = g_rand_new_with_seed(1000);
	uint64_t p = 1;

	assert_number(0);
	assert_number(UINT32_MAX);
	assert_number((uint64_t)UINT32_MAX + 1);
	assert_number(UINT64_MAX);
	for (int k = 0; k < 20; k++, p *= 10) {
		assert_number(p);
		assert_number(p - 1);
		assert_number(p + 1);
		assert_number(p * 9 + (p - 1));
		if (k < 19) { /* within int64 */
			assert_seconds((int64_t)p);
			assert_seconds((int64_t)p - 1);
			assert_seconds(-(int64_t)p);
		}
	}
	assert_seconds(0);
	assert_seconds(INT64_MAX);
	assert_seconds(INT64_MIN + 1);
	for (int n = 0; n < 200000; n++) {
		/* a random length, then a random value of it */
		int bits = g_rand_int_range(rnd, 1, 65);
		uint64_t v = ((uint64_t)g_rand_int(rnd) << 32 | g_rand_int(rnd)) >>
		             (64 - bits);
		assert_number(v);
		assert_seconds((int64_t)(v >> 1) * (g_rand_boolean(rnd) ? 1 : -1));
	}
	g_rand_free(rnd);
}
END_TEST

/* A window scale shift above 14 counts as 14 (RFC 7323 §2.3), wherever
 * a window is scaled: the text form's "502x16384" and the scaled window
 * the analysis keeps. */
START_TEST(test_window_scale_cap)
{
	static const struct {
		uint8_t wscale;
		const char *text;
		uint32_t scaled;
	} cases[] = {
		{ 0, "502", 502 },
		{ 7, "502x128", 502u << 7 },
		{ 14, "502x16384", 502u << 14 },
		{ 15, "502x16384", 502u << 14 },
		{ 255, "502x16384", 502u << 14 },
	};
	static struct tfe_conn c;
	char buf[32];

	c.ws_ok = true;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		c.ep[TFE_SIDE_CLIENT].wscale = cases[i].wscale;
		tfe_format_window(&c, TFE_SIDE_CLIENT, 502, TFE_TH_ACK, buf,
		                  sizeof buf);
		ck_assert_str_eq(buf, cases[i].text);
		ck_assert_uint_eq(tfe_conn_scaled_window(&c, TFE_SIDE_CLIENT, 502,
		                                         TFE_TH_ACK),
		                  cases[i].scaled);
		ck_assert_uint_le(tfe_wscale_shift(cases[i].wscale),
		                  TFE_WSCALE_MAX);
	}
}
END_TEST

static Suite *
addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("format");

	tcase_add_test(tc, test_ipv6_cases);
	tcase_add_test(tc, test_ipv4_cases);
	tcase_add_test(tc, test_random);
	tcase_add_test(tc, test_short_buffer);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_window_scale_cap);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tfe_test_main(addr_suite());
}
