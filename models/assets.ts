/**
 * Files the dev server serves and the build copies, from npm packages in node_modules. Weights are never
 * committed; each entry says which package brings it. URLs are relative to the site root.
 */
export interface ServedAsset {
  /** URL path relative to the site root, e.g. `models/centernet.json`. */
  url: string;
  /** Path of the file relative to the project root. */
  file: string;
}

const human = 'node_modules/@vladmandic/human/models';
const wasm = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';

export const servedAssets: readonly ServedAsset[] = [
  { url: 'models/centernet.json', file: `${human}/centernet.json` },
  { url: 'models/centernet.bin', file: `${human}/centernet.bin` },
  { url: 'tfjs-wasm/tfjs-backend-wasm.wasm', file: `${wasm}/tfjs-backend-wasm.wasm` },
  { url: 'tfjs-wasm/tfjs-backend-wasm-simd.wasm', file: `${wasm}/tfjs-backend-wasm-simd.wasm` },
  { url: 'tfjs-wasm/tfjs-backend-wasm-threaded-simd.wasm', file: `${wasm}/tfjs-backend-wasm-threaded-simd.wasm` },
];
