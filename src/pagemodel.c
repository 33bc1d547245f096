/*
 * pagemodel: a content file's place in the capsule, by the rules of the
 * site's generator. Hugo (0.111, checked against `hugo list all`): the
 * folder path and the file name urlized and lowercased, `slug` replacing
 * the last segment, `url` replacing everything, [permalinks] per section;
 * a date prefix stays in the name unless [frontmatter] names :filename.
 * Zola: each segment slugified, a YYYY-MM-DD prefix of the file or
 * bundle name taken as the date and dropped, `path` replacing everything.
 * A bare folder: Hugo's rules, with date prefixes dropped as Zola does.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "date.h"
#include "frontmatter.h"
#include "pagemodel.h"
#include "util.h"

size_t
pm_md_ext(const char *s, size_t n)
{
	if (util_ends_with(s, n, ".md"))
		return 3;
	if (util_ends_with(s, n, ".markdown"))
		return 9;
	return 0;
}

int
pm_date_prefix(const char *s, int64_t *t, char ymd[11])
{
	char d[11];
	int i;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return 0;
		} else if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	memcpy(d, s, 10);
	d[10] = '\0';
	return date_parse(d, t, ymd) == 0;
}

char *
pm_urlize(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	size_t i;
	int space = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || c == '\t') {
			if (!space)
				buf_addc(&b, '-');
			space = 1;
			continue;
		}
		space = 0;
		if (c == 0xc3 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9e &&
		    (unsigned char)s[i + 1] != 0x97) {
			/* À..Þ: Latin-1 capitals lowercased, as Hugo does */
			buf_addc(&b, c);
			buf_addc(&b, (unsigned char)s[++i] + 0x20);
		} else if (c >= 'A' && c <= 'Z')
			buf_addc(&b, c + 32);
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c >= 0x80 || strchr("./_-+~", c))
			buf_addc(&b, c);
	}
	return buf_detach(&b, NULL);
}

char *
pm_slugify(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	size_t i;
	int dash = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			c += 32;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c >= 0x80) {
			if (dash && b.len)
				buf_addc(&b, '-');
			dash = 0;
			buf_addc(&b, c);
		} else
			dash = 1;
	}
	return buf_detach(&b, NULL);
}

/* Applies f to each '/'-separated segment of s[0..n), joined by '/'. */
static void
map_segments(struct buf *out, const char *s, size_t n,
    char *(*f)(const char *, size_t))
{
	size_t i = 0, j;
	char *seg;

	while (i < n) {
		for (j = i; j < n && s[j] != '/'; j++)
			;
		if (j > i) {
			seg = f(s + i, j - i);
			if (*seg) {
				buf_adds(out, seg);
				buf_addc(out, '/');
			}
			free(seg);
		}
		i = j + 1;
	}
}

static char *(*seg_fn(const struct sitecfg *c))(const char *, size_t)
{
	return c->gen == GEN_ZOLA ? pm_slugify : pm_urlize;
}

static void
lang_prefix(const struct sitecfg *c, const char *lang, struct buf *out)
{
	if (lang)
		buf_printf(out, "/%s", lang);
	else if (c->default_in_subdir)
		buf_printf(out, "/%s", c->default_lang);
}

char *
pm_section_url(const struct sitecfg *c, const char *dir, const char *lang)
{
	struct buf b = BUF_INIT;

	lang_prefix(c, lang, &b);
	buf_addc(&b, '/');
	map_segments(&b, dir, strlen(dir), seg_fn(c));
	return buf_detach(&b, NULL);
}

/* A last segment naming a file ("feed.xml"), not a folder ("v1.2"). */
static int
is_file_name(const char *s, size_t n)
{
	static const char *exts[] = { ".html", ".htm", ".xml", ".txt", ".json",
		".gmi", ".rss" };
	size_t i, m;

	for (i = 0; i < ARRAY_LEN(exts); i++) {
		m = strlen(exts[i]);
		if (n > m && strncmp(s + n - m, exts[i], m) == 0)
			return 1;
	}
	return 0;
}

/* "/" + path + "/" with no doubled slashes; a file name keeps no slash. */
static void
put_path(struct buf *out, const char *p)
{
	const char *last;
	size_t n;

	while (*p == '/')
		p++;
	n = strlen(p);
	while (n > 0 && p[n - 1] == '/')
		n--;
	buf_addc(out, '/');
	buf_add(out, p, n);
	last = memrchr(p, '/', n);
	last = last ? last + 1 : p;
	if (n > 0 && !is_file_name(last, (size_t)(p + n - last)))
		buf_addc(out, '/');
}

