/*
 * render_conn.c: one line per connection (--format conn), in aligned
 * columns under a header, as Zeek's conn.log gives them: what to read
 * first on a large capture, and what sort, awk and grep take as it is.
 * Formatting only.
 */
#include "render.h"

#include <inttypes.h>

#include "addr.h"

/* The columns: the header's names and the widths they are padded to (a
 * longer value, an IPv6 endpoint, pushes the rest of its line along). */
#define W_START 20
#define W_DUR 12
#define W_END 23
#define W_CLOSE 12
#define W_STATE 12
#define W_BY 7
#define W_NUM 10
#define W_RTT 10

void
tfe_render_conn_header(const struct tfe_render_opts *o)
{
	fprintf(o->out,
	        "%-*s %*s %-*s %-*s %-*s %-*s %-*s %-*s %*s %*s %*s %*s %*s "
	        "%s\n",
	        W_START, "#start", W_DUR, "duration", W_END, "client", W_END,
	        "server", W_CLOSE, "close", W_STATE, "client_state", W_STATE,
	        "server_state", W_BY, "closed", W_NUM, "c_bytes", W_NUM,
	        "s_bytes", W_NUM, "c_pkts", W_NUM, "s_pkts", W_RTT, "rtt_ms",
	        "verdicts");
}

void
tfe_render_conn_line(const struct tfe_render_opts *o, const struct tfe_conn *c)
{
	char start[32], dur[32], cli[TFE_ADDR_STRLEN], srv[TFE_ADDR_STRLEN];
	char rtt[32];
	const struct tfe_endpoint *ce = &c->ep[TFE_SIDE_CLIENT];
	const struct tfe_endpoint *se = &c->ep[TFE_SIDE_SERVER];
	bool ns = c->timestamps_ns;
	int64_t up, down;

	tfe_format_seconds(c->first_ts, ns, false, start, sizeof start);
	tfe_format_seconds(c->last_ts - c->first_ts, ns, false, dur, sizeof dur);
	tfe_endpoint_format(c->family, tfe_conn_addr(c, TFE_SIDE_CLIENT),
	                    tfe_conn_port(c, TFE_SIDE_CLIENT), cli, sizeof cli);
	tfe_endpoint_format(c->family, tfe_conn_addr(c, TFE_SIDE_SERVER),
	                    tfe_conn_port(c, TFE_SIDE_SERVER), srv, sizeof srv);
	/* no RTT when no handshake was seen, or when Karn's rule says an
	 * answer may be to either copy of a re-sent SYN */
	if (tfe_conn_handshake_rtt(c, &up, &down) &&
	    tfe_conn_handshake_ambiguous(c) == NULL)
		snprintf(rtt, sizeof rtt, ns ? "%.6f" : "%.3f",
		         (double)(up + down) / 1e6);
	else
		snprintf(rtt, sizeof rtt, "-");
	fprintf(o->out,
	        "%-*s %*s %-*s %-*s %-*s %-*s %-*s %-*s %*" PRIu64 " %*" PRIu64
	        " %*" PRIu64 " %*" PRIu64 " %*s ",
	        W_START, start, W_DUR, dur, W_END, cli, W_END, srv, W_CLOSE,
	        tfe_close_names[c->close_how], W_STATE,
	        tfe_state_names[ce->state], W_STATE, tfe_state_names[se->state],
	        W_BY, c->closed_first == TFE_SIDE_CLIENT ? "client" :
	        c->closed_first == TFE_SIDE_SERVER ? "server" : "-",
	        W_NUM, ce->bytes, W_NUM, se->bytes, W_NUM, ce->pkts, W_NUM,
	        se->pkts, W_RTT, rtt);
	/* each kind once, in the order of the catalogue */
	uint64_t kinds = 0;
	for (guint i = 0; c->verdicts && i < c->verdicts->len; i++)
		kinds |= UINT64_C(1) << g_array_index(c->verdicts,
		                                      struct tfe_verdict, i).kind;
	bool any = false;
	for (int k = 0; k < TFE_V__COUNT; k++)
		if (kinds & (UINT64_C(1) << k)) {
			fprintf(o->out, "%s%s", any ? "," : "", tfe_verdicts[k].kind);
			any = true;
		}
	fputs(any ? "\n" : "-\n", o->out);
}
