`include "agc_desc.svh"
`include "agc_fixed_point.svh"
// Opcode 1, keypoint heatmaps and shifts (ElementwiseArithmetic.keypointHeat): plane 0 is the
// zero point, plane j + 1 is zp + FixedPoint.multiply(G(driving_j) - G(source_j)) clamped to a
// byte, G the separable Gaussian from the 513-word Q15 table (index min(|centre - keypoint|, 512),
// centres (2i + 1) x 256 / r - 256 for the r x r map); shift j + 1 is (source_j - driving_j) << 8.
module agc_keypoints (`AGC_ENGINE_PORTS);
    localparam int UNITS = 256;      // Compiler.keypointUnits
    localparam int TABLE_LAST = 2 * UNITS;
    typedef enum logic [3:0] {S_IDLE, S_FILL, S_SHIFT0, S_KP, S_ROWS, S_ROWD, S_COLS, S_COLD, S_MUL, S_MUL2, S_FIN,
                              S_Q, S_HEAT, S_SHX, S_SHY} state_t;
    state_t state;
    wire [15:0] r = `D_H(desc);
    wire [7:0]  kc = `D_KCOUNT(desc);
    wire [7:0]  zp = `D_OZP(desc);
    logic [31:0] i, plane, n;
    logic [7:0]  j;
    logic [1:0]  part;
    logic [15:0] x, y;
    logic signed [31:0] sx, sy, dx, dy, gys, gyd, gxs, gxd, diff;
    logic [64:0] prod;
    logic [7:0]  heat;
    logic [3:0]  log2r;
    always_comb begin
        log2r = 4'd0;
        for (int b = 0; b < 16; b++) if (r[b]) log2r = b[3:0];
    end
    function automatic logic signed [31:0] centre(input logic [15:0] idx, input logic [3:0] l2);
        logic [31:0] t;
        t = ({15'd0, idx, 1'b0} + 32'd1) << 8;
        centre = $signed(t >> l2) - 32'sd256;
    endfunction
    function automatic logic [31:0] tap(input logic signed [31:0] c, input logic signed [31:0] at);
        logic signed [31:0] d;
        d = c - at;
        if (d < 0) d = -d;
        tap = ($unsigned(d) > TABLE_LAST) ? TABLE_LAST : $unsigned(d);
    endfunction
    logic [31:0] index;
    always_comb begin
        case (state)
            S_ROWS: index = tap(centre(y, log2r), sy);
            S_ROWD: index = tap(centre(y, log2r), dy);
            S_COLS: index = tap(centre(x, log2r), sx);
            default: index = tap(centre(x, log2r), dx);
        endcase
    end
    wire [31:0] kp_word = part == 2'd0 ? {23'd0, j, 1'b0} : part == 2'd1 ? {23'd0, j, 1'b1}
                        : part == 2'd2 ? {23'd0, j, 1'b0} + {23'd0, kc, 1'b0} : {23'd0, j, 1'b1} + {23'd0, kc, 1'b0};
    assign rd_req = state == S_KP || state == S_ROWS || state == S_ROWD || state == S_COLS || state == S_COLD;
    assign rd_addr = state == S_KP ? `D_AUX(desc) + {kp_word[29:0], 2'b00} : `D_WEIGHTS(desc) + {index[29:0], 2'b00};
    always_comb begin
        wr_req = 1'b0; wr_addr = '0; wr_data = '0; wr_strb = 4'h0;
        case (state)
            S_FILL, S_HEAT: begin
                wr_req = 1'b1;
                wr_addr = `D_OUTPUT(desc) + plane + i;
                wr_data = {4{state == S_FILL ? zp : heat}};
                wr_strb = 4'b0001 << wr_addr[1:0];
            end
            S_SHIFT0: begin wr_req = 1'b1; wr_addr = `D_BIAS(desc) + {i[29:0], 2'b00}; wr_strb = 4'hF; end
            S_SHX: begin wr_req = 1'b1; wr_addr = `D_BIAS(desc) + {21'd0, j + 8'd1, 3'b000}; wr_data = (sx - dx) <<< 8; wr_strb = 4'hF; end
            S_SHY: begin wr_req = 1'b1; wr_addr = `D_BIAS(desc) + {21'd0, j + 8'd1, 3'b100}; wr_data = (sy - dy) <<< 8; wr_strb = 4'hF; end
            default: ;
        endcase
    end
    // the two Gaussian products on one multiplier: driving in S_MUL, source in S_MUL2
    wire signed [31:0] gprod = state == S_MUL ? gxd * gyd : gxs * gys;
    wire signed [31:0] rounded = (gprod + 32'sd16384) >>> 15;
    logic signed [31:0] hd;
    wire signed [31:0] qv = $signed({24'd0, zp}) + $signed(fx_finish(prod, `D_SHIFT(desc)));

    always_ff @(posedge clk) begin
        if (!rst_n) begin
            state <= S_IDLE;
            done <= 1'b0;
        end else begin
            done <= 1'b0;
            case (state)
                S_IDLE: if (start) begin
                    n <= r * r;
                    i <= '0; plane <= '0; j <= '0; part <= '0;
                    state <= S_FILL;
                end
                S_FILL: if (wr_ready) begin
                    if (i + 32'd1 < n) i <= i + 32'd1;
                    else begin i <= '0; state <= S_SHIFT0; end
                end
                S_SHIFT0: if (wr_ready) begin
                    if (i == 32'd0) i <= 32'd1;
                    else begin i <= '0; state <= kc == 8'd0 ? S_IDLE : S_KP; done <= kc == 8'd0; end
                end
                S_KP: if (rd_hit) begin
                    case (part)
                        2'd0: sx <= rd_data;
                        2'd1: sy <= rd_data;
                        2'd2: dx <= rd_data;
                        default: dy <= rd_data;
                    endcase
                    part <= part + 2'd1;
                    if (part == 2'd3) begin
                        plane <= plane + n;
                        x <= '0; y <= '0; i <= '0;
                        state <= S_ROWS;
                    end
                end
                S_ROWS: if (rd_hit) begin gys <= rd_data; state <= S_ROWD; end
                S_ROWD: if (rd_hit) begin gyd <= rd_data; state <= S_COLS; end
                S_COLS: if (rd_hit) begin gxs <= rd_data; state <= S_COLD; end
                S_COLD: if (rd_hit) begin gxd <= rd_data; state <= S_MUL; end
                S_MUL: begin hd <= rounded; state <= S_MUL2; end
                S_MUL2: begin diff <= hd - rounded; state <= S_FIN; end
                S_FIN: begin prod <= fx_product(diff, `D_MULT(desc), `D_SHIFT(desc)); state <= S_Q; end
                S_Q: begin heat <= qv < 0 ? 8'd0 : qv > 255 ? 8'd255 : qv[7:0]; state <= S_HEAT; end
                S_HEAT: begin
                    if (wr_ready) begin
                        i <= i + 32'd1;
                        if (x + 16'd1 < r) begin x <= x + 16'd1; state <= S_COLS; end
                        else begin
                            x <= '0;
                            if (y + 16'd1 < r) begin y <= y + 16'd1; state <= S_ROWS; end
                            else state <= S_SHX;
                        end
                    end
                end
                S_SHX: if (wr_ready) state <= S_SHY;
                S_SHY: if (wr_ready) begin
                    j <= j + 8'd1;
                    if (j + 8'd1 == kc) begin done <= 1'b1; state <= S_IDLE; end
                    else state <= S_KP;
                end
                default: state <= S_IDLE;
            endcase
        end
    end
    wire unused_bits = &{1'b0, desc[511:480], desc[407:392], desc[383:320], desc[287:224], desc[127:80], desc[63:0], index[31:30], kp_word[31:30]};
endmodule
