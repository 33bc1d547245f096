/*
 * gemtext: Markdown to gemtext following docs/conversion.md ("Blocks",
 * "Inline", "Links and images", "Footnotes", "Keeping gemtext's line types
 * straight"). cmark-gfm parses; we walk its tree with iterators
 * and a heap-allocated context stack, never recursion, so 10,000 nested
 * quotes cost heap, not C stack, and every pass is linear.
 * Pure: no I/O, no logging; problems go to struct diags.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "buf.h"
#include "cmark_pool.h"
#include "gemtext.h"
#include "html.h"
#include "prose.h"
#include "utf8.h"
#include "util.h"

/*
 * Debian ships no table.h or strikethrough.h: the extension library
 * exports these node types as variables, so they are tested with if
 * before any switch.
 */
extern cmark_node_type CMARK_NODE_TABLE, CMARK_NODE_TABLE_ROW,
    CMARK_NODE_TABLE_CELL, CMARK_NODE_STRIKETHROUGH;

#define GT_LIST_MARKS \
	5 /* "◦ " markers shown at most: deeper lists share the last level */
#define GT_MAX_DIAGS 20 /* warnings one document may add */

#define ZWSP	 "\xe2\x80\x8b" /* U+200B, the line-start guard */
#define HRULE	 "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80" /* ─── */
#define SUBMARK	 "\xe2\x97\xa6 " /* ◦ : one per nested list level */
#define QBULLET	 "\xe2\x80\xa2 " /* • : a bullet inside a quote */
#define BOX_OPEN "\xe2\x98\x90 " /* ☐ */
#define BOX_DONE "\xe2\x98\x91 " /* ☑ */

enum lt { LT_NONE, LT_TEXT, LT_LINK, LT_HEADING, LT_LIST, LT_QUOTE, LT_PRE };
/* What separates the next line from the previous one; larger wins. */
enum gap { GAP_NONE, GAP_QUOTE, GAP_BLANK };

struct link {
	char *url;
	char *label;
	int num; /* footnote mode: its [n] */
};

struct links {
	struct link *v;
	size_t n, cap;
	struct strmap idx; /* url -> index + 1: linear at 100,000 links */
};

enum frame_kind { FR_QUOTE, FR_LIST, FR_ITEM };

struct frame {
	enum frame_kind kind;
	int ordered; /* FR_LIST */
	int num;     /* FR_LIST: next number; FR_ITEM: its own */
	int first;   /* FR_ITEM: its first line is still to come */
	int task;    /* FR_ITEM: 0 none, 1 open, 2 done */
};

struct open_link {
	size_t start;	  /* offset of the link text in the line buffer */
	const char *dest; /* owned (malloc'd) when own */
	const char *title;
	int own;
	int image;
	int html; /* opened by <a href>, closed by </a> */
};

struct render {
	const struct gemtext_opts *o;
	struct diags *d;
	int ndiag;
	struct buf *out; /* the caller's, appended to from base */
	size_t base;
	enum lt last;
	enum gap gap;
	size_t group_lines;
	char lead[32]; /* "[n] " before the next line (footnotes) */

	struct frame *stk;
	size_t nstk, capstk;
	int quotes, lists;
	int seen_h1;

	struct links group; /* after-block links of this block */
	struct links tail;  /* end and footnote modes */
	struct links probe; /* links of a block that may be link-only */
	int probing;

	/* inline state of the block being rendered */
	struct open_link *ol;
	size_t nol, capol;
	int plain;     /* words outside any link */
	int nok, nbad; /* links that do / do not get a line */

	/* footnotes: cmark numbers them; we renumber (shared in footnote mode) */
	cmark_node **fdef;
	size_t nfdef, capfdef;
	int *fnum;	/* cmark number - 1 -> ours, 0 unseen */
	size_t *forder; /* cmark numbers - 1 in order of our numbers */
	size_t nforder, capforder;
	int nref;

	struct buf line, scratch, clean;
	struct buf pre, lab, url, tmp; /* reused by put_text, close_link */

	int check_autolink; /* parsed without the extension */
	int redo;	    /* ... and a text node needs it */

	/* line breaks of the paragraph being rendered (see keep_breaks) */
	const char *md;
	size_t mdlen;
	size_t *lstart; /* offset of each source line, built once */
	size_t nlstart, caplstart;
	size_t *brk; /* text offset * 2 + soft, per line end */
	size_t nbrk, capbrk;
	int track; /* record line ends in brk */
	int nfoot; /* footnotes numbered so far */
};

static void render_inlines(struct render *, cmark_node *, struct buf *);

/* ---- small helpers ------------------------------------------------ */

static void
warn(struct render *r, cmark_node *n, const char *msg, const char *arg)
{
	if (r->d == NULL || r->probing || r->ndiag >= GT_MAX_DIAGS)
		return;
	r->ndiag++;
	diags_add(r->d, DIAG_WARN, n ? cmark_node_get_start_line(n) : 0,
	    "%s: %.80s", msg, arg);
}

/* Links a list holds before it indexes them: a block has only a few. */
#define GT_LINKS_LINEAR 8

/* Index + 1 of url in l, 0 when absent. */
static size_t
links_find(struct links *l, const char *url)
{
	size_t i;

	if (l->idx.cap)
		return (size_t)(uintptr_t)strmap_get(&l->idx, url, strlen(url));
	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].url, url) == 0)
			return i + 1;
	return 0;
}

/* Adds url unless present; returns its index. */
static size_t
links_add(struct links *l, const char *url, const char *label, int *isnew)
{
	size_t i = links_find(l, url);

	if (isnew)
		*isnew = i == 0;
	if (i)
		return i - 1;
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n].url = xstrdup(url);
	l->v[l->n].label = xstrdup(label);
	l->v[l->n].num = 0;
	l->n++;
	if (l->idx.cap)
		strmap_put(&l->idx, l->v[l->n - 1].url, strlen(url),
		    (void *)(uintptr_t)l->n);
	else if (l->n >= GT_LINKS_LINEAR)
		for (i = 0; i < l->n; i++)
			strmap_put(&l->idx, l->v[i].url, strlen(l->v[i].url),
			    (void *)(uintptr_t)(i + 1));
	return l->n - 1;
}

static void
links_clear(struct links *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].url);
		free(l->v[i].label);
	}
	l->n = 0;
	if (l->idx.cap)
		strmap_free(&l->idx);
}

static void
links_free(struct links *l)
{
	links_clear(l);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * Appends s without controls: C0 and C1 controls, DEL and U+FEFF go,
 * tabs become spaces; with collapse, whitespace runs (newlines too)
 * become one space.
 */
static void
clean_add(struct buf *b, const char *s, size_t n, int collapse)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, j, k;

	buf_grow(b, n);
	for (i = 0; i < n; i += k) {
		/* a run of printable ASCII (spaces too unless collapsing) */
		for (j = i; j < n &&
		     ((p[j] > 0x20 && p[j] < 0x7f) ||
			 (p[j] == ' ' && !collapse));
		     j++)
			;
		if (j > i) {
			memcpy(b->data + b->len, p + i, j - i);
			b->len += j - i;
			b->data[b->len] = '\0';
			k = j - i;
			continue;
		}
		k = utf8_next(p + i, n - i, NULL);
		if (p[i] == '\t' || p[i] == '\n' || p[i] == '\r' ||
		    (p[i] == ' ' && collapse)) {
			if (!collapse || (b->len && b->data[b->len - 1] != ' '))
				buf_addc(b,
				    p[i] == '\n' && !collapse ? '\n' : ' ');
			continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7f)
			continue;
		if (k == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)
			continue;
		if (k == 3 && memcmp(p + i, "\xef\xbb\xbf", 3) == 0)
			continue;
		buf_add(b, p + i, k);
	}
}

static void
rtrim(struct buf *b, size_t from)
{
	while (b->len > from &&
	    (b->data[b->len - 1] == ' ' || b->data[b->len - 1] == '\t'))
		b->len--;
	b->data[b->len] = '\0';
}

/* A label or cell: whitespace collapsed, trimmed, no controls. */
static void
squeeze(struct buf *dst, const char *s, size_t n)
{
	buf_reset(dst);
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	clean_add(dst, s, n, 1);
	rtrim(dst, 0);
}

/* ---- destinations ------------------------------------------------- */

