/*
 * check_frag.c: IP fragment reassembly (frag.c) and the decoder's
 * description of a fragment (tfe_decode_frame_frag()).
 *
 * The frames are raw IP (DLT_RAW), built here from one TCP SYN with
 * options, so that each test says in its own lines which fragments come
 * in which order.  The reassembled SYN must decode exactly as the SYN
 * sent whole does, its TCP checksum right: the bytes were put back where
 * they belong.
 */
#include "config.h"

#include <pcap/dlt.h>

#include "frag.h"
#include "testutil.h"

#define NS INT64_C(1000000000)

/* tcpdump -vv of the SYN (the 40-byte TCP header, no payload):
 *   10.0.0.1.40000 > 10.0.0.2.8080: Flags [S], seq 1000, win 64240,
 *   options [mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7], length 0
 * The TCP checksum is filled in by tcp_segment(). */
static const uint8_t syn_tcp[40] = {
	0x9c, 0x40, 0x1f, 0x90, 0x00, 0x00, 0x03, 0xe8,
	0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,
	0x00, 0x00, 0x00, 0x00,
	0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
	0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x03, 0x03, 0x07,
};

static const uint8_t v4_src[4] = { 10, 0, 0, 1 }, v4_dst[4] = { 10, 0, 0, 2 };
static const uint8_t v6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static uint32_t
sum16(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The SYN with its checksum for the family's addresses. */
static void
tcp_segment(int family, uint8_t out[40])
{
	const uint8_t *s = family == 4 ? v4_src : v6_src;
	const uint8_t *d = family == 4 ? v4_dst : v6_dst;
	size_t alen = family == 4 ? 4 : 16;
	uint32_t sum = 6 + 40;

	memcpy(out, syn_tcp, 40);
	sum = sum16(sum, s, alen);
	sum = sum16(sum, d, alen);
	sum = sum16(sum, out, 40);
	uint16_t cs = fold(sum);
	out[16] = (uint8_t)(cs >> 8);
	out[17] = (uint8_t)cs;
}

/* An IPv4 fragment of `seg`: bytes [off, end), MF as given, protocol
 * `proto`; returns the frame length. */
static size_t
v4_frag(uint8_t *f, const uint8_t *seg, uint16_t id, size_t off, size_t end,
        bool mf, uint8_t proto)
{
	size_t len = 20 + end - off;

	memset(f, 0, 20);
	f[0] = 0x45;
	f[2] = (uint8_t)(len >> 8);
	f[3] = (uint8_t)len;
	f[4] = (uint8_t)(id >> 8);
	f[5] = (uint8_t)id;
	uint16_t fo = (uint16_t)(off / 8 | (mf ? 0x2000 : 0));
	f[6] = (uint8_t)(fo >> 8);
	f[7] = (uint8_t)fo;
	f[8] = 64;
	f[9] = proto;
	memcpy(f + 12, v4_src, 4);
	memcpy(f + 16, v4_dst, 4);
	uint16_t cs = fold(sum16(0, f, 20));
	f[10] = (uint8_t)(cs >> 8);
	f[11] = (uint8_t)cs;
	memcpy(f + 20, seg + off, end - off);
	return len;
}

/* An IPv6 fragment, with a hop-by-hop options header (PadN) before the
 * fragment header when `hbh`. */
static size_t
v6_frag(uint8_t *f, const uint8_t *seg, uint32_t id, size_t off, size_t end,
        bool mf, bool hbh)
{
	size_t ext = hbh ? 8 : 0;
	size_t plen = ext + 8 + end - off;

	memset(f, 0, 40 + ext + 8);
	f[0] = 0x60;
	f[4] = (uint8_t)(plen >> 8);
	f[5] = (uint8_t)plen;
	f[6] = hbh ? 0 : 44;
	f[7] = 64;
	memcpy(f + 8, v6_src, 16);
	memcpy(f + 24, v6_dst, 16);
	if (hbh) {
		static const uint8_t h[8] = { 44, 0, 1, 4, 0, 0, 0, 0 };
		memcpy(f + 40, h, 8);
	}
	uint8_t *fh = f + 40 + ext;
	fh[0] = 6;
	uint16_t ol = (uint16_t)(off | (mf ? 1 : 0));
	fh[2] = (uint8_t)(ol >> 8);
	fh[3] = (uint8_t)ol;
	fh[4] = (uint8_t)(id >> 24);
	fh[5] = (uint8_t)(id >> 16);
	fh[6] = (uint8_t)(id >> 8);
	fh[7] = (uint8_t)id;
	memcpy(fh + 8, seg + off, end - off);
	return 40 + ext + 8 + end - off;
}

/* Feeds one frame at `t` seconds; returns its reason. */
static enum tfe_decode_reason
feed(struct tfe_defrag *d, const uint8_t *f, size_t len, int64_t t,
     struct tfe_segment *seg)
{
	return tfe_defrag_frame(d, DLT_RAW, t * NS, f, len, len, seg);
}

/* The reassembled SYN is the SYN: flags, options, checksum. */
static void
check_syn(const struct tfe_segment *s, int family)
{
	ck_assert_int_eq(s->family, family);
	ck_assert_uint_eq(s->sport, 40000);
	ck_assert_uint_eq(s->dport, 8080);
	ck_assert_uint_eq(s->seq, 1000);
	ck_assert_uint_eq(s->flags, TFE_TH_SYN);
	ck_assert_uint_eq(s->mss, 1460);
	ck_assert_uint_eq(s->wscale, 7);
	ck_assert_uint_eq(s->ts_val, 100);
	ck_assert_uint_eq(s->payload_len, 0);
	ck_assert_int_eq(s->csum, TFE_CSUM_OK);
	ck_assert(!s->ip_csum_bad);
	ck_assert(!s->ip_first_fragment);
}

START_TEST(test_v4_in_order)
{
	uint8_t seg[40], f[128];
	struct tfe_segment s;
	struct tfe_defrag *d = tfe_defrag_new();

	tcp_segment(4, seg);
	size_t n = v4_frag(f, seg, 1, 0, 16, true, 6);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_IPV4_FRAGMENT);
	n = v4_frag(f, seg, 1, 16, 40, false, 6);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_OK);
	check_syn(&s, 4);
	ck_assert(s.has_ip_id && s.ip_id == 1);
	const struct tfe_defrag_stats *st = tfe_defrag_stats(d);
	ck_assert_uint_eq(st->reassembled, 1);
	ck_assert_uint_eq(st->reassembled_fragments, 2);
	tfe_defrag_finish(d);
	ck_assert_uint_eq(st->dropped[TFE_FD_END], 0);
	tfe_defrag_free(d);
}
END_TEST

