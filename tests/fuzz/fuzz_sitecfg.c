/*
 * fuzz_sitecfg: a Hugo or Zola site config (TOML or YAML) of arbitrary
 * bytes must never crash, leak or run away. The first byte picks the
 * generator and the syntax. A config that reads must leave the settings
 * every page needs (content folder, default language) and must place
 * pages at URLs that start with '/', whatever its permalinks, languages
 * and taxonomies say.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frontmatter.h"
#include "pagemodel.h"
#include "sitecfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
place(const struct sitecfg *c, const char *rel)
{
	struct post_meta m;
	struct pm_page p;

	memset(&m, 0, sizeof(m));
	m.has_date = 1;
	m.date = 1700000000;
	memcpy(m.date_ymd, "2023-11-14", 11);
	if (pm_place(c, rel, &m, "A Title", &p) == 0) {
		if (p.url == NULL || p.url[0] != '/' || p.section == NULL ||
		    p.dir == NULL)
			abort();
		pm_page_free(&p);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const rels[] = { "posts/a.md", "posts/b/index.md",
		"posts/_index.md", "_index.md", "fr/posts/c.fr.md",
		"2024-01-02-d.md", "docs/x/y/z.md" };
	struct diags d = { 0 };
	struct sitecfg c;
	enum site_gen gen;
	size_t i;
	char *url;
	int yaml;

	if (size == 0)
		return 0;
	gen = data[0] & 1 ? GEN_ZOLA : GEN_HUGO;
	yaml = (data[0] & 2) != 0;
	sitecfg_init(&c);
	if (sitecfg_parse(&c, gen, yaml, (const char *)data + 1, size - 1,
		&d) == 0) {
		if (c.content_dir == NULL || c.default_lang == NULL ||
		    c.gen != gen)
			abort();
		for (i = 0; i < c.ntax; i++)
			if (c.taxonomies[i] == NULL)
				abort();
		for (i = 0; i < sizeof(rels) / sizeof(rels[0]); i++)
			place(&c, rels[i]);
		for (i = 0; i < c.nlangs; i++) {
			url = pm_section_url(&c, "posts", c.langs[i].code);
			if (url[0] != '/')
				abort();
			free(url);
			(void)sitecfg_lang(&c, c.langs[i].code,
			    strlen(c.langs[i].code));
		}
		(void)sitecfg_permalink(&c, "posts");
	} else if (diags_count(&d, DIAG_ERROR) == 0)
		abort(); /* a config refused says why */
	sitecfg_free(&c);
	diags_free(&d);
	return 0;
}
