# SPDX-License-Identifier: BSD-3-Clause
# Pogo's build entry points.
#
#   make [APP=apps/helloworld]   build one application image into build/<name>/
#   make test                    unit, guest and system tests
#   make test-redis              Redis's own test suite, every unit but those
#                                apps/redis/test-skips lists, against
#                                redis-server in Pogo (long under TCG)
#   make unit                    host unit tests only (ASan and UBSan)
#   make lint                    clang-format and cppcheck over Pogo's C files
#   make fuzz [FUZZ_SECONDS=60]  libFuzzer targets (clang), each for a while
#   make bench [QUICK=1]         benchmarks, written to bench/results/<date>/
#   make bench-test              unit tests of the benchmark report generator
#   make menuconfig APP=...      edit an application's configuration

APP ?= apps/helloworld
PYTHON ?= /usr/bin/python3
UNIT_CC ?= gcc
UNIT_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined \
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer -Wall -Wextra \
    -Wno-unused-parameter -Wno-missing-field-initializers \
    -Itests/unit/include -Iinclude -Iarch/x86_64/include -Ilib/alloc -Itests/unit

.PHONY: all image test test-redis unit unit-build fuzz fuzz-build lint format bench bench-test menuconfig clean

all: image

image:
	@$(MAKE) --no-print-directory -f mk/image.mk APP=$(APP)

menuconfig:
	@$(MAKE) --no-print-directory -f mk/image.mk APP=$(APP) config
	@./pogo menuconfig $(APP)

# --- Unit tests ------------------------------------------------------------

unit-tests :=
include tests/unit/build.mk
UNIT_BINS := $(addprefix build/unit/,$(unit-tests))

define unit_rule
build/unit/$(1): $$($(1)-src) tests/unit/unit.c tests/unit/unit.h $$(wildcard include/pogo/*.h)
	@mkdir -p build/unit
	@echo "  UNIT    $(1)"
	@$$(UNIT_CC) $$(UNIT_CFLAGS) $$($(1)-cflags) -o $$@ $$($(1)-src) tests/unit/unit.c
endef
$(foreach t,$(unit-tests),$(eval $(call unit_rule,$(t))))

unit-build: $(UNIT_BINS)

unit: unit-build
	@$(PYTHON) tests/run.py --unit-only

test:
	@$(PYTHON) tests/run.py

# make test runs a few units of Redis's suite; this runs all of them but
# those that apps/redis/test-skips lists.
test-redis:
	@$(PYTHON) tests/system/test_redis.py --units all

# --- Fuzzing -----------------------------------------------------------------

FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
    -Iarch/x86_64/include -Ilib/alloc -Itests/unit/include

fuzz-targets := alloc_tlsf alloc_buddy httpd_request
alloc_tlsf-fuzz := tests/fuzz/alloc_fuzz.c lib/alloc/tlsf.c lib/string/string.c
alloc_tlsf-fuzz-cflags := -DALLOC_NAME=\"tlsf\"
alloc_buddy-fuzz := tests/fuzz/alloc_fuzz.c lib/alloc/buddy.c lib/string/string.c
alloc_buddy-fuzz-cflags := -DALLOC_NAME=\"buddy\"
httpd_request-fuzz := tests/fuzz/httpd_request_fuzz.c apps/httpd/request.c
fuzz-targets += cpio
cpio-fuzz := tests/fuzz/cpio_fuzz.c lib/cpio/cpio.c lib/string/format.c \
    lib/string/string.c
fuzz-targets += lz4
lz4-fuzz := tests/fuzz/lz4_fuzz.c arch/x86_64/decompress/lz4.c
lz4-fuzz-cflags := -Iarch/x86_64/decompress

define fuzz_rule
build/fuzz/$(1): $$($(1)-fuzz)
	@mkdir -p build/fuzz
	@echo "  FUZZ    $(1)"
	@clang $$(FUZZ_CFLAGS) $$($(1)-fuzz-cflags) -o $$@ $$($(1)-fuzz)
endef
$(foreach t,$(fuzz-targets),$(eval $(call fuzz_rule,$(t))))

fuzz-build: $(addprefix build/fuzz/,$(fuzz-targets))

fuzz: fuzz-build
	@for t in $(fuzz-targets); do \
	    mkdir -p build/fuzz/corpus-$$t; \
	    build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-$$t || exit 1; \
	done

# --- Lint --------------------------------------------------------------------

LINT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)

lint:
	@scripts/lint.sh $(LINT_FILES)

format:
	@clang-format -i $(LINT_FILES)

bench:
	@$(PYTHON) bench/run.py $(if $(QUICK),--quick)

bench-test:
	@$(PYTHON) bench/test_report.py

clean:
	rm -rf build
