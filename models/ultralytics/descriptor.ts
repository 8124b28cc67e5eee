/**
 * A descriptor for a user's Ultralytics TF.js export, built from a URL at load time: no code per model.
 *
 * `load()` fetches `model.json` (graph model, or a Keras layers model) with its weight shards (tfjs's own
 * loader: uint8/uint16/float16-quantised weights included) and `metadata.yaml` beside it when present,
 * reads the input size and output shapes from the model (one probe run on zeros when its signature
 * leaves a dimension open), and picks the output layout (`layouts.ts`). Until `load()` has run, the
 * descriptor's `input`, `levels` and `labels` are placeholders: it belongs to the one detector that
 * loads it.
 */
import * as tf from '@tensorflow/tfjs';
import { LoupeError } from '../../src/errors.js';
import type { LoadContext, ModelDescriptor, RunnableModel } from '../../src/model-descriptor.js';
import { decodeUltralytics } from './decoder.js';
import { chooseLayout, describeLayout, type LayoutChoice, type OutputInfo } from './layouts.js';
import { parseUltralyticsMetadata, type UltralyticsMetadata } from './metadata.js';
import { ULTRALYTICS_PAD_VALUE, preprocessUltralytics } from './preprocess.js';

/**
 * Ultralytics' predict defaults (`ultralytics/cfg/default.yaml`): conf 0.25, max_det 300, class-aware NMS
 * at IoU 0.7 — the model's own NMS (`nms` below), so `nmsIouThreshold: null` means "the reference IoU".
 */
export const ULTRALYTICS_DEFAULTS = { scoreThreshold: 0.25, maxDetections: 300, nmsIouThreshold: null } as const;
/** Class-aware NMS IoU of the dense layouts: Ultralytics' 0.7; YOLOv5's `detect.py` 0.45 for layout E. */
export const ULTRALYTICS_NMS_IOU = 0.7;
export const YOLOV5_NMS_IOU = 0.45;
/** Input size when neither the model nor `metadata.yaml` states one. */
export const ULTRALYTICS_DEFAULT_IMGSZ = 640;
/** Id prefix (and `model` attribute prefix) of Ultralytics models. */
export const ULTRALYTICS_PREFIX = 'ultralytics:';

interface LoadedState {
  input: { name: string; width: number; height: number; layout: 'nhwc' | 'nchw' };
  choice: LayoutChoice | null;
  labels: string[];
  title: string;
}

/** `metadata.yaml` next to the model, or `{}` when it is absent or unreadable (it is optional). */
async function fetchMetadata(modelUrl: string, fetchFunc: typeof fetch): Promise<UltralyticsMetadata> {
  try {
    const response = await fetchFunc(new URL('metadata.yaml', modelUrl).href);
    return parseUltralyticsMetadata(await response.text());
  } catch {
    return {};
  }
}

/** Input tensor shape → NHWC/NCHW layout and size (unknown dims: from metadata, else 640). */
function inputGeometry(shape: readonly (number | null | undefined)[] | undefined, meta: UltralyticsMetadata): LoadedState['input'] & { name: string } {
  const dims = (shape ?? []).map((d) => (typeof d === 'number' && d > 0 ? d : -1));
  const layout = dims.length === 4 && dims[1] === 3 && dims[3] !== 3 ? 'nchw' : 'nhwc';
  const [h, w] = layout === 'nchw' ? [dims[2], dims[3]] : [dims[1], dims[2]];
  const [metaH, metaW] = meta.imgsz ?? [ULTRALYTICS_DEFAULT_IMGSZ, ULTRALYTICS_DEFAULT_IMGSZ];
  return { name: '', layout, height: h !== undefined && h > 0 ? h : metaH, width: w !== undefined && w > 0 ? w : metaW };
}

/** The model behind a uniform `run()`: graph models switch to `executeAsync` when the graph needs it (embedded NMS). */
interface Loaded {
  inputShape: readonly (number | null)[] | undefined;
  inputName: string;
  outputs: OutputInfo[];
  run(input: tf.Tensor): Promise<tf.Tensor[]>;
  dispose(): void;
}

const asList = (raw: tf.Tensor | tf.Tensor[] | tf.NamedTensorMap): tf.Tensor[] =>
  raw instanceof tf.Tensor ? [raw] : Array.isArray(raw) ? raw : Object.values(raw);

