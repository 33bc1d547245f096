/*
 * frontmatter: the metadata block at byte 0 of a post, `+++` TOML or
 * `---` YAML (through libyaml), into one struct post_meta. Dates are
 * read by date.h. Pure: no I/O.
 */
#ifndef CAPSULED_FRONTMATTER_H
#define CAPSULED_FRONTMATTER_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum fm_kind { FM_NONE, FM_TOML, FM_YAML };

#define FM_MAX_FACTS	  8  /* review facts kept per post */
#define FM_MAX_TAXONOMIES 16 /* term lists kept per post */

/* One taxonomy's terms on a page: Hugo `series = [...]`, Zola [taxonomies]. */
struct meta_terms {
	char *taxonomy; /* the key as written ("series") */
	char **terms;
	size_t n;
};

/* Zola's sort_by of a section (_index.md); Hugo has none. */
enum fm_sort {
	FM_SORT_UNSET,
	FM_SORT_NONE,
	FM_SORT_DATE,
	FM_SORT_UPDATE,
	FM_SORT_TITLE,
	FM_SORT_TITLE_BYTES,
	FM_SORT_WEIGHT,
	FM_SORT_SLUG
};

/* A fact about what a review is of ("Director", "Year"), for its date line. */
struct meta_fact {
	const char *label; /* static */
	char *value;
};

struct post_meta {
	enum fm_kind kind;
	char *title;
	char *slug;
	char *url;	   /* `url` or `path`: explicit URL path */
	char *description; /* `description`, else `summary` */
	char *lang;
	char *short_title; /* [extra]/[params] short_title */
	char **tags;	   /* Hugo top-level tags, Zola [taxonomies] */
	size_t ntags;
	char **categories;
	size_t ncategories;
	char **aliases;
	size_t naliases;
	int has_date;
	int64_t date;	   /* seconds since the epoch, UTC */
	char date_ymd[11]; /* YYYY-MM-DD as written (local date) */
	int has_updated;
	int64_t updated; /* `lastmod` / `updated` */
	int draft;	 /* `draft` (Hugo and Zola) */
	int has_publish;
	int64_t publish; /* publishDate, pubdate, published */
	int has_expiry;
	int64_t expiry; /* expiryDate, unpublishdate */
	int no_render;	/* build.render never/link/false, Zola render = false */
	int no_list;	/* build.list never/false */
	int headless;	/* Hugo: a leaf bundle with no page, unlisted */
	int list_local; /* build.list local: its section lists it only */
	int no_search;	/* Zola section in_search_index = false */
	int has_weight;
	long long weight;	  /* `weight` (Hugo and Zola ordering) */
	enum fm_sort sort_by;	  /* Zola section sort_by */
	struct meta_terms *terms; /* every taxonomy list, tags included */
	size_t nterms;
	int transparent; /* Zola section: its pages list in the parent */
	int featured;	 /* [extra]/[params] featured */
	int has_rating;
	double rating; /* [extra]/[params] rating, stars or score, 0..5 */
	struct meta_fact *facts; /* book_author, director, year... (at most
				    FM_MAX_FACTS) */
	size_t nfacts;
};

/*
 * Parses the front matter at the start of text, which may follow a UTF-8
 * BOM and blank lines (as Hugo and Zola allow). *body_off receives the offset of the first body byte and
 * *body_line the 1-based line it is on. A block that opens but does not
 * parse, or never closes, is still consumed (never shown as body text)
 * and reported in d with its line. Returns 0, or -1 when d got an error.
 * meta is always initialised; free with post_meta_free.
 */
int frontmatter_parse(const char *text, size_t len, struct post_meta *meta,
    size_t *body_off, int *body_line, struct diags *d);
void post_meta_free(struct post_meta *meta);
/* Where the body starts, as frontmatter_parse finds it (no parsing). */
void frontmatter_body(const char *text, size_t len, size_t *body_off,
    int *body_line);

struct toml_value;
/*
 * YAML text (a front matter block or a whole config file) into the same
 * tree toml_parse builds. Returns 0 with the root (NULL when empty) in
 * *out, or -1 after adding an error with its line to d.
 */
int frontmatter_yaml_tree(const char *text, size_t len, struct toml_value **out,
    struct diags *d);
/*
 * Its two paths apart, for tests: the fast one for simple blocks (1 with
 * the tree in *out when it took the text, 0 when libyaml must) and
 * libyaml's, which take the same text to the same tree.
 */
int frontmatter_yaml_simple(const char *text, size_t len,
    struct toml_value **out);
int frontmatter_yaml_libyaml(const char *text, size_t len,
    struct toml_value **out, struct diags *d);

#endif
