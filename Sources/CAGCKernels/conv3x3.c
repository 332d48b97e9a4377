// 3x3 INT8 convolution accumulators: unsigned 8-bit activations x signed 8-bit weights, exact
// INT32 sums. One portable version and three vector versions (AVX2, AVX-VNNI, AVX-512 VNNI), all
// giving the same bits; agc_conv3x3_u8s8 dispatches on the instruction set asked for.
//
// Weights come in blocks of eight output channels, channel innermost: the word of channel j,
// group g, tap t at ((g * 9 + t) * 8 + j), so that one pointer and constant offsets reach every
// weight a register block broadcasts.
#include "agc_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

static inline const uint8_t *pixel(const uint8_t *packed, int g, int padded_rows, int row_pixels, int py, int px) {
    return packed + (((long)g * padded_rows + py) * row_pixels + px) * 4;
}

static void conv_portable(const uint8_t *packed, int groups, int padded_rows, int row_pixels, int y0, int rows,
                          int width, const int32_t *weights, const int32_t *bias, int channels, int32_t *acc) {
    for (int j = 0; j < channels; j++) {
        for (int r = 0; r < rows; r++) {
            int32_t *out = acc + ((long)j * rows + r) * width;
            for (int x = 0; x < width; x++) out[x] = bias[j];
            for (int g = 0; g < groups; g++) {
                for (int t = 0; t < 9; t++) {
                    int32_t w = weights[((long)g * 9 + t) * 8 + j];
                    int8_t w0 = (int8_t)(w & 0xFF), w1 = (int8_t)((w >> 8) & 0xFF);
                    int8_t w2 = (int8_t)((w >> 16) & 0xFF), w3 = (int8_t)((w >> 24) & 0xFF);
                    const uint8_t *p = pixel(packed, g, padded_rows, row_pixels, y0 + r + t / 3, t % 3);
                    for (int x = 0; x < width; x++) {
                        const uint8_t *v = p + 4 * x;
                        out[x] += v[0] * w0 + v[1] * w1 + v[2] * w2 + v[3] * w3;
                    }
                }
            }
        }
    }
}

#if defined(__x86_64__)

// The register-block kernels below share one shape: P pixel vectors x C output channels of
// accumulators; per group and tap, P input vectors loaded from the tap's row (constant offsets
// from the group's three row pointers) and C weights broadcast, so that loads per multiply-add are
// (P + C) / (P x C). P and C are constants in every instantiation, the loops unrolled into
// registers. Output: acc[j * channel_stride + x].

// AVX-512 VNNI: 16 pixels a vector (4 channels a lane), vpdpbusd adds four products a lane.
__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline))
static inline void block_avx512vnni(const uint8_t *packed, int groups, int padded_rows, int row_pixels, int y,
                                    int x0, int width, const int32_t *weights, const int32_t *bias,
                                    int32_t *acc, long channel_stride, const int P, const int C) {
    __m512i a[3][8];
    for (int j = 0; j < C; j++) {
        __m512i b = _mm512_set1_epi32(bias[j]);
        for (int p = 0; p < P; p++) a[p][j] = b;
    }
    const long row_bytes = (long)row_pixels * 4, group_bytes = (long)padded_rows * row_bytes;
    const uint8_t *base = pixel(packed, 0, padded_rows, row_pixels, y, x0);
    for (int g = 0; g < groups; g++, base += group_bytes, weights += 72) {
        for (int ky = 0; ky < 3; ky++) {
            for (int kx = 0; kx < 3; kx++) {
                const uint8_t *row = base + ky * row_bytes + 4 * kx;
                const int32_t *w = weights + (ky * 3 + kx) * 8;
                __m512i v[3];
                for (int p = 0; p < P; p++) v[p] = _mm512_loadu_si512(row + 64 * p);
                for (int j = 0; j < C; j++) {
                    __m512i wj = _mm512_set1_epi32(w[j]);
                    for (int p = 0; p < P; p++) a[p][j] = _mm512_dpbusd_epi32(a[p][j], v[p], wj);
                }
            }
        }
    }
    for (int p = 0; p < P; p++) {
        int left = width - x0 - 16 * p;
        __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        for (int j = 0; j < C; j++) _mm512_mask_storeu_epi32(acc + j * channel_stride + x0 + 16 * p, mask, a[p][j]);
    }
}

