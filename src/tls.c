/*
 * tls: OpenSSL server contexts and certificates. Certificates are
 * ECDSA P-256 (RSA makes every handshake 2-3x dearer; Ed25519 breaks some
 * clients). An existing key is never replaced: Gemini clients pin it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "hostname.h"
#include "log.h"
#include "tls.h"
#include "util.h"

#define TLS_CERT_DAYS (365 * 50 + 12) /* "decades": clients pin, not renew */

/* Accept any client certificate: it identifies, it does not authorise. */
static int
verify_any(int ok, X509_STORE_CTX *ctx)
{
	(void)ok;
	(void)ctx;
	return 1;
}

SSL_CTX *
tls_ctx_new(const char *certfile, const char *keyfile)
{
	static const unsigned char sid_ctx[] = "capsuled";
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		goto fail;
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION))
		goto fail;
	SSL_CTX_set_options(ctx,
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
		SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(ctx,
	    SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
		SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/*
	 * One ticket is all a client resumes with; each costs ~35 us. A
	 * resumed handshake gets its next one too: a client should use a
	 * TLS 1.3 ticket only once (RFC 8446 C.4), so without one its next
	 * connection would be a full handshake. Resumption is the cheaper
	 * handshake (issue 16; callgrind, one worker, /: 2.36 M instructions
	 * against 2.55 M): it skips the ECDSA signature (0.25 M) but keeps
	 * the X25519 exchange (1.1 M, 47 %), as clients offer psk_dhe_ke
	 * only and OpenSSL 3.0 cannot prefer psk_ke (3.3's
	 * SSL_OP_PREFER_NO_DHE_KEX); reading the ticket (d2i_SSL_SESSION,
	 * HMAC, AES: ~0.1 M) and the binder's HKDF (0.04 M) take back part
	 * of what the signature saved.
	 */
	SSL_CTX_set_num_tickets(ctx, 1);
	/*
	 * Read what the socket holds, not one record header then its body:
	 * a full handshake and request take 2 read(2)s instead of 10. The
	 * event loop stays right: OpenSSL asks to wait for input only when
	 * no whole record is left in its buffer.
	 */
	SSL_CTX_set_read_ahead(ctx, 1);
	/*
	 * With our preference on, OpenSSL would pick AES-256-GCM-SHA384;
	 * AES-128-GCM-SHA256 hashes the transcript with SHA-256, 3.5 % fewer
	 * instructions per handshake (callgrind), security unchanged for
	 * this use.
	 */
	if (!SSL_CTX_set_ciphersuites(ctx,
		"TLS_AES_128_GCM_SHA256:"
		"TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384"))
		goto fail;
	/*
	 * Tickets carry the session, so no server-side cache is needed; a
	 * cache would hold ~1 KiB per recent client for nothing.
	 */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_any);
	if (!SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof(sid_ctx) - 1))
		goto fail;
	if (SSL_CTX_use_certificate_chain_file(ctx, certfile) != 1) {
		log_ssl(certfile);
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, keyfile, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		log_ssl(keyfile);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
fail:
	log_ssl("SSL_CTX set-up");
	SSL_CTX_free(ctx);
	return NULL;
}

static int
add_ext(X509 *x, int nid, const char *val)
{
	X509_EXTENSION *ext;
	X509V3_CTX v3;
	int ok;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, nid, val)) == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* Writes PEM through a temporary O_EXCL file, then renames it. */
static int
write_pem(const char *path, mode_t mode, EVP_PKEY *key, X509 *x)
{
	char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	FILE *fp = NULL;
	int fd, ok;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) ==
	    -1)
		goto fail;
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		goto fail;
	}
	ok = key ? PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL) :
		   PEM_write_X509(fp, x);
	if (!ok || fflush(fp) != 0 || fsync(fileno(fp)) != 0)
		goto fail;
	if (fclose(fp) != 0) {
		fp = NULL;
		goto fail;
	}
	fp = NULL;
	/* link() refuses to replace a file that appeared meanwhile. */
	if (link(tmp, path) == -1)
		goto fail;
	unlink(tmp);
	free(tmp);
	return 0;
fail:
	if (fp)
		fclose(fp);
	unlink(tmp);
	free(tmp);
	return -1;
}

int
tls_cert_generate(const char *host, const char *certfile, const char *keyfile,
    const char **errstr)
{
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	X509_NAME *name;
	char *san = NULL;
	int rc = -1;

	if (access(keyfile, F_OK) == 0 || access(certfile, F_OK) == 0) {
		*errstr = "certificate or key exists; not overwriting";
		return -1;
	}
	*errstr = "certificate generation failed";
	if ((key = EVP_EC_gen("P-256")) == NULL)
		goto done;
	if ((x = X509_new()) == NULL || !X509_set_version(x, 2))
		goto done;
	{
		unsigned char serial[16];
		BIGNUM *bn;

		if (RAND_bytes(serial, sizeof(serial)) != 1)
			goto done;
		serial[0] &= 0x7f;
		bn = BN_bin2bn(serial, sizeof(serial), NULL);
		if (bn == NULL ||
		    !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x))) {
			BN_free(bn);
			goto done;
		}
		BN_free(bn);
	}
	if (!X509_gmtime_adj(X509_getm_notBefore(x), -24 * 3600) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), TLS_CERT_DAYS, 0, NULL))
		goto done;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
		(const unsigned char *)host, -1, -1, 0) ||
	    !X509_set_issuer_name(x, name) || !X509_set_pubkey(x, key))
		goto done;
	san = xasprintf("%s:%s", hostname_is_ip(host) ? "IP" : "DNS", host);
	if (add_ext(x, NID_subject_alt_name, san) ||
	    add_ext(x, NID_basic_constraints, "critical,CA:FALSE") ||
	    add_ext(x, NID_key_usage, "critical,digitalSignature") ||
	    add_ext(x, NID_ext_key_usage, "serverAuth"))
		goto done;
	if (!X509_sign(x, key, EVP_sha256()))
		goto done;
	if (write_pem(keyfile, 0600, key, NULL) == -1) {
		*errstr = strerror(errno);
		goto done;
	}
	if (write_pem(certfile, 0644, NULL, x) == -1) {
		*errstr = strerror(errno);
		goto done;
	}
	rc = 0;
done:
	if (rc == -1)
		ERR_clear_error();
	free(san);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

int
tls_peer_fingerprint(SSL *ssl, char out[TLS_FINGERPRINT_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n, i;
	X509 *x;

	out[0] = '\0';
	if ((x = SSL_get0_peer_certificate(ssl)) == NULL)
		return -1;
	if (!X509_digest(x, EVP_sha256(), md, &n) || n != 32)
		return -1;
	for (i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * n] = '\0';
	return 0;
}

int
tls_peer_expired(SSL *ssl)
{
	X509 *x = SSL_get0_peer_certificate(ssl);

	if (x == NULL)
		return 0;
	return X509_cmp_current_time(X509_get0_notAfter(x)) < 0 ||
	    X509_cmp_current_time(X509_get0_notBefore(x)) > 0;
}
