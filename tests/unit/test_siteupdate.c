/*
 * test_siteupdate: the site model's incremental updates (issue 16),
 * in-process: site_update with the paths a watcher of the root reports
 * re-reads those only, and every page that depends on them follows (the
 * home page, neighbours, a page whose link named a missing post, tag
 * pages, search), with pages rendered and cached before each change and
 * a cache budget so small that everything is evicted after each request.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access.h"
#include "buf.h"
#include "config.h"
#include "gemini.h"
#include "gemtext.h"
#include "log.h"
#include "page.h"
#include "renderq.h"
#include "site.h"
#include "siteget.h"
#include "siteint.h"
#include "t.h"
#include "url.h"

static char root[256];

static void
put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static void
post(const char *rel, const char *title, const char *date, const char *tags,
    const char *body)
{
	char text[1024];

	snprintf(text, sizeof(text),
	    "---\ntitle: %s\ndate: %s\ntags: [%s]\n"
	    "---\n\n%s\n",
	    title, date, tags, body);
	put(rel, text);
}

static int
has(struct site *s, const char *path, const char *text)
{
	static char body[65536];

	return get(s, path, body, sizeof(body)) == 20 &&
	    strstr(body, text) != NULL;
}

/* Occurrences of text in body. */
static int
count(const char *body, const char *text)
{
	int n = 0;

	for (; (body = strstr(body, text)) != NULL; body++)
		n++;
	return n;
}

static int
update(struct site *s, const char *a, const char *b)
{
	const char *paths[2] = { a, b };

	return site_update(s, paths, b ? 2 : 1);
}

/* A BOM goes, CRLF and CR become LF, everything else stays. */
static void
test_normalise(void)
{
	static const char *const cases[][2] = {
		{ "", "" },
		{ "plain\ntext", "plain\ntext" },
		{ "\xef\xbb\xbf", "" },
		{ "\xef\xbb\xbf"
		  "a\nb",
		    "a\nb" },
		{ "\xef\xbb\xbf"
		  "a\r\nb\r\n",
		    "a\nb\n" },
		{ "a\rb\r\n\r\nc\r", "a\nb\n\nc\n" },
		{ "ab\r\r\n", "ab\n\n" },
		{ "x\xef\xbb\xbf", "x\xef\xbb\xbf" },
	};
	char buf[64];
	size_t i, n;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		T_CASE("normalise %zu", i);
		n = strlen(cases[i][0]);
		memcpy(buf, cases[i][0], n + 1);
		T_INT(site_normalise(buf, n), strlen(cases[i][1]));
		T_STR(buf, cases[i][1]);
	}
	T_CASE_END();
}

/*
 * Differential: a site edited in place (title, date, weight, terms) lists
 * exactly what the same files give when loaded afresh.
 */
static const char *const diff_paths[] = { "/", "/archive/", "/atom.xml",
	"/tags/", "/tags/red/", "/tags/blue/", "/tags/green/", "/tags/new/",
	"/tags/red/atom.xml", "/tags/new/atom.xml", "/posts/",
	"/posts/atom.xml", "/notes/", "/posts/p1/", "/posts/p2/", "/posts/p3/",
	"/posts/p4/", "/posts/p5/", "/notes/n1/", "/notes/n2/", "/notes/n3/",
	"/misc/", "/posts/p6/", "/posts/p7/", "/posts/p8/", "/posts/p9/",
	"/posts/p10/", "/tags/lone/", "/tags/lone/atom.xml", "/extra/",
	"/extra/atom.xml", "/extra/x1/", "/extra/x2/", "/notes/n4/",
	"/notes/n5/", "/notes/n6/", "/notes/atom.xml", "/more/",
	"/more/atom.xml", "/more/m1/", "/more/m2/", NULL };

/*
 * Readers same_paths compares as too, besides one without certificate
 * (their access the site's own: set with the site's options).
 */
static const char *as_fingerprints[2];

/* The whole answer to path, its header (a redirect's target) too. */
static int
fetch(struct site *s, const char *path, char *out, size_t size)
{
	return get_text(s, NULL, path, out, size, 1);
}

/*
 * 1 when s answers every one of paths (NULL-terminated) as the same
 * files loaded afresh do, header and body, and counts the same pages
 * and drafts.
 */
static int
same_paths(struct site *s, const struct site_opts *o, const char *what,
    const char *const *paths)
{
	static char a[1 << 17], b[1 << 17];
	struct site *f, *g = NULL;
	int fd = open(root, O_PATH | O_DIRECTORY), ok = 1, sa, sb;
	size_t i, k;
	struct viewer v[3];
	const struct viewer *as;

	f = site_new(root, fd, o);
	/* Its classes listed from the posts: s's from the base's copy. */
	if (f)
		f->class_afresh = 1;
	/* The counts the log gives, kept across edits, not counted each. */
	if (f && (s->npages != f->npages || s->ndrafts != f->ndrafts)) {
		fprintf(stderr, "%s: %zu pages, %zu drafts; afresh %zu, %zu\n",
		    what, s->npages, s->ndrafts, f->npages, f->ndrafts);
		ok = 0;
	}
	for (k = 0; k < 3; k++)
		access_viewer(k ? o->access : NULL,
		    k ? as_fingerprints[k - 1] : NULL, 0, &v[k]);
	/*
	 * And the same files loaded afresh once more, their classes listed
	 * from the base's copy (class_from_base), at their first request.
	 */
	if (f && (as_fingerprints[0] || as_fingerprints[1]))
		g = site_new(root, fd, o);
	for (k = 0; k < 3; k++) {
		if (k > 0 && as_fingerprints[k - 1] == NULL)
			continue;
		as = k ? &v[k] : NULL;
		for (i = 0; f && paths[i]; i++) {
			sa = get_text(s, as, paths[i], a, sizeof(a), 1);
			sb = get_text(f, as, paths[i], b, sizeof(b), 1);
			if (sa != sb || strcmp(a, b) != 0) {
				fprintf(stderr,
				    "%s: %s differs to %s (%d, %d):\n%s\n--\n"
				    "%s\n",
				    what, paths[i],
				    k ? as_fingerprints[k - 1] : "anyone", sa,
				    sb, a, b);
				ok = 0;
			}
			if (g == NULL || k == 0)
				continue;
			sa = get_text(g, as, paths[i], a, sizeof(a), 1);
			if (sa != sb || strcmp(a, b) != 0) {
				fprintf(stderr,
				    "%s: %s from the base's copy differs to %s "
				    "(%d, %d):\n%s\n--\n%s\n",
				    what, paths[i], as_fingerprints[k - 1], sa,
				    sb, a, b);
				ok = 0;
			}
		}
	}
	if (g)
		site_free(g);
	if (f)
		site_free(f);
	close(fd);
	return f && ok;
}

static int
same_as_fresh(struct site *s, const struct site_opts *o, const char *what)
{
	return same_paths(s, o, what, diff_paths);
}

static void
note(const char *rel, const char *title, const char *date, const char *w)
{
	char text[512];

	snprintf(text, sizeof(text),
	    "---\ntitle: %s\ndate: %s\n%s%s%s---\n\nSome text.\n", title, date,
	    w ? "weight: " : "", w ? w : "", w ? "\n" : "");
	put(rel, text);
}

/*
 * A fresh Hugo site in root (NAME under TMPDIR): its hugo.toml titled
 * title, with tags, and content/ plus each of the n folders in dirs.
 */
static void
new_site(const char *name, const char *title, const char *const *dirs, size_t n)
{
	char path[512], toml[256];
	size_t i;

	snprintf(root, sizeof(root), "%s/%s.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", name);
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(toml, sizeof(toml),
	    "title = \"%s\"\nbaseURL = \"gemini://localhost/\"\n"
	    "[taxonomies]\ntag = \"tags\"\n",
	    title);
	put("hugo.toml", toml);
	snprintf(path, sizeof(path), "%s/content", root);
	mkdir(path, 0755);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		mkdir(path, 0755);
	}
}

/* The end of a test's site: freed, its folder removed. */
static void
site_done(struct site *s, int fd)
{
	char cmd[600];

	site_free(s);
	close(fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
}

/*
 * Post rel written (its body "Text."), the site then as afresh at paths
 * (NULL: diff_paths).
 */
static int
posted(struct site *s, const struct site_opts *o, const char *rel,
    const char *title, const char *date, const char *tags, const char *what,
    const char *const *paths)
{
	post(rel, title, date, tags, "Text.");
	return update(s, rel, NULL) == 1 &&
	    same_paths(s, o, what, paths ? paths : diff_paths);
}

/* Post rel deleted, the site then as afresh at paths (NULL: diff_paths). */
static int
gone(struct site *s, const struct site_opts *o, const char *rel,
    const char *what, const char *const *paths)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	unlink(path);
	return update(s, rel, NULL) == 1 &&
	    same_paths(s, o, what, paths ? paths : diff_paths);
}

