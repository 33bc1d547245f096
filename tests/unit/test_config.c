/* Unit tests for config: the file, the command line and their errors. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
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
		const char *msg;	/* first error, or NULL */
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
		{ "drafts = 1\n", -1, "test.toml:1: 'drafts' must be true or false" },
		{ "links = \"sideways\"\n", -1, "test.toml:1: bad value for 'links'" },
		{ "[[host]]\nroot = \"a\"\n", -1, "test.toml:1: a [[host]] needs a 'name'" },
		{ "[[host]]\nname = \"a.example\"\nfoo = 1\n", -1,
		    "test.toml:3: unknown key 'host.foo'" },
		{ "root = \"unterminated\n", -1, NULL },
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
			T_OK(d.n > 0 && strncmp(d.v[0].msg, "test.toml:", 10) == 0);
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
	char *argv1[] = { "--root", "x", "--host", "a.example", "--host",
	    "b.example", "--listen", "127.0.0.1:0", "--public-port=1965",
	    "--workers", "3", "--drafts", "--links", "footnote" };
	char *argv2[] = { "--workers", "many" };
	char *argv3[] = { "--nope" };
	char *argv4[] = { "--root" };
	char *argv5[] = { "--listen", "127.0.0.1:1966" };

	T_INT(config_load(&c, (int)ARRAY_LEN(argv1), argv1, &cmd, &d), 0);
	T_INT(cmd, CONFIG_SERVE);
	T_INT(c.nhosts, 1);
	T_INT(c.hosts[0].nnames, 2);
	T_STR(c.hosts[0].names[0], "a.example");
	T_STR(c.hosts[0].root, "x");
	T_INT(c.public_port, 1965);
	T_INT(c.workers, 3);
	T_INT(c.drafts, 1);
	T_INT(c.render.links, GEMTEXT_LINKS_FOOTNOTE);
	T_STR(c.certs_dir, "certs");
	config_free(&c);

	T_INT(config_load(&c, 2, argv2, &cmd, &d), -1);
	T_STR(first_msg(&d), "capsuled: bad value for --workers: 'many'");
	diags_free(&d);
	config_free(&c);
	T_INT(config_load(&c, 1, argv3, &cmd, &d), -1);
	T_STR(first_msg(&d), "capsuled: unknown option '--nope'");
	diags_free(&d);
	config_free(&c);
	T_INT(config_load(&c, 1, argv4, &cmd, &d), -1);
	T_STR(first_msg(&d), "capsuled: --root needs a value");
	diags_free(&d);
	config_free(&c);
	/* Defaults: localhost, ./capsule, and the public port follows listen. */
	T_INT(config_load(&c, 2, argv5, &cmd, &d), 0);
	T_STR(c.hosts[0].names[0], "localhost");
	T_STR(c.hosts[0].root, "capsule");
	T_INT(c.public_port, 1966);
	config_free(&c);
	diags_free(&d);
}

int
main(void)
{
	test_file();
	test_hosts();
	test_args();
	return t_done();
}
