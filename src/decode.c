/*
 * decode.c: turns one captured frame into one struct tfe_segment.
 *
 * The layers are peeled in order (link, then IPv4 or IPv6 with its
 * extension headers, then TCP and its options), each reading only through
 * the bounded cursor in cursor.h.  Every way out is a tfe_decode_reason;
 * the class table says whether it is SKIPPED, TRUNCATED, MALFORMED or
 * UNSUPPORTED, and the order of the checks keeps those apart: a field is
 * judged only once the bytes holding it have been captured, so a short
 * capture is never reported as a lying header.
 *
 * Tunnels.  When the IP layer carries IP-in-IP, GRE, or UDP to a tunnel
 * port, the encapsulation header is peeled and the packet inside is
 * decoded like the outer one, from its IP header (or its Ethernet header,
 * for transparent Ethernet bridging, VXLAN and Geneve), up to
 * TFE_MAX_TUNNEL_DEPTH levels: a loop, never recursion.  The length the
 * outer headers declare for the inner packet plays the part of the wire
 * length for it.  None of this runs for a TCP packet: the only cost on
 * that path is the protocol test the decoder always made.
 *
 * The fast path.  Nearly every frame of a real capture is Ethernet or
 * Linux cooked or raw IP, IPv4 without options or IPv6 without extension
 * headers, carrying TCP.  decode_fast() reads those at fixed offsets
 * after one length check, and hands every other frame, with no field of
 * the segment written, to the general path above, which starts over; so
 * every reason is still found by the same checks in the same order.  Both
 * paths share decode_tcp().  The unit tests run both on every fixture and
 * on damaged copies and require the same answer.
 *
 * This module must not allocate, print, keep state between calls, or keep
 * a pointer into the frame after it returns.  It knows nothing about
 * connections; that is the flow table's business.
 *
 * Lengths.  Two lengths come with a frame: caplen (bytes we hold) and
 * wirelen (bytes that were on the wire).  Only caplen bounds what we read.
 * wirelen bounds what a header may claim: an IPv4 total length or IPv6
 * payload length larger than the rest of the wire frame is a lie.  A
 * hostile or broken file can say wirelen < caplen; then we trust caplen as
 * the wire length too, since those bytes plainly existed.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <stddef.h>
#include <string.h>

#include <pcap/dlt.h>

/* DLT_LINUX_SLL2 arrived in libpcap 1.10; the number is fixed. */
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

#include "cursor.h"
#include "decode.h"

/*
 * Keeping the TCP path as fast as it was before tunnels: link_ethernet()
 * is called for the outer frame and for one inside a tunnel, and a
 * compiler left to itself stops inlining it (about 30 instructions more
 * per frame, measured with callgrind); decapsulate() is kept out of line
 * and out of the way.  GCC and Clang attributes; others do without.
 */
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define COLD __attribute__((cold, noinline))
#else
#define ALWAYS_INLINE inline
#define COLD
#endif

/* Ethernet types (IEEE 802.3 / IANA registry). */
#define ETHERTYPE_IPV4      0x0800
#define ETHERTYPE_IPV6      0x86dd
#define ETHERTYPE_VLAN      0x8100 /* IEEE 802.1Q customer tag */
#define ETHERTYPE_QINQ      0x88a8 /* IEEE 802.1ad service tag */
#define ETHERTYPE_QINQ_OLD  0x9100 /* pre-802.1ad stacked tag, still seen */
#define ETHERTYPE_TEB       0x6558 /* transparent Ethernet bridging (GRE,
                                      Geneve): an Ethernet frame follows */
#define ETHERTYPE_MPLS      0x8847 /* RFC 3032 unicast */
#define ETHERTYPE_MPLS_MC   0x8848 /* RFC 5332 multicast */
#define ETHERTYPE_PPPOE     0x8864 /* RFC 2516 session stage */
#define ETHERTYPE_PBB       0x88e7 /* IEEE 802.1ah I-TAG */
#define ETHERTYPE_VNTAG     0x8926 /* Cisco VN-Tag */
#define ETHERTYPE_FABRICPATH 0x8903 /* Cisco FabricPath */
#define ETHERTYPE_ETAG      0x893f /* IEEE 802.1BR E-Tag */
#define ETHERTYPE_NSH       0x894f /* RFC 8300 Network Service Header */
#define ETHERTYPE_ERSPAN2   0x88be /* in GRE: ERSPAN type I/II */
#define ETHERTYPE_ERSPAN3   0x22eb /* in GRE: ERSPAN type III */
#define ETHERTYPE_PPP       0x880b /* in GRE version 1: PPTP's PPP */
#define ETHERTYPE_WCCP      0x883e /* in GRE: WCCP redirected IPv4 */
#define ETHERTYPE_ARUBA     0x8200 /* in GRE: Aruba's 802.11 frame */
#define ETHERTYPE_ARUBA2    0x8210 /* the same, another Aruba number */
#define ETHERTYPE_MAX_LEN   1500   /* at most this: an 802.3 length */
#define MAX_VLAN_TAGS       8
#define MAX_LINK_HEADERS    16     /* labels, tags, LLC, PPPoE, ... */

/* PPP protocol numbers (RFC 1661 §2, IANA PPP DLL protocol numbers). */
#define PPP_IPV4            0x0021
#define PPP_IPV6            0x0057
#define PPP_MPLS            0x0281
#define PPP_MPLS_MC         0x0283

/* Sizes and numbers of the rarer link types (pcap-linktype(7), and the
 * formats tcpdump and Wireshark read). */
#define PFLOG_MIN_HDR       45 /* OpenBSD 3.4's header, without padding */
#define ENC_HDR_LEN         12 /* family, SPI, flags */
#define SLIP_HDR_LEN        16 /* direction, 15 bytes of header copy */
#define IPNET_HDR_LEN       24
#define IPNET_AF_INET6      26 /* Solaris's AF_INET6 */
#define PPI_MIN_HDR         8
#define PKTAP_MIN_HDR       108
#define PKTAP_PACKET        1  /* record type of a packet */
#define FR_UI               0x03 /* Q.922 unnumbered information */
#define NLPID_IPV4          0xcc
#define NLPID_IPV6          0x8e
#define NLPID_SNAP          0x80
#define FDDI_FC_LLC         0x50 /* frame control (& 0x70) of LLC frames */
#define SUNATM_LANE         1    /* traffic type: LAN emulation */
#define IPFC_HDR_LEN        16
#define PRISM_HDR_LEN       144
#define AVS_MAGIC_V1        0x80211001u
#define AVS_MAGIC_V2        0x80211002u

/* Cisco HDLC address bytes: the first byte of its frames. */
#define CHDLC_UNICAST       0x0f
#define CHDLC_BCAST         0x8f

/* Linux "cooked" capture headers (see pcap-linktype(7)). */
#define SLL_HDR_LEN         16 /* protocol is the last 2 bytes */
#define SLL2_HDR_LEN        20 /* protocol is the first 2 bytes */

/* The LINKTYPE_ number for raw IP, seen when a file's type is not mapped. */
#define LINKTYPE_RAW_NUM    101

/* Link types numbered the same on every system (pcap-linktype(7)); the
 * fallback numbers are for a libpcap whose headers lack a name. */
#ifndef DLT_PPP_SERIAL
#define DLT_PPP_SERIAL      50
#endif
#ifndef DLT_PPP_ETHER
#define DLT_PPP_ETHER       51
#endif
#ifndef DLT_C_HDLC
#define DLT_C_HDLC          104
#endif
#ifndef DLT_IEEE802_11
#define DLT_IEEE802_11      105
#endif
#ifndef DLT_IEEE802_11_RADIO
#define DLT_IEEE802_11_RADIO 127
#endif
#ifndef DLT_NFLOG
#define DLT_NFLOG           239
#endif
#ifndef DLT_IPOIB
#define DLT_IPOIB           242
#endif
/* More link types, each with its LINKTYPE_ number where libpcap's header
 * may lack it (pcap-linktype(7)). */
#ifndef DLT_SLIP
#define DLT_SLIP            8
#endif
#ifndef DLT_IEEE802
#define DLT_IEEE802         6
#endif
#ifndef DLT_FDDI
#define DLT_FDDI            10
#endif
#ifndef DLT_ATM_RFC1483
#define DLT_ATM_RFC1483     11
#endif
#ifndef DLT_SYMANTEC_FIREWALL
#define DLT_SYMANTEC_FIREWALL 99
#endif
#ifndef DLT_FRELAY
#define DLT_FRELAY          107
#endif
#ifndef DLT_ENC
#define DLT_ENC             109
#endif
#ifndef DLT_PFLOG
#define DLT_PFLOG           117
#endif
#ifndef DLT_PRISM_HEADER
#define DLT_PRISM_HEADER    119
#endif
#ifndef DLT_IP_OVER_FC
#define DLT_IP_OVER_FC      122
#endif
#ifndef DLT_SUNATM
#define DLT_SUNATM          123
#endif
#ifndef DLT_APPLE_IP_OVER_IEEE1394
#define DLT_APPLE_IP_OVER_IEEE1394 138
#endif
#ifndef DLT_IEEE802_11_RADIO_AVS
#define DLT_IEEE802_11_RADIO_AVS 163
#endif
#ifndef DLT_PPI
#define DLT_PPI             192
#endif
#ifndef DLT_MPLS
#define DLT_MPLS            219
#endif
#ifndef DLT_IPNET
#define DLT_IPNET           226
#endif
#ifndef DLT_NETANALYZER
#define DLT_NETANALYZER     240
#endif
#ifndef DLT_NETANALYZER_TRANSPARENT
#define DLT_NETANALYZER_TRANSPARENT 241
#endif
#ifndef DLT_PKTAP
#define DLT_PKTAP           258
#endif
#ifndef DLT_ARCNET
#define DLT_ARCNET          7
#endif
#ifndef DLT_ARCNET_LINUX
#define DLT_ARCNET_LINUX    129
#endif
#ifndef DLT_JUNIPER_PPPOE
#define DLT_JUNIPER_PPPOE   167
#endif
#ifndef DLT_JUNIPER_ETHER
#define DLT_JUNIPER_ETHER   178
#endif
#ifndef DLT_DSA_TAG_DSA
#define DLT_DSA_TAG_DSA     284
#endif
#ifndef DLT_DSA_TAG_EDSA
#define DLT_DSA_TAG_EDSA    285
#endif
#define NFULA_PAYLOAD       9      /* the packet, in an NFLOG TLV */
#define RADIOTAP_MIN_HDR    8

/*
 * Address family values in a DLT_NULL / DLT_LOOP header.  AF_INET is 2
 * everywhere; AF_INET6 differs: 10 Linux, 24 NetBSD/OpenBSD,
 * 28 FreeBSD, 30 macOS.
 */
#define NULL_AF_INET        2
#define NULL_AF_INET6_LINUX 10
#define NULL_AF_INET6_BSD   24
#define NULL_AF_INET6_FBSD  28
#define NULL_AF_INET6_MAC   30

/* IP protocol / IPv6 next-header numbers (IANA). */
#define IPPROTO_NUM_HOPOPTS  0
#define IPPROTO_NUM_ICMP     1
#define IPPROTO_NUM_ICMPV6   58
#define IPPROTO_NUM_IPIP     4  /* IPv4 in IP (RFC 2003) */
#define IPPROTO_NUM_TCP      6
#define IPPROTO_NUM_UDP      17
#define IPPROTO_NUM_IPV6     41 /* IPv6 in IP (RFC 4213 §3.5, RFC 2473) */
#define IPPROTO_NUM_GRE      47 /* RFC 2784 */
#define IPPROTO_NUM_ROUTING  43
#define IPPROTO_NUM_FRAGMENT 44
#define IPPROTO_NUM_ESP      50
#define IPPROTO_NUM_AH       51
#define IPPROTO_NUM_NONE     59
#define IPPROTO_NUM_DSTOPTS  60
#define IPPROTO_NUM_MOBILITY 135
#define IPPROTO_NUM_HIP      139
#define IPPROTO_NUM_SHIM6    140

#define IPV4_MIN_HDR        20
#define ETHER_MIN_PAYLOAD   46  /* IEEE 802.3: 64-byte frames less header and FCS */
#define IPV6_HDR_LEN        40
#define MAX_IPV6_EXT        64 /* RFC 8200 sets no limit; we stop here */
#define TCP_MIN_HDR         20

/* Tunnels. */
#define UDP_HDR_LEN         8
#define UDP_PORT_GRE        4754 /* GRE-in-UDP, RFC 8086 §3 */
#define UDP_PORT_VXLAN      4789 /* RFC 7348 §5 */
#define UDP_PORT_VXLAN_LNX  8472 /* Linux's default before IANA's */
#define UDP_PORT_GENEVE     6081 /* RFC 8926 §3.3 */
#define UDP_PORT_GTPU       2152 /* 3GPP TS 29.281 §4.4.2.3 */
#define UDP_PORT_CAPWAP     5247 /* the data channel, RFC 5415 §3.1 */
#define UDP_PORT_TEREDO     3544 /* RFC 4380 §2.13 */
#define UDP_PORT_AYIYA      5072 /* IANA's "ayiya" */
#define UDP_PORT_TZSP       37008 /* TZSP's, not IANA's; Wireshark's */
/* Not EtherTypes: what decode_capwap() says of an 802.11 frame (whose
 * frame control may come byte-swapped), what decode_gre() says of
 * Aruba's 802.11 frame and of PPTP's PPP frame. */
#define TUNNEL_TYPE_80211   0xffff
#define TUNNEL_TYPE_80211_ARUBA 0xfffe
#define TUNNEL_TYPE_PPP     0xfffd
#define GTP_MIN_HDR         8
#define TEREDO_ORIGIN_LEN   8    /* indicator type, port, address */
#define TEREDO_AUTH_MIN     13   /* type, 2 lengths, nonce, confirmation */
#define AYIYA_MIN_HDR       8    /* 4 bytes of fields, the epoch time */
#define AYIYA_OP_FORWARD    1
#define TZSP_MIN_HDR        4    /* version, type, encapsulation */
#define TZSP_VERSION        1
#define TZSP_TYPE_RX        0    /* a frame the sensor received */
#define TZSP_TYPE_TX        1    /* a frame the sensor sent */
#define TZSP_TAG_PADDING    0    /* one byte, no length */
#define TZSP_TAG_END        1    /* one byte, the frame follows */
#define TZSP_ENCAP_ETHERNET 1
#define TZSP_ENCAP_TOKEN    2
#define TZSP_ENCAP_PPP      4
#define TZSP_ENCAP_FDDI     5
#define TZSP_ENCAP_RAW      7
#define TZSP_ENCAP_80211    18
#define TZSP_ENCAP_PRISM    119
#define TZSP_ENCAP_AVS      127
#define GRE_MIN_HDR         4    /* flags and version, protocol type */
#define GRE_FLAG_C          0x8000 /* checksum and reserved1 present */
#define GRE_FLAG_R          0x4000 /* RFC 1701 routing present */
#define GRE_FLAG_K          0x2000 /* key present (RFC 2890 §2.1) */
#define GRE_FLAG_S          0x1000 /* sequence number present (§2.2) */
#define GRE_FLAG_A          0x0080 /* version 1: acknowledgement present */
#define GRE_VERSION_MASK    0x0007
#define GRE_VERSION_PPTP    1      /* RFC 2637 §4.1 */
#define WCCP_REDIRECT_LEN   4      /* WCCPv2's redirect header */
#define VXLAN_HDR_LEN       8
#define GENEVE_MIN_HDR      8

/* TCP option kinds (RFC 9293 §3.1, and the RFCs named below). */
#define TCPOPT_EOL          0
#define TCPOPT_NOP          1
#define TCPOPT_MSS          2  /* RFC 9293 §3.2 */
#define TCPOPT_WSCALE       3  /* RFC 7323 §2 */
#define TCPOPT_SACKOK       4  /* RFC 2018 §2 */
#define TCPOPT_SACK         5  /* RFC 2018 §3 */
#define TCPOPT_TIMESTAMP    8  /* RFC 7323 §3 */
#define TCPOPT_TFO          34 /* RFC 7413 §4.1.1 */
#define TCPOPT_EXP          254 /* RFC 6994 shared experimental kind */
#define TCPOPT_EXP_TFO_MAGIC 0xf989 /* TFO before kind 34 was assigned */

const char *const tfe_decode_reason_names[TFE_DR__COUNT] = {
	[TFE_DR_OK]                = "ok",
	[TFE_DR_NOT_IP]            = "not ip",
	[TFE_DR_NOT_TCP]           = "not tcp",
	[TFE_DR_IPV4_FRAGMENT]     = "ipv4 fragment",
	[TFE_DR_IPV6_FRAGMENT]     = "ipv6 fragment",
	[TFE_DR_LINK_TRUNCATED]    = "link header truncated",
	[TFE_DR_IPV4_TRUNCATED]    = "ipv4 header truncated",
	[TFE_DR_IPV6_TRUNCATED]    = "ipv6 header truncated",
	[TFE_DR_TCP_TRUNCATED]     = "tcp header truncated",
	[TFE_DR_TCP_OPT_TRUNCATED] = "tcp options truncated",
	[TFE_DR_IP_BAD_VERSION]    = "ip version mismatch",
	[TFE_DR_IPV4_BAD_IHL]      = "ipv4 header length invalid",
	[TFE_DR_IPV4_BAD_LENGTH]   = "ipv4 total length invalid",
	[TFE_DR_IPV6_BAD_LENGTH]   = "ipv6 payload length invalid",
	[TFE_DR_IPV6_EXT_LOOP]     = "too many ipv6 extension headers",
	[TFE_DR_TCP_BAD_OFFSET]    = "tcp data offset invalid",
	[TFE_DR_TCP_BAD_OPTION]    = "tcp option invalid",
	[TFE_DR_LINKTYPE]          = "unsupported link type",
	[TFE_DR_VLAN_DEPTH]        = "too many vlan tags",
	[TFE_DR_TUNNEL_FRAGMENT]   = "first fragment of a tunnel packet",
	[TFE_DR_UDP_TRUNCATED]     = "udp header truncated",
	[TFE_DR_GRE_TRUNCATED]     = "gre header truncated",
	[TFE_DR_VXLAN_TRUNCATED]   = "vxlan header truncated",
	[TFE_DR_GENEVE_TRUNCATED]  = "geneve header truncated",
	[TFE_DR_UDP_BAD_LENGTH]    = "udp length invalid",
	[TFE_DR_TUNNEL_BAD_LENGTH] = "tunnel header past its packet",
	[TFE_DR_GRE_HEADER]        = "unsupported gre version or routing",
	[TFE_DR_GENEVE_VERSION]    = "unsupported geneve version",
	[TFE_DR_TUNNEL_PAYLOAD]    = "unsupported tunnel payload",
	[TFE_DR_TUNNEL_DEPTH]      = "too many nested tunnels",
	[TFE_DR_LINK_BAD_HEADER]   = "link header invalid",
	[TFE_DR_WLAN_NOT_DATA]     = "802.11 frame without data",
	[TFE_DR_LINK_PAYLOAD]      = "unsupported mpls or ppp payload",
	[TFE_DR_LINK_DEPTH]        = "too many link headers",
	[TFE_DR_TUNNEL_TRUNCATED]  = "tunnel header truncated",
	[TFE_DR_FRAG_DUPLICATE]    = "duplicate ip fragment",
	[TFE_DR_FRAG_OVERLAP]      = "overlapping ip fragment",
	[TFE_DR_FRAG_INVALID]      = "ip fragment invalid",
	[TFE_DR_FRAG_OF_DROPPED]   = "fragment of a dropped datagram",
	[TFE_DR_FRAG_LIMIT]        = "too many fragments in a datagram",
	[TFE_DR_ICMP_ERROR]        = "icmp error quoting tcp",
	[TFE_DR_LINK_FRAGMENT]     = "link-layer fragment",
};

