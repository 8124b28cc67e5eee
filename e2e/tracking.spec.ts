// <loupe-live track> on WASM with the fake camera (the street clip): detections of confirmed tracks carry
// a trackId that stays on the same person from frame to frame, results carry their tracks, and
// loupe-track-start fires for each confirmed track. A few frames only.
import { expect, test } from '@playwright/test';
import { artifactPath, openLive, waitForFrames } from './helpers';
import type { Detection } from '../models/index.js';
import type { TrackPass } from './pages/track-file';

function iou(a: Detection, b: Detection): number {
  const iw = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const ih = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return iw <= 0 || ih <= 0 ? 0 : (iw * ih) / (a.width * a.height + b.width * b.height - iw * ih);
}

test('track: people keep their trackId across frames; tracks and loupe-track-start are reported', async ({ page }) => {
  test.setTimeout(180_000);
  await openLive(page, { backend: 'wasm', layers: 'boxes', track: '' });
  const state = await waitForFrames(page, 5, 150_000);
  const frames = state.detections;
  for (const frame of frames) {
    expect(frame.tracks, 'tracks on every result').toBeDefined();
    const ids = frame.detections.flatMap((d) => (d.trackId === undefined ? [] : [d.trackId]));
    expect(new Set(ids).size, 'one box per track in a frame').toBe(ids.length);
    for (const d of frame.detections) if (d.trackId !== undefined) expect(frame.tracks!.some((t) => t.id === d.trackId && t.state === 'confirmed')).toBe(true);
  }
  // The first frame's confident people start confirmed tracks at once.
  expect(frames[0]!.detections.filter((d) => d.trackId !== undefined).length).toBeGreaterThan(0);
  // Whether a person keeps their id into the next frame depends on the detection rate on the live camera
  // (at this machine's loaded 0.3–1 frames a second a walker moves more than a box width between frames);
  // the offline pass below checks identities frame-exactly at the file's own 10 fps.
  console.log(`ids per frame: ${frames.map((f) => f.detections.map((d) => d.trackId ?? '-').join(',')).join(' | ')}`);
  // loupe-track-start fired for every id seen on a detection, with the track's label.
  const events = await page.evaluate(() => (window as unknown as { loupeTest: { trackEvents: { type: string; id: number; label: string }[] } }).loupeTest.trackEvents);
  const started = new Set(events.filter((e) => e.type === 'start').map((e) => e.id));
  for (const frame of frames) for (const d of frame.detections) if (d.trackId !== undefined) expect(started.has(d.trackId), `start event of track ${d.trackId}`).toBe(true);
  expect(events.filter((e) => e.type === 'start').every((e) => e.label.length > 0)).toBe(true);
});

