/*
 * format.h: the output buffer and the number formatting that every output
 * form and the verdict sentences share.  It knows nothing of connections:
 * bytes, decimal digits and seconds only, so that everything above may
 * use it and it uses nothing above.
 */
#ifndef TFE_FORMAT_H
#define TFE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The long case of tfe_copy: a function of its own, so
 * that the compiler does not weigh a long copy against a short constant
 * source it can see. */
void tfe_copy_long(char *dst, const char *src, size_t n);

/* Copies n bytes like memcpy, short ones (the names, numbers and
 * punctuation the output forms are made of) with two overlapping loads
 * and stores instead of a call. */
static inline void
tfe_copy(char *dst, const char *src, size_t n)
{
	if (n > 16) {
		tfe_copy_long(dst, src, n);
	} else if (n >= 8) {
		uint64_t a, b;
		memcpy(&a, src, 8);
		memcpy(&b, src + n - 8, 8);
		memcpy(dst, &a, 8);
		memcpy(dst + n - 8, &b, 8);
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, src, 4);
		memcpy(&b, src + n - 4, 4);
		memcpy(dst, &a, 4);
		memcpy(dst + n - 4, &b, 4);
	} else if (n > 0) {
		dst[0] = src[0];
		dst[n / 2] = src[n / 2];
		dst[n - 1] = src[n - 1];
	}
}

/* An output buffer kept from block to block (text) or line to line
 * (json), written out with one fwrite. */
struct tfe_obuf {
	char *p;
	size_t len, cap;
};

/* Makes room for n more bytes. */
void tfe_obuf_grow(struct tfe_obuf *b, size_t n);

static inline void
tfe_obuf_put(struct tfe_obuf *b, const char *s, size_t n)
{
	if (b->len + n > b->cap)
		tfe_obuf_grow(b, n);
	tfe_copy(b->p + b->len, s, n);
	b->len += n;
}

/* Two decimal digits of each number below 100. */
extern const char tfe_digit_pairs[201];

/* The two digits of r (< 100) at p. */
static inline void
tfe_put2(char *p, unsigned r)
{
	memcpy(p, tfe_digit_pairs + 2 * r, 2);
}

/* Writes v in decimal at buf (room for 20 digits), not terminated, and
 * returns the end: its digits counted first, then written from the last,
 * two per step from a table, since numbers are most of what the output
 * forms write.  Values of 32 bits (nearly all) take 32-bit arithmetic. */
static inline char *
tfe_u64_dec_end(uint64_t v, char *buf)
{
	size_t n;

	if (v <= UINT32_MAX) {
		uint32_t w = (uint32_t)v;

		n = w < 10 ? 1 : w < 100 ? 2 : w < 1000 ? 3 : w < 10000 ? 4 :
		    w < 100000 ? 5 : w < 1000000 ? 6 : w < 10000000 ? 7 :
		    w < 100000000 ? 8 : w < 1000000000 ? 9 : 10;
		char *p = buf + n;
		while (w >= 100) {
			p -= 2;
			tfe_put2(p, w % 100);
			w /= 100;
		}
		if (w >= 10)
			tfe_put2(p - 2, w);
		else
			p[-1] = (char)('0' + w);
		return buf + n;
	}
	char tmp[20], *p = tmp + sizeof tmp;
	while (v >= 100) {
		p -= 2;
		tfe_put2(p, (unsigned)(v % 100));
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		tfe_put2(p, (unsigned)v);
	} else {
		*--p = (char)('0' + v);
	}
	n = (size_t)(tmp + sizeof tmp - p);
	tfe_copy(buf, p, n);
	return buf + n;
}

static inline void
tfe_obuf_putc(struct tfe_obuf *b, char c)
{
	if (b->len + 1 > b->cap)
		tfe_obuf_grow(b, 1);
	b->p[b->len++] = c;
}

/* v in decimal */
static inline void
tfe_obuf_put_u64(struct tfe_obuf *b, uint64_t v)
{
	char d[20];

	tfe_obuf_put(b, d, (size_t)(tfe_u64_dec_end(v, d) - d));
}

/* Formats a duration or relative time in ns as seconds with 6 or 9
 * decimals, signed when `sign` ("+0.010000"). */
char *tfe_format_seconds(int64_t ns, bool nanos, bool sign, char *buf,
                         size_t len);

/* The digits of tfe_format_seconds at p (room for 32 bytes), not
 * terminated; returns their end (inline: the text form's row writer
 * calls it for every row). */
static inline char *
tfe_secs_end(int64_t ns, bool nanos, bool sign, char *p)
{
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	uint64_t whole = a / 1000000000u;
	uint32_t sub = (uint32_t)(a - whole * 1000000000u);

	if (ns < 0)
		*p++ = '-';
	else if (sign)
		*p++ = '+';
	p = tfe_u64_dec_end(whole, p);
	*p++ = '.';
	if (nanos) {
		/* 9 digits: one, then four pairs */
		p[0] = (char)('0' + sub / 100000000u);
		sub %= 100000000u;
		tfe_put2(p + 7, sub % 100);
		sub /= 100;
		tfe_put2(p + 5, sub % 100);
		sub /= 100;
		tfe_put2(p + 3, sub % 100);
		tfe_put2(p + 1, sub / 100);
		return p + 9;
	}
	sub /= 1000u;
	tfe_put2(p + 4, sub % 100);
	sub /= 100;
	tfe_put2(p + 2, sub % 100);
	tfe_put2(p, sub / 100);
	return p + 6;
}

/* How a frame row's time column reads (-t, -tt, -ttt, -tttt, as tcpdump
 * counts them; doc/tcpflow-explain.1). */
enum tfe_tstamp {
	TFE_TS_CONN = 0,  /* default: seconds since the connection's first
	                     frame, "+0.000220" */
	TFE_TS_CLOCK,     /* -t: time of day, UTC, "12:26:27.980066" */
	TFE_TS_EPOCH,     /* -tt: seconds since 1970, "1795311987.980066" */
	TFE_TS_DELTA,     /* -ttt: seconds since the row above, "+0.000220" */
	TFE_TS_DATE,      /* -tttt: date and time, UTC,
	                     "2026-11-21 12:26:27.980066" */
	TFE_TS__COUNT
};

/* The time column's width in the mode, with 6 or 9 decimals. */
int tfe_tstamp_width(enum tfe_tstamp mode, bool nanos);

/* Writes `ts` (ns since the epoch) as the mode says at p (room for 40
 * bytes), not terminated; `base` is the connection's first frame
 * (TFE_TS_CONN) or the row above (TFE_TS_DELTA).  Returns the end. */
char *tfe_tstamp_end(enum tfe_tstamp mode, int64_t ts, int64_t base,
                     bool nanos, char *p);

/* A duration in ns as seconds with 6 or 9 decimals, then " s", and when
 * it is a minute or longer, how long that is in words, rounded down:
 * "93780.250000 s (26 h 3 min)", "75.000000 s (1 min 15 s)",
 * "950400.000000 s (11 d 0 h)".  `buf` holds 64. */
char *tfe_format_duration(int64_t ns, bool nanos, char *buf, size_t len);

/* The words alone, "26 h 3 min"; empty under a minute.  `buf` holds 32. */
char *tfe_format_duration_words(int64_t ns, char *buf, size_t len);

#endif /* TFE_FORMAT_H */