/*
 * An _index.md (rel) titled title, its body text, shown at path, the
 * site then the same as afresh; 1 when so.
 */
static int
intro_is(struct site *s, const struct site_opts *o, const char *rel,
    const char *title, const char *path, const char *text)
{
	char md[256];

	snprintf(md, sizeof(md), "---\ntitle: %s\n---\n\n%s\n", title, text);
	put(rel, md);
	return update(s, rel, NULL) == 1 && has(s, path, text) &&
	    same_as_fresh(s, o, text);
}

/*
 * Pages added past the room the lists keep at each end (64 at this size:
 * sitepages.c, lists_room; site.c, posts_room), the newest first and the
 * oldest last, then taken from both ends and the middle: every step as
 * afresh, the moved side's links and places followed and the room grown.
 * The zygote's room and a worker's own pages first, as a worker has them.
 */
#define ENDS_ADDED 80

static void
ends_paths(const char **paths, char urls[3][64], const char *a, const char *b,
    const char *c)
{
	const char *const fixed[] = { "/", "/posts/", "/tags/red/",
		"/posts/atom.xml", "/posts/p0/", "/posts/p9/" };
	size_t i;

	for (i = 0; i < 6; i++)
		paths[i] = fixed[i];
	snprintf(urls[0], 64, "/posts/%s/", a);
	snprintf(urls[1], 64, "/posts/%s/", b);
	snprintf(urls[2], 64, "/posts/%s/", c);
	for (i = 0; i < 3; i++)
		paths[6 + i] = urls[i];
	paths[9] = NULL;
}

static void
test_both_ends(void)
{
	static const char *const dirs[] = { "content/posts" };
	struct site_opts o;
	struct site *s;
	const char *paths[10];
	char rel[64], title[32], date[32], what[64], urls[3][64], a[16], b[16];
	char from[512], to[512];
	int fd, i, ok = 1;

	new_site("capsuled-ends", "Ends", dirs, 1);
	for (i = 0; i < 10; i++) {
		snprintf(rel, sizeof(rel), "content/posts/p%d.md", i);
		snprintf(title, sizeof(title), "Post %d", i);
		snprintf(date, sizeof(date), "2020-06-%02d", 20 - i);
		post(rel, title, date, "red", "Text.");
	}
	memset(&o, 0, sizeof(o));
	gemtext_opts_default(&o.render);
	o.base_url = "gemini://localhost";
	fd = open(root, O_PATH | O_DIRECTORY);
	s = site_new(root, fd, &o);
	T_OK(s != NULL);
	site_prefork(s);
	site_unshare(s);
	for (i = 0; ok && i < ENDS_ADDED; i++) {
		/* n<i> the newest so far, o<i> the oldest. */
		snprintf(rel, sizeof(rel), "content/posts/n%d.md", i);
		snprintf(title, sizeof(title), "New %d", i);
		snprintf(date, sizeof(date), "2021-%02d-%02d", 1 + i / 28,
		    1 + i % 28);
		snprintf(a, sizeof(a), "n%d", i);
		snprintf(b, sizeof(b), "n%d", i ? i - 1 : 0);
		ends_paths(paths, urls, a, b, "p0");
		snprintf(what, sizeof(what), "newest %d", i);
		ok = posted(s, &o, rel, title, date, "red", what, paths);
		snprintf(rel, sizeof(rel), "content/posts/o%d.md", i);
		snprintf(title, sizeof(title), "Old %d", i);
		snprintf(date, sizeof(date), "2019-%02d-%02d", 12 - i / 28,
		    28 - i % 28);
		snprintf(a, sizeof(a), "o%d", i);
		snprintf(b, sizeof(b), "o%d", i ? i - 1 : 0);
		ends_paths(paths, urls, a, b, "p9");
		snprintf(what, sizeof(what), "oldest %d", i);
		ok = ok && posted(s, &o, rel, title, date, "red", what, paths);
	}
	T_OK(ok);
	/* Taken away: the newest, the oldest, then from the middle. */
	for (i = ENDS_ADDED - 1; ok && i >= 0; i--) {
		snprintf(rel, sizeof(rel), "content/posts/n%d.md", i);
		snprintf(a, sizeof(a), "n%d", i ? i - 1 : 0);
		ends_paths(paths, urls, a, "p0", "p1");
		snprintf(what, sizeof(what), "newest %d gone", i);
		ok = gone(s, &o, rel, what, paths);
		snprintf(rel, sizeof(rel), "content/posts/o%d.md", i);
		snprintf(a, sizeof(a), "o%d", i ? i - 1 : 0);
		ends_paths(paths, urls, a, "p9", "p8");
		snprintf(what, sizeof(what), "oldest %d gone", i);
		ok = ok && gone(s, &o, rel, what, paths);
	}
	for (i = 3; ok && i < 7; i++) {
		snprintf(rel, sizeof(rel), "content/posts/p%d.md", i);
		ends_paths(paths, urls, "p2", "p7", "p8");
		snprintf(what, sizeof(what), "middle p%d gone", i);
		ok = gone(s, &o, rel, what, paths);
	}
	T_OK(ok);
	/*
	 * A page bundle moved in whole (a folder that held no post: no walk
	 * of the posts), then renamed (one that did).
	 */
	snprintf(from, sizeof(from), "%s/content/bund.tmp", root);
	mkdir(from, 0755);
	post("content/bund.tmp/index.md", "Bundled", "2022-03-03", "red",
	    "Text.");
	put("content/bund.tmp/pic.txt", "a picture\n");
	snprintf(to, sizeof(to), "%s/content/posts/bund", root);
	T_INT(rename(from, to), 0);
	ends_paths(paths, urls, "bund", "bund2", "p2");
	T_INT(update(s, "content/posts/bund", NULL), 1);
	T_OK(has(s, "/posts/bund/", "Bundled"));
	T_OK(same_paths(s, &o, "bundle moved in", paths));
	snprintf(from, sizeof(from), "%s/content/posts/bund2", root);
	T_INT(rename(to, from), 0);
	ends_paths(paths, urls, "bund", "bund2", "p2");
	T_INT(update(s, "content/posts/bund", "content/posts/bund2"), 1);
	T_OK(!has(s, "/posts/bund/", "Bundled"));
	T_OK(has(s, "/posts/bund2/", "Bundled"));
	T_OK(same_paths(s, &o, "bundle renamed", paths));
	/* The whole content said to change: every post looked at. */
	snprintf(from, sizeof(from), "%s/content/posts/p0.md", root);
	unlink(from);
	T_INT(update(s, "content", NULL), 1);
	T_OK(!has(s, "/posts/", "Post 0"));
	T_OK(same_paths(s, &o, "content rescanned", paths));
	site_done(s, fd);
}

