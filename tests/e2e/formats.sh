#!/bin/sh
# Formats: every JSON document the program writes matches its JSON Schema
# in docs/schema/ (docs/formats.md describes them field by field), the CSV
# export is RFC 4180 with the exact bytes of each name, a checkpoint
# document survives export, clean and import unchanged, and import refuses
# damaged documents without importing anything, and reads those of the
# earlier progress tracker.
#
# The documents come from real runs over a small tree with duplicates, a
# hard link, a FIFO (an ERROR entry), a name with a newline, a name that
# is not valid UTF-8, a root that is not valid UTF-8 and, when not root,
# an unreadable file: find --json, find -0 without detailed logging then
# backfill, a find interrupted by ROOCODE_TEST_STOP_AFTER, its checkpoint
# chain damaged, then resumed (text listing), an apply with a backup
# directory, and an archive.  Schemas are checked with /usr/bin/python3
# and Debian's python3-jsonschema (Draft7Validator); without them those
# assertions are skipped.
. "$ROO_SRCDIR/tests/e2e/lib.sh"

umask 022
cd "$T" || exit 1

SCHEMAS=$ROO_SRCDIR/docs/schema
PY=/usr/bin/python3
HAVE_PY=0
HAVE_JS=0
if [ -x "$PY" ]; then
	HAVE_PY=1
	"$PY" -c 'import jsonschema' 2>/dev/null && HAVE_JS=1
fi

# f_skip DESCRIPTION: an assertion that cannot be made here.
f_skip() {
	_n=$((_n + 1))
	echo "ok $_n # SKIP $*"
}

# The Python side: validation, the checks of a schema's strictness, CSV,
# and comparison of two JSON documents.
cat > "$T/fmt.py" <<'EOF'
import csv, io, json, sys

def load(path, lines):
    text = open(path, 'rb').read().decode('utf-8')
    if not lines:
        return [json.loads(text)]
    if not text.endswith('\n'):
        raise ValueError('the last line does not end with a newline')
    return [json.loads(l) for l in text.split('\n')[:-1]]

def where(e):
    return '/'.join(str(p) for p in e.absolute_path) or '(top)'

def validate(schema_path, path, lines=False):
    import jsonschema
    schema = json.load(open(schema_path))
    v = jsonschema.Draft7Validator(schema)
    try:
        docs = load(path, lines)
    except ValueError as e:
        print('%s: not JSON: %s' % (path, e))
        return 1
    if not docs:
        print('%s: no document' % path)
        return 1
    for i, d in enumerate(docs):
        err = jsonschema.exceptions.best_match(v.iter_errors(d))
        if err is not None:
            print('%s%s: at %s: %s' % (path, ' line %d' % (i + 1)
                if lines else '', where(err), err.message[:300]))
            return 1
    return 0

def check_schema(schema_path):
    import jsonschema
    jsonschema.Draft7Validator.check_schema(json.load(open(schema_path)))
    return 0

def mutants(schema, doc):
    # Each required field of the document's top object (or of its first
    # item, for an array), renamed and removed; and one unknown field.
    target, prefix = doc, ''
    if isinstance(doc, list):
        target, prefix = doc[0], '[0].'
    req = schema.get('required') or schema.get('items', {}).get('required', [])
    for k in req:
        for how in ('renamed', 'removed'):
            m = json.loads(json.dumps(doc))
            t = m[0] if isinstance(m, list) else m
            v = t.pop(k)
            if how == 'renamed':
                t[k[:1].upper() + k[1:] if k[:1].islower() else k.lower()] = v
            yield '%s%s %s' % (prefix, k, how), m
    m = json.loads(json.dumps(doc))
    (m[0] if isinstance(m, list) else m)['unknownField'] = 1
    yield prefix + 'unknownField added', m

