// The convolution engine's input layout and output stage, in C for speed: the same integer
// arithmetic as AGCKernels' FixedPoint and Requantization (gemmlowp rounding), bit for bit.
#include "agc_kernels.h"
#include "fixed_point.h"
#include "per_isa.h"
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

int32_t agc_fixed_multiply(int32_t x, int32_t multiplier, int32_t shift) {
    return fixed_multiply(x, multiplier, shift);
}

void agc_pack_interleaved(const uint8_t *input, int channels, int ih, int iw, int up, const int32_t *zero_points,
                          uint8_t *out, int g0, int g1, int padded_rows, int row_pixels) {
    int h = ih * up, w = iw * up;
    for (int g = g0; g < g1; g++) {
        uint8_t zp[4];
        for (int c = 0; c < 4; c++) zp[c] = 4 * g + c < channels ? (uint8_t)zero_points[4 * g + c] : 0;
        uint32_t border;
        memcpy(&border, zp, 4);
        uint32_t *base = (uint32_t *)(out + (long)g * padded_rows * row_pixels * 4);
        for (int py = 0; py < padded_rows; py++) {
            uint32_t *row = base + (long)py * row_pixels;
            int interior = py >= 1 && py <= h;
            if (!interior) {
                for (int px = 0; px < row_pixels; px++) row[px] = border;
                continue;
            }
            row[0] = border;
            for (int px = w + 1; px < row_pixels; px++) row[px] = border;
            const uint8_t *src[4];
            for (int c = 0; c < 4; c++) {
                src[c] = 4 * g + c < channels ? input + ((long)(4 * g + c) * ih + (py - 1) / up) * iw : NULL;
            }
            int x = 0;
#if defined(__SSE2__)
            // Sixteen source pixels of the four channels at a time, interleaved by unpacking
            // (with the 2x upsampling, each pixel twice).
            static const uint8_t none[16] = {0};
            if (up == 1 || up == 2) {
                for (int sx = 0; (sx + 16) * up <= w; sx += 16) {
                    __m128i c0 = _mm_loadu_si128((const __m128i *)(src[0] ? src[0] + sx : none));
                    __m128i c1 = _mm_loadu_si128((const __m128i *)(src[1] ? src[1] + sx : none));
                    __m128i c2 = _mm_loadu_si128((const __m128i *)(src[2] ? src[2] + sx : none));
                    __m128i c3 = _mm_loadu_si128((const __m128i *)(src[3] ? src[3] + sx : none));
                    __m128i lo01 = _mm_unpacklo_epi8(c0, c1), hi01 = _mm_unpackhi_epi8(c0, c1);
                    __m128i lo23 = _mm_unpacklo_epi8(c2, c3), hi23 = _mm_unpackhi_epi8(c2, c3);
                    __m128i px[4] = {_mm_unpacklo_epi16(lo01, lo23), _mm_unpackhi_epi16(lo01, lo23),
                                     _mm_unpacklo_epi16(hi01, hi23), _mm_unpackhi_epi16(hi01, hi23)};
                    uint32_t *dst = row + 1 + sx * up;
                    for (int q = 0; q < 4; q++) {
                        if (up == 1) {
                            _mm_storeu_si128((__m128i *)(dst + 4 * q), px[q]);
                        } else {
                            _mm_storeu_si128((__m128i *)(dst + 8 * q), _mm_unpacklo_epi32(px[q], px[q]));
                            _mm_storeu_si128((__m128i *)(dst + 8 * q + 4), _mm_unpackhi_epi32(px[q], px[q]));
                        }
                    }
                    x = (sx + 16) * up;
                }
            }
#endif
            for (; x < w; x++) {
                int sx = up == 1 ? x : x / up;
                uint32_t v = 0;
                for (int c = 0; c < 4; c++) v |= (uint32_t)(src[c] ? src[c][sx] : 0) << (8 * c);
                row[x + 1] = v;
            }
        }
    }
}

void agc_output_stage_avx512(int32_t *acc, int count, int rows, int width, int o0, const int32_t *multiplier,
                             const int32_t *shift, int32_t output_zero_point, int32_t minimum, int32_t maximum,
                             const uint8_t *residual, long residual_plane, const int32_t *residual_zero_points,
                             const int32_t *residual_multiplier, const int32_t *residual_shift,
                             uint8_t *output, long output_plane);
void agc_fixed_multiply_avx512(const int32_t *x, int n, int32_t multiplier, int32_t shift, int32_t *out);

void agc_fixed_multiply_array(agc_isa isa, const int32_t *x, int n, int32_t multiplier, int32_t shift, int32_t *out) {
#if defined(__x86_64__)
    if (isa == AGC_ISA_AVX512VNNI) {
        agc_fixed_multiply_avx512(x, n, multiplier, shift, out);
        return;
    }
#endif
    for (int i = 0; i < n; i++) out[i] = fixed_multiply(x[i], multiplier, shift);
}

// The output stage as plain C, compiled per instruction set (the AVX-512 one is hand-written in
// stages_avx512.c). The rounding doubling high multiply as floor((ab + 2^30) / 2^31), which
// equals the definition's nudged truncation for both signs and vectorizes.
static inline int32_t fixed_multiply_by_shift(int32_t x, int32_t multiplier, int32_t shift) {
    int32_t left = shift > 0 ? shift : 0, right = shift < 0 ? -shift : 0;
    int32_t shifted = left > 0 ? (int32_t)(uint32_t)((uint64_t)(int64_t)x << left) : x;
    int32_t high = shifted == INT32_MIN && multiplier == INT32_MIN
        ? INT32_MAX : (int32_t)(((int64_t)shifted * multiplier + (1LL << 30)) >> 31);
    return rounding_divide_by_pot(high, right);
}

