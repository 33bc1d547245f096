/*
 * site: the capsule model of one host. The folder is a Hugo or Zola site
 * root (its config read by sitecfg) or a bare content folder. Every
 * Markdown file under the content folder is placed by pagemodel at the
 * URL its generator gives it, parsed (front matter, shortcodes, gemtext)
 * once and its page kept ready as one buffer, header and body together,
 * so a request never touches the disk. Sections, taxonomies, feeds and
 * the home page are generated from the pages. A stat walk each second
 * notices added, changed, renamed and deleted files and rebuilds what
 * they affect. A broken post is logged with file:line and served as
 * well as it can be.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
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
#include "lru.h"
#include "pagemodel.h"
#include "pages.h"
#include "prose.h"
#include "search.h"
#include "shortcode.h"
#include "site.h"
#include "sitecfg.h"
#include "url.h"
#include "utf8.h"

#define SITE_MAX_POST (16u << 20)	/* bytes of one Markdown file */
#define SITE_MAX_DEPTH 16		/* folder levels scanned */
#define SITE_MAX_FILES 200000		/* Markdown files per capsule */
#define SITE_INDEX_POSTS 100		/* newest posts on the index */
#define SITE_FEED_POSTS 50		/* entries in an Atom feed */
#define SITE_ROBOTS "User-agent: *\nAllow: /\n"
#define SITE_CACHE_DEFAULT (64u << 20)	/* cache_size: bytes per site */
#define SITE_IDLE_SLICE 64		/* posts indexed per site_idle call */

struct post {
	char *relpath;		/* content-relative, e.g. posts/look-back.md */
	char *title;
	char ymd[11];		/* "" when undated */
	int64_t date;
	int dated;		/* date from front matter, file name or path */
	struct pm_page pm;	/* URL, section, bundle, language */
	struct post_meta meta;
	struct stat st;		/* at parse time, for change detection */
	char *md;		/* the file, BOM stripped, LF line ends */
	size_t body_off;
	int body_line;
	/*
	 * The rendered body, made on demand and kept in the site's cache
	 * (cnode) until evicted or until what it links to changes.
	 */
	char *body_gmi;
	struct lru_node cnode;
	char *summary;		/* text before <!--more-->, when no description */
	size_t words;		/* of the last rendering, for reading time */
	struct diags diags;
	size_t parse_diags;	/* diags from parsing; rendering adds more */
	struct page *source;	/* 20 text/markdown + the file, made when asked */
	int rendered;		/* rendered once: its diags are logged */
	/*
	 * Where access rules look: the file, its page URL, its source URL,
	 * its 0.1 URL and its aliases.
	 */
	char **addrs;
	size_t naddrs, caddrs;
	struct post **links;	/* the posts its cached body links to */
	size_t nlinks, caplinks;
	/*
	 * What its last rendering looked up (content paths of Markdown
	 * links, site paths), found or not: a post appearing, vanishing or
	 * moving there drops the cached body.
	 */
	char **deps;
	size_t ndeps, cdeps;
	int indexed;		/* in the search index */
};

/* A section as one audience sees it. */
struct section {
	char *url;		/* "/posts/" */
	char *dir;		/* content-relative, language folder dropped */
	const char *lang;	/* NULL: the default language */
	struct post *index;	/* its _index.md, or NULL */
	long parent;		/* index in the pageset's sections, -1: home */
	char *title;
};

/* What a generated page is made of: built when first asked for. */
enum gen_kind {
	G_POST,		/* a listed page: arg is its index in listed */
	G_SECTION,	/* arg: the section */
	G_SECFEED,
	G_HOME,		/* arg: -1 the default language, else cfg.langs[arg] */
	G_HOMEFEED,
	G_ARCHIVE,
	G_TAXLIST,	/* arg: cfg.taxonomies[arg] */
	G_TERM,		/* arg and term */
	G_TERMFEED
};

struct gen {
	enum gen_kind kind;
	long arg;
	const char *term;	/* owned by the pageset's keys */
};

/* A listed page as one class sees it: its composed page, in the cache. */
struct slot {
	struct lru_node node;
	struct page *page;
};

/*
 * The generated pages as one visibility class sees them (access.h): the
 * pages its clients may see, and only links to those. The lists (cheap:
 * no rendering) are made when the class is first seen after a change;
 * each page is generated when first asked for and kept (routes), the
 * post pages in the bounded cache (slots).
 */
struct pageset {
	int built;
	char *key;		/* access_class_key of the class */
	struct post **listed;	/* pages, newest first, undated last */
	size_t nlisted;
	long *sec_of;		/* per listed page: its section, or -1 */
	struct slot **slots;	/* per listed page, made when asked */
	struct section *secs;
	size_t nsecs, csecs;
	struct strmap secdirs;	/* LANG NUL DIR -> section index plus one */
	struct gen *gens;	/* what each generated path is made of */
	size_t ngens, cgens;
	struct strmap genmap;	/* path -> gens index plus one */
	struct strmap routes;	/* path -> struct page, once generated */
	struct strmap legacy;	/* 0.1 slug -> struct post */
	struct strmap bundles;	/* page URL -> struct post with files */
	char **keys;		/* owned keys of the maps above */
	size_t nkeys, ckeys;
	struct page **owned;	/* owned pages, unreferenced on free */
	size_t nowned, cowned;
	size_t ntags;
	const char *best;	/* the busiest section (home page's) */
};

struct alias {
	char *path;		/* decoded URL path, e.g. /old/look-back/ */
	struct page *redirect;	/* 31 to the page */
	struct post *post;
};

/* A file that failed to load, not retried until it changes. */
struct failed {
	char *relpath;
	struct stat st;
};

struct site {
	char *root;
	char *croot;		/* the content folder's path, for messages */
	int rootfd;
	const struct access *access;	/* NULL: everyone sees everything */
	int contentfd;		/* the content folder (rootfd for a bare one) */
	struct sitecfg cfg;
	char *title;		/* the capsule's title */
	char *lang;
	char *base_url;
	struct gemtext_opts render;
	struct post **posts;	/* every Markdown file, sorted newest first */
	size_t nposts;
	struct post *intro;	/* the home _index.md (index.md), or NULL */
	struct pageset base;	/* as a client without certificate sees it */
	struct pageset **classes;	/* other classes, built when asked */
	size_t nclasses;
	struct strmap classmap;	/* class key -> struct pageset */
	unsigned char *covered;	/* per protect rule: covers some post */
	int any_drafts;
	struct failed *failed;
	size_t nfailed;
	struct strmap failedmap;	/* relpath -> failed index plus one */
	struct alias *aliases;
	size_t naliases, caliases;
	struct strmap aliasmap;	/* path -> struct alias */
	struct strmap by_relpath, by_url, by_bundle;	/* -> struct post */
	struct strmap by_legacy;	/* 0.1 slug -> struct post */
	struct page *robots;
	int logging;		/* log diagnostics (the server) */
	int standalone;		/* convert: no other posts to link to */
	int own_robots;		/* the capsule has its robots.txt */
	struct lru cache;	/* rendered bodies and composed post pages */
	struct search *search;	/* the posts' full-text index, or NULL */
	size_t index_next;	/* search: the next post to look at */
	int index_pending;	/* search: posts not indexed yet */
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
strs_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Drops p's cached rendering (kept out of the cache's count). */
static void
post_drop_body(struct lru *cache, struct post *p)
{
	if (cache)
		lru_remove(cache, &p->cnode);
	free(p->body_gmi);
	p->body_gmi = NULL;
	p->nlinks = 0;		/* the links are the body's */
}

/* The cache evicts a post's body. */
static void
post_evict(struct lru_node *n)
{
	post_drop_body(NULL, (struct post *)(void *)((char *)n -
	    offsetof(struct post, cnode)));
}

static void
post_free(struct lru *cache, struct post *p)
{
	if (p == NULL)
		return;
	post_drop_body(cache, p);
	free(p->relpath);
	free(p->title);
	pm_page_free(&p->pm);
	post_meta_free(&p->meta);
	free(p->md);
	free(p->summary);
	diags_free(&p->diags);
	page_unref(p->source);
	strs_free(p->addrs, p->naddrs);
	free(p->links);
	strs_free(p->deps, p->ndeps);
	free(p);
}

/* The file or folder name, for pages with no title and no heading. */
static char *
name_title(const char *relpath)
{
	const char *b = strrchr(relpath, '/'), *dot;
	char ymd[11];
	int64_t t;
	size_t n;

	b = b ? b + 1 : relpath;
	dot = strrchr(b, '.');
	n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
	if ((n == 5 && strncmp(b, "index", 5) == 0) ||
	    (n == 6 && strncmp(b, "_index", 6) == 0)) {
		const char *end = b > relpath ? b - 1 : b, *start = end;

		while (start > relpath && start[-1] != '/')
			start--;
		if (end > start)
			return xstrndup(start, (size_t)(end - start));
	}
	if (n > 11 && pm_date_prefix(b, &t, ymd) && (b[10] == '-' ||
	    b[10] == '_')) {
		b += 11;
		n -= 11;
	}
	return xstrndup(b, n);
}

static void
add_addr(struct post *p, char *addr)
{
	p->addrs = xgrow(p->addrs, &p->caddrs, p->naddrs + 1,
	    sizeof(*p->addrs));
	p->addrs[p->naddrs++] = addr;
}

/*
 * Parses a post's text (md, malloc'd, taken over) and front matter, not
 * yet its body, and places it in the site.
 */
static struct post *
post_parse(const struct sitecfg *cfg, const char *relpath, char *md,
    size_t len, const struct stat *st)
{
	struct post *p = xcalloc(1, sizeof(*p));

	p->cnode.evict = post_evict;
	p->relpath = xstrdup(relpath);
	p->md = md;
	p->st = *st;
	len = normalise(p->md, len);
	if (len == 0)
		diags_add(&p->diags, DIAG_WARN, 1, "empty file");
	check_utf8(p->md, len, &p->diags);
	frontmatter_parse(p->md, len, &p->meta, &p->body_off, &p->body_line,
	    &p->diags);
	/* No title: the first heading; for bare text, a title-like line. */
	if (p->meta.title && *p->meta.title)
		p->title = xstrdup(p->meta.title);
	else if ((p->title = prose_title(p->md + p->body_off, len -
	    p->body_off, p->meta.kind == FM_NONE)) == NULL) {
		char *stem = name_title(relpath);

		p->title = prose_name_title(stem);
		free(stem);
	}
	if (pm_place(cfg, relpath, &p->meta, p->title, &p->pm) == -1) {
		/* Not Markdown: never happens for scanned files. */
		p->pm.url = xasprintf("/%s", relpath);
		p->pm.dir = xstrdup("");
		p->pm.section = xstrdup("");
		p->pm.legacy = xstrdup(relpath);
	}
	add_addr(p, xasprintf("/%s%s%s", cfg->content_dir,
	    cfg->content_dir[0] ? "/" : "", relpath));
	add_addr(p, xstrdup(p->pm.url));
	add_addr(p, xasprintf("/%s", relpath));
	add_addr(p, xasprintf("/posts/%s.gmi", p->pm.legacy));
	for (size_t i = 0; i < p->meta.naliases; i++)
		add_addr(p, xasprintf("%s%s", p->meta.aliases[i][0] == '/' ?
		    "" : "/", p->meta.aliases[i]));
	/* No date is no date: a file's mtime is never shown as one. */
	if (p->meta.has_date) {
		p->date = p->meta.date;
		memcpy(p->ymd, p->meta.date_ymd, sizeof(p->ymd));
		p->dated = 1;
	} else if (p->pm.has_date) {
		p->date = p->pm.date;
		memcpy(p->ymd, p->pm.ymd, sizeof(p->ymd));
		p->dated = 1;
	} else if (p->pm.kind == PM_PAGE)
		/* Never the file's time: undated, and in no feed. */
		diags_add(&p->diags, DIAG_WARN, 0, "no date in front matter, "
		    "file name or path: shown undated, not in feeds");
	p->parse_diags = p->diags.n;
	return p;
}

