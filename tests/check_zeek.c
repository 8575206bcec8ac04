/*
 * check_zeek.c: the Zeek translation (conn_state and history) and the
 * Wireshark completeness bits, case by case from Zeek's documented rules
 * (base/protocols/conn/main.zeek: conn_state values and the order they are
 * tested in, history letters, case by direction, repeats, log-scaled
 * letters, ^) and Wireshark's completeness bits.
 *
 * Each case feeds segments straight into tfe_zeek_update() and compares
 * conn_state, history and completeness.  The client is 10.0.0.1:40000 and
 * the server 10.0.0.2 on port 80 (a likely server port for Zeek) unless the
 * case gives another server port.
 */
#include <stdio.h>

#include "testutil.h"
#include "zeek.h"

#define C true   /* from the client */
#define S false  /* from the server */

#define F_ TFE_TH_FIN
#define S_ TFE_TH_SYN
#define R_ TFE_TH_RST
#define P_ TFE_TH_PSH
#define A_ TFE_TH_ACK

struct zseg {
	bool from_client;
	uint16_t flags;
	uint32_t seq, ack, len;
	uint16_t win;
	int ms;              /* time, milliseconds from the start */
	bool bad_csum;
	bool cut;            /* payload not captured */
};

#define MAXSEG 24
struct zcase {
	const char *name;
	uint16_t server_port;  /* 0: 80 */
	bool ignore_csum;
	int n;
	struct zseg seg[MAXSEG];
	const char *conn_state;
	const char *history;
	unsigned completeness;
};

/* client ISN 1000, server ISN 5000 */
#define SYN        { C, S_, .seq = 1000, .win = 64240, .ms = 0 }
#define SYNACK(t)  { S, S_ | A_, .seq = 5000, .ack = 1001, .win = 65160, \
                     .ms = t }
#define ACK3(t)    { C, A_, .seq = 1001, .ack = 5001, .win = 502, .ms = t }
#define HANDSHAKE  SYN, SYNACK(10), ACK3(20)

/* Letters come in Zeek's order within a segment: its flag letter (A, D,
 * F ...) first, then W for its window, T for its sequence number, and G
 * for what its ACK reveals of the peer's stream.  Completeness bits are
 * Wireshark's: a pure ACK, a FIN+ACK or a RST+ACK without payload sets
 * ACK (4), data with an ACK does not; a SYN with payload sets DATA too,
 * a SYN+ACK with payload does not; FIN counts only with ACK, payload only
 * with ACK or on a SYN; only a SYN without ACK that starts the stream
 * sets SYN; the stream's first segment, unless such a SYN, counts only
 * once another follows it. */

