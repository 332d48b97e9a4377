// Float convolution (stride 1, odd kernel) on a zero-padded input: up to eight output channels a
// call, 16 (AVX-512, register blocks of up to 4 vectors) or 8 (AVX2 + FMA) pixels a vector, fused
// multiply-adds; a portable version for other machines. Results agree with the scalar reference to float rounding (FMA rounds once).
#include "agc_kernels.h"
#include <stdlib.h>

#if defined(__x86_64__)
#include <immintrin.h>

// 3x3 kernels: a register block of P pixel vectors (16 floats) x C output channels; each tap
// loads P vectors and broadcasts C weights, so loads per FMA fall to (P + C) / (P x C). P and C
// are constants in every instantiation, the loops unrolled into registers.
__attribute__((target("avx512f"), always_inline))
static inline void block3_avx512(const float *input, int cin, int ph, int pw, int y, int x0, int width,
                                 const float *weights, const float *bias, int relu, float *output, long plane,
                                 const int P, const int C) {
    __m512 a[4][8];
    for (int j = 0; j < C; j++) {
        __m512 b = _mm512_set1_ps(bias[j]);
        for (int p = 0; p < P; p++) a[p][j] = b;
    }
    for (int i = 0; i < cin; i++) {
        const float *row = input + ((long)i * ph + y) * pw + x0;
        const float *w = weights + (long)i * 9 * 8;
        for (int t = 0; t < 9; t++) {
            const float *q = row + (t / 3) * pw + t % 3;
            __m512 v[4];
            for (int p = 0; p < P; p++) v[p] = _mm512_loadu_ps(q + 16 * p);  // rows have 16 floats of slack
            for (int j = 0; j < C; j++) {
                __m512 c = _mm512_set1_ps(w[t * 8 + j]);
                for (int p = 0; p < P; p++) a[p][j] = _mm512_fmadd_ps(v[p], c, a[p][j]);
            }
        }
    }
    for (int p = 0; p < P; p++) {
        int left = width - x0 - 16 * p;
        __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        for (int j = 0; j < C; j++) {
            __m512 r = relu ? _mm512_max_ps(a[p][j], _mm512_setzero_ps()) : a[p][j];
            _mm512_mask_storeu_ps(output + (long)j * plane + (long)y * width + x0 + 16 * p, m, r);
        }
    }
}

// Channel counts of 8 (up to 3 vectors) and 1-4 (up to 4 vectors); 5-7 as 4 + the rest.
__attribute__((target("avx512f")))
static void row3_avx512(const float *input, int cin, int ph, int pw, int y, int width, const float *weights,
                        const float *bias, int count, int relu, float *output, long plane) {
    if (count > 4 && count < 8) {
        row3_avx512(input, cin, ph, pw, y, width, weights, bias, 4, relu, output, plane);
        // The other channels' weights sit at +4 in every group of eight.
        row3_avx512(input, cin, ph, pw, y, width, weights + 4, bias + 4, count - 4, relu, output + 4 * plane, plane);
        return;
    }
    for (int x0 = 0; x0 < width;) {
        int vectors = (width - x0 + 15) / 16;
#define BLOCK(P, C) block3_avx512(input, cin, ph, pw, y, x0, width, weights, bias, relu, output, plane, P, C)
        if (count == 8) {
            // Blocks of 3 vectors, 2 where 3 would leave a lone vector (4 = 2 + 2, 7 = 3 + 2 + 2).
            if (vectors >= 3 && vectors != 4) { BLOCK(3, 8); x0 += 48; }
            else if (vectors >= 2) { BLOCK(2, 8); x0 += 32; }
            else { BLOCK(1, 8); x0 += 16; }
        } else {
            int P = vectors >= 4 ? 4 : vectors;
            switch (count * 8 + P) {
            case 4 * 8 + 4: BLOCK(4, 4); break;
            case 4 * 8 + 3: BLOCK(3, 4); break;
            case 4 * 8 + 2: BLOCK(2, 4); break;
            case 4 * 8 + 1: BLOCK(1, 4); break;
            case 3 * 8 + 4: BLOCK(4, 3); break;
            case 3 * 8 + 3: BLOCK(3, 3); break;
            case 3 * 8 + 2: BLOCK(2, 3); break;
            case 3 * 8 + 1: BLOCK(1, 3); break;
            case 2 * 8 + 4: BLOCK(4, 2); break;
            case 2 * 8 + 3: BLOCK(3, 2); break;
            case 2 * 8 + 2: BLOCK(2, 2); break;
            case 2 * 8 + 1: BLOCK(1, 2); break;
            case 1 * 8 + 4: BLOCK(4, 1); break;
            case 1 * 8 + 3: BLOCK(3, 1); break;
            case 1 * 8 + 2: BLOCK(2, 1); break;
            default: BLOCK(1, 1); break;
            }
            x0 += 16 * P;
        }
#undef BLOCK
    }
}

