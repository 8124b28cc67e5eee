/**
 * Load-time constant folding for tfjs graph models.
 *
 * Converted graphs often compute values that never change from frame to frame: shape vectors built with
 * Shape/StridedSlice/Pack, paddings and reshape targets built with SparseToDense/AddV2 from constants
 * (NanoDet's ONNX→TF export). tfjs runs those nodes on every `execute()`; on the GPU backends their
 * results land in GPU memory, and the op that takes them as a *parameter* (Reshape's shape, Pad's
 * paddings…) reads them back with `dataSync()`: a synchronous GPU→CPU read that stalls the pipeline.
 *
 * `foldConstants` finds every node whose value depends only on constants and on static shapes, evaluates
 * those nodes once (on the active backend, at load), and rewrites the graph so each one that a remaining
 * node consumes becomes a `Const` holding its value. Nodes only the folded ones used are dropped, with
 * their weights. The rewritten artifacts load with `tf.loadGraphModel` as usual.
 *
 * A node's value is "static" when:
 * - it is a `Const`;
 * - it is a shape op (`Shape`, `ShapeN`, `Size`, `Rank`) of a tensor whose shape is static: the graph's
 *   inputs have fully defined shapes and nothing on the way changes shape with data (see `shapeIsStatic`);
 * - it is any other deterministic, stateless op whose inputs are all static.
 */
import * as tf from '@tensorflow/tfjs';

/** One node of a TensorFlow GraphDef in the JSON form tfjs's converter writes. */
interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
  device?: string;
}

interface GraphDef {
  node: GraphNode[];
  [key: string]: unknown;
}

export interface FoldOptions {
  /**
   * Largest folded value (elements) turned into a constant. A bigger static value (an all-constant
   * subgraph that expands weights) stays computed per frame. Default 65,536.
   */
  maxElements?: number;
}

export interface FoldReport {
  /** Non-`Const` nodes before and after (Placeholder included). */
  nonConstBefore: number;
  nonConstAfter: number;
  /** Non-const nodes the folder removed (replaced by a constant or no longer needed). */
  removed: number;
  /** Names of the nodes whose values became new constants. */
  folded: string[];
  /** Static nodes left computed because their value exceeds `maxElements`. */
  tooLarge: string[];
}

/** Ops whose value depends only on their input's shape. */
const SHAPE_OPS = new Set(['Shape', 'ShapeN', 'Size', 'Rank']);

/** Ops that are never folded: inputs, state, randomness, control flow, resources. */
const NEVER_FOLD = new Set([
  'Placeholder', 'PlaceholderWithDefault', 'Const', 'NoOp',
  'RandomUniform', 'RandomUniformInt', 'RandomStandardNormal', 'TruncatedNormal', 'Multinomial', 'StatelessRandomUniform',
  'Enter', 'Exit', 'Merge', 'Switch', 'NextIteration', 'LoopCond', 'If', 'StatelessIf', 'While', 'StatelessWhile',
  'VarHandleOp', 'ReadVariableOp', 'VariableV2', 'HashTable', 'HashTableV2', 'LookupTableImport', 'LookupTableImportV2',
  'LookupTableFind', 'LookupTableFindV2', 'LookupTableSize', 'LookupTableSizeV2', 'InitializeTable', 'InitializeTableV2',
  'Print', 'Assert',
]);

/** Ops whose output shape depends on input values even when every input shape is known. */
const DATA_DEPENDENT_SHAPE = new Set([
  'Where', 'NonMaxSuppressionV2', 'NonMaxSuppressionV3', 'NonMaxSuppressionV4', 'NonMaxSuppressionV5', 'Unique',
  'UniqueV2', 'ListDiff', 'SetDiff1d', 'DenseBincount', 'Bincount', 'StringSplit', 'SparseReshape', 'SparseFillEmptyRows',
  'SparseSegmentMean', 'SparseSegmentSum', 'RaggedTensorToTensor', 'RaggedGather', 'RaggedRange', 'BooleanMask',
]);

