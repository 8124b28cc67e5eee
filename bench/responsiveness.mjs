#!/usr/bin/env node
// Responsiveness of a page running <loupe-live> (issue 16): the main thread vs worker mode, in one run,
// on the fake camera's street clip. For each model: detections per second, share of main-thread time
// in long tasks (> 50 ms), p95 / max lateness of a 10 ms timer, p95 gap between animation frames
// (bench/responsiveness.ts). Runs alternate main, worker, main, worker… (--repeat pairs). Writes
// bench/results/responsiveness-<stamp>.json/.md and responsiveness-latest.*. A benchmark: never fails on a time.
//
//   npm run bench:responsiveness                                  # WASM, centernet + nanodet, 15 s, 1 pair
//   npm run bench:responsiveness -- --models nanodet --seconds 20 --repeat 2
import { chromium } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'centernet,nanodet' },
    backend: { type: 'string', default: 'wasm' },
    seconds: { type: 'string', default: '15' },
    repeat: { type: 'string', default: '1' },
    out: { type: 'string', default: join(root, 'bench/results') },
  },
});
const models = values.models.split(',');
const seconds = Number(values.seconds);
const repeat = Number(values.repeat);

const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : Number.NaN;
};

const loadStart = loadavg().map((x) => x.toFixed(2));
const server = await createServer({
  root,
  configFile: join(root, 'vite.config.ts'),
  logLevel: 'warn',
  server: { port: 5181, strictPort: false, host: '127.0.0.1', hmr: false, watch: null },
  optimizeDeps: { entries: ['bench/responsiveness.html', 'models/worker-entry.ts'] },
  cacheDir: join(root, 'node_modules/.vite-bench-responsiveness'),
});
await server.listen();
const base = server.resolvedUrls.local[0].replace(/\/$/, '');
const { chromiumLaunchOptions } = await server.ssrLoadModule('/e2e/chromium.ts');
const browser = await chromium.launch(chromiumLaunchOptions({ webgpu: false, fakeCamera: true }));
const runs = [];
try {
  // Prime the dev server's transforms (page and Worker) so no measured run pays for them.
  {
    const page = await browser.newPage();
    await page.goto(`${base}/bench/responsiveness.html?model=${models[0]}&backend=${values.backend}&worker=1&seconds=1`);
    await page.waitForFunction(() => window.loupeResponsiveness, null, { timeout: 300_000 });
    await page.close();
  }
  for (const model of models) {
    for (let r = 0; r < repeat; r++) {
      for (const worker of [false, true]) {
        const context = await browser.newContext();
        const page = await context.newPage();
        page.on('pageerror', (error) => console.log(`  [page error] ${error.message}`));
        await page.goto(`${base}/bench/responsiveness.html?model=${model}&backend=${values.backend}&worker=${worker ? 1 : 0}&seconds=${seconds}`);
        const result = await page.waitForFunction(() => window.loupeResponsiveness, null, { timeout: (seconds + 300) * 1000 }).then((h) => h.jsonValue());
        await context.close();
        const thread = result.backend?.thread ?? '?';
        console.log(`  ${model} ${worker ? 'worker' : 'main  '} (${thread}): ${fmt(result.detectionsPerSecond, 2)} det/s, long tasks ${fmt(100 * result.longTaskShare)} %, timer p95 ${fmt(result.timerLateness.p95)} ms max ${fmt(result.timerLateness.max)} ms, rAF p95 ${fmt(result.rafGap.p95)} ms${result.error ? `, error ${result.error}` : ''}`);
        runs.push({ model, worker, result });
      }
    }
  }
} finally {
  await browser.close();
  await server.close();
}

const lines = [
  `Machine: ${cpus().length}× ${cpus()[0]?.model ?? 'CPU'}; Chromium ${browser.version()} headless; backend ${values.backend}; <loupe-live layers="boxes" sync="live"> on the fake camera (street clip, 768×576); ${seconds} s from the first result; load average at start ${loadStart.join(' / ')}, at end ${loadavg().map((x) => x.toFixed(2)).join(' / ')}.`,
  '',
  '| model | engine on | detections/s | detect() ms (median) | main thread in long tasks | 10 ms timer lateness p95 / max (ms) | rAF gap p95 (ms) | runs |',
  '|---|---|---|---|---|---|---|---|',
];
for (const model of models) {
  for (const worker of [false, true]) {
    const mine = runs.filter((r) => r.model === model && r.worker === worker && !r.result.error).map((r) => r.result);
    const errors = runs.filter((r) => r.model === model && r.worker === worker && r.result.error);
    const m = (f) => median(mine.map(f));
    lines.push(`| ${model} | ${worker ? 'Worker' : 'main thread'} | ${fmt(m((x) => x.detectionsPerSecond), 2)} | ${fmt(m((x) => x.detectMs), 0)} | ${fmt(100 * m((x) => x.longTaskShare))} % | ${fmt(m((x) => x.timerLateness.p95))} / ${fmt(m((x) => x.timerLateness.max))} | ${fmt(m((x) => x.rafGap.p95))} | ${mine.length}${errors.length ? ` (errors: ${errors[0].result.error.slice(0, 80)})` : ''} |`);
  }
  const main = runs.filter((r) => r.model === model && !r.worker && !r.result.error).map((r) => r.result.detectionsPerSecond);
  const off = runs.filter((r) => r.model === model && r.worker && !r.result.error).map((r) => r.result.detectionsPerSecond);
  lines.push(`| ${model} | Worker / main detections/s | ${fmt(median(off) / median(main), 2)} | | | | | |`);
}
const table = lines.join('\n');
mkdirSync(values.out, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const report = { date: new Date().toISOString(), args: values, runs };
for (const name of [`responsiveness-${stamp}`, 'responsiveness-latest']) {
  writeFileSync(join(values.out, `${name}.json`), JSON.stringify(report, null, 2));
  writeFileSync(join(values.out, `${name}.md`), `${table}\n`);
}
console.log(`\n${table}\n`);
