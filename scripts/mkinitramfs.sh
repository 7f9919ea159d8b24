#!/bin/sh
# mkinitramfs.sh OUT SELFTESTS_DIR GUEST_DIR [PROGRAM...]
# busybox-static + our static test programs + init and scenarios; each
# PROGRAM (a host binary such as /usr/bin/stress-ng) goes in at the same
# path with the shared libraries it needs; one given as GUEST_PATH=HOST_PATH
# (GUEST_PATH absolute, without '=') goes in at GUEST_PATH.
set -eu
out=$1; tests=$2; guest=$3
shift 3
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" \
	"$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/tests" \
	"$root/scenarios"
cp /bin/busybox "$root/bin/busybox"
for app in $("$root/bin/busybox" --list-full); do
	[ -e "$root/$app" ] || ln -s /bin/busybox "$root/$app"
done
cp "$guest/init" "$root/init"
cp "$guest"/scenarios/* "$root/scenarios/"
: > "$root/tests/list"
for f in "$tests"/*; do
	[ -x "$f" ] || continue
	cp "$f" "$root/tests/"
done
for prog in "$@"; do
	dest=$prog
	case $prog in
	*=*)
		dest=${prog%%=*}
		prog=${prog#*=}
		case $dest in
		/*) ;;
		*) echo "mkinitramfs: $dest: a guest path is absolute" >&2
		   exit 1 ;;
		esac ;;
	esac
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$prog" "$root$dest"
	for f in $(ldd "$prog" | sed -n 's,.*[[:space:]]\(/[^[:space:]]*\) (0x.*,\1,p'); do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
	done
done
# Which of them are tests (the rest are helpers such as memhog).
for t in $TESTS; do echo "$t"; done > "$root/tests/list"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
	gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
