"""The yolo-face-small network (PyTorch), the same layers that models/yolo-face-small/network.ts builds in tfjs.

Backbone: the Tiny Face Detector's conv0..conv5 (face-api.js, MIT), started from its weights.
  conv0 3x3 (SAME here; face-api runs it VALID) + leaky 0.1, maxpool 2  -> stride 2
  conv1..conv5: depthwise 3x3 + pointwise 1x1 + bias + leaky, maxpool 2 between them
  conv3 output = C3 (128 ch, stride 8), conv4 = C4 (256 ch, stride 16), conv5 = C5 (512 ch, stride 32)
Neck: top-down FPN with `width` channels (1x1 laterals, nearest 2x upsampling, a separable 3x3 after each sum).
Head: YOLOv8-style decoupled head shared by the three levels: box branch (2 separable convs, 1x1 to
  4 x reg_max DFL logits) and class branch (2 separable convs, 1x1 to one face logit). No batch norm
  anywhere, so the exported weights are the trained weights.
Generation 2 (`strides=(4, 8, 16, 32)`, the default) adds a P2 level: conv2's stride-4 output (64 ch,
  before its max-pool; conv0..conv2 stay frozen) through a 1x1 lateral, summed with P3 upsampled 2x and a
  separable 3x3 (`fuse2`), read by the same shared head. Generation 1 is `strides=(8, 16, 32)`.
Output (`decode`): Ultralytics' layout A, [B, 4 + 1, N]: cx, cy, w, h in input pixels (DFL decoded:
  softmax over reg_max bins, expectation, ltrb around the cell centre, times the stride) and the face
  probability (sigmoid); N = levels concatenated finest first (4, 8, 16, 32), each row-major.
The input is RGB in 0..1 (Ultralytics' letterbox, 114 grey); the network subtracts face-api's mean itself.
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

LEAKY = 0.1
MEAN_RGB = (117.001, 114.697, 97.404)
STRIDES = (4, 8, 16, 32)
STRIDES_V1 = (8, 16, 32)
REG_MAX = 16
WIDTH = 64
BACKBONE_WIDTHS = (16, 32, 64, 128, 256, 512)


class Separable(nn.Module):
    """Depthwise 3x3 (no bias) -> pointwise 1x1 + bias -> leaky 0.1, as face-api's separable blocks."""

    def __init__(self, cin, cout):
        super().__init__()
        self.depthwise = nn.Conv2d(cin, cin, 3, padding=1, groups=cin, bias=False)
        self.pointwise = nn.Conv2d(cin, cout, 1, bias=True)

    def forward(self, x):
        return F.leaky_relu(self.pointwise(self.depthwise(x)), LEAKY)


class YoloFaceSmall(nn.Module):
    def __init__(self, width=WIDTH, reg_max=REG_MAX, strides=STRIDES):
        super().__init__()
        w = BACKBONE_WIDTHS
        self.reg_max = reg_max
        self.strides = tuple(strides)
        self.p2 = 4 in self.strides
        self.conv0 = nn.Conv2d(3, w[0], 3, padding=1)
        self.conv1 = Separable(w[0], w[1])
        self.conv2 = Separable(w[1], w[2])
        self.conv3 = Separable(w[2], w[3])
        self.conv4 = Separable(w[3], w[4])
        self.conv5 = Separable(w[4], w[5])
        self.lat3 = nn.Conv2d(w[3], width, 1)
        self.lat4 = nn.Conv2d(w[4], width, 1)
        self.lat5 = nn.Conv2d(w[5], width, 1)
        self.fuse4 = Separable(width, width)
        self.fuse3 = Separable(width, width)
        if self.p2:
            self.lat2 = nn.Conv2d(w[2], width, 1)
            self.fuse2 = Separable(width, width)
        self.box1 = Separable(width, width)
        self.box2 = Separable(width, width)
        self.box_out = nn.Conv2d(width, 4 * reg_max, 1)
        self.cls1 = Separable(width, width)
        self.cls2 = Separable(width, width)
        self.cls_out = nn.Conv2d(width, 1, 1)
        self.register_buffer('mean', torch.tensor(MEAN_RGB).view(1, 3, 1, 1) / 255.0, persistent=False)
        nn.init.constant_(self.box_out.bias, 1.0)
        nn.init.constant_(self.cls_out.bias, -4.6)  # prior 0.01
        nn.init.normal_(self.cls_out.weight, std=0.01)
        nn.init.normal_(self.box_out.weight, std=0.01)

    def stem(self, x):
        """Layers kept frozen in training (conv0..conv2): input -> conv2's stride-4 features [B, 64, H/4, W/4]
        (before its max-pool; the stride-8 input of conv3 is their 2x2 max)."""
        x = F.max_pool2d(F.leaky_relu(self.conv0(x - self.mean), LEAKY), 2)
        x = F.max_pool2d(self.conv1(x), 2)
        return self.conv2(x)

    def pyramid(self, c2):
        c3 = self.conv3(F.max_pool2d(c2, 2))
        c4 = self.conv4(F.max_pool2d(c3, 2))
        c5 = self.conv5(F.max_pool2d(c4, 2))
        p5 = F.leaky_relu(self.lat5(c5), LEAKY)
        p4 = self.fuse4(F.leaky_relu(self.lat4(c4), LEAKY) + F.interpolate(p5, scale_factor=2, mode='nearest'))
        p3 = self.fuse3(F.leaky_relu(self.lat3(c3), LEAKY) + F.interpolate(p4, scale_factor=2, mode='nearest'))
        if not self.p2:
            return [p3, p4, p5]
        p2 = self.fuse2(F.leaky_relu(self.lat2(c2), LEAKY) + F.interpolate(p3, scale_factor=2, mode='nearest'))
        return [p2, p3, p4, p5]

    def head(self, p):
        """The shared head on one level: (box logits [B, 4R, h, w], class logit [B, 1, h, w])."""
        return self.box_out(self.box2(self.box1(p))), self.cls_out(self.cls2(self.cls1(p)))

    def forward(self, x):
        """x [B, 3, H, W] RGB 0..1 (H, W multiples of 32) -> per level, finest first, (box logits, class logit)."""
        return [self.head(p) for p in self.pyramid(self.stem(x))]


