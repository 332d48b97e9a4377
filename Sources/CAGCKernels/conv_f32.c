// Float convolution (stride 1, odd kernel) on a zero-padded input: eight output channels at a
// time, 16 (AVX-512) or 8 (AVX2 + FMA) pixels a vector, fused multiply-adds; a portable version
// for other machines. Results agree with the scalar reference to float rounding (FMA rounds once).
#include "agc_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

static void conv3_f32_avx512_wide(const float *input, int cin, int ph, int pw, int y, int x0, const float *weights,
                                  const float *bias, int count, int relu, float *output, long plane, int width);

__attribute__((target("avx512f")))
static void conv_f32_avx512(const float *input, int cin, int ph, int pw, int k, int y0, int y1, int width,
                            const float *weights, const float *bias, int count, int relu, float *output, long plane) {
    int taps = k * k;
    for (int y = y0; y < y1; y++) {
        int x0 = 0;
        if (k == 3) {
            for (; x0 + 32 <= width; x0 += 32) {
                conv3_f32_avx512_wide(input, cin, ph, pw, y, x0, weights, bias, count, relu, output, plane, width);
            }
        }
        for (; x0 < width; x0 += 16) {
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

// 3x3 kernels, 32 pixels (two vectors) by eight output channels: each broadcast weight feeds two
// FMAs, so the loop is bound by the FMA units rather than by loads.
__attribute__((target("avx512f")))
static void conv3_f32_avx512_wide(const float *input, int cin, int ph, int pw, int y, int x0, const float *weights,
                                  const float *bias, int count, int relu, float *output, long plane, int width) {
    __m512 a[8], b[8];
    for (int j = 0; j < 8; j++) a[j] = b[j] = _mm512_set1_ps(j < count ? bias[j] : 0.0f);
    for (int i = 0; i < cin; i++) {
        const float *p = input + ((long)i * ph + y) * pw + x0;
        const float *w = weights + (long)i * 9 * 8;
        for (int t = 0; t < 9; t++, w += 8) {
            const float *q = p + (t / 3) * pw + t % 3;
            __m512 u = _mm512_loadu_ps(q), v = _mm512_loadu_ps(q + 16);
            for (int j = 0; j < 8; j++) {
                __m512 c = _mm512_set1_ps(w[j]);
                a[j] = _mm512_fmadd_ps(u, c, a[j]);
                b[j] = _mm512_fmadd_ps(v, c, b[j]);
            }
        }
    }
    for (int j = 0; j < count; j++) {
        float *dst = output + (long)j * plane + (long)y * width + x0;
        _mm512_storeu_ps(dst, relu ? _mm512_max_ps(a[j], _mm512_setzero_ps()) : a[j]);
        _mm512_storeu_ps(dst + 16, relu ? _mm512_max_ps(b[j], _mm512_setzero_ps()) : b[j]);
    }
}

__attribute__((target("avx2,fma")))
static void conv_f32_avx2(const float *input, int cin, int ph, int pw, int k, int y0, int y1, int width,
                          const float *weights, const float *bias, int count, int relu, float *output, long plane) {
    int taps = k * k;
    for (int y = y0; y < y1; y++) {
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

static void conv_f32_portable(const float *input, int cin, int ph, int pw, int k, int y0, int y1, int width,
                              const float *weights, const float *bias, int count, int relu, float *output, long plane) {
    int taps = k * k;
    for (int j = 0; j < count; j++) {
        for (int y = y0; y < y1; y++) {
            for (int x = 0; x < width; x++) {
                float acc = bias[j];
                for (int i = 0; i < cin; i++) {
                    const float *p = input + ((long)i * ph + y) * pw + x;
                    const float *w = weights + (long)i * taps * 8 + j;
                    for (int t = 0; t < taps; t++) acc += p[(t / k) * pw + t % k] * w[t * 8];
                }
                output[(long)j * plane + (long)y * width + x] = relu && acc < 0 ? 0 : acc;
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
