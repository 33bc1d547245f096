/*
 * fuzz_html: the HTML lexer on arbitrary bytes, then what it promises:
 * every token lies inside the input (or is an entity of at most
 * HTML_ENTITY_MAX bytes), each call moves on, a tag's name starts with a
 * letter; html_attr on each tag's attributes, html_strip and
 * html_decode on the whole input. Decoding well-formed UTF-8 gives
 * well-formed UTF-8.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "html.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(const char *s, size_t len, const char *p, size_t n)
{
	if (p < s || p > s + len || n > (size_t)(s + len - p))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct html_lexer lx;
	struct html_token t;
	struct buf v = BUF_INIT, b = BUF_INIT;
	size_t last = 0, ntok = 0;

	html_lexer_init(&lx, s, size);
	while (html_next(&lx, &t)) {
		if (++ntok > size || lx.pos <= last)
			abort();
		last = lx.pos;
		if (t.s == lx.ent) {
			if (t.kind != HTML_TEXT || t.n > HTML_ENTITY_MAX)
				abort();
			continue;
		}
		inside(s, size, t.s, t.n);
		if (t.kind == HTML_TAG) {
			inside(s, size, t.attrs, t.nattrs);
			if (t.n == 0 || !isalpha((unsigned char)t.s[0]))
				abort();
			html_attr(t.attrs, t.nattrs, "href", &v);
			html_attr(t.attrs, t.nattrs, "src", &v);
		} else if (t.n == 0 && t.kind == HTML_SPACE)
			abort();
	}
	if (lx.pos != size)
		abort();
	html_strip(&b, s, size);
	if (b.len > size)
		abort();
	buf_reset(&b);
	html_decode(&b, s, size);
	if (utf8_valid(s, size) && !utf8_valid(b.data, b.len))
		abort();
	buf_free(&v);
	buf_free(&b);
	return 0;
}
