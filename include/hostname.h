/*
 * hostname: the host names capsuled serves, checked and brought to the
 * one form used everywhere (SNI, URLs, certificate SAN and file name):
 * an IP literal, or a DNS name of lowercase LDH labels, where a label in
 * Unicode becomes its IDNA A-label ("xn--" + Punycode, RFC 3492). There
 * is no Unicode case mapping (IDNA2008 has none): a Unicode label is
 * encoded as written, so write it in lowercase. Pure: no I/O.
 */
#ifndef CAPSULED_HOSTNAME_H
#define CAPSULED_HOSTNAME_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define HOSTNAME_MAX 253 /* bytes of a DNS name, dots included */

/* Is host an IPv4 or IPv6 address (no brackets)? */
int hostname_is_ip(const char *host);
/*
 * Punycode (RFC 3492) of the n code points in cp, appended to out (no
 * "xn--"). ASCII letters keep their case. Returns 0, or -1 on overflow.
 */
int punycode_encode(const uint32_t *cp, size_t n, struct buf *out);
/*
 * The served form of name: an IP literal as given, or the DNS name in
 * lowercase with its Unicode labels as A-labels. NULL when name is
 * neither (*why then says what is wrong: a path, an empty label, ...).
 */
char *hostname_normalize(const char *name, const char **why);

#endif
