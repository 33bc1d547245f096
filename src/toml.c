/*
 * toml: a TOML 1.0 parser (plus 1.1's optional seconds and \e) into a tree of
 * struct toml_value, each value remembering its line so config and front
 * matter errors can point at it. Linear time: tables grow a hash index
 * once they are large, and nesting is bounded so hostile input cannot
 * exhaust the stack. Pure: no I/O, never logs; stops at the first error.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "toml.h"
#include "utf8.h"

#define TOML_MAX_DEPTH 64 /* nested tables/arrays below the root */
#define TOML_HASH_MIN  16 /* members before a table gets a hash index */

/* How a container came to exist; decides what may be added to it later. */
#define TF_IMPLICIT 0x00 /* parent of a [header], not yet defined */
#define TF_HEADER   0x01 /* defined by its own [header] */
#define TF_DOTTED   0x02 /* created by a dotted key */
#define TF_INLINE   0x04 /* { inline } table or [ literal ] array: closed */
#define TF_AOT	    0x08 /* array created by [[header]] */

/* Every value is allocated as a tnode, so its address is a toml_value. */
struct tnode {
	struct toml_value v;
	int flags;
	int depth;
	struct strmap idx; /* TOML_TABLE of TOML_HASH_MIN+: key -> index + 1 */
};

struct keypath {
	char **k;
	size_t n, cap;
	int line;
};

struct parser {
	const char *p, *end;
	int line;
	int failed;
	struct diags *d;
};

static struct toml_value *parse_value(struct parser *, int);

static void perr(struct parser *, const char *, ...) ATTR_PRINTF(2, 3);

static void
perr(struct parser *ps, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (ps->failed)
		return;
	ps->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diags_add(ps->d, DIAG_ERROR, ps->line, "%s", msg);
}

static struct tnode *
tn(const struct toml_value *v)
{
	return (struct tnode *)(uintptr_t)v;
}

static struct toml_value *
node_new(enum toml_type type, int line, int depth, int flags)
{
	struct tnode *n = xcalloc(1, sizeof(*n));

	n->v.type = type;
	n->v.line = line;
	n->depth = depth;
	n->flags = flags;
	return &n->v;
}

int
toml_same(const struct toml_value *a, const struct toml_value *b)
{
	size_t i;

	if (a == NULL || b == NULL)
		return a == b;
	if (a->type != b->type || a->line != b->line || a->n != b->n)
		return 0;
	switch (a->type) {
	case TOML_STRING:
	case TOML_DATETIME:
		return strcmp(a->u.s, b->u.s) == 0;
	case TOML_INT:
		return a->u.i == b->u.i;
	case TOML_FLOAT:
		return memcmp(&a->u.f, &b->u.f, sizeof(a->u.f)) == 0;
	case TOML_BOOL:
		return a->u.b == b->u.b;
	default:
		break;
	}
	for (i = 0; i < a->n; i++)
		if (!toml_same(a->items[i], b->items[i]) ||
		    (a->keys && strcmp(a->keys[i], b->keys[i]) != 0))
			return 0;
	return 1;
}

void
toml_free(struct toml_value *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		toml_free(v->items[i]);
		if (v->keys != NULL)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	if (v->type == TOML_STRING || v->type == TOML_DATETIME)
		free(v->u.s);
	strmap_free(&tn(v)->idx);
	free(tn(v));
}

static void
idx_put(struct tnode *t, size_t i)
{
	strmap_put(&t->idx, t->v.keys[i], strlen(t->v.keys[i]),
	    (void *)(uintptr_t)(i + 1));
}

static struct toml_value *
tab_find(const struct toml_value *t, const char *key)
{
	const struct tnode *n = tn(t);
	size_t i;

	if (n->idx.cap == 0) {
		for (i = 0; i < t->n; i++)
			if (strcmp(t->keys[i], key) == 0)
				return t->items[i];
		return NULL;
	}
	i = (size_t)(uintptr_t)strmap_get(&n->idx, key, strlen(key));
	return i ? t->items[i - 1] : NULL;
}

