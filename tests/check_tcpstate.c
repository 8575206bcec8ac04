/*
 * check_tcpstate.c: both sides' state machine, case by case.
 *
 * Each case is a list of segments (who sends, flags, seq, ack, payload
 * length) and, after each, the state of the client and the server and the
 * reason recorded for each side.  The segments go straight into conn.c, so
 * these tests say what the transition tables and the exception switch do,
 * independent of decoding.  Client ISN 1000, server ISN 5000 unless a case
 * says otherwise.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "conn.h"
#include "seq.h"
#include "tcpstate.h"
#include "testutil.h"

#define C TFE_SIDE_CLIENT
#define S TFE_SIDE_SERVER

#define F_S  TFE_TH_SYN
#define F_SA (TFE_TH_SYN | TFE_TH_ACK)
#define F_A  TFE_TH_ACK
#define F_PA (TFE_TH_PSH | TFE_TH_ACK)
#define F_FA (TFE_TH_FIN | TFE_TH_ACK)
#define F_R  TFE_TH_RST
#define F_RA (TFE_TH_RST | TFE_TH_ACK)

/* State aliases, as in tcpstate.c. */
#define sUN TFE_ST_UNKNOWN
#define sCL TFE_ST_CLOSED
#define sLI TFE_ST_LISTEN
#define sSS TFE_ST_SYN_SENT
#define sSR TFE_ST_SYN_RECEIVED
#define sES TFE_ST_ESTABLISHED
#define sF1 TFE_ST_FIN_WAIT_1
#define sF2 TFE_ST_FIN_WAIT_2
#define sCW TFE_ST_CLOSE_WAIT
#define sCG TFE_ST_CLOSING
#define sLA TFE_ST_LAST_ACK
#define sTW TFE_ST_TIME_WAIT

#define R(x) TFE_RS_##x

struct step {
	int from;           /* C or S */
	uint16_t flags;
	uint32_t seq, ack, len;
	uint8_t st_c, st_s; /* states after the segment */
	uint8_t rs_c, rs_s; /* reasons recorded on its row */
};

#define MAX_STEPS 16

struct tcase_def {
	const char *name;
	struct step steps[MAX_STEPS];
	int n;
};

/* seg(from, flags, seq, ack, len) then the expectations. */
#define seg(from, flags, seq, ack, len) from, flags, seq, ack, len

/* The usual opening, reused by most cases. */
#define OPEN \
	{ seg(C, F_S, 1000, 0, 0), sSS, sLI, R(SEND_SYN), R(RECV_SYN_LISTEN) }, \
	{ seg(S, F_SA, 5000, 1001, 0), sES, sSR, R(RECV_SYNACK), R(SEND_SYNACK) }, \
	{ seg(C, F_A, 1001, 5001, 0), sES, sES, R(NONE), R(RECV_ACK_OF_SYN) }

