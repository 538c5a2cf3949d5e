/* quant_sse4.c's kernels VEX-encoded, for the CPUs with AVX but no AVX2
 * (Sandy Bridge, Ivy Bridge; AMD's Bulldozer to Steamroller; and any
 * whose hypervisor hides AVX2): the same 128-bit operations, bit for bit,
 * with three operands, so without the register copies that SSE's
 * destructive two-operand forms need (kbench on a Zen 3, one core,
 * 7-28% faster by type than quant_sse4.c). The sse4 level's set
 * "sse4-avx" (matmul_sse2.c), picked before "sse4" where AVX's state is
 * enabled. */
#define SSE4_TARGET "avx"
#define SSE4_PREFIX sse4avx
#define SSE4_TABLE matmul_sse4_avx_tensor
#include "lib/llama/quant_sse4.c"
