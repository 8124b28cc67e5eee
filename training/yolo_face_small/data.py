"""Training samples: WIDER FACE pictures (COCO-format folder) or generated pictures (smoke test), augmented.

Each sample is a `crop` x `crop` RGB tensor in 0..1 with face boxes (x1, y1, x2, y2, input px):
- multi-scale random crops: the picture is scaled by a log-uniform factor and a crop is taken, most often
  around a random face;
- small-object crops (generation 2, `small_prob`; S3FD's / TinaFace's data-anchor sampling): a face of the
  picture is drawn, a target side log-uniform in `small_range` (4-32 px) is drawn, the picture is scaled so
  that this face gets that side, and the crop is taken around it: most faces of the crop land at 4-32 px; the crop is resampled from the original with bilinear, half-pixel centres and no
  antialiasing (what cv2.resize and tfjs's resizeBilinear do at inference);
- copy-paste of real faces scaled down into the crop (Kisantal et al., 2019, "Augmentation for small
  object detection"): faces of the training pictures, with some context, pasted small (4-32 px) at free
  places with a feathered edge, and added to the boxes;
- horizontal flips and colour jitter (brightness, contrast, saturation);
- WIDER's invalid (crowd) boxes and faces too small to learn (< 2 px after scaling) are painted grey,
  so that they are neither positives nor negatives.
"""
import json
import math
import os
import random

import numpy as np
import torch
import torch.nn.functional as F

GREY = 114 / 255
MIN_FACE = 2.0  # px after scaling: smaller faces are painted grey (ignored)


def load_coco_folder(folder, events=None, exclude_events=None, max_side=1024):
    """Pictures of a COCO-format folder (`instances.json`, `images/`) as uint8 [3, H, W] tensors with
    boxes [M, 4] (x1, y1, x2, y2, px) and crowd boxes. `events`/`exclude_events`: file-name prefixes."""
    from PIL import Image  # only real data needs Pillow (Debian: python3-pil)

    with open(os.path.join(folder, 'instances.json')) as f:
        coco = json.load(f)
    by_image = {}
    for a in coco['annotations']:
        by_image.setdefault(a['image_id'], []).append(a)
    pictures = []
    for info in coco['images']:
        event = info['file_name'].split('/')[0]
        if events and not any(event.startswith(e) or e in event for e in events):
            continue
        if exclude_events and any(event.startswith(e) or e in event for e in exclude_events):
            continue
        image = Image.open(os.path.join(folder, 'images', info['file_name'])).convert('RGB')
        scale = min(1.0, max_side / max(image.size))
        if scale < 1:
            image = image.resize((round(image.width * scale), round(image.height * scale)), Image.BILINEAR)
        pixels = torch.from_numpy(np.asarray(image).copy()).permute(2, 0, 1).contiguous()
        boxes, crowd = [], []
        for a in by_image.get(info['id'], []):
            x, y, w, h = (v * scale for v in a['bbox'])
            if w <= 0 or h <= 0:
                continue
            (crowd if a.get('iscrowd') else boxes).append([x, y, x + w, y + h])
        pictures.append({'pixels': pixels, 'boxes': torch.tensor(boxes, dtype=torch.float32).view(-1, 4),
                         'crowd': torch.tensor(crowd, dtype=torch.float32).view(-1, 4), 'name': info['file_name']})
    return pictures


def generated_pictures(count, size=256, seed=0):
    """Pictures made up for the smoke test: noisy backgrounds with bright face-like ellipses (eyes, mouth)."""
    g = torch.Generator().manual_seed(seed)
    pictures = []
    for _ in range(count):
        pixels = (torch.rand(3, 1, 1, generator=g) * 0.6 + 0.2) * torch.ones(3, size, size)
        pixels += 0.08 * torch.randn(3, size, size, generator=g)
        boxes = []
        for _ in range(int(torch.randint(2, 6, (1,), generator=g))):
            w = float(torch.randint(8, 64, (1,), generator=g))
            h = w * 1.25
            x = float(torch.rand(1, generator=g)) * (size - w)
            y = float(torch.rand(1, generator=g)) * (size - h)
            yy, xx = torch.meshgrid(torch.arange(size).float(), torch.arange(size).float(), indexing='ij')
            cx, cy = x + w / 2, y + h / 2
            face = ((xx - cx) / (w / 2)) ** 2 + ((yy - cy) / (h / 2)) ** 2 <= 1
            pixels[:, face] = torch.tensor([0.9, 0.7, 0.6])[:, None]
            for ex in (cx - w * 0.2, cx + w * 0.2):
                eye = ((xx - ex) ** 2 + (yy - (cy - h * 0.1)) ** 2) <= (w * 0.08) ** 2
                pixels[:, eye] = 0.1
            mouth = (abs(xx - cx) <= w * 0.2) & (abs(yy - (cy + h * 0.25)) <= h * 0.04)
            pixels[:, mouth] = torch.tensor([0.6, 0.1, 0.1])[:, None]
            boxes.append([x, y, x + w, y + h])
        pictures.append({'pixels': (pixels.clamp(0, 1) * 255).round().to(torch.uint8), 'boxes': torch.tensor(boxes),
                         'crowd': torch.zeros(0, 4), 'name': 'generated'})
    return pictures


