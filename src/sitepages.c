/*
 * sitepages: the generated pages as one visibility class sees them. When
 * the posts change, each class's lists are made afresh (which path is
 * made of what: cheap, nothing rendered); a page is generated when first
 * asked for and kept, a post page composed around its cached body and
 * kept in the site's bounded cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access.h"
#include "buf.h"
#include "feed.h"
#include "gemini.h"
#include "lru.h"
#include "page.h"
#include "pages.h"
#include "site.h"
#include "siteint.h"
#include "url.h"
#include "util.h"

void
site_page_post(const struct post *p, struct page_post *pp)
{
	memset(pp, 0, sizeof(*pp));
	pp->slug = p->pm.legacy;
	pp->url = p->pm.url;
	pp->title = p->title;
	pp->ymd = p->ymd;
	pp->date = p->date;
	pp->updated = p->meta.has_updated ? p->meta.updated : 0;
	pp->description = p->meta.description ? p->meta.description :
	    p->summary;
	pp->tags = (const char *const *)p->meta.tags;
	pp->ntags = p->meta.ntags;
	pp->featured = p->meta.featured;
	pp->has_rating = p->meta.has_rating;
	pp->rating = p->meta.rating;
	pp->words = p->words;
	pp->body_gmi = p->body_gmi;
	pp->facts = p->meta.facts;
	pp->nfacts = p->meta.nfacts;
}

void
site_text_meta(const char *lang, struct buf *meta)
{
	buf_adds(meta, "text/gemini; charset=utf-8");
	if (lang && *lang)
		buf_printf(meta, strchr(lang, ',') ? "; lang=\"%s\"" : "; lang=%s",
		    lang);
}

static struct page *
gemtext_page(const char *lang, const struct buf *body)
{
	struct buf meta = BUF_INIT;
	struct page *pg;

	site_text_meta(lang, &meta);
	pg = page_new(GEMINI_SUCCESS, meta.data, body->data, body->len);
	buf_free(&meta);
	return pg;
}

static const char *
own_key(struct pageset *set, char *key)
{
	set->keys = xgrow(set->keys, &set->ckeys, set->nkeys + 1,
	    sizeof(*set->keys));
	set->keys[set->nkeys++] = key;
	return key;
}

/* Says what path is made of; the first to claim a path keeps it. */
static void
add_gen(struct pageset *set, const char *path, enum gen_kind kind, long arg,
    const char *term)
{
	size_t n = strlen(path);

	if (strmap_get(&set->genmap, path, n))
		return;
	set->gens = xgrow(set->gens, &set->cgens, set->ngens + 1,
	    sizeof(*set->gens));
	set->gens[set->ngens].kind = kind;
	set->gens[set->ngens].arg = arg;
	set->gens[set->ngens].term = term;
	set->gens[set->ngens].built = NULL;
	set->ngens++;
	path = own_key(set, xstrndup(path, n));
	strmap_put(&set->genmap, path, n, (void *)(uintptr_t)set->ngens);
}

static void
slot_evict(struct lru_node *n)
{
	struct slot *sl = (struct slot *)(void *)n;

	page_unref(sl->page);
	sl->page = NULL;
}

void
site_pageset_free(struct site *s, struct pageset *ps)
{
	size_t i;

	for (i = 0; ps->slots && i < ps->nlisted; i++)
		if (ps->slots[i]) {
			lru_remove(&s->cache, &ps->slots[i]->node);
			page_unref(ps->slots[i]->page);
			free(ps->slots[i]);
		}
	free(ps->slots);
	for (i = 0; i < ps->ngens; i++)
		page_unref(ps->gens[i].built);
	site_strs_free(ps->keys, ps->nkeys);
	for (i = 0; i < ps->nsecs; i++) {
		free(ps->secs[i].url);
		free(ps->secs[i].dir);
		free(ps->secs[i].title);
	}
	free(ps->secs);
	free(ps->key);
	free(ps->listed);
	free(ps->sec_of);
	free(ps->gens);
	strmap_free(&ps->genmap);
	strmap_free(&ps->secdirs);
	strmap_free(&ps->legacy);
	strmap_free(&ps->bundles);
	memset(ps, 0, sizeof(*ps));
}

void
site_pages_free(struct site *s)
{
	size_t i;

	site_pageset_free(s, &s->base);
	for (i = 0; i < s->nclasses; i++) {
		site_pageset_free(s, s->classes[i]);
		free(s->classes[i]);
	}
	free(s->classes);
	s->classes = NULL;
	s->nclasses = 0;
	strmap_free(&s->classmap);
	for (i = 0; i < s->naliases; i++) {
		free(s->aliases[i].path);
		page_unref(s->aliases[i].redirect);
	}
	free(s->aliases);
	s->aliases = NULL;
	s->naliases = s->caliases = 0;
	strmap_free(&s->aliasmap);
}

static void
add_alias(struct site *s, const char *path, struct post *p)
{
	struct url u;
	const char *err;
	char *line;

	/* Normalise as a request would be, so lookups compare equal. */
	line = xasprintf("gemini://h%s%s", path[0] == '/' ? "" : "/", path);
	if (url_parse(line, strlen(line), &u, &err) == 0) {
		char *enc = url_encode_path(p->pm.url);
		char *to = xasprintf("%s%s", s->base_url, enc);

		s->aliases = xgrow(s->aliases, &s->caliases, s->naliases + 1,
		    sizeof(*s->aliases));
		s->aliases[s->naliases].path = xstrdup(u.path);
		s->aliases[s->naliases].post = p;
		/* Too long for a META: answered as a request would be. */
		if (strlen(to) > GEMINI_MAX_META)
			s->aliases[s->naliases].redirect = page_new(
			    GEMINI_BAD_REQUEST, "redirect target too long",
			    NULL, 0);
		else
			s->aliases[s->naliases].redirect = page_new(
			    GEMINI_REDIRECT_PERM, to, NULL, 0);
		s->naliases++;
		free(to);
		free(enc);
		url_free(&u);
	}
	free(line);
}

/* The key of a section in secdirs: LANG (or \1 for none), NUL, DIR. */
static void
secdir_key(const char *dir, const char *lang, struct buf *k)
{
	buf_reset(k);
	buf_adds(k, lang ? lang : "\1");
	buf_addc(k, '\0');
	buf_adds(k, dir);
}

/* The section of folder dir and language, or -1. */
static long
find_section(const struct pageset *set, const char *dir, const char *lang)
{
	struct buf k = BUF_INIT;
	uintptr_t i;

	secdir_key(dir, lang, &k);
	i = (uintptr_t)strmap_get(&set->secdirs, k.data, k.len);
	buf_free(&k);
	return (long)i - 1;
}

static long
add_section(struct site *s, struct pageset *set, const char *dir,
    const char *lang, struct post *index)
{
	struct section *sec;
	struct buf k = BUF_INIT;
	const char *slash;
	long found = find_section(set, dir, lang);
	size_t n;

	if (found >= 0) {
		if (index && set->secs[found].index == NULL) {
			set->secs[found].index = index;
			free(set->secs[found].title);
			set->secs[found].title = xstrdup(index->title);
		}
		return found;
	}
	set->secs = xgrow(set->secs, &set->csecs, set->nsecs + 1,
	    sizeof(*set->secs));
	sec = &set->secs[set->nsecs];
	sec->url = index ? xstrdup(index->pm.url) :
	    pm_section_url(&s->cfg, dir, lang);
	sec->dir = xstrdup(dir);
	sec->lang = lang;
	sec->index = index;
	sec->parent = -1;
	slash = strrchr(dir, '/');
	sec->title = index ? xstrdup(index->title) :
	    xstrdup(slash ? slash + 1 : dir);
	if (sec->title[0] >= 'a' && sec->title[0] <= 'z' && index == NULL)
		sec->title[0] = (char)(sec->title[0] - 32);
	secdir_key(dir, lang, &k);
	n = k.len;
	strmap_put(&set->secdirs, own_key(set, buf_detach(&k, NULL)), n,
	    (void *)(uintptr_t)(set->nsecs + 1));
	return (long)set->nsecs++;
}

/* The nearest section holding folder dir (itself included), or -1. */
static long
section_of(const struct pageset *set, const char *dir, const char *lang)
{
	char *d = xstrdup(dir), *slash;
	long k = -1;

	while (d[0] && (k = find_section(set, d, lang)) < 0) {
		slash = strrchr(d, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
	}
	free(d);
	return k;
}

static int
is_transparent(const struct pageset *set, long k)
{
	return k >= 0 && set->secs[k].index &&
	    set->secs[k].index->meta.transparent;
}

/* 1 when listed page i is one of section k's (or a transparent child's). */
static int
in_section(const struct pageset *set, size_t i, long k)
{
	long j = set->sec_of[i];

	while (j >= 0) {
		if (j == k)
			return 1;
		if (!is_transparent(set, j))
			return 0;
		j = set->secs[j].parent;
	}
	return 0;
}

/* The main sections: the config's, else the one with most dated pages. */
static int
is_main(const struct site *s, const struct post *p, const char *best)
{
	size_t i;

	if (s->cfg.nmain == 0)
		return best == NULL || strcmp(p->pm.section, best) == 0;
	for (i = 0; i < s->cfg.nmain; i++)
		if (strcmp(p->pm.section, s->cfg.main_sections[i]) == 0)
			return 1;
	return 0;
}

static int
counts_in_busiest(const struct post *p)
{
	return p->dated && p->pm.section[0] != '\0' && p->pm.lang == NULL;
}

/* The section with most dated pages; the first listed on a tie. */
static const char *
busiest_section(const struct site *s, const struct pageset *set)
{
	struct strmap ids = { 0 };	/* section -> index in cnt plus one */
	size_t *cnt, i, n, bestn = 0, ndist = 0;
	const char *best = NULL;
	uintptr_t k;

	/* A bare folder lists every page, as 0.1 did. */
	if (s->cfg.gen == GEN_BARE)
		return NULL;
	cnt = xcalloc(set->nlisted + 1, sizeof(*cnt));
	for (i = 0; i < set->nlisted; i++) {
		const char *sec = set->listed[i]->pm.section;
		size_t len = strlen(sec);

		if (!counts_in_busiest(set->listed[i]))
			continue;
		if ((k = (uintptr_t)strmap_get(&ids, sec, len)) == 0) {
			k = ++ndist;
			strmap_put(&ids, sec, len, (void *)k);
		}
		cnt[k - 1]++;
	}
	for (i = 0; i < set->nlisted; i++) {
		const char *sec = set->listed[i]->pm.section;

		if (!counts_in_busiest(set->listed[i]))
			continue;
		k = (uintptr_t)strmap_get(&ids, sec, strlen(sec));
		if ((n = cnt[k - 1]) > bestn) {
			bestn = n;
			best = sec;
		}
	}
	strmap_free(&ids);
	free(cnt);
	return best ? best : "";
}

/* One taxonomy's term list of a post, when front matter carries it. */
static char **
terms_of(const struct post *p, const char *tax, size_t *n)
{
	if (strcmp(tax, "tags") == 0) {
		*n = p->meta.ntags;
		return p->meta.tags;
	}
	if (strcmp(tax, "categories") == 0) {
		*n = p->meta.ncategories;
		return p->meta.categories;
	}
	*n = 0;
	return NULL;
}

static int
has_tax(const struct site *s, const char *tax)
{
	size_t i;

	for (i = 0; i < s->cfg.ntax; i++)
		if (strcmp(s->cfg.taxonomies[i], tax) == 0)
			return 1;
	return 0;
}

/* The body of p as v's class sees it; *tofree is set when it is its own. */
static const char *
body_as(struct site *s, const struct viewer *v, struct post *p,
    char **tofree)
{
	const char *b = site_post_body(s, p);

	*tofree = site_body_for(s, p, v);
	return *tofree ? *tofree : b;
}

/* What the lists know of every listed page (bodies not rendered). */
static struct page_post *
listed_posts(const struct site *s, const struct pageset *set)
{
	struct page_post *pp = xcalloc(set->nlisted + 1, sizeof(*pp));
	int tags = has_tax(s, "tags");
	size_t i;

	for (i = 0; i < set->nlisted; i++) {
		site_page_post(set->listed[i], &pp[i]);
		pp[i].body_gmi = NULL;
		/* No tag pages: no tag links. */
		if (!tags)
			pp[i].ntags = 0;
	}
	return pp;
}

static void
site_page_site(const struct site *s, struct page_site *ps)
{
	memset(ps, 0, sizeof(*ps));
	ps->title = s->title;
	ps->subtitle = s->cfg.description ? s->cfg.description :
	    s->intro ? s->intro->meta.description : NULL;
	ps->base_url = s->base_url;
	ps->index_limit = SITE_INDEX_POSTS;
	ps->search = s->search != NULL;
}

static int
text_empty(const char *t)
{
	return t == NULL || t[strspn(t, " \t\n")] == '\0';
}

/*
 * The entries of a feed: the dated ones (with tag, when given), at most
 * SITE_FEED_POSTS; those without a description get their body as the
 * class sees it (rendered now if need be), freed with *bodies.
 */
static size_t
feed_entries(struct site *s, const struct pageset *set,
    const struct viewer *v, const struct page_post *pp, size_t n,
    const char *tag, struct page_post *out, char ***bodies)
{
	size_t i, k = 0;

	*bodies = xcalloc(SITE_FEED_POSTS + 1, sizeof(**bodies));
	for (i = 0; i < n && k < SITE_FEED_POSTS; i++) {
		struct post *p;

		if (!pp[i].ymd || !pp[i].ymd[0] ||
		    (tag && !pages_has_tag(&pp[i], tag)))
			continue;
		out[k] = pp[i];
		if (text_empty(out[k].description) && (p = strmap_get(
		    &s->by_url, pp[i].url, strlen(pp[i].url))) != NULL)
			out[k].body_gmi = body_as(s, v, p, &(*bodies)[k]);
		k++;
	}
	(void)set;
	return k;
}

static void
free_bodies(char **v)
{
	for (size_t i = 0; v && i < SITE_FEED_POSTS; i++)
		free(v[i]);
	free(v);
}

static struct page *
feed_page(const struct buf *b)
{
	return page_new(GEMINI_SUCCESS, "application/atom+xml", b->data, b->len);
}

/* Section k's page or feed. */
static struct page *
gen_section(struct site *s, const struct pageset *set, const struct viewer *v,
    long k, int feed)
{
	const struct section *sec = &set->secs[k];
	struct page_post *pp = listed_posts(s, set);
	struct page_post *sub = xcalloc(set->nlisted + 1, sizeof(*sub));
	struct page_link *links = NULL;
	struct page_site ps;
	struct page *pg;
	struct buf b = BUF_INIT;
	char *path = xasprintf("%satom.xml", sec->url), *tofree = NULL, **bodies;
	const char *intro = NULL;
	size_t j, n = 0, nl = 0;

	site_page_site(s, &ps);
	for (j = 0; j < set->nlisted; j++)
		if (in_section(set, j, k))
			sub[n++] = pp[j];
	if (feed) {
		struct page_post *fe = xcalloc(SITE_FEED_POSTS + 1,
		    sizeof(*fe));

		n = feed_entries(s, set, v, sub, n, NULL, fe, &bodies);
		feed_atom(&ps, fe, n, path, NULL, &b);
		free_bodies(bodies);
		free(fe);
		pg = feed_page(&b);
	} else {
		links = xcalloc(set->nsecs + 1, sizeof(*links));
		for (j = 0; j < set->nsecs; j++)
			if (set->secs[j].parent == k) {
				links[nl].url = set->secs[j].url;
				links[nl++].title = set->secs[j].title;
			}
		if (sec->index)
			intro = body_as(s, v, sec->index, &tofree);
		pages_section(&ps, sec->title, intro && *intro ? intro : NULL,
		    sub, n, links, nl, path, &b);
		pg = gemtext_page(sec->index && sec->index->meta.lang ?
		    sec->index->meta.lang : s->lang, &b);
	}
	free(tofree);
	free(links);
	free(path);
	free(sub);
	free(pp);
	buf_free(&b);
	return pg;
}

/* A home page (or feed): the default language's at /, others' at /LANG/. */
static struct page *
gen_home(struct site *s, const struct pageset *set, const struct viewer *v,
    long li, int feed)
{
	const char *lang = li >= 0 ? s->cfg.langs[li].code : NULL;
	struct page_post *pp = listed_posts(s, set);
	struct page_post *mp = xcalloc(set->nlisted + 1, sizeof(*mp));
	struct page_link *links = xcalloc(set->nsecs + s->cfg.nlangs + 1,
	    sizeof(*links));
	struct page_site ps;
	struct post *intro = NULL;
	struct page *pg;
	struct buf b = BUF_INIT;
	size_t i, n = 0, nl = 0;
	char *tofree = NULL;

	site_page_site(s, &ps);
	for (i = 0; i < s->nposts; i++)
		if (s->posts[i]->pm.kind == PM_HOME &&
		    ((lang == NULL && s->posts[i]->pm.lang == NULL) ||
		    (lang && s->posts[i]->pm.lang &&
		    strcmp(s->posts[i]->pm.lang, lang) == 0))) {
			intro = s->posts[i];
			break;
		}
	for (i = 0; i < set->nlisted; i++) {
		const struct post *p = set->listed[i];

		if ((lang == NULL) != (p->pm.lang == NULL) ||
		    (lang && strcmp(lang, p->pm.lang) != 0))
			continue;
		if (lang || is_main(s, p, set->best))
			mp[n++] = pp[i];
	}
	if (feed) {
		struct page_post *fe = xcalloc(SITE_FEED_POSTS + 1,
		    sizeof(*fe));
		char **bodies;

		n = feed_entries(s, set, v, mp, n, NULL, fe, &bodies);
		feed_atom(&ps, fe, n, "/atom.xml", NULL, &b);
		free_bodies(bodies);
		free(fe);
		pg = feed_page(&b);
		goto done;
	}
	for (i = 0; i < set->nsecs; i++)
		if (set->secs[i].parent < 0 && (set->secs[i].lang == lang ||
		    (lang && set->secs[i].lang &&
		    strcmp(set->secs[i].lang, lang) == 0))) {
			links[nl].url = set->secs[i].url;
			links[nl++].title = set->secs[i].title;
		}
	if (lang == NULL)
		for (i = 0; i < s->cfg.nlangs; i++) {
			links[nl].url = xasprintf("/%s/", s->cfg.langs[i].code);
			links[nl++].title = s->cfg.langs[i].title ?
			    s->cfg.langs[i].title : s->cfg.langs[i].code;
		}
	if (intro && site_post_status(s, v, intro) == 0) {
		const char *t = body_as(s, v, intro, &tofree);

		ps.intro_gmi = *t ? t : NULL;
	}
	if (lang) {
		const struct sitecfg_lang *l = sitecfg_lang(&s->cfg, lang,
		    strlen(lang));

		if (l && l->title)
			ps.title = l->title;
	}
	ps.sections = links;
	ps.nsections = nl;
	pages_index(&ps, mp, n, &b);
	pg = gemtext_page(lang ? lang : s->lang, &b);
	if (lang == NULL)
		for (i = nl - s->cfg.nlangs; i < nl; i++)
			free((char *)links[i].url);
done:
	free(tofree);
	free(links);
	free(mp);
	free(pp);
	buf_free(&b);
	return pg;
}

/* A taxonomy's list, one term's page, or its feed. */
static struct page *
gen_taxonomy(struct site *s, const struct pageset *set,
    const struct viewer *v, const struct gen *g)
{
	const char *tax = s->cfg.taxonomies[g->arg];
	struct page_post *tp = listed_posts(s, set);
	struct page_site ps;
	struct page *pg;
	struct buf b = BUF_INIT;
	size_t i;

	site_page_site(s, &ps);
	ps.taxonomy = tax;
	for (i = 0; i < set->nlisted; i++)
		tp[i].tags = (const char *const *)terms_of(set->listed[i], tax,
		    &tp[i].ntags);
	if (g->kind == G_TAXLIST) {
		pages_tags(&ps, tp, set->nlisted, &b);
		pg = gemtext_page(s->lang, &b);
	} else if (g->kind == G_TERM) {
		pages_tag(&ps, g->term, tp, set->nlisted, &b);
		pg = gemtext_page(s->lang, &b);
	} else {
		struct page_post *fe = xcalloc(SITE_FEED_POSTS + 1,
		    sizeof(*fe));
		char *self = pages_tag_path(g->term), *path, **bodies;
		size_t n;

		path = xasprintf("/%s/%s/atom.xml", tax, self);
		n = feed_entries(s, set, v, tp, set->nlisted, g->term, fe,
		    &bodies);
		feed_atom(&ps, fe, n, path, g->term, &b);
		free_bodies(bodies);
		free(path);
		free(self);
		free(fe);
		pg = feed_page(&b);
	}
	free(tp);
	buf_free(&b);
	return pg;
}

static void
slot_touch(struct site *s, struct slot *sl)
{
	lru_touch(&s->cache, &sl->node);
}

/* Listed page i as set's class sees it: composed now unless cached. */
static struct page *
post_page(struct site *s, struct pageset *set, const struct viewer *v,
    size_t i)
{
	struct slot *sl = set->slots[i];
	struct post *p = set->listed[i];
	struct page_post pp, older, newer;
	struct page_site ps;
	struct buf b = BUF_INIT;
	const char *body;
	char *tofree;
	int tags = has_tax(s, "tags");

	if (sl && sl->page) {
		slot_touch(s, sl);
		return sl->page;
	}
	if (sl == NULL) {
		sl = set->slots[i] = xcalloc(1, sizeof(*sl));
		sl->node.evict = slot_evict;
	}
	site_page_site(s, &ps);
	body = body_as(s, v, p, &tofree);
	site_page_post(p, &pp);
	if (i + 1 < set->nlisted)
		site_page_post(set->listed[i + 1], &older);
	if (i > 0)
		site_page_post(set->listed[i - 1], &newer);
	if (!tags)
		pp.ntags = older.ntags = newer.ntags = 0;
	pp.body_gmi = body;
	/* Older and newer: between dated posts only. */
	pages_post(&ps, &pp, body, i + 1 < set->nlisted &&
	    set->listed[i + 1]->dated && p->dated ? &older : NULL,
	    i > 0 && p->dated ? &newer : NULL, &b);
	sl->page = gemtext_page(p->meta.lang ? p->meta.lang :
	    p->pm.lang ? p->pm.lang : s->lang, &b);
	lru_add(&s->cache, &sl->node, sizeof(*sl) + sl->page->len +
	    sizeof(*sl->page));
	free(tofree);
	buf_free(&b);
	return sl->page;
}

/* The page at path for set's class (v one of it), made when first asked. */
struct page *
site_route_get(struct site *s, struct pageset *set, const struct viewer *v,
    const char *path, size_t n)
{
	struct page *pg;
	struct gen *g;
	uintptr_t k;

	if ((k = (uintptr_t)strmap_get(&set->genmap, path, n)) == 0)
		return NULL;
	g = &set->gens[k - 1];
	if (g->built)
		return g->built;
	switch (g->kind) {
	case G_POST:
		return post_page(s, set, v, (size_t)g->arg);
	case G_SECTION:
	case G_SECFEED:
		pg = gen_section(s, set, v, g->arg, g->kind == G_SECFEED);
		break;
	case G_HOME:
	case G_HOMEFEED:
		pg = gen_home(s, set, v, g->arg, g->kind == G_HOMEFEED);
		break;
	case G_ARCHIVE: {
		struct page_post *pp = listed_posts(s, set);
		struct page_site ps;
		struct buf b = BUF_INIT;

		site_page_site(s, &ps);
		pages_archive(&ps, pp, set->nlisted, &b);
		pg = gemtext_page(s->lang, &b);
		buf_free(&b);
		free(pp);
		break;
	}
	default:
		pg = gen_taxonomy(s, set, v, g);
		break;
	}
	return g->built = pg;
}

/* 1 when set has a page at path (generated or not yet). */
int
site_route_has(const struct pageset *set, const char *path, size_t n)
{
	return strmap_get(&set->genmap, path, n) != NULL;
}

/* The terms of one taxonomy, each with its page and feed. */
static void
list_terms(struct site *s, struct pageset *set, size_t t)
{
	const char *tax = s->cfg.taxonomies[t];
	struct strmap seen = { 0 };
	size_t i, j, n, nt;
	char **terms;
	char *path;

	path = xasprintf("/%s/", tax);
	add_gen(set, path, G_TAXLIST, (long)t, NULL);
	free(path);
	for (i = 0; i < set->nlisted; i++) {
		terms = terms_of(set->listed[i], tax, &nt);
		for (j = 0; j < nt; j++) {
			const char *term = terms[j];

			n = strlen(term);
			if (n == 0 || strmap_get(&seen, term, n))
				continue;
			strmap_put(&seen, term, n, (void *)1);
			if (strcmp(tax, "tags") == 0)
				set->ntags++;
			term = own_key(set, xstrdup(term));
			path = xasprintf("/%s/%s/", tax, term);
			add_gen(set, path, G_TERM, (long)t, term);
			free(path);
			path = xasprintf("/%s/%s/atom.xml", tax, term);
			add_gen(set, path, G_TERMFEED, (long)t, term);
			free(path);
		}
	}
	strmap_free(&seen);
}

/*
 * Lists the pages of v's visibility class from the (sorted) posts: what
 * each path is made of, no page made yet.
 */
void
site_pageset_build(struct site *s, struct pageset *set, const struct viewer *v)
{
	size_t i;
	char *path;

	set->built = 1;
	set->listed = xcalloc(s->nposts + 1, sizeof(*set->listed));
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];

		if (p->pm.kind == PM_PAGE && site_post_status(s, v, p) == 0)
			set->listed[set->nlisted++] = p;
	}
	set->slots = xcalloc(set->nlisted + 1, sizeof(*set->slots));
	set->sec_of = xcalloc(set->nlisted + 1, sizeof(*set->sec_of));
	/* Post pages first: a page claims its URL before anything else. */
	for (i = 0; i < set->nlisted; i++) {
		struct post *p = set->listed[i];
		const char *k = p->pm.url;

		add_gen(set, k, G_POST, (long)i, NULL);
		strmap_put(&set->legacy, p->pm.legacy, strlen(p->pm.legacy), p);
		if (p->pm.bundle)
			strmap_put(&set->bundles, k, strlen(k), p);
	}
	/* Sections: every _index.md, and every top folder holding pages. */
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];

		if (p->pm.kind == PM_SECTION && site_post_status(s, v, p) == 0)
			add_section(s, set, p->pm.dir, p->pm.lang, p);
	}
	for (i = 0; i < set->nlisted; i++) {
		const struct post *p = set->listed[i];

		if (p->pm.section[0] && section_of(set, p->pm.dir,
		    p->pm.lang) < 0)
			add_section(s, set, p->pm.section, p->pm.lang, NULL);
	}
	for (i = 0; i < set->nsecs; i++) {
		char *d = xstrdup(set->secs[i].dir), *slash;

		while ((slash = strrchr(d, '/')) != NULL) {
			*slash = '\0';
			if ((set->secs[i].parent = find_section(set, d,
			    set->secs[i].lang)) >= 0)
				break;
		}
		free(d);
	}
	for (i = 0; i < set->nlisted; i++)
		set->sec_of[i] = section_of(set, set->listed[i]->pm.dir,
		    set->listed[i]->pm.lang);
	for (i = 0; i < set->nsecs; i++) {
		add_gen(set, set->secs[i].url, G_SECTION, (long)i, NULL);
		path = xasprintf("%satom.xml", set->secs[i].url);
		add_gen(set, path, G_SECFEED, (long)i, NULL);
		free(path);
	}
	set->best = busiest_section(s, set);
	add_gen(set, "/", G_HOME, -1, NULL);
	add_gen(set, "/atom.xml", G_HOMEFEED, -1, NULL);
	for (i = 0; i < s->cfg.nlangs; i++) {
		path = xasprintf("/%s/", s->cfg.langs[i].code);
		add_gen(set, path, G_HOME, (long)i, NULL);
		free(path);
	}
	add_gen(set, "/archive/", G_ARCHIVE, 0, NULL);
	for (i = 0; i < s->cfg.ntax; i++)
		list_terms(s, set, i);
}

