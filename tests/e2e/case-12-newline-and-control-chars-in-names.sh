#!/bin/sh
# Case 12: names with newlines, control characters, invalid UTF-8 or a
# leading dash.  Every output mode must give back the exact bytes of each
# path: the JSON decodes to them (or carries them in "pathHex" when they
# are not UTF-8), -0 prints them raw, and the text listing has one escaped
# line per file that decodes to them.  Groups are compared as the hex of
# the path bytes.
. "$ROO_SRCDIR/tests/e2e/lib.sh"

# hex_of STRING: the bytes of STRING in lower-case hex, and a newline.
hex_of() {
	printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
	echo
}

# text_hex FILE: each line of a text listing decoded (\\ \n \t \r \xHH)
# and printed as hex; blank lines (group ends) kept; an unknown escape
# gives "?".
text_hex() {
	awk 'BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i }
	    $0 == "" { print ""; next }
	    { o = ""; n = length($0)
	      for (i = 1; i <= n; i++) {
		c = substr($0, i, 1)
		if (c != "\\") { o = o sprintf("%02x", ord[c]); continue }
		e = substr($0, ++i, 1)
		if (e == "n") o = o "0a"
		else if (e == "t") o = o "09"
		else if (e == "r") o = o "0d"
		else if (e == "\\") o = o "5c"
		else if (e == "x") { o = o tolower(substr($0, i + 1, 2)); i += 2 }
		else o = o "?"
	      }
	      print o }' "$1"
}

# nul_hex FILE: each NUL-terminated path of -0 output as hex, an empty
# line for each empty record (the end of a group).
nul_hex() {
	od -An -v -tx1 "$1" | tr -s ' \n' '\n\n' | awk '
	    $0 == "" { next }
	    $0 == "00" { print o; o = ""; next }
	    { o = o $0 }
	    END { if (o != "") print o "?unterminated" }'
}

# json_hex FILE: the groups of a find --json document, each path as the
# hex of its bytes (pathHex when present, else the decoded "path"),
# sorted and joined by '|'.
json_hex() {
	sqlite3 -batch :memory: "
	    SELECT (SELECT group_concat(h, '|') FROM (
		SELECT coalesce(lower(json_extract(f.value, '\$.pathHex')),
		    lower(hex(CAST(json_extract(f.value, '\$.path') AS BLOB))))
		    AS h
		FROM json_each(g.value, '\$.files') AS f ORDER BY h))
	    FROM json_each(readfile('$1'), '\$.groups') AS g;" | sort
}

# non_utf8: how many of the hex strings on stdin are not valid UTF-8
# (RFC 3629: no overlong forms, surrogates or values above U+10FFFF).
non_utf8() {
	awk 'function hv(s,  h) {
		h = "0123456789abcdef"
		return (index(h, substr(s, 1, 1)) - 1) * 16 + \
		    index(h, substr(s, 2, 1)) - 1 }
	    { n = length($0) / 2
	      for (i = 0; i < n; i++) b[i] = hv(substr($0, 2 * i + 1, 2))
	      ok = 1
	      for (i = 0; i < n && ok; i += len) {
		c = b[i]; len = 1
		if (c < 128) continue
		if (c >= 194 && c <= 223) { len = 2; cp = c - 192; min = 128 }
		else if (c >= 224 && c <= 239) { len = 3; cp = c - 224; min = 2048 }
		else if (c >= 240 && c <= 244) { len = 4; cp = c - 240; min = 65536 }
		else { ok = 0; break }
		if (i + len > n) { ok = 0; break }
		for (k = 1; k < len; k++) {
			d = b[i + k]
			if (d < 128 || d > 191) ok = 0
			cp = cp * 64 + d - 128
		}
		if (cp < min || cp > 1114111 || (cp >= 55296 && cp <= 57343))
			ok = 0
	      }
	      if (!ok) bad++ }
	    END { print bad + 0 }'
}

# member NAME: copy $T/src (the group content) to NAME, note its hex.
member() {
	cp -- "$T/src" "$1"
	hex_of "$1" >> "$T/want.hex"
}

# want_groups: the expected groups, from $T/want.hex (one group) and
# $T/want2.hex (a second group, if any).
want_groups() {
	for _f in "$T/want.hex" "$T/want2.hex"; do
		[ -s "$_f" ] && sort "$_f" | paste -sd'|' -
	done | sort
}

# odd_formats DESC ARGS...: run find ARGS in all three modes and assert
# the exact bytes of every group, plus the form of each output.
odd_formats() {
	_desc=$1
	shift
	_want=$(want_groups)
	roo -q find --json "$@" > "$T/out.json" 2>/dev/null
	is "$_desc: JSON is valid" "$(sqlite3 -batch :memory: \
	    "SELECT json_valid(readfile('$T/out.json'))")" 1
	is "$_desc (json): exact path bytes" "$(json_hex "$T/out.json")" \
	    "$_want"
	_files=$(json_files "$T/out.json" "count(*)")
	# pathHex exactly for the names that are not UTF-8, and then the
	# text "path" is still a string.
	_nonutf=$(non_utf8 < "$T/all.hex")
	is "$_desc (json): pathHex on the $_nonutf non-UTF-8 names only" \
	    "$(json_files "$T/out.json" "count(json_extract(f.value,
		'\$.pathHex'))")" "$_nonutf"
	is "$_desc (json): a pathHex file still has a text path" \
	    "$(json_files "$T/out.json" "coalesce(sum(json_extract(f.value,
		'\$.pathHex') IS NOT NULL AND json_type(f.value, '\$.path')
		IS NOT 'text'), 0)")" 0

	roo -q find "$@" > "$T/out.txt" 2>/dev/null
	text_hex "$T/out.txt" > "$T/out.txt.hex"
	is "$_desc (text): escaped lines decode to the exact bytes" \
	    "$(text_groups "$T/out.txt.hex")" "$_want"
	is "$_desc (text): one line per file" "$(grep -c . "$T/out.txt")" \
	    "$_files"
	is "$_desc (text): no raw control bytes" "$(tr -d '\n' \
	    < "$T/out.txt" | od -An -v -tx1 | tr -s ' \n' '\n\n' |
	    grep -cE '^([01][0-9a-f]|7f)$')" 0
	check "$_desc (text): valid UTF-8" iconv -f UTF-8 -t UTF-8 \
	    "$T/out.txt" -o /dev/null

	roo -q find -0 "$@" > "$T/out.nul" 2>/dev/null
	nul_hex "$T/out.nul" > "$T/out.nul.hex"
	is "$_desc (-0): exact path bytes" "$(text_groups "$T/out.nul.hex")" \
	    "$_want"
	is "$_desc (-0): every group ended by an extra NUL" \
	    "$(grep -c '^$' "$T/out.nul.hex")" \
	    "$(printf '%s\n' "$_want" | grep -c .)"
}

