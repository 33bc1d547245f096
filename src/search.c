/*
 * search: an in-memory inverted index of a capsule's posts and the query
 * language readers type at the `10` prompt. Pure: no I/O.
 *
 * Terms are folded (lowercase, accents removed for Latin, Greek and
 * Cyrillic, fullwidth ASCII narrowed). Han, kana and Hangul have no
 * spaces between words: each character is a term and so is each pair of
 * neighbours, so `藤本` (one bigram) and `ルックバック` (five bigrams at
 * consecutive positions, matched as a phrase) are found in running text.
 *
 * Postings: one bit stream per term, documents in ascending slot
 * order, each entry its slot gap (Rice, k per block), tf (gamma) and its
 * positions (Rice, k from the document's length over tf; a single one
 * in truncated binary; with tf >= LONG_TF their length first, so a
 * reader that only needs tf skips them). No other copy of a document's
 * words is kept: a phrase is checked by intersecting its terms'
 * positions, terms near each other rank higher by the same positions,
 * whether a term is in the title is whether its first position is
 * below the title's end. Long streams have a skip entry every
 * BLOCK_BITS; after a build (search_trim) the short ones are packed in
 * one allocation. Term ids come in order of first use. Slots are never
 * reused: an update appends the new text under a new slot and marks the
 * old one dead; when the dead outnumber the living the postings are
 * rewritten without them. The index keeps no text when it has a text
 * source: snippets ask it for the text of the documents on the page
 * shown.
 */
#include <ctype.h>
#include <endian.h>
#include <malloc.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "html.h"
#include "prose.h"
#include "search.h"
#include "utf8.h"
#include "util.h"

#define BM25_K1	    1.2
#define BM25_B	    0.75
#define SNIPPET_MAX 240 /* bytes of a snippet, marks excluded */
#define ARENA_CHUNK 65536
#define BODY_GAP    2 /* positions between title and body */
#define MAX_PAGE    10000
#define PROX_WEIGHT 0.5 /* adjacent terms: up to half their idf more */
#define PROX_RERANK 200 /* the best this many by BM25 get the bonus */

/* --- folding ------------------------------------------------------------ */

enum { CL_SEP, CL_WORD, CL_IGNORE, CL_CJK };

/* U+00C0..U+00FF: '.' separator, '1' ae, '2' th, '3' ss. */
static const char lat1[] =
    "aaaaaa1ceeeeiiiidnooooo.ouuuuy23aaaaaa1ceeeeiiiidnooooo.ouuuuy2y";
/* U+0100..U+017F: '4' ij, '5' oe. */
static const char latA[] =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii44jjkkkllllllllll"
    "nnnnnnnnnoooooo55rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
/* U+1EA0..U+1EF9 (Vietnamese). */
static const char latV[] =
    "aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooo"
    "uuuuuuuuuuuuuuyyyyyyyy";
/* U+01CD..U+01DC (pinyin tones). */
static const char latP[] = "aaiioouuuuuuuuuu";

static int
in(uint32_t c, uint32_t lo, uint32_t hi)
{
	return c >= lo && c <= hi;
}

static int
is_cjk(uint32_t c)
{
	return in(c, 0x1100, 0x11ff) || in(c, 0x3005, 0x3007) ||
	    in(c, 0x3021, 0x3029) || in(c, 0x3031, 0x3035) ||
	    in(c, 0x3041, 0x3096) || in(c, 0x309b, 0x309f) ||
	    in(c, 0x30a1, 0x30fa) || in(c, 0x30fc, 0x30ff) ||
	    in(c, 0x3131, 0x318e) || in(c, 0x31f0, 0x31ff) ||
	    in(c, 0x3400, 0x4dbf) || in(c, 0x4e00, 0x9fff) ||
	    in(c, 0xa960, 0xa97f) || in(c, 0xac00, 0xd7ff) ||
	    in(c, 0xf900, 0xfaff) || in(c, 0xff66, 0xff9f) ||
	    in(c, 0x20000, 0x3134f);
}

static int
is_ignored(uint32_t c)
{
	return c == 0xad || in(c, 0x300, 0x36f) || in(c, 0x483, 0x489) ||
	    in(c, 0x591, 0x5bd) || in(c, 0x64b, 0x65f) || c == 0x670 ||
	    in(c, 0x1ab0, 0x1aff) || in(c, 0x1dc0, 0x1dff) ||
	    in(c, 0x200b, 0x200d) || c == 0x2060 || in(c, 0x20d0, 0x20ff) ||
	    in(c, 0xfe00, 0xfe0f) || in(c, 0xfe20, 0xfe2f) || c == 0xfeff ||
	    in(c, 0x3099, 0x309a) || in(c, 0xe0000, 0xe007f);
}

static int
is_sep(uint32_t c)
{
	if (c < 0xc0)
		return c != 0xaa && c != 0xb5 && c != 0xba;
	return c == 0xd7 || c == 0xf7 || in(c, 0x2b0, 0x2ff) || c == 0x37e ||
	    c == 0x387 || in(c, 0x55a, 0x55f) || c == 0x589 || c == 0x5be ||
	    c == 0x5c0 || c == 0x5c3 || in(c, 0x5f3, 0x5f4) || c == 0x60c ||
	    c == 0x61b || c == 0x61f || in(c, 0x66a, 0x66d) || c == 0x6d4 ||
	    in(c, 0x964, 0x965) || in(c, 0x2000, 0x2bff) ||
	    in(c, 0x2e00, 0x2fff) || in(c, 0x3000, 0x303f) || c == 0x30fb ||
	    in(c, 0xe000, 0xf8ff) || in(c, 0xfe10, 0xfe1f) ||
	    in(c, 0xfe30, 0xfe6f) || in(c, 0xff00, 0xff0f) ||
	    in(c, 0xff1a, 0xff20) || in(c, 0xff3b, 0xff40) ||
	    in(c, 0xff5b, 0xff65) || in(c, 0xfff0, 0xffff) ||
	    in(c, 0x1f000, 0x1faff);
}

static uint32_t
fold_greek(uint32_t c)
{
	static const uint16_t acc[][2] = {
		{ 0x386, 0x3b1 },
		{ 0x388, 0x3b5 },
		{ 0x389, 0x3b7 },
		{ 0x38a, 0x3b9 },
		{ 0x38c, 0x3bf },
		{ 0x38e, 0x3c5 },
		{ 0x38f, 0x3c9 },
		{ 0x390, 0x3b9 },
		{ 0x3aa, 0x3b9 },
		{ 0x3ab, 0x3c5 },
		{ 0x3ac, 0x3b1 },
		{ 0x3ad, 0x3b5 },
		{ 0x3ae, 0x3b7 },
		{ 0x3af, 0x3b9 },
		{ 0x3b0, 0x3c5 },
		{ 0x3c2, 0x3c3 },
		{ 0x3ca, 0x3b9 },
		{ 0x3cb, 0x3c5 },
		{ 0x3cc, 0x3bf },
		{ 0x3cd, 0x3c5 },
		{ 0x3ce, 0x3c9 },
	};
	size_t i;

	if (in(c, 0x391, 0x3a9) && c != 0x3a2)
		return c + 0x20;
	for (i = 0; i < ARRAY_LEN(acc); i++)
		if (acc[i][0] == c)
			return acc[i][1];
	return c;
}

static uint32_t
fold_cyrillic(uint32_t c)
{
	if (in(c, 0x410, 0x42f))
		c += 0x20;
	else if (in(c, 0x400, 0x40f))
		c += 0x50;
	else if ((in(c, 0x460, 0x481) || in(c, 0x48a, 0x4bf) ||
		     in(c, 0x4d0, 0x4ff)) &&
	    c % 2 == 0)
		return c + 1;
	else if (in(c, 0x4c1, 0x4ce) && c % 2 == 1)
		return c + 1;
	switch (c) {
	case 0x439:
	case 0x45d:
		return 0x438; /* й ѝ: и */
	case 0x451:
	case 0x450:
		return 0x435; /* ё ѐ: е */
	case 0x457:
		return 0x456; /* ї: і */
	case 0x45e:
		return 0x443; /* ў: у */
	case 0x453:
		return 0x433; /* ѓ: г */
	case 0x45c:
		return 0x43a; /* ќ: к */
	}
	return c;
}

/* Latin letters to their base letters; "" when c is none of these. */
static const char *
fold_latin(uint32_t c, char tmp[2])
{
	char l = 0;

	if (in(c, 0xc0, 0xff))
		l = lat1[c - 0xc0];
	else if (in(c, 0x100, 0x17f))
		l = latA[c - 0x100];
	else if (in(c, 0x1ea0, 0x1ef9))
		l = latV[c - 0x1ea0];
	else if (in(c, 0x1cd, 0x1dc))
		l = latP[c - 0x1cd];
	else if (c == 0x1a0 || c == 0x1a1)
		l = 'o';
	else if (c == 0x1af || c == 0x1b0)
		l = 'u';
	else if (c == 0x218 || c == 0x219)
		l = 's';
	else if (c == 0x21a || c == 0x21b)
		l = 't';
	switch (l) {
	case 0:
		return "";
	case '1':
		return "ae";
	case '2':
		return "th";
	case '3':
		return "ss";
	case '4':
		return "ij";
	case '5':
		return "oe";
	}
	tmp[0] = l;
	tmp[1] = '\0';
	return tmp;
}

/* Classifies c and writes its folded form (for CL_WORD and CL_CJK). */
static int
fold_cp(uint32_t c, char out[8], size_t *n)
{
	const char *l;
	char tmp[2];

	*n = 0;
	if (c < 0x80) {
		if (c >= 'A' && c <= 'Z')
			c += 32;
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return CL_SEP;
		out[0] = (char)c;
		*n = 1;
		return CL_WORD;
	}
	/* Latin-1 and Latin Extended-A/B, the common non-ASCII letters. */
	if (c >= 0xc0 && c < 0x250) {
		if (c == 0xd7 || c == 0xf7)
			return CL_SEP;
		goto latin;
	}
	if (is_ignored(c))
		return CL_IGNORE;
	if (is_sep(c))
		return CL_SEP;
	if (is_cjk(c)) {
		*n = utf8_encode(c, out);
		return CL_CJK;
	}
	if (in(c, 0xff10, 0xff19) || in(c, 0xff21, 0xff3a) ||
	    in(c, 0xff41, 0xff5a)) {
		out[0] = (char)(c <= 0xff19 ?
			'0' + (c - 0xff10) :
			'a' + (c - (c <= 0xff3a ? 0xff21 : 0xff41)));
		*n = 1;
		return CL_WORD;
	}
	if (c < 0x250 || in(c, 0x1ea0, 0x1ef9)) {
latin:
		l = fold_latin(c, tmp);
		if (*l) {
			*n = strlen(l);
			memcpy(out, l, *n);
			return CL_WORD;
		}
	} else if (in(c, 0x370, 0x3ff))
		c = fold_greek(c);
	else if (in(c, 0x400, 0x4ff))
		c = fold_cyrillic(c);
	*n = utf8_encode(c, out);
	return CL_WORD;
}

/* --- tokenizer ---------------------------------------------------------- */

enum { TK_WORD, TK_UNI, TK_BI };

/* ASCII letters and digits folded (lowercase); 0: a separator. */
static const unsigned char ascii_fold[128] = {
	['0'] = '0',
	['1'] = '1',
	['2'] = '2',
	['3'] = '3',
	['4'] = '4',
	['5'] = '5',
	['6'] = '6',
	['7'] = '7',
	['8'] = '8',
	['9'] = '9',
	['A'] = 'a',
	['B'] = 'b',
	['C'] = 'c',
	['D'] = 'd',
	['E'] = 'e',
	['F'] = 'f',
	['G'] = 'g',
	['H'] = 'h',
	['I'] = 'i',
	['J'] = 'j',
	['K'] = 'k',
	['L'] = 'l',
	['M'] = 'm',
	['N'] = 'n',
	['O'] = 'o',
	['P'] = 'p',
	['Q'] = 'q',
	['R'] = 'r',
	['S'] = 's',
	['T'] = 't',
	['U'] = 'u',
	['V'] = 'v',
	['W'] = 'w',
	['X'] = 'x',
	['Y'] = 'y',
	['Z'] = 'z',
	['a'] = 'a',
	['b'] = 'b',
	['c'] = 'c',
	['d'] = 'd',
	['e'] = 'e',
	['f'] = 'f',
	['g'] = 'g',
	['h'] = 'h',
	['i'] = 'i',
	['j'] = 'j',
	['k'] = 'k',
	['l'] = 'l',
	['m'] = 'm',
	['n'] = 'n',
	['o'] = 'o',
	['p'] = 'p',
	['q'] = 'q',
	['r'] = 'r',
	['s'] = 's',
	['t'] = 't',
	['u'] = 'u',
	['v'] = 'v',
	['w'] = 'w',
	['x'] = 'x',
	['y'] = 'y',
	['z'] = 'z',
};

typedef void (*tok_fn)(void *arg, const char *tok, size_t n, uint32_t pos,
    size_t start, size_t end, int kind);

