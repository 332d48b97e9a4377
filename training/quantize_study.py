#!/usr/bin/env python3
"""Post-training INT8 study of the decoder network (dense motion + generator).

Calibrates the output range of every convolution on (key, driving) pairs from the training
clips, then measures on the validation clips how far a simulated INT8 network (weights
symmetric per output channel, activations asymmetric 8-bit per tensor, quantize-dequantize
after every convolution, the output rounded to 8 bits) lands from the float network: PSNR of
the INT8 output against the float output. The integer path itself is issue 4; this tells
whether per-tensor 8-bit activations are precise enough before it is built.

Writes runs/NAME/int8-calibration.json (ranges per layer) and prints the figures.
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from agc_data import load_clips  # noqa: E402
from agc_model import AGCConfig, AGCModel  # noqa: E402
from export import fold, round_to_half  # noqa: E402
from train import PairSampler, to_tensor  # noqa: E402


def decoder_convs(model: AGCModel) -> dict[str, nn.Conv2d]:
    return {f"{part}.{name}": m for part in ("dense_motion", "generator")
            for name, m in getattr(model, part).named_modules() if isinstance(m, nn.Conv2d)}


def fake_quant_weights(conv: nn.Conv2d) -> None:
    w = conv.weight.data
    scale = w.abs().amax(dim=(1, 2, 3), keepdim=True).clamp_min(1e-12) / 127
    conv.weight.data = (w / scale).round().clamp(-127, 127) * scale


def fake_quant_activation(x: torch.Tensor, lo: float, hi: float) -> torch.Tensor:
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = max(hi - lo, 1e-8) / 255
    zp = round(-lo / scale)
    return ((x / scale).round() + zp).clamp(0, 255).sub(zp).mul(scale)


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    mse = float(((a - b) ** 2).mean())
    return 10 * np.log10(1 / max(mse, 1e-12))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", default="main")
    p.add_argument("--calibration-pairs", type=int, default=64)
    p.add_argument("--stride", type=int, default=8, help="score every Nth validation frame")
    args = p.parse_args()
    torch.set_num_threads(2)
    state = torch.load(HERE / "runs" / args.run / "checkpoint.pt", map_location="cpu")
    cfg = AGCConfig(**state["config"])
    model = AGCModel(cfg)
    model.load_state_dict(state["ema"] if "ema" in state else state["model"])
    model.eval()
    fold(model)
    round_to_half(model)
    convs = decoder_convs(model)

    ranges: dict[str, list[float]] = {}
    hooks = [m.register_forward_hook(
        lambda mod, inp, out, name=name: ranges.__setitem__(name, [
            min(ranges.get(name, [0, 0])[0], float(out.min())), max(ranges.get(name, [0, 0])[1], float(out.max()))]))
        for name, m in convs.items()]
    cache = HERE.parent / ".cache/frames"
    train = load_clips(HERE.parent.parent / "shared/data/train", cache, cfg.size, "face")
    sampler = PairSampler(train, 60, np.random.default_rng(7))
    with torch.no_grad():
        for _ in range(args.calibration_pairs // 8):
            s, d = sampler.batch(8)
            src, drv = to_tensor(s, "cpu"), to_tensor(d, "cpu")
            model.animate(src, model.kp_detector(src), model.kp_detector(drv))
    for h in hooks:
        h.remove()

    float_model = model
    quant = copy.deepcopy(model)
    for name, m in decoder_convs(quant).items():
        fake_quant_weights(m)
        lo, hi = ranges[name]
        m.register_forward_hook(lambda mod, inp, out, lo=lo, hi=hi: fake_quant_activation(out, lo, hi))

    val = load_clips(HERE.parent.parent / "shared/data/val", cache, cfg.size, "centre")
    results = {}
    with torch.no_grad():
        for clip, frames in val.items():
            scores = []
            for start in range(0, len(frames), 50):
                idx = [i for i in range(start + 1, min(start + 50, len(frames))) if i % args.stride == 0]
                if not idx:
                    continue
                key = to_tensor(frames[start:start + 1], "cpu").expand(len(idx), -1, -1, -1)
                drv = to_tensor(frames[idx], "cpu")
                kp_key = float_model.kp_detector(key[:1]).expand(len(idx), -1, -1)
                kp_drv = float_model.kp_detector(drv)
                f_out = (float_model.animate(key, kp_key, kp_drv)[0].clamp(0, 1) * 255).round() / 255
                q_out = (quant.animate(key, kp_key, kp_drv)[0].clamp(0, 1) * 255).round() / 255
                scores.append(psnr(q_out, f_out))
            results[clip] = round(float(np.mean(scores)), 2)
    results["mean"] = round(float(np.mean(list(results.values()))), 2)
    out = HERE / "runs" / args.run / "int8-calibration.json"
    out.write_text(json.dumps({"step": state["step"], "ranges": ranges,
                               "psnr_int8_vs_float_rgb": results}, indent=2) + "\n")
    print(json.dumps({"step": state["step"], "psnr_int8_vs_float_rgb": results}))


if __name__ == "__main__":
    main()
