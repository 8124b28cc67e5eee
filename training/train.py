#!/usr/bin/env python3
"""Trains yolo-face-small and writes its weights into models/yolo-face-small/ (see training/README.md).

    npm run train                       # = python3 training/train.py: generation 2 (stride 4..32) on
                                        #   ../shared/data/wider-train, validated on ../shared/data/wider-dev
    python3 training/train.py --generation 1   # v1's recipe (strides 8..32, wider-dev Interview + Couple)
    python3 training/train.py --steps 50 --out /tmp/yfs --checkpoint /tmp/yfs/c.pt   # a short check

Needs Debian's python3-torch and python3-pil (apt-get install python3-torch python3-pil); CPU only.
"""
import argparse
import datetime
import os
import sys
import time

import torch

sys.dont_write_bytecode = True  # no __pycache__ in the working tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from yolo_face_small.data import load_coco_folder  # noqa: E402
from yolo_face_small.model import STRIDES, STRIDES_V1, YoloFaceSmall  # noqa: E402
from yolo_face_small.train import export, load_exported, train  # noqa: E402
from yolo_face_small.validate import validate  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = os.path.join(ROOT, 'node_modules/@vladmandic/face-api/model/tiny_face_detector_model-weights_manifest.json')
V1 = os.path.join(ROOT, 'models/yolo-face-small/yolo-face-small.json')
SHARED = os.path.join(ROOT, '../shared/data')
# Per generation: data, events, output, checkpoint and recipe defaults (flags override them).
GENERATIONS = {
    1: {'data': os.path.join(SHARED, 'wider-dev'), 'events': 'Interview,Couple', 'strides': STRIDES_V1, 'steps': 700,
        'crops': '256', 'checkpoint': 'node_modules/.cache/loupe-training/yolo-face-small.pt', 'init': '', 'small_prob': 0.0,
        'val_every': 0},
    2: {'data': os.path.join(SHARED, 'wider-train'), 'events': '', 'strides': STRIDES, 'steps': 3000,
        'crops': '224,256,320', 'checkpoint': 'node_modules/.cache/loupe-training-v2/generation-2.pt',
        'carry': 'training/checkpoints/generation-2.carry.pt', 'init': V1,
        'small_prob': 0.6, 'val_every': 500},
}


