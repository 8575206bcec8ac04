/*
 * render_netstat.c: what `netstat -tan` would have shown on each observed
 * host at one moment (--format netstat, README.md).
 *
 * The analysis hands over its live connections and its 2MSL tombstones at
 * the moment asked for (analyze.c takes the snapshot with every frame up to
 * that time processed).  A state seen then may still be corrected by a
 * later frame (a re-sent FIN shows that an ACK before the snapshot was
 * lost), so each live connection's states are read again from its final
 * timeline when it is finished, and the view is printed at the end.
 * Each connection is two sockets, one per host; a
 * listener is shown where the capture proves one (it answered a SYN with
 * SYN+ACK).  Send-Q is what the capture point saw sent and not yet
 * acknowledged; Recv-Q is "-": what the application has read does not
 * cross the wire.  Live, a local socket is shown as the kernel had it at
 * the view's moment (state, Recv-Q, Send-Q and TIME_WAIT timer, marked
 * "*"), as the socket tables do (tfe_kernel_view()), and a kernel_disagrees
 * counted at that query is a footnote under its host.  Formatting only:
 * nothing here changes a connection.
 */
#include "render.h"

#include <inttypes.h>
#include <string.h>

#include "addr.h"
#include "seq.h"
#include "vantage.h"

struct sock {
	uint8_t family;
	uint8_t host[16];     /* the host this socket lives on */
	uint8_t faddr[16];
	uint16_t lport, fport;
	uint8_t state;        /* enum tfe_state */
	uint8_t alt;          /* the other state it may be in, when the wire
	                         cannot decide (tfe_conn_alt()); else
	                         TFE_ST__COUNT */
	uint8_t alt_why;      /* enum tfe_reason */
	bool listener;
	bool kernel;          /* live: the kernel's state and queues */
	bool disagrees;       /* ... and that query counted a
	                         kernel_disagrees; the wire had `wire` */
	uint8_t wire;
	int64_t recvq;        /* bytes, -1 when unknown (the wire's) */
	int64_t sendq;        /* bytes, -1 when the wire cannot tell */
	int64_t tw_left;      /* ns of TIME_WAIT left, -1 when not */
};

static int
sock_cmp(gconstpointer pa, gconstpointer pb)
{
	const struct sock *a = pa, *b = pb;
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if ((c = memcmp(a->host, b->host, 16)) != 0)
		return c;
	if (a->listener != b->listener)
		return a->listener ? -1 : 1;
	if (a->lport != b->lport)
		return a->lport < b->lport ? -1 : 1;
	if ((c = memcmp(a->faddr, b->faddr, 16)) != 0)
		return c;
	if (a->fport != b->fport)
		return a->fport < b->fport ? -1 : 1;
	return (int)a->state - (int)b->state;
}

/* Bytes `side` sent that its peer had not acknowledged.  Like Linux's
 * Send-Q (write_seq - snd_una) it counts an unacknowledged SYN or FIN as
 * one: ss shows "FIN-WAIT-1 0 1" while the FIN waits for its ACK. */
static int64_t
send_queue(const struct tfe_conn *c, int side)
{
	const struct tfe_endpoint *ep = &c->ep[side];
	const struct tfe_endpoint *peer = &c->ep[!side];
	uint32_t una;

	if (!ep->seq_known)
		return -1;
	if (peer->ack_known && (!ep->isn_known ||
	                        tfe_seq_geq(peer->ack_max, ep->isn)))
		una = peer->ack_max;
	else if (ep->isn_known)
		una = ep->isn;
	else
		return -1;
	return tfe_seq_gt(ep->snd_nxt, una) ?
	       (int64_t)(uint32_t)(ep->snd_nxt - una) : 0;
}

struct tfe_netstat {
	GArray *socks;        /* struct sock */
	GHashTable *where;    /* connection id (uint64_t) -> 1 + the index
	                         of its client socket in socks; the
	                         server's follows it */
	int64_t at;
	int64_t first_ts;
	bool nanos, started;
	int64_t msl;
};

