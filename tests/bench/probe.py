#!/usr/bin/env python3
"""probe.py: timed Gemini requests for the scale bench (loopback only).

usage: probe.py wait LOG PATH TIMEOUT
         waits for a "listening on ADDR:PORT" line in the server's LOG
         (start this before the server), then polls PATH on that port
         every 2 ms until one complete 20 response arrives; prints the
         wall clock then (ns since the epoch, like date +%s%N) and the
         port.  Exit 1 after TIMEOUT seconds.
       probe.py edit PORT PATH FILE TIMEOUT
         appends a paragraph with a fresh token to FILE (a Markdown
         source), then polls PATH until the served body holds the token;
         prints the milliseconds from the write to that response.  Exit 1
         after TIMEOUT seconds (the file is edited either way).
       probe.py add PORT PATH FILE TIMEOUT
         writes a new post, FILE (through a temporary file and a rename,
         as editors do), with a fresh token in its body and today's date,
         then polls PATH, its URL, until the served body holds the token;
         prints the milliseconds from the rename to that response.
       probe.py delete PORT PATH FILE TIMEOUT
         removes FILE, then polls PATH until it is answered 51; prints the
         milliseconds from the removal to that response.
       probe.py get PORT PATH TIMEOUT [CERT KEY]
         one request for PATH (with the client certificate CERT and its
         KEY, PEM files, when given); prints the milliseconds until its
         complete 20 response and the number of result links (=> lines)
         in it.  Exit 1 when it fails or is no 20.
       probe.py poll PORT PATH STOPFILE
         requests PATH one after another until STOPFILE exists (at most
         600 s); prints "requests N failed F worst_ms W".
"""
import os
import re
import socket
import ssl
import sys
import time

CTX = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
CTX.check_hostname = False
CTX.verify_mode = ssl.CERT_NONE


def get(port, path, timeout=10.0, ctx=CTX):
    """(status line, body) of one request, or None if it failed."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout) as s:
            with ctx.wrap_socket(s, server_hostname="localhost") as t:
                t.sendall(("gemini://localhost:%d%s\r\n"
                           % (port, path)).encode())
                data = bytearray()
                while True:
                    try:
                        b = t.recv(65536)
                    except ssl.SSLEOFError:
                        return None     # no close_notify: incomplete
                    if not b:
                        break
                    data += b
    except (OSError, ssl.SSLError):
        return None
    head, _, body = bytes(data).partition(b"\r\n")
    return head.decode("utf-8", "replace"), body


def until(port, path, t0, limit, what, done):
    """Polls PATH until done(response); prints the ms since t0."""
    while time.monotonic() - t0 < limit:
        r = get(port, path, 5.0)
        if r and done(r):
            print("%.1f" % ((time.monotonic() - t0) * 1000))
            return 0
        time.sleep(0.005)
    sys.stderr.write("probe: %s never showed at %s within %g s\n"
                     % (what, path, limit))
    return 1


def main():
    a = sys.argv[1:]
    if len(a) == 4 and a[0] == "wait":
        log, path, limit = a[1], a[2], float(a[3])
        end = time.monotonic() + limit
        port = None
        while port is None and time.monotonic() < end:
            try:
                with open(log, errors="replace") as f:
                    m = re.search(r"listening on .*:(\d+)$", f.read(),
                                  re.M)
                port = int(m.group(1)) if m else None
            except OSError:
                pass
            if port is None:
                time.sleep(0.002)
        while port is not None and time.monotonic() < end:
            r = get(port, path, 2.0)
            if r and r[0].startswith("20"):
                print(time.time_ns(), port)
                return 0
            time.sleep(0.002)
        sys.stderr.write("probe: %s never answered 20 within %g s\n"
                         % (path, limit))
        return 1
    if len(a) == 5 and a[0] == "edit":
        port, path, src, limit = int(a[1]), a[2], a[3], float(a[4])
        token = "edited%d" % time.time_ns()
        t0 = time.monotonic()
        with open(src, "a") as f:
            f.write("\nThis paragraph was %s by the bench.\n" % token)
        return until(port, path, t0, limit, "the edit of " + src,
                     lambda r: token.encode() in r[1])
    if len(a) == 5 and a[0] in ("add", "delete"):
        port, path, src, limit = int(a[1]), a[2], a[3], float(a[4])
        token = "added%d" % time.time_ns()
        if a[0] == "add":
            tmp = src + ".tmp"
            with open(tmp, "w") as f:
                f.write('+++\ntitle = "Added by the bench"\n'
                        'date = %s\ntags = ["bench"]\n+++\n\n'
                        "This post was %s by the bench.\n"
                        % (time.strftime("%Y-%m-%d"), token))
            t0 = time.monotonic()
            os.rename(tmp, src)
        else:
            t0 = time.monotonic()
            os.unlink(src)
        if a[0] == "delete":
            return until(port, path, t0, limit, "the removal of " + src,
                         lambda r: r[0].startswith("51"))
        return until(port, path, t0, limit, "the new " + src,
                     lambda r: r[0].startswith("20") and
                     token.encode() in r[1])
    if len(a) in (4, 6) and a[0] == "get":
        port, path, limit = int(a[1]), a[2], float(a[3])
        ctx = CTX
        if len(a) == 6:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.load_cert_chain(a[4], a[5])
        t0 = time.monotonic()
        r = get(port, path, limit, ctx)
        ms = (time.monotonic() - t0) * 1000
        if not r or not r[0].startswith("20"):
            sys.stderr.write("probe: %s: %s\n"
                             % (path, r[0] if r else "no response"))
            return 1
        print("%.1f %d" % (ms, r[1].count(b"\n=> ")))
        return 0
    if len(a) == 4 and a[0] == "poll":
        port, path, stop = int(a[1]), a[2], a[3]
        n = failed = 0
        worst = 0.0
        end = time.monotonic() + 600
        while not os.path.exists(stop) and time.monotonic() < end:
            t = time.monotonic()
            r = get(port, path, 30.0)
            worst = max(worst, time.monotonic() - t)
            n += 1
            if not r or not r[0].startswith("20"):
                failed += 1
        print("requests %d failed %d worst_ms %.1f" % (n, failed,
                                                       worst * 1000))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
