/*
 * gemtext: Markdown (cmark-gfm AST) to gemtext, following docs/conversion.md.
 * Our own renderer walks the tree; HTML is never rendered. Pure: no I/O.
 */
#ifndef CAPSULED_GEMTEXT_H
#define CAPSULED_GEMTEXT_H

#include <stddef.h>

#include "buf.h"
#include "util.h"

enum gemtext_links {
	GEMTEXT_LINKS_AFTER_BLOCK,	/* default */
	GEMTEXT_LINKS_FOOTNOTE,		/* text[1], numbered link lines at the end */
	GEMTEXT_LINKS_END,		/* all link lines at the end */
	GEMTEXT_LINKS_OFF,		/* link text only, no link lines */
};

enum gemtext_tables { GEMTEXT_TABLES_PRE, GEMTEXT_TABLES_LIST };
enum gemtext_emphasis { GEMTEXT_EMPH_STRIP, GEMTEXT_EMPH_KEEP };

/*
 * Rewrites a link destination that names another post (other.md,
 * ../x/y.md#part, @/posts/y.md) into its gemini URL: appends the new URL
 * to out and returns 1, returns 0 to keep the destination as it is, or
 * returns -1 to give it no link (its text stays, as plain text).
 */
typedef int (*gemtext_resolve_fn)(void *arg, const char *dest, struct buf *out);

struct gemtext_opts {
	enum gemtext_links links;
	enum gemtext_tables tables;
	enum gemtext_emphasis emphasis;
	const char *title;		/* a first H1 equal to it is dropped */
	/*
	 * Limits that bound the cost of one hostile post; past one,
	 * gemtext_render converts nothing and reports why (0: no limit).
	 */
	int max_size;			/* bytes of Markdown */
	int max_nesting;		/* quotes and lists in one another */
	int max_table_columns;		/* cells in a table row */
	gemtext_resolve_fn resolve;	/* NULL: built-in default (x.md -> x.gmi) */
	void *resolve_arg;
};

void gemtext_opts_default(struct gemtext_opts *o);
/*
 * Registers cmark-gfm's extensions: call once on the main thread before
 * another thread renders (each render keeps its memory pool in a
 * thread-local, so renders on two threads share nothing else).
 */
void gemtext_init(void);

#define GEMTEXT_MAX_SIZE (1 << 20)	/* defaults of the limits */
#define GEMTEXT_MAX_NESTING 64
#define GEMTEXT_MAX_TABLE_COLUMNS 100

/*
 * Converts Markdown (front matter and shortcodes already removed) to
 * gemtext appended to out. Problems go to d. Returns 0, or -1 when the
 * input is past a limit or could not be parsed at all (out then holds
 * nothing new, and d says why).
 */
int gemtext_render(const char *md, size_t len, const struct gemtext_opts *o,
    struct buf *out, struct diags *d);

#endif
