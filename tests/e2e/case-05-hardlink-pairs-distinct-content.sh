#!/bin/sh
# Case 05: the names of one inode are one file, never copies of each
# other, and never make groups of different contents meet.  The JSON
# names each group by its content hash and each file by device + inode.
. "$ROO_SRCDIR/tests/e2e/lib.sh"

# json_identity DESC: the JSON in $T/out.json identifies groups and files:
# every group has a distinct "group" and a distinct "hash", the SHA-256
# of each of its files; every file has the device, inode and link count
# of its path, and no device + inode is listed twice.
json_identity() {
	is "$1: JSON groups have distinct ids" "$(sqlite3 -batch :memory: "
	    SELECT count(*) - count(DISTINCT json_extract(g.value, '\$.group'))
	    FROM json_each(readfile('$T/out.json'), '\$.groups') AS g")" 0
	is "$1: JSON groups have distinct hashes" "$(sqlite3 -batch :memory: "
	    SELECT count(*) - count(DISTINCT json_extract(g.value, '\$.hash'))
	    FROM json_each(readfile('$T/out.json'), '\$.groups') AS g")" 0
	is "$1: no device+inode listed twice" "$(json_files "$T/out.json" \
	    "count(*) - count(DISTINCT json_extract(f.value, '\$.device') ||
		':' || json_extract(f.value, '\$.inode'))")" 0
	json_files "$T/out.json" "json_extract(g.value, '\$.hash') || ' ' ||
	    json_type(f.value, '\$.device') || ':' ||
	    json_type(f.value, '\$.inode') || ' ' ||
	    json_extract(f.value, '\$.device') || ':' ||
	    json_extract(f.value, '\$.inode') || ':' ||
	    json_extract(f.value, '\$.links') || ' ' ||
	    json_extract(f.value, '\$.path')" > "$T/files"
	_bad_hash=0
	_bad_id=0
	_rows=0
	while read -r _h _types _id _p; do
		_rows=$((_rows + 1))
		[ "$(sha256sum < "$_p" | cut -d' ' -f1)" = "$_h" ] ||
		    _bad_hash=$((_bad_hash + 1))
		[ "$_types" = integer:integer ] &&
		    [ "$(stat -c '%d:%i:%h' -- "$_p")" = "$_id" ] ||
		    _bad_id=$((_bad_id + 1))
	done < "$T/files"
	is "$1: each group's hash is the SHA-256 of its files" "$_bad_hash" 0
	is "$1: each file carries its device, inode and links" "$_bad_id" 0
	is "$1: every file is checked" "$_rows" \
	    "$(json_files "$T/out.json" "count(*)")"
}

# json_summary FIELD: a field of the summary of $T/out.json.
json_summary() {
	sqlite3 -batch :memory: "SELECT json_extract(readfile('$T/out.json'),
	    '\$.summary.$1')"
}

# --- the case as reported -------------------------------------------
D=$T/d
mkdir -p "$D"
run_case 05-hardlink-pairs-distinct-content.sh "$D" > "$T/invocations"
cd "$D" || exit 1
read -r roots < "$T/invocations"
is "case prints one root" "$roots" t

all_formats "find t: one group {real/c-1, real/c-2}" "c-1|c-2" t
json_identity "find t"
is "find t: group hash is content C" "$(sqlite3 -batch :memory: "
    SELECT json_extract(readfile('$T/out.json'), '\$.groups[0].hash')")" \
    "$(printf 'content C, stored twice\n' | sha256sum | cut -d' ' -f1)"
is "find t: one redundant file (hard links free nothing)" \
    "$(json_summary redundantFiles)" 1
is "find t: reclaimable bytes are one copy of C" \
    "$(json_summary reclaimableBytes)" 24
is "find t: exit status 0" "$(find_status t)" 0
all_formats "find t/one t/one-link t/two t/two-link (roots): no group" "" \
    t/one t/one-link t/two t/two-link
all_formats "find t/one t/two-link t/one-link t/two (roots): no group" "" \
    t/one t/two-link t/one-link t/two

