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

# The manifest sets name, sources, cflags, ldflags, config, cmdline, rootfs.
include $(APP_DIR)/manifest

ifeq ($(strip $(name)),)
$(error $(APP_DIR)/manifest: 'name' is missing)
endif
ifneq ($(shell printf '%s' '$(name)' | grep -xE '[A-Za-z0-9_-][A-Za-z0-9._-]*'),$(name))
$(error $(APP_DIR)/manifest: invalid name '$(name)': use letters, digits, '.', '_' and '-', not starting with '.')
endif
ifeq ($(strip $(sources)),)
$(error $(APP_DIR)/manifest: 'sources' is missing: list the application's C files)
endif
missing_sources := $(filter-out $(wildcard $(addprefix $(APP_DIR)/,$(sources))),$(addprefix $(APP_DIR)/,$(sources)))
ifneq ($(missing_sources),)
$(error $(APP_DIR)/manifest: source not found: $(firstword $(missing_sources)))
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
FRAGMENT := $(if $(config),$(APP_DIR)/$(config))

# The --set settings of the last build, so that new ones trigger a resolve.
SETTINGS_STAMP := $(C)/.config.settings
$(shell mkdir -p $(C) && { printf '%s\n' '$(POGO_SET)' | cmp -s - $(SETTINGS_STAMP) || \
    printf '%s\n' '$(POGO_SET)' > $(SETTINGS_STAMP); })

$(CONFIG): $(KCONFIG_FILES) $(FRAGMENT) $(SETTINGS_STAMP)
	@mkdir -p $(C)
	$(Q)cd $(POGO) && $(PYTHON) scripts/kconfig.py resolve --out $@ \
	    $(if $(FRAGMENT),--fragment $(FRAGMENT)) \
	    $(foreach s,$(POGO_SET),--set $(s))

$(CONFIG_H): $(CONFIG)
	$(Q)cd $(POGO) && $(PYTHON) scripts/kconfig.py header --config $< --out $@

-include $(CONFIG)

SYSCALL_NR_H := $(C)/include/pogo/syscall_nr.h

$(SYSCALL_NR_H): $(POGO)/scripts/gen-syscalls.sh
	$(Q)$(POGO)/scripts/gen-syscalls.sh $(C)/include

# --- Toolchains ------------------------------------------------------------

KCC := gcc
MUSLCC := musl-gcc
OBJCOPY := objcopy
GCC_INCLUDE := $(shell $(KCC) -print-file-name=include)

KCFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -nostdinc \
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
AOBJS := $(addprefix $(B)/app/,$(addsuffix .o,$(basename $(sources))))

$(C)/kernel/%.o: $(POGO)/%.c $(CONFIG_H) $(SYSCALL_NR_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $*.c"
	$(Q)$(KCC) $(KCFLAGS) $(kcflags-$*) -MMD -MP -MF $(@:.o=.d) -MT $@ -c $< -o $@.tmp
	$(Q)$(OBJCOPY) $(KRENAME) $@.tmp $@ && rm -f $@.tmp

$(C)/kernel/%.o: $(POGO)/%.S $(CONFIG_H)
	@mkdir -p $(dir $@)
	@echo "  AS      $*.S"
	$(Q)$(KCC) $(KASFLAGS) -MMD -MP -c $< -o $@

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

$(B)/pass1.elf: $(AOBJS) $(KOBJS) $(LDSCRIPT)
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

$(B)/$(name): $(B)/$(name).dbg
	$(Q)$(OBJCOPY) --strip-all --remove-section=.comment $< $@
	@echo "  IMAGE   $(patsubst $(POGO)/%,%,$@) ($$(stat -c %s $@) bytes)"

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
