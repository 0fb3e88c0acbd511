#!/bin/sh
# The options of apply and undo: --dry-run, --action remove / hardlink /
# symlink / reflink, --keep, --keep-path, usage errors, undo (exact
# restore, refusal, retry), resume --apply of a completed and of an
# interrupted apply.  After every apply, THE INVARIANT: every distinct
# content in the tree before is present after, in the tree or in the
# backup directory.
. "$ROO_SRCDIR/tests/e2e/lib.sh"

# go ARGS...: roo ARGS, stdout in $T/out and stderr in $T/err; sets rc
# and id (the operation announced on stderr).
go() {
	roo "$@" > "$T/out" 2> "$T/err"
	rc=$?
	id=$(op_id "$T/err")
}

# opcount: how many operations the database holds.
opcount() {
	sq "SELECT count(*) FROM operation" 2>/dev/null || echo 0
}

# acts ID [STATE]: how many actions the operation has (in STATE).
acts() {
	sq "SELECT count(*) FROM action AS a JOIN operation AS o USING (op_key)
	    WHERE o.id = '$1' ${2:+AND a.state = '$2'}" 2>/dev/null
}

# The tree most tests act on: two groups and a unique file; the copies
# differ in mode and mtime so that an undo has to restore them.
P=$T/proto/tree
mkdir -p "$P/a" "$P/b" "$P/c/deep"
printf 'content one\n' > "$P/a/one.txt"
cp "$P/a/one.txt" "$P/b/one.txt"
cp "$P/a/one.txt" "$P/c/deep/one.txt"
awk 'BEGIN { for (i = 0; i < 4000; i++) printf "two %08d\n", i }' \
    > "$P/a/two.bin"
cp "$P/a/two.bin" "$P/b/two-copy.bin"
printf 'solo\n' > "$P/a/solo.txt"
chmod 644 "$P/a/one.txt"
chmod 600 "$P/b/one.txt"
chmod 640 "$P/c/deep/one.txt"
chmod 755 "$P/b/two-copy.bin"
touch -d '2020-01-01 00:00:00' "$P/a/one.txt"
touch -d '2015-06-01 12:00:00.123456789' "$P/b/one.txt"
touch -d '2010-02-03 04:05:06.5' "$P/c/deep/one.txt"
touch -d '2019-01-01 00:00:00' "$P/a/two.bin"
touch -d '2018-01-01 00:00:00.25' "$P/b/two-copy.bin"
COPIES="b/one.txt c/deep/one.txt b/two-copy.bin"
ONE=$(sha "$P/a/one.txt")
TWO=$(sha "$P/a/two.bin")

# work NAME: a fresh copy of the tree in $T/NAME, entered; its state,
# manifest and contents saved in $T/NAME.state, .manifest, .contents.
work() {
	W=$T/$1
	B=$W.backup
	mkdir -p "$W"
	cp -a "$P" "$W/tree"
	cd "$W" || exit 1
	tree_state tree > "$W.state"
	manifest tree > "$W.manifest"
	contents tree > "$W.contents"
}

# restored DESC: the tree equals the one work saved: names, types,
# modes, mtimes, sizes, link targets, contents.
restored() {
	tree_state tree > "$T/state.now"
	manifest tree > "$T/manifest.now"
	same_file "$1: names, modes and mtimes as before" "$T/state.now" \
	    "$W.state"
	same_file "$1: contents as before" "$T/manifest.now" "$W.manifest"
}

