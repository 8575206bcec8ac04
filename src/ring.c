/*
 * ring.c: the bounded hand-off between two threads (ring.h).
 *
 * Slot numbers are the counters modulo depth: the producer fills slot
 * produced % depth, the consumer takes slot consumed % depth.  The
 * counters move under the lock, by atomic stores with release order; a
 * spinning side reads the other's counter with an acquire load, which
 * makes what the other wrote in the slot before moving it visible.
 */
#include "config.h"

#include "ring.h"

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Spins until the counter at `v` is no longer `old`; false when it still
 * is after `rounds` looks (the caller then sleeps). */
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

void
tfe_ring_init(struct tfe_ring *r, unsigned depth, unsigned resume_at,
              int spin_rounds)
{
	*r = (struct tfe_ring){
		.depth = depth,
		.resume_at = resume_at < depth ? resume_at : depth - 1,
		.spin_rounds = spin_rounds,
	};
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->filled, NULL);
	pthread_cond_init(&r->room, NULL);
}

void
tfe_ring_destroy(struct tfe_ring *r)
{
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->filled);
	pthread_cond_destroy(&r->room);
}

unsigned
tfe_ring_claim(struct tfe_ring *r)
{
	unsigned slot;

	/* Full: wait for the consumer to give a slot back, briefly without
	 * sleeping.  Only the producer moves `produced`. */
	if (r->spin_rounds > 0 &&
	    r->produced - __atomic_load_n(&r->consumed, __ATOMIC_ACQUIRE) ==
	    r->depth)
		spin_for(&r->consumed, r->produced - r->depth, r->spin_rounds);
	pthread_mutex_lock(&r->lock);
	if (r->produced - r->consumed == r->depth) {
		r->producer_waits = true;
		while (r->produced - r->consumed > r->resume_at)
			pthread_cond_wait(&r->room, &r->lock);
		r->producer_waits = false;
	}
	slot = (unsigned)(r->produced % r->depth);
	pthread_mutex_unlock(&r->lock);
	return slot;
}

void
tfe_ring_publish(struct tfe_ring *r)
{
	pthread_mutex_lock(&r->lock);
	__atomic_store_n(&r->produced, r->produced + 1, __ATOMIC_RELEASE);
	if (r->consumer_waits)
		pthread_cond_signal(&r->filled);
	pthread_mutex_unlock(&r->lock);
}

void
tfe_ring_close(struct tfe_ring *r)
{
	pthread_mutex_lock(&r->lock);
	r->closed = true;
	if (r->consumer_waits)
		pthread_cond_signal(&r->filled);
	pthread_mutex_unlock(&r->lock);
}

bool
tfe_ring_take(struct tfe_ring *r, unsigned *slot)
{
	/* Empty: wait for the producer to publish one, briefly without
	 * sleeping.  Only the consumer moves `consumed`. */
	if (r->spin_rounds > 0 &&
	    __atomic_load_n(&r->produced, __ATOMIC_ACQUIRE) == r->consumed)
		spin_for(&r->produced, r->consumed, r->spin_rounds);
	pthread_mutex_lock(&r->lock);
	if (r->consumed == r->produced && !r->closed) {
		r->consumer_waits = true;
		while (r->consumed == r->produced && !r->closed)
			pthread_cond_wait(&r->filled, &r->lock);
		r->consumer_waits = false;
	}
	if (r->consumed == r->produced) {
		pthread_mutex_unlock(&r->lock);
		return false;
	}
	*slot = (unsigned)(r->consumed % r->depth);
	pthread_mutex_unlock(&r->lock);
	return true;
}

void
tfe_ring_release(struct tfe_ring *r)
{
	pthread_mutex_lock(&r->lock);
	__atomic_store_n(&r->consumed, r->consumed + 1, __ATOMIC_RELEASE);
	if (r->producer_waits && r->produced - r->consumed <= r->resume_at)
		pthread_cond_signal(&r->room);
	pthread_mutex_unlock(&r->lock);
}
