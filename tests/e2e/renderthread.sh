#!/bin/sh
# Rendering off the event loop (issue 10, item 11): a hostile post, within
# the default limits but slow to render (a 1 MB table of 100 columns: about
# 1 s of CPU, more under ASan), is rendered on
# the worker's render thread; a small page asked for while it renders is
# answered first, and both responses are complete. Ordering, not timing:
# on a server that renders on its loop, the small page waits behind it.
# Search is on: its index reads the post's source, it renders nothing.
. "$(dirname "$0")/lib.sh"
e2e_setup
R=$E2E_DIR/site
mkdir -p "$R/content/posts"
printf 'title = "Render thread"\n' >"$R/hugo.toml"
printf '+++\ntitle = "Small"\ndate = 2024-01-02\n+++\n\nsmall-marker-5b7e\n' \
    >"$R/content/posts/small.md"
python3 - "$R/content/posts/hostile.md" <<'PY'
import sys
cols = 100
row = "|" + "|".join("c" for _ in range(cols)) + "|\n"
head = ("+++\ntitle = \"Hostile\"\ndate = 2024-01-01\n+++\n\nhostile-marker-e91a\n\n"
        + "|" + "|".join("h%d" % i for i in range(cols)) + "|\n"
        + "|" + "|".join("-" for _ in range(cols)) + "|\n")
with open(sys.argv[1], "w") as f:
    f.write(head + row * ((1048000 - len(head)) // len(row)))
PY
e2e_start serve --root "$R" --certs "$E2E_DIR/certs" --host localhost \
    --listen 127.0.0.1:0 --workers 1 --debug || exit 1

cat >"$E2E_DIR/order.py" <<'PY'
import select, ssl, sys, time
from tlsclient import connect, eof_cut
port, log = int(sys.argv[1]), sys.argv[2]
def conn():
    t = connect(port, timeout=120)
    t.setblocking(False)
    return t
# Both handshakes first: then only the requests remain.
big, small = conn(), conn()
t0 = time.monotonic()
big.sendall(("gemini://localhost:%d/posts/hostile/\r\n" % port).encode())
# Send the small request once the server has taken the hostile one: its
# debug line on the render thread, or (a server without one) 1 s later.
for _ in range(100):
    if "hostile.md: rendering off the loop" in open(log, errors="replace").read():
        break
    time.sleep(0.01)
t1 = time.monotonic()
small.sendall(("gemini://localhost:%d/posts/small/\r\n" % port).encode())
data = {big: b"", small: b""}
notify = {}
order = []
deadline = time.monotonic() + 300
while len(order) < 2 and time.monotonic() < deadline:
    r, _, _ = select.select([c for c in data if c not in notify], [], [], 1)
    for c in r:
        try:
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    notify[c] = True
                    order.append(c)
                    break
                data[c] += chunk
        except ssl.SSLWantReadError:
            pass
        except (ssl.SSLError, ConnectionResetError) as e:
            if isinstance(e, ssl.SSLError) and not eof_cut(e):
                raise
            notify[c] = False
            order.append(c)
        if c in notify and c is small:
            small_ms = (time.monotonic() - t1) * 1000
names = {big: "hostile", small: "small"}
print("order=%s" % ",".join(names[c] for c in order))
for c in (big, small):
    head = data[c].split(b"\r\n", 1)[0].decode(errors="replace")
    print("%s: header=%r bytes=%d close_notify=%s" % (names[c], head, len(data[c]), notify.get(c)))
print("small_ms=%.0f total_ms=%.0f" % (small_ms if "small_ms" in dir() else -1, (time.monotonic() - t0) * 1000))
sys.stdout.flush()
print("hostile_body_marker=%s small_body_marker=%s" % (b"hostile-marker-e91a" in data[big], b"small-marker-5b7e" in data[small]))
PY
out=$(timeout 400 python3 "$E2E_DIR/order.py" "$PORT" "$SERVER_LOG" 2>&1)
printf '%s\n' "$out" | sed 's/^/     /'
case $out in
*"order=small,hostile"*) e2e_ok "the small page is answered before the hostile post" ;;
*) e2e_fail "the small page waited behind the hostile post's rendering" ;;
esac
# The hostile page: its 20, or (a machine so loaded that rendering takes
# longer than the 10 s request deadline) a complete 40 saying so.
case $out in
*"hostile: header='20 text/gemini"*"close_notify=True"*"small: header='20 text/gemini"*"close_notify=True"*)
	e2e_ok "both responses are 20 and complete (close_notify)" ;;
*"hostile: header='40 the page is still being rendered"*"close_notify=True"*"small: header='20 text/gemini"*"close_notify=True"*)
	e2e_ok "both complete: the small page 20, the hostile one a 40 'still being rendered' (its render outlived the deadline)" ;;
*) e2e_fail "a response was not complete (20, or 40 while rendering)" ;;
esac
case $out in
*"small_body_marker=True"*) e2e_ok "the small body is its own post's" ;;
*) e2e_fail "the small body lacks its post's text" ;;
esac
# Rendered once, then stored: the hostile page with its text (polled,
# bounded, in case the first answer was the 40).
i=0
while [ $i -lt 30 ]; do
	e2e_req "$(e2e_url /posts/hostile/)"
	[ "$STATUS" = 20 ] && break
	i=$((i + 1))
done
assert_eq "$STATUS" 20 "the hostile post, once rendered"
assert_close_notify
assert_body_contains hostile-marker-e91a "the hostile post's own body"
e2e_done