static void
test_relist(void)
{
	struct site_opts o;
	struct site *s;
	char dir[512];
	int fd;

	static const char *const dirs[] = { "content/posts", "content/notes" };

	new_site("capsuled-relist", "Relist", dirs, 2);
	post("content/posts/p1.md", "Alpha", "2024-01-01", "red", "Text.");
	post("content/posts/p2.md", "Beta", "2024-01-01", "red, blue", "Text.");
	post("content/posts/p3.md", "Gamma", "2024-02-01", "blue", "Text.");
	post("content/posts/p4.md", "Delta", "2024-03-01", "green", "Text.");
	post("content/posts/p5.md", "Epsilon", "2024-04-01", "red", "Text.");
	snprintf(dir, sizeof(dir), "%s/content/misc", root);
	mkdir(dir, 0755);
	note("content/misc/m1.md", "Misc", "2024-06-01", NULL);
	put("content/notes/_index.md", "---\ntitle: Notes\n---\n");
	note("content/notes/n1.md", "One", "2024-01-05", "1");
	note("content/notes/n2.md", "Two", "2024-01-06", "2");
	note("content/notes/n3.md", "Three", "2024-01-07", "3");

	memset(&o, 0, sizeof(o));
	gemtext_opts_default(&o.render);
	o.search = 1;
	o.base_url = "gemini://localhost";
	o.cache_size = 1 << 20; /* pages stay cached between edits */
	fd = open(root, O_PATH | O_DIRECTORY);
	s = site_new(root, fd, &o);
	T_OK(s != NULL);
	T_OK(same_as_fresh(s, &o, "loaded"));

	/* A title among equal dates: after Beta now. */
	post("content/posts/p1.md", "Zeta", "2024-01-01", "red", "Text.");
	T_INT(update(s, "content/posts/p1.md", NULL), 1);
	T_OK(has(s, "/", "Zeta"));
	T_OK(has(s, "/search?zeta", "/posts/p1/")); /* indexed again */
	T_OK(same_as_fresh(s, &o, "title"));
	/* A date: from oldest to newest, and from the middle to oldest. */
	T_OK(posted(s, &o, "content/posts/p1.md", "Zeta", "2025-01-01", "red",
	    "date up", NULL));
	T_OK(posted(s, &o, "content/posts/p3.md", "Gamma", "2023-01-01", "blue",
	    "date down", NULL));
	/* Terms: one goes with its last page, one comes, one stays. */
	post("content/posts/p4.md", "Delta", "2024-03-01", "new", "Text.");
	T_INT(update(s, "content/posts/p4.md", NULL), 1);
	T_INT(get(s, "/tags/green/", dir, sizeof(dir)), 51);
	T_OK(has(s, "/tags/new/", "Delta"));
	T_OK(same_as_fresh(s, &o, "tag swapped"));
	T_OK(posted(s, &o, "content/posts/p2.md", "Beta", "2024-01-01", "blue",
	    "tag dropped", NULL));
	post("content/posts/p2.md", "Beta", "2024-01-01", "blue, new, green",
	    "Text.");
	T_INT(update(s, "content/posts/p2.md", NULL), 1);
	T_OK(same_as_fresh(s, &o, "tags added"));
	/* The body only, every feed made before: each feed follows. */
	post("content/posts/p2.md", "Beta", "2024-01-01", "blue, new, green",
	    "Other words.");
	T_INT(update(s, "content/posts/p2.md", NULL), 1);
	T_OK(has(s, "/tags/new/atom.xml", "Other words."));
	T_OK(same_as_fresh(s, &o, "body"));
	/* A draft: counted apart. */
	put("content/posts/p6.md",
	    "---\ntitle: Draft\ndate: 2024-05-01\ndraft: true\n---\n\nD.\n");
	T_INT(update(s, "content/posts/p6.md", NULL), 1);
	T_OK(s->ndrafts == 1);
	T_OK(same_as_fresh(s, &o, "draft"));
	/* Weights: the order of a section, and whether it is by date. */
	note("content/notes/n1.md", "One", "2024-01-05", "9");
	T_INT(update(s, "content/notes/n1.md", NULL), 1);
	T_OK(same_as_fresh(s, &o, "weight"));
	note("content/notes/n1.md", "One", "2024-01-05", NULL);
	note("content/notes/n2.md", "Two", "2024-01-06", NULL);
	note("content/notes/n3.md", "Three", "2024-01-07", NULL);
	T_INT(update(s, "content/notes/n1.md", "content/notes/n2.md"), 1);
	T_INT(update(s, "content/notes/n3.md", NULL), 1);
	T_OK(same_as_fresh(s, &o, "no weights"));
	/* A term spelt another way: listed afresh, the same. */
	T_OK(posted(s, &o, "content/posts/p5.md", "Epsilon", "2024-04-01",
	    "Red", "spelling", NULL));
	post("content/posts/p5.md", "Epsilon Two", "2022-04-01", "Red",
	    "Text.");
	T_INT(update(s, "content/posts/p5.md", NULL), 1);
	T_OK(same_as_fresh(s, &o, "spelling moved"));

	/* Two sections as busy: the home page's is the first listed. */
	note("content/notes/n4.md", "Four", "2021-01-01", NULL);
	note("content/notes/n5.md", "Five", "2021-01-02", NULL);
	T_INT(update(s, "content/notes/n4.md", "content/notes/n5.md"), 1);
	T_OK(same_as_fresh(s, &o, "tie"));
	note("content/notes/n4.md", "Four", "2026-01-01", NULL);
	T_INT(update(s, "content/notes/n4.md", NULL), 1);
	T_OK(same_as_fresh(s, &o, "tie, notes first"));
	note("content/notes/n4.md", "Four", "2021-01-01", NULL);
	T_INT(update(s, "content/notes/n4.md", NULL), 1);
	T_OK(same_as_fresh(s, &o, "tie, posts first"));

	/*
	 * Posts coming and going (edit2): each step compared with a fresh
	 * load; the home page, archive, sections, terms and neighbours.
	 * First the one spelling again: a term spelt two ways lists the
	 * terms afresh at each change.
	 */
	post("content/posts/p5.md", "Epsilon Two", "2022-04-01", "red",
	    "Text.");
	T_INT(update(s, "content/posts/p5.md", NULL), 1);
	T_OK(same_as_fresh(s, &o, "spelling undone"));
	post("content/posts/p7.md", "Eta", "2024-02-15", "red, blue", "Text.");
	T_INT(update(s, "content/posts/p7.md", NULL), 1);
	T_OK(has(s, "/tags/red/", "Eta"));
	T_OK(same_as_fresh(s, &o, "added"));
	T_OK(posted(s, &o, "content/posts/p8.md", "Theta", "2030-01-01", "lone",
	    "added, newest, own tag", NULL));
	T_OK(posted(s, &o, "content/posts/p9.md", "Iota", "", "red",
	    "added, undated", NULL));
	T_OK(posted(s, &o, "content/posts/p10.md", "Kappa", "2024-02-15", "red",
	    "added, a date tie", NULL));
	T_OK(gone(s, &o, "content/posts/p10.md", "deleted, a date tie", NULL));
	snprintf(dir, sizeof(dir), "%s/content/posts/p7.md", root);
	unlink(dir);
	T_INT(update(s, "content/posts/p7.md", NULL), 1);
	T_OK(!has(s, "/tags/red/", "Eta"));
	T_OK(same_as_fresh(s, &o, "deleted"));
	/* The last page of a tag: its pages go. */
	snprintf(dir, sizeof(dir), "%s/content/posts/p8.md", root);
	unlink(dir);
	T_INT(update(s, "content/posts/p8.md", NULL), 1);
	T_INT(get(s, "/tags/lone/", dir, sizeof(dir)), 51);
	T_OK(same_as_fresh(s, &o, "deleted, last of its tag"));
	/* Expired: out; then not: in. */
	put("content/posts/p9.md",
	    "---\ntitle: Iota\ndate: 2024-03-02\n"
	    "expiryDate: 2001-01-01\n---\n\nT.\n");
	T_INT(update(s, "content/posts/p9.md", NULL), 1);
	T_INT(s->npages, 11);
	T_OK(same_as_fresh(s, &o, "unpublished"));
	post("content/posts/p9.md", "Iota", "2024-03-02", "red", "Text.");
	T_INT(update(s, "content/posts/p9.md", NULL), 1);
	T_INT(s->npages, 12);
	T_OK(same_as_fresh(s, &o, "published"));
	/* A draft, and a draft no more. */
	put("content/posts/p3.md",
	    "---\ntitle: Gamma\ndate: 2023-01-01\n"
	    "tags: [blue]\ndraft: true\n---\n\nT.\n");
	T_INT(update(s, "content/posts/p3.md", NULL), 1);
	T_OK(same_as_fresh(s, &o, "drafted"));
	T_OK(posted(s, &o, "content/posts/p3.md", "Gamma", "2023-01-01", "blue",
	    "undrafted", NULL));
	/* A new section (no _index.md), and its only page gone. */
	snprintf(dir, sizeof(dir), "%s/content/extra", root);
	mkdir(dir, 0755);
	post("content/extra/x1.md", "Extra", "2024-07-01", "red", "Text.");
	T_INT(update(s, "content/extra/x1.md", NULL), 1);
	T_OK(has(s, "/extra/", "Extra"));
	T_OK(same_as_fresh(s, &o, "new section"));
	T_OK(posted(s, &o, "content/extra/x2.md", "Extra Two", "2020-07-01", "",
	    "new section, second", NULL));
	snprintf(dir, sizeof(dir), "%s/content/extra/x1.md", root);
	unlink(dir);
	snprintf(dir, sizeof(dir), "%s/content/extra/x2.md", root);
	unlink(dir);
	T_INT(update(s, "content/extra/x1.md", "content/extra/x2.md"), 1);
	T_OK(same_as_fresh(s, &o, "section emptied"));
	/* Two new sections; the first goes, the second's page comes. */
	snprintf(dir, sizeof(dir), "%s/content/more", root);
	mkdir(dir, 0755);
	post("content/extra/x1.md", "Extra", "2030-07-01", "red", "Text.");
	T_INT(update(s, "content/extra/x1.md", NULL), 1);
	T_OK(posted(s, &o, "content/more/m1.md", "More", "2029-07-01", "red",
	    "two new sections", NULL));
	T_OK(gone(s, &o, "content/extra/x1.md", "the first emptied", NULL));
	T_OK(posted(s, &o, "content/more/m2.md", "More Two", "2019-07-01",
	    "blue", "the second's page", NULL));
	/* A page in the middle of a weighted section, then gone. */
	note("content/notes/n6.md", "Six", "2024-01-08", "2");
	T_INT(update(s, "content/notes/n6.md", NULL), 1);
	T_OK(same_as_fresh(s, &o, "added, weighted"));
	T_OK(gone(s, &o, "content/notes/n2.md", "deleted, weighted", NULL));
	/* A section's and the home page's _index.md: their bodies. */
	T_OK(intro_is(s, &o, "content/notes/_index.md", "Notes", "/notes/",
	    "About."));
	T_OK(intro_is(s, &o, "content/_index.md", "Home", "/", "Welcome one."));
	T_OK(intro_is(s, &o, "content/_index.md", "Home", "/", "Welcome two."));
	T_OK(intro_is(s, &o, "content/notes/_index.md", "Notes", "/notes/",
	    "About it."));

	site_done(s, fd);
}

