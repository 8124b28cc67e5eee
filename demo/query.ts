/**
 * Query parameters → attributes of the page's <loupe-live>. Imported before the elements are defined,
 * so the element starts with them (no load with defaults first, then a reload).
 *
 *   ?backend=wasm  ?model=centernet  ?layers=boxes,heatmap  ?src=./samples/street.webm
 *   ?threshold=0.4 (or score-threshold)  ?max-detections=20  ?heatmap-class=person  ?level=16
 *   ?facing-mode=user  ?sync=frame  ?small-objects (on) or ?small-objects=full
 *   ?track (tracking; with the tracks layer: ?track&layers=boxes,tracks)
 *   ?worker=false (the page's main thread; absent: Loupe's Worker where it can, or true/auto; docs/worker.md)
 */

/** Query parameter → attribute; the attribute's own name is accepted too. */
const ATTRIBUTES: Record<string, string> = {
  backend: 'backend',
  model: 'model',
  layers: 'layers',
  src: 'src',
  threshold: 'score-threshold',
  'score-threshold': 'score-threshold',
  'max-detections': 'max-detections',
  'heatmap-class': 'heatmap-class',
  level: 'level',
  'facing-mode': 'facing-mode',
  'device-id': 'device-id',
  sync: 'sync',
  'small-objects': 'small-objects',
  track: 'track',
  worker: 'worker',
};

export function applyQueryParams(element: Element, search: string): void {
  const params = new URLSearchParams(search);
  for (const [param, attribute] of Object.entries(ATTRIBUTES)) {
    const value = params.get(param);
    // `layers` may come comma-separated from a hand-typed URL; the element wants spaces.
    if (value !== null) element.setAttribute(attribute, attribute === 'layers' ? value.replace(/,/g, ' ') : value);
  }
}

const live = document.querySelector('loupe-live');
if (live) applyQueryParams(live, location.search);
