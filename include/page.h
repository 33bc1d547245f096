/*
 * page: one complete Gemini response (header and body in one buffer),
 * shared by reference count. Its own module so the site and the router
 * both use it without including each other.
 */
#ifndef CAPSULED_PAGE_H
#define CAPSULED_PAGE_H

#include <stddef.h>

/*
 * A complete response (header and body in one buffer), shared by
 * reference count so a page replaced in the cache is freed only after
 * the last client receiving it is done.
 */
struct page {
	unsigned refs;
	size_t len;
	size_t body_off;	/* where the body starts (after CRLF) */
	char data[];
};

/* Builds "STATUS META\r\n" + body; refs = 1. */
struct page *page_new(int status, const char *meta, const char *body,
    size_t bodylen);
struct page *page_ref(struct page *p);
void page_unref(struct page *p);

#endif
