/*
 * gemload: an event-driven Gemini load generator for loopback benchmarks.
 * It keeps -c connections in flight, one fresh TCP+TLS connection per
 * request, checks every response and reports throughput, latency, errors
 * by kind, a status histogram and its own CPU per request, so a run can
 * tell whether the client was the bottleneck.  Every run is bounded (-n or
 * -d, never more than ten minutes) and talks to loopback addresses only.
 */

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* For the ENGINE calls of legacy_ec(): deprecated, but still in 3.x. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/opensslconf.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#if !defined(OPENSSL_NO_ENGINE) && !defined(OPENSSL_NO_EC) && \
    !defined(OPENSSL_NO_DEPRECATED_3_0)
#include <openssl/engine.h>
#define GL_LEGACY_EC
#endif

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#define GL_POISON(p, n)	  ASAN_POISON_MEMORY_REGION((p), (n))
#define GL_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define GL_POISON(p, n)	  ((void)(p), (void)(n))
#define GL_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define GL_MAX_SECONDS 600   /* hard cap on any run, whatever the flags */
#define GL_HEADER_MAX  1029  /* bytes of "NN META\r\n": 2+1+1024+2 */
#define GL_CHUNK       16384 /* bytes per SSL_read: one TLS record */
#define GL_EVENTS      256   /* epoll events handled per wake-up */
#define GL_TICK_NS     100000000ULL /* timeout scan period: 100 ms */
#define GL_PAUSE_NS    10000000ULL  /* after a failed connect: 10 ms */
#define NS	       1000000000ULL
#define GL_ARENA       (1024 * 1024) /* bytes carved into small blocks */
#define GL_SMALL_MAX   65536	     /* OpenSSL blocks above this: malloc */
#define GL_NCLASSES    60	     /* 16..512 bytes by 16, then 4 per 2x */
#define GL_LARGE       GL_NCLASSES   /* the class of a malloc'd block */

static const char usage_text[] =
    "usage: gemload [-c CONN] [-n REQUESTS | -d SECONDS] [-r] [-p CPU]\n"
    "               [--sni NAME] [--url URL] [--expect-bytes N] [--json]\n"
    "               [--timeout SECONDS] [--save FILE] [--no-sig-check]\n"
    "               [--idle N [--hold SECONDS]] HOST PORT\n"
    "\n"
    "Gemini load over loopback: -c connections in flight (default 16), a new\n"
    "TCP+TLS connection per request, for -n requests or -d seconds (default\n"
    "-d 5; at most 600 s either way).  No certificate verification.\n"
    "\n"
    "  -r                 resume TLS sessions: each connection offers a ticket\n"
    "                     received and not yet offered, the newest first\n"
    "  -p CPU             pin gemload to this CPU\n"
    "  --sni NAME         SNI to send (default HOST, or localhost for an IP)\n"
    "  --url URL          request (default gemini://SNI:PORT/)\n"
    "  --expect-bytes N   a 2x response body must be exactly N bytes\n"
    "  --json             one JSON object per report line instead of text\n"
    "  --timeout SECONDS  per request, connect to close_notify (default 10)\n"
    "  --save FILE        write the body of the (single) response to FILE\n"
    "  --no-sig-check     accept the server's handshake signature unchecked:\n"
    "                     a quarter of gemload's work per full handshake, none\n"
    "                     of the server's (for benchmarks; needs ENGINE support)\n"
    "  --idle N           open N connections, finish their handshakes, send\n"
    "                     nothing; print an \"up\" line when all are up, then\n"
    "                     hold them until --hold SECONDS pass (default 15) or\n"
    "                     the server has closed them all\n"
    "\n"
    "exit: 0 all requests answered with status 2x/3x, 1 errors or other\n"
    "statuses, 2 usage or set-up error.\n";

enum err_kind {
	E_CONNECT,
	E_HANDSHAKE,
	E_READ,
	E_NO_CLOSE_NOTIFY,
	E_BAD_STATUS,
	E_SHORT_BODY,
	E_TIMEOUT,
	E_NKINDS
};

static const char *const err_names[E_NKINDS] = { "connect", "handshake", "read",
	"no_close_notify", "bad_status", "short_body", "timeout" };

enum cstate { C_FREE, C_CONNECTING, C_HANDSHAKE, C_WRITE, C_READ, C_IDLE };

struct conn {
	int fd;
	SSL *ssl;
	enum cstate st;
	uint32_t events; /* epoll interest now registered */
	uint64_t t0;	 /* ns: when connect() was called */
	size_t hlen;
	int hdone;
	int status;
	long long body;
	struct conn *next_free;
	char hdr[GL_HEADER_MAX + 1];
};

