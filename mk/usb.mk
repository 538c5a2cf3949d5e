# The USB code that touches no hardware: descriptor, keyboard report and
# BOT/SCSI parsers, the xHCI ring arithmetic and the BIOS hand-off. The host
# build carries it too (tests/host/test_usb*.c, tests/fuzz/fuzz_usb.c).
HOST_EXTRA_SRC += drivers/usb_desc.c drivers/usb_kbd_report.c drivers/usb_scsi.c \
                  drivers/xhci_ring.c drivers/xhci_handoff.c
