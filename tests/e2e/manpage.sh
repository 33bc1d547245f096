#!/bin/sh
# The documentation cannot drift from the program:
#  - capsuled.1 passes `mandoc -Tlint -W warning` with no output;
#  - every --option that `capsuled --help` prints is documented in
#    capsuled.1 (as `Fl \-option`), and every long option the man page
#    documents is in --help (a short list of convert-only flags aside);
#  - every key and [[table]] in capsuled.toml.example is documented in
#    capsuled.1 (as `Ic key`), and every key the man page's CONFIGURATION
#    FILE section lists is in the example;
#  - the example, with its top-level keys uncommented, and with each of
#    its [[tables]] uncommented, is a configuration capsuled accepts
#    (`capsuled serve --config FILE --help` reads and checks FILE);
#  - the option table itself (dumped by $TESTBIN/optdump): each serve
#    flag has its OPTIONS item naming its key, default and enum values;
#    each key its CONFIGURATION FILE item and its example line, at the
#    table's default; and no flag or key is documented that the table
#    lacks.
#
# Environment: CAPSULED, the server binary; TESTBIN, the test tools.  The repository root is two
# folders above this script.

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${CAPSULED:=$ROOT/build/capsuled}"
. "$ROOT/tests/e2e/lib.sh"

MAN=$ROOT/capsuled.1
EXAMPLE=$ROOT/capsuled.toml.example
# Long options the man page documents that --help need not print:
# they belong to commands other than serve.
MAN_ONLY_OPTIONS="body-only list"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/capsuled-manpage.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for f in "$MAN" "$EXAMPLE"; do
	if [ -f "$f" ]; then
		e2e_ok "${f##*/} exists"
	else
		e2e_fail "${f##*/} exists: missing"
	fi
done
if [ ! -x "$CAPSULED" ]; then
	e2e_fail "no server binary at $CAPSULED"
	e2e_done
fi

# --- lint ---------------------------------------------------------------

if ! command -v mandoc >/dev/null 2>&1; then
	e2e_fail "mandoc is not installed (Debian package mandoc)"
else
	mandoc -Tlint -W warning "$MAN" >"$TMP/lint" 2>&1
	if [ -s "$TMP/lint" ]; then
		e2e_fail "mandoc -Tlint -W warning capsuled.1 is clean"
		sed 's/^/     /' "$TMP/lint"
	else
		e2e_ok "mandoc -Tlint -W warning capsuled.1 is clean"
	fi
	if mandoc -Thtml "$MAN" >"$TMP/rendered" 2>&1 &&
	    grep -q 'id="EXIT_STATUS"' "$TMP/rendered"; then
		e2e_ok "capsuled.1 renders"
	else
		e2e_fail "capsuled.1 renders"
	fi
fi

# The sections a reader looks for.
for sec in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "CONFIGURATION FILE" \
    "URL SCHEME" LOGGING SIGNALS FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	if grep -qx "\\.Sh $sec" "$MAN"; then
		e2e_ok "section $sec"
	else
		e2e_fail "section $sec: no '.Sh $sec' in capsuled.1"
	fi
done
for cmd in serve convert check cert; do
	if grep -Eq "^\\.It .*Cm $cmd( |\$)" "$MAN"; then
		e2e_ok "command $cmd documented"
	else
		e2e_fail "command $cmd documented: no '.It ... Cm $cmd' in capsuled.1"
	fi
done
for sig in SIGHUP SIGTERM SIGINT SIGUSR1; do
	if sed -n '/^\.Sh SIGNALS/,/^\.Sh /p' "$MAN" | grep -Eq "^\\.It .*Dv $sig"; then
		e2e_ok "signal $sig documented"
	else
		e2e_fail "signal $sig documented in SIGNALS"
	fi
done

# --- --help against the man page --------------------------------------

"$CAPSULED" --help >"$TMP/help" 2>&1
rc=$?
assert_eq "$rc" 0 "capsuled --help exits 0"
grep -o -- '--[a-z][a-z0-9-]*' "$TMP/help" | sed 's/^--//' | sort -u \
    >"$TMP/help-opts"
