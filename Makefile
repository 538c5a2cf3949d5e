# llama2 on bare metal. The two commands a person needs: `make run`, `make test`.
# Everything lands in build/. See README.md for the variables.

SHELL := /bin/bash
.DEFAULT_GOAL := iso

BUILD   := build
HOSTB   := $(BUILD)/host
KERNB   := $(BUILD)/kernel

CC      ?= gcc
NASM    ?= nasm

# The engine and its support: one set of sources, compiled twice.
LIB_SRC     := $(wildcard lib/*.c lib/llama/*.c)
LIBC_SRC    := $(wildcard lib/libc/*.c)          # kernel only: the host has a C library
KERNEL_SRC  := $(wildcard kernel/*.c drivers/*.c) $(LIB_SRC) $(LIBC_SRC)
KERNEL_ASM  := $(wildcard boot/*.asm)

COMMON_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -I. -I$(KERNB)/gen \
                 -ffp-contract=off -fno-strict-aliasing
HOST_CFLAGS   := $(COMMON_CFLAGS) -pthread
KERNEL_CFLAGS := $(COMMON_CFLAGS) -ffreestanding -fno-stack-protector -fno-pic -fno-pie \
                 -mno-red-zone -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
                 -mcmodel=small -DKERNEL
KERNEL_LDFLAGS := -nostdlib -static -no-pie -Wl,-T,linker.ld -Wl,-z,max-page-size=0x1000 \
                  -Wl,--build-id=none -Wl,-z,noexecstack

# Kernel files that touch no hardware, also built for the host so that unit
# tests and fuzzers can reach them. mk/*.mk fragments add to these lists.
HOST_EXTRA_SRC :=
HOST_EXTRA_OBJ :=
KERNEL_EXTRA_OBJ :=

# The SIMD kernels: the slowest files to compile (mk/sanitize.mk and the
# lines below give them flags of their own).
SIMD_SRC := $(filter lib/llama/batch_%.c lib/llama/quant_%.c lib/llama/matmul_avx%.c \
                     lib/llama/matmul_sse2.c,$(LIB_SRC))

include $(wildcard mk/*.mk)

# The SIMD kernels are compiled once, into build/simd/, and linked into both
# the host library and the kernel: they were two thirds of the build's CPU
# time, twice over. They call nothing of either platform, so one object
# serves both: position-independent for the host's PIE programs (the kernel's
# static link resolves that), without a red zone for the kernel (interrupts
# arrive on its stack) and without stack-protector calls. Line tables only
# (-g1): tracking their variables' locations took gcc half their compile
# time (batch_avx512.c: 38 s, 19 s).
SIMDB       := $(BUILD)/simd
SIMD_CFLAGS := $(filter-out -g,$(COMMON_CFLAGS)) -g1 -mno-red-zone -fno-stack-protector
$(SIMDB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(SIMD_CFLAGS) -MMD -MP -c $< -o $@

# $(call objects_of,DIR,SOURCES,SHARED): the objects of SOURCES built under
# DIR, but those of SHARED (some of SIMD_SRC) from build/simd/.
objects_of = $(patsubst %.c,$(1)/obj/%.o,$(filter-out $(3),$(2))) $(patsubst %.c,$(SIMDB)/obj/%.o,$(filter $(3),$(2)))

HOST_LIB_OBJ := $(call objects_of,$(HOSTB),$(LIB_SRC),$(SIMD_SRC)) \
                $(HOST_EXTRA_SRC:%.c=$(HOSTB)/obj/%.o) $(HOST_EXTRA_OBJ)
KERNEL_OBJ   := $(call objects_of,$(KERNB),$(KERNEL_SRC),$(SIMD_SRC)) \
                $(KERNEL_ASM:%.asm=$(KERNB)/obj/%.o) $(KERNEL_EXTRA_OBJ)

# ---------------------------------------------------------------- host
$(HOSTB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(HOSTB)/libllama.a: $(HOST_LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# Every tools/NAME.c is one host program build/host/NAME.
HOST_TOOLS := $(patsubst tools/%.c,$(HOSTB)/%,$(wildcard tools/*.c))
$(HOSTB)/%: tools/%.c $(HOSTB)/libllama.a
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $< $(HOSTB)/libllama.a -lm -o $@

.PHONY: host
host: $(HOST_TOOLS)

# Every tests/host/test_NAME.c is one unit-test program.
HOST_TESTS := $(patsubst tests/host/%.c,$(HOSTB)/tests/%,$(wildcard tests/host/test_*.c))
$(HOSTB)/tests/%: tests/host/%.c $(HOSTB)/libllama.a tests/check.h $(wildcard tests/host/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $< $(HOSTB)/libllama.a -lm -o $@

# ---------------------------------------------------------------- kernel
$(KERNB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

$(KERNB)/obj/gen/%.o: $(KERNB)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(KERNB)/obj/%.o: %.asm $(wildcard boot/*.inc)
	@mkdir -p $(dir $@)
	$(NASM) -f elf64 -g -I boot/ $< -o $@

$(KERNB)/llama2.elf: $(KERNEL_OBJ) linker.ld
	$(CC) $(KERNEL_LDFLAGS) $(KERNEL_OBJ) -lgcc -o $@

.PHONY: kernel
kernel: $(KERNB)/llama2.elf

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)

.PHONY: clean
clean:
	rm -rf $(BUILD)

# ---------------------------------------------------------------- ISO and QEMU
# MODEL, TOKENIZER: files to put on the ISO (default stories15M + tokenizer.bin,
# looked up by tools/find-model.sh). ARGS: kernel flags, written into grub.cfg
# exactly as given. TIMEOUT: GRUB menu seconds. GFXMODE: the screen mode
# GRUB hands the kernel (e.g. 1920x1080).
export MODEL TOKENIZER ARGS GFXMODE
ISO ?= $(BUILD)/llama2.iso

# Installs the Debian packages the build needs, when any is missing.
.PHONY: deps
deps:
	@tools/deps.sh

.PHONY: iso
iso: deps $(KERNB)/llama2.elf
	tools/make-iso.sh $(ISO) $(KERNB)/llama2.elf

# make usb DEV=/dev/sdX: writes the ISO (make iso first), or with
# IMG=build/llama2-disk.img the disk image (make disk first), to a USB stick
# with dd, after checking that DEV is a whole, removable, unmounted disk and
# asking for confirmation (tools/usb-write.sh).
.PHONY: usb
usb:
	tools/usb-write.sh $(or $(IMG),$(ISO)) "$(DEV)"

# make run: the same ISO with --exit in front of ARGS, booted in QEMU with the
# serial port on this terminal. FIRMWARE=uefi|bios|usb SMP MEM CPU ACCEL;
# VIEW=window|vnc shows the screen; RUN_TIMEOUT: seconds before QEMU is
# stopped (TIMEOUT is GRUB's menu). make exits 2 on any failure (it prints
# qemu-run.sh's status in its "Error N" line); tools/run.sh does what make
# run does and exits with qemu-run.sh's status itself.
RUN_TIMEOUT ?= 1800
.PHONY: run run-iso
run-iso: deps $(KERNB)/llama2.elf
	@ARGS="--exit $$ARGS" TIMEOUT=0 tools/make-iso.sh $(BUILD)/run.iso $(KERNB)/llama2.elf

run: run-iso
	@TIMEOUT=$(RUN_TIMEOUT) tools/qemu-run.sh $(BUILD)/run.iso

# ---------------------------------------------------------------- tests
.PHONY: test test-build
test-build: host $(HOST_TESTS) $(KERNB)/llama2.elf

# -j: CI runs a plain `make test`, and the build is a tenth of its time on one core.
test: deps
	$(MAKE) -j$$(nproc) test-build
	tests/run.sh $(T)
