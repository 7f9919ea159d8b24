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
