// The accelerator's memory system: one engine-side port (word reads, byte-strobed word writes,
// addresses as byte offsets from the DDR base) in front of an AXI4 master.
//
// Reads go through a direct-mapped cache of LINES lines of 64 bytes (LUT RAM, read in the cycle
// the address is presented: `rd_hit` says the word is there). A miss first drains the pending
// writes (so DDR holds everything written before), then fetches the line with one 16-beat INCR
// burst. Writes are combined per word (consecutive byte writes to the same word become one
// beat), queued in a FIFO of WFIFO_DEPTH entries and written as single-beat AXI4 writes; a
// write also updates a cached copy of its line, so reads after writes see the new bytes.
// `invalidate` empties the cache (the host writes DDR between runs), `write_idle` says that
// every write has its B response.
module agc_mem #(
    parameter int LINES = 64,
    parameter int WFIFO_DEPTH = 16
) (
    input  logic        clk,
    input  logic        rst_n,
    input  logic [31:0] base,          // physical address of the DDR region
    input  logic        invalidate,
    // engine port
    input  logic        rd_req,
    input  logic [31:0] rd_addr,
    output logic        rd_hit,
    output logic [31:0] rd_data,
    input  logic        wr_req,
    input  logic [31:0] wr_addr,
    input  logic [31:0] wr_data,
    input  logic [3:0]  wr_strb,
    output logic        wr_ready,
    input  logic        flush,
    output logic        write_idle,
    // AXI4 master, read channels
    output logic [31:0] m_araddr,
    output logic [7:0]  m_arlen,
    output logic [2:0]  m_arsize,
    output logic [1:0]  m_arburst,
    output logic        m_arvalid,
    input  logic        m_arready,
    input  logic [31:0] m_rdata,
    input  logic [1:0]  m_rresp,
    input  logic        m_rlast,
    input  logic        m_rvalid,
    output logic        m_rready,
    // AXI4 master, write channels
    output logic [31:0] m_awaddr,
    output logic [7:0]  m_awlen,
    output logic [2:0]  m_awsize,
    output logic [1:0]  m_awburst,
    output logic        m_awvalid,
    input  logic        m_awready,
    output logic [31:0] m_wdata,
    output logic [3:0]  m_wstrb,
    output logic        m_wlast,
    output logic        m_wvalid,
    input  logic        m_wready,
    input  logic [1:0]  m_bresp,
    input  logic        m_bvalid,
    output logic        m_bready
);
    localparam int IW = $clog2(LINES);
    localparam int TW = 32 - 6 - IW;
    localparam int FW = $clog2(WFIFO_DEPTH);

    // ---- cache arrays ----
    logic [7:0]    lane0 [LINES*16];
    logic [7:0]    lane1 [LINES*16];
    logic [7:0]    lane2 [LINES*16];
    logic [7:0]    lane3 [LINES*16];
    logic [TW-1:0] tags [LINES];
    logic [LINES-1:0] valid;

    typedef enum logic [1:0] {C_IDLE, C_DRAIN, C_AR, C_FILL} cstate_t;
    cstate_t cstate;
    logic [31:0] miss_line;
    logic [3:0]  fill_word;

    // The set index folds the upper address bits in, so that planes a power of two apart (flow x
    // and y, channels of a map) do not evict each other; the tag is the bits above the index.
    function automatic [IW-1:0] index_of(input logic [31:0] a);
        logic [IW-1:0] x;
        x = a[6 +: IW];
        for (int s = 6 + IW; s < 32; s++) x[(s - 6) % IW] = x[(s - 6) % IW] ^ a[s];
        index_of = x;
    endfunction
    wire [IW-1:0] rd_index = index_of(rd_addr);
    wire [TW-1:0] rd_tag   = rd_addr[31 -: TW];
    wire [IW+3:0] rd_word  = {rd_index, rd_addr[5:2]};
    assign rd_hit  = rd_req && cstate == C_IDLE && valid[rd_index] && tags[rd_index] == rd_tag;
    assign rd_data = {lane3[rd_word], lane2[rd_word], lane1[rd_word], lane0[rd_word]};

    // ---- write combining and the write FIFO ----
    logic        pend_valid;
    logic [29:0] pend_word;
    logic [31:0] pend_data;
    logic [3:0]  pend_strb;
    logic [65:0] fifo [WFIFO_DEPTH];     // {word address (30), data (32), strobe (4)}
    logic [FW:0] fifo_count;
    logic [FW-1:0] fifo_head, fifo_tail;
    wire fifo_full  = 32'(fifo_count) == WFIFO_DEPTH;
    wire fifo_empty = fifo_count == 0;
    wire same_word  = pend_valid && pend_word == wr_addr[31:2];
    assign wr_ready = cstate == C_IDLE && (!pend_valid || same_word || !fifo_full);
    wire accept = wr_req && wr_ready;
    // The pending word goes to the FIFO when a write to another word comes, or on a flush.
    wire draining = cstate == C_DRAIN || flush;
    wire push = pend_valid && !fifo_full && ((accept && !same_word) || (!accept && draining));

    // ---- AXI write issue ----
    logic        aw_busy, w_busy;
    logic [15:0] outstanding;
    wire         pop = !aw_busy && !w_busy && !fifo_empty;
    assign m_awlen = 8'd0;
    assign m_awsize = 3'd2;
    assign m_awburst = 2'b01;
    assign m_wlast = 1'b1;
    assign m_bready = 1'b1;
    assign m_awvalid = aw_busy;
    assign m_wvalid = w_busy;
    wire b_done = m_bvalid;
    assign write_idle = !pend_valid && fifo_empty && !aw_busy && !w_busy && outstanding == 0;

    always_ff @(posedge clk) begin
        if (!rst_n) begin
            pend_valid <= 1'b0;
            fifo_count <= '0;
            fifo_head <= '0;
            fifo_tail <= '0;
            aw_busy <= 1'b0;
            w_busy <= 1'b0;
            outstanding <= '0;
            m_awaddr <= '0;
            m_wdata <= '0;
            m_wstrb <= '0;
        end else begin
            // combining
            if (accept) begin
                if (same_word) begin
                    for (int b = 0; b < 4; b++)
                        if (wr_strb[b]) pend_data[8*b +: 8] <= wr_data[8*b +: 8];
                    pend_strb <= pend_strb | wr_strb;
                end else begin
                    pend_valid <= 1'b1;
                    pend_word <= wr_addr[31:2];
                    pend_data <= wr_data;
                    pend_strb <= wr_strb;
                end
            end else if (push) begin
                pend_valid <= 1'b0;
            end
            if (push) begin
                fifo[fifo_tail] <= {pend_word, pend_data, pend_strb};
                fifo_tail <= fifo_tail + 1'b1;
            end
            if (pop) begin
                m_awaddr <= base + {fifo[fifo_head][65:36], 2'b00};
                m_wdata <= fifo[fifo_head][35:4];
                m_wstrb <= fifo[fifo_head][3:0];
                aw_busy <= 1'b1;
                w_busy <= 1'b1;
                fifo_head <= fifo_head + 1'b1;
            end else begin
                if (aw_busy && m_awready) aw_busy <= 1'b0;
                if (w_busy && m_wready) w_busy <= 1'b0;
            end
            fifo_count <= fifo_count + (FW+1)'(push) - (FW+1)'(pop);
            outstanding <= outstanding + (pop ? 16'd1 : 16'd0) - (b_done ? 16'd1 : 16'd0);
        end
    end

    // ---- cache control ----
    assign m_arlen = 8'd15;
    assign m_arsize = 3'd2;
    assign m_arburst = 2'b01;
    assign m_arvalid = cstate == C_AR;
    assign m_araddr = base + miss_line;
    assign m_rready = cstate == C_FILL;
    wire [IW-1:0] miss_index = index_of(miss_line);

    always_ff @(posedge clk) begin
        if (!rst_n || invalidate) begin
            valid <= '0;
            cstate <= C_IDLE;
        end else begin
            case (cstate)
                C_IDLE: if (rd_req && !rd_hit) begin
                    miss_line <= {rd_addr[31:6], 6'd0};
                    cstate <= C_DRAIN;
                end
                C_DRAIN: if (write_idle) cstate <= C_AR;
                C_AR: if (m_arready) begin
                    cstate <= C_FILL;
                    fill_word <= 4'd0;
                    valid[miss_index] <= 1'b0;
                end
                C_FILL: if (m_rvalid) begin
                    fill_word <= fill_word + 1'b1;
                    if (fill_word == 4'd15) begin
                        valid[miss_index] <= 1'b1;
                        tags[miss_index] <= miss_line[31 -: TW];
                        cstate <= C_IDLE;
                    end
                end
                default: cstate <= C_IDLE;
            endcase
        end
    end

    // Data array writes: line fills, and engine writes into a cached line.
    wire [IW+3:0] fill_at = {miss_index, fill_word};
    wire [IW-1:0] wr_index = index_of(wr_addr);
    wire [IW+3:0] wr_at = {wr_index, wr_addr[5:2]};
    wire wr_cached = accept && valid[wr_index] && tags[wr_index] == wr_addr[31 -: TW];
    always_ff @(posedge clk) begin
        if (cstate == C_FILL && m_rvalid) begin
            lane0[fill_at] <= m_rdata[7:0];
            lane1[fill_at] <= m_rdata[15:8];
            lane2[fill_at] <= m_rdata[23:16];
            lane3[fill_at] <= m_rdata[31:24];
        end else if (wr_cached) begin
            if (wr_strb[0]) lane0[wr_at] <= wr_data[7:0];
            if (wr_strb[1]) lane1[wr_at] <= wr_data[15:8];
            if (wr_strb[2]) lane2[wr_at] <= wr_data[23:16];
            if (wr_strb[3]) lane3[wr_at] <= wr_data[31:24];
        end
    end

    wire unused = &{1'b0, m_rresp, m_rlast, m_bresp, rd_addr[1:0], wr_addr[1:0]};
endmodule
