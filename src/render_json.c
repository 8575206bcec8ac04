/*
 * render_json.c: the JSON Lines form (doc/json.md).
 *
 * One object per line: a "connection" object per connection, in the order
 * the text form prints them, then one "summary" object.  With --events a
 * connection also carries its timeline rows.  Every field doc/json.md lists
 * is always present; a value that is unknown or does not apply is null
 * (the one exception is a frame event's "options", which holds only the
 * options the segment carried).
 *
 * Strings are made valid UTF-8 and escaped here (tfe_json_append_string).  The
 * structure and the numbers are written here, so that timestamps keep the
 * exact decimal digits of the capture (a double cannot hold nanoseconds
 * since the epoch): "1700000000.070000", or with nine decimals when the
 * capture has nanoseconds.  Object keys are fixed ASCII names that need no
 * escaping.
 *
 * A connection is built in one reusable buffer and written with one
 * fwrite(); constant strings (state names, reasons, kinds) are escaped once
 * and cached.  Formatting only: nothing here decides anything about a
 * connection.
 */
#include "render.h"
#include "vantage.h"

#include <inttypes.h>
#include <string.h>

#include "addr.h"
#include "capture.h"
#include "zeek.h"

static const char *const side_names[2] = { "client", "server" };

/* Keys for the decode outcomes, indexed as enum tfe_decode_reason
 * (TFE_DR_OK is not a failure and has no key). */
const char *const tfe_json_decode_keys[TFE_DR__COUNT] = {
	[TFE_DR_OK]                = NULL,
	[TFE_DR_NOT_IP]            = "not_ip",
	[TFE_DR_NOT_TCP]           = "not_tcp",
	[TFE_DR_IPV4_FRAGMENT]     = "ipv4_fragment",
	[TFE_DR_IPV6_FRAGMENT]     = "ipv6_fragment",
	[TFE_DR_LINK_TRUNCATED]    = "link_truncated",
	[TFE_DR_IPV4_TRUNCATED]    = "ipv4_truncated",
	[TFE_DR_IPV6_TRUNCATED]    = "ipv6_truncated",
	[TFE_DR_TCP_TRUNCATED]     = "tcp_truncated",
	[TFE_DR_TCP_OPT_TRUNCATED] = "tcp_options_truncated",
	[TFE_DR_IP_BAD_VERSION]    = "ip_bad_version",
	[TFE_DR_IPV4_BAD_IHL]      = "ipv4_bad_header_length",
	[TFE_DR_IPV4_BAD_LENGTH]   = "ipv4_bad_total_length",
	[TFE_DR_IPV6_BAD_LENGTH]   = "ipv6_bad_payload_length",
	[TFE_DR_IPV6_EXT_LOOP]     = "ipv6_too_many_extension_headers",
	[TFE_DR_TCP_BAD_OFFSET]    = "tcp_bad_data_offset",
	[TFE_DR_TCP_BAD_OPTION]    = "tcp_bad_option",
	[TFE_DR_LINKTYPE]          = "unsupported_link_type",
	[TFE_DR_VLAN_DEPTH]        = "too_many_vlan_tags",
	[TFE_DR_TUNNEL_FRAGMENT]   = "tunnel_first_fragment",
	[TFE_DR_UDP_TRUNCATED]     = "udp_truncated",
	[TFE_DR_GRE_TRUNCATED]     = "gre_truncated",
	[TFE_DR_VXLAN_TRUNCATED]   = "vxlan_truncated",
	[TFE_DR_GENEVE_TRUNCATED]  = "geneve_truncated",
	[TFE_DR_UDP_BAD_LENGTH]    = "udp_bad_length",
	[TFE_DR_TUNNEL_BAD_LENGTH] = "tunnel_bad_length",
	[TFE_DR_GRE_HEADER]        = "unsupported_gre_header",
	[TFE_DR_GENEVE_VERSION]    = "unsupported_geneve_version",
	[TFE_DR_TUNNEL_PAYLOAD]    = "unsupported_tunnel_payload",
	[TFE_DR_TUNNEL_DEPTH]      = "too_many_nested_tunnels",
	[TFE_DR_LINK_BAD_HEADER]   = "link_bad_header",
	[TFE_DR_WLAN_NOT_DATA]     = "wlan_not_data",
	[TFE_DR_LINK_PAYLOAD]      = "unsupported_link_payload",
	[TFE_DR_LINK_DEPTH]        = "too_many_link_headers",
	[TFE_DR_TUNNEL_TRUNCATED]  = "tunnel_truncated",
	[TFE_DR_FRAG_DUPLICATE]    = "fragment_duplicate",
	[TFE_DR_FRAG_OVERLAP]      = "fragment_overlap",
	[TFE_DR_FRAG_INVALID]      = "fragment_invalid",
	[TFE_DR_FRAG_OF_DROPPED]   = "fragment_of_dropped_datagram",
	[TFE_DR_FRAG_LIMIT]        = "too_many_fragments",
	[TFE_DR_ICMP_ERROR]        = "icmp_error",
	[TFE_DR_LINK_FRAGMENT]     = "link_fragment",
};

/* Notes on a frame (TFE_NOTE_* bits), in the order the text form
 * prints them. */
const struct tfe_json_note tfe_json_notes[TFE_JSON_NOTES] = {
	{ TFE_NOTE_RETRANS, "retransmission" },
	{ TFE_NOTE_OUT_OF_ORDER, "out_of_order" },
	{ TFE_NOTE_KEEPALIVE, "keepalive" },
	{ TFE_NOTE_ZW_PROBE, "zero_window_probe" },
	{ TFE_NOTE_COPY, "capture_copy" },
	{ TFE_NOTE_ZERO_WINDOW, "zero_window" },
	{ TFE_NOTE_WINDOW_OPEN, "window_open" },
	{ TFE_NOTE_AFTER_FIN, "data_after_fin" },
	{ TFE_NOTE_AFTER_RST, "after_rst" },
	{ TFE_NOTE_BAD_FLAGS, "invalid_flags" },
	{ TFE_NOTE_GAP, "acks_uncaptured_data" },
	{ TFE_NOTE_PADDING, "padding" },
};

/* -- strings -------------------------------------------------------------- */

/* A JSON string token (RFC 8259 §7) for `s`, valid UTF-8 first (U+FFFD
 * for each sequence that is not, as g_utf8_make_valid() does).  The bytes
 * are those json-glib's generator writes, which earlier versions of this
 * program used: the quote and the backslash escaped with a backslash;
 * \b \f \n \r \t; every other control character and DEL as \u00xx
 * (lower-case hex), U+001F included (json-glib 1.6 left it raw, which RFC
 * 8259 forbids, and it was escaped after it); everything else, UTF-8
 * included, as it is.  tests/check_render_json.c holds the two side by
 * side. */
