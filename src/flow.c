/*
 * flow.c: the flow table and its queues.
 *
 * The queues link through the GList embedded in each connection and flow,
 * so moving a connection on every packet costs no allocation.
 */
#include "flow.h"

#include <string.h>

bool
tfe_flow_key_make(const struct tfe_segment *s, struct tfe_flow_key *k)
{
	int c = memcmp(s->src, s->dst, 16);
	bool from_lo = c < 0 || (c == 0 && s->sport <= s->dport);

	memset(k, 0, sizeof *k);
	k->family = s->family;
	if (from_lo) {
		memcpy(k->addr_lo, s->src, 16);
		memcpy(k->addr_hi, s->dst, 16);
		k->port_lo = s->sport;
		k->port_hi = s->dport;
	} else {
		memcpy(k->addr_lo, s->dst, 16);
		memcpy(k->addr_hi, s->src, 16);
		k->port_lo = s->dport;
		k->port_hi = s->sport;
	}
	return from_lo;
}

/* FNV-1a over the key's bytes: the key is fixed-size and zero-padded. */
static guint
key_hash(gconstpointer p)
{
	const uint8_t *b = p;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < sizeof(struct tfe_flow_key); i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return h;
}

static gboolean
key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct tfe_flow_key)) == 0;
}

static void
flow_free(gpointer p)
{
	struct tfe_flow *f = p;

	if (f->conn)
		tfe_conn_free(f->conn);
	g_free(f);
}

void
tfe_flow_table_init(struct tfe_flow_table *t)
{
	memset(t, 0, sizeof *t);
	t->flows = g_hash_table_new_full(key_hash, key_equal, NULL, flow_free);
	for (int q = 0; q < TFE_Q__COUNT; q++)
		g_queue_init(&t->queue[q]);
	g_queue_init(&t->tombs);
	t->max_tombs = TFE_FLOW_MAX_TOMBS;
}

void
tfe_flow_table_clear(struct tfe_flow_table *t)
{
	if (t->flows)
		g_hash_table_destroy(t->flows);
	t->flows = NULL;
}

struct tfe_flow *
tfe_flow_get(struct tfe_flow_table *t, const struct tfe_flow_key *k)
{
	struct tfe_flow *f = g_hash_table_lookup(t->flows, k);

	if (f == NULL) {
		f = g_new0(struct tfe_flow, 1);
		f->key = *k;
		f->tomb_link.data = f;
		g_hash_table_insert(t->flows, &f->key, f);
	}
	return f;
}

void
tfe_flow_attach(struct tfe_flow_table *t, struct tfe_flow *f,
                struct tfe_conn *c)
{
	g_assert(f->conn == NULL);
	f->conn = c;
	c->flow = f;
	c->link.data = c;
	c->queue = -1;
	t->live++;
	tfe_flow_touch(t, c, TFE_Q_OPEN);
}

void
tfe_flow_touch(struct tfe_flow_table *t, struct tfe_conn *c, enum tfe_queue q)
{
	if (c->queue >= 0)
		g_queue_unlink(&t->queue[c->queue], &c->link);
	g_queue_push_tail_link(&t->queue[q], &c->link);
	c->queue = q;
}

void
tfe_flow_detach(struct tfe_flow_table *t, struct tfe_conn *c,
                const struct tfe_tombstone *tomb)
{
	struct tfe_flow *f = c->flow;

	if (c->queue >= 0)
		g_queue_unlink(&t->queue[c->queue], &c->link);
	c->queue = -1;
	f->conn = NULL;
	c->flow = NULL;
	t->live--;
	if (f->tomb.active)
		g_queue_unlink(&t->tombs, &f->tomb_link);
	if (tomb != NULL) {
		/* A flood of short connections must not grow the table for
		 * 2MSL unchecked: past the bound the oldest tombstone goes
		 * (it can then miss a time_wait_reuse; the summary counts). */
		if (t->max_tombs > 0 && t->tombs.length >= t->max_tombs) {
			struct tfe_flow *old = g_queue_peek_head(&t->tombs);
			g_queue_unlink(&t->tombs, &old->tomb_link);
			old->tomb.active = false;
			t->tombs_dropped++;
			if (old->conn == NULL && old != f)
				g_hash_table_remove(t->flows, &old->key);
		}
		f->tomb = *tomb;
		f->tomb.active = true;
		g_queue_push_tail_link(&t->tombs, &f->tomb_link);
	} else {
		f->tomb.active = false;
		g_hash_table_remove(t->flows, &f->key);
	}
}

void
tfe_flow_expire_tombs(struct tfe_flow_table *t, int64_t now)
{
	GList *l;

	while ((l = g_queue_peek_head_link(&t->tombs)) != NULL) {
		struct tfe_flow *f = l->data;

		if (f->tomb.until > now)
			break;
		g_queue_unlink(&t->tombs, l);
		f->tomb.active = false;
		if (f->conn == NULL)
			g_hash_table_remove(t->flows, &f->key);
	}
}
