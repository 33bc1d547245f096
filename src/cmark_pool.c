/*
 * cmark_pool: the arena behind one cmark-gfm parse (see cmark_pool.h).
 * Pure: no I/O; running out of memory aborts, as cmark's own allocator
 * does.
 *
 * Why a pool: cmark allocates every node, string and list of a parse
 * through its cmark_mem, and the whole tree dies with the render. Size
 * classes with a free list each, carved from a few large chunks, serve
 * those blocks for a fraction of malloc's cost and let the tree go at
 * once. Measured with tests/bench/convbench on 1 MB of the sample posts
 * and 1 MB of generated Markdown (bench.sh's inputs): with cmark's own
 * malloc instead, three conversions (and three bare cmark parses, the
 * same in both) take 1,196 M and 2,187 M instructions against 1,049 M
 * and 1,808 M with the pool (callgrind), and the generated file converts
 * at 11.5 MB/s against 19.2 MB/s of CPU time (median of 6 alternated
 * runs on a loaded 2-core machine).
 *
 * Correct by construction: every block handed out, of any size, starts
 * after a header that gives its class and capacity, and cmark only ever
 * frees or grows a block through the cmark_mem that made it (a parser
 * stores its mem in every node and buffer it makes). free and realloc
 * therefore only read the header of a block of this pool; the magic in
 * it is a tripwire that aborts, never a test for "not ours".
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cmark_pool.h"
#include "util.h"

#define POOL_ALIGN     16  /* every block: max_align_t */
#define POOL_SMALL     512 /* 16-byte classes up to here */
#define POOL_NSMALL    (POOL_SMALL / POOL_ALIGN)
#define POOL_NCLS      (POOL_NSMALL + 8)   /* then 1 KiB .. 128 KiB */
#define POOL_BIG       POOL_NCLS	   /* class of a block above POOL_MAX */
#define POOL_MAX       ((size_t)128 << 10) /* larger: malloc, listed */
#define POOL_CHUNK     ((size_t)64 << 10)
#define POOL_CHUNK_MAX ((size_t)8 << 20)
#define POOL_HUGE      ((size_t)2 << 20)      /* chunks this big: huge pages */
#define POOL_MAGIC     ((uint32_t)0x676d656d) /* "gmem" */

struct pool_hdr {	/* the 16 bytes before every block */
	uint32_t magic; /* POOL_MAGIC */
	uint32_t cls;	/* size class; POOL_BIG: a pool_big */
	size_t cap;	/* usable bytes */
};

struct pool_big {
	struct pool_big *prev, *next;
	struct pool_hdr h;
};

struct pool_chunk {
	struct pool_chunk *next;
	size_t size;
	void *map; /* mmap'd (huge pages): the mapping */
	size_t maplen;
};

_Static_assert(sizeof(struct pool_hdr) == POOL_ALIGN, "header size");
_Static_assert(sizeof(struct pool_big) % POOL_ALIGN == 0, "big header");
_Static_assert(sizeof(struct pool_chunk) % POOL_ALIGN == 0, "chunk header");
_Static_assert(alignof(max_align_t) <= POOL_ALIGN, "alignment");

struct cmark_pool {
	struct cmark_pool *prev; /* the thread's current pool before */
	char *cur, *end;	 /* the free tail of the newest chunk */
	struct pool_chunk *chunks;
	struct pool_big *bigs;
	void *free[POOL_NCLS];
	size_t next_chunk;
	/*
	 * Small blocks come from a slab of their own class, so nodes lie
	 * side by side in the order cmark makes them, away from the text
	 * buffers: walking the tree then reads memory in order.
	 */
	char *scur[POOL_NSMALL], *send[POOL_NSMALL];
	size_t slab;
};

/* cmark_mem has no context: its functions serve this. */
static _Thread_local struct cmark_pool *current;

/*
 * A chunk of size bytes. The big ones (a long document's) are mapped on
 * huge-page boundaries and asked for huge pages: the kernel then faults
 * them in 2 MiB at a time instead of 4 KiB, and page faults are a good
 * part of what parsing a long document costs.
 */
static struct pool_chunk *
chunk_new(size_t size)
{
	struct pool_chunk *c;

#ifdef MADV_HUGEPAGE
	if (size >= POOL_HUGE && size <= SIZE_MAX / 2) {
		char *m;
		size_t len;

		size = (size + POOL_HUGE - 1) & ~(POOL_HUGE - 1);
		len = size + POOL_HUGE;
		m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m != MAP_FAILED) {
			c = (struct pool_chunk *)(void *)(m +
			    (POOL_HUGE - ((uintptr_t)m & (POOL_HUGE - 1))) %
				POOL_HUGE);
			madvise(c, size, MADV_HUGEPAGE);
			c->map = m;
			c->maplen = len;
			c->size = size;
			return c;
		}
	}
#endif
	c = xmalloc(size);
	c->map = NULL;
	c->maplen = 0;
	c->size = size;
	return c;
}

