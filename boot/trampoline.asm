; The application processors' way from reset to the kernel's C code.
;
; kernel/smp.c copies the bytes from trampoline_start to trampoline_end to a
; free page below 1 MiB, fills in the parameter block and sends the core a
; STARTUP message naming that page. The core begins in 16-bit real mode at
; CS = page >> 4, IP = 0 with caches off (CR0.CD and NW set by INIT). It
; turns them on, loads the small GDT below, enters 32-bit protected mode,
; switches on PAE with the kernel's page tables, long mode and paging, and
; enters 64-bit mode, where it takes its stack, turns on SSE as
; boot/entry64.asm does for the boot CPU, and calls entry(arg).
;
; The code runs at whatever page it was copied to, so it never names an
; absolute address: in real mode it addresses through CS = DS; it works out
; its linear base (ebx) once and patches the three fields that need linear
; addresses (the GDT base and two far-jump targets) before using them.
; Nothing here uses a stack until 64-bit mode.
;
; The core reports how far it got in `stage` (1 real mode, 2 protected mode,
; 3 long mode), so that a core that never arrives can be described.

%include "cpu_modes.inc"

TRAMPOLINE_MAGIC equ 0x504d5254     ; "TRMP": smp.c checks its layout agrees

global trampoline_start, trampoline_end

%define OFF(label) ((label) - trampoline_start)

section .rodata                     ; a template: only its copy ever runs
align 16
trampoline_start:
bits 16
    jmp short real_mode
    align 8, db 0

; The parameter block: struct trampoline_params in kernel/smp.c.
params:
.magic:  dd TRAMPOLINE_MAGIC
.stage:  dd 0                       ; written by the starting core
.cr3:    dq 0                       ; the kernel's PML4 (below 4 GiB)
.stack:  dq 0                       ; the core's stack top
.arg:    dq 0                       ; passed to entry in rdi
.entry:  dq 0                       ; void entry(void *arg), never returns

align 8
gdt:
    dq 0
.code32: equ $ - gdt
    dq 0x00cf9a000000ffff           ; 32-bit code, base 0, 4 GiB
.data: equ $ - gdt
    dq 0x00cf92000000ffff           ; data, base 0, 4 GiB
.code64: equ $ - gdt
    dq 0x00af9a000000ffff           ; 64-bit code
.end:

align 8
gdtr:
    dw gdt.end - gdt - 1
    dd 0                            ; linear base: patched
align 8
far32:
    dd 0                            ; linear address of protected_mode: patched
    dw gdt.code32
align 8
far64:
    dd 0                            ; linear address of long_mode: patched
    dw gdt.code64

real_mode:
    cli
    cld
    mov ax, cs
    mov ds, ax
    mov dword [OFF(params.stage)], 1
    movzx ebx, ax
    shl ebx, 4                      ; ebx = the trampoline's linear address
    lea eax, [ebx + OFF(gdt)]
    mov [OFF(gdtr) + 2], eax
    lea eax, [ebx + OFF(protected_mode)]
    mov [OFF(far32)], eax
    lea eax, [ebx + OFF(long_mode)]
    mov [OFF(far64)], eax
    o32 lgdt [OFF(gdtr)]
    mov eax, cr0
    and eax, ~((1 << 30) | (1 << 29))   ; CD, NW off: caches on
    or eax, 1                       ; PE
    mov cr0, eax
    jmp far dword [OFF(far32)]

bits 32
protected_mode:
    mov ax, gdt.data
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax
    mov dword [ebx + OFF(params.stage)], 2
    mov eax, [ebx + OFF(params.cr3)]
    ENABLE_PAGING_LONG_MODE
    jmp far [ebx + OFF(far64)]

bits 64
long_mode:
    mov eax, gdt.data
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov ebx, ebx                    ; the upper half is undefined after the switch
    mov dword [rbx + OFF(params.stage)], 3
    mov rsp, [rbx + OFF(params.stack)]

    ENABLE_SSE

    mov rdi, [rbx + OFF(params.arg)]
    mov rax, [rbx + OFF(params.entry)]
    xor ebp, ebp
    call rax
.hang:
    cli
    hlt
    jmp .hang
trampoline_end:
