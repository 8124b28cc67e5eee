import type { ModelDescriptor } from '../../src/model-descriptor.js';
import { COCO80_LABELS } from '../../src/labels/coco80.js';
import { CENTERNET_STRIDE, centerNetHostDecode, decodeCenterNet } from './decoder.js';

/**
 * CenterNet with a MobileNetV3-large-0.75 backbone, 512×512, COCO-80, from `@vladmandic/human`
 * (`models/centernet.json` + `.bin`). Input: RGB 0..255, no normalisation, centred black letterbox.
 */
export const centernet: ModelDescriptor = {
  id: 'centernet',
  title: 'CenterNet MobileNetV3 (COCO, 512)',
  graphFile: 'centernet.json',
  input: { name: 'tower_0/images', width: 512, height: 512, padValue: 0 },
  outputs: ['tower_0/keypoints', 'tower_0/wh'],
  levels: [{ stride: CENTERNET_STRIDE, width: 128, height: 128, anchors: 1, cellOrigin: 'corner' }],
  // [H, W, 4] l, t, r, b in input pixels from the cell's point.
  regression: { kind: 'ltrb' },
  labels: COCO80_LABELS,
  maxDetectionsLimit: 100,
  // The reference uses 0.3 to draw and no IoU-NMS (the 3×3 max-pool is its NMS).
  defaults: { scoreThreshold: 0.3, maxDetections: 100, nmsIouThreshold: null },
  decode: decodeCenterNet,
  hostDecode: centerNetHostDecode,
  // The head's three ×2 upsamplings (to 32², 64², 128² at 512) are the only square-bound nodes.
  rectInput: {
    multiple: 32,
    sizeConstants: [
      'tower_0/CenternetHead/c5_upsample/up_sampling2d/mul',
      'tower_0/CenternetHead/c4_upsample/up_sampling2d_1/mul',
      'tower_0/CenternetHead/c3_upsample/up_sampling2d_2/mul',
    ],
  },
};
