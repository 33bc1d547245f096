/*
 * html: a lexer for the raw HTML inside Markdown (see html.h), and the
 * entity decoder it shares with attribute values and <pre> text. It
 * reads HTML as a browser's text view would, only as far as gemtext
 * needs: which tags, which attributes, what text. Pure: no I/O.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "utf8.h"
#include "util.h"

static const struct {
	const char *name, *utf8;
} entities[] = {
	{ "amp", "&" },
	{ "lt", "<" },
	{ "gt", ">" },
	{ "quot", "\"" },
	{ "apos", "'" },
	{ "nbsp", "\xc2\xa0" },
	{ "mdash", "\xe2\x80\x94" },
	{ "ndash", "\xe2\x80\x93" },
	{ "hellip", "\xe2\x80\xa6" },
	{ "rsquo", "\xe2\x80\x99" },
	{ "lsquo", "\xe2\x80\x98" },
	{ "rdquo", "\xe2\x80\x9d" },
	{ "ldquo", "\xe2\x80\x9c" },
	{ "copy", "\xc2\xa9" },
	{ "reg", "\xc2\xae" },
	{ "trade", "\xe2\x84\xa2" },
	{ "laquo", "\xc2\xab" },
	{ "raquo", "\xc2\xbb" },
	{ "middot", "\xc2\xb7" },
	{ "bull", "\xe2\x80\xa2" },
	{ "times", "\xc3\x97" },
	{ "deg", "\xc2\xb0" },
	{ "euro", "\xe2\x82\xac" },
	{ "pound", "\xc2\xa3" },
	{ "yen", "\xc2\xa5" },
	{ "shy", "" },
	{ "larr", "\xe2\x86\x90" },
	{ "rarr", "\xe2\x86\x92" },
	{ "hearts", "\xe2\x99\xa5" },
	{ "star", "\xe2\x98\x86" },
};

size_t
html_entity(const char *s, size_t n, char *out, size_t *outlen)
{
	unsigned long c = 0;
	size_t i = 1, j, len;
	int hex;

	if (n > 2 && s[1] == '#') {
		hex = s[2] == 'x' || s[2] == 'X';
		i = hex ? 3 : 2;
		/* at most 7 digits: no overflow, and past U+10FFFF anyway */
		for (j = i; j < n && j < i + 7 &&
		     (hex ? isxdigit((unsigned char)s[j]) :
			    isdigit((unsigned char)s[j]));
		     j++)
			c = c * (hex ? 16 : 10) +
			    (unsigned long)(isdigit((unsigned char)s[j]) ?
				    s[j] - '0' :
				    (tolower((unsigned char)s[j]) - 'a' + 10));
		if (j == i || j >= n || s[j] != ';')
			return 0;
		if (c == 0 || c > 0x10ffff)
			c = 0xfffd;
		*outlen = utf8_encode((uint32_t)c, out);
		return j + 1;
	}
	for (j = 1; j < n && j < 33 && isalnum((unsigned char)s[j]); j++)
		;
	if (j >= n || s[j] != ';')
		return 0;
	len = j - 1;
	for (i = 0; i < ARRAY_LEN(entities); i++)
		if (strlen(entities[i].name) == len &&
		    memcmp(entities[i].name, s + 1, len) == 0) {
			*outlen = strlen(entities[i].utf8);
			memcpy(out, entities[i].utf8, *outlen);
			return j + 1;
		}
	return 0;
}

/* Text with its entities decoded; with tags, its tags and comments gone. */
static inline void
decode(struct buf *b, const char *s, size_t n, int tags)
{
	char u[HTML_ENTITY_MAX];
	size_t i, k, ul;

	for (i = 0; i < n; i++) {
		if (s[i] == '<' && tags && i + 1 < n &&
		    (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '/' ||
			s[i + 1] == '!')) {
			i += html_find_ci(s + i, n - i, ">");
			continue;
		}
		if (s[i] == '&' &&
		    (k = html_entity(s + i, n - i, u, &ul)) > 0) {
			buf_add(b, u, ul);
			i += k - 1;
			continue;
		}
		buf_addc(b, s[i]);
	}
}

void
html_decode(struct buf *b, const char *s, size_t n)
{
	decode(b, s, n, 0);
}

size_t
html_find_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, needle, k) == 0)
			return i;
	return n;
}

size_t
html_find_tag(const char *s, size_t n, const char *name)
{
	size_t k = strlen(name), i;
	const char *p;

	for (i = 0; i < n; i++) {
		if ((p = memchr(s + i, '<', n - i)) == NULL)
			break;
		i = (size_t)(p - s);
		if (n - i > k + 1 && strncasecmp(s + i + 1, name, k) == 0 &&
		    (s[i + 1 + k] == '>' ||
			isspace((unsigned char)s[i + 1 + k])))
			return i;
	}
	return n;
}

int
html_tag_is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

int
html_tag_in(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (html_tag_is(s, n, *list))
			return 1;
	return 0;
}

