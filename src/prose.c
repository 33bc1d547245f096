/*
 * prose: the layout of plain text read from its source lines (see
 * prose.h). A hard-wrapping editor breaks a line where the next word
 * would not fit; a line that stops although its successor's first word
 * would have fit was ended on purpose. Pure: no I/O.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "prose.h"
#include "util.h"

#define PROSE_LINES 128 /* line ends measured in one pass */

/*
 * Offset just past the line starting at i (its LF, CR or CRLF included);
 * cr: the text may hold CRs, else memchr finds the LF.
 */
static size_t
next_line(const char *s, size_t n, size_t i, size_t *end, int cr)
{
	const char *nl;

	if (!cr) {
		nl = i < n ? memchr(s + i, '\n', n - i) : NULL;
		*end = nl ? (size_t)(nl - s) : n;
		return nl ? *end + 1 : n;
	}
	while (i < n && s[i] != '\n' && s[i] != '\r')
		i++;
	*end = i;
	if (i < n && s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
		return i + 2;
	return i < n ? i + 1 : i;
}

/* Code points in s[a..b). */
static size_t
ncp(const char *s, size_t a, size_t b)
{
	size_t k = b - a;

	for (; a < b; a++)
		k -= ((unsigned char)s[a] & 0xc0) == 0x80;
	return k;
}

/* End of the bracketed or parenthesised run opening at s[i], or b. */
static size_t
skip_group(const char *s, size_t i, size_t b)
{
	char open = s[i], close = open == '[' ? ']' : ')';
	int depth = 0;

	for (; i < b; i++) {
		if (s[i] == '\\' && i + 1 < b)
			i++;
		else if (s[i] == open)
			depth++;
		else if (s[i] == close && --depth == 0)
			return i + 1;
	}
	return b;
}

/*
 * Width of the text a reader sees: link destinations "](...)" and bare
 * URLs (one column each) left out, so a long link does not make a
 * wrapped line look unwrapped.
 */
static size_t
visible_width(const char *s, size_t a, size_t b)
{
	size_t w = 0, j;

	while (a < b) {
		if (s[a] == ']' && a + 1 < b && s[a + 1] == '(') {
			a = skip_group(s, a + 1, b);
			w++;
			continue;
		}
		if ((a == 0 || s[a - 1] == ' ') &&
		    (b - a > 7 &&
			(strncmp(s + a, "http://", 7) == 0 ||
			    strncmp(s + a, "https://", 8) == 0))) {
			for (j = a; j < b && s[j] != ' ' && s[j] != '\t'; j++)
				;
			a = j;
			w++;
			continue;
		}
		w += ((unsigned char)s[a] & 0xc0) != 0x80;
		a++;
	}
	return w;
}

/*
 * Width of the first unit a wrapping editor could move up from the line
 * s[a..b): its first word, or a whole link when it starts with one.
 */
static size_t
first_unit(const char *s, size_t a, size_t b)
{
	size_t i;

	while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '>'))
		a++;
	i = a;
	if (i < b && s[i] == '!')
		i++;
	if (i < b && s[i] == '[') {
		i = skip_group(s, i, b);
		if (i < b && s[i] == '(')
			i = skip_group(s, i, b);
	}
	while (i < b && s[i] != ' ' && s[i] != '\t')
		i++;
	return ncp(s, a, i);
}

