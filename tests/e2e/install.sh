#!/bin/sh
# `make install` and `make uninstall` into a temporary DESTDIR:
#  - install puts exactly four files in place, with sane modes:
#      PREFIX/bin/capsuled                              0755, runs
#      PREFIX/share/man/man1/capsuled.1                 0644, lints clean
#      PREFIX/share/doc/capsuled/capsuled.toml.example  0644, as shipped
#      PREFIX/lib/systemd/system/capsuled.service       0644
#    and the unit's ExecStart names PREFIX/bin/capsuled (checked with
#    PREFIX=/usr and with the default PREFIX, /usr/local);
#  - nothing lands outside DESTDIR;
#  - `systemd-analyze verify` accepts the unit as installed (when
#    systemd-analyze exists): make install with PREFIX a temporary folder
#    and no DESTDIR, the unit untouched;
#  - uninstall removes exactly those four files (others in the same
#    folders survive), and running it twice is not an error.
# Skips (exit 77) while the Makefile has no install target.
#
# Environment: CAPSULED is not used; the repository root is two folders
# above this script.

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/e2e/lib.sh"

if ! grep -Eq '^install:' "$ROOT/Makefile"; then
	e2e_skip_all "the Makefile has no install target yet"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/capsuled-install.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The make running `make check` passes its flags and jobserver down
# through the environment; this make is a separate run.
unset MAKEFLAGS MFLAGS MAKELEVEL
# tests/run.sh exports BUILD (build-asan under the sanitizers): install
# the plain build, never rebuild the tree under test with other flags.
unset BUILD SAN

# mk DESTDIR [PREFIX=...] TARGET: make -s in the repository root, its
# output in $TMP/make.out.  Returns make's status.
mk() {
	mk_d=$1
	shift
	make -s -C "$ROOT" DESTDIR="$mk_d" "$@" >"$TMP/make.out" 2>&1
	_rc=$?
	[ $_rc -eq 0 ] || sed 's/^/     make: /' "$TMP/make.out"
	return $_rc
}

# mode FILE: the permission bits, octal.
mode() {
	stat -c %a "$1" 2>/dev/null
}

# check_installed DESTDIR PREFIX: the four files, their modes and content.
check_installed() {
	ci_d=$1 ci_p=$2
	BIN=$ci_d$ci_p/bin/capsuled
	MANP=$ci_d$ci_p/share/man/man1/capsuled.1
	DOC=$ci_d$ci_p/share/doc/capsuled/capsuled.toml.example
	UNIT=$ci_d$ci_p/lib/systemd/system/capsuled.service

	for _f in "$BIN" "$MANP" "$DOC" "$UNIT"; do
		if [ -f "$_f" ] && [ ! -L "$_f" ]; then
			e2e_ok "installed ${_f#"$ci_d"}"
		else
			e2e_fail "installed ${_f#"$ci_d"}: missing"
		fi
	done
	assert_eq "$(mode "$BIN")" 755 "${BIN#"$ci_d"} mode"
	assert_eq "$(mode "$MANP")" 644 "${MANP#"$ci_d"} mode"
	assert_eq "$(mode "$DOC")" 644 "${DOC#"$ci_d"} mode"
	assert_eq "$(mode "$UNIT")" 644 "${UNIT#"$ci_d"} mode"

	_v=$("$BIN" --version 2>&1)
	assert_match "$_v" "capsuled *" "installed binary runs --version"

	# Exactly those four files, nothing else.
	_n=$(find "$ci_d" -type f -o -type l | wc -l)
	assert_eq "$_n" 4 "install writes exactly four files under DESTDIR"

	if cmp -s "$DOC" "$ROOT/capsuled.toml.example"; then
		e2e_ok "installed example is capsuled.toml.example"
	else
		e2e_fail "installed example is capsuled.toml.example: differs"
	fi

	if command -v mandoc >/dev/null 2>&1; then
		_lint=$(mandoc -Tlint -W warning "$MANP" 2>&1)
		assert_eq "$_lint" "" "installed man page lints clean"
	fi

	_exec=$(sed -n 's/^ExecStart=//p' "$UNIT")
	assert_eq "$_exec" "$ci_p/bin/capsuled serve --config /etc/capsuled/capsuled.toml" \
	    "unit ExecStart runs $ci_p/bin/capsuled"
	for _k in 'User=capsuled' 'ExecReload=/bin/kill -HUP $MAINPID' \
	    'AmbientCapabilities=CAP_NET_BIND_SERVICE' 'ProtectSystem=strict' \
	    'NoNewPrivileges=true' 'PrivateTmp=true'; do
		if grep -qxF "$_k" "$UNIT"; then
			e2e_ok "unit has $_k"
		else
			e2e_fail "unit has $_k"
		fi
	done
	if [ "$ci_p" != /usr/local ]; then
		if grep -q '/usr/local/bin/capsuled\|/usr/local/share/doc/capsuled' \
		    "$UNIT" "$MANP"; then
			e2e_fail "no /usr/local paths left in the unit and man page with PREFIX=$ci_p"
			grep -n '/usr/local/bin/capsuled\|/usr/local/share/doc/capsuled' \
			    "$UNIT" "$MANP" | sed 's/^/     /'
		else
			e2e_ok "no /usr/local paths left in the unit and man page with PREFIX=$ci_p"
		fi
	fi
}

