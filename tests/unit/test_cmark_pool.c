/*
 * test_cmark_pool: the arena behind cmark's parses. Blocks of every size
 * class keep their bytes and alignment, grow by realloc with their
 * contents, are reused after free; nested pools restore the outer one;
 * two threads parse at once, each with its own pool; a real parse and
 * a big block go with the pool.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>

#include "cmark_pool.h"
#include "t.h"

/* Fills n bytes with a pattern from seed; 1 if they still hold it. */
static void
fill(unsigned char *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static int
holds(const unsigned char *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i * 7))
			return 0;
	return 1;
}

static void
test_sizes(void)
{
	static const size_t sizes[] = {
		0,
		1,
		15,
		16,
		17,
		100,
		511,
		512,
		513,
		1024,
		1025,
		5000,
		65536,
		131072,
		131073,
		1 << 20,
	};
	struct cmark_pool *p = cmark_pool_new(100);
	cmark_mem *m = cmark_pool_mem(p);
	unsigned char *v[sizeof(sizes) / sizeof(sizes[0])];
	size_t i;
	int ok = 1, zero = 1, aligned = 1;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		v[i] = m->calloc(1, sizes[i]);
		if ((uintptr_t)v[i] % 16 != 0)
			aligned = 0;
		for (size_t k = 0; k < sizes[i]; k++)
			if (v[i][k] != 0)
				zero = 0;
		fill(v[i], sizes[i], (unsigned)i);
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (!holds(v[i], sizes[i], (unsigned)i))
			ok = 0;
	T_OK(aligned);
	T_OK(zero);
	T_OK(ok);
	/* Free every other one, then grow the rest: contents follow. */
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i += 2)
		m->free(v[i]);
	for (i = 1; i < sizeof(sizes) / sizeof(sizes[0]); i += 2) {
		v[i] = m->realloc(v[i], sizes[i] * 2 + 40);
		if (!holds(v[i], sizes[i], (unsigned)i))
			ok = 0;
	}
	T_OK(ok);
	m->free(NULL);
	cmark_pool_free(p);
	cmark_pool_free(NULL);
}

/* A freed block of a class is the next one handed out in that class. */
static void
test_reuse(void)
{
	struct cmark_pool *p = cmark_pool_new(0);
	cmark_mem *m = cmark_pool_mem(p);
	void *a, *b, *c;

	a = m->calloc(1, 40);
	b = m->calloc(1, 40);
	m->free(a);
	c = m->calloc(1, 33); /* the same 48-byte class */
	T_OK(c == a);
	T_OK(c != b);
	/* realloc within the capacity keeps the block */
	T_OK(m->realloc(b, 48) == b);
	/* realloc of NULL allocates */
	a = m->realloc(NULL, 10);
	T_OK(a != NULL && (uintptr_t)a % 16 == 0);
	cmark_pool_free(p);
}

/* Many blocks: more than one chunk, and every one keeps its bytes. */
static void
test_many(void)
{
	enum { N = 20000 };
	struct cmark_pool *p = cmark_pool_new(10);
	cmark_mem *m = cmark_pool_mem(p);
	unsigned char **v = malloc(N * sizeof(*v));
	size_t i;
	int ok = 1;

	for (i = 0; i < N; i++) {
		size_t n = 1 + (i * 37) % 3000;

		v[i] = m->calloc(n, 1);
		fill(v[i], n, (unsigned)i);
	}
	for (i = 0; i < N; i++)
		if (!holds(v[i], 1 + (i * 37) % 3000, (unsigned)i))
			ok = 0;
	T_OK(ok);
	free(v);
	cmark_pool_free(p);
}

static char *
parse_render(const char *md)
{
	struct cmark_pool *p = cmark_pool_new(strlen(md));
	cmark_parser *ps;
	cmark_node *doc;
	char *html;

	ps = cmark_parser_new_with_mem(CMARK_OPT_DEFAULT, cmark_pool_mem(p));
	cmark_parser_feed(ps, md, strlen(md));
	doc = cmark_parser_finish(ps);
	cmark_parser_free(ps);
	/* rendered with the default allocator: the result outlives p */
	html = cmark_render_html_with_mem(doc, CMARK_OPT_DEFAULT, NULL,
	    cmark_get_default_mem_allocator());
	cmark_pool_free(p); /* the tree, all at once */
	return html;
}

/* An inner pool (a nested parse) gives the outer one back. */
static void
test_nested(void)
{
	struct cmark_pool *outer = cmark_pool_new(0), *inner;
	cmark_mem *m = cmark_pool_mem(outer);
	unsigned char *a, *b;
	char *html;

	a = m->calloc(1, 64);
	fill(a, 64, 3);
	inner = cmark_pool_new(0);
	b = cmark_pool_mem(inner)->calloc(1, 64);
	fill(b, 64, 4);
	cmark_pool_mem(inner)->free(b);
	cmark_pool_free(inner);
	/* the outer pool serves again, its blocks intact */
	a = m->realloc(a, 4000);
	T_OK(holds(a, 64, 3));
	html = parse_render("# inner\n");
	T_STR(html, "<h1>inner</h1>\n");
	free(html);
	m->free(a);
	cmark_pool_free(outer);
}

static void *
thread_main(void *arg)
{
	const char *word = arg;
	char md[64], want[64];
	int i, ok = 1;

	snprintf(md, sizeof(md), "*%s* and **%s**\n", word, word);
	snprintf(want, sizeof(want),
	    "<p><em>%s</em> and <strong>%s</strong></p>\n", word, word);
	for (i = 0; i < 300; i++) {
		char *html = parse_render(md);

		if (strcmp(html, want) != 0)
			ok = 0;
		free(html);
	}
	return (void *)(intptr_t)ok;
}

/* Two threads, each rendering with its own pool at the same time. */
static void
test_threads(void)
{
	pthread_t a, b;
	void *ra = NULL, *rb = NULL;

	T_INT(pthread_create(&a, NULL, thread_main, "alpha"), 0);
	T_INT(pthread_create(&b, NULL, thread_main, "beta"), 0);
	pthread_join(a, &ra);
	pthread_join(b, &rb);
	T_OK(ra == (void *)1);
	T_OK(rb == (void *)1);
}

int
main(void)
{
	char *html;

	test_sizes();
	test_reuse();
	test_many();
	test_nested();
	test_threads();
	html = parse_render("A [link](x.md) and a list:\n\n- one\n- two\n");
	T_STR(html,
	    "<p>A <a href=\"x.md\">link</a> and a list:</p>\n"
	    "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n");
	free(html);
	return t_done();
}
