#!/bin/sh
# Rendering off the event loop (issue 10, item 11): a hostile post, within
# the limits given here but slow to render (a 1 MB table of 100 columns:
# about 1 s of CPU, more under ASan), is rendered on the worker's render
# thread, whatever needs it: its own page, an Atom feed (which carries
# whole bodies), or its body as a class of readers sees it (a link to a
# protected post they may not see turned into text). A small page asked
# for while it renders is answered first, and both responses are
# complete. Ordering, not timing: on a server that renders on its loop,
# the small page waits behind it.
# Search is on: its index reads the post's source, it renders nothing.
# Two large posts: while a slow one renders, another large one (past the
# size that renders on the loop) is answered first: it renders on the
# worker's other render thread (render_threads = 2, the default).
. "$(dirname "$0")/lib.sh"
e2e_setup
R=$E2E_DIR/site
mkdir -p "$R/content/posts" "$R/content/private"
printf 'title = "Render thread"\n' >"$R/hugo.toml"
printf '+++\ntitle = "Small"\ndate = 2024-01-02\n+++\n\nsmall-marker-5b7e\n' \
    >"$R/content/posts/small.md"
printf '+++\ntitle = "Secret"\ndate = 2023-01-01\n+++\n\nsecret-marker\n' \
    >"$R/content/private/secret.md"
# hostile (its page), feedpost (no description: the feed carries its
# body), classpost (a description, so no feed needs its body; a link to
# the protected post).
python3 - "$R/content/posts" <<'PY2'
import sys
cols = 100
row = "|" + "|".join("c" for _ in range(cols)) + "|\n"
for name, date, extra in (("hostile", "2024-01-01", ""),
                          ("feedpost", "2023-12-01", ""),
                          ("classpost", "2023-11-01",
                           "description = \"Has a summary\"\n"),
                          ("slowpost", "2023-10-01",
                           "description = \"Has a summary\"\n")):
    head = ("+++\ntitle = \"%s\"\ndate = %s\n%s+++\n\n%s-marker-e91a\n\n"
            "See [the secret](/private/secret/).\n\n" % (name, date, extra, name)
            + "|" + "|".join("h%d" % i for i in range(cols)) + "|\n"
            + "|" + "|".join("-" for _ in range(cols)) + "|\n")
    with open("%s/%s.md" % (sys.argv[1], name), "w") as f:
        f.write(head + row * ((1048000 - len(head)) // len(row)))
# Large (past 32 KiB, so it renders off the loop) but quick to render.
with open("%s/largepost.md" % sys.argv[1], "w") as f:
    f.write("+++\ntitle = \"Large\"\ndate = 2023-09-01\n"
            "description = \"Has a summary\"\n+++\n\nlargepost-marker-77c3\n\n")
    for i in range(800):
        f.write("Paragraph %d of a long but plain post, quick to render.\n\n" % i)
PY2
e2e_client_cert alice || e2e_fail "client certificate: $(tail -n 3 "$E2E_KEYS/alice.log")"
CFG=$E2E_DIR/capsuled.toml
printf '[[protect]]\npath = "/private/"\nfingerprints = ["%s"]\n' \
    "$(e2e_fingerprint "$E2E_KEYS/alice.crt")" >"$CFG"
# Tables this large are past the default max_table_cells: allowed here.
e2e_start serve --config "$CFG" --root "$R" --certs "$E2E_DIR/certs" \
    --host localhost --listen 127.0.0.1:0 --workers 1 --debug \
    --max-table-cells 1000000 || exit 1

cat >"$E2E_DIR/order.py" <<'PY'
import sys
from tlsclient import race, race_report
port, log, path, name = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
# The page asked for second, and a marker of its body; sent once the
# server has taken the hostile one (its debug line on the render thread).
spath = sys.argv[5] if len(sys.argv) > 5 else "/posts/small/"
smarker = (sys.argv[6] if len(sys.argv) > 6 else "small-marker-5b7e").encode()
order, ans, small_ms = race(port, "gemini://localhost:%d%s" % (port, path),
                            "gemini://localhost:%d%s" % (port, spath), log,
                            name + ".md: rendering off the loop")
race_report(order, ans, {"first": "hostile", "second": "small"})
print("small_ms=%.0f" % small_ms)
sys.stdout.flush()
print("hostile_body_marker=%s small_body_marker=%s secret_link=%s" % (
    (name + "-marker-e91a").encode() in ans["first"][0], smarker in ans["second"][0],
    b"=> /private/secret/" in ans["first"][0]))
PY
# order WHAT PATH NAME [PATH2 MARKER2]: PATH, which needs NAME.md
# rendered, asked for first; a small page (or PATH2, whose body holds
# MARKER2) while NAME.md renders.
order() {
	out=$(timeout 400 python3 "$E2E_DIR/order.py" "$PORT" "$SERVER_LOG" "$2" "$3" $4 $5 2>&1)
	printf '%s\n' "$out" | sed 's/^/     /'
	case $out in
	*"order=small,hostile"*) e2e_ok "$1: the small page is answered before it" ;;
	*) e2e_fail "$1: the small page waited behind its rendering" ;;
	esac
	# Its 20, or (a machine so loaded that rendering takes longer than
	# the 10 s request deadline) a complete 40 saying so.
	case $out in
	*"hostile: header='20 "*"close_notify=True"*"small: header='20 text/gemini"*"close_notify=True"*)
		e2e_ok "$1: both responses are 20 and complete (close_notify)" ;;
	*"hostile: header='40 the page is still being rendered"*"close_notify=True"*"small: header='20 text/gemini"*"close_notify=True"*)
		e2e_ok "$1: both complete: the small page 20, the other a 40 'still being rendered' (its render outlived the deadline)" ;;
	*) e2e_fail "$1: a response was not complete (20, or 40 while rendering)" ;;
	esac
	case $out in
	*"small_body_marker=True"*) e2e_ok "$1: the small body is its own post's" ;;
	*) e2e_fail "$1: the small body lacks its post's text" ;;
	esac
}
# poll URL: asks (bounded) until the answer is 20 (it may be a 40 while
# a render outlives the deadline).
poll() {
	i=0
	while [ $i -lt 30 ]; do
		e2e_req "$@"
		[ "$STATUS" = 20 ] && break
		i=$((i + 1))
	done
}

