#!/bin/sh
# Runs every test against the binaries in BUILD (default build):
# unit tests, fuzz-corpus replays, golden conversions and end-to-end
# scripts.  One line per test with its time; each test's whole output is
# kept in BUILD/test-logs/NAME.log.
#
# A test passes with exit 0 and fails with any other status except 77,
# which means "cannot run here" (a missing tool, ../shared absent): it is
# counted as skipped, never as passed.  A test that runs may also skip
# some of its cases: it prints a line "SKIP reason" for each (the e2e
# library's e2e_skip does), and each such line counts as one skip.
# Every SKIP line is shown under its test; for a failing test, every
# FAIL line (and the lines that explain it) is shown, however long the
# log.  The last line is exactly "N passed, N failed, N skipped".
BUILD=${1:-build}
export BUILD
export CAPSULED="$PWD/$BUILD/capsuled"
export TESTBIN="$PWD/$BUILD/tests"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
LOGS=$BUILD/test-logs
mkdir -p "$LOGS" || exit 1
# The tests' python3 is Debian's (CHECK_DEBS), not a version manager's
# shim that may come first on PATH: pyenv's costs seconds per start, and
# the scripts start python3 hundreds of times.
if [ -x /usr/bin/python3 ]; then
	mkdir -p "$BUILD/test-bin" && ln -sf /usr/bin/python3 "$BUILD/test-bin/python3" &&
	    PATH="$PWD/$BUILD/test-bin:$PATH" && export PATH
fi
rm -f "$LOGS"/*.log
pass=0 fail=0 skip=0 failed= skipped=
t_all=$(date +%s)

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

run() {	# name command...
	name=$1; shift
	log=$LOGS/$(printf '%s' "$name" | tr '/' '-').log
	start=$(date +%s)
	timeout 600 "$@" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	nskip=$(grep -c '^SKIP ' "$log")
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok   $name (${secs}s)"
	elif [ "$rc" -eq 77 ]; then
		# One skip for the whole test, whatever it printed.
		nskip=1
		skipped="$skipped $name"
		echo "SKIP $name (${secs}s)"
	else
		fail=$((fail + 1))
		failed="$failed $name"
		[ "$rc" -eq 124 ] && why="timed out after 600 s" || why="exit $rc"
		echo "FAIL $name (${secs}s, $why; full log: $log)"
		failures "$log" | sed 's/^/     /'
	fi
	skip=$((skip + nskip))
	grep '^SKIP ' "$log" | sed 's/^/     /'
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	case $t in *.d) continue ;; esac
	run "unit/$(basename "$t")" "$t"
done
for t in "$BUILD"/tests/replay_fuzz_*; do
	[ -x "$t" ] || continue
	case $t in *.d) continue ;; esac
	name=${t##*/replay_fuzz_}
	[ -d "tests/fuzz/corpus/$name" ] || continue
	run "fuzz-replay/$name" "$t" "tests/fuzz/corpus/$name"
done
[ -f tests/golden.sh ] && run golden sh tests/golden.sh "$CAPSULED"
[ -f tests/include-cycles.sh ] && run include-cycles sh tests/include-cycles.sh
for t in tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	[ "${t##*/}" = lib.sh ] && continue
	run "e2e/$(basename "$t" .sh)" sh "$t"
done

echo
[ -n "$failed" ] && echo "failed:$failed"
[ -n "$skipped" ] && echo "skipped whole:$skipped"
echo "time: $(( $(date +%s) - t_all ))s; logs in $LOGS/"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
