/*
 * reader.c: capture files into the analyser, in one thread or two.
 *
 * With two, the reading thread owns the capture: it calls
 * tfe_capture_next() and tfe_decode_frame() (which reads nothing but the
 * frame) and fills a ring of batches; the calling thread takes the
 * batches in the order they were filled and calls tfe_analyzer_segment()
 * on each frame.  The analyser, the sinks and the output are touched by
 * the calling thread only, so nothing in them needs a lock, and the order
 * of everything they do is the capture's order: the output cannot differ
 * from one thread's.  The end of input or the damage that stopped the
 * reading travels in the last batch, after the frames read before it.
 *
 * The ring is guarded by one mutex, taken twice per batch on each side.
 * A reading thread that finds the ring full sleeps until half of it is
 * free again, so the analyser (normally the slower side) wakes it once
 * per depth/2 batches, not once per batch.  The mutex and the conditions
 * are POSIX ones, not GMutex and GCond: glib implements those with its
 * own futex calls, which ThreadSanitizer cannot see, so it would report
 * every hand-over as a race; the thread itself is a GThread.
 *
 * Nothing here allocates per frame; the batches are allocated once.
 */
#include "config.h"

#include "reader.h"

#include <pthread.h>

#include "decode.h"

/* How many frames ahead the analysing thread asks for the flow table's
 * slot, then for the connection in it. */
#define PREFETCH_SLOT 8
#define PREFETCH_CONN 4

/* One frame as the reading thread hands it over. */
struct decoded {
	uint64_t frame;          /* 1-based, as tfe_packet.frame */
	int64_t ts;              /* ns since the epoch */
	uint32_t reason;         /* enum tfe_decode_reason */
	struct tfe_segment seg;  /* valid when reason is TFE_DR_OK */
	struct tfe_flow_ref ref; /* its flow key, the same */
};

struct batch {
	guint n;                 /* frames in f */
	int end;                 /* TFE_CAPTURE_PACKET: more batches follow;
	                            TFE_CAPTURE_END or _ERROR: the last one */
	GError *err;             /* with TFE_CAPTURE_ERROR */
	struct decoded *f;       /* room for pipe.batch frames */
};

struct pipe {
	struct tfe_capture *cap; /* the reading thread's alone until joined */
	uint64_t max_packets;
	guint batch, depth;
	int spin_rounds;         /* SPIN_ROUNDS, or 0 with no_spin */
	struct batch *ring;      /* depth batches */
	struct decoded *frames;  /* their frames, one allocation */

	pthread_mutex_t lock;    /* guards what follows */
	pthread_cond_t filled;   /* a batch was published */
	pthread_cond_t room;     /* the ring is half free */
	uint64_t produced;       /* batches published */
	uint64_t consumed;       /* batches given back; both written under
	                            the lock with atomic stores, so that the
	                            other thread may read them without it
	                            while it spins (spin_for) */
	bool reader_waits, analyser_waits;
};

/* How many times a thread looks again at the other's counter before it
 * sleeps on a condition variable: a few microseconds.  With a CPU each,
 * the other thread is usually that close to handing over or giving back
 * a batch, and going to sleep and being woken took about 6% of a run
 * (perf: the kernel's context switch). */
#define SPIN_ROUNDS 2000

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Spins until the counter at `v` is no longer `old`; false when it still
 * is after `rounds` looks (the caller then sleeps).  The acquire load
 * pairs with the release store of the thread that moved it, so what that
 * thread wrote in the batch before is visible. */
static bool
spin_for(const uint64_t *v, uint64_t old, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		if (__atomic_load_n(v, __ATOMIC_ACQUIRE) != old)
			return true;
		cpu_relax();
	}
	return false;
}

static gpointer
reading_thread(gpointer data)
{
	struct pipe *pp = data;
	uint64_t matched = 0;
	int rc = TFE_CAPTURE_PACKET;

	while (rc == TFE_CAPTURE_PACKET) {
		struct batch *b;

		/* Full: wait for the analyser to give a batch back, briefly
		 * without sleeping. */
		if (pp->produced - __atomic_load_n(&pp->consumed,
		                                   __ATOMIC_ACQUIRE) == pp->depth)
			spin_for(&pp->consumed, pp->produced - pp->depth,
			         pp->spin_rounds);
		pthread_mutex_lock(&pp->lock);
		if (pp->produced - pp->consumed == pp->depth) {
			pp->reader_waits = true;
			while (pp->produced - pp->consumed > pp->depth / 2)
				pthread_cond_wait(&pp->room, &pp->lock);
			pp->reader_waits = false;
		}
		b = &pp->ring[pp->produced % pp->depth];
		pthread_mutex_unlock(&pp->lock);

		b->n = 0;
		b->err = NULL;
		while (b->n < pp->batch) {
			struct tfe_packet p;
			struct decoded *d;

			/* -c counts frames that pass the filter, and none is
			 * read past it: the frame count stays exact. */
			if (pp->max_packets != 0 && matched == pp->max_packets) {
				rc = TFE_CAPTURE_END;
				break;
			}
			rc = tfe_capture_next(pp->cap, &p, &b->err);
			if (rc != TFE_CAPTURE_PACKET)
				break;
			matched++;
			d = &b->f[b->n++];
			d->frame = p.frame;
			d->ts = p.ts;
			d->reason = tfe_decode_frame(p.linktype, p.data, p.caplen,
			                             p.len, &d->seg);
			if (d->reason == TFE_DR_OK)
				tfe_flow_ref_make(&d->seg, &d->ref);
		}
		b->end = rc;

		pthread_mutex_lock(&pp->lock);
		__atomic_store_n(&pp->produced, pp->produced + 1,
		                 __ATOMIC_RELEASE);
		if (pp->analyser_waits)
			pthread_cond_signal(&pp->filled);
		pthread_mutex_unlock(&pp->lock);
	}
	return NULL;
}

