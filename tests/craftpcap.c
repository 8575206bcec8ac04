/*
 * craftpcap.c: write a pcap file from a readable description of TCP
 * segments, so that golden and CLI tests can state exactly which frames a
 * capture holds (tests/craft/README.md documents the description format).
 *
 *     craftpcap DESC.txt OUT.pcap      ("-" for standard input or output)
 *
 * It writes the pcap file format itself and links only glib: the tool that
 * makes test input must not share code, or bugs, with libpcap or with the
 * decoder under test.  It fills in correct IPv4 header and TCP checksums
 * unless a line asks for a bad one, and it never reorders, merges or
 * "fixes" what the description says: a hostile description yields a
 * hostile capture.
 *
 * Layers are built inside out, one function each: TCP options, TCP
 * header and payload, IPv4 or IPv6, any tunnels (innermost first), link
 * header, pcap record.
 *
 * Exit status: 0 written, 2 a description or usage error (the message names
 * the line), 3 the output could not be written.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* pcap link types (www.tcpdump.org/linktypes.html), stored in the header. */
#define LINKTYPE_NULL   0   /* BSD loopback: 4-byte address family */
#define LINKTYPE_ETHER  1
#define LINKTYPE_RAW    101 /* bare IPv4 or IPv6 */
#define LINKTYPE_SLL    113 /* Linux cooked capture v1, 16-byte header */
#define LINKTYPE_SLL2   276 /* Linux cooked capture v2, 20-byte header */
#define LINKTYPE_ARCNET_LINUX 129 /* ARCNET as Linux captures it */
#define LINKTYPE_JUNIPER_ETHER 178 /* Junos's capture of an Ethernet port */

#define ETHERTYPE_IPV4  0x0800
#define ETHERTYPE_IPV6  0x86dd
#define ETHERTYPE_VLAN  0x8100 /* 802.1Q customer tag */
#define ETHERTYPE_QINQ  0x88a8 /* 802.1ad service tag, outermost of two */
#define ETHERTYPE_TEB   0x6558 /* transparent Ethernet bridging */
#define ETHERTYPE_PPP   0x880b /* PPTP's enhanced GRE (RFC 2637) */
#define ETHERTYPE_WCCP  0x883e /* WCCP redirection in GRE */
#define ETHERTYPE_ARUBA 0x8200 /* Aruba's 802.11 in GRE */

/* IP protocols and UDP ports of the tunnels "tunnel" can wrap packets in. */
#define IPPROTO_IPIP_NUM 4
#define IPPROTO_IPV6_NUM 41
#define IPPROTO_GRE_NUM  47
#define IPPROTO_UDP_NUM  17
#define PORT_GRE_UDP     4754 /* RFC 8086 */
#define PORT_VXLAN       4789 /* RFC 7348 */
#define PORT_GENEVE      6081 /* RFC 8926 */
#define PORT_TEREDO      3544 /* RFC 4380 */
#define PORT_AYIYA       5072 /* AYIYA (SixXS) */
#define PORT_TZSP        37008 /* TZSP (a remote sniffer's stream) */
#define TUNNEL_SPORT     50000 /* default outer UDP source port */
#define MAX_TUNNELS      6    /* enough to go past the decoder's limit */

/* BSD loopback family values; 24 is what NetBSD/OpenBSD use for IPv6 and
 * is one of the three values every reader accepts (24, 28, 30). */
#define NULL_AF_INET    2
#define NULL_AF_INET6   24

#define SNAPLEN         65535
#define DEFAULT_EPOCH   1700000000u
#define MAX_VLAN_TAGS   2
#define MAX_SACK_BLOCKS 4
#define MAX_TCP_OPTIONS 40  /* data offset 15 words minus the fixed 5 */

/* TCP flag bits, host order, as in the header's 14th byte. */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20
#define TH_ECE 0x40
#define TH_CWR 0x80

/* One side of the current connection. */
struct endpoint {
	int family;      /* AF_INET or AF_INET6 */
	guint8 addr[16]; /* network byte order; the first 4 bytes for IPv4 */
	guint16 port;    /* host order */
};

enum tunnel_kind {
	TUN_IPIP, TUN_GRE, TUN_GRE_UDP, TUN_VXLAN, TUN_GENEVE, TUN_TEREDO,
	TUN_AYIYA, TUN_PPTP, TUN_WCCP, TUN_ARUBA, TUN_TZSP
};

/* One "tunnel" line: an encapsulation around the following packets. */
struct tunnel {
	enum tunnel_kind kind;
	struct endpoint client_end, server_end; /* addresses only */
	bool gre_csum, gre_seq, gre_teb;
	bool pptp_ack, pptp_pfc;   /* acknowledgement numbers, PPP compressed */
	bool wccp_bare;            /* no redirect header (WCCPv1) */
	guint16 gre_proto;         /* Aruba's protocol type */
	bool has_key;
	guint32 key;
	guint32 vni;
	guint16 sport, dport;      /* UDP kinds */
	GByteArray *geneve_opts;   /* NULL for none */
	bool teredo_auth, teredo_origin; /* Teredo's indicators */
	guint32 seq_next[2];       /* GRE sequence, per direction (client 0) */
};

/* Everything one packet line says; absent options are -1 or false. */
struct packet {
	bool from_client;
	guint64 sec;        /* absolute timestamp, seconds since the epoch */
	guint32 nsec;       /* and nanoseconds within that second */
	guint8 flags;
	guint32 seq, ack;   /* absolute, host order */
	guint16 win, urp;
	int mss;            /* -1: no MSS option */
	int ws;             /* -1: no window scale option */
	bool sackok;
	int nsack;
	guint32 sack[MAX_SACK_BLOCKS][2];
	bool has_ts;
	guint32 tsval, tsecr;
	bool tfo;           /* TFO option present (cookie may be empty) */
	GByteArray *tfo_cookie;
	GByteArray *extra_opts; /* opt=HEX: appended after the known options */
	GByteArray *payload;
	GByteArray *raw;    /* raw=HEX: replaces the IP packet entirely */
	guint8 ttl;         /* hop limit for IPv6 */
	int ipid;           /* -1: take the sending host's next id */
	guint16 frag_off;   /* bytes, a multiple of 8 (IPv4 only) */
	bool more_frags;
	bool no_df;
	bool bad_sum;
	gint64 trunc;       /* -1: capture the whole frame */
	char *frags;        /* frags=SPEC: send as IP fragments (see
	                       emit_fragments()); NULL: whole */
	bool hbh;           /* IPv6: a hop-by-hop options header (PadN) */
};

/* The state of one run: settings so far, the current tuple, the output. */
struct craft {
	const char *path;    /* the description's name, for messages */
	int lineno;
	guint32 linktype;
	bool nanosecond;
	guint64 epoch_sec;   /* "time": the instant offsets count from */
	guint32 epoch_nsec;
	bool have_client, have_server;
	struct endpoint client, server;
	int nvlan;
	guint16 vlan[MAX_VLAN_TAGS];
	int ntunnel;                      /* [0] is the outermost */
	struct tunnel tunnel[MAX_TUNNELS];
	GHashTable *next_ipid; /* source address (string) -> next IP ID */
	guint hosts_seen;
	GByteArray *records;   /* every pcap record, written after the header */
	guint npackets;
};

