// The layer table, read as <loupe-overlay>, <loupe-live> and the manifest read it; and the layers'
// own logic (which maps they ask for, how they decorate boxes, what the inspector reads), in Node.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { nanodet } from '../../models/nanodet/descriptor.js';
import type { Detection } from '../../src/types.js';
import { labelText } from './boxes.js';
import { LAYER_TABLE, OVERLAY_CSS_PARTS, OVERLAY_EXPORT_PARTS, OVERLAY_LAYERS, isOverlayLayer, layersNamed } from './index.js';
import type { OverlayFrame } from './layer.js';
import { emptyPanelNote, panelDetections, panelPlanOf } from './levels.js';
import { readRegression } from './offsets.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function detection(level: number, stride: number, anchor = 0): Detection {
  return { x: 10, y: 10, width: 20, height: 40, score: 0.414, classId: 0, label: 'person', cell: { level, stride, x: 1, y: 1, anchor, priorX: 20, priorY: 30 } };
}

const frame = (extra: Partial<OverlayFrame> = {}): OverlayFrame => ({
  detections: [],
  letterbox: { sourceWidth: 416, sourceHeight: 416, inputWidth: 416, inputHeight: 416, contentWidth: 416, contentHeight: 416, scaleX: 1, scaleY: 1, padX: 0, padY: 0 },
  levels: [],
  model: 'nanodet',
  ...extra,
});

describe('the layer table', () => {
  it('names each layer once, in the control bar’s order, with a label and its parts', () => {
    expect(OVERLAY_LAYERS).toEqual(['boxes', 'heatmap', 'levels', 'offsets', 'tiles', 'tracks']);
    expect(LAYER_TABLE.map((layer) => layer.label)).toEqual(['Boxes', 'Heatmap', 'Levels', 'Offsets', 'Tiles', 'Tracks']);
    const parts = OVERLAY_CSS_PARTS.map((part) => part.name);
    expect(new Set(parts).size).toBe(parts.length);
    for (const layer of LAYER_TABLE) expect(layer.summary.length).toBeGreaterThan(20);
  });

  it('forwards every part through <loupe-live> (tiles and scale-strip were once left out)', () => {
    expect(OVERLAY_EXPORT_PARTS.split(', ')).toEqual(OVERLAY_CSS_PARTS.map((part) => part.name));
    expect(OVERLAY_EXPORT_PARTS).toContain('tiles');
    expect(OVERLAY_EXPORT_PARTS).toContain('scale-strip');
  });

  it('is what the manifest says: every part of the overlay, and of <loupe-live>, once', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../custom-elements.json', import.meta.url), 'utf8')) as {
      modules: { declarations?: { name: string; cssParts?: { name: string }[] }[] }[];
    };
    const declaration = (name: string) => manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.name === name)!;
    expect(declaration('LoupeOverlay').cssParts?.map((p) => p.name)).toEqual(OVERLAY_CSS_PARTS.map((p) => p.name));
    const live = declaration('LoupeLive').cssParts?.map((p) => p.name) ?? [];
    for (const part of OVERLAY_CSS_PARTS) expect(live.filter((name) => name === part.name)).toHaveLength(1);
  });

  it('knows its names and gives the rows of a set of names in table order', () => {
    expect(isOverlayLayer('tiles')).toBe(true);
    expect(isOverlayLayer('tracks')).toBe(true);
    expect(isOverlayLayer('trails')).toBe(false);
    expect(layersNamed(['offsets', 'boxes', 'nonsense']).map((layer) => layer.name)).toEqual(['boxes', 'offsets']);
  });

  it('asks for maps only where a layer draws or inspects them', () => {
    const byName = Object.fromEntries(LAYER_TABLE.map((layer) => [layer.name, layer]));
    expect(byName.boxes!.maps).toEqual([]);
    expect(byName.tiles!.maps).toEqual([]);
    expect(byName.heatmap!.request?.({ levelNamed: false })).toEqual({ heatmap: true });
    expect(byName.levels!.request?.({ levelNamed: true })).toEqual({ heatmap: true });
    expect(byName.levels!.request?.({ levelNamed: false }).panels).toBe(panelPlanOf);
    expect(byName.offsets!.request?.({ levelNamed: false })).toEqual({ regression: true });
    expect(byName.offsets!.inspect?.map).toBe('regression');
  });

  it('decorates boxes: levels by stride, tiles by the scale that found them; labels carry both', () => {
    const byName = Object.fromEntries(LAYER_TABLE.map((layer) => [layer.name, layer]));
    const d: Detection = { ...detection(1, 16), tile: { index: 0, scale: 1, rect: { x: 0, y: 0, width: 416, height: 416 }, merged: 1 } };
    const tiled = frame({ smallObjects: { tiles: [{ index: 0, scale: 1, scaleIndex: 0, rect: { x: 0, y: 0, width: 416, height: 416 }, executed: true }] } as unknown as OverlayFrame['smallObjects'] });
    const levels = byName.levels!.decorateBox!(d, tiled)!;
    const tiles = byName.tiles!.decorateBox!(d, tiled)!;
    expect(levels).toEqual({ color: '#a3e635', suffix: ' · s16' });
    expect(tiles).toEqual({ color: '#e5e7eb', suffix: ' · whole' });
    expect(labelText(d, levels.suffix! + tiles.suffix!)).toBe('person 41% · s16 · whole');
    // Without small-object mode the tiles layer neither draws the boxes nor colours them.
    expect(byName.tiles!.showsBoxes!(frame())).toBe(false);
    expect(byName.tiles!.decorateBox!(d, frame())).toBeUndefined();
  });
});

