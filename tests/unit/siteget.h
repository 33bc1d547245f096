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

/*
 * The answer to path as v sees it (NULL: a reader without certificate
 * and no access rules): its status (-1: no URL), r->page (to
 * page_unref) and file (a file to serve).
 */
static int
answer(struct site *s, const struct viewer *v, const char *path,
    struct response *r, struct buf *file)
{
	char line[1100];
	struct url u;
	const char *err;
	struct viewer anon;
	int st;

	memset(r, 0, sizeof(*r));
	snprintf(line, sizeof(line), "gemini://localhost%s", path);
	if (url_parse(line, strlen(line), &u, &err) != 0)
		return -1;
	access_viewer(NULL, NULL, 0, &anon);
	if (v == NULL)
		v = &anon;
	if (strncmp(path, "/search", 7) == 0)
		st = site_search(s, &u, v, r) ? r->status : 0;
	else
		st = site_route(s, &u, v, r, file) ? r->status : 0;
	url_free(&u);
	return st;
}

/*
 * The status of path's answer to v (answer's), its body (whole: its
 * header too, or the file it serves as "file PATH") in out[0..size).
 */
static int
get_text(struct site *s, const struct viewer *v, const char *path, char *out,
    size_t size, int whole)
{
	struct response r;
	struct buf f = BUF_INIT;
	int st = answer(s, v, path, &r, &f);

	out[0] = '\0';
	if (r.page) {
		size_t off = whole ? 0 : r.page->body_off;
		size_t n = r.page->len - off;

		if (n >= size)
			n = size - 1;
		memcpy(out, r.page->data + off, n);
		out[n] = '\0';
	} else if (whole && f.len)
		snprintf(out, size, "file %s", f.data);
	page_unref(r.page);
	buf_free(&f);
	return st;
}

/* The status of path's answer, its body in body[0..size) (cut). */
static int
get(struct site *s, const char *path, char *body, size_t size)
{
	return get_text(s, NULL, path, body, size, 0);
}

#endif
