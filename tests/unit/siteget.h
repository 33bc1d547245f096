/*
 * siteget: one request to a site model in process, as the server would
 * route it (/search to site_search, the rest to site_route), seen by a
 * reader without a certificate: for the unit tests and bootbench.
 */
#ifndef CAPSULED_SITEGET_H
#define CAPSULED_SITEGET_H

#include <stdio.h>
#include <string.h>

#include "access.h"
#include "buf.h"
#include "page.h"
#include "site.h"
#include "url.h"

/* The status of path's answer, its body in body[0..size) (cut). */
static int
get(struct site *s, const char *path, char *body, size_t size)
{
	char line[1100];
	struct url u;
	const char *err;
	struct response r;
	struct buf f = BUF_INIT;
	struct viewer v;
	int st;

	snprintf(line, sizeof(line), "gemini://localhost%s", path);
	if (url_parse(line, strlen(line), &u, &err) != 0)
		return -1;
	access_viewer(NULL, NULL, 0, &v);
	memset(&r, 0, sizeof(r));
	body[0] = '\0';
	if (strncmp(path, "/search", 7) == 0)
		st = site_search(s, &u, &v, &r) ? r.status : 0;
	else
		st = site_route(s, &u, &v, &r, &f) ? r.status : 0;
	if (r.page) {
		size_t n = r.page->len - r.page->body_off;

		if (n >= size)
			n = size - 1;
		memcpy(body, r.page->data + r.page->body_off, n);
		body[n] = '\0';
	}
	page_unref(r.page);
	buf_free(&f);
	url_free(&u);
	return st;
}

#endif
