#!/bin/sh
# Per-client-address rate limit: with N/SECONDS, N requests pass, the next
# gets "44 S" with S whole seconds in 1..SECONDS; every path counts
# (robots.txt too); the budget is shared by the workers; it comes back
# after S seconds; a restart starts afresh; the TOML key works the same;
# bad values stop the start.  All clients are 127.0.0.1.
#
# No count here depends on the machine's speed: the budgets whose
# exhaustion is counted refill over an hour (N/3600), so however slow the
# client, no token comes back during the test.  Where a short window is
# needed (a token comes back), only what holds on any machine is asserted:
# a fresh bucket serves its N, waiting the S seconds a 44 names is enough,
# and a full refill serves N again.
. "$(dirname "$0")/lib.sh"

e2e_setup

# rl_req URL: one request whose answer is counted. The client waits up
# to 60 s (a hang bound), so it never gives up on a request the server
# has counted; a connection the server cut before its request line (its
# 10 s deadline, on a loaded machine) took no token and is tried again,
# at most 3 times (each shown in OTHER).
rl_req() {
	_t=0
	while :; do
		e2e_req "$1" --timeout 60
		[ "$STATUS" != none ] || [ "$END" = timeout ] || [ $_t -ge 3 ] && break
		_t=$((_t + 1))
		OTHER="$OTHER none($END, tried again)"
	done
}

# burst N URL: N requests in a row; sets OK20, OK44 (counts) and METAS.
burst() {
	OK20=0 OK44=0 OTHER='' METAS=''
	_i=0
	while [ $_i -lt "$1" ]; do
		rl_req "$2"
		case $STATUS in
		20) OK20=$((OK20 + 1)) ;;
		44) OK44=$((OK44 + 1)); METAS="$METAS $META" ;;
		*) OTHER="$OTHER $STATUS" ;;
		esac
		_i=$((_i + 1))
	done
}

meta_in_range() {	# META MAX MSG
	case $1 in
	'' | *[!0-9]*) e2e_fail "$3: meta '$1' is not a whole number of seconds" ;;
	*) assert_match "$(( $1 >= 1 && $1 <= $2 ))" 1 "$3: meta $1 in 1..$2" ;;
	esac
}

# --- 5/3600 on two workers -------------------------------------------------
e2e_start_server_port --rate-limit 5/3600 --workers 2 || e2e_done
i=1
while [ $i -le 5 ]; do
	OTHER=
	rl_req "$(e2e_url /page.gmi)"
	assert_status 20 "5/3600: request $i of 5 served$OTHER"
	assert_close_notify "5/3600: request $i of 5: close_notify"
	i=$((i + 1))
done
rl_req "$(e2e_url /page.gmi)"
assert_status 44 "5/3600: request 6 slowed down"
assert_close_notify "5/3600: request 6: close_notify"
meta_in_range "$META" 3600 "5/3600: 44"
assert_body_lacks "$MARK_PAGE" "44 has no body"
expect "$(e2e_url /robots.txt)" 44 "5/3600: robots.txt counted too" --timeout 60
expect "$(e2e_url /nothing.gmi)" 44 "5/3600: a missing file too" --timeout 60
# Ten more on fresh connections, spread over both workers by SO_REUSEPORT:
# none served, so the budget is one per address, not per worker.
burst 10 "$(e2e_url /page.gmi)"
assert_eq "$OK20" 0 "5/3600: no more served by either worker (44s: $OK44, other:$OTHER)"
for m in $METAS; do
	meta_in_range "$m" 3600 "5/3600: later 44"
	break
done
assert_eq "$(e2e_children "$SERVER_PID" | wc -w | tr -d ' ')" 2 "two workers running"
assert_alive

# A restart starts afresh.
e2e_stop_server
e2e_start_server_port --rate-limit 5/3600 --workers 2 || e2e_done
burst 6 "$(e2e_url /page.gmi)"
assert_eq "$OK20" 5 "after a restart: 5 served again (other:$OTHER)"
assert_eq "$OK44" 1 "after a restart: the 6th slowed down"
e2e_stop_server

