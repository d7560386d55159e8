# Enlighten: the one entry point. `make run` boots the Debian 12 guest image
# with synthetic devices, `make check` runs every test ring; both install what
# they need first (scripts/deps.sh). `make run-demo` boots the busybox demo.
SHELL := /bin/bash
BUILD := $(CURDIR)/build
KCACHE := $(BUILD)/kernel
MESON := $(BUILD)/meson
ASAN := $(BUILD)/asan

# The guest kernel release resolved by scripts/guest-kernel.sh.
KVER = $(shell cat $(KCACHE)/kver 2>/dev/null)
KDIR = /usr/src/linux-headers-$(KVER)

.PHONY: all deps kernel modules userspace asan linux-src check run run-demo \
	image bench fuzz packages clean

all: modules userspace

deps:
	@scripts/deps.sh

kernel: deps
	@mkdir -p $(KCACHE)
	@scripts/guest-kernel.sh amd64 > $(KCACHE)/kver.new
	@mv $(KCACHE)/kver.new $(KCACHE)/kver

# Kernel modules, against the downloaded guest kernel's headers, W=1 always.
modules: kernel
	@$(MAKE) -s -C $(KDIR) M=$(CURDIR)/kmod W=1 modules

userspace: deps
	@[ -f $(MESON)/build.ninja ] || meson setup $(MESON) >/dev/null
	@ninja --quiet -C $(MESON)

asan: deps
	@[ -f $(ASAN)/build.ninja ] || meson setup $(ASAN) \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	@ninja --quiet -C $(ASAN)

# checkpatch.pl and the kselftest headers from Debian's linux-source-6.1.
linux-src: deps
	@scripts/linux-src.sh

# The VM ring's test_switch boots the guest image: check.sh builds it
# (cached: scripts/image/build.sh) while the first rings run, unless
# VMTESTS names suites without test_switch.
CHECK_IMAGE = $(if $(VMTESTS),$(if $(filter test_switch,$(VMTESTS)),image),image)

check: all asan linux-src
	@KVER=$(KVER) CHECK_IMAGE=$(CHECK_IMAGE) scripts/check.sh

# The Debian 12 guest image (mmdebstrap, our .debs, GRUB), cached in
# build/image and rebuilt only when its recipe or the packages' sources change.
image: kernel
	@scripts/image/build.sh

run: all linux-src image
	@scripts/image/run.sh

# The busybox initramfs demo (Debian's kernel, our modules, a shell).
run-demo: all linux-src
	@KVER=$(KVER) scripts/run-demo.sh

# libFuzzer over every parser of peer data (tests/fuzz/run.sh): IC host
# services, guest IC daemons, clipboard engine, storage target, network
# engine, keyboard and mouse, display, the guest's time sync report, the
# VMBus server's guest messages;
# FUZZ_SECONDS=10 each, or FUZZ_RUNS=N executions each. Ends with the
# executions and exec/s of every target.
fuzz: deps
	@tests/fuzz/run.sh all

bench: all linux-src
	@scripts/bench.sh

clean:
	-@[ -z "$(KVER)" ] || $(MAKE) -s -C $(KDIR) M=$(CURDIR)/kmod clean
	rm -rf $(MESON) $(ASAN)