struct opts {
	long conns;
	long requests; /* 0: run for seconds */
	double seconds;
	int resume;
	int cpu;
	const char *sni;
	const char *url;
	long long expect_bytes; /* -1: not checked */
	int json;
	double timeout;
	const char *save;
	long idle;
	double hold;
	int no_sig;
	const char *host;
	const char *port;
};

struct stats {
	long started;
	long ok;
	long errs[E_NKINDS];
	long status[100];
	long resumed;
	long long bytes;
	uint32_t *lat_us; /* one per ok request */
	size_t nlat, caplat;
	/* idle mode */
	long up;
	long closed;
	uint64_t close_min, close_max; /* ns from connect */
};

static struct opts o = { .conns = 16,
	.seconds = 5,
	.cpu = -1,
	.expect_bytes = -1,
	.timeout = 10,
	.hold = 15 };
static struct stats st;
static SSL_CTX *ctx;
/*
 * -r: tickets received and not yet offered, oldest first. OpenSSL's client
 * marks a TLS 1.3 session not resumable once a handshake with it completes
 * (a ticket is for one use, RFC 8446 C.4), so offering the last ticket to
 * every new connection made each one started between that handshake and
 * the arrival of its new ticket a full handshake (against capsuled, one
 * worker: 2-19 % of them at -c 4 to 16; two workers, -c 8: up to 40 %;
 * none against the serial bare.c). One ticket per connection, each
 * bringing the next, keeps every connection after the first -c resumed.
 */
static SSL_SESSION **tickets; /* a ring of capticket */
static size_t ticket0, nticket, capticket;
static struct sockaddr_storage addr;
static socklen_t addrlen;
static int ep = -1;
static struct conn *slots, *free_list;
static long inflight;
static char *request;
static size_t reqlen;
static FILE *save_fp;
static unsigned char scratch[GL_CHUNK];
static uint64_t pause_until; /* ns: no new connects before */

/* 16 bytes in front of every OpenSSL block: malloc's alignment holds. */
struct gl_hdr {
	union {
		struct gl_hdr *next; /* a free small block: its list */
		size_t size;	     /* a large block: bytes asked for */
	} u;
	size_t cls;
};

static struct gl_hdr *gl_free_lists[GL_NCLASSES];
static char *gl_cur; /* the unused part of the newest arena */
static size_t gl_left;
static void *gl_arenas; /* all arenas, linked by their 1st word */

