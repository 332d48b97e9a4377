#!/usr/bin/env python3
"""Post-training static INT8 quantization of the shipped decoder network.

Reads the shipped float model (Sources/AGCModel/Resources/agc-model.*), calibrates the range of
every activation on (key, driving) pairs of the training clips, and writes the integer decoder
(dense motion + generator) as a graph of accelerator operations with integer parameters only:

  Sources/AGCFPGA/Resources/agc-int8.safetensors   INT8 weights, INT32 biases, multipliers,
                                                   shifts, lookup tables
  Sources/AGCFPGA/Resources/agc-int8.json          the graph, every tensor's shape, scale and
                                                   zero point, the weights' SHA-256

The model it replaces is first copied to Sources/AGCFPGA/Resources/retired/IDENTIFIER.* (streams
made with it keep decoding: the decoder chooses the model by the hash in the stream's header).

Number formats and rounding rules are docs/accelerator.md's. Nothing the decoder computes needs a
float: every real-valued factor is turned into a Q31 multiplier and a shift here, every
non-linear function into a table.

Fusion done here: batch norm is already folded (export.py); ReLU is the requantization clamp;
the 2x2 average pooling after a convolution is its output stage; the 2x nearest upsampling before
a convolution is its input addressing; the residual add (generator blocks, and the key frame
warped in pixel space under the final correction) is an accumulator-domain add in the
convolution's output stage; the occlusion multiply is the warp's output stage. Concatenated
inputs keep each part's own scale and zero point: the per-input-channel scale is folded into
the weights before their per-output-channel quantization, the zero point is a per-channel
padding value.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import safetensors_io  # noqa: E402
from agc_data import load_clips  # noqa: E402
from agc_model import AGCConfig, AGCModel, gaussian_heatmaps, grid_sample, identity_grid  # noqa: E402
from export import fold  # noqa: E402
from train import PairSampler, to_tensor  # noqa: E402

KP_UNITS = 256          # keypoints and shifts are integers in units of 1/256 of the half-frame
FLOW_ONE = 1 << 16      # flows are Q16.16 in normalised [-1, 1] coordinates
HEAT_ONE = 1 << 15      # the Gaussian table and heatmaps are Q15


def quantize_multiplier(x: float) -> tuple[int, int]:
    """Positive real -> (Q31 multiplier in [2^30, 2^31), power-of-two shift)."""
    assert x > 0 and math.isfinite(x)
    m, e = math.frexp(x)
    q = int(round(m * (1 << 31)))
    if q == 1 << 31:
        q //= 2
        e += 1
    return q, e


def load_shipped(res: Path) -> tuple[AGCModel, dict]:
    info = json.loads((res / "agc-model.json").read_text())
    cfg = AGCConfig(**info["config"])
    if cfg.training_only():
        sys.exit(f"{', '.join(cfg.training_only())} not in the INT8 graph yet (training/agc_model.py); "
                 "the model cannot be quantized")
    model = AGCModel(cfg).eval()
    fold(model)
    tensors, _ = safetensors_io.load(res / "agc-model.safetensors")
    convs = {}
    for prefix, hg in [("kp.hg", model.kp_detector.hourglass), ("dm.hg", model.dense_motion.hourglass)]:
        convs.update({f"{prefix}.down{i}": b[0] for i, b in enumerate(hg.down)})
        convs.update({f"{prefix}.up{i}": b[0] for i, b in enumerate(hg.up)})
    convs["kp.head"] = model.kp_detector.head
    convs["dm.mask"] = model.dense_motion.mask
    convs["dm.occlusion"] = model.dense_motion.occlusion
    g = model.generator
    convs.update({f"gen.{n}": getattr(g, n) for n in ["enc0", "enc1", "enc2", "dec1", "dec0", "out"]})
    for i, b in enumerate(g.res):
        convs[f"gen.res{i}.conv1"], convs[f"gen.res{i}.conv2"] = b.conv1, b.conv2
    with torch.no_grad():
        for name, conv in convs.items():
            conv.weight.copy_(torch.from_numpy(tensors[f"{name}.weight"].astype(np.float32)))
            conv.bias.copy_(torch.from_numpy(tensors[f"{name}.bias"].astype(np.float32)))
    return model, info


class Graph:
    """The decoder as accelerator operations over named tensors, with a float forward that
    records every tensor (for calibration) and the conv modules behind each conv op."""

    def __init__(self, model: AGCModel):
        self.model = model
        self.cfg = model.cfg
        self.ops: list[dict] = []
        self.tensors: dict[str, dict] = {}
        self.convs: dict[str, torch.nn.Conv2d] = {}
        self._build()

    def tensor(self, name: str, c: int, h: int, kind: str = "u8", parts=None, fixed=None):
        t = {"shape": [c, h, h], "type": kind}
        if parts:
            t["parts"] = parts
        if fixed:
            t["fixed"] = fixed  # (scale, zero point) not calibrated
        self.tensors[name] = t
        return name

    def conv(self, name: str, module, inp: str, out: str, relu: bool, upsample=False, pool=False, residual=None):
        self.convs[name] = module
        self.ops.append({"op": "conv", "layer": name, "in": inp, "out": out, "relu": relu,
                         "upsample_in": upsample, "pool_out": pool, "residual": residual})

    def _build(self):
        cfg, m = self.cfg, self.model
        s, r, k1 = cfg.size, cfg.motion_res, cfg.num_kp + 1
        self.tensor("source", 3, s, fixed=(1 / 255, 0))
        self.tensor("dm.heat", k1, r, fixed=(2 / 255, 128))
        self.tensor("dm.shifts", k1, 1, kind="shift")
        self.ops.append({"op": "keypoints", "heat": "dm.heat", "shifts": "dm.shifts", "table": "dm.gaussian"})
        self.tensor("dm.small", 3, r, fixed=(1 / 255, 0))
        self.ops.append({"op": "avgpool", "in": "source", "out": "dm.small", "factor": s // r})
        self.tensor("dm.shifted", 3 * k1, r, fixed=(1 / 255, 0))
        self.ops.append({"op": "grid_shift", "in": "dm.small", "shifts": "dm.shifts", "out": "dm.shifted"})
        x = self.tensor("dm.input", 4 * k1, r, parts=["dm.heat", "dm.shifted"])
        hg = m.dense_motion.hourglass
        depth = len(hg.down)
        skips, res = [x], r
        for i, block in enumerate(hg.down):
            res //= 2
            x = self.tensor(f"dm.hg.down{i}", block[0].out_channels, res)
            self.conv(f"dm.hg.down{i}", block[0], skips[-1], x, relu=True, pool=True)
            skips.append(x)
        x = skips.pop()
        for j, block in enumerate(hg.up):
            res *= 2
            up = self.tensor(f"dm.hg.up{j}", block[0].out_channels, res)
            self.conv(f"dm.hg.up{j}", block[0], x, up, relu=True, upsample=True)
            skip = skips.pop()
            x = self.tensor(f"dm.hg.cat{j}", block[0].out_channels + self.tensors[skip]["shape"][0], res,
                            parts=[up, skip])
        assert depth == len(hg.up)
        feats = x
        self.tensor("dm.mask", k1, r)
        self.conv("dm.mask", m.dense_motion.mask, feats, "dm.mask", relu=False)
        self.tensor("dm.flow", 2, r, kind="flow")
        self.ops.append({"op": "softmax_flow", "in": "dm.mask", "shifts": "dm.shifts", "out": "dm.flow",
                         "table": "dm.mask.exp"})
        self.tensor("dm.occlusion.logits", 1, r)
        self.conv("dm.occlusion", m.dense_motion.occlusion, feats, "dm.occlusion.logits", relu=False)
        self.tensor("dm.occlusion", 1, r, fixed=(1 / 255, 0))
        self.ops.append({"op": "lut", "in": "dm.occlusion.logits", "out": "dm.occlusion",
                         "table": "dm.occlusion.sigmoid"})
        g = m.generator
        self.tensor("gen.flow", 2, s, kind="flow")
        self.ops.append({"op": "upsample_flow", "in": "dm.flow", "out": "gen.flow", "factor": s // r})
        self.tensor("gen.warped", 3, s, fixed=(1 / 255, 0))
        self.ops.append({"op": "grid_flow", "in": "source", "flow": "gen.flow", "out": "gen.warped", "mask": None})
        self.tensor("gen.enc0", g.enc0.out_channels, s // 2)
        self.conv("gen.enc0", g.enc0, "source", "gen.enc0", relu=True, pool=True)
        self.tensor("gen.enc1", g.enc1.out_channels, s // 4)
        self.conv("gen.enc1", g.enc1, "gen.enc0", "gen.enc1", relu=True, pool=True)
        self.tensor("gen.enc2", g.enc2.out_channels, r)
        self.conv("gen.enc2", g.enc2, "gen.enc1", "gen.enc2", relu=True)
        self.tensor("gen.features", g.enc2.out_channels, r, fixed="gen.enc2")
        self.ops.append({"op": "grid_flow", "in": "gen.enc2", "flow": "dm.flow", "out": "gen.features",
                         "mask": "dm.occlusion"})
        x = "gen.features"
        for i, block in enumerate(g.res):
            hidden = self.tensor(f"gen.res{i}.conv1", block.conv1.out_channels, r)
            self.conv(f"gen.res{i}.conv1", block.conv1, x, hidden, relu=True)
            y = self.tensor(f"gen.res{i}", block.conv2.out_channels, r)
            self.conv(f"gen.res{i}.conv2", block.conv2, hidden, y, relu=False, residual=x)
            x = y
        self.tensor("gen.dec1", g.dec1.out_channels, s // 2)
        self.conv("gen.dec1", g.dec1, x, "gen.dec1", relu=True, upsample=True)
        self.tensor("gen.dec0", g.dec0.out_channels, s)
        self.conv("gen.dec0", g.dec0, "gen.dec1", "gen.dec0", relu=True, upsample=True)
        self.tensor("output", 3, s, fixed=(1 / 255, 0))
        self.conv("gen.out", g.out, "gen.dec0", "output", relu=False, residual="gen.warped")

    # -- float forward, recording every tensor ------------------------------------------------
    def forward(self, source: torch.Tensor, kp_src: torch.Tensor, kp_drv: torch.Tensor) -> dict:
        cfg = self.cfg
        r, s = cfg.motion_res, cfg.size
        v: dict[str, torch.Tensor] = {"source": source}
        dm = self.model.dense_motion
        heat, shift = dm.host_inputs(kp_src, kp_drv)
        v["dm.heat"], shifts = heat, shift
        for op in self.ops:
            kind = op["op"]
            if kind == "avgpool":
                v[op["out"]] = F.avg_pool2d(v[op["in"]], op["factor"])
            elif kind == "grid_shift":
                small = v[op["in"]]
                b, k1 = small.shape[0], shifts.shape[1]
                grids = identity_grid(r, r)[None, None] + shifts[:, :, None, None, :]
                warped = grid_sample(small.repeat_interleave(k1, 0), grids.view(b * k1, r, r, 2))
                v[op["out"]] = warped.view(b, k1 * 3, r, r)
            elif kind == "conv":
                x = self.value(v, op["in"])
                if op["upsample_in"]:
                    x = F.interpolate(x, scale_factor=2, mode="nearest")
                y = self.convs[op["layer"]](x)
                if op["residual"]:
                    y = y + v[op["residual"]]
                if op["relu"]:
                    y = F.relu(y)
                v[op["out"] + "#prepool"] = y
                v[op["out"]] = F.avg_pool2d(y, 2) if op["pool_out"] else y
            elif kind == "softmax_flow":
                mask = F.softmax(v[op["in"]], dim=1)
                v[op["out"]] = torch.einsum("bkhw,bkc->bhwc", mask, shifts)
            elif kind == "lut":
                v[op["out"]] = torch.sigmoid(v[op["in"]])
            elif kind == "upsample_flow":
                f = v[op["in"]].permute(0, 3, 1, 2)
                v[op["out"]] = F.interpolate(f, size=(s, s), mode="bilinear", align_corners=False).permute(0, 2, 3, 1)
            elif kind == "grid_flow":
                x = v[op["in"]]
                n = x.shape[-1]
                y = grid_sample(x, identity_grid(n, n)[None] + v[op["flow"]])
                v[op["out"]] = y * v[op["mask"]] if op["mask"] else y
        return v

    def value(self, v: dict, name: str) -> torch.Tensor:
        parts = self.tensors[name].get("parts")
        if parts:
            return torch.cat([self.value(v, p) for p in parts], dim=1)
        return v[name]


def calibrate(graph: Graph, pairs: int, seed: int) -> dict[str, tuple[float, float]]:
    """Mean over batches of each tensor's per-batch min and max (a moving-average min/max
    observer: robust to one outlier frame, unlike the global extremes)."""
    cfg = graph.cfg
    train = load_clips(ROOT.parent / "shared/data/train", ROOT / ".cache/frames", cfg.size, "face")
    sampler = PairSampler(train, 60, np.random.default_rng(seed))
    lows: dict[str, list[float]] = {}
    highs: dict[str, list[float]] = {}
    kp = graph.model.kp_detector
    with torch.no_grad():
        for _ in range(max(1, pairs // 8)):
            s, d = sampler.batch(8)
            src, drv = to_tensor(s, "cpu"), to_tensor(d, "cpu")
            v = graph.forward(src, kp(src), kp(drv))
            for name, t in v.items():
                if t.dim() == 4:
                    lows.setdefault(name, []).append(float(t.min()))
                    highs.setdefault(name, []).append(float(t.max()))
    return {n: (float(np.mean(lows[n])), float(np.mean(highs[n]))) for n in lows}


def activation_params(lo: float, hi: float) -> tuple[float, int]:
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = max(hi - lo, 1e-6) / 255
    return scale, int(min(255, max(0, round(-lo / scale))))


# Bounds of the fixed-point scheme (docs/accelerator.md): a rescaled residual (|r - zp| <= 255)
# shifted left by its exponent (at most 22: 255 << 22 < 2^30) must stay inside INT32 with room
# for the convolution's sum, and a requantization divides by at most 2^31.
RESIDUAL_MAX_EXPONENT = 21
REQUANT_MIN_EXPONENT = -31


def weight_scales(w_eff: np.ndarray, bias: np.ndarray, out_scale: float, residual_scale: float | None) -> np.ndarray:
    """Per-output-channel weight scales (accumulator units): max |w| / 127, but never so small that
    the accumulator cannot hold the rescaled residual (residual scale / weight scale <= 2^21), the
    requantization factor needs a shift past 2^-31, or the bias overflows INT32. A channel whose
    weights are that small (a generator correction the training has switched off) contributes less
    than one output level in any case: its weights round to zero instead of breaking the add."""
    scale = np.abs(w_eff).max(axis=(1, 2, 3)) / 127
    floor = np.full_like(scale, out_scale * 2.0 ** REQUANT_MIN_EXPONENT)
    if residual_scale is not None:
        floor = np.maximum(floor, residual_scale * 2.0 ** -RESIDUAL_MAX_EXPONENT)
    floor = np.maximum(floor, np.abs(bias) / (2 ** 31 - 1))
    return np.maximum(np.maximum(scale, floor), 1e-12)


def quantize(graph: Graph, ranges: dict) -> tuple[dict, dict[str, np.ndarray]]:
    cfg = graph.cfg
    params: dict[str, np.ndarray] = {}
    tensors = graph.tensors
    # Scales and zero points of every 8-bit tensor.
    for name, t in tensors.items():
        if t["type"] != "u8" or "parts" in t:
            continue
        fixed = t.get("fixed")
        if isinstance(fixed, tuple):
            t["scale"], t["zero_point"] = fixed
        elif isinstance(fixed, str):
            pass  # inherits, below
        else:
            key = name + "#prepool" if name + "#prepool" in ranges else name
            t["scale"], t["zero_point"] = activation_params(*ranges[key])
    for t in tensors.values():
        if isinstance(t.get("fixed"), str):
            src = tensors[t["fixed"]]
            t["scale"], t["zero_point"] = src["scale"], src["zero_point"]
        t.pop("fixed", None)

    def channel_params(name: str) -> tuple[np.ndarray, np.ndarray]:
        t = tensors[name]
        if "parts" in t:
            sc, zp = zip(*(channel_params(p) for p in t["parts"]))
            return np.concatenate(sc), np.concatenate(zp)
        c = t["shape"][0]
        return np.full(c, t["scale"]), np.full(c, t["zero_point"], dtype=np.int64)

    for op in graph.ops:
        kind = op["op"]
        if kind == "keypoints":
            v = cfg.heatmap_variance
            d = np.arange(2 * KP_UNITS + 1) / KP_UNITS
            params[op["table"]] = np.round(HEAT_ONE * np.exp(-0.5 * d * d / v)).astype(np.int32)
            heat = tensors[op["heat"]]
            m, sh = quantize_multiplier((1 / HEAT_ONE) / heat["scale"])
            op.update(multiplier=m, shift=sh)
        elif kind == "softmax_flow":
            s = tensors[op["in"]]["scale"]
            params[op["table"]] = np.round(FLOW_ONE * np.exp(-s * np.arange(256))).astype(np.int32)
        elif kind == "lut":
            src, dst = tensors[op["in"]], tensors[op["out"]]
            real = src["scale"] * (np.arange(256) - src["zero_point"])
            y = 1 / (1 + np.exp(-real))
            params[op["table"]] = np.clip(np.round(y / dst["scale"]) + dst["zero_point"], 0, 255).astype(np.uint8)
        elif kind == "conv":
            conv = graph.convs[op["layer"]]
            w = conv.weight.detach().numpy().astype(np.float64)
            b = conv.bias.detach().numpy().astype(np.float64)
            in_scale, _ = channel_params(op["in"])
            w_eff = w * in_scale[None, :, None, None]
            out = tensors[op["out"]]
            residual_scale = tensors[op["residual"]]["scale"] if op["residual"] else None
            w_scale = weight_scales(w_eff, b, out["scale"], residual_scale)
            wq = np.clip(np.round(w_eff / w_scale[:, None, None, None]), -127, 127).astype(np.int8)
            mult, shift = zip(*(quantize_multiplier(ws / out["scale"]) for ws in w_scale))
            name = op["layer"]
            params[f"{name}.weight"] = wq
            params[f"{name}.bias"] = np.round(b / w_scale).astype(np.int32)
            params[f"{name}.multiplier"] = np.array(mult, dtype=np.int32)
            params[f"{name}.shift"] = np.array(shift, dtype=np.int32)
            if op["residual"]:
                rs = tensors[op["residual"]]["scale"]
                rm, rsh = zip(*(quantize_multiplier(rs / ws) for ws in w_scale))
                params[f"{name}.residual_multiplier"] = np.array(rm, dtype=np.int32)
                params[f"{name}.residual_shift"] = np.array(rsh, dtype=np.int32)
    return {"tensors": tensors, "ops": graph.ops}, params


def retire_current(res: Path) -> tuple[str, list[Path]]:
    """Copies the current INT8 model to `retired/IDENTIFIER.*` before a new one replaces it.

    Streams name their model by hash and must decode bit for bit forever, so a shipped model is
    never overwritten: the decoder's ModelCatalog finds it in `retired/` by the hash a stream names.
    Returns the replaced model's hash and the files made (none when it was retired already).
    """
    graph, weights = res / "agc-int8.json", res / "agc-int8.safetensors"
    if not graph.exists():
        return "", []
    current = json.loads(graph.read_text())
    if hashlib.sha256(weights.read_bytes()).hexdigest() != current["sha256"]:
        sys.exit(f"{weights}: does not match {graph}'s SHA-256; restore the shipped files before quantizing")
    retired = res / "retired"
    retired.mkdir(exist_ok=True)
    target = retired / current["identifier"]
    made = []
    for source, suffix in ((graph, ".json"), (weights, ".safetensors")):
        destination = target.with_name(target.name + suffix)
        if not destination.exists():
            destination.write_bytes(source.read_bytes())
            made.append(destination)
    return current["sha256"], made


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--calibration-pairs", type=int, default=128)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--candidate", help="quantize the float model of this folder (export.py --candidate) and write "
                   "the INT8 model beside it, instead of the shipped one (nothing is retired)")
    args = p.parse_args()
    torch.set_num_threads(2)
    candidate = Path(args.candidate) if args.candidate else None
    model, info = load_shipped(candidate or ROOT / "Sources/AGCModel/Resources")
    graph = Graph(model)
    ranges = calibrate(graph, args.calibration_pairs, args.seed)
    described, params = quantize(graph, ranges)

    res = candidate or ROOT / "Sources/AGCFPGA/Resources"
    res.mkdir(parents=True, exist_ok=True)
    weights = res / "agc-int8.safetensors"
    replaced, retired = retire_current(res) if candidate is None else ("", [])
    safetensors_io.save(weights, params, {"format": "agc-int8"})
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    if digest == replaced:  # the same model again: nothing to retire
        for path in retired:
            path.unlink()
    elif retired:
        print(f"retired the previous model to {retired[0].parent}", file=sys.stderr)
    doc = {
        "format": "agc-int8-graph-1",
        "identifier": f"{info['identifier']}-int8-{digest[:8]}",
        "sha256": digest,
        "float_model": {"identifier": info["identifier"], "sha256": info["sha256"]},
        "config": info["config"],
        "calibration": {"pairs": args.calibration_pairs, "seed": args.seed, "clips": "shared/data/train",
                        "observer": "mean of per-batch min/max"},
        "units": {"keypoint": KP_UNITS, "flow_one": FLOW_ONE, "heat_one": HEAT_ONE},
        **described,
    }
    (res / "agc-int8.json").write_text(json.dumps(doc, indent=1) + "\n")
    print(json.dumps({"identifier": doc["identifier"], "ops": len(doc["ops"]), "tensors": len(doc["tensors"]),
                      "bytes": weights.stat().st_size}))


if __name__ == "__main__":
    main()
