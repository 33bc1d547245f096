/*
 * config: defaults, then capsuled.toml (--config), then command-line
 * options, which win. Everything is validated here, before the server
 * binds or forks, and every problem is reported as "file:line: message".
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "hostname.h"
#include "toml.h"

#define CONFIG_MAX_FILE (1 << 20) /* bytes of capsuled.toml we read */

static void
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? xstrdup(s) : NULL;
}

static void
listen_free(struct listen_config *l)
{
	free(l->addr);
	strv_free(l->proxy_from, l->nproxy_from);
}

static void
listen_push(struct config *c, const char *addr, int proxy)
{
	c->listen = xrealloc(c->listen, (c->nlisten + 1) * sizeof(*c->listen));
	memset(&c->listen[c->nlisten], 0, sizeof(*c->listen));
	c->listen[c->nlisten].addr = xstrdup(addr);
	c->listen[c->nlisten].proxy = proxy;
	c->nlisten++;
}

static void
listen_clear(struct config *c)
{
	size_t i;

	for (i = 0; i < c->nlisten; i++)
		listen_free(&c->listen[i]);
	free(c->listen);
	c->listen = NULL;
	c->nlisten = 0;
}

static void
vhost_free(struct vhost_config *h)
{
	strv_free(h->names, h->nnames);
	free(h->root);
	free(h->cert);
	free(h->key);
	free(h->lang);
	free(h->root_where);
}

void
config_free(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nhosts; i++)
		vhost_free(&c->hosts[i]);
	free(c->hosts);
	listen_clear(c);
	for (i = 0; i < c->nprotect; i++) {
		free(c->protect[i].path);
		strv_free(c->protect[i].fingerprints,
		    c->protect[i].nfingerprints);
	}
	free(c->protect);
	strv_free(c->drafts_fingerprints, c->ndrafts_fingerprints);
	free(c->path);
	free(c->certs_dir);
	free(c->user);
	free(c->log_file);
	free(c->lang);
	free(c->args);
	if (c->where) {
		size_t n;

		config_options(&n);
		strv_free(c->where, n);
	}
	memset(c, 0, sizeof(*c));
}

static const struct config_option *find_flag(const char *name, size_t len);
static int set_value(struct config *c, const struct config_option *o,
    const char *v, int *seen);

/* The table's defaults; the render modes agree with gemtext_opts_default. */
static void
config_defaults(struct config *c)
{
	const struct config_option *o;
	size_t i, n;

	memset(c, 0, sizeof(*c));
	gemtext_opts_default(&c->render);
	o = config_options(&n);
	c->where = xcalloc(n, sizeof(*c->where));
	for (i = 0; i < n; i++)
		if (o[i].def && o[i].type != CONFIG_SPECIAL &&
		    o[i].type != CONFIG_ACTION)
			set_value(c, &o[i], o[i].def, NULL);
}

/* The default of the special option flag, as the table gives it. */
static const char *
special_default(const char *flag)
{
	const struct config_option *o = find_flag(flag, strlen(flag));

	return o ? o->def : NULL;
}

static struct vhost_config *
default_host(struct config *c)
{
	if (c->nhosts == 0) {
		c->hosts = xcalloc(1, sizeof(*c->hosts));
		c->nhosts = 1;
	}
	return &c->hosts[0];
}

static int
parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* "N/SECONDS", both positive. */
static int
parse_rate(const char *v, int *n, int *secs)
{
	char buf[64], *slash;

	if (strlen(v) >= sizeof(buf))
		return -1;
	strcpy(buf, v);
	if ((slash = strchr(buf, '/')) == NULL)
		return -1;
	*slash = '\0';
	return parse_int(buf, 1, 1000000, n) == 0 &&
		parse_int(slash + 1, 1, 86400, secs) == 0 ?
	    0 :
	    -1;
}

/* 64 hex digits, any case (colons allowed, as openssl prints them). */
static char *
norm_fingerprint(const char *s)
{
	char out[65];
	size_t n = 0;

	for (; *s; s++) {
		if (*s == ':')
			continue;
		if (!isxdigit((unsigned char)*s) || n == 64)
			return NULL;
		out[n++] = (char)tolower((unsigned char)*s);
	}
	if (n != 64)
		return NULL;
	out[n] = '\0';
	return xstrdup(out);
}

/* Checks "ADDR:PORT" / "[V6]:PORT" syntax; the server resolves it. */
static int
valid_listen(const char *s)
{
	const char *colon;
	int port;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			return 0;
		colon = close + 1;
	} else if ((colon = strrchr(s, ':')) == NULL || colon == s)
		return 0;
	return parse_int(colon + 1, 0, 65535, &port) == 0;
}

/* --- the config file ------------------------------------------------ */

struct config_file {
	const char *file;
	struct diags *d;
	int errors;
};

static void cerr(struct config_file *, const struct toml_value *, const char *,
    ...) ATTR_PRINTF(3, 4);

static void
cerr(struct config_file *f, const struct toml_value *v, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diags_add(f->d, DIAG_ERROR, 0, "%s:%d: %s", f->file, v ? v->line : 0,
	    msg);
	f->errors++;
}

static const char *
want_string(struct config_file *f, const struct toml_value *v, const char *key)
{
	if (v->type != TOML_STRING) {
		cerr(f, v, "'%s' must be a string", key);
		return NULL;
	}
	return v->u.s;
}

static int
want_bool(struct config_file *f, const struct toml_value *v, const char *key,
    int *out)
{
	if (v->type != TOML_BOOL) {
		cerr(f, v, "'%s' must be true or false", key);
		return -1;
	}
	*out = v->u.b;
	return 0;
}

