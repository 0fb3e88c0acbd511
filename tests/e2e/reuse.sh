#!/bin/sh
# Hash reuse: a find takes the hashes an earlier operation in the same
# database recorded for files unchanged since (device, inode, size, mtime,
# ctime), and reads nothing for them; the groups are those of a find that
# reads everything.  A file edited, replaced or added since is read; an
# earlier row altered by hand (its seal broken) is not trusted; --no-reuse
# reads everything; an interrupted find that reuses hashes resumes to the
# same groups.  Reads are counted through ROOCODE_TEST_HASH_LOG.
. "$ROO_SRCDIR/tests/e2e/lib.sh"

umask 022
cd "$T" || exit 1

corpus "$T/tree" 400 8M 11
# Duplicates of every kind the phases settle: small (hashed whole by the
# prefix phase), large (hashed whole by the full phase), a prefix trap.
mkdir tree/mine
head -c 100000 /dev/urandom > tree/mine/big1
cp tree/mine/big1 tree/mine/big2
{ head -c 50000 tree/mine/big1; head -c 50000 /dev/urandom; } \
    > tree/mine/trap
printf 'small\n' > tree/mine/s1
cp tree/mine/s1 tree/mine/s2
# Older than the one-tick rule of the walks below.
sleep 1

# reads FILE: the number of files a run read (0 when the log is absent).
reads() {
	if [ -f "$1" ]; then wc -l < "$1" | tr -d ' '; else echo 0; fi
}

# run NAME ARGS...: find --json over the tree, its reads in NAME.log, its
# groups in NAME.groups, its id in NAME.id.
run() {
	_name=$1
	shift
	rm -f "$_name.log"
	ROOCODE_TEST_HASH_LOG=$T/$_name.log roo find --json "$@" tree \
	    > "$_name.json" 2> "$_name.err"
	json_groups "$_name.json" > "$_name.groups"
	op_id "$_name.err" > "$_name.id"
}

run first
is "first find exits 0" "$?" 0
n1=$(reads first.log)
check "the first find reads files ($n1)" test "$n1" -gt 100

run second
is "second find over the unchanged tree exits 0" "$?" 0
is "the second find reads no file" "$(reads second.log)" 0
same_file "the second find gives the groups of the first" second.groups \
    first.groups
id2=$(cat second.id)
reused=$(sq "SELECT reused FROM summary WHERE op_key = (SELECT op_key
    FROM operation WHERE id = '$id2')")
check "the summary counts the reused hashes ($reused)" test "$reused" -gt 100
check "stderr says how many hashes were reused" \
    grep -q "($reused earlier hashes reused)" second.err
roo report "$id2" > second.report
check "report counts them" grep -q "^hashes reused: *$reused files" \
    second.report
roo export "$id2" --format log > second.jsonl
is "the log marks a hashed entry per file settled by a reused hash" \
    "$(grep -c '"operation":"hashed".*"reused":true' second.jsonl)" \
    "$(sq "SELECT count(*) FROM file WHERE reused = 1 AND status = 'hashed'
	AND op_key = (SELECT op_key FROM operation WHERE id = '$id2')")"
check "the walked entry counts them" \
    grep -q "\"reusedFiles\":$reused" second.jsonl
check "verify passes" roo_quiet verify "$id2"

# Changes since: an edit keeping the size, a file replaced by a copy of
# another, a new copy.
printf 'x' | dd of=tree/mine/big2 bs=1 seek=70000 conv=notrunc 2>/dev/null
cp tree/mine/big1 tree/mine/trap.new
mv tree/mine/trap.new tree/mine/trap
cp tree/mine/s1 tree/mine/s3
sleep 1
run third
is "find after changes exits 0" "$?" 0
run fresh --no-reuse
is "find --no-reuse exits 0" "$?" 0
same_file "reusing hashes gives the groups of reading everything" \
    third.groups fresh.groups
check "the edited file is read" grep -q "full .*tree/mine/big2\$" third.log
check "the replaced file is read" grep -q " .*tree/mine/trap\$" third.log
check "the new file is read" grep -q " .*tree/mine/s3\$" third.log
check "an unchanged file is not read" \
    sh -c "! grep -q 'tree/mine/big1\$' third.log"
n3=$(reads third.log)
check "only a few files are read ($n3)" test "$n3" -le 8
check "--no-reuse reads every file again ($(reads fresh.log))" \
    test "$(reads fresh.log)" -ge "$n1"
check "the big copies are no longer a group" \
    sh -c "! grep -q 'big1|tree/mine/big2' third.groups"
check "the replaced file joined big1's group" \
    grep -q "tree/mine/big1|tree/mine/trap" third.groups

# An earlier row altered by hand is not trusted: give big1 a wrong full
# hash in every operation; the next find reads it and is right.
sq "UPDATE file SET full_hash = zeroblob(32)
    WHERE CAST(path AS TEXT) = 'tree/mine/big1' AND full_hash IS NOT NULL"
run fourth
is "find after the damage exits 0" "$?" 0
check "big1 is read: no intact row holds its hash" \
    grep -q "full .*tree/mine/big1\$" fourth.log
same_file "the groups are still right" fourth.groups fresh.groups

# Interrupted while it reuses, then resumed: the same groups.
rm -f five.log
ROOCODE_TEST_STOP_AFTER=3 roo find --json --checkpoint-interval 1 tree \
    > five.json 2> five.err
is "a find that reuses hashes, stopped, exits 130" "$?" 130
id5=$(op_id five.err)
roo resume --json "$id5" > five.res.json 2> five.res.err
is "its resume exits 0" "$?" 0
json_groups five.res.json > five.groups
same_file "the resumed find gives the same groups" five.groups fresh.groups
check "verify passes on the resumed operation" roo_quiet verify "$id5"
roo verify "$(cat first.id)" > /dev/null 2>&1
is "verify still reports the altered row of the first operation" "$?" 1

done_testing
