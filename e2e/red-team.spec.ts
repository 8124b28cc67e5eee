// The red team (issue 18), table-driven, on WASM: every way of breaking Loupe that docs/errors.md lists
// ends in its typed LoupeError with its message, leaves tf.memory() as it was, no unhandled rejection or
// page error, and a detector (or element) that still works afterwards. Engine cases run on
// e2e/pages/red-team.html (window.loupeRed = { tf, loupe }); model files are broken with page.route.
// A wrong WASM folder (the first WASM start of a page) here too. Element cases: the switch between a
// clip and the camera, and a removal mid-download, here; attributes, removal and the camera's own
// failures in attributes.spec.ts, lifecycle.spec.ts and camera-*.spec.ts; the registry's broken-file
// cases on <loupe-live> in errors.spec.ts.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { root } from './chromium';
import { MAIN_THREAD_RUN, liveState, openLive } from './helpers';

interface RedWindow {
  loupeRed: {
    tf: typeof import('@tensorflow/tfjs');
    loupe: typeof import('../models/index.js');
    tryDetect(detector: import('../models/index.js').Detector, source: string): Promise<Outcome>;
    sourceNames: string[];
  };
  /** The detector the input cases share (yolo-face on WASM). */
  redDetector?: import('../models/index.js').Detector;
}

/** What a case ended in: the error's type and message, or 'ok'. */
type Outcome = { type: string; message: string } | 'ok';

const faceBin = readFileSync(resolve(root, 'node_modules/@vladmandic/face-api/model/tiny_face_detector_model.bin'));
const smallJson = JSON.parse(readFileSync(resolve(root, 'models/yolo-face-small/yolo-face-small.json'), 'utf8')) as Record<string, unknown>;
const smallBin = readFileSync(resolve(root, 'models/yolo-face-small/yolo-face-small.bin'));

/** Errors the page threw or rejected without anyone catching them. */
function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.log(`[page error] ${msg.text()}`);
  });
  return errors;
}

async function openRedTeam(page: Page): Promise<void> {
  await page.goto('/e2e/pages/red-team.html');
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
}

const numTensors = (page: Page): Promise<number> => page.evaluate(() => (window as unknown as RedWindow).loupeRed.tf.memory().numTensors);

/** Runs a load case in the page: createDetector with `options` (yolo-face, WASM unless given). */
async function loadOutcome(page: Page, options: Record<string, unknown>, abortAfterMs?: number): Promise<Outcome> {
  return page.evaluate(
    async ({ options, abortAfterMs }) => {
      const { loupe } = (window as unknown as RedWindow).loupeRed;
      const controller = new AbortController();
      if (abortAfterMs !== undefined) setTimeout(() => controller.abort(), abortAfterMs);
      try {
        const detector = await loupe.createDetector({ model: 'yolo-face', backend: 'wasm', signal: controller.signal, ...options });
        detector.dispose();
        return 'ok' as const;
      } catch (error) {
        if (!(error instanceof loupe.LoupeError)) return { type: `not a LoupeError: ${String(error)}`, message: '' };
        return { type: error.type, message: error.message };
      }
    },
    { options, abortAfterMs },
  );
}

