/*
 * sslfloor: what OpenSSL 3 itself holds per idle server-side TLS connection
 * once the handshake is over.  The server SSL_CTX is capsuled's own, from
 * tls_ctx_new() in src/tls.c; a plain client (no verification,
 * SNI "localhost") handshakes with it over an in-memory BIO pair, takes
 * its session ticket, and is freed.  The server SSL is kept: an idle
 * connection that finished its handshake and sent nothing.  After N of
 * them exist, the growth of live heap (glibc mallinfo2: uordblks + hblkhd)
 * and of RSS since a warmed-up baseline, divided by N, is the floor that
 * no server using OpenSSL can go below without freeing the SSL object.
 *
 * The BIO pair is swapped for a null BIO once the handshake is done and
 * freed: a real server holds a socket BIO (about a hundred bytes), which a
 * null BIO stands in for fairly.  The client SSLs are freed as we go; the
 * heap figure counts only memory in use, RSS may also hold some of their
 * freed memory.  --sites wraps OpenSSL's allocator to attribute the live
 * bytes to OpenSSL source lines (its 16-byte headers inflate the mallinfo
 * figure a little; the tracked figure is exact requested bytes).
 *
 * No network, no threads; every handshake is bounded to SF_ROUNDS steps.
 */

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "tls.h"

#define SF_DEFAULT_N 2000
#define SF_MAX_N     20000
#define SF_ROUNDS    100  /* handshake steps per pair before giving up */
#define SF_WARMUP    1	  /* pairs made and freed before the baseline */
#define SF_SITES     8192 /* allocation sites tracked with --sites */
#define SF_TOP	     30	  /* sites printed with --sites */

static const char usage_text[] =
    "usage: sslfloor [--json] [--sites] CERT KEY [N]\n"
    "\n"
    "Handshake N (default 2000, at most 20000) in-memory TLS connections\n"
    "against a server context set up like capsuled's, keep the server side of\n"
    "each, and report OpenSSL's live heap and RSS per idle connection.\n"
    "CERT and KEY are PEM files (ECDSA P-256, as capsuled generates).\n"
    "\n"
    "  --json    one JSON object instead of the text line\n"
    "  --sites   also list the OpenSSL source lines holding the memory\n"
    "\n"
    "exit: 0 ok, 1 a handshake failed, 2 usage or set-up error.\n";

struct snap {
	size_t heap; /* mallinfo2 uordblks + hblkhd */
	size_t rss;
	size_t tracked; /* --sites: bytes OpenSSL asked for */
};

/* --sites: one OpenSSL allocation site and what it holds now and then. */
struct site {
	const char *file;
	int line;
	int used;
	size_t live, nlive;
	size_t base, nbase;
};

/* Prefixed to every block with --sites; keeps malloc's alignment. */
union hdr {
	struct {
		size_t size;
		size_t site;
	} h;
	max_align_t align;
};

static struct site sites[SF_SITES];
static size_t nsites;
static size_t tracked;
static int site_overflow;

static void
usage(void)
{
	fputs(usage_text, stderr);
	exit(2);
}

static void
setup_fail(const char *what)
{
	fprintf(stderr, "sslfloor: %s\n", what);
	ERR_print_errors_fp(stderr);
	exit(2);
}

static size_t
site_of(const char *file, int line)
{
	size_t h, i, k;

	h = ((size_t)(uintptr_t)file >> 4) * 31 + (size_t)line;
	for (i = 0; i < SF_SITES; i++) {
		k = (h + i) % SF_SITES;
		if (!sites[k].used) {
			sites[k].used = 1;
			sites[k].file = file;
			sites[k].line = line;
			nsites++;
			return k;
		}
		if (sites[k].file == file && sites[k].line == line)
			return k;
	}
	site_overflow = 1;
	return h % SF_SITES; /* full: lump it with another site */
}

static void
site_add(union hdr *p, size_t size, const char *file, int line)
{
	p->h.size = size;
	p->h.site = site_of(file, line);
	sites[p->h.site].live += size;
	sites[p->h.site].nlive++;
	tracked += size;
}

