#!/bin/sh
# bench.sh: what `make bench` runs.  Starts capsuled (one worker) and the
# reference loop tests/bench/bare.c on one ECDSA certificate and the same
# bytes, pins each server to CPU 0 and gemload to CPU 1, alternates them
# and prints one table of medians: server CPU per request, latency, idle
# memory, conversion speed, scale and two workers.  --compare adds
# Debian's molly-brown.  Loopback only, every load bounded; cleanup kills
# only the PIDs started here.
#
# usage: sh tests/bench/bench.sh [--compare] [CAPSULED GEMLOAD BARE]
# env:   CAPSULED GEMLOAD BARE (instead of the arguments)
#        BENCH_SECS    seconds per load run (default 5)
#        BENCH_ROUNDS  A B alternations per figure (default 3)
#        BENCH_REPS    conversion repetitions (default 7)
#        BENCH_KEEP=1  keep the temporary directory
#        BENCH_NETNS=0 stay in this network namespace (molly-brown skipped)
#        BENCH_SCALE_SIZES  pages of the scale sites (default
#                      "1000 10000 100000"; see tests/bench/scale.sh)
#
# Absolute figures drift by +-20 % on a shared machine: compare within one
# run.  Nothing here asserts a timing; the table is for people.

set -u

COMPARE=0
if [ "${1:-}" = "--compare" ]; then
	COMPARE=1
	shift
