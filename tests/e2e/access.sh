#!/bin/sh
# Access follows the content (issue 10, items 1, 2, 7, 8, 9, 12, 13).
# A capsule with [[protect]] areas (a folder, one post's page URL), drafts,
# symlinks into the protected folder, aliases and `url` front matter, and
# posts linking to protected posts and drafts.  Without the right
# certificate a protected post answers 60/61 at every address (page,
# source, file, alias, symlink) and appears in no listing (home, archive,
# tags, feeds, neighbours, links in other posts, folder listings); a draft
# likewise answers 51.  With the certificate everything is there, and the
# public pages stay public afterwards.  Then: an empty folder's listing,
# an oversized post logged once (not every second), a post `lang` that
# tries to inject a header line, redirects longer than a META may be, and
# non-ASCII controls in the access log.
. "$(dirname "$0")/lib.sh"

e2e_setup
K=$E2E_KEYS
B=$E2E_DIR/blog
mkdir -p "$K" "$B/posts" "$B/private" "$B/pub" "$B/notes" "$B/area/team" \
    "$B/empty"
MARK_SECRET=secret-body-5e1a
MARK_MEMBERS=members-body-77b1
MARK_DRAFT=draft-body-3c9d
MARK_NOTE=note-body-f00d
MARK_HIDDEN=hidden-draft-body-aa01

cat >"$B/index.md" <<'EOF'
+++
title = "Access Probe"
+++

Welcome. See [the secret intro link](private/secret.md).
EOF
cat >"$B/posts/public.md" <<'EOF'
+++
title = "Public One"
date = 2024-01-01
tags = ["film"]
+++

Links: [the secret](../private/secret.md), [draft one](draft1.md),
[the members page](members.md) and [public two](public2.md).

[the secret alone](../private/secret.md)

[the secret by its URL](/private/secret/)
EOF
cat >"$B/posts/public2.md" <<'EOF'
+++
title = "Public Two"
date = 2024-02-01
tags = ["film"]
+++

Second public post.
EOF
cat >"$B/private/secret.md" <<EOF
+++
title = "Secret Title"
date = 2024-03-01
tags = ["film", "secretonly"]
aliases = ["/old/secret/"]
+++

$MARK_SECRET
EOF
cat >"$B/posts/members.md" <<EOF
+++
title = "Members Title"
date = 2024-04-01
+++

$MARK_MEMBERS
EOF
cat >"$B/posts/draft1.md" <<EOF
+++
title = "Draft Title"
date = 2024-05-01
draft = true
aliases = ["/old/draft1"]
url = "/d1/"
+++

$MARK_DRAFT
EOF
mkdir -p "$B/posts/wip"
cat >"$B/posts/wip/index.md" <<'EOF'
+++
title = "Bundle Draft"
date = 2024-06-01
draft = true
+++

A draft with a file beside it: [the file](wipfile.txt).
EOF
printf 'wip-file-body-9b2e\n' >"$B/posts/wip/wipfile.txt"
cat >"$B/notes/visible.md" <<'EOF'
+++
title = "Visible Note"
date = 2023-01-01
+++

Visible.
EOF
cat >"$B/notes/hidden-draft.md" <<EOF
+++
title = "Hidden Draft Note"
date = 2023-02-01
draft = true
+++

$MARK_HIDDEN
EOF
printf '# Note\n\n%s\n' "$MARK_NOTE" >"$B/private/note.gmi"
printf '# OK\n' >"$B/pub/ok.gmi"
ln -s ../private/note.gmi "$B/pub/x.gmi"
ln -s ../private "$B/pub/privdir"
ln -s ../posts/draft1.md "$B/pub/y.txt"
printf '# Open\n' >"$B/area/open.gmi"
printf '# Team\n' >"$B/area/team/t.gmi"

for n in alice bob carol; do
	e2e_client_cert "$n" || e2e_fail "client certificate $n: $(tail -n 3 "$K/$n.log")"