static uint32_t
tokenize(const char *str, size_t len, uint32_t pos, tok_fn fn, void *arg)
{
	const unsigned char *s = (const unsigned char *)str;
	char word[SEARCH_TOKEN_MAX + 8], prev[8], f[8], bi[16];
	size_t wlen = 0, wstart = 0, wend = 0, plen = 0, pstart = 0;
	size_t i = 0, n, fl;
	int inword = 0, incjk = 0, cl;
	uint32_t cp;

	while (i <= len) {
		if (i < len && s[i] < 0x80) {
			unsigned char ch = s[i];

			/* ASCII, the common case, a word's letters at once. */
			n = 1;
			fl = 1;
			if ((ch = ascii_fold[ch]) != 0) {
				cl = CL_WORD;
				f[0] = (char)ch;
				if (inword && wlen < SEARCH_TOKEN_MAX) {
					do {
						word[wlen++] = (char)ch;
						i++;
					} while (wlen < SEARCH_TOKEN_MAX &&
					    i < len && s[i] < 0x80 &&
					    (ch = ascii_fold[s[i]]) != 0);
					wend = i;
					continue;
				}
			} else
				cl = CL_SEP;
		} else if (i == len) {
			cl = CL_SEP;
			n = 1;
			fl = 0;
		} else {
			n = utf8_next(s + i, len - i, &cp);
			cl = fold_cp(cp, f, &fl);
		}
		if (cl == CL_WORD) {
			incjk = 0;
			if (!inword) {
				inword = 1;
				wlen = 0;
				wstart = i;
			}
			if (wlen + fl <= SEARCH_TOKEN_MAX) {
				/* Mostly one byte: no call to memcpy. */
				word[wlen] = f[0];
				if (fl > 1)
					memcpy(word + wlen + 1, f + 1, fl - 1);
				wlen += fl;
			}
			wend = i + n;
		} else if (cl == CL_IGNORE) {
			if (inword)
				wend = i + n;
		} else {
			if (inword) {
				fn(arg, word, wlen, pos++, wstart, wend,
				    TK_WORD);
				inword = 0;
			}
			if (cl == CL_CJK) {
				if (incjk) {
					memcpy(bi, prev, plen);
					memcpy(bi + plen, f, fl);
					fn(arg, bi, plen + fl, pos - 1, pstart,
					    i + n, TK_BI);
				}
				fn(arg, f, fl, pos++, i, i + n, TK_UNI);
				memcpy(prev, f, fl);
				plen = fl;
				pstart = i;
				incjk = 1;
			} else
				incjk = 0;
		}
		i += n;
	}
	return pos;
}

struct pub_tok {
	search_token_fn fn;
	void *arg;
};

static void
pub_tok_cb(void *arg, const char *tok, size_t n, uint32_t pos, size_t start,
    size_t end, int kind)
{
	struct pub_tok *pt = arg;

	(void)kind;
	pt->fn(pt->arg, tok, n, pos, start, end);
}

uint32_t
search_tokenize(const char *s, size_t len, uint32_t pos, search_token_fn fn,
    void *arg)
{
	struct pub_tok pt = { fn, arg };

	return tokenize(s, len, pos, pub_tok_cb, &pt);
}

char *
search_fold(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	struct buf b = BUF_INIT;
	size_t len = strlen(str), i = 0, n, fl;
	uint32_t cp;
	char f[8];
	int cl;

	while (i < len) {
		n = utf8_next(s + i, len - i, &cp);
		cl = fold_cp(cp, f, &fl);
		if (cl == CL_WORD || cl == CL_CJK)
			buf_add(&b, f, fl);
		else if (cl == CL_SEP) {
			/* Separators other than ASCII ones fold to a space. */
			if (cp < 0x80 && cp != '\t' && cp != '\n')
				buf_addc(&b, (int)cp);
			else if (b.len && b.data[b.len - 1] != ' ')
				buf_addc(&b, ' ');
		}
		i += n;
	}
	return buf_detach(&b, NULL);
}

/* --- the index ---------------------------------------------------------- */

/*
 * Bit streams. Bits are numbered from the low bit of byte 0 up; a value
 * of n bits sits at its position low bit first. Readers load 8 bytes at
 * the byte of the next bit, so every stream has 8 bytes of room past its
 * last byte. Three codes:
 *  - Rice(v, k): q = v >> k as q zero bits then a one, then the low k
 *    bits of v; a quotient of RICE_ESC or more is RICE_ESC zeros, a one
 *    and v in 32 bits (a gap far from the parameter costs 57 bits, not
 *    thousands).
 *  - gamma(x >= 1): b = floor(log2 x) zero bits, a one, the low b bits.
 */
#define RICE_ESC    24
#define TERM_INLINE 32		/* bits of postings kept in the term itself */
#define OWNED	    0x80000000u /* ref: an index in ix->owned */
#define BLOCK_BITS  2048	/* a skip entry at least every this many bits */
#define SKIP_MAXOFF (1u << 27)
/*
 * Streams up to this long (32 KiB) are packed: a packed one copied out at
 * its next append costs that copy, an unpacked one its allocation's
 * slack; at 10,000 posts the index a server holds (search_pack) is 30.4 %
 * of the text at 8,192 bits, 29.7 % at 65,536, 29.4 % here.
 */
#define PACK_BITS   262144
#define EAGER_SKIPS 64 /* a term with this many keeps an exact df */
#define LONG_TF	    8  /* an entry of this tf says its positions' length */

static inline uint64_t
ld64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static inline void
st64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

/* Writes the n (<= 57) low bits of v at bit pos of p; bits above are 0. */
static inline void
bits_put(uint8_t *p, uint64_t pos, uint64_t v, unsigned n)
{
	uint8_t *b = p + (pos >> 3);
	unsigned sh = (unsigned)(pos & 7);

	st64(b, (ld64(b) & ((1ull << sh) - 1)) | (v << sh));
	(void)n;
}

/* Rice's k for values of mean about m: log2(m ln 2), at least 0. */
static unsigned
rice_k(uint64_t num, uint64_t den)
{
	uint64_t m = den ? num * 45 / (den * 64) : 0;
	unsigned k = m ? 63 - (unsigned)__builtin_clzll(m) : 0;

	return k > 20 ? 20 : k;
}

/*
 * A term's postings: for each document holding it, in ascending slot
 * order, Rice(slot gap - 1, the block's k), gamma(tf), then its tf
 * positions: Rice(first, kp), Rice(gap - 1, kp) for the others, kp from
 * the document's length over tf (both known to the reader: no parameter
 * is stored). Whether the term is in the title is whether its first
 * position is below the title's end. Up to TERM_INLINE bits live in the
 * term (most terms are rare); longer streams are malloc'd with 8 bytes
 * of slack; long ones get a skip entry every BLOCK_BITS or so.
 */
struct term {
	union {
		uint32_t ref; /* OWNED | index in ix->owned, or offset in pack */
		uint8_t in[4];
	} u;
	uint32_t nbits;
	uint32_t df : 27;    /* live documents holding the term */
	uint32_t k : 5;	     /* Rice k of the last block's slot gaps */
	uint32_t last;	     /* slot of the last entry plus one; 0: none */
	uint32_t skip : 19;  /* index in ix->skips plus one; 0: none */
	uint32_t exact : 1;  /* its allocation is stream_bytes(nbits) */
	uint32_t since : 12; /* bits since the last block began, at most 4095 */
};

/* A block's start: the slot after its entry before, its bit, its k. */
struct skip {
	uint32_t base;
	uint32_t off : 27;
	uint32_t k : 5;
};

struct skips {
	struct skip *v;
	uint32_t n, cap;
};

/*
 * A slot of the term table: 4 bytes, a lookup compares 8 bits of the
 * hash before the text (in one arena, NUL-terminated, at ix->toff[id]).
 * The offsets are by id, not in the slots: a slot per term and a third
 * more at most, an offset per term.
 */
_Static_assert(sizeof(struct term) == 20, "a term is 20 bytes");

struct tslot {
	uint32_t id1 : 24; /* term id + 1; 0: empty */
	uint32_t tag : 8;
};

/* Per slot, what a reader of positions needs, apart from struct sdoc. */
struct dlen {
	uint32_t ntok;	     /* terms in title and body (last position + 1) */
	uint32_t title_ntok; /* title terms occupy positions below this */
};

struct sdoc {
	char *url, *title, *lang;
	char *text;	 /* kept only when there is no text source */
	const char *key; /* the dockey's */
	char ymd[11];
	char **tags; /* folded */
	size_t ntags;
	int64_t date;
	double rating;
	int has_rating;
	unsigned flags;
	int live;
};

struct dockey {
	char *key;
	uint32_t slot;
	int has;
};

/* One term of the document being indexed: its occurrences. */
struct seen {
	uint32_t id1; /* term id + 1; 0: empty */
	uint32_t tf;
	uint32_t at; /* its first position in ix->spos */
};

struct search {
	struct tslot *table; /* open addressing */
	size_t tcap;	     /* a power of two */
	struct term *terms;
	size_t nterms, capterms;
	struct skips *skips;
	size_t nskips, capskips;
	uint32_t *eager; /* ids of the terms that keep an exact df */
	size_t neager, capeager;
	uint8_t *pack;	 /* short streams, one after another (search_trim) */
	uint8_t **owned; /* streams of their own allocation, by index */
	size_t nowned, capowned;
	size_t packlen;
	char *arena;	/* term texts, NUL-terminated */
	uint32_t *toff; /* by term id: its text's offset in the arena */
	size_t captoff;
	size_t arena_len, arena_cap;
	struct sdoc *docs; /* slots, append only */
	struct dlen *dlen;
	size_t ndocs, capdocs, capdlen;
	size_t nlive, ndead;
	uint32_t *dead; /* the dead slots, ascending (ndead of them) */
	size_t capdead;
	uint64_t live_ntok;
	struct strmap keys; /* key -> struct dockey */
	struct dockey **dks;
	size_t ndks, capdks;
	struct seen *seen; /* scratch while indexing a document */
	size_t seencap, nseen;
	uint32_t *order; /* scratch: the seen slots in use */
	size_t ordercap;
	uint32_t *occ; /* scratch: (term id, position) of each term */
	size_t nocc, capocc;
	uint32_t *spos; /* scratch: positions grouped by term */
	size_t capspos;
	search_text_fn text_fn; /* snippets' text; NULL: kept in sdoc */
	void *text_arg;
};

struct search *
search_new(void)
{
	return xcalloc(1, sizeof(struct search));
}

static void
sdoc_clear(struct sdoc *d)
{
	free(d->url);
	free(d->title);
	free(d->lang);
	free(d->text);
	strv_free(d->tags, d->ntags);
	memset(d, 0, sizeof(*d));
}

/*
 * Whether t's stream lies in the pack: written to, it moves out first
 * (its neighbour's bytes are its slack).
 */
static int
term_packed(const struct search *ix, const struct term *t)
{
	(void)ix;
	return t->nbits > TERM_INLINE && !(t->u.ref & OWNED);
}

/* Where t's stream is, when not inline. */
static inline uint8_t *
term_ptr(const struct search *ix, const struct term *t)
{
	return t->u.ref & OWNED ? ix->owned[t->u.ref & ~OWNED] :
				  ix->pack + t->u.ref;
}

static void
terms_free(struct search *ix)
{
	size_t i;

	for (i = 0; i < ix->nowned; i++)
		free(ix->owned[i]);
	free(ix->owned);
	ix->owned = NULL;
	ix->nowned = ix->capowned = 0;
	free(ix->pack);
	free(ix->eager);
	ix->pack = NULL;
	ix->packlen = 0;
	ix->eager = NULL;
	ix->neager = ix->capeager = 0;
	free(ix->terms);
	for (i = 0; i < ix->nskips; i++)
		free(ix->skips[i].v);
	free(ix->skips);
	free(ix->table);
	free(ix->arena);
	free(ix->toff);
	ix->toff = NULL;
	ix->captoff = 0;
	ix->terms = NULL;
	ix->skips = NULL;
	ix->table = NULL;
	ix->arena = NULL;
	ix->nterms = ix->capterms = ix->nskips = ix->capskips = 0;
	ix->tcap = ix->arena_len = ix->arena_cap = 0;
}

static void
index_clear(struct search *ix)
{
	size_t i;

	terms_free(ix);
	for (i = 0; i < ix->ndocs; i++)
		sdoc_clear(&ix->docs[i]);
	free(ix->docs);
	free(ix->dlen);
	free(ix->dead);
	for (i = 0; i < ix->ndks; i++) {
		free(ix->dks[i]->key);
		free(ix->dks[i]);
	}
	free(ix->dks);
	strmap_free(&ix->keys);
	free(ix->seen);
	free(ix->order);
	free(ix->occ);
	free(ix->spos);
	memset(ix, 0, sizeof(*ix));
}

void
search_free(struct search *ix)
{
	if (ix == NULL)
		return;
	index_clear(ix);
	free(ix);
}