def strict(schema_path, path, lines=False):
    import jsonschema
    schema = json.load(open(schema_path))
    v = jsonschema.Draft7Validator(schema)
    doc = load(path, lines)[0]
    if v.is_valid(doc) is False:
        print('the sample itself does not validate')
        return 1
    missed = [what for what, m in mutants(schema, doc) if v.is_valid(m)]
    for what in missed:
        print('accepted: %s' % what)
    return 1 if missed else 0

def nul_groups(path):
    # -0 output: each name then NUL, each group then one more NUL.
    groups, cur = [], []
    for rec in open(path, 'rb').read().split(b'\0')[:-1]:
        if rec == b'':
            groups.append(sorted(cur))
            cur = []
        else:
            cur.append(rec)
    return sorted(groups)

def csv_check(path, nul_path):
    raw = open(path, 'rb').read()
    text = raw.decode('utf-8', 'surrogateescape')
    rows = list(csv.reader(io.StringIO(text, newline=''), strict=True))
    bad = []
    if rows[:1] != [['group', 'size', 'hash', 'path']]:
        bad.append('header is %r' % (rows[:1],))
    out = io.StringIO(newline='')
    w = csv.writer(out, lineterminator='\r\n')
    w.writerows(rows)
    if out.getvalue().encode('utf-8', 'surrogateescape') != raw:
        bad.append('not RFC 4180 as written (CRLF records, minimal '
                   'quoting, quotes doubled): a re-encoding differs')
    groups = {}
    for r in rows[1:]:
        if len(r) != 4:
            bad.append('a record has %d fields: %r' % (len(r), r))
            continue
        g, size, h, p = r
        if not (g.isdigit() and size.isdigit() and len(h) == 64
                and all(c in '0123456789abcdef' for c in h)):
            bad.append('bad group, size or hash: %r' % (r[:3],))
        groups.setdefault(g, []).append(p.encode('utf-8', 'surrogateescape'))
    got = sorted(sorted(v) for v in groups.values())
    want = nul_groups(nul_path)
    if got != want:
        bad.append('names differ from the -0 listing: %r vs %r'
                   % (got[:3], want[:3]))
    for name in (b'tree/bad\xffname.txt', b'tree/sub/new\nline',
                 b'tree/with,comma "quoted".csv'):
        if not any(name in g for g in got):
            bad.append('%r is not in the CSV with its exact bytes' % name)
    for b in bad:
        print(b)
    return 1 if bad else 0

def diff(a, b, p=''):
    if type(a) != type(b) or not isinstance(a, (dict, list)):
        if a != b:
            return '%s: %s before, %s after' % (p or '(top)',
                json.dumps(a)[:100], json.dumps(b)[:100])
        return None
    if isinstance(a, dict):
        for k in list(a) + [k for k in b if k not in a]:
            r = diff(a.get(k, '<absent>'), b.get(k, '<absent>'), p + '.' + k)
            if r:
                return r
        if list(a) != list(b):
            return '%s: fields in another order' % (p or '(top)')
        return None
    if len(a) != len(b):
        return '%s: %d items before, %d after' % (p, len(a), len(b))
    for i, (x, y) in enumerate(zip(a, b)):
        r = diff(x, y, '%s[%d]' % (p, i))
        if r:
            return r
    return None

def same(a, b):
    ja, jb = json.load(open(a)), json.load(open(b))
    d = diff(ja, jb)
    if d is None and open(a, 'rb').read() != open(b, 'rb').read():
        d = 'same values, different text'
    if d:
        print(d)
        return 1
    return 0

