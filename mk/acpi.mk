# kernel/acpi.c reads tables only through a callback (no hardware): build it
# into the host library too, so that tests/host/test_acpi.c can hand it
# synthesized tables.
HOST_EXTRA_SRC += kernel/acpi.c