static void G_GNUC_NORETURN G_GNUC_PRINTF(2, 3)
die_at(const struct craft *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "craftpcap: %s:%d: ", c->path, c->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* ---- byte writers ------------------------------------------------------
 * Protocol headers are big-endian.  The pcap header and record headers are
 * written little-endian on every host, so the same description always gives
 * the same bytes (readers detect the order from the magic number). */

static void
put_u8(GByteArray *b, guint8 v)
{
	g_byte_array_append(b, &v, 1);
}

static void
put_be16(GByteArray *b, guint16 v)
{
	guint8 x[2] = { v >> 8, v & 0xff };
	g_byte_array_append(b, x, 2);
}

static void
put_be32(GByteArray *b, guint32 v)
{
	guint8 x[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };
	g_byte_array_append(b, x, 4);
}

static void
put_le16(GByteArray *b, guint16 v)
{
	guint8 x[2] = { v & 0xff, v >> 8 };
	g_byte_array_append(b, x, 2);
}

static void
put_le32(GByteArray *b, guint32 v)
{
	guint8 x[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };
	g_byte_array_append(b, x, 4);
}

static void
set_be16(GByteArray *b, guint off, guint16 v)
{
	b->data[off] = v >> 8;
	b->data[off + 1] = v & 0xff;
}

/* ---- checksums (RFC 1071) ---------------------------------------------- */

/* Adds bytes to a running one's-complement sum; an odd trailing byte is
 * padded with zero, so only the last call may pass an odd length. */
static guint32
csum_add(guint32 sum, const guint8 *p, gsize n)
{
	for (gsize i = 0; i + 1 < n; i += 2)
		sum += (guint32)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (guint32)p[n - 1] << 8;
	return sum;
}

static guint16
csum_fold(guint32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (guint16)~sum;
}

/* ---- description parsing helpers --------------------------------------- */

static guint64
parse_uint(const struct craft *c, const char *what, const char *s,
	   guint64 max)
{
	guint64 v;
	GError *err = NULL;

	/* glib's message names the text and the range; exit frees it. */
	if (!g_ascii_string_to_unsigned(s, 10, 0, max, &v, &err))
		die_at(c, "%s: %s", what, err->message);
	return v;
}

/* Hex bytes, optionally separated by ':' ("0a0b0c" or "0a:0b:0c"). */
static GByteArray *
parse_hex(const struct craft *c, const char *what, const char *s)
{
	GByteArray *b = g_byte_array_new();
	int hi = -1;

	for (const char *p = s; *p; p++) {
		if (*p == ':' && hi < 0)
			continue;
		int d = g_ascii_xdigit_value(*p);
		if (d < 0)
			die_at(c, "%s: '%s' is not hex bytes", what, s);
		if (hi < 0) {
			hi = d;
		} else {
			put_u8(b, (guint8)(hi << 4 | d));
			hi = -1;
		}
	}
	if (hi >= 0)
		die_at(c, "%s: odd number of hex digits in '%s'", what, s);
	return b;
}

/*
 * A non-negative decimal time "S[.FFFFFFFFF]" split into whole seconds and
 * nanoseconds, parsed as text: going through a double would turn 0.001 into
 * 0.000999 and the capture would not say what the description says.
 */
static void
parse_time(const struct craft *c, const char *what, const char *s,
	   guint64 *sec, guint32 *nsec)
{
	const char *dot = strchr(s, '.');
	char *whole = dot ? g_strndup(s, dot - s) : g_strdup(s);
	guint32 frac = 0;

	if (*s == '+') {
		char *w = g_strdup(whole + 1);
		g_free(whole);
		whole = w;
	}
	*sec = parse_uint(c, what, whole, G_MAXUINT32);
	g_free(whole);
	if (dot) {
		int digits = 0;
		for (const char *p = dot + 1; *p; p++, digits++) {
			if (!g_ascii_isdigit(*p) || digits == 9)
				die_at(c, "%s: '%s' is not seconds with at most "
				       "9 decimals", what, s);
			frac = frac * 10 + (guint32)(*p - '0');
		}
		for (; digits < 9; digits++)
			frac *= 10;
	}
	*nsec = frac;
}

/* "10.0.0.1:40000" or "[2001:db8::1]:40000" */
static void
parse_endpoint(const struct craft *c, const char *s, struct endpoint *ep)
{
	char *host;
	const char *port;

	if (s[0] == '[') {
		const char *close = strstr(s, "]:");
		if (!close)
			die_at(c, "'%s': write an IPv6 endpoint as [ADDR]:PORT", s);
		host = g_strndup(s + 1, close - s - 1);
		port = close + 2;
		ep->family = AF_INET6;
	} else {
		const char *colon = strrchr(s, ':');
		if (!colon)
			die_at(c, "'%s': write an endpoint as ADDR:PORT", s);
		host = g_strndup(s, colon - s);
		port = colon + 1;
		ep->family = AF_INET;
	}
	memset(ep->addr, 0, sizeof ep->addr);
	if (inet_pton(ep->family, host, ep->addr) != 1)
		die_at(c, "'%s' is not an %s address", host,
		       ep->family == AF_INET ? "IPv4" : "IPv6");
	g_free(host);
	ep->port = (guint16)parse_uint(c, "port", port, 65535);
}

static guint8
parse_flags(const struct craft *c, const char *s)
{
	guint8 f = 0;

	if (strcmp(s, ".") == 0 || strcmp(s, "-") == 0)
		return 0;
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case 'S': f |= TH_SYN; break;
		case 'A': f |= TH_ACK; break;
		case 'F': f |= TH_FIN; break;
		case 'R': f |= TH_RST; break;
		case 'P': f |= TH_PSH; break;
		case 'U': f |= TH_URG; break;
		case 'E': f |= TH_ECE; break;
		case 'C': f |= TH_CWR; break;
		default:
			die_at(c, "flags '%s': '%c' is none of S A F R P U E C "
			       "(write '.' for no flags)", s, *p);
		}
	}
	return f;
}

/* "L-R[,L-R...]" */
static void
parse_sack(const struct craft *c, const char *s, struct packet *pk)
{
	char **blocks = g_strsplit(s, ",", -1);

	pk->nsack = 0;
	for (char **b = blocks; *b; b++) {
		char **lr = g_strsplit(*b, "-", 3);
		if (pk->nsack == MAX_SACK_BLOCKS)
			die_at(c, "sack: at most %d blocks", MAX_SACK_BLOCKS);
		if (g_strv_length(lr) != 2)
			die_at(c, "sack: '%s' is not LEFT-RIGHT", *b);
		pk->sack[pk->nsack][0] = (guint32)parse_uint(c, "sack left",
							     lr[0], G_MAXUINT32);
		pk->sack[pk->nsack][1] = (guint32)parse_uint(c, "sack right",
							     lr[1], G_MAXUINT32);
		pk->nsack++;
		g_strfreev(lr);
	}
	g_strfreev(blocks);
}

/* ---- layer builders, innermost first ----------------------------------- */

/*
 * TCP options in the order and with the NOP padding Linux uses, so crafted
 * SYNs look like real ones in tcpdump:
 *   SYN:  mss, sackOK, TS, nop, wscale      (with timestamps)
 *         mss, nop, nop, sackOK, nop, wscale (without)
 *   data: nop, nop, TS, nop, nop, sack
 * TFO and opt=HEX come last, then NOPs up to a 4-byte boundary.
 */
static GByteArray *
build_tcp_options(const struct craft *c, const struct packet *pk)
{
	GByteArray *o = g_byte_array_new();

	if (pk->mss >= 0) {
		put_u8(o, 2); put_u8(o, 4); put_be16(o, (guint16)pk->mss);
	}
	if (pk->sackok && pk->has_ts) {
		put_u8(o, 4); put_u8(o, 2);
	} else if (pk->sackok || pk->has_ts) {
		put_u8(o, 1); put_u8(o, 1);
		if (pk->sackok) {
			put_u8(o, 4); put_u8(o, 2);
		}
	}
	if (pk->has_ts) {
		put_u8(o, 8); put_u8(o, 10);
		put_be32(o, pk->tsval); put_be32(o, pk->tsecr);
	}
	if (pk->ws >= 0) {
		put_u8(o, 1); put_u8(o, 3); put_u8(o, 3); put_u8(o, (guint8)pk->ws);
	}
	if (pk->nsack > 0) {
		put_u8(o, 1); put_u8(o, 1);
		put_u8(o, 5); put_u8(o, (guint8)(2 + 8 * pk->nsack));
		for (int i = 0; i < pk->nsack; i++) {
			put_be32(o, pk->sack[i][0]);
			put_be32(o, pk->sack[i][1]);
		}
	}
	if (pk->tfo) {
		guint cl = pk->tfo_cookie ? pk->tfo_cookie->len : 0;
		put_u8(o, 34); put_u8(o, (guint8)(2 + cl));
		if (cl)
			g_byte_array_append(o, pk->tfo_cookie->data, cl);
	}
	if (pk->extra_opts)
		g_byte_array_append(o, pk->extra_opts->data,
				    pk->extra_opts->len);
	while (o->len % 4)
		put_u8(o, 1);
	if (o->len > MAX_TCP_OPTIONS)
		die_at(c, "TCP options take %u bytes; the header has room for %d",
		       o->len, MAX_TCP_OPTIONS);
	return o;
}