def hexnames(path, needle, lines):
    # Every *Hex field is the exact bytes of its companion (the field
    # without "Hex", element by element for arrays), which shows them as
    # text with U+FFFD; some name holds the bytes NEEDLE.
    bad, names = [], []
    def walk(o, p):
        if isinstance(o, list):
            for i, x in enumerate(o):
                walk(x, '%s[%d]' % (p, i))
            return
        if not isinstance(o, dict):
            return
        for k, v in o.items():
            if k.endswith('Hex') and k[:-3] in o:
                hs = v if isinstance(v, list) else [v]
                ts = o[k[:-3]] if isinstance(v, list) else [o[k[:-3]]]
                if len(hs) != len(ts):
                    bad.append('%s.%s: %d names, %d in hex'
                               % (p, k, len(ts), len(hs)))
                    continue
                for h, t in zip(hs, ts):
                    if h is None:
                        continue
                    b = bytes.fromhex(h)
                    names.append(b)
                    if b.decode('utf-8', 'replace') != t:
                        bad.append('%s.%s: %r is not %r' % (p, k, b, t))
            elif k.endswith('Hex'):
                bad.append('%s.%s has no companion' % (p, k))
            walk(v, p + '.' + k)
    for doc in load(path, lines):
        walk(doc, '')
    want = bytes.fromhex(needle)
    if not any(want in n for n in names):
        bad.append('no name holds %r in hex' % want)
    for b in bad[:8]:
        print(b)
    return 1 if bad else 0

cmd, args = sys.argv[1], sys.argv[2:]
lines = 'lines' in args
args = [a for a in args if a != 'lines']
sys.exit({'validate': lambda: validate(args[0], args[1], lines),
          'check-schema': lambda: check_schema(args[0]),
          'strict': lambda: strict(args[0], args[1], lines),
          'csv': lambda: csv_check(args[0], args[1]),
          'same': lambda: same(args[0], args[1]),
          'hexnames': lambda: hexnames(args[0], args[1], lines)}[cmd]())
EOF

# py ARGS...: the Python side; its output in $T/py.out.
py() {
	"$PY" "$T/fmt.py" "$@" > "$T/py.out" 2>&1
}

# valid DESC SCHEMA FILE [lines]: FILE (or each of its lines) matches
# docs/schema/SCHEMA.schema.json.
valid() {
	if [ "$HAVE_JS" -ne 1 ]; then
		f_skip "$1 (no /usr/bin/python3 with jsonschema)"
		return
	fi
	if py validate "$SCHEMAS/$2.schema.json" "$3" ${4:+"$4"}; then
		ok "$1"
	else
		not_ok "$1"
		diag "$(head -n 5 "$T/py.out")"
	fi
}

# same_json DESC BEFORE AFTER: the two outputs are identical; the diag
# names the first field that differs.
same_json() {
	if cmp -s "$2" "$3"; then
		ok "$1"
		return
	fi
	not_ok "$1"
	if [ "$HAVE_PY" -eq 1 ]; then
		py same "$2" "$3"
		diag "$(head -n 3 "$T/py.out")"
	else
		diag "$(diff "$2" "$3" | head -n 4 | cut -c 1-160)"
	fi
}

# py_check DESC ARGS...: an assertion made by the Python side.
py_check() {
	_d=$1
	shift
	if [ "$HAVE_PY" -ne 1 ]; then
		f_skip "$_d (no /usr/bin/python3)"
		return
	fi
	if py "$@"; then
		ok "$_d"
	else
		not_ok "$_d"
		diag "$(head -n 8 "$T/py.out")"
	fi
}

# f_id FILE: the operation id announced on stderr (saved in FILE).
f_id() {
	sed -n 's/^roo-duplicates: operation: \([^ ]*\).*/\1/p' "$1" |
	    head -n 1
}

# id_of A|B|C|D: the id of that operation of the test.
id_of() {
	case $1 in
	A) echo "$A" ;;
	B) echo "$B" ;;
	C) echo "$C" ;;
	D) echo "$D" ;;
	esac
}

# f_sq SQL: query the state database.
f_sq() {
	sqlite3 -batch "$STATE/.roocode/state.db" "$@"
}

# json_without FILE PATH ID: the document FILE without the field at
# PATH, its operationId (unless that is PATH) set to ID.
json_without() {
	if [ "$2" = '$.operationId' ]; then
		sqlite3 -batch :memory: "SELECT json_remove(readfile('$1'), '$2')"
	else
		sqlite3 -batch :memory: "SELECT json_set(json_remove(
		    readfile('$1'), '$2'), '\$.operationId', '$3')"
	fi
}

