// The element-wise engine's integer operations (AGCFPGA's ElementwiseArithmetic is the
// definition): keypoint heatmaps, the softmax-weighted flow, table lookups, bilinear flow
// upsampling, and the pooling engine's average. Each body is plain C written so that the
// compiler vectorizes it, compiled once per instruction set (portable, AVX2, AVX-512) and chosen
// at run time; the callers split the work over threads by the ranges in the arguments.
#include "agc_kernels.h"
#include "fixed_point.h"
#include "per_isa.h"

static inline int64_t rounded_divide(int64_t x, int64_t d) { return x >= 0 ? (x + d / 2) / d : -((d / 2 - x) / d); }

// x / 2^e rounded to nearest, ties away from zero: rounded_divide by a power of two.
static inline int64_t rounded_shift(int64_t x, int e) {
    int64_t half = (int64_t)1 << e >> 1;
    return x >= 0 ? (x + half) >> e : -((half - x) >> e);
}

BODY void keypoint_heat_body(int32_t sx, int32_t sy, int32_t dx, int32_t dy, int units, int r, const int32_t *table,
                             int table_count, int32_t multiplier, int32_t shift, int32_t zero_point, uint8_t *plane) {
    int32_t gxs[r], gys[r], gxd[r], gyd[r];
    for (int i = 0; i < r; i++) {
        int32_t centre = (int32_t)((2 * i + 1) * units / r - units);
        int32_t d;
#define GAUSS(at) (d = centre - (at) < 0 ? (at) - centre : centre - (at), table[d < table_count - 1 ? d : table_count - 1])
        gxs[i] = GAUSS(sx); gys[i] = GAUSS(sy); gxd[i] = GAUSS(dx); gyd[i] = GAUSS(dy);
#undef GAUSS
    }
    for (int y = 0; y < r; y++) {
        for (int x = 0; x < r; x++) {
            int32_t hd = (gxd[x] * gyd[y] + (1 << 14)) >> 15;
            int32_t hs = (gxs[x] * gys[y] + (1 << 14)) >> 15;
            int32_t q = zero_point + fixed_multiply(hd - hs, multiplier, shift);
            plane[y * r + x] = (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
        }
    }
}

BODY void softmax_flow_body(const uint8_t *logits, int channels, long n, const int32_t *table, const int32_t *shifts,
                            long p0, long p1, int32_t *flow) {
    for (long p = p0; p < p1; p++) {
        uint8_t top = 0;
        for (int k = 0; k < channels; k++) top = logits[k * n + p] > top ? logits[k * n + p] : top;
        int64_t den = 0, fx = 0, fy = 0;
        for (int k = 0; k < channels; k++) {
            int64_t e = table[top - logits[k * n + p]];
            den += e;
            fx += e * shifts[2 * k];
            fy += e * shifts[2 * k + 1];
        }
        flow[p] = (int32_t)rounded_divide(fx, den);
        flow[n + p] = (int32_t)rounded_divide(fy, den);
    }
}

BODY void lookup_body(const uint8_t *input, long count, const int32_t *table, uint8_t *output) {
    for (long i = 0; i < count; i++) output[i] = (uint8_t)table[input[i]];
}

// Source taps of output coordinate o (align_corners=False, clamped): i0, i1 and the weight of i1
// in 1 / (2f).
static inline void flow_taps(int o, int n, int f, int *i0, int *i1, int *frac) {
    int s = 2 * o + 1 - f;
    if (s < 0) s = 0;
    *i0 = s / (2 * f);
    *i1 = *i0 + 1 < n ? *i0 + 1 : n - 1;
    *frac = s % (2 * f);
}

// Separable: each source row needed by output rows y0 ..< y1 is interpolated horizontally once
// (exact, in 64 bits), then every output row blends two of those rows; the definition's sum
// (den - fy) x top + fy x bottom is exactly that, so the bits agree.
BODY void upsample_flow_body(const int32_t *input, int h, int w, int f, int y0, int y1, int32_t *output) {
    int oh = h * f, ow = w * f;
    int64_t den = 2 * f;
    int x0s[ow], x1s[ow];
    int64_t fxs[ow];
    for (int x = 0; x < ow; x++) {
        int frac;
        flow_taps(x, w, f, &x0s[x], &x1s[x], &frac);
        fxs[x] = frac;
    }
    int e = 0;
    while (((int64_t)1 << e) < den * den) e++;
    int power_of_two = ((int64_t)1 << e) == den * den;
    // Source rows first ..= last feed these output rows.
    int first, last, unused, frac;
    flow_taps(y0, h, f, &first, &unused, &frac);
    flow_taps(y1 - 1, h, f, &unused, &last, &frac);
    int64_t rows[last - first + 1][ow];
    for (int plane = 0; plane < 2; plane++) {
        const int32_t *src = input + (long)plane * h * w;
        int32_t *dst = output + (long)plane * oh * ow;
        for (int sy = first; sy <= last; sy++) {
            const int32_t *r = src + (long)sy * w;
            int64_t *out = rows[sy - first];
            for (int x = 0; x < ow; x++) out[x] = (den - fxs[x]) * r[x0s[x]] + fxs[x] * r[x1s[x]];
        }
        for (int y = y0; y < y1; y++) {
            int ya, yb;
            flow_taps(y, h, f, &ya, &yb, &frac);
            int64_t fy = frac;
            const int64_t *top = rows[ya - first], *bottom = rows[yb - first];
            int32_t *out = dst + (long)y * ow;
            if (power_of_two) {
                for (int x = 0; x < ow; x++) out[x] = (int32_t)rounded_shift((den - fy) * top[x] + fy * bottom[x], e);
            } else {
                for (int x = 0; x < ow; x++) out[x] = (int32_t)rounded_divide((den - fy) * top[x] + fy * bottom[x], den * den);
            }
        }
    }
}

BODY void average_pool_u8_body(const uint8_t *input, int h, int w, int f, int c0, int c1, uint8_t *output) {
    int oh = h / f, ow = w / f, n = f * f;
    for (int c = c0; c < c1; c++) {
        for (int y = 0; y < oh; y++) {
            uint8_t *dst = output + ((long)c * oh + y) * ow;
            for (int x = 0; x < ow; x++) {
                int sum = 0;
                for (int dy = 0; dy < f; dy++) {
                    const uint8_t *row = input + ((long)c * h + (long)y * f + dy) * w + (long)x * f;
                    for (int dx = 0; dx < f; dx++) sum += row[dx];
                }
                dst[x] = (uint8_t)((sum + n / 2) / n);
            }
        }
    }
}

PER_ISA(keypoint_heat,
        (int32_t sx, int32_t sy, int32_t dx, int32_t dy, int units, int r, const int32_t *table, int table_count,
         int32_t multiplier, int32_t shift, int32_t zero_point, uint8_t *plane),
        (sx, sy, dx, dy, units, r, table, table_count, multiplier, shift, zero_point, plane))
PER_ISA(softmax_flow,
        (const uint8_t *logits, int channels, long n, const int32_t *table, const int32_t *shifts, long p0, long p1,
         int32_t *flow),
        (logits, channels, n, table, shifts, p0, p1, flow))
PER_ISA(lookup, (const uint8_t *input, long count, const int32_t *table, uint8_t *output), (input, count, table, output))
PER_ISA(upsample_flow, (const int32_t *input, int h, int w, int f, int y0, int y1, int32_t *output),
        (input, h, w, f, y0, y1, output))
PER_ISA(average_pool_u8, (const uint8_t *input, int h, int w, int f, int c0, int c1, uint8_t *output),
        (input, h, w, f, c0, c1, output))

void agc_keypoint_heat(agc_isa isa, int32_t sx, int32_t sy, int32_t dx, int32_t dy, int units, int r,
                       const int32_t *table, int table_count, int32_t multiplier, int32_t shift, int32_t zero_point,
                       uint8_t *plane) {
    DISPATCH(isa, keypoint_heat, (sx, sy, dx, dy, units, r, table, table_count, multiplier, shift, zero_point, plane));
}

void agc_softmax_flow(agc_isa isa, const uint8_t *logits, int channels, long n, const int32_t *table,
                      const int32_t *shifts, long p0, long p1, int32_t *flow) {
    DISPATCH(isa, softmax_flow, (logits, channels, n, table, shifts, p0, p1, flow));
}

void agc_lookup_u8(agc_isa isa, const uint8_t *input, long count, const int32_t *table, uint8_t *output) {
    DISPATCH(isa, lookup, (input, count, table, output));
}

void agc_upsample_flow(agc_isa isa, const int32_t *input, int h, int w, int f, int y0, int y1, int32_t *output) {
    DISPATCH(isa, upsample_flow, (input, h, w, f, y0, y1, output));
}

void agc_average_pool_u8(agc_isa isa, const uint8_t *input, int h, int w, int f, int c0, int c1, uint8_t *output) {
    DISPATCH(isa, average_pool_u8, (input, h, w, f, c0, c1, output));
}
