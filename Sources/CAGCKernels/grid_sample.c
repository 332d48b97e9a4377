// The grid-sample engine's fixed-point bilinear sampling of 8-bit planes (QuantizedGridSample in
// AGCKernels is the definition), with per-pixel taps computed once and shared by all channels:
// one portable version and two vector versions (AVX2 and AVX-512 gathers), all bit-exact.
//
// Every pixel's four taps are rewritten as two pairs of adjacent bytes, one per row, each read
// as one 16-bit pair, with separable weights: sum = b_lo * (a_lo * d[base] + a_hi * d[base + 1])
// + b_hi * (a_lo * d[base + iw] + a_hi * d[base + iw + 1]), d = value - zero point. This is the
// definition's four products regrouped (exact in integers); taps outside the plane get weight
// zero (they read the zero point, d = 0), and the pair's base is moved inside the plane with
// its weights swapped to the right byte when the first tap is left of or below the last
// column or row.
#include "agc_kernels.h"
#include "per_isa.h"
#include <math.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

enum { CHUNK = 256 };

/// Per-pixel taps of a chunk, structure of arrays.
typedef struct {
    int32_t base[CHUNK];     // top-left byte of the two pairs: yb * iw + xb
    int32_t xweights[CHUNK]; // a_lo | a_hi << 16 (each at most 256)
    int32_t yweights[CHUNK]; // b_lo | b_hi << 16
} taps;

/// Weights of the two taps at i0 = floor(p), i0 + 1 with fraction f (8 bits), read as the pair
/// at b, b + 1 inside 0 ..< size (size >= 2); a tap outside gets weight 0. Branch-free, so that
/// the per-ISA copies of the loop below vectorize.
static inline __attribute__((always_inline)) void axis(int32_t p, int32_t size, int32_t *b, int32_t *lo, int32_t *hi) {
    int32_t i0 = p >> 16, f = (p & 0xFFFF) >> 8;
    int32_t w0 = i0 >= 0 && i0 < size ? 256 - f : 0;
    int32_t w1 = i0 + 1 >= 0 && i0 + 1 < size ? f : 0;
    int32_t left = i0 < 0, right = i0 >= size - 1;
    // i0 outside on the left: the pair at 0, 1, and i0 + 1 (= 0 when i0 = -1) is its low byte;
    // i0 + 1 outside on the right: the pair at size - 2, size - 1, and i0 its high byte.
    *b = left ? 0 : right ? size - 2 : i0;
    *lo = left ? w1 : right ? 0 : w0;
    *hi = left ? 0 : right ? w0 : w1;
}

static inline __attribute__((always_inline)) void compute_taps(const int32_t *positions, int count, int ih, int iw,
                                                               taps *t) {
    for (int q = 0; q < count; q++) {
        int32_t xb, xl, xh, yb, yl, yh;
        axis(positions[2 * q], iw, &xb, &xl, &xh);
        axis(positions[2 * q + 1], ih, &yb, &yl, &yh);
        t->base[q] = yb * iw + xb;
        t->xweights[q] = xl | (xh << 16);
        t->yweights[q] = yl | (yh << 16);
    }
    // Up to the next whole vector: weight zero at base 0, so that vector code loads whole vectors.
    for (int q = count; q < CHUNK && q % 16 != 0; q++) t->base[q] = t->xweights[q] = t->yweights[q] = 0;
}

/// v x m / 255 rounded to nearest, ties away from zero.
static inline int32_t masked(int32_t v, int32_t m) {
    int32_t p = v * m;
    return p >= 0 ? (p + 127) / 255 : -((127 - p) / 255);
}

