/*
 * test_search: the tokenizer's folding and CJK pairs, the query parser,
 * matching and ranking over a small corpus, snippets, incremental
 * updates, pagination and the refusals of hostile queries.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "search.h"
#include "t.h"

static void
tok_cb(void *arg, const char *tok, size_t n, uint32_t pos, size_t start,
    size_t end)
{
	struct buf *b = arg;

	(void)start;
	(void)end;
	buf_printf(b, "%s%.*s@%u", b->len ? " " : "", (int)n, tok, pos);
}

static const struct {
	const char *in, *want;
} tok_cases[] = {
	{ "Hello, World!", "hello@0 world@1" },
	{ "Pokémon", "pokemon@0" },
	{ "Poke\xcc\x81mon", "pokemon@0" }, /* e + combining acute */
	{ "ÆSIR Straße Œuvre", "aesir@0 strasse@1 oeuvre@2" },
	{ "Łódź Dvořák", "lodz@0 dvorak@1" },
	{ "ΆΈΉ Σοφία ς", "αεη@0 σοφια@1 σ@2" },
	{ "Ёлка ЙОД", "елка@0 иод@1" },
	{ "Tiếng Việt", "tieng@0 viet@1" },
	{ "ＡＢＣ１２", "abc12@0" },
	{ "look-back's", "look@0 back@1 s@2" },
	{ "藤本", "藤@0 藤本@0 本@1" },
	{ "ルック", "ル@0 ルッ@0 ッ@1 ック@1 ク@2" },
	{ "a藤b", "a@0 藤@1 b@2" },
	{ "「漫画」。", "漫@0 漫画@0 画@1" },
	{ "한국어 책", "한@0 한국@0 국@1 국어@1 어@2 책@3" },
	{ "soft\xc2\xadhyphen zero\xe2\x80\x8bwidth",
	    "softhyphen@0 zerowidth@1" },
	{ "«quoted» — dash", "quoted@0 dash@1" },
	{ "bad \xff utf8", "bad@0 utf8@1" },
	{ "", "" },
};

static void
test_tokenizer(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(tok_cases); i++) {
		struct buf b = BUF_INIT;

		search_tokenize(tok_cases[i].in, strlen(tok_cases[i].in), 0,
		    tok_cb, &b);
		T_STR(b.data, tok_cases[i].want);
		buf_free(&b);
	}
	{
		/* A long word is cut, not dropped; the next one is whole. */
		char s[300];
		struct buf b = BUF_INIT;

		memset(s, 'x', 200);
		strcpy(s + 200, " tail");
		search_tokenize(s, strlen(s), 0, tok_cb, &b);
		T_INT(strlen(b.data), SEARCH_TOKEN_MAX + 2 + 1 + 6);
		T_OK(strstr(b.data, " tail@1") != NULL);
		buf_free(&b);
	}
	{
		char *f = search_fold("Tatsuki FUJIMOTO-Ébauche");

		T_STR(f, "tatsuki fujimoto-ebauche");
		free(f);
	}
}

static const struct {
	const char *q, *want; /* want NULL: refused */
} parse_cases[] = {
	{ "look back", "+look\n+back\n" },
	{ "\"look back\"", "+\"look back\"\n" },
	{ "-spoilers film", "-spoilers\n+film\n" },
	{ "-\"the end\" anime", "-\"the end\"\n+anime\n" },
	{ "tag:Anime", "+tag:anime\n" },
	{ "tag:\"Tatsuki Fujimoto\"", "+tag:tatsuki fujimoto\n" },
	{ "-tag:manga film", "-tag:manga\n+film\n" },
	{ "rating:5", "+rating:5\n" },
	{ "rating:>=4", "+rating:>=4\n" },
	{ "rating:<3.5", "+rating:<3.5\n" },
	{ "RATING:>4 year:2024", "+rating:>4\n+year:2024\n" },
	/* Half stars as readers write them; values become half stars. */
	{ "rating:4½", "+rating:4.5\n" },
	{ "rating:★★★★½", "+rating:4.5\n" },
	{ "rating:★★★☆☆", "+rating:3\n" },
	{ "rating:>=3½", "+rating:>=3.5\n" },
	{ "rating:½", "+rating:0.5\n" },
	{ "rating:8/10", "+rating:4\n" },
	{ "rating:90%", "+rating:4.5\n" },
	{ "rating:4.3", "+rating:4.5\n" },
	{ "rating:=0", "+rating:0\n" },
	{ "year:<=2020", "+year:<=2020\n" },
	{ "lang:JA", "+lang:ja\n" },
	{ "look-back", "+\"look back\"\n" },
	{ "Pokémon", "+pokemon\n" },
	{ "藤本", "+藤本\n" },
	{ "藤", "+藤\n" },
	{ "ルックバック", "+\"ルッ ック クバ バッ ック\"\n" },
	{ "藤本　ルックバック", "+藤本\n+\"ルッ ック クバ バッ ック\"\n" },
	{ "\"a藤本b\"", "+\"a@0 藤本@1 b@3\"\n" },
	{ "a a a a", "+a\n" },
	{ "藤本 藤本 ルックバック ルックバック",
	    "+藤本\n+\"ルッ ック クバ バッ ック\"\n" },
	{ "look+back", "+\"look back\"\n" },
	{ "  film  — ", "+film\n" },
	{ "\"unterminated phrase", "+\"unterminated phrase\"\n" },
	{ "\"", NULL },
	{ "", NULL },
	{ "-", NULL },
	{ "— … !", NULL },
	{ "-film", NULL },
	{ "rating:five", NULL },
	{ "rating:", NULL },
	{ "rating:>=", NULL },
	{ "rating:6", NULL },
	{ "rating:11/10", NULL },
	{ "rating:4/0", NULL },
	{ "rating:-1", NULL },
	{ "rating:4.5½", NULL },
	{ "rating:★x", NULL },
	{ "rating:★/5", NULL },
	{ "rating:.5", NULL },
	{ "year:20x4", NULL },
	{ "tag:", NULL },
	{ "a b c d e f g h i j k l m", NULL },
};