def metadata(args, events, step):
    """What the weights file says about itself (tfjs `userDefinedMetadata`)."""
    return {
        'model': 'yolo-face-small',
        'exported': datetime.date.today().isoformat(),
        'data': (f'WIDER FACE {"val" if args.generation == 1 else "train"}, events {", ".join(events) or "all in " + os.path.basename(args.data)}; '
                 'WIDER FACE is for non-commercial research use only, and so are these weights'),
        'recipe': f'training/train.py --generation {args.generation} --steps {args.steps} --batch {args.batch} --crops {args.crops} '
                  f'--lr {args.lr} --seed {args.seed}',
        'strides': list(GENERATIONS[args.generation]['strides']),
        'step': step,
        'backbone': 'conv0..conv5 from face-api.js Tiny Face Detector (MIT)',
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--generation', type=int, choices=(1, 2), default=2, help='2: stride-4 level + tiny-face recipe; 1: v1')
    parser.add_argument('--data', default=os.environ.get('LOUPE_WIDER'), help='COCO-format WIDER FACE folder (instances.json, '
                        'images/); default ../shared/data/wider-train (generation 2) or wider-dev (1)')
    parser.add_argument('--train-events', default=None, help='events trained on (generation 1: Interview,Couple; 2: all)')
    parser.add_argument('--val-data', default=os.path.join(SHARED, 'wider-dev'), help='validation folder for the log')
    parser.add_argument('--val-every', type=int, default=None, help='validate every N steps (generation 2: 500; 0: never)')
    parser.add_argument('--val-size', type=int, default=1024, help='validation input size (long side)')
    parser.add_argument('--val-subset', type=int, default=3, help='validate on every Nth wider-dev picture (1: all; the log\'s '
                        'figure; 3 keeps a validation at 1024 near 10 CPU-minutes)')
    parser.add_argument('--out', default=None, help='where the weights go (generation 1: models/yolo-face-small; 2: '
                        'export/ next to the checkpoint, shipped with --export-only --out models/yolo-face-small once it beats v1)')
    parser.add_argument('--steps', type=int, default=None, help='total steps (generation 2: 3000; 1: 700)')
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--crops', default=None, help='crop sizes drawn per step, multi-scale (generation 2: 224,256,320; 1: 256)')
    parser.add_argument('--lr', type=float, default=2e-3)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--threads', type=int, default=1, help='1 is fastest on a shared machine; 2 on an idle 2-core one')
    parser.add_argument('--checkpoint', default=None, help='resumable checkpoint (a rerun resumes from it); default '
                        'node_modules/.cache/loupe-training-v2/generation-2.pt (generation 2; its small carry-over, training/checkpoints/generation-2.carry.pt, is committed), node_modules/.cache/loupe-training/ (1)')
    parser.add_argument('--checkpoint-every', type=int, default=100, help='steps between checkpoints (also one every 10 minutes)')
    parser.add_argument('--log-file', default=None, help='progress log (appended); default next to the checkpoint, progress.txt')
    parser.add_argument('--fresh', action='store_true', help='ignore an existing checkpoint')
    parser.add_argument('--export-only', action='store_true', help='export the checkpoint\'s averaged weights and stop')
    parser.add_argument('--validate-weights', default=None, help='validate an exported weights file (of --generation\'s '
                        'architecture; e.g. v1: --generation 1 --validate-weights models/yolo-face-small/yolo-face-small.json) and stop')
    args = parser.parse_args()
    g = GENERATIONS[args.generation]
    args.data = args.data or g['data']
    args.train_events = g['events'] if args.train_events is None else args.train_events
    args.steps = args.steps or g['steps']
    args.crops = args.crops or g['crops']
    args.val_every = g['val_every'] if args.val_every is None else args.val_every
    args.checkpoint = args.checkpoint or os.path.join(ROOT, g['checkpoint'])
    args.out = args.out or (os.path.join(ROOT, 'models/yolo-face-small') if args.generation == 1 else
                            os.path.join(os.path.dirname(args.checkpoint), 'export'))
    args.carry = os.path.join(ROOT, g['carry']) if g.get('carry') else None
    # The progress log is committed with the carry-over (generation 2), else next to the checkpoint.
    args.log_file = args.log_file or os.path.join(os.path.dirname(args.carry or args.checkpoint), 'progress.txt')
    crops = [int(c) for c in args.crops.split(',')]
    os.makedirs(os.path.dirname(args.checkpoint), exist_ok=True)
    os.makedirs(os.path.dirname(args.log_file), exist_ok=True)
    log_file = open(args.log_file, 'a')

    def log(line):
        print(line, flush=True)
        log_file.write(f'{datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")} {line}\n')
        log_file.flush()

    def run_validation(model, step, pictures):
        t = time.time()
        result = validate(model, pictures, args.val_size)
        figures = '; '.join(f'{k} AP {v["AP"]:.1f} AP50 {v["AP50"]:.1f} AP_small {v["AP_small"]:.1f} AP50_small {v["AP50_small"]:.1f}'
                            for k, v in sorted(result.items()))
        log(f'val {step} @{args.val_size} ({time.time() - t:.0f} s): {figures}')

    if args.validate_weights:
        torch.set_num_threads(args.threads)
        model = YoloFaceSmall(strides=g['strides'])
        missing = load_exported(model, args.validate_weights)
        if missing:
            sys.exit(f'{args.validate_weights} lacks {", ".join(missing)} (another generation?)')
        pictures = load_coco_folder(args.val_data, max_side=100000)[::args.val_subset]
        run_validation(model.eval(), f'of {args.validate_weights} on {len(pictures)} pictures', pictures)
        return

    if args.export_only:
        state = torch.load(args.checkpoint if os.path.exists(args.checkpoint) or not args.carry else args.carry)
        model = YoloFaceSmall(strides=g['strides'])
        model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state['ema'].items()})
        export(model.eval(), args.out, metadata(args, [e.strip() for e in args.train_events.split(',')], state['step']))
        print(f'exported step {state["step"]} to {args.out}')
        return

    torch.set_num_threads(args.threads)
    events = [e.strip() for e in args.train_events.split(',') if e.strip()]
    t0 = time.time()
    pictures = load_coco_folder(args.data, events=events or None)
    faces = sum(len(p['boxes']) for p in pictures)
    log(f'command: {" ".join(sys.argv)}')
    log(f'{len(pictures)} pictures, {faces} faces ({", ".join(events) or "all events"}) from {args.data} in {time.time() - t0:.0f} s')
    if not pictures:
        sys.exit(f'No pictures of events {events} in {args.data}.')
    validate_fn = None
    if args.val_every:
        val_pictures = load_coco_folder(args.val_data, max_side=100000)[::args.val_subset]  # full resolution: COCO areas in picture px
        log(f'validation: {len(val_pictures)} pictures of {args.val_data} (every {args.val_subset}), at {args.val_size}')

        def validate_fn(model, step):
            run_validation(model, f'step {step}', val_pictures)
    for path in (args.checkpoint, args.carry) if args.fresh else ():
        if path and os.path.exists(path):
            os.remove(path)
    model, losses = train(pictures, args.steps, batch=args.batch, crop=crops[0], crops=crops if len(crops) > 1 else None,
                          lr=args.lr, seed=args.seed, tiny_manifest=TINY, checkpoint=args.checkpoint,
                          checkpoint_every=args.checkpoint_every, log=log, strides=g['strides'], init=g['init'] or None,
                          sampler_options={'small_prob': g['small_prob']}, validate=validate_fn, validate_every=args.val_every,
                          carry=args.carry)
    export(model, args.out, metadata(args, events, args.steps))
    log(f'wrote {args.out} in {(time.time() - t0) / 60:.1f} min; final loss {sum(losses[-20:]) / len(losses[-20:]):.3f}')


if __name__ == '__main__':
    main()