static uint32_t
term_hash(const char *s, size_t n)
{
	uint64_t h64 = util_hash(s, n);
	uint32_t h = (uint32_t)(h64 ^ (h64 >> 32));

	/* FNV's low bits cluster on similar words: mix them (murmur3). */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static void
table_grow(struct search *ix)
{
	size_t cap = ix->tcap ? ix->tcap * 2 : 1024, i, j;
	struct tslot *t = xcalloc(cap, sizeof(*t));

	for (i = 0; i < ix->tcap; i++) {
		const char *s;

		if (ix->table[i].id1 == 0)
			continue;
		s = ix->arena + ix->toff[ix->table[i].id1 - 1];
		for (j = term_hash(s, strlen(s)) & (cap - 1); t[j].id1;
		     j = (j + 1) & (cap - 1))
			;
		t[j] = ix->table[i];
	}
	free(ix->table);
	ix->table = t;
	ix->tcap = cap;
}

/* The id of term s, or -1 (create: a new id). */
static long
term_id(struct search *ix, const char *s, size_t n, int create)
{
	uint32_t h = term_hash(s, n), tag = h >> 24;
	struct tslot *sl;
	struct term *t;
	size_t j;

	if (ix->tcap)
		for (j = h & (ix->tcap - 1); ix->table[j].id1;
		     j = (j + 1) & (ix->tcap - 1)) {
			const char *a;

			sl = &ix->table[j];
			if (sl->tag != tag)
				continue;
			a = ix->arena + ix->toff[sl->id1 - 1];
			if (memcmp(a, s, n) == 0 && a[n] == '\0')
				return (long)sl->id1 - 1;
		}
	if (!create || ix->nterms + 1 >= (1u << 24))
		return -1;
	/* Up to 3/4 full: a slot is 8 bytes, most lookups hit. */
	if ((ix->nterms + 1) * 4 > ix->tcap * 3)
		table_grow(ix);
	ix->terms =
	    xgrow(ix->terms, &ix->capterms, ix->nterms + 1, sizeof(*ix->terms));
	ix->toff =
	    xgrow(ix->toff, &ix->captoff, ix->nterms + 1, sizeof(*ix->toff));
	t = &ix->terms[ix->nterms];
	memset(t, 0, sizeof(*t));
	if (ix->arena_len + n + 1 > ix->arena_cap) {
		while (ix->arena_len + n + 1 > ix->arena_cap)
			ix->arena_cap =
			    ix->arena_cap ? ix->arena_cap * 2 : 65536;
		ix->arena = xrealloc(ix->arena, ix->arena_cap);
	}
	for (j = h & (ix->tcap - 1); ix->table[j].id1;
	     j = (j + 1) & (ix->tcap - 1))
		;
	sl = &ix->table[j];
	sl->tag = tag;
	ix->toff[ix->nterms] = (uint32_t)ix->arena_len;
	sl->id1 = (uint32_t)++ix->nterms;
	memcpy(ix->arena + ix->arena_len, s, n);
	ix->arena[ix->arena_len + n] = '\0';
	ix->arena_len += n + 1;
	return (long)ix->nterms - 1;
}

/* Bytes a stream of nbits takes in memory: its bytes and the slack. */
static size_t
stream_bytes(uint64_t nbits)
{
	return (size_t)((nbits + 7) / 8 + 8);
}

/*
 * The size of a stream's own allocation for want bytes: want rounded up
 * to its 3 high bits (a step of 1/4 to 1/8), 32 at least. A function of the length,
 * so an append reads no capacity (a cache miss each: it was 45 % of an
 * append); after search_trim a long stream is cut to its size (exact).
 */
static size_t
cap_class(size_t want)
{
	size_t c = (want < 32 ? 32 : want) - 1;
	unsigned b = 64 - (unsigned)__builtin_clzll(c | 1);
	unsigned sh = b > 3 ? b - 3 : 0;

	return ((c >> sh) + 1) << sh;
}

/* Moves n bytes of t's stream to an allocation of its own, for nbits. */
static void
term_own(struct search *ix, struct term *t, const uint8_t *from, size_t n,
    uint64_t nbits)
{
	uint8_t *p = xcalloc(1, cap_class(stream_bytes(nbits)));

	memcpy(p, from, n);
	if (ix->nowned + 1 > ix->capowned)
		ix->owned = xgrow(ix->owned, &ix->capowned, ix->nowned + 1,
		    sizeof(*ix->owned));
	ix->owned[ix->nowned] = p;
	t->u.ref = OWNED | (uint32_t)ix->nowned++;
	t->exact = 0;
}

/*
 * Makes room in t for need bits in all; returns where to write them (a
 * stream of up to TERM_INLINE bits is written in tmp, then copied back).
 */
static uint8_t *
term_room(struct search *ix, struct term *t, uint64_t need, uint8_t tmp[16])
{
	size_t want = stream_bytes(need), have, cap;
	uint8_t **p;

	if (need <= TERM_INLINE) {
		memset(tmp, 0, 16);
		memcpy(tmp, t->u.in, 4);
		return tmp;
	}
	if (t->nbits <= TERM_INLINE) {
		uint8_t in[4];

		memcpy(in, t->u.in, 4);
		term_own(ix, t, in, 4, need);
		return ix->owned[t->u.ref & ~OWNED];
	}
	p = &ix->owned[t->u.ref & ~OWNED];
	have = t->exact ? stream_bytes(t->nbits) :
			  cap_class(stream_bytes(t->nbits));
	cap = cap_class(want);
	if (t->exact || cap != have) {
		*p = xrealloc(*p, cap);
		if (cap > have)
			memset(*p + have, 0, cap - have);
		t->exact = 0;
	}
	return *p;
}

/* A writer into room made by term_room. */
struct bw {
	uint8_t *p;
	uint64_t pos;
};

static inline void
bw_put(struct bw *w, uint64_t v, unsigned n)
{
	bits_put(w->p, w->pos, v, n);
	w->pos += n;
}

static inline void
put_rice(struct bw *w, uint32_t v, unsigned k)
{
	uint32_t q = v >> k;

	if (q < RICE_ESC)
		bw_put(w,
		    (1ull << q) | ((uint64_t)(v & ((1u << k) - 1)) << (q + 1)),
		    q + 1 + k);
	else {
		bw_put(w, 1ull << RICE_ESC, RICE_ESC + 1);
		bw_put(w, v, 32);
	}
}

/* Bits of Rice(v, k). */
static inline unsigned
rice_len(uint32_t v, unsigned k)
{
	uint32_t q = v >> k;

	return q < RICE_ESC ? q + 1 + k : RICE_ESC + 1 + 32;
}

static inline unsigned
gamma_len(uint32_t x)
{
	return 2 * (31 - (unsigned)__builtin_clz(x)) + 1;
}

static inline void
put_gamma(struct bw *w, uint32_t x)
{
	unsigned b = 31 - (unsigned)__builtin_clz(x);

	if (b < 28)
		bw_put(w,
		    (1ull << b) | ((uint64_t)(x & ((1u << b) - 1)) << (b + 1)),
		    2 * b + 1);
	else {
		bw_put(w, 1ull << b, b + 1);
		bw_put(w, x & ((1u << b) - 1), b);
	}
}

/* A reader of one stream. */
struct bits {
	const uint8_t *p;
	uint64_t pos, end;
};

static inline uint64_t
bits_peek(const struct bits *b)
{
	return ld64(b->p + (b->pos >> 3)) >> (b->pos & 7);
}

static inline uint32_t
get_rice(struct bits *b, unsigned k)
{
	uint64_t w = bits_peek(b);
	unsigned q = w ? (unsigned)__builtin_ctzll(w) : RICE_ESC;
	uint32_t v;

	if (q < RICE_ESC) {
		v = (q << k) | (uint32_t)((w >> (q + 1)) & ((1u << k) - 1));
		b->pos += q + 1 + k;
		return v;
	}
	b->pos += RICE_ESC + 1;
	v = (uint32_t)bits_peek(b);
	b->pos += 32;
	return v;
}

static inline uint32_t
get_gamma(struct bits *b)
{
	uint64_t w = bits_peek(b);
	unsigned n = w ? (unsigned)__builtin_ctzll(w) : 31;
	uint32_t v;

	if (n < 28) {
		v = (1u << n) | (uint32_t)((w >> (n + 1)) & ((1u << n) - 1));
		b->pos += 2 * n + 1;
		return v;
	}
	b->pos += n + 1;
	v = (1u << n) | ((uint32_t)bits_peek(b) & ((1u << n) - 1));
	b->pos += n;
	return v;
}

/*
 * k of a block of slot gaps: from the mean gap so far, slot over df, set
 * twice as high as for a geometric law (measured: the gaps of a growing
 * index shrink as terms spread).
 */
static inline unsigned
gap_k(uint32_t slot, uint32_t df)
{
	return rice_k((uint64_t)(slot + 1) * 2, df + 1);
}

/*
 * x in [0, n) in truncated binary: b = floor(log2 n) bits for the
 * u = 2^(b+1) - n smallest values, b + 1 for the others (the high b
 * first): the position of a term once in a document, as good as
 * uniform, costs log2 n bits where Rice would spend one more.
 */
static inline unsigned
tb_len(uint32_t x, uint32_t n)
{
	unsigned b = 31 - (unsigned)__builtin_clz(n);

	return x < (2ull << b) - n ? b : b + 1;
}

static void
put_tb(struct bw *w, uint32_t x, uint32_t n)
{
	unsigned b = 31 - (unsigned)__builtin_clz(n);
	uint64_t u = (2ull << b) - n, y;

	if (x < u) {
		if (b)
			bw_put(w, x, b);
		return;
	}
	y = x + u;
	bw_put(w, y >> 1, b);
	bw_put(w, y & 1, 1);
}

static inline uint32_t
get_tb(struct bits *r, uint32_t n)
{
	unsigned b = 31 - (unsigned)__builtin_clz(n);
	uint64_t u = (2ull << b) - n, v;

	v = b ? bits_peek(r) & ((1ull << b) - 1) : 0;
	r->pos += b;
	if (v < u)
		return (uint32_t)v;
	v = (v << 1) | (bits_peek(r) & 1);
	r->pos++;
	return (uint32_t)(v - u);
}

/* k of the positions of a term tf times in a document of ntok terms. */
static inline unsigned
pos_k(uint32_t ntok, uint32_t tf)
{
	return rice_k(ntok, tf);
}

static uint32_t term_count_live(const struct search *ix, const struct term *t);

/*
 * Appends slot (above every slot in t) with its tf positions (ascending)
 * to t; the document has ntok terms.
 */
static void
term_append(struct search *ix, struct term *t, uint32_t slot,
    const uint32_t *pos, uint32_t tf, uint32_t ntok)
{
	uint32_t k = t->k, kp, i;
	uint64_t n, len;
	uint8_t tmp[16];
	struct bw w;

	if (term_packed(ix, t))
		term_own(ix, t, term_ptr(ix, t), (t->nbits + 7) / 8, t->nbits);
	if (t->nbits == 0) {
		k = t->k = gap_k(slot, t->df);
		t->since = 0;
	} else if (t->since >= BLOCK_BITS && t->nbits < SKIP_MAXOFF &&
	    (t->skip || ix->nskips + 1 < (1u << 19))) {
		/*
		 * A new block, its k from the mean gap so far (the term holds
		 * the last block's k and length: no skip is read on an
		 * append, a cache miss each).
		 */
		struct skips *sk = t->skip ? &ix->skips[t->skip - 1] : NULL;

		if (sk && sk->n + 1 == EAGER_SKIPS) {
			/* From now on its count is kept exact: see term_df. */
			t->df = term_count_live(ix, t);
			ix->eager = xgrow(ix->eager, &ix->capeager,
			    ix->neager + 1, sizeof(*ix->eager));
			ix->eager[ix->neager++] = (uint32_t)(t - ix->terms);
		}
		if (sk == NULL) {
			ix->skips = xgrow(ix->skips, &ix->capskips,
			    ix->nskips + 1, sizeof(*ix->skips));
			sk = &ix->skips[ix->nskips++];
			memset(sk, 0, sizeof(*sk));
			t->skip = (uint32_t)ix->nskips;
			/* The first block's entry: its k, for readers. */
			sk->cap = 4;
			sk->v = xcalloc(sk->cap, sizeof(*sk->v));
			sk->v[0].k = t->k;
			sk->n = 1;
		}
		if (sk->n == sk->cap) {
			sk->cap = sk->cap + sk->cap / 4 + 2;
			sk->v = xrealloc(sk->v, sk->cap * sizeof(*sk->v));
		}
		k = t->k = gap_k(slot, t->df);
		t->since = 0;
		sk->v[sk->n].base = t->last;
		sk->v[sk->n].off = t->nbits;
		sk->v[sk->n].k = k;
		sk->n++;
	}
	/* The entry's length first: room is made once. */
	kp = pos_k(ntok, tf);
	if (tf == 1)
		n = tb_len(pos[0], ntok);
	else
		for (n = rice_len(pos[0], kp), i = 1; i < tf; i++)
			n += rice_len(pos[i] - pos[i - 1] - 1, kp);
	len = rice_len(slot - t->last, k) + gamma_len(tf) + n;
	if (tf >= LONG_TF)
		len += gamma_len((uint32_t)n + 1);
	w.p = term_room(ix, t, t->nbits + len, tmp);
	w.pos = t->nbits;
	put_rice(&w, slot - t->last, k);
	put_gamma(&w, tf);
	/* A long entry says its positions' length: a reader skips them. */
	if (tf >= LONG_TF)
		put_gamma(&w, (uint32_t)n + 1);
	if (tf == 1)
		put_tb(&w, pos[0], ntok);
	else
		put_rice(&w, pos[0], kp);
	for (i = 1; i < tf; i++)
		put_rice(&w, pos[i] - pos[i - 1] - 1, kp);
	if (w.p == tmp)
		memcpy(t->u.in, tmp, 4);
	t->since = t->since + len > 4095 ? 4095 : t->since + len;
	t->nbits = (uint32_t)w.pos;
	t->last = slot + 1;
	t->df++;
}

/*
 * A cursor over one term's postings: doc, tf, title and the positions
 * of the entry it stands on.
 */
struct cur {
	const struct search *ix;
	struct bits b;
	const struct skip *sk;
	uint32_t nsk, ski; /* skips; the next one not entered */
	uint32_t k, last;
	uint32_t doc, tf;
	int title, done, started;
	uint32_t *pos; /* tf positions, once cur_pos decoded them */
	uint32_t cappos;
	uint64_t pos_at; /* bit of the entry's positions */
	unsigned kp;	 /* their k */
	int pos_ready;
	uint8_t in[16]; /* an inline stream, with its slack */
};

static void
cur_init(struct cur *c, const struct search *ix, const struct term *t)
{
	uint32_t *pos = c->pos, cap = c->cappos;

	memset(c, 0, sizeof(*c));
	c->pos = pos;
	c->cappos = cap;
	c->ix = ix;
	if (t->nbits <= TERM_INLINE) {
		memcpy(c->in, t->u.in, 4);
		c->b.p = c->in;
	} else
		c->b.p = term_ptr(ix, t);
	c->b.end = t->nbits;
	c->k = t->k;
	if (t->skip) {
		c->sk = ix->skips[t->skip - 1].v;
		c->nsk = ix->skips[t->skip - 1].n;
	}
	c->doc = UINT32_MAX;
}

static void
cur_free(struct cur *c)
{
	free(c->pos);
	c->pos = NULL;
	c->cappos = 0;
}

static void
cur_next(struct cur *c)
{
	const struct dlen *dl;
	uint32_t i, kp, p;

	if (c->done)
		return;
	if (c->b.pos >= c->b.end) {
		c->done = 1;
		c->doc = UINT32_MAX;
		return;
	}
	if (c->ski < c->nsk && c->b.pos == c->sk[c->ski].off)
		c->k = c->sk[c->ski++].k;
	c->doc = c->last + get_rice(&c->b, c->k);
	c->last = c->doc + 1;
	c->tf = get_gamma(&c->b);
	c->started = 1;
	if (c->tf > c->cappos) {
		c->cappos = c->tf + 16;
		c->pos = xrealloc(c->pos, c->cappos * sizeof(*c->pos));
	}
	dl = &c->ix->dlen[c->doc < c->ix->ndocs ? c->doc : 0];
	c->kp = kp = pos_k(dl->ntok, c->tf);
	if (c->tf >= LONG_TF) {
		/* Only the first position, for the title; the rest later. */
		uint64_t n = get_gamma(&c->b) - 1;

		c->pos_at = c->b.pos;
		c->pos_ready = 0;
		c->title = get_rice(&c->b, kp) < dl->title_ntok;
		c->b.pos = c->pos_at + n;
		return;
	}
	c->pos_ready = 1;
	p = c->pos[0] =
	    c->tf == 1 ? get_tb(&c->b, dl->ntok) : get_rice(&c->b, kp);
	for (i = 1; i < c->tf; i++)
		c->pos[i] = p += get_rice(&c->b, kp) + 1;
	c->title = c->pos[0] < dl->title_ntok;
}

/* The positions of the entry c stands on. */
static const uint32_t *
cur_pos(struct cur *c)
{
	struct bits b = c->b;
	uint32_t i, p;

	if (!c->pos_ready) {
		b.pos = c->pos_at;
		p = c->pos[0] = get_rice(&b, c->kp);
		for (i = 1; i < c->tf; i++)
			c->pos[i] = p += get_rice(&b, c->kp) + 1;
		c->pos_ready = 1;
	}
	return c->pos;
}

static void
cur_seek(struct cur *c, uint32_t doc)
{
	if (c->done || (c->started && c->doc >= doc))
		return;
	/* The last block starting at or before doc, when ahead. */
	if (c->ski < c->nsk && c->sk[c->ski].base <= doc) {
		uint32_t lo = c->ski, hi = c->nsk - 1;

		while (lo < hi) {
			uint32_t mid = lo + (hi - lo + 1) / 2;

			if (c->sk[mid].base <= doc)
				lo = mid;
			else
				hi = mid - 1;
		}
		c->b.pos = c->sk[lo].off;
		c->last = c->sk[lo].base;
		c->k = c->sk[lo].k;
		c->ski = lo + 1;
	}
	while (!c->done && (!c->started || c->doc < doc))
		cur_next(c);
}

/* The live documents in t's postings, read from them. */
static uint32_t
term_count_live(const struct search *ix, const struct term *t)
{
	struct cur c;
	uint32_t n = 0;

	memset(&c, 0, sizeof(c));
	cur_init(&c, ix, t);
	for (cur_next(&c); !c.done; cur_next(&c))
		n += ix->docs[c.doc].live != 0;
	cur_free(&c);
	return n;
}

/*
 * The live documents holding t. A long list keeps the count exact
 * (search_remove looks the slot up by the skips); a shorter one counts
 * its entries, dead ones too, and is read here: a removal would
 * otherwise have to read every list of the index, as the index keeps no
 * list of a document's terms (it would cost as much as the slots).
 */
static int
term_eager(const struct search *ix, const struct term *t)
{
	return t->skip && ix->skips[t->skip - 1].n >= EAGER_SKIPS;
}

static uint32_t
term_df(const struct search *ix, const struct term *t)
{
	struct cur c;
	uint32_t n = 0;
	size_t i, lo;

	if (term_eager(ix, t) || ix->ndead == 0)
		return t->df;
	/* The dead slots up to its last, each looked up by the skips. */
	for (lo = 0; lo < ix->ndead && ix->dead[lo] < t->last; lo++)
		;
	if (!t->skip || (uint64_t)lo * BLOCK_BITS / 2 > t->nbits)
		return term_count_live(ix, t);
	memset(&c, 0, sizeof(c));
	cur_init(&c, ix, t);
	for (i = 0; i < lo && !c.done; i++) {
		cur_seek(&c, ix->dead[i]);
		n += !c.done && c.doc == ix->dead[i];
	}
	cur_free(&c);
	return t->df - n;
}

/* The distinct terms of one document, with their positions. */
static void
seen_grow(struct search *ix)
{
	struct seen *old = ix->seen;
	size_t oldcap = ix->seencap, i, j;

	ix->seencap = oldcap ? oldcap * 2 : 1024;
	ix->seen = xcalloc(ix->seencap, sizeof(*ix->seen));
	for (i = 0; i < oldcap; i++) {
		if (!old[i].id1)
			continue;
		for (j = (old[i].id1 * 2654435761u) & (ix->seencap - 1);
		     ix->seen[j].id1; j = (j + 1) & (ix->seencap - 1))
			;
		ix->seen[j] = old[i];
	}
	free(old);
	/* Slots moved: list them again. */
	ix->nseen = 0;
	for (i = 0; i < ix->seencap; i++)
		if (ix->seen[i].id1) {
			ix->order = xgrow(ix->order, &ix->ordercap,
			    ix->nseen + 1, sizeof(*ix->order));
			ix->order[ix->nseen++] = (uint32_t)i;
		}
}

static struct seen *
seen_find(struct search *ix, uint32_t id, int create)
{
	uint32_t id1 = id + 1;
	size_t j;

	if (create && (ix->nseen + 1) * 2 > ix->seencap)
		seen_grow(ix);
	for (j = (id1 * 2654435761u) & (ix->seencap - 1);
	     ix->seen[j].id1 && ix->seen[j].id1 != id1;
	     j = (j + 1) & (ix->seencap - 1))
		;
	if (!ix->seen[j].id1 && create) {
		ix->seen[j].id1 = id1;
		ix->seen[j].tf = 0;
		if (ix->nseen + 1 > ix->ordercap)
			ix->order = xgrow(ix->order, &ix->ordercap,
			    ix->nseen + 1, sizeof(*ix->order));
		ix->order[ix->nseen++] = (uint32_t)j;
	}
	return &ix->seen[j];
}

static void
collect_cb(void *arg, const char *tok, size_t n, uint32_t pos, size_t start,
    size_t end, int kind)
{
	struct search *ix = arg;
	long id = term_id(ix, tok, n, 1);

	(void)start;
	(void)end;
	(void)kind;
	if (id < 0)
		return;
	seen_find(ix, (uint32_t)id, 1)->tf++;
	if (ix->nocc + 2 > ix->capocc) /* a call per token saved */
		ix->occ =
		    xgrow(ix->occ, &ix->capocc, ix->nocc + 2, sizeof(*ix->occ));
	ix->occ[ix->nocc++] = (uint32_t)id;
	ix->occ[ix->nocc++] = pos;
}

static void
seen_clear(struct search *ix)
{
	size_t i;

	for (i = 0; i < ix->nseen; i++)
		ix->seen[ix->order[i]].id1 = 0;
	ix->nseen = 0;
	ix->nocc = 0;
	/* One huge document leaves no huge scratch behind. */
	if (ix->seencap > 65536 || ix->capocc > 262144) {
		free(ix->seen);
		free(ix->order);
		free(ix->occ);
		free(ix->spos);
		ix->seen = NULL;
		ix->order = NULL;
		ix->occ = ix->spos = NULL;
		ix->seencap = ix->ordercap = ix->capocc = ix->capspos = 0;
	}
}

static char *
clean_line(const char *s)
{
	char *r = xstrdup(s ? s : ""), *p;

	/* Titles and links stay on one line of gemtext. */
	for (p = r; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return r;
}

static void
sdoc_fill(struct search *ix, struct sdoc *d, const struct search_doc *in)
{
	size_t i;

	memset(d, 0, sizeof(*d));
	d->url = clean_line(in->url);
	d->title = clean_line(in->title);
	d->lang = in->lang ? search_fold(in->lang) : NULL;
	if (ix->text_fn == NULL)
		d->text = xstrdup(in->text ? in->text : "");
	if (in->ymd)
		snprintf(d->ymd, sizeof(d->ymd), "%s", in->ymd);
	d->tags = xcalloc(in->ntags + 1, sizeof(*d->tags));
	for (i = 0; i < in->ntags; i++)
		if (in->tags[i])
			d->tags[d->ntags++] = search_fold(in->tags[i]);
	d->date = in->date;
	d->has_rating = in->has_rating;
	d->rating = in->rating;
	d->flags = in->flags;
	d->live = 1;
}

static struct dockey *
dockey_set(struct search *ix, const char *key, uint32_t slot)
{
	struct dockey *dk = strmap_get(&ix->keys, key, strlen(key));

	if (dk == NULL) {
		dk = xcalloc(1, sizeof(*dk));
		dk->key = xstrdup(key);
		ix->dks =
		    xgrow(ix->dks, &ix->capdks, ix->ndks + 1, sizeof(*ix->dks));
		ix->dks[ix->ndks++] = dk;
		strmap_put(&ix->keys, dk->key, strlen(dk->key), dk);
	}
	dk->slot = slot;
	dk->has = 1;
	return dk;
}

/* Adds a document under a new slot: its terms from in's title and text. */
static void
index_doc(struct search *ix, const char *key, const struct search_doc *in)
{
	struct sdoc *d;
	struct dlen *dl;
	uint32_t slot = (uint32_t)ix->ndocs, at = 0;
	size_t i;

	ix->docs =
	    xgrow(ix->docs, &ix->capdocs, ix->ndocs + 1, sizeof(*ix->docs));
	ix->dlen =
	    xgrow(ix->dlen, &ix->capdlen, ix->ndocs + 1, sizeof(*ix->dlen));
	d = &ix->docs[ix->ndocs];
	dl = &ix->dlen[ix->ndocs];
	ix->ndocs++;
	sdoc_fill(ix, d, in);
	dl->title_ntok =
	    tokenize(d->title, strlen(d->title), 0, collect_cb, ix);
	dl->ntok = in->text ? tokenize(in->text, strlen(in->text),
				  dl->title_ntok + BODY_GAP, collect_cb, ix) :
			      dl->title_ntok + BODY_GAP;
	/* The positions grouped by term, each group ascending. */
	for (i = 0; i < ix->nseen; i++) {
		struct seen *sn = &ix->seen[ix->order[i]];

		sn->at = at;
		at += sn->tf;
	}
	if (at > ix->capspos) {
		ix->capspos = at + at / 2;
		ix->spos = xrealloc(ix->spos, ix->capspos * sizeof(*ix->spos));
	}
	for (i = 0; i < ix->nocc; i += 2)
		ix->spos[seen_find(ix, ix->occ[i], 0)->at++] = ix->occ[i + 1];
	for (i = 0; i < ix->nseen; i++) {
		const struct seen *sn = &ix->seen[ix->order[i]];

		term_append(ix, &ix->terms[sn->id1 - 1], slot,
		    ix->spos + sn->at - sn->tf, sn->tf, dl->ntok);
	}
	seen_clear(ix);
	ix->nlive++;
	ix->live_ntok += dl->ntok;
	d->key = dockey_set(ix, key, slot)->key;
}

/*
 * Rebuilds the postings without the dead slots: the living keep their
 * order under dense slots, terms no document holds any more are dropped.
 */
static void
compact(struct search *ix)
{
	struct search old = *ix;
	uint32_t *map = xcalloc(old.ndocs + 1, sizeof(*map)), n = 0;
	struct cur c;
	size_t i;

	memset(&c, 0, sizeof(c));
	ix->dlen = xcalloc(old.ndocs + 1, sizeof(*ix->dlen));
	ix->capdlen = old.ndocs + 1;
	for (i = 0; i < old.ndocs; i++) {
		if (!old.docs[i].live) {
			map[i] = UINT32_MAX;
			continue;
		}
		map[i] = n;
		ix->docs[n] = old.docs[i];
		ix->dlen[n] = old.dlen[i];
		n++;
	}
	for (i = n; i < old.ndocs; i++)
		memset(&ix->docs[i], 0, sizeof(ix->docs[i]));
	ix->ndocs = n;
	ix->ndead = 0;
	free(ix->dead);
	ix->dead = NULL;
	ix->capdead = 0;
	for (i = 0; i < ix->ndks; i++)
		if (ix->dks[i]->has)
			ix->dks[i]->slot = map[ix->dks[i]->slot];
	/* The terms, again, from the old ones. */
	ix->table = NULL;
	ix->terms = NULL;
	ix->skips = NULL;
	ix->arena = NULL;
	ix->toff = NULL;
	ix->captoff = 0;
	ix->pack = NULL;
	ix->packlen = 0;
	ix->owned = NULL;
	ix->nowned = ix->capowned = 0;
	ix->eager = NULL;
	ix->neager = ix->capeager = 0;
	ix->nterms = ix->capterms = ix->nskips = ix->capskips = 0;
	ix->tcap = ix->arena_len = ix->arena_cap = 0;
	for (i = 0; i < old.tcap; i++) {
		const struct tslot *sl = &old.table[i];
		const struct term *ot;
		const char *s;
		long id;

		if (!sl->id1)
			continue;
		ot = &old.terms[sl->id1 - 1];
		if (term_eager(&old, ot) && ot->df == 0)
			continue;
		s = old.arena + old.toff[sl->id1 - 1];
		id = -1;
		cur_init(&c, &old, ot);
		for (cur_next(&c); !c.done; cur_next(&c)) {
			if (map[c.doc] == UINT32_MAX)
				continue;
			if (id < 0)
				id = term_id(ix, s, strlen(s), 1);
			term_append(ix, &ix->terms[id], map[c.doc], cur_pos(&c),
			    c.tf, old.dlen[c.doc].ntok);
		}
	}
	cur_free(&c);
	free(map);
	free(old.dlen);
	terms_free(&old);
	search_trim(ix);
}

int
search_remove(struct search *ix, const char *key)
{
	struct dockey *dk = strmap_get(&ix->keys, key, strlen(key));
	struct cur c;
	uint32_t slot;
	size_t i;

	if (dk == NULL || !dk->has)
		return 0;
	slot = dk->slot;
	/*
	 * The long lists holding the slot lose it from their count (see
	 * term_df): each is looked up by its skips.
	 */
	memset(&c, 0, sizeof(c));
	for (i = 0; i < ix->neager; i++) {
		struct term *t = &ix->terms[ix->eager[i]];

		if (t->last <= slot || t->df == 0)
			continue;
		cur_init(&c, ix, t);
		cur_seek(&c, slot);
		if (!c.done && c.doc == slot)
			t->df--;
	}
	cur_free(&c);
	ix->nlive--;
	ix->live_ntok -= ix->dlen[slot].ntok;
	ix->dead =
	    xgrow(ix->dead, &ix->capdead, ix->ndead + 1, sizeof(*ix->dead));
	for (i = ix->ndead; i > 0 && ix->dead[i - 1] > slot; i--)
		ix->dead[i] = ix->dead[i - 1];
	ix->dead[i] = slot;
	ix->ndead++;
	sdoc_clear(&ix->docs[slot]);
	dk->has = 0;
	if (ix->ndead > 64 && ix->ndead > ix->nlive)
		compact(ix);
	return 1;
}

int
search_has(const struct search *ix, const char *key)
{
	const struct dockey *dk = strmap_get(&ix->keys, key, strlen(key));

	return dk != NULL && dk->has;
}

void
search_reserve(struct search *ix, size_t n)
{
	if (n <= ix->ndocs)
		return;
	ix->docs = xgrow(ix->docs, &ix->capdocs, n, sizeof(*ix->docs));
	ix->dlen = xgrow(ix->dlen, &ix->capdlen, n, sizeof(*ix->dlen));
	ix->dks = xgrow(ix->dks, &ix->capdks, n, sizeof(*ix->dks));
	strmap_reserve(&ix->keys, n - ix->ndocs);
}

void
search_set_flags(struct search *ix, const char *key, unsigned flags)
{
	const struct dockey *dk = strmap_get(&ix->keys, key, strlen(key));

	if (dk != NULL && dk->has)
		ix->docs[dk->slot].flags = flags;
}

void
search_put(struct search *ix, const char *key, const struct search_doc *d)
{
	search_remove(ix, key);
	index_doc(ix, key, d);
}

/*
 * Short streams go into one allocation, one after another, without the
 * malloc header, rounding and slack of each (a third of their size);
 * long ones are cut to their size (cut_long), or keep the room their
 * length gives them (cap_class), so that the next appends find it.
 */
static void
pack_streams(struct search *ix, int cut_long)
{
	uint8_t *np, *at, **owned = NULL;
	size_t i, total = 0, nowned = 0, capowned = 0;

	for (i = 0; i < ix->nterms; i++) {
		const struct term *t = &ix->terms[i];

		if (t->nbits > TERM_INLINE && t->nbits <= PACK_BITS)
			total += (t->nbits + 7) / 8;
	}
	at = np = xcalloc(1, total + 8);
	for (i = 0; i < ix->nterms; i++) {
		struct term *t = &ix->terms[i];
		size_t n = (t->nbits + 7) / 8;
		uint8_t *p;

		if (t->nbits <= TERM_INLINE)
			continue;
		p = term_ptr(ix, t);
		if (t->nbits > PACK_BITS) {
			size_t room = cut_long ?
			    stream_bytes(t->nbits) :
			    cap_class(stream_bytes(t->nbits));

			if (term_packed(ix, t)) {
				uint8_t *q = xcalloc(1, room);

				memcpy(q, p, n);
				p = q;
				t->exact = cut_long;
			} else if (cut_long) {
				p = xrealloc(p, room);
				t->exact = 1;
			} /* else: its own room, exact or cap_class's, kept */
			owned =
			    xgrow(owned, &capowned, nowned + 1, sizeof(*owned));
			owned[nowned] = p;
			t->u.ref = OWNED | (uint32_t)nowned++;
			continue;
		}
		memcpy(at, p, n);
		if (!term_packed(ix, t))
			free(p);
		t->u.ref = (uint32_t)(at - np);
		at += n;
	}
	free(ix->owned);
	ix->owned = nowned ? xrealloc(owned, nowned * sizeof(*owned)) : NULL;
	if (!nowned)
		free(owned);
	ix->nowned = ix->capowned = nowned;
	free(ix->pack);
	ix->pack = np;
	ix->packlen = total + 8;
}

static void
trim(struct search *ix, int cut_long)
{
	size_t i;

	pack_streams(ix, cut_long);
	for (i = 0; i < ix->nskips; i++) {
		struct skips *sk = &ix->skips[i];

		if (sk->n < sk->cap) {
			sk->v = xrealloc(sk->v, sk->n * sizeof(*sk->v));
			sk->cap = sk->n;
		}
	}
	if (ix->nterms) {
		ix->terms =
		    xrealloc(ix->terms, ix->nterms * sizeof(*ix->terms));
		ix->capterms = ix->nterms;
		ix->toff = xrealloc(ix->toff, ix->nterms * sizeof(*ix->toff));
		ix->captoff = ix->nterms;
	}
	if (ix->nskips) {
		ix->skips =
		    xrealloc(ix->skips, ix->nskips * sizeof(*ix->skips));
		ix->capskips = ix->nskips;
	}
	if (ix->arena_len) {
		ix->arena = xrealloc(ix->arena, ix->arena_len);
		ix->arena_cap = ix->arena_len;
	}
}

void
search_trim(struct search *ix)
{
	trim(ix, 1);
}

void
search_pack(struct search *ix)
{
	trim(ix, 0);
}

void
search_set_text_source(struct search *ix, search_text_fn fn, void *arg)
{
	size_t i;

	ix->text_fn = fn;
	ix->text_arg = arg;
	for (i = 0; fn && i < ix->ndocs; i++) {
		free(ix->docs[i].text);
		ix->docs[i].text = NULL;
	}
}

void
search_get_stats(const struct search *ix, struct search_stats *st)
{
	struct cur c;
	size_t i, j;

	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	st->docs = ix->nlive;
	st->terms = ix->nterms;
	for (i = 0; i < ix->nterms; i++) {
		const struct term *t = &ix->terms[i];
		uint64_t b0;

		if (t->nbits > TERM_INLINE && !term_packed(ix, t))
			st->postings += malloc_usable_size(term_ptr(ix, t));
		/* Where the bits go: slot gaps and tf, positions. */
		cur_init(&c, ix, t);
		for (;;) {
			b0 = c.b.pos;
			if (c.b.pos >= c.b.end)
				break;
			if (c.ski < c.nsk && c.b.pos == c.sk[c.ski].off)
				c.k = c.sk[c.ski++].k;
			c.last += get_rice(&c.b, c.k) + 1;
			c.tf = get_gamma(&c.b);
			st->doc_bits += c.b.pos - b0;
			b0 = c.b.pos;
			if (c.tf >= LONG_TF)
				c.b.pos += get_gamma(&c.b) - 1;
			else if (c.tf == 1)
				get_tb(&c.b, ix->dlen[c.last - 1].ntok);
			else {
				uint32_t kp =
				    pos_k(ix->dlen[c.last - 1].ntok, c.tf);

				for (j = 0; j < c.tf; j++)
					get_rice(&c.b, kp);
			}
			st->pos_bits += c.b.pos - b0;
		}
	}
	cur_free(&c);
	for (i = 0; i < ix->nskips; i++)
		st->skips += ix->skips[i].cap * sizeof(struct skip);
	st->skips += ix->capskips * sizeof(*ix->skips);
	st->postings +=
	    st->skips + ix->packlen + ix->capowned * sizeof(*ix->owned);
	st->dict = ix->capterms * sizeof(*ix->terms) + ix->arena_cap +
	    ix->captoff * sizeof(*ix->toff) + ix->tcap * sizeof(*ix->table) +
	    ix->seencap * sizeof(*ix->seen) +
	    ix->ordercap * sizeof(*ix->order) +
	    (ix->capocc + ix->capspos) * sizeof(uint32_t);
	st->store = ix->capdocs * sizeof(*ix->docs) +
	    ix->capdlen * sizeof(*ix->dlen) +
	    ix->keys.cap * (sizeof(char *) + sizeof(size_t) + sizeof(void *));
	for (i = 0; i < ix->ndocs; i++) {
		const struct sdoc *d = &ix->docs[i];

		if (!d->live)
			continue;
		st->store += strlen(d->url) + strlen(d->title) +
		    (d->text ? strlen(d->text) : 0) + 3 +
		    (d->lang ? strlen(d->lang) + 1 : 0);
		for (j = 0; j < d->ntags; j++)
			st->store += strlen(d->tags[j]) + 1 + sizeof(char *);
	}
	for (i = 0; i < ix->ndks; i++)
		st->store +=
		    sizeof(struct dockey) + strlen(ix->dks[i]->key) + 1;
}

/* --- the query ---------------------------------------------------------- */

enum { IT_TEXT, IT_TAG, IT_RATING, IT_YEAR, IT_LANG };
enum { OP_EQ, OP_GT, OP_GE, OP_LT, OP_LE };

struct qtok {
	char s[SEARCH_TOKEN_MAX + 1];
	size_t n;
	uint32_t off; /* position relative to the item's first term */
	long id;      /* term id, or -1 */
	int kind;     /* TK_WORD, TK_UNI, TK_BI */
};

struct qitem {
	int kind, neg, quoted, op;
	size_t tok, ntok; /* in query.toks */
	char *val;	  /* tag, lang (folded) */
	double num;
};

struct query {
	struct qitem items[SEARCH_MAX_ITEMS];
	size_t nitems;
	struct qtok toks[SEARCH_MAX_TOKENS];
	size_t ntoks;
	const char *err;
};

static void
query_free(struct query *q)
{
	size_t i;

	for (i = 0; i < q->nitems; i++)
		free(q->items[i].val);
	q->nitems = 0;
}

struct qcollect {
	struct query *q;
	size_t first;  /* first token of the item */
	uint32_t base; /* position of the item's first term */
	int have_base, overflow;
	int kind[SEARCH_MAX_TOKENS];
};

static void
qcollect_cb(void *arg, const char *tok, size_t n, uint32_t pos, size_t start,
    size_t end, int kind)
{
	struct qcollect *c = arg;
	struct query *q = c->q;
	struct qtok *t;
	size_t i;

	(void)start;
	(void)end;
	/*
	 * Inside a CJK run its pairs say it all: a pair drops the single
	 * letter at its start, and the letter after a pair is its second.
	 */
	if (kind == TK_BI) {
		for (i = c->first; i < q->ntoks; i++)
			if (c->kind[i] == TK_UNI &&
			    q->toks[i].off + c->base == pos) {
				memmove(&q->toks[i], &q->toks[i + 1],
				    (q->ntoks - i - 1) * sizeof(*q->toks));
				memmove(&c->kind[i], &c->kind[i + 1],
				    (q->ntoks - i - 1) * sizeof(*c->kind));
				q->ntoks--;
				i--;
			}
	} else if (kind == TK_UNI && q->ntoks > c->first &&
	    c->kind[q->ntoks - 1] == TK_BI &&
	    q->toks[q->ntoks - 1].off + c->base + 1 == pos)
		return;
	if (q->ntoks >= SEARCH_MAX_TOKENS) {
		c->overflow = 1;
		return;
	}
	if (!c->have_base) {
		c->base = pos;
		c->have_base = 1;
	}
	t = &q->toks[q->ntoks];
	memcpy(t->s, tok, n);
	t->s[n] = '\0';
	t->n = n;
	t->off = pos - c->base;
	t->id = -1;
	t->kind = kind;
	c->kind[q->ntoks] = kind;
	q->ntoks++;
}

static int
is_space_at(const char *s, size_t len, size_t i, size_t *n)
{
	const unsigned char *u = (const unsigned char *)s;

	*n = 1;
	if (u[i] == ' ' || u[i] == '\t' || u[i] == '\n' || u[i] == '\r')
		return 1;
	if (i + 1 < len && u[i] == 0xc2 && u[i + 1] == 0xa0) {
		*n = 2;
		return 1;
	}
	if (i + 2 < len && u[i] == 0xe3 && u[i + 1] == 0x80 &&
	    u[i + 2] == 0x80) {
		*n = 3;
		return 1;
	}
	return 0;
}

static int
prefix_is(const char *s, size_t n, const char *pre)
{
	size_t m = strlen(pre), i;

	if (n < m)
		return 0;
	for (i = 0; i < m; i++)
		if ((s[i] | 0x20) != pre[i])
			return 0;
	return 1;
}

/* The comparison before a filter's value: its length. */
static size_t
parse_op(const char *s, size_t n, int *op)
{
	*op = OP_EQ;
	if (n >= 2 && s[0] == '>' && s[1] == '=')
		return *op = OP_GE, 2;
	if (n >= 2 && s[0] == '<' && s[1] == '=')
		return *op = OP_LE, 2;
	if (n >= 1 && s[0] == '>')
		return *op = OP_GT, 1;
	if (n >= 1 && s[0] == '<')
		return *op = OP_LT, 1;
	return n >= 1 && s[0] == '=';
}

/* Parses "[op]number" for year:. */
static int
parse_num(const char *s, size_t n, int *op, double *num, int integer)
{
	char tmp[32], *end;
	size_t i = parse_op(s, n, op);

	if (n - i == 0 || n - i >= sizeof(tmp))
		return -1;
	memcpy(tmp, s + i, n - i);
	tmp[n - i] = '\0';
	if (strspn(tmp, integer ? "0123456789" : "0123456789.") != n - i ||
	    tmp[0] == '.')
		return -1;
	*num = strtod(tmp, &end);
	return *end == '\0' ? 0 : -1;
}

/*
 * Half stars, as a page shows a rating (pages_stars): to the nearest
 * half, 0..10. NaN and negatives are no star.
 */
static int
halves_of(double r)
{
	if (!(r > 0))
		return 0;
	if (r >= 5)
		return 10;
	return (int)(r * 2 + 0.5);
}

/*
 * "[op]value" for rating:, the value as a reader writes it: 4, 4.5, 4½,
 * ½, ★★★★½ (☆ ignored), or on a scale: 8/10, 85%. The value becomes half
 * stars, which is what the comparison uses on both sides.
 */
static int
parse_rating(const char *s, size_t n, int *op, double *num)
{
	char tmp[64], *end;
	const char *p;
	double v = 0, den = 5;
	size_t i = parse_op(s, n, op);
	int stars = 0;

	if (n - i == 0 || n - i >= sizeof(tmp))
		return -1;
	memcpy(tmp, s + i, n - i);
	tmp[n - i] = '\0';
	p = tmp;
	v = 0;
	while (strncmp(p, "\xe2\x98\x85", 3) == 0 ||
	    strncmp(p, "\xe2\x98\x86", 3) == 0) { /* ★ ☆ */
		v += p[2] == '\x85';
		p += 3;
		stars = 1;
	}
	if (!stars && *p >= '0' && *p <= '9') {
		v = strtod(p, &end);
		p = end;
	} else if (!stars && *p != '\xc2')
		return -1;
	if (strncmp(p, "\xc2\xbd", 2) == 0) { /* ½ */
		if (v != floor(v))
			return -1;
		v += 0.5;
		p += 2;
	} else if (!stars && *p == '/') {
		den = strtod(p + 1, &end);
		if (end == p + 1 || !(den > 0))
			return -1;
		p = end;
	} else if (!stars && *p == '%') {
		den = 100;
		p++;
	}
	if (*p != '\0' || !(v >= 0) || v > den)
		return -1;
	*num = halves_of(v * 5 / den) / 2.0;
	return 0;
}

static int
parse_query(const char *s, size_t len, struct query *q)
{
	size_t i = 0, n, raw = 0;

	memset(q, 0, sizeof(*q));
	if (len > SEARCH_MAX_QUERY) {
		q->err = "The search is too long: at most 512 bytes.";
		return -1;
	}
	while (i < len) {
		struct qitem it;
		size_t start, end, vs, ve;
		int quoted = 0;

		if (is_space_at(s, len, i, &n)) {
			i += n;
			continue;
		}
		memset(&it, 0, sizeof(it));
		if (s[i] == '-') {
			it.neg = 1;
			i++;
			if (i == len || is_space_at(s, len, i, &n))
				continue;
		}
		start = i;
		if (s[i] == '"') {
			quoted = 1;
			start = ++i;
			while (i < len && s[i] != '"')
				i++;
			end = i;
			if (i < len)
				i++;
		} else {
			while (i < len && !is_space_at(s, len, i, &n)) {
				if (s[i] == '"' && i > start &&
				    s[i - 1] == ':') {
					/* tag:"two words" */
					i++;
					while (i < len && s[i] != '"')
						i++;
					if (i < len)
						i++;
					continue;
				}
				i++;
			}
			end = i;
		}
		if (++raw > SEARCH_MAX_ITEMS) {
			q->err = "Too many words: a search takes at most 12 "
				 "words, phrases and filters.";
			return -1;
		}
		vs = start;
		ve = end;
		if (!quoted &&
		    (prefix_is(s + start, end - start, "tag:") ||
			prefix_is(s + start, end - start, "lang:") ||
			prefix_is(s + start, end - start, "rating:") ||
			prefix_is(s + start, end - start, "year:"))) {
			char c = (char)(s[start] | 0x20);

			vs = (size_t)((const char *)memchr(s + start, ':',
					  end - start) -
				 s) +
			    1;
			if (ve > vs && s[vs] == '"') {
				vs++;
				if (ve > vs && s[ve - 1] == '"')
					ve--;
			}
			if (ve <= vs) {
				q->err =
				    "A filter needs a value, as in "
				    "tag:anime, rating:>=4, year:2024, lang:ja.";
				return -1;
			}
			if (c == 't' || c == 'l') {
				char *v = xstrndup(s + vs, ve - vs);

				it.kind = c == 't' ? IT_TAG : IT_LANG;
				it.val = search_fold(v);
				free(v);
			} else if (c == 'r') {
				it.kind = IT_RATING;
				if (parse_rating(s + vs, ve - vs, &it.op,
					&it.num) == -1) {
					q->err =
					    "rating: takes a number of "
					    "stars from 0 to 5, as in rating:5, "
					    "rating:>=4 or rating:3.5 (or 3½).";
					return -1;
				}
			} else {
				it.kind = IT_YEAR;
				if (parse_num(s + vs, ve - vs, &it.op, &it.num,
					1) == -1) {
					q->err = "year: takes a year, as in "
						 "year:2024 or year:>=2020.";
					return -1;
				}
			}
		} else {
			struct qcollect c;

			memset(&c, 0, sizeof(c));
			c.q = q;
			c.first = q->ntoks;
			it.kind = IT_TEXT;
			it.quoted = quoted;
			it.tok = q->ntoks;
			tokenize(s + start, end - start, 0, qcollect_cb, &c);
			if (c.overflow) {
				q->err = "Too many words: a search looks up "
					 "at most 32 terms.";
				return -1;
			}
			it.ntok = q->ntoks - it.tok;
			if (it.ntok == 0)
				continue; /* punctuation only */
		}
		q->items[q->nitems++] = it;
	}
	return 0;
}

static int
items_equal(const struct query *q, const struct qitem *a, const struct qitem *b)
{
	size_t i;

	if (a->kind != b->kind || a->neg != b->neg || a->op != b->op ||
	    a->num != b->num || a->ntok != b->ntok)
		return 0;
	if ((a->val == NULL) != (b->val == NULL) ||
	    (a->val && strcmp(a->val, b->val) != 0))
		return 0;
	for (i = 0; i < a->ntok; i++)
		if (strcmp(q->toks[a->tok + i].s, q->toks[b->tok + i].s) != 0 ||
		    q->toks[a->tok + i].off != q->toks[b->tok + i].off)
			return 0;
	return 1;
}

/* Parses and checks: the same item twice counts once; something to find. */
static int
query_prepare(const char *s, size_t len, struct query *q)
{
	size_t i, j, pos = 0;

	if (parse_query(s, len, q) == -1) {
		query_free(q);
		return -1;
	}
	for (i = 0; i < q->nitems; i++) {
		for (j = 0; j < i; j++)
			if (items_equal(q, &q->items[i], &q->items[j]))
				break;
		if (j < i) {
			free(q->items[i].val);
			memmove(&q->items[i], &q->items[i + 1],
			    (q->nitems - i - 1) * sizeof(*q->items));
			q->nitems--;
			i--;
			continue;
		}
		pos += !q->items[i].neg;
	}
	if (q->nitems == 0) {
		q->err = "Nothing to search for: type words, \"a phrase\", "
			 "-word to leave out, or tag:, rating:, year:, lang:.";
		return -1;
	}
	if (pos == 0) {
		q->err = "Say what to look for, not only what to leave out.";
		query_free(q);
		return -1;
	}
	return 0;
}

static const char *const op_names[] = { "", ">", ">=", "<", "<=" };

int
search_parse_describe(const char *s, size_t len, struct buf *out,
    const char **err)
{
	struct query q;
	size_t i, j;

	if (query_prepare(s, len, &q) == -1) {
		*err = q.err;
		return -1;
	}
	for (i = 0; i < q.nitems; i++) {
		const struct qitem *it = &q.items[i];
		int consecutive = 1;

		buf_addc(out, it->neg ? '-' : '+');
		switch (it->kind) {
		case IT_TAG:
			buf_printf(out, "tag:%s\n", it->val);
			continue;
		case IT_LANG:
			buf_printf(out, "lang:%s\n", it->val);
			continue;
		case IT_RATING:
		case IT_YEAR:
			buf_printf(out, "%s:%s%g\n",
			    it->kind == IT_RATING ? "rating" : "year",
			    op_names[it->op], it->num);
			continue;
		}
		for (j = 0; j < it->ntok; j++)
			consecutive &= q.toks[it->tok + j].off == j;
		if (it->ntok > 1)
			buf_addc(out, '"');
		for (j = 0; j < it->ntok; j++) {
			buf_printf(out, "%s%s", j ? " " : "",
			    q.toks[it->tok + j].s);
			if (!consecutive)
				buf_printf(out, "@%u", q.toks[it->tok + j].off);
		}
		buf_adds(out, it->ntok > 1 ? "\"\n" : "\n");
	}
	query_free(&q);
	return 0;
}

/* --- evaluation --------------------------------------------------------- */

struct match {
	uint32_t doc;
	uint32_t title; /* items hit in the title */
	double score;
	int64_t date;
};

struct eval {
	const struct search *ix;
	struct query *q;
	struct cur curs[SEARCH_MAX_TOKENS];
	double idf[SEARCH_MAX_ITEMS];
	double avgdl;
};

static int
pos_has(struct cur *c, uint32_t *at, uint32_t p)
{
	const uint32_t *pos = cur_pos(c);

	while (*at < c->tf && pos[*at] < p)
		(*at)++;
	return *at < c->tf && pos[*at] == p;
}

/*
 * Counts the phrase item it in the document all its terms' cursors
 * stand on: the positions p0 where each term i is at p0 + its offset.
 */
static uint32_t
phrase_count(struct eval *e, const struct qitem *it, uint32_t title_ntok,
    int *title)
{
	const struct query *q = e->q;
	size_t lastk = it->tok + it->ntok - 1, j;
	struct cur *lc = &e->curs[lastk];
	const uint32_t *lpos = cur_pos(lc);
	uint32_t at[SEARCH_MAX_TOKENS], count = 0, i, p0;

	memset(at, 0, sizeof(at));
	for (i = 0; i < lc->tf; i++) {
		if (lpos[i] < q->toks[lastk].off)
			continue;
		p0 = lpos[i] - q->toks[lastk].off;
		for (j = it->tok; j < lastk; j++)
			if (!pos_has(&e->curs[j], &at[j], p0 + q->toks[j].off))
				break;
		if (j == lastk) {
			count++;
			if (p0 < title_ntok)
				*title = 1;
		}
	}
	return count;
}

static int
cmp_num(double v, int op, double want)
{
	switch (op) {
	case OP_GT:
		return v > want;
	case OP_GE:
		return v >= want - 1e-9;
	case OP_LT:
		return v < want;
	case OP_LE:
		return v <= want + 1e-9;
	}
	return fabs(v - want) < 1e-9;
}

static int
filter_ok(const struct qitem *it, const struct sdoc *d)
{
	size_t i, n;

	switch (it->kind) {
	case IT_TAG:
		for (i = 0; i < d->ntags; i++)
			if (strcmp(d->tags[i], it->val) == 0)
				return 1;
		return 0;
	case IT_LANG:
		n = strlen(it->val);
		return d->lang && strncmp(d->lang, it->val, n) == 0 &&
		    (d->lang[n] == '\0' || d->lang[n] == '-' ||
			d->lang[n] == '_');
	case IT_RATING:
		/* In half stars on both sides, as the page shows them. */
		return d->has_rating &&
		    cmp_num(halves_of(d->rating) / 2.0, it->op, it->num);
	case IT_YEAR:
		return d->ymd[0] && cmp_num(atoi(d->ymd), it->op, it->num);
	}
	return 0;
}

/* Checks doc against every item; 1 with m filled when it matches. */
static int
eval_doc(struct eval *e, uint32_t doc, search_visible_fn visible, void *arg,
    struct match *m)
{
	const struct search *ix = e->ix;
	const struct sdoc *d = &ix->docs[doc];
	const struct dlen *dl = &ix->dlen[doc];
	struct query *q = e->q;
	uint32_t pcount[SEARCH_MAX_ITEMS];
	int ptitle[SEARCH_MAX_ITEMS];
	double norm;
	size_t i, j;

	if (!d->live)
		return 0;
	memset(pcount, 0, sizeof(pcount));
	memset(ptitle, 0, sizeof(ptitle));
	memset(m, 0, sizeof(*m));
	m->doc = doc;
	m->date = d->date;
	norm = BM25_K1 * (1 - BM25_B + BM25_B * dl->ntok / e->avgdl);
	/* Filters first: they cost nothing. */
	for (i = 0; i < q->nitems; i++) {
		const struct qitem *it = &q->items[i];

		if (it->kind != IT_TEXT && filter_ok(it, d) == it->neg)
			return 0;
	}
	for (i = 0; i < q->nitems; i++) {
		const struct qitem *it = &q->items[i];
		int present = 1, title = 0;
		uint32_t tf;

		if (it->kind != IT_TEXT)
			continue;
		for (j = 0; j < it->ntok; j++) {
			struct cur *c = &e->curs[it->tok + j];

			if (q->toks[it->tok + j].id < 0) {
				present = 0;
				break;
			}
			if (it->neg)
				cur_seek(c, doc);
			if (c->doc != doc) {
				present = 0;
				break;
			}
		}
		if (!present) {
			if (it->neg)
				continue;
			return 0;
		}
		if (it->ntok > 1) {
			/* A phrase: its terms in a row, from their positions. */
			tf = phrase_count(e, it, dl->title_ntok, &title);
			if (it->neg ? tf > 0 : tf == 0)
				return 0;
			pcount[i] = tf;
			ptitle[i] = title;
			continue;
		}
		if (it->neg)
			return 0;
		tf = e->curs[it->tok].tf;
		m->title += (uint32_t)e->curs[it->tok].title;
		m->score += e->idf[i] * tf * (BM25_K1 + 1) / (tf + norm);
	}
	/* The phrases' scores after the words', in the items' order. */
	for (i = 0; i < q->nitems; i++) {
		if (pcount[i] == 0 || q->items[i].neg)
			continue;
		m->title += (uint32_t)ptitle[i];
		m->score +=
		    e->idf[i] * pcount[i] * (BM25_K1 + 1) / (pcount[i] + norm);
	}
	if (visible && !(d->flags & SEARCH_PLAIN) &&
	    !visible(arg, d->url, d->flags))
		return 0;
	return 1;
}

/*
 * Terms near each other: the smallest span of positions holding a term
 * of every positive text item (a phrase by its first term) gives a bonus
 * of up to PROX_WEIGHT times their idf, all of it when they stand side by
 * side. 0 with fewer than two such items. The anchors' cursors stand on
 * the document.
 */
static double
proximity(const struct eval *e, const struct cur *const *anchor, size_t k,
    double idf)
{
	uint32_t last[SEARCH_MAX_ITEMS], at[SEARCH_MAX_ITEMS];
	uint32_t best = UINT32_MAX, seen = 0, all, lo, p;
	size_t i, mi;

	(void)e;
	if (k < 2)
		return 0;
	all = (1u << k) - 1;
	memset(at, 0, sizeof(at));
	/* The anchors' positions merged, in ascending order. */
	for (;;) {
		mi = k;
		for (i = 0; i < k; i++)
			if (at[i] < anchor[i]->tf &&
			    (mi == k ||
				anchor[i]->pos[at[i]] <
				    anchor[mi]->pos[at[mi]]))
				mi = i;
		if (mi == k)
			break;
		p = anchor[mi]->pos[at[mi]++];
		last[mi] = p;
		seen |= 1u << mi;
		if (seen != all)
			continue;
		lo = p;
		for (i = 0; i < k; i++)
			if (last[i] < lo)
				lo = last[i];
		if (p - lo < best)
			best = p - lo;
	}
	if (best == UINT32_MAX)
		return 0;
	if (best < k - 1)
		best = (uint32_t)(k - 1);
	return PROX_WEIGHT * idf * (double)(k - 1) / best;
}

static int
match_doc_cmp(const void *x, const void *y)
{
	const struct match *a = x, *b = y;

	return (a->doc > b->doc) - (a->doc < b->doc);
}

/* Adds the proximity bonus to the n matches of h (any order). */
static void
proximity_all(struct eval *e, struct match *h, size_t n)
{
	const struct query *q = e->q;
	struct cur cs[SEARCH_MAX_ITEMS];
	const struct cur *anchor[SEARCH_MAX_ITEMS];
	double idf = 0;
	size_t i, k = 0;

	memset(cs, 0, sizeof(cs));
	for (i = 0; i < q->nitems; i++) {
		const struct qitem *it = &q->items[i];

		if (it->kind != IT_TEXT || it->neg || q->toks[it->tok].id < 0)
			continue;
		cur_init(&cs[k], e->ix, &e->ix->terms[q->toks[it->tok].id]);
		anchor[k] = &cs[k];
		idf += e->idf[i];
		k++;
	}
	if (k >= 2) {
		/* In slot order, each cursor moves forward only. */
		qsort(h, n, sizeof(*h), match_doc_cmp);
		for (i = 0; i < n; i++) {
			size_t j;
			int ok = 1;

			for (j = 0; j < k; j++) {
				cur_seek(&cs[j], h[i].doc);
				ok &= !cs[j].done && cs[j].doc == h[i].doc;
			}
			if (!ok)
				continue;
			for (j = 0; j < k; j++)
				cur_pos(&cs[j]);
			h[i].score += proximity(e, anchor, k, idf);
		}
	}
	for (i = 0; i < k; i++)
		cur_free(&cs[i]);
}

/* 1 when a ranks before b. */
static int
match_before(const struct match *a, const struct match *b)
{
	if (a->title != b->title)
		return a->title > b->title;
	if (a->score != b->score)
		return a->score > b->score;
	if (a->date != b->date)
		return a->date > b->date;
	return a->doc < b->doc;
}

static int
match_cmp(const void *x, const void *y)
{
	const struct match *a = x, *b = y;

	return match_before(a, b) ? -1 : match_before(b, a) ? 1 : 0;
}

/*
 * Keeps the best k matches in a heap whose root is the worst of them, so
 * a query matching every post never sorts them all.
 */
static void
heap_push(struct match *h, size_t *n, size_t k, const struct match *m)
{
	size_t i, c;

	if (*n < k) {
		i = (*n)++;
		while (i > 0 && match_before(&h[(i - 1) / 2], m)) {
			h[i] = h[(i - 1) / 2];
			i = (i - 1) / 2;
		}
		h[i] = *m;
		return;
	}
	if (k == 0 || !match_before(m, &h[0]))
		return;
	i = 0;
	for (;;) {
		c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && match_before(&h[c], &h[c + 1]))
			c++;
		if (!match_before(m, &h[c]))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = *m;
}

struct snip_tok {
	size_t start, end;
	int item;
};

struct snip {
	const struct query *q;
	struct snip_tok *v;
	size_t n, cap;
	size_t base; /* offset of the text tokenized */
};

static void
snip_cb(void *arg, const char *tok, size_t n, uint32_t pos, size_t start,
    size_t end, int kind)
{
	struct snip *sn = arg;
	const struct query *q = sn->q;
	size_t i, j;

	(void)pos;
	(void)kind;
	for (i = 0; i < q->nitems; i++) {
		const struct qitem *it = &q->items[i];

		if (it->kind != IT_TEXT || it->neg)
			continue;
		for (j = 0; j < it->ntok; j++)
			if (q->toks[it->tok + j].n == n &&
			    memcmp(q->toks[it->tok + j].s, tok, n) == 0) {
				sn->v = xgrow(sn->v, &sn->cap, sn->n + 1,
				    sizeof(*sn->v));
				sn->v[sn->n].start = sn->base + start;
				sn->v[sn->n].end = sn->base + end;
				sn->v[sn->n].item = (int)i;
				sn->n++;
				return;
			}
	}
}

/* 1 when a sentence ends at text[i] (its last byte is before i). */
static size_t
sentence_end(const char *t, size_t len, size_t i)
{
	if (t[i] == '\n')
		return 1;
	if ((t[i] == '.' || t[i] == '!' || t[i] == '?') &&
	    (i + 1 == len || t[i + 1] == ' ' || t[i + 1] == '\n'))
		return 1;
	if (i + 2 < len && (unsigned char)t[i] == 0xe3 &&
	    (unsigned char)t[i + 1] == 0x80 && (unsigned char)t[i + 2] == 0x82)
		return 3; /* 。 */
	if (i + 2 < len && (unsigned char)t[i] == 0xef &&
	    (unsigned char)t[i + 1] == 0xbc &&
	    ((unsigned char)t[i + 2] == 0x81 ||
		(unsigned char)t[i + 2] == 0x9f))
		return 3; /* ！？ */
	return 0;
}

static void
put_clean(struct buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf_addc(out, (unsigned char)s[i] < 0x20 ? ' ' : s[i]);
}

/* The sentence of text holding the most query items, hits in « ». */
static char *
snippet(const struct query *q, const char *text)
{
	size_t len = strlen(text), i, j, k, s0 = 0, best_s = 0, best_e = 0;
	size_t from, to, first_hit, done = 0;
	struct snip sn = { q, NULL, 0, 0, 0 };
	struct buf out = BUF_INIT;
	int best = -1, all = 0;

	for (i = 0; i < q->nitems; i++)
		all += q->items[i].kind == IT_TEXT && !q->items[i].neg &&
		    q->items[i].ntok > 0;
	/*
	 * Walk the sentences, counting the distinct items hit in each; each
	 * is tokenized when reached (a sentence ends on a separator: no term
	 * spans two), and the walk stops at the first that hits them all.
	 */
	k = 0;
	for (i = 0; i <= len; i++) {
		size_t e = i == len ? 1 : sentence_end(text, len, i);
		unsigned seen = 0;
		int count = 0;

		if (e == 0)
			continue;
		if (i + e > done && done < len) {
			size_t upto = i + e < len ? i + e : len;

			sn.base = done;
			tokenize(text + done, upto - done, 0, snip_cb, &sn);
			done = upto;
		}
		while (k < sn.n && sn.v[k].start < i + e) {
			if (sn.v[k].start >= s0 &&
			    !(seen & (1u << sn.v[k].item))) {
				seen |= 1u << sn.v[k].item;
				count++;
			}
			k++;
		}
		for (j = s0; j < i && (text[j] == ' ' || text[j] == '\n'); j++)
			;
		if (j < i && count > best) {
			best = count;
			best_s = s0;
			best_e = i + e;
			if (count == all)
				break;
		}
		s0 = i + e;
		i += e - 1;
	}
	if (best < 0 || best_e <= best_s) {
		free(sn.v);
		return NULL;
	}
	if (best_e > len)
		best_e = len;
	while (best_s < best_e && (text[best_s] == ' ' || text[best_s] == '\n'))
		best_s++;
	while (best_e > best_s &&
	    (text[best_e - 1] == ' ' || text[best_e - 1] == '\n'))
		best_e--;
	if (best_e <= best_s) {
		free(sn.v);
		return NULL;
	}
	first_hit = best_s;
	for (k = 0; k < sn.n; k++)
		if (sn.v[k].start >= best_s && sn.v[k].end <= best_e) {
			first_hit = sn.v[k].start;
			break;
		}
	from = best_s;
	to = best_e;
	if (to - from > SNIPPET_MAX) {
		if (first_hit > from + SNIPPET_MAX / 3)
			from = utf8_back(text, first_hit - SNIPPET_MAX / 3);
		if (to - from > SNIPPET_MAX)
			to = utf8_back(text, from + SNIPPET_MAX);
	}
	if (from > best_s)
		buf_adds(&out, "…");
	i = from;
	for (k = 0; k < sn.n; k++) {
		size_t hs = sn.v[k].start, he = sn.v[k].end;

		if (hs < i || he > to)
			continue;
		/* Neighbouring hits ("look back", CJK pairs) share marks. */
		while (k + 1 < sn.n && sn.v[k + 1].end <= to &&
		    sn.v[k + 1].start <= he + 1 && sn.v[k + 1].start >= hs &&
		    strspn(text + he, " -") >=
			(sn.v[k + 1].start > he ? sn.v[k + 1].start - he : 0)) {
			if (sn.v[k + 1].end > he)
				he = sn.v[k + 1].end;
			k++;
		}
		put_clean(&out, text + i, hs - i);
		buf_adds(&out, "«");
		put_clean(&out, text + hs, he - hs);
		buf_adds(&out, "»");
		i = he;
	}
	put_clean(&out, text + i, to - i);
	if (to < best_e)
		buf_adds(&out, "…");
	free(sn.v);
	return buf_detach(&out, NULL);
}

int
search_query(const struct search *ix, const char *s, size_t len, size_t page,
    search_visible_fn visible, void *arg, struct search_result *r)
{
	struct eval *e;
	struct query *q;
	struct match *heap = NULL, m;
	struct buf text = BUF_INIT;
	size_t i, j, k, nheap = 0, want, lead = SIZE_MAX, npos = 0, nprox;
	uint64_t scan = 0;
	int none = 0, rc = 0;

	memset(r, 0, sizeof(*r));
	r->page = page ? page : 1;
	if (r->page > MAX_PAGE) {
		r->error = "No such page.";
		return -1;
	}
	q = xcalloc(1, sizeof(*q));
	if (query_prepare(s, len, q) == -1) {
		r->error = q->err;
		free(q);
		return -1;
	}
	e = xcalloc(1, sizeof(*e));
	e->ix = ix;
	e->q = q;
	e->avgdl = ix->nlive && ix->live_ntok ?
	    (double)ix->live_ntok / (double)ix->nlive :
	    1.0;
	/* Look the terms up; the rarest required one leads. */
	for (i = 0; i < q->nitems; i++) {
		const struct qitem *it = &q->items[i];
		uint32_t df = UINT32_MAX, tdf;

		if (it->kind != IT_TEXT)
			continue;
		npos += !it->neg;
		for (j = 0; j < it->ntok; j++) {
			struct qtok *t = &q->toks[it->tok + j];

			t->id = term_id((struct search *)ix, t->s, t->n, 0);
			if (t->id < 0) {
				none |= !it->neg;
				continue;
			}
			tdf = term_df(ix, &ix->terms[t->id]);
			if (tdf < df)
				df = tdf;
			scan += ix->terms[t->id].nbits / 8;
			cur_init(&e->curs[it->tok + j], ix, &ix->terms[t->id]);
			if (!it->neg &&
			    (lead == SIZE_MAX ||
				ix->terms[t->id].nbits <
				    ix->terms[q->toks[lead].id].nbits))
				lead = it->tok + j;
		}
		if (df == UINT32_MAX || df == 0)
			df = 1;
		e->idf[i] =
		    log(1.0 + ((double)ix->nlive - df + 0.5) / (df + 0.5));
	}
	if (scan > SEARCH_MAX_SCAN) {
		r->error = "This search would read too much of the index: "
			   "add a rarer word or a filter.";
		rc = -1;
		goto done;
	}
	want = r->page * SEARCH_PAGE_SIZE;
	/* The best PROX_RERANK get the bonus, whichever page is asked. */
	nprox = npos > 1 ? PROX_RERANK : 0;
	if (want < nprox)
		want = nprox;
	heap = xcalloc(want, sizeof(*heap));
	if (none)
		goto done;
	if (npos == 0) {
		/* Filters alone: every document is a candidate. */
		for (k = 0; k < ix->ndocs; k++)
			if (eval_doc(e, (uint32_t)k, visible, arg, &m)) {
				r->total++;
				heap_push(heap, &nheap, want, &m);
			}
		goto done;
	}
	for (i = 0; i < q->ntoks; i++)
		if (q->toks[i].id >= 0)
			cur_next(&e->curs[i]);
	for (;;) {
		uint32_t doc = e->curs[lead].doc, top = doc;
		int agree = 1;

		if (e->curs[lead].done)
			break;
		for (i = 0; i < q->nitems; i++) {
			const struct qitem *it = &q->items[i];

			if (it->kind != IT_TEXT || it->neg)
				continue;
			for (j = 0; j < it->ntok; j++) {
				struct cur *c = &e->curs[it->tok + j];

				cur_seek(c, doc);
				if (c->done)
					goto done;
				if (c->doc != doc) {
					agree = 0;
					if (c->doc > top)
						top = c->doc;
				}
			}
		}
		if (!agree) {
			cur_seek(&e->curs[lead], top);
			continue;
		}
		if (eval_doc(e, doc, visible, arg, &m)) {
			r->total++;
			heap_push(heap, &nheap, want, &m);
		}
		cur_next(&e->curs[lead]);
	}
done:
	if (rc == 0 && nheap > 0)
		qsort(heap, nheap, sizeof(*heap), match_cmp);
	if (rc == 0 && nprox && nheap > 1) {
		/*
		 * Within the best by BM25, terms near each other rank higher;
		 * the bonus never lifts one past a match with more title hits.
		 */
		k = nheap < nprox ? nheap : nprox;
		proximity_all(e, heap, k);
		qsort(heap, k, sizeof(*heap), match_cmp);
	}
	if (rc == 0 && nheap > (r->page - 1) * SEARCH_PAGE_SIZE) {
		k = (r->page - 1) * SEARCH_PAGE_SIZE;
		r->nhits = nheap - k;
		if (r->nhits > SEARCH_PAGE_SIZE)
			r->nhits = SEARCH_PAGE_SIZE;
		r->hits = xcalloc(r->nhits, sizeof(*r->hits));
		for (i = 0; i < r->nhits; i++) {
			const struct sdoc *d = &ix->docs[heap[k + i].doc];

			r->hits[i].url = d->url;
			r->hits[i].title = d->title;
			r->hits[i].ymd = d->ymd[0] ? d->ymd : NULL;
			if (d->text)
				r->hits[i].snippet = snippet(q, d->text);
			else if (ix->text_fn &&
			    ix->text_fn(ix->text_arg, d->key, &text) == 0) {
				buf_addc(&text, '\0');
				r->hits[i].snippet = snippet(q, text.data);
			}
			text.len = 0;
		}
	}
	buf_free(&text);
	for (i = 0; i < SEARCH_MAX_TOKENS; i++)
		cur_free(&e->curs[i]);
	free(e);
	free(heap);
	query_free(q);
	free(q);
	return rc;
}

void
search_result_free(struct search_result *r)
{
	size_t i;

	for (i = 0; i < r->nhits; i++)
		free(r->hits[i].snippet);
	free(r->hits);
	memset(r, 0, sizeof(*r));
}

/* --- the page ----------------------------------------------------------- */

int
search_unescape(const char *s, struct buf *out)
{
	for (; *s; s++) {
		if (*s == '%') {
			int h = util_hexval((unsigned char)s[1]), l;

			if (h < 0 || (l = util_hexval((unsigned char)s[2])) < 0)
				return -1;
			buf_addc(out, h * 16 + l);
			s += 2;
		} else
			buf_addc(out, *s);
	}
	return 0;
}

static void
put_encoded(struct buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			buf_addc(out, c);
		else
			buf_printf(out, "%%%02X", c);
	}
}

int
search_page(const struct search *ix, const char *rawq, size_t page,
    const char *base, search_visible_fn visible, void *arg, struct buf *out)
{
	struct buf q = BUF_INIT;
	struct search_result r;
	size_t i, pages;

	if (search_unescape(rawq, &q) == -1 ||
	    !utf8_valid_text(q.data, q.len)) {
		buf_printf(out,
		    "# Search\n\nThe search could not be read: it "
		    "is not valid percent-encoded UTF-8.\n\n=> %s Search again\n",
		    base);
		buf_free(&q);
		return -1;
	}
	buf_adds(out, "# Search: ");
	put_clean(out, q.data, q.len);
	buf_adds(out, "\n\n");
	if (search_query(ix, q.data, q.len, page, visible, arg, &r) == -1) {
		buf_printf(out, "%s\n\n=> %s Search again\n", r.error, base);
		buf_free(&q);
		return 0;
	}
	pages = (r.total + SEARCH_PAGE_SIZE - 1) / SEARCH_PAGE_SIZE;
	if (r.total == 0)
		buf_adds(out,
		    "No review matches. Words must all appear; "
		    "try fewer words, or other spellings.\n\n");
	else if (r.nhits == 0)
		buf_printf(out, "%zu result%s; there is no page %zu.\n\n",
		    r.total, r.total == 1 ? "" : "s", r.page);
	else if (pages == 1)
		buf_printf(out, "%zu result%s.\n\n", r.total,
		    r.total == 1 ? "" : "s");
	else
		buf_printf(out, "%zu results, page %zu of %zu.\n\n", r.total,
		    r.page, pages);
	for (i = 0; i < r.nhits; i++) {
		const struct search_hit *h = &r.hits[i];

		buf_printf(out, "=> %s ", h->url);
		if (h->ymd)
			buf_printf(out, "%s ", h->ymd);
		buf_adds(out, h->title[0] ? h->title : h->url);
		buf_addc(out, '\n');
		if (h->snippet && h->snippet[0])
			buf_printf(out, "> %s\n", h->snippet);
		buf_addc(out, '\n');
	}
	if (r.page < pages) {
		buf_printf(out, "=> %s/%zu?", base, r.page + 1);
		put_encoded(out, q.data, q.len);
		buf_printf(out, " Next page (%zu of %zu)\n", r.page + 1, pages);
	}
	if (r.page > 1 && r.page <= pages + 1) {
		if (r.page == 2)
			buf_printf(out, "=> %s?", base);
		else
			buf_printf(out, "=> %s/%zu?", base, r.page - 1);
		put_encoded(out, q.data, q.len);
		buf_printf(out, " Previous page\n");
	}
	buf_printf(out, "=> %s New search\n", base);
	search_result_free(&r);
	buf_free(&q);
	return 0;
}

/* --- gemtext to plain text ---------------------------------------------- */

void
search_plain(const char *g, struct buf *out)
{
	const char *p = g, *e, *t;
	int pre = 0;

	while (*p) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		t = p;
		if (strncmp(p, "```", 3) == 0) {
			pre = !pre;
			t = e;
		} else if (!pre && strncmp(p, "=>", 2) == 0) {
			/* A link's label; a bare URL is no text. */
			for (t += 2; t < e && (*t == ' ' || *t == '\t'); t++)
				;
			while (t < e && *t != ' ' && *t != '\t')
				t++;
			while (t < e && (*t == ' ' || *t == '\t'))
				t++;
		} else if (!pre && *p == '#') {
			while (t < e && *t == '#')
				t++;
		} else if (!pre && (strncmp(p, "* ", 2) == 0 || *p == '>'))
			t++;
		while (t < e && (*t == ' ' || *t == '\t'))
			t++;
		if (t < e) {
			buf_add(out, t, (size_t)(e - t));
			buf_addc(out, '\n');
		}
		p = *e ? e + 1 : e;
	}
}

