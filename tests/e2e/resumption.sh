#!/bin/sh
# TLS session resumption (issue 16), two workers: one session ticket is
# accepted by several connections at once, by a second host too (its SNI
# switches the SSL_CTX), and a resumed handshake brings a ticket that
# resumes in its turn.  gemload -r resumes every connection but the first
# -c: it used to offer the newest ticket to each new connection, which
# OpenSSL's client marks spent once a handshake with it completes, so the
# connections started meanwhile were full handshakes (up to 40 % of them).
. "$(dirname "$0")/lib.sh"
e2e_setup

# Two hosts, the second with its own certificate: its SNI switches the
# connection to that host's SSL_CTX during the handshake. Two workers.
cat >"$E2E_DIR/hosts.toml" <<EOF
[[host]]
name = "localhost"
root = "$C"

[[host]]
name = "other.example"
root = "$C"
EOF
e2e_start serve --config "$E2E_DIR/hosts.toml" --certs "$E2E_DIR/certs" \
    --listen 127.0.0.1:0 --workers 2 || e2e_done

# sessions.py PORT: one line per check, "NAME VALUE".
cat >"$E2E_DIR/sessions.py" <<'EOF'
import socket
import sys

from tlsclient import CTX, read_all

PORT = int(sys.argv[1])
N = 8


def open_tls(sess=None, sni="localhost"):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=30)
    return CTX.wrap_socket(s, server_hostname=sni, session=sess,
                           suppress_ragged_eofs=False)


def finish(t, host="localhost"):
    """Sends a request, reads the answer and closes: (header,
    close_notify, the session with the ticket that came meanwhile)."""
    t.sendall(("gemini://%s:%d/\r\n" % (host, PORT)).encode())
    data, notify = read_all(t)
    sess = t.session  # None once closed
    t.close()
    return data.partition(b"\r\n")[0].decode(errors="replace"), notify, sess


first = open_tls()
print("first_resumed", int(first.session_reused))
head, notify, sess = finish(first)
print("first_answer", head[:2], int(notify))
print("ticket", int(sess is not None and sess.has_ticket))

# N connections open at once, all offering the one session: each
# handshake is done before any request is sent.
conns = [open_tls(sess) for _ in range(N)]
print("together_resumed", sum(t.session_reused for t in conns), N)
cert = conns[0].getpeercert(True)
answers = [finish(t) for t in conns]
print("together_answered",
      sum(h.startswith("20") and n for h, n, _ in answers), N)

# A resumed connection's own ticket resumes too.
_, _, fresh = finish(open_tls(sess))
again = open_tls(fresh)
print("next_ticket_resumed", int(again.session_reused))
finish(again)

# The second host: its SNI moves the connection to that host's SSL_CTX
# in the middle of the handshake.
t = open_tls(None, "other.example")
print("other_cert", int(t.getpeercert(True) not in (None, cert)))
_, _, osess = finish(t, "other.example")
other = [open_tls(osess, "other.example") for _ in range(2)]
print("other_host_resumed", sum(t.session_reused for t in other), 2)
answers = [finish(t, "other.example") for t in other]
print("other_host_answered",
      sum(h.startswith("20") and n for h, n, _ in answers), 2)
EOF

out=$(timeout 120 python3 "$E2E_DIR/sessions.py" "$PORT" 2>&1)
field() { printf '%s\n' "$out" | sed -n "s/^$1 //p" | head -n 1; }
SUMMARY=$(printf '%s' "$out" | tr '\n' ';' | head -c 400)
assert_eq "$(field first_resumed)" 0 "first connection: a full handshake"
assert_eq "$(field first_answer)" "20 1" "first connection: 20 and close_notify"
assert_eq "$(field ticket)" 1 "first connection: a session ticket came"
assert_eq "$(field together_resumed)" "8 8" \
    "8 connections open at once on one session: all resumed"
assert_eq "$(field together_answered)" "8 8" \
    "8 connections on one session: all answered 20 with close_notify"
assert_eq "$(field next_ticket_resumed)" 1 \
    "a resumed connection's new ticket resumes"
assert_eq "$(field other_cert)" 1 "second host: its own certificate"
assert_eq "$(field other_host_resumed)" "2 2" \
    "second host: 2 connections at once on its session, both resumed"
assert_eq "$(field other_host_answered)" "2 2" \
    "second host: answered 20 with close_notify"

# gemload -r: every connection after the first -c offers an unspent
# ticket and is resumed (the first -c have none to offer).
GEMLOAD=$(e2e_gemload)
if [ -z "$GEMLOAD" ]; then
	e2e_skip "gemload could not be built ($(head -c 200 "$E2E_DIR/gemload.cc" 2>/dev/null))"
else
	for c in 1 8; do
		out=$(timeout 120 "$GEMLOAD" -r -c $c -n 300 --json \
		    --url "$(e2e_url /)" 127.0.0.1 "$PORT" 2>&1 | tail -n 1)
		SUMMARY=$(printf '%s' "$out" | head -c 300)
		ok=$(printf '%s\n' "$out" | sed -n 's/.*"ok":\([0-9]*\).*/\1/p')
		res=$(printf '%s\n' "$out" | sed -n 's/.*"resumed":\([0-9]*\).*/\1/p')
		e2e_measured "$ok" '[0-9]*' "gemload -r -c $c: ok count" || continue
		e2e_measured "$res" '[0-9]*' "gemload -r -c $c: resumed count" ||
		    continue
		assert_eq "$ok" 300 "gemload -r -c $c: 300 requests answered"
		assert_eq "$res" $((300 - c)) \
		    "gemload -r -c $c: all but the first $c resumed"
	done
fi

e2e_stop_server
e2e_done
