/*
 * pathbatch: coalesces a burst of changed paths into the smallest set
 * that still names every change, and encodes it for a worker. Pure: no
 * I/O, no logging. Batches are small (PATHBATCH_MAX_PATHS), so plain
 * linear scans are cheaper than any index.
 */
#include <stdlib.h>
#include <string.h>

#include "pathbatch.h"
#include "util.h"

int
pathbatch_covers(const char *a, const char *b)
{
	size_t la = strlen(a);

	return strncmp(a, b, la) == 0 && (b[la] == '\0' || b[la] == '/');
}

void
pathbatch_set_full(struct pathbatch *b)
{
	pathbatch_reset(b);
	b->full = 1;
}

void
pathbatch_add(struct pathbatch *b, const char *path)
{
	size_t i, j, len;
	char *p;

	if (b->full)
		return;
	for (;;) {
		if (path[0] == '/')
			path++;
		else if (path[0] == '.' && path[1] == '/')
			path += 2;
		else
			break;
	}
	len = strlen(path);
	while (len > 0 && path[len - 1] == '/')
		len--;
	if (len == 0 || (len == 1 && path[0] == '.')) {
		pathbatch_set_full(b);
		return;
	}
	p = xstrndup(path, len);
	for (i = 0; i < b->n; i++)
		if (pathbatch_covers(b->v[i], p)) {
			free(p);
			return;
		}
	/* Drop what the new path covers, keeping the order. */
	for (i = j = 0; i < b->n; i++) {
		if (pathbatch_covers(p, b->v[i])) {
			b->bytes -= strlen(b->v[i]) + 1;
			free(b->v[i]);
		} else
			b->v[j++] = b->v[i];
	}
	b->n = j;
	if (b->n + 1 > PATHBATCH_MAX_PATHS ||
	    b->bytes + len + 1 > PATHBATCH_MAX_BYTES) {
		free(p);
		pathbatch_set_full(b);
		return;
	}
	b->v = xgrow(b->v, &b->cap, b->n + 1, sizeof(*b->v));
	b->v[b->n++] = p;
	b->bytes += len + 1;
}

int
pathbatch_pending(const struct pathbatch *b)
{
	return b->full || b->n > 0;
}

void
pathbatch_reset(struct pathbatch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->v[i]);
	b->n = 0;
	b->bytes = 0;
	b->full = 0;
}

void
pathbatch_free(struct pathbatch *b)
{
	if (b == NULL)
		return;
	pathbatch_reset(b);
	free(b->v);
	b->v = NULL;
	b->cap = 0;
}

char *
pathbatch_encode(const struct pathbatch *b, uint32_t host, size_t *len)
{
	uint32_t n = b->full ? 0 : (uint32_t)b->n;
	size_t i, off = PATHBATCH_HEADER;
	char *msg;

	*len = PATHBATCH_HEADER + (b->full ? 0 : b->bytes);
	msg = xmalloc(*len);
	memcpy(msg, &host, 4);
	memcpy(msg + 4, &n, 4);
	for (i = 0; i < n; i++) {
		size_t l = strlen(b->v[i]) + 1;

		memcpy(msg + off, b->v[i], l);
		off += l;
	}
	return msg;
}

int
pathbatch_decode(const char *msg, size_t len, uint32_t *host,
    const char ***paths, size_t *n)
{
	const char **v;
	uint32_t count;
	size_t i, off = PATHBATCH_HEADER;

	*paths = NULL;
	*n = 0;
	if (len < PATHBATCH_HEADER ||
	    len > PATHBATCH_HEADER + PATHBATCH_MAX_BYTES)
		return -1;
	memcpy(host, msg, 4);
	memcpy(&count, msg + 4, 4);
	if (count > PATHBATCH_MAX_PATHS || (count == 0 && len != off))
		return -1;
	v = xcalloc(count ? count : 1, sizeof(*v));
	for (i = 0; i < count; i++) {
		const char *end = memchr(msg + off, '\0', len - off);

		if (end == NULL || end == msg + off) {
			free(v);
			return -1;
		}
		v[i] = msg + off;
		off = (size_t)(end - msg) + 1;
	}
	if (off != len) {
		free(v);
		return -1;
	}
	*paths = v;
	*n = count;
	return 0;
}
