; The multiboot2 header: tells GRUB what boot information to hand over
; (command line, modules, memory map, framebuffer, ACPI RSDP) and that we want
; a linear framebuffer (any size, 32 bpp preferred) and page-aligned modules.

MB2_MAGIC    equ 0xe85250d6
MB2_ARCH_X86 equ 0
MB2_OPTIONAL equ 1

section .multiboot2
align 8
header_start:
    dd MB2_MAGIC
    dd MB2_ARCH_X86
    dd header_end - header_start
    dd -(MB2_MAGIC + MB2_ARCH_X86 + (header_end - header_start))

align 8
info_request:                       ; tag 1: information request
    dw 1, MB2_OPTIONAL
    dd info_request_end - info_request
    dd 1                            ; boot command line
    dd 3                            ; modules
    dd 6                            ; memory map
    dd 8                            ; framebuffer info
    dd 14                           ; ACPI 1.0 RSDP
    dd 15                           ; ACPI 2.0+ RSDP
info_request_end:

align 8
framebuffer_request:                ; tag 5: a linear framebuffer, any size
    dw 5, MB2_OPTIONAL
    dd 20
    dd 0                            ; width: no preference
    dd 0                            ; height: no preference
    dd 32                           ; depth

align 8
module_align:                       ; tag 6: page-align the modules
    dw 6, 0
    dd 8

align 8
    dw 0, 0                         ; end tag
    dd 8
header_end:
