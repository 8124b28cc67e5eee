/**
 * Where each box's label goes so that no two labels overlap, none is cut by the picture's edges and none
 * sits under the overlay's own panels: above the box, else inside its top, below it, inside its bottom,
 * then stacked further above or below; on each row nudged left/right (still over the box) past labels
 * already placed; failing all of that, its compact form (class and score, without the layers' suffix such
 * as ` · s16 · whole`) in the same places; then shortened to the room there is (the full text stays in the
 * label's title and the inspector), or hidden. Boxes are served in the order given (pass them best score first).
 * Plain geometry in CSS pixels, one coordinate system for everything (no DOM).
 */
import type { Rect } from '../internal/fit.js';

export interface LabelRequest {
  /** The box the label belongs to. */
  box: Rect;
  /** The label's natural size (its whole text, padding included). */
  width: number;
  height: number;
  /** Width of its compact form (without the layers' suffix), when it has one. */
  compactWidth?: number;
}

export type LabelSide = 'above' | 'inside' | 'below' | 'inside-bottom';

export interface LabelPlacement {
  x: number;
  y: number;
  /** Shown width: the natural one, or less when `truncated`. */
  width: number;
  height: number;
  side: LabelSide;
  /** Narrower than the text: ends in an ellipsis. */
  truncated: boolean;
  /** Shown in its compact form (the suffix left out; whole otherwise). */
  compact: boolean;
  /** No room anywhere near the box. */
  hidden: boolean;
}

export interface PlacementOptions {
  /** What may be covered: the visible part of the picture. */
  bounds: Rect;
  /** Areas labels keep clear of (legends, panels, a HUD band). */
  obstacles?: readonly Rect[];
  /** Narrowest shortened label worth showing (default 32 px: a word and an ellipsis). */
  minWidth?: number;
  /** Extra rows tried above and below the box before shortening (default 2). */
  stackRows?: number;
}

/** Edges may touch: a sliver below this is not an overlap (rounding of fractional layouts). */
const EPSILON = 0.01;

export function rectsOverlap(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width - EPSILON && b.x < a.x + a.width - EPSILON && a.y < b.y + b.height - EPSILON && b.y < a.y + a.height - EPSILON;
}

/** Whether `inner` lies inside `outer` (edges included). */
export function rectInside(inner: Rect, outer: Rect): boolean {
  return inner.x >= outer.x - EPSILON && inner.y >= outer.y - EPSILON && inner.x + inner.width <= outer.x + outer.width + EPSILON && inner.y + inner.height <= outer.y + outer.height + EPSILON;
}

const clamp = (value: number, low: number, high: number): number => Math.max(low, Math.min(value, high));

export function placeLabels(requests: readonly LabelRequest[], options: PlacementOptions): LabelPlacement[] {
  const { bounds } = options;
  const minWidth = options.minWidth ?? 32;
  const stackRows = options.stackRows ?? 2;
  const taken: Rect[] = [...(options.obstacles ?? [])];
  const right = bounds.x + bounds.width;
  const bottom = bounds.y + bounds.height;
  return requests.map(({ box, width: natural, height, compactWidth }) => {
    const boxBottom = box.y + box.height;
    const rows: [LabelSide, number][] = [
      ['above', box.y - height],
      ['inside', box.y],
      ['below', boxBottom],
      ['inside-bottom', boxBottom - height],
    ];
    for (let k = 1; k <= stackRows; k++) rows.push(['above', box.y - height * (k + 1)], ['below', boxBottom + height * k]);
    const fits = rows.filter(([, y]) => y >= bounds.y - EPSILON && y + height <= bottom + EPSILON);

    // Whole text (then its compact form): the box's left edge, or next to a label in the way, as long as it still spans the box.
    const forms = compactWidth !== undefined && compactWidth < natural ? [natural, compactWidth] : [natural];
    for (const [form, full] of forms.entries()) {
      // Only the last form is cut to the picture's width: a longer one gives way to the compact form first.
      const width = form === forms.length - 1 ? Math.min(full, bounds.width) : full;
      if (width > bounds.width + EPSILON) continue;
      for (const [side, y] of fits) {
        const preferred = clamp(box.x, bounds.x, right - width);
        const inRow = taken.filter((rect) => rect.y < y + height - EPSILON && y < rect.y + rect.height - EPSILON);
        const xs = [preferred, ...inRow.flatMap((rect) => [rect.x + rect.width, rect.x - width])]
          .filter((x) => x >= bounds.x - EPSILON && x + width <= right + EPSILON && x < box.x + box.width && x + width > box.x)
          .sort((a, b) => Math.abs(a - preferred) - Math.abs(b - preferred));
        for (const x of xs) {
          const rect = { x, y, width, height };
          if (!inRow.some((other) => rectsOverlap(rect, other))) {
            taken.push(rect);
            return { ...rect, side, truncated: width < full, compact: form > 0, hidden: false };
          }
        }
      }
    }
    // Shortened (the compact form, when there is one): from the box's left edge to whatever comes next on the row.
    const compact = forms.length > 1;
    const width = Math.min(forms[forms.length - 1] ?? natural, bounds.width);
    for (const [side, y] of fits) {
      const x = clamp(box.x, bounds.x, Math.max(bounds.x, right - minWidth));
      const inRow = taken.filter((rect) => rect.y < y + height - EPSILON && y < rect.y + rect.height - EPSILON);
      if (inRow.some((rect) => rect.x <= x + EPSILON && x < rect.x + rect.width - EPSILON)) continue;
      const limit = Math.min(right, ...inRow.filter((rect) => rect.x > x).map((rect) => rect.x));
      const room = Math.min(width, limit - x);
      if (room >= minWidth) {
        const rect = { x, y, width: room, height };
        taken.push(rect);
        return { ...rect, side, truncated: room < width, compact, hidden: false };
      }
    }
    return { x: box.x, y: box.y, width: 0, height, side: 'inside' as const, truncated: true, compact: false, hidden: true };
  });
}