const enum tfe_decode_class tfe_decode_reason_class[TFE_DR__COUNT] = {
	[TFE_DR_OK]                = TFE_DC_OK,
	[TFE_DR_NOT_IP]            = TFE_DC_SKIPPED,
	[TFE_DR_NOT_TCP]           = TFE_DC_SKIPPED,
	[TFE_DR_IPV4_FRAGMENT]     = TFE_DC_SKIPPED,
	[TFE_DR_IPV6_FRAGMENT]     = TFE_DC_SKIPPED,
	[TFE_DR_LINK_TRUNCATED]    = TFE_DC_TRUNCATED,
	[TFE_DR_IPV4_TRUNCATED]    = TFE_DC_TRUNCATED,
	[TFE_DR_IPV6_TRUNCATED]    = TFE_DC_TRUNCATED,
	[TFE_DR_TCP_TRUNCATED]     = TFE_DC_TRUNCATED,
	[TFE_DR_TCP_OPT_TRUNCATED] = TFE_DC_TRUNCATED,
	[TFE_DR_IP_BAD_VERSION]    = TFE_DC_MALFORMED,
	[TFE_DR_IPV4_BAD_IHL]      = TFE_DC_MALFORMED,
	[TFE_DR_IPV4_BAD_LENGTH]   = TFE_DC_MALFORMED,
	[TFE_DR_IPV6_BAD_LENGTH]   = TFE_DC_MALFORMED,
	[TFE_DR_IPV6_EXT_LOOP]     = TFE_DC_MALFORMED,
	[TFE_DR_TCP_BAD_OFFSET]    = TFE_DC_MALFORMED,
	[TFE_DR_TCP_BAD_OPTION]    = TFE_DC_MALFORMED,
	[TFE_DR_LINKTYPE]          = TFE_DC_UNSUPPORTED,
	[TFE_DR_VLAN_DEPTH]        = TFE_DC_UNSUPPORTED,
	[TFE_DR_TUNNEL_FRAGMENT]   = TFE_DC_SKIPPED,
	[TFE_DR_UDP_TRUNCATED]     = TFE_DC_TRUNCATED,
	[TFE_DR_GRE_TRUNCATED]     = TFE_DC_TRUNCATED,
	[TFE_DR_VXLAN_TRUNCATED]   = TFE_DC_TRUNCATED,
	[TFE_DR_GENEVE_TRUNCATED]  = TFE_DC_TRUNCATED,
	[TFE_DR_UDP_BAD_LENGTH]    = TFE_DC_MALFORMED,
	[TFE_DR_TUNNEL_BAD_LENGTH] = TFE_DC_MALFORMED,
	[TFE_DR_GRE_HEADER]        = TFE_DC_UNSUPPORTED,
	[TFE_DR_GENEVE_VERSION]    = TFE_DC_UNSUPPORTED,
	[TFE_DR_TUNNEL_PAYLOAD]    = TFE_DC_UNSUPPORTED,
	[TFE_DR_TUNNEL_DEPTH]      = TFE_DC_UNSUPPORTED,
	[TFE_DR_LINK_BAD_HEADER]   = TFE_DC_MALFORMED,
	[TFE_DR_WLAN_NOT_DATA]     = TFE_DC_SKIPPED,
	[TFE_DR_LINK_PAYLOAD]      = TFE_DC_UNSUPPORTED,
	[TFE_DR_LINK_DEPTH]        = TFE_DC_UNSUPPORTED,
	[TFE_DR_TUNNEL_TRUNCATED]  = TFE_DC_TRUNCATED,
	[TFE_DR_FRAG_DUPLICATE]    = TFE_DC_SKIPPED,
	[TFE_DR_FRAG_OVERLAP]      = TFE_DC_MALFORMED,
	[TFE_DR_FRAG_INVALID]      = TFE_DC_MALFORMED,
	[TFE_DR_FRAG_OF_DROPPED]   = TFE_DC_SKIPPED,
	[TFE_DR_FRAG_LIMIT]        = TFE_DC_UNSUPPORTED,
	[TFE_DR_ICMP_ERROR]        = TFE_DC_SKIPPED,
	[TFE_DR_LINK_FRAGMENT]     = TFE_DC_SKIPPED,
};

const char *const tfe_decode_class_names[TFE_DC__COUNT] = {
	[TFE_DC_OK]          = "ok",
	[TFE_DC_SKIPPED]     = "skipped",
	[TFE_DC_TRUNCATED]   = "truncated",
	[TFE_DC_MALFORMED]   = "malformed",
	[TFE_DC_UNSUPPORTED] = "unsupported",
};

const char *const tfe_tunnel_names[TFE_TUN__COUNT] = {
	[TFE_TUN_NONE]    = "none",
	[TFE_TUN_IPIP]    = "IP-in-IP",
	[TFE_TUN_GRE]     = "GRE",
	[TFE_TUN_GRE_UDP] = "GRE-in-UDP",
	[TFE_TUN_VXLAN]   = "VXLAN",
	[TFE_TUN_GENEVE]  = "Geneve",
	[TFE_TUN_GTPU]    = "GTP-U",
	[TFE_TUN_CAPWAP]  = "CAPWAP",
	[TFE_TUN_TEREDO]  = "Teredo",
	[TFE_TUN_AYIYA]   = "AYIYA",
	[TFE_TUN_TZSP]    = "TZSP",
};

_Static_assert(TFE_LAYER_TZSP - TFE_LAYER_IPIP == TFE_TUN_TZSP - TFE_TUN_IPIP,
               "the tunnels' layers are in enum tfe_tunnel_kind's order");

const char *const tfe_layer_names[TFE_LAYER__COUNT] = {
	[TFE_LAYER_VLAN]       = "802.1Q",
	[TFE_LAYER_QINQ]       = "802.1ad",
	[TFE_LAYER_MPLS]       = "MPLS",
	[TFE_LAYER_PPPOE]      = "PPPoE",
	[TFE_LAYER_PPP]        = "PPP",
	[TFE_LAYER_CHDLC]      = "Cisco HDLC",
	[TFE_LAYER_LLC]        = "LLC/SNAP",
	[TFE_LAYER_PBB]        = "802.1ah",
	[TFE_LAYER_VNTAG]      = "VN-Tag",
	[TFE_LAYER_FABRICPATH] = "FabricPath",
	[TFE_LAYER_WLAN]       = "802.11",
	[TFE_LAYER_RADIOTAP]   = "radiotap",
	[TFE_LAYER_IPIP]       = "IP-in-IP",
	[TFE_LAYER_GRE]        = "GRE",
	[TFE_LAYER_GRE_UDP]    = "GRE-in-UDP",
	[TFE_LAYER_VXLAN]      = "VXLAN",
	[TFE_LAYER_GENEVE]     = "Geneve",
	[TFE_LAYER_GTPU]       = "GTP-U",
	[TFE_LAYER_CAPWAP]     = "CAPWAP",
	[TFE_LAYER_TEREDO]     = "Teredo",
	[TFE_LAYER_AYIYA]      = "AYIYA",
	[TFE_LAYER_TZSP]       = "TZSP",
	[TFE_LAYER_ERSPAN]     = "ERSPAN",
	[TFE_LAYER_WCCP]       = "WCCP",
	[TFE_LAYER_ARUBA]      = "Aruba",
	[TFE_LAYER_ETAG]       = "802.1BR",
	[TFE_LAYER_NSH]        = "NSH",
};

const char *const tfe_layer_keys[TFE_LAYER__COUNT] = {
	[TFE_LAYER_VLAN]       = "vlan",
	[TFE_LAYER_QINQ]       = "qinq",
	[TFE_LAYER_MPLS]       = "mpls",
	[TFE_LAYER_PPPOE]      = "pppoe",
	[TFE_LAYER_PPP]        = "ppp",
	[TFE_LAYER_CHDLC]      = "chdlc",
	[TFE_LAYER_LLC]        = "llc_snap",
	[TFE_LAYER_PBB]        = "pbb",
	[TFE_LAYER_VNTAG]      = "vntag",
	[TFE_LAYER_FABRICPATH] = "fabricpath",
	[TFE_LAYER_WLAN]       = "wlan",
	[TFE_LAYER_RADIOTAP]   = "radiotap",
	[TFE_LAYER_IPIP]       = "ipip",
	[TFE_LAYER_GRE]        = "gre",
	[TFE_LAYER_GRE_UDP]    = "gre_udp",
	[TFE_LAYER_VXLAN]      = "vxlan",
	[TFE_LAYER_GENEVE]     = "geneve",
	[TFE_LAYER_GTPU]       = "gtpu",
	[TFE_LAYER_CAPWAP]     = "capwap",
	[TFE_LAYER_TEREDO]     = "teredo",
	[TFE_LAYER_AYIYA]      = "ayiya",
	[TFE_LAYER_TZSP]       = "tzsp",
	[TFE_LAYER_ERSPAN]     = "erspan",
	[TFE_LAYER_WCCP]       = "wccp",
	[TFE_LAYER_ARUBA]      = "aruba",
	[TFE_LAYER_ETAG]       = "etag",
	[TFE_LAYER_NSH]        = "nsh",
};

#define LAYER(l) (UINT32_C(1) << (l))

/* How the link layer of a frame is laid out. */
enum link_kind {
	LINK_NONE,     /* not decoded */
	LINK_ETHERNET,
	LINK_SLL,
	LINK_SLL2,
	LINK_RAW,      /* IPv4 or IPv6, chosen by the version nibble */
	LINK_IPV4,
	LINK_IPV6,
	LINK_NULL,     /* 4-byte address family in the capturing host's order */
	LINK_LOOP,     /* 4-byte address family in network byte order */
	LINK_PPP,      /* PPP, with or without HDLC-like framing, or Cisco
	                  HDLC (DLT_PPP, DLT_PPP_SERIAL) */
	LINK_PPP_ETHER,/* a PPPoE header, then PPP (DLT_PPP_ETHER) */
	LINK_CHDLC,    /* Cisco HDLC: address, control, Ethernet type */
	LINK_NFLOG,    /* Linux NFLOG: header and TLVs in host order */
	LINK_IPOIB,    /* IP over InfiniBand: type, 2 reserved bytes */
	LINK_80211,    /* IEEE 802.11 */
	LINK_RADIOTAP, /* radiotap, then IEEE 802.11 */
	LINK_PFLOG,    /* OpenBSD pf's log header, then IP */
	LINK_ENC,      /* OpenBSD enc: family, SPI, flags, then IP */
	LINK_IPNET,    /* Solaris ipnet: 24 bytes with the family, then IP */
	LINK_SLIP,     /* a 16-byte SLIP header, then IP */
	LINK_PPI,      /* Per-Packet Information, then its link type's frame */
	LINK_PKTAP,    /* Apple's pktap header, then its link type's frame */
	LINK_NETANALYZER,   /* 4-byte Hilscher header, then Ethernet */
	LINK_NETANALYZER_T, /* that, the preamble and SFD, then Ethernet */
	LINK_FRELAY,   /* Frame Relay: Q.922 address, then RFC 2427 or Cisco */
	LINK_FDDI,     /* FDDI: 13 bytes, then LLC */
	LINK_TOKEN,    /* IEEE 802.5 Token Ring, its routing, then LLC */
	LINK_ATM_LLC,  /* ATM RFC 1483 LLC encapsulation */
	LINK_SUNATM,   /* SunATM: 4 bytes, then LLC or LANE */
	LINK_IPFC,     /* IP over Fibre Channel: 16 bytes, then LLC */
	LINK_1394,     /* IP over IEEE 1394: 16 bytes of addresses, a type */
	LINK_MPLS,     /* an MPLS label stack */
	LINK_PRISM,    /* a 144-byte Prism header (or AVS), then 802.11 */
	LINK_AVS,      /* an AVS capture header, then 802.11 */
	LINK_DSA,      /* Ethernet with a 4-byte Marvell DSA tag */
	LINK_EDSA,     /* Ethernet with an 8-byte Marvell EDSA tag */
	LINK_SYMANTEC, /* Symantec firewall: 44 bytes with the type */
	LINK_ARCNET,   /* ARCNET as the BSDs capture it */
	LINK_ARCNET_LINUX, /* ARCNET as Linux captures it: with an offset */
	LINK_JUNIPER_ETHER /* a Juniper router's header, then Ethernet */
};

/* What the link layer says comes next. */
enum net_kind {
	NET_IPV4,
	NET_IPV6,
	NET_BY_VERSION /* raw IP: look at the version nibble */
};

/* What the link layer functions say: the network layer that follows, and
 * the layers (1 << enum tfe_layer) they read on the way. */
struct link_out {
	enum net_kind kind;
	uint32_t layers;
};

/* The link types past the common ones: a switch, none of these numbers
 * collides with another platform's DLT_RAW or DLT_LOOP. */
static enum link_kind
link_kind_more(int linktype)
{
	switch (linktype) {
	case DLT_PFLOG:                  return LINK_PFLOG;
	case DLT_ENC:                    return LINK_ENC;
	case DLT_IPNET:                  return LINK_IPNET;
	case DLT_SLIP:                   return LINK_SLIP;
	case DLT_PPI:                    return LINK_PPI;
	case DLT_PKTAP:                  return LINK_PKTAP;
	case DLT_NETANALYZER:            return LINK_NETANALYZER;
	case DLT_NETANALYZER_TRANSPARENT: return LINK_NETANALYZER_T;
	case DLT_FRELAY:                 return LINK_FRELAY;
	case DLT_FDDI:                   return LINK_FDDI;
	case DLT_IEEE802:                return LINK_TOKEN;
	case DLT_ATM_RFC1483:            return LINK_ATM_LLC;
	case DLT_SUNATM:                 return LINK_SUNATM;
	case DLT_IP_OVER_FC:             return LINK_IPFC;
	case DLT_APPLE_IP_OVER_IEEE1394: return LINK_1394;
	case DLT_MPLS:                   return LINK_MPLS;
	case DLT_PRISM_HEADER:           return LINK_PRISM;
	case DLT_IEEE802_11_RADIO_AVS:   return LINK_AVS;
	case DLT_DSA_TAG_DSA:            return LINK_DSA;
	case DLT_DSA_TAG_EDSA:           return LINK_EDSA;
	case DLT_SYMANTEC_FIREWALL:      return LINK_SYMANTEC;
	case DLT_ARCNET:                 return LINK_ARCNET;
	case DLT_ARCNET_LINUX:           return LINK_ARCNET_LINUX;
	case DLT_JUNIPER_ETHER:
	case DLT_JUNIPER_PPPOE:          return LINK_JUNIPER_ETHER;
	default:                         return LINK_NONE;
	}
}

/*
 * Maps a DLT_ value to a layout.  An if-chain rather than a switch because
 * the numbers collide across platforms: DLT_RAW is 12 on most systems and
 * 14 on OpenBSD, where 12 is DLT_LOOP instead.  DLT_LOOP is tested first so
 * that on OpenBSD 12 means loopback; elsewhere 12 and 14 both mean raw IP,
 * as either can be found in files written on another system.  101 is the
 * LINKTYPE_RAW number, which a file may carry when libpcap did not map it.
 */
static ALWAYS_INLINE enum link_kind
link_kind_of(int linktype)
{
	if (linktype == DLT_LOOP)
		return LINK_LOOP;
	if (linktype == DLT_NULL)
		return LINK_NULL;
	if (linktype == DLT_EN10MB)
		return LINK_ETHERNET;
	if (linktype == DLT_LINUX_SLL)
		return LINK_SLL;
	if (linktype == DLT_LINUX_SLL2)
		return LINK_SLL2;
	if (linktype == DLT_RAW || linktype == 12 || linktype == 14 ||
	    linktype == LINKTYPE_RAW_NUM)
		return LINK_RAW;
	if (linktype == DLT_IPV4)
		return LINK_IPV4;
	if (linktype == DLT_IPV6)
		return LINK_IPV6;
	if (linktype == DLT_PPP || linktype == DLT_PPP_SERIAL)
		return LINK_PPP;
	if (linktype == DLT_PPP_ETHER)
		return LINK_PPP_ETHER;
	if (linktype == DLT_C_HDLC)
		return LINK_CHDLC;
	if (linktype == DLT_NFLOG)
		return LINK_NFLOG;
	if (linktype == DLT_IPOIB)
		return LINK_IPOIB;
	if (linktype == DLT_IEEE802_11)
		return LINK_80211;
	if (linktype == DLT_IEEE802_11_RADIO)
		return LINK_RADIOTAP;
	return link_kind_more(linktype);
}

bool
tfe_decode_linktype_supported(int linktype)
{
	return link_kind_of(linktype) != LINK_NONE;
}

/* Maps an Ethernet type (also used by SLL and SLL2) to the network layer. */
static enum tfe_decode_reason
net_of_ethertype(uint16_t type, struct link_out *net)
{
	if (type == ETHERTYPE_IPV4) {
		net->kind = NET_IPV4;
		return TFE_DR_OK;
	}
	if (type == ETHERTYPE_IPV6) {
		net->kind = NET_IPV6;
		return TFE_DR_OK;
	}
	return TFE_DR_NOT_IP;
}

