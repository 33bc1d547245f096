/*
 * sitecmd: the convert and check commands, front ends of the site model:
 * a post rendered exactly as the server serves it, and a capsule linted
 * with file:line messages and every link routed as the server would.
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
#include "gemini.h"
#include "gemtext.h"
#include "page.h"
#include "pages.h"
#include "site.h"
#include "siteint.h"
#include "sitecfg.h"
#include "url.h"
#include "util.h"

static char *
read_stdin(size_t *len)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	ssize_t n;

	while ((n = read(0, chunk, sizeof(chunk))) > 0) {
		buf_add(&b, chunk, (size_t)n);
		if (b.len > SITE_MAX_POST) {
			errno = EFBIG;
			buf_free(&b);
			return NULL;
		}
	}
	if (n == -1) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b, len);
}

/*
 * The site root holding path: the nearest folder above it with a site
 * config. Returns a malloc'd path, or NULL.
 */
static char *
find_site_root(const char *path)
{
	char *dir = realpath(path, NULL), *slash;
	struct sitecfg c;
	struct diags d = { 0 };
	int fd, found = 0;

	while (dir && (slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if ((fd = open(dir[0] ? dir : "/",
			 O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
			break;
		sitecfg_init(&c);
		found = sitecfg_load(&c, fd, &d) == 0 && c.gen != GEN_BARE;
		sitecfg_free(&c);
		diags_free(&d);
		close(fd);
		if (found)
			return dir;
	}
	free(dir);
	return NULL;
}

static void
convert_diags(const struct post *p, struct diags *d)
{
	size_t i;

	for (i = 0; i < p->diags.n; i++)
		diags_add(d, p->diags.v[i].level, p->diags.v[i].line, "%s",
		    p->diags.v[i].msg);
}

int
site_convert_file(const char *path, const struct gemtext_opts *ro,
    int body_only, struct buf *out, struct diags *d)
{
	struct site_opts so;
	struct site *s;
	struct post *p;
	struct page_post pp;
	struct page_site ps;
	struct stat st;
	size_t len;
	char *md, *root = NULL;
	int rootfd;

	memset(&so, 0, sizeof(so));
	/* No access rules: every page is shown, drafts too. */
	so.render = *ro;
	so.cache_size = SIZE_MAX; /* one run: nothing evicted */
	/* A file of a site: rendered exactly as the server serves it. */
	if (strcmp(path, "-") != 0 && (root = find_site_root(path)) != NULL &&
	    (rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) != -1) {
		char *real = realpath(path, NULL), *rel = NULL;
		size_t rl;

		s = site_alloc(root, rootfd, &so);
		site_config(s);
		site_sync(s, 0);
		rl = strlen(root) + strlen(s->cfg.content_dir) + 1;
		if (real && strlen(real) > rl &&
		    strncmp(real + strlen(root) + 1, s->cfg.content_dir,
			strlen(s->cfg.content_dir)) == 0)
			rel = real + rl + (s->cfg.content_dir[0] ? 1 : 0);
		p = rel ? site_find_post(s, rel) : NULL;
		if (p != NULL) {
			/* A published page as served: among published pages. */
			struct pageset pub = { 0 };
			struct viewer pv;
			struct page *pg;

			access_viewer(NULL, NULL, 0, &pv);
			pv.drafts = p->meta.draft || p->unpub;
			if (!pv.drafts)
				site_pageset_build(s, &pub, &pv);
			pg = site_route_get(s, pv.drafts ? &s->base : &pub, &pv,
			    p->pm.url, strlen(p->pm.url));
			if (body_only || pg == NULL)
				buf_adds(out, site_post_body(s, p));
			else
				buf_add(out, pg->data + pg->body_off,
				    pg->len - pg->body_off);
			site_pageset_free(s, &pub);
			convert_diags(p, d);
		}
		free(real);
		site_free(s);
		close(rootfd);
		free(root);
		if (p != NULL)
			return 0;
	} else
		free(root);
	memset(&st, 0, sizeof(st));
	if (strcmp(path, "-") == 0)
		md = read_stdin(&len);
	else
		md = site_read_all(AT_FDCWD, path, &st, &len);
	if (md == NULL)
		return -1;
	memset(&so, 0, sizeof(so));
	so.render = *ro;
	so.cache_size = SIZE_MAX;
	s = site_alloc(".", AT_FDCWD, &so);
	sitecfg_init(&s->cfg);
	s->standalone = 1;
	p = site_post_parse(&s->cfg, strcmp(path, "-") == 0 ? "stdin.md" : path,
	    md, len, &st);
	site_post_summary(s, p);
	site_post_body(s, p);
	if (body_only)
		buf_adds(out, p->body_gmi);
	else {
		memset(&ps, 0, sizeof(ps));
		ps.title = p->title;
		ps.base_url = s->base_url;
		site_page_post(p, &pp);
		pages_post(&ps, &pp, p->body_gmi, NULL, NULL, out);
	}
	convert_diags(p, d);
	site_post_free(&s->cache, p);
	site_free(s);
	return 0;
}

static void
report(const char *root, const char *rel, const struct diag *dg, int *errors,
    int *warnings)
{
	const char *w = dg->level == DIAG_WARN ? "warning: " : "";

	if (dg->line)
		printf("%s/%s:%d: %s%s\n", root, rel, dg->line, w, dg->msg);
	else
		printf("%s/%s: %s%s\n", root, rel, w, dg->msg);
	if (dg->level == DIAG_WARN)
		(*warnings)++;
	else
		(*errors)++;
}

/*
 * Every link and image of a page that answers nothing: each is routed
 * as the server would route it, files looked up where it would look.
 */
static void
check_links(struct site *s, const struct post *p, int *errors, int *warnings)
{
	const char *l = p->body_gmi, *e;
	struct diag dg = { DIAG_WARN, 0, NULL };
	struct buf file = BUF_INIT;
	struct viewer all;
	char *raw;

	access_viewer(NULL, NULL, 0, &all); /* sees every page */
	for (; *l; l = *e ? e + 1 : e) {
		const char *t, *err;
		char *target, *line;
		struct response resp;
		struct url u;
		size_t n;
		int ok = 1;

		e = strchr(l, '\n');
		if (e == NULL)
			e = l + strlen(l);
		if (strncmp(l, "=>", 2) != 0)
			continue;
		for (t = l + 2; *t == ' ' || *t == '\t'; t++)
			;
		n = strcspn(t, " \t\n");
		target = xstrndup(t, n);
		if ((strchr(target, ':') &&
			strncmp(target, s->base_url, strlen(s->base_url)) !=
			    0) ||
		    target[0] == '#' || site_is_markdown(target) ||
		    strstr(target, ".md#")) {
			free(target);
			continue;
		}
		if (strncmp(target, s->base_url, strlen(s->base_url)) == 0)
			line = xasprintf("gemini://h%s",
			    target + strlen(s->base_url));
		else if (target[0] == '/')
			line = xasprintf("gemini://h%s", target);
		else
			line =
			    xasprintf("gemini://h%s/../%s", p->pm.url, target);
		if (url_parse(line, strlen(line), &u, &err) == 0) {
			memset(&resp, 0, sizeof(resp));
			buf_reset(&file);
			if (site_route(s, &u, &all, &resp, &file))
				ok = resp.status == GEMINI_SUCCESS ||
				    resp.status == GEMINI_REDIRECT_PERM;
			else
				ok = faccessat(s->rootfd,
					 file.len      ? file.data :
					     u.path[1] ? u.path + 1 :
							 ".",
					 F_OK, 0) == 0;
			page_unref(resp.page);
			url_free(&u);
		}
		if (!ok) {
			/* The link as written, to find its line. */
			raw = xstrdup(target);
			dg.line = site_line_of(p->md, raw, strlen(raw));
			if (dg.line == 0) {
				char *slash = strrchr(raw, '/');

				dg.line =
				    site_line_of(p->md, slash ? slash : raw,
					strlen(slash ? slash : raw));
			}
			free(raw);
			dg.msg = xasprintf("link to '%s' names nothing in "
					   "the capsule",
			    target);
			report(s->croot, p->relpath, &dg, errors, warnings);
			free(dg.msg);
		}
		free(line);
		free(target);
	}
	buf_free(&file);
}

int
site_check(const char *root, const struct gemtext_opts *ro, int list,
    int *warnings)
{
	struct site_opts so;
	struct site *s;
	struct post *first;
	size_t i, j;
	int rootfd, errors = 0;

	*warnings = 0;
	if ((rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	memset(&so, 0, sizeof(so));
	if (ro)
		so.render = *ro;
	else
		gemtext_opts_default(&so.render);
	so.cache_size = SIZE_MAX; /* one run: every body kept */
	s = site_alloc(root, rootfd, &so);
	site_config(s);
	site_sync(s, 0);
	for (i = 0; i < s->nposts; i++)
		site_post_body(s, s->posts[i]);
	for (i = 0; i < s->nposts; i++) {
		struct post *p = s->posts[i];
		const char *u = p->pm.url;

		for (j = 0; j < p->diags.n; j++)
			report(s->croot, p->relpath, &p->diags.v[j], &errors,
			    warnings);
		/* Two pages at one URL: one of them is unreachable. */
		if ((first = strmap_get(&s->by_url, u, strlen(u))) != p) {
			struct diag dg = { DIAG_ERROR, 0, NULL };

			dg.msg = xasprintf("URL '%s' is also %s's", u,
			    first->relpath);
			report(s->croot, p->relpath, &dg, &errors, warnings);
			free(dg.msg);
		}
		check_links(s, p, &errors, warnings);
		if (list)
			printf("%s%s%s %s %s%s\n", s->cfg.content_dir,
			    s->cfg.content_dir[0] ? "/" : "", p->relpath, u,
			    p->dated ? p->ymd : "-",
			    p->meta.draft	     ? " draft" :
				site_not_rendered(p) ? " norender" :
				p->unpub	     ? " unpublished" :
						       "");
	}
	printf("%s: %zu page%s checked\n", root, s->nposts,
	    s->nposts == 1 ? "" : "s");
	site_free(s);
	close(rootfd);
	return errors;
}
