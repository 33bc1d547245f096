/*
 * test_toml: parses tables of documents and compares a canonical dump
 * of the tree (or the line of the first error) with what is expected.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "t.h"
#include "toml.h"

/* {k=v,...}, [v,...], "s" (raw bytes), d(text), ints, %g floats, t/f. */
static void
dump(struct buf *b, const struct toml_value *v)
{
	size_t i;

	switch (v->type) {
	case TOML_STRING:
		buf_printf(b, "\"%s\"", v->u.s);
		break;
	case TOML_DATETIME:
		buf_printf(b, "d(%s)", v->u.s);
		break;
	case TOML_INT:
		buf_printf(b, "%lld", v->u.i);
		break;
	case TOML_FLOAT:
		buf_printf(b, "%g", v->u.f);
		break;
	case TOML_BOOL:
		buf_adds(b, v->u.b ? "t" : "f");
		break;
	case TOML_ARRAY:
		buf_addc(b, '[');
		for (i = 0; i < v->n; i++) {
			if (i > 0)
				buf_addc(b, ',');
			dump(b, v->items[i]);
		}
		buf_addc(b, ']');
		break;
	case TOML_TABLE:
		buf_addc(b, '{');
		for (i = 0; i < v->n; i++) {
			if (i > 0)
				buf_addc(b, ',');
			buf_printf(b, "%s=", v->keys[i]);
			dump(b, v->items[i]);
		}
		buf_addc(b, '}');
		break;
	}
}

struct ok_case {
	const char *in;
	const char *want;
};

