#include "kernel/gdt.h"
#include <stdint.h>
#include "lib/libc.h"

struct __attribute__((packed)) tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};

#define IST_STACK_SIZE (16 * 1024)
static uint8_t ist_stacks[2][IST_STACK_SIZE] __attribute__((aligned(16)));
static struct tss tss;
static uint64_t gdt[5] __attribute__((aligned(16)));

void gdt_init(void) {
    gdt[0] = 0;
    gdt[1] = (1ull << 43) | (1ull << 44) | (1ull << 47) | (1ull << 53);  /* 64-bit code */
    gdt[2] = (1ull << 41) | (1ull << 44) | (1ull << 47);                 /* data */
    memset(&tss, 0, sizeof tss);
    tss.ist[IST_FAULT - 1] = (uint64_t)(ist_stacks[0] + IST_STACK_SIZE);
    tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)(ist_stacks[1] + IST_STACK_SIZE);
    tss.iomap_base = sizeof tss;
    uint64_t base = (uint64_t)&tss, limit = sizeof tss - 1;
    gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x9ull << 40) | (1ull << 47) |
             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[4] = base >> 32;

    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } ptr = {sizeof gdt - 1, (uint64_t)gdt};
    __asm__ volatile(
        "lgdt %0\n\t"
        "pushq %1\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "mov %2, %%ax\n\t"
        "mov %%ax, %%ds\n\t"
        "mov %%ax, %%es\n\t"
        "mov %%ax, %%ss\n\t"
        "mov %3, %%ax\n\t"
        "ltr %%ax"
        :
        : "m"(ptr), "i"(GDT_CODE), "i"(GDT_DATA), "i"(GDT_TSS)
        : "rax", "memory");
}
