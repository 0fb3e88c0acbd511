#!/bin/sh
# The man page: docs/roo-duplicates.1 documents every command and every
# option, and renders without warnings.  The options are taken from the
# program itself: the tokens --name and -x of each command's --help, and,
# when the source is at hand, the getopt_long tables and short option
# strings of src/cli.c.  Each must appear in the page in its command's
# section under COMMANDS (an option every command takes: in COMMON
# OPTIONS), so an option added to the program without the page fails
# here.  Every command of 'roo-duplicates --help' must have a section.
. "$ROO_SRCDIR/tests/e2e/lib.sh"

PAGE=$ROO_SRCDIR/docs/roo-duplicates.1
CLI=$ROO_SRCDIR/src/cli.c
cd "$T" || exit 1

if [ ! -f "$PAGE" ]; then
	not_ok "the man page $PAGE exists"
	done_testing
	exit
fi

# --- the page as text ---------------------------------------------------

# strip_source: the page without troff, for a machine without groff or
# man: .SH headings at column 0, .SS at 3, the rest at 7, as rendered.
strip_source() {
	sed -e '/^\.\\"/d' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' \
	    -e 's/\\-/-/g' -e 's/\\e/\\/g' -e 's/\\(rs/\\/g' \
	    -e 's/\\(aq/'"'"'/g' -e 's/\\(ha/^/g' -e 's/\\&//g' \
	    -e 's/\\ / /g' "$PAGE" |
	    awk '/^\.SH / { sub(/^\.SH +/, ""); gsub(/"/, ""); print; next }
		/^\.SS / { sub(/^\.SS +/, ""); gsub(/"/, "")
		    print "   " $0; next }
		/^\.(TH|PP|TP|IP|RS|RE|EX|EE|nf|fi|br|nh|nr|ad|hy)( |$)/ {
		    next }
		/^\.[A-Z]+ / { sub(/^\.[A-Z]+ +/, ""); gsub(/"/, "") }
		{ print "       " $0 }'
}

# Wide lines, so that nothing is cut; plain ASCII, no overstriking.
if command -v groff > /dev/null 2>&1; then
	groff -man -Tascii -P-cbou -rLL=1000n "$PAGE" 2> /dev/null |
	    sed 's/.\x08//g' > page.txt
elif command -v man > /dev/null 2>&1; then
	MANWIDTH=1000 man -l "$PAGE" 2> /dev/null | sed 's/.\x08//g' \
	    > page.txt
else
	diag "neither groff nor man: reading the page source"
	strip_source > page.txt
fi
[ -s page.txt ] || strip_source > page.txt

# section NAME: the text of one part of the page: "common" for COMMON
# OPTIONS, "synopsis" for SYNOPSIS, else the command NAME's subsection
# of COMMANDS (from its heading to the next heading).
section() {
	case $1 in
	common)
		awk '/^[A-Z]/ { on = ($0 == "COMMON OPTIONS") } on' page.txt ;;
	synopsis)
		awk '/^[A-Z]/ { on = ($0 == "SYNOPSIS") } on' page.txt ;;
	*)
		awk -v c="$1" '
		    /^[A-Z]/ { top = ($0 == "COMMANDS"); on = 0; next }
		    top && /^   [^ ]/ { split($0, w, " "); on = (w[1] == c) }
		    on' page.txt ;;
	esac
}

# has_token FILE OPT: OPT (--name or -x) appears in FILE as a whole word.
has_token() {
	grep -Eq -- "(^|[^A-Za-z0-9_-])$2([^A-Za-z0-9_-]|\$)" "$1"
}

# --- what the program says ------------------------------------------------

# tokens: the options named in a text on stdin, one per line.
tokens() {
	grep -oE -- '(^|[^A-Za-z0-9_$-])--?[A-Za-z0-9][A-Za-z0-9-]*' |
	    sed 's/^[^-]//' |
	    grep -E -- '^(--[A-Za-z0-9][A-Za-z0-9-]*|-[A-Za-z0-9])$'
}

# optcol: the options a help text on stdin offers: its usage line, and
# the option column of the lines that start with an option ("  -j,
# --jobs N   hashing threads": -j and --jobs), not options the prose
# mentions in passing ("as find --json prints them").
optcol() {
	awk '/^usage:/ { print; next }
	    /^[ \t]+-/ {
		out = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^-/ || $i ~ /^[A-Z][A-Z_]*,?$/)
				out = out " " $i
			else
				break
		}
		print out
	    }' | tokens
}

