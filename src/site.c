/*
 * site: the capsule model of one host. Posts are Markdown files anywhere
 * under the root; each is parsed (front matter, shortcodes, gemtext) once
 * and its page kept ready as one buffer, header and body together, so a
 * request never touches the disk. A stat walk each second notices added,
 * changed, renamed and deleted posts and rebuilds what they affect.
 * A broken post is logged with file:line and served as well as it can be.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "date.h"
#include "feed.h"
#include "frontmatter.h"
#include "gemini.h"
#include "gemtext.h"
#include "log.h"
#include "pages.h"
#include "prose.h"
#include "search.h"
#include "shortcode.h"
#include "site.h"
#include "url.h"
#include "utf8.h"

#define SITE_MAX_POST (16u << 20)	/* bytes of one Markdown file */
#define SITE_MAX_DEPTH 16		/* folder levels scanned */
#define SITE_MAX_FILES 200000		/* Markdown files per capsule */
#define SITE_INDEX_POSTS 100		/* newest posts on the index */
#define SITE_FEED_POSTS 50		/* entries in an Atom feed */
#define SITE_ROBOTS "User-agent: *\nAllow: /\n"

struct post {
	char *relpath;		/* e.g. posts/look-back.md */
	char *slug;
	char *title;
	char ymd[11];
	int64_t date;
	int dated;		/* date from front matter or file name */
	struct post_meta meta;
	struct stat st;		/* at parse time, for change detection */
	char *md;		/* the file, BOM stripped, LF line ends */
	size_t body_off;
	int body_line;
	char *body_gmi;
	char *summary;		/* text before <!--more-->, when no description */
	size_t words;
	struct diags diags;
	size_t parse_diags;	/* diags from parsing; rendering adds more */
	struct page *source;	/* 20 text/markdown + the file */
	int rendered;
	/* Where access rules look: the file, its page and its source URL. */
	char *addrs[3];
	struct post **links;	/* the posts its body links to */
	size_t nlinks, caplinks;
	int indexed;		/* in the search index */
};

struct tagpage {
	char *tag;
	char *enc;		/* percent-encoded, for the URL */
	struct page *gmi, *xml;
};

/*
 * The generated pages as one visibility class sees them (access.h): the
 * posts its clients may see, and only links to those.
 */
struct pageset {
	int built;
	char *key;		/* access_class_key of the class */
	struct post **listed;	/* newest first */
	struct page **pages;	/* post pages, parallel to listed */
	char **bodies;		/* bodies rendered for the class, or NULL */
	char *intro;		/* likewise for the intro */
	size_t nlisted;
	struct tagpage *tags;
	size_t ntags;
	struct page *index, *archive, *tagindex, *atom;
	struct strmap slugs;	/* slug -> index in listed, plus one */
	struct strmap tagmap;	/* tag -> index in tags, plus one */
};

struct alias {
	char *path;		/* decoded URL path, e.g. /old/look-back/ */
	struct page *redirect;	/* 31 to the post */
	struct post *post;
};

/* A file that failed to load, not retried until it changes. */
struct failed {
	char *relpath;
	struct stat st;
};

struct site {
	char *root;
	int rootfd;
	const struct access *access;	/* NULL: everyone sees everything */
	char *lang;
	char *base_url;
	struct gemtext_opts render;
	struct post **posts;	/* every post file, sorted newest first */
	size_t nposts;
	struct post *intro;	/* index.md at the root, or NULL */
	struct pageset base;	/* as a client without certificate sees it */
	struct pageset **classes;	/* other classes, built when asked */
	size_t nclasses;
	struct strmap classmap;	/* class key -> struct pageset */
	unsigned char *covered;	/* per protect rule: covers some post */
	int any_drafts;
	struct failed *failed;
	size_t nfailed;
	struct alias *aliases;
	size_t naliases;
	struct strmap aliasmap;	/* path -> struct alias */
	struct strmap by_relpath, by_slug;	/* -> struct post, all posts */
	struct page *robots;
	int logging;		/* log diagnostics (the server) */
	int standalone;		/* convert: no other posts to link to */
	int own_robots;		/* the capsule has its robots.txt */
	struct search *search;	/* the posts' full-text index, or NULL */
};

/* --- reading and parsing one post ------------------------------------ */

static char *
read_all(int dirfd, const char *rel, struct stat *st, size_t *len)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	ssize_t n;
	int fd;

	if ((fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return NULL;
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode) ||
	    (size_t)st->st_size > SITE_MAX_POST) {
		errno = S_ISREG(st->st_mode) ? EFBIG : EINVAL;
		close(fd);
		return NULL;
	}
	buf_grow(&b, (size_t)st->st_size);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 &&
	    b.len <= SITE_MAX_POST)
		buf_add(&b, chunk, (size_t)n);
	close(fd);
	if (n == -1) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b, len);
}

/* Strips a BOM and turns CRLF and CR into LF, in place. */
static size_t
normalise(char *s, size_t len)
{
	size_t i = 0, o = 0;

	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (; i < len; i++) {
		if (s[i] == '\r') {
			s[o++] = '\n';
			if (i + 1 < len && s[i + 1] == '\n')
				i++;
		} else
			s[o++] = s[i];
	}
	s[o] = '\0';
	return o;
}

/* Reports the first line holding invalid UTF-8 (cmark replaces it). */
static void
check_utf8(const char *s, size_t len, struct diags *d)
{
	size_t start = 0, i;
	int line = 1;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '\n')
			continue;
		if (!utf8_valid(s + start, i - start)) {
			diags_add(d, DIAG_ERROR, line,
			    "invalid UTF-8 (shown as U+FFFD)");
			return;
		}
		start = i + 1;
		line++;
	}
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* 1 when s starts with YYYY-MM-DD. */
static int
date_prefix(const char *s)
{
	int i;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return 0;
		} else if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return 1;
}

/*
 * The file's stem without extension and without a date prefix; for a
 * Hugo page bundle (x/index.md) the folder's name.
 */
static char *
stem_slug(const char *relpath)
{
	const char *b = base_name(relpath), *dot = strrchr(b, '.');
	size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b);

	if (b > relpath && n == 5 && strncmp(b, "index", 5) == 0) {
		const char *end = b - 1, *start = end;

		while (start > relpath && start[-1] != '/')
			start--;
		b = start;
		n = (size_t)(end - start);
	}

	if (n > 11 && date_prefix(b) && b[10] == '-') {
		b += 11;
		n -= 11;
	}
	return xstrndup(b, n);
}

static int
file_date(const char *name, int64_t *t, char ymd[11])
{
	char d[11];

	memcpy(d, name, 10);
	d[10] = '\0';
	return date_parse(d, t, ymd);
}

static size_t
count_words(const char *s)
{
	size_t n = 0;
	int in = 0;

	for (; *s; s++) {
		int space = *s == ' ' || *s == '\n' || *s == '\t';

		if (!space && !in)
			n++;
		in = !space;
	}
	return n;
}

