/*
 * tcpstate.h: the RFC 9293 states of one endpoint, the events a segment
 * means to its sender and to its receiver, and the reasons recorded for
 * every state change.
 *
 * The skeleton is two const tables in tcpstate.c, [event][state] for the
 * side that sent a segment and for the side that receives it; the cells say
 * the next state and the reason.  What a table cannot say (retransmissions
 * that disprove an assumed delivery, mid-stream pickup) is decided in
 * conn.c.  This module knows nothing of packets or output.
 */
#ifndef TFE_TCPSTATE_H
#define TFE_TCPSTATE_H

#include <stdint.h>

/* RFC 9293 §3.3.2, plus UNKNOWN for "no evidence yet" (mid-stream). */
enum tfe_state {
	TFE_ST_UNKNOWN,
	TFE_ST_CLOSED,
	TFE_ST_LISTEN,
	TFE_ST_SYN_SENT,
	TFE_ST_SYN_RECEIVED,
	TFE_ST_ESTABLISHED,
	TFE_ST_FIN_WAIT_1,
	TFE_ST_FIN_WAIT_2,
	TFE_ST_CLOSE_WAIT,
	TFE_ST_CLOSING,
	TFE_ST_LAST_ACK,
	TFE_ST_TIME_WAIT,
	TFE_ST__COUNT
};

extern const char *const tfe_state_names[TFE_ST__COUNT];   /* "SYN_RECEIVED" */
extern const char *const tfe_state_netstat[TFE_ST__COUNT]; /* "SYN_RECV" */

/* What a segment is, from its flags, in priority order (STYLE.md). */
enum tfe_event {
	TFE_EV_RST,
	TFE_EV_SYNACK,
	TFE_EV_SYN,
	TFE_EV_FIN,
	TFE_EV_ACK,  /* ACK set, none of the above: data and pure ACKs */
	TFE_EV_NONE, /* no SYN, FIN, RST or ACK: not a valid segment */
	TFE_EV__COUNT
};

extern const char *const tfe_event_names[TFE_EV__COUNT];

/*
 * What a segment means to the side that receives it.  The ACK-bearing
 * events are split by what they acknowledge, since that is what moves the
 * receiver (RFC 9293 §3.10.7.4, "fifth, check the ACK field").
 */
enum tfe_rx_event {
	TFE_RX_RST,
	TFE_RX_SYNACK,      /* SYN+ACK acknowledging the receiver's SYN */
	TFE_RX_SYNACK_BAD,  /* SYN+ACK that does not (RFC 9293 §3.10.7.3) */
	TFE_RX_SYN,
	TFE_RX_FIN,         /* the peer's FIN, not acknowledging ours */
	TFE_RX_FIN_ACKS_FIN,/* the peer's FIN that also acknowledges ours */
	TFE_RX_ACK_SYN,     /* first ACK of the receiver's SYN */
	TFE_RX_ACK_FIN,     /* first ACK of the receiver's FIN */
	TFE_RX_ACK,         /* any other ACK or data */
	TFE_RX_NONE,
	TFE_RX__COUNT
};

extern const char *const tfe_rx_event_names[TFE_RX__COUNT];

/*
 * Why a state changed, or why a frame that changed nothing still matters.
 * Append only.  Each has a row in tfe_reasons[] (tcpstate.c): its name
 * and its sentence.
 */
