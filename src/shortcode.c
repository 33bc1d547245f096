/*
 * shortcode: rewrites Hugo ({{< >}}, {{% %}}) and Zola ({{ f() }},
 * {% f() %}...{% end %}) shortcodes into plain Markdown before cmark sees
 * the text. Fenced and indented code and code spans pass through as they
 * are. Every forward search is memoised, so the pass stays linear in the
 * input whatever it holds. Pure: no I/O, never logs.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "frontmatter.h"
#include "shortcode.h"
#include "toml.h"
#include "util.h"

/* arguments kept per shortcode; more are ignored */
#define SC_MAX_ARGS	32
/* diagnostics per call before the rest are dropped */
#define SC_MAX_WARN	100
/* longest backtick run taken as a code span delimiter */
#define SC_MAX_TICKS	64
/* nested Zola block shortcodes remembered */
#define SC_MAX_DEPTH	64
/* digits in an ordered list marker (CommonMark's limit) */
#define SC_MAX_LIST	9
/* bytes of container prefix ("> > ", list indent) repeated per added line */
#define SC_MAX_PREFIX	64
/* bodies and included files expanded inside one another */
#define SC_MAX_NEST	8
/* paired Hugo shortcodes whose closer is searched, each with its memo */
#define SC_MAX_CLOSERS	16
/* bytes of a file include/readfile inlines */
#define SC_MAX_FILE	(4u << 20)
/* bytes and files all includes of one page may add, nested ones too */
#define SC_MAX_INCLUDED (16u << 20)
#define SC_MAX_FILES	256
/* a converted code-toggle snippet may be this many times its size */
#define SC_MAX_CONVERT	8

#define NONE SIZE_MAX

/* Things searched for ahead of the cursor, each with its own memo. */
enum target {
	T_HUGO_ANGLE,  /* >}} */
	T_HUGO_PCT,    /* %}} */
	T_ESC_ANGLE,   /* *\/>}} */
	T_ESC_PCT,     /* *\/%}} */
	T_ZOLA_INLINE, /* }} */
	T_ZOLA_BLOCK,  /* %} */
	T_ESC_ZINLINE, /* *\/}} */
	T_ESC_ZBLOCK,  /* *\/%} */
	T_OPENER,      /* {{ or {%: no tag may contain another */
	T_COUNT
};

static const char *const target_str[T_COUNT] = { ">}}", "%}}", "*/>}}", "*/%}}",
	"}}", "%}", "*/}}", "*/%}", NULL };

/*
 * The last search for a target: from `from` up to `end` it found `at`
 * (NONE: nothing there). A later search from p >= from reuses it, which
 * is what keeps 5,000 unterminated openers from rescanning the file.
 */
struct memo {
	size_t from, end, at;
	int valid;
};

struct arg {
	const char *key; /* NULL for a positional argument */
	size_t keylen;
	char *val; /* unquoted; malloc'd, freed by tag_free */
};

struct tag {
	const char *name;
	size_t namelen;
	int closing, selfclose;
	size_t pos; /* offset of the opening brace in md */
	struct arg args[SC_MAX_ARGS];
	size_t nargs;
};

enum form { F_HUGO, F_ZOLA_INLINE, F_ZOLA_BLOCK };

struct scan {
	const char *md;
	size_t len, i;
	struct buf *out;
	struct diags *d;
	int line_base;	      /* line of md[0] */
	size_t line_pos;      /* newlines counted up to here */
	int line_no;	      /* line of md[line_pos] */
	int nwarn, *nwarnp;   /* nwarnp: the outermost scan's count */
	struct strmap warned; /* unknown names reported, in md */

	size_t para_from, para_end; /* cached paragraph bounds */
	struct memo memo[T_COUNT];
	size_t tick_from[SC_MAX_TICKS + 1], tick_end[SC_MAX_TICKS + 1];
	struct closer {
		const char *name;
		size_t namelen;
		size_t fail; /* no closer for it at or after this */
	} cl[SC_MAX_CLOSERS];
	int ncl;
	struct ztok *zt; /* Zola {% %} tags, matched, built on need */
	size_t nzt;
	int zt_built;

	const struct shortcode_opts *o;
	const char *dir;	 /* folder of the text, for relative includes */
	int depth;		 /* bodies and files this one is inside */
	char *incl[SC_MAX_NEST]; /* files being included (not owned) */
	int nincl;
	struct budget {
		size_t bytes; /* still allowed to be included */
		int files;
	} * budget, own_budget; /* budget: the outermost scan's */

	int in_fence;
	char fence_ch;
	size_t fence_len;
	int prev_blank, prev_code;
	size_t list_col; /* content column of the open list item */

	int zdepth;
	unsigned char zdetails[SC_MAX_DEPTH];
};

static int
is_hspace(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	    c == '\v';
}

