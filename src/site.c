/*
 * site: the capsule model of one host. The folder is a Hugo or Zola site
 * root (its config read by sitecfg) or a bare content folder. Every
 * Markdown file under the content folder is read and its front matter
 * parsed at start-up, and placed by pagemodel at the URL its generator
 * gives it; its body is rendered when first asked for (siterender.c)
 * and kept in a cache bounded by cache_size, so a request rarely
 * touches the disk. Sections, taxonomies, feeds and the home page are
 * generated when asked for (sitepages.c). site_update re-reads the files
 * a watcher names, site_refresh every file (a stat walk), and only what
 * depends on a change is made again. A broken post is logged with
 * file:line and served as well as it can be.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
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
#include "gemtext.h"
#include "log.h"
#include "lru.h"
#include "pagemodel.h"
#include "pages.h"
#include "prose.h"
#include "renderq.h"
#include "search.h"
#include "shortcode.h"
#include "site.h"
#include "siteint.h"
#include "util.h"
#include "sitecfg.h"
#include "status.h"
#include "url.h"
#include "utf8.h"

/* --- reading and parsing one post ------------------------------------ */

/* The file, at most SITE_MAX_POST bytes (util_read_file). */
char *
site_read_all(int dirfd, const char *rel, struct stat *st, size_t *len)
{
	return util_read_file(dirfd, rel, O_NOFOLLOW, SITE_MAX_POST, st, len);
}

