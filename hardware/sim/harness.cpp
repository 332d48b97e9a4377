// agc-rtl-sim: runs the AGC accelerator's RTL (Verilator model of agc_top) on a DDR image file,
// the way the host driver runs the IP: through its AXI4-Lite registers, with an AXI4 memory model
// on the file (mapped shared, so results land in the file).
//
//   agc-rtl-sim --ddr FILE --descriptors OFFSET --count N [--offset B] [--size S]
//               [--read-latency L] [--max-cycles M] [--report FILE] [--coverage FILE]
//               [--stop-after C]
//
// The DDR region is bytes [B, B + S) of the file (S: the rest of the file by default); the RTL
// sees it at physical address 0x18000000 + B. Prints (and writes to --report) one JSON object:
// status, failing position, cycles (the IP's counter), the cycles each descriptor ended at, and
// wall-clock seconds. Exit status 0 when the run ended (whatever its STATUS), 2 on a usage or
// file error, 3 when the RTL misbehaved (a write outside the region, no end within --max-cycles).
// Built with Verilator's coverage (hardware/power.sh does), --coverage FILE writes the toggle and
// line counts of the run to FILE (Verilator's coverage.dat format). --stop-after C ends the run
// after C cycles from ap_start, wherever it is (a sample of an engine's activity): the report then
// says "partial": true, and its cycles are C.
#include "Vagc_top.h"
#include "verilated.h"
#if VM_COVERAGE
#include "verilated_cov.h"
#endif

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

constexpr uint32_t kPhysicalBase = 0x18000000u;

[[noreturn]] void fail(int code, const std::string& why) {
    std::fprintf(stderr, "agc-rtl-sim: %s\n", why.c_str());
    std::exit(code);
}

/// The AXI4 slave on the DDR file: one read burst at a time, first beat after `latency` cycles,
/// then one beat per cycle; writes accepted when address and data are both valid, B one cycle
/// later. Reads outside the region return zeros (a cache line may reach past its end); a write
/// outside it is an RTL error.
struct Memory {
    uint8_t* bytes = nullptr;
    uint64_t size = 0;
    uint32_t physical = 0;
    int latency = 24;
    bool reading = false;
    uint32_t read_address = 0;
    int beats_left = 0;
    uint64_t ready_at = 0;
    int pending_b = 0;
    bool bad_write = false;
    uint32_t bad_address = 0;

    uint32_t load(uint32_t address) const {
        uint64_t at = uint64_t(address) - physical;
        if (address < physical || at + 4 > size) return 0;
        uint32_t v;
        std::memcpy(&v, bytes + at, 4);
        return v;
    }
    void store(uint32_t address, uint32_t data, uint32_t strobe) {
        uint64_t at = uint64_t(address) - physical;
        if (address < physical || at + 4 > size) {
            bad_write = true;
            bad_address = address;
            return;
        }
        for (int b = 0; b < 4; b++)
            if (strobe >> b & 1) bytes[at + b] = uint8_t(data >> (8 * b));
    }
};

struct Simulation {
    Vagc_top top;
    Memory memory;
    uint64_t cycle = 0;
    uint32_t last_progress = 0;
    std::vector<uint64_t> descriptor_ends;
    bool watching = false;

    /// One clock cycle: the memory model drives its inputs from its state, the edge happens,
    /// then the handshakes of that edge update the model.
    void tick() {
        Memory& m = memory;
        top.m_axi_arready = !m.reading;
        top.m_axi_rvalid = m.reading && cycle >= m.ready_at && m.beats_left > 0;
        top.m_axi_rdata = m.load(m.read_address);
        top.m_axi_rresp = 0;
        top.m_axi_rlast = m.beats_left == 1;
        bool write_both = top.m_axi_awvalid && top.m_axi_wvalid;
        top.m_axi_awready = write_both;
        top.m_axi_wready = write_both;
        top.m_axi_bvalid = m.pending_b > 0;
        top.m_axi_bresp = 0;
        top.eval();
        bool ar = top.m_axi_arvalid && top.m_axi_arready;
        bool r = top.m_axi_rvalid && top.m_axi_rready;
        bool w = top.m_axi_awvalid && top.m_axi_awready && top.m_axi_wvalid && top.m_axi_wready;
        bool b = top.m_axi_bvalid && top.m_axi_bready;
        uint32_t ar_addr = top.m_axi_araddr, ar_len = top.m_axi_arlen;
        uint32_t aw_addr = top.m_axi_awaddr, w_data = top.m_axi_wdata, w_strb = top.m_axi_wstrb;
        top.clk = 1;
        top.eval();
        top.clk = 0;
        top.eval();
        cycle++;
        if (r) {
            m.read_address += 4;
            if (--m.beats_left == 0) m.reading = false;
        }
        if (ar) {
            m.reading = true;
            m.read_address = ar_addr;
            m.beats_left = int(ar_len) + 1;
            m.ready_at = cycle + m.latency;
        }
        if (b) m.pending_b--;
        if (w) {
            m.store(aw_addr, w_data, w_strb);
            m.pending_b++;
        }
        if (watching && top.progress != last_progress) {
            last_progress = top.progress;
            descriptor_ends.push_back(cycle);
        }
    }

