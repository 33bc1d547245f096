/*
 * renderq: a job queue served by a few threads, results handed back to
 * the loop thread through an ev_async (see renderq.h for the rule that
 * keeps the shared data safe). One mutex guards the queues and flags; the
 * jobs run outside it.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "renderq.h"
#include "util.h"

struct excl {
	void (*fn)(void *);
	void *arg;
	unsigned long seq;
	struct excl *next;
};

struct renderq {
	struct ev_loop *loop;
	ev_async async;
	pthread_t *threads;
	int nthreads;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* Under mu: */
	struct rq_job *head, *tail;   /* queued */
	struct rq_job *dhead, *dtail; /* run, done not yet called */
	size_t nqueued;
	int running; /* jobs in run() */
	int held;    /* exclusive functions wait: start none */
	int stop;
	/* Loop thread only: */
	struct excl *xhead, *xtail;
	unsigned long xqueued, xran; /* sequence numbers */
	int delivering;
};

static void *
rq_thread(void *arg)
{
	struct renderq *q = arg;
	struct rq_job *j;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->stop && (q->head == NULL || q->held))
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->stop)
			break;
		j = q->head;
		if ((q->head = j->next) == NULL)
			q->tail = NULL;
		q->nqueued--;
		q->running++;
		pthread_mutex_unlock(&q->mu);

		j->next = NULL;
		j->run(j);

		pthread_mutex_lock(&q->mu);
		q->running--;
		if (q->dtail)
			q->dtail->next = j;
		else
			q->dhead = j;
		q->dtail = j;
		/* ev_async_send is safe from any thread. */
		ev_async_send(q->loop, &q->async);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* Runs waiting exclusive functions while no job runs (loop thread). */
static void
rq_run_exclusive(struct renderq *q)
{
	struct excl *x;

	for (;;) {
		pthread_mutex_lock(&q->mu);
		if (q->xhead == NULL) {
			q->held = 0;
			pthread_cond_broadcast(&q->cv);
			pthread_mutex_unlock(&q->mu);
			return;
		}
		if (q->running) {
			/* The last result wakes us again (ev_async). */
			pthread_mutex_unlock(&q->mu);
			return;
		}
		pthread_mutex_unlock(&q->mu);
		x = q->xhead;
		if ((q->xhead = x->next) == NULL)
			q->xtail = NULL;
		x->fn(x->arg);
		q->xran = x->seq;
		free(x);
	}
}

/* Calls the done callbacks of finished jobs, then exclusive functions. */
static void
rq_deliver(struct renderq *q)
{
	struct rq_job *j, *next;

	if (q->delivering) /* called from a done or exclusive callback */
		return;
	q->delivering = 1;
	for (;;) {
		pthread_mutex_lock(&q->mu);
		j = q->dhead;
		q->dhead = q->dtail = NULL;
		pthread_mutex_unlock(&q->mu);
		if (j == NULL)
			break;
		for (; j; j = next) {
			next = j->next;
			j->next = NULL;
			j->done(j);
		}
	}
	rq_run_exclusive(q);
	q->delivering = 0;
}

static void
rq_async_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)loop;
	(void)revents;
	rq_deliver((struct renderq *)w->data);
}

struct renderq *
renderq_new(struct ev_loop *loop, int nthreads)
{
	struct renderq *q = xcalloc(1, sizeof(*q));
	sigset_t all, old;
	int rc = 0;

	if (nthreads < 1)
		nthreads = 1;
	q->threads = xcalloc((size_t)nthreads, sizeof(*q->threads));
	q->loop = loop;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	ev_async_init(&q->async, rq_async_cb);
	q->async.data = q;
	ev_async_start(loop, &q->async);
	/* Signals are the loop thread's business: the thread takes none. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	while (q->nthreads < nthreads &&
	    (rc = pthread_create(&q->threads[q->nthreads], NULL, rq_thread,
		 q)) == 0)
		q->nthreads++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* Fewer than asked: serve with those; none: the caller's fallback. */
	if (q->nthreads == 0) {
		(void)rc;
		ev_async_stop(loop, &q->async);
		pthread_cond_destroy(&q->cv);
		pthread_mutex_destroy(&q->mu);
		free(q->threads);
		free(q);
		return NULL;
	}
	return q;
}

void
renderq_push(struct renderq *q, struct rq_job *j)
{
	j->next = NULL;
	j->cancelled = 0;
	pthread_mutex_lock(&q->mu);
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	q->nqueued++;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

int
renderq_exclusive(struct renderq *q, void (*fn)(void *), void *arg)
{
	struct excl *x = xcalloc(1, sizeof(*x));
	unsigned long seq;

	x->fn = fn;
	x->arg = arg;
	x->seq = seq = ++q->xqueued;
	if (q->xtail)
		q->xtail->next = x;
	else
		q->xhead = x;
	q->xtail = x;
	pthread_mutex_lock(&q->mu);
	q->held = 1; /* from now on no job starts */
	pthread_mutex_unlock(&q->mu);
	if (q->delivering) /* from a callback: runs when it returns */
		return 0;
	rq_deliver(q);
	return q->xran >= seq;
}

size_t
renderq_pending(struct renderq *q)
{
	size_t n;

	pthread_mutex_lock(&q->mu);
	n = q->nqueued + (size_t)q->running;
	pthread_mutex_unlock(&q->mu);
	return n;
}

void
renderq_free(struct renderq *q)
{
	struct rq_job *j, *next;
	int i;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	for (i = 0; i < q->nthreads; i++)
		pthread_join(q->threads[i], NULL);
	/* Single-threaded from here on; callbacks may still push jobs. */
	for (;;) {
		rq_deliver(q);
		if ((j = q->head) == NULL)
			break;
		q->head = q->tail = NULL;
		q->nqueued = 0;
		for (; j; j = next) {
			next = j->next;
			j->next = NULL;
			j->cancelled = 1;
			j->done(j);
		}
	}
	ev_async_stop(q->loop, &q->async);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q->threads);
	free(q);
}
