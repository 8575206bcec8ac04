/*
 * testutil.h: shared set-up for the check unit tests.
 *
 * tfe_test_main() makes glib criticals and warnings fatal (a test that
 * trips a g_return_if_fail() must fail, not print and carry on) and runs
 * the suite with check's normal output.
 */
#ifndef TFE_TESTUTIL_H
#define TFE_TESTUTIL_H

#include <check.h>
#include <glib.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "decode.h"
#include "verdict.h"

static inline int
tfe_test_main(Suite *s)
{
	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * A decoded segment between client 10.0.0.1:40000 and server
 * 10.0.0.2:80, for feeding conn.c directly (the client's address is the
 * lower one, so "from the client" is "from the lower endpoint").
 */
static inline struct tfe_segment
tfe_test_segment(bool from_client, uint16_t flags, uint32_t seq, uint32_t ack,
                 uint32_t len, uint16_t win, uint8_t ttl, uint16_t ip_id)
{
	static const uint8_t a_client[4] = { 10, 0, 0, 1 };
	static const uint8_t a_server[4] = { 10, 0, 0, 2 };
	struct tfe_segment s;

	memset(&s, 0, sizeof s);
	s.family = 4;
	memcpy(s.src, from_client ? a_client : a_server, 4);
	memcpy(s.dst, from_client ? a_server : a_client, 4);
	s.sport = from_client ? 40000 : 80;
	s.dport = from_client ? 80 : 40000;
	s.flags = flags;
	s.seq = seq;
	s.ack = ack;
	s.payload_len = len;
	s.win = win;
	s.ttl = ttl;
	s.has_ip_id = true;
	s.ip_id = ip_id;
	return s;
}

/* Feeds `s` (sent by the flow key's lower endpoint when `from_lo`) to *c,
 * starting connection 1 with it when *c is NULL. */
static inline void
tfe_test_feed(struct tfe_conn **c, const struct tfe_segment *s, bool from_lo,
              uint64_t frame, int64_t ts, const struct tfe_config *cfg)
{
	if (*c == NULL)
		*c = tfe_conn_new(1, s, from_lo, cfg);
	tfe_conn_update(*c, s, tfe_conn_side(*c, from_lo), frame, ts, cfg);
}

/* Frees a connection a test built, with the verdicts it was given. */
static inline void
tfe_test_conn_free(struct tfe_conn *c)
{
	tfe_verdicts_clear(c->verdicts);
	g_array_free(c->verdicts, TRUE);
	c->verdicts = NULL;
	tfe_conn_free(c);
}

#endif /* TFE_TESTUTIL_H */
