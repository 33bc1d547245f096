#!/bin/sh
# Installs the Debian packages named as arguments that are missing.
# As root it runs apt-get; otherwise it prints the command and fails.
# One dpkg-query for all of them (one per package cost seconds).
installed=" $(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null |
    awk '$NF == "installed" { printf "%s ", $1 }')"
missing=
for p in "$@"; do
	case $installed in *" $p "*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "capsuled needs these Debian packages; run as root:" >&2
	echo "  apt-get install$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || exit 1
apt-get install -y -qq --no-install-recommends $missing || exit 1
