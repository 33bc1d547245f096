#!/bin/sh
# The server's life: certificates made on first start and never replaced,
# `capsuled cert`, SIGHUP with a broken config, a killed worker replaced,
# and SIGTERM ending it cleanly.
. "$(dirname "$0")/lib.sh"

e2e_setup
CERTS=$E2E_DIR/certs
CRT=$CERTS/localhost.crt
KEY=$CERTS/localhost.key

# The fingerprint of a PEM certificate, lower-case hex without colons,
# as gemclient prints cert_sha256.
fingerprint() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 |
	    sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'
}

# --- certificate generated on first start --------------------------------
assert_eq "$(ls -A "$CERTS" | wc -l | tr -d ' ')" 0 "certs folder starts empty"
e2e_start_server_port || e2e_done
# A first request proves start-up finished ("listening on" is logged when
# the sockets are bound, possibly before the certificate is written).
expect "$(e2e_url /)" 20 "served with the new certificate"
served_fp=$CERT_SHA256
if [ -f "$CRT" ] && [ -f "$KEY" ]; then
	e2e_ok "first start wrote localhost.crt and localhost.key"
else
	e2e_fail "first start wrote localhost.crt and localhost.key: certs has: $(ls -A "$CERTS" | tr '\n' ' ')"
fi
assert_eq "$(stat -c %a "$KEY" 2>/dev/null)" 600 "key file mode 0600"
text=$(openssl x509 -in "$CRT" -noout -text 2>&1)
case $text in
*prime256v1*) e2e_ok "certificate key is EC P-256" ;;
*) e2e_fail "certificate key is EC P-256: $(printf '%s\n' "$text" | grep -i 'public key' | head -n 3)" ;;
esac
case $text in
*DNS:localhost*) e2e_ok "SAN has DNS:localhost" ;;
*) e2e_fail "SAN has DNS:localhost" ;;
esac
if openssl pkey -in "$KEY" -noout 2>/dev/null; then
	e2e_ok "key file parses"
else
	e2e_fail "key file parses"
fi
# Validity of decades: still valid in 10 years.
if openssl x509 -in "$CRT" -noout -checkend $((10 * 365 * 86400)) >/dev/null; then
	e2e_ok "certificate valid for at least 10 years"
else
	e2e_fail "certificate valid for at least 10 years: $(openssl x509 -in "$CRT" -noout -enddate)"
fi
assert_eq "$served_fp" "$(fingerprint "$CRT")" "server presents the generated certificate"
key_sum=$(sha256sum "$KEY" | cut -d' ' -f1)
crt_fp=$(fingerprint "$CRT")

e2e_stop_server
assert_eq "$SERVER_EXIT" 0 "SIGTERM: exit status 0"

# A second start keeps the key.
e2e_start_server_port || e2e_done
assert_eq "$(sha256sum "$KEY" | cut -d' ' -f1)" "$key_sum" "second start keeps the key file"
expect "$(e2e_url /)" 20 "second start serves"
assert_eq "$CERT_SHA256" "$crt_fp" "second start presents the same certificate"
e2e_stop_server

# --- capsuled cert -------------------------------------------------------
C2=$E2E_DIR/certs2
mkdir -p "$C2"
if "$CAPSULED" cert other.example --certs "$C2" >"$E2E_DIR/cert.out" 2>&1; then
	e2e_ok "capsuled cert other.example"
else
	e2e_fail "capsuled cert other.example: exit $?: $(head -c 300 "$E2E_DIR/cert.out")"