test.describe('red team: loading (WASM)', () => {
  const cases: {
    name: string;
    options: Record<string, unknown>;
    route?: { file: string; fulfill?: { status: number; body?: Buffer | string }; never?: true };
    abortAfterMs?: number;
    type: string;
    says: RegExp;
  }[] = [
    { name: 'yolo-face weights 404', options: {}, route: { file: 'tiny_face_detector_model.bin', fulfill: { status: 404, body: 'no' } }, type: 'model-load-failed', says: /tiny_face_detector_model\.bin answered HTTP 404/ },
    { name: 'yolo-face weights truncated', options: {}, route: { file: 'tiny_face_detector_model.bin', fulfill: { status: 200, body: faceBin.subarray(0, 1000) } }, type: 'model-load-failed', says: /hold 1000 bytes, but its manifest describes 193321/ },
    { name: 'yolo-face weights + 1,000 bytes', options: {}, route: { file: 'tiny_face_detector_model.bin', fulfill: { status: 200, body: Buffer.concat([faceBin, Buffer.alloc(1000)]) } }, type: 'model-load-failed', says: /hold 194321 bytes, but its manifest describes 193321/ },
    { name: 'yolo-face-small weights truncated', options: { model: 'yolo-face-small' }, route: { file: 'yolo-face-small.bin', fulfill: { status: 200, body: smallBin.subarray(0, smallBin.length - 100) } }, type: 'model-load-failed', says: new RegExp(`hold ${smallBin.length - 100} bytes, but its manifest describes ${smallBin.length}`) },
    { name: 'yolo-face-small model.json without weightsManifest', options: { model: 'yolo-face-small' }, route: { file: 'yolo-face-small.json', fulfill: { status: 200, body: JSON.stringify({ ...smallJson, weightsManifest: undefined }) } }, type: 'model-load-failed', says: /has no weightsManifest/ },
    { name: 'model file that is not JSON', options: { model: 'yolo-face-small' }, route: { file: 'yolo-face-small.json', fulfill: { status: 200, body: '<html>' } }, type: 'model-load-failed', says: /yolo-face-small\.json is not JSON/ },
    ...['javascript:x//', 'data:', 'blob:', 'http://[::1'].map((modelBaseUrl) => ({
      name: `model base URL ${modelBaseUrl}`,
      options: { modelBaseUrl },
      type: 'bad-option',
      says: new RegExp(`The model base URL '${modelBaseUrl.replace(/[[\]/]/g, '\\$&')}' is not a folder URL`),
    })),
    { name: 'a model server that never answers (loadTimeout 1 s)', options: { loadTimeout: 1000 }, route: { file: 'tiny_face_detector_model.bin', never: true }, type: 'model-load-failed', says: /sent nothing for 1 s \(loadTimeout\)/ },
    { name: 'an abort while the weights download', options: {}, route: { file: 'tiny_face_detector_model.bin', never: true }, abortAfterMs: 500, type: 'aborted', says: /^Loading 'yolo-face' was aborted\.$/ },
    { name: 'loadTimeout out of range', options: { loadTimeout: -1 }, type: 'bad-option', says: /loadTimeout must be a number of milliseconds/ },
    { name: 'an unknown model id', options: { model: 'nope' }, type: 'unknown-model', says: /nope/ },
  ];

  for (const { name, options, route, abortAfterMs, type, says } of cases) {
    test(`${name}: ${type}, nothing left, a good load works after`, async ({ page }) => {
      test.setTimeout(90_000);
      const pageErrors = watchPageErrors(page);
      if (route) {
        await page.route(`**/models/${route.file}`, (r) => (route.never ? undefined : r.fulfill({ ...route.fulfill!, contentType: 'application/octet-stream' })));
      }
      await openRedTeam(page);
      // The backend is up before counting (its start-up is not the case's).
      await page.evaluate(() => (window as unknown as RedWindow).loupeRed.loupe.selectBackend('wasm'));
      const before = await numTensors(page);
      const outcome = await loadOutcome(page, options, abortAfterMs);
      console.log(`${name}: ${JSON.stringify(outcome)}`);
      expect(outcome).not.toBe('ok');
      expect(outcome).toMatchObject({ type });
      expect((outcome as { message: string }).message).toMatch(says);
      expect(await numTensors(page), 'tensors left behind').toBe(before);
      expect(await page.evaluate(() => (window as unknown as RedWindow).loupeRed.loupe.loadedModels().filter((m) => !m.loaded)), 'no pending load stays cached').toEqual([]);
      if (route) await page.unroute(`**/models/${route.file}`);
      expect(await loadOutcome(page, {}), 'a good load afterwards').toBe('ok');
      expect(await numTensors(page)).toBe(before);
      expect(pageErrors, 'unhandled rejections / page errors').toEqual([]);
    });
  }
});