# --- hard links mixed with real copies -------------------------------
# C: one inode with three names in three directories, plus two copies.
# D: two inodes with two names each.  E: same size as D, other bytes,
# two names.  F: one inode, two names, unique.
V=$T/mixed
mkdir -p "$V/m/a" "$V/m/b" "$V/m/c"
cd "$V" || exit 1
printf 'content C, three names\n' > m/a/c-1
ln m/a/c-1 m/a/c-1-link
ln m/a/c-1 m/b/c-1-third
printf 'content C, three names\n' > m/b/c-2
printf 'content C, three names\n' > m/c/c-3
printf 'DDDD\n' > m/a/d-1
ln m/a/d-1 m/b/d-1-link
printf 'DDDD\n' > m/c/d-2
ln m/c/d-2 m/a/d-2-link
printf 'EEEE\n' > m/a/e
ln m/a/e m/c/e-link
printf 'content F, only hard links\n' > m/a/f
ln m/a/f m/b/f-link
want="c-1|c-2|c-3
d-1|d-2"
all_formats_inode "mixed: find m: one file per inode in each group" \
    "$want" m
json_identity "mixed: find m"
is "mixed: C's three-name inode listed once, with links 3" \
    "$(json_files "$T/out.json" "json_extract(f.value, '\$.links')" |
    sort | tr '\n' ' ')" "1 1 2 2 3 "
is "mixed: redundant files: 2 of C, 1 of D" \
    "$(json_summary redundantFiles)" 3
is "mixed: reclaimable bytes: 2 copies of C, 1 of D" \
    "$(json_summary reclaimableBytes)" $((2 * $(wc -c < m/c/c-3) + 5))
is "mixed: exit status 0" "$(find_status m)" 0
all_formats_inode "mixed: find m/c m/b m/a (other root order)" "$want" \
    m/c m/b m/a
all_formats_inode "mixed: find m/a m/b: {c-1, c-2} {d-1, d-2}" \
    "c-1|c-2
d-1|d-2" m/a m/b
# Only m/a/c-1's names and m/c/c-3: one file per inode.
all_formats_inode "mixed: roots c-1 c-1-link c-1-third c-3: a pair" \
    "c-1|c-3" m/a/c-1 m/a/c-1-link m/b/c-1-third m/c/c-3
all_formats "mixed: roots are the 3 names of one inode: no group" "" \
    m/b/c-1-third m/a/c-1 m/a/c-1-link
all_formats "mixed: roots d-1 d-1-link e e-link f f-link: no group" "" \
    m/a/d-1 m/b/d-1-link m/a/e m/c/e-link m/a/f m/b/f-link
all_formats_inode "mixed: find m/c: no group" "" m/c
all_formats_inode "mixed: find m/b: {c-1, c-2}" "c-1|c-2" m/b
all_formats_inode "mixed: find m/b m/c: {c-1, c-2, c-3} {d-1, d-2}" \
    "$want" m/b m/c
json_identity "mixed: find m/b m/c"

# --- same-size contents, hard links only ------------------------------
# Several inodes of one size, each with several names, all different:
# nothing is a copy of anything.
V=$T/same-size
mkdir -p "$V/s/x" "$V/s/y"
cd "$V" || exit 1
for c in A B C D; do
	printf 'content %s%s%s%s\n' $c $c $c $c > s/x/$c
	ln s/x/$c s/y/$c-link
	ln s/x/$c s/$c-top
done
all_formats "same size, hard links only: find s: no group" "" s
is "same size, hard links only: JSON has no groups" "$(sqlite3 -batch \
    :memory: "SELECT json_array_length(readfile('$T/out.json'),
	'\$.groups')")" 0
is "same size, hard links only: nothing reclaimable" \
    "$(json_summary reclaimableBytes)" 0
is "same size, hard links only: exit status 0" "$(find_status s)" 0
# One real copy of B makes one group, of B only.
printf 'content BBBB\n' > s/y/B-copy
all_formats_inode "same size + copy of B: find s: {B, B-copy}" \
    "B|B-copy" s
json_identity "same size + copy of B"
is "same size + copy of B: hash is B's" "$(sqlite3 -batch :memory: "
    SELECT json_extract(readfile('$T/out.json'), '\$.groups[0].hash')")" \
    "$(sha256sum < s/x/B | cut -d' ' -f1)"

check "every operation completed" test "$(sq \
    "SELECT count(*) FROM operation WHERE state <> 'completed'")" = 0
done_testing
