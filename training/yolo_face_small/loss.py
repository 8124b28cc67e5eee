"""YOLOv8's detection loss for one class, with a task-aligned assigner made to reach tiny faces.

Assignment (Feng et al. 2021, TOOD, as Ultralytics' `TaskAlignedAssigner`), scale-aware: for each face,
candidate cells are those whose centre lies inside the face box, plus, at the finest level only (stride 4
in generation 2), inside the box widened to at least `FINEST_SPAN` strides (so a 6-px face gets the 2x2
nearest stride-4 cells, a 3-px face still gets cells; its ltrb targets are clamped at 0). Faces smaller
than `SMALL_SIDE` px are kept off the coarser levels whose stride is over half their side (at stride 8 a
6-px face is under one cell: its positives there would be the ones that are hardly ever right).
Alignment t = p^0.5 * IoU^6 (p: predicted face probability, IoU: predicted box vs face); the 10 best
candidates are positives; a cell claimed by two faces goes to the one its box overlaps most. Class
targets are t rescaled so that each face's best cell gets its best IoU.
Losses (Ultralytics' gains): BCE on the face logit (7.5 box, 0.5 class, 1.5 DFL), CIoU on the boxes and
distribution focal loss on the ltrb bins, both weighted by the class target, all divided by its sum.
Small-face weighting (generation 2): a positive cell's box, DFL and class terms are multiplied by
1 + SMALL_GAIN x clamp((32 - side) / 28, 0, 1) (side = sqrt of the face's area, px): a 4-px face counts
(1 + SMALL_GAIN) times a 32-px one, so the many small faces are not drowned by the few large ones whose
cells have high IoU (and hence high class targets).
"""
import math

import torch
import torch.nn.functional as F

from .model import REG_MAX, anchor_points, boxes_from_dist, dfl_expectation, flatten, level_strides

TOPK = 10
ALPHA, BETA = 0.5, 6.0
GAINS = {'box': 7.5, 'cls': 0.5, 'dfl': 1.5}
EPS = 1e-9
FINEST_SPAN = 2.0  # finest-level candidate box: at least this many strides wide
SMALL_SIDE = 16.0
SMALL_GAIN = 1.0


def box_iou(a, b, ciou=False):
    """IoU (or CIoU) of boxes a [..., 4] and b [..., 4] (x1, y1, x2, y2), broadcast."""
    w1, h1 = (a[..., 2] - a[..., 0]).clamp(min=0), (a[..., 3] - a[..., 1]).clamp(min=0)
    w2, h2 = (b[..., 2] - b[..., 0]).clamp(min=0), (b[..., 3] - b[..., 1]).clamp(min=0)
    iw = (torch.minimum(a[..., 2], b[..., 2]) - torch.maximum(a[..., 0], b[..., 0])).clamp(min=0)
    ih = (torch.minimum(a[..., 3], b[..., 3]) - torch.maximum(a[..., 1], b[..., 1])).clamp(min=0)
    inter = iw * ih
    union = w1 * h1 + w2 * h2 - inter + 1e-7
    iou = inter / union
    if not ciou:
        return iou
    cw = torch.maximum(a[..., 2], b[..., 2]) - torch.minimum(a[..., 0], b[..., 0])
    ch = torch.maximum(a[..., 3], b[..., 3]) - torch.minimum(a[..., 1], b[..., 1])
    c2 = cw ** 2 + ch ** 2 + 1e-7
    rho2 = ((b[..., 0] + b[..., 2] - a[..., 0] - a[..., 2]) ** 2 + (b[..., 1] + b[..., 3] - a[..., 1] - a[..., 3]) ** 2) / 4
    v = (4 / math.pi ** 2) * (torch.atan(w2 / (h2 + 1e-7)) - torch.atan(w1 / (h1 + 1e-7))) ** 2
    with torch.no_grad():
        alpha = v / (v - iou + (1 + 1e-7))
    return iou - (rho2 / c2 + v * alpha)


