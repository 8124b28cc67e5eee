/**
 * The self-contained library (`dist/lib/loupe.js`): tfjs and Lit inside, for a plain
 * `<script type="module" src=".../loupe.js">`. Model files and WASM binaries default to `models/` and
 * `tfjs-wasm/` next to this file (the build copies them there), so the folder works wherever it is served;
 * `setModelBaseUrl()` / `setWasmBaseUrl()` or the elements' `model-base-url` / `wasm-paths` override it.
 */
import { setModelBaseUrl, setWasmBaseUrl } from './index.js';

// Not `new URL('…', import.meta.url)` with a literal: bundlers would try to resolve that as an asset.
const here = import.meta.url;
setModelBaseUrl(new URL('models/', here).href);
setWasmBaseUrl(new URL('tfjs-wasm/', here).href);

export * from './index.js';
