#!/usr/bin/env python3
"""Export a training checkpoint as the shipped decoder model and parity fixtures.

Batch norm is folded into the preceding convolution, weights are stored as
float16 (the float path computes in float32), and the fixtures are computed by
the folded, float16-rounded model, so that the Swift engine is compared with
exactly the network it runs.

Writes:
  Sources/AGCModel/Resources/agc-model.safetensors   weights
  Sources/AGCModel/Resources/agc-model.json          config, identifier, SHA-256, GMAC
  Tests/AGCModelTests/Fixtures/golden.safetensors    inputs and outputs of each sub-network
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import safetensors_io  # noqa: E402
from agc_data import centre_square, decode_rgb, probe_size  # noqa: E402
from agc_model import AGCConfig, AGCModel, ConvBNReLU, count_macs  # noqa: E402


def fold(model: AGCModel) -> None:
    """Replace every conv + batch norm pair by one convolution with bias, in place."""
    for module in model.modules():
        if isinstance(module, ConvBNReLU):
            conv, bn = module[0], module[1]
            scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
            fused = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, padding=conv.padding)
            fused.weight.data = conv.weight.data * scale[:, None, None, None]
            fused.bias.data = bn.bias - bn.running_mean * scale
            module[0], module[1] = fused, nn.Identity()


def deploy_tensors(model: AGCModel) -> dict[str, np.ndarray]:
    """Weights under the names the Swift engine reads (see AGCModel/Weights.swift)."""
    out = {}

    def put(name: str, conv: nn.Conv2d):
        out[f"{name}.weight"] = conv.weight.detach().numpy().astype(np.float16)
        out[f"{name}.bias"] = conv.bias.detach().numpy().astype(np.float16)

    for prefix, hg in [("kp.hg", model.kp_detector.hourglass), ("dm.hg", model.dense_motion.hourglass)]:
        for i, block in enumerate(hg.down):
            put(f"{prefix}.down{i}", block[0])
        for i, block in enumerate(hg.up):
            put(f"{prefix}.up{i}", block[0])
    put("kp.head", model.kp_detector.head)
    put("dm.mask", model.dense_motion.mask)
    put("dm.occlusion", model.dense_motion.occlusion)
    g = model.generator
    for name in ["enc0", "enc1", "enc2", "dec1", "dec0", "out"]:
        put(f"gen.{name}", getattr(g, name))
    for i, block in enumerate(g.res):
        put(f"gen.res{i}.conv1", block.conv1)
        put(f"gen.res{i}.conv2", block.conv2)
    return out


def round_to_half(model: nn.Module) -> None:
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", default=str(HERE / "runs/main/best.pt"),
                   help="best.pt (best validation gain) or checkpoint.pt (latest)")
    p.add_argument("--fixture-clip", default=str(ROOT.parent / "shared/data/val/lp-d18.mp4"))
    p.add_argument("--candidate", help="write the model to this folder instead of shipping it (no fixtures): "
                   "for `scripts/eval-model.sh --compare FOLDER` before deciding")
    args = p.parse_args()

    state = torch.load(args.checkpoint, map_location="cpu")
    cfg = AGCConfig(**state["config"])
    if cfg.training_only():
        sys.exit(f"{args.checkpoint}: {', '.join(cfg.training_only())} not in the Swift decoder yet "
                 "(training/agc_model.py); the model cannot be exported")
    model = AGCModel(cfg)
    model.load_state_dict(state["ema"] if "ema" in state else state["model"])
    model.eval()
    fold(model)
    round_to_half(model)

    res = Path(args.candidate) if args.candidate else ROOT / "Sources/AGCModel/Resources"
    res.mkdir(parents=True, exist_ok=True)
    weights_path = res / "agc-model.safetensors"
    tensors = deploy_tensors(model)
    safetensors_io.save(weights_path, tensors, {"format": "agc-float16"})
    digest = hashlib.sha256(weights_path.read_bytes()).hexdigest()
    info = {
        "identifier": f"agc-fomm-k{cfg.num_kp}-{cfg.size}-{digest[:12]}",
        "sha256": digest,
        "config": cfg.to_dict(),
        "training": {"step": state["step"], "samples": state["samples"],
                     "hours": round(state.get("elapsed", 0) / 3600, 2)},
        "gmac_per_frame": {k: round(v, 4) for k, v in count_macs(cfg).items()},
        "parameters": int(sum(v.size for v in tensors.values())),
    }
    (res / "agc-model.json").write_text(json.dumps(info, indent=2) + "\n")
    print(json.dumps(info, indent=2))

    # Golden fixtures: two frames of a validation clip through each sub-network.
    w, h = probe_size(Path(args.fixture_clip))
    frames = decode_rgb(Path(args.fixture_clip), centre_square(w, h), cfg.size)
    src_u8, drv_u8 = frames[0], frames[min(40, len(frames) - 1)]
    to_t = lambda a: torch.from_numpy(a.copy()).permute(2, 0, 1)[None].float() / 255  # noqa: E731
    with torch.no_grad():
        src, drv = to_t(src_u8), to_t(drv_u8)
        kp_src = model.kp_detector(src)
        kp_drv = model.kp_detector(drv)
        disp, occlusion = model.dense_motion(src, kp_src, kp_drv)
        out, warped = model.generator(src, disp, occlusion)
    correction = float((out - warped).abs().max()) * 255
    print(f"generator correction on the fixture frame: at most {correction:.3f} levels", flush=True)
    if correction < 0.5:
        print("warning: the generator's correction does not change a single level: the network only warps "
              "the key frame (docs/model.md, 'The dead correction')", file=sys.stderr, flush=True)
    if args.candidate:
        return
    fixtures = {
        "source_u8": src_u8, "driving_u8": drv_u8,
        "kp_source": kp_src[0].numpy(), "kp_driving": kp_drv[0].numpy(),
        "displacement": disp[0].numpy(), "occlusion": occlusion[0].numpy(),
        "output": out[0].numpy(), "warped": warped[0].numpy(),
    }
    fix_dir = ROOT / "Tests/AGCModelTests/Fixtures"
    fix_dir.mkdir(parents=True, exist_ok=True)
    safetensors_io.save(fix_dir / "golden.safetensors", fixtures, {"model_sha256": digest})
    print("fixtures:", {k: list(v.shape) for k, v in fixtures.items()})


if __name__ == "__main__":
    main()
