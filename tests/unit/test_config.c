/* Unit tests for config: the file, the command line and their errors. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "t.h"

static int
load(struct config *c, const char *text, struct diags *d)
{
	memset(c, 0, sizeof(*c));
	c->certs_dir = NULL;
	return config_parse_text(c, "test.toml", text, strlen(text), d);
}

static const char *
first_msg(const struct diags *d)
{
	return d->n ? d->v[0].msg : "";
}

static void
test_file(void)
{
	static const struct {
		const char *text;
		int rc;
		const char *msg; /* first error, or NULL */
	} cases[] = {
		{ "root = \"cap\"\nworkers = 2\n", 0, NULL },
		{ "listen = [\"127.0.0.1:1965\", \"[::1]:1965\"]\n", 0, NULL },
		{ "workers = \"two\"\n", -1,
		    "test.toml:1: 'workers' must be an integer from 0 to 256" },
		{ "\n\nbogus = 1\n", -1, "test.toml:3: unknown key 'bogus'" },
		{ "listen = \"nowhere\"\n", -1,
		    "test.toml:1: 'listen' needs ADDR:PORT or [ADDR]:PORT, got 'nowhere'" },
		{ "public_port = 70000\n", -1,
		    "test.toml:1: 'public_port' must be an integer from 1 to 65535" },
		{ "drafts = 1\n", -1,
		    "test.toml:1: 'drafts' must be true or false" },
		{ "links = \"sideways\"\n", -1,
		    "test.toml:1: 'links' must be one of after-block, footnote, "
		    "end, off, not 'sideways'" },
		{ "log_format = \"xml\"\n", -1,
		    "test.toml:1: 'log_format' "
		    "must be one of plain, common, json, not 'xml'" },
		{ "rate_limit = \"often\"\n", -1,
		    "test.toml:1: 'rate_limit' "
		    "must be \"N/SECONDS\" like \"20/60\" (requests/seconds), "
		    "not 'often'" },
		{ "hosts = [\"a.example\", \"b.example\"]\nlog_ip = false\n", 0,
		    NULL },
		{ "[[host]]\nroot = \"a\"\n", -1,
		    "test.toml:1: a [[host]] needs a 'name'" },
		{ "[[host]]\nname = \"a.example\"\nfoo = 1\n", -1,
		    "test.toml:3: unknown key 'host.foo'" },
		{ "root = \"unterminated\n", -1, NULL },
		{ "[[host]]\nname = \"a.example\"\nlang = \"en\\r\\n=> x\"\n",
		    -1,
		    "test.toml:3: 'host.lang' must be a language tag "
		    "(like en or pt-BR)" },
		{ "[[host]]\nname = \"a.example\"\nlang = \"pt-BR\"\n", 0,
		    NULL },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct config c;
		struct diags d = { 0 };
		int rc = load(&c, cases[i].text, &d);

		T_INT(rc, cases[i].rc);
		if (cases[i].msg)
			T_STR(first_msg(&d), cases[i].msg);
		if (cases[i].rc == -1)
			T_OK(d.n > 0 &&
			    strncmp(d.v[0].msg, "test.toml:", 10) == 0);
		diags_free(&d);
		config_free(&c);
	}
}

static void
test_hosts(void)
{
	struct config c;
	struct diags d = { 0 };
	const char *text =
	    "[[host]]\nname = [\"a.example\", \"www.a.example\"]\nroot = \"ra\"\n"
	    "[[host]]\nname = \"b.example\"\nroot = \"rb\"\ncert = \"b.crt\"\n"
	    "key = \"b.key\"\nlang = \"ja\"\n";

	T_INT(load(&c, text, &d), 0);
	T_INT(c.nhosts, 2);
	if (c.nhosts == 2) {
		T_INT(c.hosts[0].nnames, 2);
		T_STR(c.hosts[0].names[1], "www.a.example");
		T_STR(c.hosts[0].root, "ra");
		T_STR(c.hosts[1].cert, "b.crt");
		T_STR(c.hosts[1].lang, "ja");
	}
	diags_free(&d);
	config_free(&c);
}

