/*
 * date: one parser for every date layout Hugo (Go's time layouts through
 * cast) and Zola (RFC 3339, TOML) accept, plus the two places a site
 * keeps a date outside front matter: a name prefix and path segments.
 * Days are counted with Howard Hinnant's days_from_civil, so neither
 * timegm nor the process's TZ or locale is involved. Pure.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "util.h"

#define DATE_MIN_YEAR 1970
#define DATE_MAX_YEAR 9999

struct when {
	int y, mo, d, hh, mi, ss, off; /* off: seconds east of UTC */
};

static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void
skip_blanks(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

/* min..max digits at *p (no more may follow); their value, or -1. */
static int
num(const char **p, int min, int max)
{
	const char *s = *p;
	int v = 0, n = 0;

	while (n < max && is_digit(*s)) {
		v = v * 10 + (*s++ - '0');
		n++;
	}
	if (n < min || is_digit(*s))
		return -1;
	*p = s;
	return v;
}

/* The run of letters at *p, advancing past it; its length. */
static size_t
word(const char **p, const char **w)
{
	*w = *p;
	while (is_alpha(**p))
		(*p)++;
	return (size_t)(*p - *w);
}

/* A month name, whole or its first three letters (also "Sept"): 1..12. */
static int
month_name(const char **p)
{
	static const char *const names[12] = {
		"january",
		"february",
		"march",
		"april",
		"may",
		"june",
		"july",
		"august",
		"september",
		"october",
		"november",
		"december",
	};
	const char *w, *s = *p;
	size_t n = word(&s, &w), i;

	for (i = 0; i < 12; i++)
		if ((n == 3 || n == strlen(names[i]) || (i == 8 && n == 4)) &&
		    strncasecmp(w, names[i], n) == 0) {
			*p = s;
			return (int)i + 1;
		}
	return -1;
}

/* An optional weekday ("Mon", "Monday"), with a comma and blanks after. */
static void
skip_weekday(const char **p)
{
	static const char *const names[7] = {
		"monday",
		"tuesday",
		"wednesday",
		"thursday",
		"friday",
		"saturday",
		"sunday",
	};
	const char *w, *s = *p;
	size_t n = word(&s, &w), i;

	for (i = 0; i < 7; i++)
		if ((n == 3 || n == strlen(names[i])) &&
		    strncasecmp(w, names[i], n) == 0) {
			if (*s == ',')
				s++;
			skip_blanks(&s);
			*p = s;
			return;
		}
}

/* A four-digit year, or two digits as Go reads them (69..99: 19xx). */
static int
year(const char **p)
{
	const char *s = *p;
	int y = num(&s, 4, 4);

	if (y == -1 && (y = num(&s, 2, 2)) != -1)
		y += y >= 69 ? 1900 : 2000;
	if (y != -1)
		*p = s;
	return y;
}

/* "st", "nd", "rd" or "th" after a day number. */
static void
skip_ordinal(const char **p)
{
	static const char *const sfx[] = { "st", "nd", "rd", "th" };
	size_t i;

	for (i = 0; i < ARRAY_LEN(sfx); i++)
		if (strncasecmp(*p, sfx[i], 2) == 0 && !is_alpha((*p)[2])) {
			*p += 2;
			return;
		}
}

/* H:MM, H:MM:SS, fractions; Go's "15" takes one or two digits. */
static int
clock(const char **p, struct when *w)
{
	const char *s = *p;

	if ((w->hh = num(&s, 1, 2)) == -1 || *s++ != ':' ||
	    (w->mi = num(&s, 2, 2)) == -1)
		return -1;
	if (*s == ':') {
		s++;
		if ((w->ss = num(&s, 2, 2)) == -1)
			return -1;
		if (*s == '.' || *s == ',') {
			if (!is_digit(s[1]))
				return -1;
			for (s++; is_digit(*s); s++)
				;
		}
	}
	if (w->hh > 23 || w->mi > 59 || w->ss > 60)
		return -1;
	*p = s;
	return 0;
}

/*
 * An optional zone: Z, +09:00, +0900, +09, +9 (YAML), a name (UTC, MST:
 * offset 0, as Go reads an abbreviation it has no table for), or a
 * number then a name (Go's Time.String()). Blanks may come before it.
 */
static int
zone(const char **p, struct when *w)
{
	const char *s = *p, *n;
	int sign, hh, mm = 0;

	skip_blanks(&s);
	w->off = 0;
	if ((*s == 'Z' || *s == 'z') && !is_alpha(s[1])) {
		*p = s + 1;
		return 0;
	}
	if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (is_digit(s[0]) && !is_digit(s[1]))
			hh = *s++ - '0';
		else if ((hh = num(&s, 2, 4)) == -1)
			return -1;
		else if (hh > 99) { /* +0900 */
			mm = hh % 100;
			hh /= 100;
		} else if (*s == ':') {
			s++;
			if ((mm = num(&s, 2, 2)) == -1)
				return -1;
		}
		if (hh > 23 || mm > 59)
			return -1;
		w->off = sign * (hh * 3600 + mm * 60);
		*p = s;
		n = s;
		skip_blanks(&n);
		if (!is_alpha(*n))
			return 0;
		s = n; /* "-0700 MST": the number wins */
	}
	if (!is_alpha(*s))
		return 0;
	n = s;
	while (*s >= 'A' && *s <= 'Z')
		s++;
	if (s - n < 1 || s - n > 5 || is_alpha(*s))
		return 0; /* not a zone: the caller's problem */
	*p = s;
	return 0;
}

