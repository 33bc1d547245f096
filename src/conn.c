/*
 * conn: a connection's life on the worker's libev loop.
 *   CONN_HANDSHAKE -> CONN_READ -> CONN_WRITE -> CONN_SHUTDOWN -> closed
 * A complete response ends with close_notify; a write error or timeout
 * closes without it, so the client can tell the body was cut. The
 * request deadline runs from accept, so a slow client cannot reset it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "config.h"
#include "conn.h"
#include "proxy.h"
#include "log.h"
#include "tls.h"
#include "url.h"
#include "vhost.h"

enum conn_state {
	CONN_PROXY, /* reading a PROXY protocol header */
	CONN_HANDSHAKE,
	CONN_READ,
	CONN_WRITE,
	CONN_SHUTDOWN,
	CONN_PARKED, /* waiting for its page (rendered off the loop) */
};

struct conn {
	ev_io io; /* first: callbacks cast back */
	ev_timer timer;
	struct worker *w;
	struct conn *prev, *next;
	enum conn_state state;
	int fd;
	SSL *ssl;
	struct vhost *vhost;
	ev_tstamp started;
	char client[INET6_ADDRSTRLEN + 8];
	unsigned char *proxy; /* PROXY header bytes so far */
	size_t proxylen;
	struct xchg *x; /* once the request starts */
	int corked;	/* TCP_CORK set (see conn_cork) */
	int logged;
	int busy;	      /* answer 41 after the handshake */
	int asked;	      /* gemini_handle has counted it once */
	const void *wait;     /* CONN_PARKED: the key it waits on */
	const char *wait_why; /* and what it waits for (resp.wait_why) */
};

/*
 * The request and its response. A connection gets one only when the
 * first request byte arrives (or it is answered without one), so the
 * many that sit idle after their handshake hold the small struct conn
 * alone: over a kilobyte less each.
 */
struct xchg {
	char req[URL_MAX_REQUEST + 2]; /* request line and CRLF */
	size_t reqlen;
	struct response resp;
	size_t page_off; /* bytes of resp.page written */
	off_t file_sent; /* bytes of resp.fd written */
	char *chunk;	 /* file bytes read, not yet written */
	size_t chunk_len, chunk_off;
	unsigned long long body_bytes;
};

static void conn_io_cb(struct ev_loop *loop, ev_io *io, int revents);
static void conn_timer_cb(struct ev_loop *loop, ev_timer *t, int revents);
static void conn_step(struct conn *c);

static void
format_addr(const struct sockaddr *sa, char *dst, size_t n)
{
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], dst, n);
		else
			inet_ntop(AF_INET6, &s6->sin6_addr, dst, n);
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, dst, n);
	} else
		snprintf(dst, n, "-");
}

/* Is the peer one the listener trusts to send a PROXY header? */
static int
proxy_trusted(const struct listen_config *lc, const char *client)
{
	size_t i;

	if (lc->nproxy_from == 0)
		return 1;
	for (i = 0; i < lc->nproxy_from; i++)
		if (strcmp(lc->proxy_from[i], client) == 0)
			return 1;
	return 0;
}

struct conn *
conn_new(struct worker *w, int fd, const struct sockaddr *sa, socklen_t salen,
    const struct listen_config *lc, int busy)
{
	struct conn *c;

	(void)salen;
	c = xcalloc(1, sizeof(*c));
	c->w = w;
	c->fd = fd;
	c->started = ev_time();
	format_addr(sa, c->client, sizeof(c->client));
	/* TCP_NODELAY comes from the listener (Linux copies it on accept). */
	if (w->nspare > 0)
		c->ssl = w->spare[--w->nspare];
	else
		c->ssl = SSL_new(w->tls[0]);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, fd) != 1) {
		log_ssl("SSL_new");
		SSL_free(c->ssl);
		close(fd);
		free(c);
		return NULL;
	}
	SSL_set_app_data(c->ssl, c);
	SSL_set_accept_state(c->ssl);
	c->vhost = &w->g->vhosts[0];
	c->state = CONN_HANDSHAKE;
	ev_io_init(&c->io, conn_io_cb, fd, EV_READ);
	ev_timer_init(&c->timer, conn_timer_cb, CONN_REQUEST_DEADLINE, 0.);
	if (lc && lc->proxy) {
		if (!proxy_trusted(lc, c->client)) {
			log_warnx("%s: not allowed to send a PROXY header",
			    c->client);
			SSL_free(c->ssl);
			close(fd);
			free(c);
			return NULL;
		}
		c->state = CONN_PROXY;
		c->proxy = xmalloc(PROXY_MAX_HEADER);
		ev_timer_set(&c->timer, CONN_PROXY_DEADLINE, 0.);
	}
	/*
	 * Timers count from the loop's clock, read once per loop turn; one
	 * turn that accepts and handshakes a burst of clients can last a
	 * second, and the last of them would lose that much of its 10 s.
	 */
	if (busy) {
		c->busy = 1;
		ev_timer_set(&c->timer, CONN_BUSY_DEADLINE, 0.);
		w->nbusy++;
	}
	ev_now_update(w->loop);
	ev_timer_start(w->loop, &c->timer); /* after the last ev_timer_set */
	c->next = w->conns;
	if (w->conns)
		w->conns->prev = c;
	w->conns = c;
	w->nconns++;
	/* The ClientHello is usually there already: no need to wait. */
	conn_step(c);
	return c;
}

