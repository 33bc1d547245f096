/*
 * master: the supervising process. It binds every listener (one socket
 * per worker slot, SO_REUSEPORT, so the kernel spreads connections),
 * loads certificates, watches the trees and forks one zygote per
 * generation of the configuration (zygote.c): the zygote drops
 * privileges for good, reads the sites and forks the workers. The master
 * never parses a post or a site config: started as root, it keeps root
 * only for what needs it (keys, binding, the logs). It replaces a zygote
 * that dies, reloads on SIGHUP (a new generation; the old one drains once
 * the new one runs; a broken configuration keeps the old one) and drains
 * everything on SIGTERM/SIGINT. It never accepts a connection.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>
#include <openssl/ssl.h>

#include "chan.h"
#include "conn.h"
#include "log.h"
#include "master.h"
#include "mime.h"
#include "ratelimit.h"
#include "site.h"
#include "tls.h"
#include "vhost.h"
#include "watch.h"
#include "worker.h"
#include "zygote.h"

#define MASTER_MAX_WORKERS 256

/*
 * A generation's processes: its zygote, which leads their process group
 * (pgid = its pid), and the workers it forked.
 */
struct group {
	pid_t pid; /* the zygote's, and the group's id */
	unsigned gen;
	ev_tstamp started;
	int alive;	  /* the zygote, not reaped yet */
	int ready;	  /* its workers were started */
	int retired;	  /* told to drain */
	struct chan chan; /* change batches to the zygote */
	ev_io rd;	  /* ZYGOTE_READY from it, on the same socket */
	ev_timer slow;	  /* "not ready yet" in the log, now and then */
	struct master *m;
};

/* The master process: its state and its watchers. */
struct master {
	struct listener *ls; /* ls[i] goes with gen->cfg.listen[i] */
	size_t nls;
	int nslots;
	struct generation *gen; /* current */
	struct group **groups;	/* current, loading and draining */
	size_t ngroups, capgroups;
	struct watch *watch; /* the current generation's trees */
	int argc;	     /* the serve options, read again on SIGHUP */
	char **argv;
	int stopping;
	int announced; /* "listening on" logged */
	int reloading; /* "reloaded" to log once the new one runs */
	int drop;      /* zygotes drop privileges to uid/gid */
	uid_t uid;
	gid_t gid;
	double backoff;	 /* before the next zygote after one died unready */
	dev_t tried_dev; /* a replaced root whose reload failed: */
	ino_t tried_ino; /* not retried for the same folder */
	ev_signal hup, term, intr, usr1;
	ev_child child;
	ev_timer restart; /* a new zygote after a failed fork or a crash */
	ev_timer reroot;  /* a reload onto a replaced root */
	char *reroot_why;
};

#define MASTER_OF(ptr, member) \
	((struct master *)(void *)(( \
	    char *)(ptr)-offsetof(struct master, member)))

void
master_cert_paths(const char *certs_dir, const char *host, char **cert,
    char **key)
{
	*cert = xasprintf("%s/%s.crt", certs_dir, host);
	*key = xasprintf("%s/%s.key", certs_dir, host);
}

/* --- building a generation ---------------------------------------- */

static void
vhosts_free(struct gemini_ctx *g)
{
	size_t i, j;

	for (i = 0; i < g->nvhosts; i++) {
		struct vhost *vh = &g->vhosts[i];

		for (j = 0; j < vh->nnames; j++)
			free(vh->names[j]);
		free(vh->names);
		free(vh->root);
		free(vh->rootreal);
		free(vh->lang);
		if (vh->rootfd != -1)
			close(vh->rootfd);
		site_free(vh->site);
	}
	free(g->vhosts);
	mime_free(g->mime);
	ratelimit_free(g->rl);
	memset(g, 0, sizeof(*g));
}

static void
generation_free(struct generation *gen)
{
	size_t i;

	if (gen == NULL)
		return;
	for (i = 0; gen->tls && i < gen->g.nvhosts; i++)
		SSL_CTX_free(gen->tls[i]);
	free(gen->tls);
	vhosts_free(&gen->g);
	config_free(&gen->cfg);
	free(gen);
}

/*
 * 1 when both files exist, waiting (at most 5 s) for another process
 * that is writing them (it links the key first, then the certificate).
 */
static int
cert_pair_appears(const char *cert, const char *key)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (access(cert, F_OK) == 0 && access(key, F_OK) == 0)
			return 1;
		usleep(50000);
	}
	return 0;
}

