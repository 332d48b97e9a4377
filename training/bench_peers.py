#!/usr/bin/env python3
"""The engines a user would reach for instead of AGC's own, on the same decoder network.

Exports the shipped decoder (dense motion network + generator, the float weights of
Sources/AGCModel/Resources, keypoints as inputs) to ONNX, quantizes it statically to INT8 with
ONNX Runtime (QDQ, per-channel weights, calibrated on key/driving pairs of the given clip), and
times one 256x256 frame in PyTorch (float), ONNX Runtime float and ONNX Runtime INT8, each with
the same thread count. Prints JSON: seconds per frame (median) and GMAC per frame.

    bench_peers.py CLIP [--threads 2] [--runs 20] [--out out/bench]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from agc_data import centre_square, decode_rgb, probe_size  # noqa: E402
from agc_model import count_macs  # noqa: E402
from quantize import load_shipped  # noqa: E402


class Decoder(nn.Module):
    """Key frame + both keypoint sets -> rebuilt frame (what AGC's decoder runs per frame)."""

    def __init__(self, model):
        super().__init__()
        self.dense_motion = model.dense_motion
        self.generator = model.generator

    def forward(self, source, kp_source, kp_driving):
        disp, occlusion = self.dense_motion(source, kp_source, kp_driving)
        out, _ = self.generator(source, disp, occlusion)
        return out


def timed(fn, runs: int) -> float:
    for _ in range(3):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("clip")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--calibration", type=int, default=32, help="frame pairs for the INT8 calibration")
    p.add_argument("--out", default=str(ROOT / "out/bench"))
    args = p.parse_args()
    import onnxruntime as ort
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model, info = load_shipped(ROOT / "Sources/AGCModel/Resources")
    decoder = Decoder(model).eval()
    cfg = model.cfg
    w, h = probe_size(Path(args.clip))
    frames = decode_rgb(Path(args.clip), centre_square(w, h), cfg.size)
    to_t = lambda a: torch.from_numpy(np.ascontiguousarray(a)).permute(2, 0, 1)[None].float() / 255  # noqa: E731
    with torch.no_grad():
        key = to_t(frames[0])
        kp_key = model.kp_detector(key)
        drivers = [to_t(f) for f in frames[1:1 + args.calibration]]
        kps = [model.kp_detector(d) for d in drivers]
    inputs = {"source": key.numpy(), "kp_source": kp_key.numpy(), "kp_driving": kps[0].numpy()}

    onnx_path = out / "decoder.onnx"
    torch.onnx.export(decoder, (key, kp_key, kps[0]), str(onnx_path), input_names=list(inputs), output_names=["frame"],
                      opset_version=16)

    class Frames(CalibrationDataReader):
        def __init__(self):
            self.items = iter([{"source": key.numpy(), "kp_source": kp_key.numpy(), "kp_driving": k.numpy()} for k in kps])

        def get_next(self):
            return next(self.items, None)

    int8_path = out / "decoder-int8.onnx"
    quantize_static(str(onnx_path), str(int8_path), Frames(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)

    def session(path):
        o = ort.SessionOptions()
        o.intra_op_num_threads = args.threads
        o.inter_op_num_threads = 1
        o.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        return ort.InferenceSession(str(path), o, providers=["CPUExecutionProvider"])

    float_session, int8_session = session(onnx_path), session(int8_path)
    with torch.no_grad():
        reference = decoder(key, kp_key, kps[0]).numpy()
    int8_out = int8_session.run(None, inputs)[0]
    mse = float(np.mean((np.clip(int8_out, 0, 1) - np.clip(reference, 0, 1)) ** 2))
    macs = count_macs(cfg)
    with torch.no_grad():
        result = {
            "threads": args.threads,
            "onnxruntime": ort.__version__,
            "torch": torch.__version__,
            "gmac_per_frame": round(macs["dense_motion"] + macs["generator"], 4),
            "pytorch_float_s": timed(lambda: decoder(key, kp_key, kps[0]), args.runs),
            "ort_float_s": timed(lambda: float_session.run(None, inputs), args.runs),
            "ort_int8_s": timed(lambda: int8_session.run(None, inputs), args.runs),
            "ort_int8_psnr_vs_float": round(10 * np.log10(1 / max(mse, 1e-12)), 2),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
