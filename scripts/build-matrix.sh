#!/bin/sh
# build-matrix.sh OUR_SRC BASE_SRC OUTDIR TOP [CONFIG...]
#
# Compile (only) the objects the series adds or patches under each of a
# set of configurations, in our tree and in the stock tree, and fail on
# any warning or error of ours that the stock tree's build of the same
# object under the same configuration lacks.  An object is built only
# where its configuration builds it.  Configurations (default: all):
#
#   debian      Debian's amd64 kernel config (package linux-config-6.12)
#   tiny        allnoconfig plus PAGE_REPORTING
#   off         the guest config without VIRTIO_BALLOON: PAGE_REPORTING off
#   nohotplug   the guest config, !MEMORY_HOTPLUG
#   nocompact   the guest config, !COMPACTION
#   numa        the guest config, NUMA
#   hyperv      the guest config, HYPERV_BALLOON=m
set -eu
our=$(realpath "$1"); base=$(realpath "$2"); out=$3; top=$(realpath "$4")
shift 4
configs=${*:-debian tiny off nohotplug nocompact numa hyperv}
mkdir -p "$out"
out=$(realpath "$out")
jobs=$(nproc)
debian_cfg=/usr/src/linux-config-6.12/config.amd64_none_amd64.xz

# object:option that builds it ("-": always built)
objects="mm/page_reporting.o:PAGE_REPORTING mm/page_hinting.o:PAGE_HINTING
mm/page_alloc.o:- mm/vmstat.o:- mm/compaction.o:-
mm/page_isolation.o:MEMORY_ISOLATION mm/shuffle.o:SHUFFLE_PAGE_ALLOCATOR
drivers/virtio/virtio_balloon.o:VIRTIO_BALLOON
drivers/hv/hv_balloon.o:HYPERV_BALLOON"

# Write the .config of configuration $1 into directory $2 for tree $3.
make_config() {
	name=$1; dir=$2; tree=$3
	mkdir -p "$dir"
	frag=$dir/.matrix-fragment
	case $name in
	debian)
		# No module signing keys or BTF for a compile test.
		cat > "$frag" <<-EOF
		CONFIG_MODULE_SIG_KEY=""
		CONFIG_SYSTEM_TRUSTED_KEYS=""
		CONFIG_SYSTEM_REVOCATION_KEYS=""
		# CONFIG_DEBUG_INFO_BTF is not set
		EOF
		xz -dc "$debian_cfg" | grep -v -E '^(# )?CONFIG_(MODULE_SIG_KEY|SYSTEM_TRUSTED_KEYS|SYSTEM_REVOCATION_KEYS|DEBUG_INFO_BTF)[= ]' > "$dir/.config"
		cat "$frag" >> "$dir/.config"
		make -s -C "$tree" O="$dir" olddefconfig >/dev/null
		return ;;
	tiny)
		echo "CONFIG_PAGE_REPORTING=y" > "$frag"
		make -s -C "$tree" O="$dir" KCONFIG_ALLCONFIG="$frag" allnoconfig >/dev/null
		return ;;
	esac
	# The guest config without the options the variant sets.
	case $name in
	off) strip="VIRTIO_BALLOON" ;;
	nohotplug) strip="MEMORY_HOTPLUG|MEMORY_HOTREMOVE" ;;
	# Transparent hugepages select compaction.
	nocompact) strip="COMPACTION|TRANSPARENT_HUGEPAGE[A-Z_]*" ;;
	numa) strip="NUMA|X86_64_ACPI_NUMA" ;;
	hyperv) strip="HYPERV|HYPERV_BALLOON|MODULES" ;;
	*) echo "build-matrix: unknown configuration $name" >&2; exit 2 ;;
	esac
	grep -v -E "^(# )?CONFIG_($strip)[= ]" "$top/kconfig/guest.config" > "$frag"
	# Our options (allnoconfig ignores defaults), except where they are off.
	[ "$name" = off ] || cat "$top/kconfig/aeration.config" >> "$frag"
	case $name in
	off) echo "# CONFIG_VIRTIO_BALLOON is not set" >> "$frag" ;;
	nohotplug) echo "# CONFIG_MEMORY_HOTPLUG is not set" >> "$frag" ;;
	nocompact) printf '# CONFIG_COMPACTION is not set\n# CONFIG_TRANSPARENT_HUGEPAGE is not set\n' >> "$frag" ;;
	numa) printf 'CONFIG_NUMA=y\nCONFIG_X86_64_ACPI_NUMA=y\n' >> "$frag" ;;
	hyperv) printf 'CONFIG_HYPERV=y\nCONFIG_HYPERV_BALLOON=m\nCONFIG_MODULES=y\n' >> "$frag" ;;
	esac
	make -s -C "$tree" O="$dir" KCONFIG_ALLCONFIG="$frag" allnoconfig >/dev/null
}