static struct xchg *
xchg_new(struct conn *c)
{
	if (c->x == NULL) {
		c->x = xcalloc(1, sizeof(*c->x));
		c->x->resp.fd = -1;
	}
	return c->x;
}

static void
log_request(struct conn *c)
{
	struct xchg *x = c->x;
	size_t len = x->reqlen;

	if (c->logged)
		return;
	c->logged = 1;
	while (len && (x->req[len - 1] == '\n' || x->req[len - 1] == '\r'))
		len--;
	log_access(c->client, x->resp.host, x->req, len, x->resp.status,
	    x->body_bytes, (ev_time() - c->started) * 1000.);
}

void
conn_close(struct conn *c, const char *reason)
{
	struct worker *w = c->w;

	log_debug("%s: closed: %s", c->client, reason);
	if (c->x && c->x->resp.status && !c->logged)
		log_request(c);
	ev_io_stop(w->loop, &c->io);
	ev_timer_stop(w->loop, &c->timer);
	/*
	 * Keep the SSL object of a cleanly finished connection: SSL_clear
	 * is much cheaper than SSL_free plus SSL_new. One whose SNI moved
	 * it to another host's context is not reused.
	 */
	if (c->state == CONN_SHUTDOWN && w->nspare < CONN_SPARE_SSL &&
	    SSL_get_SSL_CTX(c->ssl) == w->tls[0] && SSL_clear(c->ssl) == 1)
		w->spare[w->nspare++] = c->ssl;
	else
		SSL_free(c->ssl);
	close(c->fd);
	if (c->x) {
		page_unref(c->x->resp.page);
		if (c->x->resp.fd != -1)
			close(c->x->resp.fd);
		free(c->x->chunk);
		free(c->x);
	}
	free(c->proxy);
	if (c->prev)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	w->nconns--;
	if (c->busy)
		w->nbusy--;
	free(c);
	if (w->conn_closed)
		w->conn_closed(w);
}

/*
 * The client's second flight (its Finished, usually with the request
 * behind it) is answered by the session ticket, the response, the
 * close_notify and the FIN: four writes that would each leave as a TCP
 * segment of their own, each waking the client. Corked, they leave
 * together when shutdown() sends the FIN. Any wait uncorks first, so
 * nothing the client needs to go on is ever held back.
 */
static void
conn_cork(struct conn *c, int on)
{
	if (c->corked == on)
		return;
	c->corked = on;
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
}

/* Waits for the socket to become readable or writable, as OpenSSL asks. */
static void
conn_wait(struct conn *c, int events)
{
	conn_cork(c, 0);
	if ((c->io.events & (EV_READ | EV_WRITE)) == events &&
	    ev_is_active(&c->io))
		return;
	ev_io_stop(c->w->loop, &c->io);
	ev_io_set(&c->io, c->fd, events);
	ev_io_start(c->w->loop, &c->io);
}

