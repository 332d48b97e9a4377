// The output stage with AVX-512: FixedPoint.multiply on 16 lanes (the 64-bit products in even
// and odd halves), the same bits as the scalar rule in stages.c.
#include "agc_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

// SaturatingRoundingDoublingHighMul of 16 lanes by one multiplier. The definition's
// (ab + nudge) / 2^31, nudge = 2^30 or 1 - 2^30 by the sign of ab, truncated toward zero, equals
// floor((ab + 2^30) / 2^31) for either sign (for ab < 0 the truncation is a ceiling, and
// ceil((ab + 1 - 2^30) / 2^31) = floor((ab + 2^30) / 2^31)): one add and one shift of the 64-bit
// products, taken from bits 31-62 (even lanes shifted down, odd lanes shifted up into place).
AVX512 static inline __m512i srdhm16(__m512i a, int32_t b) {
    __m512i bb = _mm512_set1_epi32(b), half = _mm512_set1_epi64(1LL << 30);
    __m512i even = _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epi32(a, bb), half), 31);
    __m512i odd = _mm512_slli_epi64(_mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(a, 32), bb), half), 1);
    __m512i r = _mm512_mask_blend_epi32(0xAAAA, even, odd);
    if (b == INT32_MIN) {
        __mmask16 both = _mm512_cmpeq_epi32_mask(a, _mm512_set1_epi32(INT32_MIN));
        r = _mm512_mask_mov_epi32(r, both, _mm512_set1_epi32(INT32_MAX));
    }
    return r;
}

AVX512 static inline __m512i fixed_multiply16(__m512i x, int32_t multiplier, int32_t shift) {
    int32_t left = shift > 0 ? shift : 0, right = shift < 0 ? -shift : 0;
    if (left > 0) x = left >= 32 ? _mm512_setzero_si512() : _mm512_sll_epi32(x, _mm_cvtsi32_si128(left));
    __m512i v = srdhm16(x, multiplier);
    if (right <= 0) return v;
    if (right >= 32) {
        // As the scalar rule (stages.c): q = v >> e is -1 or 0, threshold = -1 + (v < 0).
        __m512i neg = _mm512_srai_epi32(v, 31);
        __m512i threshold = _mm512_add_epi32(_mm512_set1_epi32(-1), _mm512_and_si512(neg, _mm512_set1_epi32(1)));
        __mmask16 up = _mm512_cmpgt_epi32_mask(v, threshold);
        return _mm512_mask_add_epi32(neg, up, neg, _mm512_set1_epi32(1));
    }
    __m512i mask = _mm512_set1_epi32((int32_t)((1u << right) - 1u));
    __m512i remainder = _mm512_and_si512(v, mask);
    __m512i threshold = _mm512_add_epi32(_mm512_srai_epi32(mask, 1), _mm512_and_si512(_mm512_srai_epi32(v, 31), _mm512_set1_epi32(1)));
    __m512i q = _mm512_sra_epi32(v, _mm_cvtsi32_si128(right));
    __mmask16 up = _mm512_cmpgt_epi32_mask(remainder, threshold);
    return _mm512_mask_add_epi32(q, up, q, _mm512_set1_epi32(1));
}

AVX512 void agc_fixed_multiply_avx512(const int32_t *x, int n, int32_t multiplier, int32_t shift, int32_t *out) {
    for (int i = 0; i < n; i += 16) {
        __mmask16 m = n - i >= 16 ? 0xFFFF : (__mmask16)((1u << (n - i)) - 1);
        __m512i v = _mm512_maskz_loadu_epi32(m, x + i);
        _mm512_mask_storeu_epi32(out + i, m, fixed_multiply16(v, multiplier, shift));
    }
}

AVX512 void agc_output_stage_avx512(int32_t *acc, int count, int rows, int width, int o0, const int32_t *multiplier,
                                    const int32_t *shift, int32_t output_zero_point, int32_t minimum, int32_t maximum,
                                    const uint8_t *residual, long residual_plane, const int32_t *residual_zero_points,
                                    const int32_t *residual_multiplier, const int32_t *residual_shift,
                                    uint8_t *output, long output_plane) {
    __m512i zp = _mm512_set1_epi32(output_zero_point), lo = _mm512_set1_epi32(minimum), hi = _mm512_set1_epi32(maximum);
    for (int j = 0; j < count; j++) {
        int o = o0 + j;
        for (int r = 0; r < rows; r++) {
            int32_t *line = acc + ((long)j * rows + r) * width;
            const uint8_t *res = residual ? residual + (long)j * residual_plane + (long)r * width : 0;
            uint8_t *dst = output + (long)j * output_plane + (long)r * width;
            for (int x = 0; x < width; x += 16) {
                __mmask16 m = width - x >= 16 ? 0xFFFF : (__mmask16)((1u << (width - x)) - 1);
                __m512i a = _mm512_maskz_loadu_epi32(m, line + x);
                if (res) {
                    __m512i v = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, res + x));
                    v = _mm512_sub_epi32(v, _mm512_set1_epi32(residual_zero_points[o]));
                    a = _mm512_add_epi32(a, fixed_multiply16(v, residual_multiplier[o], residual_shift[o]));
                }
                a = _mm512_add_epi32(zp, fixed_multiply16(a, multiplier[o], shift[o]));
                a = _mm512_min_epi32(_mm512_max_epi32(a, lo), hi);
                if (rows == 2) {
                    _mm512_mask_storeu_epi32(line + x, m, a);
                } else {
                    _mm512_mask_cvtepi32_storeu_epi8(dst + x, m, a);
                }
            }
        }
        if (rows == 2) {
            // 2x2 averages of the two rows: vertical sums, then even and odd lanes of 32 apart.
            const int32_t *top = acc + (long)j * 2 * width, *bottom = top + width;
            uint8_t *dst = output + (long)j * output_plane;
            const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            const __m512i odds = _mm512_add_epi32(evens, _mm512_set1_epi32(1));
            int x = 0;
            for (; 2 * x + 32 <= width; x += 16) {
                __m512i s0 = _mm512_add_epi32(_mm512_loadu_si512(top + 2 * x), _mm512_loadu_si512(bottom + 2 * x));
                __m512i s1 = _mm512_add_epi32(_mm512_loadu_si512(top + 2 * x + 16), _mm512_loadu_si512(bottom + 2 * x + 16));
                __m512i sum = _mm512_add_epi32(_mm512_permutex2var_epi32(s0, evens, s1), _mm512_permutex2var_epi32(s0, odds, s1));
                _mm512_mask_cvtepi32_storeu_epi8(dst + x, 0xFFFF, _mm512_srli_epi32(_mm512_add_epi32(sum, _mm512_set1_epi32(2)), 2));
            }
            for (; x < width / 2; x++) {
                dst[x] = (uint8_t)((top[2 * x] + top[2 * x + 1] + bottom[2 * x] + bottom[2 * x + 1] + 2) >> 2);
            }
        }
    }
}
#endif
