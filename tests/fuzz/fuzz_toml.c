/*
 * fuzz_toml: toml_parse on arbitrary bytes must not crash, leak or run
 * away; a tree it returns must be consistent (every member found again
 * by toml_get, strings NUL-terminated) and a failure must carry a line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
walk(const struct toml_value *v, int depth)
{
	size_t i;

	if (depth > 1000 || v->line < 1)
		abort();
	if (v->type == TOML_STRING || v->type == TOML_DATETIME)
		(void)strlen(v->u.s);
	for (i = 0; i < v->n; i++) {
		if (v->type == TOML_TABLE &&
		    toml_get(v, v->keys[i]) != v->items[i])
			abort();
		walk(v->items[i], depth + 1);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = { 0 };
	struct toml_value *v;

	v = toml_parse((const char *)data, size, &d);
	if (v == NULL && (diags_count(&d, DIAG_ERROR) == 0 || d.v[0].line < 1))
		abort();
	if (v != NULL) {
		walk(v, 0);
		(void)toml_get_string(v, "title");
	}
	toml_free(v);
	diags_free(&d);
	return 0;
}
