# SPDX-License-Identifier: BSD-3-Clause
# The decompressor of compressed images (CONFIG_IMAGE_COMPRESS), included
# by mk/image.mk. It runs before the kernel, in 32-bit protected mode, so
# it is built with -m32 as position-independent code and linked into a
# flat binary that scripts/compress-image.py places in each image. It does
# not depend on the configuration, but lives with the kernel objects.

DECOMPRESS_SRC := $(POGO)/arch/x86_64/decompress
DECOMPRESSOR := $(C)/decompress/decompressor.bin
DECOMPRESS_OBJS := $(addprefix $(C)/decompress/,entry.o decompress.o lz4.o)
DECOMPRESS_HEADERS := $(wildcard $(DECOMPRESS_SRC)/*.h)

# With -fpie and hidden symbols, the code reaches its constants relative
# to itself. The loop-pattern option keeps GCC from calling a memcpy or
# memset that the decompressor does not have. entry.S enables SSE, which
# every x86_64 CPU has, for the decoder's 16-byte copies.
DECOMPRESS_CFLAGS := -m32 -march=i686 -msse2 -mno-mmx -mfpmath=sse -std=gnu11 \
    -ffreestanding -fno-builtin -nostdinc -isystem $(GCC_INCLUDE) -fpie \
    -fvisibility=hidden -fno-stack-protector \
    -fcf-protection=none -fno-asynchronous-unwind-tables -fno-unwind-tables \
    -fno-tree-loop-distribute-patterns -Wall -Wextra -Werror \
    -I$(DECOMPRESS_SRC)
DECOMPRESS_LDFLAGS := -m elf_i386 -z noexecstack --no-warn-rwx-segments \
    -T $(DECOMPRESS_SRC)/decompress.ld

# The decoder's loop is optimised for speed, the code that runs once for
# size, since the decompressor is stored uncompressed.
$(C)/decompress/lz4.o: DECOMPRESS_OPT := -O2
$(C)/decompress/decompress.o: DECOMPRESS_OPT := -Os

$(C)/decompress/%.o: $(DECOMPRESS_SRC)/%.c $(DECOMPRESS_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC32    decompress/$*.c"
	$(Q)$(KCC) $(DECOMPRESS_CFLAGS) $(DECOMPRESS_OPT) -c $< -o $@

$(C)/decompress/entry.o: $(DECOMPRESS_SRC)/entry.S $(DECOMPRESS_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  AS32    decompress/entry.S"
	$(Q)$(KCC) -m32 -D__ASSEMBLER__ -I$(DECOMPRESS_SRC) -c $< -o $@

# Linked at two addresses: the same bytes show that the code contains no
# absolute address, so it runs wherever the image puts it.
$(DECOMPRESSOR): $(DECOMPRESS_OBJS) $(DECOMPRESS_SRC)/decompress.ld
	@echo "  LD32    decompressor"
	$(Q)for a in 0 0x100000; do \
	    ld $(DECOMPRESS_LDFLAGS) --defsym=DECOMPRESS_LINK_ADDRESS=$$a \
	        -o $@.$$a.elf $(DECOMPRESS_OBJS) && \
	    $(OBJCOPY) -O binary $@.$$a.elf $@.$$a || exit 1; \
	done
	$(Q)cmp -s $@.0 $@.0x100000 || { echo "decompressor: the code" \
	    "differs when linked at another address, so it is not position" \
	    "independent; see arch/x86_64/decompress/build.mk" >&2; exit 1; }
	$(Q)mv $@.0 $@ && rm -f $@.0x100000 $@.0.elf $@.0x100000.elf
