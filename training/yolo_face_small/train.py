"""Training loop and export of yolo-face-small (run through training/train.py)."""
import json
import math
import os
import time

import torch

from .data import Sampler
from .loss import detection_loss
from .model import STRIDES, YoloFaceSmall, decode, export_tfjs, fixture_input, load_tiny_face_backbone, read_tfjs_weights, round_to_float16

FROZEN = ('conv0.', 'conv1.', 'conv2.')  # face-api's stride-2..8 layers: generic edges, kept as they are
PRETRAINED = ('conv3.', 'conv4.', 'conv5.')  # face-api's deeper layers: fine-tuned at a lower rate
FIXTURE_SIZE = 64


class Ema:
    """Exponential moving average of the weights (Ultralytics' ModelEMA: decay ramps up over ~2,000 steps)."""

    def __init__(self, model, decay=0.9995, tau=500):
        self.shadow = {k: v.detach().clone() for k, v in model.state_dict().items()}
        self.decay, self.tau, self.updates = decay, tau, 0

    @torch.no_grad()
    def update(self, model):
        self.updates += 1
        d = self.decay * (1 - math.exp(-self.updates / self.tau))
        for k, v in model.state_dict().items():
            if v.dtype.is_floating_point:
                self.shadow[k].mul_(d).add_(v.detach(), alpha=1 - d)


def load_exported(model, manifest_path):
    """Copies every tensor of an exported loupe-weights file (e.g. v1's yolo-face-small.json) whose name and
    shape the model has (tfjs layouts undone); returns the names of the model's convolutions it did not have."""
    weights = read_tfjs_weights(manifest_path)
    missing = []
    with torch.no_grad():
        for name, module in model.named_modules():
            if not isinstance(module, torch.nn.Conv2d):
                continue
            w = weights.get(f'{name}/filter')
            if w is None:
                missing.append(name)
                continue
            module.weight.copy_(torch.from_numpy(w).permute(2, 3, 0, 1) if module.groups > 1 else torch.from_numpy(w).permute(3, 2, 0, 1))
            if module.bias is not None:
                module.bias.copy_(torch.from_numpy(weights[f'{name}/bias']))
    return missing


def build_model(tiny_manifest=None, strides=STRIDES, init=None):
    """face-api's backbone (`tiny_manifest`), then, if given, an exported model's weights (`init`: v1 for v2)."""
    model = YoloFaceSmall(strides=strides)
    if tiny_manifest:
        load_tiny_face_backbone(model, tiny_manifest)
    if init:
        load_exported(model, init)
    for name, p in model.named_parameters():
        p.requires_grad = not name.startswith(FROZEN)
    return model


