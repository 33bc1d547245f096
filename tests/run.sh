#!/bin/sh
# Runs every test against the binaries in BUILD (default build):
# unit tests, fuzz-corpus replays, golden conversions and end-to-end
# scripts. Prints one line per test and a closing "N passed, N failed".
BUILD=${1:-build}
export BUILD
export CAPSULED="$PWD/$BUILD/capsuled"
export TESTBIN="$PWD/$BUILD/tests"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0 fail=0 failed=
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run() {	# name command...
	name=$1; shift
	start=$(date +%s)
	if timeout 600 "$@" >"$log" 2>&1; then
		pass=$((pass + 1))
		echo "ok   $name ($(( $(date +%s) - start ))s)"
	else
		fail=$((fail + 1))
		failed="$failed $name"
		echo "FAIL $name"
		tail -n 40 "$log" | sed 's/^/     /'
	fi
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
for t in tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	[ "${t##*/}" = lib.sh ] && continue
	run "e2e/$(basename "$t" .sh)" sh "$t"
done

echo
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
