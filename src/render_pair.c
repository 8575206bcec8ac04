/*
 * render_pair.c: --pair's output (doc/pair.md): per connection seen by
 * either capture, both captures' names for it, each side's states from
 * the capture nearer it, the segments of both on one time axis with
 * their transit, and the findings; then what the pairing found as a
 * whole (the clocks).  Text, and JSON Lines (doc/json.md,
 * "pair_connection" and the summary's "pair").  Formatting only: pair.c
 * worked everything out.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "format.h"
#include "render.h"
#include "render_pair.h"

static const char *const side_word[3] = { "client", "server", "nobody" };
static const char *const cap_name[2] = { "A", "B" };
static const char *const cap_key[2] = { "a", "b" };

static void
flags_str(uint16_t f, char *buf)
{
	char *p = buf;

	if (f & TFE_TH_FIN)
		*p++ = 'F';
	if (f & TFE_TH_SYN)
		*p++ = 'S';
	if (f & TFE_TH_RST)
		*p++ = 'R';
	if (f & TFE_TH_PSH)
		*p++ = 'P';
	if (f & TFE_TH_ACK)
		*p++ = 'A';
	if (f & TFE_TH_URG)
		*p++ = 'U';
	if (f & TFE_TH_ECE)
		*p++ = 'E';
	if (f & TFE_TH_CWR)
		*p++ = 'C';
	if (p == buf)
		*p++ = '.';
	*p = '\0';
}

static void
endpoint(const struct tfe_conn *c, int side, char *buf, size_t len)
{
	tfe_endpoint_format(c->family, tfe_conn_addr(c, side),
	                    tfe_conn_port(c, side), buf, len);
}

/* Seconds with nine decimals, as a JSON number. */
static void
g_secs(GString *g, int64_t ns)
{
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;

	g_string_append_printf(g, "%s%" PRIu64 ".%09" PRIu64, ns < 0 ? "-" : "",
	                       a / 1000000000u, a % 1000000000u);
}

/* Epoch seconds as the rest of the JSON writes them: six decimals, nine
 * when the capture has nanoseconds. */
static void
g_ts(GString *g, int64_t ns, bool nanos)
{
	char buf[48];

	g_string_append(g, tfe_format_seconds(ns, nanos, false, buf,
	                                      sizeof buf));
}

/* The capture whose connection shows `side`'s own states: the one nearer
 * it, else the one that has the connection. */
static int
own_capture(const struct tfe_pair_link *l, int side)
{
	int k = side == TFE_SIDE_CLIENT ? l->near_client : !l->near_client;

	if (l->near_client != 2 && l->conn[k] >= 0)
		return k;
	return l->conn[0] >= 0 ? 0 : 1;
}

/* A merged row: A's segment (with its match), or B's alone. */
struct mrow {
	int k;          /* capture of the segment: 0, or 1 when B's alone */
	guint i;        /* its index */
	int64_t t;      /* on A's clock */
};

static gint
by_time(gconstpointer a, gconstpointer b)
{
	const struct mrow *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->k != y->k)
		return x->k - y->k;
	return x->i < y->i ? -1 : x->i > y->i;
}

static GArray *
merged_rows(const struct tfe_pair *p, const struct tfe_pair_link *l)
{
	GArray *rows = g_array_new(FALSE, FALSE, sizeof(struct mrow));
	int64_t off = p->clock_known ? p->offset : 0;

	for (int k = 0; k < 2; k++) {
		const struct tfe_pair_conn *pc = tfe_pair_link_conn(p, l, k);

		for (guint i = 0; pc != NULL && i < pc->segs->len; i++) {
			const struct tfe_pair_seg *s =
				&g_array_index(pc->segs, struct tfe_pair_seg, i);
			struct mrow r = { k, i, k == 0 ? s->ts : s->ts - off };

			if (k == 1 && s->match >= 0)
				continue;
			g_array_append_val(rows, r);
		}
	}
	g_array_sort(rows, by_time);
	return rows;
}

static void
text_states(FILE *out, const struct tfe_pair *p, const struct tfe_pair_link *l,
            int side)
{
	int k = own_capture(l, side);
	const struct tfe_pair_conn *pc = tfe_pair_link_conn(p, l, k);
	const struct tfe_conn *c;
	uint8_t st;

	if (pc == NULL)
		return;
	c = pc->c;
	st = c->init_state[side];
	fprintf(out, "   %s states (from %s%s): %s", side_word[side],
	        cap_name[k], l->near_client == 2 ? "" :
	        (side == TFE_SIDE_CLIENT) == (l->near_client == k) ?
	        (side == TFE_SIDE_CLIENT ? ", near the client" :
	         ", near the server") : ", the other capture did not see it",
	        tfe_state_names[st]);
	for (guint i = 0; i < c->tl.len; i++) {
		const struct tfe_row *r = &c->tl.rows[i];

		if (r->state[side] == st)
			continue;
		st = r->state[side];
		if (r->kind == TFE_ROW_TIMER)
			fprintf(out, ", %s (timer)", tfe_state_names[st]);
		else
			fprintf(out, ", %s (%s %" PRIu64 ")", tfe_state_names[st],
			        cap_name[k], r->frame);
	}
	fputc('\n', out);
}

