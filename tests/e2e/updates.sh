#!/bin/sh
# Changes on a running server reach every page that depends on them
# (issue 16): an edited, added, deleted or renamed post, a new folder, a
# changed tag list, each seen on the home page, its section, its tag
# pages, the feed, its neighbours' older/newer links and the pages that
# link to it, after their earlier versions were rendered and cached.
# Bounded polling (up to 30 s a step), no timing assertion.
# shellcheck disable=SC2034 # SUMMARY is read by lib.sh
. "$(dirname "$0")/lib.sh"

e2e_setup
C=$E2E_DIR/capsule
rm -rf "$C"
mkdir -p "$C/content/posts" "$C/content/notes"
P=$C/content/posts

cat >"$C/hugo.toml" <<'EOF'
title = "Updates Probe"
baseURL = "gemini://localhost/"
[taxonomies]
tag = "tags"
EOF
post() {	# FILE TITLE DATE TAGS BODY
	printf -- '---\ntitle: %s\ndate: %s\ntags: [%s]\n---\n\n%s\n' \
	    "$2" "$3" "$4" "$5" >"$1"
}
post "$P/a.md" "Post A" 2024-01-01 "xtag" "Body of A."
post "$P/b.md" "Post B" 2024-02-01 "xtag, ytag" "Body of B, first version."
post "$P/c.md" "Post C" 2024-03-01 "ytag" "Body of C."
post "$P/links.md" "Post Links" 2024-01-15 "" \
    "See [the new one](new.md), [C](c.md) and [B](/posts/b/)."
post "$C/content/notes/n1.md" "Note One" 2024-01-20 "" "A note."

# poll_for URL KIND ARG MSG: up to 150 requests 0.2 s apart (30 s).
# Kinds: has / lacks (ERE in a 20 body), status (pattern).
poll_for() {
	_n=0
	while [ $_n -lt 150 ]; do
		e2e_req "$1"
		# shellcheck disable=SC2254
		case $2 in
		has) [ "$STATUS" = 20 ] && grep -Eq -- "$3" "$BODYFILE" && break ;;
		lacks) [ "$STATUS" = 20 ] && ! grep -Eq -- "$3" "$BODYFILE" && break ;;
		status) case $STATUS in $3) break ;; esac ;;
		esac
		sleep 0.2
		_n=$((_n + 1))
	done
	if [ $_n -lt 150 ]; then
		e2e_ok "$4"
	else
		e2e_fail "$4: not seen in 30 s: status $STATUS, body $(head -c 300 "$BODYFILE" | tr '\n' '|')"
	fi
}

# Every page once, so that each is generated and cached before changes.
warm() {
	for _u in / /posts/ /notes/ /archive/ /tags/ /tags/xtag/ /tags/ytag/ \
	    /atom.xml /posts/atom.xml /tags/xtag/atom.xml /posts/a/ /posts/b/ \
	    /posts/c/ /posts/links/ /notes/n1/; do
		e2e_req "$(e2e_url "$_u")"
	done
}

e2e_start_server || e2e_done
expect "$(e2e_url /)" 20 "start: home"
has_line '^=> /posts/b/ 2024-02-01 Post B' "start: B on the home page"
expect "$(e2e_url /posts/links/)" 20 "start: the linking post"
has_line '^=> /posts/c/' "start: its link to C resolves"
lacks_line '^=> /posts/new/' "start: its link to a missing post does not"
warm

# --- edit a title: every list, the feed and both neighbours ---------------
post "$P/b.md" "Post B Edited" 2024-02-01 "xtag, ytag" "Body of B, first version."
poll_for "$(e2e_url /)" has '^=> /posts/b/ 2024-02-01 Post B Edited' "title edit: home"
poll_for "$(e2e_url /posts/)" has 'Post B Edited' "title edit: its section"
poll_for "$(e2e_url /tags/xtag/)" has 'Post B Edited' "title edit: tag page xtag"
poll_for "$(e2e_url /tags/ytag/)" has 'Post B Edited' "title edit: tag page ytag"
poll_for "$(e2e_url /archive/)" has 'Post B Edited' "title edit: archive"
poll_for "$(e2e_url /atom.xml)" has 'Post B Edited' "title edit: home feed"
poll_for "$(e2e_url /tags/xtag/atom.xml)" has 'Post B Edited' "title edit: tag feed"
poll_for "$(e2e_url /posts/b/)" has '^# Post B Edited' "title edit: its page"
poll_for "$(e2e_url /posts/c/)" has '^=> /posts/b/.*Post B Edited' "title edit: the newer neighbour's older link"
poll_for "$(e2e_url /posts/links/)" has '^=> /posts/b/.*Post B Edited' "title edit: the older neighbour's newer link"
expect "$(e2e_url /notes/n1/)" 20 "title edit: a page of another section"
lacks_line 'Post B' "title edit: neighbours stay in their section (n1 is none of B's)"
expect "$(e2e_url /posts/a/)" 20 "title edit: an unrelated page still served"
lacks_line 'Post B' "title edit: A is no neighbour of B"
warm

