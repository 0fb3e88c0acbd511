#!/bin/sh
# run.sh - time roo-duplicates find against the duplicate finders users
# would pick instead, on generated and real corpora.
#
# usage: bench/run.sh [-n RUNS] [-t TOOLS] [--cold N] [CORPUS...]
#
#   CORPUS   20k, 200k (make-corpus.sh, 20000 files 1G seed 1 and 200000
#            files 8G seed 2), 1m (1,000,000 small files: 1000000 2G seed
#            3), real (two copies of /usr/share, Python's library and
#            three node_modules installed with npm), or a directory.
#            Default: 20k 200k real.  Missing corpora are built under
#            $BENCH_DIR (default /var/tmp/corpus), once.
#   -n RUNS  warm runs of each tool, taken in turns (default 3)
#   -t TOOLS the peers to run, comma-separated (default
#            jdupes,fdupes,rdfind,rmlint,duff)
#   --cold N cold-cache runs of roo and jdupes, each after
#            `echo 3 > /proc/sys/vm/drop_caches` (needs root; default 1,
#            0 to skip)
#
# For every corpus it prints, per tool, the median wall time, the ratio to
# jdupes' median of the same session, the median user and system time and
# the largest peak RSS, then whether the tool's groups equal roo's,
# compared as sets of device+inode with empty files left out (the peers'
# own policies about hidden files and hard links are set so they look at
# the same files; see ../shared/bench/PEERS.md; rdfind stops 50 directory
# levels below a root, and so misses the deepest copies of the generated
# corpora).  The roo rows are:
#   roo           find with the default checkpoint interval, fresh state
#   roo-ckpt-off  find --checkpoint-interval 1000000000 (checkpoints as
#                 good as off), fresh state
#   roo-second    find again on the state of the first, the tree unchanged
#                 (hashes are reused)
# The warm runs start with one untimed run of jdupes to fill the page
# cache.  Uses src/roo-duplicates of this tree (ROO= to change);
# BENCH_KEEP=DIR keeps each tool's last output and groups there.
set -eu
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
ROO=${ROO:-$here/../src/roo-duplicates}
BENCH_DIR=${BENCH_DIR:-/var/tmp/corpus}
runs=3
cold=1
tools=jdupes,fdupes,rdfind,rmlint,duff
while [ $# -gt 0 ]; do
	case $1 in
	-n) runs=$2; shift 2 ;;
	-t) tools=$2; shift 2 ;;
	--cold) cold=$2; shift 2 ;;
	-h|--help) sed -n '2,33p' "$0"; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || set -- 20k 200k real
[ -x "$ROO" ] || { echo "run.sh: $ROO not built (./build.sh)" >&2; exit 2; }

need=
for t in $(echo "$tools" | tr , ' ') time perl; do
	command -v "$t" > /dev/null 2>&1 || need="$need $t"
done
if [ -n "$need" ]; then
	if [ "$(id -u)" = 0 ]; then
		apt-get install -y $need > /dev/null
	else
		echo "run.sh: missing:$need (apt-get install -y$need)" >&2
		exit 2
	fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# build_real DIR: the real-files corpus.  npm packages are pinned at the top
# level; what they pull in may change with the registry.
build_real() {
	mkdir -p "$1.tmp"
	cp -a /usr/share "$1.tmp/share-1"
	cp -a /usr/share "$1.tmp/share-2"
	py=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])' \
		2>/dev/null || echo /usr/lib/python3.11)
	cp -a "$py" "$1.tmp/python"
	n=0
	for set in "typescript@5.4.5 eslint@8.57.0 prettier@3.2.5" \
	    "webpack@5.91.0 eslint@8.57.0 @babel/core@7.24.4" \
	    "jest@29.7.0 typescript@5.4.5 react@18.2.0 react-dom@18.2.0"; do
		n=$((n + 1))
		mkdir -p "$1.tmp/app-$n"
		(cd "$1.tmp/app-$n" && echo '{"name":"app","version":"1.0.0"}' \
			> package.json && npm install --no-audit --no-fund \
			--ignore-scripts $set > /dev/null 2>&1)
	done
	mv "$1.tmp" "$1"
}

# corpus NAME: the directory of corpus NAME, built when missing.
corpus() {
	case $1 in
	20k) set -- c20k 20000 1G 1 ;;
	200k) set -- c200k 200000 8G 2 ;;
	1m) set -- c1m 1000000 2G 3 ;;
	real)
		[ -d "$BENCH_DIR/real" ] || build_real "$BENCH_DIR/real" >&2
		echo "$BENCH_DIR/real"
		return ;;
	*) echo "$1"; return ;;
	esac
	if [ ! -d "$BENCH_DIR/$1" ]; then
		mkdir -p "$BENCH_DIR"
		echo "building $BENCH_DIR/$1 ..." >&2
		"$here/make-corpus.sh" "$BENCH_DIR/$1" "$2" "$3" "$4" \
			> "$BENCH_DIR/$1.summary.txt"
	fi
	echo "$BENCH_DIR/$1"
}

