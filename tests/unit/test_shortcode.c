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
	int nwarn;	 /* warnings expected */
	int line;	 /* line of the first one */
	const char *msg; /* text of the first one */
} cases[] = {
	{ "plain text passes", "No shortcodes here {{ maybe }} {x}.\n",
	    "No shortcodes here {{ maybe }} {x}.\n", 0, 0, NULL },
	{ "no opener at all: copied as is",
	    "Braces { alone }, {x}, `{` and {\n%} split\r\n    { code }\n{",
	    "Braces { alone }, {x}, `{` and {\n%} split\r\n    { code }\n{", 0,
	    0, NULL },
	{ "an opener as the last two bytes", "Text then {{", "Text then {{", 0,
	    0, NULL },
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
	{ "figure file name", "{{< figure src=\"/img/desk.png?w=2#x\" />}}\n",
	    "![desk.png](/img/desk.png?w=2#x)\n"
	    "\n",
	    0, 0, NULL },
	{ "figure percent form", "{{% figure src=\"p.png\" alt=\"pct\" %}}\n",
	    "![pct](p.png)\n"
	    "\n",
	    0, 0, NULL },
	{ "figure single quotes",
	    "{{< figure src='s.png' alt='it is \"quoted\"' >}}\n",
	    "![it is \"quoted\"](s.png)\n"
	    "\n",
	    0, 0, NULL },
	{ "figure raw string",
	    "{{< figure src=`r.png` alt=`raw \\n text` >}}\n",
	    "![raw \\n text](r.png)\n"
	    "\n",
	    0, 0, NULL },
	{ "figure unquoted", "{{< figure src=/u.png alt=bare >}}\n",
	    "![bare](/u.png)\n"
	    "\n",
	    0, 0, NULL },
	{ "figure positional", "{{< figure \"pos.png\" >}}\n",
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
	{ "figure without src", "a {{< figure alt=\"x\" >}} b\n", "a x b\n", 1,
	    1, "figure without src" },
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
	{ "youtube positional", "{{< youtube dQw4w9WgXcQ >}}\n",
	    "[Video: dQw4w9WgXcQ](https://www.youtube.com/watch?v=dQw4w9WgXcQ)\n"
	    "\n",
	    0, 0, NULL },
	{ "youtube named",
	    "{{< youtube id=\"abc\" title=\"Look Back trailer\" >}}\n",
	    "[Video: Look Back trailer](https://www.youtube.com/watch?v=abc)\n"
	    "\n",
	    0, 0, NULL },
	{ "youtube inline", "Watch {{< youtube abc >}} now.\n",
	    "Watch\n"
	    "\n"
	    "[Video: abc](https://www.youtube.com/watch?v=abc)\n"
	    "\n"
	    "now.\n",
	    0, 0, NULL },
	{ "vimeo", "{{< vimeo 12345 >}}\n",
	    "[Video: 12345](https://vimeo.com/12345)\n"
	    "\n",
	    0, 0, NULL },
	{ "zola youtube", "{{ youtube(id=\"zid\") }}\n",
	    "[Video: zid](https://www.youtube.com/watch?v=zid)\n"
	    "\n",
	    0, 0, NULL },
	{ "zola youtube extra args",
	    "{{ youtube(id=\"zid\", autoplay=true, class=\"wide\") }}\n",
	    "[Video: zid](https://www.youtube.com/watch?v=zid)\n"
	    "\n",
	    0, 0, NULL },
	{ "youtube without id", "{{< youtube >}}\n", "\n", 1, 1,
	    "youtube shortcode without an id" },
	{ "ref in link", "[Soundtrack]({{< ref \"posts/soundtrack.md\" >}})\n",
	    "[Soundtrack](posts/soundtrack.md)\n", 0, 0, NULL },
	{ "ref no extension",
	    "[x]({{< ref \"posts/manga\" >}}) [y]({{< relref \"/posts/anime/\" >}})\n",
	    "[x](posts/manga.md) [y](/posts/anime.md)\n", 0, 0, NULL },
	{ "ref anchor",
	    "[x]({{< relref \"notes#part-two\" >}}) [y]({{< ref \"#top\" >}})\n",
	    "[x](notes.md#part-two) [y](#top)\n", 0, 0, NULL },
	{ "ref path arg", "[x]({{< ref path=\"a b.md\" >}})\n",
	    "[x](a%20b.md)\n", 0, 0, NULL },
	{ "ref dotted dir", "{{< ref \"v1.2/page\" >}}\n",
	    "[v1.2/page.md](v1.2/page.md)\n", 0, 0, NULL },
	{ "bare ref: a link whose text is its target",
	    "See {{< ref \"posts/my_trip\" >}} and {{< relref \"a b#x\" >}}.\n",
	    "See [posts/my\\_trip.md](posts/my_trip.md) and "
	    "[a%20b.md#x](a%20b.md#x).\n",
	    0, 0, NULL },
	{ "ref in a reference definition and an href",
	    "[t]: {{< ref \"p\" >}}\n<a href=\"{{< relref \"q\" >}}\">q</a>\n",
	    "[t]: p.md\n<a href=\"q.md\">q</a>\n", 0, 0, NULL },
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
	{ "gist", "{{< gist spf13 7896402 >}}\n",
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
	{ "x", "{{< x user=\"SanDiegoZoo\" id=\"1453110110599868418\" >}}\n",
	    "[Post by @SanDiegoZoo](https://x.com/SanDiegoZoo/status/1453110110599868418)\n"
	    "\n",
	    0, 0, NULL },
	{ "instagram", "{{< instagram BWNjjyYFxVx >}}\n",
	    "[Instagram post BWNjjyYFxVx](https://www.instagram.com/p/BWNjjyYFxVx/)\n"
	    "\n",
	    0, 0, NULL },
	{ "unknown paired",
	    "{{< spoiler warning >}}\n"
	    "Careful.\n"
	    "{{< /spoiler >}}\n",
	    "\n"
	    "Careful.\n"
	    "\n",
	    1, 1, "unknown shortcode 'spoiler'" },
	{ "unknown once per name",
	    "{{< a >}}x{{< /a >}} {{< a >}}y{{< /a >}} {{% b %}}z{{% /b %}}\n",
	    "x y z\n", 2, 1, "unknown shortcode 'a'" },
	{ "unknown zola",
	    "{% spoiler(kind=\"info\") %}\n"
	    "Inside\n"
	    "{% end %}\n"
	    "{{ other() }}\n",
	    "\n"
	    "Inside\n"
	    "\n"
	    "\n",
	    2, 1, "unknown shortcode 'spoiler'" },
	{ "escaped hugo",
	    "Use {{</* figure src=\"x.png\" */>}} and {{%/* ref \"y\" */%}}.\n",
	    "Use {{< figure src=\"x.png\" >}} and {{% ref \"y\" %}}.\n", 0, 0,
	    NULL },
	{ "escaped zola",
	    "Use {{/* youtube(id=\"x\") */}} and {%/* note() */%}.\n",
	    "Use {{ youtube(id=\"x\") }} and {% note() %}.\n", 0, 0, NULL },
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
	{ "unmatched backtick", "A ` lone {{< vimeo 7 >}}\n",
	    "A ` lone\n"
	    "\n"
	    "[Video: 7](https://vimeo.com/7)\n"
	    "\n",
	    0, 0, NULL },
	{ "escaped backtick", "A \\`{{< vimeo 8 >}}\\`\n",
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
	{ "unterminated zola", "Start {{ youtube(id=\"x\")\n",
	    "Start {{ youtube(id=\"x\")\n", 1, 1,
	    "unterminated shortcode '{{'" },
	{ "nested opener", "{{< a {{< vimeo 4 >}}\n",
	    "{{< a\n"
	    "\n"
	    "[Video: 4](https://vimeo.com/4)\n"
	    "\n",
	    1, 1, "unterminated shortcode '{{<'" },
	{ "malformed", "I {{<3 you>}} and {{< \"x\" >}}.\n",
	    "I {{<3 you>}} and {{< \"x\" >}}.\n", 2, 1, "malformed shortcode" },
	{ "closing known dropped",
	    "a {{< /figure >}} b {{< figure src=\"s.png\" alt=\"S\" >}}{{< /figure >}}\n",
	    "a  b\n"
	    "\n"
	    "![S](s.png)\n"
	    "\n"
	    "\n",
	    0, 0, NULL },
	{ "zola end without block", "x {% end %} y\n", "x  y\n", 0, 0, NULL },
	{ "prose template braces",
	    "Write {{ title }} or {% if x %} in templates.\n",
	    "Write {{ title }} or {% if x %} in templates.\n", 0, 0, NULL },
	{ "no trailing newline", "{{< vimeo 5 >}}",
	    "[Video: 5](https://vimeo.com/5)\n", 0, 0, NULL },
	{ "empty", "", "", 0, 0, NULL },
	{ "crlf-free unicode",
	    "Look Back {{< figure src=\"/images/ルックバック.png\" alt=\"藤野\" >}}\n",
	    "Look Back\n"
	    "\n"
	    "![藤野](/images/ルックバック.png)\n"
	    "\n",
	    0, 0, NULL },
	/* Zola figure: image=, path=; captions stay Markdown */
	{ "zola figure image",
	    "{{ figure(image=\"cover.jpg\", alt=\"The cover\", caption=\"Shot by *me*, see [site](https://e.org) &amp; more\") }}\n",
	    "![The cover](cover.jpg)\n"
	    "\n"
	    "Shot by *me*, see [site](https://e.org) &amp; more\n"
	    "\n",
	    0, 0, NULL },
	{ "zola figure path, caption as label",
	    "{{ figure(path=\"a/b.png\", caption=\"A _b_\") }}\n",
	    "![A _b_](a/b.png)\n"
	    "\n",
	    0, 0, NULL },
	{ "figure caption with a stray bracket is escaped",
	    "{{< figure src=\"x.png\" alt=\"x\" caption=\"a ] b\" >}}\n",
	    "![x](x.png)\n"
	    "\n"
	    "a \\] b\n"
	    "\n",
	    0, 0, NULL },
	{ "video url",
	    "{{ video(url=\"https://e.org/v/clip.mp4\") }}\n"
	    "{{< video src=\"/v/a.webm\" title=\"A walk\" >}}\n",
	    "[Video: clip.mp4](https://e.org/v/clip.mp4)\n"
	    "\n"
	    "[Video: A walk](/v/a.webm)\n"
	    "\n",
	    0, 0, NULL },
	{ "zola gist url",
	    "{{ gist(url=\"https://gist.github.com/k/e5fb\") }}\n",
	    "[Gist](https://gist.github.com/k/e5fb)\n"
	    "\n",
	    0, 0, NULL },
	{ "zola youtube and vimeo",
	    "{{ youtube(id=\"dQw4w9WgXcQ\") }}\n{{ vimeo(id=\"124313553\") }}\n",
	    "[Video: dQw4w9WgXcQ](https://www.youtube.com/watch?v=dQw4w9WgXcQ)\n"
	    "\n"
	    "[Video: 124313553](https://vimeo.com/124313553)\n"
	    "\n",
	    0, 0, NULL },
	/* admonitions: a labelled quote */
	{ "notice",
	    "{{< notice warning >}}\n"
	    "Careful with *this*.\n"
	    "Second line.\n"
	    "\n"
	    "Second paragraph.\n"
	    "{{< /notice >}}\n"
	    "After.\n",
	    "> Warning: Careful with *this*.\n"
	    "> Second line.\n"
	    ">\n"
	    "> Second paragraph.\n"
	    "\n"
	    "After.\n",
	    0, 0, NULL },
	{ "admonition with title, percent form",
	    "{{% admonition type=\"tip\" title=\"Faster\" %}}\n"
	    "Use the cache.\n"
	    "{{% /admonition %}}\n",
	    "> Tip: Faster\n"
	    ">\n"
	    "> Use the cache.\n"
	    "\n",
	    0, 0, NULL },
	{ "note without a kind, body opening with a list",
	    "{{< note >}}\n"
	    "- one\n"
	    "- two\n"
	    "{{< /note >}}\n",
	    "> Note:\n"
	    ">\n"
	    "> - one\n"
	    "> - two\n"
	    "\n",
	    0, 0, NULL },
	{ "callout and hint default to Note; nested shortcodes expand",
	    "{{< callout >}}See {{< figure src=\"f.png\" alt=\"F\" >}}{{< /callout >}}\n"
	    "{{< hint info >}}Hi{{< /hint >}}\n",
	    "> Note: See\n"
	    ">\n"
	    "> ![F](f.png)\n"
	    "\n"
	    "> Info: Hi\n"
	    "\n",
	    0, 0, NULL },
	{ "zola block admonition, nested blocks",
	    "{% alert(type=\"danger\") %}\n"
	    "Hot.\n"
	    "{% details(summary=\"More\") %}\n"
	    "Inside.\n"
	    "{% end %}\n"
	    "{% end %}\n"
	    "Out.\n",
	    "> Danger: Hot.\n"
	    ">\n"
	    "> More\n"
	    ">\n"
	    "> Inside.\n"
	    "\n"
	    "Out.\n",
	    0, 0, NULL },
	{ "zola inline note with a body argument",
	    "{{ note(body=\"Short.\") }}\n",
	    "> Note: Short.\n"
	    "\n",
	    0, 0, NULL },
	{ "unclosed admonition keeps its body", "{{< tip >}}\nBody stays.\n",
	    "\nBody stays.\n", 1, 1, "unclosed shortcode 'tip'" },
	{ "unclosed zola admonition keeps its body",
	    "{% warning() %}\nBody stays.\n", "\nBody stays.\n", 1, 1,
	    "unclosed shortcode 'warning'" },
	/* code-toggle: the snippet, per format */
	{ "code-toggle toml",
	    "{{< code-toggle file=\"hugo\" >}}\n"
	    "baseURL = 'https://example.org/'\n"
	    "[params]\n"
	    "  x = \"{{< y >}}\"\n"
	    "{{< /code-toggle >}}\n",
	    "```toml\n"
	    "baseURL = 'https://example.org/'\n"
	    "[params]\n"
	    "  x = \"{{< y >}}\"\n"
	    "```\n"
	    "\n"
	    "```yaml\n"
	    "baseURL: \"https://example.org/\"\n"
	    "params:\n"
	    "  x: \"{{< y >}}\"\n"
	    "```\n"
	    "\n"
	    "```json\n"
	    "{\n"
	    "  \"baseURL\": \"https://example.org/\",\n"
	    "  \"params\": {\n"
	    "    \"x\": \"{{< y >}}\"\n"
	    "  }\n"
	    "}\n"
	    "```\n"
	    "\n",
	    0, 0, NULL },
	{ "code-toggle with TOML that does not parse: as written",
	    "{{< code-toggle >}}\na = \n{{< /code-toggle >}}\n",
	    "```toml\na = \n```\n\n", 0, 0, NULL },
	{ "code-toggle yaml and json",
	    "{{< code-toggle >}}\ntitle: x\n{{< /code-toggle >}}\n"
	    "{{< code-toggle fm=true >}}\n{\"a\": 1}\n{{< /code-toggle >}}\n",
	    "```yaml\n"
	    "title: x\n"
	    "```\n"
	    "\n"
	    "```json\n"
	    "{\"a\": 1}\n"
	    "```\n"
	    "\n",
	    0, 0, NULL },
	{ "code-toggle holding a fence keeps it",
	    "{{< code-toggle >}}\n```toml\na = 1\n```\n{{< /code-toggle >}}\n",
	    "```toml\na = 1\n```\n"
	    "\n",
	    0, 0, NULL },
	/* include and param without the site's callbacks */
	{ "include without a reader", "A {{% include \"/_common/x.md\" %}} b\n",
	    "A  b\n", 1, 1,
	    "include '/_common/x.md': files cannot be read here; its text is left out" },
	{ "param without a value", "v{{< param \"version\" >}}.\n", "v.\n", 1,
	    1, "param 'version' has no value here; left out" },
	/* unknown shortcodes keep their text-like arguments */
	{ "unknown keeps alt, caption, title, text, label",
	    "See {{< img-lazy src=\"a.png\" alt=\"A cat\" caption=\"On a *mat*\" title=\"A cat\" >}} here.\n",
	    "See A cat \xe2\x80\x94 On a *mat* here.\n", 1, 1,
	    "unknown shortcode 'img-lazy'" },
	{ "unknown zola keeps text",
	    "{{ button(text=\"Download\", url=\"/d\") }}\n", "Download\n", 1, 1,
	    "unknown shortcode 'button'" },
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
	    "{{< one >}}\n"				    /* 10 */
	    "```\n{{< fenced >}}\n```\n"		    /* 11-13 */
	    "{{< figure\n  src=\"a.png\" >}} {{< two >}}\n" /* 14-15 */
	    "\n"
	    "{{< one >}} {{< three\n" /* 17 */
	    "\n"
	    "{% four() %}\n"; /* 19 */
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

/* An in-memory site for include and readfile. */
static const struct {
	enum shortcode_root kind;
	const char *path, *text;
} files[] = {
	{ SHORTCODE_CONTENT, "_common/install.md",
	    "---\n_build:\n  render: never\n---\nRun `make`.\n\n{{% include \"more\" %}}\n" },
	{ SHORTCODE_CONTENT, "_common/more.md",
	    "More {{< figure src=\"m.png\" alt=\"M\" >}} text.\n" },
	{ SHORTCODE_CONTENT, "docs/local.md", "Local {{< bogus >}}.\n" },
	{ SHORTCODE_CONTENT, "docs/section/index.md", "Bundle text.\n" },
	{ SHORTCODE_CONTENT, "loop/a.md", "A {{% include \"b.md\" %}}\n" },
	{ SHORTCODE_CONTENT, "loop/b.md",
	    "B {{% include \"/loop/a.md\" %}}\n" },
	{ SHORTCODE_SITE, "code/main.go", "package main\n\tfunc main() {}\n" },
	{ SHORTCODE_SITE, "notes/x.md", "*Notes* here.\n" },
};

static int
fake_read(void *arg, enum shortcode_root kind, const char *path,
    struct buf *out)
{
	size_t i;

	(*(int *)arg)++;
	for (i = 0; i < ARRAY_LEN(files); i++)
		if (files[i].kind == kind && strcmp(files[i].path, path) == 0) {
			buf_adds(out, files[i].text);
			return 0;
		}
	return -1;
}

static const char *
fake_param(void *arg, const char *name)
{
	(void)arg;
	return strcmp(name, "version") == 0 ? "1.2 *beta*" : NULL;
}

static void
includes(void)
{
	static const struct {
		const char *in, *want, *warn;
	} c[] = {
		{ "{{% include \"/_common/install.md\" %}}\n",
		    "Run `make`.\n\nMore\n\n![M](m.png)\n\ntext.\n\n", NULL },
		{ "{{% include \"local\" %}}\n", "Local .\n\n",
		    "docs/local.md:1: unknown shortcode 'bogus'" },
		{ "{{< include \"section\" >}}\n", "Bundle text.\n\n", NULL },
		{ "{{% include \"./../docs/./local.md\" %}}\n", "Local .\n\n",
		    "docs/local.md:1: unknown shortcode 'bogus'" },
		{ "{{% include \"/loop/a.md\" %}}\n", "A\n\nB\n\n",
		    "loop/a.md:1: loop/b.md:1: include '/loop/a.md' includes "
		    "itself; refused" },
		{ "x {{% include \"../../etc/passwd\" %}} y\n", "x  y\n",
		    "include '../../etc/passwd' is outside the site; refused" },
		{ "{{% include \"nothere\" %}}\n", "\n",
		    "include 'nothere': cannot read it; its text is left out" },
		{ "{{< readfile file=\"/code/main.go\" >}}\n",
		    "```go\npackage main\n\tfunc main() {}\n```\n\n", NULL },
		{ "{{< readfile file=\"notes/x.md\" >}}\n", "*Notes* here.\n\n",
		    NULL },
		{ "v{{< param \"version\" >}}\n", "v1\\.2 \\*beta\\*\n", NULL },
	};
	struct shortcode_opts o;
	struct buf out = BUF_INIT;
	struct diags d;
	size_t i;
	int reads = 0;

	memset(&o, 0, sizeof(o));
	o.read = fake_read;
	o.read_arg = &reads;
	o.dir = "docs";
	o.param = fake_param;
	for (i = 0; i < ARRAY_LEN(c); i++) {
		memset(&d, 0, sizeof(d));
		buf_reset(&out);
		shortcode_expand_opts(c[i].in, strlen(c[i].in), 1, &o, &out,
		    &d);
		if (strcmp(out.data, c[i].want) != 0 ||
		    d.n != (c[i].warn != NULL))
			fprintf(stderr, "include case %zu\n", i);
		T_STR(out.data, c[i].want);
		T_INT(d.n, c[i].warn != NULL);
		if (d.n > 0 && c[i].warn)
			T_STR(d.v[0].msg, c[i].warn);
		diags_free(&d);
	}
	T_OK(reads > 0);

	/* a page may include at most 256 files, nested ones counted */
	buf_reset(&out);
	{
		struct buf md = BUF_INIT;

		for (i = 0; i < 300; i++)
			buf_adds(&md, "{{% include \"section\" %}}\n");
		memset(&d, 0, sizeof(d));
		shortcode_expand_opts(md.data, md.len, 1, &o, &out, &d);
		T_INT(d.n, 44);
		if (d.n > 0)
			T_STR(d.v[0].msg,
			    "include 'section': more than 256 "
			    "files included; left out");
		T_INT(d.n > 0 ? d.v[0].line : 0, 257);
		diags_free(&d);
		buf_free(&md);
	}
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
		{ "Para {{< figure src=\"/i/x.png\" alt=\"a\" caption=\"c\" >}} t\n",
		    5000 },
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
		{ "{{< notice >}}\n", 50000 },
		{ "{{< notice >}}x{{< /notice >}}\n", 50000 },
		{ "{% note() %}\n", 50000 },
		{ "{% note() %} x {% end %}", 50000 },
		{ "{% note() %}{% note() %}{% end %}", 50000 },
		{ "{{< code-toggle >}}\na = 1\n", 50000 },
		{ "{{% include \"x\" %}}", 50000 },
		{ "{{ figure(image=\"a\", caption=\"[[[[\") }}\n", 20000 },
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
		T_OK(d.n <= 101); /* warnings are capped */
		diags_free(&d);
		free(md);
	}
	buf_free(&out);
}

/* Deep nesting: each level re-reads its body, at most SC_MAX_NEST times. */
static void
nested(void)
{
	static const char *const open[] = { "{% note() %}", "{{< notice >}}" };
	static const char *const close[] = { "{% end %}", "{{< /notice >}}" };
	struct buf md = BUF_INIT, out = BUF_INIT;
	struct diags d;
	clock_t t0;
	size_t i, k;

	for (k = 0; k < 2; k++) {
		buf_reset(&md);
		for (i = 0; i < 20000; i++)
			buf_adds(&md, open[k]);
		buf_adds(&md, "deep");
		for (i = 0; i < 20000; i++)
			buf_adds(&md, close[k]);
		memset(&d, 0, sizeof(d));
		buf_reset(&out);
		t0 = clock();
		shortcode_expand(md.data, md.len, 1, &out, &d);
		T_OK((double)(clock() - t0) / CLOCKS_PER_SEC <= 2.0);
		T_OK(strstr(out.data, "deep") != NULL);
		diags_free(&d);
	}
	buf_free(&md);
	buf_free(&out);
}

int
main(void)
{
	run_cases();
	includes();
	warning_lines();
	pathological();
	nested();
	return t_done();
}
