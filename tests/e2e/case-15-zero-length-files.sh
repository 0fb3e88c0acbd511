#!/bin/sh
# Case 15: one policy for empty files in every output mode.  Without
# --empty they are never listed; with --empty all empty files (one per
# inode) form one group of size 0.  An empty file is never grouped with a
# non-empty one, however little it holds (a single NUL byte, a newline).
. "$ROO_SRCDIR/tests/e2e/lib.sh"

EMPTY_SHA=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

# sizes_ok DESC: in $T/out.json every file has its group's size, on disk
# too, and each group's hash is the SHA-256 of its files.
sizes_ok() {
	json_files "$T/out.json" "json_extract(g.value, '\$.size') || ' ' ||
	    json_extract(g.value, '\$.hash') || ' ' ||
	    json_extract(f.value, '\$.path')" > "$T/sizes"
	_bad=0
	while read -r _s _h _p; do
		[ "$(stat -c %s -- "$_p")" = "$_s" ] &&
		    [ "$(sha256sum < "$_p" | cut -d' ' -f1)" = "$_h" ] ||
		    _bad=$((_bad + 1))
	done < "$T/sizes"
	is "$1: each file has its group's size and hash" "$_bad" 0
}

# empty_group DESC N: $T/out.json has one size-0 group, of N files, whose
# hash is the SHA-256 of nothing (or no such group when N is 0).
empty_group() {
	is "$1: JSON size-0 groups and their files" "$(sqlite3 -batch \
	    :memory: "SELECT count(*) || ':' || coalesce(sum(json_array_length(
		g.value, '\$.files')), 0) || ':' ||
		coalesce(min(json_extract(g.value, '\$.hash')), '-')
	    FROM json_each(readfile('$T/out.json'), '\$.groups') AS g
	    WHERE json_extract(g.value, '\$.size') = 0")" \
	    "$(if [ "$2" -gt 0 ]; then echo "1:$2:$EMPTY_SHA"; else
		echo 0:0:-; fi)"
}

# --- the case as reported -------------------------------------------
D=$T/d
mkdir -p "$D"
run_case 15-zero-length-files.sh "$D" > "$T/invocations"
cd "$D" || exit 1
read -r roots < "$T/invocations"
is "case prints one root" "$roots" z

all_formats "find z: only {nul-1, nul-2}" "nul-1|nul-2" z
empty_group "find z" 0
sizes_ok "find z"
is "find z: exit status 0" "$(find_status z)" 0
check "find z: no empty file in any output" test "$(cat "$T/out.txt" \
    "$T/out.json" "$T/out.nul" | tr '\0' '\n' |
    grep -c -e empty- -e .keep -e __init__)" = 0

want_all="$(printf '%s\n' '.keep|__init__.py|empty-1|empty-2' 'nul-1|nul-2')"
all_formats "find --empty z: {4 empty files} {nul-1, nul-2}" "$want_all" \
    --empty z
empty_group "find --empty z" 4
sizes_ok "find --empty z"
is "find --empty z: exit status 0" "$(find_status --empty z)" 0
is "find --empty z: the NUL group has the hash of one NUL byte" \
    "$(sqlite3 -batch :memory: "SELECT json_extract(g.value, '\$.hash')
	FROM json_each(readfile('$T/out.json'), '\$.groups') AS g
	WHERE json_extract(g.value, '\$.size') = 1")" \
    "$(printf '\000' | sha256sum | cut -d' ' -f1)"
is "find --empty z: nothing reclaimable from empty files" \
    "$(sqlite3 -batch :memory: "SELECT json_extract(g.value, '\$.wasted')
	FROM json_each(readfile('$T/out.json'), '\$.groups') AS g
	WHERE json_extract(g.value, '\$.size') = 0")" 0

all_formats "find --empty --no-hidden z: .keep left out" \
    "$(printf '%s\n' '__init__.py|empty-1|empty-2' 'nul-1|nul-2')" \
    --empty --no-hidden z
all_formats "find --no-hidden --empty z (other order): same" \
    "$(printf '%s\n' '__init__.py|empty-1|empty-2' 'nul-1|nul-2')" \
    --no-hidden --empty z
all_formats "find --empty --max-size 0 z: the empty group only" \
    '.keep|__init__.py|empty-1|empty-2' --empty --max-size 0 z
