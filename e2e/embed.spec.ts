/**
 * Embedding from the built files (issue 7), with no Vite dev server: the repository served as static
 * files, a plain HTML page loading dist/lib/loupe.js with a script tag (e2e/static/embed.html).
 * `npm run build` makes dist/lib first (`npm test` does); a missing bundle is built here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { BackendReport, DetectionSummary, ErrorDetail, LoupeLive } from '../lib/index.js';
import { root } from './chromium';
import { expectPeopleFound } from './helpers';
import { serveStatic, type StaticServer } from './static-server';

interface EmbedState {
  detections: { element: number; detail: DetectionSummary }[];
  backends: { element: number; detail: BackendReport }[];
  errors: { element: number; detail: ErrorDetail }[];
}

let server: StaticServer;

let site: StaticServer;

test.beforeAll(async () => {
  // The demo build empties dist/, so it goes first.
  if (!existsSync(join(root, 'dist/docs/guides.html'))) {
    execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  }
  if (!existsSync(join(root, 'dist/lib/loupe.js'))) {
    execFileSync('npx', ['vite', 'build', '-c', 'vite.lib.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  }
  server = await serveStatic(root);
  site = await serveStatic(join(root, 'dist'));
});

test.afterAll(async () => {
  await server?.close();
  await site?.close();
});

async function openEmbed(page: Page, params: Record<string, string>): Promise<void> {
  page.on('pageerror', (error) => console.log(`[page error] ${error.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.log(`[page error] ${msg.text()}`);
  });
  server.requests.length = 0;
  await page.goto(`${server.origin}/e2e/static/embed.html?${new URLSearchParams(params)}`);
  await page.waitForFunction(() => customElements.get('loupe-live') !== undefined, null, { timeout: 60_000 });
}

const state = (page: Page): Promise<EmbedState> => page.evaluate(() => (window as unknown as { loupeTest: EmbedState }).loupeTest);

/** Waits for `count` results from each of `elements` elements; fails at once on a loupe-error. */
async function waitForResults(page: Page, elements: number, count: number, timeout = 90_000): Promise<EmbedState> {
  await page.waitForFunction(
    ({ elements, count }) => {
      const s = (window as unknown as { loupeTest: EmbedState }).loupeTest;
      if (s.errors.length > 0) return true;
      return Array.from({ length: elements }, (_, i) => s.detections.filter((d) => d.element === i).length).every((n) => n >= count);
    },
    { elements, count },
    { timeout, polling: 250 },
  );
  const s = await state(page);
  expect(s.errors, 'loupe-error events').toEqual([]);
  return s;
}

const modelRequests = (suffix: string) => server.requests.filter((path) => path.endsWith(`/models/centernet${suffix}`));

