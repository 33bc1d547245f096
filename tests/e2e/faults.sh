#!/bin/sh
# Faults during service, each under a background load of 8 concurrent
# clients (tests/bench/gemload when it builds, else a threaded python3
# client; its rate is reported, never asserted: speed is for make bench):
#  (a) SIGHUP mid-load: no failed request; new workers replace the old,
#      which drain and exit;
#  (b) SIGKILL of one of two workers mid-load: the master starts a new
#      one; failures at most the requests in flight (<= 16);
#  (c) a post rewritten in place, replaced by rename, truncated and
#      deleted ~50 times a second for at least 3 s, and until each of 4
#      fetchers has had 15 complete answers, while fetched in a loop: every
#      response is a complete version (its START and END markers, one
#      version only), the empty truncated file, or 51; no crash.
. "$(dirname "$0")/lib.sh"

e2e_setup
C=$E2E_DIR/capsule
# The load runs SECS seconds; the faults come 1 s and 2 s into it (the
# load is flat out: each second of it costs the machine both cores).
SECS=3
case ${BUILD:-build} in
*asan*) ASAN=1 ;;
*) ASAN=0 ;;
esac

# --- the load generator --------------------------------------------------
GEMLOAD=$(e2e_gemload)

# A fallback load (and the churn fetcher): threads of fresh TLS
# connections for SECS seconds; prints the same JSON keys as gemload.
PYLOAD=$E2E_DIR/load.py
cat >"$PYLOAD" <<'EOF'
import json, sys, threading, time
import tlsclient
port, conc, secs, url = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
lock = threading.Lock()
res = {"requests": 0, "ok": 0, "errors": 0, "status": {}}
stop = time.monotonic() + min(secs, 60)
def one():
    head, _, notify = tlsclient.fetch(port, url, timeout=10)
    if not notify:
        raise EOFError("cut without close_notify")
    return head[:2].decode("latin-1")
def worker():
    while time.monotonic() < stop:
        try:
            st = one()
            err = st[:1] not in ("2", "3")
        except Exception:
            st, err = "err", True
        with lock:
            res["requests"] += 1
            res["errors" if err else "ok"] += 1
            res["status"][st] = res["status"].get(st, 0) + 1
ts = [threading.Thread(target=worker) for _ in range(conc)]
t0 = time.monotonic()
for t in ts: t.start()
for t in ts: t.join()
res["seconds"] = time.monotonic() - t0
res["rps"] = res["requests"] / res["seconds"]
print(json.dumps(res))
EOF

# load_start SECS URL OUT: background load; sets LOAD_PID.
load_start() {
	if [ -n "$GEMLOAD" ]; then
		timeout 60 "$GEMLOAD" -c 8 -d "$1" --timeout 10 --json --url "$2" \
		    127.0.0.1 "$PORT" >"$3" 2>&1 &
	else
		timeout 60 python3 "$PYLOAD" "$PORT" 8 "$1" "$2" >"$3" 2>&1 &
	fi
	LOAD_PID=$!
}

jfield() {	# FILE KEY: a number from the last JSON line of FILE
	tail -n 1 "$1" | sed -n "s/.*\"$2\":\\([0-9.]*\\).*/\\1/p" | head -n 1
}

# load_report FILE LABEL: sets LREQ LERR LRPS and prints them.
load_report() {
	LREQ=$(jfield "$1" requests)
	LERR=$(jfield "$1" errors)
	LRPS=$(jfield "$1" rps)
	LRPS=${LRPS%%.*}
	e2e_note "$2: ${LREQ:-?} requests, ${LERR:-?} errors, ${LRPS:-?} req/s ($(tail -n 1 "$1" | head -c 400))"
	: "${LREQ:=0}" "${LERR:=999999}" "${LRPS:=0}"
}

# The load must be real: requests were made and answered (how many a
# second depends on the machine and is only reported).
assert_load() {
	if [ "$LREQ" -gt 0 ] && [ "$LREQ" -gt "$LERR" ]; then
		e2e_ok "$1: the load ran ($LREQ requests, ${LRPS} req/s)"
	else
		e2e_fail "$1: no load: $LREQ requests, $LERR errors"
	fi
}

