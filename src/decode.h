/*
 * decode.h: turns one captured frame into one struct tfe_segment.
 *
 * This is the only module that touches raw packet bytes.  Every read goes
 * through the bounded cursor in cursor.h and is checked against the captured
 * length; a header that does not fit is TRUNCATED (except TCP options: a
 * segment whose fixed header was captured is decoded, see opts_cut), a
 * header that lies about itself is MALFORMED, a link or network layer we
 * do not decode is UNSUPPORTED, and traffic that is fine but not for us
 * (ARP, UDP, a non-first IPv4 fragment) is SKIPPED.  The decoder never allocates and never keeps a
 * pointer into the frame after it returns.
 *
 * Tunnels (IP-in-IP, GRE, GRE-in-UDP, VXLAN, Geneve) are opened up to
 * TFE_MAX_TUNNEL_DEPTH levels deep; the segment is the innermost TCP, and
 * tfe_segment.tunnel says what it was carried in.
 *
 * An ICMP or ICMPv6 error that quotes a TCP segment (at the outermost IP
 * header or inside a tunnel alike) is TFE_DR_ICMP_ERROR: the segment then
 * describes the quoted one, and tfe_segment.icmp the error.
 */
#ifndef TFE_DECODE_H
#define TFE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ftp.h"

/* TCP flag bits as they sit in the header's 13th/14th bytes (host order). */
#define TFE_TH_FIN 0x001
#define TFE_TH_SYN 0x002
#define TFE_TH_RST 0x004
#define TFE_TH_PSH 0x008
#define TFE_TH_ACK 0x010
#define TFE_TH_URG 0x020
#define TFE_TH_ECE 0x040
#define TFE_TH_CWR 0x080
#define TFE_TH_NS  0x100 /* RFC 3540, now reserved; kept for display */

/* Which TCP options a segment carried (bits of tfe_segment.opt_mask). */
#define TFE_OPT_MSS     0x01
#define TFE_OPT_WSCALE  0x02
#define TFE_OPT_SACKOK  0x04
#define TFE_OPT_SACK    0x08
#define TFE_OPT_TS      0x10
#define TFE_OPT_TFO     0x20 /* kind 34, or experimental 254 with magic 0xF989 */
#define TFE_OPT_OTHER   0x40 /* any other kind (NOP/EOL are not counted) */

#define TFE_MAX_SACK_BLOCKS 4

/* What the TCP checksum (RFC 9293 §3.1, over the pseudo-header of RFC 9293
 * §3.1 / RFC 8200 §8.1) says, when the whole segment was captured. */
enum tfe_csum {
	TFE_CSUM_UNVERIFIED,  /* payload not all captured, or a fragment */
	TFE_CSUM_OK,
	TFE_CSUM_BAD,         /* wrong: checksum offload on the capturing
	                         host, or corruption */
};

/* The class of a decode outcome: what the summary groups by. */
enum tfe_decode_class {
	TFE_DC_OK,
	TFE_DC_SKIPPED,     /* valid, not TCP over IP, or a non-first fragment */
	TFE_DC_TRUNCATED,   /* the capture stopped inside a header */
	TFE_DC_MALFORMED,   /* a header field contradicts the packet */
	TFE_DC_UNSUPPORTED, /* a link or network layer we do not decode */
	TFE_DC__COUNT
};

/*
 * The precise reason, counted per reason in the summary.  Append only; the
 * name table tfe_decode_reason_names[] and class table are indexed the same
 * way (a unit test checks that none is missing).
 */
