# aeration: asynchronous free page reporting for Linux guests.
#
#   make demo     build our kernel, boot it, watch memory go back to the host
#   make check    every test: KUnit, guest kselftests, host end-to-end
#   make bench    aeration vs the stock kernel, tables and plots in build/bench
#                 (REPS=, SCENARIOS=, LEAN=1, BENCH_CONFIGS=,
#                 WIS=/path/to/will-it-scale)
#   make wis WIS=...   will-it-scale's page fault tests for the guest
#   make kernel | stock | debug | initramfs     the pieces
#   make series [CHECK=1]   the series as git format-patch output, build/series/
#   make matrix   compile what we touch under seven configurations
#
# Everything generated lives in build/.
include base.mk

TOP       := $(CURDIR)
B         := $(TOP)/build
BASE_SRC  := $(B)/src/base
OUR_SRC   := $(B)/src/aeration
JOBS      ?= $(shell nproc)
V         ?= 0

export CCACHE_DIR ?= $(HOME)/.cache/aeration-ccache
export CCACHE_BASEDIR := $(B)
export CCACHE_NOHASHDIR := 1
export CCACHE_MAXSIZE ?= 5G

KMAKE = $(MAKE) -s -j$(JOBS) CC="ccache gcc" KBUILD_BUILD_TIMESTAMP="2024-01-01 00:00:00 UTC" \
	KBUILD_BUILD_USER=aeration KBUILD_BUILD_HOST=aeration

GUEST_FRAG := kconfig/guest.config
DEBUG_FRAG := kconfig/guest.config kconfig/debug.config
# Debian's python3, whatever else is on PATH: the plots use its matplotlib.
HARNESS    := /usr/bin/python3 tools/testing/aeration/run.py --build $(B)

.PHONY: all deps base tree kernel stock debug kasan initramfs check demo bench soak wis qemu \
	clean distclean checkpatch sparse kunit-loop series matrix
all: kernel

deps:
	@scripts/deps.sh

# Pristine base tree, re-extracted only when the recorded version changes.
$(BASE_SRC)/.version: base.mk | deps
	@echo "  UNPACK  $(BASE_TARBALL)"
	@scripts/unpack-base.sh "$(BASE_TARBALL)" "$(BASE_SRC)" "$(BASE_PKG)" "$(BASE_VERSION)"
base: deps $(BASE_SRC)/.version

tree: base
	@scripts/prepare-tree.sh $(BASE_SRC) $(OUR_SRC) $(TOP)

stock: base
	@scripts/kconfig.sh $(BASE_SRC) $(B)/stock $(GUEST_FRAG)
	@echo "  KERNEL  build/stock/bzImage"
	@$(KMAKE) -C $(BASE_SRC) O=$(B)/stock bzImage
	@cp $(B)/stock/arch/x86/boot/bzImage $(B)/stock/bzImage

kernel: tree
	@scripts/kconfig.sh $(OUR_SRC) $(B)/aeration $(GUEST_FRAG) kconfig/aeration.config
	@echo "  KERNEL  build/aeration/bzImage"
	@$(KMAKE) -C $(OUR_SRC) O=$(B)/aeration bzImage
	@cp $(B)/aeration/arch/x86/boot/bzImage $(B)/aeration/bzImage

debug: tree
	@scripts/kconfig.sh $(OUR_SRC) $(B)/aeration-debug $(DEBUG_FRAG) kconfig/aeration.config kconfig/kunit.config
	@echo "  KERNEL  build/aeration-debug/bzImage"
	@$(KMAKE) -C $(OUR_SRC) O=$(B)/aeration-debug bzImage
	@cp $(B)/aeration-debug/arch/x86/boot/bzImage $(B)/aeration-debug/bzImage

# The debug kernel plus generic KASAN: make check runs KUnit, the guest
# kselftests and the hotplug, virtio-mem and memory-failure tests on it.
kasan: tree
	@scripts/kconfig.sh $(OUR_SRC) $(B)/aeration-kasan $(DEBUG_FRAG) kconfig/aeration.config kconfig/kunit.config kconfig/kasan.config
	@echo "  KERNEL  build/aeration-kasan/bzImage"
	@$(KMAKE) -C $(OUR_SRC) O=$(B)/aeration-kasan bzImage
	@cp $(B)/aeration-kasan/arch/x86/boot/bzImage $(B)/aeration-kasan/bzImage

# $(call mkinitramfs,OUT,PROGRAMS): our selftests, their list and the guest
# scripts, plus PROGRAMS (see scripts/mkinitramfs.sh).
mkinitramfs = TESTS="$$($(MAKE) --no-print-directory -s -C $(OUR_SRC)/tools/testing/selftests/aeration OUTPUT=$(B)/selftests emit-tests)" \
	scripts/mkinitramfs.sh $(1) $(B)/selftests tools/testing/aeration/guest $(2)

