/*
 * record.h: the record of one TCP connection (one instance of a 4-tuple)
 * and of what the capture shows of each of its two endpoints: the types
 * that the state machine (conn.c), the evidence tracker (evidence.c), the
 * flow table (flow.c) and the renderers share, their accessors, and the
 * records' memory (record.c).
 */
#ifndef TFE_RECORD_H
#define TFE_RECORD_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "tcpstate.h"
#include "timeline.h"
#include "zeek.h"

#define TFE_NS_PER_SEC INT64_C(1000000000)

/* The flow table's key (flow.c): lower endpoint (address, then port)
 * first; fixed size, no padding holes left uninitialised, so it hashes
 * and compares as bytes. */
struct tfe_flow_key {
	uint8_t addr_lo[16];
	uint8_t addr_hi[16];
	uint16_t port_lo, port_hi;
	uint8_t family;
	uint8_t pad[3];
};

/* Analysis knobs (the options of doc/tcpflow-explain.1); times in
 * nanoseconds. */
struct tfe_config {
	int64_t msl;             /* --msl, default 30 s: TIME_WAIT is 2*msl */
	int64_t close_wait;      /* --close-wait-threshold, default 5 s */
	int64_t zero_window;     /* --zero-window-threshold, default 1 s */
	int64_t idle_timeout;    /* --idle-timeout, default 300 s */
	int64_t idle_gap;        /* --idle-gap-threshold, default 60 s: a
	                            silence at least this long is an idle gap
	                            (middlebox_idle_timeout); INT64_MAX
	                            for none */
	int64_t linger;          /* wait after a close for late segments */
	guint max_flows;         /* --max-flows: open connections kept */
	guint max_rows;          /* timeline rows per connection */
	bool all_frames;         /* --all-frames: keep a row per frame */
	bool zeek_ignore_checksums; /* --zeek-ignore-checksums: translate
	                               as `zeek -C` would */
	bool verdict_messages;   /* write each verdict's sentence; off for
	                            the forms that never print one */
	bool zeek_model;         /* keep Zeek's conn_state and history and
	                            Wireshark's completeness (zeek.c); off for
	                            the forms that never print them */
	bool keep_sacks;         /* keep each segment's SACK blocks beside
	                            the timeline (--format html draws them) */
};


enum tfe_roles {
	TFE_ROLES_SYN,       /* the client sent the first SYN seen */
	TFE_ROLES_SYNACK,    /* inferred: the SYN+ACK sender is the server */
	TFE_ROLES_PORT,      /* inferred: the lower port is the server */
	TFE_ROLES__COUNT
};

/* How a connection ended (the close summary, doc/json.md's close.how). */
enum tfe_close_how {
	TFE_CLOSE_GRACEFUL,
	TFE_CLOSE_HALF_CLOSE,
	TFE_CLOSE_ABORT,
	TFE_CLOSE_REJECTED,
	TFE_CLOSE_UNANSWERED,
	TFE_CLOSE_OPEN_AT_END,
	TFE_CLOSE_TIMEOUT,
	TFE_CLOSE__COUNT
};

/* Why the analysis stopped following a connection. */
enum tfe_end_cause {
	TFE_END_CLOSED,      /* both sides CLOSED or in TIME_WAIT */
	TFE_END_IDLE,        /* idle past --idle-timeout */
	TFE_END_EVICTED,     /* pushed out by --max-flows */
	TFE_END_INPUT,       /* the capture ended */
	TFE_END_REUSED,      /* a new SYN took its 4-tuple over before it
	                        was over (analyze.c starts_new()) */
};

#define TFE_SIDE_CLIENT 0
#define TFE_SIDE_SERVER 1
#define TFE_SIDE_NONE   2

/* A receipt taken as delivered when seen, kept so that a retransmission by
 * the receiver can undo it (doc/states.md: "a retransmission disproves it"). */
struct tfe_assumed {
	bool valid;
	bool of_fin;          /* the ACK of its FIN (else of its SYN) */
	uint8_t before, after;/* enum tfe_state */
	int row;              /* timeline row of the receipt, -1 if folded */
};