test('a plain page embeds <loupe-live> from dist/lib/loupe.js and finds the people', async ({ page }) => {
  await openEmbed(page, { backend: 'wasm' });
  const s = await waitForResults(page, 1, 2);
  expect(s.backends[0]?.detail.backend).toBe('wasm');
  expectPeopleFound(s.detections.map((d) => d.detail).slice(0, 2));
  // Assets come from beside the bundle; nothing from the sources or a dev server.
  expect(modelRequests('.json')).toEqual(['/dist/lib/models/centernet.json']);
  expect(server.requests.some((path) => path.startsWith('/dist/lib/tfjs-wasm/'))).toBe(true);
  expect(server.requests.filter((path) => /^\/(src|components|models|node_modules|@vite)\//.test(path))).toEqual([]);
});

test('two elements on one page share one backend and one model load', async ({ page }) => {
  await openEmbed(page, { backend: 'wasm', count: '2' });
  const s = await waitForResults(page, 2, 2);
  expect(s.backends.map((b) => b.detail.backend)).toEqual(['wasm', 'wasm']);
  expect(modelRequests('.json'), 'model.json fetched once').toHaveLength(1);
  expect(modelRequests('.bin'), 'weights fetched once').toHaveLength(1);
  // The shared model cache lives where the engine runs: Loupe's Worker by default, else the page.
  const shared = await page.evaluate(async () => {
    const loupe = (await import(`${location.origin}/dist/lib/loupe.js`)) as typeof import('../lib/index.js');
    return (await loupe.workerMemory())?.models ?? loupe.loadedModels();
  });
  expect(shared).toEqual([expect.objectContaining({ users: 2, loaded: true })]);
});

test('loading="lazy" starts camera and model only when scrolled into view', async ({ page }) => {
  await openEmbed(page, { backend: 'wasm', loading: 'lazy', spacer: '3000' });
  await page.waitForTimeout(3000);
  const before = await page.evaluate(() => {
    const live = document.querySelector('loupe-live')!;
    return { status: live.getAttribute('status'), started: live.started, camera: !!live.shadowRoot!.querySelector('loupe-camera') };
  });
  expect(before).toEqual({ status: 'idle', started: false, camera: false });
  expect(modelRequests('.json'), 'no model request while out of view').toEqual([]);
  expect((await state(page)).detections).toEqual([]);

  await page.locator('loupe-live').scrollIntoViewIfNeeded();
  const s = await waitForResults(page, 1, 1);
  expect(s.detections.length).toBeGreaterThan(0);
  expect(modelRequests('.json')).toHaveLength(1);
});

/** The focused element inside shadow roots: a short description of it. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return '';
    const label = el.getAttribute('aria-label') ?? el.closest('label')?.querySelector('.name')?.textContent ?? el.textContent ?? '';
    return `${el.tagName.toLowerCase()}${el instanceof HTMLInputElement ? `[${el.type}]` : ''} ${label.trim().replace(/\s+/g, ' ')}`;
  });
}

/** Presses Tab until the focused element's description matches, failing after `max` presses. */
async function tabTo(page: Page, pattern: RegExp, max = 40): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    seen.push(now);
    if (pattern.test(now)) return seen;
  }
  throw new Error(`Tab never reached ${pattern}; focus went through:\n  ${seen.join('\n  ')}`);
}

test('keyboard only: start, change the threshold, toggle a layer, export JSON and PNG; a polite live region', async ({ page }) => {
  await openEmbed(page, { backend: 'wasm', reveal: 'interaction', label: 'Street camera' });
  const live = page.locator('loupe-live');
  await expect(live).toHaveAttribute('status', 'idle');
  await expect(page.getByRole('group', { name: 'Street camera' })).toBeVisible();

  // Nothing starts (no camera prompt) until the start button is used.
  await page.waitForTimeout(1000);
  expect(modelRequests('.json')).toEqual([]);
  await tabTo(page, /^button Start camera and detector/);
  await page.keyboard.press('Enter');
  await waitForResults(page, 1, 1);

  const path = await tabTo(page, /^input\[range\] Threshold/);
  console.log(`tab order to the threshold:\n  ${path.join('\n  ')}`);
  const threshold = (await live.evaluate((el) => (el as LoupeLive).scoreThreshold)) ?? 0.3;
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => live.evaluate((el) => (el as LoupeLive).scoreThreshold)).toBeCloseTo(threshold + 0.05, 5);

  await tabTo(page, /^button Heatmap/);
  await page.keyboard.press('Space');
  await expect.poll(() => live.evaluate((el) => (el as LoupeLive).layers)).toContain('heatmap');

  await tabTo(page, /^button Download detections as JSON/);
  const [json] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  expect(json.suggestedFilename()).toBe('loupe-detections.json');
  const exported = JSON.parse(readFileSync(await json.path(), 'utf8'));
  expect(exported).toMatchObject({ model: 'centernet', backend: 'wasm', width: 768, height: 576 });
  expect(exported.detections.length).toBeGreaterThan(0);

  await tabTo(page, /^button Download detections in COCO/);
  const [coco] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  const results = JSON.parse(readFileSync(await coco.path(), 'utf8'));
  expect(results[0]).toEqual({ image_id: 0, category_id: expect.any(Number), bbox: [expect.any(Number), expect.any(Number), expect.any(Number), expect.any(Number)], score: expect.any(Number) });

  await tabTo(page, /^button Download a PNG snapshot/);
  const [png] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  const bytes = readFileSync(await png.path());
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(bytes.readUInt32BE(16), 'PNG width = frame width').toBe(768);

  // The live region names what is in view, politely.
  const region = page.locator('loupe-live [aria-live="polite"]');
  await expect(region).toHaveText(/\d+ (person|people|persons)/, { timeout: 10_000 });
});