static const struct tcase_def cases[] = {
{ "active and passive open, client closes first", {
	OPEN,
	{ seg(C, F_PA, 1001, 5001, 100), sES, sES, R(NONE), R(NONE) },
	{ seg(C, F_FA, 1101, 5001, 0), sF1, sCW, R(SEND_FIN_ACTIVE), R(RECV_FIN) },
	{ seg(S, F_A, 5001, 1102, 0), sF2, sCW, R(RECV_ACK_OF_FIN), R(NONE) },
	{ seg(S, F_FA, 5001, 1102, 0), sTW, sLA, R(RECV_FIN_IN_FW2), R(SEND_FIN_PASSIVE) },
	{ seg(C, F_A, 1102, 5002, 0), sTW, sCL, R(NONE), R(RECV_FINAL_ACK) },
	}, 8 },
{ "server closes first", {
	OPEN,
	{ seg(S, F_FA, 5001, 1001, 0), sCW, sF1, R(RECV_FIN), R(SEND_FIN_ACTIVE) },
	{ seg(C, F_A, 1001, 5002, 0), sCW, sF2, R(NONE), R(RECV_ACK_OF_FIN) },
	{ seg(C, F_FA, 1001, 5002, 0), sLA, sTW, R(SEND_FIN_PASSIVE), R(RECV_FIN_IN_FW2) },
	{ seg(S, F_A, 5002, 1002, 0), sCL, sTW, R(RECV_FINAL_ACK), R(NONE) },
	}, 7 },
{ "three-way close: FIN+ACK answers the FIN", {
	OPEN,
	{ seg(C, F_FA, 1001, 5001, 0), sF1, sCW, R(SEND_FIN_ACTIVE), R(RECV_FIN) },
	{ seg(S, F_FA, 5001, 1002, 0), sTW, sLA, R(RECV_FINACK), R(SEND_FIN_PASSIVE) },
	{ seg(C, F_A, 1002, 5002, 0), sTW, sCL, R(NONE), R(RECV_FINAL_ACK) },
	}, 6 },
{ "simultaneous open (RFC 9293 figure 8)", {
	{ seg(C, F_S, 1000, 0, 0), sSS, sLI, R(SEND_SYN), R(RECV_SYN_LISTEN) },
	/* the "server" was never listening: its start is rewritten */
	{ seg(S, F_S, 5000, 0, 0), sSR, sSS, R(RECV_SYN_SIMOPEN), R(SEND_SYN_SIMOPEN) },
	{ seg(C, F_SA, 1000, 5001, 0), sSR, sES, R(SEND_SYNACK_SIMOPEN), R(RECV_SYNACK) },
	/* its own SYN+ACK shows the client's had not arrived: still
	 * SYN_RECEIVED (step 3's row is rewritten) */
	{ seg(S, F_SA, 5000, 1001, 0), sES, sSR, R(RECV_SYNACK_SIMOPEN), R(SEND_SYNACK_SIMOPEN) },
	{ seg(S, F_A, 5001, 1001, 0), sES, sES, R(NONE), R(SEND_ACK_OF_SYNACK) },
	}, 5 },
{ "split handshake: a bare ACK of the SYN, then the server's own SYN", {
	{ seg(C, F_S, 3000, 0, 0), sSS, sLI, R(SEND_SYN), R(RECV_SYN_LISTEN) },
	/* dropped in SYN_SENT (RFC 9293 3.10.7.3: neither SYN nor RST) */
	{ seg(S, F_A, 7000, 3001, 0), sSS, sLI, R(NONE), R(INVALID_SEND) },
	{ seg(S, F_S, 7000, 0, 0), sSR, sSS, R(RECV_SYN_SIMOPEN), R(SEND_SYN_SIMOPEN) },
	{ seg(C, F_SA, 3000, 7001, 0), sSR, sES, R(SEND_SYNACK_SIMOPEN), R(RECV_SYNACK) },
	/* the ACK of its SYN+ACK: the dropped ACK did not stand for it */
	{ seg(S, F_A, 7001, 3001, 0), sES, sES, R(RECV_ACK_OF_SYN), R(NONE) },
	}, 5 },
{ "simultaneous close: the FINs cross, both go through CLOSING", {
	OPEN,
	{ seg(C, F_FA, 1001, 5001, 0), sF1, sCW, R(SEND_FIN_ACTIVE), R(RECV_FIN) },
	/* its FIN does not ACK the client's: it never was in CLOSE_WAIT */
	{ seg(S, F_FA, 5001, 1001, 0), sCG, sCG, R(RECV_FIN_SIMCLOSE), R(SEND_FIN_SIMCLOSE) },
	{ seg(C, F_A, 1002, 5002, 0), sCG, sTW, R(NONE), R(RECV_ACK_OF_FIN_CLOSING) },
	{ seg(S, F_A, 5002, 1002, 0), sTW, sTW, R(RECV_ACK_OF_FIN_CLOSING), R(NONE) },
	}, 7 },
{ "simultaneous close, then a bare RST from TIME_WAIT", {
	OPEN,
	{ seg(C, F_FA, 1001, 5001, 0), sF1, sCW, R(SEND_FIN_ACTIVE), R(RECV_FIN) },
	{ seg(S, F_FA, 5001, 1001, 0), sCG, sCG, R(RECV_FIN_SIMCLOSE), R(SEND_FIN_SIMCLOSE) },
	{ seg(C, F_A, 1002, 5002, 0), sCG, sTW, R(NONE), R(RECV_ACK_OF_FIN_CLOSING) },
	/* its FIN's own number: a RST in answer to a segment (the
	 * client's FIN, ack 5001), not the FIN's receipt overturned a
	 * second time (frame 4 stays ESTABLISHED); it shows the FIN found
	 * the socket reset, so the server was FIN_WAIT_1, not CLOSING,
	 * from its own FIN (frame 5) on */
	{ seg(S, F_R, 5001, 0, 0), sCL, sCL, R(RECV_RST_CLOSING), R(SEND_RST_AFTER_CLOSE) },
	}, 7 },
{ "half-close: data keeps flowing to the side that sent FIN", {
	OPEN,
	{ seg(C, F_FA, 1001, 5001, 0), sF1, sCW, R(SEND_FIN_ACTIVE), R(RECV_FIN) },
	{ seg(S, F_A, 5001, 1002, 0), sF2, sCW, R(RECV_ACK_OF_FIN), R(NONE) },
	{ seg(S, F_PA, 5001, 1002, 1000), sF2, sCW, R(NONE), R(NONE) },
	{ seg(C, F_A, 1002, 6001, 0), sF2, sCW, R(NONE), R(NONE) },
	{ seg(S, F_FA, 6001, 1002, 0), sTW, sLA, R(RECV_FIN_IN_FW2), R(SEND_FIN_PASSIVE) },
	{ seg(C, F_A, 1002, 6002, 0), sTW, sCL, R(NONE), R(RECV_FINAL_ACK) },
	}, 9 },
{ "RST answers a SYN: no listener, connection refused", {
	{ seg(C, F_S, 1000, 0, 0), sSS, sLI, R(SEND_SYN), R(RECV_SYN_LISTEN) },
	{ seg(S, F_RA, 0, 1001, 0), sCL, sCL, R(RECV_RST_REFUSED), R(SEND_RST_NO_LISTENER) },
	}, 2 },
{ "RST with a wrong ACK in SYN_SENT is ignored", {
	{ seg(C, F_S, 1000, 0, 0), sSS, sLI, R(SEND_SYN), R(RECV_SYN_LISTEN) },
	{ seg(S, F_RA, 0, 77, 0), sSS, sCL, R(RECV_RST_BAD_ACK), R(SEND_RST_NO_LISTENER) },
	}, 2 },
{ "RST in SYN_RECEIVED: a SYN scan's bare RST", {
	{ seg(C, F_S, 1000, 0, 0), sSS, sLI, R(SEND_SYN), R(RECV_SYN_LISTEN) },
	{ seg(S, F_SA, 5000, 1001, 0), sES, sSR, R(RECV_SYNACK), R(SEND_SYNACK) },
	/* a passive open goes back to LISTEN (§3.10.7.4) */
	{ seg(C, F_R, 1001, 0, 0), sCL, sLI, R(SEND_RST_NO_CONNECTION), R(RECV_RST_TO_LISTEN) },
	}, 3 },
{ "RST in ESTABLISHED", {
	OPEN,
	{ seg(S, F_RA, 5001, 1001, 0), sCL, sCL, R(RECV_RST), R(SEND_RST) },
	}, 4 },
{ "RST in FIN_WAIT_1 and CLOSE_WAIT", {
	OPEN,
	{ seg(C, F_FA, 1001, 5001, 0), sF1, sCW, R(SEND_FIN_ACTIVE), R(RECV_FIN) },
	{ seg(S, F_RA, 5001, 1002, 0), sCL, sCL, R(RECV_RST_CLOSING), R(SEND_RST) },
	}, 5 },
{ "RST in FIN_WAIT_2", {
	OPEN,
	{ seg(C, F_FA, 1001, 5001, 0), sF1, sCW, R(SEND_FIN_ACTIVE), R(RECV_FIN) },
	{ seg(S, F_A, 5001, 1002, 0), sF2, sCW, R(RECV_ACK_OF_FIN), R(NONE) },
	{ seg(S, F_R, 5001, 0, 0), sCL, sCL, R(RECV_RST_CLOSING), R(SEND_RST) },
	}, 6 },
{ "RST in LAST_ACK: the FIN found no socket (10 ms after its own FIN)", {
	OPEN,
	{ seg(C, F_FA, 1001, 5001, 0), sF1, sCW, R(SEND_FIN_ACTIVE), R(RECV_FIN) },
	{ seg(S, F_A, 5001, 1002, 0), sF2, sCW, R(RECV_ACK_OF_FIN), R(NONE) },
	{ seg(S, F_FA, 5001, 1002, 0), sTW, sLA, R(RECV_FIN_IN_FW2), R(SEND_FIN_PASSIVE) },
	/* TIME_WAIT would re-ACK; a bare RST means no socket was left (the
	 * FIN's row is rewritten: see below) */
	{ seg(C, F_R, 1002, 0, 0), sCL, sCL, R(SEND_RST_CLOSED), R(RECV_RST_CLOSING) },
	}, 7 },
{ "RST in TIME_WAIT ends it early", {
	OPEN,
	{ seg(C, F_FA, 1001, 5001, 0), sF1, sCW, R(SEND_FIN_ACTIVE), R(RECV_FIN) },
	{ seg(S, F_FA, 5001, 1002, 0), sTW, sLA, R(RECV_FINACK), R(SEND_FIN_PASSIVE) },
	{ seg(C, F_A, 1002, 5002, 0), sTW, sCL, R(NONE), R(RECV_FINAL_ACK) },
	{ seg(S, F_R, 5002, 0, 0), sCL, sCL, R(RECV_RST_TW), R(SEND_RST_CLOSED) },
	}, 7 },
{ "RST outside the window is ignored, and its sender carries on", {
	OPEN,
	/* at its own frame the sender is taken at its word... */
	{ seg(S, F_R, 9000000, 0, 0), sES, sCL, R(RECV_RST_OUT_OF_WINDOW), R(SEND_RST) },
	/* ...until it carries on (its RST row is rewritten: see below) */
	{ seg(S, F_PA, 5001, 1001, 10), sES, sES, R(NONE), R(CARRIES_ON_AFTER_RST) },
	}, 5 },
{ "retransmitted SYN, SYN+ACK and FIN change nothing", {
	{ seg(C, F_S, 1000, 0, 0), sSS, sLI, R(SEND_SYN), R(RECV_SYN_LISTEN) },
	{ seg(C, F_S, 1000, 0, 0), sSS, sLI, R(RETRANS_SYN), R(RECV_SYN_RETRANS) },
	{ seg(S, F_SA, 5000, 1001, 0), sES, sSR, R(RECV_SYNACK), R(SEND_SYNACK) },
	/* re-sent before any ACK: the first never arrived (its row says so) */
	{ seg(S, F_SA, 5000, 1001, 0), sES, sSR, R(RECV_SYNACK), R(RETRANS_SYNACK) },
	{ seg(C, F_A, 1001, 5001, 0), sES, sES, R(NONE), R(RECV_ACK_OF_SYN) },
	{ seg(C, F_FA, 1001, 5001, 0), sF1, sCW, R(SEND_FIN_ACTIVE), R(RECV_FIN) },
	/* re-sent before the server ACKed it: that FIN never arrived */
	{ seg(C, F_FA, 1001, 5001, 0), sF1, sCW, R(RETRANS_FIN), R(RECV_FIN) },
	{ seg(S, F_A, 5001, 1002, 0), sF2, sCW, R(RECV_ACK_OF_FIN), R(NONE) },
	}, 8 },
{ "SYN+ACK re-sent after the ACK was seen: the ACK was lost", {
	OPEN,
	{ seg(S, F_SA, 5000, 1001, 0), sES, sSR, R(RECV_SYNACK_AGAIN), R(REVERT_ACK_LOST) },
	{ seg(C, F_A, 1001, 5001, 0), sES, sES, R(NONE), R(RECV_ACK_OF_SYN) },
	}, 5 },
{ "lost final ACK: LAST_ACK stays, TIME_WAIT re-ACKs", {
	OPEN,
	{ seg(C, F_FA, 1001, 5001, 0), sF1, sCW, R(SEND_FIN_ACTIVE), R(RECV_FIN) },
	{ seg(S, F_A, 5001, 1002, 0), sF2, sCW, R(RECV_ACK_OF_FIN), R(NONE) },
	{ seg(S, F_FA, 5001, 1002, 0), sTW, sLA, R(RECV_FIN_IN_FW2), R(SEND_FIN_PASSIVE) },
	/* the ACK passes the capture point; the server's row is rewritten
	 * once it re-sends its FIN (checked by the case's own test) */
	{ seg(C, F_A, 1002, 5002, 0), sTW, sCL, R(NONE), R(RECV_FINAL_ACK) },
	{ seg(S, F_FA, 5001, 1002, 0), sTW, sLA, R(RECV_FIN_AGAIN_TW), R(REVERT_FINACK_LOST) },
	{ seg(C, F_A, 1002, 5002, 0), sTW, sCL, R(TW_REACK), R(RECV_FINAL_ACK) },
	}, 9 },
{ "mid-stream pickup: UNKNOWN until each side shows itself", {
	{ seg(S, F_PA, 5001, 1001, 100), sUN, sES, R(NONE), R(SEND_ACK_MIDSTREAM) },
	{ seg(C, F_A, 1001, 5101, 0), sES, sES, R(SEND_ACK_MIDSTREAM), R(NONE) },
	{ seg(C, F_FA, 1001, 5101, 0), sF1, sCW, R(SEND_FIN_ACTIVE), R(RECV_FIN) },
	}, 3 },
{ "mid-stream pickup after the peer's FIN: CLOSE_WAIT", {
	{ seg(C, F_FA, 1001, 5001, 0), sF1, sCW, R(SEND_FIN_MIDSTREAM), R(RECV_FIN) },
	{ seg(S, F_A, 5001, 1002, 0), sF2, sCW, R(RECV_ACK_OF_FIN), R(NONE) },
	}, 2 },
{ "one direction captured, the client's: its ACK proves the SYN+ACK", {
	{ seg(C, F_S, 1000, 0, 0), sSS, sLI, R(SEND_SYN), R(RECV_SYN_LISTEN) },
	{ seg(C, F_A, 1001, 5001, 0), sES, sES, R(SEND_ACK_PROVES_SYNACK),
	  R(INFERRED_SYNACK_ACKED) },
	{ seg(C, F_PA, 1001, 5001, 100), sES, sES, R(NONE), R(NONE) },
	{ seg(C, F_RA, 1101, 33001, 0), sCL, sCL, R(SEND_RST), R(RECV_RST) },
	}, 4 },
{ "one direction captured, the server's: its ACKs tell the client's part", {
	{ seg(S, F_SA, 5000, 1001, 0), sES, sSR, R(RECV_SYNACK), R(SEND_SYNACK) },
	/* data within any SYN's window proves nothing yet */
	{ seg(S, F_PA, 5001, 1001, 100), sES, sSR, R(NONE), R(NONE) },
	/* it acknowledges 20 bytes of the client's */
	{ seg(S, F_A, 5101, 1021, 0), sES, sES, R(NONE), R(INFERRED_ACK_ARRIVED) },
	/* its FIN acknowledges one more: the client's FIN */
	{ seg(S, F_FA, 5101, 1022, 0), sTW, sLA, R(INFERRED_FIN_ACKED),
	  R(INFERRED_FIN_PASSIVE) },
	}, 4 },
{ "both directions: a FIN acknowledging one byte more infers no FIN", {
	OPEN,
	{ seg(C, F_PA, 1001, 5001, 1), sES, sES, R(NONE), R(NONE) },
	{ seg(S, F_FA, 5001, 1002, 0), sCW, sF1, R(RECV_FIN), R(SEND_FIN_ACTIVE) },
	}, 5 },
{ "sequence numbers wrap around 2^32", {
	{ seg(C, F_S, 4294967290u, 0, 0), sSS, sLI, R(SEND_SYN), R(RECV_SYN_LISTEN) },
	{ seg(S, F_SA, 4294967000u, 4294967291u, 0), sES, sSR, R(RECV_SYNACK), R(SEND_SYNACK) },
	{ seg(C, F_A, 4294967291u, 4294967001u, 0), sES, sES, R(NONE), R(RECV_ACK_OF_SYN) },
	{ seg(C, F_PA, 4294967291u, 4294967001u, 100), sES, sES, R(NONE), R(NONE) },
	/* 4294967291 + 100 wraps to 95 */
	{ seg(C, F_FA, 95, 4294967001u, 0), sF1, sCW, R(SEND_FIN_ACTIVE), R(RECV_FIN) },
	{ seg(S, F_A, 4294967001u, 96, 0), sF2, sCW, R(RECV_ACK_OF_FIN), R(NONE) },
	{ seg(S, F_FA, 4294967001u, 96, 0), sTW, sLA, R(RECV_FIN_IN_FW2), R(SEND_FIN_PASSIVE) },
	{ seg(C, F_A, 96, 4294967002u, 0), sTW, sCL, R(NONE), R(RECV_FINAL_ACK) },
	}, 8 },
};

