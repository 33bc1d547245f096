/*
 * config: defaults, capsuled.toml and command-line options, validated
 * before anything binds. Errors are "file:line: message" strings.
 */
#ifndef CAPSULED_CONFIG_H
#define CAPSULED_CONFIG_H

#include <stddef.h>

#include "gemtext.h"
#include "util.h"

#define CONFIG_DEFAULT_PORT 1965

struct vhost_config {
	char **names;		/* first is the canonical name */
	size_t nnames;
	char *root;
	char *cert, *key;	/* NULL: CERTS/NAME.crt and CERTS/NAME.key */
	char *lang;		/* NULL: the global lang */
};

struct listen_config {
	char *addr;		/* "ADDR:PORT", "[V6]:PORT" */
	int proxy;		/* PROXY protocol v1/v2 header expected */
	char **proxy_from;	/* addresses allowed to send it; none: any */
	size_t nproxy_from;
};

/* A path prefix only the listed client certificates may read. */
struct protect_config {
	char *path;
	char **fingerprints;	/* lowercase hex SHA-256 */
	size_t nfingerprints;
};

struct config {
	char *path;		/* the config file, NULL when none */
	struct vhost_config *hosts;
	size_t nhosts;
	struct listen_config *listen;
	size_t nlisten;
	int public_port;	/* 0: the first listener's port (1965 if 0) */
	char *certs_dir;
	int workers;		/* 0: one per core */
	char *user;
	int chroot;
	char *log_file;		/* NULL: stderr */
	int quiet, debug;
	int drafts;
	char *lang;
	int max_connections;	/* per worker */
	int log_format;		/* enum log_format */
	int log_ip;		/* 0: clients logged as "-" */
	int rate_n, rate_secs;	/* rate_limit "N/SECONDS"; 0: off */
	struct protect_config *protect;
	size_t nprotect;
	char **drafts_fingerprints;	/* drafts only for these, when set */
	size_t ndrafts_fingerprints;
	struct gemtext_opts render;
};

enum config_cmd { CONFIG_SERVE, CONFIG_HELP, CONFIG_VERSION };

/*
 * Fills c from defaults, the file named by --config (if any) and the
 * serve options in argv (argv[0] is the first option). Returns 0, or -1
 * with the reasons in d ("file:line: msg" already formatted in msg, with
 * line 0). *cmd tells whether --help or --version was asked.
 */
int config_load(struct config *c, int argc, char **argv, enum config_cmd *cmd,
    struct diags *d);
/* Parses a TOML config text into c (on top of what c holds). */
int config_parse_text(struct config *c, const char *file, const char *text,
    size_t len, struct diags *d);
void config_free(struct config *c);
/* The --help text, one option a line. */
const char *config_usage(void);

#endif
