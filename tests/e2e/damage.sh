#!/bin/sh
# Damage to the state database.  Each kind of damage is done by hand to an
# operation interrupted midway (and, for verify, to a completed one), each
# time in a fresh state directory.  verify must exit 1 and name it; resume
# must save the damaged material under checkpoints/corrupted/, roll back,
# finish with the groups of an uninterrupted run, and leave an operation
# that verifies.  A state.db that is not a database at all (cut in half,
# or random bytes) must be moved aside, byte for byte, by any command,
# which then starts a fresh database.
. "$ROO_SRCDIR/tests/e2e/lib.sh"


cd "$T" || exit 1
if ! bash "$ROO_SRCDIR/bench/make-corpus.sh" tree 1500 100M 1 \
    "$T/tree.manifest.tsv" > /dev/null 2>&1; then
	not_ok "bench/make-corpus.sh builds the test tree"
	done_testing
	exit
fi

# d_id FILE: the operation id announced on stderr (saved in FILE).
d_id() {
	sed -n 's/^roo-duplicates: operation: \([^ ]*\).*/\1/p' "$1" |
	    head -n 1
}

# d_sq SQL: query the state database, columns separated by spaces.
d_sq() {
	sqlite3 -batch -separator ' ' "$STATE/.roocode/state.db" "$@"
}

# d_same_groups DESC FILE: the text listing FILE has the groups of the
# uninterrupted run.
d_same_groups() {
	text_groups "$2" > "$2.groups"
	if cmp -s "$2.groups" "$T/ref.groups"; then
		ok "$1"
	else
		not_ok "$1"
		diff "$T/ref.groups" "$2.groups" | cut -c1-160 | head -n 6 |
		    sed 's/^/# /'
	fi
}

# d_fresh NAME: use a new, empty state directory $T/NAME.
d_fresh() {
	STATE=$T/$1
	rm -rf "$STATE"
	mkdir -p "$STATE"
	DB=$STATE/.roocode/state.db
	CORR=$STATE/.roocode/checkpoints/corrupted
}

# The groups of an uninterrupted run.
d_fresh ref
roo find tree > "$T/ref.txt" 2> "$T/ref.err"
is "reference: uninterrupted find exits 0" "$?" 0
text_groups "$T/ref.txt" > "$T/ref.groups"
check "reference: the tree has duplicate groups" test -s "$T/ref.groups"
REF_ID=$(d_id "$T/ref.err")
is "reference: the operation completed" \
    "$(sq "SELECT state FROM operation WHERE id = '$REF_ID'")" completed

# Where the interrupted runs stop: halfway through the full-hash phase of
# the reference run, counted in results (one per file settled by its size,
# one per prefix read, one per file over 64 KiB the full phase settles).
set -- $(sq "SELECT (count(*) FILTER (WHERE prefix_hash IS NULL
	AND status = 'unique') + count(*) FILTER (WHERE prefix_hash IS NOT NULL))
	|| ' ' || count(*) FILTER (WHERE prefix_hash IS NOT NULL
	AND size > 65536)
    FROM file JOIN operation USING (op_key)
    WHERE operation.id = '$REF_ID'") 0 0
STOP=$(($1 + $2 / 2))
check "reference: the full-hash phase has files to stop among" \
    test "$2" -ge 8

# d_interrupted NAME: a fresh state directory and a find stopped midway
# in it; sets ID, LAST (its last checkpoint) and MID (a middle one).
d_interrupted() {
	d_fresh "$1"
	ROOCODE_TEST_STOP_AFTER=$STOP roo find tree > /dev/null 2> "$T/$1.err"
	is "$1: find stopped after $STOP results exits 130" "$?" 130
	ID=$(d_id "$T/$1.err")
	check "$1: find says how to continue" grep -qF \
	    "interrupted; continue with: roo-duplicates --state-dir $STATE resume $ID" \
	    "$T/$1.err"
	is "$1: the operation is interrupted" \
	    "$(sq "SELECT state FROM operation WHERE id = '$ID'")" interrupted
	LAST=$(sq "SELECT checkpoints FROM operation WHERE id = '$ID'")
	MID=$((LAST / 2))
}

# d_completed NAME: a fresh state directory and a completed find in it.
d_completed() {
	d_fresh "$1"
	roo find tree > /dev/null 2> "$T/$1.err"
	is "$1: find exits 0" "$?" 0
	ID=$(d_id "$T/$1.err")
	LAST=$(sq "SELECT checkpoints FROM operation WHERE id = '$ID'")
	MID=$((LAST / 2))
}