/* Evidence for the verdicts that most connections never gather (a zero
 * window, a RST, keepalives, data after a FIN, an earlier connection on
 * the 4-tuple, a tunnel): struct
 * tfe_conn_rare holds it for both sides, allocated at the first
 * (tfe_conn_rare_mut); until then every field reads as 0. */
/* Holes remembered per side (struct tfe_ep_rare); more are not. */
#define TFE_HOLES 4

struct tfe_ep_rare {
	uint64_t zw_first_frame, zw_open_frame; /* its first window 0, and
	                                           the first opening after */
	int64_t zw_first_ts, zw_open_ts;
	int64_t zw_stall;       /* ns spent advertising 0, summed */
	uint64_t rst_frame;     /* its first RST */
	int64_t rst_gap;        /* ns from its previous segment to its RST */
	uint64_t bytes_after_peer_fin; /* new payload sent after the peer's
	                                  FIN (retransmissions not counted) */
	uint32_t segs_after_peer_fin;
	/* the first of those segments (keepalive_race, verdict.c) */
	uint64_t apf_frame;
	int64_t apf_ts;
	uint32_t apf_len;
	bool apf_acks_fin;      /* it acknowledged the peer's FIN */
	/* its first FIN left data of the peer unacknowledged (the peer's
	 * data crossed it, or the capture saw that data first): how much,
	 * the peer's latest segment and its own previous one (ns) */
	uint32_t fin_peer_unacked;
	int64_t fin_peer_last_ts, fin_own_prev_ts;
	uint32_t ka_probes, ka_answered, ka_unanswered_run; /* keepalives */
	int64_t ka_last_ts;     /* its latest probe (ns) */
	uint32_t zw_probes;     /* the peer's probes while it advertised 0 */
	uint32_t rst_nth;       /* its segments before its first RST */
	uint16_t rst_ip_id, ip_id_before_rst; /* IP fields of its RST and of */
	uint8_t rst_ttl, ttl_before_rst;      /* the segment before it */
	int32_t rst_rcvd_row1;  /* 1 + the row where a RST took it to
	                           CLOSED (0 none) */
	uint8_t rst_rcvd_before; /* its state before that RST */
	uint8_t acks_ignored;   /* SYN+ACKs it re-sent after an ACK of one
	                           (conn.c: accept queue full) */
	/* Sequence space below SND.NXT that the capture has not seen: a
	 * segment began past SND.NXT at hole_ts, leaving [lo, hi) behind
	 * it.  A segment inside a hole is new to the capture, not re-sent;
	 * within a round trip of the hole it was reordered (evidence.c). */
	uint32_t hole_lo[TFE_HOLES], hole_hi[TFE_HOLES];
	int64_t hole_ts[TFE_HOLES];
	uint32_t out_of_order;  /* segments that filled a hole that soon */
	int64_t ooo_late;       /* the longest wait among them (ns) */
	int64_t ooo_within;     /* the round trip they were held to (ns) */
	uint8_t holes;
};

/* The two sides' parts, allocated together when either is first needed
 * (a RST, a zero window, keepalives, data after a FIN are rarer than an
 * earlier connection on the 4-tuple, which needs only the rest). */
struct tfe_conn_rare_eps {
	struct tfe_ep_rare ep[2];
};

/* A side whose state the wire cannot decide (doc/states.md, "A or B"):
 * over the timeline rows [from, to) it is `state` (as the rows hold it)
 * or `alt`, for the reason `why`.  One per connection: the FIN re-sent
 * with no ACK of the first seen. */
struct tfe_undecided {
	int32_t from, to;      /* rows */
	int32_t mid;           /* rows [from, mid) have alt_early as their
	                          alternative, [mid, to) alt; 0 (no row
	                          before from) when all have alt */
	uint8_t side;          /* TFE_SIDE_* */
	uint8_t before, after; /* enum tfe_state: without and with the
	                          first FIN (conn.c) */
	uint8_t first_reason;  /* the receipt's reason before it was undone */
	uint8_t alt, why;      /* enum tfe_state, enum tfe_reason */
	uint8_t alt_early;     /* enum tfe_state, see mid */
	bool pending : 1;      /* recorded, not yet settled (conn.c) */
	bool open : 1;         /* settled and undecided: alt is valid */
};

