/**
 * Script of bench/responsiveness.html: one `<loupe-live layers="boxes">` on the fake camera (the street
 * clip), `?model=…&backend=…&worker=0|1&seconds=…`. From the first result on, for `seconds`, it measures
 * what a page embedding it feels: detections per second, the share of time the main thread was blocked
 * by long tasks (> 50 ms, PerformanceObserver), the lateness of a 10 ms timer, and the gaps between
 * animation frames. The result lands on `window.loupeResponsiveness`.
 */
import '../components/index.js';
import type { BackendReport } from '../models/index.js';

export interface ResponsivenessResult {
  backend: BackendReport | null;
  seconds: number;
  detections: number;
  detectionsPerSecond: number;
  /** Sum of long-task durations inside the window / the window. */
  longTaskShare: number;
  longTasks: number;
  timerLateness: { p50: number; p95: number; max: number; samples: number };
  rafGap: { p50: number; p95: number; max: number; samples: number };
  /** Median `timings.total` of the results in the window (where the engine ran). */
  detectMs: number;
  error?: string;
}

const params = new URLSearchParams(location.search);
const seconds = Number(params.get('seconds') ?? '15');
const live = document.createElement('loupe-live');
live.setAttribute('model', params.get('model') ?? 'centernet');
live.setAttribute('backend', params.get('backend') ?? 'wasm');
live.setAttribute('layers', 'boxes');
live.setAttribute('sync', 'live');
if (params.get('worker') === '1') live.setAttribute('worker', '');

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};
const stats = (xs: number[]) => ({ p50: quantile(xs, 0.5), p95: quantile(xs, 0.95), max: xs.length ? Math.max(...xs) : Number.NaN, samples: xs.length });

let backend: BackendReport | null = null;
let windowStart = -1;
const resultTimes: number[] = [];
const totals: number[] = [];
const longTasks: { start: number; duration: number }[] = [];
const lateness: number[] = [];
const rafGaps: number[] = [];
const done = (result: ResponsivenessResult) => {
  (window as unknown as { loupeResponsiveness: ResponsivenessResult }).loupeResponsiveness = result;
};

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longTasks.push({ start: entry.startTime, duration: entry.duration });
}).observe({ type: 'longtask', buffered: true });

function startProbes(): void {
  // A 10 ms timer: how late each tick fires is how long an input event would have waited.
  let expected = performance.now() + 10;
  const tick = () => {
    const now = performance.now();
    lateness.push(Math.max(0, now - expected));
    expected = now + 10;
    if (now < windowStart + seconds * 1000) setTimeout(tick, 10);
  };
  setTimeout(tick, 10);
  let last = -1;
  const frame = (time: number) => {
    if (last >= 0) rafGaps.push(time - last);
    last = time;
    if (performance.now() < windowStart + seconds * 1000) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  setTimeout(finish, seconds * 1000 + 50);
}

function finish(): void {
  const end = windowStart + seconds * 1000;
  // Long tasks overlapping the window, clipped to it.
  const blocked = longTasks.reduce((sum, t) => sum + Math.max(0, Math.min(end, t.start + t.duration) - Math.max(windowStart, t.start)), 0);
  const inWindow = resultTimes.filter((t) => t > windowStart && t <= end).length;
  done({
    backend,
    seconds,
    detections: inWindow,
    detectionsPerSecond: inWindow / seconds,
    longTaskShare: blocked / (seconds * 1000),
    longTasks: longTasks.filter((t) => t.start + t.duration > windowStart && t.start < end).length,
    timerLateness: stats(lateness),
    rafGap: stats(rafGaps),
    detectMs: quantile(totals, 0.5),
  });
  live.remove();
}

live.addEventListener('loupe-backend', (e) => (backend = e.detail));
live.addEventListener('loupe-error', (e) => done({ backend, seconds, detections: 0, detectionsPerSecond: 0, longTaskShare: Number.NaN, longTasks: 0, timerLateness: stats([]), rafGap: stats([]), detectMs: Number.NaN, error: `${e.detail.type}: ${e.detail.message}` }));
live.addEventListener('loupe-detections', (e) => {
  const now = performance.now();
  if (windowStart < 0) {
    // The window starts at the first result (the model loaded, the first frame's costs paid).
    windowStart = now;
    startProbes();
    return;
  }
  resultTimes.push(now);
  if (now <= windowStart + seconds * 1000) totals.push(e.detail.timings.total);
});
document.body.append(live);