static void die(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("gemload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/*
 * OpenSSL allocates and frees well over a thousand blocks per handshake.
 * gemload is single-threaded and its runs are bounded, so OpenSSL gets a
 * plain size-class allocator instead of glibc's: blocks carved from 1 MiB
 * arenas, a LIFO free list per class, nothing handed back to the system.
 * That saves a tenth of the client's instructions per handshake (4 % once
 * legacy_ec() spares the decoders their allocations).  Freed blocks are
 * always reused, so memory stays bounded by the peak of live blocks per
 * class, which -c and --idle bound; with four classes per power of two it
 * uses less than glibc did.  Blocks above GL_SMALL_MAX (none in a
 * handshake) go to malloc.  Under AddressSanitizer a free block is
 * poisoned, so a use after free in OpenSSL is still caught.
 */
static size_t
gl_class(size_t n)
{
	int e;

	if (n <= 512)
		return (n + 15) / 16 - 1;
	/* Above, four classes per power of two: 640, 768, 896, 1024, ... */
	e = 63 - __builtin_clzll((unsigned long long)n - 1);
	return 32 + (size_t)(e - 9) * 4 + (((n - 1) >> (e - 2)) & 3);
}

static size_t
gl_class_size(size_t cls)
{
	if (cls < 32)
		return (cls + 1) * 16;
	return (5 + (cls - 32) % 4) << ((cls - 32) / 4 + 7);
}

static void *
gl_malloc(size_t n, const char *file, int line)
{
	struct gl_hdr *h;
	size_t cls, need;
	char *a;

	(void)file;
	(void)line;
	if (n == 0)
		return NULL; /* what OpenSSL's own CRYPTO_malloc does */
	if (n > GL_SMALL_MAX) {
		if (n > SIZE_MAX - sizeof(*h) ||
		    (h = malloc(sizeof(*h) + n)) == NULL)
			return NULL;
		h->u.size = n;
		h->cls = GL_LARGE;
		return h + 1;
	}
	cls = gl_class(n);
	if ((h = gl_free_lists[cls]) != NULL) {
		gl_free_lists[cls] = h->u.next;
		GL_UNPOISON(h + 1, gl_class_size(cls));
		return h + 1;
	}
	need = sizeof(*h) + gl_class_size(cls);
	if (gl_left < need) {
		/* The old arena's tail, under 64 KiB, is left unused. */
		if ((a = malloc(GL_ARENA)) == NULL)
			return NULL;
		*(void **)a = gl_arenas;
		gl_arenas = a;
		gl_cur = a + sizeof(*h);
		gl_left = GL_ARENA - sizeof(*h);
	}
	h = (struct gl_hdr *)gl_cur;
	gl_cur += need;
	gl_left -= need;
	h->cls = cls;
	return h + 1;
}

static void
gl_free(void *p, const char *file, int line)
{
	struct gl_hdr *h;

	(void)file;
	(void)line;
	if (p == NULL)
		return;
	h = (struct gl_hdr *)p - 1;
	if (h->cls == GL_LARGE) {
		free(h);
		return;
	}
	h->u.next = gl_free_lists[h->cls];
	gl_free_lists[h->cls] = h;
	GL_POISON(p, gl_class_size(h->cls));
}

static void *
gl_realloc(void *p, size_t n, const char *file, int line)
{
	struct gl_hdr *h;
	size_t have;
	void *q;

	if (p == NULL)
		return gl_malloc(n, file, line);
	if (n == 0) {
		gl_free(p, file, line); /* as CRYPTO_realloc does */
		return NULL;
	}
	h = (struct gl_hdr *)p - 1;
	if (h->cls == GL_LARGE) {
		if (n > GL_SMALL_MAX) {
			if (n > SIZE_MAX - sizeof(*h) ||
			    (h = realloc(h, sizeof(*h) + n)) == NULL)
				return NULL;
			h->u.size = n;
			return h + 1;
		}
		have = h->u.size;
	} else {
		/* A small block shrinks, or grows within its class, in place. */
		have = gl_class_size(h->cls);
		if (n <= have)
			return p;
	}
	if ((q = gl_malloc(n, file, line)) == NULL)
		return NULL;
	memcpy(q, p, have < n ? have : n);
	gl_free(p, file, line);
	return q;
}

#ifdef GL_LEGACY_EC
/*
 * Decoding the server's certificate was a third of the client's work, and
 * nearly all of it went to OSSL_DECODER_CTX_new_for_pkey(), which OpenSSL
 * 3.0 builds afresh for every key: it walks every key manager and decoder
 * of every provider.  d2i_X509() tries the old EVP_PKEY_ASN1_METHOD decoder
 * first, but only for a key type some ENGINE has an EVP_PKEY_METHOD for.
 * So an ENGINE offers a copy of OpenSSL's own EC method, and the server's
 * EC key is decoded the legacy way, for a seventh of the cost.  The
 * CertificateVerify is still checked by ECDSA_verify(), through that same
 * method, and nothing on the wire changes.  Should this fail, or the
 * OpenSSL lack engines, all works as before, only slower.
 */
static EVP_PKEY_METHOD *ec_pmeth;
static const int ec_nids[] = { EVP_PKEY_EC };

/*
 * --no-sig-check: the CertificateVerify signature is taken as good. With
 * no certificate verification (clients trust on first use) it proves
 * little to a load generator, yet ECDSA_verify() is a quarter of a full
 * handshake's client work, and the server signs all the same.
 */
static int
sig_accept(EVP_PKEY_CTX *c, const unsigned char *sig, size_t siglen,
    const unsigned char *tbs, size_t tbslen)
{
	(void)c;
	(void)tbs;
	(void)tbslen;
	return sig != NULL && siglen > 0;
}

static int
ec_pkey_meths(ENGINE *e, EVP_PKEY_METHOD **pmeth, const int **nids, int nid)
{
	(void)e;
	if (pmeth == NULL) {
		*nids = ec_nids;
		return 1; /* how many */
	}
	*pmeth = nid == EVP_PKEY_EC ? ec_pmeth : NULL;
	return *pmeth != NULL;
}

static void
legacy_ec(void)
{
	const EVP_PKEY_METHOD *std;
	ENGINE *e;

	if ((std = EVP_PKEY_meth_find(EVP_PKEY_EC)) == NULL ||
	    (ec_pmeth = EVP_PKEY_meth_new(EVP_PKEY_EC, 0)) == NULL)
		goto fail;
	EVP_PKEY_meth_copy(ec_pmeth, std);
	if (o.no_sig)
		EVP_PKEY_meth_set_verify(ec_pmeth, NULL, sig_accept);
	if ((e = ENGINE_new()) == NULL)
		goto fail;
	if (!ENGINE_set_id(e, "gemload-ec") ||
	    !ENGINE_set_name(e, "gemload: OpenSSL's EC, legacy decoding") ||
	    !ENGINE_set_pkey_meths(e, ec_pkey_meths) || !ENGINE_add(e) ||
	    !ENGINE_set_default_pkey_meths(e)) {
		ENGINE_free(e);
		goto fail;
	}
	ENGINE_free(e); /* the engine list keeps it */
	return;
fail:
	ERR_clear_error();
	if (o.no_sig)
		die("--no-sig-check: OpenSSL refused the EC engine");
}
#endif

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static long
parse_long(const char *s, const char *what, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		die("%s: want an integer in %ld..%ld, got '%s'", what, lo, hi,
		    s);
	return v;
}

static double
parse_secs(const char *s, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > GL_MAX_SECONDS)
		die("%s: want seconds in (0, %d], got '%s'", what,
		    GL_MAX_SECONDS, s);
	return v;
}

