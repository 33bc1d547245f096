/*
 * feed: Atom feed with gemini:// links. Pure: no I/O.
 */
#ifndef CAPSULED_FEED_H
#define CAPSULED_FEED_H

#include <stddef.h>

#include "buf.h"
#include "pages.h"

/*
 * Appends an Atom document for posts (newest first) to out. self_path is
 * the feed's own path ("/atom.xml" or "/tags/TAG.xml"); tag, when not
 * NULL, narrows the feed to posts with that tag and names it in the title.
 */
void feed_atom(const struct page_site *s, const struct page_post *posts,
    size_t n, const char *self_path, const char *tag, struct buf *out);
/* Appends s with &, <, >, " and ' escaped for XML; drops invalid controls. */
void feed_xml_escape(const char *s, struct buf *out);

#endif
