/*
 * gemini: response pages and routing a request to a response (the
 * status codes are in status.h). Knows nothing of sockets or TLS.
 */
#ifndef CAPSULED_GEMINI_H
#define CAPSULED_GEMINI_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "access.h"
#include "buf.h"
#include "page.h"
#include "status.h"

struct site;
struct mime;

/*
 * One virtual host as the router sees it: its names and its files. Its
 * TLS context is the server's (worker.h), never the router's business.
 */
struct vhost {
	char **names;		/* lowercased; names[0] is canonical */
	size_t nnames;
	char *root;		/* path of the capsule folder */
	char *rootreal;		/* its realpath, for absolute symlinks */
	int rootfd;		/* O_PATH descriptor of root */
	char *lang;		/* NULL: none */
	struct site *site;	/* generated pages and posts, or NULL */
};

struct gemini_ctx {
	struct vhost *vhosts;	/* vhosts[0] is the default */
	size_t nvhosts;
	struct mime *mime;
	int public_port;
	struct access access;	/* client-cert areas and drafts */
	struct ratelimit *rl;			/* NULL: no rate limit */
};

/* What the router knows about a request. */
struct request {
	const char *line;	/* request line without CRLF */
	size_t len;
	struct vhost *vhost;	/* chosen by SNI (default when none) */
	const char *sni;	/* NULL when the client sent none */
	const char *fingerprint;	/* client cert SHA-256 hex, or NULL */
	int cert_expired;
	const char *client;	/* printable client address */
};

/* What to send: a shared page, or a header then a file streamed. */
struct response {
	int status;
	struct page *page;	/* owned reference, or NULL */
	int fd;			/* file to stream after page (-1: none) */
	off_t size;		/* bytes of fd to send */
	struct stat st;		/* fd's when opened: a change cuts the body */
	char host[256];		/* for the access log */
};

/* Routes req; fills resp (resp->page is always set). */
void gemini_handle(struct gemini_ctx *g, const struct request *req,
    struct response *resp);
/* A header-only response page, e.g. 59 "bad request". */
struct page *gemini_error_page(int status, const char *meta);
/*
 * Sets resp to a redirect (status 30 or 31) to url, or to 59 when url
 * would not fit in a META: a redirect is never cut.
 */
void gemini_redirect(struct response *resp, int status, const char *url);

#endif
