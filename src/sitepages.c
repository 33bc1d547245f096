/*
 * sitepages: the generated pages as one visibility class sees them. When
 * the posts change, each class's lists are made afresh (which path is
 * made of what: cheap, nothing rendered); a page is generated when first
 * asked for and kept, a post page composed around its cached body and
 * kept in the site's bounded cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "access.h"
#include "buf.h"
#include "feed.h"
#include "gemini.h"
#include "log.h"
#include "lru.h"
#include "page.h"
#include "pages.h"
#include "renderq.h"
#include "site.h"
#include "siteint.h"
#include "url.h"
#include "util.h"

/*
 * A class listed off the loop, its readers' requests parked meanwhile:
 * at 100,000 pages the base's copy took 50-90 ms (page faults, in a VM),
 * a listing from the posts 0.4-0.6 s, each request of that worker
 * waiting as long (issue 16). The pages the copy takes in are taken on
 * the loop, when it is done (a few ms).
 */
struct class_job {
	struct rq_job j; /* first */
	struct site *s;
	struct pageset *set; /* NULL: its class dropped before it ran */
	struct viewer v;     /* a copy: the request may be gone */
	char *fingerprint;   /* v's, owned */
	struct post **in;    /* copied: the pages to take in */
	size_t nin;
	int copied;
};

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
	pp->description =
	    p->meta.description ? p->meta.description : p->summary;
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
		buf_printf(meta,
		    strchr(lang, ',') ? "; lang=\"%s\"" : "; lang=%s", lang);
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

/* Keys a pageset owns (its maps'), freed with it. */
static const char *
own_key(struct pageset *set, char *key)
{
	set->keys =
	    xgrow(set->keys, &set->ckeys, set->nkeys + 1, sizeof(*set->keys));
	set->keys[set->nkeys++] = key;
	return key;
}

/* Notes that gens[k] holds a page (see struct pageset's live). */
static void
note_live(struct pageset *set, size_t k)
{
	set->live =
	    xgrow(set->live, &set->clive, set->nlive + 1, sizeof(*set->live));
	set->live[set->nlive++] = k;
}

/*
 * Says what path is made of; the first to claim a path keeps it. A
 * page's own URL outlives the set: not copied (issue 16), so the post
 * pages' thread (post_gens) never touches the set's keys.
 */
static struct gen *
add_gen(struct pageset *set, const char *path, enum gen_kind kind, long arg,
    const char *term)
{
	size_t n = strlen(path);

	if (strmap_get(&set->genmap, path, n))
		return NULL;
	set->gens =
	    xgrow(set->gens, &set->cgens, set->ngens + 1, sizeof(*set->gens));
	set->gens[set->ngens].kind = kind;
	set->gens[set->ngens].arg = arg;
	set->gens[set->ngens].term = term;
	set->gens[set->ngens].built = NULL;
	set->gens[set->ngens].tl = 0;
	set->ngens++;
	if (kind != G_POST)
		path = own_key(set, xstrndup(path, n));
	strmap_put(&set->genmap, path, n, (void *)(uintptr_t)set->ngens);
	return &set->gens[set->ngens - 1];
}

/*
 * The per-listed-page arrays have room on both sides: set->lhead
 * unused entries before the first page, set->lcap in all. A page that
 * comes or goes moves the shorter side (lists_shift), so a new post,
 * the newest and first listed, moves nothing. What points at a listed
 * page from elsewhere (older, newer, a G_POST gen's arg) holds its
 * place, its index plus lhead, which a move of the other side keeps
 * (issue 16: a new post at 100,000 pages shifted 4.5 MB of lists and
 * renumbered every gen, pages a worker shared with its zygote: ~2,000
 * copy-on-write faults, 160 ms of its loop).
 */
#define LISTS(X) X(listed) X(sec_of) X(gen_of) X(slots) X(older) X(newer) X(nav)

/* Listed page i's place, and the index of place x (-1: none, both). */
static long
place_of(const struct pageset *set, long i)
{
	return i < 0 ? -1 : i + (long)set->lhead;
}

static long
index_at(const struct pageset *set, long x)
{
	return x < 0 ? -1 : x - (long)set->lhead;
}

/* Listed pages from index i to j (excluded): their post page's gen says so. */
static void
renumber(struct pageset *set, size_t i, size_t j)
{
	for (; i < j; i++)
		if (set->gen_of[i] != UINT32_MAX)
			set->gens[set->gen_of[i]].arg = place_of(set, (long)i);
}

/*
 * At least front unused entries before the first page and back after
 * the last in every per-listed-page array (more head room moves every
 * page, once: their places follow).
 */
static void
lists_room(struct pageset *set, size_t front, size_t back)
{
	size_t head = set->lhead > front ? set->lhead : front;
	size_t tail = set->lcap - set->lhead - set->nlisted, k;
	long d = (long)head - (long)set->lhead;

	if (tail < back)
		tail = back;
	if (d == 0 && head + set->nlisted + tail <= set->lcap)
		return;
	set->lcap = head + set->nlisted + tail;
	if (d == 0) {
#define GROW(a) \
	(set->a) = (void *)((char *)xrealloc((set->a) - set->lhead, \
				set->lcap * sizeof(*(set->a))) + \
	    set->lhead * sizeof(*(set->a)));
		LISTS(GROW)
#undef GROW
		return;
	}
#define MOVE(a) \
	{ \
		void *na = xcalloc(set->lcap, sizeof(*(set->a))); \
		memcpy((char *)na + head * sizeof(*(set->a)), (set->a), \
		    set->nlisted * sizeof(*(set->a))); \
		free((set->a) - set->lhead); \
		(set->a) = (void *)((char *)na + head * sizeof(*(set->a))); \
	}
	LISTS(MOVE)
#undef MOVE
	set->lhead = head;
	for (k = 0; k < set->nlisted; k++) {
		if (set->older[k] >= 0)
			set->older[k] += d;
		if (set->newer[k] >= 0)
			set->newer[k] += d;
	}
	renumber(set, 0, set->nlisted);
}

/* The per-listed-page arrays freed. */
static void
lists_free(struct pageset *set)
{
#define FREE(a) \
	if (set->a) \
		free((set->a) - set->lhead);
	LISTS(FREE)
#undef FREE
}

/* Room for pages to come on either side of a list (lists_shift). */
static size_t
lists_margin(const struct pageset *set)
{
	return 64 + set->nlisted / 64;
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

	if (ps->job)
		ps->job->set = NULL; /* its class dropped: it does nothing */
	for (i = 0; ps->slots && i < ps->nlisted; i++)
		if (ps->slots[i]) {
			lru_remove(&s->cache, &ps->slots[i]->node);
			page_unref(ps->slots[i]->page);
			free(ps->slots[i]);
		}
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
	free(ps->fp);
	lists_free(ps);
	free(ps->gens);
	free(ps->live);
	for (i = 0; i < ps->ntlists; i++)
		free(ps->tlists[i].v);
	free(ps->tlists);
	free(ps->bcount);
	free(ps->bname);
	strmap_free(&ps->busy);
	strmap_free(&ps->genmap);
	strmap_free(&ps->secdirs);
	strmap_free(&ps->bundles);
	memset(ps, 0, sizeof(*ps));
}

static void
alias_free(struct alias *a)
{
	free(a->path);
	page_unref(a->redirect);
	free(a);
}

/*
 * The per-listed-page arrays opened at i for a page to come (d 1: the
 * caller fills i, unlinked) or closed over the page at i (d -1, out of
 * its group's chain already: nothing links to it): the shorter side of
 * i moves by one entry, and the links to the pages it moved follow.
 */
static void
lists_shift(struct pageset *set, size_t i, int d)
{
	size_t n = set->nlisted - i - (d < 0), k, mlo, mhi;
	long lo, hi, by;
	int front = i < n;

	if (d > 0 &&
	    (front ? set->lhead == 0 : set->lhead + set->nlisted == set->lcap))
		lists_room(set, front ? lists_margin(set) : 0,
		    front ? 0 : lists_margin(set));
	if (front) {
		/* Pages [0, i) one entry towards the front (d 1) or back. */
		lo = place_of(set, 0);
		hi = lo + (long)i;
		by = -d;
#define SHIFT(a) \
	memmove((set->a) - d, (set->a), i * sizeof(*(set->a))); \
	(set->a) -= d;
		LISTS(SHIFT)
#undef SHIFT
		set->lhead = d > 0 ? set->lhead - 1 : set->lhead + 1;
	} else {
		/* Pages after i one entry towards the back (d 1) or front. */
		lo = place_of(set, (long)i + (d < 0));
		hi = lo + (long)n;
		by = d;
#define SHIFT(a) \
	memmove((set->a) + i + (d > 0), (set->a) + i + (d < 0), \
	    n * sizeof(*(set->a)));
		LISTS(SHIFT)
#undef SHIFT
	}
	set->nlisted = d > 0 ? set->nlisted + 1 : set->nlisted - 1;
	/* The moved pages, now at [mlo, mhi). */
	mlo = front ? 0 : i + (d > 0);
	mhi = front ? i : set->nlisted;
	/*
	 * Links go both ways (older[k] = x: newer[x] = k), so those to a
	 * moved page are its neighbours': the moved pages' own first, then
	 * their neighbours' back to them, written where they change.
	 */
	for (k = mlo; k < mhi; k++) {
		if (set->older[k] >= lo && set->older[k] < hi)
			set->older[k] += by;
		if (set->newer[k] >= lo && set->newer[k] < hi)
			set->newer[k] += by;
	}
	for (k = mlo; k < mhi; k++) {
		long x = place_of(set, (long)k), o = set->older[k];
		long w = set->newer[k];

		if (o >= 0 && set->newer[index_at(set, o)] != x)
			set->newer[index_at(set, o)] = x;
		if (w >= 0 && set->older[index_at(set, w)] != x)
			set->older[index_at(set, w)] = x;
	}
	renumber(set, mlo, mhi);
}

/*
 * Room for pages to come in the base lists, made before a zygote forks
 * its workers: without it a worker's first new page reallocated each
 * list (exactly sized by the build) and copied it whole, a copy of
 * pages it shared with its zygote (part of ~190 ms of its loop at
 * 100,000 pages, 2.5 ms from the second page on).
 */
void
site_pages_reserve(struct site *s)
{
	struct pageset *set = &s->base;
	size_t n;

	if (!set->built)
		return;
	n = 2 + lists_margin(set);
	if (set->cgens < set->ngens + n) {
		set->cgens = set->ngens + n;
		set->gens =
		    xrealloc(set->gens, set->cgens * sizeof(*set->gens));
	}
	strmap_reserve(&set->genmap, n);
	lists_room(set, n, n);
}

/*
 * In a worker before it serves: the base lists, which a change writes
 * across (a page moved or added shifts one side of them and renumbers
 * their gens), made the worker's own (site_unshare).
 */
size_t
site_pages_unshare(struct site *s)
{
	struct pageset *set = &s->base;
	size_t n = 0;

	if (!set->built)
		return 0;
#define OWN(a) \
	util_own_pages((set->a) - set->lhead, set->lcap * sizeof(*(set->a))); \
	n += set->lcap * sizeof(*(set->a));
	LISTS(OWN)
#undef OWN
	util_own_pages(set->gens, set->cgens * sizeof(*set->gens));
	return n + set->cgens * sizeof(*set->gens);
}

/* The classes other than the base, freed: listed again when asked. */
static void
classes_free(struct site *s)
{
	size_t i;

	for (i = 0; i < s->nclasses; i++) {
		site_pageset_free(s, s->classes[i]);
		free(s->classes[i]);
	}
	free(s->classes);
	s->classes = NULL;
	s->nclasses = 0;
	strmap_free(&s->classmap);
}

/* Class k freed, to be listed again when asked. */
static void
class_drop(struct site *s, size_t k)
{
	struct pageset *set = s->classes[k];

	strmap_del(&s->classmap, set->key, strlen(set->key));
	site_pageset_free(s, set);
	free(set);
	s->classes[k] = s->classes[--s->nclasses];
}

void
site_pages_free(struct site *s)
{
	size_t i;

	site_pageset_free(s, &s->base);
	classes_free(s);
	strmap_free(&s->gated);
	for (i = 0; i < s->aliasmap.cap; i++)
		if (s->aliasmap.v[i].key)
			alias_free(s->aliasmap.v[i].val);
	strmap_free(&s->aliasmap);
	s->alias_clash = 0;
}

/* An alias's path as a request's would be, so lookups compare equal. */
static char *
alias_path(const char *path)
{
	char *line, *r = NULL;
	const char *err;
	struct url u;

	line = xasprintf("gemini://h%s%s", path[0] == '/' ? "" : "/", path);
	if (url_parse(line, strlen(line), &u, &err) == 0) {
		r = xstrdup(u.path);
		url_free(&u);
	}
	free(line);
	return r;
}

/*
 * Alias path of p: a redirect to its page, unless an alias is at path
 * already (s->alias_clash set: the first post in order keeps it).
 */
static void
add_alias(struct site *s, const char *path, struct post *p)
{
	char *at = alias_path(path), *enc, *to;
	struct alias *a;

	if (at == NULL)
		return;
	if (strmap_get(&s->aliasmap, at, strlen(at))) {
		s->alias_clash = 1;
		free(at);
		return;
	}
	enc = url_encode_path(p->pm.url);
	to = xasprintf("%s%s", s->base_url, enc);
	a = xcalloc(1, sizeof(*a));
	a->path = at;
	a->post = p;
	/* Too long for a META: answered as a request would be. */
	if (strlen(to) > GEMINI_MAX_META)
		a->redirect = page_new(GEMINI_BAD_REQUEST,
		    "redirect target too long", NULL, 0);
	else
		a->redirect = page_new(GEMINI_REDIRECT_PERM, to, NULL, 0);
	strmap_put(&s->aliasmap, a->path, strlen(a->path), a);
	free(to);
	free(enc);
}

