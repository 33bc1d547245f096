/*
 * worker: one serving process, forked by its generation's zygote, which
 * has already dropped privileges and read the sites. It keeps only its
 * own slot's listening sockets, accepts connections into conn's state
 * machine, applies the changed paths the master's watcher sends through
 * the zygote (site_update) and, on SIGTERM/SIGINT, stops accepting and
 * exits once its connections are done. It never forks, never watches the tree
 * and never signals another process.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "chan.h"
#include "conn.h"
#include "gemtext.h"
#include "log.h"
#include "pathbatch.h"
#include "renderq.h"
#include "site.h"
#include "vhost.h"
#include "worker.h"

#define WORKER_DRAIN_LIMIT 30.0 /* seconds a draining worker may take */
#define WORKER_QUIET \
	1.0 /* seconds without a connection before the
				   heap is trimmed */
/*
 * Connections open at once since the last trim below which none is
 * worth it: OpenSSL keeps ~15 KiB per connection, so a few leave little
 * to hand back, and malloc_trim walks every free chunk of every arena
 * (~20-35 ms at 100,000 pages: a second of a quiet worker's CPU each
 * minute under sporadic clients, and a stall of its loop each time).
 */
#define WORKER_TRIM_CONNS 64

struct worker_proc;

/* One listening socket of this worker's slot. */
struct wlistener {
	ev_io io;
	struct worker_proc *wp;
	const struct listen_config *lc;
};

/*
 * The worker process. Its struct worker (conn.h) is the part the
 * connections share; the rest is the process's own.
 */
struct worker_proc {
	struct worker w;
	const struct worker_start *ws;
	struct wlistener *ls; /* one per configured listener */
	size_t nls;
	ev_timer accept_retry; /* after EMFILE and the like */
	ev_timer trim;	       /* runs only after activity (see trim_cb) */
	ev_timer drain_limit;
	ev_io chan;	     /* changed paths from the master */
	ev_idle idle;	     /* the sites' deferred work (site_idle) */
	ev_periodic publish; /* the next publishDate/expiryDate instant */
	ev_signal sigterm, sigint, sigusr1;
	ev_prepare flush;
	unsigned long accepted; /* connections taken since the last trim_cb */
	size_t peak;		/* most open at once since the last trim */
	int accept_paused;
	struct renderq *rq; /* renders posts off the loop (issue 10) */
};

#define WP_OF(ptr, member) \
	((struct worker_proc *)(void *)(( \
	    char *)(ptr)-offsetof(struct worker_proc, member)))

static void
listeners_set(struct worker_proc *wp, int on)
{
	size_t i;

	for (i = 0; i < wp->nls; i++) {
		if (wp->ls[i].io.fd == -1)
			continue;
		if (on)
			ev_io_start(wp->w.loop, &wp->ls[i].io);
		else
			ev_io_stop(wp->w.loop, &wp->ls[i].io);
	}
}

static void
conn_closed(struct worker *w)
{
	struct worker_proc *wp = WP_OF(w, w);

	if (w->draining) {
		if (w->nconns == 0)
			ev_break(w->loop, EVBREAK_ALL);
		return;
	}
	if (wp->accept_paused && w->nconns < w->max_conns + CONN_BUSY_MAX &&
	    !ev_is_active(&wp->accept_retry)) {
		wp->accept_paused = 0;
		listeners_set(wp, 1);
	}
}

/*
 * A request parked (its page renders off the loop, or a search waits for
 * the index): the idle watcher runs the sites' deferred work again, the
 * index's slices among it.
 */
static void
conn_parked(struct worker *w)
{
	struct worker_proc *wp = WP_OF(w, w);

	ev_idle_start(w->loop, &wp->idle);
}