static int
want_int(struct config_file *f, const struct toml_value *v, const char *key,
    int lo, int hi, int *out)
{
	if (v->type != TOML_INT || v->u.i < lo || v->u.i > hi) {
		cerr(f, v, "'%s' must be an integer from %d to %d", key, lo,
		    hi);
		return -1;
	}
	*out = (int)v->u.i;
	return 0;
}

/* A string or an array of strings into a fresh list. */
static int
want_strings(struct config_file *f, const struct toml_value *v, const char *key,
    char ***list, size_t *n)
{
	size_t i;

	strv_free(*list, *n);
	*list = NULL;
	*n = 0;
	if (v->type == TOML_STRING) {
		strv_push(list, n, v->u.s);
		return 0;
	}
	if (v->type != TOML_ARRAY) {
		cerr(f, v, "'%s' must be a string or an array of strings", key);
		return -1;
	}
	for (i = 0; i < v->n; i++) {
		if (v->items[i]->type != TOML_STRING) {
			cerr(f, v->items[i], "'%s' must hold strings only",
			    key);
			return -1;
		}
		strv_push(list, n, v->items[i]->u.s);
	}
	return 0;
}

/*
 * Host names from the file, in their served form (hostname.h); a name
 * that is no DNS name or IP address is an error at its line: it also
 * names the certificate's files.
 */
static void
file_names(struct config_file *f, const struct toml_value *v, const char *k,
    char ***names, size_t *n)
{
	const char *why;
	char *name;
	size_t i;

	if (want_strings(f, v, k, names, n) == -1)
		return;
	for (i = 0; i < *n; i++) {
		if ((name = hostname_normalize((*names)[i], &why)) == NULL) {
			cerr(f, v,
			    "host name '%s' is not a DNS name or IP "
			    "address: %s",
			    (*names)[i], why);
			continue;
		}
		free((*names)[i]);
		(*names)[i] = name;
	}
}

static void
parse_host_table(struct config_file *f, const struct toml_value *t,
    struct vhost_config *h)
{
	size_t i;
	const char *s;

	for (i = 0; i < t->n; i++) {
		const char *k = t->keys[i];
		const struct toml_value *v = t->items[i];

		if (strcmp(k, "name") == 0 || strcmp(k, "names") == 0)
			file_names(f, v, k, &h->names, &h->nnames);
		else if (strcmp(k, "root") == 0) {
			if ((s = want_string(f, v, k)))
				set_str(&h->root, s);
			free(h->root_where);
			h->root_where = xasprintf("%s:%d", f->file, v->line);
		} else if (strcmp(k, "cert") == 0) {
			if ((s = want_string(f, v, k)))
				set_str(&h->cert, s);
		} else if (strcmp(k, "key") == 0) {
			if ((s = want_string(f, v, k)))
				set_str(&h->key, s);
		} else if (strcmp(k, "lang") == 0) {
			if ((s = want_string(f, v, k)) && !util_lang_valid(s))
				cerr(f, v,
				    "'host.lang' must be a language tag "
				    "(like en or pt-BR)%s",
				    "");
			else if (s)
				set_str(&h->lang, s);
		} else
			cerr(f, v, "unknown key 'host.%s'", k);
	}
	if (h->nnames == 0)
		cerr(f, t, "a [[host]] needs a '%s'", "name");
	if ((h->cert == NULL) != (h->key == NULL))
		cerr(f, t, "a [[host]] needs both '%s' and 'key', or neither",
		    "cert");
}

static void
want_fingerprints(struct config_file *f, const struct toml_value *v,
    const char *k, char ***list, size_t *n)
{
	size_t i;

	if (want_strings(f, v, k, list, n) == -1)
		return;
	for (i = 0; i < *n; i++) {
		char *fp = norm_fingerprint((*list)[i]);

		if (fp == NULL) {
			cerr(f, v,
			    "'%s': '%s' is not a SHA-256 fingerprint "
			    "(64 hex digits)",
			    k, (*list)[i]);
			continue;
		}
		free((*list)[i]);
		(*list)[i] = fp;
	}
}

/* listen = "A:P" | ["A:P", ...] | [[listen]] address/proxy_protocol/proxy_from */
static void
parse_listen(struct config_file *f, struct config *c, const char *k,
    const struct toml_value *v)
{
	const struct toml_value *items = v;
	size_t i, j, n = v->type == TOML_ARRAY ? v->n : 1;

	(void)k;
	listen_clear(c);
	for (i = 0; i < n; i++) {
		const struct toml_value *it =
		    v->type == TOML_ARRAY ? items->items[i] : v;

		if (it->type == TOML_STRING) {
			if (!valid_listen(it->u.s))
				cerr(f, it,
				    "'listen' needs ADDR:PORT or "
				    "[ADDR]:PORT, got '%s'",
				    it->u.s);
			listen_push(c, it->u.s, 0);
		} else if (it->type == TOML_TABLE) {
			const char *addr = toml_get_string(it, "address");
			struct listen_config *l;

			if (addr == NULL || !valid_listen(addr)) {
				cerr(f, it,
				    "a [[listen]] needs an 'address' "
				    "ADDR:PORT%s",
				    "");
				continue;
			}
			listen_push(c, addr, 0);
			l = &c->listen[c->nlisten - 1];
			for (j = 0; j < it->n; j++) {
				const char *key = it->keys[j];
				const struct toml_value *x = it->items[j];

				if (strcmp(key, "address") == 0)
					continue;
				if (strcmp(key, "proxy_protocol") == 0)
					want_bool(f, x, key, &l->proxy);
				else if (strcmp(key, "proxy_from") == 0)
					want_strings(f, x, key, &l->proxy_from,
					    &l->nproxy_from);
				else
					cerr(f, x, "unknown key 'listen.%s'",
					    key);
			}
		} else
			cerr(f, it, "'%s' must be ADDR:PORT strings or tables",
			    "listen");
	}
}

