/*
 * hostname: RFC 3492's sample strings (section 7.1) through the Punycode
 * encoder, and host names checked and brought to their served form.
 */
#include <stdlib.h>

#include "hostname.h"
#include "t.h"

static void
vector(const uint32_t *cp, size_t n, const char *want)
{
	struct buf b = BUF_INIT;

	T_INT(punycode_encode(cp, n, &b), 0);
	buf_addc(&b, '\0');
	T_STR(b.data, want);
	buf_free(&b);
}

#define V(want, ...) \
	do { \
		static const uint32_t cp_[] = { __VA_ARGS__ }; \
		vector(cp_, sizeof(cp_) / sizeof(cp_[0]), want); \
	} while (0)

static void
norm(const char *in, const char *want)
{
	const char *why = NULL;
	char *got = hostname_normalize(in, &why);

	T_STR(got, want);
	if (want == NULL)
		T_OK(why != NULL && *why != '\0');
	free(got);
}

int
main(void)
{
	/* (A) Arabic (Egyptian) */
	V("egbpdaj6bu4bxfgehfvwxn", 0x0644, 0x064A, 0x0647, 0x0645, 0x0627,
	    0x0628, 0x062A, 0x0643, 0x0644, 0x0645, 0x0648, 0x0634, 0x0639,
	    0x0631, 0x0628, 0x064A, 0x061F);
	/* (B) Chinese (simplified) */
	V("ihqwcrb4cv8a8dqg056pqjye", 0x4ED6, 0x4EEC, 0x4E3A, 0x4EC0, 0x4E48,
	    0x4E0D, 0x8BF4, 0x4E2D, 0x6587);
	/* (D) Czech: Pro<ccaron>prost<ecaron>nemluv<iacute><ccaron>esky */
	V("Proprostnemluvesky-uyb24dma41a", 0x0050, 0x0072, 0x006F, 0x010D,
	    0x0070, 0x0072, 0x006F, 0x0073, 0x0074, 0x011B, 0x006E, 0x0065,
	    0x006D, 0x006C, 0x0075, 0x0076, 0x00ED, 0x010D, 0x0065, 0x0073,
	    0x006B, 0x0079);
	/* (I) Russian (the RFC's upper-case hint letters lowered) */
	V("b1abfaaepdrnnbgefbadotcwatmq2g4l", 0x043F, 0x043E, 0x0447, 0x0435,
	    0x043C, 0x0443, 0x0436, 0x0435, 0x043E, 0x043D, 0x0438, 0x043D,
	    0x0435, 0x0433, 0x043E, 0x0432, 0x043E, 0x0440, 0x044F, 0x0442,
	    0x043F, 0x043E, 0x0440, 0x0443, 0x0441, 0x0441, 0x043A, 0x0438);
	/* (L) 3<nen>B<gumi><kinpachi><sensei> */
	V("3B-ww4c5e180e575a65lsy2b", 0x0033, 0x5E74, 0x0042, 0x7D44, 0x91D1,
	    0x516B, 0x5148, 0x751F);
	/* (S) -> $1.00 <- : all basic, so only the delimiter is added */
	V("-> $1.00 <--", 0x002D, 0x003E, 0x0020, 0x0024, 0x0031, 0x002E,
	    0x0030, 0x0030, 0x0020, 0x003C, 0x002D);

	norm("localhost", "localhost");
	norm("Example.ORG", "example.org");
	norm("b\xc3\xbc"
	     "cher.example",
	    "xn--bcher-kva.example");
	norm("B\xc3\xbc"
	     "cher.example",
	    "xn--bcher-kva.example");
	norm("\xe4\xbe\x8b\xe3\x81\x88.\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88",
	    "xn--r8jz45g.xn--zckzah");
	norm("127.0.0.1", "127.0.0.1");
	norm("::1", "::1");
	norm("a-b.c9", "a-b.c9");
	norm("../x", NULL);
	norm("x/y", NULL);
	norm("..", NULL);
	norm("", NULL);
	norm("a..b", NULL);
	norm("example.org.", NULL);
	norm(".example.org", NULL);
	norm("-a.org", NULL);
	norm("a-.org", NULL);
	norm("a_b.org", NULL);
	norm("a b", NULL);
	norm("a\\b", NULL);
	norm("\xff.org", NULL);
	norm("[::1]", NULL);
	norm("host:1965", NULL);
	norm("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	     ".org",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    ".org"); /* 63 */
	norm("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	     ".org",
	    NULL); /* 64 */
	{
		char big[300];

		for (int i = 0; i < 254; i++)
			big[i] = i % 2 ? '.' : 'a';
		big[253] = 'a'; /* 254 bytes, labels of 1 */
		big[254] = '\0';
		norm(big, NULL);
		big[253] = '\0';
		norm(big, big);
	}
	return t_done();
}
