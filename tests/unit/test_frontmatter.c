/*
 * test_frontmatter: whole posts, each case comparing a one-line summary
 * of the resulting post_meta, where the body starts, and the findings.
 * The date layouts themselves are test_date.c's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "frontmatter.h"
#include "t.h"
#include "toml.h"

static void
add_list(struct buf *b, const char *name, char **v, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	buf_printf(b, " %s=[", name);
	for (i = 0; i < n; i++)
		buf_printf(b, "%s%s", i ? "," : "", v[i]);
	buf_addc(b, ']');
}

/* Only what is set, in a fixed order. */
static void
summary(struct buf *b, const struct post_meta *m)
{
	static const char *kinds[] = { "none", "toml", "yaml" };

	buf_reset(b);
	buf_adds(b, kinds[m->kind]);
	if (m->title)
		buf_printf(b, " title=%s", m->title);
	if (m->has_date)
		buf_printf(b, " date=%lld/%s", (long long)m->date, m->date_ymd);
	if (m->has_updated)
		buf_printf(b, " updated=%lld", (long long)m->updated);
	if (m->draft)
		buf_adds(b, " draft");
	if (m->has_publish)
		buf_printf(b, " publish=%lld", (long long)m->publish);
	if (m->has_expiry)
		buf_printf(b, " expiry=%lld", (long long)m->expiry);
	if (m->no_render)
		buf_adds(b, " norender");
	if (m->no_list)
		buf_adds(b, " nolist");
	if (m->list_local)
		buf_adds(b, " local");
	if (m->headless)
		buf_adds(b, " headless");
	if (m->no_search)
		buf_adds(b, " nosearch");
	if (m->has_weight)
		buf_printf(b, " weight=%lld", m->weight);
	if (m->sort_by)
		buf_printf(b, " sort=%d", (int)m->sort_by);
	if (m->slug)
		buf_printf(b, " slug=%s", m->slug);
	if (m->url)
		buf_printf(b, " url=%s", m->url);
	if (m->description)
		buf_printf(b, " desc=%s", m->description);
	if (m->lang)
		buf_printf(b, " lang=%s", m->lang);
	add_list(b, "tags", m->tags, m->ntags);
	add_list(b, "cats", m->categories, m->ncategories);
	add_list(b, "aliases", m->aliases, m->naliases);
	for (size_t i = 0; i < m->nterms; i++)
		if (strcmp(m->terms[i].taxonomy, "tags") != 0 &&
		    strcmp(m->terms[i].taxonomy, "categories") != 0)
			add_list(b, m->terms[i].taxonomy, m->terms[i].terms,
			    m->terms[i].n);
	if (m->has_rating)
		buf_printf(b, " rating=%g", m->rating);
	for (size_t i = 0; i < m->nfacts; i++)
		buf_printf(b, " %s=%s", m->facts[i].label, m->facts[i].value);
	if (m->featured)
		buf_adds(b, " featured");
	if (m->short_title)
		buf_printf(b, " short=%s", m->short_title);
}

struct post_case {
	const char *in;
	const char *want; /* summary */
	const char *body; /* text from body_off */
	int body_line;
	int nerr, nwarn;
	int line; /* line of the first finding, 0: none */
};

