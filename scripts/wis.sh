#!/bin/sh
# wis.sh CHECKOUT OUT: build will-it-scale's page fault tests from a
# checkout of it (never copied into this repository) for the guest:
# page_fault{1,2,3}_{processes,threads} in OUT, linked the way its own
# Makefile links them (libhwloc, shared; mkinitramfs.sh takes the
# libraries along).  The threads' pthread_cancel() dlopens libgcc_s, which
# ldd would not name: it is linked in by name so that it comes along too.
set -eu
src=$1; out=$2
for f in main.c tests/page_fault1.c tests/page_fault2.c tests/page_fault3.c; do
	if [ ! -f "$src/$f" ]; then
		echo "wis: $src is not a will-it-scale checkout (no $f)" >&2
		exit 1
	fi
done
mkdir -p "$out"
cc=${CC:-gcc}
for t in page_fault1 page_fault2 page_fault3; do
	echo "  CC      $out/${t}_processes $out/${t}_threads"
	$cc -Wall -O2 -o "$out/${t}_processes" "$src/main.c" "$src/tests/$t.c" \
		-lhwloc
	$cc -Wall -O2 -DTHREADS -o "$out/${t}_threads" "$src/main.c" \
		"$src/tests/$t.c" -pthread -lhwloc -Wl,--no-as-needed -lgcc_s
done
