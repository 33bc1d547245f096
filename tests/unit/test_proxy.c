/*
 * test_proxy: PROXY protocol v1 and v2 headers, table-driven. Every
 * accepted header is also fed one byte short at every length (each must
 * say "need more"), and every rejected one at every length (once -1,
 * always -1), so the incremental contract is checked on the whole table.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"
#include "t.h"

/* A string literal as bytes and length; embedded NULs are kept. */
#define B(s) (const unsigned char *)(s), sizeof(s) - 1
/* The v2 signature: \r\n\r\n\0\r\nQUIT\n. */
#define SIG  "\x0D\x0A\x0D\x0A\x00\x0D\x0A\x51\x55\x49\x54\x0A"

struct pcase {
	int line; /* of the table entry, for failure messages */
	const unsigned char *in;
	size_t len;
	int rc;
	int local, af;
	const char *src;
	int sport;
	const char *dst;
	int dport;
	size_t consumed;
	const char *err; /* for rejections: the exact errstr */
};

#define V4(in, src, sp, dst, dp, n) \
	{ \
		__LINE__, B(in), 1, 0, AF_INET, src, sp, dst, dp, n, NULL \
	}
#define V6(in, src, sp, dst, dp, n) \
	{ \
		__LINE__, B(in), 1, 0, AF_INET6, src, sp, dst, dp, n, NULL \
	}
#define LOCAL(in, n) \
	{ \
		__LINE__, B(in), 1, 1, 0, NULL, 0, NULL, 0, n, NULL \
	}
#define MORE(in) \
	{ \
		__LINE__, B(in), 0, 0, 0, NULL, 0, NULL, 0, 0, NULL \
	}
#define BAD(in, err) \
	{ \
		__LINE__, B(in), -1, 0, 0, NULL, 0, NULL, 0, 0, err \
	}

#define T4     "PROXY TCP4 192.0.2.1 198.51.100.2 12345 1965"
#define FFFF   "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
#define MAPPED "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"
/* v2 addresses: 192.0.2.1:12345 to 198.51.100.2:1965. */
#define A4 \
	"\xC0\x00\x02\x01" \
	"\xC6\x33\x64\x02" \
	"\x30\x39" \
	"\x07\xAD"
/* 2001:db8::1 port 443 to 2001:db8::2 port 1965. */
#define A6 \
	"\x20\x01\x0D\xB8" \
	"\x00\x00\x00\x00" \
	"\x00\x00\x00\x00" \
	"\x00\x00\x00\x01" \
	"\x20\x01\x0D\xB8" \
	"\x00\x00\x00\x00" \
	"\x00\x00\x00\x00" \
	"\x00\x00\x00\x02" \
	"\x01\xBB" \
	"\x07\xAD"
/* TLS ClientHello bytes that follow the header on a real connection. */
#define HELLO "\x16\x03\x01\x02\x00\x01"

