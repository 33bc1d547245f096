/*
 * test_utf8: the one UTF-8 decoder (utf8.c), table-driven: every length,
 * the edges of each range, overlongs, surrogates, U+FFFF, U+10FFFF and
 * past it, stray and cut-short sequences, and the 8-byte ASCII path.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "t.h"
#include "utf8.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *s; /* one sequence (or its attempt) */
	size_t len;    /* utf8_decode: its length, 0 invalid */
	uint32_t cp;   /* the code point when valid */
	const char *why;
} seqs[] = {
	{ "a", 1, 0x61, "ASCII" },
	{ "\x7f", 1, 0x7f, "DEL, the last one-byte" },
	{ "\xc2\x80", 2, 0x80, "first two-byte" },
	{ "\xc3\xa9", 2, 0xe9, "e acute" },
	{ "\xdf\xbf", 2, 0x7ff, "last two-byte" },
	{ "\xe0\xa0\x80", 3, 0x800, "first three-byte" },
	{ "\xed\x9f\xbf", 3, 0xd7ff, "just below the surrogates" },
	{ "\xee\x80\x80", 3, 0xe000, "just above the surrogates" },
	{ "\xef\xbf\xbd", 3, 0xfffd, "U+FFFD" },
	{ "\xef\xbf\xbe", 3, 0xfffe, "U+FFFE, a noncharacter, well-formed" },
	{ "\xef\xbf\xbf", 3, 0xffff, "U+FFFF, a noncharacter, well-formed" },
	{ "\xf0\x90\x80\x80", 4, 0x10000, "first four-byte" },
	{ "\xf0\x9f\x98\x80", 4, 0x1f600, "an emoji" },
	{ "\xf4\x8f\xbf\xbf", 4, 0x10ffff, "U+10FFFF, the last" },
	/* Overlong forms. */
	{ "\xc0\x80", 0, 0, "overlong NUL" },
	{ "\xc1\xbf", 0, 0, "overlong U+007F" },
	{ "\xe0\x80\x80", 0, 0, "overlong three-byte NUL" },
	{ "\xe0\x9f\xbf", 0, 0, "overlong U+07FF" },
	{ "\xf0\x80\x80\x80", 0, 0, "overlong four-byte NUL" },
	{ "\xf0\x8f\xbf\xbf", 0, 0, "overlong U+FFFF" },
	/* Surrogates. */
	{ "\xed\xa0\x80", 0, 0, "U+D800, first surrogate" },
	{ "\xed\xbf\xbf", 0, 0, "U+DFFF, last surrogate" },
	/* Past U+10FFFF, and bytes that never appear. */
	{ "\xf4\x90\x80\x80", 0, 0, "U+110000" },
	{ "\xf5\x80\x80\x80", 0, 0, "lead F5" },
	{ "\xf7\xbf\xbf\xbf", 0, 0, "U+1FFFFF" },
	{ "\xf8\x88\x80\x80\x80", 0, 0, "five-byte form" },
	{ "\xfc\x84\x80\x80\x80\x80", 0, 0, "six-byte form" },
	{ "\xfe", 0, 0, "FE" },
	{ "\xff", 0, 0, "FF" },
	/* Stray continuation bytes, bad continuations, cut short. */
	{ "\x80", 0, 0, "lone continuation" },
	{ "\xbf", 0, 0, "lone continuation BF" },
	{ "\xc3", 0, 0, "two-byte cut short" },
	{ "\xe2\x82", 0, 0, "three-byte cut short" },
	{ "\xf0\x9f\x98", 0, 0, "four-byte cut short" },
	{ "\xc3\x28", 0, 0, "two-byte, ASCII second" },
	{ "\xe2\x28\xa1", 0, 0, "three-byte, ASCII second" },
	{ "\xe2\x82\x28", 0, 0, "three-byte, ASCII third" },
	{ "\xf0\x9f\x28\x80", 0, 0, "four-byte, ASCII third" },
	{ "\xf0\x9f\x98\x28", 0, 0, "four-byte, ASCII fourth" },
	{ "\xc3\xc3", 0, 0, "lead byte as continuation" },
};

static void
test_decode(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(seqs); i++) {
		uint32_t cp = 0xdeadbeef;
		size_t n = strlen(seqs[i].s), got;

		got = utf8_decode((const unsigned char *)seqs[i].s, n, &cp);
		if (got != seqs[i].len)
			fprintf(stderr, "case: %s\n", seqs[i].why);
		T_INT(got, seqs[i].len);
		if (seqs[i].len)
			T_INT(cp, seqs[i].cp);
		/* The whole string is valid exactly when the sequence is. */
		T_INT(utf8_valid(seqs[i].s, n), seqs[i].len == n);
		T_INT(utf8_valid_prefix(seqs[i].s, n),
		    seqs[i].len == n ? n : 0);
		/* A sequence cut by the length given is invalid. */
		if (seqs[i].len > 1)
			T_INT(utf8_decode((const unsigned char *)seqs[i].s,
				  seqs[i].len - 1, NULL),
			    0);
	}
	T_INT(utf8_decode((const unsigned char *)"", 1, NULL), 1); /* NUL */
}

