import { describe, expect, it } from 'vitest';
import { HOLD_ABOVE_MS, LiveStats, RELEASE_BELOW_MS, STATS_PERIOD_MS, effectiveSync } from './live-stats.js';

const timings = (total: number) => ({ preprocess: total / 4, infer: total / 2, decode: total / 4, total });

describe('LiveStats', () => {
  it('averages the frame rate and stage times, and refreshes the displayed numbers at most every period', () => {
    const stats = new LiveStats();
    expect(stats.displayed).toBeNull();
    stats.add(timings(100), 3, 1000, 'live');
    expect(stats.displayed).toMatchObject({ fps: 0, count: 3, timings: { total: 100 } });
    stats.add(timings(100), 4, 1100, 'live'); // 10 fps, inside the period: display unchanged
    expect(stats.displayed?.count).toBe(3);
    stats.add(timings(200), 5, 1000 + STATS_PERIOD_MS + 1, 'live');
    const shown = stats.displayed!;
    expect(shown.count).toBe(5);
    // Moving averages: 100 → 100 → 100 + (200 − 100) · 0.2 = 120.
    expect(shown.timings.total).toBeCloseTo(120, 6);
    expect(shown.fps).toBeGreaterThan(6);
    expect(shown.fps).toBeLessThan(10);
  });

  it('sync auto: holds the analysed frame above the upper bound, releases below the lower one, not between', () => {
    const stats = new LiveStats();
    stats.add(timings(HOLD_ABOVE_MS + 50), 0, 0, 'auto');
    expect(stats.holdFrame).toBe(true);
    // Averages fall slowly; in between the bounds the hold stays (no flicker).
    for (let i = 1; i < 4; i++) stats.add(timings((HOLD_ABOVE_MS + RELEASE_BELOW_MS) / 2), 0, i * 100, 'auto');
    expect(stats.holdFrame).toBe(true);
    for (let i = 4; i < 40; i++) stats.add(timings(10), 0, i * 100, 'auto');
    expect(stats.holdFrame).toBe(false);
  });

  it('sync frame / live fix the hold whatever the speed; an unknown mode counts as auto', () => {
    const stats = new LiveStats();
    stats.add(timings(10), 0, 0, 'frame');
    expect(stats.holdFrame).toBe(true);
    stats.updateHold('live');
    expect(stats.holdFrame).toBe(false);
    stats.add(timings(2000), 0, 100, 'bogus' as 'auto'); // average 10 + (2000 − 10) · 0.2 = 408 ms
    expect(stats.holdFrame).toBe(true);
  });

  it('sync predict never holds the frame, however slow; auto with tracking means predict', () => {
    const stats = new LiveStats();
    stats.add(timings(HOLD_ABOVE_MS * 4), 0, 0, effectiveSync('auto', true));
    expect(effectiveSync('auto', true)).toBe('predict');
    expect(stats.holdFrame).toBe(false);
    expect(effectiveSync('auto', false)).toBe('auto');
    stats.updateHold(effectiveSync('auto', false));
    expect(stats.holdFrame).toBe(true);
    expect(effectiveSync('frame', true)).toBe('frame');
    expect(effectiveSync('live', true)).toBe('live');
  });

  it('reset() forgets the previous model, backend or source', () => {
    const stats = new LiveStats();
    stats.add(timings(100), 1, 0, 'live');
    stats.reset();
    expect(stats.displayed).toBeNull();
    stats.add(timings(50), 2, 5000, 'live');
    expect(stats.displayed).toMatchObject({ fps: 0, timings: { total: 50 } });
  });
});
