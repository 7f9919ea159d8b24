#!/bin/sh
# prepare-tree.sh BASE DEST OURS
#
# Make DEST = BASE + our new files (from OURS: mm/ include/ drivers/
# Documentation/ tools/ in kernel layout) + the quilt series in
# OURS/patches.  Only files whose content really changed are rewritten, so
# an O= build of DEST stays incremental.  The first run copies BASE whole.
set -eu
base=$1; dest=$2; ours=$3
stage=$dest.stage
list=$dest.overlay	# files we overlaid last time

if [ -d "$dest" ] && ! cmp -s "$base/.version" "$dest/.base-version"; then
	echo "  RESET   $dest (base changed)"
	rm -rf "$dest"
fi
if [ ! -d "$dest" ]; then
	echo "  COPY    $base -> $dest"
	rm -rf "$dest.tmp"
	cp -a "$base" "$dest.tmp"
	cp "$base/.version" "$dest.tmp/.base-version"
	mv "$dest.tmp" "$dest"
	: > "$list"
fi

# The set of files the overlay may touch: ours, the patches', last time's.
files=$(mktemp)
trap 'rm -f "$files"' EXIT
(
	cd "$ours"
	for d in mm include drivers Documentation tools/testing/selftests; do
		[ -d "$d" ] && find "$d" -type f ! -name '*.o' ! -name '.*'
	done
	if [ -f patches/series ]; then
		grep -v '^[[:space:]]*\(#\|$\)' patches/series | while read -r p _; do
			sed -n 's,^+++ [^/]*/\([^[:space:]]*\).*,\1,p; s,^--- [^/]*/\([^[:space:]]*\).*,\1,p' "patches/$p"
		done
	fi
	cat "$list" 2>/dev/null || true
) | sort -u | grep -v '^dev/null$' > "$files"

rm -rf "$stage"
mkdir -p "$stage"
while read -r f; do
	if [ -f "$base/$f" ]; then
		mkdir -p "$stage/$(dirname "$f")"
		cp -p "$base/$f" "$stage/$f"
	fi
done < "$files"
(
	cd "$ours"
	for d in mm include drivers Documentation tools/testing/selftests; do
		[ -d "$d" ] && find "$d" -type f ! -name '*.o' ! -name '.*'
	done
) | while read -r f; do
	mkdir -p "$stage/$(dirname "$f")"
	cp "$ours/$f" "$stage/$f"
done

if [ -f "$ours/patches/series" ]; then
	grep -v '^[[:space:]]*\(#\|$\)' "$ours/patches/series" | while read -r p _; do
		if ! patch -s -p1 -N -r - --no-backup-if-mismatch -d "$stage" < "$ours/patches/$p" >"$stage.log" 2>&1; then
			echo "prepare-tree: patches/$p does not apply to $(basename "$base")" >&2
			echo "prepare-tree: the series is tested against the base version in base.mk" >&2
			cat "$stage.log" >&2
			exit 1
		fi
	done
fi

# Copy in what changed, drop what no longer exists.
changed=0
while read -r f; do
	if [ -f "$stage/$f" ]; then
		if ! cmp -s "$stage/$f" "$dest/$f"; then
			mkdir -p "$dest/$(dirname "$f")"
			rm -f "$dest/$f"
			cp "$stage/$f" "$dest/$f"
			echo "  UPDATE  $f"
			changed=$((changed + 1))
		fi
	elif [ -e "$dest/$f" ]; then
		rm -f "$dest/$f"
		echo "  REMOVE  $f"
	fi
done < "$files"
cp "$files" "$list"
rm -rf "$stage" "$stage.log"
