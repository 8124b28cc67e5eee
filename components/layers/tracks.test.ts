// The tracks layer's memory (trails, counts) and how it decorates boxes, in Node: frames as the overlay
// commits them, with tracks as the engine's tracking detector reports them.
import { describe, expect, it } from 'vitest';
import type { Detection, TrackSummary } from '../../src/types.js';
import type { OverlayFrame } from './layer.js';
import { TRAIL_MS, TrackTrails, trackColor, trailSegments, tracksLayer } from './tracks.js';

const letterbox = { sourceWidth: 640, sourceHeight: 480, inputWidth: 512, inputHeight: 512, contentWidth: 512, contentHeight: 384, scaleX: 0.8, scaleY: 0.8, padX: 0, padY: 64 };

function track(id: number, x: number, state: TrackSummary['state'] = 'confirmed', classId = 0): TrackSummary {
  const label = classId === 0 ? 'person' : 'car';
  return { id, classId, label, state, box: { x, y: 100, width: 40, height: 80 }, velocity: { x: 0, y: 0 }, age: 0, hits: 1, lastSeen: 0, score: 0.8 };
}

const frame = (trackTime: number | undefined, tracks: TrackSummary[] | undefined): OverlayFrame => {
  const f: OverlayFrame = { detections: [], letterbox, levels: [], model: 'centernet' };
  if (tracks) f.tracks = tracks;
  if (trackTime !== undefined) f.trackTime = trackTime;
  return f;
};

describe('TrackTrails', () => {
  it('keeps each live track’s centres of the last TRAIL_MS, oldest first, and forgets tracks that ended', () => {
    const trails = new TrackTrails();
    // Track 1 walks right 10 px per 100 ms for 5 s; track 2 is there for the first second only.
    for (let t = 0; t <= 5000; t += 100) trails.commit(frame(t, t <= 1000 ? [track(1, t / 10), track(2, 300)] : [track(1, t / 10)]));
    const points = trails.trail(1);
    expect(points[0]!.t).toBe(5000 - TRAIL_MS);
    expect(points.at(-1)).toEqual({ t: 5000, x: 500 + 20, y: 140 });
    expect(points).toHaveLength(TRAIL_MS / 100 + 1);
    expect(trails.trail(2)).toEqual([]);
    expect(trails.size).toBe(1);
  });

  it('keeps the last step of a track however slow the frames come', () => {
    const trails = new TrackTrails();
    trails.commit(frame(0, [track(1, 0)]));
    trails.commit(frame(10_000, [track(1, 50)]));
    expect(trails.trail(1).map((p) => p.t)).toEqual([0, 10_000]);
    expect(trailSegments(trails.trail(1), 10_000)).toEqual([{ x1: 20, y1: 140, x2: 70, y2: 140, opacity: 1 }]);
    trails.commit(frame(20_000, [track(1, 60)]));
    expect(trails.trail(1).map((p) => p.t)).toEqual([10_000, 20_000]);
  });

  it('adds nothing when the same frame is committed again (a redraw), and starts over when time goes back', () => {
    const trails = new TrackTrails();
    trails.commit(frame(0, [track(1, 0)]));
    trails.commit(frame(100, [track(1, 10)]));
    trails.commit(frame(100, [track(1, 10)]));
    expect(trails.trail(1)).toHaveLength(2);
    // A seek back: the tracker ended every track and starts new ones.
    trails.commit(frame(50, [track(7, 200)]));
    expect(trails.trail(1)).toEqual([]);
    expect(trails.trail(7)).toHaveLength(1);
    expect(trails.counts([track(7, 200)])).toEqual([{ label: 'person', classId: 0, inView: 1, seen: 1 }]);
    // A new picture or model (commit(null)) forgets everything too.
    trails.commit(null);
    expect(trails.size).toBe(0);
    expect(trails.counts([])).toEqual([]);
  });

  it('counts per class the confirmed tracks in view and every track confirmed so far, once each', () => {
    const trails = new TrackTrails();
    const frames: TrackSummary[][] = [
      [track(1, 0), track(2, 100, 'tentative')],
      [track(1, 10), track(2, 110), track(3, 400, 'confirmed', 2)],
      [track(1, 20, 'lost'), track(2, 120), track(3, 410, 'confirmed', 2)],
      [track(2, 130), track(4, 300)],
    ];
    frames.forEach((tracks, k) => trails.commit(frame(k * 100, tracks)));
    // Track 2 counts from its confirmation, track 1 once although it was lost, then ended.
    expect(trails.counts(frames[3]!)).toEqual([
      { label: 'person', classId: 0, inView: 2, seen: 3 },
      { label: 'car', classId: 2, inView: 0, seen: 1 },
    ]);
    // A tentative track is in no count yet.
    expect(trails.counts([track(9, 0, 'tentative')]).find((row) => row.classId === 0)!.inView).toBe(0);
  });

  it('ignores frames without tracks (tracking off) instead of forgetting', () => {
    const trails = new TrackTrails();
    trails.commit(frame(0, [track(1, 0)]));
    trails.commit(frame(undefined, undefined));
    expect(trails.trail(1)).toHaveLength(1);
  });

  it('stays bounded over a long run: points of the last TRAIL_MS, trails of live tracks only', () => {
    const trails = new TrackTrails();
    // 10 minutes at 30 Hz, 20 tracks alive at a time, a new one every second.
    let longest = 0;
    for (let k = 0; k < 18_000; k++) {
      const t = (k * 1000) / 30;
      const first = Math.floor(t / 1000);
      const tracks = Array.from({ length: 20 }, (_, i) => track(first + i + 1, (k + i * 30) % 600));
      trails.commit(frame(t, tracks));
      for (const id of [first + 1, first + 20]) longest = Math.max(longest, trails.trail(id).length);
    }
    expect(trails.size).toBe(20);
    expect(longest).toBeLessThanOrEqual(Math.ceil((TRAIL_MS * 30) / 1000) + 1);
    expect(trails.counts([]).find((row) => row.classId === 0)!.seen).toBe(600 + 19);
  });
});

