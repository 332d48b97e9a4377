"""A trained model's weights carried into a larger architecture, so that a capacity change can be
tried by training on from a trained run instead of from scratch (two CPU cores cannot afford the
latter). What may grow: `num_kp`, `kp_channels`, `dm_channels` (larger), `affine_candidate` and
`jacobians` (off to on), and the generator's `gen_channels` / `gen_res_blocks` / `gen_skip` (any
value: the generator starts afresh, and since its output convolution starts at zero it adds
nothing at first).

Every old weight keeps its place in the new tensors (old channels first, new ones after, with
the channel order of the concatenations respected); a new channel's outgoing weights start at
zero, so the old outputs are computed as before, and its incoming weights start as in a fresh
model. New keypoint Jacobians start as the identity (a pure shift, as without). Two parts cannot
start exactly neutral, and start nearly so:
- a new keypoint's heatmap head row starts as in a fresh model (the keypoint lands somewhere
  near the centre and learns where to go);
- the mask head's row for a new candidate (a keypoint or the affine map) is a copy of the still
  background's row with its bias lowered by `NEW_CANDIDATE_BIAS`, so that the candidate starts
  with a small share where the background wins (a share of zero would never get a gradient)."""
import dataclasses

import torch

from agc_model import AGCConfig, AGCModel, Hourglass

NEW_CANDIDATE_BIAS = -3.0
GROWABLE = {"num_kp", "kp_channels", "dm_channels"}           # may increase
RESTARTED = {"gen_channels", "gen_res_blocks", "gen_skip"}      # the generator starts afresh
SWITCHED_ON = {"affine_candidate", "jacobians"}                # may go from off to on


def growable(old: AGCConfig, new: AGCConfig) -> bool:
    """Whether `grow` carries weights of `old` into `new` (and `new` is not `old`)."""
    a, b = dataclasses.asdict(old), dataclasses.asdict(new)
    for key in a:
        if key in GROWABLE and b[key] < a[key]:
            return False
        if key not in GROWABLE | RESTARTED | SWITCHED_ON and a[key] != b[key]:
            return False
    return a != b and not any(a[key] and not b[key] for key in SWITCHED_ON)


def candidate_map(old: AGCConfig, new: AGCConfig) -> torch.Tensor:
    """For each old motion candidate (background, keypoints, [affine]), its index in the new list."""
    index = list(range(old.num_kp + 1))
    if old.affine_candidate:
        index.append(new.candidates - 1)
    return torch.tensor(index)


def dense_motion_input_map(old: AGCConfig, new: AGCConfig) -> torch.Tensor:
    """For each channel of the old dense motion input ([heatmaps of C candidates, C key frames
    warped by them, 3 channels each]), its index in the new input."""
    cand = candidate_map(old, new)
    warped = new.candidates + (3 * cand[:, None] + torch.arange(3)[None]).reshape(-1)
    return torch.cat([cand, warped])


def leading(n: int) -> torch.Tensor:
    return torch.arange(n)


def hourglass_maps(prefix: str, old: Hourglass, new: Hourglass, input_map: torch.Tensor):
    """(tensor-name prefix, output-channel map, input-channel map) of each convolution of an
    hourglass, and the channel map of its output ([last decoder block, the input])."""
    maps = []
    for i, block in enumerate(old.down):
        ins = input_map if i == 0 else leading(old.down[i - 1][0].out_channels)
        maps.append((f"{prefix}.down.{i}.0", leading(block[0].out_channels), ins))
    x_map = leading(old.down[-1][0].out_channels)
    skips = [input_map] + [leading(d[0].out_channels) for d in old.down[:-1]]
    for j, (a, b) in enumerate(zip(old.up, new.up)):
        maps.append((f"{prefix}.up.{j}.0", leading(a[0].out_channels), x_map))
        # the decoder's output, then the skip, now after the wider output
        x_map = torch.cat([leading(a[0].out_channels), b[0].out_channels + skips.pop()])
    return maps, x_map


def grow(state: dict[str, torch.Tensor], old: AGCConfig, new: AGCConfig, seed: int = 1) -> dict[str, torch.Tensor]:
    """The state dict of `old`'s architecture carried into `new`'s (see the module's doc)."""
    if not growable(old, new):
        raise ValueError("grow: the new architecture is not a growth of the old one (training/grow.py)")
    torch.manual_seed(seed)
    old_model, new_model = AGCModel(old), AGCModel(new)
    grown = {k: v.clone() for k, v in new_model.state_dict().items()}
    rgb = leading(3)
    kp_maps, kp_out = hourglass_maps("kp_detector.hourglass", old_model.kp_detector.hourglass,
                                     new_model.kp_detector.hourglass, rgb)
    dm_in = dense_motion_input_map(old, new)
    dm_maps, dm_out = hourglass_maps("dense_motion.hourglass", old_model.dense_motion.hourglass,
                                     new_model.dense_motion.hourglass, dm_in)
    cand = candidate_map(old, new)
    convs = kp_maps + dm_maps + [("kp_detector.head", leading(old.num_kp), kp_out),
                                 ("dense_motion.mask", cand, dm_out),
                                 ("dense_motion.occlusion", leading(1), dm_out)]
    if old.jacobians:
        convs.append(("kp_detector.jacobian", leading(4 * old.num_kp), kp_out))
    for prefix, out_map, in_map in convs:
        weight = grown[f"{prefix}.weight"]
        weight[out_map] = 0                      # old outputs: nothing from new inputs
        weight[out_map[:, None], in_map[None, :]] = state[f"{prefix}.weight"]
        if f"{prefix}.bias" in grown:
            grown[f"{prefix}.bias"][out_map] = state[f"{prefix}.bias"]
        bn = prefix[:-2] + ".1"                  # the ConvBNReLU's batch norm
        if prefix.endswith(".0") and f"{bn}.weight" in grown:
            for field in ("weight", "bias", "running_mean", "running_var"):
                grown[f"{bn}.{field}"][out_map] = state[f"{bn}.{field}"]
            grown[f"{bn}.num_batches_tracked"] = state[f"{bn}.num_batches_tracked"].clone()
    new_candidates = sorted(set(range(new.candidates)) - set(cand.tolist()))
    for c in new_candidates:
        grown["dense_motion.mask.weight"][c] = grown["dense_motion.mask.weight"][0]
        grown["dense_motion.mask.bias"][c] = grown["dense_motion.mask.bias"][0] + NEW_CANDIDATE_BIAS
    if (old.gen_channels, old.gen_res_blocks, old.gen_skip) == (new.gen_channels, new.gen_res_blocks, new.gen_skip):
        grown.update({k: v.clone() for k, v in state.items() if k.startswith("generator.")})
    return grown
