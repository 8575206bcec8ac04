/*
 * format.c: the output buffer's growth, the long copy and the seconds
 * (format.h); the inline parts are in the header.
 */
#include "format.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include <glib.h>

#if defined(__GNUC__)
__attribute__((noinline))
#endif
void
tfe_copy_long(char *dst, const char *src, size_t n)
{
	memcpy(dst, src, n);
}

const char tfe_digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324"
	"25262728293031323334353637383940414243444546474849"
	"50515253545556575859606162636465666768697071727374"
	"75767778798081828384858687888990919293949596979899";

void
tfe_obuf_grow(struct tfe_obuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 1 << 14;

	while (cap < b->len + n)
		cap *= 2;
	b->p = g_realloc(b->p, cap);
	b->cap = cap;
}

char *
tfe_format_seconds(int64_t ns, bool nanos, bool sign, char *buf, size_t len)
{
	/* sign, 20 digits, point, 9 digits and the NUL fit in 32 */
	if (len < 32) {
		const char *s = ns < 0 ? "-" : (sign ? "+" : "");
		uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;

		if (nanos)
			snprintf(buf, len, "%s%" PRIu64 ".%09" PRIu64, s,
			         a / 1000000000u, a % 1000000000u);
		else
			snprintf(buf, len, "%s%" PRIu64 ".%06" PRIu64, s,
			         a / 1000000000u, (a % 1000000000u) / 1000u);
		return buf;
	}
	*tfe_secs_end(ns, nanos, sign, buf) = '\0';
	return buf;
}

int
tfe_tstamp_width(enum tfe_tstamp mode, bool nanos)
{
	int extra = nanos ? 3 : 0;

	switch (mode) {
	case TFE_TS_CLOCK:
		return 15 + extra;
	case TFE_TS_EPOCH:
		return 17 + extra;
	case TFE_TS_DATE:
		return 26 + extra;
	case TFE_TS_CONN:
	case TFE_TS_DELTA:
	case TFE_TS__COUNT:
		break;
	}
	return 11 + extra;
}

/* The calendar date of a day count since 1970-01-01 (proleptic
 * Gregorian; negative counts are before 1970): H. Hinnant's
 * days-to-civil arithmetic, no time zone, no library state. */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

char *
tfe_tstamp_end(enum tfe_tstamp mode, int64_t ts, int64_t base, bool nanos,
               char *p)
{
	if (mode == TFE_TS_CONN || mode == TFE_TS_DELTA)
		return tfe_secs_end(ts - base, nanos, true, p);
	if (mode == TFE_TS_EPOCH)
		return tfe_secs_end(ts, nanos, false, p);

	/* floor division: a time before 1970 is the day before at some
	 * hour, never a negative hour */
	int64_t sec = ts / 1000000000;
	int64_t sub = ts % 1000000000;
	if (sub < 0) {
		sub += 1000000000;
		sec--;
	}
	int64_t days = sec / 86400, rem = sec % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	if (mode == TFE_TS_DATE) {
		int64_t y;
		unsigned m, d;
		char date[40];

		civil_from_days(days, &y, &m, &d);
		int n = snprintf(date, sizeof date, "%04" PRId64 "-%02u-%02u ",
		                 y, m, d);
		memcpy(p, date, (size_t)n);
		p += n;
	}
	tfe_put2(p, (unsigned)(rem / 3600));
	p[2] = ':';
	tfe_put2(p + 3, (unsigned)(rem / 60 % 60));
	p[5] = ':';
	tfe_put2(p + 6, (unsigned)(rem % 60));
	/* the fraction as the seconds form writes it */
	char frac[32];
	char *e = tfe_secs_end(sub, nanos, false, frac);
	/* "0.123456": skip the "0" */
	memcpy(p + 8, frac + 1, (size_t)(e - frac - 1));
	return p + 8 + (e - frac - 1);
}

char *
tfe_format_duration_words(int64_t ns, char *buf, size_t len)
{
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	uint64_t s = a / 1000000000u;

	if (s < 60)
		snprintf(buf, len, "%s", "");
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 " min %" PRIu64 " s", s / 60,
		         s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 " h %" PRIu64 " min", s / 3600,
		         s / 60 % 60);
	else
		snprintf(buf, len, "%" PRIu64 " d %" PRIu64 " h", s / 86400,
		         s / 3600 % 24);
	return buf;
}

char *
tfe_format_duration(int64_t ns, bool nanos, char *buf, size_t len)
{
	char secs[32], words[32];

	tfe_format_seconds(ns, nanos, false, secs, sizeof secs);
	tfe_format_duration_words(ns, words, sizeof words);
	if (words[0])
		snprintf(buf, len, "%s s (%s)", secs, words);
	else
		snprintf(buf, len, "%s s", secs);
	return buf;
}