static void
text_link(const struct tfe_render_opts *o, const struct tfe_pair *p,
          guint n, const struct tfe_pair_link *l)
{
	FILE *out = o->out;
	GArray *rows;
	int64_t base, off = p->clock_known ? p->offset : 0;
	bool nanos = p->cap[0].nanos || p->cap[1].nanos;

	fprintf(out, "pair #%u", n);
	for (int k = 0; k < 2; k++) {
		const struct tfe_pair_conn *pc = tfe_pair_link_conn(p, l, k);
		char cl[TFE_ADDR_STRLEN], sv[TFE_ADDR_STRLEN];

		if (pc == NULL) {
			fprintf(out, "  %s: not seen", cap_name[k]);
			continue;
		}
		endpoint(pc->c, TFE_SIDE_CLIENT, cl, sizeof cl);
		endpoint(pc->c, TFE_SIDE_SERVER, sv, sizeof sv);
		fprintf(out, "  %s #%" PRIu64 " %s -> %s", cap_name[k], pc->c->id,
		        cl, sv);
	}
	if (l->conn[0] >= 0 && l->conn[1] >= 0)
		fprintf(out, "  matched by %s", tfe_pair_how_names[l->how]);
	fputc('\n', out);
	fprintf(out, "   %s; segments: %u in both, %u at A alone, %u at B "
	        "alone", l->near_client == 0 ? "A is nearer the client, B "
	        "nearer the server" : l->near_client == 1 ? "B is nearer the "
	        "client, A nearer the server" : "which capture is nearer "
	        "which end is not known", l->matched, l->only[0], l->only[1]);
	if (l->copies[0] + l->copies[1] > 0)
		fprintf(out, "; the captures' own copies, left out: %u at A, %u "
		        "at B", l->copies[0], l->copies[1]);
	fputc('\n', out);
	text_states(out, p, l, TFE_SIDE_CLIENT);
	text_states(out, p, l, TFE_SIDE_SERVER);

	rows = merged_rows(p, l);
	base = INT64_MAX;
	/* the first row's earlier time, on A's clock */
	for (guint i = 0; i < rows->len && i < 1; i++) {
		const struct mrow *r = &g_array_index(rows, struct mrow, i);
		const struct tfe_pair_conn *pc = tfe_pair_link_conn(p, l, r->k);
		const struct tfe_pair_conn *oc = tfe_pair_link_conn(p, l, !r->k);
		const struct tfe_pair_seg *s =
			&g_array_index(pc->segs, struct tfe_pair_seg, r->i);

		base = r->t;
		if (r->k == 0 && s->match >= 0 && oc != NULL) {
			int64_t tb = g_array_index(oc->segs, struct tfe_pair_seg,
			                           (guint)s->match).ts - off;
			if (tb < base)
				base = tb;
		}
	}
	if (base == INT64_MAX)
		base = 0;
	fprintf(out, "   %-7s %-7s %-7s %-6s %-10s %-10s %-6s %-12s %-12s %s\n",
	        "A", "B", "sender", "flags", "seq", "ack", "len", "time at A",
	        "time at B", "transit");
	fprintf(out, "   (times on A's clock%s; the transit from the capture "
	        "nearer the sender)\n", p->clock_known ? ", B's less the "
	        "clocks' offset" : ", B's as it reads: no offset known");
	for (guint i = 0; i < rows->len; i++) {
		const struct mrow *r = &g_array_index(rows, struct mrow, i);
		const struct tfe_pair_conn *pc = tfe_pair_link_conn(p, l, r->k);
		const struct tfe_pair_conn *oc = tfe_pair_link_conn(p, l, !r->k);
		const struct tfe_pair_seg *s =
			&g_array_index(pc->segs, struct tfe_pair_seg, r->i);
		const struct tfe_pair_seg *m = s->match >= 0 && oc != NULL ?
			&g_array_index(oc->segs, struct tfe_pair_seg,
			               (guint)s->match) : NULL;
		const struct tfe_pair_seg *sa = r->k == 0 ? s : NULL;
		const struct tfe_pair_seg *sb = r->k == 1 ? s : m;
		char fa[24], fb[24], fl[12], ack[16], ta[32], tb[32], tr[48];

		if (r->k == 0 && m == NULL)
			sb = NULL;
		g_snprintf(fa, sizeof fa, sa ? "%" PRIu64 : "-",
		           sa ? sa->frame : 0);
		g_snprintf(fb, sizeof fb, sb ? "%" PRIu64 : "-",
		           sb ? sb->frame : 0);
		flags_str(s->flags, fl);
		if (s->flags & TFE_TH_ACK)
			g_snprintf(ack, sizeof ack, "%u",
			           tfe_conn_rel_seq(pc->c, !s->side, s->ack));
		else
			g_strlcpy(ack, "-", sizeof ack);
		if (sa)
			tfe_format_seconds(sa->ts - base, nanos, true, ta, sizeof ta);
		else
			g_strlcpy(ta, "-", sizeof ta);
		if (sb)
			tfe_format_seconds(sb->ts - off - base, nanos, true, tb,
			                   sizeof tb);
		else
			g_strlcpy(tb, "-", sizeof tb);
		/* the transit: from the capture nearer the sender to the
		 * other (from A to B when it is not known which is nearer) */
		if (sa && sb)
			tfe_format_seconds((sb->ts - off - sa->ts) *
			                   (l->near_client != 2 &&
			                    (s->side == TFE_SIDE_CLIENT) !=
			                    (l->near_client == 0) ? -1 : 1),
			                   nanos, true, tr, sizeof tr);
		else if (s->copy)
			g_strlcpy(tr, "the capture's copy", sizeof tr);
		else
			g_strlcpy(tr, sa ? "not at B" : "not at A", sizeof tr);
		fprintf(out, "   %-7s %-7s %-7s %-6s %-10u %-10s %-6u %-12s %-12s %s\n",
		        fa, fb, side_word[s->side], fl,
		        tfe_conn_rel_seq(pc->c, s->side, s->seq), ack, s->len, ta,
		        tb, tr);
	}
	g_array_free(rows, TRUE);
	for (guint i = 0; i < l->findings->len; i++) {
		const struct tfe_pair_finding *f =
			&g_array_index(l->findings, struct tfe_pair_finding, i);
		const struct tfe_pair_kind_def *d = &tfe_pair_kinds[f->kind];

		fprintf(out, "   verdict %s (%s): %s\n", d->kind,
		        d->severity == TFE_SEV_WARNING ? "warning" : "info",
		        f->message);
	}
	fputc('\n', out);
}