# canon FORMAT: a tool's groups on stdin as sorted lines of device:inode
# sets, one per group of at least two non-empty inodes.
canon() {
	perl -e '
	my $fmt = shift; local $/; my $in = <STDIN>; my @groups;
	if ($fmt eq "roo") { @groups = map { [split /\0/] } split /\0\0/, $in }
	elsif ($fmt eq "rdfind") {
		my %g; for (split /\n/, $in) { next if /^#/;
			my @f = split / /, $_, 8; push @{$g{abs $f[1]}}, $f[7] }
		@groups = values %g }
	elsif ($fmt eq "duff") {
		@groups = map { [grep { length } split /\n/] }
			split /^\d+ files in cluster \d+ \(.*\n/m, $in }
	else { @groups = map { [split /\n/] } split /\n\n+/, $in }
	my @out;
	for my $g (@groups) {
		my %ino;
		for (@$g) { my @s = stat $_ or next; next unless -f _ && $s[7] > 0;
			$ino{"$s[0]:$s[1]"} = 1 }
		push @out, join(" ", sort keys %ino) if keys %ino > 1;
	}
	print "$_\n" for sort @out;' "$1"
}

# run NAME CMD...: one timed run; appends "wall user sys rss_kib" to
# $tmp/NAME.t and keeps the output in $tmp/NAME.out.
run() {
	name=$1; shift
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" > "$tmp/$name.out" \
		2> "$tmp/$name.err" || true
	cat "$tmp/time" >> "$tmp/$name.t"
}

# tool NAME DIR: run NAME on DIR once.
tool() {
	case $1 in
	roo) rm -rf "$tmp/state"
		run roo "$ROO" --state-dir "$tmp/state" -q find -0 "$2" ;;
	roo-second)
		run roo-second "$ROO" --state-dir "$tmp/state" -q find -0 "$2" ;;
	roo-ckpt-off) rm -rf "$tmp/state-off"
		run roo-ckpt-off "$ROO" --state-dir "$tmp/state-off" -q find -0 \
			--checkpoint-interval 1000000000 "$2" ;;
	jdupes) run jdupes jdupes -r -q "$2" ;;
	fdupes) run fdupes fdupes -r -q "$2" ;;
	rdfind) rm -f "$tmp/results.txt"
		run rdfind rdfind -dryrun true -outputname "$tmp/results.txt" "$2"
		cp "$tmp/results.txt" "$tmp/rdfind.out" ;;
	rmlint) rm -f "$tmp/rmlint.fd"
		(cd "$tmp" && run rmlint rmlint -T df --hidden \
			-o fdupes:"$tmp/rmlint.fd" "$2")
		cp "$tmp/rmlint.fd" "$tmp/rmlint.out" ;;
	duff) run duff duff -r -a "$2" ;;
	esac
}

format() {
	case $1 in
	roo*) echo roo ;; rdfind|duff) echo "$1" ;; *) echo fdupes ;;
	esac
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
col() { awk -v c="$1" '{ print $c }' "$2"; }

# report NAME...: the table of the timed runs.
report() {
	jd=$(col 1 "$tmp/jdupes.t" 2>/dev/null | median)
	printf '%-13s %8s %7s %7s %7s %9s  %s\n' tool median ratio user sys \
		'rss MiB' groups
	for n in "$@"; do
		[ -s "$tmp/$n.t" ] || continue
		m=$(col 1 "$tmp/$n.t" | median)
		u=$(col 2 "$tmp/$n.t" | median)
		s=$(col 3 "$tmp/$n.t" | median)
		r=$(col 4 "$tmp/$n.t" | sort -n | tail -n 1)
		canon "$(format "$n")" < "$tmp/$n.out" > "$tmp/$n.canon"
		g=$(wc -l < "$tmp/$n.canon")
		if [ "$n" = roo ]; then
			same="$g (reference)"
		elif cmp -s "$tmp/roo.canon" "$tmp/$n.canon"; then
			same="$g, same as roo"
		else
			d=$(comm -3 "$tmp/roo.canon" "$tmp/$n.canon" | wc -l)
			same="$g, DIFFERENT from roo ($d group lines differ)"
		fi
		printf '%-13s %7ss %6sx %6ss %6ss %9s  %s\n' "$n" "$m" \
			"$(awk -v a="$m" -v b="${jd:-0}" \
				'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }')" \
			"$u" "$s" "$(awk -v k="$r" 'BEGIN { printf "%.1f", k / 1024 }')" \
			"$same"
	done
}

for c in "$@"; do
	dir=$(corpus "$c")
	files=$(find "$dir" -type f | wc -l)
	bytes=$(du -sb "$dir" | cut -f1)
	echo "=== $c: $dir ($files files, $bytes bytes), $runs warm runs"
	rm -f "$tmp"/*.t
	jdupes -r -q "$dir" > /dev/null 2>&1 || true
	order="roo roo-second roo-ckpt-off $(echo "$tools" | tr , ' ')"
	for i in $(seq "$runs"); do
		for t in $order; do
			tool "$t" "$dir"
		done
	done
	report $order
	if [ -n "${BENCH_KEEP:-}" ]; then
		mkdir -p "$BENCH_KEEP/$c"
		cp "$tmp"/*.out "$tmp"/*.canon "$BENCH_KEEP/$c/"
	fi
	if [ "$cold" -gt 0 ] && [ -w /proc/sys/vm/drop_caches ]; then
		echo "--- cold cache, $cold runs"
		rm -f "$tmp"/*.t
		for i in $(seq "$cold"); do
			for t in roo jdupes; do
				sync
				echo 3 > /proc/sys/vm/drop_caches
				tool "$t" "$dir"
			done
		done
		report roo jdupes
	fi
done