/*
 * ICMP errors that quoted a segment of the connection (decode.h,
 * tfe_icmp_error): how many, and the first one's details; doc/verdicts.md,
 * icmp_unreachable and icmp_packet_too_big.
 */
/* Linux keeps an ICMP error that arrives while the application's call
 * holds the socket (connect() just after sending its SYN) as a soft one:
 * within this much of the segment, a side that goes on after a hard
 * error may still be Linux's. */
#define TFE_ICMP_RACE_NS (1000 * 1000)

struct tfe_icmp_seen {
	uint32_t count;          /* errors matched to the connection */
	uint64_t first_frame, last_frame; /* the ICMP frames */
	int64_t first_ts;        /* ns */
	uint64_t quoted_frame;   /* the quoted side's latest segment of that
	                            sequence number before the first error;
	                            0 when the capture lacks it or the
	                            timeline folded it (quoted_folded) */
	int64_t quoted_ts;       /* ns: quoted_frame's time */
	bool quoted_folded;      /* a run of folded frames came after the
	                            side's last row of that number: the
	                            segment may be among them */
	uint32_t seq;            /* raw: the quoted sequence number */
	uint32_t mtu;            /* bytes, packet too big / frag. needed */
	uint8_t family, type, code; /* the first error's */
	uint8_t side;            /* TFE_SIDE_*: whose segment was quoted */
	uint8_t state;           /* enum tfe_state: that side's when it came */
	uint16_t quoted_flags;   /* TFE_TH_*, when flags_known */
	bool flags_known;        /* the quote reached the flags */
	bool hard;               /* Linux takes it as a hard error in that
	                            state: the side is closed at the end
	                            (tfe_conn_finish()) unless it sent again */
	bool closed;             /* the latest hard one closed the side */
	uint64_t hard_frame;     /* the latest error that was hard for the
	                            side's state then, 0 when none */
	int64_t hard_ts;         /* ns */
	uint8_t hard_state;      /* enum tfe_state: the side's then */
	uint64_t sent_after;     /* the side's first segment after it, when
	                            it was hard: the side went on, 0 if not */
	bool soft_stack;         /* it went on after an error that came
	                            TFE_ICMP_RACE_NS or more after the
	                            segment: its stack takes these errors as
	                            soft, and none closes it */
	uint8_t from[16];        /* the first error's sender */
};

struct tfe_conn_rare {
	struct tfe_conn_rare_eps *eps; /* NULL until needed */
	struct tfe_undecided und;
	/* the capture's hole after its latest frame, when one came
	 * (analyze.c hole_seen()): its verdicts are judged up to hole_from,
	 * the hole's last frame before; hole_to is its first frame after */
	int64_t hole_from, hole_to;
	uint64_t hole_frame;    /* the hole's first frame after (1-based) */
	int64_t taken_over_tw_since; /* a TIME_WAIT a new SYN ended early
	                                (tfe_conn.taken_over_side) */
	/* one direction captured: the right edge of the first SACK blocks
	 * each side sent while its peer had nothing captured (when bit
	 * 1 << side of sack_edge_set); a later edge past it proves the
	 * peer's data (tfe_evidence_echo) */
	uint32_t sack_edge[2];
	uint8_t sack_edge_set;