# d_verify_names NAME TEXT: verify, of the operation and of all, exits 1
# and prints TEXT.
d_verify_names() {
	roo verify "$ID" > "$T/$1.verify" 2>&1
	is "$1: verify ID exits 1" "$?" 1
	if grep -qF "$2" "$T/$1.verify"; then
		ok "$1: verify ID names the damage ($2)"
	else
		not_ok "$1: verify ID names the damage ($2)"
		diag "verify said:" "$(cat "$T/$1.verify")"
	fi
	roo verify > "$T/$1.verify-all" 2>&1
	is "$1: verify (all operations) exits 1" "$?" 1
	check "$1: verify (all operations) names the damage" \
	    grep -qF "$2" "$T/$1.verify-all"
}

# d_resume_repairs NAME FROM: resume survives damage from checkpoint
# FROM on: same groups as the reference, the damaged material saved as
# JSON, a sound operation afterwards.
d_resume_repairs() {
	roo resume "$ID" > "$T/$1.resume" 2> "$T/$1.resume-err"
	_rc=$?
	is "$1: resume exits 0" "$_rc" 0
	[ "$_rc" -eq 0 ] || diag "resume said:" "$(cat "$T/$1.resume-err")"
	d_same_groups "$1: resume prints the groups of an uninterrupted run" \
	    "$T/$1.resume"
	is "$1: the operation is completed" \
	    "$(sq "SELECT state FROM operation WHERE id = '$ID'")" completed
	set -- "$1" "$2" "$CORR"/*.json
	if [ $# -eq 3 ] && [ -f "$3" ]; then
		ok "$1: the damaged checkpoints are saved as one JSON file"
		is "$1: the saved file is valid JSON" "$(sqlite3 -batch \
		    :memory: "SELECT json_valid(readfile('$3'))")" 1
		is "$1: the saved file says where the damage starts" \
		    "$(sqlite3 -batch :memory: "SELECT json_extract(
			readfile('$3'), '\$.damagedFrom')")" "$2"
		SAVED=$3
	else
		not_ok "$1: the damaged checkpoints are saved as one JSON file"
		diag "in $CORR:" "$(ls -A "$CORR")"
		SAVED=/nonexistent
	fi
	roo verify "$ID" > "$T/$1.verify-after" 2>&1
	is "$1: verify ID exits 0 after the resume" "$?" 0
	roo verify > /dev/null 2>&1
	is "$1: verify (all) exits 0 after the resume" "$?" 0
}

# saved_has EXPR: the saved JSON document satisfies EXPR (SQL over j).
saved_has() {
	test "$(sqlite3 -batch :memory: "SELECT ($1) FROM (SELECT
	    readfile('$SAVED') AS j)" 2>/dev/null)" = 1
}

# --- Row-level damage to an interrupted operation. -----------------------

d_interrupted setup
check "setup: the interrupted run is in the full-hash phase" test \
    "$(sq "SELECT phase FROM operation WHERE id = '$ID'")" = full
check "setup: some files are hashed, some still pending" test \
    "$(sq "SELECT sum(status = 'hashed') > 0 AND sum(status = 'pending') > 0
    FROM file")" = 1

# An altered checkpoint row.
d_interrupted ckpt-altered
sq "UPDATE checkpoint SET processed_files = processed_files + 1
    WHERE seq = $MID"
d_verify_names ckpt-altered "checkpoint $MID"
d_resume_repairs ckpt-altered "$MID"
check "ckpt-altered: the saved file holds the altered checkpoint" saved_has \
    "EXISTS (SELECT 1 FROM json_each(j, '\$.checkpoints')
	WHERE json_extract(value, '\$.seq') = $MID)"

# A checkpoint row deleted from the middle of the chain.
d_interrupted ckpt-deleted
sq "DELETE FROM checkpoint WHERE seq = $MID"
d_verify_names ckpt-deleted "checkpoint $MID is missing"
d_resume_repairs ckpt-deleted "$MID"

# The last checkpoint row deleted.
d_interrupted last-ckpt-deleted
sq "DELETE FROM checkpoint WHERE seq = $LAST"
d_verify_names last-ckpt-deleted "$LAST"
d_resume_repairs last-ckpt-deleted "$LAST"

# A log row of a middle checkpoint changed by hand: its operation...
d_interrupted log-operation
# shellcheck disable=SC2046
set -- $(d_sq "SELECT id, ckpt FROM log WHERE backfilled = 0
    AND type = 'OPERATION' AND file_id IS NOT NULL
    ORDER BY abs(ckpt - $MID), id LIMIT 1")
LOGID=${1:-0} LOGCKPT=${2:-0}
sq "UPDATE log SET operation = 'tampered' WHERE id = $LOGID"
d_verify_names log-operation "checkpoint $LOGCKPT"
d_resume_repairs log-operation "$LOGCKPT"
check "log-operation: the saved file holds the tampered log row" saved_has \
    "EXISTS (SELECT 1 FROM json_each(j, '\$.log')
	WHERE json_extract(value, '\$.operation') = 'tampered')"

# ... or its hash.
d_interrupted log-hash
# shellcheck disable=SC2046
set -- $(d_sq "SELECT id, ckpt FROM log WHERE backfilled = 0
    AND type = 'OPERATION' AND hash IS NOT NULL
    ORDER BY abs(ckpt - $MID), id LIMIT 1")
LOGID=${1:-0} LOGCKPT=${2:-0}
sq "UPDATE log SET hash = randomblob(32) WHERE id = $LOGID"
d_verify_names log-hash "checkpoint $LOGCKPT"
d_resume_repairs log-hash "$LOGCKPT"

# The full hash of a file hashed in the full phase.  Take one that has
# copies, so that a missed alteration would change the groups.
FILE_PICK="SELECT f.id, f.settle_ckpt FROM file AS f
    JOIN checkpoint AS c ON c.op_key = f.op_key AND c.seq = f.settle_ckpt
    WHERE f.status = 'hashed' AND c.phase = 'full'
	AND EXISTS (SELECT 1 FROM file AS o WHERE o.id <> f.id
	    AND o.size = f.size AND o.full_hash = f.full_hash)
    ORDER BY f.settle_ckpt, f.id LIMIT 1"
d_interrupted file-hash
# shellcheck disable=SC2046
set -- $(d_sq "$FILE_PICK")
check "file-hash: there is a hashed file with a copy to alter" \
    test -n "${1:-}"
FID=${1:-0} FCKPT=${2:-0}
sq "UPDATE file SET full_hash = randomblob(32) WHERE id = $FID"
d_verify_names file-hash "checkpoint $FCKPT"
d_resume_repairs file-hash "$FCKPT"

# The same without detailed logging: no log entry records the hash, but
# the checkpoint that settled the file must still protect it.
d_fresh file-hash-nolog
ROOCODE_TEST_STOP_AFTER=$STOP roo find --no-detailed-logging tree \
    > /dev/null 2> "$T/file-hash-nolog.err"
is "file-hash-nolog: find stopped after $STOP results exits 130" "$?" 130
ID=$(d_id "$T/file-hash-nolog.err")
# shellcheck disable=SC2046
set -- $(d_sq "$FILE_PICK")
check "file-hash-nolog: there is a hashed file with a copy to alter" \
    test -n "${1:-}"
FID=${1:-0} FCKPT=${2:-0}
sq "UPDATE file SET full_hash = randomblob(32) WHERE id = $FID"
d_verify_names file-hash-nolog "checkpoint $FCKPT"
d_resume_repairs file-hash-nolog "$FCKPT"

# --- Row-level damage to a completed operation: verify names it. --------

d_completed done-ckpt-altered
sq "UPDATE checkpoint SET processed_files = processed_files + 1
    WHERE seq = $MID"
d_verify_names done-ckpt-altered "checkpoint $MID"

d_completed done-ckpt-deleted
sq "DELETE FROM checkpoint WHERE seq = $MID"
d_verify_names done-ckpt-deleted "checkpoint $MID is missing"

d_completed done-last-ckpt-deleted
sq "DELETE FROM checkpoint WHERE seq = $LAST"
d_verify_names done-last-ckpt-deleted "$LAST"

d_completed done-log-operation
# shellcheck disable=SC2046
set -- $(d_sq "SELECT id, ckpt FROM log WHERE backfilled = 0
    AND type = 'OPERATION' AND file_id IS NOT NULL
    ORDER BY abs(ckpt - $MID), id LIMIT 1")
sq "UPDATE log SET operation = 'tampered' WHERE id = ${1:-0}"
d_verify_names done-log-operation "checkpoint ${2:-0}"

d_completed done-file-hash
# shellcheck disable=SC2046
set -- $(d_sq "$FILE_PICK")
sq "UPDATE file SET full_hash = randomblob(32) WHERE id = ${1:-0}"
d_verify_names done-file-hash "checkpoint ${2:-0}"

# --- File-level damage. ---------------------------------------------------

# d_leave_wal DB: commit a change through a sqlite3 shell that is then
# killed, so that DB-wal and DB-shm stay behind as after a crash.
d_leave_wal() {
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	sqlite3 -batch "$1" < "$T/fifo" > /dev/null 2>&1 &
	_p=$!
	exec 3> "$T/fifo"
	echo "UPDATE operation SET update_time = update_time + 1;" >&3
	_i=0
	while [ $_i -lt 200 ] && ! [ -s "$1-wal" ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	kill -9 "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
	exec 3>&-
	rm -f "$T/fifo"
}

# d_sums DIR [NAME]: "sha256 suffix" of NAME (default state.db) and of
# its -wal and -shm in DIR.
d_sums() {
	for _s in "" -wal -shm; do
		[ -f "$1/${2:-state.db}$_s" ] &&
		    echo "$(sha256sum < "$1/${2:-state.db}$_s" | cut -c1-64) $_s"
	done
}

# d_file_damage KIND: $T/KIND-template holds a damaged state directory of
# the operation $ID; $T/KIND.sums the checksums of the damaged files.
# Every command moves it aside and starts afresh.
d_file_damage() {
	for _how in verify verify-id list resume; do
		_nm=$1-$_how
		d_fresh "$_nm"
		rmdir "$STATE"
		cp -Rp "$T/$1-template" "$STATE"
		case $_how in
		verify-id) _cmd="verify $ID" _say="verify ID" ;;
		resume) _cmd="resume $ID" _say="resume ID" ;;
		*) _cmd=$_how _say=$_how ;;
		esac
		# shellcheck disable=SC2086
		roo $_cmd > "$T/$_nm.out" 2> "$T/$_nm.err"
		_rc=$?
		check "$_nm: $_say does not crash (exit status below 128)" \
		    test "$_rc" -lt 128
		if grep -q "moved it to '$CORR/state.db" "$T/$_nm.err"; then
			ok "$_nm: $_say says it moved the database aside"
		else
			not_ok "$_nm: $_say says it moved the database aside"
			diag "stderr:" "$(cat "$T/$_nm.err")"
		fi
		_moved=$(sed -n \
		    "s|.*moved it to '\\($CORR/state\\.db[^']*\\)'.*|\\1|p" \
		    "$T/$_nm.err" | head -n 1)
		check "$_nm: the moved database is in checkpoints/corrupted/" \
		    test -n "$_moved" -a -f "${_moved:-/nonexistent}"
		# SQLite may rewrite the -shm index when it opens the file;
		# the database and the -wal must be the very bytes.
		is "$_nm: the moved files are byte-identical to the damaged ones" \
		    "$([ -n "$_moved" ] && d_sums "$CORR" "${_moved##*/}" |
			grep -v ' -shm$')" "$(grep -v ' -shm$' "$T/$1.sums")"
		if grep -q ' -shm$' "$T/$1.sums"; then
			check "$_nm: the -shm file was moved with it" \
			    test -f "$_moved-shm" -a ! -f "$DB-shm"
		fi
		check "$_nm: a fresh database replaces it" test "$(sqlite3 \
		    -batch "$DB" "PRAGMA quick_check;
		    SELECT count(*) FROM operation")" = "ok
