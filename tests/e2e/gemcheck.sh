#!/bin/sh
# Conversion quality judged by the independent checker
# ../shared/gemcheck/gemcheck.py, at its default thresholds:
#   (a) the seeds through `capsuled convert`;
#   (b) the sample capsule's posts (copied to a temp dir, with the
#       expectation files of tests/capsule-expect/ beside them), through
#       `capsuled convert`;
#   (c) the seeds as the running server serves them (--fetch-base).
# Skips (exit 77, counted by tests/run.sh) without the checker, python3
# or cmark-gfm; without the seeds, (a) and (c) are skipped, visibly.
# shellcheck disable=SC2034 # SUMMARY is read by lib.sh
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GEMCHECK=$ROOT/../shared/gemcheck/gemcheck.py
SEEDS=$ROOT/../shared/seeds
SAMPLE=$ROOT/capsule/content/posts
EXPECT=$ROOT/tests/capsule-expect

if [ ! -f "$GEMCHECK" ]; then
	e2e_skip_all "no $GEMCHECK (../shared is missing)"
fi
if ! command -v python3 >/dev/null 2>&1; then
	e2e_skip_all "no python3"
fi
if ! command -v cmark-gfm >/dev/null 2>&1; then
	e2e_skip_all "cmark-gfm is not installed"
fi

e2e_setup
W=$E2E_DIR/gemcheck
mkdir -p "$W"

# gemcheck NAME ARGS...: runs the checker, prints its summary lines and
# counts one assertion on its exit status.
gemcheck() {
	_name=$1
	shift
	timeout 300 python3 "$GEMCHECK" "$@" >"$W/$_name.out" 2>&1
	_rc=$?
	# The summary: "LABEL: N/M files clean, ..." and "gemcheck: PASS|FAIL".
	e2e_note "--- gemcheck $_name summary"
	grep -E '^[^ ].*: [0-9]+/[0-9]+ files clean|^gemcheck: ' "$W/$_name.out" | sed 's/^/     /'
	SUMMARY=
	if [ $_rc -eq 0 ]; then
		e2e_ok "gemcheck $_name: exit 0"
	else
		e2e_fail "gemcheck $_name: exit $_rc"
		grep -vE '^  CLEAN ' "$W/$_name.out" | head -n 60 | sed 's/^/     /'
	fi
}

CONVERT="$CAPSULED convert {md}"

# (a) the seeds.
if ls "$SEEDS"/*.md >/dev/null 2>&1; then
	gemcheck seeds --dir "$SEEDS" --label seeds --convert-cmd "$CONVERT"
else
	e2e_skip "(a): no seeds in $SEEDS"
fi

# (b) the sample capsule.
if ls "$SAMPLE"/*.md >/dev/null 2>&1; then
	mkdir -p "$W/sample"
	cp "$SAMPLE"/*.md "$W/sample/"
	nexp=0
	for f in "$EXPECT"/*.json; do
		[ -f "$f" ] || continue
		b=${f##*/}
		case $b in
		*.expect.json) cp "$f" "$W/sample/$b" ;;
		*) cp "$f" "$W/sample/${b%.json}.expect.json" ;;
		esac
		nexp=$((nexp + 1))
	done
	e2e_note "sample capsule: $(ls "$W/sample"/*.md | wc -l | tr -d ' ') posts, $nexp expectation files"
	# --auto-expect: a post without an expectation file is still held to
	# its front matter's title and date.
	gemcheck sample --dir "$W/sample" --label sample-capsule --auto-expect \
	    --convert-cmd "$CONVERT"
else
	e2e_skip "(b): no .md files in $SAMPLE"
fi

# (c) the seeds as served.
if ls "$SEEDS"/*.md >/dev/null 2>&1; then
	C=$E2E_DIR/capsule
	rm -f "$C/index.gmi"
	mkdir -p "$C/posts" "$W/served"
	cp "$SEEDS"/*.md "$SEEDS"/*.json "$W/served/" 2>/dev/null
	cp "$SEEDS"/*.md "$C/posts/"
	if e2e_start_server; then
		gemcheck served --dir "$W/served" --label seeds-served \
		    --fetch-base "gemini://localhost:$PORT/" --url-map 'posts/{slug}/'
		assert_alive "server alive after the fetches"
	fi
else
	e2e_skip "(c): no seeds in $SEEDS"
fi

e2e_done
