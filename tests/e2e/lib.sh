# Sourced by every end-to-end script (POSIX sh).  Builds a throw-away
# capsule under mktemp -d, starts the real server on loopback, talks to it
# with $TESTBIN/gemclient and counts assertions.  Cleanup kills only the
# servers started here, by PID, and removes the directory.
#
# Environment (from tests/run.sh): CAPSULED, the server binary; TESTBIN,
# the folder holding gemclient.

: "${CAPSULED:=$PWD/build/capsuled}"
: "${TESTBIN:=$PWD/build/tests}"
GEMCLIENT=${GEMCLIENT:-$TESTBIN/gemclient}
# The python clients' TLS set-up (tlsclient.py, beside this file) on
# python3's path, from a script in tests/e2e or tests/bench.
for _d in "$(dirname "$0")" "$(dirname "$0")/../e2e"; do
	if [ -f "$_d/tlsclient.py" ]; then
		PYTHONPATH=$(cd "$_d" && pwd)${PYTHONPATH:+:$PYTHONPATH}
		export PYTHONPATH
		break
	fi
done

E2E_PASS=0
E2E_FAIL=0
E2E_SKIP=0
E2E_NREQ=0
E2E_NSRV=0
E2E_PIDS=
E2E_DIR=
SERVER_PID=
SERVER_LOG=
PORT=
E2E_TMUX=
E2E_KEYS=

e2e_note() {
	printf '%s\n' "$*"
}

e2e_ok() {
	E2E_PASS=$((E2E_PASS + 1))
	printf 'ok   %s\n' "$*"
}

e2e_fail() {
	E2E_FAIL=$((E2E_FAIL + 1))
	printf 'FAIL %s\n' "$*"
	[ -n "$SUMMARY" ] && printf '     last response: %s\n' "$SUMMARY"
	return 0
}

# e2e_skip REASON: a case that cannot run here.  It prints "SKIP REASON",
# which tests/run.sh counts and shows; it is never an "ok".
e2e_skip() {
	E2E_SKIP=$((E2E_SKIP + 1))
	printf 'SKIP %s\n' "$*"
}

# e2e_skip_all REASON: the whole script cannot run here (exit 77, which
# tests/run.sh counts as skipped, not passed).
e2e_skip_all() {
	printf 'SKIP %s\n' "$*"
	exit 77
}

# e2e_measured VALUE PATTERN MSG: a measurement (pgrep, /proc, a count)
# came back and looks like PATTERN (shell pattern, '|' for alternatives).
# When it did not, the check it feeds cannot hold: FAIL and return 1, so a
# check never passes on a missing measurement.
e2e_measured() {
	e2e_matches "$1" "$2" && return 0
	SUMMARY=
	e2e_fail "$3: measurement missing or malformed: got '$1'"
	return 1
}

# e2e_matches VALUE PATTERN: VALUE matches the shell pattern PATTERN,
# whose alternatives may be joined with '|'.
e2e_matches() {
	_mv=$1
	_oldifs=$IFS
	IFS='|'
	set -f
	for _p in $2; do
		# shellcheck disable=SC2254
		case $_mv in
		$_p)
			IFS=$_oldifs
			set +f
			return 0
			;;
		esac
	done
	IFS=$_oldifs
	set +f
	return 1
}

# e2e_children PID: the PIDs of the server PID's workers, sorted, one
# line; empty when there are none. The master's children are the zygotes
# (one per generation, named capsuled-zygote), which fork the workers;
# a worker whose zygote died is the master's own child.
e2e_children() {
	for _c in $(pgrep -P "$1" 2>/dev/null); do
		if [ "$(cat "/proc/$_c/comm" 2>/dev/null)" = capsuled-zygote ]; then
			pgrep -P "$_c" 2>/dev/null
		else
			echo "$_c"
		fi
	done | sort -n | tr '\n' ' ' | sed 's/ $//'
}

# e2e_alive PID...: those of the PIDs still alive, each after a space
# (empty when none is).
e2e_alive() {
	for _p in "$@"; do
		kill -0 "$_p" 2>/dev/null && printf ' %s' "$_p"
	done
}

# e2e_tree PID: PID's children and grandchildren (zygotes and workers).
e2e_tree() {
	for _c in $(pgrep -P "$1" 2>/dev/null); do
		echo "$_c"
		pgrep -P "$_c" 2>/dev/null
	done | tr '\n' ' '
}