/* Last first, and the middle one twice (a duplicate: the datagram goes
 * on), in three fragments. */
START_TEST(test_v4_out_of_order_duplicate)
{
	uint8_t seg[40], f[128];
	struct tfe_segment s;
	struct tfe_defrag *d = tfe_defrag_new();

	tcp_segment(4, seg);
	size_t n = v4_frag(f, seg, 2, 24, 40, false, 6);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_IPV4_FRAGMENT);
	n = v4_frag(f, seg, 2, 8, 24, true, 6);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_IPV4_FRAGMENT);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_FRAG_DUPLICATE);
	/* within 8-24 too: a duplicate */
	n = v4_frag(f, seg, 2, 8, 16, true, 6);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_FRAG_DUPLICATE);
	n = v4_frag(f, seg, 2, 0, 8, true, 6);
	ck_assert_int_eq(feed(d, f, n, 1, &s), TFE_DR_OK);
	check_syn(&s, 4);
	ck_assert_uint_eq(tfe_defrag_stats(d)->reassembled_fragments, 3);
	tfe_defrag_free(d);
}
END_TEST

/* A fragment over part of what is held drops the datagram; its later
 * fragments are counted as of a dropped datagram, until its timeout. */
START_TEST(test_v4_overlap)
{
	uint8_t seg[40], f[128];
	struct tfe_segment s;
	struct tfe_defrag *d = tfe_defrag_new();

	tcp_segment(4, seg);
	size_t n = v4_frag(f, seg, 3, 0, 16, true, 6);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_IPV4_FRAGMENT);
	n = v4_frag(f, seg, 3, 8, 24, true, 6);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_FRAG_OVERLAP);
	n = v4_frag(f, seg, 3, 24, 40, false, 6);
	ck_assert_int_eq(feed(d, f, n, 1, &s), TFE_DR_FRAG_OF_DROPPED);
	const struct tfe_defrag_stats *st = tfe_defrag_stats(d);
	ck_assert_uint_eq(st->dropped[TFE_FD_OVERLAP], 1);
	ck_assert_uint_eq(st->dropped_fragments, 1);
	/* 30 s later the dropped datagram is forgotten: the same fragment
	 * starts a new one */
	ck_assert_int_eq(feed(d, f, n, 31, &s), TFE_DR_IPV4_FRAGMENT);
	tfe_defrag_finish(d);
	ck_assert_uint_eq(st->dropped[TFE_FD_END], 1);
	ck_assert_uint_eq(st->dropped[TFE_FD_TIMEOUT], 0);
	ck_assert_uint_eq(st->reassembled, 0);
	tfe_defrag_free(d);
}
END_TEST

