/*
 * proxy: parses a PROXY protocol v1 or v2 header from the first bytes of
 * a connection, incrementally: each call looks at everything received so
 * far and says done, need more, or refuse. It keeps no state, so the
 * caller only keeps its buffer. Pure: no I/O, no logging, no allocation.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <string.h>

#include "proxy.h"

#define PROXY_V1_MAX	 107 /* bytes of a v1 line, CRLF included */
#define PROXY_V1_FIELDS	 6   /* PROXY, protocol, src, dst, sport, dport */
#define PROXY_V1_PORTLEN 5   /* digits of the largest port, 65535 */
#define PROXY_V2_SIGLEN	 12  /* bytes of the v2 signature */
#define PROXY_V2_FIXED	 16  /* signature, ver_cmd, fam, 16-bit length */
#define PROXY_V2_MAXLEN \
	(PROXY_MAX_HEADER - PROXY_V2_FIXED) /* bytes after
				 * the fixed part: addresses and TLVs */
#define PROXY_V2_INET	12		    /* address bytes: 2 IPv4, 2 ports */
#define PROXY_V2_INET6	36		    /* address bytes: 2 IPv6, 2 ports */
#define PROXY_V2_UNIX	216 /* address bytes: 2 sun_path of 108 */
#define PROXY_V2_TLVHDR 3   /* TLV type and 16-bit length */

static const unsigned char v2_sig[PROXY_V2_SIGLEN] = { 0x0D, 0x0A, 0x0D, 0x0A,
	0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A };

static const char *const v1_protos[] = { "TCP4", "TCP6", "UNKNOWN" };