/*
 * Lookup keys held by more than one post (a base name for ref, a 0.1
 * slug, a URL): when the post holding one goes, the next one in order
 * holds it, as a fresh load has it (the keys counted, not every post
 * walked). Bodies are rendered afresh at each request (cache_size 1).
 */
static void
test_shared_keys(void)
{
	static const char *const dirs[] = { "content/posts", "content/notes",
		"content/misc", "content/extra" };
	static const char *const paths[] = { "/misc/linker/", "/posts/dup.gmi",
		"/posts/dup/", "/notes/dup/", "/extra/dup/", "/same/", "/",
		"/archive/", NULL };
	struct site_opts o;
	struct site *s;
	struct viewer v;
	struct access acc;
	char cmd[600];
	int fd;

	new_site("capsuled-keys", "Keys", dirs, 4);
	post("content/posts/dup.md", "Dup Posts", "2024-01-01", "", "P.");
	post("content/notes/dup.md", "Dup Notes", "2023-01-01", "", "N.");
	post("content/misc/linker.md", "Linker", "2022-01-01", "",
	    "See [d](dup.md) and [s](/same/).");
	put("content/posts/samea.md",
	    "---\ntitle: Same A\ndate: 2024-05-01\nurl: /same/\n---\n\nA.\n");
	put("content/notes/sameb.md",
	    "---\ntitle: Same B\ndate: 2021-05-01\nurl: /same/\n---\n\nB.\n");
	memset(&o, 0, sizeof(o));
	gemtext_opts_default(&o.render);
	o.base_url = "gemini://localhost";
	o.cache_size = 1;
	fd = open(root, O_PATH | O_DIRECTORY);
	s = site_new(root, fd, &o);
	T_OK(s != NULL);
	T_OK(has(s, "/misc/linker/", "=> /posts/dup/"));
	T_OK(same_paths(s, &o, "keys loaded", paths));
	T_OK(gone(s, &o, "content/posts/dup.md", "keys: holder gone", paths));
	T_OK(has(s, "/misc/linker/", "=> /notes/dup/"));
	T_OK(posted(s, &o, "content/posts/dup.md", "Dup Posts", "2024-01-01",
	    "", "keys: holder back", paths));
	T_OK(posted(s, &o, "content/extra/dup.md", "Dup Extra", "2025-01-01",
	    "", "keys: a third, first", paths));
	T_OK(gone(s, &o, "content/notes/dup.md", "keys: the last holder gone",
	    paths));
	T_OK(
	    gone(s, &o, "content/extra/dup.md", "keys: the first gone", paths));
	T_OK(gone(s, &o, "content/posts/dup.md", "keys: none left", paths));
	T_OK(!has(s, "/misc/linker/", "=> /posts/dup/"));
	T_OK(gone(s, &o, "content/posts/samea.md", "keys: URL holder gone",
	    paths));
	T_OK(has(s, "/misc/linker/", "=> /same/"));
	put("content/posts/samea.md",
	    "---\ntitle: Same A\ndate: 2024-05-01\nurl: /same/\n---\n\nA.\n");
	T_INT(update(s, "content/posts/samea.md", NULL), 1);
	T_OK(same_paths(s, &o, "keys: URL holder back", paths));
	/* A draft bundle: its files as hidden as its page. */
	snprintf(cmd, sizeof(cmd), "%s/content/posts/bd", root);
	mkdir(cmd, 0755);
	put("content/posts/bd/pic.txt", "p\n");
	put("content/posts/bd/index.md",
	    "---\ntitle: Bd\ndate: 2024-06-01\ndraft: true\n---\n\nB.\n");
	T_INT(update(s, "content/posts/bd/index.md", NULL), 1);
	memset(&acc, 0, sizeof(acc)); /* rules that show no draft */
	access_viewer(&acc, NULL, 0, &v);
	T_INT(site_file_status(s, &v, "content/posts/bd/pic.txt"),
	    GEMINI_NOT_FOUND);
	put("content/posts/bd/index.md",
	    "---\ntitle: Bd\ndate: 2024-06-01\n---\n\nB.\n");
	T_INT(update(s, "content/posts/bd/index.md", NULL), 1);
	T_INT(site_file_status(s, &v, "content/posts/bd/pic.txt"), 0);
	T_INT(fetch(s, "/posts/bd/pic.txt", cmd, sizeof(cmd)), 0);
	T_STR(cmd, "file content/posts/bd/pic.txt");
	site_done(s, fd);
}

/*
 * The home page shows its first SITE_INDEX_POSTS pages of the busiest
 * section and every featured one: a featured page past those, made so,
 * added, unmade, deleted; the busiest section on a tie (the first
 * listed of them) when another section's page comes first by an edit.
 */
static void
test_home(void)
{
	static const char *const dirs[] = { "content/posts", "content/alpha",
		"content/beta" };
	static const char *const paths[] = { "/", "/atom.xml", "/archive/",
		NULL };
	static const char *const apaths[] = { "/old/al/", "/posts/al/", "/",
		NULL };
	struct site_opts o;
	struct site *s;
	char rel[128], date[32], title[32], cmd[600];
	int fd, i;

	new_site("capsuled-home", "Home", dirs, 3);
	for (i = 0; i < SITE_INDEX_POSTS + 10; i++) {
		snprintf(rel, sizeof(rel), "content/posts/h%03d.md", i);
		snprintf(date, sizeof(date), "2020-%02d-%02d", 1 + i / 28,
		    1 + i % 28);
		snprintf(title, sizeof(title), "Home %d", i);
		post(rel, title, date, "", "Text.");
	}
	memset(&o, 0, sizeof(o));
	gemtext_opts_default(&o.render);
	o.base_url = "gemini://localhost";
	o.cache_size = 1 << 20;
	fd = open(root, O_PATH | O_DIRECTORY);
	s = site_new(root, fd, &o);
	T_OK(s != NULL);
	T_OK(!has(s, "/", "Featured"));
	/*
	 * Its section lists every page, newest first (read from the
	 * neighbour links), its feed the newest SITE_FEED_POSTS.
	 */
	{
		static char body[1 << 16];
		const char *a, *b;

		T_INT(get(s, "/posts/", body, sizeof(body)), 20);
		T_INT(count(body, "=> /posts/h"), SITE_INDEX_POSTS + 10);
		a = strstr(body, "Home 109\n");
		b = strstr(body, "Home 108\n");
		T_OK(a && b && a < b);
		T_INT(get(s, "/posts/atom.xml", body, sizeof(body)), 20);
		T_INT(count(body, "<entry>"), SITE_FEED_POSTS);
		T_OK(strstr(body, "Home 109") != NULL);
	}
	put("content/posts/h000.md",
	    "---\ntitle: Home 0\ndate: 2020-01-01\nfeatured: true\n---\n\nT.\n");
	T_INT(update(s, "content/posts/h000.md", NULL), 1);
	T_OK(has(s, "/", "★ Home 0"));
	T_OK(same_paths(s, &o, "home: the oldest featured", paths));
	post("content/posts/h000.md", "Home 0", "2020-01-01", "", "T.");
	T_INT(update(s, "content/posts/h000.md", NULL), 1);
	T_OK(!has(s, "/", "Featured"));
	T_OK(same_paths(s, &o, "home: not featured", paths));
	put("content/posts/old.md",
	    "---\ntitle: Old\ndate: 2001-01-01\nfeatured: true\n---\n\nT.\n");
	T_INT(update(s, "content/posts/old.md", NULL), 1);
	T_OK(has(s, "/", "★ Old"));
	T_OK(same_paths(s, &o, "home: an old featured page added", paths));
	T_OK(gone(s, &o, "content/posts/old.md",
	    "home: the old featured page gone", paths));
	T_OK(!has(s, "/", "Featured"));
	/* An alias comes and goes with its page. */
	put("content/posts/al.md",
	    "---\ntitle: Al\ndate: 2024-06-01\naliases: [/old/al/]\n---\n"
	    "\nA.\n");
	T_INT(update(s, "content/posts/al.md", NULL), 1);
	T_INT(fetch(s, "/old/al/", cmd, sizeof(cmd)), 31);
	T_OK(same_paths(s, &o, "home: an alias added", apaths));
	snprintf(cmd, sizeof(cmd), "%s/content/posts/al.md", root);
	unlink(cmd);
	T_INT(update(s, "content/posts/al.md", NULL), 1);
	T_INT(fetch(s, "/old/al/", cmd, sizeof(cmd)), 51);
	T_OK(same_paths(s, &o, "home: an alias gone", apaths));
	/* Two other sections, busier, as busy: the first listed's. */
	for (i = 0; i < 2 * SITE_INDEX_POSTS + 40; i++) {
		snprintf(rel, sizeof(rel), "content/%s/x%03d.md",
		    i % 2 ? "beta" : "alpha", i);
		snprintf(date, sizeof(date), "2021-%02d-%02d", 1 + i / 28,
		    1 + i % 28);
		snprintf(title, sizeof(title), "Busy %d", i);
		post(rel, title, date, "", "Text.");
	}
	T_INT(update(s, "content", NULL), 1);
	T_OK(has(s, "/", "Busy 239")); /* the newest: beta's */
	T_OK(same_paths(s, &o, "home: two as busy", paths));
	post("content/alpha/x000.md", "Busy 0", "2022-01-01", "", "Text.");
	T_INT(update(s, "content/alpha/x000.md", NULL), 1);
	T_OK(!has(s, "/", "Busy 239"));
	T_OK(same_paths(s, &o, "home: the other first", paths));
	post("content/beta/x001.md", "Busy 1", "2022-02-01", "", "Text.");
	T_INT(update(s, "content/beta/x001.md", NULL), 1);
	T_OK(has(s, "/", "Busy 239"));
	T_OK(same_paths(s, &o, "home: the first again", paths));
	site_done(s, fd);
}

