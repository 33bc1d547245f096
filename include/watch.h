/*
 * watch: follows each vhost's tree (its root folder: config, content,
 * static) and reports changed paths in coalesced batches (pathbatch.h).
 * inotify through a libev ev_io, recursive, following new and renamed
 * folders; where inotify is missing or runs out of watches, a periodic
 * scan whose average cost is a fixed share of a core. Also says when a
 * root's path may name another folder (the root swapped by rename).
 * Runs in the master only.
 */
#ifndef CAPSULED_WATCH_H
#define CAPSULED_WATCH_H

#include <stddef.h>

#include <ev.h>

#include "pathbatch.h"

#define WATCH_MAX_DEPTH \
	20			 /* folder levels below a root: the site scans
				   16 below its content folder, itself at
				   most a few levels down */
#define WATCH_SETTLE	    0.05 /* seconds without events that end a batch */
#define WATCH_BATCH_MAX_AGE 0.5	 /* seconds a busy batch may wait at most */
#define WATCH_SCAN_SHARE \
	200		   /* fallback scan: idle this many times
				   the last scan's duration, so scanning
				   costs at most 1/200 of a core */
#define WATCH_SCAN_MIN 2.0 /* seconds between fallback scans, at least */

struct watch;

struct watch_cbs {
	/* A batch of host's changes (b->full: rescan everything). */
	void (*batch)(void *arg, size_t host, const struct pathbatch *b);
	/* host's root path may name another folder now: compare. */
	void (*root)(void *arg, size_t host);
	void *arg;
};

/*
 * A watcher on loop. The environment variable CAPSULED_WATCH=scan
 * forces the scan fallback (trees inotify cannot see: network file
 * systems; and the tests of the fallback).
 */
struct watch *watch_new(struct ev_loop *loop, const struct watch_cbs *cbs);
/*
 * Follows the tree at root (path as configured; rootfd its O_PATH
 * descriptor, which stays the caller's) as host number host. Logs how.
 */
void watch_add(struct watch *w, size_t host, const char *root, int rootfd);
/*
 * Stops w's libev watchers, closes its descriptors and frees it; NULL is
 * a no-op. Safe in a child of fork() (after ev_loop_fork): it never
 * removes a watch from the inotify instance the parent still uses.
 */
void watch_free(struct watch *w);

#endif
