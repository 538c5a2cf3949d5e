# The framebuffer console's font: Terminus from Debian's console-setup-linux
# package (/usr/share/consolefonts), three sizes so that text stays legible
# from 640x480 to 3840x2160 (drivers/fbcon.c picks one and may double it).
# tools/psf2c turns the decompressed PSF files into C data at build time.

FONT_DIR   ?= /usr/share/consolefonts
FONT_NAMES := Uni2-Terminus16 Uni2-Terminus24x12 Uni2-Terminus32x16
FONT_PSF   := $(FONT_NAMES:%=$(BUILD)/fonts/%.psf)

$(FONT_DIR)/%.psf.gz:
	@echo "error: $@ is missing: install Debian's console-setup-linux package (apt-get install console-setup-linux)" >&2; exit 1

$(BUILD)/fonts/%.psf: $(FONT_DIR)/%.psf.gz
	@mkdir -p $(dir $@)
	gzip -dc $< > $@.tmp && mv $@.tmp $@

# psf2c gets its own rule: the generic tools rule links build/host/libllama.a,
# which holds the generated font, which needs psf2c.
$(HOSTB)/psf2c: tools/psf2c.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $< -o $@

$(KERNB)/gen/font.c: $(HOSTB)/psf2c $(FONT_PSF)
	@mkdir -p $(dir $@)
	$(HOSTB)/psf2c -o $@.tmp $(FONT_PSF) && mv $@.tmp $@

KERNEL_EXTRA_OBJ += $(KERNB)/obj/gen/font.o

# The console touches no hardware but the memory it is given, so the host
# build carries it too (tests/host/test_fbcon.c), with its text-mode
# character set.
HOST_EXTRA_SRC += drivers/fbcon.c drivers/cp437.c
HOST_EXTRA_OBJ += $(HOSTB)/obj/gen/font.o

$(HOSTB)/obj/gen/font.o: $(KERNB)/gen/font.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@