/* --- Markdown to plain text --------------------------------------------- */

/* The length of a line's block markers: indent, quotes, list, heading. */
static size_t
md_marker(const char *s, size_t n, int *heading, int *item)
{
	size_t i = 0, j;

	*heading = *item = 0;
	for (;;) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < n && s[i] == '>') {
			i++;
			continue;
		}
		if (i + 1 < n && (s[i] == '-' || s[i] == '*' || s[i] == '+') &&
		    (s[i + 1] == ' ' || s[i + 1] == '\t')) {
			i += 2;
			*item = 1;
			continue;
		}
		for (j = i; j < n && j < i + 9 && s[j] >= '0' && s[j] <= '9';
		     j++)
			;
		if (j > i && j + 1 < n && (s[j] == '.' || s[j] == ')') &&
		    (s[j + 1] == ' ' || s[j + 1] == '\t')) {
			i = j + 2;
			*item = 1;
			continue;
		}
		break;
	}
	if (i + 3 <= n && s[i] == '[' &&
	    (s[i + 1] == ' ' || s[i + 1] == 'x' || s[i + 1] == 'X') &&
	    s[i + 2] == ']')
		i += 3; /* a task box */
	for (j = i; j < n && j < i + 6 && s[j] == '#'; j++)
		;
	if (j > i && (j == n || s[j] == ' ' || s[j] == '\t')) {
		*heading = 1;
		i = j;
	}
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* A line of only one of -, =, *, _ (and spaces): a rule or underline. */
static int
md_rule(const char *s, size_t n)
{
	size_t i, k = 0;
	char c = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == ' ' || s[i] == '\t')
			continue;
		if (c == 0 && strchr("-=*_", s[i]) != NULL)
			c = s[i];
		if (s[i] != c)
			return 0;
		k++;
	}
	return k >= 3 || (k >= 1 && (c == '=' || c == '-'));
}

