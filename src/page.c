/*
 * page: reference-counted response buffers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "status.h"
#include "util.h"

struct page *
page_new(int status, const char *meta, const char *body, size_t bodylen)
{
	size_t mlen = strlen(meta), hlen;
	struct page *p;

	if (mlen > GEMINI_MAX_META)
		mlen = GEMINI_MAX_META;
	hlen = 3 + mlen + 2;
	p = xmalloc(sizeof(*p) + hlen + bodylen + 1);
	p->refs = 1;
	snprintf(p->data, hlen + 1, "%02d %.*s\r\n", status, (int)mlen, meta);
	/* An empty META still needs the space: "51 \r\n" is what peers send. */
	if (body && bodylen)
		memcpy(p->data + hlen, body, bodylen);
	p->body_off = hlen;
	p->len = hlen + bodylen;
	p->data[p->len] = '\0';
	return p;
}

struct page *
page_ref(struct page *p)
{
	p->refs++;
	return p;
}

void
page_unref(struct page *p)
{
	if (p && --p->refs == 0)
		free(p);
}

void
page_redirect(struct response *resp, int status, const char *url)
{
	if (strlen(url) > GEMINI_MAX_META) {
		status = GEMINI_BAD_REQUEST;
		url = "redirect target too long";
	}
	resp->status = status;
	resp->page = page_new(status, url, NULL, 0);
}
