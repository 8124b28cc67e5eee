/**
 * Tile planning for the small-object mode: which parts of a frame each pass sees.
 *
 * Pass 0 is the whole frame, through the model's own preprocessing (the same input as single-pass mode).
 * At a tiled scale s, the frame is seen s times larger than in the whole-frame pass: the model's input
 * (W_in × H_in) covers W_in / g × H_in / g source pixels, g = s · min(W_in / W, H_in / H). Tiles have the
 * model's aspect, so they fill the input without a border. Along each axis the tiles are spread evenly from
 * edge to edge, as few as give at least `overlap` between neighbours; a tile longer than the frame is
 * centred on it (the rest is padded, as a letterbox). Pure functions: no tfjs.
 */
import { LoupeError } from '../errors.js';
import type { Rect, SmallObjectsOptions, SmallObjectsPreset, SmallObjectsSetting } from './types.js';

/** Defaults of the mode, chosen from the measurements in docs/small-objects.md. */
export const SMALL_OBJECT_DEFAULTS: Readonly<SmallObjectsOptions> = Object.freeze({
  scales: [2],
  overlap: 0.2,
  fusion: 'nms',
  fusionThreshold: 0.6,
  budget: null,
  maxTileObject: 112,
  minFrameObject: 16,
  tileScoreScale: 0.8,
  batch: 'auto',
});

export const SMALL_OBJECT_PRESETS: Readonly<Record<SmallObjectsPreset, Partial<SmallObjectsOptions>>> = Object.freeze({
  full: {},
  live: { budget: 4 },
});

/** Largest zoom a scale may ask for (a 16× zoom of a 640 px frame is already ~600 tiles). */
export const MAX_SCALE = 8;

/** The options a setting stands for, validated; `null` when the mode is off. Throws `bad-option`. */
export function resolveSmallObjects(setting: SmallObjectsSetting | null | undefined): SmallObjectsOptions | null {
  if (setting === undefined || setting === null || setting === false) return null;
  const presetOf = (name: string): Partial<SmallObjectsOptions> => {
    const preset = Object.hasOwn(SMALL_OBJECT_PRESETS, name) ? SMALL_OBJECT_PRESETS[name as SmallObjectsPreset] : undefined;
    if (!preset) throw new LoupeError('bad-option', `smallObjects: unknown preset '${name}' (use ${Object.keys(SMALL_OBJECT_PRESETS).join(', ')}, true or options).`);
    return preset;
  };
  let patch: Partial<SmallObjectsOptions>;
  if (setting === true) patch = {};
  else if (typeof setting === 'string') patch = presetOf(setting);
  else if (typeof setting === 'object') {
    const { preset, ...rest } = setting;
    patch = { ...(preset === undefined ? {} : presetOf(preset)), ...rest };
  } else throw new LoupeError('bad-option', `smallObjects must be a boolean, a preset name or options; got ${String(setting)}.`);
  const options: SmallObjectsOptions = { ...SMALL_OBJECT_DEFAULTS, ...patch, scales: [...(patch.scales ?? SMALL_OBJECT_DEFAULTS.scales)] };
  const bad = (message: string): never => {
    throw new LoupeError('bad-option', `smallObjects: ${message}`);
  };
  if (!Array.isArray(options.scales) || options.scales.some((s) => !(typeof s === 'number' && s > 1 && s <= MAX_SCALE))) {
    bad(`scales must be numbers above 1 and at most ${MAX_SCALE}; got [${String(options.scales)}].`);
  }
  options.scales = [...new Set(options.scales)].sort((a, b) => a - b);
  if (!(options.overlap >= 0 && options.overlap < 1)) bad(`overlap must be in [0, 1); got ${options.overlap}.`);
  if (options.fusion !== 'nms' && options.fusion !== 'nmm') bad(`fusion must be 'nms' or 'nmm'; got '${String(options.fusion)}'.`);
  if (!(options.fusionThreshold > 0 && options.fusionThreshold <= 1)) bad(`fusionThreshold must be in (0, 1]; got ${options.fusionThreshold}.`);
  if (options.budget !== null && !(Number.isInteger(options.budget) && options.budget >= 1)) bad(`budget must be a whole number ≥ 1 or null; got ${options.budget}.`);
  if (!(options.maxTileObject > 0)) bad(`maxTileObject must be > 0; got ${options.maxTileObject}.`);
  if (!(options.minFrameObject >= 0)) bad(`minFrameObject must be ≥ 0; got ${options.minFrameObject}.`);
  if (!(options.tileScoreScale > 0 && options.tileScoreScale <= 1)) bad(`tileScoreScale must be in (0, 1]; got ${options.tileScoreScale}.`);
  if (typeof options.batch !== 'boolean' && options.batch !== 'auto') bad(`batch must be true, false or 'auto'; got ${String(options.batch)}.`);
  return options;
}

