/*
 * master: the supervising process: binds, loads certificates, starts a
 * zygote per generation that reads the sites and forks the workers
 * (zygote.h, worker.h), reloads, and drains them
 * on SIGTERM/SIGINT.
 */
#ifndef CAPSULED_MASTER_H
#define CAPSULED_MASTER_H

#include "config.h"

#define MASTER_BACKLOG 4096 /* listen queue: 16 drops clients at 64 */

/*
 * Runs the server until SIGTERM/SIGINT. argv (the serve options) is kept
 * to re-read the configuration on SIGHUP. Returns the exit status.
 */
int master_run(struct config *cfg, int argc, char **argv);

/* Certificate and key paths of a host; malloc'd, caller frees. */
void master_cert_paths(const char *certs_dir, const char *host, char **cert,
    char **key);

#endif