/* Handles an SSL_* failure: 0 when it only asks to wait, -1 to close. */
static int
conn_ssl_wait(struct conn *c, int ret, const char *what)
{
	int err = SSL_get_error(c->ssl, ret);

	switch (err) {
	case SSL_ERROR_WANT_READ:
		conn_wait(c, EV_READ);
		return 0;
	case SSL_ERROR_WANT_WRITE:
		conn_wait(c, EV_WRITE);
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		conn_close(c, "client closed");
		return -1;
	default:
		if (err == SSL_ERROR_SSL) {
			const char *why =
			    ERR_reason_error_string(ERR_peek_error());

			log_debug("%s: %s: %s", c->client, what,
			    why ? why : "?");
		}
		ERR_clear_error();
		conn_close(c, what);
		return -1;
	}
}

static void
conn_respond(struct conn *c)
{
	struct request req;
	char fp[TLS_FINGERPRINT_LEN + 1];
	size_t len = c->x->reqlen;

	memset(&req, 0, sizeof(req));
	req.line = c->x->req;
	req.len = len;
	req.vhost = c->vhost;
	req.sni = SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name);
	if (tls_peer_fingerprint(c->ssl, fp) == 0) {
		req.fingerprint = fp;
		req.cert_expired = tls_peer_expired(c->ssl);
	}
	req.client = c->client;
	req.again = c->asked;
	c->asked = 1;
	gemini_handle(c->w->g, &req, &c->x->resp);
	if (c->x->resp.wait) {
		/*
		 * Parked: no I/O watched, the request deadline still running;
		 * conn_wake asks again when the page is there.
		 */
		c->state = CONN_PARKED;
		c->wait = c->x->resp.wait;
		c->wait_why = c->x->resp.wait_why;
		conn_cork(c, 0);
		ev_io_stop(c->w->loop, &c->io);
		if (c->w->conn_parked)
			c->w->conn_parked(c->w);
		return;
	}
	c->state = CONN_WRITE;
	ev_timer_stop(c->w->loop, &c->timer);
	c->timer.repeat = CONN_WRITE_TIMEOUT;
	ev_timer_again(c->w->loop, &c->timer);
}

static void
conn_reply_error(struct conn *c, int status, const char *meta)
{
	struct xchg *x = xchg_new(c);

	x->resp.status = status;
	x->resp.page = page_new(status, meta, NULL, 0);
	c->state = CONN_WRITE;
	ev_timer_stop(c->w->loop, &c->timer);
	c->timer.repeat = CONN_WRITE_TIMEOUT;
	ev_timer_again(c->w->loop, &c->timer);
}

/*
 * Reads until the CRLF; returns 1 when the request is complete. A bare LF
 * is not a line end (docs/protocol.md): reading goes on until CRLF, the
 * size limit or the deadline, and an LF inside the line makes the URL
 * malformed (59). The first read goes to the stack, so a connection that
 * sends nothing never gets its struct xchg.
 */
static int
conn_read(struct conn *c)
{
	char first[URL_MAX_REQUEST + 2];
	struct xchg *x;
	char *crlf;
	size_t from;
	int n;

	for (;;) {
		if ((x = c->x) == NULL)
			n = SSL_read(c->ssl, first, (int)sizeof(first));
		else
			n = SSL_read(c->ssl, x->req + x->reqlen,
			    (int)(sizeof(x->req) - x->reqlen));
		if (n <= 0)
			return conn_ssl_wait(c, n, "read failed") == 0 ? 0 : -1;
		if (x == NULL) {
			x = xchg_new(c);
			memcpy(x->req, first, (size_t)n);
		}
		/* A CR ending the previous read may pair with this LF. */
		from = x->reqlen > 0 ? x->reqlen - 1 : 0;
		if ((crlf = memmem(x->req + from, x->reqlen + (size_t)n - from,
			 "\r\n", 2)) != NULL) {
			x->reqlen = (size_t)(crlf - x->req);
			if (x->reqlen > URL_MAX_REQUEST) {
				conn_reply_error(c, GEMINI_BAD_REQUEST,
				    "request too long");
				return 1;
			}
			conn_respond(c);
			return 1;
		}
		x->reqlen += (size_t)n;
		if (x->reqlen >= sizeof(x->req)) {
			conn_reply_error(c, GEMINI_BAD_REQUEST,
			    "request too long");
			return 1;
		}
	}
}

