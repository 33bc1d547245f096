/*
 * zygote: one per generation of the configuration, forked by the master.
 * The only process that reads the sites: it gives up root for good
 * first, then loads them and forks the generation's workers, which share
 * the parsed model copy-on-write.
 */
#ifndef CAPSULED_ZYGOTE_H
#define CAPSULED_ZYGOTE_H

#include <signal.h>
#include <sys/types.h>

#include <ev.h>

#include "worker.h"

/* The one message a zygote sends the master: its workers are running. */
#define ZYGOTE_READY 'R'

/* Its process name (/proc/PID/comm), 15 bytes at most. */
#define ZYGOTE_COMM "capsuled-zygote"

/* What a zygote starts from: the master's state at fork, read only. */
struct zygote_start {
	struct generation *gen; /* sites not read yet: vhosts[i].site NULL */
	struct listener *ls;	/* ls[i] goes with gen->cfg.listen[i] */
	size_t nls;
	int nslots;
	int chan; /* change batches from the master; ZYGOTE_READY back */
	int drop; /* drop privileges to uid/gid (and chroot) */
	uid_t uid;
	gid_t gid;
};

/*
 * Runs a zygote in the child of fork() on loop (the default loop, reset
 * with ev_loop_fork and holding no watcher of the master's), as leader
 * of its own process group: the master signals the whole generation
 * with killpg(). Never returns: exits once its workers are gone after
 * SIGTERM/SIGINT or the end of the master's channel.
 */
void zygote_main(struct ev_loop *loop, const struct zygote_start *zs)
    __attribute__((noreturn));

#endif
