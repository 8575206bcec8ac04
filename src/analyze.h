/*
 * analyze.h: the pipeline from captured frames to finished connections.
 *
 * tfe_analyzer_frame() decodes a frame, finds its flow and connection,
 * feeds the state machines, and runs the timers (idle timeout, linger after
 * a close, tombstones) on the capture's clock.  Each connection is handed to
 * the sink once it is over and freed right after, so memory follows the
 * open connections and not the capture's size (doc/hardening.md).
 */
#ifndef TFE_ANALYZE_H
#define TFE_ANALYZE_H

#include <stdbool.h>
#include <stdint.h>

#include "conn.h"
#include "decode.h"
#include "flow.h"
#include "frag.h"
#include "local.h"
#include "vantage.h"
#include "verdict.h"

/* Alerts (watch.c): a side that has stayed in one of these states past
 * its threshold is reported at that moment, once, while the connection
 * goes on (doc/tcpflow-explain.1, --alerts). */
enum tfe_alert_kind {
	TFE_AL_SYN_UNANSWERED,      /* SYN_SENT: no answer to the SYN */
	TFE_AL_SYN_RECEIVED,        /* SYN_RECEIVED: the SYN+ACK unanswered */
	TFE_AL_FIN_WAIT_2,          /* FIN_WAIT_2: the peer never closes */
	TFE_AL_CLOSE_WAIT,          /* CLOSE_WAIT: the application never
	                               closes */
	TFE_AL_LAST_ACK,            /* LAST_ACK: the FIN unacknowledged */
	TFE_AL__COUNT
};
/* Counts for the summary (text form's last block, JSON summary). */
struct tfe_stats {
	uint64_t frames;                       /* frames analysed (that passed
	                                          the filter) */
	uint64_t frames_read;                  /* frames in the input, set at
	                                          the end when a filter is on */
	bool filtered;
	uint64_t tcp_segments;                 /* decoded TCP segments */
	uint64_t reasons[TFE_DR__COUNT];       /* per decode outcome */
	uint64_t layers[TFE_LAYER__COUNT];     /* frames read through each
	                                          link layer or encapsulation
	                                          (tfe_segment.layers) */
	struct tfe_linktype_count undecoded[TFE_MAX_UNDECODED_LINKTYPES];
	unsigned n_undecoded;                  /* link types in undecoded[],
	                                          their frames counted in
	                                          reasons[TFE_DR_LINKTYPE] */
	uint64_t connections;
	uint64_t by_close[TFE_CLOSE__COUNT];
	uint64_t by_vantage[TFE_VP__COUNT];   /* capture point (vantage.h) */
	uint64_t one_way;                      /* connections of which one
	                                          direction was captured */
	uint64_t by_verdict[TFE_V__COUNT];     /* connections with each kind */
	uint64_t final_state[2][TFE_ST__COUNT];/* [side][state] */
	uint64_t evicted;                      /* open connections pushed out
	                                          by --max-flows */
	uint64_t evicted_closed;               /* closed ones reported before
	                                          their linger ended, to make
	                                          room */
	uint64_t tombs_evicted;                /* tombstones forgotten before
	                                          2MSL, to stay within
	                                          --max-flows */
	uint64_t late_segments;                /* after their connection was
	                                          reported, within 2MSL */
	uint64_t icmp_matched;                 /* ICMP errors quoting a
	                                          segment of a connection */
	uint64_t icmp_unmatched;               /* ICMP errors quoting TCP of
	                                          no connection held, or a
	                                          sequence number out of
	                                          its window */
	uint64_t time_backwards;               /* frames older than the last */
	uint64_t time_gaps;                    /* jumps of the clock forward
	                                          by more than the idle
	                                          timeout with no frame
	                                          between (analyze.c:
	                                          capture_gap()) */
	uint64_t capture_holes;                /* silences of the whole
	                                          capture after which
	                                          connections were picked
	                                          up mid-stream (analyze.c:
	                                          hole_seen()) */
	uint64_t capture_copies;               /* frames the capture repeated
	                                          (evidence.c: tfe_evidence_is_copy()) */
	uint64_t tcp_csum_bad;                 /* TCP checksum wrong */
	uint64_t tcp_opts_cut;                 /* decoded segments whose
	                                          options the snapshot
	                                          length cut (opts_cut) */
	uint64_t ip_csum_bad;                  /* IPv4 header checksum wrong */
	struct tfe_defrag_stats frag;          /* IP fragment reassembly */
	uint32_t shard_n, shard_k;             /* --shard K/N (k 0-based),
	                                          n 0 without it */
	uint64_t other_shards;                 /* --shard: TCP segments of
	                                          other shards' connections */
	int64_t first_ts, last_ts;             /* ns */
	bool have_capture_stats;               /* live: libpcap's counters */
	uint64_t ps_recv, ps_drop, ps_ifdrop;
	bool timestamps_ns;
	uint64_t alerts[TFE_AL__COUNT];        /* alerts given, by kind */
	/* live, the kernel's view of the local sockets (kernel.h) */
	bool kernel_view;                      /* some side was local */
	uint64_t kernel_queries;               /* sockets asked about */
	uint64_t kernel_errors;                /* questions that failed */
	uint64_t kernel_disagree_conns;        /* connections with a
	                                          kernel_disagrees note */
	uint64_t kernel_disagreements;         /* queries that disagreed */
};