/*
 * Differential, at random: a site of RND_SLOTS possible posts in four
 * sections (one with an _index.md and weights), tags from a small pool,
 * some featured, most in one section (its home page shows its first
 * SITE_INDEX_POSTS), is changed one file (or one rename) at a time:
 * added, deleted, its body, title, date, weight, tags, draft, expiry or
 * featured flag changed, renamed, moved to another section. After each
 * change every generated page, and the post pages, are compared with a
 * fresh load of the same files (pages made and cached before each
 * change, so what a change must drop is dropped).
 */
#define RND_SLOTS 200
#define RND_STEPS 160

static const char *const rnd_secs[] = { "posts", "notes", "misc", "extra" };
static const char *const rnd_tags[] = { "red", "blue", "green", "gold", "grey",
	"pink", "teal", "own0", "own1", "own2" };
static const char *const rnd_titles[] = { "Alpha", "beta", "Gamma", "delta",
	"Alpha", "Zeta" };

struct rnd_post {
	int exists, sec, name, title, y, m, d, weight;
	int tags, draft, expired, featured, body;
	int bundle; /* its folder's index.md, a file beside it */
	int alias;  /* 1: /old/rNNN/, 2: and /old/shared/ */
};

static struct rnd_post rnd[RND_SLOTS];
static unsigned long rnd_state = 12345;

static int
rnd_int(int n)
{
	rnd_state = rnd_state * 6364136223846793005UL + 1442695040888963407UL;
	return (int)((rnd_state >> 33) % (unsigned long)n);
}

static void
rnd_rel(const struct rnd_post *r, char *rel, size_t n)
{
	snprintf(rel, n,
	    r->bundle ? "content/%s/r%03d/index.md" : "content/%s/r%03d.md",
	    rnd_secs[r->sec], r->name);
}

/* Written anew (another inode: seen changed whatever its size and time). */
static void
rnd_write(const struct rnd_post *r)
{
	char rel[128], text[1024], tags[256] = "", date[64] = "", extra[256];
	char from[512], to[512], al[128];
	size_t i;

	for (i = 0; i < ARRAY_LEN(rnd_tags); i++)
		if (r->tags & (1 << i))
			snprintf(tags + strlen(tags),
			    sizeof(tags) - strlen(tags), "%s%s",
			    tags[0] ? ", " : "", rnd_tags[i]);
	if (r->y)
		snprintf(date, sizeof(date), "date: %04d-%02d-%02d\n", r->y,
		    r->m, r->d);
	al[0] = '\0';
	if (r->alias)
		snprintf(al, sizeof(al), "aliases: [/old/r%03d/%s]\n", r->name,
		    r->alias == 2 ? ", /old/shared/" : "");
	snprintf(extra, sizeof(extra), "%s%s%s%s%s", al,
	    r->draft ? "draft: true\n" : "",
	    r->expired ? "expiryDate: 2001-01-01\n" : "",
	    r->featured ? "featured: true\n" : "",
	    r->weight == 1     ? "weight: 1\n" :
		r->weight == 2 ? "weight: 2\n" :
				 "");
	snprintf(text, sizeof(text),
	    "---\ntitle: %s %d\n%stags: [%s]\n%s---\n\nBody %d of %d.\n",
	    rnd_titles[r->title], r->title == 4 ? 0 : r->name % RND_SLOTS, date,
	    tags, extra, r->body, r->name);
	put("content/new.tmp", text);
	rnd_rel(r, rel, sizeof(rel));
	if (r->bundle) {
		/* Its folder, and a file in it served beside its page. */
		snprintf(from, sizeof(from), "%s/%s", root, rel);
		*strrchr(from, '/') = '\0';
		mkdir(from, 0755);
		snprintf(from, sizeof(from), "%s", rel);
		strcpy(strrchr(from, '/'), "/pic.txt");
		put(from, "a picture\n");
	}
	snprintf(from, sizeof(from), "%s/content/new.tmp", root);
	snprintf(to, sizeof(to), "%s/%s", root, rel);
	if (rename(from, to) != 0)
		perror(to);
}

/* Fresh attributes for slot i. */
static void
rnd_fill(struct rnd_post *r, int i)
{
	memset(r, 0, sizeof(*r));
	r->exists = 1;
	r->name = i;
	r->sec = rnd_int(10) < 7 ? 0 : 1 + rnd_int(3);
	r->title = rnd_int((int)ARRAY_LEN(rnd_titles));
	r->y = rnd_int(12) == 0 ? 0 : 2020 + rnd_int(3);
	r->m = 1 + rnd_int(3);
	r->d = 1 + rnd_int(3);
	r->tags =
	    rnd_int(1 << 7) | (rnd_int(8) == 0 ? 1 << (7 + rnd_int(3)) : 0);
	r->featured = rnd_int(25) == 0;
	r->bundle = rnd_int(6) == 0;
	r->alias = rnd_int(8) == 0 ? 1 + rnd_int(2) : 0;
	r->weight = r->sec == 1 && rnd_int(4) == 0 ? 1 + rnd_int(2) : 0;
}

/* A list of paths, NULL-terminated. */
struct rnd_list {
	char *v[1024];
	size_t n;
};

static void
rnd_add(struct rnd_list *l, char *path)
{
	if (l->n + 1 < ARRAY_LEN(l->v))
		l->v[l->n++] = path;
	else
		free(path);
	l->v[l->n] = NULL;
}

static void
rnd_free(struct rnd_list *l)
{
	while (l->n > 0)
		free(l->v[--l->n]);
	l->v[0] = NULL;
}

/* The URL of content path rel: content/posts/r001.md is /posts/r001/. */
static char *
rnd_url(const char *rel)
{
	char *u = xstrdup(rel + strlen("content"));

	if (util_ends_with(u, strlen(u), "/index.md"))
		u[strlen(u) - strlen("index.md")] = '\0';
	else
		strcpy(strrchr(u, '.'), "/");
	return u;
}

/* Every generated page the site may have; the post pages when posts. */
static void
rnd_paths(struct rnd_list *l, int posts)
{
	char rel[128];
	size_t i;

	rnd_add(l, xstrdup("/"));
	rnd_add(l, xstrdup("/archive/"));
	rnd_add(l, xstrdup("/atom.xml"));
	rnd_add(l, xstrdup("/tags/"));
	for (i = 0; i < ARRAY_LEN(rnd_tags); i++) {
		rnd_add(l, xasprintf("/tags/%s/", rnd_tags[i]));
		rnd_add(l, xasprintf("/tags/%s/atom.xml", rnd_tags[i]));
	}
	for (i = 0; i < ARRAY_LEN(rnd_secs); i++) {
		rnd_add(l, xasprintf("/%s/", rnd_secs[i]));
		rnd_add(l, xasprintf("/%s/atom.xml", rnd_secs[i]));
	}
	rnd_add(l, xstrdup("/old/shared/"));
	for (i = 0; posts && i < RND_SLOTS; i++)
		if (rnd[i].exists) {
			char *u;

			rnd_rel(&rnd[i], rel, sizeof(rel));
			rnd_add(l, u = rnd_url(rel));
			if (rnd[i].bundle)
				rnd_add(l, xasprintf("%spic.txt", u));
			if (rnd[i].alias)
				rnd_add(l,
				    xasprintf("/old/r%03d/", rnd[i].name));
		}
}