    void write_register(uint32_t address, uint32_t value) {
        top.s_axil_awaddr = address;
        top.s_axil_wdata = value;
        top.s_axil_wstrb = 0xF;
        top.s_axil_awvalid = 1;
        top.s_axil_wvalid = 1;
        top.s_axil_bready = 1;
        for (;;) {
            top.eval();
            bool accepted = top.s_axil_awready;
            tick();
            if (accepted) break;
        }
        top.s_axil_awvalid = 0;
        top.s_axil_wvalid = 0;
        while (!top.s_axil_bvalid) tick();
        tick();
        top.s_axil_bready = 0;
    }

    uint32_t read_register(uint32_t address) {
        top.s_axil_araddr = address;
        top.s_axil_arvalid = 1;
        top.s_axil_rready = 1;
        for (;;) {
            top.eval();
            bool accepted = top.s_axil_arready;
            tick();
            if (accepted) break;
        }
        top.s_axil_arvalid = 0;
        while (!top.s_axil_rvalid) tick();
        uint32_t value = top.s_axil_rdata;
        tick();
        top.s_axil_rready = 0;
        return value;
    }
};

uint64_t number(const char* text, const char* what) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(text, &end, 0);
    if (!end || *end) fail(2, std::string("bad number for ") + what + ": " + text);
    return v;
}

}  // namespace

// Writes the run's toggle and line counts to `path` (nothing when it is empty); refuses when the
// harness was built without coverage.
void write_coverage(const std::string& path) {
    if (path.empty()) return;
#if VM_COVERAGE
    Verilated::threadContextp()->coveragep()->write(path.c_str());
#else
    fail(2, "--coverage needs a harness built with coverage (hardware/power.sh builds one)");
#endif
}

