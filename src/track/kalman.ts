/**
 * Constant-velocity Kalman filter of one box in image coordinates, with time in seconds so that it holds
 * at any, and varying, frame rate.
 *
 * The state is four independent axes — centre x, centre y, width, height — each a position p (px) and a
 * velocity v (px/s) with a symmetric 2 × 2 covariance [[ppp, ppv], [ppv, pvv]]. The axes never couple
 * (the motion model, the process noise and the measurement noise are per axis), so the 8-state filter of
 * SORT/ByteTrack splits exactly into four 2-state filters: a few multiplications each, no matrices.
 *
 * Noise scales with the box height, as in ByteTrack (a near, tall person moves more pixels than a far
 * one), and with the elapsed time:
 * - the velocity follows continuous white-noise acceleration of spectral density (σ_a·h)², so over dt the
 *   covariance grows by (σ_a·h)²·[[dt³/3, dt²/2], [dt²/2, dt]];
 * - the position also diffuses by (σ_p·h)²·dt (what ByteTrack's per-frame position noise becomes per second);
 * - a measurement has standard deviation σ_m·h.
 *
 * Layout of one filter in a Float64Array, `STRIDE` numbers per axis: [p, v, ppp, ppv, pvv].
 */

export const AXES = 4;
export const STRIDE = 5;
export const FILTER_SIZE = AXES * STRIDE;

/** Axis order in a filter: centre x, centre y, width, height. */
export const CX = 0;
export const CY = 1;
export const WIDTH = 2;
export const HEIGHT = 3;

/** Noise levels, relative to the box height (see the module comment). */
export interface MotionNoise {
  /** σ_p: position diffusion, box heights per √s. */
  position: number;
  /** σ_a: acceleration noise, box heights per s² per √Hz (white-noise acceleration). */
  acceleration: number;
  /** σ_m: standard deviation of a detected box's edges, box heights. */
  measurement: number;
  /** Size axes (width, height) get these factors on σ_p and σ_a: boxes change size slower than they move. */
  sizeFactor: number;
  /** Standard deviation of the first velocity estimate of a new track, box heights per second. */
  initialVelocity: number;
}

/** Starts a filter at a measured box (centre x, centre y, width, height, px) with unknown velocity. */
export function initFilter(filter: Float64Array, offset: number, cx: number, cy: number, width: number, height: number, noise: MotionNoise): void {
  const h = Math.max(height, 1);
  const positionVariance = (2 * noise.measurement * h) ** 2;
  const velocityVariance = (noise.initialVelocity * h) ** 2;
  for (let axis = 0; axis < AXES; axis++) {
    const at = offset + axis * STRIDE;
    filter[at] = axis === CX ? cx : axis === CY ? cy : axis === WIDTH ? width : height;
    filter[at + 1] = 0;
    filter[at + 2] = positionVariance;
    filter[at + 3] = 0;
    filter[at + 4] = axis >= WIDTH ? velocityVariance * noise.sizeFactor ** 2 : velocityVariance;
  }
}

/** Moves the filter dt seconds ahead (dt ≥ 0). */
export function predictFilter(filter: Float64Array, offset: number, dt: number, noise: MotionNoise): void {
  if (!(dt > 0)) return;
  const h = Math.max(filter[offset + HEIGHT * STRIDE]!, 1);
  const dt2 = dt * dt;
  for (let axis = 0; axis < AXES; axis++) {
    const at = offset + axis * STRIDE;
    const factor = axis >= WIDTH ? noise.sizeFactor : 1;
    const qa = (noise.acceleration * factor * h) ** 2;
    const qp = (noise.position * factor * h) ** 2;
    const v = filter[at + 1]!;
    const ppp = filter[at + 2]!;
    const ppv = filter[at + 3]!;
    const pvv = filter[at + 4]!;
    filter[at] = filter[at]! + v * dt;
    // F P Fᵀ + Q with F = [[1, dt], [0, 1]].
    filter[at + 2] = ppp + 2 * dt * ppv + dt2 * pvv + qa * dt2 * dt / 3 + qp * dt;
    filter[at + 3] = ppv + dt * pvv + qa * dt2 / 2;
    filter[at + 4] = pvv + qa * dt;
  }
}

/** Corrects the filter with a measured box (centre x, centre y, width, height, px). */
export function updateFilter(filter: Float64Array, offset: number, cx: number, cy: number, width: number, height: number, noise: MotionNoise): void {
  const r = (noise.measurement * Math.max(height, 1)) ** 2;
  for (let axis = 0; axis < AXES; axis++) {
    const at = offset + axis * STRIDE;
    const z = axis === CX ? cx : axis === CY ? cy : axis === WIDTH ? width : height;
    const ppp = filter[at + 2]!;
    const ppv = filter[at + 3]!;
    const pvv = filter[at + 4]!;
    const s = ppp + r;
    const kp = ppp / s;
    const kv = ppv / s;
    const innovation = z - filter[at]!;
    filter[at] = filter[at]! + kp * innovation;
    filter[at + 1] = filter[at + 1]! + kv * innovation;
    // (I − K H) P, kept symmetric.
    filter[at + 2] = ppp - kp * ppp;
    filter[at + 3] = ppv - kp * ppv;
    filter[at + 4] = pvv - kv * ppv;
  }
}

/** Position of one axis dt seconds after the filter's time (no change to the filter). */
export function extrapolate(filter: Float64Array, offset: number, axis: number, dt: number): number {
  const at = offset + axis * STRIDE;
  return filter[at]! + filter[at + 1]! * dt;
}