static struct tfe_segment
make_seg(const struct step *st)
{
	return tfe_test_segment(st->from == C, st->flags, st->seq, st->ack,
	                        st->len, 1000, 64, 0);
}

/* Runs a case, asserting each step; returns the connection for more. */
static struct tfe_conn *
run_case(const struct tcase_def *tc, const struct tfe_config *cfg)
{
	struct tfe_conn *c = NULL;

	for (int i = 0; i < tc->n; i++) {
		const struct step *st = &tc->steps[i];
		struct tfe_segment s = make_seg(st);
		/* the client's address is the lower one */
		bool from_lo = st->from == C;

		if (c == NULL)
			c = tfe_conn_new(1, &s, from_lo, cfg);
		int side = tfe_conn_side(c, from_lo);
		ck_assert_int_eq(side, st->from);
		tfe_conn_update(c, &s, side, (uint64_t)i + 1,
		                (int64_t)(i + 1) * 10000000, cfg);

		const struct tfe_row *r =
			tfe_timeline_row(&c->tl, tfe_timeline_len(&c->tl) - 1);
		ck_assert_msg(r->kind == TFE_ROW_FRAME && r->frame == (uint64_t)i + 1,
		              "%s: step %d has no row of its own", tc->name, i + 1);
		ck_assert_msg(c->ep[C].state == st->st_c,
		              "%s: step %d: client %s, expected %s", tc->name, i + 1,
		              tfe_state_names[c->ep[C].state],
		              tfe_state_names[st->st_c]);
		ck_assert_msg(c->ep[S].state == st->st_s,
		              "%s: step %d: server %s, expected %s", tc->name, i + 1,
		              tfe_state_names[c->ep[S].state],
		              tfe_state_names[st->st_s]);
		ck_assert_msg(r->state[C] == st->st_c && r->state[S] == st->st_s,
		              "%s: step %d: row states differ", tc->name, i + 1);
		ck_assert_msg(r->reason[C] == st->rs_c,
		              "%s: step %d: client reason '%s', expected '%s'",
		              tc->name, i + 1, tfe_reasons[r->reason[C]].text,
		              tfe_reasons[st->rs_c].text);
		ck_assert_msg(r->reason[S] == st->rs_s,
		              "%s: step %d: server reason '%s', expected '%s'",
		              tc->name, i + 1, tfe_reasons[r->reason[S]].text,
		              tfe_reasons[st->rs_s].text);
	}
	return c;
}