static SSL_CTX *
load_cert(const struct config *cfg, const struct vhost_config *hc,
    const struct vhost *vh)
{
	char *cert, *key;
	const char *err;
	SSL_CTX *ctx = NULL;

	if (hc->cert) {
		cert = xstrdup(hc->cert);
		key = xstrdup(hc->key);
	} else {
		master_cert_paths(cfg->certs_dir, vh->names[0], &cert, &key);
		if (access(cert, F_OK) == -1 && access(key, F_OK) == -1) {
			if (mkdir(cfg->certs_dir, 0700) == -1 &&
			    errno != EEXIST) {
				log_warn("%s", cfg->certs_dir);
				goto done;
			}
			if (tls_cert_generate(vh->names[0], cert, key, &err) ==
			    0)
				log_info("generated a certificate for %s in %s",
				    vh->names[0], cert);
			else if (!cert_pair_appears(cert, key)) {
				log_warnx("%s: %s", cert, err);
				goto done;
			} else /* another capsuled won the race: its pair */
				log_info("%s: written by another process; "
					 "using it",
				    cert);
		} else if (!cert_pair_appears(cert, key)) {
			log_warnx("%s and %s: only one of the two exists", cert,
			    key);
			goto done;
		}
	}
	ctx = tls_ctx_new(cert, key);
done:
	free(cert);
	free(key);
	return ctx;
}

static void
load_mime(struct gemini_ctx *g)
{
	char chunk[65536];
	struct buf b = BUF_INIT;
	ssize_t n;
	int fd;

	g->mime = mime_new();
	if ((fd = open("/etc/mime.types", O_RDONLY | O_CLOEXEC)) == -1)
		return;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 && b.len < (4u << 20))
		buf_add(&b, chunk, (size_t)n);
	close(fd);
	mime_load_text(g->mime, b.data, b.len);
	buf_free(&b);
}

static int
build_generation(struct generation *gen)
{
	struct config *cfg = &gen->cfg;
	struct gemini_ctx *g = &gen->g;
	size_t i, j;

	g->public_port = cfg->public_port;
	g->access.rules = cfg->protect;
	g->access.nrules = cfg->nprotect;
	g->access.drafts_fingerprints = cfg->drafts_fingerprints;
	g->access.ndrafts_fingerprints = cfg->ndrafts_fingerprints;
	/* drafts_fingerprints alone means: drafts for those only. */
	g->access.drafts_all = cfg->drafts && !cfg->ndrafts_fingerprints;
	if (cfg->rate_n &&
	    (g->rl = ratelimit_new(cfg->rate_n, cfg->rate_secs,
		 cfg->rate_v6_prefix)) == NULL)
		log_warn("rate limit table");
	g->vhosts = xcalloc(cfg->nhosts, sizeof(*g->vhosts));
	g->nvhosts = cfg->nhosts;
	gen->tls = xcalloc(cfg->nhosts, sizeof(*gen->tls));
	for (i = 0; i < cfg->nhosts; i++)
		g->vhosts[i].rootfd = -1;
	load_mime(g);
	for (i = 0; i < cfg->nhosts; i++) {
		struct vhost_config *hc = &cfg->hosts[i];
		struct vhost *vh = &g->vhosts[i];

		vh->names = xcalloc(hc->nnames, sizeof(*vh->names));
		vh->nnames = hc->nnames;
		for (j = 0; j < hc->nnames; j++) {
			char *p;

			vh->names[j] = xstrdup(hc->names[j]);
			for (p = vh->names[j]; *p; p++)
				*p = (char)tolower((unsigned char)*p);
		}
		vh->root = xstrdup(hc->root);
		vh->rootreal = realpath(hc->root, NULL);
		vh->lang = hc->lang ? xstrdup(hc->lang) :
		    cfg->lang	    ? xstrdup(cfg->lang) :
				      NULL;
		if ((vh->rootfd = open(vh->root,
			 O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
			log_warn("root %s", vh->root);
			return -1;
		}
		if ((gen->tls[i] = load_cert(cfg, hc, vh)) == NULL)
			return -1;
		SSL_CTX_set_tlsext_servername_callback(gen->tls[i],
		    conn_sni_cb);
	}
	return 0;
}

/* --- listeners ------------------------------------------------------ */

static int
resolve_listen(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints, *res;
	char host[256];
	const char *colon;
	int port;
	size_t hlen;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		hlen = (size_t)(close - text - 1);
		memcpy(host, text + 1, hlen < sizeof(host) ? hlen : 0);
		colon = close + 1;
	} else {
		colon = strrchr(text, ':');
		hlen = (size_t)(colon - text);
		if (hlen >= sizeof(host))
			return -1;
		memcpy(host, text, hlen);
	}
	if (hlen >= sizeof(host))
		return -1;
	host[hlen] = '\0';
	port = atoi(colon + 1);
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) ==
	    1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
		*len = sizeof(struct sockaddr_in);
		return 0;
	}
	if (inet_pton(AF_INET6, host,
		&((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
		*len = sizeof(struct sockaddr_in6);
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	freeaddrinfo(res);
	return 0;
}

static int
bind_one(struct sockaddr_storage *ss, socklen_t len)
{
	int fd, one = 1;
	int defer = 1; /* seconds; idle connects still meet the deadline */

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* Inherited by accepted sockets: no setsockopt per connection. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* Wake us only when the ClientHello has arrived. */
	setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof(defer));
	if (bind(fd, (struct sockaddr *)ss, len) == -1 ||
	    listen(fd, MASTER_BACKLOG) == -1) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* The configured address as bound (port 0 resolved), for the log. */
static char *
bound_name(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[INET6_ADDRSTRLEN];

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return xstrdup("?");
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (void *)&ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof(addr));
		return xasprintf("[%s]:%d", addr, ntohs(s6->sin6_port));
	} else {
		struct sockaddr_in *s4 = (void *)&ss;

		inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof(addr));
		return xasprintf("%s:%d", addr, ntohs(s4->sin_port));
	}
}

