import { describe, expect, it } from 'vitest';
import type { Detection, TrackSummary } from '../../models/index.js';
import type { OverlayFrame } from '../layers/layer.js';
import { DisplayClock } from './display-clock.js';

/** A video element as far as the clock reads it: its media time and its frame callbacks. */
function fakeVideo(currentTime: number) {
  const callbacks = new Map<number, () => void>();
  let next = 1;
  const video = {
    currentTime,
    requestVideoFrameCallback(callback: () => void) {
      callbacks.set(next, callback);
      return next++;
    },
    cancelVideoFrameCallback(handle: number) {
      callbacks.delete(handle);
    },
    /** The browser presents a frame at `time` seconds. */
    present(time: number) {
      video.currentTime = time;
      const pending = [...callbacks.values()];
      callbacks.clear();
      for (const callback of pending) callback();
    },
    get pending() {
      return callbacks.size;
    },
  };
  return video;
}

const box = { x: 100, y: 50, width: 20, height: 40 };
const detection = { ...box, classId: 0, label: 'person', score: 0.9, trackId: 7 } as Detection;
const track = { id: 7, classId: 0, label: 'person', state: 'confirmed', box, velocity: { x: 30, y: -10 }, age: 500, hits: 5, lastSeen: 1000, score: 0.9 } as TrackSummary;
// A 640×480 picture; the frame was analysed at media time 1,000 ms.
const frame = {
  detections: [detection, { ...detection, trackId: undefined, x: 300 }],
  tracks: [track],
  trackTime: 1000,
  letterbox: { sourceWidth: 640, sourceHeight: 480 },
  levels: [],
  model: 'centernet',
} as unknown as OverlayFrame;

describe('DisplayClock', () => {
  it("moves a frame's tracked boxes to the followed video's presented frame, and says by how much", () => {
    const frames: number[] = [];
    const video = fakeVideo(1.2);
    const clock = new DisplayClock(() => frames.push(video.currentTime));
    // Not following a video: the frame as detected.
    expect(clock.shown(frame)).toBe(frame);
    expect(clock.prediction).toBeNull();
    clock.follow(video as unknown as HTMLVideoElement);
    video.present(1.5);
    expect(frames).toEqual([1.5]);
    expect(video.pending, 'asks for the next frame').toBe(1);
    const shown = clock.shown(frame)!;
    expect(clock.prediction).toEqual({ trackTime: 1000, displayTime: 1500, aheadMs: 500 });
    // 0.5 s at (30, −10) px/s; the untracked box stays.
    expect(shown.detections[0]).toMatchObject({ x: 115, y: 45, width: 20, height: 40 });
    expect(shown.detections[1]!.x).toBe(300);
    expect(shown.tracks![0]!.box).toMatchObject({ x: 115, y: 45 });
    // At most 1 s ahead.
    video.present(4);
    expect(clock.shown(frame)!.detections[0]!.x).toBe(130);
    expect(clock.prediction!.aheadMs).toBe(1000);
    // A frame without tracks is drawn as detected.
    const untracked = { ...frame, tracks: undefined };
    expect(clock.shown(untracked)).toBe(untracked);
    expect(clock.prediction).toBeNull();
    // Stopped: no more callbacks, no prediction.
    clock.follow(null);
    expect(video.pending).toBe(0);
    expect(clock.shown(frame)).toBe(frame);
    expect(clock.prediction).toBeNull();
  });
});