static struct post *
post_load(const struct sitecfg *cfg, int dirfd, const char *relpath,
    struct diags *err)
{
	struct stat st;
	size_t len;
	char *md;

	if ((md = read_all(dirfd, relpath, &st, &len)) == NULL) {
		diags_add(err, DIAG_ERROR, 0, "%s: %s", relpath, strerror(errno));
		return NULL;
	}
	return post_parse(cfg, relpath, md, len, &st);
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

/*
 * One post's rendering, as post_render_body makes it off the model: the
 * caller stores it (post_store_render) on the loop thread.
 */
struct render_out {
	char *body;
	size_t words;
	struct post **links;	/* the posts it links to */
	size_t nlinks, caplinks;
	char **deps;		/* what it looked up: see struct post */
	size_t ndeps, cdeps;
	struct diags diags;
};

struct resolve_ctx {
	const struct site *s;
	const struct post *from;
	struct diags *d;	/* unresolved links are warned about here */
	/* NULL: link every post (and note them in out); else v's. */
	const struct viewer *v;
	struct render_out *out;	/* NULL: note nothing */
};

/*
 * The one visibility rule (access_source) applied to a post: by its
 * real file, its page URL and its source URL, and its draft flag.
 */
static int
post_status(const struct site *s, const struct viewer *v, const struct post *p)
{
	(void)s;
	return access_source(v, (const char *const *)p->addrs, p->naddrs,
	    p->meta.draft);
}

static struct post *
find_by_relpath(const struct site *s, const char *rel)
{
	return strmap_get(&s->by_relpath, rel, strlen(rel));
}

/* The lookups by path, URL and bundle, after the set of posts changed. */
static void
index_posts(struct site *s)
{
	size_t i;

	strmap_free(&s->by_relpath);
	strmap_free(&s->by_url);
	strmap_free(&s->by_bundle);
	strmap_free(&s->by_legacy);
	s->intro = NULL;
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];

		strmap_put(&s->by_relpath, p->relpath, strlen(p->relpath), p);
		strmap_put(&s->by_url, p->pm.url, strlen(p->pm.url), p);
		strmap_put(&s->by_legacy, p->pm.legacy, strlen(p->pm.legacy),
		    p);
		if (p->pm.bundle && p->pm.kind == PM_PAGE)
			strmap_put(&s->by_bundle, p->pm.bundle,
			    strlen(p->pm.bundle), p);
		if (p->pm.kind == PM_HOME && p->pm.lang == NULL &&
		    s->intro == NULL)
			s->intro = p;
	}
}

static int
is_md_name(const char *s, size_t n)
{
	return (n > 3 && strncmp(s + n - 3, ".md", 3) == 0) ||
	    (n > 9 && strncmp(s + n - 9, ".markdown", 9) == 0);
}

/*
 * The URL of a content-relative path that is no page: a file in a
 * page's bundle is beside the page's URL; anything else is at its
 * content path (a bare folder, Hugo's section files).
 */
static void
file_url(const struct site *s, const char *cp, struct buf *out)
{
	const char *slash = strrchr(cp, '/');
	size_t n = slash ? (size_t)(slash - cp) : 0;
	struct post *p;

	while (n > 0) {
		if ((p = strmap_get(&s->by_bundle, cp, n)) != NULL) {
			buf_adds(out, p->pm.url);
			buf_adds(out, cp + n + 1);
			return;
		}
		while (n > 0 && cp[n - 1] != '/')
			n--;
		if (n > 0)
			n--;
	}
	buf_addc(out, '/');
	buf_adds(out, cp);
}

static void
add_dep(struct render_out *out, char *key)
{
	out->deps = xgrow(out->deps, &out->cdeps, out->ndeps + 1,
	    sizeof(*out->deps));
	out->deps[out->ndeps++] = key;
}

