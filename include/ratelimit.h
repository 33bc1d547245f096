/*
 * ratelimit: requests per client address (a token bucket), shared by all
 * workers (the table lives in memory mapped before they fork). The table
 * has a fixed size, so memory stays constant whatever the number of
 * clients: the slots idle longest are reused.
 */
#ifndef CAPSULED_RATELIMIT_H
#define CAPSULED_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#define RATELIMIT_SLOTS 65536 /* addresses tracked at once (24 B each) */

struct ratelimit;

/*
 * At most n requests per secs seconds. IPv6 clients count per network of
 * v6_prefix bits (64: one /64, what one site usually gets; 128: each
 * address). NULL when mmap fails.
 */
struct ratelimit *ratelimit_new(int n, int secs, int v6_prefix);
void ratelimit_free(struct ratelimit *rl);
/*
 * Counts a request from addr (an IPv4 or IPv6 literal, the latter maybe
 * in brackets) at now_ms (milliseconds of any monotonic
 * clock). Returns 0 when it is allowed, else the whole seconds until the
 * next request would be (at least 1).
 */
int ratelimit_hit(struct ratelimit *rl, const char *addr, int64_t now_ms);

#endif
