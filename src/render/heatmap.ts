/**
 * Draws a model's class heatmap from where it lives, with as little CPU traffic as the backend allows:
 *
 * | backend | path            | what crosses to the CPU per frame                       |
 * |---------|-----------------|---------------------------------------------------------|
 * | webgpu  | `webgpu-render` | nothing: a render pass on tfjs's device reads the tensor's buffer |
 * | webgpu on SwiftShader | `cpu-8bit` | as below (see `isSwiftShaderWebGpu`) |
 * | webgl   | `webgl-texture` | nothing: `dataToGPU()` texture drawn by a shader in tfjs's own context, then composited |
 * | wasm, cpu | `cpu-8bit`    | 8-bit colour indices at the map's resolution, packed 3 per float (H·W·4/3 bytes) |
 *
 * The colour mapping itself (max over classes → LUT) always runs on the backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { LetterboxTransform, MapHandle } from '../types.js';
import { isSwiftShaderWebGpu } from '../runtime/backend.js';
import { createWebGpuBlitter, type WebGpuBlitter } from './webgpu-blit.js';
import { DEFAULT_COLORMAP, colormapLut, type ColormapName } from './colormap.js';
import { drawTextureToCanvas, type TextureBlitter, createTextureBlitter } from './webgl-blit.js';
import { context2d, type RenderCanvas } from './canvas.js';

export { COLORMAP_NAMES, colormapStops, isColormapName, type ColormapName } from './colormap.js';

export type HeatmapPath = 'webgpu-render' | 'webgl-texture' | 'cpu-8bit';

export interface HeatmapRenderOptions {
  /** One class to show; `null`/absent: the maximum over all classes. */
  classId?: number | null;
  /** Colour map (default `inferno`). */
  colormap?: ColormapName;
}

/** Where the heatmap canvas must be drawn, in source pixels, so every cell registers to the frame. */
export interface Placement {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The rectangle (source px) that a `W × H` canvas of `map` covers. Canvas pixel u's centre u + 0.5 is
 * map cell u, which sits at input point s·u (corner-origin maps such as CenterNet's) or s·(u + 0.5)
 * (centre-origin maps); input points go to source points through the inverse letterbox.
 */
export function heatmapPlacement(letterbox: LetterboxTransform, map: Pick<MapHandle, 'stride' | 'cellOrigin' | 'tensor'>): Placement {
  const [rows = 0, cols = 0] = map.tensor.shape;
  const s = map.stride;
  const shift = map.cellOrigin === 'corner' ? -s / 2 : 0;
  const inputX = shift;
  const inputY = shift;
  return {
    x: (inputX - letterbox.padX) / letterbox.scaleX,
    y: (inputY - letterbox.padY) / letterbox.scaleY,
    width: (cols * s) / letterbox.scaleX,
    height: (rows * s) / letterbox.scaleY,
  };
}

/** [H, W] scores 0..1: one class, or the maximum over classes. */
function scoresOf(map: tf.Tensor3D, classId: number | null | undefined): tf.Tensor2D {
  const classes = map.shape[2];
  if (classId === null || classId === undefined) return tf.max(map, 2) as tf.Tensor2D;
  const c = Math.max(0, Math.min(classes - 1, Math.floor(classId)));
  return tf.squeeze<tf.Tensor2D>(tf.slice(map, [0, 0, c], [-1, -1, 1]), [2]);
}

/**
 * The highest value of what `HeatmapRenderer.render` draws for `map` (the maximum over classes, or one
 * class): one float read back. A map whose peak is far under the colour scale's top is a dark square;
 * the overlay says what its peak was instead of leaving it to look broken.
 */
export async function mapPeak(map: MapHandle<tf.Rank.R3>, classId?: number | null): Promise<number> {
  const peak = tf.tidy(() => tf.max(scoresOf(map.tensor, classId))); // scalar
  try {
    return (await peak.data())[0] ?? 0;
  } finally {
    peak.dispose();
  }
}

/** [H, W] int32 colour index round(score · 255). */
function colourIndex(scores: tf.Tensor2D): tf.Tensor2D {
  return tf.cast(tf.round(tf.mul(tf.clipByValue(scores, 0, 1), 255)), 'int32') as tf.Tensor2D;
}

/** A page's heatmap canvas (class `loupe-heatmap`). */
function pageCanvas(): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.className = 'loupe-heatmap';
  return canvas;
}

/**
 * Draws maps onto a canvas: by default an element of the page (`HTMLCanvasElement`), or what
 * `makeCanvas` makes (an `OffscreenCanvas` in Loupe's Worker, where worker mode draws the maps).
 */
export class HeatmapRenderer<C extends RenderCanvas = HTMLCanvasElement> {
  /** The canvas showing the heatmap at the map's own resolution; insert it and position it with CSS. */
  canvas: C;
  private currentPath: HeatmapPath | undefined;
  private lut: tf.Tensor2D | undefined;
  private lutBackend: string | undefined;
  private blitter: TextureBlitter | undefined;
  private webGpuBlitter: WebGpuBlitter | undefined;
  /** The tfjs backend instance the LUT and blitters were made on (a new one after a context loss). */
  private backendInstance: object | undefined;
  /** Bytes the last `render()` read back to the CPU (0 on GPU paths). */
  lastBytesRead = 0;

  constructor(private readonly makeCanvas: () => C = pageCanvas as unknown as () => C) {
    this.canvas = makeCanvas();
  }