static inline uint8_t clamp_u8(int32_t v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

static void sample_portable(const uint8_t *input, int channels, int ih, int iw, const int32_t *zero_points,
                            const taps *t, int count, const uint8_t *mask, uint8_t *output, long output_plane) {
    for (int c = 0; c < channels; c++) {
        const uint8_t *plane = input + (long)c * ih * iw;
        int32_t zp = zero_points[c];
        for (int q = 0; q < count; q++) {
            const uint8_t *p = plane + t->base[q];
            int32_t al = t->xweights[q] & 0xFFFF, ah = t->xweights[q] >> 16;
            int32_t bl = t->yweights[q] & 0xFFFF, bh = t->yweights[q] >> 16;
            int32_t top = al * (p[0] - zp) + ah * (p[1] - zp);
            int32_t bottom = al * (p[iw] - zp) + ah * (p[iw + 1] - zp);
            int32_t v = (bl * top + bh * bottom + (1 << 15)) >> 16;
            if (mask) v = masked(v, mask[q]);
            output[(long)c * output_plane + q] = clamp_u8(zp + v);
        }
    }
}

#if defined(__x86_64__)

// Reading a 16-bit pair through a 32-bit gather must stay inside the plane: the dword at base - 2
// (the pair in its upper half) when base >= 2, else the dword at base (lower half; the plane
// holds at least four bytes). The lower row's base is always >= iw >= 2.

// 16 pixels a vector.
__attribute__((target("avx512f,avx512bw,avx512vl")))
static void sample_avx512(const uint8_t *input, int channels, int ih, int iw, const int32_t *zero_points,
                          const taps *t, int count, const uint8_t *mask, uint8_t *output, long output_plane) {
    const __m512i two = _mm512_set1_epi32(2), low16 = _mm512_set1_epi32(0xFFFF);
    const __m512i low8 = _mm512_set1_epi32(0x00FF), high8 = _mm512_set1_epi32(0xFF00);
    const __m512i half = _mm512_set1_epi32(1 << 15), round = _mm512_set1_epi32(127);
    const __m512i top_shift = _mm512_set1_epi32(16);
    for (int c = 0; c < channels; c++) {
        const uint8_t *plane = input + (long)c * ih * iw;
        __m512i zp16 = _mm512_set1_epi16((short)zero_points[c]);
        __m512i zp = _mm512_set1_epi32(zero_points[c]);
        for (int q = 0; q < count; q += 16) {
            int n = count - q < 16 ? count - q : 16;
            __mmask16 lanes = (__mmask16)((1u << n) - 1);
            __m512i base = _mm512_maskz_loadu_epi32(lanes, t->base + q);
            __mmask16 high = _mm512_cmpge_epi32_mask(base, two);
            __m512i at0 = _mm512_mask_sub_epi32(base, high, base, two);
            __m512i shift0 = _mm512_maskz_mov_epi32(high, top_shift);
            __m512i at1 = _mm512_sub_epi32(_mm512_add_epi32(base, _mm512_set1_epi32(iw)), two);
            __m512i g0 = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), lanes, at0, plane, 1);
            __m512i g1 = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), lanes, at1, plane, 1);
            __m512i p0 = _mm512_and_si512(_mm512_srlv_epi32(g0, shift0), low16);
            __m512i p1 = _mm512_srli_epi32(g1, 16);
            // Bytes (lo, hi) of each pair to 16-bit halves, minus the zero point.
            p0 = _mm512_or_si512(_mm512_and_si512(p0, low8), _mm512_slli_epi32(_mm512_and_si512(p0, high8), 8));
            p1 = _mm512_or_si512(_mm512_and_si512(p1, low8), _mm512_slli_epi32(_mm512_and_si512(p1, high8), 8));
            __m512i a = _mm512_maskz_loadu_epi32(lanes, t->xweights + q);
            __m512i b = _mm512_maskz_loadu_epi32(lanes, t->yweights + q);
            __m512i top = _mm512_madd_epi16(_mm512_sub_epi16(p0, zp16), a);
            __m512i bottom = _mm512_madd_epi16(_mm512_sub_epi16(p1, zp16), a);
            __m512i sum = _mm512_add_epi32(_mm512_mullo_epi32(top, _mm512_and_si512(b, low16)),
                                           _mm512_mullo_epi32(bottom, _mm512_srli_epi32(b, 16)));
            __m512i v = _mm512_srai_epi32(_mm512_add_epi32(sum, half), 16);
            if (mask) {
                // (|p| + 127) / 255 with the sign of p, |p| <= 255 * 255: the division as a
                // multiply by 0x8081 and a shift by 23 (exact below 2^16 + 2^15).
                __m512i m = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(lanes, mask + q));
                __m512i p = _mm512_mullo_epi32(v, m);
                __m512i mag = _mm512_add_epi32(_mm512_abs_epi32(p), round);
                __m512i quot = _mm512_srli_epi32(_mm512_mullo_epi32(mag, _mm512_set1_epi32(0x8081)), 23);
                __mmask16 negative = _mm512_cmplt_epi32_mask(p, _mm512_setzero_si512());
                v = _mm512_mask_sub_epi32(quot, negative, _mm512_setzero_si512(), quot);
            }
            v = _mm512_add_epi32(v, zp);
            v = _mm512_min_epi32(_mm512_max_epi32(v, _mm512_setzero_si512()), _mm512_set1_epi32(255));
            _mm_mask_storeu_epi8(output + (long)c * output_plane + q, lanes, _mm512_cvtepi32_epi8(v));
        }
    }
}

