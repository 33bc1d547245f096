/* Unit tests for ratelimit: windows, separate addresses, expiry. */
#include "ratelimit.h"
#include "t.h"

int
main(void)
{
	struct ratelimit *rl = ratelimit_new(3, 10);
	char addr[32];
	int i;

	T_OK(rl != NULL);
	if (rl == NULL)
		return t_done();
	/* Window [100, 110): three allowed, then wait until 110. */
	T_INT(ratelimit_hit(rl, "192.0.2.1", 100), 0);
	T_INT(ratelimit_hit(rl, "192.0.2.1", 101), 0);
	T_INT(ratelimit_hit(rl, "192.0.2.1", 102), 0);
	T_INT(ratelimit_hit(rl, "192.0.2.1", 103), 7);
	T_INT(ratelimit_hit(rl, "192.0.2.1", 109), 1);
	/* Another address has its own count. */
	T_INT(ratelimit_hit(rl, "2001:db8::1", 105), 0);
	/* The next window starts afresh. */
	T_INT(ratelimit_hit(rl, "192.0.2.1", 110), 0);
	/* Many addresses: memory is fixed; a recent address keeps its count. */
	for (i = 0; i < 200000; i++) {
		snprintf(addr, sizeof(addr), "10.%d.%d.%d", i >> 16,
		    (i >> 8) & 255, i & 255);
		ratelimit_hit(rl, addr, 115);
	}
	T_INT(ratelimit_hit(rl, "203.0.113.9", 120), 0);
	T_INT(ratelimit_hit(rl, "203.0.113.9", 120), 0);
	T_INT(ratelimit_hit(rl, "203.0.113.9", 120), 0);
	T_INT(ratelimit_hit(rl, "203.0.113.9", 120), 10);
	ratelimit_free(rl);
	return t_done();
}