/**
 * Ops whose output shape follows from their inputs' shapes alone (every input is data, none is a
 * shape, size, axis or padding read as a value). For other ops, an output shape counts as static only
 * when every input after the first is itself static.
 */
const SHAPE_FROM_SHAPES = new Set([
  'Add', 'AddV2', 'AddN', 'BiasAdd', 'Sub', 'Mul', 'Div', 'DivNoNan', 'RealDiv', 'FloorDiv', 'FloorMod', 'Mod', 'Maximum',
  'Minimum', 'Pow', 'SquaredDifference', 'Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual', 'LogicalAnd',
  'LogicalOr', 'Select', 'SelectV2', 'Prelu', 'Atan2', 'Pack', 'MatMul', 'BatchMatMul', 'BatchMatMulV2', '_FusedMatMul',
  'Conv2D', '_FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2dNative', 'Conv2DBackpropInput', 'Conv3D',
  'FusedBatchNorm', 'FusedBatchNormV2', 'FusedBatchNormV3', 'Einsum',
]);

const inputNodeName = (input: string): string => input.replace(/^\^/, '').split(':')[0] ?? input;
const outputIndex = (input: string): number => {
  const parts = input.split(':');
  return parts.length > 1 ? Number(parts[1]) : 0;
};
const isControl = (input: string): boolean => input.startsWith('^');

function placeholderShapeIsStatic(node: GraphNode): boolean {
  const shape = (node.attr?.shape as { shape?: { dim?: { size?: string }[]; unknownRank?: boolean } } | undefined)?.shape;
  if (!shape || shape.unknownRank || !shape.dim) return false;
  return shape.dim.every((d) => d.size !== undefined && Number(d.size) >= 0);
}

