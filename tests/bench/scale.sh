#!/bin/sh
# scale.sh: the issue-16 scale table.  Generated Hugo sites (gensite.py)
# of each size in BENCH_SCALE_SIZES, served by CAPSULED with two workers,
# measured for: idle CPU, start-up to the first /, worker RSS, the first
# search (which builds a worker's search index: none is built before) and
# a second one, server CPU per request at the smallest and the largest
# size, and at the largest size an edit, a new post and its removal (each
# until it is served; the worst wait of a client polling another page
# meanwhile).  Prints one table on stdout; progress on stderr.  `make bench` runs it from bench.sh, which passes the
# handshake figures of its own runs (capsuled and molly-brown, same run).
#
# usage: sh tests/bench/scale.sh [CAPSULED GEMLOAD]
# env:   BENCH_SCALE_SIZES  pages per site (default "1000 10000 100000")
#        BENCH_SCALE_IDLE   seconds of the idle window (default 60)
#        BENCH_SECS         seconds per load run (default 5)
#        BENCH_SCALE_ROUNDS alternations of the per-request runs (5)
#        BENCH_SCALE_EDIT   seconds the edit may take (default 60)
#        BENCH_SCALE_START  seconds a server may take to serve / (300)
#        BENCH_SCALE_STARTS starts per size, the median reported (3)
#        BENCH_HS           "capfull capres mollyfull mollyres" us/request
#        BENCH_KEEP=1       keep the temporary directory
#
# How: the servers start one after another, smallest first (each start
# timed alone but for the smaller ones idling), then all idle together
# for one window: CPU is read per process tree from /proc/PID/stat, so
# one window serves every size.  Nothing is asserted: a figure whose
# measurement failed prints as "-" and a FAILED line says why.