# e2e_kill_tree PID [TENTHS]: kills PID and its descendants (zygotes,
# workers), by PID: TERM, then KILL after TENTHS tenths of a second
# (default 50).
e2e_kill_tree() {
	_kids=$(e2e_tree "$1")
	kill -TERM "$1" 2>/dev/null
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt "${2:-50}" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -KILL "$1" 2>/dev/null
	for _k in $_kids; do
		kill -KILL "$_k" 2>/dev/null
	done
	wait "$1" 2>/dev/null
	return 0
}

e2e_cleanup() {
	if [ -n "$E2E_TMUX" ]; then
		e2e_tmux kill-server 2>/dev/null
		E2E_TMUX=
	fi
	for _p in $E2E_PIDS; do
		e2e_kill_tree "$_p"
	done
	E2E_PIDS=
	[ -n "$E2E_DIR" ] && [ -d "$E2E_DIR" ] && rm -rf "$E2E_DIR"
	E2E_DIR=
}

# A work folder with a tiny capsule in $E2E_DIR/capsule and an empty
# $E2E_DIR/certs.  Markers (MARK_*) are strings found in one file only.
e2e_setup() {
	E2E_DIR=$(mktemp -d "${TMPDIR:-/tmp}/capsuled-e2e.XXXXXX") || exit 1
	trap e2e_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	if [ ! -x "$CAPSULED" ]; then
		echo "no server binary at $CAPSULED" >&2
		exit 1
	fi
	if [ ! -x "$GEMCLIENT" ]; then
		echo "no test client at $GEMCLIENT" >&2
		exit 1
	fi
	C=$E2E_DIR/capsule
	E2E_KEYS=$E2E_DIR/clientcerts
	mkdir -p "$C/sub" "$C/list/inner" "$E2E_DIR/certs"
	MARK_INDEX=index-marker-7f3a
	MARK_PAGE=page-marker-91c2
	MARK_ETE=ete-marker-4d0e
	MARK_SUB=sub-index-marker-23b8
	MARK_SECRET=secret-marker-c0de
	MARK_OUTSIDE=outside-marker-dead
	cat >"$C/index.gmi" <<EOF
# Test capsule home

Welcome to the test capsule. $MARK_INDEX

=> page.gmi A page
=> sub/ A folder
EOF
	printf '# A page\n\n%s\n' "$MARK_PAGE" >"$C/page.gmi"
	printf '# Été\n\n%s\n' "$MARK_ETE" >"$C/été.gmi"
	printf '# Sub index\n\n%s\n' "$MARK_SUB" >"$C/sub/index.gmi"
	printf '# A\n' >"$C/list/alpha.gmi"
	printf 'plain text\n' >"$C/list/beta.txt"
	printf 'hidden\n' >"$C/list/.hidden"
	printf 'inner\n' >"$C/list/inner/x.txt"
	printf 'plain notes\n' >"$C/notes.txt"
	printf '%s\n' "$MARK_SECRET" >"$C/.secret"
	# A 1x1 PNG.
	printf '%s' 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' |
	    base64 -d >"$C/image.png"
	# Outside the root, for traversal and symlink tests.
	printf '# Outside\n\n%s\n' "$MARK_OUTSIDE" >"$E2E_DIR/outside.gmi"
	ln -s ../outside.gmi "$C/escape.gmi"
	ln -s .. "$C/updir"
}

# e2e_posts DIR N [PARAGRAPHS]: N generated posts DIR/p00000.md ...
# (TOML front matter: title, date, two tags, a description; PARAGRAPHS
# paragraphs, default 10, "Paragraph J of post I, ..."), for tests that
# need a site of some size.
e2e_posts() {
	mkdir -p "$1"
	awk -v dir="$1" -v n="$2" -v np="${3:-10}" 'BEGIN {
		for (i = 0; i < n; i++) {
			f = sprintf("%s/p%05d.md", dir, i)
			printf "+++\ntitle = \"Generated post %d, a title of some length\"\n", i >f
			printf "date = 2023-%02d-%02d\ntags = [\"t%d\", \"u%d\"]\n", i % 12 + 1, i % 28 + 1, i % 40, i % 70 >f
			printf "description = \"post %d, described at some length\"\n+++\n\n", i >f
			for (j = 0; j < np; j++)
				printf "Paragraph %d of post %d, with a few words to read.\n\n", j, i >f
			close(f)
		}
	}'
}