static int
has_scheme(const char *s)
{
	const char *p = s;

	if (!isalpha((unsigned char)*p))
		return 0;
	while (
	    isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	return *p == ':';
}

/* Skips a YYYY-MM-DD- (or _) prefix of a post file name. */
static const char *
skip_date(const char *s, const char *end)
{
	static const char pat[] = "dddd-dd-dd-";
	size_t i;

	if (end - s < 12)
		return s;
	for (i = 0; i < sizeof(pat) - 1; i++) {
		if (pat[i] == 'd' && !isdigit((unsigned char)s[i]))
			return s;
		if (pat[i] == '-' && s[i] != '-' && !(i == 10 && s[i] == '_'))
			return s;
	}
	return s + 11;
}

static int
ends_with_ci(const char *s, const char *end, const char *suf)
{
	size_t n = strlen(suf);

	return (size_t)(end - s) > n && strncasecmp(end - n, suf, n) == 0;
}

/*
 * The built-in resolver: a relative other.md, ../x/2024-01-02-y.md#part
 * or Zola @/posts/y.md becomes /posts/SLUG/ (a bare folder's URL of a
 * post in posts/), SLUG being the base
 * name without extension and date prefix; the fragment is dropped.
 */
static int
default_resolve(void *arg, const char *dest, struct buf *out)
{
	const char *end, *ext, *base;

	(void)arg;
	if (has_scheme(dest) || strncmp(dest, "//", 2) == 0)
		return 0;
	end = dest + strcspn(dest, "#?");
	if (ends_with_ci(dest, end, ".md"))
		ext = end - 3;
	else if (ends_with_ci(dest, end, ".markdown"))
		ext = end - 9;
	else
		return 0;
	for (base = ext; base > dest && base[-1] != '/'; base--)
		;
	base = skip_date(base, ext);
	if (ext <= base || *base == '.')
		return 0;
	buf_adds(out, "/posts/");
	buf_add(out, base, (size_t)(ext - base));
	buf_addc(out, '/');
	return 1;
}

/* Percent-encodes what a gemtext link line cannot carry. */
static void
url_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p, *q;

	for (p = (const unsigned char *)s; *p; p++) {
		/* a run that needs no encoding */
		for (q = p; *q > 0x20 && *q < 0x7f && *q != '<' && *q != '>' &&
		     *q != '"' && *q != '{' && *q != '}' && *q != '|' &&
		     *q != '\\' && *q != '^' && *q != '`';
		     q++)
			;
		if (q > p) {
			buf_add(b, p, (size_t)(q - p));
			p = q - 1;
			continue;
		}
		buf_addc(b, '%');
		buf_addc(b, hex[*p >> 4]);
		buf_addc(b, hex[*p & 15]);
	}
}

/*
 * Decides whether dest gets a link line and computes its URL into url:
 * empty, fragment-only, javascript:, vbscript: and data: destinations
 * do not. Returns 0 for no link, 2 when the resolver gave the URL (a
 * page of the site), else 1.
 */
static int
link_url(struct render *r, cmark_node *n, const char *dest, struct buf *url)
{
	struct buf *tmp = &r->tmp;
	char scheme[16];
	const char *p;
	size_t i = 0;
	int ok;

	buf_reset(url);
	while (*dest &&
	    (isspace((unsigned char)*dest) || (unsigned char)*dest < 0x20))
		dest++;
	if (*dest == '\0' || *dest == '#')
		return 0;
	for (p = dest; *p && *p != ':' && i < sizeof(scheme) - 1; p++)
		if (!isspace((unsigned char)*p) && (unsigned char)*p >= 0x20)
			scheme[i++] = (char)tolower((unsigned char)*p);
	scheme[i] = '\0';
	if (*p == ':' &&
	    (strcmp(scheme, "javascript") == 0 ||
		strcmp(scheme, "vbscript") == 0 ||
		strcmp(scheme, "data") == 0)) {
		warn(r, n, "link dropped", dest);
		return 0;
	}
	buf_reset(tmp);
	if (r->o->resolve)
		ok = r->o->resolve(r->o->resolve_arg, dest, tmp);
	else
		ok = default_resolve(NULL, dest, tmp);
	if (ok < 0)
		return 0; /* a hidden target: the text stays, no link */
	url_encode(url, ok ? tmp->data : dest);
	if (url->len == 0)
		return 0;
	return ok ? 2 : 1;
}

/* ---- output lines ------------------------------------------------- */

static void
set_gap(struct render *r, enum gap g)
{
	if (g > r->gap)
		r->gap = g;
}

static void
put_gap(struct render *r, enum lt kind)
{
	if (r->out->len > r->base && r->gap != GAP_NONE &&
	    !(r->last == LT_LINK && kind == LT_LINK)) {
		if (r->gap == GAP_QUOTE && r->last == LT_QUOTE &&
		    kind == LT_QUOTE)
			buf_adds(r->out, ">\n");
		else
			buf_addc(r->out, '\n');
	}
	r->gap = GAP_NONE;
	r->last = kind;
	r->group_lines++;
}

/* Would text at a line start be read as gemtext (or Markdown) syntax? */
static int
needs_guard(const char *s, size_t n)
{
	return (n >= 2 &&
		   (memcmp(s, "=>", 2) == 0 || memcmp(s, "* ", 2) == 0 ||
		       memcmp(s, "- ", 2) == 0 || memcmp(s, "+ ", 2) == 0)) ||
	    (n >= 1 && (s[0] == '#' || s[0] == '>')) ||
	    (n >= 3 && memcmp(s, "```", 3) == 0);
}

static void
flush_lead(struct render *r)
{
	if (r->lead[0] == '\0')
		return;
	put_gap(r, LT_TEXT);
	buf_add(r->out, r->lead, strlen(r->lead) - 1);
	buf_addc(r->out, '\n');
	r->lead[0] = '\0';
}

/*
 * Writes one line: prefix, then s (trimmed, controls removed, guarded
 * when guard and it starts like syntax). Empty text writes nothing.
 */
