#!/bin/sh
# Case 17: entries the user may not read or enter.  Run as a non-root
# user, find must finish, name every such entry in a warning, exit 3
# ("completed, but some files could not be compared"), never put an
# unreadable file in a group, and still group the readable copies.
. "$ROO_SRCDIR/tests/e2e/lib.sh"

skip_all() {
	_n=$((_n + 1))
	echo "ok $_n # SKIP $*"
	done_testing
	exit 0
}

# As root, run the program as nobody; as another user, run it directly.
if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv > /dev/null 2>&1 ||
	    skip_all "setpriv is missing"
	id nobody > /dev/null 2>&1 || skip_all "there is no user nobody"
	AS="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups"
else
	AS=
fi
NSTATE=$T/state-nobody
mkdir -p "$NSTATE"
chmod 777 "$NSTATE"
# shellcheck disable=SC2086
$AS test -x "$ROO" -a -w "$NSTATE" -a -x "$T" ||
    skip_all "the unprivileged user cannot run $ROO in $T"

# nobody ARGS...: the program as the unprivileged user.
nobody() {
	# shellcheck disable=SC2086
	$AS "$ROO" --state-dir "$NSTATE" "$@"
}

# as_nobody_formats DESC EXPECTED STATUS WARNED ARGS...: run find ARGS
# as the unprivileged user in text, JSON and -0 mode; assert the groups
# (as basenames), the exit status, a warning on stderr naming each path
# of WARNED (space-separated; the path or one under it, quoted), and no
# internal-error message.
as_nobody_formats() {
	_desc=$1
	_want=$2
	_status=$3
	_warned=$4
	shift 4
	for _mode in text json -0; do
		case $_mode in
		text) _opt= ;;
		json) _opt=--json ;;
		*) _opt=-0 ;;
		esac
		# shellcheck disable=SC2086
		nobody find $_opt "$@" > "$T/out.$_mode" 2> "$T/err.$_mode"
		_rc=$?
		case $_mode in
		text) _got=$(text_groups "$T/out.$_mode" | basenames | sort) ;;
		json) _got=$(json_groups "$T/out.$_mode" | basenames | sort) ;;
		*) _got=$(nul_groups "$T/out.$_mode" | basenames | sort) ;;
		esac
		is "$_desc ($_mode)" "$_got" "$_want"
		is "$_desc ($_mode): exit status" "$_rc" "$_status"
		for _w in $_warned; do
			check "$_desc ($_mode): warns about $_w" \
			    grep -q "'${_w}[/']" "$T/err.$_mode"
		done
		check "$_desc ($_mode): no internal error" test "$(grep -ciE \
		    'never happen|fixme|internal|assert|traceback|segm' \
		    "$T/err.$_mode")" = 0
	done
}

# --- the case as reported -------------------------------------------
D=$T/d
mkdir -p "$D"
run_case 17-unreadable-entries.sh "$D" > "$T/invocations"
cd "$D" || exit 1
read -r roots < "$T/invocations"
is "case prints one root" "$roots" p
check "as the test user, p/secret.txt cannot be read" \
    test -z "$($AS cat p/secret.txt 2>/dev/null)"

as_nobody_formats "find p: {ok/a.txt, ok/b.txt, ro/d.txt}" \
    "a.txt|b.txt|d.txt" 3 "p/locked p/secret.txt" p
is "find p: JSON group is ok/a.txt ok/b.txt ro/d.txt" \
    "$(json_files "$T/out.json" "json_extract(f.value, '\$.path')" |
    sort | paste -sd' ' -)" "p/ok/a.txt p/ok/b.txt p/ro/d.txt"
check "find p: JSON summary counts the errors" test "$(sqlite3 -batch \
    :memory: "SELECT json_extract(readfile('$T/out.json'),
	'\$.summary.errors')")" -ge 2
check "find p: no unreadable path in any output" test "$(cat \
    "$T/out.text" "$T/out.json" "$T/out.-0" | tr '\0' '\n' |
    grep -c -e secret -e locked -e c.txt)" = 0
