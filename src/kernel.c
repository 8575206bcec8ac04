/*
 * kernel.c: the kernel's view of the local sockets beside the wire's
 * (kernel.h, doc/kernel.md).
 *
 * A side is local when its address is one of this host's (getifaddrs(3),
 * read again at most every five seconds) or a loopback address.  For each
 * local side, one sock_diag request by its exact 4-tuple; when the socket
 * has an inode whose owner is not known yet, one question to the owner
 * lookup; a connection not yet accepted has no inode, and its listener's
 * owner stands for it.
 *
 * The wire and the kernel are compared only when they have had time to
 * agree: at least SETTLE_NS after the connection's last frame (a segment
 * captured a moment ago may not have been analysed, or the kernel may not
 * have acted on it yet), and never at the connection's first frame.
 */
#include "config.h"

#include "kernel.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "owner.h"
#include "sockdiag.h"

#define SETTLE_NS (500 * 1000 * 1000LL)
#define ADDRS_EVERY_NS (5 * 1000 * 1000 * 1000LL)

struct host_addr {
	uint8_t family;
	uint8_t addr[16];
};

struct tfe_kernel {
	struct tfe_sockdiag *sd;
	struct tfe_owner *owner;     /* NULL: --no-processes, or it failed */
	uint8_t no_owner;            /* then, what the owners are: enum
	                                tfe_owner_status */
	bool processes;
	GArray *addrs;               /* struct host_addr */
	int64_t addrs_at;            /* ns */
};

static int64_t
wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * TFE_NS_PER_SEC + ts.tv_nsec;
}

static void
read_addrs(struct tfe_kernel *k, int64_t now)
{
	struct ifaddrs *ifa = NULL;

	k->addrs_at = now;
	g_array_set_size(k->addrs, 0);
	if (getifaddrs(&ifa) != 0)
		return;
	for (struct ifaddrs *i = ifa; i != NULL; i = i->ifa_next) {
		struct host_addr h;

		memset(&h, 0, sizeof h);
		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			const struct sockaddr_in *s =
				(const struct sockaddr_in *)(const void *)i->ifa_addr;
			h.family = 4;
			memcpy(h.addr, &s->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			const struct sockaddr_in6 *s =
				(const struct sockaddr_in6 *)(const void *)i->ifa_addr;
			h.family = 6;
			memcpy(h.addr, &s->sin6_addr, 16);
		} else {
			continue;
		}
		g_array_append_val(k->addrs, h);
	}
	freeifaddrs(ifa);
}

static bool
is_local(struct tfe_kernel *k, int family, const uint8_t *addr, int64_t now)
{
	static const uint8_t v6_loop[16] = { [15] = 1 };

	if (family == 4 && addr[0] == 127)
		return true;
	if (family == 6 && memcmp(addr, v6_loop, 16) == 0)
		return true;
	if (now - k->addrs_at >= ADDRS_EVERY_NS)
		read_addrs(k, now);
	for (guint i = 0; i < k->addrs->len; i++) {
		const struct host_addr *h =
			&g_array_index(k->addrs, struct host_addr, i);
		if (h->family == family &&
		    memcmp(h->addr, addr, family == 6 ? 16 : 4) == 0)
			return true;
	}
	return false;
}

struct tfe_kernel *
tfe_kernel_open(bool processes, const char *user, GError **err)
{
	struct tfe_sockdiag *sd = tfe_sockdiag_open(err);
	struct tfe_kernel *k;

	if (sd == NULL)
		return NULL;
	k = g_new0(struct tfe_kernel, 1);
	k->sd = sd;
	k->processes = processes;
	k->addrs = g_array_new(FALSE, FALSE, sizeof(struct host_addr));
	k->no_owner = processes ? TFE_OWN_UNKNOWN : TFE_OWN_OFF;
	if (processes && !tfe_owner_supported()) {
		/* before Linux 5.14: the kernel's view without the owners */
		k->no_owner = TFE_OWN_UNSUPPORTED;
		fprintf(stderr, "tcpflow-explain: the sockets' owners will be "
		        "unknown: this kernel's /proc/PID/fdinfo names no "
		        "socket inode (it does from Linux 5.14 on); their "
		        "states, queues and timers are still read\n");
	} else if (processes) {
		GError *e = NULL;
		k->owner = tfe_owner_start(user, &e);
		if (k->owner == NULL) {
			fprintf(stderr, "tcpflow-explain: the sockets' owners will "
			        "be unknown: %s\n", e->message);
			g_error_free(e);
		}
	}
	read_addrs(k, wall_ns());
	return k;
}

