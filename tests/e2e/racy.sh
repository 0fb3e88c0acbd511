#!/bin/sh
# Coarse timestamps: on a file system with whole-second times, a file
# replaced by another of the same size in the same second can keep inode,
# size, mtime and ctime.  A resume must not trust such a "racy" stat and
# reuse the old hash.  Needs root and a loop mount; skipped otherwise.
. "$ROO_SRCDIR/tests/e2e/lib.sh"

M=$T/m
mkdir -p "$M"
if ! command -v mkfs.ext4 > /dev/null 2>&1 ||
    ! dd if=/dev/zero of="$T/img" bs=1M count=8 2>/dev/null ||
    ! mkfs.ext4 -q -I 128 -F "$T/img" > /dev/null 2>&1 ||
    ! mount -o loop "$T/img" "$M" 2>/dev/null; then
	echo "ok 1 # SKIP needs root, mkfs.ext4 and a loop device"
	echo "1..1"
	exit 0
fi
trap 'umount "$M" 2>/dev/null; _cleanup' EXIT

cd "$M"
mkdir d
# All in one second, as in the report that found this.
printf AAAA > d/a; printf AAAA > d/c; printf BBBB > d/b; printf BBBB > d/e
check "the file system keeps whole seconds" test "$(stat -c %z d/a |
    sed 's/.*\.\([0-9]*\) .*/\1/')" = 000000000
ROOCODE_TEST_STOP_AFTER=3 "$ROO" -q --state-dir "$T/st" find \
    --checkpoint-interval 1 d > /dev/null 2> "$T/err"
is "find stopped after 3 results" "$?" 130
id=$(sqlite3 "$T/st/.roocode/state.db" "SELECT id FROM operation")
rm d/a
printf BBBB > d/x
"$ROO" -q --state-dir "$T/st" resume "$id" > "$T/got"
is "resume completes" "$?" 0
"$ROO" -q --state-dir "$T/fresh" find d > "$T/want"
text_groups "$T/got" > "$T/got.g"
text_groups "$T/want" > "$T/want.g"
same_file "the resumed groups equal a fresh scan's" "$T/got.g" "$T/want.g"
check "x is grouped with b and e, not with c" grep -q '^d/b|d/e|d/x$' \
    "$T/got.g"
cd /
done_testing
