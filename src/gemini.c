/*
 * gemini: routes one parsed request to a response: protocol checks
 * (scheme, host, port), then the site's generated pages and posts, then
 * files under the capsule root. Never serves anything outside the root
 * (openat2 RESOLVE_BENEATH plus a check of the resolved path), never a
 * dotfile, never a FIFO or device.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "gemini.h"
#include "hostname.h"
#include "mime.h"
#include "pagemodel.h"
#include "ratelimit.h"
#include "site.h"
#include "url.h"
#include "vhost.h"

static void
respond(struct response *resp, int status, const char *meta)
{
	resp->status = status;
	resp->page = page_new(status, meta, NULL, 0);
}

#define GEMINI_MAX_SYMLINKS 40 /* links followed in one path, as the kernel */
#define GEMINI_SMALL_FILE   (256 * 1024) /* bytes read whole, not streamed */
#define GEMINI_READ_TRIES   4 /* reads of a small file changing meanwhile */

static int
openat2_beneath(int dirfd, const char *rel, unsigned long long resolve)
{
	struct open_how how;

	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | resolve;
	return (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
}

/*
 * Resolves the symlinks in rel by hand, beneath the root: no component
 * of the result may start with '.', and no link may lead outside (an
 * absolute link counts only when it points into rootreal). This needs
 * no /proc, so it holds in a chroot too. Returns 0 with the link-free
 * path in out, or -1.
 */
static int
resolve_links(int rootfd, const char *rootreal, const char *rel,
    struct buf *out)
{
	struct buf todo = BUF_INIT, path = BUF_INIT, tmp = BUF_INIT;
	char target[4096];
	struct stat st;
	int hops = 0, rc = -1;
	ssize_t n;

	buf_adds(&todo, rel);
	while (todo.len) {
		size_t clen = strcspn(todo.data, "/"), keep;
		char *c = xstrndup(todo.data, clen);

		/* Drop the component (and its slash) from the queue. */
		keep = clen < todo.len ? clen + 1 : clen;
		memmove(todo.data, todo.data + keep, todo.len - keep + 1);
		todo.len -= keep;
		if (c[0] == '\0' || strcmp(c, ".") == 0) {
			free(c);
			continue;
		}
		if (strcmp(c, "..") == 0) {
			char *slash = strrchr(path.data, '/');

			free(c);
			if (path.len == 0)
				goto done; /* above the root */
			buf_truncate(&path,
			    slash ? (size_t)(slash - path.data) : 0);
			continue;
		}
		if (c[0] == '.') {
			free(c);
			goto done;
		}
		keep = path.len;
		if (path.len)
			buf_addc(&path, '/');
		buf_adds(&path, c);
		free(c);
		if (fstatat(rootfd, path.data, &st, AT_SYMLINK_NOFOLLOW) == -1)
			goto done;
		if (!S_ISLNK(st.st_mode))
			continue;
		if (++hops > GEMINI_MAX_SYMLINKS ||
		    (n = readlinkat(rootfd, path.data, target,
			 sizeof(target) - 1)) <= 0)
			goto done;
		target[n] = '\0';
		buf_truncate(&path, keep);
		buf_reset(&tmp);
		if (target[0] == '/') {
			size_t rl = strlen(rootreal);

			if (strncmp(target, rootreal, rl) != 0 ||
			    (target[rl] != '/' && target[rl] != '\0'))
				goto done;
			buf_reset(&path);
			buf_adds(&tmp, target + rl);
		} else
			buf_adds(&tmp, target);
		buf_addc(&tmp, '/');
		buf_add(&tmp, todo.data, todo.len);
		buf_reset(&todo);
		buf_add(&todo, tmp.data, tmp.len);
	}
	buf_reset(out);
	buf_adds(out, path.len ? path.data : ".");
	rc = 0;
done:
	buf_free(&todo);
	buf_free(&path);
	buf_free(&tmp);
	return rc;
}

/*
 * Opens rel beneath the host's root and sets real to the path opened,
 * symlinks resolved ("." for the root): access rules apply to where a
 * file really is. The common case, a path with no symlinks, costs one
 * openat2; a path with links is resolved by hand.
 */
static int
open_beneath(const struct vhost *vh, const char *rel, struct buf *real)
{
	int fd;

	buf_reset(real);
	fd = openat2_beneath(vh->rootfd, rel, RESOLVE_NO_SYMLINKS);
	if (fd != -1 || errno != ELOOP) {
		buf_adds(real, rel);
		while (real->len > 1 && real->data[real->len - 1] == '/')
			buf_truncate(real, real->len - 1);
		return fd;
	}
	if (resolve_links(vh->rootfd, vh->rootreal ? vh->rootreal : "", rel,
		real) == 0)
		return openat2_beneath(vh->rootfd, real->data,
		    RESOLVE_NO_SYMLINKS);
	return -1;
}

/*
 * The access rule for the file at real (beneath the root, symlinks
 * resolved): 0 when v may see it, else the status to answer. Markdown
 * under a site is a post: the site's rule decides.
 */
static int
file_status(const struct vhost *vh, const struct viewer *v, const char *real)
{
	struct buf path = BUF_INIT;
	int st;

	buf_printf(&path, "/%s", strcmp(real, ".") == 0 ? "" : real);
	st = access_path(v, path.data);
	buf_free(&path);
	/* A post, or a file of a page's bundle: as its page. */
	if (st == 0 && vh->site)
		st = site_file_status(vh->site, v, real);
	return st;
}

static void
base_url(struct gemini_ctx *g, const char *host, struct buf *out)
{
	int v6 = strchr(host, ':') != NULL;

	buf_printf(out, "gemini://%s%s%s", v6 ? "[" : "", host, v6 ? "]" : "");
	if (g->public_port != 1965)
		buf_printf(out, ":%d", g->public_port);
}

static void
redirect_slash(struct gemini_ctx *g, const struct url *u, struct response *resp)
{
	struct buf b = BUF_INIT;
	char *path = url_encode_path(u->path);

	base_url(g, u->host, &b);
	buf_printf(&b, "%s/", path);
	if (u->query)
		buf_printf(&b, "?%s", u->query);
	page_redirect(resp, GEMINI_REDIRECT_PERM, b.data);
	free(path);
	buf_free(&b);
}

static void
gemini_meta(const struct vhost *vh, const char *type, struct buf *meta)
{
	buf_adds(meta, type);
	if (strncmp(type, "text/", 5) == 0) /* Gemini's default, said */
		buf_adds(meta, "; charset=utf-8");
	if (strcmp(type, "text/gemini") == 0) {
		if (vh->lang)
			buf_printf(meta,
			    strchr(vh->lang, ',') ? "; lang=\"%s\"" :
						    "; lang=%s",
			    vh->lang);
	}
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * A generated listing of a folder without index.gmi (real: where it is,
 * beneath the root). Names v may not see are left out.
 */
static void
listing(const struct vhost *vh, const struct viewer *v, const struct url *u,
    int dfd, const char *real, struct response *resp)
{
	struct buf body = BUF_INIT, meta = BUF_INIT, rel = BUF_INIT;
	struct buf target = BUF_INIT;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd2;

	if ((fd2 = dup(dfd)) == -1 || (d = fdopendir(fd2)) == NULL) {
		if (fd2 != -1)
			close(fd2);
		respond(resp, GEMINI_NOT_FOUND, "not found");
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, 0) == -1)
			continue;
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
			continue;
		buf_reset(&rel);
		if (strcmp(real, ".") != 0)
			buf_printf(&rel, "%s/", real);
		buf_adds(&rel, de->d_name);
		/* A link is judged by where it leads (if beneath the root). */
		if ((de->d_type != DT_LNK && de->d_type != DT_UNKNOWN) ||
		    resolve_links(vh->rootfd, vh->rootreal ? vh->rootreal : "",
			rel.data, &target) == -1) {
			buf_reset(&target);
			buf_adds(&target, rel.data);
		}
		if (file_status(vh, v, target.data) != 0)
			continue;
		names = xgrow(names, &cap, n + 1, sizeof(*names));
		names[n++] = xasprintf("%s%s", de->d_name,
		    S_ISDIR(st.st_mode) ? "/" : "");
	}
	closedir(d);
	buf_free(&rel);
	buf_free(&target);
	if (n > 1) /* qsort(NULL, 0, ...) is undefined */
		qsort(names, n, sizeof(*names), name_cmp);
	buf_printf(&body, "# %s\n\n", u->path);
	if (strcmp(u->path, "/") != 0)
		buf_adds(&body, "=> ../ Parent folder\n");
	for (i = 0; i < n; i++) {
		char *enc = url_encode_path(names[i]);

		/* "./" keeps a name like "a:b" from reading as a scheme. */
		buf_printf(&body, "=> ./%s %s\n", enc, names[i]);
		free(enc);
		free(names[i]);
	}
	free(names);
	gemini_meta(vh, "text/gemini", &meta);
	resp->status = GEMINI_SUCCESS;
	resp->page = page_new(GEMINI_SUCCESS, meta.data, body.data, body.len);
	buf_free(&body);
	buf_free(&meta);
}

