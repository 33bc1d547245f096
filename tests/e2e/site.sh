#!/bin/sh
# The generated site of a small Markdown capsule: the index as a Gemini
# subscription feed, post pages, Markdown sources, tag pages, Atom feeds,
# robots.txt, aliases, drafts (hidden, then shown with --drafts), change
# detection (edit, add, delete, rename) and broken posts that must not
# take the server down.
# shellcheck disable=SC2034 # SUMMARY is read by lib.sh
. "$(dirname "$0")/lib.sh"

e2e_setup
C=$E2E_DIR/capsule
P=$C/posts
mkdir -p "$P"
# lib.sh's static index.gmi would shadow the generated index.
rm -f "$C/index.gmi"

# Lagrange's subscription pattern, in POSIX ERE.
FEED_RE='^=>[[:space:]]*([^[:space:]]+)[[:space:]]+([0-9]{4}-[01][0-9]-[0-3][0-9])([^0-9].*)'
# A link line whose label starts with a digit.
DIGIT_RE='^=>[[:space:]]*[^[:space:]]+[[:space:]]+[0-9]'

cat >"$C/index.md" <<'EOF'
+++
title = "Siteprobe Reviews"
description = "Short notes written by the site test"
+++

Introduction paragraph of the siteprobe capsule.
EOF

cat >"$P/alpha.md" <<'EOF'
+++
title = "Alpha Review"
date = 2024-05-10
description = "Alpha summary line."
tags = ["anime", "film"]
[extra]
rating = 4
+++

Alpha body sentence about a film.
EOF

cat >"$P/beta.md" <<'EOF'
---
title: Beta Review
date: '2024-06-20'
tags:
  - anime
---

Beta body sentence about a series.
EOF

cat >"$P/2024-03-01-gamma.md" <<'EOF'
# Gamma Heading

Gamma body sentence with no front matter.
EOF

cat >"$P/draft.md" <<'EOF'
+++
title = "Draft Review"
date = 2024-07-01
draft = true
tags = ["anime"]
+++

Draft body sentence, unfinished.
EOF

cat >"$P/delta.md" <<'EOF'
+++
title = "Delta Review"
date = 2024-04-15
aliases = ["/old/path/"]
tags = ["music"]
+++

Delta body sentence about an album.
EOF

# --- helpers ---------------------------------------------------------

# Post link lines (feed lines) of $BODYFILE.
feed_lines() {
	grep -E "$DIGIT_RE" "$BODYFILE"
}

# check_feed_shape NAME: every digit-labelled link line matches
# Lagrange's pattern and the dates are in descending order.
check_feed_shape() {
	_bad=$(grep -E "$DIGIT_RE" "$BODYFILE" | grep -Ev "$FEED_RE")
	if [ -z "$_bad" ]; then
		e2e_ok "$1: every dated link line matches Lagrange's pattern"
	else
		e2e_fail "$1: lines not matching Lagrange's pattern: $(printf '%s' "$_bad" | tr '\n' '|')"
	fi
	_dates=$(grep -E "$FEED_RE" "$BODYFILE" |
	    sed -E 's/^=>[[:space:]]*[^[:space:]]+[[:space:]]+([0-9-]{10}).*/\1/')
	_sorted=$(printf '%s\n' "$_dates" | sort -r)
	if [ "$_dates" = "$_sorted" ]; then
		e2e_ok "$1: posts newest first"
	else
		e2e_fail "$1: dates not descending: $(printf '%s' "$_dates" | tr '\n' ' ')"
	fi
}

# has_line REGEX MSG: some line of $BODYFILE matches the ERE.
has_line() {
	if grep -Eq -- "$1" "$BODYFILE"; then
		e2e_ok "$2"
	else
		e2e_fail "$2: no line matching '$1' in: $(head -c 400 "$BODYFILE" | tr '\n' '|')"
	fi
}

lacks_line() {
	if grep -Eq -- "$1" "$BODYFILE"; then
		e2e_fail "$2: found $(grep -E -- "$1" "$BODYFILE" | head -n 1)"
	else
		e2e_ok "$2"
	fi
}