def anchor_points(levels, strides, device=None):
    """Cell centres in input pixels [N, 2] and the stride of each [N], levels concatenated row-major."""
    points, stride_list = [], []
    for (h, w), s in zip(levels, strides):
        ys, xs = torch.meshgrid(torch.arange(h, device=device), torch.arange(w, device=device), indexing='ij')
        points.append((torch.stack([xs, ys], -1).reshape(-1, 2).float() + 0.5) * s)
        stride_list.append(torch.full((h * w,), float(s), device=device))
    return torch.cat(points), torch.cat(stride_list)


def flatten(outputs, reg_max=REG_MAX):
    """Per-level outputs -> DFL logits [B, N, 4, R], class logits [B, N], level sizes."""
    box = torch.cat([b.flatten(2) for b, _ in outputs], 2)  # [B, 4R, N]
    cls = torch.cat([c.flatten(2) for _, c in outputs], 2)[:, 0]  # [B, N]
    B, _, N = box.shape
    dist = box.view(B, 4, reg_max, N).permute(0, 3, 1, 2)
    return dist, cls, [tuple(b.shape[2:]) for b, _ in outputs]


def dfl_expectation(dist):
    """[..., 4, R] logits -> [..., 4] distances in stride units."""
    bins = torch.arange(dist.shape[-1], dtype=dist.dtype, device=dist.device)
    return (dist.softmax(-1) * bins).sum(-1)


def boxes_from_dist(ltrb, points, strides):
    """ltrb [B, N, 4] (stride units) -> x1, y1, x2, y2 [B, N, 4] in input pixels."""
    s = strides[None, :, None]
    return torch.cat([points[None] - ltrb[..., :2] * s, points[None] + ltrb[..., 2:] * s], -1)