	/* the earlier connection on this 4-tuple, when its tombstone was
	 * still there (time_wait_reuse, doc/verdicts.md): tfe_conn.has_prev and
	 * prev_tw_side say which */
	uint64_t prev_id;
	int64_t prev_tw_since;  /* 0 when no side was in TIME_WAIT */
	uint32_t prev_snd_nxt[2];
	/* or, when that connection was not over: the new SYN took the
	 * tuple from it (prev_live), each side's state in it then, by this
	 * connection's sides (enum tfe_state; syn_to_stale_socket) */
	bool prev_live;
	uint8_t prev_state[2];
	/* refused (its SYN answered by RST), it was followed on the 4-tuple
	 * by the same SYN again (tfe_conn_syn_again()) */
	bool syn_again;
	/* a server that never answered: when its port answered another
	 * connection's SYN in the capture (analyze.c's listeners), the
	 * first and latest time; 0 when it never did (syn_unanswered) */
	int64_t port_listened_first, port_listened_last;
	struct tfe_tunnel tunnel; /* the first segment's, depth 0 for none;
	                             src is on the client's side */
	struct tfe_local *local; /* live: the kernel's view of its local
	                            sockets (local.h, kernel.c); NULL
	                            offline (tfe_conn_local()) */
	/* The latest idle gap: at least --idle-gap-threshold with no
	 * segment either way, begun with nothing of either side
	 * unacknowledged (tfe_evidence_idle_gap(); middlebox_idle_timeout
	 * in verdict.c).  gap_frame 0: none. */
	uint64_t gap_frame;      /* the first frame after it */
	uint64_t gap_from_frame; /* the last frame before it */
	uint64_t gap_pkts[2];    /* each side's segments before it */
	int64_t gap_from_ts, gap_to_ts; /* its last frame before, first
	                                   after (ns) */
	int64_t gap_longest_before; /* the longest such gap before it, 0
	                               for none (ns) */
	uint8_t gap_side;        /* TFE_SIDE_* of the side that broke it */
	uint32_t capture_copies; /* frames the capture repeated
	                            (tfe_evidence_is_copy() in evidence.c) */
	struct tfe_copy_ring *copies; /* from the first copy on: the
	                                 latest segments, to know their
	                                 copies again; NULL before */
	struct tfe_icmp_seen *icmp;   /* NULL when none: most connections
	                                 never get one */
};

/* Fields ordered by size so that no padding is left between them. */
struct tfe_endpoint {
	/* 8-byte fields */
	uint64_t pkts, bytes;   /* counts */
	uint64_t first_frame;   /* its first segment in the capture */
	int64_t last_ts;        /* its latest segment (ns) */
	int64_t tw_since;       /* entered TIME_WAIT (ns); restarted by a
	                           re-sent FIN; 0 when not in TIME_WAIT */

	/* 4-byte fields: sequence space, raw 32-bit values */
	uint32_t isn;
	uint32_t seq_base;      /* relative sequence 0 */
	uint32_t snd_nxt;       /* highest seq + len (+SYN, +FIN) sent */
	uint32_t fin_seq;       /* sequence number of its FIN */
	uint32_t ack_max;       /* highest ACK it sent (its RCV.NXT) */
	uint32_t max_win;       /* largest scaled window it advertised, bytes */
	/* counts */
	uint32_t syn_count, synack_count, fin_count;
	uint32_t zero_windows;
	uint32_t data_retrans;  /* retransmissions carrying payload */
	/* evidence for the verdicts (verdict.c; more in tfe_ep_rare) */
	uint32_t ack_at_fin;    /* its ACK when it sent its FIN */
	uint32_t window_full;   /* segments that filled the peer's window */
	struct tfe_assumed assumed;
	/* where it was taken to receive the peer's FIN (row, state before),
	 * undone when its own FIN shows it had not (simultaneous close) */
	int fin_rcvd_row;
	/* its own RST when the receiver could not accept it (out of window):
	 * if it then carries on, the RST was not its TCP's (doc/verdicts.md,
	 * rst_suspicious) and its state goes back (rst_unaccepted, rst_row,
	 * rst_before) */
	int rst_row;

	/* 2- and 1-byte fields; its address and port are in the flow key
	 * (tfe_conn_addr, tfe_conn_port) */
	uint16_t last_win;      /* raw window of its last segment */
	uint16_t mss;           /* its SYN's option: bytes, 0 when not
	                           announced */
	uint16_t ip_id_last;    /* IP fields seen, for judging RSTs later */
	uint8_t ttl_last;
	uint8_t state;          /* enum tfe_state; when and why it changed
	                           is in the timeline rows */
	uint8_t wscale;         /* its SYN's option: shift as sent */
	uint8_t fin_rcvd_before : 4; /* enum tfe_state (12 values) */
	uint8_t rst_before : 4;
	/* flags: bits (x86 tests and sets a bit in one instruction, as it
	 * does a byte), so that the endpoint fits in 120 bytes */
	bool seq_known : 1;     /* it has sent something */
	bool ack_known : 1;
	bool ka_pending : 1;    /* a keepalive probe not yet followed by the
	                           peer (counts in tfe_ep_rare) */
	bool has_mss : 1, has_wscale : 1, sack_ok : 1, ts_ok : 1,
	     tfo : 1;           /* its SYN's options */
	bool isn_known : 1;
	bool syn_acked : 1;     /* the peer acknowledged its SYN */
	bool fin_sent : 1, fin_acked : 1;
	bool acked_peer_fin : 1; /* it has acknowledged the peer's FIN */
	bool acked_after_fin : 1; /* it acknowledged new data after its FIN */
	bool rst_has_prev : 1;  /* it sent something before the RST */
	bool rst_unaccepted : 1;
};

