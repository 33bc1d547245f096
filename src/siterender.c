/*
 * siterender: one post's links and rendering, apart from the model so
 * that it may run on a render thread (post_render_body reads the site
 * and the post only); storing the result, in the site's cache, is the
 * loop thread's (post_store_render).
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

#include "buf.h"
#include "gemtext.h"
#include "log.h"
#include "lru.h"
#include "renderq.h"
#include "search.h"
#include "shortcode.h"
#include "site.h"
#include "siteint.h"
#include "util.h"

struct resolve_ctx {
	const struct site *s;
	const struct post *from;
	struct diags *d; /* unresolved links are warned about here */
	/* NULL: link every post (and note them in out); else v's. */
	const struct viewer *v;
	struct render_out *out; /* NULL: note nothing */
};

/* The 1-based line of the first occurrence of needle in md, or 0. */
int
site_line_of(const char *md, const char *needle, size_t n)
{
	const char *hit = memmem(md, strlen(md), needle, n), *p;
	int line = 1;

	if (hit == NULL || n == 0)
		return 0;
	for (p = md; p < hit; p++)
		line += *p == '\n';
	return line;
}

static size_t
count_words(const char *s)
{
	size_t n = 0;
	int in = 0;

	for (; *s; s++) {
		int space = *s == ' ' || *s == '\n' || *s == '\t';

		if (!space && !in)
			n++;
		in = !space;
	}
	return n;
}

/*
 * The URL of a content-relative path that is no page: a file in a
 * page's bundle is beside the page's URL; anything else is at its
 * content path (a bare folder, Hugo's section files).
 */
static void
file_url(const struct site *s, const char *cp, struct buf *out)
{
	const char *slash = strrchr(cp, '/');
	size_t n = slash ? (size_t)(slash - cp) : 0;
	struct post *p;

	while (n > 0) {
		if ((p = strmap_get(&s->by_bundle, cp, n)) != NULL) {
			buf_adds(out, p->pm.url);
			buf_adds(out, cp + n + 1);
			return;
		}
		while (n > 0 && cp[n - 1] != '/')
			n--;
		if (n > 0)
			n--;
	}
	buf_addc(out, '/');
	buf_adds(out, cp);
}

static void
add_dep(struct render_out *out, char *key)
{
	out->deps =
	    xgrow(out->deps, &out->cdeps, out->ndeps + 1, sizeof(*out->deps));
	out->deps[out->ndeps++] = key;
}

/* The page at content path cp, in language lang (NULL: the default). */
static struct post *
find_lang(const struct site *s, const char *cp, size_t n, const char *lang)
{
	struct post *p;
	char *t;

	if (lang == NULL)
		return strmap_get(&s->by_relpath, cp, n);
	t = xasprintf("%.*s.%s.md", (int)n - 3, cp, lang);
	p = site_find_post(s, t);
	free(t);
	return p ? p : strmap_get(&s->by_relpath, cp, n);
}

/*
 * What Hugo's ref and relref find for a path that names no file: the
 * path from the content top, then as a bundle (X/index.md) or section
 * (X/_index.md), then a page by its base name ("bundle"), each in the
 * linking page's language first.
 */
static struct post *
find_ref(const struct site *s, const struct post *from, const char *dest,
    size_t n, const char *cp)
{
	static const char *const tails[] = { "", "/index.md", "/_index.md" };
	const char *lang = from ? from->pm.lang : NULL;
	char *tries[2], *t;
	struct post *p = NULL;
	size_t i, j, len;

	if (strncmp(dest, "@/", 2) == 0)
		return NULL;
	tries[0] = xstrdup(cp);
	tries[1] = pm_join("", dest, n);
	for (i = 0; i < 2 && p == NULL; i++) {
		len = strlen(tries[i]);
		if (len < 3 || strcmp(tries[i] + len - 3, ".md") != 0)
			continue;
		for (j = 0; j < 3 && p == NULL; j++) {
			t = xasprintf("%.*s%s", (int)(j ? len - 3 : len),
			    tries[i], tails[j]);
			p = find_lang(s, t, strlen(t), lang);
			free(t);
		}
	}
	/* A bare name: the page whose file or bundle is called so. */
	len = strlen(tries[1]);
	if (p == NULL && memchr(dest, '/', n) == NULL && len > 3 &&
	    strcmp(tries[1] + len - 3, ".md") == 0) {
		p = strmap_get(&s->by_base, tries[1], len - 3);
		/* The same page in the linking page's language. */
		if (p && lang && p->pm.lang == NULL)
			p = find_lang(s, p->relpath, strlen(p->relpath), lang);
	}
	free(tries[0]);
	free(tries[1]);
	return p;
}

