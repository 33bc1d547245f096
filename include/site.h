/*
 * site: the capsule model of one virtual host: posts (Markdown with front
 * matter) found under the root, their slugs, dates, tags and drafts, the
 * rendered pages (cached, reference-counted) and the generated index,
 * tag pages and feeds, updated when files change.
 *
 * Start-up reads front matter only. A post is rendered when first asked
 * for and kept in a cache bounded by cache_size (least recently used
 * out); the generated pages are made when first asked for after a
 * change. A change re-reads the changed files only (site_update).
 *
 * Threads: every function here runs on the loop thread, except
 * post_render_body, which may run on another thread while the loop
 * thread calls none of them for the same site (the site is read only
 * during the call); its result is stored by post_store_render, on the
 * loop thread.
 */
#ifndef CAPSULED_SITE_H
#define CAPSULED_SITE_H

#include <stddef.h>
#include <stdint.h>

#include "access.h"
#include "page.h"
#include "gemtext.h"
#include "util.h"

struct url;
struct response;

struct site_opts {
	/* Who sees protected posts and drafts; NULL: everyone sees all. */
	const struct access *access;
	const char *lang;     /* default lang of pages, or NULL */
	const char *base_url; /* "gemini://host[:port]" */
	struct gemtext_opts render;
	int search; /* answer /search (issue 14) */
	/* Bytes of rendered pages kept (issue 16); 0: the default, 64 MB. */
	size_t cache_size;
};

/*
 * Scans root (through rootfd) for posts and builds every page. Problems
 * in posts go to the log with file:line; a broken post never stops the
 * site. Returns NULL only when root cannot be read at all.
 */
struct site *site_new(const char *root, int rootfd, const struct site_opts *o);
void site_free(struct site *s);
/* Before the site's holder forks: room for what a change may add. */
void site_prefork(struct site *s);
/*
 * In a forked worker, before its threads start: the arrays a change
 * writes across made its own at once (util_own_pages), so that the first
 * changes do not take a copy-on-write fault per page, each an exception
 * and, once threads run, a TLB shootdown (issue 16: ~70 us a page here,
 * 85-95 ms of a worker's loop for a date edit at 100,000 pages).
 * Returns the bytes so made its own.
 */
size_t site_unshare(struct site *s);

/*
 * Answers a request for a generated page, a post, its source or an alias,
 * as v may see them: a post v may not see answers 60/61/62 (protected)
 * or not at all (a draft), and is listed nowhere. Returns 1 with
 * resp->page set, or 0 when the caller serves a file: the root-relative
 * path in file when the site names one (a bundle's, static/'s), else
 * the request's own path (a bare folder).
 */
int site_route(struct site *s, const struct url *u, const struct viewer *v,
    struct response *resp, struct buf *file);

/*
 * For a file at relpath (real, beneath the root): 0 when it is no post
 * or a post v may see, else the status to answer for it.
 */
int site_file_status(struct site *s, const struct viewer *v,
    const char *relpath);

/*
 * Answers /search (10 asks for the query) and /search/N?QUERY (page N),
 * when search is on. Results list only posts v may see (access.h).
 * Returns 1 with resp->page set, or 0 when the path is not a search.
 */
int site_search(struct site *s, const struct url *u, const struct viewer *v,
    struct response *resp);

struct renderq;
/*
 * Renders posts off the loop (issue 10): from now on a request for a
 * post page whose body is not in the cache answers with resp->wait set
 * (no page) and queues the rendering on q; when it is stored, on the
 * loop thread, rendered(arg, key) tells the waiters to ask again. The
 * model is written only on the loop thread, and only while q runs no
 * job: site_refresh and site_update go through renderq_exclusive (when
 * a job is running they are done as soon as it ends, and return 0).
 */
void site_set_renderq(struct site *s, struct renderq *q,
    void (*rendered)(void *arg, const void *key), void *arg);

/*
 * Checks the files for changes (cheap stat walk) and rebuilds what
 * changed. Returns 1 when anything changed.
 */
int site_refresh(struct site *s);

/*
 * Tells the site that these files or folders changed (created, written,
 * renamed, deleted): n paths relative to the root folder given to
 * site_new (not to the content folder), as a watcher of the root sees
 * them. Re-reads those only and regenerates what depends on them. With
 * n == 0 something changed somewhere (the watcher overflowed or is
 * missing): a full scan, as site_refresh. Returns 1 when anything
 * served changed.
 */
int site_update(struct site *s, const char *const *paths, size_t n);

/*
 * Work left to do when idle: trims the cache, and once the site has been
 * searched indexes a slice of the posts the index lacks (the first
 * search builds the whole index; none is built before it, so an idle
 * server does nothing). Returns 1 while more work is pending: call
 * again (from an ev_idle, say) until 0.
 */
int site_idle(struct site *s);

/*
 * One post's rendering, made apart from the model so that it may run on
 * a render thread: post_render_body reads s and p only and fills out
 * (the body, what it links to, its diagnostics); post_store_render, on
 * the loop thread, puts it in the site's cache and takes out over.
 */
struct post;
struct render_out;
char *post_render_body(const struct site *s, const struct post *p,
    struct render_out *out);
void post_store_render(struct site *s, struct post *p, struct render_out *out);

/*
 * Publication follows the clock: a page whose publishDate (Hugo: or
 * date) is to come is unpublished until then, one whose expiryDate has
 * passed is unpublished from then, as drafts are (access.h). The next
 * such instant, in UTC seconds since the epoch, or INT64_MAX when no
 * page waits; it changes whenever the site is rebuilt. At that instant
 * call site_tick(), which re-reads no file: it relists the pages when a
 * page's state changed and returns 1 then, else 0.
 */
int64_t site_next_change(const struct site *s);
int site_tick(struct site *s);

/*
 * Lints a capsule folder (rendered with ro, NULL: the defaults): prints
 * "file:line: message" lines to stdout and
 * returns the number of errors (warnings are printed, not counted).
 * list: also print "SOURCE URL DATE [STATE]" per page (SOURCE
 * root-relative, DATE YYYY-MM-DD or -; STATE, when the page is not
 * served to everyone: draft, norender or unpublished, for a publish
 * date to come or an expiry date passed).
 */
int site_check(const char *root, const struct gemtext_opts *ro, int list,
    int *warnings);

/*
 * Renders one post file as the server would (page or body only).
 * Returns 0, or -1 when the file cannot be read (errno set).
 */
int site_convert_file(const char *path, const struct gemtext_opts *ro,
    int body_only, struct buf *out, struct diags *d);

#endif
