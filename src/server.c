/*
 * server: process model. The master binds every listener (one socket per
 * worker, SO_REUSEPORT, so the kernel spreads connections), loads
 * certificates and sites, forks the workers and then only supervises:
 * it restarts a worker that dies, reloads on SIGHUP (new workers on the
 * new configuration, old ones drained; a broken configuration keeps the
 * old one) and drains everything on SIGTERM/SIGINT.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <malloc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>
#include <openssl/ssl.h>

#include "conn.h"
#include "log.h"
#include "mime.h"
#include "ratelimit.h"
#include "server.h"
#include "site.h"
#include "tls.h"

#define SERVER_MAX_WORKERS 256
#define SERVER_DRAIN_LIMIT 30.0	/* seconds a draining worker may take */

/* One configured address; srv.ls[i] goes with the current cfg.listen[i]. */
struct listener {
	char *addr;		/* as configured */
	char *bound;		/* ADDR:PORT as bound, for the log; NULL: skipped */
	struct sockaddr_storage want;	/* as configured, for matching */
	socklen_t wantlen;
	int *fds;		/* one per worker slot */
};

/* Everything built from one configuration; replaced whole on reload. */
struct generation {
	struct config cfg;
	struct gemini_ctx g;
	unsigned id;
};

struct child {
	pid_t pid;
	int slot;
	unsigned gen;
	ev_tstamp started;
};

static struct {
	struct listener *ls;
	size_t nls;
	int nslots;
	struct generation *gen;	/* current */
	struct child *children;	/* current and draining workers */
	size_t nchildren, capchildren;
	int argc;
	char **argv;
	int stopping;
	uid_t uid;
	gid_t gid;
	int drop;
} srv;

void
server_cert_paths(const char *certs_dir, const char *host, char **cert,
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
		SSL_CTX_free(vh->tls);
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
	if (gen == NULL)
		return;
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

static int
load_cert(const struct config *cfg, const struct vhost_config *hc,
    struct vhost *vh)
{
	char *cert, *key;
	const char *err;
	int rc = -1;

	if (hc->cert) {
		cert = xstrdup(hc->cert);
		key = xstrdup(hc->key);
	} else {
		server_cert_paths(cfg->certs_dir, vh->names[0], &cert, &key);
		if (access(cert, F_OK) == -1 && access(key, F_OK) == -1) {
			if (mkdir(cfg->certs_dir, 0700) == -1 && errno != EEXIST) {
				log_warn("%s", cfg->certs_dir);
				goto done;
			}
			if (tls_cert_generate(vh->names[0], cert, key, &err) == 0)
				log_info("generated a certificate for %s in %s",
				    vh->names[0], cert);
			else if (!cert_pair_appears(cert, key)) {
				log_warnx("%s: %s", cert, err);
				goto done;
			} else	/* another capsuled won the race: its pair */
				log_info("%s: written by another process; "
				    "using it", cert);
		} else if (!cert_pair_appears(cert, key)) {
			log_warnx("%s and %s: only one of the two exists",
			    cert, key);
			goto done;
		}
	}
	if ((vh->tls = tls_ctx_new(cert, key)) != NULL)
		rc = 0;
done:
	free(cert);
	free(key);
	return rc;
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
	struct site_opts so;
	size_t i, j;

	g->public_port = cfg->public_port;
	g->access.rules = cfg->protect;
	g->access.nrules = cfg->nprotect;
	g->access.drafts_fingerprints = cfg->drafts_fingerprints;
	g->access.ndrafts_fingerprints = cfg->ndrafts_fingerprints;
	/* drafts_fingerprints alone means: drafts for those only. */
	g->access.drafts_all = cfg->drafts && !cfg->ndrafts_fingerprints;
	if (cfg->rate_n && (g->rl = ratelimit_new(cfg->rate_n,
	    cfg->rate_secs, cfg->rate_v6_prefix)) == NULL)
		log_warn("rate limit table");
	g->vhosts = xcalloc(cfg->nhosts, sizeof(*g->vhosts));
	g->nvhosts = cfg->nhosts;
	for (i = 0; i < cfg->nhosts; i++)
		g->vhosts[i].rootfd = -1;
	load_mime(g);
	for (i = 0; i < cfg->nhosts; i++) {
		struct vhost_config *hc = &cfg->hosts[i];
		struct vhost *vh = &g->vhosts[i];
		char *base;

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
		    cfg->lang ? xstrdup(cfg->lang) : NULL;
		if ((vh->rootfd = open(vh->root, O_PATH | O_DIRECTORY |
		    O_CLOEXEC)) == -1) {
			log_warn("root %s", vh->root);
			return -1;
		}
		if (load_cert(cfg, hc, vh) == -1)
			return -1;
		SSL_CTX_set_tlsext_servername_callback((SSL_CTX *)vh->tls,
		    conn_sni_cb);
		SSL_CTX_set_tlsext_servername_arg((SSL_CTX *)vh->tls, g);
		memset(&so, 0, sizeof(so));
		so.access = &g->access;
		so.lang = vh->lang;
		so.render = cfg->render;
		so.search = cfg->search;
		so.cache_size = (size_t)cfg->cache_size << 20;
		base = xasprintf(cfg->public_port == 1965 ? "gemini://%s" :
		    "gemini://%s:%d", vh->names[0], cfg->public_port);
		so.base_url = base;
		vh->site = site_new(vh->root, vh->rootfd, &so);
		free(base);
	}
	return 0;
}

/* --- listeners ------------------------------------------------------ */

static int
resolve_listen(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
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
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
		*len = sizeof(struct sockaddr_in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
		*len = sizeof(struct sockaddr_in6);
		return 0;
	}
	{
		struct addrinfo hints, *res;

		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		if (getaddrinfo(host, NULL, &hints, &res) != 0)
			return -1;
		memcpy(ss, res->ai_addr, res->ai_addrlen);
		*len = res->ai_addrlen;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
		freeaddrinfo(res);
	}
	return 0;
}

static int
bind_one(struct sockaddr_storage *ss, socklen_t len)
{
	int fd, one = 1;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* Inherited by accepted sockets: no setsockopt per connection. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* Wake us only when the ClientHello has arrived. */
	{
		int secs = 1;	/* idle connects still meet the deadline */

		setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs,
		    sizeof(secs));
	}
	if (bind(fd, (struct sockaddr *)ss, len) == -1 ||
	    listen(fd, SERVER_BACKLOG) == -1) {
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
			if (s == 0 && skip_ok && (errno == EAFNOSUPPORT ||
			    errno == EADDRNOTAVAIL)) {
				log_warn("listen %s (skipped)", addr);
				return 1;
			}
			log_warn("listen %s", addr);
			return -1;
		}
		/* Port 0: the other slots share the port it picked. */
		if (s == 0 && getsockname(l->fds[0], (struct sockaddr *)&ss,
		    &len) == -1)
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
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr,
		    &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
	}
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	return 0;
}

