/*
 * test_date: every date layout Hugo and Zola accept, one row each, then
 * date prefixes of file and bundle names and dates in paths.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "t.h"
#include "util.h"

#define T190409 1554768000LL /* 2019-04-09T00:00:00Z */
#define T190721 1563667200LL /* 2019-07-21 */
#define T060102 1136160000LL /* 2006-01-02 */
#define T250119 1737244800LL /* 2025-01-19 */

struct date_case {
	const char *in;
	int rc;
	int64_t t;
	const char *ymd;
};

static const struct date_case date_cases[] = {
	/* RFC 3339 and TOML date-times */
	{ "2025-01-19", 0, T250119, "2025-01-19" },
	{ "2025-09-07", 0, 1757203200, "2025-09-07" },
	{ "  2025-09-07  ", 0, 1757203200, "2025-09-07" },
	{ "2025-01-19T10:00:00+09:00", 0, 1737248400, "2025-01-19" },
	{ "2025-01-19T10:00:00Z", 0, 1737280800, "2025-01-19" },
	{ "2025-01-19t10:00:00z", 0, 1737280800, "2025-01-19" },
	{ "2025-01-19T10:00:00", 0, 1737280800, "2025-01-19" },
	{ "2025-01-19 10:00", 0, 1737280800, "2025-01-19" },
	{ "2025-01-19T10:00", 0, 1737280800, "2025-01-19" },
	{ "2025-01-19T10:00:00.123456Z", 0, 1737280800, "2025-01-19" },
	{ "2025-01-19T10:00:00.5+09:00", 0, 1737248400, "2025-01-19" },
	{ "2025-01-19T10:00:00-05:00", 0, 1737298800, "2025-01-19" },
	{ "2019-04-09T08:09:26-07:00", 0, 1554822566, "2019-04-09" },
	/* Go's "15" reads a one-digit hour; Hugo accepts it */
	{ "2019-04-09T8:09:26-07:00", 0, 1554822566, "2019-04-09" },
	{ "2019-04-09 08:09", 0, T190409 + 8 * 3600 + 9 * 60, "2019-04-09" },
	{ "2019-04-09 8:09", 0, T190409 + 8 * 3600 + 9 * 60, "2019-04-09" },
	/* the calendar date is the written one, before offset conversion */
	{ "2025-01-19T02:00:00+09:00", 0, T250119 - 7 * 3600, "2025-01-19" },
	{ "2024-02-29T12:30:45-05:30", 0, 1709229645, "2024-02-29" },
	{ "2024-12-31T23:59:60Z", 0, 1735689600, "2024-12-31" },
	/* Go layouts without the colon or the T, and Time.String() */
	{ "2006-01-02T15:04:05-0700", 0, 1136239445, "2006-01-02" },
	{ "2006-01-02 15:04:05Z", 0, 1136214245, "2006-01-02" },
	{ "2006-01-02 15:04:05 -07:00", 0, 1136239445, "2006-01-02" },
	{ "2006-01-02 15:04:05 -0700", 0, 1136239445, "2006-01-02" },
	{ "2006-01-02 15:04:05.999999999 -0700 MST", 0, 1136239445,
	    "2006-01-02" },
	{ "2006-01-02 15:04:05", 0, 1136214245, "2006-01-02" },
	/* YAML timestamps */
	{ "2001-12-14t21:59:43.10-05:00", 0, 1008385183, "2001-12-14" },
	{ "2001-12-14 21:59:43.10 -5", 0, 1008385183, "2001-12-14" },
	{ "2001-12-15 2:59:43.10", 0, 1008385183, "2001-12-15" },
	{ "2025-01-19 10:00:00 +0900", 0, 1737248400, "2025-01-19" },
	{ "2025-01-19 10:00:00+09", 0, 1737248400, "2025-01-19" },
	{ "2025-01-19 10:00:00 UTC", 0, 1737280800, "2025-01-19" },
	/* a zone name Go has no table for reads as UTC */
	{ "2025-01-19T10:00:00 PST", 0, 1737280800, "2025-01-19" },
	/* other spellings blogs use */
	{ "2019/07/21", 0, T190721, "2019-07-21" },
	{ "2019/7/21", 0, T190721, "2019-07-21" },
	{ "2019.07.21", 0, T190721, "2019-07-21" },
	{ "21 July 2019", 0, T190721, "2019-07-21" },
	{ "21 Jul 2019", 0, T190721, "2019-07-21" },
	{ "21st July, 2019", 0, T190721, "2019-07-21" },
	{ "July 21, 2019", 0, T190721, "2019-07-21" },
	{ "july 21 2019", 0, T190721, "2019-07-21" },
	{ "Jul 21 2019", 0, T190721, "2019-07-21" },
	{ "Jul. 21, 2019", 0, T190721, "2019-07-21" },
	{ "Sept 1, 2019", 0, 1567296000, "2019-09-01" },
	{ "Sunday, July 21, 2019", 0, T190721, "2019-07-21" },
	{ "July 21, 2019 10:30", 0, T190721 + 37800, "2019-07-21" },
	/* RFC 1123, 822, 850, ANSIC, Unix, Ruby */
	{ "Mon, 02 Jan 2006 15:04:05 MST", 0, 1136214245, "2006-01-02" },
	{ "Mon, 02 Jan 2006 15:04:05 -0700", 0, 1136239445, "2006-01-02" },
	{ "02 Jan 06 15:04 MST", 0, 1136214240, "2006-01-02" },
	{ "02 Jan 06 15:04 -0700", 0, 1136239440, "2006-01-02" },
	{ "Monday, 02-Jan-06 15:04:05 MST", 0, 1136214245, "2006-01-02" },
	{ "Mon Jan  2 15:04:05 2006", 0, 1136214245, "2006-01-02" },
	{ "Mon Jan  2 15:04:05 MST 2006", 0, 1136214245, "2006-01-02" },
	{ "Mon Jan 02 15:04:05 -0700 2006", 0, 1136239445, "2006-01-02" },
	{ "02 Jan 2006", 0, T060102, "2006-01-02" },
	/* limits */
	{ "2000-03-01", 0, 951868800, "2000-03-01" },
	{ "2000-02-29", 0, 951782400, "2000-02-29" },
	{ "1970-01-01", 0, 0, "1970-01-01" },
	{ "9999-12-31T23:59:59Z", 0, 253402300799LL, "9999-12-31" },
	{ "2025-13-45", -1, 0, NULL },
	{ "2025-02-30", -1, 0, NULL },
	{ "2023-02-29", -1, 0, NULL },
	{ "1900-02-29", -1, 0, NULL },
	{ "2025-00-10", -1, 0, NULL },
	{ "2025-01-00", -1, 0, NULL },
	{ "2025-04-31", -1, 0, NULL },
	{ "1969-12-31", -1, 0, NULL },
	{ "0001-01-01", -1, 0, NULL },
	{ "10000-01-01", -1, 0, NULL },
	{ "2025-1-19", -1, 0, NULL },
	{ "2025/01-19", -1, 0, NULL },
	{ "32 July 2019", -1, 0, NULL },
	{ "21 Juli 2019", -1, 0, NULL },
	{ "21 July", -1, 0, NULL },
	{ "July 2019", -1, 0, NULL },
	{ "Monday", -1, 0, NULL },
	{ "", -1, 0, NULL },
	{ "garbage", -1, 0, NULL },
	{ "2025-01-19x", -1, 0, NULL },
	{ "2025-01-19T", -1, 0, NULL },
	{ "2025-01-19T24:00:00", -1, 0, NULL },
	{ "2025-01-19T10:60:00", -1, 0, NULL },
	{ "2025-01-19T10:00:61", -1, 0, NULL },
	{ "2025-01-19T100:00:00", -1, 0, NULL },
	{ "2025-01-19T10:0:00", -1, 0, NULL },
	{ "2025-01-19T10:00:00.", -1, 0, NULL },
	{ "2025-01-19T10:00:00+25:00", -1, 0, NULL },
	{ "2025-01-19T10:00:00+09:60", -1, 0, NULL },
	{ "2025-01-19T10:00:00Zjunk", -1, 0, NULL },
	{ "2025-01-19T10:00:00 pst", -1, 0, NULL },
	{ "10:00:00", -1, 0, NULL },
};