void
tfe_json_append_string(GString *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	gchar *valid = NULL;

	/* Most strings (addresses, verdict messages) are printable ASCII
	 * without a quote or a backslash: copied in one go. */
	const char *q = s;
	while ((unsigned char)*q >= 0x20 && (unsigned char)*q < 0x7f &&
	       *q != '"' && *q != '\\')
		q++;
	if (*q == '\0') {
		g_string_append_c(out, '"');
		g_string_append_len(out, s, q - s);
		g_string_append_c(out, '"');
		return;
	}

	if (!g_utf8_validate(s, -1, NULL))
		s = valid = g_utf8_make_valid(s, -1);
	g_string_append_c(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':  g_string_append_len(out, "\\\"", 2); break;
		case '\\': g_string_append_len(out, "\\\\", 2); break;
		case '\b': g_string_append_len(out, "\\b", 2); break;
		case '\f': g_string_append_len(out, "\\f", 2); break;
		case '\n': g_string_append_len(out, "\\n", 2); break;
		case '\r': g_string_append_len(out, "\\r", 2); break;
		case '\t': g_string_append_len(out, "\\t", 2); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				char u[6] = { '\\', 'u', '0', '0', hex[*p >> 4],
				              hex[*p & 15] };
				g_string_append_len(out, u, 6);
			} else {
				g_string_append_c(out, (char)*p);
			}
		}
	}
	g_string_append_c(out, '"');
	g_free(valid);
}

/* -- the writer: punctuation and numbers -------------------------------- */

/* A line is built in one buffer that is kept from line to line. */

static struct tfe_obuf line_buf;

static inline void
put(struct tfe_obuf *b, const char *s, size_t n)
{
	tfe_obuf_put(b, s, n);
}

#define put_c tfe_obuf_putc
#define put_u64 tfe_obuf_put_u64

/*
 * Constant strings (names and reasons from the static tables) are escaped
 * once and kept, looked up by the string's address, which
 * never changes: an open-addressing table, since the lookup is on the path
 * of every field.
 */
#define CACHE_SLOTS 1024 /* well above the ~200 constant strings */

struct esc {
	const char *key;
	char *json;
	size_t len;
};

static const struct esc *
escaped_const(const char *s)
{
	static struct esc cache[CACHE_SLOTS];
	size_t i = (size_t)(((uintptr_t)s >> 3) * UINT64_C(0x9E3779B97F4A7C15)
	                    >> 54) % CACHE_SLOTS;

	while (cache[i].key != NULL && cache[i].key != s)
		i = (i + 1) % CACHE_SLOTS;
	if (cache[i].key == NULL) {
		GString *g = g_string_sized_new(strlen(s) + 8);

		/* Filling up would loop above: keep one slot in four free. */
		static size_t used;
		g_assert(++used < CACHE_SLOTS * 3 / 4);
		tfe_json_append_string(g, s);
		cache[i].len = g->len;
		cache[i].json = g_string_free(g, FALSE);
		cache[i].key = s;
	}
	return &cache[i];
}

#define JW_DEPTH 16

struct jw {
	struct tfe_obuf *b;
	int depth;
	bool after_key;          /* a key was written: no comma before the
	                            value */
	bool first[JW_DEPTH];    /* no member written yet at this depth */
};

static void
jw_init(struct jw *w, struct tfe_obuf *b)
{
	w->b = b;
	b->len = 0;
	w->depth = 0;
	w->after_key = false;
	w->first[0] = true;
}

/* Before a value: the comma between members of an array (after a key the
 * key wrote it). */
static inline void
pre(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		put_c(w->b, ',');
	w->first[w->depth] = false;
}

/* A key, given as its JSON token ("\"name\":"); keys are fixed ASCII names
 * that need no escaping. */
static inline void
key_token(struct jw *w, const char *tok, size_t n)
{
	if (!w->first[w->depth])
		put_c(w->b, ',');
	w->first[w->depth] = false;
	put(w->b, tok, n);
	w->after_key = true;
}

/* A key that is a string literal in this file. */
#define key(w, k) key_token((w), "\"" k "\":", sizeof("\"" k "\":") - 1)

/* A key from a name table (state names, verdict kinds, ...). */
static void
key_s(struct jw *w, const char *k)
{
	if (!w->first[w->depth])
		put_c(w->b, ',');
	w->first[w->depth] = false;
	put_c(w->b, '"');
	put(w->b, k, strlen(k));
	put(w->b, "\":", 2);
	w->after_key = true;
}

static void
open_(struct jw *w, char c)
{
	pre(w);
	put_c(w->b, c);
	g_assert(w->depth + 1 < JW_DEPTH);
	w->depth++;
	w->first[w->depth] = true;
}

static void
close_(struct jw *w, char c)
{
	w->depth--;
	put_c(w->b, c);
}

#define obj_begin(w) open_((w), '{')
#define obj_end(w)   close_((w), '}')
#define arr_begin(w) open_((w), '[')
#define arr_end(w)   close_((w), ']')

/* v / unit written with `decimals` digits after the point, exactly:
 * unit is a power of ten, `div` is unit / 10^decimals.  Always inlined:
 * every caller passes constants, so the divisions become
 * multiplications. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void
put_decimal(struct tfe_obuf *s, int64_t v, uint64_t unit, uint64_t div,
            int decimals)
{
	/* A connection's times share their whole seconds: the digits of the
	 * last whole part written are kept. */
	static uint64_t last_whole = UINT64_MAX;
	static char last_digits[20];
	static size_t last_len;
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t whole = a / unit, frac = a % unit / div;
	char b[48], *p = b;

	if (v < 0)
		*p++ = '-';
	if (whole != last_whole) {
		last_len = (size_t)(tfe_u64_dec_end(whole, last_digits) -
		                    last_digits);
		last_whole = whole;
	}
	memcpy(p, last_digits, last_len);
	p += last_len;
	*p++ = '.';
	int i = decimals;
	for (; i >= 2; i -= 2) {
		unsigned r = (unsigned)(frac % 100);
		frac /= 100;
		p[i - 2] = (char)('0' + r / 10);
		p[i - 1] = (char)('0' + r % 10);
	}
	if (i == 1)
		p[0] = (char)('0' + frac % 10);
	put(s, b, (size_t)(p + decimals - b));
}

