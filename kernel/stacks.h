/* The kernel stacks and their guard pages: an unmapped page below each stack,
 * so an overflow faults instead of silently overwriting memory. */
#ifndef KERNEL_STACKS_H
#define KERNEL_STACKS_H

#include <stdint.h>

extern uint8_t boot_stack_guard[4096];   /* boot/entry32.asm */

/* Names the stack above an unmapped guard page: "CPU <cpu>'s <what>"
 * (what: "kernel stack", ...). Up to STACKS_MAX_GUARDS; returns -1 when full. */
#define STACKS_MAX_GUARDS 1024
int stack_guard_add(uint64_t guard_page, int cpu, const char *what);

/* The name of the stack whose guard page holds address a, or 0. */
const char *stack_guard_owner(uint64_t a);

#endif
