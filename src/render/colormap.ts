/**
 * The heatmap colour maps: perceptually ordered ramps whose opacity also rises with the score, so
 * near-zero cells leave the video untouched. `inferno` (dark violet → orange → pale yellow) is the
 * default; the others are there for taste, for colour-vision needs (`viridis`, `cividis`) and for print.
 */
type Stops = readonly (readonly [number, number, number, number])[];

/** Stops (position, r, g, b 0..255) sampled from matplotlib's maps (CC0) and Google's turbo (Apache-2.0). */
const COLORMAPS = {
  inferno: [
    [0.0, 20, 11, 52],
    [0.2, 87, 16, 110],
    [0.4, 159, 42, 99],
    [0.6, 221, 81, 58],
    [0.8, 252, 165, 10],
    [1.0, 250, 253, 161],
  ],
  magma: [
    [0.0, 0, 0, 4],
    [0.25, 81, 18, 124],
    [0.5, 183, 55, 121],
    [0.75, 252, 137, 97],
    [1.0, 252, 253, 191],
  ],
  viridis: [
    [0.0, 68, 1, 84],
    [0.25, 59, 82, 139],
    [0.5, 33, 145, 140],
    [0.75, 94, 201, 98],
    [1.0, 253, 231, 37],
  ],
  cividis: [
    [0.0, 0, 32, 77],
    [0.25, 64, 77, 107],
    [0.5, 124, 123, 120],
    [0.75, 188, 175, 111],
    [1.0, 255, 234, 70],
  ],
  turbo: [
    [0.0, 48, 18, 59],
    [0.2, 65, 125, 241],
    [0.4, 42, 220, 170],
    [0.6, 164, 252, 60],
    [0.8, 251, 147, 36],
    [1.0, 122, 4, 3],
  ],
  grey: [
    [0.0, 40, 40, 40],
    [1.0, 255, 255, 255],
  ],
} as const satisfies Record<string, Stops>;

export type ColormapName = keyof typeof COLORMAPS;
export const COLORMAP_NAMES = Object.keys(COLORMAPS) as ColormapName[];
export const DEFAULT_COLORMAP: ColormapName = 'inferno';

export function isColormapName(value: string): value is ColormapName {
  return Object.hasOwn(COLORMAPS, value);
}

/** Opacity of a score: 0 below 0.04, rising to MAX_ALPHA at 0.5 and above. */
const MAX_ALPHA = 0.85;
export function scoreAlpha(score: number): number {
  return Math.min(1, Math.max(0, (score - 0.04) / 0.46)) * MAX_ALPHA;
}

function lerpStops(stops: Stops, t: number): [number, number, number] {
  for (let i = 1; i < stops.length; i++) {
    const [p1, r1, g1, b1] = stops[i]!;
    const [p0, r0, g0, b0] = stops[i - 1]!;
    if (t <= p1) {
      const f = (t - p0) / (p1 - p0);
      return [r0 + (r1 - r0) * f, g0 + (g1 - g0) * f, b0 + (b1 - b0) * f];
    }
  }
  const last = stops[stops.length - 1]!;
  return [last[1], last[2], last[3]];
}

function buildLut(stops: Stops, premultiplied: boolean): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const score = i / 255;
    const [r, g, b] = lerpStops(stops, score);
    const a = scoreAlpha(score);
    const k = premultiplied ? a : 1;
    lut.set([Math.round(r * k), Math.round(g * k), Math.round(b * k), Math.round(a * 255)], i * 4);
  }
  return lut;
}

const luts = new Map<string, Uint8ClampedArray>();

/**
 * 256-entry lookup table of a colour map, RGBA 0..255, indexed by round(score · 255): premultiplied by
 * alpha (what GPU canvases composite) or straight (what `putImageData` takes).
 */
export function colormapLut(name: ColormapName, premultiplied: boolean): Uint8ClampedArray {
  const key = `${name}:${premultiplied}`;
  let lut = luts.get(key);
  if (!lut) {
    lut = buildLut(COLORMAPS[name], premultiplied);
    luts.set(key, lut);
  }
  return lut;
}

/** CSS `linear-gradient` stop list of a colour map (opaque), for legends. */
export function colormapStops(name: ColormapName = DEFAULT_COLORMAP): string {
  return COLORMAPS[name].map(([p, r, g, b]) => `rgb(${r} ${g} ${b}) ${Math.round(p * 100)}%`).join(', ');
}