fi
[ $# -ge 1 ] && CAPSULED=$1
[ $# -ge 2 ] && GEMLOAD=$2
[ $# -ge 3 ] && BARE=$3
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
: "${CAPSULED:=$REPO/build/capsuled}"
: "${GEMLOAD:=$REPO/build/bench/gemload}"
: "${BARE:=$REPO/build/bench/bare}"
SECS=${BENCH_SECS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
REPS=${BENCH_REPS:-7}

BENCH_NAME=bench
. "$HERE/benchlib.sh"

for b in "$CAPSULED" "$GEMLOAD" "$BARE"; do
	if [ ! -x "$b" ]; then
		say "bench: $b: not an executable (build with make bench)"
		exit 2
	fi
done
for t in taskset pgrep ss awk; do
	if ! command -v "$t" >/dev/null 2>&1; then
		say "bench: needs $t"
		exit 2
	fi
done
case $CAPSULED in /*) ;; *) CAPSULED=$PWD/$CAPSULED ;; esac
case $GEMLOAD in /*) ;; *) GEMLOAD=$PWD/$GEMLOAD ;; esac
case $BARE in /*) ;; *) BARE=$PWD/$BARE ;; esac

# Before the private namespace below, which has no way out.
if [ "$COMPARE" = 1 ] && [ -z "${BENCH_IN_NETNS:-}" ] &&
    ! command -v molly-brown >/dev/null 2>&1; then
	say "bench: installing molly-brown"
	if ! DEBIAN_FRONTEND=noninteractive timeout 300 \
	    apt-get install -y -qq molly-brown >/dev/null 2>&1; then
		say "bench: molly-brown could not be installed; skipped"
		COMPARE=0
	fi
fi

# A private network namespace: only our own traffic on its loopback, its
# own nstat counters, and nothing here is reachable from outside (Debian's
# molly-brown binds every interface).
if [ -z "${BENCH_IN_NETNS:-}" ] && [ "${BENCH_NETNS:-1}" != 0 ] &&
    command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 &&
    unshare --net true 2>/dev/null; then
	BENCH_IN_NETNS=1 CAPSULED=$CAPSULED GEMLOAD=$GEMLOAD BARE=$BARE \
	    exec unshare --net sh -c 'ip link set lo up && exec sh "$@"' \
	    bench "$0" $([ $COMPARE = 1 ] && echo --compare)
fi
NETNS=${BENCH_IN_NETNS:-}

if [ "$COMPARE" = 1 ]; then
	if [ -z "$NETNS" ]; then
		say "bench: no private network namespace (unshare --net):" \
		    "molly-brown binds every interface, so it is skipped"
		COMPARE=0
	fi
fi

ulimit -n "$(ulimit -Hn)" 2>/dev/null
NOFILE=$(ulimit -n)
HZ=$(getconf CLK_TCK)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/capsuled-bench.XXXXXX") || exit 2
STARTED=
RESULTS=$TMP/results
: >"$RESULTS"

# --- processes --------------------------------------------------------
# say, spawn, stop, cleanup: benchlib.sh.
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits (at most 20 s) until PID listens; its port is then in PORT.
wait_port() {
	w_i=0
	while [ $w_i -lt 400 ]; do
		if ! kill -0 "$1" 2>/dev/null; then
			say "bench: process $1 exited:"
			sed 's/^/  /' "$2" >&2
			return 1
		fi
		PORT=$(ss -Hltnp 2>/dev/null | awk -v p="pid=$1," \
		    'index($0, p) { n = split($4, a, ":"); print a[n]; exit }')
		[ -n "$PORT" ] && return 0
		PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)$/\1/p' \
		    "$2" | head -n 1)
		[ -n "$PORT" ] && return 0
		sleep 0.05
		w_i=$((w_i + 1))
	done
	say "bench: process $1 never listened"
	return 1
}

# Ticks of user+system CPU of the given PIDs (field 14 and 15 of stat;
# strip "pid (comm) " first, the name may hold spaces).
ticks() {
	for p in "$@"; do
		[ -r "/proc/$p/stat" ] && sed 's/^.*) //' "/proc/$p/stat"
	done | awk '{ t += $12 + $13 } END { print t + 0 }'
}

tree() { # the master, its zygote, the workers
	echo "$1"
	e2e_tree "$1" | tr ' ' '\n'
}

rss_kb() {
	awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

start_capsuled() {	# LOGNAME PIN ROOT ARGS...: sets CAP and PORT
	name=$1 pin=$2 root=$3
	shift 3
	if [ "$pin" = pin ]; then
		spawn "$TMP/$name.log" taskset -c 0 "$CAPSULED" serve \
		    --quiet --listen 127.0.0.1:0 --root "$root" \
		    --certs "$TMP/certs" "$@"
	else
		spawn "$TMP/$name.log" "$CAPSULED" serve --quiet \
		    --listen 127.0.0.1:0 --root "$root" --certs "$TMP/certs" "$@"
	fi
	CAP=$SPAWNED
	wait_port "$CAP" "$TMP/$name.log" || exit 1
}

start_bare() {		# BODYFILE: sets PORT, returns PID in SPAWNED
	spawn "$TMP/bare.$(basename "$1").log" taskset -c 0 "$BARE" \
	    "$TMP/certs/localhost.crt" "$TMP/certs/localhost.key" 0 "$1"
	wait_port "$SPAWNED" "$TMP/bare.$(basename "$1").log" || exit 1
}

# fetch PORT PATH FILE: the body of one request, or exit.
fetch() {
	if ! "$GEMLOAD" -n 1 --timeout 30 --save "$3" \
	    --url "gemini://localhost:$1$2" 127.0.0.1 "$1" >"$TMP/fetch.out"
	then
		say "bench: gemini://localhost:$1$2 failed:"
		sed 's/^/  /' "$TMP/fetch.out" >&2
		exit 1
	fi
}

# JSON value of KEY from one gemload --json line on stdin.
jget() {
	awk -v k="\"$1\":" '{ i = index($0, k); if (!i) { print "-"; exit }
	    s = substr($0, i + length(k)); sub(/[,}].*/, "", s); print s }'
}

# load KEY SERVER PORT PATH EXPECT PIDS [GEMLOAD FLAGS]: one timed run
# against a server whose processes are PIDS (quoted list); appends
# "KEY SERVER us/req rps p50 p99 errors client_us client_util" to RESULTS.
load() {
	l_key=$1 l_srv=$2 l_port=$3 l_path=$4 l_exp=$5 l_pids=$6
	shift 6
	l_t0=$(ticks $l_pids)
	"$GEMLOAD" --json -p 1 -d "$SECS" --expect-bytes "$l_exp" --no-sig-check \
	    --url "gemini://localhost:$l_port$l_path" "$@" 127.0.0.1 "$l_port" \
	    >"$TMP/load.json" 2>"$TMP/load.err"
	l_t1=$(ticks $l_pids)
	l_j=$(tail -n 1 "$TMP/load.json")
	l_n=$(echo "$l_j" | jget requests)
	if [ "$l_n" = - ] || [ "$l_n" = 0 ]; then
		say "bench: $l_key $l_srv: no requests completed"
		sed 's/^/  /' "$TMP/load.err" >&2
		return 0
	fi
	l_us=$(awk -v d=$((l_t1 - l_t0)) -v hz="$HZ" -v n="$l_n" \
	    'BEGIN { printf "%.1f", d * 1e6 / hz / n }')
	l_line="$l_key $l_srv $l_us $(echo "$l_j" | jget rps) \
$(echo "$l_j" | jget p50_ms) $(echo "$l_j" | jget p99_ms) \
$(echo "$l_j" | jget errors) $(echo "$l_j" | jget client_cpu_us_per_req) \
$(echo "$l_j" | jget client_cpu_util) $(echo "$l_j" | jget resumed) $l_n"
	echo "$l_line" >>"$RESULTS"
	set -- $l_line
	say "  $l_key $l_srv: $l_us us/req, $4 req/s, p50 $5 ms, p99 $6 ms," \
	    "errors $7, client $8 us/req, resumed ${10}/${11}"
	[ "$7" != 0 ] && say "  errors: $(echo "$l_j" |
	    grep -o '"err_[a-z_]*":[1-9][0-9]*' | tr '\n' ' ')"
	return 0
}