# plan_ok DESC ACTION: $T/out is a plan: one "keep" line per group,
# an ACTION line per other copy, every member named once.
plan_ok() {
	is "$1: one keep line per group" "$(awk 'BEGIN { RS = "" }
	    { n = gsub(/(^|\n)keep /, "&"); print n }' "$T/out" |
	    paste -sd' ' -)" "1 1"
	is "$1: a $2 line per other copy" "$(grep -c "^$2 " "$T/out")" 3
	is "$1: the plan names every member once" "$(awk '{ print $2 }' \
	    "$T/out" | sed '/^$/d' | sort | paste -sd' ' -)" \
	    "tree/a/one.txt tree/a/two.bin tree/b/one.txt tree/b/two-copy.bin tree/c/deep/one.txt"
	is "$1: the kept ones are the first of each group" "$(awk \
	    '$1 == "keep" { print $2 }' "$T/out" | sort | paste -sd' ' -)" \
	    "tree/a/one.txt tree/a/two.bin"
}

# --- --dry-run -----------------------------------------------------------
work dry
n0=$(opcount)
go find --dry-run tree
is "--dry-run: exit 0" "$rc" 0
plan_ok "--dry-run" remove
restored "--dry-run"
is "--dry-run: no action rows written" "$(sq "SELECT count(*) FROM action")" 0
check "--dry-run: stderr counts the names the plan acts on" \
    grep -q "plan: 3 names to act on; --dry-run changed nothing" "$T/err"
is "--dry-run: the operation is not applied" "$(sq "SELECT apply_state
    FROM operation WHERE id = '$id'")" none
cp "$T/out" "$T/plan1"
go find --dry-run --action hardlink tree
plan_ok "--dry-run --action hardlink" hardlink
go find --dry-run --action symlink tree
plan_ok "--dry-run --action symlink (no backup dir needed)" symlink
go find tree
fid=$id
go resume "$fid" --dry-run
is "resume --dry-run of a completed find: exit 0" "$rc" 0
same_file "resume --dry-run: the plan of find --dry-run" "$T/out" "$T/plan1"
is "resume --dry-run: no action rows written" \
    "$(sq "SELECT count(*) FROM action")" 0
restored "--dry-run (all)"

# --- --action remove, and its undo ----------------------------------------
work remove
go find --apply --backup-dir "$B" tree
rid=$id
is "remove: exit 0" "$rc" 0
abs=$(pwd -P)
for f in $COPIES; do
	check "remove: tree/$f is in the backup, byte-identical" test ! -e \
	    "tree/$f" -a -f "$B/$rid$abs/tree/$f" -a \
	    "$(sha "$B/$rid$abs/tree/$f" 2>/dev/null)" = "$(sha "$P/$f")"
done
is "remove: three files acted on" "$(acts "$rid" "done")" 3
invariant "remove: the invariant" "$W.contents" tree "$B"
check "remove: the listing says removed" grep -q '^removed .*two-copy' \
    "$T/out"
go undo "$rid"
is "undo remove: exit 0" "$rc" 0
restored "undo remove"
is "undo remove: every action undone" "$(acts "$rid" undone)" 3
go undo "$rid"
is "undo remove again: refused, exit 2" "$rc" 2

# --- --action hardlink, without and with a backup -------------------------
for bk in none dir; do
	work hardlink-$bk
	if [ $bk = none ]; then
		go find --apply --action hardlink tree
	else
		go find --apply --action hardlink --backup-dir "$B" tree
	fi
	hid=$id
	is "hardlink ($bk): exit 0" "$rc" 0
	for f in b/one.txt c/deep/one.txt; do
		is "hardlink ($bk): tree/$f is the kept inode" \
		    "$(stat -c %i "tree/$f")" "$(stat -c %i tree/a/one.txt)"
	done
	is "hardlink ($bk): tree/b/two-copy.bin is the kept inode" \
	    "$(stat -c %i tree/b/two-copy.bin)" "$(stat -c %i tree/a/two.bin)"
	manifest tree > "$T/manifest.now"
	same_file "hardlink ($bk): every name holds its content" \
	    "$T/manifest.now" "$W.manifest"
	invariant "hardlink ($bk): the invariant" "$W.contents" tree "$B"
	go undo "$hid"
	is "undo hardlink ($bk): exit 0" "$rc" 0
	restored "undo hardlink ($bk)"
	check "undo hardlink ($bk): the copies are separate inodes again" \
	    test "$(stat -c %i tree/b/one.txt)" != \
	    "$(stat -c %i tree/a/one.txt)"
