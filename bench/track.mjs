#!/usr/bin/env node
// Tracker cost (issue 20): Loupe's tracker (src/track/) on 50 people walking with noisy boxes, some missed,
// some weak, people leaving and entering, for 10 minutes of 30 Hz frames (18,000 updates). Prints the time
// per update and the heap before and after (run with --expose-gc for exact heap figures), and writes
// bench/results/track-latest.json. A benchmark, not a test: it never fails on a time.
//
//   node --expose-gc bench/track.mjs [--objects 50] [--minutes 10] [--hz 30]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { objects: { type: 'string', default: '50' }, minutes: { type: 'string', default: '10' }, hz: { type: 'string', default: '30' } } });
const objects = Number(values.objects);
const frames = Math.round(Number(values.minutes) * 60 * Number(values.hz));
const step = 1000 / Number(values.hz);

const server = await createServer({ root, configFile: resolve(root, 'vite.config.ts'), logLevel: 'warn', server: { middlewareMode: true, hmr: false, watch: null }, optimizeDeps: { noDiscovery: true, entries: [] } });
const { Tracker } = await server.ssrLoadModule('/src/track/index.ts');
await server.close();

// Deterministic scene: mulberry32.
let seed = 20;
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const spawn = () => ({ x: random() * 1200, y: 100 + random() * 500, vx: (random() - 0.5) * 160, vy: (random() - 0.5) * 40, h: 60 + random() * 80, life: 3000 + random() * 20000 });
const people = Array.from({ length: objects }, spawn);
const detections = Array.from({ length: objects }, () => ({ x: 0, y: 0, width: 0, height: 0, score: 0, classId: 0 }));

const tracker = new Tracker();
const gc = globalThis.gc ?? (() => {});
const times = new Float64Array(frames);
let heapAfterWarmUp = 0;
for (let k = 0; k < frames; k++) {
  const t = k * step;
  for (const [i, p] of people.entries()) {
    p.x += (p.vx * step) / 1000;
    p.y += (p.vy * step) / 1000;
    p.life -= step;
    if (p.life <= 0) Object.assign(p, spawn());
    const d = detections[i];
    // Missed this frame: a zero score, under every threshold (the tracker skips it).
    if (random() < 0.08) {
      d.score = 0;
      continue;
    }
    d.width = p.h * 0.4 + (random() - 0.5) * 4;
    d.height = p.h + (random() - 0.5) * 4;
    d.x = p.x + (random() - 0.5) * 4;
    d.y = p.y + (random() - 0.5) * 4;
    d.score = random() < 0.2 ? 0.1 + random() * 0.4 : 0.5 + random() * 0.5;
  }
  const start = performance.now();
  tracker.update(detections, t);
  times[k] = performance.now() - start;
  if (k === 1000) {
    gc();
    heapAfterWarmUp = process.memoryUsage().heapUsed;
  }
}
gc();
const heapAtEnd = process.memoryUsage().heapUsed;
const sorted = [...times.subarray(100)].sort((a, b) => a - b);
const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const report = {
  objects,
  frames,
  hz: Number(values.hz),
  msPerUpdate: { mean: sorted.reduce((s, v) => s + v, 0) / sorted.length, median: at(0.5), p99: at(0.99), max: sorted.at(-1) },
  heapBytes: { afterWarmUp: heapAfterWarmUp, atEnd: heapAtEnd, growth: heapAtEnd - heapAfterWarmUp, exact: globalThis.gc !== undefined },
  liveTracks: tracker.tracks.length,
  node: process.version,
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/track-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
const ms = (v) => `${v.toFixed(3)} ms`;
console.log(`Tracker, ${objects} objects, ${frames} updates (${values.minutes} min at ${values.hz} Hz):`);
console.log(`  per update: mean ${ms(report.msPerUpdate.mean)}, median ${ms(report.msPerUpdate.median)}, p99 ${ms(report.msPerUpdate.p99)}, max ${ms(report.msPerUpdate.max)}`);
console.log(`  heap after warm-up ${(heapAfterWarmUp / 1e6).toFixed(2)} MB, at the end ${(heapAtEnd / 1e6).toFixed(2)} MB (${report.heapBytes.exact ? 'after gc' : 'run with --expose-gc for exact figures'})`);
