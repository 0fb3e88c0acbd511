#!/bin/sh
# resume.sh - how long a resume takes after a kill -9 at about 90% of the
# hashing, against a full uninterrupted run (issue 3: at most a fifth).
#
# usage: bench/resume.sh CORPUS [RUNS]
#
# Runs find on CORPUS RUNS times (default 3) for the full time, then RUNS
# times: find paused (ROOCODE_TEST_PAUSE_AT_BYTES) once it has hashed 90%
# of the bytes a full run hashes, killed with SIGKILL, and resumed; prints
# the medians and the ratio.  Uses src/roo-duplicates of this tree.
set -eu
ROO=${ROO:-$(cd "$(dirname "$0")/.." && pwd)/src/roo-duplicates}
corpus=$1
runs=${2:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

: > "$tmp/full"
for i in $(seq "$runs"); do
	rm -rf "$tmp/s"
	t=$(ms)
	"$ROO" --state-dir "$tmp/s" -q find "$corpus" > /dev/null || true
	echo $(($(ms) - t)) >> "$tmp/full"
done
# Pause once 90% of the bytes a full run hashes were hashed.
total=$(sqlite3 "$tmp/s/.roocode/state.db" "SELECT bytes_read FROM operation")
at=$((total * 9 / 10))

: > "$tmp/resume"
for i in $(seq "$runs"); do
	rm -rf "$tmp/s"
	ROOCODE_TEST_PAUSE_AT_BYTES=$at "$ROO" --state-dir "$tmp/s" find \
	    "$corpus" > /dev/null 2> "$tmp/err" &
	pid=$!
	# Wait until it stopped itself (or ended before the mark).
	while [ -e "/proc/$pid" ] &&
	    [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != T ]; do
		sleep 0.01
	done
	kill -9 $pid 2>/dev/null || true
	wait $pid || true
	id=$(sed -n 's/^roo-duplicates: operation: \([a-z0-9-]*\).*/\1/p' \
	    "$tmp/err")
	t=$(ms)
	"$ROO" --state-dir "$tmp/s" -q resume "$id" > /dev/null || true
	echo $(($(ms) - t)) >> "$tmp/resume"
done
full=$(median < "$tmp/full")
res=$(median < "$tmp/resume")
echo "full run: median ${full} ms ($(tr '\n' ' ' < "$tmp/full"))"
echo "resume after kill at 90% of hashing ($at bytes): median ${res} ms" \
    "($(tr '\n' ' ' < "$tmp/resume"))"
awk -v f="$full" -v r="$res" 'BEGIN { printf "ratio: %.3f\n", r / f }'
