/*
 * frontmatter: finds the `+++` TOML or `---` YAML block at byte 0 of a
 * post, parses it (YAML through libyaml's event API, converted into the
 * same tree toml builds, so one extractor serves both) and fills struct
 * post_meta. A block that fails is still consumed so it never becomes
 * body text. Dates go through date.c. Pure: no I/O, never logs.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "buf.h"
#include "date.h"
#include "frontmatter.h"
#include "toml.h"

#define FM_MAX_DEPTH 64	  /* nested YAML mappings and sequences */
#define FM_MAX_LIST  1024 /* entries kept per list (tags...); dedup is n^2 */

static int
is_space(int c)
{
	return c == ' ' || c == '\t';
}

/* YAML: events into a toml_value tree. */

struct yframe {
	struct toml_value *c;
	char *key; /* pending mapping key, or NULL */
};

struct ybuild {
	struct yframe st[FM_MAX_DEPTH];
	int n;
	struct toml_value *root;
	struct diags *d;
};

static int
is_plain_number(const char *s, int *isfloat)
{
	const char *p = s;
	int nd = 0, frac = 0;

	*isfloat = 0;
	if (*p == '+' || *p == '-')
		p++;
	if (strcmp(p, ".inf") == 0 || strcmp(p, ".Inf") == 0 ||
	    strcmp(p, ".INF") == 0) {
		*isfloat = 1;
		return 1;
	}
	for (; *p >= '0' && *p <= '9'; p++)
		nd++;
	if (*p == '.') {
		*isfloat = 1;
		for (p++; *p >= '0' && *p <= '9'; p++)
			frac++;
	}
	if (nd + frac == 0)
		return 0;
	if (*p == 'e' || *p == 'E') {
		*isfloat = 1;
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

/*
 * A scalar as a value: quoted or tagged !!str stays a string (plain 0),
 * plain scalars resolve like YAML 1.2's core schema. Returns NULL for
 * null (the key is then treated as absent).
 */
static struct toml_value *
scalar_value(const char *s, int plain, int line)
{
	struct toml_value *v;
	char *end;
	int isfloat;

	if (plain) {
		if (*s == '\0' || strcmp(s, "~") == 0 ||
		    strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
		    strcmp(s, "NULL") == 0)
			return NULL;
		if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 ||
		    strcmp(s, "TRUE") == 0 || strcmp(s, "false") == 0 ||
		    strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0) {
			v = toml_new(TOML_BOOL, line);
			v->u.b = s[0] == 't' || s[0] == 'T';
			return v;
		}
		if (is_plain_number(s, &isfloat)) {
			v = toml_new(isfloat ? TOML_FLOAT : TOML_INT, line);
			if (isfloat && strpbrk(s, "iI") != NULL)
				v->u.f = *s == '-' ? -HUGE_VAL : HUGE_VAL;
			else if (isfloat)
				v->u.f = strtod(s, &end);
			else
				v->u.i = strtoll(s, &end, 10);
			return v;
		}
	}
	v = toml_new(TOML_STRING, line);
	v->u.s = xstrdup(s);
	return v;
}

static struct toml_value *
yaml_scalar(const yaml_event_t *ev, struct diags *d)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	int line = (int)ev->start_mark.line + 1;

	if (strlen(s) != len)
		diags_add(d, DIAG_WARN, line,
		    "NUL character in YAML string;"
		    " text after it is dropped");
	return scalar_value(s,
	    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		(tag == NULL || strcmp(tag, "!") != 0) &&
		(tag == NULL || strcmp(tag, YAML_STR_TAG) != 0),
	    line);
}

/* Puts v (may be NULL: YAML null) where the open container wants it. */
static int
ybuild_attach(struct ybuild *yb, struct toml_value *v, int line)
{
	struct yframe *f;

	if (yb->n == 0) {
		if (yb->root == NULL)
			yb->root = v;
		else
			toml_free(v);
		return 0;
	}
	f = &yb->st[yb->n - 1];
	if (f->c->type == TOML_ARRAY) {
		if (v != NULL)
			toml_append(f->c, v);
		return 0;
	}
	if (f->key == NULL) {
		toml_free(v);
		diags_add(yb->d, DIAG_ERROR, line,
		    "YAML mapping keys must "
		    "be plain scalars");
		return -1;
	}
	if (v != NULL && toml_set(f->c, f->key, v) == -1) {
		diags_add(yb->d, DIAG_ERROR, line, "duplicate key '%s'",
		    f->key);
		toml_free(v);
		return -1;
	}
	free(f->key);
	f->key = NULL;
	return 0;
}