/* p's aliases out of the map (those it holds). */
static void
drop_aliases(struct site *s, const struct post *p)
{
	struct alias *a;
	size_t i;
	char *at;

	for (i = 0; i < p->meta.naliases; i++) {
		if ((at = alias_path(p->meta.aliases[i])) == NULL)
			continue;
		if ((a = strmap_get(&s->aliasmap, at, strlen(at))) != NULL &&
		    a->post == p) {
			strmap_del(&s->aliasmap, at, strlen(at));
			alias_free(a);
		}
		free(at);
	}
}

/* 1 when none of p's aliases is at a path an alias has. */
static int
aliases_free_for(const struct site *s, const struct post *p)
{
	size_t i;
	char *at;
	int ok = 1;

	for (i = 0; ok && i < p->meta.naliases; i++)
		if ((at = alias_path(p->meta.aliases[i])) != NULL) {
			ok = strmap_get(&s->aliasmap, at, strlen(at)) == NULL;
			free(at);
		}
	return ok;
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

/*
 * The section of folder dir[0..n) and language, or -1. Asked for every
 * listed page: the key is made on the stack when it fits.
 */
static long
find_section_n(const struct pageset *set, const char *dir, size_t n,
    const char *lang)
{
	char stack[512], *k = stack;
	const char *l = lang ? lang : "\1";
	size_t ln = strlen(l) + 1;
	uintptr_t i;

	if (ln + n > sizeof(stack))
		k = xmalloc(ln + n);
	memcpy(k, l, ln); /* LANG NUL DIR, as secdir_key */
	memcpy(k + ln, dir, n);
	i = (uintptr_t)strmap_get(&set->secdirs, k, ln + n);
	if (k != stack)
		free(k);
	return (long)i - 1;
}

/* The section of folder dir and language, or -1. */
static long
find_section(const struct pageset *set, const char *dir, const char *lang)
{
	return find_section_n(set, dir, strlen(dir), lang);
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
	set->secs =
	    xgrow(set->secs, &set->csecs, set->nsecs + 1, sizeof(*set->secs));
	sec = &set->secs[set->nsecs];
	sec->url =
	    index ? xstrdup(index->pm.url) : pm_section_url(&s->cfg, dir, lang);
	sec->dir = xstrdup(dir);
	sec->lang = lang;
	sec->index = index;
	sec->parent = -1;
	sec->npages = 0;
	slash = strrchr(dir, '/');
	sec->title =
	    index ? xstrdup(index->title) : xstrdup(slash ? slash + 1 : dir);
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
	size_t n = strlen(dir);
	long k = -1;

	while (n > 0 && (k = find_section_n(set, dir, n, lang)) < 0) {
		while (n > 0 && dir[n - 1] != '/')
			n--;
		if (n == 0)
			break;
		n--; /* the folder above, without its slash */
	}
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

/* Page p counted in (d 1) or out of (d -1) its section's busy count. */
static void
busy_count(struct pageset *set, const struct post *p, int d)
{
	const char *sec = p->pm.section;
	size_t len = strlen(sec);
	uintptr_t k;

	if (!counts_in_busiest(p))
		return;
	if ((k = (uintptr_t)strmap_get(&set->busy, sec, len)) == 0) {
		set->bcount = xgrow(set->bcount, &set->cbusy, set->nbusy + 1,
		    sizeof(*set->bcount));
		set->bname =
		    xrealloc(set->bname, set->cbusy * sizeof(*set->bname));
		set->bname[set->nbusy] = own_key(set, xstrndup(sec, len));
		set->bcount[set->nbusy] = 0;
		k = ++set->nbusy;
		strmap_put(&set->busy, set->bname[k - 1], len, (void *)k);
	}
	set->bcount[k - 1] += (size_t)d;
}

/*
 * The section with most dated pages, from the counts kept (busy_count);
 * the first listed on a tie, the listing read only then, from its top.
 */
static const char *
busiest_section(const struct site *s, const struct pageset *set)
{
	size_t i, bestn = 0, ties = 0;
	const char *best = NULL;
	uintptr_t k;

	/* A bare folder lists every page, as 0.1 did. */
	if (s->cfg.gen == GEN_BARE)
		return NULL;
	for (i = 0; i < set->nbusy; i++)
		if (set->bcount[i] > bestn) {
			bestn = set->bcount[i];
			best = set->bname[i];
			ties = 1;
		} else if (bestn > 0 && set->bcount[i] == bestn)
			ties++;
	for (i = 0; ties > 1 && i < set->nlisted; i++) {
		const char *sec = set->listed[i]->pm.section;

		if (!counts_in_busiest(set->listed[i]))
			continue;
		k = (uintptr_t)strmap_get(&set->busy, sec, strlen(sec));
		if (set->bcount[k - 1] == bestn) {
			best = set->bname[k - 1];
			break;
		}
	}
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
	for (size_t i = 0; i < p->meta.nterms; i++)
		if (strcasecmp(p->meta.terms[i].taxonomy, tax) == 0) {
			*n = p->meta.terms[i].n;
			return p->meta.terms[i].terms;
		}
	*n = 0;
	return NULL;
}

/* A term's URL segment, as the generator writes it; NULL: as written. */
static char *(*term_slug(const struct site *s))(const char *, size_t)
{
	return s->cfg.gen == GEN_HUGO ? pm_urlize :
	    s->cfg.gen == GEN_ZOLA    ? pm_slugify :
					NULL;
}

/* The URL prefix of a language: "" for the default, else "/fr". */
static char *
lang_prefix_of(const struct site *s, const char *lang)
{
	return lang		     ? xasprintf("/%s", lang) :
	    s->cfg.default_in_subdir ? xasprintf("/%s", s->cfg.default_lang) :
				       xstrdup("");
}

char *
site_term_path(const struct site *s, const char *prefix, const char *tax,
    const char *term, const char *tail)
{
	char *(*f)(const char *, size_t) = term_slug(s);
	char *slug = f ? f(term, strlen(term)) : xstrdup(term), *r;

	r = xasprintf("%s/%s/%s/%s", prefix, tax, slug, tail);
	free(slug);
	return r;
}

/* "series" is "Series" as a title; malloc'd. */
static char *
tax_title(const char *t)
{
	char *r = xstrdup(t);

	if (r[0] >= 'a' && r[0] <= 'z')
		r[0] = (char)(r[0] - 32);
	return r;
}

/* Links to the taxonomies' list pages of a language; free with links_free. */
static struct page_link *
tax_links(const struct site *s, const char *lang)
{
	struct page_link *l = xcalloc(s->cfg.ntax + 1, sizeof(*l));
	char *prefix = lang_prefix_of(s, lang);
	size_t i;

	for (i = 0; i < s->cfg.ntax; i++) {
		l[i].url = xasprintf("%s/%s/", prefix, s->cfg.taxonomies[i]);
		l[i].title = tax_title(s->cfg.taxonomies[i]);
	}
	free(prefix);
	return l;
}

static void
links_free(struct page_link *l, size_t n)
{
	for (size_t i = 0; l && i < n; i++) {
		free((char *)l[i].url);
		free((char *)l[i].title);
	}
	free(l);
}

/* A page's terms of the taxonomies other than tags ("Series: Winter"). */
static size_t
term_links(const struct site *s, const struct post *p, struct page_link **out)
{
	struct page_link *l = NULL;
	size_t i, j, n = 0, nt, cap = 0;
	char **terms, *prefix = lang_prefix_of(s, p->pm.lang), *t;

	for (i = 0; i < s->cfg.ntax; i++) {
		const char *tax = s->cfg.taxonomies[i];

		if (strcmp(tax, "tags") == 0)
			continue;
		terms = terms_of(p, tax, &nt);
		for (j = 0; j < nt; j++) {
			if (terms[j][0] == '\0')
				continue;
			l = xgrow(l, &cap, n + 1, sizeof(*l));
			l[n].url = site_term_path(s, prefix, tax, terms[j], "");
			t = tax_title(tax);
			l[n].title = xasprintf("%s: %s", t, terms[j]);
			free(t);
			n++;
		}
	}
	free(prefix);
	*out = l;
	return n;
}

/*
 * One taxonomy's terms of the pages of one language, each replaced by
 * the first spelling of its URL ("Film", "film": one term). Fills
 * tp[0..) with those pages and returns their number; *owned holds the
 * term arrays, freed with canon_free.
 */
static size_t
canon_terms(const struct site *s, const struct pageset *set, const char *tax,
    const char *lang, const struct page_post *pp, struct page_post *tp,
    const char ****owned, char ***slugs, size_t *nslugs)
{
	struct strmap canon = { 0 };
	char *(*f)(const char *, size_t) = term_slug(s);
	size_t i, j, k, nt = 0, cslugs = 0;
	char **terms;

	*owned = xcalloc(set->nlisted + 1, sizeof(**owned));
	*slugs = NULL;
	*nslugs = 0;
	for (i = 0; i < set->nlisted; i++) {
		/* A term's pages are a local list, as Hugo has it. */
		if (!site_listed_locally(set->listed[i]) ||
		    !site_same_lang(set->listed[i]->pm.lang, lang))
			continue;
		tp[nt] = pp[i];
		terms = terms_of(set->listed[i], tax, &k);
		(*owned)[nt] = xcalloc(k + 1, sizeof(***owned));
		for (j = 0; j < k; j++) {
			char *slug = f ? f(terms[j], strlen(terms[j])) :
					 xstrdup(terms[j]);
			const char *c = strmap_get(&canon, slug, strlen(slug));

			if (c == NULL) {
				c = terms[j];
				*slugs = xgrow(*slugs, &cslugs, *nslugs + 1,
				    sizeof(**slugs));
				(*slugs)[(*nslugs)++] = slug;
				strmap_put(&canon, slug, strlen(slug),
				    (void *)c);
			} else
				free(slug);
			(*owned)[nt][j] = c;
		}
		tp[nt].tags = (*owned)[nt];
		tp[nt].ntags = k;
		nt++;
	}
	strmap_free(&canon);
	return nt;
}

static void
canon_free(const char ***owned, size_t nt, char **slugs, size_t nslugs)
{
	size_t i;

	for (i = 0; i < nt; i++)
		free(owned[i]);
	free(owned);
	strv_free(slugs, nslugs);
}

void
site_post_key(const struct post *p, struct pm_key *k)
{
	const char *u = p->pm.url, *e = u + strlen(u);

	memset(k, 0, sizeof(*k));
	k->title = p->title;
	k->url = u;
	k->path = p->relpath;
	while (e > u && e[-1] == '/')
		e--;
	while (e > u && e[-1] != '/')
		e--;
	k->slug = e;
	k->dated = p->dated;
	k->date = p->date;
	k->has_updated = p->meta.has_updated;
	k->updated = p->meta.updated;
	k->has_weight = p->meta.has_weight;
	k->weight = p->meta.weight;
}

/*
 * The order of a section's listing (index: its _index.md, or NULL):
 * Hugo's default order; Zola's sort_by, or newest first when it has
 * none (Zola's "none" promises no order).
 */
static enum pm_order
section_order(const struct site *s, const struct post *index)
{
	if (s->cfg.gen != GEN_ZOLA)
		return PM_ORDER_HUGO;
	switch (index ? index->meta.sort_by : FM_SORT_UNSET) {
	case FM_SORT_DATE:
		return PM_ORDER_DATE;
	case FM_SORT_UPDATE:
		return PM_ORDER_UPDATE;
	case FM_SORT_TITLE:
		return PM_ORDER_TITLE;
	case FM_SORT_TITLE_BYTES:
		return PM_ORDER_TITLE_BYTES;
	case FM_SORT_WEIGHT:
		return PM_ORDER_WEIGHT;
	case FM_SORT_SLUG:
		return PM_ORDER_SLUG;
	default:
		return PM_ORDER_NEWEST;
	}
}

/* 1 when p's weight puts a listing in Hugo's order out of date order. */
static int
weighted(const struct post *p)
{
	return p->meta.has_weight && p->meta.weight != 0;
}

/* 1 when p carries what order o sorts by (else it gets no neighbours). */
static int
has_order_key(enum pm_order o, const struct post *p)
{
	switch (o) {
	case PM_ORDER_HUGO:
		return p->dated || weighted(p);
	case PM_ORDER_NEWEST:
	case PM_ORDER_DATE:
		return p->dated;
	case PM_ORDER_UPDATE:
		return p->dated || p->meta.has_updated;
	case PM_ORDER_WEIGHT:
		return p->meta.has_weight;
	default:
		return 1;
	}
}

/* Is a listing in order o of pages v[idx[0..n)] told newest first? */
static int
chronological(enum pm_order o, struct post *const *v, const size_t *idx,
    size_t n)
{
	size_t i;

	if (o == PM_ORDER_NEWEST || o == PM_ORDER_DATE || o == PM_ORDER_UPDATE)
		return 1;
	if (o != PM_ORDER_HUGO)
		return 0;
	for (i = 0; i < n; i++)
		if (weighted(v[idx[i]]))
			return 0;
	return 1;
}

/* A listed page's order key, made once for a sort. */
struct keyed_idx {
	struct pm_key k;
	size_t i;
};

static int
keyed_idx_cmp(const void *a, const void *b, void *arg)
{
	return pm_order_cmp(*(const enum pm_order *)arg,
	    &(*(const struct keyed_idx *const *)a)->k,
	    &(*(const struct keyed_idx *const *)b)->k);
}

void
site_sort_listing(struct post *const *v, size_t *idx, size_t n, enum pm_order o)
{
	struct keyed_idx *kv, **pv;
	size_t j;

	if (n < 2)
		return;
	kv = xcalloc(n, sizeof(*kv));
	pv = xcalloc(n, sizeof(*pv));
	for (j = 0; j < n; j++) {
		site_post_key(v[idx[j]], &kv[j].k);
		kv[j].i = idx[j];
		pv[j] = &kv[j];
	}
	qsort_r(pv, n, sizeof(*pv), keyed_idx_cmp, &o);
	for (j = 0; j < n; j++)
		idx[j] = pv[j]->i;
	free(pv);
	free(kv);
}

/* A section whose _index.md says not to render it has no page. */
static int
sec_rendered(const struct section *sec)
{
	return sec->index == NULL || !sec->index->meta.no_render;
}

/*
 * Neighbours of each listed page: the pages beside it in its own
 * section's order, in its language (pages outside any section: among
 * the top-level pages of their language). In an order by a key some
 * pages lack (a date, a weight), only pages with the key are linked.
 */
/*
 * The neighbours within group k (k < nsecs: a section; then the top
 * level per language, s->intro's order), idx room for nlisted indices.
 * Pages of the group that lack the order's key get none.
 */
static enum pm_order
group_order(const struct site *s, const struct pageset *set, size_t k)
{
	return section_order(s, k < set->nsecs ? set->secs[k].index : s->intro);
}

/* Links group members idx[0..n), in order o. */
static void
link_group(struct pageset *set, const size_t *idx, size_t n, enum pm_order o)
{
	int chrono = chronological(o, set->listed, idx, n);
	size_t j;

	for (j = 0; j < n; j++) {
		set->older[idx[j]] =
		    j + 1 < n ? place_of(set, (long)idx[j + 1]) : -1;
		set->newer[idx[j]] =
		    j > 0 ? place_of(set, (long)idx[j - 1]) : -1;
		set->nav[idx[j]] = !chrono;
	}
}

static void
neighbours_group(const struct site *s, struct pageset *set, size_t k,
    size_t *idx)
{
	const char *lang = k < set->nsecs ? set->secs[k].lang :
	    k == set->nsecs		  ? NULL :
					    s->cfg.langs[k - set->nsecs - 1].code;
	enum pm_order o = group_order(s, set, k);
	size_t i, n;

	for (n = 0, i = 0; i < set->nlisted; i++) {
		const struct post *p = set->listed[i];

		if (!site_listed_locally(p))
			continue;
		if (!(k < set->nsecs ? set->sec_of[i] == (long)k :
				       set->sec_of[i] < 0 &&
				site_same_lang(p->pm.lang, lang)))
			continue;
		set->older[i] = set->newer[i] = -1;
		set->nav[i] = 0;
		if (has_order_key(o, p))
			idx[n++] = i;
	}
	site_sort_listing(set->listed, idx, n, o);
	link_group(set, idx, n, o);
}

/*
 * Links group members idx[0..n) in order o, as link_group, after page j
 * (-1: none) came or moved among them or page left went (NULL: none):
 * the others were linked, so only links that differ are written, and
 * whether the group reads by date follows from a member's nav and the
 * weights of j and left, not from a pass over every member (issue 16: a
 * new post at 100,000 pages read 20,000 posts cold and wrote their links,
 * pages a worker shared with its zygote until then).
 */
static void
relink(struct pageset *set, const size_t *idx, size_t n, long j,
    enum pm_order o, const struct post *left)
{
	size_t q, m;
	int chrono;

	for (m = 0; m < n && (long)idx[m] == j; m++)
		;
	if (m == n || o != PM_ORDER_HUGO || (left && weighted(left)))
		chrono = chronological(o, set->listed, idx, n);
	else
		chrono =
		    !set->nav[idx[m]] && !(j >= 0 && weighted(set->listed[j]));
	for (q = 0; q < n; q++) {
		long older = q + 1 < n ? place_of(set, (long)idx[q + 1]) : -1;
		long newer = q > 0 ? place_of(set, (long)idx[q - 1]) : -1;

		if (set->older[idx[q]] != older)
			set->older[idx[q]] = older;
		if (set->newer[idx[q]] != newer)
			set->newer[idx[q]] = newer;
		if (set->nav[idx[q]] != !chrono)
			set->nav[idx[q]] = !chrono;
	}
}

/*
 * Links group members idx[0..n) (room for one more, in order o) with
 * listed page j (-1: none) put among them by a binary search. An equal
 * key puts it after the members listed before it (ties 1: as the
 * stable sort of sort_listing, glibc's merging qsort_r, leaves them) or
 * returns 0 (ties 0: the caller sorts the group).
 */
static int
link_with(struct pageset *set, size_t *idx, size_t n, long j, enum pm_order o,
    int ties, const struct post *left)
{
	if (j >= 0 && has_order_key(o, set->listed[j])) {
		struct pm_key a, b;
		size_t lo, hi;

		site_post_key(set->listed[j], &b);
		for (lo = 0, hi = n; lo < hi;) {
			size_t mid = lo + (hi - lo) / 2;
			int c;

			site_post_key(set->listed[idx[mid]], &a);
			if ((c = pm_order_cmp(o, &a, &b)) == 0) {
				if (!ties)
					return 0;
				c = idx[mid] < (size_t)j ? -1 : 1;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		memmove(idx + lo + 1, idx + lo, (n - lo) * sizeof(*idx));
		idx[lo] = (size_t)j;
		n++;
	}
	relink(set, idx, n, j, o, left);
	return 1;
}

/*
 * Group k again after its page at j changed (was: as it was; the group
 * still linked in its order, with j or without, h one of the others or
 * j, -1: none): the others' order is read from their links and p put in
 * it by a binary search, not a sort. Returns 0 when that cannot tell (p
 * was not linked, or an equal key): the caller sorts the group.
 */
static int
neighbours_moved(const struct site *s, struct pageset *set, size_t k, long j,
    long h, const struct post *was, size_t *idx)
{
	enum pm_order o = group_order(s, set, k);
	const struct post *p = set->listed[j];
	size_t n = 0;

	if (!site_listed_locally(p) || !has_order_key(o, was))
		return 0;
	for (; h >= 0 && set->newer[h] >= 0; h = index_at(set, set->newer[h]))
		;
	for (; h >= 0; h = index_at(set, set->older[h]))
		if (h != j)
			idx[n++] = (size_t)h;
	set->older[j] = set->newer[j] = -1;
	set->nav[j] = 0;
	return link_with(set, idx, n, j, o, 0, was);
}

/*
 * Neighbours of each listed page: the pages beside it in its own
 * section's order, in its language (pages outside any section: among
 * the top-level pages of their language). In an order by a key some
 * pages lack (a date, a weight), only pages with the key are linked.
 */
static void
neighbours(const struct site *s, struct pageset *set)
{
	size_t *idx = xcalloc(set->nlisted + 1, sizeof(*idx));
	size_t i, k;

	set->older = xcalloc(set->nlisted + 1, sizeof(*set->older));
	set->newer = xcalloc(set->nlisted + 1, sizeof(*set->newer));
	set->nav = xcalloc(set->nlisted + 1, 1);
	for (i = 0; i < set->nlisted; i++)
		set->older[i] = set->newer[i] = -1;
	for (k = 0; k <= set->nsecs + s->cfg.nlangs; k++)
		neighbours_group(s, set, k, idx);
	free(idx);
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

/* What the lists know of every listed page (bodies not rendered). */
static void
listed_post(const struct post *p, int tags, struct page_post *pp)
{
	site_page_post(p, pp);
	pp->body_gmi = NULL;
	/* No tag pages: no tag links. */
	if (!tags)
		pp->ntags = 0;
}

/* What the lists know of every listed page. */
static struct page_post *
listed_posts(const struct site *s, const struct pageset *set)
{
	struct page_post *pp = xcalloc(set->nlisted + 1, sizeof(*pp));
	int tags = has_tax(s, "tags");
	size_t i;

	for (i = 0; i < set->nlisted; i++)
		listed_post(set->listed[i], tags, &pp[i]);
	return pp;
}

static void
site_page_site(const struct site *s, struct page_site *ps)
{
	memset(ps, 0, sizeof(*ps));
	ps->title = s->title;
	ps->subtitle = s->cfg.description ? s->cfg.description :
	    s->intro			  ? s->intro->meta.description :
					    NULL;
	ps->base_url = s->base_url;
	ps->index_limit = SITE_INDEX_POSTS;
	ps->search = s->search != NULL;
	ps->term_slug = term_slug(s);
}

static int
text_empty(const char *t)
{
	return t == NULL || t[strspn(t, " \t\n")] == '\0';
}

/*
 * The entries of a feed: the dated ones (with tag, when given), at most
 * SITE_FEED_POSTS; those without a description get their body as the
 * class sees it (site_body_as).
 */
static size_t
feed_entries(struct site *s, const struct pageset *set, const struct viewer *v,
    const struct page_post *pp, size_t n, const char *tag,
    struct page_post *out)
{
	size_t i, k = 0;

	for (i = 0; i < n && k < SITE_FEED_POSTS; i++) {
		struct post *p;

		if (!pp[i].ymd || !pp[i].ymd[0] ||
		    (tag && !pages_has_tag(&pp[i], tag)))
			continue;
		out[k] = pp[i];
		if (text_empty(out[k].description) &&
		    (p = strmap_get(&s->by_url, pp[i].url,
			 strlen(pp[i].url))) != NULL)
			out[k].body_gmi = site_body_as(s, set->key, v, p);
		k++;
	}
	return k;
}

static struct page *
feed_page(const struct buf *b)
{
	return page_new(GEMINI_SUCCESS, "application/atom+xml", b->data,
	    b->len);
}

/*
 * Section k's pages in its order o, read from its neighbour links (the
 * same order, kept as pages come, go and move), into idx: their number,
 * or 0 when the links do not hold them all (a page without the order's
 * key or not listed locally, a transparent section below it) or none.
 */
static size_t
section_chain(const struct pageset *set, long k, enum pm_order o, size_t *idx)
{
	size_t i, n = 0;
	long h = -1;

	for (i = 0; i < set->nsecs; i++)
		if (set->secs[i].parent == k && is_transparent(set, (long)i))
			return 0;
	for (i = 0; i < set->nlisted && h < 0; i++)
		if (set->sec_of[i] == k &&
		    site_listed_locally(set->listed[i]) &&
		    has_order_key(o, set->listed[i]))
			h = (long)i;
	for (; h >= 0 && set->newer[h] >= 0; h = index_at(set, set->newer[h]))
		;
	for (; h >= 0 && n < set->secs[k].npages;
	     h = index_at(set, set->older[h]))
		idx[n++] = (size_t)h;
	return h < 0 && n == set->secs[k].npages ? n : 0;
}

/* Section k's page or feed. */
static struct page *
gen_section(struct site *s, const struct pageset *set, const struct viewer *v,
    long k, int feed)
{
	const struct section *sec = &set->secs[k];
	struct page_post *sub = xcalloc(set->nlisted + 1, sizeof(*sub));
	int tags = has_tax(s, "tags");
	struct page_link *links = NULL;
	struct page_site ps;
	struct page *pg;
	struct buf b = BUF_INIT;
	char *path = xasprintf("%satom.xml", sec->url);
	const char *intro = NULL;
	size_t j, n = 0, nl = 0;

	site_page_site(s, &ps);
	/*
	 * The feed: newest first, as the pages come, until it has its
	 * SITE_FEED_POSTS dated ones (feed_entries').
	 */
	for (j = 0, nl = 0; feed && j < set->nlisted && nl < SITE_FEED_POSTS;
	     j++)
		if (site_listed_locally(set->listed[j]) &&
		    in_section(set, j, k)) {
			nl += set->listed[j]->ymd[0] != '\0';
			listed_post(set->listed[j], tags, &sub[n++]);
		}
	nl = 0;
	if (!feed) {
		/* The page: in the section's order. */
		size_t *idx = xcalloc(set->nlisted + 1, sizeof(*idx));
		enum pm_order o = section_order(s, sec->index);

		if ((n = section_chain(set, k, o, idx)) == 0) {
			for (n = 0, j = 0; j < set->nlisted; j++)
				if (site_listed_locally(set->listed[j]) &&
				    in_section(set, j, k))
					idx[n++] = j;
			site_sort_listing(set->listed, idx, n, o);
		}
		for (j = 0; j < n; j++)
			listed_post(set->listed[idx[j]], tags, &sub[j]);
		ps.in_order = !chronological(o, set->listed, idx, n);
		free(idx);
	}
	if (feed) {
		struct page_post *fe =
		    xcalloc(SITE_FEED_POSTS + 1, sizeof(*fe));

		n = feed_entries(s, set, v, sub, n, NULL, fe);
		feed_atom(&ps, fe, n, path, NULL, &b);
		free(fe);
		pg = feed_page(&b);
	} else {
		links = xcalloc(set->nsecs + 1, sizeof(*links));
		for (j = 0; j < set->nsecs; j++)
			if (set->secs[j].parent == k &&
			    sec_rendered(&set->secs[j])) {
				links[nl].url = set->secs[j].url;
				links[nl++].title = set->secs[j].title;
			}
		if (sec->index)
			intro = site_body_as(s, set->key, v, sec->index);
		pages_section(&ps, sec->title, intro && *intro ? intro : NULL,
		    sub, n, links, nl, path, &b);
		pg = gemtext_page(sec->index && sec->index->meta.lang ?
			sec->index->meta.lang :
			s->lang,
		    &b);
	}
	free(links);
	free(path);
	free(sub);
	buf_free(&b);
	return pg;
}

/* A home page (or feed): the default language's at /, others' at /LANG/. */
static struct page *
gen_home(struct site *s, const struct pageset *set, const struct viewer *v,
    long li, int feed)
{
	const char *lang = li >= 0 ? s->cfg.langs[li].code : NULL;
	/*
	 * At most what it shows (below), not one a listed page: zeroing
	 * 100,000 of them took 20-40 ms of a class's first home page.
	 */
	size_t cap = feed ? SITE_FEED_POSTS : SITE_INDEX_POSTS + set->nfeatured;
	struct page_post *mp = xcalloc(cap + 1, sizeof(*mp));
	struct page_link *links = xcalloc(set->nsecs + s->cfg.nlangs + 1,
			     sizeof(*links)),
			 *taxes = NULL;
	struct page_site ps;
	struct post *intro = NULL;
	struct page *pg;
	struct buf b = BUF_INIT;
	size_t i, n = 0, nl = 0;
	char *prefix = NULL;
	int tags = has_tax(s, "tags");

	site_page_site(s, &ps);
	/* The default language's is known (no walk of every post for it). */
	intro = lang ? NULL : s->intro;
	for (i = 0; lang && i < s->nposts; i++)
		if (s->posts[i]->pm.kind == PM_HOME && s->posts[i]->pm.lang &&
		    strcmp(s->posts[i]->pm.lang, lang) == 0) {
			intro = s->posts[i];
			break;
		}
	for (i = 0; i < set->nlisted; i++) {
		const struct post *p = set->listed[i];

		if (!site_same_lang(lang, p->pm.lang) ||
		    !site_listed_globally(p) ||
		    !(lang || is_main(s, p, set->best)))
			continue;
		/*
		 * Only the pages it shows made into a page_post, not every
		 * listed one (issue 16: at 100,000 pages the feed cost 30 ms
		 * after each edit of a body); a feed: its newest dated
		 * pages (feed_entries).
		 */
		if (feed && !p->ymd[0])
			continue;
		/*
		 * The index shows its first SITE_INDEX_POSTS and the featured
		 * ones: past those, only a featured page counts, and none is
		 * when none is listed (issue 16: 6 ms at 100,000 pages).
		 */
		if (!feed && n >= SITE_INDEX_POSTS && !p->meta.featured) {
			if (set->nfeatured == 0)
				break;
			continue;
		}
		listed_post(p, tags, &mp[n++]);
		if (n == cap)
			break;
	}
	if (feed) {
		struct page_post *fe =
		    xcalloc(SITE_FEED_POSTS + 1, sizeof(*fe));

		n = feed_entries(s, set, v, mp, n, NULL, fe);
		feed_atom(&ps, fe, n, "/atom.xml", NULL, &b);
		free(fe);
		pg = feed_page(&b);
		goto done;
	}
	for (i = 0; i < set->nsecs; i++)
		if (set->secs[i].parent < 0 &&
		    site_same_lang(set->secs[i].lang, lang) &&
		    sec_rendered(&set->secs[i])) {
			links[nl].url = set->secs[i].url;
			links[nl++].title = set->secs[i].title;
		}
	if (lang == NULL)
		for (i = 0; i < s->cfg.nlangs; i++) {
			links[nl].url = xasprintf("/%s/", s->cfg.langs[i].code);
			links[nl++].title = s->cfg.langs[i].title ?
			    s->cfg.langs[i].title :
			    s->cfg.langs[i].code;
		}
	if (intro && site_post_status(s, v, intro) == 0) {
		const char *t = site_body_as(s, set->key, v, intro);

		ps.intro_gmi = *t ? t : NULL;
	}
	if (lang) {
		const struct sitecfg_lang *l =
		    sitecfg_lang(&s->cfg, lang, strlen(lang));

		if (l && l->title)
			ps.title = l->title;
	}
	ps.sections = links;
	ps.nsections = nl;
	ps.taxonomies = taxes = tax_links(s, lang);
	ps.ntaxonomies = s->cfg.ntax;
	ps.archive_count = set->narchive;
	prefix = lang_prefix_of(s, lang);
	ps.tax_prefix = prefix;
	pages_index(&ps, mp, n, &b);
	pg = gemtext_page(lang ? lang : s->lang, &b);
	if (lang == NULL)
		for (i = nl - s->cfg.nlangs; i < nl; i++)
			free((char *)links[i].url);
done:
	links_free(taxes, s->cfg.ntax);
	free(prefix);
	free(links);
	free(mp);
	buf_free(&b);
	return pg;
}

/*
 * A taxonomy's list, one term's page, or its feed; g->arg is the
 * taxonomy plus ntax times the language (0: the default, i + 1: langs[i]).
 */
static struct page *
gen_taxonomy(struct site *s, const struct pageset *set, const struct viewer *v,
    const struct gen *g)
{
	size_t ntax = s->cfg.ntax, li = (size_t)g->arg / ntax;
	const char *tax = s->cfg.taxonomies[(size_t)g->arg % ntax];
	const char *lang = li ? s->cfg.langs[li - 1].code : NULL;
	const struct term_list *tl =
	    g->kind != G_TAXLIST && !set->term_variants && g->tl ?
	    &set->tlists[g->tl - 1] :
	    NULL;
	struct page_post *pp = NULL;
	struct page_post *tp =
	    xcalloc((tl ? tl->n : set->nlisted) + 1, sizeof(*tp));
	const char ***owned = NULL;
	struct page_site ps;
	struct page *pg;
	struct buf b = BUF_INIT;
	char **slugs = NULL, *prefix = lang_prefix_of(s, lang);
	size_t nt = 0, nslugs = 0, i, j, k;

	site_page_site(s, &ps);
	ps.taxonomy = tax;
	ps.tax_prefix = prefix;
	if (tl) {
		/*
		 * One term's page or feed, no term spelt two ways: its pages
		 * are its list's, each term its own canonical form; not every
		 * page made a page_post and every term slugged (issue 16: 90
		 * ms at 100,000 pages), nor every page looked at (11 ms).
		 */
		int tags = has_tax(s, "tags");

		for (i = 0; i < tl->n; i++) {
			char **terms = terms_of(tl->v[i], tax, &k);

			listed_post(tl->v[i], tags, &tp[nt]);
			tp[nt].tags = (const char *const *)terms;
			tp[nt++].ntags = k;
		}
	} else if (g->kind != G_TAXLIST && !set->term_variants) {
		/* The same, for a term with no list. */
		int tags = has_tax(s, "tags");

		for (i = 0; i < set->nlisted; i++) {
			const struct post *p = set->listed[i];
			char **terms;

			if (!site_listed_locally(p) ||
			    !site_same_lang(p->pm.lang, lang))
				continue;
			terms = terms_of(p, tax, &k);
			for (j = 0; j < k && strcmp(terms[j], g->term); j++)
				;
			if (j == k)
				continue;
			listed_post(p, tags, &tp[nt]);
			tp[nt].tags = (const char *const *)terms;
			tp[nt++].ntags = k;
		}
	} else {
		pp = listed_posts(s, set);
		nt = canon_terms(s, set, tax, lang, pp, tp, &owned, &slugs,
		    &nslugs);
	}
	if (g->kind == G_TAXLIST) {
		pages_tags(&ps, tp, nt, &b);
		pg = gemtext_page(lang ? lang : s->lang, &b);
	} else if (g->kind == G_TERM) {
		pages_tag(&ps, g->term, tp, nt, &b);
		pg = gemtext_page(lang ? lang : s->lang, &b);
	} else {
		struct page_post *fe =
		    xcalloc(SITE_FEED_POSTS + 1, sizeof(*fe));
		char *path, *self;
		size_t n;

		path = site_term_path(s, prefix, tax, g->term, "atom.xml");
		self = url_encode_path(path);
		n = feed_entries(s, set, v, tp, nt, g->term, fe);
		feed_atom(&ps, fe, n, self, g->term, &b);
		free(self);
		free(path);
		free(fe);
		pg = feed_page(&b);
	}
	canon_free(owned, owned ? nt : 0, slugs, nslugs);
	free(prefix);
	free(tp);
	free(pp);
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
post_page(struct site *s, struct pageset *set, const struct viewer *v, size_t i)
{
	struct slot *sl = set->slots[i];
	struct post *p = set->listed[i];
	struct page_post pp, older, newer;
	struct page_site ps;
	struct buf b = BUF_INIT;
	struct page_link *terms;
	const char *body;
	char *prefix;
	int tags = has_tax(s, "tags");

	if (sl && sl->page) {
		slot_touch(s, sl);
		return sl->page;
	}
	if (sl == NULL) {
		sl = set->slots[i] = xcalloc(1, sizeof(*sl));
		sl->node.evict = slot_evict;
	}
	body = site_body_as(s, set->key, v, p);
	if (s->nneed > 0) /* to be rendered off the loop first */
		return NULL;
	site_page_site(s, &ps);
	site_page_post(p, &pp);
	if (set->older[i] >= 0)
		site_page_post(set->listed[index_at(set, set->older[i])],
		    &older);
	if (set->newer[i] >= 0)
		site_page_post(set->listed[index_at(set, set->newer[i])],
		    &newer);
	if (!tags)
		pp.ntags = older.ntags = newer.ntags = 0;
	pp.body_gmi = body;
	pp.nterms = term_links(s, p, &terms);
	pp.terms = terms;
	ps.nav_order = set->nav[i];
	prefix = p->pm.lang ? lang_prefix_of(s, p->pm.lang) : NULL;
	ps.tax_prefix = prefix;
	/* Its neighbours in its section's order, in its language. */
	pages_post(&ps, &pp, body, set->older[i] >= 0 ? &older : NULL,
	    set->newer[i] >= 0 ? &newer : NULL, &b);
	links_free(terms, pp.nterms);
	free(prefix);
	sl->page = gemtext_page(p->meta.lang ? p->meta.lang :
		p->pm.lang		     ? p->pm.lang :
					       s->lang,
	    &b);
	lru_add(&s->cache, &sl->node,
	    sizeof(*sl) + sl->page->len + sizeof(*sl->page));
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
		return post_page(s, set, v, (size_t)index_at(set, g->arg));
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
		struct page_link *taxes = tax_links(s, NULL);
		size_t i, na = 0;

		site_page_site(s, &ps);
		ps.taxonomies = taxes;
		ps.ntaxonomies = s->cfg.ntax;
		/* Every page listed beyond its own section. */
		for (i = 0; i < set->nlisted; i++)
			if (site_listed_globally(set->listed[i]))
				pp[na++] = pp[i];
		pages_archive(&ps, pp, na, &b);
		pg = gemtext_page(s->lang, &b);
		links_free(taxes, s->cfg.ntax);
		buf_free(&b);
		free(pp);
		break;
	}
	default:
		pg = gen_taxonomy(s, set, v, g);
		break;
	}
	if (s->nneed > 0) { /* made with bodies missing: not kept */
		page_unref(pg);
		return NULL;
	}
	if (pg)
		note_live(set, (size_t)(g - set->gens));
	return g->built = pg;
}

/* 1 when set has a page at path (generated or not yet). */
int
site_route_has(const struct pageset *set, const char *path, size_t n)
{
	return strmap_get(&set->genmap, path, n) != NULL;
}

/* A new, empty term list of set; its index. */
static size_t
term_new(struct pageset *set)
{
	set->tlists = xgrow(set->tlists, &set->ctlists, set->ntlists + 1,
	    sizeof(*set->tlists));
	memset(&set->tlists[set->ntlists], 0, sizeof(set->tlists[0]));
	return set->ntlists++;
}

/* Listed page p, after every page of term list k, joins it (once). */
static void
term_join(struct pageset *set, size_t k, struct post *p)
{
	struct term_list *t = &set->tlists[k];

	if (t->n > 0 && t->v[t->n - 1] == p)
		return; /* the term twice in its front matter */
	t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
	t->v[t->n++] = p;
}

/* The terms of one taxonomy in one language, each with its page and feed. */
static void
list_terms(struct site *s, struct pageset *set, size_t t, size_t li)
{
	const char *tax = s->cfg.taxonomies[t];
	const char *lang = li ? s->cfg.langs[li - 1].code : NULL;
	char *(*f)(const char *, size_t) = term_slug(s);
	long arg = (long)(t + s->cfg.ntax * li);
	struct strmap seen = { 0 }, canon = { 0 };
	char **slugs = NULL, *path, *prefix = lang_prefix_of(s, lang);
	size_t i, j, k, n, nslugs = 0, cslugs = 0;
	uintptr_t tl;
	struct gen *g;

	path = xasprintf("%s/%s/", prefix, tax);
	add_gen(set, path, G_TAXLIST, arg, NULL);
	free(path);
	/*
	 * Each term under its canonical spelling (canon_terms' rule: the
	 * first one met of those with its slug), in the order first met;
	 * a spelling is slugged once, not once per page (issue 16).
	 */
	for (i = 0; i < set->nlisted; i++) {
		char **terms;

		if (!site_listed_locally(set->listed[i]) ||
		    !site_same_lang(set->listed[i]->pm.lang, lang))
			continue;
		terms = terms_of(set->listed[i], tax, &k);
		for (j = 0; j < k; j++) {
			const char *term = terms[j];
			char *slug;

			n = strlen(term);
			/* This spelling seen: the page joins its list. */
			if ((tl = (uintptr_t)strmap_get(&seen, term, n)) != 0) {
				if (tl != UINTPTR_MAX)
					term_join(set, tl - 1, set->listed[i]);
				continue;
			}
			strmap_put(&seen, term, n, (void *)UINTPTR_MAX);
			slug = f ? f(term, n) : xstrdup(term);
			if (strmap_get(&canon, slug, strlen(slug)) != NULL) {
				free(slug); /* another spelling's term */
				set->term_variants = 1;
				continue;
			}
			slugs =
			    xgrow(slugs, &cslugs, nslugs + 1, sizeof(*slugs));
			slugs[nslugs++] = slug;
			strmap_put(&canon, slug, strlen(slug), (void *)term);
			if (n == 0)
				continue;
			if (strcmp(tax, "tags") == 0 && lang == NULL)
				set->ntags++;
			term = own_key(set, xstrdup(term));
			tl = term_new(set);
			strmap_del(&seen, term, n);
			strmap_put(&seen, term, n, (void *)(tl + 1));
			term_join(set, tl, set->listed[i]);
			path = site_term_path(s, prefix, tax, term, "");
			if ((g = add_gen(set, path, G_TERM, arg, term)) != NULL)
				g->tl = tl + 1;
			free(path);
			path = site_term_path(s, prefix, tax, term, "atom.xml");
			if ((g = add_gen(set, path, G_TERMFEED, arg, term)) !=
			    NULL)
				g->tl = tl + 1;
			free(path);
		}
	}
	strv_free(slugs, nslugs);
	strmap_free(&seen);
	strmap_free(&canon);
	free(prefix);
}

/*
 * The post pages' gens, first (a page claims its URL before anything
 * else), and the maps by 0.1 slug and bundle: on a thread of their own
 * while the sections are found, when the pages are many (at 100,000,
 * both took a fifth of a second). It copies no key (a page's URL is
 * its post's), so the pageset's keys, which add_section adds to
 * meanwhile, are the main thread's alone.
 */
struct post_gens {
	struct pageset *set;
};

#define POST_GENS_THREAD_MIN 1000 /* listed pages: fewer, on this thread */

static void *
post_gens(void *arg)
{
	struct post_gens *pg = arg;
	struct pageset *set = pg->set;
	size_t i;

	strmap_reserve(&set->genmap, set->nlisted);
	for (i = 0; i < set->nlisted; i++) {
		struct post *p = set->listed[i];
		const char *k = p->pm.url;
		size_t had = set->ngens;

		add_gen(set, k, G_POST, place_of(set, (long)i), NULL);
		set->gen_of[i] = set->ngens > had ? (uint32_t)had : UINT32_MAX;
		if (p->pm.bundle)
			strmap_put(&set->bundles, k, strlen(k), p);
	}
	return NULL;
}

/*
 * Lists the pages of v's visibility class from the (sorted) posts: what
 * each path is made of, no page made yet.
 */
void
site_pageset_build(struct site *s, struct pageset *set, const struct viewer *v)
{
	struct post_gens pg = { 0 };
	pthread_t t;
	int threaded = 1;
	size_t i;
	char *path;

	set->built = 1;
	set->listed = xcalloc(s->nposts + 1, sizeof(*set->listed));
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];

		if (p->pm.kind != PM_PAGE || site_post_status(s, v, p) != 0)
			continue;
		/* A page not to render has no URL; its files still are. */
		if (!site_not_rendered(p))
			set->listed[set->nlisted++] = p;
		else if (p->pm.bundle)
			strmap_put(&set->bundles, p->pm.url, strlen(p->pm.url),
			    p);
	}
	set->slots = xcalloc(set->nlisted + 1, sizeof(*set->slots));
	set->sec_of = xcalloc(set->nlisted + 1, sizeof(*set->sec_of));
	set->gen_of = xcalloc(set->nlisted + 1, sizeof(*set->gen_of));
	pg.set = set;
	if (set->nlisted < POST_GENS_THREAD_MIN ||
	    pthread_create(&t, NULL, post_gens, &pg) != 0) {
		post_gens(&pg);
		threaded = 0;
	}
	/*
	 * Sections: every _index.md, and every top folder holding pages.
	 * Until the join below, nothing here touches gens, gen_of, genmap
	 * or bundles.
	 */
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];

		if (p->pm.kind == PM_SECTION && site_post_status(s, v, p) == 0)
			add_section(s, set, p->pm.dir, p->pm.lang, p);
	}
	for (i = 0; i < set->nlisted; i++) {
		const struct post *p = set->listed[i];

		if (p->pm.section[0] &&
		    section_of(set, p->pm.dir, p->pm.lang) < 0)
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
	for (i = 0; i < set->nlisted; i++) {
		const struct post *p = set->listed[i];

		set->sec_of[i] = section_of(set, p->pm.dir, p->pm.lang);
		if (set->sec_of[i] >= 0)
			set->secs[set->sec_of[i]].npages++;
		set->narchive += site_listed_globally(p);
		set->nfeatured += p->meta.featured != 0;
		busy_count(set, p, 1);
	}
	neighbours(s, set);
	set->lcap = set->nlisted + 1; /* the least each list has */
	set->best = busiest_section(s, set);
	if (threaded)
		pthread_join(t, NULL);
	for (i = 0; i < set->nsecs; i++) {
		if (!sec_rendered(&set->secs[i]))
			continue;
		add_gen(set, set->secs[i].url, G_SECTION, (long)i, NULL);
		path = xasprintf("%satom.xml", set->secs[i].url);
		add_gen(set, path, G_SECFEED, (long)i, NULL);
		free(path);
	}
	add_gen(set, "/", G_HOME, -1, NULL);
	add_gen(set, "/atom.xml", G_HOMEFEED, -1, NULL);
	for (i = 0; i < s->cfg.nlangs; i++) {
		path = xasprintf("/%s/", s->cfg.langs[i].code);
		add_gen(set, path, G_HOME, (long)i, NULL);
		free(path);
	}
	add_gen(set, "/archive/", G_ARCHIVE, 0, NULL);
	for (i = 0; i < s->cfg.ntax; i++)
		for (size_t li = 0; li <= s->cfg.nlangs; li++)
			list_terms(s, set, i, li);
}

static char *
class_key(const struct site *s, const struct viewer *v)
{
	struct buf key = BUF_INIT;

	access_class_key(v, s->covered, s->any_drafts, &key);
	return buf_detach(&key, NULL);
}

/* A copy of key[0..n], NUL-terminated, owned by set. */
static const char *
own_copy(struct pageset *set, const char *key, size_t n)
{
	char *c = xmalloc(n + 1);

	memcpy(c, key, n);
	c[n] = '\0';
	return own_key(set, c);
}

/*
 * dst (zeroed) made a copy of src's lists: the same pages, sections,
 * terms and paths, with keys of its own; nothing made (no page, no
 * slot). Its arrays are copied whole, not read page by page: at
 * 100,000 pages a class listed from the posts took 0.4-0.6 s, most of
 * it cache and TLB misses on 100,000 posts read six times over.
 */
static void
pageset_copy(struct site *s, struct pageset *dst, const struct pageset *src)
{
	struct strmap terms = { 0 };
	const char *t;
	size_t i;

	dst->built = 1;
	dst->nlisted = src->nlisted;
	dst->lhead = src->lhead;
	dst->lcap = src->lcap;
	/*
	 * On a render thread, while the loop fills src's slots and gens'
	 * pages: neither is read here (none copied).
	 */
#define COPY(a) \
	if ((void *)&dst->a == (void *)&dst->slots) \
		(dst->a) = xcalloc(src->lcap, sizeof(*(src->a))); \
	else { \
		(dst->a) = xmalloc(src->lcap * sizeof(*(src->a))); \
		util_fresh_pages((dst->a) + src->lhead, \
		    src->nlisted * sizeof(*(src->a))); \
		memcpy((dst->a) + src->lhead, (src->a), \
		    src->nlisted * sizeof(*(src->a))); \
	} \
	(dst->a) += src->lhead;
	LISTS(COPY)
#undef COPY
	dst->csecs = dst->nsecs = src->nsecs;
	dst->secs = xcalloc(src->nsecs + 1, sizeof(*dst->secs));
	for (i = 0; i < src->nsecs; i++) {
		dst->secs[i] = src->secs[i];
		dst->secs[i].url = xstrdup(src->secs[i].url);
		dst->secs[i].dir = xstrdup(src->secs[i].dir);
		dst->secs[i].title = xstrdup(src->secs[i].title);
	}
	strmap_copy(&dst->secdirs, &src->secdirs);
	for (i = 0; i < dst->secdirs.cap; i++)
		if (dst->secdirs.v[i].key)
			dst->secdirs.v[i].key = own_copy(dst,
			    dst->secdirs.v[i].key, dst->secdirs.v[i].len);
	/* The gens, each term copied once (a term's page and feed share it). */
	dst->cgens = src->ngens + 2 + lists_margin(src);
	dst->gens = xmalloc(dst->cgens * sizeof(*dst->gens));
	util_fresh_pages(dst->gens, src->ngens * sizeof(*dst->gens));
	dst->ngens = src->ngens;
	for (i = 0; i < src->ngens; i++) {
		dst->gens[i].kind = src->gens[i].kind;
		dst->gens[i].arg = src->gens[i].arg;
		dst->gens[i].term = src->gens[i].term;
		dst->gens[i].tl = src->gens[i].tl;
		dst->gens[i].built = NULL;
		if ((t = src->gens[i].term) == NULL)
			continue;
		if ((dst->gens[i].term = strmap_get(&terms,
			 (const char *)&src->gens[i].term, sizeof(t))) ==
		    NULL) {
			dst->gens[i].term = own_copy(dst, t, strlen(t));
			strmap_put(&terms, (const char *)&src->gens[i].term,
			    sizeof(t), (void *)(uintptr_t)dst->gens[i].term);
		}
	}
	strmap_free(&terms);
	/* A post page's path is its post's URL; every other is owned. */
	strmap_copy(&dst->genmap, &src->genmap);
	for (i = 0; i < dst->genmap.cap; i++) {
		struct strmap_entry *e = &dst->genmap.v[i];

		if (e->key && dst->gens[(uintptr_t)e->val - 1].kind != G_POST)
			e->key = own_copy(dst, e->key, e->len);
	}
	strmap_copy(&dst->bundles, &src->bundles);
	dst->ntags = src->ntags;
	dst->term_variants = src->term_variants;
	dst->nbusy = dst->cbusy = src->nbusy;
	dst->bcount = xcalloc(src->nbusy + 1, sizeof(*dst->bcount));
	dst->bname = xcalloc(src->nbusy + 1, sizeof(*dst->bname));
	for (i = 0; i < src->nbusy; i++) {
		dst->bcount[i] = src->bcount[i];
		dst->bname[i] =
		    own_copy(dst, src->bname[i], strlen(src->bname[i]));
	}
	strmap_copy(&dst->busy, &src->busy);
	for (i = 0; i < dst->busy.cap; i++)
		if (dst->busy.v[i].key)
			dst->busy.v[i].key =
			    dst->bname[(uintptr_t)dst->busy.v[i].val - 1];
	dst->nfeatured = src->nfeatured;
	dst->ntlists = dst->ctlists = src->ntlists;
	dst->tlists = xcalloc(src->ntlists + 1, sizeof(*dst->tlists));
	for (i = 0; i < src->ntlists; i++) {
		struct term_list *tl = &dst->tlists[i];

		tl->n = tl->cap = src->tlists[i].n;
		tl->v = xmalloc((tl->n + 1) * sizeof(*tl->v));
		memcpy(tl->v, src->tlists[i].v, tl->n * sizeof(*tl->v));
	}
	dst->narchive = src->narchive;
	dst->best = busiest_section(s, dst);
}

static int pageset_insert(struct site *s, struct pageset *set,
    const struct viewer *v, struct post *p);

/*
 * Posts a class may differ from the base by, at most, for it to be
 * listed from the base's copy: each is a binary search and a shift of
 * the shorter side of the lists.
 */
#define CLASS_DELTA_MAX 256

/*
 * Whether v's class can be the base's copy with some pages taken in: a
 * class sees what the base does and more (no rule refuses a reader with
 * a certificate what it shows one without), the difference among the
 * gated posts. *in (to free) the pages to take in. 0 when it cannot:
 * too many pages apart, or a section's, or a page v may not see that
 * the base does. Reads the site only.
 */
static int
class_delta(const struct site *s, const struct viewer *v, struct post ***in,
    size_t *nin)
{
	struct viewer anon;
	size_t cin = 0, i;

	*in = NULL;
	*nin = 0;
	/*
	 * Each gated post is two status checks: past half the posts, as
	 * dear as listing them (another rule's area may hold thousands).
	 */
	if (!s->base.built || s->class_afresh || s->gated.n > s->nposts / 2)
		return 0;
	access_viewer(s->access, NULL, 0, &anon);
	for (i = 0; i < s->gated.cap; i++) {
		struct post *p = s->gated.v[i].val;
		int base, sees;

		if (s->gated.v[i].key == NULL)
			continue;
		base = site_post_status(s, &anon, p) == 0;
		sees = site_post_status(s, v, p) == 0;
		if (base == sees || p->pm.kind == PM_HOME)
			continue; /* the home's intro is read as v sees it */
		if (base || p->pm.kind != PM_PAGE || *nin == CLASS_DELTA_MAX)
			return 0;
		*in = xgrow(*in, &cin, *nin + 1, sizeof(**in));
		(*in)[(*nin)++] = p;
	}
	return 1;
}

/* set's lists freed, its class (key, reader) kept. */
static void
class_clear(struct site *s, struct pageset *set)
{
	char *key = set->key, *fp = set->fp;
	int expired = set->expired;

	set->key = set->fp = NULL;
	site_pageset_free(s, set);
	set->key = key;
	set->fp = fp;
	set->expired = expired;
}

/*
 * The base's copy in set takes in the pages v sees and the base does
 * not. Returns 0 (set cleared) when pageset_insert finds one structural.
 */
static int
class_take_in(struct site *s, struct pageset *set, const struct viewer *v,
    struct post **in, size_t nin)
{
	size_t i;

	for (i = 0; i < nin; i++)
		if (!pageset_insert(s, set, v, in[i])) {
			class_clear(s, set);
			return 0;
		}
	return 1;
}

/* v's class listed in set, on this thread: from the base's copy if it can. */
static void
class_list(struct site *s, struct pageset *set, const struct viewer *v)
{
	struct post **in;
	size_t nin;

	if (class_delta(s, v, &in, &nin)) {
		pageset_copy(s, set, &s->base);
		if (!class_take_in(s, set, v, in, nin))
			site_pageset_build(s, set, v);
	} else
		site_pageset_build(s, set, v);
	free(in);
}

/* On a render thread: reads the site, writes the job's set only. */
static void
class_job_run(struct rq_job *j)
{
	struct class_job *cj = (struct class_job *)j;

	if (cj->set == NULL)
		return;
	if ((cj->copied = class_delta(cj->s, &cj->v, &cj->in, &cj->nin)))
		pageset_copy(cj->s, cj->set, &cj->s->base);
	else
		site_pageset_build(cj->s, cj->set, &cj->v);
}

/* On the loop: the pages taken in, the waiting requests asked again. */
static void
class_job_done(struct rq_job *j)
{
	struct class_job *cj = (struct class_job *)j;
	struct site *s = cj->s;
	struct pageset *set = cj->set;

	if (set) {
		set->job = NULL;
		if (!j->cancelled && cj->copied &&
		    !class_take_in(s, set, &cj->v, cj->in, cj->nin))
			site_pageset_build(s, set, &cj->v);
	}
	if (!j->cancelled && s->rendered)
		s->rendered(s->rendered_arg, cj);
	free(cj->in);
	free(cj->fingerprint);
	free(cj);
}

/* v's class listed in set: off the loop when there are render threads. */
static void
class_start(struct site *s, struct pageset *set, const struct viewer *v)
{
	struct class_job *cj;

	if (s->rq == NULL) {
		class_list(s, set, v);
		return;
	}
	cj = xcalloc(1, sizeof(*cj));
	cj->j.run = class_job_run;
	cj->j.done = class_job_done;
	cj->s = s;
	cj->set = set;
	cj->v = *v;
	if (v->fingerprint)
		cj->v.fingerprint = cj->fingerprint = xstrdup(v->fingerprint);
	set->job = cj;
	log_debug("%s: a class listed off the loop", s->root);
	renderq_push(s->rq, &cj->j);
}

/*
 * The pages as v sees them. Readers without a certificate, and any whose
 * certificate opens no area holding a post, share the base pages; every
 * other class (at most one per listed fingerprint) gets its own, listed
 * at its first request (off the loop when it can: NULL then, *wait the
 * key its request waits on) and kept while it can follow the changes.
 */
struct pageset *
site_pageset_for(struct site *s, const struct viewer *v, const void **wait)
{
	struct pageset *set;
	char *key;

	if (v->fingerprint == NULL) /* the base reader exactly */
		return &s->base;
	key = class_key(s, v);
	if (strcmp(key, s->base.key) == 0) {
		free(key);
		return &s->base;
	}
	if ((set = strmap_get(&s->classmap, key, strlen(key))) != NULL)
		free(key);
	else {
		set = xcalloc(1, sizeof(*set));
		set->key = key;
		set->fp = xstrdup(v->fingerprint);
		set->expired = v->expired;
		s->classes = xrealloc(s->classes,
		    (s->nclasses + 1) * sizeof(*s->classes));
		s->classes[s->nclasses++] = set;
		strmap_put(&s->classmap, set->key, strlen(set->key), set);
	}
	/* Not built, no job: its job was cancelled, or it is new. */
	if (set->job == NULL && !set->built)
		class_start(s, set, v);
	if (set->job) {
		*wait = set->job;
		return NULL;
	}
	return set;
}

static void
pageset_body_changed(struct site *s, struct pageset *set, const struct post *p)
{
	uintptr_t k =
	    (uintptr_t)strmap_get(&set->genmap, p->pm.url, strlen(p->pm.url));
	struct slot *sl;
	size_t i, n = 0;

	if (!set->built)
		return;
	if (k && set->gens[k - 1].kind == G_POST &&
	    set->listed[index_at(set, set->gens[k - 1].arg)] == p &&
	    (sl = set->slots[index_at(set, set->gens[k - 1].arg)]) != NULL) {
		lru_remove(&s->cache, &sl->node);
		page_unref(sl->page);
		sl->page = NULL;
	}
	/* The feeds made so far, not every generated path. */
	for (i = 0; i < set->nlive; i++) {
		struct gen *g;

		if (set->live[i] >= set->ngens ||
		    (g = &set->gens[set->live[i]])->built == NULL)
			continue;
		/* A section's or home's _index.md: its intro is on them. */
		if (p->pm.kind != PM_PAGE || g->kind == G_HOMEFEED ||
		    g->kind == G_SECFEED || g->kind == G_TERMFEED) {
			page_unref(g->built);
			g->built = NULL;
		} else
			set->live[n++] = set->live[i];
	}
	set->nlive = n;
}

void
site_pages_body_changed(struct site *s, const struct post *p)
{
	size_t i;

	pageset_body_changed(s, &s->base, p);
	for (i = 0; i < s->nclasses; i++)
		pageset_body_changed(s, s->classes[i], p);
}

/* p's part in the counts of pages, drafts and hidden posts: d 1 or -1. */
static void
publication_count(struct site *s, const struct post *p, int d)
{
	if (p->pm.kind == PM_PAGE) {
		s->npages += (size_t)d * (!p->meta.draft && !p->unpub);
		s->ndrafts += (size_t)d * (p->meta.draft != 0);
	}
	s->nhidden += (size_t)d * (p->meta.draft || p->unpub);
}

/*
 * Which pages are published now (pm_published), and when that next
 * changes. Returns 1 when a page's state differs from the last time.
 */
static int
site_publication(struct site *s)
{
	int64_t now = (int64_t)time(NULL), next = INT64_MAX;
	int changed = 0, unpub;
	size_t i;

	s->npages = s->ndrafts = s->nhidden = 0;
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];

		unpub = !pm_published(&s->cfg, &p->meta, p->dated, p->date, now,
		    &next);
		/*
		 * Written only when it changes: the posts may be pages
		 * shared copy-on-write with the master.
		 */
		if (unpub != p->unpub) {
			changed = 1;
			p->unpub = unpub;
		}
		publication_count(s, p, 1);
	}
	s->next_change = next;
	return changed;
}