/*
 * A link to target's page, however it was written: its URL (noted among
 * the body's links), or -1 (its text only) when it has no page or the
 * reader may not see it.
 */
static int
link_to(struct resolve_ctx *rc, struct post *target, const char *frag,
    struct buf *out)
{
	if (site_not_rendered(target))
		return -1; /* a page with no page: its text */
	if (rc->v && site_post_status(rc->s, rc->v, target) != 0)
		return -1; /* a page this reader may not see: text only */
	if (rc->v == NULL && rc->out) {
		rc->out->links = xgrow(rc->out->links, &rc->out->caplinks,
		    rc->out->nlinks + 1, sizeof(*rc->out->links));
		rc->out->links[rc->out->nlinks++] = target;
	}
	buf_adds(out, target->pm.url);
	buf_adds(out, frag);
	return 1;
}

static int
site_resolve(void *arg, const char *dest, struct buf *out)
{
	struct resolve_ctx *rc = arg;
	const struct site *s = rc->s;
	struct post *target;
	const char *frag, *base = s->cfg.base_url;
	size_t n, bl;
	char *cp;

	if (strncmp(dest, "mailto:", 7) == 0)
		return 0;
	/* A full URL under the site's own base is a site path. */
	if (base && (bl = strlen(base)) > 0 && base[bl - 1] == '/')
		bl--;
	if (base && bl > 0 && strncmp(dest, base, bl) == 0 &&
	    (dest[bl] == '/' || dest[bl] == '\0' || dest[bl] == '#')) {
		dest += bl;
		if (*dest == '\0')
			dest = "/";
	} else if (strstr(dest, "://") || strncmp(dest, "//", 2) == 0)
		return 0;
	n = strcspn(dest, "#?");
	frag = dest + n;
	if (strncmp(dest, "@/", 2) == 0) /* Zola: from the content top */
		cp = pm_join("", dest + 1, n - 1);
	else if (dest[0] == '/' && !pm_md_ext(dest, n)) {
		/* A site path: a page's URL, with or without its slash. */
		char *want = xasprintf("%.*s/", (int)n, dest);

		target = strmap_get(&s->by_url, dest, n);
		if (target == NULL && n > 0 && dest[n - 1] != '/')
			target = strmap_get(&s->by_url, want, strlen(want));
		if (rc->out) {
			add_dep(rc->out, xstrndup(dest, n));
			if (n > 0 && dest[n - 1] != '/')
				add_dep(rc->out, xstrdup(want));
		}
		free(want);
		if (target == NULL)
			return 0;
		return link_to(rc, target, frag, out);
	} else if (rc->from == NULL)
		return 0;
	else
		cp = pm_join(rc->from->relpath, dest, n);
	if (!pm_md_ext(cp, strlen(cp))) {
		/* A file beside the page, or elsewhere in the content. */
		if (dest[0] == '/' || n == 0) {
			free(cp);
			return 0;
		}
		/*
		 * Not beside the page: a shortcode's path (Zola's figure
		 * image=) may count from the top of the content.
		 */
		if (!s->standalone && dest[0] != '.' &&
		    faccessat(s->contentfd, cp, F_OK, 0) == -1) {
			char *top = pm_join("", dest, n);

			if (faccessat(s->contentfd, top, F_OK, 0) == 0) {
				free(cp);
				cp = top;
			} else
				free(top);
		}
		file_url(s, cp, out);
		buf_adds(out, frag);
		free(cp);
		return 1;
	}
	target = site_find_post(s, cp);
	if (rc->out)
		add_dep(rc->out, xstrdup(cp));
	if (target == NULL)
		target = find_ref(s, rc->from, dest, n, cp);
	if (target == NULL) {
		char *msg = xasprintf("link to '%.*s' names no page in the "
				      "site",
		    (int)n, dest);
		size_t i;

		for (i = 0; rc->d && i < rc->d->n; i++)
			if (strcmp(rc->d->v[i].msg, msg) == 0)
				break;
		if (rc->d && i == rc->d->n) {
			/* The line, from the text (the model keeps its head). */
			char *owned = NULL;
			size_t off;
			int line = 0, tl;
			const char *md = rc->from ?
			    site_post_text(s, rc->from, &owned, &off, &tl) :
			    NULL;

			if (md)
				line = site_line_of(md, dest, n);
			/* A ref as written: without the .md it was given. */
			if (line == 0 && md && n > 3 &&
			    strncmp(dest + n - 3, ".md", 3) == 0)
				line = site_line_of(md, dest, n - 3);
			free(owned);
			diags_add(rc->d, DIAG_WARN, line, "%s", msg);
		}
		free(msg);
		free(cp);
		return 0;
	}
	free(cp);
	return link_to(rc, target, frag, out);
}