# --- the case as reported -------------------------------------------
D=$T/d
mkdir -p "$D"
run_case 12-newline-and-control-chars-in-names.sh "$D" > "$T/invocations"
cd "$D" || exit 1
read -r roots < "$T/invocations"
is "case prints one root" "$roots" n
: > "$T/want.hex"
: > "$T/want2.hex"
for p in n/orig.dat "$(printf 'n/sub/decoy\nname.dat')" \
    "$(printf 'n/sub/tab\tname')" "$(printf 'n/sub/cr\r')" \
    "$(printf 'n/sub/\033[31mred')"; do
	check "case: $(hex_of "$p") exists" test -f "$p"
	hex_of "$p" >> "$T/want.hex"
done
cp "$T/want.hex" "$T/all.hex"
odd_formats "find n: one group of five" n
is "find n: exit status 0" "$(find_status n)" 0
check "find n (text): no line is the decoy's path" \
    test "$(grep -cx -e 'n/sub/decoy' -e 'name.dat' "$T/out.txt")" = 0

# --- every kind of odd name ------------------------------------------
V=$T/odd
mkdir -p "$V/o"
cd "$V" || exit 1
printf 'odd names: group content\n' > "$T/src"
: > "$T/want.hex"
: > "$T/want2.hex"
member o/orig
nl='
'
tab=$(printf '\t')
for name in 'lit\nname' "lit${nl}name" "$nl" "end$nl" "${nl}start" \
    "two$nl${nl}lines" 'back\' '\x41' '\\' "$(printf 'del\177x')" \
    "$(printf 'nel\302\205x')" 'café' "$(printf 'emoji\360\237\230\200')" \
    "$(printf '\357\273\277bom')" 'sp ace|pipe' 'q"uote' "ap'os" -rf \
    --json -0 -- ' lead-space' 'trail-space ' "$(printf 'bell\007')" \
    "$(printf 'esc\033')" "$(printf 'fs\034gs\035us\037')" \
    "$(printf 'bad\377name')" "$(printf '\200lead')" \
    "$(printf 'over\300\257long')" "$(printf 'sur\355\240\200x')" \
    "$(printf 'trunc\342\202')" "$(printf 'fe\376x')" \
    "$(printf 'latin1-caf\351')"; do
	member "o/$name"
done
for dir in "dir${nl}x" "tab${tab}dir" "$(printf 'bad\377dir')" -dashdir \
    "$(printf 'cr\rdir')"; do
	mkdir "o/$dir"
	member "o/$dir/f"
done
# Decoys: what a naive reading of the names above would resolve to.
printf 'decoy lit\n' > o/lit
printf 'decoy name\n' > o/name
printf 'decoy A\n' > o/A
printf 'decoy two\n' > o/two
printf 'decoy dir\n' > o/dir
# A second group, to see groups kept apart.
printf 'odd names: second group\n' > "$T/src"
mv "$T/want.hex" "$T/want1.hex"
: > "$T/want.hex"
member "o/$(printf 'y\n1')"
member 'o/y\n1'
member "o/$(printf 'y\3771')"
mv "$T/want.hex" "$T/want2.hex"
mv "$T/want1.hex" "$T/want.hex"
cat "$T/want.hex" "$T/want2.hex" > "$T/all.hex"
check "odd names: $(wc -l < "$T/all.hex") names made" test \
    "$(find o -type f -exec printf x \; | wc -c)" -eq $(($(wc -l \
    < "$T/all.hex") + 5))
odd_formats "find o: two groups of odd names" o
is "find o: exit status 0" "$(find_status o)" 0
odd_formats "find o o (twice): two groups of odd names" o o

# --- odd root names ----------------------------------------------------
V=$T/roots
mkdir -p "$V"
cd "$V" || exit 1
printf 'odd roots: group content\n' > "$T/src"
: > "$T/want.hex"
: > "$T/want2.hex"
mkdir -- -root "$(printf 'r\nx')" "$(printf 'r\377x')"
member -root/-a
member "$(printf 'r\nx/b')"
member "$(printf 'r\377x/c')"
cp "$T/want.hex" "$T/all.hex"
odd_formats "find -- -root r<LF>x r<FF>x" -- -root "$(printf 'r\nx')" \
    "$(printf 'r\377x')"
is "find -- -root ...: exit status 0" "$(find_status -- -root \
    "$(printf 'r\nx')" "$(printf 'r\377x')")" 0

check "every operation completed" test "$(sq \
    "SELECT count(*) FROM operation WHERE state <> 'completed'")" = 0
done_testing