set -u
[ $# -ge 1 ] && CAPSULED=$1
[ $# -ge 2 ] && GEMLOAD=$2
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
: "${CAPSULED:=$REPO/build/capsuled}"
: "${GEMLOAD:=$REPO/build/bench/gemload}"
SIZES=${BENCH_SCALE_SIZES:-1000 10000 100000}
IDLE=${BENCH_SCALE_IDLE:-60}
SECS=${BENCH_SECS:-5}
ROUNDS=${BENCH_SCALE_ROUNDS:-5}
EDITMAX=${BENCH_SCALE_EDIT:-60}
STARTMAX=${BENCH_SCALE_START:-300}
STARTS=${BENCH_SCALE_STARTS:-3}
HZ=$(getconf CLK_TCK)
# Debian's python3 (a pyenv shim costs 100 ms per start).
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

BENCH_NAME=scale
. "$HERE/benchlib.sh"

for b in "$CAPSULED" "$GEMLOAD"; do
	if [ ! -x "$b" ]; then
		say "scale: $b: not an executable"
		exit 2
	fi
done
case $CAPSULED in /*) ;; *) CAPSULED=$PWD/$CAPSULED ;; esac
case $GEMLOAD in /*) ;; *) GEMLOAD=$PWD/$GEMLOAD ;; esac
for n in $SIZES; do
	case $n in
	'' | *[!0-9]*) say "scale: BENCH_SCALE_SIZES: $n is not a number"
		exit 2 ;;
	esac
done
SMALL=$(printf '%s\n' $SIZES | sort -n | head -n 1)
LARGE=$(printf '%s\n' $SIZES | sort -n | tail -n 1)
SIZES=$(printf '%s\n' $SIZES | sort -n | uniq | tr '\n' ' ')

TMP=$(mktemp -d "${TMPDIR:-/tmp}/capsuled-scale.XXXXXX") || exit 2
R=$TMP/results
: >"$R"
STARTED=

# say, spawn, stop, cleanup: benchlib.sh.
trap cleanup EXIT
trap 'exit 130' INT TERM

failed() {
	echo "FAILED $*" >>"$R"
	say "scale: FAILED $*"
}

# Ticks of user+system CPU of a process and its descendants (the master,
# its zygote, the workers; /proc/PID/stat counts every thread).
tree_ticks() {
	{ echo "$1"; e2e_tree "$1" | tr ' ' '\n'; } | while read -r p; do
		[ -r "/proc/$p/stat" ] && sed 's/^.*) //' "/proc/$p/stat"
	done | awk '{ t += $12 + $13 } END { print t + 0 }'
}

# The largest VmRSS (KiB) of the workers of a master.
worker_rss() {
	for p in $(e2e_children "$1"); do
		awk '/^VmRSS/ { print $2 }' "/proc/$p/status" 2>/dev/null
	done | sort -n | tail -n 1
}

# "steal total" jiffies of the whole machine (/proc/stat, first line).
cpustat() {
	awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i;
	    print $9, t; exit }' /proc/stat
}

pct() {	# STEAL0 TOTAL0 STEAL1 TOTAL1
	awk -v a="$1" -v b="$2" -v c="$3" -v d="$4" 'BEGIN {
	    if (d - b > 0) printf "%.1f", 100 * (c - a) / (d - b); else print "-" }'
}

res() {	# KEY: the value recorded under KEY, or -
	awk -v k="$1" '$1 == k { v = $2 } END { print (v == "") ? "-" : v }' "$R"
}

# poll_start PORT PATH NAME: a client requesting PATH one request after
# another in the background, until poll_end NAME; then a second passes.
poll_start() {
	rm -f "$TMP/stop"
	"$PY" "$HERE/probe.py" poll "$1" "$2" "$TMP/stop" >"$TMP/$3.out" 2>&1 &
	poller=$!
	sleep 1
}

# poll_end NAME WHAT: that client stopped; its worst wait and its number
# of requests recorded as NAME.worst and NAME.n (a FAILED line naming
# WHAT when it measured nothing or some requests failed).
poll_end() {
	_name=$1 _what=$2
	touch "$TMP/stop"
	wait "$poller"
	set -- $(cat "$TMP/$_name.out")
	if [ "${1:-}" = requests ] && [ "$2" -gt 0 ]; then
		echo "$_name.worst $6" >>"$R"
		echo "$_name.n $2" >>"$R"
		[ "$4" != 0 ] && failed "$_what: $4 of $2 requests failed"
	else
		failed "$_what: $(head -c 200 "$TMP/$_name.out")"
	fi
	return 0
}

wmax() {	# KEY: the largest of the values recorded under KEY, or -
	awk -v k="$1" '$1 == k && (v == "" || $2 + 0 > v + 0) { v = $2 }
	    END { print (v == "") ? "-" : v }' "$R"
}

med() {	# KEY: median of the values recorded under KEY
	awk -v k="$1" '$1 == k { print $2 }' "$R" | sort -g | awk '
	    { a[NR] = $1 } END { if (NR == 0) print "-"
		else if (NR % 2) print a[(NR + 1) / 2]
		else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

set -- $(cpustat)
ST0=$1 TT0=$2
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

# --- sites ------------------------------------------------------------

"$CAPSULED" cert localhost --certs "$TMP/certs" >"$TMP/cert.log" 2>&1 || {
	cat "$TMP/cert.log" >&2
	exit 1
}
for n in $SIZES; do
	t0=$(date +%s%N)
	if ! "$PY" "$HERE/gensite.py" "$TMP/site$n" "$n" >"$TMP/gen$n.out"; then
		say "scale: gensite.py $n failed"
		exit 1
	fi
	t1=$(date +%s%N)
	echo "gen.$n $(((t1 - t0) / 1000000))" >>"$R"
	say "scale: generated $(head -n 1 "$TMP/gen$n.out") in" \
	    "$(((t1 - t0) / 1000000)) ms"
done

# --- start-up, smallest first -----------------------------------------
# STARTS starts per size (the median is the figure: a single one may
# meet a machine still reclaiming what the last one used); the last
# start's server stays for the rest.

for n in $SIZES; do
	k=1
	while [ $k -le "$STARTS" ]; do
		: >"$TMP/cap$n.log"
		"$PY" "$HERE/probe.py" wait "$TMP/cap$n.log" / "$STARTMAX" \
		    >"$TMP/first$n" 2>"$TMP/first$n.err" &
		probe=$!
		sleep 0.3	# the probe is up and watching the log
		t0=$(date +%s%N)
		"$CAPSULED" serve --quiet --listen 127.0.0.1:0 \
		    --root "$TMP/site$n" --certs "$TMP/certs" --workers 2 \
		    >"$TMP/cap$n.log" 2>&1 &
		pid=$!
		STARTED="$STARTED $pid"
		wait "$probe"
		read -r t1 port <"$TMP/first$n" 2>/dev/null
		if [ -z "${port:-}" ]; then
			failed "start $n: no / within $STARTMAX s:" \
			    "$(head -c 200 "$TMP/first$n.err")" \
			    "$(head -c 300 "$TMP/cap$n.log")"
			stop "$pid"
			break
		fi
		echo "startrun.$n $(((t1 - t0) / 1000000))" >>"$R"
		say "scale: $n pages: / served $(((t1 - t0) / 1000000)) ms" \
		    "after exec (start $k of $STARTS)"
		if [ $k -lt "$STARTS" ]; then
			stop "$pid"
		else
			echo "start.$n $(med startrun.$n)" >>"$R"
			eval "PID$n=$pid PORT$n=$port"
		fi
		t1= port=
		k=$((k + 1))
	done
done

# The rest compares the smallest and the largest sites that came up.
UP=
for n in $SIZES; do
	eval "pid=\${PID$n:-}"
	[ -n "$pid" ] && UP="$UP $n"
done
if [ -n "$UP" ]; then
	SMALL=$(printf '%s\n' $UP | head -n 1)
	LARGE=$(printf '%s\n' $UP | tail -n 1)
fi

# --- idle window ------------------------------------------------------

say "scale: idle for $IDLE s ($SIZES at once)"
set -- $(cpustat)
IST0=$1 ITT0=$2
for n in $SIZES; do
	eval "pid=\${PID$n:-}"
	[ -n "$pid" ] && eval "IT0_$n=$(tree_ticks "$pid")"
done
t0=$(date +%s%N)
sleep "$IDLE"
t1=$(date +%s%N)
for n in $SIZES; do
	eval "pid=\${PID$n:-} it0=\${IT0_$n:-}"
	[ -n "$pid" ] || continue
	if ! kill -0 "$pid" 2>/dev/null; then
		failed "idle $n: the server exited"
		continue
	fi
	it1=$(tree_ticks "$pid")
	echo "idle.$n $(awk -v d=$((it1 - it0)) -v hz="$HZ" \
	    -v w=$((t1 - t0)) 'BEGIN { printf "%.2f", 100 * d / hz / (w / 1e9) }')" \
	    >>"$R"
done
set -- $(cpustat)
echo "steal.idle $(pct "$IST0" "$ITT0" "$1" "$2")" >>"$R"
LOADI=$(cut -d' ' -f1-3 /proc/loadavg)
for n in $SIZES; do
	eval "pid=\${PID$n:-}"
	[ -n "$pid" ] && echo "rss.$n $(worker_rss "$pid")" >>"$R"
done

# --- the first search, after the idle window ----------------------------
# No index is built before a site is searched: the first search (in
# whichever worker takes it) builds that worker's index; its time, the
# server CPU it took and the worker's RSS then are what it costs.
say "scale: the first search at each size"
for n in $SIZES; do
	eval "pid=\${PID$n:-} port=\${PORT$n:-}"
	[ -n "$pid" ] || continue
	# At the largest size, a client polls / meanwhile: the index is
	# built between its requests.
	[ "$n" = "$LARGE" ] && poll_start "$port" / spoll
	s0=$(tree_ticks "$pid")
	if out=$("$PY" "$HERE/probe.py" get "$port" "/search?pencil%20studio" \
	    "$STARTMAX" 2>"$TMP/search.err"); then
		set -- $out
		echo "search.ms.$n $1" >>"$R"
		[ "$2" -gt 0 ] || failed "search $n: no result"
	else
		failed "search $n: $(head -c 200 "$TMP/search.err")"
	fi
	s1=$(tree_ticks "$pid")
	echo "search.cpu.$n $(awk -v d=$((s1 - s0)) -v hz="$HZ" \
	    'BEGIN { printf "%.0f", d * 1000 / hz }')" >>"$R"
	if out=$("$PY" "$HERE/probe.py" get "$port" "/search?quiet%20river" \
	    "$STARTMAX" 2>"$TMP/search.err"); then
		set -- $out
		echo "search2.ms.$n $1" >>"$R"
	fi
	echo "rsssearch.$n $(worker_rss "$pid")" >>"$R"
	[ "$n" = "$LARGE" ] && poll_end spoll "search poll"
done
for n in $SIZES; do
	eval "pid=\${PID$n:-}"
	# Only the smallest and the largest sites are needed from here.
	if [ -n "$pid" ] && [ "$n" != "$SMALL" ] && [ "$n" != "$LARGE" ]; then
		stop "$pid"
	fi
done

# --- CPU per request, smallest against largest -------------------------

post_of() {	# SIZE: the URL of the first page of the posts section
	awk '$1 == "first" { print $2; exit }' "$TMP/gen$1.out"
}

# pin PID CPUS: every thread of a server's tree on CPUS.
pin() {
	for p in $1 $(e2e_tree "$1"); do
		taskset -a -p -c "$2" "$p" >/dev/null 2>&1
	done
}

# load KEY SIZE PATH [SECONDS]: gemload on CPU 1 against the server of
# SIZE pinned on CPU 0 (as the handshake figures), for SECONDS; then a
# quiet QUIET s, in which a worker hands back its burst's free memory
# (trim_cb): the CPU of the whole tree from the load's start to that
# quiet's end, per request, is recorded under KEY (none if KEY is -).
QUIET=1.5
load() {	# KEY SIZE PATH [SECONDS]
	key=$1
	eval "pid=\${PID$2:-} port=\${PORT$2:-}"
	[ -n "$pid" ] || return 0
	pin "$pid" 0
	l0=$(tree_ticks "$pid")
	"$GEMLOAD" --json -p 1 -c 16 -d "${4:-$SECS}" --no-sig-check \
	    --url "gemini://localhost:$port$3" 127.0.0.1 "$port" \
	    >"$TMP/load.json" 2>"$TMP/load.err"
	sleep "$QUIET"
	l1=$(tree_ticks "$pid")
	pin "$pid" 0-"$(($(nproc) - 1))"
	ln=$(tail -n 1 "$TMP/load.json" | sed -n 's/^{"requests":\([0-9]*\),"ok":\([0-9]*\),"errors":\([0-9]*\),.*/\1 \3/p')
	set -- $ln
	if [ "${1:-0}" = 0 ] || [ "${2:-1}" != 0 ]; then
		failed "load $key: ${1:-0} requests, ${2:--} errors:" \
		    "$(head -c 200 "$TMP/load.err")"
		return 0
	fi
	[ "$key" = - ] && return 0
	echo "$key $(awk -v d=$((l1 - l0)) -v hz="$HZ" -v n="$1" \
	    'BEGIN { printf "%.1f", d * 1e6 / hz / n }')" >>"$R"
}

say "scale: CPU per request, $SMALL against $LARGE pages"
# One unmeasured second each first: what a server does once (its first
# writes to the pages it shares with its zygote, its first trim) is not
# the cost of a request.
for n in $SMALL $LARGE; do
	load - "$n" / 1
	load - "$n" "$(post_of "$n")" 1
done
r=1
while [ $r -le "$ROUNDS" ]; do
	for n in $SMALL $LARGE; do
		load req.index.$n "$n" /
		load req.post.$n "$n" "$(post_of "$n")"
	done
	[ "$SMALL" = "$LARGE" ] && break
	r=$((r + 1))
done

# --- an edit at the largest size ---------------------------------------

eval "pid=\${PID$LARGE:-} port=\${PORT$LARGE:-}"
if [ -n "$pid" ]; then
	say "scale: an edit at $LARGE pages"
	src=$(awk '$1 == "first" { print $3; exit }' "$TMP/gen$LARGE.out")
	edited=$(post_of "$LARGE")
	other=$(awk '$1 == "first" { p = $2 } END { print p }' \
	    "$TMP/gen$LARGE.out")
	[ "$other" = "$edited" ] && other=/
	# Both pages once, so that a cache holds them before the edit.
	"$PY" "$HERE/probe.py" wait "$TMP/cap$LARGE.log" "$edited" 30 \
	    >/dev/null 2>&1
	"$PY" "$HERE/probe.py" wait "$TMP/cap$LARGE.log" "$other" 30 \
	    >/dev/null 2>&1
	poll_start "$port" "$other" poll
	e0=$(tree_ticks "$pid")
	if ms=$("$PY" "$HERE/probe.py" edit "$port" "$edited" \
	    "$TMP/site$LARGE/$src" "$EDITMAX" 2>"$TMP/edit.err"); then
		echo "edit.ms $ms" >>"$R"
	else
		failed "edit: $(cat "$TMP/edit.err")"
	fi
	sleep 1
	# A new post in the edited one's section, dated today (first on /,
	# in its section and on a tag page), then removed again.
	sect=${edited#/}
	sect=${sect%%/*}
	for op in add delete; do
		if ms=$("$PY" "$HERE/probe.py" $op "$port" \
		    "/$sect/zz-bench-added/" \
		    "$TMP/site$LARGE/content/$sect/zz-bench-added.md" \
		    "$EDITMAX" 2>"$TMP/edit.err"); then
			echo "$op.ms $ms" >>"$R"
		else
			failed "$op: $(cat "$TMP/edit.err")"
		fi
		sleep 1
	done
	poll_end poll poll
	e1=$(tree_ticks "$pid")
	echo "edit.cpu $(awk -v d=$((e1 - e0)) -v hz="$HZ" \
	    'BEGIN { printf "%.0f", d * 1000 / hz }')" >>"$R"
	echo "rssafter.$LARGE $(worker_rss "$pid")" >>"$R"
fi
for n in $SMALL $LARGE; do
	eval "pid=\${PID$n:-}"
	[ -n "$pid" ] && stop "$pid"
done

# --- certificates at the largest size -----------------------------------
# A server of its own with two [[protect]] rules: one post for one client
# certificate, a whole section for another. A certificate's first request
# in a worker has that worker list the pages it may see (off the loop:
# the base's lists copied plus the post, or listed from the posts for the
# section); the worst of four requests of each, and the worst wait of an
# anonymous client polling another page meanwhile.

fingerprint() {	# CERT: its SHA-256 fingerprint, AA:BB:...
	"$PY" -c 'import hashlib, ssl, sys
d = ssl.PEM_cert_to_DER_cert(open(sys.argv[1]).read())
h = hashlib.sha256(d).hexdigest().upper()
print(":".join(h[i:i + 2] for i in range(0, 64, 2)))' "$1"
}

if [ -d "$TMP/site$LARGE/content" ]; then
	say "scale: certificates at $LARGE pages"
	ppost=$(awk '$1 == "first" { n++; if (n == 2) { print $2; exit } }' \
	    "$TMP/gen$LARGE.out")
	psec=$(awk '$1 == "first" { p = $2 } END { print p }' \
	    "$TMP/gen$LARGE.out")
	psec=${psec#/}
	psec=/${psec%%/*}/
	other=$(post_of "$LARGE")
	for c in one two; do
		"$CAPSULED" cert "$c" --certs "$TMP/client" \
		    >>"$TMP/cert.log" 2>&1
	done
	printf '[[protect]]\npath = "%s"\nfingerprints = ["%s"]\n' \
	    "$ppost" "$(fingerprint "$TMP/client/one.crt")" >"$TMP/protect.toml"
	printf '[[protect]]\npath = "%s"\nfingerprints = ["%s"]\n' \
	    "$psec" "$(fingerprint "$TMP/client/two.crt")" >>"$TMP/protect.toml"
	: >"$TMP/prot.log"
	"$PY" "$HERE/probe.py" wait "$TMP/prot.log" "$other" "$STARTMAX" \
	    >"$TMP/protfirst" 2>"$TMP/protfirst.err" &
	probe=$!
	sleep 0.3
	"$CAPSULED" serve --quiet --config "$TMP/protect.toml" \
	    --listen 127.0.0.1:0 --root "$TMP/site$LARGE" --certs "$TMP/certs" \
	    --workers 2 >"$TMP/prot.log" 2>&1 &
	pid=$!
	STARTED="$STARTED $pid"
	wait "$probe"
	read -r t1 port <"$TMP/protfirst" 2>/dev/null
	if [ -z "${port:-}" ]; then
		failed "certificates: no start: $(head -c 300 "$TMP/prot.log")"
	else
		# Served to no one without its certificate.
		"$PY" "$HERE/probe.py" get "$port" "$ppost" 10 \
		    >/dev/null 2>&1 &&
		    failed "certificates: $ppost served without a certificate"
		poll_start "$port" "$other" cpoll
		for c in one two; do
			path=$ppost
			[ $c = two ] && path=$(awk -v s="$psec" \
			    '$1 == "first" && index($2, s) == 1 { print $2 }' \
			    "$TMP/gen$LARGE.out")
			k=1
			while [ $k -le 4 ]; do
				if out=$("$PY" "$HERE/probe.py" get "$port" \
				    "$path" "$EDITMAX" "$TMP/client/$c.crt" \
				    "$TMP/client/$c.key" 2>"$TMP/cget.err"); then
					set -- $out
					echo "cert.$c $1" >>"$R"
				else
					failed "certificate $c: $path:" \
					    "$(head -c 200 "$TMP/cget.err")"
				fi
				k=$((k + 1))
			done
		done
		sleep 0.5
		poll_end cpoll "certificates' poll"
	fi
	stop "$pid"
fi
set -- $(cpustat)
STEAL=$(pct "$ST0" "$TT0" "$1" "$2")
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the table --------------------------------------------------------

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
	    if (a == "-" || b == "-" || b + 0 == 0) print "-"
	    else printf "%.2f\n", a / b }'
}

# row LABEL KEY NOTE: one line of the table, KEY's value per size.
row() {
	printf '  %-26s' "$1"
	for n in $SIZES; do printf ' %9s' "$(res "$2.$n")"; done
	if [ -n "$3" ]; then printf '   %s\n' "$3"; else printf '\n'; fi
}

# mib KEY: a KiB figure recorded under KEY, in MiB, or -.
mib() {
	awk -v k="$(res "$1")" 'BEGIN {
	    if (k == "-") print "-"; else printf "%.1f", k / 1024 }'
}

echo
printf '  %-26s' "scale, 2 workers, pages"
for n in $SIZES; do printf ' %9s' "$n"; done
printf '   %s\n' "target"
row "generated in, ms" gen ""
row "idle CPU, % of a core" idle \
    "< 0.5 at every size ($IDLE s, master + workers)"
row "exec to first / served, ms" start \
    "< 300 at 10000, < 3000 at 100000 (median of $STARTS starts)"
printf '  %-26s' "worker RSS after idle, MiB"
for n in $SIZES; do printf ' %9s' "$(mib rss.$n)"; done
printf '   %s\n' "< 300 at 100000 (largest worker)"
printf '  %-26s' "  per page, KiB"
for n in $SIZES; do
	printf ' %9s' "$(awk -v k="$(res rss.$n)" -v n="$n" 'BEGIN {
	    if (k == "-") print "-"; else printf "%.2f", k / n }')"
done
printf '\n'
row "first /search, ms" search.ms "builds one worker's index (none before)"
row "  its server CPU, ms" search.cpu \
    "(at $LARGE, with the requests of the poller below)"
row "  a second search, ms" search2.ms \
    "(either worker: the other builds its own)"
printf '  %-26s' "  worker RSS then, MiB"
for n in $SIZES; do printf ' %9s' "$(mib rsssearch.$n)"; done
printf '\n'
for p in index post; do
	s=$(med req.$p.$SMALL)
	l=$(med req.$p.$LARGE)
	label="/ CPU us/request"
	[ $p = post ] && label="a post, CPU us/request"
	printf '  %-26s' "$label"
	for n in $SIZES; do
		if [ "$n" = "$SMALL" ]; then printf ' %9s' "$s"
		elif [ "$n" = "$LARGE" ]; then printf ' %9s' "$l"
		else printf ' %9s' "."; fi
	done
	printf '   %s\n' "$LARGE/$SMALL: $(ratio "$l" "$s") (within 1.10)"
done
echo "  edits at $LARGE pages: a post edited served after $(res edit.ms) ms," \
    "a new post after $(res add.ms) ms, its removal (51) after" \
    "$(res delete.ms) ms (< 1000); a client polling another page" \
    "meanwhile waited at worst $(res poll.worst) ms (< 50) over" \
    "$(res poll.n) requests; server CPU meanwhile $(res edit.cpu) ms" \
    "(the poller's requests included); worker RSS then" \
    "$(mib rssafter.$LARGE) MiB"
echo "  the first two searches at $LARGE pages: a client polling / meanwhile" \
    "waited at worst $(res spoll.worst) ms (< 50) over $(res spoll.n)" \
    "requests"
echo "  certificates at $LARGE pages ([[protect]] one post; one section):" \
    "4 requests of each served after at worst $(wmax cert.one) and" \
    "$(wmax cert.two) ms (a worker's first lists the pages it may see," \
    "off the loop); a client polling another page meanwhile waited at" \
    "worst $(res cpoll.worst) ms (< 50) over $(res cpoll.n) requests"
if [ -n "${BENCH_HS:-}" ]; then
	set -- $BENCH_HS
	echo "  TLS handshakes, / (us/request, server on CPU 0): capsuled full" \
	    "$1, resumed $2; molly-brown full ${3:--}, resumed ${4:--}" \
	    "(resumed < full; capsuled < molly-brown)"
else
	echo "  TLS handshakes: see make bench-compare (capsuled and molly-brown" \
	    "full and resumed in one run)"
fi
echo "  (medians of $ROUNDS runs of $SECS s and a quiet $QUIET s each after" \
    "one unmeasured second, c=16, both workers on CPU 0, gemload on CPU 1; sites from tests/bench/gensite.py; servers started" \
    "smallest first, the smaller ones idling meanwhile, then one idle" \
    "window for all)"
echo "  machine: steal $STEAL % over the scale runs ($(res steal.idle) %" \
    "in the idle window); load average $LOAD0 before, $LOADI after the" \
    "idle window, $LOAD1 at the end"
awk '$1 == "FAILED"' "$R" | sed 's/^/  /'
exit 0