/* Only loopback: this tool must never load someone else's server. */
static int
is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
		    (const struct sockaddr_in6 *)sa;
		const unsigned char *b = in6->sin6_addr.s6_addr;

		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return 1;
		return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && b[12] == 127;
	}
	return 0;
}

static int
is_ip_literal(const char *host)
{
	unsigned char tmp[16];

	return inet_pton(AF_INET, host, tmp) == 1 ||
	    inet_pton(AF_INET6, host, tmp) == 1;
}

static void
resolve(void)
{
	struct addrinfo hints, *res;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(o.host, o.port, &hints, &res)) != 0)
		die("%s:%s: %s", o.host, o.port, gai_strerror(rc));
	if (!is_loopback(res->ai_addr)) {
		freeaddrinfo(res);
		die("%s: not a loopback address; gemload only loads loopback",
		    o.host);
	}
	memcpy(&addr, res->ai_addr, res->ai_addrlen);
	addrlen = res->ai_addrlen;
	freeaddrinfo(res);
}

/* Keeps a new ticket; past capticket, the oldest goes. */
static int
new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
	(void)ssl;
	if (nticket == capticket) {
		SSL_SESSION_free(tickets[ticket0]);
		ticket0 = (ticket0 + 1) % capticket;
		nticket--;
	}
	tickets[(ticket0 + nticket++) % capticket] = sess;
	return 1; /* we keep the reference */
}

/* The newest ticket still resumable, now the caller's, or NULL. */
static SSL_SESSION *
take_ticket(void)
{
	SSL_SESSION *sess;

	while (nticket > 0) {
		sess = tickets[(ticket0 + --nticket) % capticket];
		if (SSL_SESSION_is_resumable(sess))
			return sess;
		SSL_SESSION_free(sess);
	}
	return NULL;
}

/*
 * One context for every connection.  No verification: Gemini clients
 * trust on first use, and a benchmark has nothing to verify against.
 */
static void
make_ctx(void)
{
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		die("SSL_CTX_new failed");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION))
		die("SSL_CTX_set_min_proto_version failed");
	if (o.idle)
		SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (o.resume) {
		SSL_CTX_set_session_cache_mode(ctx,
		    SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
		SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
	}
}

static void
raise_nofile(long need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur >= (rlim_t)need)
		return;
	if (rl.rlim_max < (rlim_t)need)
		rl.rlim_max = (rlim_t)need; /* works as root */
	rl.rlim_cur = (rlim_t)need;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		die("cannot raise the open-file limit to %ld: %s", need,
		    strerror(errno));
}

static void
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) == -1)
		die("pin to CPU %d: %s", cpu, strerror(errno));
}

static void
want(struct conn *c, uint32_t ev)
{
	struct epoll_event e;

	if (c->events == ev)
		return;
	e.events = ev;
	e.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e) == -1)
		die("epoll_ctl: %s", strerror(errno));
	c->events = ev;
}

static void
conn_release(struct conn *c)
{
	SSL_free(c->ssl); /* no close_notify back: the server is gone */
	c->ssl = NULL;
	close(c->fd);
	c->fd = -1;
	c->st = C_FREE;
	c->next_free = free_list;
	free_list = c;
	inflight--;
	ERR_clear_error();
}

static void
conn_fail(struct conn *c, enum err_kind kind)
{
	st.errs[kind]++;
	/* A refused connect returns at once: do not spin on a dead server. */
	if (kind == E_CONNECT)
		pause_until = now_ns() + GL_PAUSE_NS;
	conn_release(c);
}