static int
ybuild_event(struct ybuild *yb, const yaml_event_t *ev)
{
	struct toml_value *v;
	struct yframe *top = yb->n ? &yb->st[yb->n - 1] : NULL;
	int line = (int)ev->start_mark.line + 1;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (top != NULL && top->c->type == TOML_TABLE &&
		    top->key == NULL) {
			top->key = xstrdup((const char *)ev->data.scalar.value);
			return 0;
		}
		return ybuild_attach(yb, yaml_scalar(ev, yb->d), line);
	case YAML_ALIAS_EVENT:
		diags_add(yb->d, DIAG_WARN, line,
		    "YAML aliases are not "
		    "supported; value ignored");
		if (top != NULL && top->c->type == TOML_TABLE &&
		    top->key == NULL) {
			diags_add(yb->d, DIAG_ERROR, line,
			    "YAML alias used as"
			    " a mapping key");
			return -1;
		}
		return ybuild_attach(yb, NULL, line);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (yb->n == FM_MAX_DEPTH) {
			diags_add(yb->d, DIAG_ERROR, line,
			    "YAML nested more "
			    "than %d deep",
			    FM_MAX_DEPTH);
			return -1;
		}
		v = toml_new(ev->type == YAML_SEQUENCE_START_EVENT ?
			TOML_ARRAY :
			TOML_TABLE,
		    line);
		if (ybuild_attach(yb, v, line) == -1)
			return -1;
		if (yb->n > 0 || yb->root == v) {
			yb->st[yb->n].c = v;
			yb->st[yb->n].key = NULL;
			yb->n++;
		}
		return 0;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (yb->n > 0) {
			free(yb->st[yb->n - 1].key);
			yb->n--;
		}
		return 0;
	default:
		return 0;
	}
}

static int
count_lines(const char *s, size_t n)
{
	int line = 1;
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

/*
 * The common simple block without libyaml (whose parser set-up, 64 KiB
 * of buffers, cost more than the rest of a post's loading; issue 16):
 * printable ASCII lines `key: value` and `key:` followed by `- item`
 * lines (one indent), each value one plain or quoted scalar, no escape,
 * no comment. It builds the very tree the event path builds (values,
 * lines); anything else returns 0 for libyaml, as does a duplicate key.
 */

/* One scalar [s, s+n) (trailing blanks gone) as a value; -1: not simple. */
static int
simple_scalar(const char *s, size_t n, int line, struct toml_value **v)
{
	char *t;
	size_t i;

	*v = NULL;
	if (n == 0)
		return -1;
	if (s[0] == '"' || s[0] == '\'') {
		if (n < 2 || s[n - 1] != s[0] ||
		    memchr(s + 1, s[0], n - 2) != NULL ||
		    (s[0] == '"' && memchr(s + 1, '\\', n - 2) != NULL))
			return -1;
		*v = toml_new(TOML_STRING, line);
		(*v)->u.s = xstrndup(s + 1, n - 2);
		return 0;
	}
	/* Plain: no indicator first (but a sign before a digit), no ": ". */
	if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) != NULL &&
	    !(s[0] == '-' && n > 1 &&
		((s[1] >= '0' && s[1] <= '9') || s[1] == '.')))
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] == ':' && (i + 1 == n || s[i + 1] == ' '))
			return -1;
	t = xstrndup(s, n);
	*v = scalar_value(t, 1, line);
	free(t);
	return 0;
}

static int
yaml_simple(const char *text, size_t len, struct toml_value **out)
{
	struct toml_value *root = NULL, *seq = NULL, *v;
	char *key = NULL; /* a key whose value is on the next lines */
	const char *e;
	size_t off = 0, n, i, k;
	int line = 0, indent = -1;

	*out = NULL;
	for (i = 0; i < len; i++)
		if ((text[i] < 0x20 && text[i] != '\n') || text[i] >= 0x7f ||
		    text[i] == '#')
			return 0;
	for (; off < len; off = (size_t)(e - text) + 1) {
		const char *s = text + off;

		e = memchr(s, '\n', len - off);
		n = e ? (size_t)(e - s) : len - off;
		line++;
		while (n > 0 && s[n - 1] == ' ')
			n--;
		for (k = 0; k < n && s[k] == ' '; k++)
			;
		if (k == n) /* blank */
			goto next;
		if (key != NULL && n > k + 1 && s[k] == '-' &&
		    s[k + 1] == ' ' && (indent == -1 || indent == (int)k)) {
			/* An item of the pending key's sequence. */
			indent = (int)k;
			for (k += 2; k < n && s[k] == ' '; k++)
				;
			if (simple_scalar(s + k, n - k, line, &v) == -1 ||
			    v == NULL)
				goto fail;
			if (seq == NULL)
				seq = toml_new(TOML_ARRAY, line);
			toml_append(seq, v);
			goto next;
		}
		if (k > 0 || key != NULL) {
			/* The pending key ends: its list or null. */
			if (k > 0 || (seq && toml_set(root, key, seq) == -1))
				goto fail;
			seq = NULL;
			free(key);
			key = NULL;
			indent = -1;
		}
		for (k = 0; k < n && k <= 128 &&
		     (s[k] == '_' || s[k] == '-' || s[k] == '.' ||
			 (s[k] >= '0' && s[k] <= '9') ||
			 ((s[k] | 0x20) >= 'a' && (s[k] | 0x20) <= 'z'));
		     k++)
			;
		if (k == 0 || k > 128 || k == n || s[k] != ':' ||
		    (k + 1 < n && s[k + 1] != ' ') || s[0] == '-' ||
		    s[0] == '.')
			goto fail;
		if (root == NULL)
			root = toml_new(TOML_TABLE, line);
		key = xstrndup(s, k);
		for (k++; k < n && s[k] == ' '; k++)
			;
		if (k == n)
			goto next; /* a list may follow, else null */
		if (simple_scalar(s + k, n - k, line, &v) == -1)
			goto fail;
		if (v != NULL && toml_set(root, key, v) == -1) {
			toml_free(v);
			goto fail;
		}
		free(key);
		key = NULL;
next:
		if (e == NULL)
			break;
	}
	if (key != NULL && seq && toml_set(root, key, seq) == -1)
		goto fail;
	free(key);
	*out = root;
	return 1;
fail:
	free(key);
	toml_free(seq);
	toml_free(root);
	return 0;
}

