import * as tf from '@tensorflow/tfjs';
import { LoupeError } from '../../src/errors.js';
import type { ModelDescriptor } from '../../src/model-descriptor.js';
import type { LetterboxTransform } from '../../src/types.js';
import { YOLO_FACE_ANCHORS, YOLO_FACE_STRIDE, decodeYoloFace } from './decoder.js';
import { loadTinyFaceDetector } from './network.js';

/** face-api's `tinyFaceDetector/const.ts` MEAN_RGB, subtracted before ÷255. */
export const YOLO_FACE_MEAN_RGB = [117.001, 114.697, 97.404] as const;
export const YOLO_FACE_DEFAULT_SIZE = 416;
export const YOLO_FACE_MIN_SIZE = 64;
export const YOLO_FACE_MAX_SIZE = 1280;

/**
 * face-api's geometry: the frame sits at the top-left of a `max(W, H)` square (zero padding right or
 * bottom), scaled uniformly to `inputSize`. Like face-api's correction factors, the scale per axis is the
 * ratio of the *rounded* reshaped size, `round(W·inputSize/max(W, H)) / W` (≤ 0.5 px from the exact one).
 */
export function yoloFaceLetterbox(sourceWidth: number, sourceHeight: number, inputSize: number): LetterboxTransform {
  const scale = inputSize / Math.max(sourceWidth, sourceHeight);
  const contentWidth = Math.round(sourceWidth * scale);
  const contentHeight = Math.round(sourceHeight * scale);
  return {
    sourceWidth,
    sourceHeight,
    inputWidth: inputSize,
    inputHeight: inputSize,
    contentWidth,
    contentHeight,
    scaleX: contentWidth / sourceWidth,
    scaleY: contentHeight / sourceHeight,
    padX: 0,
    padY: 0,
  };
}

/**
 * face-api's tensor path (`NetInput.toBatchTensor(inputSize, false)` + `normalize` + ÷255). In: `frame`
 * [H, W, 3] RGB 0..255. Out: [1, size, size, 3] float32 (RGB − mean)/255; the padding ends at −mean/255.
 */
export function preprocessYoloFace(frame: tf.Tensor3D, inputSize: number): { input: tf.Tensor4D; letterbox: LetterboxTransform } {
  const [height, width] = frame.shape;
  const side = Math.max(width, height);
  const input = tf.tidy(() => {
    const rgb = frame.dtype === 'float32' ? frame : tf.cast(frame, 'float32');
    const square = tf.pad(rgb, [
      [0, side - height],
      [0, side - width],
      [0, 0],
    ]);
    const resized = side === inputSize ? square : tf.image.resizeBilinear(square, [inputSize, inputSize], false, false);
    const normalised = tf.div(tf.sub(resized, tf.tensor1d([...YOLO_FACE_MEAN_RGB])), 255);
    return tf.expandDims(normalised, 0) as tf.Tensor4D;
  });
  return { input, letterbox: yoloFaceLetterbox(width, height, inputSize) };
}

/**
 * face-api.js's Tiny Face Detector (Tiny-YOLOv2 with separable convs, one class, 5 anchors), weights
 * from `@vladmandic/face-api` (`model/tiny_face_detector_model-weights_manifest.json` + `.bin`, MIT). The
 * network is built in code (`network.ts`); input any multiple of 32 (default 416).
 */
export function yoloFaceDescriptor(inputSize: number = YOLO_FACE_DEFAULT_SIZE): ModelDescriptor {
  if (!(Number.isInteger(inputSize) && inputSize % YOLO_FACE_STRIDE === 0 && inputSize >= YOLO_FACE_MIN_SIZE && inputSize <= YOLO_FACE_MAX_SIZE)) {
    throw new LoupeError(
      'bad-option',
      `The face detector's input size must be a multiple of ${YOLO_FACE_STRIDE} from ${YOLO_FACE_MIN_SIZE} to ${YOLO_FACE_MAX_SIZE}; got ${inputSize}.`,
    );
  }
  const cells = inputSize / YOLO_FACE_STRIDE;
  // Cell (x, y) is the square [32x, 32x + 32) of the input: the predicted centre is (x + σ(tx), y + σ(ty))·32,
  // anywhere inside it. Its prior point (`cellOf`) is the square's centre, σ = ½.
  return {
    id: 'yolo-face',
    title: 'Tiny Face Detector (YOLOv2, face-api)',
    graphFile: 'tiny_face_detector_model-weights_manifest.json',
    input: { name: 'input', width: inputSize, height: inputSize, padValue: 0 },
    outputs: ['conv8'],
    levels: [{ stride: YOLO_FACE_STRIDE, width: cells, height: cells, anchors: YOLO_FACE_ANCHORS.length, cellOrigin: 'centre' }],
    // [S, S, 20]: per anchor σ(tx), σ(ty), tw, th.
    regression: { kind: 'anchor-offsets', anchors: YOLO_FACE_ANCHORS },
    labels: ['face'],
    maxDetectionsLimit: 100,
    // face-api: score > 0.5, greedy NMS keeping boxes with IoU ≤ 0.4 (the engine's NMS on ≤ K rows).
    defaults: { scoreThreshold: 0.5, maxDetections: 100, nmsIouThreshold: 0.4 },
    load: loadTinyFaceDetector,
    preprocess: (frame) => preprocessYoloFace(frame, inputSize),
    withInputSize: (size) => yoloFaceDescriptor(size),
    decode: decodeYoloFace,
  };
}

export const yoloFace: ModelDescriptor = yoloFaceDescriptor();
