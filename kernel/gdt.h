/* Segments for long mode: kernel code and data, and one task-state segment
 * per core whose interrupt stacks let a fault be reported even when the
 * kernel stack is gone (stack overflow into the guard page, double fault). */
#ifndef KERNEL_GDT_H
#define KERNEL_GDT_H

#include <stdint.h>

#define GDT_CODE 0x08
#define GDT_DATA 0x10
#define GDT_TSS  0x18   /* CPU 0's; CPU n's is at GDT_TSS + 16 * n */
#define GDT_MAX_CPUS 256

enum { IST_FAULT = 1, IST_DOUBLE_FAULT = 2 };   /* interrupt stack table slots */

/* Builds the table with the boot CPU's TSS (static interrupt stacks) and
 * loads it on the boot CPU. */
void gdt_init(void);
/* Adds CPU n's TSS, with the tops of its two interrupt stacks; on the boot
 * CPU, before that core is started. Returns 0, or -1 when n is out of range. */
int gdt_add_cpu(int n, uint64_t ist_fault_top, uint64_t ist_double_fault_top);
/* Loads the table, the segments and CPU n's TSS on the calling core. */
void gdt_load(int n);

#endif