static const struct post_case post_cases[] = {
	/* no front matter */
	{ "", "none", "", 1, 0, 0, 0 },
	{ "# Hello\n", "none", "# Hello\n", 1, 0, 0, 0 },
	{ "x\n+++\ntitle = \"x\"\n+++\n", "none",
	    "x\n+++\ntitle = \"x\"\n+++\n", 1, 0, 0, 0 },
	/* after blank lines or a BOM, as Hugo and Zola read it */
	{ "\n+++\ntitle = \"x\"\n+++\n", "toml title=x", "", 5, 0, 0, 0 },
	{ "\xef\xbb\xbf+++\ntitle = \"x\"\n+++\nb", "toml title=x", "b", 4, 0,
	    0, 0 },
	{ "\xef\xbb\xbf \r\n\t\n\n---\ntitle: x\n---\nb", "yaml title=x", "b",
	    7, 0, 0, 0 },
	{ "\n\n+++\ntitle = 3\n+++\n", "toml title=3", "", 6, 0, 1, 4 },
	{ "\n\n+++\ntitle = \"x\"\n", "toml", "title = \"x\"\n", 4, 1, 0, 3 },
	{ "\n\n", "none", "\n\n", 1, 0, 0, 0 },
	/* publishing: publishDate, expiryDate, Hugo build, Zola render */
	{ "+++\ndate = 2025-01-19\npublishDate = 2025-02-01\n"
	  "expiryDate = \"2026-01-01\"\n+++\n",
	    "toml date=1737244800/2025-01-19 publish=1738368000 "
	    "expiry=1767225600",
	    "", 6, 0, 0, 0 },
	{ "---\npublishdate: 21 July 2019\nunpublishdate: 2019/08/01\n---\n",
	    "yaml date=1563667200/2019-07-21 publish=1563667200 "
	    "expiry=1564617600",
	    "", 5, 0, 0, 0 },
	{ "---\nlastmod: 2019-07-21\n---\n",
	    "yaml date=1563667200/2019-07-21 updated=1563667200", "", 4, 0, 0,
	    0 },
	{ "---\nlastmod: soon\n---\n", "yaml", "", 4, 0, 1, 2 },
	/* bare, it is no TOML date-time (Hugo's TOML refuses it too) */
	{ "+++\ndate = 2019-04-09T8:09:26-07:00\n+++\n", "toml", "", 4, 1, 0,
	    2 },
	{ "+++\ndate = \"2019-04-09T8:09:26-07:00\"\n+++\n",
	    "toml date=1554822566/2019-04-09", "", 4, 0, 0, 0 },
	{ "+++\n[build]\nrender = \"never\"\nlist = \"never\"\n+++\n",
	    "toml norender nolist", "", 6, 0, 0, 0 },
	{ "---\n_build:\n  render: false\n  list: local\n---\n",
	    "yaml norender local", "", 6, 0, 0, 0 },
	{ "---\nbuild:\n  render: link\n---\n", "yaml norender", "", 5, 0, 0,
	    0 },
	{ "---\nbuild:\n  render: always\n---\n", "yaml", "", 5, 0, 0, 0 },
	{ "---\nheadless: true\n---\n", "yaml headless", "", 4, 0, 0, 0 },
	/* ordering: weight, Zola's sort_by; Zola's in_search_index */
	{ "+++\nweight = -3\nsort_by = \"weight\"\n+++\n",
	    "toml weight=-3 sort=6", "", 5, 0, 0, 0 },
	{ "---\nweight: \"12\"\nsort_by: update_date\n---\n",
	    "yaml weight=12 sort=3", "", 5, 0, 0, 0 },
	{ "+++\nweight = 1.5\nsort_by = \"newest\"\n+++\n", "toml", "", 5, 0, 2,
	    2 },
	{ "+++\nsort_by = \"none\"\nin_search_index = false\n+++\n",
	    "toml nosearch sort=1", "", 5, 0, 0, 0 },
	/* any taxonomy: Hugo's top-level lists, Zola's [taxonomies] */
	{ "---\nseries: [Winter, Boats]\nauthors: [Ann]\naliases: [/x]\n"
	  "resources: [{src: a.png}]\n---\n",
	    "yaml aliases=[/x] series=[Winter,Boats] authors=[Ann]", "", 7, 0,
	    0, 0 },
	{ "+++\n[taxonomies]\ntags = [\"a\"]\nseries = [\"S\", \"S\"]\n"
	  "+++\n",
	    "toml tags=[a] series=[S]", "", 6, 0, 0, 0 },
	{ "+++\nrender = false\n+++\n", "toml norender", "", 4, 0, 0, 0 },
	{ "+++\nbuild = 1\n+++\n", "toml", "", 4, 0, 1, 2 },
	{ "++++\n", "none", "++++\n", 1, 0, 0, 0 },
	{ "--- x\n", "none", "--- x\n", 1, 0, 0, 0 },
	/* TOML */
	{ "+++\ntitle = \"Hi\"\ndate = 2025-01-19\n+++\nbody\n",
	    "toml title=Hi date=1737244800/2025-01-19", "body\n", 5, 0, 0, 0 },
	{ "+++\r\ntitle = \"Hi\"\r\ndate = 2025-01-19T10:00:00+09:00\r\n"
	  "+++\r\nbody\r\n",
	    "toml title=Hi date=1737248400/2025-01-19", "body\r\n", 5, 0, 0,
	    0 },
	{ "+++\ndate = 2025-01-19T10:00:00Z\nlastmod = 2025-01-19 10:00\n"
	  "draft = true\nslug = \"s\"\nurl = \"/u/\"\naliases = [\"/a\", \"/b\"]"
	  "\ntags = [\"x\", \"y\", \"x\"]\ncategories = [\"c\"]\n"
	  "description = \"d\"\nlang = \"fr\"\n+++\n",
	    "toml date=1737280800/2025-01-19 updated=1737280800 draft slug=s "
	    "url=/u/ desc=d lang=fr tags=[x,y] cats=[c] aliases=[/a,/b]",
	    "", 13, 0, 0, 0 },
	/* Zola */
	{ "+++\ntitle = \"Review\"\ndate = 2025-09-07\nupdated = \"2025-09-08\""
	  "\npath = \"reviews/r\"\nsummary = \"sum\"\n"
	  "[taxonomies]\ntags = [\"book\", \"sf\"]\ncategories = [\"rev\"]\n"
	  "[extra]\nrating = 4.5\nfeatured = true\nshort_title = \"R\"\n+++\n"
	  "Text",
	    "toml title=Review date=1757203200/2025-09-07 updated=1757289600 "
	    "url=reviews/r desc=sum tags=[book,sf] cats=[rev] rating=4.5 "
	    "featured short=R",
	    "Text", 15, 0, 0, 0 },
	/* Hugo [params] */
	{ "+++\ntitle = \"T\"\ndraft = \"false\"\n[params]\nrating = \"4/5\"\n"
	  "featured = \"true\"\n+++\n",
	    "toml title=T rating=4 featured", "", 8, 0, 0, 0 },
	{ "+++\n[params]\nrating = \"8/10\"\n+++\n", "toml rating=4", "", 5, 0,
	    0, 0 },
	{ "+++\n[extra]\nrating = \"4.5\"\n+++\n", "toml rating=4.5", "", 5, 0,
	    0, 0 },
	{ "+++\n[extra]\nrating = 3\n+++\n", "toml rating=3", "", 5, 0, 0, 0 },
	{ "+++\n[extra]\nrating = 7\n+++\n", "toml rating=3.5", "", 5, 0, 0,
	    0 },
	{ "+++\n[extra]\nscore = 85\n+++\n", "toml rating=4.25", "", 5, 0, 0,
	    0 },
	{ "+++\n[extra]\nrating = 3\nout_of = 4\n+++\n", "toml rating=3.75", "",
	    6, 0, 0, 0 },
	{ "+++\n[extra]\nrating = \"4 out of 5\"\n+++\n", "toml rating=4", "",
	    5, 0, 0, 0 },
	{ "+++\n[extra]\nrating = \"90%\"\n+++\n", "toml rating=4.5", "", 5, 0,
	    0, 0 },
	{ "+++\n[extra]\nstars = \"\xe2\x98\x85\xe2\x98\x85\xe2\x98\x85"
	  "\xc2\xbd\xe2\x98\x86\"\n+++\n",
	    "toml rating=3.5", "", 5, 0, 0, 0 },
	{ "+++\nyear = 2024\n[extra]\nyear = 1999\nstudio = \"DURIAN\"\n"
	  "+++\n",
	    "toml Studio=DURIAN Year=1999", "", 7, 0, 0, 0 },
	{ "+++\nrating = 2.5\nfeatured = true\nshort_title = \"s\"\n+++\n",
	    "toml rating=2.5 featured short=s", "", 6, 0, 0, 0 },
	{ "+++\ndescription = \"d\"\nsummary = \"s\"\nurl = \"u\"\n"
	  "path = \"p\"\n+++\n",
	    "toml url=u desc=d", "", 7, 0, 0, 0 },
	{ "+++\naliases = \"/old/\"\n+++\n", "toml aliases=[/old/]", "", 4, 0,
	    0, 0 },
	{ "+++\ntags = [\"a\"]\n[taxonomies]\ntags = [\"b\", \"a\"]\n+++\n",
	    "toml tags=[a,b]", "", 6, 0, 0, 0 },
	{ "+++\nunknown = 1\n[unknown_table]\nx = [1, {y = 2}]\n+++\n", "toml",
	    "", 6, 0, 0, 0 },
	{ "+++\n+++\nbody", "toml", "body", 3, 0, 0, 0 },
	{ "+++   \ntitle = \"x\"\n+++\t\nb", "toml title=x", "b", 4, 0, 0, 0 },
	{ "+++\ntitle = \"x\"\n+++", "toml title=x", "", 4, 0, 0, 0 },
	{ "+++\ntitle = \"\xe6\x97\xa5\xe6\x9c\xac \\u00e9\"\n+++\n",
	    "toml title=\xe6\x97\xa5\xe6\x9c\xac \xc3\xa9", "", 4, 0, 0, 0 },
	/* a --- inside TOML front matter is just text */
	{ "+++\ns = \"\"\"\n---\n\"\"\"\n+++\nb", "toml", "b", 6, 0, 0, 0 },
	/* TOML errors: consumed, error line counted in the file */
	{ "+++\ntitle = \"x\"\ntitle = \"y\"\n+++\nbody\n", "toml", "body\n", 5,
	    1, 0, 3 },
	{ "+++\ntitle = \"x\n+++\nbody\n", "toml", "body\n", 4, 1, 0, 2 },
	{ "+++\na = 1\n\nb = [\n+++\nbody\n", "toml", "body\n", 6, 1, 0, 4 },
	{ "+++\ntitle = \"bad \xff\"\n+++\nbody\n", "toml", "body\n", 4, 1, 0,
	    2 },
	/* unterminated: only the opening line is eaten */
	{ "+++\ntitle = \"x\"\nbody\n", "toml", "title = \"x\"\nbody\n", 2, 1,
	    0, 1 },
	{ "---\ntitle: x\n", "yaml", "title: x\n", 2, 1, 0, 1 },
	{ "+++", "toml", "", 1, 1, 0, 1 },
	{ "---\r\n", "yaml", "", 2, 1, 0, 1 },
	{ "+++\ntitle = \"x\"\n---\n", "toml", "title = \"x\"\n---\n", 2, 1, 0,
	    1 },
	/* wrong types: warnings, coerced or dropped */
	{ "+++\ntitle = 3\n+++\n", "toml title=3", "", 4, 0, 1, 2 },
	{ "+++\ntags = \"x\"\n+++\n", "toml tags=[x]", "", 4, 0, 0, 0 },
	{ "+++\ntags = [1, [2], \"a\"]\n+++\n", "toml tags=[1,a]", "", 4, 0, 1,
	    2 },
	{ "+++\ntags = {a = 1}\n+++\n", "toml", "", 4, 0, 1, 2 },
	{ "+++\ndraft = \"maybe\"\n+++\n", "toml", "", 4, 0, 1, 2 },
	{ "+++\ndraft = 1\n+++\n", "toml draft", "", 4, 0, 0, 0 },
	{ "+++\ndate = 2025\n+++\n", "toml", "", 4, 0, 1, 2 },
	{ "+++\ndate = \"yesterday\"\n+++\n", "toml", "", 4, 0, 1, 2 },
	{ "+++\ndate = 10:00:00\n+++\n", "toml", "", 4, 0, 1, 2 },
	{ "+++\n\n[extra]\nrating = \"great\"\n+++\n", "toml", "", 6, 0, 1, 4 },
	{ "+++\n[extra]\nrating = 170\n+++\n", "toml", "", 5, 0, 1, 3 },
	{ "+++\n[extra]\nrating = 11\nscale = 10\n+++\n", "toml", "", 6, 0, 1,
	    3 },
	{ "+++\n[extra]\nrating = \"4/0\"\n+++\n", "toml", "", 5, 0, 1, 3 },
	{ "+++\nextra = 3\n+++\n", "toml", "", 4, 0, 1, 2 },
	{ "+++\ntaxonomies = [1]\n+++\n", "toml", "", 4, 0, 1, 2 },
	{ "+++\ntitle = [\"a\"]\n+++\n", "toml", "", 4, 0, 1, 2 },
	/* YAML */
	{ "---\ntitle: Hello\ndate: 2025-01-19\n---\nbody\n",
	    "yaml title=Hello date=1737244800/2025-01-19", "body\n", 5, 0, 0,
	    0 },
	{ "---\r\ntitle: Hello\r\ndate: '2025-09-07'\r\n---\r\nbody\r\n",
	    "yaml title=Hello date=1757203200/2025-09-07", "body\r\n", 5, 0, 0,
	    0 },
	{ "---\ntitle: \"Quoted: yes\"\ndate: 2025-01-19 10:00:00 +0900\n"
	  "lastmod: 2025-01-19T10:00:00Z\ndraft: true\n---\n",
	    "yaml title=Quoted: yes date=1737248400/2025-01-19 "
	    "updated=1737280800 draft",
	    "", 7, 0, 0, 0 },
	{ "---\ndate: \"2025-01-19 10:00\"\ndraft: \"true\"\n---\n",
	    "yaml date=1737280800/2025-01-19 draft", "", 5, 0, 0, 0 },
	{ "---\ntags:\n  - a\n  - b\ncategories: [c, d]\naliases: /x/\n---\n",
	    "yaml tags=[a,b] cats=[c,d] aliases=[/x/]", "", 8, 0, 0, 0 },
	{ "---\ntitle: T\nparams:\n  rating: 4.5\n  featured: true\n"
	  "  short_title: S\ntaxonomies:\n  tags: [x]\n---\n",
	    "yaml title=T tags=[x] rating=4.5 featured short=S", "", 10, 0, 0,
	    0 },
	{ "---\nextra: {rating: \"4/5\", featured: false}\n---\n",
	    "yaml rating=4", "", 4, 0, 0, 0 },
	/* review metadata: stars or score on the scale the post states */
	{ "---\nparams:\n  stars: 4.5\n  director: Kiyotaka Oshiyama\n"
	  "  year: 2024\n---\n",
	    "yaml rating=4.5 Director=Kiyotaka Oshiyama Year=2024", "", 7, 0, 0,
	    0 },
	{ "---\nextra:\n  score: \"8/10\"\n  book_author: [A, B]\n---\n",
	    "yaml rating=4 Author=A, B", "", 6, 0, 0, 0 },
	{ "---\ndescription: >\n  folded\n  text\nslug: s\nlang: de\n---\n",
	    "yaml slug=s desc=folded text\n lang=de", "", 8, 0, 0, 0 },
	{ "---\ntitle: |\n  a\n  b\nurl: /p/\n---\n",
	    "yaml title=a\nb\n url=/p/", "", 7, 0, 0, 0 },
	{ "---\ntitle: 'it''s'\nsummary: \"tab\\there \\u00e9\"\n---\n",
	    "yaml title=it's desc=tab\there \xc3\xa9", "", 5, 0, 0, 0 },
	{ "---\ntitle: ~\nslug: null\ndraft:\n---\n", "yaml", "", 6, 0, 0, 0 },
	{ "---\n# only a comment\n---\nb", "yaml", "b", 4, 0, 0, 0 },
	{ "---\n---\n", "yaml", "", 3, 0, 0, 0 },
	{ "---\ntitle: 12\n---\n", "yaml title=12", "", 4, 0, 1, 2 },
	{ "---\nextra:\n  rating: .inf\n---\n", "yaml", "", 5, 0, 1, 3 },
	{ "---\nextra:\n  rating: .5\n---\n", "yaml rating=0.5", "", 5, 0, 0,
	    0 },
	{ "---\nextra:\n  rating: 4\n  featured: yes\n---\n",
	    "yaml rating=4 featured", "", 6, 0, 0, 0 },
	{ "---\ntitle: \"a\\0b\"\n---\n", "yaml title=a", "", 4, 0, 1, 2 },
	{ "---\ntitle: !!str 12\n---\n", "yaml title=12", "", 4, 0, 0, 0 },
	{ "---\ntitle: \"12\"\n---\n", "yaml title=12", "", 4, 0, 0, 0 },
	{ "---\ntags: x\n---\n", "yaml tags=[x]", "", 4, 0, 0, 0 },
	{ "---\nunknown:\n  deep:\n    - [1, 2]\n    - {a: b}\n---\n", "yaml",
	    "", 7, 0, 0, 0 },
	{ "---\n- a\n- b\n---\n", "yaml", "", 5, 0, 1, 2 },
	{ "---\njust text\n---\n", "yaml", "", 4, 0, 1, 2 },
	{ "---\nbase: &b x\ntitle: *b\n---\n", "yaml", "", 5, 0, 1, 3 },
	/* YAML errors, with libyaml's line */
	{ "---\ntitle: x\ntitle: y\n---\nbody", "yaml", "body", 5, 1, 0, 3 },
	{ "---\ntitle: x\n  bad: indent\n---\nbody", "yaml", "body", 5, 1, 0,
	    3 },
	{ "---\ntitle: [unclosed\n---\nbody", "yaml", "body", 4, 1, 0, 2 },
	{ "---\ntitle: \"unclosed\n---\nbody", "yaml", "body", 4, 1, 0, 2 },
	{ "---\na: 1\ntitle: \"bad \xff\"\n---\nbody", "yaml", "body", 5, 1, 0,
	    3 },
	{ "---\n\ttitle: x\n---\n", "yaml", "", 4, 1, 0, 2 },
	{ "---\n? [a]\n: b\n---\n", "yaml", "", 5, 1, 0, 2 },
	/* no user text is lost after a YAML --- that is a thematic break */
	{ "---\n\nSome text\n", "yaml", "\nSome text\n", 2, 1, 0, 1 },
};

