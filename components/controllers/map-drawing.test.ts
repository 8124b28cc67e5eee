// The overlay's map drawing on real tensors (tfjs CPU backend): frames are drawn one at a time, a frame
// still waiting is replaced by a newer one (latest wins, never a queue), every map reference a frame holds
// is released once drawn, dropped or refused by a host that is gone, and a failing renderer is reported
// with the frame committed without maps. The engine's HeatmapRenderer needs a DOM canvas, which Node
// lacks: a renderer that records what it was asked to draw and lets the test decide when it finishes
// stands in for it (the real one draws in the browser in e2e/live-webgl.spec.ts, live-webgpu.spec.ts and nanodet.spec.ts).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownMap } from '../../src/maps.js';
import type { LetterboxTransform, MapHandle } from '../../src/types.js';
import type { OverlayFrame } from '../layers/layer.js';
import { MapDrawing, type MapRenderer, type PendingMaps } from './map-drawing.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const LETTERBOX: LetterboxTransform = {
  sourceWidth: 64, sourceHeight: 64, inputWidth: 64, inputHeight: 64, contentWidth: 64, contentHeight: 64, scaleX: 1, scaleY: 1, padX: 0, padY: 0,
};

/** A [8, 8, 3] score map at stride 8 whose values say which frame it belongs to. */
const scoreMap = (value: number): MapHandle<tf.Rank.R3> => ownMap(tf.fill([8, 8, 3], value) as tf.Tensor3D, 8, 'corner');

function pending(id: number, panels = 0): PendingMaps {
  const frame: OverlayFrame = { detections: [], letterbox: LETTERBOX, levels: [], model: `frame-${id}` };
  return { frame, map: scoreMap(id), panels: Array.from({ length: panels }, () => scoreMap(id)), panelsAreAnchors: false, regression: [scoreMap(id)] };
}

/** A renderer whose renders finish when the test says so; it records the first value of each map drawn. */
function setup(options: { connected?: boolean; failOn?: number } = {}) {
  const drawnValues: number[] = [];
  const waiting: (() => void)[] = [];
  const committed: { frame: OverlayFrame; drawn: boolean }[] = [];
  const errors: unknown[] = [];
  let renderers = 0;
  let disposedRenderers = 0;
  const createRenderer = (): MapRenderer => {
    renderers++;
    const canvas = { width: 8, height: 8 } as HTMLCanvasElement;
    return {
      canvas,
      path: 'cpu-8bit',
      render: async (map) => {
        const value = (await map.tensor.data())[0]!;
        await new Promise<void>((resolve) => waiting.push(resolve));
        if (value === options.failOn) throw new Error(`renderer failed on ${value}`);
        drawnValues.push(value);
        return canvas;
      },
      dispose: () => {
        disposedRenderers++;
      },
    };
  };
  const drawing = new MapDrawing(
    {
      heatmapClass: () => null,
      colormap: () => 'inferno',
      commit: (frame, drawn) => {
        committed.push({ frame, drawn });
        return options.connected ?? true;
      },
      reportError: (error) => errors.push(error),
    },
    createRenderer,
  );
  /** Lets the renders started so far finish, and the drawing loop move on. */
  const finishRenders = async (): Promise<void> => {
    for (let round = 0; round < 20; round++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      while (waiting.length > 0) waiting.shift()!();
    }
  };
  return { drawing, drawnValues, committed, errors, finishRenders, renderers: () => renderers, disposedRenderers: () => disposedRenderers };
}

