/*
 * test_shortcode: a table of Markdown in, Markdown out, and the first
 * warning each input must produce; then warning lines, and inputs that
 * would show quadratic behaviour.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "shortcode.h"
#include "util.h"
#include "t.h"

static const struct tcase {
	const char *name;
	const char *in;
	const char *want;
	int nwarn;		/* warnings expected */
	int line;		/* line of the first one */
	const char *msg;	/* text of the first one */
} cases[] = {
	{ "plain text passes",
	    "No shortcodes here {{ maybe }} {x}.\n",
	    "No shortcodes here {{ maybe }} {x}.\n",
	    0, 0, NULL },
	{ "no opener at all: copied as is",
	    "Braces { alone }, {x}, `{` and {\n%} split\r\n    { code }\n{",
	    "Braces { alone }, {x}, `{` and {\n%} split\r\n    { code }\n{",
	    0, 0, NULL },
	{ "an opener as the last two bytes",
	    "Text then {{",
	    "Text then {{",
	    0, 0, NULL },
	{ "figure alt + caption",
	    "{{< figure src=\"/images/a.png\" alt=\"Two desks\" caption=\"Fujino and Kyomoto\" >}}\n",
	    "![Two desks](/images/a.png)\n"
	    "\n"
	    "Fujino and Kyomoto\n"
	    "\n",
	    0, 0, NULL },
	{ "figure caption only",
	    "{{< figure src=\"/images/a.png\" caption=\"The snow\" >}}\n",
	    "![The snow](/images/a.png)\n"
	    "\n",
	    0, 0, NULL },
	{ "figure caption equals alt",
	    "{{< figure src=\"a.png\" alt=\"Same\" caption=\"Same\" >}}\n",
	    "![Same](a.png)\n"
	    "\n",
	    0, 0, NULL },
	{ "figure title only",
	    "{{< figure src=\"a.png\" title=\"A title\" >}}\n",
	    "![A title](a.png)\n"
	    "\n",
	    0, 0, NULL },
	{ "figure file name",
	    "{{< figure src=\"/img/desk.png?w=2#x\" />}}\n",
	    "![desk.png](/img/desk.png?w=2#x)\n"
	    "\n",
	    0, 0, NULL },
	{ "figure percent form",
	    "{{% figure src=\"p.png\" alt=\"pct\" %}}\n",
	    "![pct](p.png)\n"
	    "\n",
	    0, 0, NULL },
	{ "figure single quotes",
	    "{{< figure src='s.png' alt='it is \"quoted\"' >}}\n",
	    "![it is \\\"quoted\\\"](s.png)\n"
	    "\n",
	    0, 0, NULL },
	{ "figure raw string",
	    "{{< figure src=`r.png` alt=`raw \\n text` >}}\n",
	    "![raw \\\\n text](r.png)\n"
	    "\n",
	    0, 0, NULL },
	{ "figure unquoted",
	    "{{< figure src=/u.png alt=bare >}}\n",
	    "![bare](/u.png)\n"
	    "\n",
	    0, 0, NULL },
	{ "figure positional",
	    "{{< figure \"pos.png\" >}}\n",
	    "![pos.png](pos.png)\n"
	    "\n",
	    0, 0, NULL },
	{ "figure escapes",
	    "{{< figure src=\"/a b(1).png\" alt=\"x] (y) *z* <b> #1\" >}}\n",
	    "![x\\] \\(y\\) \\*z\\* \\<b\\> \\#1](/a%20b%281%29.png)\n"
	    "\n",
	    0, 0, NULL },
	{ "figure list-like caption",
	    "{{< figure src=\"a.png\" alt=\"a\" caption=\"1. first\" >}}\n"
	    "{{< figure src=\"b.png\" alt=\"b\" caption=\"- dash\" >}}\n",
	    "![a](a.png)\n"
	    "\n"
	    "1\\. first\n"
	    "\n"
	    "![b](b.png)\n"
	    "\n"
	    "\\- dash\n"
	    "\n",
	    0, 0, NULL },
	{ "figure link",
	    "{{< figure src=\"a.png\" alt=\"A\" link=\"https://e.org/x y\" >}}\n",
	    "[![A](a.png)](https://e.org/x%20y)\n"
	    "\n",
	    0, 0, NULL },
	{ "figure mid-paragraph",
	    "Before {{< figure src=\"m.png\" alt=\"M\" >}} after.\n",
	    "Before\n"
	    "\n"
	    "![M](m.png)\n"
	    "\n"
	    "after.\n",
	    0, 0, NULL },
	{ "figure after text line",
	    "Line one\n"
	    "{{< figure src=\"n.png\" alt=\"N\" >}}\n"
	    "Line three\n",
	    "Line one\n"
	    "\n"
	    "![N](n.png)\n"
	    "\n"
	    "Line three\n",
	    0, 0, NULL },
	{ "figure multi-line tag",
	    "{{< figure\n"
	    "    src=\"ml.png\"\n"
	    "    alt=\"multi\" >}}\n"
	    "next\n",
	    "![multi](ml.png)\n"
	    "\n"
	    "next\n",
	    0, 0, NULL },
	{ "figure without src",
	    "a {{< figure alt=\"x\" >}} b\n",
	    "a  b\n",
	    1, 1, "figure without src" },
	{ "figure in quote",
	    "> Quote {{< figure src=\"q.png\" alt=\"Q\" >}} more\n",
	    "> Quote\n"
	    ">\n"
	    "> ![Q](q.png)\n"
	    ">\n"
	    "> more\n",
	    0, 0, NULL },
	{ "figure in list",
	    "- item {{< figure src=\"l.png\" alt=\"L\" >}}\n"
	    "- {{< figure src=\"k.png\" alt=\"K\" >}}\n",
	    "- item\n"
	    "\n"
	    "  ![L](l.png)\n"
	    "\n"
	    "- ![K](k.png)\n"
	    "\n",
	    0, 0, NULL },
	{ "two figures one line",
	    "{{< figure src=\"1.png\" alt=\"one\" >}} {{< figure src=\"2.png\" alt=\"two\" >}}\n",
	    "![one](1.png)\n"
	    "\n"
	    "![two](2.png)\n"
	    "\n",
	    0, 0, NULL },
	{ "youtube positional",
	    "{{< youtube dQw4w9WgXcQ >}}\n",
	    "[Video: dQw4w9WgXcQ](https://www.youtube.com/watch?v=dQw4w9WgXcQ)\n"
	    "\n",
	    0, 0, NULL },
	{ "youtube named",
	    "{{< youtube id=\"abc\" title=\"Look Back trailer\" >}}\n",
	    "[Video: Look Back trailer](https://www.youtube.com/watch?v=abc)\n"
	    "\n",
	    0, 0, NULL },
	{ "youtube inline",
	    "Watch {{< youtube abc >}} now.\n",
	    "Watch\n"
	    "\n"
	    "[Video: abc](https://www.youtube.com/watch?v=abc)\n"
	    "\n"
	    "now.\n",
	    0, 0, NULL },
	{ "vimeo",
	    "{{< vimeo 12345 >}}\n",
	    "[Video: 12345](https://vimeo.com/12345)\n"
	    "\n",
	    0, 0, NULL },
	{ "zola youtube",
	    "{{ youtube(id=\"zid\") }}\n",
	    "[Video: zid](https://www.youtube.com/watch?v=zid)\n"
	    "\n",
	    0, 0, NULL },
	{ "zola youtube extra args",
	    "{{ youtube(id=\"zid\", autoplay=true, class=\"wide\") }}\n",
	    "[Video: zid](https://www.youtube.com/watch?v=zid)\n"
	    "\n",
	    0, 0, NULL },
	{ "youtube without id",
	    "{{< youtube >}}\n",
	    "\n",
	    1, 1, "youtube shortcode without an id" },
	{ "ref in link",
	    "[Soundtrack]({{< ref \"posts/soundtrack.md\" >}})\n",
	    "[Soundtrack](posts/soundtrack.md)\n",
	    0, 0, NULL },
	{ "ref no extension",
	    "[x]({{< ref \"posts/manga\" >}}) [y]({{< relref \"/posts/anime/\" >}})\n",
	    "[x](posts/manga.md) [y](/posts/anime.md)\n",
	    0, 0, NULL },
	{ "ref anchor",
	    "[x]({{< relref \"notes#part-two\" >}}) [y]({{< ref \"#top\" >}})\n",
	    "[x](notes.md#part-two) [y](#top)\n",
	    0, 0, NULL },
	{ "ref path arg",
	    "[x]({{< ref path=\"a b.md\" >}})\n",
	    "[x](a%20b.md)\n",
	    0, 0, NULL },
	{ "ref dotted dir",
	    "{{< ref \"v1.2/page\" >}}\n",
	    "v1.2/page.md\n",
	    0, 0, NULL },
	{ "highlight",
	    "Text\n"
	    "{{< highlight go >}}\n"
	    "func main() {\n"
	    "\tprintln(\"hi\")\n"
	    "}\n"
	    "{{< /highlight >}}\n"
	    "After\n",
	    "Text\n"
	    "\n"
	    "```go\n"
	    "func main() {\n"
	    "\tprintln(\"hi\")\n"
	    "}\n"
	    "```\n"
	    "\n"
	    "After\n",
	    0, 0, NULL },
	{ "highlight options",
	    "{{< highlight python \"linenos=table\" >}}\n"
	    "print(1)\n"
	    "{{< /highlight >}}\n",
	    "```python\n"
	    "print(1)\n"
	    "```\n"
	    "\n",
	    0, 0, NULL },
	{ "highlight backticks",
	    "{{< highlight md >}}\n"
	    "```\n"
	    "inner\n"
	    "````\n"
	    "{{< /highlight >}}\n",
	    "`````md\n"
	    "```\n"
	    "inner\n"
	    "````\n"
	    "`````\n"
	    "\n",
	    0, 0, NULL },
	{ "highlight keeps shortcodes",
	    "{{< highlight html >}}\n"
	    "{{< figure src=\"x\" >}}\n"
	    "{{% /highlight %}}\n",
	    "```html\n"
	    "{{< figure src=\"x\" >}}\n"
	    "```\n"
	    "\n",
	    0, 0, NULL },
	{ "highlight unclosed",
	    "{{< highlight go >}}\n"
	    "code\n",
	    "\n"
	    "code\n",
	    1, 1, "unclosed shortcode 'highlight'" },
	{ "details",
	    "{{< details summary=\"Spoilers ahead\" >}}\n"
	    "The ending.\n"
	    "{{< /details >}}\n"
	    "After.\n",
	    "Spoilers ahead\n"
	    "\n"
	    "The ending.\n"
	    "\n"
	    "After.\n",
	    0, 0, NULL },
	{ "details default",
	    "{{< details >}}\n"
	    "Body\n"
	    "{{< /details >}}\n",
	    "Details\n"
	    "\n"
	    "Body\n"
	    "\n",
	    0, 0, NULL },
	{ "zola details",
	    "{% details(summary=\"Z\") %}\n"
	    "Body\n"
	    "{% end %}\n"
	    "Out\n",
	    "Z\n"
	    "\n"
	    "Body\n"
	    "\n"
	    "Out\n",
	    0, 0, NULL },
	{ "gist",
	    "{{< gist spf13 7896402 >}}\n",
	    "[Gist: spf13/7896402](https://gist.github.com/spf13/7896402)\n"
	    "\n",
	    0, 0, NULL },
	{ "tweet",
	    "{{< tweet user=\"GoHugoIO\" id=\"1315233626070503424\" >}}\n"
	    "{{< tweet 877500564405444608 >}}\n",
	    "[Post by @GoHugoIO](https://twitter.com/GoHugoIO/status/1315233626070503424)\n"
	    "\n"
	    "[Post 877500564405444608](https://twitter.com/i/status/877500564405444608)\n"
	    "\n",
	    0, 0, NULL },
	{ "x",
	    "{{< x user=\"SanDiegoZoo\" id=\"1453110110599868418\" >}}\n",
	    "[Post by @SanDiegoZoo](https://x.com/SanDiegoZoo/status/1453110110599868418)\n"
	    "\n",
	    0, 0, NULL },
	{ "instagram",
	    "{{< instagram BWNjjyYFxVx >}}\n",
	    "[Instagram post BWNjjyYFxVx](https://www.instagram.com/p/BWNjjyYFxVx/)\n"
	    "\n",
	    0, 0, NULL },
	{ "unknown paired",
	    "{{< notice warning >}}\n"
	    "Careful.\n"
	    "{{< /notice >}}\n",
	    "\n"
	    "Careful.\n"
	    "\n",
	    1, 1, "unknown shortcode 'notice'" },
	{ "unknown once per name",
	    "{{< a >}}x{{< /a >}} {{< a >}}y{{< /a >}} {{% b %}}z{{% /b %}}\n",
	    "x y z\n",
	    2, 1, "unknown shortcode 'a'" },
	{ "unknown zola",
	    "{% note(kind=\"info\") %}\n"
	    "Inside\n"
	    "{% end %}\n"
	    "{{ other() }}\n",
	    "\n"
	    "Inside\n"
	    "\n"
	    "\n",
	    2, 1, "unknown shortcode 'note'" },
	{ "escaped hugo",
	    "Use {{</* figure src=\"x.png\" */>}} and {{%/* ref \"y\" */%}}.\n",
	    "Use {{< figure src=\"x.png\" >}} and {{% ref \"y\" %}}.\n",
	    0, 0, NULL },
	{ "escaped zola",
	    "Use {{/* youtube(id=\"x\") */}} and {%/* note() */%}.\n",
	    "Use {{ youtube(id=\"x\") }} and {% note() %}.\n",
	    0, 0, NULL },
	{ "code span",
	    "Code `{{< figure src=\"x\" >}}` and ``{{ youtube(id=\"x\") }}`` stay.\n",
	    "Code `{{< figure src=\"x\" >}}` and ``{{ youtube(id=\"x\") }}`` stay.\n",
	    0, 0, NULL },
	{ "code span multi-line",
	    "A `code\n"
	    "{{< figure src=\"x\" >}}` b\n",
	    "A `code\n"
	    "{{< figure src=\"x\" >}}` b\n",
	    0, 0, NULL },
	{ "unmatched backtick",
	    "A ` lone {{< vimeo 7 >}}\n",
	    "A ` lone\n"
	    "\n"
	    "[Video: 7](https://vimeo.com/7)\n"
	    "\n",
	    0, 0, NULL },
	{ "escaped backtick",
	    "A \\`{{< vimeo 8 >}}\\`\n",
	    "A \\`\n"
	    "\n"
	    "[Video: 8](https://vimeo.com/8)\n"
	    "\n"
	    "\\`\n",
	    0, 0, NULL },
	{ "fenced code",
	    "```\n"
	    "{{< figure src=\"x\" >}}\n"
	    "```\n"
	    "~~~~ md\n"
	    "{{ youtube(id=\"x\") }}\n"
	    "~~~\n"
	    "~~~~\n"
	    "{{< vimeo 9 >}}\n",
	    "```\n"
	    "{{< figure src=\"x\" >}}\n"
	    "```\n"
	    "~~~~ md\n"
	    "{{ youtube(id=\"x\") }}\n"
	    "~~~\n"
	    "~~~~\n"
	    "\n"
	    "[Video: 9](https://vimeo.com/9)\n"
	    "\n",
	    0, 0, NULL },
	{ "fence in list",
	    "- a\n"
	    "\n"
	    "  ```\n"
	    "  {{< vimeo 1 >}}\n"
	    "  ```\n",
	    "- a\n"
	    "\n"
	    "  ```\n"
	    "  {{< vimeo 1 >}}\n"
	    "  ```\n",
	    0, 0, NULL },
	{ "indented code",
	    "Para\n"
	    "\n"
	    "    {{< figure src=\"x\" >}}\n"
	    "\n"
	    "    more {{< vimeo 1 >}}\n"
	    "Text {{< vimeo 2 >}}\n",
	    "Para\n"
	    "\n"
	    "    {{< figure src=\"x\" >}}\n"
	    "\n"
	    "    more {{< vimeo 1 >}}\n"
	    "Text\n"
	    "\n"
	    "[Video: 2](https://vimeo.com/2)\n"
	    "\n",
	    0, 0, NULL },
	{ "unterminated hugo",
	    "Start {{< figure src=\"x\"\n"
	    "\n"
	    "Next {{< vimeo 3 >}}\n",
	    "Start {{< figure src=\"x\"\n"
	    "\n"
	    "Next\n"
	    "\n"
	    "[Video: 3](https://vimeo.com/3)\n"
	    "\n",
	    1, 1, "unterminated shortcode '{{<'" },
	{ "unterminated zola",
	    "Start {{ youtube(id=\"x\")\n",
	    "Start {{ youtube(id=\"x\")\n",
	    1, 1, "unterminated shortcode '{{'" },
	{ "nested opener",
	    "{{< a {{< vimeo 4 >}}\n",
	    "{{< a\n"
	    "\n"
	    "[Video: 4](https://vimeo.com/4)\n"
	    "\n",
	    1, 1, "unterminated shortcode '{{<'" },
	{ "malformed",
	    "I {{<3 you>}} and {{< \"x\" >}}.\n",
	    "I {{<3 you>}} and {{< \"x\" >}}.\n",
	    2, 1, "malformed shortcode" },
	{ "closing known dropped",
	    "a {{< /figure >}} b {{< figure src=\"s.png\" alt=\"S\" >}}{{< /figure >}}\n",
	    "a  b\n"
	    "\n"
	    "![S](s.png)\n"
	    "\n"
	    "\n",
	    0, 0, NULL },
	{ "zola end without block",
	    "x {% end %} y\n",
	    "x  y\n",
	    0, 0, NULL },
	{ "prose template braces",
	    "Write {{ title }} or {% if x %} in templates.\n",
	    "Write {{ title }} or {% if x %} in templates.\n",
	    0, 0, NULL },
	{ "no trailing newline",
	    "{{< vimeo 5 >}}",
	    "[Video: 5](https://vimeo.com/5)\n",
	    0, 0, NULL },
	{ "empty",
	    "",
	    "",
	    0, 0, NULL },
	{ "crlf-free unicode",
	    "Look Back {{< figure src=\"/images/ルックバック.png\" alt=\"藤野\" >}}\n",
	    "Look Back\n"
	    "\n"
	    "![藤野](/images/ルックバック.png)\n"
	    "\n",
	    0, 0, NULL },
};

