/**
 * `metadata.yaml`, the file `yolo export` writes next to `model.json`: class names, input size, largest
 * stride, task. Read with a small, tolerant YAML subset parser (no dependency): block maps and lists by
 * indentation, flow `[a, b]` lists and `{k: v}` maps, quoted and plain scalars, `#` comments. Anything
 * it cannot make sense of is skipped, never fatal: the model's own shapes are the ground truth.
 */

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

/** What Loupe uses from `metadata.yaml`. Every field is optional: the file may be absent or partial. */
export interface UltralyticsMetadata {
  /** Class names by index (gaps filled later with `class N`). */
  names?: string[];
  /** Input size `[height, width]` the model was exported at. */
  imgsz?: [number, number];
  /** Largest stride (32 for P3–P5 heads, 64 for P6). */
  stride?: number;
  /** `detect`, `segment`, `pose`, `obb`, `classify`. */
  task?: string;
  /** Whether the export embedded NMS (`nms=True`). */
  nms?: boolean;
  description?: string;
  license?: string;
}

interface Line {
  indent: number;
  text: string;
}

/**
 * Scans `text` outside quotes, tracking flow-collection depth; returns the first index where `stop`
 * says so, or −1.
 */
function scan(text: string, stop: (c: string, i: number, depth: number) => boolean): number {
  let quote: string | null = null;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      continue;
    }
    if (stop(c, i, depth)) return i;
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
  }
  return -1;
}

/** Strips a `#` comment that is outside quotes and preceded by whitespace (or at the line start). */
function stripComment(line: string): string {
  const at = scan(line, (c, i) => c === '#' && (i === 0 || /\s/.test(line[i - 1]!)));
  return at < 0 ? line : line.slice(0, at);
}

function unquote(text: string): string {
  if (text.startsWith("'")) return text.slice(1, text.endsWith("'") && text.length > 1 ? -1 : undefined).replace(/''/g, "'");
  const body = text.slice(1, text.endsWith('"') && text.length > 1 ? -1 : undefined);
  return body.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.startsWith('u') && e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[e] ?? e;
  });
}

function scalar(raw: string): YamlValue {
  const text = raw.trim();
  if (text === '' || text === '~' || text === 'null' || text === 'Null' || text === 'NULL') return null;
  if (text.startsWith('"') || text.startsWith("'")) return unquote(text);
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?(\d[\d_]*)(\.\d*)?([eE][-+]?\d+)?$/.test(text) || /^[-+]?\.\d+([eE][-+]?\d+)?$/.test(text)) return Number(text.replace(/_/g, ''));
  return text;
}