int
frontmatter_yaml_simple(const char *text, size_t len, struct toml_value **out)
{
	return yaml_simple(text, len, out);
}

int
frontmatter_yaml_tree(const char *text, size_t len, struct toml_value **out,
    struct diags *d)
{
	if (yaml_simple(text, len, out))
		return 0;
	return frontmatter_yaml_libyaml(text, len, out, d);
}

int
frontmatter_yaml_libyaml(const char *text, size_t len, struct toml_value **out,
    struct diags *d)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct ybuild yb;
	int done = 0, r = 0, line;

	memset(&yb, 0, sizeof(yb));
	yb.d = d;
	*out = NULL;
	if (!yaml_parser_initialize(&parser)) {
		diags_add(d, DIAG_ERROR, 1, "cannot initialise YAML parser");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && r == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_READER_ERROR)
				line = count_lines(text,
				    parser.problem_offset < len ?
					parser.problem_offset :
					len);
			else if (parser.context != NULL &&
			    (int)parser.problem_mark.line + 1 >=
				count_lines(text, len))
				/* "unexpected end": where the open thing began */
				line = (int)parser.context_mark.line + 1;
			else
				line = (int)parser.problem_mark.line + 1;
			diags_add(d, DIAG_ERROR, line, "YAML: %s%s%s",
			    parser.problem ? parser.problem : "syntax error",
			    parser.context ? " " : "",
			    parser.context ? parser.context : "");
			r = -1;
			break;
		}
		/* One document: the block is cut at the closing ---. */
		if (ev.type == YAML_DOCUMENT_END_EVENT ||
		    ev.type == YAML_STREAM_END_EVENT)
			done = 1;
		else
			r = ybuild_event(&yb, &ev);
		yaml_event_delete(&ev);
	}
	while (yb.n > 0)
		free(yb.st[--yb.n].key);
	yaml_parser_delete(&parser);
	if (r == -1) {
		toml_free(yb.root);
		return -1;
	}
	*out = yb.root;
	return 0;
}

/* Extraction: one set of rules for both syntaxes. */

/* The text of a scalar, malloc'd, or NULL for arrays and tables. */
static char *
scalar_text(const struct toml_value *v)
{
	switch (v->type) {
	case TOML_STRING:
	case TOML_DATETIME:
		return xstrdup(v->u.s);
	case TOML_INT:
		return xasprintf("%lld", v->u.i);
	case TOML_FLOAT:
		return xasprintf("%g", v->u.f);
	case TOML_BOOL:
		return xstrdup(v->u.b ? "true" : "false");
	default:
		return NULL;
	}
}

static void
take_string(const struct toml_value *t, const char *key, char **dst,
    struct diags *d)
{
	const struct toml_value *v = toml_get(t, key);

	if (v == NULL || *dst != NULL)
		return;
	if (v->type != TOML_STRING)
		diags_add(d, DIAG_WARN, v->line,
		    "'%s' should be a string, "
		    "not %s",
		    key, toml_type_name(v->type));
	*dst = scalar_text(v);
}

/* Appends a string or array of scalars to a list, skipping repeats. */
static void
take_list(const struct toml_value *t, const char *key, char ***list, size_t *n,
    struct diags *d)
{
	const struct toml_value *v = toml_get(t, key), *it;
	size_t i, j, cap = *n, count;
	char *s;

