#!/usr/bin/env python3
"""Energy of a rebuilt frame on the RTL from its switching activity (hardware/power.sh runs it).

What the structure fixes is counted exactly for the whole frame stream, from its descriptors in
the frame's DDR image and the RTL's measured cycles per descriptor:

  DSP48E1    array products: the convolution array issues 9 x H x W x ceil(Cin/TN) x ceil(Cout/TM)
             cycles per convolution (H x W at its resolution), each cycle TM x TN / 2 slices
  RAMB36     the 16 accumulator banks: read ports enabled every cycle (agc_conv reads them
             unconditionally), one write per bank per pixel and input block
  RAMB18     the 16 input-tile banks: read every cycle, one write per tile byte loaded
  clock, PS  per cycle: the clock tree of the flip-flops, one Cortex-A9 core polling the IP

What the data decides is sampled: the bit toggles of every other signal (flip-flops, LUT outputs)
per cycle, from Verilator's toggle coverage of the first cycles of each engine's longest
descriptor, weighted by the engine's cycles in the frame. Per-operation energies and their
sources are in ENERGY below; hardware/README.md ("Energy") says which are published figures and
which are this project's assumptions.
"""
import argparse
import json
import re
import struct
import sys
from collections import defaultdict
from pathlib import Path

CLOCK_HZ = 100e6           # the PL clock the RTL is written for
PIXELS = 256 * 256         # one reconstructed 256 x 256 frame
TM, TN = 16, 16            # agc_top's array (TM x TN / 2 DSP48E1, two products each)
ACC_BANKS, INPUT_BANKS = TM, TN

# Energy per operation, joules. Sources: [G] D. J. Greaves, "Spreadsheet-based Energy Accounting",
# SoC Design Patterns, University of Cambridge Computer Laboratory, quoting the Xilinx XPower (XPE)
# spreadsheet for 28 nm Zynq: about 415 pJ per ARM clock cycle, 23 pJ per DSP multiply, 8.5 pJ per
# RAMB36 (RAMB18 x 2) read, writes about 10 % less. [A] this project's assumption (see the README).
ENERGY = {
    "dsp_multiply": (23e-12, "G"),
    "ramb36_read": (8.5e-12, "G"),
    "ramb36_write": (8.5e-12 * 0.9, "G"),
    "ramb18_read": (8.5e-12 / 2, "A: half a RAMB36"),
    "ramb18_write": (8.5e-12 * 0.9 / 2, "A: half a RAMB36"),
    "fabric_toggle": (0.3e-12, "A: 0.3 pJ per bit toggle, LUT and routing of a 28 nm net at 1.0 V"),
    "clock_ff_cycle": (0.02e-12, "A: 0.02 pJ per flip-flop and cycle of the clock tree"),
    "arm_cycle": (415e-12, "G"),
}
ARM_HZ = 650e6             # the PYNQ-Z1's Cortex-A9 clock
FLIP_FLOPS = 25_493        # Yosys's count for the design (hardware/README.md, Resources)


def points(path):
    """Yields (fields, count) per coverage point of a Verilator coverage.dat."""
    for line in Path(path).read_text(errors="replace").splitlines():
        m = re.match(r"C '(.*)' (\d+)$", line)
        if not m:
            continue
        fields = {}
        for item in m.group(1).split("\x01"):
            if "\x02" in item:
                k, v = item.split("\x02", 1)
                fields[k] = v
        yield fields, int(m.group(2))


def source_line(rtl, name, pattern):
    """The line number (1-based) of the first line of rtl/name matching pattern."""
    for n, text in enumerate((rtl / name).read_text().splitlines(), 1):
        if re.search(pattern, text):
            return n
    sys.exit(f"power_report: no line matching {pattern!r} in {name}")


def descriptors(image, base, count):
    """(opcode, flags, cin, cout, h, w) of `count` descriptors at byte `base` of a DDR image."""
    data = Path(image).read_bytes()
    out = []
    for k in range(count):
        words = struct.unpack_from("<16I", data, base + 64 * k)
        out.append((words[0] & 0xFF, words[0] >> 8 & 0xFF, words[1] & 0xFFFF, words[1] >> 16, words[2] & 0xFFFF, words[2] >> 16))
    return out


