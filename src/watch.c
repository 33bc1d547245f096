/*
 * watch: one inotify instance per root, a watch on every folder of the
 * tree (hidden ones and symlinks skipped, as the site's scan skips
 * them), events coalesced for WATCH_SETTLE seconds into a pathbatch.
 * Without inotify, or when the kernel refuses more watches, the root
 * falls back to a scan that compares the tree with the previous one.
 * Never blocks on anything but the file system; never forks.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "pathbatch.h"
#include "util.h"
#include "watch.h"

/* Folder events that change what the site may serve. */
#define WATCH_DIR_MASK \
	(IN_CREATE | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE | IN_MOVED_FROM | \
	    IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | \
	    IN_DONT_FOLLOW)
/* The root's parent: only the root's own name arriving or leaving. */
#define WATCH_PARENT_MASK \
	(IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_ONLYDIR)

struct wdir {
	int wd;
	int depth; /* 0: the root */
	char *rel; /* root-relative; "" for the root */
};

/* One file as the fallback scan saw it. */
struct sent {
	char *rel;
	ino_t ino;
	off_t size;
	mode_t mode;
	struct timespec mtim, ctim;
};

struct wroot {
	struct watch *w;
	size_t host;
	char *root;   /* as configured */
	char *parent; /* the folder holding it */
	char *base;   /* its name in parent */
	int rootfd;   /* the caller's */
	int scanning; /* the fallback instead of inotify */

	int ifd;
	unsigned epoch; /* instances started: events of a stopped
				   one are stale (the fd number comes back) */
	ev_io io;
	struct wdir *dirs; /* sorted by wd */
	size_t ndirs, capdirs;
	int root_wd, parent_wd;

	struct pathbatch batch;
	ev_timer flush;
	ev_tstamp first; /* the pending batch's first event */

	struct sent *files; /* sorted by rel: the last scan */
	size_t nfiles;
	int scanned; /* files holds a complete scan */
	ev_timer scan;
};

struct watch {
	struct ev_loop *loop;
	struct watch_cbs cbs;
	int force_scan;
	struct wroot **roots;
	size_t nroots, caproots;
};

static void to_scan(struct wroot *r, const char *why);

/* --- the folder table ---------------------------------------------- */

static size_t
dirs_search(const struct wroot *r, int wd, int *found)
{
	size_t lo = 0, hi = r->ndirs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->dirs[mid].wd < wd)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < r->ndirs && r->dirs[lo].wd == wd;
	return lo;
}

static void
dirs_put(struct wroot *r, int wd, const char *rel, int depth)
{
	int found;
	size_t i = dirs_search(r, wd, &found);

	if (found) { /* a folder seen again (renamed): its new path */
		free(r->dirs[i].rel);
	} else {
		r->dirs =
		    xgrow(r->dirs, &r->capdirs, r->ndirs + 1, sizeof(*r->dirs));
		memmove(&r->dirs[i + 1], &r->dirs[i],
		    (r->ndirs - i) * sizeof(*r->dirs));
		r->ndirs++;
	}
	r->dirs[i].wd = wd;
	r->dirs[i].rel = xstrdup(rel);
	r->dirs[i].depth = depth;
}

static void
dirs_clear(struct wroot *r)
{
	size_t i;

	for (i = 0; i < r->ndirs; i++)
		free(r->dirs[i].rel);
	free(r->dirs);
	r->dirs = NULL;
	r->ndirs = r->capdirs = 0;
}

/* A folder moved away: its watches (and its children's) go. */
static void
dirs_drop_under(struct wroot *r, const char *rel)
{
	size_t i, j;

	for (i = j = 0; i < r->ndirs; i++) {
		if (pathbatch_covers(rel, r->dirs[i].rel)) {
			inotify_rm_watch(r->ifd, r->dirs[i].wd);
			free(r->dirs[i].rel);
		} else
			r->dirs[j++] = r->dirs[i];
	}
	r->ndirs = j;
}

static char *
join(const char *dir, const char *name)
{
	return dir[0] ? xasprintf("%s/%s", dir, name) : xstrdup(name);
}

/*
 * Watches the folder rel and every folder below it (watch first, list
 * after: what appears meanwhile raises an event). Returns -1 when the
 * kernel refuses more watches, else 0 (a folder that vanished or cannot
 * be read is skipped).
 */
