#!/bin/sh
# The command line, as a new user meets it (issue 12): every command
# answers --help, -h and `capsuled help CMD`; an option error names the
# option and, for a mode, its valid values; settings that fail only
# against the system (a missing root, an unknown user, chroot without a
# user) stop the start with file:line; --workers 0 says "one per core";
# --quiet keeps quiet; SIGHUP applies quiet and log_format; the start-up
# line counts published posts apart from drafts; check reports on one
# stream.
# shellcheck disable=SC2034 # SUMMARY is read by lib.sh
. "$(dirname "$0")/lib.sh"

e2e_setup
W=$E2E_DIR/work
mkdir -p "$W"

# --- help for every command ---------------------------------------------

for cmd in "" serve convert check cert help; do
	for form in "--help" "-h"; do
		# shellcheck disable=SC2086 # an empty $cmd is no argument
		e2e_run help "$CAPSULED" $cmd $form
		assert_eq "$RUN_RC" 0 "capsuled $cmd $form: exit 0"
		case $cmd in
		"" | serve | help) want='^usage: capsuled \[serve\]' ;;
		*) want="^usage: capsuled $cmd" ;;
		esac
		assert_file_has "$RUN_OUT" "$want" \
		    "capsuled $cmd $form: its usage on stdout"
		assert_file_lacks "$RUN_ERR" . "capsuled $cmd $form: nothing on stderr"
	done
	# shellcheck disable=SC2086
	e2e_run help "$CAPSULED" help $cmd
	assert_eq "$RUN_RC" 0 "capsuled help $cmd: exit 0"
	assert_file_has "$RUN_OUT" "^usage: capsuled" "capsuled help $cmd: a usage"
done
e2e_run help "$CAPSULED" convert --help
assert_file_has "$RUN_OUT" '--body-only' "convert --help lists --body-only"
assert_file_has "$RUN_OUT" 'after-block, footnote, end, off' \
    "convert --help lists the link modes"
e2e_run help "$CAPSULED" cert --help
assert_file_has "$RUN_OUT" '--certs DIR' "cert --help lists --certs"
e2e_run help "$CAPSULED" help nosuch
assert_eq "$RUN_RC" 2 "capsuled help nosuch: exit 2"
assert_file_has "$RUN_ERR" "unknown command 'nosuch'" "capsuled help nosuch: says so"

# --- option errors -------------------------------------------------------

e2e_run hostcerts "$CAPSULED" serve --host --certs "$E2E_DIR/certs"
assert_eq "$RUN_RC" 2 "--host --certs DIR: exit 2"
assert_file_has "$RUN_ERR" '--host needs a value' \
    "--host --certs DIR: --certs is not taken as a host name"
assert_file_lacks "$RUN_ERR" 'listening on' "--host --certs DIR: nothing listens"

e2e_run badmode "$CAPSULED" serve --links sideways
assert_eq "$RUN_RC" 2 "--links sideways: exit 2"
assert_file_has "$RUN_ERR" "--links: 'sideways' \\(one of after-block, footnote, end, off\\)" \
    "--links sideways: lists the valid modes"
e2e_run badmode2 "$CAPSULED" convert --tables grid -
assert_file_has "$RUN_ERR" "one of pre, list" "convert --tables grid: lists the valid modes"

printf 'workers = 1\nlog_format = "xml"\n' >"$W/fmt.toml"
e2e_run badfmt "$CAPSULED" serve --config "$W/fmt.toml"
assert_eq "$RUN_RC" 2 "log_format = \"xml\": exit 2"
assert_file_has "$RUN_ERR" "fmt\\.toml:2: 'log_format' must be one of plain, common, json" \
    "log_format = \"xml\": file:line and the valid formats"

