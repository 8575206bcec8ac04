/*
 * timeline.h: the rows a connection keeps for its explanation.
 *
 * A row is either one frame (kept because it changed a state, carries a
 * reason or a note, or has SYN, FIN or RST set) or a run of ordinary data and
 * ACK frames folded together with their counts, bytes each way and window
 * range (README.md).  Rows hold raw numbers only; the renderers format them.
 * The number of rows is bounded, so a connection's memory stays small
 * however long it runs.
 */
#ifndef TFE_TIMELINE_H
#define TFE_TIMELINE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "decode.h"

enum tfe_row_kind {
	TFE_ROW_FRAME,
	TFE_ROW_RUN,
	TFE_ROW_TIMER,  /* a state change by time (TIME_WAIT's 2MSL) */
	TFE_ROW_ARRIVAL /* a far host's state change when a frame the capture
	                   saw earlier reached it, after the host's own frame
	                   of the row before (crossing SYNs or FINs, conn.c
	                   settle_crossings()) */
};

/* Notes on a frame that changed no state but matters (bits). */
#define TFE_NOTE_RETRANS      0x0001 /* re-sends sequence space seen before */
#define TFE_NOTE_ZERO_WINDOW  0x0002 /* advertises window 0 */
#define TFE_NOTE_KEEPALIVE    0x0004 /* seq = SND.NXT-1, 0 or 1 byte */
#define TFE_NOTE_AFTER_FIN    0x0008 /* data beyond the sender's own FIN */
#define TFE_NOTE_AFTER_RST    0x0010 /* a segment after a RST closed it */
#define TFE_NOTE_BAD_FLAGS    0x0020 /* SYN+FIN, SYN+RST, no flags, ... */
#define TFE_NOTE_GAP          0x0040 /* ACKs data the capture never saw */
#define TFE_NOTE_WINDOW_OPEN  0x0080 /* window opens again after 0 */
#define TFE_NOTE_ZW_PROBE     0x0100 /* probes the peer's zero window */
#define TFE_NOTE_COPY         0x0200 /* a copy the capture made of a frame
                                        before (tfe_evidence_is_copy()) */
#define TFE_NOTE_OUT_OF_ORDER 0x0400 /* fills a gap in its sender's sequence
                                        space within a round trip of the
                                        gap appearing (conn.c: holes) */
#define TFE_NOTE_PADDING      0x0800 /* its payload is zero bytes padding
                                        the IP datagram, not data (conn.c:
                                        unpadded()) */

/* Directions: sender is the client (0) or the server (1). */
#define TFE_DIR_C2S 0
#define TFE_DIR_S2C 1

/* A frame row and a run row need different numbers, so they share the
 * room (64 bytes instead of 104); `kind` says which half is valid, and
 * only that half is ever read.  Timer rows use the common fields alone.
 * A run keeps its last frame as a distance from its first
 * (tfe_row_frame_last()); a run that would span 2^32 frames or more ends
 * and a new one starts, even past the bound of rows. */
struct tfe_row {
	uint64_t frame;       /* frame number in the capture, 1-based */
	int64_t ts;           /* ns since the epoch */
	union {
		struct {              /* TFE_ROW_FRAME */
			uint32_t seq, ack;    /* raw sequence numbers */
			uint32_t len;         /* payload bytes */
			uint32_t tsval, tsecr;/* timestamp option */
			uint16_t win;         /* raw window field */
			uint16_t mss;         /* option value, bytes */
			uint16_t flags;       /* TFE_TH_* */
			uint8_t opt_mask;     /* TFE_OPT_* */
			uint8_t wscale;       /* option value */
			uint8_t sack_count;
			uint8_t ttl;          /* IPv4 TTL, IPv6 hop limit */
			uint16_t ip_id;       /* IPv4 identification */
			uint32_t nth;         /* the sender's nth segment */
		};
		struct {              /* TFE_ROW_RUN */
			int64_t ts_last;      /* time of the last frame */
			uint64_t bytes[2];    /* payload bytes sent by client,
			                         server */
			uint32_t count;       /* frames folded in */
			uint32_t frame_span;  /* last frame folded in, less
			                         frame */
			uint16_t win_min[2];  /* raw window range per sender */
			uint16_t win_max[2];
		};
		struct {              /* TFE_ROW_ARRIVAL */
			int64_t arr_ts;       /* the arriving frame's capture
			                         time: the host's time of the
			                         change is this plus the delay
			                         to it (vantage.h) */
			uint64_t arr_frame;   /* that frame */
		};
	};
	uint16_t notes;       /* TFE_NOTE_* */
	uint8_t kind;         /* enum tfe_row_kind */
	uint8_t dir;          /* TFE_DIR_* (frames), the side (timers) */
	uint8_t state[2];     /* enum tfe_state of client, server after it */
	uint8_t reason[2];    /* enum tfe_reason per side, 0 when none */
};

/* The last frame a run row folded in. */
static inline uint64_t
tfe_row_frame_last(const struct tfe_row *r)
{
	return r->frame + r->frame_span;
}

/* The SACK blocks of one segment, as the receiver reported them (raw
 * edges, left and right), kept beside the rows when asked (--format html
 * draws them): a folded frame keeps its blocks too. */
