/**
 * What a screen reader hears about the detections: the classes in view with their counts ("2 persons,
 * 1 car"), said politely, at most once per period and only when it changed. Frames arrive many times a
 * second; a live region updated at that rate would talk over itself.
 */
export class DetectionAnnouncer {
  private lastMessage = '';
  private lastAt = -Infinity;

  constructor(private readonly periodMs = 3000) {}

  /** The message to announce now, or null (unchanged, or too soon after the last one). */
  next(labels: readonly string[], now: number): string | null {
    const message = describeClasses(labels);
    if (message === this.lastMessage || now - this.lastAt < this.periodMs) return null;
    this.lastMessage = message;
    this.lastAt = now;
    return message;
  }

  reset(): void {
    this.lastMessage = '';
    this.lastAt = -Infinity;
  }
}

/** "2 persons, 1 car", most frequent first; "Nothing detected" for none. */
export function describeClasses(labels: readonly string[]): string {
  if (labels.length === 0) return 'Nothing detected';
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([label, count]) => `${count} ${count === 1 ? label : plural(label)}`)
    .join(', ');
}

function plural(label: string): string {
  if (/(s|x|ch|sh)$/.test(label)) return `${label}es`;
  if (/[^aeiou]y$/.test(label)) return `${label.slice(0, -1)}ies`;
  return `${label}s`;
}