done

# --- undo makes names of one file one file again ---------------------------
for bk in none backup; do
	work hardlink-pair-$bk
	ln tree/b/two-copy.bin tree/c/two-link.bin
	tree_state tree > "$W.state"
	manifest tree > "$W.manifest"
	contents tree > "$W.contents"
	if [ $bk = none ]; then
		go find --apply --action hardlink tree
	else
		go find --apply --action hardlink --backup-dir "$B" tree
	fi
	pid=$id
	is "hardlink pair ($bk): exit 0" "$rc" 0
	is "hardlink pair ($bk): apply lists each name as found" \
	    "$(grep -c '^linked  *tree/' "$T/out")" 4
	is "hardlink pair ($bk): both names are the kept inode" \
	    "$(stat -c %i tree/b/two-copy.bin) $(stat -c %i tree/c/two-link.bin)" \
	    "$(stat -c %i tree/a/two.bin) $(stat -c %i tree/a/two.bin)"
	check "hardlink pair ($bk): status says applied" \
	    sh -c "'$ROO' --state-dir '$STATE' status '$pid' |
		grep -q '^apply: *applied\$'"
	is "hardlink pair ($bk): status --json says applied" \
	    "$(roo status --json "$pid" > "$T/st.json"; json_field "$T/st.json" \
		'$.applyState')" applied
	go undo "$pid"
	is "undo hardlink pair ($bk): exit 0" "$rc" 0
	is "undo hardlink pair ($bk): list --json says undone" \
	    "$(roo list --json > "$T/ls.json"; sqlite3 -batch :memory: \
		"SELECT json_extract(value, '\$.applyState') FROM
		json_each(readfile('$T/ls.json'))
		WHERE json_extract(value, '\$.operationId') = '$pid'")" undone
	restored "undo hardlink pair ($bk)"
	is "undo hardlink pair ($bk): the two names are one inode again" \
	    "$(stat -c %i tree/c/two-link.bin)" \
	    "$(stat -c %i tree/b/two-copy.bin)"
	check "undo hardlink pair ($bk): not the kept one" \
	    test "$(stat -c %i tree/b/two-copy.bin)" != \
	    "$(stat -c %i tree/a/two.bin)"
done

