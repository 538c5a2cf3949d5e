/* The kernel's main line: bring the machine up (consoles, CPU, memory,
 * time), read what GRUB handed over (command line, modules) or take the
 * model from a disk (kernel/model_load.h), and run the story. Each step reports what it found; each failure ends in one
 * "error:" line through kernel_error. */
#include <stdint.h>
#include "drivers/fbcon.h"
#include "drivers/usb.h"
#include "drivers/vga.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/crash.h"
#include "kernel/gdt.h"
#include "kernel/idt.h"
#include "kernel/input.h"
#include "kernel/memory.h"
#include "kernel/model_load.h"
#include "kernel/multiboot2.h"
#include "kernel/paging.h"
#include "kernel/power.h"
#include "kernel/panic.h"
#include "kernel/smp.h"
#include "kernel/stacks.h"
#include "kernel/story.h"
#include "kernel/time.h"
#include "lib/cmdline.h"
#include "lib/format.h"
#include "lib/libc.h"
#include "lib/options.h"

extern uint8_t __kernel_start[], __kernel_end[];

#define MIB (1024.0 * 1024.0)
#define MAX_ARGS 64

static struct mb2_info mb;
static Options opt;

/* --exit must work for errors found before (or while) the flags are parsed. */
static int cmdline_asks_exit(const char *line) {
    static char buf[4096];
    static char *argv[MAX_ARGS];
    char err[128];
    int argc;
    if (cmdline_split(line, buf, sizeof buf, argv, MAX_ARGS, &argc, err, sizeof err) == 0) {
        for (int i = 0; i < argc; i++)
            if (strcmp(argv[i], "--exit") == 0) return 1;
        return 0;
    }
    for (const char *p = line; p && *p; p++)   /* unparsable: look for the word */
        if (strncmp(p, "--exit", 6) == 0) return 1;
    return 0;
}

static void setup_screen(void) {
    if (!mb.fb.present) return;
    const struct mb2_framebuffer *f = &mb.fb;
    bool text = f->type == MB2_FB_EGA_TEXT;   /* GRUB kept text mode (gfxpayload=text, no VBE) */
    if (!text && f->type != MB2_FB_RGB) {
        kprintf("screen: framebuffer type %u is not direct RGB; serial only\n", f->type);
        return;
    }
    struct fb_desc d = {
        .base = (void *)(uintptr_t)f->addr, .width = f->width, .height = f->height,
        .pitch = f->pitch, .bpp = f->bpp, .ega_text = text,
        .red_pos = f->red_pos, .red_size = f->red_size,
        .green_pos = f->green_pos, .green_size = f->green_size,
        .blue_pos = f->blue_pos, .blue_size = f->blue_size,
    };
    const char *why = console_init_screen(&d);
    if (why) {
        kprintf("screen: %ux%u %u bpp%s: %s; serial only\n", f->width, f->height, f->bpp,
                text ? " EGA text" : "", why);
        return;
    }
    struct fbcon_info info;
    fbcon_get_info(&info);
    if (text) {
        vga_hide_cursor();
        kprintf("screen: %ux%u, EGA text mode, %u x %u text in CP437\n", f->width, f->height,
                info.cols, info.rows);
    } else {
        kprintf("screen: %ux%u, %u bpp, %u x %u text with %s x%u\n", f->width, f->height, f->bpp,
                info.cols, info.rows, info.font, info.scale);
    }
}

/* Identity-map RAM, modules and the framebuffer; then give the allocator
 * the usable RAM less everything in use. */
static void setup_memory(uint64_t info_addr) {
    struct map_region r[MB2_MAX_MMAP + MB2_MAX_MODULES + 3];
    int n = 0;
    for (int i = 0; i < mb.mmap_count; i++) {
        uint32_t t = mb.mmap[i].type;   /* RAM in any state: usable, ACPI, NVS */
        if (t == 1 || t == 3 || t == 4)
            r[n++] = (struct map_region){mb.mmap[i].base, mb.mmap[i].base + mb.mmap[i].length, MEM_WB};
    }
    for (int i = 0; i < mb.module_count; i++)
        r[n++] = (struct map_region){mb.modules[i].start, mb.modules[i].end, MEM_WB};
    r[n++] = (struct map_region){(uint64_t)__kernel_start, (uint64_t)__kernel_end, MEM_WB};
    r[n++] = (struct map_region){info_addr, info_addr + mb.total_size, MEM_WB};
    if (mb.fb.present)
        r[n++] = (struct map_region){mb.fb.addr,
                                     mb.fb.addr + (uint64_t)mb.fb.pitch * mb.fb.height,
                                     MEM_WC};
    uint64_t mapped = paging_init(r, n);
    paging_unmap_page((uint64_t)boot_stack_guard);
    paging_unmap_page(0);   /* a null pointer faults instead of reading the IVT */

    for (int i = 0; i < mb.mmap_count; i++) {
        if (mb.mmap[i].type != 1) continue;
        uint64_t s = mb.mmap[i].base, e = s + mb.mmap[i].length;
        if (e > mapped) e = mapped;
        if (s < e) memory_add_usable(s, e);
    }
    memory_reserve(0, 1 << 20);   /* real-mode memory: the SMP trampoline lives here */
    memory_reserve((uint64_t)__kernel_start, (uint64_t)__kernel_end);
    memory_reserve(info_addr, info_addr + mb.total_size);
    for (int i = 0; i < mb.module_count; i++) memory_reserve(mb.modules[i].start, mb.modules[i].end);
    kprintf("memory: %.1f MiB usable RAM, %.1f MiB free, mapped up to %#llx\n",
            memory_total_usable() / MIB, memory_free() / MIB, (unsigned long long)mapped);
}

