#!/usr/bin/env python3
"""Reads Yosys `stat -tech xilinx` output of the hierarchical design and prints
the XC7Z020 resource table: LUTs, flip-flops, DSP48E1, RAMB36/RAMB18 (and LUT RAM), in total and
per module. Used by hardware/synth.sh; --json FILE writes the same figures as JSON."""
import json
import re
import sys

DEVICE = {"LUT": 53200, "FF": 106400, "DSP48E1": 220, "RAMB36": 140, "RAMB18": 280}


def cells(block):
    """Cell counts of one `=== module ===` block of the stat output."""
    counts = {}
    for name, count in re.findall(r"^\s+(\S+)\s+(\d+)\s*$", block, re.M):
        counts[name] = counts.get(name, 0) + int(count)
    return counts


def summary(counts):
    lut = sum(v for k, v in counts.items() if re.fullmatch(r"LUT[1-6]", k))
    lutram = sum(v for k, v in counts.items() if k.startswith("RAM") and not k.startswith("RAMB"))
    ff = sum(v for k, v in counts.items() if re.fullmatch(r"FD[CPRSE]+", k))
    return {
        "LUT": lut + lutram,          # LUT RAM sits in SLICEM LUTs
        "LUT_as_memory_cells": lutram,
        "FF": ff,
        "DSP48E1": counts.get("DSP48E1", 0),
        "RAMB36": counts.get("RAMB36E1", 0),
        "RAMB18": counts.get("RAMB18E1", 0),
        "CARRY4": counts.get("CARRY4", 0),
    }


def readable(name):
    """A module's name without Yosys's parameter decoration ($paramod$hash\\agc_conv -> agc_conv)."""
    if name.startswith("$paramod"):
        parts = name.split("\\")
        return parts[1] if len(parts) > 1 else name
    return name


def modules(text):
    blocks = re.split(r"^=== (\S+) ===\s*$", text, flags=re.M)
    return {readable(blocks[i]): cells(blocks[i + 1]) for i in range(1, len(blocks) - 1, 2)}


def instances(hierarchy):
    """Instance counts of each module in the design hierarchy listing."""
    counts = {}
    for name, count in re.findall(r"^\s+(\S+)\s+(\d+)\s*$", hierarchy.split("Number of wires")[0], re.M):
        counts[readable(name)] = counts.get(readable(name), 0) + int(count)
    return counts


def main():
    text = open(sys.argv[1]).read()
    out = sys.argv[sys.argv.index("--json") + 1] if "--json" in sys.argv else None
    own, _, hierarchy = text.partition("=== design hierarchy ===")
    total = summary(cells(hierarchy)) if hierarchy else summary(cells(own))
    hier = {name: summary(c) for name, c in modules(own).items()}
    count = instances(hierarchy)
    print("XC7Z020 (PYNQ-Z1), Yosys synth_xilinx, post-synthesis")
    print(f"{'resource':<10} {'used':>8} {'device':>8} {'share':>7}")
    for key in ("LUT", "FF", "DSP48E1", "RAMB36", "RAMB18"):
        print(f"{key:<10} {total[key]:>8} {DEVICE[key]:>8} {100 * total[key] / DEVICE[key]:>6.1f}%")
    fits = all(total[k] <= DEVICE[k] for k in ("LUT", "FF", "DSP48E1")) and \
        total["RAMB36"] + total["RAMB18"] / 2 <= DEVICE["RAMB36"]
    print("fits the XC7Z020" if fits else "DOES NOT FIT the XC7Z020")
    print()
    print("per module: its own cells (submodules excluded), per instance, and the instance count")
    print(f"{'module':<16} {'inst':>5} {'LUT':>7} {'FF':>7} {'DSP':>5} {'B36':>4} {'B18':>4}")
    for name, s in sorted(hier.items()):
        print(f"{name:<16} {count.get(name, 1):>5} {s['LUT']:>7} {s['FF']:>7} {s['DSP48E1']:>5} {s['RAMB36']:>4} {s['RAMB18']:>4}")
        s["instances"] = count.get(name, 1)
    if out:
        with open(out, "w") as f:
            json.dump({"device": "xc7z020", "tool": "yosys synth_xilinx -family xc7", "total": total,
                       "capacity": DEVICE, "fits": fits, "modules": hier}, f, indent=2, sort_keys=True)
    return 0 if fits else 1


if __name__ == "__main__":
    sys.exit(main())
