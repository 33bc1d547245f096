/*
 * test_gemtext: gemtext_render on small inputs, one row per rule of
 * docs/conversion.md that fits on a line; tests/gemtext/ holds the long ones.
 */
#include <string.h>

#include "buf.h"
#include "gemtext.h"
#include "t.h"

static int
resolve_upper(void *arg, const char *dest, struct buf *out)
{
	(void)arg;
	if (strncmp(dest, "post:", 5) != 0)
		return 0;
	buf_printf(out, "/p/%s.gmi", dest + 5);
	return 1;
}

static const struct {
	const char *md;
	int links; /* enum gemtext_links */
	const char *title;
	const char *want;
} cases[] = {
	{ "", 0, NULL, "" },
	{ "a hard-wrapped line of text that\ngoes on here", 0, NULL,
	    "a hard-wrapped line of text that goes on here\n" },
	/* lines too short to be wrapping, or ended early: kept */
	{ "a\nb", 0, NULL, "a\nb\n" },
	{ "- Other Apps\nComments\nPost a Comment", 0, NULL,
	    "* Other Apps\n\nComments\nPost a Comment\n" },
	/* an info string is one line of printable text (issue 10, item 10) */
	{ "~~~go&#xA;```&#xA;=>gemini://evil.example/\nx\n~~~", 0, NULL,
	    "```go\nx\n```\n" },
	{ "```a&#xD;\nx\n```", 0, NULL, "```a\nx\n```\n" },
	{ "```&#xA;=> x\nx\n```", 0, NULL, "```=>\nx\n```\n" },
	/* an image inside text is set apart */
	{ "see ![a cat](c.png) here", 0, NULL,
	    "see [image: a cat] here\n=> c.png a cat\n" },
	{ "a  \nb", 0, NULL, "a\nb\n" },
	{ "#### deep {#id}", 0, NULL, "### deep\n" },
	{ "# T\n\ntext", 0, "T", "text\n" },
	{ "x [a](https://x) [b](https://x)", 0, NULL,
	    "x a b\n=> https://x a\n" },
	{ "x [a](https://x)", GEMTEXT_LINKS_FOOTNOTE, NULL,
	    "x a[1]\n\n=> https://x [1] a\n" },
	{ "x [a](https://x)", GEMTEXT_LINKS_END, NULL,
	    "x a\n\n=> https://x a\n" },
	{ "x [a](https://x)", GEMTEXT_LINKS_OFF, NULL, "x a\n" },
	{ "[a](https://x)", 0, NULL, "=> https://x a\n" },
	{ "[a](https://x)", GEMTEXT_LINKS_OFF, NULL, "a\n" },
	{ "![cat](c.png)", 0, NULL, "=> c.png cat\n" },
	{ "[p](../2024-01-02-the-post.md#x)", 0, NULL,
	    "=> /posts/the-post/ p\n" },
	{ "[p](@/posts/z.md)", 0, NULL, "=> /posts/z/ p\n" },
	/* a link whose text is its resolved target (a bare ref) shows the URL */
	{ "see [x/my\\_z.md#a](x/my_z.md#a) here", 0, NULL,
	    "see /posts/my_z/ here\n=> /posts/my_z/\n" },
	{ "see [https://x](https://x)", 0, NULL,
	    "see https://x\n=> https://x\n" },
	{ "[j](javascript:alert(1))", 0, NULL, "j\n" },
	{ "[f](#frag)", 0, NULL, "f\n" },
	{ "[s](<a b>)", 0, NULL, "=> a%20b s\n" },
	{ "\\# no", 0, NULL, "\xe2\x80\x8b# no\n" },
	{ "\\=> no", 0, NULL, "\xe2\x80\x8b=> no\n" },
	{ "```\n```x\n```", 0, NULL, "```\n\xe2\x80\x8b```x\n```\n" },
	/* a control character before ``` goes: the guard still comes first */
	{ "```\n\005```\n```", 0, NULL, "```\n\xe2\x80\x8b```\n```\n" },
	{ "```c\nint x;", 0, NULL, "```c\nint x;\n```\n" },
	{ "> a\n>\n> b", 0, NULL, "> a\n>\n> b\n" },
	{ "- a\n  - b\n- [x] c", 0, NULL,
	    "* a\n* \xe2\x97\xa6 b\n* \xe2\x98\x91 c\n" },
	{ "7. a\n8. b", 0, NULL, "7. a\n8. b\n" },
	{ "x[^1]\n\n[^1]: n", 0, NULL, "x\xc2\xb9\n\n\xc2\xb9 n\n" },
	{ "---", 0, NULL, "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\n" },
	{ "*a* **b** ~~c~~ `d`", 0, NULL, "a b ~~c~~ `d`\n" },
	{ "a<br>b &amp; <!-- c -->", 0, NULL, "a\nb &\n" },
	{ "<!--more-->\n\ntext", 0, NULL, "text\n" },
	{ "| a | b |\n|--:|---|\n| 1 | 22 |", 0, NULL,
	    "```table\na | b\n--+---\n1 | 22\n```\n" },
	/* GFM autolinks (the document is parsed again with the extension) */
	{ "see www.x.org now", 0, NULL,
	    "see www.x.org now\n=> http://www.x.org www.x.org\n" },
	{ "mail a@b.org.", 0, NULL,
	    "mail a@b.org.\n=> mailto:a@b.org a@b.org\n" },
	{ "at https://x.org/a_b_, then", 0, NULL,
	    "at https://x.org/a_b_, then\n=> https://x.org/a_b\n" },
	{ "[t](https://x.org) and `www.x.org`", 0, NULL,
	    "t and `www.x.org`\n=> https://x.org t\n" },
};

