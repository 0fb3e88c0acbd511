#!/bin/sh
# Backfill: a find run with --no-detailed-logging leaves out the per-file
# log entries; backfill inserts exactly one per processed file (flagged
# backfilled) and one per group, only once, and keeps the JSON-lines file
# .roocode/logs/ID.log in step with the log table: one line per row, no
# line twice, missing lines appended, a torn last line set aside.  With
# detailed logging on, find already logs every file and backfill adds no
# file-level entry.
. "$ROO_SRCDIR/tests/e2e/lib.sh"

umask 022
cd "$T" || exit 1

# The tree: duplicates, unique sizes, same-size files of different
# content (one sharing its first half with a duplicate), and a small
# generated tree below gen/.
mkdir tree
printf 'hello\n' > tree/a
cp tree/a tree/b
cp tree/a tree/c
printf 'world!\n' > tree/d
cp tree/d tree/e
printf 'unique size\n' > tree/u1
printf 'another unique size\n' > tree/u2
printf 'xxxxxx\n' > tree/same-as-d
head -c 10000 /dev/urandom > tree/big1
cp tree/big1 tree/big2
head -c 10000 /dev/urandom > tree/trap1
head -c 10000 /dev/urandom > tree/trap2
{ head -c 5000 tree/big1; head -c 5000 /dev/urandom; } > tree/trap3
if ! bash "$ROO_SRCDIR/bench/make-corpus.sh" tree/gen 300 2M 5 \
    "$T/gen.manifest.tsv" > /dev/null 2>&1; then
	not_ok "bench/make-corpus.sh builds the test tree"
	done_testing
	exit
fi

# The program and sqlite3 run as $AS (another user) for the part with an
# unreadable file when the test runs as root.
AS=

# b_roo ARGS...: the program, as $AS, with the test's state directory.
b_roo() {
	# shellcheck disable=SC2086
	$AS "$ROO" --state-dir "$STATE" "$@"
}

# b_sq SQL: query the state database (as $AS), columns separated by
# spaces.
b_sq() {
	# shellcheck disable=SC2086
	$AS sqlite3 -batch -separator ' ' "$STATE/.roocode/state.db" "$@"
}

# b_fresh NAME: use a new, empty state directory $T/NAME.
b_fresh() {
	STATE=$T/$1
	rm -rf "$STATE"
	mkdir -p "$STATE"
	chmod 777 "$STATE"
}

# b_id FILE: the operation id announced on stderr (saved in FILE).
b_id() {
	sed -n 's/^roo-duplicates: operation: \([^ ]*\).*/\1/p' "$1" |
	    head -n 1
}

FILE_LEVEL="(type IN ('OPERATION', 'ERROR') AND file_id IS NOT NULL)"

# b_count WHERE: log rows of the operation $ID matching WHERE.
b_count() {
	b_sq "SELECT count(*) FROM log WHERE op_key = (SELECT op_key
	    FROM operation WHERE id = '$ID') AND ($1)"
}

# b_lines FILE QUERY: QUERY over lines (line), the lines of FILE that
# end in a newline.
b_lines() {
	sqlite3 -batch :memory: "WITH RECURSIVE l(line, rest) AS (
	    SELECT NULL, CAST(readfile('$1') AS TEXT)
	    UNION ALL
	    SELECT substr(rest, 1, instr(rest, char(10)) - 1),
		substr(rest, instr(rest, char(10)) + 1)
	    FROM l WHERE instr(rest, char(10)) > 0),
	    lines AS (SELECT line FROM l WHERE line IS NOT NULL) $2"
}

# b_logfile DESC: the log file of $ID holds one valid JSON line per log
# row, each row's id exactly once.
b_logfile() {
	_f=$STATE/.roocode/logs/$ID.log
	_rows=$(b_count 1)
	if [ ! -f "$_f" ]; then
		not_ok "$1: the log file $ID.log exists"
		return
	fi
	is "$1: the log file has one line per log row" \
	    "$(wc -l < "$_f" | tr -d ' ')" "$_rows"
	is "$1: the log file ends with a newline" \
	    "$(tail -c 1 "$_f" | od -An -c | tr -d ' ')" '\n'
	is "$1: every line is valid JSON" \
	    "$(b_lines "$_f" "SELECT count(*), sum(json_valid(line))
		FROM lines")" "$_rows|$_rows"
	b_lines "$_f" "SELECT json_extract(line, '\$.id') FROM lines
	    ORDER BY 1" > "$T/file-ids"
	b_sq "SELECT id FROM log WHERE op_key = (SELECT op_key FROM
	    operation WHERE id = '$ID') ORDER BY id" > "$T/row-ids"
	is "$1: no id is on two lines" \
	    "$(uniq -d "$T/file-ids" | wc -l | tr -d ' ')" 0
	if cmp -s "$T/file-ids" "$T/row-ids"; then
		ok "$1: the lines' ids are the log rows' ids"
	else
		not_ok "$1: the lines' ids are the log rows' ids"
		diff "$T/row-ids" "$T/file-ids" | head -n 6 | sed 's/^/# /'
	fi
}