static void
parse_protect(struct config_file *f, struct config *c, const char *k,
    const struct toml_value *v)
{
	size_t i, j;

	(void)k;
	if (v->type != TOML_ARRAY) {
		cerr(f, v, "'%s' must be [[protect]] tables", "protect");
		return;
	}
	for (i = 0; i < v->n; i++) {
		const struct toml_value *t = v->items[i];
		struct protect_config *pc;

		if (t->type != TOML_TABLE) {
			cerr(f, t, "'%s' must be [[protect]] tables",
			    "protect");
			continue;
		}
		c->protect = xrealloc(c->protect,
		    (c->nprotect + 1) * sizeof(*c->protect));
		pc = &c->protect[c->nprotect++];
		memset(pc, 0, sizeof(*pc));
		for (j = 0; j < t->n; j++) {
			const char *key = t->keys[j];
			const struct toml_value *x = t->items[j];
			const char *s;

			if (strcmp(key, "path") == 0) {
				if ((s = want_string(f, x, key)) != NULL) {
					if (s[0] != '/')
						cerr(f, x,
						    "'protect.path' must "
						    "start with '/'%s",
						    "");
					set_str(&pc->path, s);
				}
			} else if (strcmp(key, "fingerprints") == 0)
				want_fingerprints(f, x, key, &pc->fingerprints,
				    &pc->nfingerprints);
			else
				cerr(f, x, "unknown key 'protect.%s'", key);
		}
		if (pc->path == NULL)
			cerr(f, t, "a [[protect]] needs a '%s'", "path");
	}
}

/* --- the special options ---------------------------------------------- */

enum { SEEN_HOST = 1, SEEN_LISTEN = 2 };

static int
set_root(struct config *c, const char *v, int *seen)
{
	(void)seen;
	set_str(&default_host(c)->root, v);
	return 0;
}

/* --host: the first one given replaces the file's names. */
static int
set_host(struct config *c, const char *v, int *seen)
{
	struct vhost_config *h = default_host(c);
	const char *why;
	char *name;

	if (seen && !(*seen & SEEN_HOST)) {
		strv_free(h->names, h->nnames);
		h->names = NULL;
		h->nnames = 0;
		*seen |= SEEN_HOST;
	}
	if ((name = hostname_normalize(v, &why)) == NULL)
		return -1;
	strv_push(&h->names, &h->nnames, name);
	free(name);
	return 0;
}

/* host = "name" | ["name", ...] | [[host]] tables */
static void
file_host(struct config_file *f, struct config *c, const char *k,
    const struct toml_value *v)
{
	struct vhost_config *h;
	size_t i;

	if (v->type == TOML_ARRAY && v->n > 0 &&
	    v->items[0]->type == TOML_TABLE) {
		for (i = 0; i < v->n; i++) {
			if (v->items[i]->type != TOML_TABLE) {
				cerr(f, v->items[i],
				    "'%s' mixes tables and values", k);
				continue;
			}
			c->hosts = xrealloc(c->hosts,
			    (c->nhosts + 1) * sizeof(*c->hosts));
			h = &c->hosts[c->nhosts++];
			memset(h, 0, sizeof(*h));
			parse_host_table(f, v->items[i], h);
		}
		return;
	}
	h = default_host(c);
	file_names(f, v, k, &h->names, &h->nnames);
}

/* --listen and --proxy-listen: the first one given replaces the file's. */
static int
add_listen(struct config *c, const char *v, int *seen, int proxy)
{
	if (!valid_listen(v))
		return -1;
	if (seen && !(*seen & SEEN_LISTEN)) {
		listen_clear(c);
		*seen |= SEEN_LISTEN;
	}
	listen_push(c, v, proxy);
	return 0;
}

static int
set_listen(struct config *c, const char *v, int *seen)
{
	return add_listen(c, v, seen, 0);
}

static int
set_proxy_listen(struct config *c, const char *v, int *seen)
{
	return add_listen(c, v, seen, 1);
}

static int
set_rate(struct config *c, const char *v, int *seen)
{
	(void)seen;
	return parse_rate(v, &c->rate_n, &c->rate_secs);
}

static void
file_drafts_fingerprints(struct config_file *f, struct config *c, const char *k,
    const struct toml_value *v)
{
	want_fingerprints(f, v, k, &c->drafts_fingerprints,
	    &c->ndrafts_fingerprints);
}

/* --- the option table ------------------------------------------------- */

static const char *const log_formats[] = { "plain", "common", "json", NULL };
static const char *const links_modes[] = { "after-block", "footnote", "end",
	"off", NULL };
static const char *const tables_modes[] = { "pre", "list", NULL };
static const char *const emphasis_modes[] = { "strip", "keep", NULL };

/* CONFIG_ENUM fields are written as int. */
_Static_assert(sizeof(enum gemtext_links) == sizeof(int), "enum size");
_Static_assert(sizeof(enum gemtext_tables) == sizeof(int), "enum size");
_Static_assert(sizeof(enum gemtext_emphasis) == sizeof(int), "enum size");

#define F(field) offsetof(struct config, field)
#define SERVE	 CMD_SERVE
#define ALL	 (CMD_SERVE | CMD_CONVERT | CMD_CHECK | CMD_CERT)

/*
 * Every setting, in the order --help prints them. A new option is one
 * row here (and its field in struct config, and its paragraph in
 * capsuled.1 and capsuled.toml.example, which tests/e2e/manpage.sh
 * checks against this table).
 */