static int
is_ident(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static int
is_hugo_name(int c)
{
	return is_ident(c) || c == '.' || c == '-';
}

/* ---- diagnostics ---- */

static int
line_at(struct scan *s, size_t pos)
{
	const char *nl;

	if (pos < s->line_pos) { /* warnings go forward; just in case */
		s->line_pos = 0;
		s->line_no = s->line_base;
	}
	while ((nl = memchr(s->md + s->line_pos, '\n', pos - s->line_pos))) {
		s->line_no++;
		s->line_pos = (size_t)(nl - s->md) + 1;
	}
	s->line_pos = pos;
	return s->line_no;
}

static void sc_warn(struct scan *, size_t, const char *, ...) ATTR_PRINTF(3, 4);

static void
sc_warn(struct scan *s, size_t pos, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (s->d == NULL || *s->nwarnp > SC_MAX_WARN)
		return;
	if ((*s->nwarnp)++ == SC_MAX_WARN) {
		diags_add(s->d, DIAG_WARN, line_at(s, pos),
		    "too many shortcode problems; the rest are not reported");
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diags_add(s->d, DIAG_WARN, line_at(s, pos), "%s", msg);
}

/* ---- line shapes ---- */

static size_t
line_end(const struct scan *s, size_t p)
{
	const char *nl = memchr(s->md + p, '\n', s->len - p);

	return nl ? (size_t)(nl - s->md) : s->len;
}

static int
is_blank(const char *p, size_t n)
{
	while (n > 0 && is_hspace(*p)) {
		p++;
		n--;
	}
	return n == 0;
}

/* Width of a list marker and the spaces after it at p, 0 if there is none. */
static size_t
list_marker(const char *p, size_t n)
{
	size_t k = 0, sp = 0;

	if (n >= 1 && (p[0] == '-' || p[0] == '*' || p[0] == '+'))
		k = 1;
	else {
		while (k < n && k < SC_MAX_LIST && isdigit((unsigned char)p[k]))
			k++;
		if (k == 0 || k >= n || (p[k] != '.' && p[k] != ')'))
			return 0;
		k++;
	}
	while (k + sp < n && (p[k + sp] == ' ' || p[k + sp] == '\t'))
		sp++;
	if (sp == 0)
		return 0;
	return k + (sp > 4 ? 1 : sp);
}

static size_t
indent_cols(const char *p, size_t n, size_t *bytes)
{
	size_t col = 0, k = 0;

	for (; k < n; k++) {
		if (p[k] == ' ')
			col++;
		else if (p[k] == '\t')
			col += 4 - col % 4;
		else
			break;
	}
	if (bytes)
		*bytes = k;
	return col;
}

/* Skips blockquote markers (and the spaces around them) at the start. */
static size_t
skip_quotes(const char *p, size_t n)
{
	size_t k = 0;

	while (k < n && (p[k] == ' ' || p[k] == '\t' || p[k] == '>'))
		k++;
	return k;
}

/* A line opening a ``` or ~~~ fence: sets the character and run length. */
static int
fence_open(const struct scan *s, const char *p, size_t n, char *ch, size_t *run)
{
	size_t k, ind, r = 0;

	ind = indent_cols(p, n, NULL);
	if (ind > 3 + s->list_col)
		return 0;
	k = skip_quotes(p, n);
	k += list_marker(p + k, n - k);
	while (k < n && p[k] == ' ')
		k++;
	if (k >= n || (p[k] != '`' && p[k] != '~'))
		return 0;
	while (k + r < n && p[k + r] == p[k])
		r++;
	if (r < 3)
		return 0;
	if (p[k] == '`' && memchr(p + k + r, '`', n - k - r) != NULL)
		return 0;
	*ch = p[k];
	*run = r;
	return 1;
}

static int
fence_close(const struct scan *s, const char *p, size_t n)
{
	size_t k, r = 0;

	k = skip_quotes(p, n);
	while (k + r < n && p[k + r] == s->fence_ch)
		r++;
	return r >= s->fence_len && is_blank(p + k + r, n - k - r);
}

/*
 * End of the paragraph holding p: the newline before the next blank line
 * or fence. Tags and code spans never reach past it, so an unterminated
 * opener costs at most one paragraph, and the bound is cached because
 * the cursor only moves forward.
 */
static size_t
para_end(struct scan *s, size_t p)
{
	size_t e, next, ne;
	char ch;
	size_t run;

	if (p >= s->para_from && p < s->para_end)
		return s->para_end;
	e = line_end(s, p);
	while (e < s->len) {
		next = e + 1;
		ne = line_end(s, next);
		if (is_blank(s->md + next, ne - next) ||
		    fence_open(s, s->md + next, ne - next, &ch, &run))
			break;
		e = ne;
	}
	s->para_from = p;
	s->para_end = e;
	return e;
}

/* ---- memoised searches ---- */

/*
 * memmem without its sanitizer interceptor, which checks the whole
 * haystack on every call and so turns a scan of many hits quadratic.
 */
static const char *
find_str(const char *hay, size_t n, const char *needle, size_t m)
{
	const char *p = hay, *end = hay + n, *hit;

	while ((size_t)(end - p) >= m) {
		hit = memchr(p, needle[0], (size_t)(end - p) - m + 1);
		if (hit == NULL)
			return NULL;
		if (memcmp(hit, needle, m) == 0)
			return hit;
		p = hit + 1;
	}
	return NULL;
}

static size_t
raw_find(const struct scan *s, enum target t, size_t p, size_t end)
{
	const char *hit, *str;
	size_t n;

	if (p >= end)
		return NONE;
	if (t == T_OPENER) {
		while (p + 1 < end) {
			hit = memchr(s->md + p, '{', end - p - 1);
			if (hit == NULL)
				return NONE;
			p = (size_t)(hit - s->md);
			if (s->md[p + 1] == '{' || s->md[p + 1] == '%')
				return p;
			p++;
		}
		return NONE;
	}
	str = target_str[t];
	n = strlen(str);
	hit = find_str(s->md + p, end - p, str, n);
	return hit ? (size_t)(hit - s->md) : NONE;
}

static size_t
find(struct scan *s, enum target t, size_t p, size_t end)
{
	struct memo *m = &s->memo[t];
	size_t n = t == T_OPENER ? 2 : strlen(target_str[t]);

	if (m->valid && p >= m->from) {
		if (m->at != NONE && m->at >= p)
			return m->at + n <= end ? m->at : NONE;
		if (m->at == NONE && end <= m->end)
			return NONE;
	}
	m->from = p;
	m->end = end;
	m->at = raw_find(s, t, p, end);
	m->valid = 1;
	return m->at;
}

/* ---- output helpers ---- */

/* Escapes text so it stays literal inside [...] or as a paragraph. */
static void
add_text(struct buf *b, const char *p, size_t n)
{
	size_t k = 0, start = b->len, d;
	int sp = 0;

	while (k < n && is_space(p[k]))
		k++;
	for (; k < n; k++) {
		if (is_space(p[k])) {
			sp = 1;
			continue;
		}
		if (sp)
			buf_addc(b, ' ');
		sp = 0;
		if (strchr("\\`*_[]<>!&()#|~{}\"", p[k]) != NULL)
			buf_addc(b, '\\');
		else if (b->len == start &&
		    (p[k] == '-' || p[k] == '+' || p[k] == '=' || p[k] == ':'))
			buf_addc(b, '\\');
		else if (b->len == start && isdigit((unsigned char)p[k])) {
			/* "1. x" or "1) x" would start an ordered list */
			for (d = k; d < n && isdigit((unsigned char)p[d]); d++)
				;
			if (d < n && (p[d] == '.' || p[d] == ')')) {
				buf_add(b, p + k, d - k);
				buf_addc(b, '\\');
				buf_addc(b, p[d]);
				k = d;
				continue;
			}
		}
		buf_addc(b, p[k]);
	}
}

static void
add_texts(struct buf *b, const char *s)
{
	add_text(b, s, strlen(s));
}

/*
 * Inline Markdown (a caption, an alt text) kept as Markdown, on one
 * line, so its emphasis, links and entities render as the author meant;
 * only what would start a block at a line start is escaped. When its
 * brackets do not balance it could close the [...] it sits in: then it
 * is escaped text (add_text).
 */
static void
add_inline(struct buf *b, const char *p, size_t n)
{
	size_t k, d, start = b->len;
	long depth = 0;
	int sp = 0;

	for (k = 0; k < n && depth >= 0; k++) {
		if (p[k] == '\\' && k + 1 < n)
			k++;
		else if (p[k] == '[')
			depth++;
		else if (p[k] == ']')
			depth--;
	}
	if (depth != 0) {
		add_text(b, p, n);
		return;
	}
	for (k = 0; k < n && is_space(p[k]); k++)
		;
	for (d = k; d < n && isdigit((unsigned char)p[d]); d++)
		;
	if (k < n &&
	    (strchr("#>+-=:|", p[k]) != NULL ||
		(p[k] == '*' && k + 1 < n && is_space(p[k + 1])) ||
		(d > k && d < n && (p[d] == '.' || p[d] == ')')))) {
		if (d > k) {
			buf_add(b, p + k, d - k);
			k = d;
		}
		buf_addc(b, '\\');
	}
	for (; k < n; k++) {
		if (is_space(p[k])) {
			sp = 1;
			continue;
		}
		if (sp && b->len > start)
			buf_addc(b, ' ');
		sp = 0;
		buf_addc(b, p[k]);
	}
}

static void
add_inlines(struct buf *b, const char *s)
{
	add_inline(b, s, strlen(s));
}

/* Percent-encodes what would end or break a Markdown link destination. */
static void
add_url(struct buf *b, const char *p, size_t n)
{
	size_t k;
	unsigned char c;

	for (k = 0; k < n; k++) {
		c = (unsigned char)p[k];
		if (c <= 0x20 || c == 0x7f || strchr("<>()[]\\\"`", c) != NULL)
			buf_printf(b, "%%%02X", c);
		else
			buf_addc(b, c);
	}
}

static void
add_urls(struct buf *b, const char *s)
{
	add_url(b, s, strlen(s));
}

/* ---- block output ---- */

/*
 * A block shortcode becomes its own paragraph(s). Inside a blockquote or
 * a list item every line it adds repeats the container prefix of the
 * line it sits on ("> ", or spaces under a list marker).
 */
struct block {
	struct buf pfx;
	size_t blank; /* bytes of pfx for a blank line */
	int marker;   /* the line is a bare list marker */
};

/* A plain loop: the sanitizer's memrchr checks the whole buffer. */
static size_t
out_line_start(const struct buf *b)
{
	size_t k = b->len;

	while (k > 0 && b->data[k - 1] != '\n')
		k--;
	return k;
}

static int
prev_line_blank(const struct buf *b, size_t ls)
{
	size_t k;

	if (ls == 0)
		return 1;
	for (k = ls - 1; k > 0; k--) {
		if (b->data[k - 1] == '\n')
			return 1;
		if (!is_hspace(b->data[k - 1]) && b->data[k - 1] != '>')
			return 0;
	}
	return 1;
}

static void
block_begin(struct scan *s, struct block *bl)
{
	struct buf *o = s->out;
	size_t ls = out_line_start(o), k = ls, m;
	int quote = 0, only, blank;

	buf_init(&bl->pfx, 0);
	while (k < o->len && (is_hspace(o->data[k]) || o->data[k] == '>')) {
		if (o->data[k] == '>')
			quote = 1;
		k++;
	}
	buf_add(&bl->pfx, o->data + ls, k - ls);
	m = list_marker(o->data + k, o->len - k);
	bl->marker = m > 0;
	while (m-- > 0) {
		buf_addc(&bl->pfx, ' ');
		k++;
	}
	only = k == o->len;
	if (!quote && !bl->marker) {
		/* bare indentation: keep only what an open list item needs */
		if (bl->pfx.len > s->list_col)
			buf_truncate(&bl->pfx, s->list_col);
	}
	/* repeating a huge prefix per tag would make the output quadratic */
	if (bl->pfx.len > SC_MAX_PREFIX)
		buf_truncate(&bl->pfx, SC_MAX_PREFIX);
	bl->blank = bl->pfx.len;
	while (bl->blank > 0 && is_hspace(bl->pfx.data[bl->blank - 1]))
		bl->blank--;
	if (only && bl->marker) {
		bl->marker = 1;
		return;
	}
	bl->marker = 0;
	if (only) {
		blank = prev_line_blank(o, ls);
		buf_truncate(o, ls);
		if (!blank) {
			buf_add(o, bl->pfx.data, bl->blank);
			buf_addc(o, '\n');
		}
		buf_add(o, bl->pfx.data, bl->pfx.len);
		return;
	}
	while (o->len > ls && is_hspace(o->data[o->len - 1]))
		buf_truncate(o, o->len - 1);
	buf_addc(o, '\n');
	buf_add(o, bl->pfx.data, bl->blank);
	buf_addc(o, '\n');
	buf_add(o, bl->pfx.data, bl->pfx.len);
}

/* A paragraph break inside the block. */
static void
block_para(struct scan *s, struct block *bl)
{
	buf_addc(s->out, '\n');
	buf_add(s->out, bl->pfx.data, bl->blank);
	buf_addc(s->out, '\n');
	buf_add(s->out, bl->pfx.data, bl->pfx.len);
}

static void
block_end(struct scan *s, struct block *bl, int content)
{
	struct buf *o = s->out;
	size_t k = s->i, ls;

	while (k < s->len && is_hspace(s->md[k]))
		k++;
	if (k >= s->len || s->md[k] == '\n') {
		if (content) {
			buf_addc(o, '\n');
			if (k < s->len) /* the input's newline ends it */
				buf_add(o, bl->pfx.data, bl->blank);
		} else {
			ls = out_line_start(o);
			if (!bl->marker && o->len - ls == bl->pfx.len) {
				buf_truncate(o, ls);
				if (k < s->len)
					k++;
			}
		}
	} else if (content)
		block_para(s, bl);
	s->i = k;
	buf_free(&bl->pfx);
}

/* ---- arguments ---- */

static const char *
parse_value(const char *p, const char *end, int zola, char **val)
{
	struct buf v = BUF_INIT;
	char q;

	if (*p == '"') {
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < end &&
			    (p[1] == '"' || p[1] == '\\'))
				p++;
			buf_addc(&v, *p);
		}
		if (p < end)
			p++;
	} else if (*p == '\'' || *p == '`') {
		q = *p++;
		while (p < end && *p != q)
			buf_addc(&v, *p++);
		if (p < end)
			p++;
	} else if (zola && *p == '[') {
		while (p < end && *p != ']')
			buf_addc(&v, *p++);
		if (p < end)
			buf_addc(&v, *p++);
	} else {
		while (p < end && !is_space(*p) && !(zola && *p == ','))
			buf_addc(&v, *p++);
	}
	*val = buf_detach(&v, NULL);
	return p;
}

