#!/bin/sh
# Posts are read as the configured user (issue 10, "the master parses
# every post as root"): run as root with --user nobody, a post only root
# may read is neither served nor listed, and the log names it; the
# readable one is served. At start and after a change (the watcher).
# No process that reads the site keeps root: every process below the
# master (the generation's zygote, its workers) has the user's uids and
# gids (real, effective, saved, filesystem), the user's group alone and
# no capability; and the root master holds no site model (its anonymous
# memory stays a fraction of a worker's with 2,000 posts loaded).
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
# 2,000 posts: a model the master would hold if it read the site.
e2e_posts "$S/posts/gen" 2000 20
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

# Every process below the master, found through /proc/*/stat ppid chains
# (children and grandchildren, whatever their name).
descendants() {
	for _f in /proc/[0-9]*/stat; do
		cat "$_f" 2>/dev/null
		echo
	done | awk -v root="$1" '
	NF {
		pid = $1
		line = $0
		sub(/.*\) /, "", line)
		split(line, a, " ")
		parent[pid] = a[2]
	}
	END {
		want[root] = 1
		for (changed = 1; changed; ) {
			changed = 0
			for (p in parent)
				if (!(p in want) && (parent[p] in want)) {
					want[p] = 1
					changed = 1
				}
		}
		for (p in want)
			if (p != root)
				print p
	}' | sort -n
}
field() { # field PID NAME: the values of a /proc/PID/status line
	awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ +/, ""); print }' "/proc/$1/status" 2>/dev/null
}
uid=$(id -u "$RUNAS")
gid=$(id -g "$RUNAS")
procs=$(descendants "$SERVER_PID")
nprocs=$(echo $procs | wc -w)
if [ "$nprocs" -ge 3 ]; then
	e2e_ok "--user $RUNAS: $nprocs processes below the master"
else
	e2e_fail "--user $RUNAS: $nprocs processes below the master (want a zygote and 2 workers): $(echo $procs)"
fi
for p in $procs; do
	name="$(cat "/proc/$p/comm" 2>/dev/null) $p"
	assert_eq "$(field "$p" Uid)" "$uid $uid $uid $uid" "$name: real, effective, saved, fs uid are $RUNAS's"
	assert_eq "$(field "$p" Gid)" "$gid $gid $gid $gid" "$name: real, effective, saved, fs gid are $RUNAS's"
	assert_eq "$(field "$p" Groups)" "$gid" "$name: supplementary groups: $RUNAS's group alone"
	assert_eq "$(field "$p" CapEff) $(field "$p" CapPrm)" "0000000000000000 0000000000000000" "$name: no capability"
done
# The master never read the site: its anonymous memory is a fraction of
# a worker's, which holds the 2,000 posts' model (shared with its
# siblings). Before the zygote, the master held a model as big as theirs.
m_anon=$(field "$SERVER_PID" RssAnon | awk '{ print $1 }')
w=$(e2e_children "$SERVER_PID" | cut -d' ' -f1)
w_anon=$(field "$w" RssAnon | awk '{ print $1 }')
if e2e_measured "$m_anon $w_anon" '[0-9]* [0-9]*' "RssAnon of the master and of worker $w (/proc/PID/status)"; then
	if [ $((m_anon * 3)) -lt "$w_anon" ]; then
		e2e_ok "the master holds no site: RssAnon $m_anon kB, a worker's $w_anon kB"
	else
		e2e_fail "the master holds the site: RssAnon $m_anon kB, a worker's $w_anon kB"
	fi
fi

# A zygote that dies is noticed and replaced; its workers serve until the
# new generation's run, then go: two workers again, all serving.
zyg=
for p in $(pgrep -P "$SERVER_PID"); do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = capsuled-zygote ] && zyg=$p
done
if e2e_measured "$zyg" '[0-9]*' "the zygote's pid (comm capsuled-zygote)"; then
	old=$(e2e_children "$SERVER_PID")
	kill -KILL "$zyg"
	expect "$(e2e_url /posts/open/)" 20 "zygote killed: its workers still serve"
	i=0
	while [ $i -lt 300 ]; do
		now=$(e2e_children "$SERVER_PID")
		gone=1
		for w in $old; do
			case " $now " in *" $w "*) gone=0 ;; esac
		done
		[ $gone = 1 ] && [ "$(echo "$now" | wc -w)" -eq 2 ] && break
		sleep 0.1
		i=$((i + 1))
	done
	assert_eq "$(echo "$now" | wc -w)" 2 "zygote killed: two workers again (polled 30 s)"
	assert_eq "$gone" 1 "zygote killed: its workers ($old) retired, now $now"
	if grep -q "zygote (pid $zyg) of generation 1 killed by signal 9; starting another" "$SERVER_LOG"; then
		e2e_ok "zygote killed: logged"
	else
		e2e_fail "zygote killed: no 'zygote (pid $zyg) ... starting another' in the log"
	fi
	for p in $(descendants "$SERVER_PID"); do
		assert_eq "$(field "$p" Uid)" "$uid $uid $uid $uid" "after the new zygote: $p runs as $RUNAS"
	done
	expect "$(e2e_url /posts/open2/)" 20 "after the new zygote: served"
	assert_body_contains openlater-marker-2c51
fi
assert_alive
e2e_stop_server
assert_eq "$SERVER_EXIT" 0 "clean exit"
e2e_done