static int
watch_tree(struct wroot *r, const char *rel, int depth)
{
	struct dirent *de;
	char *path;
	DIR *d;
	int wd, fd, rc = 0;

	path = rel[0] ? xasprintf("%s/%s", r->root, rel) : xstrdup(r->root);
	/* The root may be a symlink (a release switched by ln -sfn). */
	wd = inotify_add_watch(r->ifd, path,
	    depth == 0 ? WATCH_DIR_MASK & ~(uint32_t)IN_DONT_FOLLOW :
			 WATCH_DIR_MASK);
	free(path);
	if (wd == -1)
		return errno == ENOSPC || errno == ENOMEM ? -1 : 0;
	dirs_put(r, wd, rel, depth);
	if (depth == 0)
		r->root_wd = wd;
	if (depth >= WATCH_MAX_DEPTH)
		return 0;
	if ((fd = openat(r->rootfd, rel[0] ? rel : ".",
		 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		struct stat st;
		char *sub;

		if (de->d_name[0] == '.')
			continue;
		if (de->d_type == DT_UNKNOWN) {
			if (fstatat(dirfd(d), de->d_name, &st,
				AT_SYMLINK_NOFOLLOW) == -1 ||
			    !S_ISDIR(st.st_mode))
				continue;
		} else if (de->d_type != DT_DIR)
			continue;
		sub = join(rel, de->d_name);
		rc = watch_tree(r, sub, depth + 1);
		free(sub);
	}
	closedir(d);
	return rc;
}

/* --- batches ------------------------------------------------------- */

static void
emit(struct wroot *r)
{
	if (!pathbatch_pending(&r->batch))
		return;
	r->w->cbs.batch(r->w->cbs.arg, r->host, &r->batch);
	pathbatch_reset(&r->batch);
}

static void
flush_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	emit(t->data);
}

/*
 * A batch goes out once events pause for WATCH_SETTLE (an editor's
 * write, rename and chmod are one change), or WATCH_BATCH_MAX_AGE after
 * its first event when they never pause.
 */
static void
arm_flush(struct wroot *r)
{
	struct ev_loop *loop = r->w->loop;
	ev_tstamp now = ev_now(loop), wait = WATCH_SETTLE;

	if (!pathbatch_pending(&r->batch))
		return;
	if (!ev_is_active(&r->flush))
		r->first = now;
	else if (r->first + WATCH_BATCH_MAX_AGE - now < wait)
		wait = r->first + WATCH_BATCH_MAX_AGE - now;
	ev_timer_stop(loop, &r->flush);
	ev_timer_set(&r->flush, wait > 0 ? wait : 0., 0.);
	ev_timer_start(loop, &r->flush);
}

/* --- inotify ------------------------------------------------------- */

static void
inotify_stop(struct wroot *r)
{
	if (r->ifd == -1)
		return;
	ev_io_stop(r->w->loop, &r->io);
	close(r->ifd); /* drops every watch of the instance */
	r->ifd = -1;
	r->epoch++;
	r->root_wd = r->parent_wd = -1;
	dirs_clear(r);
}

static void io_cb(struct ev_loop *loop, ev_io *io, int revents);

/* 0, or -1 when inotify cannot follow this tree (the caller scans). */
static int
inotify_start(struct wroot *r, const char **why)
{
	if ((r->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		*why = strerror(errno);
		return -1;
	}
	/* The parent: a root swapped by rename arrives there. */
	r->parent_wd = inotify_add_watch(r->ifd, r->parent, WATCH_PARENT_MASK);
	if ((r->parent_wd == -1 && (errno == ENOSPC || errno == ENOMEM)) ||
	    watch_tree(r, "", 0) == -1) {
		*why = "no more inotify watches (fs.inotify.max_user_watches)";
		inotify_stop(r);
		return -1;
	}
	ev_io_init(&r->io, io_cb, r->ifd, EV_READ);
	r->io.data = r;
	ev_io_start(r->w->loop, &r->io);
	return 0;
}

static void
handle(struct wroot *r, const struct inotify_event *ev)
{
	struct watch *w = r->w;
	size_t i;
	int found;
	char *path;

	if (ev->mask & IN_Q_OVERFLOW) {
		const char *why;

		/* Events were lost, folders maybe unwatched: start over. */
		log_warnx("%s: too many changes at once; rescanning", r->root);
		inotify_stop(r);
		pathbatch_set_full(&r->batch);
		if (inotify_start(r, &why) == -1)
			to_scan(r, why);
		return;
	}
	if (ev->wd == r->parent_wd) {
		if (ev->mask & IN_IGNORED)
			r->parent_wd = -1;
		else if (ev->len && strcmp(ev->name, r->base) == 0)
			w->cbs.root(w->cbs.arg, r->host);
		return;
	}
	i = dirs_search(r, ev->wd, &found);
	if (!found)
		return;
	if (ev->mask & IN_IGNORED) {
		if (ev->wd == r->root_wd)
			r->root_wd = -1;
		free(r->dirs[i].rel);
		memmove(&r->dirs[i], &r->dirs[i + 1],
		    (r->ndirs - i - 1) * sizeof(*r->dirs));
		r->ndirs--;
		return;
	}
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
		/* Below the root, the parent folder's event said it. */
		if (ev->wd == r->root_wd)
			w->cbs.root(w->cbs.arg, r->host);
		return;
	}
	if (ev->len == 0 || ev->name[0] == '.')
		return;
	path = join(r->dirs[i].rel, ev->name);
	pathbatch_add(&r->batch, path);
	if (ev->mask & IN_ISDIR) {
		int depth = r->dirs[i].depth + 1;

		if (ev->mask & IN_MOVED_FROM)
			dirs_drop_under(r, path);
		if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
		    depth <= WATCH_MAX_DEPTH &&
		    watch_tree(r, path, depth) == -1)
			to_scan(r,
			    "no more inotify watches "
			    "(fs.inotify.max_user_watches)");
	}
	free(path);
}

