/*
 * render_watch.c: the operator's view in text: an alert's line, and the
 * socket table of --every and SIGUSR1 (README.md, "Watching").
 *
 * The table counts sockets the way ss(8) lists them, grouped: a server's
 * sockets by its address and port, a client's by its address and the
 * server it talks to (its own ports are ephemeral).  Each group has a row
 * per state with the count, how long the oldest has been in that state,
 * and the change since the previous table; a group that emptied shows
 * once more with 0.  Sockets are those of the netstat view: both sides of
 * every connection held, TIME_WAITs remembered for 2MSL, and listeners
 * while the capture proves them (render_netstat.c).  Formatting only.
 */
#include "render.h"

#include <inttypes.h>
#include <string.h>

#include "addr.h"

/* A group and state: the key of a row, compared as bytes. */
struct row_key {
	uint8_t host[16];     /* where the sockets live */
	uint8_t service[16];  /* the server's address */
	uint16_t port;        /* the server's port */
	uint8_t family;
	uint8_t role;         /* TFE_SIDE_CLIENT or TFE_SIDE_SERVER */
	uint8_t state;        /* enum tfe_state */
	uint8_t kernel;       /* the kernel's state (live), not the wire's */
	uint8_t pad[2];
};

struct tfe_table {
	GHashTable *prev;     /* struct row_key -> count (GUINT_TO_POINTER
	                         of count + 1), the previous table's */
};

static guint
key_hash(gconstpointer p)
{
	const uint8_t *b = p;
	guint h = 2166136261u;

	for (size_t i = 0; i < sizeof(struct row_key); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static gboolean
key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct row_key)) == 0;
}

struct tfe_table *
tfe_table_new(void)
{
	struct tfe_table *t = g_new0(struct tfe_table, 1);

	t->prev = g_hash_table_new_full(key_hash, key_equal, g_free, NULL);
	return t;
}

void
tfe_table_free(struct tfe_table *t)
{
	if (t == NULL)
		return;
	g_hash_table_destroy(t->prev);
	g_free(t);
}

void
tfe_table_shot_free(struct tfe_table_shot *s)
{
	if (s == NULL)
		return;
	g_array_free(s->rows, TRUE);
	g_free(s);
}

static void
key_to_row(const struct row_key *k, struct tfe_table_row *r)
{
	memset(r, 0, sizeof *r);
	r->family = k->family;
	r->role = k->role;
	r->state = k->state;
	memcpy(r->host, k->host, 16);
	memcpy(r->service, k->service, 16);
	r->port = k->port;
	r->oldest_since = INT64_MAX;
	r->kernel = k->kernel != 0;
}

/* One socket in state `state` since `since`, with its queues when the
 * kernel gave them. */
static void
count_q(GHashTable *cur, const struct row_key *k, int64_t since,
        uint64_t recv_q, uint64_t send_q)
{
	struct tfe_table_row *r = g_hash_table_lookup(cur, k);

	if (r == NULL) {
		struct row_key *kk = g_memdup2(k, sizeof *k);
		r = g_new(struct tfe_table_row, 1);
		key_to_row(k, r);
		g_hash_table_insert(cur, kk, r);
	}
	r->count++;
	r->recv_q += recv_q;
	r->send_q += send_q;
	if (since < r->oldest_since)
		r->oldest_since = since;
}

static void
count(GHashTable *cur, const struct row_key *k, int64_t since)
{
	count_q(cur, k, since, 0, 0);
}

static bool
near_at(int64_t queried, int64_t at)
{
	return queried >= at - 2 * TFE_NS_PER_SEC &&
	       queried <= at + 2 * TFE_NS_PER_SEC;
}

const struct tfe_ksock *
tfe_kernel_view(const struct tfe_conn *c, int side, int64_t at)
{
	const struct tfe_local *lc = tfe_conn_local(c);
	const struct tfe_ksock *ks;

	if (lc == NULL)
		return NULL;
	ks = &lc->side[side];
	if (!ks->local || !ks->asked || ks->why != TFE_LQ_TABLE ||
	    !near_at(ks->queried, at))
		return NULL;
	return ks;
}

