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

# opkey ID: the op_key of operation ID.
opkey() {
	sq "SELECT op_key FROM operation WHERE id = '$1'"
}

# What the summary counts as reused was read by no one: every file a
# reused row names is absent from the read log.
mkdir tree/pp
head -c 100000 /dev/urandom > tree/pp/X
head -c 100000 /dev/urandom > tree/pp/Y
sleep 1
run six
cp tree/pp/X tree/pp/P
sleep 1
run seven
is "find after a new copy of X exits 0" "$?" 0
k7=$(opkey "$(cat seven.id)")
check "X is read whole: its prefix hash is no longer enough" \
    grep -q "full .*tree/pp/X\$" seven.log
is "X, read, is not counted as reused" \
    "$(sq "SELECT reused FROM file WHERE op_key = $k7
	AND CAST(path AS TEXT) = 'tree/pp/X'")" 0
bad=0
while read -r _kind _path; do
	n=$(sq "SELECT count(*) FROM file WHERE op_key = $k7 AND reused = 1
	    AND CAST(path AS TEXT) = '$_path'")
	[ "$n" = 0 ] || bad=$((bad + 1))
done < seven.log
is "no file read is counted as reused" "$bad" 0
is "the summary counts the reused rows" \
    "$(sq "SELECT reused FROM summary WHERE op_key = $k7")" \
    "$(sq "SELECT count(*) FROM file WHERE op_key = $k7 AND reused = 1")"
is "one reused log entry per file settled by an earlier hash" \
    "$(sq "SELECT count(*) FROM log WHERE op_key = $k7
	AND details = '{\"reused\":true}'")" \
    "$(sq "SELECT count(*) FROM file WHERE op_key = $k7 AND reused = 1
	AND status = 'hashed'")"

# Without detailed logging, backfill writes the reused entries too.
roo find --no-detailed-logging tree > /dev/null 2> eight.err
is "find --no-detailed-logging exits 0" "$?" 0
id8=$(op_id eight.err)
k8=$(opkey "$id8")
roo_quiet backfill "$id8"
is "backfill marks the entries of reused hashes" \
    "$(sq "SELECT count(*) FROM log WHERE op_key = $k8
	AND details = '{\"reused\":true}'")" \
    "$(sq "SELECT count(*) FROM file WHERE op_key = $k8 AND reused = 1
	AND status = 'hashed'")"

# A reused file that vanishes before the resume is not counted.
ROOCODE_TEST_STOP_AFTER=1 roo find tree > /dev/null 2> nine.err
is "a find stopped after its walk exits 130" "$?" 130
id9=$(op_id nine.err)
k9=$(opkey "$id9")
rm tree/pp/Y
roo resume -q "$id9" > /dev/null 2>&1
is "its resume after a removal exits 0" "$?" 0
is "the vanished file is not counted as reused" \
    "$(sq "SELECT count(*) FROM file WHERE op_key = $k9 AND reused = 1
	AND status = 'gone'")" 0
is "the summary counts the reused rows after the resume" \
    "$(sq "SELECT reused FROM summary WHERE op_key = $k9")" \
    "$(sq "SELECT count(*) FROM file WHERE op_key = $k9 AND reused = 1")"

# An imported operation lends no hashes: its row checksums were made by
# the import, whatever the document said.
roo export "$(cat first.id)" --format checkpoint --output first.ckpt.json
is "export of the first operation exits 0" "$?" 0
STATE=$T/state-imported
mkdir -p "$STATE"
roo_quiet import "$T/first.ckpt.json"
is "import into a fresh state directory exits 0" "$?" 0
is "the imported operation is marked" \
    "$(sq "SELECT imported FROM operation")" 1
run ten
is "find beside an imported operation exits 0" "$?" 0
is "it reuses no hash" "$(sq "SELECT reused FROM summary WHERE op_key =
    (SELECT op_key FROM operation WHERE NOT imported)")" 0
check "it reads the files itself" test "$(reads ten.log)" -gt 100

# A database of schema version 1 is moved forward when opened.
STATE=$T/state-v1
mkdir -p "$STATE"
roo find -q tree > /dev/null 2>&1
sq "ALTER TABLE operation DROP COLUMN imported;
    ALTER TABLE operation DROP COLUMN archived_report; PRAGMA user_version = 1"
is "the database was set back to version 1" "$(sq "PRAGMA user_version")" 1
roo_quiet list
is "list on a version 1 database exits 0" "$?" 0
is "the database is at version 2 after it" "$(sq "PRAGMA user_version")" 2
is "the migration added the imported column" \
    "$(sq "SELECT imported FROM operation")" 0
run eleven
is "find on the migrated database exits 0" "$?" 0
is "it reused the hashes of the version 1 operation" \
    "$(reads eleven.log)" 0

done_testing