static const struct ok_case ok_cases[] = {
	{ "", "{}" },
	{ "# only a comment\n\n   \n", "{}" },
	{ "a = 1", "{a=1}" },
	{ "a = 1\r\nb = 2\r\n", "{a=1,b=2}" },
	{ "a=1#c\nb\t=\t2 # c\n", "{a=1,b=2}" },
	/* the config module's keys */
	{ "root = \"capsule\"\nlisten = [\"127.0.0.1:1965\", \"[::1]:1965\"]\n"
	  "workers = 2\ndrafts = false\n",
	    "{root=\"capsule\",listen=[\"127.0.0.1:1965\",\"[::1]:1965\"],"
	    "workers=2,drafts=f}" },
	{ "[[host]]\nname = \"a\"\nroot = \"r\"\ncert = \"c\"\nkey = \"k\"\n"
	  "[[host]]\nname = \"b\"\n",
	    "{host=[{name=\"a\",root=\"r\",cert=\"c\",key=\"k\"},{name=\"b\"}]}" },
	/* keys */
	{ "bare_key-1 = 1\n1234 = 2\n\"quoted key\" = 3\n'lit.key' = 4\n"
	  "\"\" = 5\n",
	    "{bare_key-1=1,1234=2,quoted key=3,lit.key=4,=5}" },
	{ "a.b.c = 1\na . b . d = 2\na.\"e.f\" = 3\n",
	    "{a={b={c=1,d=2},e.f=3}}" },
	{ "3.14 = 1", "{3={14=1}}" },
	/* strings */
	{ "s = \"tab\\tnl\\nq\\\"bs\\\\\"", "{s=\"tab\tnl\nq\"bs\\\"}" },
	{ "s = \"\\u00e9\\U0001F600\\u20AC\"",
	    "{s=\"\xc3\xa9\xf0\x9f\x98\x80\xe2\x82\xac\"}" },
	{ "s = \"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\"",
	    "{s=\"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\"}" },
	{ "s = 'C:\\path\\x'", "{s=\"C:\\path\\x\"}" },
	{ "s = 'say \"hi\"'\nt = \"it's\"\n'k\\\\' = 1\n",
	    "{s=\"say \"hi\"\",t=\"it's\",k\\\\=1}" },
	{ "s = \"\"\"\nline1\nline2\"\"\"", "{s=\"line1\nline2\"}" },
	{ "s = \"\"\"\r\nline1\r\nline2\r\n\"\"\"", "{s=\"line1\nline2\n\"}" },
	{ "s = \"\"\"one \\\n    two \\\n\n  three\"\"\"",
	    "{s=\"one two three\"}" },
	{ "s = \"\"\"a \"quoted\" \"\"word\"\" \"\"\"\"\"",
	    "{s=\"a \"quoted\" \"\"word\"\" \"\"\"}" },
	{ "s = '''\nraw \\n 'x' ''\n'''", "{s=\"raw \\n 'x' ''\n\"}" },
	{ "s = ''''x'''''", "{s=\"'x''\"}" },
	{ "s = \"\"\"\"\"\"", "{s=\"\"}" },
	{ "s = ''", "{s=\"\"}" },
	/* numbers */
	{ "a = +99\nb = -17\nc = 0\nd = 1_000\ne = -0\n",
	    "{a=99,b=-17,c=0,d=1000,e=0}" },
	{ "a = 0xDEAD_beef\nb = 0o755\nc = 0b1101\n",
	    "{a=3735928559,b=493,c=13}" },
	{ "a = 9223372036854775807\nb = -9223372036854775808\n",
	    "{a=9223372036854775807,b=-9223372036854775808}" },
	{ "a = 1.5\nb = -0.01\nc = 5e+22\nd = 1e06\ne = -2E-2\nf = 6.626e-34\n"
	  "g = 224_617.445_991\n",
	    "{a=1.5,b=-0.01,c=5e+22,d=1e+06,e=-0.02,f=6.626e-34,g=224617}" },
	{ "a = inf\nb = -inf\nc = +inf\n", "{a=inf,b=-inf,c=inf}" },
	{ "b1 = true\nb2 = false\n", "{b1=t,b2=f}" },
	/* dates and times, kept as written */
	{ "a = 1979-05-27T07:32:00Z\nb = 1979-05-27T00:32:00-07:00\n"
	  "c = 1979-05-27T00:32:00.999999+09:00\nd = 1979-05-27 07:32:00\n"
	  "e = 1979-05-27\nf = 07:32:00\ng = 00:32:00.5\nh = 2024-02-29\n"
	  "i = 2025-01-19 10:00\nj = 1979-05-27t07:32:00z\n",
	    "{a=d(1979-05-27T07:32:00Z),b=d(1979-05-27T00:32:00-07:00),"
	    "c=d(1979-05-27T00:32:00.999999+09:00),d=d(1979-05-27 07:32:00),"
	    "e=d(1979-05-27),f=d(07:32:00),g=d(00:32:00.5),h=d(2024-02-29),"
	    "i=d(2025-01-19 10:00),j=d(1979-05-27t07:32:00z)}" },
	{ "date = 2025-01-19 # comment", "{date=d(2025-01-19)}" },
	/* arrays */
	{ "a = []\nb = [ ]\nc = [1,2,]\nd = [[1,2],[\"a\"],[]]\n",
	    "{a=[],b=[],c=[1,2],d=[[1,2],[\"a\"],[]]}" },
	{ "a = [\n  1, # one\n  2\n  ,3,\n\n]\n", "{a=[1,2,3]}" },
	{ "a = [1, \"two\", 3.0, true, {x = 1}]", "{a=[1,\"two\",3,t,{x=1}]}" },
	/* inline tables */
	{ "p = { x = 1, y.z = \"a\", w = { v = [] } }",
	    "{p={x=1,y={z=\"a\"},w={v=[]}}}" },
	{ "p = {}", "{p={}}" },
	{ "a = [{n=1},{n=2}]", "{a=[{n=1},{n=2}]}" },
	/* tables */
	{ "[a]\nx = 1\n[b]\ny = 2\n", "{a={x=1},b={y=2}}" },
	{ "[ a . b ]\nx = 1\n[a]\ny = 2\n", "{a={b={x=1},y=2}}" },
	{ "[\"a.b\".'c']\nx = 1\n", "{a.b={c={x=1}}}" },
	{ "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n"
	  "[fruit.apple.texture]\nsmooth = true\n",
	    "{fruit={apple={color=\"red\",taste={sweet=t},"
	    "texture={smooth=t}}}}" },
	{ "[[a]]\n[[a.b]]\nx = 1\n[a.c]\ny = 2\n[[a.b]]\nx = 2\n[[a]]\n",
	    "{a=[{b=[{x=1},{x=2}],c={y=2}},{}]}" },
	{ "[extra]\nrating = 4.5\nfeatured = true\n[taxonomies]\n"
	  "tags = [\"a\", \"b\"]\n",
	    "{extra={rating=4.5,featured=t},taxonomies={tags=[\"a\",\"b\"]}}" },
};

