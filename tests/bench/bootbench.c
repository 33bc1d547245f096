/*
 * bootbench: the start-up of one site, in process (issue 16): the time
 * and CPU of site_new (scan, read, parse, lists: what the master does
 * before it forks the workers), of the first / (generating the home
 * page), then of the first search (which builds the search index) and
 * of a second one. Prints "key value" lines.
 *
 * usage: bootbench ROOT [nosearch]
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "access.h"
#include "buf.h"
#include "gemini.h"
#include "log.h"
#include "page.h"
#include "site.h"
#include "url.h"

#include "../unit/siteget.h"

static double
now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
timed(struct site *s, const char *key, const char *path)
{
	double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	static char body[1 << 16];
	int st = get(s, path, body, sizeof(body));

	printf("%s.status %d\n%s.wall_ms %.1f\n%s.cpu_ms %.1f\n", key, st, key,
	    now(CLOCK_MONOTONIC) - w0, key, now(CLOCK_PROCESS_CPUTIME_ID) - c0);
}

int
main(int argc, char **argv)
{
	struct site_opts so;
	struct site *s;
	double w0, c0;
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: bootbench ROOT [nosearch]\n");
		return 2;
	}
	log_set_verbosity(1, 0);
	if ((fd = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
		perror(argv[1]);
		return 1;
	}
	memset(&so, 0, sizeof(so));
	gemtext_opts_default(&so.render);
	so.search = argc < 3 || strcmp(argv[2], "nosearch") != 0;
	w0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	s = site_new(argv[1], fd, &so);
	printf("load.wall_ms %.1f\nload.cpu_ms %.1f\n",
	    now(CLOCK_MONOTONIC) - w0, now(CLOCK_PROCESS_CPUTIME_ID) - c0);
	timed(s, "home", "/");
	if (so.search) {
		timed(s, "search1", "/search?pencil%20studio");
		timed(s, "search2", "/search?quiet%20river");
	}
	site_free(s);
	close(fd);
	return 0;
}
