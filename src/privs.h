/*
 * privs.h: giving up root and every capability once the live capture is
 * open (-Z), so that nothing that reads a packet runs privileged.
 * It must not be called before the capture and its save file are open,
 * and it never runs anything as root itself.
 */
#ifndef TFE_PRIVS_H
#define TFE_PRIVS_H

#include <glib.h>
#include <stdbool.h>

/* The user a root process becomes when -Z is not given. */
#define TFE_PRIVS_DEFAULT_USER "nobody"

/*
 * As root: becomes `user` (NULL: TFE_PRIVS_DEFAULT_USER) for good: real,
 * effective and saved uid and gid, no supplementary groups, no
 * capabilities in any set, the bounding set cleared; "root" (or any user
 * whose uid is 0) keeps root as it is.  Not as root (the binary may have
 * CAP_NET_RAW as a file capability): drops every capability and keeps the
 * uid; `user` must then be NULL or name the current user.  Checks the
 * result before it returns true; *who is set to the user name now in
 * effect (free it).  Errors are TFE_ERR_INPUT.
 */
bool tfe_privs_drop(const char *user, char **who, GError **err);

#endif /* TFE_PRIVS_H */