static const struct config_option options[] = {
	{ .flag = "config",
	    .type = CONFIG_ACTION,
	    .cmds = SERVE,
	    .arg = "FILE",
	    .help = "read settings from FILE (TOML)" },
	{ .flag = "root",
	    .key = "root",
	    .type = CONFIG_SPECIAL,
	    .cmds = SERVE,
	    .arg = "DIR",
	    .def = "capsule",
	    .set = set_root,
	    .help = "capsule folder to serve" },
	{ .flag = "host",
	    .key = "host",
	    .alias = "hosts",
	    .type = CONFIG_SPECIAL,
	    .cmds = SERVE,
	    .arg = "NAME",
	    .def = "localhost",
	    .set = set_host,
	    .file = file_host,
	    .want = "a DNS name or IP address, no path",
	    .help = "public host name, repeatable" },
	{ .flag = "listen",
	    .key = "listen",
	    .type = CONFIG_SPECIAL,
	    .cmds = SERVE,
	    .arg = "ADDR:PORT",
	    .def = "0.0.0.0:1965",
	    .set = set_listen,
	    .file = parse_listen,
	    .want = "ADDR:PORT or [ADDR]:PORT",
	    .help = "address to listen on, repeatable; [::1]:1965 for IPv6, "
		    "port 0 picks one" },
	{ .flag = "proxy-listen",
	    .type = CONFIG_SPECIAL,
	    .cmds = SERVE,
	    .arg = "ADDR:PORT",
	    .set = set_proxy_listen,
	    .want = "ADDR:PORT or [ADDR]:PORT",
	    .help = "listen for PROXY protocol v1/v2 connections (HAProxy), "
		    "repeatable" },
	{ .flag = "public-port",
	    .key = "public_port",
	    .type = CONFIG_INT,
	    .cmds = SERVE,
	    .arg = "N",
	    .lo = 1,
	    .hi = 65535,
	    .off = F(public_port),
	    .help = "port clients put in URLs (default the listen port)" },
	{ .flag = "certs",
	    .key = "certs",
	    .type = CONFIG_STRING,
	    .cmds = SERVE | CMD_CERT,
	    .arg = "DIR",
	    .def = "certs",
	    .off = F(certs_dir),
	    .help = "certificate folder" },
	{ .flag = "workers",
	    .key = "workers",
	    .type = CONFIG_INT,
	    .cmds = SERVE,
	    .arg = "N",
	    .def = "0",
	    .lo = 0,
	    .hi = 256,
	    .off = F(workers),
	    .help = "worker processes; 0: one per core" },
	{ .flag = "max-connections",
	    .key = "max_connections",
	    .type = CONFIG_INT,
	    .cmds = SERVE,
	    .arg = "N",
	    .def = "4096",
	    .lo = 1,
	    .hi = 1000000,
	    .off = F(max_connections),
	    .help = "open connections per worker; past it clients get 41" },
	{ .flag = "rate-limit",
	    .key = "rate_limit",
	    .type = CONFIG_SPECIAL,
	    .cmds = SERVE,
	    .arg = "N/SECS",
	    .set = set_rate,
	    .want = "\"N/SECONDS\" like \"20/60\" (requests/seconds)",
	    .help = "at most N requests per client address in SECS seconds, "
		    "then 44 (default off)" },
	{ .flag = "rate-limit-ipv6-prefix",
	    .key = "rate_limit_ipv6_prefix",
	    .type = CONFIG_INT,
	    .cmds = SERVE,
	    .arg = "BITS",
	    .def = "64",
	    .lo = 1,
	    .hi = 128,
	    .off = F(rate_v6_prefix),
	    .help = "IPv6 clients share a rate limit per network of BITS "
		    "(64: per /64)" },
	{ .flag = "user",
	    .key = "user",
	    .type = CONFIG_STRING,
	    .cmds = SERVE,
	    .arg = "NAME",
	    .off = F(user),
	    .help = "drop privileges to NAME after binding" },
	{ .flag = "chroot",
	    .key = "chroot",
	    .type = CONFIG_BOOL,
	    .cmds = SERVE,
	    .def = "false",
	    .off = F(chroot),
	    .help = "chroot workers into the capsule root (with --user)" },
	{ .flag = "log",
	    .key = "log",
	    .type = CONFIG_STRING,
	    .cmds = SERVE,
	    .arg = "FILE",
	    .off = F(log_file),
	    .help = "log file (default stderr)" },
	{ .flag = "log-format",
	    .key = "log_format",
	    .type = CONFIG_ENUM,
	    .cmds = SERVE,
	    .arg = "FORMAT",
	    .def = "plain",
	    .values = log_formats,
	    .off = F(log_format),
	    .help = "access log layout" },
	{ .flag = "no-log-ip",
	    .key = "log_ip",
	    .type = CONFIG_BOOL,
	    .cmds = SERVE,
	    .def = "true",
	    .neg = 1,
	    .off = F(log_ip),
	    .help = "log client addresses as -" },
	{ .flag = "quiet",
	    .key = "quiet",
	    .type = CONFIG_BOOL,
	    .cmds = SERVE,
	    .def = "false",
	    .off = F(quiet),
	    .help = "no access or info lines" },
	{ .flag = "debug",
	    .key = "debug",
	    .type = CONFIG_BOOL,
	    .cmds = SERVE,
	    .def = "false",
	    .off = F(debug),
	    .help = "debug lines" },
	{ .flag = "drafts",
	    .key = "drafts",
	    .type = CONFIG_BOOL,
	    .cmds = SERVE | CMD_CONVERT,
	    .def = "false",
	    .off = F(drafts),
	    .help = "serve and list drafts (preview; convert always does)" },
	{ .key = "drafts_fingerprints",
	    .type = CONFIG_SPECIAL,
	    .cmds = SERVE,
	    .file = file_drafts_fingerprints,
	    .help = "show drafts only to these client certificates" },
	{ .key = "protect",
	    .type = CONFIG_SPECIAL,
	    .cmds = SERVE,
	    .file = parse_protect,
	    .help = "[[protect]] tables: paths for some client certificates" },
	{ .flag = "no-search",
	    .key = "search",
	    .type = CONFIG_BOOL,
	    .cmds = SERVE,
	    .def = "true",
	    .neg = 1,
	    .off = F(search),
	    .help = "no /search (full-text search of the posts)" },
	{ .flag = "cache-size",
	    .key = "cache_size",
	    .type = CONFIG_INT,
	    .cmds = SERVE,
	    .arg = "MB",
	    .def = "64",
	    .lo = 1,
	    .hi = 65536,
	    .off = F(cache_size),
	    .help = "megabytes of rendered pages each worker keeps per host" },
	{ .flag = "render-threads",
	    .key = "render_threads",
	    .type = CONFIG_INT,
	    .cmds = SERVE,
	    .arg = "N",
	    .def = "2",
	    .lo = 1,
	    .hi = 64,
	    .off = F(render_threads),
	    .help = "threads that render large posts in each worker" },
	{ .flag = "lang",
	    .key = "lang",
	    .type = CONFIG_STRING,
	    .cmds = SERVE,
	    .arg = "TAG",
	    .off = F(lang),
	    .help = "language of text/gemini responses (e.g. en)" },
	{ .flag = "body-only",
	    .type = CONFIG_BOOL,
	    .cmds = CMD_CONVERT,
	    .off = F(body_only),
	    .help = "only the body: no title, date, tags or navigation" },
	{ .flag = "list",
	    .type = CONFIG_BOOL,
	    .cmds = CMD_CHECK,
	    .off = F(list),
	    .help = "also print each page: SOURCE URL DATE" },
	{ .flag = "links",
	    .key = "links",
	    .type = CONFIG_ENUM,
	    .cmds = SERVE | CMD_CONVERT,
	    .arg = "MODE",
	    .def = "after-block",
	    .values = links_modes,
	    .off = F(render.links),
	    .help = "where link lines go" },
	{ .flag = "tables",
	    .key = "tables",
	    .type = CONFIG_ENUM,
	    .cmds = SERVE | CMD_CONVERT,
	    .arg = "MODE",
	    .def = "pre",
	    .values = tables_modes,
	    .off = F(render.tables),
	    .help = "how tables are shown" },
	{ .flag = "emphasis",
	    .key = "emphasis",
	    .type = CONFIG_ENUM,
	    .cmds = SERVE | CMD_CONVERT,
	    .arg = "MODE",
	    .def = "strip",
	    .values = emphasis_modes,
	    .off = F(render.emphasis),
	    .help = "emphasis markers" },
	{ .flag = "max-post-size",
	    .key = "max_post_size",
	    .type = CONFIG_INT,
	    .cmds = SERVE | CMD_CONVERT | CMD_CHECK,
	    .arg = "BYTES",
	    .def = "1048576",
	    .lo = 1024,
	    .hi = 16 << 20,
	    .off = F(render.max_size),
	    .help = "a larger post is not rendered (an error, and a page "
		    "saying so)" },
	{ .flag = "max-nesting",
	    .key = "max_nesting",
	    .type = CONFIG_INT,
	    .cmds = SERVE | CMD_CONVERT | CMD_CHECK,
	    .arg = "N",
	    .def = "64",
	    .lo = 1,
	    .hi = 10000,
	    .off = F(render.max_nesting),
	    .help =
		"quotes and lists nested deeper: the post is not rendered" },
	{ .flag = "max-table-columns",
	    .key = "max_table_columns",
	    .type = CONFIG_INT,
	    .cmds = SERVE | CMD_CONVERT | CMD_CHECK,
	    .arg = "N",
	    .def = "100",
	    .lo = 1,
	    .hi = 10000,
	    .off = F(render.max_table_columns),
	    .help = "a table with more columns: the post is not rendered" },
	{ .flag = "max-table-cells",
	    .key = "max_table_cells",
	    .type = CONFIG_INT,
	    .cmds = SERVE | CMD_CONVERT | CMD_CHECK,
	    .arg = "N",
	    .def = "100000",
	    .lo = 1,
	    .hi = 100000000,
	    .off = F(render.max_table_cells),
	    .help = "tables with more cells (each row as wide as its "
		    "header): the post is not rendered" },
	{ .flag = "help",
	    .type = CONFIG_ACTION,
	    .cmds = ALL,
	    .help = "this text (also -h)" },
	{ .flag = "version",
	    .type = CONFIG_ACTION,
	    .cmds = SERVE,
	    .help = "the version" },
};