/* Plain text of rendered gemtext (text, list and quote lines). */
static char *
gemtext_plain(const char *g)
{
	struct buf b = BUF_INIT;
	const char *p = g, *e;
	int pre = 0;

	while (*p) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if (strncmp(p, "```", 3) == 0)
			pre = !pre;
		else if (!pre && e > p && strncmp(p, "=>", 2) != 0 &&
		    *p != '#') {
			const char *t = p;

			if (strncmp(t, "* ", 2) == 0 ||
			    strncmp(t, "> ", 2) == 0)
				t += 2;
			if (b.len)
				buf_addc(&b, ' ');
			buf_add(&b, t, (size_t)(e - t));
		}
		p = *e ? e + 1 : e;
	}
	return buf_detach(&b, NULL);
}

/* What read_included reads for: the site, and a byte budget. */
struct read_ctx {
	const struct site *s;
	size_t left; /* SIZE_MAX: no budget */
	int over;    /* a file was refused for the budget */
};

/*
 * Reads a file that include or readfile names (path normalised by the
 * shortcode pass: relative, no dot segments): each folder is opened
 * without following a link, so nothing outside the root is ever read.
 */
static int
read_included(void *arg, enum shortcode_root kind, const char *path,
    struct buf *out)
{
	struct read_ctx *ctx = arg;
	const struct site *s = ctx->s;
	struct stat st;
	char *seg, *p, *slash, *text;
	size_t len;
	/* include: under the content folder; readfile: the site root. */
	int base = kind == SHORTCODE_CONTENT ? s->contentfd : s->rootfd;
	int dfd = base, next;

	if (ctx->over)
		return -1;
	seg = p = xstrdup(path);
	while ((slash = strchr(p, '/')) != NULL) {
		*slash = '\0';
		next = openat(dfd, p,
		    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd != base)
			close(dfd);
		if ((dfd = next) == -1)
			break;
		p = slash + 1;
	}
	/* Past the budget: not read at all (the caller renders elsewhere). */
	if (dfd != -1 && ctx->left != SIZE_MAX &&
	    (fstatat(dfd, p, &st, 0) == -1 || (size_t)st.st_size > ctx->left))
		ctx->over = 1;
	text = dfd == -1 || ctx->over ? NULL : site_read_all(dfd, p, &st, &len);
	if (dfd != -1 && dfd != base)
		close(dfd);
	free(seg);
	if (text == NULL)
		return -1;
	len = site_normalise(text, len);
	if (ctx->left != SIZE_MAX)
		ctx->left -= len < ctx->left ? len : ctx->left;
	buf_add(out, text, len);
	free(text);
	return 0;
}

/*
 * p's Markdown body (its first max bytes) with its shortcodes expanded,
 * into md; with a budget (not SIZE_MAX), -1 as soon as the files it
 * includes are past it.
 */
static int
expand_body_n(const struct site *s, const struct post *p, size_t max,
    struct buf *md, struct diags *d, size_t budget)
{
	struct read_ctx ctx = { s, budget, 0 };
	struct shortcode_opts sco;
	char *dir, *owned;
	const char *text, *body;
	size_t len, off;
	int line;

	/* Read again from the file once parsed; gone: an empty body. */
	if ((text = site_post_text(s, p, &owned, &off, &line)) == NULL)
		return 0;
	body = text + off;
	len = strnlen(body, max);
	memset(&sco, 0, sizeof(sco));
	sco.read = read_included;
	sco.read_arg = &ctx;
	sco.dir = dir = xstrdup(p->relpath);
	*(strrchr(dir, '/') ? strrchr(dir, '/') : dir) = '\0';
	shortcode_expand_opts(body, len, line, &sco, md, d);
	free(dir);
	free(owned);
	return ctx.over ? -1 : 0;
}

