# The one place the base tree is pinned. Moving to a newer 6.12.y is a
# deliberate commit that re-checks the whole series.
BASE_PKG := linux-source-6.12
BASE_VERSION := 6.12.117-1~deb12u1
BASE_TARBALL := /usr/src/linux-source-6.12.tar.xz

# The test host, pinned the same way: QEMU from Debian's bookworm-backports.
# Bookworm's own 7.2 loses guest writes when it migrates a busy TCG guest
# (fixed upstream in 9.0, commit 03bfc2188f; see Documentation/mm/aeration.rst).
HOST_PKG := qemu-system-x86
HOST_VERSION := 1:10.0.2+ds-2+deb13u1~bpo12+1
HOST_SUITE := bookworm-backports
HOST_MIRROR := http://deb.debian.org/debian

# Our QEMU (make qemu, patches/qemu): the host version's source.  Debian's
# archive here serves the orig tarball of the backport but not its .dsc
# and debian/ tarball, so the series applies to the orig tarball, pinned
# by its checksum; meson >= 1.5 comes from the host's suite.
QEMU_ORIG := qemu_10.0.2+ds.orig.tar.xz
QEMU_ORIG_SHA256 := 0901da33844a331bf8b3602b9c1fbd178e60b737c8e3ade678255bd090c9b9f1
QEMU_BUILD_DEPS := meson=1.7.0-1~bpo12+1 python3-pycotap=1.3.1-2~bpo12+1 ninja-build libglib2.0-dev libpixman-1-dev libfdt-dev pkg-config flex bison python3-venv