/*
 * What follows an Ethernet type that is not IPv4 or IPv6 nor a VLAN tag:
 * the other headers a link layer stacks before IP, each read through the
 * cursor, until IP or something that is not for us.  Kept out of line:
 * the ordinary frame never comes here.
 *
 *   MPLS (RFC 3032 §2.1): 4-byte label stack entries until the one with
 *     the bottom-of-stack bit; then IPv4 or IPv6 by the version nibble,
 *     or a 0 nibble: the pseudowire control word of RFC 4385 §3, then an
 *     Ethernet frame (RFC 4448).
 *   PPPoE session (RFC 2516 §4): version/type 0x11, code, session id,
 *     length, then a PPP protocol number.
 *   802.1ah (PBB): the 4-byte I-TAG, the customer's two addresses, a type.
 *   Cisco VN-Tag: 4 bytes, then a type.
 *   Cisco FabricPath: FTag and TTL (2 bytes), then the inner frame's
 *     addresses and type.
 *   An 802.3 length (<= 1500): LLC (IEEE 802.2); with SNAP (DSAP and SSAP
 *     0xAA, UI), a 3-byte OUI and a type follow; any other LLC is not IP.
 * `depth` counts the headers read so far, MAX_LINK_HEADERS at most.
 */
static COLD enum tfe_decode_reason link_more(struct tfe_cursor *c,
                                             uint16_t type, unsigned depth,
                                             struct link_out *net);

static ALWAYS_INLINE enum tfe_decode_reason
link_ethertype(struct tfe_cursor *c, uint16_t type, unsigned depth,
               struct link_out *net)
{
	for (unsigned tags = 0;
	     type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ ||
	     type == ETHERTYPE_QINQ_OLD;
	     tags++) {
		if (tags == MAX_VLAN_TAGS)
			return TFE_DR_VLAN_DEPTH;
		net->layers |= type == ETHERTYPE_VLAN ? LAYER(TFE_LAYER_VLAN) :
		                                        LAYER(TFE_LAYER_QINQ);
		/* 2 bytes of priority/DEI/VLAN id, then the next type. */
		if (!tfe_cursor_skip(c, 2) || !tfe_cursor_be16(c, &type))
			return TFE_DR_LINK_TRUNCATED;
	}
	if (type == ETHERTYPE_IPV4 || type == ETHERTYPE_IPV6)
		return net_of_ethertype(type, net);
	return link_more(c, type, depth, net);
}

/*
 * Ethernet II, with any number up to MAX_VLAN_TAGS of 802.1Q, 802.1ad or
 * old-style 0x9100 tags between the source address and the real type,
 * and the headers link_more() reads after them.
 */
static ALWAYS_INLINE enum tfe_decode_reason
link_ethernet(struct tfe_cursor *c, struct link_out *net)
{
	uint16_t type;

	if (!tfe_cursor_skip(c, 12) || !tfe_cursor_be16(c, &type))
		return TFE_DR_LINK_TRUNCATED;
	return link_ethertype(c, type, 0, net);
}

/* An MPLS label stack; the cursor is at its first entry. */
static enum tfe_decode_reason
link_mpls(struct tfe_cursor *c, unsigned depth, struct link_out *net)
{
	uint32_t entry;

	net->layers |= LAYER(TFE_LAYER_MPLS);
	do {
		if (++depth > MAX_LINK_HEADERS)
			return TFE_DR_LINK_DEPTH;
		if (!tfe_cursor_be32(c, &entry))
			return TFE_DR_LINK_TRUNCATED;
	} while ((entry & 0x100) == 0); /* S, bottom of stack */

	uint8_t first;
	struct tfe_cursor peek = *c;
	if (!tfe_cursor_u8(&peek, &first))
		return TFE_DR_LINK_TRUNCATED;
	switch (first >> 4) {
	case 4:
		net->kind = NET_IPV4;
		return TFE_DR_OK;
	case 6:
		net->kind = NET_IPV6;
		return TFE_DR_OK;
	case 0: { /* control word, then Ethernet */
		uint16_t type;
		if (!tfe_cursor_skip(c, 4 + 12) || !tfe_cursor_be16(c, &type))
			return TFE_DR_LINK_TRUNCATED;
		return link_more(c, type, depth, net);
	}
	default:
		return TFE_DR_LINK_PAYLOAD;
	}
}

/* A PPP protocol number (RFC 1661 §2) to what follows. */
static enum tfe_decode_reason
link_ppp_proto(struct tfe_cursor *c, uint16_t proto, unsigned depth,
               struct link_out *net)
{
	switch (proto) {
	case PPP_IPV4:
		net->kind = NET_IPV4;
		return TFE_DR_OK;
	case PPP_IPV6:
		net->kind = NET_IPV6;
		return TFE_DR_OK;
	case PPP_MPLS:
	case PPP_MPLS_MC:
		return link_mpls(c, depth, net);
	default: /* LCP, IPCP, CHAP, compressed data, ... */
		return TFE_DR_NOT_IP;
	}
}

/*
 * A PPP frame (RFC 1661 §2) as PPP link types and PPTP's GRE carry it:
 * the HDLC-like address and control bytes 0xff 0x03 (RFC 1662 §3.1) are
 * there or not, and the protocol is one byte when it is odd (protocol
 * field compression, RFC 1661 §6.5).  A frame that starts with a Cisco
 * HDLC address is Cisco HDLC, which DLT_PPP files also hold (tcpdump and
 * Wireshark read them so).
 */
static enum tfe_decode_reason
link_ppp(struct tfe_cursor *c, unsigned depth, struct link_out *net)
{
	uint8_t b0, b1;
	uint16_t proto;
	struct tfe_cursor peek = *c;

	if (!tfe_cursor_u8(&peek, &b0) || !tfe_cursor_u8(&peek, &b1))
		return TFE_DR_LINK_TRUNCATED;
	if (b0 == CHDLC_UNICAST || b0 == CHDLC_BCAST) {
		net->layers |= LAYER(TFE_LAYER_CHDLC);
		if (!tfe_cursor_skip(c, 2) || !tfe_cursor_be16(c, &proto))
			return TFE_DR_LINK_TRUNCATED;
		return link_more(c, proto, depth, net);
	}
	net->layers |= LAYER(TFE_LAYER_PPP);
	if (b0 == 0xff && b1 == 0x03)
		(void)tfe_cursor_skip(c, 2);
	if (!tfe_cursor_u8(c, &b0))
		return TFE_DR_LINK_TRUNCATED;
	if (b0 & 1) {
		proto = b0;
	} else {
		if (!tfe_cursor_u8(c, &b1))
			return TFE_DR_LINK_TRUNCATED;
		proto = (uint16_t)(b0 << 8 | b1);
	}
	return link_ppp_proto(c, proto, depth, net);
}

/* A PPPoE session header (RFC 2516 §4), then a two-byte PPP protocol. */
static enum tfe_decode_reason
link_pppoe(struct tfe_cursor *c, unsigned depth, struct link_out *net)
{
	uint8_t vt, code;
	uint16_t proto;

	net->layers |= LAYER(TFE_LAYER_PPPOE) | LAYER(TFE_LAYER_PPP);
	if (!tfe_cursor_u8(c, &vt) || !tfe_cursor_u8(c, &code) ||
	    !tfe_cursor_skip(c, 4) || !tfe_cursor_be16(c, &proto))
		return TFE_DR_LINK_TRUNCATED;
	if (vt != 0x11 || code != 0)
		return TFE_DR_LINK_BAD_HEADER;
	return link_ppp_proto(c, proto, depth, net);
}

/* IEEE 802.2 LLC with SNAP (RFC 1042): DSAP and SSAP 0xAA, UI, an OUI,
 * then the Ethernet type, in *type.  The cursor is at the DSAP. */
static enum tfe_decode_reason
llc_snap(struct tfe_cursor *c, struct link_out *net, uint16_t *type)
{
	uint8_t llc[3];

	if (!tfe_cursor_copy(c, llc, 3))
		return TFE_DR_LINK_TRUNCATED;
	if (llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03)
		return TFE_DR_NOT_IP; /* STP, NetBIOS, IPX, ... */
	net->layers |= LAYER(TFE_LAYER_LLC);
	if (!tfe_cursor_skip(c, 3) || !tfe_cursor_be16(c, type))
		return TFE_DR_LINK_TRUNCATED;
	return TFE_DR_OK;
}

/*
 * A Network Service Header (RFC 8300 §2): version (2 bits, 0), flags and
 * TTL, the header's length in 4-byte words (6 bits, 2 at least: the base
 * and the service path header), the metadata type, the next protocol,
 * the service path header, then the context headers the length covers.
 * Next protocol 1 is IPv4, 2 IPv6, 3 Ethernet, 4 another NSH, 5 MPLS;
 * *type says which as an Ethernet type (0 for an Ethernet frame).
 */
static enum tfe_decode_reason
link_nsh(struct tfe_cursor *c, struct link_out *net, uint16_t *type)
{
	uint8_t h[4];

	net->layers |= LAYER(TFE_LAYER_NSH);
	if (!tfe_cursor_copy(c, h, 4))
		return TFE_DR_LINK_TRUNCATED;
	size_t hlen = (size_t)(h[1] & 0x3f) * 4;
	if (h[0] >> 6 != 0 || hlen < 8)
		return TFE_DR_LINK_BAD_HEADER;
	if (!tfe_cursor_skip(c, hlen - 4))
		return TFE_DR_LINK_TRUNCATED;
	switch (h[3]) {
	case 1: *type = ETHERTYPE_IPV4; return TFE_DR_OK;
	case 2: *type = ETHERTYPE_IPV6; return TFE_DR_OK;
	case 3: *type = 0;              return TFE_DR_OK;
	case 4: *type = ETHERTYPE_NSH;  return TFE_DR_OK;
	case 5: *type = ETHERTYPE_MPLS; return TFE_DR_OK;
	default: return TFE_DR_NOT_IP;
	}
}

static COLD enum tfe_decode_reason
link_more(struct tfe_cursor *c, uint16_t type, unsigned depth,
          struct link_out *net)
{
	for (;;) {
		if (++depth > MAX_LINK_HEADERS)
			return TFE_DR_LINK_DEPTH;
		switch (type) {
		case ETHERTYPE_IPV4:
		case ETHERTYPE_IPV6:
			return net_of_ethertype(type, net);
		case ETHERTYPE_VLAN:
		case ETHERTYPE_QINQ:
		case ETHERTYPE_QINQ_OLD:
			return link_ethertype(c, type, depth, net);
		case ETHERTYPE_MPLS:
		case ETHERTYPE_MPLS_MC:
			return link_mpls(c, depth, net);
		case ETHERTYPE_PPPOE:
			return link_pppoe(c, depth, net);
		case ETHERTYPE_PBB: /* I-TAG, then C-DA and C-SA */
			net->layers |= LAYER(TFE_LAYER_PBB);
			if (!tfe_cursor_skip(c, 4 + 12) ||
			    !tfe_cursor_be16(c, &type))
				return TFE_DR_LINK_TRUNCATED;
			continue;
		case ETHERTYPE_VNTAG:
			net->layers |= LAYER(TFE_LAYER_VNTAG);
			if (!tfe_cursor_skip(c, 4) || !tfe_cursor_be16(c, &type))
				return TFE_DR_LINK_TRUNCATED;
			continue;
		case ETHERTYPE_FABRICPATH: /* FTag and TTL, inner addresses */
			net->layers |= LAYER(TFE_LAYER_FABRICPATH);
			if (!tfe_cursor_skip(c, 2 + 12) ||
			    !tfe_cursor_be16(c, &type))
				return TFE_DR_LINK_TRUNCATED;
			continue;
		case ETHERTYPE_ETAG: /* 6 bytes of PCP, DEI and E-CIDs */
			net->layers |= LAYER(TFE_LAYER_ETAG);
			if (!tfe_cursor_skip(c, 6) || !tfe_cursor_be16(c, &type))
				return TFE_DR_LINK_TRUNCATED;
			continue;
		case ETHERTYPE_NSH: {
			enum tfe_decode_reason r = link_nsh(c, net, &type);
			if (r != TFE_DR_OK)
				return r;
			/* an Ethernet frame: its addresses, then its type,
			 * read here so that the depth keeps counting */
			if (type == 0 && (!tfe_cursor_skip(c, 12) ||
			                  !tfe_cursor_be16(c, &type)))
				return TFE_DR_LINK_TRUNCATED;
			continue;
		}
		default:
			break;
		}
		if (type > ETHERTYPE_MAX_LEN)
			return TFE_DR_NOT_IP; /* ARP, LLDP, ... */
		/* 802.3: a length, then LLC */
		enum tfe_decode_reason r = llc_snap(c, net, &type);
		if (r != TFE_DR_OK)
			return r;
	}
}

/*
 * IEEE 802.11 (802.11-2020 §9.2.4, §9.3.2.1): a data frame's header, then
 * LLC/SNAP.  Frame control is little-endian: type in bits 2-3 (2 is
 * data), subtype in bits 4-7 (bit 6 set: no data; bit 7 set: QoS, 2 more
 * bytes), then the flags (to-DS and from-DS both set: a fourth address;
 * protected: encrypted, nothing we can read; order with QoS: a 4-byte
 * HT control field).
 */
static enum tfe_decode_reason
link_80211_fc(struct tfe_cursor *c, bool may_swap, struct link_out *net)
{
	uint8_t fc, flags;
	uint8_t llc[3];
	uint16_t type;

	net->layers |= LAYER(TFE_LAYER_WLAN);
	if (!tfe_cursor_u8(c, &fc) || !tfe_cursor_u8(c, &flags))
		return TFE_DR_LINK_TRUNCATED;
	/* Cisco access points send the frame control field byte-swapped in
	 * CAPWAP (Wireshark swaps it by default there): a protocol version
	 * other than 0 in the first byte and 0 in the second is that. */
	if (may_swap && (fc & 3) != 0 && (flags & 3) == 0) {
		uint8_t t = fc;
		fc = flags;
		flags = t;
	}
	if (((fc >> 2) & 3) != 2 || (fc & 0x40) != 0 || (flags & 0x40) != 0)
		return TFE_DR_WLAN_NOT_DATA;
	size_t hlen = 24 - 2;
	if ((flags & 3) == 3)
		hlen += 6;
	if (fc & 0x80) {
		hlen += 2;
		if (flags & 0x80)
			hlen += 4;
	}
	if (!tfe_cursor_skip(c, hlen) || !tfe_cursor_copy(c, llc, 3))
		return TFE_DR_LINK_TRUNCATED;
	if (llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03)
		return TFE_DR_NOT_IP;
	if (!tfe_cursor_skip(c, 3) || !tfe_cursor_be16(c, &type))
		return TFE_DR_LINK_TRUNCATED;
	return link_more(c, type, 0, net);
}

static enum tfe_decode_reason
link_80211(struct tfe_cursor *c, struct link_out *net)
{
	return link_80211_fc(c, false, net);
}

/* Radiotap (radiotap.org): version 0, a pad byte, the header's length
 * (little-endian, at least 8), then an 802.11 frame. */
static enum tfe_decode_reason
link_radiotap(struct tfe_cursor *c, struct link_out *net)
{
	uint8_t version, pad;
	uint16_t len;

	net->layers |= LAYER(TFE_LAYER_RADIOTAP);
	if (!tfe_cursor_u8(c, &version) || !tfe_cursor_u8(c, &pad) ||
	    !tfe_cursor_le16(c, &len))
		return TFE_DR_LINK_TRUNCATED;
	if (version != 0 || len < RADIOTAP_MIN_HDR)
		return TFE_DR_LINK_BAD_HEADER;
	if (!tfe_cursor_skip(c, (size_t)len - 4))
		return TFE_DR_LINK_TRUNCATED;
	return link_80211(c, net);
}

/*
 * Linux NFLOG (pcap-linktype(7), LINKTYPE_NFLOG): family, version 0,
 * resource id, then TLVs, each a length (counting its 4-byte header) and
 * a type, in the capturing host's byte order, which libpcap has turned
 * into ours; each padded to 4 bytes.  The packet is the NFULA_PAYLOAD
 * TLV's value, an IP packet of the header's family.
 */
static enum tfe_decode_reason
link_nflog(struct tfe_cursor *c, struct link_out *net)
{
	uint8_t family, version;

	if (!tfe_cursor_u8(c, &family) || !tfe_cursor_u8(c, &version) ||
	    !tfe_cursor_skip(c, 2))
		return TFE_DR_LINK_TRUNCATED;
	if (version != 0)
		return TFE_DR_LINK_BAD_HEADER;
	for (;;) {
		uint16_t len, type;
		if (!tfe_cursor_copy(c, &len, 2) || !tfe_cursor_copy(c, &type, 2))
			return TFE_DR_LINK_TRUNCATED;
		if (len < 4)
			return TFE_DR_LINK_BAD_HEADER;
		if (type == NFULA_PAYLOAD)
			break;
		if (!tfe_cursor_skip(c, ((size_t)len + 3) / 4 * 4 - 4))
			return TFE_DR_LINK_TRUNCATED;
	}
	/* AF_INET is 2, AF_INET6 is 10 on Linux; else by the version */
	net->kind = family == NULL_AF_INET ? NET_IPV4 :
	       family == NULL_AF_INET6_LINUX ? NET_IPV6 : NET_BY_VERSION;
	return TFE_DR_OK;
}

/* An address family as the BSDs and Linux number it (DLT_NULL, pflog):
 * IPv4, IPv6, or NET_BY_VERSION for any other. */
static enum net_kind
net_of_family(uint32_t af)
{
	switch (af) {
	case NULL_AF_INET:
		return NET_IPV4;
	case NULL_AF_INET6_LINUX:
	case NULL_AF_INET6_BSD:
	case NULL_AF_INET6_FBSD:
	case NULL_AF_INET6_MAC:
		return NET_IPV6;
	default:
		return NET_BY_VERSION;
	}
}

/*
 * DLT_NULL stores the family in the byte order of the host that captured,
 * which we cannot know; DLT_LOOP always uses network order.  Every family
 * value is small, so a value with its low 16 bits zero (as read big-endian)
 * was written little-endian and is swapped back.
 */
static enum tfe_decode_reason
link_null(struct tfe_cursor *c, bool network_order, struct link_out *net)
{
	uint32_t af;

	if (!tfe_cursor_be32(c, &af))
		return TFE_DR_LINK_TRUNCATED;
	if (!network_order && (af & 0xffffu) == 0)
		af = ((af >> 24) & 0xffu) | ((af >> 8) & 0xff00u);
	net->kind = net_of_family(af);
	return net->kind == NET_BY_VERSION ? TFE_DR_NOT_IP : TFE_DR_OK;
}

