; Entry stubs for the 32 CPU exceptions. Each pushes a dummy error code where
; the CPU pushes none, then its vector, saves every general register and
; calls exception_handler(frame) in kernel/exceptions.c, which never returns.

global exception_stub_table
extern exception_handler

%macro STUB_NO_ERROR 1
stub_%1:
    push 0
    push %1
    jmp exception_common
%endmacro

%macro STUB_WITH_ERROR 1
stub_%1:
    push %1
    jmp exception_common
%endmacro

section .text
bits 64
%assign v 0
%rep 32
  %if v == 8 || v == 10 || v == 11 || v == 12 || v == 13 || v == 14 || v == 17 || v == 21 || v == 29 || v == 30
    STUB_WITH_ERROR v
  %else
    STUB_NO_ERROR v
  %endif
  %assign v v + 1
%endrep

exception_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    mov rdi, rsp                    ; struct exception_frame *
    and rsp, ~15                    ; the C ABI wants a 16-byte aligned stack
    cld
    call exception_handler
.hang:
    cli
    hlt
    jmp .hang

section .rodata
align 8
exception_stub_table:
%assign v 0
%rep 32
    dq stub_ %+ v
  %assign v v + 1
%endrep