# --- edit a body: its page and the feed summary ---------------------------
post "$P/b.md" "Post B Edited" 2024-02-01 "xtag, ytag" "Body of B, second version."
poll_for "$(e2e_url /posts/b/)" has 'second version' "body edit: its page"
poll_for "$(e2e_url /atom.xml)" has 'second version' "body edit: the feed summary"
lacks_line 'first version' "body edit: the old summary is gone"

# --- add: lists, tags, and the page that linked to it before it existed ---
post "$P/new.md" "Post New" 2024-04-01 "ztag" "The new post."
poll_for "$(e2e_url /)" has '^=> /posts/new/ 2024-04-01 Post New' "add: home"
poll_for "$(e2e_url /posts/)" has 'Post New' "add: its section"
poll_for "$(e2e_url /tags/ztag/)" has 'Post New' "add: its new tag page"
poll_for "$(e2e_url /tags/)" has 'ztag' "add: the tag list"
poll_for "$(e2e_url /atom.xml)" has '/posts/new/' "add: the feed"
poll_for "$(e2e_url /posts/links/)" has '^=> /posts/new/' "add: a link that named nothing now resolves"
poll_for "$(e2e_url /posts/c/)" has '^=> /posts/new/' "add: its older neighbour's newer link"
warm

# --- rename: new URL, old URL gone, links to the old file stop resolving --
mv "$P/c.md" "$P/c2.md"
poll_for "$(e2e_url /posts/c2/)" status 20 "rename: the new URL"
poll_for "$(e2e_url /posts/c/)" status '5[01]' "rename: the old URL is gone"
poll_for "$(e2e_url /)" lacks '^=> /posts/c/ ' "rename: home lacks the old URL"
poll_for "$(e2e_url /posts/links/)" lacks '^=> /posts/c/' "rename: a link to the old file no longer resolves"
poll_for "$(e2e_url /posts/b/)" has '^=> /posts/c2/' "rename: the neighbour links the new URL"
poll_for "$(e2e_url /tags/ytag/)" has '/posts/c2/' "rename: the tag page"
warm

# --- tags changed ----------------------------------------------------------
post "$P/b.md" "Post B Edited" 2024-02-01 "wtag" "Body of B, second version."
poll_for "$(e2e_url /tags/wtag/)" has 'Post B Edited' "tags: on its new tag page"
poll_for "$(e2e_url /tags/xtag/)" lacks 'Post B' "tags: off its old tag page"
poll_for "$(e2e_url /tags/xtag/atom.xml)" lacks 'Post B' "tags: off its old tag feed"

# --- delete ----------------------------------------------------------------
rm -f "$P/a.md"
poll_for "$(e2e_url /posts/a/)" status '5[01]' "delete: its URL is gone"
poll_for "$(e2e_url /)" lacks '/posts/a/' "delete: home"
poll_for "$(e2e_url /tags/xtag/)" status 51 "delete: its tag, now empty, is gone"
poll_for "$(e2e_url /tags/)" lacks 'xtag' "delete: the tag list lacks it"
poll_for "$(e2e_url /atom.xml)" lacks '/posts/a/' "delete: the feed"
poll_for "$(e2e_url /posts/links/)" lacks '^=> /posts/a/' "delete: the newer neighbour's older link"

# --- a folder appears, then goes -------------------------------------------
mkdir -p "$P/deep/er"
post "$P/deep/er/d.md" "Post Deep" 2024-05-01 "" "Deep down."
poll_for "$(e2e_url /posts/)" has 'Post Deep' "folder added: its post in the section"
poll_for "$(e2e_url /)" has 'Post Deep' "folder added: home"
rm -rf "$P/deep"
poll_for "$(e2e_url /)" lacks 'Post Deep' "folder deleted: gone from home"
poll_for "$(e2e_url /posts/)" lacks 'Post Deep' "folder deleted: gone from the section"

# --- a section of its own ----------------------------------------------------
post "$C/content/notes/n2.md" "Note Two" 2024-06-01 "" "Another note."
poll_for "$(e2e_url /notes/)" has 'Note Two' "note added: its section"
e2e_req "$(e2e_url /posts/)"
lacks_line 'Note Two' "note added: not in another section"

assert_alive "server alive after every change"
e2e_done
