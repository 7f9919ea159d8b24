# The one place the base tree is pinned. Moving to a newer 6.12.y is a
# deliberate commit that re-checks the whole series.
BASE_PKG := linux-source-6.12
BASE_VERSION := 6.12.117-1~deb12u1
BASE_TARBALL := /usr/src/linux-source-6.12.tar.xz