const struct tfe_ktw *
tfe_kernel_tw_view(const struct tfe_analyzer *a, uint64_t conn_id, int64_t at)
{
	const struct tfe_ktw *w;

	if (a->tw_kernel == NULL)
		return NULL;
	w = g_hash_table_lookup(a->tw_kernel, &conn_id);
	return w != NULL && near_at(w->queried, at) ? w : NULL;
}

struct ctx {
	GHashTable *cur;
	int64_t at, msl;
	const struct tfe_analyzer *a;
};

static void
add_conn(struct ctx *x, const struct tfe_conn *c)
{
	for (int side = 0; side < 2; side++) {
		const struct tfe_endpoint *ep = &c->ep[side];
		const struct tfe_ksock *ks = tfe_kernel_view(c, side, x->at);
		int64_t since;
		uint64_t frame;
		struct row_key k;

		if (ks != NULL) {
			/* live, a local socket: the kernel's state and queues */
			if (!ks->found || ks->state == TFE_ST_CLOSED)
				continue;
			tfe_watch_entered(c, side, &since, &frame);
			if (ks->state != ep->state)
				since = c->last_ts; /* it moved after that */
			memset(&k, 0, sizeof k);
			k.family = c->family;
			k.role = (uint8_t)side;
			k.state = ks->state;
			k.kernel = 1;
			memcpy(k.host, tfe_conn_addr(c, side), 16);
			memcpy(k.service, tfe_conn_addr(c, TFE_SIDE_SERVER), 16);
			k.port = tfe_conn_port(c, TFE_SIDE_SERVER);
			count_q(x->cur, &k, since, ks->recv_q, ks->send_q);
			continue;
		}
		/* no socket to show: as the netstat view (render_netstat.c) */
		if (ep->state == TFE_ST_CLOSED || ep->state == TFE_ST_LISTEN ||
		    ep->state == TFE_ST_UNKNOWN)
			continue;
		tfe_watch_entered(c, side, &since, &frame);
		if (ep->state == TFE_ST_TIME_WAIT) {
			if (ep->tw_since > 0)
				since = ep->tw_since;
			if (since + 2 * x->msl <= x->at)
				continue;
		}
		memset(&k, 0, sizeof k);
		k.family = c->family;
		k.role = (uint8_t)side;
		k.state = ep->state;
		memcpy(k.host, tfe_conn_addr(c, side), 16);
		memcpy(k.service, tfe_conn_addr(c, TFE_SIDE_SERVER), 16);
		k.port = tfe_conn_port(c, TFE_SIDE_SERVER);
		count(x->cur, &k, since);
	}
}

static void
add_tomb(const struct tfe_tombstone *t, void *ud)
{
	struct ctx *x = ud;
	struct tfe_flow_key key;
	struct row_key k;

	if (!t->active || t->tw_side > TFE_SIDE_SERVER || t->tw_since == 0)
		return;
	/* live, a local socket: the kernel says whether it is still in
	 * TIME_WAIT (its timer, not the wire's 2MSL) */
	const struct tfe_ktw *w = tfe_kernel_tw_view(x->a, t->conn_id, x->at);
	if (w != NULL ? w->state != TFE_ST_TIME_WAIT :
	    t->tw_since + 2 * x->msl <= x->at)
		return;
	tfe_flow_tomb_key(t, &key);
	bool tw_is_lo = (t->tw_side == TFE_SIDE_CLIENT) == t->client_is_lo;
	memset(&k, 0, sizeof k);
	k.family = key.family;
	k.role = t->tw_side;
	k.state = TFE_ST_TIME_WAIT;
	k.kernel = w != NULL;
	memcpy(k.host, tw_is_lo ? key.addr_lo : key.addr_hi, 16);
	memcpy(k.service, t->client_is_lo ? key.addr_hi : key.addr_lo, 16);
	k.port = t->client_is_lo ? key.port_hi : key.port_lo;
	count(x->cur, &k, t->tw_since);
}