/* Fields grouped so that little padding is left between them. */
/*
 * Where the flow table (flow.c) keeps a connection: the hash of its key,
 * and its place in the open or the lingering queue.  Only flow.c reads
 * and writes it (and record.c's cache of free records, which are in no
 * table), as pf keeps a state's list entries and conntrack its hash
 * nodes in the record they link: no allocation of its own per
 * connection, and a lookup finds the hash beside the key.
 */
struct tfe_flow_hook {
	struct tfe_conn *prev, *next; /* in its queue, oldest first */
	uint32_t hash;                /* of the key */
	int8_t queue;                 /* enum tfe_queue, -1 for none */
};

struct tfe_conn {
	uint64_t id;            /* 1-based, in order of first frame */
	uint8_t family;         /* 4 or 6 */
	uint8_t roles;          /* enum tfe_roles */
	uint8_t closed_first;   /* TFE_SIDE_*: first FIN or RST after open */
	uint8_t rst_by;         /* TFE_SIDE_* of the first RST */
	uint8_t close_how;      /* enum tfe_close_how, set by tfe_conn_finish */
	uint8_t end_cause;      /* enum tfe_end_cause */
	uint8_t init_state[2];  /* each side's state before the first frame */
	uint8_t taken_over_side; /* see rare->taken_over_tw_since */
	uint8_t prev_tw_side;   /* see rare->prev_id */
	uint8_t one_way;        /* TFE_SIDE_* of the only side whose packets
	                           were captured while the other's ACKs show
	                           that it sent (asymmetric routing, a span
	                           port of one direction); TFE_SIDE_NONE
	                           otherwise.  Set by tfe_conn_finish */
	bool client_is_lo : 1;  /* the client is the flow key's lower endpoint */
	bool rst_seen : 1;
	bool ended : 1;         /* both sides CLOSED or TIME_WAIT */
	bool ws_ok : 1;         /* both SYNs carried window scale */
	bool timestamps_ns : 1; /* print nanoseconds */
	bool has_prev : 1;      /* see rare->prev_id */
	bool fast_ok : 1;       /* what conn.c's fast path needs of the
	                           connection as a whole holds (set after
	                           each segment of the general path) */
	bool echo_moved : 1;    /* a side whose peer has no packet captured
	                           echoed a newer timestamp, or SACKed more
	                           of the peer's data (evidence.c
	                           tfe_evidence_echo) */
	bool synack_inferred : 1; /* the segment just fed proved a SYN+ACK
	                           the capture lacks (conn.c infer_synack):
	                           the analysis notes its listener, then
	                           clears it */
	uint8_t syn_opts_cut : 2; /* bit 1 << side: the snapshot length cut
	                           the options of that side's last SYN, so
	                           an option not seen may have been sent */
	uint16_t alerted;       /* the alerts given (watch.c): bit kind * 2
	                           + side (enum tfe_alert_kind) */

	struct tfe_endpoint ep[2]; /* TFE_SIDE_CLIENT, TFE_SIDE_SERVER */

	uint64_t first_frame, last_frame;
	int64_t first_ts, last_ts;
	int64_t data_ts;        /* the latest segment with payload, either
	                           way (keepalives come after quiet) */
	int64_t syn_ts;         /* last client SYN before the first SYN+ACK */
	int64_t synack_ts;      /* first SYN+ACK */
	int64_t synack_last_ts; /* last SYN+ACK before the handshake's ACK */
	int64_t hs_ack_ts;      /* first ACK of the SYN+ACK */

	struct tfe_zeek zeek;   /* the translation for Zeek and Wireshark */

	struct tfe_timeline tl;
	struct tfe_conn_rare *rare; /* NULL until needed */
	GArray *verdicts;       /* struct tfe_verdict, set when finished */