# --- --action symlink ------------------------------------------------------
work symlink-nobackup
n0=$(opcount)
go find --apply --action symlink tree
is "symlink without --backup-dir or --no-backup: exit 2" "$rc" 2
is "symlink without a backup: no operation created" "$(opcount)" "$n0"
restored "symlink refused"
for bk in dir no-backup; do
	work symlink-$bk
	if [ $bk = dir ]; then
		go find --apply --action symlink --backup-dir "$B" tree
	else
		go find --apply --action symlink --no-backup tree
	fi
	sid=$id
	is "symlink ($bk): exit 0" "$rc" 0
	for f in b/one.txt:a/one.txt c/deep/one.txt:a/one.txt \
	    b/two-copy.bin:a/two.bin; do
		check "symlink ($bk): tree/${f%:*} links to tree/${f#*:}" \
		    test -L "tree/${f%:*}" -a "$(readlink -f "tree/${f%:*}")" \
		    = "$(readlink -f "tree/${f#*:}")"
	done
	invariant "symlink ($bk): the invariant" "$W.contents" tree "$B"
	go undo "$sid"
	is "undo symlink ($bk): exit 0" "$rc" 0
	restored "undo symlink ($bk)"
done

# --- --action reflink: what this file system supports --------------------
for bk in none dir; do
	work reflink-$bk
	find tree ! -type d -printf '%i %C@ %p\n' | sort > "$T/ino.before"
	if [ $bk = none ]; then
		go find --apply --action reflink tree
	else
		go find --apply --action reflink --backup-dir "$B" tree
	fi
	if [ "$rc" -eq 0 ]; then
		diag "this file system shares extents (FIDEDUPERANGE)"
		is "reflink ($bk, supported): every copy done" \
		    "$(acts "$id" "done")" 3
		manifest tree > "$T/manifest.now"
		same_file "reflink ($bk, supported): every name holds its content" \
		    "$T/manifest.now" "$W.manifest"
		check "reflink ($bk, supported): no error reported" \
		    test "$(grep -c FIDEDUPERANGE "$T/err")" -eq 0
	else
		diag "this file system cannot share extents"
		is "reflink ($bk, unsupported): exit 3" "$rc" 3
		is "reflink ($bk, unsupported): one clear error per file" \
		    "$(grep -c "cannot reflink '.*FIDEDUPERANGE" "$T/err")" 3
		is "reflink ($bk, unsupported): every action failed" \
		    "$(acts "$id" failed)" 3
		find tree ! -type d -printf '%i %C@ %p\n' | sort > "$T/ino.now"
		same_file "reflink ($bk, unsupported): no file touched (inode, ctime)" \
		    "$T/ino.now" "$T/ino.before"
		restored "reflink ($bk, unsupported)"
		is "reflink ($bk, unsupported): no backup copy left" \
		    "$(nfiles "$B")" 0
	fi
	invariant "reflink ($bk): the invariant" "$W.contents" tree "$B"
done

# --- --keep ---------------------------------------------------------------
K=$T/proto-keep
mkdir -p "$K/q" "$K/r/a/deeper/dir" "$K/r/b"
printf 'keep rule content\n' > "$K/q/first"
for f in r/a/deeper/dir/copy-oldest r/b/copy-newest r/s; do
	cp "$K/q/first" "$K/$f"
done
touch -d '2015-01-01' "$K/q/first"
touch -d '2001-01-01' "$K/r/a/deeper/dir/copy-oldest"
touch -d '2023-01-01' "$K/r/b/copy-newest"
touch -d '2010-01-01' "$K/r/s"
# keep_case DESC EXPECTED ARGS...: find ARGS --apply on a fresh copy;
# EXPECTED is the one copy that must remain.
keep_case() {
	_d=$1
	_want=$2
	shift 2
	W=$T/keep$_n
	rm -rf "$W"
	mkdir -p "$W"
	cp -a "$K/q" "$K/r" "$W"
	cd "$W" || exit 1
	contents q r > "$W.contents"
	go find --apply --backup-dir "$W.backup" "$@"
	is "$_d: exit 0" "$rc" 0
	is "$_d: only $_want remains" "$(find q r -type f | sort |
	    paste -sd' ' -)" "$_want"
	invariant "$_d: the invariant" "$W.contents" q r "$W.backup"
}
keep_case "--keep first (find q r)" q/first --keep first q r
keep_case "no --keep is first (find q r)" q/first q r
keep_case "--keep first (find r q): root given first, then path" \
    r/a/deeper/dir/copy-oldest --keep first r q
keep_case "--keep oldest" r/a/deeper/dir/copy-oldest --keep oldest q r
keep_case "--keep newest" r/b/copy-newest --keep newest q r
keep_case "--keep shortest-path" r/s --keep shortest-path q r
W=$T/keepdry
mkdir -p "$W"
cp -a "$K/q" "$K/r" "$W"
cd "$W" || exit 1
go find --dry-run --keep oldest q r
is "--dry-run --keep oldest: the plan keeps the oldest" \
    "$(awk '$1 == "keep" { print $2 }' "$T/out")" r/a/deeper/dir/copy-oldest

