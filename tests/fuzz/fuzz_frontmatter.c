/*
 * fuzz_frontmatter: frontmatter_parse on arbitrary bytes must not crash
 * or leak, must leave the body inside the input, and must report an
 * error exactly when it returns -1. Dates alone: fuzz_date.c. The
 * YAML fast path is checked against libyaml on the same bytes: what it
 * takes, libyaml takes to the same tree without a finding.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frontmatter.h"
#include "toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = { 0 };
	struct toml_value *fast, *full;
	struct post_meta m;
	size_t off, i;
	int line, rc;

	if (frontmatter_yaml_simple((const char *)data, size, &fast)) {
		if (frontmatter_yaml_libyaml((const char *)data, size, &full,
			&d) != 0 ||
		    d.n != 0 || !toml_same(fast, full))
			abort();
		toml_free(fast);
		toml_free(full);
	}

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