static int
bind_listeners(struct config *cfg, int nslots)
{
	size_t i;
	int rc;

	srv.ls = xcalloc(cfg->nlisten, sizeof(*srv.ls));
	srv.nls = cfg->nlisten;
	srv.nslots = nslots;
	for (i = 0; i < cfg->nlisten; i++) {
		rc = listener_open(&srv.ls[i], cfg->listen[i].addr, nslots,
		    cfg->nlisten > 1);
		if (rc == -1)
			return -1;
		if (rc == 0 && i == 0 && cfg->public_port == 0) {
			struct sockaddr_storage ss;
			socklen_t len = sizeof(ss);

			if (getsockname(srv.ls[i].fds[0], (struct sockaddr *)&ss,
			    &len) == -1)
				return -1;
			cfg->public_port = ntohs(ss.ss_family == AF_INET6 ?
			    ((struct sockaddr_in6 *)&ss)->sin6_port :
			    ((struct sockaddr_in *)&ss)->sin_port);
		}
	}
	return 0;
}

static int
same_strings(char **a, size_t na, char **b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return 1;
}

/*
 * On reload: the listeners of the new configuration, matched to the
 * bound ones by address (a listener's options belong to its address,
 * never to its place in the list). Kept sockets move over, new addresses
 * are bound, removed ones closed; each change is logged. On failure
 * nothing changes and -1 is returned.
 */
