/*
 * check_flow.c: the flow table's 2MSL tombstones (flow.c).
 *
 * A tombstone is kept as a 32-byte record whose times and connection
 * number are distances from bases in its block, with the IPv4 key inside;
 * other keys go to a pool of keys, and numbers that do not fit the
 * distances make the record go whole into a pool of its own.  Whatever
 * the form, what the table hands back must be exactly what it was given:
 * these tests leave tombstones of every form side by side and read each
 * one back after every change, by key, in the queue order and through
 * the expiry.  As in the analysis, the times of tombstones left later are
 * never earlier (the clock never goes back).
 */
#include "config.h"

#include "flow.h"
#include "testutil.h"

#define SEC INT64_C(1000000000)
#define T0 (INT64_C(1700000000) * SEC)
#define MSL2 (60 * SEC)

/* An IPv4 key (the lower endpoint first, as tfe_flow_key_make makes it),
 * or an IPv6 one when `v6`. */
static struct tfe_flow_key
key_of(uint32_t n, bool v6)
{
	struct tfe_flow_key k;

	memset(&k, 0, sizeof k);
	k.family = v6 ? 6 : 4;
	if (v6) {
		k.addr_lo[0] = 0x20;
		k.addr_lo[1] = 0x01;
		k.addr_hi[0] = 0x20;
		k.addr_hi[1] = 0x01;
		k.addr_hi[15] = 1;
	} else {
		k.addr_lo[0] = 10;
		k.addr_hi[0] = 10;
		k.addr_hi[3] = 1;
	}
	k.addr_lo[v6 ? 12 : 1] = (uint8_t)(n >> 16);
	k.addr_lo[v6 ? 13 : 2] = (uint8_t)(n >> 8);
	k.port_lo = (uint16_t)(1024 + n % 60000);
	k.port_hi = 80;
	return k;
}

struct fixture {
	struct tfe_flow_table t;
	GArray *want;            /* struct tfe_tombstone, every one left */
};

/* Leaves a tombstone on `k` the way analyze.c does: attach a connection,
 * detach it with the record. */
static void
leave(struct fixture *fx, const struct tfe_flow_key *k, uint64_t id,
      int64_t until, int64_t tw_since, uint8_t tw_side)
{
	struct tfe_conn *c = g_new0(struct tfe_conn, 1);
	struct tfe_tombstone tomb;

	memset(&tomb, 0, sizeof tomb);
	tomb.conn_id = id;
	tomb.until = until;
	tomb.tw_since = tw_since;
	tomb.tw_side = tw_side;
	tomb.client_is_lo = id % 2 == 0;
	tomb.snd_nxt[0] = (uint32_t)(id * 7919);
	tomb.snd_nxt[1] = (uint32_t)(~id * 104729);
	tfe_flow_attach(&fx->t, k, c);
	tfe_flow_detach(&fx->t, c, &tomb);
	g_free(c);

	tomb.key = *k;
	tomb.active = true;
	/* a tombstone on the same key replaces the one before */
	for (guint i = 0; i < fx->want->len; i++)
		if (memcmp(&g_array_index(fx->want, struct tfe_tombstone,
		                          i).key, k, sizeof *k) == 0)
			g_array_remove_index(fx->want, i--);
	g_array_append_val(fx->want, tomb);
}

static void
same(const struct tfe_tombstone *got, const struct tfe_tombstone *w)
{
	struct tfe_flow_key k;

	ck_assert_uint_eq(got->conn_id, w->conn_id);
	ck_assert_int_eq(got->until, w->until);
	ck_assert_int_eq(got->tw_since, w->tw_since);
	ck_assert_uint_eq(got->snd_nxt[0], w->snd_nxt[0]);
	ck_assert_uint_eq(got->snd_nxt[1], w->snd_nxt[1]);
	ck_assert_uint_eq(got->tw_side, w->tw_side);
	ck_assert(got->client_is_lo == w->client_is_lo);
	ck_assert(got->active);
	tfe_flow_tomb_key(got, &k);
	ck_assert(memcmp(&k, &w->key, sizeof k) == 0);
}