/* A link type whose frames are LLC/SNAP from their first byte on (ATM),
 * or after a header of their own (FDDI, Token Ring, ...). */
static enum tfe_decode_reason
link_llc(struct tfe_cursor *c, struct link_out *net)
{
	uint16_t type;
	enum tfe_decode_reason r = llc_snap(c, net, &type);

	if (r != TFE_DR_OK)
		return r;
	return link_ethertype(c, type, 1, net);
}

/*
 * OpenBSD pf's log (pflog(4), LINKTYPE_PFLOG): a header whose first byte
 * is its length (45 bytes at least, 61 today), padded to a multiple of 4,
 * its second the address family; then the IP packet the rule matched.
 */
static enum tfe_decode_reason
link_pflog(struct tfe_cursor *c, struct link_out *net)
{
	uint8_t len, af;

	if (!tfe_cursor_u8(c, &len) || !tfe_cursor_u8(c, &af))
		return TFE_DR_LINK_TRUNCATED;
	if (len < PFLOG_MIN_HDR)
		return TFE_DR_LINK_BAD_HEADER;
	if (!tfe_cursor_skip(c, ((size_t)len + 3) / 4 * 4 - 2))
		return TFE_DR_LINK_TRUNCATED;
	net->kind = net_of_family(af);
	return TFE_DR_OK;
}

/*
 * Frame Relay (LINKTYPE_FRELAY): a Q.922 address of 2 to 4 bytes, the
 * last with its EA bit set; then either RFC 2427's UI control byte, an
 * optional pad byte and an NLPID (0xCC IPv4, 0x8E IPv6, 0x80 SNAP: an OUI
 * and a protocol, an Ethernet type under OUI 0), or, as Cisco routers
 * send it, an Ethernet type.
 */
static enum tfe_decode_reason
link_frelay(struct tfe_cursor *c, struct link_out *net)
{
	uint8_t b;
	uint16_t type;
	unsigned n = 0;

	do {
		if (!tfe_cursor_u8(c, &b))
			return TFE_DR_LINK_TRUNCATED;
		if (++n == 1 && (b & 1))
			return TFE_DR_LINK_BAD_HEADER;
		if (n > 4)
			return TFE_DR_LINK_BAD_HEADER;
	} while (!(b & 1));
	struct tfe_cursor peek = *c;
	if (!tfe_cursor_u8(&peek, &b))
		return TFE_DR_LINK_TRUNCATED;
	if (b != FR_UI) {
		if (!tfe_cursor_be16(c, &type))
			return TFE_DR_LINK_TRUNCATED;
		return link_ethertype(c, type, 1, net);
	}
	*c = peek;
	if (!tfe_cursor_u8(c, &b))
		return TFE_DR_LINK_TRUNCATED;
	if (b == 0 && !tfe_cursor_u8(c, &b))
		return TFE_DR_LINK_TRUNCATED;
	switch (b) {
	case NLPID_IPV4:
		net->kind = NET_IPV4;
		return TFE_DR_OK;
	case NLPID_IPV6:
		net->kind = NET_IPV6;
		return TFE_DR_OK;
	case NLPID_SNAP: {
		uint8_t oui[3];
		if (!tfe_cursor_copy(c, oui, 3) || !tfe_cursor_be16(c, &type))
			return TFE_DR_LINK_TRUNCATED;
		if (oui[0] != 0 || oui[1] != 0 || oui[2] != 0)
			return TFE_DR_NOT_IP; /* bridged frames, ... */
		return link_ethertype(c, type, 1, net);
	}
	default: /* Q.933 signalling, CLNP, ... */
		return TFE_DR_NOT_IP;
	}
}

/*
 * IEEE 802.5 Token Ring (LINKTYPE_IEEE802_5): access and frame control,
 * the addresses; a source address with its top bit set is followed by
 * routing information whose length is in the low 5 bits of its first
 * byte; then LLC.
 */
static enum tfe_decode_reason
link_token(struct tfe_cursor *c, struct link_out *net)
{
	uint8_t src0, rif;

	if (!tfe_cursor_skip(c, 8) || !tfe_cursor_u8(c, &src0) ||
	    !tfe_cursor_skip(c, 5))
		return TFE_DR_LINK_TRUNCATED;
	if (src0 & 0x80) {
		struct tfe_cursor peek = *c;
		if (!tfe_cursor_u8(&peek, &rif))
			return TFE_DR_LINK_TRUNCATED;
		if ((rif & 0x1f) < 2)
			return TFE_DR_LINK_BAD_HEADER;
		if (!tfe_cursor_skip(c, rif & 0x1f))
			return TFE_DR_LINK_TRUNCATED;
	}
	return link_llc(c, net);
}

static enum tfe_decode_reason decode_link(enum link_kind kind,
                                          struct tfe_cursor *c,
                                          struct link_out *net);
static COLD enum tfe_decode_reason decode_link_more(enum link_kind kind,
                                                   struct tfe_cursor *c,
                                                   struct link_out *net);

/*
 * A header that names the link type of the frame after it: PPI (its
 * length and link type little-endian at bytes 2 and 4) and Apple's pktap
 * (length at 0, record type at 4, link type at 8, all little-endian).
 * The frame inside is decoded as its link type says, unless that is one
 * of these again.
 */
static enum tfe_decode_reason
link_wrapped(struct tfe_cursor *c, bool pktap, struct link_out *net)
{
	uint32_t len, dlt;
	uint8_t h[12];

	if (!tfe_cursor_copy(c, h, pktap ? 12 : 8))
		return TFE_DR_LINK_TRUNCATED;
	if (pktap) {
		len = tfe_load_le32(h);
		dlt = tfe_load_le32(h + 8);
		if (len < PKTAP_MIN_HDR || tfe_load_le32(h + 4) != PKTAP_PACKET)
			return TFE_DR_LINK_BAD_HEADER;
	} else {
		len = (uint32_t)(h[2] | h[3] << 8);
		dlt = tfe_load_le32(h + 4);
		if (h[0] != 0 || len < PPI_MIN_HDR)
			return TFE_DR_LINK_BAD_HEADER;
	}
	/* the length counts the bytes read so far */
	if (!tfe_cursor_skip(c, len - (pktap ? 12 : 8)))
		return TFE_DR_LINK_TRUNCATED;
	enum link_kind inner = dlt > INT32_MAX ? LINK_NONE :
	                       link_kind_of((int)dlt);
	if (inner == LINK_PPI || inner == LINK_PKTAP || inner == LINK_NONE)
		return TFE_DR_LINK_PAYLOAD;
	return decode_link(inner, c, net);
}

/* A fixed header of `skip` bytes, then a 2-byte Ethernet type: Marvell's
 * DSA and EDSA tags (after the addresses), IP over IEEE 1394 (after two
 * EUI-64 addresses). */
static enum tfe_decode_reason
link_skip_type(struct tfe_cursor *c, size_t skip, struct link_out *net)
{
	uint16_t type;

	if (!tfe_cursor_skip(c, skip) || !tfe_cursor_be16(c, &type))
		return TFE_DR_LINK_TRUNCATED;
	return link_ethertype(c, type, 1, net);
}

/* Peels the link header and says which network layer follows. */
static enum tfe_decode_reason
decode_link(enum link_kind kind, struct tfe_cursor *c, struct link_out *net)
{
	uint16_t type;

	switch (kind) {
	case LINK_ETHERNET:
		return link_ethernet(c, net);
	case LINK_SLL:
		if (!tfe_cursor_skip(c, SLL_HDR_LEN - 2) ||
		    !tfe_cursor_be16(c, &type))
			return TFE_DR_LINK_TRUNCATED;
		return net_of_ethertype(type, net);
	case LINK_SLL2:
		if (!tfe_cursor_be16(c, &type) ||
		    !tfe_cursor_skip(c, SLL2_HDR_LEN - 2))
			return TFE_DR_LINK_TRUNCATED;
		return net_of_ethertype(type, net);
	case LINK_NULL:
		return link_null(c, false, net);
	case LINK_LOOP:
		return link_null(c, true, net);
	case LINK_RAW:
		net->kind = NET_BY_VERSION;
		return TFE_DR_OK;
	case LINK_IPV4:
		net->kind = NET_IPV4;
		return TFE_DR_OK;
	case LINK_IPV6:
		net->kind = NET_IPV6;
		return TFE_DR_OK;
	case LINK_PPP:
		return link_ppp(c, 0, net);
	case LINK_PPP_ETHER:
		return link_pppoe(c, 0, net);
	case LINK_CHDLC:
		net->layers |= LAYER(TFE_LAYER_CHDLC);
		if (!tfe_cursor_skip(c, 2) || !tfe_cursor_be16(c, &type))
			return TFE_DR_LINK_TRUNCATED;
		return link_more(c, type, 0, net);
	case LINK_IPOIB:
		if (!tfe_cursor_be16(c, &type) || !tfe_cursor_skip(c, 2))
			return TFE_DR_LINK_TRUNCATED;
		return link_more(c, type, 0, net);
	case LINK_NFLOG:
		return link_nflog(c, net);
	case LINK_80211:
		return link_80211(c, net);
	case LINK_RADIOTAP:
		return link_radiotap(c, net);
	default:
		return decode_link_more(kind, c, net);
	}
}

/*
 * ARCNET (ATA 878.1): source and destination station IDs, in Linux's
 * capture a 2-byte offset, then the system code.  RFC 1051's codes and
 * the diagnostic one are followed by the packet; the others by RFC 1201's
 * split flag and a 2-byte sequence number.  A BSD capture holds the raw
 * frames: an exception packet (split flag 0xff) has 2 bytes of padding,
 * then the system code, the real split flag and the sequence number
 * again, and a flag other than 0 marks one piece of a packet split
 * across frames, counted and not reassembled.  Linux hands over whole
 * packets.  IP is code 212 (RFC 1201) or 240 (RFC 1051), IPv6 196
 * (RFC 2497); ARP and the rest carry no TCP.
 */
#define ARC_IP_1051         240
#define ARC_ARP_1051        241
#define ARC_DIAGNOSE        0x80
#define ARC_IP              212
#define ARC_IPV6            196
#define ARC_SPLIT_EXCEPTION 0xff

static enum tfe_decode_reason
link_arcnet(struct tfe_cursor *c, bool linux_hdr, struct link_out *net)
{
	uint8_t code, flag;

	if (!tfe_cursor_skip(c, linux_hdr ? 4 : 2) || !tfe_cursor_u8(c, &code))
		return TFE_DR_LINK_TRUNCATED;
	if (code != ARC_IP_1051 && code != ARC_ARP_1051 &&
	    code != ARC_DIAGNOSE) {
		if (!tfe_cursor_u8(c, &flag) || !tfe_cursor_skip(c, 2))
			return TFE_DR_LINK_TRUNCATED;
		if (!linux_hdr && flag == ARC_SPLIT_EXCEPTION &&
		    (!tfe_cursor_skip(c, 1) || !tfe_cursor_u8(c, &flag) ||
		     !tfe_cursor_skip(c, 2)))
			return TFE_DR_LINK_TRUNCATED;
		if (!linux_hdr && flag != 0)
			return TFE_DR_LINK_FRAGMENT;
	}
	if (code == ARC_IP || code == ARC_IP_1051)
		net->kind = NET_IPV4;
	else if (code == ARC_IPV6)
		net->kind = NET_IPV6;
	else
		return TFE_DR_NOT_IP;
	return TFE_DR_OK;
}

/*
 * What Junos writes (monitor traffic ... write-file) on an Ethernet or a
 * PPPoE interface: the magic "MGC", a flags byte, and when its extension
 * bit is set a 2-byte length of TLVs (interface index, name, unit) that
 * follow; then the Ethernet frame, or, when the flags say the layer 2
 * header was stripped, a 4-byte protocol in the router's byte order and
 * the IP packet, told by its version.  Older Junos releases wrote no
 * magic: such a frame is not read (tcpdump stops there too; Wireshark
 * reads an Ethernet frame from its first byte).
 */
#define JUNIPER_MAGIC       0x4d4743
#define JUNIPER_FLAG_NO_L2  0x02
#define JUNIPER_FLAG_EXT    0x80

static enum tfe_decode_reason
link_juniper(struct tfe_cursor *c, struct link_out *net)
{
	uint32_t head;
	uint16_t ext;

	if (!tfe_cursor_be32(c, &head))
		return TFE_DR_LINK_TRUNCATED;
	if (head >> 8 != JUNIPER_MAGIC)
		return TFE_DR_LINK_BAD_HEADER;
	if ((head & JUNIPER_FLAG_EXT) &&
	    (!tfe_cursor_be16(c, &ext) || !tfe_cursor_skip(c, ext)))
		return TFE_DR_LINK_TRUNCATED;
	if (head & JUNIPER_FLAG_NO_L2) {
		if (!tfe_cursor_skip(c, 4))
			return TFE_DR_LINK_TRUNCATED;
		net->kind = NET_BY_VERSION;
		return TFE_DR_OK;
	}
	return link_ethernet(c, net);
}

/* The rarer link types of link_kind_more(). */
static COLD enum tfe_decode_reason
decode_link_more(enum link_kind kind, struct tfe_cursor *c,
                 struct link_out *net)
{
	uint8_t b;
	uint32_t len;

	switch (kind) {
	case LINK_PFLOG:
		return link_pflog(c, net);
	case LINK_ENC: /* family in the capturing host's order: by version */
		if (!tfe_cursor_skip(c, ENC_HDR_LEN))
			return TFE_DR_LINK_TRUNCATED;
		net->kind = NET_BY_VERSION;
		return TFE_DR_OK;
	case LINK_SLIP: {
		/* direction and a copy of a compressed header, then IP; a
		 * Van Jacobson compressed TCP header is not IP */
		struct tfe_cursor peek = *c;
		if (!tfe_cursor_skip(&peek, SLIP_HDR_LEN) ||
		    !tfe_cursor_u8(&peek, &b))
			return TFE_DR_LINK_TRUNCATED;
		if (b >> 4 != 4 && b >> 4 != 6)
			return TFE_DR_LINK_PAYLOAD;
		(void)tfe_cursor_skip(c, SLIP_HDR_LEN);
		net->kind = NET_BY_VERSION;
		return TFE_DR_OK;
	}
	case LINK_IPNET:
		if (!tfe_cursor_skip(c, 1) || !tfe_cursor_u8(c, &b) ||
		    !tfe_cursor_skip(c, IPNET_HDR_LEN - 2))
			return TFE_DR_LINK_TRUNCATED;
		/* Solaris numbers AF_INET6 26 */
		net->kind = b == IPNET_AF_INET6 ? NET_IPV6 : net_of_family(b);
		return TFE_DR_OK;
	case LINK_PPI:
	case LINK_PKTAP:
		return link_wrapped(c, kind == LINK_PKTAP, net);
	case LINK_NETANALYZER:
	case LINK_NETANALYZER_T:
		if (!tfe_cursor_skip(c, kind == LINK_NETANALYZER ? 4 : 4 + 8))
			return TFE_DR_LINK_TRUNCATED;
		return link_ethernet(c, net);
	case LINK_FRELAY:
		return link_frelay(c, net);
	case LINK_FDDI: /* frame control, then the addresses */
		if (!tfe_cursor_u8(c, &b) || !tfe_cursor_skip(c, 12))
			return TFE_DR_LINK_TRUNCATED;
		if ((b & 0x70) != FDDI_FC_LLC)
			return TFE_DR_NOT_IP; /* SMT, MAC, token frames */
		return link_llc(c, net);
	case LINK_TOKEN:
		return link_token(c, net);
	case LINK_ATM_LLC:
		return link_llc(c, net);
	case LINK_SUNATM: /* traffic type in the low nibble, VPI, VCI */
		if (!tfe_cursor_u8(c, &b) || !tfe_cursor_skip(c, 3))
			return TFE_DR_LINK_TRUNCATED;
		if ((b & 0x0f) == SUNATM_LANE) {
			/* LAN emulation: a 2-byte LEC ID, then Ethernet */
			if (!tfe_cursor_skip(c, 2))
				return TFE_DR_LINK_TRUNCATED;
			return link_ethernet(c, net);
		}
		return link_llc(c, net);
	case LINK_IPFC:
		if (!tfe_cursor_skip(c, IPFC_HDR_LEN))
			return TFE_DR_LINK_TRUNCATED;
		return link_llc(c, net);
	case LINK_1394:
		return link_skip_type(c, 16, net);
	case LINK_MPLS:
		return link_mpls(c, 0, net);
	case LINK_PRISM:
	case LINK_AVS: {
		/* AVS: a version (its magic), then its length, big-endian,
		 * 8 at least; a Prism header is 144 bytes, or an AVS one in
		 * its place, told by the magic */
		struct tfe_cursor peek = *c;
		if (!tfe_cursor_be32(&peek, &len))
			return TFE_DR_LINK_TRUNCATED;
		if (kind == LINK_AVS || len == AVS_MAGIC_V1 ||
		    len == AVS_MAGIC_V2) {
			if (!tfe_cursor_be32(&peek, &len))
				return TFE_DR_LINK_TRUNCATED;
			if (len < 8)
				return TFE_DR_LINK_BAD_HEADER;
		} else {
			len = PRISM_HDR_LEN;
		}
		if (!tfe_cursor_skip(c, len))
			return TFE_DR_LINK_TRUNCATED;
		return link_80211(c, net);
	}
	case LINK_DSA:
	case LINK_EDSA:
		return link_skip_type(c, kind == LINK_DSA ? 12 + 4 : 12 + 8,
		                      net);
	case LINK_ARCNET:
	case LINK_ARCNET_LINUX:
		return link_arcnet(c, kind == LINK_ARCNET_LINUX, net);
	case LINK_JUNIPER_ETHER:
		return link_juniper(c, net);
	case LINK_SYMANTEC: { /* 6 bytes, the type, 36 bytes */
		uint16_t type;
		if (!tfe_cursor_skip(c, 6) || !tfe_cursor_be16(c, &type) ||
		    !tfe_cursor_skip(c, 36))
			return TFE_DR_LINK_TRUNCATED;
		return link_ethertype(c, type, 1, net);
	}
	default:
		break;
	}
	return TFE_DR_LINKTYPE;
}

