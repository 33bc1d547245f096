/*
 * config: defaults, then capsuled.toml (--config), then command-line
 * options, which win. Everything is validated here, before the server
 * binds or forks, and every problem is reported as "file:line: message".
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "toml.h"

#define CONFIG_MAX_FILE (1 << 20)	/* bytes of capsuled.toml we read */

static const char usage_text[] =
"usage: capsuled [serve] [options]\n"
"       capsuled convert [--body-only] [--drafts] [--links MODE] [--tables MODE] [--emphasis MODE] FILE.md|-\n"
"       capsuled check [DIR]\n"
"       capsuled cert HOST [--certs DIR]\n"
"       capsuled --version | --help\n"
"serve options (each is also a capsuled.toml key):\n"
"  --config FILE        read settings from FILE (TOML)\n"
"  --root DIR           capsule folder to serve (default ./capsule)\n"
"  --host NAME          public host name, repeatable (default localhost)\n"
"  --listen ADDR:PORT   address to listen on, repeatable; [::1]:1965 for IPv6, port 0 picks one (default 0.0.0.0:1965)\n"
"  --public-port N      port clients put in URLs (default the listen port)\n"
"  --certs DIR          certificate folder (default ./certs)\n"
"  --workers N          worker processes (default one per core)\n"
"  --user NAME          drop privileges to NAME after binding\n"
"  --chroot             chroot workers into the capsule root (with --user)\n"
"  --log FILE           log file (default stderr)\n"
"  --quiet              no access or info lines\n"
"  --debug              debug lines\n"
"  --drafts             serve and list drafts (preview)\n"
"  --lang TAG           language of text/gemini responses (e.g. en)\n"
"  --max-connections N  open connections per worker; past it clients get 41 (default 4096)\n"
"  --proxy-listen ADDR:PORT  listen for PROXY protocol v1/v2 connections (HAProxy), repeatable\n"
"  --rate-limit N/SECS  at most N requests per client address in SECS seconds, then 44 (default off)\n"
"  --log-format FORMAT  access log: plain, common or json (default plain)\n"
"  --no-log-ip          log client addresses as -\n"
"  --links MODE         link lines: after-block, footnote, end, off\n"
"  --tables MODE        tables: pre, list\n"
"  --emphasis MODE      emphasis markers: strip, keep\n"
"  --help               this text\n"
"  --version            the version\n";

const char *
config_usage(void)
{
	return usage_text;
}

static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
strv_push(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

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
		strv_free(c->protect[i].fingerprints, c->protect[i].nfingerprints);
	}
	free(c->protect);
	strv_free(c->drafts_fingerprints, c->ndrafts_fingerprints);
	free(c->path);
	free(c->certs_dir);
	free(c->user);
	free(c->log_file);
	free(c->lang);
	memset(c, 0, sizeof(*c));
}

static void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->certs_dir = xstrdup("certs");
	c->max_connections = 4096;
	c->log_ip = 1;
	gemtext_opts_default(&c->render);
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

static int
parse_mode(const char *opt, const char *v, struct gemtext_opts *r)
{
	static const struct {
		const char *opt, *name;
		int val;
	} modes[] = {
		{ "links", "after-block", GEMTEXT_LINKS_AFTER_BLOCK },
		{ "links", "footnote", GEMTEXT_LINKS_FOOTNOTE },
		{ "links", "end", GEMTEXT_LINKS_END },
		{ "links", "off", GEMTEXT_LINKS_OFF },
		{ "tables", "pre", GEMTEXT_TABLES_PRE },
		{ "tables", "list", GEMTEXT_TABLES_LIST },
		{ "emphasis", "strip", GEMTEXT_EMPH_STRIP },
		{ "emphasis", "keep", GEMTEXT_EMPH_KEEP },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(modes); i++) {
		if (strcmp(opt, modes[i].opt) || strcmp(v, modes[i].name))
			continue;
		if (opt[0] == 'l')
			r->links = modes[i].val;
		else if (opt[0] == 't')
			r->tables = modes[i].val;
		else
			r->emphasis = modes[i].val;
		return 0;
	}
	return -1;
}

