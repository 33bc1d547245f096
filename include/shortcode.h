/*
 * shortcode: Hugo {{< >}} / {{% %}} and Zola {{ }} / {% %} shortcodes,
 * rewritten to plain Markdown before cmark sees the text. Code spans and
 * fenced or indented code are left alone. Pure: no I/O.
 */
#ifndef CAPSULED_SHORTCODE_H
#define CAPSULED_SHORTCODE_H

#include <stddef.h>

#include "buf.h"
#include "util.h"

/*
 * Expands shortcodes in md into out (Markdown):
 *   figure            -> ![alt or caption](src) as its own paragraph
 *   youtube/vimeo     -> [Video: title or id](https://www.youtube.com/watch?v=ID)
 *   ref/relref        -> the target path unchanged (e.g. posts/x.md), which
 *                        the gemtext renderer resolves like any .md link
 *   highlight         -> fenced code block with the language
 *   details           -> summary paragraph, then the body
 *   escaped ones ({{< followed by a C comment) -> the literal shortcode
 *   unknown           -> inner body kept, tag dropped, one warning per name
 * line_base is the 1-based line of md's first byte in the file, for
 * diagnostics. Returns 0 (errors never stop expansion; they go to d).
 */
int shortcode_expand(const char *md, size_t len, int line_base,
    struct buf *out, struct diags *d);

#endif
