/*
 * pages: the generated gemtext pages of a capsule (index, tag list, tag
 * pages, archive, post page frame). Pure: no I/O; the site module hands
 * in sorted post summaries.
 */
#ifndef CAPSULED_PAGES_H
#define CAPSULED_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "frontmatter.h"

struct page_link;

/* What the pages know of one post. Strings are not owned. */
struct page_post {
	const char *slug; /* URL is /posts/SLUG.gmi */
	const char *title;
	const char *ymd;	 /* "YYYY-MM-DD"; NULL or "" when undated */
	int64_t date;		 /* UTC seconds, for sorting and feeds */
	int64_t updated;	 /* 0 when unknown */
	const char *description; /* NULL when none */
	const char *const *tags;
	size_t ntags;
	int featured;
	int has_rating;
	double rating;	      /* 0..5 */
	size_t words;	      /* body words, for reading time */
	const char *body_gmi; /* rendered body, for feed summaries; may be NULL */
	const struct meta_fact *facts; /* review facts for the date line */
	size_t nfacts;
	const char *url; /* decoded path, "/posts/trip/"; NULL: /posts/SLUG/ */
	/* Its terms of taxonomies other than tags ("Series: Winter"). */
	const struct page_link *terms;
	size_t nterms;
};

/* A link to a generated page: a section, a language. */
struct page_link {
	const char *url; /* decoded path */
	const char *title;
};

/* The capsule as a whole. */
struct page_site {
	const char *title;     /* "# Title" of the index */
	const char *subtitle;  /* NULL when none */
	const char *intro_gmi; /* gemtext of capsule/index.md's body, or NULL */
	const char
	    *base_url; /* "gemini://host" or "gemini://host:port", no slash */
	const char *author;		  /* NULL when none */
	size_t index_limit;		  /* feed lines on the index; 0: all */
	int search;			  /* link to /search from the lists */
	const struct page_link *sections; /* listed on the index */
	size_t nsections;
	const char *taxonomy; /* URL name of the tag pages; NULL: "tags" */
	/* The taxonomies' list pages; none: a link to /tags/. */
	const struct page_link *taxonomies;
	size_t ntaxonomies;
	size_t archive_count; /* pages the archive lists; 0: the index's */
	int in_order;  /* a section's own order: one list, dated or not */
	int nav_order; /* neighbours are Previous/Next, not Newer/Older */
	/* A term's URL segment (malloc'd); NULL: the term as written. */
	char *(*term_slug)(const char *term, size_t n);
	const char *tax_prefix; /* before /TAXONOMY/: "/fr"; NULL: none */
};

/* posts are sorted newest first by the caller. Each appends to out. */
void pages_index(const struct page_site *s, const struct page_post *posts,
    size_t n, struct buf *out);
/*
 * A section: its title, its _index.md text, its pages (dated newest
 * first, then undated ones under their own heading), its subsections
 * and its feed (feed_url, or NULL).
 */
void pages_section(const struct page_site *s, const char *title,
    const char *intro_gmi, const struct page_post *posts, size_t n,
    const struct page_link *subs, size_t nsubs, const char *feed_url,
    struct buf *out);
/* Every post, newest first, in the feed shape: the archive. */
void pages_archive(const struct page_site *s, const struct page_post *posts,
    size_t n, struct buf *out);
void pages_tags(const struct page_site *s, const struct page_post *posts,
    size_t n, struct buf *out);
/* Only the posts carrying tag are listed; same feed shape as the index. */
void pages_tag(const struct page_site *s, const char *tag,
    const struct page_post *posts, size_t n, struct buf *out);
/* A post page around its rendered body; older/newer may be NULL. */
void pages_post(const struct page_site *s, const struct page_post *p,
    const char *body_gmi, const struct page_post *older,
    const struct page_post *newer, struct buf *out);
/* "★★★★½" for a 0..5 rating, to the nearest half star. */
void pages_stars(double rating, struct buf *out);
/* 1 when p has a date (ymd set): only dated posts are feed entries. */
int pages_dated(const struct page_post *p);
/* 1 when p carries tag. */
int pages_has_tag(const struct page_post *p, const char *tag);
/* Percent-encodes a tag for /tags/TAG/; malloc'd, caller frees. */
char *pages_tag_path(const char *tag);

#endif