extern const char *const tfe_alert_names[TFE_AL__COUNT];
/* the state each kind watches, and its option's name */
extern const uint8_t tfe_alert_states[TFE_AL__COUNT];
extern const char *const tfe_alert_options[TFE_AL__COUNT];

/* One alert: `side` of the connection has been in `state` since `since`
 * (frame since_frame), which at `at` is past the kind's threshold. */
struct tfe_alert {
	uint8_t kind;               /* enum tfe_alert_kind */
	uint8_t side;               /* TFE_SIDE_* */
	uint8_t state;              /* enum tfe_state */
	uint8_t family;
	int64_t since, at, threshold; /* ns */
	uint64_t since_frame;
	int64_t capture_start;      /* the capture's first frame (ns) */
	/* the connection so far, copied so that the alert can be written
	 * after the connection has moved on (by another thread) */
	uint64_t id, first_frame, last_frame, frames;
	int64_t first_ts;
	uint8_t addr[2][16];        /* [TFE_SIDE_*] */
	uint16_t port[2];
	bool nanos;
	bool have_local;            /* live: the side's socket as the kernel
	                               described it at the alert */
	struct tfe_ksock local;
};

/* What the operator's view watches: the alerts' thresholds and the
 * period of the socket table.  Times in ns; 0 turns one off. */
struct tfe_watch {
	bool alerts;                       /* --alerts (on by default in
	                                      the per-connection forms) */
	int64_t threshold[TFE_AL__COUNT];  /* TFE_AL_CLOSE_WAIT's is
	                                      --close-wait-threshold */
	int64_t every;                     /* --every: the socket table */
};

/* Sets the defaults of doc/tcpflow-explain.1 (alerts off). */
void tfe_watch_defaults(struct tfe_watch *w, int64_t close_wait);

/* Where finished connections go: renderers implement this. */
struct tfe_analyzer;
struct tfe_sink {
	void (*conn_done)(void *ud, const struct tfe_conn *c);
	/* called once when the capture's clock reaches the snapshot time,
	 * with every frame up to it analysed (the netstat view) */
	void (*snapshot)(void *ud, const struct tfe_analyzer *a, int64_t at);
	void *ud;
	/* may be NULL: called after conn_done, once the connection has left
	 * the flow table, with the analyser's clock; true when the sink keeps
	 * `c` (with its verdicts array, unless verdicts_later) and frees it
	 * later with tfe_conn_free() (writer.h), false to have it freed now */
	bool (*conn_take)(void *ud, struct tfe_conn *c, int64_t now);
	/* may be NULL: an alert about a connection still open (watch.c) */
	void (*alert)(void *ud, const struct tfe_alert *al);
	/* may be NULL: --every's table is due at `at` (ns, epoch), with
	 * every frame up to it analysed */
	void (*table)(void *ud, const struct tfe_analyzer *a, int64_t at);
	/* may be NULL (offline): ask the kernel about the connection's
	 * local sockets (why: enum tfe_lq_why), at its first frame, an
	 * alert, a table and when it is reported (kernel.h) */
	void (*query)(void *ud, struct tfe_analyzer *a, struct tfe_conn *c,
	              int why);
	/* may be NULL (offline): for a table or the netstat view, ask the
	 * kernel about the local sockets of the TIME_WAITs remembered after
	 * their connections were reported, into tw_kernel */
	void (*query_tombs)(void *ud, struct tfe_analyzer *a);
};

