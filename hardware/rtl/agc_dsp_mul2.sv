// Two INT8 x UINT8 products on one DSP48E1 multiplier, packed as Xilinx WP486 describes: the two
// signed weights sharing one activation go into the 25-bit port as w_hi x 2^16 + w_lo (in range
// for every pair, -128 included), the activation into the 18-bit port, and the 34-bit product
// P = w_hi x 2^16 x a + w_lo x a holds both: the low product is the sign-extended low 16 bits
// (|w_lo x a| < 2^15), the high one P >> 16 plus the borrow the negative low product took from it
// (the correction term, bit 15 of P). Registered inputs and product (AREG/BREG, MREG): two
// cycles of latency. This is the behavioural model; synthesis maps the multiply onto a DSP48E1.
module agc_dsp_mul2 (
    input  logic               clk,
    input  logic signed [7:0]  w_lo,
    input  logic signed [7:0]  w_hi,
    input  logic [7:0]         a,
    output logic signed [16:0] p_lo,
    output logic signed [16:0] p_hi
);
    logic signed [24:0] packed_w;
    logic signed [8:0]  act;
    logic signed [33:0] product;
    always_ff @(posedge clk) begin
        packed_w <= $signed({w_hi, 16'd0}) + $signed({{17{w_lo[7]}}, w_lo});
        act <= $signed({1'b0, a});
        product <= packed_w * act;
    end
    wire signed [15:0] low = product[15:0];
    assign p_lo = {low[15], low};
    assign p_hi = product[32:16] + {16'd0, product[15]};
    wire unused = &{1'b0, product[33]};
endmodule