static void
test_posts(void)
{
	struct buf b = BUF_INIT;
	struct diags d = { 0 };
	struct post_meta m;
	const struct post_case *c;
	size_t i, off;
	int line, rc;

	for (i = 0; i < ARRAY_LEN(post_cases); i++) {
		c = &post_cases[i];
		rc = frontmatter_parse(c->in, strlen(c->in), &m, &off, &line,
		    &d);
		summary(&b, &m);
		T_CASE("post case %zu: %zu diagnostics, first: %d %s", i, d.n,
		    d.n ? d.v[0].line : 0, d.n ? d.v[0].msg : "");
		T_STR(b.data, c->want);
		T_INT(rc, c->nerr ? -1 : 0);
		T_STR(c->in + off, c->body);
		T_INT(line, c->body_line);
		T_INT(diags_count(&d, DIAG_ERROR), c->nerr);
		T_INT(diags_count(&d, DIAG_WARN), c->nwarn);
		T_INT(d.n ? d.v[0].line : 0, c->line);
		T_INT(d.line_offset, 0);
		post_meta_free(&m);
		diags_free(&d);
	}
	T_CASE_END();
	buf_free(&b);
}

static void
test_misc(void)
{
	struct diags d = { 0 };
	struct post_meta m;
	struct buf b = BUF_INIT;
	size_t off;
	int line, i;

	/* the caller's line offset is kept and added to */
	d.line_offset = 10;
	T_INT(frontmatter_parse("+++\nx = \n+++\n", 13, &m, &off, &line, &d),
	    -1);
	T_INT(d.v[0].line, 12);
	T_INT(d.line_offset, 10);
	post_meta_free(&m);
	diags_free(&d);

	/* not NUL-terminated: only len bytes are read */
	T_INT(frontmatter_parse("+++\n+++\nXYZ", 8, &m, &off, &line, &d), 0);
	T_INT(off, 8);
	post_meta_free(&m);
	post_meta_free(NULL);

	/* deep nesting stops at the limit, not the stack: YAML, TOML */
	for (const char *const *f = (const char *const[]){ "---", "+++", NULL };
	     *f; f++) {
		T_CASE("10000 [ in %s", *f);
		buf_reset(&b);
		buf_printf(&b, "%s\nx%s", *f, **f == '-' ? ": " : " = ");
		for (i = 0; i < 10000; i++)
			buf_addc(&b, '[');
		buf_printf(&b, "\n%s\nbody", *f);
		T_INT(frontmatter_parse(b.data, b.len, &m, &off, &line, &d),
		    -1);
		T_STR(b.data + off, "body");
		post_meta_free(&m);
		diags_free(&d);
	}
	T_CASE_END();

	/* many tags: duplicates removed without quadratic blow-up limits */
	buf_reset(&b);
	buf_adds(&b, "---\ntags:\n");
	for (i = 0; i < 3000; i++)
		buf_printf(&b, "  - t%d\n", i % 100);
	buf_adds(&b, "---\n");
	T_INT(frontmatter_parse(b.data, b.len, &m, &off, &line, &d), 0);
	T_INT(m.ntags, 100);
	post_meta_free(&m);
	diags_free(&d);
	buf_free(&b);
}

/*
 * The YAML fast path against libyaml: whatever it takes, libyaml takes
 * to the same tree without a finding; what it leaves, libyaml parses.
 */
static void
test_yaml_simple(void)
{
	static const struct {
		const char *in;
		int taken;
	} cases[] = {
		{ "", 1 },
		{ "\n  \n", 1 },
		{ "title: \"Weight quiet, part 154\"\ndate: 2005-11-15\n"
		  "tags:\n  - tag274\n  - tag291\n",
		    1 },
		{ "title: Plain words, with commas [and] {braces}\n", 1 },
		{ "title: 'single \"quoted\"'\ndraft: true\nweight: -3\n", 1 },
		{ "a: 1\nb: 1.5\nc: -.5\nd: 1e3\ne: .inf\nf: -.Inf\ng: 0x10\n",
		    1 },
		{ "a: null\nb: ~\nc: Null\nd: NULL\ne: \"null\"\nf: yes\n", 1 },
		{ "a: TRUE\nb: False\nc: tRue\n", 1 },
		{ "date: 2025-01-19T10:00:00+02:00\nurl: /a/b/\nx: http://h/p\n",
		    1 },
		{ "tags:\n- a\n- b\n\n- c\nnext: 1\n", 1 },
		{ "tags:\n  - \"a b\"\n  - 'c'\n  - 12\n  - true\n", 1 },
		{ "empty:\nother: x\n", 1 },
		{ "a: x\na:\n", 1 },
		{ "a:\na: x\n", 1 },
		{ "trail: x   \nq: \"y\"  \n", 1 },
		{ "\n\nlate: 1\n", 1 },
		{ "book_author: A\nshort-title: B\nx.y: C\n2019: D\n", 1 },
		{ "a: b - c\nd: e :f\n", 1 },
		/* left to libyaml */
		{ "a: x\na: y\n", 0 },
		{ "tags:\n  - a\n  - b\ntags:\n  - c\n", 0 },
		{ "# comment\na: 1\n", 0 },
		{ "a: 1 # comment\n", 0 },
		{ "a: \"esc\\n\"\n", 0 },
		{ "a: 'it''s'\n", 0 },
		{ "a:\tb\n", 0 },
		{ "a: caf\xc3\xa9\n", 0 },
		{ "a: x\r\n", 0 },
		{ "params:\n  x: 1\n", 0 },
		{ "a: [1, 2]\n", 0 },
		{ "a: {b: 1}\n", 0 },
		{ "a: &x 1\nb: *x\n", 0 },
		{ "a: !!str 1\n", 0 },
		{ "a: |\n  text\n", 0 },
		{ "a: >\n  text\n", 0 },
		{ "a: one\n  two\n", 0 },
		{ "a: b: c\n", 0 },
		{ "a: b:\n", 0 },
		{ "a:b\n", 0 },
		{ "a : b\n", 0 },
		{ " a: b\n", 0 },
		{ "- a\n- b\n", 0 },
		{ "tags:\n  - a\n    - b\n", 0 },
		{ "tags:\n  - a\n - b\n", 0 },
		{ "tags:\n  -\n", 0 },
		{ "tags:\n  - \n", 0 },
		{ "tags:\n  - - a\n", 0 },
		{ "tags:\n  - a: b\n", 0 },
		{ "tags:\n  - ~\n", 0 },
		{ "a: x\n  - b\n", 0 },
		{ "---\na: 1\n", 0 },
		{ "...\n", 0 },
		{ "%YAML 1.2\n---\na: 1\n", 0 },
		{ "? a\n: b\n", 0 },
		{ "\"a\": b\n", 0 },
		{ "a: \"open\n", 0 },
		{ "a: 'x' y\n", 0 },
		{ "a: -\n", 0 },
		{ "a: - x\n", 0 },
		{ "just text\n", 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct toml_value *fast = NULL, *full = NULL;
		struct diags d = { 0 };
		const char *in = cases[i].in;
		int taken = frontmatter_yaml_simple(in, strlen(in), &fast);

		T_CASE("yaml case %zu: %s", i, in);
		T_INT(taken, cases[i].taken);
		if (taken) {
			T_INT(frontmatter_yaml_libyaml(in, strlen(in), &full,
				  &d),
			    0);
			T_INT(d.n, 0);
			T_OK(toml_same(fast, full));
		} else
			T_OK(fast == NULL);
		toml_free(fast);
		toml_free(full);
		diags_free(&d);
	}
	T_CASE_END();
}

int
main(void)
{
	test_posts();
	test_misc();
	test_yaml_simple();
	return t_done();
}
