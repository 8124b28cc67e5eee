/**
 * The box under inspection in `<loupe-overlay>`: hovering a box shows the values of the inspecting
 * layer's map at its cell while the pointer is on it; a click pins it, and a pinned inspection follows
 * its object from frame to frame (same class, best overlap) until the next click, holding its last
 * reading through frames that miss the object (detections flicker around the threshold).
 *
 * Plain TypeScript (no Lit): the overlay hands over each committed frame and the pointer's events; this
 * class owns the state, the one small read of the map per inspection, and tells the host to re-render.
 * Unit-tested in Node with real tensors on the CPU backend.
 */
import { LoupeError, type Detection } from '../../models/index.js';
import { followDetection } from '../internal/follow-detection.js';
import type { Inspection, ModelFacts, OverlayFrame, OverlayLayerModule } from '../layers/layer.js';

export interface BoxInspectionHost {
  /** The frame on screen (its regression handles are the overlay's until the next commit). */
  currentFrame(): OverlayFrame | null;
  /** The layer on that inspects boxes, if any. */
  inspectingLayer(): OverlayLayerModule | undefined;
  modelFacts(model: string): ModelFacts;
  /** The state changed: render again. */
  requestUpdate(): void;
  /** A layer's `read` refused the values (shown in the inspector too). */
  reportError(error: LoupeError): void;
}

export class BoxInspection {
  private current: Inspection | null = null;

  constructor(private readonly host: BoxInspectionHost) {}

  /** What the inspector shows, or null. */
  get value(): Inspection | null {
    return this.current;
  }

  /** Handlers for the boxes' pointer events. */
  readonly boxHandlers = {
    enter: (detection: Detection) => void this.inspect(detection),
    click: (detection: Detection) => void this.inspect(detection, true),
    leave: (detection: Detection) => this.end(detection),
    unpin: () => this.unpin(),
  };

  /** Lets go of a pinned inspection (Escape on a box). */
  unpin(): void {
    if (this.current?.pinned) this.set(null);
  }

  clear(): void {
    this.set(null);
  }

  /** The overlay committed `frame`: follow the inspected object into it, or let it go. */
  followInto(frame: OverlayFrame | null): void {
    const inspected = this.current?.detection;
    if (!inspected || frame?.detections.includes(inspected)) return;
    const next = frame ? followDetection(inspected, frame.detections) : undefined;
    const pinned = this.current?.pinned;
    if (next) {
      this.set(pinned ? { detection: inspected, values: null, pinned } : null);
      void this.inspect(next, pinned ? undefined : false);
    } else if (pinned && frame && this.current) {
      this.set({ ...this.current, missing: true });
    } else {
      this.set(null);
    }
  }

  /**
   * Reads the inspected map's values at a box's cell (a few floats, only on pointer interaction).
   * `pin`: true for a click (a second click on the pinned box unpins), false for a hover, undefined to
   * keep the current pin (following).
   */
  async inspect(detection: Detection, pin?: boolean): Promise<void> {
    const layer = this.host.inspectingLayer();
    if (!layer?.inspect) return;
    const wasPinned = this.current?.pinned === true;
    if (pin && wasPinned && this.current?.detection === detection) {
      this.set(null);
      return;
    }
    const pinned = pin === true || (pin === undefined && wasPinned);
    const frame = this.host.currentFrame();
    this.set({ detection, values: null, pinned });
    if (!frame) return;
    const values = await readCell(frame, detection);
    if (!values || this.current?.detection !== detection) return;
    let reading: unknown;
    try {
      reading = layer.inspect.read(values, detection, this.host.modelFacts(frame.model));
    } catch (error) {
      if (!(error instanceof LoupeError)) throw error;
      reading = error;
      this.host.reportError(error);
    }
    this.set({ detection, values, reading, pinned });
  }

  /** The pointer left `detection`'s box: a hover ends, a pin stays. */
  end(detection: Detection): void {
    if (this.current?.detection === detection && !this.current.pinned) this.set(null);
  }

  private set(next: Inspection | null): void {
    if (next === this.current) return;
    this.current = next;
    this.host.requestUpdate();
  }
}

/**
 * The regression values at `detection`'s cell ([R] floats, one small read): from the frame's own
 * reference to the map, or in worker mode from the Worker that holds it; null when there is none.
 */
async function readCell(frame: OverlayFrame, detection: Detection): Promise<Float32Array | null> {
  const { level, x, y } = detection.cell;
  const map = frame.regression?.[level];
  if (map && !map.disposed) {
    const [rows = 0, cols = 0, channels = 0] = map.tensor.shape;
    if (x >= cols || y >= rows) return null;
    const slice = map.tensor.slice([y, x, 0], [1, 1, channels]);
    try {
      return (await slice.data()) as Float32Array;
    } finally {
      slice.dispose();
    }
  }
  const remote = frame.workerMaps;
  const shape = remote?.levels[level]?.regression;
  if (!remote || remote.disposed || !shape || x >= shape[1] || y >= shape[0]) return null;
  try {
    return await remote.read({ level, map: 'regression', cell: { x, y } });
  } catch (error) {
    // Let go meanwhile (a newer frame, the Worker terminated): nothing to show.
    if (remote.disposed) return null;
    throw error;
  }
}
