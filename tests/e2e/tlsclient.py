"""The e2e scripts' python Gemini client, one home for its TLS set-up.

lib.sh puts this folder on PYTHONPATH, so a script's python3 can say
`from tlsclient import ...`. No certificate verification (the test
servers' certificates are self-made), SNI "localhost" by default.

A cut without close_notify must never read as a complete answer:
Debian's python3 sets OP_IGNORE_UNEXPECTED_EOF, under which such a cut
reads as a clean end, so CTX clears it, and eof_cut() recognises the cut
whichever way the ssl module reports it.
"""
import socket
import ssl


def context():
    """A client context: no verification, unexpected EOFs reported."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.options &= ~getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
    return ctx


CTX = context()


def eof_cut(e):
    """True when the SSLError e is a cut without close_notify:
    SSLEOFError, or (Debian's python3 once OP_IGNORE_UNEXPECTED_EOF is
    cleared) an SSLError saying so."""
    return isinstance(e, ssl.SSLEOFError) or "UNEXPECTED_EOF" in str(e)


def connect(port, host="127.0.0.1", sni="localhost", timeout=60):
    """A TLS connection to host:port, handshake done."""
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        return CTX.wrap_socket(s, server_hostname=sni,
                               suppress_ragged_eofs=False)
    except BaseException:
        s.close()
        raise


def read_all(t):
    """Reads t to its end: (data, close_notify), close_notify False when
    the server cut the connection without it (or reset it)."""
    data = b""
    try:
        while True:
            try:
                chunk = t.recv(65536)
            except ssl.SSLZeroReturnError:
                return data, True
            if not chunk:
                return data, True
            data += chunk
    except (ssl.SSLError, ConnectionResetError) as e:
        if isinstance(e, ssl.SSLError) and not eof_cut(e):
            raise
        return data, False


def fetch(port, url, host="127.0.0.1", sni="localhost", timeout=60):
    """One request: (header line, body, close_notify), the header line
    without its CRLF (empty when none came)."""
    t = connect(port, host, sni, timeout)
    try:
        t.sendall(url.encode() + b"\r\n")
        data, notify = read_all(t)
    finally:
        t.close()
    head, _, body = data.partition(b"\r\n")
    return head, body, notify


def race(port, first, second, log, line, timeout=300):
    """Two requests on two connections, both handshakes done first: the
    URL first sent, then (once log holds line, or 1 s later) second.
    Returns (order, answers, second_ms): order lists "first" and
    "second" as their answers ended; answers maps each to (data,
    close_notify); second_ms is how long the second took."""
    import select
    import time

    def conn():
        t = connect(port, timeout=120)
        t.setblocking(False)
        return t

    names = {}
    a, b = conn(), conn()
    names[a], names[b] = "first", "second"
    a.sendall(first.encode() + b"\r\n")
    for _ in range(100):
        with open(log, errors="replace") as f:
            if line in f.read():
                break
        time.sleep(0.01)
    t1 = time.monotonic()
    b.sendall(second.encode() + b"\r\n")
    data, notify, order, second_ms = {a: b"", b: b""}, {}, [], -1.0
    deadline = time.monotonic() + timeout
    while len(order) < 2 and time.monotonic() < deadline:
        r, _, _ = select.select([c for c in data if c not in notify],
                                [], [], 1)
        for c in r:
            try:
                while True:
                    chunk = c.recv(65536)
                    if not chunk:
                        notify[c] = True
                        break
                    data[c] += chunk
            except ssl.SSLWantReadError:
                pass
            except (ssl.SSLError, ConnectionResetError) as e:
                if isinstance(e, ssl.SSLError) and not eof_cut(e):
                    raise
                notify[c] = False
            if c in notify and names[c] not in order:
                order.append(names[c])
                if c is b:
                    second_ms = (time.monotonic() - t1) * 1000
    answers = {names[c]: (data[c], notify.get(c)) for c in data}
    return order, answers, second_ms


def race_report(order, answers, names):
    """Prints race()'s outcome for a script to match: the order, then
    each answer's header line, length and close_notify, by names."""
    print("order=%s" % ",".join(names[o] for o in order))
    for k in ("first", "second"):
        data, notify = answers[k]
        head = data.split(b"\r\n", 1)[0].decode(errors="replace")
        print("%s: header=%r bytes=%d close_notify=%s"
              % (names[k], head, len(data), notify))
