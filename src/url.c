/*
 * url: parses a Gemini request line into scheme, host, port, path and
 * query. The path comes out percent-decoded once with its dot segments
 * resolved, so the router compares bytes, never URL spellings.
 * Pure: no I/O, no logging; problems are reported through *errstr.
 *
 * A decoded "/" (from %2F or %2f) is data, never a separator: the path
 * writes it back as "%2F" and encoded_slash is set, telling the router
 * the path names no file. Because '%' itself stays decoded ("%252F"
 * gives "%2F" with encoded_slash clear), the flag, not the bytes, is
 * what says a slash was encoded. encoded_slash is set even when dot
 * segments later remove the segment that held it: erring towards 51.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "url.h"
#include "utf8.h"
#include "util.h"

#define URL_MAX_PORT 65535 /* largest TCP port number */

/* ASCII classes by hand: <ctype.h> answers by locale, bytes must not. */
static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

void
url_free(struct url *u)
{
	if (u == NULL)
		return;
	free(u->scheme);
	free(u->host);
	free(u->path);
	free(u->query);
	memset(u, 0, sizeof(*u));
	u->port = -1;
}

static char *
lowerdup(const char *s, size_t n)
{
	char *d = xstrndup(s, n);
	size_t i;

	for (i = 0; i < n; i++)
		if (d[i] >= 'A' && d[i] <= 'Z')
			d[i] = (char)(d[i] - 'A' + 'a');
	return d;
}

/* RFC 3986 reg-name bytes (unreserved, sub-delims) plus raw UTF-8. */
static int
host_byte(unsigned char c)
{
	return c >= 0x80 || is_alnum(c) ||
	    (c != '\0' && strchr("-._~!$&'()*+,;=", c) != NULL);
}

static int
parse_port(const char *s, size_t n, int *port)
{
	long v = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > URL_MAX_PORT)
			return -1;
	}
	if (v == 0)
		return -1;
	*port = (int)v;
	return 0;
}

/* Authority without the leading "//": host, optional port. */
static int
parse_authority(const char *s, size_t n, struct url *u, const char **errstr)
{
	const char *end, *rest;
	size_t i, hlen;

	if (memchr(s, '@', n) != NULL) {
		*errstr = "userinfo not allowed";
		return -1;
	}
	if (n > 0 && s[0] == '[') {
		end = memchr(s, ']', n);
		hlen = end ? (size_t)(end - s - 1) : 0;
		if (end == NULL || hlen == 0 ||
		    memchr(s + 1, ':', hlen) == NULL) {
			*errstr = "bad IPv6 literal";
			return -1;
		}
		for (i = 1; i <= hlen; i++)
			if (util_hexval(s[i]) < 0 && s[i] != ':' &&
			    s[i] != '.') {
				*errstr = "bad IPv6 literal";
				return -1;
			}
		u->host = lowerdup(s + 1, hlen);
		rest = end + 1;
	} else {
		end = memchr(s, ':', n);
		hlen = end ? (size_t)(end - s) : n;
		for (i = 0; i < hlen; i++)
			if (!host_byte((unsigned char)s[i])) {
				*errstr = "bad host";
				return -1;
			}
		rest = s + hlen;
		/* "host." is the same name, fully qualified. */
		if (hlen > 0 && s[hlen - 1] == '.')
			hlen--;
		u->host = lowerdup(s, hlen);
	}
	if (rest == s + n)
		return 0;
	if (*rest != ':') {
		*errstr = "bad host";
		return -1;
	}
	rest++;
	if (parse_port(rest, (size_t)(s + n - rest), &u->port) == -1) {
		*errstr = "bad port";
		return -1;
	}
	return 0;
}

/*
 * Decodes s[0..n) segment by segment into u->path, resolving "." and
 * ".." (RFC 3986 5.2.4) on the decoded segments and collapsing empty
 * ones, so "//" runs vanish. A ".." with nothing left to remove would
 * climb above "/": an error (59), never clamped (docs/protocol.md).
 */
