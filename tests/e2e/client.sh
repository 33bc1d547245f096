#!/bin/sh
# A real third-party client: Amfora in a detached tmux session (private
# socket, fixed size, throw-away HOME) opens the capsule, shows the index,
# then follows link 1.  Then, with the seeds of ../shared/seeds served,
# it opens seed 001 (scraped text, no blank lines): the first screen must
# show the review's own title as its heading and its paragraphs as lines
# of their own, not one folded list item.  Skipped when amfora or tmux
# is missing.
. "$(dirname "$0")/lib.sh"

e2e_amfora_usable || e2e_skip_all "amfora or tmux not installed"

e2e_setup
e2e_start_server_port || e2e_done
e2e_amfora amfora 120 40 "$(e2e_url /)"

# Amfora trusts a new certificate on first use without asking; should a
# prompt appear all the same, accept it.
if e2e_screen_wait amfora "Test capsule home" 15; then
	e2e_ok "amfora shows the index title"
else
	if grep -qi "trust\|certificate" "$E2E_DIR/screen"; then
		e2e_tmux send-keys -t amfora Enter
	fi
	if e2e_screen_wait amfora "Test capsule home" 10; then
		e2e_ok "amfora shows the index title (after a prompt)"
	else
		e2e_fail "amfora shows the index title: screen: $(e2e_screen_lines)"
	fi
fi
if grep -qF "$MARK_INDEX" "$E2E_DIR/screen"; then
	e2e_ok "amfora shows the index text"
else
	e2e_fail "amfora shows the index text"
fi

# Follow link 1 (page.gmi).
e2e_tmux send-keys -t amfora 1
sleep 0.3
e2e_tmux send-keys -t amfora Enter
if e2e_screen_wait amfora "$MARK_PAGE" 15; then
	e2e_ok "amfora follows a link to page.gmi"
else
	e2e_fail "amfora follows a link to page.gmi: screen: $(e2e_screen_lines)"
fi
if grep -qF "$(e2e_url /page.gmi)" "$E2E_DIR/screen"; then
	e2e_ok "amfora's address bar shows page.gmi"
else
	e2e_fail "amfora's address bar shows page.gmi"
fi

e2e_tmux kill-server 2>/dev/null
assert_alive

# Seed 001 as a reader sees it.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SEED=$ROOT/../shared/seeds/001_fcbd288158d8f6b1.md
if [ -f "$SEED" ]; then
	S=$E2E_DIR/seeds
	mkdir -p "$S/posts"
	cp "$SEED" "$S/posts/"
	_p=$(e2e_free_port)
	e2e_start serve --root "$S" --certs "$E2E_DIR/certs" --host localhost \
	    --listen "127.0.0.1:$_p" --public-port "$_p" --workers 1 ||
	    e2e_done
	e2e_amfora seed 120 40 "gemini://localhost:$_p/posts/001_fcbd288158d8f6b1/"
	e2e_screen_wait seed Introduction 15
	# Without trailing blanks and Amfora's scroll bar.
	sed 's/[[:space:]]*$//; s/▒$//; s/[[:space:]]*$//' "$E2E_DIR/screen" \
	    >"$E2E_DIR/screen.txt"
	e2e_note "--- amfora, seed 001, first screen:"
	sed 's/^/     /' "$E2E_DIR/screen.txt"
	if grep -Eq '^ *# “Look Back” – The Anime Movie Every Fan Must Experience' "$E2E_DIR/screen.txt" &&
	    ! grep -Eq '^ *# 001' "$E2E_DIR/screen.txt"; then
		e2e_ok "amfora: seed 001 titled by its own title line"
	else
		e2e_fail "amfora: seed 001 heading: $(grep -m1 '#' "$E2E_DIR/screen.txt")"
	fi
	# Each paragraph starts a screen line of its own, at the margin.
	_k=0
	for _m in '🟩 Introduction' '“Sometimes silence' 'Some stories don’t' \
	    'At its core' '🟩 Recommendation'; do
		grep -Eq "^ *$_m" "$E2E_DIR/screen.txt" && _k=$((_k + 1))
	done
	if [ $_k -eq 5 ]; then
		e2e_ok "amfora: seed 001 shows its paragraphs as separate lines"
	else
		e2e_fail "amfora: seed 001: only $_k of 5 paragraphs start a line"
	fi
	if grep -Eq '^ *• Other Apps$' "$E2E_DIR/screen.txt"; then
		e2e_ok "amfora: the list item ends at 'Other Apps'"
	else
		e2e_fail "amfora: no list line '• Other Apps' on its own"
	fi
	e2e_tmux kill-server 2>/dev/null
	assert_alive
fi
e2e_done
