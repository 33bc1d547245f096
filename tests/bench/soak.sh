#!/bin/sh
# soak.sh CAPSULED GEMLOAD [REQUESTS]: REQUESTS (default 1,000,000) requests
# with session resumption, over a mix of URLs (index, posts, feed, tag
# page, a missing post, an image, robots.txt), through one worker; prints
# the worker's RSS after a warm-up (a twentieth of them) and at the end. Loopback
# only; stops by itself; kills only the server it started.
CAPSULED=${1:?usage: soak.sh CAPSULED GEMLOAD [REQUESTS]}
GEMLOAD=${2:?usage: soak.sh CAPSULED GEMLOAD [REQUESTS]}
TOTAL=${3:-1000000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/capsuled-soak.XXXXXX") || exit 1
MP=
trap '[ -n "$MP" ] && kill "$MP" 2>/dev/null; rm -rf "$TMP"' EXIT INT TERM
"$CAPSULED" cert localhost --certs "$TMP/certs" >/dev/null || exit 1
"$CAPSULED" serve --root "$ROOT/capsule" --certs "$TMP/certs" \
    --listen 127.0.0.1:0 --workers 1 --quiet >"$TMP/log" 2>&1 &
MP=$!
i=0
until P=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/log") &&
    [ -n "$P" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "soak: server did not start"; exit 1; }
	sleep 0.1
done
sleep 0.3
# A worker: a child of the master's child, the zygote.
WP=$(pgrep -P "$(pgrep -P "$MP" | head -n 1)" | head -n 1)
rss() { awk '/VmRSS/ { print $2 }' "/proc/$WP/status"; }
echo "soak: start RSS $(rss) KiB"
WARM=$((TOTAL / 20))
"$GEMLOAD" -r -c 16 -n "$WARM" --timeout 20 127.0.0.1 "$P" | head -n 1
W=$(rss)
echo "soak: after $WARM warm-up requests: RSS $W KiB"
done_n=$WARM
set -- / /posts/soundtrack.gmi /atom.xml /posts/nope.gmi /images/desk.png \
    /posts/the-manga.gmi /tags/anime.gmi /robots.txt
per=$(((TOTAL - done_n) / $#))
for url in "$@"; do
	"$GEMLOAD" -r -c 16 -n "$per" --timeout 20 \
	    --url "gemini://localhost:$P$url" 127.0.0.1 "$P" | head -n 1
	done_n=$((done_n + per))
	echo "soak: $done_n requests, RSS $(rss) KiB"
done
E=$(rss)
echo "soak: $done_n requests; RSS $W -> $E KiB after warm-up: growth $((E - W)) KiB"