static void
io_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct wroot *r = io->data;
	/* Aligned for struct inotify_event, as inotify(7) shows. */
	char buf[65536]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	char *p;

	(void)loop;
	(void)revents;
	while (!r->scanning && r->ifd != -1) {
		unsigned epoch = r->epoch;

		if ((n = read(r->ifd, buf, sizeof(buf))) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 && errno != EAGAIN)
				log_warn("%s: inotify", r->root);
			break;
		}
		for (p = buf; p < buf + n && r->epoch == epoch;) {
			const struct inotify_event *ev = (const void *)p;

			handle(r, ev);
			p += sizeof(*ev) + ev->len;
		}
	}
	if (r->scanning)
		emit(r); /* the switch's "everything" goes at once */
	else
		arm_flush(r);
}

/* --- the fallback scan --------------------------------------------- */

static int
sent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sent *)a)->rel,
	    ((const struct sent *)b)->rel);
}

static void
sents_free(struct sent *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].rel);
	free(v);
}

struct sents {
	struct sent *v;
	size_t n, cap;
};

/* One file of a scan's walk (util_walk): its stat kept. */
static int
sent_add(void *arg, char *rel, const struct stat *st)
{
	struct sents *s = arg;
	struct sent *e;

	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	e = &s->v[s->n++];
	e->rel = rel;
	e->ino = st->st_ino;
	e->size = st->st_size;
	e->mode = st->st_mode;
	e->mtim = st->st_mtim;
	e->ctim = st->st_ctim;
	return 0;
}

static int
same_sent(const struct sent *a, const struct sent *b)
{
	return a->ino == b->ino && a->size == b->size && a->mode == b->mode &&
	    a->mtim.tv_sec == b->mtim.tv_sec &&
	    a->mtim.tv_nsec == b->mtim.tv_nsec &&
	    a->ctim.tv_sec == b->ctim.tv_sec &&
	    a->ctim.tv_nsec == b->ctim.tv_nsec;
}

/* Scans, adds the differences from the last scan to the batch. */
static void
scan_once(struct wroot *r)
{
	struct sents s = { 0 };
	struct sent *v;
	size_t n, i = 0, j = 0;

	if (util_walk(r->rootfd, "", 0, WATCH_MAX_DEPTH, sent_add, &s) == -1) {
		/* A passing shortage (descriptors) must not delete files. */
		sents_free(s.v, s.n);
		return;
	}
	v = s.v;
	n = s.n;
	qsort(v, n, sizeof(*v), sent_cmp);
	while (r->scanned && (i < r->nfiles || j < n)) {
		int c = i == r->nfiles ? 1 :
		    j == n	       ? -1 :
					 strcmp(r->files[i].rel, v[j].rel);

		if (c < 0)
			pathbatch_add(&r->batch, r->files[i++].rel);
		else if (c > 0)
			pathbatch_add(&r->batch, v[j++].rel);
		else {
			if (!same_sent(&r->files[i], &v[j]))
				pathbatch_add(&r->batch, v[j].rel);
			i++;
			j++;
		}
	}
	sents_free(r->files, r->nfiles);
	r->files = v;
	r->nfiles = n;
	r->scanned = 1;
}

