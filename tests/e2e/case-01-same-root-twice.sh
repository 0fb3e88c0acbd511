#!/bin/sh
# Case 01: the same tree reached through several roots is one tree; no
# file is ever its own duplicate, whatever the spelling of the roots.
. "$ROO_SRCDIR/tests/e2e/lib.sh"

D=$T/d
mkdir -p "$D"
run_case 01-same-root-twice.sh "$D" > "$T/invocations"
cd "$D"
ln -s tree link-to-tree
printf '%s\n' "tree	link-to-tree" "tree/sub	tree" "link-to-tree/sub	tree/./sub	link-to-tree/" \
    "tree/pair-1	tree/pair-1	tree" >> "$T/invocations"

while IFS= read -r line; do
	# shellcheck disable=SC2086
	set -f; IFS='	'; set -- $line; IFS=' 	
'; set +f
	all_formats "find $*: one group {pair-1, pair-2}" "pair-1|pair-2" "$@"
	check "find $*: no file listed twice in JSON" test "$(
	    sqlite3 -batch :memory: "SELECT count(*) - count(DISTINCT
		json_extract(f.value, '\$.device') || ':' ||
		json_extract(f.value, '\$.inode'))
	    FROM json_each(readfile('$T/out.json'), '\$.groups') AS g,
		json_each(g.value, '\$.files') AS f")" = 0
done < "$T/invocations"

check "every invocation left a completed operation" test "$(sq \
    "SELECT count(*) FROM operation WHERE state <> 'completed'")" = 0
done_testing
