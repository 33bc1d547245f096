/*
 * optdump: prints capsuled's option table, one row a line, tab-separated:
 * flag, key, alias, type, commands, argument, default, enum values
 * (comma-separated), help. Empty fields are "-". tests/e2e/manpage.sh
 * compares it with capsuled.1 and capsuled.toml.example.
 */
#include <stdio.h>

#include "config.h"

static const char *
or_dash(const char *s)
{
	return s && s[0] ? s : "-";
}

int
main(void)
{
	static const char *const types[] = { "string", "bool", "int", "enum",
		"special", "action" };
	static const char *const cmds[] = { "serve", "convert", "check",
		"cert" };
	const struct config_option *o;
	size_t i, j, n;

	o = config_options(&n);
	for (i = 0; i < n; i++) {
		int first = 1;

		printf("%s\t%s\t%s\t%s\t", or_dash(o[i].flag),
		    or_dash(o[i].key), or_dash(o[i].alias), types[o[i].type]);
		for (j = 0; j < sizeof(cmds) / sizeof(cmds[0]); j++)
			if (o[i].cmds & (1u << j)) {
				printf("%s%s", first ? "" : ",", cmds[j]);
				first = 0;
			}
		printf("\t%s\t%s\t", or_dash(o[i].arg), or_dash(o[i].def));
		if (o[i].values && o[i].values[0])
			for (j = 0; o[i].values[j]; j++)
				printf("%s%s", j ? "," : "", o[i].values[j]);
		else
			fputs("-", stdout);
		printf("\t%s\n", or_dash(o[i].help));
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
