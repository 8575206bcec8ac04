/*
 * check_verdict.c: every verdict kind, where it fires and its near misses.
 *
 * Each case is a short list of segments (who sends, flags, seq, ack,
 * length, time in ms, window, TTL), how the connection ended, how much
 * capture followed its last frame, and one verdict kind that must be found
 * or must not be.  Client ISN 1000, server ISN 5000.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "conn.h"
#include "local.h"
#include "testutil.h"
#include "verdict.h"

#define C TFE_SIDE_CLIENT
#define S TFE_SIDE_SERVER

#define F_S  TFE_TH_SYN
#define F_SA (TFE_TH_SYN | TFE_TH_ACK)
#define F_A  TFE_TH_ACK
#define F_PA (TFE_TH_PSH | TFE_TH_ACK)
#define F_FA (TFE_TH_FIN | TFE_TH_ACK)
#define F_R  TFE_TH_RST
#define F_RA (TFE_TH_RST | TFE_TH_ACK)
#define F_SF (TFE_TH_SYN | TFE_TH_FIN)
#define F_F  TFE_TH_FIN

struct vseg {
	int from;
	uint16_t flags;
	uint32_t seq, ack, len;
	int ms;             /* time of the frame, ms from 0 */
	int win;            /* -1: 1000 */
	int ttl;            /* 0: 64 */
	int ip_id;          /* 0: the frame's time in ms + 100 (a counter);
	                       -1: IP ID 0 */
	uint8_t opts;       /* TFE_OPT_* (none unless VO) */
	uint16_t mss;
	uint8_t wscale;
	/* not a segment: an ICMPv4 error of this type (0: none) and code
	 * that quotes a segment `from` sent with `flags` and `seq` (its
	 * ack, len, win, ttl unused); sent by a router (10.0.0.254), or
	 * by the peer when `ttl` is 1 */
	uint8_t icmp_type, icmp_code;
	uint16_t mtu;
};

#define MAX_SEGS 14

struct vcase {
	const char *name;
	enum tfe_verdict_kind kind;
	bool fires;
	enum tfe_end_cause cause;
	int after_ms;       /* capture after the last frame */
	struct vseg segs[MAX_SEGS];
	int n;
};

#define V(from, flags, seq, ack, len, ms) { from, flags, seq, ack, len, ms, -1, 0, 0, 0, 0, 0, 0, 0, 0 }
#define VW(from, flags, seq, ack, len, ms, win) { from, flags, seq, ack, len, ms, win, 0, 0, 0, 0, 0, 0, 0, 0 }
#define VT(from, flags, seq, ack, len, ms, ttl) { from, flags, seq, ack, len, ms, -1, ttl, 0, 0, 0, 0, 0, 0, 0 }
#define VI(from, flags, seq, ack, len, ms, id) { from, flags, seq, ack, len, ms, -1, 0, id, 0, 0, 0, 0, 0, 0 }
#define VO(from, flags, seq, ack, len, ms, opts, mss, ws) \
	{ from, flags, seq, ack, len, ms, -1, 0, 0, opts, mss, ws, 0, 0, 0 }
#define VX(from, flags, seq, ms, type, code) \
	{ from, flags, seq, 0, 0, ms, -1, 0, 0, 0, 0, 0, type, code, 0 }
#define VXP(from, flags, seq, ms, type, code) \
	{ from, flags, seq, 0, 0, ms, -1, 1, 0, 0, 0, 0, type, code, 0 }
#define VXM(from, flags, seq, ms, mtu) \
	{ from, flags, seq, 0, 0, ms, -1, 0, 0, 0, 0, 0, 3, 4, mtu }
#define O_MW (TFE_OPT_MSS | TFE_OPT_WSCALE)
#define O_ALL (TFE_OPT_MSS | TFE_OPT_WSCALE | TFE_OPT_SACKOK | TFE_OPT_TS)

#define OPEN \
	V(C, F_S, 1000, 0, 0, 0), \
	V(S, F_SA, 5000, 1001, 0, 10), \
	V(C, F_A, 1001, 5001, 0, 20)

/* A close with the client first, from frame 4 on. */
#define CLOSE_FROM(t) \
	V(C, F_FA, 1001, 5001, 0, (t)), \
	V(S, F_A, 5001, 1002, 0, (t) + 10), \
	V(S, F_FA, 5001, 1002, 0, (t) + 20), \
	V(C, F_A, 1002, 5002, 0, (t) + 30)

/* A request and its answer, acknowledged, from frame 4 on. */
#define REQ_ANSWER \
	V(C, F_PA, 1001, 5001, 100, 30), \
	V(S, F_PA, 5001, 1101, 200, 40), \
	V(C, F_A, 1101, 5201, 0, 50)

