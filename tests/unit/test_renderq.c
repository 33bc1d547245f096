/*
 * renderq: jobs run on another thread, in order; their done callbacks
 * run on the loop thread; the loop keeps turning while a job runs;
 * exclusive functions never overlap a job; freeing cancels queued jobs.
 * With two threads, a quick job pushed after a slow one ends first, and
 * an exclusive function waits for both.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "renderq.h"
#include "t.h"

static pthread_t loop_thread;
static atomic_int ticks;       /* loop timer ticks */
static atomic_int job_running; /* jobs inside run() */
static int order[64], norder;  /* what ran, in order (loop side) */
static atomic_int started[64]; /* per job: run() began, as a seq */
static atomic_int seq;
static int excl_overlap; /* an exclusive fn saw a job running */
static int excl_seq[8];
static int ndone;

struct tjob {
	struct rq_job j;
	int id;
	int wait_ticks; /* run() waits for this many loop ticks */
	int on_thread;	/* run() was not on the loop thread */
	int done_on_loop;
	int result;
};

static void
tjob_run(struct rq_job *rj)
{
	struct tjob *t = (struct tjob *)rj;

	atomic_fetch_add(&job_running, 1);
	started[t->id] = atomic_fetch_add(&seq, 1) + 1;
	t->on_thread = !pthread_equal(pthread_self(), loop_thread);
	/* Bounded: 2,000 sleeps of 1 ms at most. */
	for (int i = 0; i < 2000 && atomic_load(&ticks) < t->wait_ticks; i++) {
		struct timespec ts = { 0, 1000000 };

		nanosleep(&ts, NULL);
	}
	t->result = t->id * 10 + (atomic_load(&ticks) >= t->wait_ticks);
	atomic_fetch_sub(&job_running, 1);
}

static int last_result[64];
static int last_on_thread[64], last_on_loop[64], last_cancelled[64];

static void
tjob_done(struct rq_job *rj)
{
	struct tjob *t = (struct tjob *)rj;

	last_on_loop[t->id] = pthread_equal(pthread_self(), loop_thread);
	last_on_thread[t->id] = t->on_thread;
	last_result[t->id] = t->result;
	last_cancelled[t->id] = rj->cancelled;
	order[norder++] = t->id;
	ndone++;
	free(t);
}

static struct tjob *
tjob(int id, int wait_ticks)
{
	struct tjob *t = calloc(1, sizeof(*t));

	t->j.run = tjob_run;
	t->j.done = tjob_done;
	t->id = id;
	t->wait_ticks = wait_ticks;
	return t;
}

static void
tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	atomic_fetch_add(&ticks, 1);
}

static int want_done;

static void
check_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	(void)w;
	(void)revents;
	if (ndone >= want_done)
		ev_break(loop, EVBREAK_ALL);
}

static void
excl_fn(void *arg)
{
	int k = (int)(long)arg;

	if (atomic_load(&job_running))
		excl_overlap = 1;
	excl_seq[k] = atomic_fetch_add(&seq, 1) + 1;
}

static void
guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

