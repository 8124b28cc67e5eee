// `createDetector({ worker })` in Node, where there is no Worker: the engine runs where it is called,
// unchanged, and says why; `worker: true` refuses; anything else is a bad option.
import { describe, expect, it } from 'vitest';
import { createDetector, LoupeError } from '../../models/index.js';
import { NODE_MODEL_BASE_URL, fileFetch } from '../node.js';

const base = { model: 'centernet', backend: 'cpu', modelBaseUrl: NODE_MODEL_BASE_URL, fetch: fileFetch } as const;

describe('worker mode in Node', () => {
  it("'auto' runs on the main thread and says why; the default says worker: false", async () => {
    const auto = await createDetector({ ...base, worker: 'auto' });
    const plain = await createDetector(base);
    try {
      expect(auto.backend).toMatchObject({ backend: 'cpu', thread: 'main', reason: 'there is no Worker here (not a page)' });
      expect(plain.backend).toMatchObject({ thread: 'main', reason: 'worker: false' });
    } finally {
      auto.dispose();
      plain.dispose();
    }
  });

  it('true is refused with backend-failed, and a value that is no mode with bad-option', async () => {
    await expect(createDetector({ ...base, worker: true })).rejects.toMatchObject({ type: 'backend-failed', message: expect.stringContaining('no Worker') });
    const bad = createDetector({ ...base, worker: 'yes' as unknown as boolean });
    await expect(bad).rejects.toBeInstanceOf(LoupeError);
    await expect(bad).rejects.toMatchObject({ type: 'bad-option' });
  });
});
