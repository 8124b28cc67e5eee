import { describe, expect, it } from 'vitest';
import { FrameLoop, HAVE_CURRENT_DATA, type VideoLike } from './frame-loop.js';

/** A video whose frames the test presents one by one (`present()` = the browser's frame callback). */
class FakeVideo implements VideoLike {
  readyState = HAVE_CURRENT_DATA;
  currentTime = 0;
  paused = false;
  ended = false;
  private callbacks = new Map<number, () => void>();
  private next = 1;
  requestVideoFrameCallback(callback: () => void): number {
    this.callbacks.set(this.next, callback);
    return this.next++;
  }
  cancelVideoFrameCallback(handle: number): void {
    this.callbacks.delete(handle);
  }
  get pending(): number {
    return this.callbacks.size;
  }
  present(time: number): void {
    this.currentTime = time;
    const due = [...this.callbacks.values()];
    this.callbacks.clear();
    for (const callback of due) callback();
  }
}

interface Still {
  name: string;
}

type Source = FakeVideo | Still;

/** A host whose runs end when the test says so. */
function harness() {
  const runs: Source[] = [];
  const finishers: Array<() => void> = [];
  const loop = new FrameLoop<Source>({
    isVideo: (source): source is FakeVideo => source instanceof FakeVideo,
    runOnce: (source) => {
      runs.push(source);
      return new Promise<void>((resolve) => finishers.push(resolve));
    },
    requestAnimationFrame: () => () => {},
  });
  const finish = async (): Promise<void> => {
    finishers.shift()?.();
    // Let the loop's continuation after the run settle.
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { loop, runs, finish };
}

describe('FrameLoop', () => {
  it('runs the frame a video shows at start, then one run per new frame, dropping frames that arrive while busy', async () => {
    const { loop, runs, finish } = harness();
    const video = new FakeVideo();
    loop.start(video);
    expect(runs).toHaveLength(1); // the frame shown now
    expect(loop.busy).toBe(true);
    video.present(0.04); // arrives while busy: dropped, not queued
    video.present(0.08);
    expect(runs).toHaveLength(1);
    await finish();
    expect(loop.busy).toBe(false);
    video.present(0.12); // the next frame after the run: runs
    expect(runs).toHaveLength(2);
    await finish();
    video.present(0.12); // the same frame again (rAF ticking faster than the video): no run
    expect(runs).toHaveLength(2);
    video.present(0.16);
    expect(runs).toHaveLength(3);
    await finish();
  });

  it('skips frames while the video has no current data', async () => {
    const { loop, runs, finish } = harness();
    const video = new FakeVideo();
    video.readyState = 1;
    loop.start(video);
    video.present(0.04);
    expect(runs).toHaveLength(0);
    video.readyState = HAVE_CURRENT_DATA;
    video.present(0.08);
    expect(runs).toHaveLength(1);
    await finish();
  });

  it('stop() cancels the scheduled frame callback and ends the old loop', async () => {
    const { loop, runs, finish } = harness();
    const video = new FakeVideo();
    loop.start(video);
    await finish();
    expect(video.pending).toBe(1);
    loop.stop();
    expect(video.pending).toBe(0);
    video.present(1);
    expect(runs).toHaveLength(1);
  });

  it('runs a still picture once, and once more when it changed during a run (never two at once)', async () => {
    const { loop, runs, finish } = harness();
    const still = { name: 'a' };
    loop.start(still);
    loop.request(still);
    loop.request(still); // several changes during one run: one rerun
    expect(runs).toHaveLength(1);
    await finish();
    expect(runs).toHaveLength(2);
    await finish();
    expect(runs).toHaveLength(2);
    expect(loop.busy).toBe(false);
  });

  it('invalidate() forgets a run that may never settle and its rerun; the next request runs at once', async () => {
    const { loop, runs } = harness();
    const still = { name: 'a' };
    loop.request(still);
    loop.request(still);
    loop.invalidate();
    expect(loop.busy).toBe(false);
    await expect(loop.inflight).resolves.toBeUndefined();
    loop.request({ name: 'b' });
    expect(runs.map((run) => (run as Still).name)).toEqual(['a', 'b']);
  });

  it('inflight resolves after the run, also when the run rejects', async () => {
    const loop = new FrameLoop<Still>({
      isVideo: (_source): _source is Still & VideoLike => false,
      runOnce: () => Promise.reject(new Error('detect failed')),
      requestAnimationFrame: () => () => {},
    });
    loop.request({ name: 'a' });
    await expect(loop.inflight).resolves.toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(loop.busy).toBe(false);
  });
});