/* The length of the code fence (``` or ~~~) s starts with, or 0. */
static size_t
md_fence(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == s[0] && (s[0] == '`' || s[0] == '~'))
		i++;
	return i >= 3 ? i : 0;
}

/* "[label]: destination", a link reference definition; not a footnote. */
static int
md_refdef(const char *s, size_t n)
{
	const char *c;

	if (n < 4 || s[0] != '[' || s[1] == '^')
		return 0;
	c = memchr(s, ']', n);
	return c != NULL && (size_t)(c - s) + 1 < n && c[1] == ':';
}

/* The closing bracket that matches s[i] == '[' within n, or n. */
static size_t
md_close(const char *s, size_t n, size_t i)
{
	int depth = 0;

	for (; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		else if (s[i] == '[')
			depth++;
		else if (s[i] == ']' && --depth == 0)
			return i;
	}
	return n;
}

/*
 * One line's inline text: link and image labels without destinations,
 * code spans' contents, no emphasis marks or backslashes, no footnote
 * references, autolinks dropped (a bare URL is no text). Tags and
 * entities are left to html_strip.
 */
static void
md_inline(const char *s, size_t n, struct buf *out)
{
	size_t i = 0, j, k;
	const char *gt;

	while (i < n) {
		char c = s[i];

		if (c == '\\' && i + 1 < n &&
		    strchr("\\`*_{}[]()#+-.!|~<>&\"'", s[i + 1]) != NULL) {
			buf_addc(out, s[i + 1]);
			i += 2;
		} else if (c == '`') {
			for (j = i; j < n && s[j] == '`'; j++)
				;
			k = j;
			while (k < n && s[k] != '`')
				k++;
			if (k < n) {
				buf_add(out, s + j, k - j);
				while (k < n && s[k] == '`')
					k++;
				i = k;
			} else {
				buf_add(out, s + i, j - i);
				i = j;
			}
		} else if (c == '[' && i + 1 < n && s[i + 1] == '^' &&
		    (j = md_close(s, n, i)) < n) {
			i = j + 1; /* a footnote reference */
		} else if ((c == '[' ||
			       (c == '!' && i + 1 < n && s[i + 1] == '[')) &&
		    (j = md_close(s, n, i + (c == '!'))) < n) {
			/*
			 * [label](dest), [label][ref], [label]: the label;
			 * an image inside text is "[image: alt]", as rendered.
			 */
			size_t lab = i + 1 + (c == '!'), labn = j - lab;
			int alone;

			i = j + 1;
			if (i < n && s[i] == '(') {
				int depth = 0;

				for (; i < n; i++) {
					if (s[i] == '(')
						depth++;
					else if (s[i] == ')' && --depth == 0)
						break;
				}
				i += i < n;
			} else if (i < n && s[i] == '[' &&
			    (j = md_close(s, n, i)) < n)
				i = j + 1;
			alone = lab == 2 && i >= n;
			if (c == '!' && !alone)
				buf_adds(out, "[image: ");
			md_inline(s + lab, labn, out);
			if (c == '!' && !alone)
				buf_addc(out, ']');
		} else if (c == '<' &&
		    (gt = memchr(s + i, '>', n - i)) != NULL &&
		    (memchr(s + i, ':', (size_t)(gt - s) - i) != NULL ||
			memchr(s + i, '@', (size_t)(gt - s) - i) != NULL) &&
		    memchr(s + i, ' ', (size_t)(gt - s) - i) == NULL) {
			i = (size_t)(gt - s) + 1; /* an autolink */
		} else if (c == '*' || c == '~' ||
		    (c == '_' &&
			(i == 0 || i + 1 == n ||
			    !isalnum((unsigned char)s[i - 1]) ||
			    !isalnum((unsigned char)s[i + 1])))) {
			i++; /* emphasis */
		} else {
			/* A run of bytes no rule above starts with. */
			for (j = i + 1; j < n && !strchr("\\`[!<*~_", s[j]);
			     j++)
				;
			buf_add(out, s + i, j - i);
			i = j;
		}
	}
}

