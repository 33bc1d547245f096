/*
 * sitecfg: reads the Hugo or Zola site config into the few settings
 * that shape a capsule. Hugo's keys are case-insensitive; Zola's are not,
 * but matching them without case changes nothing for a valid config.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "frontmatter.h"
#include "sitecfg.h"
#include "toml.h"

#define SITECFG_MAX (1u << 20) /* bytes of one config file */

static const struct toml_value *
get_ci(const struct toml_value *t, const char *key)
{
	size_t i;

	if (t == NULL || t->type != TOML_TABLE)
		return NULL;
	for (i = 0; i < t->n; i++)
		if (strcasecmp(t->keys[i], key) == 0)
			return t->items[i];
	return NULL;
}

static const char *
str_ci(const struct toml_value *t, const char *key)
{
	const struct toml_value *v = get_ci(t, key);

	return v && v->type == TOML_STRING ? v->u.s : NULL;
}

static void
set_str(char **dst, const char *s)
{
	if (s == NULL)
		return;
	free(*dst);
	*dst = xstrdup(s);
}

static void
strv_add(char ***v, size_t *n, const char *s)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return;
	strv_push(v, n, s);
}

/* Trims slashes at both ends: "/content/" -> "content". */
static char *
trim_slashes(const char *s)
{
	size_t n;

	while (*s == '/' || (s[0] == '.' && s[1] == '/'))
		s += *s == '/' ? 1 : 2;
	n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		n--;
	return xstrndup(s, n);
}

void
sitecfg_init(struct sitecfg *c)
{
	memset(c, 0, sizeof(*c));
	c->gen = GEN_BARE;
	c->content_dir = xstrdup("");
	c->default_lang = xstrdup("en");
	strv_add(&c->taxonomies, &c->ntax, "tags");
}

void
sitecfg_free(struct sitecfg *c)
{
	size_t i;

	free(c->file);
	free(c->title);
	free(c->description);
	free(c->base_url);
	free(c->content_dir);
	free(c->static_dir);
	free(c->default_lang);
	free(c->default_dir);
	for (i = 0; i < c->nlangs; i++) {
		free(c->langs[i].code);
		free(c->langs[i].title);
		free(c->langs[i].content_dir);
	}
	free(c->langs);
	for (i = 0; i < c->nperms; i++) {
		free(c->perms[i].section);
		free(c->perms[i].pattern);
	}
	free(c->perms);
	strv_free(c->taxonomies, c->ntax);
	strv_free(c->main_sections, c->nmain);
	memset(c, 0, sizeof(*c));
}

/* Language content folders are root-relative; ours are content-relative. */
static char *
lang_dir(const struct sitecfg *c, const char *dir)
{
	char *t = trim_slashes(dir), *r;
	size_t n = strlen(c->content_dir);

	if (n && strncmp(t, c->content_dir, n) == 0 && t[n] == '/') {
		r = xstrdup(t + n + 1);
		free(t);
		return r;
	}
	return t;
}

static void
read_languages(struct sitecfg *c, const struct toml_value *langs,
    struct diags *d)
{
	size_t i;

	if (langs == NULL)
		return;
	if (langs->type != TOML_TABLE) {
		diags_add(d, DIAG_WARN, langs->line,
		    "'languages' should be "
		    "a table");
		return;
	}
	for (i = 0; i < langs->n; i++) {
		const struct toml_value *l = langs->items[i];
		const char *dir = str_ci(l, "contentDir");
		struct sitecfg_lang *sl;

		if (strcasecmp(langs->keys[i], c->default_lang) == 0) {
			if (str_ci(l, "title"))
				set_str(&c->title, str_ci(l, "title"));
			if (dir) {
				free(c->default_dir);
				c->default_dir = lang_dir(c, dir);
			}
			continue;
		}
		c->langs =
		    xrealloc(c->langs, (c->nlangs + 1) * sizeof(*c->langs));
		sl = &c->langs[c->nlangs++];
		sl->code = xstrdup(langs->keys[i]);
		sl->title =
		    str_ci(l, "title") ? xstrdup(str_ci(l, "title")) : NULL;
		sl->content_dir = dir ? lang_dir(c, dir) : NULL;
	}
}

