// Integer convolution kernels with the instruction set chosen at run time.
#ifndef AGC_KERNELS_H
#define AGC_KERNELS_H

#include <stddef.h>
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
/// vectors past the last column). `weights`: this block of eight output channels, four signed
/// bytes (input channel 4g in the lowest) per int32, output channel innermost: index
/// (g * 9 + tap) * 8 + j (zero words past the last channel). `pairs`: the same words split for the
/// AVX2 kernel, channels 0 and 2 then 1 and 3 as sign-extended 16-bit halves, at index
/// ((g * 9 + tap) * 8 + j) * 2. `bias`: per output channel, the accumulator's start.
/// Output: acc[(j * rows + r) * width + x] for j < channels, r < rows, x < width; output row
/// y0 + r reads padded rows y0 + r ... y0 + r + 2.
void agc_conv3x3_u8s8(agc_isa isa, const uint8_t *packed, int groups, int padded_rows, int row_pixels,
                      int y0, int rows, int width, const int32_t *weights, const int32_t *pairs,
                      const int32_t *bias, int channels, int32_t *acc);

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

/// The same with the float kernels' fused multiply-add (AVX-512 where `isa` is AVX-512 VNNI,
/// AVX2 + FMA otherwise, scalar on the portable path).
uint64_t agc_peak_f32_macs(agc_isa isa, uint64_t iterations);
#ifdef __cplusplus
}
#endif

#ifdef __cplusplus
extern "C" {
#endif
/// FixedPoint.multiply in C (gemmlowp SaturatingRoundingDoublingHighMul + RoundingDivideByPOT).
int32_t agc_fixed_multiply(int32_t x, int32_t multiplier, int32_t shift);

/// The same on `n` values with the vector code of `isa` (what the output stage runs).
void agc_fixed_multiply_array(agc_isa isa, const int32_t *x, int n, int32_t multiplier, int32_t shift, int32_t *out);

/// Lays out channel groups g0..<g1 of a CHW map (`ih` x `iw`, repeated `up` times) in the
/// kernels' interleaved layout, every byte written (borders and slack: the zero points).
void agc_pack_interleaved(const uint8_t *input, int channels, int ih, int iw, int up, const int32_t *zero_points,
                          uint8_t *out, int g0, int g1, int padded_rows, int row_pixels);

/// The convolution's output stage for `count` channels from `o0` and `rows` rows of `width`
/// accumulators (acc[(j * rows + r) * width + x], overwritten): residual rescaled and added
/// (when `residual`, at channel stride `residual_plane`), requantized, clamped, and written to
/// `output` (channel stride `output_plane`), the two rows averaged 2x2 when `rows` is 2.
void agc_output_stage(agc_isa isa, int32_t *acc, int count, int rows, int width, int o0, const int32_t *multiplier,
                      const int32_t *shift, int32_t output_zero_point, int32_t minimum, int32_t maximum,
                      const uint8_t *residual, long residual_plane, const int32_t *residual_zero_points,
                      const int32_t *residual_multiplier, const int32_t *residual_shift,
                      uint8_t *output, long output_plane);

/// One task of an INT8 convolution: agc_conv3x3_u8s8 for `count` channels from `o0` (weights,
/// pairs and bias already at o0) into accumulators on the stack, then agc_output_stage.
void agc_conv3x3_block(agc_isa isa, const uint8_t *packed, int groups, int padded_rows, int row_pixels, int y0,
                       int rows, int width, const int32_t *weights, const int32_t *pairs, const int32_t *bias,
                       int count, int o0, const int32_t *multiplier, const int32_t *shift, int32_t output_zero_point,
                       int32_t minimum, int32_t maximum, const uint8_t *residual, long residual_plane,
                       const int32_t *residual_zero_points, const int32_t *residual_multiplier,
                       const int32_t *residual_shift, uint8_t *output, long output_plane);
#ifdef __cplusplus
}
#endif

#ifdef __cplusplus
extern "C" {
#endif
/// Float convolution rows y0..<y1 for `count` (<= 8) output channels: `input` zero-padded by k / 2
/// (planes of `ph` rows of `pw` floats, at least 16 floats of slack right of each row),
/// `weights` [in][ky][kx][8] for this block of eight, `output` [j][y][x] with channel stride `plane`.
void agc_conv_f32(agc_isa isa, const float *input, int cin, int ph, int pw, int k, int y0, int y1, int width,
                  const float *weights, const float *bias, int count, int relu, float *output, long plane);

/// 2x2 average pooling of `rows` (even) rows of `width` floats per channel:
/// (((a + b) + c) + d) x 0.25, the order of AGCKernels' Resampling.averagePool.
void agc_average_pool2_f32(const float *input, int channels, int rows, int width, long input_plane, float *output,
                           long output_plane);

/// agc_conv_f32 for `rows` (even) rows from the start of `input` into a buffer on the stack, then
/// agc_average_pool2_f32 into `output` (rows / 2 rows, channel stride `output_plane`).
void agc_conv_f32_pooled(agc_isa isa, const float *input, int cin, int ph, int pw, int k, int rows, int width,
                         const float *weights, const float *bias, int count, int relu, float *output,
                         long output_plane);
#ifdef __cplusplus
}
#endif