test('the docs pages are served by the demo build, and their live examples run', async ({ page }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const open = async (name: string) => {
    await page.goto(`${site.origin}/docs/${name}`);
    await expect(page.locator('h1')).toBeVisible();
    await expect(page.locator('nav a[aria-current="page"]')).toHaveCount(1);
  };

  await open('index.html');
  const oneTag = page.locator('#one-tag');
  await oneTag.scrollIntoViewIfNeeded();
  await expect(oneTag).toHaveAttribute('status', 'running', { timeout: 90_000 });
  await expect(page.locator('#on-click')).toHaveAttribute('status', 'idle');

  await open('compose.html');
  await expect(page.locator('#log')).toContainText('loupe-detections:', { timeout: 90_000 });

  await open('engine.html');
  await expect(page.locator('body')).toHaveAttribute('data-detections', /^[1-9]\d*$/, { timeout: 90_000 });
  // The clip's current frame is whatever it shows when the model is ready: people are in every frame, but
  // not always the highest-scoring row (a 0.60 'sports ball' at 3 s).
  await expect(page.locator('#results tbody tr', { hasText: 'person' }).first()).toBeVisible();

  await open('yolo.html');
  await expect(page.locator('main')).toContainText('ultralytics:');

  // The step gallery (docs/explain/*.jpg, emitted by the build under assets/): a gallery per explained model, every
  // picture with its text alternative (the link test below requests each picture).
  await open('explain.html');
  const pictures = await page.locator('.explain-gallery img').evaluateAll((images) => images.map((image) => ({ src: (image as HTMLImageElement).src, alt: image.getAttribute('alt') ?? '' })));
  expect(pictures.length, 'gallery pictures').toBeGreaterThanOrEqual(27);
  for (const model of ['centernet', 'nanodet', 'yolo-face', 'yolo-face-small']) expect(pictures.some(({ src }) => src.includes(`/${model}-input-`)), `${model} gallery`).toBe(true);
  for (const { src, alt } of pictures) expect(alt.length, `alt of ${src}`).toBeGreaterThan(20);

  await open('reference.html');
  for (const tag of ['loupe-camera', 'loupe-detector', 'loupe-explain', 'loupe-live', 'loupe-overlay']) await expect(page.locator(`h2#${tag}`)).toHaveText(`<${tag}>`);
  await expect(page.locator('#reference')).toContainText('reveal');
  await expect(page.locator('#reference')).toContainText('loupe-detections');
  expect(errors, 'page errors').toEqual([]);
});

