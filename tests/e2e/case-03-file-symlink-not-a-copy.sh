#!/bin/sh
# Case 03: a symlink is never a copy of its target.  Without -L links are
# left out; with -L a link and its target are one file (device + inode),
# whatever the link's form: relative, absolute, to a directory, dangling,
# a chain, a loop, or given as a root.
. "$ROO_SRCDIR/tests/e2e/lib.sh"

# no_dup_ids DESC: no device + inode twice in $T/out.json, and each
# file's device + inode is that of its path (followed).
no_dup_ids() {
	is "$1: no file listed twice in JSON" "$(json_files "$T/out.json" \
	    "count(*) - count(DISTINCT json_extract(f.value, '\$.device') ||
		':' || json_extract(f.value, '\$.inode'))")" 0
	_bad=0
	json_files "$T/out.json" "json_extract(f.value, '\$.device') || ':' ||
	    json_extract(f.value, '\$.inode') || ' ' ||
	    json_extract(f.value, '\$.path')" > "$T/ids"
	while read -r _id _p; do
		[ "$(stat -L -c '%d:%i' -- "$_p")" = "$_id" ] ||
		    _bad=$((_bad + 1))
	done < "$T/ids"
	is "$1: JSON device+inode are those of the paths" "$_bad" 0
}

# no_symlink_members DESC: no path in $T/out.json is a symlink.
no_symlink_members() {
	_cnt=0
	json_files "$T/out.json" "json_extract(f.value, '\$.path')" \
	    > "$T/paths"
	while IFS= read -r _p; do
		[ -L "$_p" ] && _cnt=$((_cnt + 1))
	done < "$T/paths"
	is "$1: no symlink listed as a group member" "$_cnt" 0
}

# --- the case as reported -------------------------------------------
D=$T/d
mkdir -p "$D"
run_case 03-file-symlink-not-a-copy.sh "$D" > "$T/invocations"
cd "$D" || exit 1
read -r roots < "$T/invocations"
is "case prints one root" "$roots" photos

all_formats "find photos: one group {img-3.bin, img-3-copy.bin}" \
    "img-3-copy.bin|img-3.bin" photos
no_symlink_members "find photos"
is "find photos: exit status 0" "$(find_status photos)" 0
check "find photos: no link name in any output" test "$(cat "$T/out.txt" \
    "$T/out.json" "$T/out.nul" | tr '\0' '\n' | grep -c '\.link')" = 0

all_formats_inode "find -L photos: link and target are one file" \
    "img-3-copy.bin|img-3.bin" -L photos
no_dup_ids "find -L photos"
no_symlink_members "find -L photos"
is "find -L photos: exit status 0" "$(find_status -L photos)" 0
all_formats_inode "find --follow-symlinks photos: same" \
    "img-3-copy.bin|img-3.bin" --follow-symlinks photos

# A link given as a root is followed: it is its target, not a copy.
all_formats_inode "find photos photos/best/img-1.link: still one group" \
    "img-3-copy.bin|img-3.bin" photos photos/best/img-1.link
all_formats "find img-1.link img-1.bin (roots): no group" "" \
    photos/best/img-1.link photos/img-1.bin
all_formats "find img-2.link (absolute) img-2.bin (roots): no group" "" \
    photos/best/img-2.link photos/img-2.bin
all_formats "find -L best/ img-1.bin: no group" "" -L photos/best \
    photos/img-1.bin

# --- links met before their targets ---------------------------------
# The links are in the root directory, the pictures one level down, so
# a walk meets each link first.
V=$T/v-first
mkdir -p "$V/lib/pics"
cd "$V" || exit 1
printf 'first: single copy\n' > lib/pics/img-1.bin
printf 'first: copied twice\n' > lib/pics/img-3.bin
printf 'first: copied twice\n' > lib/img-3-copy.bin
ln -s pics/img-1.bin lib/l1
ln -s pics/img-3.bin lib/l3
ln -s "$V/lib/pics/img-3.bin" lib/l3-abs
ln -s ../img-3-copy.bin lib/pics/copy-link
for opt in "" -L; do
	# shellcheck disable=SC2086
	all_formats_inode "links first: find $opt lib: one group of two files" \
	    "img-3-copy.bin|img-3.bin" $opt lib
	no_dup_ids "links first: find $opt lib"
	no_symlink_members "links first: find $opt lib"
	# shellcheck disable=SC2086
	is "links first: find $opt lib: exit status 0" \
	    "$(find_status $opt lib)" 0
done
all_formats "links first: find lib: names are the real files" \
    "img-3-copy.bin|img-3.bin" lib
# A link as a root, to a file that has a real copy elsewhere.
all_formats_inode "find lib/l3 lib/img-3-copy.bin (roots): a pair" \
    "img-3-copy.bin|img-3.bin" lib/l3 lib/img-3-copy.bin
is "find lib/l3 lib/img-3-copy.bin: exit status 0" \
    "$(find_status lib/l3 lib/img-3-copy.bin)" 0
all_formats "find lib/l3 lib/pics/img-3.bin (roots): one file, no group" \
    "" lib/l3 lib/pics/img-3.bin