static int
rebind_listeners(const struct config *old, const struct config *cfg)
{
	struct listener *ls;
	char *taken, *kept;
	size_t i, j;
	int rc;

	ls = xcalloc(cfg->nlisten, sizeof(*ls));
	kept = xcalloc(cfg->nlisten, 1);
	taken = xcalloc(srv.nls ? srv.nls : 1, 1);
	for (i = 0; i < cfg->nlisten; i++) {
		const struct listen_config *nc = &cfg->listen[i];
		struct sockaddr_storage ss;
		socklen_t len;

		if (resolve_listen(nc->addr, &ss, &len) == -1) {
			log_warnx("listen %s: cannot resolve", nc->addr);
			goto fail;
		}
		for (j = 0; j < srv.nls; j++)
			if (!taken[j] && srv.ls[j].fds &&
			    same_address(&srv.ls[j].want, &ss))
				break;
		if (j < srv.nls) {
			const struct listen_config *oc = &old->listen[j];

			taken[j] = 1;
			kept[i] = 1;
			ls[i] = srv.ls[j];
			ls[i].addr = xstrdup(nc->addr);
			ls[i].bound = srv.ls[j].bound ?
			    xstrdup(srv.ls[j].bound) : NULL;
			ls[i].fds = xcalloc((size_t)srv.nslots, sizeof(int));
			memcpy(ls[i].fds, srv.ls[j].fds,
			    (size_t)srv.nslots * sizeof(int));
			if (oc->proxy != nc->proxy)
				log_info("listen %s: PROXY protocol %s", nc->addr,
				    nc->proxy ? "now expected" : "no longer "
				    "accepted");
			else if (!same_strings(oc->proxy_from, oc->nproxy_from,
			    nc->proxy_from, nc->nproxy_from))
				log_info("listen %s: proxy_from changed",
				    nc->addr);
			continue;
		}
		rc = listener_open(&ls[i], nc->addr, srv.nslots,
		    cfg->nlisten > 1);
		if (rc == -1)
			goto fail;
		if (rc == 0)
			log_notice("listening on %s (added)", ls[i].bound);
	}
	for (j = 0; j < srv.nls; j++) {
		if (taken[j]) {
			/* Moved: only the copies of the strings go. */
			free(srv.ls[j].addr);
			free(srv.ls[j].bound);
			free(srv.ls[j].fds);
			continue;
		}
		if (srv.ls[j].bound)
			log_notice("no longer listening on %s", srv.ls[j].bound);
		listener_close(&srv.ls[j], srv.nslots);
	}
	free(srv.ls);
	free(taken);
	free(kept);
	srv.ls = ls;
	srv.nls = cfg->nlisten;
	return 0;
fail:
	/* Close only what was bound here; kept sockets stay with srv.ls. */
	for (i = 0; i < cfg->nlisten; i++) {
		if (kept[i]) {
			free(ls[i].addr);
			free(ls[i].bound);
			free(ls[i].fds);
		} else
			listener_close(&ls[i], srv.nslots);
	}
	free(ls);
	free(taken);
	free(kept);
	return -1;
}

/* --- the worker ----------------------------------------------------- */

static struct worker wk;
static ev_io *wk_lio;		/* one per listener */
static ev_timer wk_accept_retry, wk_refresh, wk_drain_limit;
static unsigned long wk_accepted;	/* connections taken since the tick */
static int wk_trimmed;			/* heap trimmed since the last accept */
static ev_signal wk_sigterm, wk_sigint, wk_sigusr1;
static ev_prepare wk_flush;
static int wk_accept_paused;
static int wk_slot;

static void
wk_listeners(int on)
{
	size_t i;

	for (i = 0; i < srv.nls; i++) {
		if (srv.ls[i].fds[wk_slot] == -1)
			continue;
		if (on)
			ev_io_start(wk.loop, &wk_lio[i]);
		else
			ev_io_stop(wk.loop, &wk_lio[i]);
	}
}

static void
wk_conn_closed(struct worker *w)
{
	if (w->draining) {
		if (w->nconns == 0)
			ev_break(w->loop, EVBREAK_ALL);
		return;
	}
	if (wk_accept_paused && w->nconns < w->max_conns + CONN_BUSY_MAX &&
	    !ev_is_active(&wk_accept_retry)) {
		wk_accept_paused = 0;
		wk_listeners(1);
	}
}

