/*
 * test_pages: exact text of the generated pages, and every post line of
 * a feed page checked against Lagrange's subscription pattern.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pages.h"
#include "t.h"

static const char *const tags_a[] = { "anime", "review" };
static const char *const tags_b[] = { "Books" };
static const char *const tags_c[] = { "anime", "c/c++", "anime" };

static const struct page_post posts[] = {
	{ "look-back", "Look Back: a reminder of why we draw", "2025-01-19",
	    1737244800, 0, "A short film.", tags_a, 2, 1, 1, 4.5, 850, NULL,
	    NULL, 0, NULL, NULL, 0 },
	{ "1984", "1984 by Orwell", "2024-11-02", 1730505600, 0, NULL, tags_b,
	    1, 0, 0, 0, 100, NULL, NULL, 0, NULL, NULL, 0 },
	{ "été à", "Title\nwith\tcontrols ", "2024-06-01", 1717200000, 0, NULL,
	    tags_c, 3, 0, 0, 0, 0, NULL, NULL, 0, NULL, NULL, 0 },
};

static const struct page_site site = { "My Capsule", NULL, NULL,
	"gemini://example.org", NULL, 0, 0, NULL, 0, NULL, NULL, 0, 0, 0, 0,
	NULL, NULL };

static const struct page_site site_full = { "My Capsule", "Reviews of things",
	"Hello.\n\n=> gemini://x.org/ X\n\n", "gemini://example.org", "Ann", 0,
	0, NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL };

/* Lagrange's ^=>\s*(\S+)\s+([0-9]{4}-[01][0-9]-[0-3][0-9])([^0-9].*) */
static int
lagrange_match(const char *line)
{
	const char *p = line, *q;
	int i;

	if (strncmp(p, "=>", 2) != 0)
		return 0;
	p += 2;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == ' ' || *p == '\t')
		return 0;
	while (*p != '\0' && *p != ' ' && *p != '\t')
		p++;
	if (*p != ' ' && *p != '\t')
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	/* \S+ could stop earlier, but a URL never holds a date after a space. */
	q = p;
	for (i = 0; i < 4; i++)
		if (q[i] < '0' || q[i] > '9')
			return 0;
	if (q[4] != '-' || (q[5] != '0' && q[5] != '1') || q[6] < '0' ||
	    q[6] > '9' || q[7] != '-' || q[8] < '0' || q[8] > '3' ||
	    q[9] < '0' || q[9] > '9')
		return 0;
	q += 10;
	if (*q == '\0' || *q == '\n' || (*q >= '0' && *q <= '9'))
		return 0;
	/* Lagrange trims the title: it must not be empty or start with a digit. */
	while (*q == ' ' || *q == '-')
		q++;
	return *q != '\0' && *q != '\n';
}

