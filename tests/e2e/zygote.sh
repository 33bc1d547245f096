#!/bin/sh
# serial
# The zygote process model under abuse (one zygote per generation, the
# master its subreaper):
#  (a) a SIGHUP storm (20 SIGHUPs 50 ms apart, idle connections held
#      open): the tree converges to one generation of the configured
#      size, no zombie, every later request answered;
#  (b) a zygote stopped (SIGSTOP) is not left behind by a reload, nor does
#      it or a stopped worker hold up SIGTERM;
#  (c) a zygote killed before its workers run is restarted with a growing
#      delay (1, 2, 4 s), never in a loop, and the old generation serves
#      meanwhile;
#  (d) a post edited while the new generation loads is served by it;
#  (g) SIGUSR1 while a zygote loads: its workers log to the new file;
#  (e) SIGTERM while a zygote loads: every process exits;
#  (f) 50 reloads leave the master's descriptor count where it was.
# No clock is asserted: every wait is bounded polling on a condition.
# shellcheck disable=SC2034 # SUMMARY is read by lib.sh
. "$(dirname "$0")/lib.sh"

e2e_setup

# zygotes PID: the server PID's zygotes (its children named so).
zygotes() {
	for _c in $(pgrep -P "$1" 2>/dev/null); do
		[ "$(cat "/proc/$_c/comm" 2>/dev/null)" = capsuled-zygote ] &&
		    echo "$_c"
	done | tr '\n' ' ' | sed 's/ $//'
}

# zombies PID: the zombies among PID's children and grandchildren.
zombies() {
	for _c in $(e2e_tree "$1"); do
		case $(sed 's/^.*) //' "/proc/$_c/stat" 2>/dev/null) in
		Z*) echo "$_c" ;;
		esac
	done | tr '\n' ' '
}

# converged PID NW: one zygote with NW workers below it, nothing else.
converged() {
	_z=$(zygotes "$1")
	case $_z in '' | *' '*) return 1 ;; esac
	[ "$(pgrep -P "$_z" | wc -l)" -eq "$2" ] &&
	    [ "$(pgrep -P "$1" | wc -l)" -eq 1 ] && [ -z "$(zombies "$1")" ]
}

# wait_for CMD...: polls CMD (at most 60 s); its status.
wait_for() {
	_i=0
	while [ $_i -lt 600 ]; do
		"$@" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# posts DIR N: N posts in DIR/posts/gen.
posts() {
	e2e_posts "$1/posts/gen" "$2"
}

NW=32
NPOSTS=4000
case ${BUILD:-build} in
*asan*)
	NW=8
	NPOSTS=1500
	e2e_note "ASan build: $NW workers, $NPOSTS posts"
	;;
esac

# --- (a) a SIGHUP storm with idle connections held open -------------------
e2e_start serve --root "$C" --certs "$E2E_DIR/certs" --host localhost \
    --listen 127.0.0.1:0 --workers $NW || e2e_done
MASTER=$SERVER_PID
wait_for converged "$MASTER" $NW
assert_eq "$?" 0 "(a) start: one zygote with $NW workers"
# 40 idle TCP connections (no handshake), held for at most 60 s.
python3 -c '
import socket, sys, time
s = []
for i in range(40):
    c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.append(c)
time.sleep(60)
' "$PORT" &
IDLE=$!
n=0
while [ $n -lt 20 ]; do
	kill -HUP "$MASTER"
	sleep 0.05
	n=$((n + 1))
done
e2e_wait_log 'SIGHUP: reloading configuration' 20
wait_for converged "$MASTER" $NW
assert_eq "$?" 0 "(a) after 20 SIGHUPs: one zygote with $NW workers, no zombie (tree: $(e2e_tree "$MASTER"))"
ok=0
n=0
while [ $n -lt 10 ]; do
	e2e_req "$(e2e_url /page.gmi)"
	[ "$STATUS" = 20 ] && ok=$((ok + 1))
	n=$((n + 1))
done
assert_eq "$ok" 10 "(a) after the storm, 10 of 10 requests answered 20"
kill "$IDLE" 2>/dev/null
wait "$IDLE" 2>/dev/null
wait_for converged "$MASTER" $NW
assert_eq "$?" 0 "(a) idle connections closed: still one generation of $NW"
if grep -q 'reloaded' "$SERVER_LOG"; then
	e2e_ok "(a) the log says a reload completed"
else
	e2e_fail "(a) no 'reloaded' in the log"
fi
e2e_stop_server "$MASTER"
assert_eq "$SERVER_EXIT" 0 "(a) SIGTERM after the storm: exit 0"

