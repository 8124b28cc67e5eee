"""Fast Python-side validation for the training log: COCO-style AP, AP50, AP_small, AP50 on small faces of a
model on a COCO-format folder (wider-dev), single pass at one input size.

This is the log's figure, not the reference: `npm run eval` (the engine in Chromium: letterbox to a square,
its decoder, its NMS) is. Differences: here the picture is scaled so its long side is `size` and padded
(114 grey) to a multiple of 32 only, not to a square; NMS is plain greedy at IoU 0.5, score >= 0.01, top 100.
COCO rules as pycocotools: IoU .50:.05:.95, 101 recall points, area (of the ground-truth box, in the
picture's own pixels) small < 32², crowd boxes are ignore regions (a detection on one is neither TP nor FP),
up to 100 detections per picture.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

from .model import decode

GREY = 114 / 255
THRESHOLDS = np.arange(0.5, 0.951, 0.05)


def letterbox(pixels, size):
    """uint8 [3, H, W] -> float [1, 3, h, w] (long side `size`, padded to multiples of 32) and the scale."""
    _, H, W = pixels.shape
    scale = size / max(H, W)
    h, w = max(1, round(H * scale)), max(1, round(W * scale))
    image = F.interpolate(pixels.float()[None] / 255, size=(h, w), mode='bilinear', align_corners=False, antialias=False)
    ph, pw = math.ceil(h / 32) * 32, math.ceil(w / 32) * 32
    out = torch.full((1, 3, ph, pw), GREY)
    out[..., :h, :w] = image
    return out, scale


def nms(boxes, scores, iou=0.5, top=100):
    """Greedy NMS: boxes [K, 4] xyxy, scores [K] -> kept indices (best first, at most `top`)."""
    order = scores.argsort(descending=True)
    boxes = boxes[order]
    keep = []
    suppressed = torch.zeros(len(order), dtype=torch.bool)
    area = (boxes[:, 2] - boxes[:, 0]).clamp(min=0) * (boxes[:, 3] - boxes[:, 1]).clamp(min=0)
    for i in range(len(order)):
        if suppressed[i]:
            continue
        keep.append(i)
        if len(keep) == top:
            break
        ix = (torch.minimum(boxes[i, 2], boxes[:, 2]) - torch.maximum(boxes[i, 0], boxes[:, 0])).clamp(min=0)
        iy = (torch.minimum(boxes[i, 3], boxes[:, 3]) - torch.maximum(boxes[i, 1], boxes[:, 1])).clamp(min=0)
        inter = ix * iy
        suppressed |= inter / (area[i] + area - inter + 1e-9) > iou
    return order[torch.tensor(keep, dtype=torch.long)]


@torch.no_grad()
def detect(model, pixels, size, score=0.01, pre_nms=3000):
    """Detections [K, 5] (x1, y1, x2, y2 in the picture's pixels, score) of `model` on one picture."""
    image, scale = letterbox(pixels, size)
    out = decode(model(image), input_height=image.shape[2])[0].T  # [N, 5]
    out = out[out[:, 4] >= score]
    if len(out) > pre_nms:
        out = out[out[:, 4].topk(pre_nms).indices]
    xyxy = torch.cat([out[:, :2] - out[:, 2:4] / 2, out[:, :2] + out[:, 2:4] / 2], 1) / scale
    keep = nms(xyxy, out[:, 4])
    return torch.cat([xyxy[keep], out[keep, 4:5]], 1)


def iou_matrix(d, g):
    ix = np.clip(np.minimum(d[:, None, 2], g[None, :, 2]) - np.maximum(d[:, None, 0], g[None, :, 0]), 0, None)
    iy = np.clip(np.minimum(d[:, None, 3], g[None, :, 3]) - np.maximum(d[:, None, 1], g[None, :, 1]), 0, None)
    inter = ix * iy
    ad = (d[:, 2] - d[:, 0]) * (d[:, 3] - d[:, 1])
    ag = (g[:, 2] - g[:, 0]) * (g[:, 3] - g[:, 1])
    return inter / (ad[:, None] + ag[None, :] - inter + 1e-12), inter / (ad[:, None] + 1e-12)


def coco_ap(per_image, area_range=(0, 1e10)):
    """per_image: list of (detections [K, 5] numpy, gt [M, 4] numpy, crowd [C, 4] numpy), picture pixels.
    Returns AP over THRESHOLDS [T] for `area_range` (pycocotools' matching, 101-point interpolation)."""
    scores_all, matched_all, total = [[] for _ in THRESHOLDS], [[] for _ in THRESHOLDS], 0
    for dets, gt, crowd in per_image:
        dets = dets[np.argsort(-dets[:, 4], kind='stable')][:100]
        ga = (gt[:, 2] - gt[:, 0]) * (gt[:, 3] - gt[:, 1])
        g_ignore = (ga < area_range[0]) | (ga >= area_range[1])
        total += int((~g_ignore).sum())
        # Ground truths not ignored first, as pycocotools sorts them.
        order = np.argsort(g_ignore, kind='stable')
        gt, g_ignore = gt[order], g_ignore[order]
        da = (dets[:, 2] - dets[:, 0]) * (dets[:, 3] - dets[:, 1])
        d_out = (da < area_range[0]) | (da >= area_range[1])
        ious = iou_matrix(dets[:, :4], gt)[0] if len(gt) and len(dets) else np.zeros((len(dets), len(gt)))
        on_crowd = (iou_matrix(dets[:, :4], crowd)[1].max(1) if len(crowd) and len(dets) else np.zeros(len(dets)))
        for t, thr in enumerate(THRESHOLDS):
            taken = np.zeros(len(gt), dtype=bool)
            for i in range(len(dets)):
                best, best_iou = -1, min(thr, 1 - 1e-10)
                for j in range(len(gt)):
                    if taken[j]:
                        continue
                    if best > -1 and not g_ignore[best] and g_ignore[j]:
                        break
                    if ious[i, j] < best_iou:
                        continue
                    best, best_iou = j, ious[i, j]
                if best > -1:
                    taken[best] = True
                    if g_ignore[best]:
                        continue  # matched an ignored (out-of-range) face
                    scores_all[t].append(dets[i, 4])
                    matched_all[t].append(True)
                elif on_crowd[i] >= thr or d_out[i]:
                    continue  # on a crowd region, or an unmatched detection outside the area range
                else:
                    scores_all[t].append(dets[i, 4])
                    matched_all[t].append(False)
    aps = []
    for t in range(len(THRESHOLDS)):
        if total == 0:
            aps.append(float('nan'))
            continue
        s = np.array(scores_all[t])
        m = np.array(matched_all[t], dtype=bool)
        order = np.argsort(-s, kind='mergesort')
        m = m[order]
        tp, fp = np.cumsum(m), np.cumsum(~m)
        recall = tp / total
        precision = tp / np.maximum(tp + fp, 1e-12)
        for i in range(len(precision) - 2, -1, -1):
            precision[i] = max(precision[i], precision[i + 1])
        points = np.linspace(0, 1, 101)
        idx = np.searchsorted(recall, points, side='left')
        aps.append(float(np.mean([precision[i] if i < len(precision) else 0 for i in idx])))
    return np.array(aps)


def validate(model, pictures, size=1024, events=None):
    """AP, AP50, AP_small, AP50_small (percent) overall and per event of `model` on `pictures`
    (load_coco_folder at full resolution). Returns {'all': {...}, event: {...}}."""
    model.eval()
    rows = {}
    for p in pictures:
        dets = detect(model, p['pixels'], size).numpy()
        event = p['name'].split('/')[0]
        entry = (dets, p['boxes'].numpy(), p['crowd'].numpy())
        rows.setdefault('all', []).append(entry)
        rows.setdefault(event, []).append(entry)
    result = {}
    for key, entries in rows.items():
        ap = coco_ap(entries)
        small = coco_ap(entries, (0, 32 ** 2))
        ap_small = float('nan') if np.isnan(small).all() else 100 * np.nanmean(small)  # nan: no small face in these pictures
        result[key] = {'AP': 100 * ap.mean(), 'AP50': 100 * ap[0], 'AP_small': ap_small, 'AP50_small': 100 * small[0]}
    return result