# --- the tree ------------------------------------------------------------

# mktree DIR: duplicates of several sizes, a hard link, a name with a
# newline, one that is not valid UTF-8, one with a comma and quotes.
mktree() {
	mkdir -p "$1/sub"
	printf 'hello\n' > "$1/a"
	cp "$1/a" "$1/b"
	cp "$1/a" "$1/sub/new
line"
	cp "$1/a" "$1/$(printf 'bad\377name.txt')"
	ln "$1/a" "$1/a.link"
	printf 'comma\n' > "$1/with,comma \"quoted\".csv"
	cp "$1/with,comma \"quoted\".csv" "$1/plain.csv"
	head -c 10000 /dev/urandom > "$1/big1"
	cp "$1/big1" "$1/big2"
	printf 'unique\n' > "$1/u"
	_i=1
	while [ $_i -le 8 ]; do
		printf 'n%s\n' $_i > "$1/n$_i"
		cp "$1/n$_i" "$1/m$_i"
		_i=$((_i + 1))
	done
}

mktree tree
mkfifo tree/fifo
ODD=$(printf 'odd\377root')
mkdir "$ODD"
cp tree/big1 "$ODD/big3"
UNREADABLE=0
if [ "$(id -u)" -ne 0 ]; then
	printf 'secret\n' > tree/secret
	cp tree/secret tree/secret2
	chmod 000 tree/secret
	UNREADABLE=1
fi

# --- the runs ------------------------------------------------------------

# A: find --json.
roo find --json tree "$ODD" > A.json 2> A.err
is "find --json over the tree exits 3 (the FIFO is not compared)" "$?" 3
A=$(f_id A.err)

# B: find -0 without per-file log entries, then backfill.
roo find -0 --no-detailed-logging tree "$ODD" > B.nul 2> B.err
B=$(f_id B.err)
roo backfill "$B" > /dev/null 2>&1
is "backfill exits 0" "$?" 0

# C: find --json interrupted, its chain damaged, resumed (text listing).
ROOCODE_TEST_STOP_AFTER=6 roo find --json --no-reuse --checkpoint-interval 2 tree \
    "$ODD" > C.json 2> C.err
is "find stopped by ROOCODE_TEST_STOP_AFTER exits 130" "$?" 130
C=$(f_id C.err)
for f in checkpoint progress summary log; do
	roo export "$C" --format $f > "C.int.$f" 2>> C.err
done
roo status --json "$C" > C.int.status 2>> C.err
roo report --json "$C" > C.int.report 2>> C.err
CLAST=$(f_sq "SELECT checkpoints FROM operation WHERE id = '$C'")
CMID=$((CLAST / 2))
[ "$CMID" -ge 2 ] || CMID=2
f_sq "UPDATE checkpoint SET processed_files = processed_files + 1
    WHERE seq = $CMID AND op_key = (SELECT op_key FROM operation
	WHERE id = '$C')"
roo resume "$C" > C.txt 2> C.resume.err
is "resume of the damaged interrupted find exits 3" "$?" 3

# D: find --apply with a backup directory, -0 (acted listing).
mktree tree2
roo find -0 --apply --backup-dir bk tree2 > D.nul 2> D.err
is "find --apply --backup-dir exits 0" "$?" 0
D=$(f_id D.err)

check "four operations were created" test -n "$A" -a -n "$B" -a -n "$C" \
    -a -n "$D"

# Every operation's documents, and status and report.
for op in A B C D; do
	id=$(id_of $op)
	for f in checkpoint log progress summary groups csv; do
		roo export "$id" --format $f > "$op.$f" 2>> "$op.err"
	done
	roo status --json "$id" > "$op.status" 2>> "$op.err"
	roo report --json "$id" > "$op.report" 2>> "$op.err"
done

# B archived: its document under checkpoints/completed/.
roo archive "$B" > /dev/null 2>&1
is "archive exits 0" "$?" 0
roo archive "$B" > B.again.out 2>&1
is "archive of an archived operation exits 0" "$?" 0
check "archive says it was already archived" \
    grep -q "$B was already archived" B.again.out
