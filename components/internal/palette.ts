/**
 * One stable colour per class id. Hues step by the golden angle so neighbouring ids (person, bicycle,
 * car…) never look alike, at a lightness that stays readable on both dark and bright video.
 */
const GOLDEN_ANGLE = 137.508;

export function classColor(classId: number): string {
  const hue = (classId * GOLDEN_ANGLE + 200) % 360;
  return `hsl(${hue.toFixed(1)} 90% 62%)`;
}

/**
 * One colour per output level, finest first (stride 4 or 8, then 16, 32, 64): cool to warm, so "small
 * objects" read as blue and "large" as red at a glance, distinct from one another on any video.
 */
const LEVEL_COLORS = ['#38bdf8', '#a3e635', '#fbbf24', '#f472b6', '#c084fc'] as const;

export function levelColor(level: number): string {
  return LEVEL_COLORS[Math.max(0, level) % LEVEL_COLORS.length] ?? LEVEL_COLORS[0];
}

/** Colours of the four regression sides, left, top, right, bottom. */
export const SIDE_COLORS = ['#f87171', '#facc15', '#4ade80', '#60a5fa'] as const;