initramfs: tree
	@mkdir -p $(B)/selftests
	@$(MAKE) -s -C $(OUR_SRC)/tools/testing/selftests/aeration OUTPUT=$(B)/selftests
	@$(call mkinitramfs,$(B)/initramfs.cpio.gz)
	@$(call mkinitramfs,$(B)/initramfs-soak.cpio.gz,/usr/bin/stress-ng)

check: deps stock kernel debug kasan initramfs qemu
	@$(HARNESS) check

# The KUnit boot N times in a row (default 30), for flakes; not in check.
kunit-loop: deps debug initramfs
	@$(HARNESS) check --repeat $(or $(N),30) kunit

# The long soak (default 30 minutes); make check runs two.
soak: deps debug initramfs
	@$(HARNESS) soak --minutes $(or $(MINUTES),30)

# Aeration against the stock kernel: build/bench/results.{json,md}, *.png.
# SCENARIOS="churn reclaim" runs only those (all by default); LEAN=1 leaves
# out the control configurations no goal compares; BENCH_CONFIGS=REGEX runs
# only the configurations whose label matches (e.g. BENCH_CONFIGS='our QEMU',
# a $ anchors, as typed); WIS=CHECKOUT adds will-it-scale's page fault
# tests, built from that checkout.
bench: deps stock kernel initramfs qemu $(if $(WIS),wis)
	@$(HARNESS) bench --reps $(or $(REPS),5) $(if $(LEAN),--lean) \
		$(if $(BENCH_CONFIGS),--configs \
		'$(subst ','\'',$(value BENCH_CONFIGS))') \
		$(if $(WIS),--wis $(B)/initramfs-wis.cpio.gz) \
		--out $(B)/bench $(SCENARIOS)

# Our QEMU: patches/qemu on the host version's source, x86_64 only, in
# build/qemu/qemu-system-x86_64.  Debian's stays the host everywhere else.
qemu: deps
	@scripts/deps.sh $(QEMU_BUILD_DEPS)
	@scripts/qemu.sh $(B)/dl/$(QEMU_ORIG) $(QEMU_ORIG_SHA256) \
		$(HOST_MIRROR)/pool/main/q/qemu/$(QEMU_ORIG) patches/qemu \
		$(B)/src/qemu $(B)/qemu

# will-it-scale's page_fault1-3 (processes, threads) from the checkout
# WIS names, in an initramfs of their own (with libhwloc) at /wis.
WIS_BINS := $(foreach t,1 2 3,$(foreach m,processes threads,page_fault$(t)_$(m)))
ifneq ($(filter wis,$(MAKECMDGOALS)),)
ifeq ($(WIS),)
$(error wis: WIS=/path/to/will-it-scale, please)
endif
endif
wis: initramfs
	@scripts/deps.sh libhwloc-dev
	@scripts/wis.sh "$(WIS)" $(B)/wis
	@$(call mkinitramfs,$(B)/initramfs-wis.cpio.gz,$(foreach b,$(WIS_BINS),/wis/$(b)=$(B)/wis/$(b)))

demo: deps kernel initramfs
	@$(HARNESS) demo

# Style gates on what we own: new files and the series.
checkpatch: tree
	@scripts/checkpatch.sh $(OUR_SRC) $(TOP)

sparse: tree
	@scripts/kconfig.sh $(OUR_SRC) $(B)/sparse $(GUEST_FRAG) kconfig/aeration.config
	@$(KMAKE) -C $(OUR_SRC) O=$(B)/sparse C=2 mm/page_reporting.o mm/page_hinting.o drivers/virtio/virtio_balloon.o

# The series for a maintainer: format-patch files and cover letter in
# build/series/; CHECK=1 also checks that each patch builds on its own,
# checkpatch --strict and sparse per patch, and git am onto the base.
series: tree
	@scripts/series.sh $(BASE_SRC) $(OUR_SRC) $(TOP) $(B)/series $(if $(CHECK),check)

# Compile only the objects we touch under Debian's config, allnoconfig,
# our option off, !MEMORY_HOTPLUG, !COMPACTION, NUMA, HYPERV_BALLOON=m.
matrix: tree
	@scripts/build-matrix.sh $(OUR_SRC) $(BASE_SRC) $(B)/matrix $(TOP) $(CONFIGS)

clean:
	rm -rf $(B)/aeration $(B)/aeration-debug $(B)/aeration-kasan $(B)/stock $(B)/selftests \
		$(B)/initramfs.cpio.gz $(B)/initramfs-soak.cpio.gz $(B)/runs \
		$(B)/wis $(B)/initramfs-wis.cpio.gz

distclean:
	rm -rf $(B)