# e2e_gemload: prints the path of the load generator (tests/bench/gemload.c),
# compiled into the work folder, or nothing when it cannot be built.
e2e_gemload() {
	_src=$(cd "$(dirname "$0")/../.." && pwd)/tests/bench/gemload.c
	[ -f "$_src" ] && command -v pkg-config >/dev/null 2>&1 || return 0
	if [ ! -x "$E2E_DIR/gemload" ]; then
		# shellcheck disable=SC2046
		cc -O2 -D_GNU_SOURCE "$_src" -o "$E2E_DIR/gemload" \
		    $(pkg-config --cflags --libs openssl) -lev \
		    >"$E2E_DIR/gemload.cc" 2>&1 || return 0
	fi
	"$E2E_DIR/gemload" --help 2>&1 | grep -q -- '--idle' &&
	    echo "$E2E_DIR/gemload"
}

# A TCP port free on 127.0.0.1 right now.
e2e_free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' 2>/dev/null ||
	    echo $((20000 + $$ % 30000))
}

# e2e_start ARGS...: runs "$CAPSULED ARGS" in the background, logging to
# a new $SERVER_LOG, and waits (polling, at most 30 s) for its
# "listening on 127.0.0.1:PORT" line.  Sets SERVER_PID and PORT.
# Returns 1, after counting a failure and showing the log, when the line
# never comes.
e2e_start() {
	E2E_NSRV=$((E2E_NSRV + 1))
	if [ $E2E_NSRV -eq 1 ]; then
		SERVER_LOG=$E2E_DIR/server.log
	else
		SERVER_LOG=$E2E_DIR/server-$E2E_NSRV.log
	fi
	: >"$SERVER_LOG"
	"$CAPSULED" "$@" >>"$SERVER_LOG" 2>&1 &
	SERVER_PID=$!
	E2E_PIDS="$E2E_PIDS $SERVER_PID"
	PORT=
	_i=0
	while [ $_i -lt 300 ]; do
		PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' \
		    "$SERVER_LOG" | head -n 1)
		[ -n "$PORT" ] && return 0
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
		_i=$((_i + 1))
	done
	SUMMARY=
	e2e_fail "server start: no 'listening on 127.0.0.1:PORT' line" \
	    "(capsuled $*)"
	sed 's/^/     log: /' "$SERVER_LOG"
	return 1
}

# e2e_start_server [extra serve args]: the standard server on the
# capsule, port 0 (or $E2E_LISTEN).
e2e_start_server() {
	e2e_start serve --root "$E2E_DIR/capsule" --certs "$E2E_DIR/certs" \
	    --host localhost --listen "${E2E_LISTEN:-127.0.0.1:0}" \
	    --workers 1 "$@"
}

# e2e_start_server_port [extra args]: the same on a free fixed port P
# with --public-port P, so URLs naming gemini://localhost:P/ are ours.
e2e_start_server_port() {
	_p=$(e2e_free_port)
	E2E_LISTEN=127.0.0.1:$_p e2e_start_server --public-port "$_p" "$@"
}

