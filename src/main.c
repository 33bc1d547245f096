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
#include "master.h"
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

/*
 * Reads command's options and operands into cfg. Returns -1 to go on, or
 * the exit status (after --help, --version or an error).
 */
static int
load(struct config *cfg, unsigned command, int argc, char **argv)
{
	struct diags d = { 0 };
	enum config_cmd cmd;

	if (config_load_cmd(cfg, command, argc, argv, &cmd, &d) == -1) {
		print_diags(&d, NULL);
		diags_free(&d);
		config_free(cfg);
		return 2;
	}
	diags_free(&d);
	if (cmd == CONFIG_HELP) {
		config_usage(stdout, command == CMD_SERVE ? 0 : command);
		config_free(cfg);
		return 0;
	}
	if (cmd == CONFIG_VERSION) {
		printf("capsuled %s\n", CAPSULED_VERSION);
		config_free(cfg);
		return 0;
	}
	return -1;
}

static int
cmd_serve(int argc, char **argv)
{
	struct config cfg;
	int rc;

	if ((rc = load(&cfg, CMD_SERVE, argc, argv)) != -1)
		return rc;
	if (log_open(cfg.log_file) == -1) {
		fprintf(stderr, "capsuled: %s: %s\n", cfg.log_file,
		    strerror(errno));
		config_free(&cfg);
		return 2;
	}
	log_set_verbosity(cfg.quiet, cfg.debug);
	log_set_format((enum log_format)cfg.log_format);
	log_set_ip(cfg.log_ip);
	return master_run(&cfg, argc, argv);
}

static int
cmd_cert(int argc, char **argv)
{
	struct config cfg;
	const char *err;
	char *cert, *key;
	int rc;

	if ((rc = load(&cfg, CMD_CERT, argc, argv)) != -1)
		return rc;
	if (mkdir(cfg.certs_dir, 0700) == -1 && errno != EEXIST) {
		fprintf(stderr, "capsuled: %s: %s\n", cfg.certs_dir,
		    strerror(errno));
		config_free(&cfg);
		return 1;
	}
	master_cert_paths(cfg.certs_dir, cfg.args[0], &cert, &key);
	rc = tls_cert_generate(cfg.args[0], cert, key, &err);
	if (rc == -1)
		fprintf(stderr, "capsuled: %s: %s\n", cert, err);
	else
		printf("wrote %s and %s\n", cert, key);
	free(cert);
	free(key);
	config_free(&cfg);
	return rc == -1 ? 1 : 0;
}

static int
cmd_convert(int argc, char **argv)
{
	struct config cfg;
	struct buf out = BUF_INIT;
	struct diags d = { 0 };
	struct stat st;
	const char *file;
	int rc;

	if ((rc = load(&cfg, CMD_CONVERT, argc, argv)) != -1)
		return rc;
	file = cfg.args[0];
	if (stat(file, &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr,
		    "capsuled: %s is a folder; convert wants one "
		    "Markdown file (FILE.md, or - for standard input)\n",
		    file);
		config_free(&cfg);
		return 2;
	}
	rc = site_convert_file(file, &cfg.render, cfg.body_only, &out, &d);
	if (rc == -1) {
		fprintf(stderr, "capsuled: %s: %s\n", file, strerror(errno));
		diags_free(&d);
		config_free(&cfg);
		return 1;
	}
	print_diags(&d, strcmp(file, "-") == 0 ? "<stdin>" : file);
	diags_free(&d);
	config_free(&cfg);
	fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
cmd_check(int argc, char **argv)
{
	struct config cfg;
	const char *dir;
	int rc, errors, warnings = 0;

	if ((rc = load(&cfg, CMD_CHECK, argc, argv)) != -1)
		return rc;
	dir = cfg.nargs > 0 ? cfg.args[0] : cfg.hosts[0].root;
	errors = site_check(dir, &cfg.render, cfg.list, &warnings);
	if (errors < 0) {
		fprintf(stderr, "capsuled: %s: %s\n", dir, strerror(errno));
		config_free(&cfg);
		return 2;
	}
	/* The report and its summary, on one stream. */
	printf("%s: %d error%s, %d warning%s\n", dir, errors,
	    errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
	config_free(&cfg);
	return errors ? 1 : 0;
}

int
main(int argc, char **argv)
{
	static const struct {
		unsigned cmd;
		int (*run)(int, char **);
	} runs[] = {
		{ CMD_SERVE, cmd_serve },
		{ CMD_CONVERT, cmd_convert },
		{ CMD_CHECK, cmd_check },
		{ CMD_CERT, cmd_cert },
	};
	unsigned command = argc > 1 ? config_command(argv[1]) : 0;
	size_t i;

	for (i = 0; command && i < ARRAY_LEN(runs); i++)
		if (runs[i].cmd == command)
			return runs[i].run(argc - 2, argv + 2);
	if (argc > 1 && strcmp(argv[1], "help") == 0) {
		/* help --help, -h or help: the overview, as plain help */
		if (argc > 2 &&
		    (strcmp(argv[2], "--help") == 0 ||
			strcmp(argv[2], "-h") == 0 ||
			strcmp(argv[2], "help") == 0))
			argc = 2;
		if (argc > 2 && config_command(argv[2]) == 0) {
			fprintf(stderr, "capsuled: unknown command '%s'\n",
			    argv[2]);
			config_usage(stderr, 0);
			return 2;
		}
		config_usage(stdout, argc > 2 ? config_command(argv[2]) : 0);
		return 0;
	}
	if (argc > 1 && argv[1][0] != '-') {
		fprintf(stderr, "capsuled: unknown command '%s'\n", argv[1]);
		config_usage(stderr, 0);
		return 2;
	}
	return cmd_serve(argc - 1, argv + 1);
}
