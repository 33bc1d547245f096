#!/bin/sh
# capsuled's URLs and dates against Hugo's own: on each Hugo fixture site
# under tests/sites/ (and the sample capsule), `hugo list all` prints every
# page's permalink, date, publishDate, expiryDate and draft state;
# `capsuled check --list` must give the same path and the same calendar
# date for each page (capsuled also dates a page by a YYYY-MM-DD prefix
# of its file name, which Hugo does only when [frontmatter] says
# :filename), and must publish exactly the pages Hugo publishes now
# (drafts, a publish date to come, an expiry date passed, _build render
# never). Then Hugo builds the site with two one-line layouts (so every
# ref and relref must resolve, or the build fails) and every HTML page it
# writes (pages, sections, taxonomies and their terms, per language;
# aliases aside) must answer 20 from capsuled, and every page Hugo does
# not publish must not.
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
import csv, datetime, sys, urllib.parse
now = datetime.datetime.now(datetime.timezone.utc)
def when(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
hugo = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
cap = {}
for line in open(sys.argv[2], encoding="utf-8"):
    f = line.rstrip("\n").split(" ")
    if len(f) in (3, 4) and f[0].endswith((".md", ".markdown")):
        cap[f[0]] = (f[1], f[2], f[3] if len(f) == 4 else "")
n = bad = 0
for row in hugo:
    n += 1
    published = row["draft"] == "false" and row["permalink"] != "" and \
        when(row["publishDate"]) <= now and \
        (row["expiryDate"].startswith("0001-") or
         when(row["expiryDate"]) > now)
    want = urllib.parse.unquote(urllib.parse.urlsplit(row["permalink"]).path)
    date = row["date"][:10]
    want_date = "-" if date.startswith("0001-") else date
    got = cap.get(row["path"])
    if got is None:
        print("missing %s (hugo: %s)" % (row["path"], want))
        bad += 1
        continue
    if (got[2] == "") != published:
        print("%s: capsuled %s, hugo %s" % (row["path"],
              got[2] or "published", "published" if published else
              "unpublished"))
        bad += 1
    if row["permalink"] == "" or row["draft"] == "true":
        continue    # no URL to compare (render never), or a draft
    if got[0] == want and want_date == "-" and \
            row["path"].rsplit("/", 1)[-1].startswith(got[1]):
        pass    # a date from the file name, which Hugo reads only when told
    elif got[:2] != (want, want_date):
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
	*differ=0) e2e_ok "$name: URLs, dates and publication as Hugo gives them ($figures)" ;;
	*) e2e_fail "$name: $(printf '%s' "$out" | head -n 10 | tr '\n' '|')" ;;
	esac

	# Hugo's own build: refs resolve, and its pages are capsuled's.
	mkdir -p "$S/layouts/_default"
	echo '{{ .Content }}' >"$S/layouts/_default/single.html"
	echo '{{ .Content }}<pre class="{{ .Kind }}">{{ range .RegularPages }} {{ .RelPermalink }}{{ end }}</pre>' \
	    >"$S/layouts/_default/list.html"
	if ! (cd "$S" && hugo --quiet -d "$E2E_DIR/out-$name" \
	    >"$E2E_DIR/build-$name.err" 2>&1); then
		e2e_fail "$name: hugo build failed (a ref that does not resolve?): $(head -c 300 "$E2E_DIR/build-$name.err")"
		continue
	fi
	python3 - "$E2E_DIR/out-$name" "$E2E_DIR/hugo-$name.csv" \
	    >"$E2E_DIR/urls-$name.txt" <<'PY'
import csv, datetime, html as html_mod, os, re, sys, urllib.parse
out = sys.argv[1]
for d, _, files in os.walk(out):
    if "index.html" in files:
        html = open(os.path.join(d, "index.html"), encoding="utf-8").read()
        if 'http-equiv="refresh"' in html:
            continue    # an alias
        rel = os.path.relpath(d, out)
        url = "/" if rel == "." else "/%s/" % rel
        print("20 %s" % url)
        # A section lists its pages in Hugo's order; a term, as a set.
        m = re.search(r'<pre class="(section|term)">([^<]*)</pre>', html)
        if m:
            pages = [urllib.parse.unquote(html_mod.unescape(u))
                     for u in m.group(2).split()]
            print("%s %s %s" % ("order" if m.group(1) == "section" else
                                "set", url, " ".join(pages)))
now = datetime.datetime.now(datetime.timezone.utc)
for row in csv.DictReader(open(sys.argv[2], encoding="utf-8")):
    url = urllib.parse.unquote(urllib.parse.urlsplit(row["permalink"]).path)
    if url and not os.path.exists(os.path.join(out, url.strip("/"),
                                               "index.html")):
        print("no %s" % url)
PY
	e2e_start serve --root "$S" --certs "$E2E_DIR/certs" --host localhost \
	    --listen 127.0.0.1:0 --workers 1 || continue
	n=0 bad=0
	while read -r want url pages; do
		n=$((n + 1))
		e2e_req "$(e2e_url "$url")"
		if [ "$want" = order ] || [ "$want" = set ]; then
			# The page links of capsuled's listing, Hugo's pages only.
			got=$(python3 - "$want" "$BODYFILE" $pages <<'PY'
import sys, urllib.parse
want, body, pages = sys.argv[1], sys.argv[2], sys.argv[3:]
links = []
for line in open(body, encoding="utf-8", errors="replace"):
    if line.startswith("=>"):
        u = urllib.parse.unquote(line[2:].split()[0])
        if u not in links:
            links.append(u)
listed = [u for u in links if u in pages]
missing = [u for u in pages if u not in links]
if missing:
    print("missing " + " ".join(missing))
elif want == "order" and listed != pages:
    print("order " + " ".join(listed))
PY
)
			if [ -n "$got" ]; then
				bad=$((bad + 1))
				e2e_note "  $url: hugo lists $pages; capsuled: $got"
			fi
		elif [ "$want" = 20 ] && [ "$STATUS" != 20 ]; then
			bad=$((bad + 1))
			e2e_note "  hugo publishes $url, capsuled answers $STATUS"
		elif [ "$want" = no ] && [ "$STATUS" = 20 ]; then
			bad=$((bad + 1))
			e2e_note "  hugo does not publish $url, capsuled does"
		fi
	done <"$E2E_DIR/urls-$name.txt"
	e2e_stop_server
	if [ "$n" -lt 2 ]; then
		e2e_fail "$name: hugo built no page"
	else
		assert_eq "$bad" 0 "$name: every page Hugo builds is served, no other ($n URLs)"
	fi
done
e2e_done
