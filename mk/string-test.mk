# tests/host/test_string.c compiles the kernel's lib/libc/string.c into
# itself (under other names): rebuild the test when that file changes.
$(HOSTB)/tests/test_string: lib/libc/string.c
