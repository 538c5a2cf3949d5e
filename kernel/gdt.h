/* Segments for long mode: kernel code and data, and a task-state segment
 * whose interrupt stacks let a fault be reported even when the kernel stack
 * is gone (stack overflow into the guard page, double fault). */
#ifndef KERNEL_GDT_H
#define KERNEL_GDT_H

#define GDT_CODE 0x08
#define GDT_DATA 0x10
#define GDT_TSS  0x18

enum { IST_FAULT = 1, IST_DOUBLE_FAULT = 2 };   /* interrupt stack table slots */

void gdt_init(void);

#endif