/** Which nodes have static values and static shapes. Exported for tests. */
export function analyseGraph(nodes: readonly GraphNode[]): { staticValue: Set<string>; staticShape: Set<string> } {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const valueMemo = new Map<string, boolean>();
  const shapeMemo = new Map<string, boolean>();
  const dataInputs = (n: GraphNode): string[] => (n.input ?? []).filter((i) => !isControl(i)).map(inputNodeName);

  // Iterative post-order over data inputs (graphs can be deep: avoid recursion limits).
  const order: GraphNode[] = [];
  const seen = new Set<string>();
  for (const root of nodes) {
    if (seen.has(root.name)) continue;
    const stack: [GraphNode, boolean][] = [[root, false]];
    while (stack.length > 0) {
      const [node, expanded] = stack.pop()!;
      if (expanded) {
        order.push(node);
        continue;
      }
      if (seen.has(node.name)) continue;
      seen.add(node.name);
      stack.push([node, true]);
      for (const name of dataInputs(node)) {
        const parent = byName.get(name);
        if (parent && !seen.has(name)) stack.push([parent, false]);
      }
    }
  }

  for (const node of order) {
    const inputs = dataInputs(node);
    const known = inputs.every((name) => byName.has(name));
    let staticShape: boolean;
    let staticValue: boolean;
    if (node.op === 'Const') {
      staticShape = true;
      staticValue = true;
    } else if (node.op === 'Placeholder') {
      staticShape = placeholderShapeIsStatic(node);
      staticValue = false;
    } else if (NEVER_FOLD.has(node.op) || !known) {
      staticShape = false;
      staticValue = false;
    } else {
      const shapes = inputs.map((name) => shapeMemo.get(name) === true);
      const values = inputs.map((name) => valueMemo.get(name) === true);
      staticValue = SHAPE_OPS.has(node.op) ? shapes.every(Boolean) : values.every(Boolean);
      if (staticValue) staticShape = true;
      else if (DATA_DEPENDENT_SHAPE.has(node.op) || !shapes.every(Boolean)) staticShape = false;
      else if (node.op === 'ConcatV2') staticShape = values.at(-1) === true; // the axis
      else if (SHAPE_FROM_SHAPES.has(node.op)) staticShape = true;
      else staticShape = values.slice(1).every(Boolean); // shapes, sizes, axes, paddings… read as values
    }
    valueMemo.set(node.name, staticValue);
    shapeMemo.set(node.name, staticShape);
  }
  const pick = (memo: Map<string, boolean>): Set<string> => new Set([...memo].filter(([, v]) => v).map(([k]) => k));
  return { staticValue: pick(valueMemo), staticShape: pick(shapeMemo) };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Byte length of one weight entry in the weight data, or undefined when it cannot be known (strings). */
function weightBytes(spec: tf.io.WeightsManifestEntry): number | undefined {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const encoded = spec.quantization?.dtype ?? spec.dtype;
  const per = BYTES[encoded];
  return per === undefined ? undefined : size * per;
}

const TF_DTYPE: Record<string, string> = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL' };

function constNode(name: string, tensor: tf.Tensor): GraphNode {
  const dtype = TF_DTYPE[tensor.dtype] ?? 'DT_FLOAT';
  return {
    name,
    op: 'Const',
    attr: {
      dtype: { type: dtype },
      value: { tensor: { dtype, tensorShape: tensor.rank === 0 ? {} : { dim: tensor.shape.map((size) => ({ size: String(size) })) } } },
    },
  };
}

/**
 * Folds the static nodes of a graph model's artifacts (see the module comment). Evaluates them on the
 * active backend with one `execute()` (zeros for the inputs, only when a shape op needs them).
 */
export async function foldConstants(
  artifacts: tf.io.ModelArtifacts,
  options: FoldOptions = {},
): Promise<{ artifacts: tf.io.ModelArtifacts; report: FoldReport }> {
  const graph = artifacts.modelTopology as GraphDef | undefined;
  const nodes = graph?.node;
  const countNonConst = (list: readonly GraphNode[]): number => list.filter((n) => n.op !== 'Const').length;
  const unchanged = (): { artifacts: tf.io.ModelArtifacts; report: FoldReport } => {
    const n = nodes ? countNonConst(nodes) : 0;
    return { artifacts, report: { nonConstBefore: n, nonConstAfter: n, removed: 0, folded: [], tooLarge: [] } };
  };
  if (!graph || !Array.isArray(nodes) || !artifacts.weightSpecs || artifacts.weightData === undefined) return unchanged();
  if (graph.library && Object.keys(graph.library as object).length > 0) {
    const functions = (graph.library as { function?: unknown[] }).function;
    if (Array.isArray(functions) && functions.length > 0) return unchanged(); // control-flow functions: not handled
  }
  const maxElements = options.maxElements ?? 65_536;
  const { staticValue } = analyseGraph(nodes);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const isFoldable = (name: string): boolean => staticValue.has(name) && byName.get(name)?.op !== 'Const';

  // Outputs of foldable nodes that a non-foldable node consumes: those become constants.
  const frontier = new Map<string, { node: string; index: number }>();
  for (const node of nodes) {
    if (isFoldable(node.name)) continue;
    for (const input of node.input ?? []) {
      if (isControl(input)) continue;
      const name = inputNodeName(input);
      if (!isFoldable(name)) continue;
      const index = outputIndex(input);
      frontier.set(`${name}:${index}`, { node: name, index });
    }
  }
  if (frontier.size === 0) return unchanged();

  // Evaluate the frontier once. Inputs are fed only when a shape op reaches back to them (then the whole
  // graph loads); otherwise only the static subgraph and its constants do.
  const keys = [...frontier.keys()];
  const needsInputs = keys.some((key) => reachesPlaceholder(frontier.get(key)!.node, byName));
  const model = await tf.loadGraphModel(tf.io.fromMemory(needsInputs ? artifacts : staticSubgraph(artifacts, nodes, keys.map((key) => frontier.get(key)!.node))));
  const values = new Map<string, tf.Tensor>();
  try {
    const feeds: tf.NamedTensorMap = {};
    if (needsInputs) {
      for (const input of model.inputs) {
        feeds[input.name] = tf.zeros(input.shape!.map((d) => Math.max(d, 1)), input.dtype);
      }
    }
    const requested = keys.map((key) => (frontier.get(key)!.index === 0 ? frontier.get(key)!.node : key));
    let results: tf.Tensor[];
    try {
      const out = model.execute(feeds, requested);
      results = Array.isArray(out) ? out : [out];
    } finally {
      tf.dispose(Object.values(feeds));
    }
    keys.forEach((key, i) => values.set(key, results[i]!));
  } finally {
    model.dispose();
  }

  try {
    // A node with any too-large output keeps being computed (with its static inputs); others fold.
    const tooLarge = new Set<string>();
    for (const [key, { node }] of frontier) {
      const tensor = values.get(key)!;
      if (tensor.size > maxElements || tensor.dtype === 'string' || tensor.dtype === 'complex64') tooLarge.add(node);
    }
    const replaced = new Map<string, string>(); // "node:index" → name of its constant
    const newConsts: { node: GraphNode; tensor: tf.Tensor }[] = [];
    for (const [key, { node, index }] of frontier) {
      if (tooLarge.has(node)) continue;
      const name = index === 0 ? node : `${node}/folded_${index}`;
      replaced.set(key, name);
      newConsts.push({ node: constNode(name, values.get(key)!), tensor: values.get(key)! });
    }

    // Rewrite: consumers of folded outputs point to the constants.
    const rewritten: GraphNode[] = [];
    const newConstByName = new Map(newConsts.map((c) => [c.node.name, c.node]));
    for (const node of nodes) {
      if (newConstByName.has(node.name)) continue; // the folded node itself becomes its constant below
      const input = node.input?.map((i) => {
        if (isControl(i)) return i;
        const key = `${inputNodeName(i)}:${outputIndex(i)}`;
        const target = replaced.get(key);
        return target ?? i;
      });
      rewritten.push(input ? { ...node, input } : { ...node });
    }
    rewritten.push(...newConsts.map((c) => c.node));

    // Drop what nothing needs any more: foldable nodes and constants no kept node reaches.
    const needed = new Set<string>();
    const keptByName = new Map(rewritten.map((n) => [n.name, n]));
    const stack = rewritten.filter((n) => (!isFoldable(n.name) && n.op !== 'Const') || tooLarge.has(n.name)).map((n) => n.name);
    for (const c of newConsts) stack.push(c.node.name);
    // Constants that nothing consumes in the original graph (signature outputs, stray weights) stay.
    const consumedOriginally = new Set(nodes.flatMap((n) => (n.input ?? []).map(inputNodeName)));
    for (const n of rewritten) if (n.op === 'Const' && !consumedOriginally.has(n.name) && !newConstByName.has(n.name)) stack.push(n.name);
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (needed.has(name)) continue;
      needed.add(name);
      for (const input of keptByName.get(name)?.input ?? []) {
        const parent = inputNodeName(input);
        if (!needed.has(parent) && keptByName.has(parent)) stack.push(parent);
      }
    }
    // Control inputs to dropped nodes go too.
    const finalNodes = rewritten
      .filter((n) => needed.has(n.name))
      .map((n) => (n.input ? { ...n, input: n.input.filter((i) => needed.has(inputNodeName(i))) } : n));

    // Weights: keep those of surviving constants (byte ranges of the original data), append the new ones.
    // String weights (sizes unknown): keep every original weight as it is.
    const picked = pickWeights(artifacts, (name) => needed.has(name) || !byName.has(name)) ?? {
      specs: [...artifacts.weightSpecs],
      chunks: [tf.io.CompositeArrayBuffer.join(artifacts.weightData)],
    };
    const keptSpecs = picked.specs;
    const chunks = picked.chunks;
    for (const { node, tensor } of newConsts) {
      if (!needed.has(node.name)) continue;
      const data = (await tensor.data()) as Float32Array | Int32Array | Uint8Array;
      const copy = tensor.dtype === 'bool' ? Uint8Array.from(data) : data.slice();
      keptSpecs.push({ name: node.name, shape: tensor.shape, dtype: tensor.dtype as tf.io.WeightsManifestEntry['dtype'] });
      chunks.push(copy.buffer as ArrayBuffer);
    }

    const folded = newConsts.map((c) => c.node.name).filter((name) => needed.has(name));
    const nonConstAfter = countNonConst(finalNodes);
    const nonConstBefore = countNonConst(nodes);
    return {
      artifacts: {
        ...artifacts,
        modelTopology: { ...graph, node: finalNodes },
        weightSpecs: keptSpecs,
        weightData: tf.io.concatenateArrayBuffers(chunks),
      },
      report: { nonConstBefore, nonConstAfter, removed: nonConstBefore - nonConstAfter, folded, tooLarge: [...tooLarge] },
    };
  } finally {
    tf.dispose([...values.values()]);
  }
}