/* The checksum covers a pseudo-header of addresses, protocol and length
 * (RFC 9293 §3.1 for IPv4, RFC 8200 §8.1 for IPv6). */
static guint16
tcp_checksum(const struct endpoint *src, const struct endpoint *dst,
	     const GByteArray *tcp)
{
	guint alen = src->family == AF_INET ? 4 : 16;
	guint32 sum = 0;
	guint8 tail[8] = { 0 };

	sum = csum_add(sum, src->addr, alen);
	sum = csum_add(sum, dst->addr, alen);
	/* IPv4: zero, protocol, 16-bit length; IPv6: 32-bit length, 3 zero
	 * bytes, next header.  Both sum the same way. */
	tail[2] = tcp->len >> 8 & 0xff;
	tail[3] = tcp->len & 0xff;
	tail[7] = 6;
	if (src->family == AF_INET6) {
		tail[0] = tcp->len >> 24 & 0xff;
		tail[1] = tcp->len >> 16 & 0xff;
	}
	sum = csum_add(sum, tail, sizeof tail);
	sum = csum_add(sum, tcp->data, tcp->len);
	return csum_fold(sum);
}

static GByteArray *
build_tcp(const struct craft *c, const struct packet *pk,
	  const struct endpoint *src, const struct endpoint *dst)
{
	GByteArray *opts = build_tcp_options(c, pk);
	GByteArray *t = g_byte_array_new();
	guint hlen = 20 + opts->len;

	put_be16(t, src->port);
	put_be16(t, dst->port);
	put_be32(t, pk->seq);
	put_be32(t, pk->ack);
	put_u8(t, (guint8)(hlen / 4 << 4));
	put_u8(t, pk->flags);
	put_be16(t, pk->win);
	put_be16(t, 0); /* checksum, filled in below */
	put_be16(t, pk->urp);
	g_byte_array_append(t, opts->data, opts->len);
	g_byte_array_unref(opts);
	if (pk->payload)
		g_byte_array_append(t, pk->payload->data, pk->payload->len);

	guint16 sum = tcp_checksum(src, dst, t);
	/* A deliberately wrong checksum must still be wrong if the right one
	 * happens to be 0xffff, hence the XOR rather than a constant. */
	if (pk->bad_sum)
		sum ^= 0x5a5a;
	set_be16(t, 16, sum);
	return t;
}

static guint16
next_ipid(struct craft *c, const struct endpoint *src)
{
	char key[INET6_ADDRSTRLEN];
	gpointer v;
	guint id;

	inet_ntop(src->family, src->addr, key, sizeof key);
	/* Each host counts from its own base (1000, 2000, ... in order of
	 * first appearance) so that tcpdump -v shows who sent what and a
	 * test can plant an IP ID that does not fit. */
	if (g_hash_table_lookup_extended(c->next_ipid, key, NULL, &v))
		id = GPOINTER_TO_UINT(v);
	else
		id = 1000 * ++c->hosts_seen;
	g_hash_table_insert(c->next_ipid, g_strdup(key),
			    GUINT_TO_POINTER((id + 1) & 0xffff));
	return (guint16)id;
}

static GByteArray *
build_ip(struct craft *c, const struct packet *pk,
	 const struct endpoint *src, const struct endpoint *dst,
	 const GByteArray *tcp)
{
	GByteArray *ip = g_byte_array_new();

	if (src->family == AF_INET) {
		guint16 id = pk->ipid >= 0 ? (guint16)pk->ipid
					   : next_ipid(c, src);
		guint16 frag = pk->frag_off / 8;

		if (20 + tcp->len > 65535)
			die_at(c, "the IPv4 packet would exceed 65535 bytes");
		if (!pk->no_df)
			frag |= 0x4000; /* DF, as Linux sets with PMTU discovery */
		if (pk->more_frags)
			frag |= 0x2000;
		put_u8(ip, 0x45);
		put_u8(ip, 0);
		put_be16(ip, (guint16)(20 + tcp->len));
		put_be16(ip, id);
		put_be16(ip, frag);
		put_u8(ip, pk->ttl);
		put_u8(ip, 6);
		put_be16(ip, 0);
		g_byte_array_append(ip, src->addr, 4);
		g_byte_array_append(ip, dst->addr, 4);
		set_be16(ip, 10, csum_fold(csum_add(0, ip->data, 20)));
	} else {
		if (tcp->len > 65535)
			die_at(c, "the IPv6 payload would exceed 65535 bytes");
		guint ext = pk->hbh ? 8 : 0;
		put_be32(ip, 0x60000000); /* version 6, class 0, flow 0 */
		put_be16(ip, (guint16)(tcp->len + ext));
		put_u8(ip, pk->hbh ? 0 : 6);
		put_u8(ip, pk->ttl);
		g_byte_array_append(ip, src->addr, 16);
		g_byte_array_append(ip, dst->addr, 16);
		if (pk->hbh) {
			/* next header TCP, length 0 (8 bytes), PadN of 4 */
			static const guint8 h[8] = { 6, 0, 1, 4, 0, 0, 0, 0 };
			g_byte_array_append(ip, h, sizeof h);
		}
	}
	g_byte_array_append(ip, tcp->data, tcp->len);
	return ip;
}

/* The UDP header and checksum (RFC 768; over IPv6, RFC 8200 §8.1). */
static GByteArray *
build_udp(const struct endpoint *src, const struct endpoint *dst,
	  guint16 sport, guint16 dport, const GByteArray *payload)
{
	GByteArray *u = g_byte_array_new();
	guint alen = src->family == AF_INET ? 4 : 16;
	guint32 len = 8 + payload->len;
	guint8 tail[8] = { 0 };
	guint32 sum = 0;

	put_be16(u, sport);
	put_be16(u, dport);
	put_be16(u, (guint16)len);
	put_be16(u, 0);
	g_byte_array_append(u, payload->data, payload->len);
	sum = csum_add(sum, src->addr, alen);
	sum = csum_add(sum, dst->addr, alen);
	tail[0] = len >> 24 & 0xff;
	tail[1] = len >> 16 & 0xff;
	tail[2] = len >> 8 & 0xff;
	tail[3] = len & 0xff;
	tail[7] = IPPROTO_UDP_NUM;
	sum = csum_add(sum, tail, sizeof tail);
	sum = csum_add(sum, u->data, u->len);
	guint16 c = csum_fold(sum);
	set_be16(u, 6, c ? c : 0xffff); /* 0 would mean "no checksum" */
	return u;
}

/* An Ethernet header in front of an IP packet inside a tunnel: the
 * client's end is 02:00:00:00:01:01, the server's 02:00:00:00:01:02. */
static GByteArray *
build_inner_ethernet(const struct packet *pk, int family, const GByteArray *ip)
{
	static const guint8 mac_client[6] = { 2, 0, 0, 0, 1, 1 };
	static const guint8 mac_server[6] = { 2, 0, 0, 0, 1, 2 };
	GByteArray *f = g_byte_array_new();

	g_byte_array_append(f, pk->from_client ? mac_server : mac_client, 6);
	g_byte_array_append(f, pk->from_client ? mac_client : mac_server, 6);
	put_be16(f, family == AF_INET ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6);
	g_byte_array_append(f, ip->data, ip->len);
	return f;
}

