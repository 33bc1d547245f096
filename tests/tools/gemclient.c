/*
 * gemclient: a small Gemini client for the end-to-end tests.  It trusts
 * any certificate (TOFU), can misbehave on purpose (raw bytes, slow
 * writes, idling, resets) and tells a TLS close_notify from a bare EOF.
 * It prints one machine-readable summary line; it never retries.
 */

#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

static const char usage_text[] =
    "usage: gemclient [options] HOST PORT [REQUEST]\n"
    "\n"
    "Connects to HOST:PORT (IPv4/IPv6 literal or name) over TLS without\n"
    "verifying the certificate, sends REQUEST (default gemini://HOST:PORT/)\n"
    "followed by CRLF, and reads the response.  The header line and body go\n"
    "to stdout; one summary line goes to stderr (or --report FILE):\n"
    "\n"
    "  status=NN meta=\"...\" bytes=N close_notify=yes|no sha256=HEX\n"
    "  tls=TLSv1.3 handshake=ok|fail end=WHY elapsed_ms=N cert_sha256=HEX\n"
    "\n"
    "status is \"none\" without a header and \"bad\" for a malformed one;\n"
    "bytes and sha256 cover the body only; in meta, '\"', '\\' and control\n"
    "bytes appear as \\xHH; end is close_notify, eof (no close_notify),\n"
    "reset, error, timeout, stopped (we closed) or reset_sent.\n"
    "\n"
    "options:\n"
    "  --sni NAME          SNI to send (default HOST unless an IP literal)\n"
    "  --no-sni            send no SNI\n"
    "  --raw FILE          send the exact bytes of FILE instead of REQUEST+CRLF\n"
    "  --raw-hex HEX       send these bytes (hex) instead of REQUEST+CRLF\n"
    "  --cert F --key F    present a client certificate\n"
    "  --tls12             at most TLS 1.2 (same as --tls-max 1.2)\n"
    "  --tls-max V         at most TLS V: 1.0, 1.1, 1.2 or 1.3\n"
    "  --body FILE         write the body to FILE (header line still to stdout)\n"
    "  --header-only       print only the header; the body is still read,\n"
    "                      counted and hashed, then discarded\n"
    "  --timeout SECS      total time limit, connect included (default 10)\n"
    "  --slow MS           send the request one byte every MS milliseconds\n"
    "  --no-read           handshake, send nothing, wait for --timeout or for\n"
    "                      the server to close\n"
    "  --no-handshake      connect TCP only, send nothing, wait likewise\n"
    "  --reset-after N     after N body bytes, close with a TCP RST\n"
    "  --report FILE       write the summary line to FILE instead of stderr\n"
    "  -q                  do not write the header line and body to stdout\n"
    "\n"
    "exit: 0 header read, 1 usage or local error, 2 TLS handshake failed,\n"
    "3 closed with no header, 4 timeout with no header, 5 connect failed,\n"
    "6 malformed header.\n";

#define HEADER_MAX 4096 /* bytes of header line kept; spec: 2+1+1024+2 */
#define READ_CHUNK 16384

enum end_reason {
	END_NONE,
	END_CLOSE_NOTIFY,
	END_EOF,
	END_RESET,
	END_ERROR,
	END_TIMEOUT,
	END_STOPPED,
	END_RESET_SENT
};

static const char *end_names[] = { "none", "close_notify", "eof", "reset",
	"error", "timeout", "stopped", "reset_sent" };

struct opts {
	const char *host;
	const char *port;
	const char *request;
	const char *sni;
	int no_sni;
	const char *raw_file;
	const char *raw_hex;
	const char *cert;
	const char *key;
	int tls_max;
	const char *body_file;
	int header_only;
	int quiet;
	long timeout_ms;
	long slow_ms;
	int no_read;
	int no_handshake;
	long long reset_after;
	const char *report_file;
};