done
FA=$(e2e_fingerprint "$K/alice.crt")
FC=$(e2e_fingerprint "$K/carol.crt")
CFG=$E2E_DIR/capsuled.toml
cat >"$CFG" <<EOF
drafts_fingerprints = ["$FA"]

[[protect]]
path = "/private/"
fingerprints = ["$FA"]

[[protect]]
path = "/posts/members/"
fingerprints = ["$FA"]

[[protect]]
path = "/area/team/"
fingerprints = ["$FA", "$FC"]
EOF

e2e_start_server_port --config "$CFG" --root "$B" || e2e_done

# lacks_all MSG TEXT...: the last body holds none of the texts.
lacks_all() {
	_m=$1
	shift
	for _t in "$@"; do
		assert_body_lacks "$_t" "$_m: no '$_t'"
	done
}
lacks_hidden() {	# MSG: no title or URL of a hidden post
	lacks_all "$1" "Secret Title" "Members Title" "Draft Title" \
	    "Hidden Draft" "secret.gmi" "members.gmi" "draft1" "hidden-draft" \
	    "secretonly" "/private/secret/" "/posts/members/" "/d1/" "Bundle Draft" \
	    "/posts/wip/"
}

# --- item 1: a protected post, every address, no certificate -------------
# (its page URL, its 0.1 URL, its source, its alias)
for p in /private/secret/ /private/secret /posts/secret.gmi /private/secret.md \
    /posts/members/ /posts/members /posts/members.gmi /posts/members.md \
    /old/secret/; do
	e2e_req "$(e2e_url "$p")"
	assert_status 60 "no certificate, $p: 60"
	assert_body_lacks "$MARK_SECRET" "no certificate, $p: no secret body"
	assert_body_lacks "$MARK_MEMBERS" "no certificate, $p: no members body"
	case $META in
	*secret* | *members*) e2e_fail "no certificate, $p: meta names the slug: $META" ;;
	*) e2e_ok "no certificate, $p: meta names no slug" ;;
	esac
done
e2e_req_as bob "$(e2e_url /private/secret/)"
assert_status 61 "unlisted certificate, /private/secret/: 61"
assert_body_lacks "$MARK_SECRET" "unlisted certificate: no secret body"
e2e_req_as bob "$(e2e_url /posts/members.md)"
assert_status 61 "unlisted certificate, /posts/members.md: 61"

# Symlinks inside the root lead to the protected files' rules.
for p in /pub/x.gmi /pub/privdir/note.gmi /pub/privdir/ /pub/privdir; do
	e2e_req "$(e2e_url "$p")"
	assert_match "$STATUS" '60' "no certificate, symlink $p: 60"
	assert_body_lacks "$MARK_NOTE" "no certificate, symlink $p: no note body"
done
e2e_req "$(e2e_url /pub/privdir/secret.md)"
assert_match "$STATUS" '60|51' "no certificate, /pub/privdir/secret.md: 60 or 51"
assert_body_lacks "$MARK_SECRET" "no certificate, /pub/privdir/secret.md: no body"

# Listings: home, archive, tags, feeds, neighbours.
for p in / /posts/ /archive/ /atom.xml /posts/atom.xml /tags/ /tags/film/ \
    /tags/film/atom.xml /posts/public2/ /posts/public/; do
	expect "$(e2e_url "$p")" 20 "no certificate, $p"
	lacks_hidden "no certificate, $p"
done
expect "$(e2e_url /)" 20 "no certificate, home"
assert_body_contains "Public One" "home lists the public posts"
assert_body_contains "the secret intro link" "home intro keeps the link text"
expect "$(e2e_url /tags/secretonly/)" 51 "no certificate, a tag only the protected post has: 51"
expect "$(e2e_url /tags/secretonly.gmi)" 51 "no certificate, that tag's 0.1 URL: 51"
# Link targets in other posts: text stays, the link goes.
expect "$(e2e_url /posts/public/)" 20 "no certificate, the linking post"
assert_body_contains "the secret" "linking post keeps the link text"
assert_body_contains "the secret alone" "a link-only paragraph becomes its text"
assert_body_contains "the secret by its URL" "a link by its site path becomes its text"
assert_body_contains "=> /posts/public2/" "a link to a public post stays a link"
# Search results: the protected post's words find nothing.
expect "$(e2e_url /search)?$MARK_SECRET" 20 "no certificate, search"
lacks_hidden "no certificate, search"
expect_as alice "$(e2e_url /search)?$MARK_SECRET" 20 "alice, search"
assert_body_contains "Secret Title" "alice, search finds the protected post"
# carol passes only /area/team/, which holds no post: the public pages.
expect_as carol "$(e2e_url /)" 20 "carol (team only), home"
lacks_hidden "carol (team only), home"

