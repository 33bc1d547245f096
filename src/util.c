/*
 * util: allocation helpers that abort when memory runs out (a server that
 * cannot allocate cannot answer anyway), string vectors, the one string
 * map, whole-file reads and the diagnostics list. No logging.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static void
oom(size_t n)
{
	fprintf(stderr, "capsuled: out of memory allocating %zu bytes\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		oom(nmemb * size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom(n);
	return q;
}

void *
xgrow(void *p, size_t *cap, size_t need, size_t sz)
{
	size_t ncap = *cap ? *cap : 8;

	if (need <= *cap)
		return p;
	while (ncap < need)
		ncap *= 2;
	*cap = ncap;
	return xrealloc(p, ncap * sz);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		oom(0);
	va_end(ap);
	return s;
}

int
util_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
util_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

void
util_file_settle(int fd)
{
	(void)lseek(fd, 0, SEEK_DATA);
}

int
util_file_unchanged(int fd, const struct stat *st)
{
	struct stat now;

	util_file_settle(fd);
	return fstat(fd, &now) == 0 && util_same_file(st, &now);
}

char *
util_read_file(int dirfd, const char *rel, int oflags, size_t max,
    struct stat *st, size_t *len)
{
	char *s = NULL;
	size_t cap, n = 0;
	ssize_t r;
	int fd, e;

	if ((fd = openat(dirfd, rel,
		 O_RDONLY | O_CLOEXEC | O_NONBLOCK | oflags)) == -1)
		return NULL;
	if (fstat(fd, st) == -1)
		goto fail;
	if (!S_ISREG(st->st_mode) || st->st_size < 0) {
		errno = EINVAL;
		goto fail;
	}
	if ((uintmax_t)st->st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	/*
	 * One read for a file that holds still: with all the bytes the stat
	 * counts in, that is the end (no read just to see it); a file grown
	 * meanwhile fills the spare byte, and the buffer grows.
	 */
	cap = (size_t)st->st_size + 1;
	s = xmalloc(cap + 1);
	for (;;) {
		if (n == cap)
			s = xrealloc(s, (cap *= 2) + 1);
		if ((r = read(fd, s + n, cap - n)) == 0)
			break;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		n += (size_t)r;
		if (n > max) {
			errno = EFBIG;
			goto fail;
		}
		if (n == (size_t)st->st_size && n < cap)
			break;
	}
	close(fd);
	s[n] = '\0';
	*len = n;
	return s;
fail:
	e = errno;
	free(s);
	close(fd);
	errno = e;
	return NULL;
}

/* "rel/name", or name when rel is "": malloc'd (no printf per entry). */
static char *
path_join(const char *rel, const char *name)
{
	size_t r = strlen(rel), n = strlen(name) + 1;
	char *path = xmalloc(r + 1 + n);

	if (r > 0) {
		memcpy(path, rel, r);
		path[r++] = '/';
	}
	memcpy(path + r, name, n);
	return path;
}

