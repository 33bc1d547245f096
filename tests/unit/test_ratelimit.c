/* Unit tests for ratelimit: bursts, refill, separate addresses, fixed memory. */
#include <stdio.h>

#include "ratelimit.h"
#include "t.h"

int
main(void)
{
	struct ratelimit *rl = ratelimit_new(3, 10, 64); /* 3 per 10 s */
	struct ratelimit *r6;
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

	/* IPv6: one bucket per /64, whatever the interface bits. */
	r6 = ratelimit_new(2, 3600, 64);
	T_OK(r6 != NULL);
	if (r6 == NULL)
		return t_done();
	T_INT(ratelimit_hit(r6, "2001:db8:1:2::1", 1000), 0);
	T_INT(ratelimit_hit(r6, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", 1000), 0);
	T_OK(ratelimit_hit(r6, "[2001:db8:1:2::ffff]", 1000) > 0);
	/* The next /64 is another client. */
	T_INT(ratelimit_hit(r6, "2001:db8:1:3::1", 1000), 0);
	/* IPv4 and IPv4-mapped addresses keep one bucket per address. */
	T_INT(ratelimit_hit(r6, "::ffff:192.0.2.1", 1000), 0);
	T_INT(ratelimit_hit(r6, "::ffff:192.0.2.2", 1000), 0);
	T_INT(ratelimit_hit(r6, "::ffff:192.0.2.2", 1000), 0);
	T_INT(ratelimit_hit(r6, "192.0.2.3", 1000), 0);
	ratelimit_free(r6);
	/* 128: every address its own. */
	r6 = ratelimit_new(1, 3600, 128);
	T_OK(r6 != NULL);
	if (r6 == NULL)
		return t_done();
	T_INT(ratelimit_hit(r6, "2001:db8::1", 1000), 0);
	T_INT(ratelimit_hit(r6, "2001:db8::2", 1000), 0);
	T_OK(ratelimit_hit(r6, "2001:db8::2", 1000) > 0);
	ratelimit_free(r6);
	/* 48: a whole /48 shares. */
	r6 = ratelimit_new(1, 3600, 48);
	T_OK(r6 != NULL);
	if (r6 == NULL)
		return t_done();
	T_INT(ratelimit_hit(r6, "2001:db8:7:1::1", 1000), 0);
	T_OK(ratelimit_hit(r6, "2001:db8:7:2::1", 1000) > 0);
	ratelimit_free(r6);
	return t_done();
}