static const struct vcase cases[] = {
{ "SYN answered by RST", TFE_V_RST_TO_CLOSED_PORT, true, TFE_END_CLOSED, 0, {
	V(C, F_S, 1000, 0, 0, 0), V(S, F_RA, 0, 1001, 0, 1) }, 2 },
{ "near miss: RST after a handshake is no closed port",
  TFE_V_RST_TO_CLOSED_PORT, false, TFE_END_CLOSED, 0, {
	OPEN, V(S, F_RA, 5001, 1001, 0, 30) }, 4 },
{ "SYNs with no answer", TFE_V_SYN_UNANSWERED, true, TFE_END_INPUT, 3000, {
	V(C, F_S, 1000, 0, 0, 0), V(C, F_S, 1000, 0, 0, 1000),
	V(C, F_S, 1000, 0, 0, 3000) }, 3 },
{ "near miss: a SYN and the capture's copy of it 1 ms later are one SYN, "
  "with too little capture after it",
  TFE_V_SYN_UNANSWERED, false, TFE_END_INPUT, 500, {
	VI(C, F_S, 1000, 0, 0, 0, 77), VI(C, F_S, 1000, 0, 0, 1, 77) }, 2 },
{ "near miss: one SYN and too little capture",
  TFE_V_SYN_UNANSWERED, false, TFE_END_INPUT, 500, {
	V(C, F_S, 1000, 0, 0, 0) }, 1 },
{ "near miss: one direction captured, the client's ACK after its SYN "
  "shows the SYN+ACK arrived (open at the end, not unanswered)",
  TFE_V_SYN_UNANSWERED, false, TFE_END_INPUT, 3000, {
	V(C, F_S, 1000, 0, 0, 0), V(C, F_A, 1001, 5001, 0, 30),
	V(C, F_PA, 1001, 5001, 100, 40) }, 3 },
{ "FIN ACKed, no FIN for 6 s to the end", TFE_V_LINGERING_CLOSE_WAIT, true,
  TFE_END_INPUT, 6000, {
	OPEN, V(C, F_FA, 1001, 5001, 0, 30), V(S, F_A, 5001, 1002, 0, 40) }, 5 },
{ "FIN ACKed, late FIN after 7 s", TFE_V_LINGERING_CLOSE_WAIT, true,
  TFE_END_CLOSED, 0, {
	OPEN, V(C, F_FA, 1001, 5001, 0, 30), V(S, F_A, 5001, 1002, 0, 40),
	V(S, F_FA, 5001, 1002, 0, 7030), V(C, F_A, 1002, 5002, 0, 7040) }, 7 },
{ "near miss: a lone FIN without ACK (a FIN scan's probe) is dropped, not "
  "a close: no CLOSE_WAIT however long the capture goes on",
  TFE_V_LINGERING_CLOSE_WAIT, false, TFE_END_INPUT, 60000, {
	V(C, F_F, 1001, 0, 0, 0) }, 1 },
{ "near miss: FINs re-sent for a minute to a peer that never answered "
  "(no CLOSE_WAIT is shown: nothing shows the FIN reached a socket)",
  TFE_V_LINGERING_CLOSE_WAIT, false, TFE_END_INPUT, 60000, {
	V(C, F_PA, 1001, 5001, 10, 0), V(C, F_FA, 1011, 5001, 0, 10),
	V(C, F_FA, 1011, 5001, 0, 1010), V(C, F_FA, 1011, 5001, 0, 3010) }, 4 },
{ "near miss: the side taken to have the FIN sends data 6 s later that "
  "does not acknowledge it: the FIN never reached it",
  TFE_V_LINGERING_CLOSE_WAIT, false, TFE_END_INPUT, 7000, {
	OPEN, V(C, F_FA, 1001, 5001, 0, 30), V(S, F_PA, 5001, 1001, 10, 6030) },
  5 },
{ "near miss: FIN never acknowledged though the side that got it sent "
  "before (14 s of capture)", TFE_V_LINGERING_CLOSE_WAIT, false,
  TFE_END_INPUT, 14000, {
	OPEN, V(S, F_PA, 5001, 1001, 10, 20), V(C, F_FA, 1001, 5011, 0, 30) },
  5 },
{ "near miss: a close-wait of 0.2 s", TFE_V_LINGERING_CLOSE_WAIT, false,
  TFE_END_CLOSED, 0, {
	OPEN, V(C, F_FA, 1001, 5001, 0, 30), V(S, F_A, 5001, 1002, 0, 40),
	V(S, F_FA, 5001, 1002, 0, 230), V(C, F_A, 1002, 5002, 0, 240) }, 7 },
{ "near miss: capture ends 1 s after the FIN", TFE_V_LINGERING_CLOSE_WAIT,
  false, TFE_END_INPUT, 1000, {
	OPEN, V(C, F_FA, 1001, 5001, 0, 30), V(S, F_A, 5001, 1002, 0, 40) }, 5 },
{ "final ACK lost: FIN re-sent after its ACK", TFE_V_MISSING_FINAL_ACK, true,
  TFE_END_CLOSED, 0, {
	OPEN, CLOSE_FROM(30), V(S, F_FA, 5001, 1002, 0, 260),
	V(C, F_A, 1002, 5002, 0, 261) }, 9 },
{ "last FIN unacknowledged for 2 s", TFE_V_MISSING_FINAL_ACK, true,
  TFE_END_INPUT, 2000, {
	OPEN, V(C, F_FA, 1001, 5001, 0, 30), V(S, F_A, 5001, 1002, 0, 40),
	V(S, F_FA, 5001, 1002, 0, 50) }, 6 },
{ "near miss: last FIN neither acknowledged nor re-sent in 10 s of capture "
  "(the capture missed the ACK)", TFE_V_MISSING_FINAL_ACK, false,
  TFE_END_INPUT, 10000, {
	OPEN, V(C, F_FA, 1001, 5001, 0, 30), V(S, F_A, 5001, 1002, 0, 40),
	V(S, F_FA, 5001, 1002, 0, 50) }, 6 },
{ "last FIN unacknowledged for 3 s, within the round trip's share of the "
  "re-send bound", TFE_V_MISSING_FINAL_ACK, true,
  TFE_END_INPUT, 3000, {
	OPEN, V(C, F_FA, 1001, 5001, 0, 30), V(S, F_A, 5001, 1002, 0, 40),
	V(S, F_FA, 5001, 1002, 0, 50) }, 6 },
{ "passive closer's FIN re-sent before any ACK, then ACKed (SPEC: the FIN "
  "or its ACK was lost)", TFE_V_MISSING_FINAL_ACK, true, TFE_END_CLOSED, 0, {
	OPEN, V(C, F_FA, 1001, 5001, 0, 30), V(S, F_A, 5001, 1002, 0, 40),
	V(S, F_FA, 5001, 1002, 0, 50), V(S, F_FA, 5001, 1002, 0, 260),
	V(C, F_A, 1002, 5002, 0, 261) }, 8 },
{ "near miss: the active closer's FIN re-sent before any ACK, then ACKed",
  TFE_V_MISSING_FINAL_ACK, false, TFE_END_CLOSED, 0, {
	OPEN, V(C, F_FA, 1001, 5001, 0, 30), V(C, F_FA, 1001, 5001, 0, 240),
	V(S, F_A, 5001, 1002, 0, 250), V(S, F_FA, 5001, 1002, 0, 260),
	V(C, F_A, 1002, 5002, 0, 270) }, 8 },
{ "near miss: the passive closer's FIN sent once and ACKed",
  TFE_V_MISSING_FINAL_ACK, false, TFE_END_CLOSED, 0, {
	OPEN, CLOSE_FROM(30) }, 7 },
{ "RST in ESTABLISHED", TFE_V_ABORTIVE_CLOSE, true, TFE_END_CLOSED, 0, {
	OPEN, V(S, F_PA, 5001, 1001, 500, 30), V(S, F_RA, 5501, 1001, 0, 40) },
  5 },
{ "near miss: RST after both FINs", TFE_V_ABORTIVE_CLOSE, false,
  TFE_END_CLOSED, 0, {
	OPEN, CLOSE_FROM(30), V(S, F_R, 5002, 0, 0, 100) }, 8 },
{ "near miss: the passive closer's FIN acknowledges the peer's, then is "
  "re-sent unanswered: its first copy and the ACK it carried were lost, "
  "not a crossing", TFE_V_SIMULTANEOUS_CLOSE, false, TFE_END_INPUT, 3000, {
	OPEN, V(S, F_FA, 5001, 1001, 0, 30), V(C, F_FA, 1001, 5002, 0, 31),
	V(C, F_FA, 1001, 5002, 0, 250), V(C, F_FA, 1001, 5002, 0, 700) }, 7 },
{ "RST after both FINs", TFE_V_FIN_THEN_RST, true, TFE_END_CLOSED, 0, {
	OPEN, CLOSE_FROM(30), V(S, F_R, 5002, 0, 0, 100) }, 8 },
{ "data to the side that sent FIN, and it kept reading",
  TFE_V_HALF_CLOSE, true, TFE_END_CLOSED, 0, {
	OPEN, V(C, F_FA, 1001, 5001, 0, 30), V(S, F_A, 5001, 1002, 0, 40),
	V(S, F_PA, 5001, 1002, 1000, 50), V(C, F_A, 1002, 6001, 0, 60),
	V(S, F_FA, 6001, 1002, 0, 70), V(C, F_A, 1002, 6002, 0, 80) }, 9 },
{ "near miss: data after the FIN answered by RST", TFE_V_HALF_CLOSE, false,
  TFE_END_CLOSED, 0, {
	OPEN, V(C, F_FA, 1001, 5001, 0, 30), V(S, F_A, 5001, 1002, 0, 40),
	V(S, F_PA, 5001, 1002, 1000, 50), V(C, F_R, 1002, 0, 0, 60) }, 7 },
{ "keepalive probe answered", TFE_V_KEEPALIVE, true, TFE_END_INPUT, 0, {
	OPEN, V(C, F_A, 1000, 5001, 0, 1020), V(S, F_A, 5001, 1001, 0, 1021) },
  5 },
{ "keepalive probes unanswered, then the RST", TFE_V_KEEPALIVE_UNANSWERED,
  true, TFE_END_INPUT, 0, {
	OPEN, V(C, F_A, 1000, 5001, 0, 1020), V(C, F_A, 1000, 5001, 0, 2020),
	V(C, F_RA, 1001, 5001, 0, 3020) }, 6 },
{ "near miss: probes answered are no dead peer",
  TFE_V_KEEPALIVE_UNANSWERED, false, TFE_END_INPUT, 0, {
	OPEN, V(C, F_A, 1000, 5001, 0, 1020), V(S, F_A, 5001, 1001, 0, 1021),
	V(C, F_A, 1000, 5001, 0, 2020), V(S, F_A, 5001, 1001, 0, 2021) }, 7 },
{ "window 0 advertised for 1.5 s", TFE_V_ZERO_WINDOW, true, TFE_END_INPUT, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 1000, 30), VW(S, F_A, 5001, 2001, 0, 40, 0),
	VW(S, F_A, 5001, 2001, 0, 1540, 1000) }, 6 },
{ "near miss: window 0 for 0.5 s is no warning", TFE_V_ZERO_WINDOW, false,
  TFE_END_INPUT, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 1000, 30), VW(S, F_A, 5001, 2001, 0, 40, 0),
	VW(S, F_A, 5001, 2001, 0, 540, 1000) }, 6 },
{ "window 0 for 0.5 s", TFE_V_ZERO_WINDOW_BRIEF, true, TFE_END_INPUT, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 1000, 30), VW(S, F_A, 5001, 2001, 0, 40, 0),
	VW(S, F_A, 5001, 2001, 0, 540, 1000) }, 6 },
{ "window 0 still closed at the end, probed for 2 s", TFE_V_ZERO_WINDOW, true,
  TFE_END_INPUT, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 1000, 30), VW(S, F_A, 5001, 2001, 0, 40, 0),
	V(C, F_A, 2000, 5001, 0, 1040), VW(S, F_A, 5001, 2001, 0, 1041, 0),
	V(C, F_A, 2000, 5001, 0, 2040), VW(S, F_A, 5001, 2001, 0, 2041, 0) },
  9 },
{ "near miss: window 0 in the last frame, the capture going on 2 s",
  TFE_V_ZERO_WINDOW, false, TFE_END_INPUT, 2000, {
	OPEN, V(C, F_PA, 1001, 5001, 1000, 30), VW(S, F_A, 5001, 2001, 0, 40, 0) },
  5 },
{ "a segment ends at the receiver's window edge, which then closes",
  TFE_V_WINDOW_FULL, true, TFE_END_INPUT, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 1000, 30), VW(S, F_A, 5001, 2001, 0, 40, 0) },
  5 },
{ "near miss: a full window that never closes", TFE_V_WINDOW_FULL, false,
  TFE_END_INPUT, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 1000, 30), V(S, F_A, 5001, 2001, 0, 40) },
  5 },
{ "near miss: window 0 on a RST", TFE_V_ZERO_WINDOW, false,
  TFE_END_CLOSED, 0, {
	OPEN, VW(S, F_RA, 5001, 1001, 0, 30, 0) }, 4 },
{ "both SYNs cross", TFE_V_SIMULTANEOUS_OPEN, true, TFE_END_INPUT, 0, {
	V(C, F_S, 1000, 0, 0, 0), V(S, F_S, 5000, 0, 0, 1),
	V(C, F_SA, 1000, 5001, 0, 2), V(S, F_SA, 5000, 1001, 0, 3) }, 4 },
{ "near miss: an ordinary open", TFE_V_SIMULTANEOUS_OPEN, false,
  TFE_END_INPUT, 0, { OPEN }, 3 },
{ "both FINs cross", TFE_V_SIMULTANEOUS_CLOSE, true, TFE_END_CLOSED, 0, {
	OPEN, V(C, F_FA, 1001, 5001, 0, 30), V(S, F_FA, 5001, 1001, 0, 31),
	V(C, F_A, 1002, 5002, 0, 40), V(S, F_A, 5002, 1002, 0, 41) }, 7 },
{ "near miss: an ordinary close", TFE_V_SIMULTANEOUS_CLOSE, false,
  TFE_END_CLOSED, 0, { OPEN, CLOSE_FROM(30) }, 7 },
{ "no handshake", TFE_V_MIDSTREAM, true, TFE_END_INPUT, 0, {
	V(S, F_PA, 5001, 1001, 100, 0), V(C, F_A, 1001, 5101, 0, 1) }, 2 },
{ "near miss: with a handshake", TFE_V_MIDSTREAM, false, TFE_END_INPUT, 0,
  { OPEN }, 3 },
{ "capture ends with it open", TFE_V_OPEN_AT_END, true, TFE_END_INPUT, 0,
  { OPEN }, 3 },
{ "near miss: closed before the end", TFE_V_OPEN_AT_END, false,
  TFE_END_CLOSED, 0, { OPEN, CLOSE_FROM(30) }, 7 },
{ "SYN sent twice", TFE_V_SYN_RETRANSMITTED, true, TFE_END_INPUT, 0, {
	V(C, F_S, 1000, 0, 0, 0), V(C, F_S, 1000, 0, 0, 1000),
	V(S, F_SA, 5000, 1001, 0, 1010), V(C, F_A, 1001, 5001, 0, 1020) }, 4 },
{ "FIN sent twice", TFE_V_FIN_RETRANSMITTED, true, TFE_END_CLOSED, 0, {
	OPEN, V(C, F_FA, 1001, 5001, 0, 30), V(C, F_FA, 1001, 5001, 0, 240),
	V(S, F_A, 5001, 1002, 0, 250), V(S, F_FA, 5001, 1002, 0, 260),
	V(C, F_A, 1002, 5002, 0, 270) }, 8 },
{ "data sent again", TFE_V_RETRANSMISSION, true, TFE_END_INPUT, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 30), V(C, F_PA, 1001, 5001, 100, 240) },
  5 },
{ "near miss: new data only", TFE_V_RETRANSMISSION, false, TFE_END_INPUT, 0,
  { OPEN, V(C, F_PA, 1001, 5001, 100, 30), V(C, F_PA, 1101, 5001, 100, 40) },
  5 },
{ "near miss: a gap filled within the round trip is no re-send",
  TFE_V_RETRANSMISSION, false, TFE_END_INPUT, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 30), V(C, F_PA, 1201, 5001, 100, 31),
	V(C, F_PA, 1101, 5001, 100, 32) }, 6 },
{ "a gap filled 1 ms after it appeared (round trip 20 ms)",
  TFE_V_OUT_OF_ORDER, true, TFE_END_INPUT, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 30), V(C, F_PA, 1201, 5001, 100, 31),
	V(C, F_PA, 1101, 5001, 100, 32) }, 6 },
{ "near miss: a gap filled 29 ms after it appeared, past the round trip",
  TFE_V_OUT_OF_ORDER, false, TFE_END_INPUT, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 30), V(C, F_PA, 1201, 5001, 100, 31),
	V(C, F_PA, 1101, 5001, 100, 60) }, 6 },
{ "near miss: a gap filled at once after the peer acknowledged it",
  TFE_V_OUT_OF_ORDER, false, TFE_END_INPUT, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 30), V(C, F_PA, 1201, 5001, 100, 31),
	V(S, F_A, 5001, 1301, 0, 31), V(C, F_PA, 1101, 5001, 100, 32) }, 7 },
{ "near miss: bytes sent twice 1 ms apart, no gap",
  TFE_V_OUT_OF_ORDER, false, TFE_END_INPUT, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 30), V(C, F_PA, 1001, 5001, 100, 31) },
  5 },
{ "SYN+FIN", TFE_V_INVALID_FLAGS, true, TFE_END_INPUT, 0, {
	V(C, F_SF, 1000, 0, 0, 0) }, 1 },
{ "data past its own FIN", TFE_V_DATA_AFTER_FIN, true, TFE_END_INPUT, 0, {
	OPEN, V(C, F_FA, 1001, 5001, 0, 30), V(C, F_PA, 1002, 5001, 10, 40) }, 5 },
{ "a segment long after the RST", TFE_V_DATA_AFTER_RST, true, TFE_END_CLOSED, 0, {
	OPEN, V(S, F_RA, 5001, 1001, 0, 30), V(C, F_PA, 1001, 5001, 10, 200) }, 5 },
{ "near miss: a segment that crossed the RST (within the round trip)",
  TFE_V_DATA_AFTER_RST, false, TFE_END_CLOSED, 0, {
	OPEN, V(S, F_RA, 5001, 1001, 0, 30), V(C, F_PA, 1001, 5001, 10, 40) }, 5 },
{ "near miss: mid-stream, no round trip measured: a segment 100 ms after "
  "the RST may have crossed it", TFE_V_DATA_AFTER_RST, false, TFE_END_CLOSED,
  0, {
	V(S, F_PA, 5001, 1001, 10, 0), V(C, F_A, 1001, 5011, 0, 300),
	V(C, F_RA, 1001, 5011, 0, 400), V(S, F_PA, 5011, 1001, 10, 500) }, 4 },
{ "mid-stream, no round trip measured: a segment 2 s after the RST",
  TFE_V_DATA_AFTER_RST, true, TFE_END_CLOSED, 0, {
	V(S, F_PA, 5001, 1001, 10, 0), V(C, F_A, 1001, 5011, 0, 300),
	V(C, F_RA, 1001, 5011, 0, 400), V(S, F_PA, 5011, 1001, 10, 2400) }, 4 },
{ "near miss: a segment 1.5 round trips after the RST (the handshake's "
  "20 ms) may still have crossed it: queues add to the least round trip",
  TFE_V_DATA_AFTER_RST, false, TFE_END_CLOSED, 0, {
	OPEN, V(S, F_RA, 5001, 1001, 0, 30), V(C, F_PA, 1001, 5001, 10, 60) }, 5 },
{ "near miss: a crossing segment and the RST of the gone socket answering it",
  TFE_V_DATA_AFTER_RST, false, TFE_END_CLOSED, 0, {
	OPEN, V(S, F_RA, 5001, 1001, 0, 30), V(C, F_PA, 1001, 5001, 10, 35),
	V(S, F_R, 5001, 0, 0, 36) }, 6 },
{ "out-of-window RST, then its sender carries on", TFE_V_RST_SUSPICIOUS,
  true, TFE_END_INPUT, 0, {
	OPEN, V(S, F_R, 9000000, 0, 0, 30), V(S, F_PA, 5001, 1001, 10, 40) }, 5 },
{ "RST with a TTL unlike its host's", TFE_V_RST_SUSPICIOUS, true,
  TFE_END_CLOSED, 0, {
	OPEN, VT(S, F_PA, 5001, 1001, 10, 30, 64), VT(S, F_RA, 5011, 1001, 0, 40, 250) },
  5 },
{ "RST whose IP ID jumps from its host's counter", TFE_V_RST_SUSPICIOUS,
  true, TFE_END_CLOSED, 0, {
	VI(C, F_S, 1000, 0, 0, 0, 940), V(S, F_SA, 5000, 1001, 0, 10),
	VI(C, F_A, 1001, 5001, 0, 20, 941), VI(C, F_PA, 1001, 5001, 10, 30, 942),
	VI(C, F_PA, 1011, 5001, 10, 31, 943), VI(C, F_RA, 1021, 5001, 0, 40, 31000) },
  6 },
{ "near miss: a host whose IP IDs are random", TFE_V_RST_SUSPICIOUS,
  false, TFE_END_CLOSED, 0, {
	VI(C, F_S, 1000, 0, 0, 0, 17001), V(S, F_SA, 5000, 1001, 0, 10),
	VI(C, F_A, 1001, 5001, 0, 20, 52011), VI(C, F_PA, 1001, 5001, 10, 30, 3),
	VI(C, F_PA, 1011, 5001, 10, 31, 943), VI(C, F_RA, 1021, 5001, 0, 40, 31000) },
  6 },
{ "near miss: a counting host's RST after its own FIN (no socket left)",
  TFE_V_RST_SUSPICIOUS, false, TFE_END_CLOSED, 0, {
	VI(C, F_S, 1000, 0, 0, 0, 940), V(S, F_SA, 5000, 1001, 0, 10),
	VI(C, F_A, 1001, 5001, 0, 20, 941), VI(C, F_PA, 1001, 5001, 10, 30, 942),
	VI(C, F_FA, 1011, 5001, 0, 31, 943), V(S, F_PA, 5001, 1012, 10, 35),
	VI(C, F_R, 1012, 0, 0, 36, 31000) },
  7 },
{ "near miss: RST continuing its host's IP ID counter",
  TFE_V_RST_SUSPICIOUS, false, TFE_END_CLOSED, 0, {
	OPEN, VI(S, F_PA, 5001, 1001, 10, 30, 943), VI(S, F_RA, 5011, 1001, 0, 40, 944) },
  5 },
{ "near miss: RST with its host's TTL", TFE_V_RST_SUSPICIOUS, false,
  TFE_END_CLOSED, 0, {
	OPEN, VT(S, F_PA, 5001, 1001, 10, 30, 64), VT(S, F_RA, 5011, 1001, 0, 40, 64) },
  5 },
{ "RST one TTL above every packet of its host (a nearer device)",
  TFE_V_RST_SUSPICIOUS, true, TFE_END_CLOSED, 0, {
	V(C, F_S, 1000, 0, 0, 0), VT(S, F_SA, 5000, 1001, 0, 10, 63),
	V(C, F_A, 1001, 5001, 0, 20), VT(S, F_PA, 5001, 1001, 10, 30, 63),
	VT(S, F_R, 5011, 0, 0, 40, 64) }, 5 },
{ "near miss: RST one TTL below its host's", TFE_V_RST_SUSPICIOUS, false,
  TFE_END_CLOSED, 0, {
	V(C, F_S, 1000, 0, 0, 0), VT(S, F_SA, 5000, 1001, 0, 10, 64),
	V(C, F_A, 1001, 5001, 0, 20), VT(S, F_PA, 5001, 1001, 10, 30, 64),
	VT(S, F_R, 5011, 0, 0, 40, 63) }, 5 },
{ "near miss: RST at the higher of the host's two TTLs (captured twice)",
  TFE_V_RST_SUSPICIOUS, false, TFE_END_CLOSED, 0, {
	V(C, F_S, 1000, 0, 0, 0), VT(S, F_SA, 5000, 1001, 0, 10, 64),
	V(C, F_A, 1001, 5001, 0, 20), VT(S, F_PA, 5001, 1001, 10, 30, 63),
	VT(S, F_R, 5011, 0, 0, 40, 64) }, 5 },
{ "RST with IP ID 0 from a host whose IDs count", TFE_V_RST_SUSPICIOUS,
  true, TFE_END_CLOSED, 0, {
	VI(C, F_S, 1000, 0, 0, 0, 940), V(S, F_SA, 5000, 1001, 0, 10),
	VI(C, F_A, 1001, 5001, 0, 20, 941), VI(C, F_PA, 1001, 5001, 10, 30, 942),
	VI(C, F_PA, 1011, 5001, 10, 31, 943), VI(C, F_RA, 1021, 5001, 0, 40, -1) },
  6 },
{ "near miss: RST with IP ID 0 from a host whose IDs are random",
  TFE_V_RST_SUSPICIOUS, false, TFE_END_CLOSED, 0, {
	VI(C, F_S, 1000, 0, 0, 0, 17001), V(S, F_SA, 5000, 1001, 0, 10),
	VI(C, F_A, 1001, 5001, 0, 20, 52011), VI(C, F_PA, 1001, 5001, 10, 30, 3),
	VI(C, F_PA, 1011, 5001, 10, 31, 943), VI(C, F_RA, 1021, 5001, 0, 40, -1) },
  6 },
{ "bare RST with a window", TFE_V_RST_SUSPICIOUS, true, TFE_END_CLOSED, 0, {
	OPEN, VI(S, F_PA, 5001, 1001, 10, 30, 943),
	{ S, F_R, 5011, 0, 0, 40, 8192, 0, 500, 0, 0, 0, 0, 0, 0 } }, 5 },
{ "near miss: RST+ACK with a window (Linux's abort)", TFE_V_RST_SUSPICIOUS,
  false, TFE_END_CLOSED, 0, {
	OPEN, V(S, F_PA, 5001, 1001, 10, 30), VW(S, F_RA, 5011, 1001, 0, 40, 509) },
  5 },
{ "near miss: bare RST with a window after its own FIN (Cisco IOS)",
  TFE_V_RST_SUSPICIOUS, false, TFE_END_CLOSED, 0, {
	OPEN, V(S, F_FA, 5001, 1001, 0, 30), V(C, F_A, 1001, 5002, 0, 40),
	VW(S, F_R, 5002, 0, 0, 50, 4104) }, 6 },
{ "near miss: bare RST with a window continuing its host's IP IDs",
  TFE_V_RST_SUSPICIOUS, false, TFE_END_CLOSED, 0, {
	OPEN, VI(S, F_PA, 5001, 1001, 10, 30, 943),
	{ S, F_R, 5011, 0, 0, 40, 8192, 0, 944, 0, 0, 0, 0, 0, 0 } }, 5 },
{ "RST taken, then new data from its claimed sender",
  TFE_V_RST_SUSPICIOUS, true, TFE_END_CLOSED, 0, {
	OPEN, V(S, F_RA, 5001, 1001, 0, 30), V(S, F_PA, 5001, 1001, 10, 40) },
  5 },
{ "near miss: RST, then data from the other side only",
  TFE_V_RST_SUSPICIOUS, false, TFE_END_CLOSED, 0, {
	OPEN, V(S, F_RA, 5001, 1001, 0, 30), V(C, F_PA, 1001, 5001, 10, 40) },
  5 },
{ "near miss: a RST that is its sender's first segment (mid-stream data "
  "answered by RST) proves no connection of its own to abort",
  TFE_V_ABORTIVE_CLOSE, false, TFE_END_CLOSED, 0, {
	V(C, F_PA, 1001, 5001, 100, 0), V(S, F_R, 5001, 0, 0, 1) }, 2 },
{ "near miss: mid-stream, the peer's FIN first, then a bare RST that is "
  "its sender's only segment (the answer of a socket gone)",
  TFE_V_ABORTIVE_CLOSE, false, TFE_END_CLOSED, 0, {
	V(S, F_FA, 5001, 1001, 0, 0), V(C, F_R, 1001, 0, 0, 90) }, 2 },
{ "mid-stream: a side that sent data, then RST, aborted",
  TFE_V_ABORTIVE_CLOSE, true, TFE_END_CLOSED, 0, {
	V(S, F_PA, 5001, 1001, 100, 0), V(C, F_A, 1001, 5101, 0, 10),
	V(S, F_RA, 5101, 1001, 0, 20) }, 3 },
{ "near miss: a disowned RST is no abortive_close",
  TFE_V_ABORTIVE_CLOSE, false, TFE_END_CLOSED, 0, {
	OPEN, VI(S, F_PA, 5001, 1001, 10, 30, 943),
	{ S, F_R, 5011, 0, 0, 40, 8192, 0, 500, 0, 0, 0, 0, 0, 0 } }, 5 },
{ "handshake's ACK answered by a bare RST (tcp_abort_on_overflow)",
  TFE_V_ACCEPT_QUEUE_FULL, true, TFE_END_CLOSED, 0, {
	OPEN, V(S, F_R, 5001, 0, 0, 21) }, 4 },
{ "near miss: a bare RST 5 s after the handshake's ACK answers something "
  "else (a listener closed with the connection in its queue)",
  TFE_V_ACCEPT_QUEUE_FULL, false, TFE_END_CLOSED, 0, {
	OPEN, V(S, F_R, 5001, 0, 0, 5020) }, 4 },
{ "request answered by a bare RST, nothing sent but the SYN+ACK",
  TFE_V_ACCEPT_QUEUE_FULL, true, TFE_END_CLOSED, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 30), V(S, F_R, 5001, 0, 0, 31) }, 5 },
{ "near miss: a request 2 s after the SYN+ACK, none re-sent, answered by "
  "a bare RST: the server had taken the handshake's ACK (its SYN+ACK was "
  "due again at 1 s)",
  TFE_V_ACCEPT_QUEUE_FULL, false, TFE_END_CLOSED, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 2020), V(S, F_R, 5001, 0, 0, 2021) },
  5 },
{ "near miss: a request after 908 s of idle answered by a bare RST",
  TFE_V_ACCEPT_QUEUE_FULL, false, TFE_END_CLOSED, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 908020),
	V(S, F_R, 5001, 0, 0, 908021) }, 5 },
{ "SYN+ACK re-sent after the client acknowledged a re-sent one",
  TFE_V_ACCEPT_QUEUE_FULL, true, TFE_END_INPUT, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 30), V(S, F_SA, 5000, 1001, 0, 1010),
	V(C, F_A, 1101, 5001, 0, 1011), V(S, F_SA, 5000, 1001, 0, 3010),
	V(C, F_A, 1101, 5001, 0, 3011) }, 8 },
{ "near miss: a listener closed with the connection queued (RST+ACK)",
  TFE_V_ACCEPT_QUEUE_FULL, false, TFE_END_CLOSED, 0, {
	OPEN, V(S, F_RA, 5001, 1001, 0, 2000) }, 4 },
{ "near miss: a bare RST after the server sent data",
  TFE_V_ACCEPT_QUEUE_FULL, false, TFE_END_CLOSED, 0, {
	OPEN, V(S, F_PA, 5001, 1001, 10, 25), V(C, F_PA, 1001, 5011, 100, 30),
	V(S, F_R, 5011, 0, 0, 31) }, 6 },
{ "near miss: a bare RST out of the server's sequence space",
  TFE_V_ACCEPT_QUEUE_FULL, false, TFE_END_CLOSED, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 30), V(S, F_R, 9000, 0, 0, 31) }, 5 },
{ "near miss: the handshake's ACK lost once, then taken",
  TFE_V_ACCEPT_QUEUE_FULL, false, TFE_END_INPUT, 0, {
	OPEN, V(S, F_SA, 5000, 1001, 0, 1010), V(C, F_A, 1001, 5001, 0, 1011),
	V(C, F_PA, 1001, 5001, 100, 1020), V(S, F_A, 5001, 1101, 0, 1030) }, 7 },
{ "near miss: SYN+ACKs re-sent, the client never acknowledging",
  TFE_V_ACCEPT_QUEUE_FULL, false, TFE_END_INPUT, 0, {
	V(C, F_S, 1000, 0, 0, 0), V(S, F_SA, 5000, 1001, 0, 10),
	V(S, F_SA, 5000, 1001, 0, 1010), V(S, F_SA, 5000, 1001, 0, 3010) }, 4 },
{ "request crossing an idle connection's FIN, answered by RST (captured "
  "at the server)", TFE_V_KEEPALIVE_RACE, true, TFE_END_CLOSED, 0, {
	OPEN, REQ_ANSWER, V(S, F_FA, 5201, 1101, 0, 5050),
	V(C, F_PA, 1101, 5201, 100, 5060), V(S, F_R, 5201, 0, 0, 5061) }, 9 },
{ "request crossing an idle connection's FIN, answered by RST (captured "
  "at the client: the request first, the FIN does not acknowledge it)",
  TFE_V_KEEPALIVE_RACE, true, TFE_END_CLOSED, 0, {
	OPEN, REQ_ANSWER, V(C, F_PA, 1101, 5201, 100, 5050),
	V(S, F_FA, 5201, 1101, 0, 5060), V(C, F_A, 1201, 5202, 0, 5061),
	V(S, F_R, 5201, 0, 0, 5070) }, 10 },
{ "near miss: a request sent 2 s after the client acknowledged the FIN",
  TFE_V_KEEPALIVE_RACE, false, TFE_END_CLOSED, 0, {
	OPEN, REQ_ANSWER, V(S, F_FA, 5201, 1101, 0, 5050),
	V(C, F_A, 1101, 5202, 0, 5060), V(C, F_PA, 1101, 5202, 100, 7060),
	V(S, F_R, 5202, 0, 0, 7061) }, 10 },
{ "near miss: an idle connection's FIN with no request after it",
  TFE_V_KEEPALIVE_RACE, false, TFE_END_CLOSED, 0, {
	OPEN, REQ_ANSWER, V(S, F_FA, 5201, 1101, 0, 5050),
	V(C, F_FA, 1101, 5202, 0, 5060), V(S, F_A, 5202, 1102, 0, 5061) }, 9 },
{ "near miss: a RST answering a request with no FIN before it",
  TFE_V_KEEPALIVE_RACE, false, TFE_END_CLOSED, 0, {
	OPEN, REQ_ANSWER, V(C, F_PA, 1101, 5201, 100, 5060),
	V(S, F_RA, 5201, 1201, 0, 5061) }, 8 },
{ "near miss: the FIN right after the answer (not idle), a request "
  "crossing it", TFE_V_KEEPALIVE_RACE, false, TFE_END_CLOSED, 0, {
	OPEN, REQ_ANSWER, V(S, F_FA, 5201, 1101, 0, 150),
	V(C, F_PA, 1101, 5201, 100, 160), V(S, F_R, 5201, 0, 0, 161) }, 9 },
{ "an idle gap of 70 s, then the client's request answered by a RST one "
  "TTL above the server's (a middlebox that forgot the connection)",
  TFE_V_MIDDLEBOX_IDLE_TIMEOUT, true, TFE_END_CLOSED, 0, {
	OPEN, REQ_ANSWER, V(C, F_PA, 1101, 5201, 100, 70050),
	VT(S, F_R, 5201, 0, 0, 70051, 65) }, 8 },
{ "an idle gap of 70 s, then the client's request re-sent into silence",
  TFE_V_MIDDLEBOX_IDLE_TIMEOUT, true, TFE_END_INPUT, 1000, {
	OPEN, REQ_ANSWER, V(C, F_PA, 1101, 5201, 100, 70050),
	V(C, F_PA, 1101, 5201, 100, 70250),
	V(C, F_PA, 1101, 5201, 100, 70650) }, 9 },
{ "an idle gap of 70 s ended by a RST in the client's name with TTL 251 "
  "where the client's packets had 64 (a firewall timing it out)",
  TFE_V_MIDDLEBOX_IDLE_TIMEOUT, true, TFE_END_CLOSED, 0, {
	OPEN, REQ_ANSWER, VT(C, F_RA, 1101, 5201, 0, 70050, 251) }, 7 },
{ "near miss: an idle gap of 70 s ended by the client's own RST (its "
  "TTL, window 0: an abort after the silence)",
  TFE_V_MIDDLEBOX_IDLE_TIMEOUT, false, TFE_END_CLOSED, 0, {
	OPEN, REQ_ANSWER, VW(C, F_RA, 1101, 5201, 0, 70050, 0) }, 7 },
{ "near miss: an idle gap of 70 s, then an ordinary answer",
  TFE_V_MIDDLEBOX_IDLE_TIMEOUT, false, TFE_END_INPUT, 1000, {
	OPEN, REQ_ANSWER, V(C, F_PA, 1101, 5201, 100, 70050),
	V(S, F_PA, 5201, 1201, 200, 70060),
	V(C, F_A, 1201, 5401, 0, 70070) }, 9 },
{ "near miss: an idle gap of 70 s, then a RST with the server's own TTL "
  "(its own abort)", TFE_V_MIDDLEBOX_IDLE_TIMEOUT, false, TFE_END_CLOSED, 0, {
	OPEN, REQ_ANSWER, V(C, F_PA, 1101, 5201, 100, 70050),
	VW(S, F_RA, 5201, 1201, 0, 70051, 0) }, 8 },
{ "near miss: a request re-sent into silence with no idle gap before it "
  "(ordinary loss, or a peer gone)", TFE_V_MIDDLEBOX_IDLE_TIMEOUT, false,
  TFE_END_INPUT, 1000, {
	OPEN, REQ_ANSWER, V(C, F_PA, 1101, 5201, 100, 100),
	V(C, F_PA, 1101, 5201, 100, 300), V(C, F_PA, 1101, 5201, 100, 700) }, 9 },
{ "near miss: a gap of 50 s, under the threshold, then a RST one TTL "
  "above the server's", TFE_V_MIDDLEBOX_IDLE_TIMEOUT, false, TFE_END_CLOSED,
  0, {
	OPEN, REQ_ANSWER, V(C, F_PA, 1101, 5201, 100, 50050),
	VT(S, F_R, 5201, 0, 0, 50051, 65) }, 8 },
{ "near miss: keepalive probes after 70 s of silence, answered",
  TFE_V_MIDDLEBOX_IDLE_TIMEOUT, false, TFE_END_INPUT, 1000, {
	OPEN, REQ_ANSWER, V(C, F_A, 1100, 5201, 0, 70050),
	V(S, F_A, 5201, 1101, 0, 70051), V(C, F_A, 1100, 5201, 0, 140051),
	V(S, F_A, 5201, 1101, 0, 140052) }, 10 },
{ "near miss: an earlier gap of 80 s answered, then a gap of 70 s and a "
  "RST one TTL above the server's (the middlebox let a longer one pass)",
  TFE_V_MIDDLEBOX_IDLE_TIMEOUT, false, TFE_END_CLOSED, 0, {
	OPEN, REQ_ANSWER, V(C, F_PA, 1101, 5201, 100, 80050),
	V(S, F_PA, 5201, 1201, 200, 80060), V(C, F_A, 1201, 5401, 0, 80070),
	V(C, F_PA, 1201, 5401, 100, 150070),
	VT(S, F_R, 5401, 0, 0, 150071, 65) }, 11 },
{ "near miss: a request unacknowledged when the silence began, re-sent "
  "70 s later into silence (a retransmission timer, not an idle gap)",
  TFE_V_MIDDLEBOX_IDLE_TIMEOUT, false, TFE_END_INPUT, 1000, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 30),
	V(C, F_PA, 1001, 5001, 100, 70030), V(C, F_PA, 1001, 5001, 100, 70230),
	V(C, F_PA, 1001, 5001, 100, 70630) }, 7 },
{ "an ACK past what the capture saw of its peer", TFE_V_CAPTURE_LOSS, true,
  TFE_END_INPUT, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 30),
	V(S, F_A, 5001, 1301, 0, 40) }, 5 },
{ "an ACK over a gap the capture never saw filled", TFE_V_CAPTURE_LOSS,
  true, TFE_END_INPUT, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 30),
	V(C, F_PA, 1201, 5001, 100, 31), V(S, F_A, 5001, 1301, 0, 40) }, 6 },
{ "near miss: a segment the network lost, re-sent before the ACK covers "
  "it", TFE_V_CAPTURE_LOSS, false, TFE_END_INPUT, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 30),
	V(C, F_PA, 1201, 5001, 100, 31), V(S, F_A, 5001, 1101, 0, 40),
	V(C, F_PA, 1101, 5001, 100, 300), V(S, F_A, 5001, 1301, 0, 310) }, 8 },
{ "near miss: a segment reordered before the capture point",
  TFE_V_CAPTURE_LOSS, false, TFE_END_INPUT, 0, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 30),
	V(C, F_PA, 1201, 5001, 100, 31), V(C, F_PA, 1101, 5001, 100, 32),
	V(S, F_A, 5001, 1301, 0, 40) }, 7 },
{ "SYN with window scale 15", TFE_V_OPTIONS_ODD, true, TFE_END_INPUT, 0, {
	VO(C, F_S, 1000, 0, 0, 0, O_MW, 1460, 15),
	VO(S, F_SA, 5000, 1001, 0, 10, O_MW, 1460, 7),
	V(C, F_A, 1001, 5001, 0, 20) }, 3 },
{ "SYN with MSS 100", TFE_V_OPTIONS_ODD, true, TFE_END_INPUT, 0, {
	VO(C, F_S, 1000, 0, 0, 0, O_MW, 100, 7),
	VO(S, F_SA, 5000, 1001, 0, 10, O_MW, 1460, 7),
	V(C, F_A, 1001, 5001, 0, 20) }, 3 },
{ "SYN without MSS", TFE_V_OPTIONS_ODD, true, TFE_END_INPUT, 0, {
	VO(C, F_S, 1000, 0, 0, 0, TFE_OPT_WSCALE, 0, 7),
	VO(S, F_SA, 5000, 1001, 0, 10, O_MW, 1460, 7),
	V(C, F_A, 1001, 5001, 0, 20) }, 3 },
{ "SYN+ACK offering SACK and timestamps the SYN did not offer",
  TFE_V_OPTIONS_ODD, true, TFE_END_INPUT, 0, {
	VO(C, F_S, 1000, 0, 0, 0, O_MW, 1460, 7),
	VO(S, F_SA, 5000, 1001, 0, 10, O_ALL, 1460, 7),
	V(C, F_A, 1001, 5001, 0, 20) }, 3 },
{ "near miss: MSS 1460 and window scale 14 both ways",
  TFE_V_OPTIONS_ODD, false, TFE_END_INPUT, 0, {
	VO(C, F_S, 1000, 0, 0, 0, O_ALL, 1460, 14),
	VO(S, F_SA, 5000, 1001, 0, 10, O_ALL, 1460, 7),
	V(C, F_A, 1001, 5001, 0, 20) }, 3 },
{ "near miss: a SYN+ACK declining the SYN's SACK and timestamps (Windows)",
  TFE_V_OPTIONS_ODD, false, TFE_END_INPUT, 0, {
	VO(C, F_S, 1000, 0, 0, 0, O_ALL, 1460, 7),
	VO(S, F_SA, 5000, 1001, 0, 10, O_MW, 1460, 8),
	V(C, F_A, 1001, 5001, 0, 20) }, 3 },
{ "near miss: MSS 536 over IPv4", TFE_V_OPTIONS_ODD, false, TFE_END_INPUT,
  0, {
	VO(C, F_S, 1000, 0, 0, 0, TFE_OPT_MSS, 536, 0),
	VO(S, F_SA, 5000, 1001, 0, 10, TFE_OPT_MSS, 536, 0),
	V(C, F_A, 1001, 5001, 0, 20) }, 3 },
{ "near miss: a SYN+FIN without options (invalid_flags speaks of it)",
  TFE_V_OPTIONS_ODD, false, TFE_END_INPUT, 0, {
	V(C, F_SF, 1000, 0, 0, 0) }, 1 },
{ "near miss: a request crossing the FIN and taken (half-close)",
  TFE_V_KEEPALIVE_RACE, false, TFE_END_CLOSED, 0, {
	OPEN, REQ_ANSWER, V(S, F_FA, 5201, 1101, 0, 5050),
	V(C, F_PA, 1101, 5201, 100, 5060), V(S, F_A, 5202, 1201, 0, 5061),
	V(C, F_FA, 1201, 5202, 0, 5070), V(S, F_A, 5202, 1202, 0, 5071) }, 11 },
{ "ICMP host unreachable for the SYN", TFE_V_ICMP_UNREACHABLE, true,
  TFE_END_INPUT, 3000, {
	V(C, F_S, 1000, 0, 0, 0), VX(C, F_S, 1000, 3, 3, 1) }, 2 },
{ "near miss: the SYN the ICMP answered is no syn_unanswered",
  TFE_V_SYN_UNANSWERED, false, TFE_END_INPUT, 3000, {
	V(C, F_S, 1000, 0, 0, 0), VX(C, F_S, 1000, 3, 3, 1) }, 2 },
{ "port unreachable from the server itself for the SYN",
  TFE_V_ICMP_UNREACHABLE, true, TFE_END_INPUT, 3000, {
	V(C, F_S, 1000, 0, 0, 0), VXP(C, F_S, 1000, 3, 3, 3) }, 2 },
{ "near miss: an ICMP error quoting another sequence number",
  TFE_V_ICMP_UNREACHABLE, false, TFE_END_INPUT, 3000, {
	V(C, F_S, 1000, 0, 0, 0), VX(C, F_S, 7777, 3, 3, 1) }, 2 },
{ "near miss: ... and the SYN stays unanswered",
  TFE_V_SYN_UNANSWERED, true, TFE_END_INPUT, 3000, {
	V(C, F_S, 1000, 0, 0, 0), VX(C, F_S, 7777, 3, 3, 1) }, 2 },
{ "ICMP error after the handshake: a soft error", TFE_V_ICMP_UNREACHABLE,
  true, TFE_END_INPUT, 3000, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 30),
	VX(C, F_PA, 1001, 33, 3, 1), V(C, F_PA, 1001, 5001, 100, 300) }, 6 },
{ "ICMP fragmentation needed for a data segment",
  TFE_V_ICMP_PACKET_TOO_BIG, true, TFE_END_INPUT, 3000, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 30), VXM(C, F_PA, 1001, 33, 1280),
	V(C, F_PA, 1001, 5001, 100, 34) }, 6 },
{ "near miss: fragmentation needed is no icmp_unreachable",
  TFE_V_ICMP_UNREACHABLE, false, TFE_END_INPUT, 3000, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 30), VXM(C, F_PA, 1001, 33, 1280),
	V(C, F_PA, 1001, 5001, 100, 34) }, 6 },
{ "ICMP host unreachable for the server's SYN+ACK", TFE_V_ICMP_UNREACHABLE,
  true, TFE_END_INPUT, 3000, {
	V(C, F_S, 1000, 0, 0, 0), V(S, F_SA, 5000, 1001, 0, 10),
	VX(S, F_SA, 5000, 12, 3, 1) }, 3 },
{ "near miss: an ICMP error for data the peer had acknowledged",
  TFE_V_ICMP_UNREACHABLE, false, TFE_END_INPUT, 3000, {
	OPEN, V(C, F_PA, 1001, 5001, 100, 30), V(S, F_A, 5001, 1101, 0, 40),
	VX(C, F_PA, 1001, 45, 3, 1) }, 6 },
};

