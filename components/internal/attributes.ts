/**
 * The one place where attribute text becomes an option value, and the one list of the attributes
 * `<loupe-live>` forwards to its children. Both the children and `<loupe-live>` build their Lit
 * `properties` from these tables, so the two cannot drift apart.
 *
 * Attribute → value, for every optional number: absent (or removed) → `undefined`, which the elements
 * pass on as "the model's default"; empty or not a number → `NaN`, which the engine refuses with its
 * `bad-option` (the previous value stays in effect). Text attributes: absent → `undefined`.
 */
import type { ComplexAttributeConverter, PropertyDeclaration } from 'lit';
import type { WorkerMode } from '../../models/index.js';

/** An optional number: absent → undefined, `""` or text → NaN (refused by the validator), else the number. */
export const optionalNumber: ComplexAttributeConverter<number | undefined> = {
  fromAttribute(value: string | null): number | undefined {
    if (value === null) return undefined;
    const text = value.trim();
    return text === '' ? Number.NaN : Number(text);
  },
  toAttribute(value: number | undefined): string | null {
    return value == null ? null : String(value);
  },
};

/**
 * Where the elements run the engine when `worker` is absent: in Loupe's Worker where the browser can,
 * else on the main thread, said in `loupe-backend` (`thread`, `reason`). `createDetector` alone keeps
 * `false` (engine users read `result.maps` and `tf.memory()` on their own thread).
 */
export const DEFAULT_WORKER_MODE: WorkerMode = 'auto';

/**
 * `worker`: absent → undefined (the default, `DEFAULT_WORKER_MODE`), present without a value or `"true"` → true,
 * `"false"` → false, `"auto"` → 'auto'; anything else stays text, which the engine refuses (`bad-option`).
 */
export const workerMode: ComplexAttributeConverter<WorkerMode | string | undefined> = {
  fromAttribute(value: string | null): WorkerMode | string | undefined {
    if (value === null) return undefined;
    const text = value.trim();
    return text === '' || text === 'true' ? true : text === 'false' ? false : text;
  },
  toAttribute(value: WorkerMode | string | undefined): string | null {
    return value === undefined ? null : String(value);
  },
};

/** Which child of `<loupe-live>` a forwarded attribute belongs to. */
export type ForwardTarget = 'detector' | 'camera' | 'overlay';

/** A forwarded attribute: its property, its Lit declaration, and the child that takes it. */
export interface ForwardedProperty {
  name: string;
  target: ForwardTarget;
  declaration: PropertyDeclaration;
}

const text = (attribute?: string): PropertyDeclaration => (attribute ? { type: String, attribute } : { type: String });

/** The detector's attributes (`<loupe-detector>`), as `<loupe-live>` forwards them. */
export const DETECTOR_ATTRIBUTES: readonly ForwardedProperty[] = [
  { name: 'model', target: 'detector', declaration: text() },
  { name: 'backend', target: 'detector', declaration: text() },
  { name: 'scoreThreshold', target: 'detector', declaration: { attribute: 'score-threshold', converter: optionalNumber } },
  { name: 'maxDetections', target: 'detector', declaration: { attribute: 'max-detections', converter: optionalNumber } },
  { name: 'modelBaseUrl', target: 'detector', declaration: text('model-base-url') },
  { name: 'wasmPaths', target: 'detector', declaration: text('wasm-paths') },
  { name: 'rectInput', target: 'detector', declaration: { type: Boolean, attribute: 'rect-input' } },
  { name: 'track', target: 'detector', declaration: { type: Boolean } },
  { name: 'worker', target: 'detector', declaration: { converter: workerMode } },
  { name: 'smallObjects', target: 'detector', declaration: { type: String, attribute: 'small-objects', reflect: true } },
  { name: 'scales', target: 'detector', declaration: text() },
  { name: 'tileOverlap', target: 'detector', declaration: { attribute: 'tile-overlap', converter: optionalNumber } },
  { name: 'budget', target: 'detector', declaration: { converter: optionalNumber } },
];

/** The camera's attributes (`<loupe-camera>`), as `<loupe-live>` forwards them. */
export const CAMERA_ATTRIBUTES: readonly ForwardedProperty[] = [
  { name: 'src', target: 'camera', declaration: text() },
  { name: 'fallbackSrc', target: 'camera', declaration: text('fallback-src') },
  { name: 'facingMode', target: 'camera', declaration: text('facing-mode') },
  { name: 'deviceId', target: 'camera', declaration: text('device-id') },
];

/** The overlay's attributes (`<loupe-overlay>`), as `<loupe-live>` forwards them. */
export const OVERLAY_ATTRIBUTES: readonly ForwardedProperty[] = [
  { name: 'layers', target: 'overlay', declaration: text() },
  { name: 'heatmapClass', target: 'overlay', declaration: text('heatmap-class') },
  { name: 'level', target: 'overlay', declaration: text() },
  { name: 'colormap', target: 'overlay', declaration: text() },
];

/** Everything `<loupe-live>` forwards, in one list. */
export const FORWARDED_ATTRIBUTES: readonly ForwardedProperty[] = [...DETECTOR_ATTRIBUTES, ...CAMERA_ATTRIBUTES, ...OVERLAY_ATTRIBUTES];

/**
 * Lit `properties` for a table: each declaration, with `reflect` added for the names in `reflected`
 * (`<loupe-live>` reflects what its controls change, so pages and styles see the values in effect).
 */
export function propertiesOf(table: readonly ForwardedProperty[], reflected: readonly string[] = []): Record<string, PropertyDeclaration> {
  return Object.fromEntries(table.map(({ name, declaration }) => [name, reflected.includes(name) ? { ...declaration, reflect: true } : declaration]));
}

/** Copies the forwarded properties of `target` that `changed` names (all of them when `changed` is null) from `host` to `child`. */
export function forward(host: object, child: object, target: ForwardTarget, changed: ReadonlyMap<PropertyKey, unknown> | null): void {
  for (const entry of FORWARDED_ATTRIBUTES) {
    if (entry.target !== target || (changed && !changed.has(entry.name))) continue;
    const value = (host as Record<string, unknown>)[entry.name];
    if ((child as Record<string, unknown>)[entry.name] !== value) (child as Record<string, unknown>)[entry.name] = value;
  }
}

/**
 * A child refused a value and kept its previous one: copy the child's values back to `host`, so the
 * host's attributes and controls show what is in effect.
 */
export function readBack(host: object, child: object, target: ForwardTarget): void {
  for (const entry of FORWARDED_ATTRIBUTES) {
    if (entry.target !== target) continue;
    const value = (child as Record<string, unknown>)[entry.name];
    if ((host as Record<string, unknown>)[entry.name] !== value) (host as Record<string, unknown>)[entry.name] = value;
  }
}