/* Next bytes to send, or 0 when the response is complete. */
static size_t
conn_next(struct conn *c, const char **p)
{
	struct xchg *x = c->x;
	ssize_t n;
	size_t want;

	if (x->page_off < x->resp.page->len) {
		*p = x->resp.page->data + x->page_off;
		return x->resp.page->len - x->page_off;
	}
	if (x->resp.fd == -1)
		return 0;
	if (x->chunk_off < x->chunk_len) {
		*p = x->chunk + x->chunk_off;
		return x->chunk_len - x->chunk_off;
	}
	if (x->file_sent >= x->resp.size)
		return 0;
	if (x->chunk == NULL)
		x->chunk = xmalloc(CONN_FILE_CHUNK);
	want = CONN_FILE_CHUNK;
	if ((off_t)want > x->resp.size - x->file_sent)
		want = (size_t)(x->resp.size - x->file_sent);
	n = pread(x->resp.fd, x->chunk, want, x->file_sent);
	/*
	 * Changed under us (truncated, rewritten, replaced): the body would
	 * mix versions or come short. End it without close_notify, so the
	 * client can tell it is not complete.
	 */
	if (n != (ssize_t)want || !util_file_unchanged(x->resp.fd, &x->resp.st))
		return (size_t)-1;
	x->file_sent += n;
	x->chunk_len = (size_t)n;
	x->chunk_off = 0;
	*p = x->chunk;
	return x->chunk_len;
}

static void
conn_advance(struct conn *c, size_t n)
{
	struct xchg *x = c->x;
	if (x->page_off < x->resp.page->len) {
		size_t body_before = x->page_off > x->resp.page->body_off ?
		    x->page_off :
		    x->resp.page->body_off;

		x->page_off += n;
		if (x->page_off > body_before)
			x->body_bytes += x->page_off - body_before;
	} else {
		x->chunk_off += n;
		x->body_bytes += n;
	}
}

static void
conn_write(struct conn *c)
{
	const char *p;
	size_t len;
	int n, progressed = 0;

	for (;;) {
		len = conn_next(c, &p);
		if (len == (size_t)-1) {
			conn_close(c, "file changed while sending");
			return;
		}
		if (len == 0)
			break;
		if (len > INT32_MAX)
			len = INT32_MAX;
		n = SSL_write(c->ssl, p, (int)len);
		if (n <= 0) {
			if (progressed)
				ev_timer_again(c->w->loop, &c->timer);
			conn_ssl_wait(c, n, "write failed");
			return;
		}
		progressed = 1;
		conn_advance(c, (size_t)n);
	}
	log_request(c);
	c->state = CONN_SHUTDOWN;
	conn_step(c);
}

static void
conn_shutdown(struct conn *c)
{
	char drain[512];
	int n;

	n = SSL_shutdown(c->ssl);
	if (n < 0) {
		int err = SSL_get_error(c->ssl, n);

		if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
			conn_wait(c,
			    err == SSL_ERROR_WANT_WRITE ? EV_WRITE : EV_READ);
			return;
		}
		ERR_clear_error();
	}
	/*
	 * close_notify is out; we do not wait for the client's. Unread
	 * input would make close() send RST, which can destroy the
	 * response in the client's buffer: drain what is there first.
	 */
	shutdown(c->fd, SHUT_WR);
	/* Bounded: a client streaming junk must not hold the worker. */
	for (n = 0;
	     n < 16 && recv(c->fd, drain, sizeof(drain), MSG_DONTWAIT) > 0; n++)
		;
	conn_close(c, "done");
}

/*
 * Reads the PROXY header without taking a byte of the TLS stream: peek,
 * and consume only bytes known to be header (all of them while it is
 * incomplete, exactly its length once it is complete). Returns 1 when
 * done, 0 to wait, -1 when c was closed.
 */