printf '# T\n\nBody.\n' >"$W/post.md"
e2e_run bogus "$CAPSULED" convert --bogus "$W/post.md"
assert_eq "$RUN_RC" 2 "convert --bogus: exit 2"
assert_file_has "$RUN_ERR" "'--bogus'" "convert --bogus: names the bad option"
e2e_run convdir "$CAPSULED" convert "$W"
assert_eq "$RUN_RC" 2 "convert DIR: exit 2"
assert_file_has "$RUN_ERR" 'is a folder; convert wants one Markdown file' \
    "convert DIR: says it wants a file"
e2e_run convnone "$CAPSULED" convert
assert_eq "$RUN_RC" 2 "convert without a file: exit 2"
assert_file_has "$RUN_ERR" 'missing FILE' "convert without a file: says what is missing"

# --- errors only the system shows, still with file:line ---------------------

# conf_err NAME TEXT ERE MSG: serve --config with TEXT stops with exit 2,
# ERE on stderr, and never listens.
conf_err() {
	printf '%s\n' "$2" >"$W/$1.toml"
	e2e_run "$1" "$CAPSULED" serve --config "$W/$1.toml" --listen 127.0.0.1:0 \
	    --certs "$E2E_DIR/certs"
	assert_eq "$RUN_RC" 2 "$4: exit 2"
	assert_file_has "$RUN_ERR" "$3" "$4: file:line: message"
	assert_file_lacks "$RUN_ERR" 'warning|listening on' "$4: no warning, nothing listens"
}
conf_err noroot "workers = 1
root = \"$E2E_DIR/nonexistent\"" \
    "noroot\\.toml:2: root '.*nonexistent': No such file or directory" \
    "root = nonexistent"
conf_err nouser "root = \"$E2E_DIR/capsule\"
user = \"nosuchuser-capsuled\"" \
    "nouser\\.toml:2: user 'nosuchuser-capsuled': no such user" \
    "user = nosuchuser"
conf_err chroot "root = \"$E2E_DIR/capsule\"

chroot = true" \
    "chroot\\.toml:3: chroot needs a user" "chroot = true without a user"
e2e_run rootflag "$CAPSULED" serve --root "$E2E_DIR/nonexistent" --listen 127.0.0.1:0
assert_eq "$RUN_RC" 2 "--root nonexistent: exit 2"
assert_file_has "$RUN_ERR" "^capsuled: --root: root '.*nonexistent': No such file" \
    "--root nonexistent: names the option"

# --- the start-up lines: workers, posts and drafts ----------------------------

C2=$E2E_DIR/cap2
mkdir -p "$C2/posts"
printf '+++\ntitle = "Home"\n+++\n\nIntro.\n' >"$C2/index.md"
for n in one two three; do
	printf '+++\ntitle = "%s"\ndate = 2024-01-01\n+++\n\nBody.\n' "$n" \
	    >"$C2/posts/$n.md"
done
printf '+++\ntitle = "Draft"\ndate = 2024-01-02\ndraft = true\n+++\n\nWIP.\n' \
    >"$C2/posts/wip.md"
if e2e_start serve --root "$C2" --certs "$E2E_DIR/certs" \
    --listen 127.0.0.1:0 --workers 0; then
	e2e_wait_log 'workers? \(workers = 0: one per core\)' ||
	    e2e_fail "--workers 0: no worker count line"
	assert_file_has "$SERVER_LOG" "info: [1-9][0-9]* workers? \\(workers = 0: one per core\\)" \
	    "--workers 0: says one per core"
	assert_file_has "$SERVER_LOG" "cap2: 3 posts, 1 drafts, " \
	    "start-up line: 3 published posts, the draft apart"
	e2e_stop_server
fi

# --- --quiet ---------------------------------------------------------------

if e2e_start serve --root "$E2E_DIR/capsule" --certs "$E2E_DIR/certs" \
    --listen 127.0.0.1:0 --workers 1 --quiet; then
	e2e_ok "--quiet on port 0: still names the port it picked"
	expect "$(e2e_url /)" 20 "--quiet on port 0: serves"
	e2e_stop_server
	grep -v 'info: listening on' "$SERVER_LOG" >"$W/quiet0.log"
	assert_file_lacks "$W/quiet0.log" 'info:|127\.0\.0\.1' \
	    "--quiet: no info or access lines"