// 8 pixels a vector.
__attribute__((target("avx2")))
static void sample_avx2(const uint8_t *input, int channels, int ih, int iw, const int32_t *zero_points,
                        const taps *t, int count, const uint8_t *mask, uint8_t *output, long output_plane) {
    const __m256i one = _mm256_set1_epi32(1), two = _mm256_set1_epi32(2), low16 = _mm256_set1_epi32(0xFFFF);
    const __m256i low8 = _mm256_set1_epi32(0x00FF), high8 = _mm256_set1_epi32(0xFF00);
    const __m256i half = _mm256_set1_epi32(1 << 15), round = _mm256_set1_epi32(127);
    for (int c = 0; c < channels; c++) {
        const uint8_t *plane = input + (long)c * ih * iw;
        __m256i zp16 = _mm256_set1_epi16((short)zero_points[c]);
        __m256i zp = _mm256_set1_epi32(zero_points[c]);
        for (int q = 0; q < count; q += 8) {
            int n = count - q < 8 ? count - q : 8;
            __m256i base = _mm256_loadu_si256((const __m256i *)(t->base + q));
            __m256i high = _mm256_cmpgt_epi32(base, one);  // base >= 2
            __m256i at0 = _mm256_sub_epi32(base, _mm256_and_si256(high, two));
            __m256i shift0 = _mm256_and_si256(high, _mm256_set1_epi32(16));
            __m256i at1 = _mm256_sub_epi32(_mm256_add_epi32(base, _mm256_set1_epi32(iw)), two);
            __m256i g0 = _mm256_i32gather_epi32((const int *)plane, at0, 1);
            __m256i g1 = _mm256_i32gather_epi32((const int *)plane, at1, 1);
            __m256i p0 = _mm256_and_si256(_mm256_srlv_epi32(g0, shift0), low16);
            __m256i p1 = _mm256_srli_epi32(g1, 16);
            p0 = _mm256_or_si256(_mm256_and_si256(p0, low8), _mm256_slli_epi32(_mm256_and_si256(p0, high8), 8));
            p1 = _mm256_or_si256(_mm256_and_si256(p1, low8), _mm256_slli_epi32(_mm256_and_si256(p1, high8), 8));
            __m256i a = _mm256_loadu_si256((const __m256i *)(t->xweights + q));
            __m256i b = _mm256_loadu_si256((const __m256i *)(t->yweights + q));
            __m256i top = _mm256_madd_epi16(_mm256_sub_epi16(p0, zp16), a);
            __m256i bottom = _mm256_madd_epi16(_mm256_sub_epi16(p1, zp16), a);
            __m256i sum = _mm256_add_epi32(_mm256_mullo_epi32(top, _mm256_and_si256(b, low16)),
                                           _mm256_mullo_epi32(bottom, _mm256_srli_epi32(b, 16)));
            __m256i v = _mm256_srai_epi32(_mm256_add_epi32(sum, half), 16);
            if (mask) {
                uint8_t m8[8] = {0};
                memcpy(m8, mask + q, n);
                __m256i m = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)m8));
                __m256i p = _mm256_mullo_epi32(v, m);
                __m256i mag = _mm256_add_epi32(_mm256_abs_epi32(p), round);
                __m256i quot = _mm256_srli_epi32(_mm256_mullo_epi32(mag, _mm256_set1_epi32(0x8081)), 23);
                __m256i negative = _mm256_cmpgt_epi32(_mm256_setzero_si256(), p);
                v = _mm256_blendv_epi8(quot, _mm256_sub_epi32(_mm256_setzero_si256(), quot), negative);
            }
            v = _mm256_add_epi32(v, zp);
            v = _mm256_min_epi32(_mm256_max_epi32(v, _mm256_setzero_si256()), _mm256_set1_epi32(255));
            // Eight int32 to eight bytes: words (0-3, 0-3 | 4-7, 4-7), the halves' first quarters
            // together, then bytes.
            __m256i words = _mm256_permute4x64_epi64(_mm256_packus_epi32(v, v), 0x08);
            __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(words), _mm256_castsi256_si128(words));
            uint8_t *dst = output + (long)c * output_plane + q;
            if (n == 8) {
                _mm_storel_epi64((__m128i *)dst, bytes);
            } else {
                uint8_t lanes[16];
                _mm_storeu_si128((__m128i *)lanes, bytes);
                memcpy(dst, lanes, n);
            }
        }
    }
}

