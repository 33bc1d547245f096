/*
 * test_mime: lookups against the built-in table, after loading a small
 * inline mime.types text, and against the system's /etc/mime.types.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "t.h"
#include "util.h"

#define OCTET "application/octet-stream"

struct lookup_case {
	const char *path, *want;
};

static const struct lookup_case builtin_cases[] = {
	{ "index.gmi", "text/gemini" },
	{ "/posts/hello.gemini", "text/gemini" },
	{ "INDEX.GMI", "text/gemini" },
	{ "a/b/c/Readme.Gmi", "text/gemini" },
	{ "notes.md", "text/markdown" },
	{ "notes.markdown", "text/markdown" },
	{ "robots.txt", "text/plain" },
	{ "page.html", "text/html" },
	{ "page.htm", "text/html" },
	{ "style.css", "text/css" },
	{ "app.js", "text/plain" },
	/* source files read as text, whatever mime.types says */
	{ "main.rs", "text/plain" },
	{ "main.go", "text/plain" },
	{ "x.py", "text/plain" },
	{ "x.c", "text/plain" },
	{ "x.h", "text/plain" },
	{ "hugo.toml", "text/plain" },
	{ "a.scss", "text/plain" },
	{ "run.sh", "text/plain" },
	{ "x.ts", "text/plain" },
	{ "x.yaml", "text/plain" },
	{ "x.YML", "text/plain" },
	{ "fix.patch", "text/plain" },
	{ "data.json", "application/json" },
	{ "data.xml", "application/xml" },
	{ "atom.xml", "application/xml" },
	{ "feed.atom", "application/atom+xml" },
	{ "feed.rss", "application/rss+xml" },
	{ "a.png", "image/png" },
	{ "a.PNG", "image/png" },
	{ "a.jpg", "image/jpeg" },
	{ "a.jpeg", "image/jpeg" },
	{ "a.JpEg", "image/jpeg" },
	{ "a.gif", "image/gif" },
	{ "a.webp", "image/webp" },
	{ "a.svg", "image/svg+xml" },
	{ "a.avif", "image/avif" },
	{ "favicon.ico", "image/vnd.microsoft.icon" },
	{ "a.mp3", "audio/mpeg" },
	{ "a.ogg", "audio/ogg" },
	{ "a.opus", "audio/ogg" },
	{ "a.flac", "audio/flac" },
	{ "a.wav", "audio/wav" },
	{ "a.mp4", "video/mp4" },
	{ "a.webm", "video/webm" },
	{ "a.pdf", "application/pdf" },
	{ "a.zip", "application/zip" },
	{ "a.tar.gz", "application/gzip" },
	{ "a.tar", "application/x-tar" },
	{ "a.epub", "application/epub+zip" },
	{ "a.woff", "font/woff" },
	{ "a.woff2", "font/woff2" },
	{ "a.csv", "text/csv" },
	/* The last extension counts; none, or a dotfile: octet-stream. */
	{ "archive.gmi.zip", "application/zip" },
	{ "dir.png/file", OCTET },
	{ "Makefile", OCTET },
	{ "", OCTET },
	{ "/", OCTET },
	{ "dir/", OCTET },
	{ "file.", OCTET },
	{ ".gmi", OCTET },
	{ "/x/.env", OCTET },
	{ ".config.json", OCTET },
	{ "a.unknownext", OCTET },
	{ "a.gmi~", OCTET },
	{ "a.g", OCTET },
	{ "a.0123456789012345678901234567890123456789", OCTET },
	{ "a.\xc3\xa9", OCTET },
};

/* Tries to remap built-ins and adds a few new types. */
static const char inline_text[] =
    "# a comment line\n"
    "\n"
    "text/x-gemini-bad\tgmi gemini md\n"
    "application/x-evil png txt\n"
    "text/x-foo\t\tfoo FOOBAR  # trailing comment gmi\n"
    "application/x-bar bar\r\n"
    "application/x-first dup\n"
    "application/x-second dup\n"
    "  text/x-indented   ind\n"
    "notatype ntp\n"
    "text/plain;charset=utf-8 semi\n"
    "a/b/c abc\n"
    "/x slashfirst\n"
    "x/ slashlast\n"
    "text/x-long aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
    "text/x-badext ok.ext b/ad good\n"
    "Text/X-Upper UPPER\n"
    "# text/x-commented cmt\n"
    "text/x-last last"; /* no final newline */