#define TFE_SACKS_MAX 512     /* segments with SACK blocks kept per
                                 connection; later ones are counted */
struct tfe_sack_rec {
	uint64_t frame;
	int64_t ts;
	uint32_t ack;
	uint32_t edge[TFE_MAX_SACK_BLOCKS][2];
	uint8_t dir;          /* TFE_DIR_*: the sender of the SACK */
	uint8_t n;            /* blocks kept (the option may say more) */
};

struct tfe_sacks {
	guint len, cap;
	uint64_t dropped;     /* segments with SACK blocks past the bound */
	struct tfe_sack_rec rec[];
};

struct tfe_timeline {
	struct tfe_row *rows;
	guint len, cap;       /* rows used, allocated */
	guint max_rows;       /* bound; past it notable frames fold into runs */
	uint32_t folded;      /* notable frames folded because of the bound
	                         (stays at UINT32_MAX once there) */
	struct tfe_sacks *sacks; /* NULL unless SACK blocks were kept
	                            (tfe_timeline_add_sack()) */
};

void tfe_timeline_init(struct tfe_timeline *tl, guint max_rows);
void tfe_timeline_clear(struct tfe_timeline *tl);

/* tfe_timeline_clear() keeps the arrays of the commonest sizes for the
 * thread's next timelines; this frees them. */
void tfe_timeline_cache_clear(void);

/* Appends a frame row; returns its index, or -1 when the bound folded it. */
int tfe_timeline_add_frame(struct tfe_timeline *tl, const struct tfe_row *row);


/* Keeps the SACK blocks of segment `s` (frame, time, sender `dir`),
 * whether its frame became a row or folded into a run; past
 * TFE_SACKS_MAX segments it only counts them. */
void tfe_timeline_add_sack(struct tfe_timeline *tl, uint64_t frame,
                           int64_t ts, int dir, const struct tfe_segment *s);

/* Appends a timer row (no frame). */
void tfe_timeline_add_timer(struct tfe_timeline *tl, int64_t ts, int side,
                            uint8_t new_state, uint8_t reason,
                            const uint8_t state[2]);

/* Inserts an arrival row at index `at` (the rows from there move up one):
 * `side` goes to `new_state` for `reason` when frame `frame`, seen at
 * `frame_ts`, reached it; `ts` is the row's place in wire order and
 * `state` both sides' states before it.  Kept past the bound, as timer
 * rows are (there are at most two). */
void tfe_timeline_insert_arrival(struct tfe_timeline *tl, guint at,
                                 int64_t ts, int side, uint64_t frame,
                                 int64_t frame_ts, uint8_t new_state,
                                 uint8_t reason, const uint8_t state[2]);

/* The same for a timer row (tfe_timeline_add_timer()) among the rows. */
void tfe_timeline_insert_timer(struct tfe_timeline *tl, guint at, int64_t ts,
                               int side, uint8_t new_state, uint8_t reason,
                               const uint8_t state[2]);

static inline struct tfe_row *
tfe_timeline_row(struct tfe_timeline *tl, guint i)
{
	return &tl->rows[i];
}

static inline guint
tfe_timeline_len(const struct tfe_timeline *tl)
{
	return tl->len;
}

/* Folds a frame into the run row `last`. */
static inline void
tfe_timeline_fold_into(struct tfe_row *last, uint64_t span, int64_t ts,
                       int dir, uint32_t len, uint16_t win,
                       const uint8_t state[2])
{
	last->frame_span = (uint32_t)span;
	last->ts_last = ts;
	last->count++;
	last->bytes[dir] += len;
	if (win < last->win_min[dir])
		last->win_min[dir] = win;
	if (win > last->win_max[dir])
		last->win_max[dir] = win;
	last->state[0] = state[0];
	last->state[1] = state[1];
}

/* Appends a run row holding the frame (tfe_timeline_fold()'s rarer
 * case). */
void tfe_timeline_fold_new_run(struct tfe_timeline *tl, uint64_t frame,
                               int64_t ts, int dir, uint32_t len,
                               uint16_t win, const uint8_t state[2]);

/* Folds an ordinary frame into the run at the end (or starts one).
 * Inline: four frames in five take it, and the call (its arguments, the
 * states passed through memory) cost each about 16 instructions. */
static inline void
tfe_timeline_fold(struct tfe_timeline *tl, uint64_t frame, int64_t ts,
                  int dir, uint32_t len, uint16_t win, const uint8_t state[2])
{
	/* The run at the end takes the frame unless the states changed
	 * (past the bound it takes them all) or its span would not fit. */
	if (tl->len > 0) {
		struct tfe_row *last = tfe_timeline_row(tl, tl->len - 1);
		uint64_t span = frame - last->frame;

		if (last->kind == TFE_ROW_RUN && span <= UINT32_MAX &&
		    (tl->len + 1 >= tl->max_rows ||
		     (last->state[0] == state[0] &&
		      last->state[1] == state[1]))) {
			tfe_timeline_fold_into(last, span, ts, dir, len, win,
			                       state);
			return;
		}
	}
	tfe_timeline_fold_new_run(tl, frame, ts, dir, len, win, state);
}

#endif /* TFE_TIMELINE_H */
