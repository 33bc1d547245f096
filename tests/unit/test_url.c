/*
 * test_url: request-line parsing, path normalisation and path encoding,
 * table-driven. Every docs/protocol.md request rule is
 * here, then hostile paths each pinned to its exact result.
 */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "url.h"
#include "util.h"

#define G "gemini://example.org"

struct parse_case {
	int line; /* of the table entry, for failure messages */
	const char *in;
	size_t len; /* 0: strlen(in) */
	int ok;
	const char *scheme, *host;
	int port;
	const char *path, *query;
	int encoded_slash, dotfile;
	const char *err; /* for rejections: the exact errstr */
};

#define OK(in, sch, host, port, path, query, es, df) \
	{ \
		__LINE__, in, 0, 1, sch, host, port, path, query, es, df, NULL \
	}
/* A gemini URL on example.org with no port and no query. */
#define P(in, path, es, df) \
	OK(G in, "gemini", "example.org", -1, path, NULL, es, df)
#define BAD(in, err) \
	{ \
		__LINE__, in, 0, 0, NULL, NULL, 0, NULL, NULL, 0, 0, err \
	}
#define BADN(in, len, err) \
	{ \
		__LINE__, in, len, 0, NULL, NULL, 0, NULL, NULL, 0, 0, err \
	}