static int
site_resolve(void *arg, const char *dest, struct buf *out)
{
	struct resolve_ctx *rc = arg;
	const struct site *s = rc->s;
	struct post *target;
	const char *frag, *base = s->cfg.base_url;
	size_t n, bl;
	char *cp;

	if (strncmp(dest, "mailto:", 7) == 0)
		return 0;
	/* A full URL under the site's own base is a site path. */
	if (base && (bl = strlen(base)) > 0 && base[bl - 1] == '/')
		bl--;
	if (base && bl > 0 && strncmp(dest, base, bl) == 0 &&
	    (dest[bl] == '/' || dest[bl] == '\0' || dest[bl] == '#')) {
		dest += bl;
		if (*dest == '\0')
			dest = "/";
	} else if (strstr(dest, "://") || strncmp(dest, "//", 2) == 0)
		return 0;
	n = strcspn(dest, "#?");
	frag = dest + n;
	if (strncmp(dest, "@/", 2) == 0)	/* Zola: from the content top */
		cp = pm_join("", dest + 1, n - 1);
	else if (dest[0] == '/' && !is_md_name(dest, n)) {
		/* A site path: a page's URL, with or without its slash. */
		char *want = xasprintf("%.*s/", (int)n, dest);

		target = strmap_get(&s->by_url, dest, n);
		if (target == NULL && n > 0 && dest[n - 1] != '/')
			target = strmap_get(&s->by_url, want, strlen(want));
		if (rc->out) {
			add_dep(rc->out, xstrndup(dest, n));
			if (n > 0 && dest[n - 1] != '/')
				add_dep(rc->out, xstrdup(want));
		}
		free(want);
		if (target == NULL)
			return 0;
		buf_adds(out, target->pm.url);
		buf_adds(out, frag);
		return 1;
	} else if (rc->from == NULL)
		return 0;
	else
		cp = pm_join(rc->from->relpath, dest, n);
	if (!is_md_name(cp, strlen(cp))) {
		/* A file beside the page, or elsewhere in the content. */
		if (dest[0] == '/' || n == 0) {
			free(cp);
			return 0;
		}
		/*
		 * Not beside the page: a shortcode's path (Zola's figure
		 * image=) may count from the top of the content.
		 */
		if (!s->standalone && dest[0] != '.' &&
		    faccessat(s->contentfd, cp, F_OK, 0) == -1) {
			char *top = pm_join("", dest, n);

			if (faccessat(s->contentfd, top, F_OK, 0) == 0) {
				free(cp);
				cp = top;
			} else
				free(top);
		}
		file_url(s, cp, out);
		buf_adds(out, frag);
		free(cp);
		return 1;
	}
	target = find_by_relpath(s, cp);
	if (rc->out)
		add_dep(rc->out, xstrdup(cp));
	if (target == NULL) {
		char *msg = xasprintf("link to '%.*s' names no page in the "
		    "site", (int)n, dest);
		size_t i;

		for (i = 0; rc->d && i < rc->d->n; i++)
			if (strcmp(rc->d->v[i].msg, msg) == 0)
				break;
		if (rc->d && i == rc->d->n)
			diags_add(rc->d, DIAG_WARN,
			    rc->from ? line_of(rc->from->md, dest, n) : 0,
			    "%s", msg);
		free(msg);
		free(cp);
		return 0;
	}
	free(cp);
	if (rc->v && post_status(rc->s, rc->v, target) != 0)
		return -1;	/* a page this reader may not see: text only */
	if (rc->v == NULL && rc->out) {
		rc->out->links = xgrow(rc->out->links, &rc->out->caplinks,
		    rc->out->nlinks + 1, sizeof(*rc->out->links));
		rc->out->links[rc->out->nlinks++] = target;
	}
	buf_adds(out, target->pm.url);
	buf_adds(out, frag);
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
expand_body(const struct site *s, const struct post *p, struct buf *md,
    struct diags *d)
{
	const char *body = p->md + p->body_off;
	struct shortcode_opts sco;
	char *dir;

	memset(&sco, 0, sizeof(sco));
	sco.read = read_included;
	sco.read_arg = (void *)(uintptr_t)s;
	sco.dir = dir = xstrdup(p->relpath);
	*(strrchr(dir, '/') ? strrchr(dir, '/') : dir) = '\0';
	shortcode_expand_opts(body, strlen(body), p->body_line, &sco, md, d);
	free(dir);
}

/*
 * The body of p as v may see it, when it links to a post v may not see
 * (those links become their text), else NULL: the common body serves.
 * p's body must be rendered (its links known).
 */
static char *
post_body_for(const struct site *s, const struct post *p,
    const struct viewer *v)
{
	struct gemtext_opts o = s->render;
	struct resolve_ctx rc = { s, p, NULL, v, NULL };
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

char *
post_render_body(const struct site *s, const struct post *p,
    struct render_out *out)
{
	struct gemtext_opts o = s->render;
	struct resolve_ctx rc = { s, p, &out->diags, NULL, out };
	struct buf md = BUF_INIT, g = BUF_INIT;

	expand_body(s, p, &md, &out->diags);
	o.title = p->title;
	if (!s->standalone) {
		o.resolve = site_resolve;
		o.resolve_arg = &rc;
	}
	/* Past a limit or unparsable: the reason is in diags, for the log. */
	if (gemtext_render(md.data, md.len, &o, &g, &out->diags) == -1)
		buf_adds(&g, "This post could not be rendered: it is larger or "
		    "more deeply nested than this server converts. The rest "
		    "of the capsule is served as usual.\n");
	buf_free(&md);
	out->body = buf_detach(&g, NULL);
	out->words = count_words(out->body);
	return out->body;
}

static void
render_out_free(struct render_out *out)
{
	free(out->body);
	free(out->links);
	strs_free(out->deps, out->ndeps);
	diags_free(&out->diags);
	memset(out, 0, sizeof(*out));
}

static void log_diags(const struct site *s, const struct post *p, size_t from);

void
post_store_render(struct site *s, struct post *p, struct render_out *out)
{
	size_t i;

	post_drop_body(&s->cache, p);
	p->body_gmi = out->body;
	p->words = out->words;
	free(p->links);
	p->links = out->links;
	p->nlinks = out->nlinks;
	p->caplinks = out->caplinks;
	strs_free(p->deps, p->ndeps);
	p->deps = out->deps;
	p->ndeps = out->ndeps;
	p->cdeps = out->cdeps;
	/* A re-render reports its findings afresh; logged the first time. */
	while (p->diags.n > p->parse_diags)
		free(p->diags.v[--p->diags.n].msg);
	for (i = 0; i < out->diags.n; i++)
		diags_add(&p->diags, out->diags.v[i].level, out->diags.v[i].line,
		    "%s", out->diags.v[i].msg);
	if (!p->rendered)
		log_diags(s, p, p->parse_diags);
	p->rendered = 1;
	diags_free(&out->diags);
	memset(out, 0, sizeof(*out));
	lru_add(&s->cache, &p->cnode, sizeof(*p) + strlen(p->body_gmi) + 1 +
	    p->nlinks * sizeof(*p->links));
}

/* p's body, rendered now when it is not in the cache. */
static const char *
post_body(struct site *s, struct post *p)
{
	struct render_out out;

	if (p->body_gmi) {
		lru_touch(&s->cache, &p->cnode);
		return p->body_gmi;
	}
	memset(&out, 0, sizeof(out));
	post_render_body(s, p, &out);
	post_store_render(s, p, &out);
	return p->body_gmi;
}

/*
 * The text before <!--more-->, when there is no description: listings
 * show it, so it is made at load, from that part only (no rendering of
 * the rest, no links).
 */
static void
post_summary(const struct site *s, struct post *p)
{
	struct gemtext_opts so = s->render;
	struct buf md = BUF_INIT, sg = BUF_INIT;
	struct diags d = { 0 };	/* the rendering reports them */
	const char *more;

	free(p->summary);
	p->summary = NULL;
	if (p->meta.description != NULL || strstr(p->md + p->body_off,
	    "<!--more-->") == NULL)
		return;
	expand_body(s, p, &md, &d);
	if ((more = strstr(md.data, "<!--more-->")) != NULL) {
		so.title = p->title;
		so.links = GEMTEXT_LINKS_OFF;
		gemtext_render(md.data, (size_t)(more - md.data), &so, &sg, NULL);
		p->summary = gemtext_plain(sg.data ? sg.data : "");
	}
	diags_free(&d);
	buf_free(&sg);
	buf_free(&md);
}

static void
to_page_post(const struct post *p, struct page_post *pp)
{
	memset(pp, 0, sizeof(*pp));
	pp->slug = p->pm.legacy;
	pp->url = p->pm.url;
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

/* Dated pages newest first, then undated ones by title. */
static int
post_cmp(const void *a, const void *b)
{
	const struct post *x = *(struct post *const *)a;
	const struct post *y = *(struct post *const *)b;
	int c;

	if (x->dated != y->dated)	/* undated pages after the dated */
		return x->dated ? -1 : 1;
	if (x->date != y->date)
		return x->date > y->date ? -1 : 1;
	if (!x->dated && (c = strcasecmp(x->title, y->title)) != 0)
		return c;
	return strcmp(x->pm.url, y->pm.url);
}

/* --- the generated pages --------------------------------------------- */

static const char *
own_key(struct pageset *set, char *key)
{
	set->keys = xgrow(set->keys, &set->ckeys, set->nkeys + 1,
	    sizeof(*set->keys));
	set->keys[set->nkeys++] = key;
	return key;
}

/* Adds a generated page at path (taken over); path is copied. */
static void
route(struct pageset *set, const char *path, struct page *pg)
{
	const char *k = own_key(set, xstrdup(path));

	set->owned = xgrow(set->owned, &set->cowned, set->nowned + 1,
	    sizeof(*set->owned));
	set->owned[set->nowned++] = pg;
	strmap_put(&set->routes, k, strlen(k), pg);
}

/* Says what path is made of; the first to claim a path keeps it. */
static void
add_gen(struct pageset *set, const char *path, enum gen_kind kind, long arg,
    const char *term)
{
	size_t n = strlen(path);

	if (strmap_get(&set->genmap, path, n))
		return;
	set->gens = xgrow(set->gens, &set->cgens, set->ngens + 1,
	    sizeof(*set->gens));
	set->gens[set->ngens].kind = kind;
	set->gens[set->ngens].arg = arg;
	set->gens[set->ngens].term = term;
	set->ngens++;
	path = own_key(set, xstrndup(path, n));
	strmap_put(&set->genmap, path, n, (void *)(uintptr_t)set->ngens);
}

static void
slot_evict(struct lru_node *n)
{
	struct slot *sl = (struct slot *)(void *)n;

	page_unref(sl->page);
	sl->page = NULL;
}

static void
pageset_free(struct site *s, struct pageset *ps)
{
	size_t i;

	for (i = 0; ps->slots && i < ps->nlisted; i++)
		if (ps->slots[i]) {
			lru_remove(&s->cache, &ps->slots[i]->node);
			page_unref(ps->slots[i]->page);
			free(ps->slots[i]);
		}
	free(ps->slots);
	for (i = 0; i < ps->nowned; i++)
		page_unref(ps->owned[i]);
	free(ps->owned);
	strs_free(ps->keys, ps->nkeys);
	for (i = 0; i < ps->nsecs; i++) {
		free(ps->secs[i].url);
		free(ps->secs[i].dir);
		free(ps->secs[i].title);
	}
	free(ps->secs);
	free(ps->key);
	free(ps->listed);
	free(ps->sec_of);
	free(ps->gens);
	strmap_free(&ps->genmap);
	strmap_free(&ps->secdirs);
	strmap_free(&ps->routes);
	strmap_free(&ps->legacy);
	strmap_free(&ps->bundles);
	memset(ps, 0, sizeof(*ps));
}

static void
site_pages_free(struct site *s)
{
	size_t i;

	pageset_free(s, &s->base);
	for (i = 0; i < s->nclasses; i++) {
		pageset_free(s, s->classes[i]);
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
	s->naliases = s->caliases = 0;
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
		char *enc = url_encode_path(p->pm.url);
		char *to = xasprintf("%s%s", s->base_url, enc);

		s->aliases = xgrow(s->aliases, &s->caliases, s->naliases + 1,
		    sizeof(*s->aliases));
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

/* The key of a section in secdirs: LANG (or \1 for none), NUL, DIR. */
static void
secdir_key(const char *dir, const char *lang, struct buf *k)
{
	buf_reset(k);
	buf_adds(k, lang ? lang : "\1");
	buf_addc(k, '\0');
	buf_adds(k, dir);
}

/* The section of folder dir and language, or -1. */
static long
find_section(const struct pageset *set, const char *dir, const char *lang)
{
	struct buf k = BUF_INIT;
	uintptr_t i;

	secdir_key(dir, lang, &k);
	i = (uintptr_t)strmap_get(&set->secdirs, k.data, k.len);
	buf_free(&k);
	return (long)i - 1;
}

static long
add_section(struct site *s, struct pageset *set, const char *dir,
    const char *lang, struct post *index)
{
	struct section *sec;
	struct buf k = BUF_INIT;
	const char *slash;
	long found = find_section(set, dir, lang);
	size_t n;

	if (found >= 0) {
		if (index && set->secs[found].index == NULL) {
			set->secs[found].index = index;
			free(set->secs[found].title);
			set->secs[found].title = xstrdup(index->title);
		}
		return found;
	}
	set->secs = xgrow(set->secs, &set->csecs, set->nsecs + 1,
	    sizeof(*set->secs));
	sec = &set->secs[set->nsecs];
	sec->url = index ? xstrdup(index->pm.url) :
	    pm_section_url(&s->cfg, dir, lang);
	sec->dir = xstrdup(dir);
	sec->lang = lang;
	sec->index = index;
	sec->parent = -1;
	slash = strrchr(dir, '/');
	sec->title = index ? xstrdup(index->title) :
	    xstrdup(slash ? slash + 1 : dir);
	if (sec->title[0] >= 'a' && sec->title[0] <= 'z' && index == NULL)
		sec->title[0] = (char)(sec->title[0] - 32);
	secdir_key(dir, lang, &k);
	n = k.len;
	strmap_put(&set->secdirs, own_key(set, buf_detach(&k, NULL)), n,
	    (void *)(uintptr_t)(set->nsecs + 1));
	return (long)set->nsecs++;
}

/* The nearest section holding folder dir (itself included), or -1. */
static long
section_of(const struct pageset *set, const char *dir, const char *lang)
{
	char *d = xstrdup(dir), *slash;
	long k = -1;

	while (d[0] && (k = find_section(set, d, lang)) < 0) {
		slash = strrchr(d, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
	}
	free(d);
	return k;
}

static int
is_transparent(const struct pageset *set, long k)
{
	return k >= 0 && set->secs[k].index &&
	    set->secs[k].index->meta.transparent;
}

/* 1 when listed page i is one of section k's (or a transparent child's). */
static int
in_section(const struct pageset *set, size_t i, long k)
{
	long j = set->sec_of[i];

	while (j >= 0) {
		if (j == k)
			return 1;
		if (!is_transparent(set, j))
			return 0;
		j = set->secs[j].parent;
	}
	return 0;
}

/* The main sections: the config's, else the one with most dated pages. */
static int
is_main(const struct site *s, const struct post *p, const char *best)
{
	size_t i;

	if (s->cfg.nmain == 0)
		return best == NULL || strcmp(p->pm.section, best) == 0;
	for (i = 0; i < s->cfg.nmain; i++)
		if (strcmp(p->pm.section, s->cfg.main_sections[i]) == 0)
			return 1;
	return 0;
}

static int
counts_in_busiest(const struct post *p)
{
	return p->dated && p->pm.section[0] != '\0' && p->pm.lang == NULL;
}

/* The section with most dated pages; the first listed on a tie. */
static const char *
busiest_section(const struct site *s, const struct pageset *set)
{
	struct strmap ids = { 0 };	/* section -> index in cnt plus one */
	size_t *cnt, i, n, bestn = 0, ndist = 0;
	const char *best = NULL;
	uintptr_t k;

	/* A bare folder lists every page, as 0.1 did. */
	if (s->cfg.gen == GEN_BARE)
		return NULL;
	cnt = xcalloc(set->nlisted + 1, sizeof(*cnt));
	for (i = 0; i < set->nlisted; i++) {
		const char *sec = set->listed[i]->pm.section;
		size_t len = strlen(sec);

		if (!counts_in_busiest(set->listed[i]))
			continue;
		if ((k = (uintptr_t)strmap_get(&ids, sec, len)) == 0) {
			k = ++ndist;
			strmap_put(&ids, sec, len, (void *)k);
		}
		cnt[k - 1]++;
	}
	for (i = 0; i < set->nlisted; i++) {
		const char *sec = set->listed[i]->pm.section;

		if (!counts_in_busiest(set->listed[i]))
			continue;
		k = (uintptr_t)strmap_get(&ids, sec, strlen(sec));
		if ((n = cnt[k - 1]) > bestn) {
			bestn = n;
			best = sec;
		}
	}
	strmap_free(&ids);
	free(cnt);
	return best ? best : "";
}

/* One taxonomy's term list of a post, when front matter carries it. */
static char **
terms_of(const struct post *p, const char *tax, size_t *n)
{
	if (strcmp(tax, "tags") == 0) {
		*n = p->meta.ntags;
		return p->meta.tags;
	}
	if (strcmp(tax, "categories") == 0) {
		*n = p->meta.ncategories;
		return p->meta.categories;
	}
	*n = 0;
	return NULL;
}

static int
has_tax(const struct site *s, const char *tax)
{
	size_t i;

	for (i = 0; i < s->cfg.ntax; i++)
		if (strcmp(s->cfg.taxonomies[i], tax) == 0)
			return 1;
	return 0;
}

/* The body of p as v's class sees it; *tofree is set when it is its own. */
static const char *
body_as(struct site *s, const struct viewer *v, struct post *p,
    char **tofree)
{
	const char *b = post_body(s, p);

	*tofree = post_body_for(s, p, v);
	return *tofree ? *tofree : b;
}

/* What the lists know of every listed page (bodies not rendered). */
static struct page_post *
listed_posts(const struct site *s, const struct pageset *set)
{
	struct page_post *pp = xcalloc(set->nlisted + 1, sizeof(*pp));
	int tags = has_tax(s, "tags");
	size_t i;

	for (i = 0; i < set->nlisted; i++) {
		to_page_post(set->listed[i], &pp[i]);
		pp[i].body_gmi = NULL;
		/* No tag pages: no tag links. */
		if (!tags)
			pp[i].ntags = 0;
	}
	return pp;
}

static void
site_page_site(const struct site *s, struct page_site *ps)
{
	memset(ps, 0, sizeof(*ps));
	ps->title = s->title;
	ps->subtitle = s->cfg.description ? s->cfg.description :
	    s->intro ? s->intro->meta.description : NULL;
	ps->base_url = s->base_url;
	ps->index_limit = SITE_INDEX_POSTS;
	ps->search = s->search != NULL;
}

static int
text_empty(const char *t)
{
	return t == NULL || t[strspn(t, " \t\n")] == '\0';
}

/*
 * The entries of a feed: the dated ones (with tag, when given), at most
 * SITE_FEED_POSTS; those without a description get their body as the
 * class sees it (rendered now if need be), freed with *bodies.
 */
static size_t
feed_entries(struct site *s, const struct pageset *set,
    const struct viewer *v, const struct page_post *pp, size_t n,
    const char *tag, struct page_post *out, char ***bodies)
{
	size_t i, k = 0;

	*bodies = xcalloc(SITE_FEED_POSTS + 1, sizeof(**bodies));
	for (i = 0; i < n && k < SITE_FEED_POSTS; i++) {
		struct post *p;

		if (!pp[i].ymd || !pp[i].ymd[0] ||
		    (tag && !pages_has_tag(&pp[i], tag)))
			continue;
		out[k] = pp[i];
		if (text_empty(out[k].description) && (p = strmap_get(
		    &s->by_url, pp[i].url, strlen(pp[i].url))) != NULL)
			out[k].body_gmi = body_as(s, v, p, &(*bodies)[k]);
		k++;
	}
	(void)set;
	return k;
}

static void
free_bodies(char **v)
{
	for (size_t i = 0; v && i < SITE_FEED_POSTS; i++)
		free(v[i]);
	free(v);
}

static struct page *
feed_page(const struct buf *b)
{
	return page_new(GEMINI_SUCCESS, "application/atom+xml", b->data, b->len);
}

/* Section k's page or feed. */
static struct page *
gen_section(struct site *s, const struct pageset *set, const struct viewer *v,
    long k, int feed)
{
	const struct section *sec = &set->secs[k];
	struct page_post *pp = listed_posts(s, set);
	struct page_post *sub = xcalloc(set->nlisted + 1, sizeof(*sub));
	struct page_link *links = NULL;
	struct page_site ps;
	struct page *pg;
	struct buf b = BUF_INIT;
	char *path = xasprintf("%satom.xml", sec->url), *tofree = NULL, **bodies;
	const char *intro = NULL;
	size_t j, n = 0, nl = 0;

	site_page_site(s, &ps);
	for (j = 0; j < set->nlisted; j++)
		if (in_section(set, j, k))
			sub[n++] = pp[j];
	if (feed) {
		struct page_post *fe = xcalloc(SITE_FEED_POSTS + 1,
		    sizeof(*fe));

		n = feed_entries(s, set, v, sub, n, NULL, fe, &bodies);
		feed_atom(&ps, fe, n, path, NULL, &b);
		free_bodies(bodies);
		free(fe);
		pg = feed_page(&b);
	} else {
		links = xcalloc(set->nsecs + 1, sizeof(*links));
		for (j = 0; j < set->nsecs; j++)
			if (set->secs[j].parent == k) {
				links[nl].url = set->secs[j].url;
				links[nl++].title = set->secs[j].title;
			}
		if (sec->index)
			intro = body_as(s, v, sec->index, &tofree);
		pages_section(&ps, sec->title, intro && *intro ? intro : NULL,
		    sub, n, links, nl, path, &b);
		pg = gemtext_page(sec->index && sec->index->meta.lang ?
		    sec->index->meta.lang : s->lang, &b);
	}
	free(tofree);
	free(links);
	free(path);
	free(sub);
	free(pp);
	buf_free(&b);
	return pg;
}

/* A home page (or feed): the default language's at /, others' at /LANG/. */
static struct page *
gen_home(struct site *s, const struct pageset *set, const struct viewer *v,
    long li, int feed)
{
	const char *lang = li >= 0 ? s->cfg.langs[li].code : NULL;
	struct page_post *pp = listed_posts(s, set);
	struct page_post *mp = xcalloc(set->nlisted + 1, sizeof(*mp));
	struct page_link *links = xcalloc(set->nsecs + s->cfg.nlangs + 1,
	    sizeof(*links));
	struct page_site ps;
	struct post *intro = NULL;
	struct page *pg;
	struct buf b = BUF_INIT;
	size_t i, n = 0, nl = 0;
	char *tofree = NULL;

	site_page_site(s, &ps);
	for (i = 0; i < s->nposts; i++)
		if (s->posts[i]->pm.kind == PM_HOME &&
		    ((lang == NULL && s->posts[i]->pm.lang == NULL) ||
		    (lang && s->posts[i]->pm.lang &&
		    strcmp(s->posts[i]->pm.lang, lang) == 0))) {
			intro = s->posts[i];
			break;
		}
	for (i = 0; i < set->nlisted; i++) {
		const struct post *p = set->listed[i];

		if ((lang == NULL) != (p->pm.lang == NULL) ||
		    (lang && strcmp(lang, p->pm.lang) != 0))
			continue;
		if (lang || is_main(s, p, set->best))
			mp[n++] = pp[i];
	}
	if (feed) {
		struct page_post *fe = xcalloc(SITE_FEED_POSTS + 1,
		    sizeof(*fe));
		char **bodies;

		n = feed_entries(s, set, v, mp, n, NULL, fe, &bodies);
		feed_atom(&ps, fe, n, "/atom.xml", NULL, &b);
		free_bodies(bodies);
		free(fe);
		pg = feed_page(&b);
		goto done;
	}
	for (i = 0; i < set->nsecs; i++)
		if (set->secs[i].parent < 0 && (set->secs[i].lang == lang ||
		    (lang && set->secs[i].lang &&
		    strcmp(set->secs[i].lang, lang) == 0))) {
			links[nl].url = set->secs[i].url;
			links[nl++].title = set->secs[i].title;
		}
	if (lang == NULL)
		for (i = 0; i < s->cfg.nlangs; i++) {
			links[nl].url = xasprintf("/%s/", s->cfg.langs[i].code);
			links[nl++].title = s->cfg.langs[i].title ?
			    s->cfg.langs[i].title : s->cfg.langs[i].code;
		}
	if (intro && post_status(s, v, intro) == 0) {
		const char *t = body_as(s, v, intro, &tofree);

		ps.intro_gmi = *t ? t : NULL;
	}
	if (lang) {
		const struct sitecfg_lang *l = sitecfg_lang(&s->cfg, lang,
		    strlen(lang));

		if (l && l->title)
			ps.title = l->title;
	}
	ps.sections = links;
	ps.nsections = nl;
	pages_index(&ps, mp, n, &b);
	pg = gemtext_page(lang ? lang : s->lang, &b);
	if (lang == NULL)
		for (i = nl - s->cfg.nlangs; i < nl; i++)
			free((char *)links[i].url);
done:
	free(tofree);
	free(links);
	free(mp);
	free(pp);
	buf_free(&b);
	return pg;
}

/* A taxonomy's list, one term's page, or its feed. */
static struct page *
gen_taxonomy(struct site *s, const struct pageset *set,
    const struct viewer *v, const struct gen *g)
{
	const char *tax = s->cfg.taxonomies[g->arg];
	struct page_post *tp = listed_posts(s, set);
	struct page_site ps;
	struct page *pg;
	struct buf b = BUF_INIT;
	size_t i;

	site_page_site(s, &ps);
	ps.taxonomy = tax;
	for (i = 0; i < set->nlisted; i++)
		tp[i].tags = (const char *const *)terms_of(set->listed[i], tax,
		    &tp[i].ntags);
	if (g->kind == G_TAXLIST) {
		pages_tags(&ps, tp, set->nlisted, &b);
		pg = gemtext_page(s->lang, &b);
	} else if (g->kind == G_TERM) {
		pages_tag(&ps, g->term, tp, set->nlisted, &b);
		pg = gemtext_page(s->lang, &b);
	} else {
		struct page_post *fe = xcalloc(SITE_FEED_POSTS + 1,
		    sizeof(*fe));
		char *self = pages_tag_path(g->term), *path, **bodies;
		size_t n;

		path = xasprintf("/%s/%s/atom.xml", tax, self);
		n = feed_entries(s, set, v, tp, set->nlisted, g->term, fe,
		    &bodies);
		feed_atom(&ps, fe, n, path, g->term, &b);
		free_bodies(bodies);
		free(path);
		free(self);
		free(fe);
		pg = feed_page(&b);
	}
	free(tp);
	buf_free(&b);
	return pg;
}

static void
slot_touch(struct site *s, struct slot *sl)
{
	lru_touch(&s->cache, &sl->node);
}

/* Listed page i as set's class sees it: composed now unless cached. */
static struct page *
post_page(struct site *s, struct pageset *set, const struct viewer *v,
    size_t i)
{
	struct slot *sl = set->slots[i];
	struct post *p = set->listed[i];
	struct page_post pp, older, newer;
	struct page_site ps;
	struct buf b = BUF_INIT;
	const char *body;
	char *tofree;
	int tags = has_tax(s, "tags");

	if (sl && sl->page) {
		slot_touch(s, sl);
		return sl->page;
	}
	if (sl == NULL) {
		sl = set->slots[i] = xcalloc(1, sizeof(*sl));
		sl->node.evict = slot_evict;
	}
	site_page_site(s, &ps);
	body = body_as(s, v, p, &tofree);
	to_page_post(p, &pp);
	if (i + 1 < set->nlisted)
		to_page_post(set->listed[i + 1], &older);
	if (i > 0)
		to_page_post(set->listed[i - 1], &newer);
	if (!tags)
		pp.ntags = older.ntags = newer.ntags = 0;
	pp.body_gmi = body;
	/* Older and newer: between dated posts only. */
	pages_post(&ps, &pp, body, i + 1 < set->nlisted &&
	    set->listed[i + 1]->dated && p->dated ? &older : NULL,
	    i > 0 && p->dated ? &newer : NULL, &b);
	sl->page = gemtext_page(p->meta.lang ? p->meta.lang :
	    p->pm.lang ? p->pm.lang : s->lang, &b);
	lru_add(&s->cache, &sl->node, sizeof(*sl) + sl->page->len +
	    sizeof(*sl->page));
	free(tofree);
	buf_free(&b);
	return sl->page;
}

/* The page at path for set's class (v one of it), made when first asked. */
static struct page *
route_get(struct site *s, struct pageset *set, const struct viewer *v,
    const char *path, size_t n)
{
	struct page *pg = strmap_get(&set->routes, path, n);
	const struct gen *g;
	uintptr_t k;
	char *key;

	if (pg)
		return pg;
	if ((k = (uintptr_t)strmap_get(&set->genmap, path, n)) == 0)
		return NULL;
	g = &set->gens[k - 1];
	switch (g->kind) {
	case G_POST:
		return post_page(s, set, v, (size_t)g->arg);
	case G_SECTION:
	case G_SECFEED:
		pg = gen_section(s, set, v, g->arg, g->kind == G_SECFEED);
		break;
	case G_HOME:
	case G_HOMEFEED:
		pg = gen_home(s, set, v, g->arg, g->kind == G_HOMEFEED);
		break;
	case G_ARCHIVE: {
		struct page_post *pp = listed_posts(s, set);
		struct page_site ps;
		struct buf b = BUF_INIT;

		site_page_site(s, &ps);
		pages_archive(&ps, pp, set->nlisted, &b);
		pg = gemtext_page(s->lang, &b);
		buf_free(&b);
		free(pp);
		break;
	}
	default:
		pg = gen_taxonomy(s, set, v, g);
		break;
	}
	key = xstrndup(path, n);
	route(set, key, pg);
	free(key);
	return pg;
}

/* 1 when set has a page at path (generated or not yet). */
static int
route_has(const struct pageset *set, const char *path, size_t n)
{
	return strmap_get(&set->routes, path, n) != NULL ||
	    strmap_get(&set->genmap, path, n) != NULL;
}

/* The terms of one taxonomy, each with its page and feed. */
static void
list_terms(struct site *s, struct pageset *set, size_t t)
{
	const char *tax = s->cfg.taxonomies[t];
	struct strmap seen = { 0 };
	size_t i, j, n, nt;
	char **terms;
	char *path;

	path = xasprintf("/%s/", tax);
	add_gen(set, path, G_TAXLIST, (long)t, NULL);
	free(path);
	for (i = 0; i < set->nlisted; i++) {
		terms = terms_of(set->listed[i], tax, &nt);
		for (j = 0; j < nt; j++) {
			const char *term = terms[j];

			n = strlen(term);
			if (n == 0 || strmap_get(&seen, term, n))
				continue;
			strmap_put(&seen, term, n, (void *)1);
			if (strcmp(tax, "tags") == 0)
				set->ntags++;
			term = own_key(set, xstrdup(term));
			path = xasprintf("/%s/%s/", tax, term);
			add_gen(set, path, G_TERM, (long)t, term);
			free(path);
			path = xasprintf("/%s/%s/atom.xml", tax, term);
			add_gen(set, path, G_TERMFEED, (long)t, term);
			free(path);
		}
	}
	strmap_free(&seen);
}

/*
 * Lists the pages of v's visibility class from the (sorted) posts: what
 * each path is made of, no page made yet.
 */
static void
pageset_build(struct site *s, struct pageset *set, const struct viewer *v)
{
	size_t i;
	char *path;

	set->built = 1;
	set->listed = xcalloc(s->nposts + 1, sizeof(*set->listed));
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];

		if (p->pm.kind == PM_PAGE && post_status(s, v, p) == 0)
			set->listed[set->nlisted++] = p;
	}
	set->slots = xcalloc(set->nlisted + 1, sizeof(*set->slots));
	set->sec_of = xcalloc(set->nlisted + 1, sizeof(*set->sec_of));
	/* Post pages first: a page claims its URL before anything else. */
	for (i = 0; i < set->nlisted; i++) {
		struct post *p = set->listed[i];
		const char *k = p->pm.url;

		add_gen(set, k, G_POST, (long)i, NULL);
		strmap_put(&set->legacy, p->pm.legacy, strlen(p->pm.legacy), p);
		if (p->pm.bundle)
			strmap_put(&set->bundles, k, strlen(k), p);
	}
	/* Sections: every _index.md, and every top folder holding pages. */
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];

		if (p->pm.kind == PM_SECTION && post_status(s, v, p) == 0)
			add_section(s, set, p->pm.dir, p->pm.lang, p);
	}
	for (i = 0; i < set->nlisted; i++) {
		const struct post *p = set->listed[i];

		if (p->pm.section[0] && section_of(set, p->pm.dir,
		    p->pm.lang) < 0)
			add_section(s, set, p->pm.section, p->pm.lang, NULL);
	}
	for (i = 0; i < set->nsecs; i++) {
		char *d = xstrdup(set->secs[i].dir), *slash;

		while ((slash = strrchr(d, '/')) != NULL) {
			*slash = '\0';
			if ((set->secs[i].parent = find_section(set, d,
			    set->secs[i].lang)) >= 0)
				break;
		}
		free(d);
	}
	for (i = 0; i < set->nlisted; i++)
		set->sec_of[i] = section_of(set, set->listed[i]->pm.dir,
		    set->listed[i]->pm.lang);
	for (i = 0; i < set->nsecs; i++) {
		add_gen(set, set->secs[i].url, G_SECTION, (long)i, NULL);
		path = xasprintf("%satom.xml", set->secs[i].url);
		add_gen(set, path, G_SECFEED, (long)i, NULL);
		free(path);
	}
	set->best = busiest_section(s, set);
	add_gen(set, "/", G_HOME, -1, NULL);
	add_gen(set, "/atom.xml", G_HOMEFEED, -1, NULL);
	for (i = 0; i < s->cfg.nlangs; i++) {
		path = xasprintf("/%s/", s->cfg.langs[i].code);
		add_gen(set, path, G_HOME, (long)i, NULL);
		free(path);
	}
	add_gen(set, "/archive/", G_ARCHIVE, 0, NULL);
	for (i = 0; i < s->cfg.ntax; i++)
		list_terms(s, set, i);
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
 * other class (at most one per listed fingerprint) gets its own, listed
 * at its first request and kept until the posts change.
 */
static struct pageset *
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

/* Lists the generated pages afresh (none made), after the posts changed. */
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
		    s->posts[i]->naddrs, s->covered);
		s->any_drafts |= s->posts[i]->meta.draft;
	}
	access_viewer(s->access, NULL, 0, &anon);
	pageset_build(s, &s->base, &anon);
	s->base.key = class_key(s, &anon);
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];

		for (j = 0; j < p->meta.naliases; j++)
			add_alias(s, p->meta.aliases[j], p);
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
	return is_md_name(name, strlen(name));
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
	    O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
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
		else if (S_ISREG(st.st_mode) && is_markdown(de->d_name)) {
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

/* Logs p's diagnostics from the from-th on (parsing's, then rendering's). */
static void
log_diags(const struct site *s, const struct post *p, size_t from)
{
	size_t i;

	if (!s->logging)
		return;
	for (i = from; i < p->diags.n; i++) {
		if (p->diags.v[i].line)
			log_warnx("%s/%s:%d: %s", s->croot, p->relpath,
			    p->diags.v[i].line, p->diags.v[i].msg);
		else
			log_warnx("%s/%s: %s", s->croot, p->relpath,
			    p->diags.v[i].msg);
	}
}

/* Was this file, as it is now, seen failing to load before? */
static int
failed_before(const struct site *s, const struct found *f)
{
	uintptr_t k = (uintptr_t)strmap_get(&s->failedmap, f->relpath,
	    strlen(f->relpath));

	return k && same_file(&s->failed[k - 1].st, &f->st);
}

static void
failed_free(struct failed *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].relpath);
	free(v);
}

