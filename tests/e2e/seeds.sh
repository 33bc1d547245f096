#!/bin/sh
# Real-world posts from ../shared/seeds (copied at run time into a temp
# capsule, never into the project): titles and dates in the index as the
# seeds' NAME.expect.json files say, newest first; a seed without a date
# listed under "## Undated", not as a feed line nor an Atom entry (never
# dated by its file's time); the figure shortcode turned into an image
# link line. Then gemcheck on the seeds with this project's paragraph
# expectations added (seed 001: longest text line <= 600, >= 55 lines;
# 002: <= 3300, >= 80), and on tests/gemtext/hard_wrapped.md, whose
# .expect.json says the line-break rule never splits wrapped text.
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

# tnorm: titles compared as gemcheck does in ASCII: case, '-' and '_' as
# spaces (a title made from a file name reads "001 fcbd…").
tnorm() {
	tr '_A-Z-' ' a-z ' | tr -s ' '
}

e2e_start_server || e2e_done
expect "$(e2e_url /)" 20 "index of the seeds"
cp "$BODYFILE" "$E2E_DIR/index.gmi"
INDEX=$E2E_DIR/index.gmi

FEED_RE='^=>[[:space:]]*([^[:space:]]+)[[:space:]]+([0-9]{4}-[01][0-9]-[0-3][0-9])([^0-9].*)'
ndated=0
for json in "$SEEDS"/*.expect.json; do
	[ -n "$(expect_field "$json" date)" ] && ndated=$((ndated + 1))
done
assert_eq "$(grep -Ec "$FEED_RE" "$INDEX")" "$ndated" "index: one feed line per dated seed"
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
	want_date=$(expect_field "$json" date)
	titles=$(expect_field "$json" title)
	# The index line of this seed: the slug is the file name (no seed sets one).
	# (A "Featured" line may name it too; the feed line is the dated one.)
	if [ -z "$want_date" ]; then
		# Undated: after "## Undated", no date, not a feed line.
		line=$(sed -n '/^## Undated$/,$p' "$INDEX" |
		    grep -E "^=>[[:space:]]*/posts/$name/[[:space:]]" | head -n 1)
		if [ -z "$line" ] || printf '%s\n' "$line" | grep -Eq "$FEED_RE"; then
			e2e_fail "$name: no undated index line for /posts/$name/: '$line'"
			continue
		fi
		e2e_ok "$name: listed under 'Undated', not as a feed line"
		ltitle=$(printf '%s\n' "$line" | sed -E 's/^=>[[:space:]]*[^[:space:]]+[[:space:]]+//')
		ldate=
	else
		line=$(grep -E "^=>[[:space:]]*/posts/$name/[[:space:]]" "$INDEX" |
		    grep -E "$FEED_RE" | head -n 1)
		if [ -z "$line" ]; then
			e2e_fail "$name: no dated index line for /posts/$name/"
			continue
		fi
		ldate=$(printf '%s\n' "$line" | sed -E "s/$FEED_RE/\\2/")
		# The title follows the date and a space, or " - " when it starts
		# with a digit (Lagrange trims the title).
		ltitle=$(printf '%s\n' "$line" | sed -E "s/$FEED_RE/\\3/; s/^ - ([0-9])/\\1/; s/^ //")
	fi
	if [ -n "$titles" ]; then
		if printf '%s\n' "$titles" | tnorm | grep -qxF -- "$(printf '%s\n' "$ltitle" | tnorm)"; then
			e2e_ok "$name: index title '$ltitle'"
		else
			e2e_fail "$name: index title '$ltitle', want one of: $(printf '%s' "$titles" | tr '\n' '|')"
		fi
	fi
	if [ -n "$want_date" ]; then
		assert_eq "$ldate" "$want_date" "$name: index date"
	fi
	expect "$(e2e_url "/posts/$name/")" 20 "$name: post page"
	first=$(head -n 1 "$BODYFILE")
	if [ -n "$titles" ]; then
		if printf '%s\n' "$titles" | tnorm | sed 's/^/# /' |
		    grep -qxF -- "$(printf '%s\n' "$first" | tnorm)"; then
			e2e_ok "$name: page heading '$first'"
		else
			e2e_fail "$name: page first line '$first'"
		fi
	fi
	if [ -n "$want_date" ]; then
		case $(sed -n 2p "$BODYFILE") in
		"$want_date"*) e2e_ok "$name: page date line" ;;
		*) e2e_fail "$name: page second line '$(sed -n 2p "$BODYFILE")', want $want_date…" ;;
		esac
	elif sed -n 2p "$BODYFILE" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}'; then
		e2e_fail "$name: undated, but the page shows a date: '$(sed -n 2p "$BODYFILE")'"
	else
		e2e_ok "$name: page shows no date"
	fi
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
	e2e_req "$(e2e_url "/posts/$(basename "$fig" .md)/")"
	if grep -Eq '^=>[[:space:]]*/images/lookBack\.png([[:space:]]|$)' "$BODYFILE"; then
		e2e_ok "figure: '=> /images/lookBack.png' link line"
	else
		e2e_fail "figure: no '=> /images/lookBack.png' line"
	fi
fi
# The Atom feed: an entry per dated seed, none for the undated.
expect "$(e2e_url /atom.xml)" 20 "atom feed"
assert_eq "$(grep -c '<entry>' "$BODYFILE")" "$ndated" "atom: one entry per dated seed"
assert_alive

# Paragraphs as their authors wrote them, judged by gemcheck: the seeds'
# own expectations plus this project's line counts (the seeds' files stay
# as they are; merged copies go to a temp folder).
GEMCHECK=$ROOT/../shared/gemcheck/gemcheck.py
if [ -f "$GEMCHECK" ] && command -v cmark-gfm >/dev/null 2>&1; then
	G=$E2E_DIR/gemcheck
	mkdir -p "$G"
	cp "$SEEDS"/*.md "$G/"
	python3 - "$SEEDS" "$G" <<'PY'
import json, os, sys
extra = {"001": {"max_text_line": 600, "min_text_lines": 55},
         "002": {"max_text_line": 3300, "min_text_lines": 80}}
src, dst = sys.argv[1], sys.argv[2]
for f in os.listdir(src):
    if f.endswith(".expect.json"):
        d = json.load(open(os.path.join(src, f), encoding="utf-8"))
        d.update(extra.get(f[:3], {}))
        json.dump(d, open(os.path.join(dst, f), "w", encoding="utf-8"))
PY
	cp "$ROOT"/tests/gemtext/hard_wrapped.md \
	    "$ROOT"/tests/gemtext/hard_wrapped.expect.json "$G/"
	if timeout 300 python3 "$GEMCHECK" --dir "$G" --label seeds+prose \
	    --convert-cmd "$CAPSULED convert {md}" >"$G/out" 2>&1; then
		e2e_ok "gemcheck: $(grep -E 'files clean' "$G/out")"
	else
		e2e_fail "gemcheck: $(grep -vE '^  CLEAN ' "$G/out" | head -n 30 | tr '\n' '|')"
	fi
else
	e2e_skip "gemcheck: no checker or no cmark-gfm"
fi

e2e_done
