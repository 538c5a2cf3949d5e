#include "kernel/stacks.h"
#include "lib/format.h"

struct guard { uint64_t page; int cpu; const char *what; };
static struct guard guards[STACKS_MAX_GUARDS];
static int n_guards;

int stack_guard_add(uint64_t guard_page, int cpu, const char *what) {
    if (n_guards == STACKS_MAX_GUARDS) return -1;
    guards[n_guards++] = (struct guard){guard_page & ~4095ull, cpu, what};
    return 0;
}

const char *stack_guard_owner(uint64_t a) {
    uint64_t g = (uint64_t)boot_stack_guard;
    if (a >= g && a < g + 4096) return "the boot CPU's kernel stack";
    for (int i = 0; i < n_guards; i++) {
        if (a < guards[i].page || a >= guards[i].page + 4096) continue;
        static char name[64];   /* only the one core that reports a fault gets here */
        fmt_snprintf(name, sizeof name, "CPU %d's %s", guards[i].cpu, guards[i].what);
        return name;
    }
    return 0;
}