static void
v_u64(struct jw *w, uint64_t v)
{
	pre(w);
	put_u64(w->b, v);
}

static void
v_null(struct jw *w)
{
	pre(w);
	put(w->b, "null", 4);
}

static void
v_bool(struct jw *w, bool b)
{
	pre(w);
	if (b)
		put(w->b, "true", 4);
	else
		put(w->b, "false", 5);
}

/* A string built at run time (addresses, verdict messages). */
static void
v_str(struct jw *w, const char *s)
{
	static GString *g;

	if (g == NULL)
		g = g_string_sized_new(256);
	g_string_truncate(g, 0);
	tfe_json_append_string(g, s);
	pre(w);
	put(w->b, g->str, g->len);
}

/* A string from a static table. */
static void
v_const(struct jw *w, const char *s)
{
	const struct esc *e = escaped_const(s);

	pre(w);
	put(w->b, e->json, e->len);
}

/* A time in ns as seconds: 6 decimals, or 9 when the capture has ns. */
static void
v_secs(struct jw *w, int64_t ns, bool nanos)
{
	pre(w);
	if (nanos)
		put_decimal(w->b, ns, 1000000000u, 1, 9);
	else
		put_decimal(w->b, ns, 1000000000u, 1000, 6);
}

/* A duration in ns as milliseconds: 3 decimals, or 6 with ns. */
static void
v_ms(struct jw *w, int64_t ns, bool nanos)
{
	pre(w);
	if (nanos)
		put_decimal(w->b, ns, 1000000u, 1, 6);
	else
		put_decimal(w->b, ns, 1000000u, 1000, 3);
}

#define k_u64(w, k, v)    (key((w), k), v_u64((w), (v)))
#define k_null(w, k)      (key((w), k), v_null(w))
#define k_bool(w, k, b)   (key((w), k), v_bool((w), (b)))
#define k_const(w, k, s)  (key((w), k), v_const((w), (s)))
#define k_secs(w, k, t, n) (key((w), k), v_secs((w), (t), (n)))
#define k_reason(w, k, r) (key((w), k), v_reason((w), (r)))
#define k_reason_name(w, k, r) (key((w), k), v_reason_name((w), (r)))

/* A reason's sentence, or null for none. */
static void
v_reason(struct jw *w, uint8_t reason)
{
	if (reason == TFE_RS_NONE || reason >= TFE_RS__COUNT)
		v_null(w);
	else
		v_const(w, tfe_reasons[reason].text);
}

/* A reason's stable name, or null for none. */
static void
v_reason_name(struct jw *w, uint8_t reason)
{
	if (reason == TFE_RS_NONE || reason >= TFE_RS__COUNT)
		v_null(w);
	else
		v_const(w, tfe_reasons[reason].name);
}

/* Ends the line and writes it out. */
static void
emit(const struct tfe_render_opts *o, struct jw *w)
{
	put_c(w->b, '\n');
	fwrite(w->b->p, 1, w->b->len, o->out);
	/* A connection with a very long --events timeline should not keep
	 * its buffer for the rest of the run. */
	if (w->b->cap > (1 << 20)) {
		g_free(w->b->p);
		w->b->p = NULL;
		w->b->cap = 0;
	}
	w->b->len = 0;
}

/* -- connection objects -------------------------------------------------- */

static void
side_object(struct jw *w, const struct tfe_render_opts *o,
            const struct tfe_conn *c, int side)
{
	const struct tfe_endpoint *ep = &c->ep[side];
	char a[TFE_ADDR_STRLEN];

	obj_begin(w);
	key(w, "addr");
	v_str(w, tfe_addr_format(c->family, tfe_conn_addr(c, side), a,
	                         sizeof a));
	k_u64(w, "port", tfe_conn_port(c, side));
	key(w, "isn");
	if (ep->isn_known)
		v_u64(w, ep->isn);
	else
		v_null(w);
	k_bool(w, "syn_seen", ep->syn_count > 0 || ep->synack_count > 0);
	key(w, "mss");
	if (ep->has_mss)
		v_u64(w, ep->mss);
	else
		v_null(w);
	key(w, "wscale");
	if (ep->has_wscale)
		v_u64(w, ep->wscale);
	else
		v_null(w);
	k_bool(w, "sack_ok", ep->sack_ok);
	k_bool(w, "ts_ok", ep->ts_ok);
	k_bool(w, "tfo", ep->tfo);
	k_u64(w, "pkts", ep->pkts);
	k_u64(w, "bytes", ep->bytes);
	k_const(w, "initial_state", tfe_state_names[c->init_state[side]]);
	k_const(w, "final_state", tfe_state_names[ep->state]);
	key(w, "time_wait_until");
	if (ep->state == TFE_ST_TIME_WAIT)
		v_secs(w, ep->tw_since + 2 * o->cfg->msl, c->timestamps_ns);
	else
		v_null(w);
	obj_end(w);
}

/*
 * Both sides' states after row `r`, from `cur`, the states before it.  A
 * timer row speaks for its own side only: the other side's state in it is
 * the one it had when the timers were set, at the end, which for two
 * TIME_WAIT sides would undo the first side's expiry.
 */
static void
row_states(const struct tfe_row *r, uint8_t cur[2])
{
	if (r->kind == TFE_ROW_TIMER || r->kind == TFE_ROW_ARRIVAL) {
		int side = r->dir ? 1 : 0;
		cur[side] = r->state[side];
	} else {
		cur[0] = r->state[0];
		cur[1] = r->state[1];
	}
}

