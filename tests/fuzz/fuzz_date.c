/*
 * fuzz_date: date_parse, date_name_prefix and date_from_path on
 * arbitrary bytes. A parsed date has a well-formed YYYY-MM-DD in years
 * 1970..9999 and a time within a day and a half of that calendar date
 * (offsets are below 24 h); a name prefix never runs past the name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const char ymd[11], int64_t t)
{
	char again[11];
	int64_t day;
	size_t i;

	for (i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? ymd[i] != '-' :
					 (ymd[i] < '0' || ymd[i] > '9'))
			abort();
	if (ymd[10] != '\0' || memcmp(ymd, "1970", 4) < 0)
		abort();
	if (date_parse(ymd, &day, again) != 0 || strcmp(again, ymd) != 0)
		abort();
	if (t < day - 86400 || t > day + 2 * 86400)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char ymd[11], *s = xstrndup((const char *)data, size);
	int64_t t;
	size_t k;

	if (date_parse(s, &t, ymd) == 0)
		check(ymd, t);
	if ((k = date_name_prefix((const char *)data, size, &t, ymd)) != 0) {
		if (k > size)
			abort();
		check(ymd, t);
	}
	if (date_from_path((const char *)data, size, &t, ymd) == 0)
		check(ymd, t);
	free(s);
	return 0;
}
