/*
 * ratelimit: a token bucket per client address in a shared, fixed-size
 * open-addressing table. A bucket holds up to N tokens and refills at
 * N per SECONDS, so a burst of N passes and then one request per
 * SECONDS/N; unlike fixed windows, no burst of 2N straddles a boundary.
 * A tiny spin lock guards the table: the critical section is a few loads
 * and stores, and workers are few.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "ratelimit.h"
#include "util.h"

#define RATELIMIT_PROBE 8	/* slots looked at per address */

struct slot {
	uint64_t key;		/* hash of the address; 0: empty */
	int64_t t_ms;		/* when tokens was last brought up to date */
	double tokens;
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
	rl->n = n > 0 ? n : 1;
	rl->secs = secs > 0 ? secs : 1;
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
hash(const char *s)
{
	uint64_t h = util_hash(s, strlen(s));

	return h ? h : 1;
}

int
ratelimit_hit(struct ratelimit *rl, const char *addr, int64_t now_ms)
{
	uint64_t key = hash(addr);
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