/*
 * The Internet checksum (RFC 1071): the ones' complement sum of 16-bit
 * big-endian words, an odd last byte padded with zero.
 *
 * csum_words() adds 32-bit words in the machine's byte order into a
 * 64-bit accumulator, four at a time: the ones' complement sum does not
 * depend on byte order (RFC 1071 §2 B) nor on the word size, so long as
 * the carries are added back in, which csum_fold() does once at the end
 * (2^32 additions would be needed to overflow 64 bits: no capture holds a
 * segment that long).  `p` must start on a 16-bit word of the message.
 */
static ALWAYS_INLINE uint64_t
csum_words(uint64_t sum, const uint8_t *p, size_t n)
{
	uint32_t a, b, c, d;

	for (; n >= 16; p += 16, n -= 16) {
		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		memcpy(&c, p + 8, 4);
		memcpy(&d, p + 12, 4);
		sum += (uint64_t)a + b + ((uint64_t)c + d);
	}
	if (n >= 8) {
		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		sum += (uint64_t)a + b;
		p += 8;
		n -= 8;
	}
	if (n >= 4) {
		memcpy(&a, p, 4);
		sum += a;
		p += 4;
		n -= 4;
	}
	if (n >= 2) {
		uint16_t w16;
		memcpy(&w16, p, 2);
		sum += w16;
		p += 2;
		n -= 2;
	}
	if (n == 1) {
		uint8_t last[2] = { p[0], 0 };
		uint16_t w16;
		memcpy(&w16, last, 2);
		sum += w16;
	}
	return sum;
}

/* A big-endian 16-bit word as csum_words() would have read it. */
static ALWAYS_INLINE uint64_t
csum_be16(uint16_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (uint16_t)((v >> 8) | (v << 8));
#else
	return v;
#endif
}

/* Folds the accumulator to 16 bits, carries added back in, and returns it
 * in network order as a number: a message whose checksum field is right
 * sums to 0xffff.  Only an all-zero message folds to 0. */
static ALWAYS_INLINE uint32_t
csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)csum_be16((uint16_t)sum);
}

/* Whether the IPv4 header `hdr` of `hlen` bytes, all captured, has a
 * right checksum (RFC 791 §3.1). */
static ALWAYS_INLINE bool
ipv4_csum_ok(const uint8_t *hdr, size_t hlen)
{
	return csum_fold(csum_words(0, hdr, hlen)) == 0xffff;
}

/* What an IP header says comes after it. */
struct ip_next {
	uint8_t proto;  /* TCP, or one that may carry a tunnel */
	bool fragment;  /* the packet is the first fragment of a larger one */
	size_t len;     /* bytes of the upper layer the IP header declares
	                   (header plus payload; may exceed the capture) */
};

/* Where a fragment is described for reassembly (NULL: it is not, and a
 * fragment is handled as tfe_decode_frame() always has). */
struct frag_ctx {
	struct tfe_fragment *f;
	const uint8_t *base;    /* the frame or datagram offsets count from */
	unsigned level;         /* tunnels opened before the IP header */
};

/* The IP protocols that can lead to TCP through a tunnel; UDP only on a
 * tunnel port, which the caller finds out. */
static bool
tunnel_proto(uint8_t proto)
{
	return proto == IPPROTO_NUM_UDP || proto == IPPROTO_NUM_GRE ||
	       proto == IPPROTO_NUM_IPIP || proto == IPPROTO_NUM_IPV6;
}

static enum tfe_tunnel_kind tunnel_of_port(uint16_t port);

/*
 * Describes a fragment for reassembly in fc->f.  `hdr` is its IP header,
 * `hdr_len` the unfragmentable part, `nh_byte` (IPv6) the byte naming the
 * fragment header, and the cursor `c` is at the fragment data, `len`
 * bytes as declared.  The first fragment of a UDP datagram shows its
 * ports: on no tunnel port, the datagram cannot lead to TCP.
 */
static void
frag_describe(const struct frag_ctx *fc, const struct tfe_segment *out,
              const uint8_t *hdr, size_t hdr_len, const uint8_t *nh_byte,
              const struct tfe_cursor *c, size_t len, uint32_t id,
              uint32_t offset, bool more, uint8_t proto)
{
	struct tfe_fragment *f = fc->f;

	memset(f, 0, sizeof *f);
	f->family = out->family;
	f->level = (uint8_t)fc->level;
	f->proto = proto;
	f->more = more;
	f->ip_csum_bad = out->ip_csum_bad;
	f->id = id;
	f->offset = offset;
	f->len = (uint32_t)len;
	f->data_at = (uint32_t)(c->p - fc->base);
	f->captured = (uint32_t)(c->left < len ? c->left : len);
	f->hdr_at = (uint32_t)(hdr - fc->base);
	f->hdr_len = (uint32_t)hdr_len;
	f->nh_at = nh_byte != NULL ? (uint32_t)(nh_byte - hdr) : 0;
	memcpy(f->src, out->src, sizeof f->src);
	memcpy(f->dst, out->dst, sizeof f->dst);
	f->tunnel = out->tunnel;
	if (offset == 0 && proto == IPPROTO_NUM_UDP && f->captured >= 4) {
		uint16_t sport = tfe_load_be16(c->p);
		uint16_t dport = tfe_load_be16(c->p + 2);
		f->discard = tunnel_of_port(dport) == TFE_TUN_NONE &&
		             tunnel_of_port(sport) == TFE_TUN_NONE;
	}
}

/*
 * IPv4 (RFC 791 §3.1).  On success the cursor is at the upper-layer
 * header, which is TCP or may be a tunnel, and `next` says which and how
 * long it is.
 */
static enum tfe_decode_reason
decode_ipv4(struct tfe_cursor *c, size_t wire_left, struct tfe_segment *out,
            struct ip_next *next, const struct frag_ctx *fc)
{
	const uint8_t *hdr = c->p;
	size_t hdr_captured = c->left;

	/* The fixed part in one bounds check: version and IHL, TOS, total
	 * length, ID, flags and fragment offset, TTL, protocol, checksum,
	 * addresses. */
	if (!tfe_cursor_skip(c, IPV4_MIN_HDR))
		return TFE_DR_IPV4_TRUNCATED;
	uint8_t ver_ihl = hdr[0];
	uint16_t total_len = tfe_load_be16(hdr + 2);
	uint16_t id = tfe_load_be16(hdr + 4);
	uint16_t frag = tfe_load_be16(hdr + 6);
	uint8_t ttl = hdr[8];
	uint8_t proto = hdr[9];
	memcpy(out->src, hdr + 12, 4);
	memcpy(out->dst, hdr + 16, 4);

	if (ver_ihl >> 4 != 4)
		return TFE_DR_IP_BAD_VERSION;
	size_t hlen = (size_t)(ver_ihl & 0x0f) * 4;
	if (hlen < IPV4_MIN_HDR)
		return TFE_DR_IPV4_BAD_IHL;

	/*
	 * A total length of 0 is what a sender's own capture shows for a
	 * segmentation-offload (TSO/GSO) super-packet: the NIC fills it in
	 * later.  Take the wire length then, as Wireshark does (and tcpdump
	 * when built with GUESS_TSO), rather than call the packet malformed.
	 */
	size_t ip_len = total_len != 0 ? total_len : wire_left;
	if (ip_len < hlen || ip_len > wire_left)
		return TFE_DR_IPV4_BAD_LENGTH;

	/* Options (RFC 791 §3.1 "Options") are skipped whole. */
	if (!tfe_cursor_skip(c, hlen - IPV4_MIN_HDR))
		return TFE_DR_IPV4_TRUNCATED;
	/* The header checksum covers the header alone (RFC 791 §3.1). */
	if (hdr_captured >= hlen && !ipv4_csum_ok(hdr, hlen))
		out->ip_csum_bad = true;

	/*
	 * The protocol field is valid in every fragment, so a fragment of
	 * something other than TCP is reported as not TCP, and only fragments
	 * that may hold TCP (directly or in a tunnel) count as fragments we
	 * could not follow.  A later fragment of UDP cannot show its ports,
	 * so it stays "not tcp" even if it belonged to a tunnel.
	 */
	uint16_t offset = frag & 0x1fff; /* in 8-byte units */
	bool more_frags = (frag & 0x2000) != 0;
	if (proto != IPPROTO_NUM_TCP && !tunnel_proto(proto) &&
	    (proto != IPPROTO_NUM_ICMP || offset != 0 || more_frags))
		return TFE_DR_NOT_TCP; /* an ICMP error is never fragmented */
	if (fc != NULL && (offset != 0 || more_frags)) {
		out->family = 4;
		frag_describe(fc, out, hdr, hlen, NULL, c, ip_len - hlen, id,
		              (uint32_t)offset * 8, more_frags, proto);
		return TFE_DR_IPV4_FRAGMENT;
	}
	if (offset != 0)
		return proto == IPPROTO_NUM_UDP ? TFE_DR_NOT_TCP :
		                                  TFE_DR_IPV4_FRAGMENT;

	out->family = 4;
	out->ttl = ttl;
	out->has_ip_id = true;
	out->ip_id = id;
	out->ip_first_fragment = more_frags;
	next->proto = proto;
	next->fragment = more_frags;
	next->len = ip_len - hlen;
	return TFE_DR_OK;
}

/* The extension headers with the generic (next, length in 8-octet units)
 * layout of RFC 8200 §4.3-4.6 (and RFC 6275 mobility, 7401 HIP, 5533). */
static bool
ext_generic(uint8_t nh)
{
	return nh == IPPROTO_NUM_HOPOPTS || nh == IPPROTO_NUM_ROUTING ||
	       nh == IPPROTO_NUM_DSTOPTS || nh == IPPROTO_NUM_MOBILITY ||
	       nh == IPPROTO_NUM_HIP || nh == IPPROTO_NUM_SHIM6;
}

/*
 * IPv6 (RFC 8200 §3) and its extension header chain (§4).  Each extension
 * header must fit in both the declared payload (else the length lies:
 * MALFORMED) and the capture (else TRUNCATED); `declared` tracks the
 * first, the cursor the second.  `wire_left` is at least the 40 bytes of
 * the fixed header (the caller sees to it).
 */
static enum tfe_decode_reason
decode_ipv6(struct tfe_cursor *c, size_t wire_left, struct tfe_segment *out,
            struct ip_next *next_out, const struct frag_ctx *fc)
{
	const uint8_t *hdr = c->p;
	const uint8_t *nh_byte = hdr + 6; /* names the header after it */
	uint32_t vtf;
	uint16_t plen;
	uint8_t nh, hop;

	if (!tfe_cursor_be32(c, &vtf) || !tfe_cursor_be16(c, &plen) ||
	    !tfe_cursor_u8(c, &nh) || !tfe_cursor_u8(c, &hop) ||
	    !tfe_cursor_copy(c, out->src, 16) ||
	    !tfe_cursor_copy(c, out->dst, 16))
		return TFE_DR_IPV6_TRUNCATED;
	if (vtf >> 28 != 6)
		return TFE_DR_IP_BAD_VERSION;

	size_t wire_payload = wire_left - IPV6_HDR_LEN;
	/*
	 * A payload length of 0 with something after the header is a
	 * jumbogram (RFC 2675) or, far more often, a sender's own capture of
	 * a GSO/BIG TCP super-packet whose length the stack never filled in.
	 * Either way the wire length is the best length there is, as with
	 * IPv4 total length 0.
	 */
	size_t declared = plen;
	if (plen == 0 && nh != IPPROTO_NUM_NONE)
		declared = wire_payload;
	if (declared > wire_payload)
		return TFE_DR_IPV6_BAD_LENGTH;

	bool first_fragment = false, more_fragments = false;
	for (unsigned n = 0; nh != IPPROTO_NUM_TCP; n++) {
		uint8_t next, len8;
		size_t hlen;

		/* Nothing follows "no next header", and ESP (RFC 4303)
		 * encrypts whatever does: neither can lead to TCP we see. */
		if (nh == IPPROTO_NUM_NONE || nh == IPPROTO_NUM_ESP)
			return TFE_DR_NOT_TCP;
		if (!ext_generic(nh) && nh != IPPROTO_NUM_FRAGMENT &&
		    nh != IPPROTO_NUM_AH) {
			if (tunnel_proto(nh) || nh == IPPROTO_NUM_ICMPV6)
				break;         /* the caller looks inside */
			return TFE_DR_NOT_TCP; /* UDP, ... */
		}
		if (n == MAX_IPV6_EXT)
			return TFE_DR_IPV6_EXT_LOOP;

		/* All extension headers start with next header, then a
		 * byte that is a length or (fragment) reserved. */
		struct tfe_cursor peek = *c;
		if (!tfe_cursor_u8(&peek, &next) || !tfe_cursor_u8(&peek, &len8))
			return TFE_DR_IPV6_TRUNCATED;
		if (nh == IPPROTO_NUM_FRAGMENT)
			hlen = 8;                           /* RFC 8200 §4.5 */
		else if (nh == IPPROTO_NUM_AH)
			hlen = ((size_t)len8 + 2) * 4;      /* RFC 4302 §2.2 */
		else
			hlen = ((size_t)len8 + 1) * 8;      /* RFC 8200 §4.3 */
		if (hlen > declared)
			return TFE_DR_IPV6_BAD_LENGTH;

		if (nh == IPPROTO_NUM_FRAGMENT) {
			uint16_t offlg;
			uint32_t id;
			if (!tfe_cursor_be16(&peek, &offlg) ||
			    !tfe_cursor_be32(&peek, &id))
				return TFE_DR_IPV6_TRUNCATED;
			if (fc != NULL && (offlg & 0xfff9) != 0 &&
			    (next == IPPROTO_NUM_TCP || ext_generic(next) ||
			     next == IPPROTO_NUM_AH || tunnel_proto(next))) {
				/* for reassembly: offset in bytes (the low 3
				 * bits are reserved and M) */
				out->family = 6;
				(void)tfe_cursor_skip(c, hlen); /* in peek */
				frag_describe(fc, out, hdr,
				              (size_t)(c->p - hdr) - hlen, nh_byte,
				              c, declared - hlen, id,
				              offlg & 0xfff8u, (offlg & 1) != 0,
				              next);
				return TFE_DR_IPV6_FRAGMENT;
			}
			/*
			 * A non-first fragment's next header names the first
			 * header of the fragmentable part; only call it a
			 * fragment we lost if that could lead to TCP.
			 */
			if ((offlg >> 3) != 0) {
				if (next == IPPROTO_NUM_TCP || ext_generic(next) ||
				    next == IPPROTO_NUM_AH ||
				    (tunnel_proto(next) &&
				     next != IPPROTO_NUM_UDP))
					return TFE_DR_IPV6_FRAGMENT;
				return TFE_DR_NOT_TCP;
			}
			first_fragment = true;
			/* M flag: without it the "fragment" is the whole
			 * packet (an atomic fragment, RFC 6946). */
			if (offlg & 1)
				more_fragments = true;
		}
		nh_byte = c->p;
		if (!tfe_cursor_skip(c, hlen))
			return TFE_DR_IPV6_TRUNCATED;
		declared -= hlen;
		nh = next;
	}

	out->family = 6;
	out->ttl = hop;
	out->has_ip_id = false;
	out->ip_id = 0;
	out->ip_first_fragment = first_fragment;
	next_out->proto = nh;
	next_out->fragment = more_fragments;
	next_out->len = declared;
	return TFE_DR_OK;
}

/*
 * The two layouts nearly every segment of a Linux or BSD peer carries,
 * read at fixed offsets: NOP, NOP, timestamps on data and ACKs; and MSS,
 * SACK permitted, timestamps, NOP, window scale on a SYN or SYN+ACK.
 * `p` and `n` are the whole options area.  Their kinds and lengths are
 * all right by construction; false for anything else, which
 * decode_tcp_options() parses (giving the same fields for these two).
 */
static ALWAYS_INLINE bool
tcp_option_layouts(const uint8_t *p, size_t n, struct tfe_segment *out)
{
	if (n == 12 && tfe_load_be32(p) == 0x0101080a) {
		out->ts_val = tfe_load_be32(p + 4);
		out->ts_ecr = tfe_load_be32(p + 8);
		out->opt_mask |= TFE_OPT_TS;
		return true;
	}
	if (n == 20 && tfe_load_be32(p) >> 16 == 0x0204 &&
	    tfe_load_be32(p + 4) == 0x0402080a &&
	    tfe_load_be32(p + 16) >> 8 == 0x010303) {
		out->mss = tfe_load_be16(p + 2);
		out->ts_val = tfe_load_be32(p + 8);
		out->ts_ecr = tfe_load_be32(p + 12);
		out->wscale = p[19];
		out->opt_mask |= TFE_OPT_MSS | TFE_OPT_SACKOK | TFE_OPT_TS |
		                 TFE_OPT_WSCALE;
		return true;
	}
	return false;
}

/*
 * TCP options (RFC 9293 §3.1 "Options", §3.2).  `c` covers the options
 * area as captured; `hidden` is how many bytes of it the snapshot length
 * cut off (0 nearly always).  An option wholly captured is read; one that
 * the cut runs through ends the parse, leaving the segment valid.  A kind other than EOL and NOP carries a length byte that
 * counts itself and the kind; a length below 2 or running past the area
 * makes the whole segment MALFORMED, as does a wrong fixed length for an
 * option whose size the RFC fixes, because its value cannot be trusted.
 */
static ALWAYS_INLINE enum tfe_decode_reason
parse_tcp_options(struct tfe_cursor *c, size_t hidden,
                  struct tfe_segment *out)
{
	uint8_t kind, len;

	while (tfe_cursor_u8(c, &kind)) {
		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP)
			continue;
		if (!tfe_cursor_u8(c, &len))
			/* the capture stopped after the kind: no harm when
			 * the area goes on past it */
			return hidden > 0 ? TFE_DR_OK : TFE_DR_TCP_BAD_OPTION;
		if (len < 2)
			return TFE_DR_TCP_BAD_OPTION;
		size_t body = (size_t)len - 2;
		struct tfe_cursor o = tfe_cursor_sub(c, body);
		if (!tfe_cursor_skip(c, body))
			/* an option that fits the area but not the capture
			 * ends the parse, and is not read */
			return body <= c->left + hidden ? TFE_DR_OK
			                                : TFE_DR_TCP_BAD_OPTION;

