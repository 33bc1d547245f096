/*
 * access: the visibility rule (see access.h). Areas are matched on
 * decoded paths, as url_parse gives them and as files are named.
 */
#include <string.h>

#include "access.h"
#include "config.h"
#include "status.h"

static int
listed(char *const *list, size_t n, const char *fp)
{
	size_t i;

	if (fp == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(list[i], fp) == 0)
			return 1;
	return 0;
}

void
access_viewer(const struct access *a, const char *fingerprint, int expired,
    struct viewer *v)
{
	v->acc = a;
	v->fingerprint = fingerprint;
	v->expired = expired;
	v->drafts = a == NULL || a->drafts_all ||
	    (!expired &&
		listed(a->drafts_fingerprints, a->ndrafts_fingerprints,
		    fingerprint));
}

int
access_covers(const struct protect_config *rule, const char *path)
{
	size_t n = strlen(rule->path);

	if (strncmp(path, rule->path, n) == 0)
		return 1;
	/* "/private/" guards "/private" too: its redirect leaks nothing. */
	return n > 1 && rule->path[n - 1] == '/' && strlen(path) == n - 1 &&
	    strncmp(path, rule->path, n - 1) == 0;
}

/* 0 when rule lets v in, else the status to answer. */
static int
rule_status(const struct protect_config *rule, const struct viewer *v)
{
	if (v->fingerprint == NULL)
		return GEMINI_CERT_REQUIRED;
	if (v->expired)
		return GEMINI_CERT_NOT_VALID;
	if (!listed(rule->fingerprints, rule->nfingerprints, v->fingerprint))
		return GEMINI_CERT_NOT_AUTHORISED;
	return 0;
}

int
access_path(const struct viewer *v, const char *path)
{
	size_t i;
	int st;

	if (v->acc == NULL)
		return 0;
	for (i = 0; i < v->acc->nrules; i++)
		if (access_covers(&v->acc->rules[i], path) &&
		    (st = rule_status(&v->acc->rules[i], v)) != 0)
			return st;
	return 0;
}

int
access_source(const struct viewer *v, const char *const *addrs, size_t naddrs,
    int draft)
{
	size_t i;
	int st;

	if (draft && !v->drafts)
		return GEMINI_NOT_FOUND;
	for (i = 0; i < naddrs; i++)
		if (addrs[i] && (st = access_path(v, addrs[i])) != 0)
			return st;
	return 0;
}

void
access_mark_covering(const struct access *a, const char *const *addrs,
    size_t naddrs, unsigned char *covered)
{
	size_t i, j;

	for (i = 0; a && i < a->nrules; i++)
		for (j = 0; j < naddrs && !covered[i]; j++)
			if (addrs[j] && access_covers(&a->rules[i], addrs[j]))
				covered[i] = 1;
}

void
access_class_key(const struct viewer *v, const unsigned char *covered,
    int drafts, struct buf *key)
{
	size_t i;

	for (i = 0; v->acc && i < v->acc->nrules; i++)
		if (covered[i])
			buf_addc(key,
			    rule_status(&v->acc->rules[i], v) ? '0' : '1');
	if (drafts && v->drafts)
		buf_addc(key, 'd');
}

const char *
access_meta(int status)
{
	switch (status) {
	case GEMINI_CERT_REQUIRED:
		return "client certificate required";
	case GEMINI_CERT_NOT_VALID:
		return "certificate expired or not yet valid";
	case GEMINI_CERT_NOT_AUTHORISED:
		return "certificate not authorised here";
	default:
		return "not found";
	}
}
