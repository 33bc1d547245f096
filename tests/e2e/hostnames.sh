#!/bin/sh
# Host names name certificate files: only a DNS name or an IP address is
# taken (issue 10: --host '../x' wrote certs/../x.crt); a Unicode name is
# served, certified and stored as its IDNA A-label (RFC 3492).
. "$(dirname "$0")/lib.sh"
e2e_setup

# serve_fails WHAT PATTERN ARGS...: the server refuses to start, saying PATTERN.
serve_fails() {
	_what=$1 _pat=$2
	shift 2
	timeout 20 "$CAPSULED" serve --root "$C" --certs "$E2E_DIR/certs" \
	    --listen 127.0.0.1:0 --workers 1 "$@" >"$E2E_DIR/out" 2>&1
	_rc=$?
	assert_ne "$_rc" 0 "$_what: refused (exit $_rc)"
	if grep -q -- "$_pat" "$E2E_DIR/out"; then
		e2e_ok "$_what: says '$_pat'"
	else
		e2e_fail "$_what: no '$_pat' in: $(head -c 300 "$E2E_DIR/out")"
	fi
}

serve_fails "--host ../x" "bad value for --host: '../x' (want a DNS name" \
    --host ../x
[ -e "$E2E_DIR/x.crt" ] || [ -e "$E2E_DIR/x.key" ] &&
    e2e_fail "--host ../x wrote $E2E_DIR/x.crt" ||
    e2e_ok "--host ../x wrote nothing outside the certs folder"
serve_fails "--host a/b" "bad value for --host: 'a/b'" --host a/b
serve_fails "--host with a space" "bad value for --host" --host 'a b'

printf 'root = "%s"\n\n[[host]]\nname = "../y"\n' "$C" >"$E2E_DIR/t1.toml"
serve_fails "[[host]] name = ../y" \
    "$E2E_DIR/t1.toml:4: host name '../y' is not a DNS name or IP address" \
    --config "$E2E_DIR/t1.toml"
printf 'root = "%s"\nhost = ["ok.example", "/etc/z"]\n' "$C" >"$E2E_DIR/t2.toml"
serve_fails "host = [.., /etc/z]" \
    "$E2E_DIR/t2.toml:2: host name '/etc/z' is not a DNS name or IP address" \
    --config "$E2E_DIR/t2.toml"
[ -e /etc/z.crt ] && e2e_fail "/etc/z.crt written" ||
    e2e_ok "nothing written for /etc/z"

# A Unicode name: its A-label in the file name, the SAN, SNI and URLs.
ALABEL=xn--bcher-kva.example
e2e_start serve --root "$C" --certs "$E2E_DIR/certs" --host 'Bücher.example' \
    --listen 127.0.0.1:0 --workers 1 || exit 1
if [ -f "$E2E_DIR/certs/$ALABEL.crt" ] && [ -f "$E2E_DIR/certs/$ALABEL.key" ]; then
	e2e_ok "certificate stored as certs/$ALABEL.crt"
else
	e2e_fail "no certs/$ALABEL.crt: $(ls "$E2E_DIR/certs")"
fi
SAN=$(openssl x509 -in "$E2E_DIR/certs/$ALABEL.crt" -noout \
    -ext subjectAltName 2>/dev/null | tail -n 1 | tr -d ' ')
assert_eq "$SAN" "DNS:$ALABEL" "the certificate's SAN is the A-label"
e2e_req "gemini://$ALABEL:$PORT/page.gmi" --sni "$ALABEL"
assert_eq "$STATUS" 20 "the A-label host is served (SNI and URL)"
assert_body_contains "$MARK_PAGE" "its page"
e2e_stop_server

e2e_start serve --root "$C" --certs "$E2E_DIR/certs" --host Example.ORG \
    --listen 127.0.0.1:0 --workers 1 || exit 1
[ -f "$E2E_DIR/certs/example.org.crt" ] &&
    e2e_ok "an ASCII name is lowercased for its file" ||
    e2e_fail "no certs/example.org.crt: $(ls "$E2E_DIR/certs")"
e2e_stop_server

e2e_done
