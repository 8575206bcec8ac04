/*
 * record.c: the connection records' memory.  A finished connection's
 * record, and its rare part, wait for the next connections of the same
 * thread instead of going back to malloc (tfe_conn_free()).
 *
 * This file knows nothing of states: conn.c fills the records.
 */
#include "record.h"

#include <string.h>

/* The per-connection memory (doc/hardening.md): the endpoint's state bytes keep
 * states in 4 bits, and the connection fits in glibc's 656-byte chunk
 * (requests of up to 648 bytes). */
_Static_assert(TFE_ST__COUNT <= 16, "a state fits in 4 bits");
_Static_assert(sizeof(struct tfe_endpoint) == 120, "an endpoint is 120 bytes");
_Static_assert(sizeof(struct tfe_conn) <= 648, "a connection fits in 648 bytes");

/*
 * Records of finished connections, and their rare parts, wait here for
 * the next connections instead of going back to malloc: one connection
 * ends about when another starts, and malloc's free and calloc (their
 * bins, the neighbouring chunks' headers) took about a tenth of the
 * analysing thread's time on a capture with 17 000 connections open at a
 * time.  A record is reused last in, first out, while it is still in the
 * CPU's cache.  Each list holds at most CACHE_MAX (the rest go back to
 * malloc), and only what was allocated before, so memory stays below its
 * peak.  One cache per thread: connections are made and freed by the
 * thread that analyses, so no lock is needed.
 */
#define CACHE_MAX 4096

struct conn_cache {
	struct tfe_conn *conns;       /* linked through flow.next: a free
	                                 record is in no table */
	struct tfe_conn_rare *rares;  /* linked through eps */
	guint nconns, nrares;
};

static _Thread_local struct conn_cache cache;

struct tfe_conn *
tfe_record_alloc(void)
{
	struct tfe_conn *c = cache.conns;

	if (c == NULL)
		return g_new0(struct tfe_conn, 1);
	cache.conns = c->flow.next;
	cache.nconns--;
	memset(c, 0, sizeof *c);
	return c;
}

void
tfe_conn_cache_clear(void)
{
	while (cache.conns != NULL) {
		struct tfe_conn *c = cache.conns;
		cache.conns = c->flow.next;
		g_free(c);
	}
	while (cache.rares != NULL) {
		struct tfe_conn_rare *r = cache.rares;
		cache.rares = (struct tfe_conn_rare *)r->eps;
		g_free(r);
	}
	cache.nconns = cache.nrares = 0;
	tfe_timeline_cache_clear();
}

const struct tfe_conn_rare tfe_conn_rare_none;
const struct tfe_ep_rare tfe_ep_rare_none;

struct tfe_conn_rare *
tfe_conn_rare_mut(struct tfe_conn *c)
{
	if (c->rare == NULL) {
		struct tfe_conn_rare *r = cache.rares;
		if (r != NULL) {
			cache.rares = (struct tfe_conn_rare *)r->eps;
			cache.nrares--;
			memset(r, 0, sizeof *r);
		} else {
			r = g_new0(struct tfe_conn_rare, 1);
		}
		c->rare = r;
	}
	return c->rare;
}

struct tfe_ep_rare *
tfe_conn_rare_get(struct tfe_conn *c, int side)
{
	struct tfe_conn_rare *r = tfe_conn_rare_mut(c);

	if (r->eps == NULL)
		r->eps = g_new0(struct tfe_conn_rare_eps, 1);
	return &r->eps->ep[side];
}

void
tfe_conn_free(struct tfe_conn *c)
{
	if (c == NULL)
		return;
	tfe_timeline_clear(&c->tl);
	tfe_zeek_clear(&c->zeek);
	if (c->rare != NULL) {
		if (c->rare->eps != NULL)
			g_free(c->rare->eps);
		g_free(c->rare->local); /* plain data */
		c->rare->local = NULL;
		g_free(c->rare->copies);
		c->rare->copies = NULL;
		g_free(c->rare->icmp);
		c->rare->icmp = NULL;
		if (cache.nrares < CACHE_MAX) {
			c->rare->eps = (struct tfe_conn_rare_eps *)cache.rares;
			cache.rares = c->rare;
			cache.nrares++;
		} else {
			g_free(c->rare);
		}
	}
	if (c->verdicts) /* made by tfe_verdicts_new(): frees the messages */
		g_array_free(c->verdicts, TRUE);
	if (cache.nconns < CACHE_MAX) {
		c->flow.next = cache.conns;
		cache.conns = c;
		cache.nconns++;
	} else {
		g_free(c);
	}
}
