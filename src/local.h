/*
 * local.h: what the kernel of the capturing host says about a
 * connection's local sockets, live (doc/kernel.md).  Plain data: live
 * capture fills it (kernel.c, from sock_diag and the owner lookup), the
 * renderers print it, and nothing else reads it.  A connection read from
 * a file has none (tfe_conn.local is NULL).
 */
#ifndef TFE_LOCAL_H
#define TFE_LOCAL_H

#include <stdbool.h>
#include <stdint.h>

/* Why the kernel was asked (the moments doc/kernel.md names). */
enum tfe_lq_why {
	TFE_LQ_NEW,      /* the connection's first frame */
	TFE_LQ_ALERT,    /* a threshold alert (watch.c) */
	TFE_LQ_TABLE,    /* --every's or SIGUSR1's socket table */
	TFE_LQ_END,      /* the connection is reported, with its verdicts */
	TFE_LQ__COUNT
};

extern const char *const tfe_lq_names[TFE_LQ__COUNT]; /* "new", ... */

/* The kernel's timer on a socket (inet_diag's idiag_timer). */
enum tfe_ktimer {
	TFE_KT_NONE,
	TFE_KT_RETRANSMIT,   /* retransmission (or a lost probe) */
	TFE_KT_KEEPALIVE,
	TFE_KT_TIME_WAIT,    /* the TIME_WAIT (or orphaned FIN_WAIT_2) timer */
	TFE_KT_PROBE,        /* zero-window probe */
	TFE_KT__COUNT
};

extern const char *const tfe_ktimer_names[TFE_KT__COUNT]; /* "keepalive" */

/* Whose process holds the socket. */
enum tfe_owner_status {
	TFE_OWN_NOT_ASKED,   /* no socket with an inode seen yet */
	TFE_OWN_FOUND,       /* pid and command below */
	TFE_OWN_NONE,        /* no process holds it (TIME_WAIT, orphaned,
	                        or closed between two looks) */
	TFE_OWN_UNKNOWN,     /* no privilege to look (doc/kernel.md) */
	TFE_OWN_OFF,         /* --no-processes */
	TFE_OWN_UNSUPPORTED, /* the kernel's fdinfo names no inode (before
	                        Linux 5.14): no owner can be found */
	TFE_OWN__COUNT
};

#define TFE_COMM_LEN 16       /* a process's comm, as the kernel keeps it */
#define TFE_CMDLINE_LEN 96    /* its command line, cut there */

/* One local socket as the kernel last described it. */
struct tfe_ksock {
	bool local;          /* this side's address is one of the host's */
	bool asked;          /* the kernel was asked at least once */
	bool found;          /* it had the socket at the last query */
	uint8_t state;       /* enum tfe_state: the kernel's at the last
	                        query, CLOSED when it had no socket */
	uint8_t timer;       /* enum tfe_ktimer */
	uint8_t why;         /* enum tfe_lq_why of the last query */
	uint8_t retrans;     /* retransmissions or probes unanswered */
	uint8_t owner;       /* enum tfe_owner_status */
	bool via_listener;   /* the owner is the listening socket's (the
	                        connection was not yet accepted) */
	uint32_t recv_q, send_q; /* bytes, as ss -tan shows them */
	uint32_t uid;        /* the socket's owner user */
	int64_t timer_ms;    /* left on the timer */
	uint64_t inode;      /* 0: none (TIME_WAIT, not yet accepted) */
	int64_t queried;     /* the last query, ns since the epoch */
	bool disagrees;      /* the last query counted a kernel_disagrees */
	uint8_t wire;        /* then, the wire's state (enum tfe_state) */
	int32_t pid;
	char comm[TFE_COMM_LEN + 1];
	char cmdline[TFE_CMDLINE_LEN + 1];
};

/* The wire's inferred state of a local socket against the kernel's at a
 * query: the first few are kept. */
struct tfe_disagree {
	int64_t at;          /* the query, ns */
	uint8_t side;        /* TFE_SIDE_* */
	uint8_t wire;        /* enum tfe_state */
	uint8_t kernel;      /* enum tfe_state */
	uint8_t why;         /* enum tfe_lq_why */
};

#define TFE_DISAGREE_KEPT 4

struct tfe_local {
	struct tfe_ksock side[2];        /* [TFE_SIDE_*] */
	uint32_t queries;                /* sockets asked about */
	uint32_t disagreements;          /* all of them */
	uint8_t n_disagree;              /* kept below */
	struct tfe_disagree disagree[TFE_DISAGREE_KEPT];
};

/* The kernel's answer about the socket of a TIME_WAIT remembered after
 * its connection was reported (a tombstone, flow.h), asked for each
 * table and the netstat view: ss -tano shows such a socket as
 * "TIME-WAIT 0 0 ... timer:(timewait,59sec,0)", no queues and no owner,
 * the timer's time left the only news. */
struct tfe_ktw {
	uint64_t conn_id;    /* the tombstone's connection (the key) */
	int64_t queried;     /* ns since the epoch */
	int64_t timer_ms;    /* left on its TIME_WAIT timer */
	uint8_t state;       /* enum tfe_state: CLOSED when it had none */
	bool found;
};

#endif /* TFE_LOCAL_H */