struct walk {
	const GArray *want;
	guint n;
};

static void
walk_one(const struct tfe_tombstone *t, void *ud)
{
	struct walk *w = ud;

	ck_assert_uint_lt(w->n, w->want->len);
	same(t, &g_array_index(w->want, struct tfe_tombstone, w->n));
	w->n++;
}

/* Every tombstone expected reads back by key and in the queue's order,
 * and the index holds exactly those. */
static void
check_all(struct fixture *fx)
{
	for (guint i = 0; i < fx->want->len; i++) {
		const struct tfe_tombstone *w =
			&g_array_index(fx->want, struct tfe_tombstone, i);
		const struct tfe_tombstone *got = tfe_flow_tomb(&fx->t,
		                                                &w->key);
		ck_assert_ptr_nonnull(got);
		same(got, w);
	}
	ck_assert_uint_eq(fx->t.ntombs, fx->want->len);
	ck_assert_uint_eq(tfe_flow_tomb_index_size(&fx->t), fx->want->len);
	struct walk wk = { fx->want, 0 };
	tfe_flow_foreach_tomb(&fx->t, walk_one, &wk);
	ck_assert_uint_eq(wk.n, fx->want->len);
}

static void
fixture_init(struct fixture *fx)
{
	tfe_flow_table_init(&fx->t);
	fx->want = g_array_new(FALSE, FALSE, sizeof(struct tfe_tombstone));
}

static void
fixture_clear(struct fixture *fx)
{
	tfe_flow_table_clear(&fx->t, tfe_conn_free);
	g_array_free(fx->want, TRUE);
}

/* Drops the expected ones whose time is up at `now`, as the table must. */
static void
expire(struct fixture *fx, int64_t now)
{
	for (guint i = 0; i < fx->want->len; i++)
		if (g_array_index(fx->want, struct tfe_tombstone,
		                  i).until <= now)
			g_array_remove_index(fx->want, i--);
	if (tfe_flow_tombs_due(&fx->t, now))
		tfe_flow_expire_tombs(&fx->t, now);
	ck_assert(!tfe_flow_tombs_due(&fx->t, now));
}

/* Every form side by side: the record's own, a key in the pool, and a
 * record kept whole because its number, its time or its TIME_WAIT start
 * is too far from its block's. */
