/*
 * kernel.h: live, the kernel's own view of a connection's local sockets
 * beside the wire's (doc/kernel.md): for each side whose address is one
 * of this host's, the socket's state, queues, timer and owning process,
 * asked when the connection starts, when an alert fires, for the socket
 * tables and when it is reported; never per packet.  Where the wire's
 * inferred state differs from the kernel's at a query, the connection
 * keeps it (a kernel_disagrees note) and the summary counts it.
 */
#ifndef TFE_KERNEL_H
#define TFE_KERNEL_H

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "analyze.h"
#include "local.h"

struct tfe_kernel;

/* Opens the netlink socket and, with `processes`, starts the owner
 * lookup (owner.h) as `user` (NULL: the default); as root, before root
 * is dropped.  NULL and *err when the kernel has no sock_diag; an owner
 * lookup that cannot start is a warning on stderr, and owners are then
 * unknown. */
struct tfe_kernel *tfe_kernel_open(bool processes, const char *user,
                                   GError **err);

/* Asks the kernel about the local sides of `c` (why: enum tfe_lq_why),
 * fills c->local and counts in a->stats. */
void tfe_kernel_query(struct tfe_kernel *k, struct tfe_analyzer *a,
                      struct tfe_conn *c, int why);

/* For a table or the netstat view: asks the kernel about the local
 * socket of each TIME_WAIT remembered after its connection was reported
 * (flow.h's tombstones), into a->tw_kernel, emptied first; counts in
 * a->stats. */
void tfe_kernel_query_tombs(struct tfe_kernel *k, struct tfe_analyzer *a);

/* The owner lookup's process id, or 0. */
pid_t tfe_kernel_owner_pid(const struct tfe_kernel *k);

void tfe_kernel_close(struct tfe_kernel *k);

#endif /* TFE_KERNEL_H */
