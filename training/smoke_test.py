#!/usr/bin/env python3
"""CI smoke test of the training code (no WIDER data, ~1 min on 2 cores): a few steps on generated
pictures from face-api's backbone must bring the loss down, and the exported tfjs weights, read back,
must give the trained model's outputs.

    python3 training/smoke_test.py
"""
import os
import sys
import tempfile
import time

import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from yolo_face_small.data import Sampler, generated_pictures  # noqa: E402
from yolo_face_small.model import YoloFaceSmall, decode, fixture_input, read_tfjs_weights, tfjs_tensors  # noqa: E402
from yolo_face_small.train import batch_loss, build_model, export, train  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = os.path.join(ROOT, 'node_modules/@vladmandic/face-api/model/tiny_face_detector_model-weights_manifest.json')
STEPS = 80


def main():
    torch.set_num_threads(1)
    t0 = time.time()
    tiny = TINY if os.path.exists(TINY) else None
    pictures = generated_pictures(6, size=192)
    # A fixed batch of the same kind of pictures, scored before and after training.
    images, boxes = Sampler(generated_pictures(4, size=192, seed=1), crop=128, seed=1, scale_range=(0.5, 1.0), paste_prob=0).batch(4)
    torch.manual_seed(0)
    before = batch_loss(build_model(tiny).eval(), images, boxes)
    model, _ = train(pictures, STEPS, batch=4, crop=128, lr=5e-3, tiny_manifest=tiny, log_every=20,
                     sampler_options={'scale_range': (0.5, 1.0)}, log=lambda s: print(s, flush=True))
    after = batch_loss(model, images, boxes)
    print(f'loss on a fixed batch: {before:.3f} -> {after:.3f} after {STEPS} steps ({time.time() - t0:.0f} s)')
    assert after < 0.7 * before, f'the loss did not go down enough: {before:.3f} -> {after:.3f}'

    with tempfile.TemporaryDirectory() as folder:
        fixture = export(model, folder)
        weights = read_tfjs_weights(os.path.join(folder, 'yolo-face-small.json'))
        names = [name for name, _ in tfjs_tensors(model)]
        assert sorted(weights) == sorted(names), 'the manifest does not list every parameter'
        # Load the exported tensors into a fresh model, undoing the tfjs layouts, and compare outputs.
        fresh = YoloFaceSmall().eval()
        with torch.no_grad():
            for module_name, module in fresh.named_modules():
                if isinstance(module, torch.nn.Conv2d):
                    w = torch.from_numpy(weights[f'{module_name}/filter'])
                    module.weight.copy_(w.permute(2, 3, 0, 1) if module.groups > 1 else w.permute(3, 2, 0, 1))
                    if module.bias is not None:
                        module.bias.copy_(torch.from_numpy(weights[f'{module_name}/bias']))
            out = decode(fresh(fixture_input(fixture['size'])))[0]
        diff = (out - torch.tensor(fixture['output'])).abs().max().item()
        print(f'export round trip: max |difference| {diff:.2e} over {out.numel()} outputs')
        assert diff < 1e-4, diff
    print('ok')


if __name__ == '__main__':
    main()