static void
post_free(struct post *p)
{
	if (p == NULL)
		return;
	free(p->relpath);
	free(p->slug);
	free(p->title);
	post_meta_free(&p->meta);
	free(p->md);
	free(p->body_gmi);
	free(p->summary);
	diags_free(&p->diags);
	page_unref(p->source);
	for (size_t i = 0; i < ARRAY_LEN(p->addrs); i++)
		free(p->addrs[i]);
	free(p->links);
	free(p);
}

/*
 * Parses a post's text (md, malloc'd, taken over) and front matter, not
 * yet its body.
 */
static struct post *
post_parse(const char *relpath, char *md, size_t len, const struct stat *st)
{
	struct post *p = xcalloc(1, sizeof(*p));
	const char *b;

	p->relpath = xstrdup(relpath);
	p->md = md;
	p->st = *st;
	len = normalise(p->md, len);
	if (len == 0)
		diags_add(&p->diags, DIAG_WARN, 1, "empty file");
	check_utf8(p->md, len, &p->diags);
	frontmatter_parse(p->md, len, &p->meta, &p->body_off, &p->body_line,
	    &p->diags);
	p->slug = p->meta.slug && *p->meta.slug ? xstrdup(p->meta.slug) :
	    stem_slug(relpath);
	p->addrs[0] = xasprintf("/%s", relpath);
	p->addrs[1] = xasprintf("/posts/%s.gmi", p->slug);
	p->addrs[2] = xasprintf("/posts/%s.md", p->slug);
	/* No title: the first heading; for bare text, a title-like line. */
	if (p->meta.title && *p->meta.title)
		p->title = xstrdup(p->meta.title);
	else if ((p->title = prose_title(p->md + p->body_off, len -
	    p->body_off, p->meta.kind == FM_NONE)) == NULL) {
		char *stem = stem_slug(relpath);

		p->title = prose_name_title(stem);
		free(stem);
	}
	b = base_name(relpath);
	if (p->meta.has_date) {
		p->date = p->meta.date;
		memcpy(p->ymd, p->meta.date_ymd, sizeof(p->ymd));
		p->dated = 1;
	} else if (date_prefix(b) && file_date(b, &p->date, p->ymd) == 0)
		p->dated = 1;
	else if (strcmp(relpath, "index.md") != 0)	/* the intro needs none */
		/* Never the file's time: undated, and in no feed. */
		diags_add(&p->diags, DIAG_WARN, 0, "no date in front matter or "
		    "file name: shown undated, not in feeds");
	p->parse_diags = p->diags.n;
	return p;
}

static struct post *
post_load(int rootfd, const char *relpath, struct diags *err)
{
	struct stat st;
	size_t len;
	char *md;

	if ((md = read_all(rootfd, relpath, &st, &len)) == NULL) {
		diags_add(err, DIAG_ERROR, 0, "%s: %s", relpath, strerror(errno));
		return NULL;
	}
	return post_parse(relpath, md, len, &st);
}

/* --- link resolution ------------------------------------------------ */

/* The 1-based line of the first occurrence of needle in md, or 0. */
static int
line_of(const char *md, const char *needle, size_t n)
{
	const char *hit = memmem(md, strlen(md), needle, n), *p;
	int line = 1;

	if (hit == NULL || n == 0)
		return 0;
	for (p = md; p < hit; p++)
		line += *p == '\n';
	return line;
}

struct resolve_ctx {
	struct site *s;
	struct post *from;
	struct diags *d;	/* unresolved links are warned about here */
	/* NULL: link every post (and note them in from->links); else v's. */
	const struct viewer *v;
};

/*
 * The one visibility rule (access_source) applied to a post: by its
 * real file, its page URL and its source URL, and its draft flag.
 */
static int
post_status(const struct site *s, const struct viewer *v, const struct post *p)
{
	(void)s;
	return access_source(v, (const char *const *)p->addrs,
	    ARRAY_LEN(p->addrs), p->meta.draft);
}

static struct post *
find_by_relpath(struct site *s, const char *rel)
{
	return strmap_get(&s->by_relpath, rel, strlen(rel));
}

static struct post *
find_by_slug(struct site *s, const char *slug, size_t n)
{
	return strmap_get(&s->by_slug, slug, n);
}

/* The lookups by path and slug, after the set of posts changed. */
static void
index_posts(struct site *s)
{
	size_t i;

	strmap_free(&s->by_relpath);
	strmap_free(&s->by_slug);
	for (i = 0; i < s->nposts; i++) {
		strmap_put(&s->by_relpath, s->posts[i]->relpath,
		    strlen(s->posts[i]->relpath), s->posts[i]);
		strmap_put(&s->by_slug, s->posts[i]->slug,
		    strlen(s->posts[i]->slug), s->posts[i]);
	}
}

/* Joins dir (of the linking post) and a relative link; resolves dots. */
static char *
join_rel(const char *from, const char *dest, size_t n)
{
	struct buf b = BUF_INIT;
	const char *slash = strrchr(from, '/');
	char *out, *segs[256];
	size_t nseg = 0, i;
	char *p, *tok, *save;

	if (dest[0] != '/' && slash)
		buf_add(&b, from, (size_t)(slash - from + 1));
	buf_add(&b, dest[0] == '/' ? dest + 1 : dest,
	    dest[0] == '/' ? n - 1 : n);
	p = buf_detach(&b, NULL);
	for (tok = strtok_r(p, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			if (nseg)
				nseg--;
			continue;
		}
		if (nseg < ARRAY_LEN(segs))
			segs[nseg++] = tok;
	}
	for (i = 0; i < nseg; i++)
		buf_printf(&b, "%s%s", i ? "/" : "", segs[i]);
	out = buf_detach(&b, NULL);
	free(p);
	return out;
}

