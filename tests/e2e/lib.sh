# lib.sh - helpers for the end-to-end tests, which print TAP.
#
# A test sources this file, calls check/is/... once per assertion, and
# ends with done_testing.  $ROO is the program under test, $ROO_SRCDIR the
# source tree; $T is a private directory removed at exit, and $STATE the
# state directory every roo call uses.
set -u
: "${ROO:?ROO must name the roo-duplicates program}"
: "${ROO_SRCDIR:?ROO_SRCDIR must name the source tree}"
CASES=$ROO_SRCDIR/tests/cases
export LC_ALL=C

T=$(mktemp -d "${TMPDIR:-/tmp}/roo-e2e.XXXXXX")
chmod 755 "$T"
STATE=$T/state
mkdir -p "$STATE"
_n=0
_failed=0
_cleanup() {
	chmod -R u+rwx "$T" 2>/dev/null
	rm -rf "$T"
}
trap _cleanup EXIT

ok() {
	_n=$((_n + 1))
	echo "ok $_n - $*"
}

not_ok() {
	_n=$((_n + 1))
	_failed=$((_failed + 1))
	echo "not ok $_n - $*"
}

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

# check DESCRIPTION COMMAND...: one assertion, passing when COMMAND does.
check() {
	_d=$1
	shift
	if "$@"; then ok "$_d"; else not_ok "$_d"; fi
}

# is DESCRIPTION GOT EXPECTED
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "got:      $2" "expected: $3"
		return 1
	fi
}

done_testing() {
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
}

# roo ARGS...: run the program with the test's state directory.
roo() {
	"$ROO" --state-dir "$STATE" "$@"
}

# sq SQL: query the state database.
sq() {
	sqlite3 -batch "$STATE/.roocode/state.db" "$@"
}

# jq_groups FILE: the groups of a find --json document, one line per
# group, its paths sorted and joined by '|' (newline in a name as \n).
json_groups() {
	sqlite3 -batch :memory: "
	    SELECT (SELECT group_concat(p, '|') FROM (
		SELECT replace(replace(json_extract(f.value, '\$.path'),
		    char(10), '\\n'), char(13), '\\r') AS p
		FROM json_each(g.value, '\$.files') AS f ORDER BY p))
	    FROM json_each(readfile('$1'), '\$.groups') AS g;" | sort
}

# text_groups FILE: the same from the text listing (already escaped).
text_groups() {
	awk 'BEGIN { RS = ""; FS = "\n" }
	    { n = split($0, a, "\n"); s = ""
	      for (i = 1; i <= n; i++) b[i] = a[i]
	      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
		if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
	      for (i = 1; i <= n; i++) s = s (i > 1 ? "|" : "") b[i]
	      print s }' "$1" | sort
}

# nul_groups FILE: the same from -0 output.
nul_groups() {
	tr '\n\0' '\001\n' < "$1" | awk 'BEGIN { RS = "" ; FS = "\n" }
	    { n = split($0, a, "\n"); s = ""
	      for (i = 1; i <= n; i++) b[i] = a[i]
	      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
		if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
	      for (i = 1; i <= n; i++) s = s (i > 1 ? "|" : "") b[i]
	      print s }' | sed 's/\x01/\\n/g' | sort
}

# manifest DIR: "sha256  path" of every regular file under DIR, sorted.
manifest() {
	(cd "$1" && find . -type f -print0 | sort -z |
	    xargs -0 -r sha256sum) 2>/dev/null
}

# basenames: each group line with its paths cut to their last component,
# sorted within the line.
basenames() {
	awk -F'|' '{ s = ""
	    for (i = 1; i <= NF; i++) { n = split($i, p, "/"); b[i] = p[n] }
	    for (i = 1; i <= NF; i++) for (j = i + 1; j <= NF; j++)
		if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
	    for (i = 1; i <= NF; i++) s = s (i > 1 ? "|" : "") b[i]
	    print s }'
}

# run_case NAME DIR: build case NAME in DIR; prints its invocation lines.
run_case() {
	sh "$CASES/$1" "$2"
}

