/*
 * access: who may see what. One rule serves every route and every
 * listing: a source (a post, or a file beneath the root) is visible to a
 * client when no [[protect]] area covering one of its addresses refuses
 * the client's certificate and, for a draft, when the client may see
 * drafts. Addresses are the source's real path (symlinks resolved) and
 * the URLs it is served at. Pure: no I/O.
 */
#ifndef CAPSULED_ACCESS_H
#define CAPSULED_ACCESS_H

#include <stddef.h>

#include "buf.h"

struct protect_config;

/* The rules of one configuration. */
struct access {
	const struct protect_config *rules;
	size_t nrules;
	char *const *drafts_fingerprints; /* who sees drafts, if limited */
	size_t ndrafts_fingerprints;
	int drafts_all; /* --drafts: everyone sees drafts */
};

/* One client as the rules see it, worked out once per request. */
struct viewer {
	const struct access *acc; /* NULL: sees everything (convert, check) */
	const char *fingerprint;  /* SHA-256 hex of its certificate, or NULL */
	int expired;		  /* the certificate is out of its dates */
	int drafts;		  /* may see drafts */
};

void access_viewer(const struct access *a, const char *fingerprint, int expired,
    struct viewer *v);

/*
 * 1 when the area of rule covers path: path starts with the rule's path,
 * or is its folder without the slash ("/private" for "/private/").
 */
int access_covers(const struct protect_config *rule, const char *path);

/* 0 when no area covering path refuses v, else 60, 61 or 62. */
int access_path(const struct viewer *v, const char *path);

/*
 * The one rule for a source with the given addresses: 0 when v may see
 * it; 51 for a draft v may not see (as if it did not exist); 60, 61 or
 * 62 when an area covering one of its addresses refuses v.
 */
int access_source(const struct viewer *v, const char *const *addrs,
    size_t naddrs, int draft);

/* Marks in covered[] (one byte a rule) the rules covering any address. */
void access_mark_covering(const struct access *a, const char *const *addrs,
    size_t naddrs, unsigned char *covered);

/*
 * The visibility class of v: a short key, the same for two viewers that
 * the rules marked in covered[] and the drafts rule (when drafts exist)
 * treat alike, so that they see the same sources. Appended to key.
 */
void access_class_key(const struct viewer *v, const unsigned char *covered,
    int drafts, struct buf *key);

/* The META that goes with 60, 61 or 62. */
const char *access_meta(int status);

#endif