/* Fragments that contradict their datagram: each drops it. */
START_TEST(test_v4_invalid)
{
	uint8_t seg[40], f[128];
	struct tfe_segment s;
	struct tfe_defrag *d = tfe_defrag_new();

	tcp_segment(4, seg);
	/* more to come, but 12 bytes: not a multiple of 8 */
	size_t n = v4_frag(f, seg, 4, 0, 12, true, 6);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_FRAG_INVALID);
	/* a last fragment ending before bytes already held */
	n = v4_frag(f, seg, 5, 16, 40, true, 6);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_IPV4_FRAGMENT);
	n = v4_frag(f, seg, 5, 8, 16, false, 6);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_FRAG_INVALID);
	/* two last fragments that end in different places */
	n = v4_frag(f, seg, 6, 16, 40, false, 6);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_IPV4_FRAGMENT);
	n = v4_frag(f, seg, 6, 8, 16, false, 6);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_FRAG_INVALID);
	/* an empty fragment */
	n = v4_frag(f, seg, 7, 0, 0, true, 6);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_FRAG_INVALID);
	ck_assert_uint_eq(tfe_defrag_stats(d)->dropped[TFE_FD_INVALID], 4);
	tfe_defrag_free(d);
}
END_TEST

/* Timeouts go by the capture's clock, from the first fragment: 30 s for
 * IPv4, 60 s for IPv6. */
START_TEST(test_timeout)
{
	uint8_t seg4[40], seg6[40], f[128];
	struct tfe_segment s;
	struct tfe_defrag *d = tfe_defrag_new();
	const struct tfe_defrag_stats *st = tfe_defrag_stats(d);

	tcp_segment(4, seg4);
	tcp_segment(6, seg6);
	size_t n = v4_frag(f, seg4, 8, 0, 16, true, 6);
	ck_assert_int_eq(feed(d, f, n, 100, &s), TFE_DR_IPV4_FRAGMENT);
	n = v6_frag(f, seg6, 8, 0, 16, true, false);
	ck_assert_int_eq(feed(d, f, n, 100, &s), TFE_DR_IPV6_FRAGMENT);
	/* 29 s on, the IPv4 datagram completes */
	n = v4_frag(f, seg4, 8, 16, 40, false, 6);
	ck_assert_int_eq(feed(d, f, n, 129, &s), TFE_DR_OK);
	check_syn(&s, 4);
	/* a new IPv4 datagram */
	n = v4_frag(f, seg4, 9, 0, 16, true, 6);
	ck_assert_int_eq(feed(d, f, n, 130, &s), TFE_DR_IPV4_FRAGMENT);
	/* the IPv6 one completes 59 s after its first fragment */
	n = v6_frag(f, seg6, 8, 16, 40, false, false);
	ck_assert_int_eq(feed(d, f, n, 159, &s), TFE_DR_OK);
	check_syn(&s, 6);
	/* the IPv4 one's last fragment is 31 s late: it starts anew */
	n = v4_frag(f, seg4, 9, 16, 40, false, 6);
	ck_assert_int_eq(feed(d, f, n, 161, &s), TFE_DR_IPV4_FRAGMENT);
	ck_assert_uint_eq(st->dropped[TFE_FD_TIMEOUT], 1);
	tfe_defrag_finish(d);
	ck_assert_uint_eq(st->dropped[TFE_FD_END], 1);
	ck_assert_uint_eq(st->reassembled, 2);
	tfe_defrag_free(d);
}
END_TEST

/* IPv6 with a hop-by-hop header before the fragment header: it stays in
 * the reassembled packet, and names TCP once the fragment header is
 * gone. */
START_TEST(test_v6_extension_before_fragment)
{
	uint8_t seg[40], f[160];
	struct tfe_segment s;
	struct tfe_defrag *d = tfe_defrag_new();

	tcp_segment(6, seg);
	size_t n = v6_frag(f, seg, 0x12345678, 16, 40, false, true);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_IPV6_FRAGMENT);
	n = v6_frag(f, seg, 0x12345678, 0, 16, true, true);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_OK);
	check_syn(&s, 6);
	ck_assert_uint_eq(s.ttl, 64);
	tfe_defrag_free(d);
}
END_TEST

/* A fragment cut by the snapshot length is decoded alone, as before
 * reassembly: the first one's TCP header is read (Wireshark does the
 * same); nothing is held. */
