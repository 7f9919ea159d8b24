#!/bin/sh
# unpack-base.sh TARBALL DEST PKG VERSION: extract the pristine base tree.
set -eu
tarball=$1; dest=$2; pkg=$3; want=$4
have=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo none)
if [ "$have" != "$want" ]; then
	echo "unpack-base: installed $pkg is $have, the series is tested against $want" >&2
	echo "unpack-base: continuing; if the series does not apply, install $pkg=$want" >&2
fi
[ -f "$tarball" ] || { echo "unpack-base: $tarball missing (apt-get install $pkg=$want)" >&2; exit 1; }
rm -rf "$dest" "$dest.tmp"
mkdir -p "$dest.tmp"
tar -xf "$tarball" -C "$dest.tmp" --strip-components=1
echo "$have" > "$dest.tmp/.version"
mv "$dest.tmp" "$dest"