  /** The path taken by the last render (depends on the active backend). */
  get path(): HeatmapPath | undefined {
    return this.currentPath;
  }

  private pathFor(backend: string): HeatmapPath {
    // SwiftShader loses the device once a WebGPU canvas is presented (see isSwiftShaderWebGpu).
    if (backend === 'webgpu') return isSwiftShaderWebGpu() ? 'cpu-8bit' : 'webgpu-render';
    if (backend === 'webgl') return 'webgl-texture';
    return 'cpu-8bit';
  }

  /** A canvas's context type is fixed at first use: a new path gets a new canvas. */
  private ensureCanvas(path: HeatmapPath): void {
    if (this.currentPath === path) return;
    if (this.currentPath !== undefined) {
      const fresh = this.makeCanvas();
      if ('replaceWith' in this.canvas && 'replaceWith' in fresh) this.canvas.replaceWith(fresh);
      this.canvas = fresh;
    }
    // The WebGL path's pixels are opaque (premultiplied on black): blend them with `screen`.
    if ('style' in this.canvas) this.canvas.style.mixBlendMode = path === 'webgl-texture' ? 'screen' : '';
    this.currentPath = path;
  }

  /** LUT [256, 4] float 0..1 (premultiplied RGBA), uploaded once per backend and colour map. */
  private lutTensor(backend: string, colormap: ColormapName): tf.Tensor2D {
    const key = `${backend}:${colormap}`;
    if (!this.lut || this.lutBackend !== key || this.lut.isDisposed) {
      this.lut?.dispose();
      const lut = tf.tidy(() => tf.div<tf.Tensor2D>(tf.tensor2d(Array.from(colormapLut(colormap, true)), [256, 4], 'float32'), 255));
      this.lut = lut;
      this.lutBackend = key;
      return lut;
    }
    return this.lut;
  }

  /** Renders `map` ([H, W, C] scores). Does not take ownership of the map. */
  async render(map: MapHandle<tf.Rank.R3>, options: HeatmapRenderOptions = {}): Promise<C> {
    if (map.disposed) return this.canvas;
    if (tf.backend() !== this.backendInstance) {
      // Another backend, or the same one rebuilt after a lost context/device: start again on it.
      try {
        this.dispose();
      } catch {
        this.lut = this.blitter = this.webGpuBlitter = undefined; // a dead context's leftovers
      }
      this.backendInstance = tf.backend();
    }
    const backend = tf.getBackend();
    const path = this.pathFor(backend);
    this.ensureCanvas(path);
    const [height, width] = map.tensor.shape;
    this.lastBytesRead = 0;
    if (path === 'cpu-8bit') {
      await this.renderPackedIndices(map.tensor, options, width, height);
      return this.canvas;
    }
    const lut = this.lutTensor(backend, options.colormap ?? DEFAULT_COLORMAP);
    const rgba = tf.tidy(() => tf.gather(lut, colourIndex(scoresOf(map.tensor, options.classId))) as unknown as tf.Tensor3D); // [H, W, 4]
    try {
      if (path === 'webgpu-render') {
        // The canvas is configured for 'premultiplied' alpha, which the LUT already is.
        this.webGpuBlitter ??= createWebGpuBlitter(tf.backend());
        this.webGpuBlitter.draw(rgba, this.canvas);
      } else {
        this.blitter ??= createTextureBlitter(tf.backend());
        drawTextureToCanvas(this.blitter, rgba, this.canvas);
      }
    } finally {
      rgba.dispose();
    }
    return this.canvas;
  }

  /**
   * CPU path: colour indices (8 bits each) are packed three per float32 on the backend
   * (i0 + 256·i1 + 65536·i2 < 2²⁴, exact in float32), read back, and expanded through the LUT.
   */
  private async renderPackedIndices(map: tf.Tensor3D, options: HeatmapRenderOptions, width: number, height: number): Promise<void> {
    const cells = width * height;
    const groups = Math.ceil(cells / 3);
    const packed = tf.tidy(() => {
      const index = tf.cast(tf.reshape(colourIndex(scoresOf(map, options.classId)), [-1]), 'float32');
      const padded = tf.pad(index, [[0, groups * 3 - cells]]);
      return tf.sum(tf.mul(tf.reshape(padded, [groups, 3]), tf.tensor1d([1, 256, 65536])), 1);
    });
    let values: Float32Array;
    try {
      values = (await packed.data()) as Float32Array;
    } finally {
      packed.dispose();
    }
    this.lastBytesRead = values.byteLength;
    const straight = colormapLut(options.colormap ?? DEFAULT_COLORMAP, false);
    const image = new ImageData(width, height);
    for (let g = 0; g < groups; g++) {
      let word = values[g] ?? 0;
      for (let j = 0; j < 3; j++) {
        const cell = g * 3 + j;
        if (cell >= cells) break;
        const index = word % 256;
        word = Math.floor(word / 256);
        image.data.set(straight.subarray(index * 4, index * 4 + 4), cell * 4);
      }
    }
    this.canvas.width = width;
    this.canvas.height = height;
    context2d(this.canvas)?.putImageData(image, 0, 0);
  }

  dispose(): void {
    this.lut?.dispose();
    this.lut = undefined;
    this.blitter?.dispose();
    this.blitter = undefined;
    this.webGpuBlitter?.dispose();
    this.webGpuBlitter = undefined;
  }
}
