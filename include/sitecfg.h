/*
 * sitecfg: what a Hugo or Zola site config says about the capsule's
 * shape (title, description, baseURL, languages, content and static
 * folders, permalinks, taxonomies, main sections). Templates, themes
 * and assets are ignored. A folder with no config is a bare content
 * folder: the same rules with defaults.
 */
#ifndef CAPSULED_SITECFG_H
#define CAPSULED_SITECFG_H

#include <stddef.h>

#include "util.h"

enum site_gen { GEN_BARE, GEN_HUGO, GEN_ZOLA };

struct sitecfg_lang {
	char *code;	   /* "fr" */
	char *title;	   /* the language's own site title, or NULL */
	char *content_dir; /* content-relative folder ("fr"), or NULL */
};

struct sitecfg_perm {
	char *section; /* "posts" */
	char *pattern; /* "/:year/:month/:slug/" */
};

struct sitecfg {
	enum site_gen gen;
	char *file; /* the config file read, or NULL */
	char *title, *description, *base_url; /* NULL when unset */
	char *content_dir;     /* root-relative; "" for a bare folder */
	char *static_dir;      /* root-relative; NULL for a bare folder */
	char *default_lang;    /* "en" unless the config says otherwise */
	char *default_dir;     /* the default language's own folder, or NULL */
	int default_in_subdir; /* Hugo defaultContentLanguageInSubdir */
	struct sitecfg_lang *langs; /* other languages than the default */
	size_t nlangs;
	struct sitecfg_perm *perms;
	size_t nperms;
	char **taxonomies; /* plural, as in URLs: "tags", "categories" */
	size_t ntax;
	char **main_sections;
	size_t nmain;
	int filename_dates; /* Hugo [frontmatter] names :filename */
};

/* A bare content folder's defaults. */
void sitecfg_init(struct sitecfg *c);
void sitecfg_free(struct sitecfg *c);

/*
 * Reads one config text (TOML, or YAML when yaml) into c for generator
 * gen. name is the file's name for messages ("hugo.toml"); problems go
 * to d with their line. Returns 0, or -1 when the text does not parse.
 */
int sitecfg_parse(struct sitecfg *c, enum site_gen gen, int yaml,
    const char *text, size_t len, struct diags *d);

/*
 * Finds and reads the config at the top of the folder rootfd names:
 * hugo.toml/.yaml/.yml, config.toml/.yaml/.yml (Zola when it has
 * base_url), zola.toml, or config/_default/ (whose other files, such as
 * params.toml or languages.toml, land under their name). With none, c
 * stays a bare folder's. Problems go to d as "FILE:LINE: message".
 * Returns 0, or -1 when a config exists but cannot be used.
 */
int sitecfg_load(struct sitecfg *c, int rootfd, struct diags *d);

/* The permalink pattern of a section, or NULL. */
const char *sitecfg_permalink(const struct sitecfg *c, const char *section);
/* 1 when code is a language of the site other than the default. */
const struct sitecfg_lang *sitecfg_lang(const struct sitecfg *c,
    const char *code, size_t n);

#endif