static void
put_line(struct render *r, const char *prefix, const char *s, size_t n,
    int guard)
{
	struct buf *c = &r->clean;
	const char *p;
	enum lt kind;

	/* clean first: a dropped control must not hide a line start */
	buf_reset(c);
	clean_add(c, s, n, 0);
	p = c->data;
	n = c->len;
	while (n && (*p == ' ' || *p == '\t' || *p == '\n')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n'))
		n--;
	if (n == 0)
		return;
	if (r->lead[0])
		kind = LT_TEXT;
	else if (strncmp(prefix, "* ", 2) == 0)
		kind = LT_LIST;
	else if (prefix[0] == '>')
		kind = LT_QUOTE;
	else if (prefix[0] == '#')
		kind = LT_HEADING;
	else
		kind = LT_TEXT;
	put_gap(r, kind);
	buf_adds(r->out, r->lead);
	buf_adds(r->out, prefix);
	if (guard && needs_guard(p, n))
		buf_adds(r->out, ZWSP);
	buf_add(r->out, p, n);
	buf_addc(r->out, '\n');
	r->lead[0] = '\0';
}

/* A preformatted line: a ``` at its start would end the block, so guard it. */
static void
put_pre(struct render *r, const char *s, size_t n)
{
	struct buf *c = &r->clean;

	buf_reset(c);
	clean_add(c, s, n, 0);
	rtrim(c, 0);
	if (c->len >= 3 && memcmp(c->data, "```", 3) == 0)
		buf_adds(r->out, ZWSP);
	buf_add(r->out, c->data, c->len);
	buf_addc(r->out, '\n');
}

/*
 * A line of a code block, verbatim: tabs kept (a copied Makefile works),
 * only controls that a terminal would act on and trailing blanks (the
 * hygiene rule) dropped; a leading ``` guarded.
 */
static void
put_code(struct render *r, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, j, start = r->out->len;
	char *o;

	for (i = 0; i < n; i = j + 1) {
		for (j = i;
		     j < n && (p[j] >= 0x20 || p[j] == '\t') && p[j] != 0x7f &&
		     !(p[j] == 0xc2 && j + 1 < n && p[j + 1] < 0xa0);
		     j++)
			;
		buf_add(r->out, s + i, j - i);
		if (j < n && p[j] == 0xc2)
			j++; /* a C1 control: both bytes go */
	}
	rtrim(r->out, start);
	/* a ``` at the start, once controls are gone, would end the block */
	if (r->out->len - start >= 3 &&
	    memcmp(r->out->data + start, "```", 3) == 0) {
		buf_grow(r->out, sizeof(ZWSP) - 1);
		o = r->out->data + start;
		memmove(o + sizeof(ZWSP) - 1, o, r->out->len - start + 1);
		memcpy(o, ZWSP, sizeof(ZWSP) - 1);
		r->out->len += sizeof(ZWSP) - 1;
	}
	buf_addc(r->out, '\n');
}

static void
put_link(struct render *r, const struct link *l, int num)
{
	put_gap(r, LT_LINK);
	buf_adds(r->out, "=> ");
	buf_adds(r->out, l->url);
	if (num)
		buf_printf(r->out, " [%d]", num);
	if (l->label[0] && strcmp(l->label, l->url) != 0) {
		buf_addc(r->out, ' ');
		buf_adds(r->out, l->label);
	}
	buf_addc(r->out, '\n');
}

static void
put_links(struct render *r, struct links *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		put_link(r, &l->v[i], 0);
	links_clear(l);
}

/*
 * The prefix of a line in the current context; guard says whether the
 * text starts right after a line-type marker (and so needs the guard).
 * Nested bullets stay list lines with one marker per level:
 * "* a", "* ◦ b", "* ◦ ◦ c", at most GT_LIST_MARKS markers. A top-level
 * ordered list is text lines "N. item"; inside a quote a bullet is "> • ".
 */
static void
context_prefix(struct render *r, struct buf *p, int *guard)
{
	struct frame *top, *list;
	int i, marks;

	buf_reset(p);
	*guard = 1;
	if (r->nstk == 0)
		return;
	top = &r->stk[r->nstk - 1];
	if (top->kind == FR_QUOTE) {
		buf_adds(p, "> ");
		return;
	}
	if (top->kind != FR_ITEM || r->nstk < 2)
		return;
	list = &r->stk[r->nstk - 2];
	if (r->lists == 1 && r->quotes == 0 && list->ordered) {
		if (top->first)
			buf_printf(p, "%d. ", top->num);
		*guard = !top->first;
	} else {
		buf_adds(p, r->quotes ? "> " QBULLET : "* ");
		marks =
		    r->lists - 1 < GT_LIST_MARKS ? r->lists - 1 : GT_LIST_MARKS;
		for (i = 0; i < marks; i++)
			buf_adds(p, SUBMARK);
		if (top->first && list->ordered)
			buf_printf(p, "%d. ", top->num);
		*guard = marks == 0 && r->quotes == 0 &&
		    !(top->first && list->ordered);
	}
	if (top->first && top->task) {
		buf_adds(p, top->task == 2 ? BOX_DONE : BOX_OPEN);
		*guard = 0;
	}
}

/* Writes text (lines split at hard breaks) in the current context. */
static void
put_text(struct render *r, const char *s, size_t n)
{
	struct buf *pre = &r->pre;
	const char *nl;
	size_t k;
	int guard;

	while (n > 0) {
		nl = memchr(s, '\n', n);
		k = nl ? (size_t)(nl - s) : n;
		context_prefix(r, pre, &guard);
		if (r->nstk && r->stk[r->nstk - 1].kind == FR_ITEM) {
			size_t before = r->out->len;

			put_line(r, pre->data, s, k, guard);
			if (r->out->len != before)
				r->stk[r->nstk - 1].first = 0;
		} else
			put_line(r, pre->data, s, k, guard);
		s += k;
		n -= k;
		if (nl) {
			s++;
			n--;
		}
	}
}

/* ---- links and footnote references in running text ---------------- */

static void
add_link(struct render *r, const char *url, const char *label, struct buf *text)
{
	size_t i;
	int isnew;

	if (r->probing) {
		links_add(&r->probe, url, label, NULL);
		return;
	}
	switch (r->o->links) {
	case GEMTEXT_LINKS_AFTER_BLOCK:
		links_add(&r->group, url, label, NULL);
		break;
	case GEMTEXT_LINKS_END:
		links_add(&r->tail, url, label, NULL);
		break;
	case GEMTEXT_LINKS_FOOTNOTE:
		i = links_add(&r->tail, url, label, &isnew);
		if (isnew)
			r->tail.v[i].num = ++r->nref;
		buf_printf(text, "[%d]", r->tail.v[i].num);
		break;
	case GEMTEXT_LINKS_OFF:
		break;
	}
}

/* With own, dest and title are copied; else they outlive the link. */
static void
open_link(struct render *r, size_t start, const char *dest, const char *title,
    int image, int html, int own)
{
	struct open_link *l;

	r->ol = xgrow(r->ol, &r->capol, r->nol + 1, sizeof(*r->ol));
	l = &r->ol[r->nol++];
	l->start = start;
	l->own = own;
	l->dest = own ? xstrdup(dest ? dest : "") : dest ? dest : "";
	l->title = own ? xstrdup(title ? title : "") : title ? title : "";
	l->image = image;
	l->html = html;
}

/* The file name at the end of a URL path, for an image without alt text. */
static void
file_name(struct buf *b, const char *url)
{
	const char *end = url + strcspn(url, "?#"), *p = end;

	while (p > url && p[-1] != '/')
		p--;
	squeeze(b, p, (size_t)(end - p));
}

static void
close_link(struct render *r, cmark_node *n, struct buf *text)
{
	struct open_link *l = &r->ol[--r->nol];
	struct buf *label = &r->lab, *url = &r->url;
	int ok;

	squeeze(label, text->data + l->start, text->len - l->start);
	if (l->image && label->len == 0)
		squeeze(label, l->title, strlen(l->title));
	if (l->image && label->len == 0)
		file_name(label, l->dest);
	if (l->image && !r->probing && label->len) {
		/* set apart, so the alt text never runs into the sentence */
		buf_truncate(text, l->start);
		buf_adds(text, "[image: ");
		buf_add(text, label->data, label->len);
		buf_addc(text, ']');
	}
	if ((ok = link_url(r, n, l->dest, url)) != 0) {
		/*
		 * A link whose text is its own resolved destination (a bare
		 * ref/relref, or [p.md](p.md)) shows the URL it resolves to,
		 * as Hugo prints a bare ref's URL.
		 */
		if (ok == 2 && !l->image && strcmp(label->data, l->dest) == 0) {
			buf_truncate(text, l->start);
			buf_add(text, url->data, url->len);
			squeeze(label, url->data, url->len);
		}
		r->nok++;
		add_link(r, url->data, label->data, text);
	} else
		r->nbad++;
	if (l->own) {
		free((char *)l->dest);
		free((char *)l->title);
	}
}

/* n in superscript numerals: footnote markers no client takes for links. */
static void
put_sup(struct buf *b, int n)
{
	static const char *const sup[] = {
		"\xe2\x81\xb0",
		"\xc2\xb9",
		"\xc2\xb2",
		"\xc2\xb3",
		"\xe2\x81\xb4",
		"\xe2\x81\xb5",
		"\xe2\x81\xb6",
		"\xe2\x81\xb7",
		"\xe2\x81\xb8",
		"\xe2\x81\xb9",
	};
	char d[16];
	int i;

	snprintf(d, sizeof(d), "%d", n);
	for (i = 0; d[i]; i++)
		buf_adds(b, sup[d[i] - '0']);
}

static void
footnote_ref(struct render *r, cmark_node *n, struct buf *text)
{
	const char *lit = cmark_node_get_literal(n);
	long k = lit ? strtol(lit, NULL, 10) : 0;

	r->plain = 1;
	if (r->probing)
		return;
	if (k < 1 || (size_t)k > r->nfdef) {
		buf_printf(text, "[%s]", lit ? lit : "?");
		return;
	}
	if (r->fnum[k - 1] == 0) {
		r->fnum[k - 1] = ++r->nfoot;
		r->forder = xgrow(r->forder, &r->capforder, r->nforder + 1,
		    sizeof(*r->forder));
		r->forder[r->nforder++] = (size_t)k - 1;
	}
	put_sup(text, r->fnum[k - 1]);
}

/* Does s hold anything but whitespace and punctuation? */
static int
wordy(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] >= 0x80) {
			if ((i + 1 < n && p[i] == 0xc2 &&
				(p[i + 1] == 0xb7 || p[i + 1] == 0xa0)) ||
			    (i + 2 < n && p[i] == 0xe2 && p[i + 1] == 0x80 &&
				(p[i + 2] == 0x93 || p[i + 2] == 0x94 ||
				    p[i + 2] == 0xa2))) {
				i += p[i] == 0xc2 ? 1 : 2;
				continue;
			}
			return 1;
		}
		if (isalnum(p[i]))
			return 1;
	}
	return 0;
}

static void
add_plain(struct render *r, struct buf *text, const char *s, size_t n)
{
	if (r->nol == 0 && !r->plain && wordy(s, n))
		r->plain = 1;
	buf_add(text, s, n);
}

/* ---- HTML --------------------------------------------------------- */

static const char *const block_tags[] = { "p", "div", "li", "tr", "h1", "h2",
	"h3", "h4", "h5", "h6", "blockquote", "details", "summary", "section",
	"article", "header", "footer", "figure", "figcaption", "ul", "ol", "dl",
	"dt", "dd", "table", "thead", "tbody", "pre", "hr", "center", "aside",
	"nav", "main", "address", "caption", NULL };