static struct tfe_segment
make_seg(const struct vseg *v)
{
	struct tfe_segment s = tfe_test_segment(v->from == C, v->flags, v->seq, v->ack, v->len,
	                        v->win < 0 ? 1000 : (uint16_t)v->win,
	                        v->ttl ? (uint8_t)v->ttl : 64,
	                        v->ip_id < 0 ? 0 :
	                        v->ip_id ? (uint16_t)v->ip_id
	                                 : (uint16_t)(100 + v->ms));
	s.opt_mask = v->opts;
	s.mss = v->mss;
	s.wscale = v->wscale;
	if (v->icmp_type != 0) {
		static const uint8_t router[4] = { 10, 0, 0, 254 };
		s.icmp.family = 4;
		s.icmp.type = v->icmp_type;
		s.icmp.code = v->icmp_code;
		s.icmp.quoted = 20;
		s.icmp.mtu = v->mtu;
		/* the peer's address (the quoted packet's destination), or
		 * a router's */
		memcpy(s.icmp.from, v->ttl == 1 ? s.dst : router, 4);
	}
	return s;
}

#define MS INT64_C(1000000)
#define T0 (INT64_C(1700000000) * TFE_NS_PER_SEC)

/* The connection the segments make (frames numbered from 1, times from
 * T0), not finished; *last gets the last one's time. */