/* The state `side` is in after time `t` (ns, on its own capture's clock),
 * from the capture nearer it: its timeline's last change at or before
 * `t`. */
static uint8_t
state_at(const struct tfe_conn *c, int side, int64_t t)
{
	uint8_t st = c->init_state[side];

	for (guint i = 0; i < c->tl.len; i++) {
		const struct tfe_row *r = &c->tl.rows[i];

		if (r->ts > t)
			break;
		st = r->state[side];
	}
	return st;
}

/* The ladder (--format ladder): the client's lifeline on the left, the
 * server's on the right, the path between them; each state from the
 * capture nearer its side, shown where it changes.  A segment lost on
 * the path ends in x in the middle; one made on the path starts with *
 * there. */
#define LAD_LEFT 34   /* the client's lifeline */
#define LAD_RIGHT 94  /* the server's */

static void
ladder_link(const struct tfe_render_opts *o, const struct tfe_pair *p,
            guint n, const struct tfe_pair_link *l)
{
	FILE *out = o->out;
	const struct tfe_pair_conn *near[2];
	uint8_t shown[2];
	GArray *rows;

	if (l->near_client == 2 || l->conn[0] < 0 || l->conn[1] < 0) {
		/* nothing to draw between two points: the text form */
		text_link(o, p, n, l);
		return;
	}
	fprintf(out, "pair #%u", n);
	for (int k = 0; k < 2; k++) {
		const struct tfe_pair_conn *pc = tfe_pair_link_conn(p, l, k);
		char cl[TFE_ADDR_STRLEN], sv[TFE_ADDR_STRLEN];

		endpoint(pc->c, TFE_SIDE_CLIENT, cl, sizeof cl);
		endpoint(pc->c, TFE_SIDE_SERVER, sv, sizeof sv);
		fprintf(out, "  %s #%" PRIu64 " %s -> %s", cap_name[k], pc->c->id,
		        cl, sv);
	}
	fprintf(out, "  matched by %s\n", tfe_pair_how_names[l->how]);
	near[TFE_SIDE_CLIENT] = tfe_pair_link_conn(p, l, l->near_client);
	near[TFE_SIDE_SERVER] = tfe_pair_link_conn(p, l, !l->near_client);
	fprintf(out, "   %-7s %-7s %-14s %-*s%*s\n", "A", "B", "client",
	        LAD_RIGHT - LAD_LEFT + 1, "", 0, "server");
	fprintf(out, "   %-7s %-7s %14s |%*s| %s\n", "", "(before)",
	        tfe_state_names[near[0]->c->init_state[0]],
	        LAD_RIGHT - LAD_LEFT - 1, "",
	        tfe_state_names[near[1]->c->init_state[1]]);
	shown[0] = near[0]->c->init_state[0];
	shown[1] = near[1]->c->init_state[1];
	rows = merged_rows(p, l);
	for (guint i = 0; i < rows->len; i++) {
		const struct mrow *r = &g_array_index(rows, struct mrow, i);
		const struct tfe_pair_conn *pc = tfe_pair_link_conn(p, l, r->k);
		const struct tfe_pair_conn *oc = tfe_pair_link_conn(p, l, !r->k);
		const struct tfe_pair_seg *s =
			&g_array_index(pc->segs, struct tfe_pair_seg, r->i);
		const struct tfe_pair_seg *m = s->match >= 0 ?
			&g_array_index(oc->segs, struct tfe_pair_seg,
			               (guint)s->match) : NULL;
		/* the capture nearer the sender, and whether it saw it */
		int sender_cap = s->side == TFE_SIDE_CLIENT ? l->near_client :
		                 !l->near_client;
		bool c2s = s->side == TFE_SIDE_CLIENT;
		char fa[24], fb[24], fl[12], label[64], line[LAD_RIGHT + 2];
		const char *st[2] = { "", "" };
		int w = LAD_RIGHT - LAD_LEFT - 1, mid = w / 2, len;
		uint8_t now[2];

		/* a capture's own copy is no passage on the path */
		if (s->copy)
			continue;
		g_snprintf(fa, sizeof fa, r->k == 0 ? "%" PRIu64 : "-",
		           r->k == 0 ? s->frame : 0);
		g_snprintf(fb, sizeof fb, r->k == 1 ? "%" PRIu64 :
		           m ? "%" PRIu64 : "-", r->k == 1 ? s->frame :
		           m ? m->frame : 0);
		flags_str(s->flags, fl);
		{
			char ack[24] = "", ln[24] = "";

			/* a half arrow has room for less: no ack there */
			if ((s->flags & TFE_TH_ACK) && m != NULL)
				g_snprintf(ack, sizeof ack, " ack=%u",
				           tfe_conn_rel_seq(pc->c, !s->side, s->ack));
			if (s->len > 0)
				g_snprintf(ln, sizeof ln, " len=%u", s->len);
			g_snprintf(label, sizeof label, " %s seq=%u%s%s ", fl,
			           tfe_conn_rel_seq(pc->c, s->side, s->seq), ack,
			           ln);
		}
		len = (int)strlen(label);
		if (len > (m != NULL ? w - 6 : mid - 4))
			len = m != NULL ? w - 6 : mid - 4;
		memset(line, '-', (size_t)w);
		line[w] = '\0';
		if (m != NULL) {
			/* both saw it: across the whole path */
			memcpy(line + (w - len) / 2, label, (size_t)len);
			if (c2s)
				line[w - 1] = '>';
			else
				line[0] = '<';
		} else if (r->k == sender_cap) {
			/* lost on the path: from the sender to the middle */
			if (c2s) {
				memcpy(line + 2, label, (size_t)len);
				line[mid] = 'x';
				memset(line + mid + 1, ' ', (size_t)(w - mid - 1));
			} else {
				memset(line, ' ', (size_t)mid);
				line[mid] = 'x';
				memcpy(line + w - 2 - len, label, (size_t)len);
			}
		} else {
			/* made on the path: from the middle to the receiver */
			if (c2s) {
				memset(line, ' ', (size_t)mid);
				line[mid] = '*';
				memcpy(line + mid + 2, label, (size_t)len);
				line[w - 1] = '>';
			} else {
				line[0] = '<';
				memcpy(line + 2, label, (size_t)len);
				line[mid] = '*';
				memset(line + mid + 1, ' ', (size_t)(w - mid - 1));
			}
		}
		/* each side's state after the segment passed it, from the
		 * capture nearer it */
		for (int side = 0; side < 2; side++) {
			int k = side == TFE_SIDE_CLIENT ? l->near_client :
			        !l->near_client;
			const struct tfe_pair_seg *here = r->k == k ? s : m;
			int64_t t;

			if (here == NULL)
				continue;
			t = here->ts;
			now[side] = state_at(near[side]->c, side, t);
			if (now[side] != shown[side]) {
				st[side] = tfe_state_names[now[side]];
				shown[side] = now[side];
			}
		}
		fprintf(out, "   %-7s %-7s %14s |%s| %s\n", fa, fb, st[0], line,
		        st[1]);
	}
	g_array_free(rows, TRUE);
	for (guint i = 0; i < l->findings->len; i++) {
		const struct tfe_pair_finding *f =
			&g_array_index(l->findings, struct tfe_pair_finding, i);
		const struct tfe_pair_kind_def *d = &tfe_pair_kinds[f->kind];

		fprintf(out, "   verdict %s (%s): %s\n", d->kind,
		        d->severity == TFE_SEV_WARNING ? "warning" : "info",
		        f->message);
	}
	fputc('\n', out);
}

