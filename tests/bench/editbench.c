/*
 * editbench: the CPU one edit costs the process that applies it (issue
 * 16): a generated capsule of N dated posts (10 sections, 200 + 37
 * tags, a short body each) is loaded, its home page, a tag page and a
 * post page made (as a live server has them), then each kind of
 * single-file change is applied by site_update and timed in process CPU
 * (a worker's event loop does exactly this work): a body, a title, a
 * date, a tag swapped, a post added and deleted, one with a tag of its
 * own added and deleted, a page bundle and a page with an alias added
 * and deleted, the first page of a new section added and deleted, the
 * home page's text (its _index.md), a rename, a move to another section, an
 * expiry (unpublished, published again), a draft (and back). After
 * each, the first / and the first tag page are timed too (made again
 * when asked). Every change is undone by the next, so rounds repeat.
 * Prints "key value" lines, and with more rounds than one the median
 * of each ("median_KEY"); no timing is asserted anywhere.
 *
 * usage: editbench [POSTS [DIR [ROUNDS]]]   (defaults 100000, a fresh
 * TMPDIR one, 1: more rounds for medians or a profile of the edits)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gemtext.h"
#include "log.h"
#include "site.h"

#include "../unit/siteget.h"

static char root[512];

static void
put(const char *rel, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* Post i as generated; title, date, tags, extra front matter, body. */
static void
post_as(const char *rel, int i, const char *title, const char *date,
    const char *tags, const char *extra, const char *body)
{
	char text[1024], t[64], d[16], b[64];

	snprintf(t, sizeof(t), "Post %d", i);
	snprintf(d, sizeof(d), "%04d-%02d-%02d", 2000 + i % 25, 1 + i % 12,
	    1 + i % 28);
	snprintf(b, sizeof(b), "Some words of post %d.", i);
	snprintf(text, sizeof(text),
	    "---\ntitle: %s\ndate: %s\ntags: [%s]\n%s---\n\n%s\n",
	    title ? title : t, date ? date : d, tags, extra ? extra : "",
	    body ? body : b);
	put(rel, text);
}

static void
post(const char *rel, int i, const char *tags)
{
	post_as(rel, i, NULL, NULL, tags, NULL, NULL);
}

static void
drop(const char *rel)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (unlink(path) != 0)
		perror(path);
}

static void
move(const char *from, const char *to)
{
	char a[1024], b[1024];

	snprintf(a, sizeof(a), "%s/%s", root, from);
	snprintf(b, sizeof(b), "%s/%s", root, to);
	if (rename(a, b) != 0)
		perror(a);
}

static double
cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Each key's figures over the rounds, for the medians. */
#define MAX_KEYS   128
#define MAX_ROUNDS 64

static struct {
	char key[48];
	double v[MAX_ROUNDS];
	int n;
} figs[MAX_KEYS];
static int nfigs;

