/**
 * The `tracks` layer (with `track` on the detector, docs/tracking.md): one colour per track id on its
 * boxes and an id in their labels, a trail of each track's recent centres fading with age, tentative
 * tracks (seen once, no id yet) dashed, lost tracks (coasting: their box is the motion model's
 * prediction, no detection this frame) dotted at the predicted place with their id, and a count of the
 * objects per class in view and seen so far. The trails and counts need the frames before this one: the
 * layer keeps them in its memory (`TrackTrails`, one per overlay).
 */
import { html, nothing, svg } from 'lit';
import type { Detection, TrackSummary } from '../../models/index.js';
import type { Size } from '../internal/fit.js';
import { defineLayer, type LayerMemory, type OverlayFrame } from './layer.js';

/** How long a trail reaches back, ms of the frames' time. */
export const TRAIL_MS = 3000;

const GOLDEN_ANGLE = 137.508;

/** One colour per track id: hues a golden angle apart, so consecutive ids never look alike. */
export function trackColor(id: number): string {
  const hue = (id * GOLDEN_ANGLE + 40) % 360;
  return `hsl(${hue.toFixed(1)} 95% 60%)`;
}

/** A trail point: a track's box centre (source px) at a frame's time (ms). */
export interface TrailPoint {
  t: number;
  x: number;
  y: number;
}

/** A trail segment to draw, with its opacity (1 at the frame's time, fading to 0 at `TRAIL_MS` ago). */
export interface TrailSegment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  opacity: number;
}

/** Per class: tracks confirmed in the current frame, and tracks ever confirmed since the last reset. */
export interface ClassCount {
  label: string;
  classId: number;
  inView: number;
  seen: number;
}

/**
 * What the layer remembers across an overlay's frames: each live track's recent centres and the number
 * of tracks of each class confirmed so far. Bounded: trails keep `TRAIL_MS` of points and only tracks the
 * latest frame still reports (and at least the step to the latest point); a track id is counted once, the first frame it is confirmed or lost (ids
 * are never reused by a detector, and a track that left the results never comes back).
 */
export class TrackTrails implements LayerMemory {
  private readonly trails = new Map<number, TrailPoint[]>();
  /** Ids of live tracks already counted in `seen`. */
  private readonly counted = new Set<number>();
  private readonly seen = new Map<number, { label: string; count: number }>();
  private time = -Infinity;

  /** A frame was committed (null: the picture or model changed; start over). */
  commit(frame: OverlayFrame | null): void {
    if (!frame) return this.reset();
    const { tracks, trackTime } = frame;
    if (!tracks || trackTime === undefined) return;
    // The same frame drawn again (a layer or class change redraws the latest result): nothing new.
    if (trackTime === this.time) return;
    // Time went back (a seek, a looping video): the tracker started over, and so do the trails.
    if (trackTime < this.time) this.reset();
    this.time = trackTime;
    const live = new Set<number>();
    for (const track of tracks) {
      live.add(track.id);
      if (track.state !== 'tentative' && !this.counted.has(track.id)) {
        this.counted.add(track.id);
        const entry = this.seen.get(track.classId) ?? { label: track.label, count: 0 };
        entry.count += 1;
        this.seen.set(track.classId, entry);
      }
      const trail = this.trails.get(track.id) ?? [];
      trail.push({ t: trackTime, x: track.box.x + track.box.width / 2, y: track.box.y + track.box.height / 2 });
      // Points older than TRAIL_MS go, but the one before the latest stays: at slow detection rates
      // (a frame every few seconds) the last step is still shown.
      let old = 0;
      while (old < trail.length - 2 && trail[old]!.t < trackTime - TRAIL_MS) old += 1;
      if (old > 0) trail.splice(0, old);
      this.trails.set(track.id, trail);
    }
    for (const id of this.trails.keys()) if (!live.has(id)) this.trails.delete(id);
    for (const id of this.counted) if (!live.has(id)) this.counted.delete(id);
  }

  reset(): void {
    this.trails.clear();
    this.counted.clear();
    this.seen.clear();
    this.time = -Infinity;
  }

  /** The recent centres of track `id`, oldest first (empty for an unknown id). */
  trail(id: number): readonly TrailPoint[] {
    return this.trails.get(id) ?? [];
  }

  /** Number of tracks with a trail (the live tracks of the latest frame). */
  get size(): number {
    return this.trails.size;
  }