# med KEY SERVER FIELD: median of that field over the rounds.
med() {
	awk -v k="$1" -v s="$2" -v f="$3" '$1 == k && $2 == s { print $f }' \
	    "$RESULTS" | sort -g | awk '{ a[NR] = $1 } END {
		if (NR == 0) print "-"
		else if (NR % 2) print a[(NR + 1) / 2]
		else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
	    if (a == "-" || b == "-" || b + 0 == 0) print "-"
	    else printf "%.2f\n", a / b }'
}

nstat_overflows() {
	nstat -asz TcpExtListenOverflows 2>/dev/null |
	    awk '/TcpExtListenOverflows/ { print $2; f = 1 }
		END { if (!f) print 0 }'
}

# --- content ----------------------------------------------------------

say "bench: $TMP; $SECS s per run, $ROUNDS rounds${NETNS:+, private netns}"
mkdir -p "$TMP/capsule"
if "$CAPSULED" cert localhost --certs "$TMP/certs" >"$TMP/cert.log" 2>&1
then :
else
	cat "$TMP/cert.log" >&2
	exit 1
fi

# Strips TOML/YAML front matter, for concatenating post bodies: at the
# start of each file (FNR), not only the first one.
strip_front() {
	awk 'FNR == 1 { fm = "" }
	    FNR == 1 && ($0 == "+++" || $0 == "---") { fm = $0; next }
	    fm != "" { if ($0 == fm) fm = ""; next } { print }' "$@"
}

# The sample capsule is a Hugo site: posts in content/, files in static/.
if ls "$REPO"/capsule/content/posts/*.md >/dev/null 2>&1; then
	cp -R "$REPO/capsule/." "$TMP/capsule/"
else
	mkdir -p "$TMP/capsule/content/posts" "$TMP/capsule/static"
	printf 'title = "Bench"\n' >"$TMP/capsule/hugo.toml"
	for i in 1 2 3 4 5; do
		{
			printf '+++\ntitle = "Sample %d"\n' "$i"
			printf 'date = 2025-01-0%d\ntags = ["sample"]\n+++\n\n' "$i"
			printf '# Sample %d\n\nA *short* review with a ' "$i"
			printf '[link](https://example.org/%d).\n\n' "$i"
			printf -- '- one\n- two\n\n> a quote\n'
		} >"$TMP/capsule/content/posts/sample-$i.md"
	done
fi
BIGSIZE=1048576
head -c "$BIGSIZE" /dev/urandom >"$TMP/capsule/static/big.bin"

# Markdown that exercises the converter: headings, emphasis, links (also
# to posts), nested lists, quotes, tables, code and footnotes.
gen_post() {	# BYTES
	awk -v want="$1" 'BEGIN {
	    printf "+++\ntitle = \"Generated\"\ndate = 2025-01-01\n+++\n\n"
	    for (n = 1; size < want; n++) {
		s = sprintf("## Section %d\n\nThe *quiet* piano of part %d " \
		    "carries **weight**, with [a link](https://example.org/%d)" \
		    " and `code %d` and ~~old words~~ in it.[^n%d] It goes on" \
		    " a while, as reviews do, so the paragraph wraps.\n\n" \
		    "- an item with [a post](../posts/other-%d.md)\n" \
		    "- another item\n  - nested item %d\n\n" \
		    "> A quote from part %d that runs on for a line.\n\n" \
		    "| scene | minute |\n|---|---:|\n| desk %d | %d |\n\n" \
		    "```\ncode block %d\n```\n\n[^n%d]: Footnote %d.\n\n",
		    n, n, n, n, n, n, n, n, n, n % 60, n, n, n)
		printf "%s", s
		size += length(s)
	    } }'
}

# --- servers and content for the main alternation --------------------

start_capsuled cap pin "$TMP/capsule" --workers 1
CAP1=$CAP
CAPPORT=$PORT
fetch "$CAPPORT" / "$TMP/index.gmi"
POST=$(sed -n 's/^=> \(\/posts\/[^ ]*\/\) .*/\1/p' "$TMP/index.gmi" |
    head -n 1)
