#!/bin/sh
# Stopping: SIGINT and SIGTERM commit the current checkpoint, mark the
# operation interrupted, say how to resume and exit 130; a second SIGINT
# while that happens changes nothing.  resume refuses unknown, completed
# and running operations; bad command lines create no operation.
. "$ROO_SRCDIR/tests/e2e/lib.sh"

corpus "$T/tree" 1500 20M 5
"$ROO" --state-dir "$T/clean" -q find --json "$T/tree" > "$T/clean.json"
json_groups "$T/clean.json" > "$T/want"

# stop_with SIGNAL...: pause find after 300 results, send the signals,
# let it go on; sets $rc and $id.
stop_with() {
	env ROOCODE_TEST_PAUSE_AFTER=300 \
	    ROOCODE_TEST_PAUSE_AT_STOP="${PAUSE_AT_STOP:-0}" \
	    "$ROO" --state-dir "$STATE" find "$T/tree" > /dev/null \
	    2> "$T/err" &
	pid=$!
	wait_stopped $pid || not_ok "find paused itself"
	for sig in "$@"; do
		kill -"$sig" $pid
	done
	kill -CONT $pid
	if [ -n "${PAUSE_AT_STOP:-}" ]; then
		# Stopped again inside the final commit: Ctrl-C once more.
		wait_stopped $pid || not_ok "find paused in its final commit"
		kill -INT $pid
		kill -CONT $pid
	fi
	wait $pid
	rc=$?
	id=$(op_id "$T/err")
}

for how in INT TERM INT2; do
	case $how in
	INT2) PAUSE_AT_STOP=1 stop_with INT ;;
	*) stop_with "$how" ;;
	esac
	is "SIG$how: find exits 130" "$rc" 130
	check "SIG$how: stderr says how to resume" \
	    grep -qF "continue with: roo-duplicates --state-dir $STATE resume $id" \
	    "$T/err"
	hint=$(sed -n 's/^roo-duplicates: interrupted; continue with: roo-duplicates //p' \
	    "$T/err")
	is "SIG$how: the operation is interrupted" \
	    "$(sq "SELECT state FROM operation WHERE id = '$id'")" interrupted
	check "SIG$how: list shows it interrupted" \
	    sh -c "'$ROO' --state-dir '$STATE' list | grep -q '^$id  *interrupted'"
	check "SIG$how: its last checkpoint is committed and sound" \
	    roo_quiet verify "$id"
	is "SIG$how: the log says interrupted last" "$(sq "
	    SELECT operation FROM log JOIN operation USING (op_key)
	    WHERE operation.id = '$id' AND type = 'STATE'
	    ORDER BY log.id DESC LIMIT 1")" interrupted
	# The command it gives works from anywhere.
	(cd / && eval "\"\$ROO\" -q $hint --json") > "$T/res.json" 2>/dev/null
	is "SIG$how: the resume command it gives completes" "$?" 0
	json_groups "$T/res.json" > "$T/got"
	same_file "SIG$how: resumed groups equal the uninterrupted run's" \
	    "$T/got" "$T/want"
done

# Refusals.
roo resume duplicate-detection-0-dead > /dev/null 2> "$T/err"
is "resume of an unknown id exits 2" "$?" 2
is "resume of an unknown id: one line on stderr" "$(wc -l < "$T/err")" 1
roo resume "$id" > /dev/null 2> "$T/err"
is "resume of a completed operation exits 2" "$?" 2
is "resume of a completed operation: one line" "$(wc -l < "$T/err")" 1
check "resume of a completed operation says so" \
    grep -q "already completed" "$T/err"
ROOCODE_TEST_PAUSE_AFTER=100 "$ROO" --state-dir "$STATE" find "$T/tree" \
    > /dev/null 2> "$T/err.run" &
pid=$!
wait_stopped $pid
rid=$(op_id "$T/err.run")
roo resume "$rid" > /dev/null 2> "$T/err"
is "resume of a running operation exits 2" "$?" 2
check "resume of a running operation says it is running" \
    grep -q "still running" "$T/err"
roo status --json "$rid" > "$T/st.json"
is "status shows the paused operation running" \
    "$(json_field "$T/st.json" '$.state')" running
kill -9 $pid
wait $pid
roo status --json "$rid" > "$T/st.json"
is "after kill -9, status shows it interrupted" \
    "$(json_field "$T/st.json" '$.state')" interrupted
roo status no-such-id > /dev/null 2> "$T/err"
is "status of an unknown id exits 2" "$?" 2

# Bad command lines: one line, exit 2, no operation.
before=$(sq "SELECT count(*) FROM operation")
for args in "find $T/nonexistent" "find --no-such-option $T/tree" \
    "find --jobs abc $T/tree" "find --jobs 0 $T/tree" \
    "find --min-size 12X $T/tree" "find --max-size -1 $T/tree" \
    "find --checkpoint-interval 0 $T/tree" "find --min-size" \
    "find --min-size 2M --max-size 1M $T/tree" "nosuchcommand" \
    "resume" "status" "find -Z $T/tree"; do
	# shellcheck disable=SC2086
	roo $args > "$T/out" 2> "$T/err"
	is "'$args' exits 2" "$?" 2
	is "'$args' prints one line on stderr" "$(wc -l < "$T/err")" 1
	is "'$args' prints nothing on stdout" "$(wc -c < "$T/out")" 0
done
is "bad command lines created no operation" \
    "$(sq "SELECT count(*) FROM operation")" "$before"
done_testing