static void
text_summary(const struct tfe_render_opts *o, const struct tfe_pair *p)
{
	FILE *out = o->out;
	uint64_t matched = 0, only[2] = { 0, 0 }, how[TFE_PM__COUNT] = { 0 };
	bool nanos = p->cap[0].nanos || p->cap[1].nanos;
	char a[32], b[32], c[32], d[32];

	for (guint i = 0; i < p->links->len; i++) {
		const struct tfe_pair_link *l =
			&g_array_index(p->links, struct tfe_pair_link, i);
		if (l->conn[0] >= 0 && l->conn[1] >= 0) {
			matched++;
			how[l->how]++;
		} else {
			only[l->conn[0] >= 0 ? 0 : 1]++;
		}
	}
	fprintf(out, "pair summary\n");
	for (int k = 0; k < 2; k++)
		fprintf(out, "  %s: %s: %" PRIu64 " frames, %" PRIu64
		        " TCP segments, %" PRIu64 " connection%s\n", cap_name[k],
		        p->cap[k].path, p->cap[k].stats.frames,
		        p->cap[k].stats.tcp_segments, p->cap[k].stats.connections,
		        p->cap[k].stats.connections == 1 ? "" : "s");
	fprintf(out, "  connections: %" PRIu64 " in both (%" PRIu64 " by ISNs, %"
	        PRIu64 " by timestamps, %" PRIu64 " by addresses), %" PRIu64
	        " in A alone, %" PRIu64 " in B alone\n", matched,
	        how[TFE_PM_ISN], how[TFE_PM_TIMESTAMPS], how[TFE_PM_ADDRESSES],
	        only[0], only[1]);
	fprintf(out, "  segments: %" PRIu64 " in both; lost on the path: %"
	        PRIu64 " sent on A's side, %" PRIu64 " sent on B's side; "
	        "appeared on the path: %" PRIu64 " toward A, %" PRIu64
	        " toward B\n", p->matched_segments, p->lost[0], p->lost[1],
	        p->appeared[1], p->appeared[0]);
	if (p->clock_known) {
		tfe_format_seconds(p->offset, nanos, true, a, sizeof a);
		tfe_format_seconds(p->bound, nanos, false, b, sizeof b);
		tfe_format_seconds(p->min_transit[0], nanos, true, c, sizeof c);
		tfe_format_seconds(p->min_transit[1], nanos, true, d, sizeof d);
		fprintf(out, "  clocks: B's clock reads %s s against A's (within "
		        "%s s); one-way delay between the capture points %s s "
		        "each way, assuming the same delay both ways (quickest "
		        "transits as the clocks read them: A to B %s s over %"
		        PRIu64 " segments, B to A %s s over %" PRIu64 ")\n", a, b,
		        b, c, p->samples[0], d, p->samples[1]);
	} else {
		fprintf(out, "  clocks: not estimated (no segment seen by both "
		        "captures in each direction)\n");
	}
	fprintf(out, "  verdicts (connections):");
	bool any = false;
	for (int k = 0; k < TFE_PF__COUNT; k++)
		if (p->findings[k]) {
			fprintf(out, "%s %s %" PRIu64, any ? "," : "",
			        tfe_pair_kinds[k].kind, p->findings[k]);
			any = true;
		}
	fprintf(out, "%s\n", any ? "" : " none");
}

