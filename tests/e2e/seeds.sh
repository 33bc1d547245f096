#!/bin/sh
# Real-world posts from ../shared/seeds (copied at run time into a temp
# capsule, never into the project): titles and dates in the index as the
# seeds' NAME.expect.json files say, newest first, and the figure
# shortcode turned into an image link line.
# shellcheck disable=SC2034 # SUMMARY is read by lib.sh
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SEEDS=$ROOT/../shared/seeds
if ! ls "$SEEDS"/*.md >/dev/null 2>&1; then
	e2e_skip_all "no seeds in $SEEDS (../shared is missing)"
fi
if ! command -v python3 >/dev/null 2>&1; then
	e2e_skip_all "no python3"
fi

e2e_setup
C=$E2E_DIR/capsule
rm -f "$C/index.gmi"
mkdir -p "$C/posts"
cp "$SEEDS"/*.md "$C/posts/"

# expect_field JSONFILE KEY: the value, one line per acceptable string
# (a list gives several; null or a missing key gives nothing).
expect_field() {
	python3 -c 'import json, sys
v = json.load(open(sys.argv[1], encoding="utf-8")).get(sys.argv[2])
if v is None:
    sys.exit(0)
for s in (v if isinstance(v, list) else [v]):
    print(s)' "$1" "$2"
}

e2e_start_server || e2e_done
expect "$(e2e_url /)" 20 "index of the seeds"
cp "$BODYFILE" "$E2E_DIR/index.gmi"
INDEX=$E2E_DIR/index.gmi

FEED_RE='^=>[[:space:]]*([^[:space:]]+)[[:space:]]+([0-9]{4}-[01][0-9]-[0-3][0-9])([^0-9].*)'
nseeds=$(ls "$SEEDS"/*.md | wc -l | tr -d ' ')
assert_eq "$(grep -Ec "$FEED_RE" "$INDEX")" "$nseeds" "index: one feed line per seed"
dates=$(grep -E "$FEED_RE" "$INDEX" | sed -E 's/^=>[[:space:]]*[^[:space:]]+[[:space:]]+([0-9-]{10}).*/\1/')
if [ "$dates" = "$(printf '%s\n' "$dates" | sort -r)" ]; then
	e2e_ok "index: newest first"
else
	e2e_fail "index: dates not descending: $(printf '%s' "$dates" | tr '\n' ' ')"
fi

for md in "$SEEDS"/*.md; do
	name=$(basename "$md" .md)
	json=$SEEDS/$name.expect.json
	[ -f "$json" ] || continue
	# The index line of this seed: the slug is the file name (no seed sets one).
	# (A "Featured" line may name it too; the feed line is the dated one.)
	line=$(grep -E "^=>[[:space:]]*/posts/$name\\.gmi[[:space:]]" "$INDEX" |
	    grep -E "$FEED_RE" | head -n 1)
	if [ -z "$line" ]; then
		e2e_fail "$name: no dated index line for /posts/$name.gmi"
		continue
	fi
	ldate=$(printf '%s\n' "$line" | sed -E "s/$FEED_RE/\\2/")
	# The title follows the date and a space, or " - " when it starts
	# with a digit (Lagrange trims the title).
	ltitle=$(printf '%s\n' "$line" | sed -E "s/$FEED_RE/\\3/; s/^ - ([0-9])/\\1/; s/^ //")
	titles=$(expect_field "$json" title)
	if [ -n "$titles" ]; then
		if printf '%s\n' "$titles" | grep -qxF -- "$ltitle"; then
			e2e_ok "$name: index title '$ltitle'"
		else
			e2e_fail "$name: index title '$ltitle', want one of: $(printf '%s' "$titles" | tr '\n' '|')"
		fi
	fi
	want_date=$(expect_field "$json" date)
	if [ -n "$want_date" ]; then
		assert_eq "$ldate" "$want_date" "$name: index date"
	fi
	expect "$(e2e_url "/posts/$name.gmi")" 20 "$name: post page"
	first=$(head -n 1 "$BODYFILE")
	if [ -n "$titles" ]; then
		if printf '%s\n' "$titles" | sed 's/^/# /' | grep -qxF -- "$first"; then
			e2e_ok "$name: page heading '$first'"
		else
			e2e_fail "$name: page first line '$first'"
		fi
	fi
	[ -n "$want_date" ] && case $(sed -n 2p "$BODYFILE") in
	"$want_date"*) e2e_ok "$name: page date line" ;;
	*) e2e_fail "$name: page second line '$(sed -n 2p "$BODYFILE")', want $want_date…" ;;
	esac
	# A figure shortcode in the source becomes an image link line.
	for src in $(grep -o '{{<[[:space:]]*figure[^>]*src="[^"]*"' "$md" |
	    sed 's/.*src="\([^"]*\)"/\1/'); do
		if grep -Eq "^=>[[:space:]]*$src([[:space:]]|\$)" "$BODYFILE"; then
			e2e_ok "$name: figure became '=> $src'"
		else
			e2e_fail "$name: no '=> $src' line"
		fi
	done
	if grep -q '{{<\|{{%\|>}}\|%}}' "$BODYFILE"; then
		e2e_fail "$name: shortcode braces left in the page: $(grep -m1 '{{<\|{{%\|>}}\|%}}' "$BODYFILE")"
	else
		e2e_ok "$name: no shortcode braces in the page"
	fi
	expect "$(e2e_url "/posts/$name.md")" 20 "$name: source"
	if cmp -s "$BODYFILE" "$md"; then
		e2e_ok "$name: source byte for byte"
	else
		e2e_fail "$name: source differs"
	fi
done

# The two dated seeds, explicitly.
if grep -Eq '^=>[[:space:]]*/posts/[^[:space:]]+[[:space:]]+2025-01-19 Look Back: A reminder' "$INDEX"; then
	e2e_ok "index: 'Look Back: A reminder…' dated 2025-01-19"
else
	e2e_fail "index: no 2025-01-19 'Look Back: A reminder…' line"
fi
if grep -Eq '^=>[[:space:]]*/posts/[^[:space:]]+[[:space:]]+2025-09-07 Look Back$' "$INDEX"; then
	e2e_ok "index: 'Look Back' dated 2025-09-07"
else
	e2e_fail "index: no 2025-09-07 'Look Back' line"
fi
# The image link, as the brief names it.
fig=$(grep -l 'figure src="/images/lookBack.png"' "$SEEDS"/*.md 2>/dev/null | head -n 1)
if [ -n "$fig" ]; then
	e2e_req "$(e2e_url "/posts/$(basename "$fig" .md).gmi")"
	if grep -Eq '^=>[[:space:]]*/images/lookBack\.png([[:space:]]|$)' "$BODYFILE"; then
		e2e_ok "figure: '=> /images/lookBack.png' link line"
	else
		e2e_fail "figure: no '=> /images/lookBack.png' line"
	fi
fi
assert_alive

e2e_done