# all_formats DESC EXPECTED ARGS...: run find ARGS in text, JSON and -0
# mode; assert each gives EXPECTED (groups as basenames, one per line).
all_formats() {
	_desc=$1
	_want=$2
	shift 2
	roo -q find "$@" > "$T/out.txt" 2>/dev/null
	is "$_desc (text)" "$(text_groups "$T/out.txt" | basenames | sort)" \
	    "$_want"
	roo -q find --json "$@" > "$T/out.json" 2>/dev/null
	is "$_desc (json)" "$(json_groups "$T/out.json" | basenames | sort)" \
	    "$_want"
	roo -q find -0 "$@" > "$T/out.nul" 2>/dev/null
	is "$_desc (-0)" "$(nul_groups "$T/out.nul" | basenames | sort)" \
	    "$_want"
}

# inode_groups: group lines (paths joined by '|', as text_groups,
# json_groups and nul_groups print them) on stdin; each path becomes the
# label of its inode (stat -L: a followed link is its target), the
# smallest base name among that inode's names under the working
# directory, or "?PATH" when it has none there; sorted within the line.
# So it does not matter which name of an inode the program shows.  For
# names without '|', newline or backslash.
inode_groups() {
	find . -type f -exec stat -c '%d:%i %n' {} + 2>/dev/null |
	    awk '{ k = $1; sub(/^[^ ]* /, ""); n = split($0, p, "/")
		if (!(k in m) || p[n] < m[k]) m[k] = p[n] }
		END { for (k in m) print k, m[k] }' > "$T/inode-names"
	while IFS= read -r _l; do
		[ -n "$_l" ] || continue
		_o=
		_ifs=$IFS
		IFS='|'
		set -f
		for _p in $_l; do
			_k=$(stat -L -c '%d:%i' -- "$_p" 2>/dev/null) || _k=none
			_b=$(awk -v k="$_k" '$1 == k { print $2 }' \
			    "$T/inode-names")
			_o="$_o${_b:-?$_p}
"
		done
		IFS=$_ifs
		set +f
		printf '%s' "$_o" | sort | paste -sd'|' -
	done | sort
}

# all_formats_inode DESC EXPECTED ARGS...: all_formats, each file named
# by inode_groups (run it from the directory holding the tree).
all_formats_inode() {
	_desc=$1
	_want=$2
	shift 2
	roo -q find "$@" > "$T/out.txt" 2>/dev/null
	is "$_desc (text)" "$(text_groups "$T/out.txt" | inode_groups)" \
	    "$_want"
	roo -q find --json "$@" > "$T/out.json" 2>/dev/null
	is "$_desc (json)" "$(json_groups "$T/out.json" | inode_groups)" \
	    "$_want"
	roo -q find -0 "$@" > "$T/out.nul" 2>/dev/null
	is "$_desc (-0)" "$(nul_groups "$T/out.nul" | inode_groups)" \
	    "$_want"
}

# find_status ARGS...: the exit status of find ARGS (output discarded).
find_status() {
	roo -q find "$@" > /dev/null 2>&1
	echo $?
}

# json_files FILE EXPR: EXPR (SQL over f.value, a file of a find --json
# document, and g.value, its group) for every file, one line each.
json_files() {
	sqlite3 -batch :memory: "SELECT $2
	    FROM json_each(readfile('$1'), '\$.groups') AS g,
		json_each(g.value, '\$.files') AS f"
}

# op_id FILE: the operation id announced on stderr saved in FILE.
op_id() {
	sed -n 's/^roo-duplicates: operation: \([a-z0-9-]*\).*/\1/p' "$1" |
	    head -n 1
}

# corpus DIR NFILES BYTES SEED: a generated tree (bench/make-corpus.sh).
corpus() {
	bash "$ROO_SRCDIR/bench/make-corpus.sh" "$1" "$2" "$3" "$4" \
	    "$T/$(basename "$1").manifest.tsv" >/dev/null 2>&1
}

