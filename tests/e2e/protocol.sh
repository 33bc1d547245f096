#!/bin/sh
# The request and response rules of docs/protocol.md, one assertion per
# row of its test-vector table, against the real server on loopback.
. "$(dirname "$0")/lib.sh"

e2e_setup

# Server 1: a fixed free port P, public port P, so gemini://localhost:P/
# is ours and gemini://localhost:P+1/ is not.
e2e_start_server_port || e2e_done
P=$PORT

# The root, with and without the slash: same resource, no redirect.
expect "$(e2e_url /)" 20 "root with slash"
assert_meta 'text/gemini*'
assert_body_contains "$MARK_INDEX" "root body is index.gmi"
root_sha=$SHA256
expect "gemini://localhost:$P" 20 "root without slash"
assert_meta 'text/gemini*'
assert_eq "$SHA256" "$root_sha" "empty path and / give the same body"
expect "gemini://LOCALHOST:$P/" 20 "host name is case-insensitive"

# Request line limits and malformed requests: 59.
prefix="gemini://localhost:$P/"
# Bare LF (gemini-diagnostics RequestMissingCR): not a line end, so no
# answer; the server reads on until CRLF and, none coming, closes at its
# 10 s deadline (before our 20 s timeout).  Started now, read at the end.
timeout 60 "$GEMCLIENT" --sni localhost --timeout 20 --report "$E2E_DIR/barelf.summary" \
    --raw-hex "$(e2e_hex "$prefix")0a" 127.0.0.1 "$P" "" >/dev/null 2>&1 &