/*
 * Wraps one IP packet of `family` in tunnel `t`: the tunnel's own header
 * (and an Ethernet header where it carries Ethernet), then UDP for the
 * UDP kinds, then the outer IP header between the tunnel's ends.
 */
static GByteArray *
wrap_tunnel(struct craft *c, const struct packet *pk, struct tunnel *t,
	    int family, const GByteArray *inner)
{
	const struct endpoint *src = pk->from_client ? &t->client_end
						     : &t->server_end;
	const struct endpoint *dst = pk->from_client ? &t->server_end
						     : &t->client_end;
	guint16 ethertype = family == AF_INET ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
	GByteArray *body = g_byte_array_new();
	GByteArray *eth = NULL;
	guint8 proto;

	switch (t->kind) {
	case TUN_IPIP:
		g_byte_array_append(body, inner->data, inner->len);
		proto = family == AF_INET ? IPPROTO_IPIP_NUM : IPPROTO_IPV6_NUM;
		break;
	case TUN_GRE:
	case TUN_GRE_UDP: {
		guint16 flags = 0;
		if (t->gre_csum)
			flags |= 0x8000;
		if (t->has_key)
			flags |= 0x2000;
		if (t->gre_seq)
			flags |= 0x1000;
		put_be16(body, flags); /* version 0 */
		put_be16(body, t->gre_teb ? ETHERTYPE_TEB : ethertype);
		if (t->gre_csum)
			put_be32(body, 0); /* checksum, reserved1 */
		if (t->has_key)
			put_be32(body, t->key);
		if (t->gre_seq)
			put_be32(body, t->seq_next[!pk->from_client]++);
		if (t->gre_teb) {
			eth = build_inner_ethernet(pk, family, inner);
			g_byte_array_append(body, eth->data, eth->len);
		} else {
			g_byte_array_append(body, inner->data, inner->len);
		}
		/* RFC 2784 §2.5: over the GRE header and its payload. */
		if (t->gre_csum)
			set_be16(body, 4,
				 csum_fold(csum_add(0, body->data, body->len)));
		proto = IPPROTO_GRE_NUM;
		break;
	}
	case TUN_PPTP: {
		/* RFC 2637 §4.1: K and S always, A on request; the key is
		 * the payload's length and the call ID (the key option). */
		bool ack = t->pptp_ack && t->seq_next[!!pk->from_client] > 1;
		guint8 ppp[4] = { 0xff, 0x03, 0x00, 0x21 };
		if (family != AF_INET)
			ppp[3] = 0x57;
		const guint8 *pp = t->pptp_pfc ? ppp + 3 : ppp;
		guint pplen = t->pptp_pfc ? 1 : 4;
		put_be16(body, (guint16)(0x3001 | (ack ? 0x0080 : 0)));
		put_be16(body, ETHERTYPE_PPP);
		if (pplen + inner->len > 65535)
			die_at(c, "the PPP frame would exceed 65535 bytes");
		put_be16(body, (guint16)(pplen + inner->len));
		put_be16(body, (guint16)t->key);
		put_be32(body, t->seq_next[!pk->from_client]++);
		if (ack) /* the last sequence number the other way */
			put_be32(body, t->seq_next[!!pk->from_client] - 1);
		g_byte_array_append(body, pp, pplen);
		g_byte_array_append(body, inner->data, inner->len);
		proto = IPPROTO_GRE_NUM;
		break;
	}
	case TUN_WCCP:
		if (family != AF_INET)
			die_at(c, "wccp carries IPv4 only");
		put_be16(body, 0);
		put_be16(body, ETHERTYPE_WCCP);
		if (!t->wccp_bare) /* redirect header: service 0 (web) */
			put_be32(body, 0);
		g_byte_array_append(body, inner->data, inner->len);
		proto = IPPROTO_GRE_NUM;
		break;
	case TUN_ARUBA: {
		/* An 802.11 data frame: to the access point's BSSID from the
		 * client (to-DS), from it to the client (from-DS); LLC/SNAP. */
		static const guint8 bssid[6] = { 2, 0, 0, 0, 2, 1 };
		static const guint8 mac_client[6] = { 2, 0, 0, 0, 1, 1 };
		static const guint8 mac_server[6] = { 2, 0, 0, 0, 1, 2 };
		static const guint8 snap[6] = { 0xaa, 0xaa, 0x03, 0, 0, 0 };
		put_be16(body, 0);
		put_be16(body, t->gre_proto);
		put_u8(body, 0x08); /* data */
		put_u8(body, pk->from_client ? 0x01 : 0x02);
		put_be16(body, 0);  /* duration */
		if (pk->from_client) {
			g_byte_array_append(body, bssid, 6);
			g_byte_array_append(body, mac_client, 6);
			g_byte_array_append(body, mac_server, 6);
		} else {
			g_byte_array_append(body, mac_client, 6);
			g_byte_array_append(body, bssid, 6);
			g_byte_array_append(body, mac_server, 6);
		}
		put_be16(body, 0);  /* sequence control */
		g_byte_array_append(body, snap, 6);
		put_be16(body, ethertype);
		g_byte_array_append(body, inner->data, inner->len);
		proto = IPPROTO_GRE_NUM;
		break;
	}
	case TUN_TZSP:
		/* version 1, received, Ethernet; an RSSI tag, the end tag */
		put_u8(body, 1);
		put_u8(body, 0);
		put_be16(body, 1);
		put_u8(body, 10);
		put_u8(body, 1);
		put_u8(body, 0xd6);
		put_u8(body, 1);
		eth = build_inner_ethernet(pk, family, inner);
		g_byte_array_append(body, eth->data, eth->len);
		proto = IPPROTO_UDP_NUM;
		break;
	case TUN_VXLAN:
		put_be32(body, 0x08000000);   /* I flag */
		put_be32(body, t->vni << 8);
		eth = build_inner_ethernet(pk, family, inner);
		g_byte_array_append(body, eth->data, eth->len);
		proto = IPPROTO_UDP_NUM;
		break;
	case TUN_GENEVE: {
		guint optlen = t->geneve_opts ? t->geneve_opts->len : 0;
		put_u8(body, (guint8)(optlen / 4)); /* version 0 */
		put_u8(body, 0);
		put_be16(body, ETHERTYPE_TEB);
		put_be32(body, t->vni << 8);
		if (optlen)
			g_byte_array_append(body, t->geneve_opts->data, optlen);
		eth = build_inner_ethernet(pk, family, inner);
		g_byte_array_append(body, eth->data, eth->len);
		proto = IPPROTO_UDP_NUM;
		break;
	}
	case TUN_TEREDO:
		if (family != AF_INET6)
			die_at(c, "teredo carries IPv6 only");
		if (t->teredo_auth) {
			/* type 1, no client id, no value, nonce, confirmation */
			put_be32(body, 0x00010000);
			put_be32(body, 0x01020304);
			put_be32(body, 0x05060708);
			put_u8(body, 0);
		}
		if (t->teredo_origin) {
			/* type 0, the client end's port and address, each bit
			 * inverted (RFC 4380 §5.1.1) */
			put_be16(body, 0);
			put_be16(body, (guint16)~t->sport);
			for (int i = 0; i < 4; i++)
				put_u8(body, (guint8)~src->addr[i]);
		}
		g_byte_array_append(body, inner->data, inner->len);
		proto = IPPROTO_UDP_NUM;
		break;
	case TUN_AYIYA:
		put_u8(body, 0x41); /* 16-byte identity, type 1 */
		put_u8(body, 0x52); /* 5-word signature, SHA-1 */
		put_u8(body, 0x21); /* shared secret, opcode 1: forward */
		put_u8(body, family == AF_INET ? IPPROTO_IPIP_NUM
					       : IPPROTO_IPV6_NUM);
		put_be32(body, DEFAULT_EPOCH);
		for (int i = 0; i < 16 + 20; i++)
			put_u8(body, (guint8)i); /* identity, signature */
		g_byte_array_append(body, inner->data, inner->len);
		proto = IPPROTO_UDP_NUM;
		break;
	default:
		g_assert_not_reached();
	}
	if (eth)
		g_byte_array_unref(eth);
	if (t->kind == TUN_GRE_UDP)
		proto = IPPROTO_UDP_NUM;
	if (proto == IPPROTO_UDP_NUM) {
		GByteArray *u = build_udp(src, dst, t->sport, t->dport, body);
		g_byte_array_unref(body);
		body = u;
	}

	/* The outer header: DF set, TTL 64, and the frame's number as its
	 * IPv4 ID, so that the inner hosts keep their own ID bases. */
	GByteArray *ip = g_byte_array_new();
	if (src->family == AF_INET) {
		if (20 + body->len > 65535)
			die_at(c, "the outer IPv4 packet would exceed 65535 bytes");
		put_u8(ip, 0x45);
		put_u8(ip, 0);
		put_be16(ip, (guint16)(20 + body->len));
		put_be16(ip, (guint16)(c->npackets + 1));
		put_be16(ip, 0x4000);
		put_u8(ip, 64);
		put_u8(ip, proto);
		put_be16(ip, 0);
		g_byte_array_append(ip, src->addr, 4);
		g_byte_array_append(ip, dst->addr, 4);
		set_be16(ip, 10, csum_fold(csum_add(0, ip->data, 20)));
	} else {
		if (body->len > 65535)
			die_at(c, "the outer IPv6 payload would exceed 65535 bytes");
		put_be32(ip, 0x60000000);
		put_be16(ip, (guint16)body->len);
		put_u8(ip, proto);
		put_u8(ip, 64);
		g_byte_array_append(ip, src->addr, 16);
		g_byte_array_append(ip, dst->addr, 16);
	}
	g_byte_array_append(ip, body->data, body->len);
	g_byte_array_unref(body);
	return ip;
}

