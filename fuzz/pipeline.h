/*
 * pipeline.h: what both fuzz targets share: the analysis and every
 * renderer, wired the way main.c wires them, writing to /dev/null.
 */
#ifndef TFE_FUZZ_PIPELINE_H
#define TFE_FUZZ_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze.h"
#include "render.h"

struct fz_run {
	struct tfe_config cfg;
	struct tfe_render_opts ro;        /* text */
	struct tfe_render_opts ro_ladder; /* the sequence diagram */
	struct tfe_render_opts ro_json;   /* JSON Lines, with --events when
	                                     the knobs say so */
	struct tfe_analyzer an;
	struct tfe_netstat *netstat;
	bool netstat_wanted;
};

/* Sets up a run from one knob byte (which renderers, colour, the bounds
 * and timers) so the fuzzer also explores small limits. */
void fz_run_start(struct fz_run *r, uint8_t knobs);

/* Prints what is left, the summary and the netstat view, frees it all. */
void fz_run_end(struct fz_run *r);

#endif