// The taps loop compiled for each instruction set (vectorized by the compiler).
__attribute__((target("avx512f,avx512bw,avx512vl")))
static void taps_avx512(const int32_t *positions, int count, int ih, int iw, taps *t) {
    compute_taps(positions, count, ih, iw, t);
}

__attribute__((target("avx2")))
static void taps_avx2(const int32_t *positions, int count, int ih, int iw, taps *t) {
    compute_taps(positions, count, ih, iw, t);
}

#endif

void agc_grid_sample_u8(agc_isa isa, const uint8_t *input, int channels, int ih, int iw, const int32_t *zero_points,
                        const int32_t *positions, int count, const uint8_t *mask, uint8_t *output, long output_plane) {
    taps t;
    for (int q0 = 0; q0 < count; q0 += CHUNK) {
        int n = count - q0 < CHUNK ? count - q0 : CHUNK;
        const int32_t *pos = positions + 2 * (long)q0;
#if defined(__x86_64__)
        if (isa == AGC_ISA_AVX512VNNI) taps_avx512(pos, n, ih, iw, &t);
        else if (isa == AGC_ISA_AVX2 || isa == AGC_ISA_AVXVNNI) taps_avx2(pos, n, ih, iw, &t);
        else compute_taps(pos, n, ih, iw, &t);
#else
        compute_taps(pos, n, ih, iw, &t);
#endif
        const uint8_t *m = mask ? mask + q0 : NULL;
        uint8_t *out = output + q0;
#if defined(__x86_64__)
        if (ih >= 2 && iw >= 2) {
            if (isa == AGC_ISA_AVX512VNNI) {
                sample_avx512(input, channels, ih, iw, zero_points, &t, n, m, out, output_plane);
                continue;
            }
            if (isa == AGC_ISA_AVX2 || isa == AGC_ISA_AVXVNNI) {
                sample_avx2(input, channels, ih, iw, zero_points, &t, n, m, out, output_plane);
                continue;
            }
        }
#endif
        if (ih >= 2 && iw >= 2) {
            sample_portable(input, channels, ih, iw, zero_points, &t, n, m, out, output_plane);
        } else {
            // Maps of one row or column: the plain definition.
            for (int c = 0; c < channels; c++) {
                const uint8_t *plane = input + (long)c * ih * iw;
                int32_t zp = zero_points[c];
                for (int q = 0; q < n; q++) {
                    int32_t px = positions[2 * (long)(q0 + q)], py = positions[2 * (long)(q0 + q) + 1];
                    int32_t x0 = px >> 16, y0 = py >> 16, fx = (px & 0xFFFF) >> 8, fy = (py & 0xFFFF) >> 8;
                    int32_t acc = 0;
                    for (int j = 0; j < 4; j++) {
                        int32_t xx = x0 + (j & 1), yy = y0 + (j >> 1);
                        if (xx < 0 || xx >= iw || yy < 0 || yy >= ih) continue;
                        int32_t wx = j & 1 ? fx : 256 - fx, wy = j >> 1 ? fy : 256 - fy;
                        acc += wx * wy * (plane[yy * iw + xx] - zp);
                    }
                    int32_t v = (acc + (1 << 15)) >> 16;
                    if (m) v = masked(v, m[q]);
                    out[(long)c * output_plane + q] = clamp_u8(zp + v);
                }
            }
        }
    }
}

void agc_grid_positions_flow(const int32_t *flow, int height, int width, int p0, int p1, int32_t *positions) {
    long n = (long)height * width;
    for (int p = p0; p < p1; p++) {
        int64_t x = p % width, y = p / width;
        int64_t px = (x << 16) + (int64_t)flow[p] * width / 2;
        int64_t py = (y << 16) + (int64_t)flow[n + p] * height / 2;
        const int64_t limit = (int64_t)1 << 30;
        positions[2 * (long)(p - p0)] = (int32_t)(px > limit ? limit : px < -limit ? -limit : px);
        positions[2 * (long)(p - p0) + 1] = (int32_t)(py > limit ? limit : py < -limit ? -limit : py);
    }
}