static int
site_resolve(void *arg, const char *dest, struct buf *out)
{
	struct resolve_ctx *rc = arg;
	struct post *target = NULL;
	const char *hash, *base;
	size_t n;
	char *rel;

	if (strstr(dest, "://") || strncmp(dest, "mailto:", 7) == 0)
		return 0;
	hash = strchr(dest, '#');
	n = hash ? (size_t)(hash - dest) : strlen(dest);
	if (!((n > 3 && strncmp(dest + n - 3, ".md", 3) == 0) ||
	    (n > 9 && strncmp(dest + n - 9, ".markdown", 9) == 0)))
		return 0;
	if (strncmp(dest, "@/", 2) == 0) {
		/* Zola: relative to the content folder, our root. */
		rel = join_rel("", dest + 2, n - 2);
	} else
		rel = join_rel(rc->from ? rc->from->relpath : "", dest, n);
	target = find_by_relpath(rc->s, rel);
	if (target == NULL) {
		/* Try posts/NAME.md and then the slug of the file name. */
		char *slug = stem_slug(rel);

		target = find_by_slug(rc->s, slug, strlen(slug));
		base = base_name(rel);
		if (target == NULL)
			for (size_t i = 0; i < rc->s->nposts; i++)
				if (strcmp(base_name(rc->s->posts[i]->relpath),
				    base) == 0) {
					target = rc->s->posts[i];
					break;
				}
		free(slug);
	}
	if (target == NULL) {
		char *msg = xasprintf("link to '%.*s' names no post in the "
		    "capsule", (int)n, dest);
		size_t i;

		for (i = 0; rc->d && i < rc->d->n; i++)
			if (strcmp(rc->d->v[i].msg, msg) == 0)
				break;
		if (rc->d && i == rc->d->n)
			diags_add(rc->d, DIAG_WARN,
			    rc->from ? line_of(rc->from->md, dest, n) : 0,
			    "%s", msg);
		free(msg);
		free(rel);
		return 0;
	}
	free(rel);
	if (rc->v && post_status(rc->s, rc->v, target) != 0)
		return -1;	/* a post this reader may not see: text only */
	if (rc->v == NULL && rc->from) {
		rc->from->links = xgrow(rc->from->links, &rc->from->caplinks,
		    rc->from->nlinks + 1, sizeof(*rc->from->links));
		rc->from->links[rc->from->nlinks++] = target;
	}
	{
		char *enc = url_encode_path(target->slug);

		buf_printf(out, "/posts/%s.gmi", enc);
		free(enc);
	}
	return 1;
}

/* --- rendering ------------------------------------------------------- */

/* Plain text of rendered gemtext (text, list and quote lines). */
static char *
gemtext_plain(const char *g)
{
	struct buf b = BUF_INIT;
	const char *p = g, *e;
	int pre = 0;

	while (*p) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if (strncmp(p, "```", 3) == 0)
			pre = !pre;
		else if (!pre && e > p && strncmp(p, "=>", 2) != 0 && *p != '#') {
			const char *t = p;

			if (strncmp(t, "* ", 2) == 0 || strncmp(t, "> ", 2) == 0)
				t += 2;
			if (b.len)
				buf_addc(&b, ' ');
			buf_add(&b, t, (size_t)(e - t));
		}
		p = *e ? e + 1 : e;
	}
	return buf_detach(&b, NULL);
}

/*
 * Reads a file that include or readfile names (path normalised by the
 * shortcode pass: relative, no dot segments): each folder is opened
 * without following a link, so nothing outside the root is ever read.
 * Both roots are the capsule root until the site model tells them apart.
 */
static int
read_included(void *arg, enum shortcode_root kind, const char *path,
    struct buf *out)
{
	const struct site *s = arg;
	struct stat st;
	char *seg = xstrdup(path), *p = seg, *slash, *text;
	size_t len;
	int dfd = s->rootfd, next;

	(void)kind;
	while ((slash = strchr(p, '/')) != NULL) {
		*slash = '\0';
		next = openat(dfd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (dfd != s->rootfd)
			close(dfd);
		if ((dfd = next) == -1)
			break;
		p = slash + 1;
	}
	text = dfd == -1 ? NULL : read_all(dfd, p, &st, &len);
	if (dfd != -1 && dfd != s->rootfd)
		close(dfd);
	free(seg);
	if (text == NULL)
		return -1;
	len = normalise(text, len);
	buf_add(out, text, len);
	free(text);
	return 0;
}

/* p's Markdown body with its shortcodes expanded, into md. */
static void
expand_body(struct site *s, const struct post *p, struct buf *md,
    struct diags *d)
{
	const char *body = p->md + p->body_off;
	struct shortcode_opts sco;
	char *dir;