/*
 * The next scan waits WATCH_SCAN_SHARE times as long as this one took:
 * scanning a tree twice the size takes twice as long and comes half as
 * often, so its cost per second stays the same whatever the site's size
 * (and changes show later on larger trees).
 */
static void
scan_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct wroot *r = t->data;
	ev_tstamp start = ev_time(), next;

	(void)revents;
	scan_once(r);
	emit(r);
	r->w->cbs.root(r->w->cbs.arg, r->host);
	next = (ev_time() - start) * WATCH_SCAN_SHARE;
	if (next < WATCH_SCAN_MIN)
		next = WATCH_SCAN_MIN;
	ev_timer_set(t, next, 0.);
	ev_timer_start(loop, t);
}

static void
to_scan(struct wroot *r, const char *why)
{
	inotify_stop(r);
	r->scanning = 1;
	log_warnx("%s: cannot watch (%s); scanning the tree every %g s or "
		  "more (1/%d of a core at most)",
	    r->root, why, WATCH_SCAN_MIN, WATCH_SCAN_SHARE);
	/* What changed while no one watched: everything, to be sure. */
	pathbatch_set_full(&r->batch);
	scan_once(r);
	ev_timer_stop(r->w->loop, &r->flush);
	ev_timer_set(&r->scan, WATCH_SCAN_MIN, 0.);
	ev_timer_start(r->w->loop, &r->scan);
}

/* --- the interface ------------------------------------------------- */

struct watch *
watch_new(struct ev_loop *loop, const struct watch_cbs *cbs)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	const char *env = getenv("CAPSULED_WATCH");

	w->loop = loop;
	w->cbs = *cbs;
	w->force_scan = env && strcmp(env, "scan") == 0;
	return w;
}

void
watch_add(struct watch *w, size_t host, const char *root, int rootfd)
{
	struct wroot *r = xcalloc(1, sizeof(*r));
	const char *why = "CAPSULED_WATCH=scan";
	size_t len = strlen(root);
	char *slash;

	r->w = w;
	r->host = host;
	r->root = xstrdup(root);
	r->rootfd = rootfd;
	r->ifd = r->root_wd = r->parent_wd = -1;
	while (len > 1 && r->root[len - 1] == '/')
		r->root[--len] = '\0';
	if ((slash = strrchr(r->root, '/')) == NULL) {
		r->parent = xstrdup(".");
		r->base = xstrdup(r->root);
	} else {
		r->parent = slash == r->root ?
		    xstrdup("/") :
		    xstrndup(r->root, (size_t)(slash - r->root));
		r->base = xstrdup(slash + 1);
	}
	ev_timer_init(&r->flush, flush_cb, WATCH_SETTLE, 0.);
	r->flush.data = r;
	ev_timer_init(&r->scan, scan_cb, WATCH_SCAN_MIN, 0.);
	r->scan.data = r;
	w->roots =
	    xgrow(w->roots, &w->caproots, w->nroots + 1, sizeof(*w->roots));
	w->roots[w->nroots++] = r;
	if (!w->force_scan && inotify_start(r, &why) == 0) {
		log_debug("%s: watching %zu folders", r->root, r->ndirs);
		return;
	}
	to_scan(r, why);
	pathbatch_reset(&r->batch); /* nothing was served before */
}

void
watch_free(struct watch *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->nroots; i++) {
		struct wroot *r = w->roots[i];

		inotify_stop(r);
		ev_timer_stop(w->loop, &r->flush);
		ev_timer_stop(w->loop, &r->scan);
		pathbatch_free(&r->batch);
		sents_free(r->files, r->nfiles);
		free(r->root);
		free(r->parent);
		free(r->base);
		free(r);
	}
	free(w->roots);
	free(w);
}
