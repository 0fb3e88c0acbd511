#!/bin/sh
# Concurrency on one state directory: two finds at once both finish with
# the right groups; status and list answer quickly while a find writes,
# and show its progress; a find killed with SIGKILL shows as interrupted,
# not running, and can be resumed.
. "$ROO_SRCDIR/tests/e2e/lib.sh"

cd "$T" || exit 1

# c_corpus DIR NFILES BYTES SEED: a generated tree.
c_corpus() {
	bash "$ROO_SRCDIR/bench/make-corpus.sh" "$1" "$2" "$3" "$4" \
	    "$T/$1.manifest.tsv" > /dev/null 2>&1
}

# c_id FILE: the operation id announced on stderr (saved in FILE).
c_id() {
	sed -n 's/^roo-duplicates: operation: \([^ ]*\).*/\1/p' "$1" |
	    head -n 1
}

# c_fresh NAME: use a new, empty state directory $T/NAME.
c_fresh() {
	STATE=$T/$1
	rm -rf "$STATE"
	mkdir -p "$STATE"
}

# c_json FILE EXPR: EXPR (a JSON path) of the JSON document in FILE.
c_json() {
	sqlite3 -batch :memory: "SELECT json_extract(readfile('$1'), '$2')"
}

# c_ms: milliseconds since the epoch.
c_ms() {
	echo $(($(date +%s%N) / 1000000))
}

if ! c_corpus ta 3000 30M 11 || ! c_corpus tb 3000 30M 12 ||
    ! c_corpus big 20000 200M 13; then
	not_ok "bench/make-corpus.sh builds the test trees"
	done_testing
	exit
fi

# --- Two finds at once on one state directory. ---------------------------

for t in ta tb; do
	c_fresh "ref-$t"
	roo find --json "$t" > "$T/ref-$t.json" 2> /dev/null
	is "reference find of $t in its own state directory exits 0" "$?" 0
	json_groups "$T/ref-$t.json" > "$T/ref-$t.groups"
done
check "the lone runs find groups in both trees" \
    test -s "$T/ref-ta.groups" -a -s "$T/ref-tb.groups"

# c_pair NAME ARGS...: start find ARGS ta and find ARGS tb together in
# the background on the state directory $STATE; wait for both.  Sets
# RA, RB (exit statuses), IA, IB (operation ids); the groups printed in
# $T/NAME-ta.json and $T/NAME-tb.json.
c_pair() {
	_nm=$1
	shift
	"$ROO" --state-dir "$STATE" find --json "$@" ta \
	    > "$T/$_nm-ta.json" 2> "$T/$_nm-ta.err" &
	_pa=$!
	"$ROO" --state-dir "$STATE" find --json "$@" tb \
	    > "$T/$_nm-tb.json" 2> "$T/$_nm-tb.err" &
	_pb=$!
	wait "$_pa"
	RA=$?
	wait "$_pb"
	RB=$?
	IA=$(c_id "$T/$_nm-ta.err")
	IB=$(c_id "$T/$_nm-tb.err")
}

# c_same_groups NAME T: the groups find printed in $T/NAME-T.json are
# those of the lone run.
c_same_groups() {
	json_groups "$T/$1-$2.json" 2> /dev/null | cmp -s - "$T/ref-$2.groups"
}

# Both started at once on a state directory that does not exist yet, so
# that both create the database.  Ten times: a race shows only sometimes.
FAILED=0
WRONG=0
for r in 1 2 3 4 5 6 7 8 9 10; do
	c_fresh "new-$r"
	rmdir "$STATE"
	c_pair "new-$r"
	for x in "ta $RA" "tb $RB"; do
		# shellcheck disable=SC2086
		set -- $x
		if [ "$2" -ne 0 ]; then
			FAILED=$((FAILED + 1))
			[ "$FAILED" -gt 1 ] ||
			    diag "round $r, find $1 exited $2:" \
				"$(cat "$T/new-$r-$1.err")"
		elif ! c_same_groups "new-$r" "$1"; then
			WRONG=$((WRONG + 1))
		fi
	done
done
is "two finds started at once on a new state directory: all 20 exit 0" \
    "$FAILED" 0
is "two finds started at once on a new state directory: right groups" \
    "$WRONG" 0

# Both started at once on an existing state directory, checkpointing
# after every result so that the two writers contend hardest.
c_fresh shared
roo list > /dev/null 2>&1
c_pair shared --checkpoint-interval 1
is "concurrent find of ta exits 0" "$RA" 0
is "concurrent find of tb exits 0" "$RB" 0
[ "$RA$RB" = 00 ] ||
    diag "stderr:" "$(cat "$T/shared-ta.err" "$T/shared-tb.err")"
check "the two finds are two operations" test -n "$IA" -a -n "$IB" \
    -a "$IA" != "$IB"
for t in ta tb; do
	if c_same_groups shared "$t"; then
		ok "concurrent find of $t prints the groups of a lone run"
	else
		not_ok "concurrent find of $t prints the groups of a lone run"
		json_groups "$T/shared-$t.json" | diff "$T/ref-$t.groups" - |
		    cut -c1-160 | head -n 6 | sed 's/^/# /'
	fi
done
is "both operations completed" "$(sq "SELECT group_concat(state, ' ')
    FROM (SELECT state FROM operation WHERE id IN ('$IA', '$IB')
    ORDER BY id)")" "completed completed"
is "the two runs overlapped in time" "$(sq "SELECT a.start_time <
    b.end_time AND b.start_time < a.end_time FROM operation AS a,
    operation AS b WHERE a.id = '$IA' AND b.id = '$IB'")" 1
roo verify > "$T/verify-shared" 2>&1
is "verify exits 0 after the two finds" "$?" 0
[ -s "$T/verify-shared" ] && diag "$(cat "$T/verify-shared")"