static void site_title(struct site *s);
static void post_index(struct site *s, struct post *p);

/*
 * What a scan covered: everything, or some files and folders (content
 * paths). A known post in scope that the scan did not find is gone.
 */
struct scope {
	int all;
	struct strmap files;	/* keys owned by keys */
	char **keys;
	size_t nkeys, ckeys;
	char **dirs;		/* folders, rescanned whole */
	size_t ndirs, cdirs;
};

static int
in_scope(const struct scope *sc, const char *relpath)
{
	size_t i, n;

	if (sc->all || strmap_get(&sc->files, relpath, strlen(relpath)))
		return 1;
	for (i = 0; i < sc->ndirs; i++) {
		n = strlen(sc->dirs[i]);
		if (n == 0 || (strncmp(relpath, sc->dirs[i], n) == 0 &&
		    relpath[n] == '/'))
			return 1;
	}
	return 0;
}

static void
scope_free(struct scope *sc)
{
	strmap_free(&sc->files);
	strs_free(sc->keys, sc->nkeys);
	strs_free(sc->dirs, sc->ndirs);
}

static void
note_key(struct strmap *keys, const char *k)
{
	strmap_put(keys, k, strlen(k), (void *)1);
}

/*
 * Brings the posts in scope in line with the files the scan found:
 * loads new and changed ones, drops vanished ones. Only those are read;
 * the bodies that linked to what changed (its path or URL, old or new)
 * are dropped from the cache, to be rendered again when asked; the
 * generated pages are listed again, made when asked. Returns 1 when
 * anything served changed.
 */