fi
P=$(e2e_free_port)
QLOG=$W/quiet.log
"$CAPSULED" serve --root "$E2E_DIR/capsule" --certs "$E2E_DIR/certs" \
    --listen "127.0.0.1:$P" --workers 1 --quiet >"$QLOG" 2>&1 &
QPID=$!
E2E_PIDS="$E2E_PIDS $QPID"
PORT=$P
i=0
STATUS=
while [ $i -lt 50 ] && [ "$STATUS" != 20 ]; do
	e2e_req "$(e2e_url /)"
	[ "$STATUS" = 20 ] || sleep 0.2
	i=$((i + 1))
done
assert_eq "$STATUS" 20 "--quiet on a fixed port: serves"
e2e_stop_server "$QPID"
assert_file_lacks "$QLOG" 'info:|listening on|127\.0\.0\.1' \
    "--quiet on a fixed port: no 'listening on', no info or access lines"

# --- SIGHUP applies quiet and log_format ---------------------------------------

CFG=$W/hup.toml
cat >"$CFG" <<EOF
root = "$E2E_DIR/capsule"
certs = "$E2E_DIR/certs"
listen = "127.0.0.1:0"
workers = 1
EOF
if e2e_start serve --config "$CFG"; then
	expect "$(e2e_url /)" 20 "hup: served"
	printf 'log_format = "json"\n' >>"$CFG"
	kill -HUP "$SERVER_PID"
	e2e_wait_log '^.*info: reloaded' || e2e_fail "hup: no 'reloaded' line"
	# Old workers may still answer for a moment: poll for a JSON line.
	i=0
	while [ $i -lt 50 ] && ! grep -q '^{"time"' "$SERVER_LOG"; do
		e2e_req "$(e2e_url /)"
		sleep 0.1
		i=$((i + 1))
	done
	assert_file_has "$SERVER_LOG" '^\{"time":"[^"]*","client":"127\.0\.0\.1"' \
	    "SIGHUP: log_format = json applies to access lines"
	printf 'quiet = true\nlog = "%s"\n' "$W/other.log" >>"$CFG"
	kill -HUP "$SERVER_PID"
	e2e_wait_log 'the log file changes only on restart' ||
	    e2e_fail "SIGHUP: a new log file needs a restart, and says so"
	assert_file_has "$SERVER_LOG" 'warning: the log file changes only on restart' \
	    "SIGHUP: a new log file needs a restart, and says so"
	# That reload made the master quiet before it logs 'reloaded': its
	# warning above is the sign it ran.
	# Quiet now: a third reload logs only its warning, no info line.
	sed 's/^workers = 1$/workers = 2/' "$CFG" >"$CFG.new" &&
	    mv "$CFG.new" "$CFG"
	kill -HUP "$SERVER_PID"
	e2e_wait_log 'the number of workers changes only on restart' ||
	    e2e_fail "hup: no warning from the third reload"
	assert_eq "$(grep -c 'SIGHUP: reloading' "$SERVER_LOG")" 2 \
	    "SIGHUP: quiet = true applies (the third reload logs no info line)"
	e2e_stop_server
fi

# --- check: the report and its summary on one stream ----------------------------

mkdir -p "$E2E_DIR/chk/posts"
printf '+++\ntitle = "Broken\ndate = 2024-01-01\n+++\n\nBody.\n' \
    >"$E2E_DIR/chk/posts/bad.md"
e2e_run check "$CAPSULED" check "$E2E_DIR/chk"
assert_eq "$RUN_RC" 1 "check with an error: exit 1"
assert_file_has "$RUN_OUT" 'bad\.md:2: ' "check: the error on stdout"
assert_file_has "$RUN_OUT" 'chk: 1 error, [0-9]+ warnings?$' "check: the summary on stdout"
assert_file_lacks "$RUN_ERR" . "check: nothing on stderr"

e2e_done