test('every link of the built demo and docs site leads to a page, and every anchor to an id on it', async ({ page }) => {
  // The guides (docs/*.md) are rendered into dist/docs/ by the build (scripts/docs-pages.ts); before,
  // the site named them but served none. Pages are opened for their links only: model weights, WASM
  // binaries and clips are refused, so no detector runs.
  test.setTimeout(180_000);
  await page.route(/\.(bin|wasm|webm|mp4)(\?|$)/, (route) => route.abort());
  const pageOf = (url: URL) => (url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname);
  const queue = ['/index.html', '/docs/'];
  const visited = new Map<string, Set<string>>();
  const status = new Map<string, number>();
  const anchors: { from: string; path: string; id: string }[] = [];
  while (queue.length > 0) {
    const url = new URL(queue.shift()!, site.origin);
    if (visited.has(pageOf(url))) continue;
    await page.goto(url.href, { waitUntil: 'load' });
    // The HTML pages' navigation is made by their module script (docs.ts), which has run by `load`.
    const { links, ids } = await page.evaluate(() => ({
      // Links, and the pictures a page shows (the guides' screenshots).
      links: [...document.querySelectorAll('a[href]')].map((a) => (a as HTMLAnchorElement).href).concat([...document.images].map((img) => img.src).filter((src) => !src.startsWith('data:'))),
      ids: [...document.querySelectorAll('[id]')].map((element) => element.id),
    }));
    visited.set(pageOf(url), new Set(ids));
    for (const href of links) {
      const link = new URL(href);
      if (link.origin !== site.origin) continue;
      const target = link.href.replace(/#.*$/, '');
      if (!status.has(target)) {
        const response = await page.request.get(target);
        status.set(target, response.status());
        if (response.ok() && (response.headers()['content-type'] ?? '').startsWith('text/html')) queue.push(pageOf(link));
      }
      if (link.hash.length > 1) anchors.push({ from: pageOf(url), path: pageOf(link), id: decodeURIComponent(link.hash.slice(1)) });
    }
  }
  const broken = [...status].filter(([, code]) => code !== 200).map(([url, code]) => `${url}: ${code}`);
  expect(broken, 'links that are not 200').toEqual([]);
  const lost = anchors.filter(({ path, id }) => !visited.get(path)?.has(id)).map(({ from, path, id }) => `${from} → ${path}#${id}`);
  expect(lost, 'anchors without an id on their page').toEqual([]);
  // The demo, the six HTML docs pages, the guides list and every guide.
  expect([...visited.keys()]).toEqual(expect.arrayContaining(['/index.html', '/docs/index.html', '/docs/reference.html', '/docs/guides.html', '/docs/performance.html', '/docs/errors.html']));
  expect(visited.size).toBeGreaterThanOrEqual(18);
  await page.goto(`${site.origin}/docs/errors.html`);
  await expect(page.locator('nav[aria-label="Guides"] a[aria-current="page"]')).toHaveText('Errors');
  await expect(page.locator('main table').first()).toBeVisible();
});

test('the built demo applies its query parameters and describes the selected model (demo/*.ts survive tree-shaking)', async ({ page }) => {
  // demo/query.ts is imported only for its side effect; without a package.json `sideEffects` entry the
  // build drops it and every link in the demo's caption does nothing on a deployed site.
  // The demo's bundle (tfjs included) can take longer than an expect's 30 s to run on a loaded machine.
  const demoReady = () => page.waitForFunction(() => customElements.get('loupe-live') !== undefined, null, { timeout: 90_000 });
  await page.goto(`${site.origin}/index.html?backend=wasm&model=nanodet&layers=heatmap,levels&threshold=0.4&sync=frame&small-objects=live`);
  await demoReady();
  const live = page.locator('loupe-live');
  await expect(live).toHaveAttribute('model', 'nanodet');
  await expect(live).toHaveAttribute('backend', 'wasm');
  await expect(live).toHaveAttribute('layers', 'heatmap levels');
  await expect(live).toHaveAttribute('score-threshold', '0.4');
  await expect(live).toHaveAttribute('sync', 'frame');
  await expect(live).toHaveAttribute('small-objects', 'live');
  // "One frame, six steps" describes the model that runs, and follows a change of model.
  await expect(page.locator('#flow-preprocess')).toContainText('416×416');
  await expect(page.locator('#flow-model')).toContainText('52×52, 26×26, 13×13');
  await expect(page.locator('#flow-model')).toContainText('80 classes');
  await live.evaluate((element) => element.setAttribute('model', 'yolo-face'));
  await expect(page.locator('#flow-model')).toContainText('13×13 grid, one cell per 32 input pixels');
  await expect(page.locator('#flow-model')).toContainText('one class (face)');
  await page.goto(`${site.origin}/index.html?backend=wasm`);
  await demoReady();
  await expect(page.locator('#flow-model')).toContainText('128×128 grid, one cell per 4 input pixels');
  await expect(page.locator('#flow-preprocess')).toContainText('512×512');
});

test('custom-elements.json and docs/elements.md are what the code gives', () => {
  const out = execFileSync(process.execPath, ['scripts/manifest.mjs', '--check'], { cwd: root, encoding: 'utf8' });
  expect(out).toContain('current');
});