static void
test_random(unsigned long seed, int steps, const struct access *acc)
{
	static const char *const dirs[] = { "content/posts", "content/notes",
		"content/misc", "content/extra" };
	static const char *const ops[] = { "delete", "body", "title", "date",
		"tags", "draft", "expiry", "featured", "rename", "move",
		"undated", "weight" };
	struct site_opts o;
	struct site *s;
	char rel[128], rel2[128], what[320], buf[1024];
	struct rnd_list l = { { 0 }, 0 };
	int fd, i, step, ok = 1;

	rnd_state = seed;
	memset(rnd, 0, sizeof(rnd));
	new_site("capsuled-random", "Random", dirs, 4);
	put("content/notes/_index.md", "---\ntitle: Notes\n---\n");
	for (i = 0; i < RND_SLOTS; i++) {
		if (rnd_int(10) == 0)
			continue;
		rnd_fill(&rnd[i], i);
		rnd_write(&rnd[i]);
	}
	memset(&o, 0, sizeof(o));
	gemtext_opts_default(&o.render);
	o.base_url = "gemini://localhost";
	o.cache_size = 1 << 22; /* pages stay cached between changes */
	o.access = acc;
	fd = open(root, O_PATH | O_DIRECTORY);
	s = site_new(root, fd, &o);
	T_OK(s != NULL);
	rnd_paths(&l, 1);
	T_OK(same_paths(s, &o, "random: loaded", (const char *const *)l.v));
	rnd_free(&l);
	for (step = 0; step < steps && ok; step++) {
		struct rnd_post *r = &rnd[rnd_int(RND_SLOTS)];
		int op = r->exists ? rnd_int((int)ARRAY_LEN(ops)) : -1;
		int two = op == 8 || op == 9;

		rnd_rel(r, rel, sizeof(rel));
		switch (op) {
		case -1:
			rnd_fill(r, (int)(r - rnd));
			break;
		case 0:
			snprintf(buf, sizeof(buf), "%s/%s", root, rel);
			unlink(buf);
			r->exists = 0;
			break;
		case 1:
			r->body++;
			break;
		case 2:
			r->title = rnd_int((int)ARRAY_LEN(rnd_titles));
			break;
		case 3:
			r->y = 2019 + rnd_int(5);
			r->m = 1 + rnd_int(3);
			break;
		case 4:
			r->tags ^= 1 << rnd_int((int)ARRAY_LEN(rnd_tags));
			break;
		case 5:
			r->draft = !r->draft;
			break;
		case 6:
			r->expired = !r->expired;
			break;
		case 7:
			r->featured = !r->featured;
			break;
		case 8: /* a new name, never another slot's */
			r->name += RND_SLOTS;
			break;
		case 9: /* another section */
			r->sec = (r->sec + 1 + rnd_int(3)) % 4;
			break;
		case 10:
			r->y = r->y ? 0 : 2021;
			break;
		default:
			r->weight = (r->weight + 1) % 3;
			break;
		}
		rnd_rel(r, rel2, sizeof(rel2));
		if (two) {
			char from[512], to[512];

			snprintf(from, sizeof(from), "%s/%s", root, rel);
			snprintf(to, sizeof(to), "%s/%s", root, rel2);
			if (r->bundle) { /* its index.md to a new folder */
				*strrchr(to, '/') = '\0';
				mkdir(to, 0755);
				snprintf(to, sizeof(to), "%s/%s", root, rel2);
			}
			if (rename(from, to) != 0)
				perror(from);
		} else if (op != 0)
			rnd_write(r);
		T_INT(update(s, two ? rel : rel2, two ? rel2 : NULL), 1);
		snprintf(what, sizeof(what), "random step %d: %s %s%s%s", step,
		    op < 0 ? "add" : ops[op], two ? rel : rel2,
		    two ? " to " : "", two ? rel2 : "");
		rnd_paths(&l, step % 8 == 0 || two);
		rnd_add(&l, rnd_url(rel)); /* its old URL: gone, as afresh */
		if (getenv("RND_TRACE"))
			fprintf(stderr, "%s\n", what);
		ok = same_paths(s, &o, what, (const char *const *)l.v);
		T_OK(ok);
		rnd_free(&l);
		/* Pages made again, as a live server's clients ask. */
		rnd_paths(&l, 0);
		for (i = 0; l.v[i]; i++)
			fetch(s, l.v[i], buf, sizeof(buf));
		rnd_free(&l);
	}
	site_done(s, fd);
}

/*
 * The site in root loaded with the test options (o filled), readers
 * judged by acc, searched when search is set; *fd its root's.
 */
static struct site *
site_open(struct site_opts *o, struct access *acc, int search, int *fd)
{
	memset(o, 0, sizeof(*o));
	gemtext_opts_default(&o->render);
	o->base_url = "gemini://localhost";
	o->access = acc;
	o->search = search;
	*fd = open(root, O_PATH | O_DIRECTORY);
	return site_new(root, *fd, o);
}

/*
 * Access rules: a reader whose certificate opens an area holding a post,
 * or who may see drafts, has pages of its own; a post coming into that
 * area (or a draft) makes it so, one going makes it share the others'
 * again (which rules cover a post counted, not walked).
 */
static void
test_classes(void)
{
	static const char *const dirs[] = { "content/posts",
		"content/private" };
	static const char *const paths[] = { "/", "/archive/", "/posts/",
		"/private/", "/private/p1/", "/posts/d1/", "/atom.xml", NULL };
	char *fa[] = { "aaaa" };
	struct protect_config rules[] = { { "/private/", fa, 1 } };
	struct access acc = { rules, 1, fa, 1, 0 };
	struct site_opts o;
	struct viewer v;
	const void *wait = NULL;
	struct site *s;
	int fd;

	new_site("capsuled-classes", "Classes", dirs, 2);
	post("content/posts/a.md", "A", "2024-01-01", "red", "Text.");
	s = site_open(&o, &acc, 0, &fd);
	T_OK(s != NULL);
	T_OK(same_paths(s, &o, "classes: loaded", paths));
	T_OK(posted(s, &o, "content/private/p1.md", "Secret", "2024-02-01",
	    "red", "classes: a protected post", paths));
	T_OK(gone(s, &o, "content/private/p1.md", "classes: none protected",
	    paths));
	/* No post of its area left: its reader shares the base pages. */
	access_viewer(&acc, "aaaa", 0, &v);
	T_OK(site_pageset_for(s, &v, &wait) == &s->base);
	put("content/posts/d1.md",
	    "---\ntitle: Draft\ndate: 2024-03-01\ndraft: true\n---\n\nD.\n");
	T_INT(update(s, "content/posts/d1.md", NULL), 1);
	T_OK(same_paths(s, &o, "classes: a draft", paths));
	T_OK(gone(s, &o, "content/posts/d1.md", "classes: no draft", paths));
	site_done(s, fd);
}

/* The key a listing or rendering done off the loop wakes. */
static const void *woken;

static void
on_done(void *arg, const void *key)
{
	(void)arg;
	woken = key;
}

static void
guard_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)t;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

/*
 * Runs loop until key is woken and no job is left (a change deferred
 * behind one applied), for 30 s at most. 1 when it was.
 */
static int
run_until_woken(struct ev_loop *loop, struct renderq *q, const void *key)
{
	ev_timer guard;
	int i;

	ev_timer_init(&guard, guard_cb, 30., 0.);
	ev_timer_start(loop, &guard);
	for (i = 0; i < 1000 && ev_is_active(&guard) &&
	     (woken != key || renderq_pending(q) > 0);
	     i++)
		ev_run(loop, EVRUN_ONCE);
	ev_timer_stop(loop, &guard);
	return woken == key;
}

/*
 * With render threads, a class is listed off the loop (issue 16): its
 * reader's first request waits (resp.wait, no page), the other readers
 * are answered meanwhile, and once woken it sees its pages; a change
 * made while it waits is in them too.
 */
