/*
 * config: defaults, capsuled.toml and command-line options, validated
 * before anything binds. Errors are "file:line: message" strings.
 */
#ifndef CAPSULED_CONFIG_H
#define CAPSULED_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "gemtext_opts.h"
#include "util.h"

#define CONFIG_DEFAULT_PORT 1965

struct config_file;
struct toml_value;

struct vhost_config {
	char **names; /* first is the canonical name */
	size_t nnames;
	char *root;
	char *cert, *key; /* NULL: CERTS/NAME.crt and CERTS/NAME.key */
	char *lang;	  /* NULL: the global lang */
	char *root_where; /* "file:line" of its root key, or NULL */
};

struct listen_config {
	char *addr;	   /* "ADDR:PORT", "[V6]:PORT" */
	int proxy;	   /* PROXY protocol v1/v2 header expected */
	char **proxy_from; /* addresses allowed to send it; none: any */
	size_t nproxy_from;
};

/* A path prefix only the listed client certificates may read. */
struct protect_config {
	char *path;
	char **fingerprints; /* lowercase hex SHA-256 */
	size_t nfingerprints;
};

struct config {
	char *path; /* the config file, NULL when none */
	struct vhost_config *hosts;
	size_t nhosts;
	struct listen_config *listen;
	size_t nlisten;
	int public_port; /* 0: the first listener's port (1965 if 0) */
	char *certs_dir;
	int workers; /* 0: one per core */
	char *user;
	int chroot;
	char *log_file; /* NULL: stderr */
	int quiet, debug;
	int drafts;
	int search;	    /* /search answers (the default) */
	int cache_size;	    /* MB of rendered pages per worker and host */
	int render_threads; /* per worker: posts rendered off the loop */
	char *lang;
	int max_connections;   /* per worker */
	int log_format;	       /* enum log_format */
	int log_ip;	       /* 0: clients logged as "-" */
	int rate_n, rate_secs; /* rate_limit "N/SECONDS"; 0: off */
	int rate_v6_prefix;    /* IPv6 clients counted per this network */
	struct protect_config *protect;
	size_t nprotect;
	char **drafts_fingerprints; /* drafts only for these, when set */
	size_t ndrafts_fingerprints;
	struct gemtext_opts render;
	int body_only; /* convert: the body without title and links */
	int list;      /* check: print each page's source, URL, date */
	char **args;   /* the command's operands (into argv) */
	size_t nargs;
	/* Per option row: where it was set ("file:line", "--flag"), or NULL. */
	char **where;
};

enum config_cmd { CONFIG_SERVE, CONFIG_HELP, CONFIG_VERSION };

/* The commands; an option row names the ones it belongs to. */
enum config_command {
	CMD_SERVE = 1 << 0,
	CMD_CONVERT = 1 << 1,
	CMD_CHECK = 1 << 2,
	CMD_CERT = 1 << 3,
};

enum config_type {
	CONFIG_STRING,	/* char *, replaced */
	CONFIG_BOOL,	/* int; the flag sets it (clears it if neg) */
	CONFIG_INT,	/* int from lo to hi */
	CONFIG_ENUM,	/* int: the index of the name in values */
	CONFIG_SPECIAL, /* its own set and file functions */
	CONFIG_ACTION,	/* --config, --help, --version */
};

/*
 * One setting: its flag, its capsuled.toml key, its type and default.
 * This table drives the config file, the command line, --help and the
 * test against the man page (tests/e2e/manpage.sh via optdump).
 */
struct config_option {
	const char *flag;  /* "max-connections"; NULL: file only */
	const char *key;   /* "max_connections"; NULL: flag only */
	const char *alias; /* another spelling of key, or NULL */
	enum config_type type;
	unsigned cmds;	  /* enum config_command bits */
	const char *arg;  /* the flag's value in --help ("N"); NULL: none */
	const char *def;  /* the default as it would be written; NULL: none */
	const char *help; /* one line for --help */
	const char *const *values; /* CONFIG_ENUM: names, NULL-ended */
	int lo, hi;		   /* CONFIG_INT bounds */
	int neg;		   /* CONFIG_BOOL: the flag sets it false */
	size_t off;		   /* the field in struct config */
	/* CONFIG_SPECIAL: a flag's (or a string key's) value; -1: bad. */
	int (*set)(struct config *, const char *v, int *seen);
	/* CONFIG_SPECIAL: a key's TOML value, with its own errors. */
	void (*file)(struct config_file *, struct config *, const char *k,
	    const struct toml_value *);
	const char *want; /* CONFIG_SPECIAL: what a good value looks like */
};

/* The table, for tools and tests; *n gets its length. */
const struct config_option *config_options(size_t *n);
/* The command named name ("serve", ...), or 0. */
unsigned config_command(const char *name);

/*
 * Fills c from defaults, the file named by --config (if any) and the
 * serve options in argv (argv[0] is the first option). Returns 0, or -1
 * with the reasons in d ("file:line: msg" already formatted in msg, with
 * line 0). *cmd tells whether --help or --version was asked.
 */
int config_load(struct config *c, int argc, char **argv, enum config_cmd *cmd,
    struct diags *d);
/* The same for any command: its options, and its operands in c->args. */
int config_load_cmd(struct config *c, unsigned command, int argc, char **argv,
    enum config_cmd *cmd, struct diags *d);
/* Parses a TOML config text into c (on top of what c holds). */
int config_parse_text(struct config *c, const char *file, const char *text,
    size_t len, struct diags *d);
void config_free(struct config *c);
/* Prints the usage of command (0: of every command) from the table. */
void config_usage(FILE *fp, unsigned command);

#endif
