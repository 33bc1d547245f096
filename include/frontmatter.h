/*
 * frontmatter: the metadata block at byte 0 of a post, `+++` TOML or
 * `---` YAML (through libyaml), into one struct post_meta. Also the date
 * parser every date spelling goes through. Pure: no I/O.
 */
#ifndef CAPSULED_FRONTMATTER_H
#define CAPSULED_FRONTMATTER_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum fm_kind { FM_NONE, FM_TOML, FM_YAML };

#define FM_MAX_FACTS	8	/* review facts kept per post */

/* A fact about what a review is of ("Director", "Year"), for its date line. */
struct meta_fact {
	const char *label;	/* static */
	char *value;
};

struct post_meta {
	enum fm_kind kind;
	char *title;
	char *slug;
	char *url;		/* `url` or `path`: explicit URL path */
	char *description;	/* `description`, else `summary` */
	char *lang;
	char *short_title;	/* [extra]/[params] short_title */
	char **tags;		/* Hugo top-level tags, Zola [taxonomies] */
	size_t ntags;
	char **categories;
	size_t ncategories;
	char **aliases;
	size_t naliases;
	int has_date;
	int64_t date;		/* seconds since the epoch, UTC */
	char date_ymd[11];	/* YYYY-MM-DD as written (local date) */
	int has_updated;
	int64_t updated;	/* `lastmod` / `updated` */
	int draft;
	int featured;		/* [extra]/[params] featured */
	int has_rating;
	double rating;		/* [extra]/[params] rating, stars or score, 0..5 */
	struct meta_fact facts[FM_MAX_FACTS];	/* book_author, director, year... */
	size_t nfacts;
};

/*
 * Parses the front matter at the start of text (after any BOM, which the
 * caller strips). *body_off receives the offset of the first body byte and
 * *body_line the 1-based line it is on. A block that opens but does not
 * parse, or never closes, is still consumed (never shown as body text)
 * and reported in d with its line. Returns 0, or -1 when d got an error.
 * meta is always initialised; free with post_meta_free.
 */
int frontmatter_parse(const char *text, size_t len, struct post_meta *meta,
    size_t *body_off, int *body_line, struct diags *d);
void post_meta_free(struct post_meta *meta);

/*
 * Parses a date as front matter writes it: 2025-01-19, 2025-01-19T10:00:00,
 * with Z or +09:00, 2025-01-19 10:00, fractional seconds. A missing offset
 * means UTC. Returns 0 and fills *t (UTC seconds) and ymd (the written
 * calendar date, 11 bytes), or -1.
 */
int frontmatter_parse_date(const char *s, int64_t *t, char ymd[11]);

#endif
