#!/bin/sh
# usage: sh tests/run.sh [BUILD...]
# Runs every test against the binaries in each BUILD (default build):
# unit tests, fuzz-corpus replays, golden conversions and end-to-end
# scripts.  With several builds (make check: build and build-asan) the
# passes share one queue and its lanes, so one pass's waits overlap the
# other's work; each test's line then names its build.  One block per
# test, printed whole when the test ends: a line with its wall and CPU
# time, then what it skipped and, for a failing test, what failed.  Each
# test's whole output is kept in BUILD/test-logs/NAME.log.
#
# A test passes with exit 0 and fails with any other status except 77,
# which means "cannot run here" (a missing tool, ../shared absent): it is
# counted as skipped, never as passed.  A test that runs may also skip
# some of its cases: it prints a line "SKIP reason" for each (the e2e
# library's e2e_skip does), and each such line counts as one skip.
# Every SKIP line is shown under its test; for a failing test, every
# FAIL line (and the lines that explain it) is shown, however long the
# log.  The last line is exactly "N passed, N failed, N skipped".
#
# Tests run side by side, TEST_JOBS at a time (default: twice the CPUs,
# as most of a test's time is spent waiting on its server, not running):
# each uses port 0 and its own temporary folder.  A script with a line
# "# serial" near its top needs the machine to itself (it counts or
# spawns processes by the hundred, say): it runs alone, after the others.
# The slowest tests of the previous run (BUILD/test-times) start first.
# The last lines: per build (with several) and then in all, exactly
# "N passed, N failed, N skipped".
#
# The script is one { } group, parsed whole before it runs: editing it
# (or merging) while a run is under way cannot change the run.
{
[ $# -ge 1 ] || set -- build
BUILDS=$*
NBUILDS=$#
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for b in $BUILDS; do
	case $b in
	*[!A-Za-z0-9._-]*) echo "run.sh: $b: a build folder name, please" >&2; exit 2 ;;
	esac
	mkdir -p "$b/test-logs" || exit 1
	rm -f "$b/test-logs"/*.log
	[ -f "$b/test-times" ] || : >"$b/test-times"
done
# The tests' python3 is Debian's (CHECK_DEBS), not a version manager's
# shim that may come first on PATH: pyenv's costs seconds per start, and
# the scripts start python3 hundreds of times.
if [ -x /usr/bin/python3 ]; then
	b=${BUILDS%% *}
	mkdir -p "$b/test-bin" && ln -sf /usr/bin/python3 "$b/test-bin/python3" &&
	    PATH="$PWD/$b/test-bin:$PATH" && export PATH
fi
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
JOBS=${TEST_JOBS:-$((ncpu * 2))}
[ "$JOBS" -ge 1 ] 2>/dev/null || JOBS=1
STATE=$(mktemp -d "${TMPDIR:-/tmp}/capsuled-run.XXXXXX") || exit 1
lanes=
trap 'for l in $lanes; do kill "$l" 2>/dev/null; done; rm -rf "$STATE"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
t_all=$(date +%s)

# list BUILD: the tests, one "BUILD NAME" a line, NAME one of unit/X,
# fuzz-replay/X, golden, include-cycles, e2e/X.
list() {
	BUILD=$1
	list1 | sed "s|^|$BUILD |"
}
list1() {
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		case $t in *.d) continue ;; esac
		echo "unit/${t##*/}"
	done
	for t in "$BUILD"/tests/replay_fuzz_*; do
		[ -x "$t" ] || continue
		case $t in *.d) continue ;; esac
		name=${t##*/replay_fuzz_}
		[ -d "tests/fuzz/corpus/$name" ] && echo "fuzz-replay/$name"
	done
	[ -f tests/golden.sh ] && echo golden
	[ -f tests/include-cycles.sh ] && echo include-cycles
	for t in tests/e2e/*.sh; do
		[ -f "$t" ] || continue
		[ "${t##*/}" = lib.sh ] && continue
		t=${t##*/}
		echo "e2e/${t%.sh}"
	done
}

