/*
 * ftp.h: the data connections an FTP control connection announces, read
 * as Wireshark's FTP dissector reads them (decode.c calls it for every
 * segment to or from port 21 with payload; zeek.c's tcp.completeness
 * uses what it finds, through analyze.c).
 *
 * Wireshark sets up the conversation of an announced data connection
 * before the connection's first packet; a SYN that finds a conversation
 * already there does not count as the stream's SYN, so such a stream's
 * tcp.completeness lacks bit 1 (doc/vocabulary.md).  Nothing else in the
 * analysis reads the payload of a segment.
 */
#ifndef TFE_FTP_H
#define TFE_FTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tfe_ftp_kind {
	TFE_FTP_NONE,
	/* a 227 (PASV) or 229 (EPSV) reply from port 21: the server's
	 * address and port; the client's port is left open */
	TFE_FTP_PASSIVE,
	/* a PORT command to port 21: the client's address (its port is
	 * left open: Wireshark keys the conversation on the server's port
	 * 20 and the address alone) */
	TFE_FTP_ACTIVE
};

/* The announced end: `family` 0 when the announcement gives no address
 * (EPSV: the replying server's own); `port` 0 for PORT. */
struct tfe_ftp_data {
	uint8_t family;          /* 4, 6, or 0 */
	uint16_t port;
	uint8_t addr[16];
};

/*
 * Reads the first line of a segment's captured payload `p` (`n` bytes),
 * sent from port 21 (`from_server`) or to it: a PASV or EPSV reply, or a
 * PORT command (upper case, as Wireshark matches it).  Fills
 * `out` and returns its kind, or TFE_FTP_NONE (with `out` untouched) for
 * anything else or anything malformed.
 */
enum tfe_ftp_kind tfe_ftp_announced(const uint8_t *p, size_t n,
                                    bool from_server,
                                    struct tfe_ftp_data *out);

#endif /* TFE_FTP_H */
