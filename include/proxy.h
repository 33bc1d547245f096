/*
 * proxy: PROXY protocol v1 and v2 header parsing (haproxy's
 * proxy-protocol.txt), incremental so a listener can call it on every
 * read before the TLS handshake. Pure: no I/O, no allocation.
 */
#ifndef CAPSULED_PROXY_H
#define CAPSULED_PROXY_H

#include <stddef.h>
#include <sys/socket.h>

#define PROXY_MAX_HEADER \
	536 /* bytes: v1 is at most 107, v2 16 + 520 we accept */

struct proxy_result {
	int local; /* v1 UNKNOWN or v2 LOCAL: keep the socket's own addresses */
	struct sockaddr_storage src, dst; /* when !local; same family */
	socklen_t srclen, dstlen; /* sizeof(struct sockaddr_in or _in6) */
	size_t consumed;	  /* header bytes to drop from the stream */
};

/*
 * Examines the first len bytes received. Returns 1 when a complete header
 * was parsed (r filled), 0 when more bytes are needed, -1 when it is not a
 * valid PROXY header (*errstr says why, a static string). Never reads
 * beyond len; never needs more than PROXY_MAX_HEADER bytes, so 0 with
 * len >= PROXY_MAX_HEADER cannot happen.
 *
 * A prefix that no valid header starts with gives -1 at once (the first
 * byte is neither 'P' nor 0x0D, a v1 word or port goes wrong, a v2 byte
 * is out of range), so a caller need not wait for its deadline. One
 * allowance: a v1 address may be a valid prefix yet too long to fit the
 * 107-byte line, which is then noticed once 106 bytes hold no CR.
 *
 * v1: "PROXY TCP4|TCP6 SRC DST SPORT DPORT\r\n" with single spaces,
 * addresses as inet_pton(3) reads them, ports 0..65535 in decimal without
 * leading zeros; "PROXY UNKNOWN" then anything up to CRLF gives local.
 * v2: version 2 only; LOCAL gives local whatever its family; PROXY over
 * AF_INET or AF_INET6 STREAM gives addresses, over AF_UNSPEC or AF_UNIX
 * gives local; DGRAM, unknown families and commands are refused. TLVs are
 * skipped, but after INET, INET6 or UNIX addresses they must tile the
 * rest of the length exactly; LOCAL and UNSPEC blocks are skipped blind.
 */
int proxy_parse(const unsigned char *buf, size_t len, struct proxy_result *r,
    const char **errstr);

#endif