# b_backfilled DESC: after backfill of $ID, one file-level entry per
# processed file, all flagged, and one GROUP entry per group.
b_backfilled() {
	_proc=$(b_sq "SELECT processed_files FROM operation
	    WHERE id = '$ID'")
	is "$1: one file-level entry per processed file" \
	    "$(b_count "$FILE_LEVEL")" "$_proc"
	is "$1: no file has two file-level entries" \
	    "$(b_sq "SELECT count(DISTINCT file_id) FROM log
		WHERE $FILE_LEVEL")" "$_proc"
	is "$1: every settled file has its entry" \
	    "$(b_sq "SELECT count(*) FROM file AS f WHERE status <> 'pending'
		AND (SELECT count(*) FROM log AS l WHERE l.file_id = f.id
		    AND l.type IN ('OPERATION', 'ERROR')) <> 1")" 0
	is "$1: every file-level entry is flagged backfilled" \
	    "$(b_count "$FILE_LEVEL AND backfilled <> 1")" 0
	is "$1: one GROUP entry per group" \
	    "$(b_count "type = 'GROUP'") $(b_sq "SELECT count(DISTINCT
		group_seq) FROM log WHERE type = 'GROUP'")" \
	    "$(b_sq "SELECT count(*) FROM dup_group") $(b_sq "SELECT
		count(*) FROM dup_group")"
}

# --- Without detailed logging. --------------------------------------------

b_fresh nolog
b_roo find --no-detailed-logging tree > "$T/nolog.out" 2> "$T/nolog.err"
is "no-detail: find exits 0" "$?" 0
ID=$(b_id "$T/nolog.err")
check "no-detail: find names its operation" test -n "$ID"
check "no-detail: the tree has duplicate groups" \
    test "$(b_sq "SELECT count(*) FROM dup_group")" -gt 3
PROC=$(b_sq "SELECT processed_files FROM operation WHERE id = '$ID'")
check "no-detail: files were processed" test "${PROC:-0}" -gt 300
is "no-detail: the log has no file-level entry" "$(b_count \
    "type = 'OPERATION' OR type = 'ERROR' AND file_id IS NOT NULL")" 0

b_roo backfill "$ID" > /dev/null 2> "$T/bf1.err"
is "no-detail: backfill exits 0" "$?" 0
check "no-detail: backfill says it added $PROC file entries or more" \
    test "$(sed -n 's/.*backfilled \([0-9]*\) log entries.*/\1/p' \
	"$T/bf1.err")" -ge "${PROC:-1}"
b_backfilled "no-detail: after backfill"
b_roo verify "$ID" > "$T/verify1" 2>&1
is "no-detail: verify exits 0 after backfill" "$?" 0
b_logfile "no-detail: after backfill"

ROWS=$(b_count 1)
b_roo backfill "$ID" > /dev/null 2> "$T/bf2.err"
is "no-detail: backfill again exits 0" "$?" 0
is "no-detail: backfill again adds no row" "$(b_count 1)" "$ROWS"
check "no-detail: backfill again says it added and appended nothing" \
    grep -q "backfilled 0 log entries; appended 0 lines" "$T/bf2.err"
b_roo verify "$ID" > /dev/null 2>&1
is "no-detail: verify still exits 0" "$?" 0
b_logfile "no-detail: after the second backfill"

# Lines deleted from the middle of the log file come back, once.
LOG=$STATE/.roocode/logs/$ID.log
FROM=$((ROWS / 3))
awk -v a="$FROM" -v b=$((FROM + 6)) 'NR < a || NR > b' "$LOG" > "$T/cut"
cat "$T/cut" > "$LOG"
is "lines deleted: 7 lines are gone" "$(wc -l < "$LOG" | tr -d ' ')" \
    $((ROWS - 7))
b_roo backfill "$ID" > /dev/null 2> "$T/bf3.err"
is "lines deleted: backfill exits 0" "$?" 0
check "lines deleted: backfill appends exactly the 7 missing lines" \
    grep -q "backfilled 0 log entries; appended 7 lines" "$T/bf3.err"
is "lines deleted: no row was added" "$(b_count 1)" "$ROWS"
b_logfile "lines deleted: after backfill"

# A torn last line: half a JSON object without its newline.
CORR=$STATE/.roocode/checkpoints/corrupted
LASTLINE=$(tail -n 1 "$LOG")
HALF=$(printf '%s' "$LASTLINE" | cut -c1-$((${#LASTLINE} / 2)))
printf '%s' "$HALF" >> "$LOG"
b_roo backfill "$ID" > /dev/null 2> "$T/bf4.err"
is "torn line: backfill exits 0" "$?" 0
check "torn line: backfill warns about it" grep -q "torn line" "$T/bf4.err"
set -- "$CORR"/"$ID".log.torn.*
check "torn line: it is set aside in checkpoints/corrupted/" \
    test $# -eq 1 -a -f "$1"
is "torn line: the saved piece is the torn line" "$(cat "$1")" "$HALF"
is "torn line: no row was added" "$(b_count 1)" "$ROWS"
b_logfile "torn line: after backfill"

# A last line cut in half, as by a crash during the append: its piece is
# set aside and the whole line appended again.
rm -f "$CORR"/*.torn.*
LASTLINE=$(tail -n 1 "$LOG")
KEEP=$((${#LASTLINE} / 2))
truncate -s $(($(stat -c %s "$LOG") - ${#LASTLINE} - 1 + KEEP)) "$LOG"
b_roo backfill "$ID" > /dev/null 2> "$T/bf5.err"
is "cut line: backfill exits 0" "$?" 0
check "cut line: backfill appends the line again" \
    grep -q "appended 1 lines" "$T/bf5.err"
set -- "$CORR"/"$ID".log.torn.*
check "cut line: the piece is set aside in checkpoints/corrupted/" \
    test $# -eq 1 -a -f "$1"
b_logfile "cut line: after backfill"
is "cut line: the line is back whole" "$(grep -cxF "$LASTLINE" "$LOG")" 1

# --- With detailed logging (the default). --------------------------------

b_fresh detailed
b_roo find tree > /dev/null 2> "$T/detailed.err"
is "detailed: find exits 0" "$?" 0
ID=$(b_id "$T/detailed.err")
PROC=$(b_sq "SELECT processed_files FROM operation WHERE id = '$ID'")
is "detailed: one file-level entry per processed file after find" \
    "$(b_count "$FILE_LEVEL")" "$PROC"
is "detailed: none is flagged backfilled" \
    "$(b_count "$FILE_LEVEL AND backfilled <> 0")" 0
ROWS=$(b_count 1)
b_roo backfill "$ID" > /dev/null 2> "$T/detailed-bf.err"
is "detailed: backfill exits 0" "$?" 0
check "detailed: backfill says it added nothing" \
    grep -q "backfilled 0 log entries" "$T/detailed-bf.err"
is "detailed: backfill adds no file-level entry" \
    "$(b_count "$FILE_LEVEL")" "$PROC"
is "detailed: backfill adds no row at all" "$(b_count 1)" "$ROWS"
b_roo verify "$ID" > /dev/null 2>&1
is "detailed: verify exits 0" "$?" 0
b_logfile "detailed: after backfill"

# --- An unreadable file, as a user who may not read it. ------------------

skip() {
	_n=$((_n + 1))
	echo "ok $_n # SKIP $*"
}

cp -Rp tree tree2
rm -rf tree2/gen
printf 'secret\n' > tree2/unreadable	# the size of d and e
chmod 000 tree2/unreadable
if [ "$(id -u)" -eq 0 ]; then
	if command -v setpriv > /dev/null 2>&1 &&
	    id nobody > /dev/null 2>&1; then
		AS="setpriv --reuid=nobody --regid=$(id -g nobody)"
		AS="$AS --clear-groups"
	else
		AS=false
	fi
	# shellcheck disable=SC2086
	$AS test -x "$ROO" -a -x "$T" -a -r tree2/a -a ! -r tree2/unreadable ||
	    AS=false
fi
if [ "$AS" = false ]; then
	skip "running as root and no other user can run the program here"
else
	for MODE in no-detail detailed; do
		b_fresh "unreadable-$MODE"
		case $MODE in
		no-detail) b_roo find --no-detailed-logging tree2 \
		    > /dev/null 2> "$T/$MODE.err" ;;
		detailed) b_roo find tree2 > /dev/null 2> "$T/$MODE.err" ;;
		esac
		is "unreadable, $MODE: find exits 3" "$?" 3
		ID=$(b_id "$T/$MODE.err")
		UID_=$(b_sq "SELECT id FROM file WHERE path = CAST(
		    'tree2/unreadable' AS BLOB)")
		is "unreadable, $MODE: the file is recorded as an error" \
		    "$(b_sq "SELECT status FROM file WHERE id = ${UID_:-0}")" \
		    error
		case $MODE in
		no-detail)
			is "unreadable, $MODE: no file-level entry" \
			    "$(b_count "$FILE_LEVEL")" 0 ;;
		detailed)
			is "unreadable, $MODE: its ERROR entry is logged" \
			    "$(b_count "type = 'ERROR' AND
				file_id = ${UID_:-0}")" 1 ;;
		esac
		ROWS=$(b_count 1)
		b_roo backfill "$ID" > /dev/null 2>&1
		is "unreadable, $MODE: backfill exits 0" "$?" 0
		case $MODE in
		no-detail)
			b_backfilled "unreadable, $MODE"
			is "unreadable, $MODE: the file has an ERROR entry" \
			    "$(b_count "type = 'ERROR' AND backfilled = 1
				AND file_id = ${UID_:-0}")" 1 ;;
		detailed)
			is "unreadable, $MODE: backfill adds nothing" \
			    "$(b_count 1)" "$ROWS"
			is "unreadable, $MODE: one entry per processed file" \
			    "$(b_count "$FILE_LEVEL")" "$(b_sq "SELECT
				processed_files FROM operation")" ;;
		esac
		b_roo verify "$ID" > /dev/null 2>&1
		is "unreadable, $MODE: verify exits 0" "$?" 0
		b_logfile "unreadable, $MODE"
	done
fi

done_testing
