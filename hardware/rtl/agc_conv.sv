`include "agc_desc.svh"
`include "agc_fixed_point.svh"
// Opcode 4, the convolution engine: 3x3, stride 1, padding with each input channel's zero point,
// INT8 weights x UINT8 activations into INT32 accumulators on a TM x TN array (TM x TN / 2
// agc_dsp_mul2 slices), with its fused stages: 2x nearest upsampling of the input (in the
// input addressing), residual add (rescaled per output channel), gemmlowp requantization with
// the clamp of a fused ReLU, 2x2 average pooling. QuantizedConvolution.reference, bit for bit.
//
// Schedule, per output tile of TILE_H x TILE_W pixels (at the convolution's resolution) and per
// pass of up to PASS_BLOCKS blocks of TM output channels: per block of TN input channels load its
// zero points and its (TILE_H + 2) x (TILE_W + 2) x TN input tile once (one byte per cycle, the
// border and the outside of the map filled with the zero point); then for each output block of
// the pass load its TM x TN x 9 weights (registers) and run the array: one pixel and one tap per
// cycle, all TM x TN products at once, the nine taps summed in the pipeline and added to that
// block's accumulators (TM banks of PASS_BLOCKS x TILE_H x TILE_W words). After the last input
// block each output block reads its per-channel constants and the output stage streams its
// accumulators, one value per cycle: + bias, + FixedPoint.multiply(residual - zp_r), requantize,
// clamp, pool, write.
// Loads and compute do not overlap (the spec's double buffering is not built).
module agc_conv #(
    parameter int TM = 16,
    parameter int TN = 16,
    parameter int TILE_H = 16,
    parameter int TILE_W = 64,
    parameter int PASS_BLOCKS = 4       // output channel blocks accumulated per pass (power of two)
) (`AGC_ENGINE_PORTS);
    localparam int IN_W = TILE_W + 2;
    localparam int IN_DEPTH = (TILE_H + 2) * IN_W;
    localparam int IN_AW = $clog2(IN_DEPTH);
    localparam int ACC_DEPTH = TILE_H * TILE_W;
    localparam int ACC_AW = $clog2(ACC_DEPTH);
    localparam int KI = $clog2(PASS_BLOCKS);       // index bits of a block in the pass
    localparam int KW = KI + 1;
    localparam int MW = $clog2(TM) + 1;
    localparam int NW = $clog2(TN) + 1;
    localparam int MI = $clog2(TM);       // index bits of an output channel in a block
    localparam int NI = $clog2(TN);

    // ---- descriptor fields ----
    wire [15:0] cin = `D_CIN(desc), cout = `D_COUT(desc), h = `D_H(desc), w = `D_W(desc);
    wire up = `D_FLAG(desc, `F_UPSAMPLE), pool = `D_FLAG(desc, `F_POOL), res = `D_FLAG(desc, `F_RESIDUAL);
    wire [16:0] h2 = up ? {h, 1'b0} : {1'b0, h};
    wire [16:0] w2 = up ? {w, 1'b0} : {1'b0, w};
    wire [16:0] oh = pool ? {1'b0, h2[16:1]} : h2;
    wire [16:0] ow = pool ? {1'b0, w2[16:1]} : w2;
    wire [7:0]  ozp = `D_OZP(desc), cmin = `D_CMIN(desc), cmax = `D_CMAX(desc);
    logic [31:0] hw, h2w2, ohw;
    wire [7:0] rd_byte = rd_data[8*rd_addr[1:0] +: 8];

    typedef enum logic [3:0] {S_IDLE, S_TILE, S_PASS, S_NBLOCK, S_ZP, S_INPUT, S_MBLK, S_WEIGHTS, S_COMPUTE,
                              S_OBLK, S_PARAM, S_OUTPUT} state_t;
    state_t state;

    // ---- loop state ----
    logic [16:0] ty0, tx0, r, c;         // tile origin and size
    logic [15:0] m0, n0;
    logic [15:0] m0p;                  // first output channel of the pass
    logic [KW-1:0] k, nmb;             // block in the pass, blocks in the pass
    wire  [15:0] m0_of_k = m0p + 16'(32'(k) * TM);
    logic [MW-1:0] mb;
    logic [NW-1:0] nb;
    logic        first_block;

    // ---- per output channel constants of the block ----
    logic signed [31:0] bias_r [TM];
    logic signed [31:0] mult_r [TM];
    logic signed [31:0] shift_r [TM];
    logic signed [31:0] rmult_r [TM];
    logic signed [31:0] rshift_r [TM];
    logic signed [31:0] rzp_r [TM];
    logic [7:0]         zp_r [TN];
    logic [2:0]         pkind;
    logic [MW-1:0]      pm;

    // ---- weights: tap-major, [tap][m][n] bytes ----
    logic [8*9*TM*TN-1:0] wgt;
    logic [MW-1:0] lm;
    logic [NW-1:0] ln;
    logic [3:0]    lt;
    logic [31:0]   lrow;               // byte address of the current weight row

    // Each weight byte is its own register, written when the loader's (tap, m, n) names it and
    // cleared before a block's weights come in (channels past the map's count stay zero).
    wire w_clear = state == S_MBLK;
    wire w_write = state == S_WEIGHTS && rd_hit;
    genvar wt_, wm_, wn_;
    generate
        for (wt_ = 0; wt_ < 9; wt_++) begin : wtap_reg
            for (wm_ = 0; wm_ < TM; wm_++) begin : wm_reg
                for (wn_ = 0; wn_ < TN; wn_++) begin : wn_reg
                    always_ff @(posedge clk)
                        if (w_clear) wgt[8 * ((wt_ * TM + wm_) * TN + wn_) +: 8] <= 8'd0;
                        else if (w_write && 32'(lt) == wt_ && 32'(lm) == wm_ && 32'(ln) == wn_)
                            wgt[8 * ((wt_ * TM + wm_) * TN + wn_) +: 8] <= rd_byte;
                end
            end
        end
    endgenerate

    // ---- input tile loader ----
    logic [NW-1:0] in_n;
    logic [16:0]   in_i, in_j;
    logic [31:0]   in_chan;            // input + (n0 + in_n) x h x w
    wire signed [18:0] gy = $signed({2'b0, ty0}) - 19'sd1 + $signed({2'b0, in_i});
    wire signed [18:0] gx = $signed({2'b0, tx0}) - 19'sd1 + $signed({2'b0, in_j});
    wire in_inside = gy >= 0 && gy < $signed({2'b0, h2}) && gx >= 0 && gx < $signed({2'b0, w2});
    wire [15:0] sy = up ? gy[16:1] : gy[15:0];
    wire [15:0] sx = up ? gx[16:1] : gx[15:0];
    wire [31:0] in_addr = in_chan + sy * w + {16'd0, sx};
    wire [IN_AW-1:0] in_wa = IN_AW'(32'(in_i) * IN_W + 32'(in_j));

    // ---- memory port use per phase ----
    logic [31:0] param_addr;
    always_comb begin
        case (pkind)
            3'd0: param_addr = `D_BIAS(desc) + {14'd0, m0 + 16'(pm), 2'b00};
            3'd1: param_addr = `D_REQUANT(desc) + {13'd0, m0 + 16'(pm), 3'b000};
            3'd2: param_addr = `D_REQUANT(desc) + {13'd0, m0 + 16'(pm), 3'b100};
            3'd3: param_addr = `D_AUX2(desc) + {13'd0, m0 + 16'(pm), 3'b000};
            3'd4: param_addr = `D_AUX2(desc) + {13'd0, m0 + 16'(pm), 3'b100};
            default: param_addr = `D_AUX3(desc) + {14'd0, m0 + 16'(pm), 2'b00};
        endcase
    end
    wire [31:0] zp_addr = `D_ZPS(desc) + {14'd0, n0 + 16'(ln), 2'b00};
    wire [31:0] w_addr = lrow + 32'(ln) * 9 + {28'd0, lt};

    // output stage issue (declared here for the port mux)
    logic        o0_valid;
    logic [31:0] o0_raddr;
    logic        stall;
    logic        o7_valid, o7_last;
    logic [31:0] o7_oaddr;
    logic [7:0]  o7_byte;

    always_comb begin
        rd_req = 1'b0;
        rd_addr = '0;
        case (state)
            S_PARAM: begin rd_req = 1'b1; rd_addr = param_addr; end
            S_ZP: begin rd_req = 1'b1; rd_addr = zp_addr; end
            S_WEIGHTS: begin rd_req = 1'b1; rd_addr = w_addr; end
            S_INPUT: begin rd_req = in_inside; rd_addr = in_addr; end
            S_OUTPUT: begin rd_req = o0_valid && res; rd_addr = o0_raddr; end
            default: ;
        endcase
    end
    wire res_miss = state == S_OUTPUT && o0_valid && res && !rd_hit;
    assign wr_req = state == S_OUTPUT && o7_valid && o7_last && !res_miss;
    assign wr_addr = o7_oaddr;
    assign wr_data = {4{o7_byte}};
    assign wr_strb = 4'b0001 << o7_oaddr[1:0];

    // ---- the input tile: TN banks ----
    logic [IN_AW-1:0] cmp_ra;
    logic [7:0] x_q [TN];
    genvar gn, gm;
    generate
        for (gn = 0; gn < TN; gn++) begin : bank
            logic [7:0] mem [IN_DEPTH];
            always_ff @(posedge clk) begin
                if (state == S_INPUT && 32'(in_n) == gn && (!in_inside || rd_hit))
                    mem[in_wa] <= in_inside ? rd_byte : zp_r[gn];
                x_q[gn] <= mem[cmp_ra];
            end
        end
    endgenerate

    // ---- compute pipeline ----
    logic        cmp_run;              // issuing
    logic [16:0] ci, cj;
    logic [1:0]  cdy, cdx;
    logic [3:0]  ct;
    assign cmp_ra = IN_AW'((32'(ci) + 32'(cdy)) * IN_W + 32'(cj) + 32'(cdx));
    wire [ACC_AW-1:0] cmp_p = ACC_AW'(32'(ci) * TILE_W + 32'(cj));
    // stage valid / tap / pixel, stages 1 to 4
    logic       v1, v2, v3, v4;
    logic [3:0] t1, t2, t3, t4;
    logic [ACC_AW-1:0] p1, p2, p3, p4;
    // weights of the tap in stage 1
    logic [8*TM*TN-1:0] wtap;
    always_comb begin
        wtap = wgt[0 +: 8*TM*TN];
        for (int t = 1; t < 9; t++) if (32'(t1) == t) wtap = wgt[8*TM*TN*t +: 8*TM*TN];
    end
    logic signed [16:0] prod [TM][TN];
    generate
        for (gm = 0; gm < TM / 2; gm++) begin : pair
            for (gn = 0; gn < TN; gn++) begin : lane
                agc_dsp_mul2 dsp (.clk,
                    .w_lo(wtap[8*((2*gm) * TN + gn) +: 8]), .w_hi(wtap[8*((2*gm + 1) * TN + gn) +: 8]),
                    .a(x_q[gn]), .p_lo(prod[2*gm][gn]), .p_hi(prod[2*gm + 1][gn]));
            end
        end
    endgenerate
    logic signed [31:0] tapsum [TM];   // stage 4: the sum over the TN lanes
    logic signed [31:0] tapacc [TM];   // running sum over the taps
    logic [31:0] acc_q [TM];
    logic [KI+ACC_AW-1:0] acc_ra;
    logic        acc_re;
    logic [ACC_AW-1:0] o0_p;
    assign acc_ra = {k[KI-1:0], state == S_OUTPUT ? o0_p : p3};
    assign acc_re = state == S_OUTPUT ? !stall : 1'b1;
    generate
        for (gm = 0; gm < TM; gm++) begin : accbank
            logic [31:0] mem [PASS_BLOCKS * ACC_DEPTH];
            always_ff @(posedge clk) begin
                if (state == S_COMPUTE && v4 && t4 == 4'd8)
                    mem[{k[KI-1:0], p4}] <= (first_block ? 32'd0 : acc_q[gm]) + tapacc[gm] + tapsum[gm];
                if (acc_re) acc_q[gm] <= mem[acc_ra];
            end
            always_ff @(posedge clk) begin
                logic signed [31:0] s;
                s = 32'sd0;
                for (int lane = 0; lane < TN; lane++) s = s + {{15{prod[gm][lane][16]}}, prod[gm][lane]};
                tapsum[gm] <= s;
                if (v4) tapacc[gm] <= (t4 == 4'd0) ? tapsum[gm] : tapacc[gm] + tapsum[gm];
            end
        end
    endgenerate
    wire cmp_busy = cmp_run || v1 || v2 || v3 || v4;
    always_ff @(posedge clk) begin
        v1 <= cmp_run; t1 <= ct; p1 <= cmp_p;
        v2 <= v1; t2 <= t1; p2 <= p1;
        v3 <= v2; t3 <= t2; p3 <= p2;
        v4 <= v3; t4 <= t3; p4 <= p3;
    end
    // Pipeline alignment: x_q and wtap are read in stage 1, the DSP registers its inputs at the end
    // of stage 1 and its product at the end of stage 2, so products are valid in stage 3, and the
    // lane sum registered at the end of stage 3 is tapsum in stage 4.

    // ---- output pipeline (stalls on a residual miss or a full write queue) ----
    logic [MW-1:0] om;
    logic [16:0]   oy, ox;
    logic [1:0]    osub;
    wire [16:0] oi = pool ? {oy[15:0], osub[1]} : oy;
    wire [16:0] oj = pool ? {ox[15:0], osub[0]} : ox;
    assign o0_p = ACC_AW'(32'(oi) * TILE_W + 32'(oj));
    wire [16:0] orows = pool ? {1'b0, r[16:1]} : r;
    wire [16:0] ocols = pool ? {1'b0, c[16:1]} : c;
    wire [16:0] oty = pool ? {1'b0, ty0[16:1]} : ty0;
    wire [16:0] otx = pool ? {1'b0, tx0[16:1]} : tx0;
    wire [31:0] o0_oaddr = `D_OUTPUT(desc) + (32'(m0) + 32'(om)) * ohw + (32'(oty) + 32'(oy)) * 32'(ow) + 32'(otx) + 32'(ox);
    assign o0_raddr = `D_AUX(desc) + (32'(m0) + 32'(om)) * h2w2 + (32'(ty0) + 32'(oi)) * 32'(w2) + 32'(tx0) + 32'(oj);
    wire o0_last = !pool || osub == 2'd3;
    wire o0_first = !pool || osub == 2'd0;
    assign stall = res_miss || (o7_valid && o7_last && !wr_ready);

    logic        o1_valid, o2_valid, o3_valid, o4_valid, o5_valid, o6_valid;
    logic [MW-1:0] o1_m, o2_m, o3_m, o4_m, o5_m, o6_m;
    logic [2:0]  o1_f, o2_f, o3_f, o4_f, o5_f, o6_f, o7_f;   // {first, last}
    logic [31:0] o1_oaddr, o2_oaddr, o3_oaddr, o4_oaddr, o5_oaddr, o6_oaddr;
    logic [7:0]  o1_res;
    logic signed [31:0] o2_a, o2_rv, o3_a, o4_a;
    logic [64:0] o3_rprod, o5_qprod;
    logic [7:0]  o6_q;
    logic [9:0]  psum;
    wire signed [31:0] o4_sum = o3_a + (res ? $signed(fx_finish(o3_rprod, rshift_r[o3_m[MI-1:0]])) : 32'sd0);
    wire signed [31:0] o6_v = $signed({24'd0, ozp}) + $signed(fx_finish(o5_qprod, shift_r[o5_m[MI-1:0]]));
    wire signed [31:0] o6_lo = o6_v < $signed({24'd0, cmin}) ? $signed({24'd0, cmin}) : o6_v;
    wire signed [31:0] o6_c = o6_lo > $signed({24'd0, cmax}) ? $signed({24'd0, cmax}) : o6_lo;
    wire out_busy = o0_valid || o1_valid || o2_valid || o3_valid || o4_valid || o5_valid || o6_valid || o7_valid;
    wire [9:0] pooled = psum + {2'b0, o6_q} + 10'd2;
    always_ff @(posedge clk) begin
        if (!rst_n) begin
            o1_valid <= 1'b0; o2_valid <= 1'b0; o3_valid <= 1'b0; o4_valid <= 1'b0;
            o5_valid <= 1'b0; o6_valid <= 1'b0; o7_valid <= 1'b0;
        end else if (!stall) begin
            o1_valid <= o0_valid && state == S_OUTPUT; o1_m <= om; o1_f <= {1'b0, o0_first, o0_last};
            o1_oaddr <= o0_oaddr; o1_res <= rd_byte;
            o2_valid <= o1_valid; o2_m <= o1_m; o2_f <= o1_f; o2_oaddr <= o1_oaddr;
            o2_a <= $signed(acc_q[o1_m[MI-1:0]]) + bias_r[o1_m[MI-1:0]];
            o2_rv <= $signed({24'd0, o1_res}) - rzp_r[o1_m[MI-1:0]];
            o3_valid <= o2_valid; o3_m <= o2_m; o3_f <= o2_f; o3_oaddr <= o2_oaddr;
            o3_a <= o2_a;
            o3_rprod <= fx_product(o2_rv, rmult_r[o2_m[MI-1:0]], rshift_r[o2_m[MI-1:0]]);
            o4_valid <= o3_valid; o4_m <= o3_m; o4_f <= o3_f; o4_oaddr <= o3_oaddr;
            o4_a <= o4_sum;
            o5_valid <= o4_valid; o5_m <= o4_m; o5_f <= o4_f; o5_oaddr <= o4_oaddr;
            o5_qprod <= fx_product(o4_a, mult_r[o4_m[MI-1:0]], shift_r[o4_m[MI-1:0]]);
            o6_valid <= o5_valid; o6_m <= o5_m; o6_f <= o5_f; o6_oaddr <= o5_oaddr;
            o6_q <= o6_c[7:0];
            // stage 7: pooling and the write
            o7_valid <= o6_valid; o7_f <= o6_f; o7_oaddr <= o6_oaddr; o7_last <= o6_f[0];
            if (o6_valid) begin
                if (!pool) o7_byte <= o6_q;
                else if (o6_f[1]) psum <= {2'b0, o6_q};
                else if (!o6_f[0]) psum <= psum + {2'b0, o6_q};
                else o7_byte <= pooled[9:2];
            end
        end
    end
    wire unused_o = &{1'b0, o6_m, o7_f, o4_f, o6_c[31:8], pooled[1:0], desc[511:408], desc[31:11], desc[7:0]};

    // ---- control ----
    always_ff @(posedge clk) begin
        if (!rst_n) begin
            state <= S_IDLE;
            done <= 1'b0;
            cmp_run <= 1'b0;
            o0_valid <= 1'b0;
        end else begin
            done <= 1'b0;
            case (state)
                S_IDLE: if (start) begin
                    hw <= h * w;
                    h2w2 <= h2 * w2;
                    ohw <= oh * ow;
                    ty0 <= '0; tx0 <= '0;
                    state <= S_TILE;
                end
                S_TILE: begin
                    r <= (h2 - ty0 < 17'(TILE_H)) ? h2 - ty0 : 17'(TILE_H);
                    c <= (w2 - tx0 < 17'(TILE_W)) ? w2 - tx0 : 17'(TILE_W);
                    m0p <= '0;
                    state <= S_PASS;
                end
                S_PASS: begin
                    // blocks in this pass: ceil((cout - m0p) / TM), at most PASS_BLOCKS
                    nmb <= ((32'(cout) - 32'(m0p)) >= PASS_BLOCKS * TM) ? KW'(PASS_BLOCKS)
                                                                : KW'(((32'(cout) - 32'(m0p)) + TM - 1) / TM);
                    n0 <= '0;
                    first_block <= 1'b1;
                    state <= S_NBLOCK;
                end
                S_NBLOCK: begin
                    nb <= (cin - n0 < 16'(TN)) ? NW'(cin - n0) : NW'(TN);
                    ln <= '0;
                    state <= S_ZP;
                end
                S_ZP: if (rd_hit) begin
                    zp_r[ln[NI-1:0]] <= rd_data[7:0];
                    if (ln + 1'b1 < nb) ln <= ln + 1'b1;
                    else begin
                        ln <= '0;
                        in_n <= '0; in_i <= '0; in_j <= '0;
                        in_chan <= `D_INPUT(desc) + 32'(n0) * hw;
                        state <= S_INPUT;
                    end
                end
                S_INPUT: if (!in_inside || rd_hit) begin
                    if (in_j < c + 17'd1) in_j <= in_j + 17'd1;
                    else begin
                        in_j <= '0;
                        if (in_i < r + 17'd1) in_i <= in_i + 17'd1;
                        else begin
                            in_i <= '0;
                            in_chan <= in_chan + hw;
                            if (in_n + 1'b1 < nb) in_n <= in_n + 1'b1;
                            else begin
                                k <= '0;
                                state <= S_MBLK;
                            end
                        end
                    end
                end
                S_MBLK: begin   // output block k of the pass: its weights for this input block
                    m0 <= m0_of_k;
                    mb <= (cout - m0_of_k < 16'(TM)) ? MW'(cout - m0_of_k) : MW'(TM);
                    ln <= '0; lm <= '0; lt <= '0;
                    lrow <= `D_WEIGHTS(desc) + (32'(m0_of_k) * 32'(cin) + 32'(n0)) * 9;
                    state <= S_WEIGHTS;
                end
                S_WEIGHTS: if (rd_hit) begin
                    if (lt != 4'd8) lt <= lt + 4'd1;
                    else begin
                        lt <= '0;
                        if (ln + 1'b1 < nb) ln <= ln + 1'b1;
                        else begin
                            ln <= '0;
                            lrow <= lrow + 32'(cin) * 9;
                            if (lm + 1'b1 < mb) lm <= lm + 1'b1;
                            else begin
                                lm <= '0;
                                ci <= '0; cj <= '0; cdy <= '0; cdx <= '0; ct <= '0;
                                cmp_run <= 1'b1;
                                state <= S_COMPUTE;
                            end
                        end
                    end
                end
                S_COMPUTE: begin
                    if (cmp_run) begin
                        // taps innermost, then columns, then rows
                        if (ct != 4'd8) begin
                            ct <= ct + 4'd1;
                            if (cdx != 2'd2) cdx <= cdx + 2'd1;
                            else begin cdx <= '0; cdy <= cdy + 2'd1; end
                        end else begin
                            ct <= '0; cdx <= '0; cdy <= '0;
                            if (cj + 17'd1 < c) cj <= cj + 17'd1;
                            else begin
                                cj <= '0;
                                if (ci + 17'd1 < r) ci <= ci + 17'd1;
                                else cmp_run <= 1'b0;
                            end
                        end
                    end else if (!cmp_busy) begin
                        if (k + 1'b1 < nmb) begin
                            k <= k + 1'b1;
                            state <= S_MBLK;
                        end else begin
                            k <= '0;
                            first_block <= 1'b0;
                            if ({16'd0, n0} + TN < {16'd0, cin}) begin
                                n0 <= n0 + 16'(TN);
                                state <= S_NBLOCK;
                            end else state <= S_OBLK;
                        end
                    end
                end
                S_OBLK: begin   // output block k of the pass: its constants, then its output stage
                    m0 <= m0_of_k;
                    mb <= (cout - m0_of_k < 16'(TM)) ? MW'(cout - m0_of_k) : MW'(TM);
                    pkind <= '0; pm <= '0;
                    state <= S_PARAM;
                end
                S_PARAM: if (rd_hit) begin
                    case (pkind)
                        3'd0: bias_r[pm[MI-1:0]] <= rd_data;
                        3'd1: mult_r[pm[MI-1:0]] <= rd_data;
                        3'd2: shift_r[pm[MI-1:0]] <= rd_data;
                        3'd3: rmult_r[pm[MI-1:0]] <= rd_data;
                        3'd4: rshift_r[pm[MI-1:0]] <= rd_data;
                        default: rzp_r[pm[MI-1:0]] <= rd_data;
                    endcase
                    if (pm + 1'b1 < mb) pm <= pm + 1'b1;
                    else begin
                        pm <= '0;
                        if ((pkind == 3'd2 && !res) || pkind == 3'd5) begin
                            pkind <= '0;
                            om <= '0; oy <= '0; ox <= '0; osub <= '0;
                            o0_valid <= 1'b1;
                            state <= S_OUTPUT;
                        end else pkind <= pkind + 3'd1;
                    end
                end
                S_OUTPUT: begin
                    if (o0_valid && !stall) begin
                        if (pool && osub != 2'd3) osub <= osub + 2'd1;
                        else begin
                            osub <= '0;
                            if (ox + 17'd1 < ocols) ox <= ox + 17'd1;
                            else begin
                                ox <= '0;
                                if (oy + 17'd1 < orows) oy <= oy + 17'd1;
                                else begin
                                    oy <= '0;
                                    if (om + 1'b1 < mb) om <= om + 1'b1;
                                    else o0_valid <= 1'b0;
                                end
                            end
                        end
                    end else if (!o0_valid && !out_busy) begin
                        // next block of the pass, next pass, next tile
                        if (k + 1'b1 < nmb) begin
                            k <= k + 1'b1;
                            state <= S_OBLK;
                        end else if (32'(m0p) + PASS_BLOCKS * TM < 32'(cout)) begin
                            m0p <= m0p + 16'(PASS_BLOCKS * TM);
                            state <= S_PASS;
                        end else if (tx0 + c < w2) begin
                            tx0 <= tx0 + c;
                            state <= S_TILE;
                        end else if (ty0 + r < h2) begin
                            tx0 <= '0;
                            ty0 <= ty0 + r;
                            state <= S_TILE;
                        end else begin
                            done <= 1'b1;
                            state <= S_IDLE;
                        end
                    end
                end
                default: state <= S_IDLE;
            endcase
        end
    end
endmodule