static void
test_parser(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(parse_cases); i++) {
		struct buf b = BUF_INIT;
		const char *err = NULL;
		int rc = search_parse_describe(parse_cases[i].q,
		    strlen(parse_cases[i].q), &b, &err);

		if (parse_cases[i].want == NULL) {
			T_INT(rc, -1);
			T_OK(err != NULL && *err);
		} else {
			T_INT(rc, 0);
			T_STR(b.data, parse_cases[i].want);
		}
		buf_free(&b);
	}
	{
		/* 500 terms and a 600-byte query: refused, with a reason. */
		struct buf q = BUF_INIT, b = BUF_INIT;
		const char *err = NULL;

		for (i = 0; i < 500; i++)
			buf_adds(&q, "a ");
		T_INT(search_parse_describe(q.data, q.len, &b, &err), -1);
		T_OK(err && strstr(err, "too long"));
		buf_truncate(&q, 20);
		err = NULL;
		T_INT(search_parse_describe(q.data, q.len, &b, &err), 0);
		buf_reset(&q);
		for (i = 0; i < 40; i++)
			buf_adds(&q, "漫");
		err = NULL;
		T_INT(search_parse_describe(q.data, q.len, &b, &err), -1);
		T_OK(err && strstr(err, "32 terms"));
		buf_free(&q);
		buf_free(&b);
	}
}

/* A small corpus: key, url, title, date, tags, rating, lang, text, flags. */
static const char *const tags_anime[] = { "Anime", "look-back" };
static const char *const tags_manga[] = { "manga", "Tatsuki Fujimoto" };
static const char *const tags_game[] = { "games" };

static const struct {
	const char *key, *url, *title, *ymd;
	int64_t date;
	const char *const *tags;
	size_t ntags;
	int has_rating;
	double rating;
	const char *lang, *text;
	unsigned flags;
} corpus[] = {
	{ "a.md", "/posts/a.gmi", "Look Back, the film", "2024-06-28",
	    1719532800, tags_anime, 2, 1, 5, "en",
	    "A quiet film about two artists.\nWe look back at the manga "
	    "by Fujimoto. It was moving!",
	    0 },
	{ "b.md", "/posts/b.gmi", "Rewatch diary", "2025-01-10", 1736467200,
	    tags_anime, 1, 1, 4, "en",
	    "Second viewing. I kept thinking I should look back at the "
	    "first half. Then back to the start and look again.",
	    0 },
	{ "c.md", "/posts/c.gmi", "The manga", "2024-08-20", 1724112000,
	    tags_manga, 2, 1, 4.5, "en",
	    "Fujimoto draws backs. Look at the one-shot, then back again.", 0 },
	{ "d.md", "/posts/d.gmi", "ルックバックを読んだ", "2024-09-01",
	    1725148800, tags_manga, 1, 0, 0, "ja",
	    "藤本タツキの読み切り「ルックバック」を読んだ。京本と藤野の物語だ。",
	    0 },
	{ "e.md", "/posts/e.gmi", "Pokémon Red, again", "2023-03-03",
	    1677801600, tags_game, 1, 1, 3, "en",
	    "I caught every Pokémon on an old Game Boy.", 0 },
	{ "f.md", "/posts/f.gmi", "Secret draft about the film", "2025-02-02",
	    1738454400, tags_anime, 1, 1, 5, "en",
	    "This draft mentions the film and the manga.", SEARCH_DRAFT },
};

static struct search *
build(void)
{
	struct search *ix = search_new();
	size_t i;

	for (i = 0; i < ARRAY_LEN(corpus); i++) {
		struct search_doc d;

		memset(&d, 0, sizeof(d));
		d.url = corpus[i].url;
		d.title = corpus[i].title;
		d.ymd = corpus[i].ymd;
		d.date = corpus[i].date;
		d.tags = corpus[i].tags;
		d.ntags = corpus[i].ntags;
		d.has_rating = corpus[i].has_rating;
		d.rating = corpus[i].rating;
		d.lang = corpus[i].lang;
		d.text = corpus[i].text;
		d.flags = corpus[i].flags;
		search_put(ix, corpus[i].key, &d);
	}
	return ix;
}

static int
no_drafts(void *arg, const char *url, unsigned flags)
{
	(void)arg;
	(void)url;
	return !(flags & SEARCH_DRAFT);
}

