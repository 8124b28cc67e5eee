// Types of manifest-tables.mjs (used by docs/reference.ts).
export interface ElementTable {
  title: string;
  head: string[];
  rows: string[][];
}
export interface ElementTables {
  tag: string;
  name: string;
  summary: string;
  description: string;
  tables: ElementTable[];
}
export function elementTables(manifest: unknown): ElementTables[];
export function elementsMarkdown(manifest: unknown): string;
