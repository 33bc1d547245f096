#!/bin/sh
# Tests the test client itself, against a scripted Python TLS server
# rather than capsuled: it must tell a close_notify from a bare TCP close,
# count and hash the body, and report refused TLS versions and idle
# drops.  The other scripts trust these answers.  Skipped without python3.
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	e2e_skip_all "python3 not installed"
fi
if [ ! -x "$GEMCLIENT" ]; then
	echo "no test client at $GEMCLIENT" >&2
	exit 1
fi
E2E_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gemclient-test.XXXXXX") || exit 1
trap e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
D=$E2E_DIR
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$D/key.pem" -out "$D/cert.pem" -days 2 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost >/dev/null 2>&1 || {
	echo "openssl req failed" >&2
	exit 1
}
# MODE: clean (body then close_notify), unclean (body then a bare close),
# idle (handshake, then close after 1 s without a word).  The server
# echoes the SNI and the request in the body, and serves one connection.
cat >"$D/srv.py" <<'EOF'
import socket, ssl, sys
mode, d = sys.argv[1], sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain(d + '/cert.pem', d + '/key.pem')
sni = []
ctx.sni_callback = lambda s, name, c: sni.append(name)
ls = socket.socket()
ls.bind(('127.0.0.1', 0))
ls.listen(5)
ls.settimeout(20)
print('listening on 127.0.0.1:%d' % ls.getsockname()[1], flush=True)
c, _ = ls.accept()
c.settimeout(20)
try:
    s = ctx.wrap_socket(c, server_side=True)
except (ssl.SSLError, OSError):
    sys.exit(0)
if mode == 'idle':
    import time
    time.sleep(float(sys.argv[3]) if len(sys.argv) > 3 else 1)
    c.close()
    sys.exit(0)
req = b''
while not req.endswith(b'\r\n') and len(req) < 2048:
    b = s.recv(1)
    if not b:
        break
    req += b
body = b'sni=%r req=%r\n' % (sni[0] if sni else None, req) + b'x' * 100000
s.sendall(b'20 text/plain; q="1"\r\n' + body)
if mode == 'clean':
    s.settimeout(0.2)
    try:
        s.unwrap()
    except (ssl.SSLError, OSError):
        pass
c.close()
EOF

# srv MODE [IDLE_SECS]: starts the server; sets PORT and SRV.
srv() {
	: >"$D/srv.log"
	python3 "$D/srv.py" "$1" "$D" ${2:+"$2"} >"$D/srv.log" 2>&1 &
	SRV=$!
	E2E_PIDS="$E2E_PIDS $SRV"
	SERVER_LOG=$D/srv.log
	PORT=
	_i=0
	while [ -z "$PORT" ] && [ $_i -lt 100 ]; do
		PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$D/srv.log")
		[ -n "$PORT" ] || sleep 0.1
		_i=$((_i + 1))
	done
}

srv clean
e2e_req "gemini://localhost:$PORT/x"
assert_eq "$RC/$STATUS/$CLOSE_NOTIFY/$END" 0/20/yes/close_notify "clean close: close_notify=yes"
assert_eq "$META" 'text/plain; q=\x221\x22' "meta with quotes escaped"
assert_body_contains "sni='localhost'" "SNI sent"
assert_body_contains "req=b'gemini://localhost:$PORT/x\\r\\n'" "request sent with CRLF"
assert_eq "$BYTES" "$(wc -c <"$BODYFILE" | tr -d ' ')" "bytes counts the body"
assert_eq "$SHA256" "$(sha256sum "$BODYFILE" | cut -d' ' -f1)" "sha256 of the body"
assert_eq "$(tr -d '\r' <"$HEADERFILE")" '20 text/plain; q="1"' "header line on stdout"
assert_eq "$(od -An -c "$HEADERFILE" | tr -d ' \n' | tail -c 4)" '\r\n' "header line keeps its CRLF"
wait "$SRV"

srv unclean
e2e_req "gemini://localhost:$PORT/"
assert_eq "$RC/$STATUS/$CLOSE_NOTIFY/$END" 0/20/no/eof "bare close: close_notify=no"
assert_eq "$BYTES" "$(wc -c <"$BODYFILE" | tr -d ' ')" "bare close: body still counted"
wait "$SRV"

srv clean
e2e_req "" --no-sni --slow 5 --raw-hex "$(e2e_hex "gemini://a/")0d0a"
assert_eq "$RC/$STATUS/$CLOSE_NOTIFY" 0/20/yes "slow raw request answered"
assert_body_contains "sni=None req=b'gemini://a/\\r\\n'" "--no-sni and --raw-hex"
wait "$SRV"

srv clean
e2e_req "" --tls-max 1.1
assert_eq "$RC/$HANDSHAKE/$STATUS" 2/fail/none "TLS 1.1 refused: exit 2"
wait "$SRV"

srv clean
e2e_req "" --header-only --reset-after 1000
assert_eq "$RC/$STATUS/$BYTES/$END" 0/20/1000/reset_sent "--reset-after stops at the count"
wait "$SRV"

srv idle
e2e_req "" --no-read --timeout 10
assert_eq "$RC/$STATUS/$END" 3/none/eof "idle drop seen as eof, exit 3"
# The server waits 1 s: seen after that, and not at the client's own
# 10 s timeout (END=eof says so too).
assert_match "$(( ${ELAPSED:-0} >= 900 && ${ELAPSED:-0} < 10000 ))" 1 "idle drop seen when it happens, before the timeout ($ELAPSED ms)"
wait "$SRV"

srv idle 3
e2e_req "" --no-read --timeout 1
assert_eq "$RC/$END" 4/timeout "timeout: exit 4"
wait "$SRV"

"$GEMCLIENT" --help >"$D/help" 2>&1
assert_eq "$?" 0 "--help exits 0"
e2e_req ""
assert_eq "$RC" 5 "connection refused: exit 5"

e2e_done