struct err_case {
	const char *in;
	int line;
};

static const struct err_case err_cases[] = {
	{ "a = 1\na = 2\n", 2 },
	{ "a = 1\n\n\"a\" = 2\n", 3 },
	{ "a.b = 1\na.b = 2\n", 2 },
	{ "a = 1\na.b = 2\n", 2 },
	{ "[a]\n[a]\n", 2 },
	{ "[a]\nb = 1\n[a.b]\n", 3 },
	{ "a = {x = 1}\n[a]\n", 2 },
	{ "a = {x = 1}\na.y = 2\n", 2 },
	{ "a = [1]\n[[a]]\n", 2 },
	{ "[[a]]\n[a]\n", 2 },
	{ "[a]\n[[a]]\n", 2 },
	{ "[a.b]\n[a]\nb.c = 1\n", 3 },
	{ "[a]\nb.c = 1\n[a.b]\n", 3 },
	{ "a = {b = 1, b = 2}\n", 1 },
	{ "x = 1\na = \n", 2 },
	{ "a = \"unterminated\nb = 1\n", 1 },
	{ "a = 1\n\nb = \"\"\"\nnever closed\n", 3 },
	{ "a = '''\nx\n", 1 },
	{ "a = \"\\q\"", 1 },
	{ "a = \"\\u12\"", 1 },
	{ "a = \"\\uD800\"", 1 },
	{ "a = \"\\U00110000\"", 1 },
	{ "a = \"\\u0000\"", 1 },
	{ "a = \"ctl\x01\"", 1 },
	{ "a = 'ctl\x01'", 1 },
	{ "a = 'unterminated\nb = 1\n", 1 },
	{ "\n\na = \"bad \xff utf8\"", 3 },
	{ "a = \"overlong \xc0\xaf\"", 1 },
	{ "a = \"surrogate \xed\xa0\x80\"", 1 },
	{ "a = 1 b = 2", 1 },
	{ "a = 01", 1 },
	{ "a = 1__0", 1 },
	{ "a = _1", 1 },
	{ "a = 1_", 1 },
	{ "a = 1.", 1 },
	{ "a = .5", 1 },
	{ "a = 1e", 1 },
	{ "a = 0x", 1 },
	{ "a = 0xG", 1 },
	{ "a = 9223372036854775808", 1 },
	{ "a = +0x10", 1 },
	{ "a = tru", 1 },
	{ "a = TRUE", 1 },
	{ "a = 2025-13-01", 1 },
	{ "a = 2025-02-30", 1 },
	{ "a = 2023-02-29", 1 },
	{ "a = 2025-01-19T25:00:00", 1 },
	{ "a = 2025-01-19T10:60", 1 },
	{ "a = 2025-01-19T10:00:00+9", 1 },
	{ "a = 10:00:00Z", 1 },
	{ "a = 2025-1-19", 1 },
	{ "a = [1, 2", 1 },
	{ "a = 1\n\nb = [\n  1,\n  2\n", 3 },
	{ "a = [\n  1,\n  \"x\" \"y\"\n]\n", 3 },
	{ "a = [1 2]", 1 },
	{ "a = [,]", 1 },
	{ "a = {x = 1,}", 1 },
	{ "a = {x = 1\n}", 1 },
	{ "a = {", 1 },
	{ "= 1", 1 },
	{ "a", 1 },
	{ "a =", 1 },
	{ "[a\nb = 1", 1 },
	{ "[[a]\n", 1 },
	{ "[a] x = 1\n", 1 },
	{ "[]\n", 1 },
	{ "a..b = 1", 1 },
	{ "a = \"x\"\rb = 1", 1 },
	{ "a = \"\"\"x\"\"\"\"\"\"", 1 },
};