/* Expands a Hugo permalink pattern. */
static void
expand(const char *pat, const char *section, const char *dir, const char *name,
    const char *slug, const char *title, const char *ymd, struct buf *out)
{
	struct buf raw = BUF_INIT;
	const char *p = pat;
	char *u;

	while (*p) {
		size_t k;

		if (*p != ':') {
			buf_addc(&raw, *p++);
			continue;
		}
		for (k = 1; (p[k] >= 'a' && p[k] <= 'z'); k++)
			;
#define TOK(s) (k - 1 == strlen(s) && strncmp(p + 1, s, k - 1) == 0)
		if (TOK("year")) {
			/* Hugo prints the year as a number: 0001 is "1". */
			size_t z = 0;

			while (z < 3 && ymd[z] == '0')
				z++;
			buf_add(&raw, ymd + z, 4 - z);
		} else if (TOK("month"))
			buf_add(&raw, ymd + 5, 2);
		else if (TOK("day"))
			buf_add(&raw, ymd + 8, 2);
		else if (TOK("section"))
			buf_adds(&raw, section);
		else if (TOK("sections"))
			buf_adds(&raw, dir);
		else if (TOK("title"))
			buf_adds(&raw, title);
		else if (TOK("slug"))
			buf_adds(&raw, slug ? slug : title);
		else if (TOK("filename") || TOK("contentbasename"))
			buf_adds(&raw, name);
		else if (TOK("slugorfilename") || TOK("slugorcontentbasename"))
			buf_adds(&raw, slug ? slug : name);
		else
			buf_add(&raw, p, k);
#undef TOK
		p += k;
	}
	u = pm_urlize(raw.data, raw.len);
	put_path(out, u);
	free(u);
	buf_free(&raw);
}

/* The first /YYYY/MM/DD/ in a URL, as a date. */
static int
path_date(const char *url, int64_t *t, char ymd[11])
{
	const char *p;
	char d[11];

	for (p = url; (p = strchr(p, '/')) != NULL; p++) {
		if (strlen(p) < 11 || p[5] != '/' || p[8] != '/')
			continue;
		memcpy(d, p + 1, 4);
		d[4] = '-';
		memcpy(d + 5, p + 6, 2);
		d[7] = '-';
		memcpy(d + 8, p + 9, 2);
		d[10] = '\0';
		if (pm_date_prefix(d, t, ymd))
			return 1;
	}
	return 0;
}

void
pm_page_free(struct pm_page *p)
{
	free(p->url);
	free(p->dir);
	free(p->section);
	free(p->bundle);
	free(p->lang);
	free(p->legacy);
	memset(p, 0, sizeof(*p));
}

int
pm_place(const struct sitecfg *c, const char *rel, const struct post_meta *m,
    const char *title, struct pm_page *out)
{
	const char *base = strrchr(rel, '/'), *name, *slug = NULL;
	struct buf b = BUF_INIT;
	size_t stem, ext, dirlen, namelen;
	char *dir, *t;
	int strip;

	memset(out, 0, sizeof(*out));
	base = base ? base + 1 : rel;
	if ((ext = pm_md_ext(base, strlen(base))) == 0)
		return -1;
	stem = strlen(base) - ext;
	dirlen = base > rel ? (size_t)(base - rel - 1) : 0;
	dir = xstrndup(rel, dirlen);

	/* Language: page.LANG.md, or the language's own folder. */
	{
		const char *dot = memrchr(base, '.', stem);
		const struct sitecfg_lang *l;
		size_t i;

		if (dot &&
		    (l = sitecfg_lang(c, dot + 1,
			 (size_t)(base + stem - dot - 1))) != NULL) {
			out->lang = xstrdup(l->code);
			stem = (size_t)(dot - base);
		} else if (dot &&
		    strlen(c->default_lang) ==
			(size_t)(base + stem - dot - 1) &&
		    strncmp(dot + 1, c->default_lang,
			strlen(c->default_lang)) == 0 &&
		    c->gen != GEN_BARE)
			stem = (size_t)(dot - base);
		for (i = 0; i <= c->nlangs; i++) {
			const char *ld = i < c->nlangs ?
			    c->langs[i].content_dir :
			    c->default_dir;
			size_t n = ld ? strlen(ld) : 0;

			if (n == 0 || strncmp(dir, ld, n) != 0 ||
			    (dir[n] != '/' && dir[n] != '\0'))
				continue;
			if (i < c->nlangs && out->lang == NULL)
				out->lang = xstrdup(c->langs[i].code);
			memmove(dir, dir + n + (dir[n] == '/'),
			    strlen(dir + n + (dir[n] == '/')) + 1);
			break;
		}
	}
	name = base;
	namelen = stem;
	if (namelen == 6 && strncmp(name, "_index", 6) == 0) {
		out->kind = dir[0] ? PM_SECTION : PM_HOME;
		out->url = dir[0] ? pm_section_url(c, dir, out->lang) : NULL;
		if (out->url == NULL) {
			lang_prefix(c, out->lang, &b);
			buf_addc(&b, '/');
			out->url = buf_detach(&b, NULL);
		}
		out->section = xstrndup(dir, strcspn(dir, "/"));
		out->bundle = xstrdup(dir);
		out->dir = xstrdup(dir);
		out->legacy = xstrdup("");
		free(dir);
		return 0;
	}
	if (namelen == 5 && strncmp(name, "index", 5) == 0) {
		if (dir[0] == '\0') {
			/* A bare folder's intro; Hugo's home leaf bundle. */
			out->kind = PM_HOME;
			lang_prefix(c, out->lang, &b);
			buf_addc(&b, '/');
			out->url = buf_detach(&b, NULL);
			out->section = xstrdup("");
			out->dir = xstrdup("");
			out->legacy = xstrdup("");
			free(dir);
			return 0;
		}
		/* A leaf bundle: the folder is the page. */
		out->bundle = xstrdup(dir);
		name = strrchr(out->bundle, '/');
		name = name ? name + 1 : out->bundle;
		namelen = strlen(name);
		dir[name > out->bundle ? (size_t)(name - out->bundle - 1) : 0] =
		    '\0';
	}
	out->section = xstrndup(dir, strcspn(dir, "/"));
	out->dir = xstrdup(dir);
	out->kind = PM_PAGE;

	/* A date prefix: always a date; dropped from the name as configured. */
	strip = c->gen != GEN_HUGO || c->filename_dates;
	if (namelen > 11 && pm_date_prefix(name, &out->date, out->ymd) &&
	    (name[10] == '-' || name[10] == '_')) {
		out->has_date = 1;
		if (strip) {
			name += 11;
			namelen -= 11;
		}
	}
	/* The 0.1 slug: a flat name, for the redirects of old URLs. */
	if (m && m->slug && *m->slug)
		out->legacy = xstrdup(m->slug);
	else {
		const char *ln = name;
		size_t lnn = namelen;

		if (!strip && namelen > 11 && out->has_date) {
			ln += 11;
			lnn -= 11;
		}
		out->legacy = xstrndup(ln, lnn);
	}
	if (m && m->slug && *m->slug)
		slug = m->slug;

	if (m && m->url && *m->url) {
		if (c->gen == GEN_ZOLA)
			lang_prefix(c, out->lang, &b);
		put_path(&b, m->url);
	} else if (c->gen == GEN_HUGO && sitecfg_permalink(c, out->section)) {
		char *nm = xstrndup(name, namelen);
		char ymd[11] = "0001-01-01";

		if (m && m->has_date)
			memcpy(ymd, m->date_ymd, sizeof(ymd));
		else if (out->has_date)
			memcpy(ymd, out->ymd, sizeof(ymd));
		lang_prefix(c, out->lang, &b);
		expand(sitecfg_permalink(c, out->section), out->section, dir,
		    nm, slug, title ? title : nm, ymd, &b);
		free(nm);
	} else {
		lang_prefix(c, out->lang, &b);
		buf_addc(&b, '/');
		map_segments(&b, dir, strlen(dir), seg_fn(c));
		t = slug ? seg_fn(c)(slug, strlen(slug)) :
			   seg_fn(c)(name, namelen);
		if (slug && c->gen != GEN_ZOLA) {
			/* Hugo's slug may hold folders: "cn/about". */
			map_segments(&b, t, strlen(t), pm_urlize);
		} else if (*t) {
			buf_adds(&b, t);
			buf_addc(&b, '/');
		}
		free(t);
	}
	out->url = buf_detach(&b, NULL);
	if (!out->has_date)
		out->has_date = path_date(out->url, &out->date, out->ymd);
	free(dir);
	return 0;
}

char *
pm_join(const char *rel, const char *dest, size_t n)
{
	struct buf b = BUF_INIT;
	const char *slash = strrchr(rel, '/');
	char *out, *segs[256];
	size_t nseg = 0, i;
	char *p, *tok, *save;

	if (n == 0 || dest[0] != '/') {
		if (slash)
			buf_add(&b, rel, (size_t)(slash - rel + 1));
	}
	buf_add(&b, dest, n);
	p = buf_detach(&b, NULL);
	for (tok = strtok_r(p, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			if (nseg)
				nseg--;
			continue;
		}
		if (nseg < ARRAY_LEN(segs))
			segs[nseg++] = tok;
	}
	for (i = 0; i < nseg; i++)
		buf_printf(&b, "%s%s", i ? "/" : "", segs[i]);
	out = buf_detach(&b, NULL);
	free(p);
	return out;
}

