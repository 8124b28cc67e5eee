import { LoupeError } from '../../src/errors.js';
import type { LevelSpec, ModelDescriptor } from '../../src/model-descriptor.js';
import { decodeUltralytics } from '../ultralytics/decoder.js';
import type { LayoutChoice } from '../ultralytics/layouts.js';
import { preprocessUltralytics } from '../ultralytics/preprocess.js';
import { YOLO_FACE_SMALL_STRIDES, YOLO_FACE_SMALL_V2_STRIDES, loadYoloFaceSmall } from './network.js';

export const YOLO_FACE_SMALL_DEFAULT_SIZE = 640;
export const YOLO_FACE_SMALL_MIN_SIZE = 64;
export const YOLO_FACE_SMALL_MAX_SIZE = 1536;
/** Greedy NMS IoU, chosen before any validation run (face detectors use 0.4–0.5; Ultralytics' COCO 0.7 merges crowds less). */
export const YOLO_FACE_SMALL_NMS_IOU = 0.5;

/** One generation of the model: its id, weights file and strides. */
export interface YoloFaceSmallVariant {
  id: string;
  title: string;
  graphFile: string;
  strides: readonly number[];
}

/** What is shipped as `yolo-face-small` today: generation 1 (v1), until generation 2 beats it on wider-dev. */
export const YOLO_FACE_SMALL_SHIPPED: YoloFaceSmallVariant = {
  id: 'yolo-face-small',
  title: 'YOLO face small (Loupe, strides 8/16/32)',
  graphFile: 'yolo-face-small.json',
  strides: YOLO_FACE_SMALL_STRIDES,
};

/** Generation 2's architecture (stride-4 P2 level), for weights given by the caller (`graphFile` is a placeholder until it ships). */
export const YOLO_FACE_SMALL_V2: YoloFaceSmallVariant = {
  id: 'yolo-face-small',
  title: 'YOLO face small (Loupe, strides 4/8/16/32)',
  graphFile: 'yolo-face-small.json',
  strides: YOLO_FACE_SMALL_V2_STRIDES,
};

/** The output grids of an S×S input (cell centres, one box per cell), finest first. */
export function yoloFaceSmallLevels(inputSize: number, strides: readonly number[] = YOLO_FACE_SMALL_STRIDES): LevelSpec[] {
  return strides.map((stride) => ({
    stride,
    width: inputSize / stride,
    height: inputSize / stride,
    anchors: 1,
    cellOrigin: 'centre' as const,
  }));
}

/**
 * Loupe's own small-face YOLO (trained by `training/`, weights in this folder), decoded by the
 * Ultralytics decoder as layout A (`[1, 5, N]`, strides 8/16/32, or 4/8/16/32 for generation 2) with
 * Ultralytics' letterbox; the network is built in code (`network.ts`). Input any multiple of 32 (default 640).
 */
export function yoloFaceSmallDescriptor(inputSize: number = YOLO_FACE_SMALL_DEFAULT_SIZE, variant: YoloFaceSmallVariant = YOLO_FACE_SMALL_SHIPPED): ModelDescriptor {
  if (!(Number.isInteger(inputSize) && inputSize % 32 === 0 && inputSize >= YOLO_FACE_SMALL_MIN_SIZE && inputSize <= YOLO_FACE_SMALL_MAX_SIZE)) {
    throw new LoupeError(
      'bad-option',
      `yolo-face-small's input size must be a multiple of 32 from ${YOLO_FACE_SMALL_MIN_SIZE} to ${YOLO_FACE_SMALL_MAX_SIZE}; got ${inputSize}.`,
    );
  }
  const levels = yoloFaceSmallLevels(inputSize, variant.strides);
  const candidates = levels.reduce((sum, l) => sum + l.width * l.height, 0);
  const choice: LayoutChoice = { layout: { kind: 'channels-first', classes: 1, candidates }, levels };
  const input = { name: 'images', width: inputSize, height: inputSize, layout: 'nhwc' as const };
  return {
    id: variant.id,
    title: variant.title,
    graphFile: variant.graphFile,
    input: { name: input.name, width: inputSize, height: inputSize, padValue: 114 },
    outputs: ['output0'],
    levels,
    labels: ['face'],
    maxDetectionsLimit: 300,
    defaults: { scoreThreshold: 0.3, maxDetections: 300, nmsIouThreshold: null },
    nms: { iouThreshold: YOLO_FACE_SMALL_NMS_IOU },
    load: (context) => loadYoloFaceSmall(context, variant.strides),
    preprocess: (frame) => preprocessUltralytics(frame, input),
    withInputSize: (size) => yoloFaceSmallDescriptor(size, variant),
    decode: (outputs, options) => decodeUltralytics(choice, input, outputs, options),
  };
}

export const yoloFaceSmall: ModelDescriptor = yoloFaceSmallDescriptor();