/*
 * Binds nslots sockets for one configured address. Returns 0, 1 when the
 * address family is missing here and skip_ok (serve on the others), or
 * -1 (logged).
 */
static int
listener_open(struct listener *l, const char *addr, int nslots, int skip_ok)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int s;

	memset(l, 0, sizeof(*l));
	l->addr = xstrdup(addr);
	l->fds = xcalloc((size_t)nslots, sizeof(int));
	for (s = 0; s < nslots; s++)
		l->fds[s] = -1;
	if (resolve_listen(addr, &ss, &len) == -1) {
		log_warnx("listen %s: cannot resolve", addr);
		return -1;
	}
	l->want = ss;
	l->wantlen = len;
	for (s = 0; s < nslots; s++) {
		if ((l->fds[s] = bind_one(&ss, len)) == -1) {
			/* No IPv6 here: serve on the other listeners. */
			if (s == 0 && skip_ok &&
			    (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL)) {
				log_warn("listen %s (skipped)", addr);
				return 1;
			}
			log_warn("listen %s", addr);
			return -1;
		}
		/* Port 0: the other slots share the port it picked. */
		if (s == 0 &&
		    getsockname(l->fds[0], (struct sockaddr *)&ss, &len) == -1)
			return -1;
	}
	l->bound = bound_name(l->fds[0]);
	return 0;
}

static void
listener_close(struct listener *l, int nslots)
{
	int s;

	for (s = 0; l->fds && s < nslots; s++)
		if (l->fds[s] != -1)
			close(l->fds[s]);
	free(l->fds);
	free(l->addr);
	free(l->bound);
	memset(l, 0, sizeof(*l));
}

/* The same address and port as configured (port 0 matches port 0). */
static int
same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a,
					  *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr,
			sizeof(x->sin6_addr)) == 0;
	}
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a,
					 *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	return 0;
}

static int
bind_listeners(struct master *m, struct config *cfg, int nslots)
{
	size_t i;
	int rc;

	m->ls = xcalloc(cfg->nlisten, sizeof(*m->ls));
	m->nls = cfg->nlisten;
	m->nslots = nslots;
	for (i = 0; i < cfg->nlisten; i++) {
		rc = listener_open(&m->ls[i], cfg->listen[i].addr, nslots,
		    cfg->nlisten > 1);
		if (rc == -1)
			return -1;
		if (rc == 0 && i == 0 && cfg->public_port == 0) {
			struct sockaddr_storage ss;
			socklen_t len = sizeof(ss);

			if (getsockname(m->ls[i].fds[0], (struct sockaddr *)&ss,
				&len) == -1)
				return -1;
			cfg->public_port = ntohs(ss.ss_family == AF_INET6 ?
				((struct sockaddr_in6 *)&ss)->sin6_port :
				((struct sockaddr_in *)&ss)->sin_port);
		}
	}
	return 0;
}

/*
 * On reload: the listeners of the new configuration, matched to the
 * bound ones by address (a listener's options belong to its address,
 * never to its place in the list). Kept sockets move over, new addresses
 * are bound, removed ones closed; each change is logged. On failure
 * nothing changes and -1 is returned.
 */
