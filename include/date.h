/*
 * date: dates as Hugo and Zola read them, from front matter, from a file
 * or bundle name and from a page's path. The one home of date parsing.
 * Pure: no I/O, no TZ or locale of the process involved.
 */
#ifndef CAPSULED_DATE_H
#define CAPSULED_DATE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses a date in any layout Hugo or Zola accept in front matter:
 * RFC 3339 with or without offset and fractions (2019-04-09T08:09:26Z,
 * lower-case t, a space for the T, a one-digit hour as Go reads it,
 * +07:00, +0700, +07, YAML's -5, Z, UTC or a zone name), 2019-04-09
 * 08:09, 2019-04-09, 2019/07/21, 2019.07.21, 21 July 2019, 21 Jul 2019,
 * July 21, 2019, Jul 21 2019, RFC 1123/822/850, ANSIC, Unix and Ruby
 * layouts (weekday optional), TOML date-times and YAML timestamps. No
 * offset means UTC; a zone name counts as UTC, as Hugo reads it.
 * Returns 0 and fills *t (UTC seconds) and ymd (the calendar date as
 * written, "YYYY-MM-DD"), or -1 (years 1970..9999 only).
 */
int date_parse(const char *s, int64_t *t, char ymd[11]);

/*
 * A date at the start of a file or bundle name (give it without its
 * extension), as Hugo's :filename and Zola read it: YYYY-MM-DD, for Zola
 * optionally with an RFC 3339 time, then `-` or `_` (a space before it
 * allowed), then the slug: 2024-11-02-slug, 2024-11-02_slug. A name that
 * is only a date also counts. Returns the offset where the slug starts
 * (len when it is empty) and fills *t and ymd; 0 when there is no date.
 */
size_t date_name_prefix(const char *name, size_t len, int64_t *t, char ymd[11]);

/*
 * A date written as path segments YYYY/MM/DD (Zola `path =
 * "2025/06/26/Rust-1.88.0"`, /cn/2018/04/21/x/): the first such run of
 * whole segments. Returns 0 and fills *t and ymd, or -1.
 */
int date_from_path(const char *path, size_t len, int64_t *t, char ymd[11]);

#endif