/* n bytes (a multiple of 16) from the newest chunk, or a new one. */
static void *
carve(struct cmark_pool *p, size_t n)
{
	struct pool_chunk *c;
	void *r;

	if ((size_t)(p->end - p->cur) < n) {
		if (p->next_chunk < n + sizeof(*c))
			p->next_chunk = n + sizeof(*c);
		c = chunk_new(p->next_chunk);
		c->next = p->chunks;
		p->chunks = c;
		p->cur = (char *)(c + 1);
		p->end = (char *)c + c->size;
		if (p->next_chunk < POOL_CHUNK_MAX)
			p->next_chunk *= 2;
	}
	r = p->cur;
	p->cur += n;
	return r;
}

/* The current pool; allocating with none is a caller's bug. */
static struct cmark_pool *
pool(void)
{
	if (current == NULL)
		abort();
	return current;
}

/* The header of a block of this pool (a tripwire for anything else). */
static struct pool_hdr *
header(void *ptr)
{
	struct pool_hdr *h = (struct pool_hdr *)ptr - 1;

	if (h->magic != POOL_MAGIC || h->cls > POOL_BIG)
		abort();
	return h;
}

static void *
pool_alloc(size_t n)
{
	struct cmark_pool *p = pool();
	struct pool_hdr *h;
	struct pool_big *b;
	size_t cls, sz, need;
	void *r;

	if (n > POOL_MAX) {
		if (n > SIZE_MAX - sizeof(*b))
			abort();
		b = xmalloc(sizeof(*b) + n);
		b->h.magic = POOL_MAGIC;
		b->h.cls = POOL_BIG;
		b->h.cap = n;
		b->prev = NULL;
		b->next = p->bigs;
		if (p->bigs)
			p->bigs->prev = b;
		p->bigs = b;
		return b + 1;
	}
	if (n <= POOL_SMALL) {
		cls = n ? (n + POOL_ALIGN - 1) / POOL_ALIGN - 1 : 0;
		sz = (cls + 1) * POOL_ALIGN;
	} else
		for (cls = POOL_NSMALL, sz = 1024; sz < n; sz <<= 1)
			cls++;
	if ((r = p->free[cls]) != NULL) {
		memcpy(&p->free[cls], r, sizeof(void *));
		return r;
	}
	need = sizeof(*h) + sz;
	if (cls < POOL_NSMALL) {
		if ((size_t)(p->send[cls] - p->scur[cls]) < need) {
			p->scur[cls] = carve(p, p->slab);
			p->send[cls] = p->scur[cls] + p->slab;
		}
		h = (struct pool_hdr *)(void *)p->scur[cls];
		p->scur[cls] += need;
	} else
		h = carve(p, need);
	h->magic = POOL_MAGIC;
	h->cls = (uint32_t)cls;
	h->cap = sz;
	return h + 1;
}

static void
pool_free(void *ptr)
{
	struct cmark_pool *p;
	struct pool_hdr *h;
	struct pool_big *b;

	if (ptr == NULL)
		return;
	p = pool();
	h = header(ptr);
	if (h->cls == POOL_BIG) {
		b = (struct pool_big *)ptr - 1;
		if (b->prev)
			b->prev->next = b->next;
		else
			p->bigs = b->next;
		if (b->next)
			b->next->prev = b->prev;
		free(b);
		return;
	}
	/* The freed block holds the free list's next pointer. */
	memcpy(ptr, &p->free[h->cls], sizeof(void *));
	p->free[h->cls] = ptr;
}

static void *
pool_calloc(size_t n, size_t size)
{
	void *r;

	if (size && n > SIZE_MAX / size)
		abort();
	r = pool_alloc(n * size);
	memset(r, 0, n * size);
	return r;
}

static void *
pool_realloc(void *ptr, size_t n)
{
	struct pool_hdr *h;
	void *r;

	if (ptr == NULL)
		return pool_alloc(n);
	h = header(ptr);
	if (n <= h->cap)
		return ptr;
	r = pool_alloc(n);
	memcpy(r, ptr, h->cap);
	pool_free(ptr);
	return r;
}

static cmark_mem pool_mem = { pool_calloc, pool_realloc, pool_free };

struct cmark_pool *
cmark_pool_new(size_t len)
{
	struct cmark_pool *p;

	p = xcalloc(1, sizeof(*p));
	/* cmark takes many times the text: size the first chunk by it. */
	p->next_chunk = len < POOL_CHUNK / 4 ? POOL_CHUNK :
	    len < POOL_CHUNK_MAX / 4	     ? len * 4 :
					       POOL_CHUNK_MAX;
	p->slab = (p->next_chunk / 64) & ~(size_t)(POOL_ALIGN - 1);
	p->prev = current;
	current = p;
	return p;
}

cmark_mem *
cmark_pool_mem(struct cmark_pool *p)
{
	if (p != current)
		abort();
	return &pool_mem;
}

void
cmark_pool_free(struct cmark_pool *p)
{
	struct pool_chunk *c;
	struct pool_big *b;

	if (p == NULL)
		return;
	if (p != current)
		abort(); /* freed out of order or on another thread */
	while ((b = p->bigs) != NULL) {
		p->bigs = b->next;
		free(b);
	}
	while ((c = p->chunks) != NULL) {
		p->chunks = c->next;
		if (c->map)
			munmap(c->map, c->maplen);
		else
			free(c);
	}
	current = p->prev;
	free(p);
}