async function loadModel(context: LoadContext): Promise<Loaded> {
  // The registry's checks: every weight file's HTTP status, the manifest, the byte count.
  const artifacts = await context.loadArtifacts();
  const topology = artifacts.modelTopology as Record<string, unknown> | undefined;
  const isLayers = artifacts.format === 'layers-model' || (!!topology && ('model_config' in topology || 'class_name' in topology));
  if (isLayers) {
    const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    if (model.inputs.length !== 1) {
      model.dispose();
      throw new LoupeError('model-mismatch', `An Ultralytics model takes one image input; this layers model takes ${model.inputs.length}.`);
    }
    return {
      inputShape: model.inputs[0]!.shape,
      inputName: model.inputs[0]!.name,
      outputs: model.outputs.map((o) => ({ name: o.name, shape: o.shape.map((d) => d ?? -1) })),
      run: async (input) => asList(model.predict(input)),
      dispose: () => model.dispose(),
    };
  }
  const graph = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
  if (graph.inputs.length !== 1) {
    graph.dispose();
    throw new LoupeError('model-mismatch', `An Ultralytics model takes one image input; this graph takes ${graph.inputs.map((i) => i.name).join(', ')}.`);
  }
  const inputName = graph.inputs[0]!.name;
  let useAsync = false;
  return {
    inputShape: graph.inputs[0]!.shape,
    inputName,
    outputs: graph.outputs.map((o) => ({ name: o.name, shape: (o.shape ?? []).map((d) => (d > 0 ? d : -1)) })),
    run: async (input) => {
      if (!useAsync) {
        try {
          return asList(graph.execute({ [inputName]: input }));
        } catch (error) {
          // Control flow or dynamic ops (YOLOv5's embedded NMS) need the async executor.
          if (!(error instanceof Error && /executeAsync/.test(error.message))) throw error;
          useAsync = true;
        }
      }
      return asList(await graph.executeAsync({ [inputName]: input }));
    },
    dispose: () => graph.dispose(),
  };
}

/** Output shapes, running the model once on zeros when the signature leaves a non-batch dimension open. */
async function outputShapes(model: Loaded, input: LoadedState['input']): Promise<OutputInfo[]> {
  const open = model.outputs.length === 0 || model.outputs.some((o) => o.shape.length === 0 || o.shape.slice(1).some((d) => d <= 0));
  if (!open) return model.outputs;
  const zeros = tf.zeros(input.layout === 'nchw' ? [1, 3, input.height, input.width] : [1, input.height, input.width, 3]);
  try {
    const outputs = await model.run(zeros);
    const shapes = outputs.map((t, i) => ({ name: model.outputs[i]?.name ?? `output ${i}`, shape: t.shape }));
    for (const t of outputs) t.dispose();
    return shapes;
  } finally {
    zeros.dispose();
  }
}

/** `https://…/yolo11n_web_model/model.json` → `yolo11n_web_model`. */
function folderName(url: string): string {
  const parts = url.split('?')[0]!.split('/').filter(Boolean);
  return parts.length >= 2 ? parts[parts.length - 2]! : (parts[0] ?? url);
}

/**
 * The descriptor of the Ultralytics export at `url` (absolute URL of `model.json`). `id` is what the
 * detector reports as its model (`ultralytics:<url as given>`).
 */
export function ultralyticsDescriptor(url: string, id = `${ULTRALYTICS_PREFIX}${url}`): ModelDescriptor {
  const state: LoadedState = {
    input: { name: '', width: ULTRALYTICS_DEFAULT_IMGSZ, height: ULTRALYTICS_DEFAULT_IMGSZ, layout: 'nhwc' },
    choice: null,
    labels: [],
    title: `Ultralytics ${folderName(url)}`,
  };
  return {
    id,
    get title() {
      return state.title;
    },
    graphFile: url,
    get input() {
      return { name: state.input.name, width: state.input.width, height: state.input.height, padValue: ULTRALYTICS_PAD_VALUE };
    },
    outputs: [],
    get levels() {
      return state.choice?.levels ?? [];
    },
    get labels() {
      return state.labels;
    },
    // Dense layouts decode to candidates that need NMS; NMS-row layouts (B/C/D) come out final.
    get nms() {
      const kind = state.choice?.layout.kind;
      if (kind === 'channels-first' || kind === 'channels-last') return { iouThreshold: ULTRALYTICS_NMS_IOU };
      if (kind === 'objectness') return { iouThreshold: YOLOV5_NMS_IOU };
      return undefined;
    },
    maxDetectionsLimit: ULTRALYTICS_DEFAULTS.maxDetections,
    defaults: { ...ULTRALYTICS_DEFAULTS },

    async load(context: LoadContext): Promise<RunnableModel> {
      const [model, meta] = await Promise.all([loadModel(context), fetchMetadata(context.url, context.fetch)]);
      try {
        const input = { ...inputGeometry(model.inputShape, meta), name: model.inputName };
        const choice = chooseLayout(await outputShapes(model, input), input, meta);
        const classes = 'classes' in choice.layout ? choice.layout.classes : (meta.names?.length ?? 0);
        state.input = input;
        state.choice = choice;
        state.labels = Array.from({ length: Math.max(classes, meta.names?.length ?? 0) }, (_, i) => meta.names?.[i] ?? `class ${i}`);
        state.title = `${meta.description ?? `Ultralytics ${folderName(context.url)}`} (${input.width}×${input.height}, ${describeLayout(choice)})`;
      } catch (error) {
        model.dispose();
        throw error;
      }
      return { execute: (input) => model.run(input), dispose: () => model.dispose() };
    },

    preprocess(frame) {
      return preprocessUltralytics(frame, state.input);
    },

    decode(outputs, options) {
      if (!state.choice) throw new LoupeError('model-mismatch', `'${id}' was used before it loaded.`);
      return decodeUltralytics(state.choice, state.input, outputs, options);
    },
  };
}
