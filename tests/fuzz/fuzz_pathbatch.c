/*
 * fuzz_pathbatch: the input twice. As a channel message, decoded from an
 * exact-size allocation (a read past len trips ASan): a message that
 * decodes names only non-empty paths inside it. As lines, each added to
 * a batch: whatever was added, no path in the batch covers another, the
 * byte count matches, the limits hold, and the batch survives its own
 * encoding unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pathbatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_batch(const struct pathbatch *b)
{
	const char **paths;
	size_t i, j, bytes = 0, len, n;
	uint32_t host;
	char *msg;

	if (b->full && b->n != 0)
		abort();
	if (b->n > PATHBATCH_MAX_PATHS)
		abort();
	for (i = 0; i < b->n; i++) {
		if (b->v[i][0] == '\0')
			abort();
		bytes += strlen(b->v[i]) + 1;
		for (j = 0; j < b->n; j++)
			if (i != j && pathbatch_covers(b->v[i], b->v[j]))
				abort();
	}
	if (bytes != b->bytes || bytes > PATHBATCH_MAX_BYTES)
		abort();
	msg = pathbatch_encode(b, 7, &len);
	if (pathbatch_decode(msg, len, &host, &paths, &n) != 0 || host != 7 ||
	    n != (b->full ? 0 : b->n))
		abort();
	for (i = 0; i < n; i++)
		if (strcmp(paths[i], b->v[i]) != 0)
			abort();
	free(paths);
	free(msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pathbatch b = { 0 };
	const char **paths;
	char *copy = malloc(size ? size : 1), *line, *next;
	uint32_t host;
	size_t i, n;

	memcpy(copy, data, size);
	if (pathbatch_decode(copy, size, &host, &paths, &n) == 0) {
		for (i = 0; i < n; i++)
			if (paths[i] < copy || paths[i] >= copy + size ||
			    paths[i][0] == '\0')
				abort();
		free(paths);
	}
	free(copy);

	copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (line = copy; line; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		pathbatch_add(&b, line);
		check_batch(&b);
	}
	pathbatch_free(&b);
	free(copy);
	return 0;
}