workers_of() {
	e2e_children "$1"
}

if [ -n "$GEMLOAD" ]; then
	e2e_note "load: gemload -c 8 -d $SECS"
else
	e2e_note "load: python3 with 8 threads (gemload unavailable: $(head -c 200 "$E2E_DIR/gemload.cc" 2>/dev/null))"
fi

# --- (a) SIGHUP under load ---------------------------------------------------
e2e_start_server_port --workers 2 || e2e_done
expect "$(e2e_url /page.gmi)" 20 "(a) baseline"
before=$(workers_of "$SERVER_PID")
load_start "$SECS" "$(e2e_url /page.gmi)" "$E2E_DIR/load-a.json"
sleep 1
kill -HUP "$SERVER_PID"
sleep 1
kill -HUP "$SERVER_PID"
wait "$LOAD_PID"
load_report "$E2E_DIR/load-a.json" "(a) SIGHUP x2 under load"
assert_eq "$LERR" 0 "(a) no failed request across two SIGHUPs"
assert_load "(a)"
# New workers took over; the old ones drained and left (polled, 20 s).
i=0
while [ $i -lt 200 ]; do
	after=$(workers_of "$SERVER_PID")
	[ "$(echo $after | wc -w)" -eq 2 ] && break
	sleep 0.1
	i=$((i + 1))
done
assert_eq "$(echo $after | wc -w | tr -d ' ')" 2 "(a) two workers after the reloads ($after)"
left=
for w in $before; do
	case " $after " in *" $w "*) left="$left $w" ;; esac
done
assert_eq "$left" "" "(a) the workers from before the reload are gone (before: $before, after: $after)"
expect "$(e2e_url /page.gmi)" 20 "(a) served after the reloads"
assert_alive "(a) master alive"
e2e_stop_server

# --- (b) SIGKILL of a worker under load --------------------------------------
e2e_start_server_port --workers 2 || e2e_done
expect "$(e2e_url /page.gmi)" 20 "(b) baseline"
before=$(workers_of "$SERVER_PID")
assert_eq "$(echo $before | wc -w | tr -d ' ')" 2 "(b) two workers"
victim=$(echo $before | cut -d' ' -f1)
load_start "$SECS" "$(e2e_url /page.gmi)" "$E2E_DIR/load-b.json"
sleep 1
kill -KILL "$victim"
# The master notices and starts a replacement (polled, at most 20 s).
i=0
while [ $i -lt 200 ]; do
	now=$(workers_of "$SERVER_PID")
	case " $now " in
	*" $victim "*) ;;
	*) [ "$(echo $now | wc -w)" -eq 2 ] && break ;;
	esac
	sleep 0.1
	i=$((i + 1))
done
assert_eq "$(echo $now | wc -w | tr -d ' ')" 2 "(b) two workers again after a SIGKILL (was: $before, now: $now)"
case " $now " in
*" $victim "*) e2e_fail "(b) the killed worker $victim is gone" ;;
*) e2e_ok "(b) the killed worker $victim was replaced" ;;
esac
wait "$LOAD_PID"
load_report "$E2E_DIR/load-b.json" "(b) SIGKILL of a worker under load"
assert_match "$(( LERR <= 16 ))" 1 "(b) failures ($LERR) at most the requests in flight (16)"
assert_load "(b)"
expect "$(e2e_url /page.gmi)" 20 "(b) served after the replacement"
# Each worker answers: ten fresh connections all served.
ok=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	e2e_req "$(e2e_url /page.gmi)"
	[ "$STATUS" = 20 ] && ok=$((ok + 1))
done
assert_eq "$ok" 10 "(b) 10 of 10 served afterwards"
assert_alive "(b) master alive"
e2e_stop_server

# --- (c) a post churned while fetched ------------------------------------------
rm -f "$C/index.gmi"
mkdir -p "$C/posts"
printf '+++\ntitle = "Churn capsule"\n+++\n\nIntro.\n' >"$C/index.md"
printf '+++\ntitle = "Steady"\ndate = 2024-01-01\n+++\n\nSteady body.\n' >"$C/posts/steady.md"
CHURN=$E2E_DIR/churn.py
cat >"$CHURN" <<'EOF'
import os, re, sys, threading, time
import tlsclient
port, path, secs, outdir = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4]
posts = os.path.dirname(path)
tmp = os.path.join(posts, ".churn.tmp")
secs = min(secs, 20)