static void
record_latency(uint64_t ns)
{
	uint64_t us = ns / 1000;

	if (st.nlat == st.caplat) {
		st.caplat = st.caplat ? st.caplat * 2 : 4096;
		st.lat_us = realloc(st.lat_us, st.caplat * sizeof(*st.lat_us));
		if (st.lat_us == NULL)
			die("out of memory");
	}
	st.lat_us[st.nlat++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static void
conn_done(struct conn *c)
{
	if (!c->hdone) {
		conn_fail(c, E_BAD_STATUS);
		return;
	}
	if (o.expect_bytes >= 0 && c->status / 10 == 2 &&
	    c->body != o.expect_bytes) {
		conn_fail(c, E_SHORT_BODY);
		return;
	}
	if (SSL_session_reused(c->ssl))
		st.resumed++;
	/*
	 * A connection freed without a shutdown marks its session (the
	 * ticket we keep) not resumable: this one ended properly.
	 */
	SSL_set_shutdown(c->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	st.ok++;
	st.bytes += c->body;
	record_latency(now_ns() - c->t0);
	conn_release(c);
}

static void
save_body(const unsigned char *p, size_t n)
{
	if (save_fp && n && fwrite(p, 1, n, save_fp) != n)
		die("%s: %s", o.save, strerror(errno));
}

/* "NN META\r\n" or "NN\r\n", with two digits: anything else is bad. */
static int
header_ok(struct conn *c)
{
	const char *h = c->hdr;

	if (c->hlen < 4 || h[c->hlen - 2] != '\r')
		return 0;
	if (h[0] < '1' || h[0] > '6' || h[1] < '0' || h[1] > '9')
		return 0;
	if (c->hlen > 4 && h[2] != ' ')
		return 0;
	c->status = (h[0] - '0') * 10 + (h[1] - '0');
	return 1;
}

/* Returns -1 if the response is already known to be malformed. */
static int
consume(struct conn *c, const unsigned char *p, size_t n)
{
	size_t i;

	if (!c->hdone) {
		for (i = 0; i < n; i++) {
			if (c->hlen == GL_HEADER_MAX)
				return -1;
			c->hdr[c->hlen++] = (char)p[i];
			if (p[i] == '\n')
				break;
		}
		if (i == n)
			return 0;
		c->hdone = 1;
		if (!header_ok(c))
			return -1;
		st.status[c->status]++;
		p += i + 1;
		n -= i + 1;
	}
	c->body += (long long)n;
	save_body(p, n);
	return 0;
}

static void
tls_error(struct conn *c, int r, enum err_kind kind)
{
	int e = SSL_get_error(c->ssl, r);

	switch (e) {
	case SSL_ERROR_WANT_READ:
		want(c, EPOLLIN);
		return;
	case SSL_ERROR_WANT_WRITE:
		want(c, EPOLLOUT);
		return;
	case SSL_ERROR_ZERO_RETURN:
		if (kind == E_READ) {
			conn_done(c);
			return;
		}
		break;
	case SSL_ERROR_SSL:
		/* OpenSSL 3 reports an EOF without close_notify this way. */
		if (kind == E_READ &&
		    ERR_GET_REASON(ERR_peek_error()) ==
			SSL_R_UNEXPECTED_EOF_WHILE_READING)
			kind = E_NO_CLOSE_NOTIFY;
		break;
	case SSL_ERROR_SYSCALL:
		if (kind == E_READ && errno == 0)
			kind = E_NO_CLOSE_NOTIFY;
		break;
	default:
		break;
	}
	conn_fail(c, kind);
}

static void
do_read(struct conn *c)
{
	int r;

	for (;;) {
		r = SSL_read(c->ssl, scratch, sizeof(scratch));
		if (r <= 0)
			break;
		if (consume(c, scratch, (size_t)r) == -1) {
			conn_fail(c, E_BAD_STATUS);
			return;
		}
	}
	tls_error(c, r, E_READ);
}

static void
do_write(struct conn *c)
{
	int r;

	if ((r = SSL_write(c->ssl, request, (int)reqlen)) <= 0) {
		tls_error(c, r, E_READ);
		return;
	}
	c->st = C_READ;
	do_read(c);
}

/* Idle connections only read to see tickets arrive and the server close. */
static void
do_idle_read(struct conn *c)
{
	uint64_t dt;
	int r, e;

	while ((r = SSL_read(c->ssl, scratch, sizeof(scratch))) > 0)
		;
	e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ) {
		want(c, EPOLLIN);
		return;
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		want(c, EPOLLOUT);
		return;
	}
	dt = now_ns() - c->t0;
	if (st.closed == 0 || dt < st.close_min)
		st.close_min = dt;
	if (dt > st.close_max)
		st.close_max = dt;
	st.closed++;
	conn_release(c);
}

static void
do_handshake(struct conn *c)
{
	int r;

	if ((r = SSL_connect(c->ssl)) != 1) {
		tls_error(c, r, E_HANDSHAKE);
		return;
	}
	if (o.idle) {
		c->st = C_IDLE;
		st.up++;
		if (SSL_session_reused(c->ssl))
			st.resumed++;
		do_idle_read(c);
		return;
	}
	c->st = C_WRITE;
	do_write(c);
}

static void
begin_tls(struct conn *c)
{
	SSL_SESSION *sess;

	if ((c->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		conn_fail(c, E_HANDSHAKE);
		return;
	}
	if (o.sni && SSL_set_tlsext_host_name(c->ssl, o.sni) != 1) {
		conn_fail(c, E_HANDSHAKE);
		return;
	}
	if (o.resume && (sess = take_ticket()) != NULL) {
		SSL_set_session(c->ssl, sess);
		SSL_SESSION_free(sess); /* c->ssl holds it */
	}
	SSL_set_connect_state(c->ssl);
	c->st = C_HANDSHAKE;
	do_handshake(c);
}

static void
start_one(void)
{
	struct epoll_event e;
	struct conn *c = free_list;
	int one = 1;

	free_list = c->next_free;
	memset(c, 0, offsetof(struct conn, hdr));
	inflight++;
	st.started++;
	c->t0 = now_ns();
	c->fd = socket(addr.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		st.errs[E_CONNECT]++;
		pause_until = c->t0 + GL_PAUSE_NS;
		c->st = C_FREE;
		c->next_free = free_list;
		free_list = c;
		inflight--;
		return;
	}
	/* The request follows the client Finished: do not let Nagle hold it. */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->events = EPOLLOUT;
	e.events = c->events;
	e.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e) == -1)
		die("epoll_ctl: %s", strerror(errno));
	c->st = C_CONNECTING;
	if (connect(c->fd, (struct sockaddr *)&addr, addrlen) == 0)
		begin_tls(c);
	else if (errno != EINPROGRESS)
		conn_fail(c, E_CONNECT);
}

static void
on_event(struct conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	switch (c->st) {
	case C_CONNECTING:
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
		    err != 0) {
			conn_fail(c, E_CONNECT);
			return;
		}
		begin_tls(c);
		break;
	case C_HANDSHAKE:
		do_handshake(c);
		break;
	case C_WRITE:
		do_write(c);
		break;
	case C_READ:
		do_read(c);
		break;
	case C_IDLE:
		do_idle_read(c);
		break;
	case C_FREE:
		break;
	}
}

