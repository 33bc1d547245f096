/*
 * gemtext_opts: how gemtext_render converts (link, table and emphasis
 * modes, limits, the link resolver), apart from the renderer, so that
 * the configuration can hold them without depending on the converter.
 */
#ifndef CAPSULED_GEMTEXT_OPTS_H
#define CAPSULED_GEMTEXT_OPTS_H

#include <string.h>

struct buf;

enum gemtext_links {
	GEMTEXT_LINKS_AFTER_BLOCK, /* default */
	GEMTEXT_LINKS_FOOTNOTE,	   /* text[1], numbered link lines at the end */
	GEMTEXT_LINKS_END,	   /* all link lines at the end */
	GEMTEXT_LINKS_OFF,	   /* link text only, no link lines */
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
	const char *title; /* a first H1 equal to it is dropped */
	/*
	 * Limits that bound the cost of one hostile post; past one,
	 * gemtext_render converts nothing and reports why (0: no limit).
	 */
	int max_size;		    /* bytes of Markdown */
	int max_nesting;	    /* quotes and lists in one another */
	int max_table_columns;	    /* cells in a table row */
	int max_table_cells;	    /* cells in all tables (rows padded) */
	gemtext_resolve_fn resolve; /* NULL: built-in default (x.md -> x.gmi) */
	void *resolve_arg;
};

#define GEMTEXT_MAX_SIZE	  (1 << 20) /* defaults of the limits */
#define GEMTEXT_MAX_NESTING	  64
#define GEMTEXT_MAX_TABLE_COLUMNS 100
#define GEMTEXT_MAX_TABLE_CELLS	  100000

/* Defaults: links after each block, tables preformatted, no marks. */
static inline void
gemtext_opts_default(struct gemtext_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->links = GEMTEXT_LINKS_AFTER_BLOCK;
	o->tables = GEMTEXT_TABLES_PRE;
	o->emphasis = GEMTEXT_EMPH_STRIP;
	o->max_size = GEMTEXT_MAX_SIZE;
	o->max_nesting = GEMTEXT_MAX_NESTING;
	o->max_table_columns = GEMTEXT_MAX_TABLE_COLUMNS;
	o->max_table_cells = GEMTEXT_MAX_TABLE_CELLS;
}

#endif