def text(n):
    lines = ["+++", 'title = "Churn"', "date = 2024-02-02", "+++", "",
             "VERSION-%d-START" % n, ""]
    for k in range(150):
        lines.append("Paragraph %d of version v%d: some filler words to make it long." % (k, n))
        lines.append("")
    lines.append("VERSION-%d-END" % n)
    return ("\n".join(lines) + "\n").encode()

def write_in_place(n):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, text(n))
    finally:
        os.close(fd)

def replace_by_rename(n):
    with open(tmp, "wb") as f:
        f.write(text(n))
    os.rename(tmp, path)

stop = time.monotonic() + secs
hard = time.monotonic() + 60	# whatever happens, the script ends
WANT = 15	# complete answers each fetcher waits for
fetching = [4]
ops = {"rewrite": 0, "rename": 0, "truncate": 0, "delete": 0, "create": 0}
versions = set()
def writer():
    n = 1000
    k = 0
    while (time.monotonic() < stop or fetching[0] > 0) and time.monotonic() < hard:
        op = k % 6
        k += 1
        try:
            if op in (0, 3):
                n += 1; versions.add(n); write_in_place(n); ops["rewrite"] += 1
            elif op == 1:
                n += 1; versions.add(n); replace_by_rename(n); ops["rename"] += 1
            elif op == 2:
                os.truncate(path, 0); ops["truncate"] += 1
            elif op == 4:
                os.unlink(path); ops["delete"] += 1
            else:
                n += 1; versions.add(n); write_in_place(n); ops["create"] += 1
        except FileNotFoundError:
            pass
        time.sleep(0.02)
    # Leave a final version in place.
    replace_by_rename(999999)

lock = threading.Lock()
stats = {}
seen = set()
bad = []
MARK = re.compile(rb"VERSION-(\d+)-(START|END)")
VLINE = re.compile(rb"version v(\d+)")

def fetch(url):
    head, body, cn = tlsclient.fetch(port, url, timeout=10)
    return head[:2].decode("latin-1"), body, cn

def classify(st, body, cn):
    if st == "51":
        return "51", None
    if st != "20":
        return "status-" + st, "status %s" % st
    if not cn:
        return "20-no-close-notify", "20 without close_notify (%d bytes)" % len(body)
    marks = MARK.findall(body)
    nums = set(int(m[0]) for m in marks) | set(int(v) for v in VLINE.findall(body))
    kinds = [m[1] for m in marks]
    if not marks and not nums:
        return "20-empty-version", None
    if len(nums) == 1 and kinds.count(b"START") == 1 and kinds.count(b"END") == 1 \
            and body.find(b"-START") < body.find(b"-END"):
        seen.add(nums.pop())
        return "20-complete", None
    return "20-torn", "torn: versions %s, markers %s, %d bytes" % (sorted(nums)[:5], kinds, len(body))

def fetcher(i, url):
    got = 0
    while (time.monotonic() < stop + 0.5 or got < WANT) and time.monotonic() < hard:
        try:
            st, body, cn = fetch(url)
            kind, why = classify(st, body, cn)
        except Exception as e:
            kind, why = "error", "error %s" % type(e).__name__
        if kind == "20-complete":
            got += 1
        with lock:
            stats[kind] = stats.get(kind, 0) + 1
            if why and len(bad) < 20:
                bad.append("%s: %s" % (url.rsplit("/", 1)[1], why))
    with lock:
        fetching[0] -= 1

urls = sys.argv[5:]
w = threading.Thread(target=writer)
fs = [threading.Thread(target=fetcher, args=(i, urls[i % len(urls)])) for i in range(4)]
w.start()
for f in fs: f.start()
w.join()
for f in fs: f.join()
with open(os.path.join(outdir, "churn.stats"), "w") as f:
    f.write(" ".join("%s=%d" % kv for kv in sorted(stats.items())) + "\n")
    f.write("ops " + " ".join("%s=%d" % kv for kv in sorted(ops.items())) + "\n")
    f.write("seen %d %s\n" % (len(seen), " ".join(str(v) for v in sorted(seen)[:12])))
    for b in bad:
        f.write("bad " + b + "\n")