static char *
class_key(const struct site *s, const struct viewer *v)
{
	struct buf key = BUF_INIT;

	access_class_key(v, s->covered, s->any_drafts, &key);
	return buf_detach(&key, NULL);
}

/*
 * The pages as v sees them. Readers without a certificate, and any whose
 * certificate opens no area holding a post, share the base pages; every
 * other class (at most one per listed fingerprint) gets its own, listed
 * at its first request and kept until the posts change.
 */
struct pageset *
site_pageset_for(struct site *s, const struct viewer *v)
{
	struct pageset *set;
	char *key;

	if (v->fingerprint == NULL)	/* the base reader exactly */
		return &s->base;
	key = class_key(s, v);
	if (strcmp(key, s->base.key) == 0) {
		free(key);
		return &s->base;
	}
	if ((set = strmap_get(&s->classmap, key, strlen(key))) != NULL) {
		free(key);
		return set;
	}
	set = xcalloc(1, sizeof(*set));
	site_pageset_build(s, set, v);
	set->key = key;
	s->classes = xrealloc(s->classes, (s->nclasses + 1) *
	    sizeof(*s->classes));
	s->classes[s->nclasses++] = set;
	strmap_put(&s->classmap, set->key, strlen(set->key), set);
	return set;
}

static void
pageset_body_changed(struct site *s, struct pageset *set, const struct post *p)
{
	uintptr_t k = (uintptr_t)strmap_get(&set->genmap, p->pm.url,
	    strlen(p->pm.url));
	struct slot *sl;
	size_t i;

	if (!set->built)
		return;
	if (k && set->gens[k - 1].kind == G_POST &&
	    set->listed[set->gens[k - 1].arg] == p &&
	    (sl = set->slots[set->gens[k - 1].arg]) != NULL) {
		lru_remove(&s->cache, &sl->node);
		page_unref(sl->page);
		sl->page = NULL;
	}
	for (i = 0; i < set->ngens; i++) {
		struct gen *g = &set->gens[i];

		if (g->kind == G_HOMEFEED || g->kind == G_SECFEED ||
		    g->kind == G_TERMFEED) {
			page_unref(g->built);
			g->built = NULL;
		}
	}
}