# "Fl \-name" or "Fl -name", anywhere on a line.
grep -oE '(^|[ .])Fl \\?-[a-z][a-z0-9-]*' "$MAN" |
    sed -E 's/^.*Fl \\?-//' | sort -u >"$TMP/man-opts"

n=$(wc -l <"$TMP/help-opts")
if [ "$n" -ge 10 ]; then
	e2e_ok "--help lists $n long options"
else
	e2e_fail "--help lists long options: only $n found"
fi

while read -r o; do
	if grep -Eq "(^|[ .])Fl \\\\?-$o( |\$)" "$MAN"; then
		e2e_ok "--$o (from --help) is in capsuled.1"
	else
		e2e_fail "--$o (from --help) is in capsuled.1: no 'Fl \\-$o'"
	fi
done <"$TMP/help-opts"

while read -r o; do
	case " $MAN_ONLY_OPTIONS " in
	*" $o "*) continue ;;
	esac
	if grep -qx -- "$o" "$TMP/help-opts"; then
		e2e_ok "--$o (from capsuled.1) is in --help"
	else
		e2e_fail "--$o (from capsuled.1) is in --help: not printed"
	fi
done <"$TMP/man-opts"

# Every serve option in OPTIONS names its default.
sed -n '/^\.Sh OPTIONS/,/^\.Sh /p' "$MAN" |
    awk '/^\.It Fl /{ if (opt != "" && !d) print opt; opt = $3; d = 0; next }
	/Default/{ d = 1 }
	END { if (opt != "" && !d) print opt }' |
    grep -vE '^\\?-(help|version)$' >"$TMP/nodefault"
if [ -s "$TMP/nodefault" ]; then
	e2e_fail "every option in OPTIONS names its default: not $(tr '\n' ' ' <"$TMP/nodefault")"
else
	e2e_ok "every option in OPTIONS names its default"
fi

# --- capsuled.toml.example against the man page --------------------------

# Keys are lines "key = value" or "#key = value"; tables "#[[name]]".
sed -n 's/^#\{0,1\}\([a-z_][a-z0-9_]*\) = .*/\1/p' "$EXAMPLE" | sort -u \
    >"$TMP/example-keys"
sed -n 's/^#\{0,1\}\[\[\([a-z_][a-z0-9_]*\)\]\].*/\1/p' "$EXAMPLE" | sort -u \
    >"$TMP/example-tables"

n=$(wc -l <"$TMP/example-keys")
if [ "$n" -ge 20 ]; then
	e2e_ok "capsuled.toml.example has $n keys"
else
	e2e_fail "capsuled.toml.example has keys: only $n found"
fi

while read -r k; do
	if grep -Eq "(^|[ .])Ic $k( |\$)" "$MAN"; then
		e2e_ok "key $k (from the example) is in capsuled.1"
	else
		e2e_fail "key $k (from the example) is in capsuled.1: no 'Ic $k'"
	fi
done <"$TMP/example-keys"

while read -r t; do
	if grep -Fq "Ic [[$t]]" "$MAN"; then
		e2e_ok "table [[$t]] (from the example) is in capsuled.1"
	else
		e2e_fail "table [[$t]] (from the example) is in capsuled.1"
	fi
done <"$TMP/example-tables"

# The keys the CONFIGURATION FILE section lists (".It Ic key No = ...",
# and ", Ic key No =" on a shared line) are all in the example.
sed -n '/^\.Sh CONFIGURATION FILE/,/^\.Sh /p' "$MAN" | grep '^\.It Ic ' |
    grep -oE 'Ic [a-z_][a-z0-9_]* No =' | sed 's/^Ic //; s/ No =$//' |
    sort -u >"$TMP/man-keys"
while read -r k; do
	if grep -qx -- "$k" "$TMP/example-keys"; then
		e2e_ok "key $k (from capsuled.1) is in the example"
	else
		e2e_fail "key $k (from capsuled.1) is in the example: no '#$k = '"
	fi
done <"$TMP/man-keys"

# --- the option table against the man page and the example ---------------

: "${TESTBIN:=$ROOT/build/tests}"
OPTDUMP=$TESTBIN/optdump
if ! "$OPTDUMP" >"$TMP/table" 2>"$TMP/table.err" || [ ! -s "$TMP/table" ]; then
	e2e_fail "optdump prints the option table: $(head -c 200 "$TMP/table.err")"
	e2e_done
