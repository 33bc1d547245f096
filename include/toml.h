/*
 * toml: the subset of TOML that front matter and capsuled.toml use:
 * key/value pairs, dotted and quoted keys, [tables], [[arrays of tables]],
 * basic and literal strings (single and multi-line), integers, floats,
 * booleans, offset/local date-times, dates and times, arrays and inline
 * tables. Pure: no I/O.
 */
#ifndef CAPSULED_TOML_H
#define CAPSULED_TOML_H

#include <stddef.h>

#include "util.h"

enum toml_type {
	TOML_STRING,
	TOML_INT,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME, /* u.s holds the text as written, e.g. 2025-01-19 */
	TOML_ARRAY,
	TOML_TABLE,
};

struct toml_value {
	enum toml_type type;
	int line; /* 1-based source line where the value starts */
	union {
		char *s; /* TOML_STRING, TOML_DATETIME (NUL-terminated) */
		long long i;
		double f;
		int b;
	} u;
	/* TOML_ARRAY: items[0..n); TOML_TABLE: keys[i] names items[i]. */
	struct toml_value **items;
	char **keys;
	size_t n, cap;
};

/*
 * Parses text (need not be NUL-terminated). Returns the root table, or
 * NULL after adding at least one DIAG_ERROR with its line to d.
 * Caller frees with toml_free.
 */
struct toml_value *toml_parse(const char *text, size_t len, struct diags *d);
void toml_free(struct toml_value *v);

/* Member of a table by key, or NULL (also when t is NULL or no table). */
const struct toml_value *toml_get(const struct toml_value *t, const char *key);
/* Convenience: the string of a TOML_STRING member, or NULL. */
const char *toml_get_string(const struct toml_value *t, const char *key);
const char *toml_type_name(enum toml_type type);

/*
 * Builders, for front ends that produce the same tree from another
 * syntax (YAML front matter). toml_new returns an empty value of the
 * type; for TOML_STRING and TOML_DATETIME the caller sets u.s to a
 * malloc'd string. toml_append adds v to array a. toml_set adds key to
 * table t and returns 0, or -1 (v not taken, caller still owns it) when
 * t already has key. Both take ownership of v on success.
 */
struct toml_value *toml_new(enum toml_type type, int line);
void toml_append(struct toml_value *a, struct toml_value *v);
int toml_set(struct toml_value *t, const char *key, struct toml_value *v);

/*
 * The tree written as JSON or as YAML (block style, strings double
 * quoted, keys plain when they can be), appended to out with a final
 * newline. Date-times become strings. For showing a snippet in every
 * format, as Hugo's code-toggle does.
 */
/* 1 when a and b are the same tree: types, values, keys, order, lines. */
int toml_same(const struct toml_value *a, const struct toml_value *b);

struct buf;
void toml_write_json(const struct toml_value *v, struct buf *out);
void toml_write_yaml(const struct toml_value *v, struct buf *out);

#endif