static void
read_list(const struct toml_value *v, char ***dst, size_t *n)
{
	size_t i;

	if (v == NULL)
		return;
	if (v->type == TOML_STRING)
		strv_add(dst, n, v->u.s);
	else if (v->type == TOML_ARRAY)
		for (i = 0; i < v->n; i++)
			if (v->items[i]->type == TOML_STRING)
				strv_add(dst, n, v->items[i]->u.s);
}

static void
read_hugo(struct sitecfg *c, const struct toml_value *root, struct diags *d)
{
	const struct toml_value *v, *params = get_ci(root, "params"), *mod;
	size_t i;

	set_str(&c->base_url, str_ci(root, "baseURL"));
	set_str(&c->title, str_ci(root, "title"));
	set_str(&c->description, str_ci(params, "description"));
	set_str(&c->description, str_ci(root, "description"));
	if (str_ci(root, "defaultContentLanguage"))
		set_str(&c->default_lang,
		    str_ci(root, "defaultContentLanguage"));
	if ((v = get_ci(root, "defaultContentLanguageInSubdir")) &&
	    v->type == TOML_BOOL)
		c->default_in_subdir = v->u.b;
	if (str_ci(root, "contentDir")) {
		free(c->content_dir);
		c->content_dir = trim_slashes(str_ci(root, "contentDir"));
	}
	if ((v = get_ci(root, "staticDir")) != NULL) {
		const char *s = v->type == TOML_STRING ? v->u.s :
		    v->type == TOML_ARRAY && v->n &&
			v->items[0]->type == TOML_STRING ?
							 v->items[0]->u.s :
							 NULL;

		if (s) {
			free(c->static_dir);
			c->static_dir = trim_slashes(s);
		}
	}
	/* [[module.mounts]]: where content and static really come from. */
	mod = get_ci(get_ci(root, "module"), "mounts");
	for (i = 0; mod && mod->type == TOML_ARRAY && i < mod->n; i++) {
		const char *src = str_ci(mod->items[i], "source");
		const char *dst = str_ci(mod->items[i], "target");
		char **slot;

		if (src == NULL || dst == NULL)
			continue;
		if (strcmp(dst, "content") == 0)
			slot = &c->content_dir;
		else if (strcmp(dst, "static") == 0)
			slot = &c->static_dir;
		else
			continue;
		free(*slot);
		*slot = trim_slashes(src);
	}
	if ((v = get_ci(root, "permalinks")) != NULL) {
		const struct toml_value *page = get_ci(v, "page");

		if (page && page->type == TOML_TABLE)
			v = page; /* Hugo 0.119's [permalinks.page] */
		for (i = 0; v->type == TOML_TABLE && i < v->n; i++) {
			if (v->items[i]->type != TOML_STRING)
				continue;
			c->perms = xrealloc(c->perms,
			    (c->nperms + 1) * sizeof(*c->perms));
			c->perms[c->nperms].section = xstrdup(v->keys[i]);
			c->perms[c->nperms].pattern = xstrdup(v->items[i]->u.s);
			c->nperms++;
		}
	}
	if ((v = get_ci(root, "taxonomies")) != NULL && v->type == TOML_TABLE) {
		strv_free(c->taxonomies, c->ntax);
		c->taxonomies = NULL;
		c->ntax = 0;
		for (i = 0; i < v->n; i++)
			if (v->items[i]->type == TOML_STRING)
				strv_add(&c->taxonomies, &c->ntax,
				    v->items[i]->u.s);
	}
	read_list(get_ci(params, "mainSections"), &c->main_sections, &c->nmain);
	read_list(get_ci(root, "mainSections"), &c->main_sections, &c->nmain);
	if ((v = get_ci(get_ci(root, "frontmatter"), "date")) != NULL &&
	    v->type == TOML_ARRAY)
		for (i = 0; i < v->n; i++)
			if (v->items[i]->type == TOML_STRING &&
			    strcasecmp(v->items[i]->u.s, ":filename") == 0)
				c->filename_dates = 1;
	read_languages(c, get_ci(root, "languages"), d);
}