	memset(&sco, 0, sizeof(sco));
	sco.read = read_included;
	sco.read_arg = s;
	sco.dir = dir = xstrdup(p->relpath);
	*(strrchr(dir, '/') ? strrchr(dir, '/') : dir) = '\0';
	shortcode_expand_opts(body, strlen(body), p->body_line, &sco, md, d);
	free(dir);
}

/*
 * The body of p as v may see it, when it links to a post v may not see
 * (those links become their text), else NULL: the common body serves.
 */
static char *
post_body_for(struct site *s, struct post *p, const struct viewer *v)
{
	struct gemtext_opts o = s->render;
	struct resolve_ctx rc = { s, p, NULL, v };
	struct buf md = BUF_INIT, g = BUF_INIT;
	struct diags d = { 0 };	/* reported by the first rendering */
	size_t i;

	for (i = 0; i < p->nlinks; i++)
		if (post_status(s, v, p->links[i]) != 0)
			break;
	if (i == p->nlinks)
		return NULL;
	expand_body(s, p, &md, &d);
	o.title = p->title;
	o.resolve = site_resolve;
	o.resolve_arg = &rc;
	gemtext_render(md.data, md.len, &o, &g, &d);
	diags_free(&d);
	buf_free(&md);
	return buf_detach(&g, NULL);
}

static void
post_render(struct site *s, struct post *p)
{
	struct gemtext_opts o = s->render;
	struct resolve_ctx rc = { s, p, &p->diags, NULL };
	struct buf md = BUF_INIT, g = BUF_INIT;
	const char *more;

	free(p->body_gmi);
	free(p->summary);
	p->summary = NULL;
	p->nlinks = 0;
	/* A re-render reports its findings afresh. */
	while (p->diags.n > p->parse_diags)
		free(p->diags.v[--p->diags.n].msg);
	expand_body(s, p, &md, &p->diags);
	o.title = p->title;
	if (!s->standalone) {
		o.resolve = site_resolve;
		o.resolve_arg = &rc;
	}
	/* Past a limit or unparsable: the reason is in diags, for the log. */
	if (gemtext_render(md.data, md.len, &o, &g, &p->diags) == -1)
		buf_adds(&g, "This post could not be rendered: it is larger or "
		    "more deeply nested than this server converts. The rest "
		    "of the capsule is served as usual.\n");
	p->body_gmi = buf_detach(&g, NULL);
	p->words = count_words(p->body_gmi);
	if (p->meta.description == NULL &&
	    (more = strstr(md.data, "<!--more-->")) != NULL) {
		struct gemtext_opts so = o;
		struct buf sg = BUF_INIT;

		so.links = GEMTEXT_LINKS_OFF;
		rc.d = NULL;
		gemtext_render(md.data, (size_t)(more - md.data), &so, &sg, NULL);
		p->summary = gemtext_plain(sg.data);
		buf_free(&sg);
	}
	buf_free(&md);
	p->rendered = 1;
}

static void
to_page_post(const struct post *p, struct page_post *pp)
{
	memset(pp, 0, sizeof(*pp));
	pp->slug = p->slug;
	pp->title = p->title;
	pp->ymd = p->ymd;
	pp->date = p->date;
	pp->updated = p->meta.has_updated ? p->meta.updated : 0;
	pp->description = p->meta.description ? p->meta.description :
	    p->summary;
	pp->tags = (const char *const *)p->meta.tags;
	pp->ntags = p->meta.ntags;
	pp->featured = p->meta.featured;
	pp->has_rating = p->meta.has_rating;
	pp->rating = p->meta.rating;
	pp->words = p->words;
	pp->body_gmi = p->body_gmi;
	pp->facts = p->meta.facts;
	pp->nfacts = p->meta.nfacts;
}

static void
text_meta(const char *lang, struct buf *meta)
{
	buf_adds(meta, "text/gemini; charset=utf-8");
	if (lang && *lang)
		buf_printf(meta, strchr(lang, ',') ? "; lang=\"%s\"" : "; lang=%s",
		    lang);
}

static struct page *
gemtext_page(const char *lang, const struct buf *body)
{
	struct buf meta = BUF_INIT;
	struct page *pg;

	text_meta(lang, &meta);
	pg = page_new(GEMINI_SUCCESS, meta.data, body->data, body->len);
	buf_free(&meta);
	return pg;
}

static int
post_cmp(const void *a, const void *b)
{
	const struct post *x = *(struct post *const *)a;
	const struct post *y = *(struct post *const *)b;

	if (x->dated != y->dated)	/* undated pages after the dated */
		return x->dated ? -1 : 1;
	if (x->date != y->date)
		return x->date > y->date ? -1 : 1;
	return strcmp(x->slug, y->slug);
}

static void
pageset_free(struct pageset *ps)
{
	size_t i;

	for (i = 0; i < ps->ntags; i++) {
		free(ps->tags[i].tag);
		free(ps->tags[i].enc);
		page_unref(ps->tags[i].gmi);
		page_unref(ps->tags[i].xml);
	}
	free(ps->tags);
	for (i = 0; i < ps->nlisted; i++) {
		page_unref(ps->pages[i]);
		free(ps->bodies[i]);
	}
	free(ps->pages);
	free(ps->bodies);
	free(ps->intro);
	free(ps->key);
	free(ps->listed);
	strmap_free(&ps->slugs);
	strmap_free(&ps->tagmap);
	page_unref(ps->index);
	page_unref(ps->archive);
	page_unref(ps->tagindex);
	page_unref(ps->atom);
	memset(ps, 0, sizeof(*ps));
}

static void
site_pages_free(struct site *s)
{
	size_t i;

	pageset_free(&s->base);
	for (i = 0; i < s->nclasses; i++) {
		pageset_free(s->classes[i]);
		free(s->classes[i]);
	}
	free(s->classes);
	s->classes = NULL;
	s->nclasses = 0;
	strmap_free(&s->classmap);
	for (i = 0; i < s->naliases; i++) {
		free(s->aliases[i].path);
		page_unref(s->aliases[i].redirect);
	}
	free(s->aliases);
	s->aliases = NULL;
	s->naliases = 0;
	strmap_free(&s->aliasmap);
}

static void
add_alias(struct site *s, const char *path, struct post *p)
{
	struct url u;
	const char *err;
	char *line;

	/* Normalise as a request would be, so lookups compare equal. */
	line = xasprintf("gemini://h%s%s", path[0] == '/' ? "" : "/", path);
	if (url_parse(line, strlen(line), &u, &err) == 0) {
		s->aliases = xrealloc(s->aliases,
		    (s->naliases + 1) * sizeof(*s->aliases));
		char *enc = url_encode_path(p->slug);
		char *to = xasprintf("%s/posts/%s.gmi", s->base_url, enc);

		s->aliases[s->naliases].path = xstrdup(u.path);
		s->aliases[s->naliases].post = p;
		/* Too long for a META: answered as a request would be. */
		if (strlen(to) > GEMINI_MAX_META)
			s->aliases[s->naliases].redirect = page_new(
			    GEMINI_BAD_REQUEST, "redirect target too long",
			    NULL, 0);
		else
			s->aliases[s->naliases].redirect = page_new(
			    GEMINI_REDIRECT_PERM, to, NULL, 0);
		s->naliases++;
		free(to);
		free(enc);
		url_free(&u);
	}
	free(line);
}

static void
add_tag(struct pageset *set, const char *tag)
{
	if (strmap_get(&set->tagmap, tag, strlen(tag)))
		return;
	set->tags = xrealloc(set->tags, (set->ntags + 1) * sizeof(*set->tags));
	set->tags[set->ntags].tag = xstrdup(tag);
	set->tags[set->ntags].enc = pages_tag_path(tag);
	set->tags[set->ntags].gmi = set->tags[set->ntags].xml = NULL;
	set->ntags++;
	/* Index plus one: NULL means absent; tags[] may still move. */
	strmap_put(&set->tagmap, set->tags[set->ntags - 1].tag, strlen(tag),
	    (void *)(uintptr_t)set->ntags);
}

/* Builds the pages of v's visibility class from the (sorted) posts. */
static void
pageset_build(struct site *s, struct pageset *set, const struct viewer *v)
{
	struct page_site ps;
	struct page_post *pp;
	struct buf b = BUF_INIT;
	size_t i, j, k;

	set->built = 1;
	set->listed = xcalloc(s->nposts + 1, sizeof(*set->listed));
	set->pages = xcalloc(s->nposts + 1, sizeof(*set->pages));
	set->bodies = xcalloc(s->nposts + 1, sizeof(*set->bodies));
	for (i = 0; i < s->nposts; i++)
		if (post_status(s, v, s->posts[i]) == 0) {
			struct post *p = s->posts[i];

			set->bodies[set->nlisted] = post_body_for(s, p, v);
			set->listed[set->nlisted++] = p;
			strmap_put(&set->slugs, p->slug, strlen(p->slug),
			    (void *)(uintptr_t)set->nlisted);
		}
	if (s->intro)
		set->intro = post_body_for(s, s->intro, v);
	pp = xcalloc(set->nlisted + 1, sizeof(*pp));
	for (i = 0; i < set->nlisted; i++) {
		to_page_post(set->listed[i], &pp[i]);
		if (set->bodies[i])
			pp[i].body_gmi = set->bodies[i];
	}

	memset(&ps, 0, sizeof(ps));
	ps.title = s->intro && s->intro->meta.title ? s->intro->meta.title :
	    "Gemini capsule";
	ps.subtitle = s->intro ? s->intro->meta.description : NULL;
	ps.intro_gmi = set->intro ? set->intro : s->intro &&
	    s->intro->body_gmi && *s->intro->body_gmi ? s->intro->body_gmi :
	    NULL;
	ps.base_url = s->base_url;
	ps.index_limit = SITE_INDEX_POSTS;
	ps.search = s->search != NULL;

	pages_index(&ps, pp, set->nlisted, &b);
	set->index = gemtext_page(s->lang, &b);
	buf_reset(&b);
	pages_archive(&ps, pp, set->nlisted, &b);
	set->archive = gemtext_page(s->lang, &b);
	buf_reset(&b);
	pages_tags(&ps, pp, set->nlisted, &b);
	set->tagindex = gemtext_page(s->lang, &b);
	buf_reset(&b);
	feed_atom(&ps, pp, set->nlisted < SITE_FEED_POSTS ? set->nlisted :
	    SITE_FEED_POSTS, "/atom.xml", NULL, &b);
	set->atom = page_new(GEMINI_SUCCESS, "application/atom+xml", b.data,
	    b.len);
	buf_reset(&b);
	/* Post pages: older is the next in the list, newer the previous. */
	for (i = 0; i < set->nlisted; i++) {
		struct post *p = set->listed[i];

		/* Older and newer: between dated posts only. */
		pages_post(&ps, &pp[i], pp[i].body_gmi,
		    i + 1 < set->nlisted && p->dated &&
		    set->listed[i + 1]->dated ? &pp[i + 1] : NULL,
		    i > 0 && p->dated ? &pp[i - 1] : NULL, &b);
		set->pages[i] = gemtext_page(p->meta.lang ? p->meta.lang :
		    s->lang, &b);
		buf_reset(&b);
		for (j = 0; j < p->meta.ntags; j++)
			add_tag(set, p->meta.tags[j]);
	}
	for (k = 0; k < set->ntags; k++) {
		char *self = xasprintf("/tags/%s.xml", set->tags[k].enc);

		pages_tag(&ps, set->tags[k].tag, pp, set->nlisted, &b);
		set->tags[k].gmi = gemtext_page(s->lang, &b);
		buf_reset(&b);
		feed_atom(&ps, pp, set->nlisted, self, set->tags[k].tag, &b);
		set->tags[k].xml = page_new(GEMINI_SUCCESS,
		    "application/atom+xml", b.data, b.len);
		buf_reset(&b);
		free(self);
	}
	free(pp);
	buf_free(&b);
}

static char *
class_key(const struct site *s, const struct viewer *v)
{
	struct buf key = BUF_INIT;

	access_class_key(v, s->covered, s->any_drafts, &key);
	return buf_detach(&key, NULL);
}

/*
 * The pages as v sees them. Readers without a certificate, and any whose
 * certificate opens no area holding a post, share the base pages; every
 * other class (at most one per listed fingerprint) gets its own, built
 * at its first request and kept until the posts change.
 */
static const struct pageset *
pageset_for(struct site *s, const struct viewer *v)
{
	struct pageset *set;
	char *key;

	if (v->fingerprint == NULL)	/* the base reader exactly */
		return &s->base;
	key = class_key(s, v);
	if (strcmp(key, s->base.key) == 0) {
		free(key);
		return &s->base;
	}
	if ((set = strmap_get(&s->classmap, key, strlen(key))) != NULL) {
		free(key);
		return set;
	}
	set = xcalloc(1, sizeof(*set));
	pageset_build(s, set, v);
	set->key = key;
	s->classes = xrealloc(s->classes, (s->nclasses + 1) *
	    sizeof(*s->classes));
	s->classes[s->nclasses++] = set;
	strmap_put(&s->classmap, set->key, strlen(set->key), set);
	return set;
}

/* Builds every generated page, for each audience the site has. */
static void
site_build_pages(struct site *s)
{
	struct viewer anon;
	size_t i, j;

	site_pages_free(s);
	/* Which rules and drafts can tell one reader's pages from another's. */
	free(s->covered);
	s->covered = xcalloc(s->access ? s->access->nrules + 1 : 1, 1);
	s->any_drafts = 0;
	for (i = 0; i < s->nposts; i++) {
		access_mark_covering(s->access,
		    (const char *const *)s->posts[i]->addrs,
		    ARRAY_LEN(s->posts[i]->addrs), s->covered);
		s->any_drafts |= s->posts[i]->meta.draft;
	}
	access_viewer(s->access, NULL, 0, &anon);
	pageset_build(s, &s->base, &anon);
	s->base.key = class_key(s, &anon);
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];

