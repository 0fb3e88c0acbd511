#!/bin/sh
# The shared cases (tests/cases) as apply tests: 07 and 08 are about
# apply; 01, 03, 05, 12, 15 and 17 get their apply step here (their
# listings are tested by case-NN-*.sh).  After every apply, THE
# INVARIANT: every distinct content in the tree before is still present,
# in the tree or byte-identical in the backup directory.
. "$ROO_SRCDIR/tests/e2e/lib.sh"

# Directories to take away at exit: other file systems' backups, mounts.
EXTRA=
SMALL=
cleanup() {
	[ -z "$SMALL" ] || umount "$SMALL" 2>/dev/null
	for _x in $EXTRA; do
		rm -rf "$_x"
	done
	_cleanup
}
trap cleanup EXIT

# go ARGS...: roo ARGS, stdout in $T/out and stderr in $T/err; sets rc
# and id (the operation announced on stderr).
go() {
	roo "$@" > "$T/out" 2> "$T/err"
	rc=$?
	id=$(op_id "$T/err")
}

# fresh CASE: build CASE in a new directory $D and enter it; its
# invocation lines in $T/inv.
k=0
fresh() {
	k=$((k + 1))
	D=$T/c$k
	mkdir -p "$D"
	run_case "$1" "$D" > "$T/inv"
	cd "$D" || exit 1
}