roo archive --older-than 36500 > none.out 2>&1
is "archive with nothing old enough exits 0" "$?" 0
check "archive says there was nothing to archive" \
    grep -q "no completed operation older than 36500 days" none.out
{
	roo status --json "$B" > B.archived.status
	roo report --json "$B" > B.archived.report
	roo export "$B" --format checkpoint > B.archived.checkpoint
} 2>> B.err
is "B archived: report gives the figures it gave before the archive" \
    "$(sqlite3 -batch :memory: "SELECT json_remove(readfile('B.report'),
	'\$.archived') = json_remove(readfile('B.archived.report'),
	'\$.archived')")" 1
is "B archived: report says it is archived" \
    "$(json_field B.archived.report '$.archived')" 1
roo export "$B" --format log > B.archived.log 2> B.archived.log.err
check "B archived: export --format log says where the log went" \
    grep -q "is archived: .*checkpoints/completed/$B.json" B.archived.log.err
roo list --json > list.json
DOT=$STATE/.roocode

# --- the schemas ----------------------------------------------------------

for s in groups checkpoint log-entry progress summary list status report \
    damaged import; do
	if [ "$HAVE_JS" -ne 1 ]; then
		f_skip "$s.schema.json is a valid draft-7 schema (no jsonschema)"
	else
		check "$s.schema.json is a valid draft-7 schema" \
		    py check-schema "$SCHEMAS/$s.schema.json"
	fi
done

valid "find --json (paths with pathHex, a FIFO not compared)" groups A.json
valid "find --json interrupted (state interrupted, summary null)" groups \
    C.json
for op in A B C D; do
	id=$(id_of $op)
	valid "$op: export --format groups" groups "$op.groups"
	valid "$op: export --format checkpoint" checkpoint "$op.checkpoint"
	valid "$op: export --format log (each line)" log-entry "$op.log" lines
	valid "$op: export --format progress" progress "$op.progress"
	valid "$op: export --format summary" summary "$op.summary"
	valid "$op: status --json" status "$op.status"
	valid "$op: report --json" report "$op.report"
done
valid "C interrupted: export --format checkpoint" checkpoint \
    C.int.checkpoint
valid "C interrupted: export --format log" log-entry C.int.log lines
valid "C interrupted: export --format progress" progress C.int.progress
valid "C interrupted: export --format summary" summary C.int.summary
valid "C interrupted: status --json" status C.int.status
valid "C interrupted: report --json" report C.int.report
valid "B archived: status --json" status B.archived.status
valid "B archived: report --json" report B.archived.report
valid "B archived: export --format checkpoint" checkpoint \
    B.archived.checkpoint
valid "list --json" list list.json

# The exact bytes of names that are not valid UTF-8, in every document
# that carries names: 6f6464ff726f6f74 is the root odd\377root,
# 626164ff6e616d65 the file bad\377name.
for args in "A.checkpoint 6f6464ff726f6f74" "A.json 6f6464ff726f6f74" \
    "A.status 6f6464ff726f6f74" "A.report 6f6464ff726f6f74" \
    "list.json 6f6464ff726f6f74" "B.checkpoint 626164ff6e616d65" \
    "D.checkpoint 626164ff6e616d65" "D.groups 626164ff6e616d65"; do
	set -- $args
	py_check "$1: each *Hex field is its name's exact bytes, $2 among them" \
	    hexnames "$1" "$2"
done
py_check "A.log: filePathHex is each name's exact bytes" \
    hexnames A.log 626164ff6e616d65 lines

