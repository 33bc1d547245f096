/* Unit tests for pathbatch: coalescing changed paths, the channel format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pathbatch.h"
#include "t.h"
#include "util.h"

/* The batch as one string, paths joined by ' ', "FULL" when full. */
static const char *
show(const struct pathbatch *b)
{
	static char out[4096];
	size_t i;

	if (b->full)
		return "FULL";
	out[0] = '\0';
	for (i = 0; i < b->n; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, b->v[i]);
	}
	return out;
}

static const struct {
	const char *adds[8]; /* added in order, NULL-terminated */
	const char *want;
} cases[] = {
	{ { "content/a.md", NULL }, "content/a.md" },
	{ { "content/a.md", "content/a.md", "content/a.md", NULL },
	    "content/a.md" },
	{ { "./content/a.md", "/content/b.md", "content/c/", NULL },
	    "content/a.md content/b.md content/c" },
	/* A folder covers what is under it, before or after. */
	{ { "content/posts/a.md", "content/posts", "content/posts/b.md", NULL },
	    "content/posts" },
	{ { "content/posts/x/a.md", "content/other.md", "content/posts", NULL },
	    "content/other.md content/posts" },
	/* A shared prefix is not a folder. */
	{ { "content/post", "content/posts/a.md", "content/post.md", NULL },
	    "content/post content/posts/a.md content/post.md" },
	/* The root itself: everything. */
	{ { "content/a.md", "", NULL }, "FULL" },
	{ { ".", "content/a.md", NULL }, "FULL" },
	{ { "content/a.md", "/", "x", NULL }, "FULL" },
};

static void
test_coalescing(void)
{
	size_t i, j;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct pathbatch b = { 0 };

		for (j = 0; cases[i].adds[j]; j++)
			pathbatch_add(&b, cases[i].adds[j]);
		T_STR(show(&b), cases[i].want);
		T_INT(pathbatch_pending(&b), 1);
		pathbatch_reset(&b);
		T_INT(pathbatch_pending(&b), 0);
		T_STR(show(&b), "");
		/* Reusable after a reset, full included. */
		pathbatch_add(&b, "z.md");
		T_STR(show(&b), "z.md");
		pathbatch_free(&b);
		pathbatch_free(&b);
	}
}

static void
test_limits(void)
{
	struct pathbatch b = { 0 };
	char p[64];
	size_t i, bytes = 0;

	for (i = 0; i < PATHBATCH_MAX_PATHS; i++) {
		snprintf(p, sizeof(p), "c/%zu.md", i);
		pathbatch_add(&b, p);
		bytes += strlen(p) + 1;
	}
	T_INT(b.full, 0);
	T_INT(b.n, PATHBATCH_MAX_PATHS);
	T_INT(b.bytes, bytes);
	pathbatch_add(&b, "c/0.md"); /* already there: still fits */
	T_INT(b.full, 0);
	pathbatch_add(&b, "one-more.md");
	T_STR(show(&b), "FULL");
	pathbatch_add(&b, "after.md"); /* full stays full */
	T_STR(show(&b), "FULL");
	pathbatch_reset(&b);

	/* Long paths: the byte limit comes first. */
	{
		char *big = malloc(4001);

		memset(big, 'a', 4000);
		big[4000] = '\0';
		for (i = 0; i < 8; i++) {
			big[0] = (char)('a' + i);
			pathbatch_add(&b, big);
		}
		T_INT(b.full, 0);
		T_INT(b.bytes, 8 * 4001);
		big[0] = 'z';
		pathbatch_add(&b, big);
		T_INT(b.full, 1);
		free(big);
	}
	/* Covering paths free their bytes. */
	pathbatch_reset(&b);
	pathbatch_add(&b, "d/a.md");
	pathbatch_add(&b, "d/b.md");
	pathbatch_add(&b, "d");
	T_INT(b.bytes, 2);
	pathbatch_free(&b);
}

static void
test_encoding(void)
{
	struct pathbatch b = { 0 };
	const char **paths;
	size_t len, n;
	uint32_t host;
	char *msg;

	pathbatch_add(&b, "content/a.md");
	pathbatch_add(&b, "static/b.png");
	msg = pathbatch_encode(&b, 3, &len);
	T_INT(len, PATHBATCH_HEADER + 13 + 13);
	T_INT(pathbatch_decode(msg, len, &host, &paths, &n), 0);
	T_INT(host, 3);
	T_INT(n, 2);
	T_STR(paths[0], "content/a.md");
	T_STR(paths[1], "static/b.png");
	free(paths);
	/* Truncated, or with bytes past the last path: refused. */
	T_INT(pathbatch_decode(msg, len - 1, &host, &paths, &n), -1);
	T_OK(paths == NULL);
	T_INT(pathbatch_decode(msg, 5, &host, &paths, &n), -1);
	free(msg);

	pathbatch_set_full(&b);
	T_INT(b.n, 0);
	T_INT(b.bytes, 0);
	T_INT(b.full, 1);
	T_INT(pathbatch_pending(&b), 1);
	msg = pathbatch_encode(&b, 0, &len);
	T_INT(len, PATHBATCH_HEADER);
	T_INT(pathbatch_decode(msg, len, &host, &paths, &n), 0);
	T_INT(host, 0);
	T_INT(n, 0);
	free(paths);
	free(msg);
	pathbatch_reset(&b);
	T_INT(b.full, 0);
	T_INT(pathbatch_pending(&b), 0);
	pathbatch_free(&b);

	/* Hostile messages: empty paths, counts past the data or the cap. */
	{
		char m[32];
		uint32_t h = 0, c;

		memcpy(m, &h, 4);
		c = 1;
		memcpy(m + 4, &c, 4);
		m[8] = '\0';
		T_INT(pathbatch_decode(m, 9, &host, &paths, &n), -1);
		c = 2;
		memcpy(m + 4, &c, 4);
		memcpy(m + 8, "a", 2);
		T_INT(pathbatch_decode(m, 10, &host, &paths, &n), -1);
		c = PATHBATCH_MAX_PATHS + 1;
		memcpy(m + 4, &c, 4);
		T_INT(pathbatch_decode(m, 10, &host, &paths, &n), -1);
		c = 0;
		memcpy(m + 4, &c, 4);
		T_INT(pathbatch_decode(m, 10, &host, &paths, &n), -1);
	}
}

int
main(void)
{
	test_coalescing();
	test_limits();
	test_encoding();
	return t_done();
}