/* Each side's state changes, from the timeline rows. */
static void
states_object(struct jw *w, const struct tfe_conn *c,
              const struct tfe_vantage *v)
{
	obj_begin(w);
	for (int side = 0; side < 2; side++) {
		uint8_t cur[2] = { c->init_state[0], c->init_state[1] };
		uint8_t before = c->init_state[side];
		int64_t last = INT64_MIN;

		key_s(w, side_names[side]);
		arr_begin(w);
		for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
			const struct tfe_row *r =
				&c->tl.rows[i];

			row_states(r, cur);
			if (cur[side] == before)
				continue;
			obj_begin(w);
			k_const(w, "state", tfe_state_names[cur[side]]);
			k_const(w, "from", tfe_state_names[before]);
			key(w, "frame");
			if (r->kind == TFE_ROW_TIMER)
				v_null(w);
			else
				v_u64(w, r->frame);
			/* an arrival's frame is the one that arrived */
			int64_t wire = r->kind == TFE_ROW_ARRIVAL ? r->arr_ts :
			               r->ts;
			k_secs(w, "ts", wire, c->timestamps_ns);
			/* at the side's host by the vantage model, never
			 * before its previous change (doc/states.md) */
			int64_t t = tfe_vantage_time_next(v, side, r, &last);
			key(w, "host_ts");
			if (t != wire)
				v_secs(w, t, c->timestamps_ns);
			else
				v_null(w);
			k_reason(w, "reason", r->reason[side]);
			k_reason_name(w, "reason_name", r->reason[side]);
			uint8_t why, alt = tfe_conn_alt(c, side, i, &why);
			key(w, "alternatives");
			if (alt < TFE_ST__COUNT) {
				obj_begin(w);
				key(w, "states");
				arr_begin(w);
				v_const(w, tfe_state_names[alt]);
				arr_end(w);
				k_reason(w, "reason", why);
				k_reason_name(w, "reason_name", why);
				obj_end(w);
			} else {
				v_null(w);
			}
			obj_end(w);
			before = cur[side];
		}
		arr_end(w);
	}
	obj_end(w);
}

static void
flags_value(struct jw *w, uint16_t f)
{
	char buf[16];
	size_t n = strlen(tfe_format_flags(f, buf));

	/* The letters of the text form; no flags is "". */
	if (buf[0] == '-')
		n = 0;
	pre(w);
	put_c(w->b, '"');
	put(w->b, buf, n);
	put_c(w->b, '"');
}

static void
pair_states(struct jw *w, const uint8_t st[2])
{
	key(w, "state");
	obj_begin(w);
	k_const(w, "client", tfe_state_names[st[0]]);
	k_const(w, "server", tfe_state_names[st[1]]);
	obj_end(w);
}

static void
pair_reasons(struct jw *w, const struct tfe_row *r)
{
	key(w, "reason");
	obj_begin(w);
	k_reason(w, "client", r->reason[0]);
	k_reason(w, "server", r->reason[1]);
	obj_end(w);
	key(w, "reason_name");
	obj_begin(w);
	k_reason_name(w, "client", r->reason[0]);
	k_reason_name(w, "server", r->reason[1]);
	obj_end(w);
}

static void
frame_event(struct jw *w, const struct tfe_conn *c, const struct tfe_row *r,
            const uint8_t st[2])
{
	int peer = !r->dir;

	k_u64(w, "frame", r->frame);
	k_secs(w, "ts", r->ts, c->timestamps_ns);
	pair_states(w, st);
	pair_reasons(w, r);
	k_const(w, "from", side_names[r->dir]);
	key(w, "flags");
	flags_value(w, r->flags);
	k_u64(w, "seq", tfe_conn_rel_seq(c, r->dir, r->seq));
	key(w, "ack");
	if ((r->flags & TFE_TH_ACK) &&
	    tfe_conn_base_known(c, peer))
		v_u64(w, tfe_conn_rel_seq(c, peer, r->ack));
	else
		v_null(w);
	k_u64(w, "len", r->len);
	k_u64(w, "win", r->win);
	/* As the text form shows it: a RST's window is not scaled. */
	k_u64(w, "win_scaled", (r->flags & TFE_TH_RST) ? r->win :
	      tfe_conn_scaled_window(c, r->dir, r->win, r->flags));

	key(w, "options");
	obj_begin(w);
	if (r->opt_mask & TFE_OPT_MSS)
		k_u64(w, "mss", r->mss);
	if (r->opt_mask & TFE_OPT_SACKOK)
		k_bool(w, "sack_ok", true);
	if (r->opt_mask & TFE_OPT_TS) {
		key(w, "ts");
		obj_begin(w);
		k_u64(w, "val", r->tsval);
		k_u64(w, "ecr", r->tsecr);
		obj_end(w);
	}
	if (r->opt_mask & TFE_OPT_WSCALE)
		k_u64(w, "wscale", r->wscale);
	if (r->opt_mask & TFE_OPT_SACK)
		k_u64(w, "sack_blocks", r->sack_count);
	if (r->opt_mask & TFE_OPT_TFO)
		k_bool(w, "tfo", true);
	if (r->opt_mask & TFE_OPT_OTHER)
		k_bool(w, "other", true);
	obj_end(w);

	key(w, "notes");
	arr_begin(w);
	for (size_t i = 0; i < TFE_JSON_NOTES; i++)
		if (r->notes & tfe_json_notes[i].bit)
			v_const(w, tfe_json_notes[i].name);
	arr_end(w);
}

static void
run_event(struct jw *w, const struct tfe_conn *c, const struct tfe_row *r,
          const uint8_t st[2])
{
	k_u64(w, "frame", r->frame);
	k_secs(w, "ts", r->ts, c->timestamps_ns);
	pair_states(w, st);
	pair_reasons(w, r);
	k_u64(w, "frame_last", tfe_row_frame_last(r));
	k_secs(w, "ts_last", r->ts_last, c->timestamps_ns);
	k_u64(w, "count", r->count);
	key(w, "bytes");
	obj_begin(w);
	k_u64(w, "client", r->bytes[0]);
	k_u64(w, "server", r->bytes[1]);
	obj_end(w);
	key(w, "win_range");
	obj_begin(w);
	for (int side = 0; side < 2; side++) {
		key_s(w, side_names[side]);
		if (r->win_min[side] > r->win_max[side]) {
			v_null(w); /* this side sent nothing in the run */
			continue;
		}
		obj_begin(w);
		k_u64(w, "min", r->win_min[side]);
		k_u64(w, "max", r->win_max[side]);
		k_u64(w, "min_scaled", tfe_conn_scaled_window(c, side,
		      r->win_min[side], 0));
		k_u64(w, "max_scaled", tfe_conn_scaled_window(c, side,
		      r->win_max[side], 0));
		obj_end(w);
	}
	obj_end(w);
}