enum tfe_reason {
	TFE_RS_NONE,
	/* sender side */
	TFE_RS_SEND_SYN,
	TFE_RS_SEND_SYN_SIMOPEN,
	TFE_RS_SEND_SYNACK,
	TFE_RS_SEND_SYNACK_SIMOPEN,
	TFE_RS_SEND_FIN_ACTIVE,
	TFE_RS_SEND_FIN_SYNRCVD,
	TFE_RS_SEND_FIN_PASSIVE,
	TFE_RS_SEND_FIN_MIDSTREAM,
	TFE_RS_SEND_RST,
	TFE_RS_SEND_RST_NO_LISTENER,
	TFE_RS_SEND_RST_CLOSED,
	TFE_RS_SEND_ACK_MIDSTREAM,
	TFE_RS_SEND_ACK_CLOSE_WAIT_MIDSTREAM,
	TFE_RS_SEND_ACK_PROVES_SYNACK,
	TFE_RS_RETRANS_SYN,
	TFE_RS_RETRANS_SYNACK,
	TFE_RS_RETRANS_FIN,
	TFE_RS_REVERT_SYNACK_LOST,  /* SYN re-sent: the SYN-ACK never arrived */
	TFE_RS_REVERT_ACK_LOST,     /* SYN-ACK re-sent: the ACK never arrived */
	TFE_RS_REVERT_FINACK_LOST,  /* FIN re-sent: its ACK never arrived */
	TFE_RS_TW_REACK,
	TFE_RS_SEND_FROM_CLOSED,
	TFE_RS_INVALID_SEND,
	/* receiver side */
	TFE_RS_RECV_SYN_LISTEN,
	TFE_RS_RECV_SYN_SIMOPEN,
	TFE_RS_RECV_SYN_RETRANS,
	TFE_RS_RECV_SYNACK,
	TFE_RS_RECV_SYNACK_SIMOPEN,
	TFE_RS_RECV_SYNACK_AGAIN,
	TFE_RS_RECV_ACK_OF_SYN,
	TFE_RS_RECV_FIN,
	TFE_RS_RECV_FIN_SIMCLOSE,
	TFE_RS_RECV_FIN_IN_FW2,
	TFE_RS_RECV_FINACK,
	TFE_RS_RECV_FIN_AGAIN,
	TFE_RS_RECV_FIN_AGAIN_TW,
	TFE_RS_RECV_ACK_OF_FIN,
	TFE_RS_RECV_ACK_OF_FIN_CLOSING,
	TFE_RS_RECV_FINAL_ACK,
	TFE_RS_RECV_RST_REFUSED,
	TFE_RS_RECV_RST_SYNRCVD,
	TFE_RS_RECV_RST,
	TFE_RS_RECV_RST_TW,
	TFE_RS_RECV_RST_LISTEN,
	TFE_RS_RECV_RST_OUT_OF_WINDOW,
	TFE_RS_RECV_INVALID,
	TFE_RS_RECV_BAD_SYNACK,
	/* time */
	TFE_RS_TIME_WAIT_EXPIRED,
	/* appended later, either side (append only: the values are stable) */
	TFE_RS_ACK_LOST,            /* set on a receipt later disproved */
	TFE_RS_SEND_FIN_SIMCLOSE,
	TFE_RS_RST_NOT_ITS_OWN,     /* set on a RST row later disproved */
	TFE_RS_CARRIES_ON_AFTER_RST,
	TFE_RS_RECV_SYN_NO_LISTENER,
	TFE_RS_RECV_SYN_UNANSWERED,
	TFE_RS_RECV_RST_BAD_ACK,
	TFE_RS_RECV_RST_CLOSING,
	TFE_RS_RECV_RST_TO_LISTEN,
	TFE_RS_SEND_RST_AFTER_CLOSE,
	TFE_RS_SEND_RST_NO_CONNECTION,
	TFE_RS_SEND_RST_IDLE_DROPPED, /* conn.c rst_after_idle() */
	TFE_RS_RECV_SYNACK_UNMATCHED,
	TFE_RS_FIN_NOT_DELIVERED,   /* set on a FIN receipt later disproved */
	TFE_RS_SYNACK_NOT_DELIVERED,
	TFE_RS_FIN_AFTER_TIMEOUT,   /* set on a FIN receipt by a socket gone */
	TFE_RS_SEND_RST_BAD_SYNACK,
	TFE_RS_SYNACK_NEVER_ACKED,
	TFE_RS_SEND_RST_KEEPALIVE,
	TFE_RS_RECV_RST_UNREACHABLE,
	TFE_RS_SYNACK_NOT_YET,      /* set on a SYN+ACK receipt disproved */
	TFE_RS_SEND_ACK_OF_SYNACK,
	TFE_RS_TIME_WAIT_TAKEN_OVER,
	/* one direction captured: read from the other side's ACKs */
	TFE_RS_INFERRED_SYNACK_ACKED,
	TFE_RS_INFERRED_ACK_ARRIVED,
	TFE_RS_INFERRED_FIN_PASSIVE,
	TFE_RS_INFERRED_FIN_ACKED,
	TFE_RS_FIN_SOCKET_GONE,     /* set on a FIN receipt by a socket gone
	                               sooner than a timeout explains */
	TFE_RS_FIN_OR_ACK_LOST,     /* a FIN re-sent, no ACK of the first:
	                               the state is one of two */
	TFE_RS_RECV_ACK_QUEUE_FULL, /* the ACK of its SYN+ACK again, after
	                               two it ignored */
	TFE_RS_SEND_PROVES_ACCEPTED, /* and then it acknowledged data */
	TFE_RS_INFERRED_FIN_RECEIVED, /* one direction: its ACK of the
	                                 peer's FIN after its own */
	TFE_RS_INFERRED_LAST_ACK,
	TFE_RS_FIN_ACK_UNSEEN,      /* one direction: FIN_WAIT_1 or _2 */
	TFE_RS_SYN_GIVEN_UP,        /* timer row: its next SYN never came */
	TFE_RS_RECV_RST_CLOSE_WAIT, /* EPIPE, not ECONNRESET */
	TFE_RS_SEND_RST_UNSEEN,     /* its first segment in the capture */
	TFE_RS_RECV_RST_UNSEEN,     /* by a side not seen before */
	TFE_RS_LISTENER_UNPROVEN,   /* netstat: a listener none of whose
	                               connections is open any more */
	TFE_RS_SYN_DUE_UNSEEN,      /* netstat: past its next SYN's time, and
	                               the capture shows nothing after */
	TFE_RS_SEND_RST_BAD_ACK,    /* SYN_SENT answering a bare ACK */
	TFE_RS_ACK_FROM_STALE,      /* a listener's tuple answered by the
	                               earlier connection's socket */
	TFE_RS_RECV_ICMP_SYN_SENT,  /* arrival row: an ICMP error quoting its
	                               SYN (analyze.c, conn.c) */
	TFE_RS_RECV_ICMP_SYN_RCVD,  /* arrival row: one quoting its SYN+ACK */
	TFE_RS_FIN_NEVER_ACKED,     /* set on a FIN receipt its receiver's
	                               later segments disprove */
	TFE_RS_RST_FOREIGN_TTL,     /* set on a RST row whose TTL is not its
	                               sender's (tfe_conn_finish) */
	TFE_RS_RESEND_DUE_UNSEEN,   /* netstat: past its next re-send of
	                               data nothing answered */
	TFE_RS_RECV_RST_REFUSED_RETRIED, /* the refused SYN sent again
	                               (tfe_conn_syn_again()) */
	TFE_RS_RST_REFUSAL_NOT_ITS_OWN, /* conn.c refused_then_answers() */
	TFE_RS_SEND_NOT_ITS_OWN,
	TFE_RS_RECV_RST_NOT_TAKEN,  /* conn.c went_on_after_rst() */
	TFE_RS_RECV_FIN_OLD,        /* conn.c fin_outside_space() */
	TFE_RS_RST_TAKEN_UNKNOWN,   /* conn.c settle_rst_unseen() */
	TFE_RS_SEND_FIN_CROSSED_RESET, /* tfe_overturn_table FIN_CROSSED_RESET */
	TFE_RS__COUNT
};

