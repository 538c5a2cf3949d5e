# Every core starts: under UEFI with 1, 2 and 4 cores and under BIOS with 2,
# the kernel reports all of them started (none given up on), the smp_run
# self-check passes on all of them, the dispatch cost is measured, and the
# boot still ends in success. Then a fault on every core at once (an NMI
# injected into all of them through QEMU's monitor once the kernel has
# halted): exactly one core reports it, the others are parked, nothing hangs
# or triple-faults.
source "$(dirname "$0")/lib.sh"

make_iso smp "--exit --verbose -n 1" > /dev/null   # the cpus: and smp: lines are details

# expect_none NAME TEXT: the log does not hold TEXT.
expect_none() {
    if grep -qF -- "$2" "$LOG"; then fail "$1" "'$(grep -m1 -F -- "$2" "$LOG")' in $LOG"; else pass "$1"; fi
}

check_cores() {   # check_cores FIRMWARE N
    local fw=$1 n=$2 name=smp$2
    ln -f "$OUT/smp.iso" "$OUT/$name.iso"   # one log per core count
    SMP=$n boot "$name" "$fw"
    expect_rc "smp:$fw:$n:exit-success" 0
    expect_re "smp:$fw:$n:all-started" "^cpus: $n of $n started \(apic ids [0-9]+( [0-9]+){$((n - 1))}\)$"
    expect_none "smp:$fw:$n:none-left-out" "did not start"
    if [ "$n" -eq 1 ]; then
        expect "smp:$fw:$n:self-check" "smp: self-check ok on 1 core"
    else
        expect "smp:$fw:$n:self-check" "smp: self-check ok on $n cores"
        expect_re "smp:$fw:$n:dispatch-timed" "^smp: an empty smp_run takes [0-9.]+ us on 2 cores"
    fi
}

check_cores uefi 1
check_cores uefi 2
check_cores uefi 4
check_cores bios 2

# boot_and_nmi NAME FIRMWARE: boots without --exit; once the kernel says
# "press a key to reboot" injects an NMI into every core, waits for the report, and
# stops QEMU. LOG is set as boot() sets it.
boot_and_nmi() {
    local name=$1 fw=$2 sock=$OUT/$1-$2.qmp waited=0
    LOG=$OUT/$name-$fw.log
    rm -f "$sock" "$LOG"   # a log left from the last run would end the wait at once
    env FIRMWARE="$fw" SMP=2 TIMEOUT=240 SERIAL_LOG="$LOG" QMP_SOCKET="$sock" \
        "$ROOT/tools/qemu-run.sh" "$OUT/$name.iso" > /dev/null 2> "$LOG.qemu" &
    local pid=$!
    until grep -qF "press a key to reboot" "$LOG" 2>/dev/null; do
        sleep 1; waited=$((waited + 1))
        if [ $waited -gt 240 ] || ! kill -0 $pid 2>/dev/null; then break; fi
    done
    python3 "$ROOT/tests/boot/qmp.py" "$sock" inject-nmi > /dev/null 2>&1
    waited=0
    until grep -qF "halted." <(sed -n '/CPU exception/,$p' "$LOG") 2>/dev/null || [ $waited -gt 20 ]; do
        sleep 1; waited=$((waited + 1))
    done
    sleep 1   # anything a second core might wrongly add
    python3 "$ROOT/tests/boot/qmp.py" "$sock" quit > /dev/null 2>&1
    wait $pid 2>/dev/null
    tr -d '\r' < "$LOG" > "$LOG.txt"
    LOG=$LOG.txt
}

make_iso smp-nmi "-n 1" > /dev/null
boot_and_nmi smp-nmi uefi
expect_re "smp:nmi:reported-on-a-core" "^error: CPU exception 2 \(non-maskable interrupt\) on CPU [01] \(apic id [01]\), error code 0$"
n=$(grep -c "CPU exception" "$LOG")
if [ "$n" = 1 ]; then pass "smp:nmi:one-report"; else fail "smp:nmi:one-report" "$n reports in $LOG"; fi
expect_re "smp:nmi:registers" "RIP=[0-9a-f]{16}  RSP=[0-9a-f]{16}"
if sed -n '/CPU exception/,$p' "$LOG" | grep -qx "halted."; then pass "smp:nmi:halted-after-report"
else fail "smp:nmi:halted-after-report" "no 'halted.' after the report in $LOG"; fi