# backed_up DESC ID B PATH CONTENT: PATH (relative to $D) is gone from
# the tree and a plain file with CONTENT (a digest) is in B under ID and
# its absolute path.
backed_up() {
	_bp="$3/$2$(cd "$D" && pwd -P)/$4"
	if [ ! -e "$D/$4" ] && [ ! -L "$D/$4" ] && [ -f "$_bp" ] &&
	    [ ! -L "$_bp" ] && [ "$(sha "$_bp")" = "$5" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "expected '$4' moved to '$_bp' with content $5"
		return 1
	fi
}

# one_of DESC CONTENT PATH...: assert that exactly one of the PATHs is
# still a regular file (not a link) with CONTENT; sets $kept (that one)
# and $gone (the others).
one_of() {
	_desc=$1
	_c=$2
	shift 2
	kept=
	gone=
	_nk=0
	for _p in "$@"; do
		if [ -f "$_p" ] && [ ! -L "$_p" ] && [ "$(sha "$_p")" = "$_c" ]
		then
			kept=$_p
			_nk=$((_nk + 1))
		else
			gone="$gone $_p"
		fi
	done
	is "$_desc" "$_nk" 1
}

# --- Case 07: the backup directory on another file system ---------------
fresh 07-backup-dir-other-filesystem.sh
B=$(sed -n 2p "$T/inv")
is "case 07 prints the root data" "$(sed -n 1p "$T/inv")" data
if [ "$B" = NONE ] || [ -z "$B" ]; then
	skip "case 07: no other file system for the backup directory"
else
	EXTRA="$EXTRA $B"
	contents data > "$T/before"
	c=$(sha data/report.bin)
	fp data/keep.txt > "$T/keep.fp"
	check "case 07: the backup dir is on another file system" test \
	    "$(stat -c %d "$B")" != "$(stat -c %d data)"
	go find data --apply --backup-dir "$B"
	is "case 07: apply exits 0" "$rc" 0 || diag "$(cat "$T/err")"
	one_of "case 07: one report.bin remains in data/" "$c" \
	    data/report.bin data/old/report.bin
	is "case 07: it is a plain file with one link" \
	    "$(stat -c '%F %h' "$kept")" "regular file 1"
	# shellcheck disable=SC2086
	backed_up "case 07: the other is byte-identical in the backup dir" \
	    "$id" "$B" $gone "$c"
	is "case 07: keep.txt untouched" "$(fp data/keep.txt)" \
	    "$(cat "$T/keep.fp")"
	invariant "case 07: the invariant" "$T/before" data "$B"
fi

# The copy into the backup dir fails half-way: a 64 KiB file system.
fresh 07-backup-dir-other-filesystem.sh
B=$(sed -n 2p "$T/inv")
[ "$B" = NONE ] || EXTRA="$EXTRA $B"
mkdir -p "$T/small"
if [ "$(id -u)" -eq 0 ] &&
    mount -t tmpfs -o size=64k tmpfs "$T/small" 2>/dev/null; then
	SMALL=$T/small
	contents data > "$T/before"
	fp data/report.bin > "$T/r1.fp"
	fp data/old/report.bin > "$T/r2.fp"
	go find data --apply --backup-dir "$T/small/b"
	check "case 07, full backup fs: exit status non-zero" test "$rc" -ne 0
	is "case 07, full backup fs: exit status 3" "$rc" 3
	is "case 07, full backup fs: data/report.bin untouched" \
	    "$(fp data/report.bin)" "$(cat "$T/r1.fp")"
	is "case 07, full backup fs: data/old/report.bin untouched" \
	    "$(fp data/old/report.bin)" "$(cat "$T/r2.fp")"
	is "case 07, full backup fs: no partial copy left in the backup dir" \
	    "$(nfiles "$T/small")" 0
	check "case 07, full backup fs: the error names the file" \
	    grep -q "report.bin.*No space left" "$T/err"
	is "case 07, full backup fs: the action is recorded failed" \
	    "$(sq "SELECT a.state FROM action AS a JOIN operation AS o
		USING (op_key) WHERE o.id = '$id'")" failed
	invariant "case 07, full backup fs: the invariant" "$T/before" data
	umount "$T/small" && SMALL=
else
	skip "case 07, full backup fs: cannot mount a small tmpfs"
fi

# The backup dir cannot be written (mode 500, as a non-root user).
if [ "$(id -u)" -eq 0 ]; then
	AS="setpriv --reuid=nobody --regid=$(id -g nobody 2>/dev/null) --clear-groups"
else
	AS=
fi
NSTATE=$T/state-nobody
mkdir -p "$NSTATE"
chmod 777 "$NSTATE"
# nobody ARGS...: the program as an unprivileged user, output as go's.
nobody() {
	# shellcheck disable=SC2086
	$AS "$ROO" --state-dir "$NSTATE" "$@" > "$T/out" 2> "$T/err"
	rc=$?
	id=$(op_id "$T/err")
}
# shellcheck disable=SC2086
if { [ -z "$AS" ] || command -v setpriv > /dev/null 2>&1; } &&
    $AS test -x "$ROO" -a -w "$NSTATE" 2>/dev/null; then
	CAN_NOBODY=1
else
	CAN_NOBODY=0
fi
fresh 07-backup-dir-other-filesystem.sh
B=$(sed -n 2p "$T/inv")
if [ "$B" = NONE ]; then
	B=$T/ro-backup
	mkdir -p "$B"
else
	EXTRA="$EXTRA $B"
fi
if [ $CAN_NOBODY = 1 ]; then
	[ -z "$AS" ] || chown -R nobody "$D" "$B"
	chmod 500 "$B"
	contents data > "$T/before"
	fp data/report.bin > "$T/r1.fp"
	fp data/old/report.bin > "$T/r2.fp"
	nobody find data --apply --backup-dir "$B"
	check "case 07, unwritable backup dir: exit status non-zero" \
	    test "$rc" -ne 0
	is "case 07, unwritable backup dir: data/report.bin untouched" \
	    "$(fp data/report.bin)" "$(cat "$T/r1.fp")"
	is "case 07, unwritable backup dir: data/old/report.bin untouched" \
	    "$(fp data/old/report.bin)" "$(cat "$T/r2.fp")"
	is "case 07, unwritable backup dir: nothing in the backup dir" \
	    "$(nfiles "$B")" 0
	check "case 07, unwritable backup dir: the error names the file" \
	    grep -q "report.bin.*Permission denied" "$T/err"
	invariant "case 07, unwritable backup dir: the invariant" \
	    "$T/before" data
	chmod 700 "$B"
else
	skip "case 07, unwritable backup dir: no unprivileged user"
fi

# --- Case 08: a copy changes between the scan and the apply -------------
# setup08: the case built and scanned; sets id; $B the backup dir.
setup08() {
	fresh 08-changed-after-scan.sh
	B=$D.backup
	go find s
	id08=$id
	is "case 08 ($1): the scan finds the pair" "$(sort "$T/out" |
	    paste -sd' ' -)" "s/edit.dat s/keep.dat"
}
# apply08 DESC: resume --apply on the mutated tree; s/edit.dat and
# s/keep.dat must be exactly as they are now (and FILES the same).
apply08() {
	contents s > "$T/before"
	fp s/edit.dat > "$T/edit.fp"
	fp s/keep.dat > "$T/keep.fp"
	go resume "$id08" --apply --backup-dir "$B"
	is "case 08 ($1): s/edit.dat untouched" "$(fp s/edit.dat)" \
	    "$(cat "$T/edit.fp")"
	is "case 08 ($1): s/keep.dat untouched" "$(fp s/keep.dat)" \
	    "$(cat "$T/keep.fp")"
	is "case 08 ($1): nothing moved to the backup dir" "$(nfiles "$B")" 0
	invariant "case 08 ($1): the invariant" "$T/before" s "$B"
}

