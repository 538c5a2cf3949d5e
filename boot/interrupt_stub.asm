; The entry of every interrupt vector above the exceptions (32-255). The
; kernel takes interrupts only while a core halts with nothing to do
; (kernel/idle.c): the wake message of another core, the local APIC timer
; of a nap. Nothing needs doing beyond waking, so the entry only counts the
; interrupt, signals the end of interrupt to the local APIC and returns; it
; saves the three registers it uses. (The spurious vector, 0xff, needs no
; EOI; the one it gets finds nothing in service, since no interrupt nests.) The APIC's mode is read each time from
; IA32_APIC_BASE: x2APIC (the EOI register is MSR 0x80b) or xAPIC (offset
; 0xb0 of the register page, which the kernel maps below 4 GiB).

global interrupt_entry
global interrupts_taken

section .text
bits 64
interrupt_entry:
    push rax
    push rcx
    push rdx
    lock inc qword [rel interrupts_taken]
    mov ecx, 0x1b                   ; IA32_APIC_BASE
    rdmsr
    test eax, 1 << 10               ; x2APIC mode
    jnz .x2apic
    and eax, 0xfffff000
    shl rdx, 32
    or rax, rdx
    mov dword [rax + 0xb0], 0
    jmp .done
.x2apic:
    mov ecx, 0x80b
    xor eax, eax
    xor edx, edx
    wrmsr
.done:
    pop rdx
    pop rcx
    pop rax
    iretq

section .data
align 8
interrupts_taken: dq 0
