/*
 * siteint: the site model's insides, shared by its files and by nothing
 * else: site.c (posts, scanning, updates, routing, search), siterender.c
 * (links and rendering one post), sitepages.c (the generated pages per
 * visibility class) and sitecmd.c (the convert and check commands).
 * Everything here runs on the loop thread unless site.h says otherwise.
 */
#ifndef CAPSULED_SITEINT_H
#define CAPSULED_SITEINT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "access.h"
#include "buf.h"
#include "frontmatter.h"
#include "gemtext.h"
#include "lru.h"
#include "pagemodel.h"
#include "pages.h"
#include "sitecfg.h"
#include "util.h"

struct page;
struct site_opts;
struct viewer;

#define SITE_MAX_POST	   (16u << 20) /* bytes of one Markdown file */
/*
 * Bytes of expanded Markdown (shortcodes and includes done) one request
 * may render on the loop; what is past it renders on the render thread.
 */
#define SITE_RENDER_INLINE (32u << 10)
#define SITE_INLINE_CELLS  2000	  /* table cells rendered on the loop */
#define SITE_MAX_DEPTH	   16	  /* folder levels scanned */
#define SITE_MAX_FILES	   200000 /* Markdown files per capsule */
#define SITE_INDEX_POSTS   100	  /* newest posts on the index */
#define SITE_FEED_POSTS	   50	  /* entries in an Atom feed */
#define SITE_ROBOTS	   "User-agent: *\nAllow: /\n"
#define SITE_CACHE_DEFAULT (64u << 20) /* cache_size: bytes per site */
#define SITE_IDLE_BUDGET   5000000     /* ns of indexing per site_idle call */
#define SITE_SEARCH_MAX	   (1u << 20)  /* bytes of a post's source searched */

/*
 * What change detection compares of a file's stat (util_same_file): not
 * the whole struct stat, 144 bytes a post (issue 16).
 */
struct file_stamp {
	uint64_t ino, dev;
	int64_t size;
	int64_t mtime_ns, ctime_ns;
};

struct post {
	/*
	 * "/CONTENT/REL": the file's address for access rules; relpath
	 * (content-relative, e.g. posts/look-back.md) and "/REL" are its
	 * tails, not copies (see site_post_addrs).
	 */
	char *src;
	const char *relpath;
	char *title;  /* meta.title itself when the front matter gives one */
	char ymd[11]; /* "" when undated */
	/* Flags, packed beside ymd (issue 16: bytes a post). */
	unsigned dated : 1;	/* date from front matter, file name or path */
	unsigned head_only : 1; /* md dropped: see md */
	unsigned more : 1;	/* the body holds <!--more--> */
	unsigned rendered : 1;	/* rendered once: its diags are logged */
	unsigned unpub : 1; /* not yet published, or expired (pm_published) */
	/*
	 * Its terms, taxonomy names, language and section strings are the
	 * site's shared copies (post_intern), not its own.
	 */
	unsigned interned : 1;
	int64_t date;
	struct pm_page pm; /* URL, section, bundle, language */
	struct post_meta meta;
	struct file_stamp st; /* at parse time, for change detection */
	/*
	 * The file, BOM stripped, LF line ends; in the server (head_only)
	 * NULL: the text is read again from the file when rendered
	 * (site_post_text), and only a hash of its front matter (its first
	 * body_off bytes) is kept, for same_listing.
	 */
	char *md;
	uint64_t head_hash;
	size_t body_off;
	int body_line;
	/*
	 * The rendered body, made on demand and kept in the site's cache
	 * (cnode) until evicted or until what it links to changes.
	 */
	char *body_gmi;
	struct lru_node cnode;
	/*
	 * Its body as classes that may not see some post it links to see
	 * it (those links as their text), kept and dropped with body_gmi.
	 */
	struct variant *var;
	size_t nvar;
	size_t xsize;  /* bytes of expanded Markdown, at the last rendering */
	char *summary; /* text before <!--more-->, when no description */
	size_t words;  /* of the last rendering, for reading time */
	struct diags diags;
	size_t parse_diags;  /* diags from parsing; rendering adds more */
	struct page *source; /* 20 text/markdown + the file, made when asked */
	struct post **links; /* the posts its cached body links to */
	size_t nlinks;
	/*
	 * What its last rendering looked up (content paths of Markdown
	 * links, site paths), found or not: a post appearing, vanishing or
	 * moving there drops the cached body.
	 */
	char **deps;
	size_t ndeps;
	struct render_job *job;	 /* its rendering queued or running */
	unsigned long scan_mark; /* the last scan that found its file */
};