fi
sed -n '/^\.Sh OPTIONS/,/^\.Sh /p' "$MAN" >"$TMP/man-options"
sed -n '/^\.Ss Top-level keys/,/^\.S[sh] /p' "$MAN" >"$TMP/man-toplevel"
sed -n '/^\.It .*Cm convert/,/^\.It .*Cm check/p' "$MAN" >"$TMP/man-convert"

# flag_item FLAG: the OPTIONS item of --FLAG, up to the next flag's.
flag_item() {
	awk -v f="$1" '
	    $1 == ".It" && $2 == "Fl" { on = ($3 == "\\-" f || $3 == "-" f) }
	    on { print }' "$TMP/man-options" | sed 's/\\(dq/"/g'
}
# key_item KEY: the Top-level keys item of KEY.
key_item() {
	awk -v k="$1" '
	    $1 == ".It" { on = ($2 == "Ic" && $3 == k) }
	    on { print }' "$TMP/man-toplevel" | sed 's/\\(dq/"/g'
}

# Example line "#key = value", value without quotes and brackets.
example_value() {
	sed -n "s/^#\{0,1\}$1 = //p" "$EXAMPLE" | head -n 1 | tr -d '"[] '
}

tab=$(printf '\t')
while IFS="$tab" read -r flag key alias type cmds arg def values help; do
	case ",$cmds," in *,serve,*) serve=1 ;; *) serve=0 ;; esac
	if [ "$flag" != - ] && [ "$serve" = 1 ]; then
		flag_item "$flag" >"$TMP/item"
		if [ ! -s "$TMP/item" ]; then
			e2e_fail "--$flag: an '.It Fl \\-$flag' item in OPTIONS"
		else
			e2e_ok "--$flag: an item in OPTIONS"
			if [ "$key" != - ] && ! grep -q "Ic $key\( \|\$\)" "$TMP/item"; then
				e2e_fail "--$flag: its item names its key '$key'"
			fi
			if [ "$def" != - ] && ! grep -Fqw -- "$def" "$TMP/item"; then
				e2e_fail "--$flag: its item names its default '$def'"
			fi
			if [ "$values" != - ]; then
				for v in $(echo "$values" | tr ',' ' '); do
					grep -Fq "Cm $v" "$TMP/item" ||
					    e2e_fail "--$flag: its item names the value '$v' (as Cm $v)"
				done
			fi
		fi
	elif [ "$flag" != - ]; then
		if grep -Eq "Fl \\\\?-$flag( |\$)" "$TMP/man-convert"; then
			e2e_ok "--$flag ($cmds): in the man page's $cmds item"
		else
			e2e_fail "--$flag ($cmds): in the man page's $cmds item"
		fi
	fi
	[ "$key" = - ] && continue
	if [ "$type" = special ] && [ "$flag" = - ] &&
	    grep -Fq "Ic [[$key]]" "$MAN"; then
		e2e_ok "key $key: documented as [[$key]] tables"
		continue
	fi
	key_item "$key" >"$TMP/kitem"
	if [ ! -s "$TMP/kitem" ]; then
		e2e_fail "key $key: an '.It Ic $key' item in Top-level keys"
		continue
	fi
	e2e_ok "key $key: an item in Top-level keys"
	if [ "$def" != - ] && ! grep -Fqw -- "$def" "$TMP/kitem"; then
		e2e_fail "key $key: its item names its default '$def'"
	fi
	if ! grep -q "^#\{0,1\}$key = " "$EXAMPLE"; then
		e2e_fail "key $key: a '#$key = ' line in capsuled.toml.example"
	elif [ "$def" != - ] && [ "$(example_value "$key")" != "$def" ]; then
		e2e_fail "key $key: the example shows the default '$def', not '$(example_value "$key")'"
	else
		e2e_ok "key $key: in capsuled.toml.example"
	fi
done <"$TMP/table"

