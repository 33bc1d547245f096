/*
 * server: the master process (binds, loads certificates and sites,
 * starts, restarts and reloads workers) and the workers (one libev loop
 * each, with their own SO_REUSEPORT listeners).
 */
#ifndef CAPSULED_SERVER_H
#define CAPSULED_SERVER_H

#include "config.h"

#define SERVER_BACKLOG 4096	/* listen queue: 16 drops clients at 64 */

/*
 * Runs the server until SIGTERM/SIGINT. argv (the serve options) is kept
 * to re-read the configuration on SIGHUP. Returns the exit status.
 */
int server_run(struct config *cfg, int argc, char **argv);

/* Certificate and key paths of a host; malloc'd, caller frees. */
void server_cert_paths(const char *certs_dir, const char *host,
    char **cert, char **key);

#endif