for f in "$DOT"/logs/*.log; do
	[ -f "$f" ] || continue
	valid "logs/$(basename "$f") (each line)" log-entry "$f" lines
done
check "backfill and resume wrote logs/ID.log" test -f "$DOT/logs/$B.log" \
    -a -f "$DOT/logs/$C.log"
n=0
for f in "$DOT"/logs/*.progress.json; do
	[ -f "$f" ] || continue
	valid "logs/$(basename "$f")" progress "$f"
	n=$((n + 1))
done
for f in "$DOT"/logs/*.summary.json; do
	[ -f "$f" ] || continue
	valid "logs/$(basename "$f")" summary "$f"
done
is "each completed operation has logs/ID.progress.json" "$n" 4
n=0
for f in "$DOT"/checkpoints/corrupted/*.json; do
	[ -f "$f" ] || continue
	valid "checkpoints/corrupted/$(basename "$f")" damaged "$f"
	n=$((n + 1))
done
is "the damaged checkpoints of C were saved as one document" "$n" 1
valid "checkpoints/completed/ID.json (the archive of B)" checkpoint \
    "$DOT/checkpoints/completed/$B.json"
for op in A B C D; do
	valid "$op: the checkpoint document is one import accepts" import \
	    "$op.checkpoint"
done

# The schemas catch a renamed, missing or unknown field.
CORRUPT=$(find "$DOT/checkpoints/corrupted" -name '*.json' | head -n 1)
for pair in groups:A.json checkpoint:A.checkpoint log-entry:A.log \
    progress:A.progress summary:A.summary list:list.json status:A.status \
    report:A.report damaged:"$CORRUPT"; do
	s=${pair%%:*}
	f=${pair#*:}
	_l=
	[ "$s" = log-entry ] && _l=lines
	_d="$s.schema.json rejects each required field renamed or removed, and an unknown one"
	if [ "$HAVE_JS" -ne 1 ]; then
		f_skip "$_d (no jsonschema)"
	else
		py_check "$_d" strict "$SCHEMAS/$s.schema.json" "$f" ${_l:+"$_l"}
	fi
done

# --- agreement between outputs -------------------------------------------

same_file "export --format groups is the document find --json printed" \
    A.groups A.json
check "the log has an ERROR entry for the FIFO" grep -q \
    '"type":"ERROR".*"filePath":"tree/fifo"' A.log
check "a STATE repaired entry follows the damage" grep -q \
    '"operation":"repaired"' C.log
if [ "$UNREADABLE" -eq 1 ]; then
	check "the unreadable file is an ERROR entry with status error" \
	    grep -q '"type":"ERROR".*"filePath":"tree/secret".*"status":"error"' \
	    A.log
else
	f_skip "unreadable file (running as root: every file is readable)"
fi
is "B archived: status says the checkpoint chain is intact (as verify does)" \
    "$(json_field B.archived.status '$.checkpointChainIntact')/$(roo verify \
    "$B" > /dev/null 2>&1; echo $?)" "1/0"

# The text listing: one escaped line per name, groups apart.
check "text listing: a newline in a name is backslash, n" grep -qxF \
    'tree/sub/new\nline' C.txt
check "text listing: a byte that is not UTF-8 is backslash, x, 2 hex digits" \
    grep -qxF \
    'tree/bad\xffname.txt' C.txt
is "text listing: one group per blank-line-separated block" \
    "$(awk 'BEGIN { RS = "" } END { print NR }' C.txt)" \
    "$(f_sq "SELECT count(*) FROM dup_group WHERE op_key = (SELECT op_key
	FROM operation WHERE id = '$C')")"
# -0: the exact bytes.
check "-0: the name that is not UTF-8 as its bytes" sh -c \
    "tr '\\0' '\\n' < B.nul | grep -qxF '$(printf 'tree/bad\377name.txt')'"
check "-0 after an apply: the kept copy as keep<TAB>name" sh -c \
    "tr '\\0' '\\n' < D.nul | grep -q '^keep	tree2/'"
check "-0 after an apply: a removed copy as removed<TAB>name" sh -c \
    "tr '\\0' '\\n' < D.nul | grep -qxF '$(printf 'removed\ttree2/bad\377name.txt')'"
py_check "CSV: RFC 4180, one record per name, exact bytes (as -0 gives them)" \
    csv B.csv B.nul

# --- round trip: export, clean, import ------------------------------------

# paths_of ID: the hex of every name the operation holds, by kind.
paths_of() {
	f_sq "SELECT 'cwd', hex(cwd) FROM operation WHERE id = '$1'
	    UNION ALL SELECT 'root', hex(path) FROM root
		WHERE op_key = (SELECT op_key FROM operation WHERE id = '$1')
	    UNION ALL SELECT 'file', hex(path) FROM file
		WHERE op_key = (SELECT op_key FROM operation WHERE id = '$1')
	    UNION ALL SELECT 'alias', hex(a.path) FROM alias AS a
		JOIN file AS f ON f.id = a.file_id
		WHERE f.op_key = (SELECT op_key FROM operation WHERE id = '$1')
	    UNION ALL SELECT 'action', hex(path) || ' ' || hex(keep_path)
		|| ' ' || coalesce(hex(backup_path), '-') FROM action
		WHERE op_key = (SELECT op_key FROM operation WHERE id = '$1')
	    ORDER BY 1, 2"
}

for op in A C D; do
	id=$(id_of $op)
	roo export "$id" --format checkpoint > "$op.rt.checkpoint"
	roo status --json "$id" > "$op.rt.status.before"
	roo export "$id" --format groups > "$op.rt.groups.before"
	roo report --json "$id" > "$op.rt.report.before"
	paths_of "$id" > "$op.rt.paths.before"
done
roo clean --older-than 0 > /dev/null 2>&1
is "clean --older-than 0 exits 0" "$?" 0
is "clean removed the finished operations" \
    "$(roo list --json | grep -c "\"$A\"\\|\"$C\"\\|\"$D\"")" 0
for op in A C D; do
	id=$(id_of $op)
	is "$op: import of its checkpoint document prints its id" \
	    "$(roo import "$op.rt.checkpoint" 2> "$op.import.err")" "$id"
	roo status --json "$id" > "$op.rt.status.after"
	roo export "$id" --format groups > "$op.rt.groups.after"
	roo report --json "$id" > "$op.rt.report.after"
	paths_of "$id" > "$op.rt.paths.after"
	same_json "$op: status --json identical after export, clean, import" \
	    "$op.rt.status.before" "$op.rt.status.after"
	same_json "$op: export --format groups identical after the round trip" \
	    "$op.rt.groups.before" "$op.rt.groups.after"
	same_json "$op: report --json identical after the round trip" \
	    "$op.rt.report.before" "$op.rt.report.after"
	if cmp -s "$op.rt.paths.before" "$op.rt.paths.after"; then
		ok "$op: import restores the exact bytes of every name"
	else
		not_ok "$op: import restores the exact bytes of every name"
		diag "differ: $(diff "$op.rt.paths.before" \
		    "$op.rt.paths.after" | sed -n 's/^[<>] \([a-z]*\)|.*/\1/p' |
		    sort -u | tr '\n' ' ')"
	fi
	check "$op: the imported operation verifies" roo_quiet verify "$id"