START_TEST(test_case_table)
{
	struct tfe_config cfg;

	tfe_config_defaults(&cfg);
	cfg.all_frames = true;
	tfe_conn_free(run_case(&cases[_i], &cfg));
}
END_TEST

static const struct tcase_def *
find_case(const char *prefix)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		if (g_str_has_prefix(cases[i].name, prefix))
			return &cases[i];
	ck_abort_msg("no case %s", prefix);
	return NULL;
}

/* The final ACK that never arrived: its row is rewritten to show the
 * server staying in LAST_ACK, with the reason saying why. */
START_TEST(test_lost_final_ack_rewrites_history)
{
	struct tfe_config cfg;

	tfe_config_defaults(&cfg);
	cfg.all_frames = true;
	struct tfe_conn *c = run_case(find_case("lost final ACK"), &cfg);
	const struct tfe_row *ack = tfe_timeline_row(&c->tl, 6);
	const struct tfe_row *refin = tfe_timeline_row(&c->tl, 7);

	ck_assert_uint_eq(ack->frame, 7);
	ck_assert_int_eq(ack->state[S], TFE_ST_LAST_ACK);
	ck_assert_int_eq(ack->reason[S], TFE_RS_ACK_LOST);
	ck_assert_int_eq(refin->state[S], TFE_ST_LAST_ACK);
	ck_assert_int_eq(refin->notes & TFE_NOTE_RETRANS, TFE_NOTE_RETRANS);
	tfe_conn_finish(c, TFE_END_CLOSED, &cfg);
	ck_assert_int_eq(c->close_how, TFE_CLOSE_GRACEFUL);
	ck_assert_int_eq(c->closed_first, C);
	tfe_conn_free(c);
}
END_TEST