int64_t
site_next_change(const struct site *s)
{
	return s->next_change;
}

int
site_tick_now(struct site *s)
{
	if (!site_publication(s))
		return 0;
	site_build_pages(s);
	if (s->logging)
		log_info("%s: pages published or expired with time", s->root);
	return 1;
}

/*
 * p counted in (d 1) or out of (d -1) the posts each protect rule
 * covers (s->ncover), and s->covered follows: a rule covers some post;
 * and in or out of the gated posts.
 */
static void
cover_count(struct site *s, struct post *p, int d)
{
	size_t nr = s->access ? s->access->nrules : 0, r;
	int gated = p->meta.draft || p->unpub;
	unsigned char *mark;
	struct post_addrs a;

	if (nr > 0) {
		mark = xcalloc(nr, 1);
		site_post_addrs(&s->cfg, p, &a);
		access_mark_covering(s->access, a.v, a.n, mark);
		site_post_addrs_free(&a);
		for (r = 0; r < nr; r++) {
			s->ncover[r] += (size_t)d * mark[r];
			s->covered[r] = s->ncover[r] > 0;
			gated |= mark[r];
		}
		free(mark);
	}
	if (d < 0)
		strmap_del(&s->gated, p->relpath, strlen(p->relpath));
	else if (gated)
		strmap_put(&s->gated, p->relpath, strlen(p->relpath), p);
}