// Channel counts of 8 (up to 3 vectors) and 1-4 (up to 3 vectors); 5-7 as 4 + the rest.
__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void row_avx512vnni(const uint8_t *packed, int groups, int padded_rows, int row_pixels, int y, int width,
                           const int32_t *weights, const int32_t *bias, int channels, int32_t *acc,
                           long channel_stride) {
    if (channels > 4 && channels < 8) {
        row_avx512vnni(packed, groups, padded_rows, row_pixels, y, width, weights, bias, 4, acc, channel_stride);
        row_avx512vnni(packed, groups, padded_rows, row_pixels, y, width, weights + 4, bias + 4, channels - 4,
                       acc + 4 * channel_stride, channel_stride);
        return;
    }
    for (int x0 = 0; x0 < width;) {
        int vectors = (width - x0 + 15) / 16;
        // Blocks of 3 vectors, 2 where 3 would leave a lone vector (4 = 2 + 2, 7 = 3 + 2 + 2).
        int P = vectors >= 3 && vectors != 4 ? 3 : vectors >= 2 ? 2 : 1;
#define BLOCK(P, C) block_avx512vnni(packed, groups, padded_rows, row_pixels, y, x0, width, weights, bias, acc, \
                                     channel_stride, P, C)
        switch (channels * 4 + P) {
        case 8 * 4 + 3: BLOCK(3, 8); break;
        case 8 * 4 + 2: BLOCK(2, 8); break;
        case 8 * 4 + 1: BLOCK(1, 8); break;
        case 4 * 4 + 3: BLOCK(3, 4); break;
        case 4 * 4 + 2: BLOCK(2, 4); break;
        case 4 * 4 + 1: BLOCK(1, 4); break;
        case 3 * 4 + 3: BLOCK(3, 3); break;
        case 3 * 4 + 2: BLOCK(2, 3); break;
        case 3 * 4 + 1: BLOCK(1, 3); break;
        case 2 * 4 + 3: BLOCK(3, 2); break;
        case 2 * 4 + 2: BLOCK(2, 2); break;
        case 2 * 4 + 1: BLOCK(1, 2); break;
        case 1 * 4 + 3: BLOCK(3, 1); break;
        case 1 * 4 + 2: BLOCK(2, 1); break;
        default: BLOCK(1, 1); break;
        }
#undef BLOCK
        x0 += 16 * P;
    }
}

// The first `left` (at most 8) lanes of a vector to out.
__attribute__((target("avx2")))
static inline void store_lanes256(__m256i v, int32_t *out, int left) {
    if (left >= 8) {
        _mm256_storeu_si256((__m256i *)out, v);
        return;
    }
    int32_t lanes[8];
    _mm256_storeu_si256((__m256i *)lanes, v);
    for (int l = 0; l < left; l++) out[l] = lanes[l];
}

// AVX-VNNI (VEX, 256-bit, 16 registers): 8 pixels a vector, blocks of up to 2 vectors x 4 channels
// (3 x 4 measured 30% slower).
__attribute__((target("avx2,avxvnni"), always_inline))
static inline void block_avxvnni(const uint8_t *packed, int groups, int padded_rows, int row_pixels, int y, int x0,
                                 int width, const int32_t *weights, const int32_t *bias, int32_t *acc,
                                 long channel_stride, const int P, const int C) {
    __m256i a[3][4];
    for (int j = 0; j < C; j++) {
        __m256i b = _mm256_set1_epi32(bias[j]);
        for (int p = 0; p < P; p++) a[p][j] = b;
    }
    const long row_bytes = (long)row_pixels * 4, group_bytes = (long)padded_rows * row_bytes;
    const uint8_t *base = pixel(packed, 0, padded_rows, row_pixels, y, x0);
    for (int g = 0; g < groups; g++, base += group_bytes, weights += 72) {
        // Tap by tap: unrolled, the compiler would hoist loads across taps and spill (16 registers).
#pragma clang loop unroll(disable)
        for (int ky = 0; ky < 3; ky++) {
#pragma clang loop unroll(disable)
            for (int kx = 0; kx < 3; kx++) {
                const uint8_t *row = base + ky * row_bytes + 4 * kx;
                const int32_t *w = weights + (ky * 3 + kx) * 8;
                __m256i v[3];
                for (int p = 0; p < P; p++) v[p] = _mm256_loadu_si256((const __m256i *)(row + 32 * p));
                for (int j = 0; j < C; j++) {
                    __m256i wj = _mm256_set1_epi32(w[j]);
                    for (int p = 0; p < P; p++) a[p][j] = _mm256_dpbusd_avx_epi32(a[p][j], v[p], wj);
                }
            }
        }
    }
    for (int p = 0; p < P; p++) {
        for (int j = 0; j < C; j++) store_lanes256(a[p][j], acc + j * channel_stride + x0 + 8 * p, width - x0 - 8 * p);
    }
}

