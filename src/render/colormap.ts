/**
 * The heatmap colour map: a perceptually ordered dark-violet → orange → pale-yellow ramp (in the spirit of
 * "inferno") whose opacity also rises with the score, so near-zero cells leave the video untouched.
 */
const STOPS: readonly (readonly [number, number, number, number])[] = [
  // position, r, g, b (0..255)
  [0.0, 20, 11, 52],
  [0.2, 87, 16, 110],
  [0.4, 159, 42, 99],
  [0.6, 221, 81, 58],
  [0.8, 252, 165, 10],
  [1.0, 250, 253, 161],
];

/** Opacity of a score: 0 below 0.04, rising to MAX_ALPHA at 0.5 and above. */
const MAX_ALPHA = 0.85;
export function scoreAlpha(score: number): number {
  return Math.min(1, Math.max(0, (score - 0.04) / 0.46)) * MAX_ALPHA;
}

function lerpStops(t: number): [number, number, number] {
  for (let i = 1; i < STOPS.length; i++) {
    const [p1, r1, g1, b1] = STOPS[i]!;
    const [p0, r0, g0, b0] = STOPS[i - 1]!;
    if (t <= p1) {
      const f = (t - p0) / (p1 - p0);
      return [r0 + (r1 - r0) * f, g0 + (g1 - g0) * f, b0 + (b1 - b0) * f];
    }
  }
  const last = STOPS[STOPS.length - 1]!;
  return [last[1], last[2], last[3]];
}

function buildLut(premultiplied: boolean): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const score = i / 255;
    const [r, g, b] = lerpStops(score);
    const a = scoreAlpha(score);
    const k = premultiplied ? a : 1;
    lut.set([Math.round(r * k), Math.round(g * k), Math.round(b * k), Math.round(a * 255)], i * 4);
  }
  return lut;
}

/**
 * 256-entry lookup tables, RGBA 0..255, indexed by round(score · 255): premultiplied by alpha (what
 * GPU canvases composite) and straight (what `putImageData` takes).
 */
export const COLORMAP_LUT_PREMULTIPLIED = buildLut(true);
export const COLORMAP_LUT_STRAIGHT = buildLut(false);

/** CSS `linear-gradient` stop list of the colour map (opaque), for legends. */
export function colormapStops(): string {
  return STOPS.map(([p, r, g, b]) => `rgb(${r} ${g} ${b}) ${Math.round(p * 100)}%`).join(', ');
}
