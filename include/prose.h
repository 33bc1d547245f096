/*
 * prose: how a post's plain text is laid out, read from its source lines:
 * whether a paragraph is hard-wrapped (its line breaks are only the
 * editor's) or not (each line a paragraph, as scraped or soft-wrapped
 * text is), and the title of a file that has nothing but text.
 * docs/conversion.md, "Line breaks, titles, ratings, footnotes and
 * images", states the rules. Pure: no I/O.
 */
#ifndef CAPSULED_PROSE_H
#define CAPSULED_PROSE_H

#include <stddef.h>

#define PROSE_WRAP_MIN	25  /* narrower "wrapping" is short lines, kept */
#define PROSE_WRAP_MAX	120 /* wider lines were never wrapped at a width */
#define PROSE_TITLE_MAX 120 /* characters of a title taken from a text line */

/*
 * Is the paragraph whose source lines are s[0..n) (LF or CR ends, list
 * and quote markers included) hard-wrapped? Link reference definitions
 * at its start are skipped; lines ending in a hard break (two spaces or
 * a backslash) decide nothing. Returns 1 when its soft line breaks are
 * only wrapping (join them), 0 when they carry meaning (keep them).
 */
int prose_hard_wrapped(const char *s, size_t n);

/*
 * The title of a Markdown body: its first heading (ATX or setext, not in
 * a code fence); with plain_line, else its first line of plain text when
 * that is short (PROSE_TITLE_MAX characters), not a list item, link or
 * image, and does not end like a sentence. malloc'd, or NULL.
 */
char *prose_title(const char *md, size_t len, int plain_line);

/*
 * A file's stem made readable for a title: '-' and '_' become spaces,
 * runs of them one, the first letter upper case. malloc'd.
 */
char *prose_name_title(const char *stem);

#endif