/*
 * The link header.  The link-layer view is that of a capture on the
 * client's host: Ethernet MACs are fixed (client 02:00:00:00:00:01, server
 * ...:02) and cooked captures mark the client's packets as outgoing.
 */
static GByteArray *
build_link(const struct craft *c, const struct packet *pk, int family,
	   const GByteArray *ip)
{
	static const guint8 mac_client[6] = { 2, 0, 0, 0, 0, 1 };
	static const guint8 mac_server[6] = { 2, 0, 0, 0, 0, 2 };
	const guint8 *smac = pk->from_client ? mac_client : mac_server;
	const guint8 *dmac = pk->from_client ? mac_server : mac_client;
	guint16 ethertype = family == AF_INET ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
	GByteArray *f = g_byte_array_new();

	if (c->nvlan && c->linktype != LINKTYPE_ETHER)
		die_at(c, "vlan tags need linktype ether");
	switch (c->linktype) {
	case LINKTYPE_JUNIPER_ETHER: {
		/* "MGC", flags: extensions, and "in" for the client's
		 * packets; the TLVs: interface index 5 (little-endian) and
		 * name ge-0/0/0; then the Ethernet frame */
		static const guint8 tlvs[] = { 1, 4, 5, 0, 0, 0, 2, 8, 'g',
		                               'e', '-', '0', '/', '0', '/',
		                               '0' };
		put_u8(f, 'M');
		put_u8(f, 'G');
		put_u8(f, 'C');
		put_u8(f, pk->from_client ? 0x81 : 0x80);
		put_be16(f, sizeof tlvs);
		g_byte_array_append(f, tlvs, sizeof tlvs);
	}
		/* fall through */
	case LINKTYPE_ETHER:
		g_byte_array_append(f, dmac, 6);
		g_byte_array_append(f, smac, 6);
		for (int i = 0; i < c->nvlan; i++) {
			/* With two tags the outer one is an 802.1ad S-tag. */
			bool outer = c->nvlan == 2 && i == 0;
			put_be16(f, outer ? ETHERTYPE_QINQ : ETHERTYPE_VLAN);
			put_be16(f, c->vlan[i]); /* PCP 0, DEI 0, VID */
		}
		put_be16(f, ethertype);
		break;
	case LINKTYPE_RAW:
		break;
	case LINKTYPE_NULL:
		/* The family is in the capturing host's byte order; we say
		 * little-endian, like the pcap header. */
		put_le32(f, family == AF_INET ? NULL_AF_INET : NULL_AF_INET6);
		break;
	case LINKTYPE_SLL:
		put_be16(f, pk->from_client ? 4 : 0); /* OUTGOING : HOST */
		put_be16(f, 1);                       /* ARPHRD_ETHER */
		put_be16(f, 6);                       /* address length */
		g_byte_array_append(f, smac, 6);
		put_be16(f, 0);                       /* address padding */
		put_be16(f, ethertype);
		break;
	case LINKTYPE_ARCNET_LINUX:
		/* station IDs (client 1, server 2), offset 0, RFC 1201's
		 * code for IPv4 (212) or RFC 2497's for IPv6 (196), split
		 * flag 0, the frame's number as sequence number */
		put_u8(f, pk->from_client ? 1 : 2);
		put_u8(f, pk->from_client ? 2 : 1);
		put_be16(f, 0);
		put_u8(f, family == AF_INET ? 212 : 196);
		put_u8(f, 0);
		put_be16(f, (guint16)(c->npackets + 1));
		break;
	case LINKTYPE_SLL2:
		put_be16(f, ethertype);
		put_be16(f, 0);                       /* reserved */
		put_be32(f, 2);                       /* interface index */
		put_be16(f, 1);                       /* ARPHRD_ETHER */
		put_u8(f, pk->from_client ? 4 : 0);   /* OUTGOING : HOST */
		put_u8(f, 6);                         /* address length */
		g_byte_array_append(f, smac, 6);
		put_be16(f, 0);                       /* address padding */
		break;
	default:
		g_assert_not_reached();
	}
	g_byte_array_append(f, ip->data, ip->len);
	return f;
}

/* Appends one record header and the captured part of the frame. */
static void
append_record(struct craft *c, const struct packet *pk, const GByteArray *f)
{
	guint32 caplen = f->len;
	guint32 sub = c->nanosecond ? pk->nsec : pk->nsec / 1000;

	if (pk->trunc >= 0 && (guint64)pk->trunc < caplen)
		caplen = (guint32)pk->trunc;
	put_le32(c->records, (guint32)pk->sec);
	put_le32(c->records, sub);
	put_le32(c->records, caplen);
	put_le32(c->records, f->len);
	g_byte_array_append(c->records, f->data, caplen);
	c->npackets++;
}

static void emit_ip(struct craft *c, struct packet *pk, GByteArray *ip);

/*
 * frags=SPEC: the IP packet goes out as fragments instead, one frame per
 * piece of SPEC, in the order given.  A piece is START-END, byte offsets
 * into the fragmentable part (the TCP segment), END exclusive, optionally
 * followed by @SECONDS added to the packet's time (for a late fragment);
 * MF is set unless the piece ends at the end of the segment, or a
 * trailing "!" says otherwise ("0-8!" claims to be last).  Pieces may
 * overlap, repeat or leave gaps: nothing is checked, so that a test can
 * give a reassembler exactly what it must cope with.  IPv4 fragments
 * have DF clear; IPv6 ones carry a fragment header (RFC 8200 §4.5) after
 * the unfragmentable part (the hop-by-hop header, with hbh).  Every
 * piece has the packet's IP ID (IPv6: the same value as identification).
 */
