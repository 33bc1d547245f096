#!/bin/sh
# Fails on an include cycle between modules in src/ and include/.
# A module is a name: src/NAME.c and include/NAME.h.  Module A uses B when
# A's .c or .h includes "B.h"; a cycle is a set of modules that all
# reach one another that way (a strongly connected component of two or
# more).  Prints each cycle; exits 1 on one not listed below.
#   sh tests/include-cycles.sh [ROOT]
#
# Known cycles, tolerated only when all their modules are in KNOWN
# (space-separated, with the issue that removes them): none.
KNOWN=""

ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$ROOT" || exit 1

for f in src/*.c include/*.h; do
	[ -f "$f" ] || continue
	m=${f##*/}
	m=${m%.*}
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z0-9_]*\)\.h".*/\1/p' "$f" |
	    while read -r dep; do
		[ "$dep" != "$m" ] && [ -f "include/$dep.h" ] && echo "$m $dep"
	    done
done | sort -u | awk -v known="$KNOWN" '
{
	e[$1, $2] = 1
	node[$1] = 1
	node[$2] = 1
}
END {
	n = 0
	for (v in node)
		name[n++] = v
	# Reachability (Floyd-Warshall): a few dozen modules.
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			r[i, j] = (name[i], name[j]) in e
	for (k = 0; k < n; k++)
		for (i = 0; i < n; i++)
			if (r[i, k])
				for (j = 0; j < n; j++)
					if (r[k, j])
						r[i, j] = 1
	nk = split(known, kn, " ")
	for (q = 1; q <= nk; q++)
		isknown[kn[q]] = 1
	bad = 0
	for (i = 0; i < n; i++) {
		if (done[i])
			continue
		scc = ""
		cnt = 0
		for (j = 0; j < n; j++)
			if (j == i || (r[i, j] && r[j, i])) {
				done[j] = 1
				list[cnt++] = name[j]
			}
		if (cnt < 2)
			continue
		# Sorted, space-separated.
		for (a = 0; a < cnt; a++)
			for (b = a + 1; b < cnt; b++)
				if (list[b] < list[a]) {
					t = list[a]; list[a] = list[b]; list[b] = t
				}
		for (a = 0; a < cnt; a++)
			scc = scc (a ? " " : "") list[a]
		is_known = 1
		for (a = 0; a < cnt; a++)
			if (!(list[a] in isknown))
				is_known = 0
		if (is_known)
			printf "known cycle (see the list in tests/include-cycles.sh): %s\n", scc
		else {
			printf "FAIL include cycle: %s\n", scc
			bad = 1
		}
	}
	if (!bad)
		print "ok no include cycle beyond the known ones"
	exit bad
}'
