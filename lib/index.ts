/**
 * The library's entry (`import … from 'loupe-vision'`): registers `<loupe-camera>`, `<loupe-detector>`,
 * `<loupe-overlay>`, `<loupe-live>` and `<loupe-explain>`, and exports the engine API (`createDetector`, …) and the element
 * classes. Built as `dist/lib/loupe.slim.js`, which imports tfjs and Lit by their package names (for
 * bundlers); `lib/bundle.ts` is the self-contained variant.
 *
 * Asset defaults here: model files from `/models/` and WASM binaries from `/tfjs-wasm/` on the page's
 * origin; change them with `setModelBaseUrl()` / `setWasmBaseUrl()` or per element.
 */
export * from '../models/index.js';
export * from '../components/index.js';