# --- the config file; the command line wins over it --------------------------
cat >"$E2E_DIR/rl.toml" <<'EOF'
rate_limit = "3/3600"
EOF
e2e_start_server_port --config "$E2E_DIR/rl.toml" || e2e_done
burst 4 "$(e2e_url /page.gmi)"
assert_eq "$OK20" 3 "3/3600 from the config file: 3 served (other:$OTHER)"
assert_eq "$OK44" 1 "3/3600 from the config file: the 4th slowed down"
meta_in_range "$(printf '%s\n' $METAS | head -n 1)" 3600 "3/3600: 44"
e2e_stop_server
e2e_start_server_port --config "$E2E_DIR/rl.toml" --rate-limit 8/3600 || e2e_done
burst 9 "$(e2e_url /page.gmi)"
assert_eq "$OK20" 8 "--rate-limit 8/3600 overrides rate_limit 3/3600: 8 served (other:$OTHER)"
assert_eq "$OK44" 1 "--rate-limit 8/3600: the 9th slowed down"
e2e_stop_server

# --- the window passes: 3/6 (a token every 2 s) ------------------------------
# A fresh bucket serves 3 whatever the speed; requests go on until one is
# slowed down (at most 10: a client taking over 2 s per request never
# sees a 44, and then the wait cannot be tested: a visible skip).
e2e_start_server_port --rate-limit 3/6 || e2e_done
burst 3 "$(e2e_url /page.gmi)"
assert_eq "$OK20" 3 "3/6: a fresh bucket serves 3"
i=0 wait_s=
while [ $i -lt 10 ]; do
	e2e_req "$(e2e_url /page.gmi)"
	[ "$STATUS" = 44 ] && { wait_s=$META; break; }
	i=$((i + 1))
done
if [ -z "$wait_s" ]; then
	e2e_skip "3/6: no 44 in 10 requests (each took over 2 s): the wait is not tested"
else
	meta_in_range "$wait_s" 6 "3/6: 44"
	case $wait_s in '' | *[!0-9]*) wait_s=6 ;; esac
	# Waiting as told is enough to be served again.
	sleep "$wait_s"
	sleep 0.2
	expect "$(e2e_url /page.gmi)" 20 "3/6: served again after waiting the ${wait_s} s the 44 asked"
	assert_body_contains "$MARK_PAGE"
fi
# After a full window (6 s) the bucket holds 3 again.
sleep 6.2
burst 3 "$(e2e_url /page.gmi)"
assert_eq "$OK20" 3 "3/6: after a full window, 3 served again"
assert_alive
e2e_stop_server

# --- off by default -------------------------------------------------------
e2e_start_server_port || e2e_done
burst 30 "$(e2e_url /page.gmi)"
assert_eq "$OK20" 30 "no rate limit by default: 30 of 30 served"
e2e_stop_server

# --- bad values stop the start --------------------------------------------
for v in 0/10 5/0 abc 5 /10 -1/10 5/-3 5/10x; do
	timeout 10 "$CAPSULED" serve --root "$E2E_DIR/capsule" \
	    --certs "$E2E_DIR/certs" --listen 127.0.0.1:0 --workers 1 \
	    --rate-limit "$v" >"$E2E_DIR/bad.out" 2>&1
	rc=$?
	assert_match "$rc" '[1-9]|[1-9][0-9]' "--rate-limit $v: start refused (exit $rc: $(head -n 1 "$E2E_DIR/bad.out"))"
done
printf 'rate_limit = "many"\n' >"$E2E_DIR/bad.toml"
timeout 10 "$CAPSULED" serve --config "$E2E_DIR/bad.toml" --root "$E2E_DIR/capsule" \
    --certs "$E2E_DIR/certs" --listen 127.0.0.1:0 --workers 1 >"$E2E_DIR/bad.out" 2>&1
rc=$?
assert_ne "$rc" 0 "rate_limit = \"many\": start refused"
assert_match "$(head -n 1 "$E2E_DIR/bad.out")" '*bad.toml:1:*' "rate_limit = \"many\": file:line message"

e2e_done