static int
row_cmp(gconstpointer pa, gconstpointer pb)
{
	const struct tfe_table_row *a = pa, *b = pb;
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if ((c = memcmp(a->service, b->service, 16)) != 0)
		return c;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->role != b->role)
		return a->role > b->role ? -1 : 1; /* server first */
	if ((c = memcmp(a->host, b->host, 16)) != 0)
		return c;
	if (a->state != b->state)
		return (int)a->state - (int)b->state;
	return (int)a->kernel - (int)b->kernel;
}

struct tfe_table_shot *
tfe_table_take(struct tfe_table *t, const struct tfe_analyzer *a, int64_t at)
{
	struct tfe_table_shot *shot = g_new0(struct tfe_table_shot, 1);
	GHashTable *cur = g_hash_table_new_full(key_hash, key_equal, g_free,
	                                        g_free);
	struct ctx x = { cur, at, a->cfg.msl, a };
	GHashTableIter it;
	gpointer kp, vp;

	for (int q = 0; q < TFE_Q__COUNT; q++)
		for (struct tfe_conn *c = tfe_flow_queue_head(&a->table, q);
		     c != NULL; c = tfe_flow_queue_next(c))
			add_conn(&x, c);
	tfe_flow_foreach_tomb(&a->table, add_tomb, &x);
	if (a->listeners != NULL) {
		g_hash_table_iter_init(&it, a->listeners);
		while (g_hash_table_iter_next(&it, &kp, &vp)) {
			const struct tfe_listener *l = vp;
			struct row_key k;

			if (!tfe_listener_proven(l, at, a->cfg.idle_timeout))
				continue;
			memset(&k, 0, sizeof k);
			k.family = l->family;
			k.role = TFE_SIDE_SERVER;
			k.state = TFE_ST_LISTEN;
			memcpy(k.host, l->addr, 16);
			memcpy(k.service, l->addr, 16);
			k.port = l->port;
			count(cur, &k, l->proven_ts);
		}
	}

	/* the rows, with the change since the previous table; a row that
	 * emptied is shown once with 0 */
	shot->rows = g_array_new(FALSE, FALSE, sizeof(struct tfe_table_row));
	g_hash_table_iter_init(&it, cur);
	while (g_hash_table_iter_next(&it, &kp, &vp)) {
		struct tfe_table_row *r = vp;
		gpointer before = g_hash_table_lookup(t->prev, kp);

		r->change = (int64_t)r->count -
		            (before ? (int64_t)GPOINTER_TO_UINT(before) - 1 : 0);
		g_array_append_val(shot->rows, *r);
	}
	g_hash_table_iter_init(&it, t->prev);
	while (g_hash_table_iter_next(&it, &kp, &vp)) {
		struct tfe_table_row r;

		if (g_hash_table_contains(cur, kp))
			continue;
		key_to_row(kp, &r);
		r.change = -((int64_t)GPOINTER_TO_UINT(vp) - 1);
		if (r.change != 0)
			g_array_append_val(shot->rows, r);
	}
	g_array_sort(shot->rows, row_cmp);

	g_hash_table_remove_all(t->prev);
	g_hash_table_iter_init(&it, cur);
	while (g_hash_table_iter_next(&it, &kp, &vp)) {
		const struct tfe_table_row *r = vp;
		g_hash_table_insert(t->prev, g_memdup2(kp, sizeof(struct row_key)),
		                    GUINT_TO_POINTER((guint)r->count + 1));
	}
	g_hash_table_destroy(cur);
	shot->at = at;
	shot->first_ts = a->started ? a->stats.first_ts : at;
	shot->nanos = a->stats.timestamps_ns;
	return shot;
}

void
tfe_table_row_names(const struct tfe_table_row *r, char *local, size_t llen,
                    char *service, size_t slen)
{
	if (r->role == TFE_SIDE_SERVER) {
		tfe_endpoint_format(r->family, r->host, r->port, local, llen);
	} else {
		char h[TFE_ADDR_STRLEN];
		tfe_addr_format(r->family, r->host, h, sizeof h);
		snprintf(local, llen, r->family == 6 ? "[%s]:*" : "%s:*", h);
	}
	tfe_endpoint_format(r->family, r->service, r->port, service, slen);
}