/* Tags and entities dropped, unless there are none (the common case). */
static void
md_strip(struct buf *out, const char *s, size_t n)
{
	if (memchr(s, '<', n) || memchr(s, '&', n))
		html_strip(out, s, n);
	else
		buf_add(out, s, n);
}

void
search_markdown(const char *md, size_t len, struct buf *out)
{
	struct buf para = BUF_INIT, line = BUF_INIT;
	const char *p = md, *end = md + len, *e, *pstart = NULL;
	const char *fence = NULL;
	size_t fencelen = 0, nlines = 0;
	int heading, item;

	while (p < end || pstart) {
		size_t n, m;

		e = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		if (e == NULL)
			e = end;
		n = (size_t)(e - p);
		if (fence) {
			/* Code: every line as it is. */
			const char *t = p;

			while (t < e && (*t == ' ' || *t == '\t'))
				t++;
			if (md_fence(t, (size_t)(e - t)) >= fencelen &&
			    *t == *fence)
				fence = NULL;
			else if (t < e) {
				buf_add(out, t, (size_t)(e - t));
				buf_addc(out, '\n');
			}
			p = e < end ? e + 1 : end;
			continue;
		}
		m = md_marker(p, n, &heading, &item);
		/* A paragraph ends at a blank line or a block of its own. */
		if (pstart &&
		    (p >= end || m == n || heading || item || md_rule(p, n) ||
			md_fence(p + m, n - m) || p[m] == '|')) {
			int join = nlines > 1 &&
			    prose_hard_wrapped(pstart, (size_t)(p - pstart));
			size_t i;

			para.len--; /* its last new line */
			if (join)
				for (i = 0; i < para.len; i++)
					if (para.data[i] == '\n')
						para.data[i] = ' ';
			md_strip(out, para.data, para.len);
			buf_addc(out, '\n');
			para.len = 0;
			pstart = NULL;
			nlines = 0;
			if (p >= end)
				break;
		}
		if ((fencelen = md_fence(p + m, n - m)) != 0) {
			fence = p + m;
		} else if (m == n || md_rule(p, n) || md_refdef(p + m, n - m)) {
			/* Nothing to say. */
		} else if (heading || p[m] == '|') {
			size_t i;

			line.len = 0;
			md_inline(p + m, n - m, &line);
			while (heading && line.len &&
			    (line.data[line.len - 1] == '#' ||
				line.data[line.len - 1] == ' '))
				line.len--;
			for (i = 0; i < line.len; i++)
				if (line.data[i] == '|')
					line.data[i] = ' ';
			if (p[m] == '|' && strspn(line.data, " -:") == line.len)
				line.len = 0; /* a table's delimiter row */
			if (line.len) {
				md_strip(out, line.data, line.len);
				buf_addc(out, '\n');
			}
		} else {
			if (pstart == NULL)
				pstart = p;
			if (n - m > 2 && p[m] == '[' && p[m + 1] == '^' &&
			    memchr(p + m, ']', n - m) != NULL) {
				const char *c = memchr(p + m, ']', n - m);

				if (c + 1 < e && c[1] == ':')
					for (m = (size_t)(c + 2 - p); m < n &&
					     (p[m] == ' ' || p[m] == '\t');
					     m++)
						;
			}
			md_inline(p + m, n - m, &para);
			buf_addc(&para, '\n');
			nlines++;
		}
		p = e < end ? e + 1 : end;
	}
	buf_free(&para);
	buf_free(&line);
}