		switch (kind) {
		case TCPOPT_MSS: /* RFC 9293 §3.2: kind 2, length 4 */
			if (len != 4 || !tfe_cursor_be16(&o, &out->mss))
				return TFE_DR_TCP_BAD_OPTION;
			out->opt_mask |= TFE_OPT_MSS;
			break;
		case TCPOPT_WSCALE: /* RFC 7323 §2.2: kind 3, length 3 */
			if (len != 3 || !tfe_cursor_u8(&o, &out->wscale))
				return TFE_DR_TCP_BAD_OPTION;
			out->opt_mask |= TFE_OPT_WSCALE;
			break;
		case TCPOPT_SACKOK: /* RFC 2018 §2: kind 4, length 2 */
			if (len != 2)
				return TFE_DR_TCP_BAD_OPTION;
			out->opt_mask |= TFE_OPT_SACKOK;
			break;
		case TCPOPT_SACK: { /* RFC 2018 §3: length 2 + 8n, n >= 1 */
			if (body == 0 || body % 8 != 0)
				return TFE_DR_TCP_BAD_OPTION;
			size_t n = body / 8; /* at most 4 in a 40-byte area */
			out->sack_count = (uint8_t)n;
			for (size_t i = 0; i < n && i < TFE_MAX_SACK_BLOCKS; i++) {
				if (!tfe_cursor_be32(&o, &out->sack[i][0]) ||
				    !tfe_cursor_be32(&o, &out->sack[i][1]))
					return TFE_DR_TCP_BAD_OPTION;
			}
			out->opt_mask |= TFE_OPT_SACK;
			break;
		}
		case TCPOPT_TIMESTAMP: /* RFC 7323 §3.2: kind 8, length 10 */
			if (len != 10 || !tfe_cursor_be32(&o, &out->ts_val) ||
			    !tfe_cursor_be32(&o, &out->ts_ecr))
				return TFE_DR_TCP_BAD_OPTION;
			out->opt_mask |= TFE_OPT_TS;
			break;
		case TCPOPT_TFO: /* RFC 7413 §4.1.1: cookie is length - 2 */
			out->tfo_cookie_len = (uint8_t)body;
			out->opt_mask |= TFE_OPT_TFO;
			break;
		case TCPOPT_EXP: {
			/* RFC 6994: a 16-bit experiment id follows the length;
			 * 0xF989 was Fast Open's before kind 34 existed. */
			uint16_t magic;
			if (tfe_cursor_be16(&o, &magic) &&
			    magic == TCPOPT_EXP_TFO_MAGIC) {
				out->tfo_cookie_len = (uint8_t)(body - 2);
				out->opt_mask |= TFE_OPT_TFO;
			} else {
				out->opt_mask |= TFE_OPT_OTHER;
			}
			break;
		}
		default:
			out->opt_mask |= TFE_OPT_OTHER;
			break;
		}
	}
	return TFE_DR_OK;
}

/* The options of a whole header: the parse above with nothing cut, so
 * that the compiler leaves out what only a cut needs. */
static enum tfe_decode_reason
decode_tcp_options(struct tfe_cursor *c, struct tfe_segment *out)
{
	return parse_tcp_options(c, 0, out);
}

/*
 * The rest of a TCP header whose options area the snapshot length cut
 * (`opts` holds what was captured of its `optlen` bytes): the fixed header
 * is all the connection's states need, so the segment is decoded, with
 * the options read as far as they were captured, opts_cut set, no payload
 * captured and the checksum unverified.  `hdr` and `captured` are the TCP
 * header and the bytes of it captured (20 or more, short of tcp_hlen).
 * Out of line: an uncut frame never comes here.
 */
static COLD enum tfe_decode_reason
decode_tcp_cut(const uint8_t *hdr, size_t captured, size_t tcp_len,
               struct tfe_segment *out)
{
	struct tfe_cursor opts;
	size_t hlen = out->tcp_hlen;

	/* the fixed header was captured, the options area was not all */
	tfe_cursor_init(&opts, hdr + TCP_MIN_HDR, captured - TCP_MIN_HDR);
	enum tfe_decode_reason r =
		parse_tcp_options(&opts, hlen - captured, out);
	if (r != TFE_DR_OK)
		return r;
	size_t payload = tcp_len - hlen;
	out->payload_len = (uint32_t)(payload > UINT32_MAX ? UINT32_MAX
	                                                   : payload);
	out->captured_payload = 0;
	out->opts_cut = true;
	return TFE_DR_OK;
}

#define FTP_PORT 21

/* The data connection a segment of an FTP control connection announces,
 * if any (ftp.h): out of line, few segments come here. */
static COLD void
ftp_look(const uint8_t *payload, struct tfe_segment *out)
{
	out->ftp = (uint8_t)tfe_ftp_announced(payload, out->captured_payload,
	                                      out->sport == FTP_PORT,
	                                      &out->ftp_data);
}

/*
 * TCP header (RFC 9293 §3.1).  `tcp_len` is the TCP length declared by the
 * IP layer; the cursor holds whatever was captured from the TCP header on
 * (possibly more: Ethernet padding, which tcp_len excludes).
 */
static ALWAYS_INLINE enum tfe_decode_reason
decode_tcp(struct tfe_cursor *c, size_t tcp_len, bool layouts,
           struct tfe_segment *out)
{
	const uint8_t *hdr = c->p;
	size_t captured = c->left;

	/* An IP length that leaves no room for the fixed header is the IP
	 * header lying, whatever was captured after it (Ethernet padding is
	 * not TCP): MALFORMED, not TRUNCATED. */
	if (tcp_len < TCP_MIN_HDR)
		return TFE_DR_TCP_BAD_OFFSET;
	/* The fixed part in one bounds check: ports, sequence and
	 * acknowledgment numbers, data offset and flags, window (then the
	 * checksum and urgent pointer, not needed). */
	if (!tfe_cursor_skip(c, TCP_MIN_HDR))
		return TFE_DR_TCP_TRUNCATED;
	out->sport = tfe_load_be16(hdr);
	out->dport = tfe_load_be16(hdr + 2);
	out->seq = tfe_load_be32(hdr + 4);
	out->ack = tfe_load_be32(hdr + 8);
	uint8_t off_ns = hdr[12];
	uint8_t flags = hdr[13];
	out->win = tfe_load_be16(hdr + 14);

	/* Data offset: header length in 32-bit words, 5..15. */
	size_t hlen = (size_t)(off_ns >> 4) * 4;
	if (hlen < TCP_MIN_HDR || hlen > tcp_len)
		return TFE_DR_TCP_BAD_OFFSET;
	out->tcp_hlen = (uint8_t)hlen;
	out->flags = (uint16_t)(((off_ns & 0x01u) << 8) | flags);

	size_t optlen = hlen - TCP_MIN_HDR;
	struct tfe_cursor opts = tfe_cursor_sub(c, optlen);
	if (!tfe_cursor_skip(c, optlen))
		return decode_tcp_cut(hdr, captured, tcp_len, out);
	/* `layouts` false: the loop alone, for the tests to compare */
	if (!layouts || !tcp_option_layouts(opts.p, opts.left, out)) {
		enum tfe_decode_reason r = decode_tcp_options(&opts, out);
		if (r != TFE_DR_OK)
			return r;
	}

	size_t payload = tcp_len - hlen;
	if (payload > UINT32_MAX)
		payload = UINT32_MAX;
	out->payload_len = (uint32_t)payload;
	out->captured_payload =
		(uint32_t)(c->left < payload ? c->left : payload);
	/* A bare ACK or FIN whose few payload bytes are zeros that fill its
	 * IPv4 datagram out to Ethernet's 46-byte minimum payload: padding
	 * that a driver or device counted in the IP length, when the
	 * sender's sequence numbers skip it (conn.c, padding_only()). */
	if (__builtin_expect(tcp_len <= ETHER_MIN_PAYLOAD - IPV4_MIN_HDR, 0) &&
	    payload > 0 && out->family == 4 &&
	    out->captured_payload == payload &&
	    (flags & ~(TFE_TH_FIN | TFE_TH_ECE | TFE_TH_CWR)) == TFE_TH_ACK) {
		static const uint8_t zeros[ETHER_MIN_PAYLOAD - IPV4_MIN_HDR -
		                           TCP_MIN_HDR];
		out->zero_pad = memcmp(c->p, zeros, payload) == 0;
	}
	/* FTP's control connection announcing a data connection: the only
	 * payload the analysis reads (ftp.h) */
	if (__builtin_expect(out->sport == FTP_PORT || out->dport == FTP_PORT,
	                     0) && out->captured_payload >= 4)
		ftp_look(c->p, out);

	/* The checksum, when the whole segment is here and not a fragment
	 * of a larger one: the pseudo-header (addresses, protocol 6, TCP
	 * length; RFC 9293 §3.1, RFC 8200 §8.1), then header and payload. */
	if (captured >= tcp_len && !out->ip_first_fragment &&
	    tcp_len <= UINT32_MAX) {
		/* addresses, then the IPv6 form of length and protocol (the
		 * same sum as IPv4's zero, protocol, 16-bit length) */
		size_t alen = out->family == 4 ? 4 : 16;
		uint64_t sum = csum_be16((uint16_t)(tcp_len >> 16)) +
		               csum_be16((uint16_t)tcp_len) +
		               csum_be16(IPPROTO_NUM_TCP);
		sum = csum_words(sum, out->src, alen);
		sum = csum_words(sum, out->dst, alen);
		sum = csum_words(sum, hdr, tcp_len);
		out->csum = csum_fold(sum) == 0xffff ? TFE_CSUM_OK : TFE_CSUM_BAD;
	}
	return TFE_DR_OK;
}

/*
 * Raw IP (NET_BY_VERSION): the version nibble at the cursor is all there
 * is to go by.  An empty packet is reported as a truncated IPv4 header,
 * the likelier of the two.  Any other kind is left as it is.
 */
static enum tfe_decode_reason
net_by_version(const struct tfe_cursor *c, enum net_kind *net)
{
	struct tfe_cursor peek = *c;
	uint8_t first;

	if (*net != NET_BY_VERSION)
		return TFE_DR_OK;
	if (!tfe_cursor_u8(&peek, &first))
		return TFE_DR_IPV4_TRUNCATED;
	if (first >> 4 == 4)
		*net = NET_IPV4;
	else if (first >> 4 == 6)
		*net = NET_IPV6;
	else
		return TFE_DR_IP_BAD_VERSION;
	return TFE_DR_OK;
}

/* ---- tunnels ----------------------------------------------------------- */

/* Which tunnel a UDP port stands for, TFE_TUN_NONE for any other port. */
static enum tfe_tunnel_kind
tunnel_of_port(uint16_t port)
{
	switch (port) {
	case UDP_PORT_GRE:
		return TFE_TUN_GRE_UDP;
	case UDP_PORT_VXLAN:
	case UDP_PORT_VXLAN_LNX:
		return TFE_TUN_VXLAN;
	case UDP_PORT_GENEVE:
		return TFE_TUN_GENEVE;
	case UDP_PORT_GTPU:
		return TFE_TUN_GTPU;
	case UDP_PORT_CAPWAP:
		return TFE_TUN_CAPWAP;
	case UDP_PORT_TEREDO:
		return TFE_TUN_TEREDO;
	case UDP_PORT_AYIYA:
		return TFE_TUN_AYIYA;
	case UDP_PORT_TZSP:
		return TFE_TUN_TZSP;
	default:
		return TFE_TUN_NONE;
	}
}

/*
 * UDP (RFC 768), read only to find a tunnel port.  The destination port
 * decides first, as at the receiving tunnel endpoint; then the source
 * port, as tcpdump and Wireshark also try it.  On a tunnel port the
 * cursor is left after the UDP header and *len is the UDP payload.
 */
static enum tfe_decode_reason
decode_udp(struct tfe_cursor *c, const struct ip_next *ip,
           enum tfe_tunnel_kind *kind, size_t *len)
{
	uint16_t sport, dport, ulen;

	if (ip->len < UDP_HDR_LEN)
		return TFE_DR_UDP_BAD_LENGTH;
	if (!tfe_cursor_be16(c, &sport) || !tfe_cursor_be16(c, &dport))
		return TFE_DR_UDP_TRUNCATED;
	*kind = tunnel_of_port(dport);
	if (*kind == TFE_TUN_NONE)
		*kind = tunnel_of_port(sport);
	if (*kind == TFE_TUN_NONE)
		return TFE_DR_NOT_TCP;
	/* Before the length, which a first fragment's payload cannot hold. */
	if (ip->fragment)
		return TFE_DR_TUNNEL_FRAGMENT;
	/* The checksum is not checked: optional over IPv4, and 0 is allowed
	 * for tunnels over IPv6 too (RFC 6935). */
	if (!tfe_cursor_be16(c, &ulen) || !tfe_cursor_skip(c, 2))
		return TFE_DR_UDP_TRUNCATED;

	/* Length 0: a jumbogram (RFC 2675 §4) or a sender's own capture of
	 * a GSO super-packet; the IP layer's length is the best there is. */
	size_t n = ulen != 0 ? ulen : ip->len;
	if (n < UDP_HDR_LEN || n > ip->len)
		return TFE_DR_UDP_BAD_LENGTH;
	*len = n - UDP_HDR_LEN;
	return TFE_DR_OK;
}

/*
 * PPTP's enhanced GRE (RFC 2637 §4.1), the cursor after the protocol
 * type: C and R clear, K set (the key is the payload's length, 16 bits,
 * and the call ID), then the sequence number (S) and the acknowledgement
 * number (A, bit 0x0080) when their flag is set.  The payload is a PPP
 * frame of the key's length, which must lie within the packet; a packet
 * with none only acknowledges (A without S), and carries nothing for us.
 */
static enum tfe_decode_reason
decode_gre_pptp(struct tfe_cursor *c, uint16_t flags, size_t *len,
                uint16_t *type)
{
	uint16_t plen;

	if (*type != ETHERTYPE_PPP || (flags & GRE_FLAG_K) == 0 ||
	    (flags & (GRE_FLAG_C | GRE_FLAG_R)) != 0)
		return TFE_DR_GRE_HEADER;
	size_t hlen = GRE_MIN_HDR + 4;
	if (flags & GRE_FLAG_S)
		hlen += 4;
	if (flags & GRE_FLAG_A)
		hlen += 4;
	if (hlen > *len)
		return TFE_DR_TUNNEL_BAD_LENGTH;
	if (!tfe_cursor_be16(c, &plen) ||
	    !tfe_cursor_skip(c, hlen - GRE_MIN_HDR - 2))
		return TFE_DR_GRE_TRUNCATED;
	if (plen == 0)
		return TFE_DR_NOT_TCP; /* an acknowledgement alone */
	if (plen > *len - hlen)
		return TFE_DR_TUNNEL_BAD_LENGTH;
	*len = plen;
	*type = TUNNEL_TYPE_PPP;
	return TFE_DR_OK;
}

/*
 * GRE version 0 (RFC 2784 §2, with the key and sequence number of RFC
 * 2890 §2): flags and version, protocol type, then 4 bytes each of
 * checksum+reserved (C), key (K) and sequence number (S) when their flag
 * is set.  The checksum is not verified: the TCP checksum inside covers
 * what matters here.  Version 1 is PPTP's (decode_gre_pptp()); the
 * source routing of RFC 1701 (R) is not decoded, as Linux does not.
 * `len` is the GRE packet as declared; on success, its payload, and
 * *type what it holds: an Ethernet type, or a TUNNEL_TYPE_ for a PPP or
 * an 802.11 frame.
 */
static enum tfe_decode_reason
decode_gre(struct tfe_cursor *c, size_t *len, uint16_t *type, uint32_t *layers)
{
	uint16_t flags;
	enum tfe_decode_reason r;

	if (*len < GRE_MIN_HDR)
		return TFE_DR_TUNNEL_BAD_LENGTH;
	if (!tfe_cursor_be16(c, &flags) || !tfe_cursor_be16(c, type))
		return TFE_DR_GRE_TRUNCATED;
	if ((flags & GRE_VERSION_MASK) == GRE_VERSION_PPTP)
		return decode_gre_pptp(c, flags, len, type);
	if ((flags & GRE_VERSION_MASK) != 0 || (flags & GRE_FLAG_R) != 0)
		return TFE_DR_GRE_HEADER;
	size_t hlen = GRE_MIN_HDR;
	if (flags & GRE_FLAG_C)
		hlen += 4;
	if (flags & GRE_FLAG_K)
		hlen += 4;
	if (flags & GRE_FLAG_S)
		hlen += 4;
	if (hlen > *len)
		return TFE_DR_TUNNEL_BAD_LENGTH;
	if (!tfe_cursor_skip(c, hlen - GRE_MIN_HDR))
		return TFE_DR_GRE_TRUNCATED;
	*len -= hlen;

	/*
	 * ERSPAN: type I (no sequence number) is the mirrored Ethernet
	 * frame alone; type II has an 8-byte header before it; type III
	 * (protocol 0x22eb) a 12-byte one, and 8 bytes more of platform
	 * specific subheader when its O flag (last bit) is set.
	 * WCCP (draft-wilson-wrec-wccp-v2): WCCPv2's 4-byte redirect
	 * header (flags, service ID, buckets), then IPv4; WCCPv1 sends IPv4
	 * alone.  As Wireshark tells them apart, a first nibble of 4 is
	 * taken for IPv4 without the header.
	 * Aruba: an 802.11 frame, without its frame check sequence.
	 */
	size_t ehlen = 0;
	if (*type == ETHERTYPE_ERSPAN2) {
		*layers |= LAYER(TFE_LAYER_ERSPAN);
		ehlen = (flags & GRE_FLAG_S) ? 8 : 0;
	} else if (*type == ETHERTYPE_ERSPAN3) {
		struct tfe_cursor peek = *c;
		uint8_t b;
		*layers |= LAYER(TFE_LAYER_ERSPAN);
		if (!tfe_cursor_skip(&peek, 11) || !tfe_cursor_u8(&peek, &b))
			return *len < 12 ? TFE_DR_TUNNEL_BAD_LENGTH :
			                   TFE_DR_TUNNEL_TRUNCATED;
		ehlen = 12 + ((b & 1) ? 8 : 0);
	} else if (*type == ETHERTYPE_WCCP) {
		struct tfe_cursor peek = *c;
		uint8_t b;
		*layers |= LAYER(TFE_LAYER_WCCP);
		if (!tfe_cursor_u8(&peek, &b))
			return *len == 0 ? TFE_DR_TUNNEL_BAD_LENGTH :
			                   TFE_DR_GRE_TRUNCATED;
		*type = ETHERTYPE_IPV4;
		if (b >> 4 == 4)
			return TFE_DR_OK;
		if (WCCP_REDIRECT_LEN > *len)
			return TFE_DR_TUNNEL_BAD_LENGTH;
		if (!tfe_cursor_skip(c, WCCP_REDIRECT_LEN))
			return TFE_DR_GRE_TRUNCATED;
		*len -= WCCP_REDIRECT_LEN;
		return TFE_DR_OK;
	} else if (*type == ETHERTYPE_ARUBA || *type == ETHERTYPE_ARUBA2) {
		*layers |= LAYER(TFE_LAYER_ARUBA);
		*type = TUNNEL_TYPE_80211_ARUBA;
		return TFE_DR_OK;
	} else {
		return TFE_DR_OK;
	}
	r = TFE_DR_OK;
	if (ehlen > *len)
		r = TFE_DR_TUNNEL_BAD_LENGTH;
	else if (!tfe_cursor_skip(c, ehlen))
		r = TFE_DR_TUNNEL_TRUNCATED;
	*len -= ehlen;
	*type = ETHERTYPE_TEB;
	return r;
}

