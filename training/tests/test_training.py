"""Tests of the training helpers that decide what a run trains: carrying a run into a larger
architecture (grow.py), the keypoints' affine fit, --set parsing and the output losses.
Small networks (64x64 frames, 16x16 motion) so that the whole file runs in seconds:

    /usr/bin/python3 -m unittest discover -s training/tests
"""
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from agc_model import AGCConfig, AGCModel, identity_grid, keypoint_affine, keypoint_grids  # noqa: E402
from grow import grow, growable  # noqa: E402
import train  # noqa: E402
from agc_data import crop_of, load_training_clips  # noqa: E402
from camera import estimate_batch, prewarp  # noqa: E402

SMALL = AGCConfig(size=64, motion_res=16, kp_channels=8, kp_max_channels=32, kp_depth=2,
                  dm_channels=8, dm_max_channels=32, dm_depth=2, gen_channels=4, gen_res_blocks=1)


def small(**changes) -> AGCConfig:
    return AGCConfig(**{**SMALL.to_dict(), **changes})


def trained_like(cfg: AGCConfig, seed: int = 3) -> AGCModel:
    """A model whose weights are all non-zero and whose batch norms have non-trivial statistics,
    as a trained one has (a fresh one has a zero output convolution)."""
    torch.manual_seed(seed)
    model = AGCModel(cfg)
    with torch.no_grad():
        for name, value in model.state_dict().items():
            if value.is_floating_point():
                if name.endswith("running_var"):
                    value.uniform_(0.5, 2.0)
                elif name.endswith("running_mean"):
                    value.uniform_(-0.2, 0.2)
                else:
                    value.add_(0.05 * torch.randn_like(value))
    return model.eval()


def animate(model: AGCModel, src: torch.Tensor, drv: torch.Tensor):
    with torch.no_grad():
        kp_src, kp_drv = model.kp_detector(src), model.kp_detector(drv)
        return kp_src, model.animate(src, kp_src, kp_drv)[0]


