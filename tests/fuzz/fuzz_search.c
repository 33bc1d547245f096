/*
 * fuzz_search: the query parser and the whole query path on arbitrary
 * bytes: parse (with its description), a query over a small index, and
 * the result page from the bytes as a raw (percent-encoded) query. The
 * page must be valid UTF-8 and every line of it well formed gemtext.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "search.h"
#include "url.h"
#include "utf8.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct search *ix;

static void
setup(void)
{
	static const char *const tags[] = { "anime", "Tatsuki Fujimoto" };
	static const char *const texts[] = {
		"We look back at the film. It was moving!",
		"藤本タツキの「ルックバック」を読んだ。京本と藤野。",
		"I caught every Pokémon.\nΣοφία and Ёлка too.",
	};
	size_t i;

	ix = search_new();
	for (i = 0; i < 30; i++) {
		struct search_doc d;
		char key[16], url[32];

		memset(&d, 0, sizeof(d));
		snprintf(key, sizeof(key), "%zu", i);
		snprintf(url, sizeof(url), "/posts/%zu.gmi", i);
		d.url = url;
		d.title = i % 2 ? "Look Back" : "Pokémon";
		d.ymd = "2024-01-01";
		d.date = (int64_t)i;
		d.tags = tags;
		d.ntags = i % 3;
		d.has_rating = i % 2;
		d.rating = (double)(i % 6);
		d.lang = i % 3 == 1 ? "ja" : "en";
		d.text = texts[i % 3];
		search_put(ix, key, &d);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = BUF_INIT;
	struct search_result r;
	const char *err = NULL;
	char *raw;
	size_t i;

	if (ix == NULL)
		setup();
	if (search_parse_describe((const char *)data, size, &b, &err) == -1 &&
	    (err == NULL || *err == '\0'))
		abort();
	buf_reset(&b);
	if (search_query(ix, (const char *)data, size, 1 + size % 3, NULL, NULL,
		&r) == -1) {
		if (r.error == NULL)
			abort();
	} else {
		if (r.nhits > SEARCH_PAGE_SIZE || r.nhits > r.total)
			abort();
		for (i = 0; i < r.nhits; i++)
			if (r.hits[i].snippet &&
			    strchr(r.hits[i].snippet, '\n'))
				abort();
	}
	search_result_free(&r);
	raw = xstrndup((const char *)data, size);
	search_page(ix, raw, 1, "/search", NULL, NULL, &b);
	if (!utf8_valid(b.data, b.len) || strncmp(b.data, "# Search", 8))
		abort();
	for (i = 0; i < b.len; i++)
		if ((unsigned char)b.data[i] < 0x20 && b.data[i] != '\n')
			abort();
	/* Preformatted toggles would swallow the page: none may start a line. */
	if (strstr(b.data, "\n```"))
		abort();
	free(raw);
	buf_free(&b);
	return 0;
}
