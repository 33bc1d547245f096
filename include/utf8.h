/*
 * utf8: the one UTF-8 decoder and validator. Well-formed means RFC 3629
 * (and cmark's CMARK_OPT_VALIDATE_UTF8): no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF, no sequence cut short.
 * U+FFFE and U+FFFF are well-formed. Pure: no allocation, no I/O.
 */
#ifndef CAPSULED_UTF8_H
#define CAPSULED_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/*
 * The length (1 to 4) of the well-formed sequence at s, with n > 0 bytes
 * available, or 0 when it is not one; *cp (if not NULL) gets the code
 * point.
 */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/*
 * The same, reading on past trouble: an ill-formed byte is U+FFFD of
 * length 1. n > 0; cp may be NULL.
 */
size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp);
/* The start of the sequence that holds byte i of s (i itself for ASCII). */
size_t utf8_back(const char *s, size_t i);
/* The length of the longest well-formed prefix of s. */
size_t utf8_valid_prefix(const char *s, size_t n);
/* Is all of s well-formed (NUL bytes allowed)? */
int utf8_valid(const char *s, size_t n);
/* Is all of s well-formed, without a NUL byte? */
int utf8_valid_text(const char *s, size_t n);
/*
 * Writes cp as UTF-8 to out (4 bytes room) and returns the length;
 * a surrogate or a value above U+10FFFF is written as U+FFFD.
 */
size_t utf8_encode(uint32_t cp, char *out);
/*
 * Columns s takes in a terminal (see utf8.c for the table and why not
 * wcwidth); an ill-formed byte counts as one.
 */
size_t utf8_width(const char *s, size_t n);

#endif
