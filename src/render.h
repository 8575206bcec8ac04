/*
 * render.h: the output forms.  Renderers only format what the analysis
 * recorded; they never decide anything about a connection.
 */
#ifndef TFE_RENDER_H
#define TFE_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "analyze.h"
#include "conn.h"
#include "format.h"

enum tfe_format {
	TFE_FMT_TEXT,
	TFE_FMT_SUMMARY,
	TFE_FMT_NETSTAT,
	TFE_FMT_JSON,
	TFE_FMT_LADDER,
	TFE_FMT_CONN,
	TFE_FMT_HTML,
	TFE_FMT__COUNT
};
extern const char *const tfe_format_names[TFE_FMT__COUNT];

struct tfe_html;

struct tfe_render_opts {
	enum tfe_format format;
	const struct tfe_config *cfg;
	FILE *out;
	bool color;            /* SGR colours by severity */
	bool verdicts_only;    /* only connections with a warning verdict */
	bool events;           /* json: each connection's timeline rows */
	uint8_t tstamp;        /* text, ladder and html: the frame rows'
	                          time column (-t and the like, enum
	                          tfe_tstamp) */
	bool raw_seq;          /* text and ladder: sequence and acknowledgment
	                          numbers as on the wire (-S), not relative to
	                          each side's ISN */
	struct tfe_html *html; /* html: the page being gathered */
	const char *summary_pair; /* json: --pair's object for the summary
	                             (render_pair.c), or NULL */
};

/* One connection block, as README.md shows it. */
void tfe_render_text_conn(const struct tfe_render_opts *o,
                          const struct tfe_conn *c);

/* Its parts that other forms share: the first line (4-tuple, who opened
 * and closed, how it ended, the Zeek pair, duration), and what follows the
 * timeline (verdicts, the end line, a blank line). */
void tfe_render_text_title(const struct tfe_render_opts *o,
                           const struct tfe_conn *c);
void tfe_render_text_footer(const struct tfe_render_opts *o,
                            const struct tfe_conn *c);

/* A timeline row's time as -t and the like ask (o->tstamp), terminated,
 * into `buf` (at least 48 bytes): `prev` is the row above's time (for
 * -ttt; the connection's first frame's for the first row).  The time
 * column is tfe_tstamp_width() wide. */
char *tfe_render_row_time(const struct tfe_render_opts *o,
                          const struct tfe_conn *c, int64_t ts, int64_t prev,
                          char *buf);
/* The title and the line of facts under it (options, handshake RTT,
 * capture point, completeness), as the text form's block starts. */
void tfe_render_text_header(const struct tfe_render_opts *o,
                            const struct tfe_conn *c);

/* A window as the text form prints it: "502x128" when scaled, else raw. */
void tfe_format_window(const struct tfe_conn *c, int side, uint16_t raw,
                       uint16_t flags, char *buf, size_t len);

/* The sequence diagram (--format ladder): the client's and the server's
 * lifelines with each side's state beside its own, one line per timeline
 * row, arrows labelled with the segment, at most TFE_LADDER_WIDTH columns
 * (a few more with nanosecond times), then the verdicts as in text. */
#define TFE_LADDER_WIDTH 100
void tfe_render_ladder_conn(const struct tfe_render_opts *o,
                            const struct tfe_conn *c);

/* The ladder's pieces that the HTML page draws as well (render_ladder.c).
 * What a reason recorded on a frame row says about its segment: the
 * receiver's says whether it never arrived (LOST), a correction is worth
 * its sentence under the row (NOTE); anything else is in the states. */
enum tfe_ladder_mark {
	TFE_LADDER_MARK_NONE,
	TFE_LADDER_MARK_LOST,  /* it never reached the receiver */
	TFE_LADDER_MARK_NOTE,  /* a correction worth its sentence */
};
enum tfe_ladder_mark tfe_ladder_reason_mark(uint8_t reason, bool receiver);
/* Flags as words, in the text form's letter order: "SYN+ACK". */
void tfe_flag_words(uint16_t f, GString *g);
/* A frame row's arrow label in at most `room` columns: flags, seq, ack,
 * length, notes, window, then the options that fit ("..." where cut). */
void tfe_ladder_label(const struct tfe_conn *c, const struct tfe_row *r,
                      bool raw_seq, GString *g, gsize room);
/* What a run row folded: "4 frames: client 100 bytes win 502, ..." (with
 * the windows, with "of data and ACKs" as asked). */
void tfe_ladder_run_text(const struct tfe_conn *c, const struct tfe_row *r,
                         bool windows, bool words, GString *g);