static const struct pcase cases[] = {
	/* v1, accepted. */
	V4(T4 "\r\n", "192.0.2.1", 12345, "198.51.100.2", 1965, 46),
	V4(T4 "\r\n" HELLO, "192.0.2.1", 12345, "198.51.100.2", 1965, 46),
	V4("PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n", "0.0.0.0", 0,
	    "255.255.255.255", 65535, 44),
	V6("PROXY TCP6 2001:db8::1 2001:db8::2 443 1965\r\n", "2001:db8::1",
	    443, "2001:db8::2", 1965, 45),
	V6("PROXY TCP6 ::ffff:192.0.2.1 :: 1 2\r\n", "::ffff:192.0.2.1", 1,
	    "::", 2, 36),
	V6("PROXY TCP6 1:2:3:4:5:6:7:8 1:2:3:4:5:6:7:: 10 20\r\n",
	    "1:2:3:4:5:6:7:8", 10, "1:2:3:4:5:6:7:0", 20, 50),
	V6("PROXY TCP6 ::2:3:4:5:6:7:8 1:2:3:4:5:6:1.2.3.4 10 20\r\n",
	    "0:2:3:4:5:6:7:8", 10, "1:2:3:4:5:6:102:304", 20, 54),
	V6("PROXY TCP6 ::1.2.3.4 FE80::ABCD:1 10 20\r\n", "::1.2.3.4", 10,
	    "fe80::abcd:1", 20, 41),
	V6("PROXY TCP6 1:: ::1 10 20\r\n", "1::", 10, "::1", 20, 26),
	/* The longest TCP6 line, and the spec's worst case, 107 bytes. */
	V6("PROXY TCP6 " FFFF " " FFFF " 65535 65535\r\n", FFFF, 65535, FFFF,
	    65535, 104),
	LOCAL("PROXY UNKNOWN " FFFF " " FFFF " 65535 65535\r\n", 107),
	LOCAL("PROXY UNKNOWN\r\n", 15),
	LOCAL("PROXY UNKNOWN\r\n" HELLO, 15),
	LOCAL("PROXY UNKNOWN whatever the sender \x01 says\r\n", 42),

	/* v1, refused. */
	BAD("GET / HTTP/1.0\r\n\r\n", "not a PROXY protocol header"),
	BAD(HELLO, "not a PROXY protocol header"),
	BAD("PROXX TCP4", "not a PROXY protocol header"),
	BAD("PROXYTCP4", "not a PROXY protocol header"),
	BAD("PRO TCP4", "not a PROXY protocol header"),
	BAD("PROXY  TCP4 192.0.2.1 198.51.100.2 12345 1965\r\n",
	    "v1: empty field (two spaces?)"),
	BAD("PROXY TCP4 192.0.2.1  198.51.100.2 12345 1965\r\n",
	    "v1: empty field (two spaces?)"),
	BAD("PROXY TCP5 192.0.2.1 198.51.100.2 12345 1965\r\n",
	    "v1: protocol not TCP4, TCP6 or UNKNOWN"),
	BAD("PROXY tcp4 192.0.2.1 198.51.100.2 12345 1965\r\n",
	    "v1: protocol not TCP4, TCP6 or UNKNOWN"),
	BAD("PROXY UNKNOWNX\r\n", "v1: protocol not TCP4, TCP6 or UNKNOWN"),
	BAD("PROXY UNKNOWN\n", "v1: protocol not TCP4, TCP6 or UNKNOWN"),
	BAD("PROXY UNKNOWN\rX", "v1: CR not followed by LF"),
	BAD("PROXY\r\n", "v1: too few fields"),
	BAD("PROXY TCP4\r\n", "v1: too few fields"),
	BAD("PROXY TCP4 192.0.2.1 198.51.100.2 12345\r\n",
	    "v1: too few fields"),
	BAD(T4 " 7\r\n", "v1: too many fields"),
	BAD(T4 " \r\n", "v1: too many fields"),
	BAD(T4 "\rX", "v1: CR not followed by LF"),
	BAD(T4 "\n", "v1: invalid port"),
	BAD("PROXY TCP4 192.0.2.256 198.51.100.2 12345 1965\r\n",
	    "v1: invalid IPv4 address"),
	BAD("PROXY TCP4 192.0.2.01 198.51.100.2 12345 1965\r\n",
	    "v1: invalid IPv4 address"),
	BAD("PROXY TCP4 192.0.2 198.51.100.2 12345 1965\r\n",
	    "v1: invalid IPv4 address"),
	BAD("PROXY TCP4 192.0.2.1\0 198.51.100.2 12345 1965\r\n",
	    "v1: invalid IPv4 address"),
	BAD("PROXY TCP4 2001:db8::1 198.51.100.2 12345 1965\r\n",
	    "v1: invalid IPv4 address"),
	BAD("PROXY TCP6 192.0.2.1 2001:db8::2 443 1965\r\n",
	    "v1: invalid IPv6 address"),
	BAD("PROXY TCP6 2001:db8::1 1:2:3:4:5:6:7 443 1965\r\n",
	    "v1: invalid IPv6 address"),
	BAD("PROXY TCP6 fe80::1%eth0 2001:db8::2 443 1965\r\n",
	    "v1: invalid IPv6 address"),
	BAD("PROXY TCP4 192.0.2.1 198.51.100.2 65536 1965\r\n",
	    "v1: invalid port"),
	BAD("PROXY TCP4 192.0.2.1 198.51.100.2 01965 1965\r\n",
	    "v1: invalid port"),
	BAD("PROXY TCP4 192.0.2.1 198.51.100.2 +1965 1965\r\n",
	    "v1: invalid port"),
	BAD("PROXY TCP4 192.0.2.1 198.51.100.2 -1 1965\r\n",
	    "v1: invalid port"),
	BAD("PROXY TCP4 192.0.2.1 198.51.100.2 1965x 1965\r\n",
	    "v1: invalid port"),
	BAD("PROXY TCP4 192.0.2.1 198.51.100.2 100000 1965\r\n",
	    "v1: invalid port"),
	/* 108 bytes: the CR falls on byte 107. */
	BAD("PROXY UNKNOWN " FFFF " " FFFF " 65535 655355\r\n",
	    "v1: no CRLF within 107 bytes"),
	/* Valid fields, but the line cannot end within 107 bytes. */
	BAD("PROXY TCP6 " MAPPED " " MAPPED " 65535 65535\r\n",
	    "v1: no CRLF within 107 bytes"),

	/* v1, incomplete or refused early. */
	MORE(""),
	MORE("P"),
	MORE("PROXY"),
	MORE("PROXY "),
	MORE("PROXY UNK"),
	MORE("PROXY UNKNOWN"),
	MORE("PROXY UNKNOWN 1.2"),
	MORE("PROXY UNKNOWN\r"),
	MORE("PROXY TCP4 192.0.2."),
	MORE("PROXY TCP4 192.0.2.1 198.51.100.2 655"),
	MORE("PROXY TCP4 192.0.2.1 198.51.100.2 0"),
	MORE(T4),
	MORE(T4 "\r"),
	MORE("PROXY TCP6 2001:db8:"),
	MORE("PROXY TCP6 ::ffff:1.2."),
	MORE("PROXY TCP6 1:2:3:4:5:6:7:8"),
	MORE("PROXY TCP6 1:2:3:4:5:6:7"),
	BAD("Q", "not a PROXY protocol header"),
	BAD("PROXY X", "v1: protocol not TCP4, TCP6 or UNKNOWN"),
	BAD("PROXY TCP4 192.0.2.256", "v1: invalid address"),
	BAD("PROXY TCP4 1.2.3.4.", "v1: invalid address"),
	BAD("PROXY TCP4 1:", "v1: invalid address"),
	BAD("PROXY TCP6 ::1::", "v1: invalid address"),
	BAD("PROXY TCP6 12345", "v1: invalid address"),
	BAD("PROXY TCP6 g", "v1: invalid address"),
	BAD("PROXY TCP6 1:2:3:4:5:6:7:8:", "v1: invalid address"),
	BAD("PROXY TCP6 ::1.2.3.04", "v1: invalid address"),
	BAD("PROXY TCP4 192.0.2.1 198.51.100.2 00", "v1: invalid port"),
	BAD("PROXY TCP4 192.0.2.1 198.51.100.2 65536", "v1: invalid port"),

	/* v2, accepted. */
	V4(SIG "\x21\x11\x00\x0C" A4, "192.0.2.1", 12345, "198.51.100.2", 1965,
	    28),
	V4(SIG "\x21\x11\x00\x0C" A4 HELLO, "192.0.2.1", 12345, "198.51.100.2",
	    1965, 28),
	V6(SIG "\x21\x21\x00\x24" A6, "2001:db8::1", 443, "2001:db8::2", 1965,
	    52),
	/* TLVs: ALPN "gemini", authority, NOOP padding, a type we ignore. */
	V4(SIG "\x21\x11\x00\x2B" A4 "\x01\x00\x06"
	       "gemini"
	       "\x02\x00\x0B"
	       "example.org"
	       "\x04\x00\x00"
	       "\xE0\x00\x02"
	       "hi",
	    "192.0.2.1", 12345, "198.51.100.2", 1965, 59),
	V6(SIG "\x21\x21\x00\x27" A6 "\x04\x00\x00", "2001:db8::1", 443,
	    "2001:db8::2", 1965, 55),
	/* Health checks: LOCAL, whatever follows, and PROXY over UNSPEC. */
	LOCAL(SIG "\x20\x00\x00\x00", 16),
	LOCAL(SIG "\x20\x00\x00\x00" HELLO, 16),
	LOCAL(SIG "\x20\x11\x00\x0C" A4, 28),
	LOCAL(SIG "\x20\xFF\x00\x03"
		  "abc",
	    19),
	LOCAL(SIG "\x21\x00\x00\x00", 16),
	LOCAL(SIG "\x21\x00\x00\x02"
		  "\x01\x02",
	    18),

	/* v2, refused. */
	BAD("\x0D\x0A\x0D\x0A\x00\x0D\x0A\x51\x55\x49\x58",
	    "not a PROXY protocol header"),
	BAD("\x0D\x0A\x0D\x0A\x01", "not a PROXY protocol header"),
	BAD(SIG "\x11\x11\x00\x0C" A4, "v2: version not 2"),
	BAD(SIG "\x31\x11\x00\x0C" A4, "v2: version not 2"),
	BAD(SIG "\x22\x11\x00\x0C" A4, "v2: command not LOCAL or PROXY"),
	BAD(SIG "\x2F", "v2: command not LOCAL or PROXY"),
	BAD(SIG "\x21\x41\x00\x0C" A4, "v2: unknown address family"),
	BAD(SIG "\x21\x13\x00\x0C" A4, "v2: unknown transport protocol"),
	BAD(SIG "\x21\x12\x00\x0C" A4, "v2: transport not STREAM"),
	BAD(SIG "\x21\x22\x00\x24" A6, "v2: transport not STREAM"),
	BAD(SIG "\x21\x10\x00\x0C" A4, "v2: transport not STREAM"),
	BAD(SIG "\x21\x11\x00\x0B"
		"\xC0\x00\x02\x01"
		"\xC6\x33\x64\x02"
		"\x30\x39\x07",
	    "v2: length shorter than the addresses"),
	BAD(SIG "\x21\x21\x00\x0C" A4, "v2: length shorter than the addresses"),
	BAD(SIG "\x21\x31\x00\x0C" A4, "v2: length shorter than the addresses"),
	BAD(SIG "\x21\x11\x02\x09", "v2: header longer than 536 bytes"),
	BAD(SIG "\x20\x00\xFF\xFF", "v2: header longer than 536 bytes"),
	BAD(SIG "\x21\x11\x00\x0E" A4 "\x04\x00",
	    "v2: TLV overruns the header"),
	BAD(SIG "\x21\x11\x00\x0F" A4 "\x04\x00\x01",
	    "v2: TLV overruns the header"),
	BAD(SIG "\x21\x11\x00\x12" A4 "\x04\x00\x00"
		"\x01\x00\x02"
		"h",
	    "v2: TLV overruns the header"),

	/* v2, incomplete. */
	MORE("\x0D"),
	MORE("\x0D\x0A\x0D\x0A\x00"),
	MORE(SIG),
	MORE(SIG "\x21"),
	MORE(SIG "\x21\x11\x00"),
	MORE(SIG "\x21\x11\x00\x0C"),
	MORE(SIG "\x21\x11\x00\x0C"
		 "\xC0\x00\x02\x01"),
	MORE(SIG "\x20\x00\x02\x08"),
};

