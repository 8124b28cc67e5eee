/** The engine page's live example: createDetector() once, detect() on the clip's current frame. */
import { createDetector, type Detector } from '../lib/index.js';
import './docs.js';

const video = document.querySelector<HTMLVideoElement>('#clip')!;
const button = document.querySelector<HTMLButtonElement>('#run')!;
const status = document.querySelector<HTMLElement>('#status')!;
const body = document.querySelector<HTMLTableSectionElement>('#results tbody')!;

let detector: Promise<Detector> | null = null;

async function run(): Promise<void> {
  button.disabled = true;
  try {
    status.textContent = 'Loading the model…';
    detector ??= createDetector({ model: 'centernet', backend: 'auto', scoreThreshold: 0.3 });
    const loaded = await detector;
    if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) await new Promise((r) => video.addEventListener('loadeddata', r, { once: true }));
    const result = await loaded.detect(video);
    status.textContent = `${result.detections.length} detections on ${result.backend} in ${result.timings.total.toFixed(0)} ms`;
    body.replaceChildren(
      ...result.detections.map((d) => {
        const row = document.createElement('tr');
        for (const text of [d.label, d.score.toFixed(2), [d.x, d.y, d.width, d.height].map((v) => v.toFixed(0)).join(', ')]) {
          const cell = document.createElement('td');
          cell.textContent = text;
          row.append(cell);
        }
        return row;
      }),
    );
    document.body.dataset.detections = String(result.detections.length);
  } catch (error) {
    status.textContent = `Failed: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    button.disabled = false;
  }
}

button.addEventListener('click', () => void run());
// Run once by itself, so the page shows a result without a click.
void run();