__attribute__((target("avx512f")))
static void conv_f32_avx512(const float *input, int cin, int ph, int pw, int k, int y0, int y1, int width,
                            const float *weights, const float *bias, int count, int relu, float *output, long plane) {
    int taps = k * k;
    for (int y = y0; y < y1; y++) {
        if (k == 3) {
            row3_avx512(input, cin, ph, pw, y, width, weights, bias, count, relu, output, plane);
            continue;
        }
        for (int x0 = 0; x0 < width; x0 += 16) {
            // Named accumulators (not an array indexed at run time), so they stay in registers.
            __mmask16 m = width - x0 >= 16 ? 0xFFFF : (__mmask16)((1u << (width - x0)) - 1);
            __m512 a0 = _mm512_set1_ps(count > 0 ? bias[0] : 0.0f), a1 = _mm512_set1_ps(count > 1 ? bias[1] : 0.0f);
            __m512 a2 = _mm512_set1_ps(count > 2 ? bias[2] : 0.0f), a3 = _mm512_set1_ps(count > 3 ? bias[3] : 0.0f);
            __m512 a4 = _mm512_set1_ps(count > 4 ? bias[4] : 0.0f), a5 = _mm512_set1_ps(count > 5 ? bias[5] : 0.0f);
            __m512 a6 = _mm512_set1_ps(count > 6 ? bias[6] : 0.0f), a7 = _mm512_set1_ps(count > 7 ? bias[7] : 0.0f);
            for (int i = 0; i < cin; i++) {
                const float *p = input + ((long)i * ph + y) * pw + x0;
                const float *w = weights + (long)i * taps * 8;
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++, w += 8) {
                        __m512 v = _mm512_maskz_loadu_ps(m, p + ky * pw + kx);
                        a0 = _mm512_fmadd_ps(v, _mm512_set1_ps(w[0]), a0);
                        a1 = _mm512_fmadd_ps(v, _mm512_set1_ps(w[1]), a1);
                        a2 = _mm512_fmadd_ps(v, _mm512_set1_ps(w[2]), a2);
                        a3 = _mm512_fmadd_ps(v, _mm512_set1_ps(w[3]), a3);
                        a4 = _mm512_fmadd_ps(v, _mm512_set1_ps(w[4]), a4);
                        a5 = _mm512_fmadd_ps(v, _mm512_set1_ps(w[5]), a5);
                        a6 = _mm512_fmadd_ps(v, _mm512_set1_ps(w[6]), a6);
                        a7 = _mm512_fmadd_ps(v, _mm512_set1_ps(w[7]), a7);
                    }
                }
            }
            float *out = output + (long)y * width + x0;
            __m512 zero = _mm512_setzero_ps();
#define AGC_STORE(j, acc) \
            if (count > j) _mm512_mask_storeu_ps(out + (long)j * plane, m, relu ? _mm512_max_ps(acc, zero) : acc)
            AGC_STORE(0, a0); AGC_STORE(1, a1); AGC_STORE(2, a2); AGC_STORE(3, a3);
            AGC_STORE(4, a4); AGC_STORE(5, a5); AGC_STORE(6, a6); AGC_STORE(7, a7);
#undef AGC_STORE
        }
    }
}

