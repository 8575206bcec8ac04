/*
 * render_picture.c: the picture of the whole capture in the summary
 * (--servers; always in --format summary): per server address and port,
 * its connections, how they ended, its verdicts and its handshake RTT's
 * median and 99th percentile; then, for each warning kind, the servers
 * with the most connections carrying it.  Counted from each connection
 * as it is judged (one thread at a time), written at the end.
 */
#include "render.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

struct tfe_picture {
	GHashTable *by_server;   /* key: struct server_key, value: row */
};

struct server_key {
	uint8_t addr[16];
	uint16_t port;
	uint8_t family;
	uint8_t pad;
};

static guint
key_hash(gconstpointer p)
{
	const uint8_t *b = p;
	guint h = 2166136261u;

	for (size_t i = 0; i < sizeof(struct server_key); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static gboolean
key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct server_key)) == 0;
}

static void
row_free(gpointer p)
{
	struct tfe_server_row *r = p;

	g_array_free(r->rtts, TRUE);
	g_free(r);
}

struct tfe_picture *
tfe_picture_new(void)
{
	struct tfe_picture *p = g_new0(struct tfe_picture, 1);

	p->by_server = g_hash_table_new_full(key_hash, key_equal, g_free,
	                                     row_free);
	return p;
}

void
tfe_picture_free(struct tfe_picture *p)
{
	if (p == NULL)
		return;
	g_hash_table_destroy(p->by_server);
	g_free(p);
}

void
tfe_picture_add(struct tfe_picture *p, const struct tfe_conn *c)
{
	struct server_key k;
	struct tfe_server_row *r;
	int64_t up, down;
	uint64_t kinds = 0;

	memset(&k, 0, sizeof k);
	k.family = c->family;
	memcpy(k.addr, tfe_conn_addr(c, TFE_SIDE_SERVER), 16);
	k.port = tfe_conn_port(c, TFE_SIDE_SERVER);
	r = g_hash_table_lookup(p->by_server, &k);
	if (r == NULL) {
		r = g_new0(struct tfe_server_row, 1);
		r->family = k.family;
		memcpy(r->addr, k.addr, 16);
		r->port = k.port;
		r->rtts = g_array_new(FALSE, FALSE, sizeof(int64_t));
		g_hash_table_insert(p->by_server, g_memdup2(&k, sizeof k), r);
	}
	r->connections++;
	r->by_close[c->close_how]++;
	for (guint i = 0; c->verdicts && i < c->verdicts->len; i++)
		kinds |= UINT64_C(1) << g_array_index(c->verdicts,
		                                      struct tfe_verdict, i).kind;
	for (int v = 0; v < TFE_V__COUNT; v++)
		if (kinds & (UINT64_C(1) << v))
			r->by_verdict[v]++;
	if (tfe_conn_handshake_rtt(c, &up, &down) &&
	    tfe_conn_handshake_ambiguous(c) == NULL) {
		int64_t rtt = up + down;
		g_array_append_val(r->rtts, rtt);
	}
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile `pct` of n sorted values. */
static int64_t
percentile(const int64_t *v, guint n, unsigned pct)
{
	guint rank = (guint)(((uint64_t)n * pct + 99) / 100);

	return v[rank > 0 ? rank - 1 : 0];
}

static gint
by_connections(gconstpointer pa, gconstpointer pb)
{
	const struct tfe_server_row *a = *(const struct tfe_server_row *const *)pa;
	const struct tfe_server_row *b = *(const struct tfe_server_row *const *)pb;
	int c;

	if (a->connections != b->connections)
		return a->connections > b->connections ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if ((c = memcmp(a->addr, b->addr, 16)) != 0)
		return c;
	return (int)a->port - (int)b->port;
}

GPtrArray *
tfe_picture_servers(struct tfe_picture *p)
{
	GPtrArray *out = g_ptr_array_new();
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, p->by_server);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct tfe_server_row *r = v;

		r->has_rtt = r->rtts->len > 0;
		if (r->has_rtt) {
			qsort(r->rtts->data, r->rtts->len, sizeof(int64_t), cmp_i64);
			r->rtt_median = percentile((int64_t *)(void *)r->rtts->data,
			                           r->rtts->len, 50);
			r->rtt_p99 = percentile((int64_t *)(void *)r->rtts->data,
			                        r->rtts->len, 99);
		}
		g_ptr_array_add(out, r);
	}
	g_ptr_array_sort(out, by_connections);
	return out;
}

