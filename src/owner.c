/*
 * owner.c: the process that finds sockets' owners (owner.h).
 *
 * It reads /proc/PID/fdinfo/FD, not the links in /proc/PID/fd: listing
 * another user's fd directory needs CAP_DAC_READ_SEARCH and reading its
 * links CAP_SYS_PTRACE, while fdinfo is listed by anyone and read with
 * CAP_SYS_PTRACE alone.  Each entry names the file's mount (mnt_id) and
 * inode (ino, Linux 5.14 on); a socket is a file of the socket
 * filesystem's mount, whose number it learns from a socket of its own.
 *
 * A scan reads every open file of the processes of one user (the
 * socket's, as the kernel reports it) and remembers each socket inode's
 * process, at most twenty times a second; the whole of /proc is read only
 * when that finds nothing, at most five times a second.
 */
#include "config.h"

#include "owner.h"

#include <cap-ng.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "privs.h"

struct tfe_owner {
	int fd;
	pid_t pid;
	bool dead;
};

struct request {
	uint64_t inode;
	uint32_t uid;
	uint32_t pad;
};

/* ---- the helper's side ---------------------------------------------- */

struct scanner {
	int sock_mnt;          /* the socket filesystem's mount id */
	GHashTable *where;     /* inode (uint64 in a pointer) -> pid */
	int64_t last_scan;     /* ns, monotonic: the last scan of a user's */
	int64_t last_full;     /* and of every process */
	bool denied;           /* a scan met a process it may not read */
};

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Reads a small file under /proc into buf (NUL-terminated); its length
 * or -1. */
static ssize_t
read_small(int dirfd, const char *path, char *buf, size_t len)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

bool
tfe_owner_fdinfo_parse(const char *text, int *mnt, uint64_t *ino)
{
	const char *m = strstr(text, "mnt_id:");
	const char *i = strstr(text, "\nino:");

	if (m == NULL || i == NULL)
		return false;
	*mnt = atoi(m + 7);
	*ino = g_ascii_strtoull(i + 5, NULL, 10);
	return true;
}

/* Every socket of process `pid` into s->where. */
static void
scan_pid(struct scanner *s, int procfd, const char *pid)
{
	char path[300], text[512];
	int dfd;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof path, "%s/fdinfo", pid);
	dfd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		/* gone, or (Linux 5.19 on) not ours to read */
		if (errno == EACCES || errno == EPERM)
			s->denied = true;
		return;
	}
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		int mnt;
		uint64_t ino;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		if (read_small(dirfd(d), e->d_name, text, sizeof text) < 0) {
			if (errno == EACCES || errno == EPERM)
				s->denied = true;
			continue;
		}
		if (tfe_owner_fdinfo_parse(text, &mnt, &ino) && mnt == s->sock_mnt)
			g_hash_table_insert(s->where, GSIZE_TO_POINTER(ino),
			                    GINT_TO_POINTER(atoi(pid)));
	}
	closedir(d);
}

/* Scans the processes of user `uid`, or all of them. */
static void
scan(struct scanner *s, bool all, uint32_t uid)
{
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *e;

	if (procfd < 0)
		return;
	d = fdopendir(procfd);
	if (d == NULL) {
		close(procfd);
		return;
	}
	if (g_hash_table_size(s->where) > 262144)
		g_hash_table_remove_all(s->where);
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		if (!all && (fstatat(dirfd(d), e->d_name, &st, 0) != 0 ||
		             st.st_uid != uid))
			continue;
		scan_pid(s, dirfd(d), e->d_name);
	}
	closedir(d);
}