static const struct parse_case parse_cases[] = {
	/* docs/protocol.md: the request line and paths. */
	P("/", "/", 0, 0),
	P("", "/", 0, 0),
	BAD("\xef\xbb\xbf" G "/", "leading byte order mark"),
	BAD("gemini://user@example.org/", "userinfo not allowed"),
	BAD(G "/#frag", "fragment not allowed"),
	BAD(G "/\n", "control character in URL"),
	/* A bare LF inside the line (the server reads on to the CRLF). */
	BAD(G "/\nmore", "control character in URL"),
	/* gemini-diagnostics URLDotEscape: above the root is malformed. */
	BAD(G "/../../", "path climbs above the root"),
	BAD(G "/a/../../x", "path climbs above the root"),
	P("/a/../x", "/x", 0, 0),
	P("/a/b/../../x", "/x", 0, 0),
	OK("https://example.org/", "https", "example.org", -1, "/", NULL, 0, 0),
	OK("gemini://other.example/", "gemini", "other.example", -1, "/", NULL,
	    0, 0),
	OK(G ":1966/", "gemini", "example.org", 1966, "/", NULL, 0, 0),
	P("/posts", "/posts", 0, 0),
	P("/..%2F..%2Fetc/passwd", "/..%2F..%2Fetc/passwd", 1, 1),
	P("/%C3%A9t%C3%A9.gmi", "/\xc3\xa9t\xc3\xa9.gmi", 0, 0),
	P("/\xc3\xa9t\xc3\xa9.gmi", "/\xc3\xa9t\xc3\xa9.gmi", 0, 0),
	OK("gemini://127.0.0.1/", "gemini", "127.0.0.1", -1, "/", NULL, 0, 0),
	OK("gemini://[::1]:1965/", "gemini", "::1", 1965, "/", NULL, 0, 0),

	/* Scheme. */
	OK("GEMINI://Example.ORG/A", "gemini", "example.org", -1, "/A", NULL, 0,
	    0),
	OK("titan://example.org/x;size=1", "titan", "example.org", -1,
	    "/x;size=1", NULL, 0, 0),
	OK("file:///etc/passwd", "file", "", -1, "/etc/passwd", NULL, 0, 0),
	OK("mailto:someone", "mailto", "", -1, "/someone", NULL, 0, 0),
	OK("x-y.z+w://h/", "x-y.z+w", "h", -1, "/", NULL, 0, 0),
	BAD("//example.org/", "relative reference"),
	BAD("/index.gmi", "relative reference"),
	BAD("example.org/", "relative reference"),
	BAD("1gemini://example.org/", "relative reference"),
	BAD("gemini", "relative reference"),
	BAD(":foo", "relative reference"),
	BAD("", "empty request"),
	BAD("gemini:", "missing authority"),
	BAD("gemini:/example.org/", "missing authority"),
	BAD("gemini:example.org", "missing authority"),

	/* Host. */
	OK(G "./", "gemini", "example.org", -1, "/", NULL, 0, 0),
	OK("gemini://EXAMPLE.org.:1965", "gemini", "example.org", 1965, "/",
	    NULL, 0, 0),
	OK("gemini://[2001:DB8::1]/x", "gemini", "2001:db8::1", -1, "/x", NULL,
	    0, 0),
	OK("gemini://[::ffff:192.0.2.1]", "gemini", "::ffff:192.0.2.1", -1, "/",
	    NULL, 0, 0),
	OK("gemini://\xc3\xa9t\xc3\xa9.example/", "gemini",
	    "\xc3\xa9t\xc3\xa9.example", -1, "/", NULL, 0, 0),
	OK("gemini://xn--t-bga.example/", "gemini", "xn--t-bga.example", -1,
	    "/", NULL, 0, 0),
	OK(G "?q", "gemini", "example.org", -1, "/", "q", 0, 0),
	BAD("gemini:///", "empty host"),
	BAD("gemini://", "empty host"),
	BAD("gemini://:1965/", "empty host"),
	BAD("gemini://./", "empty host"),
	BAD("gemini://[::1/", "bad IPv6 literal"),
	BAD("gemini://[]/", "bad IPv6 literal"),
	BAD("gemini://[v1.x]/", "bad IPv6 literal"),
	BAD("gemini://[1.2.3.4]/", "bad IPv6 literal"),
	BAD("gemini://[::1%25eth0]/", "bad IPv6 literal"),
	BAD("gemini://[::1]x/", "bad host"),
	BAD("gemini://ex%41mple.org/", "bad host"),
	BAD("gemini://exa<mple.org/", "bad host"),
	BAD("gemini://exa\\mple.org/", "bad host"),
	BAD("gemini://a[b]/", "bad host"),

	/* Userinfo. */
	BAD("gemini://u:p@example.org/", "userinfo not allowed"),
	BAD("gemini://@example.org/", "userinfo not allowed"),
	BAD("https://user@example.org/", "userinfo not allowed"),
	P("/a@b", "/a@b", 0, 0),

	/* Port. */
	OK(G ":1/", "gemini", "example.org", 1, "/", NULL, 0, 0),
	OK(G ":65535/", "gemini", "example.org", 65535, "/", NULL, 0, 0),
	OK(G ":01965/", "gemini", "example.org", 1965, "/", NULL, 0, 0),
	OK(G ":1965?x", "gemini", "example.org", 1965, "/", "x", 0, 0),
	BAD(G ":0/", "bad port"),
	BAD(G ":65536/", "bad port"),
	BAD(G ":/", "bad port"),
	BAD(G ":", "bad port"),
	BAD(G ":19a5/", "bad port"),
	BAD(G ":-1/", "bad port"),
	BAD(G ":+1965/", "bad port"),
	BAD(G ":99999999999999999999999/", "bad port"),
	BAD(G ":1965:1965/", "bad port"),

	/* Query: raw, after the first '?'. */
	OK(G "/search?hello%20world", "gemini", "example.org", -1, "/search",
	    "hello%20world", 0, 0),
	OK(G "/x?", "gemini", "example.org", -1, "/x", "", 0, 0),
	OK(G "/x?a?b", "gemini", "example.org", -1, "/x", "a?b", 0, 0),
	OK(G "/x/../y?/../..", "gemini", "example.org", -1, "/y", "/../..", 0,
	    0),
	OK(G "/x?%C3%A9+\xc3\xa9", "gemini", "example.org", -1, "/x",
	    "%C3%A9+\xc3\xa9", 0, 0),
	BAD(G "/x?%zz", "bad percent-escape"),
	BAD(G "/x?a%", "bad percent-escape"),
	BAD(G "/x?a b", "space in URL"),
	BAD(G "/x?a#b", "fragment not allowed"),

	/* Bytes of the line. */
	BAD(G "/a b", "space in URL"),
	BAD(" " G "/", "space in URL"),
	BAD(G "/ ", "space in URL"),
	BAD(G "/a\tb", "control character in URL"),
	BAD(G "/\r", "control character in URL"),
	BAD(G "/\x01", "control character in URL"),
	BAD(G "/\x1f", "control character in URL"),
	BAD(G "/\x7f", "control character in URL"),
	BADN(G "/a\0b", sizeof(G "/a\0b") - 1, "NUL in URL"),
	BADN("\0", 1, "NUL in URL"),
	BAD(G "/#", "fragment not allowed"),
	BAD(G "#", "fragment not allowed"),
	BAD(G "/\xc3", "invalid UTF-8"),
	BAD(G "/\xc3(", "invalid UTF-8"),
	BAD(G "/\x80", "invalid UTF-8"),
	BAD(G "/\xff", "invalid UTF-8"),
	BAD(G "/\xc0\xae", "invalid UTF-8"),
	BAD(G "/\xc1\xbf", "invalid UTF-8"),
	BAD(G "/\xe0\x80\xae", "invalid UTF-8"),
	BAD(G "/\xed\xa0\x80", "invalid UTF-8"),
	BAD(G "/\xf0\x80\x80\xae", "invalid UTF-8"),
	BAD(G "/\xf4\x90\x80\x80", "invalid UTF-8"),
	BAD(G "/\xf5\x80\x80\x80", "invalid UTF-8"),
	BAD("\xef\xbb\xbf", "leading byte order mark"),
	P("/\xf0\x9f\x98\x80", "/\xf0\x9f\x98\x80", 0, 0),
	P("/\xef\xbb\xbf", "/\xef\xbb\xbf", 0, 0),
	P("/\xf4\x8f\xbf\xbf", "/\xf4\x8f\xbf\xbf", 0, 0),
	P("/\xed\x9f\xbf", "/\xed\x9f\xbf", 0, 0),

	/* Percent-escapes. */
	BAD(G "/%", "bad percent-escape"),
	BAD(G "/%G1", "bad percent-escape"),
	BAD(G "/%4", "bad percent-escape"),
	BAD(G "/%4g", "bad percent-escape"),
	BAD(G "/%%", "bad percent-escape"),
	BAD(G "/%%32%65", "bad percent-escape"),
	BAD(G "/%u002e", "bad percent-escape"),
	BAD(G "/a%/b", "bad percent-escape"),
	P("/a%20b", "/a b", 0, 0),
	P("/%41%42c", "/ABc", 0, 0),
	P("/%c3%a9", "/\xc3\xa9", 0, 0),
	P("/%3F", "/?", 0, 0),
	P("/%23", "/#", 0, 0),
	P("/%25", "/%", 0, 0),

	/* Hostile paths: traversal, double encoding, dotfiles, slashes. */
	BAD(G "/..", "path climbs above the root"),
	BAD(G "/../", "path climbs above the root"),
	BAD(G "/../../../etc/passwd", "path climbs above the root"),
	BAD(G "/a/../../b", "path climbs above the root"),
	BAD(G "/%2e%2e/", "path climbs above the root"),
	BAD(G "/.%2e/", "path climbs above the root"),
	BAD(G "/%2E./x", "path climbs above the root"),
	BAD(G "/%2e%2E", "path climbs above the root"),
	BAD(G "/%2e%2e/%2e%2e/etc/passwd", "path climbs above the root"),
	P("/%2E%2E%2Fetc", "/..%2Fetc", 1, 1),
	P("/..%2f..%2fetc", "/..%2F..%2Fetc", 1, 1),
	P("/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/..%2F..%2Fetc%2Fpasswd", 1, 1),
	P("/.%2e%2fetc", "/..%2Fetc", 1, 1),
	P("/x/..%2f", "/x/..%2F", 1, 1),
	P("/a/b/%2e%2e%2F", "/a/b/..%2F", 1, 1),
	P("/%2F", "/%2F", 1, 0),
	P("/%2f%2f", "/%2F%2F", 1, 0),
	P("/a%2Fb/..", "/", 1, 0),
	P("/docs%2fsecret.gmi", "/docs%2Fsecret.gmi", 1, 0),
	P("/%252e%252e/x", "/%2e%2e/x", 0, 0),
	P("/%25%32%65", "/%2e", 0, 0),
	P("/%252F", "/%2F", 0, 0),
	P("/%25252e", "/%252e", 0, 0),
	BAD(G "/%c0%ae%c0%ae/", "invalid UTF-8 in path"),
	BAD(G "/%C0%AF", "invalid UTF-8 in path"),
	BAD(G "/%c0%2e", "invalid UTF-8 in path"),
	BAD(G "/%e0%80%ae", "invalid UTF-8 in path"),
	BAD(G "/%ed%a0%80", "invalid UTF-8 in path"),
	BAD(G "/%f4%90%80%80", "invalid UTF-8 in path"),
	BAD(G "/%f0%80%80%af", "invalid UTF-8 in path"),
	BAD(G "/%c3", "invalid UTF-8 in path"),
	BAD(G "/%ff", "invalid UTF-8 in path"),
	BAD(G "/%c3/%a9", "invalid UTF-8 in path"),
	BAD(G "/%00", "NUL in path"),
	BAD(G "/a%00.gmi", "NUL in path"),
	BAD(G "/index.gmi%00.txt", "NUL in path"),
	P("/%5C..%5C", "/\\..\\", 0, 0),
	P("/..\\..\\etc", "/..\\..\\etc", 0, 1),
	P("/%2e%2e%5c%2e%2e%5cetc", "/..\\..\\etc", 0, 1),
	P("/.git/config", "/.git/config", 0, 1),
	P("/%2egit/config", "/.git/config", 0, 1),
	P("/%2Eenv", "/.env", 0, 1),
	P("/a/.env", "/a/.env", 0, 1),
	P("/.well-known/x", "/.well-known/x", 0, 1),
	P("/...", "/...", 0, 1),
	P("/a/.../b", "/a/.../b", 0, 1),
	P("/..;/x", "/..;/x", 0, 1),
	P("/.x/..", "/", 0, 0),
	P("/a/./b", "/a/b", 0, 0),
	P("/a/%2e/b", "/a/b", 0, 0),
	P("/a/%2E%2e/b", "/b", 0, 0),
	BAD(G "/a/.%2E/../b", "path climbs above the root"),
	P("/a/b/.", "/a/b/", 0, 0),
	P("/a/b/..", "/a/", 0, 0),
	P("/a/b/../", "/a/", 0, 0),
	BAD(G "/a/b/c/../../../../d", "path climbs above the root"),
	P("/posts/../posts/x.gmi", "/posts/x.gmi", 0, 0),
	BAD(G "/.././.././", "path climbs above the root"),
	P("/./", "/", 0, 0),
	P("/.", "/", 0, 0),
	P("//", "/", 0, 0),
	P("//a//b//", "/a/b/", 0, 0),
	BAD(G "///..//..//etc", "path climbs above the root"),
	P("/a/", "/a/", 0, 0),
	P("/a.b/c.", "/a.b/c.", 0, 0),
	P("/%0a", "/\n", 0, 0),
	P("/%7f", "/\x7f", 0, 0),
	P("/%E2%80%AE", "/\xe2\x80\xae", 0, 0),
	P("/%ef%bb%bf", "/\xef\xbb\xbf", 0, 0),
	P("/%C3%A9/../%C3%A9", "/\xc3\xa9", 0, 0),
};

