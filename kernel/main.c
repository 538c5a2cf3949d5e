/* The kernel's main line: bring the machine up (consoles, CPU, memory,
 * time), read what GRUB handed over (command line, modules) or take the
 * model from a disk (kernel/model_load.h), and run the story. Each step says what it found in detail under --verbose (kdetail),
 * and the machine as a whole in one summary line; each failure ends in one
 * "error:" line through kernel_error. */
#include <limits.h>
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
#define EARLY_ARGS 64

/* The longest value the boot log echoes whole; a longer one is cut with a
 * visible mark that says how long it was. */
#define ECHO_MAX 160

static struct mb2_info mb;
static Options opt;

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

/* --exit and --verbose must work before the flags are parsed (they need the
 * memory allocator), for errors found and details printed before then. A
 * line too long for this early look, or unparsable, is searched for the
 * flag as a whole word. */
static bool cmdline_has_flag(const char *line, const char *flag) {
    static char buf[4096];
    static char *argv[EARLY_ARGS];
    char err[128];
    int argc;
    size_t n = strlen(flag);
    if (cmdline_split(line, buf, sizeof buf, argv, EARLY_ARGS, &argc, err, sizeof err) == 0) {
        for (int i = 0; i < argc; i++)
            if (strcmp(argv[i], flag) == 0) return true;
        return false;
    }
    for (const char *p = line; p && *p; p++)
        if (strncmp(p, flag, n) == 0 && (p == line || is_blank(p[-1])) && (!p[n] || is_blank(p[n])))
            return true;
    return false;
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
        kdetail("screen: %ux%u, EGA text mode, %u x %u text in CP437\n", f->width, f->height,
                info.cols, info.rows);
    } else {
        kdetail("screen: %ux%u, %u bpp, %u x %u text with %s x%u\n", f->width, f->height, f->bpp,
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
    kdetail("memory: %.1f MiB usable RAM, %.1f MiB free, mapped up to %#llx\n",
            memory_total_usable() / MIB, memory_free() / MIB, (unsigned long long)mapped);
}

/* The machine in one line: processor, cores, RAM, screen. What each part
 * found in detail is printed under --verbose. */
static void print_machine(void) {
    const char *brand = cpu.brand;
    while (*brand == ' ') brand++;   /* Intel pads its brand string on the left */
    char screen[48] = "no screen (serial only)";
    if (console_has_screen())
        fmt_snprintf(screen, sizeof screen, mb.fb.type == MB2_FB_EGA_TEXT ? "%ux%u text screen"
                     : "%ux%u screen", mb.fb.width, mb.fb.height);
    int n = smp_cpu_count();
    kprintf("machine: %s, %d core%s, %.0f MiB RAM, %s\n", brand[0] ? brand : cpu.vendor, n,
            n == 1 ? "" : "s", memory_total_usable() / MIB, screen);
}

/* Echoes at most ECHO_MAX bytes of text (not splitting a UTF-8 character);
 * a longer text is cut there with the mark "... [N bytes in all]", so the
 * line still ends where it should. A control character (a newline inside a
 * quoted argument) shows as '?', to keep the echo on one line. quoted: as
 * flag "value" with \ and " escaped, as it could be typed again. */
static void echo_text(const char *text, bool quoted, void (*print)(const char *, ...)) {
    size_t len = strlen(text), shown = len > ECHO_MAX ? ECHO_MAX : len;
    while (shown < len && shown > 0 && ((unsigned char)text[shown] & 0xc0) == 0x80) shown--;
    if (quoted) print("\"");
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)text[i];
        print(c < 0x20 || c == 0x7f ? "?" : quoted && (c == '"' || c == '\\') ? "\\%c" : "%c", c);
    }
    if (quoted) print("\"");
    if (shown < len) print("... [%llu bytes in all]", (unsigned long long)len);
}

