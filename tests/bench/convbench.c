/*
 * convbench: the converter's own speed, in process: front matter,
 * shortcodes and gemtext for one Markdown file, REPS times; prints the
 * median MB/s of CPU time. `capsuled convert` adds process start-up,
 * which this leaves out. A second figure is the floor under it: cmark-gfm
 * alone parsing the same Markdown with footnotes and every extension the
 * converter can attach, and nothing rendered.
 *   convbench FILE [REPS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "buf.h"
#include "frontmatter.h"
#include "gemtext.h"
#include "shortcode.h"

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Median MB/s of cmark-gfm's parse alone, t[] as scratch. */
static double
parse_only(const char *text, size_t len, double *t, int reps)
{
	static const char *const exts[] = { "table", "strikethrough",
		"autolink", "tasklist" };
	struct buf md = BUF_INIT;
	struct diags d = { 0 };
	struct post_meta m;
	size_t off, k;
	int i, line;

	cmark_gfm_core_extensions_ensure_registered();
	frontmatter_parse(text, len, &m, &off, &line, &d);
	shortcode_expand(text + off, len - off, line, &md, &d);
	post_meta_free(&m);
	diags_free(&d);
	for (i = 0; i < reps; i++) {
		struct timespec a, b;
		cmark_parser *p;
		cmark_node *doc;

		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
		p = cmark_parser_new(CMARK_OPT_FOOTNOTES);
		for (k = 0; k < sizeof(exts) / sizeof(exts[0]); k++)
			cmark_parser_attach_syntax_extension(p,
			    cmark_find_syntax_extension(exts[k]));
		cmark_parser_feed(p, md.data, md.len);
		doc = cmark_parser_finish(p);
		cmark_parser_free(p);
		cmark_node_free(doc);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
		t[i] = seconds(&a, &b);
	}
	qsort(t, (size_t)reps, sizeof(*t), cmp);
	buf_free(&md);
	return (double)len / t[reps / 2] / 1e6;
}

int
main(int argc, char **argv)
{
	struct buf in = BUF_INIT;
	char chunk[65536];
	double *t, mbs;
	size_t n;
	int i, reps = argc > 2 ? atoi(argv[2]) : 15;
	FILE *f;

	if (argc < 2 || reps < 1 || (f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: convbench FILE [REPS]\n");
		return 2;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&in, chunk, n);
	fclose(f);
	t = xcalloc((size_t)reps, sizeof(*t));
	for (i = 0; i < reps; i++) {
		struct buf md = BUF_INIT, out = BUF_INIT;
		struct diags d = { 0 };
		struct gemtext_opts o;
		struct post_meta m;
		struct timespec a, b;
		size_t off;
		int line;

		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
		frontmatter_parse(in.data, in.len, &m, &off, &line, &d);
		shortcode_expand(in.data + off, in.len - off, line, &md, &d);
		gemtext_opts_default(&o);
		gemtext_render(md.data, md.len, &o, &out, &d);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
		t[i] = seconds(&a, &b);
		buf_free(&md);
		buf_free(&out);
		post_meta_free(&m);
		diags_free(&d);
	}
	qsort(t, (size_t)reps, sizeof(*t), cmp);
	mbs = (double)in.len / t[reps / 2] / 1e6;
	printf("%.1f %.1f\n", mbs, parse_only(in.data, in.len, t, reps));
	free(t);
	buf_free(&in);
	return 0;
}