/* Lists the generated pages afresh (none made), after the posts changed. */
void
site_build_pages(struct site *s)
{
	struct viewer anon;
	size_t i, j;

	site_pages_free(s);
	site_publication(s);
	/* Which rules and drafts can tell one reader's pages from another's. */
	free(s->covered);
	free(s->ncover);
	s->covered = xcalloc(s->access ? s->access->nrules + 1 : 1, 1);
	s->ncover =
	    xcalloc(s->access ? s->access->nrules + 1 : 1, sizeof(*s->ncover));
	s->any_drafts = 0;
	for (i = 0; i < s->nposts; i++) {
		cover_count(s, s->posts[i], 1);
		s->any_drafts |= s->posts[i]->meta.draft || s->posts[i]->unpub;
	}
	access_viewer(s->access, NULL, 0, &anon);
	site_pageset_build(s, &s->base, &anon);
	s->base.key = class_key(s, &anon);
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];

		for (j = 0; j < p->meta.naliases; j++)
			add_alias(s, p->meta.aliases[j], p);
	}
	site_search_reflag(s);
}

/* --- an edit that moves one page in the lists (issue 16) ------------- */

/* The gen of path, or NULL. */
static struct gen *
gen_at(const struct pageset *set, const char *path)
{
	uintptr_t k = (uintptr_t)strmap_get(&set->genmap, path, strlen(path));

	return k ? &set->gens[k - 1] : NULL;
}

