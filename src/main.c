/*
 * main: the command line. `serve` (the default), `convert FILE`,
 * `check DIR`, `cert HOST`, `--version`, `--help`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "log.h"
#include "server.h"
#include "site.h"
#include "tls.h"

#define CAPSULED_VERSION "0.1.0"

static int
print_diags(const struct diags *d, const char *file)
{
	size_t i;
	int errors = 0;

	for (i = 0; i < d->n; i++) {
		if (file && d->v[i].line)
			fprintf(stderr, "%s:%d: %s%s\n", file, d->v[i].line,
			    d->v[i].level == DIAG_WARN ? "warning: " : "",
			    d->v[i].msg);
		else if (file)
			fprintf(stderr, "%s: %s%s\n", file,
			    d->v[i].level == DIAG_WARN ? "warning: " : "",
			    d->v[i].msg);
		else
			fprintf(stderr, "%s\n", d->v[i].msg);
		errors += d->v[i].level == DIAG_ERROR;
	}
	return errors;
}

static int
cmd_serve(int argc, char **argv)
{
	struct config cfg;
	struct diags d = { 0 };
	enum config_cmd cmd;

	if (config_load(&cfg, argc, argv, &cmd, &d) == -1) {
		print_diags(&d, NULL);
		diags_free(&d);
		config_free(&cfg);
		return 2;
	}
	diags_free(&d);
	if (cmd == CONFIG_HELP) {
		fputs(config_usage(), stdout);
		config_free(&cfg);
		return 0;
	}
	if (cmd == CONFIG_VERSION) {
		printf("capsuled %s\n", CAPSULED_VERSION);
		config_free(&cfg);
		return 0;
	}
	if (log_open(cfg.log_file) == -1) {
		fprintf(stderr, "capsuled: %s: %s\n", cfg.log_file,
		    strerror(errno));
		config_free(&cfg);
		return 2;
	}
	log_set_verbosity(cfg.quiet, cfg.debug);
	log_set_format((enum log_format)cfg.log_format);
	log_set_ip(cfg.log_ip);
	return server_run(&cfg, argc, argv);
}

static int
cmd_cert(int argc, char **argv)
{
	const char *host = NULL, *dir = "certs", *err;
	char *cert, *key;
	int i, rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--certs") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strncmp(argv[i], "--certs=", 8) == 0)
			dir = argv[i] + 8;
		else if (argv[i][0] != '-' && host == NULL)
			host = argv[i];
		else {
			fprintf(stderr, "usage: capsuled cert HOST [--certs DIR]\n");
			return 2;
		}
	}
	if (host == NULL) {
		fprintf(stderr, "usage: capsuled cert HOST [--certs DIR]\n");
		return 2;
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		fprintf(stderr, "capsuled: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	server_cert_paths(dir, host, &cert, &key);
	rc = tls_cert_generate(host, cert, key, &err);
	if (rc == -1)
		fprintf(stderr, "capsuled: %s: %s\n", cert, err);
	else
		printf("wrote %s and %s\n", cert, key);
	free(cert);
	free(key);
	return rc == -1 ? 1 : 0;
}

static int
set_mode(struct gemtext_opts *o, const char *opt, const char *v)
{
	static const char *const links[] = { "after-block", "footnote", "end",
	    "off" };
	static const char *const tables[] = { "pre", "list" };
	static const char *const emph[] = { "strip", "keep" };
	size_t i;

	if (strcmp(opt, "--links") == 0) {
		for (i = 0; i < ARRAY_LEN(links); i++)
			if (strcmp(v, links[i]) == 0) {
				o->links = (enum gemtext_links)i;
				return 0;
			}
	} else if (strcmp(opt, "--tables") == 0) {
		for (i = 0; i < ARRAY_LEN(tables); i++)
			if (strcmp(v, tables[i]) == 0) {
				o->tables = (enum gemtext_tables)i;
				return 0;
			}
	} else if (strcmp(opt, "--emphasis") == 0) {
		for (i = 0; i < ARRAY_LEN(emph); i++)
			if (strcmp(v, emph[i]) == 0) {
				o->emphasis = (enum gemtext_emphasis)i;
				return 0;
			}
	}
	return -1;
}

static int
cmd_convert(int argc, char **argv)
{
	struct gemtext_opts o;
	struct buf out = BUF_INIT;
	struct diags d = { 0 };
	const char *file = NULL;
	int i, body_only = 0, rc;

	gemtext_opts_default(&o);
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--body-only") == 0)
			body_only = 1;
		else if (strcmp(argv[i], "--drafts") == 0)
			;	/* convert always renders drafts */
		else if ((strcmp(argv[i], "--links") == 0 ||
		    strcmp(argv[i], "--tables") == 0 ||
		    strcmp(argv[i], "--emphasis") == 0) && i + 1 < argc) {
			if (set_mode(&o, argv[i], argv[i + 1]) == -1) {
				fprintf(stderr, "capsuled: bad value for %s: '%s'\n",
				    argv[i], argv[i + 1]);
				return 2;
			}
			i++;
		} else if (file == NULL && (argv[i][0] != '-' ||
		    strcmp(argv[i], "-") == 0))
			file = argv[i];
		else {
			fprintf(stderr, "usage: capsuled convert [--body-only] "
			    "[--links MODE] [--tables MODE] [--emphasis MODE] FILE|-\n");
			return 2;
		}
	}
	if (file == NULL) {
		fprintf(stderr, "usage: capsuled convert [options] FILE|-\n");
		return 2;
	}
	rc = site_convert_file(file, &o, body_only, &out, &d);
	if (rc == -1) {
		fprintf(stderr, "capsuled: %s: %s\n", file, strerror(errno));
		diags_free(&d);
		return 1;
	}
	print_diags(&d, strcmp(file, "-") == 0 ? "<stdin>" : file);
	diags_free(&d);
	fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
cmd_check(int argc, char **argv)
{
	const char *dir = argc > 0 ? argv[0] : "capsule";
	int errors, warnings = 0;

	errors = site_check(dir, &warnings);
	if (errors < 0) {
		fprintf(stderr, "capsuled: %s: %s\n", dir, strerror(errno));
		return 2;
	}
	fprintf(stderr, "%s: %d error%s, %d warning%s\n", dir, errors,
	    errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
	return errors ? 1 : 0;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "serve") == 0)
		return cmd_serve(argc - 2, argv + 2);
	if (argc > 1 && strcmp(argv[1], "cert") == 0)
		return cmd_cert(argc - 2, argv + 2);
	if (argc > 1 && strcmp(argv[1], "convert") == 0)
		return cmd_convert(argc - 2, argv + 2);
	if (argc > 1 && strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 2, argv + 2);
	if (argc > 1 && argv[1][0] != '-') {
		fprintf(stderr, "capsuled: unknown command '%s'\n%s", argv[1],
		    config_usage());
		return 2;
	}
	return cmd_serve(argc - 1, argv + 1);
}
