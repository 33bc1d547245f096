/*
 * fuzz_searchmd: search_markdown (the plain text search indexes, from a
 * post's Markdown without rendering) on arbitrary bytes. It only drops
 * ASCII marks and decodes entities: valid UTF-8 in is valid UTF-8 out,
 * and the output is at most a few times the input.
 */
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "search.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
count(void *arg, const char *tok, size_t n, uint32_t pos, size_t start,
    size_t end)
{
	(void)tok;
	(void)pos;
	if (n == 0 || start >= end || end > *(size_t *)arg)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = BUF_INIT;

	search_markdown((const char *)data, size, &b);
	if (b.len > 4 * size + 16)
		abort();
	if (utf8_valid((const char *)data, size) && !utf8_valid(b.data, b.len))
		abort();
	search_tokenize(b.data ? b.data : "", b.len, 0, count, &b.len);
	buf_free(&b);
	return 0;
}