START_TEST(every_form_reads_back)
{
	struct fixture fx;
	int64_t u = T0 + MSL2;

	fixture_init(&fx);
	ck_assert(!tfe_flow_tombs_due(&fx.t, INT64_MAX - 1));
	struct tfe_flow_key k1 = key_of(1, false), k2 = key_of(2, true);
	struct tfe_flow_key k3 = key_of(3, false), k4 = key_of(4, false);
	struct tfe_flow_key k5 = key_of(5, true), k6 = key_of(6, false);
	struct tfe_flow_key k7 = key_of(7, false), k8 = key_of(8, false);

	leave(&fx, &k1, 1000, u, u - MSL2 - 3 * SEC, TFE_SIDE_CLIENT);
	check_all(&fx);
	leave(&fx, &k2, 999, u + 1, u - MSL2 - 2 * SEC, TFE_SIDE_SERVER);
	check_all(&fx);
	/* the number 2^24 past the block's first: kept whole */
	leave(&fx, &k3, 1000 + (UINT64_C(1) << 24), u + 2, 0, TFE_SIDE_NONE);
	check_all(&fx);
	/* a number below the first one's fits */
	leave(&fx, &k4, 10, u + 3, 0, TFE_SIDE_NONE);
	check_all(&fx);
	/* a TIME_WAIT begun an hour before: kept whole */
	leave(&fx, &k6, 1002, u + 4, u - 3600 * SEC, TFE_SIDE_SERVER);
	check_all(&fx);
	/* and one near the first one's again fits */
	leave(&fx, &k7, 1003, u + 5, u - MSL2 - 3 * SEC + 17, TFE_SIDE_CLIENT);
	check_all(&fx);
	/* a new connection on k1 ended: its tombstone replaces the old one */
	leave(&fx, &k1, 1004, u + 6, 0, TFE_SIDE_NONE);
	check_all(&fx);
	/* 5 s after the block's first time: kept whole (an IPv6 key too) */
	leave(&fx, &k5, 1001, u + 5 * SEC, u - MSL2, TFE_SIDE_CLIENT);
	check_all(&fx);
	ck_assert_ptr_null(tfe_flow_tomb(&fx.t, &k8));

	/* a new SYN takes a TIME_WAIT over, in a record and in a whole one */
	tfe_flow_tomb_end_time_wait(&fx.t, &k7);
	tfe_flow_tomb_end_time_wait(&fx.t, &k6);
	tfe_flow_tomb_end_time_wait(&fx.t, &k8); /* none: nothing happens */
	for (guint i = 0; i < fx.want->len; i++) {
		struct tfe_tombstone *w =
			&g_array_index(fx.want, struct tfe_tombstone, i);
		if (memcmp(&w->key, &k7, sizeof k7) == 0 ||
		    memcmp(&w->key, &k6, sizeof k6) == 0)
			w->tw_since = 0;
	}
	check_all(&fx);

	/* expiry in the queue's order; the whole ones' times count too (the
	 * replaced record at the head is due at once, and goes) */
	expire(&fx, u - 1);
	check_all(&fx);
	expire(&fx, u + 3);
	check_all(&fx);
	expire(&fx, u + 4);
	check_all(&fx);
	expire(&fx, u + 6);
	check_all(&fx);
	ck_assert_uint_eq(fx.want->len, 1);
	ck_assert(tfe_flow_drop_oldest_tomb(&fx.t));
	g_array_remove_index(fx.want, 0);
	check_all(&fx);
	ck_assert(!tfe_flow_drop_oldest_tomb(&fx.t));
	ck_assert(!tfe_flow_tombs_due(&fx.t, INT64_MAX - 1));
	fixture_clear(&fx);
}
END_TEST

/* Many tombstones over many blocks, a third of them IPv6, left and
 * expired in waves: each reads back the same, and the pools and blocks
 * are reused rather than grown. */
START_TEST(waves_reuse_the_room)
{
	struct fixture fx;
	int64_t now = T0;
	uint64_t id = 1;
	guint keys_used = 0, ndir = 0;

	fixture_init(&fx);
	for (int wave = 0; wave < 4; wave++) {
		for (uint32_t i = 0; i < 1500; i++) {
			struct tfe_flow_key k = key_of(i, i % 3 == 0);
			now += 1000 * 1000;    /* 1 ms apart */
			leave(&fx, &k, id++, now + MSL2,
			      i % 2 ? now - 3 * SEC : 0,
			      i % 2 ? TFE_SIDE_CLIENT : TFE_SIDE_NONE);
		}
		check_all(&fx);
		if (wave == 0) {
			keys_used = fx.t.tomb_keys.used;
			ndir = fx.t.tomb_ndir;
		}
		now += MSL2;
		expire(&fx, now);
		ck_assert_uint_eq(fx.t.ntombs, 0);
		check_all(&fx);
	}
	ck_assert_uint_eq(keys_used, 500);
	ck_assert_uint_eq(ndir, (1500 + TFE_TOMB_BLOCK - 1) / TFE_TOMB_BLOCK);
	ck_assert_uint_eq(fx.t.tomb_keys.used, keys_used);
	/* a wave may start in the last block of the one before */
	ck_assert_uint_le(fx.t.tomb_ndir, ndir + 1);
	ck_assert_uint_eq(fx.t.tomb_wide.used, 0);
	fixture_clear(&fx);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("flow");
	TCase *tc = tcase_create("tombstones");

	tcase_add_test(tc, every_form_reads_back);
	tcase_add_test(tc, waves_reuse_the_room);
	suite_add_tcase(s, tc);
	return tfe_test_main(s);
}