static void parse_flags(void) {
    char err[OPTIONS_MSG_SIZE], note[OPTIONS_MSG_SIZE];
    int argc;
    const char *line = mb.cmdline ? mb.cmdline : "";
    kdetail("command line: ");
    echo_text(line, false, kdetail);
    kdetail("\n");
    /* As long as GRUB passes it: room for every byte, and for the most
     * arguments that many bytes can hold (one byte and a blank each). */
    size_t len = strlen(line), max_args = len / 2 + 2;
    char *buf = max_args <= INT_MAX ? memory_alloc(len + 1, 8) : 0;
    char **argv = buf ? memory_alloc(max_args * sizeof *argv, 8) : 0;
    if (!argv)
        kernel_error("command line: no memory for its %llu bytes; give the machine more RAM",
                     (unsigned long long)len);
    if (cmdline_split(line, buf, len + 1, argv, (int)max_args, &argc, err, sizeof err) != 0)
        kernel_error("command line: %s; fix the multiboot2 line in grub.cfg (press e in the GRUB menu)", err);
    if (options_parse(&opt, argc, argv, OPTIONS_KERNEL, err, sizeof err, note, sizeof note) != 0)
        kernel_error("%s", err);
    if (note[0]) kprintf("note: %s\n", note);
    exit_when_done = opt.exit_when_done;
    console_set_verbose(opt.verbose);
    if (!opt.seed_given) opt.seed = time_entropy();   /* run.c: time(NULL) */
    kprintf("flags: -t %g -p %g -s %llu%s -n %d -m %s", opt.temperature, opt.topp,
            (unsigned long long)opt.seed, opt.seed_given ? "" : " (from the clock)", opt.steps, opt.mode);
    if (opt.prompt) {
        kprintf(" -i ");
        echo_text(opt.prompt, true, kprintf);
    }
    if (opt.system_prompt) {
        kprintf(" -y ");
        echo_text(opt.system_prompt, true, kprintf);
    }
    kprintf(" --threads %d", opt.threads);
    if (opt.simd) kprintf(" --simd %s", opt.simd);
    if (opt.ask) kprintf(" --ask");
    if (opt.exit_when_done) kprintf(" --exit");
    if (opt.verbose) kprintf(" --verbose");
    if (opt.model_file) {
        kprintf(" --model ");
        echo_text(opt.model_file, true, kprintf);
    }
    if (opt.tokenizer_file) {
        kprintf(" --tokenizer ");
        echo_text(opt.tokenizer_file, true, kprintf);
    }
    kprintf("\n");
}

static const struct mb2_module *find_module(const char *role) {
    for (int i = 0; i < mb.module_count; i++)
        if (strcmp(mb.modules[i].string, role) == 0) return &mb.modules[i];
    return 0;
}

void kmain(uint32_t magic, uint64_t info_addr) {
    (void)magic;   /* checked by boot/entry32.asm */
    time_mark_entry();
    console_init_serial();
    gdt_init();
    idt_init();
    kprintf("\nllama2 bare-metal kernel: started by multiboot2\n");

    char err[256];
    if (mb2_parse((const void *)(uintptr_t)info_addr, (size_t)((4ull << 30) - info_addr), &mb, err, sizeof err) != 0)
        kernel_error("boot information: %s; boot with GRUB 2's multiboot2 command", err);
    exit_when_done = cmdline_has_flag(mb.cmdline, "--exit");
    console_set_verbose(cmdline_has_flag(mb.cmdline, "--verbose"));

    cpu_init();
    char line[512];
    cpu_describe(line, sizeof line);
    kdetail("%s\n", line);
    setup_memory(info_addr);
    setup_screen();
    if (mb.bootloader_name) kdetail("boot loader: %s\n", mb.bootloader_name);
    const char *clock = time_init();
    if (clock) kdetail("time: TSC at %llu MHz (from %s)\n", (unsigned long long)(time_tsc_hz() / 1000000), clock);
    else kprintf("time: no timer answered; TSC rate guessed, times are approximate\n");
    smp_init(&mb, info_addr);   /* every core up, waiting for smp_run */
    power_init(&mb);
    usb_init();     /* xHCI: USB keyboards for input_init, USB sticks as disks */
    input_init();
    print_machine();

    parse_flags();
    if (opt.crash) crash_now(opt.crash);

    for (int i = 0; i < mb.module_count; i++)
        kdetail("module: %s, %llu bytes at %#llx\n", mb.modules[i].string,
                (unsigned long long)(mb.modules[i].end - mb.modules[i].start),
                (unsigned long long)mb.modules[i].start);
    const struct mb2_module *model = find_module("model"), *tok = find_module("tokenizer");
    struct model_files files = {0};
    if (model) files.model = (void *)(uintptr_t)model->start, files.model_size = model->end - model->start;
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