static const struct zcase cases[] = {
	/* ---- every conn_state value */
	{ .name = "S0: a SYN, no answer",
	  .n = 1,
	  .seg = { SYN },
	  .conn_state = "S0", .history = "S", .completeness = 0x01 },
	{ .name = "S0: the same SYN again is one S",
	  .n = 3,
	  .seg = { SYN,
	           { C, S_, .seq = 1000, .win = 64240, .ms = 1000 },
	           { C, S_, .seq = 1000, .win = 64240, .ms = 3000 } },
	  .conn_state = "S0", .history = "S", .completeness = 0x01 },
	{ .name = "REJ: SYN answered by RST",
	  .n = 2,
	  .seg = { SYN,
	           { S, R_ | A_, .seq = 0, .ack = 1001, .win = 0, .ms = 1 } },
	  .conn_state = "REJ", .history = "Sr", .completeness = 0x25 },
	{ .name = "S1: handshake only",
	  .n = 3,
	  .seg = { HANDSHAKE },
	  .conn_state = "S1", .history = "ShA", .completeness = 0x07 },
	{ .name = "SF: request, reply, both close",
	  .n = 11,
	  .seg = { HANDSHAKE,
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 30 },
	           { S, A_, .seq = 5001, .ack = 1011, .win = 509, .ms = 40 },
	           { S, P_ | A_, .seq = 5001, .ack = 1011, .len = 20, .win = 509, .ms = 50 },
	           { C, A_, .seq = 1011, .ack = 5021, .win = 502, .ms = 60 },
	           { C, F_ | A_, .seq = 1011, .ack = 5021, .win = 502, .ms = 70 },
	           { S, A_, .seq = 5021, .ack = 1012, .win = 509, .ms = 80 },
	           { S, F_ | A_, .seq = 5021, .ack = 1012, .win = 509, .ms = 90 },
	           { C, A_, .seq = 1012, .ack = 5022, .win = 502, .ms = 100 } },
	  .conn_state = "SF", .history = "ShADadFf", .completeness = 0x1f },
	{ .name = "SF: the last ACK lost is still SF",
	  .n = 6,
	  .seg = { HANDSHAKE,
	           { C, F_ | A_, .seq = 1001, .ack = 5001, .win = 502, .ms = 30 },
	           { S, F_ | A_, .seq = 5001, .ack = 1002, .win = 509, .ms = 40 },
	           { S, F_ | A_, .seq = 5001, .ack = 1002, .win = 509, .ms = 440 } },
	  .conn_state = "SF", .history = "ShAFf", .completeness = 0x17 },
	{ .name = "S2: the originator closed, no answer",
	  .n = 4,
	  .seg = { HANDSHAKE,
	           { C, F_ | A_, .seq = 1001, .ack = 5001, .win = 502, .ms = 30 } },
	  .conn_state = "S2", .history = "ShAF", .completeness = 0x17 },
	{ .name = "S3: the responder closed, no answer",
	  .n = 4,
	  .seg = { HANDSHAKE,
	           { S, F_ | A_, .seq = 5001, .ack = 1001, .win = 509, .ms = 30 } },
	  .conn_state = "S3", .history = "ShAf", .completeness = 0x17 },
	{ .name = "RSTO: the originator aborts",
	  .n = 4,
	  .seg = { HANDSHAKE,
	           { C, R_ | A_, .seq = 1001, .ack = 5001, .win = 0, .ms = 30 } },
	  .conn_state = "RSTO", .history = "ShAR", .completeness = 0x27 },
	{ .name = "RSTR: the responder aborts",
	  .n = 4,
	  .seg = { HANDSHAKE, { S, R_, .seq = 5001, .win = 0, .ms = 30 } },
	  .conn_state = "RSTR", .history = "ShAr", .completeness = 0x27 },
	{ .name = "RSTOS0: SYN then RST from the originator, no SYN+ACK",
	  .n = 2,
	  .seg = { SYN, { C, R_, .seq = 1001, .win = 0, .ms = 30 } },
	  .conn_state = "RSTOS0", .history = "SR", .completeness = 0x21 },
	{ .name = "RSTRH: SYN+ACK then RST from the responder, no SYN",
	  .n = 2,
	  .seg = { SYNACK(0), { S, R_, .seq = 5001, .win = 0, .ms = 30 } },
	  .conn_state = "RSTRH", .history = "^hr", .completeness = 0x22 },
	{ .name = "SH: SYN then FIN from the originator, no SYN+ACK",
	  .n = 2,
	  .seg = { SYN, { C, F_ | A_, .seq = 1001, .win = 502, .ms = 30 } },
	  .conn_state = "SH", .history = "SF", .completeness = 0x15 },
	{ .name = "SHR: SYN+ACK then FIN from the responder, no SYN",
	  .n = 2,
	  .seg = { SYNACK(0),
	           { S, F_ | A_, .seq = 5001, .ack = 1001, .win = 509, .ms = 30 } },
	  .conn_state = "SHR", .history = "^hf", .completeness = 0x16 },
	{ .name = "OTH: mid-stream data, no SYN",
	  .n = 2,
	  .seg = { { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 0 },
	           { C, P_ | A_, .seq = 1011, .ack = 5001, .len = 10, .win = 502, .ms = 10 } },
	  .conn_state = "OTH", .history = "D", .completeness = 0x08 },
	{ .name = "OTH: a RST alone is not RSTOS0",
	  .n = 1,
	  .seg = { { C, R_, .seq = 1001, .win = 0, .ms = 0 } },
	  .conn_state = "OTH", .history = "R", .completeness = 0x00 },

	/* ---- history letters */
	{ .name = "F again at the same sequence number is one F",
	  .n = 5,
	  .seg = { HANDSHAKE,
	           { C, F_ | A_, .seq = 1001, .ack = 5001, .win = 502, .ms = 30 },
	           { C, F_ | A_, .seq = 1001, .ack = 5001, .win = 502, .ms = 230 } },
	  .conn_state = "S2", .history = "ShAF", .completeness = 0x17 },
	{ .name = "F at a new sequence number is another F",
	  .n = 5,
	  .seg = { HANDSHAKE,
	           { C, F_ | A_, .seq = 1001, .ack = 5001, .win = 502, .ms = 30 },
	           { C, F_ | A_, .seq = 1001, .ack = 5001, .len = 5, .win = 502, .ms = 230 } },
	  .conn_state = "S2", .history = "ShAFF", .completeness = 0x1f },
	{ .name = "R again at the same and at a new sequence number",
	  .n = 6,
	  .seg = { HANDSHAKE,
	           { S, R_, .seq = 5001, .win = 0, .ms = 30 },
	           { S, R_, .seq = 5001, .win = 0, .ms = 40 },
	           { S, R_, .seq = 5100, .win = 0, .ms = 50 } },
	  .conn_state = "RSTR", .history = "ShArr", .completeness = 0x27 },
	{ .name = "A and D once per direction, in the sender's case",
	  .n = 9,
	  .seg = { HANDSHAKE,
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 30 },
	           { C, P_ | A_, .seq = 1011, .ack = 5001, .len = 10, .win = 502, .ms = 31 },
	           { S, A_, .seq = 5001, .ack = 1021, .win = 509, .ms = 40 },
	           { S, A_, .seq = 5001, .ack = 1021, .win = 509, .ms = 41 },
	           { S, P_ | A_, .seq = 5001, .ack = 1021, .len = 10, .win = 509, .ms = 50 },
	           { S, P_ | A_, .seq = 5011, .ack = 1021, .len = 10, .win = 509, .ms = 51 } },
	  .conn_state = "S1", .history = "ShADad", .completeness = 0x0f },
	{ .name = "T on the 1st and the 10th retransmission",
	  .n = 14,
	  .seg = { HANDSHAKE,
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 30 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 31 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 32 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 33 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 34 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 35 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 36 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 37 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 38 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 39 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 40 } },
	  .conn_state = "S1", .history = "ShADTT", .completeness = 0x0f },
	{ .name = "T nine times is one T",
	  .n = 13,
	  .seg = { HANDSHAKE,
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 30 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 31 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 32 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 33 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 34 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 35 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 36 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 37 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 38 },
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 39 } },
	  .conn_state = "S1", .history = "ShADT", .completeness = 0x0f },
	{ .name = "w: the responder's zero window, 1st and 10th",
	  .n = 13,
	  .seg = { HANDSHAKE,
	           { S, A_, .seq = 5001, .ack = 1001, .win = 0, .ms = 30 },
	           { S, A_, .seq = 5001, .ack = 1001, .win = 0, .ms = 31 },
	           { S, A_, .seq = 5001, .ack = 1001, .win = 0, .ms = 32 },
	           { S, A_, .seq = 5001, .ack = 1001, .win = 0, .ms = 33 },
	           { S, A_, .seq = 5001, .ack = 1001, .win = 0, .ms = 34 },
	           { S, A_, .seq = 5001, .ack = 1001, .win = 0, .ms = 35 },
	           { S, A_, .seq = 5001, .ack = 1001, .win = 0, .ms = 36 },
	           { S, A_, .seq = 5001, .ack = 1001, .win = 0, .ms = 37 },
	           { S, A_, .seq = 5001, .ack = 1001, .win = 0, .ms = 38 },
	           { S, A_, .seq = 5001, .ack = 1001, .win = 0, .ms = 39 } },
	  .conn_state = "S1", .history = "ShAaww", .completeness = 0x07 },
	{ .name = "C: a bad checksum is a C and otherwise ignored",
	  .n = 4,
	  .seg = { HANDSHAKE,
	           { C, F_ | A_, .seq = 1001, .ack = 5001, .win = 502, .ms = 30, .bad_csum = true } },
	  .conn_state = "S1", .history = "ShAC", .completeness = 0x17 },
	{ .name = "C: not with checksums ignored (zeek -C)",
	  .ignore_csum = true, .n = 4,
	  .seg = { HANDSHAKE,
	           { C, F_ | A_, .seq = 1001, .ack = 5001, .win = 502, .ms = 30, .bad_csum = true } },
	  .conn_state = "S2", .history = "ShAF", .completeness = 0x17 },
	{ .name = "Q: SYN+FIN",
	  .n = 1,
	  .seg = { { C, S_ | F_, .seq = 1000, .win = 64240, .ms = 0 } },
	  .conn_state = "SH", .history = "Q", .completeness = 0x01 },
	{ .name = "I: FIN+RST",
	  .n = 4,
	  .seg = { HANDSHAKE,
	           { S, F_ | R_ | A_, .seq = 5001, .ack = 1001, .win = 0, .ms = 30 } },
	  .conn_state = "RSTR", .history = "ShAi", .completeness = 0x37 },
	{ .name = "G: the responder acknowledges bytes never seen",
	  .n = 5,
	  .seg = { HANDSHAKE,
	           { C, P_ | A_, .seq = 1101, .ack = 5001, .len = 10, .win = 502, .ms = 30 },
	           { S, A_, .seq = 5001, .ack = 1111, .win = 509, .ms = 40 } },
	  .conn_state = "S1", .history = "ShADaG", .completeness = 0x0f },
	{ .name = "G: payload cut by the snapshot length is a gap too",
	  .n = 5,
	  .seg = { HANDSHAKE,
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 30, .cut = true },
	           { S, A_, .seq = 5001, .ack = 1011, .win = 509, .ms = 40 } },
	  .conn_state = "S1", .history = "ShADaG", .completeness = 0x0f },
	{ .name = "^: mid-stream, the sender's port looks like a server's",
	  .n = 2,
	  .seg = { { S, P_ | A_, .seq = 5001, .ack = 1001, .len = 10, .win = 509, .ms = 0 },
	           { C, A_, .seq = 1001, .ack = 5011, .win = 502, .ms = 10 } },
	  .conn_state = "OTH", .history = "^dA", .completeness = 0x0c },
	{ .name = "^: SYN+ACK then an ACK: flipped (no port hint)",
	  .server_port = 5000, .n = 2,
	  .seg = { SYNACK(0), ACK3(10) },
	  .conn_state = "S1", .history = "H^A", .completeness = 0x06 },
	{ .name = "no ^ when neither port hints",
	  .server_port = 5000, .n = 2,
	  .seg = { { S, P_ | A_, .seq = 5001, .ack = 1001, .len = 10, .win = 509, .ms = 0 },
	           { C, A_, .seq = 1001, .ack = 5011, .win = 502, .ms = 10 } },
	  .conn_state = "OTH", .history = "Da", .completeness = 0x0c },

	/* ---- Wireshark completeness beyond the handshake */
	{ .name = "completeness: a SYN with payload sets DATA too",
	  .server_port = 5000, .n = 2,
	  .seg = { { C, S_, .seq = 1000, .len = 20, .win = 64240, .ms = 0 },
	           { S, S_ | A_, .seq = 5000, .ack = 1021, .win = 65160, .ms = 10 } },
	  /* Zeek starts the SYN's endpoint past its payload, so the
	   * payload reads as sent again: T */
	  .conn_state = "S1", .history = "STh", .completeness = 0x0b },
	{ .name = "completeness: a SYN+ACK with payload sets no DATA",
	  .server_port = 5000, .n = 3,
	  .seg = { SYN,
	           { S, S_ | A_, .seq = 5000, .ack = 1001, .len = 20, .win = 65160, .ms = 10 },
	           { C, A_, .seq = 1001, .ack = 5021, .win = 502, .ms = 20 } },
	  .conn_state = "S1", .history = "ShtA", .completeness = 0x07 },
	{ .name = "completeness: a lone non-SYN packet counts for nothing",
	  .server_port = 5000, .n = 1,
	  .seg = { { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 0 } },
	  .conn_state = "OTH", .history = "D", .completeness = 0x00 },
	{ .name = "completeness: the first packet's FIN counts once another "
	          "follows",
	  .server_port = 5000, .n = 2,
	  .seg = { { C, F_ | A_, .seq = 1001, .ack = 5001, .win = 502, .ms = 0 },
	           { S, A_, .seq = 5001, .ack = 1002, .win = 509, .ms = 10 } },
	  .conn_state = "SH", .history = "Fa", .completeness = 0x14 },
	{ .name = "completeness: the first packet's ACK counts once a RST "
	          "follows",
	  .server_port = 5000, .n = 2,
	  .seg = { { C, A_, .seq = 1001, .ack = 5001, .win = 502, .ms = 0 },
	           { S, R_, .seq = 5001, .ms = 10 } },
	  .conn_state = "RSTRH", .history = "Ar", .completeness = 0x24 },
	{ .name = "completeness: a lone SYN+ACK counts for nothing",
	  .server_port = 5000, .n = 1, .seg = { SYNACK(0) },
	  .conn_state = "OTH", .history = "H", .completeness = 0x00 },
	{ .name = "completeness: a FIN without ACK sets no FIN bit",
	  .server_port = 5000, .n = 2,
	  .seg = { { C, F_, .seq = 1001, .win = 502, .ms = 0 },
	           { S, R_ | A_, .ack = 1002, .ms = 10 } },
	  .conn_state = "RSTR", .history = "Fr", .completeness = 0x24 },
	{ .name = "completeness: payload without ACK sets no DATA bit",
	  .server_port = 5000, .n = 2,
	  .seg = { { C, 0, .seq = 1001, .len = 1, .win = 502, .ms = 0 },
	           { C, 0, .seq = 1002, .len = 89, .win = 502, .ms = 10 } },
	  .conn_state = "OTH", .history = "D", .completeness = 0x00 },
	/* ---- one direction only, originator choice and flips */
	{ .name = "SH: one direction only, mid-stream data, ACK, FIN",
	  .server_port = 5000, .n = 3,
	  .seg = { { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 0 },
	           { C, A_, .seq = 1011, .ack = 5001, .win = 502, .ms = 10 },
	           { C, F_ | A_, .seq = 1011, .ack = 5001, .win = 502, .ms = 20 } },
	  .conn_state = "SH", .history = "DAF", .completeness = 0x1c },
	{ .name = "SHR: the same from a likely server port: flipped first",
	  .n = 3,
	  .seg = { { S, P_ | A_, .seq = 5001, .ack = 1001, .len = 10, .win = 509, .ms = 0 },
	           { S, A_, .seq = 5011, .ack = 1001, .win = 509, .ms = 10 },
	           { S, F_ | A_, .seq = 5011, .ack = 1001, .win = 509, .ms = 20 } },
	  .conn_state = "SHR", .history = "^daf", .completeness = 0x1c },
	{ .name = "S1: SYN+ACK before the SYN: the SYN flips, after its s; "
	          "a SYN that does not start the stream sets no SYN bit",
	  .server_port = 5000, .n = 3,
	  .seg = { SYNACK(0), { C, S_, .seq = 1000, .win = 64240, .ms = 10 },
	           ACK3(20) },
	  .conn_state = "S1", .history = "Hs^A", .completeness = 0x06 },
	{ .name = "S1: the SYN missed, the SYN+ACK seen (likely server port)",
	  .n = 4,
	  .seg = { SYNACK(0), ACK3(10),
	           { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 20 },
	           { S, P_ | A_, .seq = 5001, .ack = 1011, .len = 10, .win = 509, .ms = 30 } },
	  .conn_state = "S1", .history = "^hADd", .completeness = 0x0e },
	{ .name = "SF: mid-stream, both close",
	  .server_port = 5000, .n = 5,
	  .seg = { { C, P_ | A_, .seq = 1001, .ack = 5001, .len = 10, .win = 502, .ms = 0 },
	           { S, P_ | A_, .seq = 5001, .ack = 1011, .len = 10, .win = 509, .ms = 10 },
	           { C, F_ | A_, .seq = 1011, .ack = 5011, .win = 502, .ms = 20 },
	           { S, F_ | A_, .seq = 5011, .ack = 1012, .win = 509, .ms = 30 },
	           { C, A_, .seq = 1012, .ack = 5012, .win = 502, .ms = 40 } },
	  .conn_state = "SF", .history = "DdFfA", .completeness = 0x1c },

	/* ---- Zeek's connection ends before ours */
	{ .name = "attempt timer: a SYN+ACK after 5 s is another connection",
	  .n = 2,
	  .seg = { SYN, SYNACK(6000) },
	  .conn_state = "S0", .history = "S", .completeness = 0x03 },
	{ .name = "a new SYN after a close is another connection",
	  .n = 6,
	  .seg = { HANDSHAKE,
	           { C, R_, .seq = 1001, .win = 0, .ms = 30 },
	           { C, S_, .seq = 9000, .win = 64240, .ms = 40 },
	           { S, S_ | A_, .seq = 7000, .ack = 9001, .win = 65160, .ms = 50 } },
	  .conn_state = "RSTO", .history = "ShAR", .completeness = 0x27 },
};