/* The urls of the results (one page), as "a c b". */
static char *
run(struct search *ix, const char *q, size_t page, search_visible_fn vis)
{
	struct search_result r;
	struct buf b = BUF_INIT;
	size_t i;

	if (search_query(ix, q, strlen(q), page, vis, NULL, &r) == -1) {
		buf_printf(&b, "error");
		return buf_detach(&b, NULL);
	}
	for (i = 0; i < r.nhits; i++)
		buf_printf(&b, "%s%c", i ? " " : "", r.hits[i].url[7]);
	search_result_free(&r);
	return buf_detach(&b, NULL);
}

static const struct {
	const char *q, *want;
} query_cases[] = {
	/* A title hit first, then BM25, then newer. */
	{ "look back", "a b c" },
	{ "\"look back\"", "a b" },
	{ "back look", "a b c" },
	{ "\"back look\"", "" },
	{ "film", "a" },
	{ "FILM", "a" },
	{ "pokemon", "e" },
	{ "POKÉMON", "e" },
	{ "fujimoto", "c a" },
	{ "fujimoto -film", "c" },
	{ "fujimoto -\"look back\"", "c" },
	{ "藤本", "d" },
	{ "ルックバック", "d" },
	{ "ルック", "d" },
	{ "読", "d" },
	{ "京本", "d" },
	{ "本と", "d" },
	{ "藤京", "" },
	{ "lang:ja -京本", "" },
	{ "year:2024 -ルックバック", "c a" },
	{ "\"ルックバックを読んだ\"", "d" },
	{ "tag:anime", "b a" },
	{ "tag:\"tatsuki fujimoto\"", "c" },
	{ "tag:look-back", "a" },
	{ "rating:5", "a" },
	{ "rating:>=4", "b c a" },
	{ "rating:>4", "c a" },
	{ "rating:<4", "e" },
	{ "rating:<=4 -tag:manga", "b e" },
	{ "rating:4½", "c" },
	{ "rating:★★★★½", "c" },
	{ "rating:9/10", "c" },
	{ "rating:<3", "" },
	{ "rating:<=3", "e" },
	{ "rating:<4.5 rating:>3", "b" },
	{ "year:2024", "d c a" },
	{ "year:<2024", "e" },
	{ "lang:ja", "d" },
	{ "lang:en manga", "c a" },
	{ "draft", "" },
	{ "nothing-like-this", "" },
	{ "\"", "error" },
	{ "-film", "error" },
};

static void
test_queries(void)
{
	struct search *ix = build();
	size_t i;

	for (i = 0; i < ARRAY_LEN(query_cases); i++) {
		T_CASE("query %s", query_cases[i].q);
		T_STR_FREE(run(ix, query_cases[i].q, 1, no_drafts),
		    query_cases[i].want);
	}
	T_CASE_END();
	/* Without the visibility check the draft is found. */
	T_STR_FREE(run(ix, "draft", 1, NULL), "f");
	search_free(ix);
}

static void
test_snippets(void)
{
	struct search *ix = build();
	struct search_result r;

	T_INT(search_query(ix, "fujimoto", 8, 1, no_drafts, NULL, &r), 0);
	T_INT(r.nhits, 2);
	T_STR(r.hits[0].snippet, "«Fujimoto» draws backs.");
	T_STR(r.hits[1].snippet, "We look back at the manga by «Fujimoto».");
	search_result_free(&r);
	T_INT(search_query(ix, "\"look back\"", 11, 1, no_drafts, NULL, &r), 0);
	T_STR(r.hits[0].snippet, "We «look back» at the manga by Fujimoto.");
	search_result_free(&r);
	T_INT(search_query(ix, "ルックバック", strlen("ルックバック"), 1,
		  no_drafts, NULL, &r),
	    0);
	T_STR(r.hits[0].snippet,
	    "藤本タツキの読み切り「«ルックバック»」を読んだ。");
	search_result_free(&r);
	/* A filter alone: the first sentence, no marks. */
	T_INT(search_query(ix, "rating:<4", 9, 1, no_drafts, NULL, &r), 0);
	T_STR(r.hits[0].snippet, "I caught every Pokémon on an old Game Boy.");
	search_result_free(&r);
	search_free(ix);
}

static void
test_updates(void)
{
	struct search *ix = build();
	struct search_doc d;
	struct search_stats st;
	int i;

	memset(&d, 0, sizeof(d));
	d.url = "/posts/e.gmi";
	d.title = "Pokémon Blue";
	d.ymd = "2023-03-03";
	d.text = "Edited: now about a platypus.";
	search_trim(ix);
	search_put(ix, "e.md", &d);
	T_STR_FREE(run(ix, "platypus", 1, NULL), "e");
	T_STR_FREE(run(ix, "caught", 1, NULL), "");
	T_STR_FREE(run(ix, "pokemon", 1, NULL), "e");
	T_INT(search_remove(ix, "e.md"), 1);
	T_INT(search_remove(ix, "e.md"), 0);
	T_STR_FREE(run(ix, "platypus", 1, NULL), "");
	/* Many edits: compaction keeps the results. */
	for (i = 0; i < 300; i++) {
		char text[64];

		snprintf(text, sizeof(text), "revision %d of the platypus", i);
		d.text = text;
		search_put(ix, "e.md", &d);
	}
	T_STR_FREE(run(ix, "platypus", 1, NULL), "e");
	T_STR_FREE(run(ix, "\"revision 299\"", 1, NULL), "e");
	T_STR_FREE(run(ix, "\"revision 298\"", 1, NULL), "");
	T_STR_FREE(run(ix, "look back", 1, NULL), "a b c");
	search_trim(ix);
	T_STR_FREE(run(ix, "\"revision 299\"", 1, NULL), "e");
	T_STR_FREE(run(ix, "look back", 1, NULL), "a b c");
	search_get_stats(ix, &st);
	T_INT(st.docs, 6);
	T_OK(st.postings > 0 && st.terms > 0);
	search_free(ix);
}