static void
test_parse(void)
{
	const struct parse_case *c;
	struct url u;
	const char *err;
	size_t i, len;
	int rc;

	for (i = 0; i < ARRAY_LEN(parse_cases); i++) {
		c = &parse_cases[i];
		len = c->len ? c->len : strlen(c->in);
		err = NULL;
		rc = url_parse(c->in, len, &u, &err);
		if (rc != (c->ok ? 0 : -1))
			fprintf(stderr, "table line %d: \"%s\": rc %d (%s)\n",
			    c->line, c->in, rc, err ? err : "");
		T_INT(rc, c->ok ? 0 : -1);
		if (rc == -1) {
			T_STR(err, c->err);
			T_OK(u.scheme == NULL && u.host == NULL &&
			    u.path == NULL && u.query == NULL);
			continue;
		}
		if (!c->ok) {
			url_free(&u);
			continue;
		}
		T_STR(u.scheme, c->scheme);
		T_STR(u.host, c->host);
		T_INT(u.port, c->port);
		T_STR(u.path, c->path);
		T_STR(u.query, c->query);
		T_INT(u.encoded_slash, c->encoded_slash);
		T_INT(u.dotfile, c->dotfile);
		if (strcmp(u.path ? u.path : "", c->path) != 0 ||
		    u.encoded_slash != c->encoded_slash ||
		    u.dotfile != c->dotfile)
			fprintf(stderr, "table line %d: \"%s\"\n", c->line,
			    c->in);
		url_free(&u);
	}
}

