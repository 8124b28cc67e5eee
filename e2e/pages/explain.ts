/**
 * Script of e2e/pages/explain.html: a `<loupe-explain>` on the street sample's frame at 2 s (model,
 * backend, `src`, `time` and `small-objects` from the query), and `window.loupeExplain.reference(cell, smallObjects)`: the
 * engine's own answer for the element's frozen frame, from a plain `detect()` with its maps (no trace; in
 * small-object mode when asked), for the spec to compare.
 */
import * as tf from '@tensorflow/tfjs';
import '../../lib/index.js';
import { createDetector, type BackendPreference } from '../../models/index.js';

const query = new URLSearchParams(location.search);
const model = query.get('model') ?? 'centernet';
const backend = (query.get('backend') ?? 'wasm') as BackendPreference;
const explainer = document.createElement('loupe-explain');
explainer.model = model;
explainer.backend = backend;
explainer.useHash = true;
explainer.time = Number(query.get('time') ?? 2);
explainer.src = query.get('src') ?? '/samples/street.webm';
if (query.has('small-objects')) explainer.smallObjects = query.get('small-objects');
explainer.addEventListener('loupe-error', (event) => (document.body.dataset.error = event.detail.type));
document.body.append(explainer);

/** Reads channels of cell (x, y) of a [H, W, C] map. */
async function cellOf(tensor: tf.Tensor3D, x: number, y: number): Promise<number[]> {
  const slice = tf.slice(tensor, [y, x, 0], [1, 1, -1]);
  const values = Array.from(await slice.data());
  slice.dispose();
  return values;
}

async function reference(cell?: { level: number; x: number; y: number }, smallObjects = false) {
  const frame = explainer.frame;
  if (!frame) throw new Error('nothing explained yet');
  const detector = await createDetector({ model, backend });
  try {
    const result = await detector.detect(frame, { maps: true, smallObjects });
    try {
      const detections = result.detections.map((d) => ({ x: d.x, y: d.y, width: d.width, height: d.height, score: d.score, classId: d.classId, cell: d.cell, tile: d.tile }));
      const maps = cell ? result.maps?.levels?.[cell.level] : undefined;
      const scores = maps && cell ? await cellOf(maps.scores.tensor, cell.x, cell.y) : [];
      const regression = maps?.regression && cell ? await cellOf(maps.regression.tensor, cell.x, cell.y) : [];
      return { detections, scores, regression, backend: result.backend, executions: result.executions ?? 1 };
    } finally {
      result.dispose();
    }
  } finally {
    detector.dispose();
  }
}

(window as unknown as { loupeExplain: unknown }).loupeExplain = { reference, tf };