static void
read_zola(struct sitecfg *c, const struct toml_value *root, struct diags *d)
{
	const struct toml_value *v;
	size_t i;

	set_str(&c->base_url, str_ci(root, "base_url"));
	set_str(&c->title, str_ci(root, "title"));
	set_str(&c->description, str_ci(root, "description"));
	if (str_ci(root, "default_language"))
		set_str(&c->default_lang, str_ci(root, "default_language"));
	if ((v = get_ci(root, "taxonomies")) != NULL && v->type == TOML_ARRAY) {
		strv_free(c->taxonomies, c->ntax);
		c->taxonomies = NULL;
		c->ntax = 0;
		for (i = 0; i < v->n; i++)
			if (str_ci(v->items[i], "name"))
				strv_add(&c->taxonomies, &c->ntax,
				    str_ci(v->items[i], "name"));
	}
	read_list(get_ci(get_ci(root, "extra"), "main_sections"),
	    &c->main_sections, &c->nmain);
	read_languages(c, get_ci(root, "languages"), d);
}

static struct toml_value *
parse_tree(int yaml, const char *text, size_t len, struct diags *d)
{
	struct toml_value *root = NULL;

	if (!yaml)
		return toml_parse(text, len, d);
	if (frontmatter_yaml_tree(text, len, &root, d) == -1)
		return NULL;
	return root ? root : toml_new(TOML_TABLE, 1);
}

static int
apply(struct sitecfg *c, enum site_gen gen, const struct toml_value *root,
    struct diags *d)
{
	if (root->type != TOML_TABLE) {
		diags_add(d, DIAG_ERROR, root->line,
		    "the config is not a "
		    "mapping of keys to values");
		return -1;
	}
	c->gen = gen;
	if (c->static_dir == NULL)
		c->static_dir = xstrdup("static");
	if (c->content_dir[0] == '\0') {
		free(c->content_dir);
		c->content_dir = xstrdup("content");
	}
	if (gen == GEN_HUGO && c->ntax == 1 &&
	    strcmp(c->taxonomies[0], "tags") == 0)
		strv_add(&c->taxonomies, &c->ntax, "categories");
	if (gen == GEN_ZOLA) {
		/* Zola has only the taxonomies its config names. */
		strv_free(c->taxonomies, c->ntax);
		c->taxonomies = NULL;
		c->ntax = 0;
		read_zola(c, root, d);
	} else
		read_hugo(c, root, d);
	return 0;
}

int
sitecfg_parse(struct sitecfg *c, enum site_gen gen, int yaml, const char *text,
    size_t len, struct diags *d)
{
	struct toml_value *root = parse_tree(yaml, text, len, d);
	int r;

	if (root == NULL)
		return -1;
	r = apply(c, gen, root, d);
	toml_free(root);
	return r;
}

static char *
read_file(int dirfd, const char *name, size_t *len)
{
	struct stat st;

	return util_read_file(dirfd, name, 0, SITECFG_MAX, &st, len);
}

static int
is_yaml(const char *name)
{
	size_t n = strlen(name);

	return util_ends_with(name, n, ".yaml") ||
	    util_ends_with(name, n, ".yml");
}

/* Messages of one file, prefixed "NAME:LINE: ". */
static void
move_diags(struct diags *from, const char *name, struct diags *to)
{
	size_t i;

	for (i = 0; i < from->n; i++)
		diags_add(to, from->v[i].level, 0, "%s:%d: %s", name,
		    from->v[i].line, from->v[i].msg);
	diags_free(from);
}

