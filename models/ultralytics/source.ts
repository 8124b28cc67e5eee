/**
 * Models given by URL rather than registry id: `{ url, format: 'ultralytics' }` in the engine, the string
 * `ultralytics:<url>` in the `model` attribute (and also accepted by `createDetector`).
 */
import { LoupeError } from '../../src/errors.js';
import type { ModelDescriptor } from '../../src/model-descriptor.js';
import type { ModelSource } from '../../src/types.js';
import { ULTRALYTICS_PREFIX, ultralyticsDescriptor } from './descriptor.js';

/** `ultralytics:<url>` → `{ url, format: 'ultralytics' }`; anything else (a registry id) → null. */
export function modelSourceOf(value: string): ModelSource | null {
  if (!value.startsWith(ULTRALYTICS_PREFIX)) return null;
  return { url: value.slice(ULTRALYTICS_PREFIX.length).trim(), format: 'ultralytics' };
}

/**
 * The descriptor for a model source and the absolute URL of its `model.json` (relative URLs resolve
 * against the page). `id`: what the detector reports as its model (default `ultralytics:<url>`).
 * Throws `LoupeError('bad-option')` for an unknown format or a URL that cannot be resolved.
 */
export function urlModelDescriptor(source: ModelSource, id?: string): { descriptor: ModelDescriptor; url: string } {
  if ((source as { format?: unknown }).format !== 'ultralytics') {
    throw new LoupeError('bad-option', `Unknown model format '${String((source as { format?: unknown }).format)}'; the one format loaded from a URL is 'ultralytics'.`);
  }
  if (typeof source.url !== 'string' || source.url === '') {
    throw new LoupeError('bad-option', "An Ultralytics model needs the URL of its model.json, e.g. 'ultralytics:/models/yolo11n_web_model/model.json'.");
  }
  let url: string;
  try {
    url = new URL(source.url, typeof document !== 'undefined' ? document.baseURI : undefined).href;
  } catch {
    throw new LoupeError('bad-option', `Cannot resolve the model URL '${source.url}' (outside a browser it must be absolute).`);
  }
  return { descriptor: ultralyticsDescriptor(url, id ?? `${ULTRALYTICS_PREFIX}${source.url}`), url };
}