def face_bank(pictures, min_side=16, margin=0.2, limit=2000):
    """Face patches (uint8 [3, h, w]) with `margin` of context around each face, and the face box inside the patch."""
    bank = []
    for p in pictures:
        _, H, W = p['pixels'].shape
        for x1, y1, x2, y2 in p['boxes'].tolist():
            w, h = x2 - x1, y2 - y1
            if min(w, h) < min_side:
                continue
            px1, py1 = max(0, int(x1 - margin * w)), max(0, int(y1 - margin * h))
            px2, py2 = min(W, int(math.ceil(x2 + margin * w))), min(H, int(math.ceil(y2 + margin * h)))
            bank.append({'patch': p['pixels'][:, py1:py2, px1:px2], 'box': [x1 - px1, y1 - py1, x2 - px1, y2 - py1]})
    random.Random(0).shuffle(bank)
    return bank[:limit]


def resample(pixels, x0, y0, scale, size):
    """The `size` x `size` window at (x0, y0) (in output px) of `pixels` (uint8 [3, H, W]) scaled by `scale`:
    bilinear with half-pixel centres, no antialiasing; outside the picture is grey. Returns float [3, size, size]."""
    _, H, W = pixels.shape
    # Source region covering the window (+1 px of support), clipped to the picture.
    sx0, sy0 = max(0, int(math.floor(x0 / scale)) - 1), max(0, int(math.floor(y0 / scale)) - 1)
    sx1, sy1 = min(W, int(math.ceil((x0 + size) / scale)) + 2), min(H, int(math.ceil((y0 + size) / scale)) + 2)
    out = torch.full((3, size, size), GREY)
    if sx1 <= sx0 or sy1 <= sy0:
        return out
    region = pixels[:, sy0:sy1, sx0:sx1].float()[None] / 255
    # Output pixel i samples source (i + x0 + 0.5) / scale - 0.5 (half-pixel centres); grid_sample takes
    # coordinates normalised to the region with align_corners=False.
    xs = ((torch.arange(size) + x0 + 0.5) / scale - sx0) / (sx1 - sx0) * 2 - 1
    ys = ((torch.arange(size) + y0 + 0.5) / scale - sy0) / (sy1 - sy0) * 2 - 1
    gy, gx = torch.meshgrid(ys, xs, indexing='ij')
    sampled = F.grid_sample(region, torch.stack([gx, gy], -1)[None], mode='bilinear', padding_mode='border', align_corners=False)[0]
    # Grey outside the picture.
    inside_x = ((torch.arange(size) + x0 + 0.5) / scale >= 0) & ((torch.arange(size) + x0 + 0.5) / scale <= W)
    inside_y = ((torch.arange(size) + y0 + 0.5) / scale >= 0) & ((torch.arange(size) + y0 + 0.5) / scale <= H)
    inside = inside_y[:, None] & inside_x[None, :]
    return torch.where(inside[None], sampled, out)


def paint(image, boxes, value=GREY):
    for x1, y1, x2, y2 in boxes.tolist():
        image[:, max(0, int(y1)):max(0, int(math.ceil(y2))), max(0, int(x1)):max(0, int(math.ceil(x2)))] = value


def colour_jitter(image, rng):
    b = rng.uniform(0.7, 1.3)
    c = rng.uniform(0.7, 1.3)
    s = rng.uniform(0.6, 1.4)
    grey = image.mean(0, keepdim=True)
    image = grey + (image - grey) * s
    mean = image.mean()
    image = mean + (image - mean) * c
    return (image * b).clamp(0, 1)


