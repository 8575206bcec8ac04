/*
 * ring.h: the bounded hand-off between two threads that reader.c and
 * writer.c use: `depth` slots in a ring, one producer thread filling them
 * in turn and one consumer thread taking them in the same order.
 *
 * The ring hands out slot numbers only; what a slot holds (a batch of
 * frames, a batch of connections) is its user's, in an array of `depth`
 * of its own.  A slot published by the producer is the consumer's until
 * it releases it, then the producer's again: whatever one thread wrote
 * in a slot before handing it over is visible to the other.
 *
 * One mutex, taken once per hand-over on each side, and two conditions
 * (POSIX ones, not GMutex and GCond: glib implements those with its own
 * futex calls, which ThreadSanitizer cannot see, so it would report every
 * hand-over as a race).  A side that finds nothing to do may first spin
 * for a few microseconds, watching the other's counter (`spin_rounds`),
 * then sleeps; a producer that found the ring full sleeps until no more
 * than `resume_at` slots are in flight, so that a slower consumer wakes it
 * once per several slots, not once per slot.
 */
#ifndef TFE_RING_H
#define TFE_RING_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct tfe_ring {
	unsigned depth;          /* slots */
	unsigned resume_at;      /* a waiting producer goes on at this many
	                            in flight (depth - 1: at once) */
	int spin_rounds;         /* looks before sleeping, 0 for none */

	pthread_mutex_t lock;    /* guards what follows */
	pthread_cond_t filled;   /* a slot was published, or the ring closed */
	pthread_cond_t room;     /* a slot was released */
	uint64_t produced;       /* slots published */
	uint64_t consumed;       /* slots released; both written under the
	                            lock with atomic stores, so that the other
	                            side may read them without it while it
	                            spins */
	bool closed;             /* no slot will be published again */
	bool producer_waits, consumer_waits;
};

/* How many times a side looks again at the other's counter before it
 * sleeps: a few microseconds.  With a CPU each, the other thread is
 * usually that close to handing over or giving back a slot, and going to
 * sleep and being woken took about 6% of a run (perf: the kernel's
 * context switch). */
#define TFE_RING_SPIN 2000

/* depth at least 2; resume_at below depth. */
void tfe_ring_init(struct tfe_ring *r, unsigned depth, unsigned resume_at,
                   int spin_rounds);
void tfe_ring_destroy(struct tfe_ring *r);

/* Producer: waits until a slot is free and returns its number; the slot
 * is the producer's to fill until tfe_ring_publish(). */
unsigned tfe_ring_claim(struct tfe_ring *r);

/* Producer: hands the slot claimed last to the consumer. */
void tfe_ring_publish(struct tfe_ring *r);

/* Producer: no slot will follow; a consumer waiting for one is told so. */
void tfe_ring_close(struct tfe_ring *r);

/* Consumer: waits until a slot is published and sets *slot to its number;
 * false when the ring is closed and every slot published was taken. */
bool tfe_ring_take(struct tfe_ring *r, unsigned *slot);

/* Consumer: gives the slot taken last back to the producer. */
void tfe_ring_release(struct tfe_ring *r);

#endif /* TFE_RING_H */
