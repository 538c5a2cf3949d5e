#include "drivers/qemu_exit.h"
#include "kernel/io.h"

void qemu_exit(unsigned status) { outl(0xf4, status); }
