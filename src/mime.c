/*
 * mime: file name to MIME type through a strmap keyed by lowercased
 * extension. Built-ins go in first and the first
 * mapping of an extension wins, so a mime.types text only adds what the
 * table lacks and can never remap .gmi, .gemini or .md.
 * Pure: no I/O, never logs; the caller reads the file.
 */
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "util.h"

#define MIME_MAX_EXT  31  /* bytes of an extension we index */
#define MIME_MAX_TYPE 127 /* bytes of a type taken from mime.types */
#define MIME_DEFAULT  "application/octet-stream"

struct mime {
	struct strmap map; /* lowercased extension -> type */
	char **exts;	   /* the map's keys, owned */
	size_t nexts, capexts;
	char **types; /* type strings copied from loaded texts */
	size_t ntypes, captypes;
};

static const struct {
	const char *type;
	const char *exts; /* space-separated */
} builtin[] = {
	{ "text/gemini", "gmi gemini" },
	{ "text/markdown", "md markdown" },
	{ "text/plain", "txt text log asc" },
	/*
	 * Source code a post links to: readable text in any Gemini client,
	 * not a download, whatever mime.types says (.rs is
	 * rls-services+xml there, .ts MPEG transport stream).
	 */
	{ "text/plain",
	    "rs go py pyi rb pl pm php lua c h cc cpp cxx hh hpp "
	    "hxx m mm java kt kts scala swift dart zig nim cs fs fsx vb "
	    "hs lhs ml mli ex exs erl hrl clj cljs el lisp scm rkt jl r "
	    "sh bash zsh fish ksh csh ps1 bat cmd awk sed mk cmake "
	    "gradle sql toml yaml yml ini cfg conf properties env lock "
	    "js mjs cjs ts tsx jsx mts cts vue svelte scss sass less "
	    "tex sty bib rst adoc org proto graphql gql tf hcl nix dhall "
	    "v sv vhd asm s d gleam elm purs odin jsonc json5 patch diff" },
	{ "text/html", "html htm" },
	{ "text/css", "css" },
	{ "text/csv", "csv" },
	{ "text/tab-separated-values", "tsv" },
	{ "text/calendar", "ics" },
	{ "text/vcard", "vcf" },
	{ "application/json", "json" },
	{ "application/ld+json", "jsonld" },
	{ "application/manifest+json", "webmanifest" },
	{ "application/xml", "xml xsl" },
	{ "application/xhtml+xml", "xhtml" },
	{ "application/atom+xml", "atom" },
	{ "application/rss+xml", "rss" },
	{ "application/pdf", "pdf" },
	{ "application/zip", "zip" },
	{ "application/gzip", "gz tgz" },
	{ "application/x-tar", "tar" },
	{ "application/x-bzip2", "bz2" },
	{ "application/x-xz", "xz" },
	{ "application/zstd", "zst" },
	{ "application/x-7z-compressed", "7z" },
	{ "application/epub+zip", "epub" },
	{ "application/wasm", "wasm" },
	{ "image/png", "png" },
	{ "image/jpeg", "jpg jpeg jpe" },
	{ "image/gif", "gif" },
	{ "image/webp", "webp" },
	{ "image/svg+xml", "svg svgz" },
	{ "image/avif", "avif" },
	{ "image/jxl", "jxl" },
	{ "image/bmp", "bmp" },
	{ "image/tiff", "tif tiff" },
	{ "image/vnd.microsoft.icon", "ico" },
	{ "audio/mpeg", "mp3" },
	{ "audio/ogg", "ogg oga opus spx" },
	{ "audio/flac", "flac" },
	{ "audio/wav", "wav" },
	{ "audio/mp4", "m4a" },
	{ "audio/aac", "aac" },
	{ "audio/midi", "mid midi" },
	{ "video/mp4", "mp4 m4v" },
	{ "video/webm", "webm" },
	{ "video/ogg", "ogv" },
	{ "video/x-matroska", "mkv" },
	{ "video/quicktime", "mov" },
	{ "font/woff", "woff" },
	{ "font/woff2", "woff2" },
	{ "font/ttf", "ttf" },
	{ "font/otf", "otf" },
};

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* RFC 6838 restricted-name bytes, plus '/' for the type/subtype split. */
static int
type_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$&-^_.+/", c) != NULL);
}