check "find p: solo.txt not grouped" test "$(grep -c solo \
    "$T/out.text")" = 0
as_nobody_formats "find p/ok p/secret.txt: {a.txt, b.txt}" \
    "a.txt|b.txt" 3 "p/secret.txt" p/ok p/secret.txt
as_nobody_formats "find p/locked: no group, not silent" "" 3 p/locked \
    p/locked
as_nobody_formats "find p/secret.txt p/ok/a.txt: no group" "" 3 \
    p/secret.txt p/secret.txt p/ok/a.txt
as_nobody_formats "find p/ok: nothing unreadable, exit 0" "a.txt|b.txt" 0 \
    "" p/ok

# --- more ways to be unreadable ---------------------------------------
V=$T/more
mkdir -p "$V/q/ok" "$V/q/noexec" "$V/q/noread" "$V/q/deep/er/locked2" \
    "$V/q/deep/er/open"
cd "$V" || exit 1
t='readable duplicate text, more\n'
for f in q/ok/a q/ok/b q/noexec/e q/noread/f q/deep/er/g q/deep/h1 \
    q/deep/h2 q/deep/er/locked2/i q/deep/er/open/j; do
	printf "$t" > "$f"
done
printf 'a unique readable text\n' > q/ok/solo
chmod 644 q/ok/a q/ok/b q/ok/solo q/deep/er/g q/deep/er/open/j q/noexec/e \
    q/noread/f q/deep/er/locked2/i
chmod 000 q/deep/h1 q/deep/h2 q/deep/er/locked2
chmod 644 q/noexec
chmod 111 q/noread
chmod 755 "$V" q q/ok q/deep q/deep/er q/deep/er/open
as_nobody_formats "find q: {a, b, g, j}" "a|b|g|j" 3 \
    "q/noexec q/noread q/deep/h1 q/deep/h2 q/deep/er/locked2" q
check "find q: h1 and h2, equal but unreadable, never grouped" test \
    "$(json_files "$T/out.json" "json_extract(f.value, '\$.path')" |
    grep -cE '/(h1|h2|e|f|i)$')" = 0
as_nobody_formats "find q/deep/h1 q/deep/h2: no group" "" 3 \
    "q/deep/h1 q/deep/h2" q/deep/h1 q/deep/h2
as_nobody_formats "find q/deep: {g, j}" "g|j" 3 \
    "q/deep/h1 q/deep/h2 q/deep/er/locked2" q/deep
as_nobody_formats "find q/deep/er/locked2 q/ok: {a, b}" "a|b" 3 \
    q/deep/er/locked2 q/deep/er/locked2 q/ok
# The only other member of the size class is unreadable.
as_nobody_formats "find q/ok/a q/deep/h1: no group" "" 3 q/deep/h1 \
    q/ok/a q/deep/h1

# --- followed links to what cannot be reached or read -----------------
V=$T/links
mkdir -p "$V/r/data" "$V/r/locked"
cd "$V" || exit 1
printf 'linked duplicate text\n' > r/data/a
printf 'linked duplicate text\n' > r/data/b
printf 'linked duplicate text\n' > r/locked/c
printf 'linked duplicate text\n' > r/secret
ln -s ../locked/c r/data/l1
ln -s ../secret r/data/l2
chmod 644 r/data/a r/data/b r/locked/c
chmod 000 r/locked r/secret
chmod 755 "$V" r r/data
as_nobody_formats "find r/data: links left out, {a, b}" "a|b" 0 "" r/data
as_nobody_formats "find -L r/data: {a, b}, both links named" "a|b" 3 \
    "r/data/l1 r/data/l2" -L r/data
check "find -L r/data: l2 reported as unreadable, not as changed" \
    grep -q "r/data/l2'.*Permission denied" "$T/err.text"

check "every operation completed" test "$(sqlite3 -batch \
    "$NSTATE/.roocode/state.db" \
    "SELECT count(*) FROM operation WHERE state <> 'completed'")" = 0
done_testing