static void
emit_fragments(struct craft *c, struct packet *pk, GByteArray *ip, int family)
{
	guint hlen = family == AF_INET ? 20 : 40 + (pk->hbh ? 8 : 0);
	guint plen = ip->len - hlen;
	guint32 id = family == AF_INET ? (guint32)(ip->data[4] << 8 | ip->data[5]) :
	             (pk->ipid >= 0 ? (guint32)pk->ipid : 0x10000u + c->npackets);
	char **pieces = g_strsplit(pk->frags, ",", -1);

	for (char **pp = pieces; *pp != NULL; pp++) {
		char *spec = *pp, *at = strchr(spec, '@');
		bool last_forced = false;
		struct packet fp = *pk;
		guint64 start, end;

		if (at != NULL) {
			guint64 dsec;
			guint32 dnsec;
			*at = '\0';
			parse_time(c, "frags delay", at + 1, &dsec, &dnsec);
			fp.sec += dsec;
			fp.nsec += dnsec;
			if (fp.nsec >= 1000000000u) {
				fp.nsec -= 1000000000u;
				fp.sec++;
			}
		}
		gsize sl = strlen(spec);
		if (sl > 0 && spec[sl - 1] == '!') {
			last_forced = true;
			spec[sl - 1] = '\0';
		}
		char *dash = strchr(spec, '-');
		if (dash == NULL)
			die_at(c, "frags: a piece is START-END[@SECONDS]");
		*dash = '\0';
		start = parse_uint(c, "frags start", spec, plen);
		end = parse_uint(c, "frags end", dash + 1, plen);
		if (end < start || start % 8)
			die_at(c, "frags: START a multiple of 8, END not before it");
		bool more = !last_forced && end < plen;
		GByteArray *f = g_byte_array_new();
		if (family == AF_INET) {
			g_byte_array_append(f, ip->data, 20);
			set_be16(f, 2, (guint16)(20 + end - start));
			set_be16(f, 6, (guint16)(start / 8 | (more ? 0x2000 : 0)));
			set_be16(f, 10, 0);
			set_be16(f, 10, csum_fold(csum_add(0, f->data, 20)));
		} else {
			g_byte_array_append(f, ip->data, hlen);
			/* the header before the fragment header names it */
			f->data[pk->hbh ? 40 : 6] = 44;
			set_be16(f, 4, (guint16)(hlen - 40 + 8 + end - start));
			put_u8(f, 6);
			put_u8(f, 0);
			put_be16(f, (guint16)(start | (more ? 1 : 0)));
			put_be32(f, id);
		}
		g_byte_array_append(f, ip->data + hlen + start,
		                    (guint)(end - start));
		emit_ip(c, &fp, f);
	}
	g_strfreev(pieces);
	g_byte_array_unref(ip);
}

static void
emit_packet(struct craft *c, struct packet *pk)
{
	const struct endpoint *src = pk->from_client ? &c->client : &c->server;
	const struct endpoint *dst = pk->from_client ? &c->server : &c->client;
	GByteArray *ip;

	if (!c->have_client || !c->have_server)
		die_at(c, "a packet before both 'client' and 'server' are set");
	if (c->client.family != c->server.family)
		die_at(c, "client and server are of different address families");
	if (!c->nanosecond && pk->nsec % 1000)
		die_at(c, "the time has sub-microsecond digits; add 'nanosecond'");
	if (pk->frag_off % 8 || pk->frag_off > 0xfff8)
		die_at(c, "frag: the offset must be a multiple of 8 up to 65528");
	if ((pk->frag_off || pk->more_frags) && src->family != AF_INET)
		die_at(c, "frag and mf exist only for IPv4 here; use raw=HEX");

	if (pk->hbh && src->family != AF_INET6)
		die_at(c, "hbh exists only for IPv6");
	if (pk->frags && (pk->raw || pk->frag_off || pk->more_frags))
		die_at(c, "frags= builds the fragments itself: no raw, frag, mf");
	if (pk->raw) {
		ip = g_byte_array_ref(pk->raw);
	} else {
		GByteArray *tcp = build_tcp(c, pk, src, dst);
		ip = build_ip(c, pk, src, dst, tcp);
		g_byte_array_unref(tcp);
	}
	if (pk->frags) {
		emit_fragments(c, pk, ip, src->family);
		return;
	}
	emit_ip(c, pk, ip);
}

/* Wraps an IP packet of the sender's family in the tunnels and the link
 * header, and writes it; takes `ip` over. */
static void
emit_ip(struct craft *c, struct packet *pk, GByteArray *ip)
{
	const struct endpoint *src = pk->from_client ? &c->client : &c->server;
	/* Tunnels from the innermost out; raw=HEX is wrapped the same way,
	 * taken to be of the client's family. */
	int family = src->family;
	for (int i = c->ntunnel - 1; i >= 0; i--) {
		GByteArray *outer = wrap_tunnel(c, pk, &c->tunnel[i], family, ip);
		g_byte_array_unref(ip);
		ip = outer;
		family = c->tunnel[i].client_end.family;
	}
	GByteArray *frame = build_link(c, pk, family, ip);
	append_record(c, pk, frame);
	g_byte_array_unref(frame);
	g_byte_array_unref(ip);
}

/* ---- lines ------------------------------------------------------------- */

/* Keys that build the TCP/IP packet; raw=HEX replaces it and takes none. */
static const char *const packet_keys[] = {
	"seq", "ack", "win", "urp", "len", "fill", "payload", "mss", "ws",
	"sackok", "sack", "ts", "tfo", "opt", "ttl", "ipid", "frag", "mf",
	"frags", "hbh",
	"nodf", "badsum", NULL
};

static bool
is_packet_key(const char *k)
{
	return g_strv_contains(packet_keys, k);
}