static void
check_timeouts(uint64_t now)
{
	uint64_t limit = (uint64_t)(o.timeout * 1e9);
	long i, n = o.idle ? o.idle : o.conns;

	for (i = 0; i < n; i++) {
		struct conn *c = &slots[i];

		if (c->st == C_FREE || c->st == C_IDLE)
			continue;
		if (now - c->t0 > limit)
			conn_fail(c, E_TIMEOUT);
	}
}

static void
abort_all(void)
{
	long i, n = o.idle ? o.idle : o.conns;

	for (i = 0; i < n; i++)
		if (slots[i].st != C_FREE)
			conn_release(&slots[i]);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct_ms(double p)
{
	size_t i;

	if (st.nlat == 0)
		return 0;
	i = (size_t)(p * (double)st.nlat + 0.999999);
	if (i > 0)
		i--;
	if (i >= st.nlat)
		i = st.nlat - 1;
	return st.lat_us[i] / 1000.;
}

static long
total_errors(void)
{
	long n = 0;
	int k;

	for (k = 0; k < E_NKINDS; k++)
		n += st.errs[k];
	return n;
}

static long
odd_statuses(void)
{
	long n = 0;
	int s;

	for (s = 0; s < 100; s++)
		if (s / 10 != 2 && s / 10 != 3)
			n += st.status[s];
	return n;
}

static void
report(double wall, double cpu)
{
	long done = (o.idle ? st.up : st.ok) + total_errors();
	double rps = wall > 0 ? st.ok / wall : 0;
	double cpu_us = done ? cpu * 1e6 / (double)done : 0;
	double util = wall > 0 ? cpu / wall : 0;
	int k, s, first = 1;

	if (st.nlat) /* idle runs have none, and lat_us is NULL then */
		qsort(st.lat_us, st.nlat, sizeof(*st.lat_us), cmp_u32);
	if (o.json) {
		printf("{\"requests\":%ld,\"ok\":%ld,\"errors\":%ld,"
		       "\"seconds\":%.3f,\"rps\":%.1f,\"p50_ms\":%.3f,"
		       "\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,",
		    done, st.ok, total_errors(), wall, rps, pct_ms(.50),
		    pct_ms(.90), pct_ms(.99), pct_ms(1));
		for (k = 0; k < E_NKINDS; k++)
			printf("\"err_%s\":%ld,", err_names[k], st.errs[k]);
		printf("\"status\":{");
		for (s = 0; s < 100; s++)
			if (st.status[s]) {
				printf("%s\"%02d\":%ld", first ? "" : ",", s,
				    st.status[s]);
				first = 0;
			}
		printf("},\"resumed\":%ld,\"body_bytes\":%lld,"
		       "\"client_cpu_us_per_req\":%.1f,\"client_cpu_util\":%.3f",
		    st.resumed, st.bytes, cpu_us, util);
		if (o.idle)
			printf(",\"idle_up\":%ld,\"idle_closed\":%ld,"
			       "\"idle_close_min_s\":%.3f,"
			       "\"idle_close_max_s\":%.3f",
			    st.up, st.closed, st.close_min / 1e9,
			    st.close_max / 1e9);
		printf("}\n");
		return;
	}
	if (o.idle) {
		printf("idle: %ld of %ld up (%ld resumed), %ld errors; server "
		       "closed %ld",
		    st.up, o.idle, st.resumed, total_errors(), st.closed);
		if (st.closed)
			printf(" after %.2f..%.2f s from connect",
			    st.close_min / 1e9, st.close_max / 1e9);
		printf("\n");
	} else {
		printf("%ld requests in %.2f s: %.1f req/s, %ld ok, %ld "
		       "errors\n",
		    done, wall, rps, st.ok, total_errors());
		printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
		    pct_ms(.50), pct_ms(.90), pct_ms(.99), pct_ms(1));
		printf("status:");
		for (s = 0; s < 100; s++)
			if (st.status[s]) {
				printf(" %02d=%ld", s, st.status[s]);
				first = 0;
			}
		printf("%s\nresumed %ld of %ld, body bytes %lld\n",
		    first ? " none" : "", st.resumed, st.ok, st.bytes);
	}
	printf("errors:");
	for (k = 0; k < E_NKINDS; k++)
		printf(" %s=%ld", err_names[k], st.errs[k]);
	printf("\nclient CPU: %.1f us per %s, %.0f %% of one core\n", cpu_us,
	    o.idle ? "connection" : "request", util * 100);
}