static struct tfe_conn *
conn_of(const struct vseg *segs, int n, const struct tfe_config *cfg,
        int64_t *last)
{
	struct tfe_conn *c = NULL;

	*last = T0;
	for (int i = 0; i < n; i++) {
		struct tfe_segment s = make_seg(&segs[i]);
		bool from_lo = segs[i].from == C;

		if (c == NULL)
			c = tfe_conn_new(1, &s, from_lo, cfg);
		*last = T0 + segs[i].ms * MS;
		if (segs[i].icmp_type != 0)
			(void)tfe_conn_icmp_error(c, &s, tfe_conn_side(c, from_lo),
			                          (uint64_t)i + 1, *last);
		else
			tfe_conn_update(c, &s, tfe_conn_side(c, from_lo),
			                (uint64_t)i + 1, *last, cfg);
	}
	return c;
}

START_TEST(test_verdict_case)
{
	const struct vcase *vc = &cases[_i];
	struct tfe_config cfg;
	int64_t last;

	tfe_config_defaults(&cfg);
	struct tfe_conn *c = conn_of(vc->segs, vc->n, &cfg, &last);
	tfe_conn_finish(c, vc->cause, &cfg);

	GArray *v = tfe_verdicts_new();
	tfe_verdicts_collect(c, &cfg, last + vc->after_ms * MS, v);
	bool found = false;
	GString *all = g_string_new(NULL);
	for (guint i = 0; i < v->len; i++) {
		const struct tfe_verdict *x = &g_array_index(v, struct tfe_verdict, i);
		g_string_append_printf(all, " %s", tfe_verdicts[x->kind].kind);
		if (x->kind == vc->kind) {
			found = true;
			/* a verdict always says something, with its frames */
			ck_assert(x->message && strlen(x->message) > 20);
			ck_assert_uint_le(x->nframes, TFE_VERDICT_MAX_FRAMES);
			/* and the numbers its sentence gives as fields: all
			 * kinds but those whose sentences give frames alone
			 * (rst_suspicious: its first form) */
			bool none = x->kind == TFE_V_SIMULTANEOUS_OPEN ||
			            x->kind == TFE_V_SIMULTANEOUS_CLOSE ||
			            x->kind == TFE_V_MIDSTREAM ||
			            x->kind == TFE_V_OPEN_AT_END ||
			            x->kind == TFE_V_RST_SUSPICIOUS;
			ck_assert_msg(none || x->nnumbers > 0, "%s: %s has no "
			              "numbers: %s", vc->name,
			              tfe_verdicts[x->kind].kind, x->message);
			for (int n = 0; n < x->nnumbers; n++) {
				const char *nm = x->numbers[n].name;
				bool secs = g_str_has_suffix(nm, "_s");
				ck_assert_msg(secs == (x->numbers[n].unit ==
				                       TFE_VNUM_NS), "%s", nm);
				ck_assert_int_ge(x->numbers[n].value, 0);
			}
		}
	}
	ck_assert_msg(found == vc->fires, "%s: %s %s; found:%s", vc->name,
	              tfe_verdicts[vc->kind].kind,
	              vc->fires ? "did not fire" : "fired", all->str);

	/* Without their sentences (the summary form), the same verdicts
	 * with the same evidence, and no message. */
	cfg.verdict_messages = false;
	GArray *bare = tfe_verdicts_new();
	tfe_verdicts_collect(c, &cfg, last + vc->after_ms * MS, bare);
	ck_assert_uint_eq(bare->len, v->len);
	for (guint i = 0; i < v->len; i++) {
		const struct tfe_verdict *x = &g_array_index(v, struct tfe_verdict, i);
		const struct tfe_verdict *y =
			&g_array_index(bare, struct tfe_verdict, i);
		ck_assert_uint_eq(y->kind, x->kind);
		ck_assert_uint_eq(y->side, x->side);
		ck_assert_uint_eq(y->nframes, x->nframes);
		for (int f = 0; f < x->nframes; f++)
			ck_assert_uint_eq(y->frames[f], x->frames[f]);
		ck_assert_uint_eq(y->nnumbers, x->nnumbers);
		for (int n = 0; n < x->nnumbers; n++) {
			ck_assert_str_eq(y->numbers[n].name, x->numbers[n].name);
			ck_assert_int_eq(y->numbers[n].value, x->numbers[n].value);
		}
		ck_assert_ptr_null(y->message);
	}
	tfe_verdicts_clear(bare);
	g_array_free(bare, TRUE);

	g_string_free(all, TRUE);
	tfe_verdicts_clear(v);
	g_array_free(v, TRUE);
	tfe_conn_free(c);
}
END_TEST