// AVX2 + FMA (16 registers): 3x3 kernels in register blocks of P (up to 2) vectors of 8 floats
// x C (up to 4) channels, 8 channels as two passes of 4; other kernel sizes 8 pixels x 8 channels.
__attribute__((target("avx2,fma"), always_inline))
static inline void block3_avx2(const float *input, int cin, int ph, int pw, int y, int x0, int width,
                               const float *weights, const float *bias, int relu, float *output, long plane,
                               const int P, const int C) {
    __m256 a[2][4];
    for (int j = 0; j < C; j++) {
        __m256 b = _mm256_set1_ps(bias[j]);
        for (int p = 0; p < P; p++) a[p][j] = b;
    }
    for (int i = 0; i < cin; i++) {
        const float *row = input + ((long)i * ph + y) * pw + x0;
        const float *w = weights + (long)i * 9 * 8;
        for (int t = 0; t < 9; t++) {
            const float *q = row + (t / 3) * pw + t % 3;
            __m256 v[2];
            for (int p = 0; p < P; p++) v[p] = _mm256_loadu_ps(q + 8 * p);  // rows have 16 floats of slack
            for (int j = 0; j < C; j++) {
                __m256 c = _mm256_broadcast_ss(w + t * 8 + j);
                for (int p = 0; p < P; p++) a[p][j] = _mm256_fmadd_ps(v[p], c, a[p][j]);
            }
        }
    }
    for (int p = 0; p < P; p++) {
        int left = width - x0 - 8 * p;
        for (int j = 0; j < C; j++) {
            __m256 r = relu ? _mm256_max_ps(a[p][j], _mm256_setzero_ps()) : a[p][j];
            float *dst = output + (long)j * plane + (long)y * width + x0 + 8 * p;
            if (left >= 8) {
                _mm256_storeu_ps(dst, r);
            } else {
                float lanes[8];
                _mm256_storeu_ps(lanes, r);
                for (int l = 0; l < left; l++) dst[l] = lanes[l];
            }
        }
    }
}

__attribute__((target("avx2,fma")))
static void row3_avx2(const float *input, int cin, int ph, int pw, int y, int width, const float *weights,
                      const float *bias, int count, int relu, float *output, long plane) {
    for (int c0 = 0; c0 < count; c0 += 4) {
        int C = count - c0 < 4 ? count - c0 : 4;
        const float *w = weights + c0;  // channel c0 + j's weights sit at + j in every group of eight
        for (int x0 = 0; x0 < width;) {
            int P = width - x0 > 8 ? 2 : 1;
#define BLOCK(P, C) block3_avx2(input, cin, ph, pw, y, x0, width, w, bias + c0, relu, output + c0 * plane, plane, P, C)
            switch (C * 4 + P) {
            case 4 * 4 + 2: BLOCK(2, 4); break;
            case 4 * 4 + 1: BLOCK(1, 4); break;
            case 3 * 4 + 2: BLOCK(2, 3); break;
            case 3 * 4 + 1: BLOCK(1, 3); break;
            case 2 * 4 + 2: BLOCK(2, 2); break;
            case 2 * 4 + 1: BLOCK(1, 2); break;
            case 1 * 4 + 2: BLOCK(2, 1); break;
            default: BLOCK(1, 1); break;
            }
#undef BLOCK
            x0 += 8 * P;
        }
    }
}

__attribute__((target("avx2,fma")))
static void conv_f32_avx2(const float *input, int cin, int ph, int pw, int k, int y0, int y1, int width,
                          const float *weights, const float *bias, int count, int relu, float *output, long plane) {
    int taps = k * k;
    for (int y = y0; y < y1; y++) {
        if (k == 3) {
            row3_avx2(input, cin, ph, pw, y, width, weights, bias, count, relu, output, plane);
            continue;
        }
        for (int x0 = 0; x0 < width; x0 += 8) {
            __m256 a[8];
            for (int j = 0; j < 8; j++) a[j] = _mm256_set1_ps(j < count ? bias[j] : 0.0f);
            for (int i = 0; i < cin; i++) {
                const float *p = input + ((long)i * ph + y) * pw + x0;
                const float *w = weights + (long)i * taps * 8;
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++, w += 8) {
                        __m256 v = _mm256_loadu_ps(p + ky * pw + kx);   // the padded rows have 16 floats of slack
                        for (int j = 0; j < 8; j++) a[j] = _mm256_fmadd_ps(v, _mm256_broadcast_ss(w + j), a[j]);
                    }
                }
            }
            int n = width - x0 < 8 ? width - x0 : 8;
            for (int j = 0; j < count; j++) {
                float lanes[8];
                _mm256_storeu_ps(lanes, relu ? _mm256_max_ps(a[j], _mm256_setzero_ps()) : a[j]);
                float *dst = output + (long)j * plane + (long)y * width + x0;
                for (int l = 0; l < n; l++) dst[l] = lanes[l];
            }
        }
    }
}
#endif