	if (v == NULL)
		return;
	if (v->type == TOML_TABLE) {
		diags_add(d, DIAG_WARN, v->line,
		    "'%s' should be a list, "
		    "not a table",
		    key);
		return;
	}
	count = v->type == TOML_ARRAY ? v->n : 1;
	for (i = 0; i < count && *n < FM_MAX_LIST; i++) {
		it = v->type == TOML_ARRAY ? v->items[i] : v;
		if ((s = scalar_text(it)) == NULL) {
			diags_add(d, DIAG_WARN, it->line,
			    "'%s' entries "
			    "should be strings, not %s",
			    key, toml_type_name(it->type));
			continue;
		}
		for (j = 0; j < *n && strcmp((*list)[j], s) != 0; j++)
			;
		if (j < *n || *s == '\0') {
			free(s);
			continue;
		}
		*list = xgrow(*list, &cap, *n + 1, sizeof(**list));
		(*list)[(*n)++] = s;
	}
}

/* A boolean, also written as the string "true" or "false". */
static int
take_bool(const struct toml_value *t, const char *key, int *dst,
    struct diags *d)
{
	const struct toml_value *v = toml_get(t, key);

	if (v == NULL)
		return 0;
	if (v->type == TOML_BOOL)
		*dst = v->u.b;
	else if (v->type == TOML_STRING &&
	    (strcasecmp(v->u.s, "true") == 0 || strcasecmp(v->u.s, "yes") == 0))
		*dst = 1;
	else if (v->type == TOML_STRING &&
	    (strcasecmp(v->u.s, "false") == 0 || strcasecmp(v->u.s, "no") == 0))
		*dst = 0;
	else if (v->type == TOML_INT && (v->u.i == 0 || v->u.i == 1))
		*dst = (int)v->u.i;
	else {
		diags_add(d, DIAG_WARN, v->line,
		    "'%s' should be true or "
		    "false",
		    key);
		return 0;
	}
	return 1;
}

static int
take_date(const struct toml_value *t, const char *key, int64_t *dst, char *ymd,
    struct diags *d)
{
	const struct toml_value *v = toml_get(t, key);
	char tmp[11];

	if (v == NULL)
		return 0;
	if (v->type != TOML_DATETIME && v->type != TOML_STRING) {
		diags_add(d, DIAG_WARN, v->line,
		    "'%s' should be a date, "
		    "not %s",
		    key, toml_type_name(v->type));
		return 0;
	}
	if (date_parse(v->u.s, dst, ymd ? ymd : tmp) == -1) {
		diags_add(d, DIAG_WARN, v->line,
		    "'%s': cannot read date "
		    "'%.40s'",
		    key, v->u.s);
		return 0;
	}
	return 1;
}

/*
 * A rating written as text: "4.5", "4/5", "8/10", "4 out of 5", "85%"
 * or stars ("★★★★½"). Returns 0 with *r and *den (0: no scale stated).
 */
static int
rating_text(const char *s, double *r, double *den)
{
	char *end;
	int stars = 0, half = 0;

	*den = 0;
	while (is_space(*s))
		s++;
	if (strncmp(s, "\xe2\x98\x85", 3) == 0 ||
	    strncmp(s, "\xe2\x98\x86", 3) == 0) {
		for (; *s;) {
			if (strncmp(s, "\xe2\x98\x85", 3) == 0) /* ★ */
				stars++, s += 3;
			else if (strncmp(s, "\xe2\x98\x86", 3) == 0) /* ☆ */
				s += 3;
			else if (strncmp(s, "\xc2\xbd", 2) == 0) /* ½ */
				half = 1, s += 2;
			else if (is_space(*s))
				s++;
			else
				return -1;
		}
		*r = stars + half * 0.5;
		*den = 5;
		return 0;
	}
	*r = strtod(s, &end);
	if (end == s)
		return -1;
	while (is_space(*end))
		end++;
	if (*end == '/' || strncasecmp(end, "out of", 6) == 0) {
		*den = strtod(end + (*end == '/' ? 1 : 6), &end);
		if (!(*den > 0))
			return -1;
	} else if (*end == '%') {
		*den = 100;
		end++;
	}
	while (is_space(*end))
		end++;
	return *end == '\0' ? 0 : -1;
}

/*
 * rating, stars or score: 4, 4.5, "4.5", "4/5", "8/10", "4 out of 5",
 * "85%", "★★★★½", or a number with its scale in rating_scale, scale,
 * out_of or max_rating. Without a scale, a number above 5 is out of 10,
 * above 10 out of 100. Scaled to 0..5.
 */