# Nothing documented that the table lacks.
cut -f1 "$TMP/table" >"$TMP/table-flags"
cut -f2,3 "$TMP/table" | tr '\t' '\n' >"$TMP/table-keys"
awk '$1 == ".It" && $2 == "Fl" { sub(/^\\?-/, "", $3); print $3 }' \
    "$TMP/man-options" | sort -u >"$TMP/man-flags"
before=$E2E_FAIL
while read -r f; do
	grep -qx -- "$f" "$TMP/table-flags" ||
	    e2e_fail "--$f (an OPTIONS item in capsuled.1) is in the option table"
done <"$TMP/man-flags"
awk '$1 == ".It" && $2 == "Ic" { print $3 }' "$TMP/man-toplevel" |
    sort -u >"$TMP/man-topkeys"
while read -r k; do
	grep -qx -- "$k" "$TMP/table-keys" ||
	    e2e_fail "key $k (a Top-level keys item in capsuled.1) is in the option table"
done <"$TMP/man-topkeys"
awk '/^#?\[\[/ { exit } { print }' "$EXAMPLE" |
    sed -n 's/^#\{0,1\}\([a-z_][a-z0-9_]*\) = .*/\1/p' | sort -u \
    >"$TMP/example-topkeys"
while read -r k; do
	grep -qx -- "$k" "$TMP/table-keys" ||
	    e2e_fail "key $k (top level of capsuled.toml.example) is in the option table"
done <"$TMP/example-topkeys"
[ "$E2E_FAIL" -eq "$before" ] &&
    e2e_ok "capsuled.1 and the example document no option the table lacks"

# The README's configuration table: every serve flag and key, no other.
README=$ROOT/README.md
if [ -f "$README" ]; then
	before=$E2E_FAIL
	while IFS="$tab" read -r flag key alias type cmds rest; do
		case " $flag " in " config " | " help " | " version ") continue ;; esac
		case ",$cmds," in *,serve,*) ;; *) continue ;; esac
		if [ "$flag" != - ] && ! grep -Fq "\`--$flag" "$README"; then
			e2e_fail "--$flag: in README.md's configuration table"
		fi
		if [ "$key" != - ] && ! grep -Eq "\`(\\[\\[)?$key( |\`|\\])" "$README"; then
			e2e_fail "key $key: in README.md's configuration table"
		fi
	done <"$TMP/table"
	grep -o '^| `--[a-z][a-z0-9-]*' "$README" | sed 's/^| `--//' |
	    sort -u >"$TMP/readme-flags"
	while read -r f; do
		grep -qx -- "$f" "$TMP/table-flags" ||
		    e2e_fail "--$f (README.md's configuration table) is in the option table"
	done <"$TMP/readme-flags"
	[ "$E2E_FAIL" -eq "$before" ] &&
	    e2e_ok "README.md's configuration table matches the option table"
fi

# --- the example is a configuration capsuled accepts ----------------------

# check_config NAME FILE: `serve --config FILE --help` reads FILE, checks
# every key and exits 0, or prints file:line errors and exits 2.
check_config() {
	"$CAPSULED" serve --config "$2" --help >/dev/null 2>"$TMP/config-err"
	_rc=$?
	if [ "$_rc" -eq 0 ] && [ ! -s "$TMP/config-err" ]; then
		e2e_ok "capsuled accepts $1"
	else
		e2e_fail "capsuled accepts $1: exit $_rc"
		sed 's/^/     /' "$TMP/config-err"
	fi
}

check_config "capsuled.toml.example as installed" "$EXAMPLE"

# Top level: everything before the first table, uncommented.
awk '/^#?\[\[/ { exit } { print }' "$EXAMPLE" |
    sed 's/^#\([a-z_][a-z0-9_]* = \)/\1/' >"$TMP/top.toml"
check_config "the example's top-level keys uncommented" "$TMP/top.toml"

# Each table on its own, uncommented.
while read -r t; do
	awk -v t="$t" '
	    $0 == "#[[" t "]]" { on = 1; print "[[" t "]]"; next }
	    on && /^#[a-z_][a-z0-9_]* = / { print substr($0, 2); next }
	    on { on = 0 }' "$EXAMPLE" >"$TMP/table-$t.toml"
	check_config "the example's [[$t]] uncommented" "$TMP/table-$t.toml"
done <"$TMP/example-tables"

e2e_done
