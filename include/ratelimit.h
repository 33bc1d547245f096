/*
 * ratelimit: requests per client address in a fixed window, shared by
 * all workers (the table lives in memory mapped before they fork). The
 * table has a fixed size, so memory stays constant whatever the number
 * of clients: old windows expire and are reused.
 */
#ifndef CAPSULED_RATELIMIT_H
#define CAPSULED_RATELIMIT_H

#include <stddef.h>
#include <time.h>

#define RATELIMIT_SLOTS 65536	/* addresses tracked at once (16 B each) */

struct ratelimit;

/* At most n requests per secs seconds. NULL when mmap fails. */
struct ratelimit *ratelimit_new(int n, int secs);
void ratelimit_free(struct ratelimit *rl);
/*
 * Counts a request from addr at time now. Returns 0 when it is allowed,
 * else the seconds until the client's window ends (at least 1).
 */
int ratelimit_hit(struct ratelimit *rl, const char *addr, time_t now);

#endif