#undef F
#undef SERVE
#undef ALL

const struct config_option *
config_options(size_t *n)
{
	*n = ARRAY_LEN(options);
	return options;
}

static const struct {
	const char *name;
	unsigned cmd;
	const char *operands; /* in the usage line */
	size_t min, max;      /* how many operands */
	const char *help;
} commands[] = {
	{ "serve", CMD_SERVE, "", 0, 0,
	    "serve the capsule (the default command)" },
	{ "convert", CMD_CONVERT, "FILE.md|-", 1, 1,
	    "print the gemtext page served for FILE.md (- reads stdin)" },
	{ "check", CMD_CHECK, "[DIR]", 0, 1,
	    "report problems in the site or capsule DIR (default capsule)" },
	{ "cert", CMD_CERT, "HOST", 1, 1,
	    "create HOST's certificate and key in the certificate folder" },
};

unsigned
config_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(commands); i++)
		if (strcmp(name, commands[i].name) == 0)
			return commands[i].cmd;
	return 0;
}

static size_t
command_index(unsigned cmd)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(commands); i++)
		if (commands[i].cmd == cmd)
			return i;
	return 0;
}

static void *
field(struct config *c, const struct config_option *o)
{
	return (char *)c + o->off;
}

/* "one of a, b, c" into buf. */
static const char *
enum_list(const struct config_option *o, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; o->values[i] && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    i ? ", " : "", o->values[i]);
	return buf;
}