fi
if [ -f "$C2/other.example.crt" ] && [ -f "$C2/other.example.key" ]; then
	e2e_ok "cert command wrote other.example.crt and .key"
	assert_eq "$(stat -c %a "$C2/other.example.key")" 600 "cert command: key mode 0600"
	case $(openssl x509 -in "$C2/other.example.crt" -noout -text 2>&1) in
	*DNS:other.example*) e2e_ok "cert command: SAN has DNS:other.example" ;;
	*) e2e_fail "cert command: SAN has DNS:other.example" ;;
	esac
	sum2=$(sha256sum "$C2/other.example.key" | cut -d' ' -f1)
	if "$CAPSULED" cert other.example --certs "$C2" >"$E2E_DIR/cert2.out" 2>&1; then
		e2e_fail "cert command refuses to overwrite: exit 0"
	else
		e2e_ok "cert command refuses to overwrite (non-zero exit)"
	fi
	assert_eq "$(sha256sum "$C2/other.example.key" | cut -d' ' -f1)" "$sum2" "cert command left the key alone"
else
	e2e_fail "cert command wrote other.example.crt and .key: $(ls -A "$C2" | tr '\n' ' ')"
fi

# --- two servers started at once on an empty certs folder ------------------
# The loser of the race loads the winner's certificate; both serve it.
round=1
while [ $round -le 3 ]; do
	RCD=$E2E_DIR/race$round
	mkdir -p "$RCD"
	"$CAPSULED" serve --root "$E2E_DIR/capsule" --certs "$RCD" --host localhost \
	    --listen 127.0.0.1:0 --workers 1 >"$RCD.a.log" 2>&1 &
	PA=$!
	"$CAPSULED" serve --root "$E2E_DIR/capsule" --certs "$RCD" --host localhost \
	    --listen 127.0.0.1:0 --workers 1 >"$RCD.b.log" 2>&1 &
	PB=$!
	E2E_PIDS="$E2E_PIDS $PA $PB"
	i=0
	while [ $i -lt 100 ]; do
		grep -q 'listening on' "$RCD.a.log" && grep -q 'listening on' "$RCD.b.log" && break
		kill -0 "$PA" 2>/dev/null && kill -0 "$PB" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	fps=
	for l in "$RCD.a.log" "$RCD.b.log"; do
		PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$l" | head -n 1)
		if [ -n "$PORT" ]; then
			e2e_req "$(e2e_url /)"
			fps="$fps ${CERT_SHA256:-none}"
		else
			fps="$fps down($(grep -m1 -i 'warning' "$l"))"
		fi
	done
	want=$(fingerprint "$RCD/localhost.crt" 2>/dev/null)
	assert_eq "$fps" " $want $want" "race $round: both servers up, serving the one certificate"
	e2e_stop_server "$PA"
	e2e_stop_server "$PB"
	round=$((round + 1))
done

# --- SIGHUP with a broken config keeps serving ---------------------------
CFG=$E2E_DIR/capsuled.toml
cat >"$CFG" <<EOF
# test configuration
root = "$E2E_DIR/capsule"
certs = "$CERTS"
workers = 1
EOF
e2e_start_server_port --config "$CFG" || e2e_done
expect "$(e2e_url /)" 20 "served with --config"
printf 'this line = is [ not toml\n' >>"$CFG"
kill -HUP "$SERVER_PID" 2>/dev/null
# Wait (polled, at most 20 s) for the reload attempt to be logged.
i=0
while [ $i -lt 200 ] && ! grep -q 'capsuled\.toml:[0-9]' "$SERVER_LOG"; do
	sleep 0.1
	i=$((i + 1))
done
if grep -q 'capsuled\.toml:5' "$SERVER_LOG"; then
	e2e_ok "broken config reported as file:line"
else
	e2e_fail "broken config reported as capsuled.toml:5: $(tail -n 5 "$SERVER_LOG" | tr '\n' '|')"
fi
assert_alive "alive after SIGHUP with a broken config"
expect "$(e2e_url /)" 20 "still serving after SIGHUP with a broken config"
assert_body_contains "$MARK_INDEX"
# Repaired, a reload goes through and serving goes on.
head -n 4 "$CFG" >"$CFG.new" && mv "$CFG.new" "$CFG"
lines=$(wc -l <"$SERVER_LOG")
kill -HUP "$SERVER_PID" 2>/dev/null
# Wait (polled, at most 20 s) for the reload to be logged.
i=0
while [ $i -lt 200 ] && [ "$(wc -l <"$SERVER_LOG")" -le "$lines" ]; do
	sleep 0.1
	i=$((i + 1))
