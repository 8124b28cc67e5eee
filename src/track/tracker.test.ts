import { describe, expect, it } from 'vitest';
import { Tracker, TrackOptionError } from './tracker.js';
import type { Track, TrackInput, TrackOptions } from './types.js';
import { mulberry32 } from '../../test/random.js';

/** A 40 × 100 px person-sized box with its top-left corner at (x, y). */
const box = (x: number, y: number, score = 0.9, classId = 0, width = 40, height = 100): TrackInput => ({ x, y, width, height, score, classId });

interface Frame {
  t: number;
  detections: TrackInput[];
}

/** Runs the frames; returns each frame's ids (trackIds of its detections) and the ids started / ended. */
function run(frames: Frame[], options: TrackOptions = {}, tracker = new Tracker(options)) {
  return frames.map(({ t, detections }) => {
    const update = tracker.update(detections, t);
    return {
      ids: detections.map((_, i) => update.trackIds[i]!),
      started: update.started.map((track) => track.id),
      ended: update.ended.map((track) => track.id),
      states: update.tracks.map((track) => `${track.id}:${track.state}`),
    };
  });
}

/** `count` frames every `stepMs`, starting at t = 0, each with the boxes `at(k)` of frame k. */
function sequence(count: number, stepMs: number, at: (k: number, t: number) => TrackInput[]): Frame[] {
  return Array.from({ length: count }, (_, k) => ({ t: k * stepMs, detections: at(k, k * stepMs) }));
}