static const struct lookup_case loaded_cases[] = {
	{ "index.gmi", "text/gemini" },
	{ "x.gemini", "text/gemini" },
	{ "x.md", "text/markdown" },
	{ "x.png", "image/png" },
	{ "x.txt", "text/plain" },
	{ "x.foo", "text/x-foo" },
	{ "x.FOO", "text/x-foo" },
	{ "x.foobar", "text/x-foo" },
	{ "x.bar", "application/x-bar" },
	{ "x.dup", "application/x-first" },
	{ "x.ind", "text/x-indented" },
	{ "x.ntp", OCTET },
	{ "x.semi", OCTET },
	{ "x.abc", OCTET },
	{ "x.slashfirst", OCTET },
	{ "x.slashlast", OCTET },
	{ "x.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", OCTET },
	{ "x.ext", OCTET },
	{ "x.good", "text/x-badext" },
	{ "x.upper", "text/x-upper" },
	{ "x.cmt", OCTET },
	{ "x.last", "text/x-last" },
	{ "x.unknownext", OCTET },
};

static void
run(const struct mime *m, const struct lookup_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(mime_lookup(m, c[i].path), c[i].want) != 0)
			fprintf(stderr, "path \"%s\"\n", c[i].path);
		T_STR(mime_lookup(m, c[i].path), c[i].want);
	}
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (f == NULL)
		return NULL;
	for (;;) {
		s = xgrow(s, &cap, *len + 4096, 1);
		n = fread(s + *len, 1, cap - *len, f);
		if (n == 0)
			break;
		*len += n;
	}
	fclose(f);
	return s;
}

int
main(void)
{
	struct mime *m;
	char *text;
	size_t len;
	int i;

	m = mime_new();
	run(m, builtin_cases, ARRAY_LEN(builtin_cases));
	mime_load_text(m, inline_text, sizeof(inline_text) - 1);
	run(m, builtin_cases, ARRAY_LEN(builtin_cases));
	run(m, loaded_cases, ARRAY_LEN(loaded_cases));
	mime_load_text(m, "", 0);
	mime_load_text(m, "text/x-nul\0nul\n", 15);
	T_STR(mime_lookup(m, "x.nul"), OCTET);
	mime_free(m);
	mime_free(NULL);

	/* Many entries force the table to grow; all stay reachable. */
	m = mime_new();
	for (i = 0; i < 2000; i++) {
		char line[64], name[64];

		snprintf(line, sizeof(line), "application/x-t%d e%d\n", i, i);
		mime_load_text(m, line, strlen(line));
		snprintf(name, sizeof(name), "f.E%d", i);
		snprintf(line, sizeof(line), "application/x-t%d", i);
		T_STR(mime_lookup(m, name), line);
	}
	T_STR(mime_lookup(m, "f.e0"), "application/x-t0");
	T_STR(mime_lookup(m, "a.gmi"), "text/gemini");
	mime_free(m);

	/* what Debian's mime.types says of .rs and .ts never wins */
	m = mime_new();
	mime_load_text(m,
	    "application/rls-services+xml rs\n"
	    "video/mp2t ts\n",
	    46);
	T_STR(mime_lookup(m, "src/main.rs"), "text/plain");
	T_STR(mime_lookup(m, "x.ts"), "text/plain");
	mime_free(m);

	if ((text = slurp("/etc/mime.types", &len)) != NULL) {
		m = mime_new();
		mime_load_text(m, text, len);
		T_STR(mime_lookup(m, "a.png"), "image/png");
		T_STR(mime_lookup(m, "a.gmi"), "text/gemini");
		T_STR(mime_lookup(m, "a.gemini"), "text/gemini");
		T_STR(mime_lookup(m, "a.md"), "text/markdown");
		T_STR(mime_lookup(m, "a.txt"), "text/plain");
		T_STR(mime_lookup(m, "Makefile"), OCTET);
		T_STR(mime_lookup(m, "lib.rs"), "text/plain");
		T_STR(mime_lookup(m, "x.ts"), "text/plain");
		T_STR(mime_lookup(m, "x.h"), "text/plain");
		T_STR(mime_lookup(m, "a.odt"),
		    "application/vnd.oasis.opendocument.text");
		mime_free(m);
		free(text);
	}
	return t_done();
}
