/* NVMe solid-state disks (PCI class 01, subclass 08, interface 02), polled:
 * each namespace that holds plain sectors becomes a disk ("nvme0", ...). */
#ifndef DRIVERS_NVME_H
#define DRIVERS_NVME_H

/* Resets and brings up every NVMe controller on the PCI bus, registers its
 * namespaces with disk_register and prints one line for each disk found
 * (or for each controller skipped, and why). Every wait has a time-out. */
void nvme_init(void);

#endif
