`include "agc_desc.svh"
// Opcode 2, average pooling by the factor f (QTensor.averagePooled): each output byte is
// (sum of its f x f block + f^2 / 2) / f^2, read one input byte per cycle, divided by agc_divider.
module agc_pool (`AGC_ENGINE_PORTS);
    typedef enum logic [2:0] {S_IDLE, S_READ, S_DIV, S_WAIT, S_OUT} state_t;
    state_t state;
    wire [15:0] cin = `D_CIN(desc), h = `D_H(desc), w = `D_W(desc);
    wire [7:0]  f = `D_FACTOR(desc);
    logic [15:0] c, oy, ox, dy, dx;
    logic [31:0] plane, k;
    logic [31:0] sum;
    logic [7:0]  result;
    wire [15:0] oh = h / {8'd0, f};
    wire [15:0] ow = w / {8'd0, f};
    wire [31:0] iy = oy * f + {16'd0, dy};
    wire [31:0] ix = ox * f + {16'd0, dx};
    logic div_start;
    logic div_done;
    logic signed [63:0] div_q;
    agc_divider divider (.clk, .rst_n, .start(div_start), .x({32'd0, sum}), .d(64'(f) * 64'(f)),
                         .done(div_done), .q(div_q));
    assign rd_req = state == S_READ;
    assign rd_addr = `D_INPUT(desc) + plane + iy * w + ix;
    assign wr_req = state == S_OUT;
    assign wr_addr = `D_OUTPUT(desc) + k;
    assign wr_data = {4{result}};
    assign wr_strb = 4'b0001 << wr_addr[1:0];
    assign div_start = state == S_DIV;
    always_ff @(posedge clk) begin
        if (!rst_n) begin
            state <= S_IDLE;
            done <= 1'b0;
        end else begin
            done <= 1'b0;
            case (state)
                S_IDLE: if (start) begin
                    c <= '0; oy <= '0; ox <= '0; dy <= '0; dx <= '0;
                    plane <= '0; k <= '0; sum <= '0;
                    state <= S_READ;
                end
                S_READ: if (rd_hit) begin
                    sum <= sum + {24'd0, rd_data[8*rd_addr[1:0] +: 8]};
                    if (dx + 16'd1 < {8'd0, f}) dx <= dx + 16'd1;
                    else begin
                        dx <= '0;
                        if (dy + 16'd1 < {8'd0, f}) dy <= dy + 16'd1;
                        else begin dy <= '0; state <= S_DIV; end
                    end
                end
                S_DIV: state <= S_WAIT;
                S_WAIT: if (div_done) begin result <= div_q[7:0]; state <= S_OUT; end
                S_OUT: if (wr_ready) begin
                    k <= k + 32'd1;
                    sum <= '0;
                    state <= S_READ;
                    if (ox + 16'd1 < ow) ox <= ox + 16'd1;
                    else begin
                        ox <= '0;
                        if (oy + 16'd1 < oh) oy <= oy + 16'd1;
                        else begin
                            oy <= '0;
                            plane <= plane + h * w;
                            if (c + 16'd1 < cin) c <= c + 16'd1;
                            else begin done <= 1'b1; state <= S_IDLE; end
                        end
                    end
                end
                default: state <= S_IDLE;
            endcase
        end
    end
    wire unused_bits = &{1'b0, desc[511:160], desc[63:48], desc[31:24], desc[15:0], div_q[63:8]};
endmodule
