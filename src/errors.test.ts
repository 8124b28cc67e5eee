// docs/errors.md documents every error type of src/errors.ts, and nothing else; the weights-size check.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestBytes } from './runtime/load-graph.js';

const root = resolve(import.meta.dirname, '..');

describe('error types', () => {
  it('docs/errors.md has one table row per LoupeErrorType, in the same order', () => {
    const source = readFileSync(resolve(root, 'src/errors.ts'), 'utf8');
    const start = source.indexOf('export type LoupeErrorType');
    const union = source.slice(start, source.indexOf('export class', start)).replace(/\/\*[\s\S]*?\*\//g, '');
    const types = [...union.matchAll(/\|\s*'([a-z-]+)'/g)].map((m) => m[1]);
    const docs = readFileSync(resolve(root, 'docs/errors.md'), 'utf8');
    const rows = [...docs.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
    expect(types.length).toBeGreaterThan(5);
    expect(rows).toEqual(types);
  });
});

describe('manifestBytes', () => {
  it('counts stored bytes: dtype, or the quantized type', () => {
    expect(
      manifestBytes([
        { name: 'a', shape: [2, 3], dtype: 'float32' },
        { name: 'b', shape: [4], dtype: 'int32' },
        { name: 'c', shape: [10], dtype: 'float32', quantization: { dtype: 'float16' } },
        { name: 'd', shape: [], dtype: 'float32', quantization: { dtype: 'uint8', min: 0, scale: 1 } },
      ]),
    ).toBe(24 + 16 + 20 + 1);
  });

  it('gives up on strings (their length is in the data)', () => {
    expect(manifestBytes([{ name: 's', shape: [1], dtype: 'string' }])).toBeUndefined();
  });
});