/* A date first: 2019-04-09, 2019/07/21, 21 July 2019, 02-Jan-06. */
static int
numeric_first(const char **p, struct when *w)
{
	const char *s = *p;
	char sep;

	if (is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) &&
	    is_digit(s[3])) {
		w->y = num(&s, 4, 4);
		if (w->y == -1 || (*s != '-' && *s != '/' && *s != '.'))
			return -1;
		sep = *s++;
		if ((w->mo = num(&s, sep == '-' ? 2 : 1, 2)) == -1 ||
		    *s++ != sep ||
		    (w->d = num(&s, sep == '-' ? 2 : 1, 2)) == -1)
			return -1;
		*p = s;
		return 0;
	}
	if ((w->d = num(&s, 1, 2)) == -1)
		return -1;
	skip_ordinal(&s);
	if (*s == '-')
		s++;
	else
		skip_blanks(&s);
	if ((w->mo = month_name(&s)) == -1)
		return -1;
	if (*s == '.')
		s++;
	if (*s == ',')
		s++;
	if (*s == '-')
		s++;
	else
		skip_blanks(&s);
	if ((w->y = year(&s)) == -1)
		return -1;
	*p = s;
	return 0;
}

/*
 * A month name first: July 21, 2019; Jul 21 2019; or Go's ANSIC, Unix
 * and Ruby layouts with the time (and zone) before the year.
 */
static int
month_first(const char **p, struct when *w, int *timed)
{
	const char *s = *p;

	if ((w->mo = month_name(&s)) == -1)
		return -1;
	if (*s == '.')
		s++;
	skip_blanks(&s);
	if ((w->d = num(&s, 1, 2)) == -1)
		return -1;
	skip_ordinal(&s);
	if (*s == ',')
		s++;
	if (*s != ' ' && *s != '\t')
		return -1;
	skip_blanks(&s);
	if (is_digit(s[0]) &&
	    (s[1] == ':' || (is_digit(s[1]) && s[2] == ':'))) {
		if (clock(&s, w) == -1 || zone(&s, w) == -1)
			return -1;
		skip_blanks(&s);
		*timed = 1;
	}
	if ((w->y = num(&s, 4, 4)) == -1)
		return -1;
	*p = s;
	return 0;
}

