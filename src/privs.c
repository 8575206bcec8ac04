/*
 * privs.c: dropping root for good with libcap-ng, the way tcpdump does.
 *
 * capng_change_id() keeps no capability across the uid change (we ask for
 * none), clears the supplementary groups and the bounding set; then the
 * result is read back from the kernel and checked, since a process that
 * believes it dropped root and did not is the worst outcome.
 */
#include "config.h"

#include "privs.h"

#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "capture.h"

/* Reads the process's credentials back: all three uids and gids are the
 * ones asked for, no supplementary group is left and no capability. */
static bool
check_dropped(uid_t uid, gid_t gid, bool check_ids, GError **err)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (check_ids) {
		if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0 ||
		    ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
		    sg != gid) {
			g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
			            "dropping privileges did not take: the process "
			            "still has another user or group id");
			return false;
		}
		if (getgroups(0, NULL) != 0) {
			g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
			            "dropping privileges did not take: supplementary "
			            "groups are left");
			return false;
		}
	}
	if (capng_get_caps_process() != 0 ||
	    capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
		            "dropping privileges did not take: capabilities are "
		            "left");
		return false;
	}
	return true;
}

/* Not root: maybe the binary carries CAP_NET_RAW; give it up. */
static bool
drop_caps_only(const char *user, char **who, GError **err)
{
	struct passwd *pw = getpwuid(getuid());

	if (user != NULL && (pw == NULL || strcmp(user, pw->pw_name) != 0)) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
		            "-Z %s: only root can change to another user", user);
		return false;
	}
	capng_clear(CAPNG_SELECT_CAPS);
	if (capng_apply(CAPNG_SELECT_CAPS) != 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
		            "cannot drop the capabilities: %s", g_strerror(errno));
		return false;
	}
	if (!check_dropped(0, 0, false, err))
		return false;
	*who = g_strdup(pw ? pw->pw_name : "?");
	return true;
}

bool
tfe_privs_drop(const char *user, char **who, GError **err)
{
	const char *name = user != NULL ? user : TFE_PRIVS_DEFAULT_USER;
	struct passwd *pw;
	uid_t uid;
	gid_t gid;
	int rc;

	*who = NULL;
	if (getuid() != 0 && geteuid() != 0)
		return drop_caps_only(user, who, err);

	errno = 0;
	pw = getpwnam(name);
	if (pw == NULL) {
		if (user == NULL)
			g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
			            "no user '%s' to drop root to: name one with "
			            "-Z USER (-Z root keeps root)", name);
		else
			g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
			            "-Z %s: no such user%s%s", name,
			            errno ? ": " : "", errno ? g_strerror(errno) : "");
		return false;
	}
	if (pw->pw_uid == 0) {
		/* -Z root: asked to keep root, as tcpdump does. */
		*who = g_strdup(pw->pw_name);
		return true;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	*who = g_strdup(pw->pw_name);

	capng_clear(CAPNG_SELECT_BOTH);
	rc = capng_change_id((int)uid, (int)gid,
	                     CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
	if (rc != 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
		            "cannot drop root to user '%s' (libcap-ng error %d): %s",
		            name, rc, g_strerror(errno));
		g_clear_pointer(who, g_free);
		return false;
	}
	/* Nothing may gain privileges again through exec either. */
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (!check_dropped(uid, gid, true, err)) {
		g_clear_pointer(who, g_free);
		return false;
	}
	return true;
}