static int
rebind_listeners(struct master *m, const struct config *old,
    const struct config *cfg)
{
	struct listener *ls;
	char *taken, *kept;
	size_t i, j;
	int rc;

	ls = xcalloc(cfg->nlisten, sizeof(*ls));
	kept = xcalloc(cfg->nlisten, 1);
	taken = xcalloc(m->nls ? m->nls : 1, 1);
	for (i = 0; i < cfg->nlisten; i++) {
		const struct listen_config *nc = &cfg->listen[i];
		struct sockaddr_storage ss;
		socklen_t len;

		if (resolve_listen(nc->addr, &ss, &len) == -1) {
			log_warnx("listen %s: cannot resolve", nc->addr);
			goto fail;
		}
		for (j = 0; j < m->nls; j++)
			if (!taken[j] && m->ls[j].fds &&
			    same_address(&m->ls[j].want, &ss))
				break;
		if (j < m->nls) {
			const struct listen_config *oc = &old->listen[j];

			taken[j] = 1;
			kept[i] = 1;
			ls[i] = m->ls[j];
			ls[i].addr = xstrdup(nc->addr);
			ls[i].bound =
			    m->ls[j].bound ? xstrdup(m->ls[j].bound) : NULL;
			ls[i].fds = xcalloc((size_t)m->nslots, sizeof(int));
			memcpy(ls[i].fds, m->ls[j].fds,
			    (size_t)m->nslots * sizeof(int));
			if (oc->proxy != nc->proxy)
				log_info("listen %s: PROXY protocol %s",
				    nc->addr,
				    nc->proxy ? "now expected" :
						"no longer "
						"accepted");
			else if (!strv_eq(oc->proxy_from, oc->nproxy_from,
				     nc->proxy_from, nc->nproxy_from))
				log_info("listen %s: proxy_from changed",
				    nc->addr);
			continue;
		}
		rc = listener_open(&ls[i], nc->addr, m->nslots,
		    cfg->nlisten > 1);
		if (rc == -1)
			goto fail;
		if (rc == 0)
			log_notice("listening on %s (added)", ls[i].bound);
	}
	for (j = 0; j < m->nls; j++) {
		if (taken[j]) {
			/* Moved: only the copies of the strings go. */
			free(m->ls[j].addr);
			free(m->ls[j].bound);
			free(m->ls[j].fds);
			continue;
		}
		if (m->ls[j].bound)
			log_notice("no longer listening on %s", m->ls[j].bound);
		listener_close(&m->ls[j], m->nslots);
	}
	free(m->ls);
	free(taken);
	free(kept);
	m->ls = ls;
	m->nls = cfg->nlisten;
	return 0;
fail:
	/* Close only what was bound here; kept sockets stay with m->ls. */
	for (i = 0; i < cfg->nlisten; i++) {
		if (kept[i]) {
			free(ls[i].addr);
			free(ls[i].bound);
			free(ls[i].fds);
		} else
			listener_close(&ls[i], m->nslots);
	}
	free(ls);
	free(taken);
	free(kept);
	return -1;
}

/* --- the zygotes' change channels ------------------------------------ */

/* From the watcher: one vhost's changes, to the current zygote(s). */
static void
changes_cb(void *arg, size_t host, const struct pathbatch *b)
{
	struct master *m = arg;
	size_t i, len;
	char *msg;

	msg = pathbatch_encode(b, (uint32_t)host, &len);
	for (i = 0; i < m->ngroups; i++) {
		struct group *g = m->groups[i];

		if (g->gen == m->gen->id && g->alive && !g->retired)
			chan_post(&g->chan, msg, len);
	}
	free(msg);
	log_debug("%s: %s changed", m->gen->g.vhosts[host].root,
	    b->full	  ? "everything" :
		b->n == 1 ? b->v[0] :
			    "several files");
}

static void reload(struct master *m, const char *why);

/*
 * From the watcher: a root folder may have been swapped by rename
 * (mv root root.old; mv root.new root), which leaves every descriptor
 * on the old tree. Compare the path's folder with the one held and
 * reload onto the new one. A root missing for now (between the two
 * renames) is waited for: its arrival is another event.
 */
