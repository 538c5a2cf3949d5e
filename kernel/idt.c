#include "kernel/idt.h"
#include <stdint.h>
#include "kernel/gdt.h"

struct __attribute__((packed)) idt_gate {
    uint16_t offset_low, selector;
    uint8_t ist, type_attr;
    uint16_t offset_mid;
    uint32_t offset_high, zero;
};

extern const uint64_t exception_stub_table[32];
extern const char interrupt_entry[];
static struct idt_gate idt[256] __attribute__((aligned(16)));

static struct idt_gate gate(uint64_t a, uint8_t ist) {
    return (struct idt_gate){
        .offset_low = (uint16_t)a, .selector = GDT_CODE, .ist = ist,
        .type_attr = 0x8e,   /* present, ring 0, interrupt gate: IF is clear inside */
        .offset_mid = (uint16_t)(a >> 16), .offset_high = (uint32_t)(a >> 32),
    };
}

void idt_init(void) {
    for (int v = 0; v < 32; v++) {
        /* Faults that may strike with a broken stack get a stack of their own. */
        uint8_t ist = v == 8 ? IST_DOUBLE_FAULT : (v == 2 || v == 14 || v == 18) ? IST_FAULT : 0;
        idt[v] = gate(exception_stub_table[v], ist);
    }
    for (int v = 32; v < 256; v++) idt[v] = gate((uint64_t)interrupt_entry, 0);
    idt_load();
}

void idt_load(void) {
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } ptr = {sizeof idt - 1, (uint64_t)idt};
    __asm__ volatile("lidt %0" ::"m"(ptr));
}
