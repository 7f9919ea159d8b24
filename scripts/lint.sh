#!/bin/sh
# lint.sh OUR_SRC OUR_OBJ BASE_SRC STOCK_OBJ
#
# sparse (C=2) and W=1 on every object built from a file we add or patch.
# Our new files must be clean; files we patch must have no warning the
# stock build of the same file does not have.  Prints the findings and
# exits 1 if there are any.
set -u
our_src=$(realpath "$1"); our_obj=$(realpath "$2")
base_src=$(realpath "$3"); stock_obj=$(realpath "$4")
objs="mm/page_reporting.o mm/page_hinting.o mm/page_alloc.o mm/page_isolation.o mm/compaction.o mm/shuffle.o mm/vmstat.o
drivers/virtio/virtio_balloon.o"
stock_objs=$(echo $objs | sed "s|mm/page_hinting.o||")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Warnings as "file: message", without line and column numbers.
norm() {
	grep -E '(warning|error):' "$1" | grep -v '^make' |
		sed -E 's|^.*/src/[^/]+/||; s|^\.\./||; s|:[0-9]+:[0-9]+:|:|; s|:[0-9]+:|:|' |
		sort -u
}
make -s -C "$our_src" O="$our_obj" C=2 W=1 CC="ccache gcc" $objs > "$tmp/ours.log" 2>&1 ||
	{ cat "$tmp/ours.log"; exit 1; }
make -s -C "$base_src" O="$stock_obj" C=2 W=1 CC="ccache gcc" $stock_objs > "$tmp/stock.log" 2>&1 ||
	{ cat "$tmp/stock.log"; exit 1; }
norm "$tmp/ours.log" > "$tmp/ours"
norm "$tmp/stock.log" > "$tmp/stock"
comm -23 "$tmp/ours" "$tmp/stock" > "$tmp/new"
n=$(wc -l < "$tmp/new")
echo "lint: $(wc -l < "$tmp/ours") sparse/W=1 findings in our build, $(wc -l < "$tmp/stock") in stock's, $n new"
cat "$tmp/new"
[ "$n" -eq 0 ]