static void
run_cases(void)
{
	const struct tcase *c;
	struct buf out = BUF_INIT;
	struct diags d;
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		c = &cases[i];
		memset(&d, 0, sizeof(d));
		buf_reset(&out);
		T_INT(shortcode_expand(c->in, strlen(c->in), 1, &out, &d), 0);
		if (strcmp(out.data, c->want) != 0 || d.n != (size_t)c->nwarn)
			fprintf(stderr, "case \"%s\":\n", c->name);
		T_STR(out.data, c->want);
		T_INT(d.n, c->nwarn);
		if (c->nwarn > 0 && d.n > 0) {
			T_INT(d.v[0].line, c->line);
			T_STR(d.v[0].msg, c->msg);
			T_INT(d.v[0].level, DIAG_WARN);
		}
		diags_free(&d);
	}
	buf_free(&out);
}

/* Lines count from line_base, across multi-line tags and code. */
static void
warning_lines(void)
{
	static const char md[] =
	    "{{< one >}}\n"			/* 10 */
	    "```\n{{< fenced >}}\n```\n"	/* 11-13 */
	    "{{< figure\n  src=\"a.png\" >}} {{< two >}}\n"	/* 14-15 */
	    "\n"
	    "{{< one >}} {{< three\n"		/* 17 */
	    "\n"
	    "{% four() %}\n";			/* 19 */
	struct buf out = BUF_INIT;
	struct diags d;

	memset(&d, 0, sizeof(d));
	shortcode_expand(md, strlen(md), 10, &out, &d);
	T_INT(d.n, 4);
	if (d.n == 4) {
		T_INT(d.v[0].line, 10);
		T_STR(d.v[0].msg, "unknown shortcode 'one'");
		T_INT(d.v[1].line, 15);
		T_STR(d.v[1].msg, "unknown shortcode 'two'");
		T_INT(d.v[2].line, 17);
		T_STR(d.v[2].msg, "unterminated shortcode '{{<'");
		T_INT(d.v[3].line, 19);
		T_STR(d.v[3].msg, "unknown shortcode 'four'");
	}
	diags_free(&d);

	/* a NULL list is allowed: problems are then not reported */
	buf_reset(&out);
	shortcode_expand("{{< nope", 8, 1, &out, NULL);
	T_STR(out.data, "{{< nope");
	buf_free(&out);
}

