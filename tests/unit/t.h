/*
 * t.h: the unit-test harness. Each test_*.c includes it, calls the
 * checks and ends main() with `return t_done();`. A failed check prints
 * `file:line: got X, want Y`.
 */
#ifndef CAPSULED_T_H
#define CAPSULED_T_H

#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;

#define T_OK(cond) do {							\
	if (cond) t_pass++;						\
	else { t_fail++;						\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #cond); }			\
} while (0)

#define T_INT(got, want) do {						\
	long long t_g = (long long)(got), t_w = (long long)(want);	\
	if (t_g == t_w) t_pass++;					\
	else { t_fail++;						\
		fprintf(stderr, "%s:%d: %s: got %lld, want %lld\n",	\
		    __FILE__, __LINE__, #got, t_g, t_w); }		\
} while (0)

#define T_STR(got, want) do {						\
	const char *t_g = (got), *t_w = (want);				\
	if ((t_g == NULL && t_w == NULL) ||				\
	    (t_g != NULL && t_w != NULL && strcmp(t_g, t_w) == 0))	\
		t_pass++;						\
	else { t_fail++;						\
		fprintf(stderr, "%s:%d: %s: got \"%s\", want \"%s\"\n",	\
		    __FILE__, __LINE__, #got, t_g ? t_g : "(null)",	\
		    t_w ? t_w : "(null)"); }				\
} while (0)

static inline int
t_done(void)
{
	printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
