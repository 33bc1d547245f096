#!/bin/sh
# Publication follows the clock, with no restart and no file touched: on
# a Hugo site, a page whose publishDate is a few seconds ahead answers 51
# and is listed nowhere until then, then answers 20 and is on the home
# page and its section; a page whose expiryDate is a few seconds ahead
# is served until then and gone after. A page dated ahead (Hugo's
# publishDate defaults to the date) and a draft stay unpublished; a
# build list "never" page is served but not listed. The instants are a
# few seconds after the files are written; the checks before them must
# end before that. An attempt whose checks did not (a slow or loaded
# machine) measured nothing: its results are dropped and the test runs
# again further ahead, up to 80 s, past which it fails. The waits after
# the instant are bounded polls that fail when the change never comes.
# shellcheck disable=SC2034 # SUMMARY is read by lib.sh
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	echo "no python3 (a test dependency)" >&2
	exit 1
fi
e2e_setup

S=$E2E_DIR/site
# attempt LEAD: writes the site with one UTC instant LEAD seconds ahead
# (one page is published then, one expires), starts the server and runs
# the checks that hold before the instant, keeping their results in
# BEFORE, one "ok MSG" or "FAIL MSG" a line. Returns 1 when the checks
# ended after the instant: nothing measured.
BEFORE=
before_status() {	# WANT MSG
	if [ "$STATUS" = "$1" ]; then
		BEFORE="${BEFORE}ok $2
"
	else
		BEFORE="${BEFORE}FAIL $2: got '$STATUS', want '$1'
"
	fi
}
before_body() {	# contains|lacks TEXT MSG
	if grep -qF -- "$2" "$BODYFILE"; then _has=contains; else _has=lacks; fi
	if [ "$_has" = "$1" ]; then
		BEFORE="${BEFORE}ok $3
"
	else
		BEFORE="${BEFORE}FAIL $3: the body $_has '$2'
"
	fi
}
attempt() {
	lead=$1
	BEFORE=
	rm -rf "$S"
	mkdir -p "$S/content/posts"
	soon_epoch=$(($(date +%s) + lead))
	soon=$(date -u -d "@$soon_epoch" +%Y-%m-%dT%H:%M:%SZ)
	cat >"$S/hugo.toml" <<'T'
baseURL = "https://clock.example.org/"
title = "Clock"
T
	cat >"$S/content/posts/now.md" <<'T'
---
title: "Already Out"
date: 2024-01-01
---
Published long ago.
T
	cat >"$S/content/posts/soon.md" <<T
---
title: "Coming Soon"
date: 2024-02-01
publishDate: $soon
---
Published in a few seconds.
T
	cat >"$S/content/posts/fading.md" <<T
---
title: "Fading Away"
date: 2024-03-01
expiryDate: $soon
---
Gone in a few seconds.
T
	cat >"$S/content/posts/later.md" <<'T'
---
title: "Far Ahead"
date: 2999-01-01
---
Dated in the future: unpublished.
T
	cat >"$S/content/posts/hidden.md" <<'T'
---
title: "Unlisted"
date: 2024-04-01
_build:
  list: never
---
Served, listed nowhere.
T
	e2e_start serve --root "$S" --certs "$E2E_DIR/certs" --host localhost \
	    --listen 127.0.0.1:0 --workers 1 || e2e_done
	e2e_req "$(e2e_url /posts/soon/)"
	before_status 51 "publishDate to come: 51"
	e2e_req "$(e2e_url /posts/fading/)"
	before_status 20 "expiryDate to come: served"
	e2e_req "$(e2e_url /)"
	before_body lacks "Coming Soon" "publishDate to come: not on the home page"
	before_body contains "Fading Away" "expiryDate to come: on the home page"
	before_body lacks "Far Ahead" "dated ahead: not on the home page"
	before_body lacks "Unlisted" "list never: not on the home page"
	e2e_req "$(e2e_url /posts/later/)"
	before_status 51 "dated ahead (Hugo's publishDate is the date): 51"
	e2e_req "$(e2e_url /posts/hidden/)"
	before_status 20 "list never: served"
	# The checks above hold only if they ran before the instant.
	[ "$(date +%s)" -lt "$soon_epoch" ]
}

# 5 s ahead; an attempt that measured nothing is dropped and the test
# starts again 4 times further ahead (20 s, 80 s); past 80 s it fails.
lead=5
until attempt $lead; do
	e2e_stop_server
	if [ $lead -ge 80 ]; then
		SUMMARY=
		e2e_fail "the checks before the instant took over $lead s: nothing measured"
		e2e_done
	fi
	e2e_note "the checks before the instant took over $lead s: again, $((lead * 4)) s ahead"
	lead=$((lead * 4))
done
while IFS= read -r line; do
	case $line in
	'ok '*) e2e_ok "${line#ok }" ;;
	'FAIL '*) SUMMARY= e2e_fail "${line#FAIL }" ;;
	esac
done <<EOF
$BEFORE
EOF

# until_status PATH STATUS: asks for PATH until it answers STATUS, at
# most 60 s after the instant, for the site to notice (the expiry counts
# from the second after expiryDate, as Hugo's "before now").
until_status() {
	while :; do
		e2e_req "$(e2e_url "$1")"
		[ "$STATUS" = "$2" ] && break
		[ "$(date +%s)" -gt $((soon_epoch + 60)) ] && break
		sleep 0.5
	done
}
until_status /posts/soon/ 20
assert_status 20 "publishDate passed: served, no restart"
until_status /posts/fading/ 51
assert_status 51 "expiryDate passed: 51, no restart"
e2e_req "$(e2e_url /)"
assert_body_contains "Coming Soon" "publishDate passed: on the home page"
assert_body_lacks "Fading Away" "expiryDate passed: off the home page"
e2e_req "$(e2e_url /posts/)"
assert_body_contains "Coming Soon" "publishDate passed: in its section"
e2e_req "$(e2e_url /posts/later/)"
assert_status 51 "dated ahead: still 51"
assert_alive
e2e_done
