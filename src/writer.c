/*
 * writer.c: finished connections written out by a thread of their own.
 *
 * A ring of `depth` batches of connection pointers.  The calling (analysing)
 * thread fills the batch at `produced`, publishes it and moves on; the
 * writing thread takes the batch at `consumed`, calls the write function on
 * each connection in order and gives the batch back.  Before the caller
 * fills a batch again it frees the connections the writer was done with.
 * Hand-overs are per batch, not per connection, under one mutex: about
 * 4 400 of them for 141 000 connections, so neither side spins; a side that
 * finds nothing to do sleeps on a condition variable (POSIX ones, which
 * ThreadSanitizer understands; see reader.c).
 */
#include "config.h"

#include "writer.h"

#include <pthread.h>

struct taken {
	struct tfe_conn *c;
	int64_t now;             /* the analyser's clock when handed over */
};

struct wbatch {
	guint n;                 /* connections in c */
	struct taken *c;         /* room for w->batch */
};

struct tfe_writer {
	tfe_writer_fn fn;
	void *ud;
	guint batch, depth;
	struct wbatch *ring;
	struct taken *room;      /* the batches' entries, one allocation */
	struct wbatch *cur;      /* the caller's batch being filled, or NULL */
	GThread *th;

	pthread_mutex_t lock;    /* guards what follows */
	pthread_cond_t filled;   /* a batch was published, or done */
	pthread_cond_t freed;    /* a batch was written */
	uint64_t produced;       /* batches published */
	uint64_t consumed;       /* batches written */
	bool done;               /* no batch will follow */
	bool writer_waits, caller_waits;
};

static gpointer
writing_thread(gpointer data)
{
	struct tfe_writer *w = data;

	for (;;) {
		struct wbatch *b;

		pthread_mutex_lock(&w->lock);
		while (w->consumed == w->produced && !w->done) {
			w->writer_waits = true;
			pthread_cond_wait(&w->filled, &w->lock);
			w->writer_waits = false;
		}
		if (w->consumed == w->produced) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		b = &w->ring[w->consumed % w->depth];
		pthread_mutex_unlock(&w->lock);

		for (guint i = 0; i < b->n; i++)
			w->fn(w->ud, b->c[i].c, b->c[i].now);

		pthread_mutex_lock(&w->lock);
		w->consumed++;
		if (w->caller_waits)
			pthread_cond_signal(&w->freed);
		pthread_mutex_unlock(&w->lock);
	}
	return NULL;
}

/* Frees `w` itself, the thread gone or never started. */
static void
destroy(struct tfe_writer *w)
{
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->filled);
	pthread_cond_destroy(&w->freed);
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
	w->depth = depth >= 2 ? depth : TFE_WRITER_DEPTH;
	w->ring = g_new0(struct wbatch, w->depth);
	w->room = g_new(struct taken, (gsize)w->depth * w->batch);
	for (guint i = 0; i < w->depth; i++)
		w->ring[i].c = w->room + (gsize)i * w->batch;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->filled, NULL);
	pthread_cond_init(&w->freed, NULL);
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
		tfe_conn_free(b->c[i].c);
	b->n = 0;
}

static void
publish(struct tfe_writer *w)
{
	pthread_mutex_lock(&w->lock);
	w->produced++;
	if (w->writer_waits)
		pthread_cond_signal(&w->filled);
	pthread_mutex_unlock(&w->lock);
	w->cur = NULL;
}

void
tfe_writer_put(struct tfe_writer *w, struct tfe_conn *c, int64_t now)
{
	if (w->cur == NULL) {
		pthread_mutex_lock(&w->lock);
		while (w->produced - w->consumed == w->depth) {
			w->caller_waits = true;
			pthread_cond_wait(&w->freed, &w->lock);
			w->caller_waits = false;
		}
		w->cur = &w->ring[w->produced % w->depth];
		pthread_mutex_unlock(&w->lock);
		/* written in an earlier round: the writer is done with them */
		free_batch(w->cur);
	}
	w->cur->c[w->cur->n].c = c;
	w->cur->c[w->cur->n++].now = now;
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
	pthread_mutex_lock(&w->lock);
	w->done = true;
	if (w->writer_waits)
		pthread_cond_signal(&w->filled);
	pthread_mutex_unlock(&w->lock);
	g_thread_join(w->th);
	for (guint i = 0; i < w->depth; i++)
		free_batch(&w->ring[i]);
	destroy(w);
}