setup08 "as reported"
sh "$CASES/08-changed-after-scan.sh" "$D" mutate
apply08 "as reported: edit.dat edited"
is "case 08 (edit.dat edited): exit status 3" "$rc" 3
check "case 08 (edit.dat edited): a warning names edit.dat" \
    grep -q "edit\.dat" "$T/err"
is "case 08 (edit.dat edited): s/other.txt untouched" \
    "$(sha s/other.txt)" "$(printf 'unrelated single file\n' | sha256sum |
    cut -c 1-64)"

# The other copy edited in the same way.
setup08 "keep.dat edited"
printf 'EDITED-AFTER-SCN' | dd of=s/keep.dat bs=1 seek=32768 conv=notrunc \
    2>/dev/null
touch -r s/edit.dat s/keep.dat
apply08 "keep.dat edited"
is "case 08 (keep.dat edited): exit status 3" "$rc" 3
check "case 08 (keep.dat edited): a warning names keep.dat" \
    grep -q "keep\.dat" "$T/err"

# A copy replaced by another file of the same size and mtime (each in
# turn, so that both the kept and the acted-on copy are covered).
for f in edit keep; do
	setup08 "$f.dat replaced"
	sz=$(stat -c %s s/$f.dat)
	head -c "$sz" /dev/zero | tr '\0' 'z' > s/.new
	touch -r s/$f.dat s/.new
	mv s/.new s/$f.dat
	apply08 "$f.dat replaced by another file of its size"
	is "case 08 ($f.dat replaced): exit status 3" "$rc" 3
	check "case 08 ($f.dat replaced): a warning names $f.dat" \
	    grep -q "$f\.dat" "$T/err"
done

# A copy deleted before the apply: the other, now the only one, stays.
for f in edit keep; do
	setup08 "$f.dat deleted"
	c=$(sha s/edit.dat)
	rm s/$f.dat
	o=$( [ $f = edit ] && echo keep || echo edit )
	apply08 "$f.dat deleted"
	check "case 08 ($f.dat deleted): exit status 0 or 3" \
	    test "$rc" -eq 0 -o "$rc" -eq 3
	is "case 08 ($f.dat deleted): s/$o.dat still holds the content" \
	    "$(sha "s/$o.dat")" "$c"
done

# The directory on the copies' path swapped for a symlink to the place
# it was moved to: the files there are the scanned ones, but a removal
# must not be redirected through the link.
setup08 "s swapped for a link to its moved self"
mkdir -p "$T/elsewhere$k"
mv s "$T/elsewhere$k/s"
ln -s "$T/elsewhere$k/s" s
fp "$T/elsewhere$k/s/edit.dat" > "$T/e.fp"
fp "$T/elsewhere$k/s/keep.dat" > "$T/k.fp"
contents "$T/elsewhere$k" > "$T/before"
go resume "$id08" --apply --backup-dir "$B"
is "case 08 (s swapped, link to moved dir): edit.dat there untouched" \
    "$(fp "$T/elsewhere$k/s/edit.dat")" "$(cat "$T/e.fp")"
