/*
 * render_text.c: the default text form.
 *
 * Per connection: a header (4-tuple, who opened, who closed first, how it
 * ended, duration), each side's SYN options and the handshake RTT, then the
 * timeline: one line per kept frame with both sides' states after it, the
 * reason for each state change on the lines under it, and one line per run
 * of ordinary frames.  A state that did not change prints as "." so that
 * changes stand out (README.md shows a block).
 */
#include "render.h"

#include <inttypes.h>
#include <string.h>

#include "addr.h"
#include "capture.h"
#include "seq.h"
#include "vantage.h"

const char *const tfe_format_names[TFE_FMT__COUNT] = {
	[TFE_FMT_TEXT] = "text",
	[TFE_FMT_SUMMARY] = "summary",
	[TFE_FMT_NETSTAT] = "netstat",
	[TFE_FMT_JSON] = "json",
	[TFE_FMT_LADDER] = "ladder",
	[TFE_FMT_CONN] = "conn",
	[TFE_FMT_HTML] = "html",
};

static const char *const side_names[3] = { "client", "server", "nobody" };

/* SGR colours by severity, when asked for (--color, NO_COLOR). */
static const char *
color_on(const struct tfe_render_opts *o, int severity)
{
	if (!o->color)
		return "";
	return severity == TFE_SEV_WARNING ? "\033[1;31m" : "\033[36m";
}

static const char *
color_off(const struct tfe_render_opts *o)
{
	return o->color ? "\033[0m" : "";
}

/* The time column: "+12.345678" or, with nanoseconds, "+12.345678901",
 * wider with -t and the like (enum tfe_tstamp). */
#define TIME_W(o, c) tfe_tstamp_width((enum tfe_tstamp)(o)->tstamp, \
                                      (c)->timestamps_ns)

/* A row's time, as -t and the like ask; `prev` is the row above's (for
 * -ttt). */
static inline char *
p_time(char *p, const struct tfe_render_opts *o, const struct tfe_conn *c,
       int64_t ts, int64_t prev)
{
	if (o->tstamp == TFE_TS_CONN)
		return tfe_secs_end(ts - c->first_ts, c->timestamps_ns, true, p);
	return tfe_tstamp_end((enum tfe_tstamp)o->tstamp, ts,
	                      o->tstamp == TFE_TS_DELTA ? prev : c->first_ts,
	                      c->timestamps_ns, p);
}

/* The same, terminated, into t (at least 48 bytes). */
static char *
row_time(char *t, const struct tfe_render_opts *o, const struct tfe_conn *c,
         int64_t ts, int64_t prev)
{
	*p_time(t, o, c, ts, prev) = '\0';
	return t;
}

char *
tfe_render_row_time(const struct tfe_render_opts *o, const struct tfe_conn *c,
                    int64_t ts, int64_t prev, char *buf)
{
	return row_time(buf, o, c, ts, prev);
}

#define u64_dec_end tfe_u64_dec_end

/* Decimal digits of v into buf (at least 21 bytes); returns buf. */
static char *
u64_dec(uint64_t v, char *buf)
{
	*u64_dec_end(v, buf) = '\0';
	return buf;
}

char *
tfe_format_flags(uint16_t f, char *buf)
{
	char *p = buf;

	if (f & TFE_TH_SYN) *p++ = 'S';
	if (f & TFE_TH_FIN) *p++ = 'F';
	if (f & TFE_TH_RST) *p++ = 'R';
	if (f & TFE_TH_PSH) *p++ = 'P';
	if (f & TFE_TH_URG) *p++ = 'U';
	if (f & TFE_TH_ECE) *p++ = 'E';
	if (f & TFE_TH_CWR) *p++ = 'C';
	if (f & TFE_TH_ACK) *p++ = 'A';
	if (p == buf) *p++ = '-';
	*p = '\0';
	return buf;
}

static const struct {
	uint16_t bit;
	const char *text;
} note_names[] = {
	{ TFE_NOTE_RETRANS, "retransmission" },
	{ TFE_NOTE_OUT_OF_ORDER, "out of order" },
	{ TFE_NOTE_KEEPALIVE, "keepalive" },
	{ TFE_NOTE_ZW_PROBE, "zero-window probe" },
	{ TFE_NOTE_COPY, "the capture's copy of a frame before" },
	{ TFE_NOTE_ZERO_WINDOW, "zero window" },
	{ TFE_NOTE_WINDOW_OPEN, "window opens" },
	{ TFE_NOTE_AFTER_FIN, "data after its FIN" },
	{ TFE_NOTE_AFTER_RST, "after RST" },
	{ TFE_NOTE_BAD_FLAGS, "invalid flags" },
	{ TFE_NOTE_GAP, "acknowledges data not captured" },
	{ TFE_NOTE_PADDING, "zero padding in the IP length, not data" },
};

/* The text of tfe_format_window at p (room for 23 bytes), not
 * terminated; returns its end. */
static char *
window_end(const struct tfe_conn *c, int side, uint16_t raw, uint16_t flags,
           char *p)
{
	p = u64_dec_end(raw, p);
	if (c->ws_ok && !(flags & (TFE_TH_SYN | TFE_TH_RST)) &&
	    c->ep[side].wscale > 0) {
		*p++ = 'x';
		p = u64_dec_end(1u << tfe_wscale_shift(c->ep[side].wscale), p);
	}
	return p;
}

void
tfe_format_window(const struct tfe_conn *c, int side, uint16_t raw,
                  uint16_t flags, char *buf, size_t len)
{
	if (len < 24) { /* two 5-digit numbers, an x and the NUL fit */
		buf[0] = '\0';
		return;
	}
	*window_end(c, side, raw, flags, buf) = '\0';
}

/*
 * A connection's block is built in one buffer, kept from one connection
 * to the next, and written with one fwrite (one per FLUSH_AT bytes for a
 * very long block): no printf, no allocation and no stdio call per line (fprintf for the header and footer lines was a
 * good part of the text output's cost).  The numbers that printf wrote
 * with %.*f are written by fmt_ms, which falls back to printf where
 * printf's rounding of a double could differ from exact decimal rounding.
 */