struct result {
	int handshake_ok;
	int handshake_tried;
	const char *tls_version;
	char cert_sha256[2 * 32 + 1];
	char header[HEADER_MAX + 1];
	size_t header_len;
	int header_done; /* 1 valid, -1 malformed */
	int status;
	char *meta;
	long long body_bytes;
	EVP_MD_CTX *md;
	enum end_reason end;
	char errbuf[256];
};

static struct timespec start_time;

static void die(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec - start_time.tv_sec) * 1000 +
	    (ts.tv_nsec - start_time.tv_nsec) / 1000000;
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gemclient: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static long
parse_num(const char *s, const char *what, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < 0 || v > max)
		die("bad %s: %s", what, s);
	return (long)v;
}

static void
parse_opts(struct opts *o, int argc, char **argv)
{
	int i, npos = 0;
	const char *pos[3] = { NULL, NULL, NULL };

	memset(o, 0, sizeof(*o));
	o->timeout_ms = 10000;
	o->reset_after = -1;
	o->tls_max = TLS1_3_VERSION;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = 1;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_text, stdout);
			exit(0);
		} else if (strcmp(a, "--no-sni") == 0) {
			o->no_sni = 1;
			takes = 0;
		} else if (strcmp(a, "--tls12") == 0) {
			o->tls_max = TLS1_2_VERSION;
			takes = 0;
		} else if (strcmp(a, "--header-only") == 0) {
			o->header_only = 1;
			takes = 0;
		} else if (strcmp(a, "--no-read") == 0) {
			o->no_read = 1;
			takes = 0;
		} else if (strcmp(a, "--no-handshake") == 0) {
			o->no_handshake = 1;
			takes = 0;
		} else if (strcmp(a, "-q") == 0) {
			o->quiet = 1;
			takes = 0;
		} else if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			if (strcmp(a, "--") == 0)
				die("unexpected --");
			if (npos == 3)
				die("too many arguments (try --help)");
			pos[npos++] = a;
			takes = 0;
		} else if (v == NULL) {
			die("%s: missing value or unknown option", a);
		} else if (strcmp(a, "--sni") == 0) {
			o->sni = v;
		} else if (strcmp(a, "--raw") == 0) {
			o->raw_file = v;
		} else if (strcmp(a, "--raw-hex") == 0) {
			o->raw_hex = v;
		} else if (strcmp(a, "--cert") == 0) {
			o->cert = v;
		} else if (strcmp(a, "--key") == 0) {
			o->key = v;
		} else if (strcmp(a, "--tls-max") == 0) {
			if (strcmp(v, "1.0") == 0)
				o->tls_max = TLS1_VERSION;
			else if (strcmp(v, "1.1") == 0)
				o->tls_max = TLS1_1_VERSION;
			else if (strcmp(v, "1.2") == 0)
				o->tls_max = TLS1_2_VERSION;
			else if (strcmp(v, "1.3") == 0)
				o->tls_max = TLS1_3_VERSION;
			else
				die("bad --tls-max: %s", v);
		} else if (strcmp(a, "--body") == 0) {
			o->body_file = v;
		} else if (strcmp(a, "--timeout") == 0) {
			o->timeout_ms = parse_num(v, "--timeout", 86400) * 1000;
		} else if (strcmp(a, "--slow") == 0) {
			o->slow_ms = parse_num(v, "--slow", 3600000);
		} else if (strcmp(a, "--reset-after") == 0) {
			o->reset_after =
			    parse_num(v, "--reset-after", LONG_MAX);
		} else if (strcmp(a, "--report") == 0) {
			o->report_file = v;
		} else {
			die("unknown option %s (try --help)", a);
		}
		i += takes;
	}
	if (npos < 2)
		die("need HOST and PORT (try --help)");
	o->host = pos[0];
	o->port = pos[1];
	o->request = pos[2];
	if ((o->cert == NULL) != (o->key == NULL))
		die("--cert and --key go together");
	if (o->raw_file != NULL && o->raw_hex != NULL)
		die("--raw and --raw-hex exclude each other");
}