static void
test_class_off_loop(void)
{
	static const char *const dirs[] = { "content/posts",
		"content/private" };
	char *fa[] = { "aaaa" };
	struct protect_config rules[] = { { "/private/", fa, 1 } };
	struct access acc = { rules, 1, NULL, 0, 0 };
	static char body[65536];
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct renderq *q = renderq_new(loop, 1);
	struct site_opts o;
	struct response r;
	struct buf f = BUF_INIT;
	struct viewer v;
	struct site *s;
	const void *key;
	int fd, k;

	T_OK(loop != NULL && q != NULL);
	new_site("capsuled-offloop", "Off", dirs, 2);
	post("content/posts/a.md", "Open A", "2024-01-01", "red", "Text.");
	post("content/private/p1.md", "Secret One", "2024-02-01", "red",
	    "Text.");
	s = site_open(&o, &acc, 0, &fd);
	T_OK(s != NULL);
	site_set_renderq(s, q, on_done, NULL);
	access_viewer(&acc, "aaaa", 0, &v);
	for (k = 0; k < 2; k++) {
		/* Twice: listed from the base's copy, then from the posts. */
		s->class_afresh = k;
		woken = NULL;
		answer(s, &v, "/", &r, &f);
		T_OK(r.wait != NULL && r.page == NULL);
		key = r.wait;
		/* Its class's other requests wait on the same listing. */
		answer(s, &v, "/private/", &r, &f);
		T_OK(r.wait == key && r.page == NULL);
		/* A reader without a certificate is answered at once. */
		T_INT(get(s, "/", body, sizeof(body)), 20);
		T_OK(strstr(body, "Open A") && !strstr(body, "Secret"));
		/* A change while it waits (applied after it, or before). */
		post(k ? "content/private/p3.md" : "content/private/p2.md",
		    k ? "Secret Three" : "Secret Two", "2024-03-01", "blue",
		    "Text.");
		update(s, k ? "content/private/p3.md" : "content/private/p2.md",
		    NULL);
		T_OK(run_until_woken(loop, q, key));
		T_INT(get_text(s, &v, "/archive/", body, sizeof(body), 0), 20);
		T_OK(strstr(body, "Secret One") && strstr(body, "Open A"));
		T_OK(strstr(body, k ? "Secret Three" : "Secret Two") != NULL);
		T_INT(get_text(s, &v, "/private/", body, sizeof(body), 0), 20);
		T_OK(strstr(body, "Secret One") != NULL);
		/* Listed: answered at once from now on. */
		answer(s, &v, "/tags/", &r, &f);
		T_OK(r.wait == NULL && r.page != NULL);
		page_unref(r.page);
		buf_free(&f);
		/* A change of its bounds drops the class: listed again. */
		put("hugo.toml",
		    "title = \"Off\"\nbaseURL = \"gemini://localhost/\"\n"
		    "[taxonomies]\ntag = \"tags\"\n");
		update(s, "hugo.toml", NULL);
		T_OK(run_until_woken(loop, q, NULL) || renderq_pending(q) == 0);
	}
	renderq_free(q);
	site_done(s, fd);
	ev_loop_destroy(loop);
}

/*
 * A body edited while the index is still being built (idle slices after
 * start-up): the page, already indexed, is found by its new words only.
 */
static void
test_edit_while_indexing(void)
{
	static const char *const dirs[] = { "content/posts" };
	struct site_opts o;
	struct site *s;
	char rel[64];
	int fd, i;

	new_site("capsuled-idxedit", "Idx", dirs, 1);
	for (i = 0; i < 3000; i++) {
		snprintf(rel, sizeof(rel), "content/posts/q%04d.md", i);
		post(rel, "Q", "2020-01-01", "", "Filler words here.");
	}
	post("content/posts/top.md", "Top", "2024-01-01", "", "Old aardvark.");
	memset(&o, 0, sizeof(o));
	gemtext_opts_default(&o.render);
	o.search = 1;
	o.base_url = "gemini://localhost";
	fd = open(root, O_PATH | O_DIRECTORY);
	s = site_new(root, fd, &o);
	T_OK(s != NULL);
	site_idle(s); /* one slice: the newest page, top, is indexed */
	post("content/posts/top.md", "Top", "2024-01-01", "", "New pangolin.");
	T_INT(update(s, "content/posts/top.md", NULL), 1);
	T_OK(has(s, "/search?pangolin", "/posts/top/"));
	T_OK(!has(s, "/search?aardvark", "/posts/top/"));
	site_done(s, fd);
}

/* Files beneath root: rel removed, or renamed from a to b. */
static void
unlink_rel(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	T_INT(unlink(path), 0);
}

static void
rename_rel(const char *a, const char *b)
{
	char from[512], to[512];

	snprintf(from, sizeof(from), "%s/%s", root, a);
	snprintf(to, sizeof(to), "%s/%s", root, b);
	T_INT(rename(from, to), 0);
}

/* 1 when v's search for q lists path. */
static int
found(struct site *s, const struct viewer *v, const char *q, const char *path)
{
	static char body[65536];
	char url[128];

	snprintf(url, sizeof(url), "/search?%s", q);
	return get_text(s, v, url, body, sizeof(body), 0) == 20 &&
	    strstr(body, path) != NULL;
}

/*
 * Search skips the visibility check for a page every client may see
 * (SEARCH_PLAIN): never for a protected page, a draft or one whose
 * section is not searched, and the flag follows the section's
 * _index.md and a page's move into a protected area.
 */
static void
test_search_plain(void)
{
	static const char *const dirs[] = { "content/posts", "content/private",
		"content/notes" };
	char *fa[] = { "aaaa" };
	struct protect_config rules[] = { { "/private/", fa, 1 } };
	struct access acc = { rules, 1, fa, 1, 0 };
	struct site_opts o;
	struct viewer anon, cert;
	struct site *s;
	int fd, k;

	new_site("capsuled-plain", "Plain", dirs, 3);
	post("content/posts/a.md", "A", "2024-01-01", "", "Zebra open.");
	post("content/private/p.md", "P", "2024-01-02", "", "Zebra secret.");
	post("content/notes/n.md", "N", "2024-01-03", "", "Zebra note.");
	put("content/posts/d.md",
	    "---\ntitle: D\ndate: 2024-01-04\ndraft: true\n---\n\n"
	    "Zebra draft.\n");
	s = site_open(&o, &acc, 1, &fd);
	T_OK(s != NULL);
	access_viewer(&acc, NULL, 0, &anon);
	access_viewer(&acc, "aaaa", 0, &cert);
	for (k = 0; k < 2; k++) {
		/* Twice: the pages indexed, then their flags worked out again. */
		T_OK(found(s, &anon, "zebra", "/posts/a/"));
		T_OK(found(s, &anon, "zebra", "/notes/n/"));
		T_OK(!found(s, &anon, "zebra", "/private/p/"));
		T_OK(!found(s, &anon, "zebra", "/posts/d/"));
		T_OK(found(s, &cert, "zebra", "/private/p/"));
		T_OK(found(s, &cert, "zebra", "/posts/d/"));
		site_search_reflag(s);
	}
	/* A section that is not searched: its pages leave the results. */
	put("content/notes/_index.md",
	    "+++\ntitle = \"Notes\"\nin_search_index = false\n+++\n");
	T_INT(update(s, "content/notes/_index.md", NULL), 1);
	T_OK(found(s, &anon, "zebra", "/posts/a/"));
	T_OK(!found(s, &anon, "zebra", "/notes/n/"));
	T_OK(!found(s, &cert, "zebra", "/notes/n/"));
	unlink_rel("content/notes/_index.md");
	T_INT(update(s, "content/notes/_index.md", NULL), 1);
	T_OK(found(s, &anon, "zebra", "/notes/n/"));
	/* A plain page moved into the protected area, and back. */
	rename_rel("content/posts/a.md", "content/private/a.md");
	T_INT(update(s, "content/posts/a.md", "content/private/a.md"), 1);
	T_OK(!found(s, &anon, "zebra", "/private/a/"));
	T_OK(!found(s, &anon, "zebra", "/posts/a/"));
	T_OK(found(s, &cert, "zebra", "/private/a/"));
	rename_rel("content/private/a.md", "content/posts/a.md");
	T_INT(update(s, "content/private/a.md", "content/posts/a.md"), 1);
	T_OK(found(s, &anon, "zebra", "/posts/a/"));
	/* A page made a draft in place. */
	put("content/notes/n.md",
	    "---\ntitle: N\ndate: 2024-01-03\ndraft: true\n---\n\n"
	    "Zebra note.\n");
	T_INT(update(s, "content/notes/n.md", NULL), 1);
	T_OK(!found(s, &anon, "zebra", "/notes/n/"));
	T_OK(found(s, &cert, "zebra", "/notes/n/"));
	site_done(s, fd);
}

