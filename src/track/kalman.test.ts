import { describe, expect, it } from 'vitest';
import { CX, CY, FILTER_SIZE, HEIGHT, STRIDE, extrapolate, initFilter, predictFilter, updateFilter, type MotionNoise } from './kalman.js';

const noise: MotionNoise = { position: 0.27, acceleration: 1, measurement: 0.05, sizeFactor: 1, initialVelocity: 1.9 };

/** Follows a box moving at (vx, vy) px/s, measured exactly at the given times (s); returns the filter. */
function follow(times: number[], vx: number, vy: number): Float64Array {
  const filter = new Float64Array(FILTER_SIZE);
  initFilter(filter, 0, 100, 200, 40, 100, noise);
  let last = times[0]!;
  for (const t of times.slice(1)) {
    predictFilter(filter, 0, t - last, noise);
    updateFilter(filter, 0, 100 + vx * (t - times[0]!), 200 + vy * (t - times[0]!), 40, 100, noise);
    last = t;
  }
  return filter;
}

describe('constant-velocity Kalman filter', () => {
  it('learns the velocity of a steadily moving box', () => {
    const times = Array.from({ length: 30 }, (_, i) => i / 10); // 10 Hz for 3 s
    const filter = follow(times, 50, -20);
    expect(filter[CX * STRIDE + 1]).toBeCloseTo(50, 0);
    expect(filter[CY * STRIDE + 1]).toBeCloseTo(-20, 0);
    // Position at the last time (2.9 s): 100 + 50·2.9 = 245, 200 − 20·2.9 = 142.
    expect(filter[CX * STRIDE]).toBeCloseTo(245, 0);
    expect(filter[CY * STRIDE]).toBeCloseTo(142, 0);
    // Half a second later it should be 25 px further right.
    expect(extrapolate(filter, 0, CX, 0.5)).toBeCloseTo(270, 0);
  });

  it('gives the same estimate at any frame rate, regular or not', () => {
    const at10 = follow(Array.from({ length: 31 }, (_, i) => i / 10), 80, 0);
    const at30 = follow(Array.from({ length: 91 }, (_, i) => i / 30), 80, 0);
    // Irregular: 5–60 Hz intervals (deterministic), over the same 3 s.
    const irregular = [0];
    for (let k = 0; irregular[irregular.length - 1]! < 3; k++) irregular.push(irregular[irregular.length - 1]! + [0.2, 1 / 60, 0.05, 0.1, 1 / 30][k % 5]!);
    const jittery = follow(irregular, 80, 0);
    for (const filter of [at10, at30, jittery]) expect(filter[CX * STRIDE + 1]).toBeCloseTo(80, 0);
  });

  it('grows its uncertainty with the time predicted and shrinks it with a measurement', () => {
    const filter = new Float64Array(FILTER_SIZE);
    initFilter(filter, 0, 0, 0, 40, 100, noise);
    const variance = () => filter[CX * STRIDE + 2]!;
    const start = variance();
    predictFilter(filter, 0, 0, noise);
    expect(variance()).toBe(start); // no time, no change
    predictFilter(filter, 0, 0.1, noise);
    const after100ms = variance();
    expect(after100ms).toBeGreaterThan(start);
    const copy = Float64Array.from(filter);
    predictFilter(copy, 0, 0.4, noise);
    expect(copy[CX * STRIDE + 2]!).toBeGreaterThan(after100ms);
    updateFilter(filter, 0, 1, 1, 40, 100, noise);
    expect(variance()).toBeLessThan(after100ms);
    // Noise scales with the box height: a box twice as tall has twice the position std after the same time.
    const tall = new Float64Array(FILTER_SIZE);
    initFilter(tall, 0, 0, 0, 80, 200, noise);
    predictFilter(tall, 0, 0.1, noise);
    expect(Math.sqrt(tall[CX * STRIDE + 2]!)).toBeCloseTo(2 * Math.sqrt(after100ms), 9);
    expect(tall[HEIGHT * STRIDE]).toBe(200);
  });
});