static void
root_cb(void *arg, size_t host)
{
	struct master *m = arg;
	const struct vhost *vh;
	struct stat now, held;

	if (m->stopping || host >= m->gen->g.nvhosts)
		return;
	vh = &m->gen->g.vhosts[host];
	if (stat(vh->root, &now) == -1 || !S_ISDIR(now.st_mode) ||
	    fstat(vh->rootfd, &held) == -1)
		return;
	if ((now.st_dev == held.st_dev && now.st_ino == held.st_ino) ||
	    (now.st_dev == m->tried_dev && now.st_ino == m->tried_ino))
		return;
	/* A failed reload is not retried for the same new folder. */
	m->tried_dev = now.st_dev;
	m->tried_ino = now.st_ino;
	if (m->reroot_why)
		return;
	/* Not from inside the watcher, which the reload replaces. */
	m->reroot_why = xasprintf("root %s was replaced", vh->root);
	ev_timer_start(EV_DEFAULT, &m->reroot);
}

static void
reroot_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct master *m = MASTER_OF(t, reroot);
	char *why = m->reroot_why;

	(void)loop;
	(void)revents;
	m->reroot_why = NULL;
	if (!m->stopping)
		reload(m, why);
	free(why);
}

/* A watcher on gen's trees, set before their sites are read. */
static struct watch *
watch_generation(struct master *m, const struct generation *gen)
{
	struct watch_cbs cbs = { changes_cb, root_cb, m };
	struct watch *w = watch_new(EV_DEFAULT, &cbs);
	size_t i;

	for (i = 0; i < gen->g.nvhosts; i++)
		watch_add(w, i, gen->g.vhosts[i].root, gen->g.vhosts[i].rootfd);
	return w;
}

/* --- generations: a zygote and its workers ---------------------------- */

static void
master_watchers_stop(struct master *m, struct ev_loop *loop)
{
	ev_signal_stop(loop, &m->hup);
	ev_signal_stop(loop, &m->term);
	ev_signal_stop(loop, &m->intr);
	ev_signal_stop(loop, &m->usr1);
	ev_child_stop(loop, &m->child);
	ev_timer_stop(loop, &m->restart);
	ev_timer_stop(loop, &m->reroot);
}

/*
 * In a new zygote: the loop and the master's watchers came along with
 * fork(). Stop them, or a SIGTERM meant for the zygote would also run
 * the master's handler there; and close the master's descriptors (the
 * other zygotes' channels, inotify).
 */
static void
master_leave(struct master *m, struct ev_loop *loop)
{
	size_t i;

	ev_loop_fork(loop);
	master_watchers_stop(m, loop);
	for (i = 0; i < m->ngroups; i++) {
		ev_io_stop(loop, &m->groups[i]->rd);
		ev_timer_stop(loop, &m->groups[i]->slow);
		chan_close(&m->groups[i]->chan);
	}
	watch_free(m->watch);
	m->watch = NULL;
}

/* 1 when the master has a child left (not reaped), in any group. */
static int
children_left(idtype_t which, id_t id)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return waitid(which, id, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

/*
 * Signals a whole generation: its zygote and workers. A group whose
 * zygote is gone is signalled only while one of its workers (ours, as
 * subreaper) is left, so the id cannot name someone else's group.
 */
static void
group_signal(const struct group *g, int sig)
{
	if (g->alive || children_left(P_PGID, (id_t)g->pid))
		killpg(g->pid, sig);
}

/* Forgets the groups with no process left. */
static void
groups_gc(struct master *m)
{
	size_t i = 0;

	while (i < m->ngroups) {
		struct group *g = m->groups[i];

		if (g->alive || children_left(P_PGID, (id_t)g->pid)) {
			i++;
			continue;
		}
		ev_timer_stop(EV_DEFAULT, &g->slow);
		free(g);
		m->groups[i] = m->groups[--m->ngroups];
	}
}

/* Tells a generation to drain: its workers finish, then all exit. */
static void
group_retire(struct group *g)
{
	if (g->retired)
		return;
	g->retired = 1;
	ev_timer_stop(EV_DEFAULT, &g->slow);
	group_signal(g, SIGTERM);
	/*
	 * A stopped zygote (SIGSTOP) would hold the generation forever: its
	 * workers' exits unreaped, its own SIGTERM pending. A stopped worker
	 * is left alone (it drains when continued) until the master stops.
	 */
	if (g->alive)
		kill(g->pid, SIGCONT);
	ev_io_stop(EV_DEFAULT, &g->rd);
	chan_close(&g->chan);
}

/* Once the first generation runs: scripts may connect at once. */
static void
announce(struct master *m)
{
	const struct config *cfg = &m->gen->cfg;
	size_t i;

	if (m->announced)
		return;
	m->announced = 1;
	/* --quiet keeps it only for port 0, the one way to learn the port. */
	for (i = 0; i < m->nls; i++)
		if (m->ls[i].bound &&
		    (!cfg->quiet ||
			strcmp(strrchr(m->ls[i].addr, ':'), ":0") == 0))
			log_notice("listening on %s", m->ls[i].bound);
	log_info("%d worker%s%s", m->nslots, m->nslots == 1 ? "" : "s",
	    cfg->workers ? "" : " (workers = 0: one per core)");
}

/* A zygote of the current generation runs its workers: retire the rest. */
static void
group_ready(struct master *m, struct group *g)
{
	size_t i;

	g->ready = 1;
	ev_timer_stop(EV_DEFAULT, &g->slow);
	if (g->retired || g->gen != m->gen->id)
		return;
	m->backoff = 0;
	for (i = 0; i < m->ngroups; i++)
		if (m->groups[i] != g)
			group_retire(m->groups[i]);
	groups_gc(m);
	announce(m);
	if (m->reloading) {
		m->reloading = 0;
		log_info("reloaded");
	}
}

static void
group_rd_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct group *g =
	    (struct group *)(void *)((char *)io - offsetof(struct group, rd));
	char msg[16];
	ssize_t n;

	(void)revents;
	n = recv(io->fd, msg, sizeof(msg), MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && msg[0] == ZYGOTE_READY) {
		group_ready(g->m, g);
		return;
	}
	/* Its end closed: child_cb hears of its exit. */
	ev_io_stop(loop, io);
}

