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
	char *body_gmi;
	char *summary;		/* text before <!--more-->, when no description */
	size_t words;
	struct diags diags;
	size_t parse_diags;	/* diags from parsing; rendering adds more */
	struct page *source;	/* 20 text/markdown + the file */
	int rendered;
	/*
	 * Where access rules look: the file, its page URL, its source URL,
	 * its 0.1 URL and its aliases.
	 */
	char **addrs;
	size_t naddrs, caddrs;
	struct post **links;	/* the posts its body links to */
	size_t nlinks, caplinks;
	int indexed;		/* in the search index */
	int unpub;		/* not yet published, or expired (pm_published) */
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

/*
 * The generated pages as one visibility class sees them (access.h): the
 * pages its clients may see, and only links to those. Every generated
 * page is reachable through routes, by its decoded path.
 */
struct pageset {
	int built;
	char *key;		/* access_class_key of the class */
	struct post **listed;	/* pages, newest first, undated last */
	struct strmap bodies;	/* relpath -> body rendered for the class */
	size_t nlisted;
	struct section *secs;
	size_t nsecs;
	struct strmap routes;	/* path -> struct page */
	struct strmap legacy;	/* 0.1 slug -> struct post */
	struct strmap bundles;	/* page URL -> struct post with files */
	struct strmap secmap;	/* section URL -> index plus one */
	char **keys;		/* owned keys and bodies of the maps above */
	size_t nkeys, ckeys;
	struct page **owned;	/* owned pages, unreferenced on free */
	size_t nowned, cowned;
	size_t ntags;
	struct page *index;
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
	struct alias *aliases;
	size_t naliases;
	struct strmap aliasmap;	/* path -> struct alias */
	struct strmap by_relpath, by_url, by_bundle;	/* -> struct post */
	struct strmap by_legacy;	/* 0.1 slug -> struct post */
	struct page *robots;
	int logging;		/* log diagnostics (the server) */
	int standalone;		/* convert: no other posts to link to */
	int own_robots;		/* the capsule has its robots.txt */
	struct search *search;	/* the posts' full-text index, or NULL */
	struct strmap by_base;	/* a page's base name -> struct post (ref) */
	int64_t next_change;	/* when a page is next published or expires */
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
post_free(struct post *p)
{
	if (p == NULL)
		return;
	free(p->relpath);
	free(p->title);
	pm_page_free(&p->pm);
	post_meta_free(&p->meta);
	free(p->md);
	free(p->body_gmi);
	free(p->summary);
	diags_free(&p->diags);
	page_unref(p->source);
	for (size_t i = 0; i < p->naddrs; i++)
		free(p->addrs[i]);
	free(p->addrs);
	free(p->links);
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
	/* Not yet published or expired: a draft to the rule. */
	return access_source(v, (const char *const *)p->addrs, p->naddrs,
	    p->meta.draft || p->unpub);
}

static int
same_lang(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Hugo's headless applies to a leaf bundle only (index.md). */
static int
headless(const struct post *p)
{
	return p->meta.headless && p->pm.kind == PM_PAGE && p->pm.bundle;
}

/* A page its front matter says not to render: no page, no URL. */
static int
not_rendered(const struct post *p)
{
	return p->meta.no_render || headless(p);
}

static struct post *
find_by_relpath(struct site *s, const char *rel)
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
	strmap_free(&s->by_base);
	s->intro = NULL;
	/* Base names for ref "NAME": the default language's pages first. */
	for (i = 0; i < 2 * s->nposts; i++) {
		struct post *p = s->posts[i % s->nposts];
		const char *b;
		size_t n;

		if ((p->pm.lang == NULL) != (i < s->nposts))
			continue;
		if (p->pm.kind == PM_PAGE && p->pm.bundle) {
			b = strrchr(p->pm.bundle, '/');
			b = b ? b + 1 : p->pm.bundle;
			n = strlen(b);
		} else {
			b = strrchr(p->relpath, '/');
			b = b ? b + 1 : p->relpath;
			n = strcspn(b, ".");
		}
		if (p->pm.kind == PM_PAGE && n > 0)
			strmap_put(&s->by_base, b, n, p);
	}
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
file_url(struct site *s, const char *cp, struct buf *out)
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

/* The page at content path cp, in language lang (NULL: the default). */
static struct post *
find_lang(struct site *s, const char *cp, size_t n, const char *lang)
{
	struct post *p;
	char *t;

	if (lang == NULL)
		return strmap_get(&s->by_relpath, cp, n);
	t = xasprintf("%.*s.%s.md", (int)n - 3, cp, lang);
	p = find_by_relpath(s, t);
	free(t);
	return p ? p : strmap_get(&s->by_relpath, cp, n);
}

/*
 * What Hugo's ref and relref find for a path that names no file: the
 * path from the content top, then as a bundle (X/index.md) or section
 * (X/_index.md), then a page by its base name ("bundle"), each in the
 * linking page's language first.
 */
static struct post *
find_ref(struct site *s, const struct post *from, const char *dest,
    size_t n, const char *cp)
{
	static const char *const tails[] = { "", "/index.md", "/_index.md" };
	const char *lang = from ? from->pm.lang : NULL;
	char *tries[2], *t;
	struct post *p = NULL;
	size_t i, j, len;

	if (strncmp(dest, "@/", 2) == 0)
		return NULL;
	tries[0] = xstrdup(cp);
	tries[1] = pm_join("", dest, n);
	for (i = 0; i < 2 && p == NULL; i++) {
		len = strlen(tries[i]);
		if (len < 3 || strcmp(tries[i] + len - 3, ".md") != 0)
			continue;
		for (j = 0; j < ARRAY_LEN(tails) && p == NULL; j++) {
			t = xasprintf("%.*s%s", (int)(j ? len - 3 : len),
			    tries[i], tails[j]);
			p = find_lang(s, t, strlen(t), lang);
			free(t);
		}
	}
	/* A bare name: the page whose file or bundle is called so. */
	len = strlen(tries[1]);
	if (p == NULL && memchr(dest, '/', n) == NULL && len > 3 &&
	    strcmp(tries[1] + len - 3, ".md") == 0) {
		p = strmap_get(&s->by_base, tries[1], len - 3);
		/* The same page in the linking page's language. */
		if (p && lang && p->pm.lang == NULL)
			p = find_lang(s, p->relpath, strlen(p->relpath), lang);
	}
	free(tries[0]);
	free(tries[1]);
	return p;
}

static int
site_resolve(void *arg, const char *dest, struct buf *out)
{
	struct resolve_ctx *rc = arg;
	struct site *s = rc->s;
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
	if (target == NULL)
		target = find_ref(s, rc->from, dest, n, cp);
	if (target == NULL) {
		char *msg = xasprintf("link to '%.*s' names no page in the "
		    "site", (int)n, dest);
		size_t i;

		for (i = 0; rc->d && i < rc->d->n; i++)
			if (strcmp(rc->d->v[i].msg, msg) == 0)
				break;
		if (rc->d && i == rc->d->n) {
			int line = rc->from ? line_of(rc->from->md, dest, n) : 0;

			/* A ref as written: without the .md it was given. */
			if (line == 0 && rc->from && n > 3 &&
			    strncmp(dest + n - 3, ".md", 3) == 0)
				line = line_of(rc->from->md, dest, n - 3);
			diags_add(rc->d, DIAG_WARN, line, "%s", msg);
		}
		free(msg);
		free(cp);
		return 0;
	}
	free(cp);
	if (not_rendered(target))
		return -1;	/* a page with no page: its text */
	if (rc->v && post_status(rc->s, rc->v, target) != 0)
		return -1;	/* a page this reader may not see: text only */
	if (rc->v == NULL && rc->from) {
		rc->from->links = xgrow(rc->from->links, &rc->from->caplinks,
		    rc->from->nlinks + 1, sizeof(*rc->from->links));
		rc->from->links[rc->from->nlinks++] = target;
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
 */
static int
read_included(void *arg, enum shortcode_root kind, const char *path,
    struct buf *out)
{
	const struct site *s = arg;
	struct stat st;
	char *seg = xstrdup(path), *p = seg, *slash, *text;
	size_t len;
	/* include: under the content folder; readfile: the site root. */
	int base = kind == SHORTCODE_CONTENT ? s->contentfd : s->rootfd;
	int dfd = base, next;

	while ((slash = strchr(p, '/')) != NULL) {
		*slash = '\0';
		next = openat(dfd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (dfd != base)
			close(dfd);
		if ((dfd = next) == -1)
			break;
		p = slash + 1;
	}
	text = dfd == -1 ? NULL : read_all(dfd, p, &st, &len);
	if (dfd != -1 && dfd != base)
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

static int post_cmp(const void *a, const void *b);
static void site_build_pages(struct site *s);
static size_t count_pages(const struct site *s);

/* --- the generated pages --------------------------------------------- */

static const char *
own_key(struct pageset *set, char *key)
{
	set->keys = xgrow(set->keys, &set->ckeys, set->nkeys + 1,
	    sizeof(*set->keys));
	set->keys[set->nkeys++] = key;
	return key;
}

/* The body of p as set's class sees it. */
static const char *
set_body(const struct pageset *set, const struct post *p)
{
	const char *b = strmap_get(&set->bodies, p->relpath,
	    strlen(p->relpath));

	return b ? b : p->body_gmi;
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

static void
pageset_free(struct pageset *ps)
{
	size_t i;

	for (i = 0; i < ps->nowned; i++)
		page_unref(ps->owned[i]);
	free(ps->owned);
	for (i = 0; i < ps->nkeys; i++)
		free(ps->keys[i]);
	free(ps->keys);
	for (i = 0; i < ps->nsecs; i++) {
		free(ps->secs[i].url);
		free(ps->secs[i].dir);
		free(ps->secs[i].title);
	}
	free(ps->secs);
	page_unref(ps->index);
	strmap_free(&ps->bodies);
	free(ps->key);
	free(ps->listed);
	strmap_free(&ps->routes);
	strmap_free(&ps->legacy);
	strmap_free(&ps->bundles);
	strmap_free(&ps->secmap);
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
		char *enc = url_encode_path(p->pm.url);
		char *to = xasprintf("%s%s", s->base_url, enc);

		s->aliases = xrealloc(s->aliases,
		    (s->naliases + 1) * sizeof(*s->aliases));
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

/* The section of folder dir and language, or -1. */
static long
find_section(const struct pageset *set, const char *dir, const char *lang)
{
	size_t i;

	for (i = 0; i < set->nsecs; i++)
		if (strcmp(set->secs[i].dir, dir) == 0 &&
		    (set->secs[i].lang == lang || (lang && set->secs[i].lang &&
		    strcmp(set->secs[i].lang, lang) == 0)))
			return (long)i;
	return -1;
}

static long
add_section(struct site *s, struct pageset *set, const char *dir,
    const char *lang, struct post *index)
{
	struct section *sec;
	const char *slash;
	long k = find_section(set, dir, lang);

	if (k >= 0) {
		if (index && set->secs[k].index == NULL) {
			set->secs[k].index = index;
			free(set->secs[k].title);
			set->secs[k].title = xstrdup(index->title);
		}
		return k;
	}
	set->secs = xrealloc(set->secs, (set->nsecs + 1) * sizeof(*set->secs));
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
in_section(const struct pageset *set, const long *sec_of, size_t i, long k)
{
	long j = sec_of[i];

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

static const char *
busiest_section(const struct site *s, const struct pageset *set)
{
	const char *best = NULL;
	size_t i, j, n, bestn = 0;

	/* A bare folder lists every page, as 0.1 did. */
	if (s->cfg.gen == GEN_BARE)
		return NULL;
	for (i = 0; i < set->nlisted; i++) {
		const char *sec = set->listed[i]->pm.section;

		if (!set->listed[i]->dated || sec[0] == '\0' ||
		    set->listed[i]->pm.lang)
			continue;
		for (n = 0, j = 0; j < set->nlisted; j++)
			n += set->listed[j]->dated &&
			    strcmp(set->listed[j]->pm.section, sec) == 0;
		if (n > bestn) {
			bestn = n;
			best = sec;
		}
	}
	return best ? best : "";
}

/* One taxonomy's term list of a post, when front matter carries it. */
static char **
terms_of(const struct post *p, const char *tax, size_t *n)
{
	size_t i;

	if (strcmp(tax, "tags") == 0) {
		*n = p->meta.ntags;
		return p->meta.tags;
	}
	if (strcmp(tax, "categories") == 0) {
		*n = p->meta.ncategories;
		return p->meta.categories;
	}
	for (i = 0; i < p->meta.nterms; i++)
		if (strcasecmp(p->meta.terms[i].taxonomy, tax) == 0) {
			*n = p->meta.terms[i].n;
			return p->meta.terms[i].terms;
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

/*
 * Where a page is listed: everywhere (home, archive, feeds, its section
 * and its terms), in its section and terms only (Hugo build.list
 * "local"), or nowhere (build.list "never", headless) though it is
 * served.
 */
static int
listed_globally(const struct post *p)
{
	return !p->meta.no_list && !p->meta.list_local && !headless(p);
}

static int
listed_locally(const struct post *p)
{
	return !p->meta.no_list && !headless(p);
}


/* A term's URL segment, as the generator writes it; NULL: as written. */
static char *(*term_slug(const struct site *s))(const char *, size_t)
{
	return s->cfg.gen == GEN_HUGO ? pm_urlize : s->cfg.gen == GEN_ZOLA ?
	    pm_slugify : NULL;
}

/* "/tags/TERM/" as a decoded path, under prefix ("/fr" or ""). */
static char *
term_path(const struct site *s, const char *prefix, const char *tax,
    const char *term, const char *tail)
{
	char *(*f)(const char *, size_t) = term_slug(s);
	char *slug = f ? f(term, strlen(term)) : xstrdup(term), *r;

	r = xasprintf("%s/%s/%s/%s", prefix, tax, slug, tail);
	free(slug);
	return r;
}

/* The URL prefix of a language: "" for the default, else "/fr". */
static char *
lang_prefix_of(const struct site *s, const char *lang)
{
	return lang ? xasprintf("/%s", lang) : s->cfg.default_in_subdir ?
	    xasprintf("/%s", s->cfg.default_lang) : xstrdup("");
}

/*
 * One taxonomy of one language: its list page and a page and a feed per
 * term. Terms whose URL is the same ("Film", "film") are one term,
 * shown as first written.
 */
static void
build_taxonomy(struct site *s, struct pageset *set, const char *tax,
    const char *lang, const struct page_site *base,
    const struct page_post *pp)
{
	struct page_post *tp = xcalloc(set->nlisted + 1, sizeof(*tp));
	const char ***owned = xcalloc(set->nlisted + 1, sizeof(*owned));
	struct page_site ps = *base;
	struct strmap canon = { 0 }, seen = { 0 };
	char *(*f)(const char *, size_t) = term_slug(s);
	char *prefix = lang_prefix_of(s, lang);
	struct buf b = BUF_INIT;
	size_t i, j, n, nt = 0;
	char *path, **slugs = NULL;
	size_t nslugs = 0, cslugs = 0;

	ps.taxonomy = tax;
	ps.tax_prefix = prefix;
	for (i = 0; i < set->nlisted; i++) {
		char **terms;
		size_t k;

		/* A term's pages are a local list, as Hugo has it. */
		if (!listed_locally(set->listed[i]) ||
		    !same_lang(set->listed[i]->pm.lang, lang))
			continue;
		tp[nt] = pp[i];
		terms = terms_of(set->listed[i], tax, &k);
		owned[nt] = xcalloc(k + 1, sizeof(**owned));
		for (j = 0; j < k; j++) {
			char *slug = f ? f(terms[j], strlen(terms[j])) :
			    xstrdup(terms[j]);
			const char *c = strmap_get(&canon, slug, strlen(slug));

			if (c == NULL) {
				c = terms[j];
				slugs = xgrow(slugs, &cslugs, nslugs + 1,
				    sizeof(*slugs));
				slugs[nslugs++] = slug;
				strmap_put(&canon, slug, strlen(slug),
				    (void *)c);
			} else
				free(slug);
			owned[nt][j] = c;
		}
		tp[nt].tags = owned[nt];
		tp[nt].ntags = k;
		nt++;
	}
	pages_tags(&ps, tp, nt, &b);
	path = xasprintf("%s/%s/", prefix, tax);
	route(set, path, gemtext_page(lang ? lang : s->lang, &b));
	free(path);
	buf_reset(&b);
	for (i = 0; i < nt; i++)
		for (j = 0; j < tp[i].ntags; j++) {
			const char *term = tp[i].tags[j];

			n = strlen(term);
			if (n == 0 || strmap_get(&seen, term, n))
				continue;
			strmap_put(&seen, term, n, (void *)1);
			if (strcmp(tax, "tags") == 0 && lang == NULL)
				set->ntags++;
			pages_tag(&ps, term, tp, nt, &b);
			path = term_path(s, prefix, tax, term, "");
			route(set, path, gemtext_page(lang ? lang : s->lang,
			    &b));
			buf_reset(&b);
			free(path);
			/* The feed's own URL, percent-encoded. */
			path = term_path(s, prefix, tax, term, "atom.xml");
			{
				char *self = url_encode_path(path);

				feed_atom(&ps, tp, nt, self, term, &b);
				free(self);
			}
			route(set, path, page_new(GEMINI_SUCCESS,
			    "application/atom+xml", b.data, b.len));
			free(path);
			buf_reset(&b);
		}
	for (i = 0; i < nt; i++)
		free(owned[i]);
	for (i = 0; i < nslugs; i++)
		free(slugs[i]);
	free(slugs);
	free(owned);
	free(prefix);
	strmap_free(&canon);
	strmap_free(&seen);
	buf_free(&b);
	free(tp);
}

/* The dated entries of a listing, for its Atom feed. */
static size_t
feed_entries(const struct page_post *v, size_t n, struct page_post *out)
{
	size_t i, k = 0;

	for (i = 0; i < n && k < SITE_FEED_POSTS; i++)
		if (v[i].ymd && v[i].ymd[0])
			out[k++] = v[i];
	return k;
}

/* What a post is ordered by. */
static void
post_key(const struct post *p, struct pm_key *k)
{
	const char *u = p->pm.url, *e = u + strlen(u);

	memset(k, 0, sizeof(*k));
	k->title = p->title;
	k->url = u;
	k->path = p->relpath;
	while (e > u && e[-1] == '/')
		e--;
	while (e > u && e[-1] != '/')
		e--;
	k->slug = e;
	k->dated = p->dated;
	k->date = p->date;
	k->has_updated = p->meta.has_updated;
	k->updated = p->meta.updated;
	k->has_weight = p->meta.has_weight;
	k->weight = p->meta.weight;
}

/* Home, archive, feeds and taxonomies: newest first, undated last. */
static int
post_cmp(const void *a, const void *b)
{
	struct pm_key x, y;

	post_key(*(struct post *const *)a, &x);
	post_key(*(struct post *const *)b, &y);
	return pm_order_cmp(PM_ORDER_NEWEST, &x, &y);
}

/*
 * The order of a section's listing (index: its _index.md, or NULL):
 * Hugo's default order; Zola's sort_by, or newest first when it has
 * none (Zola's "none" promises no order).
 */
static enum pm_order
section_order(const struct site *s, const struct post *index)
{
	if (s->cfg.gen != GEN_ZOLA)
		return PM_ORDER_HUGO;
	switch (index ? index->meta.sort_by : FM_SORT_UNSET) {
	case FM_SORT_DATE:
		return PM_ORDER_DATE;
	case FM_SORT_UPDATE:
		return PM_ORDER_UPDATE;
	case FM_SORT_TITLE:
		return PM_ORDER_TITLE;
	case FM_SORT_TITLE_BYTES:
		return PM_ORDER_TITLE_BYTES;
	case FM_SORT_WEIGHT:
		return PM_ORDER_WEIGHT;
	case FM_SORT_SLUG:
		return PM_ORDER_SLUG;
	default:
		return PM_ORDER_NEWEST;
	}
}

/* 1 when p carries what order o sorts by (else it gets no neighbours). */
static int
has_order_key(enum pm_order o, const struct post *p)
{
	switch (o) {
	case PM_ORDER_HUGO:
		return p->dated || (p->meta.has_weight && p->meta.weight != 0);
	case PM_ORDER_NEWEST:
	case PM_ORDER_DATE:
		return p->dated;
	case PM_ORDER_UPDATE:
		return p->dated || p->meta.has_updated;
	case PM_ORDER_WEIGHT:
		return p->meta.has_weight;
	default:
		return 1;
	}
}

/* Is a listing in order o, of pages v[0..n), told newest first? */
static int
chronological(enum pm_order o, struct post *const *v, const size_t *idx,
    size_t n)
{
	size_t i;

	if (o == PM_ORDER_NEWEST || o == PM_ORDER_DATE ||
	    o == PM_ORDER_UPDATE)
		return 1;
	if (o != PM_ORDER_HUGO)
		return 0;
	for (i = 0; i < n; i++)
		if (v[idx[i]]->meta.has_weight && v[idx[i]]->meta.weight != 0)
			return 0;
	return 1;
}

struct order_ctx {
	struct post *const *v;
	enum pm_order o;
};

static int
idx_cmp(const void *a, const void *b, void *arg)
{
	const struct order_ctx *oc = arg;
	struct pm_key x, y;

	post_key(oc->v[*(const size_t *)a], &x);
	post_key(oc->v[*(const size_t *)b], &y);
	return pm_order_cmp(oc->o, &x, &y);
}

/* Sorts indices into v (listed pages) in order o. */
static void
sort_listing(struct post *const *v, size_t *idx, size_t n, enum pm_order o)
{
	struct order_ctx oc = { v, o };

	if (n > 1)
		qsort_r(idx, n, sizeof(*idx), idx_cmp, &oc);
}

/* The sections of a pageset: every _index.md, and every top folder holding pages. */
static void
collect_sections(struct site *s, struct pageset *set, const struct viewer *v,
    long *sec_of)
{
	size_t i;

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
		sec_of[i] = section_of(set, set->listed[i]->pm.dir,
		    set->listed[i]->pm.lang);
}

/* A section whose _index.md says not to render it has no page. */
static int
sec_rendered(const struct section *sec)
{
	return sec->index == NULL || !sec->index->meta.no_render;
}

/*
 * Neighbours of each listed page: the pages beside it in its own
 * section's order, in its language (pages outside any section: among
 * the top-level pages of their language). In an order by a key some
 * pages lack (a date, a weight), only pages with the key are linked.
 */
static void
neighbours(struct site *s, struct pageset *set, const long *sec_of,
    long *older, long *newer, unsigned char *nav)
{
	size_t *idx = xcalloc(set->nlisted + 1, sizeof(*idx));
	size_t i, j, n, k;

	for (i = 0; i < set->nlisted; i++)
		older[i] = newer[i] = -1;
	for (k = 0; k <= set->nsecs + s->cfg.nlangs; k++) {
		/* k < nsecs: a section; then the top level per language. */
		const char *lang = k < set->nsecs ? set->secs[k].lang :
		    k == set->nsecs ? NULL : s->cfg.langs[k - set->nsecs - 1].code;
		const struct post *index = k < set->nsecs ?
		    set->secs[k].index : s->intro;
		enum pm_order o = section_order(s, index);
		int chrono;

		for (n = 0, i = 0; i < set->nlisted; i++) {
			const struct post *p = set->listed[i];

			if (!listed_locally(p) || !has_order_key(o, p))
				continue;
			if (k < set->nsecs ? sec_of[i] == (long)k :
			    sec_of[i] < 0 && same_lang(p->pm.lang, lang))
				idx[n++] = i;
		}
		sort_listing(set->listed, idx, n, o);
		chrono = chronological(o, set->listed, idx, n);
		for (j = 0; j < n; j++) {
			older[idx[j]] = j + 1 < n ? (long)idx[j + 1] : -1;
			newer[idx[j]] = j > 0 ? (long)idx[j - 1] : -1;
			nav[idx[j]] = !chrono;
		}
	}
	free(idx);
}

static void
build_sections(struct site *s, struct pageset *set, const struct page_site *ps,
    const struct page_post *pp, const long *sec_of)
{
	struct page_post *sub = xcalloc(set->nlisted + 1, sizeof(*sub));
	struct page_post *fe = xcalloc(set->nlisted + 1, sizeof(*fe));
	size_t *idx = xcalloc(set->nlisted + 1, sizeof(*idx));
	struct page_link *links = NULL;
	struct page_site sps = *ps;
	struct buf b = BUF_INIT;
	size_t i, j, n, nl;
	char *path;

	links = xcalloc(set->nsecs + 1, sizeof(*links));
	for (i = 0; i < set->nsecs; i++) {
		struct section *sec = &set->secs[i];
		enum pm_order o = section_order(s, sec->index);

		if (!sec_rendered(sec))
			continue;
		/* The feed: newest first, as the pages come. */
		for (n = 0, j = 0; j < set->nlisted; j++)
			if (listed_locally(set->listed[j]) &&
			    in_section(set, sec_of, j, (long)i))
				sub[n++] = pp[j];
		path = xasprintf("%satom.xml", sec->url);
		feed_atom(ps, fe, feed_entries(sub, n, fe), path, NULL, &b);
		route(set, path, page_new(GEMINI_SUCCESS,
		    "application/atom+xml", b.data, b.len));
		buf_reset(&b);
		/* The page: in the section's order. */
		for (n = 0, j = 0; j < set->nlisted; j++)
			if (listed_locally(set->listed[j]) &&
			    in_section(set, sec_of, j, (long)i))
				idx[n++] = j;
		sort_listing(set->listed, idx, n, o);
		for (j = 0; j < n; j++)
			sub[j] = pp[idx[j]];
		sps.in_order = !chronological(o, set->listed, idx, n);
		for (nl = 0, j = 0; j < set->nsecs; j++)
			if (set->secs[j].parent == (long)i &&
			    sec_rendered(&set->secs[j])) {
				links[nl].url = set->secs[j].url;
				links[nl++].title = set->secs[j].title;
			}
		pages_section(&sps, sec->title, sec->index &&
		    *set_body(set, sec->index) ? set_body(set, sec->index) :
		    NULL, sub, n, links, nl, path, &b);
		route(set, sec->url, gemtext_page(sec->index &&
		    sec->index->meta.lang ? sec->index->meta.lang : s->lang,
		    &b));
		strmap_put(&set->secmap, sec->url, strlen(sec->url),
		    (void *)(uintptr_t)(i + 1));
		buf_reset(&b);
		free(path);
	}
	free(links);
	free(idx);
	free(fe);
	free(sub);
	buf_free(&b);
}

static struct page_link *tax_links(struct site *s, struct pageset *set,
    const char *lang);

/* A home page: the default language's at /, the others' at /LANG/. */
static void
build_home(struct site *s, struct pageset *set, const struct viewer *v,
    const char *lang, const struct page_site *base, const struct page_post *pp)
{
	struct page_post *mp = xcalloc(set->nlisted + 1, sizeof(*mp));
	struct page_link *links = xcalloc(set->nsecs + s->cfg.nlangs + 1,
	    sizeof(*links));
	const char *best = busiest_section(s, set);
	struct page_site ps = *base;
	struct post *intro = NULL;
	struct buf b = BUF_INIT;
	size_t i, n = 0, nl = 0;
	char *url = NULL;

	for (i = 0; i < s->nposts; i++)
		if (s->posts[i]->pm.kind == PM_HOME &&
		    same_lang(lang, s->posts[i]->pm.lang)) {
			intro = s->posts[i];
			break;
		}
	for (i = 0; i < set->nlisted; i++) {
		const struct post *p = set->listed[i];

		if (!same_lang(lang, p->pm.lang) || !listed_globally(p))
			continue;
		if (lang || is_main(s, p, best))
			mp[n++] = pp[i];
	}
	for (i = 0; i < set->nsecs; i++)
		if (set->secs[i].parent < 0 && same_lang(set->secs[i].lang,
		    lang) && sec_rendered(&set->secs[i])) {
			links[nl].url = set->secs[i].url;
			links[nl++].title = set->secs[i].title;
		}
	if (lang == NULL)
		for (i = 0; i < s->cfg.nlangs; i++) {
			links[nl].url = xasprintf("/%s/", s->cfg.langs[i].code);
			links[nl++].title = s->cfg.langs[i].title ?
			    s->cfg.langs[i].title : s->cfg.langs[i].code;
		}
	ps.intro_gmi = intro && post_status(s, v, intro) == 0 &&
	    *set_body(set, intro) ? set_body(set, intro) : NULL;
	if (lang) {
		const struct sitecfg_lang *l = sitecfg_lang(&s->cfg, lang,
		    strlen(lang));

		if (l && l->title)
			ps.title = l->title;
	}
	ps.sections = links;
	ps.nsections = nl;
	if (lang) {
		ps.taxonomies = tax_links(s, set, lang);
		ps.tax_prefix = own_key(set, lang_prefix_of(s, lang));
	}
	pages_index(&ps, mp, n, &b);
	if (lang)
		free((void *)ps.taxonomies);
	if (lang) {
		url = xasprintf("/%s/", lang);
		route(set, url, gemtext_page(lang, &b));
	} else {
		set->index = gemtext_page(s->lang, &b);
		route(set, "/", page_ref(set->index));
		buf_reset(&b);
		{
			struct page_post *fe = xcalloc(n + 1, sizeof(*fe));

			feed_atom(&ps, fe, feed_entries(mp, n, fe), "/atom.xml",
			    NULL, &b);
			free(fe);
		}
		route(set, "/atom.xml", page_new(GEMINI_SUCCESS,
		    "application/atom+xml", b.data, b.len));
	}
	if (lang == NULL)
		for (i = nl - s->cfg.nlangs; i < nl; i++)
			free((char *)links[i].url);
	free(url);
	free(links);
	free(mp);
	buf_free(&b);
}

/* Links to the taxonomies' list pages of a language; strings kept in set. */
static struct page_link *
tax_links(struct site *s, struct pageset *set, const char *lang)
{
	struct page_link *l = xcalloc(s->cfg.ntax + 1, sizeof(*l));
	char *prefix = lang_prefix_of(s, lang);
	size_t i;

	for (i = 0; i < s->cfg.ntax; i++) {
		const char *t = s->cfg.taxonomies[i];

		l[i].url = own_key(set, xasprintf("%s/%s/", prefix, t));
		l[i].title = own_key(set, xasprintf("%c%s",
		    t[0] >= 'a' && t[0] <= 'z' ? t[0] - 32 : t[0], t + 1));
	}
	free(prefix);
	return l;
}

/*
 * A page's terms in the taxonomies other than tags, as links
 * ("Series: Winter"); strings kept in set.
 */
static size_t
term_links(struct site *s, struct pageset *set, const struct post *p,
    struct page_link **out)
{
	struct page_link *l = NULL;
	size_t i, j, n = 0, nt, cap = 0;
	char **terms, *prefix = lang_prefix_of(s, p->pm.lang);

	for (i = 0; i < s->cfg.ntax; i++) {
		const char *tax = s->cfg.taxonomies[i];

		if (strcmp(tax, "tags") == 0)
			continue;
		terms = terms_of(p, tax, &nt);
		for (j = 0; j < nt; j++) {
			if (terms[j][0] == '\0')
				continue;
			l = xgrow(l, &cap, n + 1, sizeof(*l));
			l[n].url = own_key(set, term_path(s, prefix, tax,
			    terms[j], ""));
			l[n].title = own_key(set, xasprintf("%c%s: %s",
			    tax[0] >= 'a' && tax[0] <= 'z' ? tax[0] - 32 :
			    tax[0], tax + 1, terms[j]));
			n++;
		}
	}
	free(prefix);
	*out = l;
	return n;
}

/* Builds the pages of v's visibility class from the (sorted) posts. */
static void
pageset_build(struct site *s, struct pageset *set, const struct viewer *v)
{
	struct page_site ps, pps;
	struct page_post *pp, *ap;
	struct page_link *taxes, **terms;
	struct buf b = BUF_INIT;
	long *sec_of, *older, *newer;
	unsigned char *nav;
	size_t i, n;

	set->built = 1;
	set->listed = xcalloc(s->nposts + 1, sizeof(*set->listed));
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];
		char *body;

		if (post_status(s, v, p) != 0)
			continue;
		/* Its body as the class sees it, when that differs. */
		if ((body = post_body_for(s, p, v)) != NULL)
			strmap_put(&set->bodies, p->relpath, strlen(p->relpath),
			    (void *)own_key(set, body));
		/* A page not to render has no URL: listed nowhere. */
		if (p->pm.kind == PM_PAGE && !not_rendered(p))
			set->listed[set->nlisted++] = p;
		else if (p->pm.kind == PM_PAGE && p->pm.bundle)
			strmap_put(&set->bundles, p->pm.url,
			    strlen(p->pm.url), p);	/* its files still are */
	}
	pp = xcalloc(set->nlisted + 1, sizeof(*pp));
	terms = xcalloc(set->nlisted + 1, sizeof(*terms));
	for (i = 0; i < set->nlisted; i++) {
		to_page_post(set->listed[i], &pp[i]);
		pp[i].body_gmi = set_body(set, set->listed[i]);
		/* No tag pages: no tag links. */
		if (!has_tax(s, "tags"))
			pp[i].ntags = 0;
		pp[i].nterms = term_links(s, set, set->listed[i], &terms[i]);
		pp[i].terms = terms[i];
	}

	memset(&ps, 0, sizeof(ps));
	ps.title = s->title;
	ps.subtitle = s->cfg.description ? s->cfg.description :
	    s->intro ? s->intro->meta.description : NULL;
	ps.base_url = s->base_url;
	ps.index_limit = SITE_INDEX_POSTS;
	ps.search = s->search != NULL;
	ps.term_slug = term_slug(s);
	taxes = tax_links(s, set, NULL);
	ps.taxonomies = taxes;
	ps.ntaxonomies = s->cfg.ntax;
	/* The archive: every page listed beyond its own section. */
	ap = xcalloc(set->nlisted + 1, sizeof(*ap));
	for (n = 0, i = 0; i < set->nlisted; i++)
		if (listed_globally(set->listed[i]))
			ap[n++] = pp[i];
	ps.archive_count = n;

	sec_of = xcalloc(set->nlisted + 1, sizeof(*sec_of));
	older = xcalloc(set->nlisted + 1, sizeof(*older));
	newer = xcalloc(set->nlisted + 1, sizeof(*newer));
	nav = xcalloc(set->nlisted + 1, 1);
	collect_sections(s, set, v, sec_of);
	neighbours(s, set, sec_of, older, newer, nav);
	for (i = 0; i < set->nlisted; i++) {
		struct post *p = set->listed[i];
		const char *k = p->pm.url;

		pps = ps;
		pps.nav_order = nav[i];
		pps.tax_prefix = p->pm.lang ? own_key(set,
		    lang_prefix_of(s, p->pm.lang)) : NULL;
		pages_post(&pps, &pp[i], pp[i].body_gmi,
		    older[i] >= 0 ? &pp[older[i]] : NULL,
		    newer[i] >= 0 ? &pp[newer[i]] : NULL, &b);
		if (strmap_get(&set->routes, k, strlen(k)) == NULL)
			route(set, k, gemtext_page(p->meta.lang ? p->meta.lang :
			    p->pm.lang ? p->pm.lang : s->lang, &b));
		buf_reset(&b);
		strmap_put(&set->legacy, p->pm.legacy, strlen(p->pm.legacy), p);
		if (p->pm.bundle)
			strmap_put(&set->bundles, k, strlen(k), p);
	}
	build_sections(s, set, &ps, pp, sec_of);
	build_home(s, set, v, NULL, &ps, pp);
	for (i = 0; i < s->cfg.nlangs; i++)
		build_home(s, set, v, s->cfg.langs[i].code, &ps, pp);
	pages_archive(&ps, ap, n, &b);
	route(set, "/archive/", gemtext_page(s->lang, &b));
	buf_reset(&b);
	for (i = 0; i < s->cfg.ntax; i++) {
		build_taxonomy(s, set, s->cfg.taxonomies[i], NULL, &ps, pp);
		for (n = 0; n < s->cfg.nlangs; n++)
			build_taxonomy(s, set, s->cfg.taxonomies[i],
			    s->cfg.langs[n].code, &ps, pp);
	}
	for (i = 0; i < set->nlisted; i++)
		free(terms[i]);
	free(terms);
	free(taxes);
	free(ap);
	free(sec_of);
	free(older);
	free(newer);
	free(nav);
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

/*
 * Which pages are published now (pm_published), and when that next
 * changes. Returns 1 when a page's state differs from the last time.
 */
static int
site_publication(struct site *s)
{
	int64_t now = (int64_t)time(NULL), next = INT64_MAX;
	int changed = 0, unpub;
	size_t i;

	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];

		unpub = !pm_published(&s->cfg, &p->meta, p->dated, p->date,
		    now, &next);
		changed |= unpub != p->unpub;
		p->unpub = unpub;
	}
	s->next_change = next;
	return changed;
}

int64_t
site_next_change(const struct site *s)
{
	return s->next_change;
}

int
site_tick(struct site *s)
{
	if (!site_publication(s))
		return 0;
	site_build_pages(s);
	if (s->logging)
		log_info("%s: publication changed with time: %zu posts",
		    s->root, count_pages(s));
	return 1;
}

/* Builds every generated page, for each audience the site has. */
static void
site_build_pages(struct site *s)
{
	struct viewer anon;
	size_t i, j;

	site_pages_free(s);
	site_publication(s);
	/* Which rules and drafts can tell one reader's pages from another's. */
	free(s->covered);
	s->covered = xcalloc(s->access ? s->access->nrules + 1 : 1, 1);
	s->any_drafts = 0;
	for (i = 0; i < s->nposts; i++) {
		access_mark_covering(s->access,
		    (const char *const *)s->posts[i]->addrs,
		    s->posts[i]->naddrs, s->covered);
		s->any_drafts |= s->posts[i]->meta.draft ||
		    s->posts[i]->unpub;
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

static void
log_diags(const struct site *s, const struct post *p)
{
	size_t i;

	if (!s->logging)
		return;
	for (i = 0; i < p->diags.n; i++) {
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

static void site_title(struct site *s);

/* --- search ----------------------------------------------------------- */

/* The page's URL path, percent-encoded. */
static char *
post_url(const struct post *p)
{
	return url_encode_path(p->pm.url);
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

/*
 * A page search may list: one with a page of its own, in a section
 * whose _index.md does not say in_search_index = false (Zola).
 */
static int
searchable(struct site *s, const struct post *p)
{
	const struct post *sec;
	char *idx;

	if (not_rendered(p))
		return 0;
	idx = xasprintf("%s%s_index.md", p->pm.dir, p->pm.dir[0] ? "/" : "");
	sec = find_by_relpath(s, idx);
	free(idx);
	return sec == NULL || !sec->meta.no_search;
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
			ok = post_status(sv->s, sv->v, p) == 0 &&
			    searchable(sv->s, p);
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
	struct post **old = s->posts, **nv;
	struct failed *failed = NULL;
	size_t nold = s->nposts, i, j, n = 0, nfailed = 0, capfailed = 0;
	int changed = force, set_changed = force;
	struct diags err = { 0 };
	struct strmap oldmap = { 0 };

	scan_dir(s->contentfd, "", 0, &sc);
	/* Checked here, once a second, not per request. */
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
	for (j = 0; j < nold; j++)
		strmap_put(&oldmap, old[j]->relpath, strlen(old[j]->relpath),
		    (void *)(uintptr_t)(j + 1));
	nv = xcalloc(sc.n + 1, sizeof(*nv));
	for (i = 0; i < sc.n; i++) {
		struct post *p = NULL;
		size_t k = (size_t)(uintptr_t)strmap_get(&oldmap,
		    sc.v[i].relpath, strlen(sc.v[i].relpath));

		if (k && old[k - 1] && same_file(&old[k - 1]->st, &sc.v[i].st)) {
			p = old[k - 1];
			old[k - 1] = NULL;
		}
		if (p == NULL) {
			/*
			 * A file that failed to load is not read (nor logged)
			 * again until it changes.
			 */
			int known = failed_before(s, &sc.v[i]);

			if (!known)
				changed = set_changed = 1;
			if (known || (p = post_load(&s->cfg, s->contentfd,
			    sc.v[i].relpath, &err)) == NULL) {
				failed = xgrow(failed, &capfailed, nfailed + 1,
				    sizeof(*failed));
				failed[nfailed].relpath = xstrdup(sc.v[i].relpath);
				failed[nfailed++].st = sc.v[i].st;
				/* Unreadable for now: keep serving the old text. */
				if (k && old[k - 1]) {
					nv[n++] = old[k - 1];
					old[k - 1] = NULL;
				}
				continue;
			}
		}
		nv[n++] = p;
	}
	strmap_free(&oldmap);
	for (j = 0; j < nold; j++)
		if (old[j]) {
			changed = set_changed = 1;
			if (s->search)
				search_remove(s->search, old[j]->relpath);
			post_free(old[j]);
		}
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
	for (i = 0; i < s->nposts && s->search; i++)
		if (!s->posts[i]->indexed && s->posts[i]->pm.kind == PM_PAGE)
			post_index(s, s->posts[i]);
	site_title(s);
	site_build_pages(s);
	return 1;
}

static struct site *
site_alloc(const char *root, int rootfd, const struct site_opts *o)
{
	struct site *s = xcalloc(1, sizeof(*s));
	struct diags d = { 0 };
	size_t i;

	s->root = xstrdup(root);
	s->rootfd = rootfd;
	s->access = o->access;
	s->contentfd = -1;
	s->lang = o->lang ? xstrdup(o->lang) : NULL;
	s->base_url = xstrdup(o->base_url ? o->base_url : "gemini://localhost");
	s->render = o->render;
	if (o->search)
		s->search = search_new();
	s->robots = page_new(GEMINI_SUCCESS, "text/plain", SITE_ROBOTS,
	    strlen(SITE_ROBOTS));
	sitecfg_init(&s->cfg);
	if (sitecfg_load(&s->cfg, rootfd, &d) == -1) {
		/* A config that does not parse: a bare folder, said loudly. */
		sitecfg_free(&s->cfg);
		sitecfg_init(&s->cfg);
	}
	for (i = 0; i < d.n; i++)
		log_warnx("%s/%s", root, d.v[i].msg);
	diags_free(&d);
	if (s->cfg.content_dir[0])
		s->contentfd = openat(rootfd, s->cfg.content_dir, O_PATH |
		    O_DIRECTORY | O_CLOEXEC);
	if (s->contentfd == -1)
		s->contentfd = dup(rootfd);
	s->title = xstrdup(s->cfg.title ? s->cfg.title : "");
	s->croot = s->cfg.content_dir[0] ? xasprintf("%s/%s", root,
	    s->cfg.content_dir) : xstrdup(root);
	return s;
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
		n += s->posts[i]->meta.draft == 0 && !s->posts[i]->unpub &&
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
	site_sync(s, 1);
	log_info("%s: %zu posts, %zu drafts, %zu tags (%s)", root,
	    count_pages(s), count_drafts(s), s->base.ntags,
	    s->cfg.gen == GEN_HUGO ? "Hugo site" : s->cfg.gen == GEN_ZOLA ?
	    "Zola site" : "content folder");
	return s;
}

int
site_refresh(struct site *s)
{
	/* Until a timer at site_next_change() calls site_tick(). */
	int changed = site_sync(s, 0) || site_tick(s);

	if (changed)
		log_info("%s: changes seen: %zu posts, %zu drafts", s->root,
		    count_pages(s), count_drafts(s));
	return changed;
}

int
site_update(struct site *s, const char *const *paths, size_t n)
{
	/* For now every change costs a full scan (issue 16 makes it cheap). */
	(void)paths;
	(void)n;
	return site_refresh(s);
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
	strmap_free(&s->by_url);
	strmap_free(&s->by_bundle);
	strmap_free(&s->by_legacy);
	strmap_free(&s->by_base);
	failed_free(s->failed, s->nfailed);
	free(s->covered);
	page_unref(s->robots);
	sitecfg_free(&s->cfg);
	if (s->contentfd != -1)
		close(s->contentfd);
	search_free(s->search);
	free(s->root);
	free(s->croot);
	free(s->title);
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

static struct page *
route_get(const struct pageset *set, const char *path, size_t n)
{
	return strmap_get(&set->routes, path, n);
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
route_moved(struct site *s, const struct pageset *set, const struct viewer *v,
    const char *path, size_t n, struct response *resp)
{
	struct alias *a;
	struct post *p;
	char *want;
	int found = 0, st;

	/* Without its trailing slash: 31 to it. */
	want = xasprintf("%s/", path);
	if (n > 1 && path[n - 1] != '/' && route_get(set, want, n + 1)) {
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
		if (route_get(set, want, strlen(want))) {
			redirect(s, resp, want);
			found = 1;
		}
		free(want);
		if (found)
			return 1;
	}
	if (strcmp(path, "/posts/") == 0 && route_get(set, "/archive/", 9)) {
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
	const struct pageset *set;
	const char *path = u->path;
	size_t n = strlen(path);
	struct page *pg;
	struct post *p;
	int st;

	if (s->cfg.gen == GEN_BARE && s->nposts == 0)
		return 0;	/* a plain capsule: its own index.gmi */
	set = pageset_for(s, v);
	if ((pg = route_get(set, path, n)) != NULL) {
		serve(resp, pg);
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
		else if (not_rendered(p))
			not_found(resp);
		else
			serve(resp, p->source);
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
	/* A file of a site: rendered exactly as the server serves it. */
	if (strcmp(path, "-") != 0 && (root = find_site_root(path)) != NULL &&
	    (rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) != -1) {
		char *real = realpath(path, NULL), *rel = NULL;
		size_t rl;

		s = site_alloc(root, rootfd, &so);
		site_sync(s, 1);
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
			pv.drafts = p->meta.draft || p->unpub;
			if (!pv.drafts)
				pageset_build(s, &pub, &pv);
			pg = route_get(pv.drafts ? &s->base : &pub,
			    p->pm.url, strlen(p->pm.url));
			if (body_only || pg == NULL)
				buf_adds(out, p->body_gmi);
			else
				buf_add(out, pg->data + pg->body_off,
				    pg->len - pg->body_off);
			pageset_free(&pub);
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
	s = site_alloc(".", AT_FDCWD, &so);
	sitecfg_free(&s->cfg);
	sitecfg_init(&s->cfg);
	s->standalone = 1;
	p = post_parse(&s->cfg, strcmp(path, "-") == 0 ? "stdin.md" : path,
	    md, len, &st);
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
	convert_diags(p, d);
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
	s = site_alloc(root, rootfd, &so);
	site_sync(s, 1);
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
			printf("%s%s%s %s %s%s\n", s->cfg.content_dir,
			    s->cfg.content_dir[0] ? "/" : "", p->relpath, u,
			    p->dated ? p->ymd : "-", p->meta.draft ? " draft" :
			    not_rendered(p) ? " norender" : p->unpub ?
			    " unpublished" : "");
	}
	printf("%s: %zu page%s checked\n", root, s->nposts,
	    s->nposts == 1 ? "" : "s");
	site_free(s);
	close(rootfd);
	return errors;
}