# --- status and list while a find runs. ----------------------------------

c_fresh watched
"$ROO" --state-dir "$STATE" find --json --checkpoint-interval 1 -j 1 big \
    > "$T/big.json" 2> "$T/big.err" &
PF=$!
: > "$T/polls"
SLOW=0
BAD=0
ID=
while kill -0 "$PF" 2> /dev/null; do
	[ -n "$ID" ] || ID=$(c_id "$T/big.err")
	if [ -n "$ID" ]; then
		t0=$(c_ms)
		timeout 2 "$ROO" --state-dir "$STATE" status --json "$ID" \
		    > "$T/status.json" 2> "$T/status.err"
		rc=$?
		t1=$(c_ms)
		if [ "$rc" -eq 0 ]; then
			echo "$(c_json "$T/status.json" '$.state')" \
			    "$(c_json "$T/status.json" '$.processedFiles')" \
			    >> "$T/polls"
		else
			BAD=$((BAD + 1))
			diag "status exited $rc: $(cat "$T/status.err")"
		fi
		[ $((t1 - t0)) -lt 2000 ] || SLOW=$((SLOW + 1))
		timeout 2 "$ROO" --state-dir "$STATE" list \
		    > "$T/list.txt" 2> "$T/list.err"
		rc=$?
		if [ "$rc" -ne 0 ]; then
			BAD=$((BAD + 1))
			diag "list exited $rc: $(cat "$T/list.err")"
		elif grep -q "^$ID  *running " "$T/list.txt"; then
			echo list-running >> "$T/polls"
		fi
	fi
	sleep 0.05
done
wait "$PF"
is "the watched find exits 0" "$?" 0
json_groups "$T/big.json" > "$T/big.groups"
is "every status and list call exited 0" "$BAD" 0
is "every status call returned within 2 seconds" "$SLOW" 0
RUNNING=$(grep -c '^running ' "$T/polls")
diag "$(grep -vc '^list-' "$T/polls") status calls, $RUNNING while running"
check "status showed the find running" test "$RUNNING" -ge 1
check "list showed the find running" grep -q '^list-running$' "$T/polls"
# shellcheck disable=SC2016
check "the processed count grew between two status calls" awk '
    $1 == "running" { if (seen && $2 > last) grew = 1; last = $2; seen = 1 }
    END { exit !grew }' "$T/polls"
# shellcheck disable=SC2016
check "the processed count never went down" awk '
    $1 == "running" || $1 == "completed" {
	if (seen && $2 < last) bad = 1; last = $2; seen = 1 }
    END { exit bad }' "$T/polls"
timeout 2 "$ROO" --state-dir "$STATE" status --json "$ID" \
    > "$T/status.json" 2> /dev/null
is "status after the end exits 0" "$?" 0
is "status shows the completed state at the end" \
    "$(c_json "$T/status.json" '$.state')" completed
is "status at the end counts every file processed" \
    "$(c_json "$T/status.json" '$.processedFiles')" \
    "$(c_json "$T/status.json" '$.totalFiles')"

# --- A find killed with SIGKILL. ------------------------------------------

c_fresh killed
"$ROO" --state-dir "$STATE" find --checkpoint-interval 1 -j 1 big \
    > "$T/killed.out" 2> "$T/killed.err" &
PK=$!
ID=
i=0
# Wait until it has made progress (at most 20 s).
while [ $i -lt 400 ] && kill -0 "$PK" 2> /dev/null; do
	[ -n "$ID" ] || ID=$(c_id "$T/killed.err")
	if [ -n "$ID" ] && timeout 2 "$ROO" --state-dir "$STATE" status \
	    --json "$ID" > "$T/status.json" 2> /dev/null &&
	    [ "$(c_json "$T/status.json" '$.processedFiles')" -gt 100 ]; then
		break
	fi
	sleep 0.05
	i=$((i + 1))
done
check "the find to kill is still running" kill -0 "$PK"
kill -9 "$PK" 2> /dev/null
wait "$PK" 2> /dev/null
is "the killed find died of SIGKILL" "$?" 137
check "the operation is known" test -n "$ID"
roo list > "$T/list.txt" 2> "$T/list.err"
is "list exits 0 after the kill" "$?" 0
check "list shows the killed find as interrupted" \
    grep -q "^$ID  *interrupted " "$T/list.txt"
check "list does not show it running" \
    test -z "$(grep "^$ID  *running " "$T/list.txt")"
roo list --active-only --json > "$T/active.json" 2> /dev/null
is "list --active-only --json shows it interrupted" "$(sqlite3 -batch \
    :memory: "SELECT json_extract(value, '\$.state') FROM
    json_each(readfile('$T/active.json')) WHERE json_extract(value,
    '\$.operationId') = '$ID'")" interrupted
roo status "$ID" > "$T/status.txt" 2> /dev/null
is "status exits 0 after the kill" "$?" 0
check "status shows it interrupted" grep -q '^state: *interrupted$' \
    "$T/status.txt"
roo status --json "$ID" > "$T/status.json" 2> /dev/null
is "status --json shows it interrupted" \
    "$(c_json "$T/status.json" '$.state')" interrupted
roo resume --json "$ID" > "$T/resumed.json" 2> "$T/resume.err"
is "resume of the killed find exits 0" "$?" 0
if json_groups "$T/resumed.json" | cmp -s - "$T/big.groups"; then
	ok "the resumed find prints the groups of an uninterrupted run"
else
	not_ok "the resumed find prints the groups of an uninterrupted run"
	diag "$(cat "$T/resume.err")"
fi
roo verify "$ID" > /dev/null 2>&1
is "verify exits 0 after the resume" "$?" 0

done_testing