# --- item 2: drafts -------------------------------------------------------
for p in /old/draft1 /old/draft1/ /d1/ /d1 /posts/draft1.gmi /posts/draft1.md \
    /pub/y.txt /notes/hidden-draft.md; do
	e2e_req "$(e2e_url "$p")"
	assert_status 51 "no certificate, draft at $p: 51"
	assert_body_lacks "$MARK_DRAFT" "no certificate, draft at $p: no body"
	assert_body_lacks "$MARK_HIDDEN" "no certificate, draft at $p: no body"
done
# A file of a draft's bundle is hidden as its page is.
for p in /posts/wip/ /posts/wip/wipfile.txt /posts/wip/index.md; do
	e2e_req "$(e2e_url "$p")"
	assert_status 51 "no certificate, draft bundle $p: 51"
	assert_body_lacks "wip-file-body-9b2e" "no certificate, draft bundle $p: no body"
done
expect_as alice "$(e2e_url /posts/wip/wipfile.txt)" 20 "alice, the draft bundle's file"
assert_body_contains "wip-file-body-9b2e" "alice reads the draft bundle's file"
# Section and folder listings show neither drafts nor protected names.
expect "$(e2e_url /notes/)" 20 "no certificate, /notes/ section"
assert_body_contains "Visible Note" "/notes/ lists the public page"
assert_body_lacks "Hidden Draft" "/notes/ does not list the draft"
assert_body_lacks "hidden-draft" "/notes/ does not name the draft's file"
expect "$(e2e_url /notes/hidden-draft/)" 51 "no certificate, the draft's page URL: 51"
expect "$(e2e_url /pub/)" 20 "no certificate, /pub/ listing"
assert_body_contains "ok.gmi" "/pub/ lists a plain file"
lacks_all "/pub/ listing" "x.gmi" "privdir" "y.txt"
expect "$(e2e_url /area/)" 20 "no certificate, /area/ listing"
assert_body_contains "open.gmi" "/area/ lists a plain file"
assert_body_lacks "team" "/area/ does not list the protected folder"

# --- with the certificate: everything, as usual ----------------------------
expect_as alice "$(e2e_url /private/secret/)" 20 "alice, /private/secret/"
assert_body_contains "$MARK_SECRET" "alice reads the secret"
expect_as alice "$(e2e_url /posts/members.md)" 20 "alice, /posts/members.md"
assert_body_contains "$MARK_MEMBERS" "alice reads the members source"
expect_as alice "$(e2e_url /pub/x.gmi)" 20 "alice, symlink /pub/x.gmi"
assert_body_contains "$MARK_NOTE" "alice reads the note through the symlink"
for p in / /archive/ /atom.xml /tags/film/; do
	expect_as alice "$(e2e_url "$p")" 20 "alice, $p"
	assert_body_contains "Secret Title" "alice, $p lists the protected post"
	[ "$p" = /tags/film/ ] ||
	    assert_body_contains "Draft Title" "alice, $p lists the draft"
