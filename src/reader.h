/*
 * reader.h: feeds capture files to the analyser, either in one thread or
 * with reading and decoding in a thread of their own.
 *
 * With two threads, one reads frames (tfe_capture_next()) and decodes them
 * (tfe_decode_frame()) into batches; the calling thread takes the batches
 * in order and runs the rest of the analysis (tfe_analyzer_segment()),
 * every sink callback and every line of output.  Frames reach the analyser
 * in capture order either way, and a damaged input is reported after the
 * frames before it, so the output is the same byte for byte.  Live capture
 * (live.c) does not come through here: it must answer signals and run the
 * timers while no packet comes.
 */
#ifndef TFE_READER_H
#define TFE_READER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "analyze.h"
#include "capture.h"
#include "writer.h"

/* Frames per batch and batches in flight when the options give 0: large
 * enough that handing a batch over (a mutex, now and then a wake-up) costs
 * nothing per frame, small enough to stay in a CPU's second-level cache (a decoded
 * frame with its flow key is 224 bytes: 4 x 256 of them are 224 KiB). */
#define TFE_READER_BATCH 256
#define TFE_READER_DEPTH 4

struct tfe_reader_opts {
	guint threads;           /* 1: read, decode and analyse in this thread;
	                            2: read and decode in another one (3, a
	                            writing thread besides, is the same
	                            here: see tfe_reader_setup()) */
	uint64_t max_packets;    /* -c: stop after this many frames that pass
	                            the filter; 0 for all */
	guint batch;             /* frames per batch, 0 for TFE_READER_BATCH
	                            (the tests make it tiny) */
	guint depth;             /* batches in flight, 0 for TFE_READER_DEPTH;
	                            at least 2 */
	bool no_spin;            /* a thread that finds the ring full or empty
	                            sleeps at once: when more threads than CPUs
	                            share the work, a spinning one would take
	                            a CPU from the others */
	bool split_cpus;         /* the process runs on two CPUs, cpus[0] and
	                            cpus[1], and the calling thread on cpus[1]
	                            alone: it moves to cpus[0] alone once the
	                            reading thread has started (which keeps
	                            cpus[1]), and to both at the end */
	int cpus[2];             /* with split_cpus */
};

/*
 * Sets the threads of a run up for this machine, before tfe_reader_run():
 * how many (o->threads when it is 0: 3 when the process may run on more
 * than one CPU, else 1), which CPUs they run on (o->split_cpus, o->cpus),
 * whether they spin while they wait (o->no_spin), and whether a third
 * thread writes the connections out.  With 3 threads and a `write`
 * function (the output form writes connection by connection), it starts
 * that writing thread (writer.h), calling write(ud, c, now), and returns
 * it; otherwise NULL, and the analysing thread writes.
 * *verdicts_in_writer says which thread works out the verdicts: the
 * writing one when it has a CPU of its own (the analyser's
 * verdicts_later).
 */
struct tfe_writer *tfe_reader_setup(struct tfe_reader_opts *o,
                                    tfe_writer_fn write, void *ud,
                                    bool *verdicts_in_writer);

/*
 * Reads every frame of `cap` into `a` (frames that pass the filter, at
 * most o->max_packets of them).  Returns false with *err set when the
 * input is damaged; the frames before the damage are analysed.  The
 * caller then calls tfe_analyzer_finish() as after its own loop; `cap` is
 * not used by any other thread once this returns.  When the second thread
 * cannot be started, everything runs in this one.
 */
bool tfe_reader_run(struct tfe_capture *cap, struct tfe_analyzer *a,
                    const struct tfe_reader_opts *o, GError **err);

#endif /* TFE_READER_H */