START_TEST(zeek_case)
{
	const struct zcase *k = &cases[_i];
	struct tfe_zeek z;

	tfe_zeek_init(&z);
	for (int i = 0; i < k->n; i++) {
		const struct zseg *g = &k->seg[i];
		struct tfe_segment s = tfe_test_segment(g->from_client, g->flags,
		                                        g->seq, g->ack, g->len,
		                                        g->win, 64, (uint16_t)i);
		if (k->server_port) {
			if (g->from_client)
				s.dport = k->server_port;
			else
				s.sport = k->server_port;
		}
		s.captured_payload = g->cut ? 0 : g->len;
		s.csum = g->bad_csum ? TFE_CSUM_BAD : TFE_CSUM_OK;
		tfe_zeek_update(&z, &s, g->from_client ? 0 : 1,
		                (int64_t)g->ms * 1000000, k->ignore_csum);
	}
	ck_assert_msg(strcmp(tfe_zeek_conn_state_names[tfe_zeek_state_of(&z)],
	                     k->conn_state) == 0, "%s: conn_state %s, want %s",
	              k->name, tfe_zeek_conn_state_names[tfe_zeek_state_of(&z)],
	              k->conn_state);
	ck_assert_msg(strcmp(tfe_zeek_history_of(&z), k->history) == 0,
	              "%s: history %s, want %s", k->name,
	              tfe_zeek_history_of(&z), k->history);
	ck_assert_msg(z.completeness == k->completeness,
	              "%s: completeness %u, want %u", k->name, z.completeness,
	              k->completeness);
	tfe_zeek_clear(&z);
}
END_TEST