void
tfe_kernel_close(struct tfe_kernel *k)
{
	if (k == NULL)
		return;
	tfe_owner_stop(k->owner);
	tfe_sockdiag_close(k->sd);
	g_array_free(k->addrs, TRUE);
	g_free(k);
}

pid_t
tfe_kernel_owner_pid(const struct tfe_kernel *k)
{
	return k != NULL && k->owner != NULL ? tfe_owner_pid(k->owner) : 0;
}

/* Who holds the socket with `inode` (its listener's, `via_listener`). */
static void
find_owner(struct tfe_kernel *k, struct tfe_ksock *ks, uint64_t inode,
           uint32_t uid, bool via_listener)
{
	struct tfe_owner_answer ans;

	if (!k->processes) {
		ks->owner = TFE_OWN_OFF;
		return;
	}
	if (k->owner == NULL) {
		ks->owner = k->no_owner;
		return;
	}
	tfe_owner_ask(k->owner, inode, uid, &ans);
	if (ans.status != TFE_OWN_FOUND) {
		/* an owner found before stays the answer */
		if (ks->owner != TFE_OWN_FOUND)
			ks->owner = ans.status;
		return;
	}
	ks->owner = TFE_OWN_FOUND;
	ks->via_listener = via_listener;
	ks->pid = ans.pid;
	g_strlcpy(ks->comm, ans.comm, sizeof ks->comm);
	g_strlcpy(ks->cmdline, ans.cmdline, sizeof ks->cmdline);
}

static void
query_side(struct tfe_kernel *k, struct tfe_analyzer *a, struct tfe_conn *c,
           int side, int why, int64_t now)
{
	struct tfe_local *lc = tfe_conn_local(c);
	struct tfe_ksock *ks = &lc->side[side];
	struct tfe_sockdiag_answer ans;
	int other = !side;
	int rc;

	rc = tfe_sockdiag_query(k->sd, c->family, tfe_conn_addr(c, side),
	                        tfe_conn_port(c, side), tfe_conn_addr(c, other),
	                        tfe_conn_port(c, other), &ans);
	if (rc < 0) {
		a->stats.kernel_errors++;
		return;
	}
	a->stats.kernel_queries++;
	lc->queries++;
	ks->asked = true;
	ks->why = (uint8_t)why;
	ks->queried = now;
	ks->found = rc == 1;
	ks->disagrees = false;
	if (rc == 0) {
		ks->state = TFE_ST_CLOSED;
		ks->timer = TFE_KT_NONE;
		ks->timer_ms = 0;
		ks->recv_q = ks->send_q = 0;
		ks->retrans = 0;
		ks->inode = 0;
	} else {
		ks->state = ans.state;
		ks->timer = ans.timer;
		ks->timer_ms = ans.timer_ms;
		ks->recv_q = ans.recv_q;
		ks->send_q = ans.send_q;
		ks->retrans = ans.retrans;
		ks->uid = ans.uid;
		ks->inode = ans.inode;
		if (ans.inode != 0 &&
		    (ks->owner != TFE_OWN_FOUND || ks->via_listener)) {
			find_owner(k, ks, ans.inode, ans.uid, false);
		} else if (ans.inode == 0 && ks->owner == TFE_OWN_NOT_ASKED &&
		           ans.state == TFE_ST_SYN_RECEIVED) {
			/* not accepted yet: the listener's process will */
			static const uint8_t none[16];
			struct tfe_sockdiag_answer l;
			if (tfe_sockdiag_query(k->sd, c->family,
			                       tfe_conn_addr(c, side),
			                       tfe_conn_port(c, side), none, 0,
			                       &l) == 1 && l.inode != 0)
				find_owner(k, ks, l.inode, l.uid, true);
		}
	}

	/* the wire against the kernel, once both have settled */
	uint8_t wire = c->ep[side].state;
	if (why == TFE_LQ_NEW || wire == TFE_ST_UNKNOWN ||
	    wire == TFE_ST_LISTEN || now - c->last_ts < SETTLE_NS ||
	    wire == ks->state)
		return;
	ks->disagrees = true;
	ks->wire = wire;
	if (lc->disagreements++ == 0)
		a->stats.kernel_disagree_conns++;
	a->stats.kernel_disagreements++;
	if (lc->n_disagree < TFE_DISAGREE_KEPT) {
		struct tfe_disagree *d = &lc->disagree[lc->n_disagree++];
		d->at = now;
		d->side = (uint8_t)side;
		d->wire = wire;
		d->kernel = ks->state;
		d->why = (uint8_t)why;
	}
}

