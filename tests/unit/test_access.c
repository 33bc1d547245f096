/*
 * Unit tests for access: areas by path, the one rule for a source (its
 * addresses and drafts), visibility-class keys; the lang check; the log
 * escaping of non-ASCII controls.
 */
#include <string.h>

#include "access.h"
#include "config.h"
#include "log.h"
#include "t.h"
#include "util.h"

#define FA "aaaa"
#define FB "bbbb"

int
main(void)
{
	char *fa[] = { FA }, *fab[] = { FA, FB };
	struct protect_config rules[3] = {
		{ "/private/", fa, 1 },
		{ "/posts/members.gmi", fa, 1 },
		{ "/team/", fab, 2 },
	};
	struct access acc = { rules, 3, fa, 1, 0 };
	struct viewer anon, a, b, aexp, all;
	const char *secret[] = { "/private/secret.md", "/posts/secret.gmi",
		"/posts/secret.md" };
	const char *members[] = { "/posts/members.md", "/posts/members.gmi",
		"/posts/members.md" };
	const char *pub[] = { "/posts/pub.md", "/posts/pub.gmi",
		"/posts/pub.md" };
	unsigned char covered[3] = { 0, 0, 0 };
	struct buf k1 = BUF_INIT, k2 = BUF_INIT, k3 = BUF_INIT;
	char esc[256];

	access_viewer(&acc, NULL, 0, &anon);
	access_viewer(&acc, FA, 0, &a);
	access_viewer(&acc, FB, 0, &b);
	access_viewer(&acc, FA, 1, &aexp);
	access_viewer(NULL, NULL, 0, &all);

	/* Areas by path: the folder itself without its slash too. */
	T_INT(access_covers(&rules[0], "/private/x.gmi"), 1);
	T_INT(access_covers(&rules[0], "/private"), 1);
	T_INT(access_covers(&rules[0], "/privateer"), 0);
	T_INT(access_covers(&rules[1], "/posts/members.gmi"), 1);
	T_INT(access_covers(&rules[1], "/posts/members.md"), 0);
	T_INT(access_path(&anon, "/private/x"), 60);
	T_INT(access_path(&b, "/private/x"), 61);
	T_INT(access_path(&aexp, "/private/x"), 62);
	T_INT(access_path(&a, "/private/x"), 0);
	T_INT(access_path(&b, "/team/x"), 0);
	T_INT(access_path(&anon, "/page.gmi"), 0);
	T_INT(access_path(&all, "/private/x"), 0);

	/* A source is judged by every address it has. */
	T_INT(access_source(&anon, secret, 3, 0), 60);
	T_INT(access_source(&anon, members, 3, 0), 60);
	T_INT(access_source(&b, members, 3, 0), 61);
	T_INT(access_source(&a, members, 3, 0), 0);
	T_INT(access_source(&anon, pub, 3, 0), 0);
	/* Drafts: 51 as if absent, before any area is consulted. */
	T_INT(access_source(&anon, pub, 3, 1), 51);
	T_INT(access_source(&b, secret, 3, 1), 51);
	T_INT(access_source(&a, pub, 3, 1), 0);
	T_INT(access_source(&aexp, pub, 3, 1), 51);
	T_INT(access_source(&all, secret, 3, 1), 0);
	acc.drafts_all = 1;
	access_viewer(&acc, NULL, 0, &anon);
	T_INT(access_source(&anon, pub, 3, 1), 0);
	acc.drafts_all = 0;
	access_viewer(&acc, NULL, 0, &anon);

	/* Classes: only rules that cover a source tell readers apart. */
	access_mark_covering(&acc, secret, 3, covered);
	access_mark_covering(&acc, pub, 3, covered);
	T_INT(covered[0], 1);
	T_INT(covered[1], 0);
	T_INT(covered[2], 0);
	access_class_key(&anon, covered, 1, &k1);
	access_class_key(&b, covered, 1, &k2);
	access_class_key(&a, covered, 1, &k3);
	T_STR(k1.data, "0");
	T_STR(k2.data, k1.data); /* b opens only /team/: the public */
	T_STR(k3.data, "1d");
	buf_reset(&k3);
	access_class_key(&a, covered, 0, &k3);
	T_STR(k3.data, "1");
	buf_free(&k1);
	buf_free(&k2);
	buf_free(&k3);
	T_STR(access_meta(60), "client certificate required");

	/* lang: language tags only. */
	T_INT(util_lang_valid("en"), 1);
	T_INT(util_lang_valid("pt-BR"), 1);
	T_INT(util_lang_valid("zh-Hant-TW"), 1);
	T_INT(util_lang_valid("en,fr"), 1);
	T_INT(util_lang_valid("x-klingon"), 1);
	T_INT(util_lang_valid("sl-rozaj-biske"), 1);
	T_INT(util_lang_valid(""), 0);
	T_INT(util_lang_valid("e"), 0);
	T_INT(util_lang_valid("en-"), 0);
	T_INT(util_lang_valid("-en"), 0);
	T_INT(util_lang_valid("en,"), 0);
	T_INT(util_lang_valid("en fr"), 0);
	T_INT(util_lang_valid("en\r\n=> gemini://evil.example/"), 0);
	T_INT(util_lang_valid("en;q=1"), 0);
	T_INT(util_lang_valid("\"en\""), 0);
	T_INT(util_lang_valid("1en"), 0);
	T_INT(util_lang_valid("en-abcdefghi"), 0);
	T_INT(util_lang_valid("fr-\xc3\xa9"), 0);

	/* The log: C1, bidi and invalid bytes escaped; UTF-8 text kept. */
	log_escape(esc, sizeof(esc),
	    "a\xc2\x9b"
	    "b",
	    4);
	T_STR(esc, "a\\xc2\\x9bb");
	log_escape(esc, sizeof(esc),
	    "\xe2\x80\xae"
	    "x",
	    4);
	T_STR(esc, "\\xe2\\x80\\xaex");
	log_escape(esc, sizeof(esc), "\xe2\x81\xa6", 3);
	T_STR(esc, "\\xe2\\x81\\xa6");
	log_escape(esc, sizeof(esc), "\xff\xc3", 2);
	T_STR(esc, "\\xff\\xc3");
	log_escape(esc, sizeof(esc), "\xed\xa0\x80", 3); /* a surrogate */
	T_STR(esc, "\\xed\\xa0\\x80");
	log_escape(esc, sizeof(esc), "caf\xc3\xa9 \xf0\x9f\x8e\xac", 10);
	T_STR(esc, "caf\xc3\xa9 \xf0\x9f\x8e\xac");
	log_escape(esc, sizeof(esc), "\xf3\xa0\x80\x81", 4); /* U+E0001 */
	T_STR(esc, "\\xf3\\xa0\\x80\\x81");
	log_escape(esc, sizeof(esc), "\x1b\x7f\"\\", 4);
	T_STR(esc, "\\x1b\\x7f\\x22\\x5c");
	/* Cut on a character, never inside one. */
	log_escape(esc, 10, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 10);
	T_OK(strlen(esc) < 10);
	T_OK(strncmp(esc, "\xc3\xa9\xc3\xa9", 4) == 0);
	return t_done();
}