static struct tfe_obuf conn_buf;

/* Written out when it holds this much, even in the middle of a block. */
#define FLUSH_AT (1 << 16)

static inline void
t_mem(struct tfe_obuf *b, const char *s, size_t n)
{
	tfe_obuf_put(b, s, n);
}

static inline void
t_str(struct tfe_obuf *b, const char *s)
{
	t_mem(b, s, strlen(s));
}

/* a string literal */
#define t_lit(b, s) t_mem((b), "" s, sizeof(s) - 1)

#define t_chr tfe_obuf_putc
#define t_u64 tfe_obuf_put_u64

static inline void
t_spaces(struct tfe_obuf *b, size_t n)
{
	if (b->len + n > b->cap)
		tfe_obuf_grow(b, n);
	memset(b->p + b->len, ' ', n);
	b->len += n;
}

/* s, then spaces up to `width` columns, s's length known */
static inline void
t_pad_n(struct tfe_obuf *b, const char *s, size_t n, size_t width)
{
	t_mem(b, s, n);
	if (n < width)
		t_spaces(b, width - n);
}

/* s, then spaces up to `width` columns (printf's %-*s) */
static inline void
t_pad(struct tfe_obuf *b, const char *s, size_t width)
{
	t_pad_n(b, s, strlen(s), width);
}

static void
t_flush(struct tfe_obuf *b, FILE *out)
{
	if (b->len > 0)
		fwrite(b->p, 1, b->len, out);
	b->len = 0;
}

/*
 * The lengths of the names and reasons every row writes, measured once
 * (the tables are constant), so that no row calls strlen on them.
 */
static uint8_t state_len[TFE_ST__COUNT];
static uint16_t reason_len[TFE_RS__COUNT];
static size_t row_room;         /* the most a frame row can take */

/* Generous bounds of a frame row's columns (frame number, time, flags,
 * numbers, window, two states and the spaces between, 16 bytes of slack
 * for the padding below) and of its options column with every option. */
#define ROW_COLUMNS 256
#define ROW_OPTIONS 128

static void
lengths_init(void)
{
	size_t notes = 0, reason_max = 0;

	if (state_len[0] != 0)
		return;
	for (int i = 0; i < TFE_ST__COUNT; i++) {
		state_len[i] = (uint8_t)strlen(tfe_state_names[i]);
		g_assert(state_len[i] <= 32);
	}
	for (int i = 0; i < TFE_RS__COUNT; i++) {
		reason_len[i] = (uint16_t)strlen(tfe_reasons[i].text);
		if (reason_len[i] > reason_max)
			reason_max = reason_len[i];
	}
	for (size_t i = 0; i < G_N_ELEMENTS(note_names); i++)
		notes += 3 + strlen(note_names[i].text);
	/* the row, then two reason lines:
	 * "          client STATE -> STATE: reason\n" */
	row_room = ROW_COLUMNS + ROW_OPTIONS + notes + 1 +
	           2 * (10 + 6 + 1 + 32 + 6 + 32 + 2 + reason_max + 1 +
	                16 + 48);
}

/* The option bits the options column shows (all TFE_OPT_*). */
#define OPTS_SHOWN (TFE_OPT_MSS | TFE_OPT_SACKOK | TFE_OPT_TS | \
                    TFE_OPT_WSCALE | TFE_OPT_SACK | TFE_OPT_TFO | \
                    TFE_OPT_OTHER)

/* The options column, "[mss 1460,sackOK,TS val 1 ecr 0,wscale 7]", for
 * a row with one of OPTS_SHOWN set. */
static void
t_options(struct tfe_obuf *b, const struct tfe_row *r)
{
	char sep = '[';

	if (r->opt_mask & TFE_OPT_MSS) {
		t_chr(b, sep);
		t_lit(b, "mss ");
		t_u64(b, r->mss);
		sep = ',';
	}
	if (r->opt_mask & TFE_OPT_SACKOK) {
		t_chr(b, sep);
		t_lit(b, "sackOK");
		sep = ',';
	}
	if (r->opt_mask & TFE_OPT_TS) {
		t_chr(b, sep);
		t_lit(b, "TS val ");
		t_u64(b, r->tsval);
		t_lit(b, " ecr ");
		t_u64(b, r->tsecr);
		sep = ',';
	}
	if (r->opt_mask & TFE_OPT_WSCALE) {
		t_chr(b, sep);
		t_lit(b, "wscale ");
		t_u64(b, r->wscale);
		sep = ',';
	}
	if (r->opt_mask & TFE_OPT_SACK) {
		t_chr(b, sep);
		t_lit(b, "sack ");
		t_u64(b, r->sack_count);
		sep = ',';
	}
	if (r->opt_mask & TFE_OPT_TFO) {
		t_chr(b, sep);
		t_lit(b, "tfo");
		sep = ',';
	}
	if (r->opt_mask & TFE_OPT_OTHER) {
		t_chr(b, sep);
		t_lit(b, "other");
	}
	t_chr(b, ']');
}

/*
 * printf("%.*f", prec, (double)ns / 1e6) for prec 3 or 6.  Written from
 * the integer where that is provably the same text: ns from 0 to 10^15
 * (the double is then within 10^-7 of ns / 10^6, closer than any
 * rounding boundary a non-tie can be), and, with 3 decimals, not exactly
 * half way between two (printf rounds the double, which may fall on
 * either side).  Anything else goes to printf.
 */
static void
fmt_ms(struct tfe_obuf *b, int64_t ns, int prec)
{
	char d[64];

	if (ns < 0 || ns >= INT64_C(1000000000000000) ||
	    (prec == 3 && ns % 1000 == 500) || (prec != 3 && prec != 6)) {
		int n = snprintf(d, sizeof d, "%.*f", prec, (double)ns / 1e6);
		t_mem(b, d, (size_t)n);
		return;
	}
	uint64_t v = (uint64_t)ns, unit = 1000000;
	if (prec == 3) {
		v = (v + 500) / 1000;
		unit = 1000;
	}
	t_u64(b, v / unit);
	t_chr(b, '.');
	uint64_t frac = v % unit;
	char *p = d + prec;
	for (int i = 0; i < prec; i++) {
		*--p = (char)('0' + frac % 10);
		frac /= 10;
	}
	t_mem(b, d, (size_t)prec);
}

