# SPDX-License-Identifier: BSD-3-Clause
# Prints one value of an application's manifest, as make reads it:
#   make -s -f mk/manifest.mk APP=<folder> KEY=<name>
include $(APP)/manifest
$(info $($(KEY)))
all: ;