is "case 08 (s swapped, link to moved dir): keep.dat there untouched" \
    "$(fp "$T/elsewhere$k/s/keep.dat")" "$(cat "$T/k.fp")"
is "case 08 (s swapped, link to moved dir): nothing in the backup dir" \
    "$(nfiles "$B")" 0
check "case 08 (s swapped, link to moved dir): s is still the link" \
    test -L s
invariant "case 08 (s swapped, link to moved dir): the invariant" \
    "$T/before" "$T/elsewhere$k" "$B"

# The same with a link to an unrelated directory holding equal files.
setup08 "s swapped for a link to copies"
mkdir -p "$T/elsewhere$k"
mv s s.orig
cp -a s.orig "$T/elsewhere$k/s"
ln -s "$T/elsewhere$k/s" s
fp "$T/elsewhere$k/s/edit.dat" > "$T/e.fp"
fp "$T/elsewhere$k/s/keep.dat" > "$T/k.fp"
contents "$T/elsewhere$k" s.orig > "$T/before"
go resume "$id08" --apply --backup-dir "$B"
is "case 08 (s swapped, link elsewhere): edit.dat there untouched" \
    "$(fp "$T/elsewhere$k/s/edit.dat")" "$(cat "$T/e.fp")"
is "case 08 (s swapped, link elsewhere): keep.dat there untouched" \
    "$(fp "$T/elsewhere$k/s/keep.dat")" "$(cat "$T/k.fp")"
is "case 08 (s swapped, link elsewhere): nothing in the backup dir" \
    "$(nfiles "$B")" 0
is "case 08 (s swapped, link elsewhere): exit status 3" "$rc" 3
check "case 08 (s swapped, link elsewhere): a warning names keep.dat" \
    grep -q "keep\.dat" "$T/err"
invariant "case 08 (s swapped, link elsewhere): the invariant" \
    "$T/before" "$T/elsewhere$k" s.orig "$B"

# --- Case 01: the same tree through several roots -------------------------
for i in 1 2 3 4 5; do
	fresh 01-same-root-twice.sh
	B=$D.backup
	if [ $i -le 4 ]; then
		line=$(sed -n ${i}p "$T/inv")
	else
		ln -s tree link-to-tree
		line=$(printf 'tree\tlink-to-tree')
	fi
	c=$(sha tree/pair-1)
	fp tree/alpha.txt > "$T/a.fp"
	fp tree/sub/bravo.txt > "$T/b.fp"
	contents tree > "$T/before"
	set -f
	IFS='	'
	# shellcheck disable=SC2086
	set -- $line
	IFS=' 	
'
	set +f
	go find --apply --backup-dir "$B" "$@"
	is "case 01 (find $*): apply exits 0" "$rc" 0
	one_of "case 01 (find $*): one of pair-1/pair-2 remains" "$c" \
	    tree/pair-1 tree/sub/pair-2
	# shellcheck disable=SC2086
	backed_up "case 01 (find $*): the other is in the backup" "$id" \
	    "$B" $gone "$c"
	is "case 01 (find $*): alpha.txt untouched" "$(fp tree/alpha.txt)" \
	    "$(cat "$T/a.fp")"
	is "case 01 (find $*): bravo.txt untouched" \
	    "$(fp tree/sub/bravo.txt)" "$(cat "$T/b.fp")"
	invariant "case 01 (find $*): the invariant" "$T/before" tree "$B"
done