/* Today's loop: everything in the calling thread. */
static bool
run_one_thread(struct tfe_capture *cap, struct tfe_analyzer *a,
               uint64_t max_packets, GError **err)
{
	struct tfe_packet p;
	uint64_t matched = 0;
	GError *e = NULL;

	while ((max_packets == 0 || matched < max_packets) &&
	       tfe_capture_next(cap, &p, &e) == TFE_CAPTURE_PACKET) {
		matched++;
		tfe_analyzer_frame(a, p.linktype, p.frame, p.ts, p.data, p.caplen,
		                   p.len);
	}
	if (e != NULL) {
		g_propagate_error(err, e);
		return false;
	}
	return true;
}

bool
tfe_reader_run(struct tfe_capture *cap, struct tfe_analyzer *a,
               const struct tfe_reader_opts *o, GError **err)
{
	struct pipe pp = {
		.cap = cap,
		.max_packets = o->max_packets,
		.batch = o->batch ? o->batch : TFE_READER_BATCH,
		.depth = o->depth ? o->depth : TFE_READER_DEPTH,
		.spin_rounds = o->no_spin ? 0 : SPIN_ROUNDS,
	};
	GThread *th;
	GError *e = NULL;
	int end = TFE_CAPTURE_PACKET;

	if (o->threads < 2)
		return run_one_thread(cap, a, o->max_packets, err);

	pp.ring = g_new0(struct batch, pp.depth);
	pp.frames = g_new(struct decoded, (gsize)pp.depth * pp.batch);
	for (guint i = 0; i < pp.depth; i++)
		pp.ring[i].f = pp.frames + (gsize)i * pp.batch;
	pthread_mutex_init(&pp.lock, NULL);
	pthread_cond_init(&pp.filled, NULL);
	pthread_cond_init(&pp.room, NULL);

	th = g_thread_try_new("tfe-reader", reading_thread, &pp, NULL);
	if (o->analyser_cpus != NULL)
		pthread_setaffinity_np(pthread_self(), sizeof *o->analyser_cpus,
		                       o->analyser_cpus);
	if (th == NULL) {
		/* No thread to be had (a process limit): one does it all. */
		pthread_mutex_destroy(&pp.lock);
		pthread_cond_destroy(&pp.filled);
		pthread_cond_destroy(&pp.room);
		g_free(pp.frames);
		g_free(pp.ring);
		return run_one_thread(cap, a, o->max_packets, err);
	}

	while (end == TFE_CAPTURE_PACKET) {
		struct batch *b;

		/* Empty: wait for the reader to publish one, briefly without
		 * sleeping. */
		if (__atomic_load_n(&pp.produced, __ATOMIC_ACQUIRE) == pp.consumed)
			spin_for(&pp.produced, pp.consumed, pp.spin_rounds);
		pthread_mutex_lock(&pp.lock);
		if (pp.consumed == pp.produced) {
			pp.analyser_waits = true;
			while (pp.consumed == pp.produced)
				pthread_cond_wait(&pp.filled, &pp.lock);
			pp.analyser_waits = false;
		}
		b = &pp.ring[pp.consumed % pp.depth];
		pthread_mutex_unlock(&pp.lock);

		for (guint i = 0; i < b->n; i++) {
			const struct decoded *d = &b->f[i];
			if (i + PREFETCH_SLOT < b->n &&
			    d[PREFETCH_SLOT].reason == TFE_DR_OK)
				tfe_flow_prefetch_slot(&a->table,
				                       d[PREFETCH_SLOT].ref.hash);
			if (i + PREFETCH_CONN < b->n &&
			    d[PREFETCH_CONN].reason == TFE_DR_OK)
				tfe_flow_prefetch_conn(&a->table,
				                       d[PREFETCH_CONN].ref.hash);
			tfe_analyzer_segment(a, d->frame, d->ts,
			                     (enum tfe_decode_reason)d->reason,
			                     &d->seg, &d->ref);
		}
		end = b->end;
		e = b->err;

		pthread_mutex_lock(&pp.lock);
		__atomic_store_n(&pp.consumed, pp.consumed + 1, __ATOMIC_RELEASE);
		if (pp.reader_waits && pp.produced - pp.consumed <= pp.depth / 2)
			pthread_cond_signal(&pp.room);
		pthread_mutex_unlock(&pp.lock);
	}

	g_thread_join(th);
	pthread_mutex_destroy(&pp.lock);
	pthread_cond_destroy(&pp.filled);
	pthread_cond_destroy(&pp.room);
	g_free(pp.frames);
	g_free(pp.ring);
	if (e != NULL) {
		g_propagate_error(err, e);
		return false;
	}
	return true;
}
