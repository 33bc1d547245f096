#!/bin/sh
# The link checker: every fixture site under tests/sites/ (Hugo blog,
# Zola blog, Hugo docs) and the sample capsule is served and crawled
# over Gemini from /; every internal link and image must answer 20 (10
# for the /search prompt), after at most five 31s within the capsule.
# `capsuled check` must find
# no link that answers nothing, and `capsuled convert` of each page must
# equal the body the server sends for it.
# shellcheck disable=SC2034 # SUMMARY is read by lib.sh
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v python3 >/dev/null 2>&1; then
	echo "no python3 (a test dependency)" >&2
	exit 1
fi
e2e_setup

for site in "$ROOT"/tests/sites/* "$ROOT/capsule"; do
	[ -d "$site" ] || continue
	name=${site##*/}
	# A copy: the test never writes into the project.
	cp -R "$site" "$E2E_DIR/site-$name"
	S=$E2E_DIR/site-$name
	e2e_start serve --root "$S" --certs "$E2E_DIR/certs" --host localhost \
	    --listen 127.0.0.1:0 --workers 1 || continue
	out=$(python3 "$ROOT/tests/tools/crawl.py" localhost \
	    "$PORT" / 2>&1)
	rc=$?
	figures=$(printf '%s\n' "$out" | tail -n 1)
	e2e_note "$name: $figures"
	pages=$(printf '%s\n' "$figures" | sed -n 's/^pages=\([0-9]*\) .*/\1/p')
	if [ "$rc" -eq 0 ] && [ "${pages:-0}" -gt 1 ]; then
		e2e_ok "$name: crawled, no dead internal link ($figures)"
	else
		e2e_fail "$name: crawl: $(printf '%s' "$out" | head -n 20 | tr '\n' '|')"
	fi

	# check: no link that answers nothing.
	"$CAPSULED" check --list "$S" >"$E2E_DIR/check-$name.out" \
	    2>"$E2E_DIR/check-$name.err"
	crc=$?
	if grep -q "names nothing" "$E2E_DIR/check-$name.out"; then
		e2e_fail "$name: check finds dead links: $(grep 'names nothing' "$E2E_DIR/check-$name.out" | head -n 5 | tr '\n' '|')"
	else
		e2e_ok "$name: check finds no dead link"
	fi
	assert_eq "$crc" 0 "$name: check exits 0"

	# convert equals the served page, for every page of the site.
	bad=0 n=0
	while read -r src url date state; do
		case $src in *.md|*.markdown) ;; *) continue ;; esac
		# Not published (yet, or any more), or no page of its own.
		case $state in norender|unpublished) continue ;; esac
		case $(basename "$src") in _index*|index.md) [ "$url" = / ] && continue ;; esac
		case $(basename "$src") in _index*) continue ;; esac
		n=$((n + 1))
		"$CAPSULED" convert "$S/$src" >"$E2E_DIR/conv.gmi" 2>/dev/null
		e2e_req "$(e2e_url "$url")"
		# A draft is not served: convert still previews it.
		if [ "$STATUS" = 51 ] &&
		    grep -Eq '^draft *[:=] *true' "$S/$src"; then
			continue
		fi
		if ! cmp -s "$E2E_DIR/conv.gmi" "$BODYFILE"; then
			bad=$((bad + 1))
			e2e_note "  convert differs from served: $src ($url, status $STATUS)"
		fi
	done <"$E2E_DIR/check-$name.out"
	assert_eq "$bad" 0 "$name: convert equals the served page ($n pages)"
	if [ "$name" = hugo-blog ]; then
		# A bare relref in running text prints the page's URL (Hugo).
		e2e_req "$(e2e_url /about/)"
		assert_eq "$STATUS" 20 "hugo-blog: /about/ answers 20"
		assert_body_contains "is told at /2024/05/a-walk-by-the-river/, in one page." \
		    "hugo-blog: a bare relref shows the page's URL"
		assert_body_contains "=> /2024/05/a-walk-by-the-river/" \
		    "hugo-blog: a bare relref links the page"
		assert_body_lacks "trip.md" "hugo-blog: no bare ref source path"
	fi
	e2e_stop_server
done
e2e_done