/* TIME_WAIT ends 2MSL after it began, restarted by a re-sent FIN. */
START_TEST(test_time_wait_ends_at_2msl)
{
	struct tfe_config cfg;

	tfe_config_defaults(&cfg);
	cfg.all_frames = true;
	cfg.msl = 30 * TFE_NS_PER_SEC;
	struct tfe_conn *c = run_case(find_case("lost final ACK"), &cfg);
	tfe_conn_finish(c, TFE_END_CLOSED, &cfg);

	const struct tfe_row *t =
		tfe_timeline_row(&c->tl, tfe_timeline_len(&c->tl) - 1);
	ck_assert_int_eq(t->kind, TFE_ROW_TIMER);
	ck_assert_int_eq(t->dir, C);
	ck_assert_int_eq(t->state[C], TFE_ST_CLOSED);
	ck_assert_int_eq(t->reason[C], TFE_RS_TIME_WAIT_EXPIRED);
	/* the FIN came again at step 8 (80 ms): 2MSL counts from there */
	ck_assert_int_eq(t->ts, 80000000 + 60 * TFE_NS_PER_SEC);
	tfe_conn_free(c);
}
END_TEST

/* With both TIME_WAITs (simultaneous close) the timer rows are in time
 * order. */
START_TEST(test_both_time_waits_in_order)
{
	struct tfe_config cfg;

	tfe_config_defaults(&cfg);
	cfg.all_frames = true;
	struct tfe_conn *c = run_case(find_case("simultaneous close"), &cfg);
	tfe_conn_finish(c, TFE_END_CLOSED, &cfg);
	guint n = tfe_timeline_len(&c->tl);
	const struct tfe_row *a = tfe_timeline_row(&c->tl, n - 2);
	const struct tfe_row *b = tfe_timeline_row(&c->tl, n - 1);

	ck_assert_int_eq(a->kind, TFE_ROW_TIMER);
	ck_assert_int_eq(b->kind, TFE_ROW_TIMER);
	ck_assert_int_eq(a->dir, S); /* the server reached TIME_WAIT first */
	ck_assert_int_eq(b->dir, C);
	ck_assert(a->ts < b->ts);
	/* the server's CLOSE_WAIT at step 4 was rewritten: it never was */
	ck_assert_int_eq(tfe_timeline_row(&c->tl, 3)->state[S], TFE_ST_ESTABLISHED);
	tfe_conn_free(c);
}
END_TEST