static void
events_array(struct jw *w, const struct tfe_conn *c)
{
	uint8_t cur[2] = { c->init_state[0], c->init_state[1] };

	arr_begin(w);
	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r =
			&c->tl.rows[i];

		row_states(r, cur);
		obj_begin(w);
		switch (r->kind) {
		case TFE_ROW_FRAME:
			k_const(w, "type", "frame");
			frame_event(w, c, r, cur);
			break;
		case TFE_ROW_RUN:
			k_const(w, "type", "run");
			run_event(w, c, r, cur);
			break;
		case TFE_ROW_ARRIVAL:
			k_const(w, "type", "arrival");
			k_u64(w, "frame", r->arr_frame);
			k_secs(w, "ts", r->arr_ts, c->timestamps_ns);
			pair_states(w, cur);
			pair_reasons(w, r);
			k_const(w, "side", side_names[r->dir ? 1 : 0]);
			break;
		case TFE_ROW_TIMER:
		default:
			k_const(w, "type", "timer");
			k_null(w, "frame");
			k_secs(w, "ts", r->ts, c->timestamps_ns);
			pair_states(w, cur);
			pair_reasons(w, r);
			k_const(w, "side", side_names[r->dir ? 1 : 0]);
			break;
		}
		obj_end(w);
	}
	arr_end(w);
}

static const char *
end_name(uint8_t cause)
{
	switch (cause) {
	case TFE_END_CLOSED: return "closed";
	case TFE_END_IDLE: return "idle_timeout";
	case TFE_END_EVICTED: return "evicted";
	case TFE_END_REUSED: return "reused";
	default: return "capture_ended";
	}
}

static void
v_side_or_null(struct jw *w, uint8_t side)
{
	if (side < 2)
		v_const(w, side_names[side]);
	else
		v_null(w);
}

/* The vantage model (vantage.h): where the capture point sits, and per
 * side the round trip to it and back, the estimated one-way delay with
 * its bound, and the routers between by TTL. */
static void
vantage_object(struct jw *w, const struct tfe_conn *c,
               const struct tfe_vantage *v)
{
	obj_begin(w);
	k_const(w, "position", tfe_vantage_names[v->pos]);
	for (int side = 0; side < 2; side++) {
		key_s(w, side_names[side]);
		obj_begin(w);
		if (v->rtt_known[side]) {
			key(w, "rtt_ms");
			v_ms(w, v->rtt[side], c->timestamps_ns);
			key(w, "delay_ms");
			v_ms(w, v->delay[side], c->timestamps_ns);
			key(w, "delay_max_ms");
			v_ms(w, v->delay_max[side], c->timestamps_ns);
		} else {
			k_null(w, "rtt_ms");
			k_null(w, "delay_ms");
			k_null(w, "delay_max_ms");
		}
		k_u64(w, "rtt_samples", v->samples[side]);
		key(w, "hops");
		if (v->hops[side] >= 0)
			v_u64(w, (uint64_t)v->hops[side]);
		else
			v_null(w);
		k_bool(w, "far_side_times", tfe_vantage_shift(v, side) != 0);
		obj_end(w);
	}
	obj_end(w);
}

static const char *const owner_names[TFE_OWN__COUNT] = {
	[TFE_OWN_NOT_ASKED] = "not_seen",
	[TFE_OWN_FOUND] = "found",
	[TFE_OWN_NONE] = "none",
	[TFE_OWN_UNKNOWN] = "unknown",
	[TFE_OWN_OFF] = "off",
	[TFE_OWN_UNSUPPORTED] = "unsupported",
};

/* Live: one local socket as the kernel described it (doc/json.md). */
static void
ksock_object(struct jw *w, const struct tfe_ksock *ks, bool ns)
{
	obj_begin(w);
	k_bool(w, "found", ks->found);
	k_const(w, "state", tfe_state_names[ks->state]);
	k_u64(w, "recv_q", ks->recv_q);
	k_u64(w, "send_q", ks->send_q);
	k_const(w, "timer", tfe_ktimer_names[ks->timer]);
	k_u64(w, "timer_ms", (uint64_t)(ks->timer_ms > 0 ? ks->timer_ms : 0));
	k_u64(w, "retrans", ks->retrans);
	k_u64(w, "inode", ks->inode);
	key(w, "uid");
	if (ks->found)
		v_u64(w, ks->uid);
	else
		v_null(w);
	k_const(w, "query", tfe_lq_names[ks->why]);
	k_secs(w, "query_ts", ks->queried, ns);
	k_const(w, "owner", owner_names[ks->owner]);
	if (ks->owner == TFE_OWN_FOUND) {
		k_u64(w, "pid", (uint64_t)ks->pid);
		key(w, "command");
		v_str(w, ks->comm);
		key(w, "cmdline");
		v_str(w, ks->cmdline);
		k_bool(w, "via_listener", ks->via_listener);
	} else {
		k_null(w, "pid");
		k_null(w, "command");
		k_null(w, "cmdline");
		k_bool(w, "via_listener", false);
	}
	obj_end(w);
}

static void
local_object(struct jw *w, const struct tfe_conn *c)
{
	const struct tfe_local *lc = tfe_conn_local(c);
	bool ns = c->timestamps_ns;

	obj_begin(w);
	for (int side = 0; side < 2; side++) {
		key_s(w, side_names[side]);
		if (lc->side[side].local && lc->side[side].asked)
			ksock_object(w, &lc->side[side], ns);
		else
			v_null(w);
	}
	k_u64(w, "queries", lc->queries);
	k_u64(w, "disagreements", lc->disagreements);
	key(w, "kernel_disagrees");
	arr_begin(w);
	for (int i = 0; i < lc->n_disagree; i++) {
		const struct tfe_disagree *d = &lc->disagree[i];

		obj_begin(w);
		k_const(w, "side", side_names[d->side]);
		k_secs(w, "ts", d->at, ns);
		k_const(w, "query", tfe_lq_names[d->why]);
		k_const(w, "wire", tfe_state_names[d->wire]);
		k_const(w, "kernel", tfe_state_names[d->kernel]);
		obj_end(w);
	}
	arr_end(w);
	obj_end(w);
}

