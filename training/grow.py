"""A trained model's weights carried into a larger architecture, so that a capacity change can be
tried by training on from a trained run instead of from scratch (two CPU cores cannot afford the
latter). Supported: adding the affine motion candidate (`affine_candidate`).

The dense motion network's input, [heatmaps of C candidates, C key frames warped by them], gains
the new candidate's channels; its weights on them start at zero, so the hourglass computes what it
did. The mask head gains a row for the new candidate: a copy of the still background's row, with
its bias lowered by `NEW_CANDIDATE_BIAS`, so that the candidate starts with a small share where the
background wins and learns from there (a share of exactly zero would never receive a gradient)."""
import torch

from agc_model import AGCConfig, AGCModel

NEW_CANDIDATE_BIAS = -3.0


def growable(old: AGCConfig, new: AGCConfig) -> bool:
    """Whether `grow` carries weights of `old` into `new`."""
    same = {k: v for k, v in old.to_dict().items() if k != "affine_candidate"}
    return same == {k: v for k, v in new.to_dict().items() if k != "affine_candidate"} \
        and not old.affine_candidate and new.affine_candidate


def input_channel_map(old: AGCConfig, new: AGCConfig) -> torch.Tensor:
    """For each channel of the old dense motion input, its index in the new input."""
    c_old, c_new = old.candidates, new.candidates
    heat = torch.arange(c_old)
    warped = c_new + torch.arange(3 * c_old)
    return torch.cat([heat, warped])


def grow(state: dict[str, torch.Tensor], old: AGCConfig, new: AGCConfig) -> dict[str, torch.Tensor]:
    """The state dict of `old`'s architecture carried into `new`'s (see the module's doc)."""
    if not growable(old, new):
        raise ValueError("grow: only adding the affine candidate is supported")
    grown = {k: v.clone() for k, v in AGCModel(new).state_dict().items()}
    inputs = input_channel_map(old, new)
    block = new.dm_channels
    for name, value in state.items():
        target = grown[name]
        if target.shape == value.shape:
            target.copy_(value)
        elif name == "dense_motion.hourglass.down.0.0.weight":
            target.zero_()
            target[:, inputs] = value
        elif name in ("dense_motion.mask.weight", "dense_motion.occlusion.weight"):
            # input: [hourglass features (block), the dense motion input]
            target.zero_()
            target[:value.shape[0], :block] = value[:, :block]
            target[:value.shape[0], block + inputs] = value[:, block:]
            if name == "dense_motion.mask.weight":
                target[-1] = target[0]
        elif name == "dense_motion.mask.bias":
            target[:value.shape[0]] = value
            target[-1] = value[0] + NEW_CANDIDATE_BIAS
        else:
            raise ValueError(f"grow: no rule for {name} {tuple(value.shape)} -> {tuple(target.shape)}")
    return grown
