#!/usr/bin/env python3
"""crawl.py HOST PORT [START...]: fetches every page of a capsule on
127.0.0.1:PORT over Gemini (SNI HOST), following every internal
link and image from START (default /). A link answering 31 to the same
capsule is followed (at most 5 hops); a final 20, or 10/11 (a prompt for
input, as /search answers), is alive; anything else is dead.
Prints one line per dead link ("dead PAGE -> TARGET: STATUS") and a
closing "pages=N links=N dead=N". Exit 1 when a link is dead."""
import os
import sys
import urllib.parse

# tests/e2e/tlsclient.py: on PYTHONPATH under lib.sh, found beside
# tests/tools otherwise.
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "..", "e2e"))
import tlsclient  # noqa: E402

MAX_PAGES = 2000
# urljoin resolves relative references only for schemes it knows.
urllib.parse.uses_relative.append("gemini")
urllib.parse.uses_netloc.append("gemini")
# Each URL is fetched once: a link's target, fetched to check it, is the
# page crawled later.
CACHE = {}


def fetch(host, port, url):
    """(status, meta, body); status "none" when no complete header came
    (a complete answer ends with close_notify)."""
    if url in CACHE:
        return CACHE[url]
    try:
        head, body, notify = tlsclient.fetch(int(port), url, sni=host,
                                             timeout=10)
    except OSError:
        head, body, notify = b"", b"", False
    if not head or not notify:
        res = "none", "", b""
    else:
        status, _, meta = head.decode("utf-8", "replace").partition(" ")
        res = status, meta, body
    CACHE[url] = res
    return res


def links(body):
    pre = False
    for line in body.decode("utf-8", "replace").split("\n"):
        if line.startswith("```"):
            pre = not pre
            continue
        if pre or not line.startswith("=>"):
            continue
        parts = line[2:].strip().split(None, 1)
        if parts:
            yield parts[0]


def main():
    host, port = sys.argv[1:3]
    base = "gemini://%s:%s" % (host, port)
    todo = [base + p for p in (sys.argv[3:] or ["/"])]
    seen = set(todo)
    status_of = {}
    npages = nlinks = ndead = 0
    while todo and npages < MAX_PAGES:
        url = todo.pop(0)
        status, meta, body = fetch(host, port, url)
        hops = 0
        while status == "31" and meta.startswith(base) and hops < 5:
            url = meta
            status, meta, body = fetch(host, port, url)
            hops += 1
        if status != "20" or not meta.startswith("text/gemini"):
            continue
        npages += 1
        for target in links(body):
            full = urllib.parse.urljoin(url, target)
            u = urllib.parse.urlsplit(full)
            if u.scheme != "gemini" or u.netloc != "%s:%s" % (host, port):
                continue
            full = urllib.parse.urlunsplit(u._replace(fragment=""))
            nlinks += 1
            if full not in status_of:
                st, mt, _ = fetch(host, port, full)
                end, hops = full, 0
                while st == "31" and mt.startswith(base) and hops < 5:
                    end = mt
                    st, mt, _ = fetch(host, port, end)
                    hops += 1
                status_of[full] = st
                if st == "20" and mt.startswith("text/gemini") and \
                        end not in seen:
                    seen.add(end)
                    todo.append(end)
            if status_of[full] not in ("20", "10", "11"):
                ndead += 1
                print("dead %s -> %s: %s" % (url[len(base):], target,
                                             status_of[full]))
    print("pages=%d links=%d dead=%d" % (npages, nlinks, ndead))
    return 1 if ndead else 0


if __name__ == "__main__":
    sys.exit(main())