static void
test_args(void)
{
	struct config c;
	struct diags d = { 0 };
	enum config_cmd cmd;
	char *argv1[] = { "--root", "/", "--host", "a.example", "--host",
		"b.example", "--listen", "127.0.0.1:0", "--public-port=1965",
		"--workers", "3", "--drafts", "--links", "footnote" };
	char *argv2[] = { "--workers", "many" };
	char *argv3[] = { "--nope" };
	char *argv4[] = { "--root" };
	char *argv5[] = { "--listen", "127.0.0.1:1966", "--root", "/" };

	T_INT(config_load(&c, (int)ARRAY_LEN(argv1), argv1, &cmd, &d), 0);
	T_INT(cmd, CONFIG_SERVE);
	T_INT(c.nhosts, 1);
	T_INT(c.hosts[0].nnames, 2);
	T_STR(c.hosts[0].names[0], "a.example");
	T_STR(c.hosts[0].root, "/");
	T_INT(c.public_port, 1965);
	T_INT(c.workers, 3);
	T_INT(c.drafts, 1);
	T_INT(c.render.links, GEMTEXT_LINKS_FOOTNOTE);
	T_STR(c.certs_dir, "certs");
	config_free(&c);

	T_INT(config_load(&c, 2, argv2, &cmd, &d), -1);
	T_STR(first_msg(&d),
	    "capsuled: bad value for --workers: 'many' (an integer from 0 to 256)");
	diags_free(&d);
	config_free(&c);
	T_INT(config_load(&c, 1, argv3, &cmd, &d), -1);
	T_STR(first_msg(&d), "capsuled: unknown option '--nope'");
	diags_free(&d);
	config_free(&c);
	T_INT(config_load(&c, 1, argv4, &cmd, &d), -1);
	T_STR(first_msg(&d), "capsuled: --root needs a value (DIR)");
	diags_free(&d);
	config_free(&c);
	/* Defaults: localhost, ./capsule, and the public port follows listen. */
	T_INT(config_load(&c, 4, argv5, &cmd, &d), 0);
	T_STR(c.hosts[0].names[0], "localhost");
	T_INT(c.public_port, 1966);
	config_free(&c);
	diags_free(&d);
	/* check needs no existing root: the default is the table's. */
	T_INT(config_load_cmd(&c, CMD_CHECK, 0, NULL, &cmd, &d), 0);
	T_STR(c.hosts[0].root, "capsule");
	config_free(&c);
}

/* Errors found after parsing still name the file and line (or flag). */
static void
test_where(void)
{
	static const struct {
		const char *text;
		const char *msg; /* after "FILE:" */
	} cases[] = {
		{ "workers = 1\nroot = \"/nonexistent\"\n",
		    "2: root '/nonexistent': No such file or directory" },
		{ "root = \"/etc/passwd\"\n",
		    "1: root '/etc/passwd' is not a folder" },
		{ "root = \"/\"\nuser = \"nosuchuser-capsuled\"\n",
		    "2: user 'nosuchuser-capsuled': no such user" },
		{ "root = \"/\"\n\nchroot = true\n",
		    "3: chroot needs a user (the 'user' key or --user)" },
		{ "[[host]]\nname = \"a\"\nroot = \"/\"\n[[host]]\nname = \"b\"\n"
		  "root = \"/nonexistent\"\n",
		    "6: root '/nonexistent': No such file or directory" },
	};
	char path[] = "/tmp/capsuled-test-config.XXXXXX";
	char *argv[] = { "--config", path };
	char *argv_root[] = { "--root", "/nonexistent" };
	struct config c;
	struct diags d = { 0 };
	enum config_cmd cmd;
	size_t i;
	int fd;
	FILE *fp;

	if ((fd = mkstemp(path)) == -1) {
		T_OK(0);
		return;
	}
	close(fd);
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char *want = xasprintf("%s:%s", path, cases[i].msg);

		if ((fp = fopen(path, "w")) == NULL) {
			T_OK(0);
			free(want);
			break;
		}
		fputs(cases[i].text, fp);
		fclose(fp);
		T_INT(config_load(&c, 2, argv, &cmd, &d), -1);
		T_STR(first_msg(&d), want);
		free(want);
		diags_free(&d);
		config_free(&c);
	}
	unlink(path);
	T_INT(config_load(&c, 2, argv_root, &cmd, &d), -1);
	T_STR(first_msg(&d),
	    "capsuled: --root: root '/nonexistent': "
	    "No such file or directory");
	diags_free(&d);
	config_free(&c);
}