# --- Case 03: symlinks are not copies -----------------------------------
for mode in default -L; do
	fresh 03-file-symlink-not-a-copy.sh
	B=$D.backup
	c=$(sha photos/img-3-copy.bin)
	fp photos/img-1.bin > "$T/1.fp"
	fp photos/img-2.bin > "$T/2.fp"
	l1=$(readlink photos/best/img-1.link)
	l2=$(readlink photos/best/img-2.link)
	contents photos > "$T/before"
	if [ $mode = -L ]; then
		go find -L --apply --backup-dir "$B" photos
	else
		go find --apply --backup-dir "$B" photos
	fi
	is "case 03 ($mode): apply exits 0" "$rc" 0
	is "case 03 ($mode): img-1.bin untouched" "$(fp photos/img-1.bin)" \
	    "$(cat "$T/1.fp")"
	is "case 03 ($mode): img-2.bin untouched" "$(fp photos/img-2.bin)" \
	    "$(cat "$T/2.fp")"
	check "case 03 ($mode): img-1.link unchanged and valid" test -L \
	    photos/best/img-1.link -a -f photos/best/img-1.link -a \
	    "$(readlink photos/best/img-1.link)" = "$l1"
	check "case 03 ($mode): img-2.link unchanged and valid" test -L \
	    photos/best/img-2.link -a -f photos/best/img-2.link -a \
	    "$(readlink photos/best/img-2.link)" = "$l2"
	one_of "case 03 ($mode): one img-3 copy remains" "$c" \
	    photos/best/img-3.bin photos/img-3-copy.bin
	# shellcheck disable=SC2086
	backed_up "case 03 ($mode): the other is in the backup" "$id" "$B" \
	    $gone "$c"
	invariant "case 03 ($mode): the invariant" "$T/before" photos "$B"
done

# --- Case 05: hard-link pairs of different contents ---------------------
for action in remove hardlink; do
	fresh 05-hardlink-pairs-distinct-content.sh
	B=$D.backup
	a=$(sha t/one)
	b=$(sha t/two)
	c=$(sha t/real/c-1)
	for f in one one-link two two-link; do
		fp t/$f > "$T/$f.fp"
	done
	contents t > "$T/before"
	go find --apply --action $action --backup-dir "$B" t
	is "case 05 ($action): apply exits 0" "$rc" 0
	for f in one one-link two two-link; do
		is "case 05 ($action): t/$f untouched" "$(fp t/$f)" \
		    "$(cat "$T/$f.fp")"
	done
	is "case 05 ($action): no action on a hard-link name" "$(sq "
	    SELECT count(*) FROM action JOIN operation USING (op_key)
	    WHERE operation.id = '$id' AND (file_id = keep_id
		OR CAST(path AS TEXT) GLOB '*/t/one*'
		OR CAST(path AS TEXT) GLOB '*/t/two*')")" 0
	contents t > "$T/after"
	for x in A:$a B:$b C:$c; do
		check "case 05 ($action): content ${x%%:*} reachable in t" \
		    grep -qx "${x#*:}" "$T/after"
	done
	if [ $action = remove ]; then
		one_of "case 05 (remove): one of c-1/c-2 remains" "$c" \
		    t/real/c-1 t/real/c-2
		# shellcheck disable=SC2086
		backed_up "case 05 (remove): the other is in the backup" \
		    "$id" "$B" $gone "$c"
	else
		is "case 05 (hardlink): c-1 and c-2 are one inode" \
		    "$(stat -c %i t/real/c-1)" "$(stat -c %i t/real/c-2)"
	fi
	invariant "case 05 ($action): the invariant" "$T/before" t "$B"
done

# --- Case 12: control characters in names --------------------------------
fresh 12-newline-and-control-chars-in-names.sh
B=$D.backup
c=$(sha n/orig.dat)
fp n/sub/decoy > "$T/decoy.fp"
fp name.dat > "$T/name.fp"
contents n > "$T/before"
go find --apply --backup-dir "$B" n
is "case 12: apply exits 0" "$rc" 0
nl='
'
odd=0
kept12=0
for name in orig.dat "sub/decoy${nl}name.dat" "sub/tab	name" \
    "sub/cr$(printf '\r')" "sub/$(printf '\033')[31mred"; do
	bp="$B/$id$(pwd -P)/n/$name"
	if [ -f "n/$name" ] && [ "$(sha "n/$name")" = "$c" ]; then
		kept12=$((kept12 + 1))
	elif [ -f "$bp" ] && [ "$(sha "$bp")" = "$c" ]; then
		odd=$((odd + 1))
	fi