void
tfe_render_json_conn(const struct tfe_render_opts *o, const struct tfe_conn *c)
{
	const struct tfe_endpoint *sv = &c->ep[TFE_SIDE_SERVER];
	bool ns = c->timestamps_ns;
	struct tfe_vantage vp; /* one estimate for the states and "vantage" */
	struct jw w;

	tfe_vantage_estimate(c, &vp);
	jw_init(&w, &line_buf);
	obj_begin(&w);
	k_const(&w, "type", "connection");
	k_u64(&w, "schema", TFE_JSON_SCHEMA);
	k_u64(&w, "id", c->id);
	k_u64(&w, "ip", c->family);
	key(&w, "client");
	side_object(&w, o, c, TFE_SIDE_CLIENT);
	key(&w, "server");
	side_object(&w, o, c, TFE_SIDE_SERVER);
	k_const(&w, "roles", tfe_roles_names[c->roles]);
	k_const(&w, "roles_from", c->roles == TFE_ROLES_SYN ? "syn" :
	        c->roles == TFE_ROLES_SYNACK ? "synack" : "port");
	const struct tfe_tunnel *tun = &tfe_conn_rare(c)->tunnel;
	key(&w, "tunnel");
	if (tun->depth > 0) {
		char ta[TFE_ADDR_STRLEN];

		obj_begin(&w);
		k_const(&w, "kind", tfe_tunnel_names[tun->kind]);
		key(&w, "client_end");
		v_str(&w, tfe_addr_format(tun->family, tun->src, ta,
		                          sizeof ta));
		key(&w, "server_end");
		v_str(&w, tfe_addr_format(tun->family, tun->dst, ta,
		                          sizeof ta));
		k_u64(&w, "levels", tun->depth);
		obj_end(&w);
	} else {
		v_null(&w);
	}
	key(&w, "one_direction");
	if (c->one_way == TFE_SIDE_CLIENT)
		v_const(&w, "client_to_server");
	else if (c->one_way == TFE_SIDE_SERVER)
		v_const(&w, "server_to_client");
	else
		v_null(&w);
	k_u64(&w, "first_frame", c->first_frame);
	k_u64(&w, "last_frame", c->last_frame);
	k_secs(&w, "first_ts", c->first_ts, ns);
	k_secs(&w, "last_ts", c->last_ts, ns);
	k_secs(&w, "duration", c->last_ts - c->first_ts, ns);
	if (tfe_conn_ws_unknown(c))
		k_null(&w, "window_scaling");
	else
		k_bool(&w, "window_scaling", c->ws_ok);

	key(&w, "states");
	states_object(&w, c, &vp);

	key(&w, "close");
	obj_begin(&w);
	key(&w, "opened_by");
	if (c->roles != TFE_ROLES_SYN)
		v_null(&w);
	else if (sv->syn_count > 0)
		v_const(&w, "both");
	else
		v_const(&w, "client");
	key(&w, "closed_first_by");
	v_side_or_null(&w, c->closed_first);
	k_const(&w, "how", tfe_close_names[c->close_how]);
	k_const(&w, "end", end_name(c->end_cause));
	obj_end(&w);

	key(&w, "verdicts");
	arr_begin(&w);
	for (guint i = 0; c->verdicts && i < c->verdicts->len; i++) {
		const struct tfe_verdict *v =
			&g_array_index(c->verdicts, struct tfe_verdict, i);
		const struct tfe_verdict_def *d = &tfe_verdicts[v->kind];

		obj_begin(&w);
		k_const(&w, "kind", d->kind);
		k_const(&w, "severity", d->severity == TFE_SEV_WARNING ?
		        "warning" : "info");
		key(&w, "side");
		v_side_or_null(&w, v->side);
		key(&w, "frames");
		arr_begin(&w);
		for (int f = 0; f < v->nframes && f < TFE_VERDICT_MAX_FRAMES; f++)
			v_u64(&w, v->frames[f]);
		arr_end(&w);
		/* the numbers of the sentence, as fields */
		key(&w, "numbers");
		obj_begin(&w);
		for (int n = 0; n < v->nnumbers && n < TFE_VERDICT_MAX_NUMBERS;
		     n++) {
			const struct tfe_verdict_number *vn = &v->numbers[n];

			key_s(&w, vn->name);
			if (vn->unit == TFE_VNUM_NS)
				v_secs(&w, vn->value, c->timestamps_ns);
			else
				v_u64(&w, (uint64_t)vn->value);
		}
		obj_end(&w);
		key(&w, "message");
		v_str(&w, v->message ? v->message : "");
		obj_end(&w);
	}
	arr_end(&w);

	/* The same connection in Zeek's and Wireshark's words (zeek.c): a
	 * translation by their rules, not our verdict.  Zeek logs no
	 * connection for it when it saw none of its packets. */
	key(&w, "zeek");
	if (c->zeek.started) {
		const char *hist = tfe_zeek_history(c);

		obj_begin(&w);
		k_const(&w, "conn_state", tfe_zeek_conn_state(c));
		key(&w, "history");
		if (hist[0] != '\0')
			v_str(&w, hist);
		else
			v_null(&w);
		k_const(&w, "originator", side_names[c->zeek.orig ? 1 : 0]);
		obj_end(&w);
	} else {
		v_null(&w);
	}
	k_u64(&w, "wireshark_completeness", tfe_wireshark_completeness(c));

	int64_t up, down;
	if (tfe_conn_handshake_rtt(c, &up, &down) &&
	    tfe_conn_handshake_ambiguous(c) == NULL) {
		key(&w, "handshake_rtt_ms");
		v_ms(&w, up + down, ns);
		key(&w, "syn_to_synack_ms");
		v_ms(&w, up, ns);
		key(&w, "synack_to_ack_ms");
		v_ms(&w, down, ns);
	} else {
		k_null(&w, "handshake_rtt_ms");
		k_null(&w, "syn_to_synack_ms");
		k_null(&w, "synack_to_ack_ms");
	}
	key(&w, "vantage");
	vantage_object(&w, c, &vp);
	k_u64(&w, "timeline_folded", c->tl.folded);
	if (tfe_conn_local(c) != NULL) {
		/* live only: a capture file has no kernel to ask */
		key(&w, "local");
		local_object(&w, c);
	}
	if (o->events) {
		key(&w, "events");
		events_array(&w, c);
	}
	obj_end(&w);
	emit(o, &w);
}

/* -- the summary --------------------------------------------------------- */

