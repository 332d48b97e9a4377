// ElementwiseArithmetic.roundedDivide in hardware: q = x / d rounded to nearest, ties away from
// zero (x signed, d > 0), as sign(x) x ((|x| + floor(d / 2)) / d). A divisor that is a power of two
// takes one cycle (a shift); any other takes one restoring-division step per numerator bit.
module agc_divider (
    input  logic               clk,
    input  logic               rst_n,
    input  logic               start,
    input  logic signed [63:0] x,
    input  logic [63:0]        d,
    output logic               done,
    output logic signed [63:0] q
);
    logic [64:0] num, rem;
    logic [63:0] den, quo;
    logic        neg, busy;
    logic [6:0]  bitn;

    function automatic [6:0] log2_of(input logic [63:0] v);
        log2_of = 7'd0;
        for (int i = 0; i < 64; i++) if (v[i]) log2_of = i[6:0];
    endfunction

    wire [64:0] mag = {1'b0, (x < 0) ? -x : x} + {2'b0, d[63:1]};
    wire        pow2 = (d & (d - 64'd1)) == 64'd0;
    wire [64:0] shifted = mag >> log2_of(d);
    wire [65:0] trial = {rem, num[bitn[6:0]]};

    always_ff @(posedge clk) begin
        if (!rst_n) begin
            busy <= 1'b0;
            done <= 1'b0;
            q <= '0;
        end else begin
            done <= 1'b0;
            if (start) begin
                neg <= x < 0;
                if (pow2) begin
                    q <= (x < 0) ? -$signed(shifted[63:0]) : $signed(shifted[63:0]);
                    done <= 1'b1;
                end else begin
                    num <= mag;
                    den <= d;
                    rem <= '0;
                    quo <= '0;
                    bitn <= 7'd64;
                    busy <= 1'b1;
                end
            end else if (busy) begin
                if (trial[64:0] >= {1'b0, den}) begin
                    rem <= trial[64:0] - {1'b0, den};
                    if (bitn < 7'd64) quo[bitn[5:0]] <= 1'b1;
                end else rem <= trial[64:0];
                if (bitn == 7'd0) begin
                    busy <= 1'b0;
                end else bitn <= bitn - 7'd1;
            end
            if (busy && bitn == 7'd0) begin
                // the last quotient bit is decided this cycle
                done <= 1'b1;
                q <= neg ? -$signed({quo[63:1], trial[64:0] >= {1'b0, den}})
                         : $signed({quo[63:1], trial[64:0] >= {1'b0, den}});
            end
        end
    end
    wire unused = &{1'b0, trial[65], shifted[64], quo[0]};
endmodule
