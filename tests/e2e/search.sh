#!/bin/sh
# /search through the real server (issue 14): the 10 prompt and its
# answer, results best first with the matching sentence, CJK text without
# spaces, accent folding, "phrases", -exclusion, tag:, rating:, year:,
# lang:, '+' as a plus, pagination that round-trips, hostile queries,
# search = false, a post edited then found by its new words (polled,
# bounded), drafts and protected posts never shown to a client that may
# not read them, searches counted by the rate limit, and the round trip
# in Amfora (prompt, results, next page) when it is installed.

. "$(dirname "$0")/lib.sh"

e2e_setup
C=$E2E_DIR/capsule
P=$C/posts
K=$E2E_DIR/keys
mkdir -p "$P" "$K"

post() {	# post FILE TITLE DATE TAGS RATING LANG BODY [extra front matter]
	{
		printf -- '---\ntitle: "%s"\ndate: %s\ntags: [%s]\n' "$2" "$3" "$4"
		[ -n "$5" ] && printf 'rating: %s\n' "$5"
		[ -n "$6" ] && printf 'lang: %s\n' "$6"
		[ -n "${8:-}" ] && printf '%s\n' "$8"
		printf -- '---\n\n%s\n' "$7"
	} >"$P/$1"
}

post film.md "Look Back, the film" 2024-06-28 '"anime", "look-back"' 5 en \
    "A quiet film about two artists. We look back at the manga by Fujimoto."
post diary.md "Rewatch diary" 2025-01-10 '"anime"' 4 en \
    "Second viewing. I kept thinking I should look back at the first half."
post manga.md "The one-shot" 2024-08-20 '"manga", "Tatsuki Fujimoto"' 4.5 en \
    "Fujimoto draws backs. Look at the pages, then back again."
post ja.md "日本語のメモ" 2024-09-01 '"manga"' "" ja \
    "藤本タツキの読み切り「ルックバック」を読んだ。京本と藤野の話だ。"
post game.md "Pokémon Red, again" 2023-03-03 '"games"' 3 en \
    "I caught every Pokémon on an old Game Boy. Then I learned C++ for fun."
post draft.md "Unfinished" 2025-02-02 '"anime"' 5 en \
    "This draft mentions the zeppelinword." "draft: true"
post private-notes.md "Private notes" 2025-02-03 '"anime"' 5 en \
    "Only for friends: the walrusword."
i=1
while [ $i -le 45 ]; do
	n=$(printf '%02d' $i)
	post "many-$n.md" "Filler $n" "2020-01-$(printf '%02d' $(( (i % 28) + 1 )))" \
	    '"filler"' "" en "Filler post $n mentions the capybaraword once."
	i=$((i + 1))
