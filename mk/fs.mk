# lib/fs/: partition tables and the read-only filesystems (exFAT, FAT,
# ISO 9660), pure parsers over a block-read callback. The kernel links them
# (for the model loader), and the host library carries them for the unit
# tests (tests/host/test_fs*.c), the fuzzers (tests/fuzz/fuzz_fs*.c) and
# tools/mkexfat.c, which writes exFAT with the same checksums.
FS_SRC := $(wildcard lib/fs/*.c)
HOST_EXTRA_SRC += $(FS_SRC)
KERNEL_EXTRA_OBJ += $(FS_SRC:%.c=$(KERNB)/obj/%.o)
