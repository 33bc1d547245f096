#!/bin/sh
# Hostile paths, one request per behaviour (the whole matrix is the unit
# test tests/unit/test_route.c): traversal attempts (dot segments raw,
# percent-encoded, double-encoded, %2F, %5C, NUL, overlong UTF-8),
# symlinks out of the root, to a dotfile and in a loop, a FIFO and a file
# the server user cannot read.  Each answers 51 or 59, promptly,
# and no response carries a byte of a file outside the root or of a
# dotfile.  Then the same with workers dropped to an unprivileged user
# (and chrooted), where a mode-000 file is really unreadable.
. "$(dirname "$0")/lib.sh"

e2e_setup
C=$E2E_DIR/capsule
MARK_HIDDEN=hidden-dir-marker-5e1f
MARK_NOREAD=unreadable-marker-0b0b
mkdir -p "$C/.hiddendir" "$C/links"
printf '# Hidden\n\n%s\n' "$MARK_HIDDEN" >"$C/.hiddendir/file.gmi"
printf '# Unreadable\n\n%s\n' "$MARK_NOREAD" >"$C/unreadable.gmi"
chmod 000 "$C/unreadable.gmi"
# Symlinks: absolute out of the root, to a dotfile, to a dot folder, loops.
ln -s /etc/passwd "$C/passwd.txt"
ln -s /etc "$C/etcdir"
ln -s "$E2E_DIR/outside.gmi" "$C/abs-escape.gmi"
ln -s .secret "$C/secret-link.gmi"
ln -s .hiddendir "$C/hidden-link"
ln -s .hiddendir/file.gmi "$C/hidden-file-link.gmi"
ln -s loop-b.gmi "$C/loop-a.gmi"
ln -s loop-a.gmi "$C/loop-b.gmi"
ln -s self.gmi "$C/self.gmi"
ln -s loopdir "$C/loopdir"
ln -s ../../outside.gmi "$C/links/deep-escape.gmi"
mkfifo "$C/fifo.gmi"
mkfifo "$C/links/pipe.txt"

FORBIDDEN="$MARK_OUTSIDE $MARK_SECRET $MARK_HIDDEN $MARK_NOREAD root:x:0:0"

# check_body LABEL: the last body holds none of the forbidden markers.
check_body() {
	_leak=
	for _m in $FORBIDDEN; do
		grep -qF -- "$_m" "$BODYFILE" && _leak="$_leak $_m"
	done
	if [ -z "$_leak" ]; then
		e2e_ok "$1: nothing from outside the root or a dotfile"
	else
		e2e_fail "$1: body leaks$_leak"
	fi
}

# hostile PATH [LABEL]: 51 or 59 within a bounded time, no leak.
hostile() {
	_path=$1 _label=${2:-$1}
	e2e_req "gemini://localhost:$PORT$_path" --timeout 12
	assert_match "$STATUS" '51|59' "hostile $_label: 51 or 59"
	check_body "hostile $_label"
}

# hostile_raw HEX LABEL: the same with exact bytes on the wire.
hostile_raw() {
	e2e_req "" --raw-hex "$1" --timeout 12
	assert_match "$STATUS" '51|59' "hostile raw $2: 51 or 59"
	check_body "hostile raw $2"
}

# One request per behaviour; the full matrix (60 paths) is the unit test
# tests/unit/test_route.c, against the same router without TLS.
run_matrix() {	# TAG: the requests against the server on $PORT
	_t=$1
	n=0
	for p in \
	    '/../outside.gmi' \
	    '/%2e%2e/outside.gmi' \
	    '/..%2Foutside.gmi' \
	    '/%252e%252e/outside.gmi' \
	    '/..%5coutside.gmi' \
	    '/outside.gmi%00.gmi' \
	    '/%c0%ae%c0%ae/outside.gmi' \
	    '/escape.gmi' \
	    '/abs-escape.gmi' \
	    '/updir/outside.gmi' \
	    '/passwd.txt' \
	    '/.secret' \
	    '/secret-link.gmi' \
	    '/hidden-link/file.gmi' \
	    '/loop-a.gmi'; do
		hostile "$p" "$_t $p"
		n=$((n + 1))
	done
	# Bytes a URL library would refuse to build: a raw backslash and a
	# raw NUL between dot segments.
	pre=$(e2e_hex "gemini://localhost:$PORT/")
	hostile_raw "${pre}2e2e5c$(e2e_hex outside.gmi)0d0a" "$_t ..\\outside.gmi"
	hostile_raw "${pre}2e2e002f$(e2e_hex outside.gmi)0d0a" "$_t ..NUL/outside.gmi"
	n=$((n + 2))

	# The FIFO: 51 or 59 (within the client's 12 s), not a worker stuck
	# opening or reading it.
	for f in /fifo.gmi /links/pipe.txt; do
		hostile "$f" "$_t FIFO $f"
		n=$((n + 1))
	done
	expect "$(e2e_url /page.gmi)" 20 "$_t served after the FIFO requests"
	assert_body_contains "$MARK_PAGE"
	assert_alive "$_t server alive after $n hostile paths"
}