static int
site_apply(struct site *s, struct scan *sc, const struct scope *scope,
    int index_now)
{
	struct post **added = NULL, **removed = NULL;
	size_t nadded = 0, cadded = 0, nremoved = 0, cremoved = 0;
	struct failed *failed = NULL;
	size_t nfailed = 0, capfailed = 0, i, j, n;
	struct strmap seen = { 0 }, keys = { 0 }, gone = { 0 };
	struct diags err = { 0 };
	struct post **nv;
	int changed = 0;

	for (i = 0; i < sc->n; i++) {
		struct found *f = &sc->v[i];
		struct post *old = find_by_relpath(s, f->relpath), *p;

		strmap_put(&seen, f->relpath, strlen(f->relpath), (void *)1);
		if (old && same_file(&old->st, &f->st))
			continue;
		/*
		 * A file that failed to load is not read (nor logged) again
		 * until it changes; meanwhile the old text is served.
		 */
		if (failed_before(s, f) || (p = post_load(&s->cfg, s->contentfd,
		    f->relpath, &err)) == NULL) {
			failed = xgrow(failed, &capfailed, nfailed + 1,
			    sizeof(*failed));
			failed[nfailed].relpath = xstrdup(f->relpath);
			failed[nfailed++].st = f->st;
			continue;
		}
		post_summary(s, p);
		log_diags(s, p, 0);
		added = xgrow(added, &cadded, nadded + 1, sizeof(*added));
		added[nadded++] = p;
		if (old) {
			removed = xgrow(removed, &cremoved, nremoved + 1,
			    sizeof(*removed));
			removed[nremoved++] = old;
		}
	}
	/* Known posts in scope that are no longer there. */
	if (scope->all || scope->ndirs) {
		for (i = 0; i < s->nposts; i++) {
			struct post *p = s->posts[i];

			if (in_scope(scope, p->relpath) && !strmap_get(&seen,
			    p->relpath, strlen(p->relpath))) {
				removed = xgrow(removed, &cremoved, nremoved + 1,
				    sizeof(*removed));
				removed[nremoved++] = p;
			}
		}
	} else
		for (i = 0; i < scope->nkeys; i++) {
			struct post *p = find_by_relpath(s, scope->keys[i]);

			if (p && !strmap_get(&seen, p->relpath,
			    strlen(p->relpath))) {
				removed = xgrow(removed, &cremoved, nremoved + 1,
				    sizeof(*removed));
				removed[nremoved++] = p;
			}
		}
	/* Failures out of scope stay remembered; in scope, as found now. */
	for (i = 0; i < s->nfailed; i++) {
		if (in_scope(scope, s->failed[i].relpath)) {
			/* A file still failing keeps its old text served. */
			continue;
		}
		failed = xgrow(failed, &capfailed, nfailed + 1, sizeof(*failed));
		failed[nfailed++] = s->failed[i];
		s->failed[i].relpath = NULL;
	}
	failed_free(s->failed, s->nfailed);
	s->failed = failed;
	s->nfailed = nfailed;
	strmap_free(&s->failedmap);
	for (i = 0; i < nfailed; i++)
		strmap_put(&s->failedmap, failed[i].relpath,
		    strlen(failed[i].relpath), (void *)(uintptr_t)(i + 1));
	for (i = 0; i < err.n && s->logging; i++)
		log_warnx("%s/%s", s->croot, err.v[i].msg);
	diags_free(&err);
	strmap_free(&seen);
	changed = nadded > 0 || nremoved > 0;
	if (!changed && s->base.built) {
		free(added);
		free(removed);
		return 0;
	}
	/* What links may have looked up: old and new paths and URLs. */
	for (i = 0; i < nremoved; i++) {
		note_key(&keys, removed[i]->relpath);
		note_key(&keys, removed[i]->pm.url);
		strmap_put(&gone, (const char *)&removed[i],
		    sizeof(removed[i]), (void *)1);
	}
	for (i = 0; i < nadded; i++) {
		note_key(&keys, added[i]->relpath);
		note_key(&keys, added[i]->pm.url);
	}
	nv = xcalloc(s->nposts + nadded + 1, sizeof(*nv));
	for (n = 0, i = 0; i < s->nposts; i++)
		if (!strmap_get(&gone, (const char *)&s->posts[i],
		    sizeof(s->posts[i])))
			nv[n++] = s->posts[i];
	for (i = 0; i < nadded; i++)
		nv[n++] = added[i];
	/* Bodies that linked there are rendered again when asked. */
	for (i = 0; i < n; i++) {
		struct post *p = nv[i];

		for (j = 0; p->body_gmi && j < p->ndeps; j++)
			if (strmap_get(&keys, p->deps[j], strlen(p->deps[j])))
				post_drop_body(&s->cache, p);
	}
	for (i = 0; i < nremoved; i++) {
		if (s->search && removed[i]->indexed)
			search_remove(s->search, removed[i]->relpath);
	}
	/* The generated pages point at posts: dropped before any post. */
	site_pages_free(s);
	for (i = 0; i < nremoved; i++)
		post_free(&s->cache, removed[i]);
	free(removed);
	free(s->posts);
	s->posts = nv;
	s->nposts = n;
	strmap_free(&keys);
	strmap_free(&gone);
	qsort(s->posts, s->nposts, sizeof(*s->posts), post_cmp);
	index_posts(s);
	/* The search index follows within the same update. */
	for (i = 0; i < nadded && s->search; i++)
		if (added[i]->pm.kind == PM_PAGE) {
			if (index_now && !s->index_pending)
				post_index(s, added[i]);
			else
				s->index_pending = 1;
		}
	s->index_next = 0;
	free(added);
	site_title(s);
	site_build_pages(s);
	return 1;
}