static int
expand_body(const struct site *s, const struct post *p, struct buf *md,
    struct diags *d, size_t budget)
{
	return expand_body_n(s, p, SIZE_MAX, md, d, budget);
}

/*
 * The plain text search indexes of p, from its source without rendering
 * (issue 16): its first SITE_SEARCH_MAX bytes, included files up to as
 * much again, so that a huge post costs the loop little (issue 10).
 */
void
site_search_text(const struct site *s, const struct post *p, struct buf *out)
{
	struct buf md = BUF_INIT;
	struct diags d = { 0 }; /* reported by the rendering */

	(void)expand_body_n(s, p, SITE_SEARCH_MAX, &md, &d, SITE_SEARCH_MAX);
	search_markdown(md.data ? md.data : "", md.len, out);
	diags_free(&d);
	buf_free(&md);
}

/* 1 when v may not see one of the posts a body links to. */
static int
hides_some(const struct site *s, const struct viewer *v,
    struct post *const *links, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (site_post_status(s, v, links[i]) != 0)
			return 1;
	return 0;
}

/* Renders md, p's expanded body, into out (whose diags it adds to). */
static void
render_md(const struct site *s, const struct post *p, struct buf *md,
    const struct viewer *v, struct render_out *out)
{
	struct gemtext_opts o = s->render;
	struct resolve_ctx rc = { s, p, &out->diags, v, v ? NULL : out };
	struct buf g = BUF_INIT;

	o.title = p->title;
	if (!s->standalone) {
		o.resolve = site_resolve;
		o.resolve_arg = &rc;
	}
	/* Past a limit or unparsable: the reason is in diags, for the log. */
	if (gemtext_render(md->data ? md->data : "", md->len, &o, &g,
		&out->diags) == -1)
		buf_adds(&g,
		    "This post could not be rendered: it is larger or "
		    "more deeply nested than this server converts. The rest "
		    "of the capsule is served as usual.\n");
	out->xsize = md->len;
	out->body = buf_detach(&g, NULL);
	out->words = count_words(out->body);
}

/*
 * The body of p as v may see it: the links to posts v may not see as
 * their text (malloc'd; its diagnostics were reported by the common one).
 */
static char *
variant_render(const struct site *s, const struct post *p,
    const struct viewer *v)
{
	struct render_out out;
	struct buf md = BUF_INIT;

	memset(&out, 0, sizeof(out));
	expand_body(s, p, &md, &out.diags, SIZE_MAX);
	render_md(s, p, &md, v, &out);
	buf_free(&md);
	diags_free(&out.diags);
	return out.body;
}

char *
post_render_body(const struct site *s, const struct post *p,
    struct render_out *out)
{
	struct buf md = BUF_INIT;

	expand_body(s, p, &md, &out->diags, SIZE_MAX);
	render_md(s, p, &md, NULL, out);
	buf_free(&md);
	return out->body;
}

void
site_render_out_free(struct render_out *out)
{
	free(out->body);
	free(out->links);
	site_strs_free(out->deps, out->ndeps);
	diags_free(&out->diags);
	memset(out, 0, sizeof(*out));
}

/* What p's cached renderings weigh in the cache. */
static size_t
post_bytes(const struct post *p)
{
	size_t i,
	    n = sizeof(*p) + strlen(p->body_gmi) + 1 +
	    p->nlinks * sizeof(*p->links);

	for (i = 0; i < p->nvar; i++)
		n += sizeof(*p->var) + strlen(p->var[i].key) +
		    strlen(p->var[i].body) + 2;
	return n;
}

void
post_store_render(struct site *s, struct post *p, struct render_out *out)
{
	size_t i;

	site_drop_body(&s->cache, p);
	p->body_gmi = out->body;
	p->words = out->words;
	p->xsize = out->xsize;
	free(p->links);
	p->links = out->links;
	p->nlinks = out->nlinks;
	site_strs_free(p->deps, p->ndeps);
	p->deps = out->deps;
	p->ndeps = out->ndeps;
	/* A re-render reports its findings afresh; logged the first time. */
	while (p->diags.n > p->parse_diags)
		free(p->diags.v[--p->diags.n].msg);
	for (i = 0; i < out->diags.n; i++)
		diags_add(&p->diags, out->diags.v[i].level,
		    out->diags.v[i].line, "%s", out->diags.v[i].msg);
	if (!p->rendered)
		site_log_diags(s, p, p->parse_diags);
	p->rendered = 1;
	diags_free(&out->diags);
	memset(out, 0, sizeof(*out));
	lru_add(&s->cache, &p->cnode, post_bytes(p));
}

