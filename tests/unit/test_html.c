/*
 * test_html: the HTML lexer, entities, attributes, <pre> text and tag
 * search, table-driven. A token stream is written as one string: text
 * as is, a space run as "_", a tag as "<name attrs>" or "</name attrs>"
 * with its attribute text in brackets, so "<a[ href=x]>".
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "html.h"
#include "t.h"

static void
lex(const char *in, struct buf *out)
{
	struct html_lexer lx;
	struct html_token t;

	buf_reset(out);
	html_lexer_init(&lx, in, strlen(in));
	while (html_next(&lx, &t))
		switch (t.kind) {
		case HTML_TEXT:
			buf_addc(out, '{');
			buf_add(out, t.s, t.n);
			buf_addc(out, '}');
			break;
		case HTML_SPACE:
			buf_addc(out, '_');
			break;
		case HTML_TAG:
			buf_printf(out, "<%s%.*s[%.*s]>", t.closing ? "/" : "",
			    (int)t.n, t.s, (int)t.nattrs, t.attrs);
			break;
		}
}

static void
test_lexer(void)
{
	static const struct {
		const char *in, *want;
	} v[] = {
		{ "", "" },
		{ "plain words", "{plain}_{words}" },
		{ "  \n\t x", "_{x}" },
		{ "<b>bold</b>", "<b[]>{bold}</b[]>" },
		{ "<a href=\"x y\" title='t'>l</a>",
		    "<a[ href=\"x y\" title='t']>{l}</a[]>" },
		/* a quoted '>' does not end the tag */
		{ "<img alt=\"a>b\" src=x>", "<img[ alt=\"a>b\" src=x]>" },
		{ "<br/>", "<br[/]>" },
		{ "<my-tag x>", "<my-tag[ x]>" },
		/* not tags: text */
		{ "a < b", "{a}_{<}_{b}" },
		{ "<3 hearts", "{<3}_{hearts}" },
		{ "<b unclosed", "{<b}_{unclosed}" },
		{ "x<", "{x}{<}" },
		/* comments, declarations, processing instructions go */
		{ "a<!-- c -->b", "{a}{b}" },
		{ "a<!-- never closed", "{a}" },
		{ "<!DOCTYPE html>x", "{x}" },
		{ "<?xml version=\"1.0\"?>x", "{x}" },
		{ "<!", "" },
		/* script and style content is not text */
		{ "<script>if (a < b) x();</script>y",
		    "<script[]></script[]>{y}" },
		{ "<STYLE type=x>p{}</style>z",
		    "<STYLE[ type=x]></style[]>{z}" },
		{ "<script>never closed", "<script[]>" },
		/* entities are text of their own */
		{ "a&amp;b", "{a}{&}{b}" },
		{ "&lt;b&gt;", "{<}{b}{>}" },
		{ "&#233;t&#xE9;", "{\xc3\xa9}{t}{\xc3\xa9}" },
		{ "&nosuch; &amp", "{&nosuch;}_{&amp}" },
		{ "&shy;", "{}" },
	};
	struct buf out = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		lex(v[i].in, &out);
		if (strcmp(out.data, v[i].want) != 0)
			fprintf(stderr, "lexer case %zu: %s\n", i, v[i].in);
		T_STR(out.data, v[i].want);
	}
	buf_free(&out);
}