/* Every file: the stat walk of a full scan. Returns 1 when anything changed. */
static int
site_sync(struct site *s, int index_now)
{
	struct scan sc = { 0 };
	struct scope all = { 0 };
	int changed;

	scan_dir(s->contentfd, "", 0, &sc);
	/* Checked here, once a scan, not per request. */
	s->own_robots = faccessat(s->rootfd, "robots.txt", F_OK, 0) == 0 ||
	    (s->cfg.static_dir && s->cfg.static_dir[0] &&
	    faccessat(s->rootfd, "static/robots.txt", F_OK, 0) == 0);
	if (sc.failed) {
		if (s->logging)
			log_warnx("%s: scan failed (%s); keeping what is served",
			    s->root, strerror(sc.failed));
		scan_free(&sc);
		return 0;
	}
	all.all = 1;
	changed = site_apply(s, &sc, &all, index_now);
	scan_free(&sc);
	return changed;
}

/* --- search ----------------------------------------------------------- */

/* The page's URL path, percent-encoded. */
static char *
post_url(const struct post *p)
{
	return url_encode_path(p->pm.url);
}

/*
 * What the search index is told of a post (issue 14): a small interface.
 * Its text is its rendered body: the cached one, else rendered for the
 * index alone (not kept, so indexing does not fill the cache).
 */
static void
post_index(struct site *s, struct post *p)
{
	struct search_doc d;
	struct render_out out;
	struct buf text = BUF_INIT;
	char *url = post_url(p);
	const char *body = p->body_gmi;

	memset(&out, 0, sizeof(out));
	if (body == NULL)
		body = post_render_body(s, p, &out);
	memset(&d, 0, sizeof(d));
	search_plain(body, &text);
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
	render_out_free(&out);
	buf_free(&text);
	free(url);
}

/* Indexes up to max pages not yet indexed; returns 1 when more remain. */
static int
index_some(struct site *s, size_t max)
{
	size_t done = 0;

	if (s->search == NULL)
		s->index_pending = 0;
	while (s->index_pending && done < max) {
		struct post *p;

		if (s->index_next >= s->nposts) {
			s->index_pending = 0;
			break;
		}
		p = s->posts[s->index_next++];
		if (!p->indexed && p->pm.kind == PM_PAGE) {
			post_index(s, p);
			done++;
		}
	}
	return s->index_pending;
}

int
site_idle(struct site *s)
{
	int more = index_some(s, SITE_IDLE_SLICE);

	lru_trim(&s->cache);
	return more;
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
		if ((p = strmap_get(&sv->s->by_url, path.data, n)) != NULL)
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
	/* A search before the index is complete completes it first. */
	index_some(s, SIZE_MAX);
	search_page(s->search, u->query, page, "/search", search_visible, &sv,
	    &body);
	text_meta(s->lang, &meta);
	resp->status = GEMINI_SUCCESS;
	resp->page = page_new(GEMINI_SUCCESS, meta.data, body.data, body.len);
	buf_free(&body);
	buf_free(&meta);
	return 1;
}

static struct site *
site_alloc(const char *root, int rootfd, const struct site_opts *o)
{
	struct site *s = xcalloc(1, sizeof(*s));

	s->root = xstrdup(root);
	s->rootfd = rootfd;
	s->access = o->access;
	s->contentfd = -1;
	s->lang = o->lang ? xstrdup(o->lang) : NULL;
	s->base_url = xstrdup(o->base_url ? o->base_url : "gemini://localhost");
	s->render = o->render;
	if (o->search)
		s->search = search_new();
	lru_init(&s->cache, o->cache_size ? o->cache_size :
	    SITE_CACHE_DEFAULT);
	s->robots = page_new(GEMINI_SUCCESS, "text/plain", SITE_ROBOTS,
	    strlen(SITE_ROBOTS));
	return s;
}

/* Reads the site's config (root/hugo.toml...) and opens its content. */
static void
site_config(struct site *s)
{
	struct diags d = { 0 };
	size_t i;

	sitecfg_init(&s->cfg);
	if (sitecfg_load(&s->cfg, s->rootfd, &d) == -1) {
		/* A config that does not parse: a bare folder, said loudly. */
		sitecfg_free(&s->cfg);
		sitecfg_init(&s->cfg);
	}
	for (i = 0; i < d.n; i++)
		log_warnx("%s/%s", s->root, d.v[i].msg);
	diags_free(&d);
	if (s->cfg.content_dir[0])
		s->contentfd = openat(s->rootfd, s->cfg.content_dir, O_PATH |
		    O_DIRECTORY | O_CLOEXEC);
	if (s->contentfd == -1)
		s->contentfd = dup(s->rootfd);
	s->title = xstrdup(s->cfg.title ? s->cfg.title : "");
	s->croot = s->cfg.content_dir[0] ? xasprintf("%s/%s", s->root,
	    s->cfg.content_dir) : xstrdup(s->root);
}