/* The corpus text by key, as the site hands it over (snippets). */
static int
corpus_text(void *arg, const char *key, struct buf *out)
{
	size_t i;

	(void)arg;
	for (i = 0; i < ARRAY_LEN(corpus); i++)
		if (strcmp(corpus[i].key, key) == 0) {
			buf_adds(out, corpus[i].text);
			return 0;
		}
	return -1;
}

/*
 * With a text source the index keeps no text: every result page is the
 * same as with the stored copy, after updates and a compaction too.
 */
static void
test_text_source(void)
{
	static const char *const qs[] = { "look%20back", "%22look%20back%22",
		"fujimoto",
		"%E3%83%AB%E3%83%83%E3%82%AF%E3%83%90%E3%83%83"
		"%E3%82%AF",
		"%22%E3%83%AB%E3%83%83%E3%82%AF%E3%83%90%E3%83%83%E3%82%AF"
		"%E3%82%92%E8%AA%AD%E3%82%93%E3%81%A0%22",
		"rating%3A%3C4", "pokemon", "year%3A2024%20-fujimoto" };
	struct search *kept = build(), *src = build();
	struct search_stats a, b;
	struct search_doc d;
	size_t i;
	int k;

	search_set_text_source(src, corpus_text, NULL);
	for (k = 0; k < 2; k++) {
		for (i = 0; i < ARRAY_LEN(qs); i++) {
			struct buf x = BUF_INIT, y = BUF_INIT;

			search_page(kept, qs[i], 1, "/search", no_drafts, NULL,
			    &x);
			search_page(src, qs[i], 1, "/search", no_drafts, NULL,
			    &y);
			T_STR(y.data, x.data);
			T_OK(strstr(x.data, "\n> ") != NULL);
			buf_free(&x);
			buf_free(&y);
		}
		/* Put every document back often enough to compact. */
		for (i = 0; i < 100 * ARRAY_LEN(corpus); i++) {
			size_t j = i % ARRAY_LEN(corpus);

			memset(&d, 0, sizeof(d));
			d.url = corpus[j].url;
			d.title = corpus[j].title;
			d.ymd = corpus[j].ymd;
			d.date = corpus[j].date;
			d.tags = corpus[j].tags;
			d.ntags = corpus[j].ntags;
			d.has_rating = corpus[j].has_rating;
			d.rating = corpus[j].rating;
			d.lang = corpus[j].lang;
			d.text = corpus[j].text;
			d.flags = corpus[j].flags;
			search_put(kept, corpus[j].key, &d);
			search_put(src, corpus[j].key, &d);
		}
	}
	search_get_stats(kept, &a);
	search_get_stats(src, &b);
	T_INT(b.docs, a.docs);
	T_OK(b.store < a.store);
	search_free(kept);
	search_free(src);
}

static void
test_pages(void)
{
	struct search *ix = search_new();
	struct buf out = BUF_INIT;
	char key[32], url[32], title[32];
	int i;

	for (i = 0; i < 45; i++) {
		struct search_doc d;

		memset(&d, 0, sizeof(d));
		snprintf(key, sizeof(key), "p%02d.md", i);
		snprintf(url, sizeof(url), "/posts/p%02d.gmi", i);
		snprintf(title, sizeof(title), "Post %02d", i);
		d.url = url;
		d.title = title;
		d.ymd = "2024-01-01";
		d.date = 1704067200 + i;
		d.text = "Every post talks about C++ and a+b.";
		search_put(ix, key, &d);
	}
	/* '+' stays a plus; %20 is a space. */
	T_INT(search_page(ix, "c%2B%2B%20talks", 1, "/search", NULL, NULL,
		  &out),
	    0);
	T_OK(strncmp(out.data, "# Search: c++ talks\n", 20) == 0);
	T_OK(strstr(out.data, "45 results, page 1 of 3.") != NULL);
	T_OK(strstr(out.data,
		 "=> /posts/p44.gmi 2024-01-01 Post 44\n> "
		 "Every post «talks» about «C»++ and a+b.\n") != NULL);
	T_OK(strstr(out.data,
		 "=> /search/2?c%2B%2B%20talks Next page "
		 "(2 of 3)\n") != NULL);
	T_OK(strstr(out.data, "Previous") == NULL);
	buf_reset(&out);
	search_page(ix, "c%2B%2B%20talks", 3, "/search", NULL, NULL, &out);
	T_OK(strstr(out.data, "/posts/p04.gmi") != NULL);
	T_OK(strstr(out.data, "/posts/p05.gmi") == NULL);
	T_OK(strstr(out.data, "=> /search/2?c%2B%2B%20talks Previous") != NULL);
	T_OK(strstr(out.data, "Next page") == NULL);
	buf_reset(&out);
	search_page(ix, "talks", 2, "/search", NULL, NULL, &out);
	T_OK(strstr(out.data, "=> /search?talks Previous") != NULL);
	buf_reset(&out);
	search_page(ix, "talks", 9, "/search", NULL, NULL, &out);
	T_OK(strstr(out.data, "there is no page 9") != NULL);
	buf_reset(&out);
	T_INT(search_page(ix, "%ff%fe", 1, "/search", NULL, NULL, &out), -1);
	T_OK(strstr(out.data, "not valid") != NULL);
	buf_reset(&out);
	T_INT(search_page(ix, "bad%zz", 1, "/search", NULL, NULL, &out), -1);
	buf_reset(&out);
	/* A newline in the query never breaks a line of the page. */
	search_page(ix, "x%0A%3D%3E%20evil", 1, "/search", NULL, NULL, &out);
	T_OK(strstr(out.data, "\n=> evil") == NULL);
	buf_reset(&out);
	search_page(ix, "%22", 1, "/search", NULL, NULL, &out);
	T_OK(strstr(out.data, "Nothing to search for") != NULL);
	buf_reset(&out);
	search_page(ix, "nothing", 1, "/search", NULL, NULL, &out);
	T_OK(strstr(out.data, "No review matches") != NULL);
	buf_free(&out);
	search_free(ix);
}

