/*
 * writer.c: finished connections written out by a thread of their own.
 *
 * A ring (ring.h) of `depth` batches of connection pointers.  The calling
 * (analysing) thread fills a batch, publishes it and moves on; the writing
 * thread takes the batches in turn, calls the write function on each
 * connection in order and gives the batch back.  Before the caller fills
 * a batch again it frees the connections the writer was done with.
 * Hand-overs are per batch, not per connection: about 4 400 of them for
 * 141 000 connections, so neither side spins; a side that finds nothing
 * to do sleeps at once.
 */
#include "config.h"

#include "writer.h"

#include "ring.h"

struct taken {
	struct tfe_conn *c;      /* NULL for a note */
	int64_t now;             /* the analyser's clock when handed over */
	tfe_writer_note_fn note_fn;
	void *note;
};

struct wbatch {
	guint n;                 /* connections in c */
	struct taken *c;         /* room for w->batch */
};

struct tfe_writer {
	tfe_writer_fn fn;
	void *ud;
	guint batch;
	struct wbatch *ring;     /* hand.depth batches, slot by slot */
	struct taken *room;      /* the batches' entries, one allocation */
	struct wbatch *cur;      /* the caller's batch being filled, or NULL */
	GThread *th;
	struct tfe_ring hand;    /* the caller produces, the writing thread
	                            consumes */
};

static gpointer
writing_thread(gpointer data)
{
	struct tfe_writer *w = data;
	unsigned slot;

	while (tfe_ring_take(&w->hand, &slot)) {
		const struct wbatch *b = &w->ring[slot];

		for (guint i = 0; i < b->n; i++) {
			if (b->c[i].c == NULL)
				b->c[i].note_fn(w->ud, b->c[i].note);
			else
				w->fn(w->ud, b->c[i].c, b->c[i].now);
		}
		tfe_ring_release(&w->hand);
	}
	return NULL;
}

/* Frees `w` itself, the thread gone or never started. */
static void
destroy(struct tfe_writer *w)
{
	tfe_ring_destroy(&w->hand);
	g_free(w->room);
	g_free(w->ring);
	g_free(w);
}

struct tfe_writer *
tfe_writer_start(tfe_writer_fn fn, void *ud, guint batch, guint depth)
{
	struct tfe_writer *w = g_new0(struct tfe_writer, 1);

	w->fn = fn;
	w->ud = ud;
	w->batch = batch ? batch : TFE_WRITER_BATCH;
	depth = depth >= 2 ? depth : TFE_WRITER_DEPTH;
	w->ring = g_new0(struct wbatch, depth);
	w->room = g_new(struct taken, (gsize)depth * w->batch);
	for (guint i = 0; i < depth; i++)
		w->ring[i].c = w->room + (gsize)i * w->batch;
	/* the caller goes on as soon as one batch is free */
	tfe_ring_init(&w->hand, depth, depth - 1, 0);
	w->th = g_thread_try_new("tfe-writer", writing_thread, w, NULL);
	if (w->th == NULL) {
		destroy(w);
		return NULL;
	}
	return w;
}

static void
free_batch(struct wbatch *b)
{
	for (guint i = 0; i < b->n; i++)
		if (b->c[i].c != NULL)
			tfe_conn_free(b->c[i].c);
	b->n = 0;
}

static void
publish(struct tfe_writer *w)
{
	tfe_ring_publish(&w->hand);
	w->cur = NULL;
}

static struct taken *
next_entry(struct tfe_writer *w)
{
	if (w->cur == NULL) {
		w->cur = &w->ring[tfe_ring_claim(&w->hand)];
		/* written in an earlier round: the writer is done with them */
		free_batch(w->cur);
	}
	return &w->cur->c[w->cur->n++];
}

void
tfe_writer_put(struct tfe_writer *w, struct tfe_conn *c, int64_t now)
{
	struct taken *t = next_entry(w);

	t->c = c;
	t->now = now;
	if (w->cur->n == w->batch)
		publish(w);
}

void
tfe_writer_put_note(struct tfe_writer *w, tfe_writer_note_fn fn, void *note)
{
	struct taken *t = next_entry(w);

	t->c = NULL;
	t->now = 0;
	t->note_fn = fn;
	t->note = note;
	if (w->cur->n == w->batch)
		publish(w);
}

void
tfe_writer_finish(struct tfe_writer *w)
{
	if (w == NULL)
		return;
	if (w->cur != NULL && w->cur->n > 0)
		publish(w);
	tfe_ring_close(&w->hand);
	g_thread_join(w->th);
	for (guint i = 0; i < w->hand.depth; i++)
		free_batch(&w->ring[i]);
	destroy(w);
}
