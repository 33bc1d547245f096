/*
 * page: one complete Gemini response (header and body in one buffer),
 * shared by reference count, and struct response, what a request gets.
 * Its own module so the site and the router both use it without
 * including each other.
 */
#ifndef CAPSULED_PAGE_H
#define CAPSULED_PAGE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * A complete response (header and body in one buffer), shared by
 * reference count so a page replaced in the cache is freed only after
 * the last client receiving it is done.
 */
struct page {
	unsigned refs;
	size_t len;
	size_t body_off; /* where the body starts (after CRLF) */
	char data[];
};

/* Builds "STATUS META\r\n" + body; refs = 1. */
struct page *page_new(int status, const char *meta, const char *body,
    size_t bodylen);
struct page *page_ref(struct page *p);
void page_unref(struct page *p);

/* What to send: a shared page, or a header then a file streamed. */
struct response {
	int status;
	struct page *page; /* owned reference, or NULL */
	int fd;		   /* file to stream after page (-1: none) */
	off_t size;	   /* bytes of fd to send */
	struct stat st;	   /* fd's when opened: a change cuts the body */
	/*
	 * Not NULL: nothing to send yet (a page being rendered off the
	 * loop); the connection waits on this key, then asks again.
	 */
	const void *wait;
	const char *wait_why; /* its 40 if the wait runs out (NULL: a page's) */
	char host[256];	      /* for the access log */
};

/*
 * Sets resp to a redirect (status 30 or 31) to url, or to 59 when url
 * would not fit in a META: a redirect is never cut.
 */
void page_redirect(struct response *resp, int status, const char *url);

#endif
