#!/bin/sh
# build.sh - install what is missing, configure and build roocode.
#
#   ./build.sh           build src/roo-duplicates
#   ./build.sh check     build and run every test
#   ./build.sh sanitize  build in build-san/ with AddressSanitizer and
#                        UndefinedBehaviorSanitizer and run every test
#
# On Debian or Ubuntu it installs the packages it needs with apt-get when
# they are missing (run it as root, or with sudo available).  Safe to run
# again: it only redoes what is out of date.
set -eu
cd "$(dirname "$0")"
top=$(pwd)

need="gcc make autoconf automake libtool pkg-config libsqlite3-dev libssl-dev"
need="$need check sqlite3 openssl util-linux git python3-jsonschema"
need="$need groff-base man-db"

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
	for p in $need; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed' || missing="$missing $p"
	done
fi
if [ -n "$missing" ]; then
	echo "build.sh: installing:$missing" >&2
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing
fi

if [ ! -x configure ] || [ configure.ac -nt configure ] ||
    [ Makefile.am -nt Makefile.in ]; then
	autoreconf -fi
fi

jobs=$(nproc 2>/dev/null || echo 2)
case "${1:-}" in
sanitize)
	# A separate copy of the sources (autotools will not build out of
	# a source tree that is itself configured), built from scratch.
	rm -rf build-san
	mkdir build-san
	git ls-files -co --exclude-standard -z | grep -zv '^build-san/' |
	    tar --null --ignore-failed-read -T - -cf - | tar -C build-san -xf -
	cd build-san
	autoreconf -fi
	./configure --enable-werror --enable-sanitizers --disable-shared \
	    CFLAGS="-O1"
	make -j"$jobs"
	ASAN_OPTIONS=detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    make -j"$jobs" check
	exit
	;;
esac

if [ ! -f Makefile ] || [ configure -nt config.status ]; then
	./configure --enable-werror
fi
make -j"$jobs"
case "${1:-}" in
check)
	make -j"$jobs" check
	;;
"")
	;;
*)
	echo "usage: ./build.sh [check|sanitize]" >&2
	exit 2
	;;
esac
