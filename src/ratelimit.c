/*
 * ratelimit: a token bucket per client address in a shared, fixed-size
 * open-addressing table. A bucket holds up to N tokens and refills at
 * N per SECONDS, so a burst of N passes and then one request per
 * SECONDS/N; unlike fixed windows, no burst of 2N straddles a boundary.
 * A tiny spin lock guards the table: the critical section is a few loads
 * and stores, and workers are few.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "ratelimit.h"
#include "util.h"

#define RATELIMIT_PROBE 8 /* slots looked at per address */

struct slot {
	uint64_t key; /* hash of the address; 0: empty */
	int64_t t_ms; /* when tokens was last brought up to date */
	double tokens;
};

struct ratelimit {
	int lock;
	int n, secs;
	int v6_prefix;
	struct slot slots[RATELIMIT_SLOTS];
};

struct ratelimit *
ratelimit_new(int n, int secs, int v6_prefix)
{
	struct ratelimit *rl;

	rl = mmap(NULL, sizeof(*rl), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rl == MAP_FAILED)
		return NULL;
	memset(rl, 0, sizeof(*rl));
	rl->n = n > 0 ? n : 1;
	rl->secs = secs > 0 ? secs : 1;
	rl->v6_prefix = v6_prefix > 0 && v6_prefix <= 128 ? v6_prefix : 128;
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl)
		munmap(rl, sizeof(*rl));
}

/*
 * Its own table, not a strmap: it lives in memory shared by the workers
 * (mmap), has a fixed size with eviction, and keeps only a hash (never
 * 0) of each address.
 */
static uint64_t
hash(const void *p, size_t n)
{
	uint64_t h = util_hash(p, n);

	return h ? h : 1;
}

/*
 * The bucket's key: an IPv6 address (not an IPv4-mapped one) is cut to
 * its network of v6_prefix bits, since one client usually holds a whole
 * /64; anything else is its own key.
 */
static uint64_t
client_key(const struct ratelimit *rl, const char *addr)
{
	unsigned char a[16];
	char tmp[INET6_ADDRSTRLEN + 2];
	size_t len = strlen(addr);
	int i, bits = rl->v6_prefix;

	if (len >= 2 && addr[0] == '[' && addr[len - 1] == ']' &&
	    len - 2 < sizeof(tmp)) {
		memcpy(tmp, addr + 1, len - 2);
		tmp[len - 2] = '\0';
		addr = tmp;
	}
	if (inet_pton(AF_INET6, addr, a) != 1 ||
	    IN6_IS_ADDR_V4MAPPED((struct in6_addr *)a))
		return hash(addr, strlen(addr));
	for (i = 0; i < 16; i++, bits -= 8)
		if (bits < 8)
			a[i] &=
			    (unsigned char)(bits <= 0 ? 0 : 0xff << (8 - bits));
	return hash(a, sizeof(a));
}

int
ratelimit_hit(struct ratelimit *rl, const char *addr, int64_t now_ms)
{
	uint64_t key = client_key(rl, addr);
	double per_ms = (double)rl->n / (rl->secs * 1000.0);
	struct slot *s, *victim = NULL;
	size_t i, base = (size_t)(key % RATELIMIT_SLOTS);
	int wait = 0;

	while (__atomic_test_and_set(&rl->lock, __ATOMIC_ACQUIRE))
		;
	for (i = 0; i < RATELIMIT_PROBE; i++) {
		s = &rl->slots[(base + i) % RATELIMIT_SLOTS];
		if (s->key == key) {
			victim = s;
			break;
		}
		/* Reuse an empty slot, else the one idle longest (its bucket
		 * is the fullest: forgetting it costs its owner nothing). */
		if (victim == NULL || s->key == 0 || s->t_ms < victim->t_ms)
			victim = s;
	}
	s = victim;
	if (s->key != key) {
		s->key = key;
		s->tokens = rl->n;
		s->t_ms = now_ms;
	}
	if (now_ms > s->t_ms) {
		s->tokens += (double)(now_ms - s->t_ms) * per_ms;
		if (s->tokens > rl->n)
			s->tokens = rl->n;
		s->t_ms = now_ms;
	}
	if (s->tokens >= 1.0)
		s->tokens -= 1.0;
	else
		wait = (int)ceil((1.0 - s->tokens) / per_ms / 1000.0);
	__atomic_clear(&rl->lock, __ATOMIC_RELEASE);
	return wait > 0 ? wait : (s->tokens < 0 ? 1 : wait);
}
