import { describe, expect, it } from 'vitest';
import { LoupeError } from '../errors.js';
import { SMALL_OBJECT_DEFAULTS, planTiles, resolveSmallObjects, tileToSource, type PlannedTile } from './plan.js';

const covers = (tiles: readonly PlannedTile[], x: number, y: number): boolean =>
  tiles.some(({ rect }) => x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height);

describe('planTiles', () => {
  it('puts the whole frame first, then model-sized tiles per scale, ascending', () => {
    const tiles = planTiles(640, 480, 512, 512, [3, 2], 0.2);
    expect(tiles[0]).toMatchObject({ index: 0, scale: 1, scaleIndex: 0, rect: { x: 0, y: 0, width: 640, height: 480 }, gain: 0.8 });
    expect(tiles.map((t) => t.index)).toEqual(tiles.map((_, i) => i));
    const scales = tiles.slice(1).map((t) => t.scale);
    expect(scales).toEqual([...scales].sort((a, b) => a - b));
    expect(new Set(tiles.map((t) => t.scaleIndex))).toEqual(new Set([0, 1, 2]));
  });

  it('sizes tiles to the input at scale × the whole-frame gain (640×480, 512², scale 2 → 320 px, 3 × 2)', () => {
    const tiles = planTiles(640, 480, 512, 512, [2], 0.2).slice(1);
    expect(tiles).toHaveLength(6);
    for (const tile of tiles) {
      expect(tile.gain).toBeCloseTo(1.6, 12);
      expect(tile.rect.width).toBeCloseTo(320, 9);
      expect(tile.rect.height).toBeCloseTo(320, 9);
    }
    expect(tiles.map((t) => Math.round(t.rect.x))).toEqual([0, 160, 320, 0, 160, 320]);
    expect(tiles.map((t) => Math.round(t.rect.y))).toEqual([0, 0, 0, 160, 160, 160]);
    // Inner borders: between neighbours only, never on the frame's edge.
    expect(tiles[0]!.inner).toEqual({ left: false, top: false, right: true, bottom: true });
    expect(tiles[4]!.inner).toEqual({ left: true, top: true, right: true, bottom: false });
  });

  it.each([
    [640, 480, 512, 512, 2, 0.2],
    [480, 640, 512, 512, 2.5, 0.25],
    [1920, 1080, 416, 416, 3, 0.2],
    [500, 375, 416, 416, 1.5, 0],
    [612, 612, 320, 320, 4, 0.3],
  ])('covers every pixel of %i×%i (input %i×%i, scale %f, overlap %f) with at least the overlap between neighbours', (w, h, iw, ih, scale, overlap) => {
    const tiles = planTiles(w, h, iw, ih, [scale], overlap).slice(1);
    for (let y = 0.5; y < h; y += 7) for (let x = 0.5; x < w; x += 7) expect(covers(tiles, x, y)).toBe(true);
    expect(covers(tiles, w - 0.01, h - 0.01)).toBe(true);
    // Neighbours along a row overlap by at least `overlap` of a tile; edges land on the frame's.
    const rows = new Map<number, PlannedTile[]>();
    for (const tile of tiles) rows.set(tile.rect.y, [...(rows.get(tile.rect.y) ?? []), tile]);
    for (const row of rows.values()) {
      const first = row[0]!.rect;
      const last = row.at(-1)!.rect;
      if (first.width < w) {
        expect(first.x).toBeCloseTo(0, 9);
        expect(last.x + last.width).toBeCloseTo(w, 9);
      }
      for (let i = 1; i < row.length; i++) {
        const a = row[i - 1]!.rect;
        const b = row[i]!.rect;
        expect(a.x + a.width - b.x).toBeGreaterThanOrEqual(overlap * a.width - 1e-9);
      }
    }
  });

  it('uses the fewest tiles that give the overlap', () => {
    // 2.25 tiles' worth at 20 %: three columns; at 0 %: two.
    expect(planTiles(640, 480, 512, 512, [2], 0).length - 1).toBe(2 * 2);
    expect(planTiles(640, 480, 512, 512, [2], 0.2).length - 1).toBe(3 * 2);
  });

  it('centres a tile longer than the frame on it (padded like a letterbox)', () => {
    const tiles = planTiles(640, 480, 512, 512, [1.1], 0.2).slice(1);
    // gain 0.88: 581.8 px tiles; two columns, one row centred on the 480 px height.
    expect(tiles).toHaveLength(2);
    for (const tile of tiles) {
      expect(tile.rect.y).toBeCloseTo((480 - 512 / 0.88) / 2, 9);
      expect(tile.inner.top || tile.inner.bottom).toBe(false);
    }
  });

  it('maps tile input pixels to source pixels exactly', () => {
    const tile = planTiles(640, 480, 512, 512, [2], 0.2)[5]!; // row 1, column 1
    expect(tileToSource(tile, 0, 0)).toEqual({ x: tile.rect.x, y: tile.rect.y });
    const corner = tileToSource(tile, 512, 512);
    expect(corner.x).toBeCloseTo(tile.rect.x + tile.rect.width, 9);
    expect(corner.y).toBeCloseTo(tile.rect.y + tile.rect.height, 9);
    expect(tileToSource(tile, 100, 40).x).toBeCloseTo(tile.rect.x + 100 / 1.6, 12);
  });
});

describe('resolveSmallObjects', () => {
  it('is off for false and absent, the defaults for true, presets by name, options over the defaults', () => {
    expect(resolveSmallObjects(undefined)).toBeNull();
    expect(resolveSmallObjects(false)).toBeNull();
    expect(resolveSmallObjects(true)).toEqual(SMALL_OBJECT_DEFAULTS);
    expect(resolveSmallObjects('full')).toEqual(SMALL_OBJECT_DEFAULTS);
    expect(resolveSmallObjects('live')).toEqual({ ...SMALL_OBJECT_DEFAULTS, budget: 4 });
    expect(resolveSmallObjects({ scales: [3, 2, 3], fusion: 'nmm' })).toEqual({ ...SMALL_OBJECT_DEFAULTS, scales: [2, 3], fusion: 'nmm' });
    expect(resolveSmallObjects({ preset: 'live', overlap: 0.3 })).toEqual({ ...SMALL_OBJECT_DEFAULTS, budget: 4, overlap: 0.3 });
    expect(resolveSmallObjects({ preset: 'live', budget: 6 })).toEqual({ ...SMALL_OBJECT_DEFAULTS, budget: 6 });
  });

  it.each([
    [{ scales: [1] }],
    [{ scales: [0.5] }],
    [{ scales: [20] }],
    [{ overlap: 1 }],
    [{ overlap: -0.1 }],
    [{ fusion: 'wbf' as 'nms' }],
    [{ budget: 0 }],
    [{ budget: 2.5 }],
    [{ fusionThreshold: 0 }],
    [{ maxTileObject: 0 }],
    ['huge' as 'full'],
    [{ preset: 'toString' as 'full' }],
  ])('refuses %j with bad-option', (setting) => {
    expect(() => resolveSmallObjects(setting)).toThrow(LoupeError);
    try {
      resolveSmallObjects(setting);
    } catch (error) {
      expect((error as LoupeError).type).toBe('bad-option');
    }
  });
});
