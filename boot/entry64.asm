; The first 64-bit code: load data segments, turn on SSE (the C code uses it
; from its first line), and call kmain(magic, info) on the boot stack.

%include "cpu_modes.inc"

global long_mode_entry
extern kmain, boot_stack_top

section .text.boot
bits 64
long_mode_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor ax, ax
    mov fs, ax
    mov gs, ax
    mov rsp, boot_stack_top

    ENABLE_SSE

    mov edi, edi                    ; magic (zero-extended)
    mov esi, esi                    ; boot information address
    xor ebp, ebp
    call kmain
.hang:
    cli
    hlt
    jmp .hang