/* p's body, rendered now when it is not in the cache. */
const char *
site_post_body(struct site *s, struct post *p)
{
	struct render_out out;

	if (p->body_gmi) {
		lru_touch(&s->cache, &p->cnode);
		return p->body_gmi;
	}
	memset(&out, 0, sizeof(out));
	post_render_body(s, p, &out);
	post_store_render(s, p, &out);
	return p->body_gmi;
}

/*
 * The text before <!--more-->, when there is no description: listings
 * show it, so it is made at load, from that part only (no rendering of
 * the rest, no links), and from its first SITE_RENDER_INLINE bytes at
 * most (cut after a paragraph).
 */
void
site_post_summary(const struct site *s, struct post *p)
{
	struct gemtext_opts so = s->render;
	struct buf md = BUF_INIT, sg = BUF_INIT;
	struct diags d = { 0 }; /* the rendering reports them */
	const char *more;

	free(p->summary);
	p->summary = NULL;
	if (p->meta.description != NULL || !p->more)
		return;
	/* Made on the loop, at every edit: bounded as inline renderings. */
	if (expand_body(s, p, &md, &d, SITE_RENDER_INLINE) == 0 && md.data &&
	    (more = strstr(md.data, "<!--more-->")) != NULL) {
		size_t n = (size_t)(more - md.data);

		/* A few paragraphs: a longer text is cut after one. */
		if (n > SITE_RENDER_INLINE) {
			for (n = SITE_RENDER_INLINE; n > 1; n--)
				if (md.data[n - 1] == '\n' &&
				    md.data[n - 2] == '\n')
					break;
			if (n <= 1) /* one long paragraph: at a character */
				for (n = SITE_RENDER_INLINE;
				     n > 0 && (md.data[n] & 0xC0) == 0x80; n--)
					;
		}
		so.title = p->title;
		so.links = GEMTEXT_LINKS_OFF;
		so.max_table_cells =
		    SITE_INLINE_CELLS; /* tables are not in it */
		gemtext_render(md.data, n, &so, &sg, NULL);
		p->summary = gemtext_plain(sg.data ? sg.data : "");
	}
	diags_free(&d);
	buf_free(&sg);
	buf_free(&md);
}

/* --- bodies as each class sees them; rendering off the loop ------ */

static const char *
variant_find(const struct post *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->nvar; i++)
		if (strcmp(p->var[i].key, key) == 0)
			return p->var[i].body;
	return NULL;
}

/* Keeps body as p's for class key, with p's cached body (there). */
static const char *
variant_store(struct site *s, struct post *p, const char *key, char *body)
{
	p->var = xrealloc(p->var, (p->nvar + 1) * sizeof(*p->var));
	p->var[p->nvar].key = xstrdup(key);
	p->var[p->nvar++].body = body;
	lru_remove(&s->cache, &p->cnode);
	lru_add(&s->cache, &p->cnode, post_bytes(p));
	return body;
}

/*
 * p's body rendered on the loop, and stored, when its expanded Markdown
 * fits the request's budget and holds few table cells; else NULL.
 */
static const char *
body_inline(struct site *s, struct post *p)
{
	struct render_out out;
	struct buf md = BUF_INIT;

	/* The file bounds its body: too long, not even expanded. */
	if ((size_t)p->st.size > s->budget)
		return NULL;
	memset(&out, 0, sizeof(out));
	if (expand_body(s, p, &md, &out.diags, s->budget) == -1 ||
	    md.len > s->budget ||
	    gemtext_table_cells(md.data, md.len) > SITE_INLINE_CELLS) {
		buf_free(&md);
		site_render_out_free(&out);
		return NULL;
	}
	s->budget -= md.len;
	render_md(s, p, &md, NULL, &out);
	buf_free(&md);
	post_store_render(s, p, &out);
	return p->body_gmi;
}

static void
need_add(struct site *s, struct post *p, int common)
{
	size_t i;

	for (i = 0; i < s->nneed; i++)
		if (s->need[i].p == p) {
			s->need[i].common |= common;
			return;
		}
	s->need = xgrow(s->need, &s->cneed, s->nneed + 1, sizeof(*s->need));
	s->need[s->nneed].p = p;
	s->need[s->nneed++].common = common;
}

