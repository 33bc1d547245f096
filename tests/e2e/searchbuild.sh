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
import sys
from tlsclient import race, race_report
port, log = int(sys.argv[1]), sys.argv[2]
order, ans, _ = race(port, "gemini://localhost:%d/search?needle-7c1f" % port,
                     "gemini://localhost:%d/posts/p0001/" % port, log,
                     "search index: building it")
race_report(order, ans, {"first": "search", "second": "page"})
print("found=%s" % (b"/posts/p1234/" in ans["first"][0]))
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
*"search: header='40 the search index is still being built"*"close_notify=True"*"page: header='20 text/gemini"*"close_notify=True"*)
	e2e_ok "both complete: the page 20, the search a 40 saying the index is being built (the build outlived the 10 s deadline)" ;;
*) e2e_fail "a response was not complete" ;;
esac
# Later searches find the index built: answered at once, same result.
expect "$(e2e_url '/search?needle-7c1f')" 20 "a second search"
assert_body_contains "/posts/p1234/"
assert_alive
e2e_done
