/*
 * writer.h: finished connections written out by a thread of their own.
 *
 * Writing a connection's explanation (text, JSON or ladder) costs about as
 * much as analysing its frames.  With a writer, the analysing thread hands
 * each finished connection over, in the order it finished, and goes on;
 * the writing thread formats and writes them in that same order, so the
 * output is the same byte for byte as when one thread does both.  Records
 * come back to the analysing thread to be freed (tfe_conn_free() is never
 * called by the writing thread), so the allocator sees one thread only.
 *
 * While a writer runs, only its thread writes to the output; the caller
 * writes again after tfe_writer_finish().
 */
#ifndef TFE_WRITER_H
#define TFE_WRITER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "conn.h"

/* Connections per hand-over and hand-overs in flight: a few hundred
 * connections at most are waiting to be written or freed at a time. */
#define TFE_WRITER_BATCH 32
#define TFE_WRITER_DEPTH 4

/* Called in the writing thread for each connection, with the time it
 * was handed over at (the analyser's clock, for its verdicts). */
typedef void (*tfe_writer_fn)(void *ud, struct tfe_conn *c, int64_t now);

struct tfe_writer;

/* Starts the writing thread, which calls fn(ud, c, now) for every
 * connection put.  NULL when no thread can be started: the caller then writes in its
 * own thread.  batch and depth: 0 for the defaults (tests make them tiny;
 * depth at least 2). */
struct tfe_writer *tfe_writer_start(tfe_writer_fn fn, void *ud, guint batch,
                                    guint depth);

/* Hands `c` over: from here on the writer owns it and the caller must not
 * touch it.  May wait while every batch is still being written, and frees
 * the connections of a batch written before reusing it. */
void tfe_writer_put(struct tfe_writer *w, struct tfe_conn *c, int64_t now);

/* Something else to write in its place among the connections (an alert,
 * a table): the writing thread calls fn(ud, note), which owns `note`. */
typedef void (*tfe_writer_note_fn)(void *ud, void *note);
void tfe_writer_put_note(struct tfe_writer *w, tfe_writer_note_fn fn,
                         void *note);

/* Hands over what is left, waits until everything is written, ends the
 * thread and frees every connection and `w`. */
void tfe_writer_finish(struct tfe_writer *w);

#endif /* TFE_WRITER_H */