void
tfe_render_json_summary(const struct tfe_render_opts *o,
                        const struct tfe_stats *s)
{
	uint64_t bad[TFE_DC__COUNT] = { 0 };
	bool ns = s->timestamps_ns;
	struct jw w;

	for (int r = 0; r < TFE_DR__COUNT; r++)
		bad[tfe_decode_reason_class[r]] += s->reasons[r];

	jw_init(&w, &line_buf);
	obj_begin(&w);
	k_const(&w, "type", "summary");
	k_u64(&w, "schema", TFE_JSON_SCHEMA);

	key(&w, "frames");
	obj_begin(&w);
	k_u64(&w, "read", s->filtered ? s->frames_read : s->frames);
	k_u64(&w, "analysed", s->frames);
	k_bool(&w, "filter", s->filtered);
	k_u64(&w, "filtered_out", s->filtered && s->frames_read > s->frames ?
	      s->frames_read - s->frames : 0);
	k_u64(&w, "tcp", s->tcp_segments);
	obj_end(&w);

	key(&w, "decode");
	obj_begin(&w);
	k_u64(&w, "skipped", bad[TFE_DC_SKIPPED]);
	k_u64(&w, "truncated", bad[TFE_DC_TRUNCATED]);
	k_u64(&w, "malformed", bad[TFE_DC_MALFORMED]);
	k_u64(&w, "unsupported", bad[TFE_DC_UNSUPPORTED]);
	key(&w, "reasons");
	obj_begin(&w);
	for (int r = 1; r < TFE_DR__COUNT; r++) {
		key_s(&w, tfe_json_decode_keys[r]);
		v_u64(&w, s->reasons[r]);
	}
	obj_end(&w);
	/* the link types counted in unsupported_link_type, by name */
	key(&w, "undecoded_link_types");
	arr_begin(&w);
	for (unsigned i = 0; i < s->n_undecoded; i++) {
		int lt = s->undecoded[i].linktype;
		obj_begin(&w);
		k_u64(&w, "linktype", (uint64_t)(unsigned)lt);
		key(&w, "name");
		v_str(&w, tfe_capture_linktype_name(lt));
		key(&w, "description");
		v_str(&w, tfe_capture_linktype_description(lt));
		k_u64(&w, "frames", s->undecoded[i].frames);
		obj_end(&w);
	}
	arr_end(&w);
	/* frames read through each link layer or encapsulation */
	key(&w, "encapsulations");
	obj_begin(&w);
	for (int i = 0; i < TFE_LAYER__COUNT; i++) {
		key_s(&w, tfe_layer_keys[i]);
		v_u64(&w, s->layers[i]);
	}
	obj_end(&w);
	/* IP fragment reassembly (frag.h) */
	key(&w, "reassembly");
	obj_begin(&w);
	k_u64(&w, "datagrams", s->frag.reassembled);
	k_u64(&w, "fragments", s->frag.reassembled_fragments);
	key(&w, "dropped");
	obj_begin(&w);
	for (int i = 0; i < TFE_FD__COUNT; i++) {
		key_s(&w, tfe_frag_drop_keys[i]);
		v_u64(&w, s->frag.dropped[i]);
	}
	obj_end(&w);
	k_u64(&w, "dropped_fragments", s->frag.dropped_fragments);
	k_u64(&w, "peak_datagrams", s->frag.peak_datagrams);
	obj_end(&w);
	obj_end(&w);

	if (s->frames > 0) {
		k_secs(&w, "first_ts", s->first_ts, ns);
		k_secs(&w, "last_ts", s->last_ts, ns);
		k_secs(&w, "span", s->last_ts - s->first_ts, ns);
	} else {
		k_null(&w, "first_ts");
		k_null(&w, "last_ts");
		k_null(&w, "span");
	}
	k_u64(&w, "time_backwards", s->time_backwards);
	k_u64(&w, "time_gaps", s->time_gaps);
	k_u64(&w, "capture_holes", s->capture_holes);
	key(&w, "bad_checksums");
	obj_begin(&w);
	k_u64(&w, "tcp", s->tcp_csum_bad);
	k_u64(&w, "ipv4", s->ip_csum_bad);
	obj_end(&w);

	k_u64(&w, "connections", s->connections);
	key(&w, "close");
	obj_begin(&w);
	for (int h = 0; h < TFE_CLOSE__COUNT; h++) {
		key_s(&w, tfe_close_names[h]);
		v_u64(&w, s->by_close[h]);
	}
	obj_end(&w);
	k_u64(&w, "one_direction", s->one_way);
	key(&w, "capture_points");
	obj_begin(&w);
	for (int p = 0; p < TFE_VP__COUNT; p++) {
		key_s(&w, tfe_vantage_names[p]);
		v_u64(&w, s->by_vantage[p]);
	}
	obj_end(&w);
	key(&w, "final_states");
	obj_begin(&w);
	for (int side = 0; side < 2; side++) {
		key_s(&w, side_names[side]);
		obj_begin(&w);
		for (int st = 0; st < TFE_ST__COUNT; st++) {
			key_s(&w, tfe_state_names[st]);
			v_u64(&w, s->final_state[side][st]);
		}
		obj_end(&w);
	}
	obj_end(&w);
	key(&w, "verdicts");
	obj_begin(&w);
	for (int k = 0; k < TFE_V__COUNT; k++) {
		key_s(&w, tfe_verdicts[k].kind);
		v_u64(&w, s->by_verdict[k]);
	}
	obj_end(&w);
	k_u64(&w, "late_segments", s->late_segments);
	k_u64(&w, "capture_copies", s->capture_copies);
	k_u64(&w, "evicted", s->evicted);
	k_u64(&w, "evicted_closed", s->evicted_closed);
	k_u64(&w, "tombstones_evicted", s->tombs_evicted);
	key(&w, "icmp_errors");
	obj_begin(&w);
	k_u64(&w, "matched", s->icmp_matched);
	k_u64(&w, "unmatched", s->icmp_unmatched);
	obj_end(&w);

	key(&w, "capture");
	if (s->have_capture_stats) {
		obj_begin(&w);
		k_u64(&w, "received", s->ps_recv);
		k_u64(&w, "dropped", s->ps_drop);
		k_u64(&w, "ifdropped", s->ps_ifdrop);
		obj_end(&w);
	} else {
		v_null(&w);
	}
	if (o->summary_pair != NULL) {
		/* --pair: the pairing's object, made by render_pair.c */
		key(&w, "pair");
		pre(&w);
		put(w.b, o->summary_pair, strlen(o->summary_pair));
	}
	if (s->kernel_view) {
		/* live only */
		key(&w, "kernel");
		obj_begin(&w);
		k_u64(&w, "queries", s->kernel_queries);
		k_u64(&w, "failed", s->kernel_errors);
		k_u64(&w, "disagreeing_connections", s->kernel_disagree_conns);
		k_u64(&w, "disagreements", s->kernel_disagreements);
		obj_end(&w);
	}
	obj_end(&w);
	emit(o, &w);
}

/* -- the operator's view: alerts and the socket table ---------------------- */

