# Every stories15M case of the reference under UEFI: the kernel's story is
# byte for byte llama2.c run's (greedy, with a prompt, and sampled).
source "$(dirname "$0")/lib.sh"

boot_reference_cases stories15M.bin uefi