done
is "case 12: four members moved into the backup under their exact names" \
    "$odd" 4
is "case 12: one member remains" "$kept12" 1
is "case 12: nothing else in the backup" "$(nfiles "$B")" 4
is "case 12: n/sub/decoy untouched" "$(fp n/sub/decoy)" \
    "$(cat "$T/decoy.fp")"
is "case 12: name.dat untouched" "$(fp name.dat)" "$(cat "$T/name.fp")"
invariant "case 12: the invariant" "$T/before" n "$B"

# --- Case 15: empty files -------------------------------------------------
for opt in "" --empty; do
	fresh 15-zero-length-files.sh
	B=$D.backup
	c=$(sha z/nul-1)
	for f in empty-1 empty-2 sub/.keep sub/__init__.py nl-1; do
		fp z/$f > "$T/$(basename $f).fp"
	done
	contents z > "$T/before"
	# shellcheck disable=SC2086
	go find $opt --apply --backup-dir "$B" z
	is "case 15 (${opt:-default}): apply exits 0" "$rc" 0
	one_of "case 15 (${opt:-default}): one of nul-1/nul-2 remains" "$c" \
	    z/nul-1 z/nul-2
	is "case 15 (${opt:-default}): nl-1 untouched" "$(fp z/nl-1)" \
	    "$(cat "$T/nl-1.fp")"
	if [ -z "$opt" ]; then
		for f in empty-1 empty-2 sub/.keep sub/__init__.py; do
			is "case 15 (default): $f untouched" "$(fp z/$f)" \
			    "$(cat "$T/$(basename $f).fp")"
		done
		is "case 15 (default): only a NUL file in the backup" \
		    "$(nfiles "$B")" 1
	else
		one_of "case 15 (--empty): one empty file remains" \
		    "$(sha /dev/null)" z/empty-1 z/empty-2 z/sub/.keep \
		    z/sub/__init__.py
		is "case 15 (--empty): three empty files and a NUL file in the backup" \
		    "$(nfiles "$B")" 4
	fi
	invariant "case 15 (${opt:-default}): the invariant" "$T/before" z "$B"
done

# --- Case 17: unreadable entries, as a non-root user ----------------------
if [ $CAN_NOBODY = 1 ] && $AS test -x "$T" 2>/dev/null; then
	fresh 17-unreadable-entries.sh
	B=$D.backup
	mkdir -p "$B"
	chmod 777 "$B"
	c=$(sha p/ok/a.txt)
	for f in ok/solo.txt secret.txt locked/c.txt; do
		fp p/$f > "$T/$(basename $f).fp"
	done
	contents p > "$T/before"
	nobody find --apply --backup-dir "$B" p
	check "case 17: exit status non-zero" test "$rc" -ne 0
	is "case 17: exit status 3" "$rc" 3
	check "case 17: ro/d.txt named in an error" grep -q "ro/d\.txt" \
	    "$T/err"
	check "case 17: ro/d.txt still there" test -f p/ro/d.txt
	n=0
	for f in p/ok/a.txt p/ok/b.txt p/ro/d.txt; do
		[ -f $f ] && [ "$(sha $f)" = "$c" ] && n=$((n + 1))
	done
	check "case 17: at least one member of the group survives" \
	    test $n -ge 1
	for f in ok/solo.txt secret.txt locked/c.txt; do
		is "case 17: $f untouched" "$(fp p/$f)" \
		    "$(cat "$T/$(basename $f).fp")"
	done
	is "case 17: nothing unreadable acted on" "$(sqlite3 -batch \
	    "$NSTATE/.roocode/state.db" "SELECT count(*) FROM action
	    WHERE CAST(path AS TEXT) GLOB '*secret*'
		OR CAST(path AS TEXT) GLOB '*locked*'")" 0
	invariant "case 17: the invariant" "$T/before" p "$B"
	chmod -R u+rwx "$D"
else
	skip "case 17: no unprivileged user to run the apply"
fi

done_testing
