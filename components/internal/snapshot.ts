/**
 * A PNG of what the element shows: the frame with the heatmap (when shown) and the detections drawn on it, on a canvas of our own at
 * the frame's size (a GPU canvas in the overlay cannot be read back reliably, and page CSS is not ours to
 * screenshot). Boxes and labels follow the overlay's look: class colour, label and score.
 */
import type { Detection } from '../../models/index.js';
import { classColor } from './palette.js';

export interface SnapshotInput {
  /** The analysed frame (best: boxes match it exactly) or the live video/image. */
  picture: CanvasImageSource;
  /** Frame size in source pixels (the detections' coordinate space). */
  width: number;
  height: number;
  detections: readonly Detection[];
  /** The heatmap canvas and its place in source pixels (cells drawn as squares, as on screen). */
  heatmap?: { canvas: CanvasImageSource; rect: { x: number; y: number; width: number; height: number }; blend: 'screen' | 'normal' } | null;
  /** Box line width in source pixels (default: 2 per 640 px of frame width, at least 2). */
  lineWidth?: number;
  font?: string;
}

export function drawSnapshot(input: SnapshotInput): HTMLCanvasElement {
  const { picture, width, height, detections } = input;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('No 2D canvas context for the snapshot.');
  ctx.drawImage(picture, 0, 0, width, height);
  if (input.heatmap) {
    const { canvas: map, rect, blend } = input.heatmap;
    ctx.save();
    ctx.imageSmoothingEnabled = false;
    ctx.globalCompositeOperation = blend === 'screen' ? 'screen' : 'source-over';
    ctx.drawImage(map, rect.x, rect.y, rect.width, rect.height);
    ctx.restore();
  }
  const line = input.lineWidth ?? Math.max(2, Math.round((2 * width) / 640));
  const fontSize = Math.max(11, Math.round(width / 60));
  ctx.font = `600 ${fontSize}px ${input.font ?? 'system-ui, sans-serif'}`;
  ctx.textBaseline = 'top';
  for (const d of detections) {
    const colour = classColor(d.classId);
    ctx.strokeStyle = colour;
    ctx.lineWidth = line;
    ctx.strokeRect(d.x, d.y, d.width, d.height);
    const text = `${d.label} ${Math.round(d.score * 100)}%`;
    const textWidth = ctx.measureText(text).width + 8;
    const top = d.y - fontSize - 6 >= 0 ? d.y - fontSize - 6 : d.y;
    ctx.fillStyle = colour;
    ctx.fillRect(d.x - line / 2, top, textWidth, fontSize + 6);
    ctx.fillStyle = '#0b0b0f';
    ctx.fillText(text, d.x - line / 2 + 4, top + 3);
  }
  return canvas;
}

export function canvasToPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('PNG encoding failed.'))), 'image/png'));
}