static void
site_sub(union hdr *p)
{
	sites[p->h.site].live -= p->h.size;
	sites[p->h.site].nlive--;
	tracked -= p->h.size;
}

static void *
track_malloc(size_t size, const char *file, int line)
{
	union hdr *p;

	if (size > SIZE_MAX - sizeof(*p) ||
	    (p = malloc(sizeof(*p) + size)) == NULL)
		return NULL;
	site_add(p, size, file, line);
	return p + 1;
}

static void
track_free(void *ptr, const char *file, int line)
{
	union hdr *p;

	(void)file;
	(void)line;
	if (ptr == NULL)
		return;
	p = (union hdr *)ptr - 1;
	site_sub(p);
	free(p);
}

static void *
track_realloc(void *ptr, size_t size, const char *file, int line)
{
	union hdr *p, *q;

	if (ptr == NULL)
		return track_malloc(size, file, line);
	if (size == 0) {
		track_free(ptr, file, line);
		return NULL;
	}
	if (size > SIZE_MAX - sizeof(*p))
		return NULL;
	p = (union hdr *)ptr - 1;
	site_sub(p);
	if ((q = realloc(p, sizeof(*q) + size)) == NULL) {
		sites[p->h.site].live += p->h.size; /* p is untouched */
		sites[p->h.site].nlive++;
		tracked += p->h.size;
		return NULL;
	}
	site_add(q, size, file, line);
	return q + 1;
}

static size_t
rss_bytes(void)
{
	unsigned long size, resident;
	FILE *fp;
	int n;

	if ((fp = fopen("/proc/self/statm", "r")) == NULL)
		return 0;
	n = fscanf(fp, "%lu %lu", &size, &resident);
	fclose(fp);
	if (n != 2)
		return 0;
	return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

static void
take_snap(struct snap *sn)
{
	struct mallinfo2 mi = mallinfo2();

	sn->heap = mi.uordblks + mi.hblkhd;
	sn->rss = rss_bytes();
	sn->tracked = tracked;
}

/* capsuled installs its SNI callback on every context; this one agrees. */
static int
sni_ok(SSL *ssl, int *alert, void *arg)
{
	(void)ssl;
	(void)alert;
	(void)arg;
	return SSL_TLSEXT_ERR_OK;
}

/* capsuled's own context (src/tls.c), as master.c sets it up. */
static SSL_CTX *
server_ctx(const char *cert, const char *key)
{
	SSL_CTX *ctx;

	if ((ctx = tls_ctx_new(cert, key)) == NULL)
		setup_fail("tls_ctx_new: see the message above");
	SSL_CTX_set_tlsext_servername_callback(ctx, sni_ok);
	return ctx;
}

static long tickets; /* session tickets the client received */

/* Counts the ticket and drops it: returning 0 leaves it to OpenSSL. */
static int
new_session(SSL *ssl, SSL_SESSION *sess)
{
	(void)ssl;
	(void)sess;
	tickets++;
	return 0;
}

static SSL_CTX *
client_ctx(void)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		setup_fail("client SSL_CTX");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	/* No store: the callback sees each ticket, nothing is kept. */
	SSL_CTX_set_session_cache_mode(ctx,
	    SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx, new_session);
	return ctx;
}

/* 1: the step is done, 0: it wants I/O, -1: it failed. */
static int
step(SSL *ssl, int r)
{
	if (r == 1)
		return 1;
	switch (SSL_get_error(ssl, r)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return 0;
	default:
		return -1;
	}
}

/*
 * One handshake: returns the server SSL, idle and holding a null BIO, with
 * the client side freed; NULL if the handshake or the ticket failed.
 */
