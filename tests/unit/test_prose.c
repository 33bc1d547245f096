/*
 * test_prose: which paragraphs are hard-wrapped, and the titles of files
 * with nothing but text (tables of cases).
 */
#include <stdlib.h>
#include <string.h>

#include "prose.h"
#include "t.h"

static const struct {
	const char *text;
	int wrapped;
} wraps[] = {
	/* one line, or only hard breaks: nothing to decide */
	{ "A single line.", 1 },
	{ "Roses are red,  \nviolets are blue,\\\nand so on.", 1 },
	/* wrapped at 72 and at 30 columns, ragged by a word each */
	{ "The film is short, fifty-seven minutes, and it still finds time for\n"
	  "two whole lives: a desk by the window, a stack of sketchbooks, and\n"
	  "the snow falling outside while the pencil never stops.",
	    1 },
	{ "A paragraph is one text line,\neven when the source wraps it\n"
	  "over three lines.",
	    1 },
	/* a whole link moved down counts as one unit */
	{ "Watch [Look Back](https://gkids.com/films/look-back/) by\n"
	  "[Tatsuki Fujimoto](https://en.wikipedia.org/wiki/Tatsuki_Fujimoto), then watch\n"
	  "[Look Back](https://gkids.com/films/look-back/) again.",
	    1 },
	/* a long URL does not make the line look unwrapped */
	{ "The studio's notes are at https://example.com/a/very/long/path/that/goes/on/and/on/for/a/while/yes/really/longer/still.html\n"
	  "and they are worth a look for anyone who liked the pencil work.",
	    1 },
	/* a definition before the text is not text */
	{ "[ref]: https://example.com/ref\nThe film is short and it is good.",
	    1 },
	/* scraped: every line a paragraph */
	{ "Title of the review\nThe first paragraph runs on and on for a long "
	  "while, longer than any editor would wrap a line, because it was "
	  "copied from a web page where the browser wrapped it.\nShort one.",
	    0 },
	/* soft-wrapped by the editor, one sentence per line, short */
	{ "I liked it.\nThe music, the art and the quiet were all I wanted "
	  "from it.\nGo and see it.",
	    0 },
	/* lines too short to be wrapping */
	{ "- Other Apps\nComments\nPost a Comment", 0 },
	{ "Get link\nOther Apps", 0 },
};

static const struct {
	const char *md;
	int plain;
	const char *title;
} titles[] = {
	{ "Some text.\n\n#### Sound\n", 1, "Sound" },
	{ "Look Back\n=========\n\nText.\n\n#### Sound\n", 1, "Look Back" },
	{ "Two line\nsetext title\n---\n", 1, "Two line setext title" },
	{ "```\n# not a heading\n```\n## Real one ##\n", 1, "Real one" },
	{ "- Get link\n- X\nThe Movie Every Fan Must See\nIts text is long, "
	  "much longer than the title above it, as scraped text is.\n",
	    1, "The Movie Every Fan Must See" },
	{ "- Get link\n- X\nThe Movie Every Fan Must See\nIt is long.\n", 0,
	    NULL },
	{ "This first line is already the text of the review.\n", 1, NULL },
	{ "A review written in an editor that wraps at seventy-two columns. The\n"
	  "lines stop where the next word would not fit, and the sentence goes\n"
	  "on below.\n",
	    1, NULL },
	{ "[A link](https://x.org)\n**Bold title**\nText.\n", 1, "Bold title" },
	{ "- a\n- b\n", 1, NULL },
	{ "- a\n---\n", 1, NULL },
	{ "", 1, NULL },
};

static const struct {
	const char *stem, *title;
} names[] = {
	{ "001_fcbd288158d8f6b1", "001 fcbd288158d8f6b1" },
	{ "my-first--post", "My first post" },
	{ "_x_", "X" },
};

int
main(void)
{
	size_t i;
	char *t;

	for (i = 0; i < sizeof(wraps) / sizeof(wraps[0]); i++) {
		int got =
		    prose_hard_wrapped(wraps[i].text, strlen(wraps[i].text));

		if (got != wraps[i].wrapped)
			fprintf(stderr, "case %zu: %.40s\n", i, wraps[i].text);
		T_INT(got, wraps[i].wrapped);
	}
	for (i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
		t = prose_title(titles[i].md, strlen(titles[i].md),
		    titles[i].plain);
		T_STR(t, titles[i].title);
		free(t);
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		t = prose_name_title(names[i].stem);
		T_STR(t, names[i].title);
		free(t);
	}
	return t_done();
}
