"""Training runs side by side: each run's validation (mean PSNR-Y per validation clip, train.py's
scale) at its last validated step, or at a given step, with its gain over the first run named.

    /usr/bin/python3 training/compare_runs.py motion-lowlr joint-logmse [--step 10000] [--json]

A run is a folder under training/runs (or any folder holding a log.jsonl)."""
import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def validations(run: str) -> list[dict]:
    """The validation records of a run's log.jsonl, in step order."""
    folder = Path(run) if Path(run).is_dir() and (Path(run) / "log.jsonl").exists() else HERE / "runs" / run
    log = folder / "log.jsonl"
    if not log.exists():
        sys.exit(f"{log}: no such training log")
    records = []
    for line_no, line in enumerate(log.read_text().splitlines(), 1):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            sys.exit(f"{log}:{line_no}: not a JSON line")
        if "val" in rec:
            records.append(rec)
    if not records:
        sys.exit(f"{log}: no validation yet")
    return sorted(records, key=lambda r: r["step"])


def chosen(records: list[dict], step: int | None, name: str) -> dict:
    if step is None:
        return records[-1]
    for rec in records:
        if rec["step"] == step:
            return rec
    sys.exit(f"{name}: no validation at step {step} (validated at {', '.join(str(r['step']) for r in records)})")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("runs", nargs="+", help="run names (the first is the reference)")
    p.add_argument("--step", type=int, help="compare at this step (default: each run's last validation)")
    p.add_argument("--json", action="store_true", help="print the table as JSON")
    args = p.parse_args()

    picked = {run: chosen(validations(run), args.step, run) for run in args.runs}
    clips = [c for c in picked[args.runs[0]]["val"] if c != "mean"] + ["mean"]
    if args.json:
        print(json.dumps({run: {"step": rec["step"], "psnr_y": {c: rec["val"][c]["psnr_y"] for c in clips}}
                          for run, rec in picked.items()}, indent=2))
        return
    reference = picked[args.runs[0]]["val"]
    header = ["clip", "repeated key"] + [f"{run} @{rec['step']}" for run, rec in picked.items()]
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    for clip in clips:
        row = [f"**{clip}**" if clip == "mean" else clip, f"{reference[clip]['repeat_psnr_y']:.2f}"]
        for i, (run, rec) in enumerate(picked.items()):
            v = rec["val"].get(clip)
            if v is None:
                row.append("-")
                continue
            row.append(f"{v['psnr_y']:.2f}" + ("" if i == 0 else f" ({v['psnr_y'] - reference[clip]['psnr_y']:+.2f})"))
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
