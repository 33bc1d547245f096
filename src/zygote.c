/*
 * zygote: the process that reads a generation's sites and forks its
 * workers. The master (root when started as root) binds, loads
 * certificates and watches the trees, but never parses a post or a site
 * config: a parser exploit on a hostile post must not find root in the
 * process it runs in, not even as a saved set-user-ID. So the master
 * forks one zygote per generation, which
 *   - drops privileges for good (chroot, groups, gids, uids; no
 *     capability survives the uid change) before it reads a byte of the
 *     site;
 *   - loads the sites, then forks the generation's workers, which share
 *     the parsed model copy-on-write, and owns their slot table: it
 *     restarts a worker that dies (after a second when it dies at once),
 *     and logs when a slot cannot be filled;
 *   - forwards the master's change batches to every worker and marks
 *     its own model stale, so that a worker it forks later rescans;
 *   - tells the master once its workers run (ZYGOTE_READY): the master
 *     retires the previous generation then, so a reload never leaves a
 *     moment without workers;
 *   - on SIGTERM/SIGINT, or when the master's channel ends, closes its
 *     listening sockets, lets its workers drain and exits after them.
 * It leads a process group holding its workers: the master reaches the
 * whole generation with killpg(), even after the zygote died.
 */
#include <errno.h>
#include <grp.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "chan.h"
#include "log.h"
#include "site.h"
#include "util.h"
#include "vhost.h"
#include "worker.h"
#include "zygote.h"

/* A worker of this generation. */
struct child {
	pid_t pid;
	int slot;
	ev_tstamp started;
	struct chan chan; /* its change channel */
};

struct zygote {
	const struct zygote_start *zs;
	struct child **children;
	size_t nchildren, capchildren;
	int stopping;
	ev_io chan; /* from the master */
	ev_signal term, intr, usr1;
	ev_child child;
	ev_timer restart; /* fills empty slots after a failed fork */
	char comm[17];	  /* the process name its workers take back */
};

#define ZY_OF(ptr, member) \
	((struct zygote *)(void *)(( \
	    char *)(ptr)-offsetof(struct zygote, member)))

/*
 * For good: no saved set-user-ID to go back to, no supplementary group
 * of root's, and the chroot first (it needs root).
 */
static void
drop_privileges(const struct zygote_start *zs)
{
	const struct config *cfg = &zs->gen->cfg;
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (!zs->drop)
		return;
	tzset(); /* /etc/localtime, before a chroot hides it */
	if (cfg->chroot) {
		const char *root = cfg->hosts[0].root;

		if (chroot(root) == -1 || chdir("/") == -1)
			fatal("chroot %s", root);
	}
	if (setgroups(1, &zs->gid) == -1 ||
	    setresgid(zs->gid, zs->gid, zs->gid) == -1 ||
	    setresuid(zs->uid, zs->uid, zs->uid) == -1)
		fatal("dropping privileges to %s", cfg->user);
	if (getresuid(&r, &e, &s) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    r != zs->uid || e != zs->uid || s != zs->uid || rg != zs->gid ||
	    eg != zs->gid || sg != zs->gid ||
	    (zs->uid != 0 && setresuid(0, 0, 0) != -1))
		fatalx("dropping privileges to %s: ids not changed", cfg->user);
}

/* Reads every vhost's site (vhosts[i].site), as the user. */
static void
sites_build_now(struct generation *gen)
{
	const struct config *cfg = &gen->cfg;
	struct gemini_ctx *g = &gen->g;
	struct site_opts so;
	size_t i;

	for (i = 0; i < g->nvhosts; i++) {
		struct vhost *vh = &g->vhosts[i];
		char *base;

		memset(&so, 0, sizeof(so));
		so.access = &g->access;
		so.lang = vh->lang;
		so.render = cfg->render;
		so.search = cfg->search;
		so.cache_size = (size_t)cfg->cache_size << 20;
		base = xasprintf(cfg->public_port == 1965 ? "gemini://%s" :
							    "gemini://%s:%d",
		    vh->names[0], cfg->public_port);
		so.base_url = base;
		vh->site = site_new(vh->root, vh->rootfd, &so);
		free(base);
	}
}

static void *
sites_build_thread(void *arg)
{
	sites_build_now(arg);
	return NULL;
}

/*
 * The sites are read on a thread of their own, so that what they leave
 * (the model and the holes its making left between its parts) is in that
 * thread's malloc arena. A worker's main thread then allocates its
 * connections' memory (OpenSSL's, mostly) from a main arena that holds
 * little else: in the arena of the model, each allocation searched the
 * free chunks of a 100,000-page load, and a request cost more at
 * 100,000 pages than at 1,000.
 */