void
tfe_kernel_query(struct tfe_kernel *k, struct tfe_analyzer *a,
                 struct tfe_conn *c, int why)
{
	int64_t now = wall_ns();
	struct tfe_local *lc;
	bool local[2];

	if (k == NULL)
		return;
	lc = tfe_conn_local(c);
	if (lc != NULL) {
		local[0] = lc->side[0].local;
		local[1] = lc->side[1].local;
	} else {
		for (int side = 0; side < 2; side++)
			local[side] = is_local(k, c->family, tfe_conn_addr(c, side),
			                       now);
		if (!local[0] && !local[1])
			return;
		lc = g_new0(struct tfe_local, 1);
		tfe_conn_rare_mut(c)->local = lc;
		for (int side = 0; side < 2; side++) {
			lc->side[side].local = local[side];
			lc->side[side].owner =
				k->processes ? TFE_OWN_NOT_ASKED : TFE_OWN_OFF;
		}
	}
	a->stats.kernel_view = true;
	for (int side = 0; side < 2; side++)
		if (local[side])
			query_side(k, a, c, side, why, now);
}

struct tomb_query {
	struct tfe_kernel *k;
	struct tfe_analyzer *a;
	int64_t now;
};

/* One remembered TIME_WAIT: its side's socket, when that is local. */
static void
query_tomb(const struct tfe_tombstone *t, void *ud)
{
	struct tomb_query *x = ud;
	struct tfe_sockdiag_answer ans;
	struct tfe_flow_key key;
	int rc;

	if (!t->active || t->tw_side > TFE_SIDE_SERVER || t->tw_since == 0)
		return;
	tfe_flow_tomb_key(t, &key);
	/* which end of the key is the TIME_WAIT side */
	bool tw_is_lo = (t->tw_side == TFE_SIDE_CLIENT) == t->client_is_lo;
	const uint8_t *addr = tw_is_lo ? key.addr_lo : key.addr_hi;
	const uint8_t *faddr = tw_is_lo ? key.addr_hi : key.addr_lo;
	uint16_t port = tw_is_lo ? key.port_lo : key.port_hi;
	uint16_t fport = tw_is_lo ? key.port_hi : key.port_lo;

	if (!is_local(x->k, key.family, addr, x->now))
		return;
	rc = tfe_sockdiag_query(x->k->sd, key.family, addr, port, faddr, fport,
	                        &ans);
	if (rc < 0) {
		x->a->stats.kernel_errors++;
		return;
	}
	x->a->stats.kernel_queries++;
	x->a->stats.kernel_view = true;
	struct tfe_ktw *w = g_new0(struct tfe_ktw, 1);
	w->conn_id = t->conn_id;
	w->queried = x->now;
	w->found = rc == 1;
	w->state = rc == 1 ? ans.state : TFE_ST_CLOSED;
	w->timer_ms = rc == 1 && ans.timer == TFE_KT_TIME_WAIT ? ans.timer_ms
	                                                       : -1;
	g_hash_table_replace(x->a->tw_kernel, &w->conn_id, w);
}

void
tfe_kernel_query_tombs(struct tfe_kernel *k, struct tfe_analyzer *a)
{
	struct tomb_query x = { k, a, wall_ns() };

	if (k == NULL)
		return;
	if (a->tw_kernel == NULL)
		a->tw_kernel = g_hash_table_new_full(g_int64_hash, g_int64_equal,
		                                     NULL, g_free);
	/* the answers of this table alone: a tombstone gone since is not
	 * kept */
	g_hash_table_remove_all(a->tw_kernel);
	tfe_flow_foreach_tomb(&a->table, query_tomb, &x);
}
