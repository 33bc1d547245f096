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
	const char *md;		/* from's text, for the lines of warnings */
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
	else if (dest[0] == '/' && !site_is_md_name(dest, n)) {
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
		buf_adds(out, target->pm.url);
		buf_adds(out, frag);
		return 1;
	} else if (rc->from == NULL)
		return 0;
	else
		cp = pm_join(rc->from->relpath, dest, n);
	if (!site_is_md_name(cp, strlen(cp))) {
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
			int line = rc->md ? site_line_of(rc->md, dest, n) : 0;

			/* A ref as written: without the .md it was given. */
			if (line == 0 && rc->md && n > 3 &&
			    strncmp(dest + n - 3, ".md", 3) == 0)
				line = site_line_of(rc->md, dest, n - 3);
			diags_add(rc->d, DIAG_WARN, line, "%s", msg);
		}
		free(msg);
		free(cp);
		return 0;
	}
	free(cp);
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

/*
 * Reads a file that include or readfile names (path normalised by the
 * shortcode pass: relative, no dot segments): each folder is opened
 * without following a link, so nothing outside the root is ever read.
 */
static int
read_included(void *arg, enum shortcode_root kind, const char *path,
    struct buf *out)
{
	const struct site *s = arg;
	struct stat st;
	char *seg = xstrdup(path), *p = seg, *slash, *text;
	size_t len;
	/* include: under the content folder; readfile: the site root. */
	int base = kind == SHORTCODE_CONTENT ? s->contentfd : s->rootfd;
	int dfd = base, next;

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
	text = dfd == -1 ? NULL : site_read_all(dfd, p, &st, &len);
	if (dfd != -1 && dfd != base)
		close(dfd);
	free(seg);
	if (text == NULL)
		return -1;
	len = site_normalise(text, len);
	buf_add(out, text, len);
	free(text);
	return 0;
}

/*
 * p's Markdown body with its shortcodes expanded, into md; returns p's
 * whole text (in *owned when read from the file, to free), or NULL when
 * its file cannot be read any more (the body is then empty).
 */
static const char *
expand_body(const struct site *s, const struct post *p, struct buf *md,
    struct diags *d, char **owned)
{
	struct shortcode_opts sco;
	const char *text;
	const char *body;
	size_t off;
	int line;
	char *dir;

	if ((text = site_post_text(s, p, owned, &off, &line)) == NULL)
		return NULL;
	body = text + off;
	memset(&sco, 0, sizeof(sco));
	sco.read = read_included;
	sco.read_arg = (void *)(uintptr_t)s;
	sco.dir = dir = xstrdup(p->relpath);
	*(strrchr(dir, '/') ? strrchr(dir, '/') : dir) = '\0';
	shortcode_expand_opts(body, strlen(body), line, &sco, md, d);
	free(dir);
	return text;
}

/*
 * The body of p as v may see it, when it links to a post v may not see
 * (those links become their text), else NULL: the common body serves.
 * p's body must be rendered (its links known).
 */
char *
site_body_for(const struct site *s, const struct post *p,
    const struct viewer *v)
{
	struct gemtext_opts o = s->render;
	struct resolve_ctx rc = { s, p, NULL, v, NULL, NULL };
	struct buf md = BUF_INIT, g = BUF_INIT;
	struct diags d = { 0 }; /* reported by the first rendering */
	char *owned;
	size_t i;

	for (i = 0; i < p->nlinks; i++)
		if (site_post_status(s, v, p->links[i]) != 0)
			break;
	if (i == p->nlinks)
		return NULL;
	rc.md = expand_body(s, p, &md, &d, &owned);
	o.title = p->title;
	o.resolve = site_resolve;
	o.resolve_arg = &rc;
	gemtext_render(md.data, md.len, &o, &g, &d);
	diags_free(&d);
	buf_free(&md);
	free(owned);
	return buf_detach(&g, NULL);
}

char *
post_render_body(const struct site *s, const struct post *p,
    struct render_out *out)
{
	struct gemtext_opts o = s->render;
	struct resolve_ctx rc = { s, p, &out->diags, NULL, out, NULL };
	struct buf md = BUF_INIT, g = BUF_INIT;
	char *owned;