def level_strides(levels, input_height):
    """The stride of each level from its height and the input's: [(h, w), ...] -> (s, ...)."""
    return tuple(input_height // h for h, _ in levels)


def decode(outputs, reg_max=REG_MAX, input_height=None):
    """Ultralytics layout A: [B, 5, N] = cx, cy, w, h (input px), face probability. `input_height`
    defaults to 32 x the coarsest level's height."""
    dist, cls, levels = flatten(outputs, reg_max)
    points, strides = anchor_points(levels, level_strides(levels, input_height or 32 * levels[-1][0]), device=dist.device)
    xyxy = boxes_from_dist(dfl_expectation(dist), points, strides)
    cxcywh = torch.cat([(xyxy[..., :2] + xyxy[..., 2:]) / 2, xyxy[..., 2:] - xyxy[..., :2]], -1)
    return torch.cat([cxcywh, cls.sigmoid()[..., None]], -1).permute(0, 2, 1)


# ---- face-api's Tiny Face Detector weights (uint8-quantised tfjs manifest) ----

def read_tfjs_weights(manifest_path):
    """Dequantised tensors of a tfjs weights manifest, by name, as numpy arrays in tfjs layout."""
    folder = os.path.dirname(manifest_path)
    with open(manifest_path) as f:
        groups = json.load(f)
    if isinstance(groups, dict):  # a model.json without topology (what export_tfjs writes)
        groups = groups['weightsManifest']
    out = {}
    for group in groups:
        data = b''.join(open(os.path.join(folder, p), 'rb').read() for p in group['paths'])
        offset = 0
        for entry in group['weights']:
            count = int(np.prod(entry['shape'])) if entry['shape'] else 1
            q = entry.get('quantization')
            if q:
                dtype = {'uint8': np.uint8, 'uint16': np.uint16, 'float16': np.float16}[q['dtype']]
                raw = np.frombuffer(data, dtype, count, offset)
                values = raw.astype(np.float32) if q['dtype'] == 'float16' else raw.astype(np.float32) * q['scale'] + q['min']
                offset += count * np.dtype(dtype).itemsize
            else:
                values = np.frombuffer(data, np.float32, count, offset).copy()
                offset += count * 4
            out[entry['name']] = values.reshape(entry['shape']).astype(np.float32)
    return out


def load_tiny_face_backbone(model, manifest_path):
    """Copies face-api's conv0..conv5 into the model (tfjs [kh, kw, in, out] -> torch [out, in, kh, kw])."""
    w = read_tfjs_weights(manifest_path)
    with torch.no_grad():
        model.conv0.weight.copy_(torch.from_numpy(w['conv0/filters']).permute(3, 2, 0, 1))
        model.conv0.bias.copy_(torch.from_numpy(w['conv0/bias']))
        for i in range(1, 6):
            block = getattr(model, f'conv{i}')
            block.depthwise.weight.copy_(torch.from_numpy(w[f'conv{i}/depthwise_filter']).permute(2, 3, 0, 1))
            block.pointwise.weight.copy_(torch.from_numpy(w[f'conv{i}/pointwise_filter']).permute(3, 2, 0, 1))
            block.pointwise.bias.copy_(torch.from_numpy(w[f'conv{i}/bias']))


# ---- export: a tfjs model.json with weights only, read by models/yolo-face-small/network.ts ----

def tfjs_tensors(model):
    """The model's parameters as (tfjs name, numpy array in tfjs layout), in a fixed order."""
    out = []
    for name, module in model.named_modules():
        if isinstance(module, nn.Conv2d):
            weight = module.weight.detach().cpu().numpy()
            if module.groups > 1:  # depthwise [C, 1, kh, kw] -> [kh, kw, C, 1]
                out.append((f'{name}/filter', weight.transpose(2, 3, 0, 1)))
            else:  # [out, in, kh, kw] -> [kh, kw, in, out]
                out.append((f'{name}/filter', weight.transpose(2, 3, 1, 0)))
            if module.bias is not None:
                out.append((f'{name}/bias', module.bias.detach().cpu().numpy()))
    return out


def round_to_float16(model):
    """Rounds every parameter to float16 in place: the exported model's exact weights."""
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())


def export_tfjs(model, folder, basename='yolo-face-small', metadata=None):
    """Writes `<basename>.json` (a tfjs model.json with `weightsManifest` and no topology: tfjs's own
    `tf.io.http` loader reads it; float16 weights) and `<basename>.bin`."""
    os.makedirs(folder, exist_ok=True)
    entries, chunks = [], []
    for name, array in tfjs_tensors(model):
        entries.append({'name': name, 'shape': list(array.shape), 'dtype': 'float32', 'quantization': {'dtype': 'float16'}})
        chunks.append(np.ascontiguousarray(array, dtype=np.float32).astype('<f2').tobytes())
    document = {
        'format': 'loupe-weights',
        'generatedBy': 'training/yolo_face_small (PyTorch)',
        'userDefinedMetadata': metadata or {},
        'weightsManifest': [{'paths': [f'{basename}.bin'], 'weights': entries}],
    }
    # One line per weight entry: readable diffs.
    text = json.dumps({k: v for k, v in document.items() if k != 'weightsManifest'}, indent=1)[:-2] + ',\n "weightsManifest": [{"paths": ' + \
        json.dumps(document['weightsManifest'][0]['paths']) + ', "weights": [\n' + \
        ',\n'.join('  ' + json.dumps(e) for e in entries) + '\n ]}]\n}\n'
    json.loads(text)
    with open(os.path.join(folder, f'{basename}.json'), 'w') as f:
        f.write(text)
    with open(os.path.join(folder, f'{basename}.bin'), 'wb') as f:
        f.write(b''.join(chunks))


def fixture_input(size):
    """The fixed test input [1, 3, size, size]: a smooth RGB pattern in 0..1, the same formula as the TS test."""
    y, x = torch.meshgrid(torch.arange(size, dtype=torch.float64), torch.arange(size, dtype=torch.float64), indexing='ij')
    r = 0.5 + 0.5 * torch.sin(x * 0.21 + y * 0.13)
    g = 0.5 + 0.5 * torch.cos(x * 0.07 - y * 0.19)
    b = ((x * 3 + y * 5) % 17) / 16
    return torch.stack([r, g, b])[None].float()
