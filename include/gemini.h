/*
 * gemini: response pages and routing a request to a response (the
 * status codes are in status.h). Knows nothing of sockets or TLS.
 */
#ifndef CAPSULED_GEMINI_H
#define CAPSULED_GEMINI_H

#include <stddef.h>

#include "access.h"
#include "buf.h"
#include "page.h"
#include "status.h"

struct mime;
struct vhost; /* vhost.h: run-time state, not the protocol's */

struct gemini_ctx {
	struct vhost *vhosts; /* vhosts[0] is the default */
	size_t nvhosts;
	struct mime *mime;
	int public_port;
	struct access access; /* client-cert areas and drafts */
	struct ratelimit *rl; /* NULL: no rate limit */
};

/* What the router knows about a request. */
struct request {
	const char *line; /* request line without CRLF */
	size_t len;
	struct vhost *vhost;	 /* chosen by SNI (default when none) */
	const char *sni;	 /* NULL when the client sent none */
	const char *fingerprint; /* client cert SHA-256 hex, or NULL */
	int cert_expired;
	const char *client; /* printable client address */
	int again;	    /* asked again after a wait: counted once */
};

/* Routes req; fills resp (resp->page is set unless resp->wait is). */
void gemini_handle(struct gemini_ctx *g, const struct request *req,
    struct response *resp);

#endif