/** One pass of the plan. */
export interface PlannedTile {
  /** Position in the plan; 0 is the whole frame. */
  index: number;
  /** Zoom relative to the whole-frame pass (1 for it). */
  scale: number;
  /** 0 for the whole frame, then 1 + the index of `scale` in the sorted scales. */
  scaleIndex: number;
  /** Source pixels the pass sees (a tile may reach past the frame when it is longer than it). */
  rect: Rect;
  /** Model-input pixels per source pixel in this pass. */
  gain: number;
  /** Which edges are inner borders: inside the frame, with a neighbouring tile of the same scale beyond. */
  inner: { left: boolean; top: boolean; right: boolean; bottom: boolean };
}

/** Evenly spread starts of `count` segments of length `tile` over [0, length]; one centred when it is longer. */
function spread(length: number, tile: number, overlap: number): number[] {
  if (tile >= length - 1e-9) return [(length - tile) / 2];
  // n tiles cover the axis with overlap ≥ o when n·t − (n − 1)·o·t ≥ L.
  const count = Math.max(2, Math.ceil((length - overlap * tile) / (tile * (1 - overlap)) - 1e-9));
  return Array.from({ length: count }, (_, i) => (i === count - 1 ? length - tile : (i * (length - tile)) / (count - 1)));
}

/**
 * The passes for a `frameWidth × frameHeight` frame and a `inputWidth × inputHeight` model: the whole
 * frame, then for each scale (ascending) its tiles row by row.
 */
export function planTiles(frameWidth: number, frameHeight: number, inputWidth: number, inputHeight: number, scales: readonly number[], overlap: number): PlannedTile[] {
  const base = Math.min(inputWidth / frameWidth, inputHeight / frameHeight);
  const none = { left: false, top: false, right: false, bottom: false };
  const tiles: PlannedTile[] = [{ index: 0, scale: 1, scaleIndex: 0, rect: { x: 0, y: 0, width: frameWidth, height: frameHeight }, gain: base, inner: none }];
  [...scales]
    .sort((a, b) => a - b)
    .forEach((scale, s) => {
      const gain = base * scale;
      const width = inputWidth / gain;
      const height = inputHeight / gain;
      const xs = spread(frameWidth, width, overlap);
      const ys = spread(frameHeight, height, overlap);
      ys.forEach((y, row) =>
        xs.forEach((x, col) => {
          tiles.push({
            index: tiles.length,
            scale,
            scaleIndex: s + 1,
            rect: { x, y, width, height },
            gain,
            inner: { left: col > 0, top: row > 0, right: col < xs.length - 1, bottom: row < ys.length - 1 },
          });
        }),
      );
    });
  return tiles;
}

/**
 * `tf.image.cropAndResize` boxes [y1, x1, y2, x2] (normalised) that resample each tile's rect to the model
 * input with half-pixel centres, as `resizeBilinear(…, halfPixelCenters)` would: output pixel j samples
 * the source at x + (j + ½)·w / W_in − ½ (pixel-index coordinates). `pad` is the border added around the
 * frame before cropping (edge pixels repeated, so that the outermost half pixel is not extrapolated).
 * cropAndResize samples `y1·(H − 1) + j·(y2 − y1)·(H − 1)/(h − 1)` of the padded image.
 */
export function cropBoxes(tiles: readonly PlannedTile[], frameWidth: number, frameHeight: number, inputWidth: number, inputHeight: number, pad = 1): Float32Array {
  const boxes = new Float32Array(tiles.length * 4);
  const spanX = Math.max(1, frameWidth + 2 * pad - 1);
  const spanY = Math.max(1, frameHeight + 2 * pad - 1);
  tiles.forEach(({ rect }, i) => {
    const stepX = rect.width / inputWidth;
    const stepY = rect.height / inputHeight;
    boxes[4 * i] = (rect.y + 0.5 * stepY - 0.5 + pad) / spanY;
    boxes[4 * i + 1] = (rect.x + 0.5 * stepX - 0.5 + pad) / spanX;
    boxes[4 * i + 2] = (rect.y + rect.height - 0.5 * stepY - 0.5 + pad) / spanY;
    boxes[4 * i + 3] = (rect.x + rect.width - 0.5 * stepX - 0.5 + pad) / spanX;
  });
  return boxes;
}

/** Tile input px → source px: `source = rect.origin + input / gain` (per axis; exact). */
export function tileToSource(tile: PlannedTile, x: number, y: number): { x: number; y: number } {
  return { x: tile.rect.x + x / tile.gain, y: tile.rect.y + y / tile.gain };
}
