/**
 * Layout checks of `<loupe-live>` for the specs and the docs screenshots: what is on the stage (HUD
 * pills, the camera's chips, the overlay's legends, panels and inspector, box labels) and in the control
 * bar, measured in the page, and the rules a visitor's eye applies: nothing of the chrome overlaps other
 * chrome, no label lies under the chrome, nothing is cut off, and the notices are on top (the element
 * at their centre is theirs, with every layer made hit-testable so paint order decides).
 */
import { expect, type Page } from '@playwright/test';

export interface Box {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LiveLayout {
  viewport: { width: number; height: number };
  stage: Box;
  controls: Box | null;
  /** Pills, chips, legends, level maps, lists, inspector. */
  chrome: Box[];
  /** Box labels that show (not hidden for lack of room). */
  labels: Box[];
  /** Buttons, selects and inputs of the control bar. */
  controlItems: Box[];
  /** Chrome whose centre is covered by something else (paint order, every layer hit-testable). */
  covered: { name: string; hit: string }[];
}

/** Measures the first `<loupe-live>` of the page. */
export async function measureLive(page: Page): Promise<LiveLayout> {
  return page.evaluate(() => {
    const live = document.querySelector('loupe-live')!;
    const root = live.shadowRoot!;
    const camera = root.querySelector('loupe-camera');
    const overlay = root.querySelector('loupe-overlay');
    const box = (name: string, element: Element): { name: string; x: number; y: number; width: number; height: number } => {
      const r = element.getBoundingClientRect();
      return { name, x: r.x, y: r.y, width: r.width, height: r.height };
    };
    const describe = (element: Element): string => {
      const part = element.getAttribute('part');
      const cls = element.getAttribute('class');
      const text = (element.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 30);
      return `${element.localName}${part ? `[part=${part}]` : ''}${cls ? `.${cls.split(' ').join('.')}` : ''}${text ? ` "${text}"` : ''}`;
    };
    const shown = (element: Element) => {
      const r = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
    };
    const chromeElements: Element[] = [
      ...root.querySelectorAll('.hud > .pill'),
      ...(camera?.shadowRoot?.querySelectorAll('.chips > *') ?? []),
      ...(overlay?.shadowRoot?.querySelectorAll('.legend, .levels-corner > *, .top-left > *, .inspector') ?? []),
    ].filter(shown);
    const labels = [...(overlay?.shadowRoot?.querySelectorAll('.label') ?? [])].filter(shown);
    const controls = root.querySelector('.controls');
    const controlItems = [...(controls?.querySelectorAll('button, select, input:not([type=file])') ?? [])].filter(shown);

    // Paint order decides what is on top: make every layer hit-testable for the test (the overlay and
    // the HUD are pointer-events: none, which elementFromPoint would look through).
    const roots: (Document | ShadowRoot)[] = [document];
    for (let i = 0; i < roots.length; i += 1) {
      for (const element of roots[i]!.querySelectorAll('*')) if (element.shadowRoot) roots.push(element.shadowRoot);
    }
    const styles = roots.map((r) => {
      const style = document.createElement('style');
      style.textContent = ':host, *, ::slotted(*) { pointer-events: auto !important; }';
      (r instanceof Document ? r.head : r).append(style);
      return style;
    });
    const deepHit = (x: number, y: number): Element | null => {
      let hit = document.elementFromPoint(x, y);
      while (hit?.shadowRoot) {
        const inner = hit.shadowRoot.elementFromPoint(x, y);
        if (!inner || inner === hit) break;
        hit = inner;
      }
      return hit;
    };
    const covered: { name: string; hit: string }[] = [];
    for (const element of chromeElements) {
      const r = element.getBoundingClientRect();
      const hit = deepHit(r.x + r.width / 2, r.y + r.height / 2);
      if (!hit || !(hit === element || element.contains(hit))) covered.push({ name: describe(element), hit: hit ? describe(hit) : 'nothing' });
    }
    for (const style of styles) style.remove();

    return {
      viewport: { width: innerWidth, height: innerHeight },
      stage: box('stage', root.querySelector('.stage')!),
      controls: controls ? box('controls', controls) : null,
      chrome: chromeElements.map((element) => box(describe(element), element)),
      labels: labels.map((element) => box(describe(element), element)),
      controlItems: controlItems.map((element) => box(describe(element), element)),
      covered,
    };
  });
}

function intersects(a: Box, b: Box): boolean {
  // A shared edge (or a sub-pixel rounding) is not an overlap.
  const eps = 0.5;
  return a.x + eps < b.x + b.width && b.x + eps < a.x + a.width && a.y + eps < b.y + b.height && b.y + eps < a.y + a.height;
}

function inside(inner: Box, outer: Box): boolean {
  const eps = 0.5;
  return inner.x >= outer.x - eps && inner.y >= outer.y - eps && inner.x + inner.width <= outer.x + outer.width + eps && inner.y + inner.height <= outer.y + outer.height + eps;
}

function pairs(boxes: Box[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < boxes.length; i += 1) {
    for (let j = i + 1; j < boxes.length; j += 1) if (intersects(boxes[i]!, boxes[j]!)) found.push(`${boxes[i]!.name} × ${boxes[j]!.name}`);
  }
  return found;
}

/** The layout rules; `what` names the case in the messages (width, layers). */
export function expectCleanLayout(layout: LiveLayout, what: string): void {
  const { stage, controls, chrome, labels, controlItems, viewport } = layout;
  const page = { name: 'viewport', x: 0, y: 0, width: viewport.width, height: Number.POSITIVE_INFINITY };
  expect(inside(stage, page), `${what}: the stage fits the viewport's width`).toBe(true);
  expect(pairs(chrome), `${what}: chrome overlapping chrome`).toEqual([]);
  expect(chrome.filter((c) => !inside(c, stage)).map((c) => c.name), `${what}: chrome cut off by the stage's edge`).toEqual([]);
  const underChrome = labels.flatMap((label) => chrome.filter((c) => intersects(label, c)).map((c) => `${label.name} under ${c.name}`));
  expect(underChrome, `${what}: labels under the chrome`).toEqual([]);
  expect(layout.covered, `${what}: chrome covered by something painted over it`).toEqual([]);
  if (controls) {
    expect(controlItems.filter((c) => !inside(c, controls) || !inside(c, page)).map((c) => c.name), `${what}: controls cut off`).toEqual([]);
    expect(pairs(controlItems), `${what}: controls overlapping`).toEqual([]);
  }
}
