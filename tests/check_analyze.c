/*
 * check_analyze.c: the analyser's bounds and timers (doc/hardening.md,
 * README.md's Live capture).
 *
 * Floods the analyser with raw IPv4 frames, the way a SYN flood reaches it
 * on a live interface, and checks that --max-flows bounds the live
 * connections, the 2MSL tombstones and the proven listeners at every
 * step, that each early goodbye is counted, and that the timers run
 * without a frame (tfe_analyzer_tick, as the live loop calls it).
 */
#include "config.h"

#include <pcap/pcap.h>

#include "analyze.h"
#include "testutil.h"

#define MS (1000 * 1000LL)
#define T0 (1700000000LL * TFE_NS_PER_SEC)

/* A 40-byte IPv4 + TCP frame, no options, no payload (DLT_IPV4). */
static void
frame_v4(uint8_t out[40], uint32_t src, uint16_t sport, uint32_t dst,
         uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack)
{
	memset(out, 0, 40);
	out[0] = 0x45;                      /* version 4, 20-byte header */
	out[3] = 40;                        /* total length */
	out[8] = 64;                        /* TTL */
	out[9] = 6;                         /* TCP */
	for (int i = 0; i < 4; i++) {
		out[12 + i] = (uint8_t)(src >> (24 - 8 * i));
		out[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
		out[24 + i] = (uint8_t)(seq >> (24 - 8 * i));
		out[28 + i] = (uint8_t)(ack >> (24 - 8 * i));
	}
	out[20] = (uint8_t)(sport >> 8);
	out[21] = (uint8_t)sport;
	out[22] = (uint8_t)(dport >> 8);
	out[23] = (uint8_t)dport;
	out[32] = 5 << 4;                   /* data offset: 20 bytes */
	out[33] = flags;
	out[34] = 0xfa;                     /* window 64240 */
	out[35] = 0xf0;
}

#define CLIENT 0x0a000001u              /* 10.0.0.1 */
#define SERVER 0x0a000002u              /* 10.0.0.2 */
#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_ACK 0x10

/* What a finished connection was, for the first few. */
struct seen {
	uint64_t id, first_frame, prev_id;
	uint8_t cause;
	bool prev_live;
	uint8_t prev_state[2];
	int64_t listened_first, listened_last;
};

struct counts {
	guint done;
	guint by_cause[TFE_END_REUSED + 1];
	struct seen seen[8];
	/* per client port 40000..40005: the client's final state, and
	 * whether an ICMP error closed it */
	uint8_t client_state[6];
	bool icmp_closed[6];
};

static void
count_done(void *ud, const struct tfe_conn *c)
{
	struct counts *n = ud;

	if (n->done < G_N_ELEMENTS(n->seen)) {
		const struct tfe_conn_rare *r = tfe_conn_rare(c);
		n->seen[n->done] = (struct seen){
			c->id, c->first_frame, c->has_prev ? r->prev_id : 0,
			c->end_cause, r->prev_live,
			{ r->prev_state[0], r->prev_state[1] },
			r->port_listened_first, r->port_listened_last };
	}
	n->done++;
	n->by_cause[c->end_cause]++;
	unsigned port = tfe_conn_port(c, TFE_SIDE_CLIENT);
	if (port >= 40000 && port < 40006) {
		n->client_state[port - 40000] = c->ep[TFE_SIDE_CLIENT].state;
		n->icmp_closed[port - 40000] =
			c->rare != NULL && c->rare->icmp != NULL &&
			c->rare->icmp->closed;
	}
}

struct fixture {
	struct tfe_analyzer a;
	struct counts n;
	uint64_t frame;
};

static void
setup(struct fixture *fx, guint max_flows)
{
	struct tfe_config cfg;
	struct tfe_sink sink = { .conn_done = count_done, .ud = &fx->n };

	memset(fx, 0, sizeof *fx);
	tfe_config_defaults(&cfg);
	cfg.max_flows = max_flows;
	tfe_analyzer_init(&fx->a, &cfg, &sink);
	tfe_analyzer_snapshot_at(&fx->a, TFE_AT_NONE, 0);
}

static void
feed(struct fixture *fx, int64_t ts, uint32_t src, uint16_t sport,
     uint32_t dst, uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack)
{
	uint8_t f[40];

	frame_v4(f, src, sport, dst, dport, flags, seq, ack);
	tfe_analyzer_frame(&fx->a, DLT_IPV4, ++fx->frame, ts, f, sizeof f,
	                   sizeof f);
}

/* Live connections, tombstones and flows all stay within the bound. */
static void
assert_bounded(const struct fixture *fx, guint max)
{
	const struct tfe_flow_table *t = &fx->a.table;

	ck_assert_uint_le(t->live, max);
	ck_assert_uint_le(t->ntombs, max);
	ck_assert_uint_le(tfe_flow_tomb_index_size(t), max);
	ck_assert_uint_eq(tfe_flow_table_size(t), t->live);
}

/* SYNs to a closed port, each refused by RST: every connection ends at
 * once, so the lingering ones and the tombstones are what must stay
 * bounded. */
START_TEST(test_refused_flood_bounded)
{
	struct fixture fx;
	const guint max = 100, n = 5000;

	setup(&fx, max);
	for (guint i = 0; i < n; i++) {
		int64_t ts = T0 + (int64_t)i * MS;
		uint16_t sport = (uint16_t)(10000 + i);
		uint32_t isn = 1000 + i;

		feed(&fx, ts, CLIENT, sport, SERVER, 8080, F_SYN, isn, 0);
		feed(&fx, ts + 10000, SERVER, 8080, CLIENT, sport, F_RST | F_ACK,
		     0, isn + 1);
		assert_bounded(&fx, max);
	}
	tfe_analyzer_finish(&fx.a);
	assert_bounded(&fx, max);
	ck_assert_uint_eq(fx.n.done, n);
	ck_assert_uint_eq(fx.a.stats.connections, n);
	ck_assert_uint_eq(fx.a.stats.by_close[TFE_CLOSE_REJECTED], n);
	/* All but the last `max` went before their 3 s linger ended; none
	 * was open. */
	ck_assert_uint_eq(fx.a.stats.evicted, 0);
	ck_assert_uint_eq(fx.a.stats.evicted_closed, n - max);
	/* 5 s of capture: no 2MSL ran out; all but `max` were forgotten. */
	ck_assert_uint_eq(fx.a.stats.tombs_evicted, n - max);
	tfe_analyzer_clear(&fx.a);
}
END_TEST

/* SYNs nobody answers: open connections, the oldest evicted first. */
START_TEST(test_unanswered_flood_evicts_oldest)
{
	struct fixture fx;
	const guint max = 100, n = 5000;

	setup(&fx, max);
	for (guint i = 0; i < n; i++) {
		feed(&fx, T0 + (int64_t)i * MS, CLIENT, (uint16_t)(10000 + i),
		     SERVER, 8080, F_SYN, 1000 + i, 0);
		assert_bounded(&fx, max);
		if (i >= max) {
			/* the oldest went: the first SYN left is number
			 * i - max + 1 */
			const struct tfe_conn *head =
				tfe_flow_queue_head(&fx.a.table, TFE_Q_OPEN);
			ck_assert_uint_eq(head->first_frame, i - max + 2);
		}
	}
	ck_assert_uint_eq(fx.a.stats.evicted, n - max);
	ck_assert_uint_eq(fx.n.by_cause[TFE_END_EVICTED], n - max);
	tfe_analyzer_finish(&fx.a);
	ck_assert_uint_eq(fx.n.by_cause[TFE_END_INPUT], max);
	tfe_analyzer_clear(&fx.a);
}
END_TEST

/* A flood of SYN+ACKs from many ports proves many listeners: bounded by
 * --max-flows too. */
START_TEST(test_listeners_bounded)
{
	struct fixture fx;
	const guint max = 50, n = 500;

	setup(&fx, max);
	for (guint i = 0; i < n; i++) {
		int64_t ts = T0 + (int64_t)i * MS;
		uint16_t port = (uint16_t)(20000 + i);

		feed(&fx, ts, CLIENT, 40000, SERVER, port, F_SYN, 1000, 0);
		feed(&fx, ts + 10000, SERVER, port, CLIENT, 40000,
		     F_SYN | F_ACK, 5000, 1001);
		ck_assert_ptr_nonnull(fx.a.listeners);
		ck_assert_uint_le(g_hash_table_size(fx.a.listeners), max);
	}
	ck_assert_uint_eq(g_hash_table_size(fx.a.listeners), max);
	tfe_analyzer_finish(&fx.a);
	tfe_analyzer_clear(&fx.a);
}
END_TEST

/* Timers without a frame: an idle connection times out and a closed one
 * leaves its linger when only the clock moves. */
START_TEST(test_tick_runs_timers)
{
	struct fixture fx;

	setup(&fx, 1000);
	/* the default idle timeout, longer than 2MSL below */
	int64_t idle = fx.a.cfg.idle_timeout;
	ck_assert_int_gt(idle, 65 * TFE_NS_PER_SEC);
	/* An established connection, then silence. */
	feed(&fx, T0, CLIENT, 40000, SERVER, 80, F_SYN, 1000, 0);
	feed(&fx, T0 + MS, SERVER, 80, CLIENT, 40000, F_SYN | F_ACK, 5000,
	     1001);
	feed(&fx, T0 + 2 * MS, CLIENT, 40000, SERVER, 80, F_ACK, 1001, 5001);
	/* A refused one. */
	feed(&fx, T0 + 3 * MS, CLIENT, 40001, SERVER, 81, F_SYN, 7000, 0);
	feed(&fx, T0 + 4 * MS, SERVER, 81, CLIENT, 40001, F_RST | F_ACK, 0,
	     7001);
	ck_assert_uint_eq(fx.n.done, 0);

	tfe_analyzer_tick(&fx.a, T0 + 2 * TFE_NS_PER_SEC);
	ck_assert_uint_eq(fx.n.done, 0); /* still within its linger */
	tfe_analyzer_tick(&fx.a, T0 + 4 * TFE_NS_PER_SEC);
	ck_assert_uint_eq(fx.n.done, 1);
	ck_assert_uint_eq(fx.n.by_cause[TFE_END_CLOSED], 1);

	/* The tombstone of the refused one goes after 2MSL (from T0 + 4 s,
	 * when it was reported), unasked. */
	ck_assert_uint_eq(fx.a.table.ntombs, 1);
	tfe_analyzer_tick(&fx.a, T0 + 63 * TFE_NS_PER_SEC);
	ck_assert_uint_eq(fx.a.table.ntombs, 1);
	ck_assert_uint_eq(tfe_flow_tomb_index_size(&fx.a.table), 1);
	tfe_analyzer_tick(&fx.a, T0 + 65 * TFE_NS_PER_SEC);
	ck_assert_uint_eq(fx.a.table.ntombs, 0);
	ck_assert_uint_eq(tfe_flow_tomb_index_size(&fx.a.table), 0);
	ck_assert_uint_eq(tfe_flow_table_size(&fx.a.table), 1);

	tfe_analyzer_tick(&fx.a, T0 + idle);
	ck_assert_uint_eq(fx.n.done, 1); /* 2 ms short of the timeout */
	tfe_analyzer_tick(&fx.a, T0 + 2 * MS + idle);
	ck_assert_uint_eq(fx.n.done, 2);
	ck_assert_uint_eq(fx.n.by_cause[TFE_END_IDLE], 1);
	ck_assert_uint_eq(tfe_flow_table_size(&fx.a.table), 0);
	tfe_analyzer_finish(&fx.a);
	tfe_analyzer_clear(&fx.a);
}
END_TEST

/* A connection left with the client in FIN_WAIT_2 and the server in
 * CLOSE_WAIT, on ports 40000 -> 80, frames 1-6. */
static void
half_closed(struct fixture *fx)
{
	feed(fx, T0, CLIENT, 40000, SERVER, 80, F_SYN, 1000, 0);
	feed(fx, T0 + MS, SERVER, 80, CLIENT, 40000, F_SYN | F_ACK, 5000, 1001);
	feed(fx, T0 + 2 * MS, CLIENT, 40000, SERVER, 80, F_ACK, 1001, 5001);
	feed(fx, T0 + 3 * MS, CLIENT, 40000, SERVER, 80, F_FIN | F_ACK, 1001,
	     5001);
	feed(fx, T0 + 4 * MS, SERVER, 80, CLIENT, 40000, F_ACK, 5001, 1002);
}

/* A bare SYN with another ISN than its sender's starts a new connection
 * whatever the old one's state (as Zeek's connection reuse), and the new
 * one keeps the old one's number and states (syn_to_stale_socket); the
 * same ISN is a retransmission, and an unknown ISN (mid-stream pickup)
 * decides nothing. */
START_TEST(test_syn_splits)
{
	struct fixture fx;

	/* another ISN from FIN_WAIT_2: split, the old one "reused" */
	setup(&fx, 1000);
	half_closed(&fx);
	feed(&fx, T0 + 2000 * MS, CLIENT, 40000, SERVER, 80, F_SYN, 900000, 0);
	feed(&fx, T0 + 2001 * MS, SERVER, 80, CLIENT, 40000, F_ACK, 5001,
	     1002);
	ck_assert_uint_eq(fx.n.done, 1);
	ck_assert_uint_eq(fx.n.seen[0].cause, TFE_END_REUSED);
	ck_assert(!fx.n.seen[0].prev_live);
	tfe_analyzer_finish(&fx.a);
	ck_assert_uint_eq(fx.n.done, 2);
	ck_assert_uint_eq(fx.n.seen[1].first_frame, 6);
	ck_assert(fx.n.seen[1].prev_live);
	ck_assert_uint_eq(fx.n.seen[1].prev_id, fx.n.seen[0].id);
	ck_assert_uint_eq(fx.n.seen[1].prev_state[TFE_SIDE_CLIENT],
	                  TFE_ST_FIN_WAIT_2);
	ck_assert_uint_eq(fx.n.seen[1].prev_state[TFE_SIDE_SERVER],
	                  TFE_ST_CLOSE_WAIT);
	tfe_analyzer_clear(&fx.a);

	/* the same ISN: a late copy of the first SYN, no split */
	setup(&fx, 1000);
	half_closed(&fx);
	feed(&fx, T0 + 2000 * MS, CLIENT, 40000, SERVER, 80, F_SYN, 1000, 0);
	tfe_analyzer_finish(&fx.a);
	ck_assert_uint_eq(fx.n.done, 1);
	ck_assert_uint_eq(fx.n.by_cause[TFE_END_REUSED], 0);
	tfe_analyzer_clear(&fx.a);

	/* mid-stream pickup: no ISN known, a SYN stays in the connection */
	setup(&fx, 1000);
	feed(&fx, T0, CLIENT, 40000, SERVER, 80, F_ACK, 1001, 5001);
	feed(&fx, T0 + MS, SERVER, 80, CLIENT, 40000, F_ACK, 5001, 1001);
	feed(&fx, T0 + 2 * MS, CLIENT, 40000, SERVER, 80, F_SYN, 900000, 0);
	tfe_analyzer_finish(&fx.a);
	ck_assert_uint_eq(fx.n.done, 1);
	tfe_analyzer_clear(&fx.a);

	/* the old server's own bare SYN with another ISN: split, and the
	 * states follow the addresses (the new client was the old server) */
	setup(&fx, 1000);
	half_closed(&fx);
	feed(&fx, T0 + 2000 * MS, SERVER, 80, CLIENT, 40000, F_SYN, 700000, 0);
	tfe_analyzer_finish(&fx.a);
	ck_assert_uint_eq(fx.n.done, 2);
	ck_assert(fx.n.seen[1].prev_live);
	ck_assert_uint_eq(fx.n.seen[1].prev_state[TFE_SIDE_CLIENT],
	                  TFE_ST_CLOSE_WAIT);
	ck_assert_uint_eq(fx.n.seen[1].prev_state[TFE_SIDE_SERVER],
	                  TFE_ST_FIN_WAIT_2);
	tfe_analyzer_clear(&fx.a);
}
END_TEST

/* A server that never answered a connection: the times its port answered
 * other connections' SYNs, for syn_unanswered; none for a port that never
 * answered one. */
START_TEST(test_port_listened)
{
	struct fixture fx;

	setup(&fx, 1000);
	/* port 80 answers 40000 at +1 ms, then 40002 at +3 s */
	feed(&fx, T0, CLIENT, 40000, SERVER, 80, F_SYN, 1000, 0);
	feed(&fx, T0 + MS, SERVER, 80, CLIENT, 40000, F_SYN | F_ACK, 5000,
	     1001);
	feed(&fx, T0 + 2 * MS, CLIENT, 40000, SERVER, 80, F_ACK, 1001, 5001);
	/* 40001's SYNs to port 80 and 40003's to port 81 get no answer */
	feed(&fx, T0 + 100 * MS, CLIENT, 40001, SERVER, 80, F_SYN, 2000, 0);
	feed(&fx, T0 + 150 * MS, CLIENT, 40003, SERVER, 81, F_SYN, 4000, 0);
	feed(&fx, T0 + 1100 * MS, CLIENT, 40001, SERVER, 80, F_SYN, 2000, 0);
	feed(&fx, T0 + 3000 * MS, CLIENT, 40002, SERVER, 80, F_SYN, 3000, 0);
	feed(&fx, T0 + 3001 * MS, SERVER, 80, CLIENT, 40002, F_SYN | F_ACK,
	     6000, 3001);
	tfe_analyzer_finish(&fx.a);
	ck_assert_uint_eq(fx.n.done, 4);
	guint unanswered = 0;
	for (guint i = 0; i < 4; i++) {
		const struct seen *w = &fx.n.seen[i];
		if (w->first_frame == 4) { /* 40001 to port 80 */
			ck_assert_int_eq(w->listened_first, T0 + MS);
			ck_assert_int_eq(w->listened_last, T0 + 3001 * MS);
			unanswered++;
		} else if (w->first_frame == 5) { /* 40003 to port 81 */
			ck_assert_int_eq(w->listened_first, 0);
			unanswered++;
		} else {
			/* answered: nothing recorded */
			ck_assert_int_eq(w->listened_first, 0);
		}
	}
	ck_assert_uint_eq(unanswered, 2);
	tfe_analyzer_clear(&fx.a);
}
END_TEST

/* An ICMPv4 host unreachable from a router (10.0.0.254) quoting the
 * first 28 bytes of a TCP frame from the client (DLT_IPV4). */
static void
feed_icmp(struct fixture *fx, int64_t ts, uint16_t sport, uint8_t flags,
          uint32_t seq)
{
	uint8_t f[20 + 8 + 40];

	memset(f, 0, sizeof f);
	f[0] = 0x45;
	f[3] = sizeof f;
	f[8] = 64;
	f[9] = 1;                           /* ICMP */
	f[12] = 10, f[13] = 0, f[14] = 0, f[15] = 254;
	f[16] = 10, f[17] = 0, f[18] = 0, f[19] = 1;
	f[20] = 3;                          /* destination unreachable */
	f[21] = 1;                          /* host unreachable */
	frame_v4(f + 28, CLIENT, sport, SERVER, 80, flags, seq, 0);
	tfe_analyzer_frame(&fx->a, DLT_IPV4, ++fx->frame, ts, f, sizeof f,
	                   sizeof f);
}

/* ICMP errors find the connection they quote, and only it: none is made
 * for an error of an unknown flow, one quoting a sequence number not in
 * flight is counted unmatched, one after the handshake closes nothing. */
START_TEST(test_icmp_errors)
{
	struct fixture fx;

	setup(&fx, 1000);
	/* 40000: a SYN, then the error for it: the client is CLOSED */
	feed(&fx, T0, CLIENT, 40000, SERVER, 80, F_SYN, 1000, 0);
	feed_icmp(&fx, T0 + MS, 40000, F_SYN, 1000);
	ck_assert_uint_eq(fx.a.stats.icmp_matched, 1);
	/* an error for a flow never seen: no connection made */
	feed_icmp(&fx, T0 + 2 * MS, 40009, F_SYN, 1000);
	ck_assert_uint_eq(fx.a.stats.icmp_unmatched, 1);
	ck_assert_uint_eq(fx.a.table.live, 1);
	/* 40001: a SYN, and an error quoting another sequence number */
	feed(&fx, T0 + 3 * MS, CLIENT, 40001, SERVER, 80, F_SYN, 3000, 0);
	feed_icmp(&fx, T0 + 4 * MS, 40001, F_SYN, 3999);
	ck_assert_uint_eq(fx.a.stats.icmp_unmatched, 2);
	/* 40002: established, then an error for the client's data */
	feed(&fx, T0 + 5 * MS, CLIENT, 40002, SERVER, 80, F_SYN, 5000, 0);
	feed(&fx, T0 + 6 * MS, SERVER, 80, CLIENT, 40002, F_SYN | F_ACK, 9000,
	     5001);
	feed(&fx, T0 + 7 * MS, CLIENT, 40002, SERVER, 80, F_ACK, 5001, 9001);
	feed_icmp(&fx, T0 + 8 * MS, 40002, F_ACK, 5001);
	ck_assert_uint_eq(fx.a.stats.icmp_matched, 2);
	ck_assert_uint_eq(fx.a.table.live, 3);
	ck_assert_uint_eq(fx.a.stats.reasons[TFE_DR_ICMP_ERROR], 4);
	/* 40003: the error comes 0.1 ms after the SYN and the SYN is re-sent
	 * (Linux keeps it as soft while connect() holds the socket); the
	 * second error, with nothing sent after it, closes the client */
	feed(&fx, T0 + 10 * MS, CLIENT, 40003, SERVER, 80, F_SYN, 7000, 0);
	feed_icmp(&fx, T0 + 10 * MS + MS / 10, 40003, F_SYN, 7000);
	feed(&fx, T0 + 1010 * MS, CLIENT, 40003, SERVER, 80, F_SYN, 7000, 0);
	feed_icmp(&fx, T0 + 1011 * MS, 40003, F_SYN, 7000);
	/* 40004: the error comes 50 ms after the SYN and the SYN is re-sent:
	 * a stack that takes it as soft; no later error closes the client */
	feed(&fx, T0 + 20 * MS, CLIENT, 40004, SERVER, 80, F_SYN, 8000, 0);
	feed_icmp(&fx, T0 + 70 * MS, 40004, F_SYN, 8000);
	feed(&fx, T0 + 1020 * MS, CLIENT, 40004, SERVER, 80, F_SYN, 8000, 0);
	feed_icmp(&fx, T0 + 1070 * MS, 40004, F_SYN, 8000);
	ck_assert_uint_eq(fx.a.stats.icmp_matched, 6);
	ck_assert_uint_eq(fx.a.table.live, 5);
	tfe_analyzer_finish(&fx.a);
	ck_assert_uint_eq(fx.n.done, 5);
	ck_assert_uint_eq(fx.n.client_state[3], TFE_ST_CLOSED);
	ck_assert(fx.n.icmp_closed[3]);
	ck_assert_uint_eq(fx.n.client_state[4], TFE_ST_SYN_SENT);
	ck_assert(!fx.n.icmp_closed[4]);
	ck_assert_uint_eq(fx.n.client_state[0], TFE_ST_CLOSED);
	ck_assert(fx.n.icmp_closed[0]);
	ck_assert_uint_eq(fx.n.client_state[1], TFE_ST_SYN_SENT);
	ck_assert(!fx.n.icmp_closed[1]);
	ck_assert_uint_eq(fx.n.client_state[2], TFE_ST_ESTABLISHED);
	ck_assert(!fx.n.icmp_closed[2]);
	tfe_analyzer_clear(&fx.a);
}
END_TEST

/* Files merged out of order: after the clock goes back by more than the
 * idle timeout, a connection's frames stay one connection (before, each
 * was taken as idle at once and ended at its first frame). */
START_TEST(test_clock_back)
{
	struct fixture fx;

	setup(&fx, 1000);
	/* past the idle timeout, whatever its default */
	const int64_t later = T0 + fx.a.cfg.idle_timeout + 1000 * TFE_NS_PER_SEC;
	/* a refused SYN then, and nothing else open then */
	feed(&fx, later, CLIENT, 40000, SERVER, 80, F_SYN, 1000, 0);
	feed(&fx, later + MS, SERVER, 80, CLIENT, 40000, F_RST | F_ACK, 0, 1001);
	/* the other file: a handshake at +0 s */
	feed(&fx, T0, CLIENT, 40001, SERVER, 80, F_SYN, 2000, 0);
	feed(&fx, T0 + 10 * MS, SERVER, 80, CLIENT, 40001, F_SYN | F_ACK, 6000,
	     2001);
	feed(&fx, T0 + 20 * MS, CLIENT, 40001, SERVER, 80, F_ACK, 2001, 6001);
	tfe_analyzer_finish(&fx.a);
	/* the refused one and the handshake, whole */
	ck_assert_uint_eq(fx.n.done, 2);
	ck_assert_uint_ge(fx.a.stats.time_backwards, 1);
	tfe_analyzer_clear(&fx.a);
}
END_TEST

/* A jump forward past the idle timeout with no frame between (files
 * merged, a capture stopped and started again): what is open ends at the
 * last frame before it, as at the end of the input, and the verdicts'
 * clock stops there; a silence shorter than the timeout is no gap. */
START_TEST(test_clock_gap)
{
	struct fixture fx;

	setup(&fx, 1000);
	const int64_t idle = fx.a.cfg.idle_timeout;
	/* a handshake, then the client's FIN, ACKed: the server in
	 * CLOSE_WAIT */
	feed(&fx, T0, CLIENT, 40000, SERVER, 80, F_SYN, 1000, 0);
	feed(&fx, T0 + MS, SERVER, 80, CLIENT, 40000, F_SYN | F_ACK, 5000,
	     1001);
	feed(&fx, T0 + 2 * MS, CLIENT, 40000, SERVER, 80, F_ACK, 1001, 5001);
	feed(&fx, T0 + 3 * MS, CLIENT, 40000, SERVER, 80, F_FIN | F_ACK, 1001,
	     5001);
	feed(&fx, T0 + 4 * MS, SERVER, 80, CLIENT, 40000, F_ACK, 5001, 1002);
	/* near miss: another connection's SYN a second short of the idle
	 * timeout later is no gap */
	feed(&fx, T0 + idle - TFE_NS_PER_SEC, CLIENT, 40001, SERVER, 81, F_SYN,
	     2000, 0);
	ck_assert_uint_eq(fx.n.done, 0);
	ck_assert_uint_eq(fx.a.stats.time_gaps, 0);
	/* a jump of more than the idle timeout: both end, as at the end of
	 * the input, at the frame before the jump */
	int64_t before = fx.a.now;
	feed(&fx, before + idle + TFE_NS_PER_SEC, CLIENT, 40002, SERVER, 82,
	     F_SYN, 3000, 0);
	ck_assert_uint_eq(fx.a.stats.time_gaps, 1);
	ck_assert_uint_eq(fx.n.done, 2);
	ck_assert_uint_eq(fx.n.by_cause[TFE_END_INPUT], 2);
	ck_assert_uint_eq(fx.n.by_cause[TFE_END_IDLE], 0);
	tfe_analyzer_finish(&fx.a);
	ck_assert_uint_eq(fx.n.done, 3);
	tfe_analyzer_clear(&fx.a);
}
END_TEST

/* A silence of the whole capture followed by three connections picked up
 * mid-stream within 30 s is a hole (the capture was not recording); live,
 * the ticks of the loop show the capture watched the silence, and there
 * is none; two pickups, or a third too late, are none either.  Returns
 * the holes counted. */
static uint64_t
holes_after(bool ticks, int pickups, int64_t third_after)
{
	struct fixture fx;

	setup(&fx, 1000);
	/* one connection before the silence */
	feed(&fx, T0, CLIENT, 40000, SERVER, 80, F_SYN, 1000, 0);
	feed(&fx, T0 + MS, SERVER, 80, CLIENT, 40000, F_SYN | F_ACK, 5000, 1001);
	feed(&fx, T0 + 2 * MS, CLIENT, 40000, SERVER, 80, F_ACK, 1001, 5001);
	int64_t end = T0 + 120 * TFE_NS_PER_SEC;
	for (int64_t t = T0 + TFE_NS_PER_SEC; ticks && t < end;
	     t += TFE_NS_PER_SEC)
		tfe_analyzer_tick(&fx.a, t);
	for (int i = 0; i < pickups; i++)
		feed(&fx, end + (i < 2 ? i : third_after), CLIENT,
		     (uint16_t)(40001 + i), SERVER, 80, F_ACK,
		     (uint32_t)(2000 + i), 7000);
	uint64_t holes = fx.a.stats.capture_holes;
	tfe_analyzer_finish(&fx.a);
	tfe_analyzer_clear(&fx.a);
	return holes;
}

START_TEST(test_capture_holes)
{
	ck_assert_uint_eq(holes_after(false, 3, 10 * TFE_NS_PER_SEC), 1);
	ck_assert_uint_eq(holes_after(true, 3, 10 * TFE_NS_PER_SEC), 0);
	ck_assert_uint_eq(holes_after(false, 2, 0), 0);
	ck_assert_uint_eq(holes_after(false, 3, 40 * TFE_NS_PER_SEC), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("analyze");
	TCase *tc = tcase_create("bounds and timers");

	tcase_add_test(tc, test_refused_flood_bounded);
	tcase_add_test(tc, test_unanswered_flood_evicts_oldest);
	tcase_add_test(tc, test_listeners_bounded);
	tcase_add_test(tc, test_tick_runs_timers);
	tcase_add_test(tc, test_syn_splits);
	tcase_add_test(tc, test_port_listened);
	tcase_add_test(tc, test_icmp_errors);
	tcase_add_test(tc, test_clock_back);
	tcase_add_test(tc, test_clock_gap);
	tcase_add_test(tc, test_capture_holes);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return tfe_test_main(s);
}
