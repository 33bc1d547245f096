#!/bin/sh
# Logs: the three access-log formats, log_ip = false, SIGUSR1 reopening
# a rotated file, a log path that cannot be opened (a clear error at
# start-up) and a log that fails while serving (/dev/full: serving goes
# on).
. "$(dirname "$0")/lib.sh"
e2e_setup

# assert_re GOT ERE MSG: GOT matches the extended regular expression.
assert_re() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		e2e_ok "$3"
	else
		e2e_fail "$3: got '$1', want /$2/"
	fi
}

# Waits (polled) up to 10 s for PATTERN (grep -E) in FILE; prints the first match.
wait_line() {
	_i=0
	while [ $_i -lt 100 ]; do
		grep -E "$2" "$1" 2>/dev/null | head -n 1 | grep . && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# --- plain (default), to a file -------------------------------------------
LOG=$E2E_DIR/access.log
e2e_start_server --log "$LOG" || e2e_done
expect "$(e2e_url /page.gmi)" 20 "plain: request"
line=$(wait_line "$LOG" 'page\.gmi')
assert_re "$line" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z 127\.0\.0\.1 localhost "gemini://localhost:[0-9]+/page\.gmi" 20 [0-9]+ [0-9.]+ms$' \
    "plain: TIME CLIENT HOST \"REQUEST\" STATUS BYTES MS"
# Control characters in a request are escaped, never written raw.
e2e_req "" --raw-hex "$(e2e_hex 'gemini://localhost/a')1b5b316d$(e2e_hex '/b')0d0a"
line=$(wait_line "$LOG" 'localhost/a')
assert_re "$line" 'a\\x1b\[1m/b' "plain: ESC in a request logged as \\x1b"

# SIGUSR1: logrotate moved the file; the next lines go to a new one.
mv "$LOG" "$LOG.1"
kill -USR1 "$SERVER_PID"
sleep 0.3
expect "$(e2e_url /notes.txt)" 20 "after SIGUSR1: request"
line=$(wait_line "$LOG" 'notes\.txt')
assert_re "$line" 'notes\.txt' "after SIGUSR1: the new file has the new line"
assert_eq "$(grep -c 'notes\.txt' "$LOG.1")" 0 "after SIGUSR1: the rotated file does not"
e2e_stop_server
assert_eq "$SERVER_EXIT" 0 "plain: server exits 0"

# --- common and json, and log_ip = false ------------------------------------
for fmt in common json; do
	LOG=$E2E_DIR/$fmt.log
	e2e_start_server --log "$LOG" --log-format "$fmt" || e2e_done
	expect "$(e2e_url /page.gmi)" 20 "$fmt: request"
	line=$(wait_line "$LOG" 'page\.gmi')
	if [ "$fmt" = common ]; then
		assert_re "$line" '^127\.0\.0\.1 - - \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:]{8} \+0000\] "gemini://localhost:[0-9]+/page\.gmi" 20 [0-9]+$' \
		    "common: the Apache common log layout"
	else
		got=$(printf '%s' "$line" | python3 -c 'import json, sys
o = json.loads(sys.stdin.read())
print(o["client"], o["host"], o["status"], o["request"].endswith("/page.gmi"), type(o["bytes"]).__name__, type(o["ms"]).__name__)' 2>&1)
		assert_eq "$got" "127.0.0.1 localhost 20 True int float" "json: one object with the fields"
	fi
	e2e_stop_server
done

LOG=$E2E_DIR/noip.log
e2e_start_server --log "$LOG" --no-log-ip || e2e_done
expect "$(e2e_url /page.gmi)" 20 "log_ip off: request"
line=$(wait_line "$LOG" 'page\.gmi')
assert_re "$line" 'Z - localhost "gemini' "log_ip off: client logged as -"
assert_eq "$(grep -v 'listening on' "$LOG" | grep -c '127\.0\.0\.1')" 0 "log_ip off: no client address in the log"
e2e_stop_server

# --- SIGUSR1 under --user and --chroot --------------------------------------
# The workers are chrooted into the capsule, where the log's path names
# nothing: they reopen through the log folder they held from the start.
RUNAS=
if [ "$(id -u)" -eq 0 ]; then
	for u in nobody daemon; do
		id "$u" >/dev/null 2>&1 && { RUNAS=$u; break; }
	done
fi
if [ -n "$RUNAS" ]; then
	chmod 755 "$E2E_DIR"
	LOGDIR=$E2E_DIR/logs
	mkdir -p "$LOGDIR"
	LOG=$LOGDIR/access.log
	_asan=${ASAN_OPTIONS-}
	export ASAN_OPTIONS="${_asan:+$_asan:}detect_leaks=0"
	e2e_start_server --log "$LOG" --user "$RUNAS" --chroot || e2e_done
	export ASAN_OPTIONS="$_asan"
	expect "$(e2e_url /page.gmi?before)" 20 "chroot: request before the rotation"
	assert_re "$(wait_line "$LOG" 'page\.gmi\?before')" 'before' "chroot: logged before the rotation"
	mv "$LOG" "$LOG.1"
	kill -USR1 "$SERVER_PID"
	# Until the workers reopen (bounded): one request per try.
	i=0 found=
	while [ $i -lt 30 ] && [ -z "$found" ]; do
		i=$((i + 1))
		e2e_req "$(e2e_url /page.gmi?after$i)"
		found=$(wait_line "$LOG" "page\\.gmi\\?after$i\"")
	done
	assert_re "$found" "after$i" "chroot: after SIGUSR1 the workers write to the new file"
	assert_eq "$(grep -c 'page\.gmi?after' "$LOG.1" 2>/dev/null)" 0 "chroot: nothing more goes to the rotated file"
	assert_eq "$(grep -c 'still writing to the old file' "$LOG" "$LOG.1" | grep -c ':[1-9]')" 0 "chroot: no reopening failure logged"
	assert_eq "$(stat -c %U "$LOG")" "$RUNAS" "chroot: the new file belongs to $RUNAS"
	e2e_stop_server
else
	e2e_note "skip SIGUSR1 under --chroot: not root, or no nobody/daemon user"
fi

# --- a log that cannot be opened: clear error, exit 2, nothing binds --------
out=$("$CAPSULED" serve --root "$E2E_DIR/capsule" --certs "$E2E_DIR/certs" \
    --listen 127.0.0.1:0 --log "$E2E_DIR/no/such/dir/x.log" 2>&1)
rc=$?
assert_eq "$rc" 2 "unopenable log: exit 2"
assert_re "$out" 'no/such/dir/x\.log: No such file or directory' "unopenable log: says which file and why"
assert_eq "$(printf '%s' "$out" | grep -c 'listening on')" 0 "unopenable log: nothing listens"

# --- a log that fails while serving: requests still succeed -----------------
if [ -w /dev/full ]; then
	e2e_start_server --log /dev/full || e2e_done
	n=0
	for i in 1 2 3 4 5; do
		e2e_req "$(e2e_url /page.gmi)"
		[ "$STATUS" = 20 ] && [ "$CLOSE_NOTIFY" = yes ] && n=$((n + 1))
	done
	assert_eq "$n" 5 "log on /dev/full: every request still served"
	assert_alive "log on /dev/full: server alive"
	e2e_stop_server
else
	e2e_skip "no writable /dev/full"
fi
e2e_done