# --- PREFIX=/usr --------------------------------------------------------

D=$TMP/root
mkdir -p "$D"
real_before=$(ls -d /usr/bin/capsuled /usr/share/man/man1/capsuled.1 \
    /usr/share/doc/capsuled/capsuled.toml.example \
    /usr/lib/systemd/system/capsuled.service 2>/dev/null)

if mk "$D" PREFIX=/usr install; then
	e2e_ok "make install DESTDIR=... PREFIX=/usr"
else
	e2e_fail "make install DESTDIR=... PREFIX=/usr"
	e2e_done
fi
check_installed "$D" /usr

real_after=$(ls -d /usr/bin/capsuled /usr/share/man/man1/capsuled.1 \
    /usr/share/doc/capsuled/capsuled.toml.example \
    /usr/lib/systemd/system/capsuled.service 2>/dev/null)
assert_eq "$real_after" "$real_before" "nothing installed outside DESTDIR"

# --- systemd-analyze verify -----------------------------------------------

if command -v systemd-analyze >/dev/null 2>&1; then
	# The unit exactly as installed: make install with PREFIX a temporary
	# folder and no DESTDIR, so ExecStart names a binary that exists.
	# man finds PREFIX/share/man from PREFIX/bin on PATH, as for any
	# prefix, for Documentation=man:capsuled(1); ExecReload needs
	# /bin/kill (procps).
	P=$TMP/prefix
	if mk "" PREFIX="$P" install; then
		PATH=$P/bin:$PATH SYSTEMD_LOG_COLOR=0 systemd-analyze verify \
		    "$P/lib/systemd/system/capsuled.service" >"$TMP/verify.out" 2>&1
		rc=$?
		assert_eq "$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$P/lib/systemd/system/capsuled.service")" \
		    "$P/bin/capsuled" "installed unit: ExecStart names the installed binary"
	else
		rc=install-failed
		: >"$TMP/verify.out"
	fi
	# Complaints about other units on this machine are not ours.
	ours=$(grep -i 'capsuled' "$TMP/verify.out")
	if [ "$rc" = 0 ] && [ -z "$ours" ]; then
		e2e_ok "systemd-analyze verify on the unit as installed"
	else
		e2e_fail "systemd-analyze verify on the unit as installed: exit $rc"
		sed 's/^/     /' "$TMP/verify.out"
	fi
	mk "" PREFIX="$P" uninstall
else
	e2e_skip "systemd-analyze verify (systemd-analyze not installed)"
fi

# --- uninstall ------------------------------------------------------------

# Files of other packages in the same folders must survive.
printf 'x\n' >"$D/usr/bin/other-tool"
printf 'x\n' >"$D/usr/share/man/man1/other-tool.1"
printf 'x\n' >"$D/usr/lib/systemd/system/other.service"

if mk "$D" PREFIX=/usr uninstall; then
	e2e_ok "make uninstall DESTDIR=... PREFIX=/usr"
else
	e2e_fail "make uninstall DESTDIR=... PREFIX=/usr"
fi
for f in "$BIN" "$MANP" "$DOC" "$UNIT"; do
	if [ -e "$f" ] || [ -L "$f" ]; then
		e2e_fail "uninstall removed ${f#"$D"}: still there"
	else
		e2e_ok "uninstall removed ${f#"$D"}"
	fi
done
for f in usr/bin/other-tool usr/share/man/man1/other-tool.1 \
    usr/lib/systemd/system/other.service; do
	if [ -f "$D/$f" ]; then
		e2e_ok "uninstall kept /$f"
	else
		e2e_fail "uninstall kept /$f: removed"
	fi
done
left=$(find "$D" -type f | sed "s|^$D||" | sort | tr '\n' ' ')
assert_eq "$left" "/usr/bin/other-tool /usr/lib/systemd/system/other.service /usr/share/man/man1/other-tool.1 " \
    "only other packages' files remain"
if mk "$D" PREFIX=/usr uninstall; then
	e2e_ok "make uninstall twice is not an error"
else
	e2e_fail "make uninstall twice is not an error"
fi

# --- the default PREFIX ---------------------------------------------------

D2=$TMP/root-default
mkdir -p "$D2"
if mk "$D2" install; then
	e2e_ok "make install DESTDIR=... (default PREFIX)"
	check_installed "$D2" /usr/local
	if mk "$D2" uninstall &&
	    [ -z "$(find "$D2" -type f)" ]; then
		e2e_ok "make uninstall DESTDIR=... (default PREFIX) removes them all"
	else
		e2e_fail "make uninstall DESTDIR=... (default PREFIX) removes them all"
	fi
else
	e2e_fail "make install DESTDIR=... (default PREFIX)"
fi

e2e_done