if [ -z "$POST" ]; then
	say "bench: no post link in the index"
	exit 1
fi
fetch "$CAPPORT" "$POST" "$TMP/post.gmi"
fetch "$CAPPORT" /big.bin "$TMP/big.bin"
INDEXSIZE=$(wc -c <"$TMP/index.gmi")
POSTSIZE=$(wc -c <"$TMP/post.gmi")
if ! cmp -s "$TMP/big.bin" "$TMP/capsule/static/big.bin"; then
	say "bench: /big.bin came back different"
	exit 1
fi

start_bare "$TMP/index.gmi"
BARE_INDEX=$SPAWNED
BARE_INDEX_PORT=$PORT
start_bare "$TMP/post.gmi"
BARE_POST=$SPAWNED
BARE_POST_PORT=$PORT
start_bare "$TMP/big.bin"
BARE_BIG=$SPAWNED
BARE_BIG_PORT=$PORT

SERVERS="capsuled bare"
if [ "$COMPARE" = 1 ]; then
	# Same bytes as capsuled serves, as static files.
	mkdir -p "$TMP/molly$POST"
	cp "$TMP/index.gmi" "$TMP/molly/index.gmi"
	cp "$TMP/post.gmi" "$TMP/molly${POST}index.gmi"
	cp "$TMP/big.bin" "$TMP/molly/big.bin"
	MOLLYPORT=$(awk 'BEGIN { srand(); print 20000 + int(rand() * 20000) }')
	cat >"$TMP/molly.conf" <<EOF
Port = $MOLLYPORT
Hostname = "localhost"
CertPath = "$TMP/certs/localhost.crt"
KeyPath = "$TMP/certs/localhost.key"
DocBase = "$TMP/molly"
AccessLog = "/dev/null"
ErrorLog = "$TMP/molly.err"
EOF
	spawn "$TMP/molly.log" taskset -c 0 molly-brown -c "$TMP/molly.conf"
	MOLLY=$SPAWNED
	if wait_port "$MOLLY" "$TMP/molly.log"; then
		MOLLYPORT=$PORT
		SERVERS="$SERVERS molly"
	else
		say "bench: molly-brown did not start; skipped"
		COMPARE=0
	fi
fi

# run_alt KEY PATH EXPECT [GEMLOAD FLAGS]: ROUNDS x (capsuled, bare, molly)
run_alt() {
	key=$1 path=$2 expect=$3
	shift 3
	case $path in
	/) bp=$BARE_INDEX_PORT bpid=$BARE_INDEX ;;
	/big.bin) bp=$BARE_BIG_PORT bpid=$BARE_BIG ;;
	*) bp=$BARE_POST_PORT bpid=$BARE_POST ;;
	esac
	ra_r=1
	while [ $ra_r -le "$ROUNDS" ]; do
		for ra_s in $SERVERS; do
			case $ra_s in
			capsuled)
				load "$key" capsuled "$CAPPORT" "$path" "$expect" \
				    "$(tree "$CAP1")" "$@" ;;
			bare)
				load "$key" bare "$bp" "$path" "$expect" \
				    "$bpid" "$@" ;;
			molly)
				load "$key" molly "$MOLLYPORT" "$path" "$expect" \
				    "$MOLLY" "$@" ;;
			esac
		done
		ra_r=$((ra_r + 1))
	done
}