: > opts
: > commands
"$ROO" --help > help.main 2>&1
check "'roo-duplicates --help' exits 0" [ $? -eq 0 ]
awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }
    on && /^$/ { on = 0 }' help.main >> commands
# The usage line names the options every command takes; each line of the
# command list, that command's.
sed -n '1p' help.main | tokens | sed 's/^/common /' >> opts
awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/' help.main |
    while read -r c args; do
	printf '%s\n' "$args" | tokens | sed "s/^/$c /"
    done >> opts

for c in $(cat commands); do
	if ! "$ROO" "$c" --help > "help.$c" 2>&1; then
		not_ok "'roo-duplicates $c --help' exits 0"
		continue
	fi
	# The lines from "Common options:" on are about every command.
	awk '/^Common options:/ { exit } { print }' "help.$c" | optcol |
	    sed "s/^/$c /" >> opts
	awk '/^Common options:/ { on = 1 } on' "help.$c" | tokens |
	    sed 's/^/common /' >> opts
done

# The source: every { "name", ... } entry of the option tables (with the
# macros they include expanded; COMMON* macros are about every command),
# every letter of the short option strings passed to getopt_long, and
# every command of the command table.
if [ -f "$CLI" ]; then
	awk '
	function strings(s,    out) {
		out = ""
		while (match(s, /"[^"]*"/)) {
			out = out substr(s, RSTART + 1, RLENGTH - 2)
			s = substr(s, RSTART + RLENGTH)
		}
		return out
	}
	function longs(s, owner,    n) {
		while (match(s, /\{ *"[A-Za-z0-9-]+" *,/)) {
			n = substr(s, RSTART, RLENGTH)
			sub(/^\{ *"/, "", n)
			sub(/" *,$/, "", n)
			if (owner ~ /^@/)
				mac[substr(owner, 2)] = mac[substr(owner, 2)] \
				    " " n
			else
				print owner, "--" n
			s = substr(s, RSTART + RLENGTH)
		}
	}
	function shorts(s, owner,    i, ch) {
		for (i = 1; i <= length(s); i++) {
			ch = substr(s, i, 1)
			if (ch ~ /[A-Za-z0-9]/)
				print owner, "-" ch
		}
	}
	function cmdname(t) {
		sub(/_longopts$/, "", t)
		return t == "main" ? "common" : t
	}
	function flush_call(s,    a, n, i, args, tab, who, w) {
		sub(/.*getopt_long *\(/, "", s)
		n = split(s, a, ",")
		if (n < 4)
			return
		tab = a[4]
		gsub(/[ \t]/, "", tab)
		who = cmdname(tab)
		args = a[3]
		shorts(strings(args), who)
		# Macros naming option strings: #define X "..."
		while (match(args, /[A-Z][A-Z0-9_]*/)) {
			w = substr(args, RSTART, RLENGTH)
			shorts(smac[w], w ~ /^COMMON/ ? "common" : who)
			args = substr(args, RSTART + RLENGTH)
		}
	}
	# A #define, maybe continued over lines ending in a backslash.
	/^#define[ \t]+[A-Z][A-Z0-9_]*/ {
		def = $2
		rest = $0
		sub(/^#define[ \t]+[A-Z][A-Z0-9_]*/, "", rest)
		if (rest ~ /^[ \t]*"[^"]*"[ \t]*$/)
			smac[def] = strings(rest)
		longs(rest, "@" def)
		indef = ($0 ~ /\\$/)
		next
	}
	indef {
		longs($0, "@" def)
		indef = ($0 ~ /\\$/)
		next
	}
	/struct option [a-z_]+_longopts\[\]/ {
		t = $0
		sub(/.*struct option /, "", t)
		sub(/\[\].*/, "", t)
		intab = cmdname(t)
		next
	}
	intab != "" {
		if ($0 ~ /^};/) {
			intab = ""
			next
		}
		longs($0, intab)
		line = $0
		while (match(line, /[A-Z][A-Z0-9_]*_OPTS/)) {
			w = substr(line, RSTART, RLENGTH)
			nm = split(mac[w], names, " ")
			for (k = 1; k <= nm; k++)
				print (w ~ /^COMMON/ ? "common" : intab), \
				    "--" names[k]
			line = substr(line, RSTART + RLENGTH)
		}
		next
	}
	/getopt_long *\(/ { call = ""; incall = 1 }
	incall {
		call = call " " $0
		if (call ~ /_longopts/) {
			flush_call(call)
			incall = 0
		}
	}
	/^[ \t]*\{ *"[a-z][a-z-]*" *, *cmd_/ {
		c = $0
		sub(/^[ \t]*\{ *"/, "", c)
		sub(/".*/, "", c)
		print "command", c
	}' "$CLI" > source.txt
	grep '^command ' source.txt | cut -d' ' -f2 >> commands
	grep -v '^command ' source.txt >> opts
	n=$(grep -c -v '^command ' source.txt)
	check "the option tables of src/cli.c were read ($n options)" \
	    [ "$n" -gt 10 ]
else
	diag "no $CLI: options from --help only"
fi

sort -u commands > commands.u
sort -u opts > opts.u
section common > sec.common
section synopsis > sec.synopsis

# --- the assertions -----------------------------------------------------

for c in $(cat commands.u); do
	section "$c" > "sec.$c"
	check "command $c has a section under COMMANDS" [ -s "sec.$c" ]
	check "command $c is in the SYNOPSIS" \
	    grep -Eq "roo-duplicates .*[] ]$c( |\$)" sec.synopsis
done

while read -r c o; do
	if [ "$c" = common ]; then
		check "option $o (every command) is in COMMON OPTIONS" \
		    has_token sec.common "$o"
		continue
	fi
	[ -f "sec.$c" ] || section "$c" > "sec.$c"
	if has_token "sec.$c" "$o"; then
		ok "option $o of $c is in the page"
	elif grep -qx "common $o" opts.u && has_token sec.common "$o"; then
		ok "option $o of $c is in the page (COMMON OPTIONS)"
	else
		not_ok "option $o of $c is in the page (section '$c')"
	fi
done < opts.u

# What the source accepts but --help does not mention: not an error here
# (the page must have it all the same), worth a look.
if [ -f source.txt ]; then
	for c in $(cat commands.u); do
		miss=
		for o in $(awk -v c="$c" '$1 == c { print $2 }' source.txt); do
			tokens < "help.$c" 2>/dev/null | grep -qx -- "$o" ||
			    miss="$miss $o"
		done
		[ -z "$miss" ] || diag "'$c --help' does not mention:$miss"
	done
fi

# --- rendering ------------------------------------------------------------

# quiet RC OUT ERR: the renderer exited 0, wrote OUT and nothing on ERR.
quiet() {
	[ "$1" -eq 0 ] && [ -s "$2" ] && [ ! -s "$3" ]
}

if command -v groff > /dev/null 2>&1; then
	groff -man -Tutf8 -ww "$PAGE" > groff.out 2> groff.err
	check "groff -man -ww renders the page without warnings" \
	    quiet $? groff.out groff.err
	[ ! -s groff.err ] || diag "$(head -n 5 groff.err)"
else
	ok "groff -man -ww renders the page without warnings # SKIP no groff"
fi
if command -v man > /dev/null 2>&1; then
	MANWIDTH=80 man -l "$PAGE" > man.out 2> man.err
	check "man renders the page without messages" quiet $? man.out man.err
	[ ! -s man.err ] || diag "$(head -n 5 man.err)"
else
	ok "man renders the page without messages # SKIP no man"
fi

done_testing
