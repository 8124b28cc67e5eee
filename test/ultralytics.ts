/**
 * Node test support for Ultralytics exports: the tiny hand-built graph model (models/ultralytics/tiny-graph.ts)
 * written to a folder with its metadata.yaml, a frame with a red square, and the three-colour model the
 * tests share (class "red thing" fires where a cell's mean colour is red).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tinyMetadataYaml, tinyUltralyticsGraph, type TinyGraphOptions } from '../models/ultralytics/tiny-graph.js';

/** Writes a tiny graph model (and metadata.yaml when `names` are given) into `root/name/`; returns the model.json URL. */
export async function writeTinyModel(root: string, name: string, options: TinyGraphOptions, names?: readonly string[]): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  const model = tinyUltralyticsGraph(options);
  await writeFile(join(dir, 'model.json'), JSON.stringify(model.modelJson));
  await writeFile(join(dir, model.weightsFile), model.weights);
  if (names) await writeFile(join(dir, 'metadata.yaml'), tinyMetadataYaml(names, options.size ?? 64));
  return pathToFileURL(join(dir, 'model.json')).href;
}

/** A frame (RGB 0..255), grey 114, with a pure red square at [x, x+w) × [y, y+h). */
export function frameWithRedSquare(width: number, height: number, square: { x: number; y: number; w: number; h: number }): tf.Tensor3D {
  const data = new Int32Array(width * height * 3).fill(114);
  for (let y = square.y; y < square.y + square.h; y++) {
    for (let x = square.x; x < square.x + square.w; x++) {
      const i = (y * width + x) * 3;
      data.set([255, 0, 0], i);
    }
  }
  return tf.tensor3d(data, [height, width, 3], 'int32');
}

// Three classes (≠ 80); "red" = 2R − G − B. The stride-16 level gets the bias that makes its red cell win.
export const COLOUR_NAMES = ['red thing', 'green: thing', 'blue'];
export const COLOUR_GAINS: TinyGraphOptions['colourGains'] = [
  [8, -4, -4],
  [-4, 8, -4],
  [-4, -4, 8],
];
export const COLOUR_MODEL: TinyGraphOptions = { colourGains: COLOUR_GAINS, levelBias: [-4, 2, -4], baseLogit: -6 };