/* Every name table entry is there. */
START_TEST(zeek_names)
{
	for (int i = 0; i < TFE_ZK__COUNT; i++)
		ck_assert_ptr_nonnull(tfe_zeek_state_names[i]);
	for (int i = 0; i < TFE_ZCS__COUNT; i++)
		ck_assert_ptr_nonnull(tfe_zeek_conn_state_names[i]);
}
END_TEST

/* Every conn_state value is produced by some case. */
START_TEST(zeek_every_state)
{
	for (int v = 0; v < TFE_ZCS__COUNT; v++) {
		bool found = false;
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
			if (strcmp(cases[i].conn_state,
			           tfe_zeek_conn_state_names[v]) == 0)
				found = true;
		ck_assert_msg(found, "no case for %s",
		              tfe_zeek_conn_state_names[v]);
	}
}
END_TEST

/* A history longer than the room kept in struct tfe_zeek moves to an
 * allocation of its own with every letter kept, up to the longest one
 * (TFE_ZEEK_HISTORY_MAX): the responder's RSTs at new sequence numbers
 * add an 'r' each. */
START_TEST(zeek_long_history)
{
	static const struct zseg hs[] = { HANDSHAKE };
	struct tfe_zeek z;
	char want[TFE_ZEEK_HISTORY_MAX + 1];
	int n = 0;

	tfe_zeek_init(&z);
	for (int i = 0; i < 3; i++) {
		const struct zseg *g = &hs[i];
		struct tfe_segment s = tfe_test_segment(g->from_client, g->flags,
		                                        g->seq, g->ack, g->len,
		                                        g->win, 64, (uint16_t)i);
		tfe_zeek_update(&z, &s, g->from_client ? 0 : 1,
		                (int64_t)g->ms * 1000000, false);
	}
	n += snprintf(want, sizeof want, "ShA");
	for (int i = 0; i < 80; i++) {
		struct tfe_segment s = tfe_test_segment(false, R_,
		                                        5001 + 100 * (uint32_t)i,
		                                        0, 0, 0, 64,
		                                        (uint16_t)(3 + i));
		tfe_zeek_update(&z, &s, 1, (int64_t)(30 + i) * 1000000, false);
		if (n < TFE_ZEEK_HISTORY_MAX)
			want[n++] = 'r';
		want[n] = '\0';
		ck_assert_msg(strcmp(tfe_zeek_history_of(&z), want) == 0,
		              "after %d RSTs: history %s, want %s", i + 1,
		              tfe_zeek_history_of(&z), want);
	}
	ck_assert_uint_eq(strlen(tfe_zeek_history_of(&z)),
	                  TFE_ZEEK_HISTORY_MAX);
	ck_assert_str_eq(tfe_zeek_conn_state_names[tfe_zeek_state_of(&z)],
	                 "RSTR");
	tfe_zeek_clear(&z);
	ck_assert_str_eq(tfe_zeek_history_of(&z), "");
}
END_TEST

