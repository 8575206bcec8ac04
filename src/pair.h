/*
 * pair.h: two captures of the same traffic, taken at two points (near
 * one end and near the other, or anywhere on the path), matched
 * (--pair A B, doc/pair.md).
 *
 * Each capture is analysed alone, as -r would (its own connections and
 * states); pair.c then matches the connections (by their ISNs, or by the
 * SYNs' timestamps when a middlebox moved the sequence numbers, whatever
 * the addresses and ports), matches their segments, estimates the offset
 * between the two capture clocks from the quickest transits, and finds
 * what the path did: segments lost or appearing between the two points,
 * options rewritten, addresses translated.  It does not print: render_pair.c
 * does.
 */
#ifndef TFE_PAIR_H
#define TFE_PAIR_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "analyze.h"

/* The findings about the path (doc/verdicts.md, doc/pair.md).  The names
 * table tfe_pair_kinds[] is indexed the same way. */
enum tfe_pair_kind {
	TFE_PF_LOST_ON_PATH,      /* seen at the capture nearer its sender,
	                             never at the other */
	TFE_PF_APPEARED_ON_PATH,  /* seen at the capture nearer its receiver,
	                             never at the one nearer its claimed
	                             sender */
	TFE_PF_MODIFIED_ON_PATH,  /* the same segment, a field rewritten */
	TFE_PF_NAT,               /* addresses or ports translated */
	TFE_PF_REORDERED_ON_PATH, /* sent in one order past one point,
	                             arrived in another at the other */
	TFE_PF_DELAYED_ON_PATH,   /* a transit well beyond the quickest of
	                             its direction: held on the path */
	TFE_PF__COUNT
};

struct tfe_pair_kind_def {
	const char *kind;
	uint8_t severity;          /* enum tfe_severity */
	const char *title;
};
extern const struct tfe_pair_kind_def tfe_pair_kinds[TFE_PF__COUNT];

/* One TCP segment of one capture, as the matching reads it. */
struct tfe_pair_seg {
	uint64_t frame;            /* in its own capture, 1-based */
	int64_t ts;                /* ns, on its own capture's clock */
	uint32_t seq, ack, len;    /* raw; len is payload bytes */
	uint32_t tsval, tsecr;     /* timestamp option, when opt_mask has it */
	uint16_t flags, win, mss;  /* TFE_TH_*, raw window, MSS option */
	uint8_t opt_mask, wscale, ttl;
	uint8_t side;              /* its sender, TFE_SIDE_* of the
	                              connection */
	bool has_ip_id;            /* IPv4 */
	bool copy;                 /* the capture's own copy of a segment
	                              just before (same IPv4 identification
	                              and TCP header): not matched, not
	                              judged */
	uint16_t ip_id;
	int32_t match;             /* index of the same segment in the other
	                              capture's connection, -1 for none */
};

/* One connection of one capture, kept with its segments. */
struct tfe_pair_conn {
	struct tfe_conn *c;        /* the analyser's record, kept */
	GArray *segs;              /* struct tfe_pair_seg, capture order */
	int link;                  /* its index in tfe_pair.links, -1 */
};

/* One capture file. */
struct tfe_pair_capture {
	const char *path;
	GPtrArray *conns;          /* struct tfe_pair_conn *, by first frame */
	struct tfe_stats stats;    /* as -r gives them */
	int64_t first_ts, last_ts; /* its first and last frame, ns */
	bool nanos;
	bool damaged;              /* the file ended in damage: its span ends
	                              at its last frame read */
};

/* How two connections were found to be one. */
enum tfe_pair_how {
	TFE_PM_ISN,          /* both ISNs equal */
	TFE_PM_TIMESTAMPS,   /* the SYNs' and SYN+ACKs' TSvals equal, the
	                        ISNs moved by a constant (a middlebox) */
	TFE_PM_ADDRESSES,    /* no handshake in one capture: the same
	                        addresses and ports at overlapping times */
	TFE_PM__COUNT
};
extern const char *const tfe_pair_how_names[TFE_PM__COUNT];

/* Delayed on the path: a transit (as the two clocks read it) more than
 * this above the quickest of its direction in the connection, and more
 * than that quickest transit again (doc/pair.md): ordinary jitter on
 * one host's links is tens of microseconds, a queue that matters is
 * tens of milliseconds. */
#define TFE_PAIR_DELAY_MIN INT64_C(10000000) /* ns */

/* A finding, with its frames in each capture (0: none there). */
#define TFE_PAIR_MAX_FRAMES 2
struct tfe_pair_finding {
	uint8_t kind;              /* enum tfe_pair_kind */
	uint8_t side;              /* TFE_SIDE_*: the sender it concerns */
	uint64_t frames[2][TFE_PAIR_MAX_FRAMES]; /* [capture][] */
	char *message;
};

/* A connection as both captures saw it (or as one alone did). */
struct tfe_pair_link {
	int conn[2];               /* index in each capture's conns, -1 */
	uint8_t how;               /* enum tfe_pair_how, when both */
	uint8_t near_client;       /* which capture is nearer the client:
	                              0 (A), 1 (B), 2 unknown */
	bool path_shared;          /* seen by one capture alone, whose client
	                              and server the other saw in another
	                              connection: the other is on its path
	                              too */
	uint32_t isn_shift[2];     /* per sender: B's sequence numbers less
	                              A's (0 unless a middlebox moved them) */
	uint32_t matched, only[2]; /* segments: in both, in one alone */
	uint32_t copies[2];        /* the captures' own copies, left out */
	GArray *findings;          /* struct tfe_pair_finding */
};

struct tfe_pair {
	struct tfe_pair_capture cap[2];
	GArray *links;             /* struct tfe_pair_link, by A's first frame
	                              then B's */
	/* the clocks (doc/pair.md): B's clock reads offset more than A's;
	 * the one-way delay between the two capture points is the same
	 * each way (the assumption), and the offset is within +-bound of
	 * the truth whatever the two delays are */
	bool clock_known;
	int64_t offset, delay, bound;   /* ns */
	int64_t min_transit[2];    /* ns: the quickest transit seen from the
	                              capture nearer the sender ([0]: from A
	                              to B, [1]: from B to A), each clock's
	                              own reading */
	uint64_t samples[2];       /* segments behind each */
	uint64_t findings[TFE_PF__COUNT]; /* connections with each kind */
	uint64_t lost[2], appeared[2]; /* segments, by sender's capture side:
	                                  [0] sent on A's side */
	uint64_t matched_segments;
};

/*
 * Reads capture files `a` and `b` (filter may be NULL) and matches them;
 * false with *err set when one cannot be read (a damaged file: what was
 * read before the damage is used, and the error is reported by the
 * caller after the output).  `cfg` is the analysis' options.
 */
bool tfe_pair_run(struct tfe_pair *p, const char *a, const char *b,
                  const char *filter, const struct tfe_config *cfg,
                  GError **err);

void tfe_pair_clear(struct tfe_pair *p);

/* The segments of capture `k` (0 or 1) of link `l`, or NULL. */
const struct tfe_pair_conn *tfe_pair_link_conn(const struct tfe_pair *p,
                                               const struct tfe_pair_link *l,
                                               int k);

#endif /* TFE_PAIR_H */