static void
accept_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct wlistener *l = (struct wlistener *)io;
	struct worker_proc *wp = l->wp;
	struct worker *w = &wp->w;
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	(void)revents;
	for (;;) {
		/* Past the cap, a few more only hear "41"; then we wait. */
		if (w->nconns >= w->max_conns + CONN_BUSY_MAX) {
			wp->accept_paused = 1;
			listeners_set(wp, 0);
			return;
		}
		len = sizeof(ss);
		fd = accept4(io->fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				log_warn("accept");
				wp->accept_paused = 1;
				listeners_set(wp, 0);
				/* Set again: a one-shot keeps no "after". */
				ev_timer_set(&wp->accept_retry, 1., 0.);
				ev_timer_start(loop, &wp->accept_retry);
			} else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("accept");
			return;
		}
		if (wp->accepted++ == 0 && !ev_is_active(&wp->trim))
			ev_timer_start(loop, &wp->trim);
		conn_new(w, fd, (struct sockaddr *)&ss, len, l->lc,
		    w->nconns - w->nbusy >= w->max_conns);
		if (w->nconns > wp->peak)
			wp->peak = w->nconns;
	}
}

static void
accept_retry_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct worker_proc *wp = WP_OF(t, accept_retry);

	(void)loop;
	(void)revents;
	wp->accept_paused = 0;
	listeners_set(wp, 1);
}

/*
 * A burst of handshakes leaves the heap at its
 * high-water mark: each one's buffers and keys are freed, but between
 * the connections that stay. After a quiet second with no new
 * connection, hand the free pages back, once; never under steady load,
 * where they would only be faulted in again. The timer runs only while
 * there is activity: an idle worker does no periodic work at all.
 */
static void
trim_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct worker_proc *wp = WP_OF(t, trim);

	(void)revents;
	if (wp->accepted > 0) {
		wp->accepted = 0;
		ev_timer_set(t, WORKER_QUIET, 0.);
		ev_timer_start(loop, t);
		return;
	}
	if (wp->peak >= WORKER_TRIM_CONNS)
		malloc_trim(0);
	wp->peak = 0;
}

static void
trim_soon(struct worker_proc *wp)
{
	if (!ev_is_active(&wp->trim))
		ev_timer_start(wp->w.loop, &wp->trim);
}

/*
 * When the loop has nothing else to do: one slice of each site's deferred
 * work (the search index is built after start-up, not before the first
 * request). Stops itself once no site has more; a change restarts it.
 */
static void publish_arm(struct worker_proc *);

static void
idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct worker_proc *wp = WP_OF(w, idle);
	struct gemini_ctx *g = wp->w.g;
	size_t i;
	int more = 0;

	(void)revents;
	for (i = 0; i < g->nvhosts; i++)
		if (g->vhosts[i].site && site_idle(g->vhosts[i].site))
			more = 1;
	if (!more) {
		ev_idle_stop(loop, w);
		/* After a change the render thread deferred, too. */
		publish_arm(wp);
	}
}

/*
 * Pages are published and expire with the clock (publishDate,
 * expiryDate): one absolute-time watcher at the earliest instant any site
 * waits for, armed again after every change; none when nothing waits.
 */
static void
publish_arm(struct worker_proc *wp)
{
	struct gemini_ctx *g = wp->w.g;
	int64_t next = INT64_MAX, t;
	size_t i;

	for (i = 0; i < g->nvhosts; i++)
		if (g->vhosts[i].site &&
		    (t = site_next_change(g->vhosts[i].site)) < next)
			next = t;
	ev_periodic_stop(wp->w.loop, &wp->publish);
	if (next == INT64_MAX)
		return;
	/*
	 * An instant already past: a tick deferred behind a render job has
	 * not run yet. Look again in a second rather than spin.
	 */
	if ((ev_tstamp)next <= ev_now(wp->w.loop))
		next = (int64_t)ev_now(wp->w.loop) + 1;
	ev_periodic_set(&wp->publish, (ev_tstamp)next, 0., 0);
	ev_periodic_start(wp->w.loop, &wp->publish);
}