# poll URL EXPECT_KIND ARG: request URL every 0.2 s, at most 50 times,
# until the condition holds.  Kinds: has (ERE in body), lacks (ERE not in
# body), status (status pattern).  Returns 0 when it held.
poll() {
	_pu=$1 _pk=$2 _pa=$3
	_n=0
	while [ $_n -lt 50 ]; do
		e2e_req "$_pu"
		# shellcheck disable=SC2254
		case $_pk in
		has) [ "$STATUS" = 20 ] && grep -Eq -- "$_pa" "$BODYFILE" && return 0 ;;
		lacks) [ "$STATUS" = 20 ] && ! grep -Eq -- "$_pa" "$BODYFILE" && return 0 ;;
		status) case $STATUS in $_pa) return 0 ;; esac ;;
		esac
		sleep 0.2
		_n=$((_n + 1))
	done
	return 1
}

# expect_poll URL KIND ARG MSG
expect_poll() {
	_t0=$(e2e_now_ms)
	if poll "$1" "$2" "$3"; then
		e2e_ok "$4 (after $(( $(e2e_now_ms) - _t0 )) ms)"
	else
		e2e_fail "$4: not seen within 50 polls: status $STATUS, body $(head -c 300 "$BODYFILE" | tr '\n' '|')"
	fi
}

# log_names_file LOG FILE MSG: a log line names FILE with :LINE:.
log_names_file() {
	if grep -Eq -- "$2:[0-9]+:" "$1"; then
		e2e_ok "$3"
	else
		_l=$(grep -F -- "$2" "$1" | head -n 2 | tr '\n' '|')
		SUMMARY=
		e2e_fail "$3: no '$2:LINE:' line in the log${_l:+ (lines naming it: $_l)}"
	fi
}

# --- the index ---------------------------------------------------------

e2e_start_server || e2e_done

expect "$(e2e_url /)" 20 "index"
assert_meta 'text/gemini*' "index: text/gemini"
assert_eq "$(head -n 1 "$BODYFILE")" "# Siteprobe Reviews" "index: first line is '# Title'"
assert_eq "$(sed -n 2p "$BODYFILE")" "## Short notes written by the site test" "index: second line is '## Subtitle'"
assert_body_contains "Introduction paragraph of the siteprobe capsule." "index: intro from index.md"
check_feed_shape index
has_line '^=> /posts/beta/ 2024-06-20 Beta Review$' "index: YAML post with quoted date"
has_line '^=> /posts/alpha/ 2024-05-10 Alpha Review$' "index: TOML post"
has_line '^=> /posts/delta/ 2024-04-15 Delta Review$' "index: post with alias"
has_line '^=> /posts/gamma/ 2024-03-01 Gamma Heading$' "index: no front matter: slug and date from file name, title from heading"
lacks_line 'draft|Draft Review' "index: draft not listed"
assert_eq "$(feed_lines | wc -l | tr -d ' ')" 4 "index: 4 post lines"
assert_eq "$(feed_lines | sed 's/^=> \([^ ]*\) .*/\1/' | tr '\n' ' ')" \
    "/posts/beta/ /posts/alpha/ /posts/delta/ /posts/gamma/ " "index: order"
has_line '^=> /atom\.xml' "index: links the Atom feed"
has_line '^=> /tags/' "index: links the tags"
# index.md is the introduction, not a post: no "no date" warning for it.
if grep -q 'index\.md.*warning\|warning.*index\.md' "$SERVER_LOG"; then
	SUMMARY=
	e2e_fail "log: warning about index.md: $(grep 'index\.md' "$SERVER_LOG" | head -n 1)"
else
	e2e_ok "log: no warning about index.md"
fi
INDEX_POSTS=$(feed_lines | sed 's/^=> \([^ ]*\) .*/\1/')

# --- a post page ---------------------------------------------------------

expect "$(e2e_url /posts/alpha/)" 20 "post page"
assert_meta 'text/gemini*' "post: text/gemini"
assert_eq "$(head -n 1 "$BODYFILE")" "# Alpha Review" "post: first line '# Title'"
case $(sed -n 2p "$BODYFILE") in
2024-05-10*★★★★☆*) e2e_ok "post: date line with rating stars" ;;
*) e2e_fail "post: second line: got '$(sed -n 2p "$BODYFILE")', want '2024-05-10 … ★★★★☆'" ;;
esac
assert_body_contains "Alpha summary line." "post: description"
assert_body_contains "Alpha body sentence about a film." "post: body"
has_line '^=> /tags/anime/' "post: link to tag anime"
has_line '^=> /tags/film/' "post: link to tag film"
has_line '^=> / Index$' "post: '=> / Index'"
lacks_line "$FEED_RE" "post: no link label starting with a date"
lacks_line '^\+\+\+|^title = ' "post: no front matter in the page"

