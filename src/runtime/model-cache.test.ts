import { describe, expect, it } from 'vitest';
import { SharedCache } from './model-cache.js';

interface Fake {
  id: number;
  disposed: boolean;
}

function fakeLoader() {
  let loads = 0;
  const load = async (onProgress: (fraction: number) => void): Promise<Fake> => {
    loads += 1;
    const id = loads;
    onProgress(0.5);
    await new Promise((resolve) => setTimeout(resolve, 5));
    onProgress(1);
    return { id, disposed: false };
  };
  return { load, loads: () => loads };
}

describe('SharedCache', () => {
  it('loads once for concurrent users, replays progress, disposes when the last user releases', async () => {
    const cache = new SharedCache<Fake>((value) => (value.disposed = true));
    const { load, loads } = fakeLoader();
    const seenA: number[] = [];
    const seenB: number[] = [];
    const [a, b] = await Promise.all([cache.acquire('m', load, (f) => seenA.push(f)), cache.acquire('m', load, (f) => seenB.push(f))]);
    expect(loads()).toBe(1);
    expect(a.value).toBe(b.value);
    expect(seenA).toEqual([0.5, 1]);
    expect(seenB).toEqual([0.5, 1]);
    expect(cache.entries()).toEqual([{ key: 'm', users: 2, loaded: true }]);

    const seenC: number[] = [];
    const c = await cache.acquire('m', load, (f) => seenC.push(f));
    expect(seenC).toEqual([1]);
    a.release();
    a.release(); // idempotent
    c.release();
    expect(a.value.disposed).toBe(false);
    b.release();
    await Promise.resolve();
    expect(a.value.disposed).toBe(true);
    expect(cache.entries()).toEqual([]);

    // Nobody holds it any more: the next user loads again.
    const d = await cache.acquire('m', load);
    expect(loads()).toBe(2);
    expect(d.value.id).toBe(2);
    d.release();
  });

  it('keeps different keys apart and forgets a failed load', async () => {
    const cache = new SharedCache<Fake>((value) => (value.disposed = true));
    const { load, loads } = fakeLoader();
    const x = await cache.acquire('x', load);
    const y = await cache.acquire('y', load);
    expect(x.value).not.toBe(y.value);
    expect(loads()).toBe(2);

    let attempts = 0;
    const failing = async (): Promise<Fake> => {
      attempts += 1;
      throw new Error('404');
    };
    await expect(Promise.all([cache.acquire('z', failing), cache.acquire('z', failing)])).rejects.toThrow('404');
    expect(attempts).toBe(1);
    expect(cache.entries().map((e) => e.key)).toEqual(['x', 'y']);
    await expect(cache.acquire('z', failing)).rejects.toThrow('404');
    expect(attempts).toBe(2);
    x.release();
    y.release();
  });
  it('a user who gives up alone is rejected; the last one to give up aborts the load and forgets the entry', async () => {
    const cache = new SharedCache<Fake>((value) => (value.disposed = true));
    let loadSignal: AbortSignal | undefined;
    let finish: ((value: Fake) => void) | undefined;
    const slow = (_: (f: number) => void, signal: AbortSignal): Promise<Fake> => {
      loadSignal = signal;
      return new Promise<Fake>((resolve, reject) => {
        finish = resolve;
        signal.addEventListener('abort', () => reject(signal.reason));
      });
    };
    const first = new AbortController();
    const second = new AbortController();
    const a = cache.acquire('m', slow, undefined, first.signal).catch((e: unknown) => e);
    const b = cache.acquire('m', slow, undefined, second.signal).catch((e: unknown) => e);
    first.abort(new Error('a left'));
    expect(await a).toEqual(new Error('a left'));
    expect(loadSignal?.aborted).toBe(false);
    expect(cache.entries()).toEqual([{ key: 'm', users: 1, loaded: false }]);
    second.abort(new Error('b left'));
    expect(await b).toEqual(new Error('b left'));
    expect(loadSignal?.aborted, 'the shared load is aborted once nobody waits for it').toBe(true);
    expect(cache.entries()).toEqual([]);
    // An already aborted signal is refused before anything loads.
    await expect(cache.acquire('m', slow, undefined, first.signal)).rejects.toThrow('a left');
    expect(cache.entries()).toEqual([]);
    expect(finish).toBeDefined();
  });

  it('a load that finishes after its last user gave up is released, not kept', async () => {
    const cache = new SharedCache<Fake>((value) => (value.disposed = true));
    const value: Fake = { id: 1, disposed: false };
    let finish: ((v: Fake) => void) | undefined;
    const stubborn = (): Promise<Fake> => new Promise<Fake>((resolve) => (finish = resolve)); // ignores its signal
    const user = new AbortController();
    const waiting = cache.acquire('m', stubborn, undefined, user.signal).catch((e: unknown) => e);
    user.abort(new Error('gone'));
    await waiting;
    finish!(value);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(value.disposed).toBe(true);
    expect(cache.entries()).toEqual([]);
  });
});
