/*
 * shortcode: Hugo {{< >}} / {{% %}} and Zola {{ }} / {% %} shortcodes,
 * rewritten to plain Markdown before cmark sees the text. Code spans and
 * fenced or indented code are left alone. Pure: files come through a
 * callback.
 */
#ifndef CAPSULED_SHORTCODE_H
#define CAPSULED_SHORTCODE_H

#include <stddef.h>

#include "buf.h"
#include "util.h"

/* Which root a file named by a shortcode is read from. */
enum shortcode_root {
	SHORTCODE_CONTENT, /* include: a page path, under the content root */
	SHORTCODE_SITE,	   /* readfile: a file under the site root */
};

/*
 * Reads a file that include or readfile names. path is relative to the
 * root that kind says, already normalised (no leading '/', no "." or
 * ".." segment, never above the root). Appends the file's bytes to out
 * and returns 0, or returns -1 (missing, not a regular file, too big).
 */
typedef int (*shortcode_read_fn)(void *arg, enum shortcode_root kind,
    const char *path, struct buf *out);
/* The value of a page or site parameter (the param shortcode), or NULL. */
typedef const char *(*shortcode_param_fn)(void *arg, const char *name);

struct shortcode_opts {
	shortcode_read_fn read; /* NULL: include/readfile warn, keep the path */
	void *read_arg;
	const char *dir;	  /* the page's folder under the content root,
				   for relative include paths ("" or NULL: top) */
	shortcode_param_fn param; /* NULL: param warns */
	void *param_arg;
};

/*
 * Expands shortcodes in md into out (Markdown):
 *   figure (Hugo src=, Zola image=/src=/path=) -> ![alt or caption](src)
 *                        as its own paragraph, the caption a paragraph
 *                        after it; both stay Markdown (emphasis, links,
 *                        entities render) unless their brackets would
 *                        break the image, then they are escaped text
 *   youtube/vimeo/video/streamable -> [Video: title or id](URL)
 *   gist/tweet/x/instagram -> a link to what the embed shows
 *   ref/relref        -> the target path unchanged (e.g. posts/x.md), which
 *                        the gemtext renderer resolves like any .md link;
 *                        outside a link destination [posts/x.md](posts/x.md),
 *                        which it shows as the page's URL (as Hugo does)
 *   highlight         -> fenced code block with the language
 *   code-toggle       -> its content as a fenced block, per format
 *   details           -> summary paragraph, then the body
 *   notice, admonition, alert, callout, hint, note, tip, warning (Hugo
 *   paired, Zola {% %}...{% end %}) -> a quote "> Label: body"
 *   include/readfile  -> the named file's Markdown inlined (front matter
 *                        dropped, its shortcodes expanded); another file
 *                        as a code block; loops and paths outside the
 *                        root refused with a warning
 *   param             -> the parameter's value, as text
 *   escaped ones ({{< followed by a C comment) -> the literal shortcode
 *   unknown           -> inner body and text-like arguments (alt,
 *                        caption, title, text, label) kept, tag dropped,
 *                        one warning per name
 * line_base is the 1-based line of md's first byte in the file, for
 * diagnostics. o may be NULL (no files, no parameters). Returns 0
 * (errors never stop expansion; they go to d).
 */
int shortcode_expand_opts(const char *md, size_t len, int line_base,
    const struct shortcode_opts *o, struct buf *out, struct diags *d);
/* shortcode_expand_opts with no options. */
int shortcode_expand(const char *md, size_t len, int line_base, struct buf *out,
    struct diags *d);

#endif
