# Sourced by bench.sh and scale.sh (POSIX sh, set -u): what both do with
# the processes they start and their temporary folder.  The caller sets
# BENCH_NAME (its name in messages), TMP (its folder) and STARTED=
# (the PIDs it started, kept by spawn and stop), then says
# "trap cleanup EXIT".  Stopping a process tree is the e2e library's
# e2e_kill_tree (by PID only).
. "$(dirname "$0")/../e2e/lib.sh"

say() {
	printf '%s\n' "$*" >&2
}

# spawn LOG CMD...: start CMD in the background; its PID is in SPAWNED.
spawn() {
	_log=$1
	shift
	"$@" >"$_log" 2>&1 &
	SPAWNED=$!
	STARTED="$STARTED $SPAWNED"
}

# stop PID: TERM, then (after 10 s) KILL PID and its children.
stop() {
	e2e_kill_tree "$1" 100
	STARTED=$(printf '%s\n' $STARTED | awk -v p="$1" '$1 != p' |
	    tr '\n' ' ')
	return 0
}

cleanup() {
	for _p in $STARTED; do
		stop "$_p"
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		say "$BENCH_NAME: kept $TMP"
	else
		rm -rf "$TMP"
	fi
}