static void
side_opts(struct tfe_obuf *b, const struct tfe_conn *c, int side)
{
	const struct tfe_endpoint *ep = &c->ep[side];

	t_str(b, side_names[side]);
	t_chr(b, ' ');
	if (ep->syn_count == 0 && ep->synack_count == 0) {
		t_lit(b, "no SYN seen");
		return;
	}
	if (ep->has_mss) {
		t_lit(b, "MSS ");
		t_u64(b, ep->mss);
	} else {
		t_lit(b, "no MSS (536 assumed)");
	}
	if (ep->has_wscale) {
		t_lit(b, " wscale ");
		t_u64(b, ep->wscale);
	}
	if (ep->sack_ok)
		t_lit(b, " SACK");
	if (ep->ts_ok)
		t_lit(b, " TS");
	if (ep->tfo)
		t_lit(b, " TFO");
	if (c->syn_opts_cut & (1u << side))
		t_lit(b, " (options cut by the snapshot length: more may have "
		      "been sent)");
}

static void
title(struct tfe_obuf *b, const struct tfe_conn *c)
{
	char a[TFE_ADDR_STRLEN], d[32];
	const struct tfe_endpoint *sv = &c->ep[TFE_SIDE_SERVER];

	t_chr(b, '#');
	t_u64(b, c->id);
	t_chr(b, ' ');
	t_str(b, tfe_endpoint_format(c->family, tfe_conn_addr(c, TFE_SIDE_CLIENT),
	                             tfe_conn_port(c, TFE_SIDE_CLIENT), a,
	                             sizeof a));
	t_lit(b, " -> ");
	t_str(b, tfe_endpoint_format(c->family, tfe_conn_addr(c, TFE_SIDE_SERVER),
	                             tfe_conn_port(c, TFE_SIDE_SERVER), a,
	                             sizeof a));
	t_lit(b, "  ");
	const struct tfe_tunnel *tun = &tfe_conn_rare(c)->tunnel;
	if (tun->depth > 0) {
		/* The outermost tunnel of the first segment, as tcpdump shows
		 * it first, client's end first; the tuple is the innermost. */
		t_lit(b, "via ");
		t_str(b, tfe_tunnel_names[tun->kind]);
		t_chr(b, ' ');
		t_str(b, tfe_addr_format(tun->family, tun->src, a, sizeof a));
		t_lit(b, " -> ");
		t_str(b, tfe_addr_format(tun->family, tun->dst, a, sizeof a));
		if (tun->depth > 1) {
			t_lit(b, " (");
			t_u64(b, tun->depth);
			t_lit(b, " levels)");
		}
		t_lit(b, "  ");
	}
	if (c->roles == TFE_ROLES_SYN && sv->syn_count > 0)
		t_lit(b, "both opened (simultaneous open)");
	else if (c->roles == TFE_ROLES_SYN)
		t_lit(b, "client opened");
	else if (c->roles == TFE_ROLES_SYNACK)
		t_lit(b, "roles inferred (SYN+ACK sender is the server)");
	else
		t_lit(b, "roles inferred (no handshake: lower port is the server)");
	if (c->closed_first != TFE_SIDE_NONE) {
		t_lit(b, ", ");
		t_str(b, side_names[c->closed_first]);
		t_lit(b, " closed first");
	}
	const char *hist = tfe_zeek_history(c);
	t_lit(b, ", ");
	t_str(b, tfe_close_names[c->close_how]);
	t_lit(b, "  ");
	t_str(b, tfe_zeek_conn_state(c));
	t_chr(b, ' ');
	t_str(b, hist[0] ? hist : "-");
	t_lit(b, "  ");
	t_str(b, tfe_format_duration(c->last_ts - c->first_ts,
	                             c->timestamps_ns, d, sizeof d));
	t_chr(b, '\n');
}

static void header(struct tfe_obuf *b, const struct tfe_conn *c);

void
tfe_render_text_header(const struct tfe_render_opts *o,
                       const struct tfe_conn *c)
{
	header(&conn_buf, c);
	t_flush(&conn_buf, o->out);
}

void
tfe_render_text_title(const struct tfe_render_opts *o, const struct tfe_conn *c)
{
	title(&conn_buf, c);
	t_flush(&conn_buf, o->out);
}

/* The connection's vantage model, estimated once by capture_point() for
 * the host times of its rows (row_host). */
static struct tfe_vantage row_vantage;

/* "capture point: near the client, server 100.200 ms away (at most
 * 200.400)": the vantage model's estimate (vantage.h), each host that is
 * not the one the capture point is near with its one-way delay and the
 * bound. */
static void
capture_point(struct tfe_obuf *b, const struct tfe_conn *c)
{
	struct tfe_vantage v;
	int prec = c->timestamps_ns ? 6 : 3;

	tfe_vantage_estimate(c, &v);
	row_vantage = v;
	t_lit(b, "  |  capture point: ");
	t_str(b, tfe_vantage_text[v.pos]);
	for (int side = 0; side < 2; side++) {
		if (!v.rtt_known[side] ||
		    (v.pos == TFE_VP_NEAR_CLIENT && side == TFE_SIDE_CLIENT) ||
		    (v.pos == TFE_VP_NEAR_SERVER && side == TFE_SIDE_SERVER))
			continue;
		t_lit(b, ", ");
		t_str(b, side_names[side]);
		t_chr(b, ' ');
		fmt_ms(b, v.delay[side], prec);
		t_lit(b, " ms away (at most ");
		fmt_ms(b, v.delay_max[side], prec);
		t_chr(b, ')');
	}
}

