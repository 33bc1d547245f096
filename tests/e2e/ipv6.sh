#!/bin/sh
# IPv6: a [::1] listener beside a 127.0.0.1 one, both served, a URL with
# an IPv6 literal host, and the folder redirect naming [::1] correctly.
# Skipped when the loopback has no IPv6.
. "$(dirname "$0")/lib.sh"
e2e_setup
if ! python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	e2e_skip_all "no IPv6 on the loopback"
fi
P6=$(python3 -c 'import socket
s = socket.socket(socket.AF_INET6)
s.bind(("::1", 0))
print(s.getsockname()[1])')
# The public port is the IPv6 listener's, so URLs name it.
e2e_start_server --listen "[::1]:$P6" --listen 127.0.0.1:0 --public-port "$P6" || e2e_done
grep -q "listening on \[::1\]:$P6" "$SERVER_LOG" &&
    e2e_ok "log names the IPv6 listener [::1]:$P6" ||
    e2e_fail "log names the IPv6 listener: $(grep listening "$SERVER_LOG")"

# req6 URL: one request to [::1]:P6.
req6() {
	E2E_NREQ=$((E2E_NREQ + 1))
	BODYFILE=$E2E_DIR/v6.$E2E_NREQ.body
	timeout 30 "$GEMCLIENT" --sni localhost --body "$BODYFILE" \
	    --report "$E2E_DIR/v6.$E2E_NREQ.sum" ::1 "$P6" "$1" >/dev/null 2>&1
	SUMMARY=$(head -n 1 "$E2E_DIR/v6.$E2E_NREQ.sum")
	STATUS=$(e2e_field status)
	META=$(printf '%s\n' "$SUMMARY" | sed -n 's/^status=[^ ]* meta="\([^"]*\)".*/\1/p')
	CLOSE_NOTIFY=$(e2e_field close_notify)
}

req6 "gemini://localhost:$P6/page.gmi"
assert_eq "$STATUS" 20 "over IPv6: page served"
assert_eq "$CLOSE_NOTIFY" yes "over IPv6: close_notify"
assert_body_contains "$MARK_PAGE" "over IPv6: the page's body"
req6 "gemini://[::1]:$P6/page.gmi"
assert_eq "$STATUS" 20 "IPv6 literal host: served by the default host"
req6 "gemini://[::1]:$P6/sub"
assert_eq "$STATUS" 31 "IPv6 literal: folder redirect"
assert_eq "$META" "gemini://[::1]:$P6/sub/" "IPv6 literal: redirect keeps the brackets"
expect "gemini://localhost:$P6/page.gmi" 20 "the IPv4 listener serves the same capsule"
assert_alive "server alive"
e2e_done
