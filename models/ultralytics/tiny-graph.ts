/**
 * A tiny, genuine TF.js *graph model* with an Ultralytics-shaped output, written by hand for tests (no
 * third-party weights): `model.json` (a `graph-model` topology: Placeholder, Conv2D, Reshape, ConcatV2,
 * Transpose, AddV2, Sigmoid, Identity) and its weight shard, the way `tensorflowjs_converter` lays them
 * out, optionally with uint8- and float16-quantised weights.
 *
 * The network: input `images` [1, S, S, 3] RGB 0..1 → per stride s ∈ {8, 16, 32} a conv with an s×s
 * kernel and stride s (so each cell sees the mean colour of its own square) → class logits per cell →
 * + a per-(class, column) bias → sigmoid; boxes are constants: each cell predicts the 2s × 2s square
 * centred on its prior point ((x + ½)·s, (y + ½)·s), as a YOLOv8 head around its anchors would.
 * Output `Identity` [1, 4 + nc, N] (N = Σ (S/s)²; 84 at S = 64), or [1, N, 4 + nc] when transposed.
 */

export interface TinyGraphOptions {
  /** Square input size, a multiple of 32. Default 64. */
  size?: number;
  /** Per class, the logit gain on a cell's mean (R, G, B) in 0..1. Default: one class, no gain. */
  colourGains?: readonly (readonly [number, number, number])[];
  /** Logit added to every column of a level, per stride 8, 16, 32. Default 0. */
  levelBias?: readonly number[];
  /** Logit of every class at every column before the rest is added. Default −6. */
  baseLogit?: number;
  /** Extra logits at chosen (class, column) pairs. */
  cellLogits?: readonly { classId: number; column: number; logit: number }[];
  /** `[1, N, 4+nc]` instead of `[1, 4+nc, N]`. */
  transposed?: boolean;
  /** Boxes divided by the input size (0..1), as tflite-style exports give them. */
  normalised?: boolean;
  /** Store conv kernels uint8-quantised and the box constants float16, as `--quantize_*` does. */
  quantize?: boolean;
  /** Leave the output's shape out of the signature (the loader must then find it by running). */
  omitOutputShape?: boolean;
}

export interface TinyGraph {
  /** The parsed `model.json`. */
  modelJson: Record<string, unknown>;
  /** File name of the weight shard that `modelJson` names. */
  weightsFile: string;
  weights: Uint8Array;
  /** Columns (N) and their strides, in order. */
  columns: number;
  strides: readonly number[];
  /** The constant box (cx, cy, w, h) in input pixels of a column. */
  boxOf(column: number): [number, number, number, number];
}

export const TINY_STRIDES = [8, 16, 32] as const;

interface Weight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  values: number[];
  quantization?: 'uint8' | 'float16';
}

/** IEEE 754 half precision bits of a float (round to nearest even; enough for test constants). */
function toHalf(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  let mantissa = bits & 0x7fffff;
  if (exponent <= 0) return sign; // too small for this use: zero
  if (exponent >= 31) return sign | 0x7c00; // overflow: infinity
  const rest = mantissa & 0x1fff;
  mantissa >>= 13;
  if (rest > 0x1000 || (rest === 0x1000 && (mantissa & 1) === 1)) mantissa++;
  return (sign | (exponent << 10)) + mantissa;
}

function encode(weights: readonly Weight[]): { specs: Record<string, unknown>[]; bytes: Uint8Array } {
  const chunks: Uint8Array[] = [];
  const specs: Record<string, unknown>[] = [];
  for (const w of weights) {
    const spec: Record<string, unknown> = { name: w.name, shape: w.shape, dtype: w.dtype };
    if (w.quantization === 'uint8') {
      const min = Math.min(...w.values);
      const max = Math.max(...w.values);
      const scale = max > min ? (max - min) / 255 : 1;
      chunks.push(Uint8Array.from(w.values, (v) => Math.round((v - min) / scale)));
      spec['quantization'] = { dtype: 'uint8', min, scale };
    } else if (w.quantization === 'float16') {
      chunks.push(new Uint8Array(Uint16Array.from(w.values, toHalf).buffer));
      spec['quantization'] = { dtype: 'float16' };
    } else {
      const typed = w.dtype === 'int32' ? Int32Array.from(w.values) : Float32Array.from(w.values);
      chunks.push(new Uint8Array(typed.buffer));
    }
    specs.push(spec);
  }
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.length;
  }
  return { specs, bytes };
}

const shapeOf = (dims: readonly number[]) => ({ dim: dims.map((d) => ({ size: String(d) })) });
const base64 = (text: string): string => btoa(text);
const DT = { float32: 'DT_FLOAT', int32: 'DT_INT32' } as const;