/* "ADDR PORT" of a sockaddr, via inet_ntop. */
static const char *
fmt(const struct sockaddr_storage *ss, socklen_t len, char *out, size_t sz)
{
	char a[INET6_ADDRSTRLEN];
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET && len == sizeof(*sin) &&
	    inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a)) != NULL)
		snprintf(out, sz, "%s %u", a, ntohs(sin->sin_port));
	else if (ss->ss_family == AF_INET6 && len == sizeof(*sin6) &&
	    inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a)) != NULL)
		snprintf(out, sz, "%s %u", a, ntohs(sin6->sin6_port));
	else
		snprintf(out, sz, "family %d len %u", ss->ss_family,
		    (unsigned)len);
	return out;
}

static void
check_result(const struct pcase *c, const struct proxy_result *r)
{
	char got[80], want[80];

	T_INT(r->local, c->local);
	T_INT(r->consumed, c->consumed);
	if (c->local)
		return;
	T_INT(r->src.ss_family, c->af);
	T_INT(r->dst.ss_family, c->af);
	snprintf(want, sizeof(want), "%s %d", c->src, c->sport);
	T_STR(fmt(&r->src, r->srclen, got, sizeof(got)), want);
	snprintf(want, sizeof(want), "%s %d", c->dst, c->dport);
	T_STR(fmt(&r->dst, r->dstlen, got, sizeof(got)), want);
}

