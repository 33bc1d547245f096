#!/bin/sh
# Pathological Markdown through `capsuled convert --body-only`, each with
# at most 30 s of CPU time (it takes well under a second, a few under the
# sanitizers; a CPU bound holds whatever the machine's load, where a
# wall-clock one tripped at load 66), with the limits raised as far as
# they go: deep nesting must not blow the stack and nothing may be
# quadratic. Fails when a conversion runs out of time, crashes or prints
# nothing.
# Then the limits at their defaults (max_post_size, max_nesting,
# max_table_columns, max_table_cells): a post past one is not rendered, `convert` and
# `check` say which limit as FILE:LINE: message, and the server answers
# its page with a notice while the rest of the capsule is served.
# Needs CAPSULED (the binary) in the environment, as tests/run.sh sets it.
bin=${CAPSULED:?set CAPSULED to the capsuled binary}
. "$(dirname "$0")/lib.sh"
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
	e2e_cpu_bounded 30 "$bin" convert --body-only --max-post-size 16777216 \
	    --max-nesting 10000 --max-table-columns 10000 \
	    --max-table-cells 100000000 "$f" >"$dir/out" \
	    2>"$dir/err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL $name (exit $rc$(case $rc in 124 | 137 | 152) echo ', out of time' ;; esac))"
		tail -n 5 "$dir/err"
		fail=$((fail + 1))
	elif [ ! -s "$dir/out" ]; then
		echo "FAIL $name (no output)"
		fail=$((fail + 1))
	else
		echo "ok   $name ($(wc -c <"$dir/out") bytes)"
	fi
done

# --- the limits at their defaults -------------------------------------------
lim=$dir/limits
mkdir -p "$lim"
# 50,000 columns (cmark-gfm's table extension alone took seconds).
awk 'BEGIN { for (r = 0; r < 3; r++) { s = "|"; for (i = 0; i < 50000; i++) s = s (r == 1 ? "-|" : "a|"); print s } }' >"$lim/wide.md"
# 40 KB: a 100-column header, then 20,000 rows of one letter, each padded
# to 100 cells (32 KB of it took 9 s and 525 MB: 1 MB would take GBs).
awk 'BEGIN { s = "|"; t = "|"; for (i = 0; i < 100; i++) { s = s "h|"; t = t "-|" } print s; print t; for (i = 0; i < 20000; i++) print "a" }' >"$lim/padded.md"
# 100,000 nested lists (a million took 6.3 s and 584 MB).
awk 'BEGIN { print "Deep:"; print ""; for (i = 0; i < 100000; i++) printf "- "; print "x" }' >"$lim/deep.md"
# 100 levels by indentation, one a line.
awk 'BEGIN { for (i = 0; i < 100; i++) { s = ""; for (j = 0; j < i; j++) s = s "  "; print s "- item " i } }' >"$lim/indent.md"
# A 2 MB single line.
awk 'BEGIN { for (i = 0; i < 200000; i++) printf "word word "; print "" }' >"$lim/line.md"
# Within every limit: 60 levels, 90 columns.
awk 'BEGIN { for (i = 0; i < 60; i++) printf "- "; print "x"; print ""; s = "|"; t = "|"; for (i = 0; i < 90; i++) { s = s "c|"; t = t "-|" } print s; print t; print s }' >"$lim/fine.md"