static int
take_rating(const struct toml_value *t, struct post_meta *m, struct diags *d)
{
	static const char *const keys[] = { "rating", "stars", "score" };
	static const char *const scales[] = { "rating_scale", "scale", "out_of",
		"max_rating", "rating_max" };
	const struct toml_value *v = NULL, *sc;
	double r, den = 0;
	size_t i;

	for (i = 0; i < ARRAY_LEN(keys) && v == NULL; i++)
		v = toml_get(t, keys[i]);
	if (v == NULL)
		return 0;
	if (v->type == TOML_INT)
		r = (double)v->u.i;
	else if (v->type == TOML_FLOAT)
		r = v->u.f;
	else if (v->type != TOML_STRING || rating_text(v->u.s, &r, &den) == -1)
		goto bad;
	for (i = 0; i < ARRAY_LEN(scales) && den == 0; i++)
		if ((sc = toml_get(t, scales[i])) != NULL) {
			if (sc->type == TOML_INT)
				den = (double)sc->u.i;
			else if (sc->type == TOML_FLOAT)
				den = sc->u.f;
			if (!(den > 0))
				goto bad;
		}
	if (den == 0)
		den = r > 10 ? 100 : r > 5 ? 10 : 5;
	r = r * 5 / den;
	if (!(r >= 0 && r <= 5)) {
		diags_add(d, DIAG_WARN, v->line,
		    "rating should be between "
		    "0 and its scale (5, 10 or 100 unless stated)");
		return 0;
	}
	m->rating = r;
	m->has_rating = 1;
	return 1;
bad:
	diags_add(d, DIAG_WARN, v->line,
	    "cannot read rating (want a "
	    "number, \"4.5\", \"4/5\" or \"8/10\")");
	return 0;
}

/* Fields naming what a review is of, shown on its date line, in order. */
static const struct {
	const char *key, *label;
} fact_keys[] = {
	{ "book_author", "Author" },
	{ "author_of_book", "Author" },
	{ "director", "Director" },
	{ "directors", "Director" },
	{ "creator", "Creator" },
	{ "studio", "Studio" },
	{ "artist", "Artist" },
	{ "developer", "Developer" },
	{ "publisher", "Publisher" },
	{ "platform", "Platform" },
	{ "network", "Network" },
	{ "year", "Year" },
	{ "release_year", "Year" },
};

/* The facts of table t not already taken (a label once). */
static void
take_facts(const struct toml_value *t, struct post_meta *m)
{
	const struct toml_value *v, *it;
	struct buf b = BUF_INIT;
	size_t i, j, k, count;
	char *s;

	for (i = 0; i < ARRAY_LEN(fact_keys) && m->nfacts < FM_MAX_FACTS; i++) {
		if ((v = toml_get(t, fact_keys[i].key)) == NULL ||
		    v->type == TOML_TABLE)
			continue;
		for (j = 0; j < m->nfacts; j++)
			if (strcmp(m->facts[j].label, fact_keys[i].label) == 0)
				break;
		if (j < m->nfacts)
			continue;
		count = v->type == TOML_ARRAY ? v->n : 1;
		buf_reset(&b);
		for (k = 0; k < count; k++) {
			it = v->type == TOML_ARRAY ? v->items[k] : v;
			if ((s = scalar_text(it)) == NULL)
				continue;
			if (*s && b.len)
				buf_adds(&b, ", ");
			buf_adds(&b, s);
			free(s);
		}
		if (b.len == 0)
			continue;
		/* Most pages have none: no room kept in every post. */
		m->facts =
		    xrealloc(m->facts, (m->nfacts + 1) * sizeof(*m->facts));
		m->facts[m->nfacts].label = fact_keys[i].label;
		m->facts[m->nfacts++].value = buf_detach(&b, NULL);
	}
	buf_free(&b);
}

/* rating, featured, short_title, facts: [extra], [params], then top level. */
static void
take_extra(const struct toml_value *root, struct post_meta *m, struct diags *d)
{
	const struct toml_value *tabs[3];
	size_t i;
	int got_featured = 0;

	tabs[0] = toml_get(root, "extra");
	tabs[1] = toml_get(root, "params");
	tabs[2] = root;
	for (i = 0; i < ARRAY_LEN(tabs); i++) {
		if (tabs[i] == NULL)
			continue;
		if (tabs[i]->type != TOML_TABLE) {
			diags_add(d, DIAG_WARN, tabs[i]->line,
			    "'%s' should "
			    "be a table",
			    i == 0 ? "extra" : "params");
			continue;
		}
		if (!m->has_rating)
			take_rating(tabs[i], m, d);
		if (!got_featured)
			got_featured =
			    take_bool(tabs[i], "featured", &m->featured, d);
		take_string(tabs[i], "short_title", &m->short_title, d);
		take_facts(tabs[i], m);
	}
}