enum tfe_decode_reason {
	TFE_DR_OK,
	/* skipped */
	TFE_DR_NOT_IP,            /* ARP, LLDP, ... */
	TFE_DR_NOT_TCP,           /* UDP, ICMP, ... over IPv4/IPv6 */
	TFE_DR_IPV4_FRAGMENT,     /* non-first fragment (offset > 0) */
	TFE_DR_IPV6_FRAGMENT,     /* non-first fragment (offset > 0) */
	/* truncated */
	TFE_DR_LINK_TRUNCATED,    /* link header (Ethernet, SLL, NULL, VLAN tag) */
	TFE_DR_IPV4_TRUNCATED,    /* fixed header or options */
	TFE_DR_IPV6_TRUNCATED,    /* fixed header or an extension header */
	TFE_DR_TCP_TRUNCATED,     /* fixed 20-byte header */
	TFE_DR_TCP_OPT_TRUNCATED, /* never given now: a segment whose options
	                             the capture cut is decoded, with
	                             tfe_segment.opts_cut set; kept so that
	                             the numbering and names stay */
	/* malformed */
	TFE_DR_IP_BAD_VERSION,    /* version nibble is not what the link said */
	TFE_DR_IPV4_BAD_IHL,      /* IHL < 5 */
	TFE_DR_IPV4_BAD_LENGTH,   /* total length < IHL*4 or > wire length */
	TFE_DR_IPV6_BAD_LENGTH,   /* payload length > wire length */
	TFE_DR_IPV6_EXT_LOOP,     /* too many extension headers (> 64) */
	TFE_DR_TCP_BAD_OFFSET,    /* data offset < 5 or past the IP payload */
	TFE_DR_TCP_BAD_OPTION,    /* option length 0/1 or past the options area */
	/* unsupported */
	TFE_DR_LINKTYPE,          /* link type we do not decode */
	TFE_DR_VLAN_DEPTH,        /* more than 8 stacked VLAN tags */
	/* tunnels, appended (the classes are in the class table) */
	TFE_DR_TUNNEL_FRAGMENT,   /* skipped: a tunnel packet's first fragment
	                             (MF set): the inner packet is cut */
	TFE_DR_UDP_TRUNCATED,     /* UDP header (looked at for tunnel ports) */
	TFE_DR_GRE_TRUNCATED,     /* GRE header with its optional fields */
	TFE_DR_VXLAN_TRUNCATED,   /* the 8-byte VXLAN header */
	TFE_DR_GENEVE_TRUNCATED,  /* Geneve header with its options */
	TFE_DR_UDP_BAD_LENGTH,    /* malformed: UDP length < 8 or past the IP
	                             payload, or an IP payload under 8 bytes */
	TFE_DR_TUNNEL_BAD_LENGTH, /* malformed: a tunnel header, or the packet
	                             inside it, longer than what carries it */
	TFE_DR_GRE_HEADER,        /* unsupported: GRE version other than 0
	                             (PPTP is 1), or RFC 1701 routing */
	TFE_DR_GENEVE_VERSION,    /* unsupported: Geneve version other than 0 */
	TFE_DR_TUNNEL_PAYLOAD,    /* unsupported: GRE or Geneve payload that is
	                             not IPv4, IPv6 or Ethernet (ERSPAN, ...) */
	TFE_DR_TUNNEL_DEPTH,      /* unsupported: more than
	                             TFE_MAX_TUNNEL_DEPTH nested tunnels */
	/* more link layers and encapsulations, appended */
	TFE_DR_LINK_BAD_HEADER,   /* malformed: a link header that contradicts
	                             itself (radiotap length or version, an
	                             NFLOG TLV length, PPPoE version) */
	TFE_DR_WLAN_NOT_DATA,     /* skipped: an 802.11 management, control,
	                             null-data or protected (encrypted) frame */
	TFE_DR_LINK_PAYLOAD,      /* unsupported: what an MPLS stack or a PPP
	                             frame carries is neither IP nor Ethernet */
	TFE_DR_LINK_DEPTH,        /* unsupported: more than 16 nested link
	                             headers (MPLS labels, tags, LLC, PPPoE) */
	TFE_DR_TUNNEL_TRUNCATED,  /* ERSPAN, GTP-U, CAPWAP, Teredo, AYIYA,
	                             TZSP */
	/* IP fragment reassembly (frag.h), appended; a fragment held is
	 * TFE_DR_IPV4_FRAGMENT or TFE_DR_IPV6_FRAGMENT */
	TFE_DR_FRAG_DUPLICATE,    /* skipped: a fragment whose bytes are all
	                             held already (the first copy wins) */
	TFE_DR_FRAG_OVERLAP,      /* malformed: a fragment that overlaps part
	                             of what is held: the datagram is dropped */
	TFE_DR_FRAG_INVALID,      /* malformed: a fragment that contradicts
	                             its datagram (empty, past 65535 bytes, not
	                             a multiple of 8 bytes with more to come,
	                             an end other than the last fragment's):
	                             the datagram is dropped */
	TFE_DR_FRAG_OF_DROPPED,   /* skipped: a fragment of a datagram
	                             dropped before, within its timeout */
	TFE_DR_FRAG_LIMIT,        /* unsupported: a datagram of more fragments
	                             than TFE_FRAG_MAX_PIECES: dropped */
	/* ICMP, appended */
	TFE_DR_ICMP_ERROR,        /* skipped: an ICMP or ICMPv6 error quoting a
	                             TCP segment; the segment holds the quoted
	                             flow and tfe_segment.icmp says the rest */
	/* more link layers, appended */
	TFE_DR_LINK_FRAGMENT,     /* skipped: one piece of a packet the link
	                             layer split across frames (ARCNET's
	                             RFC 1201 fragmentation): not reassembled */
	TFE_DR__COUNT
};

