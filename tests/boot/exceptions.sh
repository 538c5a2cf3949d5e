# CPU exceptions are reported (vector, error code, RIP, RSP, CR2, registers)
# and end in a failure exit, never a triple fault or a hang; a stack overflow
# is named as such. --crash KIND raises one on purpose.
source "$(dirname "$0")/lib.sh"

check_crash() {   # check_crash KIND FIRMWARE VECTOR-TEXT
    local kind=$1 fw=$2 what=$3
    make_iso "crash-$kind" "--exit --crash $kind" > /dev/null
    boot "crash-$kind" "$fw"
    expect_rc "crash:$kind:$fw:failure-exit" 2
    expect "crash:$kind:$fw:vector" "error: CPU exception $what"
    expect_re "crash:$kind:$fw:registers" "RIP=[0-9a-f]{16}  RSP=[0-9a-f]{16}  CR2=[0-9a-f]{16}"
    expect_re "crash:$kind:$fw:gprs" "R13=[0-9a-f]{16}  R14=[0-9a-f]{16}  R15=[0-9a-f]{16}"
}

check_crash divide uefi "0 (divide error)"
check_crash ud bios "6 (invalid opcode)"
check_crash gpf bios "13 (general protection fault)"
check_crash pagefault bios "14 (page fault)"
expect "crash:pagefault:bios:address" "page fault: kernel read of address 0x10 (not mapped)"
check_crash stackoverflow uefi "14 (page fault)"
expect "crash:stackoverflow:uefi:named" "error: stack overflow: the boot CPU's kernel stack ran into its guard page"
