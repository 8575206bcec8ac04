/*
 * addr.c: endpoint formatting.
 *
 * The text is exactly what inet_ntop(3) of the GNU C library writes
 * (dotted quad; IPv6 in lower-case hex without leading zeros, the longest
 * run of two or more zero groups, the first of equals, written "::", and
 * the IPv4-compatible "::a.b.c.d" and mapped "::ffff:a.b.c.d" forms), but
 * written here by hand: one connection's line holds up to four addresses,
 * and inet_ntop's sprintf for each was a visible part of the text and
 * JSON output's cost.  tests/check_addr.c compares the two on edge cases
 * and on random addresses.
 */
#include "addr.h"

#include <string.h>

/* Writes v (0..255) in decimal at p; returns the end. */
static char *
put_u8(char *p, unsigned v)
{
	if (v >= 100) {
		*p++ = (char)('0' + v / 100);
		v %= 100;
		*p++ = (char)('0' + v / 10);
	} else if (v >= 10) {
		*p++ = (char)('0' + v / 10);
	}
	*p++ = (char)('0' + v % 10);
	return p;
}

static char *
put_ipv4(char *p, const uint8_t a[4])
{
	for (int i = 0; i < 4; i++) {
		if (i > 0)
			*p++ = '.';
		p = put_u8(p, a[i]);
	}
	return p;
}

/* Writes v (0..65535) in lower-case hex without leading zeros. */
static char *
put_hex16(char *p, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	int shift = 12;

	while (shift > 0 && (v >> shift) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		*p++ = hex[(v >> shift) & 0xf];
	return p;
}

/* The address at p, NUL-terminated; returns the NUL's position.  `p` has
 * room for INET6_ADDRSTRLEN (46) bytes. */
static char *
put_addr(char *p, int family, const uint8_t addr[16])
{
	if (family != 6) {
		p = put_ipv4(p, addr);
		*p = '\0';
		return p;
	}

	unsigned words[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;

	for (int i = 0; i < 8; i++) {
		words[i] = (unsigned)addr[2 * i] << 8 | addr[2 * i + 1];
		if (words[i] == 0) {
			if (cur == -1) {
				cur = i;
				cur_len = 1;
			} else {
				cur_len++;
			}
		} else if (cur != -1) {
			if (best == -1 || cur_len > best_len) {
				best = cur;
				best_len = cur_len;
			}
			cur = -1;
		}
	}
	if (cur != -1 && (best == -1 || cur_len > best_len)) {
		best = cur;
		best_len = cur_len;
	}
	if (best != -1 && best_len < 2)
		best = -1;

	for (int i = 0; i < 8; i++) {
		if (best != -1 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i != 0)
			*p++ = ':';
		/* IPv4-compatible (::a.b.c.d) or mapped (::ffff:a.b.c.d) */
		if (i == 6 && best == 0 &&
		    (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
			p = put_ipv4(p, addr + 12);
			*p = '\0';
			return p;
		}
		p = put_hex16(p, words[i]);
	}
	if (best != -1 && best + best_len == 8)
		*p++ = ':';
	*p = '\0';
	return p;
}

/* Copies the n bytes of s and a NUL into buf, or "?" when they do not fit
 * (inet_ntop's ENOSPC). */
static char *
copy_out(char *buf, size_t len, const char *s, size_t n)
{
	if (n < len) {
		memcpy(buf, s, n + 1);
	} else if (len > 1) {
		buf[0] = '?';
		buf[1] = '\0';
	} else if (len == 1) {
		buf[0] = '\0';
	}
	return buf;
}

char *
tfe_addr_format(int family, const uint8_t addr[16], char *buf, size_t len)
{
	char tmp[TFE_ADDR_STRLEN];
	char *end = put_addr(tmp, family, addr);

	return copy_out(buf, len, tmp, (size_t)(end - tmp));
}

char *
tfe_endpoint_format(int family, const uint8_t addr[16], uint16_t port,
                    char *buf, size_t len)
{
	char tmp[TFE_ADDR_STRLEN + 8], digits[5];
	char *p = tmp;
	int n = 0;

	if (family == 6)
		*p++ = '[';
	p = put_addr(p, family, addr);
	if (family == 6)
		*p++ = ']';
	*p++ = ':';
	do {
		digits[n++] = (char)('0' + port % 10);
		port /= 10;
	} while (port != 0);
	while (n > 0)
		*p++ = digits[--n];
	*p = '\0';
	/* cut short to fit, as snprintf would */
	size_t n_out = (size_t)(p - tmp);
	if (len == 0)
		return buf;
	if (n_out >= len)
		n_out = len - 1;
	memcpy(buf, tmp, n_out);
	buf[n_out] = '\0';
	return buf;
}