/* Strips a BOM and turns CRLF and CR into LF, in place. */
size_t
site_normalise(char *s, size_t len)
{
	size_t i = 0, o = 0;
	const char *cr;

	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	/* Mostly no CR at all: a move past the BOM, no byte loop. */
	if ((cr = memchr(s + i, '\r', len - i)) == NULL) {
		if (i > 0)
			memmove(s, s + i, len - i);
		s[len - i] = '\0';
		return len - i;
	}
	/* Up to the first CR, bytes stay. */
	memmove(s, s + i, (size_t)(cr - s) - i);
	o = (size_t)(cr - s) - i;
	for (i = (size_t)(cr - s); i < len; i++) {
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

	if (utf8_valid(s, len)) /* one pass; lines only to name one */
		return;
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

void
site_strs_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Drops p's cached rendering (kept out of the cache's count). */
void
site_drop_body(struct lru *cache, struct post *p)
{
	if (cache)
		lru_remove(cache, &p->cnode);
	free(p->body_gmi);
	p->body_gmi = NULL;
	p->nlinks = 0;	      /* the links are the body's */
	while (p->nvar > 0) { /* so are the variants */
		p->nvar--;
		free(p->var[p->nvar].key);
		free(p->var[p->nvar].body);
	}
	free(p->var);
	p->var = NULL;
}

/* The cache evicts a post's body. */
static void
post_evict(struct lru_node *n)
{
	site_drop_body(NULL,
	    (struct post *)(void *)((char *)n - offsetof(struct post, cnode)));
}

/* The site's copy of str (freed: str is the post's own), or NULL. */
static char *
intern_str(struct site *s, char *str)
{
	char *c;
	size_t n;

	if (str == NULL)
		return NULL;
	n = strlen(str);
	if ((c = strmap_get(&s->interned, str, n)) != NULL) {
		free(str);
		return c;
	}
	s->istrs =
	    xgrow(s->istrs, &s->cistrs, s->nistrs + 1, sizeof(*s->istrs));
	s->istrs[s->nistrs++] = str;
	strmap_put(&s->interned, str, n, str);
	return str;
}

/* The folders holding relpath, into s->folders (see there). */
static void
note_folders(struct site *s, const char *relpath)
{
	const char *slash = strrchr(relpath, '/');
	size_t n;

	while (slash != NULL) {
		n = (size_t)(slash - relpath);
		if (strmap_get(&s->folders, relpath, n) != NULL)
			return; /* and so its parents */
		{
			char *c = intern_str(s, xstrndup(relpath, n));

			strmap_put(&s->folders, c, n, c);
		}
		while (slash > relpath && *--slash != '/')
			;
		if (slash == relpath)
			slash = NULL;
	}
}

/* A vanished content path that may have been a folder holding posts. */
static int
held_posts(const struct site *s, const char *cp)
{
	size_t i, n = strlen(cp);

	if (strmap_get(&s->folders, cp, n) != NULL)
		return 1;
	for (i = 0; i < s->nfailed; i++)
		if (s->failed[i].relpath &&
		    strncmp(s->failed[i].relpath, cp, n) == 0 &&
		    s->failed[i].relpath[n] == '/')
			return 1;
	return 0;
}

static void
intern_strv(struct site *s, char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = intern_str(s, v[i]);
}

/* p's repeated strings become the site's shared copies. */
static void
post_intern(struct site *s, struct post *p)
{
	struct post_meta *m = &p->meta;
	size_t i;

	if (p->interned)
		return;
	intern_strv(s, m->tags, m->ntags);
	intern_strv(s, m->categories, m->ncategories);
	for (i = 0; i < m->nterms; i++) {
		m->terms[i].taxonomy = intern_str(s, m->terms[i].taxonomy);
		intern_strv(s, m->terms[i].terms, m->terms[i].n);
	}
	m->lang = intern_str(s, m->lang);
	note_folders(s, p->relpath);
	p->pm.dir = intern_str(s, p->pm.dir);
	p->pm.section = intern_str(s, p->pm.section);
	p->pm.lang = intern_str(s, p->pm.lang);
	p->interned = 1;
}

/* Before freeing an interned post: the shared strings are not its own. */
static void
post_unintern(struct post *p)
{
	struct post_meta *m = &p->meta;
	size_t i;

	if (!p->interned)
		return;
	for (i = 0; i < m->ntags; i++)
		m->tags[i] = NULL;
	for (i = 0; i < m->ncategories; i++)
		m->categories[i] = NULL;
	for (i = 0; i < m->nterms; i++) {
		size_t j;

		m->terms[i].taxonomy = NULL;
		for (j = 0; j < m->terms[i].n; j++)
			m->terms[i].terms[j] = NULL;
	}
	m->lang = NULL;
	p->pm.dir = p->pm.section = p->pm.lang = NULL;
	p->interned = 0;
}

void
site_post_free(struct lru *cache, struct post *p)
{
	if (p == NULL)
		return;
	post_unintern(p);
	site_render_forget(p);
	site_drop_body(cache, p);
	free(p->src);
	if (p->title != p->meta.title)
		free(p->title);
	pm_page_free(&p->pm);
	post_meta_free(&p->meta);
	free(p->md);
	free(p->summary);
	diags_free(&p->diags);
	page_unref(p->source);
	free(p->links);
	site_strs_free(p->deps, p->ndeps);
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
	if (n > 11 && pm_date_prefix(b, &t, ymd) &&
	    (b[10] == '-' || b[10] == '_')) {
		b += 11;
		n -= 11;
	}
	return xstrndup(b, n);
}

void
site_stamp(struct file_stamp *fs, const struct stat *st)
{
	fs->ino = (uint64_t)st->st_ino;
	fs->dev = (uint64_t)st->st_dev;
	fs->size = (int64_t)st->st_size;
	fs->mtime_ns =
	    (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	fs->ctime_ns =
	    (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

/* util_same_file's comparison, against a stamp. */
int
site_same_stamp(const struct file_stamp *fs, const struct stat *st)
{
	struct file_stamp now;

	site_stamp(&now, st);
	return memcmp(fs, &now, sizeof(now)) == 0;
}

static void
addrs_own(struct post_addrs *a, char *s)
{
	a->owned[a->nowned++] = s;
	a->v[a->n++] = s;
}

void
site_post_addrs(const struct sitecfg *cfg, const struct post *p,
    struct post_addrs *a)
{
	size_t i, cl = strlen(cfg->content_dir);

	a->v = xcalloc(4 + p->meta.naliases, sizeof(*a->v));
	a->owned = xcalloc(1 + p->meta.naliases, sizeof(*a->owned));
	a->n = a->nowned = 0;
	a->v[a->n++] = p->src;
	a->v[a->n++] = p->pm.url;
	a->v[a->n++] = p->src + cl + (cl > 0); /* "/REL" */
	addrs_own(a, xasprintf("/posts/%s.gmi", p->pm.legacy));
	for (i = 0; i < p->meta.naliases; i++) {
		if (p->meta.aliases[i][0] == '/')
			a->v[a->n++] = p->meta.aliases[i];
		else
			addrs_own(a, xasprintf("/%s", p->meta.aliases[i]));
	}
}

void
site_post_addrs_free(struct post_addrs *a)
{
	size_t i;

	for (i = 0; i < a->nowned; i++)
		free(a->owned[i]);
	free(a->owned);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

/*
 * Parses a post's text (md, malloc'd, taken over) and front matter, not
 * yet its body, and places it in the site.
 */
struct post *
site_post_parse(const struct sitecfg *cfg, const char *relpath, char *md,
    size_t len, const struct stat *st)
{
	struct post *p = xcalloc(1, sizeof(*p));

	p->cnode.evict = post_evict;
	p->src = xasprintf("/%s%s%s", cfg->content_dir,
	    cfg->content_dir[0] ? "/" : "", relpath);
	p->relpath = p->src + strlen(p->src) - strlen(relpath);
	p->md = md;
	site_stamp(&p->st, st);
	len = site_normalise(p->md, len);
	if (len == 0)
		diags_add(&p->diags, DIAG_WARN, 1, "empty file");
	check_utf8(p->md, len, &p->diags);
	frontmatter_parse(p->md, len, &p->meta, &p->body_off, &p->body_line,
	    &p->diags);
	/* No title: the first heading; for bare text, a title-like line. */
	if (p->meta.title && *p->meta.title)
		p->title = p->meta.title; /* shared: freed with meta */
	else if ((p->title = prose_title(p->md + p->body_off, len - p->body_off,
		      p->meta.kind == FM_NONE)) == NULL) {
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
		diags_add(&p->diags, DIAG_WARN, 0,
		    "no date in front matter, "
		    "file name or path: shown undated, not in feeds");
	p->more = strstr(p->md + p->body_off, "<!--more-->") != NULL;
	p->parse_diags = p->diags.n;
	return p;
}

const char *
site_post_text(const struct site *s, const struct post *p, char **owned,
    size_t *body_off, int *body_line)
{
	struct stat st;
	size_t len;

	*owned = NULL;
	*body_off = p->body_off;
	*body_line = p->body_line;
	if (!p->head_only)
		return p->md;
	if ((*owned = site_read_all(s->contentfd, p->relpath, &st, &len)) ==
	    NULL)
		return NULL;
	len = site_normalise(*owned, len);
	frontmatter_body(*owned, len, body_off, body_line);
	return *owned;
}

/*
 * After parsing (the summary made): the server keeps no text, only a
 * hash of the front matter, for same_listing; the text is read from the
 * file when asked for (issue 16: the head was 105 bytes a post).
 */
static void
post_drop_text(const struct site *s, struct post *p)
{
	if (!s->drop_text || p->head_only)
		return;
	p->head_hash = util_hash(p->md, p->body_off);
	free(p->md);
	p->md = NULL;
	p->head_only = 1;
}

/* --- the model's lookups ------------------------------------------- */

/*
 * The one visibility rule (access_source) applied to a post: by its
 * real file, its page URL and its source URL, and its draft flag.
 */
int
site_post_status(const struct site *s, const struct viewer *v,
    const struct post *p)
{
	struct post_addrs a;
	int st;

	/* Not yet published or expired: a draft to the rule. */
	if (v->acc == NULL || v->acc->nrules == 0)
		return access_source(v, NULL, 0, p->meta.draft || p->unpub);
	site_post_addrs(&s->cfg, p, &a);
	st = access_source(v, a.v, a.n, p->meta.draft || p->unpub);
	site_post_addrs_free(&a);
	return st;
}

int
site_same_lang(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Hugo's headless applies to a leaf bundle only (index.md). */
static int
headless(const struct post *p)
{
	return p->meta.headless && p->pm.kind == PM_PAGE && p->pm.bundle;
}

int
site_not_rendered(const struct post *p)
{
	return p->meta.no_render || headless(p);
}

int
site_listed_globally(const struct post *p)
{
	return !p->meta.no_list && !p->meta.list_local && !headless(p);
}

int
site_listed_locally(const struct post *p)
{
	return !p->meta.no_list && !headless(p);
}

struct post *
site_find_post(const struct site *s, const char *rel)
{
	return strmap_get(&s->by_relpath, rel, strlen(rel));
}

/* The base name ref "NAME" finds page p by, or NULL. */
static const char *
post_base(const struct post *p, size_t *n)
{
	const char *b;

	if (p->pm.kind != PM_PAGE)
		return NULL;
	if (p->pm.bundle) {
		b = strrchr(p->pm.bundle, '/');
		b = b ? b + 1 : p->pm.bundle;
		*n = strlen(b);
	} else {
		b = strrchr(p->relpath, '/');
		b = b ? b + 1 : p->relpath;
		*n = strcspn(b, ".");
	}
	return *n > 0 ? b : NULL;
}

/* The home page's _index.md (s->intro), after the set of posts changed. */
static void
find_intro(struct site *s)
{
	size_t i;

	s->intro = NULL;
	for (i = 0; i < s->nposts && s->intro == NULL; i++)
		if (s->posts[i]->pm.kind == PM_HOME &&
		    s->posts[i]->pm.lang == NULL)
			s->intro = s->posts[i];
}

/* Which of p's keys a lookup map holds. */
enum post_key { K_URL, K_LEGACY, K_BASE, K_BUNDLE };

static const char *
post_key(const struct post *p, enum post_key k, size_t *n)
{
	const char *key = k == K_URL ? p->pm.url :
	    k == K_LEGACY	     ? p->pm.legacy :
	    k == K_BASE		     ? post_base(p, n) :
	    p->pm.kind == PM_PAGE    ? p->pm.bundle :
				       NULL;

	if (key && k != K_BASE)
		*n = strlen(key);
	return key;
}

/* The count of holders of key in map k (s->shared), or NULL: one. */
static struct shared_key *
shared_get(const struct site *s, enum post_key k, const char *key, size_t n,
    struct buf *b)
{
	buf_reset(b);
	buf_addc(b, (char)('0' + k));
	buf_add(b, key, n);
	return strmap_get(&s->shared, b->data, b->len);
}

/* One more post holds key of map k, which another held already. */
static void
shared_more(struct site *s, enum post_key k, const char *key, size_t n)
{
	struct buf b = BUF_INIT;
	struct shared_key *c = shared_get(s, k, key, n, &b);

	if (c == NULL) {
		c = xmalloc(sizeof(*c) + b.len + 1);
		c->n = 1;
		c->len = b.len;
		memcpy(c->key, b.data, b.len + 1);
		strmap_put(&s->shared, c->key, c->len, c);
	}
	c->n++;
	buf_free(&b);
}

/* One post fewer holds key of map k: 1 when another still does. */
static int
shared_less(struct site *s, enum post_key k, const char *key, size_t n)
{
	struct buf b = BUF_INIT;
	struct shared_key *c = shared_get(s, k, key, n, &b);

	buf_free(&b);
	if (c == NULL)
		return 0;
	if (--c->n == 1) {
		strmap_del(&s->shared, c->key, c->len);
		free(c);
	}
	return 1;
}

static void
shared_free(struct site *s)
{
	size_t i;

	for (i = 0; i < s->shared.cap; i++)
		if (s->shared.v[i].key)
			free(s->shared.v[i].val);
	strmap_free(&s->shared);
}

/* Puts key of map k for p, counted in s->shared when another has it. */
static void
index_put(struct site *s, struct strmap *m, enum post_key k, const char *key,
    size_t n, struct post *p)
{
	if (!strmap_put(m, key, n, p))
		shared_more(s, k, key, n);
}

/*
 * The lookups by path, URL and bundle, after the set of posts changed.
 * Reads the posts' names only and writes these maps only: it may run
 * on another thread while site_build_pages runs (index_posts_start).
 */
static void *
index_posts(void *arg)
{
	struct site *s = arg;
	size_t i;

	strmap_free(&s->by_relpath);
	strmap_free(&s->by_url);
	strmap_free(&s->by_bundle);
	strmap_free(&s->by_legacy);
	strmap_free(&s->by_base);
	shared_free(s);
	strmap_reserve(&s->by_relpath, s->nposts);
	strmap_reserve(&s->by_url, s->nposts);
	strmap_reserve(&s->by_legacy, s->nposts);
	strmap_reserve(&s->by_base, s->nposts);
	/* Base names for ref "NAME": the default language's pages first. */
	for (i = 0; i < 2 * s->nposts; i++) {
		struct post *p = s->posts[i % s->nposts];
		const char *b;
		size_t n;

		if ((p->pm.lang == NULL) != (i < s->nposts))
			continue;
		if ((b = post_base(p, &n)) != NULL)
			index_put(s, &s->by_base, K_BASE, b, n, p);
	}
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];

		strmap_put(&s->by_relpath, p->relpath, strlen(p->relpath), p);
		index_put(s, &s->by_url, K_URL, p->pm.url, strlen(p->pm.url),
		    p);
		index_put(s, &s->by_legacy, K_LEGACY, p->pm.legacy,
		    strlen(p->pm.legacy), p);
		if (p->pm.bundle && p->pm.kind == PM_PAGE)
			index_put(s, &s->by_bundle, K_BUNDLE, p->pm.bundle,
			    strlen(p->pm.bundle), p);
	}
	return NULL;
}

#define INDEX_THREAD_MIN 1000 /* posts: fewer are indexed on this thread */

/*
 * Starts index_posts on a thread of its own when the posts are many
 * (at 100,000 the maps took a quarter of a second, as long as half
 * the lists): 1 when it runs there, to join (index_posts_join) before
 * anything looks a post up; else it ran here and 0.
 */
static int
index_posts_start(struct site *s, pthread_t *t)
{
	if (s->nposts >= INDEX_THREAD_MIN &&
	    pthread_create(t, NULL, index_posts, s) == 0)
		return 1;
	index_posts(s);
	return 0;
}

/* Home, archive, feeds and taxonomies: newest first, undated last. */
static int
post_cmp(const void *a, const void *b)
{
	struct pm_key x, y;

	site_post_key(*(struct post *const *)a, &x);
	site_post_key(*(struct post *const *)b, &y);
	return pm_order_cmp(PM_ORDER_NEWEST, &x, &y);
}

/* Sorts v[0..n) newest first, as qsort with post_cmp would. */
static void
sort_keyed(struct post **v, size_t n)
{
	struct post **tmp = xcalloc(n, sizeof(*tmp));
	size_t *idx = xcalloc(n, sizeof(*idx)), i;

	for (i = 0; i < n; i++)
		idx[i] = i;
	site_sort_listing(v, idx, n, PM_ORDER_NEWEST);
	for (i = 0; i < n; i++)
		tmp[i] = v[idx[i]];
	memcpy(v, tmp, n * sizeof(*v));
	free(tmp);
	free(idx);
}

/*
 * After a change: posts[0..nkept) are still in order; the added ones
 * after them are sorted and each put in place by a binary search (the
 * kept first among equals, as a stable sort of the whole would), so an
 * edit costs O(added log n) comparisons and one copy, not a sort.
 */
static void
sort_posts(struct site *s, size_t nkept)
{
	struct post **v = s->posts, **out;
	size_t n = s->nposts, i = 0, j, o = 0;

	if (n - nkept > 1)
		sort_keyed(v + nkept, n - nkept);
	if (nkept == 0 || nkept == n)
		return;
	out = xcalloc(n, sizeof(*out));
	for (j = nkept; j < n; j++) {
		size_t lo = i, hi = nkept;

		while (lo < hi) { /* the first kept that sorts after v[j] */
			size_t mid = lo + (hi - lo) / 2;

			if (post_cmp(&v[mid], &v[j]) <= 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		memcpy(out + o, v + i, (lo - i) * sizeof(*v));
		o += lo - i;
		i = lo;
		out[o++] = v[j];
	}
	memcpy(out + o, v + i, (nkept - i) * sizeof(*v));
	memcpy(v, out, n * sizeof(*v));
	free(out);
}

/*
 * One post added or removed, the lookups kept by key, as index_posts
 * would make them (issue 16): a key held by several posts goes to the
 * first in order (by_base: of the default language first).
 */
static int
base_before(const struct post *a, const struct post *b)
{
	if ((a->pm.lang == NULL) != (b->pm.lang == NULL))
		return a->pm.lang == NULL;
	return post_cmp(&a, &b) < 0;
}

/*
 * Puts p under key k (its own string) unless a post before it holds it;
 * count: p is new, another holder counted in s->shared.
 */
static void
map_claim(struct site *s, struct strmap *m, enum post_key k, const char *key,
    size_t n, struct post *p, int count)
{
	struct post *q = strmap_get(m, key, n);

	if (q && count)
		shared_more(s, k, key, n);
	if (q && !(k == K_BASE ? base_before(p, q) : post_cmp(&p, &q) < 0))
		return;
	if (q)
		strmap_del(m, key, n);
	strmap_put(m, key, n, p);
}

/*
 * p (gone from s->posts) no longer holds key k: the next post does, if
 * any (looked for only when s->shared says there is one).
 */
static void
map_release(struct site *s, struct strmap *m, enum post_key k,
    const struct post *p)
{
	const char *key, *qk;
	size_t n, qn, i;
	int others;

	if ((key = post_key(p, k, &n)) == NULL)
		return;
	others = shared_less(s, k, key, n);
	if (strmap_get(m, key, n) != p)
		return;
	strmap_del(m, key, n);
	for (i = 0; others && i < s->nposts; i++)
		if ((qk = post_key(s->posts[i], k, &qn)) != NULL && qn == n &&
		    memcmp(qk, key, n) == 0)
			map_claim(s, m, k, qk, qn, s->posts[i], 0);
}

/* A folder's posts (s->postdirs). */
struct postdir {
	char *dir;
	struct post **v; /* directly in it, in no order */
	size_t n, cap;
	size_t below; /* in it and in its subfolders */
};

static struct postdir *
postdir_at(struct site *s, const char *dir, size_t n, int make)
{
	struct postdir *pd = strmap_get(&s->postdirs, dir, n);

	if (pd == NULL && make) {
		pd = xcalloc(1, sizeof(*pd));
		pd->dir = xstrndup(dir, n);
		strmap_put(&s->postdirs, pd->dir, n, pd);
	}
	return pd;
}

/* p, coming (d 1) or going (d -1), counted in its folders. */
static void
postdir_count(struct site *s, struct post *p, int d)
{
	const char *rel = p->relpath, *slash = strrchr(rel, '/');
	size_t n, i;
	struct postdir *pd;

	if (slash == NULL)
		return; /* top level: only a scan of it all looks */
	n = (size_t)(slash - rel);
	pd = postdir_at(s, rel, n, 1);
	if (d > 0) {
		pd->v = xgrow(pd->v, &pd->cap, pd->n + 1, sizeof(*pd->v));
		pd->v[pd->n++] = p;
	} else {
		for (i = 0; i < pd->n && pd->v[i] != p; i++)
			;
		if (i < pd->n)
			pd->v[i] = pd->v[--pd->n];
	}
	for (;;) {
		pd->below = d > 0 ? pd->below + 1 : pd->below - 1;
		if (pd->below == 0) {
			strmap_del(&s->postdirs, pd->dir, n);
			free(pd->v);
			free(pd->dir);
			free(pd);
		}
		while (n > 0 && rel[--n] != '/')
			;
		if (n == 0)
			break;
		pd = postdir_at(s, rel, n, 1);
	}
}

static void
postdirs_free(struct site *s)
{
	size_t i;

	for (i = 0; i < s->postdirs.cap; i++)
		if (s->postdirs.v[i].key) {
			struct postdir *pd = s->postdirs.v[i].val;

			free(pd->v);
			free(pd->dir);
			free(pd);
		}
	strmap_free(&s->postdirs);
}

/*
 * s->posts has room on both sides (posts_head entries before the first,
 * posts_cap in all): a post that comes or goes moves the shorter side,
 * so a new one, the newest and first, moves none (issue 16: the whole
 * array was copied, pages a worker shared with its zygote, as the
 * listed pages' arrays are kept: sitepages.c, lists_shift).
 */
static void
posts_room(struct site *s, size_t front, size_t back)
{
	size_t head = s->posts_head > front ? s->posts_head : front;
	size_t tail = s->posts_cap - s->posts_head - s->nposts;
	struct post **v;

	if (tail < back)
		tail = back;
	if (head == s->posts_head && head + s->nposts + tail <= s->posts_cap)
		return;
	s->posts_cap = head + s->nposts + tail;
	v = xcalloc(s->posts_cap, sizeof(*v));
	if (s->nposts)
		memcpy(v + head, s->posts, s->nposts * sizeof(*v));
	free(s->posts ? s->posts - s->posts_head : NULL);
	s->posts = v + head;
	s->posts_head = head;
}

/* An entry opened at i in s->posts (the caller fills it). */
static void
posts_open(struct site *s, size_t i)
{
	size_t margin = 64 + s->nposts / 64;

	if (i < s->nposts - i) {
		if (s->posts_head == 0)
			posts_room(s, margin, 0);
		memmove(s->posts - 1, s->posts, i * sizeof(*s->posts));
		s->posts--;
		s->posts_head--;
	} else {
		if (s->posts_head + s->nposts == s->posts_cap)
			posts_room(s, 0, margin);
		memmove(s->posts + i + 1, s->posts + i,
		    (s->nposts - i) * sizeof(*s->posts));
	}
	s->nposts++;
}

/* The entry at i in s->posts closed. */
static void
posts_close(struct site *s, size_t i)
{
	if (i < s->nposts - 1 - i) {
		memmove(s->posts + 1, s->posts, i * sizeof(*s->posts));
		s->posts++;
		s->posts_head++;
	} else
		memmove(s->posts + i, s->posts + i + 1,
		    (s->nposts - i - 1) * sizeof(*s->posts));
	s->nposts--;
}

static void
posts_remove(struct site *s, struct post *p)
{
	size_t i;

	for (i = 0; i < s->nposts && s->posts[i] != p; i++)
		;
	if (i == s->nposts)
		return;
	posts_close(s, i);
	postdir_count(s, p, -1);
	strmap_del(&s->by_relpath, p->relpath, strlen(p->relpath));
	map_release(s, &s->by_url, K_URL, p);
	map_release(s, &s->by_legacy, K_LEGACY, p);
	map_release(s, &s->by_base, K_BASE, p);
	map_release(s, &s->by_bundle, K_BUNDLE, p);
}

static void
posts_insert(struct site *s, struct post *p)
{
	size_t lo = 0, hi = s->nposts, n;
	const char *b;

	while (lo < hi) { /* the first that sorts after p (sort_posts) */
		size_t mid = lo + (hi - lo) / 2;

		if (post_cmp(&s->posts[mid], &p) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	posts_open(s, lo);
	s->posts[lo] = p;
	postdir_count(s, p, 1);
	strmap_put(&s->by_relpath, p->relpath, strlen(p->relpath), p);
	map_claim(s, &s->by_url, K_URL, p->pm.url, strlen(p->pm.url), p, 1);
	map_claim(s, &s->by_legacy, K_LEGACY, p->pm.legacy,
	    strlen(p->pm.legacy), p, 1);
	if ((b = post_base(p, &n)) != NULL)
		map_claim(s, &s->by_base, K_BASE, b, n, p, 1);
	if ((b = post_key(p, K_BUNDLE, &n)) != NULL)
		map_claim(s, &s->by_bundle, K_BUNDLE, b, n, p, 1);
}

/*
 * Posts added and removed in one update, taken one by one (posts_insert,
 * site_pages_change) when they are few pages (bundles and pages with
 * aliases too); more, or a section's or home's _index.md: everything is
 * listed afresh (rare, and a batch's cost is shared).
 */
#define ONE_BY_ONE_MAX 16

static int
one_by_one(const struct site *s, struct post *const *added, size_t nadded,
    struct post *const *removed, size_t nremoved)
{
	size_t i;

	if (!s->base.built || nadded + nremoved > ONE_BY_ONE_MAX)
		return 0;
	for (i = 0; i < nadded + nremoved; i++) {
		const struct post *p =
		    i < nadded ? added[i] : removed[i - nadded];

		if (p->pm.kind != PM_PAGE)
			return 0;
	}
	return 1;
}

/* --- scanning -------------------------------------------------------- */

struct found {
	char *relpath;
	struct stat st;
	/*
	 * The walk took no stat (the folder said it is a file): preload
	 * stats it, or reads it, which does. gone: it vanished meanwhile.
	 */
	int nostat, gone;
};

struct scan {
	struct found *v;
	size_t n, cap;
	int failed; /* errno of a failure that voids the scan */
};

void
site_prefork(struct site *s)
{
	size_t room = 64 + s->nposts / 64;

	posts_room(s, room, room);
	site_pages_reserve(s);
}

size_t
site_unshare(struct site *s)
{
	if (s->posts)
		util_own_pages(s->posts - s->posts_head,
		    s->posts_cap * sizeof(*s->posts));
	return s->posts_cap * sizeof(*s->posts) + site_pages_unshare(s);
}

int
site_is_markdown(const char *name)
{
	return pm_md_ext(name, strlen(name)) != 0;
}

/* A Markdown file the scan found; st NULL: not statted yet. */
static void
scan_add(struct scan *sc, char *rel, const struct stat *st)
{
	struct found *f;

	sc->v = xgrow(sc->v, &sc->cap, sc->n + 1, sizeof(*sc->v));
	f = &sc->v[sc->n++];
	memset(f, 0, sizeof(*f));
	f->relpath = rel;
	if (st)
		f->st = *st;
	f->nostat = st == NULL;
}

/* One file of the walk: kept when it is a Markdown file. */
static int
scan_found(void *arg, char *rel, const struct stat *st)
{
	struct scan *sc = arg;

	if ((st && !S_ISREG(st->st_mode)) || !site_is_markdown(rel)) {
		free(rel);
		return 0;
	}
	scan_add(sc, rel, st);
	return sc->n >= SITE_MAX_FILES;
}

/*
 * Collects the Markdown files below prefix. A folder that vanished is
 * simply empty; any other failure (out of descriptors, say) makes the
 * whole scan fail, so a passing shortage never unpublishes posts.
 */
static void
scan_dir(int rootfd, const char *prefix, int depth, struct scan *sc)
{
	if (sc->failed == 0 && sc->n < SITE_MAX_FILES &&
	    util_walk_lazy(rootfd, prefix, depth, SITE_MAX_DEPTH, scan_found,
		sc) == -1)
		sc->failed = errno;
}

static void
scan_free(struct scan *sc)
{
	size_t i;

	for (i = 0; i < sc->n; i++)
		free(sc->v[i].relpath);
	free(sc->v);
}

/* Logs p's diagnostics from the from-th on (parsing's, then rendering's). */
void
site_log_diags(const struct site *s, const struct post *p, size_t from)
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
static int searchable(struct site *s, const struct post *p);
static int searchable_in(const struct post *p, const struct post *sec);
static char *section_index_path(const struct post *p);

/*
 * What a scan covered: everything, or some files and folders (content
 * paths). A known post in scope that the scan did not find is gone.
 */
struct scope {
	int all;
	struct strmap files; /* keys owned by keys */
	char **keys;
	size_t nkeys, ckeys;
	char **dirs; /* folders, rescanned whole */
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
		if (n == 0 ||
		    (strncmp(relpath, sc->dirs[i], n) == 0 &&
			relpath[n] == '/'))
			return 1;
	}
	return 0;
}

/*
 * 1 when the posts gone from a scope's folders are looked for by a walk
 * of every post: the whole content, or a folder with posts in its
 * subfolders. Else its own posts (s->postdirs) are all it held (issue
 * 16: a page bundle moved in, renamed or deleted walked all 100,000
 * posts' paths cold, 240 ms of a worker's loop).
 */
static int
scope_walk(const struct site *s, const struct scope *sc)
{
	const struct postdir *pd;
	size_t i;

	if (sc->all)
		return 1;
	for (i = 0; i < sc->ndirs; i++)
		if (sc->dirs[i][0] == '\0' ||
		    ((pd = strmap_get(&s->postdirs, sc->dirs[i],
			  strlen(sc->dirs[i]))) != NULL &&
			pd->below != pd->n))
			return 1;
	return 0;
}

static void
scope_free(struct scope *sc)
{
	strmap_free(&sc->files);
	site_strs_free(sc->keys, sc->nkeys);
	site_strs_free(sc->dirs, sc->ndirs);
}

static void
note_key(struct strmap *keys, const char *k)
{
	strmap_put(keys, k, strlen(k), (void *)1);
}

static int
same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/*
 * 1 when a post edited from old to p is listed exactly as before: a page
 * (or a section's or the home page's _index.md) with the same front
 * matter (byte for byte), title and summary. Only its body changed: its
 * own page and the feeds (or the pages made), nothing else.
 */
static int
same_listing(const struct post *old, const struct post *p)
{
	return old->pm.kind == p->pm.kind && old->body_off == p->body_off &&
	    (old->head_only && p->head_only ? old->head_hash == p->head_hash :
					      old->md && p->md &&
			memcmp(old->md, p->md, p->body_off) == 0) &&
	    same_text(old->title, p->title) &&
	    same_text(old->summary, p->summary) && old->dated == p->dated &&
	    old->date == p->date;
}

/*
 * Puts p's contents in old's place, so that every list pointing at old
 * now holds the edit; p is left with old's, to be freed.
 */
static void
post_swap(struct site *s, struct post *old, struct post *p)
{
	struct post tmp;

	struct pm_page pm;
	const char *relpath;
	char *src;

	site_drop_body(&s->cache, old);
	tmp = *old;
	*old = *p;
	*p = tmp;
	/*
	 * The maps (by path, URL, slug, bundle) are keyed by old's strings:
	 * old keeps them (equal to p's: same file, same front matter).
	 */
	relpath = old->relpath;
	old->relpath = p->relpath;
	p->relpath = relpath;
	src = old->src;
	old->src = p->src;
	p->src = src;
	pm = old->pm;
	old->pm = p->pm;
	p->pm = pm;
}

/*
 * 1 when a page edited from old to p keeps its place in the site: the
 * same URL, folder, section, language, files, aliases, visibility and
 * publication; only what orders and lists it (title, date, weight,
 * terms, summary) may differ. *next: when p's publication changes.
 */
static int
same_place(const struct site *s, const struct post *old, const struct post *p,
    int64_t *next)
{
	const struct pm_page *a = &old->pm, *b = &p->pm;
	const struct post_meta *m = &old->meta, *n = &p->meta;

	*next = INT64_MAX;
	return a->kind == PM_PAGE && b->kind == PM_PAGE &&
	    strcmp(a->url, b->url) == 0 && same_text(a->dir, b->dir) &&
	    same_text(a->section, b->section) &&
	    same_text(a->bundle, b->bundle) && same_text(a->lang, b->lang) &&
	    same_text(a->legacy, b->legacy) && a->has_date == b->has_date &&
	    a->date == b->date && strcmp(a->ymd, b->ymd) == 0 &&
	    old->dated == p->dated && m->draft == n->draft &&
	    m->no_render == n->no_render && m->no_list == n->no_list &&
	    m->headless == n->headless && m->list_local == n->list_local &&
	    m->no_search == n->no_search &&
	    strv_eq(m->aliases, m->naliases, n->aliases, n->naliases) &&
	    old->unpub ==
	    !pm_published(&s->cfg, n, p->dated, p->date, (int64_t)time(NULL),
		next);
}

/*
 * Drops the cached bodies whose last rendering looked up one of keys (a
 * content path or a URL), to be rendered again when asked. A body is
 * cached only in the site's cache: the walk goes through the cache, so
 * it costs what is cached, not what the site holds (issue 16).
 */
static void
drop_dependents(struct site *s, const struct strmap *keys)
{
	struct lru_node *n, *next;
	size_t j;

	for (n = s->cache.head.next; n != &s->cache.head; n = next) {
		struct post *q;

		next = n->next;
		if (n->evict != post_evict)
			continue; /* a composed page: its owner drops it */
		q = (struct post *)(void *)((char *)n -
		    offsetof(struct post, cnode));
		for (j = 0; q->body_gmi && j < q->ndeps; j++)
			if (strmap_get(keys, q->deps[j], strlen(q->deps[j]))) {
				site_drop_body(&s->cache, q);
				break;
			}
	}
}

/* Moves p (edited) to its place among the posts, as sort_posts would. */
static void
post_move(struct site *s, struct post *p)
{
	size_t i, lo = 0, hi = s->nposts - 1;

	for (i = 0; i < s->nposts && s->posts[i] != p; i++)
		;
	if (i == s->nposts)
		return;
	posts_close(s, i);
	while (lo < hi) { /* the first that sorts after p */
		size_t mid = lo + (hi - lo) / 2;

		if (post_cmp(&s->posts[mid], &p) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	posts_open(s, lo);
	s->posts[lo] = p;
}

/*
 * An edit that moves page p in the lists only: p takes its new place,
 * the lists follow (site_pages_relist), and bodies that link to it are
 * rendered again when asked. was holds p's old contents.
 */
static void
post_relist(struct site *s, struct post *p, const struct post *was,
    int64_t next)
{
	struct strmap keys = { 0 };

	if (next < s->next_change)
		s->next_change = next;
	post_move(s, p);
	site_pages_relist(s, p, was);
	note_key(&keys, p->relpath);
	note_key(&keys, p->pm.url);
	drop_dependents(s, &keys);
	strmap_free(&keys);
}

/* After body-only edits: the search index and the pages that show them. */
static void
finish_inplace(struct site *s, struct post **v, size_t n, int index_now)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s->search && v[i]->pm.kind == PM_PAGE) {
			if (index_now && !s->index_pending)
				post_index(s, v[i]);
			else {
				/* Its old text out; indexed again with the rest. */
				search_remove(s->search, v[i]->relpath);
				s->index_pending = 1;
				s->index_next = 0;
			}
		}
		site_pages_body_changed(s, v[i]);
	}
}

/*
 * Reading and parsing many files (start-up, a full rescan) on a few
 * threads (issue 16): the files' I/O overlaps, and parsing touches
 * nothing shared (site_post_parse reads the config only). The loop of
 * site_apply then takes each post from here, in the scan's order, and
 * does the rest (summary, logging, lists) as for one file.
 */
#define PRELOAD_MIN	64 /* files: fewer are loaded on this thread */
#define PRELOAD_THREADS 4  /* I/O bound: more than the usual 2 CPUs */

struct preload {
	const struct site *s;
	struct scan *sc;
	_Atomic size_t next;
	struct post **post; /* per scan entry: loaded, or NULL */
	int *err;	    /* per scan entry: errno when it failed */
};

/* Was this file, as it is now, seen failing to load before? */
static int
failed_before(const struct site *s, const struct found *f)
{
	uintptr_t k = (uintptr_t)strmap_get(&s->failedmap, f->relpath,
	    strlen(f->relpath));

	return k && util_same_file(&s->failed[k - 1].st, &f->st);
}

/*
 * Scan entry k: statted when a post or a failure of that file is known
 * (to tell whether it changed), and read and parsed when new or
 * changed. Writes to entry k and to the site nowhere.
 */
static void
preload_one(struct preload *pl, size_t k)
{
	const struct site *s = pl->s;
	struct found *f = &pl->sc->v[k];
	const struct post *old = site_find_post(s, f->relpath);
	struct stat st;
	struct post *p;
	size_t len;
	char *md;

	if (f->nostat &&
	    (old ||
		strmap_get(&s->failedmap, f->relpath, strlen(f->relpath)))) {
		if (fstatat(s->contentfd, f->relpath, &f->st,
			AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(f->st.st_mode)) {
			f->gone = 1; /* as if the walk had not seen it */
			return;
		}
		f->nostat = 0;
	}
	if ((old && site_same_stamp(&old->st, &f->st)) || failed_before(s, f))
		return;
	if ((md = site_read_all(s->contentfd, f->relpath, &st, &len)) == NULL) {
		pl->err[k] = errno;
		/* Remembered as failed, as it is, not retried until it changes. */
		if (f->nostat &&
		    (fstatat(s->contentfd, f->relpath, &f->st,
			 AT_SYMLINK_NOFOLLOW) == -1 ||
			!S_ISREG(f->st.st_mode)))
			f->gone = 1;
		f->nostat = 0;
		return;
	}
	if (f->nostat)
		f->st = st;
	f->nostat = 0;
	p = site_post_parse(&s->cfg, f->relpath, md, len, &st);
	/* The head only now, unless the summary needs the body. */
	if (p->meta.description != NULL || !p->more)
		post_drop_text(s, p);
	pl->post[k] = p;
}

static void *
preload_run(void *arg)
{
	struct preload *pl = arg;
	size_t k;

	while ((k = atomic_fetch_add(&pl->next, 1)) < pl->sc->n)
		preload_one(pl, k);
	return NULL;
}

/* Stats, reads and parses what site_apply needs of sc, on a few threads. */
static void
preload(const struct site *s, struct scan *sc, struct preload *pl)
{
	pthread_t t[PRELOAD_THREADS];
	size_t i, nt = 0;

	memset(pl, 0, sizeof(*pl));
	pl->s = s;
	pl->sc = sc;
	pl->post = xcalloc(sc->n + 1, sizeof(*pl->post));
	pl->err = xcalloc(sc->n + 1, sizeof(*pl->err));
	atomic_init(&pl->next, 0);
	for (nt = 0; sc->n >= PRELOAD_MIN && nt < PRELOAD_THREADS; nt++)
		if (pthread_create(&t[nt], NULL, preload_run, pl) != 0)
			break;
	preload_run(pl); /* this thread too; all of it if none started */
	for (i = 0; i < nt; i++)
		pthread_join(t[i], NULL);
}

static void
preload_free(struct preload *pl)
{
	size_t i;

	for (i = 0; i < pl->sc->n; i++)
		site_post_free(NULL, pl->post[i]); /* not taken */
	free(pl->post);
	free(pl->err);
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
	struct post **added = NULL, **removed = NULL, **inplace = NULL;
	size_t nadded = 0, cadded = 0, nremoved = 0, cremoved = 0;
	size_t ninplace = 0, cinplace = 0;
	struct failed *failed = NULL;
	size_t nfailed = 0, capfailed = 0, i, n, nkept;
	struct strmap keys = { 0 }, gone = { 0 };
	unsigned long mark = ++s->scan_mark;
	struct diags err = { 0 };
	struct preload pl;
	struct post **nv;
	int64_t next;
	int changed = 0, threaded = 0, rebuilt = 0;
	int walk = scope_walk(s, scope);
	pthread_t indexer;

	preload(s, sc, &pl);
	for (i = 0; i < sc->n; i++) {
		struct found *f = &sc->v[i];
		struct post *old, *p;

		if (f->gone)
			continue;
		if ((old = site_find_post(s, f->relpath)) != NULL)
			old->scan_mark = mark; /* found: not gone */
		if (old && site_same_stamp(&old->st, &f->st))
			continue;
		/*
		 * A file that failed to load is not read (nor logged) again
		 * until it changes; meanwhile the old text is served.
		 */
		if (pl.err[i] != 0)
			diags_add(&err, DIAG_ERROR, 0, "%s: %s", f->relpath,
			    strerror(pl.err[i]));
		if ((p = pl.post[i]) != NULL)
			pl.post[i] = NULL; /* taken */
		else {
			failed = xgrow(failed, &capfailed, nfailed + 1,
			    sizeof(*failed));
			failed[nfailed].relpath = xstrdup(f->relpath);
			failed[nfailed++].st = f->st;
			continue;
		}
		site_post_summary(s, p);
		post_drop_text(s, p);
		post_intern(s, p);
		site_log_diags(s, p, 0);
		if (old && s->base.built && same_listing(old, p)) {
			post_swap(s, old, p);
			old->scan_mark = mark;
			site_post_free(&s->cache, p);
			inplace = xgrow(inplace, &cinplace, ninplace + 1,
			    sizeof(*inplace));
			inplace[ninplace++] = old;
			continue;
		}
		if (old && s->base.built && same_place(s, old, p, &next) &&
		    site_pages_can_relist(s, old, p)) {
			post_swap(s, old, p);
			old->scan_mark = mark;
			old->unpub = p->unpub;
			/* Indexed again (finish_inplace), as a new page. */
			if (s->search)
				search_remove(s->search, old->relpath);
			post_relist(s, old, p, next);
			site_post_free(&s->cache, p);
			inplace = xgrow(inplace, &cinplace, ninplace + 1,
			    sizeof(*inplace));
			inplace[ninplace++] = old;
			continue;
		}
		added = xgrow(added, &cadded, nadded + 1, sizeof(*added));
		added[nadded++] = p;
		if (old) {
			removed = xgrow(removed, &cremoved, nremoved + 1,
			    sizeof(*removed));
			removed[nremoved++] = old;
		}
	}
	/* Known posts in scope that are no longer there. */
	if (walk) {
		for (i = 0; i < s->nposts; i++) {
			struct post *p = s->posts[i];

			if (p->scan_mark != mark &&
			    in_scope(scope, p->relpath)) {
				removed = xgrow(removed, &cremoved,
				    nremoved + 1, sizeof(*removed));
				removed[nremoved++] = p;
			}
		}
	} else {
		/* A folder's own posts, then the files named. */
		size_t k, nc = 0, cc = 0;
		struct post **cand = NULL;

		for (i = 0; i < scope->ndirs; i++) {
			const struct postdir *pd = strmap_get(&s->postdirs,
			    scope->dirs[i], strlen(scope->dirs[i]));

			for (k = 0; pd && k < pd->n; k++) {
				cand = xgrow(cand, &cc, nc + 1, sizeof(*cand));
				cand[nc++] = pd->v[k];
			}
		}
		for (i = 0; i < scope->nkeys; i++) {
			cand = xgrow(cand, &cc, nc + 1, sizeof(*cand));
			cand[nc++] = site_find_post(s, scope->keys[i]);
		}
		for (i = 0; i < nc; i++) {
			if (cand[i] == NULL || cand[i]->scan_mark == mark)
				continue;
			/* It goes: marked only so as to be taken once. */
			cand[i]->scan_mark = mark;
			removed = xgrow(removed, &cremoved, nremoved + 1,
			    sizeof(*removed));
			removed[nremoved++] = cand[i];
		}
		free(cand);
	}
	/* Failures out of scope stay remembered; in scope, as found now. */
	for (i = 0; i < s->nfailed; i++) {
		if (in_scope(scope, s->failed[i].relpath)) {
			/* A file still failing keeps its old text served. */
			continue;
		}
		failed =
		    xgrow(failed, &capfailed, nfailed + 1, sizeof(*failed));
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
	preload_free(&pl);
	changed = nadded > 0 || nremoved > 0;
	if (!changed && s->base.built) {
		free(added);
		free(removed);
		finish_inplace(s, inplace, ninplace, index_now);
		free(inplace);
		return ninplace > 0;
	}
	/*
	 * What links may have looked up: old and new paths and URLs (none
	 * at the first load: no body was rendered yet).
	 */
	for (i = 0; i < nremoved; i++) {
		note_key(&keys, removed[i]->relpath);
		note_key(&keys, removed[i]->pm.url);
		strmap_put(&gone, (const char *)&removed[i], sizeof(removed[i]),
		    (void *)1);
	}
	for (i = 0; i < nadded && s->nposts > 0; i++) {
		note_key(&keys, added[i]->relpath);
		note_key(&keys, added[i]->pm.url);
	}
	if (one_by_one(s, added, nadded, removed, nremoved)) {
		drop_dependents(s, &keys);
		for (i = 0; i < nremoved; i++) {
			if (s->search)
				search_remove(s->search, removed[i]->relpath);
			posts_remove(s, removed[i]);
		}
		for (i = 0; i < nadded; i++)
			posts_insert(s, added[i]);
		site_pages_change(s, added, nadded, removed, nremoved);
		for (i = 0; i < nremoved; i++)
			site_post_free(&s->cache, removed[i]);
		free(removed);
		strmap_free(&keys);
		strmap_free(&gone);
		goto listed;
	}
	nv = xcalloc(s->nposts + nadded + 1, sizeof(*nv));
	for (n = 0, i = 0; i < s->nposts; i++)
		if (!strmap_get(&gone, (const char *)&s->posts[i],
			sizeof(s->posts[i])))
			nv[n++] = s->posts[i];
	nkept = n;
	for (i = 0; i < nadded; i++) {
		nv[n++] = added[i];
		postdir_count(s, added[i], 1);
	}
	/* Bodies that linked there are rendered again when asked. */
	drop_dependents(s, &keys);
	for (i = 0; i < nremoved; i++) {
		if (s->search)
			search_remove(s->search, removed[i]->relpath);
	}
	/* The generated pages point at posts: dropped before any post. */
	site_pages_free(s);
	for (i = 0; i < nremoved; i++) {
		postdir_count(s, removed[i], -1);
		site_post_free(&s->cache, removed[i]);
	}
	free(removed);
	free(s->posts ? s->posts - s->posts_head : NULL);
	s->posts_cap = s->nposts + nadded + 1; /* nv's size */
	s->posts = nv;
	s->nposts = n;
	s->posts_head = 0;
	strmap_free(&keys);
	strmap_free(&gone);
	sort_posts(s, nkept);
	find_intro(s);
	/* Indexing a page for search now may look posts up: no thread. */
	if (s->search && index_now && !s->index_pending && nadded > 0) {
		index_posts(s);
		threaded = 0;
	} else
		threaded = index_posts_start(s, &indexer);
	rebuilt = 1;
listed:
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
	if (rebuilt) {
		site_build_pages(s); /* reads no map of index_posts' */
		if (threaded)
			pthread_join(indexer, NULL);
	}
	finish_inplace(s, inplace, ninplace, index_now);
	free(inplace);
	return 1;
}

/* Every file: the stat walk of a full scan. Returns 1 when anything changed. */
int
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
 * A snippet's text, asked for the posts on the result page only: the
 * index keeps no copy of any post's text (issue 16).
 */
static int
search_text(void *arg, const char *key, struct buf *out)
{
	const struct site *s = arg;
	const struct post *p = site_find_post(s, key);

	if (p == NULL)
		return -1;
	site_search_text(s, p, out);
	return 0;
}

static void
search_start(struct site *s)
{
	s->search = search_new();
	search_set_text_source(s->search, search_text, s);
}

/*
 * What the index keeps of p's visibility: a draft; plain when every
 * client may see it, now and until the pages are listed afresh
 * (site_search_reflag): no protect rule covers it, it is no draft, no
 * date changes its publication, and its section (sec, its folder's
 * _index.md or NULL) is searched.
 */
static unsigned
search_flags(struct site *s, const struct post *p, const struct post *sec)
{
	int64_t next = INT64_MAX;

	if (p->meta.draft)
		return SEARCH_DRAFT;
	if (p->unpub ||
	    strmap_get(&s->gated, p->relpath, strlen(p->relpath)) != NULL ||
	    !pm_published(&s->cfg, &p->meta, p->dated, p->date,
		(int64_t)time(NULL), &next) ||
	    next != INT64_MAX || !searchable_in(p, sec))
		return 0;
	return SEARCH_PLAIN;
}

/*
 * Called by site_build_pages, maybe while index_posts rebuilds the
 * lookup maps on its thread: the sections' _index.md found here.
 */
void
site_search_reflag(struct site *s)
{
	struct strmap idx = { 0 };
	size_t i, n;
	char *path;

	/* Nothing indexed before the first search. */
	if (s->search == NULL || !s->index_wanted)
		return;
	for (i = 0; i < s->nposts; i++)
		if (s->posts[i]->pm.kind == PM_SECTION)
			strmap_put(&idx, s->posts[i]->relpath,
			    strlen(s->posts[i]->relpath), s->posts[i]);
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];

		if (p->pm.kind != PM_PAGE)
			continue;
		path = section_index_path(p);
		n = strlen(path);
		search_set_flags(s->search, p->relpath,
		    search_flags(s, p, strmap_get(&idx, path, n)));
		free(path);
	}
	strmap_free(&idx);
}

/* What the search index is told of a post (issue 14): a small interface. */
static void
post_index(struct site *s, struct post *p)
{
	struct search_doc d;
	struct buf text = BUF_INIT;
	char *url = post_url(p), *idx;

	memset(&d, 0, sizeof(d));
	site_search_text(s, p, &text);
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
	idx = section_index_path(p);
	d.flags = search_flags(s, p, site_find_post(s, idx));
	free(idx);
	search_put(s->search, p->relpath, &d);
	buf_free(&text);
	free(url);
}

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Indexes pages not yet indexed, up to max of them and for about
 * budget_ns (0: no bound); returns 1 when more remain.
 */
static int
index_some(struct site *s, size_t max, int64_t budget_ns)
{
	int64_t t0 = budget_ns ? mono_ns() : 0;
	size_t done = 0;

	if (s->search == NULL)
		s->index_pending = 0;
	while (s->index_pending && done < max) {
		struct post *p;

		if (budget_ns && done && mono_ns() - t0 > budget_ns)
			break;
		if (s->index_next >= s->nposts) {
			/*
			 * Packed, not search_trim'd: the lists cut to their
			 * length made the next edit grow every common word's
			 * list (a worker's first edit at 100,000 pages: 46-58
			 * ms of CPU, 170-210 ms on the loop); unpacked, the
			 * short lists' allocations held the index at 35.9 %
			 * of the text at 10,000 posts against 28.9 %.
			 */
			if (s->search)
				search_pack(s->search);
			s->index_pending = 0;
			break;
		}
		p = s->posts[s->index_next++];
		/*
		 * Whether p is indexed, asked of the index: a flag in p would
		 * write to every post, and the posts are the master's pages,
		 * shared copy-on-write: 40 % of the build at 100,000 posts
		 * went to those page copies (perf).
		 */
		if (p->pm.kind == PM_PAGE &&
		    !search_has(s->search, p->relpath)) {
			post_index(s, p);
			done++;
		}
	}
	return s->index_pending;
}

/*
 * The index is built when first searched (issue 16): built when idle
 * after start-up, it cost each worker seconds of CPU at 100,000 posts
 * (the idle server's whole budget), for a search that may never come.
 * Once built it follows every change, in the same update.
 */
int
site_idle(struct site *s)
{
	int more = s->index_wanted && index_some(s, SIZE_MAX, SITE_IDLE_BUDGET);

	/* The searches that waited for the index ask again. */
	if (s->index_waiters && !s->index_pending) {
		s->index_waiters = 0;
		s->rendered(s->rendered_arg, &s->index_pending);
	}
	lru_trim(&s->cache);
	return more;
}

/* The relpath of the _index.md of p's folder. */
static char *
section_index_path(const struct post *p)
{
	return xasprintf("%s%s_index.md", p->pm.dir, p->pm.dir[0] ? "/" : "");
}

/*
 * A page search may list: one with a page of its own, in a section
 * whose _index.md does not say in_search_index = false (Zola); sec is
 * its folder's _index.md, or NULL, found by the caller.
 */
static int
searchable_in(const struct post *p, const struct post *sec)
{
	return !site_not_rendered(p) && (sec == NULL || !sec->meta.no_search);
}

static int
searchable(struct site *s, const struct post *p)
{
	char *idx = section_index_path(p);
	const struct post *sec = site_find_post(s, idx);

	free(idx);
	return searchable_in(p, sec);
}

struct search_vis {
	struct site *s;
	const struct viewer *v;
};

/* A result is listed when its post passes the one rule (site_post_status). */
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
			ok = site_post_status(sv->s, sv->v, p) == 0 &&
			    searchable(sv->s, p);
		else
			ok = access_source(sv->v,
				 (const char *const *)&path.data, 1,
				 (flags & SEARCH_DRAFT) != 0) == 0;
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
		resp->page =
		    page_new(GEMINI_INPUT, "Search the reviews", NULL, 0);
		return 1;
	}
	/*
	 * The first search builds the index; later ones find it complete.
	 * Built in slices of SITE_IDLE_BUDGET between other requests
	 * (site_idle), the search waiting for the last (at 100,000 posts
	 * the whole build is seconds of CPU: on the loop in one go, it
	 * held up every other request that long); without a loop to wait
	 * on (no render queue), built now.
	 */
	if (!s->index_wanted)
		search_reserve(s->search, s->nposts);
	s->index_wanted = 1;
	if (index_some(s, SIZE_MAX, SITE_IDLE_BUDGET)) {
		if (s->rendered) {
			if (!s->index_waiters)
				log_debug("%s: search index: building it "
					  "between other requests",
				    s->root);
			s->index_waiters = 1;
			resp->wait = &s->index_pending;
			resp->wait_why = "the search index is still being "
					 "built; try again shortly";
			return 1;
		}
		index_some(s, SIZE_MAX, 0);
	}
	search_page(s->search, u->query, page, "/search", search_visible, &sv,
	    &body);
	site_text_meta(s->lang, &meta);
	resp->status = GEMINI_SUCCESS;
	resp->page = page_new(GEMINI_SUCCESS, meta.data, body.data, body.len);
	buf_free(&body);
	buf_free(&meta);
	return 1;
}

struct site *
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
		search_start(s);
	lru_init(&s->cache, o->cache_size ? o->cache_size : SITE_CACHE_DEFAULT);
	s->robots = page_new(GEMINI_SUCCESS, "text/plain", SITE_ROBOTS,
	    strlen(SITE_ROBOTS));
	return s;
}

/* Reads the site's config (root/hugo.toml...) and opens its content. */
void
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
		s->contentfd = openat(s->rootfd, s->cfg.content_dir,
		    O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->contentfd == -1)
		s->contentfd = dup(s->rootfd);
	s->title = xstrdup(s->cfg.title ? s->cfg.title : "");
	s->croot = s->cfg.content_dir[0] ?
	    xasprintf("%s/%s", s->root, s->cfg.content_dir) :
	    xstrdup(s->root);
}

/* Forgets every post and the config (before reading them again). */
static void
site_clear(struct site *s)
{
	size_t i;

	site_pages_free(s);
	for (i = 0; i < s->nposts; i++)
		site_post_free(&s->cache, s->posts[i]);
	free(s->posts ? s->posts - s->posts_head : NULL);
	postdirs_free(s);
	s->posts = NULL;
	s->nposts = s->posts_head = s->posts_cap = 0;
	s->intro = NULL;
	strmap_free(&s->by_relpath);
	strmap_free(&s->by_url);
	strmap_free(&s->by_bundle);
	strmap_free(&s->by_legacy);
	strmap_free(&s->by_base);
	shared_free(s);
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
		search_start(s);
	}
	s->index_pending = 0;
	s->index_next = 0;
	s->npages = s->ndrafts = 0;
}

/* The title, once the home page is known: config, home page, default. */
static void
site_title(struct site *s)
{
	free(s->title);
	s->title = xstrdup(s->cfg.title		 ? s->cfg.title :
		s->intro && s->intro->meta.title ? s->intro->meta.title :
						   "Gemini capsule");
}

struct site *
site_new(const char *root, int rootfd, const struct site_opts *o)
{
	struct site *s = site_alloc(root, rootfd, o);

	s->logging = 1;
	s->drop_text = 1;
	site_config(s);
	/* Front matter only: bodies are rendered when asked, indexed idle. */
	site_sync(s, 0);
	log_info("%s: %zu posts, %zu drafts, %zu tags (%s)", root, s->npages,
	    s->ndrafts, s->base.ntags,
	    s->cfg.gen == GEN_HUGO     ? "Hugo site" :
		s->cfg.gen == GEN_ZOLA ? "Zola site" :
					 "content folder");
	return s;
}

static int
site_refresh_now(struct site *s)
{
	/* Until a timer at site_next_change() calls site_tick(). */
	int changed = site_sync(s, 1) || site_tick_now(s);

	if (changed)
		log_info("%s: changes seen: %zu posts, %zu drafts", s->root,
		    s->npages, s->ndrafts);
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

static int
site_update_now(struct site *s, const char *const *paths, size_t n)
{
	const char *cd = s->cfg.content_dir;
	size_t cl = strlen(cd), i;
	struct scope scope = { 0 };
	struct scan sc = { 0 };
	int changed = 0, robots = s->own_robots;

	if (n == 0)
		return site_refresh_now(s);
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
			    s->root, s->npages, s->ndrafts);
			lru_trim(&s->cache);
			return 1;
		}
		if (strstr(p, "robots.txt"))
			s->own_robots =
			    faccessat(s->rootfd, "robots.txt", F_OK, 0) == 0 ||
			    (s->cfg.static_dir && s->cfg.static_dir[0] &&
				faccessat(s->rootfd, "static/robots.txt", F_OK,
				    0) == 0);
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
				continue; /* not knowable now: the scan tells */
			/*
			 * Gone: a file, or a folder with all it held (a known
			 * post was a file: no walk of every post for it).
			 */
			if (site_find_post(s, cp) == NULL && held_posts(s, cp))
				scope_add(&scope.dirs, &scope.ndirs,
				    &scope.cdirs, cp);
			scope_add(&scope.keys, &scope.nkeys, &scope.ckeys, cp);
		} else if (S_ISDIR(st.st_mode)) {
			scope_add(&scope.dirs, &scope.ndirs, &scope.cdirs, cp);
			scan_dir(s->contentfd, cp, depth, &sc);
		} else if (site_is_markdown(cp)) {
			scope_add(&scope.keys, &scope.nkeys, &scope.ckeys, cp);
			if (S_ISREG(st.st_mode)) {
				scan_add(&sc, xstrdup(cp), &st);
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
		    s->npages, s->ndrafts);
	lru_trim(&s->cache);
	return changed || robots != s->own_robots;
}

/* A write to the model, deferred until the render thread is idle. */
struct site_write {
	struct site *s;
	char **paths; /* NULL: a full refresh (or a tick) */
	size_t n;
	int tick; /* site_tick: publication by the clock */
};

static void
site_write_run(void *arg)
{
	struct site_write *sw = arg;

	sw->s->write_changed = sw->tick ?
	    site_tick_now(sw->s) :
	    sw->paths ?
	    site_update_now(sw->s, (const char *const *)sw->paths, sw->n) :
	    site_refresh_now(sw->s);
	strv_free(sw->paths, sw->n);
	free(sw);
}

static int
site_write(struct site *s, const char *const *paths, size_t n, int all,
    int tick)
{
	struct site_write *sw;
	size_t i;

	if (s->rq == NULL)
		return tick ? site_tick_now(s) :
		    all	    ? site_refresh_now(s) :
			      site_update_now(s, paths, n);
	sw = xcalloc(1, sizeof(*sw));
	sw->s = s;
	sw->tick = tick;
	for (i = 0; !all && i < n; i++)
		strv_push(&sw->paths, &sw->n, paths[i]);
	if (!all && !tick && n == 0)
		strv_push(&sw->paths, &sw->n, "."); /* kept apart from "all" */
	s->write_changed = 0;
	return renderq_exclusive(s->rq, site_write_run, sw) ? s->write_changed :
							      0;
}

int
site_refresh(struct site *s)
{
	return site_write(s, NULL, 0, 1, 0);
}

int
site_tick(struct site *s)
{
	return site_write(s, NULL, 0, 0, 1);
}

int
site_update(struct site *s, const char *const *paths, size_t n)
{
	return site_write(s, paths, n, n == 0, 0);
}

void
site_set_renderq(struct site *s, struct renderq *q,
    void (*rendered)(void *arg, const void *key), void *arg)
{
	s->rq = q;
	s->rendered = rendered;
	s->rendered_arg = arg;
}

void
site_free(struct site *s)
{
	if (s == NULL)
		return;
	site_clear(s);
	strmap_free(&s->interned);
	strmap_free(&s->folders);
	site_strs_free(s->istrs, s->nistrs);
	free(s->covered);
	free(s->ncover);
	free(s->need);
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

/* 31 to path, with the query kept when not NULL; 59 when too long. */
static void
redirect_query(struct site *s, struct response *resp, const char *path,
    const char *query)
{
	char *enc = url_encode_path(path);
	char *url = xasprintf("%s%s%s%s", s->base_url, enc, query ? "?" : "",
	    query ? query : "");

	page_redirect(resp, GEMINI_REDIRECT_PERM, url);
	free(url);
	free(enc);
}

static void
redirect(struct site *s, struct response *resp, const char *path)
{
	redirect_query(s, resp, path, NULL);
}

static void
not_found(struct response *resp)
{
	resp->status = GEMINI_NOT_FOUND;
	resp->page = page_new(GEMINI_NOT_FOUND, "not found", NULL, 0);
}

/* An old or alternative spelling of a generated page: 1 after a 31. */
/* Answers a page the reader may not see: 60/61/62, or 51 for a draft. */
static void
refuse(struct response *resp, int status)
{
	resp->status = status;
	resp->page = page_new(status, access_meta(status), NULL, 0);
}

static int
route_moved(struct site *s, struct pageset *set, const struct viewer *v,
    const char *path, size_t n, const char *query, struct response *resp)
{
	struct alias *a;
	struct post *p;
	char *want;
	int found = 0, st;

	/* Without its trailing slash: 31 to it, the query kept. */
	want = xasprintf("%s/", path);
	if (n > 1 && path[n - 1] != '/' && site_route_has(set, want, n + 1)) {
		redirect_query(s, resp, want, query);
		found = 1;
	}
	free(want);
	if (found)
		return 1;
	/* The 0.1 URLs: /posts/SLUG.gmi, /tags/TAG.gmi and .xml. */
	if (strncmp(path, "/posts/", 7) == 0 &&
	    util_ends_with(path, n, ".gmi") &&
	    (p = site_pageset_legacy(s, set, path + 7, n - 11)) != NULL) {
		redirect(s, resp, p->pm.url);
		return 1;
	}
	if (strncmp(path, "/tags/", 6) == 0 && n > 10 &&
	    (util_ends_with(path, n, ".gmi") ||
		util_ends_with(path, n, ".xml"))) {
		/* The tag as written then: the term's URL now. */
		char *term = xstrndup(path + 6, n - 10);

		want = site_term_path(s, "", "tags", term,
		    path[n - 3] == 'x' ? "atom.xml" : "");
		free(term);
		if (site_route_has(set, want, strlen(want))) {
			redirect(s, resp, want);
			found = 1;
		}
		free(want);
		if (found)
			return 1;
	}
	if (strcmp(path, "/posts/") == 0 &&
	    site_route_has(set, "/archive/", 9)) {
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
	if (a != NULL &&
	    (st = site_post_status(s, v, a->post)) != GEMINI_NOT_FOUND) {
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

	if (slash && slash[1] &&
	    (p = strmap_get(&set->bundles, path, (size_t)(slash - path + 1))) !=
		NULL) {
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
	    util_ends_with(path, n, ".gmi"))
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
	if ((p = site_find_post(s, cp)) != NULL)
		return site_post_status(s, v, p);
	/* A file of a page's bundle: as its page. */
	for (k = strlen(cp); k > 0; k--)
		if (cp[k - 1] == '/' &&
		    (p = strmap_get(&s->by_bundle, cp, k - 1)) != NULL)
			return site_post_status(s, v, p);
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
		return 0; /* a plain capsule: its own index.gmi */
	if ((set = site_pageset_for(s, v, &resp->wait)) == NULL) {
		resp->wait_why = "the pages this certificate may see are "
				 "still being listed; try again shortly";
		return 1;
	}
	/*
	 * The bodies a page needs (a post's, a feed's, an intro), as this
	 * class sees them: the few short ones are rendered here (cheaper
	 * than the thread hop, and never queued behind a long one); past
	 * SITE_RENDER_INLINE bytes of expanded Markdown they are rendered
	 * off the loop and the request asked again once they are stored.
	 */
	if (s->rq) {
		s->defer = 1;
		s->budget = SITE_RENDER_INLINE;
		s->nneed = 0;
	}
	pg = site_route_get(s, set, v, path, n);
	s->defer = 0;
	if (s->nneed > 0) {
		resp->wait = site_render_need(s, v, set->key);
		return 1;
	}
	if (pg != NULL) {
		serve(resp, pg);
		lru_trim(&s->cache); /* what this request made, after it */
		return 1;
	}
	/* A page this reader may not see, at its URL or its 0.1 URL. */
	if ((p = page_at(s, path, n)) != NULL &&
	    (st = site_post_status(s, v, p)) != 0) {
		refuse(resp, st);
		return 1;
	}
	if (route_moved(s, set, v, path, n, u->query, resp))
		return 1;
	if (strcmp(path, "/robots.txt") == 0 && !s->own_robots) {
		serve(resp, s->robots);
		return 1;
	}
	/* A page's own file: its source, never a hidden one's. */
	if ((p = site_find_post(s, path + 1)) != NULL) {
		if ((st = site_post_status(s, v, p)) != 0)
			refuse(resp, st);
		else if (site_not_rendered(p))
			not_found(resp);
		else {
			char *owned = NULL;
			size_t off;
			int line;
			const char *md = p->source ?
			    NULL :
			    site_post_text(s, p, &owned, &off, &line);

			if (md != NULL)
				p->source = page_new(GEMINI_SUCCESS,
				    "text/markdown; charset=utf-8", md,
				    strlen(md));
			free(owned);
			if (p->source == NULL)
				not_found(resp);
			else
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
