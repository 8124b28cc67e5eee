import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COCO80_CATEGORY_IDS } from './coco-category-ids.js';
import { COCO80_LABELS } from './coco80.js';

// The team's evaluation data (never in the repo) carries the official table; compare when it is there.
const dataDir = process.env.LOUPE_DATA ?? resolve(import.meta.dirname, '../../../shared/data/coco-dev');
const officialTable = resolve(dataDir, 'coco80_to_coco91_ids.json');

describe('COCO-80 → COCO category ids', () => {
  it('maps the 80 classes to 80 distinct, increasing ids in 1..90', () => {
    expect(COCO80_CATEGORY_IDS).toHaveLength(COCO80_LABELS.length);
    for (let i = 1; i < COCO80_CATEGORY_IDS.length; i++) expect(COCO80_CATEGORY_IDS[i]).toBeGreaterThan(COCO80_CATEGORY_IDS[i - 1]!);
    expect(COCO80_CATEGORY_IDS[0]).toBe(1);
    expect(COCO80_CATEGORY_IDS[79]).toBe(90);
  });

  it.skipIf(!existsSync(officialTable))('matches coco80_to_coco91_ids.json of the dev data, ids and names', () => {
    const table = JSON.parse(readFileSync(officialTable, 'utf8')) as { coco80_index_to_category_id: number[]; names: string[] };
    expect(COCO80_CATEGORY_IDS).toEqual(table.coco80_index_to_category_id);
    expect(COCO80_LABELS).toEqual(table.names);
  });
});