static int
fail(const char **errstr, const char *why)
{
	if (errstr != NULL)
		*errstr = why;
	return -1;
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/*
 * A port, whole or (partial) only begun: decimal digits, no leading zero
 * (haproxy and nginx never send one; being strict costs nothing), at
 * most 65535. Returns the value, or -1.
 */
static long
v1_port(const char *s, size_t n, int partial)
{
	long v = 0;
	size_t i;

	if (n == 0)
		return partial ? 0 : -1;
	if (n > PROXY_V1_PORTLEN || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 65535 ? v : -1;
}

static int
try_addr(int af, const char *s, size_t n, const char *tail, void *out)
{
	char tmp[PROXY_V1_MAX + 32];
	size_t tn = strlen(tail);
	unsigned char scratch[sizeof(struct in6_addr)];

	/* inet_pton stops at a NUL: "1.2.3.4\0junk" must not pass. */
	if (n + tn >= sizeof(tmp) || memchr(s, '\0', n) != NULL)
		return 0;
	memcpy(tmp, s, n);
	memcpy(tmp + n, tail, tn + 1);
	return inet_pton(af, tmp, out != NULL ? out : scratch) == 1;
}

/*
 * Whether some completion of the begun address s[0..n) is an address
 * inet_pton(3) accepts. Each ending of a valid prefix has a shortest
 * completion among a few tails: zeros for the missing IPv4 octets, a
 * group, a "::" or a separator for IPv6. Trying them all asks inet_pton
 * itself, rather than a second grammar that could disagree with it.
 */
static int
v1_addr_prefix(int af, const char *s, size_t n)
{
	static const char *const v6tails[] = { "", "0", ":", "::", "0::", ":0",
		".0.0.0", "0.0.0.0" };
	const char *seg;
	char tail[16];
	size_t i, dots = 0, segn;

	if (n == 0)
		return 1;
	/* The IPv4 part is the segment after the last ':' (all for AF_INET). */
	for (i = n, seg = s; i > 0; i--)
		if (s[i - 1] == ':') {
			seg = s + i;
			break;
		}
	segn = n - (size_t)(seg - s);
	for (i = 0; i < segn; i++)
		if (seg[i] == '.')
			dots++;
	if (dots <= 3 && (af == AF_INET || dots > 0)) {
		tail[0] = '\0';
		if (segn > 0 && seg[segn - 1] == '.')
			strcat(tail, "0");
		for (i = dots; i < 3; i++)
			strcat(tail, ".0");
		if (try_addr(af, s, n, tail, NULL))
			return 1;
	}
	if (af == AF_INET)
		return 0;
	for (i = 0; i < sizeof(v6tails) / sizeof(v6tails[0]); i++)
		if (try_addr(af, s, n, v6tails[i], NULL))
			return 1;
	return 0;
}

/*
 * Checks field f of a v1 line, s[0..n), complete or only begun (partial);
 * a complete address or port is stored in res. *af carries the family
 * from the protocol field to the addresses.
 */
static int
v1_field(int f, const char *s, size_t n, int partial, int *af,
    struct proxy_result *res, const char **errstr)
{
	struct sockaddr_in *sin;
	struct sockaddr_in6 *sin6;
	struct sockaddr_storage *ss;
	size_t i, wl;
	long port;

	if (n == 0 && !partial)
		return fail(errstr, "v1: empty field (two spaces?)");
	switch (f) {
	case 0:
		if (n > 5 || memcmp(s, "PROXY", n) != 0 || (!partial && n != 5))
			return fail(errstr, "not a PROXY protocol header");
		return 0;
	case 1:
		for (i = 0; i < sizeof(v1_protos) / sizeof(v1_protos[0]); i++) {
			wl = strlen(v1_protos[i]);
			if (n <= wl && memcmp(s, v1_protos[i], n) == 0 &&
			    (partial || n == wl))
				break;
		}
		if (i == sizeof(v1_protos) / sizeof(v1_protos[0]))
			return fail(errstr,
			    "v1: protocol not TCP4, TCP6 or UNKNOWN");
		if (!partial)
			*af = i == 0 ? AF_INET : i == 1 ? AF_INET6 : AF_UNSPEC;
		return 0;
	case 2:
	case 3:
		if (partial) {
			if (!v1_addr_prefix(*af, s, n))
				return fail(errstr, "v1: invalid address");
			return 0;
		}
		ss = f == 2 ? &res->src : &res->dst;
		ss->ss_family = (sa_family_t)*af;
		if (*af == AF_INET) {
			sin = (struct sockaddr_in *)ss;
			if (!try_addr(AF_INET, s, n, "", &sin->sin_addr))
				return fail(errstr, "v1: invalid IPv4 address");
			*(f == 2 ? &res->srclen : &res->dstlen) = sizeof(*sin);
		} else {
			sin6 = (struct sockaddr_in6 *)ss;
			if (!try_addr(AF_INET6, s, n, "", &sin6->sin6_addr))
				return fail(errstr, "v1: invalid IPv6 address");
			*(f == 2 ? &res->srclen : &res->dstlen) = sizeof(*sin6);
		}
		return 0;
	default:
		if ((port = v1_port(s, n, partial)) == -1)
			return fail(errstr, "v1: invalid port");
		if (partial)
			return 0;
		ss = f == 4 ? &res->src : &res->dst;
		if (*af == AF_INET)
			((struct sockaddr_in *)ss)->sin_port =
			    htons((uint16_t)port);
		else
			((struct sockaddr_in6 *)ss)->sin6_port =
			    htons((uint16_t)port);
		return 0;
	}
}

/*
 * The line ends at the first CR, which must be followed by LF and leave
 * the whole within PROXY_V1_MAX bytes. At buf[cr] == '\r'.
 */
static int
v1_end(const unsigned char *buf, size_t len, size_t cr,
    struct proxy_result *res, struct proxy_result *r, const char **errstr)
{
	if (cr + 2 > PROXY_V1_MAX)
		return fail(errstr, "v1: line longer than 107 bytes");
	if (cr + 1 == len)
		return 0;
	if (buf[cr + 1] != '\n')
		return fail(errstr, "v1: CR not followed by LF");
	res->consumed = cr + 2;
	*r = *res;
	return 1;
}

static int
v1_parse(const unsigned char *buf, size_t len, struct proxy_result *r,
    const char **errstr)
{
	struct proxy_result res;
	const char *s = (const char *)buf;
	size_t i, start = 0, n;
	int f = 0, af = AF_UNSPEC;

	/* The CR is at most byte 106, leaving byte 107 for the LF. */
	n = len < PROXY_V1_MAX - 1 ? len : PROXY_V1_MAX - 1;
	memset(&res, 0, sizeof(res));
	for (i = 0; i < n; i++) {
		if (buf[i] != ' ' && buf[i] != '\r')
			continue;
		if (v1_field(f, s + start, i - start, 0, &af, &res, errstr) ==
		    -1)
			return -1;
		if (f == 1 && af == AF_UNSPEC) {
			/* UNKNOWN: the spec says ignore the rest of the line. */
			res.local = 1;
			while (i < n && buf[i] != '\r')
				i++;
			if (i == n)
				break;
			return v1_end(buf, len, i, &res, r, errstr);
		}
		if (buf[i] == '\r') {
			if (f != PROXY_V1_FIELDS - 1)
				return fail(errstr, "v1: too few fields");
			return v1_end(buf, len, i, &res, r, errstr);
		}
		if (++f == PROXY_V1_FIELDS)
			return fail(errstr, "v1: too many fields");
		start = i + 1;
	}
	if (n == PROXY_V1_MAX - 1)
		return fail(errstr, "v1: no CRLF within 107 bytes");
	if (f == 1 && af == AF_UNSPEC && res.local)
		return 0;
	if (v1_field(f, s + start, n - start, 1, &af, &res, errstr) == -1)
		return -1;
	return 0;
}

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* TLVs must tile buf[0..n) exactly: a half TLV means a broken sender. */
static int
v2_tlvs(const unsigned char *p, size_t n, const char **errstr)
{
	size_t off = 0;

	while (off < n) {
		if (n - off < PROXY_V2_TLVHDR ||
		    n - off - PROXY_V2_TLVHDR < get16(p + off + 1))
			return fail(errstr, "v2: TLV overruns the header");
		off += PROXY_V2_TLVHDR + get16(p + off + 1);
	}
	return 0;
}

static int
v2_parse(const unsigned char *buf, size_t len, struct proxy_result *r,
    const char **errstr)
{
	struct proxy_result res;
	struct sockaddr_in *s4, *d4;
	struct sockaddr_in6 *s6, *d6;
	const unsigned char *a;
	size_t n, need = 0;
	int cmd = 0, fam = 0, proto = 0;

	n = len < PROXY_V2_SIGLEN ? len : PROXY_V2_SIGLEN;
	if (memcmp(buf, v2_sig, n) != 0)
		return fail(errstr, "not a PROXY protocol header");
	if (len > 12) {
		if (buf[12] >> 4 != 2)
			return fail(errstr, "v2: version not 2");
		cmd = buf[12] & 0x0F;
		if (cmd > 1)
			return fail(errstr, "v2: command not LOCAL or PROXY");
	}
	/* LOCAL: the spec says ignore the family; health checks send 0. */
	if (len > 13 && cmd == 1) {
		fam = buf[13] >> 4;
		proto = buf[13] & 0x0F;
		if (fam > 3)
			return fail(errstr, "v2: unknown address family");
		if (proto > 2)
			return fail(errstr, "v2: unknown transport protocol");
		if (fam != 0 && proto != 1)
			return fail(errstr, "v2: transport not STREAM");
		need = fam == 1 ? PROXY_V2_INET :
		    fam == 2	? PROXY_V2_INET6 :
		    fam == 3	? PROXY_V2_UNIX :
				  0;
	}
	if (len < PROXY_V2_FIXED)
		return 0;
	n = get16(buf + 14);
	if (n > PROXY_V2_MAXLEN)
		return fail(errstr, "v2: header longer than 536 bytes");
	if (n < need)
		return fail(errstr, "v2: length shorter than the addresses");
	if (len < PROXY_V2_FIXED + n)
		return 0;

	memset(&res, 0, sizeof(res));
	res.consumed = PROXY_V2_FIXED + n;
	a = buf + PROXY_V2_FIXED;
	if (need > 0 && v2_tlvs(a + need, n - need, errstr) == -1)
		return -1;
	/* UNSPEC or UNIX: nothing a TCP peer address can say. */
	if (cmd == 0 || fam == 0 || fam == 3) {
		res.local = 1;
	} else if (fam == 1) {
		s4 = (struct sockaddr_in *)&res.src;
		d4 = (struct sockaddr_in *)&res.dst;
		s4->sin_family = d4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a, 4);
		memcpy(&d4->sin_addr, a + 4, 4);
		memcpy(&s4->sin_port, a + 8, 2);
		memcpy(&d4->sin_port, a + 10, 2);
		res.srclen = res.dstlen = sizeof(*s4);
	} else {
		s6 = (struct sockaddr_in6 *)&res.src;
		d6 = (struct sockaddr_in6 *)&res.dst;
		s6->sin6_family = d6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a, 16);
		memcpy(&d6->sin6_addr, a + 16, 16);
		memcpy(&s6->sin6_port, a + 32, 2);
		memcpy(&d6->sin6_port, a + 34, 2);
		res.srclen = res.dstlen = sizeof(*s6);
	}
	*r = res;
	return 1;
}

int
proxy_parse(const unsigned char *buf, size_t len, struct proxy_result *r,
    const char **errstr)
{
	if (len == 0)
		return 0;
	if (buf[0] == 'P')
		return v1_parse(buf, len, r, errstr);
	if (buf[0] == v2_sig[0])
		return v2_parse(buf, len, r, errstr);
	return fail(errstr, "not a PROXY protocol header");
}
