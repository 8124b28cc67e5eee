/**
 * Test support for running the engine in Node on the tfjs CPU backend: real model files from
 * node_modules through a `file://` fetch, and real JPEG frames decoded in pure JS.
 */
import * as tf from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { servedAssets } from '../models/assets.js';

const projectRoot = fileURLToPath(new URL('../', import.meta.url));
const SERVED_ROOT = `${projectRoot}__served__/`;

/**
 * Folder URL of the model files as the dev server serves them (`/models/…`), for Node: `fileFetch` maps
 * these URLs through `models/assets.ts` to the files in node_modules.
 */
export const NODE_MODEL_BASE_URL = pathToFileURL(`${SERVED_ROOT}models/`).href;

/** Disk path of a `file://` URL; URLs under the served root go through the asset table. */
function diskPath(url: string): string {
  const path = fileURLToPath(url);
  if (!path.startsWith(SERVED_ROOT)) return path;
  const served = path.slice(SERVED_ROOT.length);
  const asset = servedAssets.find((entry) => entry.url === served);
  return asset ? `${projectRoot}${asset.file}` : path;
}

/** A `fetch` that reads `file://` URLs from disk, for tfjs's http loader. */
export const fileFetch: typeof fetch = async (input) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  try {
    const bytes = await readFile(diskPath(url));
    return new Response(bytes, { status: 200 });
  } catch {
    return new Response(null, { status: 404, statusText: `Not found: ${url}` });
  }
};

/** Decodes a JPEG from the repo (path relative to the project root) into an RGB [H, W, 3] int32 tensor. */
export async function readJpegTensor(relativePath: string): Promise<tf.Tensor3D> {
  const decoded = jpeg.decode(await readFile(`${projectRoot}${relativePath}`), { useTArray: true, formatAsRGBA: true });
  return tf.tidy(() => {
    const rgba = tf.tensor3d(decoded.data, [decoded.height, decoded.width, 4], 'int32');
    return tf.slice(rgba, [0, 0, 0], [-1, -1, 3]);
  });
}