static int
enum_value(const struct config_option *o, const char *v)
{
	int i;

	for (i = 0; o->values[i]; i++)
		if (strcmp(v, o->values[i]) == 0)
			return i;
	return -1;
}

/*
 * Sets o from the text v (a flag's value, a default, or a TOML string for
 * special keys). Returns 0, or -1 for a bad value.
 */
static int
set_value(struct config *c, const struct config_option *o, const char *v,
    int *seen)
{
	int i;

	switch (o->type) {
	case CONFIG_STRING:
		set_str(field(c, o), v);
		return 0;
	case CONFIG_BOOL:
		if (v == NULL) { /* the flag */
			*(int *)field(c, o) = !o->neg;
			return 0;
		}
		if (strcmp(v, "true") && strcmp(v, "false"))
			return -1;
		*(int *)field(c, o) = v[0] == 't';
		return 0;
	case CONFIG_INT:
		return parse_int(v, o->lo, o->hi, field(c, o));
	case CONFIG_ENUM:
		if ((i = enum_value(o, v)) == -1)
			return -1;
		*(int *)field(c, o) = i;
		return 0;
	case CONFIG_SPECIAL:
		return o->set ? o->set(c, v, seen) : -1;
	case CONFIG_ACTION:
		break;
	}
	return -1;
}

/* --- the config file, key by key ---------------------------------------- */

/* Remembers where o was set (w is taken), for later errors. */
static void
set_where(struct config *c, const struct config_option *o, char *w)
{
	if (c->where == NULL)
		c->where = xcalloc(ARRAY_LEN(options), sizeof(*c->where));
	free(c->where[o - options]);
	c->where[o - options] = w;
}

static void
parse_key(struct config_file *f, struct config *c, const char *k,
    const struct toml_value *v)
{
	const struct config_option *o = NULL;
	char list[256];
	const char *s;
	size_t i;
	int b;

	for (i = 0; i < ARRAY_LEN(options) && o == NULL; i++)
		if ((options[i].key && strcmp(k, options[i].key) == 0) ||
		    (options[i].alias && strcmp(k, options[i].alias) == 0))
			o = &options[i];
	if (o == NULL) {
		cerr(f, v, "unknown key '%s'", k);
		return;
	}
	set_where(c, o, xasprintf("%s:%d", f->file, v->line));
	switch (o->type) {
	case CONFIG_STRING:
		if ((s = want_string(f, v, k)))
			set_str(field(c, o), s);
		break;
	case CONFIG_BOOL:
		want_bool(f, v, k, field(c, o));
		break;
	case CONFIG_INT:
		want_int(f, v, k, o->lo, o->hi, field(c, o));
		break;
	case CONFIG_ENUM:
		if ((s = want_string(f, v, k)) == NULL)
			break;
		if ((b = enum_value(o, s)) == -1)
			cerr(f, v, "'%s' must be one of %s, not '%s'", k,
			    enum_list(o, list, sizeof(list)), s);
		else
			*(int *)field(c, o) = b;
		break;
	case CONFIG_SPECIAL:
		if (o->file)
			o->file(f, c, k, v);
		else if ((s = want_string(f, v, k)) && o->set(c, s, NULL))
			cerr(f, v, "'%s' must be %s, not '%s'", k, o->want, s);
		break;
	case CONFIG_ACTION:
		cerr(f, v, "unknown key '%s'", k);
		break;
	}
}

int
config_parse_text(struct config *c, const char *file, const char *text,
    size_t len, struct diags *d)
{
	struct config_file f = { file, d, 0 };
	struct diags td = { 0 };
	struct toml_value *root;
	size_t i;

	if ((root = toml_parse(text, len, &td)) == NULL) {
		for (i = 0; i < td.n; i++)
			diags_add(d, DIAG_ERROR, 0, "%s:%d: %s", file,
			    td.v[i].line, td.v[i].msg);
		if (td.n == 0)
			diags_add(d, DIAG_ERROR, 0, "%s: not valid TOML", file);
		diags_free(&td);
		return -1;
	}
	diags_free(&td);
	for (i = 0; i < root->n; i++)
		parse_key(&f, c, root->keys[i], root->items[i]);
	toml_free(root);
	return f.errors ? -1 : 0;
}

static int
read_config_file(struct config *c, const char *path, struct diags *d)
{
	struct buf b = BUF_INIT;
	char chunk[8192];
	ssize_t n;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		diags_add(d, DIAG_ERROR, 0, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		buf_add(&b, chunk, (size_t)n);
		if (b.len > CONFIG_MAX_FILE)
			break;
	}
	close(fd);
	if (n == -1 || b.len > CONFIG_MAX_FILE) {
		diags_add(d, DIAG_ERROR, 0, "%s: %s", path,
		    n == -1 ? strerror(errno) : "file too large");
		buf_free(&b);
		return -1;
	}
	set_str(&c->path, path);
	rc = config_parse_text(c, path, b.data, b.len, d);
	buf_free(&b);
	return rc;
}

/* --- the command line ----------------------------------------------- */

static const struct config_option *
find_flag(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(options); i++)
		if (options[i].flag && strlen(options[i].flag) == len &&
		    strncmp(options[i].flag, name, len) == 0)
			return &options[i];
	return NULL;
}