/* Forgets every post and the config (before reading them again). */
static void
site_clear(struct site *s)
{
	size_t i;

	site_pages_free(s);
	for (i = 0; i < s->nposts; i++)
		post_free(&s->cache, s->posts[i]);
	free(s->posts);
	s->posts = NULL;
	s->nposts = 0;
	s->intro = NULL;
	strmap_free(&s->by_relpath);
	strmap_free(&s->by_url);
	strmap_free(&s->by_bundle);
	strmap_free(&s->by_legacy);
	failed_free(s->failed, s->nfailed);
	s->failed = NULL;
	s->nfailed = 0;
	strmap_free(&s->failedmap);
	lru_clear(&s->cache);
	sitecfg_free(&s->cfg);
	if (s->contentfd != -1)
		close(s->contentfd);
	s->contentfd = -1;
	free(s->croot);
	s->croot = NULL;
	free(s->title);
	s->title = NULL;
	if (s->search) {
		search_free(s->search);
		s->search = search_new();
	}
	s->index_pending = 0;
	s->index_next = 0;
}

/* The title, once the home page is known: config, home page, default. */
static void
site_title(struct site *s)
{
	free(s->title);
	s->title = xstrdup(s->cfg.title ? s->cfg.title :
	    s->intro && s->intro->meta.title ? s->intro->meta.title :
	    "Gemini capsule");
}

/* Pages (not section or home texts) published to everyone. */
static size_t
count_pages(const struct site *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->nposts; i++)
		n += s->posts[i]->meta.draft == 0 &&
		    s->posts[i]->pm.kind == PM_PAGE;
	return n;
}

static size_t
count_drafts(const struct site *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->nposts; i++)
		n += s->posts[i]->meta.draft != 0 &&
		    s->posts[i]->pm.kind == PM_PAGE;
	return n;
}

struct site *
site_new(const char *root, int rootfd, const struct site_opts *o)
{
	struct site *s = site_alloc(root, rootfd, o);

	s->logging = 1;
	site_config(s);
	/* Front matter only: bodies are rendered when asked, indexed idle. */
	site_sync(s, 0);
	log_info("%s: %zu posts, %zu drafts, %zu tags (%s)", root,
	    count_pages(s), count_drafts(s), s->base.ntags,
	    s->cfg.gen == GEN_HUGO ? "Hugo site" : s->cfg.gen == GEN_ZOLA ?
	    "Zola site" : "content folder");
	return s;
}

int
site_refresh(struct site *s)
{
	int changed = site_sync(s, 1);

	if (changed)
		log_info("%s: changes seen: %zu posts, %zu drafts", s->root,
		    count_pages(s), count_drafts(s));
	lru_trim(&s->cache);
	return changed;
}

/* A file of the generator's config: any change reads the site afresh. */
static int
is_site_config(const struct site *s, const char *path)
{
	static const char *const names[] = { "hugo.", "config.", "zola.toml" };
	size_t i;

	(void)s;
	if (strncmp(path, "config/", 7) == 0 || strcmp(path, "config") == 0)
		return 1;
	if (strchr(path, '/'))
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncmp(path, names[i], strlen(names[i])) == 0)
			return 1;
	return 0;
}