# --- --keep-path ----------------------------------------------------------
W=$T/keeppath
mkdir -p "$W/other" "$W/keep"
cd "$W" || exit 1
printf 'group x\n' > keep/x1
cp keep/x1 keep/x2
printf 'group y\n' > keep/y
cp keep/y other/y1
cp keep/y other/y2
printf 'group z\n' > keep/z1
cp keep/z1 keep/z2
cp keep/z1 other/z3
for f in keep/*; do
	fp "$f" > "$T/$(basename "$f").fp"
done
contents other keep > "$W.contents"
go find --apply --backup-dir "$W.backup" --keep-path keep other keep
kid=$id
is "--keep-path: exit 0" "$rc" 0
is "--keep-path: everything under keep/ stays, the rest goes" \
    "$(find other keep -type f | sort | paste -sd' ' -)" \
    "keep/x1 keep/x2 keep/y keep/z1 keep/z2"
for f in keep/*; do
	is "--keep-path: $f untouched" "$(fp "$f")" \
	    "$(cat "$T/$(basename "$f").fp")"
done
is "--keep-path: the group all under keep/ is left alone (no action)" \
    "$(sq "SELECT count(*) FROM action AS a JOIN operation AS o
	USING (op_key) WHERE o.id = '$kid'
	AND CAST(a.path AS TEXT) GLOB '*/keep/*'")" 0
is "--keep-path: three actions" "$(acts "$kid")" 3
invariant "--keep-path: the invariant" "$W.contents" other keep "$W.backup"

# --- usage errors ---------------------------------------------------------
work usage
n0=$(opcount)
# usage DESC ARGS...: roo ARGS exits 2 and creates no operation.
usage() {
	_d=$1
	shift
	go "$@"
	is "usage error, $_d: exit 2" "$rc" 2
}
usage "--apply remove without --backup-dir" find --apply tree
usage "--apply --action remove without --backup-dir" \
    find --apply --action remove tree
usage "--apply --action symlink without --backup-dir" \
    find --apply --action symlink tree
usage "unknown --action" find --apply --action frobnicate \
    --backup-dir "$B" tree
usage "unknown --keep" find --apply --keep biggest --backup-dir "$B" tree
usage "--backup-dir without --apply" find --backup-dir "$B" tree
usage "--action without --apply" find --action hardlink tree
usage "--keep without --apply" find --keep oldest tree
usage "--keep-path without --apply" find --keep-path tree tree
usage "--backup-dir with --no-backup" find --apply --backup-dir "$B" \
    --no-backup tree
usage "--keep-path of no directory" find --apply --keep-path "$T/nowhere" \
    --backup-dir "$B" tree
is "usage errors: no operation created" "$(opcount)" "$n0"
go find tree
uid=$id
usage "resume --backup-dir without --apply" resume "$uid" --backup-dir "$B"
usage "resume --apply (remove) without --backup-dir" resume "$uid" --apply
usage "resume --apply with an unknown --keep" resume "$uid" --apply \
    --keep biggest --backup-dir "$B"
usage "undo of an unknown operation" undo no-such-operation
usage "undo without an id" undo
restored "usage errors"

# --- undo refuses to overwrite, and a second undo completes ---------------
work refuse
go find --apply --backup-dir "$B" tree
fid=$id
is "refusal: the apply exits 0" "$rc" 0
bk="$B/$fid$(pwd -P)/tree/b/one.txt"
check "refusal: tree/b/one.txt is in the backup" test -f "$bk"
printf 'something else now\n' > tree/b/one.txt
go undo "$fid"
is "undo onto a path holding other content: exit 3" "$rc" 3
check "undo onto a path holding other content: reported by name" \
    grep -q "b/one.txt'.*another file" "$T/err"
is "undo onto a path holding other content: that file kept" \
    "$(cat tree/b/one.txt)" "something else now"
check "undo onto a path holding other content: the backup kept" \
    test -f "$bk" -a "$(sha "$bk" 2>/dev/null)" = "$ONE"
check "undo onto a path holding other content: the others restored" \
    test "$(sha tree/c/deep/one.txt)" = "$ONE" -a \
    "$(sha tree/b/two-copy.bin)" = "$TWO"
rm tree/b/one.txt
go undo "$fid"
is "second undo, once fixed: exit 0" "$rc" 0
restored "second undo"
is "second undo: every action undone" "$(acts "$fid" undone)" 3

# --- undo of what was never applied ----------------------------------------
work never
go find tree
nid=$id
go undo "$nid"
is "undo of a never-applied operation: exit 2" "$rc" 2
go find --dry-run tree
go undo "$id"
is "undo of a --dry-run operation: exit 2" "$rc" 2
restored "undo of never-applied operations"

# --- resume --apply of a completed operation ----------------------------
go resume "$nid" --apply --backup-dir "$B"
is "resume --apply of a completed find: exit 0" "$rc" 0
is "resume --apply of a completed find: the copies are gone" \
    "$(find tree -type f | sort | paste -sd' ' -)" \
    "tree/a/one.txt tree/a/solo.txt tree/a/two.bin"
is "resume --apply of a completed find: three actions done" \
    "$(acts "$nid" "done")" 3
invariant "resume --apply of a completed find: the invariant" \
    "$W.contents" tree "$B"
go resume "$nid" --apply --backup-dir "$B"
is "resume --apply of an applied operation: exit 2" "$rc" 2
go undo "$nid"
is "undo after resume --apply: exit 0" "$rc" 0
restored "undo after resume --apply"

# --- an apply that changed nothing, undone ---------------------------------
go find tree
sid=$id
# Every copy edited since the scan: each is skipped.
for f in $COPIES; do
	printf 'edited\n' >> "tree/$f"
done
go resume "$sid" --apply --backup-dir "$B"
is "apply where every copy changed since the scan: three skipped" \
    "$(acts "$sid" skipped)" 3
go undo "$sid"
is "undo of an apply that changed nothing: exit 0" "$rc" 0
check "undo says the apply had changed no file" \
    grep -q "0 files restored: the apply had changed no file" "$T/err"

# --- a redundant copy with two names (hard links) ------------------------
for action in remove hardlink; do
	W=$T/alias-$action
	B=$W.backup
	mkdir -p "$W/h"
	cd "$W" || exit 1
	printf 'hard-linked copy\n' > h/a
	cp h/a h/b
	ln h/b h/b-link
	contents h > "$W.contents"
	go find --apply --action $action --backup-dir "$B" h
	is "a copy with two names ($action): exit 0" "$rc" 0
	is "a copy with two names ($action): both names acted on" \
	    "$(acts "$id" "done")" 2
	if [ $action = remove ]; then
		is "a copy with two names (remove): only h/a remains" \
		    "$(find h -type f | sort | paste -sd' ' -)" h/a
	else
		is "a copy with two names (hardlink): all three names one inode" \
		    "$(stat -c %i h/a h/b h/b-link | sort -u | wc -l)" 1
	fi
	invariant "a copy with two names ($action): the invariant" \
	    "$W.contents" h "$B"
done

# --- a tree of 500 pairs, for interrupting ------------------------------
# pairs DIR: 500 pairs x/fN, y/fN of distinct contents.
pairs() {
	mkdir -p "$1/x" "$1/y"
	awk -v d="$1" 'BEGIN { for (i = 0; i < 500; i++) {
	    c = sprintf("pair content %05d\n", i)
	    f = d "/x/f" i; printf "%s", c > f; close(f)
	    f = d "/y/f" i; printf "%s", c > f; close(f) } }'
}
# kill_when ID N ARGS...: run the program with ARGS in the background and
# kill -9 it once N actions of ID are done (or it ends); sets rc.
kill_when() {
	_id=$1
	_want=$2
	shift 2
	"$ROO" --state-dir "$STATE" "$@" > /dev/null 2> "$T/err" &
	_pid=$!
	_i=0
	while [ $_i -lt 3000 ] && kill -0 $_pid 2>/dev/null; do
		[ "$(acts "$_id" "done")" -ge "$_want" ] 2>/dev/null && break
		sleep 0.01
		_i=$((_i + 1))
	done
	kill -9 $_pid 2>/dev/null
	wait $_pid 2>/dev/null
	rc=$?
}

W=$T/interrupt
B=$W.backup
pairs "$W/big"
cd "$W" || exit 1
tree_state big > "$W.state"
manifest big > "$W.manifest"
contents big > "$W.contents"
go find big
iid=$id
kill_when "$iid" 30 resume "$iid" --apply --backup-dir "$B"
is "interrupted apply: killed by SIGKILL" "$rc" 137
d=$(acts "$iid" "done")
check "interrupted apply: stopped half-way ($d of 500 done)" \
    test "$d" -ge 30 -a "$d" -lt 500
invariant "interrupted apply: the invariant" "$W.contents" big "$B"
go resume "$iid"
is "interrupted apply: resume without --apply refused (exit 2)" "$rc" 2
go resume "$iid" --apply --backup-dir "$B"
is "interrupted apply: resume --apply with options refused (exit 2)" \
    "$rc" 2
go resume --apply "$iid"
is "interrupted apply: resume --apply finishes it (exit 0)" "$rc" 0
is "interrupted apply: all 500 actions done" "$(acts "$iid" "done")" 500
is "interrupted apply: one copy of each pair remains" \
    "$(nfiles big/x) $(nfiles big/y)" "500 0"
is "interrupted apply: nothing but the pairs in the tree" \
    "$(find big ! -type d | wc -l | tr -d " ")" 500
invariant "interrupted apply, finished: the invariant" "$W.contents" big "$B"
is "interrupted apply: the operation completed" "$(sq "SELECT state
    FROM operation WHERE id = '$iid'")" completed
go undo "$iid"
is "undo of the resumed apply: exit 0" "$rc" 0
tree_state big > "$T/state.now"
manifest big > "$T/manifest.now"
same_file "undo of the resumed apply: names, modes, mtimes as before" \
    "$T/state.now" "$W.state"
same_file "undo of the resumed apply: contents as before" \
    "$T/manifest.now" "$W.manifest"

# --- a directory swapped for a symlink between the plan and the act ------
W=$T/swap
B=$W.backup
pairs "$W/big"
mkdir -p "$W/late/keep" "$W/late/sub"
cd "$W" || exit 1
# One byte: the group wasting the least, acted on last.
printf 'L' > late/keep/t
printf 'L' > late/sub/t
go find big late
wid=$id
kill_when "$wid" 1 resume "$wid" --apply --backup-dir "$B"
late=$(sq "SELECT a.state FROM action AS a JOIN operation AS o
    USING (op_key) WHERE o.id = '$wid'
    AND CAST(a.path AS TEXT) GLOB '*/late/sub/t'")