done
assert_alive "alive after SIGHUP with a repaired config"
expect "$(e2e_url /)" 20 "serving after the repaired reload"
e2e_stop_server

# --- a root folder swapped by rename is noticed ----------------------------
SW=$E2E_DIR/swap
mkdir -p "$SW/root" "$SW/root.new"
printf '# Old\n\nold-root-marker-5e1f\n' >"$SW/root/index.gmi"
printf '# New\n\nnew-root-marker-a7c3\n' >"$SW/root.new/index.gmi"
e2e_start serve --root "$SW/root" --certs "$CERTS" --host localhost \
    --listen 127.0.0.1:0 --workers 2 || e2e_done
expect "$(e2e_url /)" 20 "swapped root: served before the swap"
assert_body_contains old-root-marker-5e1f
mv "$SW/root" "$SW/root.old"
mv "$SW/root.new" "$SW/root"
# Until the new tree shows (bounded): one request per try.
i=0
while [ $i -lt 50 ]; do
	e2e_req "$(e2e_url /)"
	grep -q new-root-marker-a7c3 "$BODYFILE" && break
	sleep 0.2
	i=$((i + 1))
done
assert_body_contains new-root-marker-a7c3 "swapped root: the new tree is served"
assert_eq "$(grep -c 'root .* was replaced' "$SERVER_LOG")" 1 "swapped root: logged once"
rm -rf "$SW/root.old"
for n in 1 2 3 4; do
	expect "$(e2e_url /)" 20 "swapped root: request $n after the old tree is gone"
	assert_body_contains new-root-marker-a7c3 "swapped root: request $n shows the new tree"
done
e2e_stop_server

# --- a killed worker is replaced -----------------------------------------
e2e_start_server_port --workers 2 || e2e_done
# Children of the master: wait (polled, at most 20 s) for both workers.
i=0
kids=
while [ $i -lt 200 ]; do
	kids=$(e2e_children "$SERVER_PID" | tr ' ' '\n')
	[ "$(printf '%s\n' "$kids" | grep -c .)" -ge 2 ] && break
	sleep 0.1
	i=$((i + 1))
done
nkids=$(printf '%s\n' "$kids" | grep -c .)
assert_eq "$nkids" 2 "two workers under the master"
victim=$(printf '%s\n' "$kids" | head -n 1)
if [ -n "$victim" ]; then
	kill -KILL "$victim"
	i=0
	new=
	while [ $i -lt 200 ]; do
		now=$(e2e_children "$SERVER_PID" | tr ' ' '\n')
		new=$(printf '%s\n' "$now" | grep -vx "$victim" |
		    grep -vxF "$kids" 2>/dev/null)
		[ -n "$new" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	if [ -n "$new" ]; then
		e2e_ok "killed worker $victim replaced by $new"
	else
		e2e_fail "killed worker $victim replaced (polled 20 s): children now: $(printf '%s ' $now)"
	fi
	for n in 1 2 3 4 5 6; do
		expect "$(e2e_url /page.gmi)" 20 "request $n after a worker was killed"
	done
	assert_alive "master alive after losing a worker"
fi

# --- SIGTERM: exit 0, workers gone ----------------------------------------
kids=$(e2e_children "$SERVER_PID")
assert_ne "$kids" "" "SIGTERM: workers to watch (pgrep -P)"
t0=$(e2e_now_ms)
e2e_stop_server
t1=$(e2e_now_ms)
assert_eq "$SERVER_EXIT" 0 "SIGTERM: exit 0 ($((t1 - t0)) ms)"
left=$(e2e_alive $kids)
assert_eq "$left" "" "SIGTERM: no worker left behind"
for k in $left; do
	kill -KILL "$k" 2>/dev/null
done

e2e_done