/* A RST its peer could not accept, after which its sender carries on, was
 * not its own: the RST's row is rewritten and it is no close. */
START_TEST(test_unaccepted_rst_rewritten)
{
	struct tfe_config cfg;

	tfe_config_defaults(&cfg);
	cfg.all_frames = true;
	struct tfe_conn *c = run_case(find_case("RST outside the window"), &cfg);
	const struct tfe_row *r = tfe_timeline_row(&c->tl, 3);

	ck_assert_uint_eq(r->frame, 4);
	ck_assert_int_eq(r->state[S], TFE_ST_ESTABLISHED);
	ck_assert_int_eq(r->reason[S], TFE_RS_RST_NOT_ITS_OWN);
	ck_assert(!c->rst_seen);
	ck_assert_int_eq(c->closed_first, TFE_SIDE_NONE);
	tfe_conn_free(c);
}
END_TEST

/* Receipts disproved by a retransmission are moved, and the row of the
 * first copy says it never arrived. */
START_TEST(test_redelivery_rewrites_rows)
{
	struct tfe_config cfg;

	tfe_config_defaults(&cfg);
	cfg.all_frames = true;
	struct tfe_conn *c = run_case(find_case("retransmitted SYN, SYN+ACK"), &cfg);
	const struct tfe_row *first_sa = tfe_timeline_row(&c->tl, 2);
	const struct tfe_row *first_fin = tfe_timeline_row(&c->tl, 5);

	ck_assert_int_eq(first_sa->state[C], TFE_ST_SYN_SENT);
	ck_assert_int_eq(first_sa->reason[C], TFE_RS_SYNACK_NOT_DELIVERED);
	ck_assert_int_eq(first_fin->state[S], TFE_ST_ESTABLISHED);
	ck_assert_int_eq(first_fin->reason[S], TFE_RS_FIN_NOT_DELIVERED);
	ck_assert_int_eq(tfe_timeline_row(&c->tl, 1)->notes & TFE_NOTE_RETRANS,
	                 TFE_NOTE_RETRANS);
	tfe_conn_free(c);

	c = run_case(find_case("RST in LAST_ACK"), &cfg);
	const struct tfe_row *fin = tfe_timeline_row(&c->tl, 5);
	ck_assert_int_eq(fin->state[C], TFE_ST_CLOSED);
	ck_assert_int_eq(fin->reason[C], TFE_RS_FIN_SOCKET_GONE);
	tfe_conn_finish(c, TFE_END_CLOSED, &cfg);
	ck_assert_int_eq(c->close_how, TFE_CLOSE_ABORT);
	tfe_conn_free(c);
}
END_TEST

