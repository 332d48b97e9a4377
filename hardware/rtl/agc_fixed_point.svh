// The gemmlowp / TFLite requantization of FixedPoint.multiply (Sources/AGCKernels/FixedPoint.swift)
// split in two pipeline halves, as functions every engine shares:
//   fx_product: shift left by max(shift, 0) (bits shifted past 32 are lost, as Int32 truncation
//               loses them) and the 64-bit product with the Q31 multiplier, plus the saturation
//               case INT32_MIN x INT32_MIN;
//   fx_finish:  SaturatingRoundingDoublingHighMul's nudge and division by 2^31 toward zero, then
//               RoundingDivideByPOT by max(-shift, 0) with Swift's shift semantics for exponents
//               of 32 and more.
`ifndef AGC_FIXED_POINT_SVH
`define AGC_FIXED_POINT_SVH
// {saturate (1), product (64)}
function automatic [64:0] fx_product(input logic signed [31:0] x, input logic signed [31:0] m,
                                     input logic signed [31:0] shift);
    logic signed [31:0] s;
    logic signed [63:0] p;
    begin
        if (shift <= 0) s = x;
        else if (shift >= 32) s = 32'sd0;
        else s = x <<< shift[4:0];
        p = s * m;
        fx_product = {(s == 32'sh80000000) && (m == 32'sh80000000), p};
    end
endfunction

function automatic [31:0] fx_finish(input logic [64:0] pr, input logic signed [31:0] shift);
    // verilator lint_off UNUSEDSIGNAL
    logic signed [63:0] p, t, q;   // q's upper half is sign (it fits 32 bits but for saturation)
    // verilator lint_on UNUSEDSIGNAL
    logic signed [31:0] hm, xs, rem, thr, mask;
    logic [31:0] e;
    begin
        p = pr[63:0];
        t = p + (p >= 0 ? 64'sd1073741824 : (64'sd1 - 64'sd1073741824));
        q = (t >= 0) ? (t >>> 31) : ((t + 64'sd2147483647) >>> 31);
        hm = pr[64] ? 32'sh7fffffff : q[31:0];  // q fits 32 bits but for the saturating case
        e = (shift < 0) ? -shift : 32'd0;
        if (e == 0) fx_finish = hm;
        else begin
            mask = (e >= 32) ? 32'hffffffff : ((32'd1 << e[4:0]) - 32'd1);
            rem = hm & mask;
            thr = (mask >>> 1) + ((hm < 0) ? 32'sd1 : 32'sd0);
            xs = (e >= 32) ? ((hm < 0) ? -32'sd1 : 32'sd0) : (hm >>> e[4:0]);
            fx_finish = xs + ((rem > thr) ? 32'sd1 : 32'sd0);
        end
    end
endfunction

// x / d rounded to nearest, ties away from zero, for d a power of two 2^k (k > 0): the rounding
// of ElementwiseArithmetic.roundedDivide on a shift.
function automatic [63:0] round_shift(input logic signed [63:0] x, input logic [5:0] k);
    logic [63:0] mag;
    begin
        mag = (x < 0) ? -x : x;
        mag = (mag + (64'd1 << (k - 6'd1))) >> k;
        round_shift = (x < 0) ? -mag : mag;
    end
endfunction
`endif