# now_ms: milliseconds since the epoch.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# delays SEED N MAX_MS: N pseudo-random delays in seconds below MAX_MS.
delays() {
	awk -v seed="$1" -v n="$2" -v max="$3" 'BEGIN { srand(seed)
	    for (i = 0; i < n; i++) printf "%.3f\n", rand() * max / 1000 }'
}

# wait_stopped PID: wait until the process is stopped (SIGSTOP).
wait_stopped() {
	_i=0
	while [ $_i -lt 500 ]; do
		case $(ps -o stat= -p "$1" 2>/dev/null) in
		T*) return 0 ;;
		"") return 1 ;;
		esac
		sleep 0.01
		_i=$((_i + 1))
	done
	return 1
}

# db_groups ID: the groups of an operation as json_groups prints them,
# read from the database.
db_groups() {
	sq "SELECT group_concat(p, '|') FROM (
	    SELECT group_id, CAST(path AS TEXT) AS p FROM dup_file
	    WHERE operation_id = '$1' ORDER BY group_id, p)
	    GROUP BY group_id" | sort
}

# same_file DESCRIPTION GOT EXPECTED: the two files are equal; on a
# difference show its first lines only.
same_file() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1"
		diag "$(diff "$3" "$2" | head -n 6 | cut -c 1-160)"
		return 1
	fi
}

# json_field FILE PATH: one value of a JSON document (sqlite3 JSON).
json_field() {
	sqlite3 -batch :memory: "SELECT json_extract(readfile('$1'), '$2')"
}

# roo_quiet ARGS...: roo with its output discarded (for check).
roo_quiet() {
	roo "$@" > /dev/null 2>&1
}

# --- apply ---------------------------------------------------------------

# skip DESCRIPTION: one assertion that cannot be made here, as a TAP skip.
skip() {
	_n=$((_n + 1))
	echo "ok $_n # SKIP $*"
}

# contents DIR...: the distinct SHA-256 of the regular files under the
# DIRs (symlinks not followed), one per line, sorted.  Any name works:
# sha256sum marks an escaped name with a leading backslash, cut here.
contents() {
	for _d in "$@"; do
		[ -d "$_d" ] || continue
		find "$_d" -type f -print0 | xargs -0 -r sha256sum
	done 2>/dev/null | awk '{ h = $1; sub(/^\\/, "", h); print h }' |
	    sort -u
}

# invariant DESC BEFORE DIR...: THE INVARIANT of every apply: each
# content listed in the file BEFORE (as contents prints them) is still
# present under one of the DIRs (the tree and the backup directory).
invariant() {
	_desc=$1
	_before=$2
	shift 2
	contents "$@" > "$T/contents.after"
	_lost=$(comm -23 "$_before" "$T/contents.after")
	if [ -n "$(cat "$_before")" ] && [ -z "$_lost" ]; then
		ok "$_desc"
	else
		not_ok "$_desc"
		diag "contents lost:" "$_lost"
		return 1
	fi
}

# fp PATH: what "untouched" means: device, inode, links, type, mode,
# size, mtime, ctime and the content's digest; "absent" when nothing is
# there.
fp() {
	if [ ! -e "$1" ] && [ ! -L "$1" ]; then
		echo absent
		return
	fi
	printf '%s %s\n' "$(stat -c '%d:%i %h %F %a %s %y %z' -- "$1")" \
	    "$(if [ -f "$1" ]; then sha256sum < "$1" | cut -c 1-64; fi)"
}

# sha PATH: the digest of one file's content.
sha() {
	sha256sum < "$1" | cut -c 1-64
}

# tree_state DIR: every name under DIR but directories, with its type,
# mode, mtime (ns), size and link target, sorted; with manifest, what
# an undo must restore exactly.
tree_state() {
	(cd "$1" && find . ! -type d -printf '%y %m %T@ %s %l\t%p\n' |
	    sort)
}

# nfiles DIR: how many regular files are under DIR.
nfiles() {
	find "$1" -type f -printf x 2>/dev/null | wc -c | tr -d " "
}
