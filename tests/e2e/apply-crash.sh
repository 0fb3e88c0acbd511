#!/bin/sh
# Apply and undo killed with SIGKILL at random moments (seeded:
# ROO_CRASH_SEED replays a run) on a generated tree with a few hundred
# duplicate groups: find --apply --backup-dir B (--action remove, then
# hardlink, alternately) is killed, then resume --apply ID (killed again)
# until it completes.  After every kill THE INVARIANT holds (every
# content of the original tree is in the tree or the backup dir); the
# final tree equals that of an uninterrupted apply (--keep first makes
# the kept copies deterministic).  Then undo ID is killed and run again
# until it completes, and the tree equals the original.
# ROO_CRASH_KILLS (default 14) is the least number of kills during
# applies, half of them with each action; ROO_CRASH_FILES and ROO_CRASH_BYTES size the tree (default
# 2000 files, 30M).
. "$ROO_SRCDIR/tests/e2e/lib.sh"

KILLS=${ROO_CRASH_KILLS:-14}
SEED=${ROO_CRASH_SEED:-$(date +%s)}
diag "seed $SEED (replay with ROO_CRASH_SEED=$SEED), at least $KILLS kills"

corpus "$T/orig/tree" "${ROO_CRASH_FILES:-2000}" "${ROO_CRASH_BYTES:-30M}" 5
cd "$T/orig" || exit 1
contents tree > "$T/orig.contents"
manifest tree > "$T/orig.manifest"
tree_state tree > "$T/orig.state"
check "the generated tree has duplicates" test "$(wc -l < \
    "$T/orig.contents")" -lt "$(find tree -type f | wc -l)"

# shape DIR: every name under DIR but directories: its path, type, link
# target and the inode it shares, named by the first path of that inode.
shape() {
	(cd "$1" && find . ! -type d -printf '%p\t%i\t%y\t%l\n') | sort |
	    awk -F'\t' '{ if (!($2 in first)) first[$2] = $1
		print $1 "\t" $3 "\t" $4 "\t" first[$2] }'
}

# sq2 SQL: query the state database of the current cycle ($S).
sq2() {
	sqlite3 -batch "$S/.roocode/state.db" "$@" 2>/dev/null
}

# args KIND: the apply options of a run.
args() {
	if [ "$1" = hardlink ]; then
		echo "--apply --action hardlink --keep first --backup-dir"
	else
		echo "--apply --keep first --backup-dir"
	fi
}

# --- the uninterrupted runs ----------------------------------------------
for kind in remove hardlink; do
	R=$T/ref-$kind
	mkdir -p "$R"
	cp -a "$T/orig/tree" "$R/tree"
	cd "$R" || exit 1
	start=$(now_ms)
	# shellcheck disable=SC2046
	"$ROO" --state-dir "$R" -q find $(args $kind) "$R.backup" tree \
	    > /dev/null 2> "$R.err"
	rc=$?
	dur=$(($(now_ms) - start))
	check "uninterrupted $kind: completes (exit 0 or 3)" \
	    test "$rc" -eq 0 -o "$rc" -eq 3
	is "uninterrupted $kind: no action failed" "$(sqlite3 -batch \
	    "$R/.roocode/state.db" "SELECT count(*) FROM action
	    WHERE state NOT IN ('done', 'skipped')")" 0
	check "uninterrupted $kind: hundreds of files acted on" test \
	    "$(sqlite3 -batch "$R/.roocode/state.db" "SELECT count(*)
	    FROM action WHERE state = 'done'")" -ge 200
	invariant "uninterrupted $kind: the invariant" "$T/orig.contents" \
	    tree "$R.backup"
	shape tree > "$T/want-$kind.shape"
	manifest tree > "$T/want-$kind.manifest"
	echo "$dur" > "$T/apply-ms-$kind"
	rid=$(sqlite3 -batch "$R/.roocode/state.db" "SELECT id FROM operation")
	start=$(now_ms)
	"$ROO" --state-dir "$R" -q undo "$rid" > /dev/null 2>&1
	rc=$?
	echo $(($(now_ms) - start)) > "$T/undo-ms-$kind"
	is "uninterrupted $kind: undo exits 0" "$rc" 0
	manifest tree > "$T/manifest.now"
	same_file "uninterrupted $kind: undo restores the contents" \
	    "$T/manifest.now" "$T/orig.manifest"
	diag "$kind: apply $dur ms, undo $(cat "$T/undo-ms-$kind") ms"
done

# --- killed and resumed --------------------------------------------------
delays "$SEED" 1000 1000 > "$T/delays"
runs=0
# run MAX_MS TRIES ARGS...: the program in the background, killed after
# the next delay (scaled to MAX_MS, growing with TRIES) unless it ends
# first; sets rc (137 when killed), killed, and elapsed (ms).
run() {
	runs=$((runs + 1))
	_d=$(sed -n "$((runs % 1000 + 1))p" "$T/delays")
	_d=$(awk -v d="$_d" -v m="$1" -v t="$2" \
	    'BEGIN { printf "%.3f", d * m / 1000 * (1 + t / 6) }')
	shift 2
	_t0=$(now_ms)
	"$ROO" --state-dir "$S" "$@" > /dev/null 2> "$T/err" &
	_pid=$!
	sleep "$_d"
	killed=0
	kill -9 $_pid 2>/dev/null && killed=1
	wait $_pid 2>/dev/null
	rc=$?
	elapsed=$(($(now_ms) - _t0))
}

