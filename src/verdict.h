/*
 * verdict.h: named findings about a connection, with the frames that prove
 * them and one plain sentence with the numbers (doc/verdicts.md).
 *
 * The catalogue is one const table (verdict_catalogue.c); kinds are stable
 * snake_case names, never renamed or reused once released.  Each kind
 * holds the words of its sentence there too, as templates with named
 * slots ("{sender} sent its FIN {fins} times"): the rules (verdict.c)
 * decide which form a sentence takes and fill its slots with values, and
 * verdict_catalogue.c's header says how a template is written.  Verdicts
 * are worked out once, when a connection is finished, from what conn.c
 * recorded: its timeline rows keep every frame that carries evidence.
 */
#ifndef TFE_VERDICT_H
#define TFE_VERDICT_H

#include <glib.h>
#include <stdint.h>

#include "conn.h"

enum tfe_verdict_kind {
	TFE_V_RST_TO_CLOSED_PORT,
	TFE_V_SYN_UNANSWERED,
	TFE_V_LINGERING_CLOSE_WAIT,
	TFE_V_MISSING_FINAL_ACK,
	TFE_V_TIME_WAIT_REUSE,
	TFE_V_ABORTIVE_CLOSE,
	TFE_V_FIN_THEN_RST,
	TFE_V_HALF_CLOSE,
	TFE_V_KEEPALIVE,
	TFE_V_KEEPALIVE_UNANSWERED,
	TFE_V_ZERO_WINDOW,
	TFE_V_WINDOW_FULL,
	TFE_V_SIMULTANEOUS_OPEN,
	TFE_V_SIMULTANEOUS_CLOSE,
	TFE_V_MIDSTREAM,
	TFE_V_OPEN_AT_END,
	TFE_V_SYN_RETRANSMITTED,
	TFE_V_FIN_RETRANSMITTED,
	TFE_V_RETRANSMISSION,
	TFE_V_OUT_OF_ORDER,
	TFE_V_INVALID_FLAGS,
	TFE_V_DATA_AFTER_FIN,
	TFE_V_DATA_AFTER_RST,
	TFE_V_RST_SUSPICIOUS,
	TFE_V_TIME_WAIT_REUSE_SAFE,
	TFE_V_ZERO_WINDOW_BRIEF,
	TFE_V_ACCEPT_QUEUE_FULL,
	TFE_V_KEEPALIVE_RACE,
	TFE_V_OPTIONS_ODD,
	TFE_V_CAPTURE_LOSS,
	TFE_V_SYN_TO_STALE_SOCKET,
	TFE_V_MIDDLEBOX_IDLE_TIMEOUT,
	TFE_V_ICMP_UNREACHABLE,
	TFE_V_ICMP_PACKET_TOO_BIG,
	TFE_V__COUNT
};

enum tfe_severity {
	TFE_SEV_INFO,
	TFE_SEV_WARNING
};

/* A named template: a form of a kind's sentence ("refused"), one
 * alternative of a clause that a rule picks ("why.keepalive": the
 * alternative "keepalive" of the slot {why}), or words that several forms
 * share ("keep"). */
struct tfe_phrase {
	const char *name;
	const char *text;
};

struct tfe_verdict_def {
	const char *kind;       /* stable snake_case name */
	uint8_t severity;       /* enum tfe_severity */
	const char *title;      /* a few words */
	const char *rfc;        /* where the rule comes from */
	const struct tfe_phrase *phrases; /* its sentence's templates, up to
	                                     one with name NULL */
};

extern const struct tfe_verdict_def tfe_verdicts[TFE_V__COUNT];

/* Templates several kinds use, and the notes added to every sentence of
 * a connection (the same form as a kind's phrases). */
extern const struct tfe_phrase tfe_verdict_shared[];

/* The values a rule fills a template's slots with, by name: a text
 * formatted where it is filled, a count (which also chooses between
 * {name:one|other}), or the alternatives picked for a clause (several,
 * in order, joined by the phrase "name.join"). */