/* What an ICMP error does to the quoted side's state (conn.c,
 * tfe_conn_icmp_error): a hard one before the handshake completes closes
 * it, with an arrival row at the error's frame; the others change
 * nothing. */
static const struct {
	const char *name;
	struct vseg segs[4];
	int n;
	int side;
	uint8_t state;          /* the side's state at the end */
} icmp_states[] = {
	{ "host unreachable for the SYN: CLOSED", {
		V(C, F_S, 1000, 0, 0, 0), VX(C, F_S, 1000, 3, 3, 1) }, 2,
	  C, TFE_ST_CLOSED },
	{ "host unreachable for the SYN+ACK: dropped from the SYN queue", {
		V(C, F_S, 1000, 0, 0, 0), V(S, F_SA, 5000, 1001, 0, 10),
		VX(S, F_SA, 5000, 12, 3, 1) }, 3, S, TFE_ST_CLOSED },
	{ "port unreachable for the SYN+ACK: Linux keeps the request", {
		V(C, F_S, 1000, 0, 0, 0), V(S, F_SA, 5000, 1001, 0, 10),
		VX(S, F_SA, 5000, 12, 3, 3) }, 3, S, TFE_ST_SYN_RECEIVED },
	{ "fragmentation needed for the SYN: no error", {
		V(C, F_S, 1000, 0, 0, 0), VXM(C, F_S, 1000, 3, 1280) }, 2,
	  C, TFE_ST_SYN_SENT },
	{ "an error for the established client's data: soft", {
		OPEN, VX(C, F_A, 1001, 25, 3, 1) }, 4, C, TFE_ST_ESTABLISHED },
};

