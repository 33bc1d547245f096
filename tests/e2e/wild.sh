#!/bin/sh
# Posts as real Hugo and Zola sites write them, through the real server:
# front matter after blank lines, a one-digit-hour date, a GitHub alert,
# an HTML <pre> block, a tab in code, an include and a Zola figure; a
# source file served as UTF-8 text.
# shellcheck disable=SC2034 # SUMMARY is read by lib.sh
. "$(dirname "$0")/lib.sh"

e2e_setup
C=$E2E_DIR/capsule
P=$C/posts
mkdir -p "$P/_common"
rm -f "$C/index.gmi"
TAB=$(printf '\t')

printf '\n\n' >"$P/wild.md"
cat >>"$P/wild.md" <<EOF
+++
title = "Wild Post"
date = "2019-04-09T8:09:26-07:00"
+++

> [!WARNING]
> Mind the gap.

<pre>
  keep   these
${TAB}lines &amp; tabs
</pre>

\`\`\`make
all:
${TAB}cc -o x x.c
\`\`\`

{{% include "/posts/_common/part.md" %}}

{{ figure(image="cat.png", alt="A *sleepy* cat") }}
EOF
cat >"$P/_common/part.md" <<'EOF'
---
title: Part
date: 21 July 2019
---
Included wildprobe text.
EOF
printf 'fn main() {}\n' >"$C/main.rs"

e2e_start_server || e2e_done

expect "$(e2e_url /)" 20 "index"
if grep -q '^=>[ 	]*[^ 	]*[ 	]2019-04-09 Wild Post' "$BODYFILE"; then
	e2e_ok "date with a one-digit hour is read (index line)"
else
	e2e_fail "no '2019-04-09 Wild Post' line: $(tr '\n' '|' <"$BODYFILE" | head -c 400)"
fi
assert_body_contains "2019-07-21 Part" "date '21 July 2019' is read"
url=$(sed -n 's/^=>[ 	]*\([^ 	]*\)[ 	]*2019-04-09 Wild Post.*/\1/p' "$BODYFILE" | head -n 1)
case $url in
gemini://*) ;;
*) url=$(e2e_url "$url") ;;
esac
expect "$url" 20 "the post"
assert_body_lacks "title = " "front matter after blank lines is not body text"
assert_body_contains "> Warning: Mind the gap." "GitHub alert labelled"
assert_body_contains "  keep   these" "<pre> line kept as written"
assert_body_contains "${TAB}lines & tabs" "<pre> tab kept, entity decoded"
assert_body_contains "${TAB}cc -o x x.c" "tab kept in a code block"
assert_body_contains "Included wildprobe text." "include inlined"
assert_body_lacks "date: 21 July" "included front matter dropped"
if grep -q '^=>[ 	]*[^ 	]*cat\.png[ 	][ 	]*A sleepy cat$' "$BODYFILE"; then
	e2e_ok "Zola figure: image line, alt as plain text"
else
	e2e_fail "no cat.png line labelled 'A sleepy cat': $(grep cat "$BODYFILE")"
fi

expect "$(e2e_url /main.rs)" 20 "a source file"
assert_meta 'text/plain; charset=utf-8' "main.rs: text/plain; charset=utf-8"

e2e_done