/** Each source of e2e/pages/red-team.ts (by name) and what detect() must end in. */
const INPUT_CASES: { source: string; type: string | 'ok'; says?: RegExp }[] = [
  { source: 'null', type: 'bad-input', says: /detect\(\) takes a video, image, .*; got null\./ },
  { source: 'string', type: 'bad-input', says: /got a string/ },
  { source: 'plain object', type: 'bad-input', says: /got a plain object/ },
  { source: 'tensor [0, 0, 3]', type: 'bad-input', says: /no pixels: shape \[0, 0, 3\]/ },
  { source: 'tensor [0, 10, 3]', type: 'bad-input', says: /no pixels: shape \[0, 10, 3\]/ },
  { source: 'string tensor', type: 'bad-input', says: /got dtype string/ },
  { source: 'bool tensor', type: 'bad-input', says: /got dtype bool/ },
  { source: 'tensor [10, 10]', type: 'bad-input', says: /RGB HWC \[height, width, 3\]; got shape \[10, 10\]/ },
  { source: 'disposed tensor', type: 'bad-input', says: /has been disposed/ },
  { source: 'canvas 0×0', type: 'bad-input', says: /canvas is 0×0/ },
  { source: 'image not loaded', type: 'bad-input', says: /image/ },
  { source: 'broken image', type: 'bad-input', says: /image failed to load/ },
  { source: 'video without a frame', type: 'bad-input', says: /video has no frame to read yet/ },
  { source: 'closed ImageBitmap', type: 'bad-input', says: /ImageBitmap has no pixels/ },
  { source: 'closed VideoFrame', type: 'bad-input', says: /VideoFrame has no pixels/ },
  ...['canvas', 'ImageData', 'ImageBitmap', 'image', 'OffscreenCanvas', 'VideoFrame', 'tensor int32', 'tensor float32'].map((source) => ({ source, type: 'ok' as const })),
];

test.describe('red team: detect() inputs on each WASM ingest path', () => {
  for (const ingest of ['canvas', 'tensor'] as const) {
    test(`every FrameSource type and every bad input, ingest '${ingest}': typed, no tensor left, still detecting`, async ({ page }) => {
      test.setTimeout(180_000);
      const pageErrors = watchPageErrors(page);
      await openRedTeam(page);
      expect((await page.evaluate(() => (window as unknown as RedWindow).loupeRed.sourceNames)).sort()).toEqual(INPUT_CASES.map((c) => c.source).sort());
      await page.evaluate(async (ingest) => {
        const red = window as unknown as RedWindow;
        red.redDetector = await red.loupeRed.loupe.createDetector({ model: 'yolo-face', backend: 'wasm', ingest });
      }, ingest);
      const before = await numTensors(page);
      for (const { source, type, says } of INPUT_CASES) {
        const outcome = await page.evaluate((name) => {
          const red = window as unknown as RedWindow;
          return red.loupeRed.tryDetect(red.redDetector!, name);
        }, source);
        console.log(`${ingest} ${source}: ${JSON.stringify(outcome)}`);
        if (type === 'ok') expect(outcome, source).toBe('ok');
        else {
          expect(outcome, source).toMatchObject({ type });
          expect((outcome as { message: string }).message, source).toMatch(says!);
        }
        expect(await numTensors(page), `${source}: tensors left behind`).toBe(before);
      }
      await page.evaluate(() => (window as unknown as RedWindow).redDetector!.dispose());
      expect(pageErrors, 'unhandled rejections / page errors').toEqual([]);
    });
  }
});

