/*
 * test_strmap: the one string-keyed hash map (util.c), which gemtext's
 * link index, mime's extension table, toml's table index and site's maps
 * share: keys by length (not NUL), the first value kept, growth.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "t.h"
#include "util.h"

int
main(void)
{
	static char keys[5000][16];
	struct strmap m = { 0 };
	size_t i, n = sizeof(keys) / sizeof(keys[0]);
	int ok = 1;

	T_OK(strmap_get(&m, "x", 1) == NULL); /* empty */
	T_INT(strmap_put(&m, "alpha", 5, "A"), 1);
	T_INT(strmap_put(&m, "alpha", 5, "B"), 0); /* the first wins */
	T_STR(strmap_get(&m, "alpha", 5), "A");
	T_OK(strmap_get(&m, "alph", 4) == NULL);     /* length counts */
	T_OK(strmap_get(&m, "alphabet", 5) != NULL); /* a prefix slice */
	T_INT(strmap_put(&m, "", 0, "empty"), 1);    /* the empty key */
	T_STR(strmap_get(&m, "", 0), "empty");
	for (i = 0; i < n; i++) {
		snprintf(keys[i], sizeof(keys[i]), "key-%zu", i);
		ok &= strmap_put(&m, keys[i], strlen(keys[i]),
			  (void *)(uintptr_t)(i + 1)) == 1;
	}
	T_OK(ok);
	T_INT(m.n, n + 2);
	for (i = 0; i < n; i++)
		ok &= (uintptr_t)strmap_get(&m, keys[i], strlen(keys[i])) ==
		    i + 1;
	T_OK(ok);
	T_STR(strmap_get(&m, "alpha", 5), "A");
	T_OK(strmap_get(&m, "key-5000", 8) == NULL);
	/* Deleting every third key leaves the others findable. */
	T_STR(strmap_del(&m, "alpha", 5), "A");
	T_OK(strmap_del(&m, "alpha", 5) == NULL);
	T_OK(strmap_get(&m, "alpha", 5) == NULL);
	for (i = 0; i < n; i += 3)
		ok &= (uintptr_t)strmap_del(&m, keys[i], strlen(keys[i])) ==
		    i + 1;
	T_OK(ok);
	for (i = 0; i < n; i++)
		ok &= (uintptr_t)strmap_get(&m, keys[i], strlen(keys[i])) ==
		    (i % 3 ? i + 1 : 0);
	T_OK(ok);
	T_INT(m.n, n - (n + 2) / 3 + 1);
	for (i = 0; i < n; i += 3) /* and they can come back */
		ok &= strmap_put(&m, keys[i], strlen(keys[i]),
			  (void *)(uintptr_t)(i + 1)) == 1;
	for (i = 0; i < n; i++)
		ok &= (uintptr_t)strmap_get(&m, keys[i], strlen(keys[i])) ==
		    i + 1;
	T_OK(ok);
	T_INT(m.n, n + 1);
	/* Room made ahead: the entries kept, no growth while n more come. */
	strmap_reserve(&m, 3 * n);
	T_OK(m.cap >= 2 * (4 * n + 1));
	for (i = 0; i < n; i++)
		ok &= (uintptr_t)strmap_get(&m, keys[i], strlen(keys[i])) ==
		    i + 1;
	T_OK(ok);
	{
		size_t cap = m.cap;

		for (i = 0; i < n; i++) /* n keys more (some already in) */
			strmap_put(&m, keys[i], strlen(keys[i]) - 1, NULL);
		T_INT(m.cap, cap);
	}
	{
		/* A copy: the same entries, independent of the first. */
		struct strmap c = { 0 };

		strmap_copy(&c, &m);
		T_INT(c.n, m.n);
		T_OK(c.v != m.v);
		strmap_del(&m, keys[1], strlen(keys[1]));
		T_INT((uintptr_t)strmap_get(&c, keys[1], strlen(keys[1])), 2);
		T_OK(strmap_get(&m, keys[1], strlen(keys[1])) == NULL);
		T_INT(strmap_put(&c, "fresh", 5, "F"), 1);
		T_OK(strmap_get(&m, "fresh", 5) == NULL);
		for (i = 2; i < n; i++)
			ok &= (uintptr_t)strmap_get(&c, keys[i],
				  strlen(keys[i])) == i + 1;
		T_OK(ok);
		strmap_free(&c);
		strmap_copy(&c, &c); /* an empty one */
		T_INT(c.n, 0);
		T_OK(strmap_get(&c, "fresh", 5) == NULL);
	}
	strmap_free(&m);
	strmap_reserve(&m, 100); /* on an empty map */
	T_INT(m.cap, 256);
	T_INT(strmap_put(&m, "alpha", 5, "A"), 1);
	T_STR(strmap_get(&m, "alpha", 5), "A");
	strmap_free(&m);
	T_OK(strmap_get(&m, "alpha", 5) == NULL);	  /* freed is empty */
	T_INT(util_hash("", 0), 14695981039346656037ULL); /* FNV-1a */
	T_INT(util_hash("a", 1), 0xaf63dc4c8601ec8cULL);
	return t_done();
}
