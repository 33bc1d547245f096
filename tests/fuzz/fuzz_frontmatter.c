/*
 * fuzz_frontmatter: frontmatter_parse on arbitrary bytes must not crash
 * or leak, must leave the body inside the input, and must report an
 * error exactly when it returns -1. Dates alone: fuzz_date.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frontmatter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = { 0 };
	struct post_meta m;
	size_t off, i;
	int line, rc;

	rc = frontmatter_parse((const char *)data, size, &m, &off, &line, &d);
	if (off > size || line < 1 ||
	    (rc == -1) != (diags_count(&d, DIAG_ERROR) > 0) ||
	    d.line_offset != 0)
		abort();
	for (i = 0; i < d.n; i++)
		if (d.v[i].line < 0)
			abort();
	if (m.has_date && strlen(m.date_ymd) != 10)
		abort();
	for (i = 0; i < m.ntags; i++)
		(void)strlen(m.tags[i]);
	post_meta_free(&m);
	diags_free(&d);
	return 0;
}
