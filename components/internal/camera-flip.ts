/**
 * The camera-flip button of `<loupe-camera>`: which camera comes next. Phones and tablets say which way
 * a camera faces (`MediaTrackSettings.facingMode`): flipping asks for the other side. Desktop webcams
 * (and Chromium's fake cameras) do not: flipping goes to the next camera in the device list.
 */
import type { FacingMode } from '../loupe-camera.js';

export type FlipTarget = { facingMode: FacingMode; deviceId: undefined } | { deviceId: string };

/**
 * What to open after a flip, from the cameras listed (`videoinput` device ids, in the browser's order),
 * the one showing now and the side it reports facing (undefined where the browser does not say).
 * Null with fewer than two cameras.
 */
export function flipTarget(deviceIds: readonly string[], activeId: string | undefined, facing: string | undefined): FlipTarget | null {
  if (deviceIds.length < 2) return null;
  if (facing === 'user' || facing === 'environment') return { facingMode: facing === 'user' ? 'environment' : 'user', deviceId: undefined };
  const index = activeId === undefined ? -1 : deviceIds.indexOf(activeId);
  return { deviceId: deviceIds[(index + 1) % deviceIds.length]! };
}