/* The index of p in set's listed pages, or -1. */
static long
listed_index(const struct pageset *set, const struct post *p)
{
	const struct gen *g = gen_at(set, p->pm.url);
	size_t i;

	/* Its page, unless another listed page claimed its URL first. */
	if (g && g->kind == G_POST && set->listed[index_at(set, g->arg)] == p)
		return index_at(set, g->arg);
	for (i = 0; i < set->nlisted; i++)
		if (set->listed[i] == p)
			return (long)i;
	return -1;
}

static int
has_term(char **v, size_t n, const char *t)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], t) == 0)
			return 1;
	return 0;
}

/* The language list (list_terms' li) holding p's terms, or -1. */
static long
lang_list(const struct site *s, const struct post *p)
{
	size_t i;

	if (p->pm.lang == NULL)
		return 0;
	for (i = 0; i < s->cfg.nlangs; i++)
		if (strcmp(s->cfg.langs[i].code, p->pm.lang) == 0)
			return (long)i + 1;
	return -1;
}

/* 1 when path is term's own page (or feed) in set. */
static int
is_term_gen(const struct pageset *set, const char *path, enum gen_kind kind,
    const char *term)
{
	const struct gen *g = gen_at(set, path);

	return g && g->kind == kind && strcmp(g->term, term) == 0;
}