static void
wk_accept_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	(void)loop;
	(void)revents;
	for (;;) {
		/* Past the cap, a few more only hear "41"; then we wait. */
		if (wk.nconns >= wk.max_conns + CONN_BUSY_MAX) {
			wk_accept_paused = 1;
			wk_listeners(0);
			return;
		}
		len = sizeof(ss);
		fd = accept4(io->fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				log_warn("accept");
				wk_accept_paused = 1;
				wk_listeners(0);
				/* Set again: a one-shot keeps no "after". */
				ev_timer_set(&wk_accept_retry, 1., 0.);
				ev_timer_start(wk.loop, &wk_accept_retry);
			} else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("accept");
			return;
		}
		wk_accepted++;
		conn_new(&wk, fd, (struct sockaddr *)&ss, len,
		    (const struct listen_config *)io->data,
		    wk.nconns - wk.nbusy >= wk.max_conns);
	}
}

static void
wk_accept_retry_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)t;
	(void)revents;
	wk_accept_paused = 0;
	wk_listeners(1);
}

static void
wk_refresh_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	size_t i;

	(void)loop;
	(void)t;
	(void)revents;
	for (i = 0; i < wk.g->nvhosts; i++)
		if (wk.g->vhosts[i].site)
			site_refresh(wk.g->vhosts[i].site);
	/*
	 * A burst of handshakes leaves the heap at its high-water mark:
	 * each one's buffers and keys are freed, but between the
	 * connections that stay. After a second with no new connection,
	 * hand the free pages back, once; never under steady load, where
	 * they would only be faulted in again.
	 */
	if (wk_accepted == 0 && !wk_trimmed) {
		malloc_trim(0);
		wk_trimmed = 1;
	} else if (wk_accepted > 0)
		wk_trimmed = 0;
	wk_accepted = 0;
}

static void
wk_drain_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
	size_t i;

	(void)s;
	(void)revents;
	if (wk.draining)
		return;
	wk.draining = 1;
	wk_listeners(0);
	/* A listener the reload removed must stop taking connections. */
	for (i = 0; i < srv.nls; i++)
		if (srv.ls[i].fds[wk_slot] != -1) {
			close(srv.ls[i].fds[wk_slot]);
			srv.ls[i].fds[wk_slot] = -1;
		}
	ev_timer_stop(loop, &wk_accept_retry);
	ev_timer_stop(loop, &wk_refresh);
	if (wk.nconns == 0) {
		ev_break(loop, EVBREAK_ALL);
		return;
	}
	ev_timer_start(loop, &wk_drain_limit);
}

static void
reopen_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
	size_t i;

	(void)loop;
	(void)s;
	(void)revents;
	log_reopen();
	/* The master passes it on: every process has its own stream. */
	for (i = 0; i < srv.nchildren; i++)
		kill(srv.children[i].pid, SIGUSR1);
}

static void
wk_drain_limit_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)t;
	(void)revents;
	log_warnx("%u connections still open after %.0f s; closing them",
	    wk.nconns, SERVER_DRAIN_LIMIT);
	ev_break(loop, EVBREAK_ALL);
}

static void
wk_flush_cb(struct ev_loop *loop, ev_prepare *p, int revents)
{
	(void)loop;
	(void)p;
	(void)revents;
	log_flush();
}

static void
drop_privileges(const struct config *cfg)
{
	if (!srv.drop)
		return;
	if (cfg->chroot) {
		const char *root = cfg->hosts[0].root;

		if (chroot(root) == -1 || chdir("/") == -1)
			fatal("chroot %s", root);
	}
	if (setgroups(1, &srv.gid) == -1 || setresgid(srv.gid, srv.gid,
	    srv.gid) == -1 || setresuid(srv.uid, srv.uid, srv.uid) == -1)
		fatal("dropping privileges to %s", cfg->user);
}

static void master_watchers_stop(struct ev_loop *loop);