static const char *const media_tags[] = { "iframe", "video", "audio", "source",
	"embed", "track", NULL };

static void
html_tag(struct render *r, cmark_node *n, const char *name, size_t nl,
    int closing, const char *attrs, size_t na, struct buf *text)
{
	struct buf v = BUF_INIT, t = BUF_INIT;
	size_t start;

	if (nl == 2 && strncasecmp(name, "br", 2) == 0)
		buf_addc(text, '\n');
	else if (nl == 1 && tolower((unsigned char)*name) == 'a') {
		if (!closing) {
			while (r->nol && r->ol[r->nol - 1].html)
				close_link(r, n, text);
			if (html_attr(attrs, na, "href", &v)) {
				html_attr(attrs, na, "title", &t);
				open_link(r, text->len, v.data, t.data, 0, 1,
				    1);
			}
		} else if (r->nol && r->ol[r->nol - 1].html)
			close_link(r, n, text);
	} else if (!closing && nl == 3 && strncasecmp(name, "img", 3) == 0) {
		if (html_attr(attrs, na, "src", &v)) {
			html_attr(attrs, na, "title", &t);
			start = text->len;
			open_link(r, start, v.data, t.data, 1, 0, 1);
			if (html_attr(attrs, na, "alt", &t))
				clean_add(text, t.data, t.len, 1);
			close_link(r, n, text);
		}
	} else if (!closing && html_tag_in(name, nl, media_tags)) {
		if (html_attr(attrs, na, "src", &v)) {
			html_attr(attrs, na, "title", &t);
			start = text->len;
			open_link(r, start, v.data, t.data, 0, 0, 1);
			clean_add(text, t.data, t.len, 1);
			close_link(r, n, text);
		}
	} else if (html_tag_in(name, nl, block_tags))
		buf_addc(text, '\n');
	else if (nl == 2 &&
	    (strncasecmp(name, "td", 2) == 0 ||
		strncasecmp(name, "th", 2) == 0))
		buf_addc(text, ' ');
	buf_free(&v);
	buf_free(&t);
}

/*
 * Renders raw HTML into text: tags stripped (br, a, img, iframe, block
 * tags understood), comments, script and style dropped, entities
 * decoded, whitespace collapsed.
 */
static void
html_feed(struct render *r, cmark_node *n, const char *s, size_t len,
    struct buf *text)
{
	struct html_lexer lx;
	struct html_token t;

	html_lexer_init(&lx, s, len);
	while (html_next(&lx, &t))
		switch (t.kind) {
		case HTML_TAG:
			html_tag(r, n, t.s, t.n, t.closing, t.attrs, t.nattrs,
			    text);
			break;
		case HTML_SPACE:
			if (text->len && text->data[text->len - 1] != ' ' &&
			    text->data[text->len - 1] != '\n')
				buf_addc(text, ' ');
			break;
		case HTML_TEXT:
			add_plain(r, text, t.s, t.n);
			break;
		}
}

/*
 * Could the autolink extension find anything in s? It only acts at
 * "://", "www." (in lower case) and '@' that the inline parser leaves as
 * text, and only within that block's inlines; without it those stay
 * whole in one text node. So a document is parsed without it (it costs
 * time on every 'w' and ':'), and parsed again with it only when a text
 * node that is rendered holds one of them.
 *
 * Measured (callgrind, `convbench FILE 3`, 1 MB inputs): attaching it
 * whenever the text holds "://", "www." or '@' costs 4.5 % on the sample
 * posts and on generated posts whose URLs are all link destinations
 * (1,049 M -> 1,097 M and 1,808 M -> 1,885 M instructions); the second
 * parse costs 40 % on a post with one bare URL (1,097 M -> 1,534 M). A
 * review's URLs are mostly in [text](url) links, where the first parse
 * is the last.
 */
static int
autolink_trigger(const char *s, size_t n)
{
	static const unsigned char hot[256] = {
		['@'] = 1,
		[':'] = 1,
		['w'] = 1,
	};
	const unsigned char *p = (const unsigned char *)s, *e = p + n;

	for (;; p++) {
		while (p < e && !hot[*p])
			p++;
		if (p == e)
			return 0;
		if (*p == '@' ||
		    (*p == ':' && e - p >= 3 && p[1] == '/' && p[2] == '/') ||
		    (*p == 'w' && e - p >= 4 && memcmp(p, "www.", 4) == 0))
			return 1;
	}
}

/* ---- inlines ------------------------------------------------------ */

static void
code_span(struct render *r, struct buf *text, const char *s)
{
	size_t run = 0, most = 0, i;
	const char *p;

	for (p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > most)
			most = run;
	}
	if (r->nol == 0)
		r->plain = 1;
	for (i = 0; i <= most; i++)
		buf_addc(text, '`');
	if (most && (s[0] == '`' || s[strlen(s) - 1] == '`'))
		buf_addc(text, ' ');
	buf_adds(text, s);
	if (most && (s[0] == '`' || s[strlen(s) - 1] == '`'))
		buf_addc(text, ' ');
	for (i = 0; i <= most; i++)
		buf_addc(text, '`');
}

/* Renders the inline children of node into text ('\n' = hard break). */
static void
render_inlines(struct render *r, cmark_node *node, struct buf *text)
{
	cmark_iter *it = cmark_iter_new(node);
	cmark_event_type ev;
	cmark_node *n;
	cmark_node_type t;
	const char *lit;
	size_t len;
	int keep = r->o->emphasis == GEMTEXT_EMPH_KEEP;

	buf_reset(text);
	r->plain = r->nok = r->nbad = 0;
	r->nbrk = 0;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		if (n == node)
			continue;
		t = cmark_node_get_type(n);
		if (t == CMARK_NODE_STRIKETHROUGH) {
			buf_adds(text, "~~");
			continue;
		}
		if (t == CMARK_NODE_LINK || t == CMARK_NODE_IMAGE) {
			if (ev == CMARK_EVENT_ENTER)
				open_link(r, text->len, cmark_node_get_url(n),
				    cmark_node_get_title(n),
				    t == CMARK_NODE_IMAGE, 0, 0);
			else {
				while (r->nol > 1 && r->ol[r->nol - 1].html)
					close_link(r, n, text);
				if (r->nol)
					close_link(r, n, text);
			}
			continue;
		}
		if (ev != CMARK_EVENT_ENTER && t != CMARK_NODE_EMPH &&
		    t != CMARK_NODE_STRONG)
			continue;
		lit = cmark_node_get_literal(n);
		switch (t) {
		case CMARK_NODE_TEXT:
			len = strlen(lit);
			if (r->check_autolink && autolink_trigger(lit, len))
				r->redo = 1;
			add_plain(r, text, lit, len);
			break;
		case CMARK_NODE_SOFTBREAK:
			if (!r->track) {
				buf_addc(text, ' ');
				break;
			}
			/* FALLTHROUGH */
		case CMARK_NODE_LINEBREAK:
			if (r->track) {
				r->brk = xgrow(r->brk, &r->capbrk, r->nbrk + 1,
				    sizeof(*r->brk));
				r->brk[r->nbrk++] =
				    text->len * 2 + (t == CMARK_NODE_SOFTBREAK);
			}
			buf_addc(text, '\n');
			break;
		case CMARK_NODE_CODE:
			code_span(r, text, lit);
			break;
		case CMARK_NODE_HTML_INLINE:
			html_feed(r, n, lit, strlen(lit), text);
			break;
		case CMARK_NODE_EMPH:
			if (keep)
				buf_addc(text, '*');
			break;
		case CMARK_NODE_STRONG:
			if (keep)
				buf_adds(text, "**");
			break;
		case CMARK_NODE_FOOTNOTE_REFERENCE:
			if (r->check_autolink && lit &&
			    autolink_trigger(lit, strlen(lit)))
				r->redo = 1;
			footnote_ref(r, n, text);
			break;
		default:
			break;
		}
	}
	while (r->nol)
		close_link(r, node, text);
	cmark_iter_free(it);
}

/*
 * A cheap test before the probe: a child of the paragraph that surely
 * adds plain text (a wordy text node, a code span or a footnote
 * reference, met while no link can be open) means it is not link-only.
 * Links and images close whatever they open; anything else may hide
 * inline HTML that opens a link, so the test gives up there.
 */
static int
surely_plain(cmark_node *para)
{
	cmark_node *c;
	cmark_node_type t;
	const char *lit;

	for (c = cmark_node_first_child(para); c; c = cmark_node_next(c)) {
		t = cmark_node_get_type(c);
		if (t == CMARK_NODE_TEXT) {
			lit = cmark_node_get_literal(c);
			if (lit && wordy(lit, strlen(lit)))
				return 1;
		} else if (t == CMARK_NODE_CODE ||
		    t == CMARK_NODE_FOOTNOTE_REFERENCE)
			return 1;
		else if (t != CMARK_NODE_LINK && t != CMARK_NODE_IMAGE &&
		    t != CMARK_NODE_SOFTBREAK && t != CMARK_NODE_LINEBREAK)
			return 0;
	}
	return 0;
}