struct variant {
	char *key; /* the class (access_class_key) */
	char *body;
};

/* A body the page being made needs rendered off the loop. */
struct render_need {
	struct post *p;
	int common; /* its body is not cached either */
};

/* A section as one audience sees it. */
struct section {
	char *url;	    /* "/posts/" */
	char *dir;	    /* content-relative, language folder dropped */
	const char *lang;   /* NULL: the default language */
	struct post *index; /* its _index.md, or NULL */
	long parent;	    /* index in the pageset's sections, -1: home */
	char *title;
	size_t npages; /* listed pages whose section (sec_of) it is */
};

/*
 * The listed pages that carry one term (spelt so) of one taxonomy in
 * one language, in listed order: its page and feed are made of them,
 * not of a walk of every listed page (issue 16).
 */
struct term_list {
	struct post **v;
	size_t n, cap;
};

/* What a generated page is made of: built when first asked for. */
enum gen_kind {
	G_POST,	   /* a listed page: arg is its place (place_of) */
	G_SECTION, /* arg: the section */
	G_SECFEED,
	G_HOME, /* arg: -1 the default language, else cfg.langs[arg] */
	G_HOMEFEED,
	G_ARCHIVE,
	G_TAXLIST, /* arg: cfg.taxonomies[arg] */
	G_TERM,	   /* arg and term */
	G_TERMFEED
};