say "bench: server CPU per request (c=16)"
run_alt index.full / "$INDEXSIZE" -c 16
run_alt index.resumed / "$INDEXSIZE" -c 16 -r
run_alt post.full "$POST" "$POSTSIZE" -c 16
run_alt post.resumed "$POST" "$POSTSIZE" -c 16 -r
run_alt file.full /big.bin "$BIGSIZE" -c 16
run_alt file.resumed /big.bin "$BIGSIZE" -c 16 -r
say "bench: latency at 64 connections"
OVF0=$(nstat_overflows)
run_alt index.c64 / "$INDEXSIZE" -c 64
run_alt index.c64r / "$INDEXSIZE" -c 64 -r
OVF=$(($(nstat_overflows) - OVF0))
stop "$BARE_INDEX"
stop "$BARE_POST"
stop "$BARE_BIG"
[ "$COMPARE" = 1 ] && stop "$MOLLY"
stop "$CAP1"

# --- idle connections -------------------------------------------------

# idle N: a fresh capsuled, warmed, then N idle TLS connections.
idle() {
	start_capsuled "idle$1" pin "$TMP/capsule" --workers 1 \
	    --max-connections $(($1 + 1000))
	"$GEMLOAD" -p 1 -n 50 -c 8 --url "gemini://localhost:$PORT/" \
	    127.0.0.1 "$PORT" >/dev/null 2>&1
	w=$(e2e_children "$CAP" | cut -d' ' -f1)
	sleep 0.5
	base=$(rss_kb "$w")
	: >"$TMP/idle$1.json"
	spawn "$TMP/idle$1.json" "$GEMLOAD" --json -p 1 -r -c 100 --no-sig-check \
	    --idle "$1" --hold 15 --timeout 20 \
	    --url "gemini://localhost:$PORT/" 127.0.0.1 "$PORT"
	g=$SPAWNED
	i=0
	while ! grep -q '"idle_up"' "$TMP/idle$1.json" && [ $i -lt 1200 ] &&
	    kill -0 "$g" 2>/dev/null; do
		sleep 0.05
		i=$((i + 1))
	done
	up=$(grep '"idle_up_s"' "$TMP/idle$1.json" | jget idle_open)
	ups=$(grep '"idle_up_s"' "$TMP/idle$1.json" | jget idle_up_s)
	# Idle, not opening: the worker hands back what the burst of
	# handshakes left free after a second without new connections.
	# The first connections are still 4 s from their deadline here.
	awk -v s="${ups:-9}" 'BEGIN { exit !(s < 3.5) }' && sleep 2.5
	rss=$(rss_kb "$w")
	i=0
	while kill -0 "$g" 2>/dev/null && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	stop "$g"
	fin=$(tail -n 1 "$TMP/idle$1.json")
	echo "idle$1 $base $rss ${up:--} ${ups:--} $(echo "$fin" |
	    jget idle_closed) $(echo "$fin" | jget idle_close_min_s) \
$(echo "$fin" | jget idle_close_max_s)" >>"$RESULTS"
	say "  idle $1: worker RSS $base -> $rss KiB, $up open after ${ups}s;" \
	    "server closed $(echo "$fin" | jget idle_closed)"
	stop "$CAP"
}

say "bench: idle connections"
if [ "$NOFILE" -lt 11100 ]; then
	say "bench: open-file limit $NOFILE: 10,000 idle connections skipped"
	IDLES="2000"
else
	IDLES="2000 10000"
fi
SSLFLOOR=$(dirname "$GEMLOAD")/sslfloor
for n in $IDLES; do
	idle "$n"
	# What OpenSSL alone holds per idle connection with capsuled's
	# settings: N handshakes over memory, server SSLs kept.
	f=-
	[ -x "$SSLFLOOR" ] && f=$(taskset -c 0 "$SSLFLOOR" --json \
	    "$TMP/certs/localhost.crt" "$TMP/certs/localhost.key" "$n" \
	    2>/dev/null | jget heap_kib_per_conn)
	echo "floor$n ${f:--}" >>"$RESULTS"
done

# --- conversion -------------------------------------------------------