BARELF=$!
pad=$(head -c $((1025 - ${#prefix})) /dev/zero | tr '\0' a)
url1025=$prefix$pad
assert_eq "${#url1025}" 1025 "1025-byte URL built"
expect "$url1025" 59 "1025-byte URL"
assert_eq "$BYTES" 0 "no body after 59"
expect "" 59 "BOM before the URL" --raw-hex "efbbbf$(e2e_hex "$prefix")0d0a"
expect "gemini://user@localhost:$P/" 59 "userinfo"
expect "gemini://localhost:$P/#frag" 59 "fragment"
expect "gemini://localhost:$P/page.gmi#x" 59 "fragment after a path"
expect "" 59 "NUL in the URL" --raw-hex "$(e2e_hex "${prefix}pa")00$(e2e_hex ge.gmi)0d0a"
expect "" 59 "invalid UTF-8" --raw-hex "$(e2e_hex "$prefix")c328$(e2e_hex .gmi)0d0a"
expect "/page.gmi" 59 "relative reference"
expect "gemini://localhost:$P/%zz" 59 "bad percent-escape"
expect "" 59 "empty request line" --raw-hex 0d0a

# Bare LF (gemini-diagnostics RequestMissingCR): checked at the end (it
# waits for the 10 s deadline while the other requests go on).
# An LF inside the line, then CRLF: the request ends at the CRLF and the
# URL holding an LF is malformed.
expect "" 59 "LF inside the request line, then CRLF" --raw-hex "$(e2e_hex "$prefix")0a$(e2e_hex x)0d0a"

# Proxy requests: 53.
expect "https://localhost:$P/" 53 "https scheme"
expect "gemini://other.example/" 53 "other host"
expect "gemini://other.example:$P/" 53 "other host, our port"
expect "gemini://localhost:$((P + 1))/" 53 "port that is not the public port"

# A folder without its slash: 31 to the slashed URL.
expect "$(e2e_url /sub)" 31 "folder without slash"
assert_eq "$META" "gemini://localhost:$P/sub/" "redirect target"
expect "$(e2e_url /sub/)" 20 "folder with slash"
assert_body_contains "$MARK_SUB"

# Traversal: never a file from outside the root.
for path in '/..%2F..%2Fetc/passwd' '/..%2f..%2f..%2f..%2fetc%2fpasswd' \
    '/../../etc/passwd' '/%2e%2e/%2e%2e/etc/passwd' '/sub/../../outside.gmi' \
    '/%2E%2E/outside.gmi' '/..%2Foutside.gmi' '/updir/outside.gmi'; do
	e2e_req "$(e2e_url "$path")"
	assert_match "$STATUS" '51|59' "traversal $path: 51 or 59"
	assert_body_lacks "root:" "traversal $path: no passwd"
	assert_body_lacks "$MARK_OUTSIDE" "traversal $path: no outside file"
	assert_close_notify "traversal $path: close_notify"
done
# A path that climbs above the root is malformed (gemini-diagnostics
# URLDotEscape): 59, not the index.
expect "gemini://localhost:$P/../../" 59 "/../../ climbs above the root"
assert_body_lacks "$MARK_INDEX" "/../../: not the index"
expect "gemini://localhost:$P/sub/../../page.gmi" 59 "/sub/../../page.gmi climbs above the root"
# Dot segments that stay inside the root are fine.
expect "$(e2e_url /sub/../page.gmi)" '20|31' "dot segments inside the root"

# Raw UTF-8 and percent-encoded UTF-8 name the same file.
expect "$(e2e_url /%C3%A9t%C3%A9.gmi)" 20 "percent-encoded UTF-8 name"
assert_body_contains "$MARK_ETE"
ete_sha=$SHA256
expect "$(e2e_url /été.gmi)" 20 "raw UTF-8 name"
assert_eq "$SHA256" "$ete_sha" "both spellings give the same body"
expect "$(e2e_url /%c3%a9t%c3%a9.gmi)" 20 "lower-case escapes"

# No SNI: served from the default host.
expect "$(e2e_url /)" 20 "no SNI" --no-sni
assert_body_contains "$MARK_INDEX" "no SNI: default host's index"
expect "gemini://127.0.0.1:$P/" 20 "no SNI, IP-literal URL" --no-sni
assert_body_contains "$MARK_INDEX" "IP-literal URL: default host's index"

# TLS versions: 1.3 preferred, 1.2 accepted, older refused.
e2e_req "$(e2e_url /)"
assert_eq "$(e2e_field tls)" TLSv1.3 "TLS 1.3 by default"
expect "$(e2e_url /)" 20 "TLS 1.2 client" --tls12
assert_eq "$(e2e_field tls)" TLSv1.2 "TLS 1.2 negotiated"
e2e_req "$(e2e_url /)" --tls-max 1.1
assert_eq "$RC/$HANDSHAKE" 2/fail "TLS 1.1 refused"
e2e_req "$(e2e_url /)" --tls-max 1.0
assert_eq "$RC/$HANDSHAKE" 2/fail "TLS 1.0 refused"

# Header shape: "NN SP META CRLF", META within 1024 bytes.
e2e_req "$(e2e_url /)"
assert_eq "$(od -An -c "$HEADERFILE" | tr -d ' \n' | tail -c 4)" '\r\n' "header ends with CRLF"
assert_eq "$(wc -c <"$HEADERFILE" | tr -d ' ')" "$((${#META} + 5))" "header is NN SP META CRLF"
wait "$BARELF"
SUMMARY=$(head -n 1 "$E2E_DIR/barelf.summary" 2>/dev/null)
assert_eq "$(e2e_field status)" none "bare LF: no answer (the request is not complete)"
assert_match "$(e2e_field end)" 'eof|close_notify|reset' "bare LF: closed by the server at its deadline, not our timeout"
assert_alive
e2e_stop_server

# Server 2: port 0 and public port 1965.  URLs without a port, or with
# :1965, are ours; the socket's real port in the URL is not.
e2e_start_server --public-port 1965 || e2e_done
expect "gemini://localhost/" 20 "public 1965: URL without port"
assert_body_contains "$MARK_INDEX"
expect "gemini://localhost:1965/" 20 "public 1965: URL with :1965"
expect "gemini://localhost:$PORT/" 53 "public 1965: the socket's port is not public"
expect "gemini://localhost/sub" 31 "public 1965: folder redirect"
assert_match "$META" 'gemini://localhost/sub/|gemini://localhost:1965/sub/' "public 1965: redirect names the public port"
assert_alive
e2e_stop_server

# Server 3: port 0 and no --public-port: the port clients use is the one
# the server bound ("default the listen port").
e2e_start_server || e2e_done
expect "$(e2e_url /)" 20 "listen :0 without --public-port: bound port accepted"
assert_alive
e2e_stop_server

e2e_done