static void
test_ok(void)
{
	struct buf b = BUF_INIT;
	struct diags d = { 0 };
	struct toml_value *v;
	size_t i;

	for (i = 0; i < ARRAY_LEN(ok_cases); i++) {
		v = toml_parse(ok_cases[i].in, strlen(ok_cases[i].in), &d);
		if (v == NULL) {
			fprintf(stderr, "ok case %zu: %s (line %d)\n", i,
			    d.n ? d.v[0].msg : "?", d.n ? d.v[0].line : 0);
			T_OK(v != NULL);
			diags_free(&d);
			continue;
		}
		buf_reset(&b);
		dump(&b, v);
		T_STR(b.data, ok_cases[i].want);
		T_INT(d.n, 0);
		toml_free(v);
		diags_free(&d);
	}
	buf_free(&b);
}

static void
test_err(void)
{
	struct diags d = { 0 };
	struct toml_value *v;
	size_t i;

	for (i = 0; i < ARRAY_LEN(err_cases); i++) {
		v = toml_parse(err_cases[i].in, strlen(err_cases[i].in), &d);
		if (v != NULL)
			fprintf(stderr, "err case %zu parsed\n", i);
		T_OK(v == NULL);
		T_INT(diags_count(&d, DIAG_ERROR), 1);
		if (d.n > 0 && d.v[0].line != err_cases[i].line)
			fprintf(stderr, "err case %zu: %s\n", i, d.v[0].msg);
		T_INT(d.n > 0 ? d.v[0].line : -1, err_cases[i].line);
		toml_free(v);
		diags_free(&d);
	}
}

/* Every value records the line it starts on; diags_add applies offsets. */
static void
test_lines(void)
{
	static const char doc[] = "# header\n"
				  "a = 1\n"
				  "b = \"\"\"\n"
				  "x\n"
				  "\"\"\"\n"
				  "c = [\n"
				  "  1,\n"
				  "  2,\n"
				  "]\n"
				  "\n"
				  "[[host]]\n"
				  "name = \"n\"\n"
				  "[t.u]\n"
				  "v.w = 3\n";
	struct diags d = { 0 };
	struct toml_value *v;
	const struct toml_value *c, *h, *t;

	v = toml_parse(doc, strlen(doc), &d);
	T_OK(v != NULL);
	if (v == NULL)
		return;
	T_INT(toml_get(v, "a")->line, 2);
	T_INT(toml_get(v, "b")->line, 3);
	T_STR(toml_get_string(v, "b"), "x\n");
	c = toml_get(v, "c");
	T_INT(c->line, 6);
	T_INT(c->n, 2);
	T_INT(c->items[0]->line, 7);
	T_INT(c->items[1]->line, 8);
	h = toml_get(v, "host");
	T_INT(h->type, TOML_ARRAY);
	T_INT(h->items[0]->line, 11);
	T_INT(toml_get(h->items[0], "name")->line, 12);
	t = toml_get(toml_get(v, "t"), "u");
	T_INT(t->line, 13);
	T_INT(toml_get(toml_get(t, "v"), "w")->u.i, 3);
	T_INT(toml_get(toml_get(t, "v"), "w")->line, 14);
	toml_free(v);

	d.line_offset = 1; /* front matter: block line 1 is file line 2 */
	T_OK(toml_parse("a = 1\nb = [", 11, &d) == NULL);
	T_INT(d.v[0].line, 3);
	diags_free(&d);
}