struct post *
site_pageset_legacy(const struct site *s, const struct pageset *set,
    const char *slug, size_t n)
{
	struct post *p = strmap_get(&s->by_legacy, slug, n);
	size_t i;

	if (p == NULL || listed_index(set, p) >= 0)
		return p;
	/* A page set does not list holds the slug first: another may. */
	for (i = 0; i < set->nlisted; i++)
		if (strlen(set->listed[i]->pm.legacy) == n &&
		    memcmp(set->listed[i]->pm.legacy, slug, n) == 0)
			return set->listed[i];
	return NULL;
}

/*
 * Forgets path. Its gen stays in gens, reached by nothing (the map no
 * longer names it), until the pages are listed afresh: moving the last
 * gen into its place would need the last one's path, found by a scan of
 * the whole map (15-23 ms at 100,000 pages, issue 16).
 */
static void
gen_remove(struct pageset *set, const char *path)
{
	uintptr_t k = (uintptr_t)strmap_del(&set->genmap, path, strlen(path));

	if (k == 0)
		return;
	page_unref(set->gens[k - 1].built);
	set->gens[k - 1].built = NULL;
	if (set->gens[k - 1].kind == G_POST) {
		long i = index_at(set, set->gens[k - 1].arg);

		if (set->gen_of[i] == (uint32_t)(k - 1))
			set->gen_of[i] = UINT32_MAX;
		set->gens[k - 1].arg = -1;
	}
}

/* Page p out of term list t, where it is (no list, or not in it: no-op). */
static void
term_leave(struct term_list *t, const struct post *p)
{
	size_t i;

	for (i = 0; t && i < t->n && t->v[i] != p; i++)
		;
	if (t == NULL || i == t->n)
		return;
	memmove(t->v + i, t->v + i + 1, (t->n - i - 1) * sizeof(*t->v));
	t->n--;
}

