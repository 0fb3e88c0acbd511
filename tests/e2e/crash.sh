#!/bin/sh
# Promise 1, interrupted equals uninterrupted: find and resume are killed
# with SIGKILL at random moments (seeded: ROO_CRASH_SEED replays a run),
# resumed until done, and must end with the groups of one uninterrupted
# run, a sound checkpoint chain, no log entry twice and none missing after
# backfill.  ROO_CRASH_KILLS sets the number of kills (default 20); the
# argument --long makes it 1000.  ROO_CRASH_FILES and ROO_CRASH_BYTES size
# the generated tree (default 3000 files, 40M).
. "$ROO_SRCDIR/tests/e2e/lib.sh"

KILLS=${ROO_CRASH_KILLS:-20}
[ "${1:-}" = --long ] && KILLS=1000
SEED=${ROO_CRASH_SEED:-$(date +%s)}
diag "seed $SEED (replay with ROO_CRASH_SEED=$SEED), $KILLS kills"

corpus "$T/tree" "${ROO_CRASH_FILES:-3000}" "${ROO_CRASH_BYTES:-40M}" 11
start=$(now_ms)
"$ROO" --state-dir "$T/clean" -q find --json "$T/tree" > "$T/clean.json"
dur=$(($(now_ms) - start))
json_groups "$T/clean.json" > "$T/want"
check "the uninterrupted run finds groups" test -s "$T/want"
delays "$SEED" 1000 "$dur" > "$T/delays"

kills=0
ops=0
runs=0
tries=0
# run ARGS...: one find or resume in the background, killed after the
# next delay unless it ends first; sets $rc (137 when killed).  Delays
# grow with the resumes of one operation, so each one ends.
run() {
	runs=$((runs + 1))
	d=$(sed -n "$((runs % 1000 + 1))p" "$T/delays")
	d=$(awk -v d="$d" -v t="$tries" 'BEGIN { printf "%.3f", d * (1 + t / 3) }')
	_cmd=$1
	shift
	# The program itself, not a shell function: kill must reach it.
	"$ROO" --state-dir "$STATE" "$_cmd" --json "$@" > "$T/out.json" \
	    2> "$T/err" &
	pid=$!
	sleep "${d:-0.1}"
	if kill -9 $pid 2>/dev/null; then
		kills=$((kills + 1))
	fi
	wait $pid
	rc=$?
}

while [ $kills -lt "$KILLS" ]; do
	ops=$((ops + 1))
	tries=0
	run find "$T/tree"
	id=$(op_id "$T/err")
	if [ -z "$id" ]; then
		# Killed before the operation was announced: resume the newest.
		id=$(sq "SELECT id FROM operation ORDER BY op_key DESC LIMIT 1" \
		    2>/dev/null)
	fi
	if [ -z "$id" ]; then
		[ $ops -lt $((KILLS * 3)) ] && continue
		not_ok "operation $ops was never created"
		break
	fi
	tries=0
	while [ $rc -ne 0 ] && [ $tries -lt 100 ]; do
		tries=$((tries + 1))
		run resume "$id"
		# Killed after completing, before printing: nothing to resume.
		if [ $rc -eq 2 ] && grep -q "already completed" "$T/err"; then
			rc=0
			db_groups "$id" > "$T/got"
			break
		fi
		json_groups "$T/out.json" > "$T/got"
	done
	[ $tries -gt 0 ] || json_groups "$T/out.json" > "$T/got"
	is "operation $ops ($id) completed after $tries resumes" "$rc" 0 ||
	    diag "$(cat "$T/err")"
	same_file "operation $ops: groups equal the uninterrupted run's" \
	    "$T/got" "$T/want"
	check "operation $ops: verify finds no damage" roo_quiet verify "$id"
	is "operation $ops: no file-level log entry twice" "$(sq "
	    SELECT count(*) FROM (SELECT file_id FROM log
		JOIN operation USING (op_key)
		WHERE operation.id = '$id' AND file_id IS NOT NULL
		    AND type IN ('OPERATION', 'ERROR')
		GROUP BY file_id HAVING count(*) > 1)")" 0
	roo -q backfill "$id"
	is "operation $ops: one file-level entry per processed file" "$(sq "
	    SELECT (SELECT count(*) FROM log JOIN operation USING (op_key)
		WHERE operation.id = '$id' AND file_id IS NOT NULL
		    AND type IN ('OPERATION', 'ERROR'))
		- processed_files
	    FROM operation WHERE id = '$id'")" 0
done
diag "$kills kills over $ops operations"
check "at least $KILLS kills happened" test "$kills" -ge "$KILLS"
done_testing
