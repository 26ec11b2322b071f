# SPDX-License-Identifier: BSD-3-Clause
# Builds an application for Linux from the same sources and flags as its
# image, with musl-gcc -static, so that its output and speed can be
# compared with Pogo's:
#   make -f mk/host.mk APP=apps/lua [OUT=FILE]
# The program is build/host/<name> unless OUT names another file.
POGO := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
ifeq ($(APP),)
$(error usage: make -f mk/host.mk APP=apps/NAME [OUT=FILE])
endif
APP_DIR := $(abspath $(APP))
include $(APP_DIR)/manifest
ifneq ($(debian_source),)
SRC := $(shell $(POGO)/scripts/debian-source.sh $(debian_source))
ifeq ($(SRC),)
$(error fetching the Debian source package '$(debian_source)' failed)
endif
endif

OUT ?= $(POGO)/build/host/$(name)
# The compiler flags of mk/image.mk's APP_CFLAGS.
HOST_CFLAGS := -O2 -g -fno-omit-frame-pointer -ffunction-sections \
    -fdata-sections $(cflags)

# Sources are relative to the application's folder, or absolute (the
# files of a Debian source tree under $(SRC)), as in mk/image.mk.
all_sources := $(addprefix $(APP_DIR)/,$(filter-out /%,$(sources))) \
    $(filter /%,$(sources))

# The prerequisites include every makefile read: this one, the manifest
# and what it includes.
$(OUT): $(all_sources) $(MAKEFILE_LIST)
	@mkdir -p $(dir $@)
	musl-gcc -static $(HOST_CFLAGS) -Wl,--gc-sections -o $@ \
	    $(all_sources) $(libs)
