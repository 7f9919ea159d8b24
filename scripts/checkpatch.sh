#!/bin/sh
# checkpatch.sh TREE TOP: checkpatch --strict on the series and our new files.
set -u
tree=$(realpath "$1"); top=$(realpath "$2")
# CAMELCASE: the page flag helpers (__SetPageReported...) are page-flags.h API.
cp="$tree/scripts/checkpatch.pl --strict --quiet --no-summary --show-types --ignore CAMELCASE"
rc=0
for p in $(grep -v '^[[:space:]]*\(#\|$\)' "$top/patches/series"); do
	out=$(cd "$tree" && $cp --ignore FILE_PATH_CHANGES "$top/patches/$p" 2>&1) || rc=1
	[ -n "$out" ] && printf '%s\n%s\n' "== patches/$p" "$out"
done
cd "$top"
for f in $(find mm include drivers tools/testing/selftests -name "*.[ch]" 2>/dev/null | sort); do
	extra=
	# TRACE_EVENT() has its own layout, as in every include/trace header.
	case $f in include/trace/*) extra="--ignore OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT" ;; esac
	out=$(cd "$tree" && $cp $extra -f "$top/$f" 2>&1) || rc=1
	[ -n "$out" ] && printf '%s\n%s\n' "== $f" "$out"
done
[ $rc -eq 0 ] && echo "checkpatch: clean"
exit $rc
