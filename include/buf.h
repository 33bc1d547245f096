/*
 * buf: growable byte buffer with git strbuf's contract: data is never
 * NULL and always NUL-terminated; buf_detach hands the storage over.
 */
#ifndef CAPSULED_BUF_H
#define CAPSULED_BUF_H

#include <stddef.h>

#include "util.h"

struct buf {
	char *data;
	size_t len;
	size_t cap; /* 0 while data points at the shared empty string */
};

extern char buf_empty[];
#define BUF_INIT \
	{ \
		buf_empty, 0, 0 \
	}

void buf_init(struct buf *b, size_t hint);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, int c);
void buf_printf(struct buf *b, const char *fmt, ...) ATTR_PRINTF(2, 3);
void buf_truncate(struct buf *b, size_t len);
/* Returns the malloc'd bytes (NUL-terminated); the buffer is reset. */
char *buf_detach(struct buf *b, size_t *len);

#endif
