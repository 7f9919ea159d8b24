#!/bin/sh
# deps.sh: install what the build and the tests need, from Debian's archive.
# Pins the base tree and the test host (QEMU) to the versions recorded in
# base.mk; the host comes from the suite named there (bookworm-backports).
# Extra package names on the command line are installed too; NAME=VERSION
# ones come from the host's suite (e.g. meson for our QEMU).
set -eu
here=$(dirname "$0")/..
mk() { sed -n "s/^$1 := //p" "$here/base.mk"; }
version=$(mk BASE_VERSION)
pkg=$(mk BASE_PKG)
host_pkg=$(mk HOST_PKG)
host_version=$(mk HOST_VERSION)
host_suite=$(mk HOST_SUITE)
host_mirror=$(mk HOST_MIRROR)

need="$pkg busybox-static ccache sparse bc bison flex
libelf-dev libssl-dev cpio xz-utils quilt python3 gcc make libc6-dev
rsync kmod perl python3-matplotlib stress-ng git linux-config-6.12 linux-perf $*"
missing=
pinned=
for p in $need; do
	case $p in
	*=*)
		[ "$(dpkg-query -W -f='${Status} ${Version}' "${p%%=*}" 2>/dev/null)" = \
		  "install ok installed ${p#*=}" ] || pinned="$pinned $p"
		continue ;;
	esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
have=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
have_host=$(dpkg-query -W -f='${Version}' "$host_pkg" 2>/dev/null || true)
if [ -z "$missing$pinned" ] && [ "$have" = "$version" ] &&
   [ "$have_host" = "$host_version" ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing:$missing$pinned; base $pkg $have (want $version);" \
	     "host $host_pkg $have_host (want $host_version)" >&2
	echo "deps: run as root (or: sudo $0) to install them with apt-get" >&2
	exit 1
fi
echo "  APT     $missing $pkg=$version $host_pkg=$host_version$pinned ($host_suite)"
export DEBIAN_FRONTEND=noninteractive
list=/etc/apt/sources.list.d/aeration-host.list
line="deb $host_mirror $host_suite main"
if ! grep -qsx "$line" "$list"; then
	echo "$line" > "$list"
fi
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends $missing "$pkg=$version" \
	>/dev/null
# The host and the QEMU packages it depends on, all from that suite.
apt-get install -y -q --no-install-recommends -t "$host_suite" \
	"$host_pkg=$host_version" $pinned >/dev/null
