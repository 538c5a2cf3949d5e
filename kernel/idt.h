/* The interrupt descriptor table: the 32 CPU exceptions, each reported by
 * kernel/exceptions.c. No device interrupts are used: drivers poll. */
#ifndef KERNEL_IDT_H
#define KERNEL_IDT_H

void idt_init(void);   /* build the table once */
void idt_load(void);   /* load it on this core */

#endif