/* The first fragment of an IPv4 datagram that was not reassembled: tshark
 * cannot tell its segment's length, so it sets neither DATA (a SYN with
 * payload, or data with ACK) nor ACK; the whole segment gives both. */
START_TEST(zeek_first_fragment)
{
	for (int frag = 0; frag < 2; frag++) {
		struct tfe_zeek z;
		struct tfe_segment s;

		tfe_zeek_init(&z);
		s = tfe_test_segment(true, S_, 1000, 0, 20, 64240, 64, 0);
		s.ip_first_fragment = frag;
		s.has_ip_id = true;
		tfe_zeek_update(&z, &s, 0, 0, false);
		s = tfe_test_segment(false, S_ | A_, 5000, 1021, 0, 65160, 64, 1);
		tfe_zeek_update(&z, &s, 1, 10000000, false);
		s = tfe_test_segment(true, A_, 1021, 5001, 0, 502, 64, 2);
		s.ip_first_fragment = frag;
		s.has_ip_id = true;
		tfe_zeek_update(&z, &s, 0, 20000000, false);
		s = tfe_test_segment(true, P_ | A_, 1021, 5001, 10, 502, 64, 3);
		s.ip_first_fragment = frag;
		s.has_ip_id = true;
		tfe_zeek_update(&z, &s, 0, 30000000, false);
		ck_assert_uint_eq(z.completeness,
		                  frag ? TFE_WS_SYN | TFE_WS_SYNACK
		                       : TFE_WS_SYN | TFE_WS_SYNACK |
		                         TFE_WS_ACK | TFE_WS_DATA);
		tfe_zeek_clear(&z);
	}
}
END_TEST

START_TEST(zeek_likely_ports)
{
	ck_assert(tfe_zeek_likely_server_port(80));
	ck_assert(tfe_zeek_likely_server_port(22));
	ck_assert(tfe_zeek_likely_server_port(443));
	ck_assert(!tfe_zeek_likely_server_port(40000));
	ck_assert(!tfe_zeek_likely_server_port(0));
	ck_assert(!tfe_zeek_likely_server_port(65535));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("zeek");
	TCase *tc = tcase_create("cases");

	tcase_add_loop_test(tc, zeek_case, 0,
	                    (int)(sizeof cases / sizeof cases[0]));
	tcase_add_test(tc, zeek_names);
	tcase_add_test(tc, zeek_every_state);
	tcase_add_test(tc, zeek_long_history);
	tcase_add_test(tc, zeek_likely_ports);
	tcase_add_test(tc, zeek_first_fragment);
	suite_add_tcase(s, tc);
	return tfe_test_main(s);
}
