#include "kernel/gdt.h"
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
static uint8_t ist_stacks[2][IST_STACK_SIZE] __attribute__((aligned(16)));   /* the boot CPU's */
static struct tss tss[GDT_MAX_CPUS];
/* null, code, data, then a 16-byte TSS descriptor per core */
static uint64_t gdt[3 + 2 * GDT_MAX_CPUS] __attribute__((aligned(16)));

static void set_tss(int n, uint64_t ist_fault_top, uint64_t ist_double_fault_top) {
    struct tss *t = &tss[n];
    memset(t, 0, sizeof *t);
    t->ist[IST_FAULT - 1] = ist_fault_top;
    t->ist[IST_DOUBLE_FAULT - 1] = ist_double_fault_top;
    t->iomap_base = sizeof *t;
    uint64_t base = (uint64_t)t, limit = sizeof *t - 1;
    uint64_t *d = &gdt[3 + 2 * n];
    d[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x9ull << 40) | (1ull << 47) |
           (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);   /* available 64-bit TSS */
    d[1] = base >> 32;
}

void gdt_init(void) {
    gdt[0] = 0;
    gdt[1] = (1ull << 43) | (1ull << 44) | (1ull << 47) | (1ull << 53);  /* 64-bit code */
    gdt[2] = (1ull << 41) | (1ull << 44) | (1ull << 47);                 /* data */
    set_tss(0, (uint64_t)(ist_stacks[0] + IST_STACK_SIZE), (uint64_t)(ist_stacks[1] + IST_STACK_SIZE));
    gdt_load(0);
}

int gdt_add_cpu(int n, uint64_t ist_fault_top, uint64_t ist_double_fault_top) {
    if (n <= 0 || n >= GDT_MAX_CPUS) return -1;
    set_tss(n, ist_fault_top, ist_double_fault_top);
    return 0;
}

void gdt_load(int n) {
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
        "ltr %3"
        :
        : "m"(ptr), "i"(GDT_CODE), "i"(GDT_DATA), "r"((uint16_t)(GDT_TSS + 16 * n))
        : "rax", "memory");
}
