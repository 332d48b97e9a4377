// The AXI4-Lite control window of docs/accelerator.md section 6, laid out as Vitis HLS lays out
// an ap_ctrl_hs block: CTRL (ap_start, ap_done clear-on-read, ap_idle, ap_ready, auto_restart),
// GIE / IER / ISR (toggle on write), DDR base, descriptor offset and count, STATUS, failing
// descriptor, 64-bit cycle counter, identification "AGC1" and version 1. Two registers beyond
// the spec's map: 0x48 the DDR region's size in bytes (reset value DDR_SIZE; addresses at or past
// it are outside the region) and 0x4C the descriptors completed in the current or last run.
module agc_regs #(
    parameter logic [31:0] DDR_SIZE = 32'h0080_0000
) (
    input  logic        clk,
    input  logic        rst_n,
    // AXI4-Lite slave
    input  logic [11:0] s_awaddr,
    input  logic        s_awvalid,
    output logic        s_awready,
    input  logic [31:0] s_wdata,
    input  logic [3:0]  s_wstrb,
    input  logic        s_wvalid,
    output logic        s_wready,
    output logic [1:0]  s_bresp,
    output logic        s_bvalid,
    input  logic        s_bready,
    input  logic [11:0] s_araddr,
    input  logic        s_arvalid,
    output logic        s_arready,
    output logic [31:0] s_rdata,
    output logic [1:0]  s_rresp,
    output logic        s_rvalid,
    input  logic        s_rready,
    // to and from the controller
    output logic        start,         // one-cycle pulse: a run begins
    input  logic        finished,      // one-cycle pulse: the run ended
    input  logic [1:0]  run_status,
    input  logic [31:0] run_failing,
    input  logic [63:0] run_cycles,
    input  logic [31:0] run_progress,
    output logic [31:0] ddr_base,
    output logic [31:0] ddr_size,
    output logic [31:0] descriptor_offset,
    output logic [31:0] descriptor_count,
    output logic        irq
);
    localparam logic [31:0] IDENT = 32'h3143_4741;  // "AGC1" in memory order
    localparam logic [31:0] VERSION = 32'd1;

    logic ap_start, ap_done, ap_idle, auto_restart, gie, ier, isr;
    logic [31:0] base_high, status, failing;
    logic [63:0] cycles;

    wire do_write = s_awvalid && s_wvalid && !s_bvalid;
    assign s_awready = do_write;
    assign s_wready = do_write;
    assign s_bresp = 2'b00;
    assign s_rresp = 2'b00;
    wire do_read = s_arvalid && !s_rvalid;
    assign s_arready = do_read;
    assign irq = gie && isr;

    always_ff @(posedge clk) begin
        if (!rst_n) begin
            ap_start <= 1'b0;
            ap_done <= 1'b0;
            ap_idle <= 1'b1;
            auto_restart <= 1'b0;
            gie <= 1'b0;
            ier <= 1'b0;
            isr <= 1'b0;
            ddr_base <= '0;
            base_high <= '0;
            ddr_size <= DDR_SIZE;
            descriptor_offset <= '0;
            descriptor_count <= '0;
            status <= '0;
            failing <= '0;
            cycles <= '0;
            s_bvalid <= 1'b0;
            s_rvalid <= 1'b0;
            s_rdata <= '0;
            start <= 1'b0;
        end else begin
            start <= 1'b0;
            if (s_bvalid && s_bready) s_bvalid <= 1'b0;
            if (s_rvalid && s_rready) s_rvalid <= 1'b0;
            // A start is taken when the block is idle: ap_start clears, ap_idle falls.
            if (ap_start && ap_idle) begin
                ap_start <= 1'b0;
                ap_idle <= 1'b0;
                start <= 1'b1;
            end
            if (finished) begin
                ap_done <= 1'b1;
                ap_idle <= 1'b1;
                status <= {30'd0, run_status};
                failing <= run_failing;
                cycles <= run_cycles;
                if (ier) isr <= 1'b1;
            end
            if (do_write) begin
                s_bvalid <= 1'b1;
                case (s_awaddr[11:2])
                    10'h00: begin
                        if (s_wdata[0]) ap_start <= 1'b1;
                        auto_restart <= s_wdata[7];
                    end
                    10'h01: gie <= s_wdata[0];
                    10'h02: ier <= s_wdata[0];
                    10'h03: if (s_wdata[0]) isr <= !isr;
                    10'h04: ddr_base <= s_wdata;
                    10'h05: base_high <= s_wdata;
                    10'h06: descriptor_offset <= s_wdata;
                    10'h08: descriptor_count <= s_wdata;
                    10'h12: ddr_size <= s_wdata;
                    default: ;
                endcase
            end
            if (do_read) begin
                s_rvalid <= 1'b1;
                case (s_araddr[11:2])
                    10'h00: begin
                        s_rdata <= {24'd0, auto_restart, 3'd0, ap_idle, ap_idle, ap_done, ap_start};
                        if (!finished) ap_done <= 1'b0;   // clear on read (a run ending now keeps it)
                    end
                    10'h01: s_rdata <= {31'd0, gie};
                    10'h02: s_rdata <= {31'd0, ier};
                    10'h03: s_rdata <= {31'd0, isr};
                    10'h04: s_rdata <= ddr_base;
                    10'h05: s_rdata <= base_high;
                    10'h06: s_rdata <= descriptor_offset;
                    10'h08: s_rdata <= descriptor_count;
                    10'h0A: s_rdata <= status;
                    10'h0C: s_rdata <= failing;
                    10'h0E: s_rdata <= cycles[31:0];
                    10'h0F: s_rdata <= cycles[63:32];
                    10'h10: s_rdata <= IDENT;
                    10'h11: s_rdata <= VERSION;
                    10'h12: s_rdata <= ddr_size;
                    10'h13: s_rdata <= run_progress;
                    default: s_rdata <= '0;
                endcase
            end
        end
    end
    wire unused = &{1'b0, s_wstrb, s_awaddr[1:0], s_araddr[1:0]};
endmodule