/* The summary: counts of packets, connections, final states and verdicts. */
void tfe_render_text_summary(const struct tfe_render_opts *o,
                             const struct tfe_stats *s);

/* The JSON Lines form (doc/json.md): one connection object per line. */
#define TFE_JSON_SCHEMA 2
void tfe_render_json_conn(const struct tfe_render_opts *o,
                          const struct tfe_conn *c);

/* The summary object, the last line. */
void tfe_render_json_summary(const struct tfe_render_opts *o,
                             const struct tfe_stats *s);

/* Appends `s` as a JSON string (quotes included) to `out`: made valid
 * UTF-8 (U+FFFD for each invalid sequence), then escaped as RFC 8259 §7
 * asks (render_json.c says how, byte for byte). */
void tfe_json_append_string(GString *out, const char *s);

/* The JSON names of the decode outcomes (NULL for TFE_DR_OK) and of the
 * frame notes; tests check that none is missing. */
extern const char *const tfe_json_decode_keys[TFE_DR__COUNT];
struct tfe_json_note {
	uint16_t bit;          /* TFE_NOTE_* */
	const char *name;
};
#define TFE_JSON_NOTES 12
extern const struct tfe_json_note tfe_json_notes[TFE_JSON_NOTES];

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

/* One line per connection (--format conn, render_conn.c): the header
 * first, then a line as each connection ends. */
void tfe_render_conn_header(const struct tfe_render_opts *o);
void tfe_render_conn_line(const struct tfe_render_opts *o,
                          const struct tfe_conn *c);

/* The picture of the whole capture (render_picture.c): per server
 * address and port, counted as each connection is judged. */
struct tfe_server_row {
	uint8_t family;
	uint8_t addr[16];
	uint16_t port;
	uint64_t connections;
	uint64_t by_close[TFE_CLOSE__COUNT];
	uint64_t by_verdict[TFE_V__COUNT];   /* connections with each kind */
	GArray *rtts;                         /* int64_t ns, handshake RTTs */
	bool has_rtt;                         /* set by tfe_picture_servers() */
	int64_t rtt_median, rtt_p99;          /* ns, nearest rank */
};
#define TFE_PICTURE_TEXT_MAX 20   /* servers the text lists */
#define TFE_PICTURE_OFFENDERS 3   /* servers named per warning kind */
struct tfe_picture;
struct tfe_picture *tfe_picture_new(void);
void tfe_picture_add(struct tfe_picture *p, const struct tfe_conn *c);
/* The servers, busiest first (the rows stay the picture's). */
GPtrArray *tfe_picture_servers(struct tfe_picture *p);
/* The (at most max) servers with the most connections carrying `kind`. */
guint tfe_picture_offenders(GPtrArray *servers, int kind,
                            const struct tfe_server_row **top, guint max);
void tfe_picture_print(const struct tfe_render_opts *o,
                       struct tfe_picture *p);
void tfe_render_json_picture(const struct tfe_render_opts *o,
                             struct tfe_picture *p, bool nanos);
void tfe_picture_free(struct tfe_picture *p);

/* The operator's view (render_watch.c): an alert as it fires, and the
 * socket table of --every and SIGUSR1, text and JSON. */
void tfe_render_text_alert(const struct tfe_render_opts *o,
                           const struct tfe_alert *al);
void tfe_render_json_alert(const struct tfe_render_opts *o,
                           const struct tfe_alert *al);

/* One row of the table: the sockets of one group in one state. */
struct tfe_table_row {
	uint8_t family;
	uint8_t role;           /* TFE_SIDE_SERVER: the server's sockets;
	                           TFE_SIDE_CLIENT: a client host's, to the
	                           server of service/port */
	uint8_t state;          /* enum tfe_state */
	uint8_t host[16];       /* the host the sockets live on */
	uint8_t service[16];    /* the server's address */
	uint16_t port;          /* the server's port */
	uint64_t count;
	int64_t change;         /* since the previous table */
	int64_t oldest_since;   /* ns: the oldest entered the state then */
	bool kernel;            /* live: local sockets in the state the
	                           kernel gave them at the table's query
	                           (kernel.h), with their queues summed */
	uint64_t recv_q, send_q;
};
/* The table, kept from one time to the next for the changes; each time
 * gives a shot of its own, which may be written by another thread. */
struct tfe_table;
struct tfe_table_shot {
	GArray *rows;           /* struct tfe_table_row, in print order */
	int64_t at, first_ts;   /* ns */
	bool nanos;
};
struct tfe_table *tfe_table_new(void);
struct tfe_table_shot *tfe_table_take(struct tfe_table *t,
                                      const struct tfe_analyzer *a,
                                      int64_t at);
