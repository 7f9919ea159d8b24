#!/bin/sh
# qemu.sh ORIG_TARBALL SHA256 URL PATCHES SRC OUT
# Our QEMU for the tests that need host features Debian's lacks: the
# orig tarball of the pinned host version of Debian's qemu source
# (fetched from URL once, checked against SHA256), our quilt series in
# PATCHES applied in SRC, the x86_64 system emulator only, built in OUT.
# Re-extracts when the series changes; rebuilds incrementally otherwise.
set -eu
orig=$1; sum=$2; url=$3; patches=$(realpath "$4"); src=$5; out=$6

if [ ! -f "$orig" ] || ! echo "$sum  $orig" | sha256sum -c --status; then
	echo "  FETCH   $url"
	mkdir -p "$(dirname "$orig")"
	/usr/bin/python3 -c 'import sys, urllib.request as u; u.urlretrieve(sys.argv[1], sys.argv[2])' \
		"$url" "$orig.tmp"
	if ! echo "$sum  $orig.tmp" | sha256sum -c --status; then
		echo "qemu: $url is not the pinned tarball (sha256 $sum)" >&2
		rm -f "$orig.tmp"
		exit 1
	fi
	mv "$orig.tmp" "$orig"
fi

want=$(cat "$patches/series" "$patches"/*.patch | sha256sum | cut -d' ' -f1)
if [ "$(cat "$src/.aeration-series" 2>/dev/null)" != "$want" ]; then
	echo "  UNPACK  $orig + patches/qemu"
	rm -rf "$src" "$out"
	mkdir -p "$src"
	tar -xJf "$orig" -C "$src" --strip-components=1
	ln -s "$patches" "$src/patches"
	(cd "$src" && QUILT_PATCHES=patches quilt push -a -q >/dev/null)
	echo "$want" > "$src/.aeration-series"
fi

if [ ! -f "$out/build.ninja" ]; then
	echo "  CONFIG  $out"
	mkdir -p "$out"
	# Debian's python3 (its meson); the firmware of Debian's packages,
	# which the +ds tarball leaves out.
	(cd "$out" && "$src/configure" --python=/usr/bin/python3 \
		--target-list=x86_64-softmmu --without-default-features \
		--enable-pixman --disable-docs --disable-werror --disable-download \
		--disable-install-blobs \
		--enable-trace-backends=log \
		--firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu \
		> configure.log 2>&1) || { tail -30 "$out/configure.log"; exit 1; }
fi
echo "  NINJA   $out/qemu-system-x86_64"
ninja -C "$out" qemu-system-x86_64 > "$out/ninja.log" 2>&1 ||
	{ tail -30 "$out/ninja.log"; exit 1; }