/*
 * CAPWAP data (RFC 5415 §4.3): a preamble (version 0; type 0, a clear
 * header; type 1 is DTLS, encrypted), then HLEN (5 bits: the header's
 * length in 4-byte words, preamble included), RID, WBID (1: IEEE 802.11),
 * and the flags T (the payload is the binding's native frame, else an
 * 802.3 frame) and F (a fragment, not reassembled here); the optional
 * radio MAC and wireless information lie inside HLEN.
 */
static enum tfe_decode_reason
decode_capwap(struct tfe_cursor *c, size_t *len, uint16_t *type)
{
	uint8_t h[4];

	if (*len < 8)
		return TFE_DR_TUNNEL_BAD_LENGTH;
	if (!tfe_cursor_copy(c, h, 4))
		return TFE_DR_TUNNEL_TRUNCATED;
	if (h[0] != 0)
		return TFE_DR_NOT_TCP; /* DTLS, or another version */
	size_t hlen = (size_t)(h[1] >> 3) * 4;
	unsigned wbid = (unsigned)((h[2] >> 1) & 0x1f);
	bool native = h[2] & 1, frag = h[3] & 0x80;
	if (hlen < 8 || *len < hlen)
		return TFE_DR_TUNNEL_BAD_LENGTH;
	if (!tfe_cursor_skip(c, hlen - 4))
		return TFE_DR_TUNNEL_TRUNCATED;
	if (frag)
		return TFE_DR_TUNNEL_FRAGMENT;
	if (native && wbid != 1)
		return TFE_DR_TUNNEL_PAYLOAD;
	*len -= hlen;
	*type = native ? TUNNEL_TYPE_80211 : ETHERTYPE_TEB;
	return TFE_DR_OK;
}

/*
 * GTP-U (3GPP TS 29.281 §5.1): flags (version 1 in the top 3 bits, PT,
 * E, S, PN), message type (255: a G-PDU, which carries a user packet;
 * the others are signalling, not for us), length, TEID; then, when any
 * of E, S, PN is set, 4 more bytes whose last is the first extension
 * header's type; each extension header (§5.2) is a length in 4-byte
 * units counting itself, and ends with the next one's type.  The user
 * packet is IPv4 or IPv6, told by its version nibble.
 */
static enum tfe_decode_reason
decode_gtpu(struct tfe_cursor *c, size_t *len, uint16_t *type)
{
	uint8_t flags, msg, next = 0;
	size_t hlen = GTP_MIN_HDR;

	if (*len < GTP_MIN_HDR)
		return TFE_DR_TUNNEL_BAD_LENGTH;
	if (!tfe_cursor_u8(c, &flags) || !tfe_cursor_u8(c, &msg) ||
	    !tfe_cursor_skip(c, 6))
		return TFE_DR_TUNNEL_TRUNCATED;
	if ((flags >> 5) != 1 || (flags & 0x10) == 0 || msg != 0xff)
		return TFE_DR_NOT_TCP;
	if (flags & 0x07) {
		hlen += 4;
		if (*len < hlen)
			return TFE_DR_TUNNEL_BAD_LENGTH;
		if (!tfe_cursor_skip(c, 3) || !tfe_cursor_u8(c, &next))
			return TFE_DR_TUNNEL_TRUNCATED;
		if ((flags & 0x04) == 0)
			next = 0;
	}
	for (unsigned n = 0; next != 0; n++) {
		uint8_t units;
		if (n == MAX_LINK_HEADERS)
			return TFE_DR_LINK_DEPTH;
		if (!tfe_cursor_u8(c, &units))
			return *len < hlen + 1 ? TFE_DR_TUNNEL_BAD_LENGTH :
			                         TFE_DR_TUNNEL_TRUNCATED;
		if (units == 0)
			return TFE_DR_TUNNEL_BAD_LENGTH;
		hlen += (size_t)units * 4;
		if (*len < hlen)
			return TFE_DR_TUNNEL_BAD_LENGTH;
		if (!tfe_cursor_skip(c, (size_t)units * 4 - 2) ||
		    !tfe_cursor_u8(c, &next))
			return TFE_DR_TUNNEL_TRUNCATED;
	}
	*len -= hlen;
	struct tfe_cursor peek = *c;
	uint8_t first;
	if (*len == 0)
		return TFE_DR_NOT_TCP;
	if (!tfe_cursor_u8(&peek, &first))
		return TFE_DR_TUNNEL_TRUNCATED;
	if (first >> 4 == 4)
		*type = ETHERTYPE_IPV4;
	else if (first >> 4 == 6)
		*type = ETHERTYPE_IPV6;
	else
		return TFE_DR_NOT_TCP;
	return TFE_DR_OK;
}

/*
 * Teredo (RFC 4380 §5.1.1): the UDP payload is an IPv6 packet, before
 * which may come an authentication indicator (type 0x0001, the client
 * identifier's length, the authentication value's, both values, an
 * 8-byte nonce and a confirmation byte) and then an origin indication
 * (type 0x0000, the client's obfuscated port and address: 8 bytes), in
 * that order.  The format has no magic number, so on the port anything
 * else is not Teredo, as Wireshark and Zeek judge it: an unknown first
 * byte, an indicator out of order or running past the datagram, or no
 * room left for an IPv6 header.  A bubble (an IPv6 header with next
 * header 59 and nothing after it) carries no TCP, and decode_ipv6()
 * says so.
 */
static enum tfe_decode_reason
decode_teredo(struct tfe_cursor *c, size_t *len)
{
	bool auth_may = true, origin_may = true;

	for (;;) {
		struct tfe_cursor peek = *c;
		uint8_t ind[4];
		size_t ilen;

		if (*len == 0)
			return TFE_DR_NOT_TCP;
		if (!tfe_cursor_u8(&peek, &ind[0]))
			return TFE_DR_TUNNEL_TRUNCATED;
		if (ind[0] >> 4 == 6)
			break;
		if (ind[0] != 0 || *len < 2)
			return TFE_DR_NOT_TCP;
		if (!tfe_cursor_u8(&peek, &ind[1]))
			return TFE_DR_TUNNEL_TRUNCATED;
		if (ind[1] == 0 && origin_may) {
			ilen = TEREDO_ORIGIN_LEN;
		} else if (ind[1] == 1 && auth_may) {
			if (*len < 4)
				return TFE_DR_NOT_TCP;
			if (!tfe_cursor_copy(&peek, &ind[2], 2))
				return TFE_DR_TUNNEL_TRUNCATED;
			ilen = TEREDO_AUTH_MIN + (size_t)ind[2] + ind[3];
		} else {
			return TFE_DR_NOT_TCP;
		}
		if (*len < ilen)
			return TFE_DR_NOT_TCP;
		if (!tfe_cursor_skip(c, ilen))
			return TFE_DR_TUNNEL_TRUNCATED;
		*len -= ilen;
		/* Nothing comes before an authentication indicator, and
		 * nothing but the packet after an origin indication. */
		auth_may = false;
		if (ind[1] == 0)
			origin_may = false;
	}
	return *len < IPV6_HDR_LEN ? TFE_DR_NOT_TCP : TFE_DR_OK;
}

/*
 * AYIYA, "Anything In Anything" (the tunnel protocol of SixXS): identity
 * length (high nibble: 2^n bytes) and type, signature length (high
 * nibble, in 4-byte words) and hash method, authentication method and
 * opcode (low nibble: 1, forward, is the one that carries a packet), next
 * header (an IP protocol number), a 4-byte epoch time, the identity, the
 * signature, then the packet.  The other opcodes (heartbeats, echo,
 * queries) carry none; a packet that is neither IPv4 nor IPv6 is not
 * decoded.
 */
static enum tfe_decode_reason
decode_ayiya(struct tfe_cursor *c, size_t *len, uint16_t *type)
{
	uint8_t h[4];

	if (*len < AYIYA_MIN_HDR)
		return TFE_DR_TUNNEL_BAD_LENGTH;
	if (!tfe_cursor_copy(c, h, 4) || !tfe_cursor_skip(c, 4))
		return TFE_DR_TUNNEL_TRUNCATED;
	size_t hlen = AYIYA_MIN_HDR + ((size_t)1 << (h[0] >> 4)) +
	              (size_t)(h[1] >> 4) * 4;
	if ((h[2] & 0x0f) != AYIYA_OP_FORWARD)
		return TFE_DR_NOT_TCP;
	if (*len < hlen)
		return TFE_DR_TUNNEL_BAD_LENGTH;
	if (!tfe_cursor_skip(c, hlen - AYIYA_MIN_HDR))
		return TFE_DR_TUNNEL_TRUNCATED;
	if (h[3] == IPPROTO_NUM_IPIP)
		*type = ETHERTYPE_IPV4;
	else if (h[3] == IPPROTO_NUM_IPV6)
		*type = ETHERTYPE_IPV6;
	else
		return TFE_DR_TUNNEL_PAYLOAD;
	*len -= hlen;
	return TFE_DR_OK;
}

/*
 * TZSP, the TaZmen Sniffer Protocol (what a MikroTik router's packet
 * sniffer streams to a remote Wireshark): version 1, a type, the frame's
 * encapsulation, then tagged fields up to an END tag: PADDING and END are
 * one byte, every other tag a type, a length and that many bytes.  Only
 * the received and transmitted types carry a frame; the others (a
 * keepalive, a port opener, configuration) carry none.  The frames read
 * are those Wireshark reads: Ethernet, Token Ring, PPP, FDDI, raw IP,
 * IEEE 802.11, Prism and AVS; *link says which.
 */
static enum tfe_decode_reason
decode_tzsp(struct tfe_cursor *c, size_t *len, enum link_kind *link)
{
	uint8_t ver, type, tag, tlen;
	uint16_t encap;

	if (*len < TZSP_MIN_HDR)
		return TFE_DR_NOT_TCP;
	if (!tfe_cursor_u8(c, &ver) || !tfe_cursor_u8(c, &type) ||
	    !tfe_cursor_be16(c, &encap))
		return TFE_DR_TUNNEL_TRUNCATED;
	if (ver != TZSP_VERSION ||
	    (type != TZSP_TYPE_RX && type != TZSP_TYPE_TX))
		return TFE_DR_NOT_TCP;
	*len -= TZSP_MIN_HDR;
	do {
		if (*len == 0)
			return TFE_DR_TUNNEL_BAD_LENGTH;
		if (!tfe_cursor_u8(c, &tag))
			return TFE_DR_TUNNEL_TRUNCATED;
		*len -= 1;
		if (tag == TZSP_TAG_PADDING || tag == TZSP_TAG_END)
			continue;
		if (*len == 0)
			return TFE_DR_TUNNEL_BAD_LENGTH;
		if (!tfe_cursor_u8(c, &tlen))
			return TFE_DR_TUNNEL_TRUNCATED;
		if (*len - 1 < tlen)
			return TFE_DR_TUNNEL_BAD_LENGTH;
		if (!tfe_cursor_skip(c, tlen))
			return TFE_DR_TUNNEL_TRUNCATED;
		*len -= 1 + (size_t)tlen;
	} while (tag != TZSP_TAG_END);
	switch (encap) {
	case TZSP_ENCAP_ETHERNET: *link = LINK_ETHERNET; break;
	case TZSP_ENCAP_TOKEN:    *link = LINK_TOKEN;    break;
	case TZSP_ENCAP_PPP:      *link = LINK_PPP;      break;
	case TZSP_ENCAP_FDDI:     *link = LINK_FDDI;     break;
	case TZSP_ENCAP_RAW:      *link = LINK_RAW;      break;
	case TZSP_ENCAP_80211:    *link = LINK_80211;    break;
	case TZSP_ENCAP_PRISM:    *link = LINK_PRISM;    break;
	case TZSP_ENCAP_AVS:      *link = LINK_AVS;      break;
	default:                  return TFE_DR_TUNNEL_PAYLOAD;
	}
	return TFE_DR_OK;
}

/*
 * VXLAN (RFC 7348 §5): 8 bytes of flags, reserved bits and the 24-bit
 * VNI, then an Ethernet frame.  The I flag is not insisted on, as
 * Wireshark and tcpdump decode without it.
 */
static enum tfe_decode_reason
decode_vxlan(struct tfe_cursor *c, size_t *len)
{
	if (*len < VXLAN_HDR_LEN)
		return TFE_DR_TUNNEL_BAD_LENGTH;
	if (!tfe_cursor_skip(c, VXLAN_HDR_LEN))
		return TFE_DR_VXLAN_TRUNCATED;
	*len -= VXLAN_HDR_LEN;
	return TFE_DR_OK;
}

/*
 * Geneve (RFC 8926 §3.4): version (2 bits) and options length (6 bits,
 * in 4-byte words), O and C flags, protocol type, VNI and a reserved
 * byte, then the options, skipped whole.
 */
static enum tfe_decode_reason
decode_geneve(struct tfe_cursor *c, size_t *len, uint16_t *type)
{
	uint8_t ver_optlen;

	if (*len < GENEVE_MIN_HDR)
		return TFE_DR_TUNNEL_BAD_LENGTH;
	/* The flags, the VNI and the reserved byte are not needed. */
	if (!tfe_cursor_u8(c, &ver_optlen) || !tfe_cursor_skip(c, 1) ||
	    !tfe_cursor_be16(c, type) || !tfe_cursor_skip(c, 4))
		return TFE_DR_GENEVE_TRUNCATED;
	if (ver_optlen >> 6 != 0)
		return TFE_DR_GENEVE_VERSION;
	size_t hlen = GENEVE_MIN_HDR + (size_t)(ver_optlen & 0x3f) * 4;
	if (hlen > *len)
		return TFE_DR_TUNNEL_BAD_LENGTH;
	if (!tfe_cursor_skip(c, hlen - GENEVE_MIN_HDR))
		return TFE_DR_GENEVE_TRUNCATED;
	*len -= hlen;
	return TFE_DR_OK;
}

/*
 * Opens one encapsulation.  `next` is what the IP header at nesting level
 * `level` carries (anything but TCP) and the cursor is at it.  On success
 * the cursor is at the IP header inside, *net says its version and
 * *wire_left is the length the tunnel declares for it.  The first level
 * opened is recorded in out->tunnel, and the addresses are cleared for
 * the inner header (an IPv4 one fills only 4 of their 16 bytes).
 */
static COLD enum tfe_decode_reason
decapsulate(struct tfe_cursor *c, const struct ip_next *next, unsigned level,
            struct tfe_segment *out, enum net_kind *net, size_t *wire_left)
{
	enum tfe_tunnel_kind kind;
	enum tfe_decode_reason r = TFE_DR_OK;
	uint16_t type = 0;  /* what the tunnel carries, as an Ethernet type */
	enum link_kind link = LINK_NONE; /* or a frame of this link type */
	size_t len = next->len;

	switch (next->proto) {
	case IPPROTO_NUM_IPIP:
		kind = TFE_TUN_IPIP;
		type = ETHERTYPE_IPV4;
		break;
	case IPPROTO_NUM_IPV6:
		kind = TFE_TUN_IPIP;
		type = ETHERTYPE_IPV6;
		break;
	case IPPROTO_NUM_GRE:
		kind = TFE_TUN_GRE;
		break;
	default: /* UDP: a tunnel only on one of the ports */
		r = decode_udp(c, next, &kind, &len);
		if (r != TFE_DR_OK)
			return r;
		break;
	}
	/* The inner packet is cut where the fragment ends, and we do not
	 * reassemble; a later fragment never got here (see decode_ipv4). */
	if (next->fragment)
		return TFE_DR_TUNNEL_FRAGMENT;
	if (level == TFE_MAX_TUNNEL_DEPTH)
		return TFE_DR_TUNNEL_DEPTH;

	switch (kind) {
	case TFE_TUN_GRE:
	case TFE_TUN_GRE_UDP:
		r = decode_gre(c, &len, &type, &out->layers);
		break;
	case TFE_TUN_VXLAN:
		r = decode_vxlan(c, &len);
		type = ETHERTYPE_TEB;
		break;
	case TFE_TUN_GENEVE:
		r = decode_geneve(c, &len, &type);
		break;
	case TFE_TUN_GTPU:
		r = decode_gtpu(c, &len, &type);
		break;
	case TFE_TUN_CAPWAP:
		r = decode_capwap(c, &len, &type);
		break;
	case TFE_TUN_TEREDO:
		r = decode_teredo(c, &len);
		type = ETHERTYPE_IPV6;
		break;
	case TFE_TUN_AYIYA:
		r = decode_ayiya(c, &len, &type);
		break;
	case TFE_TUN_TZSP:
		r = decode_tzsp(c, &len, &link);
		break;
	default: /* IP-in-IP: nothing between the headers */
		break;
	}
	out->layers |= UINT32_C(1) << (TFE_LAYER_IPIP + (kind - TFE_TUN_IPIP));
	if (r != TFE_DR_OK)
		return r;

	if (level == 0) {
		out->tunnel.kind = (uint8_t)kind;
		out->tunnel.family = out->family;
		memcpy(out->tunnel.src, out->src, sizeof out->src);
		memcpy(out->tunnel.dst, out->dst, sizeof out->dst);
	}
	out->tunnel.depth = (uint8_t)(level + 1);
	memset(out->src, 0, sizeof out->src);
	memset(out->dst, 0, sizeof out->dst);

