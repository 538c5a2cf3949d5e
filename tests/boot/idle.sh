# Idle cores halt instead of spinning: once the kernel waits for a key (the
# end of a run without --exit), each virtual CPU's host thread is nearly
# idle, where a spinning core would take all of a host core (or its share of
# a busy one). The kernel's own check that a halted helper wakes on a
# message passed, its boot core naps on the APIC timer, and the key typed
# then is still read. Under BIOS with 4 cores (three helpers asleep) and
# under UEFI with 2; and on a CPU whose APIC timer may stop in a halt.
source "$(dirname "$0")/lib.sh"

offer="press a key to reboot, or p to power off"
# Of a host core, for each virtual CPU. Halted they use under 0.07 here;
# spinning, all of a host core alone, and a third of one with three
# runnable threads to a host core (4 cores spinning and another test's 2).
max_share=0.2

# expect_idle NAME FILE: every share in FILE (drive.py's cpu= step) is below max_share.
expect_idle() {
    local shares
    shares=$(tr '\n' ' ' < "$2" 2>/dev/null)
    if [ -z "$shares" ]; then fail "$1" "no figures in $2"
    elif awk -v max=$max_share '$1 >= max { bad = 1 } END { exit bad }' "$2"; then pass "$1"
    else fail "$1" "each virtual CPU's share of a host core while the kernel waits: $shares(at most $max_share)"; fi
}

make_iso idle "--verbose -t 0 -n 20" > /dev/null   # the smp: and idle: lines are details
for setup in "bios 4" "uefi 2"; do
    read -r fw cores <<< "$setup"
    SMP=$cores boot_driven idle "$fw" TIMEOUT=180 -- "wait=$offer" 'sleep=1' "cpu=3 $OUT/idle-$fw.cpu" 'send=p'
    expect_drive "idle:$fw:$cores:offered"
    expect "idle:$fw:$cores:helpers-halt-and-wake" "smp: helpers halt after 10 ms without work and wake on a message"
    expect_re "idle:$fw:$cores:boot-core-naps" "^idle: the boot core naps between polls of its inputs \(APIC timer: [0-9]+ counts a ms\)$"
    expect_idle "idle:$fw:$cores:cpus-idle" "$OUT/idle-$fw.cpu"
    expect "idle:$fw:$cores:key-read" "powering off through ACPI S5"
done

# An AMD family 10h CPU on bare metal (QEMU's Phenom without the hypervisor
# bit): its APIC timer may stop in a halt (erratum 400), so the boot core
# polls without naps, and still reads the key; the helpers still halt.
ln -f "$OUT/idle.iso" "$OUT/idle-family10h.iso"
boot_driven idle-family10h bios CPU=phenom,-hypervisor TIMEOUT=180 -- "wait=$offer" 'send=p'
expect_drive "idle:family10h:offered"
expect "idle:family10h:no-naps" "idle: no APIC timer to nap on (it did not interrupt, or it may stop in a halt on this CPU)"
expect "idle:family10h:helpers-halt-and-wake" "smp: helpers halt after 10 ms without work and wake on a message"
expect "idle:family10h:key-read" "powering off through ACPI S5"