START_TEST(test_icmp_states)
{
	struct tfe_config cfg;
	struct tfe_conn *c = NULL;

	tfe_config_defaults(&cfg);
	for (int i = 0; i < icmp_states[_i].n; i++) {
		const struct vseg *v = &icmp_states[_i].segs[i];
		struct tfe_segment s = make_seg(v);
		if (c == NULL)
			c = tfe_conn_new(1, &s, v->from == C, &cfg);
		int side = tfe_conn_side(c, v->from == C);
		if (v->icmp_type != 0)
			ck_assert(tfe_conn_icmp_error(c, &s, side,
			                              (uint64_t)i + 1,
			                              T0 + v->ms * MS));
		else
			tfe_conn_update(c, &s, side, (uint64_t)i + 1,
			                T0 + v->ms * MS, &cfg);
	}
	tfe_conn_finish(c, TFE_END_INPUT, &cfg);
	int side = icmp_states[_i].side;
	ck_assert_msg(c->ep[side].state == icmp_states[_i].state, "%s: %s",
	              icmp_states[_i].name,
	              tfe_state_names[c->ep[side].state]);
	/* the arrival row where the side closed */
	bool row = false;
	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++)
		if (c->tl.rows[i].kind == TFE_ROW_ARRIVAL &&
		    c->tl.rows[i].frame == (uint64_t)icmp_states[_i].n)
			row = true;
	ck_assert(row == (icmp_states[_i].state == TFE_ST_CLOSED));
	tfe_conn_free(c);
}
END_TEST

/* Every kind has a firing case in the table above. */
START_TEST(test_every_kind_covered)
{
	for (int k = 0; k < TFE_V__COUNT; k++) {
		bool covered = false;
		for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
			if (cases[i].kind == (enum tfe_verdict_kind)k && cases[i].fires)
				covered = true;
		/* time_wait_reuse and syn_to_stale_socket need two
		 * connections: test_time_wait_reuse, test_stale_socket */
		if (k == TFE_V_TIME_WAIT_REUSE || k == TFE_V_TIME_WAIT_REUSE_SAFE ||
		    k == TFE_V_SYN_TO_STALE_SOCKET)
			continue;
		ck_assert_msg(covered, "no firing case for %s", tfe_verdicts[k].kind);
	}
}
END_TEST

/* The catalogue: stable snake_case names, a title and a source each. */
START_TEST(test_catalogue)
{
	for (int k = 0; k < TFE_V__COUNT; k++) {
		const struct tfe_verdict_def *d = &tfe_verdicts[k];
		ck_assert_ptr_nonnull(d->kind);
		ck_assert_ptr_nonnull(d->title);
		ck_assert_ptr_nonnull(d->rfc);
		for (const char *p = d->kind; *p; p++)
			ck_assert(g_ascii_islower(*p) || *p == '_');
		for (int j = 0; j < k; j++)
			ck_assert_str_ne(d->kind, tfe_verdicts[j].kind);
	}
	uint64_t set;
	char *bad = NULL;
	ck_assert(tfe_verdict_parse_list("zero_window, half_close", &set, &bad));
	ck_assert_uint_eq(set, (UINT64_C(1) << TFE_V_ZERO_WINDOW) |
	                       (UINT64_C(1) << TFE_V_HALF_CLOSE));
	ck_assert(!tfe_verdict_parse_list("zero_window,nope", &set, &bad));
	ck_assert_str_eq(bad, "nope");
	g_free(bad);
	/* severities, all, and -kind in order */
	uint64_t warn = 0, info = 0;
	for (int k = 0; k < TFE_V__COUNT; k++) {
		if (tfe_verdicts[k].severity == TFE_SEV_WARNING)
			warn |= UINT64_C(1) << k;
		else
			info |= UINT64_C(1) << k;
	}
	ck_assert(warn != 0 && info != 0);
	ck_assert(tfe_verdict_parse_list("warning", &set, &bad));
	ck_assert_uint_eq(set, warn);
	ck_assert(tfe_verdict_parse_list("info", &set, &bad));
	ck_assert_uint_eq(set, info);
	ck_assert(tfe_verdict_parse_list("all", &set, &bad));
	ck_assert_uint_eq(set, warn | info);
	ck_assert(tfe_verdict_parse_list("warning,-time_wait_reuse", &set, &bad));
	ck_assert_uint_eq(set, warn & ~(UINT64_C(1) << TFE_V_TIME_WAIT_REUSE));
	/* a kind taken out, then named again */
	ck_assert(tfe_verdict_parse_list("all,-warning,zero_window", &set, &bad));
	ck_assert_uint_eq(set, info | (UINT64_C(1) << TFE_V_ZERO_WINDOW));
	ck_assert(!tfe_verdict_parse_list("warning,-nope", &set, &bad));
	ck_assert_str_eq(bad, "-nope");
	g_free(bad);
	ck_assert(!tfe_verdict_parse_list("warnings", &set, &bad));
	ck_assert_str_eq(bad, "warnings");
	g_free(bad);
}
END_TEST

/* time_wait_reuse and time_wait_reuse_safe: a new connection whose
 * tombstone says its 4-tuple sat in TIME_WAIT `gap_s` before its SYN, the
 * old client's sequence space ending at `old_end`; the kinds found, as
 * bits. */
static unsigned
reuse_kinds(int64_t gap_s, uint32_t old_end, const struct vseg *segs, int n,
            bool ts)
{
	struct tfe_config cfg;
	struct tfe_conn *c = NULL;
	int64_t last = T0;

	tfe_config_defaults(&cfg);
	for (int i = 0; i < n; i++) {
		struct tfe_segment s = make_seg(&segs[i]);
		if (ts) {
			s.opt_mask |= TFE_OPT_TS;
			s.ts_val = 1000 + (uint32_t)segs[i].ms;
		}
		if (c == NULL)
			c = tfe_conn_new(2, &s, segs[i].from == C, &cfg);
		last = T0 + segs[i].ms * MS;
		tfe_conn_update(c, &s, tfe_conn_side(c, segs[i].from == C),
		                (uint64_t)i + 20, last, &cfg);
	}
	c->has_prev = true;
	c->prev_tw_side = TFE_SIDE_SERVER;
	tfe_conn_rare_mut(c)->prev_id = 1;
	tfe_conn_rare_mut(c)->prev_tw_since = T0 - gap_s * TFE_NS_PER_SEC;
	tfe_conn_rare_mut(c)->prev_snd_nxt[TFE_SIDE_CLIENT] = old_end;
	tfe_conn_finish(c, TFE_END_INPUT, &cfg);
	GArray *v = tfe_verdicts_new();
	tfe_verdicts_collect(c, &cfg, last + 2000 * MS, v);
	unsigned found = 0;
	for (guint i = 0; i < v->len; i++) {
		const struct tfe_verdict *x = &g_array_index(v, struct tfe_verdict, i);
		if (x->kind == TFE_V_TIME_WAIT_REUSE ||
		    x->kind == TFE_V_TIME_WAIT_REUSE_SAFE) {
			found |= 1u << x->kind;
			ck_assert(x->message && strlen(x->message) > 20);
			ck_assert_uint_eq(x->side, TFE_SIDE_SERVER);
		}
	}
	tfe_verdicts_clear(v);
	g_array_free(v, TRUE);
	tfe_conn_free(c);
	return found;
}

#define WARN (1u << TFE_V_TIME_WAIT_REUSE)
#define SAFE (1u << TFE_V_TIME_WAIT_REUSE_SAFE)

START_TEST(test_time_wait_reuse)
{
	const struct vseg open[] = { OPEN };
	/* the TIME_WAIT server answers with an ACK of the old connection */
	const struct vseg challenged[] = {
		V(C, F_S, 1000, 0, 0, 0), V(S, F_A, 4000, 1500, 0, 1),
		V(C, F_R, 1500, 0, 0, 2) };
	/* the first SYN is not taken, the second is */
	const struct vseg resent[] = {
		V(C, F_S, 1000, 0, 0, 0), V(C, F_S, 1000, 0, 0, 1000),
		V(S, F_SA, 5000, 1001, 0, 1010), V(C, F_A, 1001, 5001, 0, 1020) };
	/* a SYN no one answers */
	const struct vseg ignored[] = { V(C, F_S, 1000, 0, 0, 0) };

	/* ISN above the old end, handshake at once: the kernel's safe reuse */
	ck_assert_uint_eq(reuse_kinds(5, 900, open, 3, false), SAFE);
	ck_assert_uint_eq(reuse_kinds(59, 900, open, 3, false), SAFE);
	ck_assert_uint_eq(reuse_kinds(5, 900, open, 3, true), SAFE);
	/* near miss: ISN not above, but timestamps keep them apart */
	ck_assert_uint_eq(reuse_kinds(5, 1500, open, 3, true), SAFE);
	/* ISN not above and no timestamps: unsafe though it completed */
	ck_assert_uint_eq(reuse_kinds(5, 1500, open, 3, false), WARN);
	/* failed reuses warn whatever the ISN */
	ck_assert_uint_eq(reuse_kinds(5, 900, challenged, 3, true), WARN);
	ck_assert_uint_eq(reuse_kinds(5, 900, resent, 4, true), WARN);
	ck_assert_uint_eq(reuse_kinds(5, 900, ignored, 1, true), WARN);
	/* past 2MSL: no reuse of a TIME_WAIT at all */
	ck_assert_uint_eq(reuse_kinds(61, 900, open, 3, false), 0);
	ck_assert_uint_eq(reuse_kinds(61, 1500, challenged, 3, false), 0);
}
END_TEST

/* The message of the first verdict of `kind` on the finished connection
 * `c` at `now`, or NULL (g_free() it); its numbers in *numbers when not
 * NULL. */
static char *
verdict_of(const struct tfe_conn *c, const struct tfe_config *cfg,
           int64_t now, enum tfe_verdict_kind kind, struct tfe_verdict *numbers)
{
	char *msg = NULL;
	GArray *v = tfe_verdicts_new();

	tfe_verdicts_collect(c, cfg, now, v);
	for (guint i = 0; i < v->len && msg == NULL; i++) {
		const struct tfe_verdict *x = &g_array_index(v, struct tfe_verdict, i);
		if (x->kind != kind)
			continue;
		msg = g_strdup(x->message);
		if (numbers != NULL) {
			*numbers = *x;
			numbers->message = NULL;
		}
	}
	tfe_verdicts_clear(v);
	g_array_free(v, TRUE);
	return msg;
}

/* The message of the first verdict of `kind` on the connection the
 * segments make (closed at the last), or NULL; g_free() it. */