static void
parse_args(struct tag *t, const char *p, const char *end, int zola)
{
	const char *q, *r, *start;
	struct arg *a;

	while (p < end && t->nargs < SC_MAX_ARGS) {
		while (p < end && (is_space(*p) || *p == ','))
			p++;
		if (p >= end)
			break;
		a = &t->args[t->nargs++];
		a->key = NULL;
		a->keylen = 0;
		if (isalpha((unsigned char)*p) || *p == '_') {
			for (q = p; q < end && (is_ident(*q) || *q == '-'); q++)
				;
			for (r = q; r < end && is_space(*r); r++)
				;
			if (r < end && *r == '=') {
				a->key = p;
				a->keylen = (size_t)(q - p);
				for (p = r + 1; p < end && is_space(*p); p++)
					;
			}
		}
		start = p;
		if (p < end)
			p = parse_value(p, end, zola, &a->val);
		else
			a->val = xstrdup("");
		if (p == start && p < end)
			p++;
	}
}

static void
tag_free(struct tag *t)
{
	size_t i;

	for (i = 0; i < t->nargs; i++)
		free(t->args[i].val);
	t->nargs = 0;
}

/* The named argument, or NULL; an empty value counts as absent. */
static const char *
arg_get(const struct tag *t, const char *key)
{
	size_t i, n = strlen(key);

	for (i = 0; i < t->nargs; i++)
		if (t->args[i].key != NULL && t->args[i].keylen == n &&
		    strncasecmp(t->args[i].key, key, n) == 0)
			return t->args[i].val[0] ? t->args[i].val : NULL;
	return NULL;
}

static const char *
arg_pos(const struct tag *t, size_t nth)
{
	size_t i;

	for (i = 0; i < t->nargs; i++)
		if (t->args[i].key == NULL && nth-- == 0)
			return t->args[i].val[0] ? t->args[i].val : NULL;
	return NULL;
}

static const char *
arg_either(const struct tag *t, const char *key, size_t nth)
{
	const char *v = arg_get(t, key);

	return v ? v : arg_pos(t, nth);
}

static int
name_is(const struct tag *t, const char *name)
{
	return strlen(name) == t->namelen &&
	    strncasecmp(t->name, name, t->namelen) == 0;
}

/* ---- the shortcodes ---- */

/*
 * The text-like arguments of a shortcode that is not rendered (alt,
 * caption, title, text, label), inline where it stood, so its words are
 * never lost.
 */
static void
keep_args(struct scan *s, const struct tag *t)
{
	static const char *const keys[] = { "alt", "caption", "title", "text",
		"label" };
	const char *v, *seen[ARRAY_LEN(keys)];
	size_t i, j, n = 0;

	for (i = 0; i < ARRAY_LEN(keys); i++) {
		if ((v = arg_get(t, keys[i])) == NULL)
			continue;
		for (j = 0; j < n && strcmp(seen[j], v) != 0; j++)
			;
		if (j < n)
			continue;
		if (n > 0)
			buf_adds(s->out, " \u2014 ");
		add_inlines(s->out, v);
		seen[n++] = v;
	}
}

static void
sc_figure(struct scan *s, const struct tag *t)
{
	const char *src, *alt, *cap, *title, *link, *label, *base, *e;
	struct buf name = BUF_INIT;
	struct block bl;

	if ((src = arg_get(t, "src")) == NULL &&
	    (src = arg_get(t, "image")) == NULL &&
	    (src = arg_get(t, "path")) == NULL &&
	    (src = arg_get(t, "url")) == NULL)
		src = arg_pos(t, 0);
	if (src == NULL) {
		sc_warn(s, t->pos, "figure without src");
		keep_args(s, t);
		return;
	}
	alt = arg_get(t, "alt");
	cap = arg_get(t, "caption");
	title = arg_get(t, "title");
	link = arg_get(t, "link");
	label = alt ? alt : cap ? cap : title;
	if (label == NULL) {
		e = src + strcspn(src, "?#");
		while (e > src && e[-1] == '/')
			e--;
		for (base = e; base > src && base[-1] != '/'; base--)
			;
		buf_add(&name, base, (size_t)(e - base));
		label = name.len ? name.data : "image";
	}
	block_begin(s, &bl);
	if (link)
		buf_addc(s->out, '[');
	buf_adds(s->out, "![");
	add_inlines(s->out, label);
	buf_adds(s->out, "](");
	add_urls(s->out, src);
	buf_addc(s->out, ')');
	if (link) {
		buf_adds(s->out, "](");
		add_urls(s->out, link);
		buf_addc(s->out, ')');
	}
	if (title && strcmp(title, label) != 0 &&
	    (cap == NULL || strcmp(title, cap) != 0)) {
		block_para(s, &bl);
		add_inlines(s->out, title);
	}
	if (cap && strcmp(cap, label) != 0) {
		block_para(s, &bl);
		add_inlines(s->out, cap);
	}
	block_end(s, &bl, 1);
	buf_free(&name);
}

/* A paragraph holding one link [label](url). */
static void
link_para(struct scan *s, const char *label, const char *url)
{
	struct block bl;

	block_begin(s, &bl);
	buf_addc(s->out, '[');
	add_texts(s->out, label);
	buf_adds(s->out, "](");
	add_urls(s->out, url);
	buf_addc(s->out, ')');
	block_end(s, &bl, 1);
}

static void
sc_video(struct scan *s, const struct tag *t, int vimeo)
{
	const char *id = arg_either(t, "id", 0), *title = arg_get(t, "title");
	char *label, *url;

	if (id == NULL) {
		sc_warn(s, t->pos, "%s shortcode without an id",
		    vimeo ? "vimeo" : "youtube");
		return;
	}
	label = xasprintf("Video: %s", title ? title : id);
	url = xasprintf(vimeo ? "https://vimeo.com/%s" :
				"https://www.youtube.com/watch?v=%s",
	    id);
	link_para(s, label, url);
	free(label);
	free(url);
}

/* The last path segment of a URL, for a label. */
static void
url_base(struct buf *b, const char *url)
{
	const char *e = url + strcspn(url, "?#"), *base;

	while (e > url && e[-1] == '/')
		e--;
	for (base = e; base > url && base[-1] != '/'; base--)
		;
	buf_add(b, base, (size_t)(e - base));
}

/*
 * video (Zola themes, Hugo sites: url=, src=, path=), streamable: a link
 * to the video; a bare id= is a YouTube one.
 */
