/*
 * check_sockdiag.c: unit tests for the kernel's socket table
 * (src/sockdiag.c), on real sockets of the test's own on loopback: no
 * privilege is needed to ask sock_diag about TCP sockets.
 *
 * A connection made and accepted here is asked about by each end's
 * 4-tuple: both ESTABLISHED, each end's inode the one fstat(2) gives its
 * descriptor; bytes written and not read are the reader's Recv-Q; the
 * listener answers for its address with port 0 as the peer, and is not
 * an answer for a 4-tuple that has no socket (a near miss: a peer port
 * one off); after the writer's close(), its end is FIN_WAIT_2 with the
 * TIME_WAIT timer the kernel keeps for an orphan, the reader's
 * CLOSE_WAIT.  The kernel's state numbers map to ours, and the name
 * tables of local.h are complete.  The owner lookup reads an fdinfo
 * file's mnt_id and ino lines, and finds none on a kernel before 5.14
 * (its fdinfo has no ino line): then a socket's owner says why it is
 * unknown.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local.h"
#include "owner.h"
#include "render.h"
#include "sockdiag.h"
#include "tcpstate.h"
#include "testutil.h"

struct pair {
	int lst, cli, srv;
	uint8_t addr[16];
	uint16_t lport, cport;
};

static void
make_pair(struct pair *p)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;

	memset(p, 0, sizeof *p);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->lst = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(p->lst, 0);
	ck_assert_int_eq(bind(p->lst, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(listen(p->lst, 4), 0);
	ck_assert_int_eq(getsockname(p->lst, (struct sockaddr *)&sa, &len), 0);
	p->lport = ntohs(sa.sin_port);
	p->cli = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(p->cli, (struct sockaddr *)&sa, sizeof sa), 0);
	p->srv = accept(p->lst, NULL, NULL);
	ck_assert_int_ge(p->srv, 0);
	len = sizeof sa;
	ck_assert_int_eq(getsockname(p->cli, (struct sockaddr *)&sa, &len), 0);
	p->cport = ntohs(sa.sin_port);
	memcpy(p->addr, &sa.sin_addr, 4);
}

static uint64_t
inode_of(int fd)
{
	struct stat st;

	ck_assert_int_eq(fstat(fd, &st), 0);
	return (uint64_t)st.st_ino;
}

START_TEST(test_one_socket)
{
	struct tfe_sockdiag *sd = tfe_sockdiag_open(NULL);
	struct tfe_sockdiag_answer a;
	static const uint8_t none[16];
	struct pair p;

	ck_assert_ptr_nonnull(sd);
	make_pair(&p);

	ck_assert_int_eq(tfe_sockdiag_query(sd, 4, p.addr, p.cport, p.addr,
	                                    p.lport, &a), 1);
	ck_assert_uint_eq(a.state, TFE_ST_ESTABLISHED);
	ck_assert_uint_eq(a.inode, inode_of(p.cli));
	ck_assert_uint_eq(a.uid, getuid());
	ck_assert_int_eq(tfe_sockdiag_query(sd, 4, p.addr, p.lport, p.addr,
	                                    p.cport, &a), 1);
	ck_assert_uint_eq(a.state, TFE_ST_ESTABLISHED);
	ck_assert_uint_eq(a.inode, inode_of(p.srv));
	ck_assert_uint_eq(a.recv_q, 0);

	/* written, not read: the reader's Recv-Q */
	char buf[1000];
	memset(buf, 'x', sizeof buf);
	ck_assert_int_eq(write(p.cli, buf, sizeof buf), (ssize_t)sizeof buf);
	usleep(50000);
	ck_assert_int_eq(tfe_sockdiag_query(sd, 4, p.addr, p.lport, p.addr,
	                                    p.cport, &a), 1);
	ck_assert_uint_eq(a.recv_q, sizeof buf);

	/* the listener, and a near miss that only the listener matches */
	ck_assert_int_eq(tfe_sockdiag_query(sd, 4, p.addr, p.lport, none, 0,
	                                    &a), 1);
	ck_assert_uint_eq(a.state, TFE_ST_LISTEN);
	ck_assert_uint_eq(a.inode, inode_of(p.lst));
	ck_assert_int_eq(tfe_sockdiag_query(sd, 4, p.addr, p.lport, p.addr,
	                                    (uint16_t)(p.cport + 1), &a), 0);

	/* the writer closes: FIN_WAIT_2 orphaned, the reader CLOSE_WAIT */
	close(p.cli);
	usleep(50000);
	ck_assert_int_eq(tfe_sockdiag_query(sd, 4, p.addr, p.cport, p.addr,
	                                    p.lport, &a), 1);
	ck_assert_uint_eq(a.state, TFE_ST_FIN_WAIT_2);
	ck_assert_uint_eq(a.timer, TFE_KT_TIME_WAIT);
	ck_assert_int_gt(a.timer_ms, 0);
	ck_assert_uint_eq(a.inode, 0);
	ck_assert_int_eq(tfe_sockdiag_query(sd, 4, p.addr, p.lport, p.addr,
	                                    p.cport, &a), 1);
	ck_assert_uint_eq(a.state, TFE_ST_CLOSE_WAIT);

	close(p.srv);
	close(p.lst);
	tfe_sockdiag_close(sd);
}
END_TEST