/* A reason's stable name (snake_case, the JSON's reason_name: programs
 * read it, and it never changes once released) and its sentence in plain
 * words (the text forms, the JSON's reason; its wording may improve).
 * tests/check_reasons.c holds every row, and doc/json.md's list of names,
 * to the enum. */
struct tfe_reason_row {
	const char *name;
	const char *text;
};
extern const struct tfe_reason_row tfe_reasons[TFE_RS__COUNT];

/* Table outcomes beyond the real states. */
#define TFE_X_IGNORE    0xf0 /* no change, segment fits the state */
#define TFE_X_INVALID   0xf1 /* no change, segment does not fit the state */
#define TFE_X_EXCEPTION 0xf2 /* decided by the switch in conn.c */

struct tfe_transition {
	uint8_t next;   /* enum tfe_state, or TFE_X_* */
	uint8_t reason; /* enum tfe_reason */
};

extern const struct tfe_transition
	tfe_sender_table[TFE_EV__COUNT][TFE_ST__COUNT];
extern const struct tfe_transition
	tfe_receiver_table[TFE_RX__COUNT][TFE_ST__COUNT];

/*
 * The assumptions the timeline makes and the evidence that overturns them
 * (doc/states.md, "Assumptions and the evidence that overturns them").  A
 * receiver is taken to get a segment when the capture sees it pass, a side
 * a SYN reaches to listen, and a RST in a side's name to be its TCP's.
 * conn.c records the row where each was made and the side's state before
 * it; when later evidence shows it wrong, conn.c's overturn() puts the side
 * back from that row on.  One row of tfe_overturn_table per piece of
 * evidence.
 */