struct offender {
	const struct tfe_server_row *r;
	uint64_t n;
};

static gint
by_count(gconstpointer pa, gconstpointer pb)
{
	const struct offender *a = pa, *b = pb;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return by_connections(&a->r, &b->r);
}

guint
tfe_picture_offenders(GPtrArray *servers, int kind,
                      const struct tfe_server_row **top, guint max)
{
	GArray *o = g_array_new(FALSE, FALSE, sizeof(struct offender));
	guint n;

	for (guint i = 0; i < servers->len; i++) {
		const struct tfe_server_row *r = servers->pdata[i];
		struct offender x = { r, r->by_verdict[kind] };
		if (x.n > 0)
			g_array_append_val(o, x);
	}
	g_array_sort(o, by_count);
	n = o->len < max ? o->len : max;
	for (guint i = 0; i < n; i++)
		top[i] = g_array_index(o, struct offender, i).r;
	g_array_free(o, TRUE);
	return n;
}

static void
ms(FILE *out, int64_t ns)
{
	fprintf(out, "%.3f ms", (double)ns / 1e6);
}

void
tfe_picture_print(const struct tfe_render_opts *o, struct tfe_picture *p)
{
	FILE *out = o->out;
	GPtrArray *servers = tfe_picture_servers(p);
	guint shown = servers->len < TFE_PICTURE_TEXT_MAX ?
	              servers->len : TFE_PICTURE_TEXT_MAX;

	if (servers->len > 0)
		fprintf(out, "  servers (by connections):\n");
	for (guint i = 0; i < shown; i++) {
		const struct tfe_server_row *r = servers->pdata[i];
		char ep[TFE_ADDR_STRLEN];
		bool any = false;

		tfe_endpoint_format(r->family, r->addr, r->port, ep, sizeof ep);
		fprintf(out, "    %s  %" PRIu64 " connection%s:", ep,
		        r->connections, r->connections == 1 ? "" : "s");
		for (int k = 0; k < TFE_CLOSE__COUNT; k++)
			if (r->by_close[k] > 0) {
				fprintf(out, "%s %s %" PRIu64, any ? "," : "",
				        tfe_close_names[k], r->by_close[k]);
				any = true;
			}
		if (r->has_rtt) {
			fprintf(out, "; handshake RTT median ");
			ms(out, r->rtt_median);
			fprintf(out, ", p99 ");
			ms(out, r->rtt_p99);
		}
		any = false;
		for (int k = 0; k < TFE_V__COUNT; k++)
			if (r->by_verdict[k] > 0) {
				fprintf(out, "%s %s %" PRIu64, any ? "," : "; verdicts:",
				        tfe_verdicts[k].kind, r->by_verdict[k]);
				any = true;
			}
		fputc('\n', out);
	}
	if (shown < servers->len)
		fprintf(out, "    ... and %u more servers\n", servers->len - shown);
	bool header = false;
	for (int k = 0; k < TFE_V__COUNT; k++) {
		const struct tfe_server_row *top[TFE_PICTURE_OFFENDERS];
		guint n;

		if (tfe_verdicts[k].severity != TFE_SEV_WARNING)
			continue;
		n = tfe_picture_offenders(servers, k, top, TFE_PICTURE_OFFENDERS);
		if (n == 0)
			continue;
		if (!header)
			fprintf(out, "  busiest offenders (servers, connections):\n");
		header = true;
		fprintf(out, "    %-22s", tfe_verdicts[k].kind);
		for (guint i = 0; i < n; i++) {
			char ep[TFE_ADDR_STRLEN];
			tfe_endpoint_format(top[i]->family, top[i]->addr,
			                    top[i]->port, ep, sizeof ep);
			fprintf(out, "%s %s %" PRIu64, i ? "," : "", ep,
			        top[i]->by_verdict[k]);
		}
		fputc('\n', out);
	}
	g_ptr_array_free(servers, TRUE);
}