def paste_faces(image, boxes, bank, rng, count, min_size=4.0, max_size=32.0):
    """Pastes `count` bank faces, scaled to a face width in [min_size, max_size] px (log-uniform), at places
    that overlap no face; returns the boxes with the pasted faces added."""
    size = image.shape[-1]
    added = []
    for _ in range(count):
        entry = bank[rng.randrange(len(bank))]
        fx1, fy1, fx2, fy2 = entry['box']
        target = math.exp(rng.uniform(math.log(min_size), math.log(max_size)))
        scale = target / (fx2 - fx1)
        patch = entry['patch']
        ph, pw = max(1, round(patch.shape[1] * scale)), max(1, round(patch.shape[2] * scale))
        if ph >= size or pw >= size:
            continue
        for _ in range(10):  # a free place
            x, y = rng.randrange(0, size - pw), rng.randrange(0, size - ph)
            new = torch.tensor([x + fx1 * scale, y + fy1 * scale, x + fx2 * scale, y + fy2 * scale])
            others = torch.cat([boxes] + [a[None] for a in added]) if (len(boxes) or added) else torch.zeros(0, 4)
            free = True
            if len(others):
                ix = (torch.minimum(others[:, 2], torch.tensor(x + pw + 2.0)) - torch.maximum(others[:, 0], torch.tensor(x - 2.0))).clamp(min=0)
                iy = (torch.minimum(others[:, 3], torch.tensor(y + ph + 2.0)) - torch.maximum(others[:, 1], torch.tensor(y - 2.0))).clamp(min=0)
                free = bool(((ix * iy) == 0).all())
            if free:
                small = F.interpolate(patch.float()[None] / 255, size=(ph, pw), mode='bilinear', align_corners=False, antialias=True)[0]
                if rng.random() < 0.5:
                    small = small.flip(-1)
                    new = torch.tensor([x + pw - fx2 * scale, y + fy1 * scale, x + pw - fx1 * scale, y + fy2 * scale])
                # Feathered edge: full opacity inside, fading over the outer ~15% of the margin.
                ay = torch.clamp(torch.minimum(torch.arange(ph) + 1.0, ph - torch.arange(ph).float()) / max(1.0, ph * 0.08), max=1)
                ax = torch.clamp(torch.minimum(torch.arange(pw) + 1.0, pw - torch.arange(pw).float()) / max(1.0, pw * 0.08), max=1)
                alpha = (ay[:, None] * ax[None, :])[None]
                region = image[:, y:y + ph, x:x + pw]
                image[:, y:y + ph, x:x + pw] = region * (1 - alpha) + small * alpha
                added.append(new)
                break
    return torch.cat([boxes] + [a[None] for a in added]) if added else boxes


class Sampler:
    """Draws augmented training crops from `pictures`."""

    def __init__(self, pictures, crop=256, scale_range=(0.25, 1.25), paste_prob=0.6, paste_max=8, seed=0, bank=None,
                 small_prob=0.0, small_range=(4.0, 32.0)):
        self.pictures = pictures
        self.small_prob = small_prob
        self.small_range = small_range
        self.crop = crop
        self.scale_range = scale_range
        self.paste_prob = paste_prob
        self.paste_max = paste_max
        self.rng = random.Random(seed)
        self.bank = face_bank(pictures) if bank is None else bank

    def sample(self, crop=None):
        rng, crop = self.rng, crop or self.crop
        p = self.pictures[rng.randrange(len(self.pictures))]
        _, H, W = p['pixels'].shape
        anchor = None
        if len(p['boxes']) and rng.random() < self.small_prob:  # a face scaled to 4-32 px, the crop around it
            anchor = rng.randrange(len(p['boxes']))
            fx1, fy1, fx2, fy2 = p['boxes'][anchor].tolist()
            side = max(1.0, math.sqrt(max(0.0, fx2 - fx1) * max(0.0, fy2 - fy1)))
            target = math.exp(rng.uniform(*map(math.log, self.small_range)))
            scale = min(2.0 * 1024 / max(H, W), target / side)  # upscaling at most 2x the 1024 view
        else:
            scale = math.exp(rng.uniform(*map(math.log, self.scale_range))) * (1024 / max(H, W) if max(H, W) > 0 else 1)
        sw, sh = W * scale, H * scale
        boxes = p['boxes'] * scale
        if len(boxes) and (anchor is not None or rng.random() < 0.8):  # around a face
            x1, y1, x2, y2 = boxes[anchor if anchor is not None else rng.randrange(len(boxes))].tolist()
            x0 = rng.uniform(x2 - crop, x1) if x2 - x1 < crop else rng.uniform(x1, x2 - crop)
            y0 = rng.uniform(y2 - crop, y1) if y2 - y1 < crop else rng.uniform(y1, y2 - crop)
        else:
            x0 = rng.uniform(min(0, sw - crop), max(0, sw - crop))
            y0 = rng.uniform(min(0, sh - crop), max(0, sh - crop))
        x0, y0 = round(x0), round(y0)
        image = resample(p['pixels'], x0, y0, scale, crop)
        shift = torch.tensor([x0, y0, x0, y0], dtype=torch.float32)
        boxes = boxes - shift
        crowd = p['crowd'] * scale - shift
        # Faces whose centre is in the crop, clipped to it.
        centre = (boxes[:, :2] + boxes[:, 2:]) / 2
        keep = (centre >= 0).all(1) & (centre < crop).all(1)
        boxes = boxes[keep].clamp(0, crop)
        size_ok = ((boxes[:, 2:] - boxes[:, :2]) >= MIN_FACE).all(1)
        paint(image, torch.cat([crowd, boxes[~size_ok]]))
        boxes = boxes[size_ok]
        if self.bank and rng.random() < self.paste_prob:
            boxes = paste_faces(image, boxes, self.bank, rng, rng.randint(1, self.paste_max))
        if rng.random() < 0.5:
            image = image.flip(-1)
            boxes = torch.stack([crop - boxes[:, 2], boxes[:, 1], crop - boxes[:, 0], boxes[:, 3]], 1) if len(boxes) else boxes
        image = colour_jitter(image, rng)
        return image, boxes

    def batch(self, size, crop=None):
        images, boxes = zip(*(self.sample(crop) for _ in range(size)))
        return torch.stack(images), list(boxes)