static void
sc_video_url(struct scan *s, const struct tag *t)
{
	const char *url, *title;
	struct buf label = BUF_INIT;
	char *u = NULL;

	if ((url = arg_get(t, "url")) == NULL &&
	    (url = arg_get(t, "src")) == NULL &&
	    (url = arg_get(t, "path")) == NULL)
		url = arg_pos(t, 0);
	if (name_is(t, "streamable") && (url = arg_either(t, "id", 0)))
		url = u = xasprintf("https://streamable.com/%s", url);
	if (url == NULL) {
		if (arg_get(t, "id") != NULL)
			sc_video(s, t, 0);
		else {
			sc_warn(s, t->pos, "%.*s shortcode without a url",
			    (int)t->namelen, t->name);
			keep_args(s, t);
		}
		return;
	}
	if ((title = arg_get(t, "title")) == NULL &&
	    (title = arg_get(t, "caption")) == NULL)
		title = arg_get(t, "alt");
	buf_adds(&label, "Video: ");
	if (title)
		buf_adds(&label, title);
	else
		url_base(&label, url);
	link_para(s, label.data, url);
	buf_free(&label);
	free(u);
}

/* gist, tweet, x, instagram: a link to the page the embed shows. */
static void
sc_social(struct scan *s, const struct tag *t)
{
	const char *user, *id, *file;
	char *label = NULL, *url = NULL;

	if (name_is(t, "gist") && (id = arg_get(t, "url")) != NULL) {
		url = xstrdup(id); /* Zola: gist(url="...") */
		file = arg_get(t, "file");
		label = file ? xasprintf("Gist: %s", file) : xstrdup("Gist");
	} else if (name_is(t, "gist")) {
		user = arg_either(t, "user", 0);
		id = arg_either(t, "id", 1);
		file = arg_either(t, "file", 2);
		if (user && id) {
			url = xasprintf("https://gist.github.com/%s/%s", user,
			    id);
			label = file ?
			    xasprintf("Gist: %s/%s (%s)", user, id, file) :
			    xasprintf("Gist: %s/%s", user, id);
		}
	} else if (name_is(t, "instagram")) {
		if ((id = arg_either(t, "id", 0)) != NULL) {
			url = xasprintf("https://www.instagram.com/p/%s/", id);
			label = xasprintf("Instagram post %s", id);
		}
	} else {
		int x = name_is(t, "x");

		user = arg_get(t, "user");
		id = arg_either(t, "id", 0);
		if (id && user) {
			url = xasprintf("https://%s/%s/status/%s",
			    x ? "x.com" : "twitter.com", user, id);
			label = xasprintf("Post by @%s", user);
		} else if (id) {
			url = xasprintf("https://%s/i/status/%s",
			    x ? "x.com" : "twitter.com", id);
			label = xasprintf("Post %s", id);
		}
	}
	if (url == NULL)
		sc_warn(s, t->pos, "%.*s shortcode without its arguments",
		    (int)t->namelen, t->name);
	else
		link_para(s, label, url);
	free(label);
	free(url);
}

/*
 * Is the end of b where a link destination starts: "](" or "](<" (a
 * Markdown link), "]: " (a reference definition), or '="' (an HTML
 * attribute)?
 */
static int
at_link_dest(const struct buf *b)
{
	size_t n = b->len;

	while (n > 0 && (b->data[n - 1] == ' ' || b->data[n - 1] == '\t'))
		n--;
	if (n > 0 && b->data[n - 1] == '<')
		n--;
	if (n >= 2 && b->data[n - 1] == '(' && b->data[n - 2] == ']')
		return 1;
	if (n >= 2 && b->data[n - 1] == ':' && b->data[n - 2] == ']')
		return 1;
	return n >= 2 && (b->data[n - 1] == '"' || b->data[n - 1] == '\'') &&
	    b->data[n - 2] == '=';
}

/*
 * ref/relref: the target as written, with .md when it has no extension.
 * Outside a link destination, a link whose text is that target, which
 * the renderer shows as the URL the target resolves to (what Hugo prints
 * for a bare ref).
 */
static void
sc_ref(struct scan *s, const struct tag *t)
{
	const char *path = arg_either(t, "path", 0), *frag, *e, *seg, *dot;
	struct buf dest = BUF_INIT;
	size_t k;

	if (path == NULL) {
		sc_warn(s, t->pos, "%.*s shortcode without a target",
		    (int)t->namelen, t->name);
		return;
	}
	frag = path + strcspn(path, "#");
	e = frag;
	while (e > path && e[-1] == '/')
		e--;
	add_url(&dest, path, (size_t)(e - path));
	if (e > path) {
		for (seg = e; seg > path && seg[-1] != '/'; seg--)
			;
		dot = memrchr(seg, '.', (size_t)(e - seg));
		if (dot == NULL || dot == seg || dot + 1 == e)
			buf_adds(&dest, ".md");
	}
	add_urls(&dest, frag);
	if (at_link_dest(s->out) || dest.len == 0) {
		buf_add(s->out, dest.data, dest.len);
		buf_free(&dest);
		return;
	}
	/* The text escaped, so that Markdown reads it back as dest. */
	buf_addc(s->out, '[');
	for (k = 0; k < dest.len; k++) {
		if (ispunct((unsigned char)dest.data[k]) &&
		    strchr("/.-%:#", dest.data[k]) == NULL)
			buf_addc(s->out, '\\');
		buf_addc(s->out, dest.data[k]);
	}
	buf_adds(s->out, "](");
	buf_add(s->out, dest.data, dest.len);
	buf_addc(s->out, ')');
	buf_free(&dest);
}

static void
sc_details(struct scan *s, const struct tag *t)
{
	const char *sum = arg_either(t, "summary", 0);
	struct block bl;

	block_begin(s, &bl);
	add_texts(s->out, sum ? sum : "Details");
	block_end(s, &bl, 1);
}

/* The end of a details body: a paragraph break, nothing else. */
static void
para_break(struct scan *s)
{
	struct block bl;

	block_begin(s, &bl);
	block_end(s, &bl, 0);
}

/*
 * Finds {{< /NAME >}} or {{% /NAME %}} at or after p: sets its start and
 * end. A search that fails is remembered per name, so many unclosed
 * openers cost one scan.
 */
static int
find_close(struct scan *s, size_t p, const char *name, size_t nlen, size_t *cs,
    size_t *ce)
{
	const char *md = s->md, *hit;
	size_t h, b, f, from = p;
	struct closer *c = NULL;
	int i;

	for (i = 0; i < s->ncl; i++)
		if (s->cl[i].namelen == nlen &&
		    strncasecmp(s->cl[i].name, name, nlen) == 0)
			c = &s->cl[i];
	if (c == NULL && s->ncl < SC_MAX_CLOSERS) {
		c = &s->cl[s->ncl++];
		c->name = name;
		c->namelen = nlen;
		c->fail = NONE;
	}
	if (c == NULL || p >= c->fail)
		return 0;
	while ((hit = find_str(md + p, s->len - p, name, nlen)) != NULL) {
		h = (size_t)(hit - md);
		p = h + 1;
		if (h == 0 || md[h - 1] != '/')
			continue;
		for (b = h - 1; b > 0 && is_space(md[b - 1]); b--)
			;
		for (f = h + nlen; f < s->len && is_space(md[f]); f++)
			;
		if (b < 3 || md[b - 3] != '{' || md[b - 2] != '{' ||
		    (md[b - 1] != '<' && md[b - 1] != '%'))
			continue;
		if (f + 3 > s->len || md[f] != (md[b - 1] == '<' ? '>' : '%') ||
		    md[f + 1] != '}' || md[f + 2] != '}')
			continue;
		*cs = b - 3;
		*ce = f + 3;
		return 1;
	}
	c->fail = from;
	return 0;
}

/*
 * The body between an opening tag ending at b and a closer starting at
 * cs: without the newline right after the tag and the line of the
 * closer.
 */
static void
body_bounds(const struct scan *s, size_t b, size_t cs, size_t *bb, size_t *be)
{
	const char *md = s->md;
	size_t k;

	for (k = b; k < cs && is_hspace(md[k]); k++)
		;
	if (k < cs && md[k] == '\n')
		b = k + 1;
	*be = cs;
	for (k = cs; k > b && is_hspace(md[k - 1]); k--)
		;
	if (k > b && md[k - 1] == '\n')
		*be = k - 1;
	else if (k == b)
		*be = b;
	*bb = b;
}

/*
 * body as a fenced code block with info lang, the fence longer than any
 * backtick run that starts a body line.
 */