/* Takes ownership of key and v. */
static void
tab_add(struct toml_value *t, char *key, struct toml_value *v)
{
	struct tnode *n = tn(t);
	size_t kcap = t->cap, i;

	t->items = xgrow(t->items, &t->cap, t->n + 1, sizeof(*t->items));
	t->keys = xgrow(t->keys, &kcap, t->n + 1, sizeof(*t->keys));
	t->keys[t->n] = key;
	t->items[t->n] = v;
	t->n++;
	if (n->idx.cap)
		idx_put(n, t->n - 1);
	else if (t->n >= TOML_HASH_MIN)
		for (i = 0; i < t->n; i++)
			idx_put(n, i);
}

static void
arr_add(struct toml_value *a, struct toml_value *v)
{
	a->items = xgrow(a->items, &a->cap, a->n + 1, sizeof(*a->items));
	a->items[a->n++] = v;
}

const struct toml_value *
toml_get(const struct toml_value *t, const char *key)
{
	if (t == NULL || t->type != TOML_TABLE || key == NULL)
		return NULL;
	return tab_find(t, key);
}

const char *
toml_get_string(const struct toml_value *t, const char *key)
{
	const struct toml_value *v = toml_get(t, key);

	return v != NULL && v->type == TOML_STRING ? v->u.s : NULL;
}

struct toml_value *
toml_new(enum toml_type type, int line)
{
	return node_new(type, line, 0, type == TOML_TABLE ? TF_HEADER : 0);
}

void
toml_append(struct toml_value *a, struct toml_value *v)
{
	arr_add(a, v);
}

int
toml_set(struct toml_value *t, const char *key, struct toml_value *v)
{
	if (tab_find(t, key) != NULL)
		return -1;
	tab_add(t, xstrdup(key), v);
	return 0;
}

const char *
toml_type_name(enum toml_type type)
{
	switch (type) {
	case TOML_STRING:
		return "string";
	case TOML_INT:
		return "integer";
	case TOML_FLOAT:
		return "float";
	case TOML_BOOL:
		return "boolean";
	case TOML_DATETIME:
		return "datetime";
	case TOML_ARRAY:
		return "array";
	case TOML_TABLE:
		return "table";
	}
	return "unknown";
}

static int
at(const struct parser *ps, size_t off)
{
	if ((size_t)(ps->end - ps->p) <= off)
		return -1;
	return (unsigned char)ps->p[off];
}

static int
looking_at(const struct parser *ps, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(ps->end - ps->p) >= n && memcmp(ps->p, s, n) == 0;
}

static void
skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
		ps->p++;
}

static void
skip_comment(struct parser *ps)
{
	if (ps->p < ps->end && *ps->p == '#')
		while (ps->p < ps->end && *ps->p != '\n' && *ps->p != '\r')
			ps->p++;
}

/* Consumes one LF or CRLF; returns 0, or -1 when there is none. */
static int
newline(struct parser *ps)
{
	if (at(ps, 0) == '\n') {
		ps->p++;
		ps->line++;
		return 0;
	}
	if (at(ps, 0) == '\r' && at(ps, 1) == '\n') {
		ps->p += 2;
		ps->line++;
		return 0;
	}
	return -1;
}

/* Whitespace, comments and newlines, as between array elements. */
static void
skip_ws_nl(struct parser *ps)
{
	for (;;) {
		skip_ws(ps);
		skip_comment(ps);
		if (newline(ps) == -1)
			return;
	}
}

static int
end_of_line(struct parser *ps)
{
	skip_ws(ps);
	skip_comment(ps);
	if (ps->p == ps->end || newline(ps) == 0)
		return 0;
	perr(ps, "unexpected '%c' after value; expected end of line", *ps->p);
	return -1;
}

