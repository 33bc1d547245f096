/*
 * test_util: util.c's small shared helpers (the string map has its own
 * test_strmap): string vectors, suffixes, hex digits, and the one
 * whole-file read that posts (site.c) and site configs (sitecfg.c) share:
 * regular files only, a size cap, flags such as O_NOFOLLOW passed on;
 * and the folder walk of the site scan and the watcher's fallback scan.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"
#include "util.h"

static void
write_file(int dirfd, const char *name, const char *s, size_t n)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	T_OK(fd != -1);
	if (fd == -1)
		return;
	T_INT(write(fd, s, n), (ssize_t)n);
	close(fd);
}

static void
test_read_file(void)
{
	char tmpl[] = "/tmp/capsuled-test_util.XXXXXX", big[5000];
	struct stat st;
	size_t len = 99;
	char *s;
	int d;

	T_OK(mkdtemp(tmpl) != NULL);
	d = open(tmpl, O_RDONLY | O_DIRECTORY);
	T_OK(d != -1);
	write_file(d, "a.md", "hello\0world", 11);
	write_file(d, "empty", "", 0);
	memset(big, 'x', sizeof(big));
	write_file(d, "big", big, sizeof(big));
	T_INT(mkdirat(d, "dir", 0755), 0);
	T_INT(symlinkat("a.md", d, "link"), 0);

	/* whole, NUL-terminated, embedded NUL kept, stat given */
	s = util_read_file(d, "a.md", 0, 100, &st, &len);
	T_OK(s != NULL);
	T_INT(len, 11);
	T_OK(s && memcmp(s, "hello\0world", 12) == 0);
	T_INT(st.st_size, 11);
	free(s);
	s = util_read_file(d, "empty", 0, 100, &st, &len);
	T_OK(s != NULL && s[0] == '\0');
	T_INT(len, 0);
	free(s);
	/* exactly max is read; one byte past it is refused with EFBIG */
	s = util_read_file(d, "big", 0, sizeof(big), &st, &len);
	T_INT(len, sizeof(big));
	free(s);
	errno = 0;
	T_OK(util_read_file(d, "big", 0, sizeof(big) - 1, &st, &len) == NULL);
	T_INT(errno, EFBIG);
	/* not a regular file: EINVAL; missing: ENOENT */
	errno = 0;
	T_OK(util_read_file(d, "dir", 0, 100, &st, &len) == NULL);
	T_INT(errno, EINVAL);
	errno = 0;
	T_OK(util_read_file(d, "none", 0, 100, &st, &len) == NULL);
	T_INT(errno, ENOENT);
	/* the caller's open flags: a link followed, or not with O_NOFOLLOW */
	s = util_read_file(d, "link", 0, 100, &st, &len);
	T_OK(s != NULL && len == 11);
	free(s);
	errno = 0;
	T_OK(util_read_file(d, "link", O_NOFOLLOW, 100, &st, &len) == NULL);
	T_INT(errno, ELOOP);

	unlinkat(d, "a.md", 0);
	unlinkat(d, "empty", 0);
	unlinkat(d, "big", 0);
	unlinkat(d, "link", 0);
	unlinkat(d, "dir", AT_REMOVEDIR);
	close(d);
	T_INT(rmdir(tmpl), 0);
}

struct found {
	char **v;
	size_t n, stop; /* stop: return 1 at this count (0: never) */
	int links;	/* symlinks seen, as entries */
	int nostat;	/* entries given without a stat (lazy walk) */
};

