#!/bin/sh
# The search index is built when first searched (issue 16: built after
# start-up, it cost an idle worker seconds of CPU at 100,000 posts), in
# slices between other requests, the search waiting for the last (issue
# 10, item 11: nothing may hold the loop that long). With one worker and
# 4,000 posts, a page asked for while the first search waits for the
# index is answered before it; then the search's answer is complete and
# finds what it should. Ordering, not timing: a server that builds the
# whole index on its loop answers the search first.
# shellcheck disable=SC2034 # SUMMARY is read by lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup
R=$E2E_DIR/site
mkdir -p "$R/content/posts"
printf 'title = "Search build"\n' >"$R/hugo.toml"
python3 - "$R/content/posts" <<'PY'
import random, sys
rng = random.Random(7)
words = ["w%d" % i for i in range(3000)]
for i in range(4000):
    body = []
    for _ in range(12):
        body.append(" ".join(rng.choice(words) for _ in range(25)) + ".")
    if i == 1234:
        body.append("The needle-7c1f phrase lives here only.")
    with open("%s/p%04d.md" % (sys.argv[1], i), "w") as f:
        f.write("+++\ntitle = \"Post %d\"\ndate = 2024-01-%02d\n+++\n\n%s\n"
                % (i, 1 + i % 28, "\n\n".join(body)))
PY
e2e_start serve --root "$R" --certs "$E2E_DIR/certs" --host localhost \
    --listen 127.0.0.1:0 --workers 1 --debug || e2e_done

cat >"$E2E_DIR/order.py" <<'PY'
import select, ssl, sys, time
from tlsclient import connect, eof_cut
port, log = int(sys.argv[1]), sys.argv[2]
def conn():
    t = connect(port, timeout=120)
    t.setblocking(False)
    return t
# Both handshakes first: then only the requests remain.
srch, page = conn(), conn()
srch.sendall(("gemini://localhost:%d/search?needle-7c1f\r\n" % port).encode())
# The page once the search waits for the index (its debug line), or,
# from a server without one, 1 s later.
for _ in range(100):
    if "search index: building it" in open(log, errors="replace").read():
        break
    time.sleep(0.01)
page.sendall(("gemini://localhost:%d/posts/p0001/\r\n" % port).encode())
data = {srch: b"", page: b""}
done = {}
order = []
deadline = time.monotonic() + 300
while len(order) < 2 and time.monotonic() < deadline:
    r, _, _ = select.select([c for c in data if c not in done], [], [], 1)
    for c in r:
        try:
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    done[c] = True
                    order.append(c)
                    break
                data[c] += chunk
        except ssl.SSLWantReadError:
            pass
        except (ssl.SSLError, ConnectionResetError) as e:
            if isinstance(e, ssl.SSLError) and not eof_cut(e):
                raise
            done[c] = False
            order.append(c)
names = {srch: "search", page: "page"}
print("order=%s" % ",".join(names[c] for c in order))
for c in (srch, page):
    head = data[c].split(b"\r\n", 1)[0].decode(errors="replace")
    print("%s: header=%r bytes=%d close_notify=%s" % (names[c], head, len(data[c]), done.get(c)))
print("found=%s" % (b"/posts/p1234/" in data[srch]))
PY
out=$(timeout 400 python3 "$E2E_DIR/order.py" "$PORT" "$SERVER_LOG" 2>&1)
printf '%s\n' "$out" | sed 's/^/     /'
case $out in
*"order=page,search"*) e2e_ok "a page asked for while the index builds is answered first" ;;
*) e2e_fail "the page waited behind the index build" ;;
esac
case $out in
*"search: header='20 text/gemini"*"close_notify=True"*"page: header='20 text/gemini"*"close_notify=True"*)
	case $out in
	*"found=True"*) e2e_ok "the search, answered once the index is built, finds the post" ;;
	*) e2e_fail "the search's answer lacks the post holding the word" ;;
	esac ;;
*"search: header='40 the page is still being rendered"*"close_notify=True"*"page: header='20 text/gemini"*"close_notify=True"*)
	e2e_ok "both complete: the page 20, the search a 40 (the build outlived the 10 s deadline)" ;;
*) e2e_fail "a response was not complete" ;;
esac
# Later searches find the index built: answered at once, same result.
expect "$(e2e_url '/search?needle-7c1f')" 20 "a second search"
assert_body_contains "/posts/p1234/"
assert_alive
e2e_done