/* An age: in seconds with three decimals below a second ("0.050 s"), one
 * below a minute ("6.0 s"), then whole minutes and seconds ("26 min 3 s"),
 * from an hour on hours and minutes ("26 h 3 min"). */
void
tfe_format_age(int64_t ns, char *buf, size_t len)
{
	if (ns < 0)
		ns = 0;
	if (ns < TFE_NS_PER_SEC) {
		snprintf(buf, len, "%.3f s", (double)ns / 1e9);
		return;
	}
	if (ns < 60 * TFE_NS_PER_SEC) {
		snprintf(buf, len, "%.1f s", (double)ns / 1e9);
		return;
	}
	int64_t s = ns / TFE_NS_PER_SEC;
	if (s < 3600)
		snprintf(buf, len, "%" PRId64 " min %" PRId64 " s", s / 60, s % 60);
	else
		snprintf(buf, len, "%" PRId64 " h %" PRId64 " min", s / 3600,
		         s / 60 % 60);
}

void
tfe_table_print(const struct tfe_render_opts *o,
                const struct tfe_table_shot *t)
{
	FILE *out = o->out;
	char when[32], rel[32];
	int64_t at = t->at;
	uint64_t totals[TFE_ST__COUNT] = { 0 };

	tfe_format_seconds(at, t->nanos, false, when, sizeof when);
	tfe_format_seconds(at - t->first_ts, t->nanos, true, rel, sizeof rel);
	fprintf(out, "sockets at %s (%s s from the first frame)\n", when, rel);
	fprintf(out, "  %-30s %-30s %-12s %7s %7s  %s\n", "Local", "Service",
	        "State", "Count", "Change", "Oldest");
	for (guint i = 0; i < t->rows->len; i++) {
		const struct tfe_table_row *r =
			&g_array_index(t->rows, struct tfe_table_row, i);
		char local[TFE_ADDR_STRLEN + 4], service[TFE_ADDR_STRLEN];
		char age[32], change[24];

		tfe_table_row_names(r, local, sizeof local, service,
		                    sizeof service);
		if (r->count > 0)
			tfe_format_age(at - r->oldest_since, age, sizeof age);
		else
			snprintf(age, sizeof age, "-");
		if (r->change > 0)
			snprintf(change, sizeof change, "+%" PRId64, r->change);
		else
			snprintf(change, sizeof change, "%" PRId64, r->change);
		fprintf(out, "  %-30s %-30s %-12s %7" PRIu64 " %7s  %s", local,
		        service, tfe_state_names[r->state], r->count, change, age);
		if (r->kernel)
			fprintf(out, "  (kernel: Recv-Q %" PRIu64 ", Send-Q %"
			        PRIu64 ")", r->recv_q, r->send_q);
		fputc('\n', out);
		totals[r->state] += r->count;
	}
	if (t->rows->len == 0)
		fprintf(out, "  no TCP sockets at that moment\n");
	fprintf(out, "  total:");
	bool any = false;
	for (int st = 0; st < TFE_ST__COUNT; st++)
		if (totals[st] > 0) {
			fprintf(out, "%s %s %" PRIu64, any ? "," : "",
			        tfe_state_names[st], totals[st]);
			any = true;
		}
	fprintf(out, "%s\n\n", any ? "" : " 0");
}

void
tfe_format_owner(GString *g, const struct tfe_ksock *ks)
{
	switch (ks->owner) {
	case TFE_OWN_FOUND:
		g_string_append_printf(g, "pid %d %s", (int)ks->pid, ks->comm);
		if (ks->via_listener)
			g_string_append(g, " (its listener's)");
		break;
	case TFE_OWN_NONE:
		g_string_append(g, "no process holds it");
		break;
	case TFE_OWN_UNKNOWN:
		g_string_append(g, "owner unknown (no privilege to look)");
		break;
	case TFE_OWN_OFF:
		g_string_append(g, "owner not looked for (--no-processes)");
		break;
	case TFE_OWN_UNSUPPORTED:
		g_string_append(g, "owner unknown (the kernel is older than "
		                "Linux 5.14: its fdinfo names no socket inode)");
		break;
	default:
		g_string_append(g, "no process seen yet");
		break;
	}
}

