/*
 * searchbench: the search index on a generated capsule (issue 14).
 * N reviews of about 2 KB each (words drawn from a Zipf vocabulary, one
 * post in twenty with a Japanese paragraph) are indexed; then the CPU
 * time of 1-3 word queries (the whole result page, snippets included),
 * the index's memory against the raw text, and the time to update one
 * post. Prints "key value" lines for tests/bench/bench.sh.
 *
 * usage: searchbench [POSTS [QUERIES [DIR]]]   (defaults 10000 and 2000)
 * With DIR, the posts are also written as DIR/posts/post-NNNNN.md, for
 * timing the server's start-up on the same capsule.
 */
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "search.h"
#include "util.h"

#define VOCAB 30000

static char *vocab[VOCAB];
static double cdf[VOCAB];
static uint64_t rng = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
rnd01(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static const char *
zipf_word(void)
{
	double u = rnd01();
	size_t lo = 0, hi = VOCAB - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return vocab[lo];
}

static void
make_vocab(void)
{
	static const char *const syl[] = { "ka", "lo", "ren", "ti", "mu", "sha",
		"ve", "dor", "pi", "nel", "gra", "su", "fo", "é", "bak", "wi",
		"zon", "chi", "ly", "mar" };
	double sum = 0;
	size_t i;

	for (i = 0; i < VOCAB; i++) {
		struct buf b = BUF_INIT;
		size_t n = 1 + (i > 100) + (i > 3000) + rnd() % 2, k;

		for (k = 0; k < n; k++)
			buf_adds(&b, syl[rnd() % ARRAY_LEN(syl)]);
		buf_printf(&b, "%zu", i % 7 == 0 ? i : 0);
		if (i % 7 != 0)
			buf_truncate(&b, b.len - 1);
		vocab[i] = buf_detach(&b, NULL);
		sum += 1.0 / pow((double)(i + 1), 1.05);
		cdf[i] = sum;
	}
	for (i = 0; i < VOCAB; i++)
		cdf[i] /= sum;
}

static void
make_text(struct buf *b, size_t target, int japanese)
{
	static const char *const ja =
	    "藤本タツキの読み切り「ルックバック」を"
	    "読んだ。京本と藤野の物語は、背中で語る漫画だった。";

	while (b->len < target) {
		size_t n = 8 + rnd() % 14, k;

		for (k = 0; k < n; k++) {
			const char *w = zipf_word();

			if (k == 0 && w[0] >= 'a' && w[0] <= 'z')
				buf_printf(b, "%c%s", w[0] - 32, w + 1);
			else if (k == 0)
				buf_adds(b, w);
			else
				buf_printf(b, " %s", w);
		}
		buf_adds(b, rnd() % 5 == 0 ? ".\n" : ". ");
	}
	if (japanese)
		buf_printf(b, "\n%s\n", ja);
}

/* Snippets read the text of the posts shown, as the server's do. */
static char **bench_texts;

static int
bench_text(void *arg, const char *key, struct buf *out)
{
	(void)arg;
	buf_adds(out,
	    bench_texts[strtoul(key + strlen("posts/post-"), NULL, 10)]);
	return 0;
}

static double
cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
pct(double *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	return v[i < n ? i : n - 1];
}

static void
doc_of(struct search_doc *d, size_t i, const char *title, const char *text,
    char *url, size_t urlsz, char *ymd)
{
	static const char *const tags[] = { "anime", "manga", "film", "games",
		"books" };

	memset(d, 0, sizeof(*d));
	snprintf(url, urlsz, "/posts/post-%05zu/", i);
	snprintf(ymd, 11, "%04zu-%02zu-%02zu", 2000 + i % 25, 1 + i % 12,
	    1 + i % 28);
	d->url = url;
	d->title = title;
	d->ymd = ymd;
	d->date = (int64_t)i * 86400;
	d->tags = tags + i % 4;
	d->ntags = 2;
	d->has_rating = 1;
	d->rating = (double)(1 + i % 5);
	d->lang = i % 20 == 0 ? "ja" : "en";
	d->text = text;
}

int
main(int argc, char **argv)
{
	size_t nposts = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	size_t nq = argc > 2 ? strtoul(argv[2], NULL, 10) : 2000;
	struct search *ix;
	struct search_stats st;
	struct mallinfo2 m0, m1;
	char **texts, **titles, url[64], ymd[11];
	double t0, build, *qt, *ut;
	size_t i, raw = 0, hits = 0;
	FILE *dump;

	if (nposts == 0 || nq == 0)
		return 2;
	if (argc > 3) {
		char *dir = xasprintf("%s/posts", argv[3]);

		if (mkdir(argv[3], 0755) == -1 && errno != EEXIST)
			return 2;
		if (mkdir(dir, 0755) == -1 && errno != EEXIST)
			return 2;
		free(dir);
	}
	make_vocab();
	texts = xcalloc(nposts, sizeof(*texts));
	titles = xcalloc(nposts, sizeof(*titles));
	for (i = 0; i < nposts; i++) {
		struct buf b = BUF_INIT;
		struct search_doc d;

		buf_printf(&b, "%s %s %s", zipf_word(), zipf_word(),
		    vocab[100 + rnd() % 5000]);
		titles[i] = buf_detach(&b, NULL);
		make_text(&b, 1900 + rnd() % 200, i % 20 == 0);
		texts[i] = buf_detach(&b, NULL);
		raw += strlen(titles[i]) + strlen(texts[i]);
		if (argc > 3) {
			char *path =
			    xasprintf("%s/posts/post-%05zu.md", argv[3], i);
			FILE *f = fopen(path, "w");

			if (f == NULL)
				return 2;
			doc_of(&d, i, titles[i], texts[i], url, sizeof(url),
			    ymd);
			fprintf(f,
			    "---\ntitle: \"%s\"\ndate: %s\ntags: [%s, %s]\n"
			    "rating: %g\nlang: %s\n---\n\n%s",
			    titles[i], ymd, d.tags[0], d.tags[1], d.rating,
			    d.lang, texts[i]);
			fclose(f);
			free(path);
		}
	}
	malloc_trim(0);
	m0 = mallinfo2();
	t0 = cpu_us();
	ix = search_new();
	bench_texts = texts;
	search_set_text_source(ix, bench_text, NULL);
	for (i = 0; i < nposts; i++) {
		struct search_doc d;
		char key[48];

		doc_of(&d, i, titles[i], texts[i], url, sizeof(url), ymd);
		snprintf(key, sizeof(key), "posts/post-%05zu.md", i);
		search_put(ix, key, &d);
	}
	build = cpu_us() - t0;
	/*
	 * The index as a worker holds it after its build (search_pack:
	 * site.c), then search_trim'd (long lists cut to their length).
	 */
	search_get_stats(ix, &st);
	printf("index_unpacked_pct %.1f\n",
	    100.0 * (double)(st.postings + st.dict) / (double)raw);
	search_pack(ix);
	search_get_stats(ix, &st);
	printf("index_server_pct %.1f\n",
	    100.0 * (double)(st.postings + st.dict) / (double)raw);
	search_trim(ix);
	m1 = mallinfo2();
	search_get_stats(ix, &st);
	printf("posts %zu\nraw_bytes %zu\nbuild_ms %.1f\n", nposts, raw,
	    build / 1e3);
	printf("terms %zu\npostings_bytes %zu\ndict_bytes %zu\nstore_bytes %zu\n"
	       "skip_bytes %zu\ndoc_bits_pct %.1f\npos_bits_pct %.1f\n",
	    st.terms, st.postings, st.dict, st.store, st.skips,
	    100.0 * (double)st.doc_bits / 8 / (double)raw,
	    100.0 * (double)st.pos_bits / 8 / (double)raw);
	printf("index_pct %.1f\nheap_bytes %zu\nheap_pct %.1f\n",
	    100.0 * (double)(st.postings + st.dict) / (double)raw,
	    m1.uordblks - m0.uordblks,
	    100.0 * (double)(m1.uordblks - m0.uordblks) / (double)raw);

	/* Queries: 1-3 words of a random post, as a reader would retype. */
	/* SEARCHBENCH_DUMP=file: every query and its page, to compare builds. */
	dump = getenv("SEARCHBENCH_DUMP") ?
	    fopen(getenv("SEARCHBENCH_DUMP"), "w") :
	    NULL;
	qt = xcalloc(nq, sizeof(*qt));
	for (i = 0; i < nq; i++) {
		struct buf q = BUF_INIT, out = BUF_INIT;
		const char *t = texts[rnd() % nposts];
		size_t nw = 1 + i % 3, k, len = strlen(t);

		for (k = 0; k < nw; k++) {
			size_t at = rnd() % len, e;

			while (at > 0 && t[at - 1] != ' ')
				at--;
			e = at;
			while (e < len && t[e] != ' ' && t[e] != '.' &&
			    t[e] != '\n')
				e++;
			buf_printf(&q, "%s%.*s", k ? "%20" : "", (int)(e - at),
			    t + at);
		}
		t0 = cpu_us();
		search_page(ix, q.data, 1, "/search", NULL, NULL, &out);
		qt[i] = cpu_us() - t0;
		hits += strstr(out.data, "\n=> /posts/") != NULL;
		if (dump)
			fprintf(dump, "Q %s\n%s", q.data, out.data);
		buf_free(&q);
		buf_free(&out);
	}
	qsort(qt, nq, sizeof(*qt), dcmp);
	printf("queries %zu\nqueries_with_hits %zu\nquery_p50_us %.0f\n"
	       "query_p99_us %.0f\nquery_max_us %.0f\n",
	    nq, hits, pct(qt, nq, 0.5), pct(qt, nq, 0.99), qt[nq - 1]);
	{
		struct buf out = BUF_INIT;

		t0 = cpu_us();
		search_page(ix,
		    "%E3%83%AB%E3%83%83%E3%82%AF%E3%83%90%E3%83%83"
		    "%E3%82%AF",
		    1, "/search", NULL, NULL, &out);
		printf("query_cjk_us %.0f\n", cpu_us() - t0);
		hits = 0;
		for (const char *p = out.data; (p = strstr(p, "\n=> ")); p++)
			hits++;
		printf("query_cjk_hits %zu\n", hits);
		buf_free(&out);
	}

	/* Updates: a post edited (a sentence added), put back. */
	ut = xcalloc(1000, sizeof(*ut));
	for (i = 0; i < 1000; i++) {
		size_t k = rnd() % nposts;
		struct search_doc d;
		struct buf b = BUF_INIT;

		buf_printf(&b, "%sEdited %zu with a new sentence.\n", texts[k],
		    i);
		free(texts[k]);
		texts[k] = buf_detach(&b, NULL);
		doc_of(&d, k, titles[k], texts[k], url, sizeof(url), ymd);
		{
			char key[48];

			snprintf(key, sizeof(key), "posts/post-%05zu.md", k);
			t0 = cpu_us();
			search_put(ix, key, &d);
			ut[i] = cpu_us() - t0;
		}
	}
	qsort(ut, 1000, sizeof(*ut), dcmp);
	/* After the edits: the first words of some posts, page 2 too. */
	for (i = 0; dump && i < 500; i++) {
		struct buf q = BUF_INIT, out = BUF_INIT;
		const char *t = texts[rnd() % nposts];
		size_t e = strcspn(t, " .\n");

		buf_printf(&q, "%.*s", (int)e, t);
		search_page(ix, q.data, 1 + i % 2, "/search", NULL, NULL, &out);
		fprintf(dump, "Q %s\n%s", q.data, out.data);
		buf_free(&q);
		buf_free(&out);
	}
	if (dump)
		fclose(dump);
	printf("update_p50_us %.0f\nupdate_p99_us %.0f\nupdate_max_us %.0f\n",
	    pct(ut, 1000, 0.5), pct(ut, 1000, 0.99), ut[999]);
	search_free(ix);
	for (i = 0; i < nposts; i++) {
		free(texts[i]);
		free(titles[i]);
	}
	for (i = 0; i < VOCAB; i++)
		free(vocab[i]);
	free(texts);
	free(titles);
	free(qt);
	free(ut);
	return 0;
}
