/* The interrupt descriptor table: the 32 CPU exceptions, each reported by
 * kernel/exceptions.c, and every other vector to boot/interrupt_stub.asm,
 * which acknowledges and returns. Drivers poll: interrupts are enabled only
 * while a core halts with nothing to do (kernel/idle.h). */
#ifndef KERNEL_IDT_H
#define KERNEL_IDT_H

void idt_init(void);   /* build the table once */
void idt_load(void);   /* load it on this core */

#endif