/* Is a a flag of some command ("--certs", "--certs=x", "-h")? */
static int
is_flag(const char *a)
{
	if (strcmp(a, "-h") == 0)
		return 1;
	if (strncmp(a, "--", 2) != 0)
		return 0;
	a += 2;
	return find_flag(a, strcspn(a, "=")) != NULL;
}

static const char *
cmd_name(unsigned command)
{
	return commands[command_index(command)].name;
}

/*
 * Splits argv[*i] into an option of command and its value. Returns the
 * option, or NULL (error added) for an unknown one or a missing value.
 * *operand is set, and NULL returned, for an operand.
 */
static const struct config_option *
next_opt(unsigned command, int argc, char **argv, int *i, const char **val,
    int *operand, int *dashdash, struct diags *d)
{
	const struct config_option *o;
	const char *a = argv[*i], *eq;
	size_t nlen;

	*val = NULL;
	*operand = 0;
	if (*dashdash || strcmp(a, "-") == 0 || a[0] != '-') {
		*operand = 1;
		return NULL;
	}
	if (strcmp(a, "--") == 0) {
		*dashdash = 1;
		*operand = -1;
		return NULL;
	}
	if (strcmp(a, "-h") == 0)
		a = "--help";
	if (strncmp(a, "--", 2) != 0) {
		diags_add(d, DIAG_ERROR, 0, "capsuled: unknown option '%s'", a);
		return NULL;
	}
	a += 2;
	eq = strchr(a, '=');
	nlen = eq ? (size_t)(eq - a) : strlen(a);
	o = find_flag(a, nlen);
	if (o == NULL || !(o->cmds & command)) {
		if (o && command != CMD_SERVE)
			diags_add(d, DIAG_ERROR, 0,
			    "capsuled: %s has no option "
			    "'%s' (see capsuled %s --help)",
			    cmd_name(command), argv[*i], cmd_name(command));
		else
			diags_add(d, DIAG_ERROR, 0,
			    "capsuled: unknown option "
			    "'%s'",
			    argv[*i]);
		return NULL;
	}
	if (o->arg == NULL) {
		if (eq) {
			diags_add(d, DIAG_ERROR, 0,
			    "capsuled: --%s takes no value", o->flag);
			return NULL;
		}
		return o;
	}
	if (eq)
		*val = eq + 1;
	else if (*i + 1 < argc && !is_flag(argv[*i + 1]))
		*val = argv[++*i];
	else {
		diags_add(d, DIAG_ERROR, 0, "capsuled: --%s needs a value (%s)",
		    o->flag, o->arg);
		return NULL;
	}
	return o;
}

static void
bad_value(const struct config_option *o, const char *v, struct diags *d)
{
	char list[256];

	if (o->type == CONFIG_ENUM)
		diags_add(d, DIAG_ERROR, 0,
		    "capsuled: bad value for --%s: "
		    "'%s' (one of %s)",
		    o->flag, v, enum_list(o, list, sizeof(list)));
	else if (o->type == CONFIG_INT)
		diags_add(d, DIAG_ERROR, 0,
		    "capsuled: bad value for --%s: "
		    "'%s' (an integer from %d to %d)",
		    o->flag, v, o->lo, o->hi);
	else if (o->want)
		diags_add(d, DIAG_ERROR, 0,
		    "capsuled: bad value for --%s: "
		    "'%s' (want %s)",
		    o->flag, v, o->want);
	else
		diags_add(d, DIAG_ERROR, 0,
		    "capsuled: bad value for --%s: "
		    "'%s'",
		    o->flag, v);
}

/* Where the option with this flag was set: "file:line", "capsuled: --flag". */
static const char *
where(const struct config *c, const char *flag)
{
	const struct config_option *o = find_flag(flag, strlen(flag));

	return o && c->where && c->where[o - options] ? c->where[o - options] :
							"capsuled";
}

/*
 * The defaults of the special options, then checks across options and
 * against the system (serve only: the root exists, the user exists).
 */
static int
validate(struct config *c, unsigned command, struct diags *d)
{
	size_t i;
	int bad = 0;

	default_host(c);
	if (c->nlisten == 0)
		listen_push(c, special_default("listen"), 0);
	for (i = 0; i < c->nhosts; i++) {
		struct vhost_config *h = &c->hosts[i];

		if (h->nnames == 0)
			strv_push(&h->names, &h->nnames,
			    special_default("host"));
		if (h->root == NULL)
			h->root = xstrdup(special_default("root"));
	}
	if (command != CMD_SERVE)
		return 0;
	/* lang goes into response headers: a language tag, nothing else. */
	if (c->lang && !util_lang_valid(c->lang)) {
		diags_add(d, DIAG_ERROR, 0,
		    "%s: lang is not a language "
		    "tag (like en or pt-BR)",
		    where(c, "lang"));
		bad = 1;
	}
	for (i = 0; i < c->nhosts; i++) {
		struct vhost_config *h = &c->hosts[i];
		const char *w =
		    h->root_where ? h->root_where : where(c, "root");
		struct stat st;

		if (stat(h->root, &st) == -1) {
			diags_add(d, DIAG_ERROR, 0, "%s: root '%s': %s", w,
			    h->root, strerror(errno));
			bad = 1;
		} else if (!S_ISDIR(st.st_mode)) {
			diags_add(d, DIAG_ERROR, 0,
			    "%s: root '%s' is not a "
			    "folder",
			    w, h->root);
			bad = 1;
		}
	}
	if (c->user && getpwnam(c->user) == NULL) {
		diags_add(d, DIAG_ERROR, 0, "%s: user '%s': no such user",
		    where(c, "user"), c->user);
		bad = 1;
	}
	if (c->chroot && c->user == NULL) {
		diags_add(d, DIAG_ERROR, 0,
		    "%s: chroot needs a user (the "
		    "'user' key or --user)",
		    where(c, "chroot"));
		bad = 1;
	}
	if (c->public_port == 0) {
		const char *colon = strrchr(c->listen[0].addr, ':');
		int port = 0;

		if (colon)
			parse_int(colon + 1, 0, 65535, &port);
		c->public_port =
		    port; /* 0: the server fills in the bound port */
	}
	return bad ? -1 : 0;
}