/* The label of a link line: what follows the URL. */
static const char *
link_label(const char *line)
{
	const char *p = line + 2;

	while (*p == ' ' || *p == '\t')
		p++;
	while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * Every link line whose label starts with a digit must be a valid feed
 * line; returns how many there are.
 */
static int
check_feed_lines(const char *page, const char *file, int line)
{
	const char *s = page;
	int n = 0;

	while (*s != '\0') {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		char *l = strndup(s, len);

		if (strncmp(l, "=>", 2) == 0) {
			const char *lab = link_label(l);

			if (*lab >= '0' && *lab <= '9') {
				n++;
				if (!lagrange_match(l)) {
					t_fail++;
					fprintf(stderr,
					    "%s:%d: not a feed line:"
					    " %s\n",
					    file, line, l);
				} else
					t_pass++;
			}
		}
		free(l);
		s += len;
		if (*s == '\n')
			s++;
	}
	return n;
}

static void
test_matcher(void)
{
	T_OK(lagrange_match("=> /a.gmi 2025-01-19 Title"));
	T_OK(lagrange_match("=>/a.gmi\t2025-01-19 - 1984"));
	T_OK(!lagrange_match("=> /a.gmi 2025-01-19"));
	T_OK(!lagrange_match("=> /a.gmi 2025-01-191984"));
	T_OK(!lagrange_match("=> /a.gmi 2025-21-19 x"));
	T_OK(!lagrange_match("=> /a.gmi ★ 2025-01-19 x"));
}

static void
test_index(void)
{
	struct buf b = BUF_INIT;
	struct page_post plain[2];

	/* No featured post: no section headings. */
	plain[0] = posts[1];
	plain[1] = posts[2];
	pages_index(&site, plain, 2, &b);
	T_STR(b.data,
	    "# My Capsule\n"
	    "\n"
	    "=> /posts/1984/ 2024-11-02 - 1984 by Orwell\n"
	    "=> /posts/%C3%A9t%C3%A9%20%C3%A0/ 2024-06-01 Title with controls\n"
	    "\n"
	    "=> /archive/ All 2 pages\n"
	    "=> /tags/ Tags\n"
	    "=> /atom.xml Atom feed\n");
	T_INT(check_feed_lines(b.data, __FILE__, __LINE__), 2);
	buf_reset(&b);

	pages_index(&site_full, posts, ARRAY_LEN(posts), &b);
	T_STR(b.data,
	    "# My Capsule\n"
	    "## Reviews of things\n"
	    "\n"
	    "Hello.\n"
	    "\n"
	    "=> gemini://x.org/ X\n"
	    "\n"
	    "## Featured\n"
	    "=> /posts/look-back/ ★ Look Back: a reminder of why we draw\n"
	    "\n"
	    "## Posts\n"
	    "=> /posts/look-back/ 2025-01-19 Look Back: a reminder of why we draw\n"
	    "=> /posts/1984/ 2024-11-02 - 1984 by Orwell\n"
	    "=> /posts/%C3%A9t%C3%A9%20%C3%A0/ 2024-06-01 Title with controls\n"
	    "\n"
	    "=> /archive/ All 3 pages\n"
	    "=> /tags/ Tags\n"
	    "=> /atom.xml Atom feed\n");
	T_INT(check_feed_lines(b.data, __FILE__, __LINE__), 3);
	buf_reset(&b);

	/* Empty capsule; appending keeps what the buffer held. */
	buf_adds(&b, "X");
	pages_index(&site, NULL, 0, &b);
	T_STR(b.data,
	    "X# My Capsule\n"
	    "\n"
	    "=> /tags/ Tags\n"
	    "=> /atom.xml Atom feed\n");
	buf_free(&b);
}

static void
test_index_odd_titles(void)
{
	static const struct page_post odd[] = {
		{ "a", "", "2025-01-01", 0, 0, NULL, NULL, 0, 1, 0, 0, 0, NULL,
		    NULL, 0, NULL, NULL, 0 },
		{ "2024-12-31-recap", "2024-12-31 recap", "2025-01-02", 0, 0,
		    NULL, NULL, 0, 1, 0, 0, 0, NULL, NULL, 0, NULL, NULL, 0 },
		{ "nodate", "2020-01-01 x", NULL, 0, 0, NULL, NULL, 0, 0, 0, 0,
		    0, NULL, NULL, 0, NULL, NULL, 0 },
		{ "9", "9", "2025-01-03", 0, 0, NULL, NULL, 0, 0, 0, 0, 0, NULL,
		    NULL, 0, NULL, NULL, 0 },
	};
	struct buf b = BUF_INIT;

	pages_index(&site, odd, ARRAY_LEN(odd), &b);
	T_STR(b.data,
	    "# My Capsule\n"
	    "\n"
	    "## Featured\n"
	    "=> /posts/a/ ★ a\n"
	    "=> /posts/2024-12-31-recap/ ★ 2024-12-31 recap\n"
	    "\n"
	    "## Posts\n"
	    "=> /posts/a/ 2025-01-01 a\n"
	    "=> /posts/2024-12-31-recap/ 2025-01-02 - 2024-12-31 recap\n"
	    "=> /posts/9/ 2025-01-03 - 9\n"
	    "\n"
	    "## Undated\n"
	    "=> /posts/nodate/ · 2020-01-01 x\n"
	    "\n"
	    "=> /archive/ All 4 pages\n"
	    "=> /tags/ Tags\n"
	    "=> /atom.xml Atom feed\n");
	T_INT(check_feed_lines(b.data, __FILE__, __LINE__), 3);
	buf_free(&b);
}

static void
test_tags(void)
{
	static const char *const dated[] = { "2024-01-01", "zeta", "Apple" };
	static const struct page_post more[] = {
		{ "x", "X", "2025-01-01", 0, 0, NULL, dated, 3, 0, 0, 0, 0,
		    NULL, NULL, 0, NULL, NULL, 0 },
	};
	struct buf b = BUF_INIT;

	pages_tags(&site, posts, ARRAY_LEN(posts), &b);
	T_STR(b.data,
	    "# Tags\n"
	    "\n"
	    "=> /tags/anime/ anime (2)\n"
	    "=> /tags/Books/ Books (1)\n"
	    "=> /tags/c%2Fc%2B%2B/ c/c++ (1)\n"
	    "=> /tags/review/ review (1)\n"
	    "\n"
	    "=> / Index\n");
	buf_reset(&b);

	pages_tags(&site, more, 1, &b);
	T_STR(b.data,
	    "# Tags\n"
	    "\n"
	    "=> /tags/2024-01-01/ Tag 2024-01-01 (1)\n"
	    "=> /tags/Apple/ Apple (1)\n"
	    "=> /tags/zeta/ zeta (1)\n"
	    "\n"
	    "=> / Index\n");
	T_INT(check_feed_lines(b.data, __FILE__, __LINE__), 0);
	buf_reset(&b);

	pages_tags(&site, NULL, 0, &b);
	T_STR(b.data, "# Tags\n\n=> / Index\n");
	buf_free(&b);
}

static void
test_tag(void)
{
	struct buf b = BUF_INIT;

	pages_tag(&site, "anime", posts, ARRAY_LEN(posts), &b);
	T_STR(b.data,
	    "# Posts tagged “anime”\n"
	    "\n"
	    "=> /posts/look-back/ 2025-01-19 Look Back: a reminder of why we draw\n"
	    "=> /posts/%C3%A9t%C3%A9%20%C3%A0/ 2024-06-01 Title with controls\n"
	    "\n"
	    "=> /tags/anime/atom.xml Atom feed for anime\n"
	    "=> /tags/ All tags\n"
	    "=> / Index\n");
	T_INT(check_feed_lines(b.data, __FILE__, __LINE__), 2);
	buf_reset(&b);

	pages_tag(&site, "c/c++", posts, ARRAY_LEN(posts), &b);
	T_STR(b.data,
	    "# Posts tagged “c/c++”\n"
	    "\n"
	    "=> /posts/%C3%A9t%C3%A9%20%C3%A0/ 2024-06-01 Title with controls\n"
	    "\n"
	    "=> /tags/c%2Fc%2B%2B/atom.xml Atom feed for c/c++\n"
	    "=> /tags/ All tags\n"
	    "=> / Index\n");
	buf_reset(&b);

	pages_tag(&site, "none", posts, ARRAY_LEN(posts), &b);
	T_STR(b.data,
	    "# Posts tagged “none”\n"
	    "\n"
	    "=> /tags/none/atom.xml Atom feed for none\n"
	    "=> /tags/ All tags\n"
	    "=> / Index\n");
	buf_free(&b);
}

static void
test_post(void)
{
	struct buf b = BUF_INIT;

	pages_post(&site, &posts[0],
	    "\n\n# Look Back: a reminder of why we draw\n\nBody line.\n\n"
	    "=> https://x.org/ x\n\n\n",
	    &posts[1], NULL, &b);
	T_STR(b.data,
	    "# Look Back: a reminder of why we draw\n"
	    "2025-01-19 · 5 min read · ★★★★½\n"
	    "A short film.\n"
	    "\n"
	    "Body line.\n"
	    "\n"
	    "=> https://x.org/ x\n"
	    "\n"
	    "=> /tags/anime/ Tag: anime\n"
	    "=> /tags/review/ Tag: review\n"
	    "=> /posts/1984/ Older: 1984 by Orwell\n"
	    "=> / Index\n");
	T_INT(check_feed_lines(b.data, __FILE__, __LINE__), 0);
	buf_reset(&b);

	/* No rating, description, tags; both neighbours; no body. */
	{
		struct page_post p = posts[1];

		p.ntags = 0;
		p.description = "=> not a link\nsecond line";
		pages_post(&site, &p, NULL, &posts[2], &posts[0], &b);
		T_STR(b.data,
		    "# 1984 by Orwell\n"
		    "2024-11-02 · 1 min read\n"
		    "\xe2\x80\x8b=> not a link second line\n"
		    "\n"
		    "=> /posts/%C3%A9t%C3%A9%20%C3%A0/ Older: Title with controls\n"
		    "=> /posts/look-back/ Newer: Look Back: a reminder of why we draw\n"
		    "=> / Index\n");
		buf_reset(&b);

		/* The heading is kept when it differs from the title. */
		p.description = NULL;
		p.words = 201;
		p.has_rating = 1;
		p.rating = 3.2;
		pages_post(&site, &p, "# Another heading\nText.", NULL, NULL,
		    &b);
		T_STR(b.data,
		    "# 1984 by Orwell\n"
		    "2024-11-02 · 2 min read · ★★★☆☆\n"
		    "\n"
		    "# Another heading\n"
		    "Text.\n"
		    "\n"
		    "=> / Index\n");
		buf_reset(&b);

		/* The body given in the struct is used when none is passed. */
		p.body_gmi = "   \nFrom the struct.\n  \n";
		p.ymd = NULL;
		p.has_rating = 0;
		pages_post(&site, &p, NULL, NULL, NULL, &b);
		T_STR(b.data,
		    "# 1984 by Orwell\n"
		    "2 min read\n"
		    "\n"
		    "From the struct.\n"
		    "\n"
		    "=> / Index\n");
	}
	buf_free(&b);
}

static void
test_stars(void)
{
	static const struct {
		double rating;
		const char *want;
	} tests[] = {
		{ 0, "☆☆☆☆☆" },
		{ -1, "☆☆☆☆☆" },
		{ 0.2, "☆☆☆☆☆" },
		{ 0.5, "½☆☆☆☆" },
		{ 2.49, "★★½☆☆" },
		{ 3.5, "★★★½☆" },
		{ 4.5, "★★★★½" },
		{ 4.3, "★★★★½" },
		{ 4.2, "★★★★☆" },
		{ 0.25, "½☆☆☆☆" },
		{ 4, "★★★★☆" },
		{ 5, "★★★★★" },
		{ 7, "★★★★★" },
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < ARRAY_LEN(tests); i++) {
		buf_reset(&b);
		pages_stars(tests[i].rating, &b);
		T_STR(b.data, tests[i].want);
	}
	buf_reset(&b);
	pages_stars(NAN, &b);
	T_STR(b.data, "☆☆☆☆☆");
	buf_free(&b);
}

static void
test_tag_path(void)
{
	static const struct {
		const char *tag, *want;
	} tests[] = {
		{ "anime", "anime" },
		{ "c/c++", "c%2Fc%2B%2B" },
		{ "sci fi", "sci%20fi" },
		{ "été", "%C3%A9t%C3%A9" },
		{ "a-b_c.d~e", "a-b_c.d~e" },
		{ "", "" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(tests); i++) {
		char *p = pages_tag_path(tests[i].tag);

		T_STR(p, tests[i].want);
		free(p);
	}
}

static void
test_index_limit(void)
{
	struct page_site limited = site;
	struct page_post plain[2];
	struct buf b = BUF_INIT;

	/* Past the limit the index links the archive instead. */
	plain[0] = posts[1];
	plain[1] = posts[2];
	limited.index_limit = 1;
	pages_index(&limited, plain, 2, &b);
	T_STR(b.data,
	    "# My Capsule\n"
	    "\n"
	    "=> /posts/1984/ 2024-11-02 - 1984 by Orwell\n"
	    "\n"
	    "=> /archive/ All 2 pages\n"
	    "=> /tags/ Tags\n"
	    "=> /atom.xml Atom feed\n");
	buf_reset(&b);
	pages_archive(&limited, plain, 2, &b);
	T_STR(b.data,
	    "# All posts · My Capsule\n"
	    "\n"
	    "=> /posts/1984/ 2024-11-02 - 1984 by Orwell\n"
	    "=> /posts/%C3%A9t%C3%A9%20%C3%A0/ 2024-06-01 Title with controls\n"
	    "\n"
	    "=> / Index\n"
	    "=> /tags/ Tags\n");
	T_INT(check_feed_lines(b.data, __FILE__, __LINE__), 2);
	buf_free(&b);
}

/* With search on, every list links to /search; without, none does. */
static void
test_search_links(void)
{
	struct page_site on = site;
	struct buf b = BUF_INIT;

	on.search = 1;
	pages_index(&on, posts, ARRAY_LEN(posts), &b);
	T_OK(strstr(b.data, "\n=> /search Search\n") != NULL);
	buf_reset(&b);
	pages_archive(&on, posts, ARRAY_LEN(posts), &b);
	T_OK(strstr(b.data, "\n=> /search Search\n") != NULL);
	buf_reset(&b);
	pages_tags(&on, posts, ARRAY_LEN(posts), &b);
	T_OK(strstr(b.data, "\n=> /search Search\n") != NULL);
	buf_reset(&b);
	pages_tag(&on, "anime", posts, ARRAY_LEN(posts), &b);
	T_OK(strstr(b.data, "\n=> /search Search\n") != NULL);
	buf_reset(&b);
	pages_index(&site, posts, ARRAY_LEN(posts), &b);
	T_OK(strstr(b.data, "/search") == NULL);
	buf_free(&b);
}

int
main(void)
{
	test_search_links();
	test_matcher();
	test_index_limit();
	test_index();
	test_index_odd_titles();
	test_tags();
	test_tag();
	test_post();
	test_stars();
	test_tag_path();
	return t_done();
}
