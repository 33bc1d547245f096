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
