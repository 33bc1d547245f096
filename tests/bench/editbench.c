/*
 * editbench: the CPU one edit costs the process that applies it (issue
 * 16): a generated capsule of N dated posts (10 sections, 200 tags, a
 * short body each) is loaded, then one post is added, one deleted, and
 * the last page of a tag deleted, each applied by site_update and timed
 * in process CPU (a worker's event loop does exactly this work). Prints
 * "key value" lines; no timing is asserted anywhere.
 *
 * usage: editbench [POSTS [DIR [ROUNDS]]]   (defaults 100000, a fresh
 * TMPDIR one, 1: more rounds for a profile of the edits)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gemtext.h"
#include "site.h"

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

static void
post(const char *rel, int i, const char *tags)
{
	char text[512];

	snprintf(text, sizeof(text),
	    "---\ntitle: Post %d\ndate: %04d-%02d-%02d\ntags: [%s]\n---\n\n"
	    "Some words of post %d.\n",
	    i, 2000 + i % 25, 1 + i % 12, 1 + i % 28, tags, i);
	put(rel, text);
}

static double
cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void
timed(struct site *s, const char *what, const char *rel)
{
	double t0 = cpu_ms();

	if (site_update(s, &rel, 1) != 1)
		fprintf(stderr, "%s: no change\n", what);
	printf("%s_ms %.2f\n", what, cpu_ms() - t0);
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100000, i, fd, r;
	int rounds = argc > 3 ? atoi(argv[3]) : 1;
	char rel[128], path[1024], tags[64];
	struct site_opts o;
	struct site *s;
	double t0;

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
	snprintf(path, sizeof(path), "%s/content/s0/p%07d.md", root, n - 1);
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
	for (r = 0; r < rounds; r++) {
		post("content/s3/added.md", n + 1, "t5, u1");
		timed(s, "add", "content/s3/added.md");
		snprintf(path, sizeof(path), "%s/content/s3/added.md", root);
		unlink(path);
		timed(s, "delete", "content/s3/added.md");
		post("content/s4/lone.md", n + 2, "lonetag");
		timed(s, "add_own_tag", "content/s4/lone.md");
		snprintf(path, sizeof(path), "%s/content/s4/lone.md", root);
		unlink(path);
		timed(s, "delete_last_of_tag", "content/s4/lone.md");
	}
	site_free(s);
	close(fd);
	return 0;
}