# --- (b) a stopped zygote -------------------------------------------------
e2e_start_server --workers 2 || e2e_done
MASTER=$SERVER_PID
wait_for converged "$MASTER" 2
Z=$(zygotes "$MASTER")
kill -STOP "$Z"
kill -HUP "$MASTER"
e2e_wait_log '^.* reloaded$'
stopped_gone() { ! kill -0 "$Z" 2>/dev/null; }
wait_for stopped_gone
assert_eq "$?" 0 "(b) the stopped zygote $Z of the old generation is gone after the reload"
wait_for converged "$MASTER" 2
assert_eq "$?" 0 "(b) one generation of 2 workers after the reload"
Z=$(zygotes "$MASTER")
kill -STOP "$Z"
expect "$(e2e_url /page.gmi)" 20 "(b) a stopped zygote's workers serve"
W=$(pgrep -P "$Z" | head -n 1)
kill -STOP "$W"
e2e_stop_server "$MASTER"
assert_eq "$SERVER_EXIT" 0 "(b) SIGTERM with a stopped zygote and worker: the master exits 0"
for p in $Z $W; do
	kill -0 "$p" 2>/dev/null && {
		e2e_fail "(b) the stopped process $p outlived the master"
		kill -KILL "$p"
	}
done

# --- (c) a zygote killed before its workers run ---------------------------
S=$E2E_DIR/site
mkdir -p "$S/posts"
printf '+++\ntitle = "Live"\ndate = 2024-01-01\n+++\n\nlive-marker-5e21\n' >"$S/posts/live.md"
posts "$S" "$NPOSTS"
e2e_start serve --root "$S" --certs "$E2E_DIR/certs" --host localhost \
    --listen 127.0.0.1:0 --workers 2 || e2e_done
MASTER=$SERVER_PID
wait_for converged "$MASTER" 2
OLDZ=$(zygotes "$MASTER")
# new_zygote: sets NZ to a child of the master other than the old
# zygote, if any (shell builtins only: it is caught while it loads).
new_zygote() {
	NZ=
	_k=
	read -r _k <"/proc/$MASTER/task/$MASTER/children"
	for _z in $_k; do
		[ "$_z" != "$OLDZ" ] && NZ=$_z
	done
	[ -n "$NZ" ]
}
# Kills a new zygote while it loads, three times: stopped first, it is
# killed only if its load had not ended (no new "N posts" line).
kill -HUP "$MASTER"
killed=0
tries=0
while [ $killed -lt 3 ] && [ $tries -lt 6 ]; do
	tries=$((tries + 1))
	loaded=$(grep -c ' posts, ' "$SERVER_LOG")
	i=0
	while ! new_zygote && [ $i -lt 3000 ]; do
		sleep 0.01
		i=$((i + 1))
	done
	[ -n "$NZ" ] || break
	kill -STOP "$NZ"
	if [ "$(grep -c ' posts, ' "$SERVER_LOG")" -eq "$loaded" ]; then
		kill -KILL "$NZ"
		killed=$((killed + 1))
		# Its death is logged before the next one starts.
		e2e_wait_log 'before its workers ran' $killed
	else
		kill -CONT "$NZ"
		e2e_note "(c) zygote $NZ had loaded already; another SIGHUP"
		wait_for converged "$MASTER" 2
		OLDZ=$(zygotes "$MASTER")
		kill -HUP "$MASTER"
	fi
done
if [ $killed -lt 3 ]; then
	e2e_skip "(c) could not catch a zygote loading 3 times ($killed)"
else
	for d in 1 2 4; do
		if grep -q "before its workers ran; starting another in $d s" "$SERVER_LOG"; then
			e2e_ok "(c) after a zygote died loading: the next in $d s"
		else
			e2e_fail "(c) no 'starting another in $d s' in the log: $(grep 'zygote (pid' "$SERVER_LOG" | tail -n 3 | tr '\n' '|')"
		fi
	done
	expect "$(e2e_url /posts/live/)" 20 "(c) the old generation serves while its successor is retried"
	assert_body_contains live-marker-5e21
	# The next one is left alone: it runs and replaces the old one.
	replaced() {
		converged "$MASTER" 2 && [ "$(zygotes "$MASTER")" != "$OLDZ" ]
	}
	wait_for replaced
	assert_eq "$?" 0 "(c) a zygote left alone runs and replaces the old generation"
fi

# --- (d) a post edited while the new generation loads ---------------------
OLDZ=$(zygotes "$MASTER")
nrel=$(grep -c ' reloaded$' "$SERVER_LOG")
kill -HUP "$MASTER"
wait_for new_zygote
printf '+++\ntitle = "Live"\ndate = 2024-01-01\n+++\n\nedited-marker-77b3\n' >"$S/posts/live.tmp"
mv "$S/posts/live.tmp" "$S/posts/live.md"
printf '+++\ntitle = "Added"\ndate = 2024-01-02\n+++\n\nadded-marker-3c19\n' >"$S/posts/added.md"
e2e_wait_log ' reloaded$' $((nrel + 1))
served() {
	e2e_req "$(e2e_url "$1")"
	[ "$STATUS" = 20 ] && grep -q "$2" "$BODYFILE"
}
wait_for served /posts/live/ edited-marker-77b3
assert_eq "$?" 0 "(d) a post edited during the reload: the new content is served"
wait_for served /posts/added/ added-marker-3c19
assert_eq "$?" 0 "(d) a post added during the reload is served"