if [ "$rc" -eq 137 ] && [ "$late" = planned ]; then
	mkdir -p "$T/moved"
	mv late/sub "$T/moved/sub"
	ln -s "$T/moved/sub" late/sub
	fp "$T/moved/sub/t" > "$T/t.fp"
	contents big late "$T/moved" > "$W.contents"
	go resume --apply "$wid"
	is "directory swapped mid-apply: the file behind the link untouched" \
	    "$(fp "$T/moved/sub/t")" "$(cat "$T/t.fp")"
	is "directory swapped mid-apply: the action skipped" \
	    "$(sq "SELECT a.state FROM action AS a JOIN operation AS o
		USING (op_key) WHERE o.id = '$wid'
		AND CAST(a.path AS TEXT) GLOB '*/late/sub/t'")" skipped
	is "directory swapped mid-apply: exit 3" "$rc" 3
	check "directory swapped mid-apply: a warning names it" \
	    grep -q "late/sub/t'" "$T/err"
	is "directory swapped mid-apply: the rest is done" \
	    "$(acts "$wid" "done")" 500
	invariant "directory swapped mid-apply: the invariant" \
	    "$W.contents" big late "$T/moved" "$B"
else
	skip "directory swapped mid-apply: could not stop before the last action"
fi

done_testing