static char *
message_of(enum tfe_verdict_kind kind, const struct vseg *segs, int n)
{
	struct tfe_config cfg;
	int64_t last;

	tfe_config_defaults(&cfg);
	struct tfe_conn *c = conn_of(segs, n, &cfg, &last);
	tfe_conn_finish(c, TFE_END_CLOSED, &cfg);
	char *msg = verdict_of(c, &cfg, last, kind, NULL);
	tfe_conn_free(c);
	return msg;
}

/* abortive_close: what the RST did to the peer, unless the peer's own FIN
 * or RST crossed it (within twice the handshake's 20 ms round trip and
 * 10 ms): then the peer had closed or reset on its own. */
START_TEST(test_abort_crossed)
{
	const struct vseg crossed[] = {
		OPEN, V(C, F_RA, 1001, 5001, 0, 30), V(S, F_FA, 5001, 1001, 0, 35) };
	const struct vseg reset_too[] = {
		OPEN, V(C, F_RA, 1001, 5001, 0, 30), V(S, F_RA, 5001, 1001, 0, 32) };
	const struct vseg alone[] = {
		OPEN, V(C, F_RA, 1001, 5001, 0, 30) };
	char *m = message_of(TFE_V_ABORTIVE_CLOSE, crossed, 5);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(strstr(m, "the server's own FIN (frame 5) crossed "
	                                "it on the wire"));
	ck_assert_ptr_null(strstr(m, "ECONNRESET"));
	g_free(m);
	m = message_of(TFE_V_ABORTIVE_CLOSE, reset_too, 5);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(strstr(m, "reset the connection itself"));
	g_free(m);
	/* near miss: nothing from the peer after the RST */
	m = message_of(TFE_V_ABORTIVE_CLOSE, alone, 4);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(strstr(m, "the peer application gets ECONNRESET"));
	g_free(m);
}
END_TEST

/* syn_to_stale_socket: a new connection that took its 4-tuple from
 * connection #1 while that one was not over (`live`), with each side's
 * state in it then (`old_cl`, `old_sv`); #1's client side ended at 1500.
 * With `tw`, #1 was closed instead, its server in TIME_WAIT 5 s before
 * (the tombstone's case).  Whether the verdict fired, and its message in
 * `msg` when asked. */
static bool
stale_fires(bool live, bool tw, uint8_t old_cl, uint8_t old_sv,
            const struct vseg *segs, int n, char **msg)
{
	struct tfe_config cfg;
	struct tfe_conn *c = NULL;
	int64_t last = T0;
	bool found = false;

	tfe_config_defaults(&cfg);
	for (int i = 0; i < n; i++) {
		struct tfe_segment s = make_seg(&segs[i]);
		if (c == NULL) {
			c = tfe_conn_new(2, &s, segs[i].from == C, &cfg);
			/* as analyze.c sets it, before the first segment */
			struct tfe_conn_rare *r = tfe_conn_rare_mut(c);
			if (live || tw) {
				c->has_prev = true;
				r->prev_id = 1;
				r->prev_snd_nxt[TFE_SIDE_CLIENT] = 1500;
				r->prev_snd_nxt[TFE_SIDE_SERVER] = 4000;
			}
			c->prev_tw_side = tw ? TFE_SIDE_SERVER : TFE_SIDE_NONE;
			if (tw)
				r->prev_tw_since = T0 - 5 * TFE_NS_PER_SEC;
			r->prev_live = live;
			r->prev_state[TFE_SIDE_CLIENT] = old_cl;
			r->prev_state[TFE_SIDE_SERVER] = old_sv;
		}
		last = T0 + segs[i].ms * MS;
		tfe_conn_update(c, &s, tfe_conn_side(c, segs[i].from == C),
		                (uint64_t)i + 20, last, &cfg);
	}
	tfe_conn_finish(c, TFE_END_INPUT, &cfg);
	GArray *v = tfe_verdicts_new();
	tfe_verdicts_collect(c, &cfg, last + 2000 * MS, v);
	for (guint i = 0; i < v->len; i++) {
		const struct tfe_verdict *x = &g_array_index(v, struct tfe_verdict, i);
		if (x->kind != TFE_V_SYN_TO_STALE_SOCKET)
			continue;
		found = true;
		ck_assert(x->message && strlen(x->message) > 20);
		ck_assert_uint_eq(x->side, TFE_SIDE_SERVER);
		ck_assert_uint_gt(x->nnumbers, 0);
		if (msg)
			*msg = g_strdup(x->message);
	}
	tfe_verdicts_clear(v);
	g_array_free(v, TRUE);
	tfe_conn_free(c);
	return found;
}

#define CW TFE_ST_CLOSE_WAIT
#define FW2 TFE_ST_FIN_WAIT_2
#define EST TFE_ST_ESTABLISHED

START_TEST(test_stale_socket)
{
	/* the kernel lab's form: the CLOSE_WAIT socket's challenge ACK (ack
	 * 1500, where #1's client side ended), the client's RST with that
	 * number, its SYN again at once, the listener's SYN+ACK */
	const struct vseg challenged[] = {
		V(C, F_S, 1000, 0, 0, 0), V(S, F_A, 4000, 1500, 0, 1),
		V(C, F_R, 1500, 0, 0, 2), V(C, F_S, 1000, 0, 0, 12),
		V(S, F_SA, 5000, 1001, 0, 13), V(C, F_A, 1001, 5001, 0, 14) };
	/* no RST in the capture, no SYN again */
	const struct vseg unanswered[] = {
		V(C, F_S, 1000, 0, 0, 0), V(S, F_A, 4000, 1500, 0, 1) };
	/* near miss: the SYN answered by a SYN+ACK at once */
	const struct vseg taken[] = { OPEN };
	/* near miss: a bare ACK that acknowledges the SYN (ISN+1) */
	const struct vseg acks_syn[] = {
		V(C, F_S, 1000, 0, 0, 0), V(S, F_A, 4000, 1001, 0, 1) };
	/* near miss: no SYN from the client (mid-stream) */
	const struct vseg midstream[] = {
		V(C, F_A, 1001, 5001, 0, 0), V(S, F_A, 4000, 1500, 0, 1) };
	char *m = NULL;

	ck_assert(stale_fires(true, false, FW2, CW, challenged, 6, &m));
	ck_assert_ptr_nonnull(strstr(m, "connection #1"));
	ck_assert_ptr_nonnull(strstr(m, "CLOSE_WAIT as the capture shows it"));
	ck_assert_ptr_nonnull(strstr(m, "challenge ACK (frame 21"));
	ck_assert_ptr_nonnull(strstr(m, "a RST (frame 22, seq 1500, the ACK's "
	                                "number"));
	ck_assert_ptr_nonnull(strstr(m, "SYN+ACK (frame 24)"));
	g_free(m);
	m = NULL;
	/* the old connection still open on both sides (the crafted
	 * capture's form), and a LAST_ACK server */
	ck_assert(stale_fires(true, false, EST, EST, challenged, 6, NULL));
	ck_assert(stale_fires(true, false, TFE_ST_TIME_WAIT, TFE_ST_LAST_ACK,
	                      unanswered, 2, &m));
	ck_assert_ptr_nonnull(strstr(m, "no RST from the client"));
	ck_assert_ptr_nonnull(strstr(m, "did not send its SYN again"));
	g_free(m);

	/* near misses */
	ck_assert(!stale_fires(true, false, FW2, CW, taken, 3, NULL));
	ck_assert(!stale_fires(true, false, FW2, CW, acks_syn, 2, NULL));
	ck_assert(!stale_fires(true, false, FW2, CW, midstream, 2, NULL));
	/* no earlier connection in the capture: the ACK is unexplained, no
	 * stale socket is claimed */
	ck_assert(!stale_fires(false, false, FW2, CW, challenged, 6, NULL));
	/* the earlier connection was over, its server in TIME_WAIT: that is
	 * time_wait_reuse's */
	ck_assert(!stale_fires(false, true, TFE_ST_CLOSED, TFE_ST_TIME_WAIT,
	                       challenged, 6, NULL));
	/* the earlier one's server held no connection socket (a listener
	 * that had not answered, a side already CLOSED) */
	ck_assert(!stale_fires(true, false, TFE_ST_SYN_SENT, TFE_ST_LISTEN,
	                       challenged, 6, NULL));
	ck_assert(!stale_fires(true, false, EST, TFE_ST_CLOSED, challenged, 6,
	                       NULL));
}
END_TEST

/* Too little capture after a SYN or a last FIN: no verdict, and the
 * open_at_end note says why. */
static char *
undecided_text(const struct vseg *segs, int n, int after_ms)
{
	struct tfe_config cfg;
	int64_t last;
	char *text = NULL;

	tfe_config_defaults(&cfg);
	struct tfe_conn *c = conn_of(segs, n, &cfg, &last);
	tfe_conn_finish(c, TFE_END_INPUT, &cfg);
	GArray *v = tfe_verdicts_new();
	tfe_verdicts_collect(c, &cfg, last + after_ms * MS, v);
	for (guint i = 0; i < v->len; i++) {
		const struct tfe_verdict *x = &g_array_index(v, struct tfe_verdict, i);
		ck_assert(x->kind != TFE_V_SYN_UNANSWERED &&
		          x->kind != TFE_V_MISSING_FINAL_ACK);
		if (x->kind == TFE_V_OPEN_AT_END && !text)
			text = g_strdup(x->message);
	}
	tfe_verdicts_clear(v);
	g_array_free(v, TRUE);
	tfe_conn_free(c);
	return text;
}

START_TEST(test_not_enough_capture)
{
	const struct vseg syn[] = { V(C, F_S, 1000, 0, 0, 0) };
	const struct vseg fin[] = {
		OPEN, V(C, F_FA, 1001, 5001, 0, 30), V(S, F_A, 5001, 1002, 0, 40),
		V(S, F_FA, 5001, 1002, 0, 50) };
	char *t;

	t = undecided_text(syn, 1, 300);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(strstr(t, "not enough capture to tell whether "
	                                "the SYN"));
	g_free(t);
	t = undecided_text(fin, 6, 300);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(strstr(t, "not enough capture to tell"));
	g_free(t);
}
END_TEST

/* Whether `t` is a well-formed template: its braces close, each slot is
 * {name} or {name:one|other} with `name` a plain identifier, "{{" and
 * "}}" stand for braces.  On failure, *why says where. */
static bool
template_ok(const char *t, const char **why)
{
	while (*t != '\0') {
		if ((t[0] == '{' || t[0] == '}') && t[1] == t[0]) {
			t += 2;
			continue;
		}
		if (*t == '}') {
			*why = t;
			return false;
		}
		if (*t++ != '{')
			continue;
		*why = t;
		if (!g_ascii_islower(*t) && *t != '_')
			return false;
		while (g_ascii_islower(*t) || g_ascii_isdigit(*t) || *t == '_')
			t++;
		if (*t == ':') {
			const char *bar = NULL;
			for (t++; *t != '}' && *t != '\0'; t++) {
				if (*t == '{' || (*t == '|' && bar != NULL))
					return false;
				if (*t == '|')
					bar = t;
			}
			if (bar == NULL)
				return false;
		}
		if (*t++ != '}')
			return false;
	}
	return true;
}

/* A phrase's name: an identifier, or "slot.alternative". */
static bool
phrase_name_ok(const char *n)
{
	int dots = 0;

	if (!g_ascii_islower(*n))
		return false;
	for (; *n; n++) {
		if (*n == '.' && (dots++ > 0 || !g_ascii_islower(n[1])))
			return false;
		if (*n != '.' && !g_ascii_islower(*n) && !g_ascii_isdigit(*n) &&
		    *n != '_')
			return false;
	}
	return true;
}

