`include "agc_desc.svh"
// Opcode 5, the softmax-weighted flow (ElementwiseArithmetic.softmaxFlow): per pixel the largest
// of its `cin` logits, then e_k = table[max - q_k] (Q16), den = sum e_k, fx = sum e_k sx_k,
// fy = sum e_k sy_k in 64 bits, and the two rounded divisions by den (agc_divider).
module agc_softmax (`AGC_ENGINE_PORTS);
    typedef enum logic [3:0] {S_IDLE, S_MAX, S_LOGIT, S_EXP, S_SX, S_SY, S_DIVX, S_WAITX, S_OUTX,
                              S_DIVY, S_WAITY, S_OUTY} state_t;
    state_t state;
    wire [15:0] cin = `D_CIN(desc);
    logic [31:0] n, p, kaddr;
    logic [15:0] k;
    logic [7:0]  top, q;
    logic signed [31:0] e;
    logic signed [63:0] den, fx, fy;
    logic signed [63:0] result;
    wire [7:0] byte_in = rd_data[8*rd_addr[1:0] +: 8];
    always_comb begin
        case (state)
            S_MAX, S_LOGIT: rd_addr = `D_INPUT(desc) + kaddr;
            S_EXP: rd_addr = `D_WEIGHTS(desc) + {22'd0, top - q, 2'b00};
            S_SX: rd_addr = `D_BIAS(desc) + {13'd0, k, 3'b000};
            default: rd_addr = `D_BIAS(desc) + {13'd0, k, 3'b100};
        endcase
    end
    assign rd_req = state == S_MAX || state == S_LOGIT || state == S_EXP || state == S_SX || state == S_SY;
    logic div_done;
    logic signed [63:0] div_q;
    agc_divider divider (.clk, .rst_n, .start(state == S_DIVX || state == S_DIVY),
                         .x(state == S_DIVX ? fx : fy), .d(den), .done(div_done), .q(div_q));
    assign wr_req = state == S_OUTX || state == S_OUTY;
    assign wr_addr = `D_OUTPUT(desc) + {(state == S_OUTY ? n[29:0] + p[29:0] : p[29:0]), 2'b00};
    assign wr_data = result[31:0];
    assign wr_strb = 4'hF;
    wire signed [63:0] product = e * $signed(rd_data);

    always_ff @(posedge clk) begin
        if (!rst_n) begin
            state <= S_IDLE;
            done <= 1'b0;
        end else begin
            done <= 1'b0;
            case (state)
                S_IDLE: if (start) begin
                    n <= `D_H(desc) * `D_W(desc);
                    p <= '0; k <= '0; kaddr <= '0; top <= '0;
                    state <= S_MAX;
                end
                S_MAX: if (rd_hit) begin
                    if (byte_in > top) top <= byte_in;
                    if (k + 16'd1 < cin) begin k <= k + 16'd1; kaddr <= kaddr + n; end
                    else begin
                        k <= '0; kaddr <= p;
                        den <= '0; fx <= '0; fy <= '0;
                        state <= S_LOGIT;
                    end
                end
                S_LOGIT: if (rd_hit) begin q <= byte_in; state <= S_EXP; end
                S_EXP: if (rd_hit) begin e <= rd_data; den <= den + {{32{rd_data[31]}}, rd_data}; state <= S_SX; end
                S_SX: if (rd_hit) begin fx <= fx + product; state <= S_SY; end
                S_SY: if (rd_hit) begin
                    fy <= fy + product;
                    if (k + 16'd1 < cin) begin k <= k + 16'd1; kaddr <= kaddr + n; state <= S_LOGIT; end
                    else state <= S_DIVX;
                end
                S_DIVX: state <= S_WAITX;
                S_WAITX: if (div_done) begin result <= div_q; state <= S_OUTX; end
                S_OUTX: if (wr_ready) state <= S_DIVY;
                S_DIVY: state <= S_WAITY;
                S_WAITY: if (div_done) begin result <= div_q; state <= S_OUTY; end
                S_OUTY: if (wr_ready) begin
                    if (p + 32'd1 < n) begin
                        p <= p + 32'd1; k <= '0; kaddr <= p + 32'd1; top <= '0;
                        state <= S_MAX;
                    end else begin done <= 1'b1; state <= S_IDLE; end
                end
                default: state <= S_IDLE;
            endcase
        end
    end
    wire unused_bits = &{1'b0, desc[511:224], desc[63:48], desc[31:0], result[63:32]};
endmodule