/* Page p into term list t at its place in listed order (listed_place's). */
static void
term_enter(struct term_list *t, struct post *p)
{
	size_t lo = 0, hi = t->n;
	struct pm_key a, b;

	site_post_key(p, &b);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		site_post_key(t->v[mid], &a);
		if (pm_order_cmp(PM_ORDER_NEWEST, &a, &b) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
	memmove(t->v + lo + 1, t->v + lo, (t->n - lo) * sizeof(*t->v));
	t->v[lo] = p;
	t->n++;
}

/* The term list of the page at path, when it is term's own, or NULL. */
static struct term_list *
term_list_at(const struct pageset *set, const char *path, const char *term)
{
	const struct gen *g = gen_at(set, path);

	return g && g->kind == G_TERM && g->tl && strcmp(g->term, term) == 0 ?
	    &set->tlists[g->tl - 1] :
	    NULL;
}

/*
 * One term of one taxonomy list, gained (add) or lost by the edited page
 * p: checks (apply 0) that the term's pages are the term's own, and
 * which they would be by list_terms; makes it so (apply 1): p joins or
 * leaves the term's list, the term's pages made or dropped with it.
 * move: a term p keeps, in its list at p's new place (apply 1 only).
 */
static int
relist_term(struct site *s, struct pageset *set, struct post *p, size_t t,
    long li, const char *term, int add, int apply)
{
	const char *tax = s->cfg.taxonomies[t];
	const char *lang = li ? s->cfg.langs[li - 1].code : NULL;
	char *prefix = lang_prefix_of(s, lang), *path, *feed;
	long arg = (long)(t + s->cfg.ntax * (size_t)li);
	int ok = 1, tags = strcmp(tax, "tags") == 0 && lang == NULL;
	int known;
	struct term_list *tl;
	struct gen *g;
	size_t k;

	path = site_term_path(s, prefix, tax, term, "");
	feed = site_term_path(s, prefix, tax, term, "atom.xml");
	known = is_term_gen(set, path, G_TERM, term);
	if (!apply) {
		/* Its pages are its own, or no page claims those paths. */
		ok = term[0] != '\0' &&
		    (known ? is_term_gen(set, feed, G_TERMFEED, term) :
			     gen_at(set, path) == NULL &&
				gen_at(set, feed) == NULL);
		if (!add && !known)
			ok = 0;
	} else if (add && !known) {
		term = own_key(set, xstrdup(term));
		k = term_new(set);
		term_join(set, k, p);
		if ((g = add_gen(set, path, G_TERM, arg, term)) != NULL)
			g->tl = k + 1;
		if ((g = add_gen(set, feed, G_TERMFEED, arg, term)) != NULL)
			g->tl = k + 1;
		set->ntags += tags;
	} else if (add) {
		if ((tl = term_list_at(set, path, term)) != NULL) {
			term_leave(tl, p); /* a move: out of its old place */
			term_enter(tl, p);
		}
	} else if ((tl = term_list_at(set, path, term)) != NULL) {
		/* Still someone else's term: its pages stay. */
		term_leave(tl, p);
		if (tl->n == 0) {
			gen_remove(set, path);
			gen_remove(set, feed);
			set->ntags -= tags;
		}
	}
	free(feed);
	free(path);
	free(prefix);
	return ok;
}

/*
 * The term lists after page p's terms went from was's to its own:
 * checks (apply 0) or makes the change (apply 1) for self, the listed
 * post (p itself, or its old self going: p a copy without terms). A
 * site with a term spelt two ways is listed afresh: which spelling
 * names it depends on the order of all pages.
 */
static int
relist_terms(struct site *s, struct pageset *set, struct post *self,
    const struct post *p, const struct post *was, int apply)
{
	long li = lang_list(s, p);
	size_t t, i, n, wn;
	char **v, **wv;

	if (li < 0 || !site_listed_locally(p))
		return 1; /* in no term list */
	for (t = 0; t < s->cfg.ntax; t++) {
		const char *tax = s->cfg.taxonomies[t];

		v = terms_of(p, tax, &n);
		wv = terms_of(was, tax, &wn);
		if (set->term_variants && (n || wn))
			return 0;
		/*
		 * Applied, each term p has is put at its place in its list
		 * (p may have moved), the ones it gained made.
		 */
		for (i = 0; i < n; i++)
			if ((apply || !has_term(wv, wn, v[i])) &&
			    !has_term(v, i, v[i]) &&
			    !relist_term(s, set, self, t, li, v[i], 1, apply))
				return 0;
		for (i = 0; i < wn; i++)
			if (!has_term(v, n, wv[i]) && !has_term(wv, i, wv[i]) &&
			    !relist_term(s, set, self, t, li, wv[i], 0, apply))
				return 0;
	}
	return 1;
}

/*
 * 1 when the base pages can follow an edit of listed page old to p's
 * front matter (same file, URL, section, language, visibility: the
 * caller checks) by moving old in place: its terms' pages allow it.
 */
int
site_pages_can_relist(struct site *s, const struct post *old,
    const struct post *p)
{
	if (!s->base.built)
		return 0;
	if (listed_index(&s->base, old) < 0)
		return 1;
	return relist_terms(s, &s->base, NULL, p, old, 0);
}

/*
 * The sections without an _index.md (after those with one, in secs)
 * are in the order of their first listed page (add_section): after a
 * page came, went or moved, they are put in that order again, their
 * indices in sec_of, the parents, secdirs and the sections' gens
 * following. The listing is read from its top until each such section
 * is met (an index read a page). Every such section has a page.
 */
static void
sections_follow(struct pageset *set)
{
	size_t first, m = 0, want, i, k;
	struct section *ns;
	struct buf key = BUF_INIT;
	unsigned char *seen;
	long *order, *to;

	for (first = 0; first < set->nsecs && set->secs[first].index; first++)
		;
	if ((want = set->nsecs - first) < 2)
		return;
	order = xcalloc(want, sizeof(*order));
	seen = xcalloc(want, 1);
	for (i = 0; i < set->nlisted && m < want; i++) {
		long t = set->sec_of[i];

		if (t >= (long)first && !seen[t - (long)first]) {
			seen[t - (long)first] = 1;
			order[m++] = t;
		}
	}
	for (k = 0; k < m && order[k] == (long)(first + k); k++)
		;
	free(seen);
	if (k == m || m < want) {
		free(order);
		return;
	}
	to = xcalloc(set->nsecs, sizeof(*to));
	for (k = 0; k < set->nsecs; k++)
		to[k] = (long)k;
	for (k = 0; k < m; k++)
		to[order[k]] = (long)(first + k);
	ns = xcalloc(set->nsecs, sizeof(*ns));
	for (k = 0; k < set->nsecs; k++) {
		struct section *sec = &set->secs[k];
		struct gen *g;
		char *feed;

		ns[to[k]] = *sec;
		if (sec->parent >= 0)
			ns[to[k]].parent = to[sec->parent];
		if (to[k] == (long)k)
			continue;
		secdir_key(sec->dir, sec->lang, &key);
		strmap_del(&set->secdirs, key.data, key.len);
		if ((g = gen_at(set, sec->url)) != NULL &&
		    g->kind == G_SECTION && g->arg == (long)k)
			g->arg = to[k];
		feed = xasprintf("%satom.xml", sec->url);
		if ((g = gen_at(set, feed)) != NULL && g->kind == G_SECFEED &&
		    g->arg == (long)k)
			g->arg = to[k];
		free(feed);
	}
	memcpy(set->secs, ns, set->nsecs * sizeof(*ns));
	for (k = 0; k < set->nsecs; k++) {
		size_t n;

		if (to[k] == (long)k)
			continue;
		secdir_key(set->secs[to[k]].dir, set->secs[to[k]].lang, &key);
		n = key.len;
		strmap_put(&set->secdirs, own_key(set, buf_detach(&key, NULL)),
		    n, (void *)(uintptr_t)(to[k] + 1));
	}
	for (i = 0; i < set->nlisted; i++)
		if (set->sec_of[i] >= 0)
			set->sec_of[i] = to[set->sec_of[i]];
	buf_free(&key);
	free(ns);
	free(to);
	free(order);
}

/* Where index x goes when the page at i moves to j. */
static long
moved_index(long x, long i, long j)
{
	if (x < 0)
		return x;
	if (x == i)
		return j;
	if (i < j && x > i && x <= j)
		return x - 1;
	if (j < i && x >= j && x < i)
		return x + 1;
	return x;
}

static void
rotate(void *base, size_t size, size_t i, size_t j)
{
	unsigned char *b = base, tmp[sizeof(long)];

	memcpy(tmp, b + i * size, size);
	if (i < j)
		memmove(b + i * size, b + (i + 1) * size, (j - i) * size);
	else
		memmove(b + (j + 1) * size, b + j * size, (i - j) * size);
	memcpy(b + j * size, tmp, size);
}

/* Every page made of set dropped, to be made again when asked. */
static void
pageset_unmake(struct site *s, struct pageset *set)
{
	size_t k;

	for (k = 0; k < set->nlisted; k++)
		if (set->slots[k]) {
			lru_remove(&s->cache, &set->slots[k]->node);
			page_unref(set->slots[k]->page);
			free(set->slots[k]);
			set->slots[k] = NULL;
		}
	for (k = 0; k < set->nlive; k++)
		if (set->live[k] < set->ngens) {
			page_unref(set->gens[set->live[k]].built);
			set->gens[set->live[k]].built = NULL;
		}
	set->nlive = 0;
}

/*
 * Every generated page and composed post page of the base set dropped,
 * to be made again when asked; the other classes' too (keep 1: they
 * follow the change, site_pages_change) or the classes themselves,
 * listed again at their next request.
 */
static void
drop_made(struct site *s, int keep)
{
	size_t k;

	if (!keep)
		classes_free(s);
	for (k = 0; k < s->nclasses; k++)
		pageset_unmake(s, s->classes[k]);
	pageset_unmake(s, &s->base);
}

/*
 * Where p goes in the base listing: after every listed page that sorts
 * with it or before it (sort_posts' order); the page at index skip (p's
 * old place, -1: none) left out, the index counted without it.
 */
static long
listed_place(const struct pageset *set, const struct post *p, long skip)
{
	long lo = 0, hi = (long)set->nlisted - (skip >= 0);
	struct pm_key a, b;

	site_post_key(p, &b);
	while (lo < hi) {
		long mid = lo + (hi - lo) / 2;

		site_post_key(set->listed[skip >= 0 && mid >= skip ? mid + 1 :
								     mid],
		    &a);
		if (pm_order_cmp(PM_ORDER_NEWEST, &a, &b) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Entries lists_shift moves to open or close the lists at i. */
static long
shift_cost(const struct pageset *set, long i)
{
	long n = (long)set->nlisted - 1 - i;

	return i < n ? i : n;
}

/*
 * The page at i moved to j (counted without it) by closing the lists at
 * i and opening them at j, each moving its shorter side: a move across
 * most of the list, which a rotation of the pages between would make
 * (issue 16: a post dated now from the middle of 100,000 rotated 77,000
 * entries, 15 ms of a fresh worker's loop). It leaves its group's chain
 * first; returns a page still in it (its index now), or -1.
 */
static long
relist_far(struct pageset *set, long i, long j)
{
	struct post *p = set->listed[i], *held = NULL;
	long sec = set->sec_of[i];
	uint32_t g = set->gen_of[i];

	if (set->newer[i] >= 0 || set->older[i] >= 0)
		held = set->listed[index_at(set,
		    set->newer[i] >= 0 ? set->newer[i] : set->older[i])];
	if (set->newer[i] >= 0)
		set->older[index_at(set, set->newer[i])] = set->older[i];
	if (set->older[i] >= 0)
		set->newer[index_at(set, set->older[i])] = set->newer[i];
	lists_shift(set, (size_t)i, -1);
	lists_shift(set, (size_t)j, 1);
	set->listed[j] = p;
	set->sec_of[j] = sec;
	set->gen_of[j] = g;
	set->slots[j] = NULL;
	set->older[j] = set->newer[j] = -1;
	set->nav[j] = 0;
	if (g != UINT32_MAX)
		set->gens[g].arg = place_of(set, j);
	return held ? listed_index(set, held) : -1;
}

/*
 * Page p (now with its new front matter, was holding the old) moves to
 * its place in set's lists, its section's neighbours and the term lists
 * following.
 */
static void
pageset_relist(struct site *s, struct pageset *set, struct post *p,
    const struct post *was)
{
	long i = listed_index(set, p), j, x, h;
	size_t *idx, k;

	if (i < 0)
		return;
	/* Its place: after every page that sorts with it (sort_posts). */
	j = listed_place(set, p, i);
	set->nfeatured += (p->meta.featured != 0) - (was->meta.featured != 0);
	h = j;
	if (labs(j - i) > shift_cost(set, i) + shift_cost(set, j))
		h = relist_far(set, i, j);
	else if (j != i) {
		rotate(set->listed, sizeof(*set->listed), (size_t)i, (size_t)j);
		rotate(set->sec_of, sizeof(*set->sec_of), (size_t)i, (size_t)j);
		rotate(set->nav, 1, (size_t)i, (size_t)j);
		rotate(set->older, sizeof(*set->older), (size_t)i, (size_t)j);
		rotate(set->newer, sizeof(*set->newer), (size_t)i, (size_t)j);
		/* The links: where they change (the shared pages stay). */
		for (k = 0; k < set->nlisted; k++) {
			long o = index_at(set, set->older[k]);
			long w = index_at(set, set->newer[k]);

			if (moved_index(o, i, j) != o)
				set->older[k] =
				    place_of(set, moved_index(o, i, j));
			if (moved_index(w, i, j) != w)
				set->newer[k] =
				    place_of(set, moved_index(w, i, j));
		}
		/*
		 * The post pages of the pages between: their new index,
		 * through gen_of, not a lookup by URL each (issue 16: 40 % of
		 * a date edit at 100,000 pages).
		 */
		rotate(set->gen_of, sizeof(*set->gen_of), (size_t)i, (size_t)j);
		renumber(set, (size_t)(i < j ? i : j),
		    (size_t)(i < j ? j : i) + 1);
	}
	idx = xmalloc((set->nlisted + 1) * sizeof(*idx));
	x = set->sec_of[j];
	if (x < 0 && (x = lang_list(s, p)) >= 0)
		x += (long)set->nsecs;
	if (x >= 0 && !neighbours_moved(s, set, (size_t)x, j, h, was, idx))
		neighbours_group(s, set, (size_t)x, idx);
	free(idx);
	relist_terms(s, set, p, p, was, 1);
	/*
	 * A section without an _index.md is listed where its first page
	 * is; the busiest section is the first listed of those with most
	 * dated pages (the counts are the same: same section, same date
	 * or none).
	 */
	if (j != i) {
		sections_follow(set);
		set->best = busiest_section(s, set);
	}
}

/*
 * After site_pages_can_relist: page p (now with its new front matter,
 * was holding the old) moves to its place in the base lists and in each
 * other class's (one whose terms cannot follow is freed, listed again
 * when asked); every generated page and composed post page is dropped,
 * to be made again when asked.
 */
void
site_pages_relist(struct site *s, struct post *p, const struct post *was)
{
	size_t k = 0;

	/*
	 * An alias two posts claim is the first's in order, which p's move
	 * may change: listed afresh.
	 */
	if (s->alias_clash && p->meta.naliases) {
		site_build_pages(s);
		return;
	}
	drop_made(s, 1);
	pageset_relist(s, &s->base, p, was);
	while (k < s->nclasses) {
		struct pageset *set = s->classes[k];

		if (set->job || !set->built) /* not listed yet */
			k++;
		else if (listed_index(set, p) < 0 ||
		    relist_terms(s, set, NULL, p, was, 0)) {
			pageset_relist(s, set, p, was);
			k++;
		} else
			class_drop(s, k);
	}
}

/* --- a post added or removed (issue 16) ------------------------------ */

/* The neighbour group of listed page i (relist's rule), or -1. */
static long
group_of(const struct site *s, const struct pageset *set, size_t i)
{
	long x = set->sec_of[i];

	if (x < 0 && (x = lang_list(s, set->listed[i])) >= 0)
		x += (long)set->nsecs;
	return x;
}

/* 1 when listed page i is linked in group k (ordered by o). */
static int
linked_in(const struct site *s, const struct pageset *set, size_t i, size_t k,
    enum pm_order o)
{
	return site_listed_locally(set->listed[i]) &&
	    group_of(s, set, i) == (long)k && has_order_key(o, set->listed[i]);
}

/*
 * Group k again after listed page j came (j >= 0) or left went: the
 * others' order is read from their links (a member looked for outward
 * from near) and j put in it by a binary search, as neighbours_moved;
 * among equal keys in listed order, as sort_listing's stable sort (glibc's
 * qsort_r merges) leaves them. Returns 1.
 */
static int
neighbours_changed(const struct site *s, struct pageset *set, size_t k, long j,
    const struct post *left, size_t near, size_t *idx)
{
	enum pm_order o = group_order(s, set, k);
	size_t n = 0, d;
	long h = -1;

	/* A section with no other page: none looked for (a whole walk). */
	if (k < set->nsecs && set->secs[k].npages <= (j >= 0))
		return link_with(set, idx, 0, j, o, 1, left);
	for (d = 0; h < 0 && (d <= near || near + d < set->nlisted); d++) {
		if (d <= near && (long)(near - d) != j &&
		    linked_in(s, set, near - d, k, o))
			h = (long)(near - d);
		else if (near + d < set->nlisted && (long)(near + d) != j &&
		    linked_in(s, set, near + d, k, o))
			h = (long)(near + d);
	}
	for (; h >= 0 && set->newer[h] >= 0; h = index_at(set, set->newer[h]))
		;
	for (; h >= 0; h = index_at(set, set->older[h]))
		idx[n++] = (size_t)h;
	return link_with(set, idx, n, j, o, 1, left);
}

/*
 * 1 when no generated page but a post's can want url: a path that is
 * no section's, home's, archive's, feed's or term's.
 */
static int
post_only_url(const struct site *s, const struct pageset *set, const char *url)
{
	size_t i, n = strlen(url);
	char tax[256];

	if (n <= 1 || strstr(url, "atom.xml") || strcmp(url, "/archive/") == 0)
		return 0;
	for (i = 0; i < s->cfg.nlangs; i++)
		if (n == strlen(s->cfg.langs[i].code) + 2 &&
		    strncmp(url + 1, s->cfg.langs[i].code, n - 2) == 0)
			return 0;
	for (i = 0; i < set->nsecs; i++)
		if (strcmp(set->secs[i].url, url) == 0)
			return 0;
	for (i = 0; i < s->cfg.ntax; i++) {
		snprintf(tax, sizeof(tax), "/%s/", s->cfg.taxonomies[i]);
		if (strstr(url, tax))
			return 0;
	}
	return 1;
}

/*
 * The sections' indices after section x was dropped (d -1, every index
 * past x one less) in sec_of, parents, secdirs and the sections' gens.
 */
static void
sections_renumber(struct pageset *set, long x)
{
	struct buf key = BUF_INIT;
	size_t k, n;
	char *feed;
	struct gen *g;

	for (k = 0; k < set->nlisted; k++)
		if (set->sec_of[k] > x)
			set->sec_of[k]--;
	for (k = 0; k < set->nsecs; k++) {
		struct section *sec = &set->secs[k];

		if (sec->parent > x)
			sec->parent--;
		if ((long)k < x)
			continue;
		/* Was k + 1: its map entry and gens say so. */
		secdir_key(sec->dir, sec->lang, &key);
		strmap_del(&set->secdirs, key.data, key.len);
		n = key.len;
		strmap_put(&set->secdirs, own_key(set, buf_detach(&key, NULL)),
		    n, (void *)(uintptr_t)(k + 1));
		if ((g = gen_at(set, sec->url)) != NULL &&
		    g->kind == G_SECTION && g->arg == (long)k + 1)
			g->arg = (long)k;
		feed = xasprintf("%satom.xml", sec->url);
		if ((g = gen_at(set, feed)) != NULL && g->kind == G_SECFEED &&
		    g->arg == (long)k + 1)
			g->arg = (long)k;
		free(feed);
	}
	buf_free(&key);
}

/*
 * Section x, without an _index.md, lost its last page: it goes, its
 * page and feed with it. 0 (nothing done) when a section below it has
 * it as parent: listed afresh.
 */
static int
section_drop(struct pageset *set, long x)
{
	struct section *sec = &set->secs[x];
	struct buf key = BUF_INIT;
	char *feed;
	size_t k;

	for (k = 0; k < set->nsecs; k++)
		if (set->secs[k].parent == x)
			return 0;
	gen_remove(set, sec->url);
	feed = xasprintf("%satom.xml", sec->url);
	gen_remove(set, feed);
	free(feed);
	secdir_key(sec->dir, sec->lang, &key);
	strmap_del(&set->secdirs, key.data, key.len);
	buf_free(&key);
	free(sec->url);
	free(sec->dir);
	free(sec->title);
	memmove(sec, sec + 1, (set->nsecs - (size_t)x - 1) * sizeof(*sec));
	set->nsecs--;
	sections_renumber(set, x);
	return 1;
}

/*
 * A new section for page p, whose top folder has none (add_section's,
 * with its page and feed): 0 (nothing done) when a section below that
 * folder would have it as parent, or another page has its paths.
 */
static int
section_new(struct site *s, struct pageset *set, const struct post *p)
{
	size_t k, n = strlen(p->pm.section);
	char *url = pm_section_url(&s->cfg, p->pm.section, p->pm.lang);
	char *feed = xasprintf("%satom.xml", url);
	int ok = gen_at(set, url) == NULL && gen_at(set, feed) == NULL;
	long x;

	for (k = 0; ok && k < set->nsecs; k++)
		if (site_same_lang(set->secs[k].lang, p->pm.lang) &&
		    strncmp(set->secs[k].dir, p->pm.section, n) == 0 &&
		    set->secs[k].dir[n] == '/')
			ok = 0;
	if (ok) {
		x = add_section(s, set, p->pm.section, p->pm.lang, NULL);
		add_gen(set, set->secs[x].url, G_SECTION, x, NULL);
		add_gen(set, feed, G_SECFEED, x, NULL);
	}
	free(url);
	free(feed);
	return ok;
}

/* p as if it had no terms: what relist_terms compares it with. */
static void
termless(const struct post *p, struct post *none)
{
	*none = *p;
	none->meta.ntags = none->meta.ncategories = none->meta.nterms = 0;
}

/*
 * Page p, new, in set's lists: at its place by a binary search, its
 * group's links, its terms' pages. Returns 0 (nothing changed) when the
 * change is structural: a new section, or one listed where p would now
 * come first; a URL another page claims; a term spelt two ways.
 */
static int
pageset_insert(struct site *s, struct pageset *set, const struct viewer *v,
    struct post *p)
{
	long j, x;
	size_t *idx;
	struct post none;

	if (p->pm.kind != PM_PAGE || site_post_status(s, v, p) != 0)
		return 1; /* not listed: in no list */
	/* A bundle's files are served beside its page's URL. */
	if (p->pm.bundle &&
	    strmap_get(&set->bundles, p->pm.url, strlen(p->pm.url)))
		return 0;
	if (site_not_rendered(p)) {
		if (p->pm.bundle)
			strmap_put(&set->bundles, p->pm.url, strlen(p->pm.url),
			    p);
		return 1;
	}
	if (gen_at(set, p->pm.url) || !post_only_url(s, set, p->pm.url))
		return 0;
	j = listed_place(set, p, -1);
	termless(p, &none);
	if (!relist_terms(s, set, NULL, p, &none, 0))
		return 0;
	/* The first page of a new section: the section too. */
	if (p->pm.section[0] && section_of(set, p->pm.dir, p->pm.lang) < 0 &&
	    !section_new(s, set, p))
		return 0;
	lists_shift(set, (size_t)j, 1);
	set->listed[j] = p;
	set->sec_of[j] = section_of(set, p->pm.dir, p->pm.lang);
	if (set->sec_of[j] >= 0)
		set->secs[set->sec_of[j]].npages++;
	set->slots[j] = NULL;
	set->older[j] = set->newer[j] = -1;
	set->nav[j] = 0;
	set->gen_of[j] = (uint32_t)set->ngens;
	add_gen(set, p->pm.url, G_POST, place_of(set, j), NULL);
	if (p->pm.bundle)
		strmap_put(&set->bundles, p->pm.url, strlen(p->pm.url), p);
	set->narchive += site_listed_globally(p);
	set->nfeatured += p->meta.featured != 0;
	relist_terms(s, set, p, p, &none, 1);
	if ((x = group_of(s, set, (size_t)j)) >= 0 && site_listed_locally(p)) {
		/* Not zeroed: only what the group fills is written. */
		idx = xmalloc((set->nlisted + 1) * sizeof(*idx));
		if (!neighbours_changed(s, set, (size_t)x, j, NULL, (size_t)j,
			idx))
			neighbours_group(s, set, (size_t)x, idx);
		free(idx);
	}
	/* A section listed where its first page is: p may be that now. */
	sections_follow(set);
	busy_count(set, p, 1);
	set->best = busiest_section(s, set);
	return 1;
}

/*
 * Page p, about to be freed, out of set's lists. Returns 0 (nothing
 * changed) when the change is structural: p first of a section listed
 * where its first page is, a URL another page waits for, a term spelt
 * two ways.
 */
static int
pageset_remove(struct site *s, struct pageset *set, struct post *p)
{
	long i = listed_index(set, p), x, g;
	size_t k, *idx;
	struct post none;

	/* Its files no longer served (the map's key is its URL). */
	if (p->pm.bundle &&
	    strmap_get(&set->bundles, p->pm.url, strlen(p->pm.url)) == p)
		strmap_del(&set->bundles, p->pm.url, strlen(p->pm.url));
	if (i < 0)
		return 1;
	if (set->gen_of[i] == UINT32_MAX || !post_only_url(s, set, p->pm.url))
		return 0;
	for (k = 0; k < set->nlisted; k++)
		if (set->gen_of[k] == UINT32_MAX)
			return 0; /* a page whose URL another took */
	/* A section without an _index.md goes with its last page. */
	x = set->sec_of[i];
	if (x >= 0 && set->secs[x].index == NULL && set->secs[x].npages == 1)
		for (k = 0; k < set->nsecs; k++)
			if (set->secs[k].parent == x)
				return 0; /* a section below it: afresh */
	termless(p, &none);
	if (!relist_terms(s, set, NULL, &none, p, 0))
		return 0;
	if (x >= 0)
		set->secs[x].npages--;
	g = group_of(s, set, (size_t)i);
	/* Out of its group's chain first: the others stay linked. */
	if (set->newer[i] >= 0)
		set->older[index_at(set, set->newer[i])] = set->older[i];
	if (set->older[i] >= 0)
		set->newer[index_at(set, set->older[i])] = set->newer[i];
	gen_remove(set, p->pm.url);
	lists_shift(set, (size_t)i, -1);
	set->narchive -= site_listed_globally(p);
	set->nfeatured -= p->meta.featured != 0;
	relist_terms(s, set, p, &none, p, 1);
	if (g >= 0 && site_listed_locally(p) && set->nlisted > 0) {
		idx = xmalloc((set->nlisted + 1) * sizeof(*idx));
		if (!neighbours_changed(s, set, (size_t)g, -1, p,
			(size_t)i < set->nlisted ? (size_t)i : set->nlisted - 1,
			idx))
			neighbours_group(s, set, (size_t)g, idx);
		free(idx);
	}
	/* p may have been its section's first page, or its last. */
	if (x >= 0 && set->secs[x].index == NULL && set->secs[x].npages == 0)
		section_drop(set, x);
	sections_follow(set);
	busy_count(set, p, -1);
	set->best = busiest_section(s, set);
	return 1;
}

/*
 * The other classes after the base followed a change: each takes the
 * same pages out and in as its reader sees them (a class listed afresh
 * at 100,000 pages held its worker's loop 0.3-0.6 s at the next request
 * of one of its readers, issue 16); one the change cannot follow so is
 * freed, to be listed again when asked.
 */
static void
classes_change(struct site *s, struct post **added, size_t nadded,
    struct post **removed, size_t nremoved)
{
	size_t k = 0, i;

	while (k < s->nclasses) {
		struct pageset *set = s->classes[k];
		struct viewer v;
		int ok = 1;

		if (set->job || !set->built) {
			k++; /* not listed yet: it lists the change too */
			continue;
		}
		access_viewer(s->access, set->fp, set->expired, &v);
		for (i = 0; ok && i < nremoved; i++)
			ok = pageset_remove(s, set, removed[i]);
		for (i = 0; ok && i < nadded; i++)
			ok = pageset_insert(s, set, &v, added[i]);
		if (ok) {
			k++;
			continue;
		}
		class_drop(s, k);
	}
}

/*
 * After posts were added to and removed from s->posts (the removed
 * ones not yet freed): the base pages follow page by page, not listed
 * afresh (520-690 ms at 100,000 pages, issue 16), every page made
 * before dropped (the other classes listed again when next asked).
 * Listed afresh (site_build_pages) when the change is structural (see
 * pageset_insert and pageset_remove), or when time changed another
 * page's publication meanwhile.
 */
void
site_pages_change(struct site *s, struct post **added, size_t nadded,
    struct post **removed, size_t nremoved)
{
	int64_t now = (int64_t)time(NULL);
	struct viewer anon;
	size_t i, j, nrules;
	unsigned char *was;
	int keep;

	if (!s->base.built)
		goto afresh;
	/*
	 * Before next_change no other post's publication changed: the
	 * counts follow the posts added and removed, no walk of them all.
	 */
	if (now >= s->next_change) {
		for (i = 0; i < nadded; i++)
			added[i]->unpub =
			    !pm_published(&s->cfg, &added[i]->meta,
				added[i]->dated, added[i]->date, now, NULL);
		if (site_publication(s))
			goto afresh;
	} else {
		for (i = 0; i < nremoved; i++)
			publication_count(s, removed[i], -1);
		for (i = 0; i < nadded; i++) {
			added[i]->unpub = !pm_published(&s->cfg,
			    &added[i]->meta, added[i]->dated, added[i]->date,
			    now, &s->next_change);
			publication_count(s, added[i], 1);
		}
	}
	/*
	 * Which rules cover a post, kept by counts (cover_count). The other
	 * classes follow the change unless that moves a class's bounds (its
	 * key: which rules cover posts, whether there are drafts).
	 */
	nrules = s->access ? s->access->nrules + 1 : 1;
	was = xmalloc(nrules);
	memcpy(was, s->covered, nrules);
	keep = s->any_drafts == (s->nhidden > 0);
	s->any_drafts = s->nhidden > 0;
	for (i = 0; i < nremoved; i++)
		cover_count(s, removed[i], -1);
	for (i = 0; i < nadded; i++)
		cover_count(s, added[i], 1);
	keep = keep && memcmp(was, s->covered, nrules) == 0;
	free(was);
	drop_made(s, keep);
	access_viewer(s->access, NULL, 0, &anon);
	free(s->base.key);
	s->base.key = class_key(s, &anon);
	for (i = 0; i < nremoved; i++)
		if (!pageset_remove(s, &s->base, removed[i]))
			goto afresh;
	for (i = 0; i < nadded; i++)
		if (!pageset_insert(s, &s->base, &anon, added[i]))
			goto afresh;
	/* Aliases: a path two posts claim is listed afresh. */
	for (i = 0; i < nadded + nremoved; i++)
		if (s->alias_clash &&
		    (i < nadded ? added[i] : removed[i - nadded])->meta.naliases)
			goto afresh;
	for (i = 0; i < nremoved; i++)
		drop_aliases(s, removed[i]);
	for (i = 0; i < nadded; i++) {
		if (!aliases_free_for(s, added[i]))
			goto afresh;
		for (j = 0; j < added[i]->meta.naliases; j++)
			add_alias(s, added[i]->meta.aliases[j], added[i]);
	}
	classes_change(s, added, nadded, removed, nremoved);
	return;
afresh:
	site_build_pages(s);
}