def train(pictures, steps, batch=8, crop=256, lr=2e-3, seed=0, tiny_manifest=None, log_every=10, checkpoint=None,
          log=print, sampler_options=None, strides=STRIDES, init=None, small_faces=None, crops=None,
          checkpoint_every=100, checkpoint_seconds=600, validate=None, validate_every=0, carry=None):
    """Trains from face-api's backbone (or from scratch without `tiny_manifest`), optionally from an exported
    model (`init`). `crops`: crop sizes drawn per step (multi-scale), else `crop`. `small_faces`: the loss's
    small-face recipe (default: on with a stride-4 level). `validate(ema_model, step)` runs every
    `validate_every` steps (after the checkpoint). A checkpoint is also written when `checkpoint_seconds`
    have passed since the last one (on a loaded machine 100 steps can take over an hour; a checkpoint does
    not change the run: the sampler's RNG is saved with it). `carry`: a small file (the averaged weights in
    float16, the step, the RNG; ~0.6 MB, committed) written with each checkpoint, to restart from on a
    machine where the full checkpoint (optimiser state, 4.4 MB, not committed) is gone. Returns the EMA model and the per-step losses."""
    torch.manual_seed(seed)
    small_faces = (min(strides) == 4) if small_faces is None else small_faces
    model = build_model(tiny_manifest, strides, init).to(memory_format=torch.channels_last)
    sampler = Sampler(pictures, crop=crop, seed=seed, **(sampler_options or {}))
    new = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith(PRETRAINED)]
    tuned = [p for n, p in model.named_parameters() if p.requires_grad and n.startswith(PRETRAINED)]
    optimizer = torch.optim.AdamW([{'params': new, 'lr': lr}, {'params': tuned, 'lr': lr * 0.25}], lr=lr, weight_decay=5e-4)
    base = [g['lr'] for g in optimizer.param_groups]
    warmup = min(100, steps // 10)
    ema = Ema(model)
    start_step, losses = 0, []
    if checkpoint and os.path.exists(checkpoint):
        state = torch.load(checkpoint)
        model.load_state_dict(state['model'])
        optimizer.load_state_dict(state['optimizer'])
        ema.shadow, ema.updates = state['ema'], state['ema_updates']
        start_step, losses = state['step'], state['losses']
        sampler.rng.setstate(state['rng'])
        log(f'resumed at step {start_step}')
    elif carry and os.path.exists(carry):
        # A fresh machine: only the committed carry-over (the averaged weights, float16) survived. The
        # network restarts from them with a fresh optimiser state: a warm restart, not a bit-exact resume.
        state = torch.load(carry)
        weights = {k: v.float() if v.is_floating_point() else v for k, v in state['ema'].items()}
        model.load_state_dict(weights)
        ema.shadow = {k: v.clone() for k, v in weights.items()}
        ema.updates = state['ema_updates']
        start_step, losses = state['step'], state['losses']
        sampler.rng.setstate(state['rng'])
        log(f'resumed at step {start_step} from the carried weights {carry} (fresh optimiser state)')
    model.train()
    t0, seen = time.time(), 0
    saved_at = time.time()
    for step in range(start_step, steps):
        f = (step + 1) / warmup if step < warmup else 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))
        for g, b in zip(optimizer.param_groups, base):
            g['lr'] = b * f
        size = crops[sampler.rng.randrange(len(crops))] if crops else crop
        images, boxes = sampler.batch(batch, size)
        images = images.contiguous(memory_format=torch.channels_last)  # faster convolutions on CPU
        with torch.no_grad():
            c2 = model.stem(images)
        outputs = [model.head(p) for p in model.pyramid(c2)]
        loss, parts = detection_loss(outputs, boxes, input_height=size, small_faces=small_faces)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        optimizer.step()
        ema.update(model)
        losses.append(loss.item())
        seen += 1
        if (step + 1) % log_every == 0 or step + 1 == steps:
            recent = losses[-log_every:]
            log(f'step {step + 1}/{steps} loss {sum(recent) / len(recent):.3f} (box {parts["box"]:.3f} cls {parts["cls"]:.3f} '
                f'dfl {parts["dfl"]:.3f}, {parts["fg"]} positives) lr {optimizer.param_groups[0]["lr"]:.2e} '
                f'{(time.time() - t0) / seen:.2f} s/step')
        if checkpoint and ((step + 1) % checkpoint_every == 0 or step + 1 == steps or time.time() - saved_at > checkpoint_seconds):
            saved_at = time.time()
            torch.save({'model': model.state_dict(), 'optimizer': optimizer.state_dict(), 'ema': ema.shadow,
                        'ema_updates': ema.updates, 'step': step + 1, 'losses': losses, 'rng': sampler.rng.getstate()},
                       checkpoint + '.tmp')
            os.replace(checkpoint + '.tmp', checkpoint)
            if carry:
                save_carry(carry, ema, step + 1, losses, sampler.rng.getstate())
        if validate and validate_every and ((step + 1) % validate_every == 0 or step + 1 == steps):
            averaged = YoloFaceSmall(strides=strides)
            averaged.load_state_dict(ema.shadow)
            validate(averaged.eval(), step + 1)
    final = YoloFaceSmall(strides=strides)
    final.load_state_dict(ema.shadow)
    final.eval()
    return final, losses


def save_carry(path, ema, step, losses, rng):
    """The committed carry-over of a run: what a fresh machine restarts from (see `train`)."""
    half = {k: v.half() if v.is_floating_point() else v for k, v in ema.shadow.items()}
    torch.save({'ema': half, 'ema_updates': ema.updates, 'step': step, 'losses': losses, 'rng': rng}, path + '.tmp')
    os.replace(path + '.tmp', path)


def batch_loss(model, images, boxes):
    """The detection loss of `model` on a fixed batch, without gradients."""
    with torch.no_grad():
        return detection_loss(model(images), boxes)[0].item()


def export(model, folder, metadata=None):
    """Rounds the weights to float16 (what is shipped), writes the tfjs manifest + weights, and the fixture:
    the exported model's layout-A output on `fixture_input(64)`, for models/yolo-face-small/*.test.ts."""
    round_to_float16(model)
    export_tfjs(model, folder, metadata=metadata)
    with torch.no_grad():
        outputs = model(fixture_input(FIXTURE_SIZE))
        out = decode(outputs, input_height=FIXTURE_SIZE)[0]
    cells = ' + '.join(str((FIXTURE_SIZE // s) ** 2) for s in model.strides)
    fixture = {
        'comment': 'Output of training/yolo_face_small (PyTorch) for the exported weights on model.fixture_input(64): '
                   f'layout A [5, N], rows cx, cy, w, h (input px), face probability; N = {cells} cells (strides '
                   f'{", ".join(map(str, model.strides))}). Also the raw face logits of the finest level (clsLogitsStride8 '
                   'keeps its name: stride 8 in generation 1, stride 4 in generation 2) and the DFL logits of its first cell.',
        'strides': list(model.strides),
        'size': FIXTURE_SIZE,
        'torch': torch.__version__,
        'output': [[round(v, 7) for v in row] for row in out.tolist()],
        'clsLogitsStride8': [round(v, 7) for v in outputs[0][1][0, 0].flatten().tolist()],
        'boxLogitsCell0': [round(v, 7) for v in outputs[0][0][0, :, 0, 0].tolist()],
    }
    os.makedirs(os.path.join(folder, 'fixtures'), exist_ok=True)
    with open(os.path.join(folder, 'fixtures', 'expected-64.json'), 'w') as f:
        json.dump(fixture, f)
        f.write('\n')
    return fixture