struct gen {
	enum gen_kind kind;
	long arg;
	const char *term;   /* owned by the pageset's keys */
	struct page *built; /* the page, once generated (not G_POST) */
	size_t tl;	    /* G_TERM, G_TERMFEED: its term_list plus one */
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
 * each page is generated when first asked for and kept (gens), the
 * post pages in the bounded cache (slots).
 */
struct pageset {
	int built;
	struct class_job *job; /* being listed off the loop (sitepages.c) */
	char *key;	       /* access_class_key of the class */
	char *fp;	       /* its reader's fingerprint (NULL: the base) */
	int expired;	       /* and whether that certificate was */
	/*
	 * The per-listed-page arrays (listed to gen_of and slots, older,
	 * newer, nav) each have lhead unused entries before their first
	 * page, lcap entries allocated in all (sitepages.c: lists_room).
	 */
	struct post **listed; /* pages, newest first, undated last */
	size_t nlisted, lhead, lcap;
	long *sec_of;	     /* per listed page: its section, or -1 */
	uint32_t *gen_of;    /* per listed page: its G_POST gen, or -1 */
	struct slot **slots; /* per listed page, made when asked */
	struct section *secs;
	size_t nsecs, csecs;
	struct strmap secdirs; /* LANG NUL DIR -> section index plus one */
	struct gen *gens;      /* what each generated path is made of */
	size_t ngens, cgens;
	struct strmap genmap; /* path -> gens index plus one */
	/*
	 * Indexes in gens of the pages made (built), so that dropping them
	 * costs what was made, not every path (issue 16); may hold stale
	 * or repeated ones: look at gens[i].built.
	 */
	size_t *live;
	size_t nlive, clive;
	struct strmap bundles; /* page URL -> struct post with files */
	char **keys;	       /* owned keys of the maps above */
	size_t nkeys, ckeys;
	size_t ntags;
	int term_variants; /* a term slug spelt two ways */
	const char *best;  /* the busiest section (home page's) */
	/*
	 * Per section name: its dated default-language pages, what
	 * busiest_section compares, kept as pages come and go.
	 */
	struct strmap busy; /* section -> index in bcount plus one */
	size_t *bcount;
	const char **bname; /* owned by keys */
	size_t nbusy, cbusy;
	size_t nfeatured; /* listed pages featured (the home page's top) */
	struct term_list *tlists;
	size_t ntlists, ctlists;
	long *older,
	    *newer;	    /* per listed page: its neighbours' places, or -1 */
	unsigned char *nav; /* per listed page: Previous/Next, not by date */
	size_t narchive;    /* pages the archive lists */
};

struct alias {
	char *path;	       /* decoded URL path, e.g. /old/look-back/ */
	struct page *redirect; /* 31 to the page */
	struct post *post;
};

/* A lookup key held by n > 1 posts (site's shared): KIND BYTE, KEY. */
struct shared_key {
	size_t n;
	size_t len;
	char key[];
};

/* A file that failed to load, not retried until it changes. */
struct failed {
	char *relpath;
	struct stat st;
};

struct site {
	char *root;
	char *croot; /* the content folder's path, for messages */
	int rootfd;
	const struct access *access; /* NULL: everyone sees everything */
	int contentfd; /* the content folder (rootfd for a bare one) */
	struct sitecfg cfg;
	char *title; /* the capsule's title */
	char *lang;
	char *base_url;
	struct gemtext_opts render;
	struct post **posts; /* every Markdown file, sorted newest first */
	size_t nposts;
	size_t posts_head,
	    posts_cap;		  /* room around posts (site.c: posts_open) */
	struct post *intro;	  /* the home _index.md (index.md), or NULL */
	struct pageset base;	  /* as a client without certificate sees it */
	struct pageset **classes; /* other classes, built when asked */
	size_t nclasses;
	struct strmap classmap; /* class key -> struct pageset */
	unsigned char *covered; /* per protect rule: covers some post */
	size_t *ncover;		/* per protect rule: the posts it covers */
	/*
	 * The posts a reader may see otherwise than one without a
	 * certificate (a protect rule covers them, or they are drafts or
	 * unpublished): relpath -> post. A class is the base with these
	 * taken in or out (class_from_base).
	 */
	struct strmap gated;
	int class_afresh; /* tests: every class listed from the posts */
	int any_drafts;
	struct failed *failed;
	size_t nfailed;
	struct strmap failedmap; /* relpath -> failed index plus one */
	/*
	 * path -> struct alias, which the map owns (the first post in
	 * order to claim a path keeps it); alias_clash: two claimed one.
	 */
	struct strmap aliasmap;
	int alias_clash;
	struct strmap by_relpath, by_url, by_bundle; /* -> struct post */
	struct strmap by_legacy; /* 0.1 slug -> struct post */
	struct page *robots;
	int logging;		 /* log diagnostics (the server) */
	int standalone;		 /* convert: no other posts to link to */
	int drop_text;		 /* the server: posts keep their head only */
	int own_robots;		 /* the capsule has its robots.txt */
	struct lru cache;	 /* rendered bodies and composed post pages */
	struct search *search;	 /* the posts' full-text index, or NULL */
	size_t index_next;	 /* search: the next post to look at */
	int index_pending;	 /* search: posts not indexed yet */
	int index_wanted;	 /* search: asked for once, so kept built */
	int index_waiters;	 /* search: requests parked until it is */
	unsigned long scan_mark; /* scans so far */
	/* Rendering off the loop (site_set_renderq); rq NULL: inline. */
	struct renderq *rq;
	void (*rendered)(void *, const void *);
	void *rendered_arg;
	int write_changed; /* what the last deferred write returned */
	/*
	 * While a request makes a page (site_route with rq): bodies past
	 * budget are not rendered but noted in need, then queued.
	 */
	int defer;
	size_t budget;
	struct render_need *need;
	size_t nneed, cneed;
	unsigned long job_seq;
	struct strmap by_base; /* a page's base name -> struct post (ref) */
	/*
	 * The keys of by_url, by_legacy and by_base that more than one
	 * post holds (struct shared_key), so that a post going away looks
	 * for the next holder only when there is one (issue 16: a walk of
	 * every post for each of its keys).
	 */
	struct strmap shared;
	int64_t next_change; /* when a page is next published or expires */
	/*
	 * Pages published to everyone, and drafts, for the log: counted
	 * where publication is (site_publication), not per update; an
	 * edit in place changes neither.
	 */
	size_t npages, ndrafts;
	size_t nhidden; /* posts of any kind drafts or unpublished */
	/*
	 * One copy of each string many posts repeat (terms, taxonomy
	 * names, sections, folders, languages), kept until site_free: at
	 * 100,000 posts, 300 tags held 100,000 times (issue 16).
	 */
	struct strmap interned;
	/*
	 * Every folder (content-relative) that held a post, and its parents
	 * (interned keys): a path that vanished and is none of them held no
	 * post, and is not looked for among every post.
	 */
	struct strmap folders;
	/*
	 * Folder (content-relative) -> struct postdir (site.c): the posts
	 * directly in it and how many are below it, kept as posts come and
	 * go, so that the posts of a folder gone or rescanned are found
	 * without a walk of every post.
	 */
	struct strmap postdirs;
	char **istrs;
	size_t nistrs, cistrs;
};

/*
 * One post's rendering, as post_render_body makes it off the model: the
 * caller stores it (post_store_render) on the loop thread.
 */
struct render_out {
	char *body;
	size_t words;
	size_t xsize;	     /* bytes of expanded Markdown */
	struct post **links; /* the posts it links to */
	size_t nlinks, caplinks;
	char **deps; /* what it looked up: see struct post */
	size_t ndeps, cdeps;
	struct diags diags;
};

/* --- site.c ---------------------------------------------------------- */

char *site_read_all(int dirfd, const char *rel, struct stat *st, size_t *len);
/*
 * p's whole text as site_post_parse had it: p->md itself, or read again
 * from its file (*owned set, to free) with the body found afresh. NULL
 * when the file cannot be read any more (its update is on the way).
 */
const char *site_post_text(const struct site *s, const struct post *p,
    char **owned, size_t *body_off, int *body_line);
size_t site_normalise(char *s, size_t len);
void site_strs_free(char **v, size_t n);
void site_drop_body(struct lru *cache, struct post *p);
void site_post_free(struct lru *cache, struct post *p);
struct post *site_post_parse(const struct sitecfg *cfg, const char *relpath,
    char *md, size_t len, const struct stat *st);
/* p's stamp of st; 1 when st is the file p was read from. */
void site_stamp(struct file_stamp *fs, const struct stat *st);
int site_same_stamp(const struct file_stamp *fs, const struct stat *st);
/*
 * Where access rules look for p: its file, its page URL, its source
 * URL, its 0.1 URL and its aliases; made when asked, not kept in p.
 */
struct post_addrs {
	const char **v;
	size_t n;
	char **owned;
	size_t nowned;
};
void site_post_addrs(const struct sitecfg *cfg, const struct post *p,
    struct post_addrs *a);
void site_post_addrs_free(struct post_addrs *a);
/* The one visibility rule (access_source) applied to a post. */
int site_post_status(const struct site *s, const struct viewer *v,
    const struct post *p);
/* The plain text of p that search indexes, from its source. */
void site_search_text(const struct site *s, const struct post *p,
    struct buf *out);
struct post *site_find_post(const struct site *s, const char *rel);
/* Same language: both NULL (the default) or equal codes. */
int site_same_lang(const char *a, const char *b);
/* A page its front matter says not to render (no page, no URL). */
int site_not_rendered(const struct post *p);
/*
 * Where a page is listed: everywhere (home, archive, feeds, its section
 * and its terms), in its section and terms only (Hugo build.list
 * "local"), or nowhere (build.list "never", headless) though served.
 */
int site_listed_globally(const struct post *p);
int site_listed_locally(const struct post *p);
int site_is_markdown(const char *name);
/* Logs p's diagnostics from the from-th on. */
void site_log_diags(const struct site *s, const struct post *p, size_t from);
struct site *site_alloc(const char *root, int rootfd,
    const struct site_opts *o);
void site_config(struct site *s);
int site_sync(struct site *s, int index_now);

/* --- siterender.c ---------------------------------------------------- */

/* The 1-based line of the first occurrence of needle in md, or 0. */
int site_line_of(const char *md, const char *needle, size_t n);
/* p's body, rendered now (and cached) when it is not in the cache. */
const char *site_post_body(struct site *s, struct post *p);
/*
 * p's body as v, of the class key, sees it (links to posts v may not see
 * as their text), rendered now unless cached. During a request with
 * s->defer, a rendering past the request's budget is noted in s->need
 * instead and "" returned: the page made is then thrown away.
 */
const char *site_body_as(struct site *s, const char *key,
    const struct viewer *v, struct post *p);
void site_post_summary(const struct site *s, struct post *p);
void site_render_out_free(struct render_out *out);
/*
 * Queues the renderings in s->need, one job a post (a post already
 * queued is not queued twice), and empties it; returns the key its
 * waiters park on: woken once every one of them is stored.
 */
const void *site_render_need(struct site *s, const struct viewer *v,
    const char *key);
/* p is going away: its queued job, if any, renders nothing. */
void site_render_forget(struct post *p);

/* --- sitepages.c ----------------------------------------------------- */

void site_page_post(const struct post *p, struct page_post *pp);
/* What a post is ordered by (pagemodel's pm_order_cmp). */
void site_post_key(const struct post *p, struct pm_key *k);
/*
 * Sorts indices into v (listed pages) in order o, as qsort_r comparing
 * the pages' keys would, each key made once rather than twice a
 * comparison (a section of 20,000 pages made 560,000 of them).
 */
void site_sort_listing(struct post *const *v, size_t *idx, size_t n,
    enum pm_order o);
void site_text_meta(const char *lang, struct buf *meta);
void site_pageset_build(struct site *s, struct pageset *set,
    const struct viewer *v);
void site_pageset_free(struct site *s, struct pageset *ps);
/*
 * The indexed pages' visibility flags (SEARCH_PLAIN) worked out again:
 * after the pages were listed afresh, when which rules cover a page, its
 * section's searching or its publication may have changed.
 */
void site_search_reflag(struct site *s);
struct pageset *site_pageset_for(struct site *s, const struct viewer *v,
    const void **wait);
/* The page at path for set's class (v one of it), made when first asked. */
struct page *site_route_get(struct site *s, struct pageset *set,
    const struct viewer *v, const char *path, size_t n);
int site_route_has(const struct pageset *set, const char *path, size_t n);
/* The first page set lists whose 0.1 slug is slug[0..n), or NULL. */
struct post *site_pageset_legacy(const struct site *s,
    const struct pageset *set, const char *slug, size_t n);
/* site_tick on the loop thread with the render thread idle (site.c). */
int site_tick_now(struct site *s);
void site_build_pages(struct site *s);
/*
 * p was edited in place, its listing unchanged (same front matter, title
 * and summary): drops its composed pages and the feeds (whose summaries
 * may come from its body) in every class; everything else stands.
 */
void site_pages_body_changed(struct site *s, const struct post *p);
void site_pages_free(struct site *s);
void site_pages_reserve(struct site *s);
size_t site_pages_unshare(struct site *s);
int site_pages_can_relist(struct site *s, const struct post *old,
    const struct post *p);
void site_pages_relist(struct site *s, struct post *p, const struct post *was);
/* Posts added to and removed from s->posts: the pages follow. */
void site_pages_change(struct site *s, struct post **added, size_t nadded,
    struct post **removed, size_t nremoved);
/*
 * "/tags/TERM/" plus tail, a decoded path, under prefix ("/fr" or ""):
 * the term as the generator writes it in URLs (urlize, slugify); malloc'd.
 */
char *site_term_path(const struct site *s, const char *prefix, const char *tax,
    const char *term, const char *tail);

#endif
