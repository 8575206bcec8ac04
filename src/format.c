/*
 * format.c: the output buffer's growth, the long copy and the seconds
 * (format.h); the inline parts are in the header.
 */
#include "format.h"

#include <inttypes.h>
#include <stdio.h>

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