static void
fenced(struct scan *s, const char *lang, const char *body, size_t n)
{
	const char *p, *e = body + n;
	size_t k, run, fence = 3;
	struct block bl;

	for (p = body; p < e; p++) {
		while (p < e && is_hspace(*p))
			p++;
		for (run = 0; p < e && *p == '`'; p++)
			run++;
		if (run >= fence)
			fence = run + 1;
		p = memchr(p, '\n', (size_t)(e - p));
		if (p == NULL)
			break;
	}
	block_begin(s, &bl);
	for (k = 0; k < fence; k++)
		buf_addc(s->out, '`');
	for (p = lang; p && *p; p++)
		if (isalnum((unsigned char)*p) || strchr("_+#.-", *p))
			buf_addc(s->out, *p);
	buf_addc(s->out, '\n');
	if (n > 0) {
		buf_add(s->out, body, n);
		if (body[n - 1] != '\n')
			buf_addc(s->out, '\n');
	}
	buf_add(s->out, bl.pfx.data, bl.pfx.len);
	for (k = 0; k < fence; k++)
		buf_addc(s->out, '`');
	block_end(s, &bl, 1);
}

static void
sc_highlight(struct scan *s, const struct tag *t)
{
	const char *lang = arg_either(t, "lang", 0);
	size_t cs, ce, b, bend;

	if (!find_close(s, s->i, "highlight", 9, &cs, &ce)) {
		sc_warn(s, t->pos, "unclosed shortcode 'highlight'");
		return;
	}
	body_bounds(s, s->i, cs, &b, &bend);
	s->i = ce;
	fenced(s, lang, s->md + b, bend - b);
}

static const char *const admonitions[] = { "notice", "admonition", "alert",
	"callout", "hint", "note", "tip", "warning", "info", "important",
	"caution", "danger", NULL };

static const char *const known[] = { "figure", "img", "image", "youtube",
	"vimeo", "video", "streamable", "ref", "relref", "highlight", "details",
	"gist", "tweet", "x", "instagram", "code-toggle", "include", "readfile",
	"param", NULL };

static int
name_in(const struct tag *t, const char *const *list)
{
	for (; *list; list++)
		if (name_is(t, *list))
			return 1;
	return 0;
}

static int
is_known(const struct tag *t)
{
	return name_in(t, known) || name_in(t, admonitions);
}

static void
unknown(struct scan *s, const struct tag *t)
{
	if (strmap_get(&s->warned, t->name, t->namelen) != NULL)
		return; /* once per name */
	strmap_put(&s->warned, t->name, t->namelen, (void *)t->name);
	sc_warn(s, t->pos, "unknown shortcode '%.*s'",
	    (int)(t->namelen > 64 ? 64 : t->namelen), t->name);
}

/* ---- bodies and files: expansions inside the expansion ---- */

struct ztok {
	size_t pos, end; /* its '{' and the byte after its "%}" */
	size_t match;	 /* an opener: index of its end tag, or NONE */
	int is_end;
};

static void scan_init(struct scan *, const char *, size_t, int,
    const struct shortcode_opts *, struct buf *, struct diags *);
static void scan_run(struct scan *);

/*
 * Expands md[0..len) (a shortcode's body or an included file) as a
 * scan of its own, one level deeper, into out.
 */
static void
expand_inner(struct scan *s, const char *md, size_t len, int line_base,
    const char *dir, struct buf *out, struct diags *d)
{
	struct scan *sub = xmalloc(sizeof(*sub));

	scan_init(sub, md, len, line_base, s->o, out, d);
	sub->depth = s->depth + 1;
	sub->dir = dir;
	memcpy(sub->incl, s->incl, sizeof(sub->incl));
	sub->nincl = s->nincl;
	sub->budget = s->budget;
	if (d == s->d) /* one cap on what a page reports */
		sub->nwarnp = s->nwarnp;
	scan_run(sub);
	free(sub);
}

/*
 * Every Zola {% name(...) %} and {% end %} tag in one pass, each opener
 * matched with its end through a stack, so finding a block's body is a
 * lookup however many blocks are left open.
 */
static void
zola_tokens(struct scan *s)
{
	const char *md = s->md, *hit;
	size_t p = 0, k, n, cap = 0, *st = NULL, nst = 0, capst = 0;
	size_t close = NONE;
	struct ztok *z;

	s->zt_built = 1;
	while (p + 1 < s->len &&
	    (hit = find_str(md + p, s->len - p, "{%", 2)) != NULL) {
		k = (size_t)(hit - md) + 2;
		p = k;
		if (k < s->len && md[k] == '-')
			k++;
		while (k < s->len && is_space(md[k]))
			k++;
		for (n = k; n < s->len && is_ident(md[n]); n++)
			;
		if (n == k)
			continue;
		if (close == NONE || close < n) {
			hit = find_str(md + n, s->len - n, "%}", 2);
			if (hit == NULL)
				break;
			close = (size_t)(hit - md);
		}
		s->zt = xgrow(s->zt, &cap, s->nzt + 1, sizeof(*s->zt));
		z = &s->zt[s->nzt];
		z->pos = (size_t)(md + p - 2 - md);
		z->end = close + 2;
		z->match = NONE;
		z->is_end = n - k == 3 && memcmp(md + k, "end", 3) == 0;
		if (z->is_end) {
			if (nst > 0)
				s->zt[st[--nst]].match = s->nzt;
		} else {
			st = xgrow(st, &capst, nst + 1, sizeof(*st));
			st[nst++] = s->nzt;
		}
		s->nzt++;
		p = close + 2;
	}
	free(st);
}

/* The body of the Zola block tag at pos: bounds and the byte after it. */
static int
zola_body(struct scan *s, size_t pos, size_t *cs, size_t *ce)
{
	size_t lo = 0, hi, mid;

	if (!s->zt_built)
		zola_tokens(s);
	hi = s->nzt;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->zt[mid].pos < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= s->nzt || s->zt[lo].pos != pos || s->zt[lo].match == NONE)
		return 0;
	*cs = s->zt[s->zt[lo].match].pos;
	*ce = s->zt[s->zt[lo].match].end;
	return 1;
}

/*
 * The body of a paired shortcode that s->i is just past: for Hugo up to
 * {{< /name >}}, for a Zola block up to its {% end %}. Sets the body's
 * bounds and moves s->i past the closer; 0 (and a warning) if unclosed.
 */
static int
take_body(struct scan *s, const struct tag *t, enum form f, size_t *bb,
    size_t *be)
{
	size_t cs, ce;
	int ok;

	if (f == F_HUGO)
		ok = !t->selfclose &&
		    find_close(s, s->i, t->name, t->namelen, &cs, &ce);
	else if (f == F_ZOLA_BLOCK)
		ok = zola_body(s, t->pos, &cs, &ce);
	else
		return 0;
	if (!ok) {
		if (f == F_ZOLA_BLOCK || !t->selfclose)
			sc_warn(s, t->pos, "unclosed shortcode '%.*s'",
			    (int)(t->namelen > 64 ? 64 : t->namelen), t->name);
		return 0;
	}
	body_bounds(s, s->i, cs, bb, be);
	s->i = ce;
	return 1;
}

/* Would this line start a block (so "Label: " must not go before it)? */
static int
starts_block(const char *p, size_t n)
{
	size_t k = 0;

	while (k < n && k < 4 && p[k] == ' ')
		k++;
	if (k >= 4 || (k < n && p[k] == '\t'))
		return 1;
	if (k >= n)
		return 0;
	return strchr("#>`~|<", p[k]) != NULL || list_marker(p + k, n - k) > 0;
}

/*
 * A labelled quote: "> Label: first line", then every line of body
 * (Markdown, shortcodes expanded) quoted. With a title, or a body that
 * opens with a block (list, code, heading), the label is a line alone.
 */
static void
quote_block(struct scan *s, const char *label, const char *title,
    const char *body, size_t n)
{
	const char *p = body, *e = body + n, *nl;
	struct block bl;
	size_t k;
	int first = 1, joined;

	while (p < e) { /* leading blank lines */
		nl = memchr(p, '\n', (size_t)(e - p));
		k = nl ? (size_t)(nl - p) : (size_t)(e - p);
		if (!is_blank(p, k) || nl == NULL)
			break;
		p = nl + 1;
	}
	while (e > p && (is_space(e[-1])))
		e--;
	nl = memchr(p, '\n', (size_t)(e - p));
	k = nl ? (size_t)(nl - p) : (size_t)(e - p);
	joined = title == NULL && p < e && !starts_block(p, k);
	block_begin(s, &bl);
	buf_adds(s->out, "> ");
	add_texts(s->out, label);
	buf_addc(s->out, ':');
	if (title != NULL) {
		buf_addc(s->out, ' ');
		add_inlines(s->out, title);
	}
	if (p < e && !joined) {
		buf_addc(s->out, '\n');
		buf_add(s->out, bl.pfx.data, bl.pfx.len);
		buf_addc(s->out, '>');
	}
	while (p < e) {
		nl = memchr(p, '\n', (size_t)(e - p));
		k = nl ? (size_t)(nl - p) : (size_t)(e - p);
		if (first && joined) {
			while (k > 0 && is_hspace(*p)) {
				p++;
				k--;
			}
			buf_addc(s->out, ' ');
		} else {
			buf_addc(s->out, '\n');
			buf_add(s->out, bl.pfx.data, bl.pfx.len);
			buf_addc(s->out, '>');
			if (!is_blank(p, k))
				buf_addc(s->out, ' ');
		}
		first = 0;
		if (!is_blank(p, k))
			buf_add(s->out, p, k);
		p += k + (nl != NULL);
	}
	block_end(s, &bl, 1);
}