	rc.md = expand_body(s, p, &md, &out->diags, &owned);
	o.title = p->title;
	if (!s->standalone) {
		o.resolve = site_resolve;
		o.resolve_arg = &rc;
	}
	/* Past a limit or unparsable: the reason is in diags, for the log. */
	if (gemtext_render(md.data, md.len, &o, &g, &out->diags) == -1)
		buf_adds(&g,
		    "This post could not be rendered: it is larger or "
		    "more deeply nested than this server converts. The rest "
		    "of the capsule is served as usual.\n");
	buf_free(&md);
	free(owned);
	out->body = buf_detach(&g, NULL);
	out->words = count_words(out->body);
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

void
post_store_render(struct site *s, struct post *p, struct render_out *out)
{
	size_t i;

	site_drop_body(&s->cache, p);
	p->body_gmi = out->body;
	p->words = out->words;
	free(p->links);
	p->links = out->links;
	p->nlinks = out->nlinks;
	p->caplinks = out->caplinks;
	site_strs_free(p->deps, p->ndeps);
	p->deps = out->deps;
	p->ndeps = out->ndeps;
	p->cdeps = out->cdeps;
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
	lru_add(&s->cache, &p->cnode,
	    sizeof(*p) + strlen(p->body_gmi) + 1 +
		p->nlinks * sizeof(*p->links));
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
 * the rest, no links).
 */
void
site_post_summary(const struct site *s, struct post *p)
{
	struct gemtext_opts so = s->render;
	struct buf md = BUF_INIT, sg = BUF_INIT;
	struct diags d = { 0 }; /* the rendering reports them */
	const char *more;
	char *owned = NULL;

	free(p->summary);
	p->summary = NULL;
	if (p->meta.description != NULL || !p->more)
		return;
	expand_body(s, p, &md, &d, &owned);
	if (md.data && (more = strstr(md.data, "<!--more-->")) != NULL) {
		so.title = p->title;
		so.links = GEMTEXT_LINKS_OFF;
		gemtext_render(md.data, (size_t)(more - md.data), &so, &sg,
		    NULL);
		p->summary = gemtext_plain(sg.data ? sg.data : "");
	}
	diags_free(&d);
	buf_free(&sg);
	buf_free(&md);
	free(owned);
}

/* --- rendering off the loop (renderq.h) ------------------------------ */

struct render_job {
	struct rq_job j; /* first */
	struct site *s;
	struct post *p;	 /* NULL: gone before it ran */
	const void *key; /* what the waiters park on */
	struct render_out out;
};

/* On the render thread: reads the site and the post, writes the job. */
static void
render_job_run(struct rq_job *j)
{
	struct render_job *rj = (struct render_job *)j;

	if (rj->p)
		post_render_body(rj->s, rj->p, &rj->out);
}

/* On the loop thread: store the body, wake the waiters. */
static void
render_job_done(struct rq_job *j)
{
	struct render_job *rj = (struct render_job *)j;
	struct site *s = rj->s;

	if (rj->p) {
		rj->p->job = NULL;
		if (!j->cancelled && rj->out.body)
			post_store_render(s, rj->p, &rj->out);
	}
	site_render_out_free(&rj->out);
	if (s->rendered && !j->cancelled)
		s->rendered(s->rendered_arg, rj->key);
	free(rj);
}

const void *
site_render_async(struct site *s, struct post *p)
{
	struct render_job *rj;

	if (p->job == NULL) {
		rj = xcalloc(1, sizeof(*rj));
		rj->j.run = render_job_run;
		rj->j.done = render_job_done;
		rj->s = s;
		rj->p = p;
		rj->key = p;
		p->job = rj;
		log_debug("%s: rendering off the loop", p->relpath);
		renderq_push(s->rq, &rj->j);
	}
	return p->job->key;
}

void
site_render_forget(struct post *p)
{
	if (p->job) {
		p->job->p = NULL;
		p->job = NULL;
	}
}