START_TEST(test_states_and_names)
{
	static const uint8_t want[13] = {
		TFE_ST_UNKNOWN, TFE_ST_ESTABLISHED, TFE_ST_SYN_SENT,
		TFE_ST_SYN_RECEIVED, TFE_ST_FIN_WAIT_1, TFE_ST_FIN_WAIT_2,
		TFE_ST_TIME_WAIT, TFE_ST_CLOSED, TFE_ST_CLOSE_WAIT,
		TFE_ST_LAST_ACK, TFE_ST_LISTEN, TFE_ST_CLOSING,
		TFE_ST_SYN_RECEIVED,
	};

	for (unsigned k = 0; k < 13; k++)
		ck_assert_uint_eq(tfe_sockdiag_state(k), want[k]);
	ck_assert_uint_eq(tfe_sockdiag_state(13), TFE_ST_UNKNOWN);
	for (int i = 0; i < TFE_LQ__COUNT; i++)
		ck_assert_ptr_nonnull(tfe_lq_names[i]);
	for (int i = 0; i < TFE_KT__COUNT; i++)
		ck_assert_ptr_nonnull(tfe_ktimer_names[i]);
}
END_TEST

START_TEST(test_fdinfo)
{
	/* a socket's /proc/PID/fdinfo/FD, Linux 5.14 on and before */
	static const char now[] = "pos:\t0\nflags:\t02000002\nmnt_id:\t8\n"
	                          "ino:\t1234567\n";
	static const char before[] = "pos:\t0\nflags:\t02000002\nmnt_id:\t8\n";
	int mnt = -1;
	uint64_t ino = 0;
	struct tfe_ksock ks;
	GString *g = g_string_new(NULL);

	ck_assert(tfe_owner_fdinfo_parse(now, &mnt, &ino));
	ck_assert_int_eq(mnt, 8);
	ck_assert_uint_eq(ino, 1234567);
	ck_assert(!tfe_owner_fdinfo_parse(before, &mnt, &ino));
	/* this kernel: supported exactly when its own fdinfo has the line */
	char path[64], text[512];
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	FILE *f;
	size_t n;
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof text - 1, f);
	text[n] = '\0';
	fclose(f);
	close(fd);
	ck_assert_int_eq(tfe_owner_supported(),
	                 strstr(text, "\nino:") != NULL);
	/* what a socket's owner says then */
	memset(&ks, 0, sizeof ks);
	ks.owner = TFE_OWN_UNSUPPORTED;
	tfe_format_owner(g, &ks);
	ck_assert_str_eq(g->str, "owner unknown (the kernel is older than "
	                 "Linux 5.14: its fdinfo names no socket inode)");
	g_string_free(g, TRUE);
}
END_TEST

static Suite *
sockdiag_suite(void)
{
	Suite *s = suite_create("sockdiag");
	TCase *tc = tcase_create("query");

	tcase_add_test(tc, test_one_socket);
	tcase_add_test(tc, test_states_and_names);
	tcase_add_test(tc, test_fdinfo);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tfe_test_main(sockdiag_suite());
}
