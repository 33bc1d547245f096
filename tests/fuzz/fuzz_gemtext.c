/*
 * fuzz_gemtext: gemtext_render on arbitrary bytes. The first byte picks
 * the options (links mode, tables, emphasis, a title); the rest is the
 * Markdown. Checks what every output promises: it ends in exactly one
 * newline, has no trailing spaces, no blank line pair, no CR, its
 * ``` toggles are balanced and their alt text is one line of printable
 * text (no control characters).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gemtext.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const char *s, size_t n)
{
	size_t i, start = 0;
	int pre = 0;

	if (n == 0)
		return;
	if (s[n - 1] != '\n' || (n >= 2 && s[n - 2] == '\n'))
		abort();
	for (i = 0; i < n; i++) {
		if (s[i] == '\r' || s[i] == '\0')
			abort();
		if (s[i] != '\n')
			continue;
		if (i > start && (s[i - 1] == ' ' || s[i - 1] == '\t'))
			abort();
		if (i == start && (start == 0 || s[start - 2] == '\n') && !pre)
			abort(); /* leading or doubled blank line */
		if (i - start >= 3 && memcmp(s + start, "```", 3) == 0) {
			for (size_t j = start; j < i; j++)
				if ((unsigned char)s[j] < 0x20 ||
				    (unsigned char)s[j] == 0x7f)
					abort();
			pre = !pre;
		}
		start = i + 1;
	}
	if (pre)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gemtext_opts o;
	struct buf out = BUF_INIT;
	struct diags d = { 0 };
	uint8_t sel = size ? data[0] : 0;

	gemtext_opts_default(&o);
	o.links = (enum gemtext_links)(sel & 3);
	o.tables = (sel & 4) ? GEMTEXT_TABLES_LIST : GEMTEXT_TABLES_PRE;
	o.emphasis = (sel & 8) ? GEMTEXT_EMPH_KEEP : GEMTEXT_EMPH_STRIP;
	o.title = (sel & 16) ? "Title" : NULL;
	if (size)
		data++, size--;
	if (gemtext_render((const char *)data, size, &o, &out, &d) == 0)
		check(out.data, out.len);
	buf_free(&out);
	diags_free(&d);
	return 0;
}