expect "$(e2e_url /posts/gamma/)" 20 "post without front matter"
assert_eq "$(head -n 1 "$BODYFILE")" "# Gamma Heading" "gamma: title from heading"
case $(sed -n 2p "$BODYFILE") in
2024-03-01*) e2e_ok "gamma: date from file name" ;;
*) e2e_fail "gamma: second line: got '$(sed -n 2p "$BODYFILE")'" ;;
esac
assert_body_contains "Gamma body sentence" "gamma: body"

expect "$(e2e_url /posts/beta/)" 20 "YAML post"
assert_eq "$(head -n 1 "$BODYFILE")" "# Beta Review" "beta: title"
has_line '^=> /tags/anime/' "beta: tag link"

# --- source ---------------------------------------------------------------

expect "$(e2e_url /posts/alpha.md)" 20 "post source"
assert_meta 'text/markdown*' "source: text/markdown"
if cmp -s "$BODYFILE" "$P/alpha.md"; then
	e2e_ok "source: the file byte for byte"
else
	e2e_fail "source: differs from posts/alpha.md"
fi

# --- tags -------------------------------------------------------------------

expect "$(e2e_url /tags/)" 20 "tag list"
assert_meta 'text/gemini*' "tags: text/gemini"
for t in anime film music; do
	has_line "^=>[[:space:]]*/tags/$t/" "tags: lists $t"
done
lacks_line '/tags/draft|Draft' "tags: nothing from the draft"

expect "$(e2e_url /tags/anime/)" 20 "tag page"
assert_meta 'text/gemini*' "tag page: text/gemini"
case $(head -n 1 "$BODYFILE") in
'# '*) e2e_ok "tag page: first line is a '# ' heading" ;;
*) e2e_fail "tag page: first line '$(head -n 1 "$BODYFILE")'" ;;
esac
check_feed_shape "tag anime"
assert_eq "$(feed_lines | sed 's/^=> \([^ ]*\) .*/\1/' | tr '\n' ' ')" \
    "/posts/beta/ /posts/alpha/ " "tag anime: exactly its listed posts, newest first"

expect "$(e2e_url /tags/music/)" 20 "tag page music"
assert_eq "$(feed_lines | sed 's/^=> \([^ ]*\) .*/\1/' | tr '\n' ' ')" \
    "/posts/delta/ " "tag music: only delta"
expect "$(e2e_url /tags/nosuchtag/)" 51 "unknown tag"

# --- Atom -------------------------------------------------------------------

# check_atom URL NAME POSTS...: the feed at URL has one entry per post.
check_atom() {
	_au=$1 _an=$2
	shift 2
	expect "$(e2e_url "$_au")" 20 "$_an"
	assert_meta 'application/atom+xml*' "$_an: application/atom+xml"
	if _x=$(xmllint --noout "$BODYFILE" 2>&1); then
		e2e_ok "$_an: well-formed XML (xmllint)"
	else
		e2e_fail "$_an: xmllint: $(printf '%s' "$_x" | head -n 3 | tr '\n' '|')"
	fi
	assert_body_contains 'xmlns="http://www.w3.org/2005/Atom"' "$_an: Atom namespace"
	_ns='declare namespace a="http://www.w3.org/2005/Atom";'
	_ft=$(xmllint --xpath 'string(/*[local-name()="feed"]/*[local-name()="title"])' "$BODYFILE" 2>/dev/null)
	assert_match "$_ft" 'Siteprobe Reviews*' "$_an: feed title"
	_fi=$(xmllint --xpath 'string(/*[local-name()="feed"]/*[local-name()="id"])' "$BODYFILE" 2>/dev/null)
	assert_match "$_fi" 'gemini://*' "$_an: feed id"
	_fu=$(xmllint --xpath 'string(/*[local-name()="feed"]/*[local-name()="updated"])' "$BODYFILE" 2>/dev/null)
	if printf '%s\n' "$_fu" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'; then
		e2e_ok "$_an: feed updated is RFC 3339"
	else
		e2e_fail "$_an: feed updated '$_fu'"
	fi
	_ne=$(xmllint --xpath 'count(/*[local-name()="feed"]/*[local-name()="entry"])' "$BODYFILE" 2>/dev/null)
	assert_eq "$_ne" "$#" "$_an: one entry per listed post"
	for _post in "$@"; do
		if grep -Eq "<link[^>]*href=\"gemini://[^\"]*$_post\"" "$BODYFILE"; then
			e2e_ok "$_an: entry links gemini://…$_post"
		else
			e2e_fail "$_an: no gemini:// link to $_post"
		fi
	done
	_nl=$(xmllint --xpath 'count(/*[local-name()="feed"]/*[local-name()="entry"][*[local-name()="id"] and *[local-name()="title"] and *[local-name()="updated"] and *[local-name()="summary"] and *[local-name()="link"][starts-with(@href,"gemini://")]])' "$BODYFILE" 2>/dev/null)
	assert_eq "$_nl" "$#" "$_an: every entry has id, title, updated, summary, gemini:// link"
	: "$_ns"
}