static void
publish_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
	struct worker_proc *wp = WP_OF(w, publish);
	struct gemini_ctx *g = wp->w.g;
	size_t i;

	(void)loop;
	(void)revents;
	for (i = 0; i < g->nvhosts; i++)
		if (g->vhosts[i].site)
			site_tick(g->vhosts[i].site);
	publish_arm(wp);
}

/* Milliseconds since t0 (CLOCK_MONOTONIC), for debug lines. */
static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* One message: a vhost's changed paths (none: rescan it all). */
static void
apply_changes(void *arg, const char *msg, size_t len)
{
	struct worker_proc *wp = arg;
	struct gemini_ctx *g = wp->w.g;
	const char **paths;
	uint32_t host;
	size_t n;

	if (pathbatch_decode(msg, len, &host, &paths, &n) == -1 ||
	    host >= g->nvhosts) {
		log_warnx("change channel: malformed message of %zu bytes",
		    len);
		return;
	}
	if (g->vhosts[host].site) {
		struct timespec t0;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		site_update(g->vhosts[host].site, paths, n);
		log_debug("%s: %zu changed path%s applied in %.1f ms",
		    g->vhosts[host].root, n, n == 1 ? "" : "s", ms_since(&t0));
	}
	free(paths);
	ev_idle_start(wp->w.loop, &wp->idle);
	publish_arm(wp);
	trim_soon(wp);
}

static void
chan_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct worker_proc *wp = WP_OF(io, chan);

	(void)revents;
	if (chan_drain(io->fd, apply_changes, wp) == 0)
		return;
	/* The zygote closed it (we drain) or is gone. */
	ev_io_stop(loop, io);
	close(io->fd);
}

static void
drain_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
	struct worker_proc *wp =
	    s->signum == SIGINT ? WP_OF(s, sigint) : WP_OF(s, sigterm);
	size_t i;

	(void)revents;
	if (wp->w.draining)
		return;
	wp->w.draining = 1;
	listeners_set(wp, 0);
	/* A listener the reload removed must stop taking connections. */
	for (i = 0; i < wp->nls; i++)
		if (wp->ls[i].io.fd != -1) {
			close(wp->ls[i].io.fd);
			ev_io_set(&wp->ls[i].io, -1, EV_READ);
		}
	ev_timer_stop(loop, &wp->accept_retry);
	ev_timer_stop(loop, &wp->trim);
	ev_idle_stop(loop, &wp->idle);
	ev_periodic_stop(loop, &wp->publish);
	if (wp->w.nconns == 0) {
		ev_break(loop, EVBREAK_ALL);
		return;
	}
	ev_timer_start(loop, &wp->drain_limit);
}

/* SIGUSR1: reopen our own log stream (the master signals each worker). */
static void
reopen_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
	(void)loop;
	(void)s;
	(void)revents;
	log_reopen();
}

static void
drain_limit_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct worker_proc *wp = WP_OF(t, drain_limit);

	(void)revents;
	log_warnx("%u connections still open after %.0f s; closing them",
	    wp->w.nconns, WORKER_DRAIN_LIMIT);
	ev_break(loop, EVBREAK_ALL);
}

static void
flush_cb(struct ev_loop *loop, ev_prepare *p, int revents)
{
	(void)loop;
	(void)p;
	(void)revents;
	log_flush();
}

/* A post rendered off the loop is stored: answer who waited for it. */
static void
rendered_cb(void *arg, const void *key)
{
	conn_wake(arg, key);
}

/*
 * The render thread (the zygote dropped the privileges already): a
 * post's body is rendered there, so a hostile post delays only its own readers.
 */
static void
render_thread_start(struct worker_proc *wp)
{
	struct gemini_ctx *g = wp->w.g;
	size_t i;

	gemtext_init(); /* cmark's extensions, before a thread parses */
	if ((wp->rq = renderq_new(wp->w.loop,
		 wp->ws->gen->cfg.render_threads)) == NULL) {
		log_warnx("no render thread; posts render on the loop");
		return;
	}
	for (i = 0; i < g->nvhosts; i++)
		if (g->vhosts[i].site)
			site_set_renderq(g->vhosts[i].site, wp->rq, rendered_cb,
			    &wp->w);
}

