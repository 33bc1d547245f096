/*
 * utf8: decoding and validation by the table of well-formed byte
 * sequences (RFC 3629, section 4): the lead byte fixes the length and the
 * range of the second byte, which is what rules out overlong forms,
 * surrogates and code points above U+10FFFF.
 */
#include <string.h>

#include "utf8.h"

size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char lo = 0x80, hi = 0xbf;
	uint32_t c;
	size_t len, i;

	if (s[0] < 0x80) {
		if (cp)
			*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0; /* overlong below U+0800 */
		else if (s[0] == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90; /* overlong below U+10000 */
		else if (s[0] == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (cp)
		*cp = c;
	return len;
}

size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t k = utf8_decode(s, n, cp);

	if (k == 0) {
		if (cp)
			*cp = 0xfffd;
		k = 1;
	}
	return k;
}

size_t
utf8_back(const char *s, size_t i)
{
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	return i;
}

size_t
utf8_valid_prefix(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t w;
	size_t i = 0, k;

	while (i < n) {
		/* Posts are mostly ASCII: eight bytes at a time. */
		if (n - i >= 8) {
			memcpy(&w, p + i, 8);
			if ((w & high) == 0) {
				i += 8;
				continue;
			}
		}
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_decode(p + i, n - i, NULL)) == 0)
			return i;
		i += k;
	}
	return n;
}

int
utf8_valid(const char *s, size_t n)
{
	return utf8_valid_prefix(s, n) == n;
}

int
utf8_valid_text(const char *s, size_t n)
{
	return memchr(s, '\0', n) == NULL && utf8_valid(s, n);
}

size_t
utf8_encode(uint32_t cp, char *out)
{
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Columns a code point takes in a terminal, for the common ranges only:
 * combining marks, zero-width and variation selectors 0, East Asian wide
 * and emoji 2, the rest 1. Not wcwidth(3): it answers by LC_CTYPE, and
 * in the C locale capsuled runs in (it never calls setlocale, a
 * process-wide switch no pure module may flip, and a chroot may hold no
 * locale data) glibc's wcwidth is -1 for every character past ASCII
 * (measured: U+65E5, U+00E9, U+1F600 all -1; 2, 1, 2 in C.UTF-8); its
 * tables also change with the glibc version, and a table's padding
 * would with them.
 */
static int
cpwidth(uint32_t c)
{
	static const uint32_t zero[][2] = {
		{ 0x0300, 0x036f },
		{ 0x0483, 0x0489 },
		{ 0x0591, 0x05bd },
		{ 0x0610, 0x061a },
		{ 0x064b, 0x065f },
		{ 0x0e31, 0x0e31 },
		{ 0x0e34, 0x0e3a },
		{ 0x0e47, 0x0e4e },
		{ 0x1ab0, 0x1aff },
		{ 0x1dc0, 0x1dff },
		{ 0x200b, 0x200f },
		{ 0x2060, 0x2064 },
		{ 0x20d0, 0x20ff },
		{ 0x302a, 0x302f },
		{ 0x3099, 0x309a },
		{ 0xfe00, 0xfe0f },
		{ 0xfe20, 0xfe2f },
		{ 0xfeff, 0xfeff },
		{ 0x1f3fb, 0x1f3ff },
		{ 0xe0000, 0xe0fff },
	};
	static const uint32_t wide[][2] = {
		{ 0x1100, 0x115f },
		{ 0x231a, 0x231b },
		{ 0x2329, 0x232a },
		{ 0x23e9, 0x23ec },
		{ 0x23f0, 0x23f0 },
		{ 0x23f3, 0x23f3 },
		{ 0x25fd, 0x25fe },
		{ 0x2614, 0x2615 },
		{ 0x2648, 0x2653 },
		{ 0x267f, 0x267f },
		{ 0x2693, 0x2693 },
		{ 0x26a1, 0x26a1 },
		{ 0x26aa, 0x26ab },
		{ 0x26bd, 0x26be },
		{ 0x26c4, 0x26c5 },
		{ 0x26ce, 0x26ce },
		{ 0x26d4, 0x26d4 },
		{ 0x26ea, 0x26ea },
		{ 0x26f2, 0x26f5 },
		{ 0x26fa, 0x26fd },
		{ 0x2705, 0x2705 },
		{ 0x270a, 0x270b },
		{ 0x2728, 0x2728 },
		{ 0x274c, 0x274c },
		{ 0x2753, 0x2755 },
		{ 0x2757, 0x2757 },
		{ 0x2795, 0x2797 },
		{ 0x27b0, 0x27b0 },
		{ 0x27bf, 0x27bf },
		{ 0x2b1b, 0x2b1c },
		{ 0x2b50, 0x2b50 },
		{ 0x2b55, 0x2b55 },
		{ 0x2e80, 0x303e },
		{ 0x3041, 0x33ff },
		{ 0x3400, 0x4dbf },
		{ 0x4e00, 0x9fff },
		{ 0xa000, 0xa4cf },
		{ 0xa960, 0xa97f },
		{ 0xac00, 0xd7a3 },
		{ 0xf900, 0xfaff },
		{ 0xfe10, 0xfe19 },
		{ 0xfe30, 0xfe6f },
		{ 0xff00, 0xff60 },
		{ 0xffe0, 0xffe6 },
		{ 0x16fe0, 0x18cff },
		{ 0x1b000, 0x1b2ff },
		{ 0x1f004, 0x1f004 },
		{ 0x1f0cf, 0x1f0cf },
		{ 0x1f18e, 0x1f18e },
		{ 0x1f191, 0x1f19a },
		{ 0x1f200, 0x1f251 },
		{ 0x1f300, 0x1f64f },
		{ 0x1f680, 0x1f6ff },
		{ 0x1f7e0, 0x1f7eb },
		{ 0x1f90c, 0x1f9ff },
		{ 0x1fa70, 0x1faff },
		{ 0x20000, 0x3fffd },
	};
	size_t i;

	if (c < 0x300)
		return 1;
	for (i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		if (c >= zero[i][0] && c <= zero[i][1])
			return 0;
	for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (c >= wide[i][0] && c <= wide[i][1])
			return 2;
	return 1;
}

size_t
utf8_width(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	size_t i, k, w = 0;

	for (i = 0; i < n; i += k) {
		k = utf8_next(p + i, n - i, &c);
		w += (size_t)cpwidth(c);
	}
	return w;
}
