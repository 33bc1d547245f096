/*
 * test_pagemodel: the source -> URL table for Hugo (checked against
 * `hugo list all` of Hugo 0.111), Zola and bare folders; the config
 * reader; link joining.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontmatter.h"
#include "pagemodel.h"
#include "sitecfg.h"
#include "t.h"

static const char hugo_cfg[] =
    "baseURL = 'https://example.org/'\n"
    "title = 'Example'\n"
    "defaultContentLanguage = 'en'\n"
    "[params]\ndescription = 'About things'\nmainSections = ['posts']\n"
    "[permalinks]\nthings = '/:year/:month/:slug/'\n"
    "stuff = '/:section/:filename/'\nmore = '/m/:title/'\n"
    "[taxonomies]\ntag = 'tags'\nseries = 'series'\n"
    "[languages.en]\ntitle = 'Example'\n"
    "[languages.fr]\ntitle = 'Exemple'\ncontentDir = 'content/fr'\n";

static const char zola_cfg[] =
    "base_url = \"https://z.example\"\ntitle = \"Zed\"\n"
    "description = \"A Zola blog\"\n"
    "taxonomies = [{name = \"tags\"}, {name = \"authors\"}]\n"
    "[languages.de]\ntitle = \"Zett\"\n";

static const char yaml_cfg[] =
    "baseURL: https://y.example/\ntitle: Yaml Site\n"
    "contentDir: src/content\nstaticDir: [assets]\n"
    "module:\n  mounts:\n    - source: pics\n      target: static\n";

struct row {
	const char *rel;
	const char *slug, *url, *title, *date;
	const char *want_url, *want_lang, *want_bundle, *want_ymd;
	int kind;
};

static void
run(const struct sitecfg *c, const struct row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		struct post_meta m;
		struct pm_page p;

		memset(&m, 0, sizeof(m));
		m.slug = (char *)r->slug;
		m.url = (char *)r->url;
		if (r->date) {
			m.has_date = 1;
			snprintf(m.date_ymd, sizeof(m.date_ymd), "%s", r->date);
		}
		if (pm_place(c, r->rel, &m, r->title, &p) != 0) {
			fprintf(stderr, "%s: not placed\n", r->rel);
			t_fail++;
			continue;
		}
		if (strcmp(p.url, r->want_url) != 0)
			fprintf(stderr, "row %zu (%s):\n", i, r->rel);
		T_STR(p.url, r->want_url);
		T_STR(p.lang, r->want_lang);
		T_STR(p.bundle, r->want_bundle);
		T_STR(p.has_date ? p.ymd : NULL, r->want_ymd);
		T_INT(p.kind, r->kind);
		pm_page_free(&p);
	}
}

static void
test_hugo(void)
{
	static const struct row rows[] = {
		{ "things/2023-04-05-hello.md", NULL, NULL, "Hello World",
		    "2023-04-05", "/2023/04/hello-world/", NULL, NULL,
		    "2023-04-05", PM_PAGE },
		{ "things/b.md", "custom", NULL, "Hi There", "2023-04-05",
		    "/2023/04/custom/", NULL, NULL, NULL, PM_PAGE },
		{ "stuff/bund/index.md", NULL, NULL, "Bund Le", NULL,
		    "/stuff/bund/", NULL, "stuff/bund", NULL, PM_PAGE },
		{ "stuff/Plain_File.md", NULL, NULL, "Plain", NULL,
		    "/stuff/plain_file/", NULL, NULL, NULL, PM_PAGE },
		{ "more/x.md", NULL, NULL,
		    "\xc3\xbc"
		    "ber Title Here",
		    NULL,
		    "/m/\xc3\xbc"
		    "ber-title-here/",
		    NULL, NULL, NULL, PM_PAGE },
		{ "about/index.md", NULL, NULL, "About", NULL, "/about/", NULL,
		    "about", NULL, PM_PAGE },
		{ "more/y.md", NULL, NULL,
		    "\xc3\x9c"
		    "ber",
		    NULL,
		    "/m/\xc3\xbc"
		    "ber/",
		    NULL, NULL, NULL, PM_PAGE },
		{ "posts/trip/index.md", NULL, NULL, "Trip", NULL,
		    "/posts/trip/", NULL, "posts/trip", NULL, PM_PAGE },
		{ "posts/u.md", NULL, "/foo/bar", "U", NULL, "/foo/bar/", NULL,
		    NULL, NULL, PM_PAGE },
		{ "posts/u2.md", NULL, "foo/baz", "U2", NULL, "/foo/baz/", NULL,
		    NULL, NULL, PM_PAGE },
		{ "posts/s.md", "Cn/About Me", NULL, "S", NULL,
		    "/posts/cn/about-me/", NULL, NULL, NULL, PM_PAGE },
		{ "posts/sub/deep.md", NULL, NULL, "Sub", NULL,
		    "/posts/sub/deep/", NULL, NULL, NULL, PM_PAGE },
		{ "posts/sub/_index.md", NULL, NULL, "Sub", NULL, "/posts/sub/",
		    NULL, "posts/sub", NULL, PM_SECTION },
		{ "_index.md", NULL, NULL, "Home", NULL, "/", NULL, "", NULL,
		    PM_HOME },
		{ "top.md", NULL, NULL, "Top", NULL, "/top/", NULL, NULL, NULL,
		    PM_PAGE },
		{ "posts/My File Name.md", NULL, NULL, "x", NULL,
		    "/posts/my-file-name/", NULL, NULL, NULL, PM_PAGE },
		/* Hugo keeps a date prefix unless [frontmatter] says so. */
		{ "posts/2020-01-02-new-year.md", NULL, NULL, "x", NULL,
		    "/posts/2020-01-02-new-year/", NULL, NULL, "2020-01-02",
		    PM_PAGE },
		{ "posts/hello.fr.md", NULL, NULL, "x", NULL,
		    "/fr/posts/hello/", "fr", NULL, NULL, PM_PAGE },
		{ "fr/posts/bonjour.md", NULL, NULL, "x", NULL,
		    "/fr/posts/bonjour/", "fr", NULL, NULL, PM_PAGE },
		{ "fr/_index.md", NULL, NULL, "x", NULL, "/fr/", "fr", "", NULL,
		    PM_HOME },
		{ "posts/hello.en.md", NULL, NULL, "x", NULL, "/posts/hello/",
		    NULL, NULL, NULL, PM_PAGE },
	};
	struct sitecfg c;
	struct diags d = { 0 };

	sitecfg_init(&c);
	T_INT(sitecfg_parse(&c, GEN_HUGO, 0, hugo_cfg, strlen(hugo_cfg), &d),
	    0);
	T_INT(d.n, 0);
	T_STR(c.title, "Example");
	T_STR(c.description, "About things");
	T_STR(c.base_url, "https://example.org/");
	T_STR(c.content_dir, "content");
	T_STR(c.static_dir, "static");
	T_INT(c.nmain, 1);
	T_STR(c.nmain ? c.main_sections[0] : NULL, "posts");
	T_INT(c.ntax, 2);
	T_STR(c.ntax > 1 ? c.taxonomies[1] : NULL, "series");
	T_INT(c.nlangs, 1);
	T_STR(c.nlangs ? c.langs[0].content_dir : NULL, "fr");
	run(&c, rows, ARRAY_LEN(rows));
	sitecfg_free(&c);
	diags_free(&d);
}