done

# --- import: refused documents ---------------------------------------------

roo list --json > list.before
head -c 600 A.rt.checkpoint > "$T/trunc.json"
roo import "$T/trunc.json" > /dev/null 2> trunc.err
is "import of a truncated document exits 1" "$?" 1
check "the error names the file" grep -qF "'$T/trunc.json'" trunc.err
check "the error gives a line and a column" grep -q \
    'at line [0-9][0-9]*, column [0-9][0-9]*' trunc.err
for field in operationId startTime totalFiles processedFiles state \
    checkpoints; do
	json_without A.rt.checkpoint "\$.$field" "missing-$field" \
	    > "missing-$field.json"
	roo import "missing-$field.json" > /dev/null 2> "missing-$field.err"
	_rc=$?
	if [ "$_rc" -ne 0 ] && grep -qF "\$.$field" "missing-$field.err"; then
		ok "import refuses a document without $field and names it"
	else
		not_ok "import refuses a document without $field and names it"
		diag "exit $_rc: $(cat "missing-$field.err")"
	fi
	if [ "$HAVE_JS" -eq 1 ] && py validate "$SCHEMAS/import.schema.json" \
	    "missing-$field.json"; then
		not_ok "import.schema.json rejects it too"
	elif [ "$HAVE_JS" -eq 1 ]; then
		ok "import.schema.json rejects it too"
	else
		f_skip "import.schema.json rejects it too (no jsonschema)"
	fi