static SSL *
handshake(SSL_CTX *sctx, SSL_CTX *cctx, long i)
{
	BIO *sbio = NULL, *cbio = NULL, *nbio;
	SSL *s = NULL, *c = NULL;
	unsigned char buf[1];
	long had = tickets;
	int sdone = 0, cdone = 0, r, round;

	if ((s = SSL_new(sctx)) == NULL || (c = SSL_new(cctx)) == NULL ||
	    !BIO_new_bio_pair(&sbio, 0, &cbio, 0))
		setup_fail("SSL_new or BIO_new_bio_pair");
	SSL_set_bio(s, sbio, sbio); /* one reference for both */
	SSL_set_bio(c, cbio, cbio);
	SSL_set_accept_state(s);
	SSL_set_connect_state(c);
	if (!SSL_set_tlsext_host_name(c, "localhost"))
		setup_fail("SSL_set_tlsext_host_name");
	for (round = 0; round < SF_ROUNDS && !(sdone && cdone); round++) {
		if (!cdone && (cdone = step(c, SSL_do_handshake(c))) == -1)
			goto fail;
		if (!sdone && (sdone = step(s, SSL_do_handshake(s))) == -1)
			goto fail;
	}
	if (!(sdone && cdone)) {
		fprintf(stderr,
		    "sslfloor: pair %ld: no handshake in %d "
		    "rounds\n",
		    i, SF_ROUNDS);
		goto out;
	}
	/*
	 * The server wrote its ticket as it finished.  One read each, with
	 * nothing to read: the client takes the ticket, the server shows it
	 * has nothing left to do.
	 */
	if ((r = SSL_read(c, buf, sizeof(buf))) > 0 ||
	    SSL_get_error(c, r) != SSL_ERROR_WANT_READ)
		goto fail;
	if ((r = SSL_read(s, buf, sizeof(buf))) > 0 ||
	    SSL_get_error(s, r) != SSL_ERROR_WANT_READ)
		goto fail;
	if (tickets != had + 1) {
		fprintf(stderr, "sslfloor: pair %ld: %ld tickets, not 1\n", i,
		    tickets - had);
		goto out;
	}
	if (BIO_ctrl_pending(sbio) != 0 || BIO_ctrl_pending(cbio) != 0 ||
	    BIO_wpending(sbio) != 0 || BIO_wpending(cbio) != 0) {
		fprintf(stderr, "sslfloor: pair %ld: bytes left in flight\n",
		    i);
		goto out;
	}
	/* Swapping frees the server's half of the pair (its last ref). */
	if ((nbio = BIO_new(BIO_s_null())) == NULL)
		setup_fail("BIO_new");
	SSL_set_bio(s, nbio, nbio);
	SSL_free(c);
	return s;
fail:
	fprintf(stderr, "sslfloor: pair %ld: handshake failed\n", i);
	ERR_print_errors_fp(stderr);
out:
	SSL_free(c);
	SSL_free(s);
	return NULL;
}

static int
cmp_site(const void *a, const void *b)
{
	const struct site *x = a, *y = b;
	long long dx = (long long)x->live - (long long)x->base;
	long long dy = (long long)y->live - (long long)y->base;

	return dx < dy ? 1 : dx > dy ? -1 : 0;
}

static void
print_sites(long n)
{
	struct site *v;
	size_t i, k = 0;

	if ((v = malloc(sizeof(sites))) == NULL)
		return;
	memcpy(v, sites, sizeof(sites));
	qsort(v, SF_SITES, sizeof(*v), cmp_site);
	printf("%10s %8s  %s (%zu sites%s)\n", "bytes/conn", "blk/conn",
	    "OpenSSL source line", nsites,
	    site_overflow ? ", table full: lumped" : "");
	for (i = 0; i < SF_SITES && k < SF_TOP; i++) {
		long long db = (long long)v[i].live - (long long)v[i].base;
		long long dn = (long long)v[i].nlive - (long long)v[i].nbase;

		if (db == 0 && dn == 0)
			continue;
		printf("%10.1f %8.2f  %s:%d\n", (double)db / n, (double)dn / n,
		    v[i].file ? v[i].file : "?", v[i].line);
		k++;
	}
	free(v);
}