/* The table's enum names are the C enums, in order; its defaults agree. */
static void
test_table(void)
{
	static const struct {
		const char *flag, *value;
		int want;
	} cases[] = {
		{ "--links", "after-block", GEMTEXT_LINKS_AFTER_BLOCK },
		{ "--links", "footnote", GEMTEXT_LINKS_FOOTNOTE },
		{ "--links", "end", GEMTEXT_LINKS_END },
		{ "--links", "off", GEMTEXT_LINKS_OFF },
		{ "--tables", "pre", GEMTEXT_TABLES_PRE },
		{ "--tables", "list", GEMTEXT_TABLES_LIST },
		{ "--emphasis", "strip", GEMTEXT_EMPH_STRIP },
		{ "--emphasis", "keep", GEMTEXT_EMPH_KEEP },
		{ "--log-format", "plain", LOG_PLAIN },
		{ "--log-format", "common", LOG_COMMON },
		{ "--log-format", "json", LOG_JSON },
	};
	const struct config_option *o;
	struct gemtext_opts g;
	struct config c;
	struct diags d = { 0 };
	enum config_cmd cmd;
	size_t i, n;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char *argv[] = { (char *)cases[i].flag, (char *)cases[i].value,
			"--root", "/" };
		int got;

		T_INT(config_load_cmd(&c, CMD_SERVE, 4, argv, &cmd, &d), 0);
		got = cases[i].flag[2] == 'l' && cases[i].flag[3] == 'i' ?
		    (int)c.render.links :
		    cases[i].flag[2] == 't' ? (int)c.render.tables :
		    cases[i].flag[2] == 'e' ? (int)c.render.emphasis :
					      c.log_format;
		T_INT(got, cases[i].want);
		config_free(&c);
	}
	T_INT(config_load_cmd(&c, CMD_CHECK, 0, NULL, &cmd, &d), 0);
	gemtext_opts_default(&g);
	T_INT(c.render.links, g.links);
	T_INT(c.render.tables, g.tables);
	T_INT(c.render.emphasis, g.emphasis);
	T_INT(c.log_ip, 1);
	T_INT(c.max_connections, 4096);
	config_free(&c);
	/* Every row has a flag or a key, help text and a known command. */
	o = config_options(&n);
	T_OK(n > 20);
	for (i = 0; i < n; i++) {
		T_OK(o[i].flag || o[i].key);
		T_OK(o[i].help && o[i].help[0]);
		T_OK(o[i].cmds != 0);
		T_OK(o[i].type != CONFIG_ENUM || o[i].values);
		T_OK(o[i].type != CONFIG_SPECIAL || o[i].set || o[i].file);
	}
	diags_free(&d);
}

/* Each command takes its own options and operands. */
static void
test_commands(void)
{
	struct config c;
	struct diags d = { 0 };
	enum config_cmd cmd;
	char *conv[] = { "--body-only", "--links=end", "post.md" };
	char *conv_bad[] = { "--bogus", "post.md" };
	char *conv_serve[] = { "--workers", "2", "post.md" };
	char *conv_none[] = { "--body-only" };
	char *check_help[] = { "--help" };
	char *cert_h[] = { "-h" };
	char *cert[] = { "example.org", "--certs", "here" };
	char *host_certs[] = { "--host", "--certs", "dir" };
	char *serve_arg[] = { "stray" };
	char *dashdash[] = { "--", "-odd.md" };

	T_INT(config_load_cmd(&c, CMD_CONVERT, 3, conv, &cmd, &d), 0);
	T_INT(c.body_only, 1);
	T_INT(c.render.links, GEMTEXT_LINKS_END);
	T_INT(c.nargs, 1);
	T_STR(c.args[0], "post.md");
	config_free(&c);
	T_INT(config_load_cmd(&c, CMD_CONVERT, 2, conv_bad, &cmd, &d), -1);
	T_STR(first_msg(&d), "capsuled: unknown option '--bogus'");
	diags_free(&d);
	config_free(&c);
	T_INT(config_load_cmd(&c, CMD_CONVERT, 3, conv_serve, &cmd, &d), -1);
	T_STR(first_msg(&d),
	    "capsuled: convert has no option '--workers' "
	    "(see capsuled convert --help)");
	diags_free(&d);
	config_free(&c);
	T_INT(config_load_cmd(&c, CMD_CONVERT, 1, conv_none, &cmd, &d), -1);
	T_STR(first_msg(&d), "capsuled convert: missing FILE.md|-");
	diags_free(&d);
	config_free(&c);
	T_INT(config_load_cmd(&c, CMD_CHECK, 1, check_help, &cmd, &d), 0);
	T_INT(cmd, CONFIG_HELP);
	config_free(&c);
	T_INT(config_load_cmd(&c, CMD_CERT, 1, cert_h, &cmd, &d), 0);
	T_INT(cmd, CONFIG_HELP);
	config_free(&c);
	T_INT(config_load_cmd(&c, CMD_CERT, 3, cert, &cmd, &d), 0);
	T_STR(c.args[0], "example.org");
	T_STR(c.certs_dir, "here");
	config_free(&c);
	/* --host --certs DIR: --certs is an option, not a host name. */
	T_INT(config_load_cmd(&c, CMD_SERVE, 3, host_certs, &cmd, &d), -1);
	T_STR(first_msg(&d), "capsuled: --host needs a value (NAME)");
	diags_free(&d);
	config_free(&c);
	T_INT(config_load_cmd(&c, CMD_SERVE, 1, serve_arg, &cmd, &d), -1);
	T_STR(first_msg(&d), "capsuled: unexpected argument 'stray'");
	diags_free(&d);
	config_free(&c);
	T_INT(config_load_cmd(&c, CMD_CONVERT, 2, dashdash, &cmd, &d), 0);
	T_STR(c.args[0], "-odd.md");
	config_free(&c);
}

int
main(void)
{
	test_table();
	test_commands();
	test_where();
	test_file();
	test_hosts();
	test_args();
	return t_done();
}