/* An assumption overturned leaves no record behind: after the FINs
 * crossed, the server's receipt of the client's FIN (frame 4) is no
 * longer there to be overturned again, so a later RST from TIME_WAIT
 * does not rewrite the rows from it to CLOSED ("the FIN found no
 * socket"), which would put the server's own FIN after its end.  The
 * receipt folded into its own FIN's row (CLOSING) is what the RST
 * overturns: FIN_WAIT_1 from there (send_fin_crossed_reset). */
START_TEST(test_overturned_once)
{
	struct tfe_config cfg;

	tfe_config_defaults(&cfg);
	cfg.all_frames = true;
	struct tfe_conn *c = run_case(
		find_case("simultaneous close, then a bare RST from TIME_WAIT"),
		&cfg);
	const struct tfe_row *fin = tfe_timeline_row(&c->tl, 3);
	const struct tfe_row *own = tfe_timeline_row(&c->tl, 4);

	ck_assert_uint_eq(fin->frame, 4);
	ck_assert_int_eq(fin->state[S], TFE_ST_ESTABLISHED);
	ck_assert_int_eq(fin->reason[S], TFE_RS_NONE);
	ck_assert_uint_eq(own->frame, 5);
	ck_assert_int_eq(own->state[S], TFE_ST_FIN_WAIT_1);
	ck_assert_int_eq(own->reason[S], TFE_RS_SEND_FIN_CROSSED_RESET);
	ck_assert_int_eq(tfe_timeline_row(&c->tl, 5)->state[S],
	                 TFE_ST_FIN_WAIT_1);
	ck_assert_int_eq(c->ep[S].fin_rcvd_row, -1);
	tfe_conn_free(c);
}
END_TEST

/* Close summaries for the short endings. */
START_TEST(test_close_summaries)
{
	struct tfe_config cfg;
	struct tfe_conn *c;

	tfe_config_defaults(&cfg);
	cfg.all_frames = true;
	c = run_case(find_case("RST answers a SYN"), &cfg);
	tfe_conn_finish(c, TFE_END_CLOSED, &cfg);
	ck_assert_int_eq(c->close_how, TFE_CLOSE_REJECTED);
	ck_assert_int_eq(c->closed_first, TFE_SIDE_NONE);
	tfe_conn_free(c);

	c = run_case(find_case("RST in SYN_RECEIVED"), &cfg);
	tfe_conn_finish(c, TFE_END_CLOSED, &cfg);
	ck_assert_int_eq(c->close_how, TFE_CLOSE_REJECTED);
	ck_assert_int_eq(c->closed_first, TFE_SIDE_NONE);
	ck_assert(c->ended);
	tfe_conn_free(c);

	c = run_case(find_case("RST in ESTABLISHED"), &cfg);
	tfe_conn_finish(c, TFE_END_CLOSED, &cfg);
	ck_assert_int_eq(c->close_how, TFE_CLOSE_ABORT);
	ck_assert_int_eq(c->closed_first, S);
	tfe_conn_free(c);

	c = run_case(find_case("half-close"), &cfg);
	tfe_conn_finish(c, TFE_END_CLOSED, &cfg);
	ck_assert_int_eq(c->close_how, TFE_CLOSE_GRACEFUL);
	tfe_conn_free(c);

	c = run_case(find_case("mid-stream pickup: UNKNOWN"), &cfg);
	tfe_conn_finish(c, TFE_END_INPUT, &cfg);
	ck_assert_int_eq(c->close_how, TFE_CLOSE_HALF_CLOSE);
	ck_assert_int_eq(c->roles, TFE_ROLES_PORT);
	tfe_conn_free(c);
}
END_TEST

START_TEST(test_seq_wraparound)
{
	ck_assert(tfe_seq_lt(4294967290u, 5));
	ck_assert(tfe_seq_gt(5, 4294967290u));
	ck_assert(tfe_seq_leq(7, 7));
	ck_assert(tfe_seq_geq(0, 4294967295u));
	ck_assert(!tfe_seq_lt(100, 99));
	ck_assert_uint_eq(tfe_seq_max(4294967295u, 3), 3);
	ck_assert_int_eq(tfe_seq_diff(2, 4294967295u), 3);
}
END_TEST