		if (p->source == NULL)
			p->source = page_new(GEMINI_SUCCESS,
			    "text/markdown; charset=utf-8", p->md, strlen(p->md));
		for (j = 0; j < p->meta.naliases; j++)
			add_alias(s, p->meta.aliases[j], p);
		if (p->meta.url)
			add_alias(s, p->meta.url, p);
	}
	for (i = 0; i < s->naliases; i++)
		strmap_put(&s->aliasmap, s->aliases[i].path,
		    strlen(s->aliases[i].path), &s->aliases[i]);
}

/* --- scanning -------------------------------------------------------- */

struct found {
	char *relpath;
	struct stat st;
};

struct scan {
	struct found *v;
	size_t n, cap;
	int failed;		/* errno of a failure that voids the scan */
};

static int
is_markdown(const char *name)
{
	size_t n = strlen(name);

	return (n > 3 && strcmp(name + n - 3, ".md") == 0) ||
	    (n > 9 && strcmp(name + n - 9, ".markdown") == 0);
}

/*
 * Collects the Markdown files below prefix. A folder that vanished is
 * simply empty; any other failure (out of descriptors, say) makes the
 * whole scan fail, so a passing shortage never unpublishes posts.
 */
static void
scan_dir(int rootfd, const char *prefix, int depth, struct scan *sc)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	if (depth > SITE_MAX_DEPTH || sc->failed)
		return;
	if ((fd = openat(rootfd, prefix[0] ? prefix : ".", O_RDONLY |
	    O_DIRECTORY | O_CLOEXEC)) == -1) {
		if (errno != ENOENT && errno != ENOTDIR)
			sc->failed = errno;
		return;
	}
	if ((d = fdopendir(fd)) == NULL) {
		sc->failed = errno;
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL && sc->n < SITE_MAX_FILES) {
		char *rel;

		if (de->d_name[0] == '.')
			continue;
		/* Symlinks are not followed: no loops, nothing outside. */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		rel = prefix[0] ? xasprintf("%s/%s", prefix, de->d_name) :
		    xstrdup(de->d_name);
		if (S_ISDIR(st.st_mode))
			scan_dir(rootfd, rel, depth + 1, sc);
		else if (S_ISREG(st.st_mode) && is_markdown(de->d_name) &&
		    strcmp(de->d_name, "_index.md") != 0) {
			sc->v = xgrow(sc->v, &sc->cap, sc->n + 1, sizeof(*sc->v));
			sc->v[sc->n].relpath = rel;
			sc->v[sc->n].st = st;
			sc->n++;
			continue;
		}
		free(rel);
	}
	closedir(d);
}

static void
scan_free(struct scan *sc)
{
	size_t i;

	for (i = 0; i < sc->n; i++)
		free(sc->v[i].relpath);
	free(sc->v);
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static void
log_diags(const struct site *s, const struct post *p)
{
	size_t i;

	if (!s->logging)
		return;
	for (i = 0; i < p->diags.n; i++) {
		if (p->diags.v[i].line)
			log_warnx("%s/%s:%d: %s", s->root, p->relpath,
			    p->diags.v[i].line, p->diags.v[i].msg);
		else
			log_warnx("%s/%s: %s", s->root, p->relpath,
			    p->diags.v[i].msg);
	}
}

/* Was this file, as it is now, seen failing to load before? */
static int
failed_before(const struct site *s, const struct found *f)
{
	size_t i;

	for (i = 0; i < s->nfailed; i++)
		if (strcmp(s->failed[i].relpath, f->relpath) == 0)
			return same_file(&s->failed[i].st, &f->st);
	return 0;
}

static void
failed_free(struct failed *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].relpath);
	free(v);
}