/** The weights whose name passes `keep`, as specs and byte ranges of the original data; null if sizes are unknown. */
function pickWeights(artifacts: tf.io.ModelArtifacts, keep: (name: string) => boolean): { specs: tf.io.WeightsManifestEntry[]; chunks: ArrayBuffer[] } | null {
  const source = new tf.io.CompositeArrayBuffer(artifacts.weightData);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const chunks: ArrayBuffer[] = [];
  let offset = 0;
  for (const spec of artifacts.weightSpecs ?? []) {
    const bytes = weightBytes(spec);
    if (bytes === undefined) return null;
    if (keep(spec.name)) {
      specs.push(spec);
      chunks.push(source.slice(offset, offset + bytes));
    }
    offset += bytes;
  }
  return { specs, chunks };
}

/** Artifacts of only `targets` and the nodes they depend on (constants and static nodes, no input). */
function staticSubgraph(artifacts: tf.io.ModelArtifacts, nodes: readonly GraphNode[], targets: readonly string[]): tf.io.ModelArtifacts {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const keep = new Set<string>();
  const stack = [...targets];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (keep.has(name) || !byName.has(name)) continue;
    keep.add(name);
    for (const input of byName.get(name)!.input ?? []) stack.push(inputNodeName(input));
  }
  const weights = pickWeights(artifacts, (name) => keep.has(name));
  if (!weights) return artifacts;
  const { signature: _signature, ...rest } = artifacts;
  return {
    ...rest,
    modelTopology: { ...(artifacts.modelTopology as GraphDef), node: nodes.filter((n) => keep.has(n.name)) },
    weightSpecs: weights.specs,
    weightData: tf.io.concatenateArrayBuffers(weights.chunks),
  };
}

function reachesPlaceholder(start: string, byName: Map<string, GraphNode>): boolean {
  const stack = [start];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const node = byName.get(name);
    if (!node) continue;
    if (node.op === 'Placeholder') return true;
    for (const input of node.input ?? []) if (!isControl(input)) stack.push(inputNodeName(input));
  }
  return false;
}

/**
 * An IO handler that loads through `handler` and folds the graph's static nodes before tfjs builds the
 * model. `onReport` receives what was folded.
 */
export function foldingHandler(handler: tf.io.IOHandler, options: FoldOptions & { onReport?: (report: FoldReport) => void } = {}): tf.io.IOHandler {
  const load = handler.load?.bind(handler);
  if (!load) return handler;
  return {
    load: async () => {
      const original = await load();
      try {
        const { artifacts, report } = await foldConstants(original, options);
        options.onReport?.(report);
        return artifacts;
      } catch {
        return original; // folding is an optimisation: a graph it cannot handle still loads as it is
      }
    },
  };
}