static void
build_request(void)
{
	char def[512];
	const char *url = o.url;
	int n;

	if (url == NULL) {
		n = snprintf(def, sizeof(def), "gemini://%s%s%s:%s/",
		    strchr(o.sni, ':') ? "[" : "", o.sni,
		    strchr(o.sni, ':') ? "]" : "", o.port);
		if (n < 0 || (size_t)n >= sizeof(def))
			die("host name too long");
		url = def;
	}
	if (strlen(url) > 1024)
		die("--url: longer than Gemini's 1024 bytes");
	reqlen = strlen(url) + 2;
	if ((request = malloc(reqlen + 1)) == NULL)
		die("out of memory");
	snprintf(request, reqlen + 1, "%s\r\n", url);
}

static void
parse_args(int argc, char **argv)
{
	enum {
		O_SNI = 256,
		O_URL,
		O_EXPECT,
		O_JSON,
		O_TIMEOUT,
		O_SAVE,
		O_IDLE,
		O_HOLD,
		O_NOSIG,
		O_HELP
	};
	static const struct option longopts[] = { { "sni", required_argument,
						      NULL, O_SNI },
		{ "url", required_argument, NULL, O_URL },
		{ "expect-bytes", required_argument, NULL, O_EXPECT },
		{ "json", no_argument, NULL, O_JSON },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "save", required_argument, NULL, O_SAVE },
		{ "idle", required_argument, NULL, O_IDLE },
		{ "hold", required_argument, NULL, O_HOLD },
		{ "no-sig-check", no_argument, NULL, O_NOSIG },
		{ "help", no_argument, NULL, O_HELP }, { NULL, 0, NULL, 0 } };
	int ch, have_d = 0;

	while (
	    (ch = getopt_long(argc, argv, "c:n:d:rp:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.conns = parse_long(optarg, "-c", 1, 60000);
			break;
		case 'n':
			o.requests = parse_long(optarg, "-n", 1, 100000000);
			break;
		case 'd':
			o.seconds = parse_secs(optarg, "-d");
			have_d = 1;
			break;
		case 'r':
			o.resume = 1;
			break;
		case 'p':
			o.cpu =
			    (int)parse_long(optarg, "-p", 0, CPU_SETSIZE - 1);
			break;
		case O_SNI:
			o.sni = optarg;
			break;
		case O_URL:
			o.url = optarg;
			break;
		case O_EXPECT:
			o.expect_bytes =
			    parse_long(optarg, "--expect-bytes", 0, LONG_MAX);
			break;
		case O_JSON:
			o.json = 1;
			break;
		case O_TIMEOUT:
			o.timeout = parse_secs(optarg, "--timeout");
			break;
		case O_SAVE:
			o.save = optarg;
			break;
		case O_IDLE:
			o.idle = parse_long(optarg, "--idle", 1, 1000000);
			break;
		case O_HOLD:
			o.hold = parse_secs(optarg, "--hold");
			break;
		case O_NOSIG:
			o.no_sig = 1;
			break;
		case O_HELP:
			fputs(usage_text, stdout);
			exit(0);
		default:
			fputs(usage_text, stderr);
			exit(2);
		}
	}
	if (argc - optind != 2) {
		fputs(usage_text, stderr);
		exit(2);
	}
	o.host = argv[optind];
	o.port = argv[optind + 1];
	parse_long(o.port, "PORT", 1, 65535);
	if (o.requests && have_d)
		die("-n and -d are exclusive");
	if (o.requests && o.conns > o.requests)
		o.conns = o.requests;
	if (o.save) {
		o.conns = 1;
		if (o.requests != 1)
			die("--save needs -n 1");
	}
	if (o.sni == NULL)
		o.sni = is_ip_literal(o.host) ? "localhost" : o.host;
	if (*o.sni == '\0' || is_ip_literal(o.sni))
		o.sni = NULL; /* RFC 6066: no IP literals in SNI */
	if (o.url == NULL && o.sni == NULL)
		die("--url needed when no SNI name is sent");
}

