/**
 * The `boxes` layer: one rectangle per detection, coloured by class, with its label and score. The boxes
 * are also drawn by the layers that recolour them (`levels`, `tiles`: `showsBoxes`), so their rendering
 * lives here for all of them; labels are then placed by `placeBoxLabels` (./label-placement.ts) so they
 * neither overlap nor leave the picture (the layers' suffix, e.g. ` · s16 · whole`, is left out before
 * a label is cut short).
 */
import { html, nothing } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { Detection } from '../../src/types.js';
import { percentOf, type Rect, type Size } from '../internal/fit.js';
import { classColor } from '../internal/palette.js';
import { placeLabels } from './label-placement.js';
import { defineLayer, type BoxDecoration, type OverlayFrame } from './layer.js';

export const boxesLayer = defineLayer({
  name: 'boxes',
  label: 'Boxes',
  summary: 'one rectangle per detection, coloured by class, with label and score',
  parts: [
    { name: 'box', description: "One detection's rectangle (its colour is the custom property `--c`)." },
    { name: 'label', description: 'The label and score of a box (its full text is its `title` when shortened for room).' },
  ],
  maps: [],
  showsBoxes: () => true,
});

/** What the overlay does when the pointer (or the keyboard focus) meets a box (inspection, when a layer inspects). */
export interface BoxHandlers {
  enter(detection: Detection): void;
  click(detection: Detection): void;
  leave(detection: Detection): void;
  /** Escape: let go of the pinned box. */
  unpin(): void;
}

/** Keyboard on a focusable box: Enter or Space pins (again: unpins), Escape unpins. */
function onBoxKey(event: KeyboardEvent, detection: Detection, handlers: BoxHandlers): void {
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    handlers.click(detection);
  } else if (event.key === 'Escape') {
    handlers.unpin();
  }
}

/** The label's whole text: class, score, and every layer's suffix. */
export function labelText(detection: Detection, suffix: string): string {
  return `${detection.label} ${Math.round(detection.score * 100)}%${suffix}`;
}

/**
 * The boxes of `frame`. `focusable` (a layer inspects boxes): each box is a button in the tab order,
 * focus shows its reading like a hover, Enter pins it, Escape unpins.
 */
export function renderBoxes(
  frame: OverlayFrame,
  source: Size,
  decorate: (detection: Detection) => BoxDecoration[],
  handlers: BoxHandlers,
  focusable = false,
) {
  return frame.detections.map((detection) => {
    const decorations = decorate(detection);
    const color = decorations.find((d) => d.color)?.color ?? classColor(detection.classId);
    const suffix = decorations.map((d) => d.suffix ?? '').join('');
    return html`
      <div
        class="box"
        part="box"
        style=${styleMap({ ...percentOf(detection, source), '--c': color })}
        tabindex=${focusable ? '0' : nothing}
        role=${focusable ? 'button' : nothing}
        aria-label=${focusable ? `${labelText(detection, suffix)}: inspect (Enter pins, Escape unpins)` : nothing}
        @focus=${() => focusable && handlers.enter(detection)}
        @blur=${() => focusable && handlers.leave(detection)}
        @keydown=${(event: KeyboardEvent) => focusable && onBoxKey(event, detection, handlers)}
        @pointerenter=${() => handlers.enter(detection)}
        @click=${() => handlers.click(detection)}
        @pointerleave=${() => handlers.leave(detection)}
      >
        <span class="label" part="label" data-text=${labelText(detection, suffix)}
          >${detection.label}<span class="score">${Math.round(detection.score * 100)}%${suffix ? html`<span class="suffix">${suffix}</span>` : nothing}</span></span
        >
      </div>
    `;
  });
}

function relative(rect: DOMRect, origin: DOMRect): Rect {
  return { x: rect.left - origin.left, y: rect.top - origin.top, width: rect.width, height: rect.height };
}

/**
 * Places the labels of the rendered boxes under `viewport` (DOM in, inline styles out): measures each
 * label's natural size and box, runs `placeLabels` within the visible picture (`frame` ∩ `viewport`)
 * around `obstacles` (viewport coordinates), and writes the result: position, width (shortened labels
 * end in an ellipsis and carry their whole text as `title`), hidden when there is no room.
 */
export function placeBoxLabels(viewport: HTMLElement, frame: HTMLElement, obstacles: readonly Rect[]): void {
  const origin = viewport.getBoundingClientRect();
  const frameRect = relative(frame.getBoundingClientRect(), origin);
  const bounds = {
    x: Math.max(0, frameRect.x),
    y: Math.max(0, frameRect.y),
    width: Math.min(origin.width, frameRect.x + frameRect.width) - Math.max(0, frameRect.x),
    height: Math.min(origin.height, frameRect.y + frameRect.height) - Math.max(0, frameRect.y),
  };
  const boxes = [...frame.querySelectorAll<HTMLElement>(':scope > .box')];
  const labels = boxes.map((box) => box.querySelector<HTMLElement>(':scope > .label'));
  // Lit reuses the label elements from frame to frame: a width written for an earlier, longer text would
  // be measured as this one's (scrollWidth is at least the width), so every label grew to the longest
  // it ever held. Back to the natural size first.
  for (const label of labels) {
    if (!label) continue;
    label.style.width = '';
    label.style.maxWidth = '';
    delete label.dataset.compact;
  }
  // Reads first, writes after: one layout for all boxes.
  const requests = boxes.map((box, index) => {
    const label = labels[index];
    // scrollWidth is rounded: one pixel more, or a text a fraction wider than it ends in an ellipsis.
    const width = (label?.scrollWidth ?? 0) + 1;
    const suffix = label?.querySelector<HTMLElement>('.suffix');
    return {
      box: relative(box.getBoundingClientRect(), origin),
      width,
      compactWidth: suffix ? width - suffix.getBoundingClientRect().width : undefined,
      height: Math.ceil(label?.offsetHeight ?? 0),
      border: { left: box.clientLeft, top: box.clientTop },
    };
  });
  if (!(bounds.width > 0 && bounds.height > 0)) return;
  const placements = placeLabels(requests, { bounds, obstacles });
  placements.forEach((placement, index) => {
    const label = labels[index];
    const request = requests[index]!;
    if (!label) return;
    // The label is positioned in its box's padding box.
    label.style.left = `${placement.x - request.box.x - request.border.left}px`;
    label.style.top = `${placement.y - request.box.y - request.border.top}px`;
    label.style.bottom = 'auto';
    label.style.width = `${placement.width}px`;
    label.style.maxWidth = 'none';
    label.style.visibility = placement.hidden ? 'hidden' : '';
    label.dataset.side = placement.side;
    if (placement.compact) label.dataset.compact = '';
    if (placement.truncated || placement.hidden || placement.compact) label.title = label.dataset.text ?? '';
    else label.removeAttribute('title');
  });
}