static int
is_ip_literal(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Returns the bytes to send in a malloc'd buffer, length in *len. */
static unsigned char *
build_request(const struct opts *o, size_t *len)
{
	unsigned char *p;
	size_t i, n;

	if (o->raw_hex != NULL) {
		n = strlen(o->raw_hex);
		if (n % 2 != 0)
			die("--raw-hex: odd number of digits");
		if ((p = malloc(n / 2 + 1)) == NULL)
			die("out of memory");
		for (i = 0; i < n / 2; i++) {
			int hi = hexval(o->raw_hex[2 * i]);
			int lo = hexval(o->raw_hex[2 * i + 1]);

			if (hi < 0 || lo < 0)
				die("--raw-hex: not hex: %s", o->raw_hex);
			p[i] = (unsigned char)(hi << 4 | lo);
		}
		*len = n / 2;
		return p;
	}
	if (o->raw_file != NULL) {
		FILE *f;
		size_t cap = 4096;

		if ((f = fopen(o->raw_file, "rb")) == NULL)
			die("%s: %s", o->raw_file, strerror(errno));
		if ((p = malloc(cap)) == NULL)
			die("out of memory");
		n = 0;
		for (;;) {
			size_t r;

			if (n == cap) {
				cap *= 2;
				if ((p = realloc(p, cap)) == NULL)
					die("out of memory");
			}
			r = fread(p + n, 1, cap - n, f);
			if (r == 0)
				break;
			n += r;
		}
		if (ferror(f))
			die("%s: read error", o->raw_file);
		fclose(f);
		*len = n;
		return p;
	}
	if (o->request != NULL) {
		n = strlen(o->request);
		if ((p = malloc(n + 2)) == NULL)
			die("out of memory");
		memcpy(p, o->request, n);
	} else {
		int v6 = strchr(o->host, ':') != NULL;
		int r;

		n = strlen(o->host) + strlen(o->port) + 32;
		if ((p = malloc(n + 2)) == NULL)
			die("out of memory");
		r = snprintf((char *)p, n, "gemini://%s%s%s:%s/", v6 ? "[" : "",
		    o->host, v6 ? "]" : "", o->port);
		if (r < 0 || (size_t)r >= n)
			die("request too long");
		n = (size_t)r;
	}
	p[n++] = '\r';
	p[n++] = '\n';
	*len = n;
	return p;
}

static long
remaining_ms(const struct opts *o)
{
	long left = o->timeout_ms - now_ms();

	return left > 0 ? left : 0;
}

/* Waits for events on fd until the deadline or max_ms (-1: no cap).
 * Returns 1 ready, 0 timed out, -1 error. */
static int
wait_fd(const struct opts *o, int fd, short events, long max_ms)
{
	struct pollfd pfd;
	long left;
	int r;

	for (;;) {
		left = remaining_ms(o);
		if (max_ms >= 0 && max_ms < left)
			left = max_ms;
		if (left == 0 && max_ms != 0)
			return 0;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		return r > 0;
	}
}

static int
connect_to(const struct opts *o, struct result *res)
{
	struct addrinfo hints, *ai, *a;
	int fd = -1, r, err;
	socklen_t len;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((r = getaddrinfo(o->host, o->port, &hints, &ai)) != 0) {
		snprintf(res->errbuf, sizeof(res->errbuf), "getaddrinfo: %s",
		    gai_strerror(r));
		return -1;
	}
	for (a = ai; a != NULL; a = a->ai_next) {
		fd = socket(a->ai_family,
		    a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    a->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS && wait_fd(o, fd, POLLOUT, -1) == 1) {
			len = sizeof(err);
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) ==
				0 &&
			    err == 0)
				break;
			errno = err;
		} else if (errno == EINPROGRESS) {
			errno = ETIMEDOUT;
			res->end = END_TIMEOUT;
		}
		snprintf(res->errbuf, sizeof(res->errbuf), "connect: %s",
		    strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static void
record_ssl_error(struct result *res, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char buf[200];

	if (e != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		snprintf(res->errbuf, sizeof(res->errbuf), "%s: %s", what, buf);
	} else {
		snprintf(res->errbuf, sizeof(res->errbuf), "%s: %s", what,
		    errno != 0 ? strerror(errno) : "unexpected eof");
	}
}

/*
 * Drives an SSL call that may want I/O.  Returns 1 when it needs to be
 * called again, 0 on timeout, -1 on a final error (SSL_get_error code in
 * *sslerr).
 */
static int
ssl_retry(const struct opts *o, SSL *ssl, int fd, int ret, int *sslerr)
{
	int w;

	*sslerr = SSL_get_error(ssl, ret);
	switch (*sslerr) {
	case SSL_ERROR_WANT_READ:
		w = wait_fd(o, fd, POLLIN, -1);
		break;
	case SSL_ERROR_WANT_WRITE:
		w = wait_fd(o, fd, POLLOUT, -1);
		break;
	default:
		return -1;
	}
	return w == 1 ? 1 : (w == 0 ? 0 : -1);
}

static void
hexify(const unsigned char *d, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
do_handshake(const struct opts *o, SSL *ssl, int fd, struct result *res)
{
	X509 *peer;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	int r, e;

	res->handshake_tried = 1;
	for (;;) {
		ERR_clear_error();
		errno = 0;
		r = SSL_connect(ssl);
		if (r == 1)
			break;
		r = ssl_retry(o, ssl, fd, r, &e);
		if (r == 1)
			continue;
		if (r == 0) {
			res->end = END_TIMEOUT;
			snprintf(res->errbuf, sizeof(res->errbuf),
			    "handshake timed out");
		} else {
			res->end = END_ERROR;
			record_ssl_error(res, "handshake");
		}
		return -1;
	}
	res->handshake_ok = 1;
	res->tls_version = SSL_get_version(ssl);
	if ((peer = SSL_get1_peer_certificate(ssl)) != NULL) {
		if (X509_digest(peer, EVP_sha256(), md, &mdlen) == 1)
			hexify(md, mdlen, res->cert_sha256);
		X509_free(peer);
	}
	return 0;
}

static void
emit(FILE *out, const void *p, size_t n)
{
	if (out != NULL && n > 0 && fwrite(p, 1, n, out) != n)
		die("write: %s", strerror(errno));
}

/* Parses the header line; returns 1 valid, -1 malformed. */
static int
parse_header(struct result *res, size_t linelen)
{
	const char *h = res->header;

	res->meta = strdup("");
	if (linelen < 4 || h[linelen - 2] != '\r')
		return -1;
	if (h[0] < '0' || h[0] > '9' || h[1] < '0' || h[1] > '9')
		return -1;
	res->status = (h[0] - '0') * 10 + (h[1] - '0');
	if (linelen == 4) /* "NN\r\n": META may be empty for 4x-6x */
		return 1;
	if (h[2] != ' ')
		return -1;
	free(res->meta);
	res->meta = strndup(h + 3, linelen - 5);
	if (res->meta == NULL)
		die("out of memory");
	return 1;
}

/* Takes received bytes: the header first, then the body. */
static void
consume(const struct opts *o, struct result *res, const char *p, size_t n,
    FILE *hdrout, FILE *bodyout)
{
	if (res->header_done == 0) {
		const char *nl;
		size_t take, linelen;

		take = HEADER_MAX - res->header_len;
		if (take > n)
			take = n;
		memcpy(res->header + res->header_len, p, take);
		res->header[res->header_len + take] = '\0';
		nl = memchr(res->header, '\n', res->header_len + take);
		if (nl == NULL) {
			res->header_len += take;
			if (res->header_len == HEADER_MAX) {
				res->header_done = -1;
				res->meta = strdup("");
			}
			return;
		}
		linelen = (size_t)(nl - res->header) + 1;
		emit(hdrout, res->header, linelen);
		res->header_done = parse_header(res, linelen);
		/* Whatever followed the line in this read is body. */
		take = linelen - res->header_len;
		p += take;
		n -= take;
		res->header_len = linelen;
	}
	if (res->header_done == -1 || n == 0)
		return;
	if (o->reset_after >= 0 &&
	    res->body_bytes + (long long)n > o->reset_after)
		n = (size_t)(o->reset_after - res->body_bytes);
	res->body_bytes += (long long)n;
	if (EVP_DigestUpdate(res->md, p, n) != 1)
		die("EVP_DigestUpdate failed");
	emit(bodyout, p, n);
}

static void
send_rst(int fd)
{
	struct linger l = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

/*
 * One SSL_read.  Returns 1 when bytes were taken, 0 when OpenSSL wants
 * I/O (*want says which), -1 when the response ended (res->end says how).
 */
static int
read_step(const struct opts *o, SSL *ssl, struct result *res, FILE *hdrout,
    FILE *bodyout, int *want)
{
	char buf[READ_CHUNK];
	unsigned long e;
	int r, err;

	if (o->reset_after >= 0 && res->header_done == 1 &&
	    res->body_bytes >= o->reset_after) {
		res->end = END_RESET_SENT;
		return -1;
	}
	if (res->header_done == -1) {
		res->end = END_STOPPED;
		return -1;
	}
	ERR_clear_error();
	errno = 0;
	r = SSL_read(ssl, buf, sizeof(buf));
	if (r > 0) {
		consume(o, res, buf, (size_t)r, hdrout, bodyout);
		return 1;
	}
	err = SSL_get_error(ssl, r);
	switch (err) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		*want = err;
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		res->end = END_CLOSE_NOTIFY;
		break;
	case SSL_ERROR_SYSCALL:
		if (errno == ECONNRESET) {
			res->end = END_RESET;
		} else if (errno == 0 && ERR_peek_error() == 0) {
			res->end = END_EOF;
		} else {
			res->end = END_ERROR;
			record_ssl_error(res, "read");
		}
		break;
	case SSL_ERROR_SSL:
		/* Without SSL_OP_IGNORE_UNEXPECTED_EOF, OpenSSL 3 reports
		 * a bare TCP FIN as this error rather than as EOF. */
		e = ERR_peek_error();
		if (ERR_GET_LIB(e) == ERR_LIB_SSL &&
		    ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			res->end = END_EOF;
		} else {
			res->end = END_ERROR;
			record_ssl_error(res, "read");
		}
		break;
	default:
		res->end = END_ERROR;
		record_ssl_error(res, "read");
		break;
	}
	return -1;
}

static void
read_response(const struct opts *o, SSL *ssl, int fd, struct result *res,
    FILE *hdrout, FILE *bodyout)
{
	int r, want = SSL_ERROR_WANT_READ;

	for (;;) {
		r = read_step(o, ssl, res, hdrout, bodyout, &want);
		if (r == 1)
			continue;
		if (r == -1)
			return;
		r = wait_fd(o, fd,
		    want == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, -1);
		if (r != 1) {
			res->end = r == 0 ? END_TIMEOUT : END_ERROR;
			return;
		}
	}
}

/*
 * The pause between two bytes of a --slow request.  Returns 0 to go on
 * sending, -1 to stop: the server answered or hung up, or time ran out.
 * TLS 1.3 session tickets also make the socket readable: take them and
 * keep going.
 */
static int
slow_pause(const struct opts *o, SSL *ssl, int fd, struct result *res,
    FILE *hdrout, FILE *bodyout)
{
	long until = now_ms() + o->slow_ms, left;
	int r, want;

	for (;;) {
		if ((left = until - now_ms()) <= 0)
			return 0;
		r = wait_fd(o, fd, POLLIN, left);
		if (r == 0 && remaining_ms(o) == 0) {
			res->end = END_TIMEOUT;
			return -1;
		}
		if (r == 0)
			return 0;
		if (r < 0)
			return -1;
		if (read_step(o, ssl, res, hdrout, bodyout, &want) != 0)
			return -1;
	}
}

/* Sends buf; returns 0 when all was sent, -1 when the server stopped us
 * (closed, errored, or answered early) or the deadline passed. */
static int
send_request(const struct opts *o, SSL *ssl, int fd, const unsigned char *buf,
    size_t len, struct result *res, FILE *hdrout, FILE *bodyout)
{
	size_t off = 0, step;
	int r, e;

	while (off < len) {
		step = o->slow_ms > 0 ? 1 : len - off;
		ERR_clear_error();
		errno = 0;
		r = SSL_write(ssl, buf + off, (int)step);
		if (r > 0) {
			off += (size_t)r;
			if (o->slow_ms > 0 && off < len &&
			    slow_pause(o, ssl, fd, res, hdrout, bodyout) != 0)
				return -1;
			if (remaining_ms(o) == 0) {
				res->end = END_TIMEOUT;
				return -1;
			}
			continue;
		}
		r = ssl_retry(o, ssl, fd, r, &e);
		if (r == 1)
			continue;
		if (r == 0)
			res->end = END_TIMEOUT;
		else
			record_ssl_error(res, "write");
		return -1;
	}
	return 0;
}

/* Waits on a plain TCP socket until it is closed, speaks, or time runs
 * out (--no-handshake). */
static void
idle_tcp(const struct opts *o, int fd, struct result *res)
{
	char c;
	ssize_t n;
	int r;

	r = wait_fd(o, fd, POLLIN, -1);
	if (r == 0) {
		res->end = END_TIMEOUT;
		return;
	}
	n = recv(fd, &c, 1, 0);
	if (n == 0)
		res->end = END_EOF;
	else if (n < 0 && errno == ECONNRESET)
		res->end = END_RESET;
	else if (n < 0)
		res->end = END_ERROR;
	else
		res->end = END_STOPPED; /* the server sent something */
}

static void
quote_meta(FILE *out, const char *m)
{
	const unsigned char *p;

	for (p = (const unsigned char *)m; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
			fprintf(out, "\\x%02x", *p);
		else
			fputc(*p, out);
	}
}

static void
report(const struct opts *o, struct result *res)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	FILE *out = stderr;

	if (EVP_DigestFinal_ex(res->md, md, &mdlen) != 1)
		die("EVP_DigestFinal_ex failed");
	hexify(md, mdlen, hex);
	if (o->report_file != NULL &&
	    (out = fopen(o->report_file, "w")) == NULL)
		die("%s: %s", o->report_file, strerror(errno));
	if (res->header_done == 1)
		fprintf(out, "status=%02d meta=\"", res->status);
	else if (res->header_done == -1)
		fprintf(out, "status=bad meta=\"");
	else
		fprintf(out, "status=none meta=\"");
	quote_meta(out, res->meta != NULL ? res->meta : "");
	fprintf(out,
	    "\" bytes=%lld close_notify=%s sha256=%s tls=%s "
	    "handshake=%s end=%s elapsed_ms=%ld cert_sha256=%s",
	    res->body_bytes, res->end == END_CLOSE_NOTIFY ? "yes" : "no", hex,
	    res->tls_version != NULL ? res->tls_version : "none",
	    res->handshake_ok ? "ok" : (res->handshake_tried ? "fail" : "none"),
	    end_names[res->end], now_ms(),
	    res->cert_sha256[0] != '\0' ? res->cert_sha256 : "none");
	if (res->errbuf[0] != '\0') {
		fputs(" error=\"", out);
		quote_meta(out, res->errbuf);
		fputc('"', out);
	}
	fputc('\n', out);
	if (out != stderr && fclose(out) != 0)
		die("%s: %s", o->report_file, strerror(errno));
}

static SSL_CTX *
make_ctx(const struct opts *o)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		die("SSL_CTX_new failed");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	/* Report a missing close_notify as an error: that is the point. */
	SSL_CTX_clear_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (o->tls_max < TLS1_2_VERSION) {
		/* Offer old versions for real, so refusal is the server's. */
		SSL_CTX_set_security_level(ctx, 0);
		if (SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0") != 1)
			die("SSL_CTX_set_cipher_list failed");
		if (SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION) != 1)
			die("SSL_CTX_set_min_proto_version failed");
	}
	if (SSL_CTX_set_max_proto_version(ctx, o->tls_max) != 1)
		die("SSL_CTX_set_max_proto_version failed");
	if (o->cert != NULL) {
		if (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1)
			die("%s: cannot load certificate", o->cert);
		if (SSL_CTX_use_PrivateKey_file(ctx, o->key,
			SSL_FILETYPE_PEM) != 1)
			die("%s: cannot load key", o->key);
		if (SSL_CTX_check_private_key(ctx) != 1)
			die("%s does not match %s", o->key, o->cert);
	}
	return ctx;
}

static int
exit_code(const struct result *res)
{
	if (res->header_done == 1)
		return 0;
	if (res->header_done == -1)
		return 6;
	if (res->handshake_tried && !res->handshake_ok)
		return res->end == END_TIMEOUT ? 4 : 2;
	return res->end == END_TIMEOUT ? 4 : 3;
}

/* One connection, start to end.  Returns the exit code. */
static int
run(const struct opts *o, SSL_CTX *ctx, struct result *res,
    const unsigned char *req, size_t reqlen, FILE *hdrout, FILE *bodyout)
{
	SSL *ssl;
	const char *sni;
	int fd;

	if ((fd = connect_to(o, res)) == -1)
		return remaining_ms(o) == 0 ? 4 : 5;
	if (o->no_handshake) {
		idle_tcp(o, fd, res);
		close(fd);
		return res->end == END_TIMEOUT ? 4 : 3;
	}
	if ((ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, fd) != 1)
		die("SSL_new failed");
	sni =
	    o->sni != NULL ? o->sni : (is_ip_literal(o->host) ? NULL : o->host);
	if (!o->no_sni && sni != NULL &&
	    SSL_set_tlsext_host_name(ssl, sni) != 1)
		die("cannot set SNI %s", sni);

	if (do_handshake(o, ssl, fd, res) == 0) {
		if (!o->no_read)
			send_request(o, ssl, fd, req, reqlen, res, hdrout,
			    bodyout);
		if (res->end == END_NONE)
			read_response(o, ssl, fd, res, hdrout, bodyout);
	}
	if (res->end == END_RESET_SENT) {
		send_rst(fd);
	} else {
		/* Answer a close_notify with ours; never wait for more. */
		if (res->end == END_CLOSE_NOTIFY)
			SSL_shutdown(ssl);
		close(fd);
	}
	SSL_free(ssl);
	return exit_code(res);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct result res;
	SSL_CTX *ctx;
	FILE *hdrout, *bodyout;
	unsigned char *req;
	size_t reqlen;
	int code;

	clock_gettime(CLOCK_MONOTONIC, &start_time);
	signal(SIGPIPE, SIG_IGN);
	parse_opts(&o, argc, argv);
	memset(&res, 0, sizeof(res));
	if ((res.md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(res.md, EVP_sha256(), NULL) != 1)
		die("EVP_DigestInit_ex failed");
	req = build_request(&o, &reqlen);
	hdrout = o.quiet ? NULL : stdout;
	bodyout = o.header_only ? NULL : hdrout;
	if (o.body_file != NULL && !o.header_only &&
	    (bodyout = fopen(o.body_file, "wb")) == NULL)
		die("%s: %s", o.body_file, strerror(errno));
	ctx = make_ctx(&o);

	code = run(&o, ctx, &res, req, reqlen, hdrout, bodyout);

	if (bodyout != NULL && bodyout != stdout && fclose(bodyout) != 0)
		die("%s: %s", o.body_file, strerror(errno));
	if (hdrout != NULL && fflush(hdrout) != 0)
		die("stdout: %s", strerror(errno));
	report(&o, &res);
	SSL_CTX_free(ctx);
	EVP_MD_CTX_free(res.md);
	free(res.meta);
	free(req);
	return code;
}