static void
test_zola(void)
{
	static const struct row rows[] = {
		{ "blog/first-post.md", NULL, NULL, "x", NULL,
		    "/blog/first-post/", NULL, NULL, NULL, PM_PAGE },
		{ "blog/2021-03-04-spring.md", NULL, NULL, "x", NULL,
		    "/blog/spring/", NULL, NULL, "2021-03-04", PM_PAGE },
		{ "blog/2021-05-06_trip/index.md", NULL, NULL, "x", NULL,
		    "/blog/trip/", NULL, "blog/2021-05-06_trip", "2021-05-06",
		    PM_PAGE },
		{ "blog/Odd Name!.md", NULL, NULL, "x", NULL, "/blog/odd-name/",
		    NULL, NULL, NULL, PM_PAGE },
		{ "blog/x.md", "My Slug", NULL, "x", NULL, "/blog/my-slug/",
		    NULL, NULL, NULL, PM_PAGE },
		{ "releases/r.md", NULL, "2025/06/26/Rust-1.88.0", "x", NULL,
		    "/2025/06/26/Rust-1.88.0/", NULL, NULL, "2025-06-26",
		    PM_PAGE },
		{ "blog/x.de.md", NULL, NULL, "x", NULL, "/de/blog/x/", "de",
		    NULL, NULL, PM_PAGE },
		{ "blog/_index.md", NULL, NULL, "x", NULL, "/blog/", NULL,
		    "blog", NULL, PM_SECTION },
		{ "_index.de.md", NULL, NULL, "x", NULL, "/de/", "de", "", NULL,
		    PM_HOME },
	};
	struct sitecfg c;
	struct diags d = { 0 };

	sitecfg_init(&c);
	T_INT(sitecfg_parse(&c, GEN_ZOLA, 0, zola_cfg, strlen(zola_cfg), &d),
	    0);
	T_STR(c.title, "Zed");
	T_STR(c.base_url, "https://z.example");
	T_INT(c.ntax, 2);
	T_STR(c.ntax > 1 ? c.taxonomies[1] : NULL, "authors");
	run(&c, rows, ARRAY_LEN(rows));
	sitecfg_free(&c);
	diags_free(&d);
}

