/*
 * url: Gemini request-line parsing, normalisation and validation.
 * Pure: no I/O, no allocation beyond the struct's own strings.
 */
#ifndef CAPSULED_URL_H
#define CAPSULED_URL_H

#include <stddef.h>

#define URL_MAX_REQUEST 1024 /* bytes of URL in a request, CRLF excluded */

struct url {
	char *scheme; /* lowercased, e.g. "gemini" */
	char *host;   /* lowercased; IPv6 without brackets; may be "" */
	int port;     /* -1 when the URL names none */
	/*
	 * Percent-decoded once, dot segments resolved (one climbing above
	 * "/" is a parse error),
	 * always starting with "/": "" and "/" both give "/". Raw UTF-8 and
	 * its percent-encoding give the same bytes. A trailing slash is kept.
	 */
	char *path;
	char *query;	   /* raw, without '?'; NULL when absent */
	int encoded_slash; /* a segment held a decoded "/": names no file */
	int dotfile;	   /* a segment starts with '.' (after decoding) */
};

/*
 * Parses a request line (the bytes before CRLF; len <= URL_MAX_REQUEST).
 * Returns 0, or -1 with *errstr set (a 59 Bad Request) for: embedded NUL
 * or controls, a leading BOM, invalid UTF-8, a relative reference, a
 * userinfo part, a fragment, a bad percent-escape, a bad port, an empty
 * host for gemini, a path whose ".." climbs above the root. Another scheme parses fine (the router answers 53).
 * On success free the strings with url_free.
 */
int url_parse(const char *line, size_t len, struct url *u, const char **errstr);
void url_free(struct url *u);

/*
 * Appends s percent-encoded for use in a URL path: unreserved and
 * sub-delims, '/', ':' and '@' kept; every other byte (spaces, controls,
 * non-ASCII) as %XX. Returns a malloc'd string; caller frees.
 */
char *url_encode_path(const char *s);

#endif
