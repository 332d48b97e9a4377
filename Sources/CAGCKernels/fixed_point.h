// FixedPoint.multiply of AGCKernels in C (gemmlowp's SaturatingRoundingDoublingHighMul and
// RoundingDivideByPOT), shared by the kernels' sources; not part of the public header.
#ifndef AGC_FIXED_POINT_H
#define AGC_FIXED_POINT_H
#include <stdint.h>

static inline int32_t srdhm(int32_t a, int32_t b) {
    if (a == b && a == INT32_MIN) return INT32_MAX;
    int64_t ab = (int64_t)a * (int64_t)b;
    int64_t nudge = ab >= 0 ? (1LL << 30) : (1 - (1LL << 30));
    return (int32_t)((ab + nudge) / (1LL << 31));  // truncates toward zero, as Swift's /
}

static inline int32_t rounding_divide_by_pot(int32_t x, int32_t e) {
    if (e <= 0) return x;
    if (e >= 32) {
        // As Swift's smart shifts compute it: mask = -1, so remainder = x and threshold =
        // -1 + (x < 0); x >> e is 0 or -1. (Never reached with the quantizer's multipliers.)
        int32_t threshold = -1 + (x < 0 ? 1 : 0);
        return (x < 0 ? -1 : 0) + (x > threshold ? 1 : 0);
    }
    int32_t mask = (int32_t)((1u << e) - 1u);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> e) + (remainder > threshold ? 1 : 0);
}

static inline int32_t fixed_multiply(int32_t x, int32_t multiplier, int32_t shift) {
    int32_t left = shift > 0 ? shift : 0, right = shift < 0 ? -shift : 0;
    int32_t shifted = left > 0 ? (int32_t)(uint32_t)((uint64_t)(int64_t)x << left) : x;
    return rounding_divide_by_pot(srdhm(shifted, multiplier), right);
}

#endif