/** Builds the model (see the module comment). */
export function tinyUltralyticsGraph(options: TinyGraphOptions = {}): TinyGraph {
  const size = options.size ?? 64;
  const gains = options.colourGains ?? [[0, 0, 0]];
  const classes = gains.length;
  const levels = TINY_STRIDES.map((stride) => ({ stride, side: Math.ceil(size / stride) }));
  const columns = levels.reduce((n, l) => n + l.side * l.side, 0);

  const boxes: [number, number, number, number][] = [];
  const levelOfColumn: number[] = [];
  for (const [index, { stride, side }] of levels.entries()) {
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        boxes.push([(x + 0.5) * stride, (y + 0.5) * stride, 2 * stride, 2 * stride]);
        levelOfColumn.push(index);
      }
    }
  }
  const boxValues: number[] = []; // [1, 4, N] row-major
  for (let k = 0; k < 4; k++) for (const box of boxes) boxValues.push(options.normalised ? box[k]! / size : box[k]!);
  const biasValues: number[] = []; // [1, nc, N]
  for (let c = 0; c < classes; c++) {
    for (let n = 0; n < columns; n++) biasValues.push((options.baseLogit ?? -6) + (options.levelBias?.[levelOfColumn[n]!] ?? 0));
  }
  for (const { classId, column, logit } of options.cellLogits ?? []) biasValues[classId * columns + column]! += logit;

  const weights: Weight[] = [];
  const nodes: Record<string, unknown>[] = [
    { name: 'images', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: shapeOf([-1, size, size, 3]) } } },
  ];
  const constant = (w: Weight) => {
    weights.push(w);
    nodes.push({ name: w.name, op: 'Const', attr: { dtype: { type: DT[w.dtype] }, value: { tensor: { dtype: DT[w.dtype], tensorShape: shapeOf(w.shape) } } } });
  };
  const op = (name: string, opName: string, inputs: string[], attr: Record<string, unknown> = {}) =>
    nodes.push({ name, op: opName, input: inputs, attr: { T: { type: 'DT_FLOAT' }, ...attr } });

  constant({ name: 'axis_1', shape: [], dtype: 'int32', values: [1] });
  for (const { stride, side } of levels) {
    const kernel: number[] = []; // [s, s, 3, nc]
    for (let i = 0; i < stride * stride; i++) for (let ch = 0; ch < 3; ch++) for (let c = 0; c < classes; c++) kernel.push(gains[c]![ch]! / (stride * stride));
    constant({ name: `head/p${stride}/kernel`, shape: [stride, stride, 3, classes], dtype: 'float32', values: kernel, quantization: options.quantize ? 'uint8' : undefined });
    op(`head/p${stride}/conv`, 'Conv2D', ['images', `head/p${stride}/kernel`], {
      strides: { list: { i: ['1', String(stride), String(stride), '1'] } },
      padding: { s: base64('VALID') },
      data_format: { s: base64('NHWC') },
      dilations: { list: { i: ['1', '1', '1', '1'] } },
    });
    constant({ name: `head/p${stride}/shape`, shape: [3], dtype: 'int32', values: [1, side * side, classes] });
    op(`head/p${stride}/flat`, 'Reshape', [`head/p${stride}/conv`, `head/p${stride}/shape`], { Tshape: { type: 'DT_INT32' } });
  }
  op('head/cells', 'ConcatV2', [...levels.map((l) => `head/p${l.stride}/flat`), 'axis_1'], { N: { i: String(levels.length) }, Tidx: { type: 'DT_INT32' } });
  constant({ name: 'perm', shape: [3], dtype: 'int32', values: [0, 2, 1] });
  op('head/scores_t', 'Transpose', ['head/cells', 'perm'], { Tperm: { type: 'DT_INT32' } });
  constant({ name: 'head/bias', shape: [1, classes, columns], dtype: 'float32', values: biasValues });
  op('head/logits', 'AddV2', ['head/scores_t', 'head/bias']);
  op('head/probs', 'Sigmoid', ['head/logits']);
  constant({ name: 'head/boxes', shape: [1, 4, columns], dtype: 'float32', values: boxValues, quantization: options.quantize ? 'float16' : undefined });
  op('head/output', 'ConcatV2', ['head/boxes', 'head/probs', 'axis_1'], { N: { i: '2' }, Tidx: { type: 'DT_INT32' } });
  let outputNode = 'head/output';
  if (options.transposed) {
    op('head/output_t', 'Transpose', ['head/output', 'perm'], { Tperm: { type: 'DT_INT32' } });
    outputNode = 'head/output_t';
  }
  op('Identity', 'Identity', [outputNode]);

  const outputShape = options.transposed ? [1, columns, 4 + classes] : [1, 4 + classes, columns];
  const { specs, bytes } = encode(weights);
  const weightsFile = 'group1-shard1of1.bin';
  const modelJson = {
    format: 'graph-model',
    generatedBy: 'loupe tiny-graph (test fixture)',
    convertedBy: null,
    signature: {
      inputs: { 'images:0': { name: 'images:0', dtype: 'DT_FLOAT', tensorShape: shapeOf([-1, size, size, 3]) } },
      outputs: { 'Identity:0': { name: 'Identity:0', dtype: 'DT_FLOAT', ...(options.omitOutputShape ? {} : { tensorShape: shapeOf(outputShape) }) } },
    },
    modelTopology: { node: nodes, library: {}, versions: { producer: 1 } },
    weightsManifest: [{ paths: [weightsFile], weights: specs }],
  };
  return { modelJson, weightsFile, weights: bytes, columns, strides: TINY_STRIDES, boxOf: (column) => boxes[column]! };
}

/** `metadata.yaml` as `yolo export` writes it, for the given names and size. */
export function tinyMetadataYaml(names: readonly string[], size: number): string {
  return [
    'description: Loupe tiny test model (not a trained network)',
    'author: Loupe tests',
    "date: '2026-01-01T00:00:00'",
    'version: 8.3.0',
    'license: MIT (test fixture)',
    'stride: 32',
    'task: detect',
    'batch: 1',
    'imgsz:',
    `- ${size}`,
    `- ${size}`,
    'names:',
    ...names.map((name, i) => `  ${i}: ${/[:#'"]/.test(name) ? `'${name.replace(/'/g, "''")}'` : name}`),
    'args:',
    '  batch: 1',
    '  half: false',
    '  nms: false',
    '',
  ].join('\n');
}