# e2e_stop_server [PID]: SIGTERM, wait (polled) at most 20 s.  Sets
# SERVER_EXIT (the exit status, or "timeout" after which it is killed).
e2e_stop_server() {
	_pid=${1:-$SERVER_PID}
	kill -TERM "$_pid" 2>/dev/null
	_i=0
	while kill -0 "$_pid" 2>/dev/null && [ $_i -lt 200 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if kill -0 "$_pid" 2>/dev/null; then
		SERVER_EXIT=timeout
		e2e_kill_tree "$_pid"
	else
		wait "$_pid"
		SERVER_EXIT=$?
	fi
	_rest=
	for _p in $E2E_PIDS; do
		[ "$_p" = "$_pid" ] || _rest="$_rest $_p"
	done
	E2E_PIDS=$_rest
	return 0
}

# The gemini:// URL of PATH on the server under test.
e2e_url() {
	printf 'gemini://localhost:%s%s' "$PORT" "$1"
}

# Hex of a string (for gemclient --raw-hex).
e2e_hex() {
	printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
}

# e2e_field NAME: a field of $SUMMARY.
# Shell builtins only: every request reads ten fields, and forking sed
# and head for each cost more than the request itself on a busy machine.
e2e_field() {
	_e2e_get "$1"
	printf '%s\n' "$_v"
}

# _e2e_get NAME: sets _v to the field NAME of $SUMMARY (its last
# occurrence, as words after META may repeat a name), or to nothing.
_e2e_get() {
	_v=
	case " $SUMMARY" in
	*" $1="*)
		_v=" $SUMMARY"
		_v=${_v##*" $1="}
		_v=${_v%%" "*}
		;;
	esac
}

# e2e_req URL [gemclient options]: one request to 127.0.0.1:$PORT, SNI
# localhost unless the options say otherwise.  Sets STATUS META BYTES
# CLOSE_NOTIFY SHA256 END ELAPSED HANDSHAKE RC SUMMARY, BODYFILE (the
# body) and HEADERFILE (the raw header line).
e2e_req() {
	_url=$1
	shift
	E2E_NREQ=$((E2E_NREQ + 1))
	BODYFILE=$E2E_DIR/resp.$E2E_NREQ.body
	HEADERFILE=$E2E_DIR/resp.$E2E_NREQ.header
	_rep=$E2E_DIR/resp.$E2E_NREQ.summary
	: >"$BODYFILE"
	: >"$_rep"
	# Under the sanitizers, LeakSanitizer's scan at the client's exit
	# costs ~0.1 s of CPU, more than the request: the client, a test
	# tool, skips it here (its direct runs in the scripts keep it).
	# --timeout 60: a hang bound, not gemclient's 10 s: on a loaded
	# machine a handshake alone took longer (access, pathological and
	# ratelimit failed so at load 50-120); the server's own deadlines
	# end a request first. Options given later win.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    timeout 120 "$GEMCLIENT" --timeout 60 --sni localhost --body "$BODYFILE" \
	    --report "$_rep" "$@" 127.0.0.1 "$PORT" "$_url" \
	    >"$HEADERFILE" 2>"$E2E_DIR/resp.$E2E_NREQ.err"
	RC=$?
	SUMMARY=
	IFS= read -r SUMMARY <"$_rep"
	_e2e_get status; STATUS=$_v
	META=
	case $SUMMARY in
	'status='*' meta="'*)
		META=${SUMMARY#*' meta="'}
		META=${META%%'"'*}
		;;
	esac
	_e2e_get bytes; BYTES=$_v
	_e2e_get close_notify; CLOSE_NOTIFY=$_v
	_e2e_get sha256; SHA256=$_v
	_e2e_get end; END=$_v
	_e2e_get elapsed_ms; ELAPSED=$_v
	_e2e_get handshake; HANDSHAKE=$_v
	_e2e_get cert_sha256; CERT_SHA256=$_v
	[ -n "$SUMMARY" ] || SUMMARY="(no summary; gemclient exit $RC: $(head -c 300 "$E2E_DIR/resp.$E2E_NREQ.err"))"
	return 0
}

assert_eq() {	# GOT WANT MSG
	if [ "$1" = "$2" ]; then
		e2e_ok "$3"
	else
		e2e_fail "$3: got '$1', want '$2'"
	fi
}

assert_ne() {	# GOT UNWANTED MSG
	if [ "$1" != "$2" ]; then
		e2e_ok "$3"
	else
		e2e_fail "$3: got '$1'"
	fi
}

# assert_match GOT PATTERN MSG: PATTERN is a shell pattern; several
# alternatives may be joined with '|'.
assert_match() {
	if e2e_matches "$1" "$2"; then
		e2e_ok "$3"
	else
		e2e_fail "$3: got '$1', want '$2'"
	fi
}

# assert_status WANT [MSG]: WANT like "20" or "51|59".
assert_status() {
	assert_match "$STATUS" "$1" "${2:-status $1}"
}

assert_meta() {	# PATTERN [MSG]
	assert_match "$META" "$1" "${2:-meta $1}"
}

# A complete response must end with the server's close_notify.
assert_close_notify() {
	assert_eq "$CLOSE_NOTIFY" yes "${1:-response ends with close_notify}"
}

assert_body_contains() {	# TEXT [MSG]
	if grep -qF -- "$1" "$BODYFILE"; then
		e2e_ok "${2:-body contains '$1'}"
	else
		e2e_fail "${2:-body contains '$1'}: not found in $(head -c 200 "$BODYFILE")"
	fi
}

assert_body_lacks() {	# TEXT [MSG]
	if grep -qF -- "$1" "$BODYFILE"; then
		e2e_fail "${2:-body lacks '$1'}: found"
	else
		e2e_ok "${2:-body lacks '$1'}"
	fi
}

# assert_alive [MSG]: every server started and not stopped still runs.
assert_alive() {
	_dead=
	for _p in $E2E_PIDS; do
		kill -0 "$_p" 2>/dev/null || _dead="$_dead $_p"
	done
	if [ -z "$_dead" ]; then
		e2e_ok "${1:-server alive}"
	else
		SUMMARY=
		e2e_fail "${1:-server alive}: gone:$_dead"
		tail -n 20 "$SERVER_LOG" | sed 's/^/     log: /'
	fi
}

# expect URL STATUS_PATTERN MSG [gemclient options]: a request whose
# complete answer has that status and ends with close_notify.
expect() {
	_u=$1 _s=$2 _m=$3
	shift 3
	e2e_req "$_u" "$@"
	assert_status "$_s" "$_m: status $_s"
	assert_close_notify "$_m: close_notify"
}

# e2e_cpu_bounded SECS CMD...: runs CMD with at most SECS seconds of CPU
# time (ulimit -t; the kernel ends it with SIGXCPU or SIGKILL, exit
# status 152 or 137) and, for a process stuck without spending CPU, a
# wall-clock bound of 10 x SECS + 60.  A hang or a quadratic blow-up
# spends CPU, so the bound holds on a loaded machine as on an idle one:
# the check catches runaway work, never mere slowness.
e2e_cpu_bounded() {
	_secs=$1
	shift
	(ulimit -t "$_secs" 2>/dev/null; exec timeout $((_secs * 10 + 60)) "$@")
}

# e2e_run NAME CMD...: runs CMD (at most 60 s, a bound for hangs) with
# stdout in $E2E_DIR/work/NAME.out (RUN_OUT), stderr in NAME.err
# (RUN_ERR), and no stdin; its exit status in RUN_RC.
e2e_run() {
	_name=$1
	shift
	mkdir -p "$E2E_DIR/work"
	RUN_OUT=$E2E_DIR/work/$_name.out
	RUN_ERR=$E2E_DIR/work/$_name.err
	timeout 60 "$@" >"$RUN_OUT" 2>"$RUN_ERR" </dev/null
	RUN_RC=$?
}

# assert_file_has FILE ERE MSG: some line of FILE matches ERE.
assert_file_has() {
	if grep -Eq -- "$2" "$1"; then
		e2e_ok "$3"
	else
		SUMMARY=
		e2e_fail "$3: no line matching '$2' in: $(head -c 400 "$1" | tr '\n' '|')"
	fi
}

# assert_file_lacks FILE ERE MSG: no line of FILE matches ERE.
assert_file_lacks() {
	if grep -Eq -- "$2" "$1"; then
		SUMMARY=
		e2e_fail "$3: found '$(grep -E -- "$2" "$1" | head -n 1)'"
	else
		e2e_ok "$3"
	fi
}

# e2e_wait_log ERE [COUNT]: polls $SERVER_LOG (at most 300 turns, 30 s
# or more) until ERE matches at least COUNT (default 1) of its lines.
e2e_wait_log() {
	_i=0
	while [ $_i -lt 300 ]; do
		[ "$(grep -cE -- "$1" "$SERVER_LOG")" -ge "${2:-1}" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# --- client certificates ---------------------------------------------------
# e2e_client_cert NAME: a self-signed P-256 client certificate, valid 30
# days, in $E2E_KEYS/NAME.crt and NAME.key (openssl's output in
# NAME.log); openssl's status.
e2e_client_cert() {
	mkdir -p "$E2E_KEYS"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$E2E_KEYS/$1.key" -out "$E2E_KEYS/$1.crt" -days 30 \
	    -subj "/CN=$1" >"$E2E_KEYS/$1.log" 2>&1
}

# e2e_fingerprint FILE: the SHA-256 fingerprint of a PEM certificate,
# bare lower-case hex.
e2e_fingerprint() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 |
	    sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'
}

# e2e_req_as NAME URL [options] / expect_as NAME URL STATUS MSG [options]:
# e2e_req and expect presenting NAME's certificate ($E2E_KEYS/NAME.crt).
e2e_req_as() {
	_as=$1 _u=$2
	shift 2
	e2e_req "$_u" --cert "$E2E_KEYS/$_as.crt" --key "$E2E_KEYS/$_as.key" "$@"
}
expect_as() {
	_as=$1
	shift
	_u=$1 _s=$2 _m=$3
	shift 3
	expect "$_u" "$_s" "$_m" --cert "$E2E_KEYS/$_as.crt" \
	    --key "$E2E_KEYS/$_as.key" "$@"
}

# --- a real client: Amfora in tmux -------------------------------------------
# e2e_amfora_usable: amfora and tmux are both installed.
e2e_amfora_usable() {
	command -v amfora >/dev/null 2>&1 && command -v tmux >/dev/null 2>&1
}

# e2e_tmux ARGS...: tmux on the script's own socket, at most 10 s.
e2e_tmux() {
	timeout 10 tmux -S "$E2E_DIR/tmux.sock" "$@"
}

# e2e_amfora SESSION COLS ROWS URL: Amfora opening URL in a detached tmux
# session of that size, with a throw-away HOME and UTF-8; cleanup stops
# the tmux server.
e2e_amfora() {
	_h=$E2E_DIR/home
	mkdir -p "$_h/.config" "$_h/.local/share" "$_h/.cache"
	E2E_TMUX=yes
	e2e_tmux -u new-session -d -s "$1" -x "$2" -y "$3" \
	    "env LANG=C.UTF-8 HOME='$_h' XDG_CONFIG_HOME='$_h/.config' XDG_DATA_HOME='$_h/.local/share' XDG_CACHE_HOME='$_h/.cache' TERM=xterm-256color amfora '$4'"
}

# e2e_screen_wait SESSION TEXT SECS: polls the session's pane (copied to
# $E2E_DIR/screen) until TEXT (a fixed string) shows, at most SECS
# seconds' worth of turns.
e2e_screen_wait() {
	_n=0
	while [ $_n -lt $(($3 * 10)) ]; do
		e2e_tmux -u capture-pane -p -t "$1" >"$E2E_DIR/screen" 2>/dev/null
		grep -qF -- "$2" "$E2E_DIR/screen" && return 0
		sleep 0.1
		_n=$((_n + 1))
	done
	return 1
}

# e2e_screen_lines [N]: the first N (10) non-blank lines of the last
# screen, joined with '|', for a failure message.
e2e_screen_lines() {
	grep -v '^ *$' "$E2E_DIR/screen" | head -n "${1:-10}" | tr '\n' '|'
}

# Elapsed milliseconds since the epoch-ish clock, for timing checks.
e2e_now_ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}

# Sanitizer reports and crashed workers show only in the server logs (the
# master restarts a worker that aborted): any of them fails the script.
# A SIGKILL is a test's doing (lifecycle.sh), not a crash.
e2e_check_logs() {
	[ -n "$E2E_DIR" ] || return 0
	for _log in "$E2E_DIR"/server*.log; do
		[ -f "$_log" ] || continue
		SUMMARY=
		if grep -qE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' "$_log"; then
			e2e_fail "sanitizer report in ${_log##*/}"
			grep -E -A 12 'Sanitizer|runtime error:' "$_log" | head -n 40 |
			    sed 's/^/     /'
		fi
		if grep -E 'killed by signal|exited with [1-9]|dumped core' "$_log" |
		    grep -qvE 'signal 9([^0-9]|$)'; then
			e2e_fail "worker crash in ${_log##*/}: $(grep -E 'killed by signal|exited with [1-9]|dumped core' "$_log" | head -n 3 | tr '\n' '|')"
		fi
	done
}

e2e_done() {
	e2e_check_logs
	echo "$E2E_PASS passed, $E2E_FAIL failed, $E2E_SKIP skipped"
	if [ "$E2E_FAIL" -ne 0 ] && [ -n "$SERVER_LOG" ] && [ -f "$SERVER_LOG" ]; then
		echo "--- last lines of $SERVER_LOG"
		tail -n 30 "$SERVER_LOG"
	fi
	[ "$E2E_FAIL" -eq 0 ] && exit 0
	exit 1
}