/*
 * A small file is read whole before the header goes out, so its body is
 * one version of the file: read again while it changes under us (its
 * stat differs after the read, or the read comes short), at most a few
 * times; -1 when it never held still.
 */
static int
read_small(int fd, struct stat *st, const char *meta, struct response *resp)
{
	char *body = NULL;
	ssize_t n, r;
	int tries;

	for (tries = 0; tries < GEMINI_READ_TRIES; tries++) {
		if (tries > 0 &&
		    (fstat(fd, st) == -1 || !S_ISREG(st->st_mode) ||
			st->st_size > GEMINI_SMALL_FILE))
			break;
		util_file_settle(fd);
		body = xrealloc(body, (size_t)st->st_size + 1);
		n = 0;
		while (n < st->st_size &&
		    (r = pread(fd, body + n, (size_t)(st->st_size - n), n)) > 0)
			n += r;
		if (n == st->st_size && util_file_unchanged(fd, st)) {
			resp->page =
			    page_new(GEMINI_SUCCESS, meta, body, (size_t)n);
			free(body);
			return 0;
		}
	}
	free(body);
	return -1;
}

static void
serve_file(struct gemini_ctx *g, const struct vhost *vh, const struct url *u,
    const char *file, const struct viewer *v, struct response *resp)
{
	struct buf meta = BUF_INIT, rel = BUF_INIT, real = BUF_INIT;
	struct buf dir = BUF_INIT;
	struct stat st;
	int fd, ifd, acc;

	buf_adds(&rel, file ? file : u->path[1] ? u->path + 1 : ".");
	if ((fd = open_beneath(vh, rel.data, &real)) == -1 ||
	    fstat(fd, &st) == -1) {
		respond(resp, GEMINI_NOT_FOUND, "not found");
		goto done;
	}
	if ((acc = file_status(vh, v, real.data)) != 0) {
		respond(resp, acc, access_meta(acc));
		goto done;
	}
	if (S_ISDIR(st.st_mode)) {
		if (u->path[strlen(u->path) - 1] != '/') {
			redirect_slash(g, u, resp);
			goto done;
		}
		buf_adds(&rel,
		    rel.data[rel.len - 1] == '/' || strcmp(rel.data, ".") == 0 ?
			"" :
			"/");
		if (strcmp(rel.data, ".") == 0)
			buf_reset(&rel);
		buf_adds(&rel, "index.gmi");
		buf_add(&dir, real.data, real.len);
		if ((ifd = open_beneath(vh, rel.data, &real)) == -1) {
			listing(vh, v, u, fd, dir.data, resp);
			goto done;
		}
		close(fd);
		fd = ifd;
		if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
			respond(resp, GEMINI_NOT_FOUND, "not found");
			goto done;
		}
		if ((acc = file_status(vh, v, real.data)) != 0) {
			respond(resp, acc, access_meta(acc));
			goto done;
		}
	} else if (!S_ISREG(st.st_mode)) {
		respond(resp, GEMINI_NOT_FOUND, "not found");
		goto done;
	}
	/* Markdown under a site is a post: the site serves it, or nobody. */
	if (vh->site &&
	    (pm_md_ext(rel.data, rel.len) || pm_md_ext(real.data, real.len))) {
		respond(resp, GEMINI_NOT_FOUND, "not found");
		goto done;
	}
	gemini_meta(vh, mime_lookup(g->mime, rel.data), &meta);
	resp->status = GEMINI_SUCCESS;
	if (st.st_size <= GEMINI_SMALL_FILE) {
		if (read_small(fd, &st, meta.data, resp) == -1)
			respond(resp, GEMINI_TEMP_FAILURE,
			    "the file is "
			    "being rewritten; try again");
		goto done;
	}
	/* Streamed: conn_next checks util_file_unchanged after each chunk. */
	util_file_settle(fd);
	resp->page = page_new(GEMINI_SUCCESS, meta.data, NULL, 0);
	resp->fd = fd;
	resp->size = st.st_size;
	resp->st = st;
	fd = -1;