/* s[a..b) without trailing blanks; *hard: it ends in a hard break. */
static size_t
trim_end(const char *s, size_t a, size_t b, int *hard)
{
	size_t e = b;

	while (e > a && (s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	*hard = b - e >= 2 || (e > a && s[e - 1] == '\\');
	return e;
}

/* A link reference or footnote definition line: "[x]: ...". */
static int
is_refdef(const char *s, size_t a, size_t b)
{
	size_t i;

	while (a < b && s[a] == ' ')
		a++;
	if (a >= b || s[a] != '[')
		return 0;
	i = skip_group(s, a, b);
	return i < b && i > a + 2 && s[i - 1] == ']' && s[i] == ':';
}

int
prose_hard_wrapped(const char *s, size_t n)
{
	size_t need[PROSE_LINES], i = 0, start, a, b, e, w, k, nneed = 0;
	size_t wmax = 0, vmax = 0, soft = 0, fits = 0;
	int hard, cr = memchr(s, '\r', n) != NULL;

	/* Definitions at the start belong to no paragraph text. */
	while (i < n) {
		a = i;
		i = next_line(s, n, i, &b, cr);
		if (!is_refdef(s, a, b)) {
			i = a;
			break;
		}
	}
	start = i;
	/*
	 * One pass: the widest line (the wrap column is at least that) and,
	 * per soft break, the column the next line's first unit would have
	 * ended at on this line.
	 */
	for (i = start; i < n;) {
		a = i;
		i = next_line(s, n, i, &b, cr);
		e = trim_end(s, a, b, &hard);
		w = ncp(s, a, e);
		if (w > wmax)
			wmax = w;
		/* never wider than the line: measured only when it counts */
		if (w > PROSE_WRAP_MAX && vmax <= PROSE_WRAP_MAX)
			vmax = visible_width(s, a, e);
		if (hard || i >= n)
			continue;
		soft++;
		next_line(s, n, i, &b, cr);
		k = w + 1 + first_unit(s, i, b);
		if (nneed < PROSE_LINES)
			need[nneed++] = k;
	}
	if (soft == 0)
		return 1;
	if (vmax > PROSE_WRAP_MAX || wmax < PROSE_WRAP_MIN)
		return 0;
	/* A soft break where the next word would have fit: on purpose. */
	for (k = 0; k < nneed; k++)
		fits += need[k] <= wmax;
	if (soft > nneed) /* a long paragraph: the rest measured again */
		for (i = start, k = 0; i < n;) {
			a = i;
			i = next_line(s, n, i, &b, cr);
			e = trim_end(s, a, b, &hard);
			if (hard || i >= n || k++ < nneed)
				continue;
			next_line(s, n, i, &b, cr);
			fits += ncp(s, a, e) + 1 + first_unit(s, i, b) <= wmax;
		}
	return fits * 4 <= soft;
}

/* --- titles ------------------------------------------------------- */

static size_t
indent(const char *s, size_t a, size_t b)
{
	size_t i = a;

	while (i < b && s[i] == ' ')
		i++;
	return i - a;
}

static int
blank(const char *s, size_t a, size_t b)
{
	for (; a < b; a++)
		if (s[a] != ' ' && s[a] != '\t')
			return 0;
	return 1;
}

/* A fence opening or closing line: its char and length, else 0. */
static size_t
fence(const char *s, size_t a, size_t b, char *c)
{
	size_t i;

	if (indent(s, a, b) > 3)
		return 0;
	a += indent(s, a, b);
	if (a >= b || (s[a] != '`' && s[a] != '~'))
		return 0;
	for (i = a; i < b && s[i] == s[a]; i++)
		;
	if (i - a < 3)
		return 0;
	*c = s[a];
	return i - a;
}

/* "- x", "* x", "+ x", "1. x", "1) x": a list item line. */
static int
list_item(const char *s, size_t a, size_t b)
{
	size_t i = a + indent(s, a, b);

	if (i < b && (s[i] == '-' || s[i] == '*' || s[i] == '+'))
		return i + 1 == b || s[i + 1] == ' ' || s[i + 1] == '\t';
	while (i < b && isdigit((unsigned char)s[i]))
		i++;
	return i > a && i < b && (s[i] == '.' || s[i] == ')') &&
	    (i + 1 == b || s[i + 1] == ' ');
}

/* A setext underline: === or --- (blanks around allowed). */
static int
underline(const char *s, size_t a, size_t b, char c)
{
	size_t i;

	if (indent(s, a, b) > 3)
		return 0;
	a += indent(s, a, b);
	for (i = a; i < b && s[i] == c; i++)
		;
	return i > a && blank(s, i, b);
}

/* The text of an ATX heading line, or 0. */
static int
atx(const char *s, size_t a, size_t b, size_t *ta, size_t *tb)
{
	size_t i;

	if (indent(s, a, b) > 3)
		return 0;
	a += indent(s, a, b);
	for (i = a; i < b && s[i] == '#'; i++)
		;
	if (i == a || i - a > 6 || (i < b && s[i] != ' ' && s[i] != '\t'))
		return 0;
	while (i < b && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (b > i && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	/* A closing run of '#' after a blank is not text. */
	{
		size_t h = b;

		while (h > i && s[h - 1] == '#')
			h--;
		if (h == i || s[h - 1] == ' ' || s[h - 1] == '\t')
			b = h;
	}
	while (b > i && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	*ta = i;
	*tb = b;
	return b > i;
}

/* Does the text end like a sentence (. ! ? … : ; , before closers)? */
static int
ends_sentence(const char *s, size_t a, size_t b)
{
	static const char *const closers[] = { "\xe2\x80\x9d", "\xe2\x80\x99",
		"\"", "'", ")", "]", "*", "_", NULL };
	size_t k;
	int more = 1;

	while (more && b > a) {
		more = 0;
		for (k = 0; closers[k]; k++) {
			size_t m = strlen(closers[k]);

			if (b - a >= m &&
			    memcmp(s + b - m, closers[k], m) == 0) {
				b -= m;
				more = 1;
				break;
			}
		}
	}
	if (b > a && strchr(".!?:;,", s[b - 1]) != NULL)
		return 1;
	return b - a >= 3 && memcmp(s + b - 3, "\xe2\x80\xa6", 3) == 0;
}

static char *
title_text(const char *s, size_t a, size_t b)
{
	struct buf t = BUF_INIT;
	size_t i;

	for (i = a; i < b; i++) {
		if (s[i] == '\n' || s[i] == '\r' || s[i] == '\t') {
			if (t.len && t.data[t.len - 1] != ' ')
				buf_addc(&t, ' ');
		} else
			buf_addc(&t, s[i]);
	}
	while (t.len && t.data[t.len - 1] == ' ')
		buf_truncate(&t, t.len - 1);
	return buf_detach(&t, NULL);
}

/* Strips a pair of emphasis markers around the whole text. */
static void
unwrap_emphasis(const char *s, size_t *a, size_t *b)
{
	static const char *const marks[] = { "**", "__", "*", "_", NULL };
	size_t k, m;

	for (k = 0; marks[k]; k++) {
		m = strlen(marks[k]);
		if (*b - *a > 2 * m && memcmp(s + *a, marks[k], m) == 0 &&
		    memcmp(s + *b - m, marks[k], m) == 0) {
			*a += m;
			*b -= m;
			return;
		}
	}
}

char *
prose_title(const char *s, size_t n, int plain_line)
{
	size_t i = 0, a, b, ta, tb, fence_len = 0, pa = 0, pb = 0;
	size_t ca = 0, cb = 0, pe;
	char fc = 0, c;
	int in_para = 0, plain_seen = 0, in_html = 0;

	while (i < n) {
		size_t k;

		a = i;
		i = next_line(s, n, i, &b, 1);
		if (fence_len) {
			if ((k = fence(s, a, b, &c)) >= fence_len && c == fc &&
			    blank(s, a + indent(s, a, b) + k, b))
				fence_len = 0;
			continue;
		}
		if (blank(s, a, b)) {
			in_para = in_html = 0;
			continue;
		}
		if ((k = fence(s, a, b, &c)) > 0) {
			fence_len = k;
			fc = c;
			in_para = 0;
			continue;
		}
		if (atx(s, a, b, &ta, &tb))
			return title_text(s, ta, tb);
		if (in_para &&
		    (underline(s, a, b, '=') || underline(s, a, b, '-')))
			return title_text(s, pa, pb);
		if (in_para) {
			pb = b; /* a paragraph's next line */
			continue;
		}
		ta = a + indent(s, a, b);
		if (indent(s, a, b) > 3 || list_item(s, a, b) || s[ta] == '>' ||
		    s[ta] == '|' || in_html) {
			continue;
		}
		if (s[ta] == '<') {
			in_html = 1;
			continue;
		}
		/* Links, images and rules are not text: the next line may be. */
		if (s[ta] == '[' || s[ta] == '!' ||
		    strncmp(s + ta, "http", 4) == 0 ||
		    underline(s, a, b, '-') || underline(s, a, b, '=') ||
		    underline(s, a, b, '*') || underline(s, a, b, '_'))
			continue;
		in_para = 1;
		pa = ta;
		pb = b;
		if (plain_seen)
			continue;
		/* The first line of plain text: a title, or the text itself. */
		plain_seen = 1;
		tb = b;
		while (tb > ta && (s[tb - 1] == ' ' || s[tb - 1] == '\t'))
			tb--;
		unwrap_emphasis(s, &ta, &tb);
		if (ncp(s, ta, tb) > PROSE_TITLE_MAX ||
		    ends_sentence(s, ta, tb))
			continue;
		/* A line of wrapped text is no title: its paragraph goes on. */
		for (k = i, pe = b; k < n;) {
			size_t ka = k, kb;

			k = next_line(s, n, k, &kb, 1);
			if (blank(s, ka, kb))
				break;
			pe = kb;
		}
		if (pe > b && prose_hard_wrapped(s + a, pe - a))
			continue;
		ca = ta;
		cb = tb;
	}
	return plain_line && cb > ca ? title_text(s, ca, cb) : NULL;
}

char *
prose_name_title(const char *stem)
{
	struct buf t = BUF_INIT;
	const char *p;

	for (p = stem; *p; p++) {
		if (*p == '-' || *p == '_' || *p == ' ') {
			if (t.len && t.data[t.len - 1] != ' ')
				buf_addc(&t, ' ');
		} else
			buf_addc(&t, *p);
	}
	while (t.len && t.data[t.len - 1] == ' ')
		buf_truncate(&t, t.len - 1);
	if (t.len && islower((unsigned char)t.data[0]))
		t.data[0] = (char)toupper((unsigned char)t.data[0]);
	return buf_detach(&t, NULL);
}