/* lang goes into a response header: a language tag, or nothing. */
static void
take_lang(const struct toml_value *root, struct post_meta *m, struct diags *d)
{
	const struct toml_value *v = toml_get(root, "lang");

	take_string(root, "lang", &m->lang, d);
	if (m->lang && !util_lang_valid(m->lang)) {
		diags_add(d, DIAG_WARN, v ? v->line : 0,
		    "'lang' is not a "
		    "language tag (like en or pt-BR); ignored");
		free(m->lang);
		m->lang = NULL;
	}
}

/* A member by key, case-insensitively (Hugo lowercases its keys). */
static const struct toml_value *
get_ci(const struct toml_value *t, const char *key, const char **name)
{
	size_t i;

	if (t == NULL || t->type != TOML_TABLE)
		return NULL;
	for (i = 0; i < t->n; i++)
		if (strcasecmp(t->keys[i], key) == 0) {
			*name = t->keys[i];
			return t->items[i];
		}
	return NULL;
}

/* The first of keys (case-insensitive) that holds a date. */
static int
take_date_any(const struct toml_value *t, const char *const *keys, int64_t *dst,
    char *ymd, struct diags *d)
{
	const char *name;

	for (; *keys != NULL; keys++)
		if (get_ci(t, *keys, &name) != NULL &&
		    take_date(t, name, dst, ymd, d))
			return 1;
	return 0;
}

/* "never", "link" or false: Hugo's build options (render, list). */
static int
build_off(const struct toml_value *b, const char *key, struct diags *d)
{
	const struct toml_value *v;
	const char *name;
	int on;

	if ((v = get_ci(b, key, &name)) == NULL)
		return 0;
	if (v->type == TOML_STRING)
		return strcasecmp(v->u.s, "never") == 0 ||
		    (strcasecmp(key, "render") == 0 &&
			strcasecmp(v->u.s, "link") == 0) ||
		    strcasecmp(v->u.s, "false") == 0;
	return take_bool(b, name, &on, d) && !on;
}

/*
 * When a page is published: publishDate and expiryDate as Hugo names
 * them (also pubdate/published, unpublishdate), a missing date taken
 * from them as Hugo does, and whether it is rendered or listed at all:
 * Hugo build/_build {render, list}, headless; Zola render = false.
 */
static void
take_publishing(const struct toml_value *root, struct post_meta *m,
    struct diags *d)
{
	static const char *const publish[] = { "publishDate", "pubdate",
		"published", NULL };
	static const char *const expiry[] = { "expiryDate", "unpublishdate",
		NULL };
	static const char *const modified[] = { "lastmod", "modified", NULL };
	const struct toml_value *b;
	const char *name;
	struct diags quiet = { 0 }; /* lastmod was reported already */
	char ymd[11];
	int flag;

	m->has_publish = take_date_any(root, publish, &m->publish, ymd, d);
	m->has_expiry = take_date_any(root, expiry, &m->expiry, NULL, d);
	if (!m->has_date && get_ci(root, "date", &name) == NULL) {
		if (m->has_publish) {
			m->has_date = 1;
			m->date = m->publish;
			memcpy(m->date_ymd, ymd, sizeof(ymd));
		} else
			m->has_date = take_date_any(root, modified, &m->date,
			    m->date_ymd, &quiet);
		diags_free(&quiet);
	}
	if ((b = get_ci(root, "build", &name)) == NULL)
		b = get_ci(root, "_build", &name);
	if (b != NULL && b->type == TOML_TABLE) {
		const struct toml_value *l = get_ci(b, "list", &name);

		m->no_render = build_off(b, "render", d);
		m->no_list = build_off(b, "list", d);
		m->list_local = l && l->type == TOML_STRING &&
		    strcasecmp(l->u.s, "local") == 0;
	} else if (b != NULL)
		diags_add(d, DIAG_WARN, b->line, "'%s' should be a table",
		    name);
	if (get_ci(root, "headless", &name) &&
	    take_bool(root, name, &flag, d) && flag)
		m->headless = 1;
	if (get_ci(root, "in_search_index", &name) &&
	    take_bool(root, name, &flag, d) && !flag)
		m->no_search = 1;
	if (get_ci(root, "render", &name) && take_bool(root, name, &flag, d) &&
	    !flag)
		m->no_render = 1;
}