static void
describe(int32_t pid, struct tfe_owner_answer *ans)
{
	char path[64], buf[TFE_CMDLINE_LEN + 2];
	ssize_t n;

	ans->pid = pid;
	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	if (read_small(AT_FDCWD, path, ans->comm, sizeof ans->comm) > 0)
		ans->comm[strcspn(ans->comm, "\n")] = '\0';
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	n = read_small(AT_FDCWD, path, buf, sizeof buf);
	if (n > 0) {
		/* arguments end in NUL: spaces between them */
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		while (n > 0 && buf[n - 1] == ' ')
			n--;
		buf[n < TFE_CMDLINE_LEN ? n : TFE_CMDLINE_LEN] = '\0';
		for (char *p = buf; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		g_strlcpy(ans->cmdline, buf, sizeof ans->cmdline);
	}
}

/* Looks the inode up in what the last scans found; a pid that has since
 * closed it or ended is forgotten. */
static bool
known(struct scanner *s, uint64_t inode, struct tfe_owner_answer *ans)
{
	gpointer v;

	if (!g_hash_table_lookup_extended(s->where, GSIZE_TO_POINTER(inode),
	                                  NULL, &v))
		return false;
	/* cheap check that it still exists: the process does (EPERM: it
	 * does, and may not be signalled) */
	if (kill(GPOINTER_TO_INT(v), 0) != 0 && errno != EPERM) {
		g_hash_table_remove(s->where, GSIZE_TO_POINTER(inode));
		return false;
	}
	ans->status = TFE_OWN_FOUND;
	describe(GPOINTER_TO_INT(v), ans);
	return true;
}

static void
answer(struct scanner *s, const struct request *q, struct tfe_owner_answer *ans)
{
	int64_t now = mono_ns();

	memset(ans, 0, sizeof *ans);
	s->denied = false;
	if (known(s, q->inode, ans))
		return;
	/* at most twenty scans of a user's processes a second: a socket
	 * missed now is asked about again at the next query */
	if (now - s->last_scan >= 50000000LL) {
		s->last_scan = now;
		scan(s, false, q->uid);
		if (known(s, q->inode, ans))
			return;
	}
	if (now - s->last_full >= 200000000LL) {
		s->last_full = now;
		scan(s, true, 0);
		if (known(s, q->inode, ans))
			return;
	}
	ans->status = s->denied ? TFE_OWN_UNKNOWN : TFE_OWN_NONE;
}

/* The socket filesystem's mount id, from a socket of our own. */
static int
sock_mount(void)
{
	char path[64], text[512];
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int mnt = -1;
	uint64_t ino;

	if (fd < 0)
		return -1;
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
	if (read_small(AT_FDCWD, path, text, sizeof text) < 0 ||
	    !tfe_owner_fdinfo_parse(text, &mnt, &ino))
		mnt = -1;
	close(fd);
	return mnt;
}

/* Becomes `pw`'s user keeping CAP_SYS_PTRACE alone (as root), or keeps
 * nothing (not root). */
static bool
helper_privs(const struct passwd *pw)
{
	if (geteuid() != 0 || pw == NULL) {
		capng_clear(CAPNG_SELECT_CAPS);
		if (capng_apply(CAPNG_SELECT_CAPS) != 0)
			return false;
	} else {
		capng_clear(CAPNG_SELECT_BOTH);
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
		             CAP_SYS_PTRACE);
		if (pw->pw_uid == 0) {
			if (capng_apply(CAPNG_SELECT_BOTH) != 0)
				return false;
		} else if (capng_change_id((int)pw->pw_uid, (int)pw->pw_gid,
		                           CAPNG_DROP_SUPP_GRP |
		                           CAPNG_CLEAR_BOUNDING) != 0) {
			return false;
		}
	}
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	/* read back: nothing but CAP_SYS_PTRACE */
	capng_get_caps_process();
	for (unsigned cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (cap != CAP_SYS_PTRACE &&
		    (capng_have_capability(CAPNG_EFFECTIVE, cap) ||
		     capng_have_capability(CAPNG_PERMITTED, cap)))
			return false;
	return true;
}

static void G_GNUC_NORETURN
helper_main(int fd, const struct passwd *pw)
{
	struct scanner s = { 0 };
	struct request q;
	struct tfe_owner_answer ans;

	/* ends with the analysing process, holds nothing of it */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	(void)prctl(PR_SET_NAME, "tfe-owners", 0, 0, 0);
	signal(SIGINT, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	if (dup2(fd, 3) < 0)
		_exit(1);
	fd = 3;
	if (syscall(SYS_close_range, 4u, ~0u, 0u) != 0) {
		/* before Linux 5.9: one by one */
		long max = sysconf(_SC_OPEN_MAX);
		for (long i = 4; i < (max > 0 && max < 65536 ? max : 65536); i++)
			close((int)i);
	}
	s.sock_mnt = sock_mount();
	if (!helper_privs(pw))
		_exit(1);
	s.where = g_hash_table_new(g_direct_hash, g_direct_equal);
	s.last_full = s.last_scan = mono_ns() - 1000000000LL;
	while (read(fd, &q, sizeof q) == (ssize_t)sizeof q) {
		if (s.sock_mnt < 0) {
			memset(&ans, 0, sizeof ans);
			ans.status = TFE_OWN_UNKNOWN;
		} else {
			answer(&s, &q, &ans);
		}
		if (write(fd, &ans, sizeof ans) != (ssize_t)sizeof ans)
			break;
	}
	_exit(0);
}

/* ---- the analysing process's side ------------------------------------ */

bool
tfe_owner_supported(void)
{
	return sock_mount() >= 0;
}

struct tfe_owner *
tfe_owner_start(const char *user, GError **err)
{
	const char *name = user != NULL ? user : TFE_PRIVS_DEFAULT_USER;
	struct passwd *pw = NULL, pwcopy;
	int sp[2];
	pid_t pid;

	if (geteuid() == 0) {
		pw = getpwnam(name);
		if (pw == NULL) {
			g_set_error(err, TFE_ERROR, TFE_ERR_INPUT,
			            "no user '%s' for the owner lookup", name);
			return NULL;
		}
		pwcopy = *pw;
		pw = &pwcopy;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INTERNAL,
		            "cannot make a socket pair: %s", g_strerror(errno));
		return NULL;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		g_set_error(err, TFE_ERROR, TFE_ERR_INTERNAL, "fork: %s",
		            g_strerror(errno));
		close(sp[0]);
		close(sp[1]);
		return NULL;
	}
	if (pid == 0) {
		close(sp[0]);
		helper_main(sp[1], pw);
	}
	close(sp[1]);
	struct tfe_owner *o = g_new0(struct tfe_owner, 1);
	o->fd = sp[0];
	o->pid = pid;
	return o;
}

void
tfe_owner_ask(struct tfe_owner *o, uint64_t inode, uint32_t uid,
              struct tfe_owner_answer *ans)
{
	struct request q = { inode, uid, 0 };
	struct pollfd p = { .fd = o->fd, .events = POLLIN };

	memset(ans, 0, sizeof *ans);
	ans->status = TFE_OWN_UNKNOWN;
	if (o->dead)
		return;
	if (send(o->fd, &q, sizeof q, MSG_NOSIGNAL) != (ssize_t)sizeof q ||
	    poll(&p, 1, 2000) <= 0 ||
	    recv(o->fd, ans, sizeof *ans, 0) != (ssize_t)sizeof *ans) {
		/* a late answer would come out of turn: no more questions */
		o->dead = true;
		memset(ans, 0, sizeof *ans);
		ans->status = TFE_OWN_UNKNOWN;
		return;
	}
	ans->comm[TFE_COMM_LEN] = '\0';
	ans->cmdline[TFE_CMDLINE_LEN] = '\0';
}

pid_t
tfe_owner_pid(const struct tfe_owner *o)
{
	return o->pid;
}

void
tfe_owner_stop(struct tfe_owner *o)
{
	if (o == NULL)
		return;
	close(o->fd);
	(void)waitpid(o->pid, NULL, 0);
	g_free(o);
}
