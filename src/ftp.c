/*
 * ftp.c: the data connections an FTP control connection announces
 * (ftp.h), in the forms RFC 959 §4.1.2 (PORT, 227 for PASV) and RFC 2428
 * (EPRT, 229 for EPSV) give them, read as leniently as Wireshark reads
 * them and no more: the first line of the segment only, the commands in
 * upper case, each of the six numbers of PORT and 227 0 to 255.
 */
#include "config.h"

#include "ftp.h"

#include <string.h>

static bool
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* "h1,h2,h3,h4,p1,p2" at `p`, as sscanf("%d,%d,%d,%d,%d,%d") reads it:
 * blanks before each number, none before a comma, a sign allowed (numbers
 * of more than 9 digits are not taken). */
static bool
six_numbers(const uint8_t *p, const uint8_t *end, int32_t v[6])
{
	for (int i = 0; i < 6; i++) {
		if (i > 0) {
			if (p == end || *p != ',')
				return false;
			p++;
		}
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		bool minus = false;
		if (p < end && (*p == '-' || *p == '+'))
			minus = *p++ == '-';
		int32_t n = 0;
		int digits = 0;
		while (p < end && is_digit(*p) && digits < 10) {
			n = n * 10 + (*p++ - '0');
			if (++digits == 10)
				return false;
		}
		if (digits == 0)
			return false;
		v[i] = minus ? -n : n;
	}
	return true;
}

/* The first run of six numbers in [p, end) that reads as one: an address
 * of four bytes and a port of two, put together as Wireshark does (the
 * port's two numbers cut to a byte each, the address's shifted into place
 * as they are). */
static bool
find_six(const uint8_t *p, const uint8_t *end, struct tfe_ftp_data *out)
{
	int32_t v[6];

	for (;;) {
		while (p < end && !is_digit(*p))
			p++;
		if (p == end)
			return false;
		if (six_numbers(p, end, v))
			break;
		while (p < end && is_digit(*p))
			p++;
	}
	uint32_t addr = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 |
	                (uint32_t)v[2] << 8 | (uint32_t)v[3];
	memset(out, 0, sizeof *out);
	out->family = 4;
	out->addr[0] = (uint8_t)(addr >> 24);
	out->addr[1] = (uint8_t)(addr >> 16);
	out->addr[2] = (uint8_t)(addr >> 8);
	out->addr[3] = (uint8_t)addr;
	out->port = (uint16_t)((v[4] & 0xff) << 8 | (v[5] & 0xff));
	return true;
}

/* A port of 1 to 5 digits, 1..65535, at *pp, followed by `d`. */
static bool
port_then(const uint8_t **pp, const uint8_t *end, uint8_t d, uint16_t *port)
{
	const uint8_t *p = *pp;
	unsigned n = 0;
	int digits = 0;

	while (p < end && is_digit(*p) && digits < 5) {
		n = n * 10 + (unsigned)(*p++ - '0');
		digits++;
	}
	if (digits == 0 || n == 0 || n > 65535 || p == end || *p != d)
		return false;
	*port = (uint16_t)n;
	*pp = p + 1;
	return true;
}

/* 229's "(|||port|)": any delimiter, the same four times. */
static bool
find_epsv(const uint8_t *p, const uint8_t *end, struct tfe_ftp_data *out)
{
	uint16_t port;

	p = memchr(p, '(', (size_t)(end - p));
	if (p == NULL || end - p < 6)
		return false;
	uint8_t d = p[1];
	if (d < 33 || d > 126 || p[2] != d || p[3] != d)
		return false;
	p += 4;
	if (!port_then(&p, end, d, &port))
		return false;
	memset(out, 0, sizeof *out);
	out->port = port;
	return true;
}

enum tfe_ftp_kind
tfe_ftp_announced(const uint8_t *p, size_t n, bool from_server,
                  struct tfe_ftp_data *out)
{
	const uint8_t *end = p;

	while (end < p + n && *end != '\r' && *end != '\n')
		end++;
	size_t len = (size_t)(end - p);
	if (len < 4)
		return TFE_FTP_NONE;
	if (from_server) {
		/* a reply: three digits, then a blank or '-' */
		if (p[0] != '2' || p[1] != '2' || (p[3] != ' ' && p[3] != '-'))
			return TFE_FTP_NONE;
		if (p[2] == '7')
			return find_six(p + 4, end, out) ? TFE_FTP_PASSIVE
			                                  : TFE_FTP_NONE;
		if (p[2] == '9')
			return find_epsv(p + 4, end, out) ? TFE_FTP_PASSIVE
			                                   : TFE_FTP_NONE;
		return TFE_FTP_NONE;
	}
	if (len < 5 || p[4] != ' ')
		return TFE_FTP_NONE;
	if (memcmp(p, "PORT", 4) != 0 || !find_six(p + 5, end, out))
		return TFE_FTP_NONE;
	out->port = 0;
	return TFE_FTP_ACTIVE;
}