static int
may_start(uint64_t now, uint64_t t_end)
{
	if (now >= t_end)
		return 0;
	if (o.idle)
		return st.started < o.idle;
	if (o.requests)
		return st.started < o.requests;
	return 1;
}

int
main(int argc, char **argv)
{
	struct epoll_event evs[GL_EVENTS];
	uint64_t t_begin, t_end, t_cap, t_tick, t_hold = 0, now;
	double cpu0;
	long i, nslots;
	int n, up_said = 0;

	/*
	 * First of all: OpenSSL refuses new allocators once it has allocated
	 * anything.  Should it refuse anyway, its own allocator is fine.
	 */
	(void)CRYPTO_set_mem_functions(gl_malloc, gl_realloc, gl_free);
	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	if (o.cpu >= 0)
		pin(o.cpu);
	resolve();
	build_request();
#ifdef GL_LEGACY_EC
	legacy_ec(); /* before any key is decoded */
#else
	if (o.no_sig)
		die("--no-sig-check: this OpenSSL has no ENGINE support");
#endif
	make_ctx();
	nslots = o.idle ? o.idle : o.conns;
	raise_nofile(nslots + 64);
	/* In flight at most nslots, each bringing one or two tickets. */
	capticket = 2 * (size_t)nslots;
	if ((tickets = calloc(capticket, sizeof(*tickets))) == NULL)
		die("out of memory");
	if ((slots = calloc((size_t)nslots, sizeof(*slots))) == NULL)
		die("out of memory");
	for (i = nslots - 1; i >= 0; i--) {
		slots[i].fd = -1;
		slots[i].next_free = free_list;
		free_list = &slots[i];
	}
	if (o.save && (save_fp = fopen(o.save, "wb")) == NULL)
		die("%s: %s", o.save, strerror(errno));
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1: %s", strerror(errno));

	cpu0 = cpu_seconds();
	t_begin = now = now_ns();
	t_cap = t_begin + (uint64_t)GL_MAX_SECONDS * NS;
	t_end = o.requests || o.idle ? t_cap :
				       t_begin + (uint64_t)(o.seconds * 1e9);
	t_tick = now + GL_TICK_NS;
	for (;;) {
		/* -c bounds connections in flight; idle ones do not count. */
		while (free_list && inflight - st.up + st.closed < o.conns &&
		    now >= pause_until && may_start(now, t_end))
			start_one();
		if (o.idle && !up_said && st.started == o.idle &&
		    inflight - (st.up - st.closed) == 0) {
			double s = (now_ns() - t_begin) / 1e9;

			if (o.json)
				printf("{\"idle_up\":%ld,\"idle_open\":%ld,"
				       "\"idle_up_s\":%.3f}\n",
				    st.up, st.up - st.closed, s);
			else
				printf("up %ld open %ld in %.2f s\n", st.up,
				    st.up - st.closed, s);
			fflush(stdout);
			up_said = 1;
			t_hold = now_ns() + (uint64_t)(o.hold * 1e9);
		}
		if (inflight == 0 && !may_start(now, t_end))
			break;
		if (up_said && (now >= t_hold || inflight == 0))
			break;
		if (now >= t_cap) {
			fprintf(stderr, "gemload: %d s cap reached\n",
			    GL_MAX_SECONDS);
			abort_all();
			break;
		}
		n = epoll_wait(ep, evs, GL_EVENTS, 20);
		if (n == -1 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		for (i = 0; i < n; i++)
			on_event(evs[i].data.ptr);
		now = now_ns();
		if (now >= t_tick) {
			check_timeouts(now);
			t_tick = now + GL_TICK_NS;
		}
	}
	now = now_ns();
	if (o.idle)
		abort_all();
	report((now - t_begin) / 1e9, cpu_seconds() - cpu0);
	if (save_fp && fclose(save_fp) != 0)
		die("%s: %s", o.save, strerror(errno));
	if (st.ok == 0 && !o.idle)
		return 1;
	if (o.idle)
		return st.up == o.idle ? 0 : 1;
	return total_errors() || odd_statuses() ? 1 : 0;
}