static int
is_ctrl(int c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* ps->p is just past the backslash. */
static int
parse_escape(struct parser *ps, struct buf *b)
{
	unsigned long cp = 0;
	int c, h, i, ndig;
	char tmp[4];

	if ((c = at(ps, 0)) == -1) {
		perr(ps, "unterminated string");
		return -1;
	}
	ps->p++;
	switch (c) {
	case 'b':
		buf_addc(b, '\b');
		return 0;
	case 't':
		buf_addc(b, '\t');
		return 0;
	case 'n':
		buf_addc(b, '\n');
		return 0;
	case 'f':
		buf_addc(b, '\f');
		return 0;
	case 'r':
		buf_addc(b, '\r');
		return 0;
	case 'e':
		buf_addc(b, 0x1b);
		return 0;
	case '"':
	case '\\':
		buf_addc(b, c);
		return 0;
	case 'u':
		ndig = 4;
		break;
	case 'U':
		ndig = 8;
		break;
	default:
		if (c >= 0x20 && c < 0x7f)
			perr(ps, "invalid escape '\\%c' in string", c);
		else
			perr(ps, "invalid escape in string");
		return -1;
	}
	for (i = 0; i < ndig; i++) {
		if ((h = util_hexval(at(ps, 0))) == -1) {
			perr(ps, "\\%c needs %d hex digits", c, ndig);
			return -1;
		}
		cp = cp << 4 | (unsigned long)h;
		ps->p++;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		perr(ps, "\\%c escape U+%04lX is not a Unicode scalar value", c,
		    cp);
		return -1;
	}
	if (cp == 0) {
		perr(ps, "NUL character (\\%c0000) is not allowed in strings",
		    c);
		return -1;
	}
	buf_add(b, tmp, utf8_encode((uint32_t)cp, tmp));
	return 0;
}

/*
 * One-line strings: ps->p is past the opening quote q. Escapes only in
 * basic strings (q is '"'); a literal string (q is '\'') takes every
 * character but a control character as it stands.
 */
static int
parse_line_string(struct parser *ps, struct buf *b, int q)
{
	int c;

	for (;;) {
		if ((c = at(ps, 0)) == -1 || c == '\n' || c == '\r') {
			perr(ps, "unterminated string");
			return -1;
		}
		ps->p++;
		if (c == q)
			return 0;
		if (c == '\\' && q == '"') {
			if (parse_escape(ps, b) == -1)
				return -1;
		} else if (is_ctrl(c)) {
			perr(ps, "control character 0x%02x in string", c);
			return -1;
		} else
			buf_addc(b, c);
	}
}

/*
 * Multi-line strings: ps->p is past the opening triple quote. A newline
 * right after it is dropped; up to two quotes may precede the closing
 * three; in basic strings a backslash at the end of a line eats all
 * following whitespace and newlines. CRLF is kept as LF.
 */
static int
parse_multi(struct parser *ps, struct buf *b, int q)
{
	const char *s;
	int c, start = ps->line;
	size_t nq, k;

	newline(ps);
	for (;;) {
		if ((c = at(ps, 0)) == -1) {
			ps->line = start;
			perr(ps, "unterminated multi-line string");
			return -1;
		}
		if (c == q) {
			for (nq = 0; at(ps, nq) == q; nq++)
				;
			if (nq >= 3) {
				if (nq > 5) {
					perr(ps,
					    "too many quotes closing "
					    "multi-line string");
					return -1;
				}
				for (k = 3; k < nq; k++)
					buf_addc(b, q);
				ps->p += nq;
				return 0;
			}
			while (nq-- > 0) {
				buf_addc(b, q);
				ps->p++;
			}
			continue;
		}
		if (c == '\n' || c == '\r') {
			if (newline(ps) == -1) {
				perr(ps, "bare carriage return in string");
				return -1;
			}
			buf_addc(b, '\n');
			continue;
		}
		ps->p++;
		if (c == '\\' && q == '"') {
			for (s = ps->p;
			     s < ps->end && (*s == ' ' || *s == '\t'); s++)
				;
			if (s < ps->end && (*s == '\n' || *s == '\r')) {
				ps->p = s;
				while (newline(ps) == 0)
					skip_ws(ps);
				continue;
			}
			if (parse_escape(ps, b) == -1)
				return -1;
			continue;
		}
		if (is_ctrl(c)) {
			perr(ps, "control character 0x%02x in string", c);
			return -1;
		}
		buf_addc(b, c);
	}
}

static int
is_bare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static void
keypath_free(struct keypath *kp)
{
	strv_free(kp->k, kp->n);
	kp->k = NULL;
	kp->n = kp->cap = 0;
}

/* key = simple-key *( "." simple-key ), whitespace allowed around dots. */
static int
parse_key(struct parser *ps, struct keypath *kp)
{
	struct buf b = BUF_INIT;
	int c, r;

	kp->line = ps->line;
	for (;;) {
		skip_ws(ps);
		c = at(ps, 0);
		if ((c == '"' && !looking_at(ps, "\"\"\"")) ||
		    (c == '\'' && !looking_at(ps, "'''"))) {
			ps->p++;
			r = parse_line_string(ps, &b, c);
		} else if (c != -1 && is_bare(c)) {
			while (ps->p < ps->end && is_bare(*ps->p))
				buf_addc(&b, *ps->p++);
			r = 0;
		} else {
			perr(ps, "expected a key");
			r = -1;
		}
		if (r == -1)
			goto fail;
		if (strlen(b.data) != b.len) {
			perr(ps, "NUL character in key");
			goto fail;
		}
		if (kp->n == TOML_MAX_DEPTH) {
			perr(ps, "key has more than %d parts", TOML_MAX_DEPTH);
			goto fail;
		}
		kp->k = xgrow(kp->k, &kp->cap, kp->n + 1, sizeof(*kp->k));
		kp->k[kp->n++] = buf_detach(&b, NULL);
		skip_ws(ps);
		if (at(ps, 0) != '.')
			return 0;
		ps->p++;
	}
fail:
	buf_free(&b);
	return -1;
}

static int
num4(const char *s)
{
	int i, v = 0;

	for (i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
num2(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* HH:MM[:SS[.frac]] at s[*i]; returns 0 and advances *i, or -1. */
static int
check_time(const char *s, size_t n, size_t *i)
{
	size_t j = *i;

	if (n - j < 5 || s[j + 2] != ':' || num2(s + j) < 0 ||
	    num2(s + j) > 23 || num2(s + j + 3) < 0 || num2(s + j + 3) > 59)
		return -1;
	j += 5;
	if (j < n && s[j] == ':') {
		if (n - j < 3 || num2(s + j + 1) < 0 || num2(s + j + 1) > 60)
			return -1;
		j += 3;
		if (j < n && s[j] == '.') {
			if (++j == n || s[j] < '0' || s[j] > '9')
				return -1;
			while (j < n && s[j] >= '0' && s[j] <= '9')
				j++;
		}
	}
	*i = j;
	return 0;
}

/* Offset date-time, local date-time, local date or local time. */
static int
check_datetime(const char *s, size_t n)
{
	size_t i = 0;
	int y, m, d;

	if (n >= 3 && s[2] == ':')
		return check_time(s, n, &i) == 0 && i == n ? 0 : -1;
	if (n < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	y = num4(s);
	m = num2(s + 5);
	d = num2(s + 8);
	if (y < 0 || m < 1 || m > 12 || d < 1 || d > util_days_in_month(y, m))
		return -1;
	if ((i = 10) == n)
		return 0;
	if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
		return -1;
	i++;
	if (check_time(s, n, &i) == -1)
		return -1;
	if (i == n)
		return 0;
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n)
		return 0;
	if ((s[i] == '+' || s[i] == '-') && n - i == 6 && s[i + 3] == ':' &&
	    num2(s + i + 1) >= 0 && num2(s + i + 1) <= 23 &&
	    num2(s + i + 4) >= 0 && num2(s + i + 4) <= 59)
		return 0;
	return -1;
}

/*
 * Digits of the given base with underscores only between digits;
 * copies the digits to out. Returns how many digits, or -1.
 */
static int
scan_digits(const char *s, size_t n, size_t *i, int base, struct buf *out)
{
	int count = 0, h;

	while (*i < n) {
		if (s[*i] == '_') {
			if (count == 0 || *i + 1 == n ||
			    (h = util_hexval(s[*i + 1])) == -1 || h >= base)
				return -1;
			(*i)++;
			continue;
		}
		if ((h = util_hexval(s[*i])) == -1 || h >= base)
			break;
		buf_addc(out, s[*i]);
		(*i)++;
		count++;
	}
	return count;
}

static int
parse_number(const char *s, size_t n, struct toml_value *v)
{
	struct buf b = BUF_INIT;
	size_t i = 0, start;
	int base = 10, isfloat = 0, nd;
	char *ep;

	start = (n > 0 && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
	if (n - start == 3 &&
	    (memcmp(s + start, "inf", 3) == 0 ||
		memcmp(s + start, "nan", 3) == 0)) {
		v->type = TOML_FLOAT;
		v->u.f = s[start] == 'i' ? HUGE_VAL : NAN;
		if (s[0] == '-')
			v->u.f = -v->u.f;
		return 0;
	}
	if (start == 0 && n > 2 && s[0] == '0') {
		if (s[1] == 'x')
			base = 16;
		else if (s[1] == 'o')
			base = 8;
		else if (s[1] == 'b')
			base = 2;
	}
	if (base != 10) {
		i = 2;
		if (scan_digits(s, n, &i, base, &b) <= 0 || i != n)
			goto fail;
		errno = 0;
		v->u.i = strtoll(b.data, &ep, base);
		if (errno == ERANGE)
			goto fail;
		v->type = TOML_INT;
		buf_free(&b);
		return 0;
	}
	buf_add(&b, s, start);
	i = start;
	if ((nd = scan_digits(s, n, &i, 10, &b)) <= 0)
		goto fail;
	if (nd > 1 && s[start] == '0')
		goto fail; /* leading zeros */
	if (i < n && s[i] == '.') {
		buf_addc(&b, s[i++]);
		if (scan_digits(s, n, &i, 10, &b) <= 0)
			goto fail;
		isfloat = 1;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		buf_addc(&b, s[i++]);
		if (i < n && (s[i] == '+' || s[i] == '-'))
			buf_addc(&b, s[i++]);
		if (scan_digits(s, n, &i, 10, &b) <= 0)
			goto fail;
		isfloat = 1;
	}
	if (i != n)
		goto fail;
	errno = 0;
	if (isfloat) {
		v->type = TOML_FLOAT;
		v->u.f = strtod(b.data, &ep);
	} else {
		v->type = TOML_INT;
		v->u.i = strtoll(b.data, &ep, 10);
		if (errno == ERANGE)
			goto fail;
	}
	buf_free(&b);
	return 0;
fail:
	buf_free(&b);
	return -1;
}

static int
is_tokchar(int c)
{
	return is_bare(c) || c == '+' || c == '.' || c == ':';
}

/* Numbers, booleans and date-times: one run of token characters. */
static struct toml_value *
parse_scalar(struct parser *ps)
{
	struct toml_value *v;
	const char *s = ps->p;
	size_t n;

	while (ps->p < ps->end && is_tokchar(*ps->p))
		ps->p++;
	n = (size_t)(ps->p - s);
	/* 1979-05-27 07:32:00: a space may separate date and time. */
	if (n == 10 && s[4] == '-' && at(ps, 0) == ' ' && at(ps, 1) >= '0' &&
	    at(ps, 1) <= '9' && at(ps, 2) >= '0' && at(ps, 2) <= '9' &&
	    at(ps, 3) == ':') {
		ps->p++;
		while (ps->p < ps->end && is_tokchar(*ps->p))
			ps->p++;
		n = (size_t)(ps->p - s);
	}
	if (n == 0) {
		if (ps->p<ps->end && * ps->p> 0x20 && *ps->p < 0x7f)
			perr(ps, "expected a value, found '%c'", *ps->p);
		else
			perr(ps, "expected a value");
		return NULL;
	}
	v = node_new(TOML_BOOL, ps->line, 0, 0);
	if (n == 4 && memcmp(s, "true", 4) == 0)
		v->u.b = 1;
	else if (n == 5 && memcmp(s, "false", 5) == 0)
		v->u.b = 0;
	else if (n >= 3 &&
	    (s[2] == ':' ||
		(n >= 10 && s[4] == '-' && s[0] >= '0' && s[0] <= '9'))) {
		if (check_datetime(s, n) == -1) {
			perr(ps, "invalid date or time '%.*s'",
			    (int)(n > 40 ? 40 : n), s);
			goto fail;
		}
		v->type = TOML_DATETIME;
		v->u.s = xstrndup(s, n);
	} else if (parse_number(s, n, v) == -1) {
		perr(ps, "invalid value '%.*s'", (int)(n > 40 ? 40 : n), s);
		goto fail;
	}
	return v;
fail:
	toml_free(v);
	return NULL;
}

static struct toml_value *
parse_string(struct parser *ps)
{
	struct buf b = BUF_INIT;
	struct toml_value *v;
	int line = ps->line, r;

	if (looking_at(ps, "\"\"\"") || looking_at(ps, "'''")) {
		ps->p += 3;
		r = parse_multi(ps, &b, ps->p[-1]);
	} else {
		ps->p++;
		r = parse_line_string(ps, &b, ps->p[-1]);
	}
	if (r == -1) {
		buf_free(&b);
		return NULL;
	}
	v = node_new(TOML_STRING, line, 0, 0);
	v->u.s = buf_detach(&b, NULL);
	return v;
}

/*
 * Stores v under the dotted key kp in table t, creating the tables the
 * dots name. Takes ownership of v, even on error.
 */
static int
put_keyval(struct parser *ps, struct toml_value *t, struct keypath *kp,
    struct toml_value *v)
{
	struct toml_value *c, *prev;
	size_t i;

	for (i = 0; i + 1 < kp->n; i++) {
		if ((c = tab_find(t, kp->k[i])) == NULL) {
			c = node_new(TOML_TABLE, kp->line, tn(t)->depth + 1,
			    TF_DOTTED);
			tab_add(t, xstrdup(kp->k[i]), c);
		} else if (c->type != TOML_TABLE ||
		    (tn(c)->flags & (TF_DOTTED | TF_INLINE)) != TF_DOTTED) {
			ps->line = kp->line;
			perr(ps, "cannot add keys to '%s' (defined on line %d)",
			    kp->k[i], c->line);
			goto fail;
		}
		t = c;
	}
	if ((prev = tab_find(t, kp->k[i])) != NULL) {
		ps->line = kp->line;
		perr(ps, "duplicate key '%s' (first defined on line %d)",
		    kp->k[i], prev->line);
		goto fail;
	}
	tab_add(t, xstrdup(kp->k[i]), v);
	return 0;
fail:
	toml_free(v);
	return -1;
}

static int
parse_keyval(struct parser *ps, struct toml_value *t)
{
	struct keypath kp = { 0 };
	struct toml_value *v;
	int r = -1;

	if (parse_key(ps, &kp) == -1)
		goto done;
	if (tn(t)->depth + (int)kp.n > TOML_MAX_DEPTH) {
		perr(ps, "tables nested more than %d deep", TOML_MAX_DEPTH);
		goto done;
	}
	skip_ws(ps);
	if (at(ps, 0) != '=') {
		perr(ps, "expected '=' after key '%s'", kp.k[kp.n - 1]);
		goto done;
	}
	ps->p++;
	skip_ws(ps);
	if ((v = parse_value(ps, tn(t)->depth + (int)kp.n)) == NULL)
		goto done;
	r = put_keyval(ps, t, &kp, v);
done:
	keypath_free(&kp);
	return r;
}

static struct toml_value *
parse_array(struct parser *ps, int depth)
{
	struct toml_value *a, *v;

	a = node_new(TOML_ARRAY, ps->line, depth, TF_INLINE);
	ps->p++;
	for (;;) {
		skip_ws_nl(ps);
		if (at(ps, 0) == ']')
			break;
		if (at(ps, 0) == -1) {
			ps->line = a->line;
			perr(ps, "unterminated array");
			goto fail;
		}
		if ((v = parse_value(ps, depth + 1)) == NULL)
			goto fail;
		arr_add(a, v);
		skip_ws_nl(ps);
		if (at(ps, 0) == ',') {
			ps->p++;
			continue;
		}
		if (at(ps, 0) == ']')
			break;
		if (at(ps, 0) == -1)
			ps->line = a->line;
		perr(ps,
		    at(ps, 0) == -1 ? "unterminated array" :
				      "expected ',' or ']' in array");
		goto fail;
	}
	ps->p++;
	return a;
fail:
	toml_free(a);
	return NULL;
}

static struct toml_value *
parse_inline_table(struct parser *ps, int depth)
{
	struct toml_value *t;

	t = node_new(TOML_TABLE, ps->line, depth, TF_INLINE);
	ps->p++;
	skip_ws(ps);
	if (at(ps, 0) == '}') {
		ps->p++;
		return t;
	}
	for (;;) {
		if (parse_keyval(ps, t) == -1)
			goto fail;
		skip_ws(ps);
		if (at(ps, 0) == '}')
			break;
		if (at(ps, 0) != ',') {
			perr(ps,
			    "expected ',' or '}' in inline table "
			    "(inline tables must fit on one line)");
			goto fail;
		}
		ps->p++;
		skip_ws(ps);
	}
	ps->p++;
	return t;
fail:
	toml_free(t);
	return NULL;
}

/* depth is the depth the value has if it is an array or table. */
static struct toml_value *
parse_value(struct parser *ps, int depth)
{
	int c = at(ps, 0);

	if ((c == '[' || c == '{') && depth > TOML_MAX_DEPTH) {
		perr(ps, "arrays or tables nested more than %d deep",
		    TOML_MAX_DEPTH);
		return NULL;
	}
	switch (c) {
	case '"':
	case '\'':
		return parse_string(ps);
	case '[':
		return parse_array(ps, depth);
	case '{':
		return parse_inline_table(ps, depth);
	default:
		return parse_scalar(ps);
	}
}

/* [a.b] and [[a.b]]: returns the table keys go into, or NULL. */
static struct toml_value *
parse_header(struct parser *ps, struct toml_value *root)
{
	struct keypath kp = { 0 };
	struct toml_value *t = root, *c, *r = NULL;
	int aot = 0, line = ps->line; /* header keys cannot span lines */
	size_t i;

	ps->p++;
	if (at(ps, 0) == '[') {
		aot = 1;
		ps->p++;
	}
	if (parse_key(ps, &kp) == -1)
		goto done;
	if (at(ps, 0) != ']' || (aot && at(ps, 1) != ']')) {
		perr(ps, "expected '%s' to close table header",
		    aot ? "]]" : "]");
		goto done;
	}
	ps->p += aot ? 2 : 1;
	if ((int)kp.n + aot > TOML_MAX_DEPTH) {
		perr(ps, "tables nested more than %d deep", TOML_MAX_DEPTH);
		goto done;
	}
	for (i = 0; i + 1 < kp.n; i++) {
		if ((c = tab_find(t, kp.k[i])) == NULL) {
			c = node_new(TOML_TABLE, line, tn(t)->depth + 1,
			    TF_IMPLICIT);
			tab_add(t, xstrdup(kp.k[i]), c);
		} else if (c->type == TOML_ARRAY && (tn(c)->flags & TF_AOT))
			c = c->items[c->n - 1];
		else if (c->type != TOML_TABLE || (tn(c)->flags & TF_INLINE)) {
			perr(ps,
			    "'%s' (line %d) is not a table that can be "
			    "extended",
			    kp.k[i], c->line);
			goto done;
		}
		t = c;
	}
	c = tab_find(t, kp.k[i]);
	if (aot) {
		if (c == NULL) {
			c = node_new(TOML_ARRAY, line, tn(t)->depth + 1,
			    TF_AOT);
			tab_add(t, xstrdup(kp.k[i]), c);
		} else if (c->type != TOML_ARRAY || !(tn(c)->flags & TF_AOT)) {
			perr(ps,
			    "'%s' is already defined on line %d as a "
			    "%s, not an array of tables",
			    kp.k[i], c->line, toml_type_name(c->type));
			goto done;
		}
		r = node_new(TOML_TABLE, line, tn(c)->depth + 1, TF_HEADER);
		arr_add(c, r);
	} else if (c == NULL) {
		r = node_new(TOML_TABLE, line, tn(t)->depth + 1, TF_HEADER);
		tab_add(t, xstrdup(kp.k[i]), r);
	} else if (c->type == TOML_TABLE && tn(c)->flags == TF_IMPLICIT) {
		tn(c)->flags = TF_HEADER;
		r = c;
	} else
		perr(ps, "table '%s' is already defined on line %d", kp.k[i],
		    c->line);
done:
	keypath_free(&kp);
	if (r != NULL && end_of_line(ps) == -1)
		r = NULL;
	return r;
}

struct toml_value *
toml_parse(const char *text, size_t len, struct diags *d)
{
	struct parser ps = { text, text + len, 1, 0, d };
	struct toml_value *root, *cur;
	size_t ok, i;

	if ((ok = utf8_valid_prefix(text, len)) != len) {
		for (i = 0; i < ok; i++)
			if (text[i] == '\n')
				ps.line++;
		perr(&ps, "invalid UTF-8");
		return NULL;
	}
	root = cur = node_new(TOML_TABLE, 1, 0, TF_HEADER);
	while (!ps.failed) {
		skip_ws_nl(&ps);
		if (ps.p == ps.end)
			break;
		if (*ps.p == '[') {
			if ((cur = parse_header(&ps, root)) == NULL)
				break;
		} else if (parse_keyval(&ps, cur) == -1 ||
		    end_of_line(&ps) == -1)
			break;
	}
	if (ps.failed) {
		toml_free(root);
		return NULL;
	}
	return root;
}

/* Writers: the tree as JSON or YAML (Hugo's code-toggle shows all three). */

static void
json_string(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	buf_addc(b, '"');
	for (; *p; p++) {
		if (*p == '"' || *p == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, *p);
		} else if (*p == '\n')
			buf_adds(b, "\\n");
		else if (*p == '\t')
			buf_adds(b, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			buf_printf(b, "\\u%04x", *p);
		else
			buf_addc(b, *p);
	}
	buf_addc(b, '"');
}

static void
scalar(struct buf *b, const struct toml_value *v)
{
	switch (v->type) {
	case TOML_STRING:
	case TOML_DATETIME:
		json_string(b, v->u.s);
		break;
	case TOML_INT:
		buf_printf(b, "%lld", v->u.i);
		break;
	case TOML_FLOAT:
		if (isfinite(v->u.f))
			buf_printf(b, "%.17g", v->u.f);
		else
			buf_adds(b, "null");
		break;
	case TOML_BOOL:
		buf_adds(b, v->u.b ? "true" : "false");
		break;
	default:
		break;
	}
}

static void
indent(struct buf *b, int n)
{
	while (n-- > 0)
		buf_adds(b, "  ");
}

static void
json_value(struct buf *b, const struct toml_value *v, int depth)
{
	size_t i;
	int table = v->type == TOML_TABLE;

	if (v->type != TOML_TABLE && v->type != TOML_ARRAY) {
		scalar(b, v);
		return;
	}
	if (v->n == 0 || depth > 64) {
		buf_adds(b, table ? "{}" : "[]");
		return;
	}
	buf_addc(b, table ? '{' : '[');
	for (i = 0; i < v->n; i++) {
		buf_addc(b, '\n');
		indent(b, depth + 1);
		if (table) {
			json_string(b, v->keys[i]);
			buf_adds(b, ": ");
		}
		json_value(b, v->items[i], depth + 1);
		if (i + 1 < v->n)
			buf_addc(b, ',');
	}
	buf_addc(b, '\n');
	indent(b, depth);
	buf_addc(b, table ? '}' : ']');
}

void
toml_write_json(const struct toml_value *v, struct buf *out)
{
	json_value(out, v, 0);
	buf_addc(out, '\n');
}

static void
yaml_key(struct buf *b, const char *k)
{
	const char *p;

	for (p = k;
	     *p && (isalnum((unsigned char)*p) || *p == '_' || *p == '-'); p++)
		;
	static const char *const words[] = { "true", "false", "yes", "no", "on",
		"off", "y", "n", "null" };
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(k, words[i]) == 0)
			break; /* YAML would read a boolean or null */
	if (*k && *p == '\0' && !isdigit((unsigned char)*k) &&
	    i == sizeof(words) / sizeof(words[0]))
		buf_adds(b, k);
	else
		json_string(b, k);
}

static void yaml_block(struct buf *, const struct toml_value *, int);

/* After "key:" or "-": a scalar or flow value on the line, else a block. */
static void
yaml_after(struct buf *b, const struct toml_value *v, int depth)
{
	if ((v->type == TOML_TABLE || v->type == TOML_ARRAY) && v->n > 0 &&
	    depth <= 64) {
		buf_addc(b, '\n');
		yaml_block(b, v, depth + 1);
	} else {
		buf_addc(b, ' ');
		if (v->type == TOML_TABLE || v->type == TOML_ARRAY)
			buf_adds(b, v->type == TOML_TABLE ? "{}" : "[]");
		else
			scalar(b, v);
		buf_addc(b, '\n');
	}
}

static void
yaml_block(struct buf *b, const struct toml_value *v, int depth)
{
	const struct toml_value *it;
	size_t i, j;

	for (i = 0; i < v->n; i++) {
		indent(b, depth);
		it = v->items[i];
		if (v->type == TOML_TABLE) {
			yaml_key(b, v->keys[i]);
			buf_addc(b, ':');
		} else if (it->type == TOML_TABLE && it->n > 0 && depth <= 64) {
			/* "- a: 1" then the other keys under it */
			for (j = 0; j < it->n; j++) {
				if (j > 0)
					indent(b, depth);
				buf_adds(b, j == 0 ? "- " : "  ");
				yaml_key(b, it->keys[j]);
				buf_addc(b, ':');
				yaml_after(b, it->items[j], depth + 1);
			}
			continue;
		} else
			buf_addc(b, '-');
		yaml_after(b, it, depth);
	}
}

void
toml_write_yaml(const struct toml_value *v, struct buf *out)
{
	if (v->type == TOML_TABLE)
		yaml_block(out, v, 0);
	else {
		scalar(out, v);
		buf_addc(out, '\n');
	}
}
