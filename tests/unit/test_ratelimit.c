/* Unit tests for ratelimit: bursts, refill, separate addresses, fixed memory. */
#include <stdio.h>

#include "ratelimit.h"
#include "t.h"

int
main(void)
{
	struct ratelimit *rl = ratelimit_new(3, 10);	/* 3 per 10 s */
	char addr[32];
	int i;

	T_OK(rl != NULL);
	if (rl == NULL)
		return t_done();
	/* A burst of three passes; the fourth waits for a token (10/3 s). */
	T_INT(ratelimit_hit(rl, "192.0.2.1", 100000), 0);
	T_INT(ratelimit_hit(rl, "192.0.2.1", 100100), 0);
	T_INT(ratelimit_hit(rl, "192.0.2.1", 100200), 0);
	T_INT(ratelimit_hit(rl, "192.0.2.1", 100300), 4);
	/* No second burst across any boundary: still waiting 2 s later. */
	T_INT(ratelimit_hit(rl, "192.0.2.1", 102300), 2);
	/* Another address has its own bucket. */
	T_INT(ratelimit_hit(rl, "2001:db8::1", 102300), 0);
	/* One token back after 10/3 s. */
	T_INT(ratelimit_hit(rl, "192.0.2.1", 103700), 0);
	T_INT(ratelimit_hit(rl, "192.0.2.1", 103800), 3);
	/* Idle for a full period: a whole burst again, never more. */
	T_INT(ratelimit_hit(rl, "192.0.2.1", 200000), 0);
	T_INT(ratelimit_hit(rl, "192.0.2.1", 200000), 0);
	T_INT(ratelimit_hit(rl, "192.0.2.1", 200000), 0);
	T_OK(ratelimit_hit(rl, "192.0.2.1", 200000) > 0);
	/* Many addresses: memory is fixed; a recent address keeps its count. */
	for (i = 0; i < 200000; i++) {
		snprintf(addr, sizeof(addr), "10.%d.%d.%d", i >> 16,
		    (i >> 8) & 255, i & 255);
		ratelimit_hit(rl, addr, 300000);
	}
	T_INT(ratelimit_hit(rl, "203.0.113.9", 300000), 0);
	T_INT(ratelimit_hit(rl, "203.0.113.9", 300000), 0);
	T_INT(ratelimit_hit(rl, "203.0.113.9", 300000), 0);
	T_INT(ratelimit_hit(rl, "203.0.113.9", 300000), 4);
	ratelimit_free(rl);
	return t_done();
}
