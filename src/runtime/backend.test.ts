// Backend start-up in Node (tfjs CPU and WASM backends are real here; WebGL/WebGPU are not available):
// where the WASM binaries are looked for, and what a backend that cannot start says.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { LoupeError } from '../errors.js';
import { selectBackend, setWasmBaseUrl, wasmFolder } from './backend.js';

describe('wasmFolder', () => {
  const page = 'https://example.org/app/page.html';

  it('resolves against the page and always ends in / (tfjs appends the file name as text)', () => {
    expect(wasmFolder(undefined, page)).toEqual({ folder: 'https://example.org/tfjs-wasm/' });
    expect(wasmFolder('./wasm', page)).toEqual({ folder: 'https://example.org/app/wasm/' });
    expect(wasmFolder('https://cdn.example/tfjs/', page)).toEqual({ folder: 'https://cdn.example/tfjs/' });
  });

  it('falls back to setWasmBaseUrl(), and names a value that is not a URL', () => {
    setWasmBaseUrl('/static/wasm');
    try {
      expect(wasmFolder(undefined, page)).toEqual({ folder: 'https://example.org/static/wasm/' });
      expect(wasmFolder('/own/', page)).toEqual({ folder: 'https://example.org/own/' });
    } finally {
      setWasmBaseUrl(undefined);
    }
    expect(wasmFolder('http://[::1', page)).toEqual({ reason: "wasm-paths 'http://[::1' is not a URL" });
  });
});

describe('selectBackend', () => {
  it('an explicit backend that cannot start is a backend-failed that says which and why, once', async () => {
    const error = await selectBackend('webgl').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoupeError);
    expect((error as LoupeError).type).toBe('backend-failed');
    expect((error as LoupeError).message).toBe('The webgl backend cannot start here: WebGL needs a browser (no canvas here).');
  });

  it('cpu starts, and is the backend tfjs runs on (not only the name it holds)', async () => {
    const report = await selectBackend('cpu');
    expect(report).toEqual({ backend: 'cpu', skipped: [], device: 'CPU (JavaScript)' });
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0])).toBe(3);
  });
});