done
roo import A.rt.checkpoint > /dev/null 2> again.err
is "import of an operation already there exits 1" "$?" 1
check "and says it already exists" grep -q "already exists" again.err
roo list --json > list.after
same_file "nothing was imported by the refused documents (list --json)" \
    list.after list.before

# --- import: a document of the earlier progress tracker --------------------

OLD=duplicate-detection-1700000000-abcd
cat > old.json <<EOF
{"operationId": "$OLD", "operationType": "duplicate-detection",
 "startTime": "2023-11-14T22:13:20.000Z",
 "lastCheckpointTime": "2023-11-14T22:13:25.500Z",
 "totalFiles": 4, "processedFiles": 3, "state": "running",
 "checkpointIndex": 2,
 "checkpoints": [
  {"index": 1, "timestamp": "2023-11-14T22:13:22.000Z",
   "processedFiles": 2, "operations": [
    {"timestamp": "2023-11-14T22:13:21.100Z", "filePath": "/data/a.txt",
     "operation": "hashed", "details": {"fileSize": 6, "fullHash":
     "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"}},
    {"timestamp": "2023-11-14T22:13:21.200Z", "filePath": "/data/b.txt",
     "operation": "hashed", "details": {"fileSize": 6, "fullHash":
     "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"}}]},
  {"index": 2, "timestamp": "2023-11-14T22:13:25.500Z",
   "processedFiles": 3, "operations": [
    {"timestamp": "2023-11-14T22:13:24.000Z", "filePath": "/data/c.bin",
     "operation": "analyzed", "details": {"fileSize": 1234}},
    {"timestamp": "2023-11-14T22:13:25.000Z", "groupId": "g1",
     "operation": "grouped", "files": ["/data/a.txt", "/data/b.txt"],
     "details": {"size": 6}}]}],
 "operations": [
  {"timestamp": "2023-11-14T22:13:25.600Z", "filePath": "/data/d.txt",
   "operation": "analyzed", "details": {"fileSize": 7}}]}
EOF
valid "the earlier tracker's document is one import accepts" import old.json
is "import of the earlier tracker's document prints its id" \
    "$(roo import old.json 2> old.err)" "$OLD"
roo status "$OLD" > old.status 2>&1
is "status of the imported operation exits 0" "$?" 0
check "status names it, interrupted (it was running)" grep -q \
    "^state: *interrupted" old.status
roo status --json "$OLD" > old.status.json
valid "imported: status --json" status old.status.json
roo export "$OLD" --format log > old.log
is "imported: export --format log exits 0" "$?" 0
valid "imported: export --format log (each line)" log-entry old.log lines
is "imported: one log line per operation of the document" \
    "$(grep -c . old.log)" 5
is "imported: the entries keep their checkpoints" \
    "$(sed -n 's/.*"checkpoint":\([0-9]*\).*/\1/p' old.log | tr '\n' ' ')" \
    "1 1 2 2 2 "
check "imported: file entries keep their paths" grep -q \
    '"filePath":"/data/c.bin"' old.log
roo verify "$OLD" > old.verify 2>&1
is "imported: verify exits 0" "$?" 0
check "imported: verify says ok" grep -qxF "$OLD: ok" old.verify
roo export "$OLD" --format checkpoint > old.checkpoint
valid "imported: export --format checkpoint" checkpoint old.checkpoint
roo report --json "$OLD" > old.report
valid "imported: report --json" report old.report
roo list --json > list.end.json
valid "list --json with imported operations" list list.end.json

done_testing