done
expect_as alice "$(e2e_url /posts/public/)" 20 "alice, the linking post"
assert_body_contains "=> /private/secret/" "alice: the link to the protected post"
assert_body_contains "=> /d1/" "alice: the link to the draft"
expect_as alice "$(e2e_url /tags/secretonly/)" 20 "alice, the protected post's own tag"
e2e_req_as alice "$(e2e_url /old/secret/)"
assert_status 31 "alice, the protected post's alias: 31"
assert_meta '*/private/secret/' "alice, the alias leads to the post"
expect_as alice "$(e2e_url /d1/)" 20 "alice, the draft at its url"
assert_body_contains "$MARK_DRAFT" "alice reads the draft"
e2e_req_as alice "$(e2e_url /posts/draft1.gmi)"
assert_status 31 "alice, the draft's 0.1 URL: 31"
assert_meta '*/d1/' "alice, the draft's 0.1 URL leads to its url"
expect_as alice "$(e2e_url /notes/)" 20 "alice, /notes/ section"
assert_body_contains "Hidden Draft Note" "alice: /notes/ lists the draft"
expect_as alice "$(e2e_url /pub/)" 20 "alice, /pub/ listing"
assert_body_contains "x.gmi" "alice: /pub/ lists the symlinked note"
assert_body_contains "privdir/" "alice: /pub/ lists the symlinked folder"
# And the shared pages did not take alice's view.
for p in / /atom.xml /posts/public/; do
	expect "$(e2e_url "$p")" 20 "no certificate after alice, $p"
	lacks_hidden "no certificate after alice, $p"
done

# --- item 7: an empty folder ------------------------------------------------
expect "$(e2e_url /empty/)" 20 "empty folder listing"
assert_body_contains "# /empty/" "empty folder listing has its heading"
assert_alive "server alive after the empty listing"

