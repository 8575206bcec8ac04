/*
 * render_pair.h: --pair's text and JSON output (render_pair.c).
 */
#ifndef TFE_RENDER_PAIR_H
#define TFE_RENDER_PAIR_H

#include "pair.h"
#include "render.h"

/* Every connection either capture saw (text or JSON, per o->format; none
 * for the summary form), then the pairing's summary: a section of its
 * own in text, the summary object with its "pair" member in JSON. */
void tfe_render_pair(const struct tfe_render_opts *o, const struct tfe_pair *p);

/* The summary's "pair" object (doc/json.md), to g_free. */
char *tfe_render_pair_summary_json(const struct tfe_pair *p);

#endif /* TFE_RENDER_PAIR_H */