// AVX2: the four products of a lane as two vpmaddwd on 16-bit halves (exact: no saturation), with
// the weights pre-split into 16-bit pairs (`pairs`: two words per weight word); blocks of up to
// 2 vectors x 4 channels.
__attribute__((target("avx2"), always_inline))
static inline void block_avx2(const uint8_t *packed, int groups, int padded_rows, int row_pixels, int y, int x0,
                              int width, const int32_t *pairs, const int32_t *bias, int32_t *acc,
                              long channel_stride, const int P, const int C) {
    const __m256i low_bytes = _mm256_set1_epi16(0x00FF);
    __m256i a[2][4];
    for (int j = 0; j < C; j++) {
        __m256i b = _mm256_set1_epi32(bias[j]);
        for (int p = 0; p < P; p++) a[p][j] = b;
    }
    const long row_bytes = (long)row_pixels * 4, group_bytes = (long)padded_rows * row_bytes;
    const uint8_t *base = pixel(packed, 0, padded_rows, row_pixels, y, x0);
    for (int g = 0; g < groups; g++, base += group_bytes, pairs += 144) {
        // Tap by tap: unrolled, the compiler would hoist loads across taps and spill (16 registers).
#pragma clang loop unroll(disable)
        for (int ky = 0; ky < 3; ky++) {
#pragma clang loop unroll(disable)
            for (int kx = 0; kx < 3; kx++) {
                const uint8_t *row = base + ky * row_bytes + 4 * kx;
                const int32_t *w = pairs + (ky * 3 + kx) * 16;
                __m256i even[2], odd[2];
                for (int p = 0; p < P; p++) {
                    __m256i v = _mm256_loadu_si256((const __m256i *)(row + 32 * p));
                    even[p] = _mm256_and_si256(v, low_bytes);  // channels 0 and 2 as 16-bit
                    odd[p] = _mm256_srli_epi16(v, 8);           // channels 1 and 3
                }
                for (int j = 0; j < C; j++) {
                    __m256i we = _mm256_set1_epi32(w[2 * j]), wo = _mm256_set1_epi32(w[2 * j + 1]);
                    for (int p = 0; p < P; p++) {
                        a[p][j] = _mm256_add_epi32(a[p][j], _mm256_add_epi32(_mm256_madd_epi16(even[p], we),
                                                                             _mm256_madd_epi16(odd[p], wo)));
                    }
                }
            }
        }
    }
    for (int p = 0; p < P; p++) {
        for (int j = 0; j < C; j++) store_lanes256(a[p][j], acc + j * channel_stride + x0 + 8 * p, width - x0 - 8 * p);
    }
}