static void
add_conn(struct tfe_netstat *ns, const struct tfe_conn *c, int64_t at,
         int64_t msl)
{
	GArray *socks = ns->socks;
	uint64_t *id = g_new(uint64_t, 1);

	*id = c->id;
	g_hash_table_insert(ns->where, id, GUINT_TO_POINTER(socks->len + 1));
	for (int side = 0; side < 2; side++) {
		const struct tfe_endpoint *ep = &c->ep[side];
		struct sock k;

		memset(&k, 0, sizeof k);
		k.alt = TFE_ST__COUNT;
		k.family = c->family;
		memcpy(k.host, tfe_conn_addr(c, side), 16);
		memcpy(k.faddr, tfe_conn_addr(c, !side), 16);
		k.lport = tfe_conn_port(c, side);
		k.fport = tfe_conn_port(c, !side);
		k.state = ep->state;
		k.recvq = -1;
		k.sendq = send_queue(c, side);
		k.tw_left = ep->state == TFE_ST_TIME_WAIT ?
		            ep->tw_since + 2 * msl - at : -1;
		const struct tfe_ksock *ks = tfe_kernel_view(c, side, at);
		if (ks != NULL) {
			/* live, a local socket: as the kernel has it (no
			 * socket: CLOSED, not shown) */
			k.kernel = true;
			k.state = ks->found ? ks->state : TFE_ST_CLOSED;
			k.recvq = ks->recv_q;
			k.sendq = ks->send_q;
			k.tw_left = k.state == TFE_ST_TIME_WAIT &&
			            ks->timer == TFE_KT_TIME_WAIT ?
			            ks->timer_ms * 1000000 : -1;
			k.disagrees = ks->disagrees;
			k.wire = ks->wire;
		}
		/* Kept even when CLOSED now: the final timeline may say
		 * otherwise (tfe_netstat_update). */
		g_array_append_val(socks, k);
	}
}

struct tomb_ctx {
	GArray *socks;
	int64_t at, msl;
	const struct tfe_analyzer *a;
};

static void
add_tombstone(const struct tfe_tombstone *t, void *ud)
{
	const struct tomb_ctx *x = ud;
	GArray *socks = x->socks;
	int64_t at = x->at, msl = x->msl;
	struct sock k;
	struct tfe_flow_key key;

	if (!t->active || t->tw_side > TFE_SIDE_SERVER || t->tw_since == 0)
		return;
	/* live, a local socket: the kernel's TIME_WAIT and its timer, or
	 * none when the kernel has ended it */
	const struct tfe_ktw *w = tfe_kernel_tw_view(x->a, t->conn_id, at);
	if (w != NULL ? w->state != TFE_ST_TIME_WAIT : t->tw_since + 2 * msl <= at)
		return;
	/* Which end of the key is the TIME_WAIT side. */
	bool tw_is_lo = (t->tw_side == TFE_SIDE_CLIENT) == t->client_is_lo;
	tfe_flow_tomb_key(t, &key);
	memset(&k, 0, sizeof k);
	k.alt = TFE_ST__COUNT;
	k.family = key.family;
	memcpy(k.host, tw_is_lo ? key.addr_lo : key.addr_hi, 16);
	memcpy(k.faddr, tw_is_lo ? key.addr_hi : key.addr_lo, 16);
	k.lport = tw_is_lo ? key.port_lo : key.port_hi;
	k.fport = tw_is_lo ? key.port_hi : key.port_lo;
	k.state = TFE_ST_TIME_WAIT;
	k.recvq = w != NULL ? 0 : -1;
	k.sendq = 0;
	k.tw_left = t->tw_since + 2 * msl - at;
	if (w != NULL) {
		k.kernel = true;
		k.tw_left = w->timer_ms >= 0 ? w->timer_ms * 1000000 : -1;
	}
	g_array_append_val(socks, k);
}

/* Whether a connection of listener `l` is open among the sockets: one on
 * its address and port neither closed nor in TIME_WAIT. */