/* "10.0.0.2:80" (a server's) or "10.0.0.1:*" (a client's), and the
 * server's endpoint */
void tfe_table_row_names(const struct tfe_table_row *r, char *local,
                         size_t llen, char *service, size_t slen);
void tfe_table_print(const struct tfe_render_opts *o,
                     const struct tfe_table_shot *t);
void tfe_render_json_table(const struct tfe_render_opts *o,
                           const struct tfe_table_shot *t);
void tfe_table_shot_free(struct tfe_table_shot *s);
void tfe_table_free(struct tfe_table *t);

/* Live: the kernel's answer about `side` of `c` at the query made for
 * the table or netstat view of `at` (tfe_analyzer_query_all(), within 2 s
 * of it), or NULL: offline, a remote side, or no such query.  The
 * tables and the netstat view show such a socket in the kernel's state
 * with its queues, and every other socket by the wire (render_watch.c). */
const struct tfe_ksock *tfe_kernel_view(const struct tfe_conn *c, int side,
                                        int64_t at);
/* The same for a TIME_WAIT remembered after its connection (`conn_id`)
 * was reported: its local socket as the kernel had it then, or NULL. */
const struct tfe_ktw *tfe_kernel_tw_view(const struct tfe_analyzer *a,
                                         uint64_t conn_id, int64_t at);

/* Live: one local socket as the kernel described it, for the text
 * forms: "server pid 24713 python3 (python3 srv.py); kernel CLOSE_WAIT,
 * Recv-Q 0, Send-Q 0, timer keepalive 7199.9 s" (render_watch.c). */
void tfe_format_ksock(GString *g, const struct tfe_ksock *ks, int side);
/* The owner alone: "pid 24713 python3", "owner unknown (...)", ... */
void tfe_format_owner(GString *g, const struct tfe_ksock *ks);

/* An age: "0.050 s" below a second, "6.0 s" below a minute, "26 min 3 s",
 * "26 h 3 min". */
void tfe_format_age(int64_t ns, char *buf, size_t len);

/* Flag letters as the text form writes them: S F R P U E C, then A for ACK
 * ("SA" is SYN+ACK, "FA" FIN+ACK), "-" for none; `buf` holds 16. */
char *tfe_format_flags(uint16_t f, char *buf);

/*
 * The HTML page (--format html, render_html.c, doc/html.md).  Every
 * connection gets a line in the list (up to TFE_HTML_LIST_MAX); the
 * drawings (ladder, time-sequence graph, window graph) go to those with a
 * warning (up to TFE_HTML_DRAW_WARN_MAX) and to the `draw` largest and
 * `draw` longest of the others, or to all with TFE_HTML_DRAW_ALL; each
 * drawing shows at most TFE_HTML_ROWS_MAX rows (doc/html.md: the size).  The
 * page is written at the end, overview first.
 */
#define TFE_HTML_DRAW_ALL      (-1)
#define TFE_HTML_DRAW_DEFAULT  5
#define TFE_HTML_DRAW_TOP_MAX  20
#define TFE_HTML_DRAW_WARN_MAX 50
#define TFE_HTML_LIST_MAX      5000
#define TFE_HTML_ROWS_MAX      300   /* timeline rows drawn per connection */
struct tfe_html_input {
	const char *const *files;  /* -r, in order */
	unsigned nfiles;
	const char *iface;         /* -i, or NULL */
	const char *filter;        /* the BPF expression, or NULL */
	uint64_t conn_only;        /* --conn, 0 for none */
};
/* What `fn` writes, given a copy of `o` without colours that writes into
 * a string, as a string to g_free() (an empty one when no memory stream
 * can be opened): the HTML pages hold text forms this way. */
char *tfe_render_captured(const struct tfe_render_opts *o,
                          void (*fn)(const struct tfe_render_opts *t,
                                     const void *ud),
                          const void *ud);

struct tfe_html *tfe_html_new(int64_t draw);
void tfe_html_add(struct tfe_html *h, const struct tfe_render_opts *o,
                  const struct tfe_conn *c);
void tfe_html_page(struct tfe_html *h, const struct tfe_render_opts *o,
                   const struct tfe_html_input *in,
                   const struct tfe_stats *s, struct tfe_picture *p);
void tfe_html_free(struct tfe_html *h);

/* Appends `s` escaped for HTML text and attribute values (& < > " '),
 * invalid UTF-8 replaced by U+FFFD, control characters but tab and
 * newline dropped. */
void tfe_html_escape(GString *out, const char *s);

#endif /* TFE_RENDER_H */