test('track, sync auto: on each presented video frame the tracked boxes are drawn where their tracks predict them; sync="frame" holds the analysed frame', async ({ page }) => {
  test.setTimeout(180_000);
  // The tracks layer puts each track's id in its boxes' labels, which is how the boxes are told apart here.
  await openLive(page, { backend: 'wasm', layers: 'boxes tracks', track: '' });
  await waitForFrames(page, 3, 150_000);
  // On each frame the browser presents (up to 40), once the overlay has rendered for it: the latest
  // result's time and tracks, the video's media time, and where each tracked box is drawn (source px,
  // from the box's percentage position).
  const samples = await page.evaluate(async () => {
    const live = document.querySelector('loupe-live')!;
    const overlay = live.shadowRoot!.querySelector('loupe-overlay')!;
    const video = live.shadowRoot!.querySelector('loupe-camera')!.source as HTMLVideoElement;
    const out: { time: number; presented: number; prediction: { trackTime: number; displayTime: number; aheadMs: number } | null; trackTime: number; predict: boolean; showFrame: boolean; source: { width: number; height: number }; tracks: { id: number; vx: number; vy: number }[]; detections: { id: number; x: number; y: number; width: number; height: number }[]; drawn: { id: number; x: number; y: number }[] }[] = [];
    for (let i = 0; i < 40; i++) {
      const presented = await new Promise<number>((resolve) => video.requestVideoFrameCallback(() => resolve(video.currentTime * 1000)));
      // The overlay's own video-frame callback for this frame may run after ours (same rendering step):
      // let it request its render first, else updateComplete is the previous frame's (its boxes were
      // drawn for an earlier time: 0.50–0.67 px off in worker mode, where the main thread presents every frame).
      await new Promise((resolve) => setTimeout(resolve, 0));
      await overlay.updateComplete;
      const result = live.lastResult!;
      const { sourceWidth, sourceHeight } = result.letterbox;
      const drawn = [...overlay.shadowRoot!.querySelectorAll<HTMLElement>('.box')].flatMap((box) => {
        const id = /#(\d+)/.exec(box.querySelector('.label')?.getAttribute('data-text') ?? '')?.[1];
        return id ? [{ id: Number(id), x: (parseFloat(box.style.left) / 100) * sourceWidth, y: (parseFloat(box.style.top) / 100) * sourceHeight }] : [];
      });
      out.push({
        // The video's media time when the frame was presented and after the overlay rendered for it: the
        // overlay read it at its render, somewhere between the two (the media time can move on meanwhile).
        presented,
        time: video.currentTime * 1000,
        // What the overlay's render moved the boxes by (its result's time, the media time it drew at).
        prediction: overlay.prediction,
        trackTime: result.trackTime!,
        predict: overlay.predict,
        showFrame: overlay.showFrame,
        source: { width: sourceWidth, height: sourceHeight },
        tracks: result.tracks!.map((track) => ({ id: track.id, vx: track.velocity.x, vy: track.velocity.y })),
        detections: result.detections.flatMap((d) => (d.trackId === undefined ? [] : [{ id: d.trackId, x: d.x, y: d.y, width: d.width, height: d.height }])),
        drawn,
      });
    }
    return out;
  });
  expect(samples.every((s) => s.predict && !s.showFrame), 'sync="auto" with track predicts on the live video').toBe(true);
  // The overlay drew each presented frame at that frame's media time, and every tracked box where its detection moved by its track's velocity
  // for that long (at most 1 s) puts it, inside the picture. Compared against the result the overlay
  // drew: a sample where the latest result arrived but is not drawn yet (the overlay renders on the
  // next presented frame) is counted, not compared. (Comparing against the latest result at the read
  // time was 0.50–0.67 px off now and then, in CI and in worker mode.)
  let checked = 0;
  let drawnAhead = 0;
  let movedWithoutDetection = 0;
  let drawingEarlierResult = 0;
  for (const [index, s] of samples.entries()) {
    const p = s.prediction;
    expect(p, 'the overlay moved the boxes to the presented frame').not.toBeNull();
    // A camera stream's media time runs with the clock: the overlay's own video-frame callback for this
    // frame may have run (and drawn) a few ms before ours. Each presented frame is a new render, later
    // than the previous sample's read.
    const previousRead = samples[index - 1]?.time ?? -Infinity;
    expect(p!.displayTime, 'drawn anew for the presented frame').toBeGreaterThan(previousRead);
    expect(p!.displayTime).toBeLessThanOrEqual(s.time + 1);
    expect(p!.aheadMs).toBeCloseTo(Math.min(Math.max(p!.displayTime - p!.trackTime, 0), 1000), 6);
    if (p!.trackTime !== s.trackTime) {
      drawingEarlierResult++;
      continue;
    }
    const ahead = p!.aheadMs / 1000;
    for (const d of s.detections) {
      const track = s.tracks.find((t) => t.id === d.id)!;
      const box = s.drawn.find((b) => b.id === d.id);
      expect(box, `box of track ${d.id} drawn`).toBeDefined();
      const expectedX = d.x + track.vx * ahead;
      const expectedY = d.y + track.vy * ahead;
      // Clamped at the picture's four edges: only boxes well inside are compared exactly.
      const inside = expectedX > 1 && expectedY > 1 && expectedX + d.width < s.source.width - 1 && expectedY + d.height < s.source.height - 1;
      if (inside) {
        const where = `track ${d.id} (v ${track.vx.toFixed(1)}, ${track.vy.toFixed(1)} px/s; result at ${p!.trackTime.toFixed(0)} ms, drawn at ${p!.displayTime.toFixed(0)})`;
        expect(Math.abs(box!.x - expectedX), `${where}: x`).toBeLessThan(0.5);
        expect(Math.abs(box!.y - expectedY), `${where}: y`).toBeLessThan(0.5);
        checked++;
      }
      if (Math.hypot(box!.x - d.x, box!.y - d.y) > 0.5) drawnAhead++;
      const previous = samples[index - 1];
      const before = previous?.trackTime === s.trackTime ? previous.drawn.find((b) => b.id === d.id) : undefined;
      if (before && Math.hypot(box!.x - before.x, box!.y - before.y) > 0.2) movedWithoutDetection++;
    }
  }
  console.log(`ms ahead of the result per presented frame: ${samples.map((s) => Math.round(s.time - s.trackTime)).join(' ')}`);
  console.log(`presented frames whose overlay still drew the previous result (not compared): ${drawingEarlierResult}`);
  console.log(`predicted boxes checked: ${checked}; drawn ahead of their detection: ${drawnAhead}; moved between two presented frames of one result: ${movedWithoutDetection}`);
  expect(checked).toBeGreaterThan(20);
  // Drawn where the people are now, not where they were when the frame was analysed. (How many presented
  // frames fall between two results depends on the main thread: on the main thread WASM detection leaves
  // it few of them; in worker mode every presented frame gets its prediction. Logged, not asserted.)
  expect(drawnAhead, 'boxes drawn ahead of their detections').toBeGreaterThan(5);
  // sync="frame": the analysed frame with its exact boxes, no prediction.
  await page.evaluate(() => document.querySelector('loupe-live')!.setAttribute('sync', 'frame'));
  await expect.poll(() => page.evaluate(() => {
    const overlay = document.querySelector('loupe-live')!.shadowRoot!.querySelector('loupe-overlay')!;
    return { predict: overlay.predict, showFrame: overlay.showFrame };
  })).toEqual({ predict: false, showFrame: true });
});