# The order: by the previous run's wall time, slowest first; scripts it
# did not see (new ones, or all on a first run) first of all, then the
# rest as listed.  The serial ones: e2e scripts with a line "# serial"
# in their first 30 lines.
# The previous times, "BUILD NAME WALL CPU" a line.
for b in $BUILDS; do
	list "$b"
	sed "s|^|$b |" "$b/test-times" >>"$STATE/times"
done >"$STATE/all"
touch "$STATE/times"
for t in tests/e2e/*.sh; do
	[ -f "$t" ] && awk 'FNR == 1 { n = FILENAME; sub(/.*\//, "", n); sub(/\.sh$/, "", n) }
	    FNR <= 30 && /^# serial($|[ :])/ { print "e2e/" n }' "$t"
done >"$STATE/serials"
awk -v dir="$STATE" '
	FILENAME == ARGV[1] { secs[$1 " " $2] = $3; next }
	FILENAME == ARGV[2] { ser[$1] = 1; next }
	{
		k = $1 " " $2
		s = (k in secs) ? secs[k] : ($2 ~ /^e2e\//) ? 999999 : 0
		print s, FNR, k > (dir "/" (($2 in ser) ? "serial" : "parallel"))
	}' "$STATE/times" "$STATE/serials" "$STATE/all"
touch "$STATE/parallel" "$STATE/serial"
sort -k1,1nr -k2,2n "$STATE/parallel" | cut -d' ' -f3- >"$STATE/queue"
sort -k1,1nr -k2,2n "$STATE/serial" | cut -d' ' -f3- >"$STATE/queue-serial"

# failures LOG: the lines that say what failed: FAIL lines with the
# indented or diff lines that follow them, unit-test "file:line:" checks,
# sanitizer reports.  With none (a crash, a timeout), the last 20 lines.
failures() {
	awk '
	/^FAIL / { print; keep = 1; n++; next }
	keep && /^([ \t]|[-+@]|--- |\+\+\+ )/ { print; next }
	{ keep = 0 }
	/^[^ ]*\.c:[0-9]+: / || /Sanitizer|runtime error:|^SUMMARY:/ { print; n++ }
	END { exit n ? 0 : 1 }' "$1" || tail -n 20 "$1"
}

# run_one BUILD NAME: runs the test against BUILD; writes its block to
# $STATE/BUILD--BASE.out and "RESULT SKIPS WALL CPU" to .res (RESULT:
# pass, fail, skip), then prints the block, one block at a time.
run_one() {
	BUILD=$1 name=$2
	export BUILD
	export CAPSULED="$PWD/$BUILD/capsuled"
	export TESTBIN="$PWD/$BUILD/tests"
	label=$name
	[ "$NBUILDS" -gt 1 ] && label="$BUILD/$name"
	base=${name%%/*}
	[ "$base" = "$name" ] || base=$base-${name#*/}
	log=$BUILD/test-logs/$base.log
	base=$BUILD--$base
	case $name in
	unit/*) set -- "$BUILD/tests/${name#unit/}" ;;
	fuzz-replay/*) set -- "$BUILD/tests/replay_fuzz_${name#fuzz-replay/}" "tests/fuzz/corpus/${name#fuzz-replay/}" ;;
	golden) set -- sh tests/golden.sh "$CAPSULED" ;;
	include-cycles) set -- sh tests/include-cycles.sh ;;
	e2e/*) set -- sh "tests/$name.sh" ;;
	esac
	start=$(date +%s)
	# The CPU time of the test and all it waited for, from the
	# subshell's "times" (its second line: children's user and system).
	( timeout 600 "$@" >"$log" 2>&1; rc=$?; times >"$STATE/$base.times"; exit $rc ) </dev/null
	rc=$?
	secs=$(( $(date +%s) - start ))
	cpu=$(awk 'NR == 2 { split($0, a, /[ms]/); printf "%.1f\n", a[1] * 60 + a[2] + a[3] * 60 + a[4] }' "$STATE/$base.times")
	nskip=$(grep -c '^SKIP ' "$log")
	out=$STATE/$base.out
	if [ "$rc" -eq 0 ]; then
		res=pass
		echo "ok   $label (${secs}s, cpu ${cpu}s)" >"$out"
	elif [ "$rc" -eq 77 ]; then
		# One skip for the whole test, whatever it printed.
		res=skip nskip=1
		echo "SKIP $label (${secs}s, cpu ${cpu}s)" >"$out"
	else
		res=fail
		[ "$rc" -eq 124 ] && why="timed out after 600 s" || why="exit $rc"
		echo "FAIL $label (${secs}s, cpu ${cpu}s, $why; full log: $log)" >"$out"
		failures "$log" | sed 's/^/     /' >>"$out"
	fi
	grep '^SKIP ' "$log" | sed 's/^/     /' >>"$out"
	echo "$res $nskip $secs $cpu" >"$STATE/$base.res"
	until mkdir "$STATE/print.lock" 2>/dev/null; do sleep 0.05; done
	cat "$out"
	rmdir "$STATE/print.lock"
}

# lane: takes the next unclaimed test of the queue until none is left.
# A test is claimed by creating its file with noclobber set (O_EXCL),
# which only one lane can do, and without a process.  The command is
# "true", not ":": a failed redirection on a special built-in such as
# ":" ends a non-interactive shell, so every lane but the first died at
# its first lost claim and the whole suite ran in one lane.
lane() {
	n=0
	while read -r b name; do
		n=$((n + 1))
		set -C
		{ true >"$STATE/claim.$n"; } 2>/dev/null
		claimed=$?
		set +C
		[ $claimed -eq 0 ] && run_one "$b" "$name"
	done <"$STATE/queue"
}

i=0
while [ $i -lt "$JOBS" ]; do
	lane &
	lanes="$lanes $!"
	i=$((i + 1))
done
wait
lanes=
while read -r b name; do
	run_one "$b" "$name"
done <"$STATE/queue-serial"

# The summary, per build in the order of the list, then in all.
tpass=0 tfail=0 tskip=0 failed= skipped= totals=
for b in $BUILDS; do
	pass=0 fail=0 skip=0
	: >"$b/test-times.new"
	while read -r bb name; do
		[ "$bb" = "$b" ] || continue
		label=$name
		[ "$NBUILDS" -gt 1 ] && label="$b/$name"
		base=${name%%/*}
		[ "$base" = "$name" ] || base=$base-${name#*/}
		if [ ! -f "$STATE/$b--$base.res" ]; then
			fail=$((fail + 1))
			failed="$failed $label(not run)"
			continue
		fi
		read -r res nskip secs cpu <"$STATE/$b--$base.res"
		case $res in
		pass) pass=$((pass + 1)) ;;
		skip) skipped="$skipped $label" ;;
		*) fail=$((fail + 1)) failed="$failed $label" ;;
		esac
		skip=$((skip + nskip))
		echo "$name $secs $cpu" >>"$b/test-times.new"
	done <"$STATE/all"
	mv "$b/test-times.new" "$b/test-times"
	tpass=$((tpass + pass)) tfail=$((tfail + fail)) tskip=$((tskip + skip))
	totals="$totals$b: $pass passed, $fail failed, $skip skipped ($(awk '{ s += $3 } END { printf "%.0f", s }' "$b/test-times")s cpu)
"
done

echo
[ -n "$failed" ] && echo "failed:$failed"
[ -n "$skipped" ] && echo "skipped whole:$skipped"
echo "time: $(( $(date +%s) - t_all ))s wall, $(for b in $BUILDS; do cat "$b/test-times"; done | awk '{ s += $3 } END { printf "%.0f", s }')s cpu, $JOBS at a time; logs in $(for b in $BUILDS; do printf '%s/test-logs/ ' "$b"; done)"
echo "slowest: $(for b in $BUILDS; do sed "s|^|$b/|" "$b/test-times"; done | sort -k2,2nr | head -n 5 | awk '{ printf "%s%s %ss", (NR > 1 ? ", " : ""), $1, $2 }')"
[ "$NBUILDS" -gt 1 ] && printf '%s' "$totals"
echo "$tpass passed, $tfail failed, $tskip skipped"
[ "$tfail" -eq 0 ]
exit
}
