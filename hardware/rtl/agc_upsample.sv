`include "agc_desc.svh"
// Opcode 7, bilinear upsampling of both planes of an INT32 flow by an integer factor f
// (ElementwiseArithmetic.upsampleFlow, align_corners=False): the source coordinate of output o is
// max(2o + 1 - f, 0) / 2f, stepped incrementally (quotient, remainder) along rows and columns;
// four word reads, the weighted sum in 64 bits, rounded division by (2f)^2 (a shift when f is a
// power of two).
module agc_upsample (`AGC_ENGINE_PORTS);
    typedef enum logic [3:0] {S_IDLE, S_R0, S_R1, S_R2, S_R3, S_MAC, S_DIV, S_WAIT, S_OUT} state_t;
    state_t state;
    wire [15:0] h = `D_H(desc), w = `D_W(desc);
    wire [7:0]  f = `D_FACTOR(desc);
    wire [9:0]  den = {1'b0, f, 1'b0};
    wire [31:0] oh = h * f, ow = w * f;

    // One axis: t = 2o + 1 - f, (q, r) = divmod(max(t, 0), 2f), packed as {t (34), q (32), r (10)}.
    function automatic [75:0] first(input logic [7:0] fac);
        first = {34'sd1 - $signed({26'd0, fac}), 32'd0, 10'd0};
    endfunction
    function automatic [75:0] step(input logic [75:0] a, input logic [9:0] d);
        logic signed [33:0] t, t2;
        logic [31:0] q;
        logic [9:0]  r;
        logic [10:0] r2;
        t = a[75:42];
        q = a[41:10];
        r = a[9:0];
        t2 = t + 34'sd2;
        if (t2 <= 0) begin q = '0; r = '0; end
        else if (t <= 0) begin
            if (t2[10:0] >= {1'b0, d}) begin q = 32'd1; r = t2[9:0] - d; end
            else begin q = '0; r = t2[9:0]; end
        end else begin
            r2 = {1'b0, r} + 11'd2;
            if (r2 >= {1'b0, d}) begin r = r2[9:0] - d; q = q + 32'd1; end
            else r = r2[9:0];
        end
        step = {t2, q, r};
    endfunction

    logic [75:0] ax, ay;
    logic        plane;
    logic [31:0] x, y, k;
    logic signed [31:0] v00, v01, v10, v11;
    logic signed [63:0] top, bottom, num, acc;
    logic [2:0] mstep;
    wire [31:0] x0 = ax[41:10], y0 = ay[41:10];
    wire [31:0] x1 = (ax[41:10] + 32'd1 < {16'd0, w}) ? ax[41:10] + 32'd1 : {16'd0, w} - 32'd1;
    wire [31:0] y1 = (ay[41:10] + 32'd1 < {16'd0, h}) ? ay[41:10] + 32'd1 : {16'd0, h} - 32'd1;
    wire [31:0] src = `D_INPUT(desc) + (plane ? (32'(h) * 32'(w)) << 2 : 32'd0);
    logic [31:0] at;
    always_comb begin
        case (state)
            S_R0: at = y0 * w + x0;
            S_R1: at = y0 * w + x1;
            S_R2: at = y1 * w + x0;
            default: at = y1 * w + x1;
        endcase
    end
    assign rd_req = state == S_R0 || state == S_R1 || state == S_R2 || state == S_R3;
    assign rd_addr = src + {at[29:0], 2'b00};
    assign wr_req = state == S_OUT;
    assign wr_addr = `D_OUTPUT(desc) + {k[29:0], 2'b00};
    assign wr_strb = 4'hF;
    logic div_done;
    logic signed [63:0] div_q;
    agc_divider divider (.clk, .rst_n, .start(state == S_DIV), .x(num), .d(64'(den) * 64'(den)),
                         .done(div_done), .q(div_q));
    assign wr_data = div_q[31:0];
    wire signed [11:0] fx = {2'b0, ax[9:0]}, fy = {2'b0, ay[9:0]}, dd = {2'b0, den};
    logic signed [11:0] weight;
    logic signed [63:0] operand;
    always_comb begin
        case (mstep)
            3'd0: begin weight = dd - fx; operand = 64'(v00); end
            3'd1: begin weight = fx; operand = 64'(v01); end
            3'd2: begin weight = dd - fx; operand = 64'(v10); end
            3'd3: begin weight = fx; operand = 64'(v11); end
            3'd4: begin weight = dd - fy; operand = top; end
            default: begin weight = fy; operand = bottom; end
        endcase
    end
    wire signed [63:0] product = 64'(weight) * operand;

    always_ff @(posedge clk) begin
        if (!rst_n) begin
            state <= S_IDLE;
            done <= 1'b0;
        end else begin
            done <= 1'b0;
            case (state)
                S_IDLE: if (start) begin
                    ax <= first(f); ay <= first(f);
                    x <= '0; y <= '0; k <= '0; plane <= 1'b0;
                    state <= S_R0;
                end
                S_R0: if (rd_hit) begin v00 <= rd_data; state <= S_R1; end
                S_R1: if (rd_hit) begin v01 <= rd_data; state <= S_R2; end
                S_R2: if (rd_hit) begin v10 <= rd_data; state <= S_R3; end
                S_R3: if (rd_hit) begin v11 <= rd_data; mstep <= 3'd0; state <= S_MAC; end
                // top = (2f - fx) v00 + fx v01, bottom likewise, num = (2f - fy) top + fy bottom,
                // one product per cycle on one multiplier
                S_MAC: begin
                    mstep <= mstep + 3'd1;
                    case (mstep)
                        3'd0, 3'd2, 3'd4: acc <= product;
                        3'd1: top <= acc + product;
                        3'd3: bottom <= acc + product;
                        default: begin num <= acc + product; state <= S_DIV; end
                    endcase
                end
                S_DIV: state <= S_WAIT;
                S_WAIT: if (div_done) state <= S_OUT;
                S_OUT: if (wr_ready) begin
                    k <= k + 32'd1;
                    state <= S_R0;
                    if (x + 32'd1 < ow) begin x <= x + 32'd1; ax <= step(ax, den); end
                    else begin
                        x <= '0; ax <= first(f);
                        if (y + 32'd1 < oh) begin y <= y + 32'd1; ay <= step(ay, den); end
                        else begin
                            y <= '0; ay <= first(f);
                            if (!plane) plane <= 1'b1;
                            else begin done <= 1'b1; state <= S_IDLE; end
                        end
                    end
                end
                default: state <= S_IDLE;
            endcase
        end
    end
    wire unused_bits = &{1'b0, desc[511:160], desc[63:24], desc[15:0], at[31:30], div_q[63:32]};
endmodule