test('offline pass over the street clip: every frame once at its media time, ids kept, tracks layer drawn, MOT and JSON export', async ({ page }) => {
  test.setTimeout(300_000);
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.log(`[page error] ${msg.text()}`);
  });
  await page.goto('/e2e/pages/track-file.html');
  await page.waitForFunction(() => 'runTrackPass' in window, null, { timeout: 60_000 });
  const run = (options: { backend: 'wasm'; fps?: number; end: number }) =>
    page.evaluate((o) => (window as unknown as { runTrackPass(o: unknown): Promise<TrackPass> }).runTrackPass(o), options);
  const started = Date.now();
  const pass = await run({ backend: 'wasm', fps: 10, end: 1 });
  console.log(`10 frames in ${((Date.now() - started) / 1000).toFixed(1)} s; ids per frame: ${pass.records.map((r) => r.detections.map((d) => d.trackId ?? '-').join(',')).join(' | ')}`);
  // Frame-exact: the clip's first second is 10 frames at 0, 100, …, 900 ms, each once, in order.
  expect(pass.records.map((r) => Math.round(r.time))).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  expect(pass.progress.at(-1)).toBe(1);
  expect(pass.progress).toEqual([...pass.progress].sort((a, b) => a - b));
  expect(pass.tensorsLeft, 'tensors left by the pass').toBe(0);
  // Identities hold at the file's rate: people keep their id over the whole second, on overlapping boxes.
  const frames = pass.records.map((r) => r.detections);
  const idsIn = frames.map((ds) => new Set(ds.flatMap((d) => (d.trackId === undefined ? [] : [d.trackId]))));
  const kept = [...idsIn[1]!].filter((id) => idsIn.slice(1).every((ids) => ids.has(id)));
  expect(kept.length, 'tracks present in every frame from the second on').toBeGreaterThanOrEqual(2);
  for (let k = 1; k < frames.length; k++) {
    for (const d of frames[k]!) {
      const before = frames[k - 1]!.find((p) => p.trackId !== undefined && p.trackId === d.trackId);
      if (before) expect(iou(before, d), `track ${d.trackId} moves smoothly into frame ${k + 1}`).toBeGreaterThan(0.3);
    }
  }
  // The overlay drew the last frame: boxes labelled and coloured by id, trails, counts.
  const drawn = await page.evaluate(async () => {
    const overlay = document.querySelector('loupe-overlay')!;
    await overlay.updateComplete;
    const root = overlay.shadowRoot!;
    return {
      labels: [...root.querySelectorAll('.box .label')].map((l) => (l as HTMLElement).dataset.text ?? ''),
      colors: [...root.querySelectorAll<HTMLElement>('.box')].map((b) => b.style.getPropertyValue('--c')),
      rects: [...root.querySelectorAll('svg.tracks rect.track')].map((r) => ({ id: Number(r.getAttribute('data-track')), state: r.classList.contains('lost') ? 'lost' : 'tentative' })),
      trails: root.querySelectorAll('svg.tracks line.trail').length,
      counts: [...root.querySelectorAll('.track-counts li')].map((li) => li.textContent?.replace(/\s+/g, ' ').trim() ?? ''),
    };
  });
  await page.locator('.stage').screenshot({ path: artifactPath('tracks-layer.png') });
  const last = frames.at(-1)!;
  const lastTracks = pass.tracks.at(-1)!;
  console.log(`last frame: ${drawn.labels.join(' / ')}; counts ${drawn.counts.join(' / ')}; ${drawn.trails} trail segments`);
  expect(drawn.labels).toHaveLength(last.length);
  last.forEach((d, i) => {
    if (d.trackId === undefined) expect(drawn.labels[i]).not.toContain('#');
    else expect(drawn.labels[i]).toContain(`#${d.trackId}`);
  });
  const tracked = last.flatMap((d, i) => (d.trackId === undefined ? [] : [drawn.colors[i]!]));
  expect(new Set(tracked).size, 'one colour per track').toBe(tracked.length);
  expect(drawn.rects).toEqual(lastTracks.filter((t) => t.state !== 'confirmed').map((t) => ({ id: t.id, state: t.state })));
  // Each track kept over the second has a trail of its steps (9 segments for one seen in all 10 frames).
  expect(drawn.trails).toBeGreaterThanOrEqual(kept.length * 8);
  const confirmed = lastTracks.filter((t) => t.state === 'confirmed' && t.label === 'person').length;
  expect(drawn.counts.find((c) => c.startsWith('person'))).toMatch(new RegExp(`^person ${confirmed} \\d+ seen$`));
  // Exports: one MOT row per tracked box, frames 1-based; the JSON groups the same boxes by track.
  const rows = pass.mot.trim().split('\n').map((line) => line.split(',').map(Number));
  expect(rows).toHaveLength(frames.flat().filter((d) => d.trackId !== undefined).length);
  expect(rows.every((r) => r.length === 10 && r[0]! >= 1 && r[0]! <= 10 && r[1]! > 0)).toBe(true);
  expect(pass.json.tracks.map((t) => t.id)).toEqual([...new Set(rows.map((r) => r[1]!))].sort((a, b) => a - b));
  expect(pass.json.tracks.reduce((n, t) => n + t.boxes.length, 0)).toBe(rows.length);
  expect(pass.json).toMatchObject({ model: 'centernet', width: 768, height: 576, frames: 10 });

});