static void
json_link(const struct tfe_render_opts *o, const struct tfe_pair *p,
          guint n, const struct tfe_pair_link *l)
{
	GString *g = g_string_new(NULL);

	g_string_append_printf(g, "{\"type\":\"pair_connection\",\"schema\":%d,"
	                       "\"id\":%u,\"matched_by\":", TFE_JSON_SCHEMA, n);
	if (l->conn[0] >= 0 && l->conn[1] >= 0)
		g_string_append_printf(g, "\"%s\"", tfe_pair_how_names[l->how]);
	else
		g_string_append(g, "null");
	g_string_append(g, ",\"near_client\":");
	if (l->near_client == 2)
		g_string_append(g, "null");
	else
		g_string_append_printf(g, "\"%s\"", cap_key[l->near_client]);
	for (int k = 0; k < 2; k++) {
		const struct tfe_pair_conn *pc = tfe_pair_link_conn(p, l, k);
		char cl[TFE_ADDR_STRLEN], sv[TFE_ADDR_STRLEN];

		g_string_append_printf(g, ",\"%s\":", cap_key[k]);
		if (pc == NULL) {
			g_string_append(g, "null");
			continue;
		}
		tfe_addr_format(pc->c->family,
		                tfe_conn_addr(pc->c, TFE_SIDE_CLIENT), cl, sizeof cl);
		tfe_addr_format(pc->c->family,
		                tfe_conn_addr(pc->c, TFE_SIDE_SERVER), sv, sizeof sv);
		g_string_append_printf(g, "{\"conn\":%" PRIu64 ",\"client\":{\"addr\":"
		                       "\"%s\",\"port\":%u},\"server\":{\"addr\":\"%s\","
		                       "\"port\":%u},\"first_frame\":%" PRIu64
		                       ",\"last_frame\":%" PRIu64 "}", pc->c->id, cl,
		                       tfe_conn_port(pc->c, TFE_SIDE_CLIENT), sv,
		                       tfe_conn_port(pc->c, TFE_SIDE_SERVER),
		                       pc->c->first_frame, pc->c->last_frame);
	}
	g_string_append_printf(g, ",\"isn_shift\":{\"client\":%u,\"server\":%u}",
	                       l->isn_shift[0], l->isn_shift[1]);
	g_string_append_printf(g, ",\"segments\":{\"matched\":%u,\"only_a\":%u,"
	                       "\"only_b\":%u}", l->matched, l->only[0],
	                       l->only[1]);
	g_string_append(g, ",\"states\":{");
	for (int side = 0; side < 2; side++) {
		int k = own_capture(l, side);
		const struct tfe_pair_conn *pc = tfe_pair_link_conn(p, l, k);
		uint8_t st;

		g_string_append_printf(g, "%s\"%s\":{\"capture\":\"%s\","
		                       "\"changes\":[", side ? "," : "",
		                       side_word[side], cap_key[k]);
		st = pc->c->init_state[side];
		g_string_append_printf(g, "{\"state\":\"%s\",\"frame\":null,"
		                       "\"ts\":null}", tfe_state_names[st]);
		for (guint i = 0; i < pc->c->tl.len; i++) {
			const struct tfe_row *r = &pc->c->tl.rows[i];

			if (r->state[side] == st)
				continue;
			st = r->state[side];
			if (r->kind == TFE_ROW_TIMER)
				g_string_append_printf(g, ",{\"state\":\"%s\","
				                       "\"frame\":null,\"ts\":",
				                       tfe_state_names[st]);
			else
				g_string_append_printf(g, ",{\"state\":\"%s\","
				                       "\"frame\":%" PRIu64 ",\"ts\":",
				                       tfe_state_names[st], r->frame);
			g_ts(g, r->ts, p->cap[k].nanos);
			g_string_append_c(g, '}');
		}
		g_string_append(g, "]}");
	}
	g_string_append(g, "},\"verdicts\":[");
	for (guint i = 0; i < l->findings->len; i++) {
		const struct tfe_pair_finding *f =
			&g_array_index(l->findings, struct tfe_pair_finding, i);
		const struct tfe_pair_kind_def *d = &tfe_pair_kinds[f->kind];

		g_string_append_printf(g, "%s{\"kind\":\"%s\",\"severity\":\"%s\","
		                       "\"side\":\"%s\"", i ? "," : "", d->kind,
		                       d->severity == TFE_SEV_WARNING ? "warning" :
		                       "info", side_word[f->side]);
		for (int k = 0; k < 2; k++) {
			bool first = true;

			g_string_append_printf(g, ",\"frames_%s\":[", cap_key[k]);
			for (int j = 0; j < TFE_PAIR_MAX_FRAMES; j++) {
				if (f->frames[k][j] == 0)
					continue;
				g_string_append_printf(g, "%s%" PRIu64, first ? "" : ",",
				                       f->frames[k][j]);
				first = false;
			}
			g_string_append_c(g, ']');
		}
		g_string_append(g, ",\"message\":");
		tfe_json_append_string(g, f->message);
		g_string_append_c(g, '}');
	}
	g_string_append(g, "]}\n");
	fputs(g->str, o->out);
	g_string_free(g, TRUE);
}

