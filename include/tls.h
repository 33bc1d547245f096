/*
 * tls: server SSL_CTX set-up, self-signed certificate generation, and
 * client-certificate fingerprints.
 */
#ifndef CAPSULED_TLS_H
#define CAPSULED_TLS_H

#include <openssl/ssl.h>

#define TLS_FINGERPRINT_LEN 64 /* hex characters of a SHA-256 digest */

/*
 * Creates an ECDSA P-256 self-signed certificate for host (in the SAN,
 * as DNS or IP), valid for decades, writing keyfile (mode 0600) and
 * certfile through temporary O_EXCL files renamed into place. Refuses
 * (returns -1, *errstr set) when either file exists: clients pinned it.
 */
int tls_cert_generate(const char *host, const char *certfile,
    const char *keyfile, const char **errstr);

/*
 * A server context for one certificate: TLS 1.2 minimum, client
 * certificates requested but not verified, one session ticket, buffers
 * released while idle. NULL on failure (errors logged).
 */
SSL_CTX *tls_ctx_new(const char *certfile, const char *keyfile);

/* Hex SHA-256 of the client certificate into out; 0, or -1 when none. */
int tls_peer_fingerprint(SSL *ssl, char out[TLS_FINGERPRINT_LEN + 1]);
/* 1 when the client certificate is outside its validity period. */
int tls_peer_expired(SSL *ssl);

#endif
