# SPDX-License-Identifier: BSD-3-Clause
# Builds one application image. Called by the top-level Makefile with
# APP=<application folder> and, optionally, BUILD=<output folder>,
# POGO_SET="NAME=VALUE ..." (configuration settings applied last) and
# CONFIG_DIR=<folder> for the configuration and kernel objects, which
# applications with the same configuration can share (the tests do).

POGO := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
APP_DIR := $(abspath $(APP))

ifeq ($(wildcard $(APP_DIR)/manifest),)
$(error $(APP): not an application folder (no manifest file))
endif

# The manifest sets name, sources, cflags, ldflags, libs, config, cmdline,
# kernel_options, rootfs and debian_source.
include $(APP_DIR)/manifest

# A manifest may name a Debian source package, fetched and unpacked into
# .cache/debian/; SRC is its tree, for the manifest's sources and cflags.
ifneq ($(strip $(debian_source)),)
SRC := $(shell $(POGO)/scripts/debian-source.sh $(debian_source))
ifeq ($(SRC),)
$(error $(APP_DIR)/manifest: fetching the Debian source package '$(debian_source)' failed)
endif
endif

ifeq ($(strip $(name)),)
$(error $(APP_DIR)/manifest: 'name' is missing)
endif
ifneq ($(shell printf '%s' '$(name)' | grep -xE '[A-Za-z0-9_-][A-Za-z0-9._-]*'),$(name))
$(error $(APP_DIR)/manifest: invalid name '$(name)': use letters, digits, '.', '_' and '-', not starting with '.')
endif
ifeq ($(strip $(sources)),)
$(error $(APP_DIR)/manifest: 'sources' is missing: list the application's C files)
endif
# Sources are relative to the application folder, or absolute (such as
# files of a Debian source tree under $(SRC)).
rel_sources := $(filter-out /%,$(sources))
abs_sources := $(filter /%,$(sources))
all_sources := $(addprefix $(APP_DIR)/,$(rel_sources)) $(abs_sources)
missing_sources := $(filter-out $(wildcard $(all_sources)),$(all_sources))
ifneq ($(missing_sources),)
$(error $(APP_DIR)/manifest: source not found: $(firstword $(missing_sources)))
endif
# rootfs names a folder, relative to the application folder or absolute,
# whose tree becomes the initial file system.
ifneq ($(strip $(rootfs)),)
ifneq ($(words $(rootfs)),1)
$(error $(APP_DIR)/manifest: invalid rootfs '$(strip $(rootfs))': give one folder, without spaces)
endif
ROOTFS_DIR := $(abspath $(if $(filter /%,$(rootfs)),$(rootfs),$(APP_DIR)/$(strip $(rootfs))))
ifeq ($(wildcard $(ROOTFS_DIR)/.),)
$(error $(APP_DIR)/manifest: rootfs folder not found: $(ROOTFS_DIR))
endif
ifeq ($(shell command -v cpio),)
$(error cpio is missing, which packs the rootfs folder; run: apt-get install cpio)
endif
endif

BUILD ?= $(POGO)/build/$(name)
B := $(abspath $(BUILD))
CONFIG_DIR ?= $(B)
C := $(abspath $(CONFIG_DIR))
PYTHON ?= /usr/bin/python3

ifeq ($(V),1)
Q :=
else
Q := @
endif

# --- Configuration -------------------------------------------------------

KCONFIG_FILES := $(shell find $(POGO) -name Kconfig -not -path '$(POGO)/build/*' \
                   -not -path '$(POGO)/.cache/*')
CONFIG := $(C)/.config
CONFIG_H := $(C)/include/pogo/config.h
FRAGMENT := $(if $(strip $(config)),$(APP_DIR)/$(strip $(config)))
ifneq ($(FRAGMENT),)
ifeq ($(wildcard $(FRAGMENT)),)
$(error $(APP_DIR)/manifest: config file not found: $(FRAGMENT))
endif
endif
# The settings saved in ./pogo menuconfig, a layer between the fragment
# and --set (see scripts/kconfig.py).
EDITS := $(C)/menuconfig.config

# The --set settings of the last build and whether EDITS existed, so that
# new settings, or an EDITS file removed, trigger a resolve.
SETTINGS_STAMP := $(C)/.config.settings
SETTINGS := $(POGO_SET) | $(wildcard $(EDITS))
$(shell mkdir -p $(C) && { printf '%s\n' '$(SETTINGS)' | cmp -s - $(SETTINGS_STAMP) || \
    printf '%s\n' '$(SETTINGS)' > $(SETTINGS_STAMP); })

$(CONFIG): $(KCONFIG_FILES) $(FRAGMENT) $(SETTINGS_STAMP) $(wildcard $(EDITS))
	@mkdir -p $(C)
	$(Q)cd $(POGO) && $(PYTHON) scripts/kconfig.py resolve --out $@ \
	    $(if $(FRAGMENT),--fragment $(FRAGMENT)) --edits $(EDITS) \
	    $(foreach s,$(POGO_SET),--set $(s))

$(CONFIG_H): $(CONFIG)
	$(Q)cd $(POGO) && $(PYTHON) scripts/kconfig.py header --config $< --out $@

include $(CONFIG)

ifeq ($(CONFIG_IMAGE_COMPRESS),y)
ifeq ($(shell command -v lz4),)
$(error lz4 is missing, which compresses the image (CONFIG_IMAGE_COMPRESS); run: apt-get install lz4)
endif
endif

SYSCALL_NR_H := $(C)/include/pogo/syscall_nr.h

$(SYSCALL_NR_H): $(POGO)/scripts/gen-syscalls.sh
	$(Q)$(POGO)/scripts/gen-syscalls.sh $(C)/include

# --- Toolchains ------------------------------------------------------------

KCC := gcc
MUSLCC := musl-gcc
OBJCOPY := objcopy
GCC_INCLUDE := $(shell $(KCC) -print-file-name=include)

KCFLAGS := -std=gnu11 $(if $(CONFIG_OPTIMIZE_SIZE),-Os,-O2) -g -ffreestanding -fno-builtin -nostdinc \
    -isystem $(GCC_INCLUDE) -mgeneral-regs-only -mno-red-zone \
    -mcmodel=small -fno-pic -fno-pie -fno-stack-protector \
    -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
    -fno-unwind-tables -ffunction-sections -fdata-sections \
    -fno-strict-aliasing -fno-common -Wall -Wextra -Wno-unused-parameter \
    -Wno-missing-field-initializers -Werror=implicit-function-declaration \
    -I$(C)/include -I$(POGO)/include -I$(POGO)/arch/x86_64/include \
    -DPOGO_KERNEL
KASFLAGS := -D__ASSEMBLER__ -I$(POGO)/include -I$(POGO)/arch/x86_64/include \
    -I$(C)/include -g

# Application code is compiled exactly as for Linux, plus frame pointers so
# that crash reports can walk its stack.
APP_CFLAGS := -O2 -g -fno-omit-frame-pointer -ffunction-sections \
    -fdata-sections $(cflags)

# Kernel objects must not bind to the application's libc: the compiler's
# implicit calls are renamed to Pogo's own functions.
KRENAME := --redefine-sym memcpy=pogo_memcpy --redefine-sym memset=pogo_memset \
    --redefine-sym memmove=pogo_memmove --redefine-sym memcmp=pogo_memcmp

# --- Objects ---------------------------------------------------------------

kobjs-y :=
include $(POGO)/arch/x86_64/build.mk
include $(POGO)/plat/kvm/build.mk
include $(sort $(wildcard $(POGO)/drivers/*/build.mk))
include $(sort $(wildcard $(POGO)/lib/*/build.mk))

KOBJS := $(addprefix $(C)/kernel/,$(kobjs-y))
AOBJS := $(addprefix $(B)/app/,$(addsuffix .o,$(basename $(rel_sources)))) \
    $(addprefix $(B)/app/abs,$(addsuffix .o,$(basename $(abs_sources))))

$(C)/kernel/%.o: $(POGO)/%.c $(CONFIG_H) $(SYSCALL_NR_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $*.c"
	$(Q)$(KCC) $(KCFLAGS) $(kcflags-$*) -MMD -MP -MF $(@:.o=.d) -MT $@ -c $< -o $@.tmp
	$(Q)$(OBJCOPY) $(KRENAME) $@.tmp $@ && rm -f $@.tmp

$(C)/kernel/%.o: $(POGO)/%.S $(CONFIG_H)
	@mkdir -p $(dir $@)
	@echo "  AS      $*.S"
	$(Q)$(KCC) $(KASFLAGS) -MMD -MP -c $< -o $@

$(B)/app/abs/%.o: /%.c $(APP_DIR)/manifest
	@mkdir -p $(dir $@)
	@echo "  APPCC   $(notdir $<)"
	$(Q)$(MUSLCC) $(APP_CFLAGS) -MMD -MP -c $< -o $@

$(B)/app/%.o: $(APP_DIR)/%.c $(APP_DIR)/manifest
	@mkdir -p $(dir $@)
	@echo "  APPCC   $*.c"
	$(Q)$(MUSLCC) $(APP_CFLAGS) -MMD -MP -c $< -o $@

# Per-application kernel data: the program name for argv[0].
AOBJS += $(B)/appinfo.o
$(B)/appinfo.o: $(APP_DIR)/manifest
	@mkdir -p $(B)
	$(Q)printf 'const char pogo_app_name[] = "%s";\n' '$(name)' > $(B)/appinfo.c
	$(Q)$(KCC) $(KCFLAGS) -c $(B)/appinfo.c -o $@

# The initial file system: the rootfs folder packed as a cpio newc archive
# in the .pogo_initrd section, or an empty section without a rootfs. The
# archive is sorted and its owners are 0, so that the same tree gives the
# same bytes. ROOTFS_STAMP holds a checksum of the list of the tree's paths
# with their type, mode, size, modification time and symlink target, and
# changes (so the archive is packed again) when any of them does.
AOBJS += $(B)/initrd.o
ROOTFS_CPIO := $(B)/rootfs.cpio
ROOTFS_STAMP := $(B)/rootfs.stamp
ifneq ($(ROOTFS_DIR),)
ROOTFS_SUM := $(shell cd $(ROOTFS_DIR) && \
    find . -printf '%p %y %m %s %T@ %l\n' | LC_ALL=C sort | cksum)
$(shell mkdir -p $(B) && { printf '%s %s\n' '$(ROOTFS_DIR)' '$(ROOTFS_SUM)' | \
    cmp -s - $(ROOTFS_STAMP) || printf '%s %s\n' '$(ROOTFS_DIR)' \
    '$(ROOTFS_SUM)' > $(ROOTFS_STAMP); })

$(ROOTFS_CPIO): $(ROOTFS_STAMP)
	@echo "  CPIO    $(patsubst $(APP_DIR)/%,%,$(ROOTFS_DIR))"
	$(Q)cd $(ROOTFS_DIR) && \
	    other=$$(find . ! -type d ! -type f ! -type l -print -quit) && \
	    if [ -n "$$other" ]; then \
	        echo "rootfs: $(ROOTFS_DIR)/$${other#./} is not a directory," \
	            "regular file or symlink, which the initial file system" \
	            "cannot hold; remove it" >&2; \
	        exit 1; \
	    fi
	$(Q)cd $(ROOTFS_DIR) && find . -print0 > $@.list
	$(Q)LC_ALL=C sort -z $@.list > $@.sorted && rm -f $@.list
	$(Q)cd $(ROOTFS_DIR) && cpio -o -H newc --null --reproducible -R +0:+0 \
	    --quiet < $@.sorted > $@.tmp
	$(Q)rm -f $@.sorted && mv $@.tmp $@
endif

$(B)/initrd.o: $(if $(ROOTFS_DIR),$(ROOTFS_CPIO)) $(APP_DIR)/manifest
	@mkdir -p $(B)
	$(Q)printf '\t.section .pogo_initrd, "a"\n' > $(B)/initrd.S
	$(Q)$(if $(ROOTFS_DIR),printf '\t.incbin "%s"\n' '$(ROOTFS_CPIO)' \
	    >> $(B)/initrd.S)
	$(Q)$(KCC) -c $(B)/initrd.S -o $@

-include $(KOBJS:.o=.d) $(AOBJS:.o=.d)

# --- Linking -----------------------------------------------------------------
#
# Pass 1 fixes every address. The symbol table and the page tables are
# generated from it and placed at the end of the image, so adding them in
# pass 2 and 3 moves nothing.

LDSCRIPT := $(POGO)/arch/x86_64/link.ld
LDFLAGS := -static -no-pie -Wl,-T,$(LDSCRIPT) -Wl,--gc-sections \
    -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--build-id=none \
    -Wl,--wrap=main $(ldflags)
MKPAGETABLES := $(C)/tools/mkpagetables
MKSYMTAB := $(POGO)/scripts/mksymtab.sh

$(MKPAGETABLES): $(POGO)/tools/mkpagetables.c $(POGO)/arch/x86_64/pagetable_build.c \
                 $(POGO)/arch/x86_64/include/pogo/arch/pagetable_build.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O2 -Wall -I$(POGO)/include -I$(POGO)/arch/x86_64/include \
	    -o $@ $(POGO)/tools/mkpagetables.c $(POGO)/arch/x86_64/pagetable_build.c

# LINK_STAMP holds the list of objects, so that linking again with another
# configuration folder or another set of objects redoes all three passes.
LINK_STAMP := $(B)/link.stamp
LINK_INPUTS := $(AOBJS) $(KOBJS) $(libs)
$(shell mkdir -p $(B) && { printf '%s\n' '$(LINK_INPUTS)' | \
    cmp -s - $(LINK_STAMP) || printf '%s\n' '$(LINK_INPUTS)' > $(LINK_STAMP); })

$(B)/pass1.elf: $(AOBJS) $(KOBJS) $(LDSCRIPT) $(LINK_STAMP)
	@echo "  LD      $(name) (pass 1)"
	$(Q)$(MUSLCC) $(LDFLAGS) -o $@ $(AOBJS) $(KOBJS) $(libs)

$(B)/symtab.o: $(B)/pass1.elf $(MKSYMTAB)
	$(Q)$(MKSYMTAB) $< $(if $(CONFIG_CRASH_SYMBOLS),,--empty) > $(B)/symtab.S
	$(Q)$(KCC) -c $(B)/symtab.S -o $@

$(B)/pass2.elf: $(B)/symtab.o
	$(Q)$(MUSLCC) $(LDFLAGS) -o $@ $(AOBJS) $(KOBJS) $(B)/symtab.o $(libs)

$(B)/pagetables.o: $(B)/pass2.elf $(MKPAGETABLES)
	$(Q)$(MKPAGETABLES) $< > $(B)/pagetables.S
	$(Q)$(KCC) -c $(B)/pagetables.S -o $@

$(B)/$(name).dbg: $(B)/pagetables.o
	@echo "  LD      $(name)"
	$(Q)$(MUSLCC) $(LDFLAGS) -Wl,-Map,$(B)/$(name).map -o $@ $(AOBJS) $(KOBJS) \
	    $(B)/symtab.o $(B)/pagetables.o $(libs)
	$(Q)$(POGO)/scripts/check-layout.sh $(B)/pass2.elf $@

# The image: stripped, and packed by scripts/pack-image.py (segments
# back to back in the file instead of page-aligned). With
# CONFIG_IMAGE_COMPRESS this is <name>.uncompressed, and <name> is its
# compressed form.
ifeq ($(CONFIG_IMAGE_COMPRESS),y)
KERNEL_IMAGE := $(B)/$(name).uncompressed
else
KERNEL_IMAGE := $(B)/$(name)
endif

$(KERNEL_IMAGE): $(B)/$(name).dbg $(POGO)/scripts/pack-image.py
	$(Q)$(OBJCOPY) --strip-all --remove-section=.comment $< $@.stripped
	$(Q)$(PYTHON) $(POGO)/scripts/pack-image.py $@.stripped $@
	$(Q)rm -f $@.stripped && chmod +x $@
	@echo "  IMAGE   $(patsubst $(POGO)/%,%,$@) ($$(stat -c %s $@) bytes)"

ifeq ($(CONFIG_IMAGE_COMPRESS),y)
include $(POGO)/arch/x86_64/decompress/build.mk

$(B)/$(name): $(KERNEL_IMAGE) $(DECOMPRESSOR) $(POGO)/scripts/compress-image.py
	$(Q)$(PYTHON) $(POGO)/scripts/compress-image.py \
	    --decompressor $(DECOMPRESSOR) --symbols $(B)/$(name).dbg $< $@.tmp
	$(Q)mv $@.tmp $@ && chmod +x $@
	@echo "  IMAGE   $(patsubst $(POGO)/%,%,$@) ($$(stat -c %s $@) bytes, LZ4-compressed)"
endif

ifneq ($(C),$(B))
$(B)/.config: $(CONFIG)
	@mkdir -p $(B)
	$(Q)cp $< $@
image: $(B)/.config
endif

.PHONY: image config
image: $(B)/$(name)
config: $(CONFIG)

.DEFAULT_GOAL := image