char *
tfe_render_pair_summary_json(const struct tfe_pair *p)
{
	GString *g = g_string_new(NULL);
	uint64_t matched = 0, only[2] = { 0, 0 };

	for (guint i = 0; i < p->links->len; i++) {
		const struct tfe_pair_link *l =
			&g_array_index(p->links, struct tfe_pair_link, i);
		if (l->conn[0] >= 0 && l->conn[1] >= 0)
			matched++;
		else
			only[l->conn[0] >= 0 ? 0 : 1]++;
	}
	g_string_append(g, "{\"files\":{\"a\":");
	tfe_json_append_string(g, p->cap[0].path);
	g_string_append(g, ",\"b\":");
	tfe_json_append_string(g, p->cap[1].path);
	g_string_append_printf(g, "},\"frames_b\":%" PRIu64 ",\"connections_b\":%"
	                       PRIu64, p->cap[1].stats.frames,
	                       p->cap[1].stats.connections);
	g_string_append_printf(g, ",\"connections\":{\"matched\":%" PRIu64
	                       ",\"only_a\":%" PRIu64 ",\"only_b\":%" PRIu64 "}",
	                       matched, only[0], only[1]);
	g_string_append_printf(g, ",\"segments\":{\"matched\":%" PRIu64
	                       ",\"lost_on_path\":{\"from_a_side\":%" PRIu64
	                       ",\"from_b_side\":%" PRIu64 "},\"appeared_on_path\":"
	                       "{\"toward_a\":%" PRIu64 ",\"toward_b\":%" PRIu64
	                       "}}", p->matched_segments, p->lost[0], p->lost[1],
	                       p->appeared[1], p->appeared[0]);
	g_string_append(g, ",\"clock\":");
	if (p->clock_known) {
		g_string_append(g, "{\"offset_s\":");
		g_secs(g, p->offset);
		g_string_append(g, ",\"bound_s\":");
		g_secs(g, p->bound);
		g_string_append(g, ",\"delay_a_to_b_s\":");
		g_secs(g, p->bound);
		g_string_append(g, ",\"delay_b_to_a_s\":");
		g_secs(g, p->bound);
		g_string_append(g, ",\"min_transit_a_to_b_s\":");
		g_secs(g, p->min_transit[0]);
		g_string_append(g, ",\"min_transit_b_to_a_s\":");
		g_secs(g, p->min_transit[1]);
		g_string_append_printf(g, ",\"samples_a_to_b\":%" PRIu64
		                       ",\"samples_b_to_a\":%" PRIu64
		                       ",\"assumption\":\"symmetric\"}",
		                       p->samples[0], p->samples[1]);
	} else {
		g_string_append(g, "null");
	}
	g_string_append(g, ",\"verdicts\":{");
	for (int k = 0; k < TFE_PF__COUNT; k++)
		g_string_append_printf(g, "%s\"%s\":%" PRIu64, k ? "," : "",
		                       tfe_pair_kinds[k].kind, p->findings[k]);
	g_string_append(g, "}}");
	return g_string_free(g, FALSE);
}

/* A side's state when its own capture (the one nearer it) ended: what
 * netstat on that host would have shown then. */
static uint8_t
end_state(const struct tfe_pair *p, const struct tfe_pair_link *l, int side,
          int *cap)
{
	int k = own_capture(l, side);
	const struct tfe_pair_conn *pc = tfe_pair_link_conn(p, l, k);

	*cap = k;
	return state_at(pc->c, side, p->cap[k].last_ts);
}

/* Whether `side`'s states come from the capture nearer it (not from the
 * other one, which cannot tell what that host did). */
static bool
side_near(const struct tfe_pair_link *l, int side)
{
	int k = side == TFE_SIDE_CLIENT ? l->near_client : !l->near_client;

	return l->near_client != 2 && l->conn[k] >= 0;
}

/* --format conn: one line per connection of the pair, each capture's
 * names for it, each side's state at the end of the capture nearer it,
 * the segment counts and the kinds found. */
static void
conn_header(FILE *out)
{
	fprintf(out, "#pair a_conn b_conn matched_by near_client %-23s %-23s "
	        "%-23s %-23s %-12s %-12s both only_a only_b verdicts\n",
	        "a_client", "a_server", "b_client", "b_server", "client_state",
	        "server_state");
}

static void
conn_link(const struct tfe_render_opts *o, const struct tfe_pair *p,
          guint n, const struct tfe_pair_link *l)
{
	FILE *out = o->out;
	char ep[4][TFE_ADDR_STRLEN], num[2][24];
	const char *st[2];
	GString *v = g_string_new(NULL);
	int k;

	for (k = 0; k < 2; k++) {
		const struct tfe_pair_conn *pc = tfe_pair_link_conn(p, l, k);

		if (pc == NULL) {
			g_strlcpy(ep[2 * k], "-", sizeof ep[0]);
			g_strlcpy(ep[2 * k + 1], "-", sizeof ep[0]);
			g_strlcpy(num[k], "-", sizeof num[0]);
			continue;
		}
		endpoint(pc->c, TFE_SIDE_CLIENT, ep[2 * k], sizeof ep[0]);
		endpoint(pc->c, TFE_SIDE_SERVER, ep[2 * k + 1], sizeof ep[0]);
		g_snprintf(num[k], sizeof num[0], "%" PRIu64, pc->c->id);
	}
	for (guint i = 0; i < l->findings->len; i++) {
		const char *kind = tfe_pair_kinds[g_array_index(
			l->findings, struct tfe_pair_finding, i).kind].kind;
		bool dup = false;

		for (guint j = 0; j < i && !dup; j++)
			dup = g_array_index(l->findings, struct tfe_pair_finding,
			                    j).kind == g_array_index(
				l->findings, struct tfe_pair_finding, i).kind;
		if (!dup)
			g_string_append_printf(v, "%s%s", v->len ? "," : "", kind);
	}
	/* a side the capture nearer it did not see: not known */
	for (int side = 0; side < 2; side++)
		st[side] = l->near_client != 2 && !side_near(l, side) ? "-" :
		           tfe_state_names[end_state(p, l, side, &k)];
	fprintf(out, "%-5u %-6s %-6s %-10s %-11s %-23s %-23s %-23s %-23s "
	        "%-12s %-12s %-4u %-6u %-6u %s\n", n, num[0], num[1],
	        l->conn[0] >= 0 && l->conn[1] >= 0 ?
	        tfe_pair_how_names[l->how] : "-",
	        l->near_client == 2 ? "-" : cap_key[l->near_client],
	        ep[0], ep[1], ep[2], ep[3], st[0], st[1],
	        l->matched, l->only[0], l->only[1], v->len ? v->str : "-");
	g_string_free(v, TRUE);
}

