// Model files that fail are typed, announced and shown: a weights file that 404s, truncated weights,
// weights that do not match their manifest, a corrupt graph JSON, a graph whose outputs or input do not
// match the model's descriptor, a "model" that is JavaScript (fetched as data, never run). WASM backend
// (fast here). Camera failures are in camera-*.spec.ts.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { root } from './chromium';
import { engineTensors, liveState, openLive } from './helpers';

const graphJson = readFileSync(resolve(root, 'node_modules/@vladmandic/human/models/centernet.json'), 'utf8');
const weights = readFileSync(resolve(root, 'node_modules/@vladmandic/human/models/centernet.bin'));

/** Waits for the first loupe-error and returns it with the text <loupe-live> shows. */
async function firstError(page: Page): Promise<{ type: string; message: string; shown: string; status: string | null }> {
  await page.waitForFunction(() => (window as unknown as { loupeTest: { errors: unknown[] } }).loupeTest.errors.length > 0, null, {
    timeout: 60_000,
  });
  const [error] = (await liveState(page)).errors;
  await expect(page.locator('loupe-live')).toHaveAttribute('status', 'failed');
  const shown = await page.evaluate(() => document.querySelector('loupe-live')?.shadowRoot?.textContent ?? '');
  return { ...error!, shown, status: await page.locator('loupe-live').getAttribute('status') };
}

/** The graph JSON with its `tower_0/wh` output renamed everywhere: the descriptor's output is gone. */
const renamedOutput = graphJson.replaceAll('"tower_0/wh"', '"tower_0/size"').replaceAll('"tower_0/wh:', '"tower_0/size:');
/** The graph JSON with a 320×320 input placeholder where the descriptor expects 512×512. */
const smallerInput = (() => {
  const model = JSON.parse(graphJson) as { modelTopology: { node: { op: string; attr?: { shape?: { shape?: { dim: { size: string }[] } } } }[] } };
  const placeholder = model.modelTopology.node.find((node) => node.op === 'Placeholder')!;
  const dims = placeholder.attr!.shape!.shape!.dim;
  dims[1]!.size = '320';
  dims[2]!.size = '320';
  return JSON.stringify(model);
})();

test.describe('model files', () => {
  const cases: { name: string; file: string; body: { status: number; body?: Buffer | string }; type: string; says: RegExp }[] = [
    { name: 'weights 404', file: 'centernet.bin', body: { status: 404, body: 'not here' }, type: 'model-load-failed', says: /centernet\.bin answered HTTP 404/ },
    { name: 'truncated weights', file: 'centernet.bin', body: { status: 200, body: Buffer.alloc(1000) }, type: 'model-load-failed', says: /hold 1000 bytes, but its manifest describes \d+/ },
    {
      name: 'weights longer than their manifest (tfjs alone accepts them)',
      file: 'centernet.bin',
      body: { status: 200, body: Buffer.concat([weights, Buffer.alloc(4096)]) },
      type: 'model-load-failed',
      says: new RegExp(`hold ${weights.length + 4096} bytes, but its manifest describes ${weights.length}`),
    },
    { name: 'corrupt graph JSON', file: 'centernet.json', body: { status: 200, body: '{"modelTopology": ' }, type: 'model-load-failed', says: /JSON/ },
    { name: 'graph without the output the decoder needs', file: 'centernet.json', body: { status: 200, body: renamedOutput }, type: 'model-mismatch', says: /lacks output node\(s\) tower_0\/wh/ },
    { name: 'graph with another input size', file: 'centernet.json', body: { status: 200, body: smallerInput }, type: 'model-mismatch', says: /expects 320×320 input, descriptor says 512×512/ },
  ];
  for (const { name, file, body, type, says } of cases) {
    test(`${name}: ${type}, shown, no half-loaded detector`, async ({ page }) => {
      test.setTimeout(90_000);
      await page.route(`**/models/${file}`, (route) => route.fulfill({ ...body, contentType: 'application/octet-stream' }));
      await openLive(page, { backend: 'wasm', layers: 'boxes' });
      const error = await firstError(page);
      console.log(`${name}: ${error.type}: ${error.message}`);
      expect(error.type).toBe(type);
      expect(error.message).toContain('centernet');
      expect(error.message).toMatch(says);
      expect(error.shown).toContain(error.message);
      expect((await liveState(page)).detections).toEqual([]);
      // Nothing of the failed model stays on the backend.
      expect(await engineTensors(page)).toBe(0);
    });
  }
});

test('a model URL that points at JavaScript is fetched as data and never run', async ({ page }) => {
  test.setTimeout(90_000);
  const script = 'window.__loupeScriptRan = true; document.title = "pwned";';
  const requests: { url: string; type: string }[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/evil/')) requests.push({ url: request.url(), type: request.resourceType() });
  });
  await page.route('**/evil/**', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: script }));
  // Both ways a page hands Loupe a URL: a model folder (model-base-url) and a model file (ultralytics:).
  const variants: Record<string, string>[] = [{ 'model-base-url': '/evil/' }, { model: 'ultralytics:/evil/model.js' }];
  for (const attributes of variants) {
    await openLive(page, { backend: 'wasm', layers: 'boxes', ...attributes });
    const error = await firstError(page);
    console.log(`${JSON.stringify(attributes)}: ${error.type}: ${error.message}`);
    expect(error.type).toBe('model-load-failed');
    expect(await page.evaluate(() => (window as unknown as { __loupeScriptRan?: boolean }).__loupeScriptRan ?? false)).toBe(false);
    expect(await page.title()).not.toBe('pwned');
    expect(await page.locator('script[src*="evil"]').count()).toBe(0);
  }
  const paths = requests.map((r) => new URL(r.url).pathname);
  expect(paths).toContain('/evil/centernet.json');
  expect(paths).toContain('/evil/model.js');
  expect(requests.map((r) => r.type), 'how the URLs were requested').toEqual(requests.map(() => 'fetch'));
});