START_TEST(test_snaplen_cut)
{
	uint8_t seg[48] = { 0 }, f[128];
	struct tfe_segment s;
	struct tfe_defrag *d = tfe_defrag_new();

	/* the SYN's header and 8 bytes of what follows it, the last one
	 * not captured */
	tcp_segment(4, seg);
	size_t n = v4_frag(f, seg, 10, 0, 48, true, 6);
	ck_assert_int_eq(tfe_defrag_frame(d, DLT_RAW, 0, f, n - 1, n, &s),
	                 TFE_DR_OK);
	ck_assert(s.ip_first_fragment);
	ck_assert_uint_eq(s.flags, TFE_TH_SYN);
	n = v4_frag(f, seg, 10, 40, 48, false, 6);
	ck_assert_int_eq(tfe_defrag_frame(d, DLT_RAW, 0, f, n - 1, n, &s),
	                 TFE_DR_IPV4_FRAGMENT);
	tfe_defrag_finish(d);
	const struct tfe_defrag_stats *st = tfe_defrag_stats(d);
	ck_assert_uint_eq(st->reassembled, 0);
	ck_assert_uint_eq(st->dropped[TFE_FD_END], 0);
	tfe_defrag_free(d);
}
END_TEST

/* UDP to no tunnel port: its first fragment says so, and the rest of
 * the datagram is not TCP either; nothing counted as dropped. */
START_TEST(test_udp_unwanted)
{
	uint8_t udp[40] = { 0x30, 0x39, 0x00, 0x35, 0x00, 40, 0, 0 };
	uint8_t f[128];
	struct tfe_segment s;
	struct tfe_defrag *d = tfe_defrag_new();

	/* the later fragment first: held, as it could be a tunnel's */
	size_t n = v4_frag(f, udp, 11, 16, 40, false, 17);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_IPV4_FRAGMENT);
	n = v4_frag(f, udp, 11, 0, 16, true, 17);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_NOT_TCP);
	n = v4_frag(f, udp, 11, 16, 40, false, 17);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_NOT_TCP);
	/* first fragment first */
	n = v4_frag(f, udp, 12, 0, 16, true, 17);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_NOT_TCP);
	n = v4_frag(f, udp, 12, 16, 40, false, 17);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_NOT_TCP);
	tfe_defrag_finish(d);
	const struct tfe_defrag_stats *st = tfe_defrag_stats(d);
	for (int i = 0; i < TFE_FD__COUNT; i++)
		ck_assert_uint_eq(st->dropped[i], 0);
	tfe_defrag_free(d);
}
END_TEST

/* The limits: datagrams held at once, and fragments per datagram. */
START_TEST(test_limits)
{
	uint8_t seg[40], f[128];
	static uint8_t big[TFE_FRAG_MAX_PIECES * 8 + 16];
	struct tfe_segment s;
	struct tfe_defrag *d = tfe_defrag_new();
	const struct tfe_defrag_stats *st = tfe_defrag_stats(d);

	tcp_segment(4, seg);
	for (unsigned i = 0; i <= TFE_FRAG_MAX_DATAGRAMS; i++) {
		size_t n = v4_frag(f, seg, (uint16_t)i, 0, 16, true, 6);
		ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_IPV4_FRAGMENT);
	}
	ck_assert_uint_eq(st->peak_datagrams, TFE_FRAG_MAX_DATAGRAMS);
	ck_assert_uint_eq(st->dropped[TFE_FD_MEMORY], 1);
	/* datagram 2 is still there */
	size_t n = v4_frag(f, seg, 2, 16, 40, false, 6);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_OK);
	/* the oldest went: datagram 0's last fragment finds nothing, and
	 * starts a datagram of its own (in the room datagram 2 left) */
	n = v4_frag(f, seg, 0, 16, 40, false, 6);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_IPV4_FRAGMENT);
	ck_assert_uint_eq(st->dropped[TFE_FD_MEMORY], 1);
	tfe_defrag_free(d);

	d = tfe_defrag_new();
	st = tfe_defrag_stats(d);
	unsigned i;
	for (i = 0; i < TFE_FRAG_MAX_PIECES; i++) {
		n = v4_frag(f, big, 77, i * 8, i * 8 + 8, true, 6);
		ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_IPV4_FRAGMENT);
	}
	n = v4_frag(f, big, 77, i * 8, i * 8 + 8, false, 6);
	ck_assert_int_eq(feed(d, f, n, 0, &s), TFE_DR_FRAG_LIMIT);
	ck_assert_uint_eq(st->dropped[TFE_FD_PIECES], 1);
	ck_assert_uint_eq(st->dropped_fragments, TFE_FRAG_MAX_PIECES);
	tfe_defrag_free(d);
}
END_TEST

