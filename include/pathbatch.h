/*
 * pathbatch: the changed paths of one vhost's tree, collected between two
 * flushes of the watcher, and their encoding on the master-to-worker
 * channel. Pure: no I/O.
 */
#ifndef CAPSULED_PATHBATCH_H
#define CAPSULED_PATHBATCH_H

#include <stddef.h>
#include <stdint.h>

#define PATHBATCH_MAX_PATHS 1024  /* paths in a batch; past it: full */
#define PATHBATCH_MAX_BYTES 32768 /* bytes of those paths, NULs included */
#define PATHBATCH_HEADER    8	  /* bytes: host index, path count */

/*
 * Root-relative paths ("content/posts/a.md"), none an ancestor of
 * another and none twice: a folder stands for everything under it.
 * full: more changed than a batch holds, or events were lost: the
 * receiver rescans the whole tree. Zero-initialise.
 */
struct pathbatch {
	char **v;
	size_t n, cap;
	size_t bytes; /* of v's strings, NULs included */
	int full;
};

/*
 * Adds path (leading "./" and '/' dropped; "" or "." is the root
 * itself, which makes the batch full). A path already covered by a
 * folder in the batch adds nothing; a folder replaces the paths it
 * covers. Past the limits above the batch becomes full.
 */
void pathbatch_add(struct pathbatch *b, const char *path);
/* 1 when a is b or a folder above it ("x" covers "x" and "x/y"). */
int pathbatch_covers(const char *a, const char *b);
void pathbatch_set_full(struct pathbatch *b);
/* 1 when there is something to send (paths, or full). */
int pathbatch_pending(const struct pathbatch *b);
/* Empties b (frees its paths), keeping its storage. */
void pathbatch_reset(struct pathbatch *b);
void pathbatch_free(struct pathbatch *b);

/*
 * One channel message: a 4-byte host index and a 4-byte path count
 * (host byte order: both ends are this program), then the paths, each
 * NUL-terminated; a count of 0 means "rescan everything". Returns a
 * malloc'd message of *len bytes (at most PATHBATCH_HEADER +
 * PATHBATCH_MAX_BYTES); caller frees.
 */
char *pathbatch_encode(const struct pathbatch *b, uint32_t host, size_t *len);

/*
 * Parses a message: *paths (malloc'd array, caller frees; the strings
 * point into msg) and *n (0: rescan everything). Returns 0, or -1 for a
 * malformed message (nothing allocated).
 */
int pathbatch_decode(const char *msg, size_t len, uint32_t *host,
    const char ***paths, size_t *n);

#endif