describe('MapDrawing', () => {
  it('draws the latest frame: one waiting behind the frame being drawn is replaced, and its maps released', async () => {
    const before = tf.memory().numTensors;
    const { drawing, drawnValues, committed, finishRenders } = setup();
    drawing.submit(pending(1));
    drawing.submit(pending(2)); // waits behind 1
    drawing.submit(pending(3)); // replaces 2
    await finishRenders();
    expect(drawnValues).toEqual([1, 3]);
    expect(committed.map((c) => [c.frame.model, c.drawn])).toEqual([['frame-1', true], ['frame-3', true]]);
    const last = committed[1]!.frame;
    expect(last.heatmap).toBeDefined();
    expect(last.heatmapClasses).toBe(3);
    expect(last.colormap).toBe('inferno');
    // The committed frames hold their regression maps (the overlay releases them at its next commit).
    expect(committed.every((c) => c.frame.regression?.length === 1 && !c.frame.regression[0]!.disposed)).toBe(true);
    for (const { frame } of committed) for (const handle of frame.regression ?? []) handle?.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('draws the level strip with one renderer per panel, kept from frame to frame', async () => {
    const before = tf.memory().numTensors;
    const { drawing, committed, finishRenders, renderers } = setup();
    drawing.submit(pending(1, 3));
    await finishRenders();
    drawing.submit(pending(2, 3));
    await finishRenders();
    expect(renderers()).toBe(4); // the single heatmap's and three panels'
    expect(committed.map((c) => c.frame.panels?.map((panel) => [panel.level, panel.stride]))).toEqual([
      [[0, 8], [1, 8], [2, 8]],
      [[0, 8], [1, 8], [2, 8]],
    ]);
    // No box on any panel: each says how high its map reached (the real mapPeak, one float read).
    expect(committed.map((c) => c.frame.panels?.map((panel) => panel.peak))).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    for (const { frame } of committed) for (const handle of frame.regression ?? []) handle?.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reads the peak only of the panels without a box', async () => {
    const before = tf.memory().numTensors;
    const { drawing, committed, finishRenders } = setup();
    const frame = pending(5, 3);
    const person = { x: 1, y: 1, width: 4, height: 8, score: 0.9, classId: 0, label: 'person', cell: { level: 1, stride: 16, x: 0, y: 0, priorX: 0, priorY: 0 } };
    frame.frame.detections = [person as OverlayFrame['detections'][number]];
    drawing.submit(frame);
    await finishRenders();
    expect(committed[0]!.frame.panels?.map((panel) => panel.peak)).toEqual([5, undefined, 5]);
    for (const handle of committed[0]!.frame.regression ?? []) handle?.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('releases a dropped frame, and a drawn frame whose host is gone', async () => {
    const before = tf.memory().numTensors;
    const gone = setup({ connected: false });
    gone.drawing.submit(pending(1));
    gone.drawing.submit(pending(2));
    gone.drawing.drop(); // 2 was waiting
    await gone.finishRenders();
    expect(gone.drawnValues).toEqual([1]);
    expect(tf.memory().numTensors).toBe(before);
    gone.drawing.dispose();
    expect(gone.disposedRenderers()).toBe(gone.renderers());
  });

  it('disposed while a frame draws (the overlay moved in the DOM): no error, the next frame draws on a new renderer', async () => {
    const before = tf.memory().numTensors;
    const { drawing, committed, errors, finishRenders, renderers } = setup();
    drawing.submit(pending(1));
    await new Promise((resolve) => setTimeout(resolve, 0)); // the render of frame 1 has started
    drawing.dispose();
    await finishRenders();
    expect(errors).toEqual([]);
    expect(drawing.heatmapShown, 'nothing shown from the disposed renderer').toBeNull();
    drawing.submit(pending(2));
    await finishRenders();
    expect(errors).toEqual([]);
    expect(renderers()).toBe(2);
    expect(drawing.heatmapShown?.canvas).toBe(drawing.heatmapRenderer?.canvas);
    for (const { frame } of committed) for (const handle of frame.regression ?? []) handle?.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports a renderer failure and commits the frame without its maps', async () => {
    const before = tf.memory().numTensors;
    const { drawing, committed, errors, finishRenders } = setup({ failOn: 1 });
    drawing.submit(pending(1));
    await finishRenders();
    expect(errors.map(String)).toEqual(['Error: renderer failed on 1']);
    expect(committed.map((c) => [c.frame.model, c.drawn, c.frame.heatmap])).toEqual([['frame-1', false, undefined]]);
    for (const handle of committed[0]!.frame.regression ?? []) handle?.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