static void
test_parse(void)
{
	char ymd[11];
	int64_t t;
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_LEN(date_cases); i++) {
		t = -12345;
		strcpy(ymd, "untouched");
		rc = date_parse(date_cases[i].in, &t, ymd);
		if (rc != date_cases[i].rc ||
		    (rc == 0 &&
			(t != date_cases[i].t ||
			    strcmp(ymd, date_cases[i].ymd))))
			fprintf(stderr, "date case %zu: \"%s\"\n", i,
			    date_cases[i].in);
		T_INT(rc, date_cases[i].rc);
		if (rc == 0 && date_cases[i].rc == 0) {
			T_INT(t, date_cases[i].t);
			T_STR(ymd, date_cases[i].ymd);
		}
	}
}

struct name_case {
	const char *in;
	const char *slug; /* NULL: no date prefix */
	const char *ymd;
};

static const struct name_case name_cases[] = {
	{ "2024-11-02-slug", "slug", "2024-11-02" },
	{ "2024-11-02_slug", "slug", "2024-11-02" },
	{ "2024-11-02 - slug", "slug", "2024-11-02" },
	{ "2024-11-02--", "", "2024-11-02" },
	{ "2024-11-02 _slug", "slug", "2024-11-02" },
	{ "2024-11-02-2nd-try", "2nd-try", "2024-11-02" },
	{ "2024-11-02", "", "2024-11-02" },
	{ "2018-10-10T12:00:00Z-hello", "hello", "2018-10-10" },
	{ "2018-10-10T12:00:00+02:00_hello", "hello", "2018-10-10" },
	{ "2018-10-10T12:00:00-02:00-hello", "hello", "2018-10-10" },
	{ "2024-11-02slug", NULL, NULL },
	{ "2024-13-02-slug", NULL, NULL },
	{ "2024-1-02-slug", NULL, NULL },
	{ "slug-2024-11-02", NULL, NULL },
	{ "2024", NULL, NULL },
	{ "", NULL, NULL },
};