/*
 * config/_default/: the main file (hugo.* or config.*) plus one file per
 * top-level key, grafted under that key.
 */
static struct toml_value *
load_dir(int rootfd, struct diags *d, char **file)
{
	static const char *mains[] = { "hugo.toml", "hugo.yaml", "hugo.yml",
		"config.toml", "config.yaml", "config.yml" };
	static const char *parts[] = { "params", "languages", "permalinks",
		"taxonomies", "module", "menus" };
	static const char *exts[] = { ".toml", ".yaml", ".yml" };
	struct toml_value *root = NULL, *part;
	struct diags fd = { 0 };
	size_t i, j, len;
	char *text, *name;

	for (i = 0; i < ARRAY_LEN(mains) && root == NULL; i++) {
		name = xasprintf("config/_default/%s", mains[i]);
		if ((text = read_file(rootfd, name, &len)) != NULL) {
			root = parse_tree(is_yaml(name), text, len, &fd);
			move_diags(&fd, name, d);
			free(text);
			if (root) {
				*file = name;
				name = NULL;
			}
		}
		free(name);
	}
	if (root == NULL)
		root = toml_new(TOML_TABLE, 1);
	for (i = 0; i < ARRAY_LEN(parts); i++)
		for (j = 0; j < ARRAY_LEN(exts); j++) {
			name = xasprintf("config/_default/%s%s", parts[i],
			    exts[j]);
			if ((text = read_file(rootfd, name, &len)) != NULL) {
				part =
				    parse_tree(is_yaml(name), text, len, &fd);
				move_diags(&fd, name, d);
				if (part &&
				    toml_set(root, parts[i], part) == -1)
					toml_free(part);
				if (*file == NULL)
					*file = xstrdup(name);
				free(text);
			}
			free(name);
		}
	return root;
}

int
sitecfg_load(struct sitecfg *c, int rootfd, struct diags *d)
{
	static const char *names[] = { "hugo.toml", "hugo.yaml", "hugo.yml",
		"zola.toml", "config.toml", "config.yaml", "config.yml" };
	struct toml_value *root = NULL;
	struct diags fd = { 0 };
	enum site_gen gen = GEN_HUGO;
	char *text = NULL, *file = NULL;
	size_t i, len;
	int r;

	for (i = 0; i < ARRAY_LEN(names); i++)
		if ((text = read_file(rootfd, names[i], &len)) != NULL)
			break;
	if (text != NULL) {
		root = parse_tree(is_yaml(names[i]), text, len, &fd);
		move_diags(&fd, names[i], d);
		free(text);
		if (root == NULL)
			return -1;
		file = xstrdup(names[i]);
		if (strcmp(names[i], "zola.toml") == 0 ||
		    (strncmp(names[i], "config.", 7) == 0 &&
			get_ci(root, "base_url") != NULL))
			gen = GEN_ZOLA;
	} else {
		struct stat st;

		if (fstatat(rootfd, "config/_default", &st, 0) == -1 ||
		    !S_ISDIR(st.st_mode))
			return 0; /* a bare content folder */
		root = load_dir(rootfd, d, &file);
	}
	r = apply(c, gen, root, &fd);
	move_diags(&fd, file ? file : "config", d);
	toml_free(root);
	c->file = file;
	return r;
}

const char *
sitecfg_permalink(const struct sitecfg *c, const char *section)
{
	size_t i;

	for (i = 0; i < c->nperms; i++)
		if (strcmp(c->perms[i].section, section) == 0)
			return c->perms[i].pattern;
	return NULL;
}

const struct sitecfg_lang *
sitecfg_lang(const struct sitecfg *c, const char *code, size_t n)
{
	size_t i;

	for (i = 0; i < c->nlangs; i++)
		if (strlen(c->langs[i].code) == n &&
		    strncmp(c->langs[i].code, code, n) == 0)
			return &c->langs[i];
	return NULL;
}