static void
check_phrases(const char *kind, const struct tfe_phrase *p, bool own)
{
	int forms = 0;
	const char *why = "";

	ck_assert_msg(p != NULL, "%s has no templates", kind);
	for (; p->name != NULL; p++) {
		ck_assert_msg(phrase_name_ok(p->name), "%s: phrase name %s",
		              kind, p->name);
		ck_assert_ptr_nonnull(p->text);
		ck_assert_msg(template_ok(p->text, &why), "%s %s: bad slot at "
		              "\"%s\"", kind, p->name, why);
		if (strchr(p->name, '.') == NULL)
			forms++;
	}
	/* a kind's sentence has at least one form of its own */
	ck_assert_msg(!own || forms > 0, "%s has no sentence template", kind);
}

/* The catalogue's templates: every kind has at least one, each is well
 * formed, and the rules' helpers agree with what the test reads. */
START_TEST(test_templates)
{
	const char *why;

	for (int k = 0; k < TFE_V__COUNT; k++)
		check_phrases(tfe_verdicts[k].kind, tfe_verdicts[k].phrases,
		              true);
	check_phrases("shared", tfe_verdict_shared, false);
	/* the checker itself */
	ck_assert(template_ok("{a} {b_2:x|y} {{1,0}} {c:|z}", &why));
	ck_assert(!template_ok("{a", &why));
	ck_assert(!template_ok("a}", &why));
	ck_assert(!template_ok("{A}", &why));
	ck_assert(!template_ok("{a b}", &why));
	ck_assert(!template_ok("{a:x}", &why));
	ck_assert(!template_ok("{2a}", &why));
}
END_TEST

/* tfe_verdict_expand() fills slots by name, picks clauses, and says when
 * a slot is missing or filled for nothing. */
START_TEST(test_expand)
{
	struct tfe_slots s = { 0 };
	char *problem, *t;

	/* "{sender} sent its FIN {fins} times" */
	tfe_slots_set(&s, "sender", "%s", "client 10.0.0.1:40000");
	tfe_slots_set(&s, "fins", "%u", 3u);
	t = tfe_verdict_expand(TFE_V_FIN_RETRANSMITTED, "resent", &s, &problem);
	ck_assert_str_eq(t, "client 10.0.0.1:40000 sent its FIN 3 times");
	ck_assert_ptr_null(problem);
	g_free(t);
	tfe_slots_clear(&s);

	/* a slot not filled */
	tfe_slots_set(&s, "sender", "%s", "client 10.0.0.1:40000");
	t = tfe_verdict_expand(TFE_V_FIN_RETRANSMITTED, "resent", &s, &problem);
	ck_assert_ptr_nonnull(problem);
	ck_assert_ptr_nonnull(strstr(problem, "{fins} is not filled"));
	g_free(problem);
	g_free(t);
	/* a slot filled that nothing uses */
	tfe_slots_set(&s, "fins", "%u", 3u);
	tfe_slots_set(&s, "finns", "%u", 3u);
	t = tfe_verdict_expand(TFE_V_FIN_RETRANSMITTED, "resent", &s, &problem);
	ck_assert_ptr_nonnull(problem);
	ck_assert_ptr_nonnull(strstr(problem, "{finns}"));
	g_free(problem);
	g_free(t);
	tfe_slots_clear(&s);
	/* no such form */
	t = tfe_verdict_expand(TFE_V_FIN_RETRANSMITTED, "nope", &s, &problem);
	ck_assert_ptr_nonnull(problem);
	g_free(problem);
	g_free(t);

	/* a clause, whose alternatives may use slots the one picked does
	 * not: the rule fills them whichever it picks */
	tfe_slots_set(&s, "sender", "%s", "server 10.0.0.2:80");
	tfe_slots_set(&s, "at", "%s", "+1.000000 s");
	tfe_slots_set(&s, "frame", "%u", 9u);
	tfe_slots_set(&s, "peer", "%s", "client");
	tfe_slots_pick(&s, "why", "benign");
	t = tfe_verdict_expand(TFE_V_FIN_THEN_RST, "after_fins", &s, &problem);
	ck_assert_ptr_null(problem);
	ck_assert_str_eq(t, "server 10.0.0.2:80 sent RST at +1.000000 s (frame "
	                    "9) after both FINs: common and mostly benign (a "
	                    "segment reached a socket already closed)");
	g_free(t);
	tfe_slots_clear(&s);
	/* an alternative that does not exist */
	tfe_slots_pick(&s, "rtt", "nope");
	tfe_slots_set(&s, "sender", "x");
	tfe_slots_count(&s, "segments", 1);
	tfe_slots_set(&s, "late", "1.000");
	tfe_slots_set(&s, "within", "2.000");
	t = tfe_verdict_expand(TFE_V_OUT_OF_ORDER, "reordered", &s, &problem);
	ck_assert_ptr_nonnull(problem);
	ck_assert_ptr_nonnull(strstr(problem, "rtt.nope"));
	/* a count chooses the words of {segments:one|other} */
	ck_assert_ptr_nonnull(strstr(t, "x sent 1 segment that reached the "
	                                "capture point out of order: it "
	                                "filled a gap in its sequence space "
	                                "1.000 ms"));
	g_free(problem);
	g_free(t);
	tfe_slots_clear(&s);

	/* a clause picked several times, joined; braces written twice */
	tfe_slots_set(&s, "sender", "server 10.0.0.2:80");
	tfe_slots_set(&s, "segment", "SYN+ACK");
	tfe_slots_set(&s, "frame", "2");
	tfe_slots_set(&s, "side", "server");
	tfe_slots_set(&s, "peer", "client");
	tfe_slots_set(&s, "floor", "536");
	tfe_slots_pick(&s, "what", "no_mss");
	tfe_slots_pick(&s, "options", "sack");
	tfe_slots_pick(&s, "options", "ws");
	tfe_slots_count(&s, "unasked", 2);
	tfe_slots_pick(&s, "what", "unasked");
	t = tfe_verdict_expand(TFE_V_OPTIONS_ODD, "odd", &s, &problem);
	ck_assert_ptr_null(problem);
	ck_assert_ptr_nonnull(strstr(t, "per segment; SACK-permitted and "
	                                "window scale (2 options) in answer "
	                                "to a SYN that did not offer them"));
	g_free(t);
	tfe_slots_clear(&s);
	tfe_slots_set(&s, "peer", "client");
	t = tfe_verdict_expand(TFE_V_ABORTIVE_CLOSE, "why.other", &s, &problem);
	ck_assert_ptr_nonnull(problem); /* {peer}: nothing uses it */
	ck_assert_str_eq(t, "SO_LINGER {1,0}, close() with unread data, or a "
	                    "crash");
	g_free(problem);
	g_free(t);
	tfe_slots_clear(&s);
}
END_TEST

/* Live: lingering_close_wait names the process that holds the socket,
 * when the kernel told it. */
static char *
lingering_owned(const struct vseg *segs, int n, enum tfe_end_cause cause,
                int after_ms)
{
	struct tfe_config cfg;
	struct tfe_verdict x;
	int64_t last;

	tfe_config_defaults(&cfg);
	struct tfe_conn *c = conn_of(segs, n, &cfg, &last);
	struct tfe_local *lc = g_new0(struct tfe_local, 1);
	lc->side[S].local = true;
	lc->side[S].owner = TFE_OWN_FOUND;
	lc->side[S].pid = 4242;
	g_strlcpy(lc->side[S].comm, "python3", sizeof lc->side[S].comm);
	tfe_conn_rare_mut(c)->local = lc;
	tfe_conn_finish(c, cause, &cfg);
	char *msg = verdict_of(c, &cfg, last + after_ms * MS,
	                       TFE_V_LINGERING_CLOSE_WAIT, &x);
	tfe_conn_free(c);
	/* the pid is a number of the verdict too, its last */
	ck_assert_ptr_nonnull(msg);
	ck_assert_str_eq(x.numbers[x.nnumbers - 1].name, "pid");
	ck_assert_int_eq(x.numbers[x.nnumbers - 1].value, 4242);
	return msg;
}

START_TEST(test_socket_owner)
{
	const struct vseg open[] = {
		OPEN, V(C, F_FA, 1001, 5001, 0, 30),
		V(S, F_A, 5001, 1002, 0, 40) };
	const struct vseg late[] = {
		OPEN, V(C, F_FA, 1001, 5001, 0, 30),
		V(S, F_A, 5001, 1002, 0, 40), V(S, F_FA, 5001, 1002, 0, 7030),
		V(C, F_A, 1002, 5002, 0, 7040) };
	char *m;

	m = lingering_owned(open, 5, TFE_END_INPUT, 6000);
	ck_assert_ptr_nonnull(m);
	ck_assert_msg(g_str_has_suffix(m, "; the client waits in FIN_WAIT_2; "
	                                  "pid 4242 python3 holds the socket "
	                                  "and has not called close() for "
	                                  "6.0 s"), "%s", m);
	g_free(m);
	m = lingering_owned(late, 7, TFE_END_CLOSED, 0);
	ck_assert_ptr_nonnull(m);
	ck_assert_msg(g_str_has_suffix(m, " all that time; pid 4242 python3 "
	                                  "held the socket and called close() "
	                                  "only after 7.0 s"), "%s", m);
	g_free(m);
}
END_TEST

/* A verdict on a connection whose capture missed segments says so. */
START_TEST(test_gap_flagged)
{
	struct tfe_config cfg;
	const struct vseg segs[] = {
		OPEN,
		V(C, F_PA, 1001, 5001, 100, 30),
		/* the server ACKs 300 bytes; the capture saw 100 */
		V(S, F_A, 5001, 1301, 0, 40),
		V(S, F_RA, 5001, 1301, 0, 50),
	};
	struct tfe_conn *c = NULL;

	tfe_config_defaults(&cfg);
	for (size_t i = 0; i < G_N_ELEMENTS(segs); i++) {
		struct tfe_segment s = make_seg(&segs[i]);
		if (c == NULL)
			c = tfe_conn_new(1, &s, true, &cfg);
		tfe_conn_update(c, &s, tfe_conn_side(c, segs[i].from == C),
		                i + 1, T0 + segs[i].ms * MS, &cfg);
	}
	tfe_conn_finish(c, TFE_END_CLOSED, &cfg);
	GArray *v = tfe_verdicts_new();
	tfe_verdicts_collect(c, &cfg, T0 + 100 * MS, v);
	ck_assert_uint_gt(v->len, 0);
	/* every verdict says so; capture_loss, which is about it, in its
	 * own words */
	bool loss = false;
	for (guint i = 0; i < v->len; i++) {
		const struct tfe_verdict *x = &g_array_index(v, struct tfe_verdict,
		                                             i);
		if (x->kind == TFE_V_CAPTURE_LOSS) {
			loss = true;
			continue;
		}
		ck_assert_ptr_nonnull(strstr(x->message,
		                             "the capture missed segments"));
	}
	ck_assert(loss);
	tfe_verdicts_clear(v);
	g_array_free(v, TRUE);
	tfe_conn_free(c);
}
END_TEST

static Suite *
verdict_suite(void)
{
	Suite *s = suite_create("verdict");
	TCase *tc = tcase_create("cases");

	tcase_add_loop_test(tc, test_verdict_case, 0, (int)G_N_ELEMENTS(cases));
	tcase_add_test(tc, test_every_kind_covered);
	tcase_add_loop_test(tc, test_icmp_states, 0,
	                    (int)G_N_ELEMENTS(icmp_states));
	tcase_add_test(tc, test_catalogue);
	tcase_add_test(tc, test_abort_crossed);
	tcase_add_test(tc, test_time_wait_reuse);
	tcase_add_test(tc, test_stale_socket);
	tcase_add_test(tc, test_gap_flagged);
	tcase_add_test(tc, test_not_enough_capture);
	tcase_add_test(tc, test_templates);
	tcase_add_test(tc, test_expand);
	tcase_add_test(tc, test_socket_owner);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tfe_test_main(verdict_suite());
}