static void
test_bare_and_yaml(void)
{
	static const struct row rows[] = {
		{ "posts/2024-11-02-animation-notes.md", NULL, NULL, "x", NULL,
		    "/posts/animation-notes/", NULL, NULL, "2024-11-02",
		    PM_PAGE },
		{ "posts/look-back.md", NULL, NULL, "x", NULL,
		    "/posts/look-back/", NULL, NULL, NULL, PM_PAGE },
		{ "index.md", NULL, NULL, "x", NULL, "/", NULL, NULL, NULL,
		    PM_HOME },
		{ "notes.md", NULL, NULL, "x", NULL, "/notes/", NULL, NULL,
		    NULL, PM_PAGE },
	};
	struct sitecfg c;
	struct diags d = { 0 };

	sitecfg_init(&c);
	run(&c, rows, ARRAY_LEN(rows));
	sitecfg_free(&c);

	sitecfg_init(&c);
	T_INT(sitecfg_parse(&c, GEN_HUGO, 1, yaml_cfg, strlen(yaml_cfg), &d),
	    0);
	T_STR(c.title, "Yaml Site");
	T_STR(c.content_dir, "src/content");
	T_STR(c.static_dir, "pics");
	sitecfg_free(&c);
	diags_free(&d);

	/* A config that does not parse: an error with its line. */
	sitecfg_init(&c);
	T_INT(sitecfg_parse(&c, GEN_HUGO, 0, "title = 'x'\n= 3\n", 14, &d), -1);
	T_OK(d.n > 0 && d.v[0].line == 2);
	sitecfg_free(&c);
	diags_free(&d);
}

