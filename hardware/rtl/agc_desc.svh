// Field extraction from a 16-word instruction descriptor held as a flat 512-bit vector
// (word k in bits 32k+31 ... 32k). The layout is docs/accelerator.md section 3; this file is its
// one definition in the RTL.
`ifndef AGC_DESC_SVH
`define AGC_DESC_SVH
`define DW(d, k)        d[32*(k) +: 32]
`define D_OPCODE(d)     d[7:0]
`define D_FLAGS(d)      d[15:8]
`define D_FLAG(d, b)    d[8 + (b)]
`define D_FACTOR(d)     d[23:16]
`define D_CIN(d)        d[32 +: 16]
`define D_COUT(d)       d[48 +: 16]
`define D_H(d)          d[64 +: 16]
`define D_W(d)          d[80 +: 16]
`define D_INPUT(d)      d[96 +: 32]
`define D_OUTPUT(d)     d[128 +: 32]
`define D_WEIGHTS(d)    d[160 +: 32]
`define D_BIAS(d)       d[192 +: 32]
`define D_REQUANT(d)    d[224 +: 32]
`define D_ZPS(d)        d[256 +: 32]
`define D_AUX(d)        d[288 +: 32]
`define D_AUX2(d)       d[320 +: 32]
`define D_AUX3(d)       d[352 +: 32]
`define D_OZP(d)        d[384 +: 8]
`define D_CMIN(d)       d[392 +: 8]
`define D_CMAX(d)       d[400 +: 8]
`define D_KCOUNT(d)     d[408 +: 8]
`define D_MULT(d)       d[416 +: 32]
`define D_SHIFT(d)      d[448 +: 32]
// Flag bits (word 0, bits 8-15).
`define F_UPSAMPLE 0
`define F_POOL     1
`define F_RESIDUAL 2
`define F_MASK     3


// The ports every engine has: a start pulse with the descriptor, a done pulse, and the memory
// port of agc_mem (byte offsets from the DDR base).
`define AGC_ENGINE_PORTS \
    input  logic         clk, \
    input  logic         rst_n, \
    input  logic         start, \
    input  logic [511:0] desc, \
    output logic         done, \
    output logic         rd_req, \
    output logic [31:0]  rd_addr, \
    input  logic         rd_hit, \
    input  logic [31:0]  rd_data, \
    output logic         wr_req, \
    output logic [31:0]  wr_addr, \
    output logic [31:0]  wr_data, \
    output logic [3:0]   wr_strb, \
    input  logic         wr_ready
`endif