static void
header(struct tfe_obuf *b, const struct tfe_conn *c)
{
	title(b, c);
	t_lit(b, "   ");
	side_opts(b, c, TFE_SIDE_CLIENT);
	t_lit(b, "  |  ");
	side_opts(b, c, TFE_SIDE_SERVER);
	int64_t up, down;
	const char *karn = tfe_conn_handshake_ambiguous(c);
	if (tfe_conn_handshake_rtt(c, &up, &down) && karn != NULL) {
		t_lit(b, "  |  handshake RTT not measured: ");
		t_str(b, karn);
		t_lit(b, " (Karn's rule: an answer may be to either copy)");
	} else if (tfe_conn_handshake_rtt(c, &up, &down)) {
		int prec = c->timestamps_ns ? 6 : 3;
		t_lit(b, "  |  handshake RTT ");
		fmt_ms(b, up + down, prec);
		t_lit(b, " ms (SYN to SYN+ACK ");
		fmt_ms(b, up, prec);
		t_lit(b, " ms, SYN+ACK to ACK ");
		fmt_ms(b, down, prec);
		t_lit(b, " ms)");
	}
	capture_point(b, c);
	if (c->one_way == TFE_SIDE_CLIENT)
		t_lit(b, "  |  one direction captured: client to server only");
	else if (c->one_way == TFE_SIDE_SERVER)
		t_lit(b, "  |  one direction captured: server to client only");
	t_lit(b, "  |  tcp.completeness ");
	t_u64(b, tfe_wireshark_completeness(c));
	t_chr(b, '\n');
}

/*
 * A frame row is written with a bare pointer into room reserved once
 * (row_room): no capacity test per piece.  Padding to a column's width is
 * one 16-byte store of spaces and a move of the pointer (no column is
 * wider than 16), the room's slack taking what lies past the end.
 */
static inline char *
p_mem(char *p, const char *s, size_t n)
{
	tfe_copy(p, s, n);
	return p + n;
}

#define p_lit(p, s) p_mem((p), "" s, sizeof(s) - 1)

/* spaces from p up to `width` columns after `start` (width <= 16) */
static inline char *
p_pad(char *p, const char *start, size_t width)
{
	size_t n = (size_t)(p - start);

	if (n < width) {
		memcpy(p, "                ", 16);
		p += width - n;
	}
	return p;
}

static inline char *
p_u64_pad(char *p, uint64_t v, size_t width)
{
	char *s = p;

	return p_pad(u64_dec_end(v, p), s, width);
}

/* Per side, the alternative to the state of the row being written when
 * the wire cannot decide it (tfe_conn_alt()), else TFE_ST__COUNT; and the
 * reason.  Set by tfe_render_text_conn() for each row. */
static uint8_t row_alt[2] = { TFE_ST__COUNT, TFE_ST__COUNT };
static uint8_t row_alt_why[2];
/* the row above's alternatives: a new one is explained where it starts */
static uint8_t row_alt_above[2] = { TFE_ST__COUNT, TFE_ST__COUNT };

/* Per side, when the side's host changed state at the row being written
 * by the vantage model (tfe_vantage_time()), written as the time column
 * writes times; empty when it is the wire's time.  Set by
 * tfe_render_text_conn() for each row from row_vantage. */
static char row_host[2][48];

static char *
p_host_time(char *p, int side)
{
	if (row_host[side][0] == '\0')
		return p;
	p = p_lit(p, " (at its host ~");
	p = p_mem(p, row_host[side], strlen(row_host[side]));
	*p++ = ')';
	return p;
}

static char *
p_reasons(char *p, const struct tfe_row *r, const uint8_t before[2])
{
	for (int side = 0; side < 2; side++) {
		uint8_t st = r->state[side];

		if (r->reason[side] == TFE_RS_NONE && st == before[side])
			continue;
		p = p_lit(p, "          ");
		p = p_mem(p, side_names[side], 6);
		if (st != before[side]) {
			*p++ = ' ';
			p = p_mem(p, tfe_state_names[before[side]],
			          state_len[before[side]]);
			p = p_lit(p, " -> ");
		} else {
			p = p_lit(p, " stays ");
		}
		p = p_mem(p, tfe_state_names[st], state_len[st]);
		if (row_alt[side] < TFE_ST__COUNT)
			*p++ = '?';
		if (st != before[side])
			p = p_host_time(p, side);
		p = p_lit(p, ": ");
		p = p_mem(p, tfe_reasons[r->reason[side]].text,
		          reason_len[r->reason[side]]);
		*p++ = '\n';
	}
	return p;
}

/* A state column: the state, or "." when it did not change; padded to
 * `width` (0: not padded, the row's last column). */
static inline char *
p_state_cell(char *p, uint8_t now, uint8_t before, bool first, size_t width,
             bool undecided)
{
	char *s = p;

	if (!first && now == before) {
		*p++ = '.';
	} else {
		p = p_mem(p, tfe_state_names[now], state_len[now]);
		if (undecided)
			*p++ = '?';
	}
	return width ? p_pad(p, s, width) : p;
}