static void
test_api(void)
{
	struct diags d = { 0 };
	struct toml_value *v;

	v = toml_parse("s = \"x\"\ni = 1\n", 14, &d);
	T_STR(toml_get_string(v, "s"), "x");
	T_STR(toml_get_string(v, "i"), NULL);
	T_STR(toml_get_string(v, "missing"), NULL);
	T_OK(toml_get(NULL, "s") == NULL);
	T_OK(toml_get(toml_get(v, "i"), "x") == NULL);
	T_STR(toml_type_name(TOML_TABLE), "table");
	T_STR(toml_type_name(TOML_DATETIME), "datetime");
	T_STR(toml_type_name(TOML_INT), "integer");
	toml_free(v);
	toml_free(NULL);

	/* not NUL-terminated: only len bytes count */
	v = toml_parse("a = 12345", 6, &d);
	T_INT(toml_get(v, "a")->u.i, 12);
	toml_free(v);

	/* embedded NUL outside strings is not a key */
	T_OK(toml_parse("a = 1\n\0", 7, &d) == NULL);
	diags_free(&d);

	v = toml_parse("n = nan", 7, &d);
	T_OK(isnan(toml_get(v, "n")->u.f));
	toml_free(v);
	T_INT(d.n, 0);
}

/* Hostile input: depth limits hold, big inputs stay linear. */
static void
test_limits(void)
{
	struct diags d = { 0 };
	struct toml_value *v;
	struct buf b = BUF_INIT;
	char key[16];
	int i;

	for (i = 0; i < 100000; i++)
		buf_addc(&b, '[');
	T_OK(toml_parse(b.data, b.len, &d) == NULL);
	T_INT(diags_count(&d, DIAG_ERROR), 1);
	diags_free(&d);

	buf_reset(&b);
	buf_adds(&b, "a = ");
	for (i = 0; i < 100000; i++)
		buf_addc(&b, '[');
	T_OK(toml_parse(b.data, b.len, &d) == NULL);
	diags_free(&d);

	buf_reset(&b);
	buf_adds(&b, "a = ");
	for (i = 0; i < 100000; i++)
		buf_adds(&b, "{b=");
	T_OK(toml_parse(b.data, b.len, &d) == NULL);
	diags_free(&d);

	buf_reset(&b);
	buf_adds(&b, "a");
	for (i = 0; i < 100000; i++)
		buf_adds(&b, ".a");
	buf_adds(&b, " = 1");
	T_OK(toml_parse(b.data, b.len, &d) == NULL);
	diags_free(&d);

	/* 64 levels are fine */
	buf_reset(&b);
	buf_adds(&b, "a = ");
	for (i = 0; i < 63; i++)
		buf_addc(&b, '[');
	for (i = 0; i < 63; i++)
		buf_addc(&b, ']');
	v = toml_parse(b.data, b.len, &d);
	T_OK(v != NULL);
	toml_free(v);
	diags_free(&d);

	/* [a.a.a...] combined with dotted keys under it */
	buf_reset(&b);
	buf_adds(&b, "[a");
	for (i = 0; i < 60; i++)
		buf_adds(&b, ".a");
	buf_adds(&b, "]\nb.c.d.e.f.g = 1\n");
	T_OK(toml_parse(b.data, b.len, &d) == NULL);
	diags_free(&d);

	/* many keys and many array-of-tables entries: hashed lookups */
	buf_reset(&b);
	for (i = 0; i < 50000; i++)
		buf_printf(&b, "k%d = %d\n", i, i);
	buf_adds(&b, "k777 = 0\n");
	T_OK(toml_parse(b.data, b.len, &d) == NULL);
	T_INT(d.v[0].line, 50001);
	diags_free(&d);
	buf_truncate(&b, b.len - 9);
	v = toml_parse(b.data, b.len, &d);
	T_INT(v->n, 50000);
	snprintf(key, sizeof(key), "k%d", 31337);
	T_INT(toml_get(v, key)->u.i, 31337);
	T_INT(toml_get(v, key)->line, 31338);
	toml_free(v);

	buf_reset(&b);
	for (i = 0; i < 20000; i++)
		buf_adds(&b, "[[h]]\nx = 1\n");
	v = toml_parse(b.data, b.len, &d);
	T_INT(toml_get(v, "h")->n, 20000);
	toml_free(v);

	/* a 1 MB string */
	buf_reset(&b);
	buf_adds(&b, "s = \"");
	for (i = 0; i < 1000000; i++)
		buf_addc(&b, 'x');
	buf_adds(&b, "\"");
	v = toml_parse(b.data, b.len, &d);
	T_INT(strlen(toml_get_string(v, "s")), 1000000);
	toml_free(v);
	T_INT(d.n, 0);
	buf_free(&b);
}

