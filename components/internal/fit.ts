/**
 * Where a media element actually paints its frame: the element's content box, then `object-fit` and
 * `object-position` inside it. Overlays use this to register with the picture, not with the element.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type ObjectFit = 'fill' | 'contain' | 'cover' | 'none' | 'scale-down';

/** The painted rectangle of a `naturalWidth × naturalHeight` frame inside `box` (same units as `box`). */
export function fitRect(naturalWidth: number, naturalHeight: number, box: Rect, fit: ObjectFit, position: [number, number] = [0.5, 0.5]): Rect {
  if (!(naturalWidth > 0 && naturalHeight > 0) || fit === 'fill') return { ...box };
  const contain = Math.min(box.width / naturalWidth, box.height / naturalHeight);
  const cover = Math.max(box.width / naturalWidth, box.height / naturalHeight);
  const scale = fit === 'contain' ? contain : fit === 'cover' ? cover : fit === 'none' ? 1 : Math.min(1, contain);
  const width = naturalWidth * scale;
  const height = naturalHeight * scale;
  return {
    x: box.x + (box.width - width) * position[0],
    y: box.y + (box.height - height) * position[1],
    width,
    height,
  };
}

/** Intrinsic frame size of a media element (0 × 0 before it has a frame). */
export function naturalSize(element: Element): [number, number] {
  if (element instanceof HTMLVideoElement) return [element.videoWidth, element.videoHeight];
  if (element instanceof HTMLImageElement) return [element.naturalWidth, element.naturalHeight];
  if (element instanceof HTMLCanvasElement) return [element.width, element.height];
  return [0, 0];
}

/**
 * The painted frame of `media`, relative to the border-box origin of `reference`, in CSS pixels.
 * Returns the element's content box as well, which is where the picture is clipped.
 */
export function paintedFrame(media: Element, reference: Element): { box: Rect; frame: Rect } | null {
  const [naturalWidth, naturalHeight] = naturalSize(media);
  const outer = media.getBoundingClientRect();
  const origin = reference.getBoundingClientRect();
  if (outer.width === 0 && outer.height === 0) return null;
  const style = getComputedStyle(media);
  const px = (value: string) => parseFloat(value) || 0;
  const left = px(style.borderLeftWidth) + px(style.paddingLeft);
  const top = px(style.borderTopWidth) + px(style.paddingTop);
  const right = px(style.borderRightWidth) + px(style.paddingRight);
  const bottom = px(style.borderBottomWidth) + px(style.paddingBottom);
  const box: Rect = {
    x: outer.left - origin.left + left,
    y: outer.top - origin.top + top,
    width: Math.max(0, outer.width - left - right),
    height: Math.max(0, outer.height - top - bottom),
  };
  const fit = (style.objectFit || 'fill') as ObjectFit;
  const frame = fitRect(naturalWidth, naturalHeight, box, fit, parseObjectPosition(style.objectPosition, box, naturalWidth, naturalHeight, fit));
  return { box, frame };
}

/**
 * `object-position` as fractions of the free space per axis. Computed values are two lengths or
 * percentages (`50% 50%`, `0px 10px`); pixel offsets are converted against the free space.
 */
function parseObjectPosition(value: string, box: Rect, naturalWidth: number, naturalHeight: number, fit: ObjectFit): [number, number] {
  const parts = value.trim().split(/\s+/);
  if (parts.length !== 2) return [0.5, 0.5];
  const probe = fitRect(naturalWidth, naturalHeight, { x: 0, y: 0, width: box.width, height: box.height }, fit);
  const free = [box.width - probe.width, box.height - probe.height];
  return parts.map((part, axis) => {
    const number = parseFloat(part);
    if (Number.isNaN(number)) return 0.5;
    if (part.endsWith('%')) return number / 100;
    const space = free[axis] ?? 0;
    return space === 0 ? 0.5 : number / space;
  }) as [number, number];
}

export function sameRect(a: Rect | null | undefined, b: Rect | null | undefined, epsilon = 0.25): boolean {
  if (!a || !b) return a === b;
  return (
    Math.abs(a.x - b.x) < epsilon && Math.abs(a.y - b.y) < epsilon && Math.abs(a.width - b.width) < epsilon && Math.abs(a.height - b.height) < epsilon
  );
}

export interface Size {
  width: number;
  height: number;
}

/** A rectangle in source pixels as percentages of the source frame, so it scales with the picture. */
export function percentOf(rect: Rect, source: Size): Record<'left' | 'top' | 'width' | 'height', string> {
  const w = source.width || 1;
  const h = source.height || 1;
  return {
    left: `${(rect.x / w) * 100}%`,
    top: `${(rect.y / h) * 100}%`,
    width: `${(rect.width / w) * 100}%`,
    height: `${(rect.height / h) * 100}%`,
  };
}
