/*
 * convbench: the converter's own speed, in process: front matter,
 * shortcodes and gemtext for one Markdown file, REPS times; prints the
 * median MB/s of CPU time. `capsuled convert` adds process start-up,
 * which this leaves out.
 *   convbench FILE [REPS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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

int
main(int argc, char **argv)
{
	struct buf in = BUF_INIT;
	char chunk[65536];
	double *t;
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
		t[i] = (double)(b.tv_sec - a.tv_sec) +
		    (double)(b.tv_nsec - a.tv_nsec) / 1e9;
		buf_free(&md);
		buf_free(&out);
		post_meta_free(&m);
		diags_free(&d);
	}
	qsort(t, (size_t)reps, sizeof(*t), cmp);
	printf("%.1f\n", (double)in.len / t[reps / 2] / 1e6);
	free(t);
	buf_free(&in);
	return 0;
}
