# SPDX-License-Identifier: BSD-3-Clause
# Builds redis-server for Linux from the same sources and flags as its
# image, with musl-gcc -static, so that its behaviour and speed can be
# compared with Pogo's:
#   make -f apps/redis/host.mk [OUT=FILE]
# The program is build/host/<name> unless OUT names another file.
APP_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
POGO := $(abspath $(APP_DIR)/../..)
include $(APP_DIR)/manifest
SRC := $(shell $(POGO)/scripts/debian-source.sh $(debian_source))
ifeq ($(SRC),)
$(error fetching the Debian source package '$(debian_source)' failed)
endif

OUT ?= $(POGO)/build/host/$(name)
# The compiler flags of mk/image.mk's APP_CFLAGS.
HOST_CFLAGS := -O2 -g -fno-omit-frame-pointer -ffunction-sections \
    -fdata-sections $(cflags)

# The prerequisites include every makefile read: host.mk, the manifest
# and what it includes.
$(OUT): $(sources) $(MAKEFILE_LIST)
	@mkdir -p $(dir $@)
	musl-gcc -static $(HOST_CFLAGS) -Wl,--gc-sections -o $@ $(sources) $(libs)