/* A doc's rating counts in half stars, as its page shows it. */
static void
test_ratings(void)
{
	static const double r[] = { 4.25, 3.75, 2.9, 0.2, 5 };
	struct search *ix = search_new();
	char key[8], url[32], *got;
	size_t i;

	for (i = 0; i < ARRAY_LEN(r); i++) {
		struct search_doc d;

		memset(&d, 0, sizeof(d));
		snprintf(key, sizeof(key), "%zu", i);
		snprintf(url, sizeof(url), "/posts/%zu.gmi", i);
		d.url = url;
		d.title = "Rated";
		d.date = 1000 - (int64_t)i;
		d.has_rating = 1;
		d.rating = r[i];
		d.text = "A review.";
		search_put(ix, key, &d);
	}
	got = run(ix, "rating:4.5", 1, NULL); /* 4.25 shows ★★★★½ */
	T_STR(got, "0");
	free(got);
	got = run(ix, "rating:4", 1, NULL); /* 3.75 shows ★★★★ */
	T_STR(got, "1");
	free(got);
	got = run(ix, "rating:<3", 1, NULL); /* 2.9 shows ★★★ */
	T_STR(got, "3");
	free(got);
	got = run(ix, "rating:3", 1, NULL);
	T_STR(got, "2");
	free(got);
	got = run(ix, "rating:>=4", 1, NULL);
	T_STR(got, "0 1 4");
	free(got);
	got = run(ix, "rating:0", 1, NULL); /* 0.2: no star at all */
	T_STR(got, "3");
	free(got);
	search_free(ix);
}

/*
 * Phrases are checked exactly from the positions, whatever their words
 * cost: 3,000 posts of 4 KB (12 MB of text, past the 8 MB the text scan
 * once allowed) all holding "the film".
 */
static void
test_phrases(void)
{
	struct search *ix = search_new();
	struct search_result r;
	struct buf text = BUF_INIT;
	char key[16], url[32];
	int i, j;

	for (i = 0; i < 3000; i++) {
		struct search_doc d;

		buf_reset(&text);
		for (j = 0; j < 160; j++)
			buf_adds(&text, "the film and the manga. ");
		if (i % 3 == 0)
			buf_adds(&text, "A quiet film.");
		memset(&d, 0, sizeof(d));
		snprintf(key, sizeof(key), "%d", i);
		snprintf(url, sizeof(url), "/posts/%d.gmi", i);
		d.url = url;
		d.title = i == 7 ? "End of" : "";
		d.date = i;
		d.text = text.data;
		search_put(ix, key, &d);
	}
	T_INT(search_query(ix, "\"the film\"", 10, 1, NULL, NULL, &r), 0);
	T_INT(r.total, 3000);
	T_INT(r.nhits, 20);
	search_result_free(&r);
	T_INT(search_query(ix, "\"quiet film\"", 12, 1, NULL, NULL, &r), 0);
	T_INT(r.total, 1000);
	search_result_free(&r);
	/* Across a sentence, not across words that are apart. */
	T_INT(search_query(ix, "\"manga the film\"", 16, 1, NULL, NULL, &r), 0);
	T_INT(r.total, 3000);
	search_result_free(&r);
	T_INT(search_query(ix, "\"film the\"", 10, 1, NULL, NULL, &r), 0);
	T_INT(r.total, 0);
	search_result_free(&r);
	T_INT(search_query(ix, "\"the film\" -\"quiet film\"", 25, 1, NULL,
		  NULL, &r),
	    0);
	T_INT(r.total, 2000);
	search_result_free(&r);
	/* Title and body are apart: no phrase across them. */
	T_INT(search_query(ix, "\"of the\"", 8, 1, NULL, NULL, &r), 0);
	T_INT(r.total, 0);
	search_result_free(&r);
	T_INT(search_query(ix, "\"end of\"", 8, 1, NULL, NULL, &r), 0);
	T_INT(r.total, 1);
	search_result_free(&r);
	buf_free(&text);
	search_free(ix);
}

