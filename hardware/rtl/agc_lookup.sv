`include "agc_desc.svh"
// Opcode 6, the 8-bit table lookup (ElementwiseArithmetic.lookup): output[i] = the low byte of
// the INT32 table[input[i]], one element per three memory-port cycles.
module agc_lookup (`AGC_ENGINE_PORTS);
    typedef enum logic [1:0] {S_IDLE, S_IN, S_TABLE, S_OUT} state_t;
    state_t state;
    logic [31:0] i, count;
    logic [7:0]  x, y;
    assign rd_req = state == S_IN || state == S_TABLE;
    assign rd_addr = state == S_IN ? `D_INPUT(desc) + i : `D_WEIGHTS(desc) + {22'd0, x, 2'b00};
    assign wr_req = state == S_OUT;
    assign wr_addr = `D_OUTPUT(desc) + i;
    assign wr_data = {4{y}};
    assign wr_strb = 4'b0001 << wr_addr[1:0];
    always_ff @(posedge clk) begin
        if (!rst_n) begin
            state <= S_IDLE;
            done <= 1'b0;
        end else begin
            done <= 1'b0;
            case (state)
                S_IDLE: if (start) begin
                    i <= '0;
                    count <= `D_CIN(desc) * `D_H(desc) * `D_W(desc);
                    state <= S_IN;
                end
                S_IN: if (rd_hit) begin x <= rd_data[8*rd_addr[1:0] +: 8]; state <= S_TABLE; end
                S_TABLE: if (rd_hit) begin y <= rd_data[7:0]; state <= S_OUT; end
                S_OUT: if (wr_ready) begin
                    i <= i + 32'd1;
                    if (i + 32'd1 == count) begin done <= 1'b1; state <= S_IDLE; end
                    else state <= S_IN;
                end
                default: state <= S_IDLE;
            endcase
        end
    end
    wire unused_bits = &{1'b0, desc[511:192], desc[63:48], desc[31:0]};
endmodule