# --- item 12: a redirect never cut -------------------------------------------
# A folder named with 240 bytes of "é", twice: requested raw (about 500
# bytes) without its slash, its redirect percent-encodes to ~1,450.
E=$(printf 'é%.0s' $(seq 1 120))
mkdir -p "$B/$E/$E"
e2e_req "$(e2e_url "/$E/$E")"
assert_status 59 "a redirect longer than 1,024 bytes: 59, not cut"
# A query that makes the redirect one byte too long.
# (/pub is a plain folder: its redirect keeps the query.)
pre="gemini://localhost:$PORT/pub?"
q=$(head -c $((1024 - ${#pre})) /dev/zero | tr '\0' q)
e2e_req "$pre$q"
assert_status 59 "a 1,024-byte request whose redirect would be 1,025: 59"
pre="gemini://localhost:$PORT/pub?"
e2e_req "${pre}short"
assert_status 31 "a short query: 31"
assert_meta '*/pub/?short' "the short query is kept whole"

# --- item 13: non-ASCII controls in the access log ----------------------------
# U+009B (CSI), U+202E (right-to-left override) and a lone 0xff byte.
e2e_req "" --raw-hex "$(e2e_hex "gemini://localhost:$PORT/c1")c29b$(e2e_hex /bidi)e280ae$(e2e_hex /bad)ff0d0a"
e2e_req "" --raw-hex "$(e2e_hex "gemini://localhost:$PORT/c1ok")c29b$(e2e_hex /bidiok)e280ae0d0a"
sleep 0.3
assert_eq "$(grep -c "$(printf '\302\233')" "$SERVER_LOG")" 0 "log: no raw U+009B"
assert_eq "$(grep -c "$(printf '\342\200\256')" "$SERVER_LOG")" 0 "log: no raw U+202E"
assert_eq "$(LC_ALL=C grep -c "$(printf '\377')" "$SERVER_LOG")" 0 "log: no raw 0xff"
assert_eq "$(grep -c 'c1\\xc2\\x9b/bidi\\xe2\\x80\\xae/bad\\xff' "$SERVER_LOG")" 1 "log: the invalid request escaped"
assert_eq "$(grep -c 'c1ok\\xc2\\x9b/bidiok\\xe2\\x80\\xae' "$SERVER_LOG")" 1 "log: the valid one escaped too"
expect "$(e2e_url "/$(printf 'caf\303\251')")" 51 "a plain accented request"
sleep 0.2
assert_eq "$(grep -c "/$(printf 'caf\303\251')\"" "$SERVER_LOG")" 1 "log: printable UTF-8 stays readable"
assert_alive
e2e_stop_server

# --- item 8: an oversized post is logged once, not every second ---------------
O=$E2E_DIR/big
mkdir -p "$O/posts"
printf '+++\ntitle = "Small"\ndate = 2024-01-01\n+++\n\nSmall.\n' >"$O/posts/small.md"
{
	printf '+++\ntitle = "Huge"\ndate = 2024-01-02\n+++\n\n'
	head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' 'a'
} >"$O/posts/huge.md"
e2e_start serve --root "$O" --certs "$E2E_DIR/certs" --host localhost \
    --listen 127.0.0.1:0 --workers 2 || e2e_done
# Wait (polled, at most 30 s) for the first line, then 3.5 s more of
# rescans: still one line, however slow the machine.
i=0
while [ $i -lt 300 ] && ! grep -q 'huge\.md' "$SERVER_LOG"; do
	sleep 0.1
	i=$((i + 1))
done
sleep 3.5
assert_eq "$(grep -c 'huge\.md' "$SERVER_LOG")" 1 "oversized post: logged once, not on each rescan"
assert_eq "$(grep -c 'changes seen' "$SERVER_LOG")" 0 "oversized post: no rebuild while it stays the same"
expect "$(e2e_url /posts/small/)" 20 "the other post is served"
printf '+++\ntitle = "Huge no more"\ndate = 2024-01-02\n+++\n\nFixed.\n' >"$O/posts/huge.md"
# Polled (at most ~60 s) until the new text shows: until the next scan the
# page of the failed file may still answer 20 with what was known of it.
i=0
while [ $i -lt 600 ]; do
	e2e_req "$(e2e_url /posts/huge/)"
	[ "$STATUS" = 20 ] && grep -qF 'Fixed.' "$BODYFILE" && break
	sleep 0.1
	i=$((i + 1))
done
assert_status 20 "once fixed, the post is served"
assert_body_contains "Fixed." "once fixed, its new text"
e2e_stop_server

# --- item 9: lang is a language tag, never a header line -----------------------
L=$E2E_DIR/lang
mkdir -p "$L/posts"
cat >"$L/posts/inject.md" <<'EOF'
+++
title = "Inject"
date = 2024-01-01
lang = "en\r\n=> gemini://evil.example/ injected"
+++

Body.
EOF
cat >"$L/posts/good.md" <<'EOF'
+++
title = "Good"
date = 2024-01-02
lang = "pt-BR"
+++

Corpo.
EOF
e2e_start serve --root "$L" --certs "$E2E_DIR/certs" --host localhost \
    --listen 127.0.0.1:0 --workers 1 || e2e_done
expect "$(e2e_url /posts/inject/)" 20 "injected lang: served"
assert_eq "$(tr -d '\r' <"$HEADERFILE" | head -n 1)" "20 text/gemini; charset=utf-8" "injected lang: dropped from the header"
assert_body_lacks "evil.example" "injected lang: nothing injected into the body"
expect "$(e2e_url /posts/good/)" 20 "valid lang: served"
assert_meta 'text/gemini; charset=utf-8; lang=pt-BR' "valid lang: kept"
assert_match "$(grep -c 'inject\.md:4: .*lang' "$SERVER_LOG")" '[1-9]*' "injected lang: logged with file:line"
e2e_stop_server
out=$("$CAPSULED" check "$L" 2>&1)
assert_match "$out" "*inject.md:4: warning:*lang*" "check: file:line warning for the bad lang"
# The server's own lang (--lang, lang, [[host]] lang) is checked likewise.
out=$(timeout 10 "$CAPSULED" serve --root "$L" --certs "$E2E_DIR/certs" \
    --listen 127.0.0.1:0 --workers 1 --lang 'en; q=1' 2>&1)
rc=$?
assert_eq "$rc" 2 "--lang that is no language tag: refused before binding"
assert_match "$out" "*lang is not a language tag*" "--lang that is no language tag: says why"

e2e_done
