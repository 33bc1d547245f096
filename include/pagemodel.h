/*
 * pagemodel: where a content file lives in the capsule, as the site's
 * own generator (Hugo, Zola, or a bare folder's defaults) places it: its
 * URL, section, slug, language, bundle folder and the date its name or
 * path carries. Also the joining of relative links. Pure: no I/O.
 */
#ifndef CAPSULED_PAGEMODEL_H
#define CAPSULED_PAGEMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "sitecfg.h"

struct post_meta;

enum pm_kind {
	PM_PAGE,    /* a page: its own URL */
	PM_SECTION, /* a section's _index.md: the section's URL */
	PM_HOME,    /* the home _index.md (or a bare folder's index.md) */
};

struct pm_page {
	enum pm_kind kind;
	char *url;     /* decoded path: "/posts/trip/", "/fr/posts/x/" */
	char *dir;     /* content-relative folder holding the page (a bundle's
			   parent; a section's own), language folder dropped */
	char *section; /* first folder ("posts"), "" at the top */
	char *bundle;  /* folder of files published beside it, or NULL */
	char *lang;    /* language code, NULL for the default language */
	char *legacy;  /* 0.1 slug: /posts/LEGACY.gmi */
	int has_date;  /* a date in the file or bundle name, or the path */
	int64_t date;
	char ymd[11];
};

/*
 * Places the content file rel (relative to the content folder, e.g.
 * "posts/trip/index.md") with its front matter m (NULL: none). Title is
 * the page's title, for :title and :slug patterns. Returns 0, or -1
 * when rel is not a Markdown file. Free with pm_page_free.
 */
int pm_place(const struct sitecfg *c, const char *rel,
    const struct post_meta *m, const char *title, struct pm_page *out);
void pm_page_free(struct pm_page *p);

/*
 * The URL of the section whose files are in content-relative folder dir
 * (with lang, NULL for the default): "/posts/sub/". malloc'd.
 */
char *pm_section_url(const struct sitecfg *c, const char *dir,
    const char *lang);

/*
 * The length of the extension of a Markdown file's name s[0..n) (".md"
 * 3, ".markdown" 9), or 0 when it names none: the one rule for which
 * content files are pages.
 */
size_t pm_md_ext(const char *s, size_t n);

/* Hugo's urlize (lowercased) and Zola's slugify, malloc'd. */
char *pm_urlize(const char *s, size_t n);
char *pm_slugify(const char *s, size_t n);

/*
 * Joins a link written in the file at rel (content-relative, e.g.
 * "posts/a.md") to a content-relative path, resolving "." and "..";
 * dest starting with '/' is taken from the top. Never climbs above
 * the top. malloc'd.
 */
char *pm_join(const char *rel, const char *dest, size_t n);

/*
 * The orders pages are listed in. PM_ORDER_NEWEST: dated pages newest
 * first, then undated ones by title (home, archive, feeds, taxonomies).
 * PM_ORDER_HUGO: Hugo's default (weight, lightest first, unweighted
 * last; then date, newest first; then title; then path). The others are
 * Zola's sort_by: date (newest first), update_date (the later of date
 * and updated, newest first), title (natural order, case ignored),
 * title_bytes, weight (lightest first), slug (natural order); pages
 * without the key sort after the others. Ties: by URL.
 */
enum pm_order {
	PM_ORDER_NEWEST,
	PM_ORDER_HUGO,
	PM_ORDER_DATE,
	PM_ORDER_UPDATE,
	PM_ORDER_TITLE,
	PM_ORDER_TITLE_BYTES,
	PM_ORDER_WEIGHT,
	PM_ORDER_SLUG
};

/* What ordering looks at. Strings are not owned. */
struct pm_key {
	const char *title;
	const char *url;  /* the page's URL: Zola's tie-break */
	const char *path; /* content-relative source: Hugo's */
	const char *slug; /* last URL segment, for PM_ORDER_SLUG */
	int dated;
	int64_t date;
	int has_updated;
	int64_t updated;
	int has_weight;
	long long weight;
};

/* <0, 0, >0 as a comes before, with, after b in order o. */
int pm_order_cmp(enum pm_order o, const struct pm_key *a,
    const struct pm_key *b);
/* Natural order, ASCII case ignored, digit runs by value ("a2" < "a10"). */
int pm_natural_cmp(const char *a, const char *b);

/*
 * Whether a page is published at time now (UTC seconds): 1, or 0 when
 * its publish date (Hugo: publishDate, pubdate, published, else its
 * date, as Hugo defaults it) is still to come or its expiry date
 * (expiryDate, unpublishdate) has passed. Zola and bare folders go by
 * publishDate and expiryDate only when given. *next (when not NULL) is
 * lowered to the next instant after now when the answer changes.
 * Drafts and build options are not time and are not looked at here.
 */
int pm_published(const struct sitecfg *c, const struct post_meta *m, int dated,
    int64_t date, int64_t now, int64_t *next);

/* 1 when s starts with YYYY-MM-DD that parses; fills t and ymd. */
int pm_date_prefix(const char *s, int64_t *t, char ymd[11]);

#endif