	/* the flow key: set by tfe_conn_new() as tfe_flow_key_make() makes
	 * it; the flow table finds the connection by it */
	struct tfe_flow_key key;
	struct tfe_flow_hook flow; /* the flow table's, and only its */
};

/* A zeroed record, from the thread's cache of freed ones when it has
 * one (record.c). */
struct tfe_conn *tfe_record_alloc(void);

void tfe_conn_free(struct tfe_conn *c);

/* tfe_conn_free() keeps some of what it frees for the next connections
 * of the same thread (conn.c); this frees that too (the timelines' with
 * it).  Call it when the thread is done with connections. */
void tfe_conn_cache_clear(void);

/* One side's address (network byte order; IPv4 in the first 4 bytes) and
 * port (host order), from the flow key. */
static inline const uint8_t *
tfe_conn_addr(const struct tfe_conn *c, int side)
{
	return (side == TFE_SIDE_CLIENT) == c->client_is_lo ? c->key.addr_lo
	                                                    : c->key.addr_hi;
}

static inline uint16_t
tfe_conn_port(const struct tfe_conn *c, int side)
{
	return (side == TFE_SIDE_CLIENT) == c->client_is_lo ? c->key.port_lo
	                                                    : c->key.port_hi;
}

/* The rare evidence, for reading (zeroes when none was gathered). */
extern const struct tfe_conn_rare tfe_conn_rare_none;
static inline const struct tfe_conn_rare *
tfe_conn_rare(const struct tfe_conn *c)
{
	return c->rare != NULL ? c->rare : &tfe_conn_rare_none;
}

extern const struct tfe_ep_rare tfe_ep_rare_none;
static inline const struct tfe_ep_rare *
tfe_conn_rare_ep(const struct tfe_conn *c, int side)
{
	return c->rare != NULL && c->rare->eps != NULL ? &c->rare->eps->ep[side]
	                                               : &tfe_ep_rare_none;
}

/* The alternative to the side's state after timeline row `i` when the
 * wire cannot decide it (struct tfe_undecided), with its reason in *why;
 * TFE_ST__COUNT when the state is definite. */
static inline uint8_t
tfe_conn_alt(const struct tfe_conn *c, int side, guint i, uint8_t *why)
{
	const struct tfe_undecided *u;

	if (c->rare == NULL)
		return TFE_ST__COUNT;
	u = &c->rare->und;
	if (!u->open || u->side != side || (int64_t)i < u->from ||
	    (int64_t)i >= u->to)
		return TFE_ST__COUNT;
	if (why != NULL)
		*why = u->why;
	return (int64_t)i < u->mid ? u->alt_early : u->alt;
}

/* The rare evidence for writing: allocated at the first call. */
struct tfe_conn_rare *tfe_conn_rare_mut(struct tfe_conn *c);

/* Live: the kernel's view of the connection's local sockets, or NULL. */
static inline struct tfe_local *
tfe_conn_local(const struct tfe_conn *c)
{
	return c->rare != NULL ? c->rare->local : NULL;
}
struct tfe_ep_rare *tfe_conn_rare_get(struct tfe_conn *c, int side);

/* Which side sent `s`: TFE_SIDE_CLIENT or TFE_SIDE_SERVER (inline: it
 * runs for every segment). */
static inline int
tfe_conn_side(const struct tfe_conn *c, bool from_lo)
{
	return from_lo == c->client_is_lo ? TFE_SIDE_CLIENT : TFE_SIDE_SERVER;
}

/* A window as the side means it: shifted by its SYN's scale once both
 * SYNs carried the option (never in a SYN, RFC 7323 §2.2). */
static inline uint32_t
tfe_conn_scaled_window(const struct tfe_conn *c, int side, uint16_t raw,
                       uint16_t flags)
{
	if (!c->ws_ok || (flags & TFE_TH_SYN))
		return raw;
	return (uint32_t)raw << tfe_wscale_shift(c->ep[side].wscale);
}

/* Whether a side's relative sequence 0 is known: it has sent something,
 * or its ISN was read from the peer's ACK (its SYN or SYN+ACK not
 * captured). */
static inline bool
tfe_conn_base_known(const struct tfe_conn *c, int side)
{
	return c->ep[side].seq_known || c->ep[side].isn_known;
}

#endif /* TFE_RECORD_H */