describe('Tracker', () => {
  it('keeps one id on one moving object; its first frame (the tracker’s first) already carries it', () => {
    const frames = sequence(20, 100, (k) => [box(100 + 8 * k, 200)]);
    const out = run(frames);
    expect(out.map((f) => f.ids[0])).toEqual(new Array(20).fill(1));
    expect(out[0]!.started).toEqual([1]);
    expect(out.slice(1).every((f) => f.started.length === 0 && f.ended.length === 0)).toBe(true);
  });

  it('confirms a track that appears later only when it is seen again; a one-frame blip gets no id', () => {
    const frames: Frame[] = [
      { t: 0, detections: [box(100, 200)] },
      { t: 100, detections: [box(104, 200), box(500, 300)] }, // a second person appears
      { t: 200, detections: [box(108, 200), box(505, 300), box(300, 50)] }, // … seen again; a blip elsewhere
      { t: 300, detections: [box(112, 200), box(510, 300)] },
    ];
    const out = run(frames);
    expect(out[1]!.ids).toEqual([1, 0]); // tentative: no id on its first box
    expect(out[2]!.ids).toEqual([1, 2, 0]); // confirmed on the second; the blip is tentative
    expect(out[2]!.started).toEqual([2]);
    expect(out[3]!.ids).toEqual([1, 2]);
    // The blip (id 3) was tentative and unmatched: removed without an end event, never on a detection.
    expect(out[3]!.states).toEqual(['1:confirmed', '2:confirmed']);
    expect(out.flatMap((f) => f.ended)).toEqual([]);
  });

  it('keeps identities of two people crossing, through the frames where one hides the other', () => {
    // A walks right from x = 100, B walks left from x = 340, 12 px per 100 ms (a walker 100 px tall at
    // 10 fps), on nearly the same line. From frame 7 to 13 they overlap (IoU up to 0.95 at frame 10);
    // from frame 8 to 12 the hidden one (B) gives only a weak box (score 0.3), and at frame 10 none at
    // all. Constant-velocity prediction carries each past the other.
    const ax = (k: number) => 100 + 12 * k;
    const bx = (k: number) => 340 - 12 * k;
    const frames = sequence(21, 100, (k) => {
      if (k === 10) return [box(ax(k), 200)];
      if (k >= 8 && k <= 12) return [box(ax(k), 200, 0.9), box(bx(k), 202, 0.3)];
      return [box(ax(k), 200), box(bx(k), 202)];
    });
    const out = run(frames);
    // A is always the first box (id 1). B (id 2) continues on its weak boxes at frames 8 and 9; at frame 10
    // it is lost (predicted); a lost track comes back only on a confident box (weak ones are too ambiguous
    // to revive it), so frames 11 and 12 leave B's weak boxes without an id, and frame 13 finds B again.
    const expected = frames.map((_, k) => (k === 10 ? [1] : k === 11 || k === 12 ? [1, 0] : [1, 2]));
    expect(out.map((f) => f.ids)).toEqual(expected);
    expect(out[10]!.states).toEqual(['1:confirmed', '2:lost']);
  });

  it('does not let a greedy IoU match swap ids when the boxes are closer to each other’s predictions', () => {
    // Two people walking side by side the same way; their boxes touch. Every frame, detections come in the
    // reverse order to make sure the matching looks at boxes, not at list positions.
    const frames = sequence(12, 100, (k) => [box(140 + 10 * k, 200, 0.8), box(100 + 10 * k, 200, 0.9)].reverse());
    const out = run(frames);
    expect(out.every((f) => f.ids[0] === out[0]!.ids[0] && f.ids[1] === out[0]!.ids[1])).toBe(true);
    expect(new Set(out.flatMap((f) => f.ids)).size).toBe(2);
  });

  it('finds a person again after an occlusion shorter than the track buffer, at the predicted place', () => {
    // Walks right 10 px per 100 ms; hidden from t = 1000 to t = 1700 (7 frames), then reappears where
    // constant velocity puts it (80 px from the last box seen, which it no longer overlaps: 40 px wide).
    const frames = sequence(30, 100, (k, t) => (t >= 1000 && t < 1700 ? [] : [box(100 + 10 * k, 200)]));
    const out = run(frames, { trackBufferMs: 1000 });
    const ids = out.filter((f) => f.ids.length > 0).map((f) => f.ids[0]);
    expect(new Set(ids)).toEqual(new Set([1]));
    expect(out[12]!.states).toEqual(['1:lost']);
    expect(out[17]!.states).toEqual(['1:confirmed']);
  });

  it('ends a track lost for longer than the buffer, at the same time whatever the frame rate', () => {
    // Seen for 1 s, then gone. Track buffer 800 ms: removed at the first update more than 800 ms after the
    // last detection (t = 900 + 800 = 1700 → the first update after 1700 ms).
    const endTimes = [5, 30, 60].map((hz) => {
      const step = 1000 / hz;
      const frames = sequence(Math.round(3 * hz), step, (k, t) => (t < 1000 - 1e-9 ? [box(100 + k * (100 / hz), 200)] : []));
      const tracker = new Tracker({ trackBufferMs: 800 });
      let lastSeen = 0;
      for (const frame of frames) {
        const update = tracker.update(frame.detections, frame.t);
        if (frame.detections.length > 0) lastSeen = frame.t;
        if (update.ended.length > 0) return { t: frame.t, lastSeen, step };
      }
      return undefined;
    });
    for (const end of endTimes) {
      expect(end).toBeDefined();
      expect(end!.t - end!.lastSeen).toBeGreaterThan(800);
      expect(end!.t - end!.lastSeen).toBeLessThanOrEqual(800 + end!.step + 1e-6);
    }
  });

  it('keeps a track through weak boxes (second stage), which never start a track of their own', () => {
    // Frames 5–9: the person is half hidden, score 0.3 (under highScore 0.5, above lowScore 0.1).
    const frames = sequence(15, 100, (k) => [box(100 + 10 * k, 200, k >= 5 && k < 10 ? 0.3 : 0.9), box(600, 400 + 5 * k, 0.3)]);
    const out = run(frames);
    expect(out.map((f) => f.ids[0])).toEqual(new Array(15).fill(1));
    // The lone weak box on the right is never tracked.
    expect(out.map((f) => f.ids[1])).toEqual(new Array(15).fill(0));
    // Without the second stage (lowScore = highScore) the track is lost while the box is weak.
    const single = run(frames, { lowScore: 0.5 });
    expect(single[6]!.ids[0]).toBe(0);
    expect(single[6]!.states).toEqual(['1:lost']);
  });

  it('matches only boxes of the track’s class (class-aware), unless told otherwise', () => {
    const frames: Frame[] = [
      { t: 0, detections: [box(100, 200, 0.9, 0)] },
      { t: 100, detections: [box(102, 200, 0.9, 2)] }, // same place, another class
      { t: 200, detections: [box(104, 200, 0.9, 2)] },
    ];
    const aware = run(frames);
    expect(aware[1]!.ids).toEqual([0]);
    expect(aware[2]!.ids).toEqual([2]); // a new track of class 2, confirmed on its second box
    const blind = run(frames, { classAware: false });
    expect(blind.map((f) => f.ids[0])).toEqual([1, 1, 1]);
  });

  it('is deterministic: the same detections and times give the same ids and boxes', () => {
    const next = mulberry32(11);
    const people = Array.from({ length: 30 }, () => ({ x: next() * 700, y: next() * 400, vx: (next() - 0.5) * 200, vy: (next() - 0.5) * 100 }));
    const frames = sequence(200, 1000 / 15, (k, t) =>
      people.filter(() => next() > 0.1).map((p) => box(p.x + (p.vx * t) / 1000 + (next() - 0.5) * 4, p.y + (p.vy * t) / 1000 + (next() - 0.5) * 4, 0.2 + 0.8 * next())),
    );
    const trace = () => {
      const tracker = new Tracker();
      return frames.map((f) => {
        const update = tracker.update(f.detections, f.t);
        return [f.detections.map((_, i) => update.trackIds[i]), update.tracks.map((tr) => [tr.id, tr.state, tr.box.x, tr.box.y, tr.box.width, tr.box.height])];
      });
    };
    expect(JSON.stringify(trace())).toBe(JSON.stringify(trace()));
  });

  it('starts over when time goes back (a seek or a looping video): every track ends, ids keep counting', () => {
    const tracker = new Tracker();
    run(sequence(5, 100, (k) => [box(100 + 5 * k, 200)]), {}, tracker);
    const update = tracker.update([box(400, 100)], 0);
    expect(update.ended.map((t) => t.id)).toEqual([1]);
    expect(update.tracks.map((t) => `${t.id}:${t.state}`)).toEqual(['2:confirmed']);
  });

  it('reuses its records and buffers: a long run with churning tracks allocates no more of them', () => {
    const tracker = new Tracker({ trackBufferMs: 300 });
    const seen = new Set<Track>();
    let firstBuffer: Int32Array | undefined;
    let firstList: readonly Track[] | undefined;
    // 20 people at a time, each replaced by a new one every 3 s (staggered): 3,000 frames = 100 s at 30 Hz,
    // about 670 distinct ids.
    let maxId = 0;
    for (let k = 0; k < 3000; k++) {
      const t = (k * 1000) / 30;
      const detections = Array.from({ length: 20 }, (_, p) => {
        const generation = Math.floor((t + p * 150) / 3000);
        return box(40 * p + ((t + p * 150) % 3000) / 100, 100 + (generation % 5) * 60);
      });
      const update = tracker.update(detections, t);
      for (const track of update.tracks) {
        seen.add(track);
        maxId = Math.max(maxId, track.id);
      }
      if (k === 100) {
        firstBuffer = update.trackIds;
        firstList = update.tracks;
      }
      if (k > 100) {
        expect(update.trackIds).toBe(firstBuffer);
        expect(update.tracks).toBe(firstList);
      }
    }
    expect(maxId).toBeGreaterThan(600);
    // Track records come from a pool: at most the live tracks plus those waiting to be reused.
    expect(seen.size).toBeLessThan(60);
  });

  it('rejects bad options with a message naming them', () => {
    expect(() => new Tracker({ highScore: 1.5 })).toThrow(TrackOptionError);
    expect(() => new Tracker({ lowScore: 0.6, highScore: 0.5 })).toThrow(/lowScore/);
    expect(() => new Tracker({ trackBufferMs: -1 })).toThrow(/trackBufferMs/);
    expect(() => new Tracker({ confirmFrames: 1.5 })).toThrow(/confirmFrames/);
    expect(() => new Tracker({ motion: { measurement: 0 } })).toThrow(/measurement/);
    expect(() => new Tracker().update([], Number.NaN)).toThrow(/timestamp/);
  });
});