static void
frame_row(struct tfe_obuf *b, const struct tfe_render_opts *o,
          const struct tfe_conn *c, const struct tfe_row *r,
          const uint8_t before[2], bool first, int64_t prev)
{
	int peer = !r->dir;
	bool opts = (r->opt_mask & OPTS_SHOWN) != 0;
	char *p, *s, fl[16];

	if (b->len + row_room > b->cap)
		tfe_obuf_grow(b, row_room);
	p = b->p + b->len;

	/* "   %-7s %-*s %-4s %-6s %-10s %-10s %-6u %-10s %-13s %s" */
	p = p_lit(p, "   ");
	p = p_u64_pad(p, r->frame, 7);
	*p++ = ' ';
	s = p;
	p = p_pad(p_time(p, o, c, r->ts, prev), s, (size_t)TIME_W(o, c));
	*p++ = ' ';
	p = p_mem(p, r->dir == TFE_DIR_C2S ? "->   " : "<-   ", 5);
	s = p;
	p = p_pad(p_mem(p, fl, strlen(tfe_format_flags(r->flags, fl))), s, 6);
	*p++ = ' ';
	p = p_u64_pad(p, o->raw_seq ? r->seq : tfe_conn_rel_seq(c, r->dir, r->seq),
	              10);
	*p++ = ' ';
	if ((r->flags & TFE_TH_ACK) && o->raw_seq)
		p = p_u64_pad(p, r->ack, 10);
	else if ((r->flags & TFE_TH_ACK) &&
	         tfe_conn_base_known(c, peer))
		p = p_u64_pad(p, tfe_conn_rel_seq(c, peer, r->ack), 10);
	else
		p = p_lit(p, "-         ");
	*p++ = ' ';
	p = p_u64_pad(p, r->len, 6);
	*p++ = ' ';
	s = p;
	p = p_pad(window_end(c, r->dir, r->win, r->flags, p), s, 10);
	*p++ = ' ';
	p = p_state_cell(p, r->state[0], before[0], first, 13,
	                 row_alt[0] < TFE_ST__COUNT);
	*p++ = ' ';
	p = p_state_cell(p, r->state[1], before[1], first,
	                 opts || r->notes ? 13 : 0, row_alt[1] < TFE_ST__COUNT);
	b->len = (size_t)(p - b->p);
	if (opts) {
		t_chr(b, ' ');
		t_options(b, r);
	}
	if (r->notes)
		for (size_t i = 0; i < G_N_ELEMENTS(note_names); i++)
			if (r->notes & note_names[i].bit) {
				t_lit(b, " (");
				t_str(b, note_names[i].text);
				t_chr(b, ')');
			}
	/* the options and notes went through the checked writers: the
	 * room left is still enough for the reasons */
	if (b->len + row_room > b->cap)
		tfe_obuf_grow(b, row_room);
	p = b->p + b->len;
	*p++ = '\n';
	p = p_reasons(p, r, before);
	b->len = (size_t)(p - b->p);
	/* "          client TIME_WAIT? or FIN_WAIT_2: why", where the
	 * undecided state is entered, or its alternative changes */
	for (int side = 0; side < 2; side++) {
		if (row_alt[side] >= TFE_ST__COUNT ||
		    (r->state[side] == before[side] &&
		     row_alt[side] == row_alt_above[side]))
			continue;
		t_lit(b, "          ");
		t_str(b, side_names[side]);
		t_chr(b, ' ');
		t_str(b, tfe_state_names[r->state[side]]);
		t_lit(b, "? or ");
		t_str(b, tfe_state_names[row_alt[side]]);
		t_lit(b, ": ");
		t_str(b, tfe_reasons[row_alt_why[side]].text);
		t_chr(b, '\n');
	}
}

static void
run_row(struct tfe_obuf *b, const struct tfe_render_opts *o,
        const struct tfe_conn *c, const struct tfe_row *r,
        const uint8_t before[2], bool first, int64_t prev)
{
	char t[48], fr[48];

	u64_dec(r->frame, fr);
	if (r->count != 1) {
		size_t n = strlen(fr);
		fr[n] = '-';
		u64_dec(tfe_row_frame_last(r), fr + n + 1);
	}
	row_time(t, o, c, r->ts, prev);
	/* "   %-7s %-*s %-4s %u frame%s of data and ACKs" */
	t_lit(b, "   ");
	t_pad(b, fr, 7);
	t_chr(b, ' ');
	t_pad(b, t, (size_t)TIME_W(o, c));
	t_lit(b, " ..   ");
	t_u64(b, r->count);
	if (r->count == 1)
		t_lit(b, " frame of data and ACKs");
	else
		t_lit(b, " frames of data and ACKs");
	for (int side = 0; side < 2; side++) {
		char lo[24], hi[24];

		if (r->win_min[side] > r->win_max[side])
			continue; /* this side sent nothing in the run */
		tfe_format_window(c, side, r->win_min[side], 0, lo, sizeof lo);
		t_lit(b, "; ");
		t_str(b, side_names[side]);
		t_lit(b, " sent ");
		t_u64(b, r->bytes[side]);
		t_lit(b, " bytes, win ");
		t_str(b, lo);
		if (r->win_min[side] != r->win_max[side]) {
			tfe_format_window(c, side, r->win_max[side], 0, hi,
			                  sizeof hi);
			t_lit(b, "..");
			t_str(b, hi);
		}
	}
	if (first || r->state[0] != before[0] || r->state[1] != before[1]) {
		t_lit(b, "  [");
		t_str(b, tfe_state_names[r->state[0]]);
		t_chr(b, ' ');
		t_str(b, tfe_state_names[r->state[1]]);
		t_chr(b, ']');
	}
	t_chr(b, '\n');
}

static void
timer_row(struct tfe_obuf *b, const struct tfe_render_opts *o,
          const struct tfe_conn *c, const struct tfe_row *r,
          const uint8_t before[2], int64_t prev)
{
	char t[48];
	int side = r->dir;

	row_time(t, o, c, r->ts, prev);
	/* "   %-7s %-*s %-4s %s %s -> %s: %s\n" with "-" and "--" */
	t_lit(b, "   -       ");
	t_pad(b, t, (size_t)TIME_W(o, c));
	t_lit(b, " --   ");
	t_str(b, side_names[side]);
	t_chr(b, ' ');
	t_str(b, tfe_state_names[before[side]]);
	t_lit(b, " -> ");
	t_str(b, tfe_state_names[r->state[side]]);
	if (row_host[side][0] != '\0') {
		t_lit(b, " (at its host ~");
		t_str(b, row_host[side]);
		if (r->kind == TFE_ROW_ARRIVAL)
			t_lit(b, ", ");
		else
			t_chr(b, ')');
	} else if (r->kind == TFE_ROW_ARRIVAL) {
		t_lit(b, " (");
	}
	if (r->kind == TFE_ROW_ARRIVAL) {
		/* an arrival: which earlier frame reached the host */
		char n[32];
		snprintf(n, sizeof n, "%" PRIu64, r->arr_frame);
		t_lit(b, "when frame ");
		t_str(b, n);
		t_lit(b, " reached it)");
	}
	t_lit(b, ": ");
	t_str(b, tfe_reasons[r->reason[side]].text);
	t_chr(b, '\n');
}

