/*
 * test_feed: exact Atom text, escaping, dates against gmtime_r, tag
 * filtering, summaries, and (when xmllint is installed) well-formedness
 * of a feed built from hostile input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "feed.h"
#include "pages.h"
#include "t.h"

static const char *const tags_a[] = { "anime", "a&b" };
static const char *const tags_b[] = { "books" };

static const struct page_post posts[] = {
	{ "look-back", "Look Back <film> & \"more\"", "2025-01-19", 1737244800,
	    1737290096, "A short film.", tags_a, 2, 1, 1, 4.5, 850, NULL, NULL,
	    0, NULL, NULL, 0 },
	{ "été", "Été", "2024-11-02", 1730505600, 0, NULL, tags_b, 1, 0, 0, 0,
	    100,
	    "# Heading\n=> gemini://x/ link\n```\ncode\n```\n"
	    "First line.\n\n* item\n> \xe2\x80\x8bquoted\n",
	    NULL, 0, NULL, NULL, 0 },
};

static const struct page_site site = { "My Capsule", NULL, NULL,
	"gemini://example.org", "Ann", 0, 0, NULL, 0, NULL, NULL, 0, 0, 0, 0,
	NULL, NULL };

static void
test_escape(void)
{
	static const struct {
		const char *in, *want;
	} tests[] = {
		{ "plain", "plain" },
		{ "a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&apos;f" },
		{ "\x01x\ty\nz\r\x1f", "x\ty\nz" },
		{ "été ★", "été ★" },
		{ "a\xff"
		  "b",
		    "a\xef\xbf\xbd"
		    "b" },
		{ "\xef\xbf\xbe\xef\xbf\xbf", "" },
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "x\xe2\x82", "x\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xf4\x90\x80\x80",
		    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		    "\xef\xbf\xbd" },
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
		{ "", "" },
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < ARRAY_LEN(tests); i++) {
		buf_reset(&b);
		feed_xml_escape(tests[i].in, &b);
		T_STR(b.data, tests[i].want);
	}
	buf_free(&b);
}

static void
test_one_post(void)
{
	struct buf b = BUF_INIT;

	feed_atom(&site, posts, 1, "/atom.xml", NULL, &b);
	T_STR(b.data,
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
	    "  <title>My Capsule</title>\n"
	    "  <id>gemini://example.org/</id>\n"
	    "  <updated>2025-01-19T12:34:56Z</updated>\n"
	    "  <link href=\"gemini://example.org/\" rel=\"alternate\"/>\n"
	    "  <link href=\"gemini://example.org/atom.xml\" rel=\"self\"/>\n"
	    "  <author>\n"
	    "    <name>Ann</name>\n"
	    "  </author>\n"
	    "  <entry>\n"
	    "    <id>gemini://example.org/posts/look-back/</id>\n"
	    "    <title>Look Back &lt;film&gt; &amp; &quot;more&quot;</title>\n"
	    "    <updated>2025-01-19T12:34:56Z</updated>\n"
	    "    <published>2025-01-19T00:00:00Z</published>\n"
	    "    <link href=\"gemini://example.org/posts/look-back/\""
	    " rel=\"alternate\"/>\n"
	    "    <summary>A short film.</summary>\n"
	    "    <category term=\"anime\"/>\n"
	    "    <category term=\"a&amp;b\"/>\n"
	    "  </entry>\n"
	    "</feed>\n");
	buf_free(&b);
}

static void
test_empty_and_tag(void)
{
	struct buf b = BUF_INIT;
	struct page_site s = site;

	/* No posts, no author: the epoch, and the title as author. */
	s.author = NULL;
	s.subtitle = "Sub & title";
	feed_atom(&s, NULL, 0, "/atom.xml", NULL, &b);
	T_STR(b.data,
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
	    "  <title>My Capsule</title>\n"
	    "  <subtitle>Sub &amp; title</subtitle>\n"
	    "  <id>gemini://example.org/</id>\n"
	    "  <updated>1970-01-01T00:00:00Z</updated>\n"
	    "  <link href=\"gemini://example.org/\" rel=\"alternate\"/>\n"
	    "  <link href=\"gemini://example.org/atom.xml\" rel=\"self\"/>\n"
	    "  <author>\n"
	    "    <name>My Capsule</name>\n"
	    "  </author>\n"
	    "</feed>\n");
	buf_reset(&b);

	/* A tag feed keeps only that tag's posts; its id is the tag page. */
	feed_atom(&site, posts, ARRAY_LEN(posts), "/tags/books/atom.xml",
	    "books", &b);
	T_STR(b.data,
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
	    "  <title>My Capsule — books</title>\n"
	    "  <id>gemini://example.org/tags/books/</id>\n"
	    "  <updated>2024-11-02T00:00:00Z</updated>\n"
	    "  <link href=\"gemini://example.org/tags/books/\""
	    " rel=\"alternate\"/>\n"
	    "  <link href=\"gemini://example.org/tags/books/atom.xml\""
	    " rel=\"self\"/>\n"
	    "  <author>\n"
	    "    <name>Ann</name>\n"
	    "  </author>\n"
	    "  <entry>\n"
	    "    <id>gemini://example.org/posts/%C3%A9t%C3%A9/</id>\n"
	    "    <title>Été</title>\n"
	    "    <updated>2024-11-02T00:00:00Z</updated>\n"
	    "    <published>2024-11-02T00:00:00Z</published>\n"
	    "    <link href=\"gemini://example.org/posts/%C3%A9t%C3%A9/\""
	    " rel=\"alternate\"/>\n"
	    "    <summary>First line. item quoted</summary>\n"
	    "    <category term=\"books\"/>\n"
	    "  </entry>\n"
	    "</feed>\n");
	buf_reset(&b);

	feed_atom(&site, posts, ARRAY_LEN(posts), "/tags/a%26b/atom.xml", "a&b",
	    &b);
	T_OK(strstr(b.data, "<title>My Capsule — a&amp;b</title>") != NULL);
	T_OK(strstr(b.data, "<id>gemini://example.org/tags/a%26b/</id>") !=
	    NULL);
	T_OK(strstr(b.data, "look-back/</id>") != NULL);
	T_OK(strstr(b.data, "%C3%A9t%C3%A9") == NULL);
	buf_reset(&b);

	/* Both posts, newest updated first. */
	feed_atom(&site, posts, ARRAY_LEN(posts), "/atom.xml", NULL, &b);
	T_OK(strstr(b.data, "look-back/</id>") <
	    strstr(b.data, "%C3%A9t%C3%A9/</id>"));
	T_OK(strstr(b.data,
		 "<updated>2025-01-19T12:34:56Z</updated>\n"
		 "  <link") != NULL);
	buf_free(&b);
}

