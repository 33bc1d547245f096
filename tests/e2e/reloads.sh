#!/bin/sh
# A burst of reloads while old workers are slow to drain: with
# workers = 103, four rounds of (stop the workers, SIGHUP) leave 412 old
# workers waiting beside the new ones. (A stopped worker stands for one
# that holds slow connections: it drains only once it runs again, with no
# clock involved.) Once they go, the master must be back to exactly 103
# workers, all serving: slots freed by old workers are filled again.
# 515 processes outgrow the old fixed table of 512 children (103, not
# 128: each process costs a fork, a start and an exit).
. "$(dirname "$0")/lib.sh"

e2e_setup
NW=103
case ${BUILD:-build} in
*asan*)
	# A sanitized worker costs ten times the CPU to start and to end
	# (shadow memory, the leak check): 32 workers x 5 generations, 160
	# processes, still take the children table (64 entries at first,
	# doubled as needed) through two doublings, and the sanitizers
	# watch every path the plain pass takes with 515.
	NW=32
	e2e_note "ASan build: $NW workers instead of 103"
	;;
esac
e2e_start serve --root "$E2E_DIR/capsule" --certs "$E2E_DIR/certs" \
    --host localhost --listen 127.0.0.1:0 --workers $NW || e2e_done

# nchildren: the master's worker processes right now.
nchildren() {
	e2e_children "$SERVER_PID" | wc -w | tr -d ' '
}

# Wait (bounded) for the NW workers of the start.
i=0
while [ "$(nchildren)" -lt $NW ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
assert_eq "$(nchildren)" $NW "start: $NW workers"

round=1
while [ $round -le 4 ]; do
	for w in $(e2e_children "$SERVER_PID"); do
		kill -STOP "$w"
	done
	kill -HUP "$SERVER_PID"
	i=0
	while [ "$(grep -c 'reloaded' "$SERVER_LOG")" -lt $round ] &&
	    [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	round=$((round + 1))
done
assert_eq "$(grep -c 'reloaded' "$SERVER_LOG")" 4 "four reloads done"
peak=$(nchildren)
assert_eq "$peak" $((NW * 5)) "every slot got a new worker at each reload ($peak processes)"
# The old workers run again: they drain and exit.
for w in $(e2e_children "$SERVER_PID"); do
	kill -CONT "$w"
done
i=0
while [ "$(nchildren)" -ne $NW ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
assert_eq "$(nchildren)" $NW "after the burst: exactly $NW workers again"
served=0
i=0
while [ $i -lt 12 ]; do
	e2e_req "$(e2e_url /page.gmi)" --timeout 60
	[ "$STATUS" = 20 ] && served=$((served + 1))
	i=$((i + 1))
done
assert_eq "$served" 12 "after the burst: 12 of 12 requests served"
assert_alive
e2e_stop_server
e2e_done
