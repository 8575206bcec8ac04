/*
 * zeek.h: the same connection in Zeek's and Wireshark's words.
 *
 * For every segment of a connection, zeek.c runs a model of what Zeek's TCP
 * analyzer does with it (its endpoint states INACTIVE, SYN_SENT,
 * SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET; its history letters;
 * its choice of originator and its flips; its checksum check; the content
 * gaps its reassembler reports; its timers, after which Zeek would log the
 * rest as another connection), and of the conversation completeness bits
 * Wireshark's TCP dissector sets.  At the end, conn_state is derived the way
 * Zeek's base/protocols/conn/main.zeek does.  It is a translation: where our
 * own analysis sees a connection differently, these still say what Zeek and
 * Wireshark would say.  doc/vocabulary.md lists the rules and the corner
 * cases where the translation is known to differ from Zeek.
 *
 * Memory per connection is constant (struct tfe_zeek is embedded in
 * struct tfe_conn); nothing is allocated or formatted per segment.
 */
#ifndef TFE_ZEEK_H
#define TFE_ZEEK_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"

/* Zeek's TCP endpoint states (its TCP_ENDPOINT_*), in its order. */
enum tfe_zeek_state {
	TFE_ZK_INACTIVE,
	TFE_ZK_SYN_SENT,
	TFE_ZK_SYN_ACK_SENT,
	TFE_ZK_PARTIAL,
	TFE_ZK_ESTABLISHED,
	TFE_ZK_CLOSED,
	TFE_ZK_RESET,
	TFE_ZK__COUNT
};
extern const char *const tfe_zeek_state_names[TFE_ZK__COUNT];

/* Zeek's conn_state values (base/protocols/conn/main.zeek). */
enum tfe_zeek_conn_state {
	TFE_ZCS_S0, TFE_ZCS_S1, TFE_ZCS_SF, TFE_ZCS_REJ, TFE_ZCS_S2,
	TFE_ZCS_S3, TFE_ZCS_RSTO, TFE_ZCS_RSTR, TFE_ZCS_RSTOS0,
	TFE_ZCS_RSTRH, TFE_ZCS_SH, TFE_ZCS_SHR, TFE_ZCS_OTH,
	TFE_ZCS__COUNT
};
extern const char *const tfe_zeek_conn_state_names[TFE_ZCS__COUNT];

/* Wireshark's tcp.completeness bits. */
#define TFE_WS_SYN     0x01
#define TFE_WS_SYNACK  0x02
#define TFE_WS_ACK     0x04
#define TFE_WS_DATA    0x08
#define TFE_WS_FIN     0x10
#define TFE_WS_RST     0x20

/* Longest history kept; Zeek's own string has no limit, but only the
 * repeated S/H/F/R letters can make it longer than about 30.  Up to
 * TFE_ZEEK_HISTORY_INLINE letters are kept in struct tfe_zeek itself,
 * longer ones in an allocation of their own. */
#define TFE_ZEEK_HISTORY_MAX 63
#define TFE_ZEEK_HISTORY_INLINE 23
/* Out-of-order blocks the reassembly model keeps per side. */
#define TFE_ZEEK_BLOCKS 8

/* One endpoint as Zeek's TCP_Endpoint sees it.  Sequence numbers are raw
 * (start_seq, last_seq, ack_seq) or relative to start_seq (the rest),
 * all modulo 2^32.  The log-scaled letters keep a counter each and the
 * power of ten it must reach next. */
struct tfe_zeek_ep {
	/* held out-of-order blocks: allocated at the first one, which most
	 * connections never have */
	struct tfe_zeek_blocks *blk;
	uint32_t start_seq;          /* raw: relative 0 (its ISN) */
	uint32_t last_seq;           /* raw: one past the highest sent */
	uint32_t ack_seq;            /* raw: highest ACK of its data */
	uint32_t hist_last_syn, hist_last_fin, hist_last_rst; /* relative */
	uint32_t fin_seq;            /* relative, one past its FIN */
	uint32_t rxmt_cnt, win0_cnt, gap_cnt, chk_cnt; /* counters */
	/* its data as Zeek's reassembler holds it (relative) */
	uint32_t reassem;            /* next byte to deliver */
	uint32_t trim;               /* acknowledged up to here */
	uint8_t state, prev_state;   /* enum tfe_zeek_state */
	bool did_close;              /* Zeek reported it closed (FIN/RST) */
	bool fin_seen;               /* it has sent a FIN */
	uint8_t nblocks;             /* of blk->lo, blk->hi in use */
	/* next thresholds of the counters, as exponents of ten */
	uint8_t rxmt_exp, win0_exp, gap_exp, chk_exp;
};

