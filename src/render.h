/*
 * render.h: the output forms.  Renderers only format what the analysis
 * recorded; they never decide anything about a connection.
 */
#ifndef TFE_RENDER_H
#define TFE_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "analyze.h"
#include "conn.h"

enum tfe_format {
	TFE_FMT_TEXT,
	TFE_FMT_SUMMARY,
	TFE_FMT_NETSTAT,
	TFE_FMT__COUNT
};
extern const char *const tfe_format_names[TFE_FMT__COUNT];

struct tfe_render_opts {
	enum tfe_format format;
	const struct tfe_config *cfg;
	FILE *out;
	bool color;            /* SGR colours by severity */
	bool verdicts_only;    /* only connections with a warning verdict */
};

/* One connection block as SPEC §3 shows it. */
void tfe_render_text_conn(const struct tfe_render_opts *o,
                          const struct tfe_conn *c);

/* The summary (SPEC §5). */
void tfe_render_text_summary(const struct tfe_render_opts *o,
                             const struct tfe_stats *s);

/* What netstat -tan would have shown on each host at `at` (ns, epoch):
 * taken when the capture's clock reaches `at`, corrected as each live
 * connection finishes (its timeline may be rewritten by later frames),
 * printed at the end. */
struct tfe_netstat;
struct tfe_netstat *tfe_netstat_snapshot(const struct tfe_analyzer *a,
                                         int64_t at);
void tfe_netstat_update(struct tfe_netstat *ns, const struct tfe_conn *c);
void tfe_netstat_print(const struct tfe_render_opts *o,
                       struct tfe_netstat *ns);
void tfe_netstat_free(struct tfe_netstat *ns);

/* Formats a duration or relative time in ns as seconds with 6 or 9
 * decimals, signed when `sign` ("+0.010000"). */
char *tfe_format_seconds(int64_t ns, bool nanos, bool sign, char *buf,
                         size_t len);

#endif /* TFE_RENDER_H */
