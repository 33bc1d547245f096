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

struct config {
	char *path;		/* the config file, NULL when none */
	struct vhost_config *hosts;
	size_t nhosts;
	char **listen;		/* "ADDR:PORT", "[V6]:PORT" */
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