/*
 * A zygote still reading its sites after ZYGOTE_SLOW s (a site too large
 * for the machine, a hung file system): said in the log, and again
 * after twice as long each time, so that a reload that never takes
 * effect is not silent. It goes on waiting: a large site is not wrong.
 */
#define ZYGOTE_SLOW 30.

static void
group_slow_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct group *g =
	    (struct group *)(void *)((char *)t - offsetof(struct group, slow));

	(void)revents;
	if (g->ready || g->retired || !g->alive)
		return;
	log_warnx("zygote (pid %d) of generation %u: not ready after %.0f s, "
		  "still reading the sites; %s",
	    (int)g->pid, g->gen, ev_now(loop) - g->started,
	    g->m->announced ? "the running generation serves meanwhile" :
			      "nothing is served until it is");
	ev_timer_set(t, ev_now(loop) - g->started, 0.);
	ev_timer_start(loop, t);
}

/*
 * Forks the current generation's zygote: it drops privileges, reads the
 * sites and starts the workers (zygote.c). 0, or -1 (logged) when the
 * fork failed: retried a second later.
 */
static int
zygote_spawn(struct master *m)
{
	struct ev_loop *loop = EV_DEFAULT;
	struct group *g;
	sigset_t old;
	char name[48];
	int fd;
	pid_t pid;

	/* Signals held until the zygote's own handlers are in place. */
	if ((pid = chan_fork(&fd, &old)) == -1) {
		if (!ev_is_active(&m->restart)) {
			ev_timer_set(&m->restart, 1., 0.);
			ev_timer_start(loop, &m->restart);
		}
		return -1;
	}
	if (pid == 0) {
		struct zygote_start zs = {
			.gen = m->gen,
			.ls = m->ls,
			.nls = m->nls,
			.nslots = m->nslots,
			.chan = fd,
			.drop = m->drop,
			.uid = m->uid,
			.gid = m->gid,
		};

		master_leave(m, loop);
		zygote_main(loop, &zs);
	}
	/* Its own group before anyone signals it (it does the same). */
	setpgid(pid, pid);
	g = xcalloc(1, sizeof(*g));
	g->pid = pid;
	g->gen = m->gen->id;
	g->started = ev_now(loop);
	g->alive = 1;
	g->m = m;
	snprintf(name, sizeof(name), "zygote (pid %d)", (int)pid);
	chan_init(&g->chan, fd, m->gen->g.nvhosts, name);
	ev_io_init(&g->rd, group_rd_cb, fd, EV_READ);
	ev_io_start(loop, &g->rd);
	ev_timer_init(&g->slow, group_slow_cb, ZYGOTE_SLOW, 0.);
	ev_timer_start(loop, &g->slow);
	m->groups =
	    xgrow(m->groups, &m->capgroups, m->ngroups + 1, sizeof(*m->groups));
	m->groups[m->ngroups++] = g;
	return 0;
}

/* A zygote for the current generation, unless one lives already. */
static void
zygote_ensure(struct master *m)
{
	size_t i;

	if (m->stopping)
		return;
	for (i = 0; i < m->ngroups; i++)
		if (m->groups[i]->gen == m->gen->id && m->groups[i]->alive &&
		    !m->groups[i]->retired)
			return;
	zygote_spawn(m);
}

