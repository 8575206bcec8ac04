/*
 * render.h: the output forms.  Renderers only format what the analysis
 * recorded; they never decide anything about a connection.
 */
#ifndef TFE_RENDER_H
#define TFE_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "analyze.h"
#include "conn.h"

enum tfe_format {
	TFE_FMT_TEXT,
	TFE_FMT_SUMMARY,
	TFE_FMT_NETSTAT,
	TFE_FMT_JSON,
	TFE_FMT_LADDER,
	TFE_FMT__COUNT
};
extern const char *const tfe_format_names[TFE_FMT__COUNT];

struct tfe_render_opts {
	enum tfe_format format;
	const struct tfe_config *cfg;
	FILE *out;
	bool color;            /* SGR colours by severity */
	bool verdicts_only;    /* only connections with a warning verdict */
	bool events;           /* json: each connection's timeline rows */
};

/* One connection block as SPEC §3 shows it. */
void tfe_render_text_conn(const struct tfe_render_opts *o,
                          const struct tfe_conn *c);

/* Its parts that other forms share: the first line (4-tuple, who opened
 * and closed, how it ended, the Zeek pair, duration), and what follows the
 * timeline (verdicts, the end line, a blank line). */
void tfe_render_text_title(const struct tfe_render_opts *o,
                           const struct tfe_conn *c);
void tfe_render_text_footer(const struct tfe_render_opts *o,
                            const struct tfe_conn *c);

/* A window as the text form prints it: "502x128" when scaled, else raw. */
void tfe_format_window(const struct tfe_conn *c, int side, uint16_t raw,
                       uint16_t flags, char *buf, size_t len);

/* The sequence diagram (--format ladder): the client's and the server's
 * lifelines with each side's state beside its own, one line per timeline
 * row, arrows labelled with the segment, at most TFE_LADDER_WIDTH columns
 * (a few more with nanosecond times), then the verdicts as in text. */
#define TFE_LADDER_WIDTH 100
void tfe_render_ladder_conn(const struct tfe_render_opts *o,
                            const struct tfe_conn *c);

/* The summary (SPEC §5). */
void tfe_render_text_summary(const struct tfe_render_opts *o,
                             const struct tfe_stats *s);

/* The JSON Lines form (doc/json.md): one connection object per line. */
#define TFE_JSON_SCHEMA 1
void tfe_render_json_conn(const struct tfe_render_opts *o,
                          const struct tfe_conn *c);

/* The summary object, the last line. */
void tfe_render_json_summary(const struct tfe_render_opts *o,
                             const struct tfe_stats *s);

/* Appends `s` as a JSON string (quotes included) to `out`: made valid
 * UTF-8 (U+FFFD for each invalid sequence), then escaped as RFC 8259 §7
 * asks (render_json.c says how, byte for byte). */
void tfe_json_append_string(GString *out, const char *s);

/* The JSON names of the decode outcomes (NULL for TFE_DR_OK) and of the
 * frame notes; tests check that none is missing. */
extern const char *const tfe_json_decode_keys[TFE_DR__COUNT];
struct tfe_json_note {
	uint16_t bit;          /* TFE_NOTE_* */
	const char *name;
};
#define TFE_JSON_NOTES 9
extern const struct tfe_json_note tfe_json_notes[TFE_JSON_NOTES];

/* What netstat -tan would have shown on each host at `at` (ns, epoch):
 * taken when the capture's clock reaches `at`, corrected as each live
 * connection finishes (its timeline may be rewritten by later frames),
 * printed at the end. */
struct tfe_netstat;
struct tfe_netstat *tfe_netstat_snapshot(const struct tfe_analyzer *a,
                                         int64_t at);
void tfe_netstat_update(struct tfe_netstat *ns, const struct tfe_conn *c);
void tfe_netstat_print(const struct tfe_render_opts *o,
                       struct tfe_netstat *ns);
void tfe_netstat_free(struct tfe_netstat *ns);

/* Flag letters as SPEC §3 writes them: S F R P U E C, then A for ACK
 * ("SA" is SYN+ACK, "FA" FIN+ACK), "-" for none; `buf` holds 16. */
char *tfe_format_flags(uint16_t f, char *buf);

/* The long case of tfe_copy (render_text.c): a function of its own, so
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

/* Makes room for n more bytes (render_text.c). */
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

#endif /* TFE_RENDER_H */
