`include "agc_desc.svh"
// The grid-sample engine, opcodes 3 (one sampling per constant shift) and 8 (sampling along a
// flow, optional occlusion mask): QuantizedGridSample.reference. Positions are Q16.16 input
// pixels, pixel + (shift or flow) x size / 2 (the product divided by two toward zero), clamped to
// +-2^30; fractions cut to 8 bits; taps outside the map contribute zero (they read the zero
// point); v = (sum w (x - zp) + 2^15) >> 16; with the mask v = round(v m / 255), ties away from
// zero; out = clamp(zp + v). One tap read per cycle (taps outside the map are skipped).
module agc_grid (`AGC_ENGINE_PORTS);
    typedef enum logic [3:0] {S_IDLE, S_SHIFTX, S_SHIFTY, S_ZP, S_FLOWX, S_FLOWY, S_POS, S_TAP, S_MASK,
                              S_ROUND, S_OUT} state_t;
    state_t state;
    wire flow_mode = `D_OPCODE(desc) == 8'd8;
    wire use_mask = flow_mode && `D_FLAG(desc, `F_MASK);
    wire [15:0] cin = `D_CIN(desc), h = `D_H(desc), w = `D_W(desc);
    wire [7:0]  shifts = `D_KCOUNT(desc);
    logic [31:0] n, p, plane_in, k_out;
    logic [15:0] c, x, y;
    logic [7:0]  s;
    logic signed [31:0] zp;
    logic signed [63:0] offx, offy;
    logic signed [31:0] px, py;
    logic signed [31:0] acc, v;
    logic [1:0]  t;
    logic [7:0]  result;

    function automatic logic signed [63:0] half_toward_zero(input logic signed [63:0] a);
        half_toward_zero = (a + (a < 0 ? 64'sd1 : 64'sd0)) >>> 1;
    endfunction
    function automatic logic signed [31:0] clamp30(input logic signed [63:0] a);
        if (a > 64'sd1073741824) clamp30 = 32'sd1073741824;
        else if (a < -64'sd1073741824) clamp30 = -32'sd1073741824;
        else clamp30 = a[31:0];
    endfunction

    wire signed [31:0] x0 = px >>> 16, y0 = py >>> 16;
    wire [8:0] fx = {1'b0, px[15:8]}, fy = {1'b0, py[15:8]};
    wire signed [31:0] tx = x0 + {31'd0, t[0]}, ty = y0 + {31'd0, t[1]};
    wire tap_in = tx >= 0 && tx < $signed({16'd0, w}) && ty >= 0 && ty < $signed({16'd0, h});
    wire [8:0] wx = t[0] ? fx : 9'd256 - fx;
    wire [8:0] wy = t[1] ? fy : 9'd256 - fy;
    wire [17:0] weight = wx * wy;                       // at most 2^16
    // (shift or flow) x size, one multiplier for x and y
    wire [15:0] size = (state == S_SHIFTX || state == S_FLOWX) ? w : h;
    wire signed [48:0] scaled = $signed(rd_data) * $signed({1'b0, size});
    wire signed [63:0] offset = half_toward_zero({{15{scaled[48]}}, scaled});
    wire signed [31:0] sample = $signed({24'd0, rd_data[8*rd_addr[1:0] +: 8]}) - zp;
    wire [31:0] tap_at = ty[15:0] * w + {16'd0, tx[15:0]};

    always_comb begin
        case (state)
            S_SHIFTX: rd_addr = `D_BIAS(desc) + {21'd0, s, 3'b000};
            S_SHIFTY: rd_addr = `D_BIAS(desc) + {21'd0, s, 3'b100};
            S_ZP:     rd_addr = `D_ZPS(desc) + {14'd0, c, 2'b00};
            S_FLOWX:  rd_addr = `D_AUX(desc) + {p[29:0], 2'b00};
            S_FLOWY:  rd_addr = `D_AUX(desc) + {n[29:0] + p[29:0], 2'b00};
            S_TAP:    rd_addr = `D_INPUT(desc) + plane_in + tap_at;
            default:  rd_addr = `D_AUX2(desc) + p;
        endcase
    end
    assign rd_req = state == S_SHIFTX || state == S_SHIFTY || state == S_ZP || state == S_FLOWX || state == S_FLOWY
                 || (state == S_TAP && tap_in) || state == S_MASK;
    assign wr_req = state == S_OUT;
    assign wr_addr = `D_OUTPUT(desc) + k_out;
    assign wr_data = {4{result}};
    assign wr_strb = 4'b0001 << wr_addr[1:0];

    // the mask stage: round(v m / 255), ties away from zero; a / 255 = (a x 32897) >> 23 for the
    // magnitudes that occur (|v m| + 127 <= 65152)
    wire signed [31:0] vm = v * $signed({24'd0, rd_data[8*rd_addr[1:0] +: 8]});
    wire [31:0] mag = (vm < 0 ? 32'sd127 - vm : vm + 32'sd127);
    wire [47:0] q255 = (mag * 32'd32897) >> 23;
    wire signed [31:0] masked = vm < 0 ? -$signed(q255[31:0]) : $signed(q255[31:0]);
    function automatic logic [7:0] clamp8(input logic signed [31:0] a);
        clamp8 = a < 0 ? 8'd0 : a > 255 ? 8'd255 : a[7:0];
    endfunction

    // next pixel: returns to the per-pixel start state
    task automatic next_pixel();
        k_out <= k_out + 32'd1;
        if (x + 16'd1 < w) begin x <= x + 16'd1; p <= p + 32'd1; state <= flow_mode ? S_FLOWX : S_POS; end
        else begin
            x <= '0;
            if (y + 16'd1 < h) begin y <= y + 16'd1; p <= p + 32'd1; state <= flow_mode ? S_FLOWX : S_POS; end
            else begin
                y <= '0; p <= '0;
                plane_in <= plane_in + n;
                if (c + 16'd1 < cin) begin c <= c + 16'd1; state <= S_ZP; end
                else begin
                    c <= '0; plane_in <= '0;
                    if (!flow_mode && s + 8'd1 < shifts) begin s <= s + 8'd1; state <= S_SHIFTX; end
                    else begin done <= 1'b1; state <= S_IDLE; end
                end
            end
        end
    endtask

    always_ff @(posedge clk) begin
        if (!rst_n) begin
            state <= S_IDLE;
            done <= 1'b0;
        end else begin
            done <= 1'b0;
            case (state)
                S_IDLE: if (start) begin
                    n <= h * w;
                    p <= '0; x <= '0; y <= '0; c <= '0; s <= '0; plane_in <= '0; k_out <= '0;
                    offx <= '0; offy <= '0;
                    state <= flow_mode ? S_ZP : (shifts == 8'd0 ? S_IDLE : S_SHIFTX);
                    done <= !flow_mode && shifts == 8'd0;
                end
                S_SHIFTX: if (rd_hit) begin offx <= offset; state <= S_SHIFTY; end
                S_SHIFTY: if (rd_hit) begin offy <= offset; state <= S_ZP; end
                S_ZP: if (rd_hit) begin zp <= rd_data; state <= flow_mode ? S_FLOWX : S_POS; end
                S_FLOWX: if (rd_hit) begin offx <= offset; state <= S_FLOWY; end
                S_FLOWY: if (rd_hit) begin offy <= offset; state <= S_POS; end
                S_POS: begin
                    px <= clamp30($signed({32'd0, x, 16'd0}) + offx);
                    py <= clamp30($signed({32'd0, y, 16'd0}) + offy);
                    acc <= '0; t <= 2'd0;
                    state <= S_TAP;
                end
                S_TAP: if (!tap_in || rd_hit) begin
                    if (tap_in) acc <= acc + $signed({1'b0, weight}) * sample;
                    t <= t + 2'd1;
                    if (t == 2'd3) state <= S_ROUND;
                end
                S_ROUND: begin
                    v <= (acc + 32'sd32768) >>> 16;
                    state <= use_mask ? S_MASK : S_OUT;
                    result <= clamp8(zp + ((acc + 32'sd32768) >>> 16));
                end
                S_MASK: if (rd_hit) begin result <= clamp8(zp + masked); state <= S_OUT; end
                S_OUT: if (wr_ready) next_pixel();
                default: state <= S_IDLE;
            endcase
        end
    end
    wire unused_bits = &{1'b0, desc[511:416], desc[407:352], desc[255:224], desc[191:160], desc[63:48], desc[31:12], desc[10:8], q255[47:32]};
endmodule