static int
parse_path(const char *s, size_t n, struct url *u, const char **errstr)
{
	struct buf b = BUF_INIT;
	size_t *segs = NULL, nseg = 0, cap = 0;
	size_t i, j, start, slen;
	int c, last, trailing = 0;
	const char *seg;

	i = (n > 0 && s[0] == '/') ? 1 : 0;
	for (;;) {
		for (j = i; j < n && s[j] != '/'; j++)
			;
		last = j == n;
		start = b.len;
		buf_addc(&b, '/');
		for (; i < j; i++) {
			c = (unsigned char)s[i];
			if (c == '%' && j - i >= 3 &&
			    util_hexval(s[i + 1]) >= 0 &&
			    util_hexval(s[i + 2]) >= 0) {
				c = util_hexval(s[i + 1]) << 4 |
				    util_hexval(s[i + 2]);
				i += 2;
				if (c == '\0') {
					*errstr = "NUL in path";
					goto fail;
				}
				if (c == '/') {
					u->encoded_slash = 1;
					buf_adds(&b, "%2F");
					continue;
				}
			} else if (c == '%') {
				*errstr = "bad percent-escape";
				goto fail;
			}
			buf_addc(&b, c);
		}
		seg = b.data + start + 1;
		slen = b.len - start - 1;
		if (slen == 0 || (slen == 1 && seg[0] == '.')) {
			buf_truncate(&b, start);
			trailing = last;
		} else if (slen == 2 && seg[0] == '.' && seg[1] == '.') {
			/* Above the root: malformed, not clamped to "/". */
			if (nseg == 0) {
				*errstr = "path climbs above the root";
				goto fail;
			}
			buf_truncate(&b, start);
			buf_truncate(&b, segs[--nseg]);
			trailing = last;
		} else {
			segs = xgrow(segs, &cap, nseg + 1, sizeof(*segs));
			segs[nseg++] = start;
			trailing = 0;
		}
		if (last)
			break;
		i = j + 1;
	}
	if (nseg == 0 || trailing)
		buf_addc(&b, '/');
	if (!utf8_valid(b.data, b.len)) {
		*errstr = "invalid UTF-8 in path";
		goto fail;
	}
	for (i = 0; i + 1 < b.len; i++)
		if (b.data[i] == '/' && b.data[i + 1] == '.')
			u->dotfile = 1;
	free(segs);
	u->path = buf_detach(&b, NULL);
	return 0;
fail:
	free(segs);
	buf_free(&b);
	return -1;
}

/* The checks that hold for every byte of the line, before splitting it. */
static int
check_bytes(const char *line, size_t len, const char **errstr)
{
	const unsigned char *p = (const unsigned char *)line;
	size_t i;

	if (len > URL_MAX_REQUEST) {
		*errstr = "request too long";
		return -1;
	}
	if (len == 0) {
		*errstr = "empty request";
		return -1;
	}
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
		*errstr = "leading byte order mark";
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (p[i] == ' ') {
			*errstr = "space in URL";
			return -1;
		}
		if (p[i] == '\0') {
			*errstr = "NUL in URL";
			return -1;
		}
		if (p[i] < 0x20 || p[i] == 0x7f) {
			*errstr = "control character in URL";
			return -1;
		}
		if (p[i] == '#') {
			*errstr = "fragment not allowed";
			return -1;
		}
		if (p[i] == '%' &&
		    (len - i < 3 || util_hexval(p[i + 1]) < 0 ||
			util_hexval(p[i + 2]) < 0)) {
			*errstr = "bad percent-escape";
			return -1;
		}
	}
	if (!utf8_valid(line, len)) {
		*errstr = "invalid UTF-8";
		return -1;
	}
	return 0;
}

int
url_parse(const char *line, size_t len, struct url *u, const char **errstr)
{
	const char *q, *end = line + len;
	size_t i, p, a;

	memset(u, 0, sizeof(*u));
	u->port = -1;
	if (check_bytes(line, len, errstr) == -1)
		goto fail;

	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	i = 0;
	if (is_alpha(line[0]))
		while (i < len &&
		    (is_alnum(line[i]) || line[i] == '+' || line[i] == '-' ||
			line[i] == '.'))
			i++;
	if (i == 0 || i == len || line[i] != ':') {
		*errstr = "relative reference";
		goto fail;
	}
	u->scheme = lowerdup(line, i);
	p = i + 1;

	if (len - p >= 2 && line[p] == '/' && line[p + 1] == '/') {
		for (a = p + 2, p = a;
		     p < len && line[p] != '/' && line[p] != '?'; p++)
			;
		if (parse_authority(line + a, p - a, u, errstr) == -1)
			goto fail;
	} else if (strcmp(u->scheme, "gemini") == 0) {
		*errstr = "missing authority";
		goto fail;
	} else
		u->host = xstrdup("");
	if (u->host[0] == '\0' && strcmp(u->scheme, "gemini") == 0) {
		*errstr = "empty host";
		goto fail;
	}

	q = memchr(line + p, '?', len - p);
	if (q != NULL)
		u->query = xstrndup(q + 1, (size_t)(end - q - 1));
	else
		q = end;
	if (parse_path(line + p, (size_t)(q - line) - p, u, errstr) == -1)
		goto fail;
	return 0;
fail:
	url_free(u);
	return -1;
}

/* unreserved, sub-delims, "/", ":" and "@" (RFC 3986 pchar and "/"). */
static int
path_byte(unsigned char c)
{
	return c < 0x80 &&
	    (is_alnum(c) ||
		(c != '\0' && strchr("-._~!$&'()*+,;=/:@", c) != NULL));
}

char *
url_encode_path(const char *s)
{
	struct buf b = BUF_INIT;
	const unsigned char *p;

	buf_grow(&b, strlen(s));
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (path_byte(*p))
			buf_addc(&b, *p);
		else
			buf_printf(&b, "%%%02X", *p);
	}
	return buf_detach(&b, NULL);
}