/* weight (an integer) and Zola's sort_by. */
static void
take_order(const struct toml_value *root, struct post_meta *m, struct diags *d)
{
	static const struct {
		const char *name;
		enum fm_sort sort;
	} sorts[] = {
		{ "none", FM_SORT_NONE },
		{ "date", FM_SORT_DATE },
		{ "update_date", FM_SORT_UPDATE },
		{ "title", FM_SORT_TITLE },
		{ "title_bytes", FM_SORT_TITLE_BYTES },
		{ "weight", FM_SORT_WEIGHT },
		{ "slug", FM_SORT_SLUG },
	};
	const struct toml_value *v;
	const char *name;
	size_t i;

	if ((v = get_ci(root, "weight", &name)) != NULL) {
		char *end;

		if (v->type == TOML_INT) {
			m->weight = v->u.i;
			m->has_weight = 1;
		} else if (v->type == TOML_STRING &&
		    (m->weight = strtoll(v->u.s, &end, 10),
			end != v->u.s && *end == '\0'))
			m->has_weight = 1;
		else
			diags_add(d, DIAG_WARN, v->line,
			    "'%s' should be an "
			    "integer",
			    name);
	}
	if ((v = toml_get(root, "sort_by")) == NULL)
		return;
	for (i = 0; i < ARRAY_LEN(sorts); i++)
		if (v->type == TOML_STRING &&
		    strcmp(v->u.s, sorts[i].name) == 0)
			m->sort_by = sorts[i].sort;
	if (m->sort_by == FM_SORT_UNSET)
		diags_add(d, DIAG_WARN, v->line,
		    "'sort_by' should be one of "
		    "date, update_date, title, title_bytes, weight, slug, none");
}

/* The term list of one taxonomy key, kept when it is a list of strings. */
static void
take_terms(const struct toml_value *t, const char *key, struct post_meta *m,
    struct diags *d)
{
	struct meta_terms *mt;
	size_t i;

	for (i = 0; i < m->nterms; i++)
		if (strcasecmp(m->terms[i].taxonomy, key) == 0)
			break;
	if (i == m->nterms) {
		if (m->nterms == FM_MAX_TAXONOMIES)
			return;
		m->terms =
		    xrealloc(m->terms, (m->nterms + 1) * sizeof(*m->terms));
		mt = &m->terms[m->nterms++];
		memset(mt, 0, sizeof(*mt));
		mt->taxonomy = xstrdup(key);
	}
	mt = &m->terms[i];
	take_list(t, key, &mt->terms, &mt->n, d);
}

/*
 * Every list a taxonomy may name: Zola's [taxonomies] table, Hugo's
 * top-level arrays of strings (which of them are taxonomies only the
 * site config says).
 */
static void
take_taxonomies(const struct toml_value *root, const struct toml_value *tax,
    struct post_meta *m, struct diags *d)
{
	size_t i, j;

	for (i = 0; tax && tax->type == TOML_TABLE && i < tax->n; i++)
		take_terms(tax, tax->keys[i], m, d);
	for (i = 0; i < root->n; i++) {
		const struct toml_value *v = root->items[i];

		if (v->type != TOML_ARRAY || v->n == 0 ||
		    strcasecmp(root->keys[i], "aliases") == 0 ||
		    strcasecmp(root->keys[i], "title") == 0 ||
		    strcasecmp(root->keys[i], "outputs") == 0)
			continue;
		for (j = 0; j < v->n && v->items[j]->type == TOML_STRING; j++)
			;
		if (j == v->n)
			take_terms(root, root->keys[i], m, d);
	}
}

static void
extract(const struct toml_value *root, struct post_meta *m, struct diags *d)
{
	const struct toml_value *tax = toml_get(root, "taxonomies");
	struct diags quiet = { 0 };

	take_string(root, "title", &m->title, d);
	take_string(root, "slug", &m->slug, d);
	take_string(root, "url", &m->url, d);
	take_string(root, "path", &m->url, d);
	take_string(root, "description", &m->description, d);
	take_string(root, "summary", &m->description, d);
	take_lang(root, m, d);
	m->has_date = take_date(root, "date", &m->date, m->date_ymd, d);
	m->has_updated = take_date(root, "updated", &m->updated, NULL, d);
	if (!m->has_updated)
		m->has_updated =
		    take_date(root, "lastmod", &m->updated, NULL, d);
	take_bool(root, "draft", &m->draft, d);
	take_publishing(root, m, d);
	take_bool(root, "transparent", &m->transparent, d);
	take_list(root, "aliases", &m->aliases, &m->naliases, d);
	take_list(root, "tags", &m->tags, &m->ntags, d);
	take_list(root, "categories", &m->categories, &m->ncategories, d);
	if (tax != NULL && tax->type == TOML_TABLE) {
		take_list(tax, "tags", &m->tags, &m->ntags, d);
		take_list(tax, "categories", &m->categories, &m->ncategories,
		    d);
	} else if (tax != NULL)
		diags_add(d, DIAG_WARN, tax->line,
		    "'taxonomies' should be "
		    "a table");
	take_taxonomies(root, tax, m, &quiet);
	diags_free(&quiet); /* tags and categories said it already */
	take_order(root, m, d);
	take_extra(root, m, d);
}

/* Block detection. */