/* --format netstat: each host's sockets as netstat on it would have
 * listed them when the capture nearer it ended, its addresses as that
 * capture saw them (before any NAT on the path); a side the capture
 * nearer it did not see is left out.  The queues are not known from a
 * pair: "-". */
static void
netstat_pair(const struct tfe_render_opts *o, const struct tfe_pair *p)
{
	FILE *out = o->out;
	GPtrArray *hosts = g_ptr_array_new_with_free_func(g_free);

	fprintf(out, "netstat view of each host when the capture nearer it "
	        "ended (A: %s, B: %s)\n", p->cap[0].path, p->cap[1].path);
	/* the hosts in the order their first socket comes */
	for (guint i = 0; i < p->links->len; i++)
		for (int side = 0; side < 2; side++) {
			const struct tfe_pair_link *l = &g_array_index(
				p->links, struct tfe_pair_link, i);
			int k = own_capture(l, side);
			const struct tfe_conn *c = tfe_pair_link_conn(p, l, k)->c;
			char a[TFE_ADDR_STRLEN], *h;
			bool seen = false;

			if (!side_near(l, side))
				continue;
			tfe_addr_format(c->family, tfe_conn_addr(c, side), a,
			                sizeof a);
			h = g_strdup_printf("%s (from %s)", a, cap_name[k]);
			for (guint j = 0; j < hosts->len && !seen; j++)
				seen = strcmp(g_ptr_array_index(hosts, j), h) == 0;
			if (seen)
				g_free(h);
			else
				g_ptr_array_add(hosts, h);
		}
	for (guint j = 0; j < hosts->len; j++) {
		const char *h = g_ptr_array_index(hosts, j);
		uint64_t count = 0;

		fprintf(out, "\nhost %s\n%-5s %-6s %-6s %-23s %-23s %s\n", h,
		        "Proto", "Recv-Q", "Send-Q", "Local Address",
		        "Foreign Address", "State");
		for (guint i = 0; i < p->links->len; i++)
			for (int side = 0; side < 2; side++) {
				const struct tfe_pair_link *l = &g_array_index(
					p->links, struct tfe_pair_link, i);
				int k;
				uint8_t st;
				const struct tfe_conn *c;
				char a[TFE_ADDR_STRLEN], me[TFE_ADDR_STRLEN],
				     peer[TFE_ADDR_STRLEN];
				char *mine;

				if (!side_near(l, side))
					continue;
				st = end_state(p, l, side, &k);
				c = tfe_pair_link_conn(p, l, k)->c;
				tfe_addr_format(c->family, tfe_conn_addr(c, side),
				                a, sizeof a);
				mine = g_strdup_printf("%s (from %s)", a,
				                       cap_name[k]);
				if (strcmp(mine, h) != 0 || st == TFE_ST_CLOSED ||
				    st == TFE_ST_UNKNOWN || st == TFE_ST_LISTEN) {
					g_free(mine);
					continue;
				}
				g_free(mine);
				endpoint(c, side, me, sizeof me);
				endpoint(c, !side, peer, sizeof peer);
				fprintf(out, "%-5s %-6s %-6s %-23s %-23s %s\n",
				        c->family == 6 ? "tcp6" : "tcp", "-", "-",
				        me, peer, tfe_state_names[st]);
				count++;
			}
		fprintf(out, "  sockets: %" PRIu64 "\n", count);
	}
	g_ptr_array_free(hosts, TRUE);
}

struct link_part {
	const struct tfe_pair *p;
	guint n;
	const struct tfe_pair_link *l;
	void (*fn)(const struct tfe_render_opts *, const struct tfe_pair *,
	           guint, const struct tfe_pair_link *);
};

static void
link_part(const struct tfe_render_opts *t, const void *ud)
{
	const struct link_part *x = ud;

	if (x->l != NULL)
		x->fn(t, x->p, x->n, x->l);
	else
		text_summary(t, x->p);
}

/* One renderer's output for a link (or the summary when `l` is NULL),
 * captured without colours. */
static char *
captured(const struct tfe_render_opts *o, const struct tfe_pair *p, guint n,
         const struct tfe_pair_link *l,
         void (*fn)(const struct tfe_render_opts *, const struct tfe_pair *,
                    guint, const struct tfe_pair_link *))
{
	struct link_part x = { p, n, l, fn };

	return tfe_render_captured(o, link_part, &x);
}

/* --format html: one self-contained page, a section per connection of
 * the pair (the ladder, or the text form where there is nothing to
 * draw between two points, and its findings listed), then the pair
 * summary; an index of the connections with their kinds first. */