/* The 1024-byte limit counts URL bytes, CRLF excluded. */
static void
test_length(void)
{
	char line[URL_MAX_REQUEST + 2];
	struct url u;
	const char *err = NULL;
	size_t n = strlen(G "/");

	memcpy(line, G "/", n);
	memset(line + n, 'a', sizeof(line) - n);
	T_INT(url_parse(line, URL_MAX_REQUEST, &u, &err), 0);
	T_INT(strlen(u.path), URL_MAX_REQUEST - strlen(G));
	url_free(&u);
	T_INT(url_parse(line, URL_MAX_REQUEST + 1, &u, &err), -1);
	T_STR(err, "request too long");
	url_free(&u); /* safe after a failure */
	url_free(NULL);
}

static void
test_encode(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "", "" },
		{ "/", "/" },
		{ "/posts/x.gmi", "/posts/x.gmi" },
		{ "/\xc3\xa9t\xc3\xa9.gmi", "/%C3%A9t%C3%A9.gmi" },
		{ "/a b", "/a%20b" },
		{ "/a%b", "/a%25b" },
		{ "/a?b#c", "/a%3Fb%23c" },
		{ "/-._~!$&'()*+,;=:@", "/-._~!$&'()*+,;=:@" },
		{ "\r\n", "%0D%0A" },
		{ "\\", "%5C" },
		{ "\"<>[]^`{|}", "%22%3C%3E%5B%5D%5E%60%7B%7C%7D" },
		{ "\x7f\x01", "%7F%01" },
		{ "AZaz09", "AZaz09" },
	};
	static const char *round[] = {
		"/",
		"/a b/c",
		"/\xc3\xa9t\xc3\xa9.gmi",
		"/50%/x?y#z",
		"/a\\b",
		"/dir/",
		"/\xf0\x9f\x98\x80",
	};
	struct url u;
	const char *err;
	char *s, *line;
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		s = url_encode_path(cases[i].in);
		T_STR(s, cases[i].want);
		free(s);
	}
	/* Encoding a decoded path and parsing it again gives it back. */
	for (i = 0; i < ARRAY_LEN(round); i++) {
		s = url_encode_path(round[i]);
		line = xasprintf("%s%s", G, s);
		T_INT(url_parse(line, strlen(line), &u, &err), 0);
		T_STR(u.path, round[i]);
		url_free(&u);
		free(line);
		free(s);
	}
}

int
main(void)
{
	test_parse();
	test_length();
	test_encode();
	return t_done();
}
