#!/usr/bin/env python3
"""Trains yolo-face-small and writes its weights into models/yolo-face-small/ (see training/README.md).

    npm run train                       # = python3 training/train.py, on ../shared/data/wider-dev
    python3 training/train.py --steps 50 --out /tmp/yfs   # a short check

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
from yolo_face_small.model import YoloFaceSmall  # noqa: E402
from yolo_face_small.train import export, train  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = os.path.join(ROOT, 'node_modules/@vladmandic/face-api/model/tiny_face_detector_model-weights_manifest.json')


def metadata(args, events, step):
    """What the weights file says about itself (tfjs `userDefinedMetadata`)."""
    return {
        'model': 'yolo-face-small',
        'exported': datetime.date.today().isoformat(),
        'data': f'WIDER FACE val, events {", ".join(events)}; WIDER FACE is for non-commercial research use only, and so are these weights',
        'recipe': f'training/train.py --steps {args.steps} --batch {args.batch} --crop {args.crop} --lr {args.lr} --seed {args.seed}',
        'step': step,
        'backbone': 'conv0..conv5 from face-api.js Tiny Face Detector (MIT)',
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--data', default=os.environ.get('LOUPE_WIDER', os.path.join(ROOT, '../shared/data/wider-dev')),
                        help='COCO-format WIDER FACE folder (instances.json, images/)')
    parser.add_argument('--train-events', default='Interview,Couple', help='events trained on (Family_Group is held out)')
    parser.add_argument('--out', default=os.path.join(ROOT, 'models/yolo-face-small'), help='where the weights go')
    parser.add_argument('--steps', type=int, default=700)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--crop', type=int, default=256)
    parser.add_argument('--lr', type=float, default=2e-3)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--threads', type=int, default=1, help='1 is fastest on a shared machine; 2 on an idle 2-core one')
    parser.add_argument('--checkpoint', default=os.path.join(ROOT, 'node_modules/.cache/loupe-training/yolo-face-small.pt'),
                        help='resumable checkpoint (written every 100 steps; a rerun resumes from it)')
    parser.add_argument('--fresh', action='store_true', help='ignore an existing checkpoint')
    parser.add_argument('--export-only', action='store_true', help='export the checkpoint\'s averaged weights and stop')
    args = parser.parse_args()
    if args.export_only:
        state = torch.load(args.checkpoint)
        model = YoloFaceSmall()
        model.load_state_dict(state['ema'])
        export(model.eval(), args.out, metadata(args, [e.strip() for e in args.train_events.split(',')], state['step']))
        print(f'exported step {state["step"]} to {args.out}')
        return

    torch.set_num_threads(args.threads)
    events = [e.strip() for e in args.train_events.split(',') if e.strip()]
    t0 = time.time()
    pictures = load_coco_folder(args.data, events=events)
    faces = sum(len(p['boxes']) for p in pictures)
    print(f'{len(pictures)} pictures, {faces} faces ({", ".join(events)}) from {args.data} in {time.time() - t0:.0f} s', flush=True)
    if not pictures:
        sys.exit(f'No pictures of events {events} in {args.data}.')
    os.makedirs(os.path.dirname(args.checkpoint), exist_ok=True)
    if args.fresh and os.path.exists(args.checkpoint):
        os.remove(args.checkpoint)
    model, losses = train(pictures, args.steps, batch=args.batch, crop=args.crop, lr=args.lr, seed=args.seed,
                          tiny_manifest=TINY, checkpoint=args.checkpoint, log=lambda s: print(s, flush=True))
    export(model, args.out, metadata(args, events, args.steps))
    print(f'wrote {args.out} in {(time.time() - t0) / 60:.1f} min; final loss {sum(losses[-20:]) / len(losses[-20:]):.3f}', flush=True)


if __name__ == '__main__':
    main()
