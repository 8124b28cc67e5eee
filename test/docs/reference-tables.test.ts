/**
 * The element reference (docs/reference.html, docs/elements.md) as a reader sees it: every row of every
 * attribute and method table says what it is, defaults are values (not the names of constants), and each
 * method appears once (TypeScript overloads are one method to a page).
 */
import { describe, expect, it } from 'vitest';
import manifest from '../../custom-elements.json';
import { elementTables } from '../../scripts/manifest-tables.mjs';

const elements = elementTables(manifest);

describe('element reference tables', () => {
  it('has the five elements', () => {
    expect(elements.map((element) => element.tag)).toEqual(['loupe-camera', 'loupe-detector', 'loupe-explain', 'loupe-live', 'loupe-overlay']);
  });

  for (const element of elements) {
    it(`<${element.tag}>: every attribute, property and method is described`, () => {
      expect(element.summary).not.toBe('');
      for (const table of element.tables) {
        const description = table.head.indexOf('description');
        const undocumented = table.rows.filter((row) => (row[description] ?? '').trim() === '').map((row) => row[0]);
        expect(undocumented, `${table.title} without a description`).toEqual([]);
      }
    });

    it(`<${element.tag}>: defaults are values and methods are listed once`, () => {
      const attributes = element.tables.find((table) => table.title === 'Attributes and properties');
      const defaults = attributes?.rows.map((row) => row[attributes.head.indexOf('default')] ?? '') ?? [];
      // A constant's name (`DEFAULT_MODEL_ID`) tells a reader nothing; the manifest config resolves it.
      expect(defaults.filter((value) => /^`[A-Z][A-Z0-9_]+`$/.test(value))).toEqual([]);
      const methods = element.tables.find((table) => table.title === 'Methods');
      const names = methods?.rows.map((row) => (row[0] ?? '').replace(/\(.*$/, '')) ?? [];
      expect(names).toEqual([...new Set(names)]);
    });
  }

  it('<loupe-live model> defaults to the registry default, by value', async () => {
    const { DEFAULT_MODEL_ID } = await import('../../models/index.js');
    const live = elements.find((element) => element.tag === 'loupe-live')!;
    const attributes = live.tables.find((table) => table.title === 'Attributes and properties')!;
    expect(attributes.rows.find((row) => row[0] === '`model`')?.[3]).toBe(`\`'${DEFAULT_MODEL_ID}'\``);
  });
});