int
main(void)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct renderq *q;
	ev_timer tick, guard;
	ev_check chk;
	int i;

	loop_thread = pthread_self();
	q = renderq_new(loop, 1);
	T_OK(q != NULL);
	ev_timer_init(&tick, tick_cb, 0.005, 0.005);
	ev_timer_start(loop, &tick);
	ev_check_init(&chk, check_cb);
	ev_check_start(loop, &chk);
	ev_timer_init(&guard, guard_cb, 10., 0.);

	/* 1. Idle: an exclusive function runs at once. */
	T_INT(renderq_exclusive(q, excl_fn, (void *)0L), 1);
	T_OK(excl_seq[0] > 0);
	T_INT(renderq_pending(q), 0);

	/*
	 * 2. A job that needs the loop to tick 5 times can only finish if
	 * the loop is not blocked while it runs.
	 */
	renderq_push(q, &tjob(1, 5)->j);
	for (i = 2; i <= 6; i++)
		renderq_push(q, &tjob(i, 0)->j);
	want_done = 6;
	ev_timer_start(loop, &guard);
	ev_run(loop, 0);
	ev_timer_stop(loop, &guard);
	T_INT(ndone, 6);
	T_INT(last_result[1], 11); /* it saw the ticks */
	for (i = 1; i <= 6; i++) {
		T_INT(order[i - 1], i);	 /* done in push order */
		T_OK(last_on_thread[i]); /* run off the loop thread */
		T_OK(last_on_loop[i]);	 /* done on the loop thread */
		T_INT(last_result[i], i * 10 + 1);
		T_INT(last_cancelled[i], 0);
	}

	/*
	 * 3. Exclusive while a job runs: returns 0, runs after the job's
	 * done callback, before the next job starts, never during a job.
	 */
	renderq_push(q, &tjob(7, atomic_load(&ticks) + 20)->j);
	for (i = 0; i < 2000 && !atomic_load(&job_running); i++) {
		struct timespec ts = { 0, 1000000 };

		nanosleep(&ts, NULL);
	}
	T_OK(atomic_load(&job_running));
	T_INT(renderq_exclusive(q, excl_fn, (void *)1L), 0);
	T_INT(excl_seq[1], 0);
	renderq_push(q, &tjob(8, 0)->j);
	T_INT(renderq_exclusive(q, excl_fn, (void *)2L), 0);
	T_INT(renderq_pending(q), 2);
	want_done = 8;
	ev_timer_start(loop, &guard);
	ev_run(loop, 0);
	ev_timer_stop(loop, &guard);
	T_INT(ndone, 8);
	T_OK(excl_seq[1] > started[7]);
	T_OK(excl_seq[2] > excl_seq[1]);
	T_OK(started[8] > excl_seq[2]); /* job 8 waited for both */
	T_INT(excl_overlap, 0);

	/* 4. Free: the running job finishes, queued ones are cancelled. */
	renderq_push(q, &tjob(9, atomic_load(&ticks) + 3)->j);
	renderq_push(q, &tjob(10, 0)->j);
	renderq_push(q, &tjob(11, 0)->j);
	renderq_free(q);
	T_INT(ndone, 11);
	T_INT(last_cancelled[10], 1);
	T_INT(last_cancelled[11], 1);
	T_OK(last_on_loop[10] && last_on_loop[11]);

	/*
	 * 5. Two threads: a quick job pushed behind a slow one is done
	 * first; an exclusive function asked for meanwhile runs after the
	 * slow one, never beside it; a job pushed after it waits for it.
	 */
	q = renderq_new(loop, 2);
	T_OK(q != NULL);
	renderq_push(q, &tjob(20, atomic_load(&ticks) + 40)->j);
	renderq_push(q, &tjob(21, 0)->j);
	want_done = 12;
	ev_timer_start(loop, &guard);
	ev_run(loop, 0);
	ev_timer_stop(loop, &guard);
	T_INT(ndone, 12);
	T_INT(order[11], 21); /* the quick one, while the slow one runs */
	T_INT(last_result[21], 211);
	T_OK(atomic_load(&job_running) == 1);
	T_INT(renderq_exclusive(q, excl_fn, (void *)3L), 0);
	renderq_push(q, &tjob(22, 0)->j);
	want_done = 14;
	ev_timer_start(loop, &guard);
	ev_run(loop, 0);
	ev_timer_stop(loop, &guard);
	T_INT(ndone, 14);
	T_INT(order[12], 20);
	T_INT(order[13], 22);
	T_INT(last_result[20], 201); /* it saw the ticks: the loop ran */
	T_OK(excl_seq[3] > started[21]);
	T_OK(started[22] > excl_seq[3]);
	T_INT(excl_overlap, 0);
	renderq_free(q);

	ev_timer_stop(loop, &tick);
	ev_check_stop(loop, &chk);
	ev_loop_destroy(loop);
	return t_done();
}