static void __attribute__((noreturn))
worker_main(struct generation *gen, int slot)
{
	struct ev_loop *loop = EV_DEFAULT;
	size_t i;
	char name[32];

	/*
	 * The loop and the master's watchers came along with fork(): stop
	 * them, or a SIGTERM meant for this worker would also run the
	 * master's handler here and end the worker with requests in flight.
	 */
	ev_loop_fork(loop);
	master_watchers_stop(loop);
	snprintf(name, sizeof(name), "worker %d", slot);
	log_set_name(xstrdup(name));
	drop_privileges(&gen->cfg);

	memset(&wk, 0, sizeof(wk));
	wk_slot = slot;
	wk.loop = loop;
	wk.g = &gen->g;
	wk.default_ctx = gen->g.vhosts[0].tls;
	wk.max_conns = (unsigned)gen->cfg.max_connections;
	wk.conn_closed = wk_conn_closed;
	wk_lio = xcalloc(srv.nls, sizeof(*wk_lio));
	for (i = 0; i < srv.nls; i++) {
		ev_io_init(&wk_lio[i], wk_accept_cb, srv.ls[i].fds[slot], EV_READ);
		wk_lio[i].data = &gen->cfg.listen[i];
	}
	/* Close the other slots' sockets: the kernel then balances fairly. */
	for (i = 0; i < srv.nls; i++) {
		int s;

		for (s = 0; s < srv.nslots; s++)
			if (s != slot && srv.ls[i].fds[s] != -1)
				close(srv.ls[i].fds[s]);
	}
	wk_listeners(1);
	ev_timer_init(&wk_accept_retry, wk_accept_retry_cb, 1., 0.);
	ev_timer_init(&wk_refresh, wk_refresh_cb, 1., 1.);
	ev_timer_start(loop, &wk_refresh);
	ev_timer_init(&wk_drain_limit, wk_drain_limit_cb, SERVER_DRAIN_LIMIT, 0.);
	ev_signal_init(&wk_sigterm, wk_drain_cb, SIGTERM);
	ev_signal_init(&wk_sigint, wk_drain_cb, SIGINT);
	ev_signal_start(loop, &wk_sigterm);
	ev_signal_start(loop, &wk_sigint);
	srv.nchildren = 0;	/* the master's children are not ours */
	ev_signal_init(&wk_sigusr1, reopen_cb, SIGUSR1);
	ev_signal_start(loop, &wk_sigusr1);
	ev_prepare_init(&wk_flush, wk_flush_cb);
	ev_prepare_start(loop, &wk_flush);
	signal(SIGHUP, SIG_IGN);
	ev_run(loop, 0);
	/* Leave nothing behind, so LeakSanitizer can vouch for a worker. */
	while (wk.conns)
		conn_close(wk.conns, "worker exiting");
	while (wk.nspare)
		SSL_free(wk.spare[--wk.nspare]);
	free(wk_lio);
	log_flush();
	exit(0);
}

/* --- the master ----------------------------------------------------- */

static ev_signal ms_hup, ms_term, ms_int, ms_usr1;
static ev_child ms_child;
static ev_timer ms_restart, ms_rootwatch;
static struct generation *old_gens[16];

static void
master_watchers_stop(struct ev_loop *loop)
{
	ev_signal_stop(loop, &ms_hup);
	ev_signal_stop(loop, &ms_term);
	ev_signal_stop(loop, &ms_int);
	ev_signal_stop(loop, &ms_usr1);
	ev_child_stop(loop, &ms_child);
	ev_timer_stop(loop, &ms_restart);
	ev_timer_stop(loop, &ms_rootwatch);
}

static int
spawn(struct generation *gen, int slot)
{
	pid_t pid;

	log_flush();
	if ((pid = fork()) == -1) {
		log_warn("fork");
		return -1;
	}
	if (pid == 0)
		worker_main(gen, slot);
	if (srv.nchildren == srv.capchildren) {
		srv.capchildren = srv.capchildren ? srv.capchildren * 2 : 64;
		srv.children = xrealloc(srv.children,
		    srv.capchildren * sizeof(*srv.children));
	}
	srv.children[srv.nchildren].pid = pid;
	srv.children[srv.nchildren].slot = slot;
	srv.children[srv.nchildren].gen = gen->id;
	srv.children[srv.nchildren].started = ev_now(EV_DEFAULT);
	srv.nchildren++;
	return 0;
}

static int
slot_alive(int slot)
{
	size_t i;

	for (i = 0; i < srv.nchildren; i++)
		if (srv.children[i].slot == slot &&
		    srv.children[i].gen == srv.gen->id)
			return 1;
	return 0;
}

/*
 * Starts a current worker in every slot that has none. Draining workers
 * of older generations never take a slot's place. A slot that cannot be
 * filled (fork failed) is logged and retried a second later, until the
 * master has the configured number of current workers again.
 */
