# The stories15M cases of the reference under UEFI: the kernel's story is
# byte for byte llama2.c run's, greedy for 256 steps (make run's story) and
# sampled. The third case, greedy with a prompt, boots in disk_story.sh
# (from an NVMe drive and a SATA disk); at 5 tok/s under TCG it is not
# booted twice.
source "$(dirname "$0")/lib.sh"

boot_reference_cases stories15M.bin uefi s15m_greedy_prompt_robot_n128.txt
