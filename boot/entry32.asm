; The 32-bit entry point. GRUB (BIOS or UEFI) jumps here in protected mode,
; paging off, with the multiboot2 magic in eax and the boot information
; address in ebx. We check both, check that the CPU can do long mode, map the
; first 4 GiB with 2 MiB pages (enough for the kernel, the boot information
; and the modules, which multiboot2 keeps below 4 GiB), and enter long mode.
; kernel/paging.c later replaces these tables with a map of all RAM.

%include "cpu_modes.inc"

MB2_BOOT_MAGIC equ 0x36d76289
COM1           equ 0x3f8
PAGE_PRESENT   equ 1 << 0
PAGE_WRITE     equ 1 << 1
PAGE_HUGE      equ 1 << 7
BOOT_STACK_SIZE equ 256 * 1024

global start32
global boot_pml4, boot_stack_guard, boot_stack_top
extern long_mode_entry

section .text.boot
bits 32
start32:
    cli
    cld
    mov esp, boot_stack_top
    mov edi, eax                    ; keep the magic and the info pointer
    mov esi, ebx                    ; for kmain (System V: rdi, rsi)

    cmp eax, MB2_BOOT_MAGIC
    jne .bad_magic
    call check_long_mode
    test eax, eax
    jz .no_long_mode

    ; PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages.
    push edi
    mov edi, boot_pml4              ; zero all six tables first
    mov ecx, 6 * 4096 / 4
    xor eax, eax
    rep stosd
    pop edi
    mov eax, boot_pdpt
    or eax, PAGE_PRESENT | PAGE_WRITE
    mov [boot_pml4], eax
    xor ecx, ecx
.fill_pdpt:
    mov eax, ecx
    shl eax, 12
    add eax, boot_pd
    or eax, PAGE_PRESENT | PAGE_WRITE
    mov [boot_pdpt + ecx * 8], eax
    inc ecx
    cmp ecx, 4
    jne .fill_pdpt
    xor ecx, ecx                    ; 2048 entries: 4 GiB
.fill_pd:
    mov eax, ecx
    shl eax, 21
    or eax, PAGE_PRESENT | PAGE_WRITE | PAGE_HUGE
    mov [boot_pd + ecx * 8], eax
    mov eax, ecx
    shr eax, 11                     ; high dword of the address (always 0..1)
    mov [boot_pd + ecx * 8 + 4], eax
    inc ecx
    cmp ecx, 2048
    jne .fill_pd

    mov eax, boot_pml4
    ENABLE_PAGING_LONG_MODE

    lgdt [gdt64.pointer]
    jmp gdt64.code:long_mode_entry

.bad_magic:
    mov ebx, msg_bad_magic
    jmp fail32
.no_long_mode:
    mov ebx, msg_no_long_mode
    jmp fail32

; eax = 1 when CPUID exists and reports long mode, else 0.
check_long_mode:
    pushfd
    pop eax
    mov ecx, eax
    xor eax, 1 << 21                ; try to flip the ID flag
    push eax
    popfd
    pushfd
    pop eax
    push ecx
    popfd
    xor eax, ecx
    jz .no
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz .no
    mov eax, 1
    ret
.no:
    xor eax, eax
    ret

; Print the NUL-terminated string at ebx on COM1 (polled, 115200 8N1), halt.
fail32:
    mov dx, COM1 + 1
    xor al, al
    out dx, al                      ; no interrupts
    mov dx, COM1 + 3
    mov al, 0x80
    out dx, al                      ; divisor latch
    mov dx, COM1
    mov al, 1
    out dx, al                      ; 115200 baud
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x03
    out dx, al                      ; 8N1
.next:
    mov al, [ebx]
    test al, al
    jz .halt
    mov ecx, 100000
.wait:
    mov dx, COM1 + 5
    in al, dx
    test al, 0x20
    jnz .send
    loop .wait
.send:
    mov dx, COM1
    mov al, [ebx]
    out dx, al
    inc ebx
    jmp .next
.halt:
    mov dx, 0xf4                    ; QEMU isa-debug-exit, if present: status 3
    mov eax, 1
    out dx, eax
.hang:
    hlt
    jmp .hang

section .rodata
msg_bad_magic:
    db 13, 10, "error: not started by a multiboot2 boot loader (bad magic in eax); boot this kernel with GRUB's multiboot2 command", 13, 10, 0
msg_no_long_mode:
    db 13, 10, "error: this CPU has no 64-bit long mode; llama2 needs an x86-64 processor", 13, 10, 0

align 8
gdt64:
    dq 0
.code: equ $ - gdt64
    dq (1 << 43) | (1 << 44) | (1 << 47) | (1 << 53)   ; code, present, 64-bit
.data: equ $ - gdt64
    dq (1 << 41) | (1 << 44) | (1 << 47)               ; data, writable, present
.pointer:
    dw $ - gdt64 - 1
    dq gdt64

section .bss.stack nobits
align 4096
boot_pml4:        resb 4096
boot_pdpt:        resb 4096
boot_pd:          resb 4096 * 4
boot_stack_guard: resb 4096         ; unmapped by paging.c: overflow faults
boot_stack:       resb BOOT_STACK_SIZE
boot_stack_top:
