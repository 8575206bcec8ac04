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

/* The key is fixed-size and zero-padded: mix it as five 64-bit words
 * (multiply and fold, as in wyhash and rapidhash), a few instructions per
 * packet where a byte-wise hash took about 250. */
G_STATIC_ASSERT(sizeof(struct tfe_flow_key) == 40);

static guint
key_hash(gconstpointer p)
{
	uint64_t w[5], h = 0x9e3779b97f4a7c15u;

	memcpy(w, p, sizeof w);
	for (int i = 0; i < 5; i++) {
		h ^= w[i];
		h *= 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	return (guint)h;
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
	/* Already the most recent in its queue: the usual case in a run of
	 * segments of one connection. */
	if (c->queue == (int)q && c->link.next == NULL)
		return;
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
		f->tomb = *tomb;
		f->tomb.active = true;
		g_queue_push_tail_link(&t->tombs, &f->tomb_link);
	} else {
		f->tomb.active = false;
		g_hash_table_remove(t->flows, &f->key);
	}
}

static void
drop_tomb(struct tfe_flow_table *t, struct tfe_flow *f)
{
	g_queue_unlink(&t->tombs, &f->tomb_link);
	f->tomb.active = false;
	if (f->conn == NULL)
		g_hash_table_remove(t->flows, &f->key);
}

bool
tfe_flow_drop_oldest_tomb(struct tfe_flow_table *t)
{
	GList *l = g_queue_peek_head_link(&t->tombs);

	if (l == NULL)
		return false;
	drop_tomb(t, l->data);
	return true;
}

void
tfe_flow_expire_tombs(struct tfe_flow_table *t, int64_t now)
{
	GList *l;

	while ((l = g_queue_peek_head_link(&t->tombs)) != NULL) {
		struct tfe_flow *f = l->data;

		if (f->tomb.until > now)
			break;
		drop_tomb(t, f);
	}
}