static int
conn_read_proxy(struct conn *c)
{
	struct proxy_result r;
	const char *err;
	ssize_t n;
	int rc;

	n = recv(c->fd, c->proxy + c->proxylen, PROXY_MAX_HEADER - c->proxylen,
	    MSG_PEEK);
	if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
		conn_wait(c, EV_READ);
		return 0;
	}
	if (n <= 0) {
		conn_close(c, "closed before the PROXY header");
		return -1;
	}
	rc = proxy_parse(c->proxy, c->proxylen + (size_t)n, &r, &err);
	if (rc == -1) {
		log_warnx("%s: bad PROXY header: %s", c->client, err);
		conn_close(c, "bad PROXY header");
		return -1;
	}
	if (rc == 0) {
		/* Every byte seen is header: take them and wait for more. */
		if (recv(c->fd, c->proxy + c->proxylen, (size_t)n, 0) != n) {
			conn_close(c, "PROXY header read failed");
			return -1;
		}
		c->proxylen += (size_t)n;
		conn_wait(c, EV_READ);
		return 0;
	}
	n = (ssize_t)(r.consumed - c->proxylen);
	if (n > 0 && recv(c->fd, c->proxy + c->proxylen, (size_t)n, 0) != n) {
		conn_close(c, "PROXY header read failed");
		return -1;
	}
	if (!r.local)
		format_addr((struct sockaddr *)&r.src, c->client,
		    sizeof(c->client));
	free(c->proxy);
	c->proxy = NULL;
	/* The request deadline still counts from accept. */
	ev_timer_stop(c->w->loop, &c->timer);
	ev_timer_set(&c->timer,
	    CONN_REQUEST_DEADLINE - (ev_time() - c->started), 0.);
	ev_timer_start(c->w->loop, &c->timer);
	c->state = CONN_HANDSHAKE;
	return 1;
}

static void
conn_step(struct conn *c)
{
	int n;

	switch (c->state) {
	case CONN_PROXY:
		if (conn_read_proxy(c) != 1)
			return;
		/* FALLTHROUGH */
	case CONN_HANDSHAKE:
		if (!SSL_in_before(c->ssl))
			conn_cork(c, 1); /* past our first flight */
		n = SSL_do_handshake(c->ssl);
		if (n != 1) {
			conn_ssl_wait(c, n, "handshake failed");
			return;
		}
		c->state = CONN_READ;
		if (c->busy) {
			conn_reply_error(c, GEMINI_SERVER_UNAVAILABLE,
			    "server busy; try again shortly");
			conn_write(c);
			return;
		}
		/* FALLTHROUGH */
	case CONN_READ:
		if (conn_read(c) != 1 || c->state == CONN_PARKED)
			return;
		/* FALLTHROUGH */
	case CONN_WRITE:
		conn_write(c);
		return;
	case CONN_SHUTDOWN:
		conn_shutdown(c);
		return;
	case CONN_PARKED:
		return;
	}
}

void
conn_wake(struct worker *w, const void *key)
{
	struct conn *c, *next;

	for (c = w->conns; c; c = next) {
		next = c->next;
		if (c->state != CONN_PARKED || c->wait != key)
			continue;
		c->wait = NULL;
		conn_respond(c);
		if (c->state == CONN_WRITE)
			conn_write(c);
	}
}

static void
conn_io_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	(void)loop;
	(void)revents;
	conn_step((struct conn *)io);
}

static void
conn_timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct conn *c =
	    (struct conn *)((char *)t - offsetof(struct conn, timer));

	(void)loop;
	(void)revents;
	if (c->state == CONN_PARKED) {
		/* Its page took the whole deadline: say so, do not hang up. */
		c->wait = NULL;
		conn_reply_error(c, GEMINI_TEMP_FAILURE,
		    c->wait_why ? c->wait_why :
				  "the page is still being rendered; try "
				  "again shortly");
		conn_write(c);
		return;
	}
	conn_close(c,
	    c->state == CONN_WRITE ? "write timeout" :
				     "request deadline passed");
}

int
conn_sni_cb(SSL *ssl, int *alert, void *arg)
{
	struct conn *c = SSL_get_app_data(ssl);
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	struct gemini_ctx *g;
	size_t i;

	(void)alert;
	(void)arg;
	if (name == NULL || c == NULL)
		return SSL_TLSEXT_ERR_OK; /* no SNI: the default host */
	g = c->w->g;
	if ((i = vhost_find(g->vhosts, g->nvhosts, name)) == g->nvhosts)
		return SSL_TLSEXT_ERR_OK; /* unknown: default host, 53 later */
	c->vhost = &g->vhosts[i];
	if (c->w->tls[i] != SSL_get_SSL_CTX(ssl))
		SSL_set_SSL_CTX(ssl, c->w->tls[i]);
	return SSL_TLSEXT_ERR_OK;
}