/* Notice, admonition, alert, callout, hint, note, tip, warning... */
static int
sc_admonition(struct scan *s, const struct tag *t, enum form f)
{
	const char *kind, *title, *body = NULL;
	struct buf label = BUF_INIT, md = BUF_INIT;
	size_t bb, be, i;
	int ok = 1;

	if ((kind = arg_get(t, "type")) == NULL &&
	    (kind = arg_get(t, "kind")) == NULL &&
	    (kind = arg_get(t, "context")) == NULL &&
	    (kind = arg_get(t, "level")) == NULL &&
	    (kind = arg_get(t, "class")) == NULL)
		kind = arg_pos(t, 0);
	title = arg_get(t, "title");
	if (title == NULL && arg_pos(t, 1) != NULL && kind == arg_pos(t, 0))
		title = arg_pos(t, 1);
	if (kind != NULL && (strlen(kind) > 24 || strpbrk(kind, " \t\"")))
		kind = NULL; /* not a kind: a sentence */
	if (kind == NULL &&
	    (name_is(t, "notice") || name_is(t, "admonition") ||
		name_is(t, "callout") || name_is(t, "hint")))
		kind = "note";
	if (kind == NULL)
		buf_add(&label, t->name, t->namelen);
	else
		buf_adds(&label, kind);
	for (i = 0; i < label.len; i++)
		label.data[i] =
		    (char)(i == 0 ? toupper((unsigned char)label.data[i]) :
				    tolower((unsigned char)label.data[i]));
	if (f == F_ZOLA_INLINE || t->selfclose) {
		if ((body = arg_get(t, "body")) == NULL &&
		    (body = arg_get(t, "text")) == NULL)
			body = arg_get(t, "content");
		quote_block(s, label.data, title, body ? body : "",
		    body ? strlen(body) : 0);
	} else if (take_body(s, t, f, &bb, &be)) {
		if (s->depth < SC_MAX_NEST)
			expand_inner(s, s->md + bb, be - bb, line_at(s, bb),
			    s->dir, &md, s->d);
		else
			buf_add(&md, s->md + bb, be - bb);
		quote_block(s, label.data, title, md.data ? md.data : "",
		    md.len);
	} else
		ok = 0;
	buf_free(&label);
	buf_free(&md);
	return ok;
}

/* The format of a configuration snippet: json, toml, yaml or "". */
static const char *
config_format(const char *p, size_t n)
{
	const char *e = p + n, *nl, *q;
	size_t k;

	for (; p < e; p = nl ? nl + 1 : e) {
		nl = memchr(p, '\n', (size_t)(e - p));
		k = nl ? (size_t)(nl - p) : (size_t)(e - p);
		while (k > 0 && is_hspace(*p)) {
			p++;
			k--;
		}
		if (k == 0 || *p == '#')
			continue;
		if (*p == '{')
			return "json";
		if (*p == '[' || *p == '-')
			return *p == '[' ? "toml" : "yaml";
		for (q = p; q < p + k && (is_ident(*q) || strchr(".-\"'", *q));
		     q++)
			;
		while (q < p + k && is_hspace(*q))
			q++;
		if (q < p + k && *q == '=')
			return "toml";
		if (q < p + k && *q == ':')
			return "yaml";
		return "";
	}
	return "";
}

/*
 * Hugo's code-toggle: a configuration snippet shown in TOML, YAML and
 * JSON tabs. Here: the snippet as it is written, a fenced block named by
 * its format (a fence inside is kept as the author wrote it); TOML that
 * parses is followed by the same in YAML and JSON.
 */
static int
sc_code_toggle(struct scan *s, const struct tag *t, enum form f)
{
	struct toml_value *root;
	struct buf conv = BUF_INIT;
	struct diags quiet = { 0 };
	const char *fmt;
	size_t bb, be, k;

	if (!take_body(s, t, f, &bb, &be))
		return 0;
	for (k = bb; k < be && is_space(s->md[k]); k++)
		;
	if (be - k >= 3 &&
	    (memcmp(s->md + k, "```", 3) == 0 ||
		memcmp(s->md + k, "~~~", 3) == 0)) {
		struct block bl;

		block_begin(s, &bl);
		buf_add(s->out, s->md + k, be - k);
		block_end(s, &bl, 1);
		return 1;
	}
	fmt = config_format(s->md + bb, be - bb);
	fenced(s, fmt, s->md + bb, be - bb);
	if (strcmp(fmt, "toml") == 0 &&
	    (root = toml_parse(s->md + bb, be - bb, &quiet)) != NULL) {
		toml_write_yaml(root, &conv);
		k = conv.len;
		toml_write_json(root, &conv);
		/* deep nesting indents every line: no blow-up of the page */
		if (conv.len <= SC_MAX_CONVERT * (be - bb) + 1024) {
			fenced(s, "yaml", conv.data, k);
			fenced(s, "json", conv.data + k, conv.len - k);
		}
		toml_free(root);
	}
	diags_free(&quiet);
	buf_free(&conv);
	return 1;
}

/*
 * dir joined with path (path starting with '/': from the root), with no
 * "." or ".." segment left; -1 when it would climb above the root.
 */
static int
join_path(const char *dir, const char *path, struct buf *out)
{
	const char *parts[2], *p, *e;
	size_t starts[64], nseg = 0, i;

	buf_reset(out);
	parts[0] = *path == '/' || dir == NULL ? "" : dir;
	parts[1] = path;
	for (i = 0; i < 2; i++) {
		for (p = parts[i]; *p; p = *e ? e + 1 : e) {
			e = p + strcspn(p, "/");
			if (e == p || (e - p == 1 && *p == '.'))
				continue;
			if (e - p == 2 && p[0] == '.' && p[1] == '.') {
				if (nseg == 0)
					return -1;
				buf_truncate(out, starts[--nseg]);
				if (out->len > 0)
					buf_truncate(out, out->len - 1);
				continue;
			}
			if (nseg == ARRAY_LEN(starts))
				return -1;
			if (out->len > 0)
				buf_addc(out, '/');
			starts[nseg++] = out->len;
			buf_add(out, p, (size_t)(e - p));
		}
	}
	return out->len > 0 ? 0 : -1;
}

static int
has_ext(const char *path, const char *ext)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

	if (dot == NULL || (slash && dot < slash))
		return ext == NULL;
	return ext != NULL && strcasecmp(dot + 1, ext) == 0;
}

/*
 * Reads the file a shortcode names, trying what Hugo's page lookup
 * tries for an include without an extension (x.md, x/index.md,
 * x/_index.md). Leaves the path read in *path.
 */
static int
read_named(struct scan *s, enum shortcode_root kind, struct buf *path,
    struct buf *text)
{
	static const char *const sfx[] = { ".md", "/index.md", "/_index.md" };
	struct buf cand = BUF_INIT;
	size_t i;
	int r;

	buf_reset(text);
	r = s->o->read(s->o->read_arg, kind, path->data, text);
	for (i = 0; r == -1 && kind == SHORTCODE_CONTENT &&
	     has_ext(path->data, NULL) && i < ARRAY_LEN(sfx);
	     i++) {
		buf_reset(&cand);
		buf_adds(&cand, path->data);
		buf_adds(&cand, sfx[i]);
		buf_reset(text);
		if ((r = s->o->read(s->o->read_arg, kind, cand.data, text)) ==
		    0) {
			buf_reset(path);
			buf_adds(path, cand.data);
		}
	}
	buf_free(&cand);
	if (r == 0 && text->len > SC_MAX_FILE) {
		buf_truncate(text, 0);
		return -1;
	}
	return r;
}

/*
 * include (a page's Markdown, by its content path) and readfile (a file
 * under the site root): Markdown is inlined with its front matter dropped
 * and its shortcodes expanded; another file becomes a code block. A loop,
 * a path above the root or a file that cannot be read is a warning.
 */