static void footer(struct tfe_obuf *b, const struct tfe_render_opts *o,
                   const struct tfe_conn *c);

/* Live: the local sockets as the kernel described them at the last
 * query, and where the wire disagreed with it (kernel.h). */
static void
local_lines(struct tfe_obuf *b, const struct tfe_conn *c)
{
	const struct tfe_local *lc = tfe_conn_local(c);
	GString *g = g_string_new(NULL);

	for (int side = 0; side < 2; side++) {
		if (!lc->side[side].local)
			continue;
		g_string_truncate(g, 0);
		g_string_append(g, "   local: ");
		tfe_format_ksock(g, &lc->side[side], side);
		g_string_append_c(g, '\n');
		t_str(b, g->str);
	}
	for (int i = 0; i < lc->n_disagree; i++) {
		const struct tfe_disagree *d = &lc->disagree[i];
		char rel[32];

		tfe_format_seconds(d->at - c->first_ts, c->timestamps_ns, true,
		                   rel, sizeof rel);
		g_string_truncate(g, 0);
		g_string_append_printf(g, "   kernel_disagrees: at %s s (%s "
		                       "query) the wire has the %s in %s, the "
		                       "kernel %s\n", rel, tfe_lq_names[d->why],
		                       d->side == TFE_SIDE_CLIENT ? "client" :
		                       "server", tfe_state_names[d->wire],
		                       tfe_state_names[d->kernel]);
		t_str(b, g->str);
	}
	if (lc->disagreements > lc->n_disagree) {
		g_string_printf(g, "   kernel_disagrees: %u more\n",
		                lc->disagreements - lc->n_disagree);
		t_str(b, g->str);
	}
	g_string_free(g, TRUE);
}

void
tfe_render_text_conn(const struct tfe_render_opts *o, const struct tfe_conn *c)
{
	struct tfe_obuf *b = &conn_buf;
	uint8_t before[2] = { c->init_state[0], c->init_state[1] };

	lengths_init();
	header(b, c);
	if (G_UNLIKELY(tfe_conn_local(c) != NULL))
		local_lines(b, c);
	/* The two head lines differ only by the time column's width and
	 * the states: formatted once per width. */
	static char head[TFE_TS__COUNT][2][2][128];
	static size_t head_len[TFE_TS__COUNT][2][2];
	int wi = c->timestamps_ns ? 1 : 0, ti = o->tstamp % TFE_TS__COUNT;
	char (*hd)[128] = head[ti][wi];
	size_t *hl = head_len[ti][wi];
	if (hd[0][0] == '\0') {
		snprintf(hd[0], sizeof hd[0],
		         "   %-7s %-*s %-4s %-6s %-10s %-10s %-6s %-10s %-13s %s\n",
		         "frame", TIME_W(o, c), "time", "dir", "flags", "seq", "ack",
		         "len", "win", "client", "server");
		snprintf(hd[1], sizeof hd[1],
		         "   %-7s %-*s %-4s %-6s %-10s %-10s %-6s %-10s ", "",
		         TIME_W(o, c), "", "", "", "", "", "", "(before)");
		hl[0] = strlen(hd[0]);
		hl[1] = strlen(hd[1]);
	}
	t_mem(b, hd[0], hl[0]);
	t_mem(b, hd[1], hl[1]);
	t_pad(b, tfe_state_names[before[0]], 13);
	t_chr(b, ' ');
	t_str(b, tfe_state_names[before[1]]);
	t_chr(b, '\n');
	int64_t prev = c->first_ts; /* the row above's time, for -ttt */
	/* each side's latest change at its host: never earlier than the
	 * one before (as JSON's host_ts) */
	int64_t host_last[2] = { INT64_MIN, INT64_MIN };
	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r = &c->tl.rows[i];

		for (int side = 0; side < 2; side++) {
			row_alt_above[side] = i > 0 ? tfe_conn_alt(c, side, i - 1,
			                                           NULL)
			                            : TFE_ST__COUNT;
			row_alt[side] = tfe_conn_alt(c, side, i,
			                             &row_alt_why[side]);
			row_host[side][0] = '\0';
			if (r->state[side] == before[side])
				continue;
			int64_t t = tfe_vantage_time_next(&row_vantage, side, r,
			                                  &host_last[side]);
			if (t == r->ts)
				continue;
			/* -ttt's delta to the row above means nothing here:
			 * the time since the connection's first frame */
			if (o->tstamp == TFE_TS_DELTA)
				*tfe_secs_end(t - c->first_ts, c->timestamps_ns, true,
				              row_host[side]) = '\0';
			else
				row_time(row_host[side], o, c, t, prev);
		}
		switch (r->kind) {
		case TFE_ROW_FRAME:
			frame_row(b, o, c, r, before, false, prev);
			break;
		case TFE_ROW_RUN:
			run_row(b, o, c, r, before, false, prev);
			break;
		case TFE_ROW_TIMER:
		case TFE_ROW_ARRIVAL:
			timer_row(b, o, c, r, before, prev);
			break;
		}
		prev = r->ts;
		/* A timer row for one side must not hide the other side's
		 * own TIME_WAIT row that follows it. */
		before[0] = r->state[0];
		before[1] = r->state[1];
		row_alt[0] = row_alt[1] = TFE_ST__COUNT;
		/* --all-frames keeps every frame of a connection: the buffer
		 * stays small however long the connection. */
		if (b->len >= FLUSH_AT)
			t_flush(b, o->out);
	}
	footer(b, o, c);
	t_flush(b, o->out);
}