static int
walk(int rootfd, const char *rel, int depth, int maxdepth, int lazy,
    int (*f)(void *arg, char *path, const struct stat *st), void *arg)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, rc = 0, e;

	if (depth > maxdepth)
		return 0;
	if ((fd = openat(rootfd, rel[0] ? rel : ".",
		 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ?
		    0 :
		    -1;
	if ((d = fdopendir(fd)) == NULL) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		const struct stat *stp = &st;
		char *path;
		int isdir;

		if (de->d_name[0] == '.')
			continue;
		if (lazy && de->d_type == DT_REG) {
			isdir = 0;
			stp = NULL; /* the caller stats it if it must */
		} else if (lazy && de->d_type == DT_DIR)
			isdir = 1;
		/* Symlinks are not followed: no loops, nothing outside. */
		else if (fstatat(dirfd(d), de->d_name, &st,
			     AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		else
			isdir = S_ISDIR(st.st_mode);
		path = path_join(rel, de->d_name);
		if (isdir) {
			rc = walk(rootfd, path, depth + 1, maxdepth, lazy, f,
			    arg);
			free(path);
		} else
			rc = f(arg, path, stp);
	}
	e = errno;
	closedir(d);
	errno = e;
	return rc;
}

int
util_walk(int rootfd, const char *rel, int depth, int maxdepth,
    int (*f)(void *arg, char *path, const struct stat *st), void *arg)
{
	return walk(rootfd, rel, depth, maxdepth, 0, f, arg);
}

int
util_walk_lazy(int rootfd, const char *rel, int depth, int maxdepth,
    int (*f)(void *arg, char *path, const struct stat *st), void *arg)
{
	return walk(rootfd, rel, depth, maxdepth, 1, f, arg);
}

int
util_ends_with(const char *s, size_t n, const char *suf)
{
	size_t m = strlen(suf);

	return n > m && memcmp(s + n - m, suf, m) == 0;
}

int
util_days_in_month(int y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

/* The slot of key (hash h), or the free slot where it would go. */
static struct strmap_entry *
strmap_slot(const struct strmap *m, const char *key, size_t n, uint32_t h)
{
	struct strmap_entry *e;
	size_t i;

	for (i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		e = &m->v[i];
		if (e->key == NULL ||
		    (e->hash == h && e->len == n &&
			memcmp(e->key, key, n) == 0))
			return e;
	}
}

/* Rehashes m into cap slots (a power of two, room for every entry). */
static void
strmap_rehash(struct strmap *m, size_t cap)
{
	struct strmap_entry *old = m->v;
	size_t i, ocap = m->cap;

	m->cap = cap;
	m->v = xcalloc(m->cap, sizeof(*m->v));
	for (i = 0; i < ocap; i++)
		if (old[i].key)
			*strmap_slot(m, old[i].key, old[i].len, old[i].hash) =
			    old[i];
	free(old);
}

int
strmap_put(struct strmap *m, const char *key, size_t n, void *val)
{
	struct strmap_entry *e;
	uint32_t h = (uint32_t)util_hash(key, n);

	if (n > UINT32_MAX)
		abort(); /* no caller has keys of 4 GB */
	if ((m->n + 1) * 2 > m->cap)
		strmap_rehash(m, m->cap ? m->cap * 2 : 16);
	e = strmap_slot(m, key, n, h);
	if (e->key)
		return 0;
	e->key = key;
	e->len = (uint32_t)n;
	e->hash = h;
	e->val = val;
	m->n++;
	return 1;
}

void
strmap_reserve(struct strmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 16;

	while ((m->n + n) * 2 > cap)
		cap *= 2;
	if (cap != m->cap)
		strmap_rehash(m, cap);
}

void *
strmap_get(const struct strmap *m, const char *key, size_t n)
{
	struct strmap_entry *e;

	if (m->cap == 0)
		return NULL;
	e = strmap_slot(m, key, n, (uint32_t)util_hash(key, n));
	return e->key ? e->val : NULL;
}

/*
 * Removes key (n bytes); returns its value, or NULL when absent. The
 * entries after it in its probe run move back (no tombstones).
 */
void *
strmap_del(struct strmap *m, const char *key, size_t n)
{
	struct strmap_entry *e;
	size_t i, j, k, mask = m->cap - 1;
	void *val;

	if (m->cap == 0)
		return NULL;
	e = strmap_slot(m, key, n, (uint32_t)util_hash(key, n));
	if (e->key == NULL)
		return NULL;
	val = e->val;
	i = (size_t)(e - m->v);
	for (j = (i + 1) & mask; m->v[j].key != NULL; j = (j + 1) & mask) {
		k = m->v[j].hash & mask; /* where entry j would like to be */
		/* j may fill the hole at i unless k lies in (i, j]. */
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			m->v[i] = m->v[j];
			i = j;
		}
	}
	memset(&m->v[i], 0, sizeof(m->v[i]));
	m->n--;
	return val;
}

void
strmap_copy(struct strmap *dst, const struct strmap *src)
{
	*dst = *src;
	if (src->cap == 0)
		return;
	dst->v = xmalloc(src->cap * sizeof(*dst->v));
	util_fresh_pages(dst->v, src->cap * sizeof(*dst->v));
	memcpy(dst->v, src->v, src->cap * sizeof(*dst->v));
}

void
strmap_free(struct strmap *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

void
diags_add(struct diags *d, enum diag_level level, int line, const char *fmt,
    ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		oom(0);
	va_end(ap);
	d->v = xgrow(d->v, &d->cap, d->n + 1, sizeof(*d->v));
	d->v[d->n].level = level;
	d->v[d->n].line = line > 0 ? line + d->line_offset : 0;
	d->v[d->n].msg = msg;
	d->n++;
}

size_t
diags_count(const struct diags *d, enum diag_level level)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++)
		if (d->v[i].level == level)
			n++;
	return n;
}

void
diags_free(struct diags *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++)
		free(d->v[i].msg);
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

static int
ascii_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* One BCP 47 tag: subtags of 1-8 letters or digits joined by '-'. */
static int
lang_tag_valid(const char *s, size_t n)
{
	size_t i, start = 0, sub = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '-') {
			if (!ascii_alpha(s[i]) && !(s[i] >= '0' && s[i] <= '9'))
				return 0;
			continue;
		}
		if (i == start || i - start > 8)
			return 0;
		if (sub++ == 0) {
			size_t j;

			/* The language: letters; 2-8 of them, or x/i-... */
			for (j = start; j < i; j++)
				if (!ascii_alpha(s[j]))
					return 0;
			if (i - start == 1 && s[start] != 'x' &&
			    s[start] != 'X' && s[start] != 'i' &&
			    s[start] != 'I')
				return 0;
			if (i - start == 1 && i == n)
				return 0;
		}
		start = i + 1;
	}
	return 1;
}

int
util_lang_valid(const char *s)
{
	size_t n;

	if (s == NULL || *s == '\0' || strlen(s) > UTIL_LANG_MAX)
		return 0;
	for (;;) {
		n = strcspn(s, ",");
		if (!lang_tag_valid(s, n))
			return 0;
		if (s[n] == '\0')
			return 1;
		s += n + 1;
	}
}

int
strv_eq(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return 1;
}

void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
strv_push(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

void
util_fresh_pages(void *p, size_t n)
{
	uintptr_t huge = (uintptr_t)2 << 20, a, b;

	if (p == NULL || n < (256 << 10))
		return;
#ifdef MADV_HUGEPAGE
	a = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	b = ((uintptr_t)p + n) & ~(huge - 1);
	if (a < b)
		(void)madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
	(void)huge;
	(void)a;
	(void)b;
#endif
	util_own_pages(p, n);
}

void
util_own_pages(const void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), a, b;

	if (p == NULL || n == 0)
		return;
	a = (uintptr_t)p & ~(page - 1);
	b = ((uintptr_t)p + n + page - 1) & ~(page - 1);
	(void)madvise((void *)a, b - a, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)n;
#endif
}
