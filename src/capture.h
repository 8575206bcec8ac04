/*
 * capture.h: where frames come from, behind one small interface that yields
 * (timestamp, caplen, len, bytes, link type).  Several files are read in
 * order as one capture.  Errors come back as a GError carrying libpcap's own
 * text; the caller prints them once.
 *
 * libpcap opens every file.  The records of a classic pcap file in a
 * seekable stream are then parsed here from a 256 KiB buffer of our own,
 * exactly as libpcap would hand them over (the same frames, times,
 * lengths, bytes and error texts) but without its per-record stdio
 * reads; pcapng, standard input and live capture go through
 * pcap_next_ex().  capture.c says which files and why.
 */
#ifndef TFE_CAPTURE_H
#define TFE_CAPTURE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "decode.h"

#define TFE_ERROR (tfe_error_quark())
GQuark tfe_error_quark(void);

/* GError codes; main maps them to exit codes (2, 3, 4: the man page's
 * EXIT STATUS). */
enum tfe_error_code {
	TFE_ERR_USAGE,   /* exit 2: bad option or filter */
	TFE_ERR_INPUT,   /* exit 3: file, interface, permission, damage */
	TFE_ERR_INTERNAL /* exit 4 */
};

/* Timestamps further than this from 1970 (either way) are damage; the
 * bound keeps the ns clock and its timers within int64 (2^62 ns is about
 * 146 years; a classic pcap reaches 2106 at most). */
#define TFE_CAPTURE_MAX_SEC INT64_C(4611686000)

struct tfe_packet {
	uint64_t frame;          /* 1-based, counting every frame of every file
	                            read so far, filtered out or not */
	int64_t ts;              /* ns since the epoch */
	uint32_t caplen;         /* bytes in data */
	uint32_t len;            /* length on the wire */
	const uint8_t *data;     /* valid until the next call */
	int linktype;            /* DLT_ value */
};

struct tfe_capture;

/* Opens every file up front (so a missing third file fails before any
 * output) and compiles `filter` (may be NULL) for each.  "-" is stdin. */
struct tfe_capture *tfe_capture_open_files(char **paths, guint n,
                                           const char *filter,
                                           GError **err);

/* The same for one seekable stream already open (the fuzz target reads
 * a capture from memory this way); `fp` is owned from here on, closed even
 * on failure. */
struct tfe_capture *tfe_capture_open_stream(FILE *fp, const char *name,
                                            const char *filter,
                                            GError **err);

/* Snapshot length for live capture when -s is not given: enough for the
 * largest link header we decode (Ethernet with two VLAN tags, 22 bytes),
 * IPv4 with options (60) or IPv6 with a few extension headers, and TCP
 * with options (60).  Payload lengths come from the IP header, so a short
 * snapshot loses nothing the analysis reads. */
#define TFE_SNAPLEN_DEFAULT 256
#define TFE_SNAPLEN_MAX 262144

/*
 * Opens a network interface for live capture ("any" works): immediate
 * mode, so each packet is handed over as soon as it arrives, and the
 * kernel applies `filter` (may be NULL).  Packets are numbered as they are
 * delivered, after the filter.  When `save_path` is not NULL, every packet
 * delivered is also written there as a pcap file (created now, before
 * privileges are dropped).  Reads never block: see tfe_capture_fd().
 * A missing interface or a lack of permission is TFE_ERR_INPUT with a
 * message that says what to do; a bad filter is TFE_ERR_USAGE.
 */
struct tfe_capture *tfe_capture_open_live(const char *iface, int snaplen,
                                          const char *filter,
                                          const char *save_path,
                                          GError **err);

/* Prints the interfaces a live capture can open, one per line, as
 * tcpdump -D does. */
bool tfe_capture_list_interfaces(FILE *out, GError **err);

/* What tfe_capture_next() returns. */
enum {
	TFE_CAPTURE_ERROR = -1, /* damaged input or a failed interface */
	TFE_CAPTURE_END = 0,    /* end of input (files only) */
	TFE_CAPTURE_PACKET = 1, /* a packet in *p */
	TFE_CAPTURE_AGAIN = 2,  /* live: nothing waiting now; poll the fd */
};

/* One of the TFE_CAPTURE_ values; on TFE_CAPTURE_ERROR *err says where
 * (what was read before stays valid). */
int tfe_capture_next(struct tfe_capture *cap, struct tfe_packet *p,
                     GError **err);

/* Live: a descriptor that poll(2) reports readable when packets wait;
 * *timeout_ms is set to the longest a poll may wait before calling
 * tfe_capture_next() anyway (-1: no such limit, as on Linux). */
int tfe_capture_fd(const struct tfe_capture *cap, int *timeout_ms);

/* Files: writes every frame the filter passes (all of them without a
 * filter) to `path` as a pcap file, with the first file's link type, the
 * largest snapshot length, and nanosecond timestamps when a file has
 * them, else microseconds (-w with -r).  Refused
 * (TFE_ERR_USAGE) when the files have different link types or `path` is
 * one of them. */
bool tfe_capture_save(struct tfe_capture *cap, const char *path,
                      GError **err);

/* Frames the filter turned away that carry a VLAN tag (802.1Q, 802.1ad):
 * a filter without "vlan" does not look inside them. */
uint64_t tfe_capture_vlan_rejected(const struct tfe_capture *cap);

/* Live, Linux: joins the PACKET_FANOUT_HASH group `group` (1 to 65535),
 * so that the processes of the group share the interface's packets,
 * each connection's both ways to one of them (--fanout). */
bool tfe_capture_fanout(struct tfe_capture *cap, int group, GError **err);

/* Live: writes what is buffered for the save file to disk. */
void tfe_capture_flush(struct tfe_capture *cap);

/* Live: libpcap's packet counters; false when it has none. */
bool tfe_capture_stats(struct tfe_capture *cap, uint64_t *recv,
                       uint64_t *drop, uint64_t *ifdrop);

/* Live: the interface name, link type and snapshot length, for the
 * "listening on" line. */
void tfe_capture_describe(const struct tfe_capture *cap, GString *out);

/* How many of the capture's files have their records parsed by capture.c
 * rather than by libpcap's pcap_next_ex(). */
guint tfe_capture_own_files(const struct tfe_capture *cap);

/* For tests only, not an option of the program: while `only` is true,
 * captures opened read every record through pcap_next_ex(), so that a
 * test can hold the two readers' frames and errors against each other. */
void tfe_capture_libpcap_only(bool only);

/* Frames read so far, filtered out or not. */
uint64_t tfe_capture_frames(const struct tfe_capture *cap);

/* Fills out[] with each undecoded link type of the capture's files that
 * had frames handed over (at most `max`, in the order of the files) and
 * returns how many. */
guint tfe_capture_undecoded(const struct tfe_capture *cap,
                            struct tfe_linktype_count *out, guint max);

/* libpcap's name of a DLT_ value ("IEEE802_11_RADIO"), and its
 * description ("802.11 plus radiotap header"); never NULL. */
const char *tfe_capture_linktype_name(int linktype);
const char *tfe_capture_linktype_description(int linktype);

/* True when the input carries nanosecond timestamps. */
bool tfe_capture_nanos(const struct tfe_capture *cap);

void tfe_capture_close(struct tfe_capture *cap);

#endif /* TFE_CAPTURE_H */