all_formats "find lib/l3 lib/l3-abs (roots): one file, no group" "" \
    lib/l3 lib/l3-abs

# --- symlinked directories ------------------------------------------
V=$T/v-dir
mkdir -p "$V/tree/real"
cd "$V" || exit 1
printf 'dir: alpha\n' > tree/real/a.bin
printf 'dir: bravo\n' > tree/real/b.bin
printf 'dir: pair\n' > tree/real/c.bin
printf 'dir: pair\n' > tree/c-copy.bin
ln -s real tree/alias
ln -s "$V/tree/real" tree/abs-alias
ln -s ../real tree/real/self-alias
for opt in "" -L; do
	# shellcheck disable=SC2086
	all_formats_inode "dir links: find $opt tree: {c.bin, c-copy.bin}" \
	    "c-copy.bin|c.bin" $opt tree
	no_dup_ids "dir links: find $opt tree"
	no_symlink_members "dir links: find $opt tree"
	# shellcheck disable=SC2086
	is "dir links: find $opt tree: exit status 0" \
	    "$(find_status $opt tree)" 0
done
all_formats "dir links: find tree: the real names" "c-copy.bin|c.bin" tree
all_formats_inode "find tree/alias tree/real (roots): no group" "" \
    tree/alias tree/real
all_formats_inode "find tree tree/abs-alias: {c.bin, c-copy.bin}" \
    "c-copy.bin|c.bin" tree tree/abs-alias
all_formats_inode "find -L tree/alias tree/c-copy.bin: a pair" \
    "c-copy.bin|c.bin" -L tree/alias tree/c-copy.bin

# --- dangling links and loops ----------------------------------------
V=$T/v-dangling
mkdir -p "$V/tree/sub"
cd "$V" || exit 1
printf 'dangling: pair\n' > tree/x.bin
printf 'dangling: pair\n' > tree/sub/x-copy.bin
printf 'dangling: single\n' > tree/y.bin
ln -s nowhere tree/dangling
ln -s "$V/no/such/file" tree/dangling-abs
ln -s gone.bin tree/sub/was-a-copy
ln -s self tree/self
ln -s . tree/dot
ln -s .. tree/sub/up
ln -s ../sub tree/sub/again
for opt in "" -L; do
	# shellcheck disable=SC2086
	all_formats_inode "dangling/loops: find $opt tree: {x.bin, x-copy.bin}" \
	    "x-copy.bin|x.bin" $opt tree
	no_dup_ids "dangling/loops: find $opt tree"
done
is "dangling/loops: find tree: exit status 0" "$(find_status tree)" 0
rc=$(find_status -L tree)
check "dangling/loops: find -L tree completes (exit 0 or 3, got $rc)" \
    test "$rc" -eq 0 -o "$rc" -eq 3
all_formats_inode "dangling/loops: find -L tree tree/dot tree/sub/up" \
    "x-copy.bin|x.bin" -L tree tree/dot tree/sub/up

# --- chains of links -------------------------------------------------
V=$T/v-chain
mkdir -p "$V/tree/sub"
cd "$V" || exit 1
printf 'chain: pair\n' > tree/x.bin
printf 'chain: pair\n' > tree/x-copy.bin
printf 'chain: single\n' > tree/only.bin
ln -s x.bin tree/chain-1
ln -s chain-1 tree/chain-2
ln -s ../chain-2 tree/sub/chain-3
ln -s only.bin tree/sub-only-1
ln -s sub-only-1 tree/sub/only-2
ln -s ../sub-only-1 tree/sub/only-3
for opt in "" -L; do
	# shellcheck disable=SC2086
	all_formats_inode "chain: find $opt tree: {x.bin, x-copy.bin}" \
	    "x-copy.bin|x.bin" $opt tree
	no_dup_ids "chain: find $opt tree"
	no_symlink_members "chain: find $opt tree"
	# shellcheck disable=SC2086
	is "chain: find $opt tree: exit status 0" \
	    "$(find_status $opt tree)" 0
done
all_formats "chain: find tree/sub/chain-3 tree/x.bin (roots): no group" \
    "" tree/sub/chain-3 tree/x.bin
all_formats_inode "chain: find tree/sub/chain-3 tree/x-copy.bin: a pair" \
    "x-copy.bin|x.bin" tree/sub/chain-3 tree/x-copy.bin
is "chain: find tree/sub/chain-3 tree/x-copy.bin: exit status 0" \
    "$(find_status tree/sub/chain-3 tree/x-copy.bin)" 0

# --- a link out of the root ------------------------------------------
V=$T/v-out
mkdir -p "$V/tree" "$V/outside"
cd "$V" || exit 1
printf 'outside: pair\n' > outside/o.bin
printf 'outside: pair\n' > tree/o-copy.bin
ln -s ../outside/o.bin tree/out-link
all_formats "out: find tree: the link is no copy of o-copy.bin" "" tree
all_formats_inode "out: find -L tree outside: {o.bin, o-copy.bin}" \
    "o-copy.bin|o.bin" -L tree outside
no_dup_ids "out: find -L tree outside"

check "every operation completed" test "$(sq \
    "SELECT count(*) FROM operation WHERE state <> 'completed'")" = 0
done_testing
