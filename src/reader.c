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
 * The batches go through a ring (ring.h): a hand-over per batch.  A
 * reading thread that finds the ring full sleeps until half of it is
 * free again, so the analyser (normally the slower side) wakes it once
 * per depth/2 batches, not once per batch.  The thread itself is a
 * GThread.
 *
 * Nothing here allocates per frame; the batches are allocated once.
 */
#include "config.h"

#include "reader.h"

#include <pthread.h>
#include <sched.h>

#include "decode.h"
#include "frag.h"
#include "ring.h"

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
	guint batch;
	struct batch *ring;      /* ring.depth batches, slot by slot */
	struct decoded *frames;  /* their frames, one allocation */
	struct tfe_ring hand;    /* the reading thread produces, the
	                            analysing one consumes */
	struct tfe_defrag *defrag; /* the reading thread's alone until
	                            joined: fragments are held in capture
	                            order, as tfe_analyzer_frame() does */
};

static gpointer
reading_thread(gpointer data)
{
	struct pipe *pp = data;
	uint64_t matched = 0;
	int rc = TFE_CAPTURE_PACKET;

	while (rc == TFE_CAPTURE_PACKET) {
		struct batch *b = &pp->ring[tfe_ring_claim(&pp->hand)];

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
			d->reason = tfe_defrag_frame(pp->defrag, p.linktype, p.ts,
			                             p.data, p.caplen, p.len,
			                             &d->seg);
			if (d->reason == TFE_DR_OK)
				tfe_flow_ref_make(&d->seg, &d->ref);
		}
		b->end = rc;
		tfe_ring_publish(&pp->hand);
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

/* Moves the calling thread to `cpu`, and `other` too when not -1; false
 * when it could not. */
static bool
run_on(int cpu, int other)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (other >= 0)
		CPU_SET(other, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

/* The two CPUs this thread may run on, in cpus; false when they are not
 * exactly two. */
static bool
two_cpus(int cpus[2])
{
	cpu_set_t allowed;
	int n = 0;

	if (pthread_getaffinity_np(pthread_self(), sizeof allowed,
	                           &allowed) != 0 ||
	    CPU_COUNT(&allowed) != 2)
		return false;
	for (int cpu = 0; cpu < CPU_SETSIZE && n < 2; cpu++)
		if (CPU_ISSET(cpu, &allowed))
			cpus[n++] = cpu;
	return n == 2;
}

struct tfe_writer *
tfe_reader_setup(struct tfe_reader_opts *o, tfe_writer_fn write, void *ud,
                 bool *verdicts_in_writer)
{
	/* More threads only pay when a second CPU runs them.  Two CPUs are
	 * enough for three threads: the reading one does less than the
	 * analysing one, and shares its CPU with the writing one. */
	guint ncpu = g_get_num_processors();
	struct tfe_writer *w = NULL;
	int cpus[2];

	if (o->threads == 0)
		o->threads = ncpu > 1 ? 3 : 1;
	if (o->threads >= 3 && write != NULL) {
		/* Three threads on two CPUs: the analysing thread, the
		 * busiest, gets one to itself, the reading and writing
		 * threads share the other (they inherit this thread's CPUs
		 * when they start); left to place them, the scheduler gave
		 * each a share of both and the run took about a sixth
		 * longer. */
		bool split = ncpu == 2 && two_cpus(cpus) && run_on(cpus[1], -1);

		w = tfe_writer_start(write, ud, 0, 0);
		if (split && w != NULL) {
			o->split_cpus = true;
			o->cpus[0] = cpus[0];
			o->cpus[1] = cpus[1];
		} else if (split) {
			run_on(cpus[0], cpus[1]);
		}
	}
	/* Fewer CPUs than threads: none may spin while it waits. */
	o->no_spin = o->no_spin || (w != NULL && ncpu < 3);
	/* The verdicts go with the writing, to the writing thread, when it
	 * has a CPU of its own; on two, its CPU is the busier one (it also
	 * reads), so the analysing thread keeps them. */
	*verdicts_in_writer = w != NULL && ncpu >= 3;
	return w;
}

bool
tfe_reader_run(struct tfe_capture *cap, struct tfe_analyzer *a,
               const struct tfe_reader_opts *o, GError **err)
{
	struct pipe pp = {
		.cap = cap,
		.max_packets = o->max_packets,
		.batch = o->batch ? o->batch : TFE_READER_BATCH,
	};
	guint depth = o->depth ? o->depth : TFE_READER_DEPTH;
	GThread *th;
	GError *e = NULL;
	int end = TFE_CAPTURE_PACKET;

	if (o->threads < 2)
		return run_one_thread(cap, a, o->max_packets, err);

	pp.defrag = tfe_defrag_new();
	pp.ring = g_new0(struct batch, depth);
	pp.frames = g_new(struct decoded, (gsize)depth * pp.batch);
	for (guint i = 0; i < depth; i++)
		pp.ring[i].f = pp.frames + (gsize)i * pp.batch;
	tfe_ring_init(&pp.hand, depth, depth / 2,
	              o->no_spin ? 0 : TFE_RING_SPIN);

	th = g_thread_try_new("tfe-reader", reading_thread, &pp, NULL);
	if (o->split_cpus)
		run_on(o->cpus[0], -1);
	if (th == NULL) {
		/* No thread to be had (a process limit): one does it all. */
		tfe_defrag_free(pp.defrag);
		tfe_ring_destroy(&pp.hand);
		g_free(pp.frames);
		g_free(pp.ring);
		run_one_thread(cap, a, o->max_packets, &e);
		goto out;
	}

	while (end == TFE_CAPTURE_PACKET) {
		unsigned slot;

		/* never closed: the last batch says where the input ended */
		if (!tfe_ring_take(&pp.hand, &slot))
			break;
		const struct batch *b = &pp.ring[slot];
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
		tfe_ring_release(&pp.hand);
	}

	g_thread_join(th);
	/* Datagrams still incomplete are counted here, as
	 * tfe_analyzer_finish() does for its own. */
	tfe_defrag_finish(pp.defrag);
	tfe_defrag_stats_add(&a->stats.frag, tfe_defrag_stats(pp.defrag));
	tfe_defrag_free(pp.defrag);
	tfe_ring_destroy(&pp.hand);
	g_free(pp.frames);
	g_free(pp.ring);
out:
	if (o->split_cpus)
		run_on(o->cpus[0], o->cpus[1]);
	if (e != NULL) {
		g_propagate_error(err, e);
		return false;
	}
	return true;
}
