/*
 * util: allocation that aborts on exhaustion, and the diagnostics list
 * that pure modules fill instead of logging.
 */
#ifndef CAPSULED_UTIL_H
#define CAPSULED_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ATTR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ARRAY_LEN(a)	  (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows *p (an array of *cap elements of size sz) to hold at least need. */
void *xgrow(void *p, size_t *cap, size_t need, size_t sz);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a malloc'd formatted string; caller frees. */
char *xasprintf(const char *fmt, ...) ATTR_PRINTF(1, 2);
/* String vectors: frees the n strings of v and v; appends a copy of s. */
void strv_free(char **v, size_t n);
/* 1 when a (na strings) and b (nb) hold the same strings in the same order. */
int strv_eq(char *const *a, size_t na, char *const *b, size_t nb);
void strv_push(char ***v, size_t *n, const char *s);

struct stat;
/*
 * Reads the regular file rel (beneath dirfd, opened with O_RDONLY |
 * O_CLOEXEC | O_NONBLOCK | oflags) whole when it holds at most max
 * bytes: a malloc'd NUL-terminated copy of *len bytes, *st its stat.
 * NULL with errno: EINVAL not a regular file, EFBIG larger than max (or
 * grown past it while read), else open's or read's.
 */
char *util_read_file(int dirfd, const char *rel, int oflags, size_t max,
    struct stat *st, size_t *len);
/*
 * Walks the folder rel ("" for rootfd itself; depth is its depth) and
 * the folders below it, depth-first in readdir order: names starting
 * with '.' skipped, no symlink followed (one is an entry like a file),
 * folders deeper than maxdepth not read. Calls f(arg, path, st) for each
 * entry that is not a folder, path ("rel/name") malloc'd and f's to keep
 * or free. A folder that vanished or was swapped meanwhile (ENOENT,
 * ENOTDIR, ELOOP) is empty. Returns 0; f's first non-zero return, which
 * stops the walk; or -1 with errno when a folder could not be read (out
 * of descriptors, say).
 */
int util_walk(int rootfd, const char *rel, int depth, int maxdepth,
    int (*f)(void *arg, char *path, const struct stat *st), void *arg);
/*
 * The same walk without a stat per entry where the folder says what an
 * entry is (d_type): f gets st NULL for a regular file, to stat when it
 * needs to (at 100,000 files the stats were most of a scan). Other
 * entries are statted as util_walk does.
 */
int util_walk_lazy(int rootfd, const char *rel, int depth, int maxdepth,
    int (*f)(void *arg, char *path, const struct stat *st), void *arg);
/* 1 when s[0..n) ends with suf and holds more than suf. */
int util_ends_with(const char *s, size_t n, const char *suf);

/* Value of a hex digit, or -1. */
int util_hexval(int c);
/* Days in month m (1..12) of year y, proleptic Gregorian. */
int util_days_in_month(int y, int m);
/*
 * The same version of the same file: inode, size, mtime and ctime to the
 * nanosecond (a write between two stats of a file changes its ctime).
 */
int util_same_file(const struct stat *a, const struct stat *b);
/*
 * A write() already under way when a file is stat'ed changes nothing the
 * stat shows while it copies (the times move at its start), so a reader
 * could take a mix for the version stat'ed. util_file_settle(fd) waits
 * for such a write to finish: SEEK_DATA takes the inode lock a write
 * holds on ext4, tmpfs and btrfs (elsewhere it returns at once). Read a
 * version as: fstat, settle, read, then util_file_unchanged(fd, &st),
 * which settles again and compares a new stat with st. With the fine-
 * grained times of Linux 6.13+ (a change after a stat gets a new ctime),
 * a body read so that passes is one version the file held; mmap writers
 * and other file systems get the stat comparison alone.
 */
void util_file_settle(int fd);
/*
 * The pages holding [p, p + n) made this process's own now, in one call
 * (MADV_POPULATE_WRITE), not by a copy-on-write fault each when first
 * written; nothing where the kernel cannot (before Linux 5.14).
 */
void util_own_pages(const void *p, size_t n);
/*
 * A large block, fresh from malloc and about to be written whole, mapped
 * at once: in huge pages where the kernel gives them (MADV_HUGEPAGE),
 * the rest populated in one call. A fault a page cost ~14 us in a VM
 * (a 16 MB copy into fresh memory: 55 ms, 1-3 ms so); blocks under
 * 256 KB are left alone.
 */
void util_fresh_pages(void *p, size_t n);
int util_file_unchanged(int fd, const struct stat *st);

/*
 * A string-keyed hash table for lookups built once and read per request.
 * Keys are not copied: they must outlive the table. Zero-initialise.
 */
struct strmap_entry {
	const char *key; /* NULL: a free slot */
	void *val;
	uint32_t len;
	uint32_t hash; /* kept: probes and growth skip most compares */
};

struct strmap {
	struct strmap_entry *v;
	size_t cap, n; /* cap is 0 or a power of two */
};

/*
 * Adds key (n bytes) -> val and returns 1; an existing key keeps its
 * first value (returns 0).
 */
int strmap_put(struct strmap *m, const char *key, size_t n, void *val);
/*
 * Makes room for n more keys at once: a table filled with a known number
 * of keys is not rehashed on the way (at 100,000 keys, 13 times).
 */
void strmap_reserve(struct strmap *m, size_t n);
/* The value for key (n bytes), or NULL. */
void *strmap_get(const struct strmap *m, const char *key, size_t n);
/* Removes key (n bytes); its value, or NULL when it was absent. */
void *strmap_del(struct strmap *m, const char *key, size_t n);
/*
 * dst (zeroed or freed) made a copy of src's table: the same keys (not
 * copied: the caller may point an entry's key at a copy of its own, of
 * the same bytes) and values.
 */
void strmap_copy(struct strmap *dst, const struct strmap *src);
void strmap_free(struct strmap *m);
/*
 * FNV-1a of s[0..n): strmap's hash, for tables that cannot be a strmap.
 * Inline: the search index hashes every word it indexes (a call cost
 * +6 % in its term lookup).
 */
static inline uint64_t
util_hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	while (n--) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

#define UTIL_LANG_MAX 64 /* bytes of a lang value */

/*
 * 1 when s is a language for a MIME type's lang parameter: BCP 47 tags
 * (subtags of 1-8 ASCII letters or digits joined by '-', the first all
 * letters), several joined by ',' ("en,fr"), at most UTIL_LANG_MAX bytes.
 */
int util_lang_valid(const char *s);

enum diag_level { DIAG_WARN, DIAG_ERROR };

/* One finding of a parser: line (1-based, 0 when unknown) and message. */
struct diag {
	enum diag_level level;
	int line;
	char *msg;
};

/* A growable list of findings; zero-initialise before use. */
struct diags {
	struct diag *v;
	size_t n, cap;
	int line_offset; /* added to every line recorded */
};

void diags_add(struct diags *d, enum diag_level level, int line,
    const char *fmt, ...) ATTR_PRINTF(4, 5);
size_t diags_count(const struct diags *d, enum diag_level level);
void diags_free(struct diags *d);

#endif
