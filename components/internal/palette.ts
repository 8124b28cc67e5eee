/**
 * One stable colour per class id. Hues step by the golden angle so neighbouring ids (person, bicycle,
 * car…) never look alike, at a lightness that stays readable on both dark and bright video.
 */
const GOLDEN_ANGLE = 137.508;

export function classColor(classId: number): string {
  const hue = (classId * GOLDEN_ANGLE + 200) % 360;
  return `hsl(${hue.toFixed(1)} 90% 62%)`;
}
