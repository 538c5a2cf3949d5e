# Every core starts: under UEFI with 1, 2 and 4 cores and under BIOS with 2,
# the kernel reports all of them started (none given up on), the smp_run
# self-check passes on all of them, the dispatch cost is measured, and the
# boot still ends in success.
source "$(dirname "$0")/lib.sh"

make_iso smp "--exit -n 1" > /dev/null

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