/* <offset> <c|s> <FLAGS> key=value... */
static void
parse_packet(struct craft *c, char **tok)
{
	struct packet pk = {
		.mss = -1, .ws = -1, .win = 65535, .ttl = 64, .ipid = -1,
		.trunc = -1,
	};
	guint64 off_sec, len = 0;
	guint32 off_nsec;
	bool have_len = false;
	bool have_packet_key = false;
	GByteArray *fill = NULL;

	parse_time(c, "time offset", tok[0], &off_sec, &off_nsec);
	pk.sec = c->epoch_sec + off_sec;
	pk.nsec = c->epoch_nsec + off_nsec;
	if (pk.nsec >= 1000000000u) {
		pk.sec++;
		pk.nsec -= 1000000000u;
	}
	if (pk.sec > G_MAXUINT32)
		die_at(c, "the timestamp does not fit pcap's 32-bit seconds");

	if (tok[1] == NULL || tok[2] == NULL)
		die_at(c, "expected: OFFSET c|s FLAGS key=value...");
	if (strcmp(tok[1], "c") == 0)
		pk.from_client = true;
	else if (strcmp(tok[1], "s") == 0)
		pk.from_client = false;
	else
		die_at(c, "sender '%s': write c (client) or s (server)", tok[1]);
	pk.flags = parse_flags(c, tok[2]);

	for (char **t = tok + 3; *t; t++) {
		char *eq = strchr(*t, '=');
		char *k = eq ? g_strndup(*t, eq - *t) : g_strdup(*t);
		const char *v = eq ? eq + 1 : NULL;
		/* keys that take no value */
		bool bare = !strcmp(k, "sackok") || !strcmp(k, "tfo") ||
			    !strcmp(k, "mf") || !strcmp(k, "nodf") ||
			    !strcmp(k, "badsum") || !strcmp(k, "hbh");

		if (!v && !bare)
			die_at(c, "'%s' needs a value: %s=...", k, k);
		if (v && bare && strcmp(k, "tfo") != 0)
			die_at(c, "'%s' takes no value", k);
		if (is_packet_key(k))
			have_packet_key = true;

		if (!strcmp(k, "seq"))
			pk.seq = (guint32)parse_uint(c, k, v, G_MAXUINT32);
		else if (!strcmp(k, "ack"))
			pk.ack = (guint32)parse_uint(c, k, v, G_MAXUINT32);
		else if (!strcmp(k, "win"))
			pk.win = (guint16)parse_uint(c, k, v, 65535);
		else if (!strcmp(k, "urp"))
			pk.urp = (guint16)parse_uint(c, k, v, 65535);
		else if (!strcmp(k, "len")) {
			len = parse_uint(c, k, v, 65535);
			have_len = true;
		} else if (!strcmp(k, "fill")) {
			fill = parse_hex(c, k, v);
			if (fill->len == 0)
				die_at(c, "fill: give at least one byte");
		} else if (!strcmp(k, "payload"))
			pk.payload = parse_hex(c, k, v);
		else if (!strcmp(k, "mss"))
			pk.mss = (int)parse_uint(c, k, v, 65535);
		else if (!strcmp(k, "ws"))
			pk.ws = (int)parse_uint(c, k, v, 255);
		else if (!strcmp(k, "sackok"))
			pk.sackok = true;
		else if (!strcmp(k, "sack"))
			parse_sack(c, v, &pk);
		else if (!strcmp(k, "ts")) {
			char **vr = g_strsplit(v, "/", 3);
			if (g_strv_length(vr) != 2)
				die_at(c, "ts: write ts=TSVAL/TSECR");
			pk.tsval = (guint32)parse_uint(c, "ts val", vr[0],
						       G_MAXUINT32);
			pk.tsecr = (guint32)parse_uint(c, "ts ecr", vr[1],
						       G_MAXUINT32);
			pk.has_ts = true;
			g_strfreev(vr);
		} else if (!strcmp(k, "tfo")) {
			pk.tfo = true;
			if (v)
				pk.tfo_cookie = parse_hex(c, k, v);
		} else if (!strcmp(k, "opt"))
			pk.extra_opts = parse_hex(c, k, v);
		else if (!strcmp(k, "ttl"))
			pk.ttl = (guint8)parse_uint(c, k, v, 255);
		else if (!strcmp(k, "ipid"))
			pk.ipid = (int)parse_uint(c, k, v, 65535);
		else if (!strcmp(k, "frag"))
			pk.frag_off = (guint16)parse_uint(c, k, v, 65535);
		else if (!strcmp(k, "mf"))
			pk.more_frags = true;
		else if (!strcmp(k, "nodf"))
			pk.no_df = true;
		else if (!strcmp(k, "frags"))
			pk.frags = g_strdup(v);
		else if (!strcmp(k, "hbh"))
			pk.hbh = true;
		else if (!strcmp(k, "badsum"))
			pk.bad_sum = true;
		else if (!strcmp(k, "raw"))
			pk.raw = parse_hex(c, k, v);
		else if (!strcmp(k, "trunc"))
			pk.trunc = (gint64)parse_uint(c, k, v, G_MAXUINT32);
		else
			die_at(c, "unknown key '%s' (see tests/craft/README.md)",
			       k);
		g_free(k);
	}

	if (pk.raw && (have_packet_key || pk.flags))
		die_at(c, "raw=HEX replaces the whole IP packet: write '-' for "
		       "the flags and no other keys except trunc");
	if (pk.payload && have_len && len != pk.payload->len)
		die_at(c, "len=%" G_GUINT64_FORMAT " but payload= has %u bytes",
		       len, pk.payload->len);
	if (fill && pk.payload)
		die_at(c, "give either payload= or fill=, not both");
	if (!pk.payload && len > 0) {
		/* 'x' by default: easy to spot in a hex dump. */
		pk.payload = g_byte_array_sized_new((guint)len);
		for (guint64 i = 0; i < len; i++)
			put_u8(pk.payload,
			       fill ? fill->data[i % fill->len] : 'x');
	}

	emit_packet(c, &pk);

	if (fill)
		g_byte_array_unref(fill);
	g_clear_pointer(&pk.tfo_cookie, g_byte_array_unref);
	g_clear_pointer(&pk.extra_opts, g_byte_array_unref);
	g_clear_pointer(&pk.payload, g_byte_array_unref);
	g_clear_pointer(&pk.raw, g_byte_array_unref);
	g_free(pk.frags);
}

static guint32
parse_linktype(const struct craft *c, const char *s)
{
	static const struct {
		const char *name;
		guint32 linktype;
	} types[] = {
		{ "ether", LINKTYPE_ETHER }, { "raw", LINKTYPE_RAW },
		{ "null", LINKTYPE_NULL },   { "sll", LINKTYPE_SLL },
		{ "sll2", LINKTYPE_SLL2 }, { "arcnet", LINKTYPE_ARCNET_LINUX },
		{ "juniper", LINKTYPE_JUNIPER_ETHER },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(types); i++)
		if (!strcmp(s, types[i].name))
			return types[i].linktype;
	die_at(c, "linktype '%s': use ether, raw, null, sll, sll2, arcnet or "
	       "juniper", s);
}

/* An address without a port, for the ends of a tunnel. */
static void
parse_address(const struct craft *c, const char *s, struct endpoint *ep)
{
	memset(ep, 0, sizeof *ep);
	if (inet_pton(AF_INET, s, ep->addr) == 1)
		ep->family = AF_INET;
	else if (inet_pton(AF_INET6, s, ep->addr) == 1)
		ep->family = AF_INET6;
	else
		die_at(c, "'%s' is not an IPv4 or IPv6 address", s);
}

/*
 * tunnel off
 * tunnel KIND CLIENT-END SERVER-END [key=value...]
 * Each line adds a level inside those already set.
 */
static void
parse_tunnel(struct craft *c, char **tok, guint n)
{
	static const struct {
		const char *name;
		enum tunnel_kind kind;
		guint16 port;
	} kinds[] = {
		{ "ipip", TUN_IPIP, 0 },         { "gre", TUN_GRE, 0 },
		{ "gre-udp", TUN_GRE_UDP, PORT_GRE_UDP },
		{ "vxlan", TUN_VXLAN, PORT_VXLAN },
		{ "geneve", TUN_GENEVE, PORT_GENEVE },
		{ "teredo", TUN_TEREDO, PORT_TEREDO },
		{ "ayiya", TUN_AYIYA, PORT_AYIYA },
		{ "pptp", TUN_PPTP, 0 },         { "wccp", TUN_WCCP, 0 },
		{ "aruba", TUN_ARUBA, 0 },
		{ "tzsp", TUN_TZSP, PORT_TZSP },
	};
	struct tunnel t = { .sport = TUNNEL_SPORT, .seq_next = { 1, 1 },
			    .gre_proto = ETHERTYPE_ARUBA };
	bool known = false;

	if (n == 2 && !strcmp(tok[1], "off")) {
		for (int i = 0; i < c->ntunnel; i++)
			g_clear_pointer(&c->tunnel[i].geneve_opts,
					g_byte_array_unref);
		c->ntunnel = 0;
		return;
	}
	if (n < 4)
		die_at(c, "expected: tunnel off | tunnel "
		       "ipip|gre|gre-udp|vxlan|geneve|teredo|ayiya|pptp|wccp|aruba|tzsp "
		       "CLIENT-END SERVER-END "
		       "[key=value...]");
	for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++) {
		if (!strcmp(tok[1], kinds[i].name)) {
			t.kind = kinds[i].kind;
			t.dport = kinds[i].port;
			known = true;
		}
	}
	if (!known)
		die_at(c, "tunnel '%s': use ipip, gre, gre-udp, vxlan, geneve, "
		       "teredo, ayiya, pptp, wccp, aruba or tzsp", tok[1]);
	if (c->ntunnel == MAX_TUNNELS)
		die_at(c, "at most %d tunnels", MAX_TUNNELS);
	parse_address(c, tok[2], &t.client_end);
	parse_address(c, tok[3], &t.server_end);
	if (t.client_end.family != t.server_end.family)
		die_at(c, "the tunnel's ends are of different address families");

	bool gre = t.kind == TUN_GRE || t.kind == TUN_GRE_UDP;
	bool udp = t.dport != 0;
	for (guint i = 4; i < n; i++) {
		char *eq = strchr(tok[i], '=');
		char *k = eq ? g_strndup(tok[i], eq - tok[i]) : g_strdup(tok[i]);
		const char *v = eq ? eq + 1 : NULL;

		if (gre && !v && !strcmp(k, "csum"))
			t.gre_csum = true;
		else if (gre && !v && !strcmp(k, "seq"))
			t.gre_seq = true;
		else if (gre && !v && !strcmp(k, "teb"))
			t.gre_teb = true;
		else if (t.kind == TUN_PPTP && !v && !strcmp(k, "ack"))
			t.pptp_ack = true;
		else if (t.kind == TUN_PPTP && !v && !strcmp(k, "pfc"))
			t.pptp_pfc = true;
		else if (t.kind == TUN_PPTP && v && !strcmp(k, "call"))
			t.key = (guint32)parse_uint(c, k, v, 65535);
		else if (t.kind == TUN_WCCP && !v && !strcmp(k, "bare"))
			t.wccp_bare = true;
		else if (t.kind == TUN_ARUBA && v && !strcmp(k, "proto"))
			t.gre_proto = (guint16)parse_uint(c, k, v, 65535);
		else if (gre && v && !strcmp(k, "key")) {
			t.has_key = true;
			t.key = (guint32)parse_uint(c, k, v, G_MAXUINT32);
		} else if ((t.kind == TUN_VXLAN || t.kind == TUN_GENEVE) && v &&
			   !strcmp(k, "vni"))
			t.vni = (guint32)parse_uint(c, k, v, 0xffffff);
		else if (t.kind == TUN_GENEVE && v && !strcmp(k, "opt")) {
			t.geneve_opts = parse_hex(c, k, v);
			if (t.geneve_opts->len % 4 || t.geneve_opts->len > 252)
				die_at(c, "opt: Geneve options are whole 4-byte "
				       "words, at most 252 bytes");
		} else if (t.kind == TUN_TEREDO && !v && !strcmp(k, "auth"))
			t.teredo_auth = true;
		else if (t.kind == TUN_TEREDO && !v && !strcmp(k, "origin"))
			t.teredo_origin = true;
		else if (udp && v && !strcmp(k, "sport"))
			t.sport = (guint16)parse_uint(c, k, v, 65535);
		else if (udp && v && !strcmp(k, "dport"))
			t.dport = (guint16)parse_uint(c, k, v, 65535);
		else
			die_at(c, "tunnel %s: unknown or misused '%s' (see "
			       "tests/craft/README.md)", tok[1], tok[i]);
		g_free(k);
	}
	c->tunnel[c->ntunnel++] = t;
}