/* Length of the line at s (without its LF) and of its terminator. */
static size_t
line_len(const char *s, size_t n, size_t *nl)
{
	const char *e = memchr(s, '\n', n);

	*nl = e != NULL ? 1 : 0;
	return e != NULL ? (size_t)(e - s) : n;
}

/* Is the line (CR and trailing blanks ignored) exactly delim? */
static int
is_delim(const char *s, size_t n, const char *delim)
{
	while (n > 0 && (s[n - 1] == '\r' || is_space(s[n - 1])))
		n--;
	return n == 3 && memcmp(s, delim, 3) == 0;
}

void
post_meta_free(struct post_meta *m)
{
	size_t i;

	if (m == NULL)
		return;
	free(m->title);
	free(m->slug);
	free(m->url);
	free(m->description);
	free(m->lang);
	free(m->short_title);
	strv_free(m->tags, m->ntags);
	strv_free(m->categories, m->ncategories);
	strv_free(m->aliases, m->naliases);
	for (i = 0; i < m->nfacts; i++)
		free(m->facts[i].value);
	free(m->facts);
	for (i = 0; i < m->nterms; i++) {
		strv_free(m->terms[i].terms, m->terms[i].n);
		free(m->terms[i].taxonomy);
	}
	free(m->terms);
	memset(m, 0, sizeof(*m));
}

/*
 * Where the front matter may open: after a UTF-8 BOM and blank lines, as
 * Hugo and Zola (^\s*\+\+\+) allow. Sets *lead to the lines skipped.
 */
static size_t
fm_start(const char *text, size_t len, int *lead)
{
	size_t off = 0, k;

	*lead = 0;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		off = 3;
	for (;;) {
		for (k = off; k < len && (is_space(text[k]) || text[k] == '\r');
		     k++)
			;
		if (k >= len || text[k] != '\n')
			return off;
		off = k + 1;
		(*lead)++;
	}
}

/*
 * Finds the block: its kind, its text [*start, *end) and the first body
 * byte and line. Returns 0, or -1 when it never closes (only the opening
 * line is eaten: *end is 0); FM_NONE when there is none.
 */
static int
fm_block(const char *text, size_t len, enum fm_kind *kind, size_t *start,
    size_t *end, size_t *body_off, int *body_line, int *lead)
{
	size_t first, nl, off, n;
	const char *delim;
	int line;

	*kind = FM_NONE;
	*start = *end = *body_off = 0;
	*body_line = 1;
	off = fm_start(text, len, lead);
	first = line_len(text + off, len - off, &nl);
	if (is_delim(text + off, first, "+++")) {
		*kind = FM_TOML;
		delim = "+++";
	} else if (is_delim(text + off, first, "---")) {
		*kind = FM_YAML;
		delim = "---";
	} else
		return 0;
	*start = off = off + first + nl;
	line = *lead + 2;
	for (;;) {
		if (off >= len) {
			/* Never closed: only the opening line is eaten. */
			*body_off = *start;
			*body_line = *lead + (nl ? 2 : 1);
			return -1;
		}
		n = line_len(text + off, len - off, &nl);
		if (is_delim(text + off, n, delim))
			break;
		off += n + nl;
		line++;
	}
	*end = off;
	*body_off = off + n + nl;
	*body_line = line + 1;
	return 0;
}

void
frontmatter_body(const char *text, size_t len, size_t *body_off, int *body_line)
{
	enum fm_kind kind;
	size_t start, end;
	int lead;

	fm_block(text, len, &kind, &start, &end, body_off, body_line, &lead);
}

int
frontmatter_parse(const char *text, size_t len, struct post_meta *meta,
    size_t *body_off, int *body_line, struct diags *d)
{
	struct toml_value *root = NULL;
	size_t start, end;
	int lead, r = 0;

	memset(meta, 0, sizeof(*meta));
	if (fm_block(text, len, &meta->kind, &start, &end, body_off, body_line,
		&lead) == -1) {
		diags_add(d, DIAG_ERROR, lead + 1,
		    "unterminated front"
		    " matter (no closing %s line)",
		    meta->kind == FM_TOML ? "+++" : "---");
		return -1;
	}
	if (meta->kind == FM_NONE)
		return 0;
	d->line_offset += lead + 1; /* block line 1 is file line lead+2 */
	if (meta->kind == FM_TOML) {
		if ((root = toml_parse(text + start, end - start, d)) == NULL)
			r = -1;
	} else if (frontmatter_yaml_tree(text + start, end - start, &root, d) ==
	    -1)
		r = -1;
	if (root != NULL && root->type == TOML_TABLE)
		extract(root, meta, d);
	else if (root != NULL)
		diags_add(d, DIAG_WARN, root->line,
		    "front matter is a %s, "
		    "not a mapping of keys to values",
		    toml_type_name(root->type));
	d->line_offset -= lead + 1;
	toml_free(root);
	return r;
}