#ifdef __cplusplus
extern "C" {
#endif
/// Raises glibc's mmap and trim thresholds so that large blocks are reused, not remapped.
void agc_keep_large_allocations_in_heap(void);

/// At least `bytes` of working memory belonging to the calling thread (64-byte aligned), kept
/// and grown across calls, valid until the thread's next call; NULL when memory runs out.
void *agc_thread_scratch(size_t bytes);
#ifdef __cplusplus
}
#endif

#ifdef __cplusplus
extern "C" {
#endif
/// Fixed-point bilinear sampling (AGCKernels' QuantizedGridSample is the definition) of
/// `channels` planes of `ih` x `iw` bytes at `count` positions (x, y as Q16.16 input pixels,
/// interleaved), each channel read with its zero point; the optional `mask` (a byte per
/// position) scales the result. Output: channel c's samples at output + c * output_plane.
void agc_grid_sample_u8(agc_isa isa, const uint8_t *input, int channels, int ih, int iw, const int32_t *zero_points,
                        const int32_t *positions, int count, const uint8_t *mask, uint8_t *output, long output_plane);

/// Sampling positions p0 ..< p1 (Q16.16, x and y interleaved, written from positions[0]) of the
/// identity grid of a `height` x `width` map displaced by a normalised Q16.16 flow (x plane,
/// then y plane): pixel + flow x size / 2, clamped to +-2^30.
void agc_grid_positions_flow(const int32_t *flow, int height, int width, int p0, int p1, int32_t *positions);

/// Float bilinear sampling (AGCKernels' GridSample: zero padding, align_corners=False) of
/// `channels` planes of `ih` x `iw` at `count` grid points (x, y in [-1, 1], interleaved);
/// channel c's samples at output + c * output_plane.
void agc_grid_sample_f32(agc_isa isa, const float *input, int channels, int ih, int iw, const float *grid, int count,
                         float *output, long output_plane);

/// All positions of the identity grid shifted by one normalised Q16.16 offset (same rules).
void agc_grid_positions_shift(int32_t shift_x, int32_t shift_y, int height, int width, int32_t *positions);
#ifdef __cplusplus
}
#endif

#ifdef __cplusplus
extern "C" {
#endif
/// A task of a parallel loop: `index` of the loop, `context` as given.
typedef void (*agc_task_fn)(void *context, long index);

/// Runs fn(context, i) for every i in 0 ..< count, exactly once each, on up to `threads`
/// threads (the caller's included) of a persistent pool whose workers spin briefly between jobs.
/// Returns 1 when every task is done. A call from inside a task runs its tasks serially on the
/// calling thread; a call while another thread's job holds the pool runs nothing and returns 0.
int agc_parallel_for(long count, int threads, agc_task_fn fn, void *context);
#ifdef __cplusplus
}
#endif

#ifdef __cplusplus
extern "C" {
#endif
/// The element-wise engine (AGCFPGA's ElementwiseArithmetic is the definition, bit for bit).
/// One keypoint's heatmap plane (`r` x `r`): G(driving) - G(source) from the Q15 Gaussian
/// `table`, requantized by `multiplier` / `shift` to 8 bits around `zero_point`.
void agc_keypoint_heat(agc_isa isa, int32_t sx, int32_t sy, int32_t dx, int32_t dy, int units, int r,
                       const int32_t *table, int table_count, int32_t multiplier, int32_t shift, int32_t zero_point,
                       uint8_t *plane);

/// Flow pixels p0 ..< p1 (x plane at flow, y plane at flow + n) of the softmax over `channels`
/// 8-bit logits planes weighting the Q16.16 `shifts`.
void agc_softmax_flow(agc_isa isa, const uint8_t *logits, int channels, long n, const int32_t *table,
                      const int32_t *shifts, long p0, long p1, int32_t *flow);

/// output[i] = table[input[i]] (low byte) for i < count.
void agc_lookup_u8(agc_isa isa, const uint8_t *input, long count, const int32_t *table, uint8_t *output);

/// Output rows y0 ..< y1 of both planes of a flow upsampled bilinearly by `f`.
void agc_upsample_flow(agc_isa isa, const int32_t *input, int h, int w, int f, int y0, int y1, int32_t *output);

/// Channels c0 ..< c1 of the rounded f x f average of an 8-bit map.
void agc_average_pool_u8(agc_isa isa, const uint8_t *input, int h, int w, int f, int c0, int c1, uint8_t *output);
#ifdef __cplusplus
}
#endif

#endif