done:
	if (fd != -1)
		close(fd);
	buf_free(&meta);
	buf_free(&rel);
	buf_free(&real);
	buf_free(&dir);
}

void
gemini_handle(struct gemini_ctx *g, const struct request *req,
    struct response *resp)
{
	struct buf file = BUF_INIT;
	struct vhost *vh = NULL;
	struct viewer v;
	struct url u;
	const char *err;
	size_t i;
	int acc;

	resp->page = NULL;
	resp->fd = -1;
	resp->size = 0;
	resp->wait = NULL;
	resp->wait_why = NULL;
	resp->host[0] = '\0';
	if (g->rl && !req->again) {
		struct timespec ts;
		int wait;

		clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
		wait = ratelimit_hit(g->rl, req->client,
		    (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);

		if (wait > 0) {
			char meta[16];

			snprintf(meta, sizeof(meta), "%d", wait);
			respond(resp, GEMINI_SLOW_DOWN, meta);
			return;
		}
	}
	if (url_parse(req->line, req->len, &u, &err) == -1) {
		respond(resp, GEMINI_BAD_REQUEST, err ? err : "bad request");
		return;
	}
	snprintf(resp->host, sizeof(resp->host), "%s", u.host);
	if (strcmp(u.scheme, "gemini") != 0) {
		respond(resp, GEMINI_PROXY_REFUSED, "proxy request refused");
		goto done;
	}
	/*
	 * An IP-literal URL names no host (and its client sent no SNI):
	 * it reaches the host the handshake chose, the default one.
	 */
	if ((i = vhost_find(g->vhosts, g->nvhosts, u.host)) < g->nvhosts)
		vh = &g->vhosts[i];
	else if (hostname_is_ip(u.host))
		vh = req->vhost;
	if (vh == NULL || (u.port != -1 && u.port != g->public_port)) {
		respond(resp, GEMINI_PROXY_REFUSED,
		    "host or port not served here");
		goto done;
	}
	if (u.encoded_slash || u.dotfile) {
		respond(resp, GEMINI_NOT_FOUND, "not found");
		goto done;
	}
	access_viewer(&g->access, req->fingerprint, req->cert_expired, &v);
	if ((acc = access_path(&v, u.path)) != 0) {
		respond(resp, acc, access_meta(acc));
		goto done;
	}
	if (vh->site &&
	    (site_search(vh->site, &u, &v, resp) ||
		site_route(vh->site, &u, &v, resp, &file)))
		goto done;
	serve_file(g, vh, &u, file.len ? file.data : NULL, &v, resp);
done:
	buf_free(&file);
	url_free(&u);
}
