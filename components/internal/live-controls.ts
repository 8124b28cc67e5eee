/**
 * The control bar of `<loupe-live>`: model, backend, threshold, overlay layers, small-object mode,
 * heatmap class and level. A template function over the values it shows; every change goes back
 * through `set()`, which assigns the element's properties (and so its attributes and children).
 */
import { html, nothing, type TemplateResult } from 'lit';
import { BACKEND_PREFERENCES, getModelIds, getModelInfo, type BackendPreference, type OutputLevel } from '../../models/index.js';
import { LAYER_TABLE, OVERLAY_LAYERS, type OverlayLayer } from '../layers/index.js';
import { smallObjectsOn } from './small-objects-attributes.js';

export const BACKEND_NAMES: Record<BackendPreference, string> = {
  auto: 'Auto',
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WASM',
  cpu: 'CPU',
};

/** What the controls show, and the way back. */
export interface LiveControls {
  model: string;
  backend: BackendPreference;
  /** The threshold in effect (undefined until a model is loaded when the attribute was removed). */
  scoreThreshold: number | undefined;
  layers: string;
  /** Tracking on (`track`). */
  track: boolean;
  smallObjects: string | null | undefined;
  scales: string | undefined;
  heatmapClass: string | undefined;
  level: string;
  labels: readonly string[];
  levels: readonly OutputLevel[];
  set(patch: Partial<Pick<LiveControls, 'model' | 'backend' | 'layers' | 'track' | 'heatmapClass' | 'level'>> & { scoreThreshold?: number; smallObjects?: string | null }): void;
  /** The Source group (pause, file picker: ./source-controls.ts), first in the bar. */
  sourceButtons: TemplateResult;
  exportButtons: TemplateResult;
}

/** `layers` with `layer` switched on or off (`on`: as asked; absent: the other way), in the overlay's order. */
export function toggledLayers(layers: string, layer: OverlayLayer, on?: boolean): string {
  const active = new Set(layers.split(/[\s,]+/).filter(Boolean));
  if (on ?? !active.has(layer)) active.add(layer);
  else active.delete(layer);
  return OVERLAY_LAYERS.filter((name) => active.has(name)).join(' ');
}

/** The *Track* toggle: tracking and the `tracks` layer go on together, and off together. */
export function toggledTracking(c: Pick<LiveControls, 'track' | 'layers'>): { track: boolean; layers: string } {
  const track = !c.track;
  return { track, layers: toggledLayers(c.layers, 'tracks', track) };
}

export function renderLiveControls(c: LiveControls): TemplateResult {
  // A model loaded from a URL (`ultralytics:…`) is not in the registry: list it too, with what it reports.
  const modelIds = getModelIds().includes(c.model) ? getModelIds() : [...getModelIds(), c.model];
  const layers = new Set(c.layers.split(/[\s,]+/));
  const labels = c.labels;
  const strides = c.levels.map((level) => level.stride);
  return html`
      <div class="controls" part="controls">
        ${c.sourceButtons}
        <label class="field">
          <span class="name">Model</span>
          <select @change=${(e: Event) => (c.set({ model: (e.target as HTMLSelectElement).value }))}>
            ${modelIds.map((id) => html`<option value=${id} ?selected=${id === c.model}>${getModelInfo(id)?.title ?? id}</option>`)}
          </select>
        </label>
        <label class="field">
          <span class="name">Backend</span>
          <select @change=${(e: Event) => (c.set({ backend: (e.target as HTMLSelectElement).value as BackendPreference }))}>
            ${BACKEND_PREFERENCES.map((name) => html`<option value=${name} ?selected=${name === c.backend}>${BACKEND_NAMES[name]}</option>`)}
          </select>
        </label>
        <label class="field">
          <span class="name">Threshold</span>
          <input
            type="range"
            min="0.05"
            max="0.95"
            step="0.05"
            .value=${String(c.scoreThreshold ?? '')}
            @input=${(e: Event) => (c.set({ scoreThreshold: Number((e.target as HTMLInputElement).value) }))}
          />
          <output>${c.scoreThreshold === undefined ? '–' : c.scoreThreshold.toFixed(2)}</output>
        </label>
        <div class="field" role="group" aria-label="Overlay layers">
          <span class="name">Layers</span>
          <span class="toggles">
            ${LAYER_TABLE.map(
              ({ name, label }) => html`
                <button type="button" aria-pressed=${layers.has(name) ? 'true' : 'false'} @click=${() => c.set({ layers: toggledLayers(c.layers, name) })}>
                  ${label}
                </button>
              `,
            )}
          </span>
        </div>
        <div class="field" role="group" aria-label="Small-object mode">
          <span class="name">Small objects</span>
          <span class="toggles">
            <button
              type="button"
              title="Image pyramid and tiles (at most 4 model passes a frame unless a budget or preset says otherwise)"
              aria-label="Small-object mode"
              aria-pressed=${smallObjectsOn(c.smallObjects) ? 'true' : 'false'}
              @click=${() => c.set({ smallObjects: smallObjectsOn(c.smallObjects) ? null : 'live' })}
            >
              Pyramid ×${c.scales?.trim() || '2'}
            </button>
          </span>
        </div>
        <div class="field" role="group" aria-label="Tracking">
          <span class="name">Tracking</span>
          <span class="toggles">
            <button
              type="button"
              title="Stable ids across frames, with the tracks layer (trails, lost tracks, counts)"
              aria-label="Tracking"
              aria-pressed=${c.track ? 'true' : 'false'}
              @click=${() => c.set(toggledTracking(c))}
            >
              Track
            </button>
          </span>
        </div>
        ${layers.has('heatmap')
          ? html`
              <label class="field">
                <span class="name">Heatmap of</span>
                <select @change=${(e: Event) => (c.set({ heatmapClass: (e.target as HTMLSelectElement).value || undefined }))}>
                  <option value="" ?selected=${!c.heatmapClass}>All classes (max)</option>
                  ${labels.map((label) => html`<option value=${label} ?selected=${label === c.heatmapClass}>${label}</option>`)}
                </select>
              </label>
            `
          : nothing}
        ${(layers.has('heatmap') || layers.has('levels')) && strides.length > 1
          ? html`
              <label class="field">
                <span class="name">Level</span>
                <select @change=${(e: Event) => (c.set({ level: (e.target as HTMLSelectElement).value }))}>
                  <option value="all" ?selected=${!strides.includes(Number(c.level))}>${layers.has('levels') ? 'All, side by side' : `Finest (stride ${strides[0]})`}</option>
                  ${strides.map((stride) => html`<option value=${String(stride)} ?selected=${String(stride) === c.level}>stride ${stride}</option>`)}
                </select>
              </label>
            `
          : nothing}
        ${c.exportButtons}
      </div>
  `;
}