static void
test_join(void)
{
	static const char *rows[][3] = {
		{ "posts/a.md", "b.md", "posts/b.md" },
		{ "posts/a.md", "../about.md", "about.md" },
		{ "posts/trip/index.md", "./pic.png", "posts/trip/pic.png" },
		{ "posts/a.md", "/docs/x.md", "docs/x.md" },
		{ "a.md", "../../../etc/passwd", "etc/passwd" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(rows); i++) {
		char *j = pm_join(rows[i][0], rows[i][1], strlen(rows[i][1]));

		T_STR(j, rows[i][2]);
		free(j);
	}
}

/* Orders: a table of pairs, each compared both ways. */
static void
test_order(void)
{
	static const struct {
		enum pm_order o;
		struct pm_key a, b; /* a comes first */
	} t[] = {
		/* Hugo: weight first, unweighted (0 or none) last */
		{ PM_ORDER_HUGO,
		    { "B", "/b/", "b.md", NULL, 1, 10, 0, 0, 1, 1 },
		    { "A", "/a/", "a.md", NULL, 1, 99, 0, 0, 1, 2 } },
		{ PM_ORDER_HUGO,
		    { "B", "/b/", "b.md", NULL, 0, 0, 0, 0, 1, -5 },
		    { "A", "/a/", "a.md", NULL, 1, 99, 0, 0, 1, 3 } },
		{ PM_ORDER_HUGO, { "B", "/b/", "b.md", NULL, 0, 0, 0, 0, 1, 7 },
		    { "A", "/a/", "a.md", NULL, 1, 99, 0, 0, 1, 0 } },
		/* then newest first, undated (0001-01-01) last */
		{ PM_ORDER_HUGO,
		    { "B", "/b/", "b.md", NULL, 1, 99, 0, 0, 0, 0 },
		    { "A", "/a/", "a.md", NULL, 1, 10, 0, 0, 0, 0 } },
		{ PM_ORDER_HUGO, { "B", "/b/", "b.md", NULL, 1, 1, 0, 0, 0, 0 },
		    { "A", "/a/", "a.md", NULL, 0, 0, 0, 0, 0, 0 } },
		/* then title, then file path */
		{ PM_ORDER_HUGO,
		    { "apple", "/z/", "z.md", NULL, 1, 5, 0, 0, 0, 0 },
		    { "Banana", "/a/", "a.md", NULL, 1, 5, 0, 0, 0, 0 } },
		{ PM_ORDER_HUGO,
		    { "Same", "/z/", "a.md", NULL, 0, 0, 0, 0, 0, 0 },
		    { "Same", "/a/", "b.md", NULL, 0, 0, 0, 0, 0, 0 } },
		/* newest first: undated by title */
		{ PM_ORDER_NEWEST,
		    { "Z", "/z/", "z.md", NULL, 1, 5, 0, 0, 1, 9 },
		    { "A", "/a/", "a.md", NULL, 1, 4, 0, 0, 1, 1 } },
		{ PM_ORDER_NEWEST,
		    { "a", "/z/", "z.md", NULL, 0, 0, 0, 0, 0, 0 },
		    { "B", "/a/", "a.md", NULL, 0, 0, 0, 0, 0, 0 } },
		/* Zola date: ties by URL; pages without a date after */
		{ PM_ORDER_DATE, { "Z", "/a/", "z.md", NULL, 1, 5, 0, 0, 0, 0 },
		    { "A", "/b/", "a.md", NULL, 1, 5, 0, 0, 0, 0 } },
		{ PM_ORDER_DATE, { "Z", "/z/", "z.md", NULL, 1, 5, 0, 0, 0, 0 },
		    { "A", "/a/", "a.md", NULL, 0, 0, 0, 0, 0, 0 } },
		/* update_date: the later of date and updated */
		{ PM_ORDER_UPDATE,
		    { "A", "/a/", "a.md", NULL, 1, 5, 1, 50, 0, 0 },
		    { "B", "/b/", "b.md", NULL, 1, 40, 0, 0, 0, 0 } },
		{ PM_ORDER_UPDATE,
		    { "A", "/a/", "a.md", NULL, 0, 0, 1, 3, 0, 0 },
		    { "B", "/b/", "b.md", NULL, 0, 0, 0, 0, 0, 0 } },
		/* title: natural, case ignored; title_bytes: bytes */
		{ PM_ORDER_TITLE,
		    { "part 2", "/z/", "z.md", NULL, 0, 0, 0, 0, 0, 0 },
		    { "Part 10", "/a/", "a.md", NULL, 0, 0, 0, 0, 0, 0 } },
		{ PM_ORDER_TITLE_BYTES,
		    { "Zebra", "/z/", "z.md", NULL, 0, 0, 0, 0, 0, 0 },
		    { "apple", "/a/", "a.md", NULL, 0, 0, 0, 0, 0, 0 } },
		{ PM_ORDER_TITLE,
		    { "x", "/z/", "z.md", NULL, 0, 0, 0, 0, 0, 0 },
		    { NULL, "/a/", "a.md", NULL, 0, 0, 0, 0, 0, 0 } },
		/* weight: lightest first, 0 is a weight, none last */
		{ PM_ORDER_WEIGHT,
		    { "B", "/b/", "b.md", NULL, 0, 0, 0, 0, 1, 0 },
		    { "A", "/a/", "a.md", NULL, 0, 0, 0, 0, 1, 2 } },
		{ PM_ORDER_WEIGHT,
		    { "B", "/b/", "b.md", NULL, 0, 0, 0, 0, 1, 9 },
		    { "A", "/a/", "a.md", NULL, 1, 9, 0, 0, 0, 0 } },
		/* slug: natural */
		{ PM_ORDER_SLUG,
		    { "B", "/b/", "b.md", "step-9/", 0, 0, 0, 0, 0, 0 },
		    { "A", "/a/", "a.md", "step-10/", 0, 0, 0, 0, 0, 0 } },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(t); i++) {
		if (pm_order_cmp(t[i].o, &t[i].a, &t[i].b) >= 0 ||
		    pm_order_cmp(t[i].o, &t[i].b, &t[i].a) <= 0)
			fprintf(stderr, "order case %zu\n", i);
		T_OK(pm_order_cmp(t[i].o, &t[i].a, &t[i].b) < 0);
		T_OK(pm_order_cmp(t[i].o, &t[i].b, &t[i].a) > 0);
		T_INT(pm_order_cmp(t[i].o, &t[i].a, &t[i].a), 0);
	}
	T_OK(pm_natural_cmp("a2", "a10") < 0);
	T_OK(pm_natural_cmp("a02", "a2") == 0);
	T_OK(pm_natural_cmp("ABC", "abd") < 0);
	T_OK(pm_natural_cmp("ab", "abc") < 0);
	T_OK(pm_natural_cmp("99999999999999999999", "100000000000000000000") <
	    0);
}

/* Publication by the clock: a table of (generator, dates, now). */
static void
test_published(void)
{
	static const struct {
		enum site_gen gen;
		int has_pub;
		int64_t pub;
		int has_exp;
		int64_t exp;
		int dated;
		int64_t date;
		int64_t now;
		int want;
		int64_t next; /* INT64_MAX: nothing waits */
	} t[] = {
		{ GEN_HUGO, 0, 0, 0, 0, 0, 0, 100, 1, INT64_MAX },
		/* Hugo: the date is the publish date */
		{ GEN_HUGO, 0, 0, 0, 0, 1, 200, 100, 0, 200 },
		{ GEN_HUGO, 0, 0, 0, 0, 1, 100, 100, 1, INT64_MAX },
		{ GEN_ZOLA, 0, 0, 0, 0, 1, 200, 100, 1, INT64_MAX },
		{ GEN_BARE, 0, 0, 0, 0, 1, 200, 100, 1, INT64_MAX },
		/* publishDate over the date, for every generator */
		{ GEN_HUGO, 1, 150, 0, 0, 1, 50, 100, 0, 150 },
		{ GEN_HUGO, 1, 50, 0, 0, 1, 150, 100, 1, INT64_MAX },
		{ GEN_BARE, 1, 150, 0, 0, 0, 0, 100, 0, 150 },
		/* expiry: gone once it is before now */
		{ GEN_HUGO, 0, 0, 1, 99, 0, 0, 100, 0, INT64_MAX },
		{ GEN_HUGO, 0, 0, 1, 100, 0, 0, 100, 1, 101 },
		{ GEN_ZOLA, 0, 0, 1, 300, 0, 0, 100, 1, 301 },
		/* both to come: the sooner is next */
		{ GEN_HUGO, 1, 150, 1, 400, 0, 0, 100, 0, 150 },
		{ GEN_HUGO, 1, 50, 1, 400, 0, 0, 100, 1, 401 },
	};
	struct sitecfg c;
	struct post_meta m;
	size_t i;

	for (i = 0; i < ARRAY_LEN(t); i++) {
		int64_t next = INT64_MAX;

		sitecfg_init(&c);
		c.gen = t[i].gen;
		memset(&m, 0, sizeof(m));
		m.has_publish = t[i].has_pub;
		m.publish = t[i].pub;
		m.has_expiry = t[i].has_exp;
		m.expiry = t[i].exp;
		T_INT(pm_published(&c, &m, t[i].dated, t[i].date, t[i].now,
			  &next),
		    t[i].want);
		T_INT(next, t[i].next);
		sitecfg_free(&c);
	}
}

/* Which content files are pages: the one rule site.c and gemini.c use. */
static void
test_md_ext(void)
{
	T_INT(pm_md_ext("a.md", 4), 3);
	T_INT(pm_md_ext("posts/a.markdown", 16), 9);
	T_INT(pm_md_ext(".md", 3), 0); /* a name, not the bare extension */
	T_INT(pm_md_ext("a.md.txt", 8), 0);
	T_INT(pm_md_ext("a.MD", 4), 0);	  /* case counts */
	T_INT(pm_md_ext("a.md#x", 4), 3); /* by length, not NUL */
	T_INT(pm_md_ext("a.mdx", 5), 0);
}

int
main(void)
{
	test_md_ext();
	test_order();
	test_published();
	test_hugo();
	test_zola();
	test_bare_and_yaml();
	test_join();
	return t_done();
}