void agc_grid_positions_shift(int32_t shift_x, int32_t shift_y, int height, int width, int32_t *positions) {
    const int64_t limit = (int64_t)1 << 30;
    int64_t dx = (int64_t)shift_x * width / 2, dy = (int64_t)shift_y * height / 2;
    for (int y = 0; y < height; y++) {
        int64_t py = ((int64_t)y << 16) + dy;
        int32_t cy = (int32_t)(py > limit ? limit : py < -limit ? -limit : py);
        for (int x = 0; x < width; x++) {
            int64_t px = ((int64_t)x << 16) + dx;
            positions[2 * ((long)y * width + x)] = (int32_t)(px > limit ? limit : px < -limit ? -limit : px);
            positions[2 * ((long)y * width + x) + 1] = cy;
        }
    }
}

// Float bilinear sampling (AGCKernels' GridSample is the definition: zero padding,
// align_corners=False, grid in [-1, 1]): per pixel the four taps and weights once (a tap outside
// gets weight 0 and index 0), shared by every channel; one body compiled per instruction set.
BODY void grid_sample_f32_body(const float *input, int channels, int ih, int iw, const float *grid, int count,
                               float *output, long output_plane) {
    enum { N = 256 };
    int32_t index[4][N];
    float weight[4][N];
    for (int q0 = 0; q0 < count; q0 += N) {
        int n = count - q0 < N ? count - q0 : N;
        for (int q = 0; q < n; q++) {
            float ix = ((grid[2 * (q0 + q)] + 1) * (float)iw - 1) / 2;
            float iy = ((grid[2 * (q0 + q) + 1] + 1) * (float)ih - 1) / 2;
            float fx = floorf(ix), fy = floorf(iy);
            // Far outside every tap is zero; the guard also keeps the integer conversion in range.
            int inside = fx > -2 && fy > -2 && fx < (float)iw && fy < (float)ih;
            int x0 = inside ? (int)fx : -2, y0 = inside ? (int)fy : -2;
            float wx1 = ix - fx, wx0 = (fx + 1) - ix, wy1 = iy - fy, wy0 = (fy + 1) - iy;
            int xin0 = x0 >= 0, xin1 = x0 + 1 < iw && x0 + 1 >= 0, yin0 = y0 >= 0, yin1 = y0 + 1 < ih && y0 + 1 >= 0;
            index[0][q] = xin0 && yin0 ? y0 * iw + x0 : 0;
            index[1][q] = xin1 && yin0 ? y0 * iw + x0 + 1 : 0;
            index[2][q] = xin0 && yin1 ? (y0 + 1) * iw + x0 : 0;
            index[3][q] = xin1 && yin1 ? (y0 + 1) * iw + x0 + 1 : 0;
            weight[0][q] = xin0 && yin0 ? wx0 * wy0 : 0;
            weight[1][q] = xin1 && yin0 ? wx1 * wy0 : 0;
            weight[2][q] = xin0 && yin1 ? wx0 * wy1 : 0;
            weight[3][q] = xin1 && yin1 ? wx1 * wy1 : 0;
        }
        for (int c = 0; c < channels; c++) {
            const float *plane = input + (long)c * ih * iw;
            float *out = output + (long)c * output_plane + q0;
            for (int q = 0; q < n; q++) {
                out[q] = ((plane[index[0][q]] * weight[0][q] + plane[index[1][q]] * weight[1][q])
                          + plane[index[2][q]] * weight[2][q]) + plane[index[3][q]] * weight[3][q];
            }
        }
    }
}

PER_ISA(grid_sample_f32,
        (const float *input, int channels, int ih, int iw, const float *grid, int count, float *output, long output_plane),
        (input, channels, ih, iw, grid, count, output, output_plane))

void agc_grid_sample_f32(agc_isa isa, const float *input, int channels, int ih, int iw, const float *grid, int count,
                         float *output, long output_plane) {
    DISPATCH(isa, grid_sample_f32, (input, channels, ih, iw, grid, count, output, output_plane));
}
