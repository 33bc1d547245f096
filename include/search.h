/*
 * search: full-text search of a capsule's posts, in memory. Pure: no
 * I/O. A tokenizer that folds case and accents (Latin, Greek, Cyrillic)
 * and indexes CJK text by character bigrams (plus single characters);
 * one positional inverted index of bit-coded postings (slot gaps, tf
 * and positions; phrases are checked exactly by their positions),
 * updated one document at a time; a query language (words, "phrases", -excluded,
 * tag:, rating: in half stars, year:, lang:); BM25 ranking with title
 * hits first and a bonus for terms near each other; and the text/gemini
 * result page with the matching sentence of each hit.
 */
#ifndef CAPSULED_SEARCH_H
#define CAPSULED_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define SEARCH_PAGE_SIZE  20  /* results per page */
#define SEARCH_MAX_QUERY  512 /* bytes of a decoded query */
#define SEARCH_MAX_ITEMS  12  /* words, phrases and filters in a query */
#define SEARCH_MAX_TOKENS 32  /* index terms one query looks up */
#define SEARCH_MAX_SCAN	  (32u << 20) /* postings bytes one query may read */
#define SEARCH_TOKEN_MAX  64 /* bytes of one folded term; longer are cut */

/* What the index is told about one post. Strings are copied. */
struct search_doc {
	const char *url; /* link target, already percent-encoded */
	const char *title;
	const char *ymd; /* "YYYY-MM-DD", or NULL when undated */
	int64_t date;	 /* UTC seconds, newer first on ties */
	const char *const *tags;
	size_t ntags;
	int has_rating;
	double rating;
	const char *lang; /* e.g. "ja", or NULL */
	const char *text; /* the body as plain text, one line a paragraph */
	unsigned flags; /* the caller's bits, handed to the visibility check */
};

#define SEARCH_DRAFT 1u /* a flag the site sets on drafts */
/*
 * Set by the site on a document every client may see, as long as it
 * holds (search_set_flags): no visibility check is asked for it. At
 * 100,000 posts the check of every match of a common word, each a path
 * unescaped and looked up, was 84 % of a 100-120 ms search.
 */
#define SEARCH_PLAIN 2u

/*
 * Which documents a client may see: 1 to show. url and flags are the
 * document's. NULL means every document is visible.
 */
typedef int (*search_visible_fn)(void *arg, const char *url, unsigned flags);

struct search;

struct search *search_new(void);
void search_free(struct search *ix);

/*
 * The text of the document under key, for its snippet: appended to out
 * as it was given in search_doc.text. Returns 0, or -1 when there is
 * none (no snippet then).
 */
typedef int (*search_text_fn)(void *arg, const char *key, struct buf *out);
/*
 * Snippets ask fn for the text of the documents on the page shown, and
 * the index keeps no copy of any text (by default it keeps one).
 */
void search_set_text_source(struct search *ix, search_text_fn fn, void *arg);
/* Adds the document under key, replacing one already there. */
void search_put(struct search *ix, const char *key, const struct search_doc *d);
/* Removes the document under key; returns 1 when there was one. */
int search_remove(struct search *ix, const char *key);
/* 1 when a document is indexed under key. */
int search_has(const struct search *ix, const char *key);
/*
 * Room for n documents in all, made at once before a build: grown a
 * document at a time, the arrays and the key map were copied and
 * rehashed on the way, each a stall of 10-60 ms at 100,000 posts (in a
 * VM, mostly page faults).
 */
void search_reserve(struct search *ix, size_t n);
/* The flags of the document under key, when there is one. */
void search_set_flags(struct search *ix, const char *key, unsigned flags);
/*
 * Gives back the room kept for growth (after a build): the next update
 * of a term grows it again.
 */
void search_trim(struct search *ix);
/*
 * search_trim, but a long list keeps the room its length gives it: what
 * a server holds after its build, so that the first edits do not grow
 * every common word's list again (at 100,000 posts that cost 46-58 ms).
 */
void search_pack(struct search *ix);

/* Reads every posting (for the benchmark and the tests): O(index). */
struct search_stats {
	size_t docs;	 /* live documents */
	size_t terms;	 /* distinct terms */
	size_t postings; /* bytes of postings and positions (allocated) */
	size_t dict;	 /* bytes of the term dictionary and term table */
	size_t store;	 /* bytes of the stored documents (text, metadata) */
	size_t skips;	 /* of postings: bytes of the skip entries */
	size_t doc_bits; /* bits of the postings' slot gaps and tfs */
	size_t pos_bits; /* bits of the postings' positions */
};
void search_get_stats(const struct search *ix, struct search_stats *st);

/* One result of a query. Pointers are valid until the index changes. */
struct search_hit {
	const char *url, *title, *ymd;
	char *snippet; /* the matching sentence, hits in « », or NULL */
};

struct search_result {
	size_t total; /* matches, over all pages */
	size_t page;  /* 1-based, as asked */
	struct search_hit *hits;
	size_t nhits;
	const char *error; /* set when the query is refused: for the reader */
};

/*
 * Runs the (decoded) query q and fills r with page `page` (1-based).
 * Returns 0, or -1 with r->error set for a query that is refused (too
 * long, too many terms, too costly, nothing to search for).
 */
int search_query(const struct search *ix, const char *q, size_t len,
    size_t page, search_visible_fn visible, void *arg, struct search_result *r);
void search_result_free(struct search_result *r);

/*
 * The text/gemini page for a raw (percent-encoded) query string; base
 * is the search URL path ("/search"): page N>1 links as BASE/N?QUERY.
 * Returns 0, or -1 when the query could not be decoded (the page then
 * says why).
 */
int search_page(const struct search *ix, const char *rawq, size_t page,
    const char *base, search_visible_fn visible, void *arg, struct buf *out);

/*
 * The query as the parser understood it, one item a line, e.g.
 * `+word`, `-"a phrase"`, `tag:anime`, `rating:>=4`. Returns 0, or -1
 * with *err set. For the tests and the fuzzer.
 */
int search_parse_describe(const char *q, size_t len, struct buf *out,
    const char **err);

/*
 * The tokenizer: calls fn for each folded term of s with its position
 * (counting from pos) and its byte span in s. Returns the next position.
 */
typedef void (*search_token_fn)(void *arg, const char *tok, size_t n,
    uint32_t pos, size_t start, size_t end);
uint32_t search_tokenize(const char *s, size_t len, uint32_t pos,
    search_token_fn fn, void *arg);

/* s folded as terms are (lowercase, no accents); malloc'd. */
char *search_fold(const char *s);

/* Plain text of gemtext, for indexing: link labels, headings, lines. */
void search_plain(const char *gmi, struct buf *out);

/*
 * Plain text of Markdown (shortcodes already expanded), for indexing
 * without rendering: the words a reader sees (link and image labels, not
 * destinations; code; no marks, tags or footnote references), one line a
 * paragraph, a hard-wrapped paragraph joined as the renderer joins it.
 * Linear in len.
 */
void search_markdown(const char *md, size_t len, struct buf *out);

/* Decodes %XX escapes ('+' stays a plus); -1 on a bad escape. */
int search_unescape(const char *s, struct buf *out);

#endif
