#!/bin/sh
# capsuled's URLs and dates against Hugo's own: on each Hugo fixture site
# under tests/sites/ (and the sample capsule), `hugo list all` prints every
# page's permalink and date; `capsuled check --list` must give the same
# path and the same calendar date for each page Hugo publishes (capsuled
# also dates a page by a YYYY-MM-DD prefix of its file name, which Hugo
# does only when [frontmatter] says :filename).
# shellcheck disable=SC2034 # SUMMARY is read by lib.sh
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v hugo >/dev/null 2>&1; then
	echo "no hugo (a test dependency: make deps-check installs it)" >&2
	exit 1
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "no python3 (a test dependency)" >&2
	exit 1
fi
e2e_setup

for site in "$ROOT"/tests/sites/hugo-* "$ROOT/capsule"; do
	name=${site##*/}
	S=$E2E_DIR/site-$name
	cp -R "$site" "$S"
	if ! (cd "$S" && hugo list all >"$E2E_DIR/hugo-$name.csv" \
	    2>"$E2E_DIR/hugo-$name.err"); then
		e2e_fail "$name: hugo list all failed: $(head -c 300 "$E2E_DIR/hugo-$name.err")"
		continue
	fi
	"$CAPSULED" check --list "$S" >"$E2E_DIR/cap-$name.txt" 2>/dev/null
	out=$(python3 - "$E2E_DIR/hugo-$name.csv" "$E2E_DIR/cap-$name.txt" <<'PY'
import csv, sys, urllib.parse
hugo = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
cap = {}
for line in open(sys.argv[2], encoding="utf-8"):
    f = line.rstrip("\n").split(" ")
    if len(f) == 3 and f[0].endswith((".md", ".markdown")):
        cap[f[0]] = (f[1], f[2])
n = bad = 0
for row in hugo:
    if row["draft"] == "true":
        continue
    n += 1
    want = urllib.parse.unquote(urllib.parse.urlsplit(row["permalink"]).path)
    date = row["date"][:10]
    want_date = "-" if date.startswith("0001-") else date
    got = cap.get(row["path"])
    if got is None:
        print("missing %s (hugo: %s)" % (row["path"], want))
        bad += 1
    elif got[0] == want and want_date == "-" and \
            row["path"].rsplit("/", 1)[-1].startswith(got[1]):
        pass    # a date from the file name, which Hugo reads only when told
    elif got != (want, want_date):
        print("differs %s: capsuled %s %s, hugo %s %s" %
              (row["path"], got[0], got[1], want, want_date))
        bad += 1
print("pages=%d differ=%d" % (n, bad))
PY
)
	figures=$(printf '%s\n' "$out" | tail -n 1)
	e2e_note "$name: $figures"
	case $figures in
	pages=0\ *) e2e_fail "$name: hugo listed no page" ;;
	*differ=0) e2e_ok "$name: URLs and dates as Hugo gives them ($figures)" ;;
	*) e2e_fail "$name: $(printf '%s' "$out" | head -n 10 | tr '\n' '|')" ;;
	esac
done
e2e_done