extern const char *const tfe_decode_reason_names[TFE_DR__COUNT];
extern const enum tfe_decode_class tfe_decode_reason_class[TFE_DR__COUNT];
extern const char *const tfe_decode_class_names[TFE_DC__COUNT];

/* The encapsulations opened to reach the TCP segment. */
enum tfe_tunnel_kind {
	TFE_TUN_NONE,
	TFE_TUN_IPIP,     /* IPv4 or IPv6 in IPv4 or IPv6 (protocols 4, 41) */
	TFE_TUN_GRE,      /* GRE (RFC 2784, 2890; PPTP's version 1, RFC
	                     2637), protocol 47 */
	TFE_TUN_GRE_UDP,  /* GRE in UDP port 4754 (RFC 8086) */
	TFE_TUN_VXLAN,    /* VXLAN, UDP 4789 (RFC 7348) or Linux's 8472 */
	TFE_TUN_GENEVE,   /* Geneve, UDP 6081 (RFC 8926) */
	TFE_TUN_GTPU,     /* GTP-U, UDP 2152 (3GPP TS 29.281) */
	TFE_TUN_CAPWAP,   /* CAPWAP data, UDP 5247 (RFC 5415) */
	TFE_TUN_TEREDO,   /* Teredo, IPv6 in UDP 3544 (RFC 4380) */
	TFE_TUN_AYIYA,    /* AYIYA (SixXS), IPv6 or IPv4 in UDP 5072 */
	TFE_TUN_TZSP,     /* TZSP, a remote sensor's frames in UDP 37008 */
	TFE_TUN__COUNT
};

extern const char *const tfe_tunnel_names[TFE_TUN__COUNT];

/*
 * The link layers and encapsulations a frame was read through, beyond the
 * link type's own header: bits of tfe_segment.layers, set whatever the
 * frame turned out to be, counted per frame in the summary.
 */