/* Terms near each other rank higher, all else equal. */
static void
test_proximity(void)
{
	static const struct {
		const char *key, *text;
		int64_t date;
	} docs[] = {
		{ "n", "alpha beta one two three four five six", 1 },
		{ "f", "alpha one two three four five six beta", 2 },
		{ "m", "one two alpha three beta four five six", 3 },
	};
	struct search *ix = search_new();
	char url[32], *got;
	size_t i;

	for (i = 0; i < ARRAY_LEN(docs); i++) {
		struct search_doc d;

		memset(&d, 0, sizeof(d));
		snprintf(url, sizeof(url), "/posts/%s.gmi", docs[i].key);
		d.url = url;
		d.title = "Same";
		d.date = docs[i].date;
		d.text = docs[i].text;
		search_put(ix, docs[i].key, &d);
	}
	/* Without the bonus, newer first: f m n. */
	got = run(ix, "alpha beta", 1, NULL);
	T_STR(got, "n m f");
	free(got);
	got = run(ix, "beta alpha", 1, NULL);
	T_STR(got, "n m f");
	free(got);
	got = run(ix, "alpha", 1, NULL);
	T_STR(got, "m f n");
	free(got);
	search_free(ix);
}

static void
test_plain(void)
{
	struct buf b = BUF_INIT;

	search_plain("# Title\n\nText line.\n=> gemini://x/ A link label\n"
		     "=> /bare\n* item\n> quote\n```alt\ncode\n```\n",
	    &b);
	T_STR(b.data, "Title\nText line.\nA link label\nitem\nquote\ncode\n");
	buf_free(&b);
}

static const struct {
	const char *md, *want;
} markdown_cases[] = {
	{ "# Title #\n\nText *em* _it_ snake_case.\n",
	    "Title\nText em it snake_case.\n" },
	{ "A [link](http://x/y_z \"t\") and [ref][r].\n\n[r]: http://x\n",
	    "A link and ref.\n" },
	{ "![Alone](/a.png)\n\nSee ![a cat](c.png) here.\n",
	    "Alone\nSee [image: a cat] here.\n" },
	{ "- one\n- [x] two\n3. three\n", "one\ntwo\nthree\n" },
	{ "```go\n[not](a link)\n```\n~~~\nx\n~~~\n", "[not](a link)\nx\n" },
	{ "> quoted\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n",
	    "quoted\n  a   b  \n  1   2  \n" },
	{ "Note[^1], <b>bold</b> &amp; `x*y` <https://auto/> a\\*b\n\n"
	  "[^1]: The note.\n",
	    "Note, bold & x*y  a*b\nThe note.\n" },
	{ "Setext\n===\n\n***\n", "Setext\n" },
	/* Hard-wrapped lines are one paragraph, as the renderer joins them. */
	{ "A paragraph wrapped by an editor at\n"
	  "about the same width on every line\n"
	  "as they all are, ending here.\n",
	    "A paragraph wrapped by an editor at about the same width on "
	    "every line as they all are, ending here.\n" },
	{ "Line one\nLine two\n", "Line one\nLine two\n" },
	{ "[[[(((", "[[[(((\n" },
};

static void
test_markdown(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(markdown_cases); i++) {
		struct buf b = BUF_INIT;

		T_CASE("markdown %zu", i);
		search_markdown(markdown_cases[i].md,
		    strlen(markdown_cases[i].md), &b);
		T_STR(b.data ? b.data : "", markdown_cases[i].want);
		buf_free(&b);
	}
	T_CASE_END();
}

/*
 * A generated corpus for the postings' coding: a few very common words
 * (long lists with skips, tf >= 8 in most documents), many rare ones
 * (short and packed lists), a CJK run now and then.
 */
#define GEN_DOCS 400
#define GEN_KEYS 500

static uint64_t gen_rng;

static uint32_t
gen_rnd(void)
{
	gen_rng = gen_rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(gen_rng >> 33);
}

static const char *const gen_common[] = { "the", "of", "and", "look", "back",
	"manga" };

static char *
gen_text(size_t words)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < words; i++) {
		uint32_t r = gen_rnd() % 100;

		if (i)
			buf_addc(&b, ' ');
		if (r < 35) /* a list long enough to keep an exact df */
			buf_adds(&b, "the");
		else if (r < 55)
			buf_adds(&b, gen_common[gen_rnd() % 6]);
		else if (r < 58)
			buf_adds(&b, "藤本タツキ");
		else
			buf_printf(&b, "w%u", gen_rnd() % 3000);
	}
	return buf_detach(&b, NULL);
}

struct gen_doc {
	char *text, *title;
	char key[16], url[32], ymd[11];
	int has;
};

static void
gen_put(struct search *ix, struct gen_doc *g, size_t i)
{
	struct search_doc d;

	memset(&d, 0, sizeof(d));
	d.url = g->url;
	d.title = g->title;
	d.ymd = g->ymd;
	d.date = (int64_t)i * 3600; /* unique: no tie comes down to slots */
	d.text = g->text;
	d.lang = i % 3 ? "en" : "ja";
	d.has_rating = 1;
	d.rating = (double)(i % 5 + 1);
	search_put(ix, g->key, &d);
}

static size_t
gen_fresh_count(const struct gen_doc *docs, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += (size_t)docs[i].has;
	return c;
}