// Row by row, tap by tap: the innermost loop runs along the row, so the compiler vectorizes it
// for whatever the machine has (SSE2, NEON, ...).
static void conv_f32_portable(const float *input, int cin, int ph, int pw, int k, int y0, int y1, int width,
                              const float *weights, const float *bias, int count, int relu, float *output, long plane) {
    int taps = k * k;
    for (int j = 0; j < count; j++) {
        for (int y = y0; y < y1; y++) {
            float *out = output + (long)j * plane + (long)y * width;
            for (int x = 0; x < width; x++) out[x] = bias[j];
            for (int i = 0; i < cin; i++) {
                const float *w = weights + (long)i * taps * 8 + j;
                for (int t = 0; t < taps; t++) {
                    const float *p = input + ((long)i * ph + y + t / k) * pw + t % k;
                    float wt = w[t * 8];
                    for (int x = 0; x < width; x++) out[x] += p[x] * wt;
                }
            }
            if (relu) {
                for (int x = 0; x < width; x++) out[x] = out[x] < 0 ? 0 : out[x];
            }
        }
    }
}

void agc_conv_f32(agc_isa isa, const float *input, int cin, int ph, int pw, int k, int y0, int y1, int width,
                  const float *weights, const float *bias, int count, int relu, float *output, long plane) {
#if defined(__x86_64__)
    if (isa == AGC_ISA_AVX512VNNI) {
        conv_f32_avx512(input, cin, ph, pw, k, y0, y1, width, weights, bias, count, relu, output, plane);
        return;
    }
    if (isa != AGC_ISA_PORTABLE && __builtin_cpu_supports("fma")) {
        conv_f32_avx2(input, cin, ph, pw, k, y0, y1, width, weights, bias, count, relu, output, plane);
        return;
    }
#endif
    conv_f32_portable(input, cin, ph, pw, k, y0, y1, width, weights, bias, count, relu, output, plane);
}

void agc_average_pool2_f32(const float *input, int channels, int rows, int width, long input_plane, float *output,
                           long output_plane) {
    int ow = width / 2;
    for (int c = 0; c < channels; c++) {
        for (int y = 0; y + 1 < rows; y += 2) {
            const float *r0 = input + c * input_plane + (long)y * width, *r1 = r0 + width;
            float *dst = output + c * output_plane + (long)(y / 2) * ow;
            for (int x = 0; x < ow; x++) dst[x] = (((r0[2 * x] + r0[2 * x + 1]) + r1[2 * x]) + r1[2 * x + 1]) * 0.25f;
        }
    }
}

void agc_conv_f32_pooled(agc_isa isa, const float *input, int cin, int ph, int pw, int k, int rows, int width,
                         const float *weights, const float *bias, int count, int relu, float *output,
                         long output_plane) {
    // The full-resolution rows on this thread's stack (8 x 8 x 256 floats: 64 kB at most here),
    // on the heap only for very wide maps.
    long values = (long)count * rows * width;
    float local[values <= 32768 ? values : 1];
    float *full = values <= 32768 ? local : malloc(sizeof(float) * values);
    agc_conv_f32(isa, input, cin, ph, pw, k, 0, rows, width, weights, bias, count, relu, full, (long)rows * width);
    agc_average_pool2_f32(full, count, rows, width, (long)rows * width, output, output_plane);
    if (full != local) free(full);
}