@torch.no_grad()
def assign(scores, pred_boxes, points, strides, gt, gt_mask, finest_span=1.0, scale_aware=False):
    """scores [B, N] probabilities, pred_boxes [B, N, 4], points [N, 2], strides [N], gt [B, M, 4], gt_mask [B, M].
    Returns target boxes [B, N, 4], target scores [B, N], foreground mask [B, N]."""
    B, N = scores.shape
    M = gt.shape[1]
    if M == 0:
        return torch.zeros(B, N, 4), torch.zeros(B, N), torch.zeros(B, N, dtype=torch.bool)
    half = strides / 2
    finest = strides == strides.min()
    # Boxes widened to one stride at the finest level (tiny faces); as they are elsewhere.
    cx, cy = (gt[..., 0] + gt[..., 2]) / 2, (gt[..., 1] + gt[..., 3]) / 2  # [B, M]
    widen = torch.where(finest, half * finest_span, torch.zeros_like(half))[None, None]
    hw = torch.maximum((gt[..., 2] - gt[..., 0])[..., None] / 2, widen)
    hh = torch.maximum((gt[..., 3] - gt[..., 1])[..., None] / 2, widen)
    dx = (points[None, None, :, 0] - cx[..., None]).abs()
    dy = (points[None, None, :, 1] - cy[..., None]).abs()
    candidate = (dx < hw) & (dy < hh) & gt_mask[..., None]  # [B, M, N]
    if scale_aware:
        side = ((gt[..., 2] - gt[..., 0]).clamp(min=0) * (gt[..., 3] - gt[..., 1]).clamp(min=0)).sqrt()[..., None]  # [B, M, 1]
        too_coarse = (side < SMALL_SIDE) & (strides[None, None] > side / 2) & ~finest[None, None]
        candidate = candidate & ~too_coarse
    overlaps = box_iou(gt[:, :, None, :], pred_boxes[:, None, :, :]).clamp(min=0) * candidate
    metric = scores[:, None, :].pow(ALPHA) * overlaps.pow(BETA) * candidate
    k = min(TOPK, N)
    # Candidates rank above other cells even when their alignment underflows to 0.
    top = (metric + candidate * 1e-30).topk(k, dim=-1).indices  # [B, M, k]
    positive = torch.zeros_like(candidate).scatter_(-1, top, True) & candidate
    # One face per cell: the one with the highest IoU.
    claimed = positive.sum(1)  # [B, N]
    if (claimed > 1).any():
        best = (overlaps * positive + positive * 1e-6).argmax(1)  # [B, N]
        one = F.one_hot(best, M).permute(0, 2, 1).bool()
        positive = torch.where((claimed > 1)[:, None, :], one & positive, positive)
    fg = positive.any(1)
    owner = positive.float().argmax(1)  # [B, N]
    target_boxes = torch.gather(gt, 1, owner[..., None].expand(B, N, 4))
    metric = metric * positive
    overlaps = overlaps * positive
    norm = metric / (metric.amax(-1, keepdim=True) + EPS) * overlaps.amax(-1, keepdim=True)
    target_scores = norm.amax(1) * fg
    return target_boxes, target_scores, fg


def dfl_loss(dist, target):
    """dist [K, 4, R] logits, target [K, 4] distances in stride units in [0, R - 1 - 0.01]."""
    left = target.long()
    right = left + 1
    wl = right.float() - target
    wr = 1 - wl
    logp = F.log_softmax(dist, -1)
    loss = -(logp.gather(-1, left[..., None])[..., 0] * wl + logp.gather(-1, right[..., None])[..., 0] * wr)
    return loss.mean(-1)


def detection_loss(outputs, gt_list, reg_max=REG_MAX, input_height=None, small_faces=False):
    """outputs: the model's per-level outputs; gt_list: per picture boxes [M, 4] (x1, y1, x2, y2, input px).
    `small_faces`: generation 2's recipe (finest-level span, scale-aware levels, small-face weights).
    Returns the total loss (scaled by the batch size as Ultralytics does) and its parts."""
    dist, cls, levels = flatten(outputs, reg_max)
    B, N = cls.shape
    points, strides = anchor_points(levels, level_strides(levels, input_height or 32 * levels[-1][0]), device=cls.device)
    pred_boxes = boxes_from_dist(dfl_expectation(dist), points, strides)
    M = max((len(g) for g in gt_list), default=0)
    gt = torch.zeros(B, M, 4)
    gt_mask = torch.zeros(B, M, dtype=torch.bool)
    for i, g in enumerate(gt_list):
        gt[i, :len(g)] = g
        gt_mask[i, :len(g)] = True
    target_boxes, target_scores, fg = assign(cls.detach().sigmoid(), pred_boxes.detach(), points, strides, gt, gt_mask,
                                             finest_span=FINEST_SPAN if small_faces else 1.0, scale_aware=small_faces)
    tss = max(target_scores.sum().item(), 1.0)
    if small_faces:
        side = ((target_boxes[..., 2] - target_boxes[..., 0]).clamp(min=0) * (target_boxes[..., 3] - target_boxes[..., 1]).clamp(min=0)).sqrt()
        weight = torch.where(fg, 1 + SMALL_GAIN * ((32 - side) / 28).clamp(0, 1), torch.ones_like(side))  # [B, N]
    else:
        weight = torch.ones_like(target_scores)
    loss_cls = (F.binary_cross_entropy_with_logits(cls, target_scores, reduction='none') * weight).sum() / tss
    if fg.any():
        w = target_scores[fg] * weight[fg]
        loss_box = ((1 - box_iou(pred_boxes[fg], target_boxes[fg], ciou=True)) * w).sum() / tss
        s = strides[None].expand(B, N)[fg][:, None]
        p = points[None].expand(B, N, 2)[fg]
        t = target_boxes[fg]
        ltrb = torch.cat([p - t[:, :2], t[:, 2:] - p], -1) / s
        loss_dfl = (dfl_loss(dist[fg], ltrb.clamp(0, reg_max - 1 - 0.01)) * w).sum() / tss
    else:
        loss_box = loss_dfl = cls.sum() * 0
    total = GAINS['box'] * loss_box + GAINS['cls'] * loss_cls + GAINS['dfl'] * loss_dfl
    return total, {'box': loss_box.item(), 'cls': loss_cls.item(), 'dfl': loss_dfl.item(), 'fg': int(fg.sum())}
