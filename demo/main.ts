/**
 * Demo page script: applies the query string, defines the elements, describes the selected model's
 * steps (flow.ts), and mirrors model loading in the page's progress bar. The first two imports are
 * for their side effects only (package.json `sideEffects` keeps demo/*.ts in the build).
 */
import './query.js'; // first: attributes must be on <loupe-live> before it upgrades
import '../components/index.js';
import './flow.js';
import { colormapStops } from '../models/index.js';

// The explainer's colour scale is the heatmap's own colour map.
document.documentElement.style.setProperty('--colormap', colormapStops());

const bar = document.querySelector<HTMLElement>('.page-progress');
if (bar) {
  const show = (fraction: number) => {
    bar.hidden = false;
    bar.style.setProperty('--fraction', String(fraction));
    bar.setAttribute('aria-valuenow', String(Math.round(fraction * 100)));
  };
  document.addEventListener('loupe-progress', (event) => show(event.detail.fraction));
  // The bar means "downloading"; once a backend reports in, the element's own card takes over.
  document.addEventListener('loupe-backend', () => {
    show(1);
    setTimeout(() => (bar.hidden = true), 400);
  });
  document.addEventListener('loupe-error', (event) => {
    if (event.detail.type !== 'camera-denied' && event.detail.type !== 'camera-unavailable') bar.hidden = true;
  });
}