# adapt FILE: a first run that ended before its kill took $elapsed ms:
# when that is shorter, it is the new duration to draw the delays from
# (the machine may have been busy when the reference was timed).
adapt() {
	[ "$killed" -eq 0 ] && [ "$elapsed" -lt "$(cat "$1")" ] &&
	    echo "$elapsed" > "$1"
	return 0
}

kills_remove=0
kills_hardlink=0
akills=0
ukills=0
cycles=0
half=$(((KILLS + 1) / 2))
while [ $kills_remove -lt $half ] || [ $kills_hardlink -lt $half ]; do
	cycles=$((cycles + 1))
	if [ $cycles -gt 60 ]; then
		not_ok "not enough kills landed in 60 cycles"
		break
	fi
	# The action with fewer kills so far.
	kind=remove
	[ $kills_hardlink -lt $kills_remove ] && kind=hardlink
	C=$T/cycle$cycles
	S=$C/state
	mkdir -p "$S"
	cp -a "$T/orig/tree" "$C/tree"
	cd "$C" || exit 1
	ms=$(cat "$T/apply-ms-$kind")
	# The apply: find --apply, then resume until it completes.
	tries=0
	id=
	done=0
	bad=0
	while [ $done -eq 0 ] && [ $tries -lt 60 ]; do
		if [ -z "$id" ]; then
			# shellcheck disable=SC2046
			run "$ms" $tries find $(args $kind) "$C/backup" tree
			id=$(op_id "$T/err")
			[ -n "$id" ] || id=$(sq2 "SELECT id FROM operation
			    ORDER BY op_key DESC LIMIT 1")
		else
			as=$(sq2 "SELECT apply_state FROM operation
			    WHERE id = '$id'")
			if [ "$as" = applying ]; then
				run "$ms" $tries resume --apply "$id"
			else
				# shellcheck disable=SC2046
				run "$ms" $tries resume "$id" $(args $kind) \
				    "$C/backup"
			fi
		fi
		[ $tries -eq 0 ] && adapt "$T/apply-ms-$kind"
		tries=$((tries + 1))
		if [ $killed -eq 1 ] && [ $rc -eq 137 ]; then
			akills=$((akills + 1))
			eval "kills_$kind=\$((kills_$kind + 1))"
			invariant "cycle $cycles ($kind): the invariant after kill $tries" \
			    "$T/orig.contents" tree "$C/backup" || bad=1
		elif [ $rc -eq 0 ] || [ $rc -eq 3 ]; then
			done=1
		elif [ $rc -eq 2 ] && grep -q "already applied" "$T/err"; then
			done=1
		else
			diag "cycle $cycles: exit $rc: $(cat "$T/err")"
			[ $bad -eq 1 ] && break
			bad=1
		fi
	done
	is "cycle $cycles ($kind): the apply completed after $tries runs" \
	    "$(sq2 "SELECT apply_state FROM operation WHERE id = '$id'")" \
	    applied
	is "cycle $cycles ($kind): no action failed" "$(sq2 "SELECT count(*)
	    FROM action WHERE state NOT IN ('done', 'skipped')")" 0
	invariant "cycle $cycles ($kind): the invariant at the end" \
	    "$T/orig.contents" tree "$C/backup"
	shape tree > "$T/shape.now"
	same_file "cycle $cycles ($kind): the tree equals the uninterrupted apply's" \
	    "$T/shape.now" "$T/want-$kind.shape" ||
	    diag "actions not done here:" "$(sq2 "SELECT state || ': ' ||
		coalesce(reason, '') || ': ' || CAST(path AS TEXT)
		FROM action WHERE state <> 'done'")"
	manifest tree > "$T/manifest.now"
	same_file "cycle $cycles ($kind): its contents too" \
	    "$T/manifest.now" "$T/want-$kind.manifest"

	# The undo: killed and run again until it completes.
	ms=$(cat "$T/undo-ms-$kind")
	tries=0
	done=0
	while [ $done -eq 0 ] && [ $tries -lt 60 ]; do
		run "$ms" $tries undo "$id"
		[ $tries -eq 0 ] && adapt "$T/undo-ms-$kind"
		tries=$((tries + 1))
		if [ $killed -eq 1 ] && [ $rc -eq 137 ]; then
			ukills=$((ukills + 1))
			invariant "cycle $cycles ($kind): the invariant after undo kill $tries" \
			    "$T/orig.contents" tree "$C/backup"
		elif [ $rc -eq 0 ]; then
			done=1
		elif [ $rc -eq 2 ] && grep -q "already undone" "$T/err"; then
			done=1
		else
			diag "cycle $cycles: undo exit $rc: $(cat "$T/err")"
			break
		fi
	done
	is "cycle $cycles ($kind): the undo completed after $tries runs" \
	    "$(sq2 "SELECT apply_state FROM operation WHERE id = '$id'")" \
	    undone
	manifest tree > "$T/manifest.now"
	same_file "cycle $cycles ($kind): undo restores every path and content" \
	    "$T/manifest.now" "$T/orig.manifest"
	tree_state tree > "$T/state.now"
	same_file "cycle $cycles ($kind): and every mode and mtime" \
	    "$T/state.now" "$T/orig.state"
	cd "$T" && rm -rf "$C"
done
diag "$akills kills during applies ($kills_remove remove," \
    "$kills_hardlink hardlink), $ukills during undos, $cycles cycles"
check "at least $KILLS kills during applies" test $akills -ge "$KILLS"
check "some kills during undos" test $ukills -ge 1
done_testing
