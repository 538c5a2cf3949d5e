/* Leaving QEMU with a status, through its isa-debug-exit device at port 0xf4
 * (-device isa-debug-exit,iobase=0xf4,iosize=4): QEMU exits with
 * (status << 1) | 1. On a real machine the write goes nowhere and we return. */
#ifndef DRIVERS_QEMU_EXIT_H
#define DRIVERS_QEMU_EXIT_H

void qemu_exit(unsigned status);

#endif
