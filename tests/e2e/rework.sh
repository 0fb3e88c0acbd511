#!/bin/sh
# Promise 2, bounded loss: after a SIGKILL, resume re-reads no more than
# the files of the unfinished checkpoint and those in flight.  Every file
# read is counted through ROOCODE_TEST_HASH_LOG (one line per file a
# hashing thread starts on, written before it reads), so the killed run's
# reads count too.  With --jobs 2 at most 32 jobs are being read or read
# and not yet recorded, and a checkpoint commits every 10 processed files,
# with at most 40 results in all (the first-4-KiB hashes of files to be
# hashed whole ride along): at most 39 + 32 files are read again.
. "$ROO_SRCDIR/tests/e2e/lib.sh"

SEED=${ROO_CRASH_SEED:-$(date +%s)}
diag "seed $SEED (replay with ROO_CRASH_SEED=$SEED)"
BOUND=71

corpus "$T/tree" 2000 40M 3
start=$(now_ms)
ROOCODE_TEST_HASH_LOG=$T/clean.log "$ROO" --state-dir "$T/clean" -q \
    find --jobs 2 --json "$T/tree" > "$T/clean.json"
dur=$(($(now_ms) - start))
json_groups "$T/clean.json" > "$T/want"
clean=$(wc -l < "$T/clean.log")
check "the uninterrupted run reads files" test "$clean" -gt 100
delays "$SEED" 8 "$dur" > "$T/delays"

i=0
while read -r d; do
	i=$((i + 1))
	rm -rf "$STATE" "$T/run.log"
	mkdir -p "$STATE"
	ROOCODE_TEST_HASH_LOG=$T/run.log "$ROO" --state-dir "$STATE" \
	    find --jobs 2 "$T/tree" > /dev/null 2> "$T/err" &
	pid=$!
	sleep "$d"
	kill -9 $pid 2>/dev/null
	wait $pid
	id=$(op_id "$T/err")
	[ -n "$id" ] || { ok "kill $i came before the operation # SKIP"; continue; }
	ROOCODE_TEST_HASH_LOG=$T/run.log roo -q resume --jobs 2 --json "$id" \
	    > "$T/res.json" 2> "$T/err"
	rc=$?
	# Killed after completing: nothing to resume.
	[ $rc -eq 2 ] && grep -q "already completed" "$T/err" && rc=0
	is "kill $i after ${d}s: resume completes" "$rc" 0
	total=$(wc -l < "$T/run.log")
	extra=$((total - clean))
	check "kill $i: $extra files read again (at most $BOUND)" \
	    test "$extra" -le $BOUND
	is "kill $i: no file is read three times" "$(sort "$T/run.log" |
	    uniq -c | awk '$1 > 2' | wc -l)" 0
	db_groups "$id" > "$T/got"
	same_file "kill $i: the groups equal the uninterrupted run's" \
	    "$T/got" "$T/want"
done < "$T/delays"
done_testing