0"
		case $_how in
		verify*)
			# The damage verify found is reported, not hidden.
			is "$_nm: $_say exits 1" "$_rc" 1 ;;
		list)
			is "$_nm: list exits 0 on the fresh database" "$_rc" 0 ;;
		esac
		case $_how in
		resume)
			check "$_nm: resume of the lost id fails with 1 or 2" \
			    test "$_rc" -eq 1 -o "$_rc" -eq 2
			check "$_nm: resume says the operation is unknown" \
			    grep -q "no operation '$ID'" "$T/$_nm.err" ;;
		*)
			roo resume "$ID" > /dev/null 2> "$T/$_nm.resume-err"
			_rc=$?
			check "$_nm: then resume of the lost id fails with 1 or 2" \
			    test "$_rc" -eq 1 -o "$_rc" -eq 2
			check "$_nm: and says the operation is unknown" \
			    grep -q "no operation '$ID'" "$T/$_nm.resume-err" ;;
		esac
		roo find tree > "$T/$_nm.find" 2> /dev/null
		is "$_nm: a new find exits 0" "$?" 0
		d_same_groups "$_nm: the new find prints the right groups" \
		    "$T/$_nm.find"
		roo verify > /dev/null 2>&1
		is "$_nm: verify exits 0 afterwards" "$?" 0
	done
}

# state.db cut to half its size (all data first moved into it).
d_interrupted truncated
sqlite3 -batch "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
truncate -s $(($(stat -c %s "$DB") / 2)) "$DB"
cp -Rp "$STATE" "$T/truncated-template"
d_sums "$STATE/.roocode" > "$T/truncated.sums"
d_file_damage truncated

# state.db overwritten by random bytes, with the -wal and -shm that a
# crashed writer left behind.
d_interrupted random
d_leave_wal "$DB"
check "random: a -wal file was left behind" test -s "$DB-wal"
head -c 100000 /dev/urandom > "$DB"
cp -Rp "$STATE" "$T/random-template"
d_sums "$STATE/.roocode" > "$T/random.sums"
d_file_damage random

done_testing