/* One line, comments already stripped and split into words. */
static void
parse_line(struct craft *c, char **tok)
{
	guint n = g_strv_length(tok);
	const char *w = tok[0];

	/* The pcap header comes first in the file but is written last, so
	 * these two must be settled before any record depends on them. */
	if ((!strcmp(w, "linktype") || !strcmp(w, "nanosecond") ||
	     !strcmp(w, "time")) && c->npackets > 0)
		die_at(c, "'%s' must come before the first packet", w);

	if (!strcmp(w, "linktype")) {
		if (n != 2)
			die_at(c, "expected: linktype ether|raw|null|sll|sll2");
		c->linktype = parse_linktype(c, tok[1]);
	} else if (!strcmp(w, "nanosecond")) {
		if (n != 1)
			die_at(c, "'nanosecond' takes no argument");
		c->nanosecond = true;
	} else if (!strcmp(w, "time")) {
		if (n != 2)
			die_at(c, "expected: time EPOCH[.FRACTION]");
		parse_time(c, "time", tok[1], &c->epoch_sec, &c->epoch_nsec);
	} else if (!strcmp(w, "vlan")) {
		if (n < 2 || n > 1 + MAX_VLAN_TAGS)
			die_at(c, "expected: vlan off | vlan ID [INNER-ID]");
		c->nvlan = 0;
		if (n == 2 && !strcmp(tok[1], "off"))
			return;
		for (guint i = 1; i < n; i++)
			c->vlan[c->nvlan++] = (guint16)parse_uint(c, "vlan id",
								  tok[i], 4095);
	} else if (!strcmp(w, "tunnel")) {
		parse_tunnel(c, tok, n);
	} else if (!strcmp(w, "client") || !strcmp(w, "server")) {
		if (n != 2)
			die_at(c, "expected: %s ADDR:PORT", w);
		bool is_client = w[0] == 'c';
		parse_endpoint(c, tok[1], is_client ? &c->client : &c->server);
		*(is_client ? &c->have_client : &c->have_server) = true;
	} else if (!strcmp(w, "conn")) {
		if (n != 5 || strcmp(tok[1], "client") || strcmp(tok[3], "server"))
			die_at(c, "expected: conn client ADDR:PORT server ADDR:PORT");
		parse_endpoint(c, tok[2], &c->client);
		parse_endpoint(c, tok[4], &c->server);
		c->have_client = c->have_server = true;
	} else if (g_ascii_isdigit(w[0]) || w[0] == '+') {
		parse_packet(c, tok);
	} else {
		die_at(c, "unknown directive '%s' (see tests/craft/README.md)", w);
	}
}

static void
parse_description(struct craft *c, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, in) != -1) {
		char *hash = strchr(line, '#');
		char **words, **tok;
		guint n = 0;

		c->lineno++;
		if (hash)
			*hash = '\0';
		words = g_strsplit_set(g_strstrip(line), " \t", -1);
		/* Runs of blanks leave empty words; keep only the real ones. */
		tok = g_new0(char *, g_strv_length(words) + 1);
		for (char **w = words; *w; w++)
			if (**w)
				tok[n++] = *w;
		if (n > 0)
			parse_line(c, tok);
		g_free(tok);
		g_strfreev(words);
	}
	free(line);
	if (ferror(in)) {
		fprintf(stderr, "craftpcap: %s: %s\n", c->path, g_strerror(errno));
		exit(2);
	}
}

/* The global header (pcap(5)): version 2.4, snaplen, link type. */
static void
write_pcap(const struct craft *c, FILE *out, const char *out_path)
{
	GByteArray *h = g_byte_array_new();

	put_le32(h, c->nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);
	put_le16(h, 2);
	put_le16(h, 4);
	put_le32(h, 0); /* thiszone */
	put_le32(h, 0); /* sigfigs */
	put_le32(h, SNAPLEN);
	put_le32(h, c->linktype);
	if (fwrite(h->data, 1, h->len, out) != h->len ||
	    fwrite(c->records->data, 1, c->records->len, out) !=
		    c->records->len ||
	    fflush(out) != 0) {
		fprintf(stderr, "craftpcap: %s: %s\n", out_path,
			g_strerror(errno));
		exit(3);
	}
	g_byte_array_unref(h);
}

int
main(int argc, char **argv)
{
	struct craft c = {
		.linktype = LINKTYPE_ETHER,
		.epoch_sec = DEFAULT_EPOCH,
	};
	FILE *in, *out;

	if (argc != 3) {
		fprintf(stderr, "usage: craftpcap DESC.txt OUT.pcap "
			"('-' for standard input or output)\n");
		return 2;
	}
	c.path = strcmp(argv[1], "-") ? argv[1] : "<stdin>";
	in = strcmp(argv[1], "-") ? fopen(argv[1], "r") : stdin;
	if (!in) {
		fprintf(stderr, "craftpcap: %s: %s\n", argv[1], g_strerror(errno));
		return 2;
	}
	c.next_ipid = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					    NULL);
	c.records = g_byte_array_new();
	parse_description(&c, in);
	if (in != stdin)
		fclose(in);

	/* Open the output only now, so a bad description leaves no file. */
	out = strcmp(argv[2], "-") ? fopen(argv[2], "wb") : stdout;
	if (!out) {
		fprintf(stderr, "craftpcap: %s: %s\n", argv[2], g_strerror(errno));
		return 3;
	}
	write_pcap(&c, out, argv[2]);
	if (out != stdout && fclose(out) != 0) {
		fprintf(stderr, "craftpcap: %s: %s\n", argv[2], g_strerror(errno));
		return 3;
	}
	g_byte_array_unref(c.records);
	g_hash_table_unref(c.next_ipid);
	for (int i = 0; i < c.ntunnel; i++)
		g_clear_pointer(&c.tunnel[i].geneve_opts, g_byte_array_unref);
	return 0;
}
