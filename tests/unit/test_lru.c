/*
 * test_lru: the render cache's budget (lru.c): the least recently used
 * goes first, a hit protects, adding never evicts, trimming calls each
 * owner's evict exactly once, removal is silent.
 */
#include <stdio.h>
#include <string.h>

#include "lru.h"
#include "t.h"

struct item {
	struct lru_node node; /* first: the item is the node */
	int id;
	int evicted;
};

static void
evict(struct lru_node *n)
{
	((struct item *)(void *)n)->evicted++;
}

int
main(void)
{
	struct item it[6];
	struct lru l;
	int i;

	memset(it, 0, sizeof(it));
	for (i = 0; i < 6; i++) {
		it[i].id = i;
		it[i].node.evict = evict;
	}
	lru_init(&l, 300);
	T_INT(lru_trim(&l), 0); /* empty */
	for (i = 0; i < 5; i++)
		lru_add(&l, &it[i].node, 100);
	T_INT(l.size, 500); /* over budget, nothing freed yet */
	T_INT(l.n, 5);
	T_INT(it[0].evicted, 0);
	lru_touch(&l, &it[0].node); /* 0 is now the most recent */
	T_INT(lru_trim(&l), 2);	    /* 1 and 2 go, oldest first */
	T_INT(it[1].evicted, 1);
	T_INT(it[2].evicted, 1);
	T_INT(it[0].evicted + it[3].evicted + it[4].evicted, 0);
	T_OK(!lru_linked(&it[1].node));
	T_OK(lru_linked(&it[0].node));
	T_INT(l.size, 300);
	T_INT(lru_trim(&l), 0);	     /* at budget: stays */
	lru_remove(&l, &it[3].node); /* the owner drops it: no callback */
	T_INT(it[3].evicted, 0);
	T_INT(l.size, 200);
	lru_remove(&l, &it[3].node); /* twice is harmless */
	T_INT(l.n, 2);
	lru_add(&l, &it[5].node, 250); /* bigger than what is left */
	lru_add(&l, &it[4].node, 120); /* re-adding re-counts */
	T_INT(l.size, 100 + 250 + 120);
	T_INT(lru_trim(&l), 2); /* 0 (oldest), then 5 */
	T_INT(it[0].evicted, 1);
	T_INT(it[5].evicted, 1);
	T_INT(it[4].evicted, 0);
	T_INT(l.size, 120);
	lru_add(&l, &it[1].node, 1000); /* alone over budget: goes too */
	T_INT(lru_trim(&l), 2);
	T_INT(l.n, 0);
	T_INT(l.size, 0);
	for (i = 0; i < 3; i++)
		lru_add(&l, &it[i].node, 10);
	lru_clear(&l);
	T_INT(l.n, 0);
	T_INT(it[2].evicted, 2);
	T_INT(l.evictions, 9);
	return t_done();
}