test('tracks layer without track: says tracking is off', async ({ page }) => {
  test.setTimeout(120_000);
  await openLive(page, { backend: 'wasm', layers: 'boxes tracks' });
  await waitForFrames(page, 1, 100_000);
  const text = await page.evaluate(async () => {
    const overlay = document.querySelector('loupe-live')!.overlay!;
    await overlay.updateComplete;
    return overlay.shadowRoot!.querySelector('.track-counts')?.textContent?.replace(/\s+/g, ' ').trim();
  });
  expect(text).toBe('Tracking is off: set track on the detector');
});

test('the Track toggle turns tracking and the tracks layer on together, and off', async ({ page }) => {
  test.setTimeout(180_000);
  await openLive(page, { backend: 'wasm', layers: 'boxes' });
  await waitForFrames(page, 1, 100_000);
  const toggle = page.locator('loupe-live').getByRole('button', { name: 'Tracking' });
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('loupe-live')).toHaveAttribute('layers', 'boxes tracks');
  // The detector reloads with tracking; the next results carry tracks and the overlay counts them.
  await page.waitForFunction(() => (window as unknown as { loupeTest: { detections: { tracks?: unknown[] }[] } }).loupeTest.detections.some((d) => d.tracks), null, { timeout: 120_000, polling: 500 });
  const counts = await page.evaluate(async () => {
    const overlay = document.querySelector('loupe-live')!.overlay!;
    await overlay.updateComplete;
    return overlay.shadowRoot!.querySelector('.track-counts')?.textContent ?? '';
  });
  expect(counts).not.toContain('Tracking is off');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await expect(page.locator('loupe-live')).toHaveAttribute('layers', 'boxes');
  expect(await page.evaluate(() => document.querySelector('loupe-live')!.detector!.track)).toBe(false);
});