static void
footer(struct tfe_obuf *b, const struct tfe_render_opts *o, const struct tfe_conn *c)
{
	if (c->verdicts)
		for (guint i = 0; i < c->verdicts->len; i++) {
			const struct tfe_verdict *v =
				&g_array_index(c->verdicts, struct tfe_verdict, i);
			const struct tfe_verdict_def *d = &tfe_verdicts[v->kind];

			/* "   %sverdict %s%s (%s): %s\n" */
			t_lit(b, "   ");
			t_str(b, color_on(o, d->severity));
			t_lit(b, "verdict ");
			t_str(b, d->kind);
			t_str(b, color_off(o));
			if (d->severity == TFE_SEV_WARNING)
				t_lit(b, " (warning): ");
			else
				t_lit(b, " (info): ");
			/* never NULL; printf wrote "(null)" if it were */
			t_str(b, v->message ? v->message : "(null)");
			t_chr(b, '\n');
		}
	if (c->tl.folded > 0) {
		t_lit(b, "   (");
		t_u64(b, c->tl.folded);
		t_lit(b, " notable frames folded into runs: timeline bound of ");
		t_u64(b, c->tl.max_rows);
		t_lit(b, " rows reached)\n");
	}
	t_lit(b, "   end: ");
	t_str(b, c->end_cause == TFE_END_INPUT ? "capture ended" :
	         c->end_cause == TFE_END_IDLE ? "idle timeout" :
	         c->end_cause == TFE_END_EVICTED ? "evicted (--max-flows)" :
	         c->end_cause == TFE_END_REUSED ? "a new SYN took its 4-tuple" :
	         "closed");
	t_lit(b, ", ");
	t_str(b, tfe_close_names[c->close_how]);
	t_lit(b, "; final states");
	for (int side = 0; side < 2; side++) {
		const struct tfe_endpoint *ep = &c->ep[side];

		if (side)
			t_chr(b, ',');
		t_chr(b, ' ');
		t_str(b, side_names[side]);
		t_chr(b, ' ');
		t_str(b, tfe_state_names[ep->state]);
		if (ep->state == TFE_ST_TIME_WAIT) {
			char t[32];
			tfe_format_seconds(ep->tw_since + 2 * o->cfg->msl - c->first_ts,
			                   c->timestamps_ns, true, t, sizeof t);
			t_lit(b, " (until ");
			t_str(b, t);
			t_chr(b, ')');
		}
	}
	t_lit(b, "\n\n");
}

void
tfe_render_text_footer(const struct tfe_render_opts *o, const struct tfe_conn *c)
{
	footer(&conn_buf, o, c);
	t_flush(&conn_buf, o->out);
}