class GrowTests(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.src, self.drv = torch.rand(2, 3, 64, 64), torch.rand(2, 3, 64, 64)
        self.old = trained_like(SMALL)

    def grown(self, cfg: AGCConfig) -> AGCModel:
        model = AGCModel(cfg)
        model.load_state_dict(grow(self.old.state_dict(), SMALL, cfg))
        return model.eval()

    def test_wider_hourglasses_and_another_generator_compute_the_same_frames(self):
        _, expected = animate(self.old, self.src, self.drv)
        for cfg in (small(dm_channels=16), small(kp_channels=12), small(dm_channels=16, kp_channels=16)):
            _, out = animate(self.grown(cfg), self.src, self.drv)
            torch.testing.assert_close(out, expected, rtol=0, atol=1e-5, msg=str(cfg))
        # a generator of another size or with the skip starts afresh: no correction, the warped key frame
        for cfg in (small(gen_channels=8), small(gen_skip=True)):
            fresh_generator = self.grown(cfg)
            with torch.no_grad():
                kp_src, kp_drv = fresh_generator.kp_detector(self.src), fresh_generator.kp_detector(self.drv)
                out, warped, _, _ = fresh_generator.animate(self.src, kp_src, kp_drv)
            torch.testing.assert_close(out, warped, rtol=0, atol=0, msg=str(cfg))

    def test_new_keypoints_and_the_affine_candidate_keep_the_old_keypoints_and_nearly_the_frames(self):
        kp_old, expected = animate(self.old, self.src, self.drv)
        for cfg in (small(num_kp=14), small(affine_candidate=True), small(num_kp=12, dm_channels=16,
                                                                          affine_candidate=True)):
            kp, out = animate(self.grown(cfg), self.src, self.drv)
            torch.testing.assert_close(kp[:, :SMALL.num_kp], kp_old, rtol=0, atol=1e-6)
            self.assertLess(float((out - expected).abs().mean()), 0.02, str(cfg))

    def test_jacobians_start_as_the_identity_and_compute_the_same_frames(self):
        kp_old, expected = animate(self.old, self.src, self.drv)
        for cfg in (small(jacobians=True), small(jacobians=True, num_kp=12)):
            kp, out = animate(self.grown(cfg), self.src, self.drv)
            self.assertEqual(kp.shape[-1], 6)
            torch.testing.assert_close(kp[:, :SMALL.num_kp, :2], kp_old, rtol=0, atol=1e-6)
            torch.testing.assert_close(kp[..., 2:], torch.tensor([1.0, 0, 0, 1]).expand_as(kp[..., 2:]),
                                       rtol=0, atol=1e-6)
            if cfg.num_kp == SMALL.num_kp:
                torch.testing.assert_close(out, expected, rtol=0, atol=1e-5)
        # a run with Jacobians grows on and keeps them
        with_jac = trained_like(small(jacobians=True))
        more = AGCModel(small(jacobians=True, num_kp=12))
        more.load_state_dict(grow(with_jac.state_dict(), small(jacobians=True), small(jacobians=True, num_kp=12)))
        kp_before, _ = animate(with_jac, self.src, self.drv)
        kp_after, _ = animate(more.eval(), self.src, self.drv)
        torch.testing.assert_close(kp_after[:, :SMALL.num_kp], kp_before, rtol=0, atol=1e-6)

    def test_only_growth_is_accepted(self):
        self.assertTrue(growable(SMALL, small(num_kp=15)))
        self.assertTrue(growable(SMALL, small(gen_channels=2)))
        self.assertFalse(growable(SMALL, SMALL))
        self.assertFalse(growable(SMALL, small(num_kp=8)))
        self.assertFalse(growable(SMALL, small(motion_res=32)))
        self.assertFalse(growable(small(affine_candidate=True), SMALL))
        self.assertFalse(growable(small(jacobians=True), SMALL))
        with self.assertRaises(ValueError):
            grow(self.old.state_dict(), SMALL, small(dm_channels=4))


class AffineFitTests(unittest.TestCase):
    def test_an_exact_affine_motion_of_the_keypoints_is_recovered(self):
        torch.manual_seed(1)
        kp_drv = torch.rand(3, 10, 2) * 1.6 - 0.8
        theta = torch.tensor([[1.1, 0.1, 0.05], [-0.05, 0.9, 0.02]]).expand(3, 2, 3)
        kp_src = torch.einsum("bij,bkj->bki", theta[:, :, :2], kp_drv) + theta[:, None, :, 2]
        torch.testing.assert_close(keypoint_affine(kp_src, kp_drv, ridge=0.0), theta, rtol=0, atol=1e-4)
        # the ridge pulls towards the identity, a little
        self.assertLess(float((keypoint_affine(kp_src, kp_drv) - theta).abs().max()), 0.01)

    def test_keypoints_on_one_spot_give_a_shift(self):
        kp_drv = torch.full((1, 10, 2), 0.3)
        kp_src = kp_drv + torch.tensor([0.1, -0.2])
        fit = keypoint_affine(kp_src, kp_drv)
        torch.testing.assert_close(fit[0, :, :2], torch.eye(2), rtol=0, atol=1e-4)
        torch.testing.assert_close(fit[0, :, :2] @ kp_drv[0, 0] + fit[0, :, 2], kp_src[0, 0], rtol=0, atol=1e-4)


class KeypointGridTests(unittest.TestCase):
    def test_a_keypoint_s_grid_maps_its_driving_neighbourhood_by_its_local_affine_map(self):
        kp_drv = torch.tensor([[[0.2, -0.1, 1.0, 0.0, 0.0, 1.0]]])
        rotation = torch.tensor([[0.9, -0.2], [0.2, 0.9]])
        kp_src = torch.tensor([[[0.3, 0.0, *rotation.flatten().tolist()]]])
        grids = keypoint_grids(kp_src, kp_drv, 8)
        self.assertEqual(tuple(grids.shape), (1, 2, 8, 8, 2))
        z = grids[0, 0]                                          # the background: identity
        expected = kp_src[0, 0, :2] + (z - kp_drv[0, 0, :2]) @ rotation.T
        torch.testing.assert_close(grids[0, 1], expected, rtol=0, atol=1e-6)

    def test_identity_jacobians_give_the_shift_grids(self):
        torch.manual_seed(4)
        pos_src, pos_drv = torch.rand(2, 3, 2) - 0.5, torch.rand(2, 3, 2) - 0.5
        eye = torch.tensor([1.0, 0, 0, 1]).expand(2, 3, 4)
        grids = keypoint_grids(torch.cat([pos_src, eye], -1), torch.cat([pos_drv, eye], -1), 8)
        shifted = grids[:, :1] + (pos_src - pos_drv)[:, :, None, None, :]
        torch.testing.assert_close(grids[:, 1:], shifted, rtol=0, atol=1e-6)


class SettingsTests(unittest.TestCase):
    def test_set_changes_fields_with_their_types(self):
        cfg = train.config_with(AGCConfig(), ["num_kp=15", "affine_candidate=true", "kp_temperature=0.2"])
        self.assertEqual((cfg.num_kp, cfg.affine_candidate, cfg.kp_temperature), (15, True, 0.2))
        self.assertFalse(train.config_with(AGCConfig(), ["affine_candidate=0"]).affine_candidate)

    def test_bad_settings_are_refused_with_the_setting_named(self):
        for bad in ("num_kp", "depth=3", "num_kp=many", "affine_candidate=maybe"):
            with self.assertRaises(SystemExit) as caught:
                train.config_with(AGCConfig(), [bad])
            self.assertIn(bad, str(caught.exception))

    def test_a_saved_run_of_another_architecture_is_grown_only_from_another_run(self):
        state = {"config": AGCConfig().to_dict()}
        asked = AGCConfig(affine_candidate=True)
        cfg, grown_from = train.saved_config(state, asked, ["affine_candidate=1"], Path("other"), may_grow=True)
        self.assertEqual((cfg, grown_from), (asked, AGCConfig()))
        with self.assertRaises(SystemExit) as caught:
            train.saved_config(state, asked, ["affine_candidate=1"], Path("own"), may_grow=False)
        self.assertIn("own: its architecture differs from the --set one in affine_candidate", str(caught.exception))
        self.assertEqual(train.saved_config(state, AGCConfig(), [], Path("own"), may_grow=False), (AGCConfig(), None))

    def test_files_of_models_without_the_later_flags_do_not_name_them(self):
        for flag in ("affine_candidate", "gen_skip", "jacobians"):
            self.assertNotIn(flag, AGCConfig().to_dict())
            self.assertTrue(AGCConfig(**{flag: True}).to_dict()[flag])


class OutputLossTests(unittest.TestCase):
    def test_log_mse_weighs_each_pair_s_psnr_the_same(self):
        torch.manual_seed(2)
        target = torch.rand(2, 3, 32, 32)
        offsets = torch.tensor([0.1, 0.3])[:, None, None, None]     # a small error and a large one
        out = target + offsets
        halved_small = target + offsets * torch.tensor([0.5, 1.0])[:, None, None, None]
        halved_large = target + offsets * torch.tensor([1.0, 0.5])[:, None, None, None]
        loss = lambda x: float(train.output_loss("log-mse", x, target)["log_mse"])  # noqa: E731
        mse = lambda x: float(train.output_loss("mse", x, target)["mse"])  # noqa: E731
        # halving either pair's error gains about the same in log-mse (6 dB each, but for the
        # 40 dB floor); squared error gains 9 times more from the large one
        small_gain, large_gain = loss(out) - loss(halved_small), loss(out) - loss(halved_large)
        self.assertAlmostEqual(small_gain / large_gain, 1.0, delta=0.05)
        self.assertAlmostEqual((mse(out) - mse(halved_large)) / (mse(out) - mse(halved_small)), 9.0, delta=0.01)


class CameraTests(unittest.TestCase):
    def test_a_known_camera_move_is_measured(self):
        # key frame and frame are both taken from a larger smooth random picture (no border to
        # fill), the frame through a small zoom, pan and tilt
        torch.manual_seed(4)
        scene = F.interpolate(torch.rand(1, 3, 48, 48), size=(256, 256), mode="bicubic", align_corners=False).clamp(0, 1)
        theta = torch.tensor([[[1.04, 0.02, 0.06], [-0.01, 0.97, -0.08]]])
        view = lambda t: F.grid_sample(scene, F.affine_grid(0.7 * t, [1, 3, 128, 128], align_corners=False),  # noqa: E731
                                       align_corners=False)
        key, frame = view(torch.eye(2, 3)[None]), view(theta)
        torch.testing.assert_close(estimate_batch(key, frame), theta, rtol=0, atol=0.01)
        torch.testing.assert_close(estimate_batch(key, key), torch.eye(2, 3)[None], rtol=0, atol=1e-3)

    def test_the_moved_key_frame_carries_its_keypoints_along(self):
        # a bright blob at the keypoint; the camera zooms in and pans: the blob's centre in the
        # moved key frame is where the mapped keypoint says
        size = 128
        grid = identity_grid(size, size)
        kp = torch.tensor([[[0.3, -0.2], [-0.25, 0.1]]])
        blobs = torch.exp(-((grid[None, None] - kp[:, :, None, None]) ** 2).sum(-1) / (2 * 0.003)).sum(1)
        key = blobs[:, None].expand(1, 3, size, size).contiguous()
        theta = torch.tensor([[[0.9, 0.05, 0.1], [-0.03, 0.95, -0.05]]])
        moved, kp_moved = prewarp(key, kp, theta)
        for k in range(2):
            near = ((grid - kp_moved[0, k]) ** 2).sum(-1) < 0.15 ** 2
            weights = moved[0, 0] * near
            centre = (weights[..., None] * grid).sum((0, 1)) / weights.sum()
            torch.testing.assert_close(centre, kp_moved[0, k], rtol=0, atol=0.01)
        # a still camera changes nothing
        same, kp_same = prewarp(key, kp, torch.eye(2, 3)[None])
        torch.testing.assert_close(same, key, rtol=0, atol=1e-5)
        torch.testing.assert_close(kp_same, kp, rtol=0, atol=1e-6)


class TrainingCropTests(unittest.TestCase):
    def test_both_crops_name_the_centre_ones_and_leave_out_those_equal_to_the_face_crop(self):
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "cache"
            (cache / "train").mkdir(parents=True)
            rng = np.random.default_rng(0)
            wide_face, wide_centre, square = (rng.integers(0, 255, (3, 8, 8, 3), dtype=np.uint8) for _ in range(3))
            # a folder that is not there: the cached arrays are used as they are (a GPU machine)
            for name, array in (("wide.face8", wide_face), ("wide.centre8", wide_centre),
                                ("square.face8", square), ("square.centre8", square)):
                np.save(cache / "train" / f"{name}.npy", array)
            clips = load_training_clips(Path(tmp) / "train", cache, 8, ["face", "centre"])
            self.assertEqual(sorted(clips), ["square", "wide", "wide@centre"])
            np.testing.assert_array_equal(clips["wide@centre"], wide_centre)
            self.assertEqual([crop_of(n, "face") for n in sorted(clips)], ["face", "face", "centre"])
            self.assertEqual(sorted(load_training_clips(Path(tmp) / "train", cache, 8, ["centre"])), ["square", "wide"])


if __name__ == "__main__":
    unittest.main()