BODY void output_stage_body(int32_t *acc, int count, int rows, int width, int o0, const int32_t *multiplier,
                            const int32_t *shift, int32_t output_zero_point, int32_t minimum, int32_t maximum,
                            const uint8_t *residual, long residual_plane, const int32_t *residual_zero_points,
                            const int32_t *residual_multiplier, const int32_t *residual_shift,
                            uint8_t *output, long output_plane) {
    for (int j = 0; j < count; j++) {
        int o = o0 + j;
        for (int r = 0; r < rows; r++) {
            int32_t *line = acc + ((long)j * rows + r) * width;
            if (residual) {
                const uint8_t *res = residual + (long)j * residual_plane + (long)r * width;
                for (int x = 0; x < width; x++) {
                    int32_t v = (int32_t)res[x] - residual_zero_points[o];
                    line[x] = (int32_t)((uint32_t)line[x] + (uint32_t)fixed_multiply_by_shift(v, residual_multiplier[o], residual_shift[o]));
                }
            }
            for (int x = 0; x < width; x++) {
                int32_t v = (int32_t)((uint32_t)output_zero_point + (uint32_t)fixed_multiply_by_shift(line[x], multiplier[o], shift[o]));
                line[x] = v < minimum ? minimum : (v > maximum ? maximum : v);
            }
        }
        uint8_t *dst = output + (long)j * output_plane;
        if (rows == 2) {
            const int32_t *top = acc + (long)j * 2 * width, *bottom = top + width;
            for (int x = 0; x < width / 2; x++) {
                dst[x] = (uint8_t)((top[2 * x] + top[2 * x + 1] + bottom[2 * x] + bottom[2 * x + 1] + 2) >> 2);
            }
        } else {
            const int32_t *line = acc + (long)j * width;
            for (int x = 0; x < width; x++) dst[x] = (uint8_t)line[x];
        }
    }
}

PER_ISA(output_stage,
        (int32_t *acc, int count, int rows, int width, int o0, const int32_t *multiplier, const int32_t *shift,
         int32_t output_zero_point, int32_t minimum, int32_t maximum, const uint8_t *residual, long residual_plane,
         const int32_t *residual_zero_points, const int32_t *residual_multiplier, const int32_t *residual_shift,
         uint8_t *output, long output_plane),
        (acc, count, rows, width, o0, multiplier, shift, output_zero_point, minimum, maximum, residual, residual_plane,
         residual_zero_points, residual_multiplier, residual_shift, output, output_plane))

void agc_output_stage(agc_isa isa, int32_t *acc, int count, int rows, int width, int o0, const int32_t *multiplier,
                      const int32_t *shift, int32_t output_zero_point, int32_t minimum, int32_t maximum,
                      const uint8_t *residual, long residual_plane, const int32_t *residual_zero_points,
                      const int32_t *residual_multiplier, const int32_t *residual_shift,
                      uint8_t *output, long output_plane) {
#if defined(__x86_64__)
    // AVX-512: the hand-written stage (stages_avx512.c), which decoded frames 11% faster than the
    // compiler's AVX-512 copy of output_stage_body in an A/B (that copy is never reached).
    if (isa == AGC_ISA_AVX512VNNI) {
        agc_output_stage_avx512(acc, count, rows, width, o0, multiplier, shift, output_zero_point, minimum, maximum,
                                residual, residual_plane, residual_zero_points, residual_multiplier, residual_shift,
                                output, output_plane);
        return;
    }
#endif
    DISPATCH(isa, output_stage, (acc, count, rows, width, o0, multiplier, shift, output_zero_point, minimum, maximum,
                                 residual, residual_plane, residual_zero_points, residual_multiplier, residual_shift,
                                 output, output_plane));
}

void agc_conv3x3_block(agc_isa isa, const uint8_t *packed, int groups, int padded_rows, int row_pixels, int y0,
                       int rows, int width, const int32_t *weights, const int32_t *pairs, const int32_t *bias,
                       int count, int o0, const int32_t *multiplier, const int32_t *shift, int32_t output_zero_point,
                       int32_t minimum, int32_t maximum, const uint8_t *residual, long residual_plane,
                       const int32_t *residual_zero_points, const int32_t *residual_multiplier,
                       const int32_t *residual_shift, uint8_t *output, long output_plane) {
    // The accumulators on this thread's stack (at most 8 x 2 x width words: 16 kB at 256 pixels),
    // on the heap only for very wide maps.
    long words = (long)count * rows * width;
    int32_t local[words <= 65536 ? words : 1];
    int32_t *acc = words <= 65536 ? local : malloc(sizeof(int32_t) * words);
    agc_conv3x3_u8s8(isa, packed, groups, padded_rows, row_pixels, y0, rows, width, weights, pairs, bias, count, acc);
    agc_output_stage(isa, acc, count, rows, width, o0, multiplier, shift, output_zero_point, minimum, maximum, residual,
                     residual_plane, residual_zero_points, residual_multiplier, residual_shift, output, output_plane);
    if (acc != local) free(acc);
}