void
tfe_render_text_summary(const struct tfe_render_opts *o,
                        const struct tfe_stats *s)
{
	FILE *out = o->out;
	uint64_t bad[TFE_DC__COUNT] = { 0 };
	char d[64];

	for (int r = 0; r < TFE_DR__COUNT; r++)
		bad[tfe_decode_reason_class[r]] += s->reasons[r];

	fprintf(out, "summary\n");
	if (s->filtered)
		fprintf(out, "  filter: %" PRIu64 " of %" PRIu64 " frames matched\n",
		        s->frames, s->frames_read);
	fprintf(out, "  packets: %" PRIu64 " read, %" PRIu64 " TCP, %" PRIu64
	        " skipped, %" PRIu64 " truncated, %" PRIu64 " malformed, %" PRIu64
	        " unsupported\n", s->frames, s->tcp_segments, bad[TFE_DC_SKIPPED],
	        bad[TFE_DC_TRUNCATED], bad[TFE_DC_MALFORMED],
	        bad[TFE_DC_UNSUPPORTED]);
	for (int r = 1; r < TFE_DR__COUNT; r++)
		if (s->reasons[r] > 0)
			fprintf(out, "    %-12s %-32s %" PRIu64 "\n",
			        tfe_decode_class_names[tfe_decode_reason_class[r]],
			        tfe_decode_reason_names[r], s->reasons[r]);
	for (unsigned i = 0; i < s->n_undecoded; i++)
		fprintf(out, "      link type %s (%d, %s): %" PRIu64 " frames "
		        "not decoded: no decoder for this link type\n",
		        tfe_capture_linktype_name(s->undecoded[i].linktype),
		        s->undecoded[i].linktype,
		        tfe_capture_linktype_description(s->undecoded[i].linktype),
		        s->undecoded[i].frames);
	const char *lsep = "  encapsulations (frames): ";
	for (int i = 0; i < TFE_LAYER__COUNT; i++) {
		if (s->layers[i] == 0)
			continue;
		fprintf(out, "%s%s %" PRIu64, lsep, tfe_layer_names[i],
		        s->layers[i]);
		lsep = ", ";
	}
	if (*lsep == ',')
		fputc('\n', out);
	uint64_t dropped = 0;
	for (int i = 0; i < TFE_FD__COUNT; i++)
		dropped += s->frag.dropped[i];
	if (s->frag.reassembled > 0 || dropped > 0) {
		fprintf(out, "  ip reassembly: %" PRIu64 " datagram%s from %"
		        PRIu64 " fragments", s->frag.reassembled,
		        s->frag.reassembled == 1 ? "" : "s",
		        s->frag.reassembled_fragments);
		if (dropped > 0) {
			fprintf(out, "; %" PRIu64 " dropped with the %" PRIu64
			        " fragments they held (", dropped,
			        s->frag.dropped_fragments);
			const char *sep = "";
			for (int i = 0; i < TFE_FD__COUNT; i++) {
				if (s->frag.dropped[i] == 0)
					continue;
				fprintf(out, "%s%s %" PRIu64, sep,
				        tfe_frag_drop_names[i], s->frag.dropped[i]);
				sep = ", ";
			}
			fputc(')', out);
		}
		fputc('\n', out);
	}
	if (s->frames > 0)
		fprintf(out, "  capture span: %s\n",
		        tfe_format_duration(s->last_ts - s->first_ts,
		                            s->timestamps_ns, d, sizeof d));
	if (s->time_backwards > 0)
		fprintf(out, "  timestamps going backwards: %" PRIu64 " frames\n",
		        s->time_backwards);
	if (s->time_gaps > 0)
		fprintf(out, "  gaps in time: %" PRIu64 " (the clock jumped forward "
		        "by more than --idle-timeout with no frame between: what "
		        "was open ends at the last frame before the gap, as at "
		        "the end of a capture)\n", s->time_gaps);
	if (s->capture_holes > 0)
		fprintf(out, "  holes in the capture: %" PRIu64 " (the whole "
		        "capture was silent for --idle-gap-threshold or more, "
		        "then picked up three or more connections mid-stream: "
		        "it was not recording; what sent nothing after a hole "
		        "is judged up to its start)\n", s->capture_holes);
	if (s->capture_copies > 0)
		fprintf(out, "  frames the capture repeated: %" PRIu64 " (the same "
		        "IPv4 identification and TCP header as a frame just "
		        "before: copies the capture made, not sent again; left "
		        "out of the analysis)\n", s->capture_copies);
	if (s->tcp_opts_cut > 0)
		fprintf(out, "  TCP options cut by the snapshot length: %" PRIu64
		        " segment%s (decoded from the fixed header; options "
		        "after the cut unknown)\n", s->tcp_opts_cut,
		        s->tcp_opts_cut == 1 ? "" : "s");
	if (s->tcp_csum_bad > 0 || s->ip_csum_bad > 0)
		fprintf(out, "  bad checksums: %" PRIu64 " TCP, %" PRIu64
		        " IPv4 header (usual when the capturing host offloads "
		        "checksums to its NIC; the Zeek labels count them as C, "
		        "as zeek does without -C: see --zeek-ignore-checksums)\n",
		        s->tcp_csum_bad, s->ip_csum_bad);
	if (s->have_capture_stats)
		fprintf(out, "  capture: %" PRIu64 " received, %" PRIu64
		        " dropped by the kernel, %" PRIu64
		        " dropped by the interface\n", s->ps_recv, s->ps_drop,
		        s->ps_ifdrop);
	if (s->shard_n > 0)
		fprintf(out, "  shard %u of %u: the connections whose 4-tuple "
		        "hashes to it, numbered by their first frame; %" PRIu64
		        " TCP segments of the other shards' left out\n",
		        s->shard_k + 1, s->shard_n, s->other_shards);
	fprintf(out, "  connections: %" PRIu64 "\n", s->connections);
	for (int h = 0; h < TFE_CLOSE__COUNT; h++)
		if (s->by_close[h] > 0)
			fprintf(out, "    %-14s %" PRIu64 "\n", tfe_close_names[h],
			        s->by_close[h]);
	bool any_cp = false;
	for (int p = 0; p < TFE_VP__COUNT; p++) {
		if (s->by_vantage[p] == 0)
			continue;
		fprintf(out, "%s%s %" PRIu64, any_cp ? ", " :
		        "  capture point: ", tfe_vantage_text[p],
		        s->by_vantage[p]);
		any_cp = true;
	}
	if (any_cp)
		fputc('\n', out);
	if (s->one_way > 0)
		fprintf(out, "  one direction captured: %" PRIu64 " connection%s "
		        "(the other direction's states are read from the ACKs "
		        "of the direction seen)\n", s->one_way,
		        s->one_way == 1 ? "" : "s");
	for (int side = 0; side < 2; side++) {
		bool any = false;

		for (int st = 0; st < TFE_ST__COUNT; st++) {
			if (s->final_state[side][st] == 0)
				continue;
			fprintf(out, "%s%s %" PRIu64, any ? ", " :
			        (side == 0 ? "  final states, client: " :
			                     "  final states, server: "),
			        tfe_state_names[st], s->final_state[side][st]);
			any = true;
		}
		if (any)
			fputc('\n', out);
	}
	bool any = false;
	for (int k = 0; k < TFE_V__COUNT; k++) {
		if (s->by_verdict[k] == 0)
			continue;
		if (!any)
			fprintf(out, "  verdicts (connections):\n");
		any = true;
		fprintf(out, "    %s%-22s%s %-8s %" PRIu64 "\n",
		        color_on(o, tfe_verdicts[k].severity), tfe_verdicts[k].kind,
		        color_off(o), tfe_verdicts[k].severity == TFE_SEV_WARNING ?
		        "warning" : "info", s->by_verdict[k]);
	}
	bool alerts = false;
	for (int k = 0; k < TFE_AL__COUNT; k++) {
		if (s->alerts[k] == 0)
			continue;
		fprintf(out, "%s %s %" PRIu64, alerts ? "," : "  alerts given:",
		        tfe_alert_names[k], s->alerts[k]);
		alerts = true;
	}
	if (alerts)
		fputc('\n', out);
	if (s->kernel_view)
		fprintf(out, "  kernel's view of local sockets: %" PRIu64
		        " queries (%" PRIu64 " failed), kernel_disagrees in %"
		        PRIu64 " connection%s (%" PRIu64 " quer%s)\n",
		        s->kernel_queries, s->kernel_errors,
		        s->kernel_disagree_conns,
		        s->kernel_disagree_conns == 1 ? "" : "s",
		        s->kernel_disagreements,
		        s->kernel_disagreements == 1 ? "y" : "ies");
	if (s->icmp_matched + s->icmp_unmatched > 0)
		fprintf(out, "  ICMP errors quoting TCP: %" PRIu64 " matched to "
		        "a connection, %" PRIu64 " not (no connection held, or "
		        "a sequence number it had not sent)\n", s->icmp_matched,
		        s->icmp_unmatched);
	if (s->late_segments > 0)
		fprintf(out, "  late segments of connections already reported: %"
		        PRIu64 "\n", s->late_segments);
	if (s->evicted > 0)
		fprintf(out, "  connections evicted by --max-flows: %" PRIu64 "\n",
		        s->evicted);
	if (s->evicted_closed > 0)
		fprintf(out, "  closed connections reported early by --max-flows: %"
		        PRIu64 "\n", s->evicted_closed);
	if (s->tombs_evicted > 0)
		fprintf(out, "  closed connections forgotten before 2MSL by "
		        "--max-flows: %" PRIu64 " (a time_wait_reuse on them "
		        "goes unseen)\n", s->tombs_evicted);
}
