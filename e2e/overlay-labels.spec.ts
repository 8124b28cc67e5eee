// Box labels on the street clip (WASM, NanoDet: many people, close together): no two labels overlap,
// none is cut by the picture's edges or hidden under the HUD's badges, and a label shortened for room
// carries its whole text as its title; each label is as wide as its text; with the tiles layer on, the
// scale suffix (` · whole`, ` · ×2`) is shown whole, or left out (kept in the title) where there is no
// room, never cut. At 1100 px and at 390 px wide.
import { expect, test, type Page } from '@playwright/test';
import { liveState, openLive, screenshotLive, waitForFrames } from './helpers';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface LabelShot {
  labels: (Box & { text: string; title: string; cut: boolean; compact: boolean; excess: number })[];
  hidden: number;
  picture: Box;
  pills: Box[];
}

/** One synchronous read of every label as drawn (the boxes re-render with each result). */
async function shot(page: Page): Promise<LabelShot> {
  return page.locator('loupe-live').evaluate((live) => {
    const rect = (el: Element) => {
      const r = el.getBoundingClientRect();
      return { x: r.left, y: r.top, width: r.width, height: r.height };
    };
    const root = live.shadowRoot!.querySelector('loupe-overlay')!.shadowRoot!;
    const viewport = rect(root.querySelector('.viewport')!);
    const frame = rect(root.querySelector('.frame')!);
    const left = Math.max(viewport.x, frame.x);
    const top = Math.max(viewport.y, frame.y);
    const picture = {
      x: left,
      y: top,
      width: Math.min(viewport.x + viewport.width, frame.x + frame.width) - left,
      height: Math.min(viewport.y + viewport.height, frame.y + frame.height) - top,
    };
    const all = [...root.querySelectorAll<HTMLElement>('.box > .label')];
    const shown = all.filter((label) => getComputedStyle(label).visibility !== 'hidden');
    return {
      labels: shown.map((label) => ({
        ...rect(label),
        text: label.textContent?.replace(/\s+/g, ' ').trim() ?? '',
        title: label.title,
        // Cut: the text is wider than the label (it ends in an ellipsis).
        cut: label.scrollWidth > label.clientWidth + 1,
        // Shown without the layers' suffix (no room for it).
        compact: label.hasAttribute('data-compact'),
        // How much wider the label is than its shown text and padding (0 but for rounding).
        excess: (() => {
          const range = document.createRange();
          range.selectNodeContents(label);
          const style = getComputedStyle(label);
          return label.getBoundingClientRect().width - range.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        })(),
      })),
      hidden: all.length - shown.length,
      picture,
      pills: [...live.shadowRoot!.querySelectorAll('.hud .pill')].map(rect),
    };
  });
}

const overlap = (a: Box, b: Box) => a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;
const inside = (a: Box, b: Box) => a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.width <= b.x + b.width + 0.5 && a.y + a.height <= b.y + b.height + 0.5;

function expectClean(s: LabelShot, where: string): void {
  expect(s.labels.length, `${where}: labels drawn`).toBeGreaterThan(0);
  s.labels.forEach((label, i) => {
    expect(inside(label, s.picture), `${where}: label '${label.text}' inside the picture ${JSON.stringify([label, s.picture])}`).toBe(true);
    for (const other of s.labels.slice(i + 1)) expect(overlap(label, other), `${where}: '${label.text}' and '${other.text}' overlap`).toBe(false);
    for (const pill of s.pills) expect(overlap(label, pill), `${where}: '${label.text}' under a HUD pill`).toBe(false);
    // Shortened only with its whole text at hand.
    if (label.cut || label.compact) expect(label.title, `${where}: cut label '${label.text}' has its text as title`).toMatch(/^\S.* \d+%/);
    // As wide as its text: the label elements are reused from frame to frame, and once kept the width of
    // the longest text they had held.
    expect(label.excess, `${where}: '${label.text}' is ${label.excess.toFixed(1)} px wider than its text`).toBeLessThanOrEqual(3);
  });
}

test('box labels: no overlap, none cut by the edges or under the HUD, whole tile suffixes', async ({ page }) => {
  test.setTimeout(300_000);
  await openLive(page, { backend: 'wasm', model: 'nanodet', layers: 'boxes', 'score-threshold': '0.3', sync: 'frame' });
  const state = await waitForFrames(page, 3, 150_000);
  expect(state.errors).toEqual([]);
  await expect.poll(async () => (await shot(page)).labels.length, { timeout: 30_000 }).toBeGreaterThan(3);
  const wide = await shot(page);
  console.log(JSON.stringify({ labels: wide.labels.length, hidden: wide.hidden, cut: wide.labels.filter((l) => l.cut).length }));
  expectClean(wide, '1100 px');
  await screenshotLive(page, 'labels-1100.png');

  // Small-object mode with the tiles layer: each label ends in its scale, and none is cut to "… · w…".
  await page.locator('loupe-live').evaluate((live) => {
    live.setAttribute('small-objects', 'live');
    live.setAttribute('layers', 'boxes tiles');
  });
  await expect.poll(async () => (await shot(page)).labels.filter((l) => / · (whole|×[\d.]+)$/.test(l.text)).length, { timeout: 150_000 }).toBeGreaterThan(3);
  const tiled = await shot(page);
  console.log(JSON.stringify({ tiled: tiled.labels.map((l) => `${l.text}${l.compact ? ' (compact)' : ''}${l.cut ? ' (cut)' : ''}`) }));
  expectClean(tiled, 'tiles, 1100 px');
  expect(tiled.labels.filter((l) => l.cut).length, 'tiles labels cut').toBeLessThanOrEqual(Math.floor(tiled.labels.length / 4));
  // A label short of room loses its suffix before it is cut: never "person 41% · w…".
  expect(tiled.labels.filter((l) => l.cut && !l.compact).map((l) => l.text), 'labels cut inside their suffix').toEqual([]);
  await screenshotLive(page, 'labels-tiles-1100.png');

  // A phone-sized page: the same rules on a 390 px wide stage (the test page gives <loupe-live> a fixed
  // 768 px; a phone page lets it take the width it has).
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator('loupe-live').evaluate((live) => (live as HTMLElement).style.setProperty('width', '100%'));
  await expect.poll(async () => (await shot(page)).picture.width, { timeout: 30_000 }).toBeLessThanOrEqual(390);
  await page.waitForTimeout(1_000); // one more result laid out at the new size
  const narrow = await shot(page);
  console.log(JSON.stringify({ narrow: narrow.labels.length, hidden: narrow.hidden, cut: narrow.labels.filter((l) => l.cut).length }));
  expectClean(narrow, '390 px');
  await screenshotLive(page, 'labels-390.png');
  expect((await liveState(page)).errors).toEqual([]);
});
