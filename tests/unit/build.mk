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

unit-tests += cpio
cpio-src := tests/unit/cpio_test.c lib/cpio/cpio.c lib/string/format.c \
    lib/string/string.c

# The test includes lib/cpio/unpack.c to reach its static functions, with
# fakes of the VFS functions it calls. It is built with an empty built-in
# archive, as images without a rootfs have, and with a 512-byte one.
unit-tests += unpack_builtin_empty unpack_builtin_512
unpack_builtin_empty-src := tests/unit/unpack_test.c lib/cpio/cpio.c \
    lib/string/format.c lib/string/string.c
unpack_builtin_empty-cflags := -DBUILTIN_SIZE=0
unpack_builtin_512-src := $(unpack_builtin_empty-src)
unpack_builtin_512-cflags := -DBUILTIN_SIZE=512
build/unit/unpack_builtin_empty build/unit/unpack_builtin_512: \
    lib/cpio/unpack.c

# The VFS and ramfs over host stand-ins for frames, the heap and the clock.
vfs-core-src := lib/vfs/file.c lib/vfs/vnode.c lib/vfs/fdtable.c \
    lib/vfs/namei.c lib/vfs/mount.c lib/vfs/ops.c lib/vfs/open.c \
    lib/vfs/lock.c lib/vfs/kernel.c lib/ramfs/ramfs.c lib/ramfs/dir.c \
    lib/ramfs/data.c lib/ramfs/rename.c lib/string/string.c \
    lib/string/format.c tests/unit/fake_mm.c tests/unit/fake_vfs.c

unit-tests += vfs
vfs-src := tests/unit/vfs_test.c $(vfs-core-src)

unit-tests += ramfs
ramfs-src := tests/unit/ramfs_test.c $(vfs-core-src)

# The initrd unpacked into the real VFS and ramfs. It uses = so that
# vfs-core-src may be defined further down.
unit-tests += initrd_ramfs
initrd_ramfs-src = tests/unit/initrd_ramfs_test.c lib/cpio/cpio.c \
    $(vfs-core-src)
build/unit/initrd_ramfs: lib/cpio/unpack.c

unit-tests += vm_file
vm_file-src := tests/unit/vm_file_test.c tests/unit/fake_mm.c lib/mm/vm.c \
    lib/mm/regions.c lib/string/format.c lib/string/string.c

unit-tests += lz4
lz4-src := tests/unit/lz4_test.c arch/x86_64/decompress/lz4.c
lz4-cflags := -Iarch/x86_64/decompress
