#!/bin/sh
# Pathological Markdown through `capsuled convert --body-only`, each under
# `timeout 20`: deep nesting must not blow the stack and nothing may be
# quadratic. Fails when a conversion times out, crashes or prints nothing.
# Needs CAPSULED (the binary) in the environment, as tests/run.sh sets it.
bin=${CAPSULED:?set CAPSULED to the capsuled binary}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT INT TERM
fail=0

# gen NAME AWK-PROGRAM: writes $dir/NAME.md from an awk BEGIN block.
gen() {
	awk "BEGIN { $2 }" >"$dir/$1.md"
}

gen quotes 'for (i = 0; i < 10000; i++) printf "> "; print "deep quote"'
gen quote-lines 'for (i = 1; i <= 3000; i++) { s = ""; for (j = 0; j < i % 200 + 1; j++) s = s ">"; print s " line " i }'
gen lists 'for (i = 0; i < 10000; i++) printf "- "; print "deep item"'
gen list-indent 'for (i = 0; i < 2000; i++) { s = ""; for (j = 0; j < i; j++) s = s "  "; print s "- item " i }'
gen ordered 'for (i = 0; i < 10000; i++) printf "1. "; print "deep ordered"'
gen links 'for (i = 0; i < 100000; i++) printf "[l%d](https://example.com/%d) ", i, i; print ""'
gen link-lines 'for (i = 0; i < 100000; i++) printf "- [l%d](https://example.com/%d)\n", i, i % 1000'
gen long-line 'for (i = 0; i < 1000000; i++) printf "word word "; print ""'
gen emphasis 'for (i = 0; i < 10000; i++) printf "*a **b "; printf "x"; for (i = 0; i < 10000; i++) printf "** b* a"; print ""'
gen stars 'for (i = 0; i < 50000; i++) printf "*"; printf "x"; for (i = 0; i < 50000; i++) printf "*"; print ""'
gen brackets 'for (i = 0; i < 50000; i++) printf "["; printf "x"; for (i = 0; i < 50000; i++) printf "](u)"; print ""'
gen images 'for (i = 0; i < 30000; i++) printf "![a](b"; print ""'
gen html 'printf "<div>"; for (i = 0; i < 50000; i++) printf "<a href=\"x%d\">", i; print "</div>"'
gen footnotes 'for (i = 0; i < 20000; i++) printf "x[^%d] ", i; print "\n"; for (i = 0; i < 20000; i++) printf "[^%d]: note %d\n", i, i'
gen table 'print "| a | b |"; print "|---|:-:|"; for (i = 0; i < 50000; i++) printf "| %d | [x](https://e.com/%d) |\n", i, i'
gen backticks 'for (i = 0; i < 30000; i++) printf "`"; print "x"'
gen fences 'for (i = 0; i < 20000; i++) printf "```\n"'
gen shortcodes 'for (i = 0; i < 5000; i++) printf "{{< figure src=\"/i/%d.png\" alt=\"pic %d\" >}}\n\n{{< unknown%d x >}}body{{< /unknown%d >}}\n\n", i, i, i % 50, i % 50'
gen zola-shortcodes 'for (i = 0; i < 5000; i++) printf "{{ youtube(id=\"v%d\") }}\n\n{%% note() %%}n%d{%% end %%}\n\n", i, i'
gen unclosed-frontmatter 'print "+++"; for (i = 0; i < 200000; i++) printf "key%d = \"v\"\n", i'

for f in "$dir"/*.md; do
	name=$(basename "$f" .md)
	timeout 20 "$bin" convert --body-only "$f" >"$dir/out" 2>"$dir/err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL $name (exit $rc$([ "$rc" -eq 124 ] && echo ', timed out'))"
		tail -n 5 "$dir/err"
		fail=$((fail + 1))
	elif [ ! -s "$dir/out" ]; then
		echo "FAIL $name (no output)"
		fail=$((fail + 1))
	else
		echo "ok   $name ($(wc -c <"$dir/out") bytes)"
	fi
done
[ "$fail" -eq 0 ]