static void
v_i64(struct jw *w, int64_t v)
{
	pre(w);
	if (v < 0)
		put_c(w->b, '-');
	put_u64(w->b, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
}

static void
endpoint_object(struct jw *w, int family, const uint8_t addr[16],
                uint16_t port)
{
	char a[TFE_ADDR_STRLEN];

	obj_begin(w);
	key(w, "addr");
	v_str(w, tfe_addr_format(family, addr, a, sizeof a));
	k_u64(w, "port", port);
	obj_end(w);
}

void
tfe_render_json_alert(const struct tfe_render_opts *o,
                      const struct tfe_alert *al)
{
	bool ns = al->nanos;
	struct jw w;

	jw_init(&w, &line_buf);
	obj_begin(&w);
	k_const(&w, "type", "alert");
	k_u64(&w, "schema", TFE_JSON_SCHEMA);
	k_const(&w, "kind", tfe_alert_names[al->kind]);
	k_u64(&w, "id", al->id);
	k_u64(&w, "ip", al->family);
	key(&w, "client");
	endpoint_object(&w, al->family, al->addr[TFE_SIDE_CLIENT],
	                al->port[TFE_SIDE_CLIENT]);
	key(&w, "server");
	endpoint_object(&w, al->family, al->addr[TFE_SIDE_SERVER],
	                al->port[TFE_SIDE_SERVER]);
	k_const(&w, "side", side_names[al->side]);
	k_const(&w, "state", tfe_state_names[al->state]);
	k_secs(&w, "time", al->at, ns);
	k_secs(&w, "since", al->since, ns);
	k_u64(&w, "since_frame", al->since_frame);
	k_secs(&w, "age", al->at - al->since, ns);
	k_secs(&w, "threshold", al->threshold, ns);
	k_const(&w, "option", tfe_alert_options[al->kind]);
	k_u64(&w, "frames", al->frames);
	k_u64(&w, "first_frame", al->first_frame);
	k_u64(&w, "last_frame", al->last_frame);
	k_secs(&w, "first_ts", al->first_ts, ns);
	if (al->have_local) {
		/* live only: the side's socket as the kernel described it */
		key(&w, "local");
		ksock_object(&w, &al->local, ns);
	}
	obj_end(&w);
	emit(o, &w);
}

void
tfe_render_json_table(const struct tfe_render_opts *o,
                      const struct tfe_table_shot *t)
{
	bool ns = t->nanos;
	struct jw w;

	jw_init(&w, &line_buf);
	obj_begin(&w);
	k_const(&w, "type", "table");
	k_u64(&w, "schema", TFE_JSON_SCHEMA);
	k_secs(&w, "time", t->at, ns);
	k_secs(&w, "since_first_frame", t->at - t->first_ts, ns);
	key(&w, "rows");
	arr_begin(&w);
	for (guint i = 0; i < t->rows->len; i++) {
		const struct tfe_table_row *r =
			&g_array_index(t->rows, struct tfe_table_row, i);
		char a[TFE_ADDR_STRLEN];

		obj_begin(&w);
		k_const(&w, "role", side_names[r->role]);
		key(&w, "host");
		v_str(&w, tfe_addr_format(r->family, r->host, a, sizeof a));
		key(&w, "port");
		if (r->role == TFE_SIDE_SERVER)
			v_u64(&w, r->port);
		else
			v_null(&w);
		key(&w, "server");
		endpoint_object(&w, r->family, r->service, r->port);
		k_const(&w, "state", tfe_state_names[r->state]);
		k_u64(&w, "count", r->count);
		key(&w, "change");
		v_i64(&w, r->change);
		key(&w, "oldest_age");
		if (r->count > 0)
			v_secs(&w, t->at - r->oldest_since, ns);
		else
			v_null(&w);
		if (r->kernel) {
			/* live only: local sockets in the kernel's state */
			k_bool(&w, "kernel", true);
			k_u64(&w, "recv_q", r->recv_q);
			k_u64(&w, "send_q", r->send_q);
		}
		obj_end(&w);
	}
	arr_end(&w);
	obj_end(&w);
	emit(o, &w);
}

/* -- the picture of the capture (--servers) -------------------------------- */

void
tfe_render_json_picture(const struct tfe_render_opts *o,
                        struct tfe_picture *p, bool ns)
{
	GPtrArray *servers = tfe_picture_servers(p);
	struct jw w;

	jw_init(&w, &line_buf);
	obj_begin(&w);
	k_const(&w, "type", "servers");
	k_u64(&w, "schema", TFE_JSON_SCHEMA);
	key(&w, "servers");
	arr_begin(&w);
	for (guint i = 0; i < servers->len; i++) {
		const struct tfe_server_row *r = servers->pdata[i];
		char a[TFE_ADDR_STRLEN];

		obj_begin(&w);
		key(&w, "addr");
		v_str(&w, tfe_addr_format(r->family, r->addr, a, sizeof a));
		k_u64(&w, "port", r->port);
		k_u64(&w, "connections", r->connections);
		key(&w, "close");
		obj_begin(&w);
		for (int k = 0; k < TFE_CLOSE__COUNT; k++) {
			key_s(&w, tfe_close_names[k]);
			v_u64(&w, r->by_close[k]);
		}
		obj_end(&w);
		key(&w, "verdicts");
		obj_begin(&w);
		for (int k = 0; k < TFE_V__COUNT; k++)
			if (r->by_verdict[k] > 0) {
				key_s(&w, tfe_verdicts[k].kind);
				v_u64(&w, r->by_verdict[k]);
			}
		obj_end(&w);
		key(&w, "rtt_median");
		if (r->has_rtt)
			v_secs(&w, r->rtt_median, ns);
		else
			v_null(&w);
		key(&w, "rtt_p99");
		if (r->has_rtt)
			v_secs(&w, r->rtt_p99, ns);
		else
			v_null(&w);
		obj_end(&w);
	}
	arr_end(&w);
	key(&w, "offenders");
	obj_begin(&w);
	for (int k = 0; k < TFE_V__COUNT; k++) {
		const struct tfe_server_row *top[TFE_PICTURE_OFFENDERS];
		guint n;

		if (tfe_verdicts[k].severity != TFE_SEV_WARNING)
			continue;
		n = tfe_picture_offenders(servers, k, top, TFE_PICTURE_OFFENDERS);
		if (n == 0)
			continue;
		key_s(&w, tfe_verdicts[k].kind);
		arr_begin(&w);
		for (guint i = 0; i < n; i++) {
			char a[TFE_ADDR_STRLEN];

			obj_begin(&w);
			key(&w, "addr");
			v_str(&w, tfe_addr_format(top[i]->family, top[i]->addr, a,
			                          sizeof a));
			k_u64(&w, "port", top[i]->port);
			k_u64(&w, "connections", top[i]->by_verdict[k]);
			obj_end(&w);
		}
		arr_end(&w);
	}
	obj_end(&w);
	obj_end(&w);
	emit(o, &w);
	g_ptr_array_free(servers, TRUE);
}