static void
restart_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct master *m = MASTER_OF(t, restart);

	(void)loop;
	(void)revents;
	zygote_ensure(m);
}

/*
 * A child ended: a zygote, or a worker whose zygote died before it (we
 * are their subreaper). A zygote that was not retired is replaced; its
 * workers serve on until the new one's run (group_ready retires them).
 */
static void
child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct master *m = MASTER_OF(w, child);
	struct group *g = NULL;
	size_t i;
	int status = w->rstatus;

	(void)revents;
	for (i = 0; i < m->ngroups; i++)
		if (m->groups[i]->alive && m->groups[i]->pid == w->rpid)
			g = m->groups[i];
	if (g) {
		g->alive = 0;
		ev_timer_stop(loop, &g->slow);
		ev_io_stop(loop, &g->rd);
		chan_close(&g->chan);
		if (!g->retired && !m->stopping) {
			char how[48];

			if (WIFSIGNALED(status))
				snprintf(how, sizeof(how),
				    "killed by signal %d", WTERMSIG(status));
			else
				snprintf(how, sizeof(how), "exited with %d",
				    WEXITSTATUS(status));
			/*
			 * One that dies before its workers run would die
			 * again (a post that crashes the parser, a site too
			 * large for memory): wait 1 s, then twice as long
			 * each time, up to a minute, until one is ready.
			 * The old generation serves meanwhile.
			 */
			if (g->gen != m->gen->id)
				log_warnx("zygote (pid %d) of generation %u %s; "
					  "its workers serve until the new one "
					  "runs",
				    (int)g->pid, g->gen, how);
			else if (!g->ready) {
				m->backoff = m->backoff < 1. ? 1. :
				    m->backoff >= 32.	     ? 60. :
							       m->backoff * 2;
				log_warnx("zygote (pid %d) of generation %u %s "
					  "before its workers ran; starting "
					  "another in %.0f s",
				    (int)g->pid, g->gen, how, m->backoff);
				ev_timer_stop(loop, &m->restart);
				ev_timer_set(&m->restart, m->backoff, 0.);
				ev_timer_start(loop, &m->restart);
			} else {
				log_warnx("zygote (pid %d) of generation %u %s; "
					  "starting another",
				    (int)g->pid, g->gen, how);
				if (ev_now(loop) - g->started >= 1.0)
					zygote_ensure(m);
				else if (!ev_is_active(&m->restart)) {
					ev_timer_set(&m->restart, 1., 0.);
					ev_timer_start(loop, &m->restart);
				}
			}
		}
	}
	groups_gc(m);
	if (m->stopping && !children_left(P_ALL, 0))
		ev_break(loop, EVBREAK_ALL);
}

/* --- reloads and signals --------------------------------------------- */

/*
 * A new generation on the configuration as it now reads; why: for the
 * log. Its zygote reads the sites and starts its workers; the running
 * generation serves until then (group_ready retires it and logs
 * "reloaded"). A generation still loading is superseded at once.
 */
static void
reload(struct master *m, const char *why)
{
	struct generation *gen;
	struct watch *watch;
	struct diags d = { 0 };
	enum config_cmd cmd;
	size_t i;

	if (m->stopping)
		return;
	log_info("%s: reloading configuration", why);
	gen = xcalloc(1, sizeof(*gen));
	if (config_load(&gen->cfg, m->argc, m->argv, &cmd, &d) == -1) {
		for (i = 0; i < d.n; i++)
			log_warnx("%s", d.v[i].msg);
		log_warnx("reload failed: keeping the running configuration");
		diags_free(&d);
		config_free(&gen->cfg);
		free(gen);
		return;
	}
	diags_free(&d);
	if (gen->cfg.public_port == 0) /* port 0: the one bound at start */
		gen->cfg.public_port = m->gen->cfg.public_port;
	if (!gen->cfg.log_file != !m->gen->cfg.log_file ||
	    (gen->cfg.log_file &&
		strcmp(gen->cfg.log_file, m->gen->cfg.log_file)))
		log_warnx("the log file changes only on restart");
	if (gen->cfg.workers != m->gen->cfg.workers)
		log_warnx("the number of workers changes only on restart");
	if (build_generation(gen) == -1 ||
	    rebind_listeners(m, &m->gen->cfg, &gen->cfg) == -1) {
		log_warnx("reload failed: keeping the running configuration");
		generation_free(gen);
		return;
	}
	gen->id = m->gen->id + 1;
	watch = watch_generation(m, gen);
	/* A generation not serving yet never will. */
	for (i = 0; i < m->ngroups; i++)
		if (!m->groups[i]->ready)
			group_retire(m->groups[i]);
	watch_free(m->watch);
	m->watch = watch;
	/*
	 * The old generation goes at once: its zygote and workers got their
	 * own copy with fork(). The master keeps nothing of it but the ids
	 * in m->groups.
	 */
	generation_free(m->gen);
	m->gen = gen;
	/* The new zygote and workers inherit these from the master. */
	log_set_verbosity(gen->cfg.quiet, gen->cfg.debug);
	log_set_format((enum log_format)gen->cfg.log_format);
	log_set_ip(gen->cfg.log_ip);
	m->reloading = 1;
	ev_timer_stop(EV_DEFAULT, &m->restart);
	zygote_spawn(m);
}

