/**
 * The stages of one model pass, as functions both the single pass (`detector.ts`) and the small-object
 * mode (`small-objects/run.ts`) call: preprocess, execute, decode, the model's NMS setting, and rows →
 * `Detection`. Each stage owns and disposes what it is handed as documented on it.
 */
import * as tf from '@tensorflow/tfjs';
import { asLoupeError } from './errors.js';
import type { DecodedFrame, ModelDescriptor, RunnableModel } from './model-descriptor.js';
import { computeLetterbox, inputToSource, letterboxFrame } from './preprocess/letterbox.js';
import { levelsFor } from './runtime/rect-input.js';
import type { Detection, DetectionCell, LetterboxTransform } from './types.js';

/**
 * The model input for one frame. In: `frame` [H, W, 3] RGB 0..255 (not disposed). Out: the descriptor's
 * input (default: centred letterbox [1, H, W, 3] then `normalize`) and its letterbox transform. With
 * `rectMultiple` (a `rectInput` model) the input is the smallest multiple that holds the frame.
 */
export function preprocessFrame(descriptor: ModelDescriptor, frame: tf.Tensor3D, rectMultiple?: number): { input: tf.Tensor; letterbox: LetterboxTransform } {
  if (descriptor.preprocess) return descriptor.preprocess(frame);
  const [height, width] = frame.shape;
  const letterbox = computeLetterbox(width, height, descriptor.input.width, descriptor.input.height, rectMultiple);
  const input = tf.tidy(() => {
    const boxed = letterboxFrame(frame, letterbox, descriptor.input.padValue);
    return descriptor.input.normalize ? descriptor.input.normalize(boxed) : boxed;
  });
  return { input, letterbox };
}

/** Runs the model on `input` (disposed here, run or not); its failure is a `model-mismatch`. */
export async function executeModel(runnable: RunnableModel, input: tf.Tensor, model: string): Promise<tf.Tensor[]> {
  try {
    return await runnable.execute(input);
  } catch (error) {
    throw asLoupeError(error, 'model-mismatch', `Running '${model}' failed`);
  } finally {
    input.dispose();
  }
}

/** The descriptor's decode of one pass's `outputs` (disposed here): rows [M, ROW_WIDTH] in input px, and maps. */
export function decodeOutputs(descriptor: ModelDescriptor, outputs: tf.Tensor[], maxDetections: number, inputSize?: { width: number; height: number }): DecodedFrame {
  try {
    return descriptor.decode(outputs, inputSize ? { maxDetections, inputSize } : { maxDetections });
  } finally {
    tf.dispose(outputs);
  }
}

/** The model's own NMS IoU (its reference unless the caller's `nmsIouThreshold` overrides it), or null without one. */
export function modelNmsIou(descriptor: ModelDescriptor, nmsIouThreshold: number | null): number | null {
  return descriptor.nms ? (nmsIouThreshold ?? descriptor.nms.iouThreshold) : null;
}

/** Level and flat position of a row → the cell, its anchor and its prior point in source pixels. */
export function cellOf(descriptor: ModelDescriptor, levelIndex: number, position: number, letterbox: LetterboxTransform): DetectionCell {
  const levels = levelsFor(descriptor, letterbox);
  const level = levels[levelIndex] ?? levels[0];
  if (!level) return { level: levelIndex, stride: 0, x: 0, y: 0, anchor: 0, priorX: 0, priorY: 0 };
  const anchor = position % level.anchors;
  const cellIndex = Math.floor(position / level.anchors);
  const x = cellIndex % level.width;
  const y = Math.floor(cellIndex / level.width);
  const offset = level.cellOrigin === 'centre' ? 0.5 : 0;
  const prior = inputToSource(letterbox, (x + offset) * level.stride, (y + offset) * level.stride);
  return { level: levelIndex, stride: level.stride, x, y, anchor, priorX: prior.x, priorY: prior.y };
}

/** One decoded row's fields, in source pixels (x1, y1, x2, y2), with its level and flat cell position. */
export interface RowBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  classId: number;
  level: number;
  position: number;
}

/** A row → the `Detection` the API returns, with its label and the cell it came from (`letterbox`: the pass's transform). */
export function detectionOf(box: RowBox, descriptor: ModelDescriptor, letterbox: LetterboxTransform): Detection {
  return {
    x: box.x1,
    y: box.y1,
    width: box.x2 - box.x1,
    height: box.y2 - box.y1,
    score: box.score,
    classId: box.classId,
    label: descriptor.labels[box.classId] ?? `class ${box.classId}`,
    cell: cellOf(descriptor, box.level, box.position, letterbox),
  };
}

/**
 * Reads the row at `offset` of a flat row buffer (x1, y1, x2, y2, score, class, level, position, …).
 * Class, level and position are stored as floats: rounded here.
 */
export function rowAt(rows: Float32Array, offset: number): RowBox {
  return {
    x1: rows[offset] ?? 0,
    y1: rows[offset + 1] ?? 0,
    x2: rows[offset + 2] ?? 0,
    y2: rows[offset + 3] ?? 0,
    score: rows[offset + 4] ?? 0,
    classId: Math.round(rows[offset + 5] ?? 0),
    level: Math.round(rows[offset + 6] ?? 0),
    position: Math.round(rows[offset + 7] ?? 0),
  };
}

/**
 * Rows in source px sorted by score ([K · rowWidth]) → detections above `scoreThreshold`; boxes clipped
 * away to nothing are left out. With `rowOf`, the row index of each detection is appended there.
 */
export function rowsToDetections(rows: Float32Array, rowWidth: number, descriptor: ModelDescriptor, scoreThreshold: number, letterbox: LetterboxTransform, rowOf?: number[]): Detection[] {
  const detections: Detection[] = [];
  for (let i = 0; i + rowWidth <= rows.length; i += rowWidth) {
    const box = rowAt(rows, i);
    if (box.score < scoreThreshold) break; // sorted: nothing after this passes either
    if (!(box.x2 - box.x1 > 0 && box.y2 - box.y1 > 0)) continue; // fully clipped away
    detections.push(detectionOf(box, descriptor, letterbox));
    rowOf?.push(i / rowWidth);
  }
  return detections;
}