describe('levels layer', () => {
  it('side by side: one map per level of a multi-level model, one per anchor of an anchored one, none for one plain level', () => {
    const plain = { objectnessChannels: 0 };
    expect(panelPlanOf([plain, plain, plain])).toEqual({
      anchors: false,
      panels: [
        { level: 0, map: 'scores' },
        { level: 1, map: 'scores' },
        { level: 2, map: 'scores' },
      ],
    });
    expect(panelPlanOf([{ objectnessChannels: 5 }])).toEqual({ anchors: true, panels: [0, 1, 2, 3, 4].map((channel) => ({ level: 0, map: 'objectness', channel })) });
    expect(panelPlanOf([plain])).toBeNull();
    expect(panelPlanOf([{ objectnessChannels: 1 }])).toBeNull();
  });

  it('counts a panel’s boxes by level (or anchor), and says so when there are none', () => {
    const detections = [detection(0, 8), detection(0, 8), detection(2, 32, 3)];
    expect(panelDetections({ level: 0 }, detections)).toHaveLength(2);
    expect(panelDetections({ level: 1 }, detections)).toHaveLength(0);
    expect(panelDetections({ level: 0, anchor: 3 }, detections)).toHaveLength(1);
    expect(emptyPanelNote(0.35)).toBe('no box ≥ 0.35');
    expect(emptyPanelNote(undefined)).toBe('no box');
    // With the map's peak: nothing reached the threshold, or a box lost the NMS.
    expect(emptyPanelNote(0.3, 0.0812)).toBe('no score ≥ 0.3 · max 0.08');
    expect(emptyPanelNote(0.3, 0.52)).toBe('no box ≥ 0.3 · max 0.52');
  });
});

describe('offsets layer inspector', () => {
  it('reads the values as the model declares them, and leaves undeclared ones raw', () => {
    const values = new Float32Array(44);
    values[3] = 20; // left side: bin 3 all but certain
    const reading = readRegression(values, detection(0, 8), { labels: [], regression: nanodet.regression! });
    expect(reading?.kind).toBe('distribution');
    if (reading?.kind === 'distribution') expect(reading.sides[0]!.px).toBeCloseTo(24, 3);
    expect(readRegression(values, detection(0, 8), { labels: [] })).toBeNull();
    // A mismatch between the maps and the declaration is an error, not a guess.
    expect(() => readRegression(new Float32Array(4), detection(0, 8), { labels: [], regression: nanodet.regression! })).toThrow(/model declares 44/);
  });
});