static int
found(void *arg, char *path, const struct stat *st)
{
	struct found *f = arg;

	if (st == NULL) /* util_walk_lazy: a regular file, not statted */
		f->nostat++;
	else
		f->links += S_ISLNK(st->st_mode);
	f->v = realloc(f->v, (f->n + 1) * sizeof(*f->v));
	f->v[f->n++] = path;
	return f->stop && f->n == f->stop;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The walk posts (site.c) and the watcher's scan (watch.c) share. */
static void
test_walk(void)
{
	char tmpl[] = "/tmp/capsuled-test_walk.XXXXXX";
	struct found f = { 0 };
	int d, lazy;

	T_OK(mkdtemp(tmpl) != NULL);
	d = open(tmpl, O_RDONLY | O_DIRECTORY);
	T_OK(d != -1);
	T_INT(mkdirat(d, "a", 0755), 0);
	T_INT(mkdirat(d, "a/b", 0755), 0);
	T_INT(mkdirat(d, "a/b/c", 0755), 0);
	T_INT(mkdirat(d, ".git", 0755), 0);
	write_file(d, "top.md", "x", 1);
	write_file(d, ".hidden.md", "x", 1);
	write_file(d, ".git/x", "x", 1);
	write_file(d, "a/one", "x", 1);
	write_file(d, "a/b/two", "x", 1);
	write_file(d, "a/b/c/deep", "x", 1);
	T_INT(symlinkat("a", d, "link"), 0); /* to a folder: not followed */

	/*
	 * depth 0 is the root: a/b (depth 2) read, a/b/c (3) not. The lazy
	 * walk finds the same entries: the regular files known from the
	 * folder (d_type) without a stat, the symlink still statted.
	 */
	for (lazy = 0; lazy < 2; lazy++) {
		T_INT((lazy ? util_walk_lazy : util_walk)(d, "", 0, 2, found,
			  &f),
		    0);
		qsort(f.v, f.n, sizeof(*f.v), cmp);
		T_INT(f.n, 4);
		if (f.n == 4) {
			T_STR(f.v[0], "a/b/two");
			T_STR(f.v[1], "a/one");
			T_STR(f.v[2], "link");
			T_STR(f.v[3], "top.md");
		}
		T_INT(f.links, 1);
		T_INT(f.nostat, lazy ? 3 : 0);
		strv_free(f.v, f.n);
		memset(&f, 0, sizeof(f));
	}
	/* from a folder, at its depth */
	T_INT(util_walk(d, "a/b", 2, 3, found, &f), 0);
	T_INT(f.n, 2);
	strv_free(f.v, f.n);
	memset(&f, 0, sizeof(f));
	/* f stops the walk with its return */
	f.stop = 1;
	T_INT(util_walk(d, "", 0, 9, found, &f), 1);
	T_INT(f.n, 1);
	strv_free(f.v, f.n);
	memset(&f, 0, sizeof(f));
	/* missing, a file, a symlink: empty, no error */
	T_INT(util_walk(d, "none", 0, 9, found, &f), 0);
	T_INT(util_walk(d, "top.md", 0, 9, found, &f), 0);
	T_INT(util_walk(d, "link", 0, 9, found, &f), 0);
	T_INT(util_walk(d, "a", 1, 0, found, &f), 0); /* past maxdepth */
	T_INT(f.n, 0);

	unlinkat(d, "a/b/c/deep", 0);
	unlinkat(d, "a/b/two", 0);
	unlinkat(d, "a/one", 0);
	unlinkat(d, "top.md", 0);
	unlinkat(d, ".hidden.md", 0);
	unlinkat(d, ".git/x", 0);
	unlinkat(d, "link", 0);
	unlinkat(d, "a/b/c", AT_REMOVEDIR);
	unlinkat(d, "a/b", AT_REMOVEDIR);
	unlinkat(d, "a", AT_REMOVEDIR);
	unlinkat(d, ".git", AT_REMOVEDIR);
	close(d);
	T_INT(rmdir(tmpl), 0);
}

int
main(void)
{
	char **v = NULL;
	size_t n = 0;

	strv_push(&v, &n, "a");
	strv_push(&v, &n, "");
	strv_push(&v, &n, "ccc");
	T_INT(n, 3);
	T_STR(v[0], "a");
	T_STR(v[1], "");
	T_STR(v[2], "ccc");
	{
		char *a[] = { "x", "y" }, *b[] = { "x", "y" },
		     *c[] = { "y", "x" };

		T_INT(strv_eq(a, 2, b, 2), 1);
		T_INT(strv_eq(a, 2, c, 2), 0); /* order counts */
		T_INT(strv_eq(a, 2, b, 1), 0);
		T_INT(strv_eq(a, 1, b, 1), 1);
		T_INT(strv_eq(NULL, 0, NULL, 0), 1);
	}
	strv_free(v, n);
	strv_free(NULL, 0);

	T_INT(util_ends_with("hugo.yaml", 9, ".yaml"), 1);
	T_INT(util_ends_with("hugo.yaml", 8, ".yaml"), 0); /* by length */
	T_INT(util_ends_with(".yaml", 5, ".yaml"), 0);	   /* more than suf */
	T_INT(util_ends_with("a.yml", 5, ".yaml"), 0);
	T_INT(util_ends_with("x", 1, ""), 1);

	T_INT(util_hexval('0'), 0);
	T_INT(util_hexval('f'), 15);
	T_INT(util_hexval('F'), 15);
	T_INT(util_hexval('g'), -1);

	test_read_file();
	test_walk();
	return t_done();
}