static void
sites_build(struct generation *gen)
{
	pthread_t t;

	if (pthread_create(&t, NULL, sites_build_thread, gen) != 0) {
		sites_build_now(gen);
		return;
	}
	pthread_join(t, NULL);
}

/*
 * In a new worker: stop the zygote's watchers (or a SIGTERM meant for
 * the worker would run the zygote's handler there) and close its
 * descriptors (the master's channel, the other workers' channels).
 */
static void
zygote_leave(struct zygote *z, struct ev_loop *loop)
{
	size_t i;

	ev_loop_fork(loop);
	ev_signal_stop(loop, &z->term);
	ev_signal_stop(loop, &z->intr);
	ev_signal_stop(loop, &z->usr1);
	ev_child_stop(loop, &z->child);
	ev_timer_stop(loop, &z->restart);
	ev_io_stop(loop, &z->chan);
	if (z->chan.fd != -1)
		close(z->chan.fd);
	for (i = 0; i < z->nchildren; i++)
		chan_close(&z->children[i]->chan);
}

static int
spawn(struct zygote *z, int slot)
{
	const struct zygote_start *zs = z->zs;
	struct ev_loop *loop = EV_DEFAULT;
	struct child *ch;
	sigset_t old;
	char name[48];
	int fd;
	pid_t pid;

	/* Signals held until the worker's own handlers are in place. */
	if ((pid = chan_fork(&fd, &old)) == -1)
		return -1;
	if (pid == 0) {
		struct worker_start ws = {
			.gen = zs->gen,
			.ls = zs->ls,
			.nls = zs->nls,
			.nslots = zs->nslots,
			.slot = slot,
			.chan = fd,
		};

		zygote_leave(z, loop);
		prctl(PR_SET_NAME, z->comm); /* the master's name again */
		worker_main(loop, &ws);
	}
	ch = xcalloc(1, sizeof(*ch));
	ch->pid = pid;
	ch->slot = slot;
	ch->started = ev_now(loop);
	snprintf(name, sizeof(name), "worker %d (pid %d)", slot, (int)pid);
	chan_init(&ch->chan, fd, zs->gen->g.nvhosts, name);
	/* Its copy of the sites predates these changes: rescan. */
	if (zs->gen->changed && chan_send_full(&ch->chan) == -1)
		chan_behind(&ch->chan);
	z->children = xgrow(z->children, &z->capchildren, z->nchildren + 1,
	    sizeof(*z->children));
	z->children[z->nchildren++] = ch;
	return 0;
}

static int
slot_alive(const struct zygote *z, int slot)
{
	size_t i;

	for (i = 0; i < z->nchildren; i++)
		if (z->children[i]->slot == slot)
			return 1;
	return 0;
}

/*
 * Starts a worker in every slot that has none. A slot that cannot be
 * filled (fork failed) is logged and retried a second later, until the
 * generation has the configured number of workers again.
 */
/*
 * Once before the workers of a fill are forked. Each site makes room in
 * its lists for pages to come (site_prefork). Loading leaves the heap
 * full of small free chunks: merged here, once; merged in each worker
 * (its first malloc_trim after a burst), they were written to page by
 * page, copying the shared model into every worker (a second of CPU
 * each and most of the heap unshared at 100,000 pages).
 */
static void
before_fork(struct zygote *z)
{
	const struct gemini_ctx *g = &z->zs->gen->g;
	size_t i;

	for (i = 0; i < g->nvhosts; i++)
		if (g->vhosts[i].site)
			site_prefork(g->vhosts[i].site);
	malloc_trim(0);
}

static void
fill_slots(struct zygote *z)
{
	int s, missing = 0, trimmed = 0;

	for (s = 0; s < z->zs->nslots; s++) {
		if (slot_alive(z, s))
			continue;
		if (!trimmed++)
			before_fork(z);
		if (spawn(z, s) == -1)
			missing++;
	}
	if (missing) {
		log_warnx("%d of %d worker slots empty (%zu processes); "
			  "retrying in 1 s",
		    missing, z->zs->nslots, z->nchildren);
		if (!ev_is_active(&z->restart)) {
			ev_timer_set(&z->restart, 1., 0.);
			ev_timer_start(EV_DEFAULT, &z->restart);
		}
	}
}

static void
restart_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct zygote *z = ZY_OF(t, restart);

	(void)loop;
	(void)revents;
	if (!z->stopping)
		fill_slots(z);
}