struct tfe_zeek_blocks {
	uint32_t lo[TFE_ZEEK_BLOCKS], hi[TFE_ZEEK_BLOCKS];
};

struct tfe_zeek {
	struct tfe_zeek_ep ep[2];    /* indexed by our side (TFE_SIDE_*) */
	int64_t last_time;           /* Zeek's Conn LastTime (ns) */
	int64_t attempt_at;          /* attempt timer, 0 if none */
	int64_t delete_at;           /* removal after a full close, 0 if none */
	uint16_t hist_seen;          /* letters seen: bits by role (the
	                                responder's 8 up) */
	uint8_t orig;                /* our side Zeek takes as originator */
	uint8_t first_seen;          /* bit 1 orig, bit 2 resp: first packet
	                                of that role seen */
	uint8_t completeness;        /* Wireshark's bits */
	uint8_t ws_first;            /* the bits of the stream's first
	                                packet (unless a SYN without ACK)
	                                until another packet follows it */
	uint8_t hist_len;
	bool started : 1;            /* Zeek has a connection for it */
	bool over : 1;               /* Zeek's connection ended; later
	                                segments would be another one */
	bool is_partial : 1;
	bool ws_seen : 1;            /* Wireshark saw the stream's first
	                                packet; set before it when the
	                                stream's conversation was there
	                                already (tfe_zeek_announced()) */
	bool fast_ok : 1;            /* what zeek.c's fast path needs of the
	                                connection holds (set after each
	                                segment of the general path) */
	union {                      /* NUL-terminated: in up to
	                                TFE_ZEEK_HISTORY_INLINE letters, else
	                                ext (TFE_ZEEK_HISTORY_MAX + 1 bytes) */
		char in[TFE_ZEEK_HISTORY_INLINE + 1];
		char *ext;
	} history;
};

struct tfe_conn;

/* Zeroes `z`: nothing seen yet. */
void tfe_zeek_init(struct tfe_zeek *z);

/* The history letters so far, NUL-terminated. */
static inline const char *
tfe_zeek_history_of(const struct tfe_zeek *z)
{
	return z->hist_len > TFE_ZEEK_HISTORY_INLINE ? z->history.ext
	                                             : z->history.in;
}

/* Frees what tfe_zeek_update() allocated. */
void tfe_zeek_clear(struct tfe_zeek *z);

/* Before its first segment: the connection is a data connection an FTP
 * control connection announced (ftp.h), whose conversation Wireshark set
 * up already: its first packet counts as any later one, and a SYN
 * without ACK sets no SYN bit of tcp.completeness. */
void tfe_zeek_announced(struct tfe_zeek *z);

/* Feeds one segment from our side `side` at `ts` (ns).  With
 * `ignore_checksums` the model runs as `zeek -C` does. */
void tfe_zeek_update(struct tfe_zeek *z, const struct tfe_segment *s,
                     int side, int64_t ts, bool ignore_checksums);

/* The results; valid after tfe_conn_finish(). */
enum tfe_zeek_conn_state tfe_zeek_state_of(const struct tfe_zeek *z);
const char *tfe_zeek_conn_state(const struct tfe_conn *c);
const char *tfe_zeek_history(const struct tfe_conn *c); /* NUL-terminated;
                                                          "" when Zeek saw
                                                          nothing */
unsigned tfe_wireshark_completeness(const struct tfe_conn *c);

/* Is `port` among the TCP ports Zeek's default scripts list in
 * likely_server_ports? */
bool tfe_zeek_likely_server_port(uint16_t port);

#endif /* TFE_ZEEK_H */