int main(int argc, char** argv) {
    Verilated::commandArgs(argc, argv);
    std::string ddr_path, report_path, coverage_path;
    uint64_t offset = 0, size = 0, descriptors = 0, count = 0, max_cycles = 4'000'000'000ull, stop_after = 0;
    bool have_size = false, have_descriptors = false, have_count = false;
    int latency = 24;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto value = [&](const char* what) {
            if (i + 1 >= argc) fail(2, std::string(what) + " needs a value");
            return argv[++i];
        };
        if (a == "--ddr") ddr_path = value("--ddr");
        else if (a == "--offset") offset = number(value("--offset"), "--offset");
        else if (a == "--size") { size = number(value("--size"), "--size"); have_size = true; }
        else if (a == "--descriptors") { descriptors = number(value("--descriptors"), "--descriptors"); have_descriptors = true; }
        else if (a == "--count") { count = number(value("--count"), "--count"); have_count = true; }
        else if (a == "--read-latency") latency = int(number(value("--read-latency"), "--read-latency"));
        else if (a == "--max-cycles") max_cycles = number(value("--max-cycles"), "--max-cycles");
        else if (a == "--report") report_path = value("--report");
        else if (a == "--coverage") coverage_path = value("--coverage");
        else if (a == "--stop-after") stop_after = number(value("--stop-after"), "--stop-after");
        else if (a.rfind("+verilator", 0) == 0) continue;
        else fail(2, "unknown argument " + a);
    }
    if (ddr_path.empty() || !have_descriptors || !have_count)
        fail(2, "usage: agc-rtl-sim --ddr FILE --descriptors OFFSET --count N [--offset B] [--size S] "
                "[--read-latency L] [--max-cycles M] [--report FILE]");
    int fd = open(ddr_path.c_str(), O_RDWR);
    if (fd < 0) fail(2, ddr_path + ": " + std::strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) fail(2, ddr_path + ": " + std::strerror(errno));
    uint64_t file_size = uint64_t(st.st_size);
    if (offset > file_size) fail(2, "--offset past the end of the file");
    if (!have_size) size = file_size - offset;
    if (offset + size > file_size || size > 0xFFFFFFFFull) fail(2, "the region does not fit the file (or 4 GiB)");
    void* mapped = mmap(nullptr, file_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (mapped == MAP_FAILED) fail(2, ddr_path + ": mmap: " + std::strerror(errno));

    auto* sim = new Simulation();
    sim->memory.bytes = static_cast<uint8_t*>(mapped) + offset;
    sim->memory.size = size;
    sim->memory.physical = kPhysicalBase + uint32_t(offset);
    sim->memory.latency = latency;
    Vagc_top& top = sim->top;
    top.clk = 0;
    top.rst_n = 0;
    for (int i = 0; i < 4; i++) sim->tick();
    top.rst_n = 1;
    sim->tick();

    auto started = std::chrono::steady_clock::now();
    if (sim->read_register(0x40) != 0x31434741u) fail(3, "the identification register is not AGC1");
    if ((sim->read_register(0x00) & 4) == 0) fail(3, "ap_idle is clear after reset");
    sim->write_register(0x48, uint32_t(size));
    sim->write_register(0x10, sim->memory.physical);
    sim->write_register(0x14, 0);
    sim->write_register(0x18, uint32_t(descriptors));
    sim->write_register(0x20, uint32_t(count));
    sim->write_register(0x04, 1);
    sim->write_register(0x08, 1);
    sim->watching = true;
    uint64_t start_cycle = sim->cycle;
    sim->write_register(0x00, 1);
    bool partial = false;
    while (!top.irq) {
        sim->tick();
        if (sim->memory.bad_write) break;
        if (stop_after && sim->cycle - start_cycle >= stop_after) { partial = true; break; }
        if (sim->cycle - start_cycle > max_cycles) fail(3, "no ap_done within --max-cycles");
    }
    sim->watching = false;
    if (partial) {
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::string json = "{\"partial\": true, \"cycles\": " + std::to_string(sim->cycle - start_cycle) +
                           ", \"descriptors_completed\": " + std::to_string(sim->descriptor_ends.size()) +
                           ", \"wall_seconds\": " + std::to_string(seconds) + "}";
        std::printf("%s\n", json.c_str());
        write_coverage(coverage_path);
        msync(mapped, file_size, MS_SYNC);
        return 0;
    }
    if (sim->memory.bad_write) {
        char text[96];
        std::snprintf(text, sizeof text, "the RTL wrote outside the DDR region at 0x%08x", sim->memory.bad_address);
        fail(3, text);
    }
    uint32_t control = sim->read_register(0x00);
    if ((control & 2) == 0) fail(3, "interrupt without ap_done");
    uint32_t status = sim->read_register(0x28);
    uint32_t failing = sim->read_register(0x30);
    uint64_t cycles = sim->read_register(0x38) | uint64_t(sim->read_register(0x3C)) << 32;
    sim->write_register(0x0C, 1);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    msync(mapped, file_size, MS_SYNC);

    std::string json = "{\"status\": " + std::to_string(status) + ", \"failing\": " + std::to_string(failing) +
                       ", \"cycles\": " + std::to_string(cycles) + ", \"descriptor_cycles\": [";
    uint64_t previous = start_cycle;
    for (size_t i = 0; i < sim->descriptor_ends.size(); i++) {
        json += (i ? ", " : "") + std::to_string(sim->descriptor_ends[i] - previous);
        previous = sim->descriptor_ends[i];
    }
    json += "], \"wall_seconds\": " + std::to_string(seconds) + "}";
    std::printf("%s\n", json.c_str());
    if (!report_path.empty()) {
        FILE* f = std::fopen(report_path.c_str(), "w");
        if (!f) fail(2, report_path + ": " + std::strerror(errno));
        std::fprintf(f, "%s\n", json.c_str());
        std::fclose(f);
    }
    top.final();
    write_coverage(coverage_path);
    munmap(mapped, file_size);
    close(fd);
    delete sim;
    return 0;
}