/* When to take the snapshot (--at, doc/tcpflow-explain.1). */
enum tfe_at_kind {
	TFE_AT_NONE,      /* no snapshot */
	TFE_AT_END,       /* at the end of the capture */
	TFE_AT_RELATIVE,  /* seconds after the first frame */
	TFE_AT_EPOCH      /* an absolute time on the capture's clock */
};

/* A listening socket the capture proves: it answered a SYN with SYN+ACK.
 * At most TFE_MAX_LISTENERS, and at most --max-flows, are kept: the first
 * ones proven. */
struct tfe_listener {
	uint8_t addr[16];
	uint16_t port;
	uint8_t family;
	uint8_t pad;
	int64_t proven_ts;           /* first SYN+ACK, ns */
	int64_t last_ts;             /* latest SYN+ACK of a new connection:
	                                the listener is shown while it is
	                                within --idle-timeout */
};

/* Whether listener `l` is still proven at `at`: it had answered a SYN by
 * then, and not longer than `idle` before. */
static inline bool
tfe_listener_proven(const struct tfe_listener *l, int64_t at, int64_t idle)
{
	return l->proven_ts <= at && at - l->last_ts <= idle;
}
#define TFE_MAX_LISTENERS 65536

struct tfe_analyzer {
	struct tfe_config cfg;
	struct tfe_flow_table table;
	struct tfe_stats stats;
	struct tfe_sink sink;
	uint64_t next_id;
	int64_t now;                 /* latest timestamp seen (ns) */
	int64_t ticked;              /* live: the latest idle tick's time,
	                                up to which the capture was
	                                watched with no frame (ns) */
	int64_t timers_due;          /* ns: no timer is due before it (the
	                                earliest of the queues' heads and of
	                                the tombstones'; analyze.c) */
	bool started;
	GHashTable *listeners;       /* struct tfe_listener, key = itself */
	GArray *verdicts;            /* the finished connection's (struct
	                                tfe_verdict), lent to it while the
	                                sink sees it */
	enum tfe_at_kind at_kind;
	int64_t at;                  /* ns; resolved to epoch at the first frame */
	bool snapshot_done;
	struct tfe_defrag *defrag;   /* fragments of tfe_analyzer_frame()'s
	                                frames; NULL until the first */
	struct tfe_watch watch;      /* alerts and --every (watch.c) */
	int64_t alerts_due;          /* ns: no alert is due before it */
	int64_t every_due;           /* ns: the next table, INT64_MAX for
	                                none; 0 until the clock starts */
	bool verdicts_later;         /* the sink's conn_take works out every
	                                connection's verdicts and counts them
	                                (tfe_analyzer_verdicts()); conn_done
	                                sees c->verdicts NULL */
	GHashTable *tw_kernel;       /* live: struct tfe_ktw by its conn_id,
	                                the kernel's answers at the last
	                                table's query (kernel.c); NULL
	                                offline */
	uint32_t shard_n, shard_k;   /* --shard K/N: only the connections
	                                whose flow key hashes to k (0-based)
	                                modulo n, numbered by their first
	                                frame; n 0 without the option */
	int64_t silence_from;        /* the latest silence of the whole
	                                capture of --idle-gap-threshold or
	                                more: its last frame before (ns) */
	int64_t silence_to;          /* and its first frame after; 0 none */
	uint64_t silence_frame;      /* that first frame's number */
	uint32_t silence_pickups;    /* connections picked up mid-stream
	                                soon after it */
	GArray *holes;               /* the capture's holes (analyze.c struct
	                                hole: each silence hole_seen() took
	                                for one), in order; NULL until the
	                                first */
	GArray *ftp_expected;        /* data connections that FTP control
	                                connections announced and that have
	                                not begun (analyze.c), oldest first;
	                                NULL until the first */
};

