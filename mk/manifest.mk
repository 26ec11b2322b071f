# SPDX-License-Identifier: BSD-3-Clause
# Prints one value of an application's manifest, as make reads it:
#   make -s -f mk/manifest.mk APP=<folder> KEY=<name>
# Without KEY, prints the names of the variables that the manifest sets.
variables_before_manifest := $(.VARIABLES)
include $(APP)/manifest
ifeq ($(KEY),)
$(info $(sort $(filter-out $(variables_before_manifest) \
    variables_before_manifest .DEFAULT_GOAL,$(.VARIABLES))))
else
$(info $($(KEY)))
endif
all: ;