say "bench: conversion"
: >"$TMP/empty.md"
strip_front "$TMP"/capsule/content/posts/*.md >"$TMP/samples1.md"
n1=$(wc -c <"$TMP/samples1.md")
SAMPLEK=$(((1000000 + n1 - 1) / n1))
i=0
while [ $i -lt "$SAMPLEK" ]; do
	cat "$TMP/samples1.md"
	i=$((i + 1))
done >"$TMP/samples.md"
gen_post 1000000 >"$TMP/gen.md"

# conv FILE: median wall ms of REPS runs, on CPU 0, nothing cached.
conv() {
	i=0
	while [ $i -lt "$REPS" ]; do
		t0=$(date +%s%N)
		taskset -c 0 "$CAPSULED" convert --body-only "$1" \
		    >"$TMP/conv.out" 2>"$TMP/conv.err" ||
		    say "bench: convert $1 failed: $(head -n 3 "$TMP/conv.err")"
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
		i=$((i + 1))
	done | sort -n | awk '{ a[NR] = $1 } END { printf "%.3f\n",
	    a[int((NR + 1) / 2)] / 1000 }'
}
CONV0=$(conv "$TMP/empty.md")
CONVBENCH=$(dirname "$GEMLOAD")/convbench
for f in samples gen; do
	inproc="- -"
	[ -x "$CONVBENCH" ] &&
	    inproc=$(taskset -c 0 "$CONVBENCH" "$TMP/$f.md" 15 2>/dev/null)
	echo "conv.$f $(wc -c <"$TMP/$f.md") $(conv "$TMP/$f.md") $inproc" >>"$RESULTS"
done

# --- scale (issue 16) -------------------------------------------------

# Generated sites of BENCH_SCALE_SIZES pages, two workers each: idle CPU,
# start-up, memory, CPU per request, an edit (tests/bench/scale.sh).  The
# handshake figures of the runs above go into its table.
say "bench: scale (tests/bench/scale.sh: ${BENCH_SCALE_SIZES:-1000 10000 100000} pages)"
BENCH_HS="$(med index.full capsuled 3) $(med index.resumed capsuled 3)"
[ "$COMPARE" = 1 ] &&
    BENCH_HS="$BENCH_HS $(med index.full molly 3) $(med index.resumed molly 3)"
BENCH_HS=$BENCH_HS sh "$HERE/scale.sh" "$CAPSULED" "$GEMLOAD" \
    >"$TMP/scale.table"

# --- search (issue 14) -------------------------------------------------

# The index in-process (tests/bench/searchbench.c): 10,000 generated
# reviews of ~2 KB; then the server's start-up on the same capsule with
# search on and off (exec to the first / served).
SEARCHBENCH=$(dirname "$GEMLOAD")/searchbench
if [ -x "$SEARCHBENCH" ]; then
	say "bench: search (10000 generated reviews)"
	taskset -c 0 "$SEARCHBENCH" 10000 2000 "$TMP/search" |
	    sed 's/^/sb./' >>"$RESULTS"
	r=1
	while [ $r -le "$ROUNDS" ]; do
		for mode in on off; do
			flag=
			[ $mode = off ] && flag=--no-search
			t0=$(now_ms)
			start_capsuled "search-$mode" pin "$TMP/search" \
			    --workers 1 $flag
			i=0
			until "$GEMLOAD" -n 1 --timeout 30 --url \
			    "gemini://localhost:$PORT/" 127.0.0.1 "$PORT" \
			    >/dev/null 2>&1; do
				i=$((i + 1))
				[ $i -ge 1500 ] && break
				sleep 0.02
			done
			t1=$(now_ms)
			w=$(e2e_children "$CAP" | cut -d' ' -f1)
			echo "sbstart $mode $((t1 - t0)) $(rss_kb "$w")" >>"$RESULTS"
			stop "$CAP"
		done
		r=$((r + 1))
	done
fi

# --- two workers ------------------------------------------------------

say "bench: two workers, unpinned, against one unpinned worker"
# The pinned single worker above has CPU 0 to itself.  Unpinned, workers
# share both cores with gemload, which fills one of them: migrations and
# caches the load generator has just used then cost every worker more.
# One unpinned worker, alternated with the two, tells what the second
# worker itself costs from what sharing the machine costs.
start_capsuled one nopin "$TMP/capsule" --workers 1
ONE=$CAP
ONEPORT=$PORT
start_capsuled two nopin "$TMP/capsule" --workers 2
TWO=$CAP
TWOPORT=$PORT
"$GEMLOAD" -n 20 -c 4 --url "gemini://localhost:$ONEPORT/" 127.0.0.1 \
    "$ONEPORT" >/dev/null 2>&1
"$GEMLOAD" -n 20 -c 4 --url "gemini://localhost:$TWOPORT/" 127.0.0.1 \
    "$TWOPORT" >/dev/null 2>&1
WORKERS=$(e2e_children "$TWO")
r=1
while [ $r -le "$ROUNDS" ]; do
	load one capsuled "$ONEPORT" / "$INDEXSIZE" "$(tree "$ONE")" -c 16
	set -- $WORKERS
	a0=$(ticks "$1")
	b0=$(ticks "${2:-0}")
	load two capsuled "$TWOPORT" / "$INDEXSIZE" "$(tree "$TWO")" -c 16
	a=$(($(ticks "$1") - a0))
	b=$(($(ticks "${2:-0}") - b0))
	echo "split $(awk -v a=$a -v b=$b 'BEGIN { if (a + b == 0) print "-"
	    else printf "%.1f\n", 100 * a / (a + b) }')" >>"$RESULTS"
	r=$((r + 1))
done
stop "$TWO"
stop "$ONE"

# --- the table --------------------------------------------------------

row() {	# LABEL KEY
	c=$(med "$2" capsuled 3)
	b=$(med "$2" bare 3)
	printf '  %-22s %9s %9s %7s' "$1" "$c" "$b" "$(ratio "$c" "$b")"
	if [ "$COMPARE" = 1 ]; then
		m=$(med "$2" molly 3)
		printf ' %9s %7s' "$m" "$(ratio "$c" "$m")"
	fi
	printf ' %9s %9s %8s\n' "$(med "$2" capsuled 4)" \
	    "$(med "$2" capsuled 8)" "$(awk -v k="$2" '$1 == k &&
		$2 == "capsuled" { r += $10; n += $11 }
		END { if (n) printf "%.0f", 100 * r / n; else print "-" }' \
	    "$RESULTS")"
}

res() {	# KEY FIELD: a field of the single line starting with KEY
	awk -v k="$1" -v f="$2" '$1 == k { print $f; exit }' "$RESULTS"
}

echo
echo "capsuled bench: $(date -u +%Y-%m-%dT%H:%MZ), $("$CAPSULED" --version \
    2>/dev/null), $(openssl version 2>/dev/null | cut -d' ' -f1-2)"
echo "medians of $ROUNDS runs of $SECS s; server on CPU 0, gemload on CPU 1;" \
    "c=16 unless said"
echo
printf '  %-22s %9s %9s %7s' "server CPU us/request" capsuled bare ratio
[ "$COMPARE" = 1 ] && printf ' %9s %7s' molly c/molly
printf ' %9s %9s %8s\n' "cap req/s" "client us" "resumed%"
row "index /  full" index.full
row "index /  resumed" index.resumed
row "post     full" post.full
row "post     resumed" post.resumed
row "1 MiB    full" file.full
row "1 MiB    resumed" file.resumed
echo "  (post: $POST, $POSTSIZE bytes; index: $INDEXSIZE bytes." \
    "client us: gemload's own CPU per request;"
echo "  where it exceeds the server's, gemload limits req/s, not the" \
    "server; server us/request stays valid. gemload runs with" \
    "--no-sig-check: it takes the server's handshake signature unchecked," \
    "which spares the client an ECDSA verify and the server nothing)"
echo
printf '  %-22s %9s %9s %9s %9s %9s %9s\n' "latency ms, index" "cap p50" \
    "cap p99" "cap req/s" "client %" "bare p50" "bare p99"
for key in index.full index.c64 index.c64r; do
	case $key in
	index.full) label="16 conns, full" ;;
	index.c64) label="64 conns, full" ;;
	*) label="64 conns, resumed" ;;
	esac
	printf '  %-22s %9s %9s %9s %9s %9s %9s\n' "$label" \
	    "$(med $key capsuled 5)" "$(med $key capsuled 6)" \
	    "$(med $key capsuled 4)" \
	    "$(awk -v u="$(med $key capsuled 9)" 'BEGIN {
		if (u == "-") print "-"; else printf "%.0f", 100 * u }')" \
	    "$(med $key bare 5)" "$(med $key bare 6)"
done
echo "  (closed loop: mean latency = connections / req/s, so when gemload" \
    "nears 100 % of its core the client, not the server, sets it)"
echo "  TcpExtListenOverflows during the 64-connection runs: +$OVF"
echo
printf '  %-22s %9s %9s %9s %9s %9s %s\n' "idle TLS connections" \
    "base KiB" "RSS KiB" "open" "KiB/conn" "OpenSSL" \
    "closed by server (s from connect)"
for n in $IDLES; do
	fl=$(awk -v k="floor$n" '$1 == k { print $2 }' "$RESULTS")
	set -- $(awk -v k="idle$n" '$1 == k' "$RESULTS")
	[ $# -ge 8 ] || continue
	printf '  %-22s %9s %9s %9s %9s %9s %s\n' "$n idle, worker" "$2" \
	    "$3" "$4" "$(awk -v a="$2" -v b="$3" -v n="$4" 'BEGIN {
		if (n + 0 > 0) printf "%.1f", (b - a) / n; else print "-" }')" \
	    "${fl:--}" "$6 of $n, at $7..$8"
done
echo "  (RSS: 2.5 s after the last connection is up, once the worker has" \
    "returned what the burst of handshakes left free; OpenSSL: live heap" \
    "per connection OpenSSL itself keeps after a handshake with capsuled's" \
    "own context, no server around it; tests/bench/sslfloor.c)"
echo
printf '  %-22s %9s %9s %9s %9s %10s %10s\n' "conversion (1 core)" bytes \
    "ms" "MB/s" "net MB/s" "in-process" "cmark only"
for f in samples gen; do
	set -- $(awk -v k="conv.$f" '$1 == k' "$RESULTS")
	label="sample posts x$SAMPLEK"
	[ $f = gen ] && label="generated post"
	printf '  %-22s %9s %9s %9s %9s %10s %10s\n' "$label" "$2" "$3" \
	    "$(awk -v b="$2" -v t="$3" 'BEGIN { printf "%.1f", b / t / 1000 }')" \
	    "$(awk -v b="$2" -v t="$3" -v z="$CONV0" 'BEGIN {
		if (t - z > 0) printf "%.1f", b / (t - z) / 1000
		else print "-" }')" "${4:--}" "${5:--}"
done
echo "  (median of $REPS runs of capsuled convert --body-only; net: minus" \
    "the $CONV0 ms of an empty file; in-process: median MB/s of CPU time" \
    "over 15 conversions in one process, tests/bench/convbench.c; cmark" \
    "only: cmark-gfm's parse alone, footnotes and all four extensions," \
    "nothing rendered, the floor under the converter)"
cat "$TMP/scale.table"
if [ -n "$(res sb.posts 2)" ]; then
	echo
	printf '  %-22s %9s %9s %9s %9s\n' "search, 10000 posts" "p50 us" \
	    "p99 us" "max us" "goal"
	printf '  %-22s %9s %9s %9s %9s\n' "query CPU, 1-3 words" \
	    "$(res sb.query_p50_us 2)" "$(res sb.query_p99_us 2)" \
	    "$(res sb.query_max_us 2)" "< 2000"
	printf '  %-22s %9s %9s %9s %9s\n' "update one post" \
	    "$(res sb.update_p50_us 2)" "$(res sb.update_p99_us 2)" \
	    "$(res sb.update_max_us 2)" "< 5000"
	echo "  index: $(res sb.index_pct 2) % of the $(res sb.raw_bytes 2)" \
	    "bytes of text (postings $(res sb.postings_bytes 2) B, terms" \
	    "$(res sb.dict_bytes 2) B, goal < 30 %); stored text and fields" \
	    "$(res sb.store_bytes 2) B; built in $(res sb.build_ms 2) ms CPU;" \
	    "ルックバック: $(res sb.query_cjk_hits 2) hits in" \
	    "$(res sb.query_cjk_us 2) us"
	echo "  start-up on that capsule: $(med sbstart on 3) ms with search," \
	    "$(med sbstart off 3) ms without (goal < 1000); worker RSS" \
	    "$(med sbstart on 4) / $(med sbstart off 4) KiB"
fi
echo
two=$(med two capsuled 3)
one=$(med one capsuled 3)
split=$(awk '$1 == "split" { print $2 }' "$RESULTS" | sort -g |
    awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }')
echo "  two workers, unpinned: $two us/request (index, full, 16 conns)," \
    "$(ratio "$two" "$one")x one unpinned worker's ($one)," \
    "$(ratio "$two" "$(med index.full capsuled 3)")x the pinned worker's;" \
    "the first worker did $split % of the workers' CPU"
errs=$(awk '$2 ~ /^(capsuled|bare|molly)$/ && $7 > 0 { n += $7 }
    END { print n + 0 }' "$RESULTS")
[ "$errs" != 0 ] && echo "  WARNING: $errs failed requests in the runs" \
    "(see the progress lines above)"
exit 0