/* --- search ----------------------------------------------------------- */

/* The post's URL path, percent-encoded. */
static char *
post_url(const struct post *p)
{
	char *enc = url_encode_path(p->slug), *u;

	u = xasprintf("/posts/%s.gmi", enc);
	free(enc);
	return u;
}

/* What the search index is told of a post (issue 14): a small interface. */
static void
post_index(struct site *s, struct post *p)
{
	struct search_doc d;
	struct buf text = BUF_INIT;
	char *url = post_url(p);

	memset(&d, 0, sizeof(d));
	search_plain(p->body_gmi ? p->body_gmi : "", &text);
	d.url = url;
	d.title = p->title;
	d.ymd = p->dated ? p->ymd : NULL;
	d.date = p->date;
	d.tags = (const char *const *)p->meta.tags;
	d.ntags = p->meta.ntags;
	d.has_rating = p->meta.has_rating;
	d.rating = p->meta.rating;
	d.lang = p->meta.lang ? p->meta.lang : s->lang;
	d.text = text.data;
	d.flags = p->meta.draft ? SEARCH_DRAFT : 0;
	search_put(s->search, p->relpath, &d);
	p->indexed = 1;
	buf_free(&text);
	free(url);
}

struct search_vis {
	struct site *s;
	const struct viewer *v;
};

/* A result is listed when its post passes the one rule (post_status). */
static int
search_visible(void *arg, const char *url, unsigned flags)
{
	struct search_vis *sv = arg;
	struct buf path = BUF_INIT;
	struct post *p;
	size_t n;
	int ok = 0;

	if (search_unescape(url, &path) == 0) {
		n = path.len;
		if (strncmp(path.data, "/posts/", 7) == 0 && n > 11 &&
		    strcmp(path.data + n - 4, ".gmi") == 0 &&
		    (p = find_by_slug(sv->s, path.data + 7, n - 11)) != NULL)
			ok = post_status(sv->s, sv->v, p) == 0;
		else
			ok = access_source(sv->v, (const char *const *)&path.data,
			    1, (flags & SEARCH_DRAFT) != 0) == 0;
	}
	buf_free(&path);
	return ok;
}

int
site_search(struct site *s, const struct url *u, const struct viewer *v,
    struct response *resp)
{
	struct search_vis sv = { s, v };
	struct buf body = BUF_INIT, meta = BUF_INIT;
	unsigned long page = 1;
	char *end;

	if (s->search == NULL || strncmp(u->path, "/search", 7) != 0)
		return 0;
	if (u->path[7] == '/' && u->path[8] != '\0') {
		if (u->path[8] < '1' || u->path[8] > '9')
			return 0;
		page = strtoul(u->path + 8, &end, 10);
		if (*end != '\0' || page > 10000)
			return 0;
	} else if (u->path[7] != '\0' && strcmp(u->path + 7, "/") != 0)
		return 0;
	if (u->query == NULL || u->query[0] == '\0') {
		resp->status = GEMINI_INPUT;
		resp->page = page_new(GEMINI_INPUT, "Search the reviews", NULL, 0);
		return 1;
	}
	search_page(s->search, u->query, page, "/search", search_visible, &sv,
	    &body);
	text_meta(s->lang, &meta);
	resp->status = GEMINI_SUCCESS;
	resp->page = page_new(GEMINI_SUCCESS, meta.data, body.data, body.len);
	buf_free(&body);
	buf_free(&meta);
	return 1;
}

/*
 * Brings the model in line with the files. Returns 1 when anything
 * changed. Unchanged posts keep their rendered body unless the set of
 * posts changed (links between posts may then resolve differently).
 */
static int
site_sync(struct site *s, int force)
{
	struct scan sc = { 0 };
	struct post **old = s->posts, **nv, *intro = NULL;
	struct failed *failed = NULL;
	size_t nold = s->nposts, i, j, n = 0, nfailed = 0, capfailed = 0;
	int changed = force, set_changed = force;
	struct diags err = { 0 };

	scan_dir(s->rootfd, "", 0, &sc);
	/* Checked here, once a second, not per request. */
	s->own_robots = faccessat(s->rootfd, "robots.txt", F_OK, 0) == 0;
	if (sc.failed) {
		if (s->logging)
			log_warnx("%s: scan failed (%s); keeping what is served",
			    s->root, strerror(sc.failed));
		scan_free(&sc);
		return 0;
	}
	nv = xcalloc(sc.n + 1, sizeof(*nv));
	for (i = 0; i < sc.n; i++) {
		struct post *p = NULL;
		int is_intro = strcmp(sc.v[i].relpath, "index.md") == 0;

		if (is_intro && s->intro &&
		    same_file(&s->intro->st, &sc.v[i].st)) {
			intro = s->intro;
			s->intro = NULL;
			continue;
		}
		for (j = 0; j < nold && !is_intro; j++)
			if (old[j] && strcmp(old[j]->relpath, sc.v[i].relpath) == 0 &&
			    same_file(&old[j]->st, &sc.v[i].st)) {
				p = old[j];
				old[j] = NULL;
				break;
			}
		if (p == NULL) {
			/*
			 * A file that failed to load is not read (nor logged)
			 * again until it changes.
			 */
			int known = failed_before(s, &sc.v[i]);

			if (!known)
				changed = 1;
			if (known || (p = post_load(s->rootfd, sc.v[i].relpath,
			    &err)) == NULL) {
				failed = xgrow(failed, &capfailed, nfailed + 1,
				    sizeof(*failed));
				failed[nfailed].relpath = xstrdup(sc.v[i].relpath);
				failed[nfailed++].st = sc.v[i].st;
				/* Unreadable for now: keep serving the old text. */
				for (j = 0; j < nold && !is_intro; j++)
					if (old[j] && strcmp(old[j]->relpath,
					    sc.v[i].relpath) == 0) {
						nv[n++] = old[j];
						old[j] = NULL;
						break;
					}
				continue;
			}
			if (!is_intro)
				set_changed = 1;
		}
		if (is_intro)
			intro = p;
		else
			nv[n++] = p;
	}
	for (j = 0; j < nold; j++)
		if (old[j]) {
			changed = set_changed = 1;
			if (s->search)
				search_remove(s->search, old[j]->relpath);
			post_free(old[j]);
		}
	if (s->intro) {
		changed = 1;
		post_free(s->intro);
	}
	s->intro = intro;
	free(old);
	s->posts = nv;
	s->nposts = n;
	failed_free(s->failed, s->nfailed);
	s->failed = failed;
	s->nfailed = nfailed;
	scan_free(&sc);
	for (i = 0; i < err.n && s->logging; i++)
		log_warnx("%s/%s", s->root, err.v[i].msg);
	diags_free(&err);
	if (!changed)
		return 0;
	qsort(s->posts, s->nposts, sizeof(*s->posts), post_cmp);
	index_posts(s);
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];

		if (!p->rendered || set_changed) {
			int fresh = !p->rendered;

			post_render(s, p);
			if (fresh)
				log_diags(s, p);
		}
	}
	if (s->intro && (!s->intro->rendered || set_changed)) {
		int fresh = !s->intro->rendered;

		/* Again when the posts change: its links point at them. */
		post_render(s, s->intro);
		if (fresh)
			log_diags(s, s->intro);
	}
	for (i = 0; i < s->nposts && s->search; i++)
		if (!s->posts[i]->indexed)
			post_index(s, s->posts[i]);
	site_build_pages(s);
	return 1;
}

