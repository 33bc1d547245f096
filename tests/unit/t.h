/*
 * t.h: the unit-test harness. Each test_*.c includes it, calls the
 * checks and ends main() with `return t_done();`. A failed check prints
 * `file:line: got X, want Y`. A loop over a table of cases names the
 * case with T_CASE("fmt", ...) before its checks: a failed check then
 * prints `file:line: [case] ...`; T_CASE_END() clears it after the loop.
 */
#ifndef CAPSULED_T_H
#define CAPSULED_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_pass, t_fail;
static char t_case[256];

#define T_CASE(...)  snprintf(t_case, sizeof(t_case), __VA_ARGS__)
#define T_CASE_END() (t_case[0] = '\0')

/* The head of a failure line: file:line: and the case, if any. */
#define T_WHERE() \
	fprintf(stderr, "%s:%d: %s%s%s", __FILE__, __LINE__, \
	    t_case[0] ? "[" : "", t_case, t_case[0] ? "] " : "")

#define T_OK(cond) \
	do { \
		if (cond) \
			t_pass++; \
		else { \
			t_fail++; \
			T_WHERE(); \
			fprintf(stderr, "check failed: %s\n", #cond); \
		} \
	} while (0)

#define T_INT(got, want) \
	do { \
		long long t_g = (long long)(got), t_w = (long long)(want); \
		if (t_g == t_w) \
			t_pass++; \
		else { \
			t_fail++; \
			T_WHERE(); \
			fprintf(stderr, "%s: got %lld, want %lld\n", #got, \
			    t_g, t_w); \
		} \
	} while (0)

#define T_STR_AS(expr, got, want) \
	do { \
		const char *t_g = (got), *t_w = (want); \
		if ((t_g == NULL && t_w == NULL) || \
		    (t_g != NULL && t_w != NULL && strcmp(t_g, t_w) == 0)) \
			t_pass++; \
		else { \
			t_fail++; \
			T_WHERE(); \
			fprintf(stderr, "%s: got \"%s\", want \"%s\"\n", expr, \
			    t_g ? t_g : "(null)", t_w ? t_w : "(null)"); \
		} \
	} while (0)

#define T_STR(got, want) T_STR_AS(#got, got, want)

/* T_STR_FREE(got, want): T_STR for a string the check owns: it is freed. */
#define T_STR_FREE(got, want) \
	do { \
		char *t_own = (got); \
		T_STR_AS(#got, t_own, want); \
		free(t_own); \
	} while (0)

static inline int
t_done(void)
{
	printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