test('a <loupe-live> switched between its clip and the camera, capturing frames: no spurious bad-input, detection goes on', async ({ page }) => {
  test.setTimeout(240_000);
  const pageErrors = watchPageErrors(page);
  await openLive(page, { backend: 'wasm', layers: 'boxes', src: '/samples/street.webm' });
  // The overlay's frame-synced mode: every run first copies the video frame (createImageBitmap), the
  // step that failed (a spurious bad-input) when the video changed its media between the frame loop's
  // check and the copy.
  await page.evaluate(() => document.querySelector('loupe-live')!.shadowRoot!.querySelector('loupe-detector')!.requestFrames({}));
  const frames = (): Promise<number> => page.evaluate(() => (window as unknown as { loupeTest: { detections: unknown[] } }).loupeTest.detections.length);
  const moreFrames = async (count: number): Promise<void> => {
    const start = await frames();
    await page.waitForFunction(
      (n) => {
        const s = (window as unknown as { loupeTest: { detections: unknown[]; errors: unknown[] } }).loupeTest;
        return s.detections.length >= n || s.errors.length > 0;
      },
      start + count,
      { timeout: 90_000, polling: 100 },
    );
  };
  await moreFrames(1);
  for (let i = 0; i < 4; i++) {
    const toCamera = i % 2 === 0;
    // The switch lands exactly inside the next frame copy, as it can by chance: the copy's video is
    // emptied first (what <loupe-camera> does to it when its media changes), then <loupe-live> is told.
    // The browser's own createImageBitmap then runs on the emptied video.
    await page.evaluate((toCamera) => {
      const live = document.querySelector('loupe-live')!;
      const real = window.createImageBitmap.bind(window);
      window.createImageBitmap = ((source: ImageBitmapSource, ...rest: []) => {
        if (source instanceof HTMLVideoElement) {
          window.createImageBitmap = real;
          source.pause();
          source.srcObject = null;
          source.removeAttribute('src');
          source.load();
          if (toCamera) live.removeAttribute('src');
          else live.setAttribute('src', '/samples/street.webm');
        }
        return real(source, ...rest);
      }) as typeof window.createImageBitmap;
    }, toCamera);
    await moreFrames(2);
  }
  const state = await liveState(page);
  expect(state.errors, 'loupe-error events').toEqual([]);
  expect(pageErrors).toEqual([]);
});