def convolution_counts(opcode, flags, cin, cout, h, w, tile_rows=16, tile_columns=64):
    """Array issue cycles, accumulator writes (all banks) and input-tile writes of one
    convolution, from agc_conv's loops (they do not depend on the data)."""
    if opcode != 4:
        return 0, 0, 0
    up = 2 if flags & 1 else 1
    h2, w2 = h * up, w * up
    in_blocks, out_blocks = -(-cin // TN), -(-cout // TM)
    passes = -(-out_blocks // 4)
    issue = 9 * h2 * w2 * in_blocks * out_blocks
    acc_writes = h2 * w2 * in_blocks * out_blocks * ACC_BANKS
    tile_bytes = 0
    for y in range(0, h2, tile_rows):
        r = min(tile_rows, h2 - y)
        for x in range(0, w2, tile_columns):
            c = min(tile_columns, w2 - x)
            tile_bytes += (r + 2) * (c + 2)
    return issue, acc_writes, tile_bytes * cin * passes


def activity(coverage, rtl):
    """Counts of one sample: array issue cycles, accumulator and input-tile writes, fabric toggles."""
    issue_line = source_line(rtl, "agc_conv.sv", r"^\s*if \(cmp_run\) begin")
    acc_write_line = source_line(rtl, "agc_conv.sv", r"if \(state == S_COMPUTE && v4 && t4 == 4'd8\)")
    input_write_line = source_line(rtl, "agc_conv.sv", r"if \(state == S_INPUT && 32'\(in_n\) == gn")
    counts = {"issue": 0, "acc_writes": 0, "input_writes": 0, "dsp_port_toggles": 0}
    toggles = defaultdict(int)
    for f, count in points(coverage):
        page = f.get("page", "")
        if page.startswith("v_line/") or page.startswith("v_branch/"):
            # Counts are summed over a generate loop's instances (the 16 banks).
            if not f.get("f", "").endswith("agc_conv.sv"):
                continue
            line, kind = int(f.get("l", "0")), f.get("o", "")
            if line == issue_line and page.startswith("v_line/"):
                counts["issue"] += count
            elif line == acc_write_line and page.startswith("v_branch/") and kind == "if":
                counts["acc_writes"] += count
            elif line == input_write_line and page.startswith("v_branch/") and kind == "if":
                counts["input_writes"] += count
        elif page.startswith("v_toggle/"):
            module = page.split("/", 1)[1]
            if module == "agc_dsp_mul2":
                counts["dsp_port_toggles"] += count
            else:                 # (memories, BRAM and LUT RAM arrays, have no toggle points)
                toggles[module] += count
    counts["fabric_toggles"] = sum(toggles.values())
    counts["toggles_by_module"] = dict(sorted(toggles.items(), key=lambda kv: -kv[1]))
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--image", required=True, help="the DDR image the frame stream starts from")
    ap.add_argument("--streams", required=True, help="the image's JSON (the frame stream's range and engines)")
    ap.add_argument("--frame-cycles", required=True, help="agc-rtl-sim's report of the whole frame stream")
    ap.add_argument("--sample", action="append", required=True, metavar="ENGINE:INDEX:COVERAGE:RUN",
                    help="one engine's sample: its descriptor index, coverage.dat and agc-rtl-sim report")
    ap.add_argument("--spec-cycles", type=int, default=7_327_353,
                    help="cycles of a rebuilt frame on the spec's design (CycleModel, HardwareConfig.pynqZ1)")
    ap.add_argument("--idle-watts", type=float, default=2.73,
                    help="the board's idle power, an assumption (hardware/README.md, Energy)")
    ap.add_argument("--json", help="write the figures here too")
    args = ap.parse_args()
    rtl = Path(__file__).resolve().parent / "rtl"
    e = {k: v for k, (v, _) in ENERGY.items()}
    stream = json.loads(Path(args.streams).read_text())["frame"]
    frame_cycles = json.loads(Path(args.frame_cycles).read_text())["descriptor_cycles"]
    if len(frame_cycles) != stream["count"]:
        sys.exit("power_report: the frame run did not complete every descriptor")

    # Fabric toggles per cycle, per engine, from the samples.
    toggle_rate, samples = {}, {}
    for spec in args.sample:
        engine, index, coverage, run = spec.split(":", 3)
        cycles = json.loads(Path(run).read_text())["cycles"]
        counts = activity(coverage, rtl)
        toggle_rate[engine] = counts["fabric_toggles"] / cycles
        samples[engine] = {"descriptor": int(index), "cycles": cycles, **counts}
        top = ", ".join(f"{m} {t / cycles:,.0f}" for m, t in list(counts["toggles_by_module"].items())[:4])
        print(f"{engine:12s} sample (descriptor {index}, first {cycles:,} cycles): "
              f"{toggle_rate[engine]:,.0f} fabric bit toggles per cycle ({top})")

    # The whole frame: exact structural counts, sampled toggles.
    total = sum(frame_cycles)
    engine_cycles = defaultdict(int)
    issue = acc_writes = input_writes = 0
    shapes = descriptors(args.image, stream["descriptors"], stream["count"])
    for engine, c, shape in zip(stream["engines"], frame_cycles, shapes):
        engine_cycles[engine] += c
        i, a, w = convolution_counts(*shape)
        issue, acc_writes, input_writes = issue + i, acc_writes + a, input_writes + w
    toggles = sum(toggle_rate[engine] * c for engine, c in engine_cycles.items())
    per_frame = {    # joules that scale with the work, and those that scale with time
        "DSP48E1 (array products)": issue * TM * TN // 2 * e["dsp_multiply"],
        "RAMB36 writes (accumulators)": acc_writes * e["ramb36_write"],
        "RAMB18 writes (input tile)": input_writes * e["ramb18_write"],
        "fabric bit toggles": toggles * e["fabric_toggle"],
    }
    per_cycle = {
        "RAMB36 reads (16 accumulator banks, every cycle)": ACC_BANKS * e["ramb36_read"],
        "RAMB18 reads (16 input-tile banks, every cycle)": INPUT_BANKS * e["ramb18_read"],
        "clock tree": FLIP_FLOPS * e["clock_ff_cycle"],
        "PS (one Cortex-A9 core polling)": ARM_HZ / CLOCK_HZ * e["arm_cycle"],
    }
    results = {}
    for design, cycles in (("rtl", total), ("spec", args.spec_cycles)):
        seconds = cycles / CLOCK_HZ
        parts = {**per_frame, **{k: v * cycles for k, v in per_cycle.items()}}
        joules = sum(parts.values())
        board = joules + args.idle_watts * seconds
        results[design] = {"cycles": cycles, "seconds": seconds, "joules_by_part": parts, "joules": joules,
                           "watts": joules / seconds, "microjoules_per_pixel": joules / PIXELS * 1e6,
                           "board_joules": board, "board_microjoules_per_pixel": board / PIXELS * 1e6}
    print(f"\nrebuilt frame on the RTL: {total:,} cycles ({total / CLOCK_HZ * 1e3:.1f} ms at 100 MHz); "
          f"array issue {issue:,} cycles ({issue / total:.1%}), accumulator writes {acc_writes:,}, "
          f"input-tile writes {input_writes:,}, fabric toggles {toggles:,.0f} ({toggles / total:,.0f} per cycle)")
    for name in results["rtl"]["joules_by_part"]:
        r, sp = results["rtl"]["joules_by_part"][name], results["spec"]["joules_by_part"][name]
        print(f"  {name:50s} RTL {r * 1e3:7.2f} mJ {r / results['rtl']['seconds']:6.3f} W   "
              f"spec {sp * 1e3:7.2f} mJ {sp / results['spec']['seconds']:6.3f} W")
    for design, label in (("rtl", "RTL as built"), ("spec", "spec's design (same work, its cycles)")):
        r = results[design]
        print(f"  {label:50s} {r['joules'] * 1e3:7.2f} mJ per frame, {r['watts']:.3f} W, "
              f"{r['microjoules_per_pixel']:.2f} uJ per reconstructed pixel (PL dynamic + one ARM core; no static)")
        print(f"  {'':50s} with the idle board ({args.idle_watts:.2f} W, assumed): {r['board_joules'] * 1e3:7.1f} mJ, "
              f"{r['board_microjoules_per_pixel']:.2f} uJ per pixel (GRACE on the PYNQ-Z1: 11.7)")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "frame_cycles": total, "engine_cycles": engine_cycles, "array_issue_cycles": issue,
            "accumulator_writes": acc_writes, "input_tile_writes": input_writes, "fabric_toggles": toggles,
            "toggles_per_cycle_by_engine": toggle_rate, "idle_watts": args.idle_watts, "designs": results, "samples": samples,
            "energy_per_operation": {k: {"joules": v, "source": s} for k, (v, s) in ENERGY.items()},
        }, indent=1) + "\n")


if __name__ == "__main__":
    main()
