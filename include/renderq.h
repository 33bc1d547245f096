/*
 * renderq: a few background threads per worker for slow work (rendering
 * a post), handing results back to the worker's libev loop through an
 * ev_async. Jobs start in the order pushed, as many at once as there are
 * threads (so one slow job does not hold up the others), and may end in
 * any order; each job's done callback runs later on the loop thread,
 * where its result is stored. A job's run reads shared data only: jobs
 * running side by side must not write anything but themselves.
 *
 * The concurrency rule: data a job reads (the site model) is written on
 * the loop thread only, and never while a job runs. renderq_exclusive()
 * is how the loop asks for that: its function runs on the loop thread
 * once no job is running, and no job starts until it has returned. It
 * never blocks the loop: while a job runs, the call returns at once and
 * the function runs when the job hands its result back.
 */
#ifndef CAPSULED_RENDERQ_H
#define CAPSULED_RENDERQ_H

#include <stddef.h>

#include <ev.h>

struct rq_job {
	/* On the render thread. Reads shared data; writes the job only. */
	void (*run)(struct rq_job *);
	/*
	 * On the loop thread after run, or with cancelled set when the
	 * queue is freed before run: stores the result and frees the job.
	 */
	void (*done)(struct rq_job *);
	int cancelled;
	struct rq_job *next; /* the queue's */
};

struct renderq;

/*
 * Starts nthreads threads (all signals blocked in them); fewer when the
 * system refuses more, NULL when it refuses even one.
 */
struct renderq *renderq_new(struct ev_loop *loop, int nthreads);
/* Queues j; its done callback runs on the loop thread later. */
void renderq_push(struct renderq *q, struct rq_job *j);
/*
 * Runs fn(arg) on the loop thread when no job is running, after the
 * done callbacks of every job finished so far: now (returns 1) when the
 * threads are idle, else as soon as the running jobs end (returns 0).
 * Jobs queued meanwhile wait until fn has run. Calls made while one is
 * waiting run in order.
 */
int renderq_exclusive(struct renderq *q, void (*fn)(void *), void *arg);
/* Jobs queued or running (for tests and the log). */
size_t renderq_pending(struct renderq *q);
/*
 * Waits for the running jobs, cancels the queued ones (done runs with
 * cancelled set), runs waiting exclusive functions, stops the threads.
 */
void renderq_free(struct renderq *q);

#endif