void
site_pages_body_changed(struct site *s, const struct post *p)
{
	size_t i;

	pageset_body_changed(s, &s->base, p);
	for (i = 0; i < s->nclasses; i++)
		pageset_body_changed(s, s->classes[i], p);
}

/* Lists the generated pages afresh (none made), after the posts changed. */
void
site_build_pages(struct site *s)
{
	struct viewer anon;
	size_t i, j;

	site_pages_free(s);
	/* Which rules and drafts can tell one reader's pages from another's. */
	free(s->covered);
	s->covered = xcalloc(s->access ? s->access->nrules + 1 : 1, 1);
	s->any_drafts = 0;
	for (i = 0; i < s->nposts; i++) {
		access_mark_covering(s->access,
		    (const char *const *)s->posts[i]->addrs,
		    s->posts[i]->naddrs, s->covered);
		s->any_drafts |= s->posts[i]->meta.draft;
	}
	access_viewer(s->access, NULL, 0, &anon);
	site_pageset_build(s, &s->base, &anon);
	s->base.key = class_key(s, &anon);
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];

		for (j = 0; j < p->meta.naliases; j++)
			add_alias(s, p->meta.aliases[j], p);
	}
	for (i = 0; i < s->naliases; i++)
		strmap_put(&s->aliasmap, s->aliases[i].path,
		    strlen(s->aliases[i].path), &s->aliases[i]);
}