int
main(int argc, char *argv[])
{
	struct snap before, after;
	SSL_CTX *sctx, *cctx;
	SSL **srv;
	const char *cert = NULL, *key = NULL, *nstr = NULL;
	double heap_kib, rss_kib;
	long n = SF_DEFAULT_N, i, held_peer = 0, held_own = 0, kept;
	int json = 0, track = 0, a, rc = 0;
	char proto[32] = "", cipher[64] = "";

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0)
			json = 1;
		else if (strcmp(argv[a], "--sites") == 0)
			track = 1;
		else if (argv[a][0] == '-' && argv[a][1] != '\0')
			usage();
		else if (cert == NULL)
			cert = argv[a];
		else if (key == NULL)
			key = argv[a];
		else if (nstr == NULL)
			nstr = argv[a];
		else
			usage();
	}
	if (cert == NULL || key == NULL)
		usage();
	if (nstr != NULL) {
		char *end;

		errno = 0;
		n = strtol(nstr, &end, 10);
		if (errno || end == nstr || *end != '\0' || n < 1 ||
		    n > SF_MAX_N) {
			fprintf(stderr, "sslfloor: N must be 1..%d\n",
			    SF_MAX_N);
			return 2;
		}
	}
	/* Before OpenSSL allocates anything, or it refuses. */
	if (track &&
	    !CRYPTO_set_mem_functions(track_malloc, track_realloc, track_free))
		setup_fail("CRYPTO_set_mem_functions");
	if ((srv = calloc((size_t)n, sizeof(*srv))) == NULL)
		setup_fail("calloc");

	sctx = server_ctx(cert, key);
	cctx = client_ctx();
	for (i = 0; i < SF_WARMUP; i++) {
		SSL *s = handshake(sctx, cctx, -1 - i);

		if (s == NULL) {
			rc = 1;
			kept = 0;
			goto done;
		}
		SSL_free(s);
	}
	for (i = 0; i < SF_SITES; i++) {
		sites[i].base = sites[i].live;
		sites[i].nbase = sites[i].nlive;
	}
	take_snap(&before);

	for (i = 0; i < n; i++)
		if ((srv[i] = handshake(sctx, cctx, i)) == NULL) {
			rc = 1;
			break;
		}
	kept = i;
	if (rc == 0)
		take_snap(&after);

	/* What the idle server SSLs still hold, by API. */
	for (i = 0; i < kept; i++) {
		EVP_PKEY *pk;

		if (SSL_get_peer_tmp_key(srv[i], &pk)) {
			held_peer++;
			EVP_PKEY_free(pk);
		}
		if (SSL_get_tmp_key(srv[i], &pk)) {
			held_own++;
			EVP_PKEY_free(pk);
		}
	}
	if (kept > 0) {
		snprintf(proto, sizeof(proto), "%s", SSL_get_version(srv[0]));
		snprintf(cipher, sizeof(cipher), "%s",
		    SSL_get_cipher_name(srv[0]));
	}

	if (rc == 0) {
		heap_kib =
		    ((double)after.heap - (double)before.heap) / n / 1024;
		rss_kib = ((double)after.rss - (double)before.rss) / n / 1024;
		if (json) {
			printf("{\"n\":%ld,\"heap_kib_per_conn\":%.2f,"
			       "\"rss_kib_per_conn\":%.2f,\"protocol\":\"%s\","
			       "\"cipher\":\"%s\",\"peer_tmp_key_held\":%ld,"
			       "\"own_tmp_key_held\":%ld",
			    n, heap_kib, rss_kib, proto, cipher, held_peer,
			    held_own);
			if (track)
				printf(",\"tracked_kib_per_conn\":%.2f",
				    ((double)after.tracked -
					(double)before.tracked) /
					n / 1024);
			printf("}\n");
		} else
			printf("%ld idle: OpenSSL heap %.1f KiB/conn "
			       "(mallinfo2), RSS %.1f KiB/conn\n",
			    n, heap_kib, rss_kib);
		if (track && !json) {
			printf("%s %s; OpenSSL asked for %.1f KiB/conn; "
			       "ephemeral keys still held: peer %ld/%ld, "
			       "own %ld/%ld\n",
			    proto, cipher,
			    ((double)after.tracked - (double)before.tracked) /
				n / 1024,
			    held_peer, n, held_own, n);
			print_sites(n);
		}
	}

done:
	for (i = 0; i < kept; i++)
		SSL_free(srv[i]);
	free(srv);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	fflush(stdout);
	return rc;
}
