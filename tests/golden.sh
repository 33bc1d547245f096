#!/bin/sh
# Golden conversions: for each tests/gemtext/NAME.md, runs
# `CAPSULED convert --body-only FLAGS NAME.md` (FLAGS from NAME.args when
# present, e.g. `--links footnote`) and compares the output with NAME.gmi.
# FLAGS holding `--page` convert the whole post page (title, date line).
# Usage: sh tests/golden.sh CAPSULED_BINARY [regen]
# With regen the .gmi files are rewritten instead: review with git diff.
bin=${1:?usage: sh tests/golden.sh CAPSULED_BINARY [regen]}
mode=${2:-check}
dir=$(dirname "$0")/gemtext
fail=0 n=0
out=$(mktemp)
trap 'rm -f "$out" "$out.diff"' EXIT INT TERM

for md in "$dir"/*.md; do
	[ -f "$md" ] || continue
	name=${md%.md}
	args=
	[ -f "$name.args" ] && args=$(cat "$name.args")
	body=--body-only
	case " $args " in
	*" --page "*) body= args=$(printf '%s\n' "$args" | sed 's/--page//') ;;
	esac
	n=$((n + 1))
	# $body and $args are split on purpose: they hold flags.
	if ! timeout 20 "$bin" convert $body $args "$md" >"$out" 2>/dev/null; then
		echo "FAIL $(basename "$name") (convert exited $?)"
		fail=$((fail + 1))
		continue
	fi
	if [ "$mode" = regen ]; then
		cp "$out" "$name.gmi"
		echo "regen $(basename "$name")"
	elif diff -u "$name.gmi" "$out" >"$out.diff" 2>&1; then
		echo "ok   $(basename "$name")"
	else
		echo "FAIL $(basename "$name")"
		cat "$out.diff"
		fail=$((fail + 1))
	fi
	rm -f "$out.diff"
done
echo "golden: $n files, $fail failed"
[ "$fail" -eq 0 ]