# 1. A post's own page.
order "its page" /posts/hostile/ hostile
# Rendered once, then stored: the hostile page with its text.
poll "$(e2e_url /posts/hostile/)"
assert_eq "$STATUS" 20 "the hostile post, once rendered"
assert_close_notify
assert_body_contains hostile-marker-e91a "the hostile post's own body"

# 2. An Atom feed carries whole bodies: feedpost's is not rendered yet.
order "the Atom feed" /atom.xml feedpost
poll "$(e2e_url /atom.xml)"
assert_eq "$STATUS" 20 "the feed, once rendered"
assert_body_contains feedpost-marker-e91a "the feed carries feedpost's body"
assert_body_contains hostile-marker-e91a "the feed carries hostile's body"
assert_body_lacks "/private/secret/" "the feed, without a certificate: no link to the protected post"

# 3. Its body as a class sees it: rendered (and cached) for alice, who
# sees the protected post; then asked for without a certificate, it is
# rendered again with that link as text.
i=0
while [ $i -lt 30 ]; do
	e2e_req_as alice "$(e2e_url /posts/classpost/)"
	[ "$STATUS" = 20 ] && break
	i=$((i + 1))
done
assert_eq "$STATUS" 20 "classpost, for alice"
assert_body_contains "=> /private/secret/" "classpost, for alice: the link to the protected post"
order "a body as one class sees it" /posts/classpost/ classpost
poll "$(e2e_url /posts/classpost/)"
assert_eq "$STATUS" 20 "classpost, without a certificate, once rendered"
assert_body_contains classpost-marker-e91a "classpost's own body, without a certificate"
assert_body_lacks "=> /private/secret/" "classpost, without a certificate: no link to the protected post"
assert_body_contains "the secret" "classpost, without a certificate: the link's text stays"

# 4. A large post asked for while a slow one renders: on the other render
# thread, it is answered first (on one thread it would wait behind).
order "a large post while a slow one renders" /posts/slowpost/ slowpost \
    /posts/largepost/ largepost-marker-77c3
if grep -q 'largepost\.md: rendering off the loop' "$SERVER_LOG"; then
	e2e_ok "the large post was rendered off the loop too"
else
	e2e_fail "the large post was not rendered off the loop (no debug line): not a test of the render threads"
fi
poll "$(e2e_url /posts/slowpost/)"
assert_eq "$STATUS" 20 "the slow post, once rendered"
assert_body_contains slowpost-marker-e91a "the slow post's own body"
e2e_done