/* A paragraph of only links and images (and punctuation) becomes link lines. */
static int
probe_para(struct render *r, cmark_node *n)
{
	if (surely_plain(n)) {
		r->plain = 1;
		return 0;
	}
	r->probing = 1;
	render_inlines(r, n, &r->scratch);
	r->probing = 0;
	return !r->plain && r->nok > 0 && r->nbad == 0;
}

static int
probe_list(struct render *r, cmark_node *list)
{
	cmark_iter *it = cmark_iter_new(list);
	cmark_event_type ev;
	cmark_node *n;
	cmark_node_type t;
	int ok = 1;

	links_clear(&r->probe);
	while (ok && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER || n == list)
			continue;
		t = cmark_node_get_type(n);
		if (t == CMARK_NODE_LIST)
			continue;
		if (t == CMARK_NODE_ITEM)
			ok = strcmp(cmark_node_get_type_string(n), "tasklist");
		else if (t == CMARK_NODE_PARAGRAPH) {
			ok = probe_para(r, n);
			cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
		} else
			ok = 0;
	}
	cmark_iter_free(it);
	return ok && r->probe.n > 0;
}

/* ---- blocks ------------------------------------------------------- */

static void
group_begin(struct render *r)
{
	set_gap(r, GAP_BLANK);
	r->group_lines = 0;
}

static void
group_end(struct render *r)
{
	if (r->group.n) {
		if (r->group_lines)
			r->gap = GAP_NONE;
		put_links(r, &r->group);
	}
	set_gap(r, GAP_BLANK);
}

/* Separation before a paragraph-like block inside containers. */
static void
block_begin(struct render *r)
{
	if (r->nstk && r->stk[r->nstk - 1].kind == FR_QUOTE)
		set_gap(r, GAP_QUOTE);
}

static void
strip_attrs(struct buf *b)
{
	char *open;
	size_t i;

	if (b->len == 0 || b->data[b->len - 1] != '}')
		return;
	if ((open = strrchr(b->data, '{')) == NULL ||
	    (open != b->data && open[-1] != ' '))
		return;
	i = (size_t)(open - b->data);
	if (open[1] != '#' && open[1] != '.' && strchr(open, '=') == NULL)
		return;
	b->len = i;
	rtrim(b, 0);
}

static void
heading(struct render *r, cmark_node *n, int top)
{
	struct buf h = BUF_INIT, t = BUF_INIT;
	int level = cmark_node_get_heading_level(n);

	render_inlines(r, n, &r->line);
	squeeze(&h, r->line.data, r->line.len);
	strip_attrs(&h);
	if (level == 1 && top && !r->seen_h1) {
		r->seen_h1 = 1;
		if (r->o->title) {
			squeeze(&t, r->o->title, strlen(r->o->title));
			if (strcasecmp(t.data, h.data) == 0)
				h.len = 0;
		}
	}
	if (h.len == 0)
		;
	else if (r->nstk) {
		block_begin(r);
		put_text(r, h.data, h.len);
	} else
		put_line(r,
		    level == 1	   ? "# " :
			level == 2 ? "## " :
				     "### ",
		    h.data, h.len, 0);
	buf_free(&h);
	buf_free(&t);
}

/*
 * A GitHub alert: a quote whose first paragraph starts with [!NOTE],
 * [!TIP], [!IMPORTANT], [!WARNING] or [!CAUTION] on a line of its own.
 * The marker in text becomes "Note:" (and so on).
 */
static void
alert(cmark_node *n, struct buf *text, struct buf *tmp)
{
	static const char *const kinds[] = { "Note", "Tip", "Important",
		"Warning", "Caution" };
	cmark_node *q = cmark_node_parent(n);
	const char *s = text->data;
	size_t i, k = 0, rest;

	if (q == NULL || cmark_node_get_type(q) != CMARK_NODE_BLOCK_QUOTE ||
	    cmark_node_first_child(q) != n || text->len < 5 ||
	    memcmp(s, "[!", 2) != 0)
		return;
	for (i = 0; i < ARRAY_LEN(kinds); i++) {
		k = strlen(kinds[i]);
		if (text->len >= k + 3 &&
		    strncasecmp(s + 2, kinds[i], k) == 0 && s[k + 2] == ']' &&
		    (k + 3 == text->len || s[k + 3] == ' ' || s[k + 3] == '\n'))
			break;
	}
	if (i == ARRAY_LEN(kinds))
		return;
	for (rest = k + 3;
	     rest < text->len && (s[rest] == ' ' || s[rest] == '\n'); rest++)
		;
	buf_reset(tmp);
	buf_adds(tmp, kinds[i]);
	buf_addc(tmp, ':');
	if (rest < text->len) {
		buf_addc(tmp, ' ');
		buf_add(tmp, s + rest, text->len - rest);
	}
	buf_reset(text);
	buf_add(text, tmp->data, tmp->len);
}

/* Offset of 1-based source line k in r->md (its end for k past the last). */
static size_t
source_line(struct render *r, int k)
{
	const char *nl;
	size_t i;
	int cr;

	if (r->nlstart == 0) {
		r->lstart =
		    xgrow(r->lstart, &r->caplstart, 1, sizeof(*r->lstart));
		r->lstart[r->nlstart++] = 0;
		cr = memchr(r->md, '\r', r->mdlen) != NULL;
		for (i = 0; i < r->mdlen; i++) {
			if (!cr) { /* LF only: memchr's speed */
				nl = memchr(r->md + i, '\n', r->mdlen - i);
				if (nl == NULL)
					break;
				i = (size_t)(nl - r->md);
			} else if (r->md[i] != '\n' && r->md[i] != '\r')
				continue;
			if (r->md[i] == '\r' && i + 1 < r->mdlen &&
			    r->md[i + 1] == '\n')
				i++;
			r->lstart = xgrow(r->lstart, &r->caplstart,
			    r->nlstart + 1, sizeof(*r->lstart));
			r->lstart[r->nlstart++] = i + 1;
		}
	}
	if (k < 1)
		return 0;
	return (size_t)k <= r->nlstart ? r->lstart[k - 1] : r->mdlen;
}

/*
 * Decides a rendered paragraph's soft breaks (each a '\n' in r->line)
 * from its source lines: hard-wrapped text gets spaces, as CommonMark
 * says; other text keeps a line per source line. Returns where the text
 * that must leave its list item starts: a lazy continuation line (less
 * indented than the item's text) of kept lines ends the item.
 */
static size_t
keep_breaks(struct render *r, cmark_node *n)
{
	cmark_node *parent = cmark_node_parent(n);
	size_t i, a, b, nsoft = 0, col, sp;
	int first = cmark_node_get_start_line(n), k;

	for (i = 0; i < r->nbrk; i++)
		nsoft += r->brk[i] & 1;
	if (nsoft == 0 || r->md == NULL)
		return r->line.len;
	a = source_line(r, first);
	b = source_line(r, cmark_node_get_end_line(n) + 1);
	if (prose_hard_wrapped(r->md + a, b > a ? b - a : 0)) {
		for (i = 0; i < r->nbrk; i++)
			if (r->brk[i] & 1)
				r->line.data[r->brk[i] / 2] = ' ';
		return r->line.len;
	}
	if (r->quotes || parent == NULL ||
	    cmark_node_get_type(parent) != CMARK_NODE_ITEM)
		return r->line.len;
	col = (size_t)cmark_node_get_start_column(n) - 1;
	for (i = 0, k = first + 1; i < r->nbrk; i++, k++) {
		a = source_line(r, k);
		for (sp = 0;
		     a < r->mdlen && (r->md[a] == ' ' || r->md[a] == '\t'); a++)
			sp = r->md[a] == '\t' ? (sp + 4) / 4 * 4 : sp + 1;
		if (sp < col)
			return r->brk[i] / 2 + 1;
	}
	return r->line.len;
}

/* Lines that left their list item: text lines after it, with a gap. */
static void
put_after_list(struct render *r, const char *s, size_t n)
{
	size_t nstk = r->nstk;
	int lists = r->lists;

	r->nstk = 0;
	r->lists = 0;
	set_gap(r, GAP_BLANK);
	put_text(r, s, n);
	set_gap(r, GAP_BLANK);
	r->nstk = nstk;
	r->lists = lists;
}