static char *
repeat(const char *unit, size_t n, size_t *len)
{
	size_t u = strlen(unit), i;
	char *s = xmalloc(u * n + 1);

	for (i = 0; i < n; i++)
		memcpy(s + i * u, unit, u);
	s[u * n] = '\0';
	*len = u * n;
	return s;
}

/* Each input runs in well under a second when the pass is linear. */
static void
pathological(void)
{
	static const struct {
		const char *unit;
		size_t n;
	} inputs[] = {
		{ "Para {{< figure src=\"/i/x.png\" alt=\"a\" caption=\"c\" >}} t\n", 5000 },
		{ "[x]({{< ref \"p\" >}}) ", 5000 },
		{ "{{< ", 200000 },
		{ "{{% a ", 200000 },
		{ "{{ a( ", 200000 },
		{ "{% a( ", 200000 },
		{ "{{</* ", 200000 },
		{ "{{< x {{< y >}} ", 50000 },
		{ "{{< highlight go >}}\n", 50000 },
		{ "{{< highlight go >}} /highlight ", 100000 },
		{ "` `` ``` x ", 100000 },
		{ "- a {{< figure src=\"a\" >}}\n", 20000 },
		{ ">", 100000 },
	};
	struct buf out = BUF_INIT;
	struct diags d;
	clock_t t0;
	double secs;
	size_t i, len;
	char *md;

	for (i = 0; i < ARRAY_LEN(inputs); i++) {
		md = repeat(inputs[i].unit, inputs[i].n, &len);
		memset(&d, 0, sizeof(d));
		buf_reset(&out);
		t0 = clock();
		shortcode_expand(md, len, 1, &out, &d);
		secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
		if (secs > 2.0)
			fprintf(stderr, "input %zu (\"%s\" x %zu): %.2fs\n", i,
			    inputs[i].unit, inputs[i].n, secs);
		T_OK(secs <= 2.0);
		T_OK(d.n <= 101);	/* warnings are capped */
		diags_free(&d);
		free(md);
	}
	buf_free(&out);
}

int
main(void)
{
	run_cases();
	warning_lines();
	pathological();
	return t_done();
}