enum tfe_layer {
	TFE_LAYER_VLAN,       /* IEEE 802.1Q tag */
	TFE_LAYER_QINQ,       /* IEEE 802.1ad service tag, or 0x9100 */
	TFE_LAYER_MPLS,       /* an MPLS label stack */
	TFE_LAYER_PPPOE,      /* a PPPoE session header */
	TFE_LAYER_PPP,        /* a PPP frame (PPP link types, PPPoE, PPTP) */
	TFE_LAYER_CHDLC,      /* Cisco HDLC */
	TFE_LAYER_LLC,        /* IEEE 802.2 LLC with SNAP */
	TFE_LAYER_PBB,        /* IEEE 802.1ah I-TAG */
	TFE_LAYER_VNTAG,      /* Cisco VN-Tag */
	TFE_LAYER_FABRICPATH, /* Cisco FabricPath */
	TFE_LAYER_WLAN,       /* an IEEE 802.11 data frame */
	TFE_LAYER_RADIOTAP,   /* a radiotap header */
	TFE_LAYER_IPIP,       /* the tunnels of enum tfe_tunnel_kind, at any */
	TFE_LAYER_GRE,        /* depth, in its order */
	TFE_LAYER_GRE_UDP,
	TFE_LAYER_VXLAN,
	TFE_LAYER_GENEVE,
	TFE_LAYER_GTPU,
	TFE_LAYER_CAPWAP,
	TFE_LAYER_TEREDO,
	TFE_LAYER_AYIYA,
	TFE_LAYER_TZSP,
	TFE_LAYER_ERSPAN,     /* in GRE: ERSPAN type I, II or III */
	TFE_LAYER_WCCP,       /* in GRE: a WCCP redirect */
	TFE_LAYER_ARUBA,      /* in GRE: an Aruba access point's 802.11 */
	TFE_LAYER_ETAG,       /* IEEE 802.1BR E-Tag */
	TFE_LAYER_NSH,        /* a Network Service Header (RFC 8300) */
	TFE_LAYER__COUNT
};

extern const char *const tfe_layer_names[TFE_LAYER__COUNT];
extern const char *const tfe_layer_keys[TFE_LAYER__COUNT];

/* At most this many encapsulations are opened; the next is counted as
 * TFE_DR_TUNNEL_DEPTH. */
#define TFE_MAX_TUNNEL_DEPTH 4

/* The outermost tunnel a segment came through; depth 0 when none. */
struct tfe_tunnel {
	uint8_t depth;           /* encapsulation levels opened, 0..4 */
	uint8_t kind;            /* enum tfe_tunnel_kind of the outermost */
	uint8_t family;          /* 4 or 6: the outermost IP header's */
	uint8_t src[16];         /* its addresses, IPv4 in the first 4 bytes */
	uint8_t dst[16];
};

/*
 * An ICMPv4 error (destination unreachable, time exceeded, parameter
 * problem: RFC 792) or ICMPv6 error (destination unreachable, packet too
 * big, time exceeded, parameter problem: RFC 4443 §3) whose body quotes
 * an IP header carrying TCP and at least the first 8 bytes of the TCP
 * header (ports and sequence number).  Filled for TFE_DR_ICMP_ERROR only;
 * the segment's addresses, ports and sequence number are then the quoted
 * packet's, so its flow key is the quoted connection's and its direction
 * the quoted packet's sender's.
 */
struct tfe_icmp_error {
	uint8_t family;          /* 4: ICMPv4, 6: ICMPv6 */
	uint8_t type, code;
	uint8_t quoted;          /* bytes of the quoted TCP header captured,
	                            8..20: at 14 or more the flags are known */
	uint32_t mtu;            /* bytes: the next-hop MTU of a
	                            fragmentation needed (RFC 1191 §4) or a
	                            packet too big; 0 otherwise */
	uint8_t from[16];        /* the ICMP's sender (the outer IP source):
	                            a router, or the destination itself */
};

/* ICMP types that tfe_icmp_error holds. */
#define TFE_ICMP4_UNREACH        3
#define TFE_ICMP4_TIME_EXCEEDED  11
#define TFE_ICMP4_PARAM_PROBLEM  12
#define TFE_ICMP4_FRAG_NEEDED    4  /* a code of TFE_ICMP4_UNREACH */
#define TFE_ICMP6_UNREACH        1
#define TFE_ICMP6_TOO_BIG        2
#define TFE_ICMP6_TIME_EXCEEDED  3
#define TFE_ICMP6_PARAM_PROBLEM  4

/* One TCP segment as the analysis sees it.  All fields host byte order.
 * Through a tunnel, the IP fields are the innermost IP header's, except
 * ip_csum_bad, which is set when any IPv4 header on the way was wrong. */