static int
ext_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '+' ||
	    c == '~';
}

/* Maps ext[0..n) (already lowercase, valid) unless it is mapped. */
static void
add(struct mime *m, const char *ext, size_t n, const char *type)
{
	char *key;

	if (strmap_get(&m->map, ext, n) != NULL)
		return;
	key = xstrndup(ext, n);
	strmap_put(&m->map, key, n, (void *)type);
	m->exts = xgrow(m->exts, &m->capexts, m->nexts + 1, sizeof(*m->exts));
	m->exts[m->nexts++] = key;
}

struct mime *
mime_new(void)
{
	struct mime *m = xcalloc(1, sizeof(*m));
	const char *s, *t;
	size_t i;

	for (i = 0; i < ARRAY_LEN(builtin); i++) {
		for (s = builtin[i].exts; *s != '\0'; s = t) {
			t = s + strcspn(s, " ");
			add(m, s, (size_t)(t - s), builtin[i].type);
			t += strspn(t, " ");
		}
	}
	return m;
}

void
mime_free(struct mime *m)
{
	if (m == NULL)
		return;
	strv_free(m->exts, m->nexts);
	strv_free(m->types, m->ntypes);
	strmap_free(&m->map);
	free(m);
}

static int
valid_type(const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);
	size_t i;

	if (n == 0 || n > MIME_MAX_TYPE || slash == NULL || slash == s ||
	    slash == s + n - 1 ||
	    memchr(slash + 1, '/', (size_t)(s + n - slash - 1)) != NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (!type_byte((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Keeps a lowercased copy of type[0..n) for as long as m lives. */
static const char *
intern_type(struct mime *m, const char *type, size_t n)
{
	char *copy = xstrndup(type, n);
	size_t i;

	for (i = 0; i < n; i++)
		copy[i] = (char)lower((unsigned char)copy[i]);
	m->types =
	    xgrow(m->types, &m->captypes, m->ntypes + 1, sizeof(*m->types));
	m->types[m->ntypes++] = copy;
	return copy;
}

/* One line of mime.types without its newline: "type ext ext...". */
static void
load_line(struct mime *m, const char *s, size_t n)
{
	char ext[MIME_MAX_EXT + 1];
	const char *end, *mark, *t, *type, *copy = NULL;
	size_t i, k, tlen;

	if ((mark = memchr(s, '#', n)) != NULL)
		n = (size_t)(mark - s);
	end = s + n;
	while (s < end && is_space(*s))
		s++;
	for (t = s; t < end && !is_space(*t); t++)
		;
	type = s;
	tlen = (size_t)(t - s);
	if (!valid_type(type, tlen))
		return;
	for (s = t;; s = t) {
		while (s < end && is_space(*s))
			s++;
		if (s == end)
			break;
		for (t = s; t < end && !is_space(*t); t++)
			;
		k = (size_t)(t - s);
		if (k > MIME_MAX_EXT)
			continue;
		for (i = 0; i < k && ext_byte((unsigned char)s[i]); i++)
			ext[i] = (char)lower((unsigned char)s[i]);
		if (i < k || strmap_get(&m->map, ext, k) != NULL)
			continue;
		if (copy == NULL)
			copy = intern_type(m, type, tlen);
		add(m, ext, k, copy);
	}
}

void
mime_load_text(struct mime *m, const char *text, size_t len)
{
	const char *end = text + len, *nl;

	while (text < end) {
		nl = memchr(text, '\n', (size_t)(end - text));
		if (nl == NULL)
			nl = end;
		load_line(m, text, (size_t)(nl - text));
		text = nl + 1;
	}
}

const char *
mime_lookup(const struct mime *m, const char *path)
{
	char ext[MIME_MAX_EXT + 1];
	const char *base, *dot, *type;
	size_t i, n;

	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	/* Dotfiles have no extension: ".gmi" is a name, not a type. */
	if (base[0] == '.' || (dot = strrchr(base, '.')) == NULL)
		return MIME_DEFAULT;
	n = strlen(dot + 1);
	if (n == 0 || n > MIME_MAX_EXT)
		return MIME_DEFAULT;
	for (i = 0; i < n; i++)
		ext[i] = (char)lower((unsigned char)dot[1 + i]);
	type = strmap_get(&m->map, ext, n);
	return type != NULL ? type : MIME_DEFAULT;
}