/* The 8-byte ASCII path: a bad byte anywhere in a long run is found. */
static void
test_prefix(void)
{
	char s[40];
	size_t at;

	for (at = 0; at < 32; at++) {
		memset(s, 'x', sizeof(s));
		s[at] = (char)0x80;
		T_INT(utf8_valid_prefix(s, sizeof(s)), at);
	}
	memset(s, 'x', sizeof(s));
	memcpy(s + 7, "\xe2\x82\xac", 3); /* a euro across the word edge */
	T_INT(utf8_valid_prefix(s, sizeof(s)), sizeof(s));
	memcpy(s + 30, "\xe2\x82", 2);
	T_INT(utf8_valid_prefix(s, 32), 30); /* cut short at the end */
	T_INT(utf8_valid("", 0), 1);
}

static void
test_text(void)
{
	T_INT(utf8_valid("a\0b", 3), 1);      /* NUL is well-formed */
	T_INT(utf8_valid_text("a\0b", 3), 0); /* but not text */
	T_INT(utf8_valid_text("caf\xc3\xa9", 5), 1);
	T_INT(utf8_valid_text("caf\xc3", 4), 0);
	T_INT(utf8_valid_text("0123456789abcdef\0", 17), 0);
}

static void
test_encode(void)
{
	static const uint32_t cps[] = { 0x0, 0x41, 0x7f, 0x80, 0x7ff, 0x800,
		0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x10ffff };
	char out[4];
	size_t i, n;
	uint32_t back;

	for (i = 0; i < ARRAY_LEN(cps); i++) {
		n = utf8_encode(cps[i], out);
		T_INT(utf8_decode((unsigned char *)out, n, &back), n);
		T_INT(back, cps[i]);
	}
	/* Not scalar values: U+FFFD instead. */
	T_INT(utf8_encode(0xd800, out), 3);
	T_OK(memcmp(out, UTF8_REPLACEMENT, 3) == 0);
	T_INT(utf8_encode(0x110000, out), 3);
	T_OK(memcmp(out, UTF8_REPLACEMENT, 3) == 0);
}

/* utf8_next reads on past trouble; utf8_back finds a sequence's start. */
static void
test_next_back(void)
{
	static const struct {
		const char *s;
		size_t len;
		uint32_t cp;
	} v[] = {
		{ "A", 1, 0x41 },
		{ "\xc3\xa9x", 2, 0xe9 },
		{ "\xe6\x97\xa5", 3, 0x65e5 },
		{ "\xf0\x9f\x98\x80", 4, 0x1f600 },
		{ "\xc3", 1, 0xfffd },	       /* cut short */
		{ "\xc0\xaf", 1, 0xfffd },     /* overlong */
		{ "\xed\xa0\x80", 1, 0xfffd }, /* surrogate */
		{ "\x80", 1, 0xfffd },	       /* stray continuation */
		{ "\xff", 1, 0xfffd },
	};
	const char *s = "a\xc3\xa9\xe6\x97\xa5";
	size_t i;
	uint32_t cp;

	for (i = 0; i < ARRAY_LEN(v); i++) {
		T_INT(utf8_next((const unsigned char *)v[i].s, strlen(v[i].s),
			  &cp),
		    v[i].len);
		T_INT(cp, v[i].cp);
	}
	T_INT(utf8_next((const unsigned char *)"x", 1, NULL), 1);
	T_INT(utf8_back(s, 0), 0);
	T_INT(utf8_back(s, 1), 1);
	T_INT(utf8_back(s, 2), 1);
	T_INT(utf8_back(s, 5), 3);
	T_INT(utf8_back("\x80\x80", 1), 0); /* never before the start */
}

/* Terminal columns, as table cells are padded. */
static void
test_width(void)
{
	static const struct {
		const char *s;
		size_t w;
	} v[] = {
		{ "", 0 }, { "abc", 3 }, { "caf\xc3\xa9", 4 }, /* é: 1 */
		{ "e\xcc\x81", 1 },			   /* e + U+0301: 1 */
		{ "\xe6\x97\xa5\xe6\x9c\xac", 4 },	   /* 日本: 2 each */
		{ "\xed\x95\x9c", 2 },			   /* 한 */
		{ "\xef\xbc\xa1", 2 },			   /* fullwidth A */
		{ "\xf0\x9f\x98\x80", 2 },		   /* 😀 */
		{ "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", 2 }, /* 👍 + tone */
		{ "\xe2\x80\x8b", 0 },			   /* ZWSP */
		{ "\xe2\x98\x85", 1 },			   /* ★ */
		{ "\xe2\xad\x90", 2 },			   /* ⭐ */
		{ "\xf0\xa0\x80\x80", 2 },		   /* U+20000 */
		{ "a\xff"
		  "b",
		    3 }, /* a stray byte: 1 */
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(v); i++)
		T_INT(utf8_width(v[i].s, strlen(v[i].s)), v[i].w);
}

int
main(void)
{
	test_decode();
	test_prefix();
	test_text();
	test_encode();
	test_next_back();
	test_width();
	return t_done();
}
