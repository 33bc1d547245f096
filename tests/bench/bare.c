/*
 * bare: the reference floor for capsuled's per-request cost.  A blocking
 * OpenSSL 3 loop with OpenSSL's defaults and nothing else: accept, SSL_new,
 * handshake, read the request line, one SSL_write of a fixed header and
 * body, close_notify, close.  No routing, no logging, no options beyond
 * certificate, key, port and body.  It listens on 127.0.0.1 only.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define BARE_BACKLOG 4096 /* a short queue adds 1 s stalls under load */
#define BARE_REQUEST 1026 /* bytes of request line: 1024 + CRLF */
#define BARE_TIMEOUT 10	  /* seconds a client may stall a blocking call */

static void
die(const char *what)
{
	fprintf(stderr, "bare: %s: %s\n", what, errno ? strerror(errno) : "");
	ERR_print_errors_fp(stderr);
	exit(1);
}

/* Header and body in one buffer, so the response is one SSL_write. */
static char *
load_response(const char *path, size_t *len)
{
	const char *dot = strrchr(path, '.');
	const char *hdr = dot && strcmp(dot, ".gmi") == 0 ?
	    "20 text/gemini\r\n" :
	    "20 application/octet-stream\r\n";
	size_t hlen = strlen(hdr), off;
	struct stat sb;
	ssize_t r;
	char *buf;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1)
		die(path);
	if (sb.st_size > INT_MAX - (off_t)hlen) {
		errno = EFBIG;
		die(path);
	}
	*len = hlen + (size_t)sb.st_size;
	if ((buf = malloc(*len)) == NULL)
		die("malloc");
	memcpy(buf, hdr, hlen);
	for (off = hlen; off < *len; off += (size_t)r)
		if ((r = read(fd, buf + off, *len - off)) <= 0) {
			if (r == 0)
				errno = EIO;
			die(path);
		}
	close(fd);
	return buf;
}

static int
listen_on(const char *portstr)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char *end;
	long port;
	int fd, one = 1;

	errno = 0;
	port = strtol(portstr, &end, 10);
	if (errno || *end || end == portstr || port < 0 || port > 65535) {
		fprintf(stderr, "bare: bad port '%s'\n", portstr);
		exit(1);
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		die("bind");
	if (listen(fd, BARE_BACKLOG) == -1)
		die("listen");
	if (getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		die("getsockname");
	printf("listening on 127.0.0.1:%u\n", ntohs(sin.sin_port));
	fflush(stdout);
	return fd;
}

static SSL_CTX *
make_ctx(const char *cert, const char *key)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		die("SSL_CTX_new");
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
		die(cert);
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		die(key);
	return ctx;
}

/* One connection, start to end; any failure just drops it. */
static void
serve(SSL_CTX *ctx, int fd, const char *resp, size_t resplen)
{
	struct timeval tv = { BARE_TIMEOUT, 0 };
	char req[BARE_REQUEST];
	size_t len = 0;
	SSL *ssl;
	int r;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if ((ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, fd) != 1)
		goto done;
	if (SSL_accept(ssl) != 1)
		goto done;
	while (len < 2 || memcmp(req + len - 2, "\r\n", 2) != 0) {
		if (len == sizeof(req))
			goto done;
		if ((r = SSL_read(ssl, req + len, (int)(sizeof(req) - len))) <=
		    0)
			goto done;
		len += (size_t)r;
	}
	if (SSL_write(ssl, resp, (int)resplen) == (int)resplen)
		SSL_shutdown(ssl);
done:
	SSL_free(ssl);
	close(fd);
	ERR_clear_error();
}

int
main(int argc, char **argv)
{
	SSL_CTX *ctx;
	size_t resplen;
	char *resp;
	int lfd, fd;

	if (argc != 5) {
		fprintf(stderr, "usage: bare CERT KEY PORT BODYFILE\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	resp = load_response(argv[4], &resplen);
	ctx = make_ctx(argv[1], argv[2]);
	lfd = listen_on(argv[3]);
	for (;;) {
		if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
			if (errno == EMFILE || errno == ENFILE)
				sleep(1);
			continue;
		}
		serve(ctx, fd, resp, resplen);
	}
}