# What the configuration must show for the test to mean anything.
expect() {
	name=$1; cfg=$2/.config
	case $name in
	debian) want="CONFIG_PAGE_REPORTING=y CONFIG_PAGE_HINTING=y CONFIG_HYPERV_BALLOON=m" ;;
	tiny) want="CONFIG_PAGE_REPORTING=y" ;;
	off) want="" ; grep -q '^CONFIG_PAGE_REPORTING=' "$cfg" && {
		echo "build-matrix: off: PAGE_REPORTING still on" >&2; return 1; } ;;
	nohotplug) want="CONFIG_PAGE_REPORTING=y CONFIG_PAGE_HINTING=y" ;
		! grep -q '^CONFIG_MEMORY_HOTPLUG=y' "$cfg" || {
		echo "build-matrix: nohotplug: MEMORY_HOTPLUG on" >&2; return 1; } ;;
	nocompact) want="CONFIG_PAGE_REPORTING=y CONFIG_PAGE_HINTING=y" ;
		! grep -q '^CONFIG_COMPACTION=y' "$cfg" || {
		echo "build-matrix: nocompact: COMPACTION on" >&2; return 1; } ;;
	numa) want="CONFIG_PAGE_REPORTING=y CONFIG_PAGE_HINTING=y CONFIG_NUMA=y" ;;
	hyperv) want="CONFIG_PAGE_REPORTING=y CONFIG_PAGE_HINTING=y CONFIG_HYPERV_BALLOON=m" ;;
	esac
	for w in $want; do
		grep -qx "$w" "$cfg" || {
			echo "build-matrix: $name: $w not set" >&2; return 1; }
	done
}

# Warnings and errors as "file: message", without line numbers.
norm() {
	grep -E '(warning|error):' "$1" | grep -v '^make' |
		sed -E 's|^.*/src/[^/]+/||; s|^\.\./||; s|:[0-9]+:[0-9]+:|:|; s|:[0-9]+:|:|' |
		sort -u || true
}

rc=0
for name in $configs; do
	d_our=$out/$name/ours; d_base=$out/$name/stock
	make_config "$name" "$d_our" "$our" 2>&1 | grep -v 'override: reassigning' >&2 || true
	make_config "$name" "$d_base" "$base" 2>&1 | grep -v 'override: reassigning' >&2 || true
	expect "$name" "$d_our" || { rc=1; continue; }
	objs=; sobjs=
	for e in $objects; do
		o=${e%%:*}; opt=${e#*:}
		if [ "$opt" != - ] && ! grep -q "^CONFIG_$opt=[ym]" "$d_our/.config"; then
			continue
		fi
		objs="$objs $o"
		# Stock has no page_hinting.c; its own options may differ.
		[ -f "$base/${o%.o}.c" ] || continue
		if [ "$opt" = - ] || grep -q "^CONFIG_$opt=[ym]" "$d_base/.config"; then
			sobjs="$sobjs $o"
		fi
	done
	t0=$(date +%s)
	ok=1
	make -s -j"$jobs" -C "$our" O="$d_our" CC="ccache gcc" $objs \
		> "$out/$name/ours.log" 2>&1 || ok=0
	norm "$out/$name/ours.log" > "$out/$name/ours.w"
	# Stock is built only to excuse warnings ours has.
	if [ -n "$sobjs" ] && [ -s "$out/$name/ours.w" ]; then
		make -s -j"$jobs" -C "$base" O="$d_base" CC="ccache gcc" $sobjs \
			> "$out/$name/stock.log" 2>&1 || true
	else
		: > "$out/$name/stock.log"
	fi
	norm "$out/$name/stock.log" > "$out/$name/stock.w"
	comm -23 "$out/$name/ours.w" "$out/$name/stock.w" > "$out/$name/new.w"
	n=$(wc -l < "$out/$name/new.w")
	if [ $ok -eq 0 ] || [ "$n" -ne 0 ]; then
		rc=1
		echo "build-matrix: $name: FAILED ($n new warnings)"
		[ $ok -eq 0 ] && tail -20 "$out/$name/ours.log"
		cat "$out/$name/new.w"
	else
		echo "build-matrix: $name: ok ($(echo $objs | wc -w) objects, $(( $(date +%s) - t0 )) s)"
	fi
done
exit $rc