  /** Per class seen so far (by class id): confirmed tracks in `tracks`, and confirmed since the reset. */
  counts(tracks: readonly TrackSummary[]): ClassCount[] {
    const rows = new Map<number, ClassCount>();
    for (const [classId, { label, count }] of this.seen) rows.set(classId, { label, classId, inView: 0, seen: count });
    for (const track of tracks) {
      if (track.state !== 'confirmed') continue;
      const row = rows.get(track.classId) ?? { label: track.label, classId: track.classId, inView: 0, seen: 0 };
      row.inView += 1;
      rows.set(track.classId, row);
    }
    return [...rows.values()].sort((a, b) => a.classId - b.classId);
  }
}

/** The segments of a trail as of time `now`, each as opaque as its newer end is recent. */
export function trailSegments(points: readonly TrailPoint[], now: number): TrailSegment[] {
  const segments: TrailSegment[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const opacity = 1 - (now - b.t) / TRAIL_MS;
    if (opacity > 0) segments.push({ x1: a.x, y1: a.y, x2: b.x, y2: b.y, opacity: Math.min(1, opacity) });
  }
  return segments;
}

export const tracksLayer = defineLayer({
  name: 'tracks',
  label: 'Tracks',
  summary:
    '(with `track`) one colour per track on its boxes with the id in the label, a trail of the last 3 s of each track fading with age, tentative tracks dashed, lost (coasting) tracks dotted at their predicted box, and per class the objects in view and seen so far',
  parts: [
    { name: 'tracks', description: "The `tracks` layer's trails and its tentative and lost boxes (an SVG in source pixels)." },
    { name: 'track-counts', description: "The `tracks` layer's count of objects per class, in view and seen so far." },
  ],
  maps: [],
  showsBoxes: () => true,
  decorateBox: (detection: Detection) => (detection.trackId === undefined ? undefined : { color: trackColor(detection.trackId), suffix: ` · #${detection.trackId}` }),
  memory: () => new TrackTrails(),
  render: ({ frame, source, memory }) => {
    const trails = memory instanceof TrackTrails ? memory : undefined;
    if (!frame.tracks || frame.trackTime === undefined || !trails) return { side: renderTrackingOff() };
    return { under: renderTracks(frame.tracks, frame.trackTime, trails, source), side: renderCounts(trails.counts(frame.tracks)) };
  },
});

/** Trails, tentative and lost tracks, in source pixels (an SVG over the frame, under the boxes). */
export function renderTracks(tracks: readonly TrackSummary[], now: number, trails: TrackTrails, source: Size) {
  return html`
    <svg class="tracks" part="tracks" viewBox="0 0 ${source.width} ${source.height}" preserveAspectRatio="none" aria-hidden="true">
      ${tracks.map((track) => {
        const color = trackColor(track.id);
        const segments = trailSegments(trails.trail(track.id), now).map(
          (s) => svg`<line class="trail" x1=${s.x1} y1=${s.y1} x2=${s.x2} y2=${s.y2} style="stroke: ${color}; opacity: ${s.opacity.toFixed(2)}"></line>`,
        );
        if (track.state === 'confirmed') return segments;
        const { x, y, width, height } = track.box;
        // Tentative tracks have no id on their detections yet; lost ones show theirs at the prediction.
        return svg`${segments}
          <rect class="track ${track.state}" data-track=${track.id} x=${x} y=${y} width=${width} height=${height} style="stroke: ${color}"></rect>
          ${track.state === 'lost' ? svg`<text class="track-id" x=${x + 2} y=${y - 3} style="fill: ${color}">#${track.id}?</text>` : nothing}`;
      })}
    </svg>
  `;
}

function renderCounts(counts: readonly ClassCount[]) {
  return html`
    <ul class="track-counts" part="track-counts" aria-label="Tracked objects per class">
      ${counts.length === 0
        ? html`<li>No tracks yet</li>`
        : counts.map(
            (row) => html`<li data-class=${row.classId}>${row.label} <span class="count" title="in view">${row.inView}</span> <span class="seen" title="seen so far">${row.seen} seen</span></li>`,
          )}
    </ul>
  `;
}

/** The layer is on but the results carry no tracks: say how to get them, never a silent empty layer. */
function renderTrackingOff() {
  return html`<ul class="track-counts off" part="track-counts"><li>Tracking is off: set <code>track</code> on the detector</li></ul>`;
}