static bool
listener_in_use(const GArray *socks, const struct sock *l)
{
	for (guint i = 0; i < socks->len; i++) {
		const struct sock *k = &g_array_index(socks, struct sock, i);

		if (!k->listener && k->family == l->family &&
		    k->lport == l->lport && memcmp(k->host, l->host, 16) == 0 &&
		    k->state != TFE_ST_CLOSED && k->state != TFE_ST_UNKNOWN &&
		    k->state != TFE_ST_TIME_WAIT && k->state != TFE_ST_LISTEN)
			return true;
	}
	return false;
}

static void
add_listeners(GArray *socks, const struct tfe_analyzer *a, int64_t at)
{
	GHashTableIter it;
	gpointer key, value;

	if (a->listeners == NULL)
		return;
	g_hash_table_iter_init(&it, a->listeners);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		const struct tfe_listener *l = value;
		struct sock k;

		/* a listener the capture no longer proves (no SYN
		 * answered within the idle timeout) may be gone */
		if (!tfe_listener_proven(l, at, a->cfg.idle_timeout))
			continue;
		memset(&k, 0, sizeof k);
		k.alt = TFE_ST__COUNT; /* settled when printed */
		k.family = l->family;
		memcpy(k.host, l->addr, 16);
		k.lport = l->port;
		k.state = TFE_ST_LISTEN;
		k.listener = true;
		k.recvq = -1;
		k.sendq = -1;
		k.tw_left = -1;
		g_array_append_val(socks, k);
	}
}

static void
print_q(FILE *out, int64_t q)
{
	if (q < 0)
		fprintf(out, " %6s", "-");
	else
		fprintf(out, " %6" PRId64, q);
}

static void
print_counts(FILE *out, const uint64_t counts[TFE_ST__COUNT])
{
	bool any = false;

	fprintf(out, "  sockets:");
	for (int st = 0; st < TFE_ST__COUNT; st++) {
		if (counts[st] == 0)
			continue;
		fprintf(out, "%s %s %" PRIu64, any ? "," : "",
		        tfe_state_netstat[st], counts[st]);
		any = true;
	}
	fputc('\n', out);
}

struct tfe_netstat *
tfe_netstat_snapshot(const struct tfe_analyzer *a, int64_t at)
{
	struct tfe_netstat *ns = g_new0(struct tfe_netstat, 1);
	const struct tfe_flow_table *t = &a->table;

	ns->socks = g_array_new(FALSE, FALSE, sizeof(struct sock));
	ns->where = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
	                                  NULL);
	ns->at = at;
	ns->first_ts = a->stats.first_ts;
	ns->nanos = a->stats.timestamps_ns;
	ns->started = a->started;
	ns->msl = a->cfg.msl;
	for (int q = 0; q < TFE_Q__COUNT; q++)
		for (struct tfe_conn *c = tfe_flow_queue_head(t, q); c != NULL;
		     c = tfe_flow_queue_next(c))
			add_conn(ns, c, at, a->cfg.msl);
	struct tomb_ctx x = { ns->socks, at, a->cfg.msl, a };
	tfe_flow_foreach_tomb(t, add_tombstone, &x);
	add_listeners(ns->socks, a, at);
	return ns;
}

/* The side's state at `at` by its final timeline: the state after the
 * last row that the side had gone through by then, each row at the time
 * the side's host saw it (tfe_vantage_time(): a far host receives a
 * segment after the capture point saw it, and sent it before). */
static uint8_t
state_at(const struct tfe_conn *c, const struct tfe_vantage *v, int side,
         int64_t at, int64_t *tw_since, int64_t *row)
{
	uint8_t st = c->init_state[side], wire = st;
	int64_t shift = tfe_vantage_shift(v, side), last = INT64_MIN;

	*tw_since = 0;
	*row = -1;
	for (guint i = 0; i < tfe_timeline_len(&c->tl); i++) {
		const struct tfe_row *r =
			&c->tl.rows[i];
		/* rows are in wire order; a host's times are at most one
		 * delay either side of them */
		if (r->ts > at + shift)
			break;
		/* only the rows that changed the side's state count, and a
		 * host goes through its states in order: a change is never
		 * placed before the one the wire showed first */
		bool changed = r->state[side] != wire;
		wire = r->state[side];
		if (!changed)
			continue;
		int64_t t = tfe_vantage_time_next(v, side, r, &last);
		if (t > at)
			break;
		if (r->state[side] == TFE_ST_TIME_WAIT &&
		    st != TFE_ST_TIME_WAIT)
			*tw_since = t;
		st = r->state[side];
		*row = i;
	}
	return st;
}

