/*
 * gemtext: Markdown (cmark-gfm AST) to gemtext, following docs/conversion.md.
 * Our own renderer walks the tree; HTML is never rendered. Pure: no I/O.
 */
#ifndef CAPSULED_GEMTEXT_H
#define CAPSULED_GEMTEXT_H

#include <stddef.h>

#include "buf.h"
#include "gemtext_opts.h"
#include "util.h"

/*
 * Converts Markdown (front matter and shortcodes already removed) to
 * gemtext appended to out. Problems go to d. Returns 0, or -1 when the
 * input is past a limit or could not be parsed at all (out then holds
 * nothing new, and d says why).
 */
int gemtext_render(const char *md, size_t len, const struct gemtext_opts *o,
    struct buf *out, struct diags *d);
/*
 * The cells of md's tables as they are rendered: each row after a
 * delimiter row has its header's columns, whatever it holds, so a short
 * text can make many (what max_table_cells bounds). An upper bound.
 */
size_t gemtext_table_cells(const char *md, size_t len);
/*
 * Registers cmark-gfm's extensions: call once on the main thread before
 * another thread renders (each render keeps its memory pool in a
 * thread-local, so renders on two threads share nothing else).
 */
void gemtext_init(void);

#endif