struct tfe_segment {
	uint8_t family;          /* 4 or 6 */
	uint8_t src[16];         /* IPv4 uses the first 4 bytes, rest zero */
	uint8_t dst[16];
	uint16_t sport, dport;
	uint32_t seq, ack;       /* raw sequence numbers */
	uint16_t flags;          /* TFE_TH_* */
	uint16_t win;            /* raw window field, unscaled */
	uint32_t payload_len;    /* bytes of TCP payload per the IP length
	                            (not the captured length) */
	uint32_t captured_payload; /* payload bytes actually in the capture */
	uint8_t ttl;             /* IPv4 TTL or IPv6 hop limit */
	bool has_ip_id;          /* IPv4 only */
	uint16_t ip_id;
	bool ip_first_fragment;  /* IPv4 MF set with offset 0, or IPv6 frag 0 */
	uint8_t tcp_hlen;        /* TCP header length in bytes, 20..60 */
	uint8_t csum;            /* enum tfe_csum */
	bool ip_csum_bad;        /* IPv4 header checksum wrong (RFC 791) */
	bool zero_pad;           /* its payload may be padding: 1 to 6 zero
	                            bytes that fill a bare ACK or FIN's IPv4
	                            datagram out to 46 bytes (decode_tcp();
	                            conn.c decides) */

	/* options, present when the bit is set in opt_mask */
	uint8_t opt_mask;        /* TFE_OPT_* */
	bool opts_cut;           /* the snapshot length cut the options
	                            area: the options wholly captured are
	                            in opt_mask, any after the cut are
	                            unknown; captured_payload is 0 */
	uint16_t mss;            /* bytes */
	uint8_t wscale;          /* shift count as sent (may exceed
	                            TFE_WSCALE_MAX) */
	uint8_t sack_count;      /* SACK blocks in the option (all of them) */
	uint8_t ftp;             /* enum tfe_ftp_kind: a segment to or from
	                            port 21 that announces a data connection
	                            (ftp.h), in ftp_data (here, where the
	                            layout had a hole) */
	uint32_t sack[TFE_MAX_SACK_BLOCKS][2]; /* left, right edges, raw */
	uint32_t ts_val, ts_ecr;
	uint8_t tfo_cookie_len;  /* 0 for a cookie request */

	struct tfe_tunnel tunnel; /* depth 0 for a segment not in a tunnel */
	uint32_t layers;          /* 1 << enum tfe_layer: what the frame was
	                             read through, whatever the reason */
	/* last: tfe_decode_frame() leaves it as it was unless the reason
	 * (icmp) or `ftp` (ftp_data) says it holds one */
	union {
		struct tfe_icmp_error icmp; /* TFE_DR_ICMP_ERROR only */
		struct tfe_ftp_data ftp_data;
	};
};

/*
 * An IP fragment, as tfe_decode_frame_frag() describes it for reassembly
 * (frag.h).  Offsets are from the start of the frame (or of the datagram
 * handed to tfe_decode_datagram()); nothing points into it.
 */
struct tfe_fragment {
	uint8_t family;          /* 4 or 6 */
	uint8_t level;           /* tunnels opened before this IP header */
	uint8_t proto;           /* IPv4 protocol, or the IPv6 fragment
	                            header's next header */
	bool more;               /* MF (IPv4) or M (IPv6): more follow */
	bool discard;            /* the first fragment shows a datagram that
	                            cannot lead to TCP (UDP on no tunnel port) */
	bool ip_csum_bad;        /* an IPv4 header checksum on the way, this
	                            one's included, was wrong */
	uint32_t id;             /* identification: 16 bits for IPv4 */
	uint32_t offset;         /* bytes into the datagram's fragmentable
	                            part */
	uint32_t len;            /* bytes of fragment data the IP header
	                            declares */
	uint32_t data_at;        /* where the fragment data starts */
	uint32_t captured;       /* bytes of it in the capture (<= len) */
	uint32_t hdr_at;         /* where the IP header starts */
	uint32_t hdr_len;        /* the unfragmentable part: the IPv4 header
	                            with its options, or the IPv6 header and
	                            the extension headers before the fragment
	                            header */
	uint32_t nh_at;          /* IPv6: the byte that names the fragment
	                            header, from hdr_at */
	uint8_t src[16], dst[16];
	struct tfe_tunnel tunnel; /* the tunnels around it, as far as opened */
};

