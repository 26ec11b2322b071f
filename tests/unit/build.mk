# SPDX-License-Identifier: BSD-3-Clause
# Host unit tests. Each test NAME lists its sources (paths from the
# repository root) in NAME-src and extra flags in NAME-cflags; the harness
# tests/unit/unit.c is linked into every test.

unit-tests += cmdline
cmdline-src := tests/unit/cmdline_test.c lib/boot/cmdline.c lib/string/string.c

unit-tests += memmap
memmap-src := tests/unit/memmap_test.c lib/mm/memmap.c

unit-tests += pagetable_build
pagetable_build-src := tests/unit/pagetable_build_test.c \
    arch/x86_64/pagetable_build.c

unit-tests += format
format-src := tests/unit/format_test.c lib/string/format.c lib/string/string.c

unit-tests += alloc_tlsf
alloc_tlsf-src := tests/unit/alloc_test.c lib/alloc/tlsf.c lib/string/string.c
alloc_tlsf-cflags := -DALLOC_NAME=\"tlsf\"

unit-tests += alloc_buddy
alloc_buddy-src := tests/unit/alloc_test.c lib/alloc/buddy.c lib/string/string.c
alloc_buddy-cflags := -DALLOC_NAME=\"buddy\"

unit-tests += regions
regions-src := tests/unit/regions_test.c lib/mm/regions.c

unit-tests += vm
vm-src := tests/unit/vm_test.c tests/unit/fake_mm.c lib/mm/vm.c \
    lib/mm/regions.c lib/string/format.c lib/string/string.c