static void
sc_include(struct scan *s, const struct tag *t)
{
	enum shortcode_root kind =
	    name_is(t, "readfile") ? SHORTCODE_SITE : SHORTCODE_CONTENT;
	const char *arg, *md_arg;
	struct buf path = BUF_INIT, text = BUF_INIT, out = BUF_INIT;
	struct diags sub = { 0 };
	struct post_meta meta;
	struct block bl;
	size_t off, i;
	int line, n = (int)(t->namelen > 16 ? 16 : t->namelen);
	char *dir, *slash;

	if ((arg = arg_get(t, "file")) == NULL &&
	    (arg = arg_get(t, "path")) == NULL &&
	    (arg = arg_get(t, "page")) == NULL)
		arg = arg_pos(t, 0);
	if (arg == NULL) {
		sc_warn(s, t->pos, "%.*s without a file", n, t->name);
		return;
	}
	if (s->o == NULL || s->o->read == NULL) {
		sc_warn(s, t->pos,
		    "%.*s '%.200s': files cannot be read here;"
		    " its text is left out",
		    n, t->name, arg);
		return;
	}
	if (join_path(kind == SHORTCODE_SITE ? NULL : s->dir, arg, &path) ==
	    -1) {
		sc_warn(s, t->pos,
		    "%.*s '%.200s' is outside the site; "
		    "refused",
		    n, t->name, arg);
		goto out;
	}
	for (i = 0; i < (size_t)s->nincl; i++)
		if (strcmp(s->incl[i], path.data) == 0)
			break;
	if (i < (size_t)s->nincl || s->nincl >= SC_MAX_NEST ||
	    s->depth >= SC_MAX_NEST) {
		sc_warn(s, t->pos, "%.*s '%.200s' includes itself; refused", n,
		    t->name, arg);
		goto out;
	}
	if (s->budget->files <= 0) {
		sc_warn(s, t->pos,
		    "%.*s '%.200s': more than %d files included;"
		    " left out",
		    n, t->name, arg, SC_MAX_FILES);
		goto out;
	}
	s->budget->files--;
	if (read_named(s, kind, &path, &text) == -1) {
		sc_warn(s, t->pos,
		    "%.*s '%.200s': cannot read it; its text is"
		    " left out",
		    n, t->name, arg);
		goto out;
	}
	if (text.len > s->budget->bytes) {
		sc_warn(s, t->pos,
		    "%.*s '%.200s': more than %u MiB included; "
		    "left out",
		    n, t->name, arg, SC_MAX_INCLUDED >> 20);
		goto out;
	}
	s->budget->bytes -= text.len;
	md_arg = arg_get(t, "markdown");
	if (kind == SHORTCODE_SITE && !has_ext(path.data, "md") &&
	    !has_ext(path.data, "markdown") &&
	    (md_arg == NULL || strcmp(md_arg, "true") != 0)) {
		arg = strrchr(path.data, '.');
		fenced(s, arg && !strchr(arg, '/') ? arg + 1 : "", text.data,
		    text.len);
		goto out;
	}
	frontmatter_parse(text.data, text.len, &meta, &off, &line, &sub);
	post_meta_free(&meta);
	diags_free(&sub);
	dir = xstrdup(path.data);
	slash = strrchr(dir, '/');
	*(slash ? slash : dir) = '\0';
	s->incl[s->nincl++] = path.data;
	expand_inner(s, text.data + off, text.len - off, line, dir, &out, &sub);
	s->nincl--;
	free(dir);
	for (i = 0; i < sub.n; i++)
		sc_warn(s, t->pos, "%s:%d: %s", path.data, sub.v[i].line,
		    sub.v[i].msg);
	while (out.len > 0 && is_space(out.data[out.len - 1]))
		buf_truncate(&out, out.len - 1);
	block_begin(s, &bl);
	buf_add(s->out, out.data, out.len);
	block_end(s, &bl, 1);
out:
	diags_free(&sub);
	buf_free(&path);
	buf_free(&text);
	buf_free(&out);
}

/* param: a page or site parameter's value, as text. */
static void
sc_param(struct scan *s, const struct tag *t)
{
	const char *name = arg_either(t, "name", 0), *v = NULL;

	if (name == NULL) {
		sc_warn(s, t->pos, "param without a name");
		return;
	}
	if (s->o != NULL && s->o->param != NULL)
		v = s->o->param(s->o->param_arg, name);
	if (v == NULL) {
		sc_warn(s, t->pos, "param '%.64s' has no value here; left out",
		    name);
		return;
	}
	add_texts(s->out, v);
}

/* Emits what the tag stands for; s->i is just past the tag. */
static void
dispatch(struct scan *s, const struct tag *t, enum form f)
{
	int details = name_is(t, "details"), taken;
	int bodied = name_in(t, admonitions) || name_is(t, "code-toggle");

	if (t->closing) {
		if (details)
			para_break(s);
		else if (!is_known(t))
			unknown(s, t);
		return;
	}
	if (bodied) { /* the body is taken whole, closer and all */
		taken = name_is(t, "code-toggle") ? sc_code_toggle(s, t, f) :
						    sc_admonition(s, t, f);
		if (!taken && f == F_ZOLA_BLOCK) { /* {% end %} pops it */
			if (s->zdepth < SC_MAX_DEPTH)
				s->zdetails[s->zdepth] = 0;
			s->zdepth++;
		}
		return;
	}
	if (f == F_ZOLA_BLOCK) {
		if (s->zdepth < SC_MAX_DEPTH)
			s->zdetails[s->zdepth] = (unsigned char)details;
		s->zdepth++;
	}
	if (name_is(t, "figure") || name_is(t, "img") || name_is(t, "image"))
		sc_figure(s, t);
	else if (name_is(t, "youtube") || name_is(t, "vimeo"))
		sc_video(s, t, name_is(t, "vimeo"));
	else if (name_is(t, "video") || name_is(t, "streamable"))
		sc_video_url(s, t);
	else if (name_is(t, "ref") || name_is(t, "relref"))
		sc_ref(s, t);
	else if (name_is(t, "highlight")) {
		if (f == F_HUGO && !t->selfclose)
			sc_highlight(s, t);
	} else if (details)
		sc_details(s, t);
	else if (name_is(t, "include") || name_is(t, "readfile"))
		sc_include(s, t);
	else if (name_is(t, "param"))
		sc_param(s, t);
	else if (is_known(t))
		sc_social(s, t);
	else {
		unknown(s, t);
		keep_args(s, t);
	}
}

/* ---- tags ---- */

static size_t
skip_ws(const char *md, size_t k, size_t end)
{
	while (k < end && is_space(md[k]))
		k++;
	return k;
}

/* {{</\* x *\/>}} and friends: the tag text without the comment markers. */
static int
escaped(struct scan *s, enum target t, size_t k, size_t end, const char *open,
    const char *close)
{
	size_t q = find(s, t, k, end);

	if (q == NONE) {
		sc_warn(s, s->i, "unterminated escaped shortcode");
		return 0;
	}
	buf_adds(s->out, open);
	buf_add(s->out, s->md + k, q - k);
	buf_adds(s->out, close);
	s->i = q + strlen(target_str[t]);
	return 1;
}

/* Parses a Hugo tag's inside [a, b): name, closing slash, arguments. */
static int
parse_hugo(struct tag *t, const char *a, const char *b)
{
	const char *p = a, *r;

	while (p < b && is_space(*p))
		p++;
	if (p < b && *p == '/') {
		t->closing = 1;
		for (p++; p < b && is_space(*p); p++)
			;
	}
	if (p >= b || !(isalpha((unsigned char)*p) || *p == '_'))
		return -1;
	t->name = p;
	while (p < b &&
	    (is_hugo_name(*p) ||
		(*p == '/' && p + 1 < b && is_hugo_name(p[1]))))
		p++;
	t->namelen = (size_t)(p - t->name);
	if (p < b && !is_space(*p) && *p != '/')
		return -1;
	for (r = b; r > p && is_space(r[-1]); r--)
		;
	if (r > p && r[-1] == '/' &&
	    (r - 1 == p || is_space(r[-2]) || r[-2] == '"' || r[-2] == '\'' ||
		r[-2] == '`')) {
		t->selfclose = 1;
		r--;
	}
	parse_args(t, p, r, 0);
	return 0;
}

static int
hugo_tag(struct scan *s)
{
	const char *md = s->md;
	size_t i = s->i, end = para_end(s, i), k, q, o;
	int angle = md[i + 2] == '<';
	struct tag t;

	k = skip_ws(md, i + 3, end);
	if (k + 1 < end && md[k] == '/' && md[k + 1] == '*')
		return escaped(s, angle ? T_ESC_ANGLE : T_ESC_PCT, k + 2, end,
		    angle ? "{{<" : "{{%", angle ? ">}}" : "%}}");
	q = find(s, angle ? T_HUGO_ANGLE : T_HUGO_PCT, i + 3, end);
	o = find(s, T_OPENER, i + 2, end);
	if (q == NONE || (o != NONE && o < q)) {
		sc_warn(s, i, "unterminated shortcode '%s'",
		    angle ? "{{<" : "{{%");
		return 0;
	}
	memset(&t, 0, sizeof(t));
	t.pos = i;
	if (parse_hugo(&t, md + i + 3, md + q) == -1) {
		tag_free(&t);
		sc_warn(s, i, "malformed shortcode");
		return 0;
	}
	s->i = q + 3;
	dispatch(s, &t, F_HUGO);
	tag_free(&t);
	return 1;
}

