#!/bin/sh
# Static files: MIME types, folder indexes and listings, what must never
# be served (dotfiles, symlinks leaving the root), a large file streamed
# intact, and a client resetting in the middle of one.
. "$(dirname "$0")/lib.sh"

e2e_setup
BIG=$E2E_DIR/capsule/big.bin
head -c 52428800 /dev/urandom >"$BIG"
big_sha=$(sha256sum "$BIG" | cut -d' ' -f1)
png_sha=$(sha256sum "$E2E_DIR/capsule/image.png" | cut -d' ' -f1)
page_sha=$(sha256sum "$E2E_DIR/capsule/page.gmi" | cut -d' ' -f1)

e2e_start_server_port || e2e_done

# MIME types.
expect "$(e2e_url /page.gmi)" 20 "gemtext page"
assert_meta 'text/gemini; charset=utf-8*|text/gemini;charset=utf-8*' "page.gmi: text/gemini; charset=utf-8"
assert_eq "$SHA256" "$page_sha" "page.gmi served byte for byte"
expect "$(e2e_url /image.png)" 20 "png"
assert_meta 'image/png' "image.png: image/png"
assert_eq "$SHA256" "$png_sha" "image.png served byte for byte"
expect "$(e2e_url /notes.txt)" 20 "text file"
assert_meta 'text/plain*' "notes.txt: text/plain"
assert_body_contains "plain notes"

# A folder with an index.gmi serves it.
expect "$(e2e_url /sub/)" 20 "folder with index.gmi"
assert_meta 'text/gemini*'
assert_body_contains "$MARK_SUB" "sub/ serves sub/index.gmi"

# A folder without one lists its entries, dotfiles excepted.
expect "$(e2e_url /list/)" 20 "folder listing"
assert_meta 'text/gemini*'
for entry in alpha.gmi beta.txt inner; do
	if grep -q "^=>[ 	]*[^ 	]*$entry" "$BODYFILE"; then
		e2e_ok "listing links to $entry"
	else
		e2e_fail "listing links to $entry: $(tr '\n' '|' <"$BODYFILE" | head -c 300)"
	fi
done
assert_body_lacks ".hidden" "listing hides dotfiles"
# The links of the listing must resolve.
link=$(sed -n 's/^=>[ 	]*\([^ 	]*alpha\.gmi\).*/\1/p' "$BODYFILE" | head -n 1)
case $link in
gemini://*) target=$link ;;
/*) target=$(e2e_url "$link") ;;
*) target=$(e2e_url "/list/$link") ;;
esac
expect "$target" 20 "listing link $link resolves"

# Never served: dotfiles, symlinks leaving the root, missing files.
expect "$(e2e_url /.secret)" 51 "dotfile"
assert_body_lacks "$MARK_SECRET" "dotfile content not sent"
expect "$(e2e_url /list/.hidden)" 51 "dotfile in a folder"
expect "$(e2e_url /%2Esecret)" 51 "percent-encoded dotfile"
expect "$(e2e_url /escape.gmi)" 51 "symlink pointing outside the root"
assert_body_lacks "$MARK_OUTSIDE" "symlink target not sent"
expect "$(e2e_url /updir/outside.gmi)" 51 "symlinked folder outside the root"
expect "$(e2e_url /no-such-file.gmi)" 51 "missing file"

# 50 MB streamed intact.
e2e_req "$(e2e_url /big.bin)" --header-only --timeout 120
assert_status 20 "50 MB file: status 20"
assert_eq "$BYTES" 52428800 "50 MB file: every byte"
assert_eq "$SHA256" "$big_sha" "50 MB file: sha256 matches"
assert_close_notify "50 MB file: close_notify"

# Clients resetting after 1 MB do not hurt the server.
for i in 1 2 3; do
	e2e_req "$(e2e_url /big.bin)" --header-only --reset-after 1048576
	assert_eq "$STATUS/$END" 20/reset_sent "reset after 1 MB ($i)"
	expect "$(e2e_url /page.gmi)" 20 "request after a reset ($i)"
done
# Two big downloads at once, one reset mid-way: the other completes.
"$GEMCLIENT" -q --sni localhost --timeout 120 --report "$E2E_DIR/bg.summary" \
    127.0.0.1 "$PORT" "$(e2e_url /big.bin)" &
bg=$!
e2e_req "$(e2e_url /big.bin)" --header-only --reset-after 1048576
wait "$bg"
SUMMARY=$(cat "$E2E_DIR/bg.summary")
assert_eq "$(e2e_field sha256)/$(e2e_field close_notify)" "$big_sha/yes" "concurrent 50 MB download intact beside a reset"
assert_alive

e2e_done
