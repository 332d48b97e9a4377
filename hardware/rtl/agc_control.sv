`include "agc_desc.svh"
// The run controller: fetches each descriptor of a run through the memory port, refuses a bad
// one exactly as Executor / Instruction.load do (same order of checks, so the same STATUS), hands
// a good one to its engine, and at the end drains the writes and reports STATUS, the failing
// position and the cycle count.
//
// Checks, in the emulator's order: the descriptor inside the region (else STATUS 1); opcode 1-8,
// flags within 0x0F, word 0 bits 24-31 and word 15 zero (STATUS 1); a non-empty map (1); then
// per opcode its geometry (1), and each region it reads or writes, in the order the Executor
// touches them: word regions word-aligned (1), every region inside [0, ddr_size) (2).
module agc_control (
    input  logic         clk,
    input  logic         rst_n,
    input  logic         start,
    input  logic [31:0]  descriptor_offset,
    input  logic [31:0]  descriptor_count,
    input  logic [31:0]  ddr_size,
    output logic         finished,
    output logic [1:0]   run_status,
    output logic [31:0]  run_failing,
    output logic [63:0]  run_cycles,
    output logic [31:0]  run_progress,
    output logic         invalidate,
    // memory port (while no engine runs)
    output logic         rd_req,
    output logic [31:0]  rd_addr,
    input  logic         rd_hit,
    input  logic [31:0]  rd_data,
    output logic         flush,
    input  logic         write_idle,
    // engines
    output logic [511:0] desc,
    output logic [7:0]   engine_start,   // one-hot by opcode - 1
    input  logic [7:0]   engine_done,
    output logic [7:0]   engine_select
);
    localparam logic [1:0] ST_OK = 2'd0, ST_BAD = 2'd1, ST_OOB = 2'd2;
    typedef enum logic [3:0] {S_IDLE, S_FETCH, S_DECODE, S_DIVIDE, S_STEP, S_MUL1, S_MUL2, S_COMPARE,
                              S_EXEC, S_WAIT, S_FINISH} state_t;
    state_t state;

    logic [31:0]  n;                 // position in the run
    logic [63:0]  at;                // descriptor byte address
    logic [4:0]   word;
    logic [543:0] raw;               // 17 aligned words
    logic [4:0]   step;

    // fields
    wire [7:0]  op = `D_OPCODE(desc);
    wire [7:0]  fl = `D_FLAGS(desc);
    wire [7:0]  f  = `D_FACTOR(desc);
    wire [15:0] cin = `D_CIN(desc), cout = `D_COUT(desc), h = `D_H(desc), w = `D_W(desc);
    wire [7:0]  kc = `D_KCOUNT(desc);
    wire up = fl[`F_UPSAMPLE], pool = fl[`F_POOL], res = fl[`F_RESIDUAL], msk = fl[`F_MASK];
    wire [16:0] h2 = up ? {h, 1'b0} : {1'b0, h};
    wire [16:0] w2 = up ? {w, 1'b0} : {1'b0, w};
    wire [16:0] oh_conv = pool ? {1'b0, h2[16:1]} : h2;
    wire [16:0] ow_conv = pool ? {1'b0, w2[16:1]} : w2;
    wire [16:0] rh_conv = pool ? {oh_conv[15:0], 1'b0} : oh_conv;
    wire [16:0] rw_conv = pool ? {ow_conv[15:0], 1'b0} : ow_conv;
    wire [23:0] hf = h * f, wf = w * f;
    // pooling factor division (h / f, w / f and remainders) by restoring division
    logic [15:0] hq, wq, hr, wr_;
    logic [4:0]  div_bit;

    // one check: kind, address, size = a * b * c << sh
    localparam logic [2:0] K_END = 3'd0, K_BAD = 3'd1, K_ALIGN = 3'd2, K_RANGE = 3'd3, K_SKIP = 3'd4;
    logic [2:0]  kind;
    logic [31:0] addr;
    logic [23:0] a, b, c;
    logic [2:0]  sh;
    logic        bad_cond;

    always_comb begin
        kind = K_END; addr = '0; a = 24'd1; b = 24'd1; c = 24'd1; sh = 3'd0; bad_cond = 1'b0;
        case (op)
            8'd1: case (step)   // keypoints
                5'd0: begin kind = K_BAD; bad_cond = !({8'd0, cout} == {16'd0, kc} + 24'd1 && h == w && h <= 16'd512 && (h & (h - 16'd1)) == 16'd0); end
                5'd1: begin kind = K_ALIGN; addr = `D_AUX(desc); end
                5'd2: begin kind = K_RANGE; addr = `D_AUX(desc); a = {16'd0, kc}; sh = 3'd4; end
                5'd3: begin kind = K_ALIGN; addr = `D_WEIGHTS(desc); end
                5'd4: begin kind = K_RANGE; addr = `D_WEIGHTS(desc); a = 24'd2052; end
                5'd5: begin kind = K_RANGE; addr = `D_OUTPUT(desc); a = {8'd0, cout}; b = {8'd0, h}; c = {8'd0, w}; end
                5'd6: begin kind = K_ALIGN; addr = `D_BIAS(desc); end
                5'd7: begin kind = K_RANGE; addr = `D_BIAS(desc); a = {8'd0, cout}; sh = 3'd3; end
                default: ;
            endcase
            8'd2: case (step)   // average pooling
                5'd0: begin kind = K_BAD; bad_cond = f == 8'd0 || hr != 16'd0 || wr_ != 16'd0; end
                5'd1: begin kind = K_RANGE; addr = `D_INPUT(desc); a = {8'd0, cin}; b = {8'd0, h}; c = {8'd0, w}; end
                5'd2: begin kind = K_RANGE; addr = `D_OUTPUT(desc); a = {8'd0, cin}; b = {8'd0, hq}; c = {8'd0, wq}; end
                default: ;
            endcase
            8'd3: case (step)   // grid shift
                5'd0: begin kind = K_BAD; bad_cond = {8'd0, cout} != cin * kc; end
                5'd1: begin kind = K_RANGE; addr = `D_INPUT(desc); a = {8'd0, cin}; b = {8'd0, h}; c = {8'd0, w}; end
                5'd2: begin kind = K_RANGE; addr = `D_OUTPUT(desc); a = {8'd0, cout}; b = {8'd0, h}; c = {8'd0, w}; end
                5'd3: begin kind = K_ALIGN; addr = `D_BIAS(desc); end
                5'd4: begin kind = K_RANGE; addr = `D_BIAS(desc); a = {16'd0, kc}; sh = 3'd3; end
                5'd5: begin kind = K_ALIGN; addr = `D_ZPS(desc); end
                5'd6: begin kind = K_RANGE; addr = `D_ZPS(desc); a = {8'd0, cin}; sh = 3'd2; end
                default: ;
            endcase
            8'd4: case (step)   // convolution
                5'd0: begin kind = K_BAD; bad_cond = f != 8'd3; end
                5'd1: begin kind = K_RANGE; addr = `D_WEIGHTS(desc); a = {8'd0, cout}; b = {8'd0, cin}; c = 24'd9; end
                5'd2: begin kind = K_ALIGN; addr = `D_REQUANT(desc); end
                5'd3: begin kind = K_RANGE; addr = `D_REQUANT(desc); a = {8'd0, cout}; sh = 3'd3; end
                5'd4: begin kind = res ? K_ALIGN : K_SKIP; addr = `D_AUX2(desc); end
                5'd5: begin kind = res ? K_RANGE : K_SKIP; addr = `D_AUX2(desc); a = {8'd0, cout}; sh = 3'd3; end
                5'd6: begin kind = K_ALIGN; addr = `D_BIAS(desc); end
                5'd7: begin kind = K_RANGE; addr = `D_BIAS(desc); a = {8'd0, cout}; sh = 3'd2; end
                5'd8: begin kind = K_ALIGN; addr = `D_ZPS(desc); end
                5'd9: begin kind = K_RANGE; addr = `D_ZPS(desc); a = {8'd0, cin}; sh = 3'd2; end
                5'd10: begin kind = K_RANGE; addr = `D_INPUT(desc); a = {8'd0, cin}; b = {8'd0, h}; c = {8'd0, w}; end
                5'd11: begin kind = K_RANGE; addr = `D_OUTPUT(desc); a = {8'd0, cout}; b = {7'd0, oh_conv}; c = {7'd0, ow_conv}; end
                5'd12: begin kind = res ? K_RANGE : K_SKIP; addr = `D_AUX(desc); a = {8'd0, cout}; b = {7'd0, rh_conv}; c = {7'd0, rw_conv}; end
                5'd13: begin kind = res ? K_ALIGN : K_SKIP; addr = `D_AUX3(desc); end
                5'd14: begin kind = res ? K_RANGE : K_SKIP; addr = `D_AUX3(desc); a = {8'd0, cout}; sh = 3'd2; end
                default: ;
            endcase
            8'd5: case (step)   // softmax flow
                5'd0: begin kind = K_RANGE; addr = `D_INPUT(desc); a = {8'd0, cin}; b = {8'd0, h}; c = {8'd0, w}; end
                5'd1: begin kind = K_ALIGN; addr = `D_WEIGHTS(desc); end
                5'd2: begin kind = K_RANGE; addr = `D_WEIGHTS(desc); a = 24'd1024; end
                5'd3: begin kind = K_ALIGN; addr = `D_BIAS(desc); end
                5'd4: begin kind = K_RANGE; addr = `D_BIAS(desc); a = {8'd0, cin}; sh = 3'd3; end
                5'd5: begin kind = K_ALIGN; addr = `D_OUTPUT(desc); end
                5'd6: begin kind = K_RANGE; addr = `D_OUTPUT(desc); a = {8'd0, h}; b = {8'd0, w}; sh = 3'd3; end
                default: ;
            endcase
            8'd6: case (step)   // lookup
                5'd0: begin kind = K_RANGE; addr = `D_INPUT(desc); a = {8'd0, cin}; b = {8'd0, h}; c = {8'd0, w}; end
                5'd1: begin kind = K_ALIGN; addr = `D_WEIGHTS(desc); end
                5'd2: begin kind = K_RANGE; addr = `D_WEIGHTS(desc); a = 24'd1024; end
                5'd3: begin kind = K_RANGE; addr = `D_OUTPUT(desc); a = {8'd0, cin}; b = {8'd0, h}; c = {8'd0, w}; end
                default: ;
            endcase
            8'd7: case (step)   // flow upsampling
                5'd0: begin kind = K_BAD; bad_cond = f == 8'd0; end
                5'd1: begin kind = K_ALIGN; addr = `D_INPUT(desc); end
                5'd2: begin kind = K_RANGE; addr = `D_INPUT(desc); a = {8'd0, h}; b = {8'd0, w}; sh = 3'd3; end
                5'd3: begin kind = K_ALIGN; addr = `D_OUTPUT(desc); end
                5'd4: begin kind = K_RANGE; addr = `D_OUTPUT(desc); a = hf; b = wf; sh = 3'd3; end
                default: ;
            endcase
            8'd8: case (step)   // grid flow
                5'd0: begin kind = K_RANGE; addr = `D_INPUT(desc); a = {8'd0, cin}; b = {8'd0, h}; c = {8'd0, w}; end
                5'd1: begin kind = K_RANGE; addr = `D_OUTPUT(desc); a = {8'd0, cin}; b = {8'd0, h}; c = {8'd0, w}; end
                5'd2: begin kind = K_ALIGN; addr = `D_ZPS(desc); end
                5'd3: begin kind = K_RANGE; addr = `D_ZPS(desc); a = {8'd0, cin}; sh = 3'd2; end
                5'd4: begin kind = msk ? K_RANGE : K_SKIP; addr = `D_AUX2(desc); a = {8'd0, h}; b = {8'd0, w}; end
                5'd5: begin kind = K_ALIGN; addr = `D_AUX(desc); end
                5'd6: begin kind = K_RANGE; addr = `D_AUX(desc); a = {8'd0, h}; b = {8'd0, w}; sh = 3'd3; end
                default: ;
            endcase
            default: ;
        endcase
    end

    logic [47:0] p1;
    logic [71:0] p2;
    logic [31:0] check_addr;
    logic [2:0]  check_sh;
    logic [23:0] check_c;
    wire  [72:0] end_byte = {41'd0, check_addr} + ({1'b0, p2} << check_sh);

    wire [543:0] shifted = raw >> {at[1:0], 3'b000};

    assign rd_req = state == S_FETCH;
    assign rd_addr = {at[31:2], 2'b00} + {25'd0, word, 2'b00};
    assign flush = state == S_FINISH;
    assign engine_select = (state == S_EXEC || state == S_WAIT) ? (8'd1 << (op - 8'd1)) : 8'd0;

    task automatic fail(input logic [1:0] s);
        run_status <= s;
        run_failing <= n;
        state <= S_FINISH;
    endtask

    always_ff @(posedge clk) begin
        if (!rst_n) begin
            state <= S_IDLE;
            finished <= 1'b0;
            invalidate <= 1'b0;
            engine_start <= '0;
            run_status <= ST_OK;
            run_failing <= '0;
            run_cycles <= '0;
            run_progress <= '0;
            desc <= '0;
        end else begin
            finished <= 1'b0;
            invalidate <= 1'b0;
            engine_start <= '0;
            if (state != S_IDLE) run_cycles <= run_cycles + 64'd1;
            case (state)
                S_IDLE: if (start) begin
                    invalidate <= 1'b1;
                    run_cycles <= 64'd1;
                    run_status <= ST_OK;
                    run_failing <= '0;
                    run_progress <= '0;
                    n <= '0;
                    at <= {32'd0, descriptor_offset};
                    word <= '0;
                    state <= descriptor_count == 0 ? S_FINISH : S_FETCH;
                end
                S_FETCH: begin
                    if (at + 64'd64 > {32'd0, ddr_size}) fail(ST_BAD);
                    else if (rd_hit) begin
                        raw[32*word +: 32] <= rd_data;
                        word <= word + 5'd1;
                        if (word == 5'd16) state <= S_DECODE;
                    end
                end
                S_DECODE: begin
                    desc <= shifted[511:0];
                    step <= '0;
                    hq <= '0; wq <= '0; hr <= '0; wr_ <= '0;
                    div_bit <= 5'd15;
                    if (!(`D_OPCODE(shifted) >= 8'd1 && `D_OPCODE(shifted) <= 8'd8 && `D_FLAGS(shifted) <= 8'h0F
                          && `DW(shifted, 0) >> 24 == 32'd0 && `DW(shifted, 15) == 32'd0)) fail(ST_BAD);
                    else if (`D_H(shifted) == 16'd0 || `D_W(shifted) == 16'd0) fail(ST_BAD);
                    else state <= `D_OPCODE(shifted) == 8'd2 ? S_DIVIDE : S_STEP;
                end
                S_DIVIDE: begin   // one quotient bit of h / f and w / f per cycle
                    if (f == 8'd0) state <= S_STEP;
                    else begin
                        logic [16:0] th, tw;
                        th = {hr, h[div_bit[3:0]]};
                        tw = {wr_, w[div_bit[3:0]]};
                        if (th >= {9'd0, f}) begin hr <= th[15:0] - {8'd0, f}; hq[div_bit[3:0]] <= 1'b1; end else hr <= th[15:0];
                        if (tw >= {9'd0, f}) begin wr_ <= tw[15:0] - {8'd0, f}; wq[div_bit[3:0]] <= 1'b1; end else wr_ <= tw[15:0];
                        div_bit <= div_bit - 5'd1;
                        if (div_bit == 5'd0) state <= S_STEP;
                    end
                end
                S_STEP: begin
                    case (kind)
                        K_END: state <= S_EXEC;
                        K_BAD: if (bad_cond) fail(ST_BAD); else step <= step + 5'd1;
                        K_ALIGN: if (addr[1:0] != 2'd0) fail(ST_BAD); else step <= step + 5'd1;
                        K_RANGE: begin
                            p1 <= a * b;
                            check_c <= c;
                            check_addr <= addr;
                            check_sh <= sh;
                            state <= S_MUL1;
                        end
                        default: step <= step + 5'd1;
                    endcase
                end
                S_MUL1: begin p2 <= p1 * check_c; state <= S_MUL2; end
                S_MUL2: state <= S_COMPARE;
                S_COMPARE: begin
                    if (end_byte > {41'd0, ddr_size}) fail(ST_OOB);
                    else begin step <= step + 5'd1; state <= S_STEP; end
                end
                S_EXEC: begin
                    engine_start <= 8'd1 << (op - 8'd1);
                    state <= S_WAIT;
                end
                S_WAIT: if (|(engine_done & engine_select)) begin
                    run_progress <= n + 32'd1;
                    if (n + 32'd1 == descriptor_count) state <= S_FINISH;
                    else begin
                        n <= n + 32'd1;
                        at <= at + 64'd64;
                        word <= '0;
                        state <= S_FETCH;
                    end
                end
                S_FINISH: if (write_idle) begin
                    finished <= 1'b1;
                    state <= S_IDLE;
                end
                default: state <= S_IDLE;
            endcase
        end
    end
    wire unused_bits = &{1'b0, fl[7:4], shifted[543:512]};
endmodule
