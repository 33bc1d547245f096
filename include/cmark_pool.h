/*
 * cmark_pool: an arena for one cmark-gfm parse. Every block cmark asks
 * for comes from the pool of the calling thread and the whole tree goes
 * at once with cmark_pool_free(), instead of node by node.
 *
 *	struct cmark_pool *p = cmark_pool_new(len);
 *	cmark_parser *parser = cmark_parser_new_with_mem(opts,
 *	    cmark_pool_mem(p));
 *	... parse, walk, cmark_parser_free(parser) ...
 *	cmark_pool_free(p);
 *
 * cmark_mem carries no context, so its functions serve the thread's
 * current pool: the newest one the thread made and has not freed yet.
 * A pool belongs to the thread that made it; pools are freed in the
 * reverse order of their making (nested parses, one render per thread
 * on as many threads as you like). Running out of memory aborts.
 */
#ifndef CAPSULED_CMARK_POOL_H
#define CAPSULED_CMARK_POOL_H

#include <stddef.h>

#include <cmark-gfm.h>

struct cmark_pool;

/* A pool sized for parsing len bytes, made the thread's current pool. */
struct cmark_pool *cmark_pool_new(size_t len);
/* The allocator to hand cmark; it serves the thread's current pool. */
cmark_mem *cmark_pool_mem(struct cmark_pool *p);
/*
 * Frees every block of p (the tree with it) and makes the pool current
 * before p current again. p must be the current pool of the calling
 * thread. NULL is a no-op.
 */
void cmark_pool_free(struct cmark_pool *p);

#endif
