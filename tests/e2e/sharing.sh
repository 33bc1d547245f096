#!/bin/sh
# A worker keeps sharing its zygote's site model (issue 16: idle costs
# nothing, and worker memory stays low). A worker hands its free heap
# back after a burst of connections (malloc_trim, once it is quiet).
# The trim merges every small free chunk of the heap, writing to it;
# merged in each worker, the chunks the zygote left from loading the
# site were written page by page, copying the shared model into every
# worker: with 20,000 posts, ~8 MB of the model became private to the
# worker in that one trim (and a second of CPU each at 100,000). The
# zygote merges them once, before it forks: the worker's own trim then
# makes nothing private. Measured with Private_Dirty from
# /proc/PID/smaps_rollup before and after the trim; the trim is seen by
# the worker's Rss going down (under ASan, whose allocator malloc_trim
# does not reach, it is not seen and the check is skipped).
# shellcheck disable=SC2034 # SUMMARY is read by lib.sh
. "$(dirname "$0")/lib.sh"

e2e_setup
GEMLOAD=$(e2e_gemload)
[ -n "$GEMLOAD" ] || e2e_skip_all "gemload could not be built"
[ -r /proc/self/smaps_rollup ] || e2e_skip_all "no /proc/PID/smaps_rollup"

S=$E2E_DIR/site
e2e_posts "$S/posts" 20000 8

e2e_start serve --root "$S" --certs "$E2E_DIR/certs" --host localhost \
    --listen 127.0.0.1:0 --workers 1 || e2e_done
# Start-up parses 20,000 posts: bounded wait for the first /.
i=0
while [ $i -lt 300 ]; do
	e2e_req "$(e2e_url /)"
	[ "$STATUS" = 20 ] && break
	sleep 0.2
	i=$((i + 1))
done
assert_status 20 "20,000 posts: / served"

zyg=$(pgrep -P "$SERVER_PID" | head -n 1)
wrk=
[ -n "$zyg" ] && wrk=$(pgrep -P "$zyg" | head -n 1)
e2e_measured "$wrk" '[0-9]*' "the worker's PID" || e2e_done

# smaps FIELD: the worker's FIELD (kB) from smaps_rollup.
smaps() {
	awk -v f="$1:" '$1 == f { print $2 }' "/proc/$wrk/smaps_rollup" 2>/dev/null
}

# A burst of connections (100 open at once: a worker trims only after
# 64 or more), then nothing: the worker trims a second later.
"$GEMLOAD" --idle 100 --hold 1 --no-sig-check 127.0.0.1 "$PORT" \
    >"$E2E_DIR/idle.out" 2>&1
"$GEMLOAD" -c 4 -n 300 --no-sig-check --url "$(e2e_url /)" \
    127.0.0.1 "$PORT" >"$E2E_DIR/load.out" 2>&1
assert_eq "$?" 0 "a burst of 300 requests, all answered"
rss0=$(smaps Rss)
pd0=$(smaps Private_Dirty)
e2e_measured "$rss0 $pd0" '[0-9]* [0-9]*' "the worker after the burst" ||
    e2e_done

# The trim shows as a lower Rss (bounded: 20 s).
i=0
rss1=$rss0
while [ $i -lt 100 ]; do
	sleep 0.2
	rss1=$(smaps Rss)
	[ -n "$rss1" ] && [ "$rss1" -lt "$rss0" ] && break
	i=$((i + 1))
done
if [ -z "$rss1" ] || [ "$rss1" -ge "$rss0" ]; then
	e2e_skip "no trim seen (Rss $rss0 -> ${rss1:--} kB; a sanitizer's allocator?)"
else
	pd1=$(smaps Private_Dirty)
	e2e_measured "$pd1" '[0-9]*' "the worker after the trim" || e2e_done
	e2e_note "worker Rss $rss0 -> $rss1 kB, Private_Dirty $pd0 -> $pd1 kB"
	# Before the zygote merged its chunks: +8,000 kB here.
	if [ $((pd1 - pd0)) -le 2048 ]; then
		e2e_ok "the worker's trim kept the model shared (Private_Dirty $pd0 -> $pd1 kB)"
	else
		e2e_fail "the worker's trim made $((pd1 - pd0)) kB of its zygote's memory private ($pd0 -> $pd1 kB)"
	fi
fi
expect "$(e2e_url /posts/p00042/)" 20 "a post after the trim"
assert_body_contains "Paragraph 3 of post 42"

e2e_stop_server
e2e_done