static void
test_entities(void)
{
	static const struct {
		const char *in;
		size_t used;
		const char *want;
	} v[] = {
		{ "&amp;", 5, "&" }, { "&nbsp;x", 6, "\xc2\xa0" },
		{ "&mdash;", 7, "\xe2\x80\x94" }, { "&#65;", 5, "A" },
		{ "&#x41;", 6, "A" }, { "&#X1F600;", 9, "\xf0\x9f\x98\x80" },
		{ "&#1114111;", 10, "\xf4\x8f\xbf\xbf" }, /* U+10FFFF */
		{ "&#1114112;", 10, "\xef\xbf\xbd" },	  /* past it */
		{ "&#0;", 4, "\xef\xbf\xbd" },
		{ "&#xD800;", 8, "\xef\xbf\xbd" },     /* a surrogate */
		{ "&#xFFFFFFF;", 11, "\xef\xbf\xbd" }, /* 7 digits */
		{ "&#xFFFFFFFF;", 0, NULL },	       /* 8: too long */
		{ "&#;", 0, NULL }, { "&#x;", 0, NULL }, { "&#65", 0, NULL },
		{ "&amp", 0, NULL }, { "&", 0, NULL }, { "&unknown;", 0, NULL },
		{ "&AMP;", 0, NULL }, /* names are case-sensitive */
	};
	char u[HTML_ENTITY_MAX + 1];
	size_t i, n, ul;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ul = 0;
		n = html_entity(v[i].in, strlen(v[i].in), u, &ul);
		T_INT(n, v[i].used);
		if (v[i].want) {
			u[ul] = '\0';
			T_STR(u, v[i].want);
		}
	}
}

static void
test_attrs(void)
{
	static const struct {
		const char *attrs, *name, *want; /* want NULL: absent */
	} v[] = {
		{ " href=\"a b\"", "href", "a b" },
		{ " HREF='x'", "href", "x" },
		{ " href=plain>", "href", "plain" },
		{ " title=\"t\" href=\"u\"", "href", "u" },
		{ " data-href=\"no\" href=\"yes\"", "href", "yes" },
		{ " href=\"a&amp;b\"", "href", "a&b" },
		{ " hidden src=x", "hidden", "" },
		{ " src=x /", "src", "x" },
		{ " title=\"unclosed", "title", "unclosed" },
		{ " alt = \"spaced\" ", "alt", "spaced" },
		{ " src=x", "href", NULL },
		{ "", "href", NULL },
	};
	struct buf val = BUF_INIT;
	size_t i;
	int got;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		got =
		    html_attr(v[i].attrs, strlen(v[i].attrs), v[i].name, &val);
		T_INT(got, v[i].want != NULL);
		if (v[i].want)
			T_STR(val.data, v[i].want);
	}
	buf_free(&val);
}

static void
test_strip_find(void)
{
	static const char *const list[] = { "td", "th", NULL };
	struct buf b = BUF_INIT;
	const char *s;

	html_strip(&b, "<code class=x>a &lt; b\n\tc</code>", 32);
	T_STR(b.data, "a < b\n\tc");
	buf_reset(&b);
	s = "x <!-- c --> 1 < 2 <span>y</span>";
	html_strip(&b, s, strlen(s));
	T_STR(b.data, "x  1 < 2 y");
	buf_reset(&b);
	html_decode(&b, "a&amp;b&nope;c", 14);
	T_STR(b.data, "a&b&nope;c");
	buf_reset(&b);
	/* decode keeps tags and comments as text; strip drops them */
	s = "<b>x&lt;</b><!-- &amp; -->&#x41;";
	html_decode(&b, s, strlen(s));
	T_STR(b.data, "<b>x<</b><!-- & -->A");
	buf_reset(&b);
	html_strip(&b, s, strlen(s));
	T_STR(b.data, "x<A");
	buf_free(&b);

	s = "<p>x</p><PRE class=y>code</pre>";
	T_INT(html_find_tag(s, strlen(s), "pre"), 8);
	s = "<preview> <pre>";
	T_INT(html_find_tag(s, strlen(s), "pre"), 10);
	s = "<pre"; /* no '>' or space after it */
	T_INT(html_find_tag(s, strlen(s), "pre"), 4);
	s = "none here";
	T_INT(html_find_tag(s, strlen(s), "pre"), 9);
	T_INT(html_find_ci("abcDEF", 6, "def"), 3);
	T_INT(html_find_ci("abc", 3, "abcd"), 3);
	T_OK(html_tag_is("BR", 2, "br"));
	T_OK(!html_tag_is("b", 1, "br"));
	T_OK(html_tag_in("TH", 2, list));
	T_OK(!html_tag_in("tr", 2, list));
}

int
main(void)
{
	test_lexer();
	test_entities();
	test_attrs();
	test_strip_find();
	return t_done();
}