int
config_load_cmd(struct config *c, unsigned command, int argc, char **argv,
    enum config_cmd *cmd, struct diags *d)
{
	const struct config_option *o;
	const char *v;
	size_t ci = command_index(command);
	int i, seen = 0, errors = 0, operand, dashdash = 0;

	config_defaults(c);
	*cmd = CONFIG_SERVE;
	/* First pass: --config, --help, --version, operands, syntax errors. */
	for (i = 0; i < argc; i++) {
		o = next_opt(command, argc, argv, &i, &v, &operand, &dashdash,
		    d);
		if (operand > 0) {
			c->args = xrealloc(c->args,
			    (c->nargs + 1) * sizeof(*c->args));
			c->args[c->nargs++] = argv[i];
			continue;
		}
		if (operand < 0)
			continue;
		if (o == NULL)
			return -1;
		if (strcmp(o->flag, "help") == 0)
			*cmd = CONFIG_HELP;
		else if (strcmp(o->flag, "version") == 0)
			*cmd = CONFIG_VERSION;
		else if (strcmp(o->flag, "config") == 0 &&
		    read_config_file(c, v, d) == -1)
			errors++;
	}
	if (*cmd != CONFIG_SERVE || errors)
		return errors ? -1 : 0;
	if (c->nargs > commands[ci].max) {
		diags_add(d, DIAG_ERROR, 0,
		    "capsuled: unexpected argument '%s'",
		    c->args[commands[ci].max]);
		return -1;
	}
	if (c->nargs < commands[ci].min) {
		diags_add(d, DIAG_ERROR, 0, "capsuled %s: missing %s",
		    commands[ci].name, commands[ci].operands);
		return -1;
	}
	/* Second pass: the command line wins over the file. */
	dashdash = 0;
	for (i = 0; i < argc; i++) {
		o = next_opt(command, argc, argv, &i, &v, &operand, &dashdash,
		    d);
		if (o == NULL || o->type == CONFIG_ACTION)
			continue;
		set_where(c, o, xasprintf("capsuled: --%s", o->flag));
		if (set_value(c, o, v, &seen) == -1) {
			bad_value(o, v, d);
			errors++;
		}
	}
	if (validate(c, command, d))
		errors++;
	return errors ? -1 : 0;
}

int
config_load(struct config *c, int argc, char **argv, enum config_cmd *cmd,
    struct diags *d)
{
	return config_load_cmd(c, CMD_SERVE, argc, argv, cmd, d);
}

/* --- --help --------------------------------------------------------- */

static void
usage_line(FILE *fp, size_t ci, int first)
{
	size_t i;

	fprintf(fp, "%s capsuled %s", first ? "usage:" : "      ",
	    ci == 0 ? "[serve]" : commands[ci].name);
	for (i = 0; i < ARRAY_LEN(options); i++)
		if (options[i].flag && options[i].cmds & commands[ci].cmd &&
		    strcmp(options[i].flag, "help") != 0) {
			fputs(" [options]", fp);
			break;
		}
	fprintf(fp, "%s%s\n", commands[ci].operands[0] ? " " : "",
	    commands[ci].operands);
}

static void
option_lines(FILE *fp, unsigned command)
{
	char list[256], left[64];
	size_t i;

	for (i = 0; i < ARRAY_LEN(options); i++) {
		const struct config_option *o = &options[i];

		if (o->flag == NULL || !(o->cmds & command))
			continue;
		snprintf(left, sizeof(left), "--%s%s%s", o->flag,
		    o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(fp, "  %-24s %s", left, o->help);
		if (o->type == CONFIG_ENUM)
			fprintf(fp, ": %s", enum_list(o, list, sizeof(list)));
		if (o->def && o->type != CONFIG_BOOL)
			fprintf(fp, " (default %s)", o->def);
		if (o->key && command == CMD_SERVE)
			fprintf(fp, " [%s]", o->key);
		fputc('\n', fp);
	}
}

void
config_usage(FILE *fp, unsigned command)
{
	size_t i, ci;

	if (command == 0) {
		for (i = 0; i < ARRAY_LEN(commands); i++)
			usage_line(fp, i, i == 0);
		fputs("       capsuled help [COMMAND]\n"
		      "       capsuled --version\n"
		      "commands:\n",
		    fp);
		for (i = 0; i < ARRAY_LEN(commands); i++)
			fprintf(fp, "  %-8s %s\n", commands[i].name,
			    commands[i].help);
		command = CMD_SERVE;
	} else {
		ci = command_index(command);
		usage_line(fp, ci, 1);
		fprintf(fp, "%s\n", commands[ci].help);
	}
	if (command == CMD_SERVE) {
		fputs("serve options [and their capsuled.toml key]:\n", fp);
		option_lines(fp, CMD_SERVE);
		fputs("capsuled.toml only:", fp);
		for (i = 0; i < ARRAY_LEN(options); i++)
			if (options[i].flag == NULL)
				fprintf(fp, " %s", options[i].key);
		fputc('\n', fp);
	} else {
		fputs("options:\n", fp);
		option_lines(fp, command);
	}
}
