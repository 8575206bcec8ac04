/*
 * owner.h: which process holds a socket, found by a small process of its
 * own (doc/kernel.md).
 *
 * Finding a socket's owner means reading other processes' open files
 * under /proc, which the kernel allows only to their user or to a
 * process with CAP_SYS_PTRACE.  So live capture forks, before it drops
 * root, a process that becomes the same unprivileged user keeping only
 * CAP_SYS_PTRACE, closes every descriptor but its end of a socket pair,
 * and answers one question: which process holds the socket with inode N.
 * The analysing process keeps no capability at all.  Without root the
 * process keeps no capability either and finds only the user's own
 * processes; it says which sockets it could not look for.
 */
#ifndef TFE_OWNER_H
#define TFE_OWNER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "local.h"

struct tfe_owner;

struct tfe_owner_answer {
	uint8_t status;      /* enum tfe_owner_status: FOUND, NONE, UNKNOWN */
	int32_t pid;
	char comm[TFE_COMM_LEN + 1];
	char cmdline[TFE_CMDLINE_LEN + 1];
};

/* The mnt_id and ino lines of a /proc/PID/fdinfo/FD file's text; false
 * when either is missing (the ino line came with Linux 5.14). */
bool tfe_owner_fdinfo_parse(const char *text, int *mnt, uint64_t *ino);

/* Whether this kernel's fdinfo names a socket's inode (Linux 5.14 on):
 * without it no owner can be found. */
bool tfe_owner_supported(void);

/* Starts the process, as root before it drops root (`user` as for
 * tfe_privs_drop(): NULL is the default user).  NULL and *err when it
 * cannot start. */
struct tfe_owner *tfe_owner_start(const char *user, GError **err);

/* Which process holds the socket with `inode`, that the kernel says user
 * `uid` owns (its processes are looked at first).  Waits at most two
 * seconds for the answer; a process that stopped answering is not asked
 * again (UNKNOWN). */
void tfe_owner_ask(struct tfe_owner *o, uint64_t inode, uint32_t uid,
                   struct tfe_owner_answer *ans);

/* Its process id (the tests read its /proc/PID/status). */
pid_t tfe_owner_pid(const struct tfe_owner *o);

/* Ends it and waits for it. */
void tfe_owner_stop(struct tfe_owner *o);

#endif /* TFE_OWNER_H */
