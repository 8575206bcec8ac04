/*
 * pipeline.c: the sink and renderers for the fuzz targets, as main.c has
 * them: every finished connection goes through the text, the ladder and
 * the JSON renderers and the netstat view; both summaries come last.
 */
#include "pipeline.h"

#include <stdio.h>
#include <string.h>

static FILE *devnull;

static void
on_conn_done(void *ud, const struct tfe_conn *c)
{
	struct fz_run *r = ud;

	tfe_render_text_conn(&r->ro, c);
	tfe_render_ladder_conn(&r->ro_ladder, c);
	tfe_render_json_conn(&r->ro_json, c);
	if (r->netstat)
		tfe_netstat_update(r->netstat, c);
}

static void
on_snapshot(void *ud, const struct tfe_analyzer *a, int64_t at)
{
	struct fz_run *r = ud;

	if (r->netstat_wanted && r->netstat == NULL)
		r->netstat = tfe_netstat_snapshot(a, at);
}

void
fz_run_start(struct fz_run *r, uint8_t knobs)
{
	if (devnull == NULL)
		devnull = fopen("/dev/null", "w");
	memset(r, 0, sizeof *r);
	tfe_config_defaults(&r->cfg);
	/* Small bounds make eviction and row folding reachable in a few
	 * frames; short timers make idle timeouts and tombstone expiry so. */
	if (knobs & 0x01)
		r->cfg.max_flows = 2;
	if (knobs & 0x02)
		r->cfg.max_rows = 4;
	if (knobs & 0x04)
		r->cfg.all_frames = true;
	if (knobs & 0x08) {
		r->cfg.msl = TFE_NS_PER_SEC;
		r->cfg.idle_timeout = 2 * TFE_NS_PER_SEC;
		r->cfg.close_wait = TFE_NS_PER_SEC / 2;
	}
	r->ro.format = TFE_FMT_TEXT;
	r->ro.cfg = &r->cfg;
	r->ro.out = devnull;
	r->ro.color = (knobs & 0x10) != 0;
	r->ro.verdicts_only = (knobs & 0x20) != 0;
	r->netstat_wanted = (knobs & 0x40) == 0;
	r->ro_ladder = r->ro;
	r->ro_ladder.format = TFE_FMT_LADDER;
	r->ro_json = r->ro;
	r->ro_json.format = TFE_FMT_JSON;
	r->ro_json.color = false;
	r->ro_json.events = (knobs & 0x10) != 0; /* the timeline as data */

	struct tfe_sink sink = { .conn_done = on_conn_done, .snapshot = on_snapshot, .ud = r };
	tfe_analyzer_init(&r->an, &r->cfg, &sink);
	if (r->netstat_wanted)
		tfe_analyzer_snapshot_at(&r->an,
		                         knobs & 0x80 ? TFE_AT_RELATIVE : TFE_AT_END,
		                         knobs & 0x80 ? TFE_NS_PER_SEC : 0);
	else
		tfe_analyzer_snapshot_at(&r->an, TFE_AT_NONE, 0);
}

void
fz_run_end(struct fz_run *r)
{
	tfe_analyzer_finish(&r->an);
	tfe_render_text_summary(&r->ro, &r->an.stats);
	tfe_render_json_summary(&r->ro_json, &r->an.stats);
	if (r->netstat) {
		tfe_netstat_print(&r->ro, r->netstat);
		tfe_netstat_free(r->netstat);
	}
	fflush(devnull);
	tfe_analyzer_clear(&r->an);
}