int
main(void)
{
	struct gemtext_opts o;
	struct buf out = BUF_INIT;
	struct diags d = { 0 };
	size_t i, n;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		gemtext_opts_default(&o);
		o.links = (enum gemtext_links)cases[i].links;
		o.title = cases[i].title;
		buf_reset(&out);
		T_INT(gemtext_render(cases[i].md, strlen(cases[i].md), &o, &out,
			  &d),
		    0);
		T_STR(out.data, cases[i].want);
	}

	/* Table cells as rendered: short rows padded to the header's. */
	T_INT(gemtext_table_cells("no table\n---\n", 13), 0);
	T_INT(gemtext_table_cells("|a|b|c|\n|-|-|-|\nx\ny\n\nz\n", 23), 12);
	T_INT(gemtext_table_cells("> |a|b|\n> |-|-|\n> 1\n", 20), 6);
	gemtext_opts_default(&o);
	o.max_table_cells = 11;
	buf_reset(&out);
	n = d.n;
	T_INT(gemtext_render("|a|b|c|\n|-|-|-|\nx\ny\n", 20, &o, &out, &d), -1);
	T_OK(d.n == n + 1 && strstr(d.v[n].msg, "max_table_cells (11)"));
	o.max_table_cells = 12;
	T_INT(gemtext_render("|a|b|c|\n|-|-|-|\nx\ny\n", 20, &o, &out, &d), 0);

	gemtext_opts_default(&o);
	o.resolve = resolve_upper;
	buf_reset(&out);
	T_INT(gemtext_render("x [a](post:x) [b](y.md)", 23, &o, &out, &d), 0);
	T_STR(out.data, "x a b\n=> /p/x.gmi a\n=> y.md b\n");

	gemtext_opts_default(&o);
	o.tables = GEMTEXT_TABLES_LIST;
	o.emphasis = GEMTEXT_EMPH_KEEP;
	buf_reset(&out);
	T_INT(gemtext_render("*a*\n\n|h|i|\n|-|-|\n|1|2|", 21, &o, &out, &d),
	    0);
	T_STR(out.data, "*a*\n\n* h: 1 \xc2\xb7 i: 2\n");
	T_OK(d.n >= 1); /* the javascript: link was reported */

	/*
	 * Appended to what out holds; a document parsed again for its
	 * autolinks reports its findings once.
	 */
	gemtext_opts_default(&o);
	buf_reset(&out);
	buf_adds(&out, "keep\n");
	n = d.n;
	T_INT(gemtext_render("[j](javascript:x) www.x.org", 27, &o, &out, &d),
	    0);
	T_STR(out.data, "keep\nj www.x.org\n=> http://www.x.org www.x.org\n");
	T_INT(d.n, n + 1);

	buf_free(&out);
	diags_free(&d);
	return t_done();
}
