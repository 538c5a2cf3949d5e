/* AHCI SATA controllers (PCI class 01, subclass 06, interface 01), polled:
 * SATA disks become disks "sata0", ...; ATAPI CD/DVD drives with a disc
 * become "cd0", ... (2048-byte sectors). */
#ifndef DRIVERS_AHCI_H
#define DRIVERS_AHCI_H

/* Takes every AHCI controller over from the firmware (BIOS/OS handoff),
 * resets it, brings up each port with a device, registers the devices with
 * disk_register, and prints one line for each disk found or each device
 * skipped (and why). Every wait has a time-out. */
void ahci_init(void);

#endif
