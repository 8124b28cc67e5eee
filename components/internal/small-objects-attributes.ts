/**
 * The small-object mode's attributes, shared by `<loupe-detector>` and `<loupe-live>`:
 * `small-objects` (present: on; a value names a preset, `full` or `live`; `false`: off), `scales`
 * (`"2"`, `"2 3"` or `"2,3"`), `tile-overlap` (0..1) and `budget` (executions a frame; `0`: none).
 */
import type { SmallObjectsOptions, SmallObjectsPreset, SmallObjectsSetting } from '../../models/index.js';

/** The element properties behind the attributes. */
export interface SmallObjectsAttributes {
  smallObjects: string | null | undefined;
  scales: string | undefined;
  tileOverlap: number | undefined;
  budget: number | undefined;
}

export const SMALL_OBJECT_PROPERTIES = ['smallObjects', 'scales', 'tileOverlap', 'budget'] as const;

/** Whether the attribute turns the mode on. */
export function smallObjectsOn(value: string | null | undefined): boolean {
  return value != null && value.trim().toLowerCase() !== 'false';
}

/**
 * The engine setting for the attributes (the engine validates it: a bad value is its `bad-option`).
 * Throws a plain Error for text that is not numbers where numbers belong.
 */
export function smallObjectsSetting(attributes: SmallObjectsAttributes): SmallObjectsSetting {
  const { smallObjects, scales, tileOverlap, budget } = attributes;
  if (!smallObjectsOn(smallObjects)) return false;
  const name = smallObjects!.trim().toLowerCase();
  const setting: Partial<SmallObjectsOptions> & { preset?: SmallObjectsPreset } = {};
  if (name !== '' && name !== 'true') setting.preset = name as SmallObjectsPreset;
  if (scales != null && scales.trim() !== '') {
    const values = scales.trim().split(/[\s,]+/).map(Number);
    if (values.some((v) => !Number.isFinite(v))) throw new Error(`scales must be numbers, e.g. "2" or "2 3"; got '${scales}'.`);
    setting.scales = values;
  }
  if (tileOverlap != null && !Number.isNaN(tileOverlap)) setting.overlap = tileOverlap;
  if (budget != null && !Number.isNaN(budget)) setting.budget = budget === 0 ? null : budget;
  return setting;
}