int
date_parse(const char *str, int64_t *t, char ymd[11])
{
	const char *s = str, *b;
	struct when w;
	int timed = 0;

	memset(&w, 0, sizeof(w));
	skip_blanks(&s);
	skip_weekday(&s);
	if (is_digit(*s)) {
		if (numeric_first(&s, &w) == -1)
			return -1;
	} else if (month_first(&s, &w, &timed) == -1)
		return -1;
	if (!timed) {
		b = s;
		if (*s == 'T' || *s == 't')
			s++;
		else {
			if (*s == ',')
				s++;
			skip_blanks(&s);
		}
		if (s > b && is_digit(*s)) {
			if (clock(&s, &w) == -1 || zone(&s, &w) == -1)
				return -1;
		} else if (*b == 'T' || *b == 't')
			return -1;
	}
	skip_blanks(&s);
	if (*s != '\0')
		return -1;
	if (w.y < DATE_MIN_YEAR || w.y > DATE_MAX_YEAR || w.mo < 1 ||
	    w.mo > 12 || w.d < 1 || w.d > util_days_in_month(w.y, w.mo))
		return -1;
	*t = days_from_civil(w.y, w.mo, w.d) * 86400 + w.hh * 3600 + w.mi * 60 +
	    w.ss - w.off;
	snprintf(ymd, 11, "%04u-%02u-%02u", (unsigned)w.y % 10000u,
	    (unsigned)w.mo % 100u, (unsigned)w.d % 100u); /* 10 bytes */
	return 0;
}

static int
digits_at(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

size_t
date_name_prefix(const char *name, size_t len, int64_t *t, char ymd[11])
{
	char tmp[40];
	size_t k = 10, e;

	if (len < 10 || !digits_at(name, 4) || name[4] != '-' ||
	    !digits_at(name + 5, 2) || name[7] != '-' ||
	    !digits_at(name + 8, 2))
		return 0;
	/* Zola: an RFC 3339 time may follow the date */
	if (len > 11 && (name[10] == 'T' || name[10] == 't') &&
	    is_digit(name[11])) {
		for (e = 11; e < len && e < sizeof(tmp) - 1 &&
		     (is_digit(name[e]) || strchr(":.Zz+", name[e]) ||
			 (name[e] == '-' && e + 2 < len &&
			     is_digit(name[e + 1]) && is_digit(name[e + 2]) &&
			     e + 3 < len && name[e + 3] == ':'));
		     e++)
			;
		memcpy(tmp, name, e);
		tmp[e] = '\0';
		if (date_parse(tmp, t, ymd) == 0)
			k = e;
	}
	if (k == 10) {
		memcpy(tmp, name, 10);
		tmp[10] = '\0';
		if (date_parse(tmp, t, ymd) == -1)
			return 0;
	}
	if (k == len)
		return len;
	if (name[k] == ' ')
		k++;
	if (k >= len || (name[k] != '-' && name[k] != '_'))
		return 0;
	/* Hugo trims " -_" off the rest */
	while (k < len && (name[k] == '-' || name[k] == '_' || name[k] == ' '))
		k++;
	return k;
}

int
date_from_path(const char *path, size_t len, int64_t *t, char ymd[11])
{
	char tmp[11];
	size_t i;

	for (i = 0; i + 10 <= len; i++) {
		if (i > 0 && path[i - 1] != '/')
			continue;
		if (!digits_at(path + i, 4) || path[i + 4] != '/' ||
		    !digits_at(path + i + 5, 2) || path[i + 7] != '/' ||
		    !digits_at(path + i + 8, 2) ||
		    (i + 10 < len && path[i + 10] != '/'))
			continue;
		snprintf(tmp, sizeof(tmp), "%.4s-%.2s-%.2s", path + i,
		    path + i + 5, path + i + 8);
		if (date_parse(tmp, t, ymd) == 0)
			return 0;
	}
	return -1;
}
