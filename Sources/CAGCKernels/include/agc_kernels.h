// Integer convolution kernels with the instruction set chosen at run time.
#ifndef AGC_KERNELS_H
#define AGC_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction sets, best last.
typedef enum {
    AGC_ISA_PORTABLE = 0,
    AGC_ISA_AVX2 = 1,
    AGC_ISA_AVXVNNI = 2,
    AGC_ISA_AVX512VNNI = 3,
} agc_isa;

/// Whether this CPU runs `isa`.
int agc_isa_supported(agc_isa isa);

/// The best instruction set this CPU runs.
agc_isa agc_isa_best(void);

/// 3x3 convolution accumulators for up to 8 output channels and `rows` output rows.
///
/// `packed`: the input padded by one pixel on every side, channels in groups of four interleaved
/// per pixel: byte ((g * padded_rows + py) * row_pixels + px) * 4 + c holds channel 4g + c at
/// padded position (py, px). `row_pixels` must be at least width + 2 + 16 (the kernels read whole
/// vectors past the last column). `weights`: per output channel, per group, per tap, four signed
/// bytes (channel 4g in the lowest) as one int32: index (o * groups + g) * 9 + tap.
/// `bias`: per output channel, the accumulator's start.
/// Output: acc[(j * rows + r) * width + x] for j < channels, r < rows, x < width; output row
/// y0 + r reads padded rows y0 + r ... y0 + r + 2.
void agc_conv3x3_u8s8(agc_isa isa, const uint8_t *packed, int groups, int padded_rows, int row_pixels,
                      int y0, int rows, int width, const int32_t *weights, const int32_t *bias,
                      int channels, int32_t *acc);

#ifdef __cplusplus
}
#endif

#ifdef __cplusplus
extern "C" {
#endif
/// Multiply-accumulates of `isa`'s INT8 dot-product instruction in a register-only loop of
/// `iterations` x 12 independent accumulators (the machine's peak for this code, one thread).
/// Returns the MACs done; time it from outside.
uint64_t agc_peak_int8_macs(agc_isa isa, uint64_t iterations);
#ifdef __cplusplus
}
#endif

#endif