static void
paragraph(struct render *r, cmark_node *n, int top)
{
	size_t cut;

	if (top && r->o->links != GEMTEXT_LINKS_OFF && r->lead[0] == '\0') {
		links_clear(&r->probe);
		if (probe_para(r, n)) {
			put_links(r, &r->probe);
			return;
		}
		links_clear(&r->probe);
	}
	r->track = 1;
	render_inlines(r, n, &r->line);
	r->track = 0;
	cut = keep_breaks(r, n);
	if (r->quotes) { /* keep_breaks keeps a quote whole */
		alert(n, &r->line, &r->tmp);
		cut = r->line.len;
	}
	block_begin(r);
	put_text(r, r->line.data, cut);
	if (cut < r->line.len)
		put_after_list(r, r->line.data + cut, r->line.len - cut);
}

/* The X of class="language-X" (or lang-X, data-lang="X") in attrs. */
static void
code_lang(const char *a, size_t n, struct buf *lang)
{
	struct buf v = BUF_INIT;
	const char *p;
	size_t k;

	if (lang->len == 0 && html_attr(a, n, "data-lang", &v))
		clean_add(lang, v.data, strcspn(v.data, " \t"), 0);
	if (lang->len == 0 && html_attr(a, n, "class", &v)) {
		for (p = v.data; *p; p += k) {
			p += strspn(p, " \t");
			k = strcspn(p, " \t");
			if (strncmp(p, "language-", 9) == 0 && k > 9) {
				clean_add(lang, p + 9, k - 9, 0);
				break;
			}
			if (strncmp(p, "lang-", 5) == 0 && k > 5) {
				clean_add(lang, p + 5, k - 5, 0);
				break;
			}
		}
	}
	buf_free(&v);
}

/*
 * A fenced block: lang after the opening ```, then each line of s (the
 * last one only when it is not empty) through put_code. One writer for
 * Markdown code blocks and HTML <pre>s.
 */
static void
fenced(struct render *r, const char *lang, size_t langlen, const char *s,
    size_t n)
{
	const char *nl;
	size_t k;

	flush_lead(r);
	set_gap(r, GAP_BLANK);
	put_gap(r, LT_PRE);
	buf_adds(r->out, "```");
	buf_add(r->out, lang, langlen);
	buf_addc(r->out, '\n');
	while (n > 0) {
		nl = memchr(s, '\n', n);
		k = nl ? (size_t)(nl - s) : n;
		put_code(r, s, k);
		if (nl == NULL)
			break;
		s += k + 1;
		n -= k + 1;
	}
	buf_adds(r->out, "```\n");
	r->gap = GAP_BLANK;
}

/*
 * The inside of a <pre> as a preformatted block: tags (<code>, the
 * <span>s of a highlighter) dropped, entities decoded, every line and
 * tab kept; the first newline after <pre> is not content, as in HTML.
 */
static void
pre_block(struct render *r, const char *s, size_t n, const char *lang)
{
	struct buf *b = &r->scratch;

	buf_reset(b);
	html_strip(b, s, n);
	s = b->data;
	n = b->len;
	if (n && s[0] == '\n') {
		s++;
		n--;
	}
	if (n && s[n - 1] == '\n')
		n--;
	fenced(r, lang, strlen(lang), s, n);
}

/* The inline text of HTML s into r->line, every link it opened closed. */
static void
html_line(struct render *r, cmark_node *n, const char *s, size_t len)
{
	buf_reset(&r->line);
	html_feed(r, n, s, len, &r->line);
	while (r->nol)
		close_link(r, n, &r->line);
}

/* HTML as a block of text (but for its <pre>s: see html_pre). */
static void
html_text(struct render *r, cmark_node *n, const char *s, size_t len)
{
	html_line(r, n, s, len);
	block_begin(r);
	put_text(r, r->line.data, r->line.len);
}

/* An HTML block holding <pre>: its lines kept as preformatted text. */
static void
html_pre(struct render *r, cmark_node *n, const char *s, size_t len)
{
	struct buf lang = BUF_INIT;
	size_t p, a, o, c, e;

	while (len > 0) {
		p = html_find_tag(s, len, "pre");
		if (p > 0)
			html_text(r, n, s, p);
		if (p == len)
			break;
		a = p + 4; /* the <pre tag's attributes */
		o = a + html_find_ci(s + a, len - a, ">");
		buf_reset(&lang);
		code_lang(s + a, o - a, &lang);
		o = o < len ? o + 1 : len;
		/* a <code ...> right inside names the language too */
		e = o + strspn(s + o, " \t\n");
		if (len - e > 5 && strncasecmp(s + e, "<code", 5) == 0 &&
		    (s[e + 5] == '>' || isspace((unsigned char)s[e + 5]))) {
			c = e + 5 + html_find_ci(s + e + 5, len - e - 5, ">");
			code_lang(s + e + 5, c - e - 5, &lang);
		}
		c = o + html_find_ci(s + o, len - o, "</pre");
		pre_block(r, s + o, c - o, lang.data ? lang.data : "");
		e = c + html_find_ci(s + c, len - c, ">");
		e = e < len ? e + 1 : len;
		s += e;
		len -= e;
	}
	buf_free(&lang);
}

static void
html_block(struct render *r, cmark_node *n, int top)
{
	const char *lit = cmark_node_get_literal(n);
	size_t len = strlen(lit);

	if (html_find_tag(lit, len, "pre") < len) {
		html_pre(r, n, lit, len);
		return;
	}

	if (top && r->o->links != GEMTEXT_LINKS_OFF && r->lead[0] == '\0') {
		links_clear(&r->probe);
		r->probing = 1;
		r->plain = r->nok = r->nbad = 0;
		html_line(r, n, lit, len);
		r->probing = 0;
		if (!r->plain && r->nok > 0 && r->nbad == 0) {
			put_links(r, &r->probe);
			return;
		}
		links_clear(&r->probe);
	}
	html_text(r, n, lit, len);
}

static void
code_block(struct render *r, cmark_node *n)
{
	const char *info = cmark_node_get_fence_info(n);
	const char *s = cmark_node_get_literal(n);

	buf_reset(&r->tmp);
	if (info) {
		/* one line of printable text: the first word of the info */
		clean_add(&r->tmp, info, strcspn(info, " \t\n\r\v\f{,"), 1);
		rtrim(&r->tmp, 0);
	}
	fenced(r, r->tmp.data ? r->tmp.data : "", r->tmp.len, s ? s : "",
	    s ? strlen(s) : 0);
}

static void
thematic_break(struct render *r)
{
	block_begin(r);
	put_text(r, HRULE, strlen(HRULE));
}

/* ---- tables ------------------------------------------------------- */

static void
pad(struct buf *b, size_t n)
{
	while (n--)
		buf_addc(b, ' ');
}

static void
table_row_pre(struct buf *b, char **cells, size_t *w, size_t *cw,
    const uint8_t *align, size_t ncols)
{
	size_t c, extra, start = b->len;

	for (c = 0; c < ncols; c++) {
		if (c)
			buf_adds(b, " | ");
		extra = w[c] - cw[c];
		if (align && align[c] == 'r')
			pad(b, extra);
		else if (align && align[c] == 'c')
			pad(b, extra / 2);
		buf_adds(b, cells[c]);
		if (align && align[c] == 'r')
			;
		else if (align && align[c] == 'c')
			pad(b, extra - extra / 2);
		else
			pad(b, extra);
	}
	rtrim(b, start);
}

