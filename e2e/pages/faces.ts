/**
 * Script of e2e/pages/faces.html: runs the engine API with the `yolo-face` model on an image (one of
 * face-api's demo photos, served by the dev server from node_modules) and returns plain data.
 */
import { createDetector, type BackendPreference, type BackendReport, type Detection, type LetterboxTransform } from '../../models/index.js';

export interface FacesRun {
  backend: BackendReport;
  detections: Detection[];
  letterbox: LetterboxTransform;
  /** Shapes of the maps handed over with `maps: true`. */
  maps: { heatmap: number[]; objectness: number[]; regression: number[] };
  width: number;
  height: number;
  /** Milliseconds of each `detect()` (the first includes shader/kernel warm-up). */
  times: number[];
}

async function loadImage(url: string): Promise<HTMLImageElement> {
  const image = new Image();
  image.src = url;
  await image.decode();
  return image;
}

async function run(options: { backend: BackendPreference; url: string; inputSize?: number; frames?: number }): Promise<FacesRun> {
  const image = await loadImage(options.url);
  const detector = await createDetector({ model: 'yolo-face', backend: options.backend, inputSize: options.inputSize });
  try {
    const times: number[] = [];
    let last;
    for (let i = 0; i < (options.frames ?? 1); i++) {
      last?.dispose();
      last = await detector.detect(image, { maps: true });
      times.push(last.timings.total);
    }
    const result = last!;
    const level = result.maps?.levels?.[0];
    const maps = {
      heatmap: result.maps?.heatmap?.tensor.shape ?? [],
      objectness: level?.objectness?.tensor.shape ?? [],
      regression: level?.regression?.tensor.shape ?? [],
    };
    result.dispose();
    return { backend: detector.backend, detections: result.detections, letterbox: result.letterbox, maps, width: image.naturalWidth, height: image.naturalHeight, times };
  } finally {
    detector.dispose();
  }
}

(window as unknown as { loupeFaces: { run: typeof run } }).loupeFaces = { run };
document.body.dataset.ready = 'true';
