/** The models Loupe knows by id. Add a model: a folder with descriptor, decoder, tests, README; one line here. */
import type { ModelDescriptor, RegressionSpec } from '../src/model-descriptor.js';
import type { OutputLevel } from '../src/types.js';
import { centernet } from './centernet/descriptor.js';
import { nanodet } from './nanodet/descriptor.js';
import { yoloFace } from './yolo-face/descriptor.js';
import { yoloFaceSmall } from './yolo-face-small/descriptor.js';

const registry = new Map<string, ModelDescriptor>([
  [centernet.id, centernet],
  [nanodet.id, nanodet],
  [yoloFace.id, yoloFace],
  [yoloFaceSmall.id, yoloFaceSmall],
]);

export const DEFAULT_MODEL_ID = centernet.id;

export function getModelDescriptor(id: string): ModelDescriptor | undefined {
  return registry.get(id);
}

export function getModelIds(): string[] {
  return [...registry.keys()];
}

export interface ModelInfo {
  id: string;
  title: string;
  labels: readonly string[];
  inputSize: { width: number; height: number };
  /** Output levels (strides, grid sizes), indexed by `Detection.cell.level`. */
  levels: readonly OutputLevel[];
  /** What the regression maps hold (absent: the model returns none). */
  regression?: RegressionSpec;
}

export function getModelInfo(id: string): ModelInfo | undefined {
  const descriptor = registry.get(id);
  if (!descriptor) return undefined;
  const { title, labels, input, levels, regression } = descriptor;
  return { id, title, labels, inputSize: { width: input.width, height: input.height }, levels, ...(regression ? { regression } : {}) };
}
