/*
 * conn: one client connection's state machine on a libev loop:
 * TLS handshake, reading the request line, writing the response,
 * close_notify, with a total request deadline and a write-inactivity
 * timeout.
 */
#ifndef CAPSULED_CONN_H
#define CAPSULED_CONN_H

#include <sys/socket.h>

#include <ev.h>
#include <openssl/ssl.h>

#include "gemini.h"

#define CONN_REQUEST_DEADLINE 10.0	  /* seconds from accept to the CRLF */
#define CONN_WRITE_TIMEOUT    30.0	  /* seconds without write progress */
#define CONN_FILE_CHUNK	      (64 * 1024) /* bytes of a file read per write */
#define CONN_PROXY_DEADLINE   3.0	  /* seconds for a PROXY header */
#define CONN_SPARE_SSL	      64	  /* SSL objects kept for reuse */
#define CONN_BUSY_DEADLINE    2.0	  /* seconds to tell a client "41" */
#define CONN_BUSY_MAX	      256 /* "41" connections at once, per worker */

struct listen_config;

struct conn;

/* Per-worker state the connections share. */
struct worker {
	struct ev_loop *loop;
	struct gemini_ctx *g;
	SSL_CTX **tls;	 /* tls[i] serves g->vhosts[i]; [0]: default */
	unsigned nconns; /* all, busy ones included */
	unsigned nbusy;	 /* those only told "41" */
	unsigned max_conns;
	int draining;
	struct conn *conns;	    /* all open connections */
	SSL *spare[CONN_SPARE_SSL]; /* cleared SSL objects to reuse */
	unsigned nspare;
	void (*conn_closed)(struct worker *); /* after every close */
	void (*conn_parked)(struct worker *); /* after a request parks */
};

/*
 * Takes over fd (non-blocking), accepted on a listener configured as lc.
 * A busy connection (the worker is at max_connections) only completes
 * the handshake and answers 41. Returns NULL (fd closed) on failure.
 */
struct conn *conn_new(struct worker *w, int fd, const struct sockaddr *sa,
    socklen_t salen, const struct listen_config *lc, int busy);
/* Closes c in any state and frees it; reason is logged at debug level. */
void conn_close(struct conn *c, const char *reason);
/*
 * Answers the connections parked on key (their page was being rendered
 * off the loop): each asks the router again.
 */
void conn_wake(struct worker *w, const void *key);
/* SSL servername callback: moves the connection to the named host. */
int conn_sni_cb(SSL *ssl, int *alert, void *arg);

#endif
