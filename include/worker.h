/*
 * worker: one serving process. A libev loop on its own SO_REUSEPORT
 * listeners for one generation of the configuration, running as the
 * configured user already, that drains its connections on SIGTERM/SIGINT.
 * The generation's zygote (zygote.h) is the only caller.
 */
#ifndef CAPSULED_WORKER_H
#define CAPSULED_WORKER_H

#include <sys/socket.h>
#include <sys/types.h>

#include <ev.h>
#include <openssl/ssl.h>

#include "config.h"
#include "gemini.h"

/* One configured address, bound once per worker slot. */
struct listener {
	char *addr;  /* as configured */
	char *bound; /* ADDR:PORT as bound, for the log; NULL: skipped */
	struct sockaddr_storage want; /* as configured, for matching */
	socklen_t wantlen;
	int *fds; /* one per worker slot; -1: none */
};

/* Everything built from one configuration; replaced whole on reload. */
struct generation {
	struct config cfg;
	struct gemini_ctx g;
	SSL_CTX **tls; /* tls[i] serves g.vhosts[i]; [0]: default */
	unsigned id;
	int changed; /* a tree changed since the sites were read */
};

/* What a worker starts from: the zygote's state at fork, read only. */
struct worker_start {
	struct generation *gen;
	struct listener *ls; /* ls[i] goes with gen->cfg.listen[i] */
	size_t nls;
	int nslots;
	int slot; /* this worker's: ls[i].fds[slot] */
	int chan; /* changes from the zygote (pathbatch.h) */
};

/*
 * Runs a worker in the child of fork() on loop (the default loop, reset
 * with ev_loop_fork and holding no watcher of the zygote's), with
 * SIGTERM, SIGINT and SIGUSR1 blocked until its handlers are set. Never
 * returns: exits 0 once drained.
 */
void worker_main(struct ev_loop *loop, const struct worker_start *ws)
    __attribute__((noreturn));

#endif
