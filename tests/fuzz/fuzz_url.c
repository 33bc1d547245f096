/*
 * fuzz_url: url_parse on arbitrary bytes, then the invariants a
 * successful parse promises (path absolute, valid UTF-8, no dot
 * segment, no "//"); url_encode_path on the input as a C string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"
#include "utf8.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_path(const char *p)
{
	size_t n = strlen(p);

	if (p[0] != '/' || !utf8_valid(p, n) || strstr(p, "//") ||
	    strstr(p, "/./") || strstr(p, "/../") ||
	    (n >= 2 && strcmp(p + n - 2, "/.") == 0) ||
	    (n >= 3 && strcmp(p + n - 3, "/..") == 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct url u;
	const char *err = NULL;
	char *s, *e;

	if (url_parse((const char *)data, size, &u, &err) == 0) {
		if (u.scheme == NULL || u.host == NULL || u.path == NULL)
			abort();
		check_path(u.path);
		if (u.port == 0 || u.port > 65535 || u.port < -1)
			abort();
		url_free(&u);
	} else if (err == NULL || u.path != NULL)
		abort();

	s = xstrndup((const char *)data, size);
	e = url_encode_path(s);
	if (strspn(e,
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789-._~!$&'()*+,;=/:@%") != strlen(e))
		abort();
	free(e);
	free(s);
	return 0;
}