enum tfe_assumption {
	TFE_AS_LISTENER,   /* a side a SYN reached was listening: LISTEN from
	                      the start (record: the first row) */
	TFE_AS_SYN_ACKED,  /* what acknowledged its SYN reached it: the
	                      SYN+ACK, or the ACK of its SYN+ACK (record:
	                      tfe_endpoint.assumed) */
	TFE_AS_FIN_ACKED,  /* the ACK of its FIN reached it (record:
	                      tfe_endpoint.assumed) */
	TFE_AS_FIN_IN,     /* the peer's FIN reached it (record:
	                      fin_rcvd_row, fin_rcvd_before; after the FINs
	                      crossed, the row of its own FIN, reason
	                      send_fin_simclose, from FIN_WAIT_1) */
	TFE_AS_RST_IN,     /* the peer's RST reached it and closed it
	                      (record: tfe_ep_rare.rst_rcvd_row1) */
	TFE_AS_RST_OWN,    /* a RST in its name came from its TCP (record:
	                      rst_row, rst_before) */
	TFE_AS__COUNT
};

enum tfe_overturn {
	TFE_OV_LISTENER_RST,
	TFE_OV_LISTENER_SYN,
	TFE_OV_LISTENER_SILENT,
	TFE_OV_SYNACK_RESENT,
	TFE_OV_SYN_RESENT,
	TFE_OV_SYNACK_CROSSED,
	TFE_OV_SYNACK_UNMATCHED,
	TFE_OV_SYNACK_AGAIN,
	TFE_OV_SYNACK_NEVER_ACKED,
	TFE_OV_FIN_RESENT,
	TFE_OV_FIN_RESENT_TW,
	TFE_OV_FIN_AGAIN,
	TFE_OV_FIN_UNACKED,
	TFE_OV_FIN_CROSSED,
	TFE_OV_FIN_OLD,
	TFE_OV_FIN_TIMED_OUT,
	TFE_OV_FIN_NO_SOCKET,
	TFE_OV_FIN_CROSSED_RESET,
	TFE_OV_RST_NOT_TAKEN,
	TFE_OV_RST_CARRIES_ON,
	TFE_OV_RST_FOREIGN_TTL,
	TFE_OV_REFUSAL_ANSWERED,
	TFE_OV__COUNT
};

/* Restored: the state the side had before the assumption was made. */
#define TFE_ST_BEFORE 0xf3

enum tfe_overturn_from {
	TFE_OV_FROM_ROW,      /* from the row where the assumption was made */
	TFE_OV_FROM_START,    /* from the first row: what it was all along */
};

struct tfe_overturn_rule {
	uint8_t assumption;   /* enum tfe_assumption */
	uint8_t from;         /* enum tfe_overturn_from */
	uint8_t restore;      /* enum tfe_state, or TFE_ST_BEFORE */
	uint8_t reason;       /* enum tfe_reason: on the assumption's row, or
	                         from the start on every row where the peer's
	                         SYN arrived */
	const char *evidence; /* what shows the assumption wrong */
};
extern const struct tfe_overturn_rule tfe_overturn_table[TFE_OV__COUNT];
extern const char *const tfe_assumption_names[TFE_AS__COUNT];

/* Classifies a segment's flags (TFE_TH_*) with the fixed priority: RST,
 * SYN+ACK, SYN, FIN, ACK, none.  A table lookup, as it runs for every
 * segment; the table is indexed by the low five flag bits. */
extern const uint8_t tfe_event_of_flags[32];

static inline enum tfe_event
tfe_event_classify(uint16_t flags)
{
	return (enum tfe_event)tfe_event_of_flags[flags & 0x1f];
}

#endif /* TFE_TCPSTATE_H */