EOF
POST=$C/posts/churn.md
python3 - "$POST" <<'EOF'
import sys
open(sys.argv[1], "w").write('+++\ntitle = "Churn"\ndate = 2024-02-02\n+++\n\nVERSION-1-START\n\nfirst version v1\n\nVERSION-1-END\n')
EOF
e2e_start_server_port --workers 2 || e2e_done
expect "$(e2e_url /posts/churn/)" 20 "(c) the post before the churn"
assert_body_contains VERSION-1-END
# gemload on another page keeps the server under load meanwhile.
load_start "$SECS" "$(e2e_url /posts/steady/)" "$E2E_DIR/load-c.json"
timeout 90 python3 "$CHURN" "$PORT" "$POST" "$SECS" "$E2E_DIR" \
    "$(e2e_url /posts/churn/)" "$(e2e_url /posts/churn.md)" >"$E2E_DIR/churn.out" 2>&1
rc=$?
wait "$LOAD_PID"
assert_eq "$rc" 0 "(c) churn script ran ($(head -c 300 "$E2E_DIR/churn.out"))"
stats=$(head -n 1 "$E2E_DIR/churn.stats" 2>/dev/null)
e2e_note "(c) responses: $stats"
e2e_note "(c) $(sed -n 2p "$E2E_DIR/churn.stats" 2>/dev/null)"
e2e_note "(c) versions fetched complete: $(sed -n "s/^seen //p" "$E2E_DIR/churn.stats" 2>/dev/null)"
sed -n 's/^bad /(c) bad response: /p' "$E2E_DIR/churn.stats" 2>/dev/null | head -n 10
if grep -q '^bad ' "$E2E_DIR/churn.stats" 2>/dev/null; then
	grep -E 'churn' "$SERVER_LOG" | grep -vE '" (20|51) [0-9]+ ' | head -n 8 | sed 's/^/(c) log: /'
fi
stat_of() {	# KIND: its count in $stats
	printf '%s\n' "$stats" | tr ' ' '\n' | sed -n "s/^$1=//p"
}
complete=$(stat_of 20-complete)
assert_match "$(( ${complete:-0} >= 60 ))" 1 "(c) at least 60 complete responses, 15 per fetcher (${complete:-0})"
nseen=$(sed -n 's/^seen \([0-9]*\).*/\1/p' "$E2E_DIR/churn.stats" 2>/dev/null)
assert_match "$(( ${nseen:-0} >= 2 ))" 1 "(c) changes show while the churn goes on (${nseen:-0} versions seen)"
for k in 20-torn 20-no-close-notify error; do
	assert_eq "$(stat_of "$k")" "" "(c) no $k responses"
done
others=$(printf '%s\n' "$stats" | tr ' ' '\n' | grep -c '^status-')
assert_eq "$others" 0 "(c) no status other than 20 and 51"
load_report "$E2E_DIR/load-c.json" "(c) load on another page"
assert_eq "$LERR" 0 "(c) the steady page never failed during the churn"
# The final version shows once the churn is over (polled, at most 100 tries).
i=0
while [ $i -lt 100 ]; do
	e2e_req "$(e2e_url /posts/churn/)"
	grep -q VERSION-999999-END "$BODYFILE" && break
	sleep 0.1
	i=$((i + 1))
done
assert_status 20 "(c) the post after the churn"
assert_body_contains VERSION-999999-END "(c) the final version is served"
assert_body_contains VERSION-999999-START "(c) the final version is complete"
assert_alive "(c) server alive after the churn"
if grep -qE 'killed by signal|dumped core' "$SERVER_LOG"; then
	e2e_fail "(c) no worker crashed: $(grep -E 'killed by signal|dumped core' "$SERVER_LOG" | head -n 2 | tr '\n' '|')"
else
	e2e_ok "(c) no worker crashed"
fi
e2e_stop_server

e2e_done
