/**
 * The canvases the heatmap renderer draws on: an element on a page, an `OffscreenCanvas` in Loupe's
 * Worker (worker mode draws the maps there, src/worker/serve.ts).
 */
export type RenderCanvas = HTMLCanvasElement | OffscreenCanvas;

/** The 2D context of either kind (their drawing APIs are the same for what the renderer does). */
export function context2d(canvas: RenderCanvas): CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null {
  return typeof OffscreenCanvas !== 'undefined' && canvas instanceof OffscreenCanvas ? canvas.getContext('2d') : (canvas as HTMLCanvasElement).getContext('2d');
}

/** The WebGPU context of either kind. */
export function contextWebGpu(canvas: RenderCanvas): GPUCanvasContext | null {
  return typeof OffscreenCanvas !== 'undefined' && canvas instanceof OffscreenCanvas ? canvas.getContext('webgpu') : (canvas as HTMLCanvasElement).getContext('webgpu');
}