static void
fill_slots(void)
{
	int s, missing = 0;

	for (s = 0; s < srv.nslots; s++)
		if (!slot_alive(s) && spawn(srv.gen, s) == -1)
			missing++;
	if (missing) {
		log_warnx("%d of %d worker slots empty (%zu processes); "
		    "retrying in 1 s", missing, srv.nslots, srv.nchildren);
		if (!ev_is_active(&ms_restart)) {
			ev_timer_set(&ms_restart, 1., 0.);
			ev_timer_start(EV_DEFAULT, &ms_restart);
		}
	}
}

static void
ms_restart_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)t;
	(void)revents;
	if (!srv.stopping)
		fill_slots();
}

static void
ms_child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	size_t i;
	int status = w->rstatus;

	(void)revents;
	for (i = 0; i < srv.nchildren; i++) {
		struct child ch = srv.children[i];

		if (ch.pid != w->rpid)
			continue;
		srv.children[i] = srv.children[--srv.nchildren];
		if (srv.stopping) {
			if (srv.nchildren == 0)
				ev_break(loop, EVBREAK_ALL);
			return;
		}
		if (ch.gen != srv.gen->id) {
			/* An old worker finished draining: room for a retry. */
			if (ev_is_active(&ms_restart)) {
				ev_timer_stop(loop, &ms_restart);
				fill_slots();
			}
			return;
		}
		if (WIFSIGNALED(status))
			log_warnx("worker %d (pid %d) killed by signal %d; restarting",
			    ch.slot, (int)ch.pid, WTERMSIG(status));
		else
			log_warnx("worker %d (pid %d) exited with %d; restarting",
			    ch.slot, (int)ch.pid, WEXITSTATUS(status));
		/* A worker that dies at once would spin: wait a second. */
		if (ev_now(loop) - ch.started < 1.0) {
			if (!ev_is_active(&ms_restart)) {
				ev_timer_set(&ms_restart, 1., 0.);
				ev_timer_start(loop, &ms_restart);
			}
		} else
			fill_slots();
		return;
	}
}

/* New workers on the configuration as it now reads; why: for the log. */
static void
reload(const char *why)
{
	struct generation *gen;
	struct diags d = { 0 };
	enum config_cmd cmd;
	size_t i;

	log_info("%s: reloading configuration", why);
	gen = xcalloc(1, sizeof(*gen));
	if (config_load(&gen->cfg, srv.argc, srv.argv, &cmd, &d) == -1) {
		for (i = 0; i < d.n; i++)
			log_warnx("%s", d.v[i].msg);
		log_warnx("reload failed: keeping the running configuration");
		diags_free(&d);
		config_free(&gen->cfg);
		free(gen);
		return;
	}
	diags_free(&d);
	if (gen->cfg.public_port == 0)	/* port 0: the one bound at start */
		gen->cfg.public_port = srv.gen->cfg.public_port;
	if (!gen->cfg.log_file != !srv.gen->cfg.log_file ||
	    (gen->cfg.log_file &&
	    strcmp(gen->cfg.log_file, srv.gen->cfg.log_file)))
		log_warnx("the log file changes only on restart");
	if (gen->cfg.workers != srv.gen->cfg.workers)
		log_warnx("the number of workers changes only on restart");
	if (build_generation(gen) == -1 ||
	    rebind_listeners(&srv.gen->cfg, &gen->cfg) == -1) {
		log_warnx("reload failed: keeping the running configuration");
		generation_free(gen);
		return;
	}
	gen->id = srv.gen->id + 1;
	for (i = 0; i < srv.nchildren; i++)
		kill(srv.children[i].pid, SIGTERM);
	/* Old generations stay allocated: forked children only read copies. */
	generation_free(old_gens[gen->id % ARRAY_LEN(old_gens)]);
	old_gens[gen->id % ARRAY_LEN(old_gens)] = srv.gen;
	srv.gen = gen;
	/* New workers inherit these from the master. */
	log_set_verbosity(gen->cfg.quiet, gen->cfg.debug);
	log_set_format((enum log_format)gen->cfg.log_format);
	log_set_ip(gen->cfg.log_ip);
	fill_slots();
	log_info("reloaded");	/* after the forks: tests count workers then */
}

static void
ms_reload_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
	(void)loop;
	(void)s;
	(void)revents;
	reload("SIGHUP");
}

/*
 * A root folder swapped by rename (mv root root.old; mv root.new root)
 * leaves every descriptor on the old tree: compare the path's folder with
 * the one held, each second, and reload onto the new one. A root that is
 * missing for now (between the two renames) is waited for.
 */