/* The writers code-toggle uses: every value type, nesting, odd keys. */
static void
test_writers(void)
{
	static const char src[] =
	    "title = \"A \\\"quoted\\\" title\"\n"
	    "date = 2025-01-19T10:00:00Z\n"
	    "n = 3\nf = 2.5\nok = true\nempty = []\n"
	    "\"odd key\" = 'x'\n"
	    "tags = [\"a\", \"b\"]\n"
	    "[[menu]]\nname = \"Home\"\nweight = 1\n"
	    "[[menu]]\nname = \"About\"\n"
	    "[params.deep]\nx = 1\n[params.flags]\non = true\nNo = 1\n";
	static const char yaml[] =
	    "title: \"A \\\"quoted\\\" title\"\n"
	    "date: \"2025-01-19T10:00:00Z\"\n"
	    "\"n\": 3\nf: 2.5\nok: true\nempty: []\n"
	    "\"odd key\": \"x\"\n"
	    "tags:\n  - \"a\"\n  - \"b\"\n"
	    "menu:\n  - name: \"Home\"\n    weight: 1\n  - name: \"About\"\n"
	    "params:\n  deep:\n    x: 1\n  flags:\n    \"on\": true\n"
	    "    \"No\": 1\n";
	static const char json[] =
	    "{\n  \"title\": \"A \\\"quoted\\\" title\",\n"
	    "  \"date\": \"2025-01-19T10:00:00Z\",\n"
	    "  \"n\": 3,\n  \"f\": 2.5,\n  \"ok\": true,\n  \"empty\": [],\n"
	    "  \"odd key\": \"x\",\n"
	    "  \"tags\": [\n    \"a\",\n    \"b\"\n  ],\n"
	    "  \"menu\": [\n    {\n      \"name\": \"Home\",\n"
	    "      \"weight\": 1\n    },\n    {\n      \"name\": \"About\"\n"
	    "    }\n  ],\n"
	    "  \"params\": {\n    \"deep\": {\n      \"x\": 1\n    },\n"
	    "    \"flags\": {\n      \"on\": true,\n      \"No\": 1\n    }\n"
	    "  }\n}\n";
	struct diags d = { 0 };
	struct toml_value *v = toml_parse(src, sizeof(src) - 1, &d);
	struct buf b = BUF_INIT;

	T_OK(v != NULL);
	if (v == NULL)
		return;
	toml_write_yaml(v, &b);
	T_STR(b.data, yaml);
	buf_reset(&b);
	toml_write_json(v, &b);
	T_STR(b.data, json);
	toml_free(v);
	buf_free(&b);
	diags_free(&d);
}

int
main(void)
{
	test_writers();
	test_ok();
	test_err();
	test_lines();
	test_api();
	test_limits();
	return t_done();
}