int
main(void)
{
	struct site_opts o;
	struct site *s;
	char body[4096];
	int fd, i;

	log_set_verbosity(1, 0);
	static const char *const dirs[] = { "content/posts", "static" };

	new_site("capsuled-siteupdate", "Probe", dirs, 2);
	post("content/posts/a.md", "Post A", "2024-01-01", "xtag",
	    "Alpha text.");
	post("content/posts/b.md", "Post B", "2024-02-01", "xtag",
	    "Beta text.");
	post("content/posts/links.md", "Post Links", "2024-01-15", "",
	    "See [new](new.md) and [B](b.md).");

	memset(&o, 0, sizeof(o));
	gemtext_opts_default(&o.render);
	o.search = 1;
	o.base_url = "gemini://localhost";
	o.cache_size = 1; /* every rendered page evicted after its request */
	fd = open(root, O_PATH | O_DIRECTORY);
	s = site_new(root, fd, &o);
	T_OK(s != NULL);

	T_OK(has(s, "/", "=> /posts/b/ 2024-02-01 Post B"));
	T_OK(has(s, "/posts/links/", "=> /posts/b/"));
	T_OK(!has(s, "/posts/links/", "=> /posts/new/"));
	T_OK(has(s, "/posts/b/", "Beta text."));
	T_OK(has(s, "/posts/b/", "Beta text.")); /* again, rendered anew */
	T_INT(site_idle(s), 0); /* no index built before a search */
	T_OK(has(s, "/search?alpha", "/posts/a/")); /* index built */
	for (i = 0; i < 100 && site_idle(s); i++)
		;
	T_INT(site_idle(s), 0);

	/* Nothing to do: a path outside the content, a missing non-post. */
	T_INT(update(s, "static/x.png", NULL), 0);
	T_INT(update(s, "content/posts/b/img.png", NULL), 0);
	/* Unchanged file: no change. */
	T_INT(update(s, "content/posts/b.md", NULL), 0);

	/* Add: the link that named nothing resolves; lists and search follow. */
	post("content/posts/new.md", "Post New", "2024-03-01", "ztag",
	    "Gamma zebrafinch text.");
	T_INT(update(s, "content/posts/new.md", NULL), 1);
	T_OK(has(s, "/", "=> /posts/new/ 2024-03-01 Post New"));
	T_OK(has(s, "/posts/links/", "=> /posts/new/"));
	T_OK(has(s, "/tags/ztag/", "Post New"));
	T_OK(has(s, "/posts/b/", "=> /posts/new/")); /* newer neighbour */
	T_OK(has(s, "/search?zebrafinch", "/posts/new/"));

	/* Edit a title: home, tag page, neighbours. */
	post("content/posts/b.md", "Post B Edited", "2024-02-01", "xtag",
	    "Beta text.");
	T_INT(update(s, "./content/posts/b.md", NULL), 1);
	T_OK(has(s, "/", "Post B Edited"));
	T_OK(has(s, "/tags/xtag/", "Post B Edited"));
	T_OK(has(s, "/posts/new/", "Post B Edited")); /* older link */
	T_OK(has(s, "/atom.xml", "Post B Edited"));

	/* Edit a body: its page, search finds the new words only. */
	post("content/posts/b.md", "Post B Edited", "2024-02-01", "xtag",
	    "Beta quokka text.");
	T_INT(update(s, "content/posts/b.md", NULL), 1);
	T_OK(has(s, "/posts/b/", "quokka"));
	T_OK(has(s, "/search?quokka", "/posts/b/"));
	T_OK(!has(s, "/search?beta%20-quokka", "/posts/b/"));
	T_OK(has(s, "/search?beta%20text", "/posts/b/"));
	T_OK(has(s, "/posts/b.md", "quokka"));	      /* its source too */
	T_OK(has(s, "/atom.xml", "quokka"));	      /* the feed summary */
	T_OK(has(s, "/tags/xtag/", "Post B Edited")); /* lists stand */
	/* Edited in place (same front matter): later updates still find it. */
	post("content/posts/b.md", "Post B Edited", "2024-02-01", "xtag",
	    "Beta quokka wombat text.");
	T_INT(update(s, "content/posts/b.md", NULL), 1);
	T_OK(has(s, "/posts/b/", "wombat"));
	T_OK(has(s, "/posts/new/", "Post B Edited")); /* neighbour */

	/* Rename: both paths reported, as inotify's moved-from and -to. */
	snprintf(body, sizeof(body), "%s/content/posts/new.md", root);
	{
		char to[512];

		snprintf(to, sizeof(to), "%s/content/posts/new2.md", root);
		T_INT(rename(body, to), 0);
	}
	T_INT(update(s, "content/posts/new.md", "content/posts/new2.md"), 1);
	T_INT(get(s, "/posts/new/", body, sizeof(body)), 51);
	T_OK(has(s, "/posts/new2/", "Gamma zebrafinch"));
	T_OK(!has(s, "/posts/links/", "=> /posts/new/"));
	T_OK(!has(s, "/search?zebrafinch", "/posts/new/"));
	T_OK(has(s, "/search?zebrafinch", "/posts/new2/"));

	/* A folder: created with a post, then deleted whole. */
	snprintf(body, sizeof(body), "%s/content/posts/deep", root);
	mkdir(body, 0755);
	post("content/posts/deep/d.md", "Post Deep", "2024-04-01", "", "Deep.");
	T_INT(update(s, "content/posts/deep", NULL), 1);
	T_OK(has(s, "/", "Post Deep"));
	unlink(strcat(body, "/d.md"));
	*strrchr(body, '/') = '\0';
	rmdir(body);
	T_INT(update(s, "content/posts/deep", NULL), 1);
	T_OK(!has(s, "/", "Post Deep"));

	/* Delete: gone from lists and search. */
	snprintf(body, sizeof(body), "%s/content/posts/a.md", root);
	unlink(body);
	T_INT(update(s, "content/posts/a.md", NULL), 1);
	T_INT(get(s, "/posts/a/", body, sizeof(body)), 51);
	T_OK(!has(s, "/", "/posts/a/"));
	T_OK(!has(s, "/search?alpha", "/posts/a/"));

	/* robots.txt in static/: the capsule's own, a file to serve. */
	T_OK(has(s, "/robots.txt", "User-agent"));
	put("static/robots.txt", "User-agent: archiver\n");
	T_INT(update(s, "static/robots.txt", NULL), 1);
	T_INT(get(s, "/robots.txt", body, sizeof(body)), 0);

	/* The site config: read again whole. */
	put("hugo.toml",
	    "title = \"Probe Renamed\"\n"
	    "baseURL = \"gemini://localhost/\"\n[taxonomies]\ntag = \"tags\"\n");
	T_INT(update(s, "hugo.toml", NULL), 1);
	T_OK(has(s, "/", "# Probe Renamed"));
	T_OK(has(s, "/posts/b/", "quokka"));

	/* n == 0: a full scan, which finds nothing new. */
	T_INT(site_update(s, NULL, 0), 0);

	/*
	 * A summary (the text before <!--more-->) is made on the loop at
	 * every edit: from its first SITE_RENDER_INLINE bytes, cut after a
	 * paragraph (issue 10: nothing stalls).
	 */
	{
		struct buf t = BUF_INIT;
		char *big;

		buf_adds(&t,
		    "---\ntitle: Long\ndate: 2024-03-01\n---\n\n"
		    "summary-head\n\n");
		for (i = 0; i < 2000; i++) /* 62 KB */
			buf_adds(&t, "Some words of a long summary.\n\n");
		buf_adds(&t, "summary-tail\n\n<!--more-->\n\nThe rest.\n");
		put("content/posts/long.md", t.data);
		buf_free(&t);
		T_INT(update(s, "content/posts/long.md", NULL), 1);
		/* Its page: the summary, then the body: the tail once. */
		big = malloc(1 << 18);
		T_INT(get(s, "/posts/long/", big, 1 << 18), 20);
		T_INT(count(big, "summary-head"), 2);
		T_INT(count(big, "summary-tail"), 1);
		T_OK(strstr(big, "The rest.") != NULL);
		free(big);
	}

	{
		/*
		 * A path that vanished and held no post (an editor's
		 * temporary file, renamed away) changes nothing; a folder
		 * whose posts are two levels down takes them when it goes.
		 */
		char dir[512];

		snprintf(dir, sizeof(dir), "%s/content/posts/deep", root);
		mkdir(dir, 0755);
		strcat(dir, "/a");
		mkdir(dir, 0755);
		strcat(dir, "/b");
		mkdir(dir, 0755);
		post("content/posts/deep/a/b/c.md", "Deep C", "2024-04-01", "",
		    "Deep text.");
		T_INT(update(s, "content/posts/deep/a/b/c.md", NULL), 1);
		T_OK(has(s, "/posts/deep/a/b/c/", "Deep text."));
		T_INT(update(s, "content/posts/deep/a/b/c.md.tmp", NULL), 0);
		T_INT(update(s, "content/posts/nothing-here", NULL), 0);
		T_OK(has(s, "/", "Deep C"));
		snprintf(dir, sizeof(dir), "rm -rf '%s/content/posts/deep'",
		    root);
		T_INT(system(dir), 0);
		T_INT(update(s, "content/posts/deep", NULL), 1);
		T_INT(get(s, "/posts/deep/a/b/c/", body, sizeof(body)), 51);
		T_OK(!has(s, "/", "Deep C"));
	}

	site_done(s, fd);
	test_normalise();
	test_both_ends();
	test_relist();
	test_shared_keys();
	test_home();
	{
		/* The same with a protected section, and drafts hidden. */
		char *fa[] = { "aaaa" };
		struct protect_config rules[] = { { "/misc/", fa, 1 } };
		struct access acc = { rules, 1, fa, 1, 0 };

		test_random(12345, RND_STEPS, NULL);
		as_fingerprints[0] = "aaaa";
		as_fingerprints[1] = "bbbb";
		test_random(777, RND_STEPS / 2, &acc);
		test_classes();
		as_fingerprints[0] = as_fingerprints[1] = NULL;
	}
	test_edit_while_indexing();
	test_class_off_loop();
	test_search_plain();
	return t_done();
}