done

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$K/a.key" -out "$K/a.crt" -days 30 -subj /CN=a >/dev/null 2>&1
FA=$(openssl x509 -in "$K/a.crt" -noout -fingerprint -sha256 |
    sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
CFG=$E2E_DIR/capsuled.toml
cat >"$CFG" <<EOF
drafts_fingerprints = ["$FA"]

[[protect]]
path = "/posts/private-"
fingerprints = ["$FA"]
EOF
ALICE="--cert $K/a.crt --key $K/a.key"

e2e_start_server_port --config "$CFG" || e2e_done

# search Q: the results page for the raw (percent-encoded) query Q.
search() {
	e2e_req "$(e2e_url "/search?$1")" ${2:-}
}

# results: the link targets of the last body, in order, space-separated.
results() {
	sed -n 's|^=> /posts/\([^ /]*\)/ .*|\1|p' "$BODYFILE" | tr '\n' ' ' |
	    sed 's/ $//'
}

# --- the 10 round trip ----------------------------------------------------

expect "$(e2e_url /search)" 10 "/search asks for input"
assert_meta "Search the reviews" "the prompt"
expect "$(e2e_url /search/)" 10 "/search/ asks too"
expect "$(e2e_url '/search?')" 10 "an empty query asks again"
search 'look%20back'
assert_status 20 "the query comes back: 20"
assert_meta "text/gemini*" "results are text/gemini"
assert_close_notify
assert_body_contains "# Search: look back"
# A title hit first; then BM25 with a bonus for terms side by side: the
# diary's "look back" beats the shorter text's "Look at ... back".
assert_eq "$(results)" "film diary manga" "all words, title hits first"
assert_body_contains "=> /posts/film/ 2024-06-28 Look Back, the film" \
    "a result is a dated link line"
assert_body_contains "> We «look back» at the manga by Fujimoto." \
    "the matching sentence, hit marked"
assert_body_contains "=> /search New search"
# Every line is valid gemtext: no stray preformatting, links well formed.
assert_eq "$(grep -c '^```' "$BODYFILE")" 0 "no preformatted toggles"
assert_eq "$(grep '^=>' "$BODYFILE" | grep -vc '^=> [^ ]')" 0 "link lines have URLs"

# --- the query language ---------------------------------------------------

search '%22look%20back%22'
assert_eq "$(results)" "film diary" "a phrase"
search 'back%20look'
assert_eq "$(results)" "film diary manga" "any order"
search 'fujimoto%20-film'
assert_eq "$(results)" "manga" "-excluded"
search 'pokemon'
assert_eq "$(results)" "game" "pokemon finds Pokémon"
search 'POK%C3%89MON'
assert_eq "$(results)" "game" "POKÉMON, percent-encoded UTF-8"
search 'c%2B%2B'
assert_body_contains "# Search: c++" "%2B is a plus"
assert_eq "$(results)" "game" "c++ found"
search 'learned+c'
assert_body_contains "# Search: learned+c" "a raw + stays a plus"
search '%E8%97%A4%E6%9C%AC'
assert_eq "$(results)" "ja" "藤本 found without spaces"
search '%E3%83%AB%E3%83%83%E3%82%AF%E3%83%90%E3%83%83%E3%82%AF'
assert_eq "$(results)" "ja" "ルックバック found without spaces"
assert_body_contains "«ルックバック»" "the CJK hit marked"
search 'tag:anime'
assert_eq "$(results)" "diary film" "tag:anime, newest first"
search 'tag:%22tatsuki%20fujimoto%22'
assert_eq "$(results)" "manga" "tag with a space"
search 'rating:5'
assert_eq "$(results)" "film" "rating:5"
search 'rating:%3E=4'
assert_eq "$(results)" "diary manga film" "rating:>=4"
search 'rating:%3C4'
assert_eq "$(results)" "game" "rating:<4"
search 'year:2024%20-tag:manga'
assert_eq "$(results)" "film" "year: and -tag:"
search 'lang:ja'
assert_eq "$(results)" "ja" "lang:ja"
search 'nothingmatchesthis'
assert_body_contains "No review matches" "no results, said so"

# --- pagination -------------------------------------------------------------

search 'capybaraword'
assert_body_contains "45 results, page 1 of 3." "45 results in 3 pages"
assert_eq "$(results | wc -w)" 20 "20 on page 1"
next=$(sed -n 's/^=> \([^ ]*\) Next page.*/\1/p' "$BODYFILE")
assert_eq "$next" "/search/2?capybaraword" "the next-page link"
p1=$(results)
e2e_req "$(e2e_url "$next")"
assert_status 20 "page 2 answers"
assert_eq "$(results | wc -w)" 20 "20 on page 2"
assert_ne "$(results)" "$p1" "page 2 is not page 1"
e2e_req "$(e2e_url /search/3?capybaraword)"
assert_eq "$(results | wc -w)" 5 "5 on page 3"
assert_body_lacks "Next page" "no next page after the last"
assert_body_contains "=> /search/2?capybaraword Previous page"
e2e_req "$(e2e_url /search/9?capybaraword)"
assert_body_contains "there is no page 9"
expect "$(e2e_url /search/0?x)" 51 "page 0 is no page"
expect "$(e2e_url /search/abc?x)" 51 "a page must be a number"

# --- hostile queries --------------------------------------------------------

q=$(awk 'BEGIN { for (i = 0; i < 200; i++) printf "a%%20"; }')
search "$q"
assert_status 20 "200 terms: answered"
assert_body_contains "Too many words" "200 terms: a clear message"
q=$(awk 'BEGIN { for (i = 0; i < 200; i++) printf "a+"; }')
search "$q"
assert_status 20 "200 terms joined by +: answered"
assert_body_contains "at most 32 terms" "200 terms joined by +: a clear message"
q=$(awk 'BEGIN { for (i = 0; i < 300; i++) printf "ab+"; }')
search "$q"
assert_status 20 "a 900-byte query: answered"
assert_body_contains "too long" "a 900-byte query: a clear message"
q=$(awk 'BEGIN { for (i = 0; i < 500; i++) printf "a%%20"; }')
search "$q"
assert_status 59 "500 terms over the request limit: 59"
search '%22'
assert_body_contains "Nothing to search for" "a lone quote"
search '-film'
assert_body_contains "not only what to leave out" "only an exclusion"
search 'rating:five'
assert_body_contains "rating: takes a number" "a bad filter value"
search '%FF%FE'
assert_body_contains "not valid" "invalid UTF-8 in the query"
search '%0A%3D%3E%20gemini://evil/'
assert_eq "$(grep -c '^=> gemini://evil' "$BODYFILE")" 0 \
    "a newline in the query makes no link line"
assert_alive "the server survived the hostile queries"

# --- drafts and protected posts --------------------------------------------

search 'zeppelinword'
assert_eq "$(results)" "" "a draft is not found without the certificate"
search 'zeppelinword' "$ALICE"
assert_eq "$(results)" "draft" "the draft is found with a drafts certificate"
search 'walrusword'
assert_eq "$(results)" "" "a protected post is not listed without a certificate"
search 'walrusword' "$ALICE"
assert_eq "$(results)" "private-notes" "the protected post is listed for its reader"
search 'tag:anime'
assert_body_lacks "Unfinished" "tag: never lists a draft"
assert_body_lacks "Private notes" "tag: never lists a protected post"

# --- an edited post is found by its new words ------------------------------

search 'platypusword'
assert_eq "$(results)" "" "the new word is nowhere yet"
post diary.md "Rewatch diary" 2025-01-10 '"anime"' 4 en \
    "Third viewing, now about a platypusword."
i=0 found=
while [ $i -lt 100 ]; do
	search 'platypusword'
	if [ "$(results)" = diary ]; then
		found=1
		break
	fi
	sleep 0.1
	i=$((i + 1))
done
assert_eq "$found" 1 "the edited post is found by its new words"
search 'second%20viewing'
assert_eq "$(results)" "" "and no longer by its old ones"
rm "$P/film.md"
i=0 gone=
while [ $i -lt 100 ]; do
	search 'quiet%20artists'
	if [ "$(results)" = "" ]; then
		gone=1
		break
	fi
	sleep 0.1
	i=$((i + 1))
done
assert_eq "$gone" 1 "a deleted post is no longer found"

# --- a real client: Amfora --------------------------------------------------

# Amfora in a detached tmux session opens /search, gets the prompt, sends
# a query and follows "Next page" by its number.
if e2e_amfora_usable; then
	e2e_amfora amfora 110 60 "$(e2e_url /search)"
	SUMMARY=
	if e2e_screen_wait amfora "Search the reviews" 15; then
		e2e_ok "amfora shows the 10 prompt"
		e2e_tmux send-keys -t amfora -l capybaraword
		# An Enter that lands before the field has focus is lost:
		# press it again, a bounded number of times.
		i=0
		while [ $i -lt 4 ] && ! e2e_screen_wait amfora "45 results, page 1 of 3." 3; do
			e2e_tmux send-keys -t amfora C-m
			i=$((i + 1))
		done
		if e2e_screen_wait amfora "45 results, page 1 of 3." 1; then
			e2e_ok "amfora sends the query and shows the results"
		else
			e2e_fail "amfora shows the results: screen: $(e2e_screen_lines 8)"
		fi
		e2e_tmux send-keys -t amfora Space
		sleep 0.5
		e2e_tmux send-keys -t amfora -l 21
		e2e_tmux send-keys -t amfora C-m
		if e2e_screen_wait amfora "45 results, page 2 of 3." 15; then
			e2e_ok "amfora follows Next page"
		else
			e2e_fail "amfora follows Next page: screen: $(e2e_screen_lines 8)"
		fi
	else
		e2e_fail "amfora shows the 10 prompt: screen: $(e2e_screen_lines 8)"
	fi
	e2e_tmux kill-server 2>/dev/null
else
	e2e_skip "amfora or tmux not installed: no real-client round trip"
fi

# --- linked from the generated pages ---------------------------------------

for u in / /posts/ /tags/ /tags/anime/; do
	e2e_req "$(e2e_url "$u")"
	assert_body_contains "=> /search Search" "$u links to /search"
done
e2e_stop_server

# --- search = false ----------------------------------------------------------

printf 'search = false\n' >"$E2E_DIR/off.toml"
e2e_start_server --config "$E2E_DIR/off.toml" || e2e_done
expect "$(e2e_url /search)" 51 "search = false: /search is not found"
expect "$(e2e_url /search?x)" 51 "search = false: no results either"
e2e_req "$(e2e_url /)"
assert_body_lacks "/search" "search = false: no link on the index"
e2e_stop_server
e2e_start_server --no-search || e2e_done
expect "$(e2e_url /search?x)" 51 "--no-search turns it off too"
e2e_stop_server

# --- rate limiting counts searches -----------------------------------------

e2e_start_server --rate-limit 3/60 || e2e_done
for i in 1 2 3; do
	search 'capybaraword'
	assert_status 20 "search $i of 3 within the limit"
done
search 'capybaraword'
assert_status 44 "the 4th search in the window: 44 slow down"
e2e_stop_server

e2e_done