test('removing a <loupe-live> while its weights download aborts the download, and the next element loads', async ({ page }) => {
  test.setTimeout(180_000);
  const pageErrors = watchPageErrors(page);
  // The weight file never answers while the first element loads: the fetch hangs until it is aborted.
  let hold = true;
  await page.route('**/models/tiny_face_detector_model.bin', (route) => (hold ? undefined : route.fallback()));
  // The weight requests as the browser makes and ends them (the page's or Loupe's Worker's fetch: the
  // elements run the engine in the Worker by default, LOUPE_E2E_WORKER=0 on the page).
  const weights = { started: 0, aborted: 0 };
  page.on('request', (request) => {
    if (request.url().includes('tiny_face_detector_model.bin')) weights.started++;
  });
  page.on('requestfailed', (request) => {
    if (request.url().includes('tiny_face_detector_model.bin') && /ABORTED/.test(request.failure()?.errorText ?? '')) weights.aborted++;
  });
  await openRedTeam(page);
  await page.evaluate(() => {
    const loupeErrors: string[] = [];
    (window as unknown as { loupeErrors: string[] }).loupeErrors = loupeErrors;
    document.addEventListener('loupe-error', (event) => loupeErrors.push(JSON.stringify((event as CustomEvent).detail)));
  });
  const worker = MAIN_THREAD_RUN ? 'false' : 'auto';
  const addLive = (): Promise<void> =>
    page.evaluate((worker) => {
      const live = document.createElement('loupe-live');
      for (const [name, value] of Object.entries({ model: 'yolo-face', backend: 'wasm', layers: 'boxes', src: '/samples/street.webm', worker })) live.setAttribute(name, value);
      document.body.append(live);
    }, worker);
  await addLive();
  await expect.poll(() => weights.started, { timeout: 60_000, message: 'the weight download started' }).toBeGreaterThan(0);
  const failed = page.waitForEvent('requestfailed', { predicate: (request) => request.url().includes('tiny_face_detector_model.bin'), timeout: 10_000 });
  await page.evaluate(() => document.querySelector('loupe-live')!.remove());
  expect((await failed).failure()?.errorText, 'the browser cancelled the request').toMatch(/ABORTED/);
  expect(weights, 'every weight request of the removed element was aborted').toEqual({ started: 1, aborted: 1 });
  // Nothing restarts the download for the removed element, and the aborted load left no cache entry:
  // a new element with the same model downloads afresh (now answered) and detects.
  hold = false;
  await page.waitForTimeout(1000);
  expect(weights.started, 'no request after the removal').toBe(1);
  await page.evaluate(() => {
    (window as unknown as { firstResult: Promise<number> }).firstResult = new Promise((resolve) =>
      document.addEventListener('loupe-detections', (event) => resolve((event as CustomEvent<{ detections: unknown[] }>).detail.detections.length), { once: true }),
    );
  });
  await addLive();
  await page.waitForFunction(() => (window as unknown as { firstResult: Promise<number> }).firstResult, null, { timeout: 120_000 });
  expect(weights.started, 'the new element fetched the weights again').toBe(2);
  expect(await page.evaluate(() => (window as unknown as { loupeErrors: string[] }).loupeErrors), 'loupe-error events').toEqual([]);
  expect(pageErrors, 'unhandled rejections / page errors').toEqual([]);
});

test('a wrong WASM folder does not poison the page: backend-failed naming the file, auto goes on to the CPU, the right folder then starts WASM', async ({ page }) => {
  test.setTimeout(150_000);
  const pageErrors = watchPageErrors(page);
  await openRedTeam(page);
  const outcome = await page.evaluate(async () => {
    const { loupe, tf } = (window as unknown as RedWindow).loupeRed;
    const attempt = async (options: Record<string, unknown>) => {
      try {
        const detector = await loupe.createDetector({ model: 'yolo-face', ...options });
        const { backend, skipped } = detector.backend;
        detector.dispose();
        return { backend, skipped: skipped.map((s) => `${s.backend}: ${s.reason}`) };
      } catch (error) {
        return error instanceof loupe.LoupeError ? { type: error.type, message: error.message } : { type: `not a LoupeError: ${String(error)}` };
      }
    };
    // Nothing has started WASM on this page yet: the first start is the one given the wrong folder.
    const explicit = await attempt({ backend: 'wasm', wasmPaths: '/nowhere/' });
    const auto = await attempt({ backend: 'auto', wasmPaths: '/nowhere/' });
    const fixed = await attempt({ backend: 'wasm' });
    return { explicit, auto, fixed, tensors: tf.memory().numTensors };
  });
  console.log(JSON.stringify(outcome));
  expect(outcome.explicit).toMatchObject({ type: 'backend-failed' });
  expect((outcome.explicit as { message: string }).message).toMatch(/^The wasm backend cannot start here: .*\/nowhere\/tfjs-backend-wasm[-a-z]*\.wasm is not a WebAssembly binary/);
  expect(outcome.auto, 'auto skips the wasm backend with its reason and runs on the CPU').toMatchObject({ backend: 'cpu' });
  expect((outcome.auto as { skipped: string[] }).skipped.find((s) => s.startsWith('wasm:'))).toMatch(/nowhere/);
  expect(outcome.fixed, 'with the right folder WASM starts, without a reload').toMatchObject({ backend: 'wasm' });
  expect(outcome.tensors, 'no tensor left').toBe(0);
  expect(pageErrors, 'unhandled rejections / page errors').toEqual([]);
});