static void
table(struct render *r, cmark_node *tab)
{
	size_t ncols = cmark_gfm_extensions_get_table_columns(tab);
	const uint8_t *align = cmark_gfm_extensions_get_table_alignments(tab);
	cmark_node *row, *cell;
	char **cells = NULL;
	size_t *w, *cw, nrows = 0, i, c;
	struct buf cellb = BUF_INIT, line = BUF_INIT;

	if (ncols == 0)
		return;
	for (row = cmark_node_first_child(tab); row; row = cmark_node_next(row))
		nrows++;
	if (nrows == 0)
		return;
	cells = xcalloc(nrows * ncols, sizeof(*cells));
	w = xcalloc(ncols, sizeof(*w));
	cw = xcalloc(nrows * ncols, sizeof(*cw));
	for (i = 0, row = cmark_node_first_child(tab); row;
	     row = cmark_node_next(row), i++) {
		for (c = 0, cell = cmark_node_first_child(row); c < ncols;
		     c++, cell = cell ? cmark_node_next(cell) : NULL) {
			if (cell) {
				render_inlines(r, cell, &r->line);
				squeeze(&cellb, r->line.data, r->line.len);
			} else
				buf_reset(&cellb);
			cells[i * ncols + c] = xstrdup(cellb.data);
			cw[i * ncols + c] = utf8_width(cellb.data, cellb.len);
			if (cw[i * ncols + c] > w[c])
				w[c] = cw[i * ncols + c];
		}
	}
	if (r->o->tables == GEMTEXT_TABLES_LIST) {
		block_begin(r);
		for (i = nrows > 1 ? 1 : 0; i < nrows; i++) {
			buf_reset(&line);
			for (c = 0; c < ncols; c++) {
				if (cells[i * ncols + c][0] == '\0')
					continue;
				if (line.len)
					buf_adds(&line, " \xc2\xb7 ");
				if (i > 0 && cells[c][0])
					buf_printf(&line, "%s: ", cells[c]);
				buf_adds(&line, cells[i * ncols + c]);
			}
			put_line(r, r->quotes ? "> " QBULLET : "* ", line.data,
			    line.len, !r->quotes);
		}
	} else {
		flush_lead(r);
		set_gap(r, GAP_BLANK);
		put_gap(r, LT_PRE);
		buf_adds(r->out, "```table\n");
		for (i = 0; i < nrows; i++) {
			buf_reset(&line);
			table_row_pre(&line, cells + i * ncols, w,
			    cw + i * ncols, align, ncols);
			put_pre(r, line.data, line.len);
			if (i == 0 && nrows > 1) {
				for (c = 0; c < ncols; c++) {
					buf_adds(r->out, c ? "-+-" : "");
					for (size_t k = 0; k < w[c]; k++)
						buf_addc(r->out, '-');
				}
				buf_addc(r->out, '\n');
			}
		}
		buf_adds(r->out, "```\n");
		r->gap = GAP_BLANK;
	}
	strv_free(cells, nrows * ncols);
	free(w);
	free(cw);
	buf_free(&cellb);
	buf_free(&line);
}

/* ---- the walk ----------------------------------------------------- */

static struct frame *
push(struct render *r, enum frame_kind kind)
{
	struct frame *f;

	r->stk = xgrow(r->stk, &r->capstk, r->nstk + 1, sizeof(*r->stk));
	f = &r->stk[r->nstk++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	if (kind == FR_QUOTE)
		r->quotes++;
	else if (kind == FR_LIST)
		r->lists++;
	return f;
}

static void
pop(struct render *r)
{
	struct frame *f = &r->stk[--r->nstk];

	if (f->kind == FR_QUOTE)
		r->quotes--;
	else if (f->kind == FR_LIST)
		r->lists--;
}

/* Handles entering n; returns 1 when n's whole subtree was rendered. */
static int
enter(struct render *r, cmark_node *n, int top)
{
	cmark_node_type t = cmark_node_get_type(n);
	struct frame *f, *list;

	if (t == CMARK_NODE_TABLE) {
		table(r, n);
		return 1;
	}
	switch (t) {
	case CMARK_NODE_PARAGRAPH:
		paragraph(r, n, top);
		return 1;
	case CMARK_NODE_HEADING:
		heading(r, n, top);
		return 1;
	case CMARK_NODE_CODE_BLOCK:
		code_block(r, n);
		return 1;
	case CMARK_NODE_HTML_BLOCK:
		html_block(r, n, top);
		return 1;
	case CMARK_NODE_THEMATIC_BREAK:
		thematic_break(r);
		return 1;
	case CMARK_NODE_FOOTNOTE_DEFINITION:
		return 1;
	case CMARK_NODE_BLOCK_QUOTE:
		push(r, FR_QUOTE);
		return 0;
	case CMARK_NODE_LIST:
		if (top && r->o->links != GEMTEXT_LINKS_OFF &&
		    r->lead[0] == '\0' && probe_list(r, n)) {
			put_links(r, &r->probe);
			return 1;
		}
		links_clear(&r->probe);
		if (r->nstk && r->stk[r->nstk - 1].kind == FR_QUOTE)
			set_gap(r, GAP_QUOTE);
		f = push(r, FR_LIST);
		f->ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
		f->num = cmark_node_get_list_start(n);
		return 0;
	case CMARK_NODE_ITEM:
		f = push(r, FR_ITEM); /* may move the stack: index after */
		f->first = 1;
		list = r->nstk > 1 ? &r->stk[r->nstk - 2] : NULL;
		if (list && list->kind == FR_LIST)
			f->num = list->num++;
		if (strcmp(cmark_node_get_type_string(n), "tasklist") == 0)
			f->task =
			    cmark_gfm_extensions_get_tasklist_item_checked(n) ?
			    2 :
			    1;
		return 0;
	default:
		return 1;
	}
}

/* Renders the blocks under root; each child of root is one block group. */
static void
walk(struct render *r, cmark_node *root)
{
	cmark_iter *it = cmark_iter_new(root);
	cmark_event_type ev;
	cmark_node *n;
	int top;

	while (!r->redo && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		if (n == root)
			continue;
		top = cmark_node_parent(n) == root;
		if (ev == CMARK_EVENT_ENTER) {
			if (top)
				group_begin(r);
			if (!enter(r, n, top))
				continue;
			cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
		} else
			pop(r);
		if (top)
			group_end(r);
	}
	cmark_iter_free(it);
}

static void
footnotes(struct render *r)
{
	size_t i;

	for (i = 0; i < r->nforder && !r->redo; i++) {
		struct buf b = BUF_INIT;

		put_sup(&b, r->fnum[r->forder[i]]);
		snprintf(r->lead, sizeof(r->lead), "%s ", b.data);
		buf_free(&b);
		set_gap(r, GAP_BLANK);
		walk(r, r->fdef[r->forder[i]]);
		r->lead[0] = '\0';
	}
}

static void
tail_links(struct render *r)
{
	size_t i;

	set_gap(r, GAP_BLANK);
	for (i = 0; i < r->tail.n; i++)
		put_link(r, &r->tail.v[i], r->tail.v[i].num);
}

/* ---- limits, checked before cmark sees the text -------------------- */

/*
 * The containers a line opens at its start ('>' and list markers, with
 * indentation before a marker counted as a level per two columns), and
 * where its content starts.
 */
static size_t
line_depth(const char *s, const char *end, const char **rest)
{
	size_t markers = 0, indent = 0;
	const char *q;

	for (;;) {
		while (s < end && (*s == ' ' || *s == '\t')) {
			indent += *s == '\t' ? 4 : 1;
			s++;
		}
		if (s < end && *s == '>') {
			markers++;
			s++;
			continue;
		}
		if (s + 1 < end && (*s == '-' || *s == '*' || *s == '+') &&
		    (s[1] == ' ' || s[1] == '\t')) {
			markers++;
			s += 2; /* the space after a marker is no indent */
			continue;
		}
		for (q = s; q < end && q - s < 9 && *q >= '0' && *q <= '9'; q++)
			;
		if (q > s && q + 1 < end && (*q == '.' || *q == ')') &&
		    (q[1] == ' ' || q[1] == '\t')) {
			markers++;
			s = q + 2;
			continue;
		}
		break;
	}
	*rest = s;
	return markers ? markers + indent / 2 : 0;
}

/* Cells of a table delimiter row (|:--|--:|), or 0 when it is not one. */
static size_t
delimiter_cells(const char *s, const char *end)
{
	size_t cells = 0;
	int dash = 0, pipe = 0;

	for (; s < end; s++) {
		if (*s == '-') {
			if (!dash)
				cells++;
			dash = 1;
			continue;
		}
		dash = 0;
		if (*s == '|')
			pipe = 1;
		else if (*s != ':' && *s != ' ' && *s != '\t')
			return 0;
	}
	return pipe || cells == 1 ? cells : 0;
}

size_t
gemtext_table_cells(const char *md, size_t len)
{
	const char *s = md, *end = md + len, *nl, *rest, *e;
	size_t cols = 0, cells = 0, k;

	for (; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		line_depth(s, nl, &rest);
		for (e = rest;
		     e < nl && (*e == ' ' || *e == '\t' || *e == '\r'); e++)
			;
		if (e == nl) { /* a blank line ends a table */
			cols = 0;
			continue;
		}
		/* A delimiter row with a pipe starts one: its header too. */
		if ((k = delimiter_cells(rest, nl)) > 0 &&
		    memchr(rest, '|', (size_t)(nl - rest)) != NULL) {
			cols = k;
			cells += 2 * k;
		} else
			cells += cols;
	}
	return cells;
}

/* 0, or -1 with the reason in d when md is past one of o's limits. */
static int
check_limits(const char *md, size_t len, const struct gemtext_opts *o,
    struct diags *d)
{
	const char *s = md, *end = md + len, *nl, *rest;
	size_t depth, cells;
	int line = 1;

	if (o->max_size > 0 && len > (size_t)o->max_size) {
		if (d)
			diags_add(d, DIAG_ERROR, 0,
			    "not rendered: %zu bytes of "
			    "Markdown, more than max_post_size (%d)",
			    len, o->max_size);
		return -1;
	}
	for (; s < end; s = nl + 1, line++) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		depth = line_depth(s, nl, &rest);
		if (o->max_nesting > 0 && depth > (size_t)o->max_nesting) {
			if (d)
				diags_add(d, DIAG_ERROR, line,
				    "not rendered: "
				    "%zu levels of quotes and lists, more than "
				    "max_nesting (%d)",
				    depth, o->max_nesting);
			return -1;
		}
		cells = delimiter_cells(rest, nl);
		if (o->max_table_columns > 0 &&
		    cells > (size_t)o->max_table_columns) {
			if (d)
				diags_add(d, DIAG_ERROR, line,
				    "not rendered: "
				    "a table of %zu columns, more than "
				    "max_table_columns (%d)",
				    cells, o->max_table_columns);
			return -1;
		}
	}
	if (o->max_table_cells > 0 &&
	    (cells = gemtext_table_cells(md, len)) >
		(size_t)o->max_table_cells) {
		if (d)
			diags_add(d, DIAG_ERROR, 0,
			    "not rendered: tables of %zu cells (every row "
			    "has its header's columns), more than "
			    "max_table_cells (%d)",
			    cells, o->max_table_cells);
		return -1;
	}
	return 0;
}

