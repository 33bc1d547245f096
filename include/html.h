/*
 * html: the raw HTML that Markdown may carry, read as a stream of text,
 * white space and tags; entities decoded; comments, <!...>, <?...?> and
 * the content of <script> and <style> skipped. It reads what converting
 * to plain text needs, not a DOM: no nesting, no error recovery beyond
 * "an unclosed tag is text". Pure: no I/O, no allocation but the
 * caller's buffers.
 */
#ifndef CAPSULED_HTML_H
#define CAPSULED_HTML_H

#include <stddef.h>

#include "buf.h"

#define HTML_ENTITY_MAX 4 /* bytes of a decoded entity, at most */

enum html_kind {
	HTML_TEXT,  /* text, or one decoded entity */
	HTML_SPACE, /* a run of white space */
	HTML_TAG,   /* <name attrs> or </name attrs> */
};

struct html_token {
	enum html_kind kind;
	const char *s; /* TEXT: the bytes; TAG: the name */
	size_t n;
	int closing;	   /* TAG: </name> */
	const char *attrs; /* TAG: the text between name and '>' */
	size_t nattrs;
};

struct html_lexer {
	const char *s;
	size_t len, pos;
	char ent[HTML_ENTITY_MAX]; /* a decoded entity */
};

void html_lexer_init(struct html_lexer *lx, const char *s, size_t len);
/*
 * The next token, which points into the input (or into lx for an
 * entity) until the next call; 0 at the end of the input.
 */
int html_next(struct html_lexer *lx, struct html_token *t);

/* Is the tag name s[0..n) name, case-insensitively? */
int html_tag_is(const char *s, size_t n, const char *name);
/* Is the tag name s[0..n) in the NULL-terminated list? */
int html_tag_in(const char *s, size_t n, const char *const *list);
/*
 * Finds attribute name in a tag's attribute text a[0..n); sets val to
 * its value with entities decoded (empty without one) and returns 1,
 * or returns 0.
 */
int html_attr(const char *a, size_t n, const char *name, struct buf *val);
/*
 * Decodes the entity at s (s[0] == '&', n bytes available) into out
 * (HTML_ENTITY_MAX bytes of room) and *outlen; returns the bytes it
 * took, 0 when s holds no entity. Named entities: the common few;
 * numeric: any, with U+0000, surrogates and values past U+10FFFF read
 * as U+FFFD.
 */
size_t html_entity(const char *s, size_t n, char *out, size_t *outlen);
/* Appends s with its entities decoded. */
void html_decode(struct buf *b, const char *s, size_t n);
/*
 * Appends s with its tags and comments dropped and its entities decoded,
 * every other byte (new lines too) kept: the inside of a <pre>.
 */
void html_strip(struct buf *b, const char *s, size_t n);
/* Offset of needle in s[0..n), case-insensitively, or n. */
size_t html_find_ci(const char *s, size_t n, const char *needle);
/* Offset of the next <name> or <name ...> tag in s[0..n), or n. */
size_t html_find_tag(const char *s, size_t n, const char *name);

#endif
