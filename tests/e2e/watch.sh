#!/bin/sh
# The tree watcher (issue 16): posts and folders of posts added, edited,
# renamed and deleted in a Hugo site are served after the change, once
# with inotify and once with the fallback scan (CAPSULED_WATCH=scan, the
# mode for trees inotify cannot see); a worker started after a change
# serves it too. Each step polls (at most 30 s); nothing is timed.
# shellcheck disable=SC2034 # SUMMARY is read by lib.sh
. "$(dirname "$0")/lib.sh"

e2e_setup

# poll URL KIND ARG: every 0.2 s, at most 150 times, until the body has
# (has) or lacks (lacks) the ERE, or the status matches (status).
poll() {
	_n=0
	while [ $_n -lt 150 ]; do
		e2e_req "$1"
		# shellcheck disable=SC2254
		case $2 in
		has) [ "$STATUS" = 20 ] && grep -Eq -- "$3" "$BODYFILE" && return 0 ;;
		lacks) [ "$STATUS" = 20 ] && ! grep -Eq -- "$3" "$BODYFILE" && return 0 ;;
		status) case $STATUS in $3) return 0 ;; esac ;;
		esac
		sleep 0.2
		_n=$((_n + 1))
	done
	return 1
}

# step MSG URL KIND ARG
step() {
	_msg=$1
	shift
	if poll "$@"; then
		e2e_ok "$MODE: $_msg"
	else
		e2e_fail "$MODE: $_msg (after 30 s: status $STATUS, body $(head -c 200 "$BODYFILE" | tr '\n' '|'))"
	fi
}

post() {	# FILE TITLE DATE
	mkdir -p "$(dirname "$1")"
	printf '+++\ntitle = "%s"\ndate = %s\n+++\n\nBody of %s.\n' "$2" "$3" "$2" >"$1"
}

run_mode() {	# MODE (inotify or scan)
	MODE=$1
	S=$E2E_DIR/site-$MODE
	mkdir -p "$S/content/posts" "$S/static" "$E2E_DIR/certs"
	printf 'title = "Watched"\nbaseURL = "https://example.org/"\n' >"$S/hugo.toml"
	post "$S/content/posts/first.md" "First Post" 2024-01-01
	if [ "$MODE" = scan ]; then
		CAPSULED_WATCH=scan
		export CAPSULED_WATCH
	fi
	e2e_start serve --root "$S" --certs "$E2E_DIR/certs" \
	    --host localhost --listen 127.0.0.1:0 --workers 2
	_rc=$?
	unset CAPSULED_WATCH
	[ $_rc -eq 0 ] || return
	expect "$(e2e_url /)" 20 "$MODE: home served"
	assert_body_contains "First Post" "$MODE: home lists the first post"
	if [ "$MODE" = scan ]; then
		if grep -q 'cannot watch (CAPSULED_WATCH=scan)' "$SERVER_LOG"; then
			e2e_ok "scan: the fallback is logged"
		else
			e2e_fail "scan: no 'cannot watch' line in the log"
		fi
	elif grep -q 'cannot watch' "$SERVER_LOG"; then
		e2e_skip "inotify: not usable here ($(grep 'cannot watch' "$SERVER_LOG" | head -n 1))"
	fi

	post "$S/content/posts/added.md" "Added Post" 2024-02-01
	step "add: listed on /" "$(e2e_url /)" has '^=> /posts/added/ 2024-02-01 Added Post$'
	step "add: page served" "$(e2e_url /posts/added/)" has 'Body of Added Post'

	post "$S/content/posts/added.md" "Edited Post" 2024-02-01
	step "edit: new title on /" "$(e2e_url /)" has '^=> /posts/added/ 2024-02-01 Edited Post$'
	step "edit: page shows it" "$(e2e_url /posts/added/)" has 'Body of Edited Post'

	mv "$S/content/posts/added.md" "$S/content/posts/renamed.md"
	step "rename: new URL served" "$(e2e_url /posts/renamed/)" has 'Body of Edited Post'
	step "rename: old URL gone" "$(e2e_url /posts/added/)" status 51

	rm "$S/content/posts/renamed.md"
	step "delete: URL gone" "$(e2e_url /posts/renamed/)" status 51
	step "delete: not on /" "$(e2e_url /)" lacks '/posts/renamed/'

	# A folder of posts written elsewhere and moved in.
	post "$E2E_DIR/batch-$MODE/one.md" "Batch One" 2024-03-01
	post "$E2E_DIR/batch-$MODE/two.md" "Batch Two" 2024-03-02
	mv "$E2E_DIR/batch-$MODE" "$S/content/posts/batch"
	step "folder moved in: its posts served" "$(e2e_url /posts/batch/two/)" has 'Body of Batch Two'
	step "folder moved in: listed on /" "$(e2e_url /)" has '^=> /posts/batch/one/ 2024-03-01 Batch One$'
	# A post written into the moved folder: it is watched too.
	post "$S/content/posts/batch/three.md" "Batch Three" 2024-03-03
	step "post in the moved folder: served" "$(e2e_url /posts/batch/three/)" has 'Body of Batch Three'

	mv "$S/content/posts/batch" "$S/content/posts/lot"
	step "folder renamed: new URLs" "$(e2e_url /posts/lot/three/)" has 'Body of Batch Three'
	step "folder renamed: old URLs gone" "$(e2e_url /posts/batch/one/)" status 51
	post "$S/content/posts/lot/four.md" "Lot Four" 2024-03-04
	step "post in the renamed folder: served" "$(e2e_url /posts/lot/four/)" has 'Body of Lot Four'

	# Folders created deep at once, then written into.
	mkdir -p "$S/content/posts/deep/er/still"
	post "$S/content/posts/deep/er/still/bottom.md" "Deep Bottom" 2024-04-01
	step "new nested folders: post served" "$(e2e_url /posts/deep/er/still/bottom/)" has 'Body of Deep Bottom'

	rm -rf "$S/content/posts/lot"
	step "folder deleted: its posts gone" "$(e2e_url /posts/lot/four/)" status 51
	step "folder deleted: not on /" "$(e2e_url /)" lacks '/posts/lot/'

	# A worker started after the changes serves them too.
	_w=$(e2e_children "$SERVER_PID" | cut -d' ' -f1)
	if e2e_measured "$_w" '[0-9]*' "$MODE: a worker's pid"; then
		kill -KILL "$_w"
		_i=0
		while [ $_i -lt 150 ]; do
			_now=$(e2e_children "$SERVER_PID")
			case " $_now " in
			*" $_w "*) ;;
			*) [ "$(echo "$_now" | wc -w)" -eq 2 ] && break ;;
			esac
			sleep 0.2
			_i=$((_i + 1))
		done
		for _n in 1 2 3 4; do
			expect "$(e2e_url /posts/deep/er/still/bottom/)" 20 \
			    "$MODE: after a worker restart, request $_n serves the new post"
		done
	fi
	assert_alive "$MODE: alive after every change"
	e2e_stop_server
	assert_eq "$SERVER_EXIT" 0 "$MODE: clean exit"
}

run_mode inotify
run_mode scan
e2e_done