# limit NAME WANT: convert at the defaults says WANT on stderr and prints
# the notice instead of the post.
limit() {
	e2e_cpu_bounded 30 "$bin" convert --body-only "$lim/$1.md" >"$dir/out" 2>"$dir/err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL limit $1 (exit $rc)"
		fail=$((fail + 1))
	elif ! grep -q "^$lim/$1.md:$2" "$dir/err"; then
		echo "FAIL limit $1: no '$1.md:$2' in: $(head -c 300 "$dir/err")"
		fail=$((fail + 1))
	elif ! grep -q 'could not be rendered' "$dir/out"; then
		echo "FAIL limit $1: no notice in: $(head -c 200 "$dir/out")"
		fail=$((fail + 1))
	else
		echo "ok   limit $1: $(grep 'not rendered' "$dir/err" | head -n 1 | sed 's|.*/||')"
	fi
}
limit wide '2: not rendered: a table of 50000 columns, more than max_table_columns (100)'
limit deep '3: not rendered: 100000 levels of quotes and lists, more than max_nesting (64)'
limit indent '[0-9]*: not rendered: 6[5-9] levels of quotes and lists, more than max_nesting (64)'
limit padded ' not rendered: tables of 2000200 cells (every row has its header.s columns), more than max_table_cells (100000)'
limit line ' not rendered: 2000001 bytes of Markdown, more than max_post_size (1048576)'
e2e_cpu_bounded 30 "$bin" convert --body-only "$lim/fine.md" >"$dir/out" 2>"$dir/err"
if [ $? -eq 0 ] && ! grep -q 'not rendered' "$dir/err" &&
    ! grep -q 'could not be rendered' "$dir/out" && grep -q 'x' "$dir/out"; then
	echo "ok   within the limits: rendered"
else
	echo "FAIL within the limits: rendered: $(head -c 300 "$dir/err")"
	fail=$((fail + 1))
fi
# The limits are settings: lowered, the same fine post is refused.
e2e_cpu_bounded 30 "$bin" convert --body-only --max-table-columns 50 --max-nesting 100 \
    "$lim/fine.md" >"$dir/out" 2>"$dir/err"
if [ $? -eq 0 ] && grep -q 'could not be rendered' "$dir/out" &&
    grep -q 'fine\.md:4: not rendered: a table of 90 columns, more than max_table_columns (50)' "$dir/err"; then
	echo "ok   --max-table-columns 50 refuses a table of 90"
else
	echo "FAIL --max-table-columns 50 refuses a table of 90: $(head -c 300 "$dir/err")"
	fail=$((fail + 1))
fi
# check: one error per post past a limit, exit 1.
e2e_cpu_bounded 60 "$bin" check "$lim" >"$dir/out" 2>&1
rc=$?
n=$(grep -c 'not rendered' "$dir/out")
if [ "$rc" -eq 1 ] && [ "$n" -eq 5 ] &&
    grep -q 'wide\.md:2: not rendered: a table of 50000 columns' "$dir/out"; then
	echo "ok   check: 5 posts past a limit, exit 1"
else
	echo "FAIL check: 5 posts past a limit, exit 1: rc $rc, $n lines: $(head -c 400 "$dir/out")"
	fail=$((fail + 1))
fi

# --- served: the post's page says so, the rest of the capsule is served -----
e2e_setup
trap 'e2e_cleanup; rm -rf "$dir"' EXIT
mkdir -p "$C/posts"
rm -f "$C/index.gmi"
cp "$lim/wide.md" "$C/posts/2024-01-01-wide.md"
cp "$lim/deep.md" "$C/posts/2024-01-02-deep.md"
cp "$lim/line.md" "$C/posts/2024-01-03-line.md"
cp "$lim/padded.md" "$C/posts/2024-01-03-padded.md"
printf '+++\ntitle = "Fine"\ndate = 2024-01-04\n+++\n\nfine-post-marker-3b9d\n' \
    >"$C/posts/2024-01-04-fine.md"
if e2e_start_server; then
	for p in wide deep line padded; do
		expect "$(e2e_url "/posts/$p/")" 20 "served: $p answered"
		assert_body_contains 'could not be rendered' "served: $p says it could not be rendered"
	done
	expect "$(e2e_url /posts/fine/)" 20 "served: the fine post"
	assert_body_contains fine-post-marker-3b9d
	expect "$(e2e_url /)" 20 "served: the index"
	assert_body_contains 'Fine' "served: the index lists the fine post"
	assert_eq "$(grep -c 'not rendered: a table of 50000 columns' "$SERVER_LOG")" 1 "served: the log names the limit once"
	assert_alive
	e2e_stop_server
fi
e2e_check_logs
[ "$E2E_FAIL" -eq 0 ] || fail=$((fail + E2E_FAIL))
[ "$fail" -eq 0 ]