/* A side whose last frames re-sent data that nothing answered: when its
 * next re-send was due, by the doubling back-off of the last two (at
 * least 200 ms, at most 120 s apart), provided no frame of either side
 * follows its last; else 0.  By then it re-sent unseen, or its TCP gave
 * up (ETIMEDOUT after net.ipv4.tcp_retries2 re-sends), which sends
 * nothing. */
static int64_t
resend_due(const struct tfe_conn *c, int side)
{
	guint len = tfe_timeline_len(&c->tl);
	int64_t last = 0, prev = 0;

	for (guint i = len; i-- > 0;) {
		const struct tfe_row *r = &c->tl.rows[i];
		if (r->kind == TFE_ROW_RUN)
			return 0;
		if (r->kind != TFE_ROW_FRAME)
			continue;
		if (r->dir != side || !(r->notes & TFE_NOTE_RETRANS) ||
		    r->len == 0)
			break;
		if (last == 0)
			last = r->ts;
		else if (prev == 0)
			prev = r->ts;
		else
			break;
	}
	if (last == 0 || prev == 0 ||
	    (guint)0 == len || c->tl.rows[len - 1].ts != last)
		return 0;
	int64_t wait = 2 * (last - prev);
	wait = CLAMP(wait, TFE_NS_PER_SEC / 5, 120 * TFE_NS_PER_SEC);
	return last + wait;
}

void
tfe_netstat_update(struct tfe_netstat *ns, const struct tfe_conn *c)
{
	struct tfe_vantage v;

	guint first = GPOINTER_TO_UINT(g_hash_table_lookup(ns->where,
	                                                   &c->id));

	/* not in the snapshot: it began after the view's moment */
	if (first == 0 || first + 1 > ns->socks->len)
		return;
	tfe_vantage_estimate(c, &v);
	for (int side = 0; side < 2; side++) {
		int64_t tw_since;
		int64_t shift = tfe_vantage_shift(&v, side);
		struct sock *k = &g_array_index(ns->socks, struct sock,
		                                first - 1 + (guint)side);
		if (k->kernel)
			continue; /* the kernel's word at the moment stands */
		int64_t row;
		k->state = state_at(c, &v, side, ns->at, &tw_since, &row);
		k->alt = row < 0 ? TFE_ST__COUNT :
		         tfe_conn_alt(c, side, (guint)row, &k->alt_why);
		/* an alternative that changed on a later row the wire had
		 * passed by then, the state the same (the SYN+ACK that would
		 * have made a side that did not take a RST ESTABLISHED) */
		for (guint i = row < 0 ? 0 : (guint)row + 1;
		     k->alt < TFE_ST__COUNT && i < tfe_timeline_len(&c->tl) &&
		     c->tl.rows[i].ts <= ns->at &&
		     c->tl.rows[i].state[side] == k->state; i++)
			k->alt = tfe_conn_alt(c, side, i, &k->alt_why);
		/* the same for data re-sent into silence */
		int64_t rdue = resend_due(c, side);
		if (k->alt == TFE_ST__COUNT && rdue != 0 && ns->at > rdue &&
		    k->state != TFE_ST_CLOSED && k->state != TFE_ST_SYN_SENT) {
			k->alt = TFE_ST_CLOSED;
			k->alt_why = TFE_RS_RESEND_DUE_UNSEEN;
		}
		/* past its next SYN's time with nothing after it in the
		 * capture: it re-sent unseen or had given up */
		int64_t wait, due = tfe_conn_syn_due(c, side, &wait);
		if (k->state == TFE_ST_SYN_SENT && k->alt == TFE_ST__COUNT &&
		    due != 0 && ns->at > due) {
			k->alt = TFE_ST_CLOSED;
			k->alt_why = TFE_RS_SYN_DUE_UNSEEN;
		}
		if (k->state == TFE_ST_TIME_WAIT) {
			/* a re-sent FIN restarts it: keep the later start
			 * (a receipt: the host's time is the later) */
			int64_t again = c->ep[side].tw_since + shift;
			if (again > tw_since && again <= ns->at)
				tw_since = again;
			k->tw_left = tw_since + 2 * ns->msl - ns->at;
		} else {
			k->tw_left = -1;
		}
	}
}