# --- (e) SIGTERM while a zygote loads -------------------------------------
OLDZ=$(zygotes "$MASTER")
TREE=$(e2e_tree "$MASTER")
kill -HUP "$MASTER"
wait_for new_zygote
kill -TERM "$MASTER"
TREE="$TREE $(e2e_tree "$MASTER")"
e2e_stop_server "$MASTER"
assert_eq "$SERVER_EXIT" 0 "(e) SIGTERM while a zygote loads: exit 0"
left=$(e2e_alive $TREE)
assert_eq "$left" "" "(e) no zygote or worker left after the master"

# --- (g) SIGUSR1 while a zygote loads -------------------------------------
# Its workers, forked after the load, write to the new file too. The
# server's own lines go to the file as well: counted in both.
ALOG=$E2E_DIR/access.log
e2e_start serve --root "$S" --certs "$E2E_DIR/certs" --host localhost \
    --listen 127.0.0.1:0 --workers 2 --log "$ALOG" || e2e_done
MASTER=$SERVER_PID
wait_for converged "$MASTER" 2
nlog() { cat "$ALOG" "$ALOG.1" 2>/dev/null | grep -c -- "$1"; }
OLDZ=$(zygotes "$MASTER")
nrel=$(nlog ' reloaded$')
kill -HUP "$MASTER"
caught=
i=0
while [ $i -lt 3000 ] && [ -z "$caught" ]; do
	if new_zygote; then
		loaded=$(nlog ' posts, ')
		kill -STOP "$NZ"
		[ "$(nlog ' posts, ')" -eq "$loaded" ] && caught=$NZ
		[ -n "$caught" ] || kill -CONT "$NZ"
		break
	fi
	sleep 0.01
	i=$((i + 1))
done
if [ -z "$caught" ]; then
	e2e_skip "(g) could not catch a zygote loading"
else
	mv "$ALOG" "$ALOG.1"
	kill -USR1 "$MASTER"
	reopened() { [ -f "$ALOG" ]; }
	wait_for reopened
	kill -CONT "$caught"
	was_reloaded() { [ "$(nlog ' reloaded$')" -gt "$nrel" ]; }
	wait_for was_reloaded
	replaced() {
		converged "$MASTER" 2 && [ "$(zygotes "$MASTER")" != "$OLDZ" ]
	}
	wait_for replaced
	n=0
	while [ $n -lt 8 ]; do
		e2e_req "$(e2e_url "/posts/live/?rot$n")"
		n=$((n + 1))
	done
	logged() { [ "$(grep -c 'live/?rot' "$ALOG")" -ge 8 ]; }
	wait_for logged
	assert_eq "$(grep -c 'live/?rot' "$ALOG")" 8 "(g) SIGUSR1 while a zygote loaded: its workers log to the new file"
	assert_eq "$(grep -c 'live/?rot' "$ALOG.1")" 0 "(g) ... and nothing to the rotated one"
fi
e2e_stop_server "$MASTER"
assert_eq "$SERVER_EXIT" 0 "(g) exit 0"


# --- (f) descriptors over 50 reloads --------------------------------------
e2e_start_server --workers 2 || e2e_done
MASTER=$SERVER_PID
wait_for converged "$MASTER" 2
nfd() { ls "/proc/$MASTER/fd" | wc -l; }
kill -HUP "$MASTER"
e2e_wait_log ' reloaded$' 1
wait_for converged "$MASTER" 2
before=$(nfd)
rss_before=$(awk '/^VmRSS/ { print $2 }' "/proc/$MASTER/status")
n=2
while [ $n -le 51 ]; do
	kill -HUP "$MASTER"
	e2e_wait_log ' reloaded$' $n || break
	n=$((n + 1))
done
wait_for converged "$MASTER" 2
assert_eq "$(nfd)" "$before" "(f) the master's descriptors after 50 more reloads"
rss_after=$(awk '/^VmRSS/ { print $2 }' "/proc/$MASTER/status")
e2e_note "(f) master RSS: $rss_before kB after 1 reload, $rss_after kB after 51"
expect "$(e2e_url /page.gmi)" 20 "(f) serving after 51 reloads"
e2e_stop_server "$MASTER"
assert_eq "$SERVER_EXIT" 0 "(f) exit 0"
e2e_done