static void
html_pair(const struct tfe_render_opts *o, const struct tfe_pair *p)
{
	GString *g = g_string_new(NULL);
	char *t;

	g_string_append(g, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	                "<meta charset=\"utf-8\">\n<title>tcpflow-explain "
	                "--pair ");
	tfe_html_escape(g, p->cap[0].path);
	g_string_append(g, " ");
	tfe_html_escape(g, p->cap[1].path);
	g_string_append(g, "</title>\n<style>\nbody{font-family:sans-serif;"
	                "margin:1em 2em}\npre{font-size:12px;overflow-x:auto}\n"
	                "li.warning{color:#a00}\nli.info{color:#036}\n"
	                "</style>\n</head>\n<body>\n<h1>Two captures of one "
	                "path</h1>\n<p>A: <code>");
	tfe_html_escape(g, p->cap[0].path);
	g_string_append(g, "</code>, B: <code>");
	tfe_html_escape(g, p->cap[1].path);
	g_string_append(g, "</code> (doc/pair.md says how they are "
	                "matched)</p>\n<ul>\n");
	for (guint i = 0; i < p->links->len; i++) {
		const struct tfe_pair_link *l =
			&g_array_index(p->links, struct tfe_pair_link, i);
		const struct tfe_pair_conn *pc = tfe_pair_link_conn(
			p, l, l->conn[0] >= 0 ? 0 : 1);
		char cl[TFE_ADDR_STRLEN], sv[TFE_ADDR_STRLEN];

		endpoint(pc->c, TFE_SIDE_CLIENT, cl, sizeof cl);
		endpoint(pc->c, TFE_SIDE_SERVER, sv, sizeof sv);
		g_string_append_printf(g, "<li><a href=\"#pair-%u\">pair #%u</a> ",
		                       i + 1, i + 1);
		tfe_html_escape(g, cl);
		g_string_append(g, " &rarr; ");
		tfe_html_escape(g, sv);
		for (int k = 0, any = 0; k < TFE_PF__COUNT; k++)
			for (guint j = 0; j < l->findings->len; j++)
				if (g_array_index(l->findings,
				                  struct tfe_pair_finding,
				                  j).kind == k) {
					g_string_append_printf(
						g, "%s%s", any++ ? ", " : ": ",
						tfe_pair_kinds[k].kind);
					break;
				}
		g_string_append(g, "</li>\n");
	}
	g_string_append(g, "</ul>\n");
	for (guint i = 0; i < p->links->len; i++) {
		const struct tfe_pair_link *l =
			&g_array_index(p->links, struct tfe_pair_link, i);

		g_string_append_printf(g, "<h2 id=\"pair-%u\">pair #%u</h2>\n",
		                       i + 1, i + 1);
		if (l->findings->len > 0) {
			g_string_append(g, "<ul>\n");
			for (guint j = 0; j < l->findings->len; j++) {
				const struct tfe_pair_finding *f = &g_array_index(
					l->findings, struct tfe_pair_finding, j);
				const struct tfe_pair_kind_def *d =
					&tfe_pair_kinds[f->kind];
				const char *sev = d->severity == TFE_SEV_WARNING ?
				                  "warning" : "info";

				g_string_append_printf(g, "<li class=\"%s\"><b>%s"
				                       "</b> (%s): ", sev, d->kind,
				                       sev);
				tfe_html_escape(g, f->message);
				g_string_append(g, "</li>\n");
			}
			g_string_append(g, "</ul>\n");
		}
		t = captured(o, p, i + 1, l, ladder_link);
		g_string_append(g, "<pre>");
		tfe_html_escape(g, t);
		g_string_append(g, "</pre>\n");
		free(t);
	}
	t = captured(o, p, 0, NULL, NULL);
	g_string_append(g, "<h2>Summary</h2>\n<pre>");
	tfe_html_escape(g, t);
	g_string_append(g, "</pre>\n</body>\n</html>\n");
	free(t);
	fputs(g->str, o->out);
	g_string_free(g, TRUE);
}

void
tfe_render_pair(const struct tfe_render_opts *o, const struct tfe_pair *p)
{
	if (o->format == TFE_FMT_NETSTAT) {
		netstat_pair(o, p);
		return;
	}
	if (o->format == TFE_FMT_HTML) {
		html_pair(o, p);
		return;
	}
	if (o->format == TFE_FMT_CONN)
		conn_header(o->out);
	for (guint i = 0; i < p->links->len; i++) {
		const struct tfe_pair_link *l =
			&g_array_index(p->links, struct tfe_pair_link, i);
		if (o->verdicts_only) {
			bool warn = false;
			for (guint j = 0; j < l->findings->len; j++)
				if (tfe_pair_kinds[g_array_index(
					l->findings, struct tfe_pair_finding,
					j).kind].severity == TFE_SEV_WARNING)
					warn = true;
			if (!warn)
				continue;
		}
		if (o->format == TFE_FMT_JSON)
			json_link(o, p, i + 1, l);
		else if (o->format == TFE_FMT_TEXT)
			text_link(o, p, i + 1, l);
		else if (o->format == TFE_FMT_LADDER)
			ladder_link(o, p, i + 1, l);
		else if (o->format == TFE_FMT_CONN)
			conn_link(o, p, i + 1, l);
	}
	if (o->format == TFE_FMT_CONN)
		return;
	if (o->format == TFE_FMT_JSON) {
		struct tfe_render_opts jo = *o;
		char *pj = tfe_render_pair_summary_json(p);

		jo.summary_pair = pj;
		tfe_render_json_summary(&jo, &p->cap[0].stats);
		g_free(pj);
	} else {
		text_summary(o, p);
	}
}