/* No socket to show: closed (unless it may not be: "CLOSE?" with its
 * footnote), a listener's connection (the listener has a line of its
 * own), a side that never showed itself (UNKNOWN: nothing proves a
 * socket), or a TIME_WAIT whose 2MSL is over. */
static bool
hidden(const struct sock *k)
{
	return (!k->listener && ((k->state == TFE_ST_CLOSED &&
	                          k->alt >= TFE_ST__COUNT) ||
	                                    k->state == TFE_ST_LISTEN ||
	                                    k->state == TFE_ST_UNKNOWN)) ||
	       (k->state == TFE_ST_TIME_WAIT && k->tw_left <= 0 &&
	        !k->kernel);
}

/* Under a host, the footnotes of its sockets whose state ends in "?":
 * the wire cannot decide it (doc/states.md, "A or B"). */
static void
print_undecided(FILE *out, GArray *socks, const struct sock *host)
{
	for (guint i = 0; i < socks->len; i++) {
		const struct sock *k = &g_array_index(socks, struct sock, i);
		char a[TFE_ADDR_STRLEN], f[TFE_ADDR_STRLEN];
		char fp[TFE_ADDR_STRLEN + 8];

		if (k->alt >= TFE_ST__COUNT || hidden(k) ||
		    k->family != host->family ||
		    memcmp(k->host, host->host, 16) != 0)
			continue;
		tfe_addr_format(k->family, k->host, a, sizeof a);
		if (k->listener) {
			/* as its line: netstat's foreign "*" */
			snprintf(fp, sizeof fp, "%s",
			         k->family == 6 ? ":::*" : "0.0.0.0:*");
		} else {
			tfe_addr_format(k->family, k->faddr, f, sizeof f);
			snprintf(fp, sizeof fp, "%s:%u", f, (unsigned)k->fport);
		}
		fprintf(out, "  ? %s:%u %s: %s or %s: %s\n", a,
		        (unsigned)k->lport, fp,
		        tfe_state_netstat[k->state], tfe_state_netstat[k->alt],
		        tfe_reasons[k->alt_why].text);
	}
}

/* Under a host with a socket the kernel described, what "*" means, and
 * each kernel_disagrees counted at the view's query (also for a socket
 * not shown: the kernel had none). */
static void
print_kernel(FILE *out, GArray *socks, const struct sock *host)
{
	for (int pass = 0; pass < 2; pass++)
		for (guint i = 0; i < socks->len; i++) {
			const struct sock *k =
				&g_array_index(socks, struct sock, i);
			char a[TFE_ADDR_STRLEN], f[TFE_ADDR_STRLEN];

			if (!k->kernel || k->family != host->family ||
			    memcmp(k->host, host->host, 16) != 0)
				continue;
			if (pass == 0) {
				if (hidden(k))
					continue;
				fprintf(out, "  * the kernel's state, Recv-Q and "
				        "Send-Q (sock_diag); the other sockets "
				        "as the wire shows them\n");
				break;
			}
			if (!k->disagrees)
				continue;
			tfe_addr_format(k->family, k->host, a, sizeof a);
			tfe_addr_format(k->family, k->faddr, f, sizeof f);
			fprintf(out, "  * %s:%u %s:%u: kernel_disagrees: the "
			        "kernel has %s, the wire %s\n", a,
			        (unsigned)k->lport, f, (unsigned)k->fport,
			        k->state == TFE_ST_CLOSED ? "no socket (CLOSE)" :
			        tfe_state_netstat[k->state],
			        tfe_state_netstat[k->wire]);
		}
}

