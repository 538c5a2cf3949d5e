# make disk: build/llama2-disk.img, a GPT disk image for a USB stick (or any
# disk) that boots under UEFI and BIOS and holds the models on an exFAT
# partition labelled LLAMA2 (tools/make-disk.sh; no root needed).
# MODELS="file ...": the models to copy (default stories15M.bin and
# tokenizer.bin); DISK_SIZE: the image's size (default: the models plus
# 128 MiB); ARGS, TIMEOUT, GFXMODE as for the ISO. make usb IMG=$(DISK)
# writes it to a stick.
DISK ?= $(BUILD)/llama2-disk.img
export MODELS DISK_SIZE

.PHONY: disk
disk: deps $(KERNB)/llama2.elf $(HOSTB)/mkexfat
	tools/make-disk.sh $(DISK) $(KERNB)/llama2.elf
