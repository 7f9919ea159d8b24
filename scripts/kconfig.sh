#!/bin/sh
# kconfig.sh SRCTREE OBJDIR FRAGMENT...
# allnoconfig + fragments, then verify every requested option took effect.
set -eu
src=$1; obj=$2; shift 2
mkdir -p "$obj"
cat "$@" > "$obj/.fragment.new"
if [ -f "$obj/.config" ] && [ -f "$obj/.fragment" ] &&
   cmp -s "$obj/.fragment" "$obj/.fragment.new"; then
	rm -f "$obj/.fragment.new"
	exit 0
fi
make -s -C "$src" O="$(realpath "$obj")" KCONFIG_ALLCONFIG="$(realpath "$obj/.fragment.new")" allnoconfig >/dev/null
bad=0
grep -E '^(# )?CONFIG_' "$obj/.fragment.new" | while read -r line; do
	case $line in
	"# "*) continue ;;
	esac
	opt=${line%%=*}; val=${line#*=}
	if [ "$val" = n ]; then
		if grep -q "^$opt=" "$obj/.config"; then
			echo "kconfig: $opt should be off but is $(grep "^$opt=" "$obj/.config")" >&2
			exit 1
		fi
	elif ! grep -qx "$opt=$val" "$obj/.config"; then
		echo "kconfig: $opt=$val requested, got: $(grep "^$opt=\|^# $opt " "$obj/.config" || echo unset)" >&2
		exit 1
	fi
done || bad=1
if [ $bad -ne 0 ]; then
	rm -f "$obj/.fragment"
	exit 1
fi
mv "$obj/.fragment.new" "$obj/.fragment"
