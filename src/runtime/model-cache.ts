/**
 * One loaded model per model, shared by every detector that asks for it: several `<loupe-live>` on a
 * page fetch the weights once and hold one copy on the GPU. Entries are reference-counted: each
 * `acquire()` gets a handle, the model is disposed when the last handle is released. A load in flight
 * is shared too (a second element created while the first downloads waits for the same download and
 * sees its progress). A failed load is forgotten, so the next `acquire()` tries again. A user may give
 * up while it loads (its `signal`): it alone is rejected; when the last user of a load in flight gives up,
 * the load's own signal aborts (its downloads stop) and the entry is forgotten at once.
 *
 * Only the loaded graph is shared: each detector keeps its own per-frame options.
 */

/** A user's hold on a shared value. `release()` is idempotent. */
export interface SharedHandle<T> {
  readonly value: T;
  release(): void;
}

interface Entry<T> {
  promise: Promise<T>;
  users: number;
  /** Set once loaded (a release to zero then disposes it at once). */
  loaded: boolean;
  /** The loaded value, once `loaded`. */
  value?: T;
  /** Last progress fraction, replayed to a user who joins during the download. */
  fraction: number;
  listeners: Set<(fraction: number) => void>;
  /** Aborts the load itself, once every user has given up before it finished. */
  controller: AbortController;
}

/** What `entries()` reports per key, for tests and debugging. */
export interface SharedEntryInfo {
  key: string;
  users: number;
  loaded: boolean;
}

export class SharedCache<T> {
  private readonly table = new Map<string, Entry<T>>();

  constructor(private readonly disposeValue: (value: T) => void) {}

  /**
   * The value for `key`, loading it with `load` when nobody holds it. `onProgress` gets the download
   * fraction of the shared load (1 at once when it is already loaded).
   */
  async acquire(
    key: string,
    load: (onProgress: (fraction: number) => void, signal: AbortSignal) => Promise<T>,
    onProgress?: (fraction: number) => void,
    signal?: AbortSignal,
  ): Promise<SharedHandle<T>> {
    signal?.throwIfAborted();
    let entry = this.table.get(key);
    if (entry) {
      entry.users += 1;
      if (onProgress) {
        if (entry.loaded) onProgress(1);
        else {
          entry.listeners.add(onProgress);
          if (entry.fraction > 0) onProgress(entry.fraction);
        }
      }
    } else {
      const created: Entry<T> = {
        promise: Promise.resolve() as Promise<T>,
        users: 1,
        loaded: false,
        fraction: 0,
        listeners: new Set(onProgress ? [onProgress] : []),
        controller: new AbortController(),
      };
      const broadcast = (fraction: number): void => {
        created.fraction = fraction;
        for (const listener of created.listeners) listener(fraction);
      };
      created.promise = (async () => load(broadcast, created.controller.signal))();
      this.table.set(key, created);
      entry = created;
      created.promise.then(
        (value) => {
          created.value = value;
          created.loaded = true;
          created.listeners.clear();
          // Everybody left while it loaded: nobody will release it.
          if (created.users === 0) this.drop(key, created);
        },
        () => {
          if (this.table.get(key) === created) this.table.delete(key);
        },
      );
    }
    const held = entry;
    let value: T;
    let leave: (() => void) | undefined;
    try {
      value = await (signal
        ? Promise.race([
            held.promise,
            new Promise<never>((_, reject) => {
              leave = () => reject(signal.reason);
              signal.addEventListener('abort', leave, { once: true });
            }),
          ])
        : held.promise);
    } catch (error) {
      held.users -= 1;
      if (onProgress) held.listeners.delete(onProgress);
      if (signal?.aborted && !held.loaded && held.users === 0) {
        // The last user gave up: stop the downloads and forget the entry now (a later acquire loads afresh).
        held.controller.abort(signal.reason);
        // (Should the load still finish, nobody holds it: its own handler above releases what it made.)
        if (this.table.get(key) === held) this.table.delete(key);
      }
      throw error;
    } finally {
      if (leave) signal?.removeEventListener('abort', leave);
    }
    let released = false;
    return {
      value,
      release: () => {
        if (released) return;
        released = true;
        held.users -= 1;
        if (held.users === 0 && held.loaded) this.drop(key, held);
      },
    };
  }

  /** Keys, user counts and states of the live entries. */
  entries(): SharedEntryInfo[] {
    return [...this.table].map(([key, entry]) => ({ key, users: entry.users, loaded: entry.loaded }));
  }

  private drop(key: string, entry: Entry<T>): void {
    if (this.table.get(key) === entry) this.table.delete(key);
    // Loaded: free it now, so `detector.dispose()` has released the weights when it returns.
    if (entry.loaded) this.disposeValue(entry.value as T);
    else void entry.promise.then(this.disposeValue, () => undefined);
  }
}