describe('trailSegments', () => {
  it('fades each segment with the age of its newer end and drops those older than TRAIL_MS', () => {
    const points = [
      { t: 0, x: 0, y: 0 },
      { t: 1000, x: 10, y: 0 },
      { t: 2500, x: 20, y: 5 },
      { t: 4000, x: 30, y: 5 },
    ];
    const segments = trailSegments(points, 4000);
    // The first segment ends at t = 1000, exactly TRAIL_MS ago: fully faded, left out.
    expect(segments).toHaveLength(2);
    expect(segments[0]).toEqual({ x1: 10, y1: 0, x2: 20, y2: 5, opacity: 0.5 });
    expect(segments[1]!.opacity).toBe(1);
    expect(trailSegments(points.slice(0, 1), 0)).toEqual([]);
  });
});

describe('the tracks layer', () => {
  it('colours a box by its track id and names the id; boxes without an id keep their class colour', () => {
    const person: Detection = { x: 0, y: 0, width: 10, height: 20, score: 0.9, classId: 0, label: 'person', cell: { level: 0, stride: 4, x: 0, y: 0, anchor: 0, priorX: 0, priorY: 0 } };
    const f = frame(0, [track(12, 0)]);
    expect(tracksLayer.decorateBox!({ ...person, trackId: 12 }, f)).toEqual({ color: trackColor(12), suffix: ' · #12' });
    expect(tracksLayer.decorateBox!(person, f)).toBeUndefined();
    expect(tracksLayer.showsBoxes!(f)).toBe(true);
    expect(tracksLayer.maps).toEqual([]);
  });

  it('gives neighbouring ids colours far apart on the hue circle', () => {
    const hue = (id: number) => Number(/hsl\(([\d.]+)/.exec(trackColor(id))![1]);
    for (let id = 1; id < 50; id++) {
      const d = Math.abs(hue(id) - hue(id + 1)) % 360;
      expect(Math.min(d, 360 - d)).toBeGreaterThan(100);
    }
  });

  it('has a memory per overlay (two overlays do not share trails)', () => {
    const a = tracksLayer.memory!();
    const b = tracksLayer.memory!();
    expect(a).not.toBe(b);
    a.commit(frame(0, [track(1, 0)]));
    expect((b as TrackTrails).size).toBe(0);
  });
});