static void
figure(const char *key, double v)
{
	int k;

	printf("%s %.2f\n", key, v);
	for (k = 0; k < nfigs && strcmp(figs[k].key, key) != 0; k++)
		;
	if (k == nfigs) {
		if (nfigs == MAX_KEYS)
			return;
		snprintf(figs[nfigs++].key, sizeof(figs[0].key), "%s", key);
	}
	if (figs[k].n < MAX_ROUNDS)
		figs[k].v[figs[k].n++] = v;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
medians(void)
{
	int k;

	for (k = 0; k < nfigs; k++) {
		qsort(figs[k].v, (size_t)figs[k].n, sizeof(double), dbl_cmp);
		printf("median_%s %.2f\n", figs[k].key,
		    figs[k].n % 2 ? figs[k].v[figs[k].n / 2] :
				    (figs[k].v[figs[k].n / 2 - 1] +
					figs[k].v[figs[k].n / 2]) /
			    2);
	}
}

static void
request(struct site *s, const char *key, const char *path)
{
	static char body[1 << 17];
	double t0 = cpu_ms();
	int st = get(s, path, body, sizeof(body));

	if (key)
		figure(key, cpu_ms() - t0);
	if (st != 20)
		fprintf(stderr, "%s: status %d\n", path, st);
}

/* The pages a live server would have made: /, a tag, a post, a feed. */
static void
warm(struct site *s, const char *post_url)
{
	request(s, NULL, "/");
	request(s, NULL, "/tags/t5/");
	request(s, NULL, "/atom.xml");
	request(s, NULL, post_url);
}

/* One change of the files a and b (NULL: one file), timed. */
static void
timed2(struct site *s, const char *what, const char *a, const char *b,
    const char *post_url)
{
	const char *paths[2] = { a, b };
	char key[64];
	double t0;

	warm(s, post_url);
	t0 = cpu_ms();
	if (site_update(s, paths, b ? 2 : 1) != 1)
		fprintf(stderr, "%s: no change\n", what);
	snprintf(key, sizeof(key), "%s_ms", what);
	figure(key, cpu_ms() - t0);
	snprintf(key, sizeof(key), "%s_home_ms", what);
	request(s, key, "/");
	snprintf(key, sizeof(key), "%s_tag_ms", what);
	request(s, key, "/tags/t5/");
}

static void
timed(struct site *s, const char *what, const char *rel, const char *post_url)
{
	timed2(s, what, rel, NULL, post_url);
}

/* Post i added at rel (timed as add), then deleted (as del). */
static void
come_and_go(struct site *s, const char *add, const char *del, const char *rel,
    int i, const char *tags, const char *extra, const char *post_url)
{
	post_as(rel, i, NULL, NULL, tags, extra, NULL);
	timed(s, add, rel, post_url);
	drop(rel);
	timed(s, del, rel, post_url);
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100000, i, fd, r, m;
	int rounds = argc > 3 ? atoi(argv[3]) : 1;
	char rel[128], rel2[128], path[1024], tags[64], url[128], url2[128];
	struct site_opts o;
	struct site *s;
	double t0;

	log_set_verbosity(1, 0);
	if (argc > 2)
		snprintf(root, sizeof(root), "%s", argv[2]);
	else {
		snprintf(root, sizeof(root), "%s/editbench.XXXXXX",
		    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (mkdtemp(root) == NULL) {
			perror("mkdtemp");
			return 1;
		}
	}
	put("hugo.toml",
	    "title = \"Edit\"\nbaseURL = \"gemini://localhost/\"\n"
	    "[taxonomies]\ntag = \"tags\"\n");
	snprintf(path, sizeof(path), "%s/content", root);
	mkdir(path, 0755);
	for (i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "%s/content/s%d", root, i);
		mkdir(path, 0755);
	}
	snprintf(path, sizeof(path), "%s/content/s2/bundle", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/content/fresh", root);
	mkdir(path, 0755);
	put("content/_index.md", "---\ntitle: Home\n---\n\nWelcome.\n");
	snprintf(path, sizeof(path), "%s/content/s0/p%07d.md", root,
	    (n - 1) / 10 * 10);
	if (access(path, F_OK) != 0)
		for (i = 0; i < n; i++) {
			snprintf(rel, sizeof(rel), "content/s%d/p%07d.md",
			    i % 10, i);
			snprintf(tags, sizeof(tags), "t%d, u%d", i % 200,
			    i % 37);
			post(rel, i, tags);
		}
	memset(&o, 0, sizeof(o));
	gemtext_opts_default(&o.render);
	o.base_url = "gemini://localhost";
	fd = open(root, O_PATH | O_DIRECTORY);
	t0 = cpu_ms();
	if ((s = site_new(root, fd, &o)) == NULL)
		return 1;
	printf("posts %d\nload_ms %.0f\n", n, cpu_ms() - t0);
	/* A post in the middle, of section 3, tags t5 (when n allows). */
	m = n / 2 - (n / 2) % 200 + 5;
	if (m >= n)
		m = 5;
	snprintf(rel, sizeof(rel), "content/s%d/p%07d.md", m % 10, m);
	snprintf(url, sizeof(url), "/s%d/p%07d/", m % 10, m);
	snprintf(tags, sizeof(tags), "t%d, u%d", m % 200, m % 37);
	for (r = 0; r < rounds; r++) {
		post_as(rel, m, NULL, NULL, tags, NULL, "Other words.");
		timed(s, "body", rel, url);
		post_as(rel, m, "A new title", NULL, tags, NULL,
		    "Other words.");
		timed(s, "title", rel, url);
		post_as(rel, m, "A new title", "2031-05-05", tags, NULL,
		    "Other words.");
		timed(s, "date", rel, url);
		post_as(rel, m, NULL, NULL, "t6, u1", NULL, NULL);
		timed(s, "tags", rel, url);
		post(rel, m, tags);
		timed(s, "tags_back", rel, url);

		come_and_go(s, "add", "delete", "content/s3/added.md", n + 1,
		    "t5, u1", NULL, url);
		come_and_go(s, "add_own_tag", "delete_last_of_tag",
		    "content/s4/lone.md", n + 2, "lonetag", NULL, url);
		/* A page bundle, a page with an alias. */
		come_and_go(s, "add_bundle", "delete_bundle",
		    "content/s2/bundle/index.md", n + 3, "t7", NULL, url);
		come_and_go(s, "add_alias", "delete_alias",
		    "content/s2/aliased.md", n + 4, "t8",
		    "aliases: [/old/aliased/]\n", url);
		/* The first page of a new section, and the last gone. */
		come_and_go(s, "add_new_section", "delete_last_of_section",
		    "content/fresh/first.md", n + 5, "t9", NULL, url);
		/* The home page's text (its _index.md's body). */
		put("content/_index.md",
		    r % 2 ? "---\ntitle: Home\n---\n\nWelcome.\n" :
			    "---\ntitle: Home\n---\n\nWelcome back.\n");
		timed(s, "home_text", "content/_index.md", url);

		/* A rename in its folder, then to another section, back. */
		snprintf(rel2, sizeof(rel2), "content/s%d/renamed.md", m % 10);
		snprintf(url2, sizeof(url2), "/s%d/renamed/", m % 10);
		move(rel, rel2);
		timed2(s, "rename", rel, rel2, url);
		move(rel2, "content/s9/moved.md");
		timed2(s, "move_section", rel2, "content/s9/moved.md", url2);
		move("content/s9/moved.md", rel);
		timed2(s, "move_back", "content/s9/moved.md", rel,
		    "/s9/moved/");

		post_as(rel, m, NULL, NULL, tags, "expiryDate: 2001-01-01\n",
		    NULL);
		timed(s, "unpublish", rel, url);
		post(rel, m, tags);
		timed(s, "publish", rel, "/");
		post_as(rel, m, NULL, NULL, tags, "draft: true\n", NULL);
		timed(s, "draft", rel, url);
		post(rel, m, tags);
		timed(s, "undraft", rel, "/");
	}
	if (rounds > 1)
		medians();
	site_free(s);
	close(fd);
	return 0;
}
