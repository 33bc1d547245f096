/*
 * lru: a doubly linked list through the cached things themselves, the
 * most recent at the head; a budget in bytes enforced by lru_trim.
 */
#include <stddef.h>

#include "lru.h"

void
lru_init(struct lru *l, size_t budget)
{
	l->head.prev = l->head.next = &l->head;
	l->size = 0;
	l->n = 0;
	l->budget = budget;
	l->evictions = 0;
}

int
lru_linked(const struct lru_node *node)
{
	return node->next != NULL;
}

static void
link_front(struct lru *l, struct lru_node *node)
{
	node->prev = &l->head;
	node->next = l->head.next;
	l->head.next->prev = node;
	l->head.next = node;
}

static void
unlink_node(struct lru_node *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->prev = node->next = NULL;
}

void
lru_add(struct lru *l, struct lru_node *node, size_t size)
{
	if (lru_linked(node))
		lru_remove(l, node);
	node->size = size;
	link_front(l, node);
	l->size += size;
	l->n++;
}

void
lru_touch(struct lru *l, struct lru_node *node)
{
	if (!lru_linked(node) || l->head.next == node)
		return;
	unlink_node(node);
	link_front(l, node);
}

void
lru_remove(struct lru *l, struct lru_node *node)
{
	if (!lru_linked(node))
		return;
	unlink_node(node);
	l->size -= node->size;
	l->n--;
}

static void
evict_last(struct lru *l)
{
	struct lru_node *node = l->head.prev;

	lru_remove(l, node);
	l->evictions++;
	if (node->evict)
		node->evict(node);
}

size_t
lru_trim(struct lru *l)
{
	size_t n = 0;

	while (l->size > l->budget && l->n > 0) {
		evict_last(l);
		n++;
	}
	return n;
}

void
lru_clear(struct lru *l)
{
	while (l->n > 0)
		evict_last(l);
}
