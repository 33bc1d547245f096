/*
 * fuzz_shortcode: shortcode_expand on arbitrary bytes. Checks the buffer
 * contract, that text without an opener comes out unchanged, that the
 * output stays within a constant factor of the input and that warnings
 * stay capped. A second pass reads every file include or readfile
 * names as the input itself, so nested includes, loops and the limits on
 * included text are fuzzed too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "shortcode.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
has_opener(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (p[i] == '{' && (p[i + 1] == '{' || p[i + 1] == '%'))
			return 1;
	return 0;
}

struct self {
	const char *md;
	size_t len;
};

static int
read_self(void *arg, enum shortcode_root kind, const char *path,
    struct buf *out)
{
	const struct self *f = arg;

	(void)kind;
	if (path[0] == '\0' || path[0] == '/' || strstr(path, "..") ||
	    strstr(path, "//"))
		abort(); /* the pass promised a normalised path */
	if (strlen(path) % 3 == 0)
		return -1; /* some files are missing */
	buf_add(out, f->md, f->len);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT;
	struct diags d;
	struct shortcode_opts o;
	struct self self;
	const char *md = (const char *)data;
	size_t i;

	memset(&d, 0, sizeof(d));
	if (shortcode_expand(md, size, 1, &out, &d) != 0)
		abort();
	if (out.data == NULL || out.data[out.len] != '\0')
		abort();
	if (!has_opener(md, size) &&
	    (out.len != size || memcmp(out.data, md, size) != 0))
		abort();
	if (out.len > 32 * size + 256)
		abort();
	if (d.n > 101)
		abort();
	for (i = 0; i < d.n; i++)
		if (d.v[i].msg == NULL || d.v[i].line < 1)
			abort();
	diags_free(&d);
	buf_free(&out);

	self.md = md;
	self.len = size;
	memset(&o, 0, sizeof(o));
	o.read = read_self;
	o.read_arg = &self;
	o.dir = "a/b";
	memset(&d, 0, sizeof(d));
	if (shortcode_expand_opts(md, size, 1, &o, &out, &d) != 0)
		abort();
	/* every file at most once per nesting level, 256 files at most */
	if (out.data == NULL || out.len > 257 * (32 * size + 256))
		abort();
	if (d.n > 101)
		abort();
	diags_free(&d);
	buf_free(&out);
	return 0;
}