static struct site *
site_alloc(const char *root, int rootfd, const struct site_opts *o)
{
	struct site *s = xcalloc(1, sizeof(*s));

	s->root = xstrdup(root);
	s->rootfd = rootfd;
	s->access = o->access;
	s->lang = o->lang ? xstrdup(o->lang) : NULL;
	s->base_url = xstrdup(o->base_url ? o->base_url : "gemini://localhost");
	s->render = o->render;
	if (o->search)
		s->search = search_new();
	s->robots = page_new(GEMINI_SUCCESS, "text/plain", SITE_ROBOTS,
	    strlen(SITE_ROBOTS));
	return s;
}

static size_t
count_drafts(const struct site *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->nposts; i++)
		n += s->posts[i]->meta.draft != 0;
	return n;
}

struct site *
site_new(const char *root, int rootfd, const struct site_opts *o)
{
	struct site *s = site_alloc(root, rootfd, o);

	s->logging = 1;
	site_sync(s, 1);
	log_info("%s: %zu posts, %zu drafts, %zu tags", root,
	    s->nposts - count_drafts(s), count_drafts(s), s->base.ntags);
	return s;
}

int
site_refresh(struct site *s)
{
	int changed = site_sync(s, 0);

	if (changed)
		log_info("%s: changes seen: %zu posts, %zu drafts", s->root,
		    s->nposts - count_drafts(s), count_drafts(s));
	return changed;
}

void
site_free(struct site *s)
{
	size_t i;

	if (s == NULL)
		return;
	site_pages_free(s);
	for (i = 0; i < s->nposts; i++)
		post_free(s->posts[i]);
	free(s->posts);
	strmap_free(&s->by_relpath);
	strmap_free(&s->by_slug);
	post_free(s->intro);
	failed_free(s->failed, s->nfailed);
	free(s->covered);
	page_unref(s->robots);
	search_free(s->search);
	free(s->root);
	free(s->lang);
	free(s->base_url);
	free(s);
}

/* --- routing --------------------------------------------------------- */

static void
serve(struct response *resp, struct page *pg)
{
	resp->status = GEMINI_SUCCESS;
	resp->page = page_ref(pg);
}

static void
redirect(struct site *s, struct response *resp, const char *path)
{
	char *url = xasprintf("%s%s", s->base_url, path);

	resp->status = GEMINI_REDIRECT_PERM;
	resp->page = page_new(GEMINI_REDIRECT_PERM, url, NULL, 0);
	free(url);
}

static int
has_suffix(const char *s, size_t n, const char *suf)
{
	size_t m = strlen(suf);

	return n > m && memcmp(s + n - m, suf, m) == 0;
}

/* The index in set->listed of the post with that slug, or -1. */
static long
listed_by_slug(const struct pageset *set, const char *slug, size_t n)
{
	return (long)(uintptr_t)strmap_get(&set->slugs, slug, n) - 1;
}

static int
listed(const struct pageset *set, const struct post *p)
{
	long k = listed_by_slug(set, p->slug, strlen(p->slug));

	return k >= 0 && set->listed[k] == p;
}

/* Answers a post the reader may not see: 60/61/62, or 51 for a draft. */
static void
refuse(struct response *resp, int status)
{
	resp->status = status;
	resp->page = gemini_error_page(status, access_meta(status));
}

int
site_file_status(struct site *s, const struct viewer *v, const char *relpath)
{
	struct post *p = find_by_relpath(s, relpath);

	return p ? post_status(s, v, p) : 0;
}

int
site_route(struct site *s, const struct url *u, const struct viewer *v,
    struct response *resp)
{
	const struct pageset *set;
	const char *path = u->path;
	size_t n = strlen(path);
	struct alias *a;
	struct post *p;
	long k;
	int st;

	set = pageset_for(s, v);
	if (strcmp(path, "/") == 0 || strcmp(path, "/posts/") == 0) {
		if (s->nposts == 0 && s->intro == NULL)
			return 0;	/* a plain capsule: its own index.gmi */
		serve(resp, path[1] ? set->archive : set->index);
		return 1;
	}
	if (strncmp(path, "/posts/", 7) == 0 && strchr(path + 7, '/') == NULL) {
		if (has_suffix(path, n, ".gmi") &&
		    (k = listed_by_slug(set, path + 7, n - 11)) != -1) {
			serve(resp, set->pages[k]);
			return 1;
		}
		if (has_suffix(path, n, ".md") &&
		    (k = listed_by_slug(set, path + 7, n - 10)) != -1) {
			serve(resp, set->listed[k]->source);
			return 1;
		}
		/* The page or source of a post not for this reader. */
		if ((has_suffix(path, n, ".gmi") || has_suffix(path, n, ".md")) &&
		    (p = find_by_slug(s, path + 7, n - 7 -
		    (path[n - 1] == 'i' ? 4 : 3))) != NULL &&
		    (st = post_status(s, v, p)) != 0) {
			refuse(resp, st);
			return 1;
		}
	}
	if (strcmp(path, "/tags") == 0) {
		redirect(s, resp, "/tags/");
		return 1;
	}
	if (strcmp(path, "/tags/") == 0) {
		serve(resp, set->tagindex);
		return 1;
	}
	if (strncmp(path, "/tags/", 6) == 0 && n > 10 &&
	    (has_suffix(path, n, ".gmi") || has_suffix(path, n, ".xml")) &&
	    (k = (long)(uintptr_t)strmap_get(&set->tagmap, path + 6,
	    n - 10) - 1) >= 0) {
		serve(resp, path[n - 3] == 'g' ? set->tags[k].gmi :
		    set->tags[k].xml);
		return 1;
	}
	if (strcmp(path, "/atom.xml") == 0) {
		serve(resp, set->atom);
		return 1;
	}
	if (strcmp(path, "/robots.txt") == 0 && !s->own_robots) {
		serve(resp, s->robots);
		return 1;
	}
	if ((a = strmap_get(&s->aliasmap, path, n)) != NULL &&
	    (st = post_status(s, v, a->post)) != GEMINI_NOT_FOUND) {
		/* A hidden draft's alias is no alias: files may answer. */
		if (st != 0)
			refuse(resp, st);
		else {
			resp->status = atoi(a->redirect->data);
			resp->page = page_ref(a->redirect);
		}
		return 1;
	}
	/* A post's own file: its source, never a hidden one's. */
	if ((p = find_by_relpath(s, path + 1)) != NULL) {
		if ((st = post_status(s, v, p)) != 0)
			refuse(resp, st);
		else if (!listed(set, p))
			refuse(resp, GEMINI_NOT_FOUND);
		else
			serve(resp, p->source);
		return 1;
	}
	return 0;
}