static void
test_names(void)
{
	char ymd[11];
	int64_t t;
	size_t i, k, n;

	for (i = 0; i < ARRAY_LEN(name_cases); i++) {
		strcpy(ymd, "untouched");
		n = strlen(name_cases[i].in);
		k = date_name_prefix(name_cases[i].in, n, &t, ymd);
		if ((k == 0) != (name_cases[i].slug == NULL))
			fprintf(stderr, "name case %zu: \"%s\"\n", i,
			    name_cases[i].in);
		if (name_cases[i].slug == NULL) {
			T_INT(k, 0);
			continue;
		}
		T_OK(k > 0 && k <= n);
		T_STR(name_cases[i].in + k, name_cases[i].slug);
		T_STR(ymd, name_cases[i].ymd);
	}
	/* not NUL-terminated: only len bytes are read */
	T_INT(date_name_prefix("2024-11-02-slugXXXX", 15, &t, ymd), 11);
	T_INT(t, 1730505600);
}

struct path_case {
	const char *in;
	const char *ymd; /* NULL: no date */
};

static const struct path_case path_cases[] = {
	{ "2025/06/26/Rust-1.88.0", "2025-06-26" },
	{ "/2025/06/26/Rust-1.88.0/", "2025-06-26" },
	{ "/cn/2018/04/21/alcohol/", "2018-04-21" },
	{ "blog/2018/04/21", "2018-04-21" },
	{ "/2018/04/alcohol/", NULL },
	{ "/x2018/04/21/y", NULL },
	{ "/2018/04/211/y", NULL },
	{ "/2018/13/21/y", NULL },
	{ "/9999/99/99/2020/02/29/leap", "2020-02-29" },
	{ "", NULL },
};

static void
test_paths(void)
{
	char ymd[11];
	int64_t t;
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_LEN(path_cases); i++) {
		strcpy(ymd, "untouched");
		rc = date_from_path(path_cases[i].in, strlen(path_cases[i].in),
		    &t, ymd);
		T_INT(rc, path_cases[i].ymd ? 0 : -1);
		if (rc == 0 && path_cases[i].ymd)
			T_STR(ymd, path_cases[i].ymd);
	}
	T_INT(date_from_path("/2025/06/26/x", 13, &t, ymd), 0);
	T_INT(t, 1750896000);
	/* the length bounds the read */
	T_INT(date_from_path("/2025/06/26/x", 9, &t, ymd), -1);
}

int
main(void)
{
	test_parse();
	test_names();
	test_paths();
	return t_done();
}
