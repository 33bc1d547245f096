#!/bin/sh
# Posts are read as the configured user (issue 10, "the master parses
# every post as root"): run as root with --user nobody, a post only root
# may read is neither served nor listed, and the log names it; the
# readable one is served. At start and after a change (the watcher).
# shellcheck disable=SC2034 # SUMMARY is read by lib.sh
. "$(dirname "$0")/lib.sh"

e2e_setup
if [ "$(id -u)" -ne 0 ]; then
	e2e_skip_all "posts read as --user: needs root"
fi
RUNAS=
for u in nobody daemon; do
	id "$u" >/dev/null 2>&1 && { RUNAS=$u; break; }
done
[ -n "$RUNAS" ] || e2e_skip_all "posts read as --user: no nobody/daemon user"

# The unprivileged user must reach the capsule (mktemp -d is 0700).
chmod 755 "$E2E_DIR"
S=$E2E_DIR/site
mkdir -p "$S/posts"
printf '+++\ntitle = "Open Post"\ndate = 2024-01-01\n+++\n\nopen-marker-18d2\n' >"$S/posts/open.md"
printf '+++\ntitle = "Root Only"\ndate = 2024-01-02\n+++\n\nrootonly-marker-6f0b\n' >"$S/posts/rootonly.md"
chmod -R go+rX "$S"
chmod 600 "$S/posts/rootonly.md"

e2e_start serve --root "$S" --certs "$E2E_DIR/certs" --host localhost \
    --listen 127.0.0.1:0 --workers 2 --user "$RUNAS" || e2e_done
expect "$(e2e_url /posts/open/)" 20 "--user $RUNAS: the readable post is served"
assert_body_contains open-marker-18d2
expect "$(e2e_url /posts/rootonly/)" 51 "--user $RUNAS: the root-only post is not served"
assert_body_lacks rootonly-marker-6f0b
expect "$(e2e_url /)" 20 "--user $RUNAS: home"
assert_body_lacks 'Root Only' "--user $RUNAS: the root-only post is not listed"
if grep -q 'rootonly\.md: Permission denied' "$SERVER_LOG"; then
	e2e_ok "--user $RUNAS: the log names the unreadable post"
else
	e2e_fail "--user $RUNAS: no 'rootonly.md: Permission denied' in the log"
fi

# Written later, the same: changes are read as the user too.
printf '+++\ntitle = "Root Later"\ndate = 2024-01-03\n+++\n\nrootlater-marker-90aa\n' >"$S/posts/later.tmp"
chmod 600 "$S/posts/later.tmp"
mv "$S/posts/later.tmp" "$S/posts/later.md"
printf '+++\ntitle = "Open Later"\ndate = 2024-01-04\n+++\n\nopenlater-marker-2c51\n' >"$S/posts/open2.md"
chmod 644 "$S/posts/open2.md"
# The readable one shows (bounded), then the other must not.
i=0
while [ $i -lt 150 ]; do
	e2e_req "$(e2e_url /posts/open2/)"
	[ "$STATUS" = 20 ] && break
	sleep 0.2
	i=$((i + 1))
done
assert_status 20 "--user $RUNAS: a readable post added later is served"
expect "$(e2e_url /posts/later/)" 51 "--user $RUNAS: a root-only post added later is not"
assert_body_lacks rootlater-marker-90aa
assert_alive
e2e_stop_server
assert_eq "$SERVER_EXIT" 0 "clean exit"
e2e_done
