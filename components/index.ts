/**
 * Loupe's elements: importing this module defines `<loupe-camera>`, `<loupe-detector>`,
 * `<loupe-overlay>`, `<loupe-live>` and `<loupe-explain>`, and exports their classes and event types.
 */
import { LoupeCamera } from './loupe-camera.js';
import { LoupeDetector } from './loupe-detector.js';
import { LoupeExplain } from './loupe-explain.js';
import { LoupeLive } from './loupe-live.js';
import { LoupeOverlay } from './loupe-overlay.js';

export { LoupeCamera, type FacingMode } from './loupe-camera.js';
export { LoupeDetector, type DetectorSource, type DetectorStatus } from './loupe-detector.js';
export { LoupeOverlay, OVERLAY_LAYERS, type OverlayLayer, type OverlayPrediction } from './loupe-overlay.js';
export { LoupeLive } from './loupe-live.js';
export { LoupeExplain } from './loupe-explain.js';
export { emit } from './events.js';
export type * from './events.js';

const elements: Record<string, CustomElementConstructor> = {
  'loupe-camera': LoupeCamera,
  'loupe-detector': LoupeDetector,
  'loupe-overlay': LoupeOverlay,
  'loupe-live': LoupeLive,
  'loupe-explain': LoupeExplain,
};

for (const [tag, element] of Object.entries(elements)) {
  // A second copy of the library (or a hot reload) must not throw on an already-defined tag.
  if (!customElements.get(tag)) customElements.define(tag, element);
}