/* {% end %} closes the innermost Zola block shortcode. */
static int
zola_end(struct scan *s, size_t k, size_t end)
{
	const char *md = s->md;
	int details;

	k = skip_ws(md, k + 3, end);
	if (k < end && md[k] == '-')
		k++;
	if (k + 2 > end || md[k] != '%' || md[k + 1] != '}')
		return 0;
	s->i = k + 2;
	details = s->zdepth > 0 && s->zdepth <= SC_MAX_DEPTH &&
	    s->zdetails[s->zdepth - 1];
	if (s->zdepth > 0)
		s->zdepth--;
	if (details)
		para_break(s);
	return 1;
}

static int
zola_tag(struct scan *s, int block)
{
	const char *md = s->md;
	size_t i = s->i, end = para_end(s, i), k = i + 2, q, o, n, r;
	struct tag t;

	if (k < end && md[k] == '-')
		k++;
	k = skip_ws(md, k, end);
	if (k + 1 < end && md[k] == '/' && md[k + 1] == '*')
		return escaped(s, block ? T_ESC_ZBLOCK : T_ESC_ZINLINE, k + 2,
		    end, block ? "{%" : "{{", block ? "%}" : "}}");
	if (k >= end || !(isalpha((unsigned char)md[k]) || md[k] == '_'))
		return 0;
	for (n = k; n < end && is_ident(md[n]); n++)
		;
	if (block && n - k == 3 && memcmp(md + k, "end", 3) == 0)
		return zola_end(s, k, end);
	memset(&t, 0, sizeof(t));
	t.pos = i;
	t.name = md + k;
	t.namelen = n - k;
	k = skip_ws(md, n, end);
	if (k >= end || md[k] != '(')
		return 0; /* {{ name }} in prose is not a shortcode */
	q = find(s, block ? T_ZOLA_BLOCK : T_ZOLA_INLINE, k + 1, end);
	o = find(s, T_OPENER, i + 2, end);
	if (q == NONE || (o != NONE && o < q)) {
		sc_warn(s, i, "unterminated shortcode '%s'",
		    block ? "{%" : "{{");
		return 0;
	}
	r = q;
	if (r > k + 1 && md[r - 1] == '-')
		r--;
	while (r > k + 1 && is_space(md[r - 1]))
		r--;
	if (r <= k + 1 || md[r - 1] != ')') {
		sc_warn(s, i, "malformed shortcode");
		return 0;
	}
	parse_args(&t, md + k + 1, md + r - 1, 1);
	s->i = q + 2;
	dispatch(s, &t, block ? F_ZOLA_BLOCK : F_ZOLA_INLINE);
	tag_free(&t);
	return 1;
}

static int
try_tag(struct scan *s)
{
	const char *md = s->md;
	size_t i = s->i;

	if (i + 2 >= s->len)
		return 0;
	if (md[i + 1] == '{') {
		if (md[i + 2] == '<' || md[i + 2] == '%')
			return hugo_tag(s);
		return zola_tag(s, 0);
	}
	if (md[i + 1] == '%')
		return zola_tag(s, 1);
	return 0;
}

/* ---- code ---- */

/* A backtick run at s->i: copies a whole code span, or the run alone. */
static void
code_span(struct scan *s)
{
	const char *md = s->md;
	size_t i = s->i, n = 0, end, k, r;

	if (i > 0 && md[i - 1] == '\\') { /* \` is a literal backtick */
		buf_addc(s->out, '`');
		s->i++;
		return;
	}
	while (i + n < s->len && md[i + n] == '`')
		n++;
	end = para_end(s, i);
	if (n > SC_MAX_TICKS ||
	    (s->tick_end[n] == end && i >= s->tick_from[n])) {
		buf_add(s->out, md + i, n);
		s->i = i + n;
		return;
	}
	for (k = i + n; k < end; k += r) {
		const char *hit = memchr(md + k, '`', end - k);

		if (hit == NULL)
			break;
		k = (size_t)(hit - md);
		for (r = 0; k + r < end && md[k + r] == '`'; r++)
			;
		if (r == n) {
			buf_add(s->out, md + i, k + n - i);
			s->i = k + n;
			return;
		}
	}
	s->tick_from[n] = i;
	s->tick_end[n] = end;
	buf_add(s->out, md + i, n);
	s->i = i + n;
}

/*
 * Classifies the line at s->i. Code lines (fences, their content,
 * indented code) are copied whole and 1 returned; 0 leaves the line to
 * the shortcode scan.
 */
static int
code_line(struct scan *s)
{
	const char *p = s->md + s->i;
	size_t e = line_end(s, s->i), n = e - s->i, ind, b, m;
	size_t next = e < s->len ? e + 1 : e;
	int blank = is_blank(p, n);
	char ch;

	if (s->in_fence) {
		if (fence_close(s, p, n))
			s->in_fence = 0;
		goto copy;
	}
	if (fence_open(s, p, n, &ch, &s->fence_len)) {
		s->in_fence = 1;
		s->fence_ch = ch;
		s->prev_blank = s->prev_code = 0;
		goto copy;
	}
	ind = indent_cols(p, n, &b);
	if (!blank && ind >= s->list_col + 4 &&
	    (s->prev_blank || s->prev_code || s->i == 0)) {
		s->prev_code = 1;
		s->prev_blank = 0;
		goto copy;
	}
	if (!blank) {
		m = list_marker(p + b, n - b);
		if (m > 0)
			s->list_col = ind + m;
		else if (s->prev_blank && ind < s->list_col)
			s->list_col = ind;
	}
	s->prev_blank = blank;
	s->prev_code = 0;
	return 0;
copy:
	buf_add(s->out, p, next - s->i);
	s->i = next;
	return 1;
}

/* Copies text up to the end of the line, expanding what it meets. */
static void
scan_line(struct scan *s)
{
	const char *md = s->md;
	size_t j;

	while (s->i < s->len) {
		for (j = s->i; j < s->len && md[j] != '\n' && md[j] != '`' &&
		     md[j] != '{';
		     j++)
			;
		buf_add(s->out, md + s->i, j - s->i);
		s->i = j;
		if (j >= s->len)
			return;
		if (md[j] == '\n') {
			buf_addc(s->out, '\n');
			s->i++;
			return;
		}
		if (md[j] == '`')
			code_span(s);
		else if (!try_tag(s)) {
			buf_addc(s->out, '{');
			s->i++;
		}
		if (s->i > 0 && md[s->i - 1] == '\n')
			return;
	}
}

/*
 * Does the text hold "{{" or "{%" anywhere? Every shortcode, escaped or
 * not, starts with one; without them the pass would copy the text as it
 * is, line by line, so a memchr scan and one copy do the same at once.
 */
static int
has_opener(const char *md, size_t len)
{
	const char *p = md, *e = md + len;

	while ((p = memchr(p, '{', (size_t)(e - p))) != NULL && ++p < e)
		if (*p == '{' || *p == '%')
			return 1;
	return 0;
}

static void
scan_init(struct scan *s, const char *md, size_t len, int line_base,
    const struct shortcode_opts *o, struct buf *out, struct diags *d)
{
	memset(s, 0, sizeof(*s));
	s->md = md;
	s->len = len;
	s->out = out;
	s->d = d;
	s->o = o;
	s->dir = o != NULL ? o->dir : NULL;
	s->line_base = s->line_no = line_base;
	s->own_budget.bytes = SC_MAX_INCLUDED;
	s->own_budget.files = SC_MAX_FILES;
	s->budget = &s->own_budget;
	s->nwarnp = &s->nwarn;
}

static void
scan_run(struct scan *s)
{
	if (!has_opener(s->md, s->len)) { /* most posts: nothing to do */
		buf_add(s->out, s->md, s->len);
		return;
	}
	buf_grow(s->out, s->len + s->len / 8);
	while (s->i < s->len) {
		if (!code_line(s))
			scan_line(s);
	}
	strmap_free(&s->warned);
	free(s->zt);
}

int
shortcode_expand_opts(const char *md, size_t len, int line_base,
    const struct shortcode_opts *o, struct buf *out, struct diags *d)
{
	struct scan s;

	scan_init(&s, md, len, line_base, o, out, d);
	scan_run(&s);
	return 0;
}

int
shortcode_expand(const char *md, size_t len, int line_base, struct buf *out,
    struct diags *d)
{
	return shortcode_expand_opts(md, len, line_base, NULL, out, d);
}
