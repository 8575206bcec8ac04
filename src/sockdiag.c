/*
 * sockdiag.c: one socket at a time from the kernel's sock_diag netlink
 * interface (sockdiag.h).
 *
 * The request is SOCK_DIAG_BY_FAMILY with an inet_diag_req_v2 that names
 * the exact 4-tuple and no NLM_F_DUMP: the kernel looks the socket up as
 * it would for an arriving segment (established, then TIME_WAIT and
 * request sockets, then a listener) and answers with one inet_diag_msg,
 * or with ENOENT.  The cookie is "none", so any socket with that tuple
 * answers.  A receive timeout keeps a kernel that does not answer from
 * stopping the capture.
 */
#include "config.h"

#include "sockdiag.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "capture.h"
#include "local.h"
#include "tcpstate.h"

const char *const tfe_lq_names[TFE_LQ__COUNT] = {
	[TFE_LQ_NEW] = "new",
	[TFE_LQ_ALERT] = "alert",
	[TFE_LQ_TABLE] = "table",
	[TFE_LQ_END] = "end",
};

const char *const tfe_ktimer_names[TFE_KT__COUNT] = {
	[TFE_KT_NONE] = "none",
	[TFE_KT_RETRANSMIT] = "retransmit",
	[TFE_KT_KEEPALIVE] = "keepalive",
	[TFE_KT_TIME_WAIT] = "time_wait",
	[TFE_KT_PROBE] = "probe",
};

struct tfe_sockdiag {
	struct mnl_socket *nl;
	unsigned portid;
	unsigned seq;
	char buf[8192];        /* one answer is far smaller */
};

struct tfe_sockdiag *
tfe_sockdiag_open(GError **err)
{
	struct tfe_sockdiag *sd = g_new0(struct tfe_sockdiag, 1);
	struct timeval tv = { .tv_sec = 1 };

	sd->nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (sd->nl == NULL || mnl_socket_bind(sd->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
		            "cannot open the kernel's socket table (sock_diag "
		            "netlink): %s", g_strerror(errno));
		if (sd->nl != NULL)
			mnl_socket_close(sd->nl);
		g_free(sd);
		return NULL;
	}
	(void)setsockopt(mnl_socket_get_fd(sd->nl), SOL_SOCKET, SO_RCVTIMEO,
	                 &tv, sizeof tv);
	sd->portid = mnl_socket_get_portid(sd->nl);
	sd->seq = (unsigned)time(NULL);
	return sd;
}

void
tfe_sockdiag_close(struct tfe_sockdiag *sd)
{
	if (sd == NULL)
		return;
	mnl_socket_close(sd->nl);
	g_free(sd);
}

uint8_t
tfe_sockdiag_state(unsigned kstate)
{
	/* include/net/tcp_states.h */
	switch (kstate) {
	case 1: return TFE_ST_ESTABLISHED;
	case 2: return TFE_ST_SYN_SENT;
	case 3: return TFE_ST_SYN_RECEIVED;
	case 4: return TFE_ST_FIN_WAIT_1;
	case 5: return TFE_ST_FIN_WAIT_2;
	case 6: return TFE_ST_TIME_WAIT;
	case 7: return TFE_ST_CLOSED;
	case 8: return TFE_ST_CLOSE_WAIT;
	case 9: return TFE_ST_LAST_ACK;
	case 10: return TFE_ST_LISTEN;
	case 11: return TFE_ST_CLOSING;
	case 12: return TFE_ST_SYN_RECEIVED; /* TCP_NEW_SYN_RECV */
	default: return TFE_ST_UNKNOWN;
	}
}

struct reply {
	struct tfe_sockdiag_answer *ans;
	bool got;
};

static int
on_msg(const struct nlmsghdr *nlh, void *data)
{
	struct reply *r = data;
	const struct inet_diag_msg *m;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof *m)
		return MNL_CB_OK;
	m = mnl_nlmsg_get_payload(nlh);
	memset(r->ans, 0, sizeof *r->ans);
	r->ans->kstate = m->idiag_state;
	r->ans->state = tfe_sockdiag_state(m->idiag_state);
	switch (m->idiag_timer) {
	case 1: r->ans->timer = TFE_KT_RETRANSMIT; break;
	case 2: r->ans->timer = TFE_KT_KEEPALIVE; break;
	case 3: r->ans->timer = TFE_KT_TIME_WAIT; break;
	case 4: r->ans->timer = TFE_KT_PROBE; break;
	default: r->ans->timer = TFE_KT_NONE; break;
	}
	r->ans->retrans = m->idiag_retrans;
	r->ans->timer_ms = r->ans->timer == TFE_KT_NONE ? 0 : m->idiag_expires;
	/* a listener's queues are its accept queue: not asked for here */
	r->ans->recv_q = m->idiag_rqueue;
	r->ans->send_q = m->idiag_wqueue;
	r->ans->uid = m->idiag_uid;
	r->ans->inode = m->idiag_inode;
	r->got = true;
	return MNL_CB_OK;
}

int
tfe_sockdiag_query(struct tfe_sockdiag *sd, int family,
                   const uint8_t laddr[16], uint16_t lport,
                   const uint8_t raddr[16], uint16_t rport,
                   struct tfe_sockdiag_answer *ans)
{
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *req;
	struct reply r = { ans, false };
	unsigned seq = ++sd->seq;
	size_t alen = family == 6 ? 16 : 4;
	bool listener = rport == 0;
	ssize_t n;
	int rc;

	nlh = mnl_nlmsg_put_header(sd->buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof *req);
	req->sdiag_family = family == 6 ? AF_INET6 : AF_INET;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = ~0u;
	req->id.idiag_sport = htons(lport);
	req->id.idiag_dport = htons(rport);
	memcpy(req->id.idiag_src, laddr, alen);
	memcpy(req->id.idiag_dst, raddr, alen);
	req->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	req->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

	if (mnl_socket_sendto(sd->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		n = mnl_socket_recvfrom(sd->nl, sd->buf, sizeof sd->buf);
		if (n < 0)
			return -1;
		rc = mnl_cb_run(sd->buf, (size_t)n, seq, sd->portid, on_msg, &r);
		if (rc < 0) {
			/* ENOENT: no such socket; an answer to an older
			 * question that timed out (ESRCH) is skipped */
			if (errno == ENOENT)
				return 0;
			if (errno == ESRCH || errno == EPROTO)
				continue;
			return -1;
		}
		if (r.got || rc == MNL_CB_STOP)
			break;
	}
	if (!r.got)
		return 0;
	if (!listener && ans->state == TFE_ST_LISTEN)
		return 0; /* the tuple's socket is gone; its listener stays */
	if (listener && ans->state != TFE_ST_LISTEN)
		return 0;
	return 1;
}