/*
 * The parser sees the bytes at the end of an exact-size allocation, so
 * under ASan a read past len is caught.
 */
static int
parse_exact(const unsigned char *in, size_t len, struct proxy_result *r,
    const char **err)
{
	unsigned char *p = malloc(len ? len : 1);
	int rc;

	if (p == NULL)
		abort();
	memcpy(p, in, len);
	rc = proxy_parse(p, len, r, err);
	free(p);
	return rc;
}

static void
test_case(const struct pcase *c)
{
	struct proxy_result r;
	const char *err = NULL;
	size_t k;
	int rc, rk, seen_bad = 0;

	memset(&r, 0, sizeof(r));
	rc = parse_exact(c->in, c->len, &r, &err);
	if (rc != c->rc)
		fprintf(stderr, "test_proxy.c:%d: table entry\n", c->line);
	T_INT(rc, c->rc);
	if (rc == 1 && c->rc == 1)
		check_result(c, &r);
	if (c->rc == -1)
		T_STR(err, c->err);

	/* Every shorter prefix: 0 before a header completes, then 1. */
	for (k = 0; k < c->len; k++) {
		rk = parse_exact(c->in, k, &r, &err);
		if (c->rc == 1) {
			if (rk != (k < c->consumed ? 0 : 1))
				fprintf(stderr, "test_proxy.c:%d: prefix %zu\n",
				    c->line, k);
			T_INT(rk, k < c->consumed ? 0 : 1);
		} else if (c->rc == -1) {
			if (seen_bad && rk != -1)
				fprintf(stderr, "test_proxy.c:%d: prefix %zu\n",
				    c->line, k);
			if (seen_bad)
				T_INT(rk, -1);
			seen_bad |= rk == -1;
		} else
			T_INT(rk, 0);
	}
}

