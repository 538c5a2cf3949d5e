#include "kernel/stacks.h"

const char *stack_guard_owner(uint64_t a) {
    uint64_t g = (uint64_t)boot_stack_guard;
    if (a >= g && a < g + 4096) return "the boot CPU's kernel stack";
    return 0;
}
