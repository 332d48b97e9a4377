// The peaks of this machine for the kernels' instructions: INT8 dot-product instructions and float
// fused multiply-adds on registers only, 12 independent accumulators (enough to cover the
// latency), no memory traffic.
#include "agc_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f,avx512bw,avx512vnni")))
static uint64_t peak_avx512vnni(uint64_t n) {
    __m512i a[12], x = _mm512_set1_epi32(0x01010101), w = _mm512_set1_epi32(0x01FF01FF);
    for (int i = 0; i < 12; i++) a[i] = _mm512_setzero_si512();
    for (uint64_t k = 0; k < n; k++) {
        for (int i = 0; i < 12; i++) a[i] = _mm512_dpbusd_epi32(a[i], x, w);
        __asm__ volatile("" : "+v"(x));
    }
    __m512i s = a[0];
    for (int i = 1; i < 12; i++) s = _mm512_add_epi32(s, a[i]);
    volatile int sink = _mm512_reduce_add_epi32(s);
    (void)sink;
    return n * 12 * 64;
}

__attribute__((target("avx2,avxvnni")))
static uint64_t peak_avxvnni(uint64_t n) {
    __m256i a[12], x = _mm256_set1_epi32(0x01010101), w = _mm256_set1_epi32(0x01FF01FF);
    for (int i = 0; i < 12; i++) a[i] = _mm256_setzero_si256();
    for (uint64_t k = 0; k < n; k++) {
        for (int i = 0; i < 12; i++) a[i] = _mm256_dpbusd_avx_epi32(a[i], x, w);
        __asm__ volatile("" : "+x"(x));
    }
    __m256i s = a[0];
    for (int i = 1; i < 12; i++) s = _mm256_add_epi32(s, a[i]);
    volatile int sink = _mm256_extract_epi32(s, 0);
    (void)sink;
    return n * 12 * 32;
}

__attribute__((target("avx2")))
static uint64_t peak_avx2(uint64_t n) {
    __m256i a[12], x = _mm256_set1_epi16(1), w = _mm256_set1_epi16(3);
    for (int i = 0; i < 12; i++) a[i] = _mm256_setzero_si256();
    for (uint64_t k = 0; k < n; k++) {
        for (int i = 0; i < 12; i++) a[i] = _mm256_add_epi32(a[i], _mm256_madd_epi16(x, w));
        __asm__ volatile("" : "+x"(x));
    }
    __m256i s = a[0];
    for (int i = 1; i < 12; i++) s = _mm256_add_epi32(s, a[i]);
    volatile int sink = _mm256_extract_epi32(s, 0);
    (void)sink;
    return n * 12 * 16;
}

// Float: fused multiply-adds on registers, 12 independent accumulators.
__attribute__((target("avx512f")))
static uint64_t peak_f32_avx512(uint64_t n) {
    __m512 a[12], x = _mm512_set1_ps(1.0f), w = _mm512_set1_ps(1e-9f);
    for (int i = 0; i < 12; i++) a[i] = _mm512_setzero_ps();
    for (uint64_t k = 0; k < n; k++) {
        for (int i = 0; i < 12; i++) a[i] = _mm512_fmadd_ps(x, w, a[i]);
        __asm__ volatile("" : "+v"(x));
    }
    __m512 s = a[0];
    for (int i = 1; i < 12; i++) s = _mm512_add_ps(s, a[i]);
    volatile float sink = _mm512_reduce_add_ps(s);
    (void)sink;
    return n * 12 * 16;
}

__attribute__((target("avx2,fma")))
static uint64_t peak_f32_avx2(uint64_t n) {
    __m256 a[12], x = _mm256_set1_ps(1.0f), w = _mm256_set1_ps(1e-9f);
    for (int i = 0; i < 12; i++) a[i] = _mm256_setzero_ps();
    for (uint64_t k = 0; k < n; k++) {
        for (int i = 0; i < 12; i++) a[i] = _mm256_fmadd_ps(x, w, a[i]);
        __asm__ volatile("" : "+x"(x));
    }
    __m256 s = a[0];
    for (int i = 1; i < 12; i++) s = _mm256_add_ps(s, a[i]);
    volatile float sink = _mm256_cvtss_f32(s);
    (void)sink;
    return n * 12 * 8;
}
#endif

uint64_t agc_peak_f32_macs(agc_isa isa, uint64_t n) {
#if defined(__x86_64__)
    if (isa == AGC_ISA_AVX512VNNI) return peak_f32_avx512(n);
    if (isa != AGC_ISA_PORTABLE && __builtin_cpu_supports("fma")) return peak_f32_avx2(n);
#endif
    // Portable: a multiply-add over 64 lanes the compiler vectorizes for the machine's baseline
    // (SSE2, NEON), the accumulators kept in memory between rounds.
    float acc[64] = {0}, x[64], w[64];
    for (int i = 0; i < 64; i++) { x[i] = 1.0f; w[i] = 1e-9f; }
    for (uint64_t k = 0; k < n; k++) {
        for (int i = 0; i < 64; i++) acc[i] += x[i] * w[i];
        __asm__ volatile("" : : "r"(acc), "r"(x) : "memory");
    }
    volatile float sink = acc[0];
    (void)sink;
    return n * 64;
}

uint64_t agc_peak_int8_macs(agc_isa isa, uint64_t n) {
#if defined(__x86_64__)
    switch (isa) {
    case AGC_ISA_AVX512VNNI: return peak_avx512vnni(n);
    case AGC_ISA_AVXVNNI: return peak_avxvnni(n);
    case AGC_ISA_AVX2: return peak_avx2(n);
    default: break;
    }
#endif
    // Portable: as for float, 16-bit products summed into 32-bit lanes.
    int32_t acc[64] = {0};
    int16_t x[64], w[64];
    for (int i = 0; i < 64; i++) { x[i] = 1; w[i] = 3; }
    for (uint64_t k = 0; k < n; k++) {
        for (int i = 0; i < 64; i++) acc[i] += x[i] * w[i];
        __asm__ volatile("" : : "r"(acc), "r"(x) : "memory");
    }
    volatile int32_t sink = acc[0];
    (void)sink;
    return n * 64;
}