static void
gen_new(struct gen_doc *g, size_t i)
{
	free(g->text);
	free(g->title);
	g->text = gen_text(gen_rnd() % 4 ? 20 + gen_rnd() % 900 : 1);
	g->title = gen_text(1 + gen_rnd() % 4);
	snprintf(g->key, sizeof(g->key), "k%zu.md", i);
	snprintf(g->url, sizeof(g->url), "/posts/k%zu/", i);
	snprintf(g->ymd, sizeof(g->ymd), "%04zu-01-01", 2000 + i % 25);
	g->has = 1;
}

static const char *const gen_queries[] = { "the", "look back", "w17", "the w5",
	"\"look back\"", "\"back the manga\"", "\"the of and\"", "-the w1",
	"manga -\"look back\"", "藤本", "タツキ", "\"本タ\"", "w1 w2 w3",
	"rating:>=4 the", "year:2010", "lang:ja back", "\"the the\"",
	"of -look", "w2999 the", "and back manga of" };

/* Every page of every query, as one text. */
static char *
gen_pages(struct search *ix)
{
	struct buf all = BUF_INIT;
	size_t i, page, k;

	for (i = 0; i < ARRAY_LEN(gen_queries); i++)
		for (page = 1; page <= 3; page++) {
			struct search_result r;

			buf_printf(&all, "## %s %zu\n", gen_queries[i], page);
			if (search_query(ix, gen_queries[i],
				strlen(gen_queries[i]), page, NULL, NULL,
				&r) == -1) {
				buf_printf(&all, "error %s\n", r.error);
				continue;
			}
			buf_printf(&all, "total %zu\n", r.total);
			for (k = 0; k < r.nhits; k++)
				buf_printf(&all, "%s %s\n", r.hits[k].url,
				    r.hits[k].snippet ? r.hits[k].snippet :
							"-");
			search_result_free(&r);
		}
	return buf_detach(&all, NULL);
}

/* " term@pos " is in the tokens of a document (tok_cb's, in spaces). */
static int
gen_at(const char *toks, const char *w, uint32_t pos)
{
	char pat[64];

	snprintf(pat, sizeof(pat), " %s@%u ", w, pos);
	return strstr(toks, pat) != NULL;
}

/*
 * Documents holding the phrase w[0..n) (n == 1: the word), or with
 * and != 0 every word anywhere, counted from their text.
 */
static size_t
gen_count(const struct gen_doc *docs, size_t ndocs, const char *const *w,
    size_t n, int and)
{
	size_t i, j, count = 0;

	for (i = 0; i < ndocs; i++) {
		struct buf b = BUF_INIT, toks = BUF_INIT;
		char pat[64];
		const char *at;
		uint32_t tn;
		int found = and;

		if (!docs[i].has)
			continue;
		tn = search_tokenize(docs[i].title, strlen(docs[i].title), 0,
		    tok_cb, &b);
		search_tokenize(docs[i].text, strlen(docs[i].text), tn + 2,
		    tok_cb, &b);
		buf_printf(&toks, " %s ", b.data ? b.data : "");
		for (j = 0; and&&j < n; j++) {
			snprintf(pat, sizeof(pat), " %s@", w[j]);
			found &= strstr(toks.data, pat) != NULL;
		}
		snprintf(pat, sizeof(pat), " %s@", w[0]);
		for (at = toks.data; !and&&!found && (at = strstr(at, pat));
		     at++) {
			uint32_t p0 =
			    (uint32_t)strtoul(at + strlen(pat), NULL, 10);

			for (j = 1; j < n && gen_at(toks.data, w[j], p0 + j);
			     j++)
				;
			found = j == n;
		}
		count += (size_t)found;
		buf_free(&b);
		buf_free(&toks);
	}
	return count;
}

static size_t
gen_total(struct search *ix, const char *q)
{
	struct search_result r;
	size_t n;

	if (search_query(ix, q, strlen(q), 1, NULL, NULL, &r) == -1)
		return SIZE_MAX;
	n = r.total;
	search_result_free(&r);
	return n;
}

/*
 * The postings' codes read back: every word and phrase is found in
 * exactly the documents whose text holds it, with long lists (skips,
 * long entries), short ones and packed ones, before and after a trim.
 */
static void
test_postings(void)
{
	static const struct {
		const char *q, *w[3];
		size_t n;
		int and;
	} cases[] = {
		{ "\"look back\"", { "look", "back" }, 2, 0 },
		{ "\"back the manga\"", { "back", "the", "manga" }, 3, 0 },
		{ "\"the the\"", { "the", "the" }, 2, 0 },
		{ "w17", { "w17" }, 1, 0 },
		{ "the w5", { "the", "w5" }, 2, 1 },
		{ "manga", { "manga" }, 1, 0 },
	};
	struct gen_doc *docs = calloc(GEN_DOCS, sizeof(*docs));
	struct search *ix = search_new();
	struct search_stats st;
	size_t i;
	int k;

	gen_rng = 1;
	for (i = 0; i < GEN_DOCS; i++) {
		gen_new(&docs[i], i);
		gen_put(ix, &docs[i], i);
	}
	for (k = 0; k < 3; k++) {
		for (i = 0; i < ARRAY_LEN(cases); i++) {
			T_CASE("postings %s", cases[i].q);
			T_INT(gen_total(ix, cases[i].q),
			    gen_count(docs, GEN_DOCS, cases[i].w, cases[i].n,
				cases[i].and));
		}
		T_CASE_END();
		T_OK(gen_total(ix, "\"look back\"") > 20);
		if (k == 0)
			search_pack(ix); /* long lists keep their room */
		else
			search_trim(ix);
	}
	search_get_stats(ix, &st);
	T_INT(st.docs, GEN_DOCS);
	T_OK(st.skips > 0);		     /* long lists have skips */
	T_OK(st.pos_bits > st.doc_bits / 2); /* positions are kept */
	search_free(ix);
	for (i = 0; i < GEN_DOCS; i++) {
		free(docs[i].text);
		free(docs[i].title);
	}
	free(docs);
}