all_formats "find --max-size 0 z: nothing" "" --max-size 0 z
all_formats "find --empty --min-size 1 z: no empty group" "nul-1|nul-2" \
    --empty --min-size 1 z
all_formats "find --empty z/sub z: same groups" "$want_all" --empty z/sub z

# The same state reused: the policy follows the options of each run.
all_formats "find z again after --empty: only {nul-1, nul-2}" \
    "nul-1|nul-2" z
empty_group "find z again after --empty" 0
all_formats "find --empty z again: {4 empty files} {nul-1, nul-2}" \
    "$want_all" --empty z

# --- the NUL trap, size by size ----------------------------------------
V=$T/trap
mkdir -p "$V/t/a" "$V/t/b"
cd "$V" || exit 1
: > t/a/e1
: > t/b/e2
printf '\000' > t/a/one-nul
printf '\000\000' > t/a/two-nul-1
printf '\000\000' > t/b/two-nul-2
printf '\n' > t/b/nl
printf ' ' > t/a/space
all_formats "trap: find t: only {two-nul-1, two-nul-2}" \
    "two-nul-1|two-nul-2" t
all_formats "trap: find --empty t: {e1, e2} apart from {two-nul-*}" \
    "$(printf '%s\n' 'e1|e2' 'two-nul-1|two-nul-2')" --empty t
empty_group "trap: find --empty t" 2
sizes_ok "trap: find --empty t"
# One empty file and one 1-byte NUL file: sizes differ, no group.
all_formats "trap: find --empty e1 one-nul: no group" "" --empty t/a/e1 \
    t/a/one-nul
all_formats "trap: find --empty e1 e2 one-nul nl space: {e1, e2}" \
    "e1|e2" --empty t/a/e1 t/b/e2 t/a/one-nul t/b/nl t/a/space
empty_group "trap: find --empty e1 e2 one-nul nl space" 2
all_formats "trap: find e1 e2 (roots, no --empty): no group" "" \
    t/a/e1 t/b/e2
all_formats "trap: find --empty t/a t/b: {e1, e2} {two-nul-*}" \
    "$(printf '%s\n' 'e1|e2' 'two-nul-1|two-nul-2')" --empty t/a t/b
all_formats "trap: find --empty t/a: no group" "" --empty t/a
is "trap: exit status 0" "$(find_status --empty t)" 0

# --- many empty files, hard links among them ----------------------------
V=$T/many
mkdir -p "$V/m/x/y"
cd "$V" || exit 1
i=1
while [ $i -le 12 ]; do
	: > m/e-$i
	: > m/x/y/f-$i
	i=$((i + 1))
done
ln m/e-1 m/x/e-1-link
ln m/e-1 m/x/y/e-1-link2
printf 'not empty\n' > m/x/full-1
printf 'not empty\n' > m/x/y/full-2
roo -q find --empty --json m > "$T/out.json" 2>/dev/null
empty_group "many: find --empty m: one group of 24 inodes" 24
is "many: find --empty m: no device+inode twice" "$(json_files \
    "$T/out.json" "count(*) - count(DISTINCT json_extract(f.value,
	'\$.device') || ':' || json_extract(f.value, '\$.inode'))")" 0
sizes_ok "many: find --empty m"
roo -q find --empty m > "$T/out.txt" 2>/dev/null
is "many: find --empty m (text): 2 groups, 24 + 2 lines" \
    "$(text_groups "$T/out.txt" | awk -F'|' '{ print NF }' | sort -n |
    paste -sd' ' -)" "2 24"
roo -q find --empty -0 m > "$T/out.nul" 2>/dev/null
is "many: find --empty m (-0): 2 groups, 24 + 2 names" \
    "$(nul_groups "$T/out.nul" | awk -F'|' '{ print NF }' | sort -n |
    paste -sd' ' -)" "2 24"
all_formats "many: find m: only {full-1, full-2}" "full-1|full-2" m
all_formats "many: find --empty m/e-1 m/x/e-1-link: one file, no group" "" \
    --empty m/e-1 m/x/e-1-link m/x/y/e-1-link2

check "every operation completed" test "$(sq \
    "SELECT count(*) FROM operation WHERE state <> 'completed'")" = 0
done_testing