void
worker_main(struct ev_loop *loop, const struct worker_start *ws)
{
	static struct worker_proc wp; /* one per process */
	struct generation *gen = ws->gen;
	sigset_t none;
	char name[32];
	size_t i;

	snprintf(name, sizeof(name), "worker %d", ws->slot);
	log_set_name(xstrdup(name));

	wp.ws = ws;
	wp.w.loop = loop;
	wp.w.g = &gen->g;
	wp.w.tls = gen->tls;
	wp.w.max_conns = (unsigned)gen->cfg.max_connections;
	wp.w.conn_closed = conn_closed;
	wp.w.conn_parked = conn_parked;
	/* Close the other slots' sockets: the kernel then balances fairly. */
	for (i = 0; i < ws->nls; i++) {
		int s;

		for (s = 0; s < ws->nslots; s++)
			if (s != ws->slot && ws->ls[i].fds[s] != -1)
				close(ws->ls[i].fds[s]);
	}
	wp.nls = ws->nls;
	wp.ls = xcalloc(ws->nls ? ws->nls : 1, sizeof(*wp.ls));
	for (i = 0; i < ws->nls; i++) {
		ev_io_init(&wp.ls[i].io, accept_cb, ws->ls[i].fds[ws->slot],
		    EV_READ);
		wp.ls[i].wp = &wp;
		wp.ls[i].lc = &gen->cfg.listen[i];
	}
	for (i = 0; i < gen->g.nvhosts; i++)
		if (gen->g.vhosts[i].site) {
			struct timespec t0;
			size_t n;

			clock_gettime(CLOCK_MONOTONIC, &t0);
			n = site_unshare(gen->g.vhosts[i].site);
			log_debug("%s: lists (%.1f MiB) made this worker's own "
				  "in %.1f ms",
			    gen->g.vhosts[i].root, (double)n / (1 << 20),
			    ms_since(&t0));
		}
	render_thread_start(&wp);
	listeners_set(&wp, 1);
	ev_timer_init(&wp.accept_retry, accept_retry_cb, 1., 0.);
	ev_timer_init(&wp.trim, trim_cb, WORKER_QUIET, 0.);
	ev_io_init(&wp.chan, chan_cb, ws->chan, EV_READ);
	ev_io_start(loop, &wp.chan);
	ev_idle_init(&wp.idle, idle_cb);
	ev_idle_start(loop, &wp.idle);
	ev_periodic_init(&wp.publish, publish_cb, 0., 0., 0);
	publish_arm(&wp);
	ev_timer_init(&wp.drain_limit, drain_limit_cb, WORKER_DRAIN_LIMIT, 0.);
	ev_signal_init(&wp.sigterm, drain_cb, SIGTERM);
	ev_signal_init(&wp.sigint, drain_cb, SIGINT);
	ev_signal_start(loop, &wp.sigterm);
	ev_signal_start(loop, &wp.sigint);
	ev_signal_init(&wp.sigusr1, reopen_cb, SIGUSR1);
	ev_signal_start(loop, &wp.sigusr1);
	/* The zygote held them across fork(): our handlers are in place. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	ev_prepare_init(&wp.flush, flush_cb);
	ev_prepare_start(loop, &wp.flush);
	/* A reload is the master's business. */
	signal(SIGHUP, SIG_IGN);
	ev_run(loop, 0);
	/* Leave nothing behind, so LeakSanitizer can vouch for a worker. */
	while (wp.w.conns)
		conn_close(wp.w.conns, "worker exiting");
	renderq_free(wp.rq);
	while (wp.w.nspare)
		SSL_free(wp.w.spare[--wp.w.nspare]);
	free(wp.ls);
	log_flush();
	exit(0);
}