	/* a frame of a link type: Ethernet, PPP, or what TZSP names */
	if (type == ETHERTYPE_TEB)
		link = LINK_ETHERNET;
	else if (type == TUNNEL_TYPE_PPP)
		link = LINK_PPP;
	if (link != LINK_NONE || type == TUNNEL_TYPE_80211 ||
	    type == TUNNEL_TYPE_80211_ARUBA) {
		/* A frame, VLAN tags and all, that must fit in the tunnel's
		 * payload: read it within that, and tell a frame cut by the
		 * capture from one cut by the declared length. */
		struct tfe_cursor eth = tfe_cursor_sub(c, len);
		struct link_out lo = { *net, 0 };
		if (link != LINK_NONE)
			r = decode_link(link, &eth, &lo);
		else /* 802.11, its frame control maybe byte-swapped */
			r = link_80211_fc(&eth, type == TUNNEL_TYPE_80211, &lo);
		*net = lo.kind;
		out->layers |= lo.layers;
		if (r == TFE_DR_LINK_TRUNCATED && c->left >= len)
			return TFE_DR_TUNNEL_BAD_LENGTH;
		/* LCP, CCP, compressed or encrypted data: no IP to read */
		if (r == TFE_DR_NOT_IP && type == TUNNEL_TYPE_PPP)
			return TFE_DR_TUNNEL_PAYLOAD;
		if (r != TFE_DR_OK)
			return r;
		size_t used = (size_t)(eth.p - c->p);
		(void)tfe_cursor_skip(c, used); /* eth read them from c */
		len -= used;
		r = net_by_version(c, net); /* TZSP's raw IP */
		if (r != TFE_DR_OK)
			return r;
	} else if (type == ETHERTYPE_IPV4) {
		*net = NET_IPV4;
	} else if (type == ETHERTYPE_IPV6) {
		*net = NET_IPV6;
	} else {
		return TFE_DR_TUNNEL_PAYLOAD;
	}

	/* The IP decoders take the wire to hold at least a fixed header. */
	if (len < (*net == NET_IPV4 ? IPV4_MIN_HDR : IPV6_HDR_LEN))
		return TFE_DR_TUNNEL_BAD_LENGTH;
	*wire_left = len;
	return TFE_DR_OK;
}

/* ---- the fast path ----------------------------------------------------- */

/* What decode_fast() returns when the general path must decide. */
#define FAST_FALLBACK TFE_DR__COUNT

/*
 * The common case in straight code: Ethernet (with at most one 802.1Q
 * tag), Linux cooked (SLL, SLL2) or raw IP; IPv4 with a 20-byte header,
 * not a fragment, total length set; or IPv6 whose next header is TCP and
 * whose payload length is set; carrying TCP; the IP header and the fixed
 * TCP header captured.  One length check covers every fixed offset read.
 * Anything else, every problem included, returns FAST_FALLBACK before
 * `out` is written, and the general path then decodes the frame from the
 * start, so every decode reason is found by the same code as ever.  From
 * the TCP header on, both paths run decode_tcp().  `out` is zeroed.
 */
static ALWAYS_INLINE enum tfe_decode_reason
decode_fast(enum link_kind kind, const uint8_t *data, size_t caplen,
            size_t wire, struct tfe_segment *out)
{
	size_t off;
	uint16_t type;

	switch (kind) {
	case LINK_ETHERNET:
		if (caplen < 14)
			return FAST_FALLBACK;
		type = tfe_load_be16(data + 12);
		off = 14;
		if (type == ETHERTYPE_VLAN) {
			if (caplen < 18)
				return FAST_FALLBACK;
			type = tfe_load_be16(data + 16);
			off = 18;
		}
		break;
	case LINK_SLL:
		if (caplen < SLL_HDR_LEN)
			return FAST_FALLBACK;
		type = tfe_load_be16(data + SLL_HDR_LEN - 2);
		off = SLL_HDR_LEN;
		break;
	case LINK_SLL2:
		if (caplen < SLL2_HDR_LEN)
			return FAST_FALLBACK;
		type = tfe_load_be16(data);
		off = SLL2_HDR_LEN;
		break;
	case LINK_RAW:
		if (caplen < 1)
			return FAST_FALLBACK;
		type = data[0] >> 4 == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
		off = 0;
		break;
	case LINK_IPV4:
		type = ETHERTYPE_IPV4;
		off = 0;
		break;
	case LINK_IPV6:
		type = ETHERTYPE_IPV6;
		off = 0;
		break;
	default:
		return FAST_FALLBACK;
	}

	const uint8_t *ip = data + off;
	size_t wire_left = wire - off; /* wire >= caplen >= off */
	const uint8_t *tcp;
	size_t tcp_len;

	if (type == ETHERTYPE_IPV4) {
		/* version 4 and IHL 5; TCP; neither MF nor an offset */
		if (caplen < off + IPV4_MIN_HDR + TCP_MIN_HDR || ip[0] != 0x45 ||
		    ip[9] != IPPROTO_NUM_TCP ||
		    (tfe_load_be16(ip + 6) & 0x3fff) != 0)
			return FAST_FALLBACK;
		size_t ip_len = tfe_load_be16(ip + 2);
		if (ip_len < IPV4_MIN_HDR || ip_len > wire_left)
			return FAST_FALLBACK; /* 0 (TSO) included */
		memcpy(out->src, ip + 12, 4);
		memcpy(out->dst, ip + 16, 4);
		out->family = 4;
		out->ttl = ip[8];
		out->has_ip_id = true;
		out->ip_id = tfe_load_be16(ip + 4);
		out->ip_csum_bad = !ipv4_csum_ok(ip, IPV4_MIN_HDR);
		tcp = ip + IPV4_MIN_HDR;
		tcp_len = ip_len - IPV4_MIN_HDR;
	} else if (type == ETHERTYPE_IPV6) {
		/* version 6, next header TCP, payload length set */
		if (caplen < off + IPV6_HDR_LEN + TCP_MIN_HDR || ip[0] >> 4 != 6 ||
		    ip[6] != IPPROTO_NUM_TCP)
			return FAST_FALLBACK;
		size_t plen = tfe_load_be16(ip + 4);
		if (plen == 0 || plen > wire_left - IPV6_HDR_LEN)
			return FAST_FALLBACK;
		memcpy(out->src, ip + 8, 16);
		memcpy(out->dst, ip + 24, 16);
		out->family = 6;
		out->ttl = ip[7];
		tcp = ip + IPV6_HDR_LEN;
		tcp_len = plen;
	} else {
		return FAST_FALLBACK;
	}

	/* the one layer this path reads, past the Ethernet header */
	if (off == 18) /* only Ethernet's tagged branch starts IP there */
		out->layers = LAYER(TFE_LAYER_VLAN);
	struct tfe_cursor c;
	tfe_cursor_init(&c, tcp, caplen - (size_t)(tcp - data));
	return decode_tcp(&c, tcp_len, true, out);
}

/* ---- ICMP errors ------------------------------------------------------- */

/* Whether an ICMP message of this type is an error that quotes the packet
 * it answers, among those tfe_icmp_error holds (RFC 792; RFC 4443 §3).  A
 * source quench (ICMPv4 type 4, deprecated by RFC 6633) is not taken. */
static bool
icmp_error_type(uint8_t family, uint8_t type)
{
	if (family == 4)
		return type == TFE_ICMP4_UNREACH ||
		       type == TFE_ICMP4_TIME_EXCEEDED ||
		       type == TFE_ICMP4_PARAM_PROBLEM;
	return type == TFE_ICMP6_UNREACH || type == TFE_ICMP6_TOO_BIG ||
	       type == TFE_ICMP6_TIME_EXCEEDED ||
	       type == TFE_ICMP6_PARAM_PROBLEM;
}

/*
 * The IP header an ICMP error quotes, of the family of the IP header that
 * carries the error: its addresses into `out`, and the cursor left at the
 * TCP header it carries.  The quote holds the start of the packet only
 * (RFC 792: the IP header and 8 bytes; RFC 1812 §4.3.2.3 and RFC 4443
 * §2.4(c): as much as fits), so its length fields are not held against
 * the bytes present.  False for anything but TCP, for a non-first
 * fragment (no TCP header in it) and for a quote cut short.
 */
static bool
icmp_quoted_ip(struct tfe_cursor *q, uint8_t family, struct tfe_segment *out)
{
	const uint8_t *hdr = q->p;

	memset(out->src, 0, sizeof out->src);
	memset(out->dst, 0, sizeof out->dst);
	if (family == 4) {
		if (!tfe_cursor_skip(q, IPV4_MIN_HDR) || hdr[0] >> 4 != 4 ||
		    (hdr[0] & 0x0f) < 5 || hdr[9] != IPPROTO_NUM_TCP ||
		    (tfe_load_be16(hdr + 6) & 0x1fff) != 0)
			return false;
		memcpy(out->src, hdr + 12, 4);
		memcpy(out->dst, hdr + 16, 4);
		return tfe_cursor_skip(q, (size_t)(hdr[0] & 0x0f) * 4 -
		                          IPV4_MIN_HDR);
	}
	uint8_t nh;
	if (!tfe_cursor_skip(q, IPV6_HDR_LEN) || hdr[0] >> 4 != 6)
		return false;
	nh = hdr[6];
	memcpy(out->src, hdr + 8, 16);
	memcpy(out->dst, hdr + 24, 16);
	/* extension headers, as decode_ipv6() walks them, a few at most */
	for (unsigned n = 0; nh != IPPROTO_NUM_TCP; n++) {
		const uint8_t *ext = q->p;
		size_t hlen;

		if (n == 8 || q->left < 8)
			return false;
		if (ext_generic(nh))
			hlen = ((size_t)ext[1] + 1) * 8;
		else if (nh == IPPROTO_NUM_AH)
			hlen = ((size_t)ext[1] + 2) * 4;
		else if (nh == IPPROTO_NUM_FRAGMENT &&
		         (tfe_load_be16(ext + 2) & 0xfff8) == 0)
			hlen = 8;
		else
			return false;
		nh = ext[0];
		if (!tfe_cursor_skip(q, hlen))
			return false;
	}
	return true;
}

/*
 * An ICMPv4 or ICMPv6 message (RFC 792, RFC 4443 §2.1): type, code,
 * checksum, 4 bytes that are unused or (fragmentation needed, packet too
 * big) hold the MTU, then for an error the packet it answers.  An error
 * quoting an IP header that carries TCP, and at least the 8 bytes of the
 * TCP header holding the ports and the sequence number, is
 * TFE_DR_ICMP_ERROR: `out` takes the quoted packet's addresses, ports and
 * sequence number (its acknowledgment number and flags when quoted too),
 * and out->icmp the rest.  Anything else, an error whose quote the sender
 * or the capture cut before those 8 bytes included, stays not TCP: only
 * the quote could have said it was.  Reads within the length the IP
 * header declares, not the Ethernet padding after it.
 */
static COLD enum tfe_decode_reason
decode_icmp(struct tfe_cursor *c, const struct ip_next *next,
            struct tfe_segment *out)
{
	struct tfe_cursor q = tfe_cursor_sub(c, next->len);
	uint8_t family = out->family, type, code;
	uint32_t rest;

	if (next->fragment || !tfe_cursor_u8(&q, &type) ||
	    !tfe_cursor_u8(&q, &code) || !tfe_cursor_skip(&q, 2) ||
	    !tfe_cursor_be32(&q, &rest) || !icmp_error_type(family, type))
		return TFE_DR_NOT_TCP;

	struct tfe_icmp_error icmp;
	memset(&icmp, 0, sizeof icmp);
	icmp.family = family;
	icmp.type = type;
	icmp.code = code;
	memcpy(icmp.from, out->src, sizeof icmp.from);
	if (family == 4 && type == TFE_ICMP4_UNREACH &&
	    code == TFE_ICMP4_FRAG_NEEDED)
		icmp.mtu = rest & 0xffff;       /* RFC 1191 §4 */
	else if (family == 6 && type == TFE_ICMP6_TOO_BIG)
		icmp.mtu = rest;                /* RFC 4443 §3.2 */

	if (!icmp_quoted_ip(&q, family, out) || q.left < 8)
		return TFE_DR_NOT_TCP;
	const uint8_t *th = q.p;
	out->sport = tfe_load_be16(th);
	out->dport = tfe_load_be16(th + 2);
	out->seq = tfe_load_be32(th + 4);
	if (q.left >= 12)
		out->ack = tfe_load_be32(th + 8);
	if (q.left >= 14)
		out->flags = (uint16_t)(((th[12] & 0x01u) << 8) | th[13]);
	icmp.quoted = (uint8_t)(q.left < TCP_MIN_HDR ? q.left : TCP_MIN_HDR);
	/* the quoted packet's, not the error's */
	out->ttl = 0;
	out->has_ip_id = false;
	out->ip_id = 0;
	out->ip_first_fragment = false;
	out->icmp = icmp;
	return TFE_DR_ICMP_ERROR;
}

/*
 * From an IP header on: one IP header per pass, the outer one, then one
 * per tunnel.  decapsulate() refuses a level past TFE_MAX_TUNNEL_DEPTH, so
 * this runs at most that many times plus one.  `level` is the number of
 * tunnels already opened (not 0 for a reassembled inner datagram);
 * `frag`, when not NULL, receives a fragment's description, with offsets
 * from `base`.
 */
static enum tfe_decode_reason
decode_ip_chain(struct tfe_cursor *c, enum net_kind net, size_t wire_left,
                unsigned level, bool layouts, struct tfe_segment *out,
                struct tfe_fragment *frag, const uint8_t *base)
{
	enum tfe_decode_reason r;

	for (;; level++) {
		struct ip_next next;
		struct frag_ctx fcs = { frag, base, level };
		const struct frag_ctx *fc = frag != NULL ? &fcs : NULL;

		if (net == NET_IPV4)
			r = decode_ipv4(c, wire_left, out, &next, fc);
		else
			r = decode_ipv6(c, wire_left, out, &next, fc);
		if (r != TFE_DR_OK)
			return r;
		if (next.proto == IPPROTO_NUM_TCP)
			return decode_tcp(c, next.len, layouts, out);
		if (next.proto == IPPROTO_NUM_ICMP ||
		    next.proto == IPPROTO_NUM_ICMPV6)
			return decode_icmp(c, &next, out);
		r = decapsulate(c, &next, level, out, &net, &wire_left);
		if (r != TFE_DR_OK)
			return r;
	}
}

/* The general path: every layer through the bounded cursor.  `layouts`:
 * whether the TCP options may take their fast path (see
 * decode_tcp_options). */
static enum tfe_decode_reason
decode_general(enum link_kind kind, const uint8_t *data, size_t caplen,
               size_t wirelen, bool layouts, struct tfe_segment *out,
               struct tfe_fragment *frag)
{
	/* A zero-length frame may come with a NULL pointer; give the cursor
	 * a real one so that even a zero-byte advance is defined. */
	static const uint8_t no_bytes[1];
	struct tfe_cursor c;
	struct link_out lo = { NET_IPV4, 0 };
	enum tfe_decode_reason r;

	if (data == NULL)
		caplen = 0;
	tfe_cursor_init(&c, data != NULL ? data : no_bytes, caplen);
	/* See the file header: never believe a wire shorter than the capture. */
	size_t wire = wirelen < caplen ? caplen : wirelen;

	r = decode_link(kind, &c, &lo);
	out->layers = lo.layers;
	if (r != TFE_DR_OK)
		return r;

	enum net_kind net = lo.kind;
	r = net_by_version(&c, &net);
	if (r != TFE_DR_OK)
		return r;

	/* Bytes on the wire from here on; wire >= caplen >= bytes consumed,
	 * and the IP header itself has been captured when it is read. */
	size_t wire_left = wire - (caplen - c.left);

	return decode_ip_chain(&c, net, wire_left, 0, layouts, out, frag,
	                       c.p - (caplen - c.left));
}

enum tfe_decode_reason
tfe_decode_frame_frag(int linktype, const uint8_t *data, size_t caplen,
                      size_t wirelen, struct tfe_segment *out,
                      struct tfe_fragment *frag)
{
	enum link_kind kind = link_kind_of(linktype);

	/* The fast path takes no fragment: it hands them all over.  The
	 * ICMP error's part, last, is written whole by decode_icmp() and
	 * read for TFE_DR_ICMP_ERROR alone: not cleared for every frame. */
	memset(out, 0, offsetof(struct tfe_segment, icmp));
	if (data != NULL) {
		size_t wire = wirelen < caplen ? caplen : wirelen;
		enum tfe_decode_reason r =
			decode_fast(kind, data, caplen, wire, out);
		if (r != FAST_FALLBACK)
			return r;
	}
	return decode_general(kind, data, caplen, wirelen, true, out, frag);
}

enum tfe_decode_reason
tfe_decode_frame(int linktype, const uint8_t *data, size_t caplen,
                 size_t wirelen, struct tfe_segment *out)
{
	return tfe_decode_frame_frag(linktype, data, caplen, wirelen, out, NULL);
}

enum tfe_decode_reason
tfe_decode_datagram(const struct tfe_fragment *f, const uint8_t *pkt,
                    size_t caplen, size_t wirelen, struct tfe_segment *out,
                    struct tfe_fragment *inner)
{
	struct tfe_cursor c;

	memset(out, 0, sizeof *out);
	out->tunnel = f->tunnel;
	out->ip_csum_bad = f->ip_csum_bad;
	if (wirelen < caplen)
		wirelen = caplen;
	/* The IP decoders take the wire to hold a fixed header; frag.c
	 * builds no shorter datagram, but a caller's mistake must not read
	 * past it. */
	if (wirelen < (f->family == 4 ? IPV4_MIN_HDR : IPV6_HDR_LEN))
		return f->family == 4 ? TFE_DR_IPV4_BAD_LENGTH :
		                        TFE_DR_IPV6_BAD_LENGTH;
	tfe_cursor_init(&c, pkt, caplen);
	return decode_ip_chain(&c, f->family == 4 ? NET_IPV4 : NET_IPV6,
	                       wirelen, f->level, true, out, inner, pkt);
}

enum tfe_decode_reason
tfe_decode_frame_fast(int linktype, const uint8_t *data, size_t caplen,
                      size_t wirelen, struct tfe_segment *out)
{
	memset(out, 0, sizeof *out);
	if (data == NULL)
		return TFE_DR__COUNT;
	return decode_fast(link_kind_of(linktype), data, caplen,
	                   wirelen < caplen ? caplen : wirelen, out);
}

enum tfe_decode_reason
tfe_decode_frame_general(int linktype, const uint8_t *data, size_t caplen,
                         size_t wirelen, struct tfe_segment *out)
{
	memset(out, 0, sizeof *out);
	return decode_general(link_kind_of(linktype), data, caplen, wirelen,
	                      false, out, NULL);
}
