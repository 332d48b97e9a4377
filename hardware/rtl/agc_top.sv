// The AGC accelerator: the co-processor of docs/accelerator.md. An AXI4-Lite control window
// (agc_regs), the run controller that fetches and checks descriptors (agc_control), the memory
// system with its AXI4 master (agc_mem), and the engines: convolution (agc_conv on a TM x TN
// array), grid sample (agc_grid, opcodes 3 and 8), keypoint heatmaps, average pooling, softmax
// flow, table lookup and flow upsampling. One descriptor runs at a time; the engine it names
// owns the memory port while it runs.
//
// The array size, tile size and buffer depths are this module's parameters, and only here.
module agc_top #(
    parameter int TM = 16,                      // output channels of the convolution array
    parameter int TN = 16,                      // input channels of the convolution array
    parameter int TILE_H = 16,                  // convolution tile rows
    parameter int TILE_W = 64,                  // convolution tile columns
    parameter int CACHE_LINES = 256,            // read cache lines of 64 bytes
    parameter int WRITE_QUEUE = 16,             // write queue entries
    parameter logic [31:0] DDR_SIZE = 32'h0080_0000  // reset value of the DDR size register
) (
    input  logic        clk,
    input  logic        rst_n,
    // AXI4-Lite slave (control)
    input  logic [11:0] s_axil_awaddr,
    input  logic        s_axil_awvalid,
    output logic        s_axil_awready,
    input  logic [31:0] s_axil_wdata,
    input  logic [3:0]  s_axil_wstrb,
    input  logic        s_axil_wvalid,
    output logic        s_axil_wready,
    output logic [1:0]  s_axil_bresp,
    output logic        s_axil_bvalid,
    input  logic        s_axil_bready,
    input  logic [11:0] s_axil_araddr,
    input  logic        s_axil_arvalid,
    output logic        s_axil_arready,
    output logic [31:0] s_axil_rdata,
    output logic [1:0]  s_axil_rresp,
    output logic        s_axil_rvalid,
    input  logic        s_axil_rready,
    // AXI4 master (DDR)
    output logic [31:0] m_axi_araddr,
    output logic [7:0]  m_axi_arlen,
    output logic [2:0]  m_axi_arsize,
    output logic [1:0]  m_axi_arburst,
    output logic        m_axi_arvalid,
    input  logic        m_axi_arready,
    input  logic [31:0] m_axi_rdata,
    input  logic [1:0]  m_axi_rresp,
    input  logic        m_axi_rlast,
    input  logic        m_axi_rvalid,
    output logic        m_axi_rready,
    output logic [31:0] m_axi_awaddr,
    output logic [7:0]  m_axi_awlen,
    output logic [2:0]  m_axi_awsize,
    output logic [1:0]  m_axi_awburst,
    output logic        m_axi_awvalid,
    input  logic        m_axi_awready,
    output logic [31:0] m_axi_wdata,
    output logic [3:0]  m_axi_wstrb,
    output logic        m_axi_wlast,
    output logic        m_axi_wvalid,
    input  logic        m_axi_wready,
    input  logic [1:0]  m_axi_bresp,
    input  logic        m_axi_bvalid,
    output logic        m_axi_bready,
    output logic        irq,
    output logic [31:0] progress                // descriptors completed in the run (for simulation)
);
    logic        start, finished, invalidate, flush, write_idle;
    logic [1:0]  run_status;
    logic [31:0] run_failing, run_progress, ddr_base, ddr_size, descriptor_offset, descriptor_count;
    logic [63:0] run_cycles;
    assign progress = run_progress;

    agc_regs #(.DDR_SIZE(DDR_SIZE)) regs (
        .clk, .rst_n,
        .s_awaddr(s_axil_awaddr), .s_awvalid(s_axil_awvalid), .s_awready(s_axil_awready),
        .s_wdata(s_axil_wdata), .s_wstrb(s_axil_wstrb), .s_wvalid(s_axil_wvalid), .s_wready(s_axil_wready),
        .s_bresp(s_axil_bresp), .s_bvalid(s_axil_bvalid), .s_bready(s_axil_bready),
        .s_araddr(s_axil_araddr), .s_arvalid(s_axil_arvalid), .s_arready(s_axil_arready),
        .s_rdata(s_axil_rdata), .s_rresp(s_axil_rresp), .s_rvalid(s_axil_rvalid), .s_rready(s_axil_rready),
        .start, .finished, .run_status, .run_failing, .run_cycles, .run_progress,
        .ddr_base, .ddr_size, .descriptor_offset, .descriptor_count, .irq);

    // memory port, as driven by its current owner
    logic        rd_req, rd_hit, wr_req, wr_ready;
    logic [31:0] rd_addr, rd_data, wr_addr, wr_data;
    logic [3:0]  wr_strb;

    agc_mem #(.LINES(CACHE_LINES), .WFIFO_DEPTH(WRITE_QUEUE)) mem (
        .clk, .rst_n, .base(ddr_base), .invalidate,
        .rd_req, .rd_addr, .rd_hit, .rd_data, .wr_req, .wr_addr, .wr_data, .wr_strb, .wr_ready,
        .flush, .write_idle,
        .m_araddr(m_axi_araddr), .m_arlen(m_axi_arlen), .m_arsize(m_axi_arsize), .m_arburst(m_axi_arburst),
        .m_arvalid(m_axi_arvalid), .m_arready(m_axi_arready), .m_rdata(m_axi_rdata), .m_rresp(m_axi_rresp),
        .m_rlast(m_axi_rlast), .m_rvalid(m_axi_rvalid), .m_rready(m_axi_rready),
        .m_awaddr(m_axi_awaddr), .m_awlen(m_axi_awlen), .m_awsize(m_axi_awsize), .m_awburst(m_axi_awburst),
        .m_awvalid(m_axi_awvalid), .m_awready(m_axi_awready), .m_wdata(m_axi_wdata), .m_wstrb(m_axi_wstrb),
        .m_wlast(m_axi_wlast), .m_wvalid(m_axi_wvalid), .m_wready(m_axi_wready),
        .m_bresp(m_axi_bresp), .m_bvalid(m_axi_bvalid), .m_bready(m_axi_bready));

    logic [511:0] desc;
    logic [7:0]   engine_start, engine_done, engine_select;
    logic         c_rd_req;
    logic [31:0]  c_rd_addr;

    agc_control control (
        .clk, .rst_n, .start, .descriptor_offset, .descriptor_count, .ddr_size,
        .finished, .run_status, .run_failing, .run_cycles, .run_progress, .invalidate,
        .rd_req(c_rd_req), .rd_addr(c_rd_addr), .rd_hit, .rd_data, .flush, .write_idle,
        .desc, .engine_start, .engine_done, .engine_select);

    // engine index: 0 keypoints, 1 pool, 2 grid, 3 convolution, 4 softmax, 5 lookup, 6 upsample
    localparam int ENGINES = 7;
    logic [ENGINES-1:0] e_start, e_done, e_rd_req, e_wr_req, e_sel;
    logic [31:0] e_rd_addr [ENGINES];
    logic [31:0] e_wr_addr [ENGINES];
    logic [31:0] e_wr_data [ENGINES];
    logic [3:0]  e_wr_strb [ENGINES];
    assign e_start = {engine_start[6:3], engine_start[2] | engine_start[7], engine_start[1:0]};
    assign e_sel = {engine_select[6:3], engine_select[2] | engine_select[7], engine_select[1:0]};
    assign engine_done = {e_done[2], e_done[6:0]};

    agc_keypoints keypoints (.clk, .rst_n, .start(e_start[0]), .desc, .done(e_done[0]),
        .rd_req(e_rd_req[0]), .rd_addr(e_rd_addr[0]), .rd_hit, .rd_data,
        .wr_req(e_wr_req[0]), .wr_addr(e_wr_addr[0]), .wr_data(e_wr_data[0]), .wr_strb(e_wr_strb[0]), .wr_ready);
    agc_pool pool (.clk, .rst_n, .start(e_start[1]), .desc, .done(e_done[1]),
        .rd_req(e_rd_req[1]), .rd_addr(e_rd_addr[1]), .rd_hit, .rd_data,
        .wr_req(e_wr_req[1]), .wr_addr(e_wr_addr[1]), .wr_data(e_wr_data[1]), .wr_strb(e_wr_strb[1]), .wr_ready);
    agc_grid grid (.clk, .rst_n, .start(e_start[2]), .desc, .done(e_done[2]),
        .rd_req(e_rd_req[2]), .rd_addr(e_rd_addr[2]), .rd_hit, .rd_data,
        .wr_req(e_wr_req[2]), .wr_addr(e_wr_addr[2]), .wr_data(e_wr_data[2]), .wr_strb(e_wr_strb[2]), .wr_ready);
    agc_conv #(.TM(TM), .TN(TN), .TILE_H(TILE_H), .TILE_W(TILE_W)) conv (
        .clk, .rst_n, .start(e_start[3]), .desc, .done(e_done[3]),
        .rd_req(e_rd_req[3]), .rd_addr(e_rd_addr[3]), .rd_hit, .rd_data,
        .wr_req(e_wr_req[3]), .wr_addr(e_wr_addr[3]), .wr_data(e_wr_data[3]), .wr_strb(e_wr_strb[3]), .wr_ready);
    agc_softmax softmax (.clk, .rst_n, .start(e_start[4]), .desc, .done(e_done[4]),
        .rd_req(e_rd_req[4]), .rd_addr(e_rd_addr[4]), .rd_hit, .rd_data,
        .wr_req(e_wr_req[4]), .wr_addr(e_wr_addr[4]), .wr_data(e_wr_data[4]), .wr_strb(e_wr_strb[4]), .wr_ready);
    agc_lookup lookup (.clk, .rst_n, .start(e_start[5]), .desc, .done(e_done[5]),
        .rd_req(e_rd_req[5]), .rd_addr(e_rd_addr[5]), .rd_hit, .rd_data,
        .wr_req(e_wr_req[5]), .wr_addr(e_wr_addr[5]), .wr_data(e_wr_data[5]), .wr_strb(e_wr_strb[5]), .wr_ready);
    agc_upsample upsample (.clk, .rst_n, .start(e_start[6]), .desc, .done(e_done[6]),
        .rd_req(e_rd_req[6]), .rd_addr(e_rd_addr[6]), .rd_hit, .rd_data,
        .wr_req(e_wr_req[6]), .wr_addr(e_wr_addr[6]), .wr_data(e_wr_data[6]), .wr_strb(e_wr_strb[6]), .wr_ready);

    always_comb begin
        rd_req = c_rd_req;
        rd_addr = c_rd_addr;
        wr_req = 1'b0;
        wr_addr = '0;
        wr_data = '0;
        wr_strb = '0;
        for (int e = 0; e < ENGINES; e++) begin
            if (e_sel[e]) begin
                rd_req = e_rd_req[e];
                rd_addr = e_rd_addr[e];
                wr_req = e_wr_req[e];
                wr_addr = e_wr_addr[e];
                wr_data = e_wr_data[e];
                wr_strb = e_wr_strb[e];
            end
        end
    end
endmodule