# shellcheck disable=SC2086
check_atom /atom.xml atom $INDEX_POSTS
lacks_line 'draft' "atom: draft absent"
check_atom /tags/anime/atom.xml "tag atom" /posts/beta/ /posts/alpha/

# --- robots.txt, aliases, drafts ---------------------------------------------

expect "$(e2e_url /robots.txt)" 20 "robots.txt"
assert_meta 'text/plain*' "robots.txt: text/plain"
has_line '^User-agent: \*' "robots.txt: default allows every agent"
lacks_line '^Disallow: /.+' "robots.txt: default disallows nothing"

expect "$(e2e_url /old/path/)" 31 "alias"
assert_match "$META" 'gemini://*/posts/delta/|/posts/delta/' "alias: redirects to the post URL"

expect "$(e2e_url /old/path)" 31 "alias without its trailing slash"
assert_match "$META" 'gemini://*/posts/delta/' "alias without slash: redirects to the post URL"

# A page's URL without its slash, and the 0.1 URLs, answer 31.
expect "$(e2e_url /posts/alpha)" 31 "post URL without its slash"
assert_match "$META" 'gemini://*/posts/alpha/' "no slash: redirects to the slashed URL"
expect "$(e2e_url '/posts/alpha?q=1%202')" 31 "no slash, with a query"
assert_match "$META" 'gemini://*/posts/alpha/?q=1%202' "no slash: the query is kept"
# A request of 1,024 bytes whose redirect would be 1,025: 59, never cut.
LONGQ=$(e2e_url '/posts/alpha?')
LONGQ=$LONGQ$(printf '%*s' $((1024 - ${#LONGQ})) '' | tr ' ' q)
expect "$LONGQ" 59 "no slash, a query that would make the redirect too long"
expect "$(e2e_url /posts/alpha.gmi)" 31 "0.1 post URL"
assert_match "$META" 'gemini://*/posts/alpha/' "0.1 post URL: redirects to the page"
expect "$(e2e_url /posts/gamma.gmi)" 31 "0.1 URL of a date-prefixed file"
assert_match "$META" 'gemini://*/posts/gamma/' "0.1 date-prefixed: redirects to the page"
expect "$(e2e_url /tags/anime.gmi)" 31 "0.1 tag URL"
assert_match "$META" 'gemini://*/tags/anime/' "0.1 tag URL: redirects to the tag page"
expect "$(e2e_url /tags/anime.xml)" 31 "0.1 tag feed URL"
assert_match "$META" 'gemini://*/tags/anime/atom.xml' "0.1 tag feed: redirects to the feed"
expect "$(e2e_url /posts/draft.gmi)" 51 "0.1 URL of a draft: not found"

# The section: its pages newest first, and its feed.
expect "$(e2e_url /posts/)" 20 "section /posts/"
has_line '^# Posts$' "section: titled by its folder"
has_line '^=> /posts/beta/ 2024-06-20 Beta Review$' "section: lists its pages"
lacks_line '^=> /posts/draft/' "section: no draft"
expect "$(e2e_url /posts/atom.xml)" 20 "section feed"
assert_meta 'application/atom+xml*' "section feed: Atom"
expect "$(e2e_url /archive/)" 20 "archive"
has_line '^=> /posts/alpha/ 2024-05-10 Alpha Review$' "archive: lists every page"

expect "$(e2e_url /posts/draft/)" 51 "draft page hidden"
expect "$(e2e_url /posts/draft.md)" 51 "draft source hidden"
expect "$(e2e_url /posts/nosuch/)" 51 "unknown post"

# The capsule's own robots.txt replaces the default once it appears.
printf 'User-agent: archiver\nDisallow: /\n' >"$C/robots.txt"
expect_poll "$(e2e_url /robots.txt)" has '^User-agent: archiver' "robots.txt: the capsule's own, once written"
rm -f "$C/robots.txt"
expect_poll "$(e2e_url /robots.txt)" has '^User-agent: \*' "robots.txt: the default again once removed"

# --- change detection ----------------------------------------------------

# Edit: a new title.
sed 's/^title = "Alpha Review"$/title = "Alpha Revised Edition"/' "$P/alpha.md" >"$E2E_DIR/alpha.new"
cat "$E2E_DIR/alpha.new" >"$P/alpha.md"
expect_poll "$(e2e_url /)" has '^=> /posts/alpha/ 2024-05-10 Alpha Revised Edition$' \
    "edit: index shows the new title"
e2e_req "$(e2e_url /posts/alpha/)"
assert_eq "$(head -n 1 "$BODYFILE")" "# Alpha Revised Edition" "edit: post page has the new title"

# Edit again at once, same size (same second, same length: only the
# content and the sub-second mtime differ).
sed 's/^title = "Alpha Revised Edition"$/title = "Alpha Rewrote Edition"/' "$P/alpha.md" >"$E2E_DIR/alpha.new"
cat "$E2E_DIR/alpha.new" >"$P/alpha.md"
expect_poll "$(e2e_url /)" has '^=> /posts/alpha/ 2024-05-10 Alpha Rewrote Edition$' \
    "edit (same size, same second): index shows the new title"

# Add.
cat >"$P/epsilon.md" <<'EOF'
+++
title = "Epsilon Review"
date = 2024-08-01
tags = ["anime"]
+++

Epsilon body sentence, freshly added.
EOF
expect_poll "$(e2e_url /)" has '^=> /posts/epsilon/ 2024-08-01 Epsilon Review$' "add: in the index"
assert_eq "$(feed_lines | head -n 1 | cut -d' ' -f2)" /posts/epsilon/ "add: newest, so first"
check_feed_shape "index after add"
e2e_req "$(e2e_url /tags/anime/)"
has_line '^=> /posts/epsilon/ 2024-08-01 Epsilon Review$' "add: on its tag page"
e2e_req "$(e2e_url /atom.xml)"
assert_body_contains '/posts/epsilon/' "add: in atom.xml"
expect "$(e2e_url /posts/epsilon/)" 20 "add: page served"
assert_body_contains "Epsilon body sentence" "add: page body"

# Delete (the aliased post).
rm -f "$P/delta.md"
expect_poll "$(e2e_url /posts/delta/)" status 51 "delete: URL answers 51"
e2e_req "$(e2e_url /)"
lacks_line '/posts/delta/' "delete: gone from the index"
e2e_req "$(e2e_url /atom.xml)"
assert_body_lacks '/posts/delta/' "delete: gone from atom.xml"
e2e_req "$(e2e_url /old/path/)"
assert_status 51 "delete: its alias answers 51 too"

# Rename: the slug follows the file name.
mv "$P/2024-03-01-gamma.md" "$P/2024-03-01-gamma-moved.md"
expect_poll "$(e2e_url /posts/gamma-moved/)" status 20 "rename: new URL answers 20"
e2e_req "$(e2e_url /posts/gamma/)"
assert_status 51 "rename: old URL answers 51"
e2e_req "$(e2e_url /)"
has_line '^=> /posts/gamma-moved/ 2024-03-01 Gamma Heading$' "rename: index has the new URL"
lacks_line '^=> /posts/gamma/' "rename: index lacks the old URL"

# --- broken posts ------------------------------------------------------------

printf '+++\ntitle = "Unclosed"\ndate = 2024-02-02\n\nUnclosed body.\n' >"$P/unclosed.md"
printf '+++\ntitle = "Bad Bytes"\ndate = 2024-02-03\n+++\n\nBefore \377\376 after.\n' >"$P/badutf.md"
: >"$P/empty.md"
# Wait until the server has noticed them (each is logged).
_n=0
while [ $_n -lt 15 ]; do
	grep -q 'badutf\.md' "$SERVER_LOG" && grep -q 'unclosed\.md' "$SERVER_LOG" &&
	    grep -q 'empty\.md' "$SERVER_LOG" && break
	sleep 0.2
	_n=$((_n + 1))
done
assert_alive "broken posts: server still running"
expect "$(e2e_url /)" 20 "broken posts: index still served"
check_feed_shape "index with broken posts"
expect "$(e2e_url /posts/beta/)" 20 "broken posts: other posts still served"
assert_body_contains "Beta body sentence" "broken posts: other post body"
e2e_req "$(e2e_url /posts/badutf/)"
assert_status '20|51' "broken posts: invalid UTF-8 post answers cleanly"
if [ "$STATUS" = 20 ]; then
	if iconv -f UTF-8 -t UTF-8 "$BODYFILE" >/dev/null 2>&1; then
		e2e_ok "broken posts: invalid bytes not passed through (body is UTF-8)"
	else
		e2e_fail "broken posts: body of badutf.gmi is not valid UTF-8"
	fi
fi
log_names_file "$SERVER_LOG" unclosed.md "log: unclosed front matter named with :LINE:"
log_names_file "$SERVER_LOG" badutf.md "log: invalid UTF-8 named with :LINE:"
log_names_file "$SERVER_LOG" empty.md "log: empty file named with :LINE:"

# --- restart with --drafts --------------------------------------------------

e2e_stop_server
assert_eq "$SERVER_EXIT" 0 "first server exits 0 on SIGTERM"
e2e_start_server --drafts || e2e_done
expect "$(e2e_url /)" 20 "--drafts: index"
has_line '^=> /posts/draft/ 2024-07-01 Draft Review$' "--drafts: draft listed"
check_feed_shape "--drafts index"
expect "$(e2e_url /posts/draft/)" 20 "--drafts: draft page served"
assert_body_contains "Draft body sentence" "--drafts: draft body"
expect "$(e2e_url /posts/draft.md)" 20 "--drafts: draft source served"
e2e_req "$(e2e_url /tags/anime/)"
has_line '^=> /posts/draft/' "--drafts: draft on its tag page"
# Broken posts present at start-up are reported too.
log_names_file "$SERVER_LOG" unclosed.md "start-up log: unclosed front matter with :LINE:"
log_names_file "$SERVER_LOG" badutf.md "start-up log: invalid UTF-8 with :LINE:"
assert_alive "--drafts server alive"

# --- 0.1 tag URLs on a Hugo site: the term's URL is urlized -----------------

e2e_stop_server
H=$E2E_DIR/hugosite
mkdir -p "$H/content/posts"
printf 'title = "Hugo Probe"\n' >"$H/hugo.toml"
cat >"$H/content/posts/epsilon.md" <<'EOF2'
+++
title = "Epsilon Review"
date = 2024-02-02
tags = ["Science Fiction"]
+++

Epsilon body sentence about a novel.
EOF2
e2e_start serve --root "$H" --certs "$E2E_DIR/certs" --host localhost \
    --listen 127.0.0.1:0 --workers 1 || e2e_done
expect "$(e2e_url /tags/science-fiction/)" 20 "hugo: term URL lowercased and hyphenated"
has_line '^=> /posts/epsilon/' "hugo: the term page lists its post"
expect "$(e2e_url '/tags/Science%20Fiction.gmi')" 31 "hugo: 0.1 URL of a tag with a space and capitals"
assert_match "$META" 'gemini://*/tags/science-fiction/' "hugo: 0.1 tag URL redirects to the term's URL"
expect "$(e2e_url "/${META#gemini://*/}")" 20 "hugo: the 0.1 tag URL's target answers 20"
expect "$(e2e_url '/tags/Science%20Fiction.xml')" 31 "hugo: 0.1 tag feed URL"
assert_match "$META" 'gemini://*/tags/science-fiction/atom.xml' "hugo: 0.1 tag feed redirects to the term's feed"
expect "$(e2e_url /tags/science-fiction/atom.xml)" 20 "hugo: the term's feed answers 20"

e2e_done