static void
scope_add(char ***v, size_t *n, size_t *cap, const char *path)
{
	*v = xgrow(*v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = xstrdup(path);
}

int
site_update(struct site *s, const char *const *paths, size_t n)
{
	const char *cd = s->cfg.content_dir;
	size_t cl = strlen(cd), i;
	struct scope scope = { 0 };
	struct scan sc = { 0 };
	int changed = 0, robots = s->own_robots;

	if (n == 0)
		return site_refresh(s);
	for (i = 0; i < n; i++) {
		const char *p = paths[i], *cp;
		struct stat st;
		int depth = 1;

		while (strncmp(p, "./", 2) == 0)
			p += 2;
		while (*p == '/')
			p++;
		if (is_site_config(s, p)) {
			/* The generator's config: everything may move. */
			scan_free(&sc);
			scope_free(&scope);
			site_clear(s);
			site_config(s);
			site_sync(s, 1);
			log_info("%s: site config changed: %zu posts, %zu drafts",
			    s->root, count_pages(s), count_drafts(s));
			lru_trim(&s->cache);
			return 1;
		}
		if (strstr(p, "robots.txt"))
			s->own_robots = faccessat(s->rootfd, "robots.txt", F_OK,
			    0) == 0 || (s->cfg.static_dir &&
			    s->cfg.static_dir[0] && faccessat(s->rootfd,
			    "static/robots.txt", F_OK, 0) == 0);
		/* Posts live in the content folder: anything else is a file. */
		if (cl > 0) {
			if (strcmp(p, cd) == 0)
				p += cl;
			else if (strncmp(p, cd, cl) == 0 && p[cl] == '/')
				p += cl + 1;
			else
				continue;
		}
		cp = p;
		for (; *p; p++)
			depth += *p == '/';
		if (cp[0] == '\0' || strstr(cp, "/.") || cp[0] == '.' ||
		    strstr(cp, "//")) {
			/* The whole content, or a path no scan would take. */
			scope_add(&scope.dirs, &scope.ndirs, &scope.cdirs,
			    cp[0] == '\0' ? "" : cp);
			if (cp[0] == '\0')
				scan_dir(s->contentfd, "", 0, &sc);
			continue;
		}
		if (fstatat(s->contentfd, cp, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			if (errno != ENOENT && errno != ENOTDIR)
				continue;	/* not knowable now: the scan tells */
			/* Gone: a file, or a folder with all it held. */
			scope_add(&scope.dirs, &scope.ndirs, &scope.cdirs, cp);
			scope_add(&scope.keys, &scope.nkeys, &scope.ckeys, cp);
		} else if (S_ISDIR(st.st_mode)) {
			scope_add(&scope.dirs, &scope.ndirs, &scope.cdirs, cp);
			scan_dir(s->contentfd, cp, depth, &sc);
		} else if (is_markdown(cp)) {
			scope_add(&scope.keys, &scope.nkeys, &scope.ckeys, cp);
			if (S_ISREG(st.st_mode)) {
				sc.v = xgrow(sc.v, &sc.cap, sc.n + 1,
				    sizeof(*sc.v));
				sc.v[sc.n].relpath = xstrdup(cp);
				sc.v[sc.n].st = st;
				sc.n++;
			}
		}
	}
	for (i = 0; i < scope.nkeys; i++)
		strmap_put(&scope.files, scope.keys[i], strlen(scope.keys[i]),
		    (void *)1);
	if (sc.failed) {
		if (s->logging)
			log_warnx("%s: scan failed (%s); keeping what is served",
			    s->root, strerror(sc.failed));
	} else if (scope.nkeys || scope.ndirs)
		changed = site_apply(s, &sc, &scope, 1);
	scan_free(&sc);
	scope_free(&scope);
	if (changed)
		log_info("%s: changes seen: %zu posts, %zu drafts", s->root,
		    count_pages(s), count_drafts(s));
	lru_trim(&s->cache);
	return changed || robots != s->own_robots;
}

void
site_free(struct site *s)
{
	if (s == NULL)
		return;
	site_clear(s);
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
	char *enc = url_encode_path(path);
	char *url = xasprintf("%s%s", s->base_url, enc);

	resp->status = GEMINI_REDIRECT_PERM;
	resp->page = page_new(GEMINI_REDIRECT_PERM, url, NULL, 0);
	free(url);
	free(enc);
}

static void
not_found(struct response *resp)
{
	resp->status = GEMINI_NOT_FOUND;
	resp->page = page_new(GEMINI_NOT_FOUND, "not found", NULL, 0);
}

static int
has_suffix(const char *s, size_t n, const char *suf)
{
	size_t m = strlen(suf);

	return n > m && memcmp(s + n - m, suf, m) == 0;
}

/* An old or alternative spelling of a generated page: 1 after a 31. */
/* Answers a page the reader may not see: 60/61/62, or 51 for a draft. */
static void
refuse(struct response *resp, int status)
{
	resp->status = status;
	resp->page = gemini_error_page(status, access_meta(status));
}

static int
route_moved(struct site *s, struct pageset *set, const struct viewer *v,
    const char *path, size_t n, struct response *resp)
{
	struct alias *a;
	struct post *p;
	char *want;
	int found = 0, st;

	/* Without its trailing slash: 31 to it. */
	want = xasprintf("%s/", path);
	if (n > 1 && path[n - 1] != '/' && route_has(set, want, n + 1)) {
		redirect(s, resp, want);
		found = 1;
	}
	free(want);
	if (found)
		return 1;
	/* The 0.1 URLs: /posts/SLUG.gmi, /tags/TAG.gmi and .xml. */
	if (strncmp(path, "/posts/", 7) == 0 && has_suffix(path, n, ".gmi") &&
	    (p = strmap_get(&set->legacy, path + 7, n - 11)) != NULL) {
		redirect(s, resp, p->pm.url);
		return 1;
	}
	if (strncmp(path, "/tags/", 6) == 0 && n > 10 &&
	    (has_suffix(path, n, ".gmi") || has_suffix(path, n, ".xml"))) {
		want = xasprintf("%.*s/%s", (int)(n - 4), path,
		    path[n - 3] == 'x' ? "atom.xml" : "");
		if (route_has(set, want, strlen(want))) {
			redirect(s, resp, want);
			found = 1;
		}
		free(want);
		if (found)
			return 1;
	}
	if (strcmp(path, "/posts/") == 0 && route_has(set, "/archive/", 9)) {
		redirect(s, resp, "/archive/");
		return 1;
	}
	/* aliases, with or without their trailing slash */
	if ((a = strmap_get(&s->aliasmap, path, n)) == NULL) {
		want = n > 1 && path[n - 1] == '/' ? xstrndup(path, n - 1) :
		    xasprintf("%s/", path);
		a = strmap_get(&s->aliasmap, want, strlen(want));
		free(want);
	}
	if (a != NULL && (st = post_status(s, v, a->post)) != GEMINI_NOT_FOUND) {
		/* A hidden draft's alias is no alias: files may answer. */
		if (st != 0)
			refuse(resp, st);
		else {
			resp->status = atoi(a->redirect->data);
			resp->page = page_ref(a->redirect);
		}
		return 1;
	}
	return 0;
}

/*
 * A file the site publishes: beside a page (its bundle), in static/, or
 * at its content path. Fills file with its root-relative path.
 */
static int
route_file(struct site *s, const struct pageset *set, const char *path,
    struct buf *file)
{
	const char *slash = strrchr(path, '/');
	const char *cd = s->cfg.content_dir;
	struct post *p;
	char *rel;
	int ok;

	if (slash && slash[1] && (p = strmap_get(&set->bundles, path,
	    (size_t)(slash - path + 1))) != NULL) {
		buf_printf(file, "%s%s%s/%s", cd, cd[0] ? "/" : "",
		    p->pm.bundle, slash + 1);
		return 1;
	}
	if (s->cfg.gen == GEN_BARE)
		return 0;
	rel = xasprintf("%s%s", s->cfg.static_dir, path);
	ok = faccessat(s->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	if (!ok) {
		free(rel);
		rel = xasprintf("%s%s", cd, path);
		ok = faccessat(s->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	}
	if (ok)
		buf_adds(file, rel);
	free(rel);
	return ok;
}

/* The page (of any kind) at path, with or without its slash, or at its 0.1 URL. */
static struct post *
page_at(struct site *s, const char *path, size_t n)
{
	struct post *p = strmap_get(&s->by_url, path, n);
	char *want;

	if (p == NULL && n > 1 && path[n - 1] != '/') {
		want = xasprintf("%s/", path);
		p = strmap_get(&s->by_url, want, n + 1);
		free(want);
	}
	if (p == NULL && strncmp(path, "/posts/", 7) == 0 &&
	    has_suffix(path, n, ".gmi"))
		p = strmap_get(&s->by_legacy, path + 7, n - 11);
	return p;
}

int
site_file_status(struct site *s, const struct viewer *v, const char *relpath)
{
	const char *cd = s->cfg.content_dir, *cp = relpath;
	size_t cl = strlen(cd), k;
	struct post *p;

	/* Posts and bundles live in the content folder. */
	if (cl > 0) {
		if (strncmp(relpath, cd, cl) != 0 || relpath[cl] != '/')
			return 0;
		cp = relpath + cl + 1;
	}
	if ((p = find_by_relpath(s, cp)) != NULL)
		return post_status(s, v, p);
	/* A file of a page's bundle: as its page. */
	for (k = strlen(cp); k > 0; k--)
		if (cp[k - 1] == '/' && (p = strmap_get(&s->by_bundle, cp,
		    k - 1)) != NULL)
			return post_status(s, v, p);
	return 0;
}

int
site_route(struct site *s, const struct url *u, const struct viewer *v,
    struct response *resp, struct buf *file)
{
	struct pageset *set;
	const char *path = u->path;
	size_t n = strlen(path);
	struct page *pg;
	struct post *p;
	int st;

	if (s->cfg.gen == GEN_BARE && s->nposts == 0)
		return 0;	/* a plain capsule: its own index.gmi */
	set = pageset_for(s, v);
	if ((pg = route_get(s, set, v, path, n)) != NULL) {
		serve(resp, pg);
		lru_trim(&s->cache);	/* what this request made, after it */
		return 1;
	}
	/* A page this reader may not see, at its URL or its 0.1 URL. */
	if ((p = page_at(s, path, n)) != NULL &&
	    (st = post_status(s, v, p)) != 0) {
		refuse(resp, st);
		return 1;
	}
	if (route_moved(s, set, v, path, n, resp))
		return 1;
	if (strcmp(path, "/robots.txt") == 0 && !s->own_robots) {
		serve(resp, s->robots);
		return 1;
	}
	/* A page's own file: its source, never a hidden one's. */
	if ((p = find_by_relpath(s, path + 1)) != NULL) {
		if ((st = post_status(s, v, p)) != 0)
			refuse(resp, st);
		else {
			if (p->source == NULL)
				p->source = page_new(GEMINI_SUCCESS,
				    "text/markdown; charset=utf-8", p->md,
				    strlen(p->md));
			serve(resp, p->source);
		}
		return 1;
	}
	if (route_file(s, set, path, file))
		return 0;
	if (s->cfg.gen == GEN_BARE)
		return 0;
	/* A site root publishes nothing else: no config, no theme. */
	not_found(resp);
	return 1;
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

/*
 * The site root holding path: the nearest folder above it with a site
 * config. Returns a malloc'd path, or NULL.
 */
static char *
find_site_root(const char *path)
{
	char *dir = realpath(path, NULL), *slash;
	struct sitecfg c;
	struct diags d = { 0 };
	int fd, found = 0;

	while (dir && (slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if ((fd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY |
		    O_CLOEXEC)) == -1)
			break;
		sitecfg_init(&c);
		found = sitecfg_load(&c, fd, &d) == 0 && c.gen != GEN_BARE;
		sitecfg_free(&c);
		diags_free(&d);
		close(fd);
		if (found)
			return dir;
	}
	free(dir);
	return NULL;
}

static void
convert_diags(const struct post *p, struct diags *d)
{
	size_t i;

	for (i = 0; i < p->diags.n; i++)
		diags_add(d, p->diags.v[i].level, p->diags.v[i].line, "%s",
		    p->diags.v[i].msg);
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
	size_t len;
	char *md, *root = NULL;
	int rootfd;

	memset(&so, 0, sizeof(so));
	/* No access rules: every page is shown, drafts too. */
	so.render = *ro;
	so.cache_size = SIZE_MAX;	/* one run: nothing evicted */
	/* A file of a site: rendered exactly as the server serves it. */
	if (strcmp(path, "-") != 0 && (root = find_site_root(path)) != NULL &&
	    (rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) != -1) {
		char *real = realpath(path, NULL), *rel = NULL;
		size_t rl;

		s = site_alloc(root, rootfd, &so);
		site_config(s);
		site_sync(s, 0);
		rl = strlen(root) + strlen(s->cfg.content_dir) + 1;
		if (real && strlen(real) > rl &&
		    strncmp(real + strlen(root) + 1, s->cfg.content_dir,
		    strlen(s->cfg.content_dir)) == 0)
			rel = real + rl + (s->cfg.content_dir[0] ? 1 : 0);
		p = rel ? find_by_relpath(s, rel) : NULL;
		if (p != NULL) {
			/* A published page as served: among published pages. */
			struct pageset pub = { 0 };
			struct viewer pv;
			struct page *pg;

			access_viewer(NULL, NULL, 0, &pv);
			pv.drafts = p->meta.draft;
			if (!p->meta.draft)
				pageset_build(s, &pub, &pv);
			pg = route_get(s, p->meta.draft ? &s->base : &pub, &pv,
			    p->pm.url, strlen(p->pm.url));
			if (body_only || pg == NULL)
				buf_adds(out, post_body(s, p));
			else
				buf_add(out, pg->data + pg->body_off,
				    pg->len - pg->body_off);
			pageset_free(s, &pub);
			convert_diags(p, d);
		}
		free(real);
		site_free(s);
		close(rootfd);
		free(root);
		if (p != NULL)
			return 0;
	} else
		free(root);
	memset(&st, 0, sizeof(st));
	if (strcmp(path, "-") == 0)
		md = read_stdin(&len);
	else
		md = read_all(AT_FDCWD, path, &st, &len);
	if (md == NULL)
		return -1;
	memset(&so, 0, sizeof(so));
	so.render = *ro;
	so.cache_size = SIZE_MAX;
	s = site_alloc(".", AT_FDCWD, &so);
	sitecfg_init(&s->cfg);
	s->standalone = 1;
	p = post_parse(&s->cfg, strcmp(path, "-") == 0 ? "stdin.md" : path,
	    md, len, &st);
	post_summary(s, p);
	post_body(s, p);
	if (body_only)
		buf_adds(out, p->body_gmi);
	else {
		memset(&ps, 0, sizeof(ps));
		ps.title = p->title;
		ps.base_url = s->base_url;
		to_page_post(p, &pp);
		pages_post(&ps, &pp, p->body_gmi, NULL, NULL, out);
	}
	convert_diags(p, d);
	post_free(&s->cache, p);
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

/*
 * Every link and image of a page that answers nothing: each is routed
 * as the server would route it, files looked up where it would look.
 */
static void
check_links(struct site *s, const struct post *p, int *errors, int *warnings)
{
	const char *l = p->body_gmi, *e;
	struct diag dg = { DIAG_WARN, 0, NULL };
	struct buf file = BUF_INIT;
	struct viewer all;
	char *raw;

	access_viewer(NULL, NULL, 0, &all);	/* sees every page */
	for (; *l; l = *e ? e + 1 : e) {
		const char *t, *err;
		char *target, *line;
		struct response resp;
		struct url u;
		size_t n;
		int ok = 1;

		e = strchr(l, '\n');
		if (e == NULL)
			e = l + strlen(l);
		if (strncmp(l, "=>", 2) != 0)
			continue;
		for (t = l + 2; *t == ' ' || *t == '\t'; t++)
			;
		n = strcspn(t, " \t\n");
		target = xstrndup(t, n);
		if ((strchr(target, ':') && strncmp(target, s->base_url,
		    strlen(s->base_url)) != 0) || target[0] == '#' ||
		    is_markdown(target) || strstr(target, ".md#")) {
			free(target);
			continue;
		}
		if (strncmp(target, s->base_url, strlen(s->base_url)) == 0)
			line = xasprintf("gemini://h%s", target +
			    strlen(s->base_url));
		else if (target[0] == '/')
			line = xasprintf("gemini://h%s", target);
		else
			line = xasprintf("gemini://h%s/../%s", p->pm.url, target);
		if (url_parse(line, strlen(line), &u, &err) == 0) {
			memset(&resp, 0, sizeof(resp));
			buf_reset(&file);
			if (site_route(s, &u, &all, &resp, &file))
				ok = resp.status == GEMINI_SUCCESS ||
				    resp.status == GEMINI_REDIRECT_PERM;
			else
				ok = faccessat(s->rootfd, file.len ? file.data :
				    u.path[1] ? u.path + 1 : ".", F_OK, 0) == 0;
			page_unref(resp.page);
			url_free(&u);
		}
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
			report(s->croot, p->relpath, &dg, errors, warnings);
			free(dg.msg);
		}
		free(line);
		free(target);
	}
	buf_free(&file);
}

int
site_check(const char *root, const struct gemtext_opts *ro, int list,
    int *warnings)
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
	so.cache_size = SIZE_MAX;	/* one run: every body kept */
	s = site_alloc(root, rootfd, &so);
	site_config(s);
	site_sync(s, 0);
	for (i = 0; i < s->nposts; i++)
		post_body(s, s->posts[i]);
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];
		const char *u = p->pm.url;

		for (j = 0; j < p->diags.n; j++)
			report(s->croot, p->relpath, &p->diags.v[j], &errors,
			    warnings);
		/* Two pages at one URL: one of them is unreachable. */
		if ((first = strmap_get(&s->by_url, u, strlen(u))) != p) {
			struct diag dg = { DIAG_ERROR, 0, NULL };

			dg.msg = xasprintf("URL '%s' is also %s's", u,
			    first->relpath);
			report(s->croot, p->relpath, &dg, &errors, warnings);
			free(dg.msg);
		}
		check_links(s, p, &errors, warnings);
		if (list)
			printf("%s%s%s %s %s\n", s->cfg.content_dir,
			    s->cfg.content_dir[0] ? "/" : "", p->relpath, u,
			    p->dated ? p->ymd : "-");
	}
	printf("%s: %zu page%s checked\n", root, s->nposts,
	    s->nposts == 1 ? "" : "s");
	site_free(s);
	close(rootfd);
	return errors;
}