int
pm_natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			const char *x = a, *y = b;
			size_t nx, ny;
			int c;

			while (*x == '0' && x[1] >= '0' && x[1] <= '9')
				x++;
			while (*y == '0' && y[1] >= '0' && y[1] <= '9')
				y++;
			for (a = x; *a >= '0' && *a <= '9'; a++)
				;
			for (b = y; *b >= '0' && *b <= '9'; b++)
				;
			nx = (size_t)(a - x);
			ny = (size_t)(b - y);
			if (nx != ny)
				return nx < ny ? -1 : 1;
			if ((c = memcmp(x, y, nx)) != 0)
				return c;
			continue;
		}
		{
			int ca = (unsigned char)*a, cb = (unsigned char)*b;

			if (ca >= 'A' && ca <= 'Z')
				ca += 32;
			if (cb >= 'A' && cb <= 'Z')
				cb += 32;
			if (ca != cb)
				return ca < cb ? -1 : 1;
		}
		a++;
		b++;
	}
	return (*a != '\0') - (*b != '\0');
}

static const char *
nz(const char *s)
{
	return s ? s : "";
}

/* Pages lacking the key go last; -2 when both have it. */
static int
missing(int ha, int hb)
{
	if (ha && hb)
		return -2;
	if (ha != hb)
		return ha ? -1 : 1;
	return 0;
}

static int
cmp_i64(int64_t x, int64_t y)
{
	return (x > y) - (x < y);
}

int
pm_order_cmp(enum pm_order o, const struct pm_key *a, const struct pm_key *b)
{
	int c = 0;

	switch (o) {
	case PM_ORDER_HUGO:
		/* Weight 0 (or none) is unweighted: after the weighted. */
		c = missing(a->has_weight && a->weight != 0,
		    b->has_weight && b->weight != 0);
		if (c == -2)
			c = cmp_i64(a->weight, b->weight);
		if (c == 0) /* undated pages are 0001-01-01 to Hugo */
			c = a->dated != b->dated ? (a->dated ? -1 : 1) :
			    a->dated		 ? cmp_i64(b->date, a->date) :
						   0;
		if (c == 0)
			c = strcasecmp(nz(a->title), nz(b->title));
		if (c == 0)
			c = strcmp(nz(a->title), nz(b->title));
		if (c == 0)
			c = strcmp(nz(a->path), nz(b->path));
		return c;
	case PM_ORDER_NEWEST:
	case PM_ORDER_DATE:
		if ((c = missing(a->dated, b->dated)) == -2)
			c = cmp_i64(b->date, a->date);
		else if (c == 0 && o == PM_ORDER_NEWEST)
			c = strcasecmp(nz(a->title), nz(b->title));
		break;
	case PM_ORDER_UPDATE: {
		int64_t x =
		    a->has_updated && (!a->dated || a->updated > a->date) ?
		    a->updated :
		    a->date;
		int64_t y =
		    b->has_updated && (!b->dated || b->updated > b->date) ?
		    b->updated :
		    b->date;

		if ((c = missing(a->dated || a->has_updated,
			 b->dated || b->has_updated)) == -2)
			c = cmp_i64(y, x);
		break;
	}
	case PM_ORDER_TITLE:
	case PM_ORDER_TITLE_BYTES:
		if ((c = missing(a->title != NULL, b->title != NULL)) == -2)
			c = o == PM_ORDER_TITLE ?
			    pm_natural_cmp(a->title, b->title) :
			    strcmp(a->title, b->title);
		break;
	case PM_ORDER_WEIGHT:
		if ((c = missing(a->has_weight, b->has_weight)) == -2)
			c = cmp_i64(a->weight, b->weight);
		break;
	case PM_ORDER_SLUG:
		c = pm_natural_cmp(nz(a->slug), nz(b->slug));
		break;
	}
	if (c == 0)
		c = strcmp(nz(a->url), nz(b->url));
	return c;
}

int
pm_published(const struct sitecfg *c, const struct post_meta *m, int dated,
    int64_t date, int64_t now, int64_t *next)
{
	int has_pub = m->has_publish;
	int64_t pub = m->publish;
	int live = 1;

	if (!has_pub && c->gen == GEN_HUGO && dated) {
		has_pub = 1; /* Hugo's publishDate defaults to the date */
		pub = date;
	}
	if (has_pub && pub > now) {
		live = 0;
		if (next && pub < *next)
			*next = pub;
	}
	/* Hugo: expired once the expiry date is before now. */
	if (m->has_expiry) {
		if (m->expiry < now)
			live = 0;
		else if (next && m->expiry + 1 < *next)
			*next = m->expiry + 1;
	}
	return live;
}