// One row of up to 8 channels in passes of 4, pixel blocks of the widest P that fits; `words`
// int32 per weight word (the AVX2 pairs: 2).
#define ROW_256(name, target_isa, block, max_p, words)                                                         \
    __attribute__((target(target_isa)))                                                                        \
    static void name(const uint8_t *packed, int groups, int padded_rows, int row_pixels, int y, int width,    \
                     const int32_t *weights, const int32_t *bias, int channels, int32_t *acc,                 \
                     long channel_stride) {                                                                    \
        for (int c0 = 0; c0 < channels; c0 += 4) {                                                             \
            int C = channels - c0 < 4 ? channels - c0 : 4;                                                     \
            const int32_t *w = weights + c0 * (words);                                                         \
            int32_t *out = acc + c0 * channel_stride;                                                          \
            for (int x0 = 0; x0 < width;) {                                                                    \
                int vectors = (width - x0 + 7) / 8, P = vectors < max_p ? vectors : max_p;                     \
                switch (C * 4 + P) {                                                                           \
                case 4 * 4 + 3: block(packed, groups, padded_rows, row_pixels, y, x0, width, w, bias + c0, out, channel_stride, 3, 4); break; \
                case 4 * 4 + 2: block(packed, groups, padded_rows, row_pixels, y, x0, width, w, bias + c0, out, channel_stride, 2, 4); break; \
                case 4 * 4 + 1: block(packed, groups, padded_rows, row_pixels, y, x0, width, w, bias + c0, out, channel_stride, 1, 4); break; \
                case 3 * 4 + 3: block(packed, groups, padded_rows, row_pixels, y, x0, width, w, bias + c0, out, channel_stride, 3, 3); break; \
                case 3 * 4 + 2: block(packed, groups, padded_rows, row_pixels, y, x0, width, w, bias + c0, out, channel_stride, 2, 3); break; \
                case 3 * 4 + 1: block(packed, groups, padded_rows, row_pixels, y, x0, width, w, bias + c0, out, channel_stride, 1, 3); break; \
                case 2 * 4 + 3: block(packed, groups, padded_rows, row_pixels, y, x0, width, w, bias + c0, out, channel_stride, 3, 2); break; \
                case 2 * 4 + 2: block(packed, groups, padded_rows, row_pixels, y, x0, width, w, bias + c0, out, channel_stride, 2, 2); break; \
                case 2 * 4 + 1: block(packed, groups, padded_rows, row_pixels, y, x0, width, w, bias + c0, out, channel_stride, 1, 2); break; \
                case 1 * 4 + 3: block(packed, groups, padded_rows, row_pixels, y, x0, width, w, bias + c0, out, channel_stride, 3, 1); break; \
                case 1 * 4 + 2: block(packed, groups, padded_rows, row_pixels, y, x0, width, w, bias + c0, out, channel_stride, 2, 1); break; \
                default: block(packed, groups, padded_rows, row_pixels, y, x0, width, w, bias + c0, out, channel_stride, 1, 1); break; \
                }                                                                                              \
                x0 += 8 * P;                                                                                   \
            }                                                                                                  \
        }                                                                                                      \
    }

ROW_256(row_avxvnni, "avx2,avxvnni", block_avxvnni, 2, 1)
ROW_256(row_avx2, "avx2", block_avx2, 2, 2)
#undef ROW_256

#endif

void agc_conv3x3_u8s8(agc_isa isa, const uint8_t *packed, int groups, int padded_rows, int row_pixels,
                      int y0, int rows, int width, const int32_t *weights, const int32_t *pairs,
                      const int32_t *bias, int channels, int32_t *acc) {
    long stride = (long)rows * width;
#if defined(__x86_64__)
    for (int r = 0; r < rows && isa != AGC_ISA_PORTABLE; r++) {
        int32_t *out = acc + (long)r * width;
        switch (isa) {
        case AGC_ISA_AVX512VNNI:
            row_avx512vnni(packed, groups, padded_rows, row_pixels, y0 + r, width, weights, bias, channels, out, stride);
            continue;
        case AGC_ISA_AVXVNNI:
            row_avxvnni(packed, groups, padded_rows, row_pixels, y0 + r, width, weights, bias, channels, out, stride);
            continue;
        case AGC_ISA_AVX2:
            row_avx2(packed, groups, padded_rows, row_pixels, y0 + r, width, pairs, bias, channels, out, stride);
            continue;
        default:
            break;
        }
    }
    if (isa != AGC_ISA_PORTABLE) return;
#endif
    conv_portable(packed, groups, padded_rows, row_pixels, y0, rows, width, weights, bias, channels, acc);
}
