#!/bin/sh
# The other commands: convert (the page as served, --body-only, stdin),
# check (file:line: messages, exit status, duplicate slugs, missing
# images), --help, --version, and a bad configuration file that must
# stop the start before anything listens.
# shellcheck disable=SC2034 # SUMMARY is read by lib.sh
. "$(dirname "$0")/lib.sh"

e2e_setup
C=$E2E_DIR/capsule
P=$C/posts
W=$E2E_DIR/work
mkdir -p "$P" "$W"
rm -f "$C/index.gmi"

cat >"$P/first.md" <<'EOF'
+++
title = "First Probe"
date = 2024-02-10
description = "The first probe post."
tags = ["probe"]
[extra]
rating = 3
+++

A paragraph with a [link](https://example.org/first) and *emphasis*.

## A section

- item one
- item two

See the [second post](second.md) too.

| a | b |
|---|---|
| 1 | 2 |
EOF

cat >"$P/second.md" <<'EOF'
+++
title = "Second Probe"
date = 2024-02-11
tags = ["probe"]
+++

Second paragraph.
EOF

cat >"$P/third.md" <<'EOF'
+++
title = "Third Probe"
date = 2024-02-09
+++

Third paragraph.
EOF

# --- convert vs. the server ----------------------------------------------

e2e_start_server || e2e_done
SUMMARY=
for slug in first second third; do
	expect "$(e2e_url "/posts/$slug/")" 20 "served $slug"
	cp "$BODYFILE" "$W/served-$slug.gmi"
	e2e_run "convert-$slug" "$CAPSULED" convert "$P/$slug.md"
	assert_eq "$RUN_RC" 0 "convert $slug: exit 0"
	grep -v '^=> /posts/' "$W/served-$slug.gmi" >"$W/served-$slug.cmp"
	grep -v '^=> /posts/' "$RUN_OUT" >"$W/convert-$slug.cmp"
	if cmp -s "$W/served-$slug.cmp" "$W/convert-$slug.cmp"; then
		e2e_ok "convert $slug: same bytes as served (minus '=> /posts/' lines)"
	else
		e2e_fail "convert $slug: differs from the served page: $(diff "$W/served-$slug.cmp" "$W/convert-$slug.cmp" | head -n 10 | tr '\n' '|')"
	fi
	# Stricter: only the older/newer lines may differ.
	grep -Ev '^=> /posts/[^ ]+ (Older|Newer): ' "$W/served-$slug.gmi" >"$W/served-$slug.cmp2"
	grep -Ev '^=> /posts/[^ ]+ (Older|Newer): ' "$RUN_OUT" >"$W/convert-$slug.cmp2"
	if cmp -s "$W/served-$slug.cmp2" "$W/convert-$slug.cmp2"; then
		e2e_ok "convert $slug: same bytes as served except Older/Newer lines"
	else
		e2e_fail "convert $slug: differs beyond Older/Newer: $(diff "$W/served-$slug.cmp2" "$W/convert-$slug.cmp2" | head -n 10 | tr '\n' '|')"
	fi
done
assert_file_has "$W/served-first.gmi" '^=> /posts/second/' "served first: links the second post by URL"
assert_file_has "$W/convert-first.out" '^=> /posts/second/' "convert first: links the second post by URL"
assert_file_has "$W/served-first.gmi" '^=> /posts/[^ ]+ (Older|Newer): ' "served first: has older/newer lines (so the filter matters)"
e2e_stop_server

e2e_run body "$CAPSULED" convert --body-only "$P/first.md"
assert_eq "$RUN_RC" 0 "convert --body-only: exit 0"
assert_file_lacks "$RUN_OUT" '^# First Probe$' "--body-only: no '# Title' line"
assert_file_lacks "$RUN_OUT" '^=> / Index$' "--body-only: no '=> / Index' line"
assert_file_lacks "$RUN_OUT" '^=> /tags/' "--body-only: no tag lines"
assert_file_has "$RUN_OUT" 'A paragraph with a link' "--body-only: the body"
assert_file_has "$RUN_OUT" '^=> https://example\.org/first' "--body-only: the body's link line"
assert_file_has "$RUN_OUT" '^## A section$' "--body-only: the body's heading"
if grep -vxF -f "$W/convert-first.out" "$RUN_OUT" | grep -q .; then
	e2e_fail "--body-only: lines not in the full page: $(grep -vxF -f "$W/convert-first.out" "$RUN_OUT" | head -n 3 | tr '\n' '|')"
else
	e2e_ok "--body-only: every line is part of the full page"
fi

timeout 20 "$CAPSULED" convert - <"$P/first.md" >"$W/stdin.out" 2>"$W/stdin.err"
assert_eq "$?" 0 "convert -: exit 0"
assert_file_has "$W/stdin.out" '^# First Probe$' "convert -: title from stdin's front matter"
if cmp -s "$W/stdin.out" "$W/convert-first.out"; then
	e2e_ok "convert -: same output as convert FILE"
else
	e2e_fail "convert -: differs from convert FILE: $(diff "$W/convert-first.out" "$W/stdin.out" | head -n 6 | tr '\n' '|')"
fi
printf '# Piped\n\nPiped body.\n' | timeout 20 "$CAPSULED" convert --body-only - >"$W/pipe.out" 2>&1
assert_eq "$?" 0 "convert --body-only -: exit 0"
assert_file_has "$W/pipe.out" '^Piped body\.$' "convert --body-only -: body from a pipe"

e2e_run missing "$CAPSULED" convert "$W/no-such-file.md"
assert_ne "$RUN_RC" 0 "convert of a missing file: non-zero exit"

# --- check -------------------------------------------------------------------

mkdir -p "$E2E_DIR/clean/posts"
cp "$P/first.md" "$P/second.md" "$P/third.md" "$E2E_DIR/clean/posts/"
printf '+++\ntitle = "Clean Capsule"\ndescription = "Nothing wrong here"\n+++\n\nIntro.\n' \
    >"$E2E_DIR/clean/index.md"
e2e_run clean "$CAPSULED" check "$E2E_DIR/clean"
assert_eq "$RUN_RC" 0 "check clean capsule: exit 0"
cat "$RUN_OUT" "$RUN_ERR" >"$W/clean.all"
assert_file_lacks "$W/clean.all" '^[^ ]*:[0-9]+: ' "check clean capsule: no file:line: messages"
# index.md is the introduction, not a post: it needs no date.
assert_file_lacks "$W/clean.all" 'index\.md.*warning|warning.*index\.md' "check clean capsule: no warning about index.md"

mkdir -p "$E2E_DIR/broken/posts"
cp "$P/second.md" "$E2E_DIR/broken/posts/"
printf '+++\ntitle = "Broken\ndate = 2024-01-01\n+++\n\nBody.\n' >"$E2E_DIR/broken/posts/badfm.md"
printf '+++\ntitle = "Never closed"\ndate = 2024-01-01\n\nBody.\n' >"$E2E_DIR/broken/posts/open.md"
e2e_run broken "$CAPSULED" check "$E2E_DIR/broken"
assert_eq "$RUN_RC" 1 "check broken front matter: exit 1"
cat "$RUN_OUT" "$RUN_ERR" >"$W/broken.all"
assert_file_has "$W/broken.all" 'badfm\.md:[0-9]+: .+' "check: bad TOML reported as file:LINE: message"
assert_file_has "$W/broken.all" 'badfm\.md:2: ' "check: bad TOML on line 2"
assert_file_has "$W/broken.all" 'open\.md:[0-9]+: .+' "check: unclosed front matter reported as file:LINE: message"
assert_file_lacks "$W/broken.all" 'second\.md:[0-9]+:' "check: nothing about the good post"

# Same file names in two folders are two URLs (/posts/a/same/,
# /posts/b/same/); two files at one URL are an error.
mkdir -p "$E2E_DIR/dup/posts/a" "$E2E_DIR/dup/posts/b"
cp "$P/second.md" "$E2E_DIR/dup/posts/a/same.md"
cp "$P/third.md" "$E2E_DIR/dup/posts/b/same.md"
cp "$P/third.md" "$E2E_DIR/dup/posts/a/same.markdown"
e2e_run dup "$CAPSULED" check "$E2E_DIR/dup"
cat "$RUN_OUT" "$RUN_ERR" >"$W/dup.all"
assert_file_has "$W/dup.all" "URL '/posts/a/same/'" "check: two files at one URL reported"
assert_file_has "$W/dup.all" "a/same\\.md" "check: duplicate URL names the first file"
assert_file_has "$W/dup.all" "a/same\\.markdown" "check: duplicate URL names the second file"
assert_file_lacks "$W/dup.all" "b/same" "check: same name in another folder is no clash"
assert_eq "$RUN_RC" 1 "check duplicate URL: exit 1 (an error)"

mkdir -p "$E2E_DIR/img/posts"
cp "$P/second.md" "$E2E_DIR/img/posts/"
printf '+++\ntitle = "Pictures"\ndate = 2024-01-01\n+++\n\nText.\n\n![a picture](/images/not-there.png)\n' >"$E2E_DIR/img/posts/pics.md"
e2e_run img "$CAPSULED" check "$E2E_DIR/img"
cat "$RUN_OUT" "$RUN_ERR" >"$W/img.all"
assert_eq "$RUN_RC" 0 "check missing image: exit 0 (warnings only)"
assert_file_has "$W/img.all" 'pics\.md.*warning.*not-there\.png|pics\.md.*not-there\.png.*warning' "check: missing image reported as a warning"
assert_file_has "$W/img.all" 'pics\.md:[0-9]+: .*not-there\.png' "check: missing image as file:LINE: message"
assert_file_has "$W/img.all" 'pics\.md:8: ' "check: missing image on its line (8)"

printf '+++\ntitle = "Gone"\ndate = 2024-01-01\n+++\n\nSee [the other](nothere.md).\n' >"$E2E_DIR/img/posts/gone.md"
e2e_run gone "$CAPSULED" check "$E2E_DIR/img"
cat "$RUN_OUT" "$RUN_ERR" >"$W/gone.all"
assert_eq "$RUN_RC" 0 "check link to a missing post: exit 0 (a warning)"
assert_file_has "$W/gone.all" 'gone\.md:6: .*nothere\.md' "check: link to a missing post as file:LINE: message"
assert_eq "$(grep -c 'nothere\.md' "$W/gone.all")" 1 "check: one broken link, one message"

# --- help, version ----------------------------------------------------------

e2e_run help "$CAPSULED" --help
assert_eq "$RUN_RC" 0 "--help: exit 0"
cat "$RUN_OUT" "$RUN_ERR" >"$W/help.all"
assert_file_has "$W/help.all" '--root' "--help lists --root"
assert_file_has "$W/help.all" '--listen' "--help lists --listen"

e2e_run version "$CAPSULED" --version
assert_eq "$RUN_RC" 0 "--version: exit 0"
cat "$RUN_OUT" "$RUN_ERR" >"$W/version.all"
assert_file_has "$W/version.all" '[0-9]+\.[0-9]+' "--version prints a version number"

# --- a bad configuration ----------------------------------------------------

cd "$W" || exit 1
printf 'workers = 1\nnot_a_real_key = 3\n' >bad.toml
e2e_run badconf "$CAPSULED" serve --config bad.toml --root "$C" --certs "$E2E_DIR/certs" \
    --listen 127.0.0.1:0 --workers 1
assert_ne "$RUN_RC" 0 "serve with an unknown config key: non-zero exit"
assert_ne "$RUN_RC" 124 "serve with an unknown config key: exits by itself (no timeout)"
assert_file_has "$RUN_ERR" 'bad\.toml:2:' "bad config: 'bad.toml:2:' in stderr"
cat "$RUN_OUT" "$RUN_ERR" >"$W/badconf.all"
assert_file_lacks "$W/badconf.all" 'listening on' "bad config: never 'listening on'"

printf 'workers = "many"\n' >bad2.toml
e2e_run badval "$CAPSULED" serve --config bad2.toml --root "$C" --certs "$E2E_DIR/certs" \
    --listen 127.0.0.1:0 --workers 1
assert_ne "$RUN_RC" 0 "serve with a bad config value: non-zero exit"
assert_file_has "$RUN_ERR" 'bad2\.toml:1:' "bad value: 'bad2.toml:1:' in stderr"
cat "$RUN_OUT" "$RUN_ERR" >"$W/badval.all"
assert_file_lacks "$W/badval.all" 'listening on' "bad value: never 'listening on'"
cd /

e2e_done