const char *
site_body_as(struct site *s, const char *key, const struct viewer *v,
    struct post *p)
{
	const char *b;

	if (p->body_gmi) {
		lru_touch(&s->cache, &p->cnode);
		b = p->body_gmi;
	} else if (!s->defer)
		b = site_post_body(s, p);
	else if ((b = body_inline(s, p)) == NULL) {
		need_add(s, p, 1);
		return "";
	}
	if (!hides_some(s, v, p->links, p->nlinks))
		return b;
	if ((b = variant_find(p, key)) != NULL)
		return b;
	if (s->defer) {
		/* The same cost as its body's rendering: the same rule. */
		if (p->xsize > s->budget || (size_t)p->st.size > s->budget) {
			need_add(s, p, 0);
			return "";
		}
		s->budget -= p->xsize;
	}
	return variant_store(s, p, key, variant_render(s, p, v));
}

/*
 * One post's rendering off the loop: its body (unless cached when asked
 * for) and, when the class asking may not see some post it links to, its
 * body as that class sees it. One post a job, so that writes to the
 * model (renderq_exclusive) wait for one rendering at most.
 */
struct render_job {
	struct rq_job j; /* first */
	struct site *s;
	struct post *p;	   /* NULL: gone before it ran */
	int common;	   /* its body too, else only the variant */
	struct viewer v;   /* a copy: the request may be gone when it runs */
	char *fingerprint; /* v's, owned */
	char *key;	   /* v's class */
	unsigned long seq; /* order of queueing */
	struct render_out out;
	char *var; /* its body as v's class sees it, or NULL */
};

/* On the render thread: reads the site and the posts, writes the job. */
static void
render_job_run(struct rq_job *j)
{
	struct render_job *rj = (struct render_job *)j;

	if (rj->p == NULL)
		return;
	if (rj->common) {
		post_render_body(rj->s, rj->p, &rj->out);
		if (!hides_some(rj->s, &rj->v, rj->out.links, rj->out.nlinks))
			return;
	}
	rj->var = variant_render(rj->s, rj->p, &rj->v);
}

/* On the loop thread: store the bodies, wake the waiters. */
static void
render_job_done(struct rq_job *j)
{
	struct render_job *rj = (struct render_job *)j;
	struct site *s = rj->s;
	struct post *p = rj->p;

	if (p) {
		p->job = NULL;
		if (!j->cancelled && rj->out.body)
			post_store_render(s, p, &rj->out);
		/* Only beside the body it was made from. */
		if (!j->cancelled && rj->var && p->body_gmi &&
		    variant_find(p, rj->key) == NULL) {
			variant_store(s, p, rj->key, rj->var);
			rj->var = NULL;
		}
	}
	site_render_out_free(&rj->out);
	free(rj->var);
	if (s->rendered && !j->cancelled)
		s->rendered(s->rendered_arg, rj);
	free(rj->fingerprint);
	free(rj->key);
	free(rj);
}

const void *
site_render_need(struct site *s, const struct viewer *v, const char *key)
{
	struct render_job *rj, *wait = NULL;
	struct post *p;
	size_t i;

	for (i = 0; i < s->nneed; i++) {
		p = s->need[i].p;
		if ((rj = p->job) == NULL) {
			rj = xcalloc(1, sizeof(*rj));
			rj->j.run = render_job_run;
			rj->j.done = render_job_done;
			rj->s = s;
			rj->p = p;
			rj->common = s->need[i].common;
			rj->v = *v;
			if (v->fingerprint)
				rj->v.fingerprint = rj->fingerprint =
				    xstrdup(v->fingerprint);
			rj->key = xstrdup(key);
			rj->seq = ++s->job_seq;
			p->job = rj;
			log_debug("%s: rendering off the loop%s", p->relpath,
			    rj->common ? "" : " (as one class sees it)");
			renderq_push(s->rq, &rj->j);
		}
		/*
		 * Jobs start in order; with several threads one may end
		 * before an earlier one, and the woken request then asks
		 * again for what is still missing.
		 */
		if (wait == NULL || rj->seq > wait->seq)
			wait = rj;
	}
	s->nneed = 0;
	return wait;
}

void
site_render_forget(struct post *p)
{
	if (p->job) {
		p->job->p = NULL;
		p->job = NULL;
	}
}