/* --- commands: convert and check ------------------------------------ */

static char *
read_stdin(size_t *len)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	ssize_t n;

	while ((n = read(0, chunk, sizeof(chunk))) > 0) {
		buf_add(&b, chunk, (size_t)n);
		if (b.len > SITE_MAX_POST) {
			errno = EFBIG;
			buf_free(&b);
			return NULL;
		}
	}
	if (n == -1) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b, len);
}

int
site_convert_file(const char *path, const struct gemtext_opts *ro,
    int body_only, struct buf *out, struct diags *d)
{
	struct site_opts so;
	struct site *s;
	struct post *p;
	struct page_post pp;
	struct page_site ps;
	struct stat st;
	size_t len, i;
	char *md;

	memset(&st, 0, sizeof(st));
	if (strcmp(path, "-") == 0) {
		st.st_mtime = time(NULL);
		md = read_stdin(&len);
	} else
		md = read_all(AT_FDCWD, path, &st, &len);
	if (md == NULL)
		return -1;
	memset(&so, 0, sizeof(so));
	so.render = *ro;
	s = site_alloc(".", AT_FDCWD, &so);
	s->standalone = 1;
	p = post_parse(strcmp(path, "-") == 0 ? "stdin.md" : path, md, len, &st);
	post_render(s, p);
	if (body_only)
		buf_adds(out, p->body_gmi);
	else {
		memset(&ps, 0, sizeof(ps));
		ps.title = p->title;
		ps.base_url = s->base_url;
		to_page_post(p, &pp);
		pages_post(&ps, &pp, p->body_gmi, NULL, NULL, out);
	}
	for (i = 0; i < p->diags.n; i++)
		diags_add(d, p->diags.v[i].level, p->diags.v[i].line, "%s",
		    p->diags.v[i].msg);
	post_free(p);
	site_free(s);
	return 0;
}

static void
report(const char *root, const char *rel, const struct diag *dg,
    int *errors, int *warnings)
{
	const char *w = dg->level == DIAG_WARN ? "warning: " : "";

	if (dg->line)
		printf("%s/%s:%d: %s%s\n", root, rel, dg->line, w, dg->msg);
	else
		printf("%s/%s: %s%s\n", root, rel, w, dg->msg);
	if (dg->level == DIAG_WARN)
		(*warnings)++;
	else
		(*errors)++;
}

/* Local link targets in a post's gemtext that name nothing on disk. */
static void
check_links(struct site *s, const struct post *p, int *errors, int *warnings)
{
	const char *l = p->body_gmi, *e;
	struct diag dg = { DIAG_WARN, 0, NULL };
	char *raw;

	for (; *l; l = *e ? e + 1 : e) {
		const char *t;
		char *target, *line;
		struct url u;
		const char *err;
		size_t n;

		e = strchr(l, '\n');
		if (e == NULL)
			e = l + strlen(l);
		if (strncmp(l, "=>", 2) != 0)
			continue;
		for (t = l + 2; *t == ' ' || *t == '\t'; t++)
			;
		n = strcspn(t, " \t\n");
		target = xstrndup(t, n);
		/* Links to .md files were reported when they were resolved. */
		if (strstr(target, ":") || target[0] == '#' ||
		    is_markdown(target) || strstr(target, ".md#") ||
		    strncmp(target, "/tags/", 6) == 0 ||
		    strcmp(target, "/") == 0 ||
		    strcmp(target, "/atom.xml") == 0) {
			free(target);
			continue;
		}
		line = target[0] == '/' ? xasprintf("gemini://h%s", target) :
		    xasprintf("gemini://h/%s/../%s", p->relpath, target);
		if (url_parse(line, strlen(line), &u, &err) == 0) {
			int ok;

			if (strncmp(u.path, "/posts/", 7) == 0 &&
			    has_suffix(u.path, strlen(u.path), ".gmi"))
				ok = find_by_slug(s, u.path + 7,
				    strlen(u.path) - 11) != NULL ||
				    faccessat(s->rootfd, u.path + 1, F_OK, 0) == 0;
			else
				ok = faccessat(s->rootfd, u.path[1] ? u.path + 1 :
				    ".", F_OK, 0) == 0;
			if (!ok) {
				/* The link as written, to find its line. */
				raw = xstrdup(target);
				dg.line = line_of(p->md, raw, strlen(raw));
				if (dg.line == 0) {
					char *slash = strrchr(raw, '/');

					dg.line = line_of(p->md, slash ? slash : raw,
					    strlen(slash ? slash : raw));
				}
				free(raw);
				dg.msg = xasprintf("link to '%s' names nothing in "
				    "the capsule", target);
				report(s->root, p->relpath, &dg, errors, warnings);
				free(dg.msg);
			}
			url_free(&u);
		}
		free(line);
		free(target);
	}
}

int
site_check(const char *root, const struct gemtext_opts *ro, int *warnings)
{
	struct site_opts so;
	struct site *s;
	struct post *first;
	size_t i, j;
	int rootfd, errors = 0;

	*warnings = 0;
	if ((rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	memset(&so, 0, sizeof(so));
	if (ro)
		so.render = *ro;
	else
		gemtext_opts_default(&so.render);
	s = site_alloc(root, rootfd, &so);
	site_sync(s, 1);
	if (s->intro)
		for (j = 0; j < s->intro->diags.n; j++)
			report(root, s->intro->relpath, &s->intro->diags.v[j],
			    &errors, warnings);
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];

		for (j = 0; j < p->diags.n; j++)
			report(root, p->relpath, &p->diags.v[j], &errors,
			    warnings);
		/* The index keeps the first post of a slug: others clash. */
		if ((first = find_by_slug(s, p->slug, strlen(p->slug))) != p) {
			struct diag dg = { DIAG_ERROR, 0, NULL };

			dg.msg = xasprintf("slug '%s' is also used by %s",
			    p->slug, first->relpath);
			report(root, p->relpath, &dg, &errors, warnings);
			free(dg.msg);
		}
		check_links(s, p, &errors, warnings);
	}
	printf("%s: %zu post%s checked\n", root, s->nposts,
	    s->nposts == 1 ? "" : "s");
	site_free(s);
	close(rootfd);
	return errors;
}
