/*
 * sockdiag.h: one TCP socket of this host as the kernel describes it,
 * through the sock_diag netlink interface that ss(8) uses (INET_DIAG,
 * with libmnl).  One request names one socket by its exact 4-tuple; no
 * table is dumped.  The netlink socket needs no privilege to ask about
 * TCP sockets; live capture opens it before it drops root all the same,
 * with the capture (doc/kernel.md).
 */
#ifndef TFE_SOCKDIAG_H
#define TFE_SOCKDIAG_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct tfe_sockdiag;

/* What the kernel said about one socket. */
struct tfe_sockdiag_answer {
	uint8_t state;       /* enum tfe_state (the kernel's, mapped) */
	uint8_t kstate;      /* the kernel's own TCP_* number */
	uint8_t timer;       /* enum tfe_ktimer */
	uint8_t retrans;
	uint32_t recv_q, send_q;
	uint32_t uid;
	int64_t timer_ms;
	uint64_t inode;
};

/* Opens the netlink socket; NULL and *err when the kernel has none. */
struct tfe_sockdiag *tfe_sockdiag_open(GError **err);
void tfe_sockdiag_close(struct tfe_sockdiag *sd);

/*
 * The TCP socket of this host whose local end is laddr:lport and whose
 * peer is raddr:rport (addresses in network byte order, IPv4 in the
 * first 4 bytes; family 4 or 6).  With raddr all zero and rport 0: the
 * socket listening on laddr:lport (or on the wildcard address).
 * Returns 1 and fills *ans when the kernel has it, 0 when it has none
 * (for a 4-tuple, a listener is not an answer), -1 when the question
 * failed (errno).
 */
int tfe_sockdiag_query(struct tfe_sockdiag *sd, int family,
                       const uint8_t laddr[16], uint16_t lport,
                       const uint8_t raddr[16], uint16_t rport,
                       struct tfe_sockdiag_answer *ans);

/* The kernel's TCP state number as ours (TCP_NEW_SYN_RECV is
 * SYN_RECEIVED, TCP_CLOSE CLOSED); UNKNOWN for a number it does not
 * know. */
uint8_t tfe_sockdiag_state(unsigned kstate);

#endif /* TFE_SOCKDIAG_H */