/* The text of the first <TAG> element of feed_atom's output for p. */
static char *
element(const struct page_post *p, const char *tag)
{
	struct buf b = BUF_INIT;
	char open[32], close[32], *s, *e, *r = NULL;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	feed_atom(&site, p, 1, "/atom.xml", NULL, &b);
	if ((s = strstr(b.data, "<entry>")) != NULL &&
	    (s = strstr(s, open)) != NULL) {
		s += strlen(open);
		if ((e = strstr(s, close)) != NULL)
			r = strndup(s, (size_t)(e - s));
	}
	buf_free(&b);
	return r;
}

static void
test_dates(void)
{
	static const struct {
		int64_t t;
		const char *want;
	} tests[] = {
		{ 0, "1970-01-01T00:00:00Z" },
		{ -1, "1969-12-31T23:59:59Z" },
		{ 951782400, "2000-02-29T00:00:00Z" },
		{ 951868799, "2000-02-29T23:59:59Z" },
		{ 4102444800, "2100-01-01T00:00:00Z" },
		{ INT64_MAX, "9999-12-31T23:59:59Z" },
		{ INT64_MIN, "0000-01-01T00:00:00Z" },
	};
	struct page_post p = posts[0];
	struct tm tm;
	char want[32], *got;
	size_t i;
	int64_t t;
	time_t tt;
	int bad = 0;

	p.updated = 0;
	for (i = 0; i < ARRAY_LEN(tests); i++) {
		p.date = tests[i].t;
		got = element(&p, "published");
		T_STR(got, tests[i].want);
		free(got);
	}
	/* Every ~3 days and odd second over 1600..2400 against libc. */
	for (t = INT64_C(-11676096000); t < INT64_C(13569465600);
	     t += 86400 * 3 + 3677) {
		struct buf b = BUF_INIT;

		p.date = t;
		tt = (time_t)t;
		gmtime_r(&tt, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
		feed_atom(&site, &p, 1, "/atom.xml", NULL, &b);
		if (strstr(b.data, want) == NULL && bad++ < 5)
			fprintf(stderr, "%s:%d: %lld: want %s\n", __FILE__,
			    __LINE__, (long long)t, want);
		buf_free(&b);
	}
	T_INT(bad, 0);
}

static void
test_summary(void)
{
	struct page_post p = posts[1];
	struct buf body = BUF_INIT, want = BUF_INIT;
	char *got;
	int i;

	/* 120 words of "wörd" (5 chars + space): cut at a space, then … */
	for (i = 0; i < 120; i++)
		buf_adds(&body, "wörd5 ");
	buf_adds(&body, "\n");
	p.body_gmi = body.data;
	for (i = 0; i < 50; i++)
		buf_adds(&want, i ? " wörd5" : "wörd5");
	buf_adds(&want, "…");
	got = element(&p, "summary");
	T_STR(got, want.data);
	free(got);

	/* No space to cut at: exactly 300 code points, then … */
	buf_reset(&body);
	buf_reset(&want);
	for (i = 0; i < 400; i++)
		buf_adds(&body, "é");
	for (i = 0; i < 300; i++)
		buf_adds(&want, "é");
	buf_adds(&want, "…");
	p.body_gmi = body.data;
	got = element(&p, "summary");
	T_STR(got, want.data);
	free(got);

	/* Exactly 300: no ellipsis. */
	buf_truncate(&body, 600);
	got = element(&p, "summary");
	T_STR(got, body.data);
	free(got);

	/* Only links and headings: no summary at all. */
	p.body_gmi = "# H\n=> x y\n";
	got = element(&p, "summary");
	T_STR(got, NULL);
	free(got);

	/* A description wins, its whitespace collapsed. */
	p.description = "  Two\nlines  ";
	got = element(&p, "summary");
	T_STR(got, "Two lines");
	free(got);
	buf_free(&body);
	buf_free(&want);
}

static void
test_xmllint(void)
{
	static const char *const nasty_tags[] = { "<&>\"'", "\x01\xff" };
	struct page_post p = posts[0];
	struct page_site s = site;
	struct buf b = BUF_INIT;
	char path[] = "/tmp/test_feed.XXXXXX", cmd[128];
	FILE *f;
	int fd;

	if (system("command -v xmllint >/dev/null 2>&1") != 0) {
		printf("xmllint missing: well-formedness not checked\n");
		return;
	}
	s.title = "T\x02<i>\xc3";
	s.author = "A & \x7f B";
	p.title = "\x0c\xed\xa0\x80]]>";
	p.slug = "a b\"<";
	p.description = NULL;
	p.body_gmi = "text \x1b[0m & <b>\xef\xbf\xbe\n";
	p.tags = nasty_tags;
	p.ntags = 2;
	feed_atom(&s, &p, 1, "/atom.xml", "<&>\"'", &b);
	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		T_OK(0);
		buf_free(&b);
		return;
	}
	fwrite(b.data, 1, b.len, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "timeout 10 xmllint --noout %s", path);
	T_INT(system(cmd), 0);
	unlink(path);
	buf_free(&b);
}

/* An undated page is never a feed entry (and never dated by its mtime). */
static void
test_undated(void)
{
	struct page_post p[2];
	struct buf b = BUF_INIT;

	p[0] = posts[0];
	p[1] = posts[1];
	p[1].ymd = "";
	p[1].date = 0;
	feed_atom(&site, p, 2, "/atom.xml", NULL, &b);
	T_OK(strstr(b.data, "look-back") != NULL);
	T_OK(strstr(b.data, "<title>Été</title>") == NULL);
	T_INT(strstr(b.data, "<entry>") != NULL &&
		strstr(strstr(b.data, "<entry>") + 1, "<entry>") == NULL,
	    1);
	buf_free(&b);
}

int
main(void)
{
	test_undated();
	test_escape();
	test_one_post();
	test_empty_and_tag();
	test_dates();
	test_summary();
	test_xmllint();
	return t_done();
}