#define TFE_SLOTS_MAX 24
#define TFE_SLOT_PICKS 4
struct tfe_slots {
	unsigned n;
	struct tfe_slot {
		const char *name;       /* static */
		char *text;             /* owned; NULL for a clause */
		uint64_t count;
		bool counted;
		bool used;
		uint8_t npicks;
		const char *pick[TFE_SLOT_PICKS]; /* static */
	} slot[TFE_SLOTS_MAX];
};

void tfe_slots_set(struct tfe_slots *s, const char *name, const char *fmt,
                   ...) G_GNUC_PRINTF(3, 4);
void tfe_slots_count(struct tfe_slots *s, const char *name, uint64_t n);
void tfe_slots_pick(struct tfe_slots *s, const char *name,
                    const char *choice);
/* Empties `s` (and frees its texts). */
void tfe_slots_clear(struct tfe_slots *s);

/* The template `name` of `kind` (TFE_V__COUNT: a shared one) with its
 * slots filled from `s`; always a text (g_free() it).  *problem (g_free()
 * it) says what did not fit, or stays NULL: no such template, a slot the
 * expansion needs that is not filled, a slot filled that neither the
 * template nor any alternative of the clauses it names uses, braces that
 * do not close. */
char *tfe_verdict_expand(int kind, const char *name, struct tfe_slots *s,
                         char **problem);

#define TFE_VERDICT_MAX_FRAMES 4

/* A number a verdict's sentence gives, as a field of its own (JSON
 * "numbers"): a count, or a duration in ns (named "..._s", written in
 * seconds). */
enum tfe_vnum_unit { TFE_VNUM_COUNT, TFE_VNUM_NS };
#define TFE_VERDICT_MAX_NUMBERS 8
struct tfe_verdict_number {
	const char *name;       /* static: "syns", "wait_s" */
	int64_t value;
	uint8_t unit;           /* enum tfe_vnum_unit */
};

struct tfe_verdict {
	uint8_t kind;           /* enum tfe_verdict_kind */
	uint8_t side;           /* TFE_SIDE_* it concerns */
	uint8_t nframes;
	uint8_t nnumbers;
	uint64_t frames[TFE_VERDICT_MAX_FRAMES];
	struct tfe_verdict_number numbers[TFE_VERDICT_MAX_NUMBERS];
	char *message;          /* owned; NULL when cfg->verdict_messages
	                           is off */
};

/* An empty array of struct tfe_verdict that frees each verdict's
 * message as it drops it (g_array_set_size, g_array_free), so that
 * whoever holds one (a connection, conn.c) frees it with g_array_free
 * alone. */
GArray *tfe_verdicts_new(void);

/* Works out a finished connection's verdicts into `out` (made by
 * tfe_verdicts_new()); `now` is the capture's clock when it was finished
 * (ns). */
void tfe_verdicts_collect(const struct tfe_conn *c,
                          const struct tfe_config *cfg, int64_t now,
                          GArray *out);

/* Frees the messages of the verdicts in `v` and empties it. */
void tfe_verdicts_clear(GArray *v);

/* The documentation of each kind, from doc/verdicts.md (made into
 * src/verdict_docs.c at build time, linked into the program only):
 * `kind` NULL ends the table. */
struct tfe_verdict_doc {
	const char *kind;
	const char *text;
};
extern const struct tfe_verdict_doc tfe_verdict_docs[];

/* Parses "kind,kind,..." into a bit set; a name may also be "all",
 * "warning" or "info" (every kind, or every kind of that severity), and
 * "-name" takes its kinds out of those named before it.  False (and *bad
 * set to the first unknown name) when a name is none of these. */
gboolean tfe_verdict_parse_list(const char *list, uint64_t *set,
                                char **bad);

#endif /* TFE_VERDICT_H */