/* Every name and reason table is complete. */
START_TEST(test_name_tables)
{
	for (int i = 0; i < TFE_ST__COUNT; i++) {
		ck_assert_ptr_nonnull(tfe_state_names[i]);
		ck_assert_ptr_nonnull(tfe_state_netstat[i]);
	}
	for (int i = 0; i < TFE_EV__COUNT; i++)
		ck_assert_ptr_nonnull(tfe_event_names[i]);
	for (int i = 0; i < TFE_RX__COUNT; i++)
		ck_assert_ptr_nonnull(tfe_rx_event_names[i]);
	for (int i = 1; i < TFE_RS__COUNT; i++)
		ck_assert_msg(tfe_reasons[i].text && tfe_reasons[i].text[0],
		              "reason %d has no text", i);
	for (int i = 0; i < TFE_CLOSE__COUNT; i++)
		ck_assert_ptr_nonnull(tfe_close_names[i]);
	for (int i = 0; i < TFE_ROLES__COUNT; i++)
		ck_assert_ptr_nonnull(tfe_roles_names[i]);
	for (int i = 0; i < TFE_SEQ__COUNT; i++)
		ck_assert_ptr_nonnull(tfe_seqcheck_names[i]);
	/* every table cell names a real state or outcome and a reason */
	for (int e = 0; e < TFE_EV__COUNT; e++)
		for (int s = 0; s < TFE_ST__COUNT; s++) {
			const struct tfe_transition *t = &tfe_sender_table[e][s];
			ck_assert(t->next < TFE_ST__COUNT || t->next >= TFE_X_IGNORE);
			ck_assert(t->reason < TFE_RS__COUNT);
			ck_assert(t->next >= TFE_X_IGNORE || t->reason != TFE_RS_NONE);
		}
	for (int e = 0; e < TFE_RX__COUNT; e++)
		for (int s = 0; s < TFE_ST__COUNT; s++) {
			const struct tfe_transition *t = &tfe_receiver_table[e][s];
			ck_assert(t->next < TFE_ST__COUNT || t->next >= TFE_X_IGNORE);
			ck_assert(t->reason < TFE_RS__COUNT);
			ck_assert(t->next >= TFE_X_IGNORE || t->reason != TFE_RS_NONE);
		}
}
END_TEST

START_TEST(test_event_classifier_priority)
{
	ck_assert_int_eq(tfe_event_classify(TFE_TH_RST | TFE_TH_SYN), TFE_EV_RST);
	ck_assert_int_eq(tfe_event_classify(F_SA | TFE_TH_FIN), TFE_EV_SYNACK);
	ck_assert_int_eq(tfe_event_classify(TFE_TH_SYN | TFE_TH_FIN), TFE_EV_SYN);
	ck_assert_int_eq(tfe_event_classify(F_FA), TFE_EV_FIN);
	ck_assert_int_eq(tfe_event_classify(TFE_TH_FIN), TFE_EV_FIN);
	ck_assert_int_eq(tfe_event_classify(F_PA), TFE_EV_ACK);
	ck_assert_int_eq(tfe_event_classify(TFE_TH_PSH), TFE_EV_NONE);
	ck_assert_int_eq(tfe_event_classify(0), TFE_EV_NONE);
	/* every combination of the nine flag bits, against the rule */
	for (unsigned f = 0; f < 0x200; f++) {
		enum tfe_event want =
			f & TFE_TH_RST ? TFE_EV_RST :
			(f & TFE_TH_SYN) && (f & TFE_TH_ACK) ? TFE_EV_SYNACK :
			f & TFE_TH_SYN ? TFE_EV_SYN :
			f & TFE_TH_FIN ? TFE_EV_FIN :
			f & TFE_TH_ACK ? TFE_EV_ACK : TFE_EV_NONE;
		ck_assert_msg(tfe_event_classify((uint16_t)f) == want,
		              "flags 0x%03x: %s, want %s", f,
		              tfe_event_names[tfe_event_classify((uint16_t)f)],
		              tfe_event_names[want]);
	}
}
END_TEST

static Suite *
tcpstate_suite(void)
{
	Suite *s = suite_create("tcpstate");
	TCase *tc = tcase_create("cases");

	tcase_add_loop_test(tc, test_case_table, 0, (int)G_N_ELEMENTS(cases));
	tcase_add_test(tc, test_lost_final_ack_rewrites_history);
	tcase_add_test(tc, test_time_wait_ends_at_2msl);
	tcase_add_test(tc, test_both_time_waits_in_order);
	tcase_add_test(tc, test_close_summaries);
	tcase_add_test(tc, test_unaccepted_rst_rewritten);
	tcase_add_test(tc, test_redelivery_rewrites_rows);
	tcase_add_test(tc, test_overturned_once);
	suite_add_tcase(s, tc);

	tc = tcase_create("tables");
	tcase_add_test(tc, test_seq_wraparound);
	tcase_add_test(tc, test_name_tables);
	tcase_add_test(tc, test_event_classifier_priority);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tfe_test_main(tcpstate_suite());
}