static void
ms_rootwatch_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	static dev_t tried_dev;		/* a failed reload is not retried */
	static ino_t tried_ino;		/* for the same new folder */
	struct stat now, held;
	size_t i;

	(void)loop;
	(void)t;
	(void)revents;
	if (srv.stopping)
		return;
	for (i = 0; i < srv.gen->g.nvhosts; i++) {
		const struct vhost *vh = &srv.gen->g.vhosts[i];
		char *why;

		if (stat(vh->root, &now) == -1 || !S_ISDIR(now.st_mode) ||
		    fstat(vh->rootfd, &held) == -1)
			continue;
		if ((now.st_dev == held.st_dev && now.st_ino == held.st_ino) ||
		    (now.st_dev == tried_dev && now.st_ino == tried_ino))
			continue;
		tried_dev = now.st_dev;
		tried_ino = now.st_ino;
		why = xasprintf("root %s was replaced", vh->root);
		reload(why);
		free(why);
		return;
	}
}

static void
ms_stop_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
	size_t i;

	(void)revents;
	log_info("signal %d: finishing responses in flight", s->signum);
	srv.stopping = 1;
	ev_timer_stop(loop, &ms_restart);
	for (i = 0; i < srv.nchildren; i++)
		kill(srv.children[i].pid, SIGTERM);
	if (srv.nchildren == 0)
		ev_break(loop, EVBREAK_ALL);
}

int
server_run(struct config *cfg, int argc, char **argv)
{
	struct ev_loop *loop;
	struct generation *gen;
	long ncpu;
	int nslots, i;

	signal(SIGPIPE, SIG_IGN);
	srv.argc = argc;
	srv.argv = argv;
	gen = xcalloc(1, sizeof(*gen));
	gen->cfg = *cfg;		/* takes ownership */
	memset(cfg, 0, sizeof(*cfg));
	cfg = &gen->cfg;
	if (cfg->user) {
		struct passwd *pw = getpwnam(cfg->user);

		if (pw == NULL)
			fatalx("user %s: no such user", cfg->user);
		srv.uid = pw->pw_uid;
		srv.gid = pw->pw_gid;
		srv.drop = 1;
		log_set_owner(srv.uid, srv.gid);
	} else if (geteuid() == 0)
		log_warnx("running as root; set 'user' to drop privileges");
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	nslots = cfg->workers ? cfg->workers : (int)(ncpu > 0 ? ncpu : 1);
	if (nslots > SERVER_MAX_WORKERS)
		nslots = SERVER_MAX_WORKERS;
	if (bind_listeners(cfg, nslots) == -1 || build_generation(gen) == -1) {
		generation_free(gen);
		return 1;
	}
	gen->id = 1;
	srv.gen = gen;
	/*
	 * Only now: scripts that wait for this line may connect at once.
	 * --quiet keeps it only for port 0, the one way to learn the port.
	 */
	for (i = 0; i < (int)srv.nls; i++)
		if (srv.ls[i].bound && (!cfg->quiet ||
		    strcmp(strrchr(srv.ls[i].addr, ':'), ":0") == 0))
			log_notice("listening on %s", srv.ls[i].bound);
	log_info("%d worker%s%s", nslots, nslots == 1 ? "" : "s",
	    cfg->workers ? "" : " (workers = 0: one per core)");
	loop = ev_default_loop(0);
	ev_signal_init(&ms_hup, ms_reload_cb, SIGHUP);
	ev_signal_init(&ms_term, ms_stop_cb, SIGTERM);
	ev_signal_init(&ms_int, ms_stop_cb, SIGINT);
	ev_signal_start(loop, &ms_hup);
	ev_signal_start(loop, &ms_term);
	ev_signal_start(loop, &ms_int);
	ev_signal_init(&ms_usr1, reopen_cb, SIGUSR1);
	ev_signal_start(loop, &ms_usr1);
	ev_child_init(&ms_child, ms_child_cb, 0, 0);
	ev_child_start(loop, &ms_child);
	ev_timer_init(&ms_restart, ms_restart_cb, 1., 0.);
	ev_timer_init(&ms_rootwatch, ms_rootwatch_cb, 1., 1.);
	ev_timer_start(loop, &ms_rootwatch);
	for (i = 0; i < nslots; i++)
		spawn(gen, i);
	ev_run(loop, 0);
	log_info("stopped");
	log_flush();
	return 0;
}