test('<loupe-live> whole-file pass: Analyse runs every frame with tracking and progress, Cancel stops it, the tracks export as MOT and JSON, live detection resumes', async ({ page }) => {
  test.setTimeout(300_000);
  await openLive(page, { backend: 'wasm', layers: 'boxes tracks', src: '/samples/street.webm' });
  await waitForFrames(page, 1, 120_000);
  const field = page.locator('loupe-live .file-pass');
  await expect(field).toBeVisible();
  // From the control bar: Analyse (30 fps: 300 frames, far more than the test waits for), then Cancel.
  await field.getByRole('button', { name: 'Detect and track every frame of the file' }).click();
  await expect(field.locator('progress')).toBeVisible();
  await expect.poll(() => field.locator('progress').evaluate((p) => (p as HTMLProgressElement).value), { timeout: 120_000 }).toBeGreaterThan(0);
  expect(await page.evaluate(() => document.querySelector('loupe-live')!.detector!.paused), 'the live loop pauses during the pass').toBe(true);
  await field.getByRole('button', { name: 'Cancel' }).click();
  await expect(field.getByRole('status')).toContainText('cancelled at', { timeout: 60_000 });
  await expect(field.getByRole('button', { name: 'Download the tracks in MOTChallenge format' })).toBeVisible();
  // The live loop runs again.
  const before = await page.evaluate(() => (window as unknown as { loupeTest: { detections: unknown[] } }).loupeTest.detections.length);
  await page.waitForFunction((n) => (window as unknown as { loupeTest: { detections: unknown[] } }).loupeTest.detections.length > n, before, { timeout: 120_000 });
  expect(await page.evaluate(() => document.querySelector('loupe-live')!.detector!.paused)).toBe(false);
  // From the API, the whole 10 s file at 1 frame a second: 10 frames, in order, and their tracks.
  await page.evaluate(() => document.querySelector('loupe-live')!.analyseFile({ fps: 1 }));
  await expect(field.getByRole('status')).toHaveText(/^10 frames, \d+ tracks$/);
  const mot = await page.evaluate(() => document.querySelector('loupe-live')!.exportTracks('mot'));
  const rows = mot.trim().split('\n').map((line) => line.split(',').map(Number));
  expect(rows.length).toBeGreaterThan(10);
  expect(new Set(rows.map((r) => r[0]))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  expect(rows.every((r) => r.length === 10 && r[1]! > 0 && r[4]! > 0 && r[5]! > 0)).toBe(true);
  const json = JSON.parse(await page.evaluate(() => document.querySelector('loupe-live')!.exportTracks('json'))) as { frames: number; width: number; tracks: { id: number; boxes: unknown[] }[] };
  expect(json).toMatchObject({ frames: 10, width: 768 });
  expect(json.tracks.reduce((sum, track) => sum + track.boxes.length, 0)).toBe(rows.length);
});