/** Splits flow-collection content at top-level commas. */
function splitFlow(body: string): string[] {
  const parts: string[] = [];
  let start = 0;
  scan(body, (c, i, depth) => {
    if (c === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
    return false;
  });
  parts.push(body.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Index of the `:` that separates a key from its value (outside quotes, followed by space or end). */
function keySeparator(text: string): number {
  return scan(text, (c, i, depth) => c === ':' && depth === 0 && (i + 1 === text.length || text[i + 1] === ' ' || text[i + 1] === '\t'));
}

function keyText(raw: string): string {
  const key = raw.trim();
  return key.startsWith('"') || key.startsWith("'") ? unquote(key) : key;
}

function flowValue(text: string): YamlValue {
  const t = text.trim();
  if (t.startsWith('[') && t.endsWith(']')) return splitFlow(t.slice(1, -1)).map(flowValue);
  if (t.startsWith('{') && t.endsWith('}')) {
    const map: Record<string, YamlValue> = {};
    for (const part of splitFlow(t.slice(1, -1))) {
      const at = keySeparator(part);
      if (at < 0) map[keyText(part)] = null;
      else map[keyText(part.slice(0, at))] = flowValue(part.slice(at + 1));
    }
    return map;
  }
  return scalar(t);
}

/** Parses a YAML document (the subset `yolo export` writes, and common hand edits of it). Never throws. */
export function parseYaml(text: string): YamlValue {
  const lines: Line[] = [];
  for (const rawLine of text.replace(/\r\n?/g, '\n').split('\n')) {
    const stripped = stripComment(rawLine.replace(/\t/g, '  ')).replace(/\s+$/, '');
    if (stripped.trim() === '' || stripped.trim() === '---' || stripped.trim() === '...') continue;
    const indent = stripped.length - stripped.trimStart().length;
    lines.push({ indent, text: stripped.trim() });
  }
  let index = 0;

  /** Parses the block starting at `lines[index]` whose lines are indented exactly `indent`. */
  const block = (indent: number): YamlValue => {
    const first = lines[index];
    if (!first) return null;
    if (first.text === '-' || first.text.startsWith('- ')) {
      const list: YamlValue[] = [];
      while (index < lines.length && lines[index]!.indent === indent && (lines[index]!.text === '-' || lines[index]!.text.startsWith('- '))) {
        const item = lines[index]!.text.slice(1).trim();
        index++;
        if (item === '') {
          list.push(index < lines.length && lines[index]!.indent > indent ? block(lines[index]!.indent) : null);
        } else if (keySeparator(item) > 0 && !item.startsWith('[') && !item.startsWith('{')) {
          // "- key: value" starts a map inside the list item: treat the item as a nested block.
          lines[index - 1] = { indent: indent + 2, text: item };
          index--;
          list.push(block(indent + 2));
        } else {
          list.push(flowValue(item));
        }
      }
      return list;
    }
    const map: Record<string, YamlValue> = {};
    while (index < lines.length && lines[index]!.indent >= indent) {
      const line = lines[index]!;
      index++;
      if (line.indent > indent) continue; // deeper than any key here claims: skip it (tolerant)
      const at = keySeparator(line.text);
      if (at < 0) continue; // not a key: skip it (tolerant)
      const key = keyText(line.text.slice(0, at));
      const rest = line.text.slice(at + 1).trim();
      if (rest === '' || rest === '|' || rest === '>') {
        const next = lines[index];
        // A nested block: deeper lines, or a list at the same indent (YAML allows "key:\n- a").
        if (next && (next.indent > indent || (next.indent === indent && (next.text === '-' || next.text.startsWith('- '))))) {
          map[key] = block(next.indent);
        } else {
          map[key] = null;
        }
      } else {
        map[key] = flowValue(rest);
      }
    }
    return map;
  };

  try {
    if (lines.length === 0) return null;
    return block(Math.min(...lines.map((l) => l.indent)));
  } catch {
    return null;
  }
}

const isMap = (v: YamlValue | undefined): v is { [key: string]: YamlValue } => typeof v === 'object' && v !== null && !Array.isArray(v);

function positiveInt(v: YamlValue | undefined): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * The fields Loupe uses from a `metadata.yaml` text. `names` may be a map `{0: person, …}` (what the
 * exporter writes) or a list; `imgsz` a number or `[h, w]`.
 */
export function parseUltralyticsMetadata(text: string): UltralyticsMetadata {
  const doc = parseYaml(text);
  if (!isMap(doc)) return {};
  const meta: UltralyticsMetadata = {};
  const names = doc['names'];
  if (Array.isArray(names)) {
    meta.names = names.map((n, i) => (n === null ? `class ${i}` : String(n)));
  } else if (isMap(names)) {
    const list: string[] = [];
    for (const [key, value] of Object.entries(names)) {
      const i = Number(key);
      if (Number.isInteger(i) && i >= 0 && i < 100_000 && value !== null) list[i] = String(value);
    }
    meta.names = Array.from(list, (n, i) => n ?? `class ${i}`);
  }
  const imgsz = doc['imgsz'];
  if (Array.isArray(imgsz)) {
    const h = positiveInt(imgsz[0]);
    const w = positiveInt(imgsz[1] ?? imgsz[0]);
    if (h && w) meta.imgsz = [h, w];
  } else {
    const s = positiveInt(imgsz);
    if (s) meta.imgsz = [s, s];
  }
  const stride = doc['stride'];
  const strideValue = Array.isArray(stride) ? Math.max(...stride.map((s) => positiveInt(s) ?? 0)) : positiveInt(stride);
  if (strideValue) meta.stride = strideValue;
  if (typeof doc['task'] === 'string') meta.task = doc['task'];
  const args = doc['args'];
  const nms = isMap(args) ? args['nms'] : doc['nms'];
  if (typeof nms === 'boolean') meta.nms = nms;
  if (typeof doc['description'] === 'string') meta.description = doc['description'];
  if (typeof doc['license'] === 'string') meta.license = doc['license'];
  return meta;
}