/* A fresh index of the documents that docs has. */
static struct search *
gen_fresh(struct gen_doc *docs, size_t n)
{
	struct search *ix = search_new();
	size_t i;

	for (i = 0; i < n; i++)
		if (docs[i].has)
			gen_put(ix, &docs[i], i);
	return ix;
}

/*
 * Random edits, removals and trims (and the compactions they cause):
 * every result page is the one of a fresh index of the same documents.
 */
static void
test_differential(void)
{
	struct gen_doc *docs = calloc(GEN_KEYS, sizeof(*docs));
	struct search *ix = search_new(), *fresh;
	struct search_stats st;
	char *a, *b;
	size_t i, op;

	gen_rng = 7;
	for (i = 0; i < GEN_DOCS; i++) {
		gen_new(&docs[i], i);
		gen_put(ix, &docs[i], i);
	}
	for (op = 1; op <= 900; op++) {
		uint32_t r = gen_rnd() % 100;

		i = gen_rnd() % GEN_KEYS;
		if (r < 70) {
			gen_new(&docs[i], i);
			gen_put(ix, &docs[i], i);
		} else if (r < 95) {
			T_INT(search_remove(ix,
				  docs[i].key[0] ? docs[i].key : "none"),
			    docs[i].has);
			docs[i].has = 0;
		} else if (r < 97)
			search_pack(ix); /* as a server after its build */
		else
			search_trim(ix);
		if (op % 300 == 0 || op == 5) {
			T_CASE("differential after %zu operations", op);
			fresh = gen_fresh(docs, GEN_KEYS);
			a = gen_pages(ix);
			b = gen_pages(fresh);
			T_STR(a, b);
			search_get_stats(ix, &st);
			T_INT(st.docs, gen_fresh_count(docs, GEN_KEYS));
			free(a);
			free(b);
			search_free(fresh);
		}
	}
	T_CASE_END();
	search_free(ix);
	for (i = 0; i < GEN_KEYS; i++) {
		free(docs[i].text);
		free(docs[i].title);
	}
	free(docs);
}

/* A visibility check that counts its calls and hides every document. */
static int nvisible;

static int
hide_all(void *arg, const char *url, unsigned flags)
{
	(void)arg;
	(void)url;
	(void)flags;
	nvisible++;
	return 0;
}

/*
 * Room reserved before a build, and past it; a document flagged
 * SEARCH_PLAIN is listed without its visibility asked, until its flags
 * change (search_set_flags).
 */
static void
test_reserve_plain(void)
{
	struct search *ix = search_new();
	struct search_result r;
	char key[16], url[32];
	int i;

	search_reserve(ix, 100);
	for (i = 0; i < 150; i++) {
		struct search_doc d;

		memset(&d, 0, sizeof(d));
		snprintf(key, sizeof(key), "k%d", i);
		snprintf(url, sizeof(url), "/posts/%d/", i);
		d.url = url;
		d.title = "Okapi";
		d.date = i;
		d.text = "An okapi grazes.";
		d.flags = i % 3 == 0 ? SEARCH_PLAIN : 0;
		search_put(ix, key, &d);
	}
	search_reserve(ix, 10); /* fewer than there are: nothing */
	nvisible = 0;
	T_INT(search_query(ix, "okapi", 5, 1, hide_all, NULL, &r), 0);
	T_INT(r.total, 50);
	T_INT(nvisible, 100);
	T_STR(r.nhits > 0 ? r.hits[0].url : "", "/posts/147/");
	search_result_free(&r);
	search_set_flags(ix, "k147", 0);
	search_set_flags(ix, "k1", SEARCH_PLAIN);
	search_set_flags(ix, "nothing", SEARCH_PLAIN);
	nvisible = 0;
	T_INT(search_query(ix, "okapi", 5, 1, hide_all, NULL, &r), 0);
	T_INT(r.total, 50);
	T_INT(nvisible, 100);
	T_STR(r.nhits > 0 ? r.hits[0].url : "", "/posts/144/");
	search_result_free(&r);
	T_INT(search_query(ix, "okapi", 5, 1, NULL, NULL, &r), 0);
	T_INT(r.total, 150);
	search_result_free(&r);
	search_free(ix);
}

int
main(void)
{
	test_tokenizer();
	test_parser();
	test_queries();
	test_snippets();
	test_updates();
	test_text_source();
	test_pages();
	test_ratings();
	test_phrases();
	test_proximity();
	test_plain();
	test_markdown();
	test_postings();
	test_differential();
	test_reserve_plain();
	return t_done();
}