/* ---- parsing ------------------------------------------------------ */

static cmark_node *
parse_with(cmark_mem *mem, const char *md, size_t len, int opts, int table,
    int strike, int autolink, int tasklist)
{
	static const char *const exts[] = { "table", "strikethrough",
		"autolink", "tasklist" };
	int want[4];
	cmark_parser *p;
	cmark_syntax_extension *e;
	cmark_node *doc;
	size_t i;

	want[0] = table;
	want[1] = strike;
	want[2] = autolink;
	want[3] = tasklist;
	p = cmark_parser_new_with_mem(opts, mem);
	if (p == NULL)
		return NULL;
	for (i = 0; i < ARRAY_LEN(exts); i++)
		if (want[i] &&
		    (e = cmark_find_syntax_extension(exts[i])) != NULL)
			cmark_parser_attach_syntax_extension(p, e);
	cmark_parser_feed(p, md, len);
	doc = cmark_parser_finish(p);
	cmark_parser_free(p);
	return doc;
}

/*
 * Parses with CMARK_OPT_FOOTNOTES and the table, strikethrough, autolink
 * and tasklist extensions, attaching each only where a cheap scan shows
 * the text could use it (every extension costs time on every line):
 * footnotes need "[^", strikethrough '~', tasklist "[ ]" or "[x]", a
 * table '|' or a ":-"/"-:" delimiter; autolinks are checked on the tree
 * (see autolink_trigger). valid: utf8_valid_text() says
 * CMARK_OPT_VALIDATE_UTF8 would change nothing (cmark's rules are
 * utf8.h's, plus no NUL byte), so cmark need not check again.
 *
 * Measured (callgrind, `convbench FILE 3`: three conversions and three
 * bare cmark parses): on 1 MB of the sample posts without '|', '~' and
 * '^', attaching every extension always takes 941 M instructions, the
 * scan 921 M (2 %); on text that uses them all, the scan costs 0.3 %
 * (1,808 M against 1,813 M). It stays: cheap where it loses, a gain on
 * plain prose, the common post.
 */
struct uses {
	int footnotes, table, strike, tasklist, autolink, valid;
};

/* One pass over the text for what the extensions need (see parse). */
static void
scan_uses(const char *md, size_t len, struct uses *u)
{
	static const unsigned char hot[256] = {
		['['] = 1,
		[':'] = 1,
		['-'] = 1,
		['|'] = 1,
		['~'] = 1,
		['@'] = 1,
		['w'] = 1,
	};
	const unsigned char *p = (const unsigned char *)md, *e = p + len;
	size_t r;

	memset(u, 0, sizeof(*u));
	for (;; p++) {
		while (p < e && !hot[*p])
			p++;
		if (p == e)
			return;
		r = (size_t)(e - p);
		switch (*p) {
		case '[':
			if (r >= 2 && p[1] == '^')
				u->footnotes = 1;
			if (r >= 3 && p[2] == ']' &&
			    (p[1] == ' ' || p[1] == 'x' || p[1] == 'X' ||
				p[1] == '\t'))
				u->tasklist = 1;
			break;
		case ':':
			if (r >= 2 && p[1] == '-')
				u->table = 1;
			if (r >= 3 && p[1] == '/' && p[2] == '/')
				u->autolink = 1;
			break;
		case '-':
			if (r >= 2 && p[1] == ':')
				u->table = 1;
			break;
		case '|':
			u->table = 1;
			break;
		case '~':
			u->strike = 1;
			break;
		case '@':
			u->autolink = 1;
			break;
		default: /* 'w' */
			if (r >= 4 && memcmp(p, "www.", 4) == 0)
				u->autolink = 1;
			break;
		}
	}
}

void
gemtext_init(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

static cmark_node *
parse(cmark_mem *mem, const char *md, size_t len, const struct uses *u,
    int autolink)
{
	cmark_gfm_core_extensions_ensure_registered();
	return parse_with(mem, md, len,
	    (u->valid ? 0 : CMARK_OPT_VALIDATE_UTF8) |
		(u->footnotes ? CMARK_OPT_FOOTNOTES : 0),
	    u->table, u->strike, autolink, u->tasklist);
}

static void
render_init(struct render *r, const struct gemtext_opts *o, struct diags *d,
    cmark_node *doc, int check_autolink, struct buf *out)
{
	cmark_node *n;

	memset(r, 0, sizeof(*r));
	r->o = o;
	r->d = d;
	r->check_autolink = check_autolink;
	r->out = out;
	r->base = out->len;
	buf_init(&r->line, 0);
	buf_init(&r->scratch, 0);
	buf_init(&r->clean, 0);
	buf_init(&r->pre, 0);
	buf_init(&r->lab, 0);
	buf_init(&r->url, 0);
	buf_init(&r->tmp, 0);
	for (n = cmark_node_first_child(doc); n; n = cmark_node_next(n))
		if (cmark_node_get_type(n) == CMARK_NODE_FOOTNOTE_DEFINITION) {
			r->fdef = xgrow(r->fdef, &r->capfdef, r->nfdef + 1,
			    sizeof(*r->fdef));
			r->fdef[r->nfdef++] = n;
		}
	r->fnum = xcalloc(r->nfdef + 1, sizeof(*r->fnum));
}

static void
render_free(struct render *r)
{
	buf_free(&r->line);
	buf_free(&r->scratch);
	buf_free(&r->clean);
	buf_free(&r->pre);
	buf_free(&r->lab);
	buf_free(&r->url);
	buf_free(&r->tmp);
	links_free(&r->group);
	links_free(&r->tail);
	links_free(&r->probe);
	free(r->stk);
	free(r->ol);
	free(r->fdef);
	free(r->fnum);
	free(r->forder);
	free(r->lstart);
	free(r->brk);
}

int
gemtext_render(const char *md, size_t len, const struct gemtext_opts *o,
    struct buf *out, struct diags *d)
{
	struct gemtext_opts def;
	struct render r;
	struct cmark_pool *pool;
	struct uses u;
	cmark_node *doc;
	size_t nd = d ? d->n : 0;
	int autolink = 0;

	if (o == NULL) {
		gemtext_opts_default(&def);
		o = &def;
	}
	if (check_limits(md, len, o, d) == -1)
		return -1;
	pool = cmark_pool_new(len);
	scan_uses(md, len, &u);
	u.valid = utf8_valid_text(md, len);
	for (;;) {
		if ((doc = parse(cmark_pool_mem(pool), md, len, &u,
			 autolink)) == NULL) {
			cmark_pool_free(pool);
			if (d)
				diags_add(d, DIAG_ERROR, 0,
				    "markdown parser failed");
			return -1;
		}
		/*
		 * Without the autolink extension until a rendered text
		 * node shows it could have acted (see autolink_trigger):
		 * then everything again with it, findings included.
		 */
		render_init(&r, o, d, doc, u.autolink && !autolink, out);
		r.md = md;
		r.mdlen = len;
		walk(&r, doc);
		footnotes(&r);
		if (!r.redo)
			break;
		buf_truncate(out, r.base);
		render_free(&r);
		while (d && d->n > nd)
			free(d->v[--d->n].msg);
		cmark_pool_free(pool);
		pool = cmark_pool_new(len);
		autolink = 1;
	}
	tail_links(&r);
	render_free(&r);
	cmark_pool_free(pool); /* the tree, all at once */
	return 0;
}