static int
parse_log_format(const char *v, int *out)
{
	static const char *const names[] = { "plain", "common", "json" };
	size_t i;

	for (i = 0; i < ARRAY_LEN(names); i++)
		if (strcmp(v, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	return -1;
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
	    parse_int(slash + 1, 1, 86400, secs) == 0 ? 0 : -1;
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

struct cfile {
	const char *file;
	struct diags *d;
	int errors;
};

static void cerr(struct cfile *, const struct toml_value *, const char *, ...)
    ATTR_PRINTF(3, 4);

static void
cerr(struct cfile *f, const struct toml_value *v, const char *fmt, ...)
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
want_string(struct cfile *f, const struct toml_value *v, const char *key)
{
	if (v->type != TOML_STRING) {
		cerr(f, v, "'%s' must be a string", key);
		return NULL;
	}
	return v->u.s;
}

static int
want_bool(struct cfile *f, const struct toml_value *v, const char *key,
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
want_int(struct cfile *f, const struct toml_value *v, const char *key,
    int lo, int hi, int *out)
{
	if (v->type != TOML_INT || v->u.i < lo || v->u.i > hi) {
		cerr(f, v, "'%s' must be an integer from %d to %d", key, lo, hi);
		return -1;
	}
	*out = (int)v->u.i;
	return 0;
}

/* A string or an array of strings into a fresh list. */
static int
want_strings(struct cfile *f, const struct toml_value *v, const char *key,
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
			cerr(f, v->items[i], "'%s' must hold strings only", key);
			return -1;
		}
		strv_push(list, n, v->items[i]->u.s);
	}
	return 0;
}

static void
parse_host_table(struct cfile *f, const struct toml_value *t,
    struct vhost_config *h)
{
	size_t i;
	const char *s;

	for (i = 0; i < t->n; i++) {
		const char *k = t->keys[i];
		const struct toml_value *v = t->items[i];

		if (strcmp(k, "name") == 0 || strcmp(k, "names") == 0)
			want_strings(f, v, k, &h->names, &h->nnames);
		else if (strcmp(k, "root") == 0) {
			if ((s = want_string(f, v, k)))
				set_str(&h->root, s);
		} else if (strcmp(k, "cert") == 0) {
			if ((s = want_string(f, v, k)))
				set_str(&h->cert, s);
		} else if (strcmp(k, "key") == 0) {
			if ((s = want_string(f, v, k)))
				set_str(&h->key, s);
		} else if (strcmp(k, "lang") == 0) {
			if ((s = want_string(f, v, k)))
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
want_fingerprints(struct cfile *f, const struct toml_value *v, const char *k,
    char ***list, size_t *n)
{
	size_t i;

	if (want_strings(f, v, k, list, n) == -1)
		return;
	for (i = 0; i < *n; i++) {
		char *fp = norm_fingerprint((*list)[i]);

		if (fp == NULL) {
			cerr(f, v, "'%s': '%s' is not a SHA-256 fingerprint "
			    "(64 hex digits)", k, (*list)[i]);
			continue;
		}
		free((*list)[i]);
		(*list)[i] = fp;
	}
}

/* listen = "A:P" | ["A:P", ...] | [[listen]] address/proxy_protocol/proxy_from */
static void
parse_listen(struct cfile *f, struct config *c, const struct toml_value *v)
{
	const struct toml_value *items = v;
	size_t i, j, n = v->type == TOML_ARRAY ? v->n : 1;

	listen_clear(c);
	for (i = 0; i < n; i++) {
		const struct toml_value *it = v->type == TOML_ARRAY ?
		    items->items[i] : v;

		if (it->type == TOML_STRING) {
			if (!valid_listen(it->u.s))
				cerr(f, it, "'listen' needs ADDR:PORT or "
				    "[ADDR]:PORT, got '%s'", it->u.s);
			listen_push(c, it->u.s, 0);
		} else if (it->type == TOML_TABLE) {
			const char *addr = toml_get_string(it, "address");
			struct listen_config *l;

			if (addr == NULL || !valid_listen(addr)) {
				cerr(f, it, "a [[listen]] needs an 'address' "
				    "ADDR:PORT%s", "");
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
					cerr(f, x, "unknown key 'listen.%s'", key);
			}
		} else
			cerr(f, it, "'%s' must be ADDR:PORT strings or tables",
			    "listen");
	}
}

static void
parse_protect(struct cfile *f, struct config *c, const struct toml_value *v)
{
	size_t i, j;

	if (v->type != TOML_ARRAY) {
		cerr(f, v, "'%s' must be [[protect]] tables", "protect");
		return;
	}
	for (i = 0; i < v->n; i++) {
		const struct toml_value *t = v->items[i];
		struct protect_config *pc;

		if (t->type != TOML_TABLE) {
			cerr(f, t, "'%s' must be [[protect]] tables", "protect");
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
						cerr(f, x, "'protect.path' must "
						    "start with '/'%s", "");
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

static void
parse_key(struct cfile *f, struct config *c, const char *k,
    const struct toml_value *v)
{
	struct vhost_config *h;
	const char *s;
	size_t i;

	if (strcmp(k, "root") == 0) {
		if ((s = want_string(f, v, k)))
			set_str(&default_host(c)->root, s);
	} else if (strcmp(k, "host") == 0 && v->type == TOML_ARRAY &&
	    v->n > 0 && v->items[0]->type == TOML_TABLE) {
		for (i = 0; i < v->n; i++) {
			if (v->items[i]->type != TOML_TABLE) {
				cerr(f, v->items[i], "'%s' mixes tables and values", k);
				continue;
			}
			c->hosts = xrealloc(c->hosts,
			    (c->nhosts + 1) * sizeof(*c->hosts));
			h = &c->hosts[c->nhosts++];
			memset(h, 0, sizeof(*h));
			parse_host_table(f, v->items[i], h);
		}
	} else if (strcmp(k, "host") == 0 || strcmp(k, "hosts") == 0) {
		h = default_host(c);
		want_strings(f, v, k, &h->names, &h->nnames);
	} else if (strcmp(k, "listen") == 0)
		parse_listen(f, c, v);
	else if (strcmp(k, "protect") == 0)
		parse_protect(f, c, v);
	else if (strcmp(k, "drafts_fingerprints") == 0)
		want_fingerprints(f, v, k, &c->drafts_fingerprints,
		    &c->ndrafts_fingerprints);
	else if (strcmp(k, "log_format") == 0) {
		if ((s = want_string(f, v, k)) &&
		    parse_log_format(s, &c->log_format))
			cerr(f, v, "'%s' must be plain, common or json", k);
	} else if (strcmp(k, "log_ip") == 0)
		want_bool(f, v, k, &c->log_ip);
	else if (strcmp(k, "rate_limit") == 0) {
		if ((s = want_string(f, v, k)) &&
		    parse_rate(s, &c->rate_n, &c->rate_secs))
			cerr(f, v, "'%s' must look like \"20/60\" (requests/seconds)",
			    k);
	} else if (strcmp(k, "public_port") == 0)
		want_int(f, v, k, 1, 65535, &c->public_port);
	else if (strcmp(k, "certs") == 0) {
		if ((s = want_string(f, v, k)))
			set_str(&c->certs_dir, s);
	} else if (strcmp(k, "workers") == 0)
		want_int(f, v, k, 0, 256, &c->workers);
	else if (strcmp(k, "user") == 0) {
		if ((s = want_string(f, v, k)))
			set_str(&c->user, s);
	} else if (strcmp(k, "chroot") == 0)
		want_bool(f, v, k, &c->chroot);
	else if (strcmp(k, "log") == 0) {
		if ((s = want_string(f, v, k)))
			set_str(&c->log_file, s);
	} else if (strcmp(k, "quiet") == 0)
		want_bool(f, v, k, &c->quiet);
	else if (strcmp(k, "debug") == 0)
		want_bool(f, v, k, &c->debug);
	else if (strcmp(k, "drafts") == 0)
		want_bool(f, v, k, &c->drafts);
	else if (strcmp(k, "lang") == 0) {
		if ((s = want_string(f, v, k)))
			set_str(&c->lang, s);
	} else if (strcmp(k, "max_connections") == 0)
		want_int(f, v, k, 1, 1000000, &c->max_connections);
	else if (strcmp(k, "links") == 0 || strcmp(k, "tables") == 0 ||
	    strcmp(k, "emphasis") == 0) {
		if ((s = want_string(f, v, k)) && parse_mode(k, s, &c->render))
			cerr(f, v, "bad value for '%s'", k);
	} else
		cerr(f, v, "unknown key '%s'", k);
}

int
config_parse_text(struct config *c, const char *file, const char *text,
    size_t len, struct diags *d)
{
	struct cfile f = { file, d, 0 };
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

struct opt {
	const char *name;
	int has_arg;
};

static const struct opt opts[] = {
	{ "config", 1 }, { "root", 1 }, { "host", 1 }, { "listen", 1 },
	{ "public-port", 1 }, { "certs", 1 }, { "workers", 1 }, { "user", 1 },
	{ "chroot", 0 }, { "log", 1 }, { "quiet", 0 }, { "debug", 0 },
	{ "drafts", 0 }, { "lang", 1 }, { "max-connections", 1 },
	{ "links", 1 }, { "tables", 1 }, { "emphasis", 1 }, { "help", 0 },
	{ "proxy-listen", 1 }, { "rate-limit", 1 }, { "log-format", 1 },
	{ "no-log-ip", 0 },
	{ "version", 0 },
};

/*
 * Splits argv[*i] into an option and its value. Returns the option, or
 * NULL (error added) for an unknown one or a missing value.
 */
static const struct opt *
next_opt(int argc, char **argv, int *i, const char **val, struct diags *d)
{
	const char *a = argv[*i], *eq;
	size_t j, nlen;

	*val = NULL;
	if (strncmp(a, "--", 2) != 0) {
		diags_add(d, DIAG_ERROR, 0, "capsuled: unexpected argument '%s'", a);
		return NULL;
	}
	a += 2;
	eq = strchr(a, '=');
	nlen = eq ? (size_t)(eq - a) : strlen(a);
	for (j = 0; j < ARRAY_LEN(opts); j++) {
		if (strlen(opts[j].name) != nlen || strncmp(opts[j].name, a, nlen))
			continue;
		if (!opts[j].has_arg) {
			if (eq) {
				diags_add(d, DIAG_ERROR, 0,
				    "capsuled: --%s takes no value", opts[j].name);
				return NULL;
			}
			return &opts[j];
		}
		if (eq)
			*val = eq + 1;
		else if (*i + 1 < argc)
			*val = argv[++*i];
		else {
			diags_add(d, DIAG_ERROR, 0, "capsuled: --%s needs a value",
			    opts[j].name);
			return NULL;
		}
		return &opts[j];
	}
	diags_add(d, DIAG_ERROR, 0, "capsuled: unknown option '%s'", argv[*i]);
	return NULL;
}

static int
apply_opt(struct config *c, const char *name, const char *v, int *seen_host,
    int *seen_listen, struct diags *d)
{
	struct vhost_config *h;

	if (strcmp(name, "root") == 0)
		set_str(&default_host(c)->root, v);
	else if (strcmp(name, "host") == 0) {
		h = default_host(c);
		if (!*seen_host) {
			strv_free(h->names, h->nnames);
			h->names = NULL;
			h->nnames = 0;
			*seen_host = 1;
		}
		strv_push(&h->names, &h->nnames, v);
	} else if (strcmp(name, "listen") == 0 ||
	    strcmp(name, "proxy-listen") == 0) {
		if (!valid_listen(v))
			goto bad;
		if (!*seen_listen) {
			listen_clear(c);
			*seen_listen = 1;
		}
		listen_push(c, v, name[0] == 'p');
	} else if (strcmp(name, "rate-limit") == 0) {
		if (parse_rate(v, &c->rate_n, &c->rate_secs))
			goto bad;
	} else if (strcmp(name, "log-format") == 0) {
		if (parse_log_format(v, &c->log_format))
			goto bad;
	} else if (strcmp(name, "no-log-ip") == 0)
		c->log_ip = 0;
	else if (strcmp(name, "public-port") == 0) {
		if (parse_int(v, 1, 65535, &c->public_port))
			goto bad;
	} else if (strcmp(name, "certs") == 0)
		set_str(&c->certs_dir, v);
	else if (strcmp(name, "workers") == 0) {
		if (parse_int(v, 0, 256, &c->workers))
			goto bad;
	} else if (strcmp(name, "user") == 0)
		set_str(&c->user, v);
	else if (strcmp(name, "chroot") == 0)
		c->chroot = 1;
	else if (strcmp(name, "log") == 0)
		set_str(&c->log_file, v);
	else if (strcmp(name, "quiet") == 0)
		c->quiet = 1;
	else if (strcmp(name, "debug") == 0)
		c->debug = 1;
	else if (strcmp(name, "drafts") == 0)
		c->drafts = 1;
	else if (strcmp(name, "lang") == 0)
		set_str(&c->lang, v);
	else if (strcmp(name, "max-connections") == 0) {
		if (parse_int(v, 1, 1000000, &c->max_connections))
			goto bad;
	} else if (strcmp(name, "links") == 0 || strcmp(name, "tables") == 0 ||
	    strcmp(name, "emphasis") == 0) {
		if (parse_mode(name, v, &c->render))
			goto bad;
	}
	return 0;
bad:
	diags_add(d, DIAG_ERROR, 0, "capsuled: bad value for --%s: '%s'", name, v);
	return -1;
}

static int
validate(struct config *c, struct diags *d)
{
	size_t i;
	int bad = 0;

	if (c->nlisten == 0)
		listen_push(c, "0.0.0.0:1965", 0);
	for (i = 0; i < c->nhosts; i++) {
		struct vhost_config *h = &c->hosts[i];

		if (h->nnames == 0)
			strv_push(&h->names, &h->nnames, "localhost");
		if (h->root == NULL)
			h->root = xstrdup("capsule");
	}
	if (c->chroot && c->user == NULL) {
		diags_add(d, DIAG_ERROR, 0, "capsuled: chroot needs a user");
		bad = 1;
	}
	if (c->public_port == 0) {
		const char *colon = strrchr(c->listen[0].addr, ':');
		int port = 0;

		if (colon)
			parse_int(colon + 1, 0, 65535, &port);
		c->public_port = port;	/* 0: the server fills in the bound port */
	}
	return bad ? -1 : 0;
}

int
config_load(struct config *c, int argc, char **argv, enum config_cmd *cmd,
    struct diags *d)
{
	const struct opt *o;
	const char *v;
	int i, seen_host = 0, seen_listen = 0, errors = 0;

	config_defaults(c);
	*cmd = CONFIG_SERVE;
	/* First pass: --config, --help, --version and syntax errors. */
	for (i = 0; i < argc; i++) {
		if ((o = next_opt(argc, argv, &i, &v, d)) == NULL)
			return -1;
		if (strcmp(o->name, "help") == 0)
			*cmd = CONFIG_HELP;
		else if (strcmp(o->name, "version") == 0)
			*cmd = CONFIG_VERSION;
		else if (strcmp(o->name, "config") == 0 &&
		    read_config_file(c, v, d) == -1)
			errors++;
	}
	if (*cmd != CONFIG_SERVE || errors)
		return errors ? -1 : 0;
	/* Second pass: the command line wins over the file. */
	for (i = 0; i < argc; i++) {
		o = next_opt(argc, argv, &i, &v, d);
		if (strcmp(o->name, "config") && apply_opt(c, o->name, v,
		    &seen_host, &seen_listen, d))
			errors++;
	}
	default_host(c);
	if (validate(c, d))
		errors++;
	return errors ? -1 : 0;
}