void
tfe_format_ksock(GString *g, const struct tfe_ksock *ks, int side)
{
	g_string_append(g, side == TFE_SIDE_CLIENT ? "client " : "server ");
	tfe_format_owner(g, ks);
	if (ks->owner == TFE_OWN_FOUND && ks->cmdline[0] != '\0' &&
	    strcmp(ks->cmdline, ks->comm) != 0)
		g_string_append_printf(g, " (%s)", ks->cmdline);
	if (!ks->asked)
		return;
	if (!ks->found) {
		g_string_append(g, "; kernel: no socket (CLOSED)");
		return;
	}
	g_string_append_printf(g, "; kernel: %s, Recv-Q %u, Send-Q %u",
	                       tfe_state_names[ks->state], ks->recv_q,
	                       ks->send_q);
	if (ks->timer != TFE_KT_NONE) {
		char age[32];
		tfe_format_age(ks->timer_ms * 1000000LL, age, sizeof age);
		g_string_append_printf(g, ", timer %s %s",
		                       tfe_ktimer_names[ks->timer], age);
		if (ks->retrans > 0)
			g_string_append_printf(g, " (%u unanswered)", ks->retrans);
	}
}

void
tfe_render_text_alert(const struct tfe_render_opts *o,
                      const struct tfe_alert *al)
{
	char when[32], rel[32], since[32], age[32], thr[32];
	char cli[TFE_ADDR_STRLEN], srv[TFE_ADDR_STRLEN];
	bool ns = al->nanos;
	const char *on = "", *off = "";

	if (o->color) {
		on = "\033[1;31m";
		off = "\033[0m";
	}
	tfe_format_seconds(al->at, ns, false, when, sizeof when);
	tfe_format_seconds(al->at - al->capture_start, ns, true, rel, sizeof rel);
	tfe_format_seconds(al->since - al->first_ts, ns, true, since,
	                   sizeof since);
	tfe_format_age(al->at - al->since, age, sizeof age);
	tfe_format_age(al->threshold, thr, sizeof thr);
	tfe_endpoint_format(al->family, al->addr[TFE_SIDE_CLIENT],
	                    al->port[TFE_SIDE_CLIENT], cli, sizeof cli);
	tfe_endpoint_format(al->family, al->addr[TFE_SIDE_SERVER],
	                    al->port[TFE_SIDE_SERVER], srv, sizeof srv);
	fprintf(o->out,
	        "%salert %s%s at %s (%s s): #%" PRIu64 " %s -> %s  the %s has "
	        "been in %s for %s, since %s s (frame %" PRIu64 "), past %s %s; "
	        "%" PRIu64 " frame%s so far (%" PRIu64 " to %" PRIu64 ")\n",
	        on, tfe_alert_names[al->kind], off, when, rel, al->id, cli, srv,
	        al->side == TFE_SIDE_CLIENT ? "client" : "server",
	        tfe_state_names[al->state], age, since, al->since_frame,
	        tfe_alert_options[al->kind], thr, al->frames,
	        al->frames == 1 ? "" : "s", al->first_frame, al->last_frame);
	if (al->have_local) {
		/* live: who holds the socket, and what the kernel says */
		GString *g = g_string_new("   local: ");
		tfe_format_ksock(g, &al->local, al->side);
		if (al->kind == TFE_AL_CLOSE_WAIT &&
		    al->local.owner == TFE_OWN_FOUND)
			g_string_append_printf(g, "; pid %d %s has not called "
			                       "close() for %s", (int)al->local.pid,
			                       al->local.comm, age);
		fprintf(o->out, "%s\n", g->str);
		g_string_free(g, TRUE);
	}
}