static void
child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct zygote *z = ZY_OF(w, child);
	size_t i;
	int status = w->rstatus;

	(void)revents;
	for (i = 0; i < z->nchildren; i++) {
		struct child ch = *z->children[i];

		if (ch.pid != w->rpid)
			continue;
		chan_close(&z->children[i]->chan);
		free(z->children[i]);
		z->children[i] = z->children[--z->nchildren];
		if (z->stopping) {
			if (z->nchildren == 0)
				ev_break(loop, EVBREAK_ALL);
			return;
		}
		if (WIFSIGNALED(status))
			log_warnx(
			    "worker %d (pid %d) killed by signal %d; restarting",
			    ch.slot, (int)ch.pid, WTERMSIG(status));
		else
			log_warnx("worker %d (pid %d) exited with %d; restarting",
			    ch.slot, (int)ch.pid, WEXITSTATUS(status));
		/* A worker that dies at once would spin: wait a second. */
		if (ev_now(loop) - ch.started < 1.0) {
			if (!ev_is_active(&z->restart)) {
				ev_timer_set(&z->restart, 1., 0.);
				ev_timer_start(loop, &z->restart);
			}
		} else
			fill_slots(z);
		return;
	}
}

/* Retired: no new worker, no listening socket; exit after the workers. */
static void
zygote_stop(struct zygote *z, struct ev_loop *loop)
{
	const struct zygote_start *zs = z->zs;
	size_t i;
	int s;

	if (z->stopping)
		return;
	z->stopping = 1;
	ev_timer_stop(loop, &z->restart);
	ev_io_stop(loop, &z->chan);
	close(z->chan.fd);
	ev_io_set(&z->chan, -1, EV_READ);
	/* A removed listener must not queue connections nobody takes. */
	for (i = 0; i < zs->nls; i++)
		for (s = 0; zs->ls[i].fds && s < zs->nslots; s++)
			if (zs->ls[i].fds[s] != -1) {
				close(zs->ls[i].fds[s]);
				zs->ls[i].fds[s] = -1;
			}
	for (i = 0; i < z->nchildren; i++) {
		kill(z->children[i]->pid, SIGTERM);
		/* Draining, it needs no more news. */
		chan_close(&z->children[i]->chan);
	}
	if (z->nchildren == 0)
		ev_break(loop, EVBREAK_ALL);
}

static void
stop_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
	struct zygote *z =
	    s->signum == SIGINT ? ZY_OF(s, intr) : ZY_OF(s, term);

	(void)revents;
	zygote_stop(z, loop);
}

static void
usr1_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
	(void)loop;
	(void)s;
	(void)revents;
	log_reopen(); /* the workers were signalled with us (killpg) */
}

/* A batch from the master: ours is stale now; each worker's too. */
static void
forward(void *arg, const char *msg, size_t len)
{
	struct zygote *z = arg;
	size_t i;

	z->zs->gen->changed = 1;
	for (i = 0; i < z->nchildren; i++)
		chan_post(&z->children[i]->chan, msg, len);
}

static void
master_chan_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct zygote *z = ZY_OF(io, chan);

	(void)revents;
	/* Its end: the master retired us, or is gone. */
	if (chan_drain(io->fd, forward, z) == -1)
		zygote_stop(z, loop);
}

void
zygote_main(struct ev_loop *loop, const struct zygote_start *zs)
{
	static struct zygote z; /* one per process */
	sigset_t none;
	char ready = ZYGOTE_READY;

	z.zs = zs;
	setpgid(0, 0);
	/* A name of its own, for ps and the tests: workers take it back. */
	prctl(PR_GET_NAME, z.comm);
	prctl(PR_SET_NAME, ZYGOTE_COMM);
	log_set_name("zygote");
	/* A reload is the master's business. */
	signal(SIGHUP, SIG_IGN);
	/* Before the load: a signal meanwhile waits for the loop. */
	ev_signal_init(&z.term, stop_cb, SIGTERM);
	ev_signal_init(&z.intr, stop_cb, SIGINT);
	ev_signal_init(&z.usr1, usr1_cb, SIGUSR1);
	ev_signal_start(loop, &z.term);
	ev_signal_start(loop, &z.intr);
	ev_signal_start(loop, &z.usr1);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	ev_io_init(&z.chan, master_chan_cb, zs->chan, EV_READ);
	ev_child_init(&z.child, child_cb, 0, 0);
	ev_timer_init(&z.restart, restart_cb, 1., 0.);

	drop_privileges(zs);
	sites_build(zs->gen);

	ev_child_start(loop, &z.child);
	ev_io_start(loop, &z.chan);
	if (!z.stopping) {
		fill_slots(&z);
		if (send(zs->chan, &ready, 1, MSG_DONTWAIT | MSG_NOSIGNAL) ==
		    -1)
			log_warn("telling the master");
	}
	ev_run(loop, 0);
	log_flush();
	exit(0);
}