/*
 * A finished connection's verdicts into `out` (emptied first; then
 * c->verdicts points to it), as the analyser works them out at time `now`,
 * each kind found counted once in by_verdict (as stats.by_verdict counts
 * connections).  The analyser calls it for each connection it finishes
 * unless verdicts_later is set; a sink that set it calls it from
 * conn_take's `now`, in any thread, with counts of its own that it adds to
 * stats.by_verdict before the summary is written.
 */
void tfe_analyzer_verdicts(const struct tfe_config *cfg, struct tfe_conn *c,
                           int64_t now, GArray *out,
                           uint64_t by_verdict[TFE_V__COUNT]);

/* Asks for one snapshot; `at` in ns (relative or epoch, per `kind`). */
void tfe_analyzer_snapshot_at(struct tfe_analyzer *a, enum tfe_at_kind kind,
                              int64_t at);

void tfe_analyzer_init(struct tfe_analyzer *a, const struct tfe_config *cfg,
                       const struct tfe_sink *sink);

/* One captured frame: `ts` in ns since the epoch, `frame` 1-based.  The
 * same as tfe_defrag_frame() (which reassembles IP fragments: frag.h)
 * then tfe_analyzer_segment(). */
void tfe_analyzer_frame(struct tfe_analyzer *a, int linktype, uint64_t frame,
                        int64_t ts, const uint8_t *data, size_t caplen,
                        size_t wirelen);

/* A segment's flow key and its hash, made where it was decoded. */
struct tfe_flow_ref {
	struct tfe_flow_key key;
	uint32_t hash;           /* its hash (tfe_flow_key_make_hashed()) */
	bool from_lo;            /* the same function's answer */
};

/* One frame already decoded: `r` is what tfe_decode_frame() returned and
 * `seg` what it filled (read only when `r` is TFE_DR_OK); `ref`, when not
 * NULL, is its flow key (tfe_flow_ref_make()).  Frames come in capture
 * order; the decoding may have run in another thread (reader.h). */
void tfe_analyzer_segment(struct tfe_analyzer *a, uint64_t frame, int64_t ts,
                          enum tfe_decode_reason r,
                          const struct tfe_segment *seg,
                          const struct tfe_flow_ref *ref);

/* Fills `ref` for a decoded segment. */
void tfe_flow_ref_make(const struct tfe_segment *seg, struct tfe_flow_ref *ref);

/* Sets the watch (alerts, --every) before the first frame; `start` is
 * the time the tables count from (live: the wall clock when capture
 * starts), or 0 for the first frame's. */
void tfe_analyzer_watch(struct tfe_analyzer *a, const struct tfe_watch *w,
                        int64_t start);

/* A frame at `ts` changed the state of one side or both (before[] were
 * the states before it): when an alert is due (analyze.c calls it). */
void tfe_watch_moved(struct tfe_analyzer *a, struct tfe_conn *c,
                     const uint8_t before[2], int64_t ts);

/* When `side` of `c` entered its present state, by its timeline (the
 * connection's first frame when the timeline does not say). */
void tfe_watch_entered(const struct tfe_conn *c, int side, int64_t *ts,
                       uint64_t *frame);

/* Gives the alerts and tables due up to `upto` (ns), which may be ahead of
 * the analyser's clock: live capture calls it on the wall clock, a little
 * behind it, while the connection timers run further behind. */
void tfe_analyzer_watch_run(struct tfe_analyzer *a, int64_t upto);

/* Asks the sink's query about every connection held (the socket
 * tables and the netstat view: why is TFE_LQ_TABLE, and then also
 * query_tombs about the TIME_WAITs remembered). */
void tfe_analyzer_query_all(struct tfe_analyzer *a, int why);

/* Runs the timers up to `now` without a frame (live capture's idle tick). */
void tfe_analyzer_tick(struct tfe_analyzer *a, int64_t now);

/* End of input: hands over every connection still held. */
void tfe_analyzer_finish(struct tfe_analyzer *a);

void tfe_analyzer_clear(struct tfe_analyzer *a);

#endif /* TFE_ANALYZE_H */