/* A v2 header of fam/len with payload bytes all set to fill. */
static size_t
v2_build(unsigned char *out, int vercmd, int fam, size_t len, int fill)
{
	memcpy(out, SIG, 12);
	out[12] = (unsigned char)vercmd;
	out[13] = (unsigned char)fam;
	out[14] = (unsigned char)(len >> 8);
	out[15] = (unsigned char)len;
	memset(out + 16, fill, len);
	return 16 + len;
}

static void
test_limits(void)
{
	unsigned char b[PROXY_MAX_HEADER + 64];
	struct proxy_result r;
	const char *err = NULL;
	size_t n, k;

	/* The largest v2 header: 520 bytes after the fixed 16. */
	n = v2_build(b, 0x20, 0x00, PROXY_MAX_HEADER - 16, 0xAA);
	T_INT(parse_exact(b, n, &r, &err), 1);
	T_INT(r.consumed, PROXY_MAX_HEADER);
	T_INT(r.local, 1);
	T_INT(parse_exact(b, n - 1, &r, &err), 0);
	b[15]++;
	T_INT(parse_exact(b, 16, &r, &err), -1);
	T_STR(err, "v2: header longer than 536 bytes");

	/* INET addresses, then two NOOP TLVs filling it to the limit. */
	n = v2_build(b, 0x21, 0x11, PROXY_MAX_HEADER - 16, 0);
	memcpy(b + 16, A4, 12);
	k = 28;
	b[k] = 0x04;
	b[k + 2] = 255;
	k += 3 + 255;
	b[k] = 0x04;
	b[k + 2] = (unsigned char)(n - k - 3);
	T_INT(n - k - 3, 247);
	T_INT(parse_exact(b, n, &r, &err), 1);
	T_INT(r.consumed, PROXY_MAX_HEADER);
	T_INT(r.local, 0);

	/* UNIX over STREAM: 216 address bytes, kept local; TLVs checked. */
	n = v2_build(b, 0x21, 0x31, 216, 'x');
	T_INT(parse_exact(b, n, &r, &err), 1);
	T_INT(r.local, 1);
	T_INT(r.consumed, 232);
	n = v2_build(b, 0x21, 0x31, 218, 'x');
	b[16 + 216] = 0x04;
	T_INT(parse_exact(b, n, &r, &err), -1);
	T_STR(err, "v2: TLV overruns the header");

	/* Nothing is ever left undecided at PROXY_MAX_HEADER bytes. */
	memset(b, 'x', sizeof(b));
	memcpy(b, "PROXY UNKNOWN ", 14);
	T_INT(parse_exact(b, 105, &r, &err), 0);
	T_INT(parse_exact(b, 106, &r, &err), -1);
	T_INT(parse_exact(b, PROXY_MAX_HEADER, &r, &err), -1);

	/* errstr may be NULL. */
	T_INT(proxy_parse((const unsigned char *)"X", 1, &r, NULL), -1);
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		test_case(&cases[i]);
	test_limits();
	return t_done();
}