# --- the server as the invoking user -------------------------------------
e2e_start_server_port || e2e_done
expect "$(e2e_url /page.gmi)" 20 "baseline page"
if [ "$(id -u)" -eq 0 ]; then
	assert_match "$(grep -ci 'warning.*root' "$SERVER_LOG")" '[1-9]*' "running as root without --user logs a warning"
fi
run_matrix plain
assert_eq "$n" 19 "19 hostile requests, one per behaviour"

# A folder listing with escaping symlinks and a FIFO: no dotfiles listed,
# nothing from outside inlined, and answered promptly.
e2e_req "$(e2e_url /links/)" --timeout 12
assert_match "$STATUS" '20|51' "listing of a folder with escapes and a FIFO"
check_body "listing /links/"
e2e_req "$(e2e_url /)" --timeout 12
assert_status 20 "index"
assert_body_lacks ".secret" "index does not name the dotfile"

if [ "$(id -u)" -ne 0 ]; then
	hostile /unreadable.gmi "plain mode-000 file"
else
	e2e_skip "plain mode-000 file: running as root, which can read it (tested below with --user)"
fi
e2e_stop_server

# --- workers dropped to an unprivileged user -----------------------------
if [ "$(id -u)" -ne 0 ]; then
	e2e_skip "--user/--chroot cases: not root"
	e2e_done
fi
RUNAS=
for u in nobody daemon; do
	id "$u" >/dev/null 2>&1 && { RUNAS=$u; break; }
done
if [ -z "$RUNAS" ]; then
	e2e_skip "--user cases: no nobody/daemon user"
	e2e_done
fi
# The unprivileged workers must be able to reach the capsule.
chmod 755 "$E2E_DIR"
e2e_start_server_port --user "$RUNAS" || e2e_done
expect "$(e2e_url /page.gmi)" 20 "--user $RUNAS: page served"
assert_eq "$(grep -ci 'warning.*running as root' "$SERVER_LOG")" 0 "--user $RUNAS: no running-as-root warning"
uid=$(id -u "$RUNAS")
workers=$(e2e_children "$SERVER_PID")
assert_ne "$workers" "" "--user $RUNAS: workers running (pgrep -P)"
for w in $workers; do
	wuid=$(awk '/^Uid:/ { print $2 " " $3 " " $4 " " $5 }' "/proc/$w/status" 2>/dev/null)
	assert_eq "$wuid" "$uid $uid $uid $uid" "--user $RUNAS: worker $w real/effective/saved/fs uid"
	fds=$(ls -l "/proc/$w/fd" 2>/dev/null)
	if e2e_measured "$(printf '%s\n' "$fds" | grep -c ' -> ')" '[1-9]*' "--user $RUNAS: worker $w descriptors (/proc/$w/fd)"; then
		assert_eq "$(printf '%s\n' "$fds" | grep -c 'localhost\.key')" 0 "--user $RUNAS: worker $w holds no descriptor on the key"
	fi
done
hostile /unreadable.gmi "--user $RUNAS: mode-000 file"
run_matrix "user"
e2e_stop_server

# --- chrooted into the root ------------------------------------------------
# LeakSanitizer cannot inspect a chrooted process (no /proc there).
_asan=${ASAN_OPTIONS-}
export ASAN_OPTIONS="${_asan:+$_asan:}detect_leaks=0"
e2e_start_server_port --user "$RUNAS" --chroot || e2e_done
export ASAN_OPTIONS="$_asan"
expect "$(e2e_url /page.gmi)" 20 "--chroot: page served"
assert_body_contains "$MARK_PAGE"
expect "$(e2e_url /)" 20 "--chroot: index served"
workers=$(e2e_children "$SERVER_PID")
assert_ne "$workers" "" "--chroot: workers running (pgrep -P)"
for w in $workers; do
	wroot=$(readlink "/proc/$w/root" 2>/dev/null)
	assert_eq "$wroot" "$(cd "$C" && pwd -P)" "--chroot: worker $w root is the capsule"
done
hostile /unreadable.gmi "--chroot: mode-000 file"
run_matrix chroot
e2e_stop_server

e2e_done