static void
hup_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
	(void)loop;
	(void)revents;
	reload(MASTER_OF(s, hup), "SIGHUP");
}

/* SIGUSR1: reopen the master's log; each zygote and worker its own. */
static void
usr1_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
	struct master *m = MASTER_OF(s, usr1);
	size_t i;

	(void)loop;
	(void)revents;
	log_reopen();
	for (i = 0; i < m->ngroups; i++)
		group_signal(m->groups[i], SIGUSR1);
}

static void
stop_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
	struct master *m =
	    s->signum == SIGINT ? MASTER_OF(s, intr) : MASTER_OF(s, term);
	size_t i;

	(void)revents;
	log_info("signal %d: finishing responses in flight", s->signum);
	m->stopping = 1;
	ev_timer_stop(loop, &m->restart);
	watch_free(m->watch);
	m->watch = NULL;
	for (i = 0; i < m->ngroups; i++) {
		m->groups[i]->retired = 0; /* again: SIGTERM to everyone */
		group_retire(m->groups[i]);
		group_signal(m->groups[i], SIGCONT); /* stopped ones too */
	}
	if (!children_left(P_ALL, 0))
		ev_break(loop, EVBREAK_ALL);
}

int
master_run(struct config *cfg, int argc, char **argv)
{
	static struct master ms; /* one per process */
	struct master *m = &ms;
	struct ev_loop *loop;
	struct generation *gen;
	long ncpu;
	int nslots;

	signal(SIGPIPE, SIG_IGN);
	m->argc = argc;
	m->argv = argv;
	gen = xcalloc(1, sizeof(*gen));
	gen->cfg = *cfg; /* takes ownership */
	memset(cfg, 0, sizeof(*cfg));
	cfg = &gen->cfg;
	if (cfg->user) {
		struct passwd *pw = getpwnam(cfg->user);

		if (pw == NULL)
			fatalx("user %s: no such user", cfg->user);
		m->uid = pw->pw_uid;
		m->gid = pw->pw_gid;
		m->drop = 1;
		log_set_owner(m->uid, m->gid);
	} else if (geteuid() == 0)
		log_warnx("running as root; set 'user' to drop privileges");
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	nslots = cfg->workers ? cfg->workers : (int)(ncpu > 0 ? ncpu : 1);
	if (nslots > MASTER_MAX_WORKERS)
		nslots = MASTER_MAX_WORKERS;
	if (bind_listeners(m, cfg, nslots) == -1 ||
	    build_generation(gen) == -1) {
		generation_free(gen);
		return 1;
	}
	gen->id = 1;
	m->gen = gen;
	/* Workers whose zygote died are ours to reap (and to wait for). */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		log_warn("PR_SET_CHILD_SUBREAPER");
	loop = ev_default_loop(0);
	m->watch = watch_generation(m, gen);
	ev_signal_init(&m->hup, hup_cb, SIGHUP);
	ev_signal_init(&m->term, stop_cb, SIGTERM);
	ev_signal_init(&m->intr, stop_cb, SIGINT);
	ev_signal_start(loop, &m->hup);
	ev_signal_start(loop, &m->term);
	ev_signal_start(loop, &m->intr);
	ev_signal_init(&m->usr1, usr1_cb, SIGUSR1);
	ev_signal_start(loop, &m->usr1);
	ev_child_init(&m->child, child_cb, 0, 0);
	ev_child_start(loop, &m->child);
	ev_timer_init(&m->restart, restart_cb, 1., 0.);
	ev_timer_init(&m->reroot, reroot_cb, 0., 0.);
	/* "listening on" is logged once its workers run (announce). */
	zygote_spawn(m);
	ev_run(loop, 0);
	log_info("stopped");
	log_flush();
	return 0;
}