/*
 * tfe_decode_frame(), except that an IPv4 or IPv6 fragment (first or not)
 * of a datagram that may lead to TCP, directly or through a tunnel, is
 * described in *frag and returned as TFE_DR_IPV4_FRAGMENT or
 * TFE_DR_IPV6_FRAGMENT, for frag.c to reassemble; UDP fragments are
 * included, since a later one cannot show its port.  An atomic fragment
 * (offset 0, no more to come) is decoded as the whole packet it is.
 */
enum tfe_decode_reason tfe_decode_frame_frag(int linktype, const uint8_t *data,
                                             size_t caplen, size_t wirelen,
                                             struct tfe_segment *out,
                                             struct tfe_fragment *frag);

/*
 * Decodes a reassembled datagram: `pkt` is the IP packet of family
 * f->family with its header rewritten as unfragmented, `caplen` bytes of
 * it held and `wirelen` its whole length; `f` is its first fragment's
 * description, whose tunnels and level are taken up again.  A fragment
 * inside it (a tunnel's inner packet) is described in *inner as
 * tfe_decode_frame_frag() does.
 */
enum tfe_decode_reason tfe_decode_datagram(const struct tfe_fragment *f,
                                           const uint8_t *pkt, size_t caplen,
                                           size_t wirelen,
                                           struct tfe_segment *out,
                                           struct tfe_fragment *inner);

/* The largest window scale shift: RFC 7323 §2.3 has a receiver take a
 * larger one as this. */
#define TFE_WSCALE_MAX 14

static inline unsigned
tfe_wscale_shift(uint8_t wscale)
{
	return wscale > TFE_WSCALE_MAX ? TFE_WSCALE_MAX : wscale;
}

/*
 * Decodes one frame of link type `linktype` (a DLT_ value as returned by
 * pcap_datalink()).  `caplen` is the number of bytes in `data`; `wirelen` is
 * the original length on the wire.  Returns the reason: TFE_DR_OK when `out`
 * holds a TCP segment, anything else when it does not (then `out` is
 * unspecified).
 */
enum tfe_decode_reason tfe_decode_frame(int linktype, const uint8_t *data,
                                        size_t caplen, size_t wirelen,
                                        struct tfe_segment *out);

/*
 * tfe_decode_frame() tries a fast path for the common case first and
 * hands anything else to the general path; the tests check that both
 * give the same answer.  For them only: the fast path alone, which returns
 * TFE_DR__COUNT when it would hand the frame over, and the general path
 * alone, with the TCP options always parsed one by one (tfe_decode_frame
 * reads the usual layouts at fixed offsets).  Same arguments as
 * tfe_decode_frame().
 */
enum tfe_decode_reason tfe_decode_frame_fast(int linktype,
                                             const uint8_t *data,
                                             size_t caplen, size_t wirelen,
                                             struct tfe_segment *out);
enum tfe_decode_reason tfe_decode_frame_general(int linktype,
                                                const uint8_t *data,
                                                size_t caplen,
                                                size_t wirelen,
                                                struct tfe_segment *out);

/* Frames of one link type the decoder does not know (TFE_DR_LINKTYPE),
 * for the summary to name. */
struct tfe_linktype_count {
	int linktype;            /* DLT_ value */
	uint64_t frames;
};

/* At most this many undecoded link types are named in a summary. */
#define TFE_MAX_UNDECODED_LINKTYPES 8

/* True when tfe_decode_frame() knows this DLT_ value. */
bool tfe_decode_linktype_supported(int linktype);

#endif /* TFE_DECODE_H */