void
tfe_netstat_print(const struct tfe_render_opts *o, struct tfe_netstat *ns)
{
	FILE *out = o->out;
	GArray *socks = ns->socks;
	char when[32], rel[32];
	int64_t at = ns->at;

	/* Closing a listener sends nothing: once none of the connections
	 * it answered is open (their states are final now), whether it
	 * still listens the wire does not show. */
	for (guint i = 0; i < socks->len; i++) {
		struct sock *k = &g_array_index(socks, struct sock, i);

		if (k->listener && !k->kernel && !listener_in_use(socks, k)) {
			k->alt = TFE_ST_CLOSED;
			k->alt_why = TFE_RS_LISTENER_UNPROVEN;
		}
	}
	g_array_sort(socks, sock_cmp);
	tfe_format_seconds(at, ns->nanos, false, when, sizeof when);
	tfe_format_seconds(at - ns->first_ts, ns->nanos, true, rel, sizeof rel);
	fprintf(out, "netstat view at %s (%s s from the first frame)\n", when,
	        ns->started ? rel : "+0");

	uint64_t counts[TFE_ST__COUNT];
	const struct sock *prev = NULL;
	for (guint i = 0; i < socks->len; i++) {
		const struct sock *k = &g_array_index(socks, struct sock, i);
		char host[TFE_ADDR_STRLEN], local[TFE_ADDR_STRLEN + 8];
		char foreign[TFE_ADDR_STRLEN + 8];

		if (hidden(k))
			continue;
		if (prev == NULL || prev->family != k->family ||
		    memcmp(prev->host, k->host, 16) != 0) {
			if (prev != NULL) {
				print_counts(out, counts);
				print_undecided(out, socks, prev);
				print_kernel(out, socks, prev);
			}
			memset(counts, 0, sizeof counts);
			tfe_addr_format(k->family, k->host, host, sizeof host);
			fprintf(out, "\nhost %s\n", host);
			fprintf(out, "Proto Recv-Q Send-Q %-23s %-23s State\n",
			        "Local Address", "Foreign Address");
		}
		/* netstat's own spelling: no brackets, "tcp6" for IPv6. */
		tfe_addr_format(k->family, k->host, host, sizeof host);
		snprintf(local, sizeof local, "%s:%u", host, (unsigned)k->lport);
		if (k->listener) {
			snprintf(foreign, sizeof foreign, "%s",
			         k->family == 6 ? ":::*" : "0.0.0.0:*");
		} else {
			char fa[TFE_ADDR_STRLEN];
			tfe_addr_format(k->family, k->faddr, fa, sizeof fa);
			snprintf(foreign, sizeof foreign, "%s:%u", fa,
			         (unsigned)k->fport);
		}
		fprintf(out, "%-5s", k->family == 6 ? "tcp6" : "tcp");
		print_q(out, k->recvq);
		print_q(out, k->state == TFE_ST_TIME_WAIT ? 0 : k->sendq);
		fprintf(out, " %-23s %-23s %s%s%s", local, foreign,
		        tfe_state_netstat[k->state], k->kernel ? "*" : "",
		        k->alt < TFE_ST__COUNT ? "?" : "");
		if (k->tw_left >= 0 && k->state == TFE_ST_TIME_WAIT)
			fprintf(out, "  timewait (%.2f/0/0)", (double)k->tw_left / 1e9);
		fputc('\n', out);
		counts[k->state]++;
		prev = k;
	}
	if (prev != NULL) {
		print_counts(out, counts);
		print_undecided(out, socks, prev);
		print_kernel(out, socks, prev);
	} else {
		fprintf(out, "\nno TCP sockets at that moment\n");
	}
}

void
tfe_netstat_free(struct tfe_netstat *ns)
{
	if (ns == NULL)
		return;
	g_array_free(ns->socks, TRUE);
	g_hash_table_destroy(ns->where);
	g_free(ns);
}
