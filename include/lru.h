/*
 * lru: a memory budget over cached things (issue 16), least recently
 * used first out. Intrusive: the owner embeds a struct lru_node in what
 * it caches and finds it through its own pointers; the list only keeps
 * the order and the bytes. Adding never evicts: lru_trim does, when the
 * caller holds no pointer into cached things any more (the end of a
 * request), so nothing in use is freed under it. Pure; one thread.
 */
#ifndef CAPSULED_LRU_H
#define CAPSULED_LRU_H

#include <stddef.h>

struct lru_node {
	struct lru_node *prev, *next; /* NULL when not in a list */
	size_t size;		      /* bytes counted against the budget */
	/* Frees what the node caches; the node is already unlinked. */
	void (*evict)(struct lru_node *);
};

struct lru {
	struct lru_node head; /* head.next: the most recent */
	size_t size;	      /* bytes of all linked nodes */
	size_t budget;
	size_t n;
	unsigned long evictions;
};

void lru_init(struct lru *l, size_t budget);
/* Links node (not linked) as the most recent, counting size bytes. */
void lru_add(struct lru *l, struct lru_node *node, size_t size);
/* Marks a linked node as the most recent (a cache hit). */
void lru_touch(struct lru *l, struct lru_node *node);
/* Unlinks node when linked (its owner drops it); no callback. */
void lru_remove(struct lru *l, struct lru_node *node);
int lru_linked(const struct lru_node *node);
/*
 * Evicts least recently used nodes (calling their evict) until the
 * total fits the budget. Returns the number evicted.
 */
size_t lru_trim(struct lru *l);
/* Evicts every node (calling evict). */
void lru_clear(struct lru *l);

#endif