/* Prints flag "value" with \ and " escaped, as it could be typed again. */
static void print_quoted(const char *flag, const char *value) {
    kprintf("%s\"", flag);
    for (const char *p = value; *p; p++) kprintf(*p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
    kprintf("\"");
}

static void parse_flags(void) {
    static char buf[4096];
    static char *argv[MAX_ARGS];
    char err[512], note[256];
    int argc;
    const char *line = mb.cmdline ? mb.cmdline : "";
    kprintf("command line: %s\n", line);
    if (cmdline_split(line, buf, sizeof buf, argv, MAX_ARGS, &argc, err, sizeof err) != 0)
        kernel_error("command line: %s; fix the multiboot2 line in grub.cfg (press e in the GRUB menu)", err);
    if (options_parse(&opt, argc, argv, OPTIONS_KERNEL, err, sizeof err, note, sizeof note) != 0)
        kernel_error("%s", err);
    if (note[0]) kprintf("note: %s\n", note);
    exit_when_done = opt.exit_when_done;
    if (!opt.seed_given) opt.seed = time_entropy();   /* run.c: time(NULL) */
    kprintf("flags: -t %g -p %g -s %llu%s -n %d -m %s", opt.temperature, opt.topp,
            (unsigned long long)opt.seed, opt.seed_given ? "" : " (from the clock)", opt.steps, opt.mode);
    if (opt.prompt) print_quoted(" -i ", opt.prompt);
    if (opt.system_prompt) print_quoted(" -y ", opt.system_prompt);
    kprintf(" --threads %d", opt.threads);
    if (opt.simd) kprintf(" --simd %s", opt.simd);
    if (opt.model_file) print_quoted(" --model ", opt.model_file);
    if (opt.tokenizer_file) print_quoted(" --tokenizer ", opt.tokenizer_file);
    if (opt.ask) kprintf(" --ask");
    if (opt.exit_when_done) kprintf(" --exit");
    kprintf("\n");
}

static const struct mb2_module *find_module(const char *role) {
    for (int i = 0; i < mb.module_count; i++)
        if (strcmp(mb.modules[i].string, role) == 0) return &mb.modules[i];
    return 0;
}

void kmain(uint32_t magic, uint64_t info_addr) {
    (void)magic;   /* checked by boot/entry32.asm */
    console_init_serial();
    gdt_init();
    idt_init();
    kprintf("\nllama2 bare-metal kernel: started by multiboot2\n");

    char err[256];
    if (mb2_parse((const void *)(uintptr_t)info_addr, (size_t)((4ull << 30) - info_addr), &mb, err, sizeof err) != 0)
        kernel_error("boot information: %s; boot with GRUB 2's multiboot2 command", err);
    exit_when_done = cmdline_asks_exit(mb.cmdline);

    cpu_init();
    char line[512];
    cpu_describe(line, sizeof line);
    kprintf("%s\n", line);
    setup_memory(info_addr);
    setup_screen();
    if (mb.bootloader_name) kprintf("boot loader: %s\n", mb.bootloader_name);
    const char *clock = time_init();
    if (clock) kprintf("time: TSC at %llu MHz (from %s)\n", (unsigned long long)(time_tsc_hz() / 1000000), clock);
    else kprintf("time: no timer answered; TSC rate guessed, times are approximate\n");
    smp_init(&mb, info_addr);   /* every core up, waiting for smp_run */
    power_init(&mb);
    usb_init();     /* xHCI: USB keyboards for input_init, USB sticks as disks */
    input_init();

    parse_flags();
    if (opt.crash) crash_now(opt.crash);

    for (int i = 0; i < mb.module_count; i++)
        kprintf("module: %s, %llu bytes at %#llx\n", mb.modules[i].string,
                (unsigned long long)(mb.modules[i].end - mb.modules[i].start),
                (unsigned long long)mb.modules[i].start);
    const struct mb2_module *model = find_module("model"), *tok = find_module("tokenizer");
    struct model_files files = {0};
    if (model) files.model = (const void *)(uintptr_t)model->start, files.model_size = model->end - model->start;
    if (tok) files.tokenizer = (const void *)(uintptr_t)tok->start, files.tokenizer_size = tok->end - tok->start;
    /* The disks: when asked (--model, --tokenizer), or when GRUB brought no model. */
    const char *why = 0;
    if (opt.model_file || opt.tokenizer_file || !model) why = model_load_from_disks(&opt, &files);
    if (why)
        kernel_error("%s, and %s; give --model NAME, or grub.cfg needs, after the multiboot2 line:\n"
                     "    module2 /boot/model.gguf model\n"
                     "or, for a llama2.c checkpoint, with its tokenizer:\n"
                     "    module2 /boot/model.bin model\n"
                     "    module2 /boot/tokenizer.bin tokenizer",
                     tok ? "no module named 'model'" : "no modules named 'model' and 'tokenizer'", why);

    story_run(&opt, files.model, files.model_size, files.tokenizer, files.tokenizer_size);
    kernel_stop(EXIT_OK);
}
