/**
 * "One frame, six steps" for the model the demo runs: the Preprocess, Model and Decoder steps are filled
 * from the model's registry entry (input size, output grids, classes), and follow `<loupe-live model>`
 * when the controls or `?model=` change it.
 */
import { DEFAULT_MODEL_ID, getModelInfo, type ModelInfo } from '../models/index.js';

/** What one output cell holds, and how the decoder turns cells into boxes, per registry model. */
const HEADS: Record<string, { cell: string; decoder: string }> = {
  centernet: {
    cell: "a score per class (how likely an object's <em>centre</em> lies in it) and how far the box's edges are",
    decoder: 'a cell that none of its 8 neighbours beats is a peak; the strongest peaks become boxes, their sides read off the distance map. No box-overlap suppression is needed.',
  },
  nanodet: {
    cell: "a score per class and, for each of the box's four sides, a distribution over 11 distances from the cell's centre",
    decoder: "each side is the expected distance of its distribution; the best (cell, class) pairs become candidates, and boxes of one class overlapping by more than the NMS threshold keep only the strongest.",
  },
  'yolo-face': {
    cell: 'five anchor boxes, each with a face score and its offset and size relative to the anchor',
    decoder: 'the best-scoring anchors become boxes around the cell; overlapping boxes keep only the strongest (greedy NMS).',
  },
  'yolo-face-small': {
    cell: 'a face score and a box (centre, width, height)',
    decoder: 'the best-scoring cells become candidates; overlapping boxes keep only the strongest (greedy NMS).',
  },
};

const GENERIC = {
  cell: 'class scores and a box',
  decoder: 'the best-scoring cells become candidates; overlapping boxes of one class keep only the strongest (NMS).',
};

const size = (width: number, height: number) => `<code>${width}×${height}</code>`;

/** The three steps' HTML for one model (registry data only: no markup from outside). */
export function flowSteps(info: ModelInfo): { preprocess: string; model: string; decoder: string } {
  const head = HEADS[info.id] ?? GENERIC;
  const { width, height } = info.inputSize;
  const grids = info.levels.map((level) => size(level.width, level.height));
  const strides = info.levels.map((level) => level.stride);
  const classes = info.labels.length === 1 ? `one class (${info.labels[0]})` : `${info.labels.length} classes`;
  const where =
    info.levels.length === 1
      ? `on a ${grids[0]} grid, one cell per ${strides[0]} input pixels`
      : `on ${info.levels.length} grids, ${grids.join(', ')} (one cell per ${strides.join(', ')} input pixels: small objects on the fine grid, large on the coarse)`;
  return {
    preprocess: `The frame is scaled to fit the model's ${size(width, height)} input without distortion and padded. The scale and padding are kept, to map results back later.`,
    model: `${info.title} looks at the input once and returns maps ${where}. For ${classes}, each cell holds ${head.cell}.`,
    decoder: `On the backend, no readback: ${head.decoder}`,
  };
}

/** Steps for a model outside the registry (`ultralytics:…`), whose shapes are known only once it loads. */
const UNKNOWN_MODEL = {
  preprocess: "The frame is scaled to fit the model's input without distortion and padded. The scale and padding are kept, to map results back later.",
  model: `The model looks at the input once and returns maps on grids of cells; each cell holds ${GENERIC.cell}.`,
  decoder: `On the backend, no readback: ${GENERIC.decoder}`,
};

function show(live: Element): void {
  const info = getModelInfo(live.getAttribute('model') ?? DEFAULT_MODEL_ID);
  for (const [step, html] of Object.entries(info ? flowSteps(info) : UNKNOWN_MODEL)) {
    const paragraph = document.querySelector(`#flow-${step}`);
    if (paragraph) paragraph.innerHTML = html;
  }
}

const live = document.querySelector('loupe-live');
if (live) {
  show(live);
  new MutationObserver(() => show(live)).observe(live, { attributes: true, attributeFilter: ['model'] });
}
