// Label placement: no two labels overlap, none leaves the picture or covers an obstacle, each stays by
// its box; the order of preference (above, inside, below, nudged, shortened, hidden) as documented.
import { describe, expect, it } from 'vitest';
import type { Rect } from '../internal/fit.js';
import { placeLabels, rectInside, rectsOverlap, type LabelPlacement, type LabelRequest } from './label-placement.js';

const bounds: Rect = { x: 0, y: 0, width: 640, height: 480 };
const H = 18;

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Every visible label: inside the bounds, clear of the obstacles and of every other label, by its box. */
function expectClean(requests: readonly LabelRequest[], placements: readonly LabelPlacement[], obstacles: readonly Rect[] = []): void {
  const shown = placements.filter((p) => !p.hidden);
  for (const [i, p] of shown.entries()) {
    expect(rectInside(p, bounds), `label ${i} inside the picture`).toBe(true);
    for (const obstacle of obstacles) expect(rectsOverlap(p, obstacle), `label ${i} clear of an obstacle`).toBe(false);
    for (const q of shown.slice(i + 1)) expect(rectsOverlap(p, q), `labels overlap: ${JSON.stringify([p, q])}`).toBe(false);
  }
  placements.forEach((p, i) => {
    if (p.hidden) return;
    const { box } = requests[i]!;
    // Attached: it spans part of its box's width, and touches or lies within a few rows of the box.
    expect(p.x < box.x + box.width && p.x + p.width > box.x).toBe(true);
    expect(p.y + p.height >= box.y - 2 * H - 0.01 && p.y <= box.y + box.height + 2 * H + 0.01).toBe(true);
    expect(p.width).toBeLessThanOrEqual(requests[i]!.width);
  });
}

describe('placeLabels', () => {
  it('puts a label above its box, at its left edge, at its natural size', () => {
    const requests = [{ box: { x: 100, y: 100, width: 50, height: 80 }, width: 90, height: H }];
    expect(placeLabels(requests, { bounds })).toEqual([{ x: 100, y: 82, width: 90, height: H, side: 'above', truncated: false, compact: false, hidden: false }]);
  });

  it('moves it inside the box when the box touches the top edge, and clear of a top band', () => {
    const requests = [{ box: { x: 100, y: 2, width: 50, height: 80 }, width: 90, height: H }];
    expect(placeLabels(requests, { bounds })[0]).toMatchObject({ y: 2, side: 'inside' });
    const band = { x: 0, y: 0, width: 640, height: 34 };
    const below = placeLabels([{ box: { x: 100, y: 20, width: 50, height: 20 }, width: 90, height: H }], { bounds, obstacles: [band] })[0]!;
    expect(below).toMatchObject({ y: 40, side: 'below' });
  });

  it('nudges a label left at the right edge instead of cutting it', () => {
    const requests = [{ box: { x: 600, y: 200, width: 40, height: 60 }, width: 120, height: H }];
    const [placement] = placeLabels(requests, { bounds });
    expect(placement).toMatchObject({ x: 520, y: 182, width: 120, truncated: false, side: 'above' });
  });

  it('keeps the labels of neighbouring boxes apart: the second goes inside, or beside the first', () => {
    const requests = [
      { box: { x: 100, y: 100, width: 40, height: 80 }, width: 110, height: H },
      { box: { x: 150, y: 100, width: 40, height: 80 }, width: 110, height: H },
    ];
    const placements = placeLabels(requests, { bounds });
    expectClean(requests, placements);
    expect(placements[0]).toMatchObject({ side: 'above', x: 100 });
    expect(placements[1]!.truncated).toBe(false);
  });

  it('shortens a label wider than the picture to its width, and marks it truncated', () => {
    const requests = [{ box: { x: 10, y: 100, width: 40, height: 80 }, width: 900, height: H }];
    expect(placeLabels(requests, { bounds })[0]).toMatchObject({ x: 0, width: 640, truncated: true, hidden: false });
  });

  it('leaves the suffix out before it cuts a label: "person 41%" whole, not "person 41% · w…"', () => {
    // Tiles on: the full text is 150 px, class and score 70 px; the picture is 100 px wide.
    const narrow = { x: 0, y: 0, width: 100, height: 480 };
    const label = { box: { x: 10, y: 100, width: 40, height: 80 }, width: 150, compactWidth: 70, height: H };
    expect(placeLabels([label], { bounds: narrow })[0]).toMatchObject({ x: 10, width: 70, compact: true, truncated: false });
    // Without a compact form it is cut to the picture, as before.
    expect(placeLabels([{ ...label, compactWidth: undefined }], { bounds: narrow })[0]).toMatchObject({ x: 0, width: 100, compact: false, truncated: true });
    // Crowded: only an 80 px gap above the box is free (neighbours' labels left and right).
    const crowd = [
      { x: 0, y: 0, width: 640, height: 82 },
      { x: 0, y: 100, width: 640, height: 380 },
      { x: 0, y: 82, width: 100, height: H },
      { x: 180, y: 82, width: 460, height: H },
    ];
    const boxed = { ...label, box: { x: 100, y: 100, width: 60, height: 80 } };
    expect(placeLabels([boxed], { bounds, obstacles: crowd })[0]).toMatchObject({ x: 100, y: 82, width: 70, compact: true, truncated: false, hidden: false });
    // A 50 px gap: the compact form is what gets cut.
    const tighter = [...crowd.slice(0, 3), { x: 150, y: 82, width: 490, height: H }];
    expect(placeLabels([boxed], { bounds, obstacles: tighter })[0]).toMatchObject({ x: 100, width: 50, compact: true, truncated: true, hidden: false });
    // The whole text when there is room for it.
    expect(placeLabels([boxed], { bounds })[0]).toMatchObject({ width: 150, compact: false, truncated: false });
  });

  it('hides a label when there is no room near its box at all', () => {
    const wall = { x: 0, y: 0, width: 640, height: 480 };
    const requests = [{ box: { x: 10, y: 100, width: 40, height: 80 }, width: 60, height: H }];
    expect(placeLabels(requests, { bounds, obstacles: [wall] })[0]).toMatchObject({ hidden: true });
  });

  it('on crowded random frames: no overlap, nothing outside, obstacles kept clear', () => {
    const obstacles = [
      { x: 0, y: 0, width: 640, height: 34 },
      { x: 420, y: 360, width: 210, height: 110 },
    ];
    for (let seed = 1; seed <= 40; seed++) {
      const next = random(seed);
      const requests = Array.from({ length: 5 + Math.floor(next() * 60) }, () => {
        const width = 8 + next() * 120;
        const height = 12 + next() * 200;
        return { box: { x: next() * (640 - width), y: next() * (480 - height), width, height }, width: 40 + next() * 110, height: H };
      });
      const placements = placeLabels(requests, { bounds, obstacles });
      expectClean(requests, placements, obstacles);
      // Most labels find a place even in a crowd of 60.
      expect(placements.filter((p) => !p.hidden).length).toBeGreaterThanOrEqual(Math.min(requests.length, 12));
    }
  });

  it('serves boxes in the order given: the first keeps its preferred place', () => {
    const a = { box: { x: 100, y: 100, width: 40, height: 80 }, width: 110, height: H };
    const b = { box: { x: 120, y: 100, width: 40, height: 80 }, width: 110, height: H };
    expect(placeLabels([a, b], { bounds })[0]).toMatchObject({ x: 100, y: 82 });
    expect(placeLabels([b, a], { bounds })[0]).toMatchObject({ x: 120, y: 82 });
  });
});
