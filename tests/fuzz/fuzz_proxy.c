/*
 * fuzz_proxy: proxy_parse on every prefix of the input (up to
 * PROXY_MAX_HEADER bytes), each placed at the end of an exact-size
 * allocation so a read past len trips ASan. Checks the incremental
 * contract: 0 until the answer is known, then always the same answer;
 * a 1 first appears at exactly r.consumed bytes; nothing is undecided at
 * PROXY_MAX_HEADER. Addresses found are written back out as a v1 line
 * and a v2 header, which must parse to the same result.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same(const struct proxy_result *a, const struct proxy_result *b)
{
	return a->local == b->local && a->consumed == b->consumed &&
	    (a->local ||
		(a->srclen == b->srclen && a->dstlen == b->dstlen &&
		    memcmp(&a->src, &b->src, a->srclen) == 0 &&
		    memcmp(&a->dst, &b->dst, a->dstlen) == 0));
}

static void
check_result(const struct proxy_result *r, size_t len)
{
	int af = r->src.ss_family;
	socklen_t sl = af == AF_INET ? sizeof(struct sockaddr_in) :
				       sizeof(struct sockaddr_in6);

	/* "PROXY UNKNOWN\r\n" is the shortest header, 15 bytes. */
	if (r->consumed < 15 || r->consumed > len ||
	    r->consumed > PROXY_MAX_HEADER)
		abort();
	if (r->local)
		return;
	if ((af != AF_INET && af != AF_INET6) || r->dst.ss_family != af ||
	    r->srclen != sl || r->dstlen != sl)
		abort();
}

/* The address and port of ss, into addr (network order) and *port. */
static const void *
addr_of(const struct sockaddr_storage *ss, uint16_t *port)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET) {
		*port = sin->sin_port;
		return &sin->sin_addr;
	}
	*port = sin6->sin6_port;
	return &sin6->sin6_addr;
}

/* Writes r back out as a v1 line and a v2 header; both must give r. */
static void
round_trip(const struct proxy_result *r)
{
	unsigned char h[PROXY_MAX_HEADER];
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	struct proxy_result r2;
	const char *err;
	const void *sa, *da;
	uint16_t sp, dp;
	int af = r->src.ss_family, n;
	size_t alen = af == AF_INET ? 4 : 16;

	sa = addr_of(&r->src, &sp);
	da = addr_of(&r->dst, &dp);
	if (inet_ntop(af, sa, a, sizeof(a)) == NULL ||
	    inet_ntop(af, da, b, sizeof(b)) == NULL)
		abort();
	n = snprintf((char *)h, sizeof(h), "PROXY TCP%c %s %s %u %u\r\n",
	    af == AF_INET ? '4' : '6', a, b, ntohs(sp), ntohs(dp));
	/* inet_ntop may write an IPv4-mapped pair past 107 bytes. */
	if (n > 0 && n <= 107) {
		if (proxy_parse(h, (size_t)n, &r2, &err) != 1)
			abort();
		r2.consumed = r->consumed;
		if (!same(r, &r2))
			abort();
	}

	memcpy(h, "\r\n\r\n\0\r\nQUIT\n", 12);
	h[12] = 0x21;
	h[13] = af == AF_INET ? 0x11 : 0x21;
	h[14] = 0;
	h[15] = (unsigned char)(2 * alen + 4); /* addresses, ports */
	memcpy(h + 16, sa, alen);
	memcpy(h + 16 + alen, da, alen);
	memcpy(h + 16 + 2 * alen, &sp, 2);
	memcpy(h + 18 + 2 * alen, &dp, 2);
	if (proxy_parse(h, 20 + 2 * alen, &r2, &err) != 1)
		abort();
	r2.consumed = r->consumed;
	if (!same(r, &r2))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_result r, first;
	const char *err;
	unsigned char *p, *q;
	size_t k, m = size < PROXY_MAX_HEADER ? size : PROXY_MAX_HEADER;
	int rc, prev = 0;

	if ((p = malloc(m ? m : 1)) == NULL)
		abort();
	memset(&first, 0, sizeof(first));
	for (k = 0; k <= m; k++) {
		q = p + m - k;
		memcpy(q, data, k);
		err = NULL;
		rc = proxy_parse(q, k, &r, &err);
		if (rc < -1 || rc > 1 || (rc == -1 && err == NULL))
			abort();
		if (prev == -1 && rc != -1)
			abort();
		if (prev == 1 && (rc != 1 || !same(&r, &first)))
			abort();
		if (prev == 0 && rc == 1) {
			check_result(&r, k);
			if (r.consumed != k)
				abort();
			first = r;
		}
		prev = rc;
	}
	free(p);
	if (m == PROXY_MAX_HEADER && prev == 0)
		abort();
	/* Bytes past PROXY_MAX_HEADER change nothing. */
	rc = proxy_parse(data, size, &r, &err);
	if (rc != prev || (rc == 1 && !same(&r, &first)))
		abort();
	if (rc == 1 && !r.local)
		round_trip(&r);
	return 0;
}