int
html_attr(const char *a, size_t n, const char *name, struct buf *val)
{
	size_t i = 0, ks, kn, vs, vn;
	char q;

	buf_reset(val);
	while (i < n) {
		while (i < n && (isspace((unsigned char)a[i]) || a[i] == '/'))
			i++;
		ks = i;
		while (i < n && !isspace((unsigned char)a[i]) && a[i] != '=' &&
		    a[i] != '>' && a[i] != '/')
			i++;
		kn = i - ks;
		if (kn == 0) {
			i++;
			continue;
		}
		while (i < n && isspace((unsigned char)a[i]))
			i++;
		vs = vn = 0;
		if (i < n && a[i] == '=') {
			i++;
			while (i < n && isspace((unsigned char)a[i]))
				i++;
			if (i < n && (a[i] == '"' || a[i] == '\'')) {
				q = a[i++];
				vs = i;
				while (i < n && a[i] != q)
					i++;
				vn = i - vs;
				if (i < n)
					i++;
			} else {
				vs = i;
				while (i < n && !isspace((unsigned char)a[i]) &&
				    a[i] != '>')
					i++;
				vn = i - vs;
			}
		}
		if (html_tag_is(a + ks, kn, name)) {
			html_decode(val, a + vs, vn);
			return 1;
		}
	}
	return 0;
}

void
html_strip(struct buf *b, const char *s, size_t n)
{
	decode(b, s, n, 1);
}

void
html_lexer_init(struct html_lexer *lx, const char *s, size_t len)
{
	memset(lx, 0, sizeof(*lx));
	lx->s = s;
	lx->len = len;
}

/* Moves past k more bytes, never past the end. */
static void
skip(struct html_lexer *lx, size_t k)
{
	lx->pos = k < lx->len - lx->pos ? lx->pos + k : lx->len;
}

/*
 * A tag at s[i] == '<': a name that starts with a letter, then anything
 * (quoted '>' included) up to '>'. Returns 0 when it is not one, and
 * then the '<' is text.
 */
static int
tag(struct html_lexer *lx, struct html_token *t)
{
	const char *s = lx->s;
	size_t len = lx->len, j = lx->pos + 1, ns, k;
	char q;

	t->closing = j < len && s[j] == '/';
	if (t->closing)
		j++;
	ns = j;
	while (j < len && (isalnum((unsigned char)s[j]) || s[j] == '-'))
		j++;
	if (j == ns || !isalpha((unsigned char)s[ns]))
		return 0;
	for (k = j; k < len && s[k] != '>';) {
		if (s[k] == '"' || s[k] == '\'') {
			q = s[k++];
			while (k < len && s[k] != q)
				k++;
		}
		if (k < len)
			k++;
	}
	if (k >= len)
		return 0;
	t->kind = HTML_TAG;
	t->s = s + ns;
	t->n = j - ns;
	t->attrs = s + j;
	t->nattrs = k - j;
	lx->pos = k + 1;
	/* what a script or style holds is not text */
	if (!t->closing && html_tag_is(t->s, t->n, "script"))
		skip(lx, html_find_ci(s + lx->pos, len - lx->pos, "</script"));
	else if (!t->closing && html_tag_is(t->s, t->n, "style"))
		skip(lx, html_find_ci(s + lx->pos, len - lx->pos, "</style"));
	return 1;
}

int
html_next(struct html_lexer *lx, struct html_token *t)
{
	const char *s = lx->s;
	size_t len = lx->len, i, k;

	memset(t, 0, sizeof(*t));
	while ((i = lx->pos) < len) {
		if (s[i] == '<' && len - i >= 4 &&
		    memcmp(s + i, "<!--", 4) == 0) {
			skip(lx,
			    4 + html_find_ci(s + i + 4, len - i - 4, "-->") +
				3);
			continue;
		}
		if (s[i] == '<' && len - i >= 2 &&
		    (s[i + 1] == '!' || s[i + 1] == '?')) {
			skip(lx, html_find_ci(s + i, len - i, ">") + 1);
			continue;
		}
		if (s[i] == '<' && tag(lx, t))
			return 1;
		if (s[i] == '&' &&
		    (k = html_entity(s + i, len - i, lx->ent, &t->n)) > 0) {
			t->kind = HTML_TEXT;
			t->s = lx->ent;
			lx->pos = i + k;
			return 1;
		}
		if (isspace((unsigned char)s[i])) {
			for (k = i; k < len && isspace((unsigned char)s[k]);
			     k++)
				;
			t->kind = HTML_SPACE;
		} else {
			/* up to the next tag, entity or space */
			for (k = i + 1; k < len && s[k] != '<' && s[k] != '&' &&
			     !isspace((unsigned char)s[k]);
			     k++)
				;
			t->kind = HTML_TEXT;
		}
		t->s = s + i;
		t->n = k - i;
		lx->pos = k;
		return 1;
	}
	return 0;
}