/*
 * The decoder's description of a fragment, from frames cut at every
 * length: a cut inside a header is that header truncated; from the
 * fragment data on, a fragment whose captured bytes are those left.
 */
START_TEST(test_describe_cut_everywhere)
{
	uint8_t seg[40], f4[128], f6[160];
	struct tfe_segment s;
	struct tfe_fragment fr;

	tcp_segment(4, seg);
	size_t n4 = v4_frag(f4, seg, 0x1234, 8, 32, true, 6);
	for (size_t cut = 0; cut <= n4; cut++) {
		enum tfe_decode_reason r =
			tfe_decode_frame_frag(DLT_RAW, f4, cut, n4, &s, &fr);
		if (cut < 20) {
			ck_assert_int_eq(r, TFE_DR_IPV4_TRUNCATED);
			continue;
		}
		ck_assert_int_eq(r, TFE_DR_IPV4_FRAGMENT);
		ck_assert_uint_eq(fr.family, 4);
		ck_assert_uint_eq(fr.id, 0x1234);
		ck_assert_uint_eq(fr.offset, 8);
		ck_assert_uint_eq(fr.len, 24);
		ck_assert(fr.more);
		ck_assert_uint_eq(fr.proto, 6);
		ck_assert_uint_eq(fr.hdr_at, 0);
		ck_assert_uint_eq(fr.hdr_len, 20);
		ck_assert_uint_eq(fr.data_at, 20);
		ck_assert_uint_eq(fr.captured, cut - 20);
	}

	tcp_segment(6, seg);
	size_t n6 = v6_frag(f6, seg, 0xabcdef01, 16, 40, false, true);
	for (size_t cut = 0; cut <= n6; cut++) {
		enum tfe_decode_reason r =
			tfe_decode_frame_frag(DLT_RAW, f6, cut, n6, &s, &fr);
		if (cut < 56) {
			ck_assert_int_eq(r, cut == 0 ? TFE_DR_IPV4_TRUNCATED :
			                    TFE_DR_IPV6_TRUNCATED);
			continue;
		}
		ck_assert_int_eq(r, TFE_DR_IPV6_FRAGMENT);
		ck_assert_uint_eq(fr.family, 6);
		ck_assert_uint_eq(fr.id, 0xabcdef01);
		ck_assert_uint_eq(fr.offset, 16);
		ck_assert_uint_eq(fr.len, 24);
		ck_assert(!fr.more);
		ck_assert_uint_eq(fr.proto, 6);
		ck_assert_uint_eq(fr.hdr_len, 48);
		ck_assert_uint_eq(fr.nh_at, 40);
		ck_assert_uint_eq(fr.data_at, 56);
		ck_assert_uint_eq(fr.captured, cut - 56);
	}

	/* Without a place to describe it, a first fragment decodes as the
	 * TCP it starts with, as before reassembly existed. */
	tcp_segment(4, seg);
	n4 = v4_frag(f4, seg, 1, 0, 24, true, 6);
	ck_assert_int_eq(tfe_decode_frame(DLT_RAW, f4, n4, n4, &s),
	                 TFE_DR_TCP_BAD_OFFSET);
	n4 = v4_frag(f4, seg, 1, 0, 40, true, 6);
	ck_assert_int_eq(tfe_decode_frame(DLT_RAW, f4, n4, n4, &s), TFE_DR_OK);
	ck_assert(s.ip_first_fragment);
}
END_TEST

/* Every drop cause has a name and a JSON key. */
START_TEST(test_names)
{
	for (int i = 0; i < TFE_FD__COUNT; i++) {
		ck_assert_ptr_nonnull(tfe_frag_drop_names[i]);
		ck_assert_ptr_nonnull(tfe_frag_drop_keys[i]);
	}
}
END_TEST

static Suite *
frag_suite(void)
{
	Suite *s = suite_create("frag");
	TCase *tc = tcase_create("reassembly");

	tcase_add_test(tc, test_v4_in_order);
	tcase_add_test(tc, test_v4_out_of_order_duplicate);
	tcase_add_test(tc, test_v4_overlap);
	tcase_add_test(tc, test_v4_invalid);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_v6_extension_before_fragment);
	tcase_add_test(tc, test_snaplen_cut);
	tcase_add_test(tc, test_udp_unwanted);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_describe_cut_everywhere);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tfe_test_main(frag_suite());
}
