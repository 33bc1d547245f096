/*
 * ratelimit: a fixed-window counter per client address in a shared,
 * fixed-size open-addressing table. A tiny spin lock guards the table:
 * the critical section is a few loads and stores, and workers are few.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "ratelimit.h"

#define RATELIMIT_PROBE 8	/* slots looked at per address */

struct slot {
	uint64_t key;		/* hash of the address; 0: empty */
	uint32_t window;	/* now / secs when counting started */
	uint32_t count;
};

struct ratelimit {
	int lock;
	int n, secs;
	struct slot slots[RATELIMIT_SLOTS];
};

struct ratelimit *
ratelimit_new(int n, int secs)
{
	struct ratelimit *rl;

	rl = mmap(NULL, sizeof(*rl), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rl == MAP_FAILED)
		return NULL;
	memset(rl, 0, sizeof(*rl));
	rl->n = n;
	rl->secs = secs > 0 ? secs : 1;
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl)
		munmap(rl, sizeof(*rl));
}

/* FNV-1a, never 0. */
static uint64_t
hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

int
ratelimit_hit(struct ratelimit *rl, const char *addr, time_t now)
{
	uint64_t key = hash(addr);
	uint32_t window = (uint32_t)(now / rl->secs);
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
		/* Reuse an empty or expired slot, else the oldest. */
		if (victim == NULL || s->key == 0 || s->window < victim->window)
			victim = s;
	}
	s = victim;
	if (s->key != key || s->window != window) {
		s->key = key;
		s->window = window;
		s->count = 0;
	}
	if (s->count < UINT32_MAX)
		s->count++;
	if (s->count > (uint32_t)rl->n)
		wait = (int)((time_t)(window + 1) * rl->secs - now);
	__atomic_clear(&rl->lock, __ATOMIC_RELEASE);
	return wait > 0 ? wait : (s->count > (uint32_t)rl->n ? 1 : 0);
}
