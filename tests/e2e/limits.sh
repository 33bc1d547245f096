#!/bin/sh
# Limits: the 1024-byte request boundary, and the one total deadline
# (10 s from accept to the end of the request line) that slow and idle
# clients cannot stretch, while the single worker keeps serving others.
# The clients wait 20 s: closed by the server before that is the deadline
# at work (a slow client's whole request would take ~35 s); the times are
# reported, never asserted.
. "$(dirname "$0")/lib.sh"

e2e_setup
e2e_start_server_port || e2e_done

# Exactly 1024 bytes of URL is allowed (a missing file: 51, not 59).
prefix="gemini://localhost:$PORT/"
pad=$(head -c $((1024 - ${#prefix})) /dev/zero | tr '\0' a)
url1024=$prefix$pad
assert_eq "${#url1024}" 1024 "1024-byte URL built"
expect "$url1024" '51|20' "1024-byte URL accepted"
# The same bytes sent in pieces, as a slow network would.
expect "$url1024" '51|20' "1024-byte URL, CRLF split from the URL" \
    --raw-hex "$(e2e_hex "$url1024")0d0a"
pad=$(head -c $((1025 - ${#prefix})) /dev/zero | tr '\0' a)
expect "$prefix$pad" 59 "1025-byte URL refused"
# A request far too long: refused without reading it all.
pad=$(head -c 100000 /dev/zero | tr '\0' a)
printf '%s%s\r\n' "$prefix" "$pad" >"$E2E_DIR/huge.req"
e2e_req "" --raw "$E2E_DIR/huge.req"
assert_match "$STATUS" '59|none' "100 kB request: 59 or closed"
assert_alive "alive after a 100 kB request"

# A slow client (one byte a second, ~30 bytes) and an idle one (TLS done,
# nothing sent) and a bare TCP one (no handshake) in the background; all
# three must be cut by the deadline while a normal request is served.
t0=$(e2e_now_ms)
timeout 25 "$GEMCLIENT" -q --sni localhost --slow 1000 --timeout 20 \
    --report "$E2E_DIR/slow.summary" 127.0.0.1 "$PORT" "$(e2e_url /page.gmi)" &
slow=$!
timeout 25 "$GEMCLIENT" -q --sni localhost --no-read --timeout 20 \
    --report "$E2E_DIR/idle.summary" 127.0.0.1 "$PORT" &
idle=$!
timeout 25 "$GEMCLIENT" -q --no-handshake --timeout 20 \
    --report "$E2E_DIR/tcp.summary" 127.0.0.1 "$PORT" &
tcp=$!
# Give the three time to connect, then check the worker is not stuck.
i=0
while [ $i -lt 2 ]; do
	sleep 1
	i=$((i + 1))
	expect "$(e2e_url /page.gmi)" 20 "served while slow and idle clients wait ($i)"
	assert_body_contains "$MARK_PAGE"
done
wait "$slow"
wait "$idle"
wait "$tcp"
t1=$(e2e_now_ms)

SUMMARY=$(cat "$E2E_DIR/slow.summary")
assert_match "$(e2e_field status)" '59|none' "slow client: no response or 59"
assert_match "$(e2e_field end)" 'eof|close_notify|reset|error' "slow client: closed by the server"
e2e_note "slow client cut after $(e2e_field elapsed_ms) ms"

SUMMARY=$(cat "$E2E_DIR/idle.summary")
assert_match "$(e2e_field status)" '59|none' "idle client: no response or 59"
assert_match "$(e2e_field end)" 'eof|close_notify|reset|error' "idle client: dropped by the server"
e2e_note "idle client dropped after $(e2e_field elapsed_ms) ms"

SUMMARY=$(cat "$E2E_DIR/tcp.summary")
assert_match "$(e2e_field end)" 'eof|reset|stopped' "client without handshake: dropped"
e2e_note "client without handshake dropped after $(e2e_field elapsed_ms) ms; all three took $((t1 - t0)) ms"

expect "$(e2e_url /page.gmi)" 20 "served after the deadline cuts"
assert_alive

e2e_done
