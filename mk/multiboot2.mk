# kernel/multiboot2.c touches no hardware: build it into the host library
# too, so that tests/host/test_multiboot2.c can feed it synthesized blocks.
HOST_EXTRA_SRC += kernel/multiboot2.c
