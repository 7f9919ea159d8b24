#!/bin/sh
# deps.sh: install what the build and the tests need, from Debian's archive.
# Pins the base tree to the version recorded in base.mk.  Extra package
# names on the command line are installed too (make bench: the plotting).
set -eu
here=$(dirname "$0")/..
version=$(sed -n 's/^BASE_VERSION := //p' "$here/base.mk")
pkg=$(sed -n 's/^BASE_PKG := //p' "$here/base.mk")

need="$pkg qemu-system-x86 busybox-static ccache sparse bc bison flex
libelf-dev libssl-dev cpio xz-utils quilt python3 gcc make libc6-dev
rsync kmod perl python3-matplotlib $*"
missing=
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
have=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
if [ -z "$missing" ] && [ "$have" = "$version" ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing:$missing; base $pkg $have (want $version)" >&2
	echo "deps: run as root (or: sudo $0) to install them with apt-get" >&2
	exit 1
fi
echo "  APT     $missing $pkg=$version"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends $missing "$pkg=$version" >/dev/null
